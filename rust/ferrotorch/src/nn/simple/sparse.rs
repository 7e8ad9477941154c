//! SparseLinear and IndexLinear: Linear layers on sparse inputs given as (index, value) pairs,
//! which touch only the weight rows / columns of the indices present.
//!
//! Indices are 0-based here (Torch7's were 1-based).

use super::util::{check_sizes, float_type, overwrite, store, values};
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

const SPARSE: &str = "nn.SparseLinear";
const INDEX: &str = "nn.IndexLinear";

// ------------------------------------------------------------------------------ SparseLinear

/// The (index, value) pairs of one sample (an nnz × 2 tensor), indices checked against n_in.
fn pairs(sample: &Tensor, n_in: usize) -> Result<Vec<(usize, f64)>> {
    if sample.ndim() != 2 || sample.sizes()[1] != 2 {
        return Err(Error::Value(format!(
            "{SPARSE}: each sample should be an nnz x 2 tensor of (index, value) rows, got size {}",
            size_string(sample.sizes())
        )));
    }
    let v = values(sample)?;
    v.chunks_exact(2)
        .map(|pair| {
            let idx = pair[0];
            if idx.fract() != 0.0 || idx < 0.0 || idx >= n_in as f64 {
                return Err(Error::Index(format!(
                    "{SPARSE}: index {idx} out of range for an input of {n_in} features"
                )));
            }
            Ok((idx as usize, pair[1]))
        })
        .collect()
}

fn weight_shape(what: &str, weight: &Tensor) -> Result<(usize, usize)> {
    match weight.sizes() {
        [a, b] => Ok((*a, *b)),
        sizes => Err(Error::Value(format!("{what}: weight must be a matrix, got {}", size_string(sizes)))),
    }
}

/// `output[b] = bias + Σ value · weight[:, index]` over the pairs of sample b (output is
/// B × outputSize, or outputSize when `vector`).
pub fn sparse_linear_update_output(
    samples: &[Tensor],
    weight: &Tensor,
    bias: &Tensor,
    output: &mut Tensor,
    vector: bool,
) -> Result<()> {
    let mut ts = vec![weight, bias, &*output];
    ts.extend(samples.iter());
    float_type(SPARSE, &ts)?;
    let (n_out, n_in) = weight_shape(SPARSE, weight)?;
    check_sizes(SPARSE, "bias", bias, &[n_out])?;
    let (w, b) = (values(weight)?, values(bias)?);
    let mut y = Vec::with_capacity(samples.len() * n_out);
    for sample in samples {
        let mut row = b.clone();
        for (i, v) in pairs(sample, n_in)? {
            for (o, r) in row.iter_mut().enumerate() {
                *r += v * w[o * n_in + i];
            }
        }
        y.extend(row);
    }
    let sizes = if vector { vec![n_out] } else { vec![samples.len(), n_out] };
    store(output, &sizes, &y)
}

/// `gradWeight[:, index] += scale · value · gradOutput[b]`, `gradBias += scale Σ_b
/// gradOutput[b]`, then `gradWeight += weightDecay · weight` (THNN's order).
pub fn sparse_linear_acc_grad_parameters(
    samples: &[Tensor],
    grad_output: &Tensor,
    grad_weight: &Tensor,
    grad_bias: &Tensor,
    weight: &Tensor,
    weight_decay: f64,
    scale: f64,
) -> Result<()> {
    float_type(SPARSE, &[grad_output, grad_weight, grad_bias, weight])?;
    let (n_out, n_in) = weight_shape(SPARSE, weight)?;
    check_sizes(SPARSE, "gradWeight", grad_weight, weight.sizes())?;
    check_sizes(SPARSE, "gradBias", grad_bias, &[n_out])?;
    let want = if grad_output.ndim() == 1 { vec![n_out] } else { vec![samples.len(), n_out] };
    if grad_output.ndim() == 1 && samples.len() != 1 || grad_output.sizes() != want.as_slice() {
        return Err(Error::Value(format!(
            "{SPARSE}: gradOutput should be of size {} for {} samples, got {}",
            size_string(&want),
            samples.len(),
            size_string(grad_output.sizes())
        )));
    }
    let g = values(grad_output)?;
    let mut gw = values(grad_weight)?;
    let mut gb = values(grad_bias)?;
    for (s, sample) in samples.iter().enumerate() {
        let gs = &g[s * n_out..(s + 1) * n_out];
        for (i, v) in pairs(sample, n_in)? {
            for o in 0..n_out {
                gw[o * n_in + i] += scale * v * gs[o];
            }
        }
        for o in 0..n_out {
            gb[o] += scale * gs[o];
        }
    }
    if weight_decay != 0.0 {
        for (a, w) in gw.iter_mut().zip(values(weight)?) {
            *a += weight_decay * w;
        }
    }
    overwrite(grad_weight, &gw)?;
    overwrite(grad_bias, &gb)
}

// ------------------------------------------------------------------------------ IndexLinear

/// The per-sample key counts of a batch, checked against the flat keys and values.
fn counts(keys: &Tensor, vals: &Tensor, sizes: &Tensor) -> Result<Vec<usize>> {
    if keys.ndim() != 1 || vals.sizes() != keys.sizes() {
        return Err(Error::Value(format!(
            "{INDEX}: keys and values should be 1-D and of the same size, got {} and {}",
            size_string(keys.sizes()),
            size_string(vals.sizes())
        )));
    }
    let counts: Vec<usize> = sizes
        .to_vec::<i64>()?
        .into_iter()
        .map(|c| usize::try_from(c).map_err(|_| Error::Value(format!("{INDEX}: negative size {c}"))))
        .collect::<Result<_>>()?;
    if counts.iter().sum::<usize>() != keys.numel() {
        return Err(Error::Value(format!(
            "{INDEX}: the sizes add up to {} but there are {} keys",
            counts.iter().sum::<usize>(),
            keys.numel()
        )));
    }
    Ok(counts)
}

/// The weight rows of the keys (key + offset), IndexError outside 0..n_rows.
fn key_rows(keys: &Tensor, offset: i64, n_rows: usize) -> Result<Vec<usize>> {
    keys.to_vec::<i64>()?
        .into_iter()
        .map(|k| {
            usize::try_from(k + offset).ok().filter(|&r| r < n_rows).ok_or_else(|| {
                Error::Index(format!("{INDEX}: key {k} out of range for an input of {n_rows} features"))
            })
        })
        .collect()
}

/// (inputSize, outputSize, extra) where extra = 4 normalisation columns or 0.
fn index_shape(weight: &Tensor, bias: &Tensor) -> Result<(usize, usize, usize)> {
    let (n_in, cols) = weight_shape(INDEX, weight)?;
    let n_out = bias.numel();
    if bias.ndim() != 1 || cols < n_out {
        return Err(Error::Value(format!(
            "{INDEX}: weight {} and bias {} do not fit (weight is inputSize x outputSize[+4])",
            size_string(weight.sizes()),
            size_string(bias.sizes())
        )));
    }
    Ok((n_in, n_out, cols - n_out))
}

/// `output[b] = bias + Σ value · weight[key]` (B × outputSize). With normalisation (4 extra
/// leading weight columns: max |value|, its inverse, an update scale, a per-key bias), values
/// are first scaled by the key's running max (updated when `train`), clamped to ±1 and shifted;
/// the scaled values go to `normalized`.
#[allow(clippy::too_many_arguments)]
pub fn index_linear_update_output(
    keys: &Tensor,
    offset: i64,
    vals: &Tensor,
    sizes: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    normalized: &mut Tensor,
    train: bool,
    output: &mut Tensor,
) -> Result<()> {
    float_type(INDEX, &[vals, weight, bias, &*output])?;
    let (n_in, n_out, extra) = index_shape(weight, bias)?;
    let counts = counts(keys, vals, sizes)?;
    let rows = key_rows(keys, offset, n_in)?;
    let cols = n_out + extra;
    let (mut w, b, v) = (values(weight)?, values(bias)?, values(vals)?);
    let mut nv = vec![0.0; if extra > 0 { v.len() } else { 0 }];
    let mut y = Vec::with_capacity(counts.len() * n_out);
    let mut at = 0;
    for &count in &counts {
        let mut row = b.clone();
        for n in at..at + count {
            let base = rows[n] * cols;
            let mut val = v[n];
            if extra > 0 {
                let abs = val.abs();
                if train {
                    if abs > w[base] {
                        w[base] = abs;
                        w[base + 1] = 1.0 / abs;
                    }
                    w[base + 2] = 1.0;
                }
                let sign = if val < 0.0 {
                    -1.0
                } else if val > 0.0 {
                    1.0
                } else {
                    0.0
                };
                val = (if abs > w[base] { sign } else { val * w[base + 1] }) + w[base + 3];
                nv[n] = val;
            }
            for (o, r) in row.iter_mut().enumerate() {
                *r += val * w[base + extra + o];
            }
        }
        at += count;
        y.extend(row);
    }
    if extra > 0 {
        if train {
            overwrite(weight, &w)?;
        }
        store(normalized, &[nv.len()], &nv)?;
    }
    store(output, &[counts.len(), n_out], &y)
}

/// The dense per-key gradient buffer (keys × outputSize, or keys × 2·outputSize with
/// normalisation: first `scale · gradOutput`, then `scale · value · gradOutput`) and
/// `gradBias += scale Σ_b gradOutput[b]`. `vals` are the normalised values when normalising.
#[allow(clippy::too_many_arguments)]
pub fn index_linear_acc_grad_parameters(
    keys: &Tensor,
    vals: &Tensor,
    sizes: &Tensor,
    grad_output: &Tensor,
    grad_weight: &mut Tensor,
    grad_bias: &Tensor,
    weight: &Tensor,
    scale: f64,
) -> Result<()> {
    float_type(INDEX, &[vals, grad_output, &*grad_weight, grad_bias, weight])?;
    let (_, n_out, extra) = index_shape(weight, grad_bias)?;
    let counts = counts(keys, vals, sizes)?;
    let batch = counts.len();
    if grad_output.numel() != batch * n_out || grad_output.ndim() > 2 {
        return Err(Error::Value(format!(
            "{INDEX}: gradOutput should hold {batch} x {n_out} values, got size {}",
            size_string(grad_output.sizes())
        )));
    }
    let (g, v) = (values(grad_output)?, values(vals)?);
    let width = if extra > 0 { 2 * n_out } else { n_out };
    let mut gw = vec![0.0; v.len() * width];
    let mut gb = values(grad_bias)?;
    let mut at = 0;
    for (s, &count) in counts.iter().enumerate() {
        let gs = &g[s * n_out..(s + 1) * n_out];
        for (o, b) in gb.iter_mut().enumerate() {
            *b += scale * gs[o];
        }
        for n in at..at + count {
            let row = &mut gw[n * width..(n + 1) * width];
            let (head, tail) = row.split_at_mut(width - n_out);
            if extra > 0 {
                head.iter_mut().zip(gs).for_each(|(r, g)| *r = scale * g);
            }
            tail.iter_mut().zip(gs).for_each(|(r, g)| *r = scale * v[n] * g);
        }
        at += count;
    }
    store(grad_weight, &[v.len(), width], &gw)?;
    overwrite(grad_bias, &gb)
}

/// `bias -= lr · gradBias`; for each accumulated key row: sparse weight decay
/// (`w -= weightDecay · w`), then `w -= lr · gradWeight`; with normalisation the rates are
/// scaled by the key's update scale and the per-key bias moves by `−lr Σ_o g_o w_o`.
#[allow(clippy::too_many_arguments)]
pub fn index_linear_update_parameters(
    grad_weight: &Tensor,
    grad_bias: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    keys: &Tensor,
    offset: i64,
    weight_decay: f64,
    lr: f64,
) -> Result<()> {
    float_type(INDEX, &[grad_weight, grad_bias, weight, bias])?;
    let (n_in, n_out, extra) = index_shape(weight, bias)?;
    check_sizes(INDEX, "gradBias", grad_bias, &[n_out])?;
    let cols = n_out + extra;
    let width = if extra > 0 { 2 * n_out } else { n_out };
    let rows = key_rows(keys, offset, n_in)?;
    if grad_weight.numel() != rows.len() * width {
        return Err(Error::Value(format!(
            "{INDEX}: gradWeight of size {} does not fit {} keys",
            size_string(grad_weight.sizes()),
            rows.len()
        )));
    }
    let (g, gb) = (values(grad_weight)?, values(grad_bias)?);
    let (mut w, mut b) = (values(weight)?, values(bias)?);
    for (bv, gv) in b.iter_mut().zip(&gb) {
        *bv -= lr * gv;
    }
    for (j, &r) in rows.iter().enumerate() {
        let base = r * cols;
        let mut gr = &g[j * width..(j + 1) * width];
        let (mut lr_k, mut wd) = (lr, weight_decay);
        if extra > 0 {
            lr_k = lr * w[base + extra - 2];
            wd = weight_decay * w[base + extra - 2];
            let shift: f64 = (0..n_out).map(|o| gr[o] * w[base + extra + o]).sum();
            w[base + extra - 1] -= shift * lr_k;
            gr = &gr[n_out..];
        }
        let row = &mut w[base + extra..base + cols];
        if weight_decay != 0.0 {
            row.iter_mut().for_each(|x| *x -= *x * wd);
        }
        for (x, gv) in row.iter_mut().zip(gr) {
            *x -= gv * lr_k;
        }
    }
    overwrite(weight, &w)?;
    overwrite(bias, &b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn sparse_pairs_pick_columns() {
        let w = Tensor::from_slice(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]).unwrap();
        let b = Tensor::from_slice(&[0.5, -0.5], &[2]).unwrap();
        let x = Tensor::from_slice(&[2.0, 1.0, 0.0, -1.0], &[2, 2]).unwrap();
        let mut y = Tensor::empty(DType::Double);
        sparse_linear_update_output(&[x], &w, &b, &mut y, true).unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![0.5 + 3.0 - 1.0, -0.5 + 6.0 - 4.0]);
        let bad = Tensor::from_slice(&[3.0, 1.0], &[1, 2]).unwrap();
        let e = sparse_linear_update_output(&[bad], &w, &b, &mut y, true).unwrap_err();
        assert!(matches!(e, Error::Index(_)), "{e}");
    }

    #[test]
    fn index_linear_rows_by_key() {
        let w = Tensor::from_slice(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[3, 2]).unwrap();
        let b = Tensor::from_slice(&[0.0, 1.0], &[2]).unwrap();
        let keys = Tensor::from_slice(&[2i64, 0], &[2]).unwrap();
        let vals = Tensor::from_slice(&[1.0, 2.0], &[2]).unwrap();
        let sizes = Tensor::from_slice(&[2i64], &[1]).unwrap();
        let (mut nv, mut y) = (Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        index_linear_update_output(&keys, 0, &vals, &sizes, &w, &b, &mut nv, true, &mut y).unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![5.0 + 2.0, 1.0 + 6.0 + 4.0]);
    }
}
