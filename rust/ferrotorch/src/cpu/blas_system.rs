//! The `system-blas` cargo feature: gemm, gemv, dot, axpy and scal of f32/f64 handed to a system
//! CBLAS (OpenBLAS by default; `build.rs` links `-l$FERROTORCH_BLAS_LIB`, default `openblas`).
//!
//! [`super::blas`] calls these hooks first; each returns whether it handled the call, and the
//! pure-Rust path runs when it did not. BLAS needs, per matrix, one stride of +1 and a leading
//! dimension `ld >= max(1, extent)`; zero (expanded), negative and non-unit strides fall back, as
//! do `alpha == 0` (BLAS would skip reading the operands, the pure-Rust path multiplies: the
//! results stay the same with or without the feature), scal by 0 (BLAS libraries differ on NaN)
//! and sizes beyond `c_int`. Vectors (gemv, dot, axpy, scal) take any non-zero increment,
//! negative ones passed with BLAS's convention (the pointer to the lowest address; scal, which
//! BLAS skips for increments <= 0, walks the same elements upwards).
//!
//! Threads: the system BLAS runs its own thread pool (`OPENBLAS_NUM_THREADS`,
//! `MKL_NUM_THREADS`, ...); the `threads` argument of [`super::blas::BlasScalar::gemm`] and
//! `torch.setnumthreads` do not reach it. Batched products that run one small matrix per pool
//! thread call it concurrently; OpenBLAS keeps such small products (at most 64³ multiply-adds,
//! as [`super::blas::SERIAL_FLOPS`]) on the calling thread. Build OpenBLAS with pthreads or
//! OpenMP (thread-safe), not the serial `USE_LOCKING=0` variant, for concurrent calls.

use super::blas::{MatMut, MatRef};
use crate::Element;
use std::any::TypeId;
use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Turns the system BLAS on (the default) or off for the whole process: off, every call takes
/// the pure-Rust path (to compare the two in one process, as `examples/blas_compare.rs` does).
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether calls go to the system BLAS.
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

const ROW_MAJOR: c_int = 101;
const COL_MAJOR: c_int = 102;
const NO_TRANS: c_int = 111;
const TRANS: c_int = 112;

extern "C" {
    fn cblas_sgemm(
        order: c_int,
        ta: c_int,
        tb: c_int,
        m: c_int,
        n: c_int,
        k: c_int,
        alpha: f32,
        a: *const f32,
        lda: c_int,
        b: *const f32,
        ldb: c_int,
        beta: f32,
        c: *mut f32,
        ldc: c_int,
    );
    fn cblas_dgemm(
        order: c_int,
        ta: c_int,
        tb: c_int,
        m: c_int,
        n: c_int,
        k: c_int,
        alpha: f64,
        a: *const f64,
        lda: c_int,
        b: *const f64,
        ldb: c_int,
        beta: f64,
        c: *mut f64,
        ldc: c_int,
    );
    fn cblas_sgemv(
        order: c_int,
        ta: c_int,
        m: c_int,
        n: c_int,
        alpha: f32,
        a: *const f32,
        lda: c_int,
        x: *const f32,
        incx: c_int,
        beta: f32,
        y: *mut f32,
        incy: c_int,
    );
    fn cblas_dgemv(
        order: c_int,
        ta: c_int,
        m: c_int,
        n: c_int,
        alpha: f64,
        a: *const f64,
        lda: c_int,
        x: *const f64,
        incx: c_int,
        beta: f64,
        y: *mut f64,
        incy: c_int,
    );
    fn cblas_sdot(n: c_int, x: *const f32, incx: c_int, y: *const f32, incy: c_int) -> f32;
    fn cblas_ddot(n: c_int, x: *const f64, incx: c_int, y: *const f64, incy: c_int) -> f64;
    fn cblas_saxpy(n: c_int, alpha: f32, x: *const f32, incx: c_int, y: *mut f32, incy: c_int);
    fn cblas_daxpy(n: c_int, alpha: f64, x: *const f64, incx: c_int, y: *mut f64, incy: c_int);
    fn cblas_sscal(n: c_int, alpha: f32, x: *mut f32, incx: c_int);
    fn cblas_dscal(n: c_int, alpha: f64, x: *mut f64, incx: c_int);
}

/// The CBLAS routines of one float type.
trait Cblas: Copy + PartialEq + Default {
    #[allow(clippy::too_many_arguments)]
    unsafe fn gemm(
        o: c_int,
        ta: c_int,
        tb: c_int,
        m: c_int,
        n: c_int,
        k: c_int,
        alpha: Self,
        a: *const Self,
        lda: c_int,
        b: *const Self,
        ldb: c_int,
        beta: Self,
        c: *mut Self,
        ldc: c_int,
    );
    #[allow(clippy::too_many_arguments)]
    unsafe fn gemv(
        o: c_int,
        ta: c_int,
        m: c_int,
        n: c_int,
        alpha: Self,
        a: *const Self,
        lda: c_int,
        x: *const Self,
        incx: c_int,
        beta: Self,
        y: *mut Self,
        incy: c_int,
    );
    unsafe fn dot(n: c_int, x: *const Self, incx: c_int, y: *const Self, incy: c_int) -> Self;
    unsafe fn axpy(n: c_int, alpha: Self, x: *const Self, incx: c_int, y: *mut Self, incy: c_int);
    unsafe fn scal(n: c_int, alpha: Self, x: *mut Self, incx: c_int);
}

macro_rules! cblas {
    ($t:ty, $gemm:ident, $gemv:ident, $dot:ident, $axpy:ident, $scal:ident) => {
        impl Cblas for $t {
            unsafe fn gemm(
                o: c_int,
                ta: c_int,
                tb: c_int,
                m: c_int,
                n: c_int,
                k: c_int,
                alpha: Self,
                a: *const Self,
                lda: c_int,
                b: *const Self,
                ldb: c_int,
                beta: Self,
                c: *mut Self,
                ldc: c_int,
            ) {
                // SAFETY: forwarded from the caller.
                unsafe { $gemm(o, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) }
            }
            unsafe fn gemv(
                o: c_int,
                ta: c_int,
                m: c_int,
                n: c_int,
                alpha: Self,
                a: *const Self,
                lda: c_int,
                x: *const Self,
                incx: c_int,
                beta: Self,
                y: *mut Self,
                incy: c_int,
            ) {
                // SAFETY: forwarded from the caller.
                unsafe { $gemv(o, ta, m, n, alpha, a, lda, x, incx, beta, y, incy) }
            }
            unsafe fn dot(n: c_int, x: *const Self, incx: c_int, y: *const Self, incy: c_int) -> Self {
                // SAFETY: forwarded from the caller.
                unsafe { $dot(n, x, incx, y, incy) }
            }
            unsafe fn axpy(n: c_int, alpha: Self, x: *const Self, incx: c_int, y: *mut Self, incy: c_int) {
                // SAFETY: forwarded from the caller.
                unsafe { $axpy(n, alpha, x, incx, y, incy) }
            }
            unsafe fn scal(n: c_int, alpha: Self, x: *mut Self, incx: c_int) {
                // SAFETY: forwarded from the caller.
                unsafe { $scal(n, alpha, x, incx) }
            }
        }
    };
}
cblas!(f32, cblas_sgemm, cblas_sgemv, cblas_sdot, cblas_saxpy, cblas_sscal);
cblas!(f64, cblas_dgemm, cblas_dgemv, cblas_ddot, cblas_daxpy, cblas_dscal);

/// Which of a matrix's strides is +1: `Col` puts (i, j) at `i·ld + j`, `Row` at `i + j·ld`.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Unit {
    Col,
    Row,
}

fn int(v: usize) -> Option<c_int> {
    c_int::try_from(v).ok()
}

/// The BLAS storage of a rows×cols matrix with strides (rs, cs): the unit side and a leading
/// dimension `ld >= max(1, extent)`, or None. The stride of a size-1 side is never used, so it
/// may be anything.
fn unit_layout(rows: usize, cols: usize, rs: isize, cs: isize) -> Option<(Unit, c_int)> {
    let (r1, c1) = (rows.max(1), cols.max(1));
    if cs == 1 || cols <= 1 {
        let ld = if rows <= 1 { c1 as isize } else { rs };
        if ld >= c1 as isize {
            return Some((Unit::Col, c_int::try_from(ld).ok()?));
        }
    }
    if rs == 1 || rows <= 1 {
        let ld = if cols <= 1 { r1 as isize } else { cs };
        if ld >= r1 as isize {
            return Some((Unit::Row, c_int::try_from(ld).ok()?));
        }
    }
    None
}

/// A vector of n elements at `p + i·inc` as BLAS takes it: the lowest address and the increment
/// (0 refused: BLAS libraries disagree on it).
fn vector<P: Copy>(p: P, n: usize, inc: isize, offset: impl Fn(P, isize) -> P) -> Option<(P, c_int)> {
    if n <= 1 {
        return Some((p, 1));
    }
    let i = c_int::try_from(inc).ok().filter(|&i| i != 0 && i != c_int::MIN)?;
    Some((if inc < 0 { offset(p, (n as isize - 1) * inc) } else { p }, i))
}

fn vec_ref<T>(p: *const T, n: usize, inc: isize) -> Option<(*const T, c_int)> {
    vector(p, n, inc, |p, o| p.wrapping_offset(o))
}

fn vec_mut<T>(p: *mut T, n: usize, inc: isize) -> Option<(*mut T, c_int)> {
    vector(p, n, inc, |p, o| p.wrapping_offset(o))
}

/// Reinterprets a value of type T as U (the caller checked that they are the same type).
fn same<T: 'static, U: 'static + Copy>(v: T) -> U {
    assert_eq!(TypeId::of::<T>(), TypeId::of::<U>());
    // SAFETY: T and U are the same type.
    unsafe { std::mem::transmute_copy(&v) }
}

fn cast_ref<T, U>(a: MatRef<T>) -> MatRef<U> {
    MatRef { ptr: a.ptr.cast(), rows: a.rows, cols: a.cols, rs: a.rs, cs: a.cs }
}

fn cast_mut<T, U>(a: MatMut<T>) -> MatMut<U> {
    MatMut { ptr: a.ptr.cast(), rows: a.rows, cols: a.cols, rs: a.rs, cs: a.cs }
}

/// T is U and the system BLAS is on.
fn is<T: 'static, U: 'static>() -> bool {
    TypeId::of::<T>() == TypeId::of::<U>() && enabled()
}

/// `dst = beta·dst + alpha·lhs·rhs` through the system BLAS (gemv when dst is one row or one
/// column); false when the operands do not fit BLAS (the caller then runs the pure-Rust path).
///
/// # Safety
/// As [`super::blas::BlasScalar::gemm`].
pub unsafe fn gemm<T: Element>(dst: MatMut<T>, beta: T, alpha: T, lhs: MatRef<T>, rhs: MatRef<T>) -> bool {
    // SAFETY (both arms): forwarded; T is the type the operands are cast to.
    if is::<T, f32>() {
        unsafe { gemm_t::<f32>(cast_mut(dst), same(beta), same(alpha), cast_ref(lhs), cast_ref(rhs)) }
    } else if is::<T, f64>() {
        unsafe { gemm_t::<f64>(cast_mut(dst), same(beta), same(alpha), cast_ref(lhs), cast_ref(rhs)) }
    } else {
        false
    }
}

unsafe fn gemm_t<T: Cblas>(dst: MatMut<T>, beta: T, alpha: T, lhs: MatRef<T>, rhs: MatRef<T>) -> bool {
    let (m, n, k) = (dst.rows, dst.cols, lhs.cols);
    if m == 0 || n == 0 || k == 0 || alpha == T::default() {
        return false;
    }
    let (Some(mi), Some(ni), Some(ki)) = (int(m), int(n), int(k)) else { return false };
    if n == 1 {
        // y (m) = A (m×k) · x (k): A stored as it is, in the order of its unit side.
        let (Some((a, lda)), Some((x, incx)), Some((y, incy))) =
            (unit_layout(m, k, lhs.rs, lhs.cs), vec_ref(rhs.ptr, k, rhs.rs), vec_mut(dst.ptr, m, dst.rs))
        else {
            return false;
        };
        let order = if a == Unit::Col { ROW_MAJOR } else { COL_MAJOR };
        // SAFETY: the layouts describe exactly the caller's elements.
        unsafe { T::gemv(order, NO_TRANS, mi, ki, alpha, lhs.ptr, lda, x, incx, beta, y, incy) };
        return true;
    }
    if m == 1 {
        // yᵀ (n) = Bᵀ (n×k) · xᵀ (k), B (k×n) stored as it is.
        let (Some((b, ldb)), Some((x, incx)), Some((y, incy))) =
            (unit_layout(k, n, rhs.rs, rhs.cs), vec_ref(lhs.ptr, k, lhs.cs), vec_mut(dst.ptr, n, dst.cs))
        else {
            return false;
        };
        let order = if b == Unit::Col { ROW_MAJOR } else { COL_MAJOR };
        // SAFETY: the layouts describe exactly the caller's elements.
        unsafe { T::gemv(order, TRANS, ki, ni, alpha, rhs.ptr, ldb, x, incx, beta, y, incy) };
        return true;
    }
    let (Some((c, ldc)), Some((a, lda)), Some((b, ldb))) = (
        unit_layout(m, n, dst.rs, dst.cs),
        unit_layout(m, k, lhs.rs, lhs.cs),
        unit_layout(k, n, rhs.rs, rhs.cs),
    ) else {
        return false;
    };
    let order = if c == Unit::Col { ROW_MAJOR } else { COL_MAJOR };
    let trans = |u: Unit| if u == c { NO_TRANS } else { TRANS };
    // SAFETY: the layouts describe exactly the caller's elements; BLAS does not read dst when
    // beta is 0.
    unsafe {
        T::gemm(order, trans(a), trans(b), mi, ni, ki, alpha, lhs.ptr, lda, rhs.ptr, ldb, beta, dst.ptr, ldc)
    };
    true
}

/// Σ x_i·y_i through the system BLAS, or None (then the caller computes it).
///
/// # Safety
/// As [`super::blas::BlasScalar::dot`].
pub unsafe fn dot<T: Element>(n: usize, x: *const T, incx: isize, y: *const T, incy: isize) -> Option<T> {
    // SAFETY (both arms): forwarded; T is the type the pointers are cast to.
    if is::<T, f32>() {
        unsafe { dot_t::<f32>(n, x.cast(), incx, y.cast(), incy) }.map(same)
    } else if is::<T, f64>() {
        unsafe { dot_t::<f64>(n, x.cast(), incx, y.cast(), incy) }.map(same)
    } else {
        None
    }
}

unsafe fn dot_t<T: Cblas>(n: usize, x: *const T, incx: isize, y: *const T, incy: isize) -> Option<T> {
    let ni = int(n).filter(|&n| n > 0)?;
    let ((x, incx), (y, incy)) = (vec_ref(x, n, incx)?, vec_ref(y, n, incy)?);
    // SAFETY: the vectors describe exactly the caller's elements.
    Some(unsafe { T::dot(ni, x, incx, y, incy) })
}

/// `y += alpha·x` through the system BLAS; false when not handled (alpha 0 among them).
///
/// # Safety
/// As [`super::blas::axpy`].
pub unsafe fn axpy<T: Element>(n: usize, alpha: T, x: *const T, incx: isize, y: *mut T, incy: isize) -> bool {
    // SAFETY (both arms): forwarded; T is the type the pointers are cast to.
    if is::<T, f32>() {
        unsafe { axpy_t::<f32>(n, same(alpha), x.cast(), incx, y.cast(), incy) }
    } else if is::<T, f64>() {
        unsafe { axpy_t::<f64>(n, same(alpha), x.cast(), incx, y.cast(), incy) }
    } else {
        false
    }
}

unsafe fn axpy_t<T: Cblas>(n: usize, alpha: T, x: *const T, incx: isize, y: *mut T, incy: isize) -> bool {
    let (Some(ni), Some((x, incx)), Some((y, incy))) = (int(n), vec_ref(x, n, incx), vec_mut(y, n, incy))
    else {
        return false;
    };
    if n == 0 || alpha == T::default() {
        return false;
    }
    // SAFETY: the vectors describe exactly the caller's elements.
    unsafe { T::axpy(ni, alpha, x, incx, y, incy) };
    true
}

/// `x = alpha·x` through the system BLAS; false when not handled (alpha 0 among them).
///
/// # Safety
/// As [`super::blas::scal`].
pub unsafe fn scal<T: Element>(n: usize, alpha: T, x: *mut T, incx: isize) -> bool {
    // SAFETY (both arms): forwarded; T is the type the pointer is cast to.
    if is::<T, f32>() {
        unsafe { scal_t::<f32>(n, same(alpha), x.cast(), incx) }
    } else if is::<T, f64>() {
        unsafe { scal_t::<f64>(n, same(alpha), x.cast(), incx) }
    } else {
        false
    }
}

unsafe fn scal_t<T: Cblas>(n: usize, alpha: T, x: *mut T, incx: isize) -> bool {
    // BLAS ignores scal with an increment <= 0; the order does not matter, so walk upwards.
    let (Some(ni), Some((x, incx))) = (int(n), vec_mut(x, n, incx)) else { return false };
    let incx = incx.abs();
    if n == 0 || alpha == T::default() {
        return false;
    }
    // SAFETY: the vector describes exactly the caller's elements.
    unsafe { T::scal(ni, alpha, x, incx) };
    true
}

#[cfg(test)]
mod tests {
    use super::super::blas::{self, gemm_portable, BlasScalar};
    use super::*;

    /// Small integers and halves: every product and sum below is exact, so BLAS and the
    /// portable loop agree bit for bit.
    fn data<T: Element>(len: usize, seed: usize) -> Vec<T> {
        (0..len).map(|i| T::from_f64(((i * 7 + seed) % 11) as f64 * 0.5 - 2.5)).collect()
    }

    /// A rows×cols matrix over `buf`, row-major (`col_unit`) or column-major, leading dimension
    /// padded by `pad`.
    fn layout(rows: usize, cols: usize, col_unit: bool, pad: usize) -> (isize, isize, usize) {
        if col_unit {
            ((cols + pad) as isize, 1, rows * (cols + pad))
        } else {
            (1, (rows + pad) as isize, cols * (rows + pad))
        }
    }

    /// Runs the feature path and the portable loop on the same operands; returns whether BLAS
    /// handled it and asserts equal results.
    #[allow(clippy::too_many_arguments)]
    fn check<T: BlasScalar>(
        (m, n, k): (usize, usize, usize),
        (dcol, lcol, rcol): (bool, bool, bool),
        pad: usize,
        alpha: T,
        beta: T,
        nan_dst: bool,
    ) -> bool {
        let (drs, dcs, dlen) = layout(m, n, dcol, pad);
        let (lrs, lcs, llen) = layout(m, k, lcol, pad);
        let (rrs, rcs, rlen) = layout(k, n, rcol, pad);
        let a: Vec<T> = data(llen, 1);
        let b: Vec<T> = data(rlen, 2);
        let init = if nan_dst { vec![T::from_f64(f64::NAN); dlen] } else { data(dlen, 3) };
        let (mut c1, mut c2) = (init.clone(), init);
        let lhs = MatRef { ptr: a.as_ptr(), rows: m, cols: k, rs: lrs, cs: lcs };
        let rhs = MatRef { ptr: b.as_ptr(), rows: k, cols: n, rs: rrs, cs: rcs };
        let d1 = MatMut { ptr: c1.as_mut_ptr(), rows: m, cols: n, rs: drs, cs: dcs };
        let d2 = MatMut { ptr: c2.as_mut_ptr(), rows: m, cols: n, rs: drs, cs: dcs };
        let handled = unsafe { gemm(d1, beta, alpha, lhs, rhs) };
        unsafe { gemm_portable(d2, beta, alpha, lhs, rhs) };
        // Compare the described elements only (padding keeps its NaN / initial value).
        for i in 0..m as isize {
            for j in 0..n as isize {
                let o = (i * drs + j * dcs) as usize;
                assert_eq!(c1[o], c2[o], "({i}, {j}) of {m}x{n}x{k} {dcol} {lcol} {rcol} pad {pad}");
                assert!(!c1[o].to_f64().is_nan());
            }
        }
        handled
    }

    fn all_layouts<T: BlasScalar>() {
        let coefs = [(1.0, 0.0), (0.5, 2.0), (-1.0, 1.0), (2.0, -0.5)];
        for dims in [(7, 5, 3), (33, 17, 29), (5, 1, 9), (1, 6, 4), (1, 1, 8), (4, 3, 1)] {
            for bits in 0..8 {
                let orders = (bits & 1 != 0, bits & 2 != 0, bits & 4 != 0);
                for pad in [0, 3] {
                    for &(alpha, beta) in &coefs {
                        let (alpha, beta) = (T::from_f64(alpha), T::from_f64(beta));
                        assert!(check(dims, orders, pad, alpha, beta, false));
                    }
                    // beta = 0 does not read dst: NaN there does not propagate.
                    assert!(check(dims, orders, pad, T::from_f64(1.5), T::zero(), true));
                }
            }
        }
    }

    #[test]
    fn gemm_row_col_major_transposed_f32() {
        all_layouts::<f32>();
    }

    #[test]
    fn gemm_row_col_major_transposed_f64() {
        all_layouts::<f64>();
    }

    /// Operands BLAS cannot take: the hook declines and the trait's pure-Rust path still runs.
    #[test]
    fn unsupported_strides_fall_back() {
        let (m, n, k) = (6usize, 5usize, 4usize);
        let a: Vec<f64> = data(4 * m * k, 1);
        let b: Vec<f64> = data(4 * k * n, 2);
        let dense_l = MatRef { ptr: a.as_ptr(), rows: m, cols: k, rs: k as isize, cs: 1 };
        let dense_r = MatRef { ptr: b.as_ptr(), rows: k, cols: n, rs: n as isize, cs: 1 };
        let cases: Vec<(MatRef<f64>, MatRef<f64>)> = vec![
            // every second column / row: no unit stride
            (MatRef { rs: 2 * k as isize, cs: 2, ..dense_l }, dense_r),
            (dense_l, MatRef { rs: 2 * n as isize, cs: 2, ..dense_r }),
            // an expanded (stride 0) operand
            (MatRef { rs: 0, ..dense_l }, dense_r),
            // a negative stride (rows read bottom-up)
            (MatRef { ptr: a.as_ptr().wrapping_add((m - 1) * k), rs: -(k as isize), ..dense_l }, dense_r),
            // leading dimension smaller than the extent (overlapping rows, read only)
            (MatRef { rs: 2, ..dense_l }, dense_r),
        ];
        for (lhs, rhs) in cases {
            let mut c1 = vec![1.0f64; m * n];
            let mut c2 = c1.clone();
            let d1 = MatMut { ptr: c1.as_mut_ptr(), rows: m, cols: n, rs: n as isize, cs: 1 };
            let d2 = MatMut { ptr: c2.as_mut_ptr(), rows: m, cols: n, rs: n as isize, cs: 1 };
            assert!(!unsafe { gemm(d1, 2.0, 0.5, lhs, rhs) });
            unsafe {
                <f64 as BlasScalar>::gemm(d1, 2.0, 0.5, lhs, rhs, 2);
                gemm_portable(d2, 2.0, 0.5, lhs, rhs);
            }
            assert_eq!(c1, c2);
        }
        // dst with a non-unit stride, alpha 0, depth 0 and integers are declined too.
        let mut c = vec![0.0f64; 2 * m * n];
        let d = MatMut { ptr: c.as_mut_ptr(), rows: m, cols: n, rs: 2 * n as isize, cs: 2 };
        assert!(!unsafe { gemm(d, 0.0, 1.0, dense_l, dense_r) });
        let d = MatMut { ptr: c.as_mut_ptr(), rows: m, cols: n, rs: n as isize, cs: 1 };
        assert!(!unsafe { gemm(d, 1.0, 0.0, dense_l, dense_r) });
        assert!(!unsafe { gemm(d, 1.0, 1.0, MatRef { cols: 0, ..dense_l }, MatRef { rows: 0, ..dense_r }) });
        let ai = [1i32; 4];
        let mut ci = [0i32; 4];
        let li = MatRef { ptr: ai.as_ptr(), rows: 2, cols: 2, rs: 2, cs: 1 };
        let di = MatMut { ptr: ci.as_mut_ptr(), rows: 2, cols: 2, rs: 2, cs: 1 };
        assert!(!unsafe { gemm(di, 0, 1, li, li) });
    }

    /// gemv through the hook with stepped and reversed vectors.
    #[test]
    fn gemv_strided_vectors() {
        let (m, k) = (9usize, 7usize);
        let a: Vec<f32> = data(m * k, 1);
        let x: Vec<f32> = data(3 * k, 2);
        for (lcol, incx, incy) in [(true, 1, 1), (false, 3, 2), (true, -2, -1), (false, -1, 3)] {
            let lhs = if lcol {
                MatRef { ptr: a.as_ptr(), rows: m, cols: k, rs: k as isize, cs: 1 }
            } else {
                MatRef { ptr: a.as_ptr(), rows: m, cols: k, rs: 1, cs: m as isize }
            };
            let xp = if incx < 0 { x.as_ptr().wrapping_offset((k as isize - 1) * -incx) } else { x.as_ptr() };
            let rhs = MatRef { ptr: xp, rows: k, cols: 1, rs: incx, cs: 1 };
            let mut y1 = vec![f32::NAN; 3 * m];
            let mut y2 = y1.clone();
            let off = if incy < 0 { (m as isize - 1) * -incy } else { 0 };
            let d1 = MatMut { ptr: y1.as_mut_ptr().wrapping_offset(off), rows: m, cols: 1, rs: incy, cs: 1 };
            let d2 = MatMut { ptr: y2.as_mut_ptr().wrapping_offset(off), rows: m, cols: 1, rs: incy, cs: 1 };
            assert!(unsafe { gemm(d1, 0.0, 2.0, lhs, rhs) });
            unsafe { gemm_portable(d2, 0.0, 2.0, lhs, rhs) };
            assert_eq!(format!("{y1:?}"), format!("{y2:?}"));
            // The same as a row: (1×k)(k×m) with the matrix transposed.
            let t = MatRef { ptr: lhs.ptr, rows: k, cols: m, rs: lhs.cs, cs: lhs.rs };
            let xr = MatRef { ptr: xp, rows: 1, cols: k, rs: 1, cs: incx };
            let mut z = vec![f32::NAN; 3 * m];
            let dz = MatMut { ptr: z.as_mut_ptr().wrapping_offset(off), rows: 1, cols: m, rs: 1, cs: incy };
            assert!(unsafe { gemm(dz, 0.0, 2.0, xr, t) });
            assert_eq!(format!("{z:?}"), format!("{y2:?}"));
        }
    }

    #[test]
    fn dot_axpy_scal() {
        let n = 37usize;
        let x: Vec<f64> = data(3 * n, 1);
        let y: Vec<f64> = data(3 * n, 2);
        for (incx, incy) in [(1isize, 1isize), (3, 2), (-2, 1), (-1, -3)] {
            let xp = if incx < 0 { x.as_ptr().wrapping_offset((n as isize - 1) * -incx) } else { x.as_ptr() };
            let yoff = if incy < 0 { (n as isize - 1) * -incy } else { 0 };
            let yp = y.as_ptr().wrapping_offset(yoff);
            let want: f64 =
                (0..n as isize).map(|i| unsafe { *xp.offset(i * incx) * *yp.offset(i * incy) }).sum();
            assert_eq!(unsafe { dot(n, xp, incx, yp, incy) }, Some(want));
            // The trait's dot goes through the hook.
            assert_eq!(unsafe { <f64 as BlasScalar>::dot(n, xp, incx, yp, incy) }, want);

            let (mut y1, mut y2) = (y.clone(), y.clone());
            let (p1, p2) = (y1.as_mut_ptr().wrapping_offset(yoff), y2.as_mut_ptr().wrapping_offset(yoff));
            assert!(unsafe { axpy(n, 1.5, xp, incx, p1, incy) });
            for i in 0..n as isize {
                unsafe { *p2.offset(i * incy) += 1.5 * *xp.offset(i * incx) };
            }
            assert_eq!(y1, y2);
            unsafe { blas::axpy(n, -0.5, xp, incx, p1, incy) };
            for i in 0..n as isize {
                unsafe { *p2.offset(i * incy) += -0.5 * *xp.offset(i * incx) };
            }
            assert_eq!(y1, y2);

            assert!(unsafe { scal(n, -2.0, p1, incy) });
            unsafe { blas::scal(n, 0.25, p1, incy) };
            for i in 0..n as isize {
                unsafe { *p2.offset(i * incy) *= -0.5 };
            }
            assert_eq!(y1, y2);
        }
        // Declined: increment 0, alpha 0, n 0, integers.
        let mut v = vec![f32::NAN; 4];
        assert_eq!(unsafe { dot(4, v.as_ptr(), 0, v.as_ptr(), 1) }, None);
        assert_eq!(unsafe { dot::<f32>(0, v.as_ptr(), 1, v.as_ptr(), 1) }, None);
        assert!(!unsafe { scal(4, 0.0f32, v.as_mut_ptr(), 1) });
        unsafe { blas::scal(4, 0.0f32, v.as_mut_ptr(), 1) };
        assert_eq!(v, [0.0; 4]);
        assert!(!unsafe { axpy(4, 0.0f32, v.as_ptr(), 1, v.as_mut_ptr(), 1) });
        let mut w = [1i64, 2, 3];
        assert_eq!(unsafe { dot(3, w.as_ptr(), 1, w.as_ptr(), 1) }, None);
        assert!(!unsafe { scal(3, 2i64, w.as_mut_ptr(), 1) });
        unsafe { blas::scal(3, 2i64, w.as_mut_ptr(), 1) };
        assert_eq!(w, [2, 4, 6]);
    }

    /// Products large enough for BLAS's own threads, through the trait.
    #[test]
    fn large_through_trait() {
        let n = 130usize;
        let a: Vec<f32> = data(n * n, 1);
        let b: Vec<f32> = data(n * n, 2);
        let (mut c1, mut c2) = (vec![f32::NAN; n * n], vec![0.0; n * n]);
        let lhs = MatRef { ptr: a.as_ptr(), rows: n, cols: n, rs: 1, cs: n as isize };
        let rhs = MatRef { ptr: b.as_ptr(), rows: n, cols: n, rs: n as isize, cs: 1 };
        let d1 = MatMut { ptr: c1.as_mut_ptr(), rows: n, cols: n, rs: n as isize, cs: 1 };
        let d2 = MatMut { ptr: c2.as_mut_ptr(), rows: n, cols: n, rs: n as isize, cs: 1 };
        unsafe {
            <f32 as BlasScalar>::gemm(d1, 0.0, 1.0, lhs, rhs, 2);
            gemm_portable(d2, 0.0, 1.0, lhs, rhs);
        }
        assert_eq!(c1, c2);
    }
}
