//! Bindings of the misc kernels (ferrotorch::nn::misc): layer normalization, dropout, the L1
//! penalty (batch normalization is nn_spatial's SpatialBatchNormalization_*).

use crate::errors::IntoPyResult;
use crate::nn_common::{into_output, optional, run, tensor};
use crate::random::with_generator;
use crate::tensor::PyTensor;
use ferrotorch::nn::misc::{dropout, layer_normalization as ln, penalty};
use pyo3::prelude::*;

type T<'a, 'py> = &'a Bound<'py, PyTensor>;
type OptT<'a, 'py> = Option<&'a Bound<'py, PyTensor>>;

/// LayerNormalization_updateOutput(input, weight, bias, nOutput, eps, output)
#[pyfunction]
#[pyo3(name = "LayerNormalization_updateOutput")]
fn ln_update_output(
    py: Python<'_>,
    input: T,
    weight: OptT,
    bias: OptT,
    n: usize,
    eps: f64,
    output: T,
) -> PyResult<()> {
    let (x, w, b) = (tensor(input), optional(weight), optional(bias));
    into_output(py, output, x.numel(), |out| {
        ln::layer_normalization_update_output(&x, w.as_ref(), b.as_ref(), n, eps, out)
    })
}

/// LayerNormalization_updateGradInput(input, gradOutput, weight, nOutput, eps, gradInput)
#[pyfunction]
#[pyo3(name = "LayerNormalization_updateGradInput")]
fn ln_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    weight: OptT,
    n: usize,
    eps: f64,
    grad_input: T,
) -> PyResult<()> {
    let (x, go, w) = (tensor(input), tensor(grad_output), optional(weight));
    into_output(py, grad_input, x.numel(), |gi| {
        ln::layer_normalization_update_grad_input(&x, &go, w.as_ref(), n, eps, gi)
    })
}

/// LayerNormalization_accGradParameters(input, gradOutput, gradWeight, gradBias, nOutput, eps, scale)
#[pyfunction]
#[pyo3(name = "LayerNormalization_accGradParameters")]
#[allow(clippy::too_many_arguments)]
fn ln_acc_grad_parameters(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_weight: OptT,
    grad_bias: OptT,
    n: usize,
    eps: f64,
    scale: f64,
) -> PyResult<()> {
    let (x, go, gw, gb) = (tensor(input), tensor(grad_output), optional(grad_weight), optional(grad_bias));
    run(py, x.numel(), || {
        ln::layer_normalization_acc_grad_parameters(&x, &go, gw.as_ref(), gb.as_ref(), n, eps, scale)
    })
}

/// Dropout_updateOutput(input, output, noise, p, draw, scale, factor, maskDims): with draw, a
/// Bernoulli(1 - p) mask over input's first maskDims dims (size 1 beyond them), divided by
/// 1 - p when scale, multiplies input into output; without, output = input * factor. The
/// mask is drawn from the calling thread's default generator.
#[pyfunction]
#[pyo3(name = "Dropout_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn dropout_update_output(
    input: T,
    output: T,
    noise: T,
    p: f64,
    draw: bool,
    scale: bool,
    factor: f64,
    mask_dims: usize,
) -> PyResult<()> {
    let x = tensor(input);
    let (mut out, mut mask) = (tensor(output), tensor(noise));
    let result = if draw {
        let sizes: Vec<usize> =
            x.sizes().iter().enumerate().map(|(d, &s)| if d < mask_dims { s } else { 1 }).collect();
        with_generator(None::<&Bound<'_, crate::random::PyGenerator>>, |gen| {
            let mode = dropout::Mode::Draw { gen, noise_sizes: &sizes, scale };
            dropout::dropout_update_output(&x, &mut out, &mut mask, p, mode)
        })
    } else {
        dropout::dropout_update_output(&x, &mut out, &mut mask, p, dropout::Mode::Constant(factor))
    };
    output.get().put(out);
    noise.get().put(mask);
    result.py()
}

/// Dropout_updateGradInput(gradOutput, gradInput, noise, factor): gradOutput * noise (noise
/// broadcast), or gradOutput * factor when noise is None
#[pyfunction]
#[pyo3(name = "Dropout_updateGradInput")]
fn dropout_update_grad_input(
    py: Python<'_>,
    grad_output: T,
    grad_input: T,
    noise: OptT,
    factor: f64,
) -> PyResult<()> {
    let (go, mask) = (tensor(grad_output), optional(noise));
    into_output(py, grad_input, go.numel(), |gi| {
        dropout::dropout_update_grad_input(&go, gi, mask.as_ref(), factor)
    })
}

/// L1Penalty_updateGradInput(input, gradOutput, m, gradInput): m * sign(input) + gradOutput
/// (gradOutput None: the penalty term alone)
#[pyfunction]
#[pyo3(name = "L1Penalty_updateGradInput")]
fn l1_penalty_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: OptT,
    m: f64,
    grad_input: T,
) -> PyResult<()> {
    let (x, go) = (tensor(input), optional(grad_output));
    into_output(py, grad_input, x.numel(), |gi| penalty::l1_penalty_update_grad_input(&x, go.as_ref(), m, gi))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(ln_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(ln_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(ln_acc_grad_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(dropout_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(dropout_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(l1_penalty_update_grad_input, m)?)?;
    Ok(())
}
