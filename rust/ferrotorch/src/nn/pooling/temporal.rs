//! Pooling along the time dim of (T, F) or batched (B, T, F) sequences: THNN's
//! TemporalMaxPooling (max over kW frames moved by dW, per feature) and nn's
//! TemporalDynamicKMaxPooling (the k largest frames per feature, kept in time order).

use super::{check_sizes, long_indices, operand, prepare, BadIndex};
use crate::cpu::index::par_range;
use crate::layout::size_string;
use crate::nn::transfer::real::{Data, Real};
use crate::{DType, Error, Result, Tensor};

/// (batch, frames, features) of a 2-D or 3-D sequence input.
fn sequence(input: &Tensor, what: &str) -> Result<(usize, usize, usize)> {
    match *input.sizes() {
        [t, f] if t * f > 0 => Ok((1, t, f)),
        [b, t, f] if b * t * f > 0 => Ok((b, t, f)),
        _ => Err(Error::Value(format!(
            "{what}: expected a 2D (frames x features) or 3D (batch mode) input, got size {}",
            size_string(input.sizes())
        ))),
    }
}

/// The input's sizes with the frame dim set to `frames`.
fn with_frames(input: &Tensor, frames: usize) -> Vec<usize> {
    let mut s = input.sizes().to_vec();
    let n = s.len();
    s[n - 2] = frames;
    s
}

fn max_frames(t: usize, kw: usize, dw: usize, what: &str) -> Result<usize> {
    if kw == 0 || dw == 0 {
        return Err(Error::Value(format!(
            "{what}: kernel size and stride should be greater than zero, but got kW: {kw} dW: {dw}"
        )));
    }
    if t < kw {
        return Err(Error::Value(format!(
            "{what}: input sequence of {t} frames is smaller than the kernel size {kw}"
        )));
    }
    Ok((t - kw) / dw + 1)
}

/// TemporalMaxPooling forward: `indices` holds each maximum's 0-based offset inside its window
/// (Torch7 stored the offset, not the frame).
pub fn temporal_max_pooling_update_output(
    input: &Tensor,
    output: &mut Tensor,
    indices: &mut Tensor,
    kw: usize,
    dw: usize,
    what: &str,
) -> Result<()> {
    let (b, t, f) = sequence(input, what)?;
    let ot = max_frames(t, kw, dw, what)?;
    let dtype = input.dtype();
    let sizes = with_frames(input, ot);
    crate::with_float_dtype!(dtype, what, T, {
        prepare(output, dtype, &sizes, &[input])?;
        prepare(indices, DType::Long, &sizes, &[input])?;
        let src = operand(input, output, dtype, what, "input")?;
        let (x, y, ind) = (Data::<T>::of(&src)?, Data::<T>::of(output)?, Data::<i64>::of(indices)?);
        let (xp, yp, ip) = (x.ptr, y.ptr, ind.ptr);
        par_range(b * ot, f * kw, |r| {
            for row in r {
                let (bi, o) = (row / ot, row % ot);
                // SAFETY: window frames o*dw .. o*dw + kw < t of sample bi; output row `row`.
                unsafe {
                    let xs = xp.at((bi * t + o * dw) * f) as *const T;
                    let (ys, is) = (yp.at(row * f), ip.at(row * f));
                    for j in 0..f {
                        let (mut m, mut mi) = (T::of(f64::NEG_INFINITY), -1i64);
                        for k in 0..kw {
                            let v = *xs.add(k * f + j);
                            if v > m {
                                m = v;
                                mi = k as i64;
                            }
                        }
                        *ys.add(j) = m;
                        *is.add(j) = mi;
                    }
                }
            }
        });
    });
    Ok(())
}

/// TemporalMaxPooling backward: each gradOutput added at its window's maximum.
pub fn temporal_max_pooling_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    indices: &Tensor,
    grad_input: &mut Tensor,
    kw: usize,
    dw: usize,
    what: &str,
) -> Result<()> {
    let (b, t, f) = sequence(input, what)?;
    let ot = max_frames(t, kw, dw, what)?;
    let sizes = with_frames(input, ot);
    check_sizes(grad_output, &sizes, what, "gradOutput")?;
    check_sizes(indices, &sizes, what, "indices")?;
    let dtype = input.dtype();
    crate::with_float_dtype!(dtype, what, T, {
        prepare(grad_input, dtype, input.sizes(), &[grad_output, indices])?;
        let go = operand(grad_output, grad_input, dtype, what, "gradOutput")?;
        let ind = long_indices(indices, what)?;
        let (g, i, gi) = (Data::<T>::of(&go)?, Data::<i64>::of(&ind)?, Data::<T>::of(grad_input)?);
        let (gp, ip, gip) = (g.ptr, i.ptr, gi.ptr);
        let bad = BadIndex::new();
        // Windows of one sample may overlap: split by sample only.
        par_range(b, t * f + ot * f, |r| {
            for bi in r {
                // SAFETY: sample bi of each tensor; offsets are checked against the window.
                unsafe {
                    let dst = gip.at(bi * t * f);
                    std::ptr::write_bytes(dst, 0, t * f);
                    for o in 0..ot {
                        let (gs, is) =
                            (gp.at((bi * ot + o) * f) as *const T, ip.at((bi * ot + o) * f) as *const i64);
                        for j in 0..f {
                            let k = *is.add(j);
                            if (k as u64) < kw as u64 {
                                let at = (o * dw + k as usize) * f + j;
                                *dst.add(at) = *dst.add(at) + *gs.add(j);
                            } else if k != -1 {
                                bad.set(k);
                            }
                        }
                    }
                }
            }
        });
        bad.check(what, kw)?;
    });
    Ok(())
}

/// TemporalDynamicKMaxPooling forward: per sample and feature, the k largest frames (ties:
/// the earlier frame first), in time order; `indices` holds their 0-based frames.
pub fn dynamic_k_max_pooling_update_output(
    input: &Tensor,
    output: &mut Tensor,
    indices: &mut Tensor,
    k: usize,
    what: &str,
) -> Result<()> {
    let (b, t, f) = sequence(input, what)?;
    if k == 0 || k > t {
        return Err(Error::Value(format!(
            "{what}: input sequence length ({t}) too small for the desired k value ({k})"
        )));
    }
    let dtype = input.dtype();
    let sizes = with_frames(input, k);
    crate::with_float_dtype!(dtype, what, T, {
        prepare(output, dtype, &sizes, &[input])?;
        prepare(indices, DType::Long, &sizes, &[input])?;
        let src = operand(input, output, dtype, what, "input")?;
        let (x, y, ind) = (Data::<T>::of(&src)?, Data::<T>::of(output)?, Data::<i64>::of(indices)?);
        let (xp, yp, ip) = (x.ptr, y.ptr, ind.ptr);
        par_range(b * f, t * 8, |r| {
            let mut order: Vec<usize> = Vec::with_capacity(t);
            for col in r {
                let (bi, j) = (col / f, col % f);
                // SAFETY: column j of sample bi in each tensor (t input frames, k output frames).
                unsafe {
                    let xs = xp.at(bi * t * f + j) as *const T;
                    order.clear();
                    order.extend(0..t);
                    // Largest first; a stable sort keeps the earlier of equal frames first.
                    order.sort_by(|&a, &c| {
                        (*xs.add(c * f)).partial_cmp(&*xs.add(a * f)).unwrap_or(std::cmp::Ordering::Equal)
                    });
                    order.truncate(k);
                    order.sort_unstable();
                    let (ys, is) = (yp.at(bi * k * f + j), ip.at(bi * k * f + j));
                    for (q, &frame) in order.iter().enumerate() {
                        *ys.add(q * f) = *xs.add(frame * f);
                        *is.add(q * f) = frame as i64;
                    }
                }
            }
        });
    });
    Ok(())
}

/// TemporalDynamicKMaxPooling backward: gradOutput put back at the selected frames, zeros
/// elsewhere.
pub fn dynamic_k_max_pooling_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    indices: &Tensor,
    grad_input: &mut Tensor,
    what: &str,
) -> Result<()> {
    let (b, t, f) = sequence(input, what)?;
    check_sizes(grad_output, indices.sizes(), what, "gradOutput")?;
    let k = indices.sizes().get(input.ndim() - 2).copied().unwrap_or(0);
    check_sizes(indices, &with_frames(input, k), what, "indices")?;
    let dtype = input.dtype();
    crate::with_float_dtype!(dtype, what, T, {
        prepare(grad_input, dtype, input.sizes(), &[grad_output, indices])?;
        let go = operand(grad_output, grad_input, dtype, what, "gradOutput")?;
        let ind = long_indices(indices, what)?;
        let (g, i, gi) = (Data::<T>::of(&go)?, Data::<i64>::of(&ind)?, Data::<T>::of(grad_input)?);
        let (gp, ip, gip) = (g.ptr, i.ptr, gi.ptr);
        let bad = BadIndex::new();
        par_range(b, t * f, |r| {
            for bi in r {
                // SAFETY: sample bi of each tensor; frames are checked against t.
                unsafe {
                    let dst = gip.at(bi * t * f);
                    std::ptr::write_bytes(dst, 0, t * f);
                    for q in 0..k * f {
                        let frame = *ip.at(bi * k * f + q);
                        if (frame as u64) < t as u64 {
                            let at = frame as usize * f + q % f;
                            *dst.add(at) = *dst.add(at) + *gp.at(bi * k * f + q);
                        } else {
                            bad.set(frame);
                        }
                    }
                }
            }
        });
        bad.check(what, t)?;
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_offsets_and_top_k_in_time_order() {
        let x = Tensor::from_slice(&[1.0, 8.0, 3.0, 2.0, 0.0, 5.0, 4.0, 1.0], &[4, 2]).unwrap();
        let (mut y, mut ind) = (Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        temporal_max_pooling_update_output(&x, &mut y, &mut ind, 2, 2, "t").unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![3.0, 8.0, 4.0, 5.0]);
        assert_eq!(ind.to_vec::<i64>().unwrap(), vec![1, 0, 1, 0]);
        let mut gi = Tensor::empty(DType::Double);
        let go = Tensor::from_slice(&[1.0, 2.0, 3.0, 4.0], &[2, 2]).unwrap();
        temporal_max_pooling_update_grad_input(&x, &go, &ind, &mut gi, 2, 2, "t").unwrap();
        assert_eq!(gi.to_vec::<f64>().unwrap(), vec![0.0, 2.0, 1.0, 0.0, 0.0, 4.0, 3.0, 0.0]);
        dynamic_k_max_pooling_update_output(&x, &mut y, &mut ind, 2, "k").unwrap();
        assert_eq!(ind.to_vec::<i64>().unwrap(), vec![1, 0, 3, 2]);
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![3.0, 8.0, 4.0, 5.0]);
        assert!(dynamic_k_max_pooling_update_output(&x, &mut y, &mut ind, 5, "k").is_err());
    }
}
