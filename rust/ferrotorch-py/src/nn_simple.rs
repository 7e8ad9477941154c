//! Bindings of the simple-layer kernels (ferrotorch::nn::simple): parameterised layers
//! (Euclidean, Cosine, Bilinear, CMul/CAdd/Mul/Add, LinearWeightNorm, SparseLinear,
//! IndexLinear, Kmeans) and the math layers with fused gradients (Exp ... Clamp, Normalize).

use crate::errors::IntoPyResult;
use crate::nn_common::{into_output, optional, run, tensor};
use crate::tensor::{maybe_detach, PyTensor};
use ferrotorch::nn::simple::{
    bilinear, broadcast, cosine, distance, kmeans, normalize, pointwise, sparse, weight_norm,
};
use ferrotorch::Tensor;
use pyo3::prelude::*;

type T<'a, 'py> = &'a Bound<'py, PyTensor>;
type Opt<'a, 'py> = Option<&'a Bound<'py, PyTensor>>;

/// Runs a kernel writing N module tensors (which it may resize) and stores them back.
fn outputs<const N: usize, R: Send>(
    py: Python<'_>,
    outs: [T<'_, '_>; N],
    numel: usize,
    kernel: impl FnOnce(&mut [Tensor; N]) -> ferrotorch::Result<R> + Send,
) -> PyResult<R> {
    let mut ts: [Tensor; N] = outs.map(tensor);
    let result = maybe_detach(py, numel, || kernel(&mut ts));
    for (o, t) in outs.iter().zip(ts) {
        o.get().put(t);
    }
    result.py()
}

// ---------------------------------------------------------------------------- math layers

/// SimpleMath_updateOutput(op, input, output, a=0, b=0): op is the class name (Exp, Log, Abs,
/// Square, Sqrt, Power (a = exponent), Clamp (a, b = bounds))
#[pyfunction]
#[pyo3(name = "SimpleMath_updateOutput", signature = (op, input, output, a=0.0, b=0.0))]
fn math_update_output(py: Python<'_>, op: &str, input: T, output: T, a: f64, b: f64) -> PyResult<()> {
    let op = pointwise::MathOp::parse(op, a, b).py()?;
    let x = tensor(input);
    into_output(py, output, x.numel(), |out| pointwise::math_update_output(op, &x, out))
}

/// SimpleMath_updateGradInput(op, input, gradOutput, output, gradInput, a=0, b=0)
#[pyfunction]
#[pyo3(name = "SimpleMath_updateGradInput", signature = (op, input, grad_output, output, grad_input, a=0.0, b=0.0))]
#[allow(clippy::too_many_arguments)]
fn math_update_grad_input(
    py: Python<'_>,
    op: &str,
    input: T,
    grad_output: T,
    output: T,
    grad_input: T,
    a: f64,
    b: f64,
) -> PyResult<()> {
    let op = pointwise::MathOp::parse(op, a, b).py()?;
    let (x, g, y) = (tensor(input), tensor(grad_output), tensor(output));
    into_output(py, grad_input, x.numel(), |gi| pointwise::math_update_grad_input(op, &x, &g, &y, gi))
}

/// Normalize_updateOutput(input, p, eps, output)
#[pyfunction]
#[pyo3(name = "Normalize_updateOutput")]
fn normalize_update_output(py: Python<'_>, input: T, p: f64, eps: f64, output: T) -> PyResult<()> {
    let x = tensor(input);
    into_output(py, output, x.numel(), |out| normalize::normalize_update_output(&x, p, eps, out))
}

/// Normalize_updateGradInput(input, gradOutput, p, eps, gradInput)
#[pyfunction]
#[pyo3(name = "Normalize_updateGradInput")]
fn normalize_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    p: f64,
    eps: f64,
    grad_input: T,
) -> PyResult<()> {
    let (x, g) = (tensor(input), tensor(grad_output));
    into_output(py, grad_input, x.numel(), |gi| normalize::normalize_update_grad_input(&x, &g, p, eps, gi))
}

// ---------------------------------------------------------------------------- CMul, CAdd, Mul, Add

/// Broadcast_updateOutput(what, multiply, input, param, output): input ⊙ param or input + param
/// with param placed by Torch7's CMul/CAdd rule (what names the layer in errors)
#[pyfunction]
#[pyo3(name = "Broadcast_updateOutput")]
fn broadcast_update_output(
    py: Python<'_>,
    what: &str,
    multiply: bool,
    input: T,
    param: T,
    output: T,
) -> PyResult<()> {
    let (x, p) = (tensor(input), tensor(param));
    into_output(py, output, x.numel(), |out| broadcast::broadcast_update_output(what, multiply, &x, &p, out))
}

/// CMul_updateGradInput(what, input, gradOutput, weight, gradInput): gradOutput ⊙ weight
#[pyfunction]
#[pyo3(name = "CMul_updateGradInput")]
fn cmul_update_grad_input(
    py: Python<'_>,
    what: &str,
    input: T,
    grad_output: T,
    weight: T,
    grad_input: T,
) -> PyResult<()> {
    let (x, g, w) = (tensor(input), tensor(grad_output), tensor(weight));
    into_output(py, grad_input, x.numel(), |gi| broadcast::cmul_update_grad_input(what, &x, &g, &w, gi))
}

/// Broadcast_accGradParameters(what, multiply, input, gradOutput, gradParam, scale)
#[pyfunction]
#[pyo3(name = "Broadcast_accGradParameters")]
#[allow(clippy::too_many_arguments)]
fn broadcast_acc_grad_parameters(
    py: Python<'_>,
    what: &str,
    multiply: bool,
    input: T,
    grad_output: T,
    grad_param: T,
    scale: f64,
) -> PyResult<()> {
    let (x, g, gp) = (tensor(input), tensor(grad_output), tensor(grad_param));
    run(py, x.numel(), || broadcast::broadcast_acc_grad_parameters(what, multiply, &x, &g, &gp, scale))
}

// ---------------------------------------------------------------------------- distances

/// Euclidean_updateOutput(input, weight, diagCov, output) (diagCov None for nn.Euclidean)
#[pyfunction]
#[pyo3(name = "Euclidean_updateOutput", signature = (input, weight, diag_cov, output))]
fn euclidean_update_output(py: Python<'_>, input: T, weight: T, diag_cov: Opt, output: T) -> PyResult<()> {
    let (x, w, c) = (tensor(input), tensor(weight), optional(diag_cov));
    let work = x.numel() * w.sizes().get(1).copied().unwrap_or(1);
    into_output(py, output, work, |out| distance::euclidean_update_output(&x, &w, c.as_ref(), out))
}

/// Euclidean_updateGradInput(input, gradOutput, weight, diagCov, output, gradInput)
#[pyfunction]
#[pyo3(name = "Euclidean_updateGradInput", signature = (input, grad_output, weight, diag_cov, output, grad_input))]
fn euclidean_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    weight: T,
    diag_cov: Opt,
    output: T,
    grad_input: T,
) -> PyResult<()> {
    let (x, g, w, c, y) =
        (tensor(input), tensor(grad_output), tensor(weight), optional(diag_cov), tensor(output));
    let work = x.numel() * w.sizes().get(1).copied().unwrap_or(1);
    into_output(py, grad_input, work, |gi| {
        distance::euclidean_update_grad_input(&x, &g, &w, c.as_ref(), &y, gi)
    })
}

/// Euclidean_accGradParameters(input, gradOutput, weight, diagCov, output, gradWeight,
/// gradDiagCov, scale)
#[pyfunction]
#[pyo3(name = "Euclidean_accGradParameters", signature = (input, grad_output, weight, diag_cov, output, grad_weight, grad_diag_cov, scale))]
#[allow(clippy::too_many_arguments)]
fn euclidean_acc_grad_parameters(
    py: Python<'_>,
    input: T,
    grad_output: T,
    weight: T,
    diag_cov: Opt,
    output: T,
    grad_weight: T,
    grad_diag_cov: Opt,
    scale: f64,
) -> PyResult<()> {
    let (x, g, w, c, y) =
        (tensor(input), tensor(grad_output), tensor(weight), optional(diag_cov), tensor(output));
    let (gw, gc) = (tensor(grad_weight), optional(grad_diag_cov));
    let work = x.numel() * w.sizes().get(1).copied().unwrap_or(1);
    run(py, work, || {
        distance::euclidean_acc_grad_parameters(&x, &g, &w, c.as_ref(), &y, &gw, gc.as_ref(), scale)
    })
}

/// Cosine_updateOutput(input, weight, output)
#[pyfunction]
#[pyo3(name = "Cosine_updateOutput")]
fn cosine_update_output(py: Python<'_>, input: T, weight: T, output: T) -> PyResult<()> {
    let (x, w) = (tensor(input), tensor(weight));
    let work = x.numel() * w.sizes().first().copied().unwrap_or(1);
    into_output(py, output, work, |out| cosine::cosine_update_output(&x, &w, out))
}

/// Cosine_updateGradInput(input, gradOutput, weight, output, gradInput)
#[pyfunction]
#[pyo3(name = "Cosine_updateGradInput")]
fn cosine_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    weight: T,
    output: T,
    grad_input: T,
) -> PyResult<()> {
    let (x, g, w, y) = (tensor(input), tensor(grad_output), tensor(weight), tensor(output));
    let work = x.numel() * w.sizes().first().copied().unwrap_or(1);
    into_output(py, grad_input, work, |gi| cosine::cosine_update_grad_input(&x, &g, &w, &y, gi))
}

/// Cosine_accGradParameters(input, gradOutput, weight, output, gradWeight, scale)
#[pyfunction]
#[pyo3(name = "Cosine_accGradParameters")]
#[allow(clippy::too_many_arguments)]
fn cosine_acc_grad_parameters(
    py: Python<'_>,
    input: T,
    grad_output: T,
    weight: T,
    output: T,
    grad_weight: T,
    scale: f64,
) -> PyResult<()> {
    let (x, g, w, y, gw) =
        (tensor(input), tensor(grad_output), tensor(weight), tensor(output), tensor(grad_weight));
    let work = x.numel() * w.sizes().first().copied().unwrap_or(1);
    run(py, work, || cosine::cosine_acc_grad_parameters(&x, &g, &w, &y, &gw, scale))
}

// ---------------------------------------------------------------------------- LinearWeightNorm

/// LinearWeightNorm_updateWeight(v, g, eps, norm, scale, weight): weight rows g·v/‖v‖
#[pyfunction]
#[pyo3(name = "LinearWeightNorm_updateWeight")]
fn weight_norm_update_weight(
    py: Python<'_>,
    v: T,
    g: T,
    eps: f64,
    norm: T,
    scale: T,
    weight: T,
) -> PyResult<()> {
    let (vt, gt) = (tensor(v), tensor(g));
    outputs(py, [norm, scale, weight], vt.numel(), |[n, s, w]| {
        weight_norm::weight_norm_update_weight(&vt, &gt, eps, n, s, w)
    })
}

/// LinearWeightNorm_accGradParameters(input, gradOutput, v, g, norm, gradV, gradG, gradBias,
/// scale)
#[pyfunction]
#[pyo3(name = "LinearWeightNorm_accGradParameters", signature = (input, grad_output, v, g, norm, grad_v, grad_g, grad_bias, scale))]
#[allow(clippy::too_many_arguments)]
fn weight_norm_acc_grad_parameters(
    py: Python<'_>,
    input: T,
    grad_output: T,
    v: T,
    g: T,
    norm: T,
    grad_v: T,
    grad_g: T,
    grad_bias: Opt,
    scale: f64,
) -> PyResult<()> {
    let (x, go, vt, gt, nt) = (tensor(input), tensor(grad_output), tensor(v), tensor(g), tensor(norm));
    let (gv, gg, gb) = (tensor(grad_v), tensor(grad_g), optional(grad_bias));
    let work = x.numel() * vt.sizes().first().copied().unwrap_or(1);
    run(py, work, || {
        weight_norm::weight_norm_acc_grad_parameters(&x, &go, &vt, &gt, &nt, &gv, &gg, gb.as_ref(), scale)
    })
}

// ---------------------------------------------------------------------------- Bilinear

/// Bilinear_updateOutput(input1, input2, weight, bias, output)
#[pyfunction]
#[pyo3(name = "Bilinear_updateOutput", signature = (input1, input2, weight, bias, output))]
fn bilinear_update_output(
    py: Python<'_>,
    input1: T,
    input2: T,
    weight: T,
    bias: Opt,
    output: T,
) -> PyResult<()> {
    let (a, b, w, bb) = (tensor(input1), tensor(input2), tensor(weight), optional(bias));
    let work = a.sizes().first().copied().unwrap_or(1) * w.numel();
    into_output(py, output, work, |out| bilinear::bilinear_update_output(&a, &b, &w, bb.as_ref(), out))
}

/// Bilinear_updateGradInput(input1, input2, gradOutput, weight, gradInput1, gradInput2)
#[pyfunction]
#[pyo3(name = "Bilinear_updateGradInput")]
fn bilinear_update_grad_input(
    py: Python<'_>,
    input1: T,
    input2: T,
    grad_output: T,
    weight: T,
    grad_input1: T,
    grad_input2: T,
) -> PyResult<()> {
    let (a, b, g, w) = (tensor(input1), tensor(input2), tensor(grad_output), tensor(weight));
    let work = a.sizes().first().copied().unwrap_or(1) * w.numel();
    outputs(py, [grad_input1, grad_input2], work, |[g1, g2]| {
        bilinear::bilinear_update_grad_input(&a, &b, &g, &w, g1, g2)
    })
}

/// Bilinear_accGradParameters(input1, input2, gradOutput, gradWeight, gradBias, scale)
#[pyfunction]
#[pyo3(name = "Bilinear_accGradParameters", signature = (input1, input2, grad_output, grad_weight, grad_bias, scale))]
fn bilinear_acc_grad_parameters(
    py: Python<'_>,
    input1: T,
    input2: T,
    grad_output: T,
    grad_weight: T,
    grad_bias: Opt,
    scale: f64,
) -> PyResult<()> {
    let (a, b, g, gw, gb) =
        (tensor(input1), tensor(input2), tensor(grad_output), tensor(grad_weight), optional(grad_bias));
    let work = a.sizes().first().copied().unwrap_or(1) * gw.numel();
    run(py, work, || bilinear::bilinear_acc_grad_parameters(&a, &b, &g, &gw, gb.as_ref(), scale))
}

// ---------------------------------------------------------------------------- Kmeans

/// Kmeans_updateOutput(input, weight, output, indices) -> loss (sum of squared distances)
#[pyfunction]
#[pyo3(name = "Kmeans_updateOutput")]
fn kmeans_update_output(py: Python<'_>, input: T, weight: T, output: T, indices: T) -> PyResult<f64> {
    let (x, w) = (tensor(input), tensor(weight));
    let work = x.numel() * w.sizes().first().copied().unwrap_or(1);
    outputs(py, [output, indices], work, |[out, idx]| kmeans::kmeans_update_output(&x, &w, out, idx))
}

/// Kmeans_accGradParameters(input, weight, indices, gradWeight, clusterSampleCount, scale)
#[pyfunction]
#[pyo3(name = "Kmeans_accGradParameters")]
fn kmeans_acc_grad_parameters(
    py: Python<'_>,
    input: T,
    weight: T,
    indices: T,
    grad_weight: T,
    cluster_sample_count: T,
    scale: f64,
) -> PyResult<()> {
    let (x, w, i, gw, c) =
        (tensor(input), tensor(weight), tensor(indices), tensor(grad_weight), tensor(cluster_sample_count));
    run(py, x.numel(), || kmeans::kmeans_acc_grad_parameters(&x, &w, &i, &gw, &c, scale))
}

// ---------------------------------------------------------------------------- sparse layers

/// SparseLinear_updateOutput(samples, weight, bias, output, vector): samples is a list of
/// nnz x 2 (index, value) tensors; vector gives an outputSize output for one sample
#[pyfunction]
#[pyo3(name = "SparseLinear_updateOutput")]
fn sparse_linear_update_output(
    py: Python<'_>,
    samples: Vec<Bound<'_, PyTensor>>,
    weight: T,
    bias: T,
    output: T,
    vector: bool,
) -> PyResult<()> {
    let xs: Vec<Tensor> = samples.iter().map(tensor).collect();
    let (w, b) = (tensor(weight), tensor(bias));
    let work = xs.iter().map(|t| t.numel()).sum::<usize>() * w.sizes().first().copied().unwrap_or(1);
    into_output(py, output, work, |out| sparse::sparse_linear_update_output(&xs, &w, &b, out, vector))
}

/// SparseLinear_accGradParameters(samples, gradOutput, gradWeight, gradBias, weight,
/// weightDecay, scale)
#[pyfunction]
#[pyo3(name = "SparseLinear_accGradParameters")]
#[allow(clippy::too_many_arguments)]
fn sparse_linear_acc_grad_parameters(
    py: Python<'_>,
    samples: Vec<Bound<'_, PyTensor>>,
    grad_output: T,
    grad_weight: T,
    grad_bias: T,
    weight: T,
    weight_decay: f64,
    scale: f64,
) -> PyResult<()> {
    let xs: Vec<Tensor> = samples.iter().map(tensor).collect();
    let (g, gw, gb, w) = (tensor(grad_output), tensor(grad_weight), tensor(grad_bias), tensor(weight));
    run(py, gw.numel(), || {
        sparse::sparse_linear_acc_grad_parameters(&xs, &g, &gw, &gb, &w, weight_decay, scale)
    })
}

/// IndexLinear_updateOutput(keys, offset, values, sizes, weight, bias, normalizedValues, train,
/// output)
#[pyfunction]
#[pyo3(name = "IndexLinear_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn index_linear_update_output(
    py: Python<'_>,
    keys: T,
    offset: i64,
    values: T,
    sizes: T,
    weight: T,
    bias: T,
    normalized: T,
    train: bool,
    output: T,
) -> PyResult<()> {
    let (k, v, s, w, b) = (tensor(keys), tensor(values), tensor(sizes), tensor(weight), tensor(bias));
    let work = k.numel() * b.numel();
    outputs(py, [normalized, output], work, |[nv, out]| {
        sparse::index_linear_update_output(&k, offset, &v, &s, &w, &b, nv, train, out)
    })
}

/// IndexLinear_accGradParameters(keys, values, sizes, gradOutput, gradWeight, gradBias, weight,
/// scale): gradWeight is the dense per-key buffer (resized)
#[pyfunction]
#[pyo3(name = "IndexLinear_accGradParameters")]
#[allow(clippy::too_many_arguments)]
fn index_linear_acc_grad_parameters(
    py: Python<'_>,
    keys: T,
    values: T,
    sizes: T,
    grad_output: T,
    grad_weight: T,
    grad_bias: T,
    weight: T,
    scale: f64,
) -> PyResult<()> {
    let (k, v, s, g, gb, w) =
        (tensor(keys), tensor(values), tensor(sizes), tensor(grad_output), tensor(grad_bias), tensor(weight));
    let work = k.numel() * gb.numel();
    into_output(py, grad_weight, work, |gw| {
        sparse::index_linear_acc_grad_parameters(&k, &v, &s, &g, gw, &gb, &w, scale)
    })
}

/// IndexLinear_updateParameters(gradWeight, gradBias, weight, bias, keys, offset, weightDecay,
/// learningRate)
#[pyfunction]
#[pyo3(name = "IndexLinear_updateParameters")]
#[allow(clippy::too_many_arguments)]
fn index_linear_update_parameters(
    py: Python<'_>,
    grad_weight: T,
    grad_bias: T,
    weight: T,
    bias: T,
    keys: T,
    offset: i64,
    weight_decay: f64,
    lr: f64,
) -> PyResult<()> {
    let (gw, gb, w, b, k) =
        (tensor(grad_weight), tensor(grad_bias), tensor(weight), tensor(bias), tensor(keys));
    run(py, gw.numel(), || {
        sparse::index_linear_update_parameters(&gw, &gb, &w, &b, &k, offset, weight_decay, lr)
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(math_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(math_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(broadcast_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(cmul_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(broadcast_acc_grad_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(euclidean_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(euclidean_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(euclidean_acc_grad_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(cosine_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(cosine_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(cosine_acc_grad_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(weight_norm_update_weight, m)?)?;
    m.add_function(wrap_pyfunction!(weight_norm_acc_grad_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(bilinear_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(bilinear_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(bilinear_acc_grad_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(kmeans_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(kmeans_acc_grad_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(sparse_linear_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(sparse_linear_acc_grad_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(index_linear_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(index_linear_acc_grad_parameters, m)?)?;
    m.add_function(wrap_pyfunction!(index_linear_update_parameters, m)?)?;
    Ok(())
}
