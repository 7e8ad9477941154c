//! Bindings for element-wise math: unary (group C), binary and scalar (group D), comparisons and logical (group I), Python operators.

use pyo3::prelude::*;

/// Adds this area's functions to the module.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
