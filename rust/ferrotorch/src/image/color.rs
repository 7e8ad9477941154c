//! Colour-space conversions of (3, H, W) images, per pixel, as Torch7's image package computed
//! them: rgb2yuv / yuv2rgb (its Lua tensor adds, coefficients in the image's type), rgb2y,
//! rgb2hsv / hsv2rgb, rgb2hsl / hsl2rgb, rgb2lab / lab2rgb (its C loops, where literals such as
//! `0.299` or `6.` are doubles, so float images get some double steps; kept here).

use super::{check, floats, output, planes, Input, Pixel};
use crate::cpu::index::par_range;
use crate::nn::transfer::real::Data;
use crate::{Result, Tensor};

fn three_planes(src: &Tensor, what: &str) -> Result<(usize, usize)> {
    let (c, h, w) = planes(src, what)?;
    check(src.ndim() == 3 && c == 3, what, || {
        format!("expected a 3xHxW image, got size {}", crate::layout::size_string(src.sizes()))
    })?;
    Ok((h, w))
}

/// A new (3, H, W) image with `f(r, g, b)` per pixel of `src`.
fn per_pixel<T: Pixel>(src: &Tensor, what: &str, f: impl Fn(T, T, T) -> [T; 3] + Sync) -> Result<Tensor> {
    let (h, w) = three_planes(src, what)?;
    let input = Input::<T>::of(src)?;
    let s = input.slice();
    let n = h * w;
    let out = Tensor::zeros(T::DTYPE, src.sizes())?;
    if n == 0 {
        return Ok(out);
    }
    let data = Data::<T>::of(&out)?;
    let ptr = data.ptr;
    par_range(n, 16, |r| {
        // SAFETY: `out` is new and held by `data`; each call gets a distinct pixel range r of
        // 0..n and writes element p of each of the 3 planes for p in r only: disjoint slices.
        let [o0, o1, o2] =
            [0, 1, 2].map(|c| unsafe { std::slice::from_raw_parts_mut(ptr.at(c * n + r.start), r.len()) });
        let (a, b, c) = (&s[r.clone()], &s[n + r.start..n + r.end], &s[2 * n + r.start..2 * n + r.end]);
        for i in 0..r.len() {
            let [x, y, z] = f(a[i], b[i], c[i]);
            (o0[i], o1[i], o2[i]) = (x, y, z);
        }
    });
    drop(data);
    Ok(out)
}

macro_rules! conversion {
    ($(#[$doc:meta])* $name:ident, $what:literal, $kernel:ident) => {
        $(#[$doc])*
        pub fn $name(src: &Tensor) -> Result<Tensor> {
            three_planes(src, $what)?;
            fn run<T: Pixel>(src: &Tensor) -> Result<Tensor> {
                per_pixel::<T>(src, $what, $kernel::<T>)
            }
            floats!($what, src, run(src))
        }
    };
}

conversion!(
    /// Y = .299R + .587G + .114B, U = -.14713R - .28886G + .436B, V = .615R - .51499G - .10001B.
    rgb2yuv, "image.rgb2yuv", rgb2yuv_px
);
conversion!(
    /// R = Y + 1.13983V, G = Y - .39465U - .5806V, B = Y + 2.03211U.
    yuv2rgb, "image.yuv2rgb", yuv2rgb_px
);
conversion!(
    /// Hue, saturation, value, each in [0, 1].
    rgb2hsv, "image.rgb2hsv", rgb2hsv_px
);
conversion!(
    /// The inverse of rgb2hsv.
    hsv2rgb, "image.hsv2rgb", hsv2rgb_px
);
conversion!(
    /// Hue, saturation, lightness, each in [0, 1].
    rgb2hsl, "image.rgb2hsl", rgb2hsl_px
);
conversion!(
    /// The inverse of rgb2hsl.
    hsl2rgb, "image.hsl2rgb", hsl2rgb_px
);
conversion!(
    /// sRGB in [0, 1] to CIE L*a*b* (D65 white).
    rgb2lab, "image.rgb2lab", rgb2lab_px
);
conversion!(
    /// CIE L*a*b* (D65) to sRGB.
    lab2rgb, "image.lab2rgb", lab2rgb_px
);

/// `image.rgb2y`: the (1, H, W) luma `0.299R + 0.587G + 0.114B` (C, in double).
pub fn rgb2y(src: &Tensor) -> Result<Tensor> {
    const WHAT: &str = "image.rgb2y";
    three_planes(src, WHAT)?;
    floats!(WHAT, src, rgb2y_t(src))
}

fn rgb2y_t<T: Pixel>(src: &Tensor) -> Result<Tensor> {
    let (h, w) = three_planes(src, "image.rgb2y")?;
    let input = Input::<T>::of(src)?;
    let s = input.slice();
    let n = h * w;
    output::<T>(&[1, h, w], w, 4, |first, rows| {
        let p0 = first * w;
        for (i, o) in rows.iter_mut().enumerate() {
            let p = p0 + i;
            *o = T::of(0.299 * s[p].f() + 0.587 * s[n + p].f() + 0.114 * s[2 * n + p].f());
        }
    })
}

// Torch7's rgb2yuv: `y:zero():add(0.299, r):add(0.587, g):add(0.114, b)`, in the tensor type.
#[inline(always)]
fn rgb2yuv_px<T: Pixel>(r: T, g: T, b: T) -> [T; 3] {
    let c = T::of;
    let dot = |k: [f64; 3]| T::ZERO + c(k[0]) * r + c(k[1]) * g + c(k[2]) * b;
    [dot([0.299, 0.587, 0.114]), dot([-0.14713, -0.28886, 0.436]), dot([0.615, -0.51499, -0.10001])]
}

#[inline(always)]
fn yuv2rgb_px<T: Pixel>(y: T, u: T, v: T) -> [T; 3] {
    let c = T::of;
    [y + c(1.13983) * v, y + c(-0.39465) * u + c(-0.58060) * v, y + c(2.03211) * u]
}

/// Max, min and the hue numerator shared by rgb2hsv and rgb2hsl (temp_t = the image's type).
#[inline(always)]
fn hue<T: Pixel>(r: T, g: T, b: T) -> Option<(T, T, T)> {
    let mx = if r > g { r } else { g };
    let mx = if mx > b { mx } else { b };
    let mn = if r < g { r } else { g };
    let mn = if mn < b { mn } else { b };
    if mx == mn {
        return None;
    }
    let d = mx - mn;
    let h = if mx == r {
        (g - b) / d + T::of(if g < b { 6.0 } else { 0.0 })
    } else if mx == g {
        (b - r) / d + T::of(2.0)
    } else {
        (r - g) / d + T::of(4.0)
    };
    Some((h / T::of(6.0), mx, mn))
}

#[inline(always)]
fn rgb2hsv_px<T: Pixel>(r: T, g: T, b: T) -> [T; 3] {
    match hue(r, g, b) {
        None => {
            let mx = if r > g { r } else { g };
            [T::ZERO, T::ZERO, if mx > b { mx } else { b }]
        }
        Some((h, mx, mn)) => [h, (mx - mn) / mx, mx],
    }
}

#[inline(always)]
fn hsv2rgb_px<T: Pixel>(h: T, s: T, v: T) -> [T; 3] {
    let i = (h.f() * 6.0).floor() as i32;
    let f = h * T::of(6.0) - T::of(i as f64);
    let one = T::ONE;
    let p = v * (one - s);
    let q = v * (one - f * s);
    let t = v * (one - (one - f) * s);
    match i % 6 {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        5 => [v, p, q],
        _ => [T::ZERO; 3],
    }
}

#[inline(always)]
fn rgb2hsl_px<T: Pixel>(r: T, g: T, b: T) -> [T; 3] {
    match hue(r, g, b) {
        None => {
            let mx = if r > g { r } else { g };
            [T::ZERO, T::ZERO, if mx > b { mx } else { b }]
        }
        Some((h, mx, mn)) => {
            let d = mx - mn;
            let l = (mx + mn) / T::of(2.0);
            let s = if l.f() > 0.5 { d / (T::of(2.0) - mx - mn) } else { d / (mx + mn) };
            [h, s, l]
        }
    }
}

/// C's hue2rgb: temp_t arguments, double literals.
#[inline(always)]
fn hue2rgb<T: Pixel>(p: T, q: T, t: T) -> T {
    let mut t = t;
    if t.f() < 0.0 {
        t = t + T::ONE;
    }
    if t.f() > 1.0 {
        t = t - T::ONE;
    }
    let (pf, tf) = (p.f(), t.f());
    if tf < 1.0 / 6.0 {
        T::of(pf + (q - p).f() * 6.0 * tf)
    } else if tf < 1.0 / 2.0 {
        q
    } else if tf < 2.0 / 3.0 {
        T::of(pf + (q - p).f() * (2.0 / 3.0 - tf) * 6.0)
    } else {
        p
    }
}

#[inline(always)]
fn hsl2rgb_px<T: Pixel>(h: T, s: T, l: T) -> [T; 3] {
    if s == T::ZERO {
        return [l, l, l];
    }
    let one = T::ONE;
    let q = if l.f() < 0.5 { l * (one + s) } else { l + s - l * s };
    let p = T::of(2.0) * l - q;
    let (hr, hb) = (T::of(h.f() + 1.0 / 3.0), T::of(h.f() - 1.0 / 3.0));
    [hue2rgb(p, q, hr), hue2rgb(p, q, h), hue2rgb(p, q, hb)]
}

const EPSILON: f64 = 216.0 / 24389.0;
const KAPPA: f64 = 24389.0 / 27.0;
const XN: f64 = 0.950456;
const ZN: f64 = 1.088754;

#[inline(always)]
fn expand_srgb<T: Pixel>(c: T) -> T {
    let c = c.f();
    T::of(if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) })
}

#[inline(always)]
fn compress_srgb<T: Pixel>(c: T) -> T {
    let c = c.f();
    T::of(if c <= 0.0031308 { 12.92 * c } else { 1.055 * c.powf(1.0 / 2.4) - 0.055 })
}

#[inline(always)]
fn rgb2lab_px<T: Pixel>(r: T, g: T, b: T) -> [T; 3] {
    let (r, g, b) = (expand_srgb(r).f(), expand_srgb(g).f(), expand_srgb(b).f());
    let x = (0.412453 * r + 0.357580 * g + 0.180423 * b) / XN;
    let y = 0.212671 * r + 0.715160 * g + 0.072169 * b;
    let z = (0.019334 * r + 0.119193 * g + 0.950227 * b) / ZN;
    let f = |t: f64| if t > EPSILON { t.powf(1.0 / 3.0) } else { (KAPPA * t + 16.0) / 116.0 };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [T::of(116.0 * fy - 16.0), T::of(500.0 * (fx - fy)), T::of(200.0 * (fy - fz))]
}

#[inline(always)]
fn lab2rgb_px<T: Pixel>(l: T, a: T, b: T) -> [T; 3] {
    let c = T::of;
    let fy_t = (l + c(16.0)) / c(116.0);
    let fy = fy_t.f();
    let fz = fy - (b / c(200.0)).f();
    let fx = (a / c(500.0)).f() + fy;
    let mut x = fx.powf(3.0);
    if x <= EPSILON {
        x = (116.0 * fx - 16.0) / KAPPA;
    }
    let y = if l.f() > KAPPA * EPSILON { fy_t.f().powf(3.0) } else { l.f() / KAPPA };
    let mut z = fz.powf(3.0);
    if z <= EPSILON {
        z = (116.0 * fz - 16.0) / KAPPA;
    }
    let (x, z) = (x * XN, z * ZN);
    let r = c(3.2404542 * x - 1.5371385 * y - 0.4985314 * z);
    let g = c(-0.9692660 * x + 1.8760108 * y + 0.0415560 * z);
    let bl = c(0.0556434 * x - 0.2040259 * y + 1.0572252 * z);
    [compress_srgb(r), compress_srgb(g), compress_srgb(bl)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsv_round_trip() {
        let v = [0.2f64, 0.9, 0.5, 0.4, 0.1, 0.5, 0.7, 0.3, 0.5];
        let t = Tensor::from_slice(&v, &[3, 1, 3]).unwrap();
        let back = hsv2rgb(&rgb2hsv(&t).unwrap()).unwrap().to_vec::<f64>().unwrap();
        for (a, b) in back.iter().zip(v) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn needs_three_channels() {
        let t = Tensor::zeros(crate::DType::Double, &[2, 2, 2]).unwrap();
        assert!(rgb2yuv(&t).is_err());
    }
}
