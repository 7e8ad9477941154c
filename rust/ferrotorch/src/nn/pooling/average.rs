//! Average pooling over `[T, H, W]` windows with stride, padding and ceil mode (THNN's
//! SpatialAveragePooling and VolumetricAveragePooling). The divisor is the window's size
//! counting the padding it covers (`count_include_pad`, Torch7's default) or only the input
//! elements it covers; sums run in the element type, as THNN's `real sum` did.

use super::max::Window;
use super::{check_sizes, operand, prepare, Planes};
use crate::cpu::index::par_range;
use crate::nn::transfer::real::{Data, Real};
use crate::{Result, Tensor};

/// One output position's reach in one dim: clipped `[start, end)` and the divisor factor.
#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    /// The window's length up to the padded border (count_include_pad) or the clipped length.
    divisor: usize,
}

fn spans(w: &Window, d: usize, input: usize, output: usize, include_pad: bool) -> Vec<Span> {
    let (k, s, p, i) = (w.kernel[d] as i64, w.stride[d] as i64, w.pad[d] as i64, input as i64);
    (0..output as i64)
        .map(|o| {
            let start = o * s - p;
            let end = (start + k).min(i + p);
            let pool = end - start;
            let (start, end) = (start.max(0), end.min(i));
            let len = (end - start).max(0);
            Span {
                start: start as usize,
                end: start.max(end) as usize,
                divisor: if include_pad { pool } else { len } as usize,
            }
        })
        .collect()
}

fn setup(input: &Tensor, window: &Window, nd: usize, what: &str) -> Result<(Planes, [usize; 3])> {
    let planes = Planes::of(input, nd, what)?;
    let w = Window { dilation: [1, 1, 1], ..*window };
    let out3 = w.output_size(&planes, what)?;
    Ok((planes, out3))
}

/// Forward: each output is its window's sum divided by the window size (see the module doc).
pub fn average_pooling_update_output(
    input: &Tensor,
    output: &mut Tensor,
    window: &Window,
    count_include_pad: bool,
    nd: usize,
    what: &str,
) -> Result<()> {
    let (planes, out3) = setup(input, window, nd, what)?;
    let sp = [0, 1, 2].map(|d| spans(window, d, planes.size[d], out3[d], count_include_pad));
    let dtype = input.dtype();
    let sizes = planes.sizes_with(out3);
    crate::with_float_dtype!(dtype, what, T, {
        prepare(output, dtype, &sizes, &[input])?;
        let src = operand(input, output, dtype, what, "input")?;
        let (x, y) = (Data::<T>::of(&src)?, Data::<T>::of(output)?);
        let (xp, yp) = (x.ptr, y.ptr);
        let (pin, pout) = (planes.plane_numel(), out3.iter().product::<usize>());
        let [_, ih, iw] = planes.size;
        par_range(planes.count(), pout * window.kernel.iter().product::<usize>(), |r| {
            for p in r {
                // SAFETY: plane p of each tensor lies inside it; spans are clipped to the plane.
                unsafe {
                    let (xs, ys) = (xp.at(p * pin) as *const T, yp.at(p * pout));
                    let mut o = 0;
                    for a in &sp[0] {
                        for b in &sp[1] {
                            for c in &sp[2] {
                                let mut sum = T::ZERO;
                                for t in a.start..a.end {
                                    for h in b.start..b.end {
                                        let row = xs.add((t * ih + h) * iw);
                                        for w in c.start..c.end {
                                            sum += *row.add(w);
                                        }
                                    }
                                }
                                *ys.add(o) = sum / T::of((a.divisor * b.divisor * c.divisor) as f64);
                                o += 1;
                            }
                        }
                    }
                }
            }
        });
    });
    Ok(())
}

/// Backward: each window's gradOutput divided by its divisor is added to every element it
/// covers.
pub fn average_pooling_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    grad_input: &mut Tensor,
    window: &Window,
    count_include_pad: bool,
    nd: usize,
    what: &str,
) -> Result<()> {
    let (planes, out3) = setup(input, window, nd, what)?;
    check_sizes(grad_output, &planes.sizes_with(out3), what, "gradOutput")?;
    let sp = [0, 1, 2].map(|d| spans(window, d, planes.size[d], out3[d], count_include_pad));
    let dtype = input.dtype();
    crate::with_float_dtype!(dtype, what, T, {
        prepare(grad_input, dtype, input.sizes(), &[grad_output])?;
        let go = operand(grad_output, grad_input, dtype, what, "gradOutput")?;
        let (g, gi) = (Data::<T>::of(&go)?, Data::<T>::of(grad_input)?);
        let (gp, gip) = (g.ptr, gi.ptr);
        let (pin, pout) = (planes.plane_numel(), out3.iter().product::<usize>());
        let [_, ih, iw] = planes.size;
        par_range(planes.count(), pin + pout * window.kernel.iter().product::<usize>(), |r| {
            for p in r {
                // SAFETY: as in the forward; planes are disjoint, so the adds do not race.
                unsafe {
                    let (gs, dst) = (gp.at(p * pout) as *const T, gip.at(p * pin));
                    std::ptr::write_bytes(dst, 0, pin);
                    let mut o = 0;
                    for a in &sp[0] {
                        for b in &sp[1] {
                            for c in &sp[2] {
                                let z = *gs.add(o) / T::of((a.divisor * b.divisor * c.divisor) as f64);
                                for t in a.start..a.end {
                                    for h in b.start..b.end {
                                        let row = dst.add((t * ih + h) * iw);
                                        for w in c.start..c.end {
                                            *row.add(w) = *row.add(w) + z;
                                        }
                                    }
                                }
                                o += 1;
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
    fn padding_counts_or_not() {
        let x = Tensor::from_slice(&[1.0, 2.0, 3.0, 4.0], &[1, 2, 2]).unwrap();
        let w =
            Window { kernel: [1, 2, 2], stride: [1, 2, 2], pad: [0, 1, 1], dilation: [1; 3], ceil: false };
        let mut y = Tensor::empty(DType::Double);
        average_pooling_update_output(&x, &mut y, &w, true, 2, "m").unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![0.25, 0.5, 0.75, 1.0]);
        average_pooling_update_output(&x, &mut y, &w, false, 2, "m").unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![1.0, 2.0, 3.0, 4.0]);
        let mut gi = Tensor::empty(DType::Double);
        let go = Tensor::from_slice(&[4.0, 4.0, 4.0, 4.0], &[1, 2, 2]).unwrap();
        average_pooling_update_grad_input(&x, &go, &mut gi, &w, true, 2, "m").unwrap();
        assert_eq!(gi.to_vec::<f64>().unwrap(), vec![1.0; 4]);
    }
}
