//! Bindings of the pooling kernels (ferrotorch::nn::pooling). Window arguments are `(T, H, W)`
//! triples (a spatial class passes 1, 1, 0, 1 for T); `name` is the class, for messages.

use crate::errors::IntoPyResult;
use crate::nn_common::{into_output, tensor};
use crate::tensor::{maybe_detach, PyTensor};
use ferrotorch::nn::pooling::max::{self, Window};
use ferrotorch::nn::pooling::{adaptive, average, feature_lp, fractional, temporal, unpooling};
use pyo3::prelude::*;

type T<'a, 'py> = &'a Bound<'py, PyTensor>;
type Dims = (usize, usize, usize);

fn window(kernel: Dims, stride: Dims, pad: Dims, dilation: Dims, ceil: bool) -> Window {
    let a = |d: Dims| [d.0, d.1, d.2];
    Window { kernel: a(kernel), stride: a(stride), pad: a(pad), dilation: a(dilation), ceil }
}

/// MaxPooling_updateOutput(input, output, indices, kernel, stride, pad, dilation, ceil, nd,
/// name): max pooling over nd = 2 (spatial) or 3 (volumetric) dims; indices become the 0-based
/// flat positions of the maxima in their input planes. Returns the input's pooled (T, H, W).
#[pyfunction]
#[pyo3(name = "MaxPooling_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn max_update_output(
    py: Python<'_>,
    input: T,
    output: T,
    indices: T,
    kernel: Dims,
    stride: Dims,
    pad: Dims,
    dilation: Dims,
    ceil: bool,
    nd: usize,
    name: &str,
) -> PyResult<Dims> {
    let w = window(kernel, stride, pad, dilation, ceil);
    let (x, mut out, mut ind) = (tensor(input), tensor(output), tensor(indices));
    let result =
        maybe_detach(py, x.numel(), || max::max_pooling_update_output(&x, &mut out, &mut ind, &w, nd, name));
    output.get().put(out);
    indices.get().put(ind);
    result.py()?;
    Ok(pooled_dims(&x, nd))
}

/// The input's pooled dims as (T, H, W) (T = 1 for a spatial input), for the classes'
/// itime / iheight / iwidth fields (read by the unpooling modules).
fn pooled_dims(x: &ferrotorch::Tensor, nd: usize) -> Dims {
    let s = x.sizes();
    let n = s.len();
    (if nd == 3 { s[n - 3] } else { 1 }, s[n - 2], s[n - 1])
}

/// MaxPooling_updateGradInput(input, gradOutput, gradInput, indices, kernel, stride, pad,
/// dilation, ceil, nd, name): gradOutput added at the forward's maxima
#[pyfunction]
#[pyo3(name = "MaxPooling_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn max_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_input: T,
    indices: T,
    kernel: Dims,
    stride: Dims,
    pad: Dims,
    dilation: Dims,
    ceil: bool,
    nd: usize,
    name: &str,
) -> PyResult<()> {
    let w = window(kernel, stride, pad, dilation, ceil);
    let (x, go, ind, mut gi) = (tensor(input), tensor(grad_output), tensor(indices), tensor(grad_input));
    let result = maybe_detach(py, x.numel(), || {
        max::max_pooling_update_grad_input(&x, &go, &ind, &mut gi, &w, nd, name)
    });
    grad_input.get().put(gi);
    result.py()
}

/// AveragePooling_updateOutput(input, output, kernel, stride, pad, ceil, count_include_pad,
/// nd, name): average pooling over nd = 2 or 3 dims
#[pyfunction]
#[pyo3(name = "AveragePooling_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn avg_update_output(
    py: Python<'_>,
    input: T,
    output: T,
    kernel: Dims,
    stride: Dims,
    pad: Dims,
    ceil: bool,
    count_include_pad: bool,
    nd: usize,
    name: &str,
) -> PyResult<()> {
    let w = window(kernel, stride, pad, (1, 1, 1), ceil);
    let x = tensor(input);
    into_output(py, output, x.numel(), |out| {
        average::average_pooling_update_output(&x, out, &w, count_include_pad, nd, name)
    })
}

/// AveragePooling_updateGradInput(input, gradOutput, gradInput, kernel, stride, pad, ceil,
/// count_include_pad, nd, name)
#[pyfunction]
#[pyo3(name = "AveragePooling_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn avg_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_input: T,
    kernel: Dims,
    stride: Dims,
    pad: Dims,
    ceil: bool,
    count_include_pad: bool,
    nd: usize,
    name: &str,
) -> PyResult<()> {
    let w = window(kernel, stride, pad, (1, 1, 1), ceil);
    let (x, go) = (tensor(input), tensor(grad_output));
    into_output(py, grad_input, x.numel(), |gi| {
        average::average_pooling_update_grad_input(&x, &go, gi, &w, count_include_pad, nd, name)
    })
}

/// AdaptiveMaxPooling_updateOutput(input, output, indices, oW, oH, name)
#[pyfunction]
#[pyo3(name = "AdaptiveMaxPooling_updateOutput")]
fn adaptive_max_update_output(
    py: Python<'_>,
    input: T,
    output: T,
    indices: T,
    ow: usize,
    oh: usize,
    name: &str,
) -> PyResult<()> {
    let (x, mut out, mut ind) = (tensor(input), tensor(output), tensor(indices));
    let result = maybe_detach(py, x.numel(), || {
        adaptive::adaptive_max_pooling_update_output(&x, &mut out, &mut ind, [oh, ow], name)
    });
    output.get().put(out);
    indices.get().put(ind);
    result.py()
}

/// AdaptiveMaxPooling_updateGradInput(input, gradOutput, gradInput, indices, oW, oH, name)
#[pyfunction]
#[pyo3(name = "AdaptiveMaxPooling_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn adaptive_max_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_input: T,
    indices: T,
    ow: usize,
    oh: usize,
    name: &str,
) -> PyResult<()> {
    let (x, go, ind) = (tensor(input), tensor(grad_output), tensor(indices));
    into_output(py, grad_input, x.numel(), |gi| {
        adaptive::adaptive_max_pooling_update_grad_input(&x, &go, &ind, gi, [oh, ow], name)
    })
}

/// AdaptiveAveragePooling_updateOutput(input, output, oW, oH, name)
#[pyfunction]
#[pyo3(name = "AdaptiveAveragePooling_updateOutput")]
fn adaptive_avg_update_output(
    py: Python<'_>,
    input: T,
    output: T,
    ow: usize,
    oh: usize,
    name: &str,
) -> PyResult<()> {
    let x = tensor(input);
    into_output(py, output, x.numel(), |out| {
        adaptive::adaptive_average_pooling_update_output(&x, out, [oh, ow], name)
    })
}

/// AdaptiveAveragePooling_updateGradInput(input, gradOutput, gradInput, oW, oH, name)
#[pyfunction]
#[pyo3(name = "AdaptiveAveragePooling_updateGradInput")]
fn adaptive_avg_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_input: T,
    ow: usize,
    oh: usize,
    name: &str,
) -> PyResult<()> {
    let (x, go) = (tensor(input), tensor(grad_output));
    into_output(py, grad_input, x.numel(), |gi| {
        adaptive::adaptive_average_pooling_update_grad_input(&x, &go, gi, [oh, ow], name)
    })
}

/// FractionalMaxPooling_updateOutput(input, output, indices, samples, out, pool, nd, name):
/// out and pool are the plane dims' sizes, (1, H, W) or Torch7's volumetric (H, W, T)
#[pyfunction]
#[pyo3(name = "FractionalMaxPooling_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn fractional_update_output(
    py: Python<'_>,
    input: T,
    output: T,
    indices: T,
    samples: T,
    out: Dims,
    pool: Dims,
    nd: usize,
    name: &str,
) -> PyResult<()> {
    let (x, s, mut o, mut ind) = (tensor(input), tensor(samples), tensor(output), tensor(indices));
    let a = |d: Dims| [d.0, d.1, d.2];
    let result = maybe_detach(py, x.numel(), || {
        fractional::fractional_max_pooling_update_output(&x, &mut o, &mut ind, &s, a(out), a(pool), nd, name)
    });
    output.get().put(o);
    indices.get().put(ind);
    result.py()
}

/// FractionalMaxPooling_updateGradInput(input, gradOutput, gradInput, indices, out, pool, nd,
/// name)
#[pyfunction]
#[pyo3(name = "FractionalMaxPooling_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn fractional_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_input: T,
    indices: T,
    out: Dims,
    pool: Dims,
    nd: usize,
    name: &str,
) -> PyResult<()> {
    let (x, go, ind) = (tensor(input), tensor(grad_output), tensor(indices));
    let a = |d: Dims| [d.0, d.1, d.2];
    into_output(py, grad_input, x.numel(), |gi| {
        fractional::fractional_max_pooling_update_grad_input(&x, &go, &ind, gi, a(out), a(pool), nd, name)
    })
}

/// MaxUnpooling_updateOutput(input, indices, output, out, nd, name): out is the pooling
/// module's input (T, H, W)
#[pyfunction]
#[pyo3(name = "MaxUnpooling_updateOutput")]
fn unpool_update_output(
    py: Python<'_>,
    input: T,
    indices: T,
    output: T,
    out: Dims,
    nd: usize,
    name: &str,
) -> PyResult<()> {
    let (x, ind) = (tensor(input), tensor(indices));
    into_output(py, output, x.numel(), |o| {
        unpooling::max_unpooling_update_output(&x, &ind, o, [out.0, out.1, out.2], nd, name)
    })
}

/// MaxUnpooling_updateGradInput(input, indices, gradOutput, gradInput, out, nd, name)
#[pyfunction]
#[pyo3(name = "MaxUnpooling_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn unpool_update_grad_input(
    py: Python<'_>,
    input: T,
    indices: T,
    grad_output: T,
    grad_input: T,
    out: Dims,
    nd: usize,
    name: &str,
) -> PyResult<()> {
    let (x, ind, go) = (tensor(input), tensor(indices), tensor(grad_output));
    into_output(py, grad_input, x.numel(), |gi| {
        unpooling::max_unpooling_update_grad_input(&x, &ind, &go, gi, [out.0, out.1, out.2], nd, name)
    })
}

/// TemporalMaxPooling_updateOutput(input, output, indices, kW, dW, name)
#[pyfunction]
#[pyo3(name = "TemporalMaxPooling_updateOutput")]
fn temporal_update_output(
    py: Python<'_>,
    input: T,
    output: T,
    indices: T,
    kw: usize,
    dw: usize,
    name: &str,
) -> PyResult<()> {
    let (x, mut o, mut ind) = (tensor(input), tensor(output), tensor(indices));
    let result = maybe_detach(py, x.numel(), || {
        temporal::temporal_max_pooling_update_output(&x, &mut o, &mut ind, kw, dw, name)
    });
    output.get().put(o);
    indices.get().put(ind);
    result.py()
}

/// TemporalMaxPooling_updateGradInput(input, gradOutput, gradInput, indices, kW, dW, name)
#[pyfunction]
#[pyo3(name = "TemporalMaxPooling_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn temporal_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_input: T,
    indices: T,
    kw: usize,
    dw: usize,
    name: &str,
) -> PyResult<()> {
    let (x, go, ind) = (tensor(input), tensor(grad_output), tensor(indices));
    into_output(py, grad_input, x.numel(), |gi| {
        temporal::temporal_max_pooling_update_grad_input(&x, &go, &ind, gi, kw, dw, name)
    })
}

/// DynamicKMaxPooling_updateOutput(input, output, indices, k, name)
#[pyfunction]
#[pyo3(name = "DynamicKMaxPooling_updateOutput")]
fn kmax_update_output(py: Python<'_>, input: T, output: T, indices: T, k: usize, name: &str) -> PyResult<()> {
    let (x, mut o, mut ind) = (tensor(input), tensor(output), tensor(indices));
    let result = maybe_detach(py, x.numel(), || {
        temporal::dynamic_k_max_pooling_update_output(&x, &mut o, &mut ind, k, name)
    });
    output.get().put(o);
    indices.get().put(ind);
    result.py()
}

/// DynamicKMaxPooling_updateGradInput(input, gradOutput, gradInput, indices, name)
#[pyfunction]
#[pyo3(name = "DynamicKMaxPooling_updateGradInput")]
fn kmax_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_input: T,
    indices: T,
    name: &str,
) -> PyResult<()> {
    let (x, go, ind) = (tensor(input), tensor(grad_output), tensor(indices));
    into_output(py, grad_input, x.numel(), |gi| {
        temporal::dynamic_k_max_pooling_update_grad_input(&x, &go, &ind, gi, name)
    })
}

/// FeatureLPPooling_updateOutput(input, output, power, width, stride, batch_mode, name)
#[pyfunction]
#[pyo3(name = "FeatureLPPooling_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn flp_update_output(
    py: Python<'_>,
    input: T,
    output: T,
    power: f64,
    width: usize,
    stride: usize,
    batch_mode: bool,
    name: &str,
) -> PyResult<()> {
    let x = tensor(input);
    into_output(py, output, x.numel(), |o| {
        feature_lp::feature_lp_pooling_update_output(&x, o, power, width, stride, batch_mode, name)
    })
}

/// FeatureLPPooling_updateGradInput(input, gradOutput, output, gradInput, power, width, stride,
/// batch_mode, name)
#[pyfunction]
#[pyo3(name = "FeatureLPPooling_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn flp_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    output: T,
    grad_input: T,
    power: f64,
    width: usize,
    stride: usize,
    batch_mode: bool,
    name: &str,
) -> PyResult<()> {
    let (x, go, y) = (tensor(input), tensor(grad_output), tensor(output));
    into_output(py, grad_input, x.numel(), |gi| {
        feature_lp::feature_lp_pooling_update_grad_input(
            &x, &go, &y, gi, power, width, stride, batch_mode, name,
        )
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(max_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(max_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(avg_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(avg_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(adaptive_max_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(adaptive_max_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(adaptive_avg_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(adaptive_avg_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(fractional_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(fractional_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(unpool_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(unpool_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(temporal_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(temporal_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(kmax_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(kmax_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(flp_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(flp_update_grad_input, m)?)?;
    Ok(())
}
