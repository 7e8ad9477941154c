//! Bindings of the criterion kernels (ferrotorch::nn::criterion).

use pyo3::prelude::*;

pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
