//! CPU kernels: LAPACK-class decompositions and solvers.
//!
//! Dense column-major `faer::Mat<f64>` in, out. The blocked, parallel decompositions (Cholesky,
//! symmetric and general eigen, SVD) are faer's (LU is `cpu::lu`, QR's schedule `cpu::qr`);
//! the LAPACK-format routines whose exact output Torch7 exposed (geqrf's Householder vectors
//! and tau, orgqr, ormqr, pstrf, gels' factor) are written here after LAPACK's unblocked
//! algorithms (dgeqr2, dorg2r, dorm2r, dpstf2), so their results match LAPACK's sign
//! conventions.

use faer::{Mat, MatMut, Par};

/// What a parallelism choice is for: faer's rayon parallelism pays off above a size that
/// depends on the algorithm (measured on 2 cores at 256, 512 and 1024 in float64; the table is
/// in docs/ARCHITECTURE.md, "LAPACK parallelism").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// The triangular solves on an LU factorization (no gain from threads below 1024; the
    /// factorization itself is `cpu::lu`, which picks its own schedule).
    Lu,
    Cholesky,
    /// Forming Q from the Householder reflectors (blocked products, parallel from small sizes).
    FormQ,
    /// Symmetric eigendecomposition, and the solvers without a row above.
    Other,
    Svd,
}

impl Work {
    /// The smallest n for which the pool is used.
    fn min_parallel_size(self) -> usize {
        match self {
            Work::Lu => 1024,
            Work::Cholesky | Work::Svd => 512,
            Work::FormQ | Work::Other => 96,
        }
    }
}

/// faer's parallelism for `work` on an n×n problem.
pub fn parallelism(work: Work, n: usize) -> Par {
    let threads = crate::parallel::num_threads();
    if n < work.min_parallel_size() || threads <= 1 {
        Par::Seq
    } else {
        Par::rayon(threads)
    }
}

/// Sets faer's global parallelism (read by its high-level solvers) for an n×n problem.
pub fn set_parallelism(n: usize) {
    faer::set_global_parallelism(parallelism(Work::Other, n));
}

/// Side of the square tiles [`gather`] copies through.
const TILE: usize = 32;

/// Copies the strided m×n matrix at `src` (element (i, j) at `i·rs + j·cs`) into `dst`
/// (any strides) as f64; false when an element is NaN or infinite (everything is copied anyway).
///
/// A column-major source goes column by column; any other layout goes in 32×32 tiles, so a
/// row-major source (the usual tensor) is transposed within the cache rather than walked down
/// whole columns with a stride of a row.
///
/// Large copies are split by columns over the kernel threads (`index::par_range`, from
/// `PARALLEL_GRAIN` elements): the copy is bound by each core's cache bandwidth (0.24 ms at
/// 512² on one thread, either layout), and it runs while the others would wait for it.
///
/// # Safety
/// Every element that `src`, m, n, `rs`, `cs` describe must be readable.
pub unsafe fn gather<T: Copy + Into<f64> + Sync>(
    src: *const T,
    rs: isize,
    cs: isize,
    dst: MatMut<'_, f64>,
) -> bool {
    let (m, n) = (dst.nrows(), dst.ncols());
    let (drs, dcs) = (dst.row_stride(), dst.col_stride());
    // Addresses are Send; the pointers are not.
    let (src_at, dst_at) = (src as usize, dst.as_ptr_mut() as usize);
    let finite = std::sync::atomic::AtomicBool::new(true);
    super::index::par_range(n, m, |cols| {
        let (j, w) = (cols.start as isize, cols.len());
        // SAFETY: columns `cols` of dst (the ranges are disjoint; dst is borrowed for the call)
        // and the same columns of the caller's source layout.
        let ok = unsafe {
            let part =
                MatMut::from_raw_parts_mut((dst_at as *mut f64).wrapping_offset(j * dcs), m, w, drs, dcs);
            gather_columns((src_at as *const T).wrapping_offset(j * cs), rs, cs, part)
        };
        if !ok {
            finite.store(false, std::sync::atomic::Ordering::Relaxed);
        }
    });
    finite.into_inner()
}

/// [`gather`] on the calling thread.
///
/// # Safety
/// As for [`gather`].
unsafe fn gather_columns<T: Copy + Into<f64>>(
    src: *const T,
    rs: isize,
    cs: isize,
    dst: MatMut<'_, f64>,
) -> bool {
    let (m, n) = (dst.nrows(), dst.ncols());
    let (drs, dcs) = (dst.row_stride(), dst.col_stride());
    let d = dst.as_ptr_mut();
    let mut finite = true;
    // SAFETY (all blocks below): (i, j) < (m, n) addresses an element of src's layout (caller)
    // and of dst (a MatMut of m×n).
    if rs == 1 && drs == 1 {
        for j in 0..n as isize {
            let (s, o) = unsafe { (src.offset(j * cs), d.offset(j * dcs)) };
            for i in 0..m {
                let x: f64 = unsafe { *s.add(i) }.into();
                finite &= x.is_finite();
                unsafe { *o.add(i) = x };
            }
        }
        return finite;
    }
    if cs == 1 && drs == 1 {
        // SAFETY: as above.
        return unsafe { transpose_gather(src, rs, d, dcs, m, n) };
    }
    for j0 in (0..n).step_by(TILE) {
        let j1 = (j0 + TILE).min(n);
        for i0 in (0..m).step_by(TILE) {
            let i1 = (i0 + TILE).min(m);
            for j in j0 as isize..j1 as isize {
                for i in i0 as isize..i1 as isize {
                    let x: f64 = unsafe { *src.offset(i * rs + j * cs) }.into();
                    finite &= x.is_finite();
                    unsafe { *d.offset(i * drs + j * dcs) = x };
                }
            }
        }
    }
    finite
}

/// [`gather`] from a row-major source into a column-major destination: 8×8 blocks through
/// registers (rows read and columns written 8 contiguous elements at a time) inside 32×32 tiles.
///
/// # Safety
/// As for [`gather`]; `d` column-major with column stride `dcs`.
unsafe fn transpose_gather<T: Copy + Into<f64>>(
    src: *const T,
    rs: isize,
    d: *mut f64,
    dcs: isize,
    m: usize,
    n: usize,
) -> bool {
    const B: usize = 8;
    let mut finite = true;
    let (mf, nf) = (m / B * B, n / B * B);
    for j0 in (0..nf).step_by(TILE) {
        let j1 = (j0 + TILE).min(nf);
        for i0 in (0..mf).step_by(TILE) {
            let i1 = (i0 + TILE).min(mf);
            for jb in (j0..j1).step_by(B) {
                for ib in (i0..i1).step_by(B) {
                    let mut blk = [[0.0f64; B]; B];
                    for (r, row) in blk.iter_mut().enumerate() {
                        // SAFETY: row ib + r, columns jb..jb + 8 of the source.
                        let s = unsafe { src.offset((ib + r) as isize * rs).add(jb) };
                        for (c, v) in row.iter_mut().enumerate() {
                            *v = unsafe { *s.add(c) }.into();
                        }
                    }
                    for c in 0..B {
                        // SAFETY: column jb + c, rows ib..ib + 8 of the destination.
                        let o = unsafe { d.offset((jb + c) as isize * dcs).add(ib) };
                        for (r, row) in blk.iter().enumerate() {
                            finite &= row[c].is_finite();
                            unsafe { *o.add(r) = row[c] };
                        }
                    }
                }
            }
        }
    }
    // The ragged right and bottom edges.
    let mut edge = |i0: usize, i1: usize, j0: usize, j1: usize| {
        for j in j0..j1 {
            for i in i0..i1 {
                // SAFETY: (i, j) < (m, n).
                let x: f64 = unsafe { *src.offset(i as isize * rs).add(j) }.into();
                finite &= x.is_finite();
                unsafe { *d.offset(j as isize * dcs).add(i) = x };
            }
        }
    };
    edge(mf, m, 0, n);
    edge(0, mf, nf, n);
    finite
}

/// Square `a`: writes its strictly lower triangle, transposed, over the strictly upper one and
/// zeroes the lower one (L in the lower triangle becomes U = Lᵀ in the upper), in 32×32 tiles.
pub fn lower_to_upper(a: MatMut<'_, f64>) {
    let n = a.nrows();
    debug_assert_eq!(n, a.ncols());
    let (rs, cs) = (a.row_stride(), a.col_stride());
    let p = a.as_ptr_mut();
    for jb in (0..n).step_by(TILE) {
        for ib in (jb..n).step_by(TILE) {
            for j in jb..(jb + TILE).min(n) {
                for i in ib.max(j + 1)..(ib + TILE).min(n) {
                    let (i, j) = (i as isize, j as isize);
                    // SAFETY: (i, j) and (j, i) are elements of the n×n matrix.
                    unsafe {
                        *p.offset(j * rs + i * cs) = *p.offset(i * rs + j * cs);
                        *p.offset(i * rs + j * cs) = 0.0;
                    }
                }
            }
        }
    }
}

/// Zeroes the strictly upper triangle of the square `a`.
pub fn zero_upper(mut a: MatMut<'_, f64>) {
    for j in 0..a.ncols() {
        for i in 0..j.min(a.nrows()) {
            a[(i, j)] = 0.0;
        }
    }
}

/// Whether every element of the strided m×n matrix at `src` is finite.
///
/// # Safety
/// As for [`gather`].
pub unsafe fn all_finite(src: *const f64, m: usize, n: usize, rs: isize, cs: isize) -> bool {
    let (inner, outer, is, os) =
        if rs.unsigned_abs() <= cs.unsigned_abs() { (m, n, rs, cs) } else { (n, m, cs, rs) };
    let mut finite = true;
    for o in 0..outer as isize {
        let base = unsafe { src.offset(o * os) };
        if is == 1 {
            // SAFETY: a contiguous run of `inner` elements of the layout.
            let run = unsafe { std::slice::from_raw_parts(base, inner) };
            finite &= run.iter().fold(true, |f, x| f & x.is_finite());
        } else {
            for i in 0..inner as isize {
                // SAFETY: element (i, o) of the layout.
                finite &= unsafe { *base.offset(i * is) }.is_finite();
            }
        }
    }
    finite
}

/// A column-major copy of a row-major `m`×`n` slice.
pub fn mat_from_row_major(v: &[f64], m: usize, n: usize) -> Mat<f64> {
    Mat::from_fn(m, n, |i, j| v[i * n + j])
}

/// LAPACK's dlarfg on column `col` of `a` from row `row`: makes H·a[row.., col] = (beta, 0..),
/// stores v[1..] below the diagonal and returns tau.
fn larfg(a: &mut Mat<f64>, row: usize, col: usize) -> f64 {
    let m = a.nrows();
    let alpha = a[(row, col)];
    let mut xnorm = 0.0f64;
    for i in row + 1..m {
        xnorm = xnorm.hypot(a[(i, col)]);
    }
    if xnorm == 0.0 {
        return 0.0;
    }
    let beta = -alpha.signum() * alpha.hypot(xnorm);
    let tau = (beta - alpha) / beta;
    let scale = 1.0 / (alpha - beta);
    for i in row + 1..m {
        a[(i, col)] *= scale;
    }
    a[(row, col)] = beta;
    tau
}

/// Applies H = I - tau·v·vᵀ (v = [1, refl[row+1.., col]]) to rows row.. of c from the left.
fn apply_left(
    refl: &Mat<f64>,
    row: usize,
    col: usize,
    tau: f64,
    c: &mut Mat<f64>,
    cols: std::ops::Range<usize>,
) {
    if tau == 0.0 {
        return;
    }
    let m = c.nrows();
    for j in cols {
        let mut w = c[(row, j)];
        for i in row + 1..m {
            w += refl[(i, col)] * c[(i, j)];
        }
        w *= tau;
        c[(row, j)] -= w;
        for i in row + 1..m {
            c[(i, j)] -= w * refl[(i, col)];
        }
    }
}

/// Applies H to columns row.. of c from the right (c·H).
fn apply_right(refl: &Mat<f64>, row: usize, col: usize, tau: f64, c: &mut Mat<f64>) {
    if tau == 0.0 {
        return;
    }
    let n = c.ncols();
    for i in 0..c.nrows() {
        let mut w = c[(i, row)];
        for j in row + 1..n {
            w += c[(i, j)] * refl[(j, col)];
        }
        w *= tau;
        c[(i, row)] -= w;
        for j in row + 1..n {
            c[(i, j)] -= w * refl[(j, col)];
        }
    }
}

/// dgeqr2: QR by Householder reflections in place; returns tau (min(m, n) of them).
pub fn geqrf(a: &mut Mat<f64>) -> Vec<f64> {
    let (m, n) = (a.nrows(), a.ncols());
    let k = m.min(n);
    let mut tau = Vec::with_capacity(k);
    for i in 0..k {
        let t = larfg(a, i, i);
        tau.push(t);
        if t != 0.0 && i + 1 < n {
            // Apply to the trailing columns; the reflector lives in column i of a itself.
            let refl: Vec<f64> = (0..m).map(|r| a[(r, i)]).collect();
            for j in i + 1..n {
                let mut w = a[(i, j)];
                for r in i + 1..m {
                    w += refl[r] * a[(r, j)];
                }
                w *= t;
                a[(i, j)] -= w;
                for r in i + 1..m {
                    a[(r, j)] -= w * refl[r];
                }
            }
        }
    }
    tau
}

/// dorm2r: c = op(Q)·c (left) or c·op(Q) (right), Q = H_0·H_1···H_{k-1} from `refl`/`tau`.
pub fn ormqr(refl: &Mat<f64>, tau: &[f64], c: &mut Mat<f64>, left: bool, transpose: bool) {
    let k = tau.len();
    // Q·C applies H_{k-1} first; Qᵀ·C applies H_0 first; C·Q applies H_0 first; C·Qᵀ H_{k-1}.
    let forward = left == transpose;
    let order: Vec<usize> = if forward { (0..k).collect() } else { (0..k).rev().collect() };
    let ncols = c.ncols();
    for i in order {
        if left {
            apply_left(refl, i, i, tau[i], c, 0..ncols);
        } else {
            apply_right(refl, i, i, tau[i], c);
        }
    }
}

/// dorg2r: the m×n matrix Q (first n columns) from the reflectors of an m×n geqrf result.
pub fn orgqr(refl: &Mat<f64>, tau: &[f64]) -> Mat<f64> {
    let (m, n) = (refl.nrows(), refl.ncols());
    let mut q = Mat::from_fn(m, n, |i, j| if i == j { 1.0 } else { 0.0 });
    let k = tau.len().min(n).min(m);
    ormqr(refl, &tau[..k], &mut q, true, false);
    q
}

/// Solves the upper triangular R (top n×n of `r`) x = b in place on the first n rows of b.
/// Err(i) when R[i, i] is zero.
pub fn solve_upper(r: &Mat<f64>, b: &mut Mat<f64>, n: usize) -> std::result::Result<(), usize> {
    for i in 0..n {
        if r[(i, i)] == 0.0 {
            return Err(i);
        }
    }
    for j in 0..b.ncols() {
        for i in (0..n).rev() {
            let mut s = b[(i, j)];
            for p in i + 1..n {
                s -= r[(i, p)] * b[(p, j)];
            }
            b[(i, j)] = s / r[(i, i)];
        }
    }
    Ok(())
}

/// Solves Rᵀ y = b (R the top n×n upper triangle of `r`) in place on the first n rows of b.
pub fn solve_upper_transposed(r: &Mat<f64>, b: &mut Mat<f64>, n: usize) -> std::result::Result<(), usize> {
    for i in 0..n {
        if r[(i, i)] == 0.0 {
            return Err(i);
        }
    }
    for j in 0..b.ncols() {
        for i in 0..n {
            let mut s = b[(i, j)];
            for p in 0..i {
                s -= r[(p, i)] * b[(p, j)];
            }
            b[(i, j)] = s / r[(i, i)];
        }
    }
    Ok(())
}

/// dpstf2 (upper): pivoted Cholesky of the symmetric `a` (both triangles filled). Returns U
/// (rows from the rank on zero), the 0-based pivots and the rank: a[piv][:, piv] = UᵀU.
pub fn pstrf(a: &Mat<f64>, tol: f64) -> (Mat<f64>, Vec<usize>, usize) {
    let n = a.nrows();
    let mut a = a.clone();
    let mut u = Mat::<f64>::zeros(n, n);
    let mut piv: Vec<usize> = (0..n).collect();
    let maxdiag = (0..n).map(|i| a[(i, i)]).fold(f64::NEG_INFINITY, f64::max);
    let tol = if tol < 0.0 { n as f64 * f64::EPSILON * maxdiag } else { tol };
    let mut rank = n;
    for j in 0..n {
        // Remaining diagonal of the Schur complement.
        let mut best = j;
        let mut bestv = f64::NEG_INFINITY;
        for i in j..n {
            let mut d = a[(i, i)];
            for p in 0..j {
                d -= u[(p, i)] * u[(p, i)];
            }
            if d > bestv {
                bestv = d;
                best = i;
            }
        }
        if bestv <= tol || bestv.is_nan() {
            rank = j;
            break;
        }
        if best != j {
            piv.swap(j, best);
            for p in 0..n {
                let t = a[(p, j)];
                a[(p, j)] = a[(p, best)];
                a[(p, best)] = t;
            }
            for p in 0..n {
                let t = a[(j, p)];
                a[(j, p)] = a[(best, p)];
                a[(best, p)] = t;
            }
            for p in 0..j {
                let t = u[(p, j)];
                u[(p, j)] = u[(p, best)];
                u[(p, best)] = t;
            }
        }
        let ujj = bestv.sqrt();
        u[(j, j)] = ujj;
        for i in j + 1..n {
            let mut s = a[(j, i)];
            for p in 0..j {
                s -= u[(p, j)] * u[(p, i)];
            }
            u[(j, i)] = s / ujj;
        }
    }
    (u, piv, rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gather_copies_every_layout_and_flags_non_finite() {
        // The last two are split over the kernel threads (PARALLEL_GRAIN), into uneven parts.
        for (m, n) in [(1, 1), (3, 5), (8, 8), (17, 9), (40, 71), (64, 33), (300, 257), (257, 301)] {
            let v: Vec<f64> = (0..m * n).map(|k| k as f64 * 0.5 - 3.0).collect();
            // (row stride, column stride) of a row-major, a column-major and a stepped source
            // over a buffer of 2·m·n elements.
            let big: Vec<f64> =
                (0..4 * m * n).map(|k| if k % 2 == 0 { v[(k / 2) % (m * n)] } else { 0.0 }).collect();
            let cases: [(Vec<f64>, isize, isize); 3] = [
                (v.clone(), n as isize, 1),
                ((0..m * n).map(|k| v[(k % m) * n + k / m]).collect(), 1, m as isize),
                (big, 2 * n as isize, 2),
            ];
            for (buf, rs, cs) in &cases {
                let want = |i: usize, j: usize| buf[i * *rs as usize + j * *cs as usize];
                let mut dst = Mat::<f64>::zeros(m, n);
                // SAFETY: (i, j) < (m, n) stays inside buf for each case.
                assert!(unsafe { gather(buf.as_ptr(), *rs, *cs, dst.as_mut()) });
                let f32s: Vec<f32> = buf.iter().map(|&x| x as f32).collect();
                let mut dst32 = Mat::<f64>::zeros(m, n);
                assert!(unsafe { gather(f32s.as_ptr(), *rs, *cs, dst32.as_mut()) });
                for i in 0..m {
                    for j in 0..n {
                        assert_eq!(dst[(i, j)], want(i, j), "{m}x{n} rs {rs} cs {cs} ({i}, {j})");
                        assert_eq!(dst32[(i, j)], want(i, j) as f32 as f64);
                    }
                }
                assert!(unsafe { all_finite(buf.as_ptr(), m, n, *rs, *cs) });
                // One non-finite element anywhere is seen, in the blocks and at the edges.
                for (bi, bj) in [(0, 0), (m - 1, n - 1), (m / 2, n - 1), (m - 1, 0)] {
                    let mut bad = buf.clone();
                    bad[bi * *rs as usize + bj * *cs as usize] =
                        if bi % 2 == 0 { f64::NAN } else { f64::INFINITY };
                    let mut dst = Mat::<f64>::zeros(m, n);
                    assert!(!unsafe { gather(bad.as_ptr(), *rs, *cs, dst.as_mut()) });
                    assert!(!unsafe { all_finite(bad.as_ptr(), m, n, *rs, *cs) });
                }
            }
        }
    }

    #[test]
    fn triangle_moves() {
        for n in [1, 5, 33, 70] {
            let a = Mat::from_fn(n, n, |i, j| (i * 100 + j) as f64 + 1.0);
            let mut b = a.clone();
            lower_to_upper(b.as_mut());
            let mut c = a.clone();
            zero_upper(c.as_mut());
            for i in 0..n {
                for j in 0..n {
                    let want_b = if i < j {
                        a[(j, i)]
                    } else if i == j {
                        a[(i, i)]
                    } else {
                        0.0
                    };
                    assert_eq!(b[(i, j)], want_b, "{n} ({i}, {j})");
                    assert_eq!(c[(i, j)], if i < j { 0.0 } else { a[(i, j)] });
                }
            }
        }
    }

    #[test]
    fn householder_qr_reconstructs() {
        let v = [2.0, -1.0, 0.5, 1.0, 3.0, -2.0, 0.0, 1.0, 4.0, 1.5, -0.5, 2.0];
        let a = mat_from_row_major(&v, 4, 3);
        let mut f = a.clone();
        let tau = geqrf(&mut f);
        let q = orgqr(&f, &tau);
        let r = Mat::from_fn(3, 3, |i, j| if j >= i { f[(i, j)] } else { 0.0 });
        let qr = &q * &r;
        for i in 0..4 {
            for j in 0..3 {
                assert!((qr[(i, j)] - a[(i, j)]).abs() < 1e-12);
            }
        }
    }
}
