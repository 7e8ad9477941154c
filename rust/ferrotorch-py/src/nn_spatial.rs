//! Bindings of the local-normalization, padding / upsampling and temporal kernels
//! (ferrotorch::nn::{normalization, padding, temporal}). Argument conversion only; every kernel
//! runs with the GIL released above the size threshold.

use crate::errors::IntoPyResult;
use crate::nn_common::{into_output, optional, run, tensor};
use crate::tensor::{maybe_detach, PyTensor};
use ferrotorch::nn::normalization as norm;
use ferrotorch::nn::padding::{self as pad, PadMode};
use ferrotorch::nn::spatial_batch_norm as sbn;
use ferrotorch::nn::temporal;
use pyo3::prelude::*;

type T<'a, 'py> = &'a Bound<'py, PyTensor>;
type OptT<'a, 'py> = Option<&'a Bound<'py, PyTensor>>;

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

/// Padding_updateOutput(input, output, pads, mode, name): pads = [(before, after)] per
/// spatial dim, outermost first; mode 'zero' | 'reflect' | 'replicate'
#[pyfunction]
#[pyo3(name = "Padding_updateOutput")]
fn padding_update_output(
    py: Python<'_>,
    input: T,
    output: T,
    pads: Vec<(i64, i64)>,
    mode: &str,
    name: &str,
) -> PyResult<()> {
    let (x, mode) = (tensor(input), PadMode::parse(mode).py()?);
    into_output(py, output, x.numel(), |o| pad::padding_update_output(&x, o, &pads, mode, name))
}

/// Padding_updateGradInput(input, gradOutput, gradInput, pads, mode, name)
#[pyfunction]
#[pyo3(name = "Padding_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn padding_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_input: T,
    pads: Vec<(i64, i64)>,
    mode: &str,
    name: &str,
) -> PyResult<()> {
    let (x, g, mode) = (tensor(input), tensor(grad_output), PadMode::parse(mode).py()?);
    into_output(py, grad_input, g.numel(), |gi| pad::padding_update_grad_input(&x, &g, gi, &pads, mode, name))
}

/// UpSamplingNearest_updateOutput(input, output, dims, scale, name): over the last dims (2 or 3)
#[pyfunction]
#[pyo3(name = "UpSamplingNearest_updateOutput")]
fn nearest_update_output(
    py: Python<'_>,
    input: T,
    output: T,
    dims: usize,
    scale: usize,
    name: &str,
) -> PyResult<()> {
    let x = tensor(input);
    into_output(py, output, x.numel() * scale * scale, |o| {
        pad::upsampling_nearest_update_output(&x, o, dims, scale, name)
    })
}

/// UpSamplingNearest_updateGradInput(input, gradOutput, gradInput, dims, scale, name)
#[pyfunction]
#[pyo3(name = "UpSamplingNearest_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn nearest_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_input: T,
    dims: usize,
    scale: usize,
    name: &str,
) -> PyResult<()> {
    let (x, g) = (tensor(input), tensor(grad_output));
    into_output(py, grad_input, g.numel(), |gi| {
        pad::upsampling_nearest_update_grad_input(&x, &g, gi, dims, scale, name)
    })
}

/// UpSamplingLinear_updateOutput(input, output, outSizes, name): align-corners bilinear /
/// trilinear interpolation of the last len(outSizes) dims to outSizes
#[pyfunction]
#[pyo3(name = "UpSamplingLinear_updateOutput")]
fn linear_update_output(
    py: Python<'_>,
    input: T,
    output: T,
    out_sizes: Vec<usize>,
    name: &str,
) -> PyResult<()> {
    let x = tensor(input);
    let work = x.numel() * out_sizes.iter().product::<usize>().max(1);
    into_output(py, output, work, |o| pad::upsampling_linear_update_output(&x, o, &out_sizes, name))
}

/// UpSamplingLinear_updateGradInput(input, gradOutput, gradInput, outSizes, name)
#[pyfunction]
#[pyo3(name = "UpSamplingLinear_updateGradInput")]
fn linear_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_input: T,
    out_sizes: Vec<usize>,
    name: &str,
) -> PyResult<()> {
    let (x, g) = (tensor(input), tensor(grad_output));
    into_output(py, grad_input, g.numel() * 4, |gi| {
        pad::upsampling_linear_update_grad_input(&x, &g, gi, &out_sizes, name)
    })
}

/// TemporalConvolution_updateOutput(input, weight, bias, output, kW, dW, name)
#[pyfunction]
#[pyo3(name = "TemporalConvolution_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn tconv_update_output(
    py: Python<'_>,
    input: T,
    weight: T,
    bias: T,
    output: T,
    kw: usize,
    dw: usize,
    name: &str,
) -> PyResult<()> {
    let (x, w, b) = (tensor(input), tensor(weight), tensor(bias));
    into_output(py, output, x.numel() * w.numel(), |o| {
        temporal::temporal_convolution_update_output(&x, &w, &b, o, kw, dw, name)
    })
}

/// TemporalConvolution_updateGradInput(input, gradOutput, weight, gradInput, kW, dW, name)
#[pyfunction]
#[pyo3(name = "TemporalConvolution_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn tconv_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    weight: T,
    grad_input: T,
    kw: usize,
    dw: usize,
    name: &str,
) -> PyResult<()> {
    let (x, g, w) = (tensor(input), tensor(grad_output), tensor(weight));
    into_output(py, grad_input, x.numel() * w.numel(), |gi| {
        temporal::temporal_convolution_update_grad_input(&x, &g, &w, gi, kw, dw, name)
    })
}

/// TemporalConvolution_accGradParameters(input, gradOutput, gradWeight, gradBias, kW, dW, scale, name)
#[pyfunction]
#[pyo3(name = "TemporalConvolution_accGradParameters")]
#[allow(clippy::too_many_arguments)]
fn tconv_acc_grad_parameters(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_weight: T,
    grad_bias: T,
    kw: usize,
    dw: usize,
    scale: f64,
    name: &str,
) -> PyResult<()> {
    let (x, g, gw, gb) = (tensor(input), tensor(grad_output), tensor(grad_weight), tensor(grad_bias));
    run(py, x.numel() * gw.numel(), || {
        temporal::temporal_convolution_acc_grad_parameters(&x, &g, &gw, &gb, kw, dw, scale, name)
    })
}

/// TemporalRows_updateOutput(input, weight, bias, output, kW, dW, row, featFirst, name): the
/// per-feature window kernel of TemporalSubSampling (row False) and TemporalRowConvolution
#[pyfunction]
#[pyo3(name = "TemporalRows_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn rows_update_output(
    py: Python<'_>,
    input: T,
    weight: T,
    bias: OptT,
    output: T,
    kw: usize,
    dw: usize,
    row: bool,
    feat_first: bool,
    name: &str,
) -> PyResult<()> {
    let (x, w, b) = (tensor(input), tensor(weight), bias.map(tensor));
    into_output(py, output, x.numel() * kw, |o| {
        temporal::temporal_rows_update_output(&x, &w, b.as_ref(), o, kw, dw, row, feat_first, name)
    })
}

/// TemporalRows_updateGradInput(input, gradOutput, weight, gradInput, kW, dW, row, featFirst, name)
#[pyfunction]
#[pyo3(name = "TemporalRows_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn rows_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    weight: T,
    grad_input: T,
    kw: usize,
    dw: usize,
    row: bool,
    feat_first: bool,
    name: &str,
) -> PyResult<()> {
    let (x, g, w) = (tensor(input), tensor(grad_output), tensor(weight));
    into_output(py, grad_input, x.numel() * kw, |gi| {
        temporal::temporal_rows_update_grad_input(&x, &g, &w, gi, kw, dw, row, feat_first, name)
    })
}

/// TemporalRows_accGradParameters(input, gradOutput, gradWeight, gradBias, kW, dW, row,
/// featFirst, scale, name)
#[pyfunction]
#[pyo3(name = "TemporalRows_accGradParameters")]
#[allow(clippy::too_many_arguments)]
fn rows_acc_grad_parameters(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_weight: T,
    grad_bias: OptT,
    kw: usize,
    dw: usize,
    row: bool,
    feat_first: bool,
    scale: f64,
    name: &str,
) -> PyResult<()> {
    let (x, g, gw, gb) = (tensor(input), tensor(grad_output), tensor(grad_weight), grad_bias.map(tensor));
    run(py, x.numel() * kw, || {
        temporal::temporal_rows_acc_grad_parameters(
            &x,
            &g,
            &gw,
            gb.as_ref(),
            kw,
            dw,
            row,
            feat_first,
            scale,
            name,
        )
    })
}

/// LookupTable_accGradParameters(input, gradOutput, gradWeight, paddingValue, scaleGradByFreq,
/// scale, name)
#[pyfunction]
#[pyo3(name = "LookupTable_accGradParameters")]
#[allow(clippy::too_many_arguments)]
fn lookup_acc_grad_parameters(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_weight: T,
    padding: Option<i64>,
    scale_by_freq: bool,
    scale: f64,
    name: &str,
) -> PyResult<()> {
    let (x, g, gw) = (tensor(input), tensor(grad_output), tensor(grad_weight));
    run(py, g.numel(), || {
        temporal::lookup_table_acc_grad_parameters(&x, &g, &gw, padding, scale_by_freq, scale, name)
    })
}

/// LookupTable_renorm(input, weight, maxNorm, normType, name)
#[pyfunction]
#[pyo3(name = "LookupTable_renorm")]
fn lookup_renorm(
    py: Python<'_>,
    input: T,
    weight: T,
    max_norm: f64,
    norm_type: f64,
    name: &str,
) -> PyResult<()> {
    let (x, w) = (tensor(input), tensor(weight));
    run(py, x.numel() * w.sizes().get(1).copied().unwrap_or(1), || {
        temporal::lookup_table_renorm(&x, &w, max_norm, norm_type, name)
    })
}

/// SpatialBatchNormalization_updateOutput(input, output, weight, bias, running_mean,
/// running_var, save_mean, save_std, train, momentum, eps, name): the typed, parallel (B, C, *)
/// kernel of all three batch normalizations (name goes into error messages)
#[pyfunction]
#[pyo3(name = "SpatialBatchNormalization_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn sbn_update_output(
    py: Python<'_>,
    input: T,
    output: T,
    weight: OptT,
    bias: OptT,
    running_mean: T,
    running_var: T,
    save_mean: T,
    save_std: T,
    train: bool,
    momentum: f64,
    eps: f64,
    name: &str,
) -> PyResult<()> {
    let (x, w, b, rm, rv) =
        (tensor(input), optional(weight), optional(bias), tensor(running_mean), tensor(running_var));
    let (mut out, mut sm, mut ss) = (tensor(output), tensor(save_mean), tensor(save_std));
    let result = maybe_detach(py, x.numel(), || {
        sbn::spatial_batch_normalization_update_output(
            &x,
            &mut out,
            w.as_ref(),
            b.as_ref(),
            &rm,
            &rv,
            &mut sm,
            &mut ss,
            train,
            momentum,
            eps,
            name,
        )
    });
    output.get().put(out);
    save_mean.get().put(sm);
    save_std.get().put(ss);
    result.py()
}

/// SpatialBatchNormalization_backward(input, gradOutput, gradInput, gradWeight, gradBias,
/// weight, running_mean, running_var, save_mean, save_std, train, scale, eps, name)
#[pyfunction]
#[pyo3(name = "SpatialBatchNormalization_backward")]
#[allow(clippy::too_many_arguments)]
fn sbn_backward(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_input: OptT,
    grad_weight: OptT,
    grad_bias: OptT,
    weight: OptT,
    running_mean: T,
    running_var: T,
    save_mean: T,
    save_std: T,
    train: bool,
    scale: f64,
    eps: f64,
    name: &str,
) -> PyResult<()> {
    let (x, go, w) = (tensor(input), tensor(grad_output), optional(weight));
    let (gw, gb) = (optional(grad_weight), optional(grad_bias));
    let (rm, rv, sm, ss) = (tensor(running_mean), tensor(running_var), tensor(save_mean), tensor(save_std));
    let mut gi = optional(grad_input);
    let result = maybe_detach(py, x.numel(), || {
        sbn::spatial_batch_normalization_backward(
            &x,
            &go,
            gi.as_mut(),
            gw.as_ref(),
            gb.as_ref(),
            w.as_ref(),
            &rm,
            &rv,
            &sm,
            &ss,
            train,
            scale,
            eps,
            name,
        )
    });
    if let (Some(py_gi), Some(t)) = (grad_input, gi) {
        py_gi.get().put(t);
    }
    result.py()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sbn_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(sbn_backward, m)?)?;
    m.add_function(wrap_pyfunction!(padding_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(padding_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(nearest_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(nearest_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(linear_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(linear_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(tconv_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(tconv_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(tconv_acc_grad_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(rows_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(rows_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(rows_acc_grad_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(lookup_acc_grad_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(lookup_renorm, m)?)?;
    m.add_function(wrap_pyfunction!(coef, m)?)?;
    m.add_function(wrap_pyfunction!(sub_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(sub_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(div_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(div_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(lrn_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(lrn_update_grad_input, m)?)?;
    Ok(())
}
