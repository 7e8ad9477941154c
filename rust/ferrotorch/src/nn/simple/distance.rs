//! Euclidean and WeightedEuclidean: `y_j = ‖c_j ⊙ (x − w_j)‖₂` for the columns w_j of weight
//! (inputSize × outputSize), with c_j the column of diagCov (WeightedEuclidean) or 1.
//!
//! The gradients divide by `y_j + 1e-7`, Torch7's guard against a zero distance.

use super::util::{check_grad_output, check_sizes, float_type, out_sizes, rows, store, values};
use crate::{Error, Result, Tensor};

const GUARD: f64 = 1e-7;

fn name(diag_cov: Option<&Tensor>) -> &'static str {
    if diag_cov.is_some() {
        "nn.WeightedEuclidean"
    } else {
        "nn.Euclidean"
    }
}

/// Checks weight (and diagCov) and the input; returns (batch, nIn, nOut, rows).
fn shapes(
    input: &Tensor,
    weight: &Tensor,
    diag_cov: Option<&Tensor>,
) -> Result<(Option<usize>, usize, usize, usize)> {
    let what = name(diag_cov);
    if weight.ndim() != 2 {
        return Err(Error::Value(format!("{what}: weight must be inputSize x outputSize")));
    }
    let (n_in, n_out) = (weight.sizes()[0], weight.sizes()[1]);
    if let Some(c) = diag_cov {
        check_sizes(what, "diagCov", c, weight.sizes())?;
    }
    let (batch, b) = rows(what, input, n_in)?;
    Ok((batch, n_in, n_out, b))
}

/// The operands as f64: input, weight, diagCov (ones when absent).
fn operands(
    input: &Tensor,
    weight: &Tensor,
    diag_cov: Option<&Tensor>,
) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let w = values(weight)?;
    let c = match diag_cov {
        Some(c) => values(c)?,
        None => vec![1.0; w.len()],
    };
    Ok((values(input)?, w, c))
}

/// `output[b, j] = ‖c_j ⊙ (x_b − w_j)‖`.
pub fn euclidean_update_output(
    input: &Tensor,
    weight: &Tensor,
    diag_cov: Option<&Tensor>,
    output: &mut Tensor,
) -> Result<()> {
    let mut ts = vec![input, weight, &*output];
    ts.extend(diag_cov);
    float_type(name(diag_cov), &ts)?;
    let (batch, n_in, n_out, b) = shapes(input, weight, diag_cov)?;
    let (x, w, c) = operands(input, weight, diag_cov)?;
    let mut y = vec![0.0; b * n_out];
    for s in 0..b {
        let xs = &x[s * n_in..(s + 1) * n_in];
        let ys = &mut y[s * n_out..(s + 1) * n_out];
        for (i, &xi) in xs.iter().enumerate() {
            for j in 0..n_out {
                let d = c[i * n_out + j] * (xi - w[i * n_out + j]);
                ys[j] += d * d;
            }
        }
        ys.iter_mut().for_each(|v| *v = v.sqrt());
    }
    store(output, &out_sizes(batch, n_out), &y)
}

/// The factors `gradOutput[b, j] / (output[b, j] + 1e-7)`.
fn ratios(what: &str, grad_output: &Tensor, output: &Tensor, sizes: &[usize]) -> Result<Vec<f64>> {
    check_grad_output(what, grad_output, sizes)?;
    check_sizes(what, "output (run forward first)", output, sizes)?;
    let (g, y) = (values(grad_output)?, values(output)?);
    Ok(g.iter().zip(&y).map(|(g, y)| g / (y + GUARD)).collect())
}

/// `gradInput[b, i] = Σ_j c_ij² (x_bi − w_ij) gradOutput[b, j] / (y[b, j] + 1e-7)`.
pub fn euclidean_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    diag_cov: Option<&Tensor>,
    output: &Tensor,
    grad_input: &mut Tensor,
) -> Result<()> {
    let what = name(diag_cov);
    float_type(what, &[input, grad_output, weight, output, &*grad_input])?;
    let (batch, n_in, n_out, b) = shapes(input, weight, diag_cov)?;
    let r = ratios(what, grad_output, output, &out_sizes(batch, n_out))?;
    let (x, w, c) = operands(input, weight, diag_cov)?;
    let mut gi = vec![0.0; b * n_in];
    for s in 0..b {
        for i in 0..n_in {
            let xi = x[s * n_in + i];
            let mut acc = 0.0;
            for j in 0..n_out {
                let k = i * n_out + j;
                acc += c[k] * c[k] * (xi - w[k]) * r[s * n_out + j];
            }
            gi[s * n_in + i] = acc;
        }
    }
    store(grad_input, input.sizes(), &gi)
}

/// `gradWeight += scale Σ_b c² (w − x_b) r_b` and, for WeightedEuclidean,
/// `gradDiagCov += scale Σ_b c (x_b − w)² r_b` with `r = gradOutput / (y + 1e-7)`.
#[allow(clippy::too_many_arguments)]
pub fn euclidean_acc_grad_parameters(
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    diag_cov: Option<&Tensor>,
    output: &Tensor,
    grad_weight: &Tensor,
    grad_diag_cov: Option<&Tensor>,
    scale: f64,
) -> Result<()> {
    let what = name(diag_cov);
    float_type(what, &[input, grad_output, weight, output, grad_weight])?;
    let (batch, n_in, n_out, b) = shapes(input, weight, diag_cov)?;
    check_sizes(what, "gradWeight", grad_weight, weight.sizes())?;
    if let Some(gc) = grad_diag_cov {
        check_sizes(what, "gradDiagCov", gc, weight.sizes())?;
    }
    let r = ratios(what, grad_output, output, &out_sizes(batch, n_out))?;
    let (x, w, c) = operands(input, weight, diag_cov)?;
    let mut gw = values(grad_weight)?;
    let mut gc = match grad_diag_cov {
        Some(t) => values(t)?,
        None => Vec::new(),
    };
    for s in 0..b {
        for i in 0..n_in {
            let xi = x[s * n_in + i];
            for j in 0..n_out {
                let k = i * n_out + j;
                let (d, rs) = (w[k] - xi, r[s * n_out + j] * scale);
                gw[k] += c[k] * c[k] * d * rs;
                if !gc.is_empty() {
                    gc[k] += c[k] * d * d * rs;
                }
            }
        }
    }
    super::util::overwrite(grad_weight, &gw)?;
    if let Some(t) = grad_diag_cov {
        super::util::overwrite(t, &gc)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn distances_to_the_columns() {
        let w = Tensor::from_slice(&[0.0, 3.0, 0.0, 4.0], &[2, 2]).unwrap();
        let x = Tensor::from_slice(&[0.0, 0.0], &[2]).unwrap();
        let mut y = Tensor::empty(DType::Double);
        euclidean_update_output(&x, &w, None, &mut y).unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![0.0, 5.0]);
        let c = Tensor::from_slice(&[1.0, 2.0, 1.0, 2.0], &[2, 2]).unwrap();
        euclidean_update_output(&x, &w, Some(&c), &mut y).unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![0.0, 10.0]);
        let e = euclidean_update_output(&Tensor::from_slice(&[1.0; 3], &[3]).unwrap(), &w, None, &mut y);
        assert!(e.unwrap_err().to_string().contains("nn.Euclidean"));
    }
}
