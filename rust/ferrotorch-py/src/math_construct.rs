//! Bindings for construction (group A), index/shape helpers (group B), random functions (group J), Tensor.lua indexing methods.

use pyo3::prelude::*;

/// Adds this area's functions to the module.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
