//! CMul, CAdd, Mul and Add: a parameter tensor combined with every sample of the input by
//! Torch7's rule, and its gradient summed back to the parameter's shape.
//!
//! Torch7's rule (CMul.lua / CAdd.lua): when the parameter has as many elements as the input
//! they pair element by element (row-major); else when both have as many dimensions, size-1
//! dimensions of the parameter repeat; else dimension 0 of the input is the batch and each
//! sample meets the parameter (dimension by dimension when it has the sample's rank, else
//! flattened).

use super::util::{check_sizes, float_type, store, values};
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

/// For each input element (row-major), the index of the parameter element it meets.
fn param_index(what: &str, input: &[usize], param: &[usize]) -> Result<Vec<usize>> {
    let n: usize = input.iter().product();
    let np: usize = param.iter().product();
    if n == np {
        return Ok((0..n).collect());
    }
    let mismatch = || {
        Error::Value(format!(
            "{what}: the parameter of size {} does not fit an input of size {}",
            size_string(param),
            size_string(input)
        ))
    };
    // Effective (input sizes, parameter sizes) with matching ranks.
    let (sizes, psizes): (Vec<usize>, Vec<usize>) = if param.len() == input.len() {
        (input.to_vec(), param.to_vec())
    } else if param.len() + 1 == input.len() {
        // A batch of samples shaped like the parameter (size-1 dimensions repeat in each).
        (input.to_vec(), std::iter::once(1).chain(param.iter().copied()).collect())
    } else {
        let b = *input.first().ok_or_else(mismatch)?;
        let rest = n.checked_div(b).unwrap_or(0);
        (vec![b, rest], vec![1, np])
    };
    if sizes.iter().zip(&psizes).any(|(&s, &p)| p != s && p != 1) {
        return Err(mismatch());
    }
    // Row-major strides of the parameter, zero where it repeats.
    let mut pstrides = vec![0usize; psizes.len()];
    let mut acc = 1;
    for d in (0..psizes.len()).rev() {
        pstrides[d] = if psizes[d] == 1 { 0 } else { acc };
        acc *= psizes[d];
    }
    let mut out = Vec::with_capacity(n);
    let mut counter = vec![0usize; sizes.len()];
    let mut pos = 0usize;
    for _ in 0..n {
        out.push(pos);
        for d in (0..sizes.len()).rev() {
            counter[d] += 1;
            pos += pstrides[d];
            if counter[d] < sizes[d] {
                break;
            }
            pos -= pstrides[d] * counter[d];
            counter[d] = 0;
        }
    }
    Ok(out)
}

/// `output = input ⊙ weight` (multiply) or `input + weight` (add), weight placed by the rule.
pub fn broadcast_update_output(
    what: &str,
    multiply: bool,
    input: &Tensor,
    param: &Tensor,
    output: &mut Tensor,
) -> Result<()> {
    float_type(what, &[input, param, output])?;
    let idx = param_index(what, input.sizes(), param.sizes())?;
    let (x, w) = (values(input)?, values(param)?);
    let y: Vec<f64> = if multiply {
        x.iter().zip(&idx).map(|(v, &k)| v * w[k]).collect()
    } else {
        x.iter().zip(&idx).map(|(v, &k)| v + w[k]).collect()
    };
    store(output, input.sizes(), &y)
}

/// CMul's `gradInput = gradOutput ⊙ weight` (placed by the rule).
pub fn cmul_update_grad_input(
    what: &str,
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    grad_input: &mut Tensor,
) -> Result<()> {
    float_type(what, &[input, grad_output, weight, grad_input])?;
    check_sizes(what, "gradOutput", grad_output, input.sizes())?;
    let idx = param_index(what, input.sizes(), weight.sizes())?;
    let (g, w) = (values(grad_output)?, values(weight)?);
    let gi: Vec<f64> = g.iter().zip(&idx).map(|(v, &k)| v * w[k]).collect();
    store(grad_input, input.sizes(), &gi)
}

/// `gradParam += scale * Σ (gradOutput ⊙ input)` (multiply) or `scale * Σ gradOutput` (add),
/// summed over the input elements that met each parameter element.
pub fn broadcast_acc_grad_parameters(
    what: &str,
    multiply: bool,
    input: &Tensor,
    grad_output: &Tensor,
    grad_param: &Tensor,
    scale: f64,
) -> Result<()> {
    float_type(what, &[input, grad_output, grad_param])?;
    check_sizes(what, "gradOutput", grad_output, input.sizes())?;
    let idx = param_index(what, input.sizes(), grad_param.sizes())?;
    let g = values(grad_output)?;
    let mut acc = values(grad_param)?;
    if multiply {
        let x = values(input)?;
        for ((gv, xv), &k) in g.iter().zip(&x).zip(&idx) {
            acc[k] += scale * gv * xv;
        }
    } else {
        for (gv, &k) in g.iter().zip(&idx) {
            acc[k] += scale * gv;
        }
    }
    super::util::overwrite(grad_param, &acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_placements() {
        assert_eq!(param_index("t", &[2, 2], &[4]).unwrap(), vec![0, 1, 2, 3]);
        assert_eq!(param_index("t", &[2, 3], &[1, 3]).unwrap(), vec![0, 1, 2, 0, 1, 2]);
        assert_eq!(param_index("t", &[2, 3], &[2, 1]).unwrap(), vec![0, 0, 0, 1, 1, 1]);
        assert_eq!(param_index("t", &[2, 3], &[3]).unwrap(), vec![0, 1, 2, 0, 1, 2]);
        assert_eq!(param_index("t", &[3], &[1]).unwrap(), vec![0, 0, 0]);
        assert_eq!(param_index("t", &[2, 2, 2], &[2, 1]).unwrap(), vec![0, 0, 1, 1, 0, 0, 1, 1]);
        assert!(param_index("nn.CMul", &[2, 3], &[2]).unwrap_err().to_string().contains("nn.CMul"));
    }
}
