//! Temporal (sequence) layers over (T, F) frames or (B, T, F) batches: Torch7's
//! TemporalConvolution (a GEMM over the frame windows, which are contiguous spans of a
//! row-major input and so a strided view, no unfold copy), TemporalSubSampling and
//! TemporalRowConvolution (per-feature windows, direct loops), and LookupTable's gradient and
//! max-norm kernels (the forward is the engine's index_select).

use super::spatial_io::{check_grad_output, float_dispatch, for_each_item, in_place, read, Float, Out};
use crate::layout::{size_string, Layout};
use crate::ops::linalg::addmm_into;
use crate::{Error, Result, Scalar, Tensor};

/// (batch or None, T, F, T') of a temporal input, checked against F and the window.
fn frames(
    input: &Tensor,
    n_feat: usize,
    kw: usize,
    dw: usize,
    what: &str,
) -> Result<(Option<usize>, usize, usize)> {
    let (b, t, f) = match *input.sizes() {
        [t, f] => (None, t, f),
        [b, t, f] => (Some(b), t, f),
        _ => {
            return Err(Error::Value(format!(
            "{what}: expected a 2D (nInputFrame x {n_feat}) or 3D (batch x nInputFrame x {n_feat}) input, \
                 got size {}",
            size_string(input.sizes())
        )))
        }
    };
    if f != n_feat {
        return Err(Error::Value(format!(
            "{what}: expected input frames of size {n_feat}, got an input of size {}",
            size_string(input.sizes())
        )));
    }
    if kw == 0 || dw == 0 {
        return Err(Error::Value(format!("{what}: kW and dW must be positive, got kW={kw}, dW={dw}")));
    }
    if t < kw {
        return Err(Error::Value(format!(
            "{what}: input sequence of {t} frames is smaller than the kernel size {kw} (input size {})",
            size_string(input.sizes())
        )));
    }
    Ok((b, t, (t - kw) / dw + 1))
}

fn with_batch(b: Option<usize>, rest: &[usize]) -> Vec<usize> {
    b.into_iter().chain(rest.iter().copied()).collect()
}

/// The (T', kW·F) matrix of frame windows of a contiguous (T, F) sample: window t starts at
/// frame t·dW and spans kW whole frames, which are consecutive in memory.
fn windows(sample: &Tensor, t_out: usize, kw: usize, dw: usize) -> Result<Tensor> {
    let f = sample.sizes()[1];
    sample.restrided(Layout {
        offset: sample.storage_offset(),
        sizes: [t_out, kw * f].into_iter().collect(),
        strides: [dw * f, 1].into_iter().collect(),
    })
}

fn samples(t: &Tensor, batch: Option<usize>) -> Result<Vec<Tensor>> {
    match batch {
        None => Ok(vec![t.clone()]),
        Some(b) => (0..b as i64).map(|i| t.select(0, i)).collect(),
    }
}

fn check_weight(weight: &Tensor, n_out: usize, width: usize, what: &str) -> Result<()> {
    if weight.sizes() != [n_out, width] {
        return Err(Error::Value(format!(
            "{what}: weight of size {} does not match {n_out}x{width}",
            size_string(weight.sizes())
        )));
    }
    Ok(())
}

/// TemporalConvolution forward: `out[t] = bias + W · vec(in[t·dW .. t·dW + kW])` (weight
/// outputFrameSize × kW·inputFrameSize).
pub fn temporal_convolution_update_output(
    input: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    output: &mut Tensor,
    kw: usize,
    dw: usize,
    what: &str,
) -> Result<()> {
    let n_out = weight.sizes().first().copied().unwrap_or(0);
    let n_in = weight.sizes().get(1).copied().unwrap_or(0) / kw.max(1);
    let (b, _, t_out) = frames(input, n_in, kw, dw, what)?;
    check_weight(weight, n_out, kw * n_in, what)?;
    let x = input.contiguous()?;
    let sizes = with_batch(b, &[t_out, n_out]);
    if output.sizes() != sizes.as_slice() || !output.is_contiguous() || output.dtype() != x.dtype() {
        *output = Tensor::zeros(x.dtype(), &sizes)?;
    }
    let wt = weight.t()?;
    for (xs, os) in samples(&x, b)?.iter().zip(samples(output, b)?) {
        os.copy_(&bias.unsqueeze(0)?.expand(&[t_out, n_out])?)?;
        addmm_into(&os, Scalar::Int(1), &os, Scalar::Int(1), &windows(xs, t_out, kw, dw)?, &wt)?;
    }
    Ok(())
}

/// TemporalConvolution backward: `gradWindows = gradOutput · W`, added back onto the frames
/// each window covers (windows overlap when dW < kW).
pub fn temporal_convolution_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    grad_input: &mut Tensor,
    kw: usize,
    dw: usize,
    what: &str,
) -> Result<()> {
    let n_out = weight.sizes().first().copied().unwrap_or(0);
    let n_in = weight.sizes().get(1).copied().unwrap_or(0) / kw.max(1);
    let (b, t, t_out) = frames(input, n_in, kw, dw, what)?;
    check_weight(weight, n_out, kw * n_in, what)?;
    check_grad_output(grad_output, &with_batch(b, &[t_out, n_out]), what)?;
    let go = grad_output.contiguous()?;
    let nb = b.unwrap_or(1);
    let win = Tensor::zeros(input.dtype(), &[nb, t_out, kw * n_in])?;
    for (i, gs) in samples(&go, b)?.iter().enumerate() {
        let ws = win.select(0, i as i64)?;
        addmm_into(&ws, Scalar::Int(0), &ws, Scalar::Int(1), gs, weight)?;
    }
    float_dispatch!(input.dtype(), what, fold_windows(input, &win, grad_input, t, n_in, kw, dw, what))
}

/// gradInput[b, t·dW + k, :] += windows[b, t, k·F .. (k+1)·F].
#[allow(clippy::too_many_arguments)]
fn fold_windows<T: Float>(
    input: &Tensor,
    win: &Tensor,
    grad_input: &mut Tensor,
    t: usize,
    f: usize,
    kw: usize,
    dw: usize,
    what: &str,
) -> Result<()> {
    let w = read::<T>(win, what, "windows")?;
    let w = w.slice();
    let t_out = (t - kw) / dw + 1;
    let mut out = Out::<T>::new(grad_input, input.sizes(), &[win])?;
    for_each_item(out.slice(), t * f, t_out * kw * f, |bi, gi| {
        gi.fill(T::ZERO);
        let ws = &w[bi * t_out * kw * f..(bi + 1) * t_out * kw * f];
        for (to, row) in ws.chunks(kw * f).enumerate() {
            let dst = &mut gi[to * dw * f..to * dw * f + kw * f];
            dst.iter_mut().zip(row).for_each(|(d, s)| *d = *d + *s);
        }
    });
    Ok(())
}

/// TemporalConvolution: `gradWeight += scale · gradOutputᵀ · windows`,
/// `gradBias += scale · Σ_t gradOutput[t]`.
#[allow(clippy::too_many_arguments)]
pub fn temporal_convolution_acc_grad_parameters(
    input: &Tensor,
    grad_output: &Tensor,
    grad_weight: &Tensor,
    grad_bias: &Tensor,
    kw: usize,
    dw: usize,
    scale: f64,
    what: &str,
) -> Result<()> {
    let n_out = grad_weight.sizes().first().copied().unwrap_or(0);
    let n_in = grad_weight.sizes().get(1).copied().unwrap_or(0) / kw.max(1);
    let (b, _, t_out) = frames(input, n_in, kw, dw, what)?;
    check_weight(grad_weight, n_out, kw * n_in, what)?;
    check_grad_output(grad_output, &with_batch(b, &[t_out, n_out]), what)?;
    let (x, go) = (input.contiguous()?, grad_output.contiguous()?);
    let one = Scalar::Int(1);
    let ones = Tensor::from_slice(&vec![1.0f64; t_out], &[1, t_out])?.to_dtype(x.dtype())?;
    let gb = grad_bias.view(&[1, -1])?;
    for (xs, gs) in samples(&x, b)?.iter().zip(samples(&go, b)?) {
        addmm_into(
            grad_weight,
            one,
            grad_weight,
            Scalar::Float(scale),
            &gs.t()?,
            &windows(xs, t_out, kw, dw)?,
        )?;
        addmm_into(&gb, one, &gb, Scalar::Float(scale), &ones, &gs)?;
    }
    Ok(())
}

/// The layout of a per-feature temporal layer's input: (batch, T, F) plus the strides of time
/// and feature in a contiguous sample ((T, F) rows, or (F, T) with featFirst).
struct Rows {
    batch: Option<usize>,
    t: usize,
    f: usize,
    t_out: usize,
    feat_first: bool,
}

impl Rows {
    fn of(input: &Tensor, n_feat: usize, kw: usize, dw: usize, feat_first: bool, what: &str) -> Result<Rows> {
        if !feat_first {
            let (batch, t, t_out) = frames(input, n_feat, kw, dw, what)?;
            return Ok(Rows { batch, t, f: n_feat, t_out, feat_first });
        }
        // featFirst: (F, T) / (B, F, T); check it through the frame-major view.
        let nd = input.ndim();
        let swapped = if nd >= 2 { input.transpose(nd as i64 - 2, nd as i64 - 1)? } else { input.clone() };
        let (batch, t, t_out) = frames(&swapped, n_feat, kw, dw, what)?;
        Ok(Rows { batch, t, f: n_feat, t_out, feat_first })
    }

    /// (offset of element (t, i) in a sample, output sample size / sizes).
    #[inline(always)]
    fn at(&self, t: usize, i: usize, len_t: usize) -> usize {
        if self.feat_first {
            i * len_t + t
        } else {
            t * self.f + i
        }
    }

    fn out_sizes(&self) -> Vec<usize> {
        let s = if self.feat_first { [self.f, self.t_out] } else { [self.t_out, self.f] };
        with_batch(self.batch, &s)
    }
}

/// TemporalSubSampling / TemporalRowConvolution forward:
/// `out[t][i] = bias_i + Σ_{k<kW} w(i, k) · in[t·dW + k][i]`, where w(i, k) is weight[i] for
/// SubSampling (`row` false; weight F) and weight[i][k] for RowConvolution (weight F × kW).
#[allow(clippy::too_many_arguments)]
pub fn temporal_rows_update_output(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    output: &mut Tensor,
    kw: usize,
    dw: usize,
    row: bool,
    feat_first: bool,
    what: &str,
) -> Result<()> {
    float_dispatch!(
        input.dtype(),
        what,
        rows_forward(input, weight, bias, output, kw, dw, row, feat_first, what)
    )
}

fn row_weights<T: Float>(weight: &Tensor, f: usize, kw: usize, row: bool, what: &str) -> Result<Vec<T>> {
    let want = if row { f * kw } else { f };
    if weight.numel() != want {
        return Err(Error::Value(format!(
            "{what}: weight of size {} does not hold {want} elements",
            size_string(weight.sizes())
        )));
    }
    let w = weight.to_vec::<T>()?;
    Ok(if row { w } else { w.iter().flat_map(|&v| std::iter::repeat_n(v, kw)).collect() })
}

/// The per-feature weights w(i, k) (feature-major, F × kW) reordered tap-major (kW × F), so that
/// a tap's weights are contiguous beside the contiguous features of a (T, F) row.
fn tap_major<T: Float>(w: &[T], f: usize, kw: usize) -> Vec<T> {
    (0..kw * f).map(|j| w[(j % f) * kw + j / f]).collect()
}

#[allow(clippy::too_many_arguments)]
fn rows_forward<T: Float>(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    output: &mut Tensor,
    kw: usize,
    dw: usize,
    row: bool,
    feat_first: bool,
    what: &str,
) -> Result<()> {
    let f = weight.sizes().first().copied().unwrap_or(0);
    let r = Rows::of(input, f, kw, dw, feat_first, what)?;
    let w = row_weights::<T>(weight, f, kw, row, what)?;
    let b = match bias {
        Some(b) if b.numel() == f => b.to_vec::<T>()?,
        Some(b) => {
            return Err(Error::Value(format!(
                "{what}: bias of size {} does not match {f}",
                size_string(b.sizes())
            )))
        }
        None => vec![T::ZERO; f],
    };
    let x = read::<T>(input, what, "input")?;
    let x = x.slice();
    let (t, t_out) = (r.t, r.t_out);
    let mut out = Out::<T>::new(output, &r.out_sizes(), &[input])?;
    let wt = tap_major(&w, f, kw);
    // Loops run time, tap, feature: the feature index is the contiguous one in (T, F) rows.
    for_each_item(out.slice(), t_out * f, t_out * f * kw, |bi, y| {
        let xs = &x[bi * t * f..(bi + 1) * t * f];
        y.fill(T::ZERO);
        if !feat_first {
            // Contiguous feature rows (the same per-element order as the general loop below).
            for (to, yr) in y.chunks_exact_mut(f.max(1)).enumerate().take(t_out) {
                for k in 0..kw {
                    let xr = &xs[(to * dw + k) * f..(to * dw + k + 1) * f];
                    if row {
                        for ((o, &v), &wv) in yr.iter_mut().zip(xr).zip(&wt[k * f..(k + 1) * f]) {
                            *o = *o + wv * v;
                        }
                    } else {
                        for (o, &v) in yr.iter_mut().zip(xr) {
                            *o = *o + v;
                        }
                    }
                }
                for (i, o) in yr.iter_mut().enumerate() {
                    *o = if row { *o + b[i] } else { *o * w[i * kw] + b[i] };
                }
            }
            return;
        }
        for to in 0..t_out {
            for k in 0..kw {
                for i in 0..f {
                    let v = xs[r.at(to * dw + k, i, t)];
                    let o = r.at(to, i, t_out);
                    // SubSampling sums the window first and scales once (THNN's order).
                    y[o] = y[o] + if row { w[i * kw + k] * v } else { v };
                }
            }
            for i in 0..f {
                let o = r.at(to, i, t_out);
                y[o] = if row { y[o] + b[i] } else { y[o] * w[i * kw] + b[i] };
            }
        }
    });
    Ok(())
}

/// Backward of the per-feature layers: `gradInput[t·dW + k][i] += w(i, k) · gradOutput[t][i]`.
#[allow(clippy::too_many_arguments)]
pub fn temporal_rows_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    grad_input: &mut Tensor,
    kw: usize,
    dw: usize,
    row: bool,
    feat_first: bool,
    what: &str,
) -> Result<()> {
    float_dispatch!(
        input.dtype(),
        what,
        rows_backward(input, grad_output, weight, grad_input, kw, dw, row, feat_first, what)
    )
}

#[allow(clippy::too_many_arguments)]
fn rows_backward<T: Float>(
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    grad_input: &mut Tensor,
    kw: usize,
    dw: usize,
    row: bool,
    feat_first: bool,
    what: &str,
) -> Result<()> {
    let f = weight.sizes().first().copied().unwrap_or(0);
    let r = Rows::of(input, f, kw, dw, feat_first, what)?;
    check_grad_output(grad_output, &r.out_sizes(), what)?;
    let w = row_weights::<T>(weight, f, kw, row, what)?;
    let g = read::<T>(grad_output, what, "gradOutput")?;
    let g = g.slice();
    let (t, t_out) = (r.t, r.t_out);
    let mut out = Out::<T>::new(grad_input, input.sizes(), &[grad_output])?;
    let wt = tap_major(&w, f, kw);
    for_each_item(out.slice(), t * f, t_out * f * kw, |bi, gi| {
        gi.fill(T::ZERO);
        let gs = &g[bi * t_out * f..(bi + 1) * t_out * f];
        if !feat_first {
            // Contiguous feature rows, as in the forward.
            for to in 0..t_out {
                let gr = &gs[to * f..(to + 1) * f];
                for k in 0..kw {
                    let p = (to * dw + k) * f;
                    for ((d, &gv), &wv) in gi[p..p + f].iter_mut().zip(gr).zip(&wt[k * f..(k + 1) * f]) {
                        *d = *d + wv * gv;
                    }
                }
            }
            return;
        }
        for to in 0..t_out {
            for k in 0..kw {
                for i in 0..f {
                    let p = r.at(to * dw + k, i, t);
                    gi[p] = gi[p] + w[i * kw + k] * gs[r.at(to, i, t_out)];
                }
            }
        }
    });
    Ok(())
}

/// Parameter gradients of the per-feature layers: `gradWeight(i, k) += scale · Σ_t
/// gradOutput[t][i] · in[t·dW + k][i]` (SubSampling sums over k too), `gradBias_i += scale ·
/// Σ_t gradOutput[t][i]`.
#[allow(clippy::too_many_arguments)]
pub fn temporal_rows_acc_grad_parameters(
    input: &Tensor,
    grad_output: &Tensor,
    grad_weight: &Tensor,
    grad_bias: Option<&Tensor>,
    kw: usize,
    dw: usize,
    row: bool,
    feat_first: bool,
    scale: f64,
    what: &str,
) -> Result<()> {
    float_dispatch!(
        input.dtype(),
        what,
        rows_acc(input, grad_output, grad_weight, grad_bias, kw, dw, row, feat_first, scale, what)
    )
}

#[allow(clippy::too_many_arguments)]
fn rows_acc<T: Float>(
    input: &Tensor,
    grad_output: &Tensor,
    grad_weight: &Tensor,
    grad_bias: Option<&Tensor>,
    kw: usize,
    dw: usize,
    row: bool,
    feat_first: bool,
    scale: f64,
    what: &str,
) -> Result<()> {
    let f = grad_weight.sizes().first().copied().unwrap_or(0);
    let r = Rows::of(input, f, kw, dw, feat_first, what)?;
    check_grad_output(grad_output, &r.out_sizes(), what)?;
    let (x, g) = (read::<T>(input, what, "input")?, read::<T>(grad_output, what, "gradOutput")?);
    let (x, g) = (x.slice(), g.slice());
    let (t, t_out, nb) = (r.t, r.t_out, r.batch.unwrap_or(1));
    let mut dw_acc = vec![T::ZERO; f * kw];
    let mut db_acc = vec![T::ZERO; f];
    for bi in 0..nb {
        let (xs, gs) = (&x[bi * t * f..(bi + 1) * t * f], &g[bi * t_out * f..(bi + 1) * t_out * f]);
        for to in 0..t_out {
            for i in 0..f {
                db_acc[i] = db_acc[i] + gs[r.at(to, i, t_out)];
            }
            for k in 0..kw {
                for i in 0..f {
                    let go = gs[r.at(to, i, t_out)];
                    dw_acc[i * kw + k] = dw_acc[i * kw + k] + go * xs[r.at(to * dw + k, i, t)];
                }
            }
        }
    }
    let s = T::of(scale);
    let want = if row { f * kw } else { f };
    if grad_weight.numel() != want {
        return Err(Error::Value(format!(
            "{what}: gradWeight of size {} does not hold {want} elements",
            size_string(grad_weight.sizes())
        )));
    }
    in_place::<T>(grad_weight, what, "gradWeight", |gw| {
        for i in 0..f {
            if row {
                for k in 0..kw {
                    gw[i * kw + k] = gw[i * kw + k] + s * dw_acc[i * kw + k];
                }
            } else {
                let sum = dw_acc[i * kw..(i + 1) * kw].iter().fold(T::ZERO, |a, v| a + *v);
                gw[i] = gw[i] + s * sum;
            }
        }
    })?;
    if let Some(gb) = grad_bias {
        if gb.numel() != f {
            return Err(Error::Value(format!(
                "{what}: gradBias of size {} does not match {f}",
                size_string(gb.sizes())
            )));
        }
        in_place::<T>(gb, what, "gradBias", |gb| {
            gb.iter_mut().zip(&db_acc).for_each(|(g, d)| *g = *g + s * *d);
        })?;
    }
    Ok(())
}

/// The 0-based row indices of a LookupTable input (any integer or float type holding
/// integers), checked against nIndex (IndexError naming the value).
fn lookup_indices(input: &Tensor, n_index: usize, what: &str) -> Result<Vec<i64>> {
    if input.ndim() > 2 {
        return Err(Error::Value(format!(
            "{what}: input must be a vector or matrix, got size {}",
            size_string(input.sizes())
        )));
    }
    let idx = input.to_vec::<i64>()?;
    if let Some(bad) = idx.iter().find(|&&i| i < 0 || i as usize >= n_index) {
        return Err(Error::Index(format!("{what}: index {bad} out of range for {n_index} rows (0-based)")));
    }
    Ok(idx)
}

/// LookupTable: `gradWeight[input[i]] += scale · gradOutput[i]` for every entry not equal to
/// `padding` (divided by the index's count in the input when `scale_by_freq`).
pub fn lookup_table_acc_grad_parameters(
    input: &Tensor,
    grad_output: &Tensor,
    grad_weight: &Tensor,
    padding: Option<i64>,
    scale_by_freq: bool,
    scale: f64,
    what: &str,
) -> Result<()> {
    float_dispatch!(
        grad_weight.dtype(),
        what,
        lookup_acc(input, grad_output, grad_weight, padding, scale_by_freq, scale, what)
    )
}

fn lookup_acc<T: Float>(
    input: &Tensor,
    grad_output: &Tensor,
    grad_weight: &Tensor,
    padding: Option<i64>,
    scale_by_freq: bool,
    scale: f64,
    what: &str,
) -> Result<()> {
    let (n_index, d) = match *grad_weight.sizes() {
        [n, d] => (n, d),
        _ => return Err(Error::Value(format!("{what}: gradWeight must be a matrix"))),
    };
    let idx = lookup_indices(input, n_index, what)?;
    let mut expected = input.sizes().to_vec();
    expected.push(d);
    check_grad_output(grad_output, &expected, what)?;
    let g = read::<T>(grad_output, what, "gradOutput")?;
    let g = g.slice();
    let mut count = std::collections::HashMap::new();
    if scale_by_freq {
        idx.iter().for_each(|&i| *count.entry(i).or_insert(0usize) += 1);
    }
    in_place::<T>(grad_weight, what, "gradWeight", |gw| {
        for (n, &i) in idx.iter().enumerate() {
            if Some(i) == padding {
                continue;
            }
            let s = if scale_by_freq { scale / count[&i] as f64 } else { scale };
            let s = T::of(s);
            let dst = &mut gw[i as usize * d..(i as usize + 1) * d];
            dst.iter_mut().zip(&g[n * d..(n + 1) * d]).for_each(|(w, g)| *w = *w + s * *g);
        }
    })
}

/// LookupTable's maxNorm: every row the input references whose p-norm exceeds `max_norm` is
/// scaled to `max_norm / (norm + 1e-7)` times itself (THNN's LookupTable_renorm).
pub fn lookup_table_renorm(
    input: &Tensor,
    weight: &Tensor,
    max_norm: f64,
    norm_type: f64,
    what: &str,
) -> Result<()> {
    float_dispatch!(weight.dtype(), what, lookup_renorm(input, weight, max_norm, norm_type, what))
}

fn lookup_renorm<T: Float>(input: &Tensor, weight: &Tensor, max_norm: f64, p: f64, what: &str) -> Result<()> {
    let (n_index, d) = match *weight.sizes() {
        [n, d] => (n, d),
        _ => return Err(Error::Value(format!("{what}: weight must be a matrix"))),
    };
    let mut idx = lookup_indices(input, n_index, what)?;
    idx.sort_unstable();
    idx.dedup();
    in_place::<T>(weight, what, "weight", |w| {
        for &i in &idx {
            let row = &mut w[i as usize * d..(i as usize + 1) * d];
            let norm = if p == 1.0 {
                row.iter().map(|v| v.to_f64().abs()).sum::<f64>()
            } else {
                row.iter().map(|v| v.to_f64().abs().powf(p)).sum::<f64>().powf(1.0 / p)
            };
            if norm > max_norm {
                let factor = T::of(max_norm / (norm + 1e-7));
                row.iter_mut().for_each(|v| *v = *v * factor);
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    fn t(v: &[f64], s: &[usize]) -> Tensor {
        Tensor::from_slice(v, s).unwrap()
    }

    #[test]
    fn temporal_convolution_windows_are_frame_major() {
        // 4 frames of 2 features, kW 2, dW 1, one output feature summing the window
        let x = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0], &[4, 2]);
        let w = t(&[1.0, 10.0, 100.0, 1000.0], &[1, 4]);
        let b = t(&[0.5], &[1]);
        let mut out = Tensor::empty(DType::Double);
        temporal_convolution_update_output(&x, &w, &b, &mut out, 2, 1, "t").unwrap();
        assert_eq!(out.to_vec::<f64>().unwrap(), vec![4321.5, 6543.5, 8765.5]);
    }

    #[test]
    fn sub_sampling_sums_each_window() {
        let x = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]);
        let w = t(&[1.0, 2.0], &[2]);
        let mut out = Tensor::empty(DType::Double);
        temporal_rows_update_output(&x, &w, None, &mut out, 2, 1, false, false, "t").unwrap();
        assert_eq!(out.to_vec::<f64>().unwrap(), vec![4.0, 12.0, 8.0, 20.0]);
    }

    #[test]
    fn lookup_indices_are_checked() {
        let e = lookup_indices(&t(&[0.0, 3.0], &[2]), 3, "nn.LookupTable").unwrap_err();
        assert!(format!("{e}").contains("index 3 out of range for 3 rows"), "{e}");
    }
}
