//! Shared argument handling of the nn kernel bindings (`ferrotorch._C._nn`): kernels write
//! into the module's own output / gradInput tensors, which keep their Python identity.

use crate::errors::IntoPyResult;
use crate::tensor::{maybe_detach, PyTensor};
use ferrotorch::Tensor;
use pyo3::prelude::*;

/// The current tensor behind a Python tensor argument.
pub fn tensor(t: &Bound<'_, PyTensor>) -> Tensor {
    t.get().get()
}

/// The current tensor behind an optional Python tensor argument (None stays None).
pub fn optional(t: Option<&Bound<'_, PyTensor>>) -> Option<Tensor> {
    t.map(tensor)
}

/// Runs `kernel(&mut out)` on the tensor behind `out` (which the kernel may resize), with the
/// GIL released when `numel` elements make it worth it, then stores the result back so the
/// Python object sees the new sizes.
pub fn into_output(
    py: Python<'_>,
    out: &Bound<'_, PyTensor>,
    numel: usize,
    kernel: impl FnOnce(&mut Tensor) -> ferrotorch::Result<()> + Send,
) -> PyResult<()> {
    let mut t = tensor(out);
    let result = maybe_detach(py, numel, || kernel(&mut t));
    out.get().put(t);
    result.py()
}

/// Runs a kernel that only writes into existing tensors, GIL released above the threshold.
pub fn run(
    py: Python<'_>,
    numel: usize,
    kernel: impl FnOnce() -> ferrotorch::Result<()> + Send,
) -> PyResult<()> {
    maybe_detach(py, numel, kernel).py()
}
