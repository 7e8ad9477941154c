//! nn.L1Penalty's backward: `gradInput = m · sign(input) (+ gradOutput)`.

use super::{check_same_sizes, read, write_resized};
use crate::Result;
use crate::Tensor;

/// `gradInput = m · sign(input) + gradOutput` (gradOutput None: the penalty's term alone).
pub fn l1_penalty_update_grad_input(
    input: &Tensor,
    grad_output: Option<&Tensor>,
    m: f64,
    grad_input: &mut Tensor,
) -> Result<()> {
    const WHAT: &str = "nn.L1Penalty";
    let x = read(input, WHAT)?;
    let sign = |v: f64| {
        if v > 0.0 {
            1.0
        } else if v < 0.0 {
            -1.0
        } else {
            0.0
        }
    };
    let mut out: Vec<f64> = x.iter().map(|&v| sign(v) * m).collect();
    if let Some(go) = grad_output {
        check_same_sizes(input, go, WHAT)?;
        for (o, g) in out.iter_mut().zip(read(go, WHAT)?) {
            *o += g;
        }
    }
    write_resized(grad_input, input.sizes(), &out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn sign_times_weight_plus_grad_output() {
        let x = Tensor::from_slice(&[-2.0, 0.0, 3.0], &[3]).unwrap();
        let go = Tensor::from_slice(&[1.0, 1.0, 1.0], &[3]).unwrap();
        let mut gi = Tensor::empty(DType::Double);
        l1_penalty_update_grad_input(&x, Some(&go), 0.5, &mut gi).unwrap();
        assert_eq!(gi.to_vec::<f64>().unwrap(), vec![0.5, 1.0, 1.5]);
    }
}
