//! The Torch7 math library on tensors: each file adds `impl Tensor` blocks or free functions
//! over the kernels in `cpu/`.

pub mod construct;
pub mod linalg;
pub mod pointwise;
pub mod reduce;
