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

/// Whether the tests run under valgrind (.ci/run's pass over the unsafe code, 50-100x slower):
/// the kernel tests then sweep less.
#[cfg(test)]
pub(crate) fn under_valgrind() -> bool {
    std::env::var_os("FERROTORCH_UNDER_VALGRIND").is_some()
}

/// Thread counts the kernel tests run on: 1, 2 and 3 (odd splits), or only 2 under valgrind.
#[cfg(test)]
pub(crate) fn test_thread_counts() -> Vec<usize> {
    if under_valgrind() {
        vec![2]
    } else {
        vec![1, 2, 3]
    }
}

/// The kernel tests' pseudo-random stream: a 64-bit LCG's successive states (take high bits).
#[cfg(test)]
pub(crate) fn test_stream(seed: u64) -> impl Iterator<Item = u64> {
    let mut s = seed;
    std::iter::repeat_with(move || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        s
    })
}
