//! CPU kernels: conv2/xcorr2/conv3/xcorr3.
//!
//! im2col + GEMM: the input patches of a block of output positions are unrolled into a matrix
//! (rows: input plane × kernel offset, columns: output positions), and one GEMM with the
//! kernels (rows: output planes) gives the block. Blocks bound the unrolled matrix's memory.
//! A true convolution is a cross-correlation with the kernel reversed, so the kernel matrix is
//! built reversed. 2-D problems use a third spatial dim of size 1.

use super::blas::{BlasScalar, MatMut, MatRef};
use crate::parallel;

/// Elements of the unrolled matrix per block.
const BLOCK_ELEMS: usize = 1 << 20;

/// Sizes of one spatial convolution (3 dims; unused dims have size 1).
#[derive(Clone, Copy, Debug)]
pub struct Geometry {
    pub input: [usize; 3],
    pub kernel: [usize; 3],
    pub output: [usize; 3],
    /// Zero padding before each input dim ('F' mode: kernel - 1).
    pub pad: [usize; 3],
}

impl Geometry {
    pub fn new(input: [usize; 3], kernel: [usize; 3], full: bool) -> Geometry {
        let mut output = [0; 3];
        let mut pad = [0; 3];
        for d in 0..3 {
            if full {
                output[d] = input[d] + kernel[d] - 1;
                pad[d] = kernel[d] - 1;
            } else {
                output[d] = input[d] + 1 - kernel[d];
            }
        }
        Geometry { input, kernel, output, pad }
    }

    pub fn kernel_len(&self) -> usize {
        self.kernel.iter().product()
    }

    pub fn output_len(&self) -> usize {
        self.output.iter().product()
    }
}

/// One input: `planes` spatial planes at `ptr`, plane stride and spatial strides in elements.
#[derive(Clone, Copy)]
pub struct Input<T> {
    pub ptr: *const T,
    pub planes: usize,
    pub plane_stride: isize,
    pub strides: [isize; 3],
}

// SAFETY: a read-only pointer the caller keeps alive for the call.
unsafe impl<T: Sync> Send for Input<T> {}
unsafe impl<T: Sync> Sync for Input<T> {}

/// Unrolls output lines `lines` (a line is one (o0, o1) pair, flattened as o0·output[1] + o1)
/// of every plane into `cols` (row-major, planes·K rows × len(lines)·output[2] columns).
///
/// # Safety
/// Every element of the input the geometry addresses must be readable.
unsafe fn im2col<T: BlasScalar>(x: Input<T>, g: &Geometry, lines: std::ops::Range<usize>, cols: &mut [T]) {
    let [_, o1n, o2n] = g.output;
    let ncols = lines.len() * o2n;
    let [k0n, k1n, k2n] = g.kernel;
    let mut row = 0;
    for p in 0..x.planes {
        // SAFETY (all reads below): positions are checked against the input sizes.
        let plane = unsafe { x.ptr.offset(p as isize * x.plane_stride) };
        for k0 in 0..k0n {
            for k1 in 0..k1n {
                for k2 in 0..k2n {
                    let dst = &mut cols[row * ncols..(row + 1) * ncols];
                    for (c, line) in lines.clone().enumerate() {
                        let (o0, o1) = (line / o1n, line % o1n);
                        let i0 = (o0 + k0) as isize - g.pad[0] as isize;
                        let i1 = (o1 + k1) as isize - g.pad[1] as isize;
                        let out = &mut dst[c * o2n..(c + 1) * o2n];
                        if i0 < 0 || i0 >= g.input[0] as isize || i1 < 0 || i1 >= g.input[1] as isize {
                            out.fill(T::zero());
                            continue;
                        }
                        let base = unsafe { plane.offset(i0 * x.strides[0] + i1 * x.strides[1]) };
                        // Valid o2 range: 0 <= o2 + k2 - pad2 < input2.
                        let lo = g.pad[2].saturating_sub(k2).min(o2n);
                        let hi = (g.input[2] + g.pad[2]).saturating_sub(k2).clamp(lo, o2n);
                        out[..lo].fill(T::zero());
                        out[hi..].fill(T::zero());
                        let s2 = x.strides[2];
                        let shift = k2 as isize - g.pad[2] as isize;
                        if s2 == 1 && hi > lo {
                            // A contiguous input row: one copy (512² ⋆ 7×7: 0.96 → 0.82 ms).
                            // SAFETY: input positions lo + shift .. hi + shift are in range.
                            let row = unsafe {
                                std::slice::from_raw_parts(base.offset(lo as isize + shift), hi - lo)
                            };
                            out[lo..hi].copy_from_slice(row);
                            continue;
                        }
                        for (o2, v) in out[lo..hi].iter_mut().enumerate() {
                            let i2 = (lo + o2) as isize + shift;
                            *v = unsafe { *base.offset(i2 * s2) };
                        }
                    }
                    row += 1;
                }
            }
        }
    }
}

/// out (Q × output_len, row-major contiguous) = kernels (Q × planes·K, row-major) ⋆ x.
///
/// With `threads` ≥ 2 the output lines are split into blocks that the threads take whole: each
/// unrolls its block into its own buffer (sized to stay in a core's L2) and runs a one-thread
/// GEMM on it. Unrolling (and zeroing its 4 MB buffer) took as long as the product, on one
/// thread while the others waited, when only the GEMM was split (docs/ARCHITECTURE.md,
/// "Convolution", with the row copy in `im2col`: 512² ⋆ 7×7 2.8-3.5 → 0.82 ms,
/// 16×64² ⋆ 32×16×5² 0.78-0.85 → 0.58 ms).
///
/// # Safety
/// `x` as for [`im2col`]; `out` holds Q·output_len writable elements not overlapping the
/// inputs; `kernels` holds Q·planes·K elements.
pub unsafe fn correlate<T: BlasScalar>(
    out: *mut T,
    q: usize,
    kernels: &[T],
    x: Input<T>,
    g: &Geometry,
    threads: usize,
) {
    let olen = g.output_len();
    let depth = x.planes * g.kernel_len();
    if olen == 0 || q == 0 {
        return;
    }
    let lines = g.output[0] * g.output[1];
    let line_len = g.output[2];
    let lhs = MatRef { ptr: kernels.as_ptr(), rows: q, cols: depth, rs: depth as isize, cs: 1 };
    // An address is Send, the pointer is not.
    let out_at = out as usize;
    // Unrolls `block`'s lines into `cols` and computes their output columns.
    let run_block = |block: std::ops::Range<usize>, cols: &mut [T], gemm_threads: usize| {
        let n = block.len() * line_len;
        let start = block.start;
        // SAFETY: forwarded from the caller.
        unsafe { im2col(x, g, block, &mut cols[..depth * n]) };
        // SAFETY: the block's output columns lie in out (blocks are disjoint).
        let ptr = unsafe { (out_at as *mut T).add(start * line_len) };
        let dst = MatMut { ptr, rows: q, cols: n, rs: olen as isize, cs: 1 };
        let rhs = MatRef { ptr: cols.as_ptr(), rows: depth, cols: n, rs: n as isize, cs: 1 };
        // SAFETY: dst is a block of out (disjoint from the inputs), lhs/rhs are our buffers.
        unsafe {
            if depth == 0 {
                super::blas::gemm_portable(dst, T::zero(), T::one(), lhs, rhs)
            } else {
                T::gemm(dst, T::zero(), T::one(), lhs, rhs, gemm_threads)
            }
        };
    };
    if threads > 1 && lines > 1 && depth > 0 && q * depth * olen >= super::PARALLEL_GRAIN {
        // At least MIN_BLOCK_COLUMNS columns per product, so that packing the kernels (once per
        // product) stays small against it.
        let by_cache = THREAD_BLOCK_ELEMS / (depth * line_len).max(1);
        let per = by_cache.max(MIN_BLOCK_COLUMNS.div_ceil(line_len)).clamp(1, lines.div_ceil(threads));
        // The same number of equal blocks for every thread (uneven shares measured 20% slower),
        // and one buffer per thread.
        let rounds = lines.div_ceil(per).div_ceil(threads);
        let per = lines.div_ceil(rounds * threads);
        let blocks = lines.div_ceil(per);
        use rayon::prelude::*;
        parallel::install(|| {
            (0..threads.min(blocks)).into_par_iter().for_each(|t| {
                let mut cols = vec![T::zero(); depth * per * line_len];
                for b in (t..blocks).step_by(threads) {
                    run_block(b * per..((b + 1) * per).min(lines), &mut cols, 1);
                }
            })
        });
        return;
    }
    let per_block = (BLOCK_ELEMS / (depth * line_len).max(1)).clamp(1, lines);
    let mut cols = vec![T::zero(); depth * per_block * line_len];
    for start in (0..lines).step_by(per_block) {
        run_block(start..(start + per_block).min(lines), &mut cols, threads);
    }
}

/// Elements of a thread's unrolled block: 512 KB of f32, half a core's L2 here.
const THREAD_BLOCK_ELEMS: usize = 1 << 17;
/// Fewest output positions in one thread's product.
const MIN_BLOCK_COLUMNS: usize = 256;

/// Runs `f(i)` for i in 0..n, on the pool when `work` (elements) is large.
pub fn for_each_plane(n: usize, work: usize, f: impl Fn(usize) + Send + Sync) {
    use rayon::prelude::*;
    if n > 1 && work >= super::PARALLEL_GRAIN && parallel::num_threads() > 1 {
        parallel::install(|| (0..n).into_par_iter().for_each(&f));
    } else {
        (0..n).for_each(f);
    }
}
