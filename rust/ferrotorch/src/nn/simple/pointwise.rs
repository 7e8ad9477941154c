//! Element-wise math layers (Exp, Log, Abs, Square, Sqrt, Power, Clamp): the forward value and
//! the fused gradient `gradInput = gradOutput * f'(input)` in one pass each.

use super::util::{check_sizes, float_type, store, values};
use crate::{Error, Result, Tensor};

/// The element-wise layer and its constants (Power's exponent, Clamp's bounds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum MathOp {
    Exp,
    Log,
    Abs,
    Square,
    Sqrt,
    Power(f64),
    Clamp(f64, f64),
}

impl MathOp {
    /// The op from its Torch7 class name with its two numeric arguments.
    pub fn parse(name: &str, a: f64, b: f64) -> Result<MathOp> {
        Ok(match name {
            "Exp" => MathOp::Exp,
            "Log" => MathOp::Log,
            "Abs" => MathOp::Abs,
            "Square" => MathOp::Square,
            "Sqrt" => MathOp::Sqrt,
            "Power" => MathOp::Power(a),
            "Clamp" => MathOp::Clamp(a, b),
            other => return Err(Error::Value(format!("nn simple math: unknown layer {other:?}"))),
        })
    }

    fn name(self) -> &'static str {
        match self {
            MathOp::Exp => "nn.Exp",
            MathOp::Log => "nn.Log",
            MathOp::Abs => "nn.Abs",
            MathOp::Square => "nn.Square",
            MathOp::Sqrt => "nn.Sqrt",
            MathOp::Power(_) => "nn.Power",
            MathOp::Clamp(..) => "nn.Clamp",
        }
    }

    fn forward(self, x: f64) -> f64 {
        match self {
            MathOp::Exp => x.exp(),
            MathOp::Log => x.ln(),
            MathOp::Abs => x.abs(),
            MathOp::Square => x * x,
            MathOp::Sqrt => x.sqrt(),
            MathOp::Power(p) => x.powf(p),
            // HardTanh's rule: below min -> min, above max -> max (NaN passes through).
            MathOp::Clamp(lo, hi) => {
                if x < lo {
                    lo
                } else if x > hi {
                    hi
                } else {
                    x
                }
            }
        }
    }

    /// gradOutput * d(output)/d(input) at input x with output y (Torch7's formulas: Sqrt's
    /// gradient is 0 where the output is 0, Abs takes +1 at 0, Clamp passes the gradient only
    /// strictly inside its bounds).
    fn backward(self, x: f64, y: f64, g: f64) -> f64 {
        match self {
            MathOp::Exp => y * g,
            MathOp::Log => g / x,
            MathOp::Abs => {
                if x >= 0.0 {
                    g
                } else {
                    -g
                }
            }
            MathOp::Square => 2.0 * g * x,
            MathOp::Sqrt => {
                if y == 0.0 {
                    0.0
                } else {
                    0.5 * (g / y)
                }
            }
            MathOp::Power(p) => x.powf(p - 1.0) * g * p,
            MathOp::Clamp(lo, hi) => {
                if x <= lo || x >= hi {
                    0.0
                } else {
                    g
                }
            }
        }
    }
}

/// `output = f(input)`, output resized like input.
pub fn math_update_output(op: MathOp, input: &Tensor, output: &mut Tensor) -> Result<()> {
    float_type(op.name(), &[input, output])?;
    let y: Vec<f64> = values(input)?.into_iter().map(|x| op.forward(x)).collect();
    store(output, input.sizes(), &y)
}

/// `gradInput = gradOutput * f'(input)` (output is the forward result; Exp and Sqrt use it).
pub fn math_update_grad_input(
    op: MathOp,
    input: &Tensor,
    grad_output: &Tensor,
    output: &Tensor,
    grad_input: &mut Tensor,
) -> Result<()> {
    let what = op.name();
    float_type(what, &[input, grad_output, grad_input])?;
    check_sizes(what, "gradOutput", grad_output, input.sizes())?;
    let needs_output = matches!(op, MathOp::Exp | MathOp::Sqrt);
    let y = if needs_output {
        check_sizes(what, "output (run forward first)", output, input.sizes())?;
        values(output)?
    } else {
        Vec::new()
    };
    let (x, g) = (values(input)?, values(grad_output)?);
    let gi: Vec<f64> =
        (0..x.len()).map(|i| op.backward(x[i], if needs_output { y[i] } else { 0.0 }, g[i])).collect();
    store(grad_input, input.sizes(), &gi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn clamp_and_sqrt_follow_torch7() {
        let x = Tensor::from_slice(&[-2.0, -0.5, 0.0, 0.5, 2.0], &[5]).unwrap();
        let g = Tensor::from_slice(&[1.0; 5], &[5]).unwrap();
        let (mut y, mut gi) = (Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        let op = MathOp::Clamp(-0.5, 0.5);
        math_update_output(op, &x, &mut y).unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![-0.5, -0.5, 0.0, 0.5, 0.5]);
        math_update_grad_input(op, &x, &g, &y, &mut gi).unwrap();
        assert_eq!(gi.to_vec::<f64>().unwrap(), vec![0.0, 0.0, 1.0, 0.0, 0.0]);
        let x = Tensor::from_slice(&[0.0, 4.0], &[2]).unwrap();
        math_update_output(MathOp::Sqrt, &x, &mut y).unwrap();
        math_update_grad_input(MathOp::Sqrt, &x, &g.narrow(0, 0, 2).unwrap(), &y, &mut gi).unwrap();
        assert_eq!(gi.to_vec::<f64>().unwrap(), vec![0.0, 0.25]);
    }

    #[test]
    fn wrong_grad_output_names_the_layer() {
        let x = Tensor::from_slice(&[1.0, 2.0], &[2]).unwrap();
        let g = Tensor::from_slice(&[1.0; 3], &[3]).unwrap();
        let mut gi = Tensor::empty(DType::Double);
        let e = math_update_grad_input(MathOp::Square, &x, &g, &x, &mut gi).unwrap_err();
        assert!(format!("{e}").contains("nn.Square"), "{e}");
    }
}
