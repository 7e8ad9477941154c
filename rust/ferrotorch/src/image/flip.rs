//! image.hflip / vflip / flip: a copy with one dimension reversed (Torch7's `flip`, any
//! number of dims here). Strides are never negative in ferrotorch, so a reversed view cannot
//! exist and the copy is this kernel. Any element type: it only moves values.

use super::{output, Input};
use crate::{with_dtype, Element, Error, Result, Tensor};

/// A copy of `src` with dimension `dim` (0-based) reversed.
pub fn flip(src: &Tensor, dim: usize, what: &str) -> Result<Tensor> {
    let nd = src.ndim();
    if dim >= nd {
        return Err(Error::Index(format!(
            "{what}: dimension {dim} out of range for a {nd}-D tensor (dims are 0..{})",
            nd.max(1) - 1
        )));
    }
    if src.dtype() == crate::DType::Half {
        return Err(crate::dtype::half_math_error(what));
    }
    with_dtype!(src.dtype(), T, flip_t::<T>(src, dim))
}

fn flip_t<T: Element>(src: &Tensor, dim: usize) -> Result<Tensor> {
    let sizes = src.sizes();
    let n = sizes[dim];
    let inner: usize = sizes[dim + 1..].iter().product();
    let input = Input::<T>::of(src)?;
    let s = input.slice();
    if inner == 1 {
        // The reversed dim is the last: reverse each line of n elements.
        return output::<T>(sizes, n, 1, |first, rows| {
            for (r, row) in rows.chunks_mut(n).enumerate() {
                let line = &s[(first + r) * n..][..n];
                for (o, v) in row.iter_mut().zip(line.iter().rev()) {
                    *o = *v;
                }
            }
        });
    }
    // Otherwise move whole blocks of `inner` elements: block i of each group goes to n-1-i.
    output::<T>(sizes, inner, 1, |first, rows| {
        for (r, row) in rows.chunks_mut(inner).enumerate() {
            let b = first + r;
            let (g, i) = (b / n, b % n);
            row.copy_from_slice(&s[(g * n + (n - 1 - i)) * inner..][..inner]);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverses_the_chosen_dim() {
        let t = Tensor::from_slice(&[1i32, 2, 3, 4, 5, 6], &[2, 3]).unwrap();
        assert_eq!(flip(&t, 1, "t").unwrap().to_vec::<i32>().unwrap(), vec![3, 2, 1, 6, 5, 4]);
        assert_eq!(flip(&t, 0, "t").unwrap().to_vec::<i32>().unwrap(), vec![4, 5, 6, 1, 2, 3]);
        assert!(flip(&t, 2, "t").is_err());
    }
}
