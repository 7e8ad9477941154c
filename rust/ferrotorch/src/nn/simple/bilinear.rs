//! Bilinear: `y_k = x1ᵀ A_k x2 + b_k` for a batch of pairs (x1: B × in1, x2: B × in2,
//! weight: out × in1 × in2).

use super::util::{check_grad_output, check_sizes, float_type, store, values};
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

const WHAT: &str = "nn.Bilinear";

/// Checks the pair against weight; returns (B, in1, in2, out).
fn shapes(x1: &Tensor, x2: &Tensor, weight: &Tensor) -> Result<(usize, usize, usize, usize)> {
    if weight.ndim() != 3 {
        return Err(Error::Value(format!("{WHAT}: weight must be outputSize x inputSize1 x inputSize2")));
    }
    let (n_out, n1, n2) = (weight.sizes()[0], weight.sizes()[1], weight.sizes()[2]);
    match (x1.sizes(), x2.sizes()) {
        ([b1, m1], [b2, m2]) if b1 == b2 && *m1 == n1 && *m2 == n2 => Ok((*b1, n1, n2, n_out)),
        (s1, s2) => Err(Error::Value(format!(
            "{WHAT}({n1}x{n2} -> {n_out}): expected inputs of sizes Bx{n1} and Bx{n2} (two matrices \
             with the same number of rows), got {} and {}",
            size_string(s1),
            size_string(s2)
        ))),
    }
}

/// `output[b, k] = Σ_ij x1[b, i] W[k, i, j] x2[b, j] + bias[k]`.
pub fn bilinear_update_output(
    x1: &Tensor,
    x2: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    output: &mut Tensor,
) -> Result<()> {
    float_type(WHAT, &[x1, x2, weight, &*output])?;
    let (b, n1, n2, n_out) = shapes(x1, x2, weight)?;
    let (a, c, w) = (values(x1)?, values(x2)?, values(weight)?);
    let bv = match bias {
        Some(t) => {
            check_sizes(WHAT, "bias", t, &[n_out])?;
            values(t)?
        }
        None => vec![0.0; n_out],
    };
    let mut y = vec![0.0; b * n_out];
    for s in 0..b {
        let (xa, xc) = (&a[s * n1..(s + 1) * n1], &c[s * n2..(s + 1) * n2]);
        for k in 0..n_out {
            let mut acc = 0.0;
            for (i, &ai) in xa.iter().enumerate() {
                let row = &w[(k * n1 + i) * n2..(k * n1 + i + 1) * n2];
                acc += ai * row.iter().zip(xc).map(|(p, q)| p * q).sum::<f64>();
            }
            y[s * n_out + k] = acc + bv[k];
        }
    }
    store(output, &[b, n_out], &y)
}

/// `gradInput1[b, i] = Σ_k g[b, k] Σ_j W[k, i, j] x2[b, j]`,
/// `gradInput2[b, j] = Σ_k g[b, k] Σ_i x1[b, i] W[k, i, j]`.
pub fn bilinear_update_grad_input(
    x1: &Tensor,
    x2: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    grad_input1: &mut Tensor,
    grad_input2: &mut Tensor,
) -> Result<()> {
    float_type(WHAT, &[x1, x2, grad_output, weight, &*grad_input1, &*grad_input2])?;
    let (b, n1, n2, n_out) = shapes(x1, x2, weight)?;
    check_grad_output(WHAT, grad_output, &[b, n_out])?;
    let (a, c, w, g) = (values(x1)?, values(x2)?, values(weight)?, values(grad_output)?);
    let (mut g1, mut g2) = (vec![0.0; b * n1], vec![0.0; b * n2]);
    for s in 0..b {
        let (xa, xc) = (&a[s * n1..(s + 1) * n1], &c[s * n2..(s + 1) * n2]);
        for k in 0..n_out {
            let gk = g[s * n_out + k];
            for i in 0..n1 {
                let row = &w[(k * n1 + i) * n2..(k * n1 + i + 1) * n2];
                g1[s * n1 + i] += gk * row.iter().zip(xc).map(|(p, q)| p * q).sum::<f64>();
                let f = gk * xa[i];
                for (j, p) in row.iter().enumerate() {
                    g2[s * n2 + j] += f * p;
                }
            }
        }
    }
    store(grad_input1, &[b, n1], &g1)?;
    store(grad_input2, &[b, n2], &g2)
}

/// `gradWeight[k, i, j] += scale Σ_b g[b, k] x1[b, i] x2[b, j]`, `gradBias += scale Σ_b g`.
pub fn bilinear_acc_grad_parameters(
    x1: &Tensor,
    x2: &Tensor,
    grad_output: &Tensor,
    grad_weight: &Tensor,
    grad_bias: Option<&Tensor>,
    scale: f64,
) -> Result<()> {
    float_type(WHAT, &[x1, x2, grad_output, grad_weight])?;
    let (b, n1, n2, n_out) = shapes(x1, x2, grad_weight)?;
    check_grad_output(WHAT, grad_output, &[b, n_out])?;
    let (a, c, g) = (values(x1)?, values(x2)?, values(grad_output)?);
    let mut gw = values(grad_weight)?;
    for s in 0..b {
        let (xa, xc) = (&a[s * n1..(s + 1) * n1], &c[s * n2..(s + 1) * n2]);
        for k in 0..n_out {
            let gk = scale * g[s * n_out + k];
            for i in 0..n1 {
                let f = gk * xa[i];
                let row = &mut gw[(k * n1 + i) * n2..(k * n1 + i + 1) * n2];
                for (p, q) in row.iter_mut().zip(xc) {
                    *p += f * q;
                }
            }
        }
    }
    super::util::overwrite(grad_weight, &gw)?;
    if let Some(gb) = grad_bias {
        check_sizes(WHAT, "gradBias", gb, &[n_out])?;
        let mut sums = vec![0.0; n_out];
        for s in 0..b {
            for k in 0..n_out {
                sums[k] += g[s * n_out + k];
            }
        }
        super::util::accumulate(gb, scale, &sums)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn identity_form_is_a_dot_product() {
        let w = Tensor::from_slice(&[1.0, 0.0, 0.0, 1.0], &[1, 2, 2]).unwrap();
        let x1 = Tensor::from_slice(&[1.0, 2.0], &[1, 2]).unwrap();
        let x2 = Tensor::from_slice(&[3.0, 4.0], &[1, 2]).unwrap();
        let mut y = Tensor::empty(DType::Double);
        bilinear_update_output(&x1, &x2, &w, None, &mut y).unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![11.0]);
        let e = bilinear_update_output(&x2.view(&[-1]).unwrap(), &x2, &w, None, &mut y).unwrap_err();
        assert!(e.to_string().contains("nn.Bilinear(2x2 -> 1)"), "{e}");
    }
}
