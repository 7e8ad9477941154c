//! image.rotate: rotation by theta radians about the image centre ((W-1)/2, (H-1)/2), same
//! size, pixels from outside the source set to 0; 'simple' takes the nearest source pixel
//! (`rotate`), 'bilinear' interpolates (`rotateBilinear`, nearest on the border half-pixel).
//! The positions follow Torch7's float/double mix and the value goes through a C `float`.

use super::{output, planes, samples, Input, Pixel, Sample};
use crate::{Result, Tensor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RotateMode {
    Simple,
    Bilinear,
}

/// `image.rotate(src, theta, mode)`: a new image of the input's size.
pub fn rotate(src: &Tensor, theta: f64, mode: RotateMode) -> Result<Tensor> {
    const WHAT: &str = "image.rotate";
    planes(src, WHAT)?;
    samples!(WHAT, src, rotate_t(src, theta, mode))
}

fn rotate_t<T: Sample>(src: &Tensor, theta: f64, mode: RotateMode) -> Result<Tensor> {
    let (_, h, w) = planes(src, "image.rotate")?;
    let input = Input::<T>::of(src)?;
    let x = input.slice();
    let theta = theta as f32; // `float theta = luaL_checknumber(...)`
    let (xc, yc) = (((w as f64 - 1.0) / 2.0) as f32, ((h as f64 - 1.0) / 2.0) as f32);
    let plane = h * w;
    match mode {
        RotateMode::Simple => {
            let (sin_t, cos_t) = ((theta as f64).sin() as f32, (theta as f64).cos() as f32);
            // Source pixel of each output pixel (None: outside), shared by all channels.
            let map: Vec<Option<usize>> = (0..plane)
                .map(|p| {
                    let (jd, id) = ((p / w) as f32, (p % w) as f32);
                    let ii = (cos_t * (id - xc) - sin_t * (jd - yc) + xc) as f64;
                    let jj = (cos_t * (jd - yc) + sin_t * (id - xc) + yc) as f64;
                    let (ii, jj) = (ii.round() as i64, jj.round() as i64);
                    let inside = ii >= 0 && jj >= 0 && ii < w as i64 && jj < h as i64;
                    inside.then(|| jj as usize * w + ii as usize)
                })
                .collect();
            output::<T>(src.sizes(), w, 2, |first, rows| {
                for (r, row) in rows.chunks_mut(w).enumerate() {
                    let (k, j) = ((first + r) / h, (first + r) % h);
                    let (src_plane, m) = (&x[k * plane..][..plane], &map[j * w..][..w]);
                    for (o, s) in row.iter_mut().zip(m) {
                        *o = s.map_or(T::default(), |s| T::store(T::Acc::via_f32(src_plane[s].acc().f())));
                    }
                }
            })
        }
        RotateMode::Bilinear => {
            let (sin_d, cos_d) = ((theta as f64).sin(), (theta as f64).cos());
            let of = <T::Acc as crate::nn::transfer::real::Real>::of;
            let (xc_t, yc_t) = (of(xc as f64), of(yc as f64));
            // Per output pixel: the four source offsets and weights, or None (value 0).
            type Taps<A> = Option<([usize; 4], A, A)>;
            let map: Vec<Taps<T::Acc>> = (0..plane)
                .map(|p| {
                    let (jd, id) = ((p / w) as f32, (p % w) as f32);
                    let ri = of(cos_d * (id - xc) as f64 - sin_d * (jd - yc) as f64);
                    let rj = of(cos_d * (jd - yc) as f64 + sin_d * (id - xc) as f64);
                    let (pi, pj) = (ri + xc_t, rj + yc_t);
                    let (mut i0, mut j0) = (pi.f().floor() as i64, pj.f().floor() as i64);
                    let (mut i1, mut j1) = (i0 + 1, j0 + 1);
                    let (wi, wj) = (pi - of(i0 as f64), pj - of(j0 as f64));
                    let (wd, hd) = (w as i64, h as i64);
                    let half = of(0.5);
                    let mut blank = false;
                    if i1 == wd && wi < half {
                        i1 = i0;
                    } else if i1 >= wd {
                        blank = true;
                    }
                    if j1 == hd && wj < half {
                        j1 = j0;
                    } else if j1 >= hd {
                        blank = true;
                    }
                    if i0 == -1 && wi > half {
                        i0 = i1;
                    } else if i0 < 0 {
                        blank = true;
                    }
                    if j0 == -1 && wj > half {
                        j0 = j1;
                    } else if j0 < 0 {
                        blank = true;
                    }
                    // Torch7 skips the reads of a blank pixel; also guard indices it fixed up.
                    let ok = |i: i64, j: i64| i >= 0 && j >= 0 && i < wd && j < hd;
                    if blank || !(ok(i0, j0) && ok(i1, j1)) {
                        return None;
                    }
                    let at = |i: i64, j: i64| j as usize * w + i as usize;
                    Some(([at(i0, j0), at(i1, j0), at(i0, j1), at(i1, j1)], wi, wj))
                })
                .collect();
            output::<T>(src.sizes(), w, 8, |first, rows| {
                for (r, row) in rows.chunks_mut(w).enumerate() {
                    let (k, j) = ((first + r) / h, (first + r) % h);
                    let (s, m) = (&x[k * plane..][..plane], &map[j * w..][..w]);
                    for (o, taps) in row.iter_mut().zip(m) {
                        *o = match taps {
                            None => T::default(),
                            Some(([a, b, c, d], wi, wj)) => {
                                // C: `float val = (1.0 - wi) * (1.0 - wj) * src[...] + ...`,
                                // evaluated in double.
                                let (wi, wj) = (wi.f(), wj.f());
                                let p = |i: usize| s[i].acc().f();
                                let v = (1.0 - wi) * (1.0 - wj) * p(*a)
                                    + wi * (1.0 - wj) * p(*b)
                                    + (1.0 - wi) * wj * p(*c)
                                    + wi * wj * p(*d);
                                T::store(T::Acc::via_f32(v))
                            }
                        };
                    }
                }
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_angle_is_identity_through_float() {
        let v: Vec<f64> = (0..12).map(|i| i as f64 / 12.0).collect();
        let t = Tensor::from_slice(&v, &[3, 4]).unwrap();
        let got = rotate(&t, 0.0, RotateMode::Simple).unwrap().to_vec::<f64>().unwrap();
        let want: Vec<f64> = v.iter().map(|x| *x as f32 as f64).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn half_turn_reverses() {
        let v: Vec<f32> = (0..9).map(|i| i as f32).collect();
        let t = Tensor::from_slice(&v, &[3, 3]).unwrap();
        let got = rotate(&t, std::f64::consts::PI, RotateMode::Simple).unwrap().to_vec::<f32>().unwrap();
        let want: Vec<f32> = v.iter().rev().copied().collect();
        assert_eq!(got, want);
    }
}
