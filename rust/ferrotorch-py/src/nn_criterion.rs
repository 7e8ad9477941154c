//! Bindings of the criterion kernels (ferrotorch::nn::criterion). Each `*_updateOutput` returns
//! the loss as a Python float; each `*_updateGradInput` writes into the criterion's gradInput
//! tensor(s). Targets arrive as Python numbers or tensors and are converted here, so a
//! criterion's Python method is one call.

use crate::errors::IntoPyResult;
use crate::nn_common::{into_output, optional, tensor};
use crate::tensor::{maybe_detach, PyTensor};
use ferrotorch::nn::criterion::{self as crit, ClassTargets, Pointwise, Target};
use ferrotorch::Tensor;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

/// A target argument held for the call: a tensor, a number, or None.
enum TargetArg {
    Tensor(Tensor),
    Number(f64),
    Absent,
}

impl TargetArg {
    fn extract(name: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<TargetArg> {
        let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(TargetArg::Absent) };
        if let Ok(t) = obj.cast::<PyTensor>() {
            return Ok(TargetArg::Tensor(tensor(t)));
        }
        obj.extract::<f64>().map(TargetArg::Number).map_err(|_| {
            PyTypeError::new_err(format!(
                "{name}: the target must be a tensor or a number, got {}",
                type_name(obj)
            ))
        })
    }

    fn get(&self) -> Target<'_> {
        match self {
            TargetArg::Tensor(t) => Target::Tensor(t),
            TargetArg::Number(v) => Target::Number(*v),
            TargetArg::Absent => Target::Absent,
        }
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into())
}

/// Class targets from an int (or an integral float), or a tensor of class indices.
fn class_targets(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<ClassTargets> {
    if let Ok(t) = obj.cast::<PyTensor>() {
        return ClassTargets::tensor(&tensor(t)).py();
    }
    if let Ok(i) = obj.extract::<i64>() {
        return Ok(ClassTargets::number(i));
    }
    match obj.extract::<f64>() {
        Ok(v) if v.fract() == 0.0 => Ok(ClassTargets::number(v as i64)),
        Ok(v) => Err(PyValueError::new_err(format!("{name}: class target {v} is not an integer"))),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{name}: the target must be a class index (int) or a tensor of class indices, got {}",
            type_name(obj)
        ))),
    }
}

fn pointwise(name: &str) -> PyResult<Pointwise> {
    Pointwise::from_name(name)
        .ok_or_else(|| PyValueError::new_err(format!("Pointwise criterion: unknown criterion {name:?}")))
}

/// Runs a loss kernel, GIL released for large inputs.
fn loss(
    py: Python<'_>,
    numel: usize,
    kernel: impl FnOnce() -> ferrotorch::Result<f64> + Send,
) -> PyResult<f64> {
    maybe_detach(py, numel, kernel).py()
}

/// Runs a kernel writing two gradient tensors (table criterions) and stores both back.
fn into_two_outputs(
    py: Python<'_>,
    out1: &Bound<'_, PyTensor>,
    out2: &Bound<'_, PyTensor>,
    numel: usize,
    kernel: impl FnOnce(&mut Tensor, &mut Tensor) -> ferrotorch::Result<()> + Send,
) -> PyResult<()> {
    let (mut a, mut b) = (tensor(out1), tensor(out2));
    let result = maybe_detach(py, numel, || kernel(&mut a, &mut b));
    out1.get().put(a);
    out2.get().put(b);
    result.py()
}

/// Pointwise_updateOutput(name, input, target, weights, sizeAverage, margin) -> loss
#[pyfunction]
#[pyo3(name = "Pointwise_updateOutput", signature = (name, input, target, weights, size_average, margin))]
fn pointwise_update_output(
    py: Python<'_>,
    name: &str,
    input: &Bound<'_, PyTensor>,
    target: Option<&Bound<'_, PyAny>>,
    weights: Option<&Bound<'_, PyTensor>>,
    size_average: bool,
    margin: f64,
) -> PyResult<f64> {
    let kind = pointwise(name)?;
    let (x, w, y) = (tensor(input), optional(weights), TargetArg::extract(kind.label(), target)?);
    loss(py, x.numel(), || crit::pointwise_update_output(kind, &x, y.get(), w.as_ref(), size_average, margin))
}

/// Pointwise_updateGradInput(name, input, target, weights, sizeAverage, margin, gradInput)
#[pyfunction]
#[pyo3(name = "Pointwise_updateGradInput", signature = (name, input, target, weights, size_average, margin, grad_input))]
#[allow(clippy::too_many_arguments)]
fn pointwise_update_grad_input(
    py: Python<'_>,
    name: &str,
    input: &Bound<'_, PyTensor>,
    target: Option<&Bound<'_, PyAny>>,
    weights: Option<&Bound<'_, PyTensor>>,
    size_average: bool,
    margin: f64,
    grad_input: &Bound<'_, PyTensor>,
) -> PyResult<()> {
    let kind = pointwise(name)?;
    let (x, w, y) = (tensor(input), optional(weights), TargetArg::extract(kind.label(), target)?);
    into_output(py, grad_input, x.numel(), |g| {
        crit::pointwise_update_grad_input(kind, &x, y.get(), w.as_ref(), size_average, margin, g)
    })
}

/// Defines the loss and gradient bindings of a class-target criterion whose kernels take
/// (input, targets, weights, sizeAverage, ignoreIndex).
macro_rules! class_nll_bindings {
    ($out:ident, $grad:ident, $out_name:literal, $grad_name:literal, $label:literal, $kout:path, $kgrad:path) => {
        #[doc = concat!($out_name, "(input, target, weights, sizeAverage, ignoreIndex) -> loss")]
        #[pyfunction]
        #[pyo3(name = $out_name, signature = (input, target, weights, size_average, ignore_index))]
        fn $out(
            py: Python<'_>,
            input: &Bound<'_, PyTensor>,
            target: &Bound<'_, PyAny>,
            weights: Option<&Bound<'_, PyTensor>>,
            size_average: bool,
            ignore_index: i64,
        ) -> PyResult<f64> {
            let (x, w, t) = (tensor(input), optional(weights), class_targets($label, target)?);
            loss(py, x.numel(), || $kout(&x, &t, w.as_ref(), size_average, ignore_index))
        }

        #[doc = concat!($grad_name, "(input, target, weights, sizeAverage, ignoreIndex, gradInput)")]
        #[pyfunction]
        #[pyo3(name = $grad_name, signature = (input, target, weights, size_average, ignore_index, grad_input))]
        fn $grad(
            py: Python<'_>,
            input: &Bound<'_, PyTensor>,
            target: &Bound<'_, PyAny>,
            weights: Option<&Bound<'_, PyTensor>>,
            size_average: bool,
            ignore_index: i64,
            grad_input: &Bound<'_, PyTensor>,
        ) -> PyResult<()> {
            let (x, w, t) = (tensor(input), optional(weights), class_targets($label, target)?);
            into_output(py, grad_input, x.numel(), |g| $kgrad(&x, &t, w.as_ref(), size_average, ignore_index, g))
        }
    };
}

class_nll_bindings!(
    class_nll_update_output,
    class_nll_update_grad_input,
    "ClassNLLCriterion_updateOutput",
    "ClassNLLCriterion_updateGradInput",
    "nn.ClassNLLCriterion",
    crit::class_nll_update_output,
    crit::class_nll_update_grad_input
);
class_nll_bindings!(
    cross_entropy_update_output,
    cross_entropy_update_grad_input,
    "CrossEntropyCriterion_updateOutput",
    "CrossEntropyCriterion_updateGradInput",
    "nn.CrossEntropyCriterion",
    crit::cross_entropy_update_output,
    crit::cross_entropy_update_grad_input
);

/// SpatialClassNLLCriterion_updateOutput(input, target, weights, sizeAverage) -> loss
#[pyfunction]
#[pyo3(name = "SpatialClassNLLCriterion_updateOutput")]
fn spatial_class_nll_update_output(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    target: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyTensor>>,
    size_average: bool,
) -> PyResult<f64> {
    let (x, w, t) = (tensor(input), optional(weights), class_targets("nn.SpatialClassNLLCriterion", target)?);
    loss(py, x.numel(), || crit::spatial_class_nll_update_output(&x, &t, w.as_ref(), size_average))
}

/// SpatialClassNLLCriterion_updateGradInput(input, target, weights, sizeAverage, gradInput)
#[pyfunction]
#[pyo3(name = "SpatialClassNLLCriterion_updateGradInput")]
fn spatial_class_nll_update_grad_input(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    target: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyTensor>>,
    size_average: bool,
    grad_input: &Bound<'_, PyTensor>,
) -> PyResult<()> {
    let (x, w, t) = (tensor(input), optional(weights), class_targets("nn.SpatialClassNLLCriterion", target)?);
    into_output(py, grad_input, x.numel(), |g| {
        crit::spatial_class_nll_update_grad_input(&x, &t, w.as_ref(), size_average, g)
    })
}

/// MultiMarginCriterion_updateOutput(input, target, sizeAverage, p, weights, margin) -> loss
#[pyfunction]
#[pyo3(name = "MultiMarginCriterion_updateOutput")]
fn multi_margin_update_output(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    target: &Bound<'_, PyAny>,
    size_average: bool,
    p: i64,
    weights: Option<&Bound<'_, PyTensor>>,
    margin: f64,
) -> PyResult<f64> {
    let (x, w, t) = (tensor(input), optional(weights), class_targets("nn.MultiMarginCriterion", target)?);
    loss(py, x.numel(), || crit::multi_margin_update_output(&x, &t, size_average, p, w.as_ref(), margin))
}

/// MultiMarginCriterion_updateGradInput(input, target, sizeAverage, p, weights, margin, gradInput)
#[pyfunction]
#[pyo3(name = "MultiMarginCriterion_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn multi_margin_update_grad_input(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    target: &Bound<'_, PyAny>,
    size_average: bool,
    p: i64,
    weights: Option<&Bound<'_, PyTensor>>,
    margin: f64,
    grad_input: &Bound<'_, PyTensor>,
) -> PyResult<()> {
    let (x, w, t) = (tensor(input), optional(weights), class_targets("nn.MultiMarginCriterion", target)?);
    into_output(py, grad_input, x.numel(), |g| {
        crit::multi_margin_update_grad_input(&x, &t, size_average, p, w.as_ref(), margin, g)
    })
}

/// MultiLabelMarginCriterion_updateOutput(input, target, sizeAverage) -> loss
#[pyfunction]
#[pyo3(name = "MultiLabelMarginCriterion_updateOutput")]
fn multi_label_margin_update_output(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    target: &Bound<'_, PyTensor>,
    size_average: bool,
) -> PyResult<f64> {
    let (x, t) = (tensor(input), tensor(target));
    loss(py, x.numel(), || crit::multi_label_margin_update_output(&x, &t, size_average))
}

/// MultiLabelMarginCriterion_updateGradInput(input, target, sizeAverage, gradInput)
#[pyfunction]
#[pyo3(name = "MultiLabelMarginCriterion_updateGradInput")]
fn multi_label_margin_update_grad_input(
    py: Python<'_>,
    input: &Bound<'_, PyTensor>,
    target: &Bound<'_, PyTensor>,
    size_average: bool,
    grad_input: &Bound<'_, PyTensor>,
) -> PyResult<()> {
    let (x, t) = (tensor(input), tensor(target));
    into_output(py, grad_input, x.numel(), |g| {
        crit::multi_label_margin_update_grad_input(&x, &t, size_average, g)
    })
}

/// Defines the loss and gradient bindings of a table criterion over `{x1, x2}`, a ±1 target
/// and a margin.
macro_rules! pair_bindings {
    ($out:ident, $grad:ident, $out_name:literal, $grad_name:literal, $label:literal, $kout:path, $kgrad:path) => {
        #[doc = concat!($out_name, "(x1, x2, y, margin, sizeAverage) -> loss")]
        #[pyfunction]
        #[pyo3(name = $out_name)]
        fn $out(
            py: Python<'_>,
            x1: &Bound<'_, PyTensor>,
            x2: &Bound<'_, PyTensor>,
            y: &Bound<'_, PyAny>,
            margin: f64,
            size_average: bool,
        ) -> PyResult<f64> {
            let (a, b, y) = (tensor(x1), tensor(x2), TargetArg::extract($label, Some(y))?);
            loss(py, a.numel(), || $kout(&a, &b, y.get(), margin, size_average))
        }

        #[doc = concat!($grad_name, "(x1, x2, y, margin, sizeAverage, gradInput1, gradInput2)")]
        #[pyfunction]
        #[pyo3(name = $grad_name)]
        #[allow(clippy::too_many_arguments)]
        fn $grad(
            py: Python<'_>,
            x1: &Bound<'_, PyTensor>,
            x2: &Bound<'_, PyTensor>,
            y: &Bound<'_, PyAny>,
            margin: f64,
            size_average: bool,
            grad1: &Bound<'_, PyTensor>,
            grad2: &Bound<'_, PyTensor>,
        ) -> PyResult<()> {
            let (a, b, y) = (tensor(x1), tensor(x2), TargetArg::extract($label, Some(y))?);
            into_two_outputs(py, grad1, grad2, a.numel(), |g1, g2| {
                $kgrad(&a, &b, y.get(), margin, size_average, g1, g2)
            })
        }
    };
}

pair_bindings!(
    cosine_embedding_update_output,
    cosine_embedding_update_grad_input,
    "CosineEmbeddingCriterion_updateOutput",
    "CosineEmbeddingCriterion_updateGradInput",
    "nn.CosineEmbeddingCriterion",
    crit::cosine_embedding_update_output,
    crit::cosine_embedding_update_grad_input
);
pair_bindings!(
    margin_ranking_update_output,
    margin_ranking_update_grad_input,
    "MarginRankingCriterion_updateOutput",
    "MarginRankingCriterion_updateGradInput",
    "nn.MarginRankingCriterion",
    crit::margin_ranking_update_output,
    crit::margin_ranking_update_grad_input
);

/// L1HingeEmbeddingCriterion_updateOutput(x1, x2, y, margin) -> loss
#[pyfunction]
#[pyo3(name = "L1HingeEmbeddingCriterion_updateOutput")]
fn l1_hinge_embedding_update_output(
    py: Python<'_>,
    x1: &Bound<'_, PyTensor>,
    x2: &Bound<'_, PyTensor>,
    y: &Bound<'_, PyAny>,
    margin: f64,
) -> PyResult<f64> {
    let (a, b, y) = (tensor(x1), tensor(x2), TargetArg::extract("nn.L1HingeEmbeddingCriterion", Some(y))?);
    loss(py, a.numel(), || crit::l1_hinge_embedding_update_output(&a, &b, y.get(), margin))
}

/// L1HingeEmbeddingCriterion_updateGradInput(x1, x2, y, margin, gradInput1, gradInput2)
#[pyfunction]
#[pyo3(name = "L1HingeEmbeddingCriterion_updateGradInput")]
fn l1_hinge_embedding_update_grad_input(
    py: Python<'_>,
    x1: &Bound<'_, PyTensor>,
    x2: &Bound<'_, PyTensor>,
    y: &Bound<'_, PyAny>,
    margin: f64,
    grad1: &Bound<'_, PyTensor>,
    grad2: &Bound<'_, PyTensor>,
) -> PyResult<()> {
    let (a, b, y) = (tensor(x1), tensor(x2), TargetArg::extract("nn.L1HingeEmbeddingCriterion", Some(y))?);
    into_two_outputs(py, grad1, grad2, a.numel(), |g1, g2| {
        crit::l1_hinge_embedding_update_grad_input(&a, &b, y.get(), margin, g1, g2)
    })
}

/// DistanceRatioCriterion_updateOutput(x, y, sizeAverage) -> loss
#[pyfunction]
#[pyo3(name = "DistanceRatioCriterion_updateOutput")]
fn distance_ratio_update_output(
    py: Python<'_>,
    x: &Bound<'_, PyTensor>,
    y: &Bound<'_, PyTensor>,
    size_average: bool,
) -> PyResult<f64> {
    let (a, b) = (tensor(x), tensor(y));
    loss(py, a.numel(), || crit::distance_ratio_update_output(&a, &b, size_average))
}

/// DistanceRatioCriterion_updateGradInput(x, y, sizeAverage, gradX, gradY)
#[pyfunction]
#[pyo3(name = "DistanceRatioCriterion_updateGradInput")]
fn distance_ratio_update_grad_input(
    py: Python<'_>,
    x: &Bound<'_, PyTensor>,
    y: &Bound<'_, PyTensor>,
    size_average: bool,
    grad_x: &Bound<'_, PyTensor>,
    grad_y: &Bound<'_, PyTensor>,
) -> PyResult<()> {
    let (a, b) = (tensor(x), tensor(y));
    into_two_outputs(py, grad_x, grad_y, a.numel(), |gx, gy| {
        crit::distance_ratio_update_grad_input(&a, &b, size_average, gx, gy)
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pointwise_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(pointwise_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(class_nll_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(class_nll_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(cross_entropy_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(cross_entropy_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(spatial_class_nll_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(spatial_class_nll_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(multi_margin_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(multi_margin_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(multi_label_margin_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(multi_label_margin_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(cosine_embedding_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(cosine_embedding_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(margin_ranking_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(margin_ranking_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(l1_hinge_embedding_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(l1_hinge_embedding_update_grad_input, m)?)?;
    m.add_function(wrap_pyfunction!(distance_ratio_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(distance_ratio_update_grad_input, m)?)?;
    Ok(())
}
