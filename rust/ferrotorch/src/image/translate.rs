//! image.translate: shifts an image by (x, y) whole pixels (x along the width), same size,
//! vacated pixels 0 (Torch7's `translate`). Any element type: it only moves values.

use super::{output, planes, Input};
use crate::{with_dtype, Element, Result, Tensor};

/// `image.translate(src, x, y)`: `out[.., j + y, i + x] = src[.., j, i]` where inside.
pub fn translate(src: &Tensor, x: i64, y: i64) -> Result<Tensor> {
    planes(src, "image.translate")?;
    if src.dtype() == crate::DType::Half {
        return Err(crate::dtype::half_math_error("image.translate"));
    }
    with_dtype!(src.dtype(), T, translate_t::<T>(src, x, y))
}

fn translate_t<T: Element>(src: &Tensor, x: i64, y: i64) -> Result<Tensor> {
    let (_, h, w) = planes(src, "image.translate")?;
    let input = Input::<T>::of(src)?;
    let s = input.slice();
    // The output columns [c0, c1) come from source columns [c0 - x, c1 - x).
    let (wi, hi) = (w as i64, h as i64);
    let (c0, c1) = (x.clamp(0, wi) as usize, (wi + x).clamp(0, wi) as usize);
    output::<T>(src.sizes(), w, 1, |first, rows| {
        for (r, row) in rows.chunks_mut(w).enumerate() {
            let (k, j) = ((first + r) / h, ((first + r) % h) as i64);
            let sj = j - y;
            if sj < 0 || sj >= hi || c0 >= c1 {
                continue; // stays 0
            }
            let line = &s[(k * h + sj as usize) * w..][..w];
            let from = (c0 as i64 - x) as usize;
            row[c0..c1].copy_from_slice(&line[from..from + (c1 - c0)]);
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_right_and_down() {
        let t = Tensor::from_slice(&[1u8, 2, 3, 4], &[2, 2]).unwrap();
        let got = translate(&t, 1, 1).unwrap().to_vec::<u8>().unwrap();
        assert_eq!(got, vec![0, 0, 0, 1]);
        let got = translate(&t, -1, 0).unwrap().to_vec::<u8>().unwrap();
        assert_eq!(got, vec![2, 0, 4, 0]);
        let got = translate(&t, 5, 0).unwrap().to_vec::<u8>().unwrap();
        assert_eq!(got, vec![0, 0, 0, 0]);
    }
}
