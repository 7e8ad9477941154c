#![allow(dead_code)] // the math modules call these as they land

//! Result tensors of functions: Torch7's optional result (`out=` here) is resized to the
//! result's sizes and must have the result's type; without it a new tensor is made.

use crate::errors::IntoPyResult;
use crate::tensor::{wrap, PyTensor};
use ferrotorch::{DType, Tensor};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

/// The tensor a function writes its result into: `out` (checked for type, resized to `sizes`)
/// or a new zero-filled tensor of `dtype`.
pub fn result_tensor(out: Option<&Bound<'_, PyAny>>, dtype: DType, sizes: &[usize]) -> PyResult<Tensor> {
    let Some(out) = out else {
        return Tensor::zeros(dtype, sizes).py();
    };
    let cell = out.cast::<PyTensor>().map_err(|_| {
        PyTypeError::new_err(format!(
            "out= expects a tensor, got {}",
            out.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })?;
    let mut t = cell.get().get();
    if t.dtype() != dtype {
        return Err(PyTypeError::new_err(format!(
            "out= is a {} but the result is a {}",
            t.dtype().tensor_type_name(),
            dtype.tensor_type_name()
        )));
    }
    t.resize_(sizes).py()?;
    cell.get().put(t.clone());
    Ok(t)
}

/// What a function returns: the `out` object itself when given (so identity holds), else the new
/// tensor wrapped in its Python class.
pub fn finish(py: Python<'_>, out: Option<&Bound<'_, PyAny>>, t: Tensor) -> PyResult<Py<PyAny>> {
    match out {
        Some(o) => Ok(o.clone().unbind()),
        None => wrap(py, t),
    }
}
