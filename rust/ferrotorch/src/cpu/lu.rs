//! CPU kernels: LU factorization with partial pivoting (LAPACK dgetrf's result).
//!
//! `P·A = L·U` in place on a column-major f64 matrix, with LAPACK's pivot order (the first entry
//! of largest magnitude). Two schedules:
//!
//! - **Blocked with look-ahead** (two or more threads, n ≥ [`BLOCKED_MIN`]; the schedule is
//!   `cpu/lookahead.rs`): panels of [`PANEL`] columns; applying a panel to later columns is
//!   their row swaps, `U12 = L11⁻¹·A12` and `A22 -= L21·U12` as one single-threaded GEMM per
//!   thread.
//! - **Recursive** (Toledo; one thread, small matrices, and every panel): factor the left half,
//!   apply its swaps to the right half, `A12 = L11⁻¹·A12`, `A22 -= A21·A12`, factor A22. The
//!   leaves (16 columns) are LAPACK's unblocked dgetf2.
//!
//! Written because faer's LU ran at ~40 GFLOP/s at 512² (2.0-2.2 ms) and its parallel version
//! was slower still; this one takes 1.2-1.6 ms there (docs/ARCHITECTURE.md, "LU").

use super::blas::{BlasScalar, MatMut, MatRef, Simd};

/// Columns of a leaf of the recursion, factored column by column.
const LEAF: usize = 16;
/// Columns per panel of the blocked schedule (48-128 measured within 10% at 512²; 64 best).
const PANEL: usize = 64;
/// Smallest order for the blocked schedule; below it the recursion on one thread is as fast.
const BLOCKED_MIN: usize = 192;
/// The cost of factoring a panel, in columns of trailing update of the same height: how much
/// less of the trailing update the look-ahead thread takes (1-2.5 measured alike; 1.5 best).
const PANEL_COST: f64 = 1.5;

/// A column-major f64 block: element (i, j) at `ptr + i + j·ld`.
#[derive(Clone, Copy)]
pub(crate) struct Block {
    pub(crate) ptr: *mut f64,
    pub(crate) rows: usize,
    pub(crate) cols: usize,
    pub(crate) ld: usize,
}

// SAFETY: a Block is a view that the blocked schedule hands to pool threads; the tasks of one
// step write disjoint column ranges and only read the finished panel, which no task writes.
unsafe impl Send for Block {}
unsafe impl Sync for Block {}

impl Block {
    pub(crate) fn sub(self, r0: usize, c0: usize, rows: usize, cols: usize) -> Block {
        Block { ptr: self.ptr.wrapping_add(r0 + c0 * self.ld), rows, cols, ..self }
    }

    /// Column j from row r0 to the end.
    ///
    /// # Safety
    /// The block is valid and not aliased by another live reference to that column.
    pub(crate) unsafe fn col<'a>(self, j: usize, r0: usize) -> &'a mut [f64] {
        // SAFETY: rows r0..rows of column j lie in the block.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(r0 + j * self.ld), self.rows - r0) }
    }

    /// The address of element (i, j) (computed, not dereferenced).
    pub(crate) fn at(self, i: usize, j: usize) -> *mut f64 {
        self.ptr.wrapping_add(i + j * self.ld)
    }

    pub(crate) fn as_ref(self) -> MatRef<f64> {
        MatRef { ptr: self.ptr, rows: self.rows, cols: self.cols, rs: 1, cs: self.ld as isize }
    }

    pub(crate) fn as_mut(self) -> MatMut<f64> {
        MatMut { ptr: self.ptr, rows: self.rows, cols: self.cols, rs: 1, cs: self.ld as isize }
    }
}

/// Factors the m×n matrix at `a` (column-major, leading dimension `ld` ≥ m, m ≥ n) in place:
/// L below the diagonal (unit diagonal not stored), U on and above it. `piv[j]` (n entries) is
/// the row swapped with row j at step j, as LAPACK's ipiv but 0-based. A zero pivot does not
/// stop the factorization (LAPACK's info > 0 case): the caller checks U's diagonal. With
/// `threads` ≥ 2 and n ≥ [`BLOCKED_MIN`] the blocked schedule splits its work in that many
/// parts and runs them on the kernel pool.
///
/// # Safety
/// `a` points to m×n valid, writable f64 elements with that layout, not aliased elsewhere.
pub unsafe fn lu_in_place(a: *mut f64, m: usize, n: usize, ld: usize, piv: &mut [usize], threads: usize) {
    assert!(
        m >= n && ld >= m.max(1) && piv.len() == n,
        "lu_in_place: {m}x{n}, ld {ld}, {} pivots",
        piv.len()
    );
    let a = Block { ptr: a, rows: m, cols: n, ld };
    // SAFETY: forwarded.
    unsafe {
        if n >= BLOCKED_MIN && threads > 1 {
            crate::parallel::install(|| blocked(a, piv, threads))
        } else {
            factor(a, piv)
        }
    }
}

/// The pivot rows as a permutation: `perm[i]` is the row of A that is row i of P·A.
pub fn permutation(piv: &[usize], m: usize) -> Vec<usize> {
    let mut perm: Vec<usize> = (0..m).collect();
    for (j, &p) in piv.iter().enumerate() {
        perm.swap(j, p);
    }
    perm
}

/// The inverse of a permutation: `inv[perm[i]] = i`.
pub fn inverse_permutation(perm: &[usize]) -> Vec<usize> {
    let mut inv = vec![0; perm.len()];
    perm.iter().enumerate().for_each(|(i, &p)| inv[p] = i);
    inv
}

/// The blocked schedule with a look-ahead of one panel (`cpu/lookahead.rs`). The swaps of
/// later panels on earlier panels' columns are applied at the end.
///
/// # Safety
/// As [`lu_in_place`]; runs inside the kernel pool.
unsafe fn blocked(a: Block, piv: &mut [usize], threads: usize) {
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    let (m, n) = (a.rows, a.cols);
    // Written by the thread that factors a panel, read by the updates of the next step.
    let pivots: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
    super::lookahead::run(
        n,
        n,
        PANEL,
        threads,
        PANEL_COST,
        |j, w| {
            let mut p = vec![0; w];
            // SAFETY: the panel's columns, rows j..m; no other task touches them now.
            unsafe { factor(a.sub(j, j, m - j, w), &mut p) };
            p.iter().enumerate().for_each(|(k, &r)| pivots[j + k].store(r + j, Relaxed));
        },
        |j, w, c0, cw| {
            let pk: Vec<usize> = pivots[j..j + w].iter().map(|p| p.load(Relaxed)).collect();
            // SAFETY: columns c0..c0 + cw right of the panel, this task's alone.
            unsafe { update_columns(a, j, j + w, &pk, a.sub(0, c0, m, cw)) }
        },
    );
    piv.iter_mut().zip(&pivots).for_each(|(p, q)| *p = q.load(Relaxed));
    // SAFETY: forwarded.
    unsafe { swap_left_columns(a, piv) };
}

/// Applies each panel's later swaps (rows below it) to its columns, as one gather per column.
///
/// # Safety
/// As [`blocked`], after the last panel.
unsafe fn swap_left_columns(a: Block, piv: &[usize]) {
    use rayon::prelude::*;
    let (m, n) = (a.rows, a.cols);
    let starts: Vec<usize> = (0..n).step_by(PANEL).filter(|&j| j + PANEL < n).collect();
    starts.par_iter().for_each(|&j| {
        let first = j + PANEL;
        // order[i]: the row that becomes row first + i.
        let mut order: Vec<usize> = (first..m).collect();
        for (k, &p) in piv[first..].iter().enumerate() {
            order.swap(k, p - first);
        }
        let mut moved = vec![0.0; m - first];
        for c in j..first {
            // SAFETY: rows first..m of column c of `a`; this task alone touches columns j..first.
            let col = unsafe { a.col(c, first) };
            moved.iter_mut().zip(&order).for_each(|(t, &r)| *t = col[r - first]);
            col.copy_from_slice(&moved);
        }
    });
}

/// Applies the factored panel at columns `j..jn` (pivots `pk`) to the columns `cols` (all m
/// rows): their row swaps, `U12 = L11⁻¹·A12`, and `A22 -= L21·U12`.
///
/// # Safety
/// `cols` lies in `a` right of column jn, and no other thread touches it.
unsafe fn update_columns(a: Block, j: usize, jn: usize, pk: &[usize], cols: Block) {
    let m = a.rows;
    let w = jn - j;
    // SAFETY: sub-blocks of `a` (the panel is only read) and of `cols`.
    unsafe {
        swap_rows(cols, pk, j);
        let u12 = cols.sub(j, 0, w, cols.cols);
        trsm_lower_unit(a.sub(j, j, w, w), u12);
        let (l21, a22) = (a.sub(jn, j, m - jn, w), cols.sub(jn, 0, m - jn, cols.cols));
        f64::gemm(a22.as_mut(), 1.0, -1.0, l21.as_ref(), u12.as_ref(), 1);
    }
}

/// The recursive schedule on one thread.
///
/// # Safety
/// As [`lu_in_place`].
unsafe fn factor(a: Block, piv: &mut [usize]) {
    let (m, n) = (a.rows, a.cols);
    if n <= LEAF {
        // SAFETY: forwarded.
        return unsafe { leaf(a, piv) };
    }
    let n1 = n / 2;
    let n2 = n - n1;
    let (left, right) = (a.sub(0, 0, m, n1), a.sub(0, n1, m, n2));
    // SAFETY (all calls): disjoint sub-blocks of the caller's block.
    unsafe {
        factor(left, &mut piv[..n1]);
        swap_rows(right, &piv[..n1], 0);
        let (l11, a12) = (a.sub(0, 0, n1, n1), a.sub(0, n1, n1, n2));
        trsm_lower_unit(l11, a12);
        let (a21, a22) = (a.sub(n1, 0, m - n1, n1), a.sub(n1, n1, m - n1, n2));
        f64::gemm(a22.as_mut(), 1.0, -1.0, a21.as_ref(), a12.as_ref(), 1);
        factor(a22, &mut piv[n1..]);
        for p in &mut piv[n1..] {
            *p += n1;
        }
        swap_rows(left, &piv[n1..], n1);
    }
}

/// Swaps row `first + j` with row `piv[j]` of `b`, for j in order. Column by column: a column
/// is contiguous, so all its swaps hit one short run of memory (row by row touched every
/// column's page once per pivot).
///
/// # Safety
/// `b` is valid and not aliased; every `first + j` and `piv[j]` is below b.rows.
unsafe fn swap_rows(b: Block, piv: &[usize], first: usize) {
    for c in 0..b.cols {
        let col = b.ptr.wrapping_add(c * b.ld);
        for (j, &p) in piv.iter().enumerate() {
            // SAFETY: column c < b.cols; rows first + j and piv[j] < b.rows (caller).
            unsafe { std::ptr::swap(col.add(first + j), col.add(p)) };
        }
    }
}

/// LAPACK's dgetf2 on a panel of at most [`LEAF`] columns.
///
/// # Safety
/// As [`lu_in_place`].
unsafe fn leaf(a: Block, piv: &mut [usize]) {
    for (j, pj) in piv.iter_mut().enumerate().take(a.cols) {
        // The first entry of largest magnitude, as idamax.
        // SAFETY (all column slices): columns of the block, one live slice per column.
        let p = j + unsafe { a.col(j, j) }
            .iter()
            .enumerate()
            .fold((0, -1.0), |(bi, bv), (i, v)| if v.abs() > bv { (i, v.abs()) } else { (bi, bv) })
            .0;
        *pj = p;
        if p != j {
            // SAFETY: rows j and p of the panel (no slice is live).
            unsafe { swap_rows(a, &[p], j) };
        }
        // SAFETY: column j of the panel, the only live slice.
        let col = unsafe { a.col(j, j) };
        let d = col[0];
        if d == 0.0 {
            continue;
        }
        let below = &mut col[1..];
        if d.abs() >= f64::MIN_POSITIVE {
            let r = 1.0 / d;
            below.iter_mut().for_each(|v| *v *= r);
        } else {
            below.iter_mut().for_each(|v| *v /= d);
        }
        for k in j + 1..a.cols {
            // SAFETY: column k ≠ j, rows j.. of the panel.
            let ck = unsafe { a.col(k, j) };
            let f = ck[0];
            if f != 0.0 {
                Simd::<f64>::axpy(&mut ck[1..], -f, below);
            }
        }
    }
}

/// `b = L⁻¹·b` for the unit lower triangular `l` (n×n, only its strict lower part is read) and
/// b (n×k), by faer's blocked substitution (measured 2.5x faster here than a recursion with
/// column-by-column leaves).
///
/// # Safety
/// `l` and `b` are valid, disjoint blocks, and b is not aliased elsewhere.
unsafe fn trsm_lower_unit(l: Block, b: Block) {
    // SAFETY: the blocks' pointers, sizes and leading dimensions describe valid elements.
    let (l, b) = unsafe {
        (
            faer::MatRef::from_raw_parts(l.ptr as *const f64, l.rows, l.cols, 1, l.ld as isize),
            faer::MatMut::from_raw_parts_mut(b.ptr, b.rows, b.cols, 1, b.ld as isize),
        )
    };
    faer::linalg::triangular_solve::solve_unit_lower_triangular_in_place(l, b, faer::Par::Seq);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// m·n uniform values in [-0.5, 0.5) from a fixed LCG (shared by the linear algebra tests).
    pub(crate) fn random(m: usize, n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..m * n)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5
            })
            .collect()
    }

    /// max |(P·A − L·U)_ij| for the factored `lu` of `a` (both column-major, ld = m).
    fn residual(a: &[f64], lu: &[f64], piv: &[usize], m: usize, n: usize) -> f64 {
        let perm = permutation(piv, m);
        let mut worst = 0.0f64;
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0;
                for k in 0..=i.min(j) {
                    let l = if k == i { 1.0 } else { lu[i + k * m] };
                    s += l * lu[k + j * m];
                }
                worst = worst.max((a[perm[i] + j * m] - s).abs());
            }
        }
        worst
    }

    #[test]
    fn factors_match_the_matrix_at_leaf_and_recursive_sizes() {
        // 192 and up take the blocked schedule with two or more threads: a last panel of one
        // column (193), a partial one (300), tall matrices (700×450), and several panels.
        let sizes = [
            (1, 1),
            (5, 5),
            (16, 16),
            (17, 17),
            (40, 33),
            (100, 100),
            (131, 97),
            (193, 193),
            (300, 300),
            (700, 450),
            (520, 520),
        ];
        for &(m, n) in &sizes {
            for threads in [1, 2, 3] {
                let a = random(m, n, (m * 1000 + n) as u64);
                let mut lu = a.clone();
                let mut piv = vec![0; n];
                // SAFETY: an m×n column-major buffer with ld = m.
                unsafe { lu_in_place(lu.as_mut_ptr(), m, n, m, &mut piv, threads) };
                let r = residual(&a, &lu, &piv, m, n);
                assert!(r < 1e-12 * n as f64, "{m}x{n}, {threads} threads: residual {r}");
                // Partial pivoting: every multiplier is at most 1 in magnitude.
                for j in 0..n {
                    for i in j + 1..m {
                        assert!(lu[i + j * m].abs() <= 1.0, "{m}x{n}: |L[{i},{j}]| > 1");
                    }
                    assert!(piv[j] >= j && piv[j] < m);
                }
            }
        }
    }

    #[test]
    fn pivots_are_lapacks_on_an_exact_example() {
        // dgetrf on [[1, 2], [3, 4]] (column-major 1 3 2 4): ipiv = (2, 2), LU = [[3, 4], [1/3, 2/3]].
        let mut a = vec![1.0, 3.0, 2.0, 4.0];
        let mut piv = vec![0; 2];
        // SAFETY: a 2×2 column-major buffer.
        unsafe { lu_in_place(a.as_mut_ptr(), 2, 2, 2, &mut piv, 1) };
        assert_eq!(piv, [1, 1]);
        assert_eq!(a[0], 3.0);
        assert_eq!(a[2], 4.0);
        assert!((a[1] - 1.0 / 3.0).abs() < 1e-16 && (a[3] - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn blocked_and_recursive_schedules_agree_with_a_leading_dimension_above_m() {
        for &(m, n) in &[(260, 260), (400, 200)] {
            let ld = m + 7;
            let a = random(ld, n, 11);
            let run = |threads| {
                let (mut lu, mut piv) = (a.clone(), vec![0; n]);
                // SAFETY: an m×n column-major block with leading dimension ld in a ld×n buffer.
                unsafe { lu_in_place(lu.as_mut_ptr(), m, n, ld, &mut piv, threads) };
                (lu, piv)
            };
            let ((l1, p1), (l2, p2)) = (run(1), run(2));
            assert_eq!(p1, p2, "{m}x{n}: pivots differ");
            for j in 0..n {
                for i in 0..ld {
                    let (x, y) = (l1[i + j * ld], l2[i + j * ld]);
                    if i >= m {
                        assert_eq!((x, y), (a[i + j * ld], a[i + j * ld]), "row {i} below m was written");
                    } else {
                        assert!((x - y).abs() < 1e-11, "{m}x{n} ({i},{j}): {x} vs {y}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_singular_matrix_leaves_a_zero_on_the_diagonal_and_finishes() {
        for n in [40, 260] {
            let mut a = random(n, n, 7);
            for i in 0..n {
                a[i + 5 * n] = 2.0 * a[i + 3 * n]; // column 5 = 2 × column 3
                a[i + 200.min(n - 1) * n] = 0.0; // and a zero column
            }
            let mut piv = vec![0; n];
            // SAFETY: an n×n column-major buffer.
            unsafe { lu_in_place(a.as_mut_ptr(), n, n, n, &mut piv, 2) };
            let smallest = (0..n).map(|i| a[i + i * n].abs()).fold(f64::INFINITY, f64::min);
            assert!(smallest < 1e-12, "{n}: no (near) zero pivot: {smallest}");
            assert!(a.iter().all(|v| v.is_finite()), "{n}: a non-finite entry");
        }
    }
}
