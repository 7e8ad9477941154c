//! nn.FeatureLPPooling (THNN's FeatureLPPooling): LP pooling across the feature dim,
//! `out_f = (Σ_{w < width} x_{f stride + w}^p)^(1/p)`. Input `[feature][opt1][opt2]`, with a
//! leading batch dim in batch mode; powers are taken in double precision (THNN's accreal).

use super::{check_sizes, operand, prepare};
use crate::cpu::index::par_range;
use crate::layout::size_string;
use crate::nn::transfer::real::{Data, Real};
use crate::{Error, Result, Scalar, Tensor};

/// (batch, features, inner) of the input, and the output sizes.
fn geometry(
    input: &Tensor,
    width: usize,
    stride: usize,
    batch_mode: bool,
    what: &str,
) -> Result<((usize, usize, usize), Vec<usize>)> {
    let s = input.sizes();
    let (lo, hi) = if batch_mode { (2, 4) } else { (1, 3) };
    if s.len() < lo || s.len() > hi {
        return Err(Error::Value(format!(
            "{what}: input must be {lo}-{hi} dimensions in {} mode, got size {}",
            if batch_mode { "batch" } else { "non-batch" },
            size_string(s)
        )));
    }
    if !(2..=16).contains(&width) || !(1..=4).contains(&stride) {
        return Err(Error::Value(format!(
            "{what}: width must be within 2 to 16 and stride within 1 to 4, got width {width} stride {stride}"
        )));
    }
    let fd = usize::from(batch_mode);
    let (b, feat) = (if batch_mode { s[0] } else { 1 }, s[fd]);
    if feat < width {
        return Err(Error::Value(format!(
            "{what}: the feature dimension ({feat}, input of size {}) must be >= width ({width})",
            size_string(s)
        )));
    }
    let inner: usize = s[fd + 1..].iter().product();
    let mut out = s.to_vec();
    out[fd] = (feat - width) / stride + 1;
    Ok(((b, feat, inner), out))
}

fn f64_of<T: Real>(v: T) -> f64 {
    Scalar::of(v).cast()
}

/// Forward.
pub fn feature_lp_pooling_update_output(
    input: &Tensor,
    output: &mut Tensor,
    power: f64,
    width: usize,
    stride: usize,
    batch_mode: bool,
    what: &str,
) -> Result<()> {
    let ((b, feat, inner), sizes) = geometry(input, width, stride, batch_mode, what)?;
    let of = sizes[usize::from(batch_mode)];
    let dtype = input.dtype();
    crate::with_float_dtype!(dtype, what, T, {
        prepare(output, dtype, &sizes, &[input])?;
        let src = operand(input, output, dtype, what, "input")?;
        let (x, y) = (Data::<T>::of(&src)?, Data::<T>::of(output)?);
        let (xp, yp) = (x.ptr, y.ptr);
        par_range(b, of * inner * width * 8, |r| {
            for bi in r {
                for o in 0..of {
                    for i in 0..inner {
                        let mut v = 0.0f64;
                        for w in 0..width {
                            // SAFETY: feature o*stride + w < feat (geometry); sample bi.
                            v += f64_of(unsafe { *xp.at((bi * feat + o * stride + w) * inner + i) })
                                .powf(power);
                        }
                        // SAFETY: output element (bi, o, i).
                        unsafe { *yp.at((bi * of + o) * inner + i) = T::of(v.powf(1.0 / power)) };
                    }
                }
            }
        });
    });
    Ok(())
}

/// Backward: `gradInput_i += gradOutput · (x_i / out)^(p - 1)` over the features each output
/// pooled (skipped where the output is 0).
#[allow(clippy::too_many_arguments)]
pub fn feature_lp_pooling_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    output: &Tensor,
    grad_input: &mut Tensor,
    power: f64,
    width: usize,
    stride: usize,
    batch_mode: bool,
    what: &str,
) -> Result<()> {
    let ((b, feat, inner), sizes) = geometry(input, width, stride, batch_mode, what)?;
    check_sizes(grad_output, &sizes, what, "gradOutput")?;
    check_sizes(output, &sizes, what, "output")?;
    let of = sizes[usize::from(batch_mode)];
    let dtype = input.dtype();
    crate::with_float_dtype!(dtype, what, T, {
        prepare(grad_input, dtype, input.sizes(), &[grad_output, output])?;
        let (src, go, out) = (
            operand(input, grad_input, dtype, what, "input")?,
            operand(grad_output, grad_input, dtype, what, "gradOutput")?,
            operand(output, grad_input, dtype, what, "output")?,
        );
        let (x, g, y, gi) =
            (Data::<T>::of(&src)?, Data::<T>::of(&go)?, Data::<T>::of(&out)?, Data::<T>::of(grad_input)?);
        let (xp, gp, yp, gip) = (x.ptr, g.ptr, y.ptr, gi.ptr);
        par_range(b, feat * inner + of * inner * width * 8, |r| {
            for bi in r {
                // SAFETY: sample bi of each tensor; features o*stride + w < feat (geometry).
                unsafe {
                    let dst = gip.at(bi * feat * inner);
                    std::ptr::write_bytes(dst, 0, feat * inner);
                    for o in 0..of {
                        for i in 0..inner {
                            let (yv, gv) =
                                (*yp.at((bi * of + o) * inner + i), *gp.at((bi * of + o) * inner + i));
                            if yv == T::ZERO {
                                continue;
                            }
                            for w in 0..width {
                                let at = (o * stride + w) * inner + i;
                                let ratio = f64_of(*xp.at(bi * feat * inner + at) / yv);
                                *dst.add(at) = *dst.add(at) + T::of(f64_of(gv) * ratio.powf(power - 1.0));
                            }
                        }
                    }
                }
            }
        });
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn l2_over_feature_windows() {
        let x = Tensor::from_slice(&[3.0, 4.0, 0.0], &[3]).unwrap();
        let mut y = Tensor::empty(DType::Double);
        feature_lp_pooling_update_output(&x, &mut y, 2.0, 2, 1, false, "f").unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![5.0, 4.0]);
        let (go, mut gi) = (Tensor::from_slice(&[1.0, 1.0], &[2]).unwrap(), Tensor::empty(DType::Double));
        feature_lp_pooling_update_grad_input(&x, &go, &y, &mut gi, 2.0, 2, 1, false, "f").unwrap();
        assert_eq!(gi.to_vec::<f64>().unwrap(), vec![0.6, 0.8 + 1.0, 0.0]);
        assert!(feature_lp_pooling_update_output(&x, &mut y, 2.0, 4, 1, false, "f").is_err());
    }
}
