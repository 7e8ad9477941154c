//! fill / zero.

use super::PARALLEL_GRAIN;
use crate::dtype::Element;
use crate::iter::{Plan, SendPtr};
use crate::parallel;
use rayon::prelude::*;

/// Fills a slice, on several threads when it is large.
pub fn fill_slice<T: Element>(dst: &mut [T], value: T) {
    if dst.len() >= PARALLEL_GRAIN && parallel::num_threads() > 1 {
        let chunk = dst.len().div_ceil(parallel::num_threads() * 4).max(4096);
        parallel::install(|| dst.par_chunks_mut(chunk).for_each(|c| c.fill(value)));
    } else {
        dst.fill(value);
    }
}

/// Fills the elements `plan` describes (one operand) starting from `base`.
///
/// # Safety
/// Every offset the plan reaches must be inside the allocation behind `base`; when the layout
/// overlaps itself `grain` must be `usize::MAX` (one thread).
pub unsafe fn fill_strided<T: Element>(base: *mut T, plan: &Plan<1>, value: T, grain: usize) {
    let ptr = SendPtr(base);
    let stride = plan.inner_stride(0);
    plan.par_for_each_run(grain, |[off], len| {
        if stride == 1 {
            // SAFETY: the caller guarantees the run lies inside the allocation.
            unsafe { std::slice::from_raw_parts_mut(ptr.at(off), len) }.fill(value);
        } else {
            for i in 0..len {
                // SAFETY: as above.
                unsafe { ptr.at(off + i * stride).write(value) };
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_slice_sets_every_element_small_and_parallel() {
        for n in [0, 1, 7, 4096, PARALLEL_GRAIN - 1, PARALLEL_GRAIN, 3 * PARALLEL_GRAIN + 5] {
            let mut v = vec![1.5f32; n];
            fill_slice(&mut v, -2.25);
            assert!(v.iter().all(|&x| x == -2.25), "n = {n}");
            let mut w = vec![0i64; n];
            fill_slice(&mut w, i64::MIN);
            assert!(w.iter().all(|&x| x == i64::MIN), "n = {n}");
        }
    }

    #[test]
    fn fill_strided_writes_exactly_the_plan() {
        // Every other column of a 50x40 block inside a 51x80 buffer, and a contiguous run.
        let mut buf = vec![0f64; 51 * 80];
        let plan = Plan::new(&[50, 40], [3], [&[80, 2]]);
        unsafe { fill_strided(buf.as_mut_ptr(), &plan, 7.0, 64) };
        let mut want = vec![0f64; 51 * 80];
        for r in 0..50 {
            for c in 0..40 {
                want[3 + 80 * r + 2 * c] = 7.0;
            }
        }
        assert_eq!(buf, want);
        let mut flat = vec![0u8; 1000];
        let plan = Plan::new(&[900], [50], [&[1]]);
        unsafe { fill_strided(flat.as_mut_ptr(), &plan, 9, usize::MAX) };
        assert!(flat[..50].iter().all(|&x| x == 0) && flat[50..950].iter().all(|&x| x == 9));
        assert!(flat[950..].iter().all(|&x| x == 0));
    }
}
