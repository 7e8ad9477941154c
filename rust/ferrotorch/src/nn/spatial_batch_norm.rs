//! Batch normalization of (B, C, *) inputs in the input's own element type, parallel over
//! channels for the statistics and over (sample, channel) planes for the element passes:
//! the one kernel of BatchNormalization, SpatialBatchNormalization and
//! VolumetricBatchNormalization.
//!
//! THNN's BatchNormalization formulas, sums accumulated in f64 like THNN's accreal. The first
//! kernel, `nn::misc::batch_normalization`, made row-major f64 copies in and out, which made the
//! (B, C, H, W) case several times slower than PyTorch's batch_norm (docs/ARCHITECTURE.md,
//! "spatial normalization"); it stays as this module's test reference.

use super::spatial_io::{check_grad_output, float_dispatch, for_each_item, in_place, read, Float, Out};
use crate::cpu::PARALLEL_GRAIN;
use crate::layout::size_string;
use crate::{parallel, Error, Result, Tensor};
use rayon::prelude::*;

/// (B, C, inner) of a (B, C, *) input with C features.
fn shape(input: &Tensor, c: usize, what: &str) -> Result<(usize, usize)> {
    let s = input.sizes();
    if s.len() < 2 {
        return Err(Error::Value(format!(
            "{what}: expected a (batch, {c}, ...) input, got size {}",
            size_string(s)
        )));
    }
    if s[1] != c {
        return Err(Error::Value(format!(
            "{what}: got {}-feature tensor (size {}), expected {c}",
            s[1],
            size_string(s)
        )));
    }
    let inner: usize = s[2..].iter().product();
    if s[0] * inner == 0 {
        return Err(Error::Value(format!("{what}: empty input of size {}", size_string(s))));
    }
    Ok((s[0], inner))
}

/// `f(channel)` for every channel, on the pool when the tensor is large.
fn per_channel<R: Send>(c: usize, numel: usize, f: impl Fn(usize) -> R + Sync + Send) -> Vec<R> {
    if numel < PARALLEL_GRAIN || parallel::num_threads() < 2 || c < 2 {
        return (0..c).map(f).collect();
    }
    parallel::install(|| (0..c).into_par_iter().map(f).collect())
}

/// Σ over channel f's runs of `term(x)` in f64.
#[inline(always)]
fn channel_sum<T: Float>(
    x: &[T],
    b: usize,
    c: usize,
    inner: usize,
    f: usize,
    term: impl Fn(T) -> f64,
) -> f64 {
    let mut s = 0.0;
    for bi in 0..b {
        let start = (bi * c + f) * inner;
        s += x[start..start + inner].iter().map(|&v| term(v)).sum::<f64>();
    }
    s
}

fn per_feature<T: Float>(
    t: Option<&Tensor>,
    c: usize,
    default: f64,
    what: &str,
    name: &str,
) -> Result<Vec<T>> {
    match t {
        Some(t) if t.numel() == c => t.to_vec::<T>(),
        Some(t) => Err(Error::Value(format!(
            "{what}: {name} has size {}, expected {c} elements",
            size_string(t.sizes())
        ))),
        None => Ok(vec![T::of(default); c]),
    }
}

/// Forward: normalizes `input` into `output` with the batch statistics (train, also updating
/// the running estimates and saving mean and 1/std) or the running ones.
#[allow(clippy::too_many_arguments)]
pub fn spatial_batch_normalization_update_output(
    input: &Tensor,
    output: &mut Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    running_mean: &Tensor,
    running_var: &Tensor,
    save_mean: &mut Tensor,
    save_std: &mut Tensor,
    train: bool,
    momentum: f64,
    eps: f64,
    what: &str,
) -> Result<()> {
    float_dispatch!(
        input.dtype(),
        what,
        bn_forward(
            input,
            output,
            weight,
            bias,
            running_mean,
            running_var,
            save_mean,
            save_std,
            train,
            momentum,
            eps,
            what
        )
    )
}

#[allow(clippy::too_many_arguments)]
fn bn_forward<T: Float>(
    input: &Tensor,
    output: &mut Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    running_mean: &Tensor,
    running_var: &Tensor,
    save_mean: &mut Tensor,
    save_std: &mut Tensor,
    train: bool,
    momentum: f64,
    eps: f64,
    what: &str,
) -> Result<()> {
    let c = running_mean.numel();
    if running_var.numel() != c {
        return Err(Error::Value(format!(
            "{what}: running_var has {} elements, expected {c}",
            running_var.numel()
        )));
    }
    let (b, inner) = shape(input, c, what)?;
    let x = read::<T>(input, what, "input")?;
    let x = x.slice();
    let n = (b * inner) as f64;
    let (mean, invstd): (Vec<f64>, Vec<f64>) = if train {
        let stats = per_channel(c, x.len(), |f| {
            let mean = channel_sum(x, b, c, inner, f, |v| v.to_f64()) / n;
            let sq = channel_sum(x, b, c, inner, f, |v| (v.to_f64() - mean) * (v.to_f64() - mean));
            (mean, sq)
        });
        let invstd: Vec<f64> = stats
            .iter()
            .map(|&(_, s)| if s == 0.0 && eps == 0.0 { 0.0 } else { 1.0 / (s / n + eps).sqrt() })
            .collect();
        in_place::<T>(running_mean, what, "running_mean", |rm| {
            for (r, (m, _)) in rm.iter_mut().zip(&stats) {
                *r = T::of(momentum * m + (1.0 - momentum) * r.to_f64());
            }
        })?;
        in_place::<T>(running_var, what, "running_var", |rv| {
            for (r, (_, s)) in rv.iter_mut().zip(&stats) {
                *r = T::of(momentum * s / (n - 1.0) + (1.0 - momentum) * r.to_f64());
            }
        })?;
        let mean: Vec<f64> = stats.iter().map(|s| s.0).collect();
        let mut sm = Out::<T>::new(save_mean, &[c], &[input])?;
        sm.slice().iter_mut().zip(&mean).for_each(|(d, m)| *d = T::of(*m));
        let mut ss = Out::<T>::new(save_std, &[c], &[input])?;
        ss.slice().iter_mut().zip(&invstd).for_each(|(d, s)| *d = T::of(*s));
        (mean, invstd)
    } else {
        let (rm, rv) = (running_mean.to_vec::<f64>()?, running_var.to_vec::<f64>()?);
        (rm, rv.iter().map(|v| 1.0 / (v + eps).sqrt()).collect())
    };
    let w = per_feature::<T>(weight, c, 1.0, what, "weight")?;
    let bs = per_feature::<T>(bias, c, 0.0, what, "bias")?;
    // y = x·scale + shift per channel, folded once: (x − mean)·invstd·w + b.
    let scale: Vec<T> = (0..c).map(|f| T::of(invstd[f]) * w[f]).collect();
    let shift: Vec<T> = (0..c).map(|f| bs[f] - T::of(mean[f]) * scale[f]).collect();
    let mut out = Out::<T>::new(output, input.sizes(), &[input])?;
    for_each_item(out.slice(), inner, inner, |i, y| {
        let (f, xs) = (i % c, &x[i * inner..(i + 1) * inner]);
        let (s, t) = (scale[f], shift[f]);
        y.iter_mut().zip(xs).for_each(|(y, x)| *y = *x * s + t);
    });
    Ok(())
}

/// Backward: gradInput (when given) and the accumulated parameter gradients (when given).
#[allow(clippy::too_many_arguments)]
pub fn spatial_batch_normalization_backward(
    input: &Tensor,
    grad_output: &Tensor,
    grad_input: Option<&mut Tensor>,
    grad_weight: Option<&Tensor>,
    grad_bias: Option<&Tensor>,
    weight: Option<&Tensor>,
    running_mean: &Tensor,
    running_var: &Tensor,
    save_mean: &Tensor,
    save_std: &Tensor,
    train: bool,
    scale: f64,
    eps: f64,
    what: &str,
) -> Result<()> {
    float_dispatch!(
        input.dtype(),
        what,
        bn_backward(
            input,
            grad_output,
            grad_input,
            grad_weight,
            grad_bias,
            weight,
            running_mean,
            running_var,
            save_mean,
            save_std,
            train,
            scale,
            eps,
            what
        )
    )
}

#[allow(clippy::too_many_arguments)]
fn bn_backward<T: Float>(
    input: &Tensor,
    grad_output: &Tensor,
    grad_input: Option<&mut Tensor>,
    grad_weight: Option<&Tensor>,
    grad_bias: Option<&Tensor>,
    weight: Option<&Tensor>,
    running_mean: &Tensor,
    running_var: &Tensor,
    save_mean: &Tensor,
    save_std: &Tensor,
    train: bool,
    scale: f64,
    eps: f64,
    what: &str,
) -> Result<()> {
    let c = running_mean.numel();
    let (b, inner) = shape(input, c, what)?;
    check_grad_output(grad_output, input.sizes(), what)?;
    if train && (save_mean.numel() != c || save_std.numel() != c) {
        return Err(Error::Runtime(format!(
            "{what}: backward before a training forward (call forward first)"
        )));
    }
    let (mean, invstd): (Vec<f64>, Vec<f64>) = if train {
        (save_mean.to_vec::<f64>()?, save_std.to_vec::<f64>()?)
    } else {
        let rv = running_var.to_vec::<f64>()?;
        (running_mean.to_vec::<f64>()?, rv.iter().map(|v| 1.0 / (v + eps).sqrt()).collect())
    };
    let (x, g) = (read::<T>(input, what, "input")?, read::<T>(grad_output, what, "gradOutput")?);
    let (x, g) = (x.slice(), g.slice());
    let n = (b * inner) as f64;
    // Σ g and Σ (x − mean)·g per channel.
    let sums = per_channel(c, x.len(), |f| {
        let (mut sum, mut dot) = (0.0, 0.0);
        for bi in 0..b {
            let r = (bi * c + f) * inner..(bi * c + f + 1) * inner;
            for (xv, gv) in x[r.clone()].iter().zip(&g[r]) {
                sum += gv.to_f64();
                dot += (xv.to_f64() - mean[f]) * gv.to_f64();
            }
        }
        (sum, dot)
    });
    if let Some(gi) = grad_input {
        let w = per_feature::<T>(weight, c, 1.0, what, "weight")?;
        // train: gi = (g − Σg/n − (x − mean)·k)·invstd·w with k = dot·invstd²/n, as
        // g·a + x·bx + c0 per channel; evaluation: g·invstd·w.
        let coefs: Vec<(T, T, T)> = (0..c)
            .map(|f| {
                let a = invstd[f] * w[f].to_f64();
                if !train {
                    return (T::of(a), T::ZERO, T::ZERO);
                }
                let k = sums[f].1 * invstd[f] * invstd[f] / n;
                (T::of(a), T::of(-k * a), T::of((mean[f] * k - sums[f].0 / n) * a))
            })
            .collect();
        let mut out = Out::<T>::new(gi, input.sizes(), &[input, grad_output])?;
        for_each_item(out.slice(), inner, inner, |i, d| {
            let f = i % c;
            let (a, bx, c0) = coefs[f];
            let r = i * inner..(i + 1) * inner;
            for ((d, xv), gv) in d.iter_mut().zip(&x[r.clone()]).zip(&g[r]) {
                *d = *gv * a + *xv * bx + c0;
            }
        });
    }
    if let Some(gw) = grad_weight {
        if gw.numel() != c {
            return Err(Error::Value(format!(
                "{what}: gradWeight has {} elements, expected {c}",
                gw.numel()
            )));
        }
        in_place::<T>(gw, what, "gradWeight", |d| {
            for (f, d) in d.iter_mut().enumerate() {
                *d = T::of(d.to_f64() + scale * sums[f].1 * invstd[f]);
            }
        })?;
    }
    if let Some(gb) = grad_bias {
        if gb.numel() != c {
            return Err(Error::Value(format!("{what}: gradBias has {} elements, expected {c}", gb.numel())));
        }
        in_place::<T>(gb, what, "gradBias", |d| {
            for (f, d) in d.iter_mut().enumerate() {
                *d = T::of(d.to_f64() + scale * sums[f].0);
            }
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::misc::batch_normalization as reference;
    use crate::DType;

    #[test]
    fn matches_the_batch_normalization_kernel() {
        let x: Vec<f64> = (0..48).map(|i| ((i * 37 % 11) as f64 - 5.0) / 3.0).collect();
        let g: Vec<f64> = (0..48).map(|i| ((i * 13 % 7) as f64 - 3.0) / 2.0).collect();
        let x = Tensor::from_slice(&x, &[2, 3, 2, 4]).unwrap();
        let g = Tensor::from_slice(&g, &[2, 3, 2, 4]).unwrap();
        let w = Tensor::from_slice(&[0.5, 1.5, -1.0], &[3]).unwrap();
        let bias = Tensor::from_slice(&[0.1, 0.0, 2.0], &[3]).unwrap();
        let mut results = vec![];
        for fast in [false, true] {
            let rm = Tensor::zeros(DType::Double, &[3]).unwrap();
            let rv = Tensor::from_slice(&[1.0, 1.0, 1.0], &[3]).unwrap();
            let (mut y, mut sm, mut ss, mut gi) = (
                Tensor::empty(DType::Double),
                Tensor::empty(DType::Double),
                Tensor::empty(DType::Double),
                Tensor::empty(DType::Double),
            );
            let gw = Tensor::zeros(DType::Double, &[3]).unwrap();
            let gb = Tensor::zeros(DType::Double, &[3]).unwrap();
            if fast {
                spatial_batch_normalization_update_output(
                    &x,
                    &mut y,
                    Some(&w),
                    Some(&bias),
                    &rm,
                    &rv,
                    &mut sm,
                    &mut ss,
                    true,
                    0.1,
                    1e-5,
                    "t",
                )
                .unwrap();
                spatial_batch_normalization_backward(
                    &x,
                    &g,
                    Some(&mut gi),
                    Some(&gw),
                    Some(&gb),
                    Some(&w),
                    &rm,
                    &rv,
                    &sm,
                    &ss,
                    true,
                    0.5,
                    1e-5,
                    "t",
                )
                .unwrap();
            } else {
                reference::batch_normalization_update_output(
                    &x,
                    &mut y,
                    Some(&w),
                    Some(&bias),
                    &rm,
                    &rv,
                    &mut sm,
                    &mut ss,
                    true,
                    0.1,
                    1e-5,
                    "t",
                )
                .unwrap();
                reference::batch_normalization_backward(
                    &x,
                    &g,
                    Some(&mut gi),
                    Some(&gw),
                    Some(&gb),
                    Some(&w),
                    &rm,
                    &rv,
                    &sm,
                    &ss,
                    true,
                    0.5,
                    1e-5,
                    "t",
                )
                .unwrap();
            }
            results.push([y, gi, gw, gb, rm, rv].map(|t| t.to_vec::<f64>().unwrap()));
        }
        for (a, b) in results[0].iter().zip(&results[1]) {
            for (u, v) in a.iter().zip(b) {
                assert!((u - v).abs() < 1e-12, "{u} vs {v}");
            }
        }
    }
}
