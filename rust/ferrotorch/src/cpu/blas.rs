//! CPU kernels: BLAS-like kernels (gemm, gemv, ger, dot, axpy, scal) behind one trait.
//!
//! Every operand is strided: a matrix is a pointer plus a row stride and a column stride in
//! elements (any sign, 0 allowed for reads), so transposed, narrowed and stepped views reach the
//! kernels without a copy. [`BlasScalar`] is implemented for every math element type:
//!
//! - `f32` / `f64` go to the pure-Rust `gemm` crate (AVX-512/AVX2/NEON kernels chosen at run
//!   time, strides passed straight through). Products of at most [`SERIAL_FLOPS`] multiply-adds
//!   stay on the calling thread; larger ones split over the kernel pool
//!   (`Parallelism::Rayon(n)` inside [`parallel::install`]).
//! - integer types use a portable loop with wrapping arithmetic (Torch7 had integer mm).
//!
//! Dropping in a system BLAS: add an optional dependency (e.g. `cblas-sys` plus a provider such
//! as `openblas-src`) and a cargo feature `system-blas` to `rust/ferrotorch/Cargo.toml`, then give
//! `impl BlasScalar for f32/f64` a `#[cfg(feature = "system-blas")]` twin whose `gemm` calls
//! `cblas_sgemm`/`cblas_dgemm` when one of each operand's strides is 1 (CblasRowMajor or
//! CblasColMajor by which stride is 1, lda = the other stride) and falls back to the pure-Rust
//! path otherwise (BLAS needs a unit stride, Torch7 copied in that case). Nothing above this
//! module changes: `ops/linalg.rs` only calls the trait.

use crate::parallel;
use gemm::Parallelism;

/// Multiply-adds (m·n·k) up to which a product stays on the calling thread (64×64×64): waking
/// the pool costs more than it saves below that.
pub const SERIAL_FLOPS: usize = 64 * 64 * 64;

/// A read-only strided matrix operand.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<T> {
    pub ptr: *const T,
    pub rows: usize,
    pub cols: usize,
    pub rs: isize,
    pub cs: isize,
}

/// A written strided matrix operand.
#[derive(Clone, Copy, Debug)]
pub struct MatMut<T> {
    pub ptr: *mut T,
    pub rows: usize,
    pub cols: usize,
    pub rs: isize,
    pub cs: isize,
}

// SAFETY: the operands are plain pointers that the callers keep alive and, for writes, disjoint
// per thread; the kernels only move them across the pool's threads for the duration of a call.
unsafe impl<T: Send> Send for MatRef<T> {}
unsafe impl<T: Sync> Sync for MatRef<T> {}
unsafe impl<T: Send> Send for MatMut<T> {}
unsafe impl<T: Sync> Sync for MatMut<T> {}

/// Arithmetic the BLAS-like kernels need; floats are plain IEEE, integers wrap like C.
pub trait BlasScalar: crate::Element {
    fn zero() -> Self;
    fn one() -> Self;
    fn add(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;

    /// `dst = beta·dst + alpha·lhs·rhs` (dst m×n, lhs m×k, rhs k×n). With `beta == 0` dst is
    /// not read (NaN in it does not propagate), as in BLAS.
    ///
    /// # Safety
    /// Every element each operand's pointer, sizes and strides describe must be valid (dst for
    /// writes); dst must not overlap lhs or rhs, nor itself (no stride 0 on a size > 1).
    unsafe fn gemm(dst: MatMut<Self>, beta: Self, alpha: Self, lhs: MatRef<Self>, rhs: MatRef<Self>, _threads: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { gemm_portable(dst, beta, alpha, lhs, rhs) }
    }

    /// Σ x_i·y_i over `n` elements with increments `incx`, `incy`.
    ///
    /// # Safety
    /// The `n` elements of each operand must be valid reads.
    unsafe fn dot(n: usize, x: *const Self, incx: isize, y: *const Self, incy: isize) -> Self {
        let mut acc = Self::zero();
        for i in 0..n as isize {
            // SAFETY: forwarded from the caller.
            acc = acc.add(unsafe { (*x.offset(i * incx)).mul(*y.offset(i * incy)) });
        }
        acc
    }
}

/// The portable triple loop (integers, and a reference for the tests).
///
/// # Safety
/// As [`BlasScalar::gemm`].
pub unsafe fn gemm_portable<T: BlasScalar>(dst: MatMut<T>, beta: T, alpha: T, lhs: MatRef<T>, rhs: MatRef<T>) {
    let k = lhs.cols;
    let mut row = vec![T::zero(); dst.cols];
    for i in 0..dst.rows as isize {
        row.iter_mut().for_each(|r| *r = T::zero());
        for p in 0..k as isize {
            // SAFETY: in range by the caller's contract.
            let a = unsafe { *lhs.ptr.offset(i * lhs.rs + p * lhs.cs) };
            let b = unsafe { rhs.ptr.offset(p * rhs.rs) };
            for (j, r) in row.iter_mut().enumerate() {
                *r = r.add(a.mul(unsafe { *b.offset(j as isize * rhs.cs) }));
            }
        }
        for (j, r) in row.iter().enumerate() {
            // SAFETY: as above; dst is written only.
            let d = unsafe { dst.ptr.offset(i * dst.rs + j as isize * dst.cs) };
            let prev = if beta == T::zero() { T::zero() } else { beta.mul(unsafe { *d }) };
            unsafe { d.write(prev.add(alpha.mul(*r))) };
        }
    }
}

macro_rules! int_scalar {
    ($($t:ty),*) => {$(
        impl BlasScalar for $t {
            #[inline(always)]
            fn zero() -> Self { 0 }
            #[inline(always)]
            fn one() -> Self { 1 }
            #[inline(always)]
            fn add(self, o: Self) -> Self { self.wrapping_add(o) }
            #[inline(always)]
            fn mul(self, o: Self) -> Self { self.wrapping_mul(o) }
        }
    )*};
}
int_scalar!(u8, i8, i16, i32, i64);

/// The gemm crate's parallelism for an m×n×k product.
fn parallelism(m: usize, n: usize, k: usize, threads: usize) -> Parallelism {
    let flops = m.saturating_mul(n).saturating_mul(k);
    if threads <= 1 || flops <= SERIAL_FLOPS {
        Parallelism::None
    } else {
        Parallelism::Rayon(threads)
    }
}

macro_rules! float_scalar {
    ($($t:ty),*) => {$(
        impl BlasScalar for $t {
            #[inline(always)]
            fn zero() -> Self { 0.0 }
            #[inline(always)]
            fn one() -> Self { 1.0 }
            #[inline(always)]
            fn add(self, o: Self) -> Self { self + o }
            #[inline(always)]
            fn mul(self, o: Self) -> Self { self * o }

            unsafe fn gemm(dst: MatMut<Self>, beta: Self, alpha: Self, lhs: MatRef<Self>, rhs: MatRef<Self>, threads: usize) {
                let (m, n, k) = (dst.rows, dst.cols, lhs.cols);
                if m == 0 || n == 0 {
                    return;
                }
                let par = parallelism(m, n, k, threads);
                let run = move || {
                    let (dst, lhs, rhs) = (dst, lhs, rhs); // capture whole (Send) operands
                    // SAFETY: the caller guarantees the operands; the gemm crate reads/writes
                    // exactly the described elements. gemm computes dst = a·dst + b·lhs·rhs.
                    unsafe {
                        gemm::gemm(
                            m, n, k,
                            dst.ptr, dst.cs, dst.rs, beta != 0.0,
                            lhs.ptr, lhs.cs, lhs.rs,
                            rhs.ptr, rhs.cs, rhs.rs,
                            beta, alpha, false, false, false, par,
                        )
                    }
                };
                if matches!(par, Parallelism::None) {
                    run()
                } else {
                    parallel::install(run)
                }
            }

            unsafe fn dot(n: usize, x: *const Self, incx: isize, y: *const Self, incy: isize) -> Self {
                if incx == 1 && incy == 1 {
                    // SAFETY: contiguous runs of n valid elements.
                    let (xs, ys) = unsafe { (std::slice::from_raw_parts(x, n), std::slice::from_raw_parts(y, n)) };
                    let mut acc = [0.0 as $t; 16];
                    let (xc, yc) = (xs.chunks_exact(16), ys.chunks_exact(16));
                    let (xr, yr) = (xc.remainder(), yc.remainder());
                    for (a, b) in xc.zip(yc) {
                        for l in 0..16 {
                            acc[l] = a[l].mul_add(b[l], acc[l]);
                        }
                    }
                    let mut s: $t = acc.iter().sum();
                    for (a, b) in xr.iter().zip(yr) {
                        s = a.mul_add(*b, s);
                    }
                    return s;
                }
                let mut acc = [0.0 as $t; 4];
                let mut i = 0isize;
                let n = n as isize;
                while i + 4 <= n {
                    for l in 0..4isize {
                        // SAFETY: i + l < n.
                        acc[l as usize] += unsafe { *x.offset((i + l) * incx) * *y.offset((i + l) * incy) };
                    }
                    i += 4;
                }
                let mut s: $t = acc.iter().sum();
                while i < n {
                    // SAFETY: i < n.
                    s += unsafe { *x.offset(i * incx) * *y.offset(i * incy) };
                    i += 1;
                }
                s
            }
        }
    )*};
}
float_scalar!(f32, f64);

/// `y = beta·y + alpha·A·x` (A m×n): a gemm with one column.
///
/// # Safety
/// As [`BlasScalar::gemm`], with x of `a.cols` elements and y of `a.rows` elements.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemv<T: BlasScalar>(
    y: *mut T,
    incy: isize,
    beta: T,
    alpha: T,
    a: MatRef<T>,
    x: *const T,
    incx: isize,
    threads: usize,
) {
    let dst = MatMut { ptr: y, rows: a.rows, cols: 1, rs: incy, cs: 1 };
    let rhs = MatRef { ptr: x, rows: a.cols, cols: 1, rs: incx, cs: 1 };
    // SAFETY: forwarded.
    unsafe { T::gemm(dst, beta, alpha, a, rhs, threads) }
}

/// `A = beta·A + alpha·x·yᵀ`: a gemm with depth one.
///
/// # Safety
/// As [`BlasScalar::gemm`], with x of `a.rows` elements and y of `a.cols` elements.
#[allow(clippy::too_many_arguments)]
pub unsafe fn ger<T: BlasScalar>(
    a: MatMut<T>,
    beta: T,
    alpha: T,
    x: *const T,
    incx: isize,
    y: *const T,
    incy: isize,
    threads: usize,
) {
    let lhs = MatRef { ptr: x, rows: a.rows, cols: 1, rs: incx, cs: 1 };
    let rhs = MatRef { ptr: y, rows: 1, cols: a.cols, rs: 1, cs: incy };
    // SAFETY: forwarded.
    unsafe { T::gemm(a, beta, alpha, lhs, rhs, threads) }
}

/// `y += alpha·x` over `n` elements.
///
/// # Safety
/// `n` valid elements each; y must not overlap x.
pub unsafe fn axpy<T: BlasScalar>(n: usize, alpha: T, x: *const T, incx: isize, y: *mut T, incy: isize) {
    for i in 0..n as isize {
        // SAFETY: forwarded.
        unsafe {
            let d = y.offset(i * incy);
            d.write((*d).add(alpha.mul(*x.offset(i * incx))));
        }
    }
}

/// `x = alpha·x` over `n` elements (alpha 0 writes zeros, dropping NaN as BLAS does).
///
/// # Safety
/// `n` valid elements.
pub unsafe fn scal<T: BlasScalar>(n: usize, alpha: T, x: *mut T, incx: isize) {
    for i in 0..n as isize {
        // SAFETY: forwarded.
        unsafe {
            let d = x.offset(i * incx);
            d.write(if alpha == T::zero() { T::zero() } else { alpha.mul(*d) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strided_gemm_matches_portable() {
        let (m, n, k) = (37, 29, 41);
        let a: Vec<f64> = (0..m * k).map(|i| (i % 7) as f64 - 3.0).collect();
        let b: Vec<f64> = (0..k * n).map(|i| (i % 5) as f64 * 0.5).collect();
        let mut c1 = vec![1.0; m * n];
        let mut c2 = c1.clone();
        // a read transposed (stored k×m), b row-major.
        let lhs = MatRef { ptr: a.as_ptr(), rows: m, cols: k, rs: 1, cs: m as isize };
        let rhs = MatRef { ptr: b.as_ptr(), rows: k, cols: n, rs: n as isize, cs: 1 };
        let d1 = MatMut { ptr: c1.as_mut_ptr(), rows: m, cols: n, rs: n as isize, cs: 1 };
        let d2 = MatMut { ptr: c2.as_mut_ptr(), rows: m, cols: n, rs: n as isize, cs: 1 };
        unsafe {
            f64::gemm(d1, 2.0, 0.5, lhs, rhs, 2);
            gemm_portable(d2, 2.0, 0.5, lhs, rhs);
        }
        assert_eq!(c1, c2);
        let x = [1i32, 2, 3];
        assert_eq!(unsafe { i32::dot(3, x.as_ptr(), 1, x.as_ptr(), 1) }, 14);
    }
}
