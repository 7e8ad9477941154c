//! copy between any two element types and layouts.

use crate::dtype::Element;
use crate::iter::{Plan, SendPtr};
use crate::parallel;
use rayon::prelude::*;

/// Tile edge for transposing copies: a 64x64 tile of 8-byte elements (32 KiB) stays in L1/L2
/// while both its rows and its columns are walked.
const TILE: usize = 64;

/// Copies `src` into `dst` element by element (converted with `as` rules), walking `plan`
/// (operand 0 = dst, operand 1 = src).
///
/// # Safety
/// Every offset the plan reaches must lie inside the allocations behind `dst` and `src`; the two
/// must not overlap; if dst's layout overlaps itself `grain` must be `usize::MAX`.
pub unsafe fn copy_strided<S: Element, D: Element>(dst: *mut D, src: *const S, plan: &Plan<2>, grain: usize) {
    let (d, s) = (SendPtr(dst), SendPtr(src as *mut S));
    if let Some(j) = transposing_dim(plan) {
        copy_tiled(d, s, plan, j, grain);
        return;
    }
    let (ds, ss) = (plan.inner_stride(0), plan.inner_stride(1));
    plan.par_for_each_run(grain, |[od, os], len| {
        // SAFETY: the caller guarantees every run lies inside both allocations.
        unsafe { copy_run(d.at(od), ds, s.at(os), ss, len) }
    });
}

/// One run; the contiguous case is a slice loop the compiler vectorises (a memcpy when the
/// types are equal).
#[inline(always)]
unsafe fn copy_run<S: Element, D: Element>(d: *mut D, ds: usize, s: *const S, ss: usize, len: usize) {
    if ds == 1 && ss == 1 {
        if S::DTYPE == D::DTYPE {
            std::ptr::copy_nonoverlapping(s as *const D, d, len);
        } else {
            let (dst, src) = (std::slice::from_raw_parts_mut(d, len), std::slice::from_raw_parts(s, len));
            for (x, &y) in dst.iter_mut().zip(src) {
                *x = y.cast();
            }
        }
    } else {
        for i in 0..len {
            d.add(i * ds).write(s.add(i * ss).read().cast());
        }
    }
}

/// When the inner dim is contiguous for one side only and another dim is contiguous for the
/// other, walking rows would stride through memory on one side; such copies go tile by tile over
/// that pair of dims. Returns the other dim.
fn transposing_dim(plan: &Plan<2>) -> Option<usize> {
    let nd = plan.sizes.len();
    if nd < 2 || plan.numel() < TILE * TILE {
        return None;
    }
    let last = nd - 1;
    let (ds, ss) = (&plan.strides[0], &plan.strides[1]);
    // The dim (other than the last) with the smallest stride in whichever side is not unit-inner.
    let other = if ds[last] == 1 && ss[last] != 1 {
        ss
    } else if ss[last] == 1 && ds[last] != 1 {
        ds
    } else {
        return None;
    };
    let j = (0..last).min_by_key(|&d| other[d])?;
    (other[j] < other[last] && plan.sizes[j] >= TILE / 4).then_some(j)
}

unsafe fn copy_tiled<S: Element, D: Element>(
    d: SendPtr<D>,
    s: SendPtr<S>,
    plan: &Plan<2>,
    j: usize,
    grain: usize,
) {
    let last = plan.sizes.len() - 1;
    // The remaining dims form an outer plan whose elements are the tiles' origins.
    let keep: Vec<usize> = (0..last).filter(|&x| x != j).collect();
    let outer_sizes: Vec<usize> = keep.iter().map(|&x| plan.sizes[x]).collect();
    let outer_d: Vec<usize> = keep.iter().map(|&x| plan.strides[0][x]).collect();
    let outer_s: Vec<usize> = keep.iter().map(|&x| plan.strides[1][x]).collect();
    let outer = Plan::new(&outer_sizes, plan.offsets, [&outer_d, &outer_s]);
    let mut origins = Vec::new();
    if outer_sizes.is_empty() {
        origins.push(plan.offsets);
    } else {
        outer.for_each_run(0, outer.numel(), |offs, len| {
            for i in 0..len {
                origins.push([offs[0] + i * outer.inner_stride(0), offs[1] + i * outer.inner_stride(1)]);
            }
        });
    }
    let (nj, nl) = (plan.sizes[j], plan.sizes[last]);
    let (dj, dl, sj, sl) =
        (plan.strides[0][j], plan.strides[0][last], plan.strides[1][j], plan.strides[1][last]);
    let row_blocks = nj.div_ceil(TILE);
    let tile = |task: usize| {
        let [od, os] = origins[task / row_blocks];
        let j0 = (task % row_blocks) * TILE;
        let j1 = (j0 + TILE).min(nj);
        for l0 in (0..nl).step_by(TILE) {
            let l1 = (l0 + TILE).min(nl);
            for jj in j0..j1 {
                // SAFETY: (jj, l) index inside the plan's sizes, so the offsets are in bounds.
                unsafe {
                    copy_run(d.at(od + jj * dj + l0 * dl), dl, s.at(os + jj * sj + l0 * sl), sl, l1 - l0)
                };
            }
        }
    };
    let tasks = origins.len() * row_blocks;
    if plan.numel() >= grain && parallel::num_threads() > 1 && tasks > 1 {
        parallel::install(|| (0..tasks).into_par_iter().for_each(tile));
    } else {
        (0..tasks).for_each(tile);
    }
}

#[cfg(test)]
mod tests {
    use super::super::PARALLEL_GRAIN;
    use super::*;

    fn run_copy(
        sizes: &[usize],
        dst_strides: &[usize],
        src_strides: &[usize],
        n: usize,
    ) -> (Vec<f32>, Vec<f64>) {
        let src: Vec<f64> = (0..n).map(|x| x as f64).collect();
        let mut dst = vec![0f32; n];
        let plan = Plan::new(sizes, [0, 0], [dst_strides, src_strides]);
        unsafe { copy_strided(dst.as_mut_ptr(), src.as_ptr(), &plan, PARALLEL_GRAIN) };
        (dst, src)
    }

    fn plan2(sizes: &[usize], dst_strides: &[usize], src_strides: &[usize]) -> Plan<2> {
        Plan::new(sizes, [0, 0], [dst_strides, src_strides])
    }

    #[test]
    fn transposing_dim_picks_the_tiled_walk_only_for_large_transposes() {
        // A 2-D transpose either way round: tiles over dims 0 and 1.
        assert_eq!(transposing_dim(&plan2(&[130, 70], &[70, 1], &[1, 130])), Some(0));
        assert_eq!(transposing_dim(&plan2(&[130, 70], &[1, 130], &[70, 1])), Some(0));
        // Batched: the batch dim has the largest stride, the tile pairs dims 1 and 2.
        assert_eq!(transposing_dim(&plan2(&[3, 65, 66], &[65 * 66, 66, 1], &[65 * 66, 1, 65])), Some(1));
        // The other side's smallest-stride dim is the batch one.
        assert_eq!(transposing_dim(&plan2(&[65, 3, 66], &[3 * 66, 66, 1], &[1, 65 * 66, 65])), Some(0));
        // Both sides row-major, or both transposed: rows are fine.
        assert_eq!(transposing_dim(&plan2(&[130, 70], &[70, 1], &[70, 1])), None);
        assert_eq!(transposing_dim(&plan2(&[130, 70], &[1, 130], &[1, 130])), None);
        // Too small in all (TILE² = 4096 elements) or along the paired dim (< TILE / 4 = 16).
        assert_eq!(transposing_dim(&plan2(&[63, 64], &[64, 1], &[1, 63])), None);
        assert_eq!(transposing_dim(&plan2(&[64, 64], &[64, 1], &[1, 64])), Some(0));
        assert_eq!(transposing_dim(&plan2(&[15, 4096], &[4096, 1], &[1, 15])), None);
        assert_eq!(transposing_dim(&plan2(&[16, 4096], &[4096, 1], &[1, 16])), Some(0));
        // The source's inner dim is not its smallest stride but not a transpose of the pair
        // either (the other dim's stride is larger): rows.
        assert_eq!(transposing_dim(&plan2(&[64, 100], &[100, 1], &[200, 2])), None);
        assert_eq!(transposing_dim(&plan2(&[4096], &[1], &[2])), None);
        // A source whose outer stride equals its inner one (an overlapping as_strided view):
        // neither walk is better, rows stay.
        assert_eq!(transposing_dim(&plan2(&[64, 100], &[100, 1], &[2, 2])), None);
    }

    #[test]
    fn tiled_transpose_matches_naive() {
        let (r, c) = (130, 70);
        let (dst, _) = run_copy(&[r, c], &[c, 1], &[1, r], r * c);
        for i in 0..r {
            for k in 0..c {
                assert_eq!(dst[i * c + k], (k * r + i) as f32);
            }
        }
    }

    #[test]
    fn batched_transpose_matches_naive() {
        let (b, r, c) = (3, 65, 66);
        let (dst, _) = run_copy(&[b, r, c], &[r * c, c, 1], &[r * c, 1, r], b * r * c);
        for x in 0..b {
            for i in 0..r {
                for k in 0..c {
                    assert_eq!(dst[x * r * c + i * c + k], (x * r * c + k * r + i) as f32);
                }
            }
        }
    }
}
