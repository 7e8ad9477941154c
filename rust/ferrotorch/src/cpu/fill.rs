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
