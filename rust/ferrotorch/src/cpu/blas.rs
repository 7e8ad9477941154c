//! CPU kernels: BLAS-like kernels (gemm, gemv, ger, dot, axpy, scal) behind one trait.
//!
//! Every operand is strided: a matrix is a pointer plus a row stride and a column stride in
//! elements (any sign, 0 allowed for reads), so transposed, narrowed and stepped views reach the
//! kernels without a copy. [`BlasScalar`] is implemented for every math element type:
//!
//! - `f32` / `f64` go to the pure-Rust `gemm` crate (AVX-512/AVX2/NEON kernels chosen at run
//!   time, strides passed straight through). Products of at most [`SERIAL_FLOPS`] multiply-adds
//!   stay on the calling thread; larger ones split the result into one panel per pool thread,
//!   each a single-threaded gemm call (measured faster here than the crate's own
//!   `Parallelism::Rayon(n)` at 2048², equal at 1024²). `FERROTORCH_GEMM_SPLIT=0` selects the
//!   crate's parallelism instead, `=2` prefers row panels (a tuning knob, read once).
//! - integer types use a portable loop with wrapping arithmetic (Torch7 had integer mm).
//!
//! System BLAS: the cargo feature `system-blas` (off by default; `build.rs` links OpenBLAS or
//! `$FERROTORCH_BLAS_LIB`) makes the f32/f64 `gemm` and `dot`, and `axpy`/`scal`, first try
//! `cpu/blas_system.rs`, which calls `cblas_?gemm`/`?gemv`/`?dot`/`?axpy`/`?scal` when each
//! matrix has a +1 stride (CblasRowMajor or CblasColMajor by dst's unit side, a transpose flag
//! per operand, lda = the other stride) and declines otherwise, so the pure-Rust path below runs
//! (Torch7 copied in that case). Nothing above this module changes: `ops/linalg.rs` only calls
//! the trait.

use crate::parallel;
use gemm::Parallelism;

/// Multiply-adds (m·n·k) up to which a product stays on the calling thread (64×64×64): waking
/// the pool costs more than it saves below that.
pub const SERIAL_FLOPS: usize = 64 * 64 * 64;

/// Large products: 1 (default) one single-threaded GEMM per thread on column panels of the
/// result (row panels when it is taller than wide), 2 the same preferring row panels, 0 the gemm
/// crate's own rayon parallelism. Chosen by measurement (docs/ARCHITECTURE.md).
fn split_mode() -> u8 {
    static S: std::sync::OnceLock<u8> = std::sync::OnceLock::new();
    *S.get_or_init(|| std::env::var("FERROTORCH_GEMM_SPLIT").ok().and_then(|v| v.parse().ok()).unwrap_or(1))
}

fn split_panels() -> bool {
    split_mode() != 0
}

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

impl<T> MatMut<T> {
    /// The address of element (i, j) (computed, not dereferenced).
    #[inline(always)]
    fn at(self, i: usize, j: usize) -> *mut T {
        self.ptr.wrapping_offset(i as isize * self.rs + j as isize * self.cs)
    }
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
    unsafe fn gemm(
        dst: MatMut<Self>,
        beta: Self,
        alpha: Self,
        lhs: MatRef<Self>,
        rhs: MatRef<Self>,
        _threads: usize,
    ) {
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
pub unsafe fn gemm_portable<T: BlasScalar>(
    dst: MatMut<T>,
    beta: T,
    alpha: T,
    lhs: MatRef<T>,
    rhs: MatRef<T>,
) {
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

/// Sides from which a product of a matrix with its own transpose computes only the upper
/// triangle (numpy calls syrk for `a.T @ a` and `a @ a.T` the same way).
pub const GRAM_MIN: usize = 256;

/// Whether `rhs` is exactly `lhs` transposed (the same elements), so that `lhs·rhs` is a
/// symmetric Gram matrix (`Aᵀ·A` or `A·Aᵀ`).
fn is_transpose_of<T>(rhs: MatRef<T>, lhs: MatRef<T>) -> bool {
    std::ptr::eq(lhs.ptr, rhs.ptr)
        && lhs.rows == rhs.cols
        && lhs.cols == rhs.rows
        && lhs.rs == rhs.cs
        && lhs.cs == rhs.rs
}

/// `dst = lhs·rhs` for `rhs = lhsᵀ`: single-threaded products on the tiles on and above the
/// diagonal (4 tiles a side per 2 threads: 10 of 16 tiles' work), spread over the pool, then
/// the strict lower triangle copied from the upper one, so the result is exactly symmetric.
///
/// # Safety
/// As [`BlasScalar::gemm`]; dst is n×n with n = lhs.rows.
unsafe fn gram_product<T: BlasScalar>(
    dst: MatMut<T>,
    lhs: MatRef<T>,
    rhs: MatRef<T>,
    threads: usize,
    tile_product: impl Fn(MatMut<T>, MatRef<T>, MatRef<T>) + Sync,
) {
    use rayon::prelude::*;
    let n = dst.rows;
    let per_side = (2 * threads.max(1)).min(n.div_ceil(64));
    let size = n.div_ceil(per_side).div_ceil(32) * 32;
    let tiles: Vec<(usize, usize)> =
        (0..n).step_by(size).flat_map(|i| (i..n).step_by(size).map(move |j| (i, j))).collect();
    let one = |&(i, j): &(usize, usize)| {
        let (dst, lhs, rhs) = (dst, lhs, rhs); // capture whole (Send) operands
        let (h, w) = (size.min(n - i), size.min(n - j));
        let (si, sj) = (i as isize, j as isize);
        let d = MatMut { ptr: dst.ptr.wrapping_offset(si * dst.rs + sj * dst.cs), rows: h, cols: w, ..dst };
        let l = MatRef { ptr: lhs.ptr.wrapping_offset(si * lhs.rs), rows: h, ..lhs };
        let r = MatRef { ptr: rhs.ptr.wrapping_offset(sj * rhs.cs), cols: w, ..rhs };
        tile_product(d, l, r);
    };
    // Mirror in 32-row bands, 32 columns at a time, so reads walk short runs of the upper part.
    let mirror = |band: usize| {
        let rows = band * 32..((band + 1) * 32).min(n);
        for b0 in (0..rows.end).step_by(32) {
            for a in rows.clone() {
                for b in b0..(b0 + 32).min(a) {
                    // SAFETY: (a, b) and (b, a) are inside the n×n dst; each band writes only
                    // its own rows' strict lower part and reads only the strict upper part.
                    unsafe { *dst.at(a, b) = *dst.at(b, a) };
                }
            }
        }
    };
    parallel::install(|| {
        tiles.par_iter().for_each(one);
        (0..n.div_ceil(32)).into_par_iter().for_each(mirror);
    });
}

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
                #[cfg(feature = "system-blas")]
                // SAFETY: forwarded from the caller (false: BLAS cannot take these operands).
                if unsafe { super::blas_system::gemm(dst, beta, alpha, lhs, rhs) } {
                    return;
                }
                let (m, n, k) = (dst.rows, dst.cols, lhs.cols);
                if m == 0 || n == 0 {
                    return;
                }
                // Matrix-vector products: memory-bound, a dot or axpy per row/column block.
                if n == 1 && k > 0 && (lhs.cs == 1 || lhs.rs == 1) {
                    // SAFETY: forwarded from the caller.
                    return unsafe { gemv_kernel(dst.ptr, dst.rs, beta, alpha, lhs, rhs.ptr, rhs.rs, threads) };
                }
                if m == 1 && k > 0 && (rhs.rs == 1 || rhs.cs == 1) {
                    // (1×k)(k×n) = ((n×k)(k×1))ᵀ
                    let t = MatRef { ptr: rhs.ptr, rows: n, cols: k, rs: rhs.cs, cs: rhs.rs };
                    // SAFETY: the same elements, transposed.
                    return unsafe { gemv_kernel(dst.ptr, dst.cs, beta, alpha, t, lhs.ptr, lhs.cs, threads) };
                }
                let par = parallelism(m, n, k, threads);
                let gram = beta == 0.0 && m >= GRAM_MIN && is_transpose_of(rhs, lhs);
                let run = move |dst: MatMut<Self>, lhs: MatRef<Self>, rhs: MatRef<Self>, par: Parallelism| {
                    // SAFETY: the caller guarantees the operands; the gemm crate reads/writes
                    // exactly the described elements. gemm computes dst = a·dst + b·lhs·rhs.
                    unsafe {
                        gemm::gemm(
                            dst.rows, dst.cols, lhs.cols,
                            dst.ptr, dst.cs, dst.rs, beta != 0.0,
                            lhs.ptr, lhs.cs, lhs.rs,
                            rhs.ptr, rhs.cs, rhs.rs,
                            beta, alpha, false, false, false, par,
                        )
                    }
                };
                match par {
                    _ if gram => {
                        // SAFETY: forwarded from the caller; rhs is lhs transposed.
                        unsafe { gram_product(dst, lhs, rhs, threads, |d, l, r| run(d, l, r, Parallelism::None)) }
                    }
                    Parallelism::None => run(dst, lhs, rhs, par),
                    _ if split_panels() => {
                        // One single-threaded GEMM per thread on a panel of dst (the longer
                        // side split in multiples of 32): no fork/join inside the kernel.
                        let parts = threads.min(if n >= m { n } else { m }.div_ceil(32)).max(1);
                        let split_cols = if split_mode() == 2 { n > m } else { n >= m };
                        let len = if split_cols { n } else { m };
                        let step = len.div_ceil(parts).div_ceil(32) * 32;
                        let panels: Vec<(usize, usize)> = (0..len).step_by(step.max(1)).map(|s| (s, step.min(len - s))).collect();
                        let one = move |&(s, l): &(usize, usize)| {
                            let (dst, lhs, rhs) = (dst, lhs, rhs); // capture whole (Send) operands
                            let si = s as isize;
                            if split_cols {
                                let d = MatMut { ptr: dst.ptr.wrapping_offset(si * dst.cs), cols: l, ..dst };
                                let r = MatRef { ptr: rhs.ptr.wrapping_offset(si * rhs.cs), cols: l, ..rhs };
                                run(d, lhs, r, Parallelism::None)
                            } else {
                                let d = MatMut { ptr: dst.ptr.wrapping_offset(si * dst.rs), rows: l, ..dst };
                                let a = MatRef { ptr: lhs.ptr.wrapping_offset(si * lhs.rs), rows: l, ..lhs };
                                run(d, a, rhs, Parallelism::None)
                            }
                        };
                        use rayon::prelude::*;
                        parallel::install(|| panels.par_iter().for_each(one))
                    }
                    _ => parallel::install(|| run(dst, lhs, rhs, par)),
                }
            }

            unsafe fn dot(n: usize, x: *const Self, incx: isize, y: *const Self, incy: isize) -> Self {
                #[cfg(feature = "system-blas")]
                // SAFETY: forwarded from the caller.
                if let Some(s) = unsafe { super::blas_system::dot(n, x, incx, y, incy) } {
                    return s;
                }
                if incx == 1 && incy == 1 {
                    // SAFETY: contiguous runs of n valid elements.
                    let (xs, ys) = unsafe { (std::slice::from_raw_parts(x, n), std::slice::from_raw_parts(y, n)) };
                    let th = parallel::num_threads();
                    if th > 1 && n >= (1 << 18) {
                        // Large dots: one contiguous chunk per thread, partial sums added in order.
                        use rayon::prelude::*;
                        let chunk = n.div_ceil(th);
                        let parts: Vec<$t> = parallel::install(|| {
                            xs.par_chunks(chunk).zip(ys.par_chunks(chunk)).map(|(a, b)| Simd::<$t>::dot(a, b)).collect()
                        });
                        return parts.iter().sum();
                    }
                    return Simd::<$t>::dot(xs, ys);
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

/// Contiguous dot and axpy for f32/f64, compiled for AVX-512 and AVX2+FMA and chosen at run
/// time (the crate itself targets baseline x86-64).
pub trait SimdFloat:
    Copy + Send + Sync + std::ops::Add<Output = Self> + std::ops::Mul<Output = Self> + Default + PartialEq
{
    fn fma(a: Self, b: Self, c: Self) -> Self;

    /// Σ x_i·y_i with AVX-512 (equal lengths).
    ///
    /// # Safety
    /// The CPU has AVX-512F.
    #[cfg(target_arch = "x86_64")]
    unsafe fn dot_avx512(x: &[Self], y: &[Self]) -> Self;
}

/// The AVX-512 dot: four vector accumulators (enough independent FMA chains to cover their
/// latency; the array-of-scalars version vectorised only to 128-bit registers) and a masked
/// tail.
macro_rules! dot_avx512 {
    ($name:ident, $t:ty, $lanes:expr, $mask:ty, $setzero:ident, $loadu:ident, $loadz:ident, $fmadd:ident,
     $add:ident, $reduce:ident) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f")]
        unsafe fn $name(x: &[$t], y: &[$t]) -> $t {
            use std::arch::x86_64::*;
            let n = x.len().min(y.len());
            let (xp, yp) = (x.as_ptr(), y.as_ptr());
            let mut acc = [$setzero(); 4];
            let mut i = 0;
            // SAFETY (all loads): i + 4·lanes ≤ n, then i + lanes ≤ n, then the masked rest.
            while i + 4 * $lanes <= n {
                for (v, a) in acc.iter_mut().enumerate() {
                    let o = i + v * $lanes;
                    *a = unsafe { $fmadd($loadu(xp.add(o)), $loadu(yp.add(o)), *a) };
                }
                i += 4 * $lanes;
            }
            while i + $lanes <= n {
                acc[0] = unsafe { $fmadd($loadu(xp.add(i)), $loadu(yp.add(i)), acc[0]) };
                i += $lanes;
            }
            if i < n {
                let m = ((1u32 << (n - i)) - 1) as $mask;
                acc[1] = unsafe { $fmadd($loadz(m, xp.add(i)), $loadz(m, yp.add(i)), acc[1]) };
            }
            $reduce($add($add(acc[0], acc[1]), $add(acc[2], acc[3])))
        }
    };
}
dot_avx512!(
    dot_avx512_f32,
    f32,
    16,
    u16,
    _mm512_setzero_ps,
    _mm512_loadu_ps,
    _mm512_maskz_loadu_ps,
    _mm512_fmadd_ps,
    _mm512_add_ps,
    _mm512_reduce_add_ps
);
dot_avx512!(
    dot_avx512_f64,
    f64,
    8,
    u8,
    _mm512_setzero_pd,
    _mm512_loadu_pd,
    _mm512_maskz_loadu_pd,
    _mm512_fmadd_pd,
    _mm512_add_pd,
    _mm512_reduce_add_pd
);

impl SimdFloat for f32 {
    #[inline(always)]
    fn fma(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
    #[cfg(target_arch = "x86_64")]
    unsafe fn dot_avx512(x: &[f32], y: &[f32]) -> f32 {
        // SAFETY: forwarded (AVX-512F present).
        unsafe { dot_avx512_f32(x, y) }
    }
}
impl SimdFloat for f64 {
    #[inline(always)]
    fn fma(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
    #[cfg(target_arch = "x86_64")]
    unsafe fn dot_avx512(x: &[f64], y: &[f64]) -> f64 {
        // SAFETY: forwarded (AVX-512F present).
        unsafe { dot_avx512_f64(x, y) }
    }
}

/// Namespace for the dispatched kernels.
pub struct Simd<T>(std::marker::PhantomData<T>);

#[inline(always)]
fn dot_body<T: SimdFloat, const FMA: bool>(x: &[T], y: &[T]) -> T {
    const L: usize = 32;
    let mut acc = [T::default(); L];
    let (xc, yc) = (x.chunks_exact(L), y.chunks_exact(L));
    let (xr, yr) = (xc.remainder(), yc.remainder());
    for (a, b) in xc.zip(yc) {
        for l in 0..L {
            acc[l] = if FMA { T::fma(a[l], b[l], acc[l]) } else { acc[l] + a[l] * b[l] };
        }
    }
    let mut s = T::default();
    for (a, b) in xr.iter().zip(yr) {
        s = s + *a * *b;
    }
    let mut w = L;
    while w > 1 {
        w /= 2;
        for l in 0..w {
            acc[l] = acc[l] + acc[l + w];
        }
    }
    acc[0] + s
}

#[inline(always)]
fn axpy_body<T: SimdFloat, const FMA: bool>(y: &mut [T], a: T, x: &[T]) {
    for (d, s) in y.iter_mut().zip(x) {
        *d = if FMA { T::fma(a, *s, *d) } else { *d + a * *s };
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn dot_256<T: SimdFloat>(x: &[T], y: &[T]) -> T {
    dot_body::<T, true>(x, y)
}
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn axpy_512<T: SimdFloat>(y: &mut [T], a: T, x: &[T]) {
    axpy_body::<T, true>(y, a, x)
}
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn axpy_256<T: SimdFloat>(y: &mut [T], a: T, x: &[T]) {
    axpy_body::<T, true>(y, a, x)
}

impl<T: SimdFloat> Simd<T> {
    /// Σ x_i·y_i (equal lengths).
    pub fn dot(x: &[T], y: &[T]) -> T {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has the feature.
                return unsafe { T::dot_avx512(x, y) };
            }
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                // SAFETY: the CPU has the features.
                return unsafe { dot_256(x, y) };
            }
        }
        dot_body::<T, false>(x, y)
    }

    /// y += a·x (equal lengths).
    pub fn axpy(y: &mut [T], a: T, x: &[T]) {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has the feature.
                return unsafe { axpy_512(y, a, x) };
            }
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                // SAFETY: the CPU has the features.
                return unsafe { axpy_256(y, a, x) };
            }
        }
        axpy_body::<T, false>(y, a, x)
    }
}

/// y = beta·y + alpha·A·x for A with a unit row or column stride (checked by the caller):
/// rows contiguous → one dot per row; columns contiguous → axpy of each column into a block
/// of y. Row blocks split over the pool for large A.
///
/// # Safety
/// As [`BlasScalar::gemm`] with y of a.rows and x of a.cols elements.
#[allow(clippy::too_many_arguments)]
unsafe fn gemv_kernel<T: SimdFloat + BlasScalar>(
    y: *mut T,
    incy: isize,
    beta: T,
    alpha: T,
    a: MatRef<T>,
    x: *const T,
    incx: isize,
    threads: usize,
) {
    let (m, k) = (a.rows, a.cols);
    let xs: std::borrow::Cow<'_, [T]> = if incx == 1 {
        // SAFETY: k valid elements.
        std::borrow::Cow::Borrowed(unsafe { std::slice::from_raw_parts(x, k) })
    } else {
        // SAFETY: k valid elements with increment incx.
        std::borrow::Cow::Owned((0..k as isize).map(|j| unsafe { *x.offset(j * incx) }).collect())
    };
    let xs: &[T] = &xs;
    // Row-major A: a dot per row, 256 rows a task. Column-major A: an axpy per column into a
    // block of y; the block is as tall as fits 16 KiB (L1) and splits m over the threads, so each
    // column is read in long runs (256-row blocks read 4096² f32 in 1 KiB pieces 16 KiB apart:
    // 2.0 ms against numpy's 1.2).
    let block = if a.cs == 1 {
        256
    } else {
        let fits_l1 = (16 * 1024 / std::mem::size_of::<T>()).max(256);
        m.div_ceil(threads.max(1)).next_multiple_of(64).clamp(256, fits_l1)
    };
    let nblocks = m.div_ceil(block);
    let y = crate::iter::SendPtr(y);
    let body = move |b: usize| {
        let (y, a) = (y, a); // capture whole (Send) values
        let r0 = b * block;
        let r1 = (r0 + block).min(m);
        let mut acc = vec![T::default(); r1 - r0];
        if a.cs == 1 {
            for (i, v) in acc.iter_mut().enumerate() {
                // SAFETY: row r0 + i has k contiguous elements.
                let row = unsafe { std::slice::from_raw_parts(a.ptr.offset((r0 + i) as isize * a.rs), k) };
                *v = Simd::<T>::dot(row, xs);
            }
        } else {
            for (j, &xj) in xs.iter().enumerate() {
                // SAFETY: column j, rows r0..r1, contiguous (rs == 1).
                let col = unsafe {
                    std::slice::from_raw_parts(a.ptr.offset(j as isize * a.cs + r0 as isize), r1 - r0)
                };
                Simd::<T>::axpy(&mut acc, xj, col);
            }
        }
        for (i, v) in acc.iter().enumerate() {
            // SAFETY: element r0 + i of y; blocks write disjoint elements.
            unsafe {
                let d = y.0.offset((r0 + i) as isize * incy);
                let prev = if beta == T::zero() { T::zero() } else { beta * *d };
                d.write(prev + alpha * *v);
            }
        }
    };
    if threads > 1 && nblocks > 1 && m.saturating_mul(k) >= (1 << 16) {
        use rayon::prelude::*;
        parallel::install(|| (0..nblocks).into_par_iter().for_each(body));
    } else {
        (0..nblocks).for_each(body);
    }
}

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
    #[cfg(feature = "system-blas")]
    // SAFETY: forwarded.
    if unsafe { super::blas_system::axpy(n, alpha, x, incx, y, incy) } {
        return;
    }
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
    #[cfg(feature = "system-blas")]
    // SAFETY: forwarded.
    if unsafe { super::blas_system::scal(n, alpha, x, incx) } {
        return;
    }
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

    #[test]
    fn gram_products_compute_the_upper_triangle_and_mirror_it() {
        // Small integers keep every sum exact, so the tiled path must equal the portable loop.
        for (n, k) in [(256usize, 3usize), (300, 70), (517, 33)] {
            let a: Vec<f64> = (0..n * k).map(|i| (i % 11) as f64 - 5.0).collect();
            for threads in [1, 2, 3] {
                // A (n×k) stored row-major, then column-major: A·Aᵀ is n×n, written into a
                // row-major and a column-major result (the mirror addresses both strides).
                for (rs, cs, drs, dcs) in
                    [(k as isize, 1isize, n as isize, 1isize), (1, n as isize, 1, n as isize)]
                {
                    let lhs = MatRef { ptr: a.as_ptr(), rows: n, cols: k, rs, cs };
                    let rhs = MatRef { ptr: a.as_ptr(), rows: k, cols: n, rs: cs, cs: rs };
                    assert!(is_transpose_of(rhs, lhs));
                    let mut c1 = vec![f64::NAN; n * n]; // beta = 0: never read
                    let mut c2 = vec![0.0; n * n];
                    let d1 = MatMut { ptr: c1.as_mut_ptr(), rows: n, cols: n, rs: drs, cs: dcs };
                    let d2 = MatMut { ptr: c2.as_mut_ptr(), rows: n, cols: n, rs: drs, cs: dcs };
                    unsafe {
                        f64::gemm(d1, 0.0, 2.0, lhs, rhs, threads);
                        gemm_portable(d2, 0.0, 2.0, lhs, rhs);
                    }
                    assert_eq!(c1, c2, "n={n} k={k} threads={threads} strides=({rs},{cs})");
                }
            }
        }
        // Exactly symmetric with distinct entries (a tile product or a mirror that misses an
        // element would leave NaN or a wrong copy).
        let (n, k) = (300usize, 7usize);
        let a: Vec<f64> = (0..n * k).map(|i| ((i * 37) % 101) as f64).collect();
        let lhs = MatRef { ptr: a.as_ptr(), rows: n, cols: k, rs: k as isize, cs: 1 };
        let rhs = MatRef { ptr: a.as_ptr(), rows: k, cols: n, rs: 1, cs: k as isize };
        let mut c = vec![f64::NAN; n * n];
        let d = MatMut { ptr: c.as_mut_ptr(), rows: n, cols: n, rs: 1, cs: n as isize };
        unsafe { f64::gemm(d, 0.0, 1.0, lhs, rhs, 2) };
        for i in 0..n {
            for j in 0..n {
                let want: f64 = (0..k).map(|l| a[i * k + l] * a[j * k + l]).sum();
                assert_eq!(c[i + j * n], want, "({i}, {j})");
            }
        }
        // The same shape and swapped strides over a shifted pointer are other elements.
        let a = vec![1.0f32; 300 * 301];
        let lhs = MatRef { ptr: a.as_ptr(), rows: 300, cols: 300, rs: 300, cs: 1 };
        let shifted = MatRef { ptr: a[1..].as_ptr(), rows: 300, cols: 300, rs: 1, cs: 300 };
        assert!(!is_transpose_of(shifted, lhs));
    }

    /// Every compiled copy of dot and axpy that this CPU can run: the dispatch picks only one,
    /// so each is called directly (an embedder's CPU may pick another).
    type Dot<T> = fn(&[T], &[T]) -> T;

    fn dot_paths<T: SimdFloat>() -> Vec<(&'static str, Dot<T>)> {
        let mut paths: Vec<(&'static str, Dot<T>)> = vec![
            ("dispatched", Simd::<T>::dot),
            ("portable", dot_body::<T, false>),
            ("portable fma", dot_body::<T, true>),
        ];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                // SAFETY: the CPU has the features.
                paths.push(("avx2", |x, y| unsafe { dot_256(x, y) }));
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has the feature.
                paths.push(("avx512", |x, y| unsafe { T::dot_avx512(x, y) }));
            }
        }
        paths
    }

    type Axpy<T> = fn(&mut [T], T, &[T]);

    fn axpy_paths<T: SimdFloat>() -> Vec<(&'static str, Axpy<T>)> {
        let mut paths: Vec<(&'static str, Axpy<T>)> = vec![
            ("dispatched", Simd::<T>::axpy),
            ("portable", axpy_body::<T, false>),
            ("portable fma", axpy_body::<T, true>),
        ];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                // SAFETY: the CPU has the features.
                paths.push(("avx2", |y, a, x| unsafe { axpy_256(y, a, x) }));
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU has the feature.
                paths.push(("avx512", |y, a, x| unsafe { axpy_512(y, a, x) }));
            }
        }
        paths
    }

    fn check_dot_and_axpy<T: SimdFloat + std::fmt::Debug + From<i8>>() {
        // Small integers: every partial sum is exact whatever the order, so all paths agree
        // with the plain loop exactly; lengths cover every chunk and tail of 8..64 lanes.
        for n in (0..140).chain([1000, 4099]) {
            let x: Vec<T> = (0..n).map(|i| T::from((i % 7) as i8 - 3)).collect();
            let y: Vec<T> = (0..n).map(|i| T::from((i % 5) as i8)).collect();
            let want = x.iter().zip(&y).fold(T::default(), |s, (&a, &b)| s + a * b);
            for (name, dot) in dot_paths::<T>() {
                assert_eq!(dot(&x, &y), want, "{name} dot n={n}");
            }
            let a = T::from(3);
            let want: Vec<T> = x.iter().zip(&y).map(|(&s, &d)| d + a * s).collect();
            for (name, axpy) in axpy_paths::<T>() {
                let mut d = y.clone();
                axpy(&mut d, a, &x);
                assert_eq!(d, want, "{name} axpy n={n}");
            }
        }
    }

    #[test]
    fn every_dot_and_axpy_path_matches_the_plain_loop() {
        check_dot_and_axpy::<f32>();
        check_dot_and_axpy::<f64>();
        // The fused paths round once: a·b + c with a·b inexact.
        let (a, b, c) = (1.0 + f32::EPSILON, 1.0 - f32::EPSILON, -1.0f32);
        assert_eq!(<f32 as SimdFloat>::fma(a, b, c), a.mul_add(b, c));
        assert_ne!(<f32 as SimdFloat>::fma(a, b, c), a * b + c);
        let (a, b, c) = (1.0 + f64::EPSILON, 1.0 - f64::EPSILON, -1.0f64);
        assert_ne!(<f64 as SimdFloat>::fma(a, b, c), a * b + c);
    }

    #[test]
    fn threading_decisions() {
        // 64³ multiply-adds stay on the calling thread; one more column goes to the pool.
        assert!(matches!(parallelism(64, 64, 64, 2), Parallelism::None));
        assert!(matches!(parallelism(64, 64, 65, 2), Parallelism::Rayon(2)));
        assert!(matches!(parallelism(1000, 1000, 1000, 1), Parallelism::None));
        assert!(matches!(parallelism(1000, 1000, 1000, 3), Parallelism::Rayon(3)));
        // Products that overflow usize still go to the pool.
        assert!(matches!(parallelism(usize::MAX, 2, 2, 2), Parallelism::Rayon(2)));
        // The default split is one single-threaded GEMM per panel (FERROTORCH_GEMM_SPLIT).
        if std::env::var_os("FERROTORCH_GEMM_SPLIT").is_none() {
            assert_eq!(split_mode(), 1);
            assert!(split_panels());
        }
    }
}
