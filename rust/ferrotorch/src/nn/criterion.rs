//! Criterion kernels (loss forward and gradient).
