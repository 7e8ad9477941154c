//! CPU kernels: Householder QR on several threads, in faer's format.
//!
//! faer's QR factors sequentially at the sizes we measured (its parallel version was slower at
//! 512², docs/ARCHITECTURE.md, "LAPACK parallelism"). Here the same building blocks run on the
//! look-ahead schedule of `cpu/lookahead.rs`: each panel of `block` columns is factored by
//! faer's `qr_in_place` (its Householder vectors, and the triangular factor of its block
//! reflector), and applied to later columns by faer's block reflector (two products and a
//! small triangular one). The result is what faer's `qr_in_place` with that block size gives,
//! so faer's `apply_block_householder_sequence_*` forms Q from it.

use super::blas::MatMut as Raw;
use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::householder;
use faer::linalg::qr::no_pivoting::factor;
use faer::{MatMut, Par};

/// Smallest number of columns for the threaded schedule; below it faer's sequential QR.
const THREADED_MIN: usize = 192;
/// A panel's factorization time in columns of trailing update per column (see `lookahead`):
/// measured 3.4 at 512² (faer's panel QR runs at ~7 GFLOP/s); 1.5-5 swept, 3.5 best.
const PANEL_COST: f64 = 3.5;

/// The block size (columns per panel) for an m×n QR: faer's recommendation, at least 48
/// (32, 48 and 64 measured alike at 512² for the factorization; 48 formed Q as fast as 32).
pub fn block_size(m: usize, n: usize) -> usize {
    factor::recommended_block_size::<f64>(m, n).max(48).min(m.min(n).max(1))
}

/// Factors the column-major `a` (m×n) in place: R on and above the diagonal, the Householder
/// vectors below it, and in `coeff` (`block` × min(m, n)) the triangular factor of each block
/// of `block` columns, as faer's `qr_in_place` with block size `block` does. With `threads` ≥ 2
/// and n ≥ [`THREADED_MIN`] the panels overlap the trailing updates on the kernel pool.
///
/// Returns false when a panel met a column that is (numerically) zero below the diagonal:
/// faer's QR then keeps a staircase form (that column takes no reflector and the rows below
/// shift), which later panels cannot follow. `a` and `coeff` then hold partial results, and
/// the caller factors a fresh copy with `threads` = 1, which always returns true.
pub fn qr_in_place(a: MatMut<'_, f64>, coeff: MatMut<'_, f64>, threads: usize) -> bool {
    let (m, n) = (a.nrows(), a.ncols());
    let (size, block) = (m.min(n), coeff.nrows());
    assert!(
        coeff.ncols() == size && block > 0 && a.row_stride() == 1,
        "qr_in_place: {m}x{n}, factors {}x{}",
        block,
        coeff.ncols()
    );
    if threads < 2 || n < THREADED_MIN || size <= block {
        let mut mem =
            MemBuffer::new(factor::qr_in_place_scratch::<f64>(m, n, block, Par::Seq, Default::default()));
        factor::qr_in_place(a, coeff, Par::Seq, MemStack::new(&mut mem), Default::default());
        return true;
    }
    // Shared with the pool's threads as raw views: each call reads the finished panel and
    // writes only its own columns (or, for a panel, its own columns and factor).
    let raw = |x: MatMut<'_, f64>| Raw {
        ptr: x.as_ptr_mut(),
        rows: x.nrows(),
        cols: x.ncols(),
        rs: x.row_stride(),
        cs: x.col_stride(),
    };
    let (a, coeff) = (raw(a), raw(coeff));
    // SAFETY: (i, j) ranges inside the m×n `a` or the block×size `coeff` the caller lent us,
    // and distinct calls of one step touch distinct columns (lookahead::run).
    let view = |x: Raw<f64>, i: usize, j: usize, rows: usize, cols: usize| unsafe {
        MatMut::from_raw_parts_mut(
            x.ptr.offset(i as isize * x.rs + j as isize * x.cs),
            rows,
            cols,
            x.rs,
            x.cs,
        )
    };
    let staircase = std::sync::atomic::AtomicBool::new(false);
    let stopped = || staircase.load(std::sync::atomic::Ordering::Relaxed);
    crate::parallel::install(|| {
        super::lookahead::run(
            n,
            size,
            block,
            threads,
            PANEL_COST,
            |j, w| {
                if stopped() {
                    return;
                }
                let mut mem = MemBuffer::new(factor::qr_in_place_scratch::<f64>(
                    m - j,
                    w,
                    w,
                    Par::Seq,
                    Default::default(),
                ));
                let (panel, t) = (view(a, j, j, m - j, w), view(coeff, 0, j, w, w));
                let info =
                    factor::qr_in_place(panel, t, Par::Seq, MemStack::new(&mut mem), Default::default());
                if info.rank < w {
                    staircase.store(true, std::sync::atomic::Ordering::Relaxed);
                }
            },
            |j, w, c0, cw| {
                if stopped() {
                    return;
                }
                let mut mem = MemBuffer::new(
                    householder::apply_block_householder_transpose_on_the_left_in_place_scratch::<f64>(
                        m - j,
                        w,
                        cw,
                    ),
                );
                let (v, t) = (view(a, j, j, m - j, w), view(coeff, 0, j, w, w));
                householder::apply_block_householder_transpose_on_the_left_in_place_with_conj(
                    v.as_ref(),
                    t.as_ref(),
                    faer::Conj::Yes,
                    view(a, j, c0, m - j, cw),
                    Par::Seq,
                    MemStack::new(&mut mem),
                );
            },
        )
    });
    !stopped()
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    fn random(m: usize, n: usize, seed: u64) -> Mat<f64> {
        let v = crate::cpu::lu::tests::random(m, n, seed);
        Mat::from_fn(m, n, |i, j| v[i + j * m])
    }

    #[test]
    fn threaded_factorization_equals_faers_sequential_one() {
        // Square, tall, wide (panels stop at m), on 2 and 3 threads.
        for &(m, n, block) in &[(260, 260, 48), (400, 200, 64), (200, 330, 32), (257, 257, 32)] {
            let a = random(m, n, (m + n) as u64);
            let size = m.min(n);
            let mut want = a.clone();
            let mut want_t = Mat::<f64>::zeros(block, size);
            assert!(qr_in_place(want.as_mut(), want_t.as_mut(), 1));
            for threads in [2, 3] {
                let mut got = a.clone();
                let mut got_t = Mat::<f64>::zeros(block, size);
                assert!(qr_in_place(got.as_mut(), got_t.as_mut(), threads));
                let e = (&got - &want).norm_max();
                let et = (&got_t - &want_t).norm_max();
                assert!(e < 1e-12 && et < 1e-11, "{m}x{n} block {block}, {threads} threads: {e} {et}");
            }
        }
    }

    #[test]
    fn a_zero_column_is_reported_for_the_sequential_factorization() {
        // faer leaves a zero column without a reflector (a staircase R); the threaded schedule
        // must say so instead of returning a factorization that is not triangular.
        for col in [5, 200] {
            let mut a = random(260, 260, 3);
            a.col_mut(col).fill(0.0);
            let mut t = Mat::<f64>::zeros(48, 260);
            assert!(!qr_in_place(a.as_mut(), t.as_mut(), 2), "zero column {col}");
        }
    }
}
