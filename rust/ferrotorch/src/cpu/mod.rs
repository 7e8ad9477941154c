//! CPU kernels (Torch7's TH). Each kernel takes `Plan`s over checked layouts and raw pointers
//! into blocks that the caller keeps alive.

pub mod blas;
#[cfg(feature = "system-blas")]
pub mod blas_system;
pub mod conv;
pub mod copy;
pub mod elementwise;
pub mod fill;
pub mod index;
pub mod linalg;
pub(crate) mod lookahead;
pub mod lu;
pub mod lu_inverse;
pub mod qr;
pub mod random;
pub mod reduce;
pub mod sort;
pub(crate) mod team;
pub mod tridiagonal;
pub mod tridiagonal_reduction;

/// Element counts below which a kernel stays on the calling thread: waking the pool costs a few
/// microseconds, as much as copying this many elements.
pub const PARALLEL_GRAIN: usize = 1 << 16;
