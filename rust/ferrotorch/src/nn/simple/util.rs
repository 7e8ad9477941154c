//! Plumbing shared by the simple kernels: type checks, f64 work vectors, results written back.

use crate::layout::size_string;
use crate::{DType, Error, Result, Tensor};

/// The common type of the tensors: TypeError unless all are Float or all are Double.
pub fn float_type(what: &str, tensors: &[&Tensor]) -> Result<DType> {
    let dt = tensors.first().map(|t| t.dtype()).unwrap_or(DType::Double);
    if !matches!(dt, DType::Float | DType::Double) {
        return Err(Error::Type(format!(
            "{what}: expected a torch.FloatTensor or torch.DoubleTensor, got a {}",
            dt.tensor_type_name()
        )));
    }
    for t in tensors {
        if t.dtype() != dt {
            return Err(Error::Type(format!(
                "{what}: mixed tensor types {} and {} (convert the module with float() or double())",
                dt.tensor_type_name(),
                t.dtype().tensor_type_name()
            )));
        }
    }
    Ok(dt)
}

/// The elements of t in row-major order, as f64.
pub fn values(t: &Tensor) -> Result<Vec<f64>> {
    t.to_vec::<f64>()
}

/// Resizes `out` to `sizes` and writes `data` (row-major) into it.
pub fn store(out: &mut Tensor, sizes: &[usize], data: &[f64]) -> Result<()> {
    out.resize_(sizes)?;
    if data.is_empty() {
        return Ok(());
    }
    out.copy_same_shape(&Tensor::from_slice(data, sizes)?)
}

/// Writes `data` (row-major, as many elements as dst) into an existing tensor.
pub fn overwrite(dst: &Tensor, data: &[f64]) -> Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    dst.copy_same_shape(&Tensor::from_slice(data, dst.sizes())?)
}

/// `dst += scale * data` (data row-major in dst's shape): gradient accumulation.
pub fn accumulate(dst: &Tensor, scale: f64, data: &[f64]) -> Result<()> {
    let mut cur = values(dst)?;
    for (c, d) in cur.iter_mut().zip(data) {
        *c += scale * d;
    }
    overwrite(dst, &cur)
}

/// ValueError unless t has exactly these sizes.
pub fn check_sizes(what: &str, name: &str, t: &Tensor, sizes: &[usize]) -> Result<()> {
    if t.sizes() == sizes {
        return Ok(());
    }
    Err(Error::Value(format!(
        "{what}: {name} should be of size {}, got {}",
        size_string(sizes),
        size_string(t.sizes())
    )))
}

/// Splits an input of `n` features into (batch, n): a vector is one sample (batch None).
pub fn rows(what: &str, input: &Tensor, n: usize) -> Result<(Option<usize>, usize)> {
    match input.sizes() {
        [m] if *m == n => Ok((None, 1)),
        [b, m] if *m == n => Ok((Some(*b), *b)),
        sizes => Err(Error::Value(format!(
            "{what}: expected an input of size {n} or Bx{n}, got {}",
            size_string(sizes)
        ))),
    }
}

/// The output sizes for a per-sample result of `n` values.
pub fn out_sizes(batch: Option<usize>, n: usize) -> Vec<usize> {
    match batch {
        None => vec![n],
        Some(b) => vec![b, n],
    }
}

/// ValueError unless gradOutput has the output's sizes.
pub fn check_grad_output(what: &str, grad_output: &Tensor, sizes: &[usize]) -> Result<()> {
    check_sizes(what, "gradOutput", grad_output, sizes)
}
