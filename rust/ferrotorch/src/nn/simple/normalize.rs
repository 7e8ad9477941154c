//! Normalize: `y = x / ‖x‖_p` for a vector or each row of a matrix, with Torch7's guards:
//! `‖x‖_p = (Σ|x|^p + eps)^(1/p)`, and for p = ∞ `max|x| + eps`.

use super::util::{check_grad_output, float_type, store, values};
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

fn what(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("nn.Normalize({p})")
    } else {
        format!("nn.Normalize({p:.6})")
    }
}

fn shapes(input: &Tensor, p: f64) -> Result<(usize, usize)> {
    match input.sizes() {
        [d] => Ok((1, *d)),
        [n, d] => Ok((*n, *d)),
        sizes => Err(Error::Value(format!(
            "{}: expected a vector or a matrix (one vector per row), got an input of size {}",
            what(p),
            size_string(sizes)
        ))),
    }
}

/// Per row: (Σ|x|^p + eps, its 1/p-th power) for finite p; (max|x| + eps, same, argmax) for ∞.
fn row_norm(row: &[f64], p: f64, eps: f64) -> (f64, f64, usize) {
    if p.is_infinite() {
        let mut best = (f64::NEG_INFINITY, 0);
        for (i, v) in row.iter().enumerate() {
            if v.abs() > best.0 {
                best = (v.abs(), i);
            }
        }
        let n = best.0 + eps;
        (n, n, best.1)
    } else {
        let normp = row.iter().map(|v| v.abs().powf(p)).sum::<f64>() + eps;
        (normp, normp.powf(1.0 / p), 0)
    }
}

/// `output = input / ‖input‖_p` row by row.
pub fn normalize_update_output(input: &Tensor, p: f64, eps: f64, output: &mut Tensor) -> Result<()> {
    float_type(&what(p), &[input, &*output])?;
    let (n, d) = shapes(input, p)?;
    let mut y = values(input)?;
    for r in 0..n {
        let row = &mut y[r * d..(r + 1) * d];
        let (_, norm, _) = row_norm(row, p, eps);
        row.iter_mut().for_each(|v| *v /= norm);
    }
    store(output, input.sizes(), &y)
}

/// The gradient of `x / ‖x‖_p`: `(normp · g − b (x·g)) / (normp · norm)` with `b = x|x|^(p−2)`
/// (Torch7 adds eps to |x| for p < 2 of odd kind); for p = ∞ b is `x_m / norm` at the argmax
/// m and zero elsewhere, and normp is norm.
pub fn normalize_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    p: f64,
    eps: f64,
    grad_input: &mut Tensor,
) -> Result<()> {
    let w = what(p);
    float_type(&w, &[input, grad_output, &*grad_input])?;
    let (n, d) = shapes(input, p)?;
    check_grad_output(&w, grad_output, input.sizes())?;
    let (x, g) = (values(input)?, values(grad_output)?);
    let mut gi = vec![0.0; n * d];
    for r in 0..n {
        let (xr, gr) = (&x[r * d..(r + 1) * d], &g[r * d..(r + 1) * d]);
        let (normp, norm, m) = row_norm(xr, p, eps);
        let cross: f64 = xr.iter().zip(gr).map(|(a, b)| a * b).sum();
        let out = &mut gi[r * d..(r + 1) * d];
        for i in 0..d {
            let b = if p.is_infinite() {
                if i == m {
                    xr[m] / norm
                } else {
                    0.0
                }
            } else if p % 2.0 != 0.0 {
                let base = if p < 2.0 { xr[i].abs() + eps } else { xr[i].abs() };
                base.powf(p - 2.0) * xr[i]
            } else if p == 2.0 {
                xr[i]
            } else {
                xr[i].powf(p - 2.0) * xr[i]
            };
            out[i] = (normp * gr[i] - b * cross) / (normp * norm);
        }
    }
    store(grad_input, input.sizes(), &gi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn unit_rows() {
        let x = Tensor::from_slice(&[3.0, 4.0, 0.0, -2.0], &[2, 2]).unwrap();
        let mut y = Tensor::empty(DType::Double);
        normalize_update_output(&x, 2.0, 0.0, &mut y).unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![0.6, 0.8, 0.0, -1.0]);
        normalize_update_output(&x, f64::INFINITY, 0.0, &mut y).unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![0.75, 1.0, 0.0, -1.0]);
    }
}
