//! Table-layer kernels.
