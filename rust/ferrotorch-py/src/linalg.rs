//! Bindings for BLAS-like products (group E), LAPACK (group H), convolutions (group G), the @ operator.

use pyo3::prelude::*;

/// Adds this area's functions to the module.
pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
