//! Bindings of the table kernels (ferrotorch::nn::table).

use pyo3::prelude::*;

pub fn register(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
