//! CPU kernels: the inverse of a matrix from its LU factorization, in place (LAPACK dgetri's
//! result).
//!
//! With P·A = L·U, A⁻¹ = U⁻¹·L⁻¹·P. The two triangles are inverted where they lie (U⁻¹ over U,
//! L⁻¹ under the diagonal; one thread each), their product overwrites them (as LAPACK's dlauum
//! forms U·Uᵀ), and the columns are permuted in place. Every step is a recursion whose
//! off-diagonal blocks are products on [`BlasScalar::gemm`]; the leaves (at most [`LEAF`]) are
//! short loops, or a masked copy of the triangle and one product. Written because faer's
//! inversion and triangular product took 2.4 ms at 512² on two threads
//! (docs/ARCHITECTURE.md, "LU").

use super::blas::BlasScalar;
use super::lu::Block;

/// Order of the triangular blocks handled without recursion (16 and 32 measured alike, 64
/// slower).
const LEAF: usize = 32;
/// Smallest order that uses threads: below it two threads measured no faster than one.
const PARALLEL_MIN: usize = 160;

/// Which triangle of a square block an operation reads (the other one holds other data).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Tri {
    /// On and above the diagonal.
    Upper,
    /// Below the diagonal, with an implicit unit diagonal.
    UnitLower,
}

/// The side a triangle multiplies a block from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Left,
    Right,
}

/// Overwrites the n×n LU factors at `a` (column-major, leading dimension `ld`, U's diagonal
/// free of zeros) with A⁻¹, where `inv_perm[j]` is the row of P·A that is row j of A (the
/// inverse of [`super::lu::permutation`]). With `threads` ≥ 2 and n ≥ [`PARALLEL_MIN`] the work
/// runs on the kernel pool.
///
/// # Safety
/// `a` points to n×n valid, writable f64 elements with that layout, not aliased elsewhere;
/// `inv_perm` is a permutation of 0..n.
pub unsafe fn inverse_in_place(a: *mut f64, n: usize, ld: usize, inv_perm: &[usize], threads: usize) {
    assert!(
        ld >= n.max(1) && inv_perm.len() == n,
        "inverse_in_place: {n}x{n}, ld {ld}, {} pivots",
        inv_perm.len()
    );
    let s = Block { ptr: a, rows: n, cols: n, ld };
    let threads = if n >= PARALLEL_MIN { threads } else { 1 };
    // SAFETY (all calls): the caller's block; the two inversions touch disjoint triangles.
    let run = || unsafe {
        join(threads > 1, || invert_upper(s), || invert_unit_lower(s));
        product(s, threads);
    };
    if threads > 1 {
        crate::parallel::install(run);
    } else {
        run();
    }
    // SAFETY: forwarded.
    unsafe { permute_columns(s, inv_perm) };
}

/// Runs `a` and `b`, on two pool threads when `parallel`.
fn join(parallel: bool, a: impl FnOnce() + Send, b: impl FnOnce() + Send) {
    if parallel {
        rayon::join(a, b);
    } else {
        a();
        b();
    }
}

/// Where to split a block of order k: half, rounded to a multiple of 16 for the products.
fn split(k: usize) -> usize {
    (k / 2).div_ceil(16) * 16
}

/// Inverts the upper triangle of the square `t` in place (LAPACK dtrtri, upper, non-unit).
///
/// # Safety
/// `t` is valid and its upper triangle is not accessed elsewhere meanwhile.
unsafe fn invert_upper(t: Block) {
    let k = t.cols;
    if k <= LEAF {
        for j in 0..k {
            // SAFETY (every access): (i, j) with i, j < k lies in the upper triangle of t.
            unsafe {
                let d = 1.0 / *t.at(j, j);
                *t.at(j, j) = d;
                // Column j above the diagonal: -d · (the inverted leading block) · itself.
                for i in 0..j {
                    let mut s = 0.0;
                    for l in i..j {
                        s += *t.at(i, l) * *t.at(l, j);
                    }
                    *t.at(i, j) = -d * s;
                }
            }
        }
        return;
    }
    let h = split(k);
    let (t11, t12, t22) = (t.sub(0, 0, h, h), t.sub(0, h, h, k - h), t.sub(h, h, k - h, k - h));
    // SAFETY (all calls): sub-blocks of t; the products read only the upper triangles.
    unsafe {
        invert_upper(t11);
        invert_upper(t22);
        // inv(U)₁₂ = -U₁₁⁻¹ · U₁₂ · U₂₂⁻¹
        trmm(Side::Left, Tri::Upper, -1.0, t11, t12);
        trmm(Side::Right, Tri::Upper, 1.0, t22, t12);
    }
}

/// Inverts the unit lower triangle of the square `t` in place (LAPACK dtrtri, lower, unit).
///
/// # Safety
/// `t` is valid and its strict lower triangle is not accessed elsewhere meanwhile.
unsafe fn invert_unit_lower(t: Block) {
    let k = t.cols;
    if k <= LEAF {
        for j in (0..k).rev() {
            // Column j below the diagonal: -(the inverted trailing block) · itself, bottom up.
            for i in (j + 1..k).rev() {
                // SAFETY (every access): (i, l) and (l, j) with j < l < i < k lie in t's strict
                // lower triangle.
                unsafe {
                    let mut s = *t.at(i, j);
                    for l in j + 1..i {
                        s += *t.at(i, l) * *t.at(l, j);
                    }
                    *t.at(i, j) = s;
                }
            }
            // SAFETY: as above.
            (j + 1..k).for_each(|i| unsafe { *t.at(i, j) = -*t.at(i, j) });
        }
        return;
    }
    let h = split(k);
    let (t11, t21, t22) = (t.sub(0, 0, h, h), t.sub(h, 0, k - h, h), t.sub(h, h, k - h, k - h));
    // SAFETY (all calls): sub-blocks of t; the products read only the strict lower triangles.
    unsafe {
        invert_unit_lower(t11);
        invert_unit_lower(t22);
        // inv(L)₂₁ = -L₂₂⁻¹ · L₂₁ · L₁₁⁻¹
        trmm(Side::Left, Tri::UnitLower, -1.0, t22, t21);
        trmm(Side::Right, Tri::UnitLower, 1.0, t11, t21);
    }
}

/// `b = alpha·T·b` (Left) or `b = alpha·b·T` (Right), T the `tri` triangle of the square `t`
/// (LAPACK dtrmm), in place, on the calling thread.
///
/// # Safety
/// `t` and `b` are valid and disjoint; b is not accessed elsewhere, t's triangle not written.
unsafe fn trmm(side: Side, tri: Tri, alpha: f64, t: Block, b: Block) {
    let k = t.rows;
    if k <= LEAF {
        // SAFETY: forwarded.
        return unsafe { trmm_leaf(side, tri, alpha, t, b) };
    }
    let h = split(k);
    let (t11, t22) = (t.sub(0, 0, h, h), t.sub(h, h, k - h, k - h));
    let off = if tri == Tri::Upper { t.sub(0, h, h, k - h) } else { t.sub(h, 0, k - h, h) };
    let (b1, b2) = match side {
        Side::Left => (b.sub(0, 0, h, b.cols), b.sub(h, 0, k - h, b.cols)),
        Side::Right => (b.sub(0, 0, b.rows, h), b.sub(0, h, b.rows, k - h)),
    };
    // The half whose new value needs the other half's old value goes first: b1 for T·b with
    // T upper and for b·T with T lower, b2 otherwise.
    let ((ta, ba), (tb, bb)) = if (side == Side::Left) == (tri == Tri::Upper) {
        ((t11, b1), (t22, b2))
    } else {
        ((t22, b2), (t11, b1))
    };
    let (l, r) = if side == Side::Left { (off, bb) } else { (bb, off) };
    // SAFETY (all calls): sub-blocks of t and of b; ba is disjoint from bb and from t.
    unsafe {
        trmm(side, tri, alpha, ta, ba);
        f64::gemm(ba.as_mut(), 1.0, alpha, l.as_ref(), r.as_ref(), 1);
        trmm(side, tri, alpha, tb, bb);
    }
}

/// [`trmm`] for a small triangle: the triangle copied out with zeros (and the unit diagonal),
/// b copied out, and one product back into b.
///
/// # Safety
/// As [`trmm`].
unsafe fn trmm_leaf(side: Side, tri: Tri, alpha: f64, t: Block, b: Block) {
    let k = t.rows;
    let mut dense = vec![0.0; k * k];
    for j in 0..k {
        for i in 0..k {
            dense[i + j * k] = match tri {
                // SAFETY: (i, j) < (k, k), in the triangle read.
                Tri::Upper if i <= j => unsafe { *t.at(i, j) },
                Tri::UnitLower if i > j => unsafe { *t.at(i, j) },
                Tri::UnitLower if i == j => 1.0,
                _ => 0.0,
            };
        }
    }
    let mut old = vec![0.0; b.rows * b.cols];
    for j in 0..b.cols {
        // SAFETY: column j of b.
        old[j * b.rows..(j + 1) * b.rows].copy_from_slice(unsafe { b.col(j, 0) });
    }
    let dense = Block { ptr: dense.as_mut_ptr(), rows: k, cols: k, ld: k };
    let old = Block { ptr: old.as_mut_ptr(), rows: b.rows, cols: b.cols, ld: b.rows.max(1) };
    let (l, r) = if side == Side::Left { (dense, old) } else { (old, dense) };
    // SAFETY: b, and two local buffers of the sizes described.
    unsafe { f64::gemm(b.as_mut(), 0.0, alpha, l.as_ref(), r.as_ref(), 1) };
}

/// Overwrites the square `s` holding U⁻¹ (upper) and L⁻¹ (strict lower, unit) with U⁻¹·L⁻¹.
///
/// # Safety
/// `s` is valid and not accessed elsewhere.
unsafe fn product(s: Block, threads: usize) {
    let k = s.cols;
    if k <= LEAF {
        // SAFETY: forwarded.
        return unsafe { product_leaf(s) };
    }
    let h = split(k);
    let (s11, s12) = (s.sub(0, 0, h, h), s.sub(0, h, h, k - h));
    let (s21, s22) = (s.sub(h, 0, k - h, h), s.sub(h, h, k - h, k - h));
    // C₁₁ = U₁₁L₁₁ + U₁₂L₂₁, C₁₂ = U₁₂L₂₂, C₂₁ = U₂₂L₂₁, C₂₂ = U₂₂L₂₂: each block is
    // overwritten only after the blocks that read it.
    // SAFETY (all calls): disjoint sub-blocks of s (s22 is only read by the two trmm).
    unsafe {
        product(s11, threads);
        f64::gemm(s11.as_mut(), 1.0, 1.0, s12.as_ref(), s21.as_ref(), threads);
        join(
            threads > 1,
            || trmm(Side::Right, Tri::UnitLower, 1.0, s22, s12),
            || trmm(Side::Left, Tri::Upper, 1.0, s22, s21),
        );
        product(s22, threads);
    }
}

/// [`product`] for a small block, through a local copy.
///
/// # Safety
/// As [`product`].
unsafe fn product_leaf(s: Block) {
    let k = s.cols;
    let mut c = vec![0.0; k * k];
    // SAFETY (every access): (i, l) and (l, j) < (k, k).
    let at = |i: usize, j: usize| unsafe { *s.at(i, j) };
    for j in 0..k {
        for i in 0..k {
            // C[i, j] = Σ_{l ≥ max(i, j)} U[i, l]·L[l, j], with L[j, j] = 1.
            let mut sum = if i <= j { at(i, j) } else { at(i, i) * at(i, j) };
            for l in i.max(j) + 1..k {
                sum += at(i, l) * at(l, j);
            }
            c[i + j * k] = sum;
        }
    }
    for j in 0..k {
        // SAFETY: column j of s.
        unsafe { s.col(j, 0) }.copy_from_slice(&c[j * k..(j + 1) * k]);
    }
}

/// Column j of the result is column `inv_perm[j]` of `s`: moved along the permutation's cycles
/// with one spare column. Every element also gets `+ 0.0`, which turns the -0.0 that negated
/// zero products leave (as LAPACK's getri does) into 0.0 and changes nothing else, so a
/// diagonal matrix's inverse prints as numpy's and PyTorch's do.
///
/// # Safety
/// `s` is valid and not accessed elsewhere; `inv_perm` is a permutation of its columns.
unsafe fn permute_columns(s: Block, inv_perm: &[usize]) {
    let n = s.cols;
    let copy = |dst: &mut [f64], src: &[f64]| dst.iter_mut().zip(src).for_each(|(d, &x)| *d = x + 0.0);
    let mut done = vec![false; n];
    let mut spare = vec![0.0; s.rows];
    for start in 0..n {
        if done[start] {
            continue;
        }
        // SAFETY (all column slices): distinct columns of s, at most two live at a time.
        let first = unsafe { s.col(start, 0) };
        if inv_perm[start] == start {
            first.iter_mut().for_each(|x| *x += 0.0);
            continue;
        }
        spare.copy_from_slice(first);
        let mut j = start;
        loop {
            done[j] = true;
            let q = inv_perm[j];
            let dst = unsafe { s.col(j, 0) };
            if q == start {
                copy(dst, &spare);
                break;
            }
            copy(dst, unsafe { s.col(q, 0) });
            j = q;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::lu;

    fn random(n: usize, seed: u64) -> Vec<f64> {
        lu::tests::random(n, n, seed)
    }

    /// max |A·X − I| for column-major n×n A and X (ld = n).
    fn identity_error(a: &[f64], x: &[f64], n: usize) -> f64 {
        let mut worst = 0.0f64;
        for i in 0..n {
            for j in 0..n {
                let s: f64 = (0..n).map(|l| a[i + l * n] * x[l + j * n]).sum();
                worst = worst.max((s - if i == j { 1.0 } else { 0.0 }).abs());
            }
        }
        worst
    }

    #[test]
    fn inverts_at_leaf_and_recursive_sizes_on_one_to_three_threads() {
        // 1..=32 are leaves; 33, 47, 100 and 201 split unevenly (split rounds to 16); 201 uses
        // the threads.
        for n in [1, 2, 7, 32, 33, 47, 100, 201] {
            for threads in [1, 2, 3] {
                let a = random(n, n as u64 + 5);
                let mut x = a.clone();
                let mut piv = vec![0; n];
                // SAFETY: n×n column-major buffers with ld = n.
                unsafe {
                    lu::lu_in_place(x.as_mut_ptr(), n, n, n, &mut piv, threads);
                    let inv = lu::inverse_permutation(&lu::permutation(&piv, n));
                    inverse_in_place(x.as_mut_ptr(), n, n, &inv, threads);
                }
                let e = identity_error(&a, &x, n);
                assert!(e < 1e-10 * n as f64, "n={n} threads={threads}: |A·X − I| = {e}");
                assert!(x.iter().all(|v| v.to_bits() != (-0.0f64).to_bits()), "n={n}: a -0.0");
            }
        }
    }

    #[test]
    fn a_diagonal_matrix_has_a_diagonal_inverse_without_negative_zeros() {
        for n in [2, 40, 170] {
            let a: Vec<f64> =
                (0..n * n).map(|e| if e % (n + 1) == 0 { (e % 7 + 1) as f64 } else { 0.0 }).collect();
            let mut x = a.clone();
            let mut piv = vec![0; n];
            let inv: Vec<usize> = (0..n).collect();
            // SAFETY: an n×n column-major buffer.
            unsafe {
                lu::lu_in_place(x.as_mut_ptr(), n, n, n, &mut piv, 2);
                inverse_in_place(x.as_mut_ptr(), n, n, &inv, 2);
            }
            for (e, (&v, &d)) in x.iter().zip(&a).enumerate() {
                let want = if d == 0.0 { 0.0 } else { 1.0 / d };
                assert_eq!(v.to_bits(), want.to_bits(), "n={n} element {e}: {v}");
            }
        }
    }

    #[test]
    fn each_triangular_product_matches_the_dense_product() {
        // T random in both triangles (only one is read), b random; compare with a dense loop.
        let (k, cols) = (75, 41);
        let t = random(k, 9);
        let b0: Vec<f64> = random(k.max(cols), 4)[..k * cols].to_vec();
        for side in [Side::Left, Side::Right] {
            for tri in [Tri::Upper, Tri::UnitLower] {
                let (rows, bc) = if side == Side::Left { (k, cols) } else { (cols, k) };
                let mut b = b0.clone();
                let tv = |i: usize, j: usize| match tri {
                    Tri::Upper if i <= j => t[i + j * k],
                    Tri::UnitLower if i > j => t[i + j * k],
                    Tri::UnitLower if i == j => 1.0,
                    _ => 0.0,
                };
                let want: Vec<f64> = (0..rows * bc)
                    .map(|e| {
                        let (i, j) = (e % rows, e / rows);
                        let s: f64 = if side == Side::Left {
                            (0..k).map(|l| tv(i, l) * b0[l + j * rows]).sum()
                        } else {
                            (0..k).map(|l| b0[i + l * rows] * tv(l, j)).sum()
                        };
                        -2.0 * s
                    })
                    .collect();
                let tb = Block { ptr: t.as_ptr() as *mut f64, rows: k, cols: k, ld: k };
                let bb = Block { ptr: b.as_mut_ptr(), rows, cols: bc, ld: rows };
                // SAFETY: local buffers of the sizes described; t is only read.
                unsafe { trmm(side, tri, -2.0, tb, bb) };
                let e = b.iter().zip(&want).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
                assert!(e < 1e-12, "{side:?} {tri:?}: {e}");
            }
        }
    }
}
