//! The GEMM driver of the unrolled convolutions (Torch7's SpatialConvolutionMM and the
//! families built the same way: dilated, volumetric, full (transposed), depth-wise).
//!
//! Every one of them is three products over the unrolled image `col = im2col(image)`
//! (rows: image planes × taps, columns: positions), with the weight `W` (rows: planes of the
//! other side, the "columns side", whose tensors are planes × positions):
//!
//! - `cols_dst = W · col (+ bias)`       — convolution forward, full convolution's gradInput;
//! - `image_dst = col2im(Wᵀ · cols_src)` — convolution gradInput, full convolution forward;
//! - `gW += cols_src · colᵀ`             — the weight gradient of both.
//!
//! Work goes by blocks of images: a block's columns are its images' positions side by side,
//! so a layer whose output is a few pixels (the talk's third convolution: 1×1) still makes
//! one wide GEMM per block instead of one matrix-vector product per image. Blocks are spread
//! over the pool's threads, each running single-threaded GEMMs on its own buffers (weight
//! gradients accumulate per thread, summed at the end); a single block uses the threaded GEMM.
//! Groups (depth-wise convolution) split the image planes and the columns-side planes into
//! `groups` equal parts with a weight of `Rg × (groups · CKg)`, group g's columns at g·CKg.

use super::geometry::Shape;
use super::unfold::{col2im, im2col};
use super::Real;
use crate::cpu::blas::{MatMut, MatRef};
use crate::parallel;

/// Fewest columns a block aims for (a GEMM narrower than this runs far below peak).
const MIN_BLOCK_COLUMNS: usize = 256;

/// One pass of the driver over a batch.
pub struct Job<'a, T> {
    pub shape: Shape,
    pub batch: usize,
    pub groups: usize,
    /// Planes of the columns side (all groups).
    pub rows: usize,
    /// Weight `Rg × (groups · CKg)`, row-major contiguous.
    pub weight: *const T,
    /// batch × image, to unroll (forward; weight gradient).
    pub image_src: Option<*const T>,
    /// batch × rows × positions (gradOutput of a convolution; input of a full one).
    pub cols_src: Option<*const T>,
    /// batch × rows × positions, written (bias per plane added).
    pub cols_dst: Option<*mut T>,
    pub bias: Option<&'a [T]>,
    /// batch × image, overwritten with col2im(Wᵀ · cols_src).
    pub image_dst: Option<*mut T>,
    /// Whether to return Σ cols_src · colᵀ (weight-shaped).
    pub grad_weight: bool,
}

// SAFETY: the pointers describe the caller's tensors for the call; the threads read the
// sources together and write disjoint images of the destinations (see `run`).
unsafe impl<T: Sync> Sync for Job<'_, T> {}

struct Buffers<T> {
    col: Vec<T>,
    gather: Vec<T>,
    tmp: Vec<T>,
    gcol: Vec<T>,
    gw: Vec<T>,
}

impl<T: Real> Job<'_, T> {
    fn weight_len(&self) -> usize {
        self.rows * self.shape.col_rows() / self.groups
    }

    /// Runs the job; returns the weight gradient (unscaled) when asked, else an empty vector.
    pub fn run(&self) -> Vec<T> {
        let l = self.shape.out_len();
        let n = self.batch;
        if n == 0 || l == 0 {
            return if self.grad_weight { vec![T::zero(); self.weight_len()] } else { Vec::new() };
        }
        let threads = parallel::num_threads();
        let work = n * l * self.shape.col_rows() * self.rows / self.groups;
        let threads = if work < crate::cpu::PARALLEL_GRAIN { 1 } else { threads };
        let mut per = MIN_BLOCK_COLUMNS.div_ceil(l).clamp(1, n);
        if n.div_ceil(per) < threads && n >= threads {
            per = n.div_ceil(threads);
        }
        let blocks = n.div_ceil(per);
        let parts = if threads > 1 && blocks >= threads { threads } else { 1 };
        let gemm_threads = if parts > 1 { 1 } else { threads };
        let part = |p: usize| {
            let (b0, b1) = (blocks * p / parts, blocks * (p + 1) / parts);
            let mut buf = self.buffers(per);
            for blk in b0..b1 {
                let n0 = blk * per;
                self.block(n0, per.min(n - n0), &mut buf, gemm_threads);
            }
            buf.gw
        };
        if parts == 1 {
            return part(0);
        }
        use rayon::prelude::*;
        let partials: Vec<Vec<T>> = parallel::install(|| (0..parts).into_par_iter().map(part).collect());
        let mut iter = partials.into_iter();
        let mut sum = iter.next().unwrap_or_default();
        for p in iter {
            for (s, v) in sum.iter_mut().zip(&p) {
                *s += *v;
            }
        }
        sum
    }

    fn buffers(&self, per: usize) -> Buffers<T> {
        let cols = per * self.shape.out_len();
        let ck = self.shape.col_rows();
        let need_col = self.image_src.is_some();
        Buffers {
            col: if need_col { vec![T::zero(); ck * cols] } else { Vec::new() },
            gather: if self.cols_src.is_some() && per > 1 {
                vec![T::zero(); self.rows * cols]
            } else {
                Vec::new()
            },
            tmp: if self.cols_dst.is_some() && per > 1 {
                vec![T::zero(); self.rows * cols]
            } else {
                Vec::new()
            },
            gcol: if self.image_dst.is_some() { vec![T::zero(); ck * cols] } else { Vec::new() },
            gw: if self.grad_weight { vec![T::zero(); self.weight_len()] } else { Vec::new() },
        }
    }

    /// Images n0 .. n0 + nb as one block.
    fn block(&self, n0: usize, nb: usize, buf: &mut Buffers<T>, threads: usize) {
        let s = &self.shape;
        let l = s.out_len();
        let cols = nb * l;
        let (ilen, r) = (s.image_len(), self.rows);
        let (g, ckg, rg) = (self.groups, s.col_rows() / self.groups, self.rows / self.groups);
        let w_rs = (g * ckg) as isize;
        if let Some(src) = self.image_src {
            for b in 0..nb {
                // SAFETY: image n0 + b of the batch; col holds ck × cols.
                unsafe { im2col(src.add((n0 + b) * ilen), s, buf.col.as_mut_ptr(), cols, b * l) };
            }
        }
        // The columns-side source as an r × cols matrix (gathered when the block has several
        // images, whose planes are not adjacent in memory).
        let src = self.cols_src.map(|p| {
            if nb == 1 {
                // SAFETY: image n0's planes.
                unsafe { p.add(n0 * r * l) }
            } else {
                for b in 0..nb {
                    for q in 0..r {
                        // SAFETY: plane q of image n0 + b; row q of the gather buffer.
                        let from = unsafe { std::slice::from_raw_parts(p.add(((n0 + b) * r + q) * l), l) };
                        buf.gather[q * cols + b * l..q * cols + (b + 1) * l].copy_from_slice(from);
                    }
                }
                buf.gather.as_ptr()
            }
        });
        let wgroup = |gi: usize| MatRef {
            ptr: self.weight.wrapping_add(gi * ckg),
            rows: rg,
            cols: ckg,
            rs: w_rs,
            cs: 1,
        };
        let colg = |base: *const T, gi: usize| MatRef {
            ptr: base.wrapping_add(gi * ckg * cols),
            rows: ckg,
            cols,
            rs: cols as isize,
            cs: 1,
        };
        if let Some(dst) = self.cols_dst {
            let (out, beta) = if nb == 1 {
                // SAFETY: image n0's output planes, written whole below.
                let out = unsafe { dst.add(n0 * r * l) };
                for q in 0..r {
                    let v = self.bias.map_or(T::zero(), |b| b[q]);
                    // SAFETY: plane q of image n0.
                    unsafe { std::slice::from_raw_parts_mut(out.add(q * l), l) }.fill(v);
                }
                (out, T::one())
            } else {
                (buf.tmp.as_mut_ptr(), T::zero())
            };
            for gi in 0..g {
                let d = MatMut {
                    ptr: out.wrapping_add(gi * rg * cols),
                    rows: rg,
                    cols,
                    rs: cols as isize,
                    cs: 1,
                };
                // SAFETY: the weight group, the unrolled block and the destination are valid
                // and disjoint.
                unsafe { T::gemm(d, beta, T::one(), wgroup(gi), colg(buf.col.as_ptr(), gi), threads) };
            }
            if nb > 1 {
                for b in 0..nb {
                    for q in 0..r {
                        let v = self.bias.map_or(T::zero(), |bb| bb[q]);
                        // SAFETY: plane q of image n0 + b.
                        let to =
                            unsafe { std::slice::from_raw_parts_mut(dst.add(((n0 + b) * r + q) * l), l) };
                        for (t, x) in to.iter_mut().zip(&buf.tmp[q * cols + b * l..q * cols + (b + 1) * l]) {
                            *t = *x + v;
                        }
                    }
                }
            }
        }
        let Some(src) = src else { return };
        let src_rs = if nb == 1 { l } else { cols } as isize;
        let srcg = |gi: usize| MatRef {
            ptr: src.wrapping_add(gi * rg * src_rs as usize),
            rows: rg,
            cols,
            rs: src_rs,
            cs: 1,
        };
        if self.grad_weight {
            for gi in 0..g {
                let d = MatMut {
                    ptr: buf.gw.as_mut_ptr().wrapping_add(gi * ckg),
                    rows: rg,
                    cols: ckg,
                    rs: w_rs,
                    cs: 1,
                };
                let c = colg(buf.col.as_ptr(), gi);
                let ct = MatRef { ptr: c.ptr, rows: cols, cols: ckg, rs: 1, cs: cols as isize };
                // SAFETY: the thread's own gradient buffer, the block's matrices.
                unsafe { T::gemm(d, T::one(), T::one(), srcg(gi), ct, threads) };
            }
        }
        if let Some(img) = self.image_dst {
            for gi in 0..g {
                let w = wgroup(gi);
                let wt = MatRef { ptr: w.ptr, rows: ckg, cols: rg, rs: 1, cs: w_rs };
                let d = MatMut {
                    ptr: buf.gcol.as_mut_ptr().wrapping_add(gi * ckg * cols),
                    rows: ckg,
                    cols,
                    rs: cols as isize,
                    cs: 1,
                };
                // SAFETY: as above; gcol is the thread's own.
                unsafe { T::gemm(d, T::zero(), T::one(), wt, srcg(gi), threads) };
            }
            for b in 0..nb {
                // SAFETY: image n0 + b of the destination, cleared then accumulated.
                let im = unsafe { img.add((n0 + b) * ilen) };
                unsafe { std::slice::from_raw_parts_mut(im, ilen) }.fill(T::zero());
                unsafe { col2im(buf.gcol.as_ptr(), cols, b * l, s, im) };
            }
        }
    }
}
