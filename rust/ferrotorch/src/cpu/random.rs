//! CPU kernels: random fills of tensors.
