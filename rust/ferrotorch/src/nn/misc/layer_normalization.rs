//! nn.LayerNormalization (Torch7 builds it as a Sequential: ConcatTable(Identity, Mean +
//! Replicate), CSubTable, Normalize(2, eps), MulConstant(√n), CMul, Add): fused here, per
//! sample x of n features: `c = x − mean(x)`, `y = √n · c / sqrt(Σc² + eps) · weight + bias`.

use super::{check_numel, check_same_sizes, read, write, write_resized};
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

const WHAT: &str = "nn.LayerNormalization";

/// Rows (samples) and n of a (n) or (B, n) input.
fn rows(input: &Tensor, n: usize) -> Result<usize> {
    match input.sizes() {
        [k] if *k == n => Ok(1),
        [b, k] if *k == n => Ok(*b),
        s => Err(Error::Value(format!(
            "{WHAT}({n}): expected an input of size {n} or Bx{n}, got {}",
            size_string(s)
        ))),
    }
}

/// Per row: the centred values c and the norm s = sqrt(Σc² + eps).
fn centre(x: &[f64], n: usize, eps: f64) -> (Vec<f64>, Vec<f64>) {
    let mut c = vec![0.0; x.len()];
    let mut norms = Vec::with_capacity(x.len() / n.max(1));
    for (row, out) in x.chunks(n).zip(c.chunks_mut(n)) {
        let mean = row.iter().sum::<f64>() / n as f64;
        let mut sq = 0.0;
        for (o, v) in out.iter_mut().zip(row) {
            *o = v - mean;
            sq += *o * *o;
        }
        norms.push((sq + eps).sqrt());
    }
    (c, norms)
}

fn params(weight: Option<&Tensor>, n: usize, name: &str, default: f64) -> Result<Vec<f64>> {
    match weight {
        Some(w) => {
            check_numel(w, n, WHAT, name)?;
            read(w, WHAT)
        }
        None => Ok(vec![default; n]),
    }
}

/// `output = √n · (x − mean) / sqrt(Σ(x − mean)² + eps) · weight + bias`, per row.
pub fn layer_normalization_update_output(
    input: &Tensor,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    n: usize,
    eps: f64,
    output: &mut Tensor,
) -> Result<()> {
    rows(input, n)?;
    let x = read(input, WHAT)?;
    let (w, b) = (params(weight, n, "weight", 1.0)?, params(bias, n, "bias", 0.0)?);
    let (c, norms) = centre(&x, n, eps);
    let gain = (n as f64).sqrt();
    let mut y = c;
    for (row, s) in y.chunks_mut(n).zip(&norms) {
        for (j, v) in row.iter_mut().enumerate() {
            *v = *v / s * gain * w[j] + b[j];
        }
    }
    write_resized(output, input.sizes(), &y)
}

/// gradInput: with `h = √n · g ⊙ weight`, `d = h / s − c (c·h) / s³`, `gradInput = d − mean(d)`.
pub fn layer_normalization_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    weight: Option<&Tensor>,
    n: usize,
    eps: f64,
    grad_input: &mut Tensor,
) -> Result<()> {
    rows(input, n)?;
    check_same_sizes(input, grad_output, WHAT)?;
    let (x, g) = (read(input, WHAT)?, read(grad_output, WHAT)?);
    let w = params(weight, n, "weight", 1.0)?;
    let (c, norms) = centre(&x, n, eps);
    let gain = (n as f64).sqrt();
    let mut d = vec![0.0; x.len()];
    for (((drow, crow), grow), s) in d.chunks_mut(n).zip(c.chunks(n)).zip(g.chunks(n)).zip(&norms) {
        let dot: f64 = (0..n).map(|j| crow[j] * grow[j] * gain * w[j]).sum();
        for j in 0..n {
            drow[j] = grow[j] * gain * w[j] / s - crow[j] * dot / (s * s * s);
        }
        let mean = drow.iter().sum::<f64>() / n as f64;
        drow.iter_mut().for_each(|v| *v -= mean);
    }
    write_resized(grad_input, input.sizes(), &d)
}

/// `gradWeight += scale · Σ_rows g ⊙ ŷ` (ŷ the normalized input before the gain),
/// `gradBias += scale · Σ_rows g`.
pub fn layer_normalization_acc_grad_parameters(
    input: &Tensor,
    grad_output: &Tensor,
    grad_weight: Option<&Tensor>,
    grad_bias: Option<&Tensor>,
    n: usize,
    eps: f64,
    scale: f64,
) -> Result<()> {
    rows(input, n)?;
    check_same_sizes(input, grad_output, WHAT)?;
    let (x, g) = (read(input, WHAT)?, read(grad_output, WHAT)?);
    let gain = (n as f64).sqrt();
    if let Some(gw) = grad_weight {
        check_numel(gw, n, WHAT, "gradWeight")?;
        let (c, norms) = centre(&x, n, eps);
        let mut acc = read(gw, WHAT)?;
        for ((crow, grow), s) in c.chunks(n).zip(g.chunks(n)).zip(&norms) {
            for j in 0..n {
                acc[j] += scale * grow[j] * (crow[j] / s * gain);
            }
        }
        write(gw, &acc)?;
    }
    if let Some(gb) = grad_bias {
        check_numel(gb, n, WHAT, "gradBias")?;
        let mut acc = read(gb, WHAT)?;
        for grow in g.chunks(n) {
            for j in 0..n {
                acc[j] += scale * grow[j];
            }
        }
        write(gb, &acc)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn rows_have_zero_mean_and_norm_sqrt_n() {
        let x = Tensor::from_slice(&[1.0, 2.0, 3.0, 4.0, 0.0, -4.0], &[2, 3]).unwrap();
        let mut out = Tensor::empty(DType::Double);
        layer_normalization_update_output(&x, None, None, 3, 0.0, &mut out).unwrap();
        let y = out.to_vec::<f64>().unwrap();
        for row in y.chunks(3) {
            assert!(row.iter().sum::<f64>().abs() < 1e-12);
            assert!((row.iter().map(|v| v * v).sum::<f64>() - 3.0).abs() < 1e-12);
        }
        let e = layer_normalization_update_output(&x, None, None, 4, 0.0, &mut out).unwrap_err();
        assert!(format!("{e}").contains("size 4 or Bx4, got 2x3"), "{e}");
    }
}
