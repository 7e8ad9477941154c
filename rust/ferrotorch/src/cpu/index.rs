//! Index kernels: index (index-select), gather, scatter, masked select / fill / copy, nonzero.
//! Callers validate index values and layouts first; the kernels run unchecked.

use super::PARALLEL_GRAIN;
use crate::dtype::Element;
use crate::iter::{Plan, SendPtr};
use crate::parallel;
use rayon::prelude::*;

/// Every element offset of a (sizes, strides) layout, row-major (`[0]` for no dims).
pub fn offsets(sizes: &[usize], strides: &[usize]) -> Vec<usize> {
    let mut out = vec![0usize];
    for (&n, &st) in sizes.iter().zip(strides) {
        let mut next = Vec::with_capacity(out.len() * n);
        for &o in &out {
            for i in 0..n {
                next.push(o + i * st);
            }
        }
        out = next;
    }
    out
}

/// Calls `f(range)` over `0..n` items, split across the pool when `n * work` is large.
pub fn par_range(n: usize, work: usize, f: impl Fn(std::ops::Range<usize>) + Sync) {
    let threads = parallel::num_threads();
    let total = n.saturating_mul(work.max(1));
    if total < PARALLEL_GRAIN || threads <= 1 || n < 2 {
        f(0..n);
        return;
    }
    let chunks = (total / PARALLEL_GRAIN).clamp(2, threads * 4).min(n);
    parallel::install(|| {
        (0..chunks).into_par_iter().for_each(|c| f(c * n / chunks..(c + 1) * n / chunks));
    });
}

/// `res[o, j, i] = src[outer[o] + idx[j] * stride_dim + inner[i]]` with res contiguous.
///
/// # Safety
/// `src_base` plus every offset reached must be inside the source allocation (idx values
/// already checked against the dim's size); `res` must hold `outer.len() * idx.len() *
/// inner.len()` elements and not overlap the source.
pub unsafe fn index_select<T: Element>(
    res: *mut T,
    src_base: *const T,
    outer: &[usize],
    inner: &[usize],
    stride_dim: usize,
    idx: &[i64],
) {
    let n = idx.len();
    let ni = inner.len();
    let (res, src) = (SendPtr(res), SendPtr(src_base as *mut T));
    let inner_contig = inner.iter().enumerate().all(|(i, &o)| o == i);
    if outer.len() == 1 && ni == 1 {
        // A 1-D take: res[j] = src[base + idx[j] * stride].
        let base = outer[0] + inner[0];
        par_range(n, 1, |range| {
            for j in range {
                // SAFETY: see the function's contract.
                unsafe { *res.at(j) = *src.at(base + idx[j] as usize * stride_dim) };
            }
        });
        return;
    }
    par_range(outer.len() * n, ni, |range| {
        let (mut o, mut j) = (range.start / n, range.start % n);
        for p in range {
            let s = outer[o] + idx[j] as usize * stride_dim;
            let d = p * ni;
            // SAFETY: see the function's contract.
            unsafe {
                if ni == 1 {
                    *res.at(d) = *src.at(s + inner[0]);
                } else if inner_contig {
                    std::ptr::copy_nonoverlapping(src.at(s), res.at(d), ni);
                } else {
                    for (i, &io) in inner.iter().enumerate() {
                        *res.at(d + i) = *src.at(s + io);
                    }
                }
            }
            j += 1;
            if j == n {
                j = 0;
                o += 1;
            }
        }
    });
}

/// gather: over the plan [res, index, src with stride 0 along dim],
/// `res = src[off + index * stride_dim]`.
///
/// # Safety
/// Offsets inside their allocations, index values checked, res disjoint from the inputs.
pub unsafe fn gather<T: Element>(
    res: *mut T,
    index: *const i64,
    src: *const T,
    plan: &Plan<3>,
    stride_dim: usize,
) {
    let (r, ix, s) = (SendPtr(res), SendPtr(index as *mut i64), SendPtr(src as *mut T));
    let st = [plan.inner_stride(0), plan.inner_stride(1), plan.inner_stride(2)];
    plan.par_for_each_run(PARALLEL_GRAIN, |[o0, o1, o2], len| {
        for i in 0..len {
            // SAFETY: see the function's contract.
            unsafe {
                let k = *ix.at(o1 + i * st[1]) as usize;
                *r.at(o0 + i * st[0]) = *s.at(o2 + i * st[2] + k * stride_dim);
            }
        }
    });
}

/// scatter: over the plan [self with stride 0 along dim, index, src],
/// `self[off + index * stride_dim] = src` (sequential: repeated indices keep the last write).
///
/// # Safety
/// Offsets inside their allocations and index values checked.
pub unsafe fn scatter<T: Element>(
    dst: *mut T,
    index: *const i64,
    src: *const T,
    plan: &Plan<3>,
    stride_dim: usize,
) {
    let st = [plan.inner_stride(0), plan.inner_stride(1), plan.inner_stride(2)];
    plan.for_each_run(0, plan.numel(), |[o0, o1, o2], len| {
        for i in 0..len {
            // SAFETY: see the function's contract.
            unsafe {
                let k = *index.add(o1 + i * st[1]) as usize;
                *dst.add(o0 + i * st[0] + k * stride_dim) = *src.add(o2 + i * st[2]);
            }
        }
    });
}

/// scatter of one value: over the plan [self with stride 0 along dim, index].
///
/// # Safety
/// Offsets inside their allocations and index values checked.
pub unsafe fn scatter_value<T: Element>(
    dst: *mut T,
    index: *const i64,
    value: T,
    plan: &Plan<2>,
    stride_dim: usize,
) {
    let st = [plan.inner_stride(0), plan.inner_stride(1)];
    plan.for_each_run(0, plan.numel(), |[o0, o1], len| {
        for i in 0..len {
            // SAFETY: see the function's contract.
            unsafe {
                let k = *index.add(o1 + i * st[1]) as usize;
                *dst.add(o0 + i * st[0] + k * stride_dim) = value;
            }
        }
    });
}

/// Non-zero mask elements among the row-major elements `[start, end)` of the plan's operand `k`.
///
/// # Safety
/// Offsets inside the mask allocation.
pub unsafe fn count_mask<const K: usize>(
    mask: *const u8,
    plan: &Plan<K>,
    k: usize,
    start: usize,
    end: usize,
) -> usize {
    let st = plan.inner_stride(k);
    let mut n = 0usize;
    plan.for_each_run(start, end, |offs, len| {
        let o = offs[k];
        if st == 1 {
            // SAFETY: see the function's contract.
            let run = unsafe { std::slice::from_raw_parts(mask.add(o), len) };
            n += run.iter().filter(|&&m| m != 0).count();
        } else {
            for i in 0..len {
                // SAFETY: as above.
                n += usize::from(unsafe { *mask.add(o + i * st) } != 0);
            }
        }
    });
    n
}

/// Row-major chunk boundaries of `n` elements for parallel two-pass kernels.
fn chunk_bounds(n: usize) -> Vec<usize> {
    let threads = parallel::num_threads();
    let chunks =
        if n < PARALLEL_GRAIN || threads <= 1 { 1 } else { (n / PARALLEL_GRAIN).clamp(2, threads * 4) };
    (0..=chunks).map(|c| c * n / chunks).collect()
}

/// maskedSelect over the plan [src, mask]: the selected elements in row-major order into `res`
/// (which holds exactly the count of non-zero mask elements).
///
/// # Safety
/// Offsets inside their allocations; `res` sized by `count_mask` and disjoint from the inputs.
pub unsafe fn masked_select<T: Element>(res: *mut T, src: *const T, mask: *const u8, plan: &Plan<2>) {
    let bounds = chunk_bounds(plan.numel());
    let (r, s, m) = (SendPtr(res), SendPtr(src as *mut T), SendPtr(mask as *mut u8));
    let st = [plan.inner_stride(0), plan.inner_stride(1)];
    let run_chunk = |c: usize, mut w: usize| {
        plan.for_each_run(bounds[c], bounds[c + 1], |[o0, o1], len| {
            if st == [1, 1] {
                // SAFETY: see the function's contract.
                let (src, mask) = unsafe {
                    (std::slice::from_raw_parts(s.at(o0), len), std::slice::from_raw_parts(m.at(o1), len))
                };
                for (&x, &k) in src.iter().zip(mask) {
                    if k != 0 {
                        // SAFETY: res holds one slot per non-zero mask element.
                        unsafe { *r.at(w) = x };
                        w += 1;
                    }
                }
                return;
            }
            for i in 0..len {
                // SAFETY: see the function's contract.
                unsafe {
                    if *m.at(o1 + i * st[1]) != 0 {
                        *r.at(w) = *s.at(o0 + i * st[0]);
                        w += 1;
                    }
                }
            }
        });
    };
    if bounds.len() == 2 {
        run_chunk(0, 0);
        return;
    }
    let counts: Vec<usize> = parallel::install(|| {
        (0..bounds.len() - 1)
            .into_par_iter()
            // SAFETY: see the function's contract.
            .map(|c| unsafe { count_mask(m.at(0), plan, 1, bounds[c], bounds[c + 1]) })
            .collect()
    });
    let mut starts = Vec::with_capacity(counts.len());
    let mut acc = 0usize;
    for c in &counts {
        starts.push(acc);
        acc += c;
    }
    parallel::install(|| (0..starts.len()).into_par_iter().for_each(|c| run_chunk(c, starts[c])));
}

/// maskedFill over the plan [self, mask].
///
/// # Safety
/// Offsets inside their allocations; `grain` is `usize::MAX` when self overlaps itself.
pub unsafe fn masked_fill<T: Element>(dst: *mut T, mask: *const u8, value: T, plan: &Plan<2>, grain: usize) {
    let (d, m) = (SendPtr(dst), SendPtr(mask as *mut u8));
    let st = [plan.inner_stride(0), plan.inner_stride(1)];
    plan.par_for_each_run(grain, |[o0, o1], len| {
        if st == [1, 1] {
            // SAFETY: see the function's contract; the runs of dst and mask do not overlap
            // (different element types, or a copied mask).
            let (dst, mask) = unsafe {
                (std::slice::from_raw_parts_mut(d.at(o0), len), std::slice::from_raw_parts(m.at(o1), len))
            };
            for (x, &k) in dst.iter_mut().zip(mask) {
                if k != 0 {
                    *x = value;
                }
            }
            return;
        }
        for i in 0..len {
            // SAFETY: see the function's contract.
            unsafe {
                if *m.at(o1 + i * st[1]) != 0 {
                    *d.at(o0 + i * st[0]) = value;
                }
            }
        }
    });
}

/// maskedCopy over the plan [self, mask]: masked elements take successive `src` values.
///
/// # Safety
/// Offsets inside their allocations; `src` has at least as many values as the mask has
/// non-zero elements.
pub unsafe fn masked_copy<T: Element>(dst: *mut T, mask: *const u8, src: &[T], plan: &Plan<2>) {
    let st = [plan.inner_stride(0), plan.inner_stride(1)];
    let mut it = src.iter();
    plan.for_each_run(0, plan.numel(), |[o0, o1], len| {
        for i in 0..len {
            // SAFETY: see the function's contract.
            unsafe {
                if *mask.add(o1 + i * st[1]) != 0 {
                    if let Some(&v) = it.next() {
                        *dst.add(o0 + i * st[0]) = v;
                    }
                }
            }
        }
    });
}

/// indexFill: `dst[outer[o] + idx[j] * stride_dim + inner[i]] = value` for every (o, j, i).
///
/// # Safety
/// `dst` plus every offset reached must be inside its allocation (idx values checked).
pub unsafe fn index_fill<T: Element>(
    dst: *mut T,
    outer: &[usize],
    inner: &[usize],
    stride_dim: usize,
    idx: &[i64],
    value: T,
) {
    for &o in outer {
        for &j in idx {
            let base = o + j as usize * stride_dim;
            for &i in inner {
                // SAFETY: see the function's contract.
                unsafe { *dst.add(base + i) = value };
            }
        }
    }
}

/// Where indexCopy / indexAdd read their source: `src[outer[o] + j * stride_dim + inner[i]]`.
pub struct IndexSource<'a, T> {
    pub base: *const T,
    pub outer: &'a [usize],
    pub inner: &'a [usize],
    pub stride_dim: usize,
}

/// indexCopy / indexAdd: `dst[.. idx[j] ..] = op(dst[.. idx[j] ..], src[.. j ..])`, in order (so
/// repeated indices keep the last copy, or accumulate).
///
/// # Safety
/// Every offset reached must be inside its allocation (idx values checked; src has the same
/// outer / inner counts as dst); src must not overlap dst.
pub unsafe fn index_combine<T: Element>(
    dst: *mut T,
    outer: &[usize],
    inner: &[usize],
    stride_dim: usize,
    idx: &[i64],
    src: &IndexSource<'_, T>,
    op: impl Fn(T, T) -> T,
) {
    for (&o, &so) in outer.iter().zip(src.outer) {
        for (j, &k) in idx.iter().enumerate() {
            let d = o + k as usize * stride_dim;
            let s = so + j * src.stride_dim;
            for (&i, &si) in inner.iter().zip(src.inner) {
                // SAFETY: see the function's contract.
                unsafe {
                    let p = dst.add(d + i);
                    *p = op(*p, *src.base.add(s + si));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! Each kernel against a direct loop over logical indices, on layouts that take every path
    //! (1-D take, contiguous / strided inner runs, unit / non-unit inner strides) and on inputs
    //! long enough to split into several chunks, on 1, 2 and 3 threads.
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fixed pseudo-random stream (the same on every run).
    fn stream(seed: u64) -> impl FnMut(u64) -> u64 {
        let mut s = crate::cpu::test_stream(seed);
        move |m| (s.next().unwrap() >> 33) % m
    }

    fn on_threads(f: impl Fn(usize)) {
        for t in crate::cpu::test_thread_counts() {
            parallel::set_num_threads(t);
            f(t);
        }
        parallel::set_num_threads(1);
    }

    #[test]
    fn offsets_walk_row_major() {
        assert_eq!(offsets(&[], &[]), vec![0]);
        assert_eq!(offsets(&[2, 3], &[10, 1]), vec![0, 1, 2, 10, 11, 12]);
        assert_eq!(offsets(&[3, 2], &[1, 4]), vec![0, 4, 1, 5, 2, 6]);
        assert!(offsets(&[2, 0], &[1, 1]).is_empty());
    }

    #[test]
    fn par_range_covers_each_item_once_in_order_chunks() {
        on_threads(|t| {
            let cases = [
                (0, 1),
                (1, 1 << 20),
                (2, 1 << 20),
                (5, 1),
                (PARALLEL_GRAIN - 1, 1),
                (PARALLEL_GRAIN, 1),
                (1000, 300),
                (5000, 1000),
            ];
            for (n, work) in cases {
                let hits: Vec<AtomicUsize> = (0..n).map(|_| AtomicUsize::new(0)).collect();
                let calls = AtomicUsize::new(0);
                par_range(n, work, |r| {
                    assert!(r.start <= r.end && r.end <= n);
                    calls.fetch_add(1, Ordering::Relaxed);
                    r.for_each(|i| {
                        hits[i].fetch_add(1, Ordering::Relaxed);
                    });
                });
                assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1), "n={n} work={work} threads={t}");
                // Split only when the work is large and there is more than one item and thread.
                let split = n * work >= PARALLEL_GRAIN && t > 1 && n >= 2;
                let c = calls.load(Ordering::Relaxed);
                assert_eq!(c > 1, split, "n={n} work={work} threads={t}: {c} calls");
                if split {
                    // About one chunk per PARALLEL_GRAIN of work, 2 to 4 per thread.
                    assert_eq!(
                        c,
                        (n * work / PARALLEL_GRAIN).clamp(2, t * 4).min(n),
                        "n={n} work={work} threads={t}"
                    );
                }
            }
        });
    }

    #[test]
    fn chunk_bounds_split_long_inputs_only() {
        on_threads(|t| {
            for n in [0, 1, PARALLEL_GRAIN - 1, PARALLEL_GRAIN, 3 * PARALLEL_GRAIN + 1, 100 * PARALLEL_GRAIN]
            {
                let b = chunk_bounds(n);
                let want =
                    if n < PARALLEL_GRAIN || t <= 1 { 1 } else { (n / PARALLEL_GRAIN).clamp(2, t * 4) };
                assert_eq!(b.len(), want + 1, "n={n} threads={t}");
                assert!(b[0] == 0 && b[want] == n && b.windows(2).all(|w| w[0] <= w[1]), "n={n}: {b:?}");
            }
        });
    }

    #[test]
    fn index_select_takes_rows_columns_and_strided_inner() {
        let mut rnd = stream(1);
        // src: a 40×50×60 block (strides 3000, 60, 1) indexed along dim 1.
        let src: Vec<f64> = (0..40 * 50 * 60).map(|i| i as f64).collect();
        let idx: Vec<i64> = (0..70).map(|_| rnd(50) as i64).collect();
        let outer_all = offsets(&[40], &[3000]);
        let cases: [(&[usize], Vec<usize>); 4] = [
            (&outer_all, offsets(&[60], &[1])), // contiguous inner rows
            (&outer_all, offsets(&[30], &[2])), // every other column
            (&outer_all, vec![7]),              // one inner element (ni = 1)
            (&outer_all[3..4], vec![5]),        // a 1-D take
        ];
        on_threads(|t| {
            for (outer, inner) in &cases {
                let mut res = vec![f64::NAN; outer.len() * idx.len() * inner.len()];
                unsafe { index_select(res.as_mut_ptr(), src.as_ptr(), outer, inner, 60, &idx) };
                let mut want = Vec::new();
                for &o in outer.iter() {
                    for &j in &idx {
                        for &i in inner {
                            want.push(src[o + j as usize * 60 + i]);
                        }
                    }
                }
                assert_eq!(res, want, "outer {} inner {} threads {t}", outer.len(), inner.len());
            }
            // A long 1-D take splits over threads.
            let long: Vec<i64> = (0..200_000).map(|k| (k * 7919 % 119_000) as i64).collect();
            let mut res = vec![0.0; long.len()];
            unsafe { index_select(res.as_mut_ptr(), src.as_ptr(), &[1], &[0], 1, &long) };
            assert!(res.iter().zip(&long).all(|(&r, &k)| r == src[1 + k as usize]), "threads {t}");
        });
    }

    /// A rows×cols matrix, row-major or (`transposed`) column-major: (sizes, strides).
    fn layout(rows: usize, cols: usize, transposed: bool) -> [usize; 2] {
        if transposed {
            [1, rows]
        } else {
            [cols, 1]
        }
    }

    #[test]
    fn gather_and_scatter_along_each_dim() {
        let mut rnd = stream(2);
        let (rows, cols) = (300, 400);
        let src: Vec<i32> = (0..rows * cols).map(|_| rnd(1000) as i32).collect();
        for dim in [0, 1] {
            // index: rows×k (dim 1) or k×cols (dim 0), values below the source's size on dim.
            let (ir, ic) = if dim == 1 { (rows, 90) } else { (90, cols) };
            let size_dim = if dim == 1 { cols } else { rows };
            let index: Vec<i64> = (0..ir * ic).map(|_| rnd(size_dim as u64) as i64).collect();
            for transposed in [false, true] {
                // The result and index share a layout; src is row-major, stride 0 on dim.
                let rs = layout(ir, ic, transposed);
                let mut ss = [cols, 1];
                let stride_dim = ss[dim];
                ss[dim] = 0;
                let at = |i: usize, j: usize, s: [usize; 2]| i * s[0] + j * s[1];
                let got_src = |i: usize, j: usize| {
                    let k = index[at(i, j, rs)] as usize;
                    if dim == 1 {
                        src[i * cols + k]
                    } else {
                        src[k * cols + j]
                    }
                };
                on_threads(|t| {
                    let mut res = vec![-1i32; ir * ic];
                    let plan = Plan::new(&[ir, ic], [0, 0, 0], [&rs, &rs, &ss]);
                    unsafe { gather(res.as_mut_ptr(), index.as_ptr(), src.as_ptr(), &plan, stride_dim) };
                    for i in 0..ir {
                        for j in 0..ic {
                            assert_eq!(res[at(i, j, rs)], got_src(i, j), "gather dim {dim} ({i},{j}) t={t}");
                        }
                    }
                });
                // scatter back: dst[.. index ..] = values, the last write winning.
                let vals: Vec<i32> = (0..ir * ic).map(|v| v as i32).collect();
                let mut dst = vec![-1i32; rows * cols];
                let plan = Plan::new(&[ir, ic], [0, 0, 0], [&ss, &rs, &rs]);
                unsafe { scatter(dst.as_mut_ptr(), index.as_ptr(), vals.as_ptr(), &plan, stride_dim) };
                let mut want = vec![-1i32; rows * cols];
                let mut filled = vec![-1i32; rows * cols];
                for i in 0..ir {
                    for j in 0..ic {
                        let k = index[at(i, j, rs)] as usize;
                        let d = if dim == 1 { i * cols + k } else { k * cols + j };
                        want[d] = vals[at(i, j, rs)];
                        filled[d] = 9;
                    }
                }
                assert_eq!(dst, want, "scatter dim {dim} transposed {transposed}");
                let mut dst = vec![-1i32; rows * cols];
                let plan = Plan::new(&[ir, ic], [0, 0], [&ss, &rs]);
                unsafe { scatter_value(dst.as_mut_ptr(), index.as_ptr(), 9, &plan, stride_dim) };
                assert_eq!(dst, filled, "scatter value dim {dim} transposed {transposed}");
            }
        }
    }

    #[test]
    fn masked_kernels_select_fill_copy_and_count() {
        let mut rnd = stream(3);
        // 3 chunks' worth or more of elements, as a block and as every other column.
        let (rows, cols) = (400, 500);
        let src: Vec<f32> = (0..rows * cols * 2).map(|i| i as f32).collect();
        let mask: Vec<u8> = (0..rows * cols).map(|_| (rnd(3) == 0) as u8 * (1 + rnd(5) as u8)).collect();
        for src_strides in [[cols, 1], [2 * cols, 2]] {
            let mut want = Vec::new();
            for i in 0..rows {
                for j in 0..cols {
                    if mask[i * cols + j] != 0 {
                        want.push(src[i * src_strides[0] + j * src_strides[1]]);
                    }
                }
            }
            let plan = Plan::new(&[rows, cols], [0, 0], [&src_strides, &[cols, 1]]);
            let n = unsafe { count_mask(mask.as_ptr(), &plan, 1, 0, plan.numel()) };
            assert_eq!(n, want.len());
            // The strided count over a transposed mask walk.
            let tplan = Plan::new(&[cols, rows], [0, 0], [&[1, cols], &[1, cols]]);
            assert_eq!(unsafe { count_mask(mask.as_ptr(), &tplan, 1, 0, tplan.numel()) }, n);
            assert_eq!(
                unsafe { count_mask(mask.as_ptr(), &plan, 1, cols, 3 * cols) },
                mask[cols..3 * cols].iter().filter(|&&m| m != 0).count()
            );
            on_threads(|t| {
                let mut res = vec![f32::NAN; n];
                unsafe { masked_select(res.as_mut_ptr(), src.as_ptr(), mask.as_ptr(), &plan) };
                assert_eq!(res, want, "select strides {src_strides:?} threads {t}");
                for grain in [64, usize::MAX] {
                    let mut dst = src.clone();
                    unsafe { masked_fill(dst.as_mut_ptr(), mask.as_ptr(), -5.0, &plan, grain) };
                    for (p, (&d, &s)) in dst.iter().zip(&src).enumerate() {
                        let (i, j) = if src_strides[1] == 1 {
                            (p / cols, p % cols)
                        } else {
                            (p / (2 * cols), p % (2 * cols) / 2)
                        };
                        let inside = src_strides[1] == 1 || p % 2 == 0;
                        let m = inside && i < rows && mask[i * cols + j] != 0;
                        assert_eq!(d, if m { -5.0 } else { s }, "fill at {p} threads {t} grain {grain}");
                    }
                }
            });
            // maskedCopy: successive source values into the masked places, row-major.
            let fresh: Vec<f32> = (0..n + 3).map(|v| -(v as f32)).collect();
            let mut dst = src.clone();
            unsafe { masked_copy(dst.as_mut_ptr(), mask.as_ptr(), &fresh, &plan) };
            let mut next = fresh.iter();
            for i in 0..rows {
                for j in 0..cols {
                    let p = i * src_strides[0] + j * src_strides[1];
                    let want = if mask[i * cols + j] != 0 { *next.next().unwrap() } else { src[p] };
                    assert_eq!(dst[p], want, "copy at ({i},{j})");
                }
            }
        }
    }

    #[test]
    fn index_fill_and_combine_in_order() {
        // A 4×5×6 block (strides 30, 6, 1), dim 1, indices with a repeat.
        let idx = [3i64, 0, 3, 4];
        let outer = offsets(&[4], &[30]);
        let inner = offsets(&[3], &[2]); // every other element of the last dim
        let mut dst: Vec<i64> = (0..120).collect();
        unsafe { index_fill(dst.as_mut_ptr(), &outer, &inner, 6, &idx, -1) };
        for (p, &v) in dst.iter().enumerate() {
            let (j, i) = (p / 6 % 5, p % 6);
            let hit = [0, 3, 4].contains(&j) && i % 2 == 0;
            assert_eq!(v, if hit { -1 } else { p as i64 }, "fill at {p}");
        }
        // src: 4×4×3 contiguous (strides 12, 3, 1).
        let src: Vec<i64> = (0..48).map(|v| 1000 + v).collect();
        let source = IndexSource {
            base: src.as_ptr(),
            outer: &offsets(&[4], &[12]),
            inner: &offsets(&[3], &[1]),
            stride_dim: 3,
        };
        for add in [false, true] {
            let mut dst: Vec<i64> = (0..120).collect();
            let mut want = dst.clone();
            for o in 0..4 {
                for (j, &k) in idx.iter().enumerate() {
                    for i in 0..3 {
                        let (d, s) = (o * 30 + k as usize * 6 + 2 * i, src[o * 12 + j * 3 + i]);
                        want[d] = if add { want[d] + s } else { s };
                    }
                }
            }
            let op = |a: i64, b: i64| if add { a + b } else { b };
            unsafe { index_combine(dst.as_mut_ptr(), &outer, &inner, 6, &idx, &source, op) };
            assert_eq!(dst, want, "add {add}");
        }
    }
}
