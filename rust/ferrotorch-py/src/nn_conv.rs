//! Bindings of the convolution kernels (ferrotorch::nn::conv): one function per direction
//! for the unrolled families (`Conv_*`, with the family as an argument) and one per direction
//! for the connection-table, locally connected and sub-sampling kernels.

use crate::nn_common::{into_output, optional, run, tensor};
use crate::tensor::PyTensor;
use ferrotorch::nn::conv::unrolled::{self, Kind, Params};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

type Triple = (usize, usize, usize);

fn kind(name: &str) -> PyResult<Kind> {
    match name {
        "conv" => Ok(Kind::Conv),
        "depthwise" => Ok(Kind::DepthWise),
        "full" => Ok(Kind::Full),
        _ => Err(PyValueError::new_err(format!("unknown convolution family {name:?}"))),
    }
}

fn params(nd: usize, k: Triple, stride: Triple, pad: Triple, dil: Triple, adj: Triple) -> Params {
    let t = |v: Triple| [v.0, v.1, v.2];
    Params { nd, k: t(k), stride: t(stride), pad: t(pad), dil: t(dil), adj: t(adj) }
}

/// Conv_updateOutput(what, family, input, weight, bias, output, nd, k, stride, pad, dil, adj):
/// output of a convolution family ('conv', 'depthwise', 'full'); sizes as (t, h, w)
#[pyfunction]
#[pyo3(name = "Conv_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn conv_update_output(
    py: Python<'_>,
    what: &str,
    family: &str,
    input: &Bound<'_, PyTensor>,
    weight: &Bound<'_, PyTensor>,
    bias: Option<&Bound<'_, PyTensor>>,
    output: &Bound<'_, PyTensor>,
    nd: usize,
    k: Triple,
    stride: Triple,
    pad: Triple,
    dil: Triple,
    adj: Triple,
) -> PyResult<()> {
    let (x, w, b) = (tensor(input), tensor(weight), optional(bias));
    let (kind, p) = (kind(family)?, params(nd, k, stride, pad, dil, adj));
    let work = x.numel() * w.numel();
    into_output(py, output, work, |out| unrolled::update_output(what, kind, &x, &w, b.as_ref(), out, &p))
}

/// Conv_backward(what, family, input, gradOutput, weight, gradInput, gradWeight, gradBias,
/// scale, nd, k, stride, pad, dil, adj): gradInput (if given) and the parameter gradients (if
/// given), in one pass
#[pyfunction]
#[pyo3(name = "Conv_backward")]
#[allow(clippy::too_many_arguments)]
fn conv_backward(
    py: Python<'_>,
    what: &str,
    family: &str,
    input: &Bound<'_, PyTensor>,
    grad_output: &Bound<'_, PyTensor>,
    weight: &Bound<'_, PyTensor>,
    grad_input: Option<&Bound<'_, PyTensor>>,
    grad_weight: Option<&Bound<'_, PyTensor>>,
    grad_bias: Option<&Bound<'_, PyTensor>>,
    scale: f64,
    nd: usize,
    k: Triple,
    stride: Triple,
    pad: Triple,
    dil: Triple,
    adj: Triple,
) -> PyResult<()> {
    let (x, go, w) = (tensor(input), tensor(grad_output), tensor(weight));
    let (gw, gb) = (optional(grad_weight), optional(grad_bias));
    let (kind, p) = (kind(family)?, params(nd, k, stride, pad, dil, adj));
    let work = x.numel() * w.numel();
    match grad_input {
        Some(gi) => into_output(py, gi, work, |gi| {
            unrolled::backward(what, kind, &x, &go, &w, Some(gi), gw.as_ref(), gb.as_ref(), scale, &p)
        }),
        None => run(py, work, || {
            unrolled::backward(what, kind, &x, &go, &w, None, gw.as_ref(), gb.as_ref(), scale, &p)
        }),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(conv_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(conv_backward, m)?)?;
    Ok(())
}
