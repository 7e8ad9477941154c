//! Criterions over class-index targets (0-based): ClassNLL, CrossEntropy (a fused
//! log-softmax + NLL), SpatialClassNLL, MultiMargin and MultiLabelMargin.

use super::{check_input, class_error, class_weights, finish, store, value_error, values, ClassTargets};
use crate::layout::size_string;
use crate::{Result, Tensor};

const NLL: &str = "nn.ClassNLLCriterion";
const CROSS_ENTROPY: &str = "nn.CrossEntropyCriterion";
const SPATIAL_NLL: &str = "nn.SpatialClassNLLCriterion";
const MULTI_MARGIN: &str = "nn.MultiMarginCriterion";
const MULTI_LABEL: &str = "nn.MultiLabelMarginCriterion";

/// The rows of a (C) or (B×C) input: (rows, classes, batched).
fn rows_of(name: &str, sizes: &[usize]) -> Result<(usize, usize, bool)> {
    match *sizes {
        [c] => Ok((1, c, false)),
        [b, c] => Ok((b, c, true)),
        _ => {
            Err(value_error(name, format!("expected an input of size C or BxC, got {}", size_string(sizes))))
        }
    }
}

/// One sample's target class per row (None where the target is `ignore_index`), checked.
fn row_targets(
    name: &str,
    sizes: &[usize],
    targets: &ClassTargets,
    ignore_index: Option<i64>,
) -> Result<(usize, usize, bool, Vec<Option<usize>>)> {
    let (rows, classes, batched) = rows_of(name, sizes)?;
    if targets.values.len() != rows || targets.sizes.len() > 1 {
        let expected =
            if batched { format!("{rows} targets (a tensor of size {rows})") } else { "one target".into() };
        return Err(value_error(
            name,
            format!(
                "expected {expected} for an input of size {}, got {}",
                size_string(sizes),
                targets.describe()
            ),
        ));
    }
    let mut out = Vec::with_capacity(rows);
    for &t in &targets.values {
        if Some(t) == ignore_index {
            out.push(None);
        } else if t < 0 || t as u64 >= classes as u64 {
            return Err(class_error(name, t, classes));
        } else {
            out.push(Some(t as usize));
        }
    }
    Ok((rows, classes, batched, out))
}

/// Σ of the weights of the counted targets (Torch7's total_weight).
fn total_weight(picks: &[Option<usize>], w: &Option<Vec<f64>>) -> f64 {
    picks.iter().flatten().map(|&c| w.as_ref().map_or(1.0, |w| w[c])).sum()
}

/// The coefficient of row `r`'s gradient at its target (THNN's ClassNLL rule: in 1-D mode -1,
/// or -w[t] without sizeAverage; in batch mode -w[t], divided by the total weight with
/// sizeAverage).
fn nll_coefficient(class: usize, w: &Option<Vec<f64>>, batched: bool, size_average: bool, total: f64) -> f64 {
    let wt = w.as_ref().map_or(1.0, |w| w[class]);
    if !batched {
        return if !size_average && w.is_some() { -wt } else { -1.0 };
    }
    if size_average && total != 0.0 {
        -wt / total
    } else {
        -wt
    }
}

/// ClassNLLCriterion's loss: `-Σ w[t_i] x[i, t_i]` over targets other than `ignore_index`,
/// divided by `Σ w[t_i]` with sizeAverage. `input` holds log-probabilities, (C) or (B×C).
pub fn class_nll_update_output(
    input: &Tensor,
    targets: &ClassTargets,
    weights: Option<&Tensor>,
    size_average: bool,
    ignore_index: i64,
) -> Result<f64> {
    check_input(input, NLL)?;
    let (_, classes, _, picks) = row_targets(NLL, input.sizes(), targets, Some(ignore_index))?;
    let w = class_weights(NLL, weights, classes)?;
    let x = values(input)?;
    let mut loss = 0.0;
    for (r, pick) in picks.iter().enumerate() {
        if let Some(c) = *pick {
            loss -= x[r * classes + c] * w.as_ref().map_or(1.0, |w| w[c]);
        }
    }
    let total = total_weight(&picks, &w);
    if size_average && total != 0.0 {
        loss /= total;
    }
    Ok(finish(loss, input.dtype()))
}

/// ClassNLLCriterion's gradient: zero except at each row's target.
pub fn class_nll_update_grad_input(
    input: &Tensor,
    targets: &ClassTargets,
    weights: Option<&Tensor>,
    size_average: bool,
    ignore_index: i64,
    grad_input: &mut Tensor,
) -> Result<()> {
    check_input(input, NLL)?;
    let (_, classes, batched, picks) = row_targets(NLL, input.sizes(), targets, Some(ignore_index))?;
    let w = class_weights(NLL, weights, classes)?;
    let total = total_weight(&picks, &w);
    let mut g = vec![0.0; input.numel()];
    if total > 0.0 {
        for (r, pick) in picks.iter().enumerate() {
            if let Some(c) = *pick {
                g[r * classes + c] = nll_coefficient(c, &w, batched, size_average, total);
            }
        }
    }
    store(NLL, grad_input, input.dtype(), input.sizes(), &g)
}

/// The input's sizes without its singleton dims (Torch7's squeeze, keeping one dim).
fn squeezed(sizes: &[usize]) -> Vec<usize> {
    let s: Vec<usize> = sizes.iter().copied().filter(|&n| n != 1).collect();
    if s.is_empty() && !sizes.is_empty() {
        vec![1]
    } else {
        s
    }
}

/// log Σ_j e^{x_j} of one row, shifted by its max for stability.
fn log_sum_exp(row: &[f64]) -> f64 {
    let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + row.iter().map(|&v| (v - m).exp()).sum::<f64>().ln()
}

/// CrossEntropyCriterion's loss: ClassNLL of LogSoftMax(input) in one pass,
/// `Σ w[t] (log Σ_j e^{x_j} - x_t) / Σ w[t]`. The input (and target) are squeezed first, as
/// Torch7 did, so a 1×C input is one sample.
pub fn cross_entropy_update_output(
    input: &Tensor,
    targets: &ClassTargets,
    weights: Option<&Tensor>,
    size_average: bool,
    ignore_index: i64,
) -> Result<f64> {
    check_input(input, CROSS_ENTROPY)?;
    let sizes = squeezed(input.sizes());
    let (_, classes, _, picks) =
        row_targets(CROSS_ENTROPY, &sizes, &squeeze_targets(targets), Some(ignore_index))?;
    let w = class_weights(CROSS_ENTROPY, weights, classes)?;
    let x = values(input)?;
    let mut loss = 0.0;
    for (r, pick) in picks.iter().enumerate() {
        if let Some(c) = *pick {
            let row = &x[r * classes..(r + 1) * classes];
            loss += (log_sum_exp(row) - row[c]) * w.as_ref().map_or(1.0, |w| w[c]);
        }
    }
    let total = total_weight(&picks, &w);
    if size_average && total != 0.0 {
        loss /= total;
    }
    Ok(finish(loss, input.dtype()))
}

/// CrossEntropyCriterion's gradient: `coef · (onehot(t) - softmax(x))` per row, with ClassNLL's
/// coefficient; gradInput has the input's (unsqueezed) sizes.
pub fn cross_entropy_update_grad_input(
    input: &Tensor,
    targets: &ClassTargets,
    weights: Option<&Tensor>,
    size_average: bool,
    ignore_index: i64,
    grad_input: &mut Tensor,
) -> Result<()> {
    check_input(input, CROSS_ENTROPY)?;
    let sizes = squeezed(input.sizes());
    let (_, classes, batched, picks) =
        row_targets(CROSS_ENTROPY, &sizes, &squeeze_targets(targets), Some(ignore_index))?;
    let w = class_weights(CROSS_ENTROPY, weights, classes)?;
    let total = total_weight(&picks, &w);
    let x = values(input)?;
    let mut g = vec![0.0; x.len()];
    if total > 0.0 {
        for (r, pick) in picks.iter().enumerate() {
            let Some(c) = *pick else { continue };
            let coef = nll_coefficient(c, &w, batched, size_average, total);
            let row = &x[r * classes..(r + 1) * classes];
            let lse = log_sum_exp(row);
            let out = &mut g[r * classes..(r + 1) * classes];
            for (o, &v) in out.iter_mut().zip(row) {
                *o = -coef * (v - lse).exp();
            }
            out[c] += coef;
        }
    }
    store(CROSS_ENTROPY, grad_input, input.dtype(), input.sizes(), &g)
}

/// The targets squeezed like CrossEntropy's input (a 1×B target becomes B).
fn squeeze_targets(targets: &ClassTargets) -> ClassTargets {
    ClassTargets { values: targets.values.clone(), sizes: squeezed(&targets.sizes) }
}

/// Checks SpatialClassNLL's (B×C×H×W) input against its (B×H×W) target: (B, C, H·W).
fn spatial_shape(input: &Tensor, targets: &ClassTargets) -> Result<(usize, usize, usize)> {
    let [b, c, h, w] = *input.sizes() else {
        return Err(value_error(
            SPATIAL_NLL,
            format!("expected a batch of spatial inputs of size BxCxHxW, got {}", size_string(input.sizes())),
        ));
    };
    if targets.sizes != [b, h, w] {
        return Err(value_error(
            SPATIAL_NLL,
            format!(
                "expected a target of size {b}x{h}x{w} for an input of size {}, got {}",
                size_string(input.sizes()),
                targets.describe()
            ),
        ));
    }
    for &t in &targets.values {
        if t < 0 || t as u64 >= c as u64 {
            return Err(class_error(SPATIAL_NLL, t, c));
        }
    }
    Ok((b, c, h * w))
}

/// SpatialClassNLLCriterion's loss: ClassNLL at every pixel, summed (/Σw with sizeAverage).
pub fn spatial_class_nll_update_output(
    input: &Tensor,
    targets: &ClassTargets,
    weights: Option<&Tensor>,
    size_average: bool,
) -> Result<f64> {
    check_input(input, SPATIAL_NLL)?;
    let (b, c, map) = spatial_shape(input, targets)?;
    let w = class_weights(SPATIAL_NLL, weights, c)?;
    let x = values(input)?;
    let (mut loss, mut total) = (0.0, 0.0);
    for s in 0..b {
        for e in 0..map {
            let t = targets.values[s * map + e] as usize;
            let wt = w.as_ref().map_or(1.0, |w| w[t]);
            total += wt;
            loss -= x[(s * c + t) * map + e] * wt;
        }
    }
    if size_average && total != 0.0 {
        loss /= total;
    }
    Ok(finish(loss, input.dtype()))
}

/// SpatialClassNLLCriterion's gradient: `-w[t] / (Σw or 1)` at each pixel's target class.
pub fn spatial_class_nll_update_grad_input(
    input: &Tensor,
    targets: &ClassTargets,
    weights: Option<&Tensor>,
    size_average: bool,
    grad_input: &mut Tensor,
) -> Result<()> {
    check_input(input, SPATIAL_NLL)?;
    let (b, c, map) = spatial_shape(input, targets)?;
    let w = class_weights(SPATIAL_NLL, weights, c)?;
    let weight = |t: usize| w.as_ref().map_or(1.0, |w| w[t]);
    let total: f64 = targets.values.iter().map(|&t| weight(t as usize)).sum();
    let mut g = vec![0.0; input.numel()];
    if total > 0.0 {
        let norm = if size_average { total } else { 1.0 };
        for s in 0..b {
            for e in 0..map {
                let t = targets.values[s * map + e] as usize;
                g[(s * c + t) * map + e] = -weight(t) / norm;
            }
        }
    }
    store(SPATIAL_NLL, grad_input, input.dtype(), input.sizes(), &g)
}

/// Checks MultiMargin's arguments: (rows, classes, targets, weights).
#[allow(clippy::type_complexity)]
fn multi_margin_args(
    input: &Tensor,
    targets: &ClassTargets,
    p: i64,
    weights: Option<&Tensor>,
) -> Result<(usize, usize, Vec<usize>, Option<Vec<f64>>)> {
    check_input(input, MULTI_MARGIN)?;
    if p != 1 && p != 2 {
        return Err(value_error(MULTI_MARGIN, format!("only p = 1 and p = 2 are supported, got p = {p}")));
    }
    let (rows, classes, _, picks) = row_targets(MULTI_MARGIN, input.sizes(), targets, None)?;
    let w = class_weights(MULTI_MARGIN, weights, classes)?;
    Ok((rows, classes, picks.into_iter().flatten().collect(), w))
}

/// MultiMarginCriterion's loss: per sample `(1/C) Σ_{i≠y} w[y] max(0, margin - x[y] + x[i])^p`,
/// summed over samples (/B with sizeAverage).
pub fn multi_margin_update_output(
    input: &Tensor,
    targets: &ClassTargets,
    size_average: bool,
    p: i64,
    weights: Option<&Tensor>,
    margin: f64,
) -> Result<f64> {
    let (rows, classes, picks, w) = multi_margin_args(input, targets, p, weights)?;
    let x = values(input)?;
    let mut sum = 0.0;
    for (r, &t) in picks.iter().enumerate() {
        let row = &x[r * classes..(r + 1) * classes];
        for (d, &v) in row.iter().enumerate() {
            let z = margin - row[t] + v;
            if d != t && z > 0.0 {
                let h = if p == 1 { z } else { z * z };
                sum += h * w.as_ref().map_or(1.0, |w| w[t]);
            }
        }
    }
    sum /= classes as f64;
    if size_average {
        sum /= rows as f64;
    }
    Ok(finish(sum, input.dtype()))
}

/// MultiMarginCriterion's gradient.
pub fn multi_margin_update_grad_input(
    input: &Tensor,
    targets: &ClassTargets,
    size_average: bool,
    p: i64,
    weights: Option<&Tensor>,
    margin: f64,
    grad_input: &mut Tensor,
) -> Result<()> {
    let (rows, classes, picks, w) = multi_margin_args(input, targets, p, weights)?;
    let x = values(input)?;
    let g0 = if size_average { 1.0 / (rows * classes) as f64 } else { 1.0 / classes as f64 };
    let mut g = vec![0.0; x.len()];
    for (r, &t) in picks.iter().enumerate() {
        let row = &x[r * classes..(r + 1) * classes];
        let out = &mut g[r * classes..(r + 1) * classes];
        let mut at_target = 0.0;
        for (d, &v) in row.iter().enumerate() {
            let z = margin - row[t] + v;
            if d != t && z > 0.0 {
                let h = if p == 1 { g0 } else { 2.0 * g0 * z } * w.as_ref().map_or(1.0, |w| w[t]);
                at_target -= h;
                out[d] = h;
            }
        }
        out[t] = at_target;
    }
    store(MULTI_MARGIN, grad_input, input.dtype(), input.sizes(), &g)
}

/// MultiLabelMargin's per-row target lists (up to the first negative entry) and membership.
fn multi_label_args(input: &Tensor, target: &Tensor) -> Result<(usize, usize, Vec<Vec<usize>>)> {
    check_input(input, MULTI_LABEL)?;
    let (rows, classes, _) = rows_of(MULTI_LABEL, input.sizes())?;
    if target.sizes() != input.sizes() {
        return Err(value_error(
            MULTI_LABEL,
            format!(
                "the target must have the input's size {} (class indices ended by -1), got {}",
                size_string(input.sizes()),
                size_string(target.sizes())
            ),
        ));
    }
    let t = target.to_vec::<i64>()?;
    let mut lists = Vec::with_capacity(rows);
    for r in 0..rows {
        let mut list = Vec::new();
        for &v in &t[r * classes..(r + 1) * classes] {
            if v < 0 {
                break;
            }
            if v as u64 >= classes as u64 {
                return Err(super::class_error(MULTI_LABEL, v, classes));
            }
            list.push(v as usize);
        }
        lists.push(list);
    }
    Ok((rows, classes, lists))
}

/// Calls `f(target_class, other_class)` for every (target, non-target) pair of a row with a
/// positive hinge `1 - (x[target] - x[other])`, passing that hinge.
fn for_each_violation(row: &[f64], list: &[usize], mut f: impl FnMut(usize, usize, f64)) {
    let mut is_target = vec![false; row.len()];
    for &c in list {
        is_target[c] = true;
    }
    for &t in list {
        for (d, &v) in row.iter().enumerate() {
            let z = 1.0 - row[t] + v;
            if !is_target[d] && z > 0.0 {
                f(t, d, z);
            }
        }
    }
}

/// MultiLabelMarginCriterion's loss: per sample `(1/C) Σ_{j targets} Σ_{i non-targets}
/// max(0, 1 - (x[j] - x[i]))`, summed over samples (/B with sizeAverage).
pub fn multi_label_margin_update_output(input: &Tensor, target: &Tensor, size_average: bool) -> Result<f64> {
    let (rows, classes, lists) = multi_label_args(input, target)?;
    let x = values(input)?;
    let mut sum = 0.0;
    for (r, list) in lists.iter().enumerate() {
        for_each_violation(&x[r * classes..(r + 1) * classes], list, |_, _, z| sum += z);
    }
    sum /= classes as f64;
    if size_average {
        sum /= rows as f64;
    }
    Ok(finish(sum, input.dtype()))
}

/// MultiLabelMarginCriterion's gradient.
pub fn multi_label_margin_update_grad_input(
    input: &Tensor,
    target: &Tensor,
    size_average: bool,
    grad_input: &mut Tensor,
) -> Result<()> {
    let (rows, classes, lists) = multi_label_args(input, target)?;
    let x = values(input)?;
    let g0 = if size_average { 1.0 / (rows * classes) as f64 } else { 1.0 / classes as f64 };
    let mut g = vec![0.0; x.len()];
    for (r, list) in lists.iter().enumerate() {
        let out = &mut g[r * classes..(r + 1) * classes];
        for_each_violation(&x[r * classes..(r + 1) * classes], list, |t, d, _| {
            out[t] -= g0;
            out[d] += g0;
        });
    }
    store(MULTI_LABEL, grad_input, input.dtype(), input.sizes(), &g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DType, Error};

    #[test]
    fn class_nll_batch_loss_and_gradient() {
        let x = Tensor::from_slice(&[-1.0, -2.0, -3.0, -4.0], &[2, 2]).unwrap();
        let t = ClassTargets { values: vec![1, 0], sizes: vec![2] };
        assert_eq!(class_nll_update_output(&x, &t, None, true, -100).unwrap(), 2.5);
        let mut g = Tensor::empty(DType::Double);
        class_nll_update_grad_input(&x, &t, None, true, -100, &mut g).unwrap();
        assert_eq!(g.to_vec::<f64>().unwrap(), vec![0.0, -0.5, -0.5, 0.0]);
        let ignored = ClassTargets { values: vec![1, -100], sizes: vec![2] };
        assert_eq!(class_nll_update_output(&x, &ignored, None, true, -100).unwrap(), 2.0);
    }

    #[test]
    fn class_out_of_range_is_an_index_error() {
        let x = Tensor::from_slice(&[-1.0, -2.0], &[2]).unwrap();
        let e = class_nll_update_output(&x, &ClassTargets::number(2), None, true, -100).unwrap_err();
        assert!(matches!(e, Error::Index(ref m) if m.contains("2") && m.contains("2 classes")), "{e}");
    }

    #[test]
    fn cross_entropy_matches_log_softmax_nll() {
        let x = Tensor::from_slice(&[0.0, 0.0], &[1, 2]).unwrap();
        let loss = cross_entropy_update_output(&x, &ClassTargets::number(0), None, true, -100).unwrap();
        assert!((loss - 2f64.ln()).abs() < 1e-15);
        let mut g = Tensor::empty(DType::Double);
        cross_entropy_update_grad_input(&x, &ClassTargets::number(0), None, true, -100, &mut g).unwrap();
        assert_eq!(g.sizes(), &[1, 2]);
        assert_eq!(g.to_vec::<f64>().unwrap(), vec![-0.5, 0.5]);
    }

    #[test]
    fn multi_label_margin_stops_at_the_first_negative() {
        let x = Tensor::from_slice(&[0.0, 0.0, 0.0], &[3]).unwrap();
        let t = Tensor::from_slice(&[0i64, -1, 2], &[3]).unwrap();
        // target {0}: hinges against classes 1 and 2, 1 each, divided by 3
        let loss = multi_label_margin_update_output(&x, &t, true).unwrap();
        assert!((loss - 2.0 / 3.0).abs() < 1e-15);
    }
}
