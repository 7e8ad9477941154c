//! Criterion kernels (Torch7's THNN `*Criterion_updateOutput` / `_updateGradInput`): the loss
//! as an f64 and its gradient with respect to the input, written into a gradInput tensor that
//! the kernel resizes (and re-types to the input's type).
//!
//! Families: [`pointwise`] (a formula per element pair, summed: MSE, Abs, SmoothL1, BCE, ...),
//! [`class`] (class-index targets: ClassNLL, CrossEntropy, SpatialClassNLL, MultiMargin,
//! MultiLabelMargin) and [`pairs`] (table inputs `{x1, x2}`: CosineEmbedding, MarginRanking,
//! DistanceRatio, L1HingeEmbedding). Losses accumulate in f64 whatever the input type (THNN's
//! accreal); a FloatTensor loss is rounded to f32 as Torch7 returned it.

pub mod class;
pub mod pairs;
pub mod pointwise;

pub use class::*;
pub use pairs::*;
pub use pointwise::*;

use crate::layout::size_string;
use crate::ops::pointwise::require_float;
use crate::{DType, Error, Result, Tensor};

/// A criterion's target: a tensor, a plain number (Torch7 accepted both for several
/// criterions), or nothing (L1Cost).
#[derive(Clone, Copy)]
pub enum Target<'a> {
    Tensor(&'a Tensor),
    Number(f64),
    Absent,
}

/// Class-index targets (0-based): the values in row-major order and the sizes of the target
/// tensor (empty for a plain number).
#[derive(Clone, Debug, Default)]
pub struct ClassTargets {
    pub values: Vec<i64>,
    pub sizes: Vec<usize>,
}

impl ClassTargets {
    /// One class index given as a plain number.
    pub fn number(class: i64) -> ClassTargets {
        ClassTargets { values: vec![class], sizes: Vec::new() }
    }

    /// The elements of an index tensor of any type (Double targets truncate, as Torch7's
    /// `target:long()` did).
    pub fn tensor(t: &Tensor) -> Result<ClassTargets> {
        Ok(ClassTargets { values: t.to_vec::<i64>()?, sizes: t.sizes().to_vec() })
    }

    /// "3" for a number, the sizes ("2x3") for a tensor.
    fn describe(&self) -> String {
        if self.sizes.is_empty() {
            "a number".to_string()
        } else {
            format!("a tensor of size {}", size_string(&self.sizes))
        }
    }
}

/// TypeError unless the input is a Float or Double tensor.
fn check_input(input: &Tensor, name: &str) -> Result<()> {
    require_float(input.dtype(), name)
}

/// The elements of `t` in row-major order, as f64.
fn values(t: &Tensor) -> Result<Vec<f64>> {
    t.to_vec::<f64>()
}

/// Writes `vals` (row-major) into `out`, resized to `sizes`. TypeError when the gradInput's
/// type is not the input's (as in Torch7, the criterion is converted with float() / double()).
fn store(name: &str, out: &mut Tensor, dtype: DType, sizes: &[usize], vals: &[f64]) -> Result<()> {
    if out.dtype() != dtype {
        return Err(Error::Type(format!(
            "{name}: the input is a {} but gradInput a {}; convert the criterion first \
             (criterion.type('{}'), .float() or .double())",
            dtype.tensor_type_name(),
            out.dtype().tensor_type_name(),
            dtype.tensor_type_name()
        )));
    }
    out.resize_(sizes)?;
    if vals.is_empty() {
        return Ok(());
    }
    out.copy_same_shape(&Tensor::from_slice(vals, sizes)?)
}

/// The loss as Torch7 returned it: rounded to the input's element type.
fn finish(loss: f64, dtype: DType) -> f64 {
    if dtype == DType::Float {
        loss as f32 as f64
    } else {
        loss
    }
}

/// ValueError naming the criterion.
fn value_error(name: &str, msg: String) -> Error {
    Error::Value(format!("{name}: {msg}"))
}

/// IndexError for a class index outside 0..n_classes.
fn class_error(name: &str, class: i64, n_classes: usize) -> Error {
    Error::Index(format!(
        "{name}: class target {class} is out of range for {n_classes} classes (valid: 0 to {})",
        n_classes as i64 - 1
    ))
}

/// Checks 1-D per-class weights against the class count and reads them.
fn class_weights(name: &str, weights: Option<&Tensor>, n_classes: usize) -> Result<Option<Vec<f64>>> {
    let Some(w) = weights else { return Ok(None) };
    if w.numel() != n_classes {
        return Err(value_error(
            name,
            format!(
                "weights of size {} for {n_classes} classes (one weight per class expected)",
                size_string(w.sizes())
            ),
        ));
    }
    values(w).map(Some)
}
