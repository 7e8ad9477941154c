//! Cosine: `y_j = w_j · x / ((‖w_j‖ + 1e-12)(‖x‖ + 1e-12))` for the rows w_j of weight
//! (outputSize × inputSize); the 1e-12 guards are Torch7's.

use super::util::{check_grad_output, check_sizes, float_type, out_sizes, rows, store, values};
use crate::{Error, Result, Tensor};

const WHAT: &str = "nn.Cosine";
const GUARD: f64 = 1e-12;

struct Parts {
    batch: Option<usize>,
    b: usize,
    n_in: usize,
    n_out: usize,
    x: Vec<f64>,
    w: Vec<f64>,
    /// ‖x_b‖ + 1e-12 per sample, ‖w_j‖ + 1e-12 per row.
    xn: Vec<f64>,
    wn: Vec<f64>,
}

fn parts(input: &Tensor, weight: &Tensor) -> Result<Parts> {
    if weight.ndim() != 2 {
        return Err(Error::Value(format!("{WHAT}: weight must be outputSize x inputSize")));
    }
    let (n_out, n_in) = (weight.sizes()[0], weight.sizes()[1]);
    let (batch, b) = rows(WHAT, input, n_in)?;
    let (x, w) = (values(input)?, values(weight)?);
    let norm = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>().sqrt() + GUARD;
    let xn = (0..b).map(|s| norm(&x[s * n_in..(s + 1) * n_in])).collect();
    let wn = (0..n_out).map(|j| norm(&w[j * n_in..(j + 1) * n_in])).collect();
    Ok(Parts { batch, b, n_in, n_out, x, w, xn, wn })
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `output[b, j] = w_j · x_b / (‖w_j‖ ‖x_b‖)` (guarded norms).
pub fn cosine_update_output(input: &Tensor, weight: &Tensor, output: &mut Tensor) -> Result<()> {
    float_type(WHAT, &[input, weight, &*output])?;
    let p = parts(input, weight)?;
    let mut y = vec![0.0; p.b * p.n_out];
    for s in 0..p.b {
        let xs = &p.x[s * p.n_in..(s + 1) * p.n_in];
        for j in 0..p.n_out {
            let wj = &p.w[j * p.n_in..(j + 1) * p.n_in];
            y[s * p.n_out + j] = dot(wj, xs) / p.wn[j] / p.xn[s];
        }
    }
    store(output, &out_sizes(p.batch, p.n_out), &y)
}

fn grad_and_output(p: &Parts, grad_output: &Tensor, output: &Tensor) -> Result<(Vec<f64>, Vec<f64>)> {
    let sizes = out_sizes(p.batch, p.n_out);
    check_grad_output(WHAT, grad_output, &sizes)?;
    check_sizes(WHAT, "output (run forward first)", output, &sizes)?;
    Ok((values(grad_output)?, values(output)?))
}

/// `gradInput_i = Σ_j g_j (w_ji / (‖w_j‖ ‖x‖) − y_j x_i / ‖x‖²)`.
pub fn cosine_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    output: &Tensor,
    grad_input: &mut Tensor,
) -> Result<()> {
    float_type(WHAT, &[input, grad_output, weight, output, &*grad_input])?;
    let p = parts(input, weight)?;
    let (g, y) = grad_and_output(&p, grad_output, output)?;
    let mut gi = vec![0.0; p.b * p.n_in];
    for s in 0..p.b {
        let (gs, ys) = (&g[s * p.n_out..(s + 1) * p.n_out], &y[s * p.n_out..(s + 1) * p.n_out]);
        let gy = dot(gs, ys);
        let xn = p.xn[s];
        let row = &mut gi[s * p.n_in..(s + 1) * p.n_in];
        for (i, r) in row.iter_mut().enumerate() {
            let acc: f64 =
                gs.iter().zip(&p.wn).enumerate().map(|(j, (g, wn))| g * p.w[j * p.n_in + i] / wn).sum();
            *r = (acc - p.x[s * p.n_in + i] / xn * gy) / xn;
        }
    }
    store(grad_input, input.sizes(), &gi)
}

/// `gradWeight_ji += scale Σ_b g_bj (x_bi / (‖w_j‖ ‖x_b‖) − y_bj w_ji / ‖w_j‖²)`.
pub fn cosine_acc_grad_parameters(
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    output: &Tensor,
    grad_weight: &Tensor,
    scale: f64,
) -> Result<()> {
    float_type(WHAT, &[input, grad_output, weight, output, grad_weight])?;
    check_sizes(WHAT, "gradWeight", grad_weight, weight.sizes())?;
    let p = parts(input, weight)?;
    let (g, y) = grad_and_output(&p, grad_output, output)?;
    let mut gw = values(grad_weight)?;
    for s in 0..p.b {
        let xs = &p.x[s * p.n_in..(s + 1) * p.n_in];
        for j in 0..p.n_out {
            let (gj, yj, wn) = (g[s * p.n_out + j], y[s * p.n_out + j], p.wn[j]);
            let (a, c) = (scale * gj / (wn * p.xn[s]), scale * gj * yj / (wn * wn));
            for i in 0..p.n_in {
                gw[j * p.n_in + i] += a * xs[i] - c * p.w[j * p.n_in + i];
            }
        }
    }
    super::util::overwrite(grad_weight, &gw)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn parallel_and_orthogonal_rows() {
        let w = Tensor::from_slice(&[2.0, 0.0, 0.0, 3.0], &[2, 2]).unwrap();
        let x = Tensor::from_slice(&[5.0, 0.0], &[2]).unwrap();
        let mut y = Tensor::empty(DType::Double);
        cosine_update_output(&x, &w, &mut y).unwrap();
        let v = y.to_vec::<f64>().unwrap();
        assert!((v[0] - 1.0).abs() < 1e-10 && v[1] == 0.0, "{v:?}");
    }
}
