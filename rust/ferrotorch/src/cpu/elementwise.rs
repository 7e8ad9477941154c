//! CPU kernels: element-wise unary, binary and ternary maps (Torch7's TH pointwise math).
//!
//! Every kernel walks a `Plan` (operand 0 is the destination). Contiguous runs become slice
//! loops the compiler vectorises; a run whose second operand has stride 0 (a broadcast row or a
//! number) reads it once; when one operand is transposed against the others the walk goes tile
//! by tile so both sides stay in cache. `exp` on f32/f64 is a branch-free range reduction plus
//! polynomial that vectorises (see `exp_f32`/`exp_f64`), with an AVX2 build picked at run time.

// Offsets and strides of the K operands are indexed in lockstep.
#![allow(clippy::needless_range_loop)]

mod pow_f32_tables;
pub mod simd_math;

use self::simd_math as sm;
use crate::dtype::Element;
use crate::iter::{Plan, SendPtr};
use crate::parallel;
use rayon::prelude::*;

/// Tile edge for walks where one operand is transposed against the destination.
const TILE: usize = 64;

// ------------------------------------------------------------------------------------ walking

/// Calls `f(offsets, len)` over runs covering the plan, tile by tile when an operand's inner
/// stride is large while another dim is contiguous for it, and on several threads when the plan
/// has at least `grain` elements.
pub fn walk<const K: usize>(plan: &Plan<K>, grain: usize, f: impl Fn([usize; K], usize) + Sync) {
    let n = plan.numel();
    if n < TILE * TILE {
        // Small: one thread, no tiling, and no look at the pool.
        plan.for_each_run(0, n, f);
        return;
    }
    match transposing_dim(plan) {
        Some(j) => walk_tiled(plan, j, grain, f),
        None => plan.par_for_each_run(grain, f),
    }
}

fn transposing_dim<const K: usize>(plan: &Plan<K>) -> Option<usize> {
    let nd = plan.sizes.len();
    if nd < 2 || plan.numel() < TILE * TILE {
        return None;
    }
    let last = nd - 1;
    for k in 0..K {
        let s = &plan.strides[k];
        if s[last] <= 1 {
            continue;
        }
        let j = (0..last).filter(|&d| s[d] > 0).min_by_key(|&d| s[d])?;
        if s[j] < s[last] && plan.sizes[j] >= TILE / 4 && plan.sizes[last] >= TILE / 4 {
            return Some(j);
        }
    }
    None
}

fn walk_tiled<const K: usize>(plan: &Plan<K>, j: usize, grain: usize, f: impl Fn([usize; K], usize) + Sync) {
    let last = plan.sizes.len() - 1;
    let keep: Vec<usize> = (0..last).filter(|&x| x != j).collect();
    let outer_sizes: Vec<usize> = keep.iter().map(|&x| plan.sizes[x]).collect();
    let outer_strides: [Vec<usize>; K] =
        std::array::from_fn(|k| keep.iter().map(|&x| plan.strides[k][x]).collect());
    let mut origins = Vec::new();
    if outer_sizes.is_empty() {
        origins.push(plan.offsets);
    } else {
        let refs: [&[usize]; K] = std::array::from_fn(|k| outer_strides[k].as_slice());
        let outer = Plan::new(&outer_sizes, plan.offsets, refs);
        outer.for_each_run(0, outer.numel(), |offs, len| {
            for i in 0..len {
                origins.push(std::array::from_fn(|k| offs[k] + i * outer.inner_stride(k)));
            }
        });
    }
    let (nj, nl) = (plan.sizes[j], plan.sizes[last]);
    let sj: [usize; K] = std::array::from_fn(|k| plan.strides[k][j]);
    let sl: [usize; K] = std::array::from_fn(|k| plan.strides[k][last]);
    let row_blocks = nj.div_ceil(TILE);
    let tile = |task: usize| {
        let o: [usize; K] = origins[task / row_blocks];
        let j0 = (task % row_blocks) * TILE;
        let j1 = (j0 + TILE).min(nj);
        for l0 in (0..nl).step_by(TILE) {
            let l1 = (l0 + TILE).min(nl);
            for jj in j0..j1 {
                f(std::array::from_fn(|k| o[k] + jj * sj[k] + l0 * sl[k]), l1 - l0);
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

// ------------------------------------------------------------------------------------ maps

/// `dst = f(src)` over `plan` (operand 0 = dst, 1 = src).
///
/// # Safety
/// Every offset the plan reaches must lie inside the allocations behind the pointers. `dst` may be
/// identical to `src` (same offsets and strides, then `R` is `T`) but must not overlap it
/// otherwise; when dst's layout overlaps itself `grain` must be `usize::MAX`.
pub unsafe fn map1<T: Element, R: Element>(
    dst: *mut R,
    src: *const T,
    plan: &Plan<2>,
    grain: usize,
    f: impl Fn(T) -> R + Sync,
) {
    let (d, s) = (SendPtr(dst), SendPtr(src as *mut T));
    let (ds, ss) = (plan.inner_stride(0), plan.inner_stride(1));
    walk(plan, grain, |[od, os], len| {
        // SAFETY: the caller guarantees every run lies inside the allocations.
        unsafe {
            let (dp, sp) = (d.at(od), s.at(os) as *const T);
            if ds == 1 && ss == 1 {
                if std::ptr::addr_eq(dp, sp) && R::DTYPE == T::DTYPE {
                    let x = std::slice::from_raw_parts_mut(dp as *mut T, len);
                    sm::inplace1(x, &|v: T| f(v).cast::<T>());
                } else {
                    let (x, y) =
                        (std::slice::from_raw_parts_mut(dp, len), std::slice::from_raw_parts(sp, len));
                    sm::into1(x, y, &f);
                }
            } else {
                for i in 0..len {
                    dp.add(i * ds).write(f(sp.add(i * ss).read()));
                }
            }
        }
    });
}

/// `dst = f(a, b)` over `plan` (operand 0 = dst, 1 = a, 2 = b).
///
/// # Safety
/// As `map1`: dst may be identical to `a` and/or `b` and must not overlap them otherwise.
pub unsafe fn map2<T: Element, R: Element>(
    dst: *mut R,
    a: *const T,
    b: *const T,
    plan: &Plan<3>,
    grain: usize,
    f: impl Fn(T, T) -> R + Sync,
) {
    let (d, pa, pb) = (SendPtr(dst), SendPtr(a as *mut T), SendPtr(b as *mut T));
    let (ds, sa, sb) = (plan.inner_stride(0), plan.inner_stride(1), plan.inner_stride(2));
    let same = R::DTYPE == T::DTYPE;
    walk(plan, grain, |[od, oa, ob], len| {
        // SAFETY: the caller guarantees every run lies inside the allocations.
        unsafe {
            let (dp, ap, bp) = (d.at(od), pa.at(oa) as *const T, pb.at(ob) as *const T);
            let (d_is_a, d_is_b) = (same && std::ptr::addr_eq(dp, ap), same && std::ptr::addr_eq(dp, bp));
            if ds == 1 && sa == 1 && sb == 0 && !d_is_b {
                let y = bp.read();
                if d_is_a {
                    let x = std::slice::from_raw_parts_mut(dp as *mut T, len);
                    sm::inplace1(x, &|v: T| f(v, y).cast::<T>());
                } else {
                    let (x, u) =
                        (std::slice::from_raw_parts_mut(dp, len), std::slice::from_raw_parts(ap, len));
                    sm::into1(x, u, &|v: T| f(v, y));
                }
            } else if ds == 1 && sa == 1 && sb == 1 {
                if d_is_a && d_is_b {
                    let x = std::slice::from_raw_parts_mut(dp as *mut T, len);
                    sm::inplace1(x, &|v: T| f(v, v).cast::<T>());
                } else if d_is_a {
                    let (x, w) = (
                        std::slice::from_raw_parts_mut(dp as *mut T, len),
                        std::slice::from_raw_parts(bp, len),
                    );
                    sm::inplace2(x, w, false, &|v: T, y: T| f(v, y).cast::<T>());
                } else if d_is_b {
                    let (x, u) = (
                        std::slice::from_raw_parts_mut(dp as *mut T, len),
                        std::slice::from_raw_parts(ap, len),
                    );
                    sm::inplace2(x, u, true, &|y: T, v: T| f(y, v).cast::<T>());
                } else {
                    let x = std::slice::from_raw_parts_mut(dp, len);
                    let (u, w) = (std::slice::from_raw_parts(ap, len), std::slice::from_raw_parts(bp, len));
                    sm::into2(x, u, w, &f);
                }
            } else {
                // Any strides: gather blocks into stack buffers and run the dispatched loop on
                // them (so the kernel vectorises here too), writing straight into a contiguous
                // dst. Every element of a block is read before any is written, so dst identical
                // to an input is fine.
                const B: usize = sm::BLOCK;
                let (mut ba, mut bb, mut bo) = ([T::default(); B], [T::default(); B], [R::default(); B]);
                let mut i = 0;
                while i < len {
                    let m = (len - i).min(B);
                    for k in 0..m {
                        ba[k] = ap.add((i + k) * sa).read();
                        bb[k] = bp.add((i + k) * sb).read();
                    }
                    if ds == 1 {
                        sm::into2(std::slice::from_raw_parts_mut(dp.add(i), m), &ba[..m], &bb[..m], &f);
                    } else {
                        sm::into2(&mut bo[..m], &ba[..m], &bb[..m], &f);
                        for k in 0..m {
                            dp.add((i + k) * ds).write(bo[k]);
                        }
                    }
                    i += m;
                }
            }
        }
    });
}

/// `dst = g(a, b)` where `g` works on whole blocks (the two-pass fmod): each run is copied
/// block by block into stack buffers, so any strides (and dst identical to an input) are fine.
///
/// # Safety
/// As `map2`, with `T` the type of all three.
pub unsafe fn map2_blocks<T: Element>(
    dst: *mut T,
    a: *const T,
    b: *const T,
    plan: &Plan<3>,
    grain: usize,
    g: impl Fn(&mut [T], &[T], &[T]) + Sync,
) {
    const B: usize = sm::BLOCK;
    let (d, pa, pb) = (SendPtr(dst), SendPtr(a as *mut T), SendPtr(b as *mut T));
    let (ds, sa, sb) = (plan.inner_stride(0), plan.inner_stride(1), plan.inner_stride(2));
    walk(plan, grain, |[od, oa, ob], len| {
        let (mut ba, mut bb, mut bo) = ([T::default(); B], [T::default(); B], [T::default(); B]);
        let mut i = 0;
        while i < len {
            let m = (len - i).min(B);
            // SAFETY: the caller guarantees every run lies inside the allocations.
            unsafe {
                let (dp, ap, bp) = (d.at(od), pa.at(oa) as *const T, pb.at(ob) as *const T);
                for k in 0..m {
                    ba[k] = ap.add((i + k) * sa).read();
                    bb[k] = bp.add((i + k) * sb).read();
                }
                g(&mut bo[..m], &ba[..m], &bb[..m]);
                for k in 0..m {
                    dp.add((i + k) * ds).write(bo[k]);
                }
            }
            i += m;
        }
    });
}

/// `dst = f(a, b, c)` over `plan` (operand 0 = dst).
///
/// # Safety
/// As `map1`: dst may be identical to inputs and must not overlap them otherwise. Each element is
/// read before it is written, so identical operands are fine.
pub unsafe fn map3<T: Element>(
    dst: *mut T,
    a: *const T,
    b: *const T,
    c: *const T,
    plan: &Plan<4>,
    grain: usize,
    f: impl Fn(T, T, T) -> T + Sync,
) {
    let (d, pa, pb, pc) = (SendPtr(dst), SendPtr(a as *mut T), SendPtr(b as *mut T), SendPtr(c as *mut T));
    let st: [usize; 4] = std::array::from_fn(|k| plan.inner_stride(k));
    walk(plan, grain, |o, len| {
        // SAFETY: the caller guarantees every run lies inside the allocations.
        unsafe {
            let (dp, ap, bp, cp) = (d.at(o[0]), pa.at(o[1]), pb.at(o[2]), pc.at(o[3]));
            if st == [1, 1, 1, 1] {
                for i in 0..len {
                    dp.add(i).write(f(ap.add(i).read(), bp.add(i).read(), cp.add(i).read()));
                }
            } else {
                for i in 0..len {
                    let v = f(ap.add(i * st[1]).read(), bp.add(i * st[2]).read(), cp.add(i * st[3]).read());
                    dp.add(i * st[0]).write(v);
                }
            }
        }
    });
}

/// Whether `pred` holds for any element (one operand), stopping early on one thread.
///
/// # Safety
/// Every offset the plan reaches must lie inside the allocation behind `src`.
pub unsafe fn any_of<T: Element>(src: *const T, plan: &Plan<1>, pred: impl Fn(T) -> bool) -> bool {
    let s = plan.inner_stride(0);
    let mut found = false;
    plan.for_each_run(0, plan.numel(), |[o], len| {
        if found {
            return;
        }
        for i in 0..len {
            // SAFETY: the caller guarantees the run lies inside the allocation.
            if pred(unsafe { src.add(o + i * s).read() }) {
                found = true;
                return;
            }
        }
    });
    found
}

/// Whether `pred(a, b)` holds for any pair of elements (same logical shape).
///
/// # Safety
/// Every offset the plan reaches must lie inside the allocations behind `a` and `b`.
pub unsafe fn any_pair<T: Element>(
    a: *const T,
    b: *const T,
    plan: &Plan<2>,
    pred: impl Fn(T, T) -> bool,
) -> bool {
    let (sa, sb) = (plan.inner_stride(0), plan.inner_stride(1));
    let mut found = false;
    plan.for_each_run(0, plan.numel(), |[oa, ob], len| {
        if found {
            return;
        }
        for i in 0..len {
            // SAFETY: the caller guarantees the run lies inside the allocations.
            let (x, y) = unsafe { (a.add(oa + i * sa).read(), b.add(ob + i * sb).read()) };
            if pred(x, y) {
                found = true;
                return;
            }
        }
    });
    found
}

// ------------------------------------------------------------------------------------ arithmetic

/// Torch7's element arithmetic on the seven math types: integers wrap, divide truncating toward
/// zero (C), and shift as same-width unsigned values; floats follow IEEE and C's libm.
pub trait Arith: Element + PartialOrd {
    const IS_FLOAT: bool;
    fn zero() -> Self;
    fn one() -> Self;
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    /// Integer division needs `o != 0` (the caller checks).
    fn div(self, o: Self) -> Self;
    /// C's `%` / fmod: the result has the dividend's sign.
    fn fmod(self, o: Self) -> Self;
    /// Floor modulo: the result has the divisor's sign (floats: `x - o*floor(x/o)`).
    fn remainder(self, o: Self) -> Self;
    fn neg(self) -> Self;
    fn abs(self) -> Self;
    fn sign(self) -> Self;
    fn pow(self, o: Self) -> Self;
    fn shl(self, o: Self) -> Self;
    fn shr(self, o: Self) -> Self;
    fn bitand(self, o: Self) -> Self;
    fn bitor(self, o: Self) -> Self;
    fn bitxor(self, o: Self) -> Self;
    fn is_zero(self) -> bool {
        self == Self::zero()
    }
    /// atan2 (float types only; the caller refuses integers): branch-free, so it vectorises.
    #[inline(always)]
    fn atan2(self, o: Self) -> Self {
        Self::from_f64(self.to_f64().atan2(o.to_f64()))
    }
    /// `out = fmod(a, b)` on a block: floats take the two-pass vectorised kernel.
    fn fmod_block(out: &mut [Self], a: &[Self], b: &[Self]) {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = x.fmod(y);
        }
    }
    /// `out = pow(a, b)` on a block: floats take the vectorised kernel.
    fn pow_block(out: &mut [Self], a: &[Self], b: &[Self]) {
        for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
            *o = x.pow(y);
        }
    }
}

macro_rules! int_arith {
    ($($t:ty, $u:ty, $signed:expr;)*) => {$(
        impl Arith for $t {
            const IS_FLOAT: bool = false;
            #[inline(always)] fn zero() -> Self { 0 }
            #[inline(always)] fn one() -> Self { 1 }
            #[inline(always)] fn add(self, o: Self) -> Self { self.wrapping_add(o) }
            #[inline(always)] fn sub(self, o: Self) -> Self { self.wrapping_sub(o) }
            #[inline(always)] fn mul(self, o: Self) -> Self { self.wrapping_mul(o) }
            #[inline(always)] fn div(self, o: Self) -> Self { if o == 0 { 0 } else { self.wrapping_div(o) } }
            #[inline(always)] fn fmod(self, o: Self) -> Self { if o == 0 { 0 } else { self.wrapping_rem(o) } }
            #[inline(always)]
            fn remainder(self, o: Self) -> Self {
                if o == 0 {
                    return 0;
                }
                let r = self.wrapping_rem(o);
                if r != 0 && ((r.to_i64() < 0) != (o.to_i64() < 0)) { r.wrapping_add(o) } else { r }
            }
            #[inline(always)] fn neg(self) -> Self { (0 as $t).wrapping_sub(self) }
            #[inline(always)]
            fn abs(self) -> Self {
                if self.to_i64() < 0 { self.neg() } else { self }
            }
            #[inline(always)]
            fn sign(self) -> Self {
                let v = self.to_i64();
                if v > 0 { 1 } else if v < 0 { (0 as $t).wrapping_sub(1) } else { 0 }
            }
            #[inline(always)]
            fn pow(self, o: Self) -> Self {
                if o.to_i64() < 0 {
                    // Truncated 1 / self^|o| (self == 0 is refused by the caller).
                    return if self == 1 {
                        1
                    } else if $signed && self == (0 as $t).wrapping_sub(1) {
                        if o.to_i64() % 2 == 0 { 1 } else { self }
                    } else {
                        0
                    };
                }
                let (mut base, mut e, mut acc) = (self, o.to_i64() as u64, 1 as $t);
                while e > 0 {
                    if e & 1 == 1 {
                        acc = acc.wrapping_mul(base);
                    }
                    base = base.wrapping_mul(base);
                    e >>= 1;
                }
                acc
            }
            #[inline(always)] fn shl(self, o: Self) -> Self { (self as $u).wrapping_shl(o as u32) as $t }
            #[inline(always)] fn shr(self, o: Self) -> Self { (self as $u).wrapping_shr(o as u32) as $t }
            #[inline(always)] fn bitand(self, o: Self) -> Self { self & o }
            #[inline(always)] fn bitor(self, o: Self) -> Self { self | o }
            #[inline(always)] fn bitxor(self, o: Self) -> Self { self ^ o }
        }
    )*};
}

int_arith! {
    u8, u8, false;
    i8, u8, true;
    i16, u16, true;
    i32, u32, true;
    i64, u64, true;
}

macro_rules! float_arith {
    ($($t:ident, $pow:path, $pow_slice:path, $atan2:path;)*) => {$(
        impl Arith for $t {
            const IS_FLOAT: bool = true;
            #[inline(always)] fn zero() -> Self { 0.0 }
            #[inline(always)] fn one() -> Self { 1.0 }
            #[inline(always)] fn add(self, o: Self) -> Self { self + o }
            #[inline(always)] fn sub(self, o: Self) -> Self { self - o }
            #[inline(always)] fn mul(self, o: Self) -> Self { self * o }
            #[inline(always)] fn div(self, o: Self) -> Self { self / o }
            #[inline(always)] fn fmod(self, o: Self) -> Self { self % o }
            #[inline(always)]
            fn atan2(self, o: Self) -> Self { $atan2(self, o) }
            fn fmod_block(out: &mut [Self], a: &[Self], b: &[Self]) {
                // Through f64 for f32 too: the quotient test and the fused multiply-add are exact.
                sm::fixed2(
                    out,
                    a,
                    b,
                    &|x: $t, y: $t| sm::fmod_fast_f64(x as f64, y as f64) as $t,
                    &|x: $t, y: $t| sm::fmod_bad_f64(x as f64, y as f64),
                    &|x: $t, y: $t| x % y,
                )
            }
            #[inline(always)] fn remainder(self, o: Self) -> Self { self - o * (self / o).floor() }
            #[inline(always)] fn neg(self) -> Self { -self }
            #[inline(always)] fn abs(self) -> Self { self.abs() }
            #[inline(always)]
            fn sign(self) -> Self {
                if self > 0.0 { 1.0 } else if self < 0.0 { -1.0 } else { 0.0 }
            }
            #[inline(always)]
            fn pow(self, o: Self) -> Self {
                $pow(self, o)
            }
            fn pow_block(out: &mut [Self], a: &[Self], b: &[Self]) {
                $pow_slice(out, a, b)
            }
            #[inline(always)] fn shl(self, o: Self) -> Self { self * (2.0 as $t).powf(o) }
            #[inline(always)] fn shr(self, o: Self) -> Self { self / (2.0 as $t).powf(o) }
            // Refused for floating types by the caller (Torch7: "only supported for integer types").
            #[inline(always)] fn bitand(self, _o: Self) -> Self { self }
            #[inline(always)] fn bitor(self, _o: Self) -> Self { self }
            #[inline(always)] fn bitxor(self, _o: Self) -> Self { self }
        }
    )*};
}

float_arith! {
    f32, sm::pow_f32, sm::pow_slice_f32, sm::atan2_f32;
    f64, sm::pow_f64, sm::pow_slice_f64, sm::atan2_f64;
}

// ------------------------------------------------------------------------------------ exp

/// e^x for f32, branch-free so slice loops vectorise: x = n·ln2 + r with |r| <= ln2/2 (Cody-Waite,
/// two-part ln2), e^r by Cephes' degree-7 polynomial, then 2^n built from exponent bits in two
/// halves so subnormal results come out right. Max error 1 ulp against a correctly rounded exp on
/// the tested range (tests/test_math_pointwise.py compares with numpy).
#[inline(always)]
#[allow(clippy::excessive_precision)]
pub fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_375;
    const LN2_LO: f32 = -2.121_944_40e-4;
    const MAGIC: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
    let xc = x.clamp(-104.0, 89.0);
    let t = xc.mul_add(LOG2E, MAGIC);
    let n_bits = t.to_bits() as i32 - MAGIC.to_bits() as i32;
    let n = t - MAGIC;
    let r = (-n).mul_add(LN2_LO, (-n).mul_add(LN2_HI, xc));
    let mut p = 1.987_569_150_0e-4f32;
    p = p.mul_add(r, 1.398_199_950_7e-3);
    p = p.mul_add(r, 8.333_451_907_3e-3);
    p = p.mul_add(r, 4.166_579_589_4e-2);
    p = p.mul_add(r, 1.666_666_545_9e-1);
    p = p.mul_add(r, 5.000_000_120_1e-1);
    let y = p.mul_add(r * r, r) + 1.0;
    let h = n_bits >> 1;
    let s1 = f32::from_bits(((h + 127) as u32) << 23);
    let s2 = f32::from_bits(((n_bits - h + 127) as u32) << 23);
    let v = y * s1 * s2;
    // clamp() maps NaN to NaN, so only the overflow side needs a select.
    if x > 88.722_84 {
        f32::INFINITY
    } else {
        v
    }
}

/// e^x for f64, built like `exp_f32` with a degree-13 Taylor polynomial on |r| <= ln2/2
/// (truncation error below 2^-60); max error 1 ulp in the tests.
#[inline(always)]
pub fn exp_f64(x: f64) -> f64 {
    exp_scaled_f64(x, 0.0, 0, 710.0, 709.782_712_893_384)
}

/// e^(x + lo) · 2^-`halvings` (simd_math's sinh and cosh use e^x / 2, which stays finite a little
/// past e^x's overflow; pow passes the low part `lo` of a double-double argument, |lo| tiny
/// against x, added to the reduced argument): x clamped to [-746, `clamp_hi`], reduced to n·ln2 + r, e^r by the
/// polynomial, then scaled by 2^(n - halvings) in two steps so subnormal results come out
/// right; +inf above `overflow_at`.
#[inline(always)]
#[allow(clippy::excessive_precision)]
pub(crate) fn exp_scaled_f64(x: f64, lo: f64, halvings: i64, clamp_hi: f64, overflow_at: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    const LN2_HI: f64 = 6.931_471_803_691_238_164_9e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52
    let xc = x.clamp(-746.0, clamp_hi);
    let t = xc.mul_add(LOG2E, MAGIC);
    let n_bits = t.to_bits() as i64 - MAGIC.to_bits() as i64;
    let n = t - MAGIC;
    let r = (-n).mul_add(LN2_LO, (-n).mul_add(LN2_HI, xc)) + lo;
    const C: [f64; 12] = [
        1.0 / 6_227_020_800.0,
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
    ];
    let mut p = C[0];
    for &c in &C[1..] {
        p = p.mul_add(r, c);
    }
    let y = p.mul_add(r * r, r) + 1.0;
    let nb = n_bits - halvings;
    let h = nb >> 1;
    let s1 = f64::from_bits(((h + 1023) as u64) << 52);
    let s2 = f64::from_bits(((nb - h + 1023) as u64) << 52);
    let v = y * s1 * s2;
    if x > overflow_at {
        f64::INFINITY
    } else {
        v
    }
}

/// ln(x) for f32, branch-free so slice loops vectorise (musl's logf): x = 2^k·m with m in
/// [√2/2, √2) by integer arithmetic on the bits, then ln(m) = f - f²/2 + s·(f²/2 + R(s²)) with
/// s = f/(2+f). Subnormals are scaled first; x < 0 and NaN give NaN, 0 gives -inf. Within 1 ulp
/// in the tests.
#[inline(always)]
#[allow(clippy::excessive_precision)]
pub fn log_f32(x: f32) -> f32 {
    const LN2_HI: f32 = 6.931_381_225_6e-1;
    const LN2_LO: f32 = 9.058_000_614_5e-6;
    const LG1: f32 = 0.666_666_626_93;
    const LG2: f32 = 0.400_009_721_52;
    const LG3: f32 = 0.284_987_866_88;
    const LG4: f32 = 0.242_790_788_41;
    let sub = x < f32::MIN_POSITIVE;
    let xs = if sub { x * 33_554_432.0 } else { x }; // 2^25
    let mut ix = xs.to_bits();
    ix = ix.wrapping_add(0x3f80_0000 - 0x3f35_04f3);
    let k = (ix >> 23) as i32 - 0x7f - if sub { 25 } else { 0 };
    ix = (ix & 0x007f_ffff) + 0x3f35_04f3;
    let f = f32::from_bits(ix) - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * w.mul_add(LG4, LG2);
    let t2 = z * w.mul_add(LG3, LG1);
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    let dk = k as f32;
    let v = s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI;
    if x > 0.0 && x < f32::INFINITY {
        v
    } else if x == 0.0 {
        f32::NEG_INFINITY
    } else if x == f32::INFINITY {
        x
    } else {
        f32::NAN
    }
}

/// ln(x) for f64, built like `log_f32` with fdlibm's degree-14 polynomial; within 1 ulp in the
/// tests.
#[inline(always)]
#[allow(clippy::excessive_precision)]
pub fn log_f64(x: f64) -> f64 {
    const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    const LG1: f64 = 6.666_666_666_666_735_130e-1;
    const LG2: f64 = 3.999_999_999_940_941_908e-1;
    const LG3: f64 = 2.857_142_874_366_239_149e-1;
    const LG4: f64 = 2.222_219_843_214_978_396e-1;
    const LG5: f64 = 1.818_357_216_161_805_012e-1;
    const LG6: f64 = 1.531_383_769_920_937_332e-1;
    const LG7: f64 = 1.479_819_860_511_658_591e-1;
    let sub = x < f64::MIN_POSITIVE;
    let xs = if sub { x * 18_014_398_509_481_984.0 } else { x }; // 2^54
    let mut ix = xs.to_bits();
    ix = ix.wrapping_add((0x3ff0_0000u64 - 0x3fe6_a09e) << 32);
    let k = ((ix >> 52) as i32) - 0x3ff - if sub { 54 } else { 0 };
    ix = (ix & 0x000f_ffff_ffff_ffff) + (0x3fe6_a09eu64 << 32);
    let f = f64::from_bits(ix) - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * w.mul_add(w.mul_add(LG6, LG4), LG2);
    let t2 = z * w.mul_add(w.mul_add(w.mul_add(LG7, LG5), LG3), LG1);
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    let dk = k as f64;
    let v = s * (hfsq + r) + dk * LN2_LO - hfsq + f + dk * LN2_HI;
    if x > 0.0 && x < f64::INFINITY {
        v
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        f64::NAN
    }
}

/// Applies `f` to a slice in place, in a copy compiled for AVX2 when the CPU has it (the code is
/// the same, only wider vectors).
#[inline(always)]
fn slice_map<T: Copy>(dst: &mut [T], src: Option<&[T]>, f: impl Fn(T) -> T) {
    match src {
        Some(s) => {
            for (o, &v) in dst.iter_mut().zip(s) {
                *o = f(v);
            }
        }
        None => {
            for v in dst.iter_mut() {
                *v = f(*v);
            }
        }
    }
}

macro_rules! simd_slice_fn {
    ($name:ident, $avx2:ident, $avx512:ident, $t:ty, $f:expr) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn $avx2(dst: &mut [$t], src: Option<&[$t]>) {
            slice_map(dst, src, $f)
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f,fma")]
        unsafe fn $avx512(dst: &mut [$t], src: Option<&[$t]>) {
            slice_map(dst, src, $f)
        }

        /// The slice form of the function, on the widest vectors the CPU has. The polynomials
        /// use fused multiply-adds (`mul_add`, exact in every build: hardware FMA in the
        /// AVX2/AVX-512 copies, libm's fma otherwise), so results do not depend on the CPU.
        pub fn $name(dst: &mut [$t], src: Option<&[$t]>) {
            #[cfg(target_arch = "x86_64")]
            {
                if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("fma") {
                    // SAFETY: the CPU has AVX-512F.
                    return unsafe { $avx512(dst, src) };
                }
                if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                    // SAFETY: the CPU has AVX2.
                    return unsafe { $avx2(dst, src) };
                }
            }
            slice_map(dst, src, $f)
        }
    };
}

simd_slice_fn!(exp_slice_f32, exp_slice_f32_avx2, exp_slice_f32_avx512, f32, exp_f32);
simd_slice_fn!(exp_slice_f64, exp_slice_f64_avx2, exp_slice_f64_avx512, f64, exp_f64);
simd_slice_fn!(sigmoid_slice_f32, sigmoid_slice_f32_avx2, sigmoid_slice_f32_avx512, f32, |x: f32| 1.0
    / (1.0 + exp_f32(-x)));
simd_slice_fn!(sigmoid_slice_f64, sigmoid_slice_f64_avx2, sigmoid_slice_f64_avx512, f64, |x: f64| 1.0
    / (1.0 + exp_f64(-x)));
simd_slice_fn!(log_slice_f32, log_slice_f32_avx2, log_slice_f32_avx512, f32, log_f32);
simd_slice_fn!(log_slice_f64, log_slice_f64_avx2, log_slice_f64_avx512, f64, log_f64);

/// `dst = g(src)` where `g` works on whole contiguous slices (the vectorised exp/log/sigmoid).
/// Strided runs go through a small buffer, so they use the vectorised code too.
///
/// # Safety
/// As `map1`, with `T` the type of both sides.
pub unsafe fn map1_slices<T: Element>(
    dst: *mut T,
    src: *const T,
    plan: &Plan<2>,
    grain: usize,
    g: impl Fn(&mut [T], Option<&[T]>) + Sync,
) {
    const BUF: usize = 256;
    let (d, s) = (SendPtr(dst), SendPtr(src as *mut T));
    let (ds, ss) = (plan.inner_stride(0), plan.inner_stride(1));
    walk(plan, grain, |[od, os], len| {
        // SAFETY: the caller guarantees every run lies inside the allocations.
        unsafe {
            let (dp, sp) = (d.at(od), s.at(os) as *const T);
            if ds == 1 && ss == 1 {
                let x = std::slice::from_raw_parts_mut(dp, len);
                if std::ptr::eq(dp, sp) {
                    g(x, None)
                } else {
                    g(x, Some(std::slice::from_raw_parts(sp, len)))
                }
            } else {
                let mut buf = [T::default(); BUF];
                let mut i = 0;
                while i < len {
                    let m = (len - i).min(BUF);
                    for (k, v) in buf[..m].iter_mut().enumerate() {
                        *v = sp.add((i + k) * ss).read();
                    }
                    g(&mut buf[..m], None);
                    for (k, v) in buf[..m].iter().enumerate() {
                        dp.add((i + k) * ds).write(*v);
                    }
                    i += m;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps32(a: f32, b: f32) -> i64 {
        (a.to_bits() as i64 - b.to_bits() as i64).abs()
    }

    #[test]
    fn exp_f32_is_within_a_few_ulp() {
        let mut worst = 0;
        let mut x = -103.0f32;
        while x < 88.7 {
            let want = (x as f64).exp() as f32;
            worst = worst.max(ulps32(exp_f32(x), want));
            x += 0.0137;
        }
        assert!(worst <= 2, "worst {worst} ulp");
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp_f32(100.0), f32::INFINITY);
        assert!(exp_f32(f32::NAN).is_nan());
    }

    #[test]
    fn exp_f64_is_within_a_few_ulp() {
        let mut worst = 0;
        let mut x = -740.0f64;
        while x < 709.0 {
            let (a, b) = (exp_f64(x), x.exp());
            worst = worst.max((a.to_bits() as i64 - b.to_bits() as i64).abs());
            x += 0.0731;
        }
        assert!(worst <= 2, "worst {worst} ulp");
        assert_eq!(exp_f64(0.0), 1.0);
        assert_eq!(exp_f64(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp_f64(800.0), f64::INFINITY);
        assert!(exp_f64(f64::NAN).is_nan());
    }

    #[test]
    fn log_is_within_a_ulp() {
        let mut worst = 0;
        let mut x = 1e-40f32;
        while x < 3e38 {
            let want = (x as f64).ln() as f32;
            worst = worst.max(ulps32(log_f32(x), want));
            x *= 1.0007;
        }
        assert!(worst <= 1, "f32 worst {worst} ulp");
        let mut worst = 0;
        let mut y = 1e-310f64;
        while y < 1e308 {
            let (a, b) = (log_f64(y), y.ln());
            worst = worst.max((a.to_bits() as i64 - b.to_bits() as i64).abs());
            y *= 1.000_37;
        }
        assert!(worst <= 1, "f64 worst {worst} ulp");
        assert_eq!(log_f64(1.0), 0.0);
        assert_eq!(log_f32(0.0), f32::NEG_INFINITY);
        assert_eq!(log_f64(-0.0), f64::NEG_INFINITY);
        assert!(log_f64(-1.0).is_nan() && log_f64(f64::NAN).is_nan());
        assert_eq!(log_f64(f64::INFINITY), f64::INFINITY);
    }

    #[test]
    fn integer_semantics() {
        assert_eq!((-7i32).div(2), -3);
        assert_eq!((-7i32).fmod(2), -1);
        assert_eq!((-7i32).remainder(2), 1);
        assert_eq!(7i32.remainder(-2), -1);
        assert_eq!((-7i32).shr(1), 2147483644);
        assert_eq!(i32::MIN.div(-1), i32::MIN);
        assert_eq!(Arith::pow(3i64, 4), 81);
        assert_eq!(Arith::pow(-1i8, -3), -1);
        assert_eq!(200u8.add(100), 44);
        assert_eq!(5u8.sign(), 1);
    }

    /// Sizes `sizes` with the destination row-major and the source's strides `src`.
    fn plan(sizes: &[usize], src: &[usize]) -> Plan<2> {
        let mut dst = vec![1; sizes.len()];
        for d in (0..sizes.len().saturating_sub(1)).rev() {
            dst[d] = dst[d + 1] * sizes[d + 1];
        }
        Plan::new(sizes, [0, 0], [&dst, src])
    }

    #[test]
    fn tiles_only_transposed_operands_of_at_least_a_tile_of_elements() {
        // Transposed 2-D, from exactly TILE² elements and inner sizes of TILE/4 up.
        assert_eq!(transposing_dim(&plan(&[130, 70], &[1, 130])), Some(0));
        assert_eq!(transposing_dim(&plan(&[64, 64], &[1, 64])), Some(0));
        assert_eq!(transposing_dim(&plan(&[64, 63], &[1, 64])), None);
        assert_eq!(transposing_dim(&plan(&[300, 16], &[1, 300])), Some(0));
        assert_eq!(transposing_dim(&plan(&[300, 15], &[1, 300])), None);
        assert_eq!(transposing_dim(&plan(&[16, 300], &[1, 16])), Some(0));
        assert_eq!(transposing_dim(&plan(&[15, 300], &[1, 15])), None);
        // Contiguous, or strided without a transposition: runs, no tiles.
        assert_eq!(transposing_dim(&plan(&[130, 70], &[70, 1])), None);
        assert_eq!(transposing_dim(&plan(&[130, 70], &[140, 2])), None);
        // Equal outer and inner source strides (a read-only overlapping view): no gain in tiles.
        assert_eq!(transposing_dim(&plan(&[130, 70], &[130, 130])), None);
        // 3-D: the source's unit-stride dim is the middle one; a broadcast dim (stride 0) is no
        // candidate.
        assert_eq!(transposing_dim(&plan(&[3, 130, 70], &[9100, 1, 130])), Some(1));
        assert_eq!(transposing_dim(&plan(&[3, 130, 70], &[0, 1, 130])), Some(1));
        assert_eq!(transposing_dim(&plan(&[130, 70], &[0, 0])), None);
    }

    #[test]
    fn a_transposed_walk_goes_tile_by_tile() {
        let calls = std::sync::Mutex::new(Vec::new());
        walk(&plan(&[130, 70], &[1, 130]), usize::MAX, |o, len| calls.lock().unwrap().push((o, len)));
        let calls = calls.into_inner().unwrap();
        // Row blocks of 64, 64 and 2 rows; in each, the 64 columns then the last 6, row by row.
        assert_eq!(calls.len(), 2 * 130);
        for (i, &(o, len)) in calls.iter().enumerate() {
            let (block, rest) = (i / 128, i % 128);
            let rows = if block < 2 { 64 } else { 2 };
            let (part, r) = (rest / rows, rest % rows);
            let (row, col) = (block * 64 + r, part * 64);
            assert_eq!(
                (o, len),
                ([row * 70 + col, col * 130 + row], if part == 0 { 64 } else { 6 }),
                "call {i}"
            );
        }
        // Contiguous: one coalesced run.
        let calls = std::sync::Mutex::new(Vec::new());
        walk(&plan(&[130, 70], &[70, 1]), usize::MAX, |o, len| calls.lock().unwrap().push((o, len)));
        assert_eq!(calls.into_inner().unwrap(), vec![([0, 0], 9100)]);
    }

    #[test]
    fn plans_below_a_tile_of_elements_walk_in_one_run_on_the_calling_thread() {
        parallel::set_num_threads(3);
        for (n, one_run) in [(TILE * TILE - 1, true), (TILE * TILE, false)] {
            let calls = std::sync::Mutex::new(Vec::new());
            walk(&plan(&[n], &[1]), 1, |o, len| calls.lock().unwrap().push((o, len)));
            let calls = calls.into_inner().unwrap();
            assert_eq!(calls.len() == 1, one_run, "{n} elements: {} runs", calls.len());
            assert_eq!(calls.iter().map(|c| c.1).sum::<usize>(), n);
        }
    }

    #[test]
    fn tiled_walks_over_outer_dims_and_threads_visit_every_element_once() {
        let (b, r, c) = (3, 130, 70);
        let src: Vec<f64> = (0..b * r * c).map(|x| x as f64).collect();
        for threads in crate::cpu::test_thread_counts() {
            parallel::set_num_threads(threads);
            let mut dst = vec![0.0f64; b * r * c];
            // dst[i][j][k] = src[i][k][j] + 1: the source's dims 1 and 2 swapped.
            // SAFETY: the plan reaches exactly the b*r*c elements of both vectors.
            unsafe {
                map1(dst.as_mut_ptr(), src.as_ptr(), &plan(&[b, r, c], &[r * c, 1, r]), 1, |x: f64| x + 1.0)
            };
            for (n, v) in dst.iter().enumerate() {
                let (i, j, k) = (n / (r * c), n / c % r, n % c);
                assert_eq!(*v, (i * r * c + k * r + j) as f64 + 1.0, "{threads} threads, element {n}");
            }
        }
    }

    #[test]
    fn tiled_walk_visits_every_element_once() {
        let (r, c) = (130, 70);
        let plan = Plan::new(&[r, c], [0, 0], [&[c, 1], &[1, r]]);
        let src: Vec<f64> = (0..r * c).map(|x| x as f64).collect();
        let mut dst = vec![0.0f64; r * c];
        unsafe { map1(dst.as_mut_ptr(), src.as_ptr(), &plan, 1, |x: f64| x + 1.0) };
        for i in 0..r {
            for k in 0..c {
                assert_eq!(dst[i * c + k], (k * r + i) as f64 + 1.0);
            }
        }
    }
}
