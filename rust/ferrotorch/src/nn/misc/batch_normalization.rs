//! Batch normalization over (B, C, *) inputs (Torch7's THNN BatchNormalization): one kernel
//! for nn.BatchNormalization (B, C), SpatialBatchNormalization (B, C, H, W) and
//! VolumetricBatchNormalization (B, C, T, H, W). Feature f's statistics run over every element
//! whose dim-1 index is f.

use super::{check_numel, check_same_sizes, read, write, write_resized};
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

/// The (B, C, inner) shape of a (B, C, *) input, checked against C features.
fn shape(input: &Tensor, n_features: usize, what: &str) -> Result<(usize, usize, usize)> {
    let s = input.sizes();
    if s.len() < 2 {
        return Err(Error::Value(format!(
            "{what}: expected a (batch, {n_features}, ...) input, got size {}",
            size_string(s)
        )));
    }
    if s[1] != n_features {
        return Err(Error::Value(format!(
            "{what}: got {}-feature tensor (size {}), expected {n_features}",
            s[1],
            size_string(s)
        )));
    }
    let inner: usize = s[2..].iter().product();
    if s[0] * inner == 0 {
        return Err(Error::Value(format!("{what}: empty input of size {}", size_string(s))));
    }
    Ok((s[0], s[1], inner))
}

/// Calls `f(f, run)` for every contiguous run (`inner` elements) of feature f, row-major.
fn for_each_run(batch: usize, c: usize, inner: usize, mut f: impl FnMut(usize, std::ops::Range<usize>)) {
    for b in 0..batch {
        for feat in 0..c {
            let start = (b * c + feat) * inner;
            f(feat, start..start + inner);
        }
    }
}

/// The per-feature mean and 1/std used by both directions: the batch's (saved in training) or
/// the running estimates (evaluation).
fn statistics(
    train: bool,
    running_mean: &Tensor,
    running_var: &Tensor,
    save_mean: &Tensor,
    save_std: &Tensor,
    eps: f64,
    what: &str,
) -> Result<(Vec<f64>, Vec<f64>)> {
    if train {
        Ok((read(save_mean, what)?, read(save_std, what)?))
    } else {
        let var = read(running_var, what)?;
        Ok((read(running_mean, what)?, var.iter().map(|v| 1.0 / (v + eps).sqrt()).collect()))
    }
}

/// Forward. Training: each feature's batch mean and biased variance normalize it; save_mean /
/// save_std (resized to C) keep the mean and 1/sqrt(var + eps) for backward, and the running
/// estimates move by `momentum` towards the mean and the unbiased variance (n / (n - 1)).
/// Evaluation: the running estimates normalize. Then `y = x̂ · weight + bias`.
#[allow(clippy::too_many_arguments)]
pub fn batch_normalization_update_output(
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
    check_numel(running_var, c, what, "running_var")?;
    let (batch, _, inner) = shape(input, c, what)?;
    let x = read(input, what)?;
    let n = (batch * inner) as f64;
    let (mean, invstd) = if train {
        let mut sum = vec![0.0; c];
        for_each_run(batch, c, inner, |f, r| sum[f] += x[r].iter().sum::<f64>());
        let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
        let mut sq = vec![0.0; c];
        for_each_run(batch, c, inner, |f, r| {
            sq[f] += x[r].iter().map(|v| (v - mean[f]) * (v - mean[f])).sum::<f64>()
        });
        let invstd: Vec<f64> = sq
            .iter()
            .map(|&s| if s == 0.0 && eps == 0.0 { 0.0 } else { 1.0 / (s / n + eps).sqrt() })
            .collect();
        let (rm, rv) = (read(running_mean, what)?, read(running_var, what)?);
        let new_rm: Vec<f64> = (0..c).map(|f| momentum * mean[f] + (1.0 - momentum) * rm[f]).collect();
        let new_rv: Vec<f64> =
            (0..c).map(|f| momentum * sq[f] / (n - 1.0) + (1.0 - momentum) * rv[f]).collect();
        write(running_mean, &new_rm)?;
        write(running_var, &new_rv)?;
        write_resized(save_mean, &[c], &mean)?;
        write_resized(save_std, &[c], &invstd)?;
        (mean, invstd)
    } else {
        statistics(false, running_mean, running_var, save_mean, save_std, eps, what)?
    };
    let w = optional_per_feature(weight, c, 1.0, what, "weight")?;
    let b = optional_per_feature(bias, c, 0.0, what, "bias")?;
    let mut y = vec![0.0; x.len()];
    for_each_run(batch, c, inner, |f, r| {
        for i in r {
            y[i] = (x[i] - mean[f]) * invstd[f] * w[f] + b[f];
        }
    });
    write_resized(output, input.sizes(), &y)
}

fn optional_per_feature(
    t: Option<&Tensor>,
    c: usize,
    default: f64,
    what: &str,
    name: &str,
) -> Result<Vec<f64>> {
    match t {
        Some(t) => {
            check_numel(t, c, what, name)?;
            read(t, what)
        }
        None => Ok(vec![default; c]),
    }
}

/// Backward (THNN's BatchNormalization_backward): gradInput when given (training:
/// `(g − mean(g) − x̂·mean(g·x̂)) · invstd · w`; evaluation: `g · invstd · w`), and
/// `gradWeight += scale · Σ g·x̂`, `gradBias += scale · Σ g` when given.
#[allow(clippy::too_many_arguments)]
pub fn batch_normalization_backward(
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
    let (batch, _, inner) = shape(input, c, what)?;
    check_same_sizes(input, grad_output, what)?;
    if train && (save_mean.numel() != c || save_std.numel() != c) {
        return Err(Error::Runtime(format!(
            "{what}: backward before a training forward (call forward first)"
        )));
    }
    let (mean, invstd) = statistics(train, running_mean, running_var, save_mean, save_std, eps, what)?;
    let (x, g) = (read(input, what)?, read(grad_output, what)?);
    let n = (batch * inner) as f64;
    let (mut sum, mut dotp) = (vec![0.0; c], vec![0.0; c]);
    for_each_run(batch, c, inner, |f, r| {
        for i in r {
            sum[f] += g[i];
            dotp[f] += (x[i] - mean[f]) * g[i];
        }
    });
    if let Some(gi) = grad_input {
        let w = optional_per_feature(weight, c, 1.0, what, "weight")?;
        let mut out = vec![0.0; x.len()];
        for_each_run(batch, c, inner, |f, r| {
            let (k, grad_mean) = (dotp[f] * invstd[f] * invstd[f] / n, sum[f] / n);
            for i in r {
                out[i] = if train {
                    (g[i] - grad_mean - (x[i] - mean[f]) * k) * invstd[f] * w[f]
                } else {
                    g[i] * invstd[f] * w[f]
                };
            }
        });
        write_resized(gi, input.sizes(), &out)?;
    }
    if let Some(gw) = grad_weight {
        check_numel(gw, c, what, "gradWeight")?;
        let old = read(gw, what)?;
        let new: Vec<f64> = (0..c).map(|f| old[f] + scale * dotp[f] * invstd[f]).collect();
        write(gw, &new)?;
    }
    if let Some(gb) = grad_bias {
        check_numel(gb, c, what, "gradBias")?;
        let old = read(gb, what)?;
        let new: Vec<f64> = (0..c).map(|f| old[f] + scale * sum[f]).collect();
        write(gb, &new)?;
    }
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
    fn training_normalizes_each_feature_and_moves_running_stats() {
        let x = t(&[1.0, 10.0, 3.0, 30.0], &[2, 2]);
        let (rm, rv) = (Tensor::zeros(DType::Double, &[2]).unwrap(), t(&[1.0, 1.0], &[2]));
        let (mut out, mut sm, mut ss) =
            (Tensor::empty(DType::Double), Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        batch_normalization_update_output(
            &x,
            &mut out,
            None,
            None,
            &rm,
            &rv,
            &mut sm,
            &mut ss,
            true,
            0.1,
            0.0,
            "nn.BatchNormalization",
        )
        .unwrap();
        assert_eq!(out.to_vec::<f64>().unwrap(), vec![-1.0, -1.0, 1.0, 1.0]);
        assert_eq!(sm.to_vec::<f64>().unwrap(), vec![2.0, 20.0]);
        // unbiased variances 2 and 200
        let rv = rv.to_vec::<f64>().unwrap();
        assert!((rv[0] - (0.9 + 0.2)).abs() < 1e-12 && (rv[1] - (0.9 + 20.0)).abs() < 1e-12, "{rv:?}");
        assert_eq!(rm.to_vec::<f64>().unwrap(), vec![0.2, 2.0]);
    }

    #[test]
    fn spatial_input_and_wrong_features() {
        let x = t(&[1.0, 3.0, 5.0, 7.0], &[1, 1, 2, 2]);
        let (rm, rv) = (Tensor::zeros(DType::Double, &[1]).unwrap(), t(&[1.0], &[1]));
        let (mut out, mut sm, mut ss) =
            (Tensor::empty(DType::Double), Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        batch_normalization_update_output(
            &x, &mut out, None, None, &rm, &rv, &mut sm, &mut ss, true, 0.1, 0.0, "bn",
        )
        .unwrap();
        assert_eq!(sm.to_vec::<f64>().unwrap(), vec![4.0]);
        let rm2 = Tensor::zeros(DType::Double, &[3]).unwrap();
        let e = batch_normalization_update_output(
            &x,
            &mut out,
            None,
            None,
            &rm2,
            &rm2,
            &mut sm,
            &mut ss,
            false,
            0.1,
            0.0,
            "nn.BatchNormalization",
        )
        .unwrap_err();
        assert!(format!("{e}").contains("1-feature"), "{e}");
    }
}
