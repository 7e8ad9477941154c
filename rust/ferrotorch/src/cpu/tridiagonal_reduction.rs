//! CPU kernels: reduction of a symmetric matrix to tridiagonal form, A = Q·T·Qᵀ (LAPACK's
//! dsytd2, lower triangle), with the reflectors stored as faer stores them, so faer's
//! divide and conquer and its blocked reflector products can finish the eigendecomposition.
//!
//! Each step k makes a reflector from column k and applies it to the trailing matrix as the
//! rank-2 update A₂₂ −= v·wᵀ + w·vᵀ, where w needs the product A₂₂·v. As in faer, the update of
//! step k is deferred into step k+1's pass over the matrix, so each element of the trailing
//! lower triangle is read and written once per step: the update, then both halves of the
//! symmetric product (the column's dot with v and its multiple added to a row accumulator).
//!
//! What is ours is the pass: two columns at a time (half the loads of the five vectors it
//! streams), on 8-row vectors aligned to the matrix's cache lines (no split loads), and from
//! trailing order [`PARALLEL_MIN`] split by columns over a [`team`] of threads, each with its
//! own row accumulator. Measured at 512 (docs/ARCHITECTURE.md, "Tridiagonal reduction"):
//! 4.8-5.2 ms against faer's 6.4-7.3; at 1024, 32-39 against 68-77.
//!
//! Two alternatives measured slower at 512 and were dropped: LAPACK's blocked dsytrd (dlatrd
//! panels, a read-only product per column and a rank-64 GEMM update per panel: 6.7-7.3 ms,
//! since its panel corrections cost as much as the saved writes), and a split of every step
//! over both cores (the vectors each step shares cross between the cores' caches).
//!
//! [`team`]: crate::cpu::team

use crate::cpu::blas::Simd;
use crate::cpu::team::{with_team, Team};
use crate::iter::SendPtr;
use faer::dyn_stack::MemStack;
use faer::{Mat, MatMut, MatRef, Par};

/// Trailing orders below which a step's pass runs on one thread. Below it a split pass was no
/// faster (the member re-reads the step's vectors from the other core); above it two threads
/// take 1024² from 60-66 ms to 32-39 (96, 256, 384 and never swept at 512, 768 and 1024).
const PARALLEL_MIN: usize = 256;

/// The tridiagonal matrix and the reflectors' coefficients.
pub struct Tridiagonal {
    /// The diagonal (n entries).
    pub diagonal: Vec<f64>,
    /// The subdiagonal (n − 1 entries).
    pub subdiagonal: Vec<f64>,
    /// faer's reflector coefficients τ (H = I − v·vᵀ/τ; ∞ for the identity), n − 1 of them.
    pub tau: Vec<f64>,
}

/// Reduces the symmetric matrix whose lower triangle is in `a` (column-major, n×n) to
/// tridiagonal form on up to `threads` threads. On return the strict lower part below the
/// subdiagonal holds the reflectors' tails (reflector k: 1 at row k + 1, then rows k + 2..),
/// and the subdiagonal holds T's subdiagonal; the upper triangle is not read or written.
pub fn tridiagonalize(a: MatMut<'_, f64>, threads: usize) -> Tridiagonal {
    let n = a.nrows();
    assert!(a.ncols() == n && a.row_stride() == 1, "tridiagonalize: a square column-major matrix");
    let mut t =
        Tridiagonal { diagonal: vec![0.0; n], subdiagonal: vec![0.0; n.saturating_sub(1)], tau: vec![] };
    if n == 0 {
        return t;
    }
    let ld = a.col_stride() as usize;
    let ptr = SendPtr(a.as_ptr_mut());
    let threads = if n > PARALLEL_MIN { threads.max(1) } else { 1 };

    t.tau = with_team(threads, |team| {
        // SAFETY: `ptr`/`ld` describe `a`, which this call borrows mutably throughout.
        unsafe { reduce(ptr, n, ld, &mut t.diagonal, &mut t.subdiagonal, team) }
    });
    t
}

/// The step loop of [`tridiagonalize`]: returns the reflectors' τ.
///
/// # Safety
/// `a` addresses an n×n column-major matrix with leading dimension `ld` ≥ n that nothing else
/// accesses during the call.
unsafe fn reduce(
    a: SendPtr<f64>,
    n: usize,
    ld: usize,
    d: &mut [f64],
    e: &mut [f64],
    team: &Team,
) -> Vec<f64> {
    let members = team.size();
    // Full-length vectors (zero above their support): the previous step's v and w, this
    // step's v, the symmetric product's column dots (y) and each chunk's row accumulator (z).
    let stride = n.next_multiple_of(8);
    let mut prev_v = Aligned::zeros(n);
    let mut prev_w = Aligned::zeros(n);
    let mut v = Aligned::zeros(n);
    let mut y = vec![0.0; n];
    let mut z = Aligned::zeros(stride * members);
    let mut tau = Vec::with_capacity(n - 1);
    // SAFETY (element access below): rows and columns stay below n; `ld` is the column stride.
    let at = |i: usize, j: usize| unsafe { a.at(i + j * ld) };
    for k in 0..n {
        if k > 0 {
            // Column k gets the previous step's update now: its reflector is needed before the pass.
            let (pv, pw) = (prev_v.as_slice(), prev_w.as_slice());
            let (vk, wk) = (pv[k], pw[k]);
            // SAFETY: rows k..n of column k, which no other reference covers.
            let col = unsafe { std::slice::from_raw_parts_mut(at(k, k), n - k) };
            for ((a, &v), &w) in col.iter_mut().zip(&pv[k..]).zip(&pw[k..]) {
                *a -= v * wk + w * vk;
            }
        }
        d[k] = unsafe { *at(k, k) };
        if k + 1 == n {
            break;
        }
        let m = n - k - 1;
        let info = unsafe {
            let head = &mut *at(k + 1, k);
            let tail = faer::col::ColMut::from_raw_parts_mut(at(k + 2, k), m - 1, 1);
            faer::linalg::householder::make_householder_in_place(head, tail)
        };
        e[k] = unsafe { *at(k + 1, k) };
        tau.push(info.tau);
        let inv_tau = if info.tau.is_finite() { info.tau.recip() } else { 0.0 };
        let vs = v.as_mut_slice();
        vs[k] = 0.0;
        vs[k + 1] = 1.0;
        // SAFETY: rows k + 2..n of column k.
        vs[k + 2..].copy_from_slice(unsafe { std::slice::from_raw_parts(at(k + 2, k), m - 1) });
        // The pass over columns k+1.. : the previous update, and A₂₂·v into y (dots) and z
        // (rows). Chunks start an even number of columns in, so only column n − 1 goes alone.
        let chunks = if m >= PARALLEL_MIN { members } else { 1 };
        let starts: Vec<usize> = (0..=chunks)
            .map(|c| if c == chunks { n } else { k + 1 + area_split(m, c, chunks) / 2 * 2 })
            .collect();
        {
            let x = PassVectors { prev_v: prev_v.as_slice(), prev_w: prev_w.as_slice(), v: v.as_slice() };
            let (ys, zs) = (SendPtr(y.as_mut_ptr()), SendPtr(z.as_mut_slice().as_mut_ptr()));
            let starts = &starts;
            team.for_each(chunks, &|c| {
                let (c0, c1) = (starts[c], starts[c + 1]);
                // SAFETY: chunk c writes columns c0..c1 of `a`, y[c0..c1] and z's block c
                // (rows c0..n): disjoint from the other chunks'; the rest is only read.
                unsafe {
                    let zc = zs.at(c * stride);
                    // From row k + 1, so the sums below need no per-chunk start.
                    std::ptr::write_bytes(zc.add(k + 1), 0, n - k - 1);
                    let mut j = c0;
                    while j + 1 < c1 {
                        let (d0, d1) = fused_pair(a.at(j * ld), a.at((j + 1) * ld), zc, x, j, n);
                        (*ys.at(j), *ys.at(j + 1)) = (d0, d1);
                        j += 2;
                    }
                    if j < c1 {
                        *ys.at(j) = fused_column(a.at(j * ld), zc, x, j, n);
                    }
                }
            });
        }
        // p = A₂₂·v / τ (vectorised sums; the dot through the SIMD kernel, as a scalar loop's
        // chain of dependent adds cost ~0.2 ms at 512), then w = p − (p·v / 2τ)·v.
        let zs = z.as_slice();
        let p = &mut y[k + 1..];
        match chunks {
            1 => {
                for (y, &z0) in p.iter_mut().zip(&zs[k + 1..n]) {
                    *y = (*y + z0) * inv_tau;
                }
            }
            2 => {
                for ((y, &z0), &z1) in p.iter_mut().zip(&zs[k + 1..n]).zip(&zs[stride + k + 1..stride + n]) {
                    *y = (*y + z0 + z1) * inv_tau;
                }
            }
            _ => {
                for c in 0..chunks {
                    for (y, &zc) in p.iter_mut().zip(&zs[c * stride + k + 1..c * stride + n]) {
                        *y += zc;
                    }
                }
                p.iter_mut().for_each(|y| *y *= inv_tau);
            }
        }
        let pv = Simd::dot(p, &v.as_slice()[k + 1..]);
        let alpha = -0.5 * inv_tau * pv;
        std::mem::swap(&mut prev_v, &mut v);
        let (pv, pw) = (prev_v.as_slice(), prev_w.as_mut_slice());
        pw[k] = 0.0;
        for ((w, &p), &v) in pw[k + 1..].iter_mut().zip(&y[k + 1..]).zip(&pv[k + 1..]) {
            *w = p + alpha * v;
        }
    }
    tau
}

/// A zeroed f64 buffer whose first element is 64-byte aligned (a cache line, an AVX-512 vector).
struct Aligned {
    lines: Vec<Line>,
    len: usize,
}

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([f64; 8]);

impl Aligned {
    fn zeros(len: usize) -> Self {
        Aligned { lines: vec![Line([0.0; 8]); len.div_ceil(8)], len }
    }
    fn as_slice(&self) -> &[f64] {
        // SAFETY: `Line` is 8 f64 with no padding (repr(C), 64 bytes), so the lines are
        // 8·lines.len() ≥ len contiguous f64.
        unsafe { std::slice::from_raw_parts(self.lines.as_ptr().cast(), self.len) }
    }
    fn as_mut_slice(&mut self) -> &mut [f64] {
        // SAFETY: as in `as_slice`, borrowed mutably.
        unsafe { std::slice::from_raw_parts_mut(self.lines.as_mut_ptr().cast(), self.len) }
    }
}

/// The first column of chunk `c` of `chunks` over a trailing lower triangle of order m, so that
/// each chunk holds about the same number of elements.
fn area_split(m: usize, c: usize, chunks: usize) -> usize {
    ((1.0 - (1.0 - c as f64 / chunks as f64).sqrt()) * m as f64) as usize
}

/// The vectors a step's pass reads: the previous step's reflector and update vector, and this
/// step's reflector (full length, zero above their support).
#[derive(Clone, Copy)]
struct PassVectors<'a> {
    prev_v: &'a [f64],
    prev_w: &'a [f64],
    v: &'a [f64],
}

/// Columns j and j + 1 of the trailing matrix (rows j.. and j + 1..n): applies the previous
/// update (a −= pv·pw[c] + pw·pv[c]), adds a·v[c] into the row accumulator z below each
/// column's diagonal and returns the columns' dots with v. Two columns per pass halve the
/// loads of the streamed vectors, which bound the pass.
///
/// # Safety
/// `c0`, `c1` and `z` address n elements (row 0 at index 0); j + 1 < n; the vectors hold n.
#[inline]
unsafe fn fused_pair(
    c0: *mut f64,
    c1: *mut f64,
    z: *mut f64,
    x: PassVectors,
    j: usize,
    n: usize,
) -> (f64, f64) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            // SAFETY: the CPU has the feature; the rest is the caller's.
            return unsafe { fused_pair_avx512(c0, c1, z, x, j, n) };
        }
    }
    unsafe { (fused_column(c0, z, x, j, n), fused_column(c1, z, x, j + 1, n)) }
}

/// One column of [`fused_pair`]'s work, in plain Rust: the pass's last column, and the whole
/// pass on CPUs without AVX-512.
///
/// # Safety
/// `col` and `z` address n elements (row 0 at index 0); j < n; the vectors hold n.
unsafe fn fused_column(col: *mut f64, z: *mut f64, x: PassVectors, j: usize, n: usize) -> f64 {
    let PassVectors { prev_v: pv, prev_w: pw, v } = x;
    let (pwj, pvj, vj) = (pw[j], pv[j], v[j]);
    let mut dot = 0.0;
    for i in j..n {
        // SAFETY: i < n (caller).
        unsafe {
            let a = *col.add(i) - pv[i] * pwj - pw[i] * pvj;
            *col.add(i) = a;
            if i > j {
                *z.add(i) += a * vj;
            }
            dot += a * v[i];
        }
    }
    dot
}

/// [`fused_pair`] with AVX-512. The rows go in 8-row vectors aligned to the index (a masked
/// head and tail), so a 64-byte-aligned matrix with a leading dimension that is a multiple of 8
/// and the 64-byte-aligned vectors are read without cache-line splits.
///
/// # Safety
/// As [`fused_pair`], and the CPU has AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn fused_pair_avx512(
    c0: *mut f64,
    c1: *mut f64,
    z: *mut f64,
    x: PassVectors,
    j: usize,
    n: usize,
) -> (f64, f64) {
    use std::arch::x86_64::*;
    let PassVectors { prev_v: pv, prev_w: pw, v } = x;
    let (pvp, pwp, vp) = (pv.as_ptr(), pw.as_ptr(), v.as_ptr());
    let (k0, k1) = (j, j + 1);
    let (pw0, pv0, v0) = (_mm512_set1_pd(pw[k0]), _mm512_set1_pd(pv[k0]), _mm512_set1_pd(v[k0]));
    let (pw1, pv1, v1) = (_mm512_set1_pd(pw[k1]), _mm512_set1_pd(pv[k1]), _mm512_set1_pd(v[k1]));
    let mut acc0 = [_mm512_setzero_pd(); 2];
    let mut acc1 = [_mm512_setzero_pd(); 2];
    // SAFETY (all accesses): lanes i..i + 8 under mask m lie in j + 1..n (the head's mask
    // starts at j + 1, the loop's vectors end by n, the tail's mask stops at n). A macro, not
    // a closure, so the body keeps the target feature.
    macro_rules! rows {
        ($i:expr, $m:expr, $u:expr) => {{
            let i: usize = $i;
            let m: __mmask8 = $m;
            let (pvv, pwv) = (_mm512_maskz_loadu_pd(m, pvp.add(i)), _mm512_maskz_loadu_pd(m, pwp.add(i)));
            let a0 =
                _mm512_fnmadd_pd(pwv, pv0, _mm512_fnmadd_pd(pvv, pw0, _mm512_maskz_loadu_pd(m, c0.add(i))));
            let a1 =
                _mm512_fnmadd_pd(pwv, pv1, _mm512_fnmadd_pd(pvv, pw1, _mm512_maskz_loadu_pd(m, c1.add(i))));
            _mm512_mask_storeu_pd(c0.add(i), m, a0);
            _mm512_mask_storeu_pd(c1.add(i), m, a1);
            let zv = _mm512_fmadd_pd(a1, v1, _mm512_fmadd_pd(a0, v0, _mm512_maskz_loadu_pd(m, z.add(i))));
            _mm512_mask_storeu_pd(z.add(i), m, zv);
            let vv = _mm512_maskz_loadu_pd(m, vp.add(i));
            acc0[$u] = _mm512_fmadd_pd(a0, vv, acc0[$u]);
            acc1[$u] = _mm512_fmadd_pd(a1, vv, acc1[$u]);
        }};
    }
    let first = j + 1;
    let below = |r: usize| -> u8 {
        if r >= 8 {
            0xFF
        } else {
            ((1u32 << r) - 1) as u8
        }
    };
    // SAFETY: see the macro; the scalar lines touch row j (< n) and row j + 1 (< n, caller).
    unsafe {
        // Row j: column j's diagonal, which goes to its dot only.
        let d = *c0.add(j) - pv[j] * pw[k0] - pw[j] * pv[k0];
        *c0.add(j) = d;
        let mut i = first & !7;
        rows!(i, below(n - i) & !below(first - i), 0);
        i += 8;
        while i + 16 <= n {
            rows!(i, 0xFF, 0);
            i += 8;
            rows!(i, 0xFF, 1);
            i += 8;
        }
        while i < n {
            rows!(i, below(n - i), 1);
            i += 8;
        }
        // Row j + 1 is column j + 1's diagonal: take it back out of z.
        *z.add(k1) -= *c1.add(k1) * v[k1];
        let dot0 = _mm512_reduce_add_pd(_mm512_add_pd(acc0[0], acc0[1]));
        (d * v[j] + dot0, _mm512_reduce_add_pd(_mm512_add_pd(acc1[0], acc1[1])))
    }
}

/// u ← Q·u for the Q of a reduction: the reflectors in `a` ([`tridiagonalize`]'s result, or
/// faer's, which stores them alike) with their block factors `h` ([`block_factors`]).
pub fn apply_q(a: MatRef<'_, f64>, h: MatRef<'_, f64>, u: MatMut<'_, f64>, par: Par, stack: &mut MemStack) {
    let n = a.nrows();
    if n > 1 {
        faer::linalg::householder::apply_block_householder_sequence_on_the_left_in_place_with_conj(
            a.submatrix(1, 0, n - 1, n - 1),
            h,
            faer::Conj::No,
            u.subrows_mut(1, n - 1),
            par,
            stack,
        );
    }
}

/// faer's blocked form of the reflectors (`block` rows, n − 1 columns: each block's triangular
/// factor), for [`apply_q`]; `a` is [`tridiagonalize`]'s result.
pub fn block_factors(a: MatRef<'_, f64>, tau: &[f64], block: usize, par: Par) -> Mat<f64> {
    let n1 = tau.len();
    let mut h = Mat::<f64>::zeros(block, n1);
    if n1 == 0 {
        return h;
    }
    let essentials = a.submatrix(1, 0, n1, n1);
    let mut j = 0;
    while j < n1 {
        let b = block.min(n1 - j);
        let mut hb = h.as_mut().submatrix_mut(0, j, b, b);
        for c in 0..b {
            hb[(c, c)] = tau[j + c];
        }
        faer::linalg::householder::upgrade_householder_factor(
            hb,
            essentials.submatrix(j, j, n1 - j, b),
            b,
            1,
            par,
        );
        j += b;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn symmetric(n: usize, seed: u64) -> Mat<f64> {
        let r = crate::cpu::lu::tests::random(n, n, seed);
        Mat::from_fn(n, n, |i, j| r[i + j * n] + r[j + i * n])
    }

    /// Q·T·Qᵀ from the reduced matrix, through faer's blocked reflector product.
    fn reassemble(red: &Mat<f64>, t: &Tridiagonal) -> Mat<f64> {
        let n = red.nrows();
        let mut q = Mat::<f64>::identity(n, n);
        if n > 1 {
            let h = block_factors(red.as_ref(), &t.tau, 4, Par::Seq);
            let scratch =
                faer::linalg::householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<f64>(
                    n - 1,
                    4,
                    n,
                );
            let mut mem = faer::dyn_stack::MemBuffer::new(scratch);
            apply_q(red.as_ref(), h.as_ref(), q.as_mut(), Par::Seq, MemStack::new(&mut mem));
        }
        let tri = Mat::from_fn(n, n, |i, j| match i.abs_diff(j) {
            0 => t.diagonal[i],
            1 => t.subdiagonal[i.min(j)],
            _ => 0.0,
        });
        &q * &tri * q.transpose()
    }

    #[test]
    fn q_t_qt_rebuilds_the_matrix_on_one_to_three_threads() {
        // Orders on both sides of the parallel threshold, and the chunk splits of 2-3 threads.
        for &n in &[1usize, 2, 3, 9, 40, 97, 150, 270] {
            let a = symmetric(n, n as u64);
            for threads in [1, 2, 3] {
                let mut red = a.clone();
                let t = tridiagonalize(red.as_mut(), threads);
                let back = reassemble(&red, &t);
                let err = (&back - &a).norm_max();
                assert!(err < 1e-12 * n as f64, "n={n} threads={threads}: |QTQᵀ − A| = {err}");
            }
        }
    }

    #[test]
    fn threads_change_nothing_but_rounding_and_the_upper_triangle_is_untouched() {
        // 300: the first steps' passes are split over the threads.
        let n = 300;
        let mut a = symmetric(n, 7);
        for j in 1..n {
            for i in 0..j {
                a[(i, j)] = f64::NAN; // must not be read
            }
        }
        let (mut one, mut two) = (a.clone(), a.clone());
        let t1 = tridiagonalize(one.as_mut(), 1);
        let t2 = tridiagonalize(two.as_mut(), 2);
        for j in 1..n {
            for i in 0..j {
                assert!(two[(i, j)].is_nan());
            }
        }
        for i in 0..n - 1 {
            assert!((t1.diagonal[i] - t2.diagonal[i]).abs() < 1e-11, "diagonal {i}");
            assert!((t1.subdiagonal[i] - t2.subdiagonal[i]).abs() < 1e-11, "subdiagonal {i}");
        }
    }

    #[test]
    fn a_column_that_is_already_reduced_gets_the_identity() {
        // Column 0 has nothing below its subdiagonal: τ = ∞ (faer's identity), and the result
        // still rebuilds the matrix.
        let n = 6;
        let mut a = symmetric(n, 3);
        for i in 2..n {
            a[(i, 0)] = 0.0;
            a[(0, i)] = 0.0;
        }
        let mut red = a.clone();
        let t = tridiagonalize(red.as_mut(), 1);
        let back = reassemble(&red, &t);
        assert!((&back - &a).norm_max() < 1e-12);
    }

    #[test]
    fn the_simd_pair_matches_two_portable_columns() {
        // Lengths across the head, unrolled, single and masked-tail paths, from every
        // alignment of the first row.
        let n = 77;
        let r = crate::cpu::lu::tests::random(n, 6, 11);
        let x = PassVectors { prev_v: &r[..n], prev_w: &r[n..2 * n], v: &r[2 * n..3 * n] };
        for j in (0..n - 1).filter(|&j| j < 12 || j % 7 == 0 || j > n - 12) {
            let (mut a1, mut z1) = (r[3 * n..5 * n].to_vec(), r[5 * n..].to_vec());
            let (mut a2, mut z2) = (a1.clone(), z1.clone());
            let (c, z) = (a1.as_mut_ptr(), z1.as_mut_ptr());
            let want = unsafe { (fused_column(c, z, x, j, n), fused_column(c.add(n), z, x, j + 1, n)) };
            let got =
                unsafe { fused_pair(a2.as_mut_ptr(), a2.as_mut_ptr().add(n), z2.as_mut_ptr(), x, j, n) };
            assert!(
                (want.0 - got.0).abs() < 1e-12 && (want.1 - got.1).abs() < 1e-12,
                "j={j}: {want:?} vs {got:?}"
            );
            for i in 0..2 * n {
                assert!((a1[i] - a2[i]).abs() < 1e-13, "j={j} element {i}");
            }
            for i in 0..n {
                assert!((z1[i] - z2[i]).abs() < 1e-13, "j={j} row {i}");
            }
        }
    }
}
