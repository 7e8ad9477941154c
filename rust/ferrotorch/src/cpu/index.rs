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
        // A 1-D take: res[j] = src[idx[j] * stride].
        par_range(n, 1, |range| {
            for j in range {
                // SAFETY: see the function's contract.
                unsafe { *res.at(j) = *src.at(outer[0] + idx[j] as usize * stride_dim) };
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
                    *res.at(d) = *src.at(s);
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
