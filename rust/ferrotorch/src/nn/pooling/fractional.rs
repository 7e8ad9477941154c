//! Fractional max pooling (Graham 2014; THNN's SpatialFractionalMaxPooling and
//! VolumetricFractionalMaxPooling): pool x pool windows whose starts are pseudo-random,
//! placed by one uniform sample per plane and dim. Planes are the input's last two (H, W) or
//! three dims (Torch7's volumetric class reads (C, H, W, T), time last); plane dim d uses sample
//! `2 - d` of its plane (THNN's order: W then H, or T, W, H). The intervals are computed in the
//! element type as THNN did. Indices are 0-based flat positions; the backward is max pooling's.

use super::max::scatter_update_grad_input;
use super::{check_sizes, operand, prepare, Planes};
use crate::cpu::index::par_range;
use crate::layout::size_string;
use crate::nn::transfer::real::{Data, Real};
use crate::{DType, Error, Result, Tensor};

/// THNN's generateIntervals: the window starts along one dim.
fn intervals<T: Real>(sample: T, input: usize, output: usize, pool: usize) -> Vec<usize> {
    let alpha = T::of((input - pool) as f64) / T::of(output as f64 - 1.0);
    let mut seq: Vec<usize> = (0..output.saturating_sub(1))
        .map(|i| {
            let a = to_i64((T::of(i as f64) + sample) * alpha);
            let b = to_i64(sample * alpha);
            (a - b).clamp(0, (input - pool) as i64) as usize
        })
        .collect();
    seq.push(input - pool);
    seq
}

fn to_i64<T: Real>(v: T) -> i64 {
    // Truncation toward zero, as C's (long) cast.
    let f: f64 = crate::Scalar::of(v).cast();
    f as i64
}

fn setup(input: &Tensor, out: [usize; 3], pool: [usize; 3], nd: usize, what: &str) -> Result<Planes> {
    let planes = Planes::of(input, nd, what)?;
    for d in 3 - nd..3 {
        if pool[d] == 0 || out[d] == 0 {
            return Err(Error::Value(format!(
                "{what}: pool sizes and output sizes should be greater than zero, got pool {} and output {}",
                Planes::text(pool, nd),
                Planes::text(out, nd)
            )));
        }
        if out[d] + pool[d] > planes.size[d] {
            return Err(Error::Value(format!(
                "{what}: pool size {} too large relative to the input's {} for an output of {} \
                 (output + pool - 1 must be below the input size)",
                Planes::text(pool, nd),
                Planes::text(planes.size, nd),
                Planes::text(out, nd)
            )));
        }
    }
    Ok(planes)
}

/// Forward: `samples` holds `nd` uniform draws per plane (B x C x nd, or C x nd planes).
#[allow(clippy::too_many_arguments)]
pub fn fractional_max_pooling_update_output(
    input: &Tensor,
    output: &mut Tensor,
    indices: &mut Tensor,
    samples: &Tensor,
    out: [usize; 3],
    pool: [usize; 3],
    nd: usize,
    what: &str,
) -> Result<()> {
    let planes = setup(input, out, pool, nd, what)?;
    let dtype = input.dtype();
    let n = planes.count();
    if samples.numel() != n * nd {
        return Err(Error::Value(format!(
            "{what}: randomSamples of size {} does not hold {nd} samples for each of the {n} planes",
            size_string(samples.sizes())
        )));
    }
    let sizes = planes.sizes_with(out);
    crate::with_float_dtype!(dtype, what, T, {
        prepare(output, dtype, &sizes, &[input])?;
        prepare(indices, DType::Long, &sizes, &[input])?;
        let src = operand(input, output, dtype, what, "input")?;
        let smp = operand(samples, output, dtype, what, "randomSamples")?;
        let (x, y, ind, s) =
            (Data::<T>::of(&src)?, Data::<T>::of(output)?, Data::<i64>::of(indices)?, Data::<T>::of(&smp)?);
        let (xp, yp, ip, sp) = (x.ptr, y.ptr, ind.ptr, s.ptr);
        let (pin, pout) = (planes.plane_numel(), out.iter().product::<usize>());
        let [_, ih, iw] = planes.size;
        par_range(n, pout * pool.iter().product::<usize>(), |r| {
            for p in r {
                // SAFETY: plane p of each tensor, samples p*nd .. p*nd + nd; window starts are
                // at most input - pool, so windows lie in the plane.
                unsafe {
                    let seq: Vec<Vec<usize>> = (0..3)
                        .map(|d| {
                            if d < 3 - nd {
                                vec![0]
                            } else {
                                intervals(*sp.at(p * nd + 2 - d), planes.size[d], out[d], pool[d])
                            }
                        })
                        .collect();
                    let (xs, ys, is) = (xp.at(p * pin) as *const T, yp.at(p * pout), ip.at(p * pout));
                    let mut o = 0;
                    for &a in &seq[0] {
                        for &b in &seq[1] {
                            for &c in &seq[2] {
                                let (mut m, mut mi) = (T::of(f64::NEG_INFINITY), -1i64);
                                for t in a..a + pool[0] {
                                    for h in b..b + pool[1] {
                                        for w in c..c + pool[2] {
                                            let k = (t * ih + h) * iw + w;
                                            let v = *xs.add(k);
                                            if v > m {
                                                m = v;
                                                mi = k as i64;
                                            }
                                        }
                                    }
                                }
                                *ys.add(o) = m;
                                *is.add(o) = mi;
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

/// Backward: gradOutput added at the forward's maxima.
#[allow(clippy::too_many_arguments)]
pub fn fractional_max_pooling_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    indices: &Tensor,
    grad_input: &mut Tensor,
    out: [usize; 3],
    pool: [usize; 3],
    nd: usize,
    what: &str,
) -> Result<()> {
    let planes = setup(input, out, pool, nd, what)?;
    let sizes = planes.sizes_with(out);
    check_sizes(grad_output, &sizes, what, "gradOutput")?;
    check_sizes(indices, &sizes, what, "indices")?;
    scatter_update_grad_input(input, grad_output, indices, grad_input, &planes, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_start_at_zero_and_end_at_the_last_window() {
        let s = intervals(0.5f64, 10, 4, 2);
        assert_eq!(s.len(), 4);
        assert_eq!((s[0], s[3]), (0, 8));
        assert!(s.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(intervals(0.3f32, 5, 1, 2), vec![3]);
    }
}
