//! The one strided iterator every element-wise kernel goes through (candle's "strided blocks"):
//! it merges dims that are contiguous for every operand, then hands the kernel runs along the
//! innermost dim, each as (start offsets, length). Kernels read the inner strides from the plan
//! and take a slice fast path when they are all 1.

// Offsets and strides of the K operands are indexed in lockstep.
#![allow(clippy::needless_range_loop)]

use crate::layout::Dims;
use crate::parallel;
use rayon::prelude::*;

/// A joint iteration over `K` operands of the same logical shape.
#[derive(Clone, Debug)]
pub struct Plan<const K: usize> {
    /// Coalesced sizes (at least one dim unless there is no element).
    pub sizes: Dims,
    pub strides: [Dims; K],
    pub offsets: [usize; K],
}

impl<const K: usize> Plan<K> {
    /// Builds the plan for `sizes`, merging dims `d` and `d+1` when every operand steps over
    /// `d+1` exactly once per step of `d`, and dropping size-1 dims. Logical row-major order is
    /// kept, so fills that must draw in row-major order can use it too.
    pub fn new(sizes: &[usize], offsets: [usize; K], strides: [&[usize]; K]) -> Plan<K> {
        let mut out_sizes = Dims::new();
        let mut out_strides: [Dims; K] = std::array::from_fn(|_| Dims::new());
        for d in 0..sizes.len() {
            if sizes[d] == 1 {
                continue;
            }
            let mergeable = !out_sizes.is_empty()
                && (0..K).all(|k| *out_strides[k].last().unwrap() == strides[k][d] * sizes[d]);
            if mergeable {
                *out_sizes.last_mut().unwrap() *= sizes[d];
                for k in 0..K {
                    *out_strides[k].last_mut().unwrap() = strides[k][d];
                }
            } else {
                out_sizes.push(sizes[d]);
                for k in 0..K {
                    out_strides[k].push(strides[k][d]);
                }
            }
        }
        if out_sizes.is_empty() && !sizes.is_empty() && sizes.iter().all(|&s| s == 1) {
            out_sizes.push(1);
            for s in out_strides.iter_mut() {
                s.push(1);
            }
        }
        Plan { sizes: out_sizes, strides: out_strides, offsets }
    }

    pub fn numel(&self) -> usize {
        if self.sizes.is_empty() {
            0
        } else {
            self.sizes.iter().product()
        }
    }

    /// Stride of operand `k` along the innermost dim.
    pub fn inner_stride(&self, k: usize) -> usize {
        self.strides[k].last().copied().unwrap_or(1)
    }

    /// Calls `f(offsets, len)` for runs covering the elements whose row-major linear index is in
    /// `[start, end)`; each run walks the innermost dim from `offsets`.
    pub fn for_each_run(&self, start: usize, end: usize, mut f: impl FnMut([usize; K], usize)) {
        if start >= end {
            return;
        }
        let nd = self.sizes.len();
        let last = nd - 1;
        // Unravel `start` into an index and the operands' offsets.
        let mut index: Dims = smallvec::SmallVec::from_elem(0, nd);
        let mut offs = self.offsets;
        let mut rem = start;
        for d in (0..nd).rev() {
            index[d] = rem % self.sizes[d];
            rem /= self.sizes[d];
            for k in 0..K {
                offs[k] += index[d] * self.strides[k][d];
            }
        }
        let mut pos = start;
        while pos < end {
            let len = (self.sizes[last] - index[last]).min(end - pos);
            f(offs, len);
            pos += len;
            if pos >= end {
                break;
            }
            // Advance to the start of the next row (the run always ends a row here).
            for k in 0..K {
                offs[k] -= index[last] * self.strides[k][last];
            }
            index[last] = 0;
            let mut d = last;
            loop {
                if d == 0 {
                    return;
                }
                d -= 1;
                index[d] += 1;
                for k in 0..K {
                    offs[k] += self.strides[k][d];
                }
                if index[d] < self.sizes[d] {
                    break;
                }
                for k in 0..K {
                    offs[k] -= index[d] * self.strides[k][d];
                }
                index[d] = 0;
            }
        }
    }

    /// Like `for_each_run` over every element, split across the kernel thread pool when there are
    /// at least `grain` elements. Only for kernels whose runs write disjoint memory.
    pub fn par_for_each_run(&self, grain: usize, f: impl Fn([usize; K], usize) + Sync) {
        let n = self.numel();
        let threads = parallel::num_threads();
        if n < grain.max(2) || threads <= 1 {
            self.for_each_run(0, n, f);
            return;
        }
        // A few chunks per thread balance uneven cores without paying per-chunk overhead.
        let chunks = (n / grain).clamp(2, threads * 4);
        parallel::install(|| {
            (0..chunks).into_par_iter().for_each(|c| {
                self.for_each_run(c * n / chunks, (c + 1) * n / chunks, &f);
            })
        });
    }
}

/// A raw pointer that may cross into the worker threads. Kernels only use it inside one call,
/// while the block it points into is held alive by the caller.
#[derive(Clone, Copy)]
pub struct SendPtr<T>(pub *mut T);
// SAFETY: see the type's comment; disjointness of writes is each kernel's obligation.
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}

impl<T> SendPtr<T> {
    /// The pointer `offset` elements on.
    ///
    /// # Safety
    /// `offset` must stay inside the allocation the pointer came from.
    #[inline(always)]
    pub unsafe fn at(self, offset: usize) -> *mut T {
        self.0.add(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit<const K: usize>(plan: &Plan<K>, start: usize, end: usize) -> Vec<[usize; K]> {
        let mut out = Vec::new();
        plan.for_each_run(start, end, |offs, len| {
            for i in 0..len {
                let mut o = offs;
                for (k, ok) in o.iter_mut().enumerate() {
                    *ok += i * plan.inner_stride(k);
                }
                out.push(o);
            }
        });
        out
    }

    #[test]
    fn contiguous_coalesces_to_one_dim() {
        let p = Plan::new(&[2, 3, 4], [0], [&[12, 4, 1]]);
        assert_eq!(p.sizes.as_slice(), &[24]);
        assert_eq!(visit(&p, 0, 24).iter().map(|o| o[0]).collect::<Vec<_>>(), (0..24).collect::<Vec<_>>());
    }

    #[test]
    fn transposed_pair_visits_row_major() {
        // dst contiguous 3x2, src is the transpose of a contiguous 2x3.
        let p = Plan::new(&[3, 2], [0, 5], [&[2, 1], &[1, 3]]);
        let v = visit(&p, 0, 6);
        assert_eq!(v, vec![[0, 5], [1, 8], [2, 6], [3, 9], [4, 7], [5, 10]]);
        // Any sub-range agrees with the full walk.
        for s in 0..6 {
            for e in s..=6 {
                assert_eq!(visit(&p, s, e), v[s..e].to_vec());
            }
        }
    }

    #[test]
    fn unit_dims_and_empty() {
        let p = Plan::new(&[1, 1], [3], [&[7, 9]]);
        assert_eq!(visit(&p, 0, 1), vec![[3]]);
        let e = Plan::new(&[2, 0], [0], [&[0, 1]]);
        assert_eq!(e.numel(), 0);
    }
}
