//! Criterions that apply one formula to each (input, target) element pair and sum: MSE (and
//! WeightedMSE through `weights`), Abs, SmoothL1, DistKLDiv, BCE, Margin, SoftMargin,
//! HingeEmbedding, MultiLabelSoftMargin and L1Cost. With sizeAverage the sum (and the gradient)
//! is divided by the input's element count.

use super::{check_input, finish, store, value_error, values, Target};
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

/// BCECriterion's guard against log(0) (THNN's EPS).
const BCE_EPS: f64 = 1e-12;

/// Which element formula.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pointwise {
    /// `(x - w·y)²` (w = WeightedMSECriterion's weight, 1 without).
    Mse,
    /// `|x - y|`.
    Abs,
    /// `0.5 d²` if `|d| < 1` else `|d| - 0.5`, `d = x - y`.
    SmoothL1,
    /// `y (log y - x)` where `y > 0`.
    DistKLDiv,
    /// `-w [y log(x + ε) + (1 - y) log(1 - x + ε)]`.
    Bce,
    /// `max(0, margin - x y)`.
    Margin,
    /// `log(1 + exp(-x y))`.
    SoftMargin,
    /// `x` where `y ≠ -1`, plus `max(0, margin - x)` where `y ≠ 1`.
    HingeEmbedding,
    /// `w [-y log σ(x) - (1 - y) log(1 - σ(x))]`, computed stably.
    MultiLabelSoftMargin,
    /// `|x|` (no target, never averaged).
    L1Cost,
}

impl Pointwise {
    /// The formula of a Torch7 criterion name ("MSECriterion", ...).
    pub fn from_name(name: &str) -> Option<Pointwise> {
        Some(match name {
            "MSECriterion" => Pointwise::Mse,
            "AbsCriterion" => Pointwise::Abs,
            "SmoothL1Criterion" => Pointwise::SmoothL1,
            "DistKLDivCriterion" => Pointwise::DistKLDiv,
            "BCECriterion" => Pointwise::Bce,
            "MarginCriterion" => Pointwise::Margin,
            "SoftMarginCriterion" => Pointwise::SoftMargin,
            "HingeEmbeddingCriterion" => Pointwise::HingeEmbedding,
            "MultiLabelSoftMarginCriterion" => Pointwise::MultiLabelSoftMargin,
            "L1Cost" => Pointwise::L1Cost,
            _ => return None,
        })
    }

    /// "nn.MSECriterion", for messages.
    pub fn label(self) -> &'static str {
        match self {
            Pointwise::Mse => "nn.MSECriterion",
            Pointwise::Abs => "nn.AbsCriterion",
            Pointwise::SmoothL1 => "nn.SmoothL1Criterion",
            Pointwise::DistKLDiv => "nn.DistKLDivCriterion",
            Pointwise::Bce => "nn.BCECriterion",
            Pointwise::Margin => "nn.MarginCriterion",
            Pointwise::SoftMargin => "nn.SoftMarginCriterion",
            Pointwise::HingeEmbedding => "nn.HingeEmbeddingCriterion",
            Pointwise::MultiLabelSoftMargin => "nn.MultiLabelSoftMarginCriterion",
            Pointwise::L1Cost => "nn.L1Cost",
        }
    }

    /// The loss of one element pair (`w` = weight, `m` = margin).
    #[inline]
    fn loss(self, x: f64, y: f64, w: f64, m: f64) -> f64 {
        match self {
            Pointwise::Mse => {
                let d = x - w * y;
                d * d
            }
            Pointwise::Abs => (x - y).abs(),
            Pointwise::SmoothL1 => {
                let z = (x - y).abs();
                if z < 1.0 {
                    0.5 * z * z
                } else {
                    z - 0.5
                }
            }
            Pointwise::DistKLDiv => {
                if y > 0.0 {
                    y * (y.ln() - x)
                } else {
                    0.0
                }
            }
            Pointwise::Bce => -((x + BCE_EPS).ln() * y + (1.0 - x + BCE_EPS).ln() * (1.0 - y)) * w,
            Pointwise::Margin => (m - x * y).max(0.0),
            Pointwise::SoftMargin => softplus(-x * y),
            Pointwise::HingeEmbedding => {
                let on = if y != -1.0 { x } else { 0.0 };
                let off = if y != 1.0 { (m - x).max(0.0) } else { 0.0 };
                on + off
            }
            // log(1 + e^{-|x|}) - (y - [x >= 0]) x, Torch7's stable form.
            Pointwise::MultiLabelSoftMargin => {
                let ind = if x >= 0.0 { 1.0 } else { 0.0 };
                ((-x.abs()).exp().ln_1p() - (y - ind) * x) * w
            }
            Pointwise::L1Cost => x.abs(),
        }
    }

    /// d(loss)/dx of one element pair, `norm` = 1/n with sizeAverage, else 1.
    #[inline]
    fn grad(self, x: f64, y: f64, w: f64, m: f64, norm: f64) -> f64 {
        match self {
            Pointwise::Mse => 2.0 * norm * (x - w * y),
            Pointwise::Abs => {
                if x - y >= 0.0 {
                    norm
                } else {
                    -norm
                }
            }
            Pointwise::SmoothL1 => {
                let d = x - y;
                if d < -1.0 {
                    -norm
                } else if d > 1.0 {
                    norm
                } else {
                    norm * d
                }
            }
            Pointwise::DistKLDiv => {
                if y > 0.0 {
                    -norm * y
                } else {
                    0.0
                }
            }
            Pointwise::Bce => -norm * (y - x) / ((1.0 - x + BCE_EPS) * (x + BCE_EPS)) * w,
            Pointwise::Margin => {
                if x * y < m {
                    -norm * y
                } else {
                    0.0
                }
            }
            Pointwise::SoftMargin => -norm * y * sigmoid(-x * y),
            Pointwise::HingeEmbedding => {
                if y == -1.0 && x > m {
                    0.0
                } else {
                    norm * y
                }
            }
            Pointwise::MultiLabelSoftMargin => norm * (sigmoid(x) - y) * w,
            Pointwise::L1Cost => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    0.0
                }
            }
        }
    }

    fn averages(self) -> bool {
        self != Pointwise::L1Cost
    }
}

/// `log(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// The checked operands: input values, target values (one per input element, or one number
/// repeated), weights (repeating every `weights.len()` elements).
struct Operands {
    x: Vec<f64>,
    y: Vec<f64>,
    w: Vec<f64>,
}

impl Operands {
    #[inline]
    fn target(&self, i: usize) -> f64 {
        match self.y.len() {
            0 => 0.0,
            1 => self.y[0],
            _ => self.y[i],
        }
    }

    #[inline]
    fn weight(&self, i: usize) -> f64 {
        if self.w.is_empty() {
            1.0
        } else {
            self.w[i % self.w.len()]
        }
    }
}

fn operands(kind: Pointwise, input: &Tensor, target: Target, weights: Option<&Tensor>) -> Result<Operands> {
    let name = kind.label();
    check_input(input, name)?;
    let n = input.numel();
    let y = match target {
        Target::Tensor(t) => {
            if t.numel() != n && !(kind == Pointwise::HingeEmbedding && t.numel() == 1) {
                return Err(value_error(
                    name,
                    format!(
                        "input and target should have the same number of elements: input of size {} \
                         ({n} elements), target of size {} ({} elements)",
                        size_string(input.sizes()),
                        size_string(t.sizes()),
                        t.numel()
                    ),
                ));
            }
            values(t)?
        }
        Target::Number(v) if kind == Pointwise::HingeEmbedding => vec![v],
        Target::Number(_) => {
            return Err(Error::Type(format!("{name}: the target must be a tensor, got a number")))
        }
        Target::Absent if kind == Pointwise::L1Cost => Vec::new(),
        Target::Absent => return Err(Error::Type(format!("{name}: a target tensor is required"))),
    };
    let w = match weights {
        None => Vec::new(),
        Some(w) => {
            // The weights cover every element, or one sample (Torch7 repeated them over the
            // first, batch, dimension).
            let per_sample = input.ndim() >= 2 && w.numel() * input.sizes()[0] == n;
            if w.numel() == 0 || (w.numel() != n && !per_sample) {
                return Err(value_error(
                    name,
                    format!(
                        "weights of size {} match neither the input of size {} nor one sample of it",
                        size_string(w.sizes()),
                        size_string(input.sizes())
                    ),
                ));
            }
            values(w)?
        }
    };
    let x = values(input)?;
    if kind == Pointwise::Bce {
        if let Some(bad) = x.iter().find(|v| !(0.0..=1.0).contains(*v)) {
            return Err(value_error(
                name,
                format!("input values must lie in [0, 1] (probabilities), got {bad}"),
            ));
        }
    }
    Ok(Operands { x, y, w })
}

/// The loss of `kind` over every element, divided by the element count when `size_average`.
pub fn pointwise_update_output(
    kind: Pointwise,
    input: &Tensor,
    target: Target,
    weights: Option<&Tensor>,
    size_average: bool,
    margin: f64,
) -> Result<f64> {
    let ops = operands(kind, input, target, weights)?;
    let mut sum = 0.0;
    for (i, &x) in ops.x.iter().enumerate() {
        sum += kind.loss(x, ops.target(i), ops.weight(i), margin);
    }
    if size_average && kind.averages() && !ops.x.is_empty() {
        sum /= ops.x.len() as f64;
    }
    Ok(finish(sum, input.dtype()))
}

/// d(loss)/d(input) of `kind`, written into `grad_input` (resized like the input).
pub fn pointwise_update_grad_input(
    kind: Pointwise,
    input: &Tensor,
    target: Target,
    weights: Option<&Tensor>,
    size_average: bool,
    margin: f64,
    grad_input: &mut Tensor,
) -> Result<()> {
    let ops = operands(kind, input, target, weights)?;
    let n = ops.x.len();
    let norm = if size_average && kind.averages() && n > 0 { 1.0 / n as f64 } else { 1.0 };
    let grad: Vec<f64> = ops
        .x
        .iter()
        .enumerate()
        .map(|(i, &x)| kind.grad(x, ops.target(i), ops.weight(i), margin, norm))
        .collect();
    store(kind.label(), grad_input, input.dtype(), input.sizes(), &grad)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    fn t(v: &[f64]) -> Tensor {
        Tensor::from_slice(v, &[v.len()]).unwrap()
    }

    #[test]
    fn mse_loss_and_gradient() {
        let (x, y) = (t(&[1.0, 2.0]), t(&[0.0, 4.0]));
        let loss = pointwise_update_output(Pointwise::Mse, &x, Target::Tensor(&y), None, true, 0.0).unwrap();
        assert_eq!(loss, 2.5);
        let mut g = Tensor::empty(DType::Double);
        pointwise_update_grad_input(Pointwise::Mse, &x, Target::Tensor(&y), None, false, 0.0, &mut g)
            .unwrap();
        assert_eq!(g.to_vec::<f64>().unwrap(), vec![2.0, -4.0]);
    }

    #[test]
    fn weights_repeat_over_the_batch() {
        let x = Tensor::from_slice(&[1.0, 1.0, 1.0, 1.0], &[2, 2]).unwrap();
        let y = Tensor::from_slice(&[1.0, 1.0, 1.0, 1.0], &[2, 2]).unwrap();
        let w = t(&[1.0, 0.0]);
        let loss =
            pointwise_update_output(Pointwise::Mse, &x, Target::Tensor(&y), Some(&w), false, 0.0).unwrap();
        assert_eq!(loss, 2.0); // (1 - 0)² in column 1 of both rows
    }

    #[test]
    fn size_mismatch_and_bad_probabilities_are_value_errors() {
        let e = pointwise_update_output(
            Pointwise::Abs,
            &t(&[1.0, 2.0]),
            Target::Tensor(&t(&[1.0])),
            None,
            true,
            0.0,
        )
        .unwrap_err();
        assert!(
            matches!(e, Error::Value(ref m) if m.contains("nn.AbsCriterion") && m.contains("size 2")),
            "{e}"
        );
        let e =
            pointwise_update_output(Pointwise::Bce, &t(&[1.5]), Target::Tensor(&t(&[1.0])), None, true, 0.0)
                .unwrap_err();
        assert!(matches!(e, Error::Value(_)), "{e}");
    }
}
