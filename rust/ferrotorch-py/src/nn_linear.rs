//! Bindings of nn.Linear's kernels (ferrotorch::nn::linear).

use crate::nn_common::{into_output, optional, run, tensor};
use crate::tensor::PyTensor;
use ferrotorch::nn::linear;
use pyo3::prelude::*;

/// Linear_updateOutput(input, weight, bias, output): output = weight · input + bias
#[pyfunction]
#[pyo3(name = "Linear_updateOutput", signature = (input, weight, bias, output))]
fn update_output(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    weight: &Bound<'_, PyTensor>,
    bias: Option<&Bound<'_, PyTensor>>,
    output: &Bound<'_, PyTensor>,
) -> PyResult<()> {
    let (x, w, b) = (tensor(input), tensor(weight), optional(bias));
    let work = x.numel() * w.sizes().first().copied().unwrap_or(1);
    into_output(py, output, work, |out| linear::linear_update_output(&x, &w, b.as_ref(), out))
}

/// Linear_updateGradInput(input, gradOutput, weight, gradInput): gradInput = weightᵀ · gradOutput
#[pyfunction]
#[pyo3(name = "Linear_updateGradInput")]
fn update_grad_input(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    grad_output: &Bound<'_, PyTensor>,
    weight: &Bound<'_, PyTensor>,
    grad_input: &Bound<'_, PyTensor>,
) -> PyResult<()> {
    let (x, go, w) = (tensor(input), tensor(grad_output), tensor(weight));
    let work = x.numel() * w.sizes().first().copied().unwrap_or(1);
    into_output(py, grad_input, work, |gi| linear::linear_update_grad_input(&x, &go, &w, gi))
}

/// Linear_accGradParameters(input, gradOutput, gradWeight, gradBias, scale)
#[pyfunction]
#[pyo3(name = "Linear_accGradParameters", signature = (input, grad_output, grad_weight, grad_bias, scale))]
fn acc_grad_parameters(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    grad_output: &Bound<'_, PyTensor>,
    grad_weight: &Bound<'_, PyTensor>,
    grad_bias: Option<&Bound<'_, PyTensor>>,
    scale: f64,
) -> PyResult<()> {
    let (x, go, gw, gb) = (tensor(input), tensor(grad_output), tensor(grad_weight), optional(grad_bias));
    let work = x.numel() * gw.sizes().first().copied().unwrap_or(1);
    run(py, work, || linear::linear_acc_grad_parameters(&x, &go, &gw, gb.as_ref(), scale))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(update_output, m)?)?;
    m.add_function(wrap_pyfunction!(update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(acc_grad_parameters, m)?)?;
    Ok(())
}
