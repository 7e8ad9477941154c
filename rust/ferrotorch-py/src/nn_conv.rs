//! Bindings of the convolution kernels (ferrotorch::nn::conv): one function per direction
//! for the unrolled families (`Conv_*`, with the family as an argument) and one per direction
//! for the connection-table, locally connected and sub-sampling kernels.

use crate::nn_common::{into_output, optional, run, tensor};
use crate::tensor::PyTensor;
use ferrotorch::nn::conv::direct::{self, MapKind};
use ferrotorch::nn::conv::local::{self, LocalParams};
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

fn map_kind(full: bool) -> MapKind {
    if full {
        MapKind::Full
    } else {
        MapKind::Valid
    }
}

/// ConvMap_updateOutput(what, full, input, weight, bias, connTable, nInputPlane,
/// nOutputPlane, (dH, dW), output): SpatialConvolutionMap / SpatialFullConvolutionMap
#[pyfunction]
#[pyo3(name = "ConvMap_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn map_update_output(
    py: Python<'_>,
    what: &str,
    full: bool,
    input: &Bound<'_, PyTensor>,
    weight: &Bound<'_, PyTensor>,
    bias: &Bound<'_, PyTensor>,
    table: &Bound<'_, PyTensor>,
    n_in: usize,
    n_out: usize,
    stride: (usize, usize),
    output: &Bound<'_, PyTensor>,
) -> PyResult<()> {
    let (x, w, b, t) = (tensor(input), tensor(weight), tensor(bias), tensor(table));
    let work = x.numel() * w.numel();
    into_output(py, output, work, |out| {
        direct::map_update_output(what, map_kind(full), &x, &w, &b, &t, n_in, n_out, stride, out)
    })
}

/// ConvMap_backward(what, full, input, gradOutput, weight, connTable, nInputPlane,
/// nOutputPlane, (dH, dW), gradInput, gradWeight, gradBias, scale)
#[pyfunction]
#[pyo3(name = "ConvMap_backward")]
#[allow(clippy::too_many_arguments)]
fn map_backward(
    py: Python<'_>,
    what: &str,
    full: bool,
    input: &Bound<'_, PyTensor>,
    grad_output: &Bound<'_, PyTensor>,
    weight: &Bound<'_, PyTensor>,
    table: &Bound<'_, PyTensor>,
    n_in: usize,
    n_out: usize,
    stride: (usize, usize),
    grad_input: Option<&Bound<'_, PyTensor>>,
    grad_weight: Option<&Bound<'_, PyTensor>>,
    grad_bias: Option<&Bound<'_, PyTensor>>,
    scale: f64,
) -> PyResult<()> {
    let (x, go, w, t) = (tensor(input), tensor(grad_output), tensor(weight), tensor(table));
    let (gw, gb) = (optional(grad_weight), optional(grad_bias));
    let k = map_kind(full);
    let work = x.numel() * w.numel();
    let call = |gi: Option<&mut ferrotorch::Tensor>| {
        direct::map_backward(
            what,
            k,
            &x,
            &go,
            &w,
            &t,
            n_in,
            n_out,
            stride,
            gi,
            gw.as_ref(),
            gb.as_ref(),
            scale,
        )
    };
    match grad_input {
        Some(gi) => into_output(py, gi, work, |gi| call(Some(gi))),
        None => run(py, work, || call(None)),
    }
}

/// SubSampling_updateOutput(what, input, weight, bias, (kH, kW), (dH, dW), output)
#[pyfunction]
#[pyo3(name = "SubSampling_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn subsampling_update_output(
    py: Python<'_>,
    what: &str,
    input: &Bound<'_, PyTensor>,
    weight: &Bound<'_, PyTensor>,
    bias: &Bound<'_, PyTensor>,
    k: (usize, usize),
    stride: (usize, usize),
    output: &Bound<'_, PyTensor>,
) -> PyResult<()> {
    let (x, w, b) = (tensor(input), tensor(weight), tensor(bias));
    let work = x.numel() * k.0 * k.1;
    into_output(py, output, work, |out| direct::subsampling_update_output(what, &x, &w, &b, k, stride, out))
}

/// SubSampling_backward(what, input, gradOutput, weight, (kH, kW), (dH, dW), gradInput,
/// gradWeight, gradBias, scale)
#[pyfunction]
#[pyo3(name = "SubSampling_backward")]
#[allow(clippy::too_many_arguments)]
fn subsampling_backward(
    py: Python<'_>,
    what: &str,
    input: &Bound<'_, PyTensor>,
    grad_output: &Bound<'_, PyTensor>,
    weight: &Bound<'_, PyTensor>,
    k: (usize, usize),
    stride: (usize, usize),
    grad_input: Option<&Bound<'_, PyTensor>>,
    grad_weight: Option<&Bound<'_, PyTensor>>,
    grad_bias: Option<&Bound<'_, PyTensor>>,
    scale: f64,
) -> PyResult<()> {
    let (x, go, w) = (tensor(input), tensor(grad_output), tensor(weight));
    let (gw, gb) = (optional(grad_weight), optional(grad_bias));
    let work = x.numel() * k.0 * k.1;
    let call = |gi: Option<&mut ferrotorch::Tensor>| {
        direct::subsampling_backward(what, &x, &go, &w, k, stride, gi, gw.as_ref(), gb.as_ref(), scale)
    };
    match grad_input {
        Some(gi) => into_output(py, gi, work, |gi| call(Some(gi))),
        None => run(py, work, || call(None)),
    }
}

type Pair = (usize, usize);

fn local_params(planes: Pair, input: Pair, k: Pair, stride: Pair, pad: Pair) -> LocalParams {
    LocalParams { n_in: planes.0, n_out: planes.1, input, k, stride, pad }
}

/// ConvLocal_updateOutput(what, input, weight, bias, (nIn, nOut), (iH, iW), (kH, kW),
/// (dH, dW), (padH, padW), output)
#[pyfunction]
#[pyo3(name = "ConvLocal_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn local_update_output(
    py: Python<'_>,
    what: &str,
    input: &Bound<'_, PyTensor>,
    weight: &Bound<'_, PyTensor>,
    bias: &Bound<'_, PyTensor>,
    planes: Pair,
    size: Pair,
    k: Pair,
    stride: Pair,
    pad: Pair,
    output: &Bound<'_, PyTensor>,
) -> PyResult<()> {
    let (x, w, b) = (tensor(input), tensor(weight), tensor(bias));
    let p = local_params(planes, size, k, stride, pad);
    let work = x.numel() * w.numel();
    into_output(py, output, work, |out| local::update_output(what, &x, &w, &b, out, &p))
}

/// ConvLocal_backward(what, input, gradOutput, weight, (nIn, nOut), (iH, iW), (kH, kW),
/// (dH, dW), (padH, padW), gradInput, gradWeight, gradBias, scale)
#[pyfunction]
#[pyo3(name = "ConvLocal_backward")]
#[allow(clippy::too_many_arguments)]
fn local_backward(
    py: Python<'_>,
    what: &str,
    input: &Bound<'_, PyTensor>,
    grad_output: &Bound<'_, PyTensor>,
    weight: &Bound<'_, PyTensor>,
    planes: Pair,
    size: Pair,
    k: Pair,
    stride: Pair,
    pad: Pair,
    grad_input: Option<&Bound<'_, PyTensor>>,
    grad_weight: Option<&Bound<'_, PyTensor>>,
    grad_bias: Option<&Bound<'_, PyTensor>>,
    scale: f64,
) -> PyResult<()> {
    let (x, go, w) = (tensor(input), tensor(grad_output), tensor(weight));
    let (gw, gb) = (optional(grad_weight), optional(grad_bias));
    let p = local_params(planes, size, k, stride, pad);
    let work = x.numel() * w.numel();
    let call = |gi: Option<&mut ferrotorch::Tensor>| {
        local::backward(what, &x, &go, &w, gi, gw.as_ref(), gb.as_ref(), scale, &p)
    };
    match grad_input {
        Some(gi) => into_output(py, gi, work, |gi| call(Some(gi))),
        None => run(py, work, || call(None)),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(conv_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(conv_backward, m)?)?;
    m.add_function(wrap_pyfunction!(map_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(map_backward, m)?)?;
    m.add_function(wrap_pyfunction!(subsampling_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(subsampling_backward, m)?)?;
    m.add_function(wrap_pyfunction!(local_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(local_backward, m)?)?;
    Ok(())
}
