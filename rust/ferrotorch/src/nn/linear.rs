//! nn.Linear: `y = W x + b` for a vector x (in) or a batch of rows X (B×in).

use crate::layout::size_string;
use crate::ops::linalg::{addmm_into, addmv_into, addr_into, product_into};
use crate::ops::pointwise::add_scaled_into;
use crate::ops::reduce::Reduction;
use crate::{Error, Result, Scalar, Tensor};

/// Checks input against weight (out×in) and returns the batch size (None for a vector).
fn check_input(input: &Tensor, weight: &Tensor) -> Result<Option<usize>> {
    let n_in = weight.sizes()[1];
    match input.sizes() {
        [n] if *n == n_in => Ok(None),
        [b, n] if *n == n_in => Ok(Some(*b)),
        sizes => Err(Error::Value(format!(
            "nn.Linear({n_in} -> {}): expected an input of size {n_in} or Bx{n_in}, got {}",
            weight.sizes()[0],
            size_string(sizes)
        ))),
    }
}

fn check_weight(weight: &Tensor) -> Result<()> {
    if weight.ndim() != 2 {
        return Err(Error::Value(format!(
            "nn.Linear: weight must be a matrix (outputSize x inputSize), got {}",
            size_string(weight.sizes())
        )));
    }
    Ok(())
}

/// `output = weight · input + bias` (output resized to out or B×out).
pub fn linear_update_output(
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    output: &mut Tensor,
) -> Result<()> {
    check_weight(weight)?;
    let n_out = weight.sizes()[0];
    let one = Scalar::Int(1);
    match check_input(input, weight)? {
        None => {
            output.resize_(&[n_out])?;
            let beta = match bias {
                Some(b) => {
                    output.copy_(b)?;
                    one
                }
                None => Scalar::Int(0),
            };
            addmv_into(output, beta, output, one, weight, input)
        }
        Some(batch) => {
            output.resize_(&[batch, n_out])?;
            let beta = match bias {
                Some(b) => {
                    output.copy_(&b.unsqueeze(0)?.expand(&[batch, n_out])?)?;
                    one
                }
                None => Scalar::Int(0),
            };
            addmm_into(output, beta, output, one, input, &weight.t()?)
        }
    }
}

/// `gradInput = weightᵀ · gradOutput` (resized like input).
pub fn linear_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    grad_input: &mut Tensor,
) -> Result<()> {
    check_weight(weight)?;
    let batch = check_input(input, weight)?;
    check_grad_output(grad_output, weight, batch)?;
    grad_input.resize_(input.sizes())?;
    match batch {
        None => product_into("mv", grad_input, &weight.t()?, grad_output),
        Some(_) => product_into("mm", grad_input, grad_output, weight),
    }
}

/// `gradWeight += scale · gradOutput ⊗ input`, `gradBias += scale · Σ_batch gradOutput`.
pub fn linear_acc_grad_parameters(
    input: &Tensor,
    grad_output: &Tensor,
    grad_weight: &Tensor,
    grad_bias: Option<&Tensor>,
    scale: f64,
) -> Result<()> {
    check_weight(grad_weight)?;
    let batch = check_input(input, grad_weight)?;
    check_grad_output(grad_output, grad_weight, batch)?;
    let (one, scale) = (Scalar::Int(1), Scalar::Float(scale));
    match batch {
        None => {
            addr_into(grad_weight, one, grad_weight, scale, grad_output, input)?;
            if let Some(gb) = grad_bias {
                add_scaled_into(gb, scale, grad_output, false, gb)?;
            }
        }
        Some(_) => {
            addmm_into(grad_weight, one, grad_weight, scale, &grad_output.t()?, input)?;
            if let Some(gb) = grad_bias {
                let summed = grad_output.reduce_dim(Reduction::Sum, 0)?;
                add_scaled_into(gb, scale, &summed.view(&[-1])?, false, gb)?;
            }
        }
    }
    Ok(())
}

fn check_grad_output(grad_output: &Tensor, weight: &Tensor, batch: Option<usize>) -> Result<()> {
    let n_out = weight.sizes()[0];
    let ok = match batch {
        None => grad_output.sizes() == [n_out],
        Some(b) => grad_output.sizes() == [b, n_out],
    };
    if ok {
        return Ok(());
    }
    Err(Error::Value(format!(
        "nn.Linear({} -> {n_out}): gradOutput of size {} does not match the output",
        weight.sizes()[1],
        size_string(grad_output.sizes())
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    fn t(v: &[f64], s: &[usize]) -> Tensor {
        Tensor::from_slice(v, s).unwrap()
    }

    #[test]
    fn forward_backward_vector_and_batch() {
        let w = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
        let b = t(&[0.5, -1.0], &[2]);
        let mut out = Tensor::empty(DType::Double);
        linear_update_output(&t(&[1.0, 0.0, -1.0], &[3]), &w, Some(&b), &mut out).unwrap();
        assert_eq!(out.to_vec::<f64>().unwrap(), vec![-1.5, -3.0]);
        let x = t(&[1.0, 0.0, -1.0, 0.0, 1.0, 0.0], &[2, 3]);
        linear_update_output(&x, &w, Some(&b), &mut out).unwrap();
        assert_eq!(out.to_vec::<f64>().unwrap(), vec![-1.5, -3.0, 2.5, 4.0]);
        let go = t(&[1.0, 0.0, 0.0, 2.0], &[2, 2]);
        let mut gi = Tensor::empty(DType::Double);
        linear_update_grad_input(&x, &go, &w, &mut gi).unwrap();
        assert_eq!(gi.to_vec::<f64>().unwrap(), vec![1.0, 2.0, 3.0, 8.0, 10.0, 12.0]);
        let gw = Tensor::zeros(DType::Double, &[2, 3]).unwrap();
        let gb = Tensor::zeros(DType::Double, &[2]).unwrap();
        linear_acc_grad_parameters(&x, &go, &gw, Some(&gb), 0.5).unwrap();
        assert_eq!(gw.to_vec::<f64>().unwrap(), vec![0.5, 0.0, -0.5, 0.0, 1.0, 0.0]);
        assert_eq!(gb.to_vec::<f64>().unwrap(), vec![0.5, 1.0]);
    }

    #[test]
    fn wrong_sizes_name_the_module() {
        let w = Tensor::zeros(DType::Double, &[2, 3]).unwrap();
        let mut out = Tensor::empty(DType::Double);
        let e = linear_update_output(&t(&[1.0; 4], &[4]), &w, None, &mut out).unwrap_err();
        assert!(format!("{e}").contains("nn.Linear(3 -> 2)"), "{e}");
    }
}
