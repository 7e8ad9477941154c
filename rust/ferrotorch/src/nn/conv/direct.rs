//! Plane-to-plane kernels: SpatialConvolutionMap / SpatialFullConvolutionMap (a connection
//! table lists which input plane feeds which output plane through which 2-D kernel) and
//! SpatialSubSampling (one weight per plane times the window sum: a one-to-one map with a
//! constant kernel). Their work is a few small planes per connection, so they loop over
//! planes (in parallel over target planes / connections) rather than unroll.
//!
//! Three primitives cover both directions of both modules (`small` is the valid-mode side,
//! `big` the side the kernel slides over, `small = (big − k) / stride + 1`):
//! `xcorr` (small += big ⋆ k), `scatter` (big += small ⊛ k, its adjoint) and `kernel_grad`
//! (k += Σ small · big-window).

use super::{accumulate, check_grad_output, float_type, with_output, Data, Real};
use crate::cpu::blas::BlasScalar;
use crate::layout::size_string;
use crate::parallel;
use crate::{Error, Result, Tensor};

#[derive(Clone, Copy)]
struct Plane {
    h: usize,
    w: usize,
}

#[derive(Clone, Copy)]
struct Geo {
    small: Plane,
    big: Plane,
    kh: usize,
    kw: usize,
    sh: usize,
    sw: usize,
}

/// small[y][x] += Σ_{a,b} big[y·sh + a][x·sw + b] · k[a][b]
fn xcorr<T: Real>(small: &mut [T], big: &[T], k: &[T], g: &Geo) {
    for y in 0..g.small.h {
        let row = &mut small[y * g.small.w..(y + 1) * g.small.w];
        for a in 0..g.kh {
            let brow = &big[(y * g.sh + a) * g.big.w..(y * g.sh + a + 1) * g.big.w];
            for b in 0..g.kw {
                let kv = k[a * g.kw + b];
                if g.sw == 1 {
                    // contiguous: vectorises
                    for (r, v) in row.iter_mut().zip(&brow[b..b + g.small.w]) {
                        *r += *v * kv;
                    }
                } else {
                    for (x, r) in row.iter_mut().enumerate() {
                        *r += brow[x * g.sw + b] * kv;
                    }
                }
            }
        }
    }
}

/// big[y·sh + a][x·sw + b] += small[y][x] · k[a][b] (the adjoint of `xcorr`)
fn scatter<T: Real>(big: &mut [T], small: &[T], k: &[T], g: &Geo) {
    for y in 0..g.small.h {
        let row = &small[y * g.small.w..(y + 1) * g.small.w];
        for a in 0..g.kh {
            let brow = &mut big[(y * g.sh + a) * g.big.w..(y * g.sh + a + 1) * g.big.w];
            for b in 0..g.kw {
                let kv = k[a * g.kw + b];
                if g.sw == 1 {
                    for (v, r) in brow[b..b + g.small.w].iter_mut().zip(row) {
                        *v += *r * kv;
                    }
                } else {
                    for (x, r) in row.iter().enumerate() {
                        brow[x * g.sw + b] += *r * kv;
                    }
                }
            }
        }
    }
}

/// k[a][b] += Σ_{y,x} small[y][x] · big[y·sh + a][x·sw + b]
fn kernel_grad<T: Real>(k: &mut [T], small: &[T], big: &[T], g: &Geo) {
    for a in 0..g.kh {
        for b in 0..g.kw {
            let mut acc = T::zero();
            for y in 0..g.small.h {
                let row = &small[y * g.small.w..(y + 1) * g.small.w];
                let brow = &big[(y * g.sh + a) * g.big.w..];
                if g.sw == 1 {
                    for (r, v) in row.iter().zip(&brow[b..b + g.small.w]) {
                        acc += *r * *v;
                    }
                } else {
                    for (x, r) in row.iter().enumerate() {
                        acc += *r * brow[x * g.sw + b];
                    }
                }
            }
            k[a * g.kw + b] += acc;
        }
    }
}

/// Runs f(i) for i in 0..n, in parallel when the work is large.
fn for_each(n: usize, work: usize, f: impl Fn(usize) + Send + Sync) {
    use rayon::prelude::*;
    if n > 1 && work >= crate::cpu::PARALLEL_GRAIN && parallel::num_threads() > 1 {
        parallel::install(|| (0..n).into_par_iter().for_each(&f));
    } else {
        (0..n).for_each(f);
    }
}

/// A raw pointer shared by threads that write disjoint planes.
#[derive(Clone, Copy)]
struct Shared<T>(*mut T);
// SAFETY: every user writes a set of planes no other thread touches.
unsafe impl<T> Send for Shared<T> {}
unsafe impl<T> Sync for Shared<T> {}

impl<T> Shared<T> {
    /// Plane `i` of `len` elements.
    ///
    /// # Safety
    /// The caller owns plane i for the duration of the borrow and it lies in the allocation.
    #[allow(clippy::mut_from_ref)]
    unsafe fn plane(&self, i: usize, len: usize) -> &mut [T] {
        unsafe { std::slice::from_raw_parts_mut(self.0.add(i * len), len) }
    }
}

/// The connection table as (input plane, output plane) pairs, checked against the planes.
fn connections(what: &str, table: &Tensor, n_in: usize, n_out: usize) -> Result<Vec<(usize, usize)>> {
    if table.ndim() != 2 || table.sizes()[1] != 2 {
        return Err(Error::Value(format!(
            "{what}: connTable must be a K x 2 tensor of (input plane, output plane), got {}",
            size_string(table.sizes())
        )));
    }
    let v = table.to_vec::<f64>()?;
    v.chunks(2)
        .map(|c| {
            let (i, o) = (c[0], c[1]);
            if i < 0.0 || o < 0.0 || i as usize >= n_in || o as usize >= n_out || i.fract() != 0.0 || o.fract() != 0.0 {
                return Err(Error::Index(format!(
                    "{what}: connTable entry ({i}, {o}) out of range for {n_in} input and {n_out} output planes"
                )));
            }
            Ok((i as usize, o as usize))
        })
        .collect()
}

/// Which module: valid-mode maps (the input is `big`) or full ones (the input is `small`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MapKind {
    Valid,
    Full,
}

struct MapPlan {
    batch: Option<usize>,
    n: usize,
    g: Geo,
    out_sizes: Vec<usize>,
}

fn map_plan(
    what: &str,
    kind: MapKind,
    input: &Tensor,
    n_in: usize,
    n_out: usize,
    k: (usize, usize),
    s: (usize, usize),
) -> Result<MapPlan> {
    let sz = input.sizes();
    let (batch, rest) = match sz.len() {
        3 => (None, sz),
        4 => (Some(sz[0]), &sz[1..]),
        _ => {
            return Err(Error::Value(format!(
                "{what}: expected a 3D (C x H x W) or 4D (B x C x H x W) input, got {}",
                size_string(sz)
            )))
        }
    };
    if rest[0] < n_in {
        return Err(Error::Value(format!(
            "{what}: the connection table needs {n_in} input planes, got an input of size {}",
            size_string(sz)
        )));
    }
    if k.0 == 0 || k.1 == 0 || s.0 == 0 || s.1 == 0 {
        return Err(Error::Value(format!(
            "{what}: kernel {}x{} and stride {},{} must be positive",
            k.1, k.0, s.1, s.0
        )));
    }
    let plane = Plane { h: rest[1], w: rest[2] };
    let (small, big) = match kind {
        MapKind::Valid => {
            if plane.h < k.0 || plane.w < k.1 {
                return Err(Error::Value(format!(
                    "{what}: input of size {} is smaller than the kernel {}x{}",
                    size_string(sz),
                    k.1,
                    k.0
                )));
            }
            (Plane { h: (plane.h - k.0) / s.0 + 1, w: (plane.w - k.1) / s.1 + 1 }, plane)
        }
        MapKind::Full => {
            (plane, Plane { h: (plane.h.max(1) - 1) * s.0 + k.0, w: (plane.w.max(1) - 1) * s.1 + k.1 })
        }
    };
    let o = if kind == MapKind::Valid { small } else { big };
    let mut out_sizes: Vec<usize> = batch.into_iter().collect();
    out_sizes.extend([n_out, o.h, o.w]);
    Ok(MapPlan {
        batch,
        n: batch.unwrap_or(1),
        g: Geo { small, big, kh: k.0, kw: k.1, sh: s.0, sw: s.1 },
        out_sizes,
    })
}

/// Output of a map convolution: per output plane, bias plus every connection's contribution.
#[allow(clippy::too_many_arguments)]
pub fn map_update_output(
    what: &str,
    kind: MapKind,
    input: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    table: &Tensor,
    n_in: usize,
    n_out: usize,
    stride: (usize, usize),
    output: &mut Tensor,
) -> Result<()> {
    let dtype = float_type(what, &[input, weight, bias])?;
    let conn = connections(what, table, n_in, n_out)?;
    let (kk, k) = weight_shape(what, weight, table)?;
    check_numel(what, "bias", bias, n_out)?;
    let pl = map_plan(what, kind, input, n_in, n_out, k, stride)?;
    let c_in = input.sizes()[input.ndim() - 3];
    crate::with_float_dtype!(dtype, what, T, {
        let x = Data::<T>::of(input)?;
        let w = weight.to_vec::<T>()?;
        let b = bias.to_vec::<T>()?;
        let g = pl.g;
        let (in_len, out_len) = match kind {
            MapKind::Valid => (g.big.h * g.big.w, g.small.h * g.small.w),
            MapKind::Full => (g.small.h * g.small.w, g.big.h * g.big.w),
        };
        let klen = k.0 * k.1;
        let xs = x.slice(pl.n * c_in * in_len);
        with_output::<T>(output, &pl.out_sizes, |out| {
            let out = Shared(out);
            for_each(pl.n * n_out, pl.n * kk * out_len * klen, |i| {
                let (nb, p) = (i / n_out, i % n_out);
                // SAFETY: output plane i belongs to this call alone.
                let o = unsafe { out.plane(i, out_len) };
                o.fill(b[p]);
                for (c, &(ci, co)) in conn.iter().enumerate() {
                    if co != p {
                        continue;
                    }
                    let src = &xs[(nb * c_in + ci) * in_len..(nb * c_in + ci + 1) * in_len];
                    let kern = &w[c * klen..(c + 1) * klen];
                    match kind {
                        MapKind::Valid => xcorr(o, src, kern, &g),
                        MapKind::Full => scatter(o, src, kern, &g),
                    }
                }
            });
            Ok(())
        })
    })
}

fn weight_shape(what: &str, weight: &Tensor, table: &Tensor) -> Result<(usize, (usize, usize))> {
    let s = weight.sizes();
    let kk = if table.ndim() == 2 { table.sizes()[0] } else { 0 };
    if s.len() != 3 || s[0] != kk {
        return Err(Error::Value(format!(
            "{what}: weight should be connTable:size(0) x kH x kW = {kk} x kH x kW, got {}",
            size_string(s)
        )));
    }
    Ok((kk, (s[1], s[2])))
}

fn check_numel(what: &str, name: &str, t: &Tensor, n: usize) -> Result<()> {
    if t.numel() == n {
        return Ok(());
    }
    Err(Error::Value(format!("{what}: {name} of size {} should have {n} elements", size_string(t.sizes()))))
}

/// gradInput and/or gradWeight, gradBias (scaled, accumulated) of a map convolution.
#[allow(clippy::too_many_arguments)]
pub fn map_backward(
    what: &str,
    kind: MapKind,
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    table: &Tensor,
    n_in: usize,
    n_out: usize,
    stride: (usize, usize),
    grad_input: Option<&mut Tensor>,
    grad_weight: Option<&Tensor>,
    grad_bias: Option<&Tensor>,
    scale: f64,
) -> Result<()> {
    let dtype = float_type(what, &[input, grad_output, weight])?;
    let conn = connections(what, table, n_in, n_out)?;
    let (kk, k) = weight_shape(what, weight, table)?;
    let pl = map_plan(what, kind, input, n_in, n_out, k, stride)?;
    check_grad_output(what, grad_output, &pl.out_sizes)?;
    let c_in = input.sizes()[input.ndim() - 3];
    let g = pl.g;
    let klen = k.0 * k.1;
    let (in_len, out_len) = match kind {
        MapKind::Valid => (g.big.h * g.big.w, g.small.h * g.small.w),
        MapKind::Full => (g.small.h * g.small.w, g.big.h * g.big.w),
    };
    crate::with_float_dtype!(dtype, what, T, {
        let x = Data::<T>::of(input)?;
        let go = Data::<T>::of(grad_output)?;
        let xs = x.slice(pl.n * c_in * in_len);
        let gos = go.slice(pl.n * n_out * out_len);
        if let Some(gi) = grad_input {
            let w = weight.to_vec::<T>()?;
            with_output::<T>(gi, input.sizes(), |gptr| {
                let gptr = Shared(gptr);
                for_each(pl.n * c_in, pl.n * kk * out_len * klen, |i| {
                    let (nb, p) = (i / c_in, i % c_in);
                    // SAFETY: gradInput plane i belongs to this call alone.
                    let d = unsafe { gptr.plane(i, in_len) };
                    d.fill(T::zero());
                    for (c, &(ci, co)) in conn.iter().enumerate() {
                        if ci != p {
                            continue;
                        }
                        let src = &gos[(nb * n_out + co) * out_len..(nb * n_out + co + 1) * out_len];
                        let kern = &w[c * klen..(c + 1) * klen];
                        match kind {
                            MapKind::Valid => scatter(d, src, kern, &g),
                            MapKind::Full => xcorr(d, src, kern, &g),
                        }
                    }
                });
                Ok(())
            })?;
        }
        if let Some(gw) = grad_weight {
            check_numel(what, "gradWeight", gw, kk * klen)?;
            let mut delta = vec![T::zero(); kk * klen];
            let d = Shared(delta.as_mut_ptr());
            for_each(kk, pl.n * kk * out_len * klen, |c| {
                let (ci, co) = conn[c];
                // SAFETY: kernel c belongs to this call alone.
                let kd = unsafe { d.plane(c, klen) };
                for nb in 0..pl.n {
                    let xi = &xs[(nb * c_in + ci) * in_len..(nb * c_in + ci + 1) * in_len];
                    let gp = &gos[(nb * n_out + co) * out_len..(nb * n_out + co + 1) * out_len];
                    match kind {
                        MapKind::Valid => kernel_grad(kd, gp, xi, &g),
                        MapKind::Full => kernel_grad(kd, xi, gp, &g),
                    }
                }
            });
            accumulate(gw, scale, &delta)?;
        }
        if let Some(gb) = grad_bias {
            check_numel(what, "gradBias", gb, n_out)?;
            accumulate(gb, scale, &super::plane_sums(gos, pl.n, n_out, out_len))?;
        }
        let _ = pl.batch;
        Ok(())
    })
}

/// SpatialSubSampling: `out[c] = bias[c] + weight[c] · Σ_window in[c]` over kH × kW windows.
#[allow(clippy::too_many_arguments)]
pub fn subsampling_update_output(
    what: &str,
    input: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    k: (usize, usize),
    stride: (usize, usize),
    output: &mut Tensor,
) -> Result<()> {
    let planes = weight.numel();
    let (table, ones) = one_to_one(planes, k, weight.dtype())?;
    check_planes(what, input, planes)?;
    // out = bias + w_c · (Σ window): the map with a kernel of ones, then scaled per plane
    let zero = Tensor::zeros(weight.dtype(), &[planes])?;
    map_update_output(what, MapKind::Valid, input, &ones, &zero, &table, planes, planes, stride, output)?;
    scale_planes(what, output, weight, Some(bias))
}

fn check_planes(what: &str, input: &Tensor, planes: usize) -> Result<()> {
    let s = input.sizes();
    if (s.len() == 3 || s.len() == 4) && s[s.len() - 3] != planes {
        return Err(Error::Value(format!(
            "{what}: expected an input with {planes} planes, got {}",
            size_string(s)
        )));
    }
    Ok(())
}

fn one_to_one(planes: usize, k: (usize, usize), dtype: crate::DType) -> Result<(Tensor, Tensor)> {
    let t: Vec<f64> = (0..planes).flat_map(|i| [i as f64, i as f64]).collect();
    let table = Tensor::from_slice(&t, &[planes, 2])?;
    let ones = Tensor::zeros(dtype, &[planes, k.0, k.1])?;
    ones.fill_(crate::Scalar::Int(1))?;
    Ok((table, ones))
}

/// t[.., c, ..] = t · w[c] (+ b[c]) for the planes of a 3-D or 4-D t.
fn scale_planes(what: &str, t: &mut Tensor, w: &Tensor, b: Option<&Tensor>) -> Result<()> {
    let planes = w.numel();
    let dims = t.ndim();
    let len = t.sizes()[dims - 2] * t.sizes()[dims - 1];
    crate::with_float_dtype!(t.dtype(), what, T, {
        let wv = w.to_vec::<T>()?;
        let bv = match b {
            Some(b) => b.to_vec::<T>()?,
            None => vec![T::zero(); planes],
        };
        let sizes = t.sizes().to_vec();
        let n = t.numel();
        with_output::<T>(t, &sizes, |p| {
            // SAFETY: the resized tensor's n contiguous elements.
            let s = unsafe { std::slice::from_raw_parts_mut(p, n) };
            for (i, plane) in s.chunks_mut(len.max(1)).enumerate() {
                let (wc, bc) = (wv[i % planes], bv[i % planes]);
                plane.iter_mut().for_each(|e| *e = *e * wc + bc);
            }
            Ok(())
        })
    })
}

/// SpatialSubSampling's gradInput and/or gradWeight, gradBias.
#[allow(clippy::too_many_arguments)]
pub fn subsampling_backward(
    what: &str,
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    k: (usize, usize),
    stride: (usize, usize),
    grad_input: Option<&mut Tensor>,
    grad_weight: Option<&Tensor>,
    grad_bias: Option<&Tensor>,
    scale: f64,
) -> Result<()> {
    let planes = weight.numel();
    check_planes(what, input, planes)?;
    let (table, ones) = one_to_one(planes, k, weight.dtype())?;
    if let Some(gi) = grad_input {
        // gradInput = w_c · scatter(gradOutput)
        map_backward(
            what,
            MapKind::Valid,
            input,
            grad_output,
            &ones,
            &table,
            planes,
            planes,
            stride,
            Some(&mut *gi),
            None,
            None,
            1.0,
        )?;
        scale_planes(what, gi, weight, None)?;
    }
    if grad_weight.is_some() || grad_bias.is_some() {
        // ∂/∂w_c = Σ gradOutput · window sums: the kernel gradient of the ones-map, summed
        let gk = Tensor::zeros(weight.dtype(), &[planes, k.0, k.1])?;
        map_backward(
            what,
            MapKind::Valid,
            input,
            grad_output,
            &ones,
            &table,
            planes,
            planes,
            stride,
            None,
            Some(&gk),
            grad_bias,
            scale,
        )?;
        if let Some(gw) = grad_weight {
            check_numel(what, "gradWeight", gw, planes)?;
            let klen = (k.0 * k.1).max(1);
            crate::with_float_dtype!(gk.dtype(), what, T, {
                let sums: Vec<T> = gk.to_vec::<T>()?.chunks(klen).map(|c| c.iter().copied().sum()).collect();
                accumulate(gw, 1.0, &sums)?;
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scatter_is_the_adjoint_of_xcorr() {
        adjoint(Geo { small: Plane { h: 2, w: 3 }, big: Plane { h: 5, w: 6 }, kh: 2, kw: 2, sh: 2, sw: 2 });
        adjoint(Geo { small: Plane { h: 4, w: 5 }, big: Plane { h: 5, w: 6 }, kh: 2, kw: 2, sh: 1, sw: 1 });
    }

    fn adjoint(g: Geo) {
        let big: Vec<f64> = (0..30).map(|i| (i as f64 * 0.3).sin()).collect();
        let ns = g.small.h * g.small.w;
        let small: Vec<f64> = (0..ns).map(|i| (i as f64 * 0.7).cos()).collect();
        let k = [0.5, -1.0, 2.0, 0.25];
        let mut s = vec![0.0; ns];
        xcorr(&mut s, &big, &k, &g);
        let mut b = vec![0.0; 30];
        scatter(&mut b, &small, &k, &g);
        let lhs: f64 = s.iter().zip(&small).map(|(a, c)| a * c).sum();
        let rhs: f64 = b.iter().zip(&big).map(|(a, c)| a * c).sum();
        assert!((lhs - rhs).abs() < 1e-12);
        // kernel_grad: d<xcorr(big,k), small>/dk
        let mut gk = [0.0; 4];
        kernel_grad(&mut gk, &small, &big, &g);
        let eps = 1e-6;
        for i in 0..4 {
            let mut k2 = k;
            k2[i] += eps;
            let mut s2 = vec![0.0; ns];
            xcorr(&mut s2, &big, &k2, &g);
            let l2: f64 = s2.iter().zip(&small).map(|(a, c)| a * c).sum();
            assert!(((l2 - lhs) / eps - gk[i]).abs() < 1e-6);
        }
    }
}
