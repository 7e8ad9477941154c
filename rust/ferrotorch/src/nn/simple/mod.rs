//! Simple-layer kernels (Torch7's simple.md): the parameterised layers (Euclidean, Cosine,
//! Bilinear, CMul / CAdd, LinearWeightNorm, SparseLinear, IndexLinear, Kmeans) and the math
//! layers that need a fused formula (element-wise gradients, Normalize).
//!
//! Each kernel reads its operands once into row-major f64 work vectors, computes the formula in
//! one pass and writes the result into the module's tensor (resized), so Float and Double share
//! one body and gradients accumulate in double precision. Products with a GEMM shape reuse the
//! engine's linalg kernels instead (LinearWeightNorm, Cosine).

pub mod bilinear;
pub mod broadcast;
pub mod cosine;
pub mod distance;
pub mod kmeans;
pub mod normalize;
pub mod pointwise;
pub mod sparse;
mod util;
pub mod weight_norm;
