//! Adaptive pooling (THNN's SpatialAdaptiveMaxPooling and SpatialAdaptiveAveragePooling): the
//! output has a fixed oH x oW, and output row i pools input rows `[floor(i iH / oH),
//! ceil((i + 1) iH / oH))` (columns alike), computed in single precision as THNN did (the max
//! and average files wrote the quotient in two different orders; each is kept).
//!
//! Max indices follow Torch7's layout: a (2, lead..., oH, oW) LongTensor whose first half holds
//! each maximum's row offset inside its window and the second half its column offset, 0-based.

use super::{check_sizes, long_indices, operand, prepare, BadIndex, Planes};
use crate::cpu::index::par_range;
use crate::nn::transfer::real::{Data, Real};
use crate::{DType, Result, Tensor};

/// The `[start, end)` input ranges of the max kernel's windows along one dim.
fn max_ranges(input: usize, output: usize) -> Vec<(usize, usize)> {
    (0..output)
        .map(|i| {
            let start = (i as f32 / output as f32 * input as f32).floor() as usize;
            let end = ((i + 1) as f32 / output as f32 * input as f32).ceil() as usize;
            (start, end.min(input))
        })
        .collect()
}

/// The average kernel's ranges: `floor(i * in / out)`, `ceil((i + 1) * in / out)`.
fn average_ranges(input: usize, output: usize) -> Vec<(usize, usize)> {
    (0..output)
        .map(|i| {
            let start = ((i * input) as f32 / output as f32).floor() as usize;
            let end = (((i + 1) * input) as f32 / output as f32).ceil() as usize;
            (start, end.min(input))
        })
        .collect()
}

fn setup(input: &Tensor, out: [usize; 2], what: &str) -> Result<(Planes, Vec<usize>)> {
    let planes = Planes::of(input, 2, what)?;
    if out.contains(&0) {
        return Err(crate::Error::Value(format!(
            "{what}: output size should be greater than zero, got {}x{}",
            out[1], out[0]
        )));
    }
    let sizes = planes.sizes_with([1, out[0], out[1]]);
    Ok((planes, sizes))
}

/// Forward of adaptive max pooling to `out = [oH, oW]`.
pub fn adaptive_max_pooling_update_output(
    input: &Tensor,
    output: &mut Tensor,
    indices: &mut Tensor,
    out: [usize; 2],
    what: &str,
) -> Result<()> {
    let (planes, sizes) = setup(input, out, what)?;
    let dtype = input.dtype();
    let mut ind_sizes = vec![2];
    ind_sizes.extend_from_slice(&sizes);
    let (rows, cols) = (max_ranges(planes.size[1], out[0]), max_ranges(planes.size[2], out[1]));
    crate::with_float_dtype!(dtype, what, T, {
        prepare(output, dtype, &sizes, &[input])?;
        prepare(indices, DType::Long, &ind_sizes, &[input])?;
        let src = operand(input, output, dtype, what, "input")?;
        let (x, y, ind) = (Data::<T>::of(&src)?, Data::<T>::of(output)?, Data::<i64>::of(indices)?);
        let (xp, yp, ip) = (x.ptr, y.ptr, ind.ptr);
        let (n, pin, pout, iw) = (planes.count(), planes.plane_numel(), out[0] * out[1], planes.size[2]);
        par_range(n, pin, |r| {
            for p in r {
                // SAFETY: plane p of each tensor (indices: plane p of both halves); ranges are
                // clipped to the plane.
                unsafe {
                    let (xs, ys) = (xp.at(p * pin) as *const T, yp.at(p * pout));
                    let (iy, ix) = (ip.at(p * pout), ip.at((n + p) * pout));
                    let mut o = 0;
                    for &(h0, h1) in &rows {
                        for &(w0, w1) in &cols {
                            // THNN started from -FLT_MAX, not -inf.
                            let (mut m, mut my, mut mx) = (T::of(-(f32::MAX as f64)), -1i64, -1i64);
                            for h in h0..h1 {
                                for w in w0..w1 {
                                    let v = *xs.add(h * iw + w);
                                    if v > m {
                                        m = v;
                                        my = (h - h0) as i64;
                                        mx = (w - w0) as i64;
                                    }
                                }
                            }
                            *ys.add(o) = m;
                            *iy.add(o) = my;
                            *ix.add(o) = mx;
                            o += 1;
                        }
                    }
                }
            }
        });
    });
    Ok(())
}

/// Backward of adaptive max pooling: each gradOutput goes to its window's maximum.
pub fn adaptive_max_pooling_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    indices: &Tensor,
    grad_input: &mut Tensor,
    out: [usize; 2],
    what: &str,
) -> Result<()> {
    let (planes, sizes) = setup(input, out, what)?;
    check_sizes(grad_output, &sizes, what, "gradOutput")?;
    let mut ind_sizes = vec![2];
    ind_sizes.extend_from_slice(&sizes);
    check_sizes(indices, &ind_sizes, what, "indices")?;
    let (rows, cols) = (max_ranges(planes.size[1], out[0]), max_ranges(planes.size[2], out[1]));
    let dtype = input.dtype();
    crate::with_float_dtype!(dtype, what, T, {
        prepare(grad_input, dtype, input.sizes(), &[grad_output, indices])?;
        let go = operand(grad_output, grad_input, dtype, what, "gradOutput")?;
        let ind = long_indices(indices, what)?;
        let (g, i, gi) = (Data::<T>::of(&go)?, Data::<i64>::of(&ind)?, Data::<T>::of(grad_input)?);
        let (gp, ip, gip) = (g.ptr, i.ptr, gi.ptr);
        let (n, pin, pout, iw) = (planes.count(), planes.plane_numel(), out[0] * out[1], planes.size[2]);
        let bad = BadIndex::new();
        par_range(n, pin + pout, |r| {
            for p in r {
                // SAFETY: plane p of each tensor; every offset is checked against its window.
                unsafe {
                    let (gs, dst) = (gp.at(p * pout) as *const T, gip.at(p * pin));
                    let (iy, ix) = (ip.at(p * pout) as *const i64, ip.at((n + p) * pout) as *const i64);
                    std::ptr::write_bytes(dst, 0, pin);
                    let mut o = 0;
                    for &(h0, h1) in &rows {
                        for &(w0, w1) in &cols {
                            let (y, x) = (*iy.add(o), *ix.add(o));
                            if (y as u64) < (h1 - h0) as u64 && (x as u64) < (w1 - w0) as u64 {
                                let k = (h0 + y as usize) * iw + w0 + x as usize;
                                *dst.add(k) = *dst.add(k) + *gs.add(o);
                            } else if y != -1 || x != -1 {
                                bad.set(if (y as u64) < (h1 - h0) as u64 { x } else { y });
                            }
                            o += 1;
                        }
                    }
                }
            }
        });
        bad.check(what, pin)?;
    });
    Ok(())
}

/// Forward of adaptive average pooling to `out = [oH, oW]`: `sum / kW / kH` per window.
pub fn adaptive_average_pooling_update_output(
    input: &Tensor,
    output: &mut Tensor,
    out: [usize; 2],
    what: &str,
) -> Result<()> {
    let (planes, sizes) = setup(input, out, what)?;
    let dtype = input.dtype();
    let (rows, cols) = (average_ranges(planes.size[1], out[0]), average_ranges(planes.size[2], out[1]));
    crate::with_float_dtype!(dtype, what, T, {
        prepare(output, dtype, &sizes, &[input])?;
        let src = operand(input, output, dtype, what, "input")?;
        let (x, y) = (Data::<T>::of(&src)?, Data::<T>::of(output)?);
        let (xp, yp) = (x.ptr, y.ptr);
        let (pin, pout, iw) = (planes.plane_numel(), out[0] * out[1], planes.size[2]);
        par_range(planes.count(), pin, |r| {
            for p in r {
                // SAFETY: plane p of each tensor; ranges lie in the plane.
                unsafe {
                    let (xs, ys) = (xp.at(p * pin) as *const T, yp.at(p * pout));
                    let mut o = 0;
                    for &(h0, h1) in &rows {
                        for &(w0, w1) in &cols {
                            let mut sum = T::ZERO;
                            for h in h0..h1 {
                                for w in w0..w1 {
                                    sum += *xs.add(h * iw + w);
                                }
                            }
                            *ys.add(o) = sum / T::of((w1 - w0) as f64) / T::of((h1 - h0) as f64);
                            o += 1;
                        }
                    }
                }
            }
        });
    });
    Ok(())
}

/// Backward of adaptive average pooling: `gradOutput / kW / kH` added over each window.
pub fn adaptive_average_pooling_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    grad_input: &mut Tensor,
    out: [usize; 2],
    what: &str,
) -> Result<()> {
    let (planes, sizes) = setup(input, out, what)?;
    check_sizes(grad_output, &sizes, what, "gradOutput")?;
    let (rows, cols) = (average_ranges(planes.size[1], out[0]), average_ranges(planes.size[2], out[1]));
    let dtype = input.dtype();
    crate::with_float_dtype!(dtype, what, T, {
        prepare(grad_input, dtype, input.sizes(), &[grad_output])?;
        let go = operand(grad_output, grad_input, dtype, what, "gradOutput")?;
        let (g, gi) = (Data::<T>::of(&go)?, Data::<T>::of(grad_input)?);
        let (gp, gip) = (g.ptr, gi.ptr);
        let (pin, pout, iw) = (planes.plane_numel(), out[0] * out[1], planes.size[2]);
        par_range(planes.count(), pin, |r| {
            for p in r {
                // SAFETY: plane p of each tensor; planes are disjoint.
                unsafe {
                    let (gs, dst) = (gp.at(p * pout) as *const T, gip.at(p * pin));
                    std::ptr::write_bytes(dst, 0, pin);
                    let mut o = 0;
                    for &(h0, h1) in &rows {
                        for &(w0, w1) in &cols {
                            let z = *gs.add(o) / T::of((w1 - w0) as f64) / T::of((h1 - h0) as f64);
                            for h in h0..h1 {
                                for w in w0..w1 {
                                    *dst.add(h * iw + w) = *dst.add(h * iw + w) + z;
                                }
                            }
                            o += 1;
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

    #[test]
    fn windows_cover_the_input_and_overlap_when_sizes_do_not_divide() {
        assert_eq!(max_ranges(5, 2), vec![(0, 3), (2, 5)]);
        assert_eq!(average_ranges(5, 2), vec![(0, 3), (2, 5)]);
        assert_eq!(max_ranges(4, 2), vec![(0, 2), (2, 4)]);
        assert_eq!(average_ranges(3, 5), vec![(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)]);
    }
}
