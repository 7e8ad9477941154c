//! Bindings of the transfer kernels (ferrotorch::nn::transfer).

use pyo3::prelude::*;

pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
