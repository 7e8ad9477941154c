//! Bindings of the transfer kernels (ferrotorch::nn::transfer). The element-wise functions share
//! one shape, so a table of (class, constants, formula) generates their two bindings each:
//! `<Class>_updateOutput(input, output, *constants, inplace=False)` and
//! `<Class>_updateGradInput(input, gradOutput, output, gradInput, *constants, inplace=False)`.

use crate::errors::IntoPyResult;
use crate::nn_common::{into_output, run, tensor};
use crate::random::with_generator;
use crate::tensor::PyTensor;
use ferrotorch::nn::transfer::{self, softmax::SoftMaxKind, Pointwise};
use pyo3::prelude::*;

macro_rules! pointwise {
    ($($fname:literal $bname:literal $fwd:ident $bwd:ident ($($p:ident),*) => $op:expr;)*) => {
        $(
            #[doc = concat!($fname, "(input, output, ...): the forward of nn.", stringify!($op))]
            #[pyfunction]
            #[pyo3(name = $fname, signature = (input, output, $($p,)* inplace = false))]
            fn $fwd(
                py: Python<'_>,
                input: &Bound<'_, PyTensor>,
                output: &Bound<'_, PyTensor>,
                $($p: f64,)*
                inplace: bool,
            ) -> PyResult<()> {
                let op = $op;
                let x = tensor(input);
                into_output(py, output, x.numel(), |out| transfer::pointwise_update_output(op, &x, out, inplace))
            }

            #[doc = concat!($bname, "(input, gradOutput, output, gradInput, ...)")]
            #[pyfunction]
            #[pyo3(name = $bname, signature = (input, grad_output, output, grad_input, $($p,)* inplace = false))]
            #[allow(clippy::too_many_arguments)]
            fn $bwd(
                py: Python<'_>,
                input: &Bound<'_, PyTensor>,
                grad_output: &Bound<'_, PyTensor>,
                output: &Bound<'_, PyTensor>,
                grad_input: &Bound<'_, PyTensor>,
                $($p: f64,)*
                inplace: bool,
            ) -> PyResult<()> {
                let op = $op;
                let (x, go, y) = (tensor(input), tensor(grad_output), tensor(output));
                into_output(py, grad_input, x.numel(), |gi| {
                    transfer::pointwise_update_grad_input(op, &x, &go, &y, gi, inplace)
                })
            }
        )*

        fn register_pointwise(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(
                m.add_function(wrap_pyfunction!($fwd, m)?)?;
                m.add_function(wrap_pyfunction!($bwd, m)?)?;
            )*
            Ok(())
        }
    };
}

pointwise! {
    "Tanh_updateOutput" "Tanh_updateGradInput" tanh_fwd tanh_bwd () => Pointwise::Tanh;
    "Sigmoid_updateOutput" "Sigmoid_updateGradInput" sigmoid_fwd sigmoid_bwd () => Pointwise::Sigmoid;
    "Threshold_updateOutput" "Threshold_updateGradInput" threshold_fwd threshold_bwd (threshold, val)
        => Pointwise::Threshold { threshold, value: val };
    "HardTanh_updateOutput" "HardTanh_updateGradInput" hardtanh_fwd hardtanh_bwd (min_val, max_val)
        => Pointwise::HardTanh { min: min_val, max: max_val };
    "LeakyReLU_updateOutput" "LeakyReLU_updateGradInput" leaky_fwd leaky_bwd (negval)
        => Pointwise::LeakyReLU { negval };
    "ELU_updateOutput" "ELU_updateGradInput" elu_fwd elu_bwd (alpha) => Pointwise::Elu { alpha };
    "HardShrink_updateOutput" "HardShrink_updateGradInput" hardshrink_fwd hardshrink_bwd (lambda)
        => Pointwise::HardShrink { lambda };
    "SoftShrink_updateOutput" "SoftShrink_updateGradInput" softshrink_fwd softshrink_bwd (lambda)
        => Pointwise::SoftShrink { lambda };
    "TanhShrink_updateOutput" "TanhShrink_updateGradInput" tanhshrink_fwd tanhshrink_bwd ()
        => Pointwise::TanhShrink;
    "LogSigmoid_updateOutput" "LogSigmoid_updateGradInput" logsigmoid_fwd logsigmoid_bwd ()
        => Pointwise::LogSigmoid;
    "SoftPlus_updateOutput" "SoftPlus_updateGradInput" softplus_fwd softplus_bwd (beta, threshold)
        => Pointwise::SoftPlus { beta, threshold };
    "SoftSign_updateOutput" "SoftSign_updateGradInput" softsign_fwd softsign_bwd () => Pointwise::SoftSign;
}

macro_rules! softmax {
    ($($fname:literal $bname:literal $fwd:ident $bwd:ident $what:literal $log:literal $sign:literal;)*) => {
        $(
            #[doc = concat!($fname, "(input, output): the forward of ", $what)]
            #[pyfunction]
            #[pyo3(name = $fname)]
            fn $fwd(py: Python<'_>, input: &Bound<'_, PyTensor>, output: &Bound<'_, PyTensor>) -> PyResult<()> {
                let x = tensor(input);
                let kind = SoftMaxKind { log: $log, sign: $sign };
                into_output(py, output, x.numel() * 8, |out| transfer::softmax_update_output($what, kind, &x, out))
            }

            #[doc = concat!($bname, "(input, gradOutput, output, gradInput)")]
            #[pyfunction]
            #[pyo3(name = $bname)]
            fn $bwd(
                py: Python<'_>,
                input: &Bound<'_, PyTensor>,
                grad_output: &Bound<'_, PyTensor>,
                output: &Bound<'_, PyTensor>,
                grad_input: &Bound<'_, PyTensor>,
            ) -> PyResult<()> {
                let (x, go, y) = (tensor(input), tensor(grad_output), tensor(output));
                let kind = SoftMaxKind { log: $log, sign: $sign };
                into_output(py, grad_input, x.numel() * 4, |gi| {
                    transfer::softmax_update_grad_input($what, kind, &x, &go, &y, gi)
                })
            }
        )*

        fn register_softmax(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(
                m.add_function(wrap_pyfunction!($fwd, m)?)?;
                m.add_function(wrap_pyfunction!($bwd, m)?)?;
            )*
            Ok(())
        }
    };
}

softmax! {
    "SoftMax_updateOutput" "SoftMax_updateGradInput" softmax_fwd softmax_bwd "nn.SoftMax" false 1.0;
    "LogSoftMax_updateOutput" "LogSoftMax_updateGradInput" logsoftmax_fwd logsoftmax_bwd "nn.LogSoftMax" true 1.0;
    "SoftMin_updateOutput" "SoftMin_updateGradInput" softmin_fwd softmin_bwd "nn.SoftMin" false -1.0;
    "SpatialSoftMax_updateOutput" "SpatialSoftMax_updateGradInput" ssoftmax_fwd ssoftmax_bwd "nn.SpatialSoftMax" false 1.0;
    "SpatialLogSoftMax_updateOutput" "SpatialLogSoftMax_updateGradInput" slogsoftmax_fwd slogsoftmax_bwd "nn.SpatialLogSoftMax" true 1.0;
}

/// PReLU_updateOutput(input, output, weight, nOutputPlane)
#[pyfunction]
#[pyo3(name = "PReLU_updateOutput")]
fn prelu_fwd(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    output: &Bound<'_, PyTensor>,
    weight: &Bound<'_, PyTensor>,
    n_output_plane: usize,
) -> PyResult<()> {
    let (x, w) = (tensor(input), tensor(weight));
    into_output(py, output, x.numel(), |out| transfer::prelu_update_output(&x, &w, n_output_plane, out))
}

/// PReLU_updateGradInput(input, gradOutput, gradInput, weight, nOutputPlane)
#[pyfunction]
#[pyo3(name = "PReLU_updateGradInput")]
fn prelu_bwd(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    grad_output: &Bound<'_, PyTensor>,
    grad_input: &Bound<'_, PyTensor>,
    weight: &Bound<'_, PyTensor>,
    n_output_plane: usize,
) -> PyResult<()> {
    let (x, go, w) = (tensor(input), tensor(grad_output), tensor(weight));
    into_output(py, grad_input, x.numel(), |gi| {
        transfer::prelu_update_grad_input(&x, &go, &w, n_output_plane, gi)
    })
}

/// PReLU_accGradParameters(input, gradOutput, gradWeight, nOutputPlane, scale)
#[pyfunction]
#[pyo3(name = "PReLU_accGradParameters")]
fn prelu_acc(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    grad_output: &Bound<'_, PyTensor>,
    grad_weight: &Bound<'_, PyTensor>,
    n_output_plane: usize,
    scale: f64,
) -> PyResult<()> {
    let (x, go, gw) = (tensor(input), tensor(grad_output), tensor(grad_weight));
    run(py, x.numel(), || transfer::prelu_acc_grad_parameters(&x, &go, &gw, n_output_plane, scale))
}

/// RReLU_updateOutput(input, output, noise, lower, upper, train, inplace): random slopes drawn
/// from the calling thread's default generator.
#[pyfunction]
#[pyo3(name = "RReLU_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn rrelu_fwd(
    input: &Bound<'_, PyTensor>,
    output: &Bound<'_, PyTensor>,
    noise: &Bound<'_, PyTensor>,
    lower: f64,
    upper: f64,
    train: bool,
    inplace: bool,
) -> PyResult<()> {
    let (x, mut out, mut nz) = (tensor(input), tensor(output), tensor(noise));
    // The default generator belongs to this thread, so the GIL stays held.
    let result = with_generator(None, |g| {
        transfer::rrelu_update_output(&x, &mut out, &mut nz, lower, upper, train, inplace, g)
    });
    output.get().put(out);
    noise.get().put(nz);
    result.py()
}

/// RReLU_updateGradInput(input, gradOutput, gradInput, noise, lower, upper, train, inplace)
#[pyfunction]
#[pyo3(name = "RReLU_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn rrelu_bwd(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    grad_output: &Bound<'_, PyTensor>,
    grad_input: &Bound<'_, PyTensor>,
    noise: &Bound<'_, PyTensor>,
    lower: f64,
    upper: f64,
    train: bool,
    inplace: bool,
) -> PyResult<()> {
    let (x, go, nz) = (tensor(input), tensor(grad_output), tensor(noise));
    into_output(py, grad_input, x.numel(), |gi| {
        transfer::rrelu_update_grad_input(&x, &go, gi, &nz, lower, upper, train, inplace)
    })
}

/// GatedLinear_updateOutput(input, output, dim)
#[pyfunction]
#[pyo3(name = "GatedLinear_updateOutput")]
fn glu_fwd(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    output: &Bound<'_, PyTensor>,
    dim: usize,
) -> PyResult<()> {
    let x = tensor(input);
    into_output(py, output, x.numel() * 4, |out| transfer::gated_linear_update_output(&x, dim, out))
}

/// GatedLinear_updateGradInput(input, gradOutput, gradInput, dim)
#[pyfunction]
#[pyo3(name = "GatedLinear_updateGradInput")]
fn glu_bwd(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    grad_output: &Bound<'_, PyTensor>,
    grad_input: &Bound<'_, PyTensor>,
    dim: usize,
) -> PyResult<()> {
    let (x, go) = (tensor(input), tensor(grad_output));
    into_output(py, grad_input, x.numel() * 4, |gi| {
        transfer::gated_linear_update_grad_input(&x, &go, dim, gi)
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_pointwise(m)?;
    register_softmax(m)?;
    m.add_function(wrap_pyfunction!(prelu_fwd, m)?)?;
    m.add_function(wrap_pyfunction!(prelu_bwd, m)?)?;
    m.add_function(wrap_pyfunction!(prelu_acc, m)?)?;
    m.add_function(wrap_pyfunction!(rrelu_fwd, m)?)?;
    m.add_function(wrap_pyfunction!(rrelu_bwd, m)?)?;
    m.add_function(wrap_pyfunction!(glu_fwd, m)?)?;
    m.add_function(wrap_pyfunction!(glu_bwd, m)?)?;
    Ok(())
}
