//! Bindings of the table kernels (ferrotorch::nn::table). Tables are Python lists of tensors.

use crate::errors::IntoPyResult;
use crate::nn_common::{into_output, tensor};
use crate::tensor::{maybe_detach, PyTensor};
use ferrotorch::nn::table;
use pyo3::prelude::*;

/// CMaxTable_updateOutput(inputs, output, index, max): element-wise max (min) over the list
/// and the 0-based position of the first winner.
#[pyfunction]
#[pyo3(name = "CMaxTable_updateOutput")]
fn cmax_fwd(
    py: Python<'_>,
    inputs: Vec<Bound<'_, PyTensor>>,
    output: &Bound<'_, PyTensor>,
    index: &Bound<'_, PyTensor>,
    max: bool,
) -> PyResult<()> {
    let xs: Vec<_> = inputs.iter().map(tensor).collect();
    let (mut out, mut ix) = (tensor(output), tensor(index));
    let work: usize = xs.iter().map(|t| t.numel()).sum();
    let result = maybe_detach(py, work, || table::cmax_table_update_output(&xs, &mut out, &mut ix, max));
    output.get().put(out);
    index.get().put(ix);
    result.py()
}

/// CMaxTable_updateGradInput(index, gradOutput, gradInputs, max)
#[pyfunction]
#[pyo3(name = "CMaxTable_updateGradInput")]
fn cmax_bwd(
    py: Python<'_>,
    index: &Bound<'_, PyTensor>,
    grad_output: &Bound<'_, PyTensor>,
    grad_inputs: Vec<Bound<'_, PyTensor>>,
    max: bool,
) -> PyResult<()> {
    let (ix, go) = (tensor(index), tensor(grad_output));
    let mut gis: Vec<_> = grad_inputs.iter().map(tensor).collect();
    let work = go.numel() * gis.len();
    let result = maybe_detach(py, work, || table::cmax_table_update_grad_input(&ix, &go, &mut gis, max));
    for (py_t, t) in grad_inputs.iter().zip(gis) {
        py_t.get().put(t);
    }
    result.py()
}

/// CosineDistance_updateOutput(a, b, output)
#[pyfunction]
#[pyo3(name = "CosineDistance_updateOutput")]
fn cosine_fwd(
    py: Python<'_>,
    a: &Bound<'_, PyTensor>,
    b: &Bound<'_, PyTensor>,
    output: &Bound<'_, PyTensor>,
) -> PyResult<()> {
    let (x, y) = (tensor(a), tensor(b));
    into_output(py, output, x.numel() * 2, |out| table::cosine_distance_update_output(&x, &y, out))
}

/// CosineDistance_updateGradInput(a, b, gradOutput, gradA, gradB)
#[pyfunction]
#[pyo3(name = "CosineDistance_updateGradInput")]
fn cosine_bwd(
    py: Python<'_>,
    a: &Bound<'_, PyTensor>,
    b: &Bound<'_, PyTensor>,
    grad_output: &Bound<'_, PyTensor>,
    grad_a: &Bound<'_, PyTensor>,
    grad_b: &Bound<'_, PyTensor>,
) -> PyResult<()> {
    let (x, y, go) = (tensor(a), tensor(b), tensor(grad_output));
    let (mut ga, mut gb) = (tensor(grad_a), tensor(grad_b));
    let result = maybe_detach(py, x.numel() * 4, || {
        table::cosine_distance_update_grad_input(&x, &y, &go, &mut ga, &mut gb)
    });
    grad_a.get().put(ga);
    grad_b.get().put(gb);
    result.py()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cmax_fwd, m)?)?;
    m.add_function(wrap_pyfunction!(cmax_bwd, m)?)?;
    m.add_function(wrap_pyfunction!(cosine_fwd, m)?)?;
    m.add_function(wrap_pyfunction!(cosine_bwd, m)?)?;
    Ok(())
}
