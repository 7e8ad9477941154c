//! Bindings of the local-normalization, padding / upsampling and temporal kernels
//! (ferrotorch::nn::{normalization, padding, temporal}). Argument conversion only; every kernel
//! runs with the GIL released above the size threshold.

use crate::errors::IntoPyResult;
use crate::nn_common::{into_output, run, tensor};
use crate::tensor::{maybe_detach, PyTensor};
use ferrotorch::nn::normalization as norm;
use pyo3::prelude::*;

type T<'a, 'py> = &'a Bound<'py, PyTensor>;

/// SpatialNormalization_coef(input, kernel, nInputPlane, coef, name): coef (H x W) = the mean
/// estimator applied to an all-ones input (Torch7's border correction)
#[pyfunction]
#[pyo3(name = "SpatialNormalization_coef")]
fn coef(py: Python<'_>, input: T, kernel: T, n_input_plane: usize, coef: T, name: &str) -> PyResult<()> {
    let (x, k) = (tensor(input), tensor(kernel));
    into_output(py, coef, x.numel(), |c| norm::spatial_normalization_coef(&x, &k, n_input_plane, c, name))
}

/// SpatialSubtractiveNormalization_updateOutput(input, kernel, coef, output, name)
#[pyfunction]
#[pyo3(name = "SpatialSubtractiveNormalization_updateOutput")]
fn sub_update_output(py: Python<'_>, input: T, kernel: T, coef: T, output: T, name: &str) -> PyResult<()> {
    let (x, k, c) = (tensor(input), tensor(kernel), tensor(coef));
    into_output(py, output, x.numel(), |o| {
        norm::spatial_subtractive_normalization_update_output(&x, &k, &c, o, name)
    })
}

/// SpatialSubtractiveNormalization_updateGradInput(input, gradOutput, kernel, coef, gradInput, name)
#[pyfunction]
#[pyo3(name = "SpatialSubtractiveNormalization_updateGradInput")]
fn sub_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    kernel: T,
    coef: T,
    grad_input: T,
    name: &str,
) -> PyResult<()> {
    let (x, g, k, c) = (tensor(input), tensor(grad_output), tensor(kernel), tensor(coef));
    into_output(py, grad_input, x.numel(), |gi| {
        norm::spatial_subtractive_normalization_update_grad_input(&x, &g, &k, &c, gi, name)
    })
}

/// SpatialDivisiveNormalization_updateOutput(input, kernel, coef, stds, output, threshold,
/// thresval, name): stds (B x H x W) keeps the local standard deviations for backward
#[pyfunction]
#[pyo3(name = "SpatialDivisiveNormalization_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn div_update_output(
    py: Python<'_>,
    input: T,
    kernel: T,
    coef: T,
    stds: T,
    output: T,
    threshold: f64,
    thresval: f64,
    name: &str,
) -> PyResult<()> {
    let (x, k, c) = (tensor(input), tensor(kernel), tensor(coef));
    let (mut s, mut o) = (tensor(stds), tensor(output));
    let result = maybe_detach(py, x.numel(), || {
        norm::spatial_divisive_normalization_update_output(
            &x, &k, &c, &mut s, &mut o, threshold, thresval, name,
        )
    });
    stds.get().put(s);
    output.get().put(o);
    result.py()
}

/// SpatialDivisiveNormalization_updateGradInput(input, gradOutput, kernel, coef, stds,
/// gradInput, threshold, thresval, name)
#[pyfunction]
#[pyo3(name = "SpatialDivisiveNormalization_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn div_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    kernel: T,
    coef: T,
    stds: T,
    grad_input: T,
    threshold: f64,
    thresval: f64,
    name: &str,
) -> PyResult<()> {
    let (x, g, k, c, s) = (tensor(input), tensor(grad_output), tensor(kernel), tensor(coef), tensor(stds));
    into_output(py, grad_input, x.numel(), |gi| {
        norm::spatial_divisive_normalization_update_grad_input(
            &x, &g, &k, &c, &s, gi, threshold, thresval, name,
        )
    })
}

/// SpatialCrossMapLRN_updateOutput(input, output, scale, size, alpha, beta, k, name)
#[pyfunction]
#[pyo3(name = "SpatialCrossMapLRN_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn lrn_update_output(
    py: Python<'_>,
    input: T,
    output: T,
    scale: T,
    size: usize,
    alpha: f64,
    beta: f64,
    k: f64,
    name: &str,
) -> PyResult<()> {
    let x = tensor(input);
    let (mut o, mut s) = (tensor(output), tensor(scale));
    let result = maybe_detach(py, x.numel(), || {
        norm::spatial_cross_map_lrn_update_output(&x, &mut o, &mut s, size, alpha, beta, k, name)
    });
    output.get().put(o);
    scale.get().put(s);
    result.py()
}

/// SpatialCrossMapLRN_updateGradInput(input, gradOutput, output, scale, gradInput, size, alpha,
/// beta, name)
#[pyfunction]
#[pyo3(name = "SpatialCrossMapLRN_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn lrn_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    output: T,
    scale: T,
    grad_input: T,
    size: usize,
    alpha: f64,
    beta: f64,
    name: &str,
) -> PyResult<()> {
    let (x, g, o, s) = (tensor(input), tensor(grad_output), tensor(output), tensor(scale));
    into_output(py, grad_input, x.numel(), |gi| {
        norm::spatial_cross_map_lrn_update_grad_input(&x, &g, &o, &s, gi, size, alpha, beta, name)
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(coef, m)?)?;
    m.add_function(wrap_pyfunction!(sub_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(sub_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(div_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(div_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(lrn_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(lrn_update_grad_input, m)?)?;
    Ok(())
}
