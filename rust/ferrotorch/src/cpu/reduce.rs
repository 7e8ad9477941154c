//! CPU kernels: reductions and scans along dims.
//!
//! A reduction is a [`Fold`]: an accumulator stepped once per element (with the element's index
//! along the reduced dim), combined across blocks, and finished into an output element. Two ways
//! to walk a dim, picked by its memory layout:
//! * the reduced dim is contiguous (stride 1, "innermost"): each output element folds a slice,
//!   through the fold's vectorised `slice` (several accumulators, so the compiler can use SIMD);
//! * the reduced dim is an outer one and the output's rows are contiguous in the input: a row of
//!   accumulators is stepped by whole input rows (`rows`), so memory is read in order instead of
//!   column by column.
//!
//! Either way the work splits across the pool by output slices above `PARALLEL_GRAIN` elements
//! of input. Full reductions fold fixed blocks of `BLOCK` elements and combine the block results
//! in order, so the result does not depend on the thread count.

use super::PARALLEL_GRAIN;
use crate::dtype::Element;
use crate::iter::{Plan, SendPtr};
use crate::parallel;
use crate::tensor::Scalar;
use rayon::prelude::*;

/// Elements per block of a full reduction (what one task folds before combining).
pub const BLOCK: usize = 1 << 15;

/// Columns per row buffer when reducing an outer dim (the accumulators stay in L1).
const ROW_BLOCK: usize = 2048;

/// Independent lanes in the vectorised max/min scans.
const LANES: usize = 16;

/// Independent accumulators in the vectorised sum/prod/norm folds: 64 doubles are eight AVX-512
/// registers, enough to cover the add latency on two add ports (16 lanes, two registers, left
/// the f32 -> f64 sums latency-bound at a third of PyTorch's f32 speed). The scalar, AVX2 and
/// AVX-512 copies fold in the same lane order, so results do not depend on the CPU.
const SUM_LANES: usize = 64;

/// Torch7's `accreal`: i64 for the integer types (wrapping), f64 for Float and Double.
pub trait Acc: Copy + Send + Sync + PartialEq + std::fmt::Debug + 'static {
    const ZERO: Self;
    const ONE: Self;
    fn add(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn to_f64(self) -> f64;
    fn to_scalar(self) -> Scalar;
}

impl Acc for i64 {
    const ZERO: i64 = 0;
    const ONE: i64 = 1;
    #[inline(always)]
    fn add(self, o: i64) -> i64 {
        self.wrapping_add(o)
    }
    #[inline(always)]
    fn mul(self, o: i64) -> i64 {
        self.wrapping_mul(o)
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn to_scalar(self) -> Scalar {
        Scalar::Int(self)
    }
}

impl Acc for f64 {
    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;
    #[inline(always)]
    fn add(self, o: f64) -> f64 {
        self + o
    }
    #[inline(always)]
    fn mul(self, o: f64) -> f64 {
        self * o
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    fn to_scalar(self) -> Scalar {
        Scalar::Float(self)
    }
}

/// The element types the math library covers (all but Half), with their accumulator and an
/// order-preserving integer key for sorting.
pub trait Num: Element + PartialOrd {
    type A: Acc;
    fn to_acc(self) -> Self::A;
    /// Back from the accumulator with C-cast rules (integers wrap).
    fn from_acc(a: Self::A) -> Self;
    fn is_nan(self) -> bool;
    /// A key whose unsigned order is the value order, every NaN above +inf.
    fn key(self) -> u64;
    /// The value of a key (NaN for NaN's key; +0 for the key of both zeros).
    fn from_key(k: u64) -> Self;
    /// Wrapping arithmetic for cross products.
    fn wsub(self, o: Self) -> Self;
    fn wmul(self, o: Self) -> Self;
}

macro_rules! int_num {
    ($t:ty, $u:ty) => {
        impl Num for $t {
            type A = i64;
            #[inline(always)]
            fn to_acc(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn from_acc(a: i64) -> $t {
                a as $t
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                false
            }
            #[inline(always)]
            fn key(self) -> u64 {
                // Flip the sign bit so that signed order becomes unsigned order (a no-op shift
                // for the unsigned Byte).
                ((self as $u) ^ (<$t>::MIN as $u)) as u64
            }
            #[inline(always)]
            fn from_key(k: u64) -> $t {
                ((k as $u) ^ (<$t>::MIN as $u)) as $t
            }
            #[inline(always)]
            fn wsub(self, o: $t) -> $t {
                self.wrapping_sub(o)
            }
            #[inline(always)]
            fn wmul(self, o: $t) -> $t {
                self.wrapping_mul(o)
            }
        }
    };
}

int_num!(u8, u8);
int_num!(i8, u8);
int_num!(i16, u16);
int_num!(i32, u32);
int_num!(i64, u64);

macro_rules! float_num {
    ($t:ty, $u:ty, $bits:expr) => {
        impl Num for $t {
            type A = f64;
            #[inline(always)]
            fn to_acc(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn from_acc(a: f64) -> $t {
                a as $t
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                self != self
            }
            #[inline(always)]
            fn key(self) -> u64 {
                if self != self {
                    return (<$u>::MAX) as u64;
                }
                // -0.0 and 0.0 compare equal, so they get one key.
                let v = if self == 0.0 { 0.0 as $t } else { self };
                let b = v.to_bits();
                let sign = 1 << ($bits - 1);
                (if b & sign != 0 { !b } else { b | sign }) as u64
            }
            #[inline(always)]
            fn from_key(k: u64) -> $t {
                let k = k as $u;
                let sign: $u = 1 << ($bits - 1);
                <$t>::from_bits(if k & sign != 0 { k & !sign } else { !k })
            }
            #[inline(always)]
            fn wsub(self, o: $t) -> $t {
                self - o
            }
            #[inline(always)]
            fn wmul(self, o: $t) -> $t {
                self * o
            }
        }
    };
}

float_num!(f32, u32, 32);
float_num!(f64, u64, 64);

/// Whether `x` replaces `best` in a max (`max = true`) or min: strictly better, or a NaN over a
/// number (NaN wins, first occurrence kept on ties).
#[inline(always)]
pub fn beats<T: Num>(x: T, best: T, max: bool) -> bool {
    if max {
        x > best || (x.is_nan() && !best.is_nan())
    } else {
        x < best || (x.is_nan() && !best.is_nan())
    }
}

/// One reduction: an accumulator per output element.
pub trait Fold<T: Num>: Sync {
    type Acc: Copy + Send + Sync;
    type Out: Element;
    fn init(&self) -> Self::Acc;
    /// Steps with element `x`, the `k`-th along the reduced dim (0-based).
    fn step(&self, acc: Self::Acc, x: T, k: usize) -> Self::Acc;
    /// `a` folded over earlier elements, `b` over later ones.
    fn combine(&self, a: Self::Acc, b: Self::Acc) -> Self::Acc;
    /// The output value (and index, for max/min) after `n` elements.
    fn finish(&self, acc: Self::Acc, n: usize) -> (Self::Out, i64);
    /// Folds a contiguous slice whose first element has index `k0`.
    #[inline(always)]
    fn slice(&self, mut acc: Self::Acc, xs: &[T], k0: usize) -> Self::Acc {
        for (i, &x) in xs.iter().enumerate() {
            acc = self.step(acc, x, k0 + i);
        }
        acc
    }
    /// Steps a row of accumulators with a row of elements, all of index `k`.
    #[inline(always)]
    fn rows(&self, accs: &mut [Self::Acc], xs: &[T], k: usize) {
        for (a, &x) in accs.iter_mut().zip(xs) {
            *a = self.step(*a, x, k);
        }
    }
    /// `rows` with four rows of indices k..k+4 (a fold may add them up before touching the
    /// accumulators).
    #[inline(always)]
    fn rows4(&self, accs: &mut [Self::Acc], xs: [&[T]; 4], k: usize) {
        for (i, r) in xs.into_iter().enumerate() {
            self.rows(accs, r, k + i);
        }
    }
}

/// Combines `SUM_LANES` accumulators pairwise into the first, halving with constant widths so
/// the first steps stay whole registers (a loop over a variable width went through the stack:
/// a third of a 512-element row's time).
macro_rules! halve {
    ($l:ident, $op:expr) => {
        const _: () = assert!(SUM_LANES == 64);
        for w in [32, 16, 8, 4, 2, 1] {
            for j in 0..w {
                $l[j] = $op($l[j], $l[j + w]);
            }
        }
    };
}

/// Folds a slice into `SUM_LANES` accumulators with `op`, then adds them up pairwise.
#[inline(always)]
fn lanes<T: Num>(acc: T::A, xs: &[T], op: impl Fn(T::A, T::A) -> T::A, unit: T::A) -> T::A {
    let mut l = [unit; SUM_LANES];
    let chunks = xs.chunks_exact(SUM_LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for j in 0..SUM_LANES {
            l[j] = op(l[j], c[j].to_acc());
        }
    }
    halve!(l, op);
    let mut r = op(acc, l[0]);
    for &x in rest {
        r = op(r, x.to_acc());
    }
    r
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sum_avx2<T: Num>(acc: T::A, xs: &[T]) -> T::A {
    lanes::<T>(acc, xs, |a, b| a.add(b), T::A::ZERO)
}

// The AVX-512 copies below run the same lane order as the AVX2 ones (same results), on wider
// registers.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
unsafe fn sum_avx512<T: Num>(acc: T::A, xs: &[T]) -> T::A {
    lanes::<T>(acc, xs, |a, b| a.add(b), T::A::ZERO)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
unsafe fn prod_avx512<T: Num>(acc: T::A, xs: &[T]) -> T::A {
    lanes::<T>(acc, xs, |a, b| a.mul(b), T::A::ONE)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
unsafe fn add_rows_avx512<T: Num>(accs: &mut [T::A], xs: &[T]) {
    add_rows(accs, xs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
unsafe fn add_rows4_avx512<T: Num>(accs: &mut [T::A], xs: [&[T]; 4]) {
    add_rows4(accs, xs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
unsafe fn mul_rows_avx512<T: Num>(accs: &mut [T::A], xs: &[T]) {
    for (a, &x) in accs.iter_mut().zip(xs) {
        *a = a.mul(x.to_acc());
    }
}

/// Whether the CPU has the AVX-512 set the copies above are compiled for.
#[inline(always)]
fn avx512() -> bool {
    crate::cpu::elementwise::simd_math::level() == 2
}

#[inline(always)]
fn add_rows<T: Num>(accs: &mut [T::A], xs: &[T]) {
    for (a, &x) in accs.iter_mut().zip(xs) {
        *a = a.add(x.to_acc());
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn add_rows_avx2<T: Num>(accs: &mut [T::A], xs: &[T]) {
    add_rows(accs, xs)
}

/// Adds four rows into the accumulators: one accumulator load and store per four elements.
#[inline(always)]
fn add_rows4<T: Num>(accs: &mut [T::A], [r0, r1, r2, r3]: [&[T]; 4]) {
    let n = accs.len().min(r0.len()).min(r1.len()).min(r2.len()).min(r3.len());
    let (accs, r0, r1, r2, r3) = (&mut accs[..n], &r0[..n], &r1[..n], &r2[..n], &r3[..n]);
    for j in 0..n {
        accs[j] = accs[j].add(r0[j].to_acc().add(r1[j].to_acc()).add(r2[j].to_acc().add(r3[j].to_acc())));
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn add_rows4_avx2<T: Num>(accs: &mut [T::A], xs: [&[T]; 4]) {
    add_rows4(accs, xs)
}

/// sum (and mean when `mean`): accumulates in `accreal`.
#[derive(Clone, Copy)]
pub struct SumF {
    pub mean: bool,
}

impl<T: Num> Fold<T> for SumF {
    type Acc = T::A;
    type Out = T;
    #[inline(always)]
    fn init(&self) -> T::A {
        T::A::ZERO
    }
    #[inline(always)]
    fn step(&self, acc: T::A, x: T, _k: usize) -> T::A {
        acc.add(x.to_acc())
    }
    #[inline(always)]
    fn combine(&self, a: T::A, b: T::A) -> T::A {
        a.add(b)
    }
    #[inline(always)]
    fn finish(&self, acc: T::A, n: usize) -> (T, i64) {
        if self.mean {
            (T::from_f64(acc.to_f64() / n as f64), 0)
        } else {
            (T::from_acc(acc), 0)
        }
    }
    #[inline(always)]
    fn slice(&self, acc: T::A, xs: &[T], _k0: usize) -> T::A {
        #[cfg(target_arch = "x86_64")]
        if avx512() {
            // SAFETY: the CPU supports AVX-512 (checked just above).
            return unsafe { sum_avx512::<T>(acc, xs) };
        }
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { sum_avx2::<T>(acc, xs) };
        }
        lanes::<T>(acc, xs, |a, b| a.add(b), T::A::ZERO)
    }
    #[inline(always)]
    fn rows(&self, accs: &mut [T::A], xs: &[T], _k: usize) {
        #[cfg(target_arch = "x86_64")]
        if avx512() {
            // SAFETY: the CPU supports AVX-512 (checked just above).
            return unsafe { add_rows_avx512::<T>(accs, xs) };
        }
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { add_rows_avx2::<T>(accs, xs) };
        }
        add_rows(accs, xs)
    }
    #[inline(always)]
    fn rows4(&self, accs: &mut [T::A], xs: [&[T]; 4], _k: usize) {
        #[cfg(target_arch = "x86_64")]
        if avx512() {
            // SAFETY: the CPU supports AVX-512 (checked just above).
            return unsafe { add_rows4_avx512::<T>(accs, xs) };
        }
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            return unsafe { add_rows4_avx2::<T>(accs, xs) };
        }
        add_rows4(accs, xs)
    }
}

/// prod: accumulates in `accreal`.
#[derive(Clone, Copy)]
pub struct ProdF;

impl<T: Num> Fold<T> for ProdF {
    type Acc = T::A;
    type Out = T;
    #[inline(always)]
    fn init(&self) -> T::A {
        T::A::ONE
    }
    #[inline(always)]
    fn step(&self, acc: T::A, x: T, _k: usize) -> T::A {
        acc.mul(x.to_acc())
    }
    #[inline(always)]
    fn combine(&self, a: T::A, b: T::A) -> T::A {
        a.mul(b)
    }
    #[inline(always)]
    fn finish(&self, acc: T::A, _n: usize) -> (T, i64) {
        (T::from_acc(acc), 0)
    }
    #[inline(always)]
    fn slice(&self, acc: T::A, xs: &[T], _k0: usize) -> T::A {
        #[cfg(target_arch = "x86_64")]
        if avx512() {
            // SAFETY: the CPU supports AVX-512 (checked just above).
            return unsafe { prod_avx512::<T>(acc, xs) };
        }
        lanes::<T>(acc, xs, |a, b| a.mul(b), T::A::ONE)
    }
    #[inline(always)]
    fn rows(&self, accs: &mut [T::A], xs: &[T], _k: usize) {
        #[cfg(target_arch = "x86_64")]
        if avx512() {
            // SAFETY: the CPU supports AVX-512 (checked just above).
            return unsafe { mul_rows_avx512::<T>(accs, xs) };
        }
        for (a, &x) in accs.iter_mut().zip(xs) {
            *a = a.mul(x.to_acc());
        }
    }
}

/// max (`max = true`) or min with the 0-based index of the first winner; NaN wins.
pub struct ExtremeF {
    pub max: bool,
    /// Whether the position matters (false for full reductions, which return the value only).
    pub index: bool,
}

impl<T: Num> Fold<T> for ExtremeF {
    /// (value, index); index usize::MAX before the first element.
    type Acc = (T, usize);
    type Out = T;
    #[inline(always)]
    fn init(&self) -> (T, usize) {
        (T::default(), usize::MAX)
    }
    #[inline(always)]
    fn step(&self, acc: (T, usize), x: T, k: usize) -> (T, usize) {
        if acc.1 == usize::MAX || beats(x, acc.0, self.max) {
            (x, k)
        } else {
            acc
        }
    }
    #[inline(always)]
    fn combine(&self, a: (T, usize), b: (T, usize)) -> (T, usize) {
        if b.1 != usize::MAX && (a.1 == usize::MAX || beats(b.0, a.0, self.max)) {
            b
        } else {
            a
        }
    }
    #[inline(always)]
    fn finish(&self, acc: (T, usize), _n: usize) -> (T, i64) {
        (acc.0, acc.1 as i64)
    }
    /// The extreme value by a branch-free multi-lane pass, then its first position (or the
    /// first NaN's) by a second pass over the slice, which is in cache by then.
    #[inline(always)]
    fn slice(&self, acc: (T, usize), xs: &[T], k0: usize) -> (T, usize) {
        if xs.is_empty() {
            return acc;
        }
        let (m, nan) = extreme(xs, self.max);
        if !self.index {
            let v = if nan { xs.iter().copied().find(|x| x.is_nan()).unwrap_or(m) } else { m };
            return self.combine(acc, (v, k0));
        }
        let pos = if nan { first_where(xs, |x| x.is_nan()) } else { first_where(xs, |x| x == m) };
        self.combine(acc, (xs[pos], k0 + pos))
    }
}

/// Position of the first element matching `hit` (0 when none does), testing `LANES` elements
/// at a time without branches before looking inside the block that holds it.
#[inline(always)]
fn first_where<T: Num>(xs: &[T], hit: impl Fn(T) -> bool) -> usize {
    let mut base = 0;
    for c in xs.chunks(LANES) {
        if c.iter().fold(false, |a, &x| a | hit(x)) {
            return base + c.iter().position(|&x| hit(x)).unwrap_or(0);
        }
        base += c.len();
    }
    0
}

/// The max (or min) of a non-empty slice ignoring NaN, and whether it holds a NaN; on x86-64
/// with AVX2 when the CPU has it.
#[inline(always)]
fn extreme<T: Num>(xs: &[T], max: bool) -> (T, bool) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe {
            if max {
                extreme_avx2::<T, true>(xs)
            } else {
                extreme_avx2::<T, false>(xs)
            }
        };
    }
    if max {
        extreme_lanes::<T, true>(xs)
    } else {
        extreme_lanes::<T, false>(xs)
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn extreme_avx2<T: Num, const MAX: bool>(xs: &[T]) -> (T, bool) {
    extreme_lanes::<T, MAX>(xs)
}

/// Branch-free lanes: each keeps its max (min); NaN never wins a comparison, so for floats a
/// second set of lanes accumulates `x - x` (0, or NaN for NaN and ±inf) and a NaN there sends
/// us to a scalar check.
#[inline(always)]
fn extreme_lanes<T: Num, const MAX: bool>(xs: &[T]) -> (T, bool) {
    let first = xs.iter().copied().find(|x| !x.is_nan()).unwrap_or(xs[0]);
    let float = T::DTYPE.is_floating_point();
    let mut l = [first; LANES];
    let mut z = [T::default(); LANES];
    let chunks = xs.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for j in 0..LANES {
            let v = c[j];
            l[j] = if (MAX && v > l[j]) || (!MAX && v < l[j]) { v } else { l[j] };
            if float {
                z[j] = z[j].wsub(v.wsub(v));
            }
        }
    }
    let mut m = first;
    for &v in l.iter().chain(rest) {
        if (MAX && v > m) || (!MAX && v < m) {
            m = v;
        }
    }
    let nan = float
        && (z.iter().any(|x| x.is_nan()) || rest.iter().any(|x| x.is_nan()) || first.is_nan())
        && xs.iter().any(|x| x.is_nan());
    (m, nan)
}

/// The p-norm in double (p = 0 counts non-zeros); with `diff`, of pairs' differences.
#[derive(Clone, Copy)]
pub struct NormF {
    pub p: f64,
}

impl NormF {
    #[inline(always)]
    pub fn term(&self, x: f64) -> f64 {
        if self.p == 2.0 {
            x * x
        } else if self.p == 1.0 {
            x.abs()
        } else if self.p == 0.0 {
            (x != 0.0) as u8 as f64
        } else {
            x.abs().powf(self.p)
        }
    }
    #[inline(always)]
    pub fn root(&self, s: f64) -> f64 {
        if self.p == 2.0 {
            s.sqrt()
        } else if self.p == 1.0 || self.p == 0.0 {
            s
        } else {
            s.powf(1.0 / self.p)
        }
    }
}

impl<T: Num> Fold<T> for NormF {
    type Acc = f64;
    type Out = T;
    #[inline(always)]
    fn init(&self) -> f64 {
        0.0
    }
    #[inline(always)]
    fn step(&self, acc: f64, x: T, _k: usize) -> f64 {
        acc + self.term(x.to_f64())
    }
    #[inline(always)]
    fn combine(&self, a: f64, b: f64) -> f64 {
        a + b
    }
    #[inline(always)]
    fn finish(&self, acc: f64, _n: usize) -> (T, i64) {
        (T::from_f64(self.root(acc)), 0)
    }
    #[inline(always)]
    fn slice(&self, acc: f64, xs: &[T], _k0: usize) -> f64 {
        if self.p == 2.0 {
            #[cfg(target_arch = "x86_64")]
            if avx512() {
                // SAFETY: the CPU supports AVX-512 (checked just above).
                return acc + unsafe { sum_sq_avx512(xs) };
            }
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU supports AVX2 (checked just above).
                return acc + unsafe { sum_sq_avx2(xs) };
            }
            acc + sum_sq(xs)
        } else {
            xs.iter().fold(acc, |a, &x| a + self.term(x.to_f64()))
        }
    }
}

/// Variance (or its square root) by Welford's one-pass update, merged across blocks with Chan's
/// formula; `biased` divides by n, otherwise by n - 1.
pub struct VarF {
    pub biased: bool,
    pub std: bool,
}

impl VarF {
    pub fn value(&self, acc: (f64, f64, f64)) -> f64 {
        let (n, _, m2) = acc;
        let d = if self.biased { n } else { n - 1.0 };
        let v = (m2 / d).max(0.0);
        let v = if (m2 / d).is_nan() { f64::NAN } else { v };
        if self.std {
            v.sqrt()
        } else {
            v
        }
    }
}

impl<T: Num> Fold<T> for VarF {
    /// (count, mean, sum of squared deviations)
    type Acc = (f64, f64, f64);
    type Out = T;
    #[inline(always)]
    fn init(&self) -> (f64, f64, f64) {
        (0.0, 0.0, 0.0)
    }
    #[inline(always)]
    fn step(&self, (n, mean, m2): (f64, f64, f64), x: T, _k: usize) -> (f64, f64, f64) {
        let x = x.to_f64();
        let n = n + 1.0;
        let d = x - mean;
        let mean = mean + d / n;
        (n, mean, m2 + d * (x - mean))
    }
    #[inline(always)]
    fn combine(&self, a: (f64, f64, f64), b: (f64, f64, f64)) -> (f64, f64, f64) {
        if a.0 == 0.0 {
            return b;
        }
        if b.0 == 0.0 {
            return a;
        }
        let n = a.0 + b.0;
        let d = b.1 - a.1;
        (n, a.1 + d * b.0 / n, a.2 + b.2 + d * d * a.0 * b.0 / n)
    }
    #[inline(always)]
    fn finish(&self, acc: (f64, f64, f64), _n: usize) -> (T, i64) {
        (T::from_f64(self.value(acc)), 0)
    }
    /// Two passes over the slice (mean, then squared deviations), merged into `acc`.
    #[inline(always)]
    fn slice(&self, acc: (f64, f64, f64), xs: &[T], _k0: usize) -> (f64, f64, f64) {
        if xs.is_empty() {
            return acc;
        }
        let n = xs.len() as f64;
        #[cfg(target_arch = "x86_64")]
        if avx512() {
            // SAFETY: the CPU supports AVX-512 (checked just above).
            let (mean, m2) = unsafe { mean_m2_avx512(xs) };
            return <Self as Fold<T>>::combine(self, acc, (n, mean, m2));
        }
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            let (mean, m2) = unsafe { mean_m2_avx2(xs) };
            return <Self as Fold<T>>::combine(self, acc, (n, mean, m2));
        }
        let (mean, m2) = mean_m2(xs);
        <Self as Fold<T>>::combine(self, acc, (n, mean, m2))
    }
}

/// Mean and sum of squared deviations of a non-empty slice, in two passes.
#[inline(always)]
fn mean_m2<T: Num>(xs: &[T]) -> (f64, f64) {
    let mean = sum_map(xs, |x| x) / xs.len() as f64;
    (mean, sum_map(xs, |x| (x - mean) * (x - mean)))
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn mean_m2_avx2<T: Num>(xs: &[T]) -> (f64, f64) {
    mean_m2(xs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
unsafe fn mean_m2_avx512<T: Num>(xs: &[T]) -> (f64, f64) {
    mean_m2(xs)
}

/// Sum of `f(x)` over a slice in double, with `SUM_LANES` accumulators.
#[inline(always)]
fn sum_map<T: Num>(xs: &[T], f: impl Fn(f64) -> f64) -> f64 {
    let mut l = [0f64; SUM_LANES];
    let chunks = xs.chunks_exact(SUM_LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for j in 0..SUM_LANES {
            l[j] += f(c[j].to_f64());
        }
    }
    halve!(l, |a: f64, b: f64| a + b);
    l[0] + rest.iter().map(|&x| f(x.to_f64())).sum::<f64>()
}

/// Sum of squares (the 2-norm's fold) in double.
#[inline(always)]
fn sum_sq<T: Num>(xs: &[T]) -> f64 {
    sum_map(xs, |x| x * x)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn sum_sq_avx2<T: Num>(xs: &[T]) -> f64 {
    sum_sq(xs)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
unsafe fn sum_sq_avx512<T: Num>(xs: &[T]) -> f64 {
    sum_sq(xs)
}

/// Folds every element `plan` reaches (one operand, from `x`), in fixed blocks combined in order.
///
/// # Safety
/// Every offset the plan reaches must be inside the allocation behind `x`.
pub unsafe fn reduce_all<T: Num, F: Fold<T>>(f: &F, x: *const T, plan: &Plan<1>) -> F::Acc {
    let n = plan.numel();
    let xp = SendPtr(x as *mut T);
    let stride = plan.inner_stride(0);
    let block = |b: usize| {
        let (start, end) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
        let mut acc = f.init();
        let mut k = start;
        plan.for_each_run(start, end, |[off], len| {
            if stride == 1 {
                // SAFETY: the run lies inside the allocation (caller's guarantee).
                let s = unsafe { std::slice::from_raw_parts(xp.at(off), len) };
                acc = f.slice(acc, s, k);
            } else {
                for i in 0..len {
                    // SAFETY: as above.
                    acc = f.step(acc, unsafe { xp.at(off + i * stride).read() }, k + i);
                }
            }
            k += len;
        });
        acc
    };
    let blocks = n.div_ceil(BLOCK);
    if n >= PARALLEL_GRAIN && parallel::num_threads() > 1 {
        let parts: Vec<F::Acc> = parallel::install(|| (0..blocks).into_par_iter().map(block).collect());
        parts.into_iter().fold(f.init(), |a, b| f.combine(a, b))
    } else {
        (0..blocks).fold(f.init(), |a, b| f.combine(a, block(b)))
    }
}

/// Geometry of a walk along one dim: `outer` pairs (output, input) over the other dims (the
/// output's offsets also address the index output), `n` elements along the dim with input
/// stride `xs` (and output stride `os` for scans).
pub struct DimWalk {
    pub outer: Plan<2>,
    pub n: usize,
    pub xs: usize,
    pub os: usize,
}

impl DimWalk {
    /// Parallel grain in output slices: about `PARALLEL_GRAIN` input elements per task.
    fn grain(&self) -> usize {
        (PARALLEL_GRAIN / self.n.max(1)).max(1)
    }

    /// Outer dims whose rows are contiguous in both operands while the dim itself is not:
    /// the row-buffer walk pays.
    fn rowwise(&self) -> bool {
        self.xs != 1 && self.outer.inner_stride(0) == 1 && self.outer.inner_stride(1) == 1 && self.n > 1
    }
}

/// Reduces along the walk's dim into `out` (and `idx` when given), both written at the outer
/// plan's operand-0 offsets.
///
/// # Safety
/// The plan's offsets (plus `k * xs` for k < n) must be inside the allocations; `out` and `idx`
/// must not overlap `x` or each other, and distinct outer positions must be distinct elements.
pub unsafe fn reduce_dim<T: Num, F: Fold<T>>(
    f: &F,
    x: *const T,
    out: *mut F::Out,
    idx: Option<*mut i64>,
    w: &DimWalk,
) {
    let (xp, op) = (SendPtr(x as *mut T), SendPtr(out));
    let ip = idx.map(SendPtr);
    let (n, xs) = (w.n, w.xs);
    let (o_in, x_in) = (w.outer.inner_stride(0), w.outer.inner_stride(1));
    let put = |o: usize, acc: F::Acc| {
        let (v, i) = f.finish(acc, n);
        // SAFETY: o is an output offset of the plan (caller's guarantee).
        unsafe {
            op.at(o).write(v);
            if let Some(ip) = ip {
                ip.at(o).write(i);
            }
        }
    };
    if w.rowwise() {
        rowwise(f, xp, &put, w);
    } else {
        w.outer.par_for_each_run(w.grain(), |[oo, ox], len| {
            for i in 0..len {
                let base = ox + i * x_in;
                let acc = if xs == 1 {
                    // SAFETY: the n elements along the dim are inside x.
                    f.slice(f.init(), unsafe { std::slice::from_raw_parts(xp.at(base), n) }, 0)
                } else {
                    let mut acc = f.init();
                    for k in 0..n {
                        // SAFETY: as above.
                        acc = f.step(acc, unsafe { xp.at(base + k * xs).read() }, k);
                    }
                    acc
                };
                put(oo + i * o_in, acc);
            }
        });
    }
}

/// The row-buffer walk of `reduce_dim`: tasks are blocks of up to `ROW_BLOCK` output columns,
/// each folding whole input rows into a row of accumulators; when there are too few column
/// blocks to keep the pool busy, the reduced dim is also cut into bands whose accumulator rows
/// are combined in order afterwards.
fn rowwise<T: Num, F: Fold<T>>(f: &F, xp: SendPtr<T>, put: &(impl Fn(usize, F::Acc) + Sync), w: &DimWalk) {
    let (n, xs) = (w.n, w.xs);
    let mut cols: Vec<(usize, usize, usize)> = Vec::new();
    w.outer.for_each_run(0, w.outer.numel(), |[oo, ox], len| {
        for c in (0..len).step_by(ROW_BLOCK) {
            cols.push((oo + c, ox + c, (len - c).min(ROW_BLOCK)));
        }
    });
    let threads = parallel::num_threads();
    let parallel = w.outer.numel().saturating_mul(n) >= PARALLEL_GRAIN && threads > 1;
    let bands = if parallel && cols.len() < 2 * threads {
        (2 * threads).div_ceil(cols.len()).min(n / 16).max(1)
    } else {
        1
    };
    let fold = |c: usize, b: usize| -> Vec<F::Acc> {
        let (_, ox, bl) = cols[c];
        let mut accs = vec![f.init(); bl];
        // SAFETY: row k < n of this block is inside x (rows are contiguous here).
        let row = |k: usize| unsafe { std::slice::from_raw_parts(xp.at(ox + k * xs), bl) };
        let (k0, k1) = (b * n / bands, (b + 1) * n / bands);
        let mut k = k0;
        while k + 4 <= k1 {
            f.rows4(&mut accs, [row(k), row(k + 1), row(k + 2), row(k + 3)], k);
            k += 4;
        }
        for k in k..k1 {
            f.rows(&mut accs, row(k), k);
        }
        accs
    };
    let write = |c: usize, accs: &[F::Acc]| {
        for (j, &a) in accs.iter().enumerate() {
            put(cols[c].0 + j, a);
        }
    };
    if bands == 1 {
        let one = |c: usize| write(c, &fold(c, 0));
        if parallel {
            parallel::install(|| (0..cols.len()).into_par_iter().for_each(one));
        } else {
            (0..cols.len()).for_each(one);
        }
        return;
    }
    let parts: Vec<Vec<F::Acc>> = parallel::install(|| {
        (0..cols.len() * bands).into_par_iter().map(|t| fold(t / bands, t % bands)).collect()
    });
    for c in 0..cols.len() {
        let mut accs = parts[c * bands].clone();
        for part in &parts[c * bands + 1..(c + 1) * bands] {
            for (a, &b) in accs.iter_mut().zip(part) {
                *a = f.combine(*a, b);
            }
        }
        write(c, &accs);
    }
}

/// Input bytes above which `scan_dim` scans contiguous slices one at a time: about the last-level
/// cache (measured on a 32 MiB L3: interleaving won up to 16 MiB of input, 2x in cache, and lost
/// at 32 MiB, where one slice at a time matches PyTorch's loop).
const SCAN_STREAM_BYTES: usize = 16 << 20;

/// Running fold along the walk's dim (cumsum, cumprod): output element k is the fold's finish
/// after k + 1 elements.
///
/// # Safety
/// As for `reduce_dim`, with the output stepping `os` along the dim.
pub unsafe fn scan_dim<T: Num, F: Fold<T> + Copy>(f: &F, x: *const T, out: *mut F::Out, w: &DimWalk) {
    let (xp, op) = (SendPtr(x as *mut T), SendPtr(out));
    let (n, xs, os) = (w.n, w.xs, w.os);
    let (o_in, x_in) = (w.outer.inner_stride(0), w.outer.inner_stride(1));
    if w.rowwise() && os != 1 {
        w.outer.par_for_each_run(w.grain(), |[oo, ox], len| {
            let mut accs = vec![f.init(); len.min(ROW_BLOCK)];
            for c0 in (0..len).step_by(ROW_BLOCK) {
                let bl = (len - c0).min(ROW_BLOCK);
                let accs = &mut accs[..bl];
                accs.fill(f.init());
                for k in 0..n {
                    // SAFETY: row k of this block is inside x and out.
                    let row = unsafe { std::slice::from_raw_parts(xp.at(ox + c0 + k * xs), bl) };
                    f.rows(accs, row, k);
                    let orow = unsafe { std::slice::from_raw_parts_mut(op.at(oo + c0 + k * os), bl) };
                    for (o, &a) in orow.iter_mut().zip(accs.iter()) {
                        *o = f.finish(a, k + 1).0;
                    }
                }
            }
        });
    } else {
        let bytes = w.outer.numel() * n * std::mem::size_of::<T>();
        let streaming = xs == 1 && os == 1 && bytes > SCAN_STREAM_BYTES;
        w.outer.par_for_each_run(w.grain(), |[oo, ox], len| {
            // Local copies (the fold too): the output stores could alias anything reached through
            // a reference, which made every step reload the pointers, strides and the fold's
            // `mean` flag.
            let (f, xp, op, n, xs, os) = (*f, xp, op, n, xs, os);
            // Four slices at a time: each scan is one chain of dependent steps, so interleaving
            // independent slices hides the add latency (each slice's own order is unchanged).
            // Contiguous slices past the cache go one at a time instead: there memory is the
            // limit, and two sequential streams per thread prefetch better than eight (2048² f64
            // along dim 1: PyTorch's time, against 1.3x interleaved).
            const G: usize = 4;
            let interleaved = if streaming { 0 } else { len / G * G };
            for i0 in (0..interleaved).step_by(G) {
                let bo: [usize; G] = std::array::from_fn(|j| oo + (i0 + j) * o_in);
                let bx: [usize; G] = std::array::from_fn(|j| ox + (i0 + j) * x_in);
                let mut acc = [f.init(); G];
                for k in 0..n {
                    for j in 0..G {
                        // SAFETY: as below, for each of the G slices.
                        unsafe {
                            acc[j] = f.step(acc[j], xp.at(bx[j] + k * xs).read(), k);
                            op.at(bo[j] + k * os).write(f.finish(acc[j], k + 1).0);
                        }
                    }
                }
            }
            for i in interleaved..len {
                let (bo, bx) = (oo + i * o_in, ox + i * x_in);
                let mut acc = f.init();
                for k in 0..n {
                    // SAFETY: the n elements along the dim are inside x and out.
                    unsafe {
                        acc = f.step(acc, xp.at(bx + k * xs).read(), k);
                        op.at(bo + k * os).write(f.finish(acc, k + 1).0);
                    }
                }
            }
        });
    }
}

/// Calls `g(out_offset, x_offset)` for every position of the walk's outer plan, in parallel
/// above the grain (each call handles one whole slice along the dim).
pub fn for_each_slice(w: &DimWalk, g: impl Fn(usize, usize) + Sync) {
    let (o_in, x_in) = (w.outer.inner_stride(0), w.outer.inner_stride(1));
    w.outer.par_for_each_run(w.grain(), |[oo, ox], len| {
        for i in 0..len {
            g(oo + i * o_in, ox + i * x_in);
        }
    });
}

/// Sum of |x - y|^p over pairs (p = 0 counts differing pairs), in double; the caller takes the
/// root.
///
/// # Safety
/// The plan's offsets must be inside the allocations behind `x` (operand 0) and `y` (operand 1).
pub unsafe fn dist_sum<T: Num>(norm: NormF, x: *const T, y: *const T, plan: &Plan<2>) -> f64 {
    let n = plan.numel();
    let (xp, yp) = (SendPtr(x as *mut T), SendPtr(y as *mut T));
    let (sx, sy) = (plan.inner_stride(0), plan.inner_stride(1));
    let block = |b: usize| {
        let (start, end) = (b * BLOCK, ((b + 1) * BLOCK).min(n));
        let mut acc = 0.0;
        plan.for_each_run(start, end, |[ox, oy], len| {
            for i in 0..len {
                // SAFETY: the run lies inside both allocations (caller's guarantee).
                let (a, b) = unsafe { (xp.at(ox + i * sx).read(), yp.at(oy + i * sy).read()) };
                acc += norm.term(a.to_f64() - b.to_f64());
            }
        });
        acc
    };
    let blocks = n.div_ceil(BLOCK);
    if n >= PARALLEL_GRAIN && parallel::num_threads() > 1 {
        let parts: Vec<f64> = parallel::install(|| (0..blocks).into_par_iter().map(block).collect());
        parts.into_iter().sum()
    } else {
        (0..blocks).map(block).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_values() {
        let v = [f32::NEG_INFINITY, -2.5, -0.0, 0.0, 1e-30, 3.0, f32::INFINITY, f32::NAN];
        for w in v.windows(2) {
            assert!(w[0].key() <= w[1].key(), "{:?}", w);
        }
        assert_eq!((-0.0f64).key(), 0.0f64.key());
        assert!(i8::MIN.key() < (-1i8).key() && (-1i8).key() < 0i8.key() && 0i8.key() < i8::MAX.key());
        assert!(0u8.key() < 255u8.key());
        assert!(i64::MIN.key() < i64::MAX.key());
    }

    #[test]
    fn full_sum_is_exact_and_blocked() {
        let v = vec![1f32; 3 * BLOCK + 7];
        let plan = Plan::new(&[v.len()], [0], [&[1]]);
        let s = unsafe { reduce_all::<f32, _>(&SumF { mean: false }, v.as_ptr(), &plan) };
        assert_eq!(s, v.len() as f64);
        let m = unsafe { reduce_all::<f32, _>(&ExtremeF { max: true, index: true }, v.as_ptr(), &plan) };
        assert_eq!(m, (1.0, 0));
    }

    /// Values with varied magnitudes and signs (exercise the f64 accumulation of f32 input).
    fn values(n: usize) -> Vec<f32> {
        (0..n).map(|i| ((i * 7919 % 1000) as f32 - 500.0) * (1.0 + (i % 13) as f32 * 1e-3)).collect()
    }

    #[test]
    fn lane_folds_match_a_scalar_reference_and_every_copy() {
        // Lengths around the 64-lane width and beyond, including 0 and remainders.
        for n in [0, 1, 7, 63, 64, 65, 127, 128, 200, 1000, 4099] {
            let x = values(n);
            let seq: f64 = x.iter().map(|&v| v as f64).sum();
            let s = <SumF as Fold<f32>>::slice(&SumF { mean: false }, 0.0, &x, 0);
            assert!((s - seq).abs() <= 1e-12 * x.iter().map(|v| v.abs() as f64).sum::<f64>(), "sum n={n}");
            let plain = lanes::<f32>(0.0, &x, |a, b| a + b, 0.0);
            assert_eq!(s.to_bits(), plain.to_bits(), "dispatched sum differs from the plain lanes, n={n}");
            let sq = <NormF as Fold<f32>>::slice(&NormF { p: 2.0 }, 0.0, &x, 0);
            let seq_sq: f64 = x.iter().map(|&v| v as f64 * v as f64).sum();
            assert!((sq - seq_sq).abs() <= 1e-12 * seq_sq, "sum of squares n={n}");
            assert_eq!(sq.to_bits(), sum_sq(&x).to_bits());
            // Products near 1 (no overflow), against the sequential product.
            let y: Vec<f64> = (0..n).map(|i| 1.0 + ((i % 17) as f64 - 8.0) * 1e-3).collect();
            let p = <ProdF as Fold<f64>>::slice(&ProdF, 1.0, &y, 0);
            let seq_p: f64 = y.iter().product();
            assert!((p - seq_p).abs() <= 1e-13 * seq_p.abs(), "prod n={n}");
            assert_eq!(p.to_bits(), lanes::<f64>(1.0, &y, |a, b| a * b, 1.0).to_bits());
        }
        // Integer sums wrap like Torch7's long accumulator.
        let big = vec![i64::MAX; 100];
        let s = <SumF as Fold<i64>>::slice(&SumF { mean: false }, 0, &big, 0);
        assert_eq!(s, big.iter().fold(0i64, |a, &b| a.wrapping_add(b)));
        // NaN and infinities propagate.
        let mut x = values(300);
        x[150] = f32::INFINITY;
        assert_eq!(<SumF as Fold<f32>>::slice(&SumF { mean: false }, 0.0, &x, 0), f64::INFINITY);
        x[20] = f32::NAN;
        assert!(<SumF as Fold<f32>>::slice(&SumF { mean: false }, 0.0, &x, 0).is_nan());
    }

    #[test]
    fn interleaved_scan_matches_one_slice_at_a_time() {
        // 7 rows of 13 (four interleaved, three alone), cumsum along the contiguous dim.
        let (rows, n) = (7, 13);
        let x: Vec<f64> = values(rows * n).iter().map(|&v| v as f64 * 0.1).collect();
        let mut out = vec![0.0; rows * n];
        let w = DimWalk { outer: Plan::new(&[rows], [0, 0], [&[n], &[n]]), n, xs: 1, os: 1 };
        unsafe { scan_dim::<f64, _>(&SumF { mean: false }, x.as_ptr(), out.as_mut_ptr(), &w) };
        for r in 0..rows {
            let mut acc = 0.0;
            for k in 0..n {
                acc += x[r * n + k];
                assert_eq!(out[r * n + k], acc, "row {r} col {k}");
            }
        }
    }

    /// Strides of a buffer holding `sizes` with its dims laid out in memory in the order
    /// `order` (last innermost).
    fn strides_for(sizes: [usize; 3], order: [usize; 3]) -> [usize; 3] {
        let mut st = [0; 3];
        let mut s = 1;
        for &d in order.iter().rev() {
            st[d] = s;
            s *= sizes[d];
        }
        st
    }

    /// The walk along `d` as ops/reduce.rs builds it, into a contiguous output whose dim `d`
    /// has `m` elements; with the output offsets and input offsets of every slice in row-major
    /// order of the other dims.
    fn walk3(sizes: [usize; 3], st: [usize; 3], d: usize, m: usize) -> (DimWalk, Vec<(usize, usize)>) {
        let mut osz = sizes;
        osz[d] = m;
        let ost = strides_for(osz, [0, 1, 2]);
        let keep = |v: [usize; 3]| -> Vec<usize> { (0..3).filter(|&i| i != d).map(|i| v[i]).collect() };
        let w = DimWalk {
            outer: Plan::new(&keep(sizes), [0, 0], [&keep(ost), &keep(st)]),
            n: sizes[d],
            xs: st[d],
            os: ost[d],
        };
        let (a, b) = ((0..3).find(|&i| i != d).unwrap(), (0..3).rfind(|&i| i != d).unwrap());
        let mut slices = Vec::new();
        for i in 0..sizes[a] {
            for j in 0..sizes[b] {
                slices.push((i * ost[a] + j * ost[b], i * st[a] + j * st[b]));
            }
        }
        (w, slices)
    }

    /// Small integers (every sum, product of ±1 and 2, and power sum here is exact in any
    /// order), with ties, and a few NaN for floats when `nan`.
    fn data<T: Num>(n: usize, seed: usize, nan: bool) -> Vec<T> {
        (0..n)
            .map(|i| {
                let h = (i * 2654435761 + seed * 40503) % 1_000_003;
                if nan && h.is_multiple_of(997) {
                    T::from_f64(f64::NAN)
                } else {
                    T::from_f64((h % 41) as f64 - 20.0)
                }
            })
            .collect()
    }

    fn same<T: Num>(a: T, b: T) -> bool {
        a == b || (a.is_nan() && b.is_nan())
    }

    /// Torch7's definitions, element by element in order.
    fn ref_sum<T: Num>(v: &[T]) -> T::A {
        v.iter().fold(T::A::ZERO, |a, &x| a.add(x.to_acc()))
    }
    fn ref_prod<T: Num>(v: &[T]) -> T::A {
        v.iter().fold(T::A::ONE, |a, &x| a.mul(x.to_acc()))
    }
    fn ref_extreme<T: Num>(v: &[T], max: bool) -> (T, usize) {
        if let Some(p) = v.iter().position(|x| x.is_nan()) {
            return (v[p], p);
        }
        let mut best = 0;
        for (k, &x) in v.iter().enumerate() {
            if (max && x > v[best]) || (!max && x < v[best]) {
                best = k;
            }
        }
        (v[best], best)
    }
    fn ref_var(v: &[f64], biased: bool) -> f64 {
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / if biased { n } else { n - 1.0 }
    }

    /// Every fold along every dim of `x` (a `sizes` block laid out as `order`), against the
    /// definitions slice by slice; scans too. `all_folds: false` checks sum, max, var and the
    /// scans only (the large cases).
    fn check_dims<T: Num + std::fmt::Debug>(
        sizes: [usize; 3],
        order: [usize; 3],
        nan: bool,
        all_folds: bool,
    ) {
        let st = strides_for(sizes, order);
        let total: usize = sizes.iter().product();
        let x: Vec<T> = data(total, sizes[0] + 7 * sizes[2], nan);
        let what = |d: usize, f: &str| {
            format!(
                "{f} {} sizes {sizes:?} order {order:?} dim {d} threads {}",
                T::DTYPE.name(),
                parallel::num_threads()
            )
        };
        for d in 0..3 {
            let (w, slices) = walk3(sizes, st, d, 1);
            let slice = |xo: usize| -> Vec<T> { (0..sizes[d]).map(|k| x[xo + k * st[d]]).collect() };
            let m = slices.len();
            let run = |f: &dyn Fn(*mut T, *mut i64)| {
                let (mut out, mut idx) = (vec![T::from_f64(77.0); m], vec![-1i64; m]);
                f(out.as_mut_ptr(), idx.as_mut_ptr());
                (out, idx)
            };
            let (out, _) = run(&|o, _| unsafe { reduce_dim(&SumF { mean: false }, x.as_ptr(), o, None, &w) });
            for &(oo, xo) in &slices {
                assert!(same(out[oo], T::from_acc(ref_sum(&slice(xo)))), "{}", what(d, "sum"));
            }
            for max in [true, false].into_iter().filter(|_| sizes[d] > 0) {
                let (out, idx) = run(&|o, i| unsafe {
                    reduce_dim(&ExtremeF { max, index: true }, x.as_ptr(), o, Some(i), &w)
                });
                for &(oo, xo) in &slices {
                    let (v, k) = ref_extreme(&slice(xo), max);
                    assert!(
                        same(out[oo], v) && idx[oo] == k as i64,
                        "{} at {oo}: {:?} {} vs {v:?} {k}",
                        what(d, "max/min"),
                        out[oo],
                        idx[oo]
                    );
                }
            }
            for (biased, std) in [(false, false), (true, true)].into_iter().filter(|_| sizes[d] > 0) {
                let (out, _) =
                    run(&|o, _| unsafe { reduce_dim(&VarF { biased, std }, x.as_ptr(), o, None, &w) });
                for &(oo, xo) in &slices {
                    let v: Vec<f64> = slice(xo).iter().map(|x| x.to_f64()).collect();
                    let r = ref_var(&v, biased);
                    let r = T::from_f64(if std { r.sqrt() } else { r });
                    let (a, b) = (out[oo].to_f64(), r.to_f64());
                    // Integer types truncate: a result a hair either side of an integer moves by 1.
                    let tol = if T::DTYPE.is_floating_point() { 1e-5 * b.abs().max(1.0) } else { 1.0 };
                    assert!(same(out[oo], r) || (a - b).abs() <= tol, "{} {a} vs {b}", what(d, "var"));
                }
            }
            // Scans into a contiguous output of the input's sizes.
            let (sw, sslices) = walk3(sizes, st, d, sizes[d]);
            let ost = strides_for(sizes, [0, 1, 2]);
            for prod in [false, true] {
                let mut out = vec![T::from_f64(77.0); total];
                unsafe {
                    if prod {
                        scan_dim(&ProdF, x.as_ptr(), out.as_mut_ptr(), &sw)
                    } else {
                        scan_dim(&SumF { mean: false }, x.as_ptr(), out.as_mut_ptr(), &sw)
                    }
                }
                for &(oo, xo) in &sslices {
                    let mut r = if prod { T::A::ONE } else { T::A::ZERO };
                    for (k, x) in slice(xo).into_iter().enumerate() {
                        r = if prod { r.mul(x.to_acc()) } else { r.add(x.to_acc()) };
                        assert!(
                            same(out[oo + k * ost[d]], T::from_acc(r)),
                            "{} k={k}",
                            what(d, if prod { "cumprod" } else { "cumsum" })
                        );
                    }
                }
            }
            if !all_folds {
                continue;
            }
            let (out, _) = run(&|o, _| unsafe { reduce_dim(&SumF { mean: true }, x.as_ptr(), o, None, &w) });
            for &(oo, xo) in &slices {
                let r = T::from_f64(ref_sum(&slice(xo)).to_f64() / sizes[d] as f64);
                assert!(same(out[oo], r), "{}", what(d, "mean"));
            }
            let (out, _) = run(&|o, _| unsafe { reduce_dim(&ProdF, x.as_ptr(), o, None, &w) });
            for &(oo, xo) in &slices {
                let s: Vec<T> = slice(xo);
                assert!(same(out[oo], T::from_acc(ref_prod(&s))), "{}", what(d, "prod"));
            }
            for p in [0.0, 1.0, 2.0, 3.0] {
                let (out, _) = run(&|o, _| unsafe { reduce_dim(&NormF { p }, x.as_ptr(), o, None, &w) });
                for &(oo, xo) in &slices {
                    let s: f64 = slice(xo)
                        .iter()
                        .map(|x| x.to_f64().abs())
                        .map(|a| if p == 0.0 { (a != 0.0) as u8 as f64 } else { a.powf(p) })
                        .sum();
                    let r = if p <= 1.0 { s } else { s.powf(1.0 / p) };
                    let (a, b) = (out[oo].to_f64(), T::from_f64(r).to_f64());
                    assert!(
                        same(out[oo], T::from_f64(r)) || (a - b).abs() <= 1e-6 * b.abs(),
                        "{} p={p}: {a} vs {b}",
                        what(d, "norm")
                    );
                }
            }
            // Every slice visited once, with its offsets (a reduction's walk and a scan's, whose
            // output steps along the other dims too).
            for (walk, slices) in [(&w, &slices), (&sw, &sslices)] {
                let seen = std::sync::Mutex::new(Vec::new());
                for_each_slice(walk, |o, xo| seen.lock().unwrap().push((o, xo)));
                let mut seen = seen.into_inner().unwrap();
                seen.sort_unstable();
                let mut want = slices.clone();
                want.sort_unstable();
                assert_eq!(seen, want, "{}", what(d, "for_each_slice"));
            }
        }
        // Full reductions over the strided block, and the distance to a shifted copy.
        let plan = Plan::new(&sizes, [0], [&st]);
        let flat: Vec<T> = {
            let mut v = Vec::with_capacity(total);
            for i in 0..sizes[0] {
                for j in 0..sizes[1] {
                    for k in 0..sizes[2] {
                        v.push(x[i * st[0] + j * st[1] + k * st[2]]);
                    }
                }
            }
            v
        };
        let s = unsafe { reduce_all(&SumF { mean: false }, x.as_ptr(), &plan) };
        assert!(same(T::from_acc(s), T::from_acc(ref_sum(&flat))), "{}", what(9, "sum all"));
        for max in [true, false].into_iter().filter(|_| total > 0) {
            let (v, k) = unsafe { reduce_all(&ExtremeF { max, index: true }, x.as_ptr(), &plan) };
            let (rv, rk) = ref_extreme(&flat, max);
            assert!(same(v, rv) && k == rk, "{} {v:?} {k} vs {rv:?} {rk}", what(9, "max/min all"));
            let (v, _) = unsafe { reduce_all(&ExtremeF { max, index: false }, x.as_ptr(), &plan) };
            assert!(same(v, rv), "{}", what(9, "max/min value all"));
        }
        if all_folds {
            let p = unsafe { reduce_all(&ProdF, x.as_ptr(), &plan) };
            assert!(same(T::from_acc(p), T::from_acc(ref_prod(&flat))), "{}", what(9, "prod all"));
            let y: Vec<T> = data(total, 5, false);
            let cplan = Plan::new(&sizes, [0, 0], [&st, &strides_for(sizes, [0, 1, 2])]);
            for p in [0.0, 1.0, 2.0] {
                let got = unsafe { dist_sum(NormF { p }, x.as_ptr(), y.as_ptr(), &cplan) };
                let want: f64 =
                    flat.iter().zip(&y).map(|(a, b)| NormF { p }.term(a.to_f64() - b.to_f64())).sum();
                assert!(
                    got == want || (got.is_nan() && want.is_nan()),
                    "{} p={p}: {got} vs {want}",
                    what(9, "dist")
                );
            }
        }
    }

    const ORDERS: [[usize; 3]; 3] = [[0, 1, 2], [2, 1, 0], [1, 0, 2]];

    #[test]
    fn every_fold_along_every_dim_and_layout() {
        for t in crate::cpu::test_thread_counts() {
            parallel::set_num_threads(t);
            for order in ORDERS {
                for sizes in [[3, 5, 7], [1, 9, 70], [4, 1, 1], [2, 0, 3]] {
                    check_dims::<f64>(sizes, order, true, true);
                    check_dims::<f32>(sizes, order, true, true);
                    check_dims::<i32>(sizes, order, false, true);
                    check_dims::<u8>(sizes, order, false, true);
                    check_dims::<i64>(sizes, order, false, true);
                }
            }
        }
        parallel::set_num_threads(1);
    }

    #[test]
    fn large_reductions_split_over_blocks_bands_and_threads() {
        for t in crate::cpu::test_thread_counts() {
            parallel::set_num_threads(t);
            // A tall block (few column blocks: the reduced dim is cut into bands), a wide one
            // (several 2048-column blocks), and a long contiguous dim (several BLOCKs).
            // Each just past PARALLEL_GRAIN elements.
            check_dims::<f32>([1, 8200, 8], [0, 1, 2], true, false);
            check_dims::<i64>([1, 17, 4100], [0, 1, 2], false, false);
            if !crate::cpu::under_valgrind() {
                check_dims::<f64>([2, 3, 11000], [0, 1, 2], true, false);
            }
        }
        if crate::cpu::under_valgrind() {
            parallel::set_num_threads(1);
            return;
        }
        parallel::set_num_threads(2);
        check_dims::<f64>([2, 3, 11000], [2, 1, 0], false, true);
        parallel::set_num_threads(1);
    }

    #[test]
    fn long_scans_stream_one_slice_at_a_time() {
        if crate::cpu::under_valgrind() {
            return; // 36 MB through valgrind; the row and interleaved walks run in the tests above
        }
        // Past SCAN_STREAM_BYTES of contiguous f64: the slices go one at a time.
        let (rows, n) = (9, (SCAN_STREAM_BYTES / 8) / 9 + 100);
        let x: Vec<f64> = data(rows * n, 3, false);
        let (w, slices) = walk3([1, rows, n], [rows * n, n, 1], 2, n);
        for t in [1, 2] {
            parallel::set_num_threads(t);
            let mut out = vec![0.0; rows * n];
            unsafe { scan_dim(&SumF { mean: false }, x.as_ptr(), out.as_mut_ptr(), &w) };
            for &(oo, xo) in &slices {
                let mut acc = 0.0;
                for k in 0..n {
                    acc += x[xo + k];
                    assert_eq!(out[oo + k], acc);
                }
            }
        }
        parallel::set_num_threads(1);
    }

    #[test]
    fn every_compiled_copy_of_the_lane_folds_agrees() {
        // The dispatch runs one copy; an embedder's CPU may run another, so each is called.
        let x = values(4099);
        let xd: Vec<f64> = x.iter().map(|&v| v as f64).collect();
        let plain = lanes::<f32>(0.0, &x, |a, b| a + b, 0.0);
        let mut rows = vec![0.5f64; 3000];
        let mut rows4 = rows.clone();
        let r: Vec<&[f32]> = x.chunks(1000).collect();
        add_rows(&mut rows, r[0]);
        add_rows4(&mut rows4, [r[0], r[1], r[2], r[3]]);
        for j in 0..1000 {
            assert_eq!(rows[j], 0.5 + x[j] as f64);
            let want = 0.5 + ((x[j] as f64 + x[1000 + j] as f64) + (x[2000 + j] as f64 + x[3000 + j] as f64));
            assert_eq!(rows4[j], want);
        }
        assert_eq!(rows[1000..], vec![0.5; 2000][..]);
        let (m, v) = mean_m2(&x);
        assert!((m - xd.iter().sum::<f64>() / 4099.0).abs() < 1e-9);
        assert!((v - ref_var(&xd, true) * 4099.0).abs() <= 1e-9 * v);
        let y: Vec<f64> = (0..4099).map(|i| 1.0 + ((i % 17) as f64 - 8.0) * 1e-3).collect();
        let prod = lanes::<f64>(1.0, &y, |a, b| a * b, 1.0);
        let mut with_nan = x.clone();
        with_nan[4000] = f32::NAN;
        for (xs, want_max, want_min, nan) in [
            (
                &x[..],
                x.iter().cloned().fold(f32::MIN, f32::max),
                x.iter().cloned().fold(f32::MAX, f32::min),
                false,
            ),
            (
                &with_nan[..],
                x.iter().cloned().fold(f32::MIN, f32::max),
                x.iter().cloned().fold(f32::MAX, f32::min),
                true,
            ),
        ] {
            assert_eq!(extreme_lanes::<f32, true>(xs), (want_max, nan));
            assert_eq!(extreme_lanes::<f32, false>(xs), (want_min, nan));
            assert_eq!(extreme(xs, true), (want_max, nan));
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("avx2") {
                unsafe {
                    assert_eq!(extreme_avx2::<f32, true>(xs), (want_max, nan));
                    assert_eq!(extreme_avx2::<f32, false>(xs), (want_min, nan));
                }
            }
        }
        #[cfg(target_arch = "x86_64")]
        unsafe {
            if std::is_x86_feature_detected!("avx2") {
                assert_eq!(sum_avx2::<f32>(0.0, &x).to_bits(), plain.to_bits());
                assert_eq!(sum_sq_avx2(&x).to_bits(), sum_sq(&x).to_bits());
                assert_eq!(mean_m2_avx2(&x), (m, v));
                let mut a = vec![0.5f64; 1000];
                add_rows_avx2(&mut a, r[0]);
                assert_eq!(a, rows[..1000]);
                let mut a = vec![0.5f64; 1000];
                add_rows4_avx2(&mut a, [r[0], r[1], r[2], r[3]]);
                assert_eq!(a, rows4[..1000]);
            }
            if avx512() {
                assert_eq!(sum_avx512::<f32>(0.0, &x).to_bits(), plain.to_bits());
                assert_eq!(prod_avx512::<f64>(1.0, &y).to_bits(), prod.to_bits());
                assert_eq!(sum_sq_avx512(&x).to_bits(), sum_sq(&x).to_bits());
                assert_eq!(mean_m2_avx512(&x), (m, v));
                let mut a = vec![0.5f64; 1000];
                add_rows_avx512(&mut a, r[0]);
                assert_eq!(a, rows[..1000]);
                let mut a = vec![0.5f64; 1000];
                add_rows4_avx512(&mut a, [r[0], r[1], r[2], r[3]]);
                assert_eq!(a, rows4[..1000]);
                let mut a = vec![2.0f64; 1000];
                mul_rows_avx512(&mut a, &y[..1000]);
                assert!(a.iter().zip(&y).all(|(&p, &q)| p == 2.0 * q));
            }
        }
    }

    #[test]
    fn the_first_of_equal_extremes_wins_even_for_signed_zeros() {
        // Torch7 keeps the first maximum (minimum): -0 before 0 gives -0, and the other way.
        // The zeros in whole lanes, alternating across lanes, and in the tail.
        for (first, second) in [(-0.0f64, 0.0f64), (0.0, -0.0)] {
            let ones = vec![-1.0; 16];
            let blocks = [ones.clone(), vec![first; 16], vec![second; 16]].concat();
            let alternating = [ones.clone(), [first, second].repeat(8)].concat();
            let tail = [ones.clone(), vec![first, second]].concat();
            for x in [blocks, alternating, tail] {
                let plan = Plan::new(&[x.len()], [0], [&[1]]);
                let (v, _) = unsafe { reduce_all(&ExtremeF { max: true, index: false }, x.as_ptr(), &plan) };
                assert_eq!(v.to_bits(), first.to_bits(), "max of {x:?}");
                let y: Vec<f64> = x.iter().map(|&v| if v == -1.0 { 1.0 } else { v }).collect();
                let (v, _) = unsafe { reduce_all(&ExtremeF { max: false, index: false }, y.as_ptr(), &plan) };
                assert_eq!(v.to_bits(), first.to_bits(), "min of {y:?}");
            }
        }
        // An infinity makes the lanes' x - x NaN without any NaN in the slice.
        for (max, inf) in [(true, f64::INFINITY), (false, f64::NEG_INFINITY)] {
            let mut x: Vec<f64> = (0..40).map(|i| i as f64).collect();
            x[20] = inf;
            let plan = Plan::new(&[x.len()], [0], [&[1]]);
            let got = unsafe { reduce_all(&ExtremeF { max, index: true }, x.as_ptr(), &plan) };
            assert_eq!(got, (inf, 20));
        }
    }

    #[test]
    fn walks_split_about_parallel_grain_elements_per_task() {
        let walk = |n| DimWalk { outer: Plan::new(&[4], [0, 0], [&[1], &[1]]), n, xs: 4, os: 0 };
        assert_eq!(walk(100).grain(), PARALLEL_GRAIN / 100);
        assert_eq!(walk(0).grain(), PARALLEL_GRAIN);
        assert_eq!(walk(1).grain(), PARALLEL_GRAIN);
        assert_eq!(walk(10 * PARALLEL_GRAIN).grain(), 1);
        // The row-buffer walk: a strided dim of two or more over contiguous outer rows.
        assert!(walk(2).rowwise() && !walk(1).rowwise());
        assert!(!DimWalk { xs: 1, ..walk(5) }.rowwise());
        assert!(!DimWalk { outer: Plan::new(&[4], [0, 0], [&[2], &[1]]), ..walk(5) }.rowwise());
        assert!(!DimWalk { outer: Plan::new(&[4], [0, 0], [&[1], &[3]]), ..walk(5) }.rowwise());
    }

    #[test]
    fn outer_dim_uses_row_buffer() {
        // 3x4 contiguous, reduce dim 0: output 4 columns.
        let x: Vec<i32> = (0..12).collect();
        let mut out = vec![0i32; 4];
        let w = DimWalk { outer: Plan::new(&[4], [0, 0], [&[1], &[1]]), n: 3, xs: 4, os: 0 };
        assert!(w.rowwise());
        unsafe { reduce_dim::<i32, _>(&SumF { mean: false }, x.as_ptr(), out.as_mut_ptr(), None, &w) };
        assert_eq!(out, vec![12, 15, 18, 21]);
    }
}
