//! Dropout, SpatialDropout and VolumetricDropout: a Bernoulli(1 − p) mask (`noise`) drawn with
//! the engine's generator in Torch7's order (row-major over the mask), optionally divided by
//! 1 − p (Dropout v2), multiplying the input; the mask has the input's sizes, or size 1 over
//! the spatial dims (one draw per feature map), broadcast over them.

use crate::layout::size_string;
use crate::ops::pointwise::{binary_into, require_float, Binary, Operand};
use crate::{Error, Generator, Result, Scalar, Tensor};

/// How the forward treats the input.
pub enum Mode<'a> {
    /// Draw a new mask of `noise_sizes` with `gen` (divided by 1 − p when `scale`) and apply it.
    Draw { gen: &'a mut Generator, noise_sizes: &'a [usize], scale: bool },
    /// Multiply by a constant (1 in v2 evaluation, 1 − p for v1 / spatial evaluation).
    Constant(f64),
}

/// `output = input ⊙ mask` (or `input · factor`); output is resized to input's sizes and may be
/// the input itself (in place).
pub fn dropout_update_output(
    input: &Tensor,
    output: &mut Tensor,
    noise: &mut Tensor,
    p: f64,
    mode: Mode<'_>,
) -> Result<()> {
    require_float(input.dtype(), "nn.Dropout")?;
    let scaled_mask = matches!(mode, Mode::Draw { scale: true, .. });
    if !(0.0..=1.0).contains(&p) || (scaled_mask && p == 1.0) {
        let bound = if scaled_mask { "0 <= p < 1" } else { "0 <= p <= 1" };
        return Err(Error::Value(format!("nn.Dropout: illegal percentage {p}, must be {bound}")));
    }
    if !output.is_set_to(input) {
        output.resize_(input.sizes())?;
    }
    match mode {
        Mode::Draw { gen, noise_sizes, scale } => {
            noise.resize_(noise_sizes)?;
            let keep = 1.0 - p;
            noise.fill_with(|| f64::from(u8::from(gen.uniform01() <= keep)))?;
            if scale {
                binary_into(
                    Binary::Div,
                    &Operand::Tensor(noise.clone()),
                    &Operand::Scalar(Scalar::Float(keep)),
                    noise,
                )?;
            }
            apply(input, noise, output)
        }
        Mode::Constant(factor) => scaled(input, factor, output),
    }
}

/// `gradInput = gradOutput ⊙ mask` (training) or `gradOutput · factor` (evaluation, `mask`
/// None); gradInput may be gradOutput itself (in place).
pub fn dropout_update_grad_input(
    grad_output: &Tensor,
    grad_input: &mut Tensor,
    noise: Option<&Tensor>,
    factor: f64,
) -> Result<()> {
    if !grad_input.is_set_to(grad_output) {
        grad_input.resize_(grad_output.sizes())?;
    }
    match noise {
        Some(noise) => apply(grad_output, noise, grad_input),
        None => scaled(grad_output, factor, grad_input),
    }
}

fn apply(src: &Tensor, noise: &Tensor, dst: &Tensor) -> Result<()> {
    let expanded = noise.expand(src.sizes()).map_err(|_| {
        Error::Value(format!(
            "nn.Dropout: the mask of size {} does not fit a tensor of size {} (forward first, on \
             the same sizes)",
            size_string(noise.sizes()),
            size_string(src.sizes())
        ))
    })?;
    binary_into(Binary::Mul, &Operand::Tensor(src.clone()), &Operand::Tensor(expanded), dst)
}

fn scaled(src: &Tensor, factor: f64, dst: &Tensor) -> Result<()> {
    if factor == 1.0 {
        return if dst.is_set_to(src) { Ok(()) } else { dst.copy_(src) };
    }
    binary_into(Binary::Mul, &Operand::Tensor(src.clone()), &Operand::Scalar(Scalar::Float(factor)), dst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn mask_is_scaled_and_reused_in_backward() {
        let x = Tensor::from_slice(&[1.0; 1000], &[1000]).unwrap();
        let (mut out, mut noise) = (Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        let mut gen = Generator::new(1);
        let mode = Mode::Draw { gen: &mut gen, noise_sizes: &[1000], scale: true };
        dropout_update_output(&x, &mut out, &mut noise, 0.75, mode).unwrap();
        let y = out.to_vec::<f64>().unwrap();
        assert!(y.iter().all(|&v| v == 0.0 || v == 4.0));
        let kept = y.iter().filter(|&&v| v == 4.0).count();
        assert!((150..350).contains(&kept), "{kept}");
        let mut gi = Tensor::empty(DType::Double);
        dropout_update_grad_input(&x, &mut gi, Some(&noise), 1.0).unwrap();
        assert_eq!(gi.to_vec::<f64>().unwrap(), y);
    }

    #[test]
    fn p_of_one_only_without_scaling() {
        let x = Tensor::from_slice(&[1.0; 4], &[4]).unwrap();
        let (mut out, mut noise) = (Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        let mut gen = Generator::new(1);
        let mode = Mode::Draw { gen: &mut gen, noise_sizes: &[4], scale: true };
        let e = dropout_update_output(&x, &mut out, &mut noise, 1.0, mode).unwrap_err();
        assert!(format!("{e}").contains("0 <= p < 1"), "{e}");
        let mode = Mode::Draw { gen: &mut gen, noise_sizes: &[4], scale: false };
        dropout_update_output(&x, &mut out, &mut noise, 1.0, mode).unwrap();
        assert_eq!(out.to_vec::<f64>().unwrap(), vec![0.0; 4]);
    }

    #[test]
    fn spatial_mask_broadcasts_over_maps() {
        let x = Tensor::from_slice(&[1.0; 24], &[2, 3, 4]).unwrap();
        let (mut out, mut noise) = (Tensor::empty(DType::Double), Tensor::empty(DType::Double));
        let mut gen = Generator::new(7);
        let mode = Mode::Draw { gen: &mut gen, noise_sizes: &[2, 1, 1], scale: false };
        dropout_update_output(&x, &mut out, &mut noise, 0.5, mode).unwrap();
        let y = out.to_vec::<f64>().unwrap();
        let m = noise.to_vec::<f64>().unwrap();
        for (i, v) in y.iter().enumerate() {
            assert_eq!(*v, m[i / 12]);
        }
    }
}
