//! nn.GatedLinearUnit (THNN's GatedLinear): the input's dim `dim` is split into halves a and b,
//! `y = a ⊙ sigmoid(b)`.

use super::real::{prepare_output, same_type, simd, source_for, Data, Real};
use crate::cpu::index::par_range;
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

/// (outer, half, inner) around `dim`, checking that dim exists and is even.
fn geometry(input: &Tensor, dim: usize) -> Result<(usize, usize, usize)> {
    let sizes = input.sizes();
    if dim >= sizes.len() || !sizes[dim].is_multiple_of(2) {
        return Err(Error::Value(format!(
            "nn.GatedLinearUnit: dim {dim} must exist and have an even size (it is halved), got an \
             input of size {}",
            size_string(sizes)
        )));
    }
    let outer = sizes[..dim].iter().product::<usize>();
    let inner = sizes[dim + 1..].iter().product::<usize>();
    Ok((outer, sizes[dim] / 2, inner))
}

/// `output = first half ⊙ sigmoid(second half)` along `dim` (0-based).
pub fn gated_linear_update_output(input: &Tensor, dim: usize, output: &mut Tensor) -> Result<()> {
    let (outer, half, inner) = geometry(input, dim)?;
    let dtype = input.dtype();
    let mut sizes = input.sizes().to_vec();
    sizes[dim] = half;
    crate::with_float_dtype!(dtype, "nn.GatedLinearUnit", T, {
        prepare_output(output, dtype, &sizes, &[input])?;
        let src = source_for(input, output)?;
        let (x, y) = (Data::<T>::of(&src)?, Data::<T>::of(output)?);
        let (xp, yp, m) = (x.ptr, y.ptr, half * inner);
        par_range(outer, m * 8, |r| {
            simd(|| {
                for o in r {
                    // SAFETY: block o: input elements o*2m .. (o+1)*2m, output o*m .. (o+1)*m.
                    unsafe {
                        let (a, b, ys) =
                            (xp.at(2 * o * m) as *const T, xp.at(2 * o * m + m) as *const T, yp.at(o * m));
                        for i in 0..m {
                            *ys.add(i) = *a.add(i) * (T::ONE / (T::ONE + (-*b.add(i)).exp()));
                        }
                    }
                }
            })
        });
    });
    Ok(())
}

/// `grad a = go ⊙ σ(b)`, `grad b = go ⊙ a ⊙ σ(b)(1 - σ(b))`.
pub fn gated_linear_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    dim: usize,
    grad_input: &mut Tensor,
) -> Result<()> {
    let (outer, half, inner) = geometry(input, dim)?;
    let dtype = input.dtype();
    same_type("nn.GatedLinearUnit", "gradOutput", grad_output, dtype)?;
    if grad_output.numel() != outer * half * inner {
        return Err(Error::Value(format!(
            "nn.GatedLinearUnit: gradOutput of size {} does not match the output (input of size {} halved on dim {dim})",
            size_string(grad_output.sizes()),
            size_string(input.sizes())
        )));
    }
    crate::with_float_dtype!(dtype, "nn.GatedLinearUnit", T, {
        prepare_output(grad_input, dtype, input.sizes(), &[input, grad_output])?;
        let (x, g) = (source_for(input, grad_input)?, source_for(grad_output, grad_input)?);
        let (x, g, gi) = (Data::<T>::of(&x)?, Data::<T>::of(&g)?, Data::<T>::of(grad_input)?);
        let (xp, gp, gip, m) = (x.ptr, g.ptr, gi.ptr, half * inner);
        par_range(outer, m * 8, |r| {
            simd(|| {
                for o in r {
                    // SAFETY: block o of each tensor as in the forward; gi is disjoint from x and go.
                    unsafe {
                        let (a, b) = (xp.at(2 * o * m) as *const T, xp.at(2 * o * m + m) as *const T);
                        let gs = gp.at(o * m) as *const T;
                        let (ga, gb) = (gip.at(2 * o * m), gip.at(2 * o * m + m));
                        for i in 0..m {
                            let z = T::ONE / (T::ONE + (-*b.add(i)).exp());
                            let gv = *gs.add(i);
                            *ga.add(i) = z * gv;
                            *gb.add(i) = (T::ONE - z) * z * gv * *a.add(i);
                        }
                    }
                }
            })
        });
    });
    Ok(())
}
