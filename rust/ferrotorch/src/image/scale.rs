//! image.scale: Torch7's separable resampling (rows first into a (H_src, W_dst) temporary,
//! then columns), 'bilinear' (`scaleLinear_rowcol`: linear interpolation between samples when
//! enlarging, an area average when shrinking), 'bicubic' (`scaleCubic_rowcol`) and 'simple'
//! (nearest sample, `scaleSimple`). Each 1-D pass is a plan of one recipe per output index,
//! applied along rows and, vectorised across a row, down columns; the recipes keep the C
//! code's `float` positions, weights and area accumulators so that results match Torch7's.

use super::{check, output, planes, samples, Input, Pixel, Sample};
use crate::{Result, Tensor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleMode {
    Bilinear,
    Bicubic,
    Simple,
}

/// How one output sample is made from the input line.
#[derive(Clone, Debug)]
enum Recipe {
    Copy(usize),
    /// `(1 - f) * s[i] + f * s[i + 1]` with the float weight f.
    Lerp(usize, f32),
    /// The area average of a shrink: float accumulator and count, as in the C code.
    Area {
        i0: usize,
        w0: f32,
        end: usize,
        last: Option<(usize, f32)>,
        n: f32,
    },
    /// Catmull-Rom through s[i-1], s[i], s[i+1], s[i+2] (ends extrapolated linearly) at x.
    Cubic(usize, f32),
}

fn linear_plan(src_len: usize, dst_len: usize) -> Vec<Recipe> {
    use std::cmp::Ordering::*;
    match dst_len.cmp(&src_len) {
        Equal => (0..dst_len).map(Recipe::Copy).collect(),
        Greater => {
            let mut plan = Vec::with_capacity(dst_len);
            let scale = (src_len - 1) as f32 / (dst_len - 1) as f32;
            for di in 0..dst_len - 1 {
                if src_len == 1 {
                    plan.push(Recipe::Copy(0));
                } else {
                    let si_f = di as f32 * scale;
                    let si_i = si_f as usize;
                    // (Float rounding could reach the last sample; C read past it.)
                    plan.push(if si_i + 1 < src_len {
                        Recipe::Lerp(si_i, si_f - si_i as f32)
                    } else {
                        Recipe::Copy(src_len - 1)
                    });
                }
            }
            plan.push(Recipe::Copy(src_len - 1));
            plan
        }
        Less => {
            let scale = src_len as f32 / dst_len as f32;
            let (mut si0_i, mut si0_f) = (0usize, 0f32);
            (0..dst_len)
                .map(|di| {
                    let s = (di + 1) as f32 * scale;
                    let si1_i = s as usize;
                    let si1_f = s - si1_i as f32;
                    let mut n = 1.0 - si0_f;
                    for _ in si0_i + 1..si1_i {
                        n += 1.0;
                    }
                    let last = (si1_i < src_len).then(|| {
                        n += si1_f;
                        (si1_i, si1_f)
                    });
                    let r = Recipe::Area {
                        i0: si0_i.min(src_len - 1),
                        w0: 1.0 - si0_f,
                        end: si1_i.min(src_len),
                        last,
                        n,
                    };
                    (si0_i, si0_f) = (si1_i, si1_f);
                    r
                })
                .collect()
        }
    }
}

fn cubic_plan(src_len: usize, dst_len: usize) -> Vec<Recipe> {
    if dst_len == src_len || src_len == 1 {
        // Torch7 left the last sample of a 1-pixel source unwritten; it is the pixel here.
        return (0..dst_len).map(|i| Recipe::Copy(i.min(src_len - 1))).collect();
    }
    let scale = if dst_len == 1 { (src_len - 1) as f32 } else { (src_len - 1) as f32 / (dst_len - 1) as f32 };
    let mut plan: Vec<Recipe> = (0..dst_len - 1)
        .map(|di| {
            let si_f = di as f32 * scale;
            let si_i = si_f as usize;
            if si_i + 1 < src_len {
                Recipe::Cubic(si_i, si_f - si_i as f32)
            } else {
                Recipe::Copy(src_len - 1)
            }
        })
        .collect();
    plan.push(Recipe::Copy(src_len - 1));
    plan
}

impl Recipe {
    /// The output sample, reading the input line through `s` (of length `len`); the
    /// arithmetic is in the C code's `temp_t` (`T::Acc`).
    #[inline(always)]
    fn apply<T: Sample>(&self, len: usize, s: impl Fn(usize) -> T) -> T {
        let of = <T::Acc as crate::nn::transfer::real::Real>::of;
        let a = |i: usize| s(i).acc();
        match *self {
            Recipe::Copy(i) => s(i),
            Recipe::Lerp(i, f) => T::store(of((1.0 - f) as f64) * a(i) + of(f as f64) * a(i + 1)),
            Recipe::Area { i0, w0, end, last, n } => {
                // `float acc`: every partial sum is rounded to float, as in the C code.
                let mut acc = (of(w0 as f64) * a(i0)).f() as f32;
                for si in i0 + 1..end {
                    acc = (acc as f64 + a(si).f()) as f32;
                }
                if let Some((i, w)) = last {
                    acc = (acc as f64 + (of(w as f64) * a(i)).f()) as f32;
                }
                T::store(of((acc / n) as f64))
            }
            Recipe::Cubic(i, x) => {
                let p1 = a(i);
                let p2 = a(i + 1);
                let two = of(2.0);
                let p0 = if i > 0 { a(i - 1) } else { two * p1 - p2 };
                let p3 = if i + 2 < len { a(i + 2) } else { two * p2 - p1 };
                let x = of(x as f64);
                let a0 = p1;
                let a1 = p2 - p0;
                let a2 = two * p0 - of(5.0) * p1 + of(4.0) * p2 - p3;
                let a3 = of(3.0) * (p1 - p2) + p3 - p0;
                // `0.5 * x * (...)`: 0.5 is a C double, so that product is in double.
                T::store(of(a0.f() + 0.5 * x.f() * (a1 + x * (a2 + x * a3)).f()))
            }
        }
    }
}

/// `image.scale(src, width, height, mode)`: a new (H, W) / (C, H, W) image of `height` x
/// `width` (both at least 1).
pub fn scale(src: &Tensor, width: usize, height: usize, mode: ScaleMode) -> Result<Tensor> {
    const WHAT: &str = "image.scale";
    let (_, h, w) = planes(src, WHAT)?;
    check(width > 0 && height > 0, WHAT, || {
        format!("the output size {width}x{height} (WxH) must be at least 1x1")
    })?;
    check(h > 0 && w > 0, WHAT, || format!("the input image of {w}x{h} (WxH) is empty"))?;
    samples!(WHAT, src, scale_t(src, width, height, mode))
}

fn out_sizes(src: &Tensor, width: usize, height: usize) -> Vec<usize> {
    let mut sizes = src.sizes().to_vec();
    let n = sizes.len();
    sizes[n - 2] = height;
    sizes[n - 1] = width;
    sizes
}

fn scale_t<T: Sample>(src: &Tensor, width: usize, height: usize, mode: ScaleMode) -> Result<Tensor> {
    let (depth, h, w) = planes(src, "image.scale")?;
    let input = Input::<T>::of(src)?;
    let x = input.slice();
    let sizes = out_sizes(src, width, height);
    if mode == ScaleMode::Simple {
        // scaleSimple: the nearest sample at floor(i * src/dst) in float, through `float val`.
        let (scx, scy) = (w as f32 / width as f32, h as f32 / height as f32);
        let cols: Vec<usize> = (0..width).map(|i| ((i as f32 * scx) as usize).min(w - 1)).collect();
        return output::<T>(&sizes, width, 1, |first, rows| {
            for (r, row) in rows.chunks_mut(width).enumerate() {
                let (k, j) = ((first + r) / height, (first + r) % height);
                let jj = ((j as f32 * scy) as usize).min(h - 1);
                let line = &x[(k * h + jj) * w..][..w];
                for (o, &ii) in row.iter_mut().zip(&cols) {
                    *o = T::store(T::Acc::via_f32(line[ii].acc().f()));
                }
            }
        });
    }
    let plan = |a, b| if mode == ScaleMode::Bicubic { cubic_plan(a, b) } else { linear_plan(a, b) };
    let (row_plan, col_plan) = (plan(w, width), plan(h, height));
    // Rows first: (depth, h, width).
    let tmp_t = output::<T>(&[depth, h, width], width, w.div_ceil(width).max(4), |first, rows| {
        for (r, row) in rows.chunks_mut(width).enumerate() {
            let line = &x[(first + r) * w..][..w];
            for (o, recipe) in row.iter_mut().zip(&row_plan) {
                *o = recipe.apply(w, |i| line[i]);
            }
        }
    })?;
    let tmp_in = Input::<T>::of(&tmp_t)?;
    let tmp = tmp_in.slice();
    // Then columns, a whole output row at a time.
    output::<T>(&sizes, width, h.div_ceil(height).max(4), |first, rows| {
        for (r, row) in rows.chunks_mut(width).enumerate() {
            let (k, di) = ((first + r) / height, (first + r) % height);
            let plane = &tmp[k * h * width..][..h * width];
            let line = |i: usize| &plane[i * width..][..width];
            match col_plan[di] {
                // The common cases as plain row loops (the same arithmetic as `apply`).
                Recipe::Copy(i) => row.copy_from_slice(line(i)),
                Recipe::Lerp(i, f) => {
                    let of = <T::Acc as crate::nn::transfer::real::Real>::of;
                    let (w0, w1) = (of((1.0 - f) as f64), of(f as f64));
                    for ((o, a), b) in row.iter_mut().zip(line(i)).zip(line(i + 1)) {
                        *o = T::store(w0 * a.acc() + w1 * b.acc());
                    }
                }
                ref recipe => {
                    for (xi, o) in row.iter_mut().enumerate() {
                        *o = recipe.apply(h, |i| plane[i * width + xi]);
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_size_is_a_copy() {
        let v: Vec<f64> = (0..12).map(|i| i as f64 * 0.1).collect();
        let t = Tensor::from_slice(&v, &[3, 4]).unwrap();
        for mode in [ScaleMode::Bilinear, ScaleMode::Bicubic] {
            assert_eq!(scale(&t, 4, 3, mode).unwrap().to_vec::<f64>().unwrap(), v);
        }
    }

    #[test]
    fn enlarging_a_line_interpolates_linearly() {
        let t = Tensor::from_slice(&[0.0f64, 1.0], &[1, 2]).unwrap();
        let got = scale(&t, 5, 1, ScaleMode::Bilinear).unwrap().to_vec::<f64>().unwrap();
        assert_eq!(got, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    }

    #[test]
    fn shrinking_averages_areas() {
        let t = Tensor::from_slice(&[1.0f64, 3.0, 5.0, 7.0], &[1, 4]).unwrap();
        let got = scale(&t, 2, 1, ScaleMode::Bilinear).unwrap().to_vec::<f64>().unwrap();
        assert_eq!(got, vec![2.0, 6.0]);
    }

    #[test]
    fn bytes_round_like_torch7() {
        // Torch7's FromIntermediate: + 0.5 and truncate, so 0.5 and 1.5 round up.
        let t = Tensor::from_slice(&[0u8, 1, 2], &[1, 3]).unwrap();
        let got = scale(&t, 5, 1, ScaleMode::Bilinear).unwrap().to_vec::<u8>().unwrap();
        assert_eq!(got, vec![0, 1, 1, 2, 2]);
    }

    #[test]
    fn bad_sizes_are_errors() {
        let t = Tensor::zeros(crate::DType::Double, &[2, 2, 2, 2]).unwrap();
        assert!(scale(&t, 2, 2, ScaleMode::Simple).is_err());
        let b = Tensor::zeros(crate::DType::Int, &[2, 2]).unwrap();
        assert!(scale(&b, 2, 2, ScaleMode::Simple).is_err());
    }
}
