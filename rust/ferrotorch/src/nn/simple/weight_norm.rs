//! LinearWeightNorm: a Linear layer whose weight rows are `w_j = g_j v_j / ‖v_j‖` (weight
//! normalisation). Forward and gradInput are nn.Linear's kernels on the derived weight; these
//! kernels derive it and turn the weight gradient into gradients of g and v.

use super::util::{check_sizes, float_type, overwrite, store, values};
use crate::nn::linear::linear_acc_grad_parameters;
use crate::{Error, Result, Tensor};

const WHAT: &str = "nn.LinearWeightNorm";

fn check_v_g(v: &Tensor, g: &Tensor) -> Result<(usize, usize)> {
    if v.ndim() != 2 {
        return Err(Error::Value(format!("{WHAT}: v must be outputSize x inputSize")));
    }
    let (n_out, n_in) = (v.sizes()[0], v.sizes()[1]);
    check_sizes(WHAT, "g", g, &[n_out, 1])?;
    Ok((n_out, n_in))
}

/// `norm_j = max(‖v_j‖, eps)`, `scale_j = g_j / norm_j`, `weight = v ⊙ scale` (norm and scale
/// are outputSize × 1, as Torch7's fields).
pub fn weight_norm_update_weight(
    v: &Tensor,
    g: &Tensor,
    eps: f64,
    norm: &mut Tensor,
    scale: &mut Tensor,
    weight: &mut Tensor,
) -> Result<()> {
    float_type(WHAT, &[v, g, &*norm, &*scale, &*weight])?;
    let (n_out, n_in) = check_v_g(v, g)?;
    let (vv, gv) = (values(v)?, values(g)?);
    let mut nv = vec![0.0; n_out];
    let mut sv = vec![0.0; n_out];
    let mut wv = vec![0.0; n_out * n_in];
    for j in 0..n_out {
        let row = &vv[j * n_in..(j + 1) * n_in];
        nv[j] = row.iter().map(|a| a * a).sum::<f64>().sqrt().max(eps);
        sv[j] = gv[j] / nv[j];
        for i in 0..n_in {
            wv[j * n_in + i] = row[i] * sv[j];
        }
    }
    store(norm, &[n_out, 1], &nv)?;
    store(scale, &[n_out, 1], &sv)?;
    store(weight, &[n_out, n_in], &wv)
}

/// With `dW = scale · gradOutput ⊗ input` (Linear's weight gradient) and `d_j = Σ_i dW_ji v_ji /
/// norm_j`: `gradG += d`, `gradV += dW ⊙ (g/norm) − v ⊙ (g/norm²) d`, `gradBias += scale Σ
/// gradOutput`. norm comes from the last weight_norm_update_weight.
#[allow(clippy::too_many_arguments)]
pub fn weight_norm_acc_grad_parameters(
    input: &Tensor,
    grad_output: &Tensor,
    v: &Tensor,
    g: &Tensor,
    norm: &Tensor,
    grad_v: &Tensor,
    grad_g: &Tensor,
    grad_bias: Option<&Tensor>,
    scale: f64,
) -> Result<()> {
    float_type(WHAT, &[input, grad_output, v, g, norm, grad_v, grad_g])?;
    let (n_out, n_in) = check_v_g(v, g)?;
    check_sizes(WHAT, "norm (run forward first)", norm, &[n_out, 1])?;
    check_sizes(WHAT, "gradV", grad_v, v.sizes())?;
    check_sizes(WHAT, "gradG", grad_g, g.sizes())?;
    let dw = Tensor::zeros(v.dtype(), v.sizes())?;
    linear_acc_grad_parameters(input, grad_output, &dw, grad_bias, scale).map_err(rename)?;
    let (dwv, vv, gv, nv) = (values(&dw)?, values(v)?, values(g)?, values(norm)?);
    let (mut gvv, mut ggv) = (values(grad_v)?, values(grad_g)?);
    for j in 0..n_out {
        let (row, drow) = (&vv[j * n_in..(j + 1) * n_in], &dwv[j * n_in..(j + 1) * n_in]);
        let d = row.iter().zip(drow).map(|(a, b)| a * b).sum::<f64>() / nv[j];
        ggv[j] += d;
        let s = gv[j] / nv[j];
        for i in 0..n_in {
            gvv[j * n_in + i] += drow[i] * s - row[i] * s / nv[j] * d;
        }
    }
    overwrite(grad_v, &gvv)?;
    overwrite(grad_g, &ggv)
}

/// Linear's messages name nn.Linear; here the layer is LinearWeightNorm.
fn rename(e: Error) -> Error {
    match e {
        Error::Value(m) => Error::Value(m.replacen("nn.Linear", WHAT, 1)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn rows_take_the_norm_g() {
        let v = Tensor::from_slice(&[3.0, 4.0, 0.0, 2.0], &[2, 2]).unwrap();
        let g = Tensor::from_slice(&[10.0, 1.0], &[2, 1]).unwrap();
        let (mut n, mut s, mut w) =
            (Tensor::empty(DType::Double), Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        weight_norm_update_weight(&v, &g, 1e-16, &mut n, &mut s, &mut w).unwrap();
        assert_eq!(w.to_vec::<f64>().unwrap(), vec![6.0, 8.0, 0.0, 1.0]);
        assert_eq!(n.to_vec::<f64>().unwrap(), vec![5.0, 2.0]);
    }
}
