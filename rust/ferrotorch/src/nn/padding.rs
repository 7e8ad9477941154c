//! Padding and upsampling over the last 2 (spatial) or 3 (volumetric) dims of an input whose
//! leading dims (planes, batch) are independent: Torch7's SpatialZeroPadding,
//! SpatialReflectionPadding, SpatialReplicationPadding, VolumetricReplicationPadding,
//! SpatialUpSamplingNearest / UpSampling 'nearest' (all of them gathers: each output element
//! reads one input element or zero), and SpatialUpSamplingBilinear / UpSampling 'linear'
//! (align-corners interpolation, THNN's formulas).
//!
//! A gather is described by one index map per axis (output position → input position or
//! none), so one forward (gather) and one backward (scatter-add) serve every padding mode and
//! nearest upsampling.

use super::spatial_io::{check_grad_output, float_dispatch, for_each_item, read, Float, Out};
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

/// How a padded border is filled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PadMode {
    Zero,
    Reflect,
    Replicate,
}

impl PadMode {
    pub fn parse(name: &str) -> Result<PadMode> {
        match name {
            "zero" => Ok(PadMode::Zero),
            "reflect" => Ok(PadMode::Reflect),
            "replicate" => Ok(PadMode::Replicate),
            other => Err(Error::Value(format!("padding: unknown mode {other:?} (zero, reflect, replicate)"))),
        }
    }
}

/// Output position → input position (None: zero) along one axis of `n` input elements padded
/// by `before` / `after` (negative values crop), with THNN's formulas.
fn pad_map(n: usize, before: i64, after: i64, mode: PadMode, what: &str) -> Result<Vec<Option<usize>>> {
    let n = n as i64;
    let out = n + before + after;
    if out < 1 {
        return Err(Error::Value(format!(
            "{what}: input of size {n} padded by ({before}, {after}) along a dim leaves no output"
        )));
    }
    if mode == PadMode::Reflect && (before >= n || after >= n) {
        return Err(Error::Value(format!(
            "{what}: padding ({before}, {after}) must be less than the input size {n} for reflection"
        )));
    }
    let (o_start, i_start) = (before.max(0), (-before).max(0));
    Ok((0..out)
        .map(|j| {
            let p = match mode {
                PadMode::Zero => {
                    let i = j - before;
                    return (0..n).contains(&i).then_some(i as usize);
                }
                PadMode::Reflect if j < before => 2 * before - j,
                PadMode::Reflect if j < n + before => j,
                PadMode::Reflect => 2 * (n + before - 1) - j,
                PadMode::Replicate if j < before => before,
                PadMode::Replicate if j < n + before => j,
                PadMode::Replicate => n + before - 1,
            };
            Some((p - o_start + i_start) as usize)
        })
        .collect())
}

/// (planes, spatial sizes) of an input with `k` spatial dims and 1 or 2 leading dims.
fn split(input: &Tensor, k: usize, what: &str) -> Result<(usize, Vec<usize>)> {
    let s = input.sizes();
    if s.len() != k + 1 && s.len() != k + 2 {
        return Err(Error::Value(format!(
            "{what}: expected a {}D or {}D input, got size {}",
            k + 1,
            k + 2,
            size_string(s)
        )));
    }
    let lead = s.len() - k;
    Ok((s[..lead].iter().product(), s[lead..].to_vec()))
}

fn out_sizes(input: &Tensor, maps_len: &[usize]) -> Vec<usize> {
    let s = input.sizes();
    let mut o = s[..s.len() - maps_len.len()].to_vec();
    o.extend_from_slice(maps_len);
    o
}

/// Input offsets (within a plane) of every output element, row-major; None reads zero.
fn gather_offsets(maps: &[Vec<Option<usize>>], in_sizes: &[usize]) -> Vec<Option<usize>> {
    let mut offs = vec![Some(0usize)];
    let mut stride = 1usize;
    let mut strides = vec![0; maps.len()];
    for d in (0..maps.len()).rev() {
        strides[d] = stride;
        stride *= in_sizes[d];
    }
    for (d, m) in maps.iter().enumerate() {
        let mut next = Vec::with_capacity(offs.len() * m.len());
        for o in &offs {
            for i in m {
                next.push(match (o, i) {
                    (Some(o), Some(i)) => Some(o + i * strides[d]),
                    _ => None,
                });
            }
        }
        offs = next;
    }
    offs
}

fn gather_forward<T: Float>(
    input: &Tensor,
    maps: &[Vec<Option<usize>>],
    output: &mut Tensor,
    what: &str,
) -> Result<()> {
    let (_, in_sizes) = split(input, maps.len(), what)?;
    let lens: Vec<usize> = maps.iter().map(Vec::len).collect();
    let offs = gather_offsets(maps, &in_sizes);
    let x = read::<T>(input, what, "input")?;
    let x = x.slice();
    let plane_in: usize = in_sizes.iter().product();
    let mut out = Out::<T>::new(output, &out_sizes(input, &lens), &[input])?;
    for_each_item(out.slice(), offs.len(), offs.len(), |p, y| {
        let xp = &x[p * plane_in..(p + 1) * plane_in];
        for (y, o) in y.iter_mut().zip(&offs) {
            *y = match o {
                Some(o) => xp[*o],
                None => T::ZERO,
            };
        }
    });
    Ok(())
}

fn gather_backward<T: Float>(
    input: &Tensor,
    grad_output: &Tensor,
    maps: &[Vec<Option<usize>>],
    grad_input: &mut Tensor,
    what: &str,
) -> Result<()> {
    let (_, in_sizes) = split(input, maps.len(), what)?;
    let lens: Vec<usize> = maps.iter().map(Vec::len).collect();
    check_grad_output(grad_output, &out_sizes(input, &lens), what)?;
    let offs = gather_offsets(maps, &in_sizes);
    let g = read::<T>(grad_output, what, "gradOutput")?;
    let g = g.slice();
    let plane_in: usize = in_sizes.iter().product();
    let mut out = Out::<T>::new(grad_input, input.sizes(), &[grad_output])?;
    for_each_item(out.slice(), plane_in, offs.len(), |p, gi| {
        gi.fill(T::ZERO);
        let gp = &g[p * offs.len()..(p + 1) * offs.len()];
        for (g, o) in gp.iter().zip(&offs) {
            if let Some(o) = o {
                gi[*o] = gi[*o] + *g;
            }
        }
    });
    Ok(())
}

fn padding_maps(
    input: &Tensor,
    pads: &[(i64, i64)],
    mode: PadMode,
    what: &str,
) -> Result<Vec<Vec<Option<usize>>>> {
    let (_, in_sizes) = split(input, pads.len(), what)?;
    in_sizes.iter().zip(pads).map(|(&n, &(b, a))| pad_map(n, b, a, mode, what)).collect()
}

/// Padding forward. `pads` holds (before, after) per spatial dim, outermost first: (top,
/// bottom), (left, right) for 2 dims; (front, back), (top, bottom), (left, right) for 3.
pub fn padding_update_output(
    input: &Tensor,
    output: &mut Tensor,
    pads: &[(i64, i64)],
    mode: PadMode,
    what: &str,
) -> Result<()> {
    let maps = padding_maps(input, pads, mode, what)?;
    float_dispatch!(input.dtype(), what, gather_forward(input, &maps, output, what))
}

/// Padding backward: each input element receives the gradients of the outputs that read it.
pub fn padding_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    grad_input: &mut Tensor,
    pads: &[(i64, i64)],
    mode: PadMode,
    what: &str,
) -> Result<()> {
    let maps = padding_maps(input, pads, mode, what)?;
    float_dispatch!(input.dtype(), what, gather_backward(input, grad_output, &maps, grad_input, what))
}

fn nearest_maps(input: &Tensor, k: usize, scale: usize, what: &str) -> Result<Vec<Vec<Option<usize>>>> {
    if scale == 0 {
        return Err(Error::Value(format!("{what}: scale_factor must be greater than 1")));
    }
    let (_, in_sizes) = split(input, k, what)?;
    Ok(in_sizes.iter().map(|&n| (0..n * scale).map(|o| Some(o / scale)).collect()).collect())
}

/// Nearest upsampling over the last `k` dims: `out[.., y, x] = in[.., y / s, x / s]`.
pub fn upsampling_nearest_update_output(
    input: &Tensor,
    output: &mut Tensor,
    k: usize,
    scale: usize,
    what: &str,
) -> Result<()> {
    let maps = nearest_maps(input, k, scale, what)?;
    float_dispatch!(input.dtype(), what, gather_forward(input, &maps, output, what))
}

/// Nearest upsampling backward: each input element sums its scale^k outputs' gradients.
pub fn upsampling_nearest_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    grad_input: &mut Tensor,
    k: usize,
    scale: usize,
    what: &str,
) -> Result<()> {
    let maps = nearest_maps(input, k, scale, what)?;
    float_dispatch!(input.dtype(), what, gather_backward(input, grad_output, &maps, grad_input, what))
}

/// One axis of an align-corners linear interpolation: for each output position the lower
/// input index, the step to the upper one (0 at the last input) and the two weights.
struct Axis<T> {
    i0: Vec<usize>,
    step: Vec<usize>,
    l0: Vec<T>,
    l1: Vec<T>,
}

/// THNN's weights, with the position ratio computed in single precision as THNN did.
fn linear_axis<T: Float>(n_in: usize, n_out: usize) -> Axis<T> {
    let r: f32 = if n_out > 1 { (n_in as f32 - 1.0) / (n_out as f32 - 1.0) } else { 0.0 };
    let mut a = Axis { i0: vec![], step: vec![], l0: vec![], l1: vec![] };
    for o in 0..n_out {
        if n_in == n_out {
            a.i0.push(o);
            a.step.push(0);
            a.l0.push(T::ONE);
            a.l1.push(T::ZERO);
            continue;
        }
        let pos = r * o as f32;
        let i = pos as usize;
        let l1 = T::of(f64::from(pos - i as f32));
        a.i0.push(i);
        a.step.push(usize::from(i + 1 < n_in));
        a.l0.push(T::ONE - l1);
        a.l1.push(l1);
    }
    a
}

fn linear_setup<T: Float>(input: &Tensor, out: &[usize], what: &str) -> Result<(Vec<usize>, Vec<Axis<T>>)> {
    let (_, in_sizes) = split(input, out.len(), what)?;
    if in_sizes.iter().chain(out).any(|&n| n == 0) {
        return Err(Error::Value(format!(
            "{what}: input and output sizes should be greater than 0, got input {} and output {}",
            size_string(input.sizes()),
            size_string(out)
        )));
    }
    let axes = in_sizes.iter().zip(out).map(|(&i, &o)| linear_axis::<T>(i, o)).collect();
    Ok((in_sizes, axes))
}

/// One axis of the separable interpolation: `src` holds `outer` blocks of `a.n_in` lines of
/// `inner` elements, `dst` gets `outer` blocks of `n_out` lines, line `o` being
/// `l0·line[i0] + l1·line[i0 + step]`. Run from the last axis to the first this is THNN's
/// nested `h0λ·(w0λ·p00 + w1λ·p01) + h1λ·(w0λ·p10 + w1λ·p11)`, operation for operation, with
/// the inner loop running along contiguous lines.
fn lerp_axis<T: Float>(src: &[T], dst: &mut [T], a: &Axis<T>, n_in: usize, inner: usize) {
    let n_out = a.i0.len();
    for (s, d) in src.chunks_exact(n_in * inner).zip(dst.chunks_exact_mut(n_out * inner)) {
        if inner == 1 {
            for (o, y) in d.iter_mut().enumerate() {
                let i = a.i0[o];
                *y = a.l0[o] * s[i] + a.l1[o] * s[i + a.step[o]];
            }
            continue;
        }
        for (o, line) in d.chunks_exact_mut(inner).enumerate() {
            let lo = &s[a.i0[o] * inner..][..inner];
            let hi = &s[(a.i0[o] + a.step[o]) * inner..][..inner];
            let (l0, l1) = (a.l0[o], a.l1[o]);
            for ((y, &p), &q) in line.iter_mut().zip(lo).zip(hi) {
                *y = l0 * p + l1 * q;
            }
        }
    }
}

/// The transpose of `lerp_axis` (backward): adds `l0·line[o]` to line `i0` and `l1·line[o]`
/// to line `i0 + step` of `dst`, which the caller zeroed (`dst` has the input's lines).
fn lerp_axis_transposed<T: Float>(src: &[T], dst: &mut [T], a: &Axis<T>, inner: usize) {
    let n_out = a.i0.len();
    let outer = src.len() / (n_out * inner);
    let n_in = dst.len() / (outer * inner);
    for (s, d) in src.chunks_exact(n_out * inner).zip(dst.chunks_exact_mut(n_in * inner)) {
        for (o, g) in s.chunks_exact(inner).enumerate() {
            let (l0, l1) = (a.l0[o], a.l1[o]);
            for (k, line) in [(a.i0[o], l0), (a.i0[o] + a.step[o], l1)] {
                for (y, &v) in d[k * inner..][..inner].iter_mut().zip(g) {
                    *y = *y + line * v;
                }
            }
        }
    }
}

/// Runs one pass per axis, in `order`, over a plane of `sizes`: `pass(src, dst, axis, src's
/// length along axis, elements per line)` turns that axis's length into `targets[axis]`;
/// intermediate planes start zeroed, and the last pass writes `out`.
fn run_passes<T: Float>(
    plane: &[T],
    out: &mut [T],
    mut sizes: Vec<usize>,
    targets: &[usize],
    order: impl Iterator<Item = usize>,
    pass: impl Fn(&[T], &mut [T], usize, usize, usize),
) {
    let order: Vec<usize> = order.collect();
    let mut cur: Vec<T> = Vec::new();
    for (n, &axis) in order.iter().enumerate() {
        let inner: usize = sizes[axis + 1..].iter().product();
        let n_in = sizes[axis];
        sizes[axis] = targets[axis];
        let src: &[T] = if n == 0 { plane } else { &cur };
        if n + 1 == order.len() {
            pass(src, out, axis, n_in, inner);
        } else {
            let mut next = vec![T::ZERO; sizes.iter().product()];
            pass(src, &mut next, axis, n_in, inner);
            cur = next;
        }
    }
}

/// Align-corners linear (bilinear / trilinear) upsampling of the last `out.len()` dims to `out`.
pub fn upsampling_linear_update_output(
    input: &Tensor,
    output: &mut Tensor,
    out: &[usize],
    what: &str,
) -> Result<()> {
    float_dispatch!(input.dtype(), what, linear_forward(input, output, out, what))
}

fn linear_forward<T: Float>(input: &Tensor, output: &mut Tensor, out: &[usize], what: &str) -> Result<()> {
    let (in_sizes, axes) = linear_setup::<T>(input, out, what)?;
    let x = read::<T>(input, what, "input")?;
    let x = x.slice();
    let (plane_in, plane_out) = (in_sizes.iter().product::<usize>(), out.iter().product::<usize>());
    let mut o = Out::<T>::new(output, &out_sizes(input, out), &[input])?;
    for_each_item(o.slice(), plane_out, plane_out * 4, |p, y| {
        let xp = &x[p * plane_in..(p + 1) * plane_in];
        // The last axis first: THNN's nesting (see lerp_axis).
        run_passes(xp, y, in_sizes.clone(), out, (0..out.len()).rev(), |s, d, axis, n, inner| {
            lerp_axis(s, d, &axes[axis], n, inner)
        });
    });
    Ok(())
}

/// Linear upsampling backward: each output's gradient goes to its 2^k corners, weighted.
pub fn upsampling_linear_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    grad_input: &mut Tensor,
    out: &[usize],
    what: &str,
) -> Result<()> {
    float_dispatch!(input.dtype(), what, linear_backward(input, grad_output, grad_input, out, what))
}

fn linear_backward<T: Float>(
    input: &Tensor,
    grad_output: &Tensor,
    grad_input: &mut Tensor,
    out: &[usize],
    what: &str,
) -> Result<()> {
    let (in_sizes, axes) = linear_setup::<T>(input, out, what)?;
    check_grad_output(grad_output, &out_sizes(input, out), what)?;
    let g = read::<T>(grad_output, what, "gradOutput")?;
    let g = g.slice();
    let (plane_in, plane_out) = (in_sizes.iter().product::<usize>(), out.iter().product::<usize>());
    let mut o = Out::<T>::new(grad_input, input.sizes(), &[grad_output])?;
    for_each_item(o.slice(), plane_in, plane_out * 4, |p, gi| {
        gi.fill(T::ZERO);
        let gp = &g[p * plane_out..(p + 1) * plane_out];
        // The transposed passes in the opposite order: the first axis first.
        run_passes(gp, gi, out.to_vec(), &in_sizes, 0..out.len(), |s, d, axis, _, inner| {
            lerp_axis_transposed(s, d, &axes[axis], inner)
        });
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pad_maps_follow_thnn() {
        let m = |b, a, mode| pad_map(3, b, a, mode, "t").unwrap();
        assert_eq!(m(2, 1, PadMode::Reflect), [Some(2), Some(1), Some(0), Some(1), Some(2), Some(1)]);
        assert_eq!(m(1, 2, PadMode::Replicate), [Some(0), Some(0), Some(1), Some(2), Some(2), Some(2)]);
        assert_eq!(m(1, -1, PadMode::Zero), [None, Some(0), Some(1)]);
        assert_eq!(m(-1, 0, PadMode::Replicate), [Some(1), Some(2)]);
        assert!(pad_map(3, 3, 0, PadMode::Reflect, "t").is_err());
        assert!(pad_map(3, -2, -1, PadMode::Zero, "t").is_err());
    }

    #[test]
    fn linear_axis_aligns_corners() {
        let a = linear_axis::<f64>(3, 5);
        assert_eq!(a.i0, [0, 0, 1, 1, 2]);
        assert_eq!(a.step, [1, 1, 1, 1, 0]);
        assert_eq!(a.l1, [0.0, 0.5, 0.0, 0.5, 0.0]);
    }
}
