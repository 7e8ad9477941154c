//! Bindings for reductions and dimension-wise functions (group F): sum ... sort, topk, histc.

use pyo3::prelude::*;

/// Adds this area's functions to the module.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
