//! Bindings of the misc kernels (ferrotorch::nn::misc).

use pyo3::prelude::*;

pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
