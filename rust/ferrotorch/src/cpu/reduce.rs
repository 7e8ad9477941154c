//! CPU kernels: reductions and scans along dims.
