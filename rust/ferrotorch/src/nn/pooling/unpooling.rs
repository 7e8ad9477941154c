//! Max unpooling (THNN's SpatialMaxUnpooling and VolumetricMaxUnpooling): the inverse of a max
//! pooling with kernel = stride. Each input element goes to the position its pooling module
//! recorded (0-based flat index into the output plane); everything else is zero. The backward
//! gathers gradOutput at the same positions.

use super::{check_sizes, long_indices, operand, prepare, BadIndex, Planes};
use crate::cpu::index::par_range;
use crate::nn::transfer::real::{Data, Real};
use crate::{Result, Tensor};

fn setup(input: &Tensor, indices: &Tensor, nd: usize, what: &str) -> Result<Planes> {
    let planes = Planes::of(input, nd, what)?;
    check_sizes(indices, input.sizes(), what, "indices (of the pooling module)")?;
    Ok(planes)
}

/// Forward: output of the lead dims over `out` (the pooling module's input size).
pub fn max_unpooling_update_output(
    input: &Tensor,
    indices: &Tensor,
    output: &mut Tensor,
    out: [usize; 3],
    nd: usize,
    what: &str,
) -> Result<()> {
    let planes = setup(input, indices, nd, what)?;
    let dtype = input.dtype();
    let sizes = planes.sizes_with(out);
    crate::with_float_dtype!(dtype, what, T, {
        prepare(output, dtype, &sizes, &[input, indices])?;
        let src = operand(input, output, dtype, what, "input")?;
        let ind = long_indices(indices, what)?;
        let (x, i, y) = (Data::<T>::of(&src)?, Data::<i64>::of(&ind)?, Data::<T>::of(output)?);
        let (xp, ip, yp) = (x.ptr, i.ptr, y.ptr);
        let (pin, pout) = (planes.plane_numel(), out.iter().product::<usize>());
        let bad = BadIndex::new();
        par_range(planes.count(), pin + pout, |r| {
            for p in r {
                // SAFETY: plane p of each tensor; every write index is checked against the plane.
                unsafe {
                    let (xs, is, dst) =
                        (xp.at(p * pin) as *const T, ip.at(p * pin) as *const i64, yp.at(p * pout));
                    std::ptr::write_bytes(dst, 0, pout);
                    for k in 0..pin {
                        let j = *is.add(k);
                        if (j as u64) < pout as u64 {
                            *dst.add(j as usize) = *xs.add(k);
                        } else {
                            bad.set(j);
                        }
                    }
                }
            }
        });
        bad.check(what, pout)?;
    });
    Ok(())
}

/// Backward: `gradInput[k] = gradOutput[indices[k]]` per plane.
pub fn max_unpooling_update_grad_input(
    input: &Tensor,
    indices: &Tensor,
    grad_output: &Tensor,
    grad_input: &mut Tensor,
    out: [usize; 3],
    nd: usize,
    what: &str,
) -> Result<()> {
    let planes = setup(input, indices, nd, what)?;
    check_sizes(grad_output, &planes.sizes_with(out), what, "gradOutput")?;
    let dtype = input.dtype();
    crate::with_float_dtype!(dtype, what, T, {
        prepare(grad_input, dtype, input.sizes(), &[grad_output, indices])?;
        let go = operand(grad_output, grad_input, dtype, what, "gradOutput")?;
        let ind = long_indices(indices, what)?;
        let (g, i, gi) = (Data::<T>::of(&go)?, Data::<i64>::of(&ind)?, Data::<T>::of(grad_input)?);
        let (gp, ip, gip) = (g.ptr, i.ptr, gi.ptr);
        let (pin, pout) = (planes.plane_numel(), out.iter().product::<usize>());
        let bad = BadIndex::new();
        par_range(planes.count(), pin, |r| {
            for p in r {
                // SAFETY: plane p of each tensor; every read index is checked against the plane.
                unsafe {
                    let (gs, is, dst) =
                        (gp.at(p * pout) as *const T, ip.at(p * pin) as *const i64, gip.at(p * pin));
                    for k in 0..pin {
                        let j = *is.add(k);
                        *dst.add(k) = if (j as u64) < pout as u64 {
                            *gs.add(j as usize)
                        } else {
                            bad.set(j);
                            T::ZERO
                        };
                    }
                }
            }
        });
        bad.check(what, pout)?;
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DType, Error};

    #[test]
    fn scatter_and_gather_by_index() {
        let x = Tensor::from_slice(&[5.0, 7.0], &[1, 1, 2]).unwrap();
        let ind = Tensor::from_slice(&[3i64, 4], &[1, 1, 2]).unwrap();
        let mut y = Tensor::empty(DType::Double);
        max_unpooling_update_output(&x, &ind, &mut y, [1, 2, 3], 2, "u").unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![0.0, 0.0, 0.0, 5.0, 7.0, 0.0]);
        let go = Tensor::from_slice(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[1, 2, 3]).unwrap();
        let mut gi = Tensor::empty(DType::Double);
        max_unpooling_update_grad_input(&x, &ind, &go, &mut gi, [1, 2, 3], 2, "u").unwrap();
        assert_eq!(gi.to_vec::<f64>().unwrap(), vec![4.0, 5.0]);
        let bad = Tensor::from_slice(&[3i64, 6], &[1, 1, 2]).unwrap();
        let e = max_unpooling_update_output(&x, &bad, &mut y, [1, 2, 3], 2, "u");
        assert!(matches!(e, Err(Error::Index(_))), "{e:?}");
    }
}
