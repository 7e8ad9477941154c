//! Miscellaneous-layer kernels (Torch7's THNN and nn's Lua formulas for batch and layer
//! normalization, dropout and the L1 penalty): one plain function per direction.
//!
//! The normalizations read their operands as row-major `f64` (any layout, Float or Double) and
//! accumulate in `f64`, as THNN's `accreal` did; results are written back with one copy into the
//! caller's tensor. That keeps the kernels free of `unsafe` and of layout cases: the extra copy
//! is small beside the two passes over the data that the statistics need.

// The plain row-major f64 kernel: the cross-check of nn::spatial_batch_norm (the one kernel
// of all three batch normalizations) in that module's tests.
#[cfg(test)]
pub mod batch_normalization;
pub mod dropout;
pub mod layer_normalization;
pub mod penalty;

use crate::layout::size_string;
use crate::ops::pointwise::require_float;
use crate::{Error, Result, Tensor};

/// The elements of a float tensor, row-major, as `f64` (ValueError naming `what` for other types).
fn read(t: &Tensor, what: &str) -> Result<Vec<f64>> {
    require_float(t.dtype(), what)?;
    t.to_vec::<f64>()
}

/// Writes row-major `values` into `dst` (its sizes must hold exactly that many elements).
fn write(dst: &Tensor, values: &[f64]) -> Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    dst.copy_(&Tensor::from_slice(values, dst.sizes())?)
}

/// Resizes `dst` to `sizes` and writes `values` into it.
fn write_resized(dst: &mut Tensor, sizes: &[usize], values: &[f64]) -> Result<()> {
    dst.resize_(sizes)?;
    write(dst, values)
}

/// ValueError unless `t` has exactly `n` elements (`name` says which argument of `what`).
fn check_numel(t: &Tensor, n: usize, what: &str, name: &str) -> Result<()> {
    if t.numel() != n {
        return Err(Error::Value(format!(
            "{what}: {name} has size {}, expected {n} elements",
            size_string(t.sizes())
        )));
    }
    Ok(())
}

/// ValueError unless gradOutput has input's sizes.
fn check_same_sizes(input: &Tensor, grad_output: &Tensor, what: &str) -> Result<()> {
    if input.sizes() != grad_output.sizes() {
        return Err(Error::Value(format!(
            "{what}: gradOutput of size {} does not match the input of size {}",
            size_string(grad_output.sizes()),
            size_string(input.sizes())
        )));
    }
    Ok(())
}
