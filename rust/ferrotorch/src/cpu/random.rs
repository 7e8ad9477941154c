//! Sequential row-major fills: random draws (Torch7's stream order: one thread, row-major, so a
//! seed gives one tensor whatever the layout or thread count) and sequences (range, linspace).

use crate::dtype::Element;
use crate::iter::Plan;

/// Writes `next()` into every element `plan` describes, in row-major order, on this thread.
///
/// # Safety
/// Every offset the plan reaches must be inside the allocation behind `base`.
pub unsafe fn fill_seq<T: Element>(base: *mut T, plan: &Plan<1>, mut next: impl FnMut() -> T) {
    let stride = plan.inner_stride(0);
    plan.for_each_run(0, plan.numel(), |[off], len| {
        if stride == 1 {
            // SAFETY: the caller guarantees the run lies inside the allocation.
            let run = unsafe { std::slice::from_raw_parts_mut(base.add(off), len) };
            for v in run {
                *v = next();
            }
        } else {
            for i in 0..len {
                // SAFETY: as above.
                unsafe { base.add(off + i * stride).write(next()) };
            }
        }
    });
}
