//! Local normalizations over (C, H, W) / (B, C, H, W) inputs: Torch7's
//! SpatialSubtractiveNormalization and SpatialDivisiveNormalization (the two halves of
//! SpatialContrastiveNormalization) and SpatialCrossMapLRN.
//!
//! Torch7 built the local mean / std estimators out of modules (zero padding, a convolution
//! summing every plane, Replicate). The estimator is linear and the same for every plane, so
//! here the planes are summed first and the sum is filtered once: a "same"-size cross-correlation
//! with zero padding, in two 1-D passes when the kernel is 1-D (Torch7's separable case). The
//! backward pass applies the filter's adjoint (the flipped kernel). `coef`, the filter applied
//! to an all-ones input (Torch7's border correction), depends only on (H, W) and is computed by
//! its own function so the caller can cache it per input size, as Torch7 did.

use super::spatial_io::{check_grad_output, float_dispatch, for_each_item, read, Float, Out};
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

/// The averaging kernel: 2-D (kh × kw) or 1-D (applied along rows, then along columns).
struct Filter<T> {
    k: Vec<T>,
    kh: usize,
    kw: usize,
    separable: bool,
}

impl<T: Float> Filter<T> {
    fn of(kernel: &Tensor, what: &str) -> Result<Filter<T>> {
        let (kh, kw, separable) = match kernel.sizes() {
            [n] => (*n, *n, true),
            [h, w] => (*h, *w, false),
            s => {
                return Err(Error::Value(format!(
                    "{what}: averaging kernel must be 2D or 1D, got size {}",
                    size_string(s)
                )))
            }
        };
        if kh % 2 == 0 || kw % 2 == 0 {
            return Err(Error::Value(format!(
                "{what}: averaging kernel must have ODD dimensions, got size {}",
                size_string(kernel.sizes())
            )));
        }
        Ok(Filter { k: kernel.to_vec::<T>()?, kh, kw, separable })
    }

    /// `dst = K ⋆ src` over an h × w plane, same size, zero outside; `adjoint` flips the kernel
    /// (the transpose of the forward map, for backward). `tmp` is scratch of h·w elements.
    fn apply(&self, src: &[T], h: usize, w: usize, adjoint: bool, dst: &mut [T], tmp: &mut [T]) {
        if self.separable {
            let n = self.kh;
            let tap = |i: usize| if adjoint { self.k[n - 1 - i] } else { self.k[i] };
            tmp.fill(T::ZERO);
            for y in 0..h {
                let (s, t) = (&src[y * w..(y + 1) * w], &mut tmp[y * w..(y + 1) * w]);
                for j in 0..n {
                    row_axpy(t, s, tap(j), j as isize - (n / 2) as isize);
                }
            }
            dst.fill(T::ZERO);
            for y in 0..h {
                for i in 0..n {
                    let sy = y as isize + i as isize - (n / 2) as isize;
                    if sy < 0 || sy >= h as isize {
                        continue;
                    }
                    let sy = sy as usize;
                    let (d, s) = (&mut dst[y * w..(y + 1) * w], &tmp[sy * w..(sy + 1) * w]);
                    let c = tap(i);
                    for (d, s) in d.iter_mut().zip(s) {
                        *d = *d + c * *s;
                    }
                }
            }
            return;
        }
        let (kh, kw) = (self.kh, self.kw);
        dst.fill(T::ZERO);
        for y in 0..h {
            for i in 0..kh {
                let sy = y as isize + i as isize - (kh / 2) as isize;
                if sy < 0 || sy >= h as isize {
                    continue;
                }
                let sy = sy as usize;
                let (d, s) = (&mut dst[y * w..(y + 1) * w], &src[sy * w..(sy + 1) * w]);
                for j in 0..kw {
                    let c = if adjoint { self.k[(kh - 1 - i) * kw + kw - 1 - j] } else { self.k[i * kw + j] };
                    row_axpy(d, s, c, j as isize - (kw / 2) as isize);
                }
            }
        }
    }
}

/// `d[x] += c · s[x + dx]` wherever `x + dx` is inside the row.
#[inline(always)]
fn row_axpy<T: Float>(d: &mut [T], s: &[T], c: T, dx: isize) {
    let w = d.len() as isize;
    let (lo, hi) = ((-dx).max(0), (w - dx).min(w));
    if lo >= hi {
        return;
    }
    let (lo, hi) = (lo as usize, hi as usize);
    let src = &s[(lo as isize + dx) as usize..(hi as isize + dx) as usize];
    for (d, s) in d[lo..hi].iter_mut().zip(src) {
        *d = *d + c * *s;
    }
}

/// (B, C, H, W) of a (C, H, W) or (B, C, H, W) input with C planes.
fn planes(input: &Tensor, n_planes: usize, what: &str) -> Result<(usize, usize, usize, usize)> {
    let (b, c, h, w) = match *input.sizes() {
        [c, h, w] => (1, c, h, w),
        [b, c, h, w] => (b, c, h, w),
        _ => {
            return Err(Error::Value(format!(
                "{what}: expected a 3D (nInputPlane x H x W) or 4D (batch x nInputPlane x H x W) \
                 input, got size {}",
                size_string(input.sizes())
            )))
        }
    };
    if n_planes != 0 && c != n_planes {
        return Err(Error::Value(format!(
            "{what}: expected {n_planes} input planes, got an input of size {}",
            size_string(input.sizes())
        )));
    }
    Ok((b, c, h, w))
}

fn check_coef(coef: &Tensor, h: usize, w: usize, what: &str) -> Result<()> {
    if coef.sizes() != [h, w] {
        return Err(Error::Value(format!(
            "{what}: coef of size {} does not match the input planes {h}x{w} (recompute it)",
            size_string(coef.sizes())
        )));
    }
    Ok(())
}

/// `coef` (H × W, the input's type) = the mean estimator applied to an all-ones input of
/// nInputPlane planes: `nInputPlane · (K ⋆ 1)`, the share of the kernel inside the image.
pub fn spatial_normalization_coef(
    input: &Tensor,
    kernel: &Tensor,
    n_input_plane: usize,
    coef: &mut Tensor,
    what: &str,
) -> Result<()> {
    float_dispatch!(input.dtype(), what, coef_impl(input, kernel, n_input_plane, coef, what))
}

fn coef_impl<T: Float>(
    input: &Tensor,
    kernel: &Tensor,
    n: usize,
    coef: &mut Tensor,
    what: &str,
) -> Result<()> {
    let (_, _, h, w) = planes(input, n, what)?;
    let f = Filter::<T>::of(kernel, what)?;
    let mut out = Out::<T>::new(coef, &[h, w], &[input, kernel])?;
    let ones = vec![T::ONE; h * w];
    let mut tmp = vec![T::ZERO; h * w];
    let dst = out.slice();
    f.apply(&ones, h, w, false, dst, &mut tmp);
    let planes = T::of(n as f64);
    dst.iter_mut().for_each(|v| *v = *v * planes);
    Ok(())
}

/// Σ over the planes of one sample (c planes of hw elements), optionally of the squares.
fn plane_sum<T: Float>(x: &[T], hw: usize, square: bool, dst: &mut [T]) {
    dst.fill(T::ZERO);
    for p in x.chunks(hw) {
        if square {
            dst.iter_mut().zip(p).for_each(|(d, v)| *d = *d + *v * *v);
        } else {
            dst.iter_mut().zip(p).for_each(|(d, v)| *d = *d + *v);
        }
    }
}

/// SpatialSubtractiveNormalization forward: `y_c = x_c − (K ⋆ Σ_c x_c) / coef`.
pub fn spatial_subtractive_normalization_update_output(
    input: &Tensor,
    kernel: &Tensor,
    coef: &Tensor,
    output: &mut Tensor,
    what: &str,
) -> Result<()> {
    float_dispatch!(input.dtype(), what, subtractive_forward(input, kernel, coef, output, what))
}

fn subtractive_forward<T: Float>(
    input: &Tensor,
    kernel: &Tensor,
    coef: &Tensor,
    output: &mut Tensor,
    what: &str,
) -> Result<()> {
    let (_, c, h, w) = planes(input, 0, what)?;
    check_coef(coef, h, w, what)?;
    let f = Filter::<T>::of(kernel, what)?;
    let (x, cf) = (read::<T>(input, what, "input")?, read::<T>(coef, what, "coef")?);
    let (x, cf) = (x.slice(), cf.slice());
    let mut out = Out::<T>::new(output, input.sizes(), &[input])?;
    let hw = h * w;
    for_each_item(out.slice(), c * hw, c * hw + hw * f.kh * f.kw, |b, y| {
        let xb = &x[b * c * hw..(b + 1) * c * hw];
        let (mut s, mut m, mut tmp) = (vec![T::ZERO; hw], vec![T::ZERO; hw], vec![T::ZERO; hw]);
        plane_sum(xb, hw, false, &mut s);
        f.apply(&s, h, w, false, &mut m, &mut tmp);
        m.iter_mut().zip(cf).for_each(|(m, k)| *m = *m / *k);
        for (yp, xp) in y.chunks_mut(hw).zip(xb.chunks(hw)) {
            for ((y, x), m) in yp.iter_mut().zip(xp).zip(&m) {
                *y = *x - *m;
            }
        }
    });
    Ok(())
}

/// SpatialSubtractiveNormalization backward: `gᵢ_c = g_c − Kᵀ ⋆ (Σ_c g_c / coef)`.
pub fn spatial_subtractive_normalization_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    kernel: &Tensor,
    coef: &Tensor,
    grad_input: &mut Tensor,
    what: &str,
) -> Result<()> {
    float_dispatch!(
        input.dtype(),
        what,
        subtractive_backward(input, grad_output, kernel, coef, grad_input, what)
    )
}

fn subtractive_backward<T: Float>(
    input: &Tensor,
    grad_output: &Tensor,
    kernel: &Tensor,
    coef: &Tensor,
    grad_input: &mut Tensor,
    what: &str,
) -> Result<()> {
    let (_, c, h, w) = planes(input, 0, what)?;
    check_coef(coef, h, w, what)?;
    check_grad_output(grad_output, input.sizes(), what)?;
    let f = Filter::<T>::of(kernel, what)?;
    let (g, cf) = (read::<T>(grad_output, what, "gradOutput")?, read::<T>(coef, what, "coef")?);
    let (g, cf) = (g.slice(), cf.slice());
    let mut out = Out::<T>::new(grad_input, input.sizes(), &[grad_output])?;
    let hw = h * w;
    for_each_item(out.slice(), c * hw, c * hw + hw * f.kh * f.kw, |b, gi| {
        let gb = &g[b * c * hw..(b + 1) * c * hw];
        let (mut s, mut u, mut tmp) = (vec![T::ZERO; hw], vec![T::ZERO; hw], vec![T::ZERO; hw]);
        plane_sum(gb, hw, false, &mut s);
        s.iter_mut().zip(cf).for_each(|(s, k)| *s = -*s / *k);
        f.apply(&s, h, w, true, &mut u, &mut tmp);
        for (ip, gp) in gi.chunks_mut(hw).zip(gb.chunks(hw)) {
            for ((i, g), u) in ip.iter_mut().zip(gp).zip(&u) {
                *i = *u + *g;
            }
        }
    });
    Ok(())
}

/// Torch7's Threshold on the adjusted std: values above `threshold` pass, others become
/// `thresval`.
#[inline(always)]
fn thresholded<T: Float>(a: T, threshold: T, thresval: T) -> T {
    if a > threshold {
        a
    } else {
        thresval
    }
}

/// SpatialDivisiveNormalization forward: `s = sqrt(K ⋆ Σ_c x_c²)` (kept in `stds`, B × H × W,
/// for backward), `t = Threshold(s / coef)`, `y_c = x_c / t`.
#[allow(clippy::too_many_arguments)]
pub fn spatial_divisive_normalization_update_output(
    input: &Tensor,
    kernel: &Tensor,
    coef: &Tensor,
    stds: &mut Tensor,
    output: &mut Tensor,
    threshold: f64,
    thresval: f64,
    what: &str,
) -> Result<()> {
    float_dispatch!(
        input.dtype(),
        what,
        divisive_forward(input, kernel, coef, stds, output, threshold, thresval, what)
    )
}

#[allow(clippy::too_many_arguments)]
fn divisive_forward<T: Float>(
    input: &Tensor,
    kernel: &Tensor,
    coef: &Tensor,
    stds: &mut Tensor,
    output: &mut Tensor,
    threshold: f64,
    thresval: f64,
    what: &str,
) -> Result<()> {
    let (b, c, h, w) = planes(input, 0, what)?;
    check_coef(coef, h, w, what)?;
    let f = Filter::<T>::of(kernel, what)?;
    let (x, cf) = (read::<T>(input, what, "input")?, read::<T>(coef, what, "coef")?);
    let (x, cf) = (x.slice(), cf.slice());
    let hw = h * w;
    let mut sd = Out::<T>::new(stds, &[b, h, w], &[input])?;
    let work = c * hw + hw * f.kh * f.kw;
    for_each_item(sd.slice(), hw, work, |bi, s| {
        let (mut q, mut tmp) = (vec![T::ZERO; hw], vec![T::ZERO; hw]);
        plane_sum(&x[bi * c * hw..(bi + 1) * c * hw], hw, true, &mut q);
        f.apply(&q, h, w, false, s, &mut tmp);
        s.iter_mut().for_each(|v| *v = v.sqrt());
    });
    let sd: &[T] = sd.slice();
    let (th, tv) = (T::of(threshold), T::of(thresval));
    let mut out = Out::<T>::new(output, input.sizes(), &[input, &*stds])?;
    for_each_item(out.slice(), c * hw, c * hw, |bi, y| {
        let s = &sd[bi * hw..(bi + 1) * hw];
        let xb = &x[bi * c * hw..(bi + 1) * c * hw];
        let t: Vec<T> = s.iter().zip(cf).map(|(s, k)| thresholded(*s / *k, th, tv)).collect();
        for (yp, xp) in y.chunks_mut(hw).zip(xb.chunks(hw)) {
            for ((y, x), t) in yp.iter_mut().zip(xp).zip(&t) {
                *y = *x / *t;
            }
        }
    });
    Ok(())
}

/// SpatialDivisiveNormalization backward, from the forward's `stds`:
/// `gᵢ_c = g_c / t + 2 x_c · Kᵀ ⋆ [ (Σ_c −g_c x_c / t²) · 1(s/coef > threshold) / coef / (2 s) ]`.
#[allow(clippy::too_many_arguments)]
pub fn spatial_divisive_normalization_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    kernel: &Tensor,
    coef: &Tensor,
    stds: &Tensor,
    grad_input: &mut Tensor,
    threshold: f64,
    thresval: f64,
    what: &str,
) -> Result<()> {
    float_dispatch!(
        input.dtype(),
        what,
        divisive_backward(input, grad_output, kernel, coef, stds, grad_input, threshold, thresval, what)
    )
}

#[allow(clippy::too_many_arguments)]
fn divisive_backward<T: Float>(
    input: &Tensor,
    grad_output: &Tensor,
    kernel: &Tensor,
    coef: &Tensor,
    stds: &Tensor,
    grad_input: &mut Tensor,
    threshold: f64,
    thresval: f64,
    what: &str,
) -> Result<()> {
    let (b, c, h, w) = planes(input, 0, what)?;
    check_coef(coef, h, w, what)?;
    check_grad_output(grad_output, input.sizes(), what)?;
    if stds.sizes() != [b, h, w] {
        return Err(Error::Runtime(format!("{what}: backward before forward (call forward first)")));
    }
    let f = Filter::<T>::of(kernel, what)?;
    let x = read::<T>(input, what, "input")?;
    let g = read::<T>(grad_output, what, "gradOutput")?;
    let (cf, sd) = (read::<T>(coef, what, "coef")?, read::<T>(stds, what, "stds")?);
    let (x, g, cf, sd) = (x.slice(), g.slice(), cf.slice(), sd.slice());
    let (th, tv, half, two) = (T::of(threshold), T::of(thresval), T::of(0.5), T::of(2.0));
    let hw = h * w;
    let mut out = Out::<T>::new(grad_input, input.sizes(), &[input, grad_output, stds])?;
    for_each_item(out.slice(), c * hw, 2 * c * hw + hw * f.kh * f.kw, |bi, gi| {
        let s = &sd[bi * hw..(bi + 1) * hw];
        let (xb, gb) = (&x[bi * c * hw..(bi + 1) * c * hw], &g[bi * c * hw..(bi + 1) * c * hw]);
        let a: Vec<T> = s.iter().zip(cf).map(|(s, k)| *s / *k).collect();
        let t: Vec<T> = a.iter().map(|a| thresholded(*a, th, tv)).collect();
        let mut acc = vec![T::ZERO; hw];
        for (xp, gp) in xb.chunks(hw).zip(gb.chunks(hw)) {
            for p in 0..hw {
                acc[p] = acc[p] - gp[p] / t[p] / t[p] * xp[p];
            }
        }
        for p in 0..hw {
            let ga = if a[p] > th { acc[p] } else { T::ZERO };
            let gs = ga / cf[p];
            acc[p] = if s[p] == T::ZERO { T::ZERO } else { half * (gs / s[p]) };
        }
        let (mut gq, mut tmp) = (vec![T::ZERO; hw], vec![T::ZERO; hw]);
        f.apply(&acc, h, w, true, &mut gq, &mut tmp);
        for ((ip, xp), gp) in gi.chunks_mut(hw).zip(xb.chunks(hw)).zip(gb.chunks(hw)) {
            for p in 0..hw {
                ip[p] = two * gq[p] * xp[p] + gp[p] / t[p];
            }
        }
    });
    Ok(())
}

/// The channels [lo, hi] whose squares enter channel f's LRN scale (`size` centred on f,
/// clipped to the C channels).
#[inline(always)]
fn lrn_window(f: usize, size: usize, c: usize) -> (usize, usize) {
    let half = (size - 1) / 2;
    (f.saturating_sub(half), (f + half).min(c - 1))
}

fn lrn_check(input: &Tensor, size: usize, what: &str) -> Result<(usize, usize, usize)> {
    let (b, c, h, w) = planes(input, 0, what)?;
    if size == 0 {
        return Err(Error::Value(format!("{what}: size must be at least 1")));
    }
    Ok((b, c, h * w))
}

/// SpatialCrossMapLRN forward: `scale_f = k + alpha/size · Σ_{l ∈ window(f)} x_l²` (kept for
/// backward), `y_f = x_f · scale_f^(−beta)`.
#[allow(clippy::too_many_arguments)]
pub fn spatial_cross_map_lrn_update_output(
    input: &Tensor,
    output: &mut Tensor,
    scale: &mut Tensor,
    size: usize,
    alpha: f64,
    beta: f64,
    k: f64,
    what: &str,
) -> Result<()> {
    float_dispatch!(input.dtype(), what, lrn_forward(input, output, scale, size, alpha, beta, k, what))
}

#[allow(clippy::too_many_arguments)]
fn lrn_forward<T: Float>(
    input: &Tensor,
    output: &mut Tensor,
    scale: &mut Tensor,
    size: usize,
    alpha: f64,
    beta: f64,
    k: f64,
    what: &str,
) -> Result<()> {
    let (_, c, hw) = lrn_check(input, size, what)?;
    let x = read::<T>(input, what, "input")?;
    let x = x.slice();
    let (ratio, kk) = (T::of(alpha / size as f64), T::of(k));
    let mut sc = Out::<T>::new(scale, input.sizes(), &[input])?;
    for_each_item(sc.slice(), c * hw, c * hw * 2, |bi, s| {
        let xb = &x[bi * c * hw..(bi + 1) * c * hw];
        for f in 0..c {
            let (lo, hi) = lrn_window(f, size, c);
            let sp = &mut s[f * hw..(f + 1) * hw];
            sp.fill(T::ZERO);
            for l in lo..=hi {
                sp.iter_mut().zip(&xb[l * hw..(l + 1) * hw]).for_each(|(s, v)| *s = *s + *v * *v);
            }
            sp.iter_mut().for_each(|s| *s = *s * ratio + kk);
        }
    });
    let sc: &[T] = sc.slice();
    let nb = T::of(-beta);
    let mut out = Out::<T>::new(output, input.sizes(), &[input, &*scale])?;
    let y = out.slice();
    for_each_item(y, c * hw, c * hw * 4, |bi, yb| {
        let (xb, sb) = (&x[bi * c * hw..(bi + 1) * c * hw], &sc[bi * c * hw..(bi + 1) * c * hw]);
        for ((y, x), s) in yb.iter_mut().zip(xb).zip(sb) {
            *y = s.powf(nb) * *x;
        }
    });
    Ok(())
}

/// SpatialCrossMapLRN backward: `gᵢ_l = g_l · scale_l^(−beta) − (2·alpha·beta/size) · x_l ·
/// Σ_{f : l ∈ window(f)} g_f · y_f / scale_f`.
#[allow(clippy::too_many_arguments)]
pub fn spatial_cross_map_lrn_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    output: &Tensor,
    scale: &Tensor,
    grad_input: &mut Tensor,
    size: usize,
    alpha: f64,
    beta: f64,
    what: &str,
) -> Result<()> {
    float_dispatch!(
        input.dtype(),
        what,
        lrn_backward(input, grad_output, output, scale, grad_input, size, alpha, beta, what)
    )
}

#[allow(clippy::too_many_arguments)]
fn lrn_backward<T: Float>(
    input: &Tensor,
    grad_output: &Tensor,
    output: &Tensor,
    scale: &Tensor,
    grad_input: &mut Tensor,
    size: usize,
    alpha: f64,
    beta: f64,
    what: &str,
) -> Result<()> {
    let (_, c, hw) = lrn_check(input, size, what)?;
    check_grad_output(grad_output, input.sizes(), what)?;
    if scale.sizes() != input.sizes() || output.sizes() != input.sizes() {
        return Err(Error::Runtime(format!("{what}: backward before forward (call forward first)")));
    }
    let x = read::<T>(input, what, "input")?;
    let g = read::<T>(grad_output, what, "gradOutput")?;
    let (y, s) = (read::<T>(output, what, "output")?, read::<T>(scale, what, "scale")?);
    let (x, g, y, s) = (x.slice(), g.slice(), y.slice(), s.slice());
    let (nb, cache) = (T::of(-beta), T::of(2.0 * alpha * beta / size as f64));
    let n = c * hw;
    let mut out = Out::<T>::new(grad_input, input.sizes(), &[input, grad_output, output, scale])?;
    for_each_item(out.slice(), n, n * 6, |bi, gi| {
        let r = bi * n..(bi + 1) * n;
        let (xb, gb, yb, sb) = (&x[r.clone()], &g[r.clone()], &y[r.clone()], &s[r]);
        let ratio: Vec<T> = gb.iter().zip(yb).zip(sb).map(|((g, y), s)| *g * *y / *s).collect();
        let mut acc = vec![T::ZERO; hw];
        for l in 0..c {
            let (lo, hi) = lrn_window(l, size, c);
            acc.fill(T::ZERO);
            for f in lo..=hi {
                acc.iter_mut().zip(&ratio[f * hw..(f + 1) * hw]).for_each(|(a, r)| *a = *a + *r);
            }
            let p = l * hw..(l + 1) * hw;
            for ((((i, g), s), x), a) in
                gi[p.clone()].iter_mut().zip(&gb[p.clone()]).zip(&sb[p.clone()]).zip(&xb[p]).zip(&acc)
            {
                *i = s.powf(nb) * *g - cache * *x * *a;
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    fn t(v: &[f64], s: &[usize]) -> Tensor {
        Tensor::from_slice(v, s).unwrap()
    }

    #[test]
    fn coef_counts_the_kernel_inside_the_image() {
        let x = Tensor::zeros(DType::Double, &[2, 3, 3]).unwrap();
        let mut coef = Tensor::empty(DType::Double);
        spatial_normalization_coef(&x, &t(&[1.0; 9], &[3, 3]), 2, &mut coef, "t").unwrap();
        assert_eq!(coef.to_vec::<f64>().unwrap(), vec![8.0, 12.0, 8.0, 12.0, 18.0, 12.0, 8.0, 12.0, 8.0]);
        // A 1-D kernel is applied along rows, then columns: the same counts.
        spatial_normalization_coef(&x, &t(&[1.0; 3], &[3]), 2, &mut coef, "t").unwrap();
        assert_eq!(coef.to_vec::<f64>().unwrap(), vec![8.0, 12.0, 8.0, 12.0, 18.0, 12.0, 8.0, 12.0, 8.0]);
    }

    #[test]
    fn subtractive_removes_a_constant() {
        let x = t(&[5.0; 18], &[2, 3, 3]);
        let k = t(&[1.0; 9], &[3, 3]);
        let (mut coef, mut y) = (Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        spatial_normalization_coef(&x, &k, 2, &mut coef, "t").unwrap();
        spatial_subtractive_normalization_update_output(&x, &k, &coef, &mut y, "t").unwrap();
        assert!(y.to_vec::<f64>().unwrap().iter().all(|v| v.abs() < 1e-12));
    }

    #[test]
    fn even_kernels_are_refused() {
        let x = Tensor::zeros(DType::Double, &[1, 3, 3]).unwrap();
        let mut coef = Tensor::empty(DType::Double);
        let e = spatial_normalization_coef(&x, &t(&[1.0; 4], &[2, 2]), 1, &mut coef, "nn.X").unwrap_err();
        assert!(format!("{e}").contains("ODD"), "{e}");
    }
}
