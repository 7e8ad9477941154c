//! Vectorised element loops and branch-free math kernels.
//!
//! Two halves:
//! - loop drivers (`into1`, `inplace1`, `into2`, ...) that run a closure over slices in a copy
//!   compiled for AVX-512 or AVX2 when the CPU has it (picked once at run time), so the rounding
//!   family, clamp, sign, comparisons and every other branch-free closure vectorise on the widest
//!   registers without a per-op kernel;
//! - transcendental functions written without branches (selects only) so those loops vectorise
//!   them too. The f64 kernels are fdlibm/Cephes polynomials after Cody-Waite range reduction;
//!   the f32 ones (except tanh) evaluate the f64 kernel and round once, which keeps them within
//!   1 ulp and avoids separate overflow handling (f32 sinh/cosh overflow exactly where the f64
//!   result exceeds f32's range). Inputs outside a kernel's reduction range (|x| > 1e5 for
//!   sin/cos/tan, huge quotients for fmod) go to libm in a second pass over the block, so the
//!   result is right everywhere. tests/test_math_accuracy.py checks every kernel against numpy on
//!   dense sweeps and the edges (±0, subnormals, ±inf, NaN, the largest finite values).
//!
//! No crate is used: the stable-Rust SIMD crates (wide, pulp) pick their instruction set at
//! compile time, so a portable build would run their SSE2 code; the loops here get AVX-512 at
//! run time with the same source.

#![allow(clippy::excessive_precision)]

use super::pow_f32_tables as pt;
use std::sync::atomic::{AtomicU8, Ordering};

// ------------------------------------------------------------------------------------ dispatch

const UNKNOWN: u8 = 0xff;
static LEVEL: AtomicU8 = AtomicU8::new(UNKNOWN);

/// 2 with AVX-512 (F, VL, BW, DQ) and FMA, 1 with AVX2 and FMA, 0 otherwise.
#[inline]
pub fn level() -> u8 {
    let l = LEVEL.load(Ordering::Relaxed);
    if l != UNKNOWN {
        return l;
    }
    let l = detect();
    LEVEL.store(l, Ordering::Relaxed);
    l
}

fn detect() -> u8 {
    #[cfg(target_arch = "x86_64")]
    {
        let fma = std::is_x86_feature_detected!("fma");
        if fma
            && std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512vl")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512dq")
        {
            return 2;
        }
        if fma && std::is_x86_feature_detected!("avx2") {
            return 1;
        }
    }
    0
}

/// Defines `$name` (a loop over slices with body `$body`) plus its AVX2 and AVX-512 copies and
/// a public dispatcher `$public`. The body is the same; only the registers get wider.
macro_rules! multiversion {
    ($public:ident, $name:ident, $avx2:ident, $avx512:ident,
     <$($g:ident $(: $b:path)?),*>, ($($a:ident: $t:ty),*), $body:block) => {
        #[inline(always)]
        fn $name<$($g $(: $b)?),*>($($a: $t),*) $body

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn $avx2<$($g $(: $b)?),*>($($a: $t),*) {
            $name($($a),*)
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma")]
        unsafe fn $avx512<$($g $(: $b)?),*>($($a: $t),*) {
            $name($($a),*)
        }

        #[inline]
        pub fn $public<$($g $(: $b)?),*>($($a: $t),*) {
            #[cfg(target_arch = "x86_64")]
            match level() {
                // SAFETY: level() saw these features on this CPU.
                2 => return unsafe { $avx512($($a),*) },
                // SAFETY: as above.
                1 => return unsafe { $avx2($($a),*) },
                _ => {}
            }
            $name($($a),*)
        }
    };
}

multiversion!(into1, into1_base, into1_avx2, into1_avx512, <T: Copy, R: Copy, F: Fn(T) -> R>,
    (o: &mut [R], x: &[T], f: &F), {
    for (o, &v) in o.iter_mut().zip(x) {
        *o = f(v);
    }
});

multiversion!(inplace1, inplace1_base, inplace1_avx2, inplace1_avx512, <T: Copy, F: Fn(T) -> T>,
    (x: &mut [T], f: &F), {
    for v in x.iter_mut() {
        *v = f(*v);
    }
});

multiversion!(into2, into2_base, into2_avx2, into2_avx512, <T: Copy, R: Copy, F: Fn(T, T) -> R>,
    (o: &mut [R], a: &[T], b: &[T], f: &F), {
    for ((o, &v), &w) in o.iter_mut().zip(a).zip(b) {
        *o = f(v, w);
    }
});

// `x = f(x, b)`; with `swap`, `x = f(b, x)` (the destination is the second operand).
multiversion!(inplace2, inplace2_base, inplace2_avx2, inplace2_avx512, <T: Copy, F: Fn(T, T) -> T>,
    (x: &mut [T], b: &[T], swap: bool, f: &F), {
    if swap {
        for (v, &w) in x.iter_mut().zip(b) {
            *v = f(w, *v);
        }
    } else {
        for (v, &w) in x.iter_mut().zip(b) {
            *v = f(*v, w);
        }
    }
});

/// Block length of the two-pass (fast, then libm fix-up) loops: a stack buffer that stays in L1.
pub const BLOCK: usize = 256;

// `o = fast(x)`, then libm's `slow(x)` where `bad(x)` (outside the kernel's range).
multiversion!(fixed1, fixed1_base, fixed1_avx2, fixed1_avx512,
    <T: Copy, F: Fn(T) -> T, B: Fn(T) -> bool, S: Fn(T) -> T>,
    (o: &mut [T], x: &[T], fast: &F, bad: &B, slow: &S), {
    let mut any = false;
    for (o, &v) in o.iter_mut().zip(x) {
        *o = fast(v);
        any |= bad(v);
    }
    if any {
        for (o, &v) in o.iter_mut().zip(x) {
            if bad(v) {
                *o = slow(v);
            }
        }
    }
});

multiversion!(fixed2, fixed2_base, fixed2_avx2, fixed2_avx512,
    <T: Copy, F: Fn(T, T) -> T, B: Fn(T, T) -> bool, S: Fn(T, T) -> T>,
    (o: &mut [T], a: &[T], b: &[T], fast: &F, bad: &B, slow: &S), {
    let mut any = false;
    for ((o, &v), &w) in o.iter_mut().zip(a).zip(b) {
        *o = fast(v, w);
        any |= bad(v, w);
    }
    if any {
        for ((o, &v), &w) in o.iter_mut().zip(a).zip(b) {
            if bad(v, w) {
                *o = slow(v, w);
            }
        }
    }
});

/// `dst = fast(src)` with libm's `slow` where `bad` (src `None`: in place, through a stack copy
/// of each block so the fix-up pass still sees the inputs).
#[inline]
pub fn with_fallback<T: Copy + Default>(
    dst: &mut [T],
    src: Option<&[T]>,
    fast: impl Fn(T) -> T,
    bad: impl Fn(T) -> bool,
    slow: impl Fn(T) -> T,
) {
    match src {
        Some(s) => fixed1(dst, s, &fast, &bad, &slow),
        None => {
            let mut buf = [T::default(); BLOCK];
            for d in dst.chunks_mut(BLOCK) {
                let n = d.len();
                buf[..n].copy_from_slice(d);
                fixed1(d, &buf[..n], &fast, &bad, &slow);
            }
        }
    }
}

// ------------------------------------------------------------------------------------ rounding

/// C's round: half away from zero (Torch7's round), branch-free: trunc plus a select.
#[inline(always)]
pub fn round_f32(x: f32) -> f32 {
    let t = x.trunc();
    if (x - t).abs() >= 0.5 {
        t + 1.0f32.copysign(x)
    } else {
        t
    }
}

/// As `round_f32`.
#[inline(always)]
pub fn round_f64(x: f64) -> f64 {
    let t = x.trunc();
    if (x - t).abs() >= 0.5 {
        t + 1.0f64.copysign(x)
    } else {
        t
    }
}

// ------------------------------------------------------------------------------------ exp family

/// e^x / 2 without overflowing before e^x / 2 does (sinh and cosh near their overflow): the exp
/// kernel of cpu/elementwise.rs with the final scale one power of two lower.
#[inline(always)]
fn exp_half_f64(x: f64) -> f64 {
    super::exp_scaled_f64(x, 0.0, 1, 711.0, 710.475_860_073_943_9)
}

/// sinh: x + x³·T(x²) (Taylor to x¹⁹, truncation below 2⁻⁶⁶) for |x| < 1, else e/2 - 1/(2e).
#[inline(always)]
pub fn sinh_f64(x: f64) -> f64 {
    let ax = x.abs();
    let z = x * x;
    // 1/(2k+1)! for k = 9 down to 1.
    const C: [f64; 9] = [
        1.0 / 121_645_100_408_832_000.0,
        1.0 / 355_687_428_096_000.0,
        1.0 / 1_307_674_368_000.0,
        1.0 / 6_227_020_800.0,
        1.0 / 39_916_800.0,
        1.0 / 362_880.0,
        1.0 / 5_040.0,
        1.0 / 120.0,
        1.0 / 6.0,
    ];
    let mut p = C[0];
    for &c in &C[1..] {
        p = p.mul_add(z, c);
    }
    let small = (x * z).mul_add(p, x);
    let eh = exp_half_f64(ax);
    let big = (eh - 0.25 / eh).copysign(x);
    if ax < 1.0 {
        small
    } else {
        big
    }
}

/// cosh: e/2 + 1/(2e) with e = e^|x|.
#[inline(always)]
pub fn cosh_f64(x: f64) -> f64 {
    let eh = exp_half_f64(x.abs());
    eh + 0.25 / eh
}

/// tanh: Cephes' rational x + x³·P(x²)/Q(x²) for |x| < 0.625, else 1 - 2/(e^{2|x|} + 1).
#[inline(always)]
pub fn tanh_f64(x: f64) -> f64 {
    let ax = x.abs();
    let z = x * x;
    let p = z.mul_add(
        z.mul_add(-9.643_991_794_250_522_386_28e-1, -9.928_772_310_019_185_865_64e1),
        -1.614_687_684_417_084_479_52e3,
    );
    let q = z.mul_add(
        z.mul_add(z + 1.128_116_784_916_329_314_02e2, 2.235_488_390_601_004_485_83e3),
        4.844_063_053_251_254_860_48e3,
    );
    let small = (x * z).mul_add(p / q, x).copysign(x);
    let e = super::exp_f64(2.0 * ax);
    let big = (1.0 - 2.0 / (e + 1.0)).copysign(x);
    if ax < 0.625 {
        small
    } else {
        big
    }
}

/// tanh in f32 (Cephes' tanhf: odd polynomial below 0.625, else through exp); within 2 ulp.
#[inline(always)]
pub fn tanh_f32(x: f32) -> f32 {
    let ax = x.abs();
    let z = x * x;
    let mut p = -5.704_988_727_45e-3f32;
    p = p.mul_add(z, 2.063_908_879_54e-2);
    p = p.mul_add(z, -5.373_971_555_31e-2);
    p = p.mul_add(z, 1.333_144_220_36e-1);
    p = p.mul_add(z, -3.333_328_194_22e-1);
    let small = (p * z).mul_add(x, x).copysign(x);
    let e = super::exp_f32(2.0 * ax);
    let big = (1.0 - 2.0 / (e + 1.0)).copysign(x);
    if ax < 0.625 {
        small
    } else {
        big
    }
}

/// log(1 + x) as log(u)·x/(u - 1) with u = 1 + x (Goldberg's correction for the rounding of u).
#[inline(always)]
pub fn log1p_f64(x: f64) -> f64 {
    let u = 1.0 + x;
    let d = u - 1.0;
    let v = super::log_f64(u) * (x / d);
    if d == 0.0 || x == f64::INFINITY {
        x
    } else {
        v
    }
}

/// log(1 + x) in f32: ln(u) for u = 1 + x rounded, plus the first-order correction for that
/// rounding, (x - (u - 1)) / u (exact numerator). Within 2 ulp; f32 registers hold twice the
/// lanes of the f64 kernel this replaced for FloatTensor.
#[inline(always)]
pub fn log1p_f32(x: f32) -> f32 {
    let u = 1.0 + x;
    let c = (x - (u - 1.0)) / u;
    let v = super::log_f32(u) + c;
    // u = 0 (x = -1) and u = inf make c NaN: log's -inf / inf stands; x < -1 and NaN give NaN;
    // ±0 keeps its sign (log(1) + c is +0 for -0).
    if u == 0.0 || x == f32::INFINITY {
        super::log_f32(u)
    } else if x == 0.0 {
        x
    } else {
        v
    }
}

// ------------------------------------------------------------------------------------ pow

/// ln(a) for finite a > 0 as a double-double hi + lo, relative error below 2^-62 (what
/// pow(x, y) = e^(y ln x) needs to stay within an ulp for |y ln x| up to 745): a = 2^k·m with m
/// in [√2/2, √2) as in `log_f64`, ln(m) = 2·atanh(s), s = f/(2 + f), f = m - 1 (exact). s and
/// its s³/3 term are carried as double-doubles (FMA remainders); the rest of the series
/// (s⁵/5 + s⁷/7 + ...) is below 2^-12 of s, so plain double suffices there.
#[inline(always)]
fn log_dd(a: f64) -> (f64, f64) {
    const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-1; // 32 bits: k·LN2_HI is exact
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    const THIRD_HI: f64 = 1.0 / 3.0;
    const THIRD_LO: f64 = 1.850_371_707_708_594e-17; // 1/3 - THIRD_HI
    let sub = a < f64::MIN_POSITIVE;
    let xs = if sub { a * 18_014_398_509_481_984.0 } else { a }; // 2^54
    let mut ix = xs.to_bits();
    ix = ix.wrapping_add((0x3ff0_0000u64 - 0x3fe6_a09e) << 32);
    let k = (((ix >> 52) as i32) - 0x3ff - if sub { 54 } else { 0 }) as f64;
    ix = (ix & 0x000f_ffff_ffff_ffff) + (0x3fe6_a09eu64 << 32);
    let f = f64::from_bits(ix) - 1.0;
    // d + dl = 2 + f exactly (|f| < 2); s + sl = f / (d + dl) from one division and the FMA
    // remainder f - s·d (its rounding is far below s's last bit).
    let d = 2.0 + f;
    let dl = f - (d - 2.0);
    let inv = 1.0 / d;
    let s = f * inv;
    let sl = ((-s).mul_add(d, f) - s * dl) * inv;
    // s³ = s3 + s3l, then s³/3 = t3 + t3l.
    let s2 = s * s;
    let s2l = s.mul_add(s, -s2) + 2.0 * s * sl;
    let s3 = s2 * s;
    let s3l = s2.mul_add(s, -s3) + (s2l * s + s2 * sl);
    let t3 = s3 * THIRD_HI;
    let t3l = s3.mul_add(THIRD_HI, -t3) + (s3 * THIRD_LO + s3l * THIRD_HI);
    // Tail s⁵·Σ z^j/(2j+5), z = s² <= 0.0295: Taylor to z^10 (truncation below 2^-64 of s).
    let z = s2;
    const TAIL: [f64; 10] = [
        1.0 / 23.0,
        1.0 / 21.0,
        1.0 / 19.0,
        1.0 / 17.0,
        1.0 / 15.0,
        1.0 / 13.0,
        1.0 / 11.0,
        1.0 / 9.0,
        1.0 / 7.0,
        1.0 / 5.0,
    ];
    let mut p = 1.0f64 / 25.0;
    for c in TAIL {
        p = p.mul_add(z, c);
    }
    let tail = s3 * s2 * p;
    // atanh(s) = a + al (Fast2Sum: |s| > |t3|).
    let ah = s + t3;
    let al = (t3 - (ah - s)) + (sl + t3l + tail);
    // ln(x) = k·ln2 + 2·atanh(s), the big parts by TwoSum (either may dominate).
    let kh = k * LN2_HI;
    let hi = kh + 2.0 * ah;
    let bb = hi - kh;
    let err = (kh - (hi - bb)) + (2.0 * ah - bb);
    (hi, err + 2.0 * al + k * LN2_LO)
}

/// C's pow edges around `m`, a kernel's |x|^y that is right for finite |x| > 0, x != 1: ±0 and
/// ±inf bases, NaN operands, x = 1 and y = 0 (1 even against NaN), -1 to ±inf (1), a negative finite base
/// with a non-integer exponent (NaN) and the sign of an odd integer power of a negative base.
/// Selects only, so loops over it vectorise. (`m` is a value, not a closure: an un-inlined
/// closure would be compiled without the caller's FMA and AVX features.)
#[inline(always)]
fn pow_edges(x: f64, y: f64, m: f64) -> f64 {
    let ax = x.abs();
    let m = if ax == 0.0 {
        if y < 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    } else if ax == f64::INFINITY {
        if y < 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    } else if ax == 1.0 {
        1.0
    } else {
        m
    };
    // Every |y| >= 2^53 (and ±inf) is an even integer here, as in C.
    let int = y == y.trunc();
    let odd = int && (0.5 * y) != (0.5 * y).trunc();
    let v = if x.is_sign_negative() && odd { -m } else { m };
    let v = if x < 0.0 && x > f64::NEG_INFINITY && !int { f64::NAN } else { v };
    let v = if x.is_nan() || y.is_nan() { x + y } else { v };
    if y == 0.0 || x == 1.0 {
        1.0
    } else {
        v
    }
}

/// pow(x, y) in f64: e^(y·ln|x|) with ln|x| as a double-double (`log_dd`), the product split
/// exactly by FMA and its low part fed into the exp kernel's reduced argument; C's edges by
/// `pow_edges`; x² and x¹ exact. Within 1 ulp of C's pow in the tests.
#[inline(always)]
pub fn pow_f64(x: f64, y: f64) -> f64 {
    let (lh, ll) = log_dd(x.abs());
    let th = y * lh;
    let tl = y.mul_add(lh, -th) + y * ll;
    // Past the exp kernel's range (or for ±inf / NaN products) the low part is meaningless.
    let tl = if th.abs() < 1e3 { tl } else { 0.0 };
    let v = pow_edges(x, y, super::exp_scaled_f64(th, tl, 0, 710.0, 709.782_712_893_384));
    if y == 2.0 {
        x * x
    } else if y == 1.0 {
        x
    } else {
        v
    }
}

/// log2(a) for a normal, finite f32 a > 0, in f64, within about 2^-53 relative: a = 2^k·z,
/// z in [0.699, 1.398) by integer arithmetic on the bits, a 64-entry table (1/c, log2 c) and
/// r = z/c - 1 (one FMA), |r| <= 1/128, log2(1 + r) = r·P(r). The interval holding 1 has c = 1,
/// so near a = 1 the result is r·P(r) alone, relatively accurate however small. Tables:
/// pow_f32_tables.rs (scripts/gen_pow_f32_tables.py).
#[inline(always)]
fn log2_of_f32(a: f32) -> f64 {
    let off = a.to_bits().wrapping_sub(pt::OFF);
    let i = ((off >> (23 - pt::TABLE_BITS)) & ((1 << pt::TABLE_BITS) - 1)) as usize;
    let k = (off as i32) >> 23;
    let z = f32::from_bits(a.to_bits().wrapping_sub(off & 0xff80_0000)) as f64;
    let r = z.mul_add(pt::INVC[i], -1.0);
    let mut p = pt::LOG2_POLY[0];
    for c in &pt::LOG2_POLY[1..] {
        p = p.mul_add(r, *c);
    }
    r.mul_add(p, k as f64 + pt::LOGC[i])
}

/// 2^t in f64 for t clamped to [-160, 140]: t = e + j/64 + r with |r| <= 1/128, 2^(j/64) from a
/// table, 2^r by a degree-4 fit, 2^e added to the exponent bits. Every result is a normal f64,
/// which f32's rounding then takes to ±0 or inf where the power leaves f32's range.
#[inline(always)]
fn exp2_for_f32(t: f64) -> f64 {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52: adding it rounds to an integer
    let t = t.clamp(-160.0, 140.0);
    let kd = (t * 64.0) + MAGIC;
    let ki = kd.to_bits() as i64 - MAGIC.to_bits() as i64;
    let r = (kd - MAGIC).mul_add(-1.0 / 64.0, t);
    let j = (ki & 63) as usize;
    let s = f64::from_bits(pt::EXP2[j].wrapping_add(((ki >> 6) as u64) << 52));
    let mut p = pt::EXP2_POLY[0];
    for c in &pt::EXP2_POLY[1..] {
        p = p.mul_add(r, *c);
    }
    s * p
}

/// Where `pow_f32_fast` does not apply (C's powf then runs): a base that is not a normal,
/// finite, positive number (zeros, subnormals, negatives, infinities, NaN) or a non-finite
/// exponent.
#[inline(always)]
fn pow_f32_bad(x: f32, y: f32) -> bool {
    !((f32::MIN_POSITIVE..f32::INFINITY).contains(&x) && y.abs() < f32::INFINITY)
}

/// pow(x, y) for a normal, finite x > 0 and a finite y: 2^(y·log2 x) in f64, one rounding to
/// f32. Wherever the f32 result is finite and nonzero, |y·log2 x| < 150, so the f64 value is
/// within about 2^-44 of the true one (relative), far inside f32's half ulp: the rounding gives
/// the correctly rounded power except within 2^-20 ulp of a midpoint. x² is computed exactly
/// (it can be a midpoint). C's powf works the same way; the f64 `pow_f64`, with its
/// double-double logarithm, and C's edges in selects cost twice glibc's powf on f32 data.
#[inline(always)]
fn pow_f32_fast(x: f32, y: f32) -> f32 {
    let xd = x as f64;
    let v = exp2_for_f32(y as f64 * log2_of_f32(x));
    (if y == 2.0 { xd * xd } else { v }) as f32
}

/// pow for f32: the fast kernel, C's powf at the edges (`pow_f32_bad`).
#[inline(always)]
pub fn pow_f32(x: f32, y: f32) -> f32 {
    if pow_f32_bad(x, y) {
        x.powf(y)
    } else {
        pow_f32_fast(x, y)
    }
}

// pow over slices with the kernel called in each copy's own loop: passed as a closure through
// `into2`, the kernel was too big to be inlined into the AVX copies and ran as scalar SSE2 code
// calling libm's fma.
multiversion!(pow_slice_f64, pow_slice_f64_base, pow_slice_f64_avx2, pow_slice_f64_avx512, <>,
    (o: &mut [f64], a: &[f64], b: &[f64]), {
    for ((o, &x), &y) in o.iter_mut().zip(a).zip(b) {
        *o = pow_f64(x, y);
    }
});

/// f32 pow over slices: the fast kernel, then C's powf where an operand is outside its range
/// (a second pass, only when the slice has one). The kernels are `#[inline(always)]` fn items,
/// inlined into `fixed2`'s AVX copies (6.4-6.6 ms on one thread for 4M, either way written).
pub fn pow_slice_f32(o: &mut [f32], a: &[f32], b: &[f32]) {
    fixed2(o, a, b, &pow_f32_fast, &pow_f32_bad, &f32::powf);
}

// ------------------------------------------------------------------------------------ trig

/// π/2 as three doubles (their sum is π/2 to 161 bits).
const PIO2_1: f64 = std::f64::consts::FRAC_PI_2;
const PIO2_2: f64 = 6.123_233_995_736_766e-17;
const PIO2_3: f64 = -1.497_384_904_859_169_8e-33;

/// Largest |x| the Cody-Waite reduction below serves; larger arguments go to libm.
pub const TRIG_LIMIT: f64 = 1e5;

/// x = n·π/2 + r with |r| <= π/4 (plus rounding); returns r and n mod 4. The first product is
/// exact (n < 2^17), so r keeps full precision even next to a multiple of π/2.
#[inline(always)]
fn reduce_pio2(x: f64) -> (f64, u64) {
    const MAGIC: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52: adding it rounds to an integer
    let t = x.mul_add(std::f64::consts::FRAC_2_PI, MAGIC);
    let q = t.to_bits() & 3;
    let n = t - MAGIC;
    let r = (-n).mul_add(PIO2_1, x);
    let r = (-n).mul_add(PIO2_2, r);
    ((-n).mul_add(PIO2_3, r), q)
}

/// fdlibm's __kernel_sin on |r| <= π/4.
#[inline(always)]
fn sin_poly(r: f64) -> f64 {
    let z = r * r;
    let mut p = 1.589_690_995_211_550_102_21e-10f64;
    p = p.mul_add(z, -2.505_076_025_340_686_341_95e-8);
    p = p.mul_add(z, 2.755_731_370_707_006_767_89e-6);
    p = p.mul_add(z, -1.984_126_982_985_794_931_34e-4);
    p = p.mul_add(z, 8.333_333_333_322_489_461_24e-3);
    p = p.mul_add(z, -1.666_666_666_666_663_243_48e-1);
    (r * z).mul_add(p, r)
}

/// fdlibm's __kernel_cos on |r| <= π/4, with its recovery of the rounding of 1 - r²/2.
#[inline(always)]
fn cos_poly(r: f64) -> f64 {
    let z = r * r;
    let mut p = -1.135_964_755_778_819_482_65e-11f64;
    p = p.mul_add(z, 2.087_572_321_298_174_827_90e-9);
    p = p.mul_add(z, -2.755_731_435_139_066_330_35e-7);
    p = p.mul_add(z, 2.480_158_728_947_672_941_78e-5);
    p = p.mul_add(z, -1.388_888_888_887_410_957_49e-3);
    p = p.mul_add(z, 4.166_666_666_666_660_190_37e-2);
    let hz = 0.5 * z;
    let w = 1.0 - hz;
    w + (((1.0 - w) - hz) + (z * z) * p)
}

/// sin for |x| <= TRIG_LIMIT.
#[inline(always)]
pub fn sin_f64(x: f64) -> f64 {
    let (r, q) = reduce_pio2(x);
    let (s, c) = (sin_poly(r), cos_poly(r));
    let v = if q & 1 == 0 { s } else { c };
    let v = if q & 2 == 0 { v } else { -v };
    // ±0 keeps its sign (the polynomial's r + r³p gives +0 for -0).
    if x == 0.0 {
        x
    } else {
        v
    }
}

/// cos for |x| <= TRIG_LIMIT.
#[inline(always)]
pub fn cos_f64(x: f64) -> f64 {
    let (r, q) = reduce_pio2(x);
    let (s, c) = (sin_poly(r), cos_poly(r));
    let v = if q & 1 == 0 { c } else { s };
    if (q + 1) & 2 == 0 {
        v
    } else {
        -v
    }
}

/// tan for |x| <= TRIG_LIMIT: sin/cos of the reduced argument (-cos/sin in odd quadrants).
#[inline(always)]
pub fn tan_f64(x: f64) -> f64 {
    let (r, q) = reduce_pio2(x);
    let (s, c) = (sin_poly(r), cos_poly(r));
    let v = if q & 1 == 0 { s / c } else { -c / s };
    if x == 0.0 {
        x
    } else {
        v
    }
}

/// atan of |x| (Cephes' atan: reduction to |t| <= 0.66 then a 4/5 rational), sign restored.
#[inline(always)]
pub fn atan_f64(x: f64) -> f64 {
    const T3P8: f64 = 2.414_213_562_373_095_048_80; // tan(3π/8)
    const MOREBITS: f64 = 6.123_233_995_736_765_886_130e-17;
    let ax = x.abs();
    let big = ax > T3P8;
    let mid = ax > 0.66;
    let (y, t, more) = if big {
        (std::f64::consts::FRAC_PI_2, -1.0 / ax, MOREBITS)
    } else if mid {
        (std::f64::consts::FRAC_PI_4, (ax - 1.0) / (ax + 1.0), 0.5 * MOREBITS)
    } else {
        (0.0, ax, 0.0)
    };
    let z = t * t;
    let p = z.mul_add(
        z.mul_add(
            z.mul_add(
                z.mul_add(-8.750_608_600_031_904_122_785e-1, -1.615_753_718_733_365_076_637e1),
                -7.500_855_792_314_704_667_340e1,
            ),
            -1.228_866_684_490_136_173_410e2,
        ),
        -6.485_021_904_942_025_371_773e1,
    );
    let q = z.mul_add(
        z.mul_add(
            z.mul_add(
                z.mul_add(z + 2.485_846_490_142_306_297_962e1, 1.650_270_098_316_988_542_046e2),
                4.328_810_604_912_902_668_951e2,
            ),
            4.853_903_996_359_136_964_868e2,
        ),
        1.945_506_571_482_613_964_425e2,
    );
    let v = y + ((t * z).mul_add(p / q, t) + more);
    v.copysign(x)
}

/// asin(x) = atan(x / √((1-x)(1+x))); 1 - x is exact where it matters (x near 1).
#[inline(always)]
pub fn asin_f64(x: f64) -> f64 {
    atan_f64(x / ((1.0 - x) * (1.0 + x)).sqrt())
}

/// acos(x) = 2·atan(√((1-x)/(1+x))).
#[inline(always)]
pub fn acos_f64(x: f64) -> f64 {
    2.0 * atan_f64(((1.0 - x) / (1.0 + x)).sqrt())
}

/// atan2(y, x) with C's quadrants and signed zeros: atan of min/max of |y|, |x| (in [0, 1]),
/// then reflected.
#[inline(always)]
pub fn atan2_f64(y: f64, x: f64) -> f64 {
    use std::f64::consts::{FRAC_PI_2, PI};
    let (ax, ay) = (x.abs(), y.abs());
    let swap = ay > ax;
    let (num, den) = if swap { (ax, ay) } else { (ay, ax) };
    let t = num / den;
    // 0/0 (both zero) gives angle 0 before reflection; inf/inf gives 1 (π/4).
    let t = if den == 0.0 {
        0.0
    } else if num == f64::INFINITY {
        1.0
    } else {
        t
    };
    let a = atan_f64(t);
    let a = if swap { FRAC_PI_2 - a } else { a };
    let a = if x.is_sign_negative() { PI - a } else { a };
    let v = a.copysign(y);
    if x.is_nan() || y.is_nan() {
        x + y
    } else {
        v
    }
}

/// atan2 for f32 operands, in f64 with one division: t = min/max of |y|, |x|, or past
/// tan(π/8) the exact (f32 inputs) (min - max)/(min + max) with π/4 added, so |t| <= tan(π/8);
/// atan(t) = t·P(t²), a degree-7 fit (relative error 7e-13, far inside f32's half ulp); then
/// reflected as in `atan2_f64` and rounded once. The f64 kernel's three divisions per element
/// (the quotient, Cephes' reduction and its rational) were the cost.
#[inline(always)]
pub fn atan2_f32(y: f32, x: f32) -> f32 {
    use std::f64::consts::{FRAC_PI_2, FRAC_PI_4, PI};
    const TAN_PI_8: f64 = 0.414_213_562_373_095_1;
    const P: [f64; 8] = [
        -0.037_701_670_107_066_126,
        0.069_770_013_404_574_87,
        -0.089_932_163_995_324_53,
        0.111_035_348_168_414_43,
        -0.142_853_912_536_003_96,
        0.199_999_931_887_206_02,
        -0.333_333_332_783_826_15,
        0.999_999_999_999_270_9,
    ];
    let (x, y) = (x as f64, y as f64);
    let (ax, ay) = (x.abs(), y.abs());
    let swap = ay > ax;
    let (num, den) = if swap { (ax, ay) } else { (ay, ax) };
    // Both are f32 values, so num ± den is exact in f64 and cannot overflow.
    let mid = num > TAN_PI_8 * den;
    let (n, d) = if mid { (num - den, num + den) } else { (num, den) };
    let t = n / d;
    // 0/0 (both zero) gives angle 0 before reflection; inf/inf gives π/4.
    let (t, base) = if den == 0.0 {
        (0.0, 0.0)
    } else if num == f64::INFINITY {
        (0.0, FRAC_PI_4)
    } else if mid {
        (t, FRAC_PI_4)
    } else {
        (t, 0.0)
    };
    let z = t * t;
    let mut p = P[0];
    for c in &P[1..] {
        p = p.mul_add(z, *c);
    }
    let a = t.mul_add(p, base);
    let a = if swap { FRAC_PI_2 - a } else { a };
    let a = if x.is_sign_negative() { PI - a } else { a };
    let v = a.copysign(y);
    (if x.is_nan() || y.is_nan() { x + y } else { v }) as f32
}

// ------------------------------------------------------------------------------------ fmod

/// Largest |x/y| the fast fmod serves (the rounded quotient is then off by at most one).
const FMOD_LIMIT: f64 = 1.125_899_906_842_624e15; // 2^50

/// C's fmod for |x/y| < 2^50 with y finite and nonzero: n = trunc(|x|/|y|) corrected by one
/// where the rounded quotient crossed an integer, then |x| - n|y| by one exact fused multiply-add.
#[inline(always)]
pub fn fmod_fast_f64(x: f64, y: f64) -> f64 {
    let (ax, ay) = (x.abs(), y.abs());
    let n = (ax / ay).trunc();
    let r = (-n).mul_add(ay, ax);
    let n = if r < 0.0 {
        n - 1.0
    } else if r >= ay {
        n + 1.0
    } else {
        n
    };
    (-n).mul_add(ay, ax).copysign(x)
}

/// Where `fmod_fast_f64` does not apply (then C's fmod runs).
#[inline(always)]
#[allow(clippy::neg_cmp_op_on_partial_ord)] // a NaN quotient must count as bad
pub fn fmod_bad_f64(x: f64, y: f64) -> bool {
    let ay = y.abs();
    !(x.abs() / ay < FMOD_LIMIT) || ay == f64::INFINITY
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> u64 {
        if a.is_nan() && b.is_nan() || a == b {
            return 0;
        }
        let k = |v: f64| {
            let i = v.to_bits() as i64;
            if i < 0 {
                i64::MIN - i
            } else {
                i
            }
        };
        (k(a) - k(b)).unsigned_abs()
    }

    fn sweep(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f64> {
        (0..=n).map(move |i| lo + (hi - lo) * i as f64 / n as f64)
    }

    /// (name, kernel, libm reference, sweep start, sweep end)
    type Check = (&'static str, fn(f64) -> f64, fn(f64) -> f64, f64, f64);

    #[test]
    fn kernels_within_a_few_ulp_of_libm() {
        let checks: [Check; 10] = [
            ("sin", sin_f64, f64::sin, -2e3, 2e3),
            ("cos", cos_f64, f64::cos, -2e3, 2e3),
            ("tan", tan_f64, f64::tan, -2e3, 2e3),
            ("atan", atan_f64, f64::atan, -40.0, 40.0),
            ("asin", asin_f64, f64::asin, -1.0, 1.0),
            ("acos", acos_f64, f64::acos, -1.0, 1.0),
            ("sinh", sinh_f64, f64::sinh, -710.0, 710.0),
            ("cosh", cosh_f64, f64::cosh, -710.0, 710.0),
            ("tanh", tanh_f64, f64::tanh, -30.0, 30.0),
            ("log1p", log1p_f64, f64::ln_1p, -0.999, 50.0),
        ];
        for (name, f, g, lo, hi) in checks {
            let worst = sweep(lo, hi, 20_000).map(|x| ulps(f(x), g(x))).max().unwrap();
            assert!(worst <= 3, "{name}: worst {worst} ulp");
            let worst = sweep(-1.0, 1.0, 2_000).map(|x| x * 1e-6).map(|x| ulps(f(x), g(x))).max().unwrap();
            assert!(worst <= 3, "{name} near 0: worst {worst} ulp");
        }
        assert!(sin_f64(-0.0).is_sign_negative() && tanh_f64(-0.0).is_sign_negative());
        assert!(ulps(cosh_f64(710.0), 710.0f64.cosh()) <= 2);
        assert_eq!(sinh_f64(-711.0), f64::NEG_INFINITY);
        assert_eq!(log1p_f64(-1.0), f64::NEG_INFINITY);
        assert_eq!(log1p_f64(f64::INFINITY), f64::INFINITY);
        assert!(log1p_f64(-2.0).is_nan() && asin_f64(1.5).is_nan() && acos_f64(-1.5).is_nan());
        assert_eq!(tanh_f32(-20.0), -1.0);
    }

    fn ulps32(a: f32, b: f32) -> u64 {
        if a.is_nan() && b.is_nan() || a == b {
            return 0;
        }
        let k = |v: f32| {
            let i = v.to_bits() as i32 as i64;
            if i < 0 {
                i32::MIN as i64 - i
            } else {
                i
            }
        };
        (k(a) - k(b)).unsigned_abs()
    }

    /// Bases and exponents where C's pow has a special rule, plus ordinary and extreme values.
    const POW_EDGES: [f64; 24] = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        2.0,
        -2.0,
        3.0,
        -3.0,
        2.5,
        -2.5,
        1e-3,
        1e300,
        -1e300,
        5e-324,
        -5e-324,
        1e-310,
        1.0000001,
        0.9999999,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1e16,
    ];

    fn same_class(a: f64, b: f64) -> bool {
        a.is_nan() && b.is_nan()
            || a.is_nan() == b.is_nan()
                && a.is_infinite() == b.is_infinite()
                && (a == 0.0) == (b == 0.0)
                && a.is_sign_negative() == b.is_sign_negative()
    }

    #[test]
    fn pow_f64_within_two_ulp_of_libm_with_c_edges() {
        for &x in &POW_EDGES {
            for &y in &POW_EDGES {
                let (a, b) = (pow_f64(x, y), x.powf(y));
                assert!(same_class(a, b) && (a.is_nan() || ulps(a, b) <= 2), "pow({x}, {y}) = {a}, libm {b}");
            }
        }
        // Dense sweep; large exponents (and bases near 1) test the double-double logarithm,
        // bases near the bottom of the range the subnormal scaling and results.
        let mut worst = (0, 0.0, 0.0);
        for x in sweep(-30.0, 30.0, 601).chain(sweep(0.98, 1.02, 400)).chain([1e-310, 3e-320, 7e300]) {
            for y in sweep(-300.0, 300.0, 401).chain(sweep(-3.0, 3.0, 121)).chain([1e5, -4e4, 0.5, 1e-9]) {
                let d = ulps(pow_f64(x, y), x.powf(y));
                if d > worst.0 {
                    worst = (d, x, y);
                }
            }
        }
        assert!(worst.0 <= 2, "pow({}, {}): {} ulp", worst.1, worst.2, worst.0);
        assert!(pow_f64(-8.0, 1.0 / 3.0).is_nan());
        assert_eq!(pow_f64(-2.0, 1025.0), f64::NEG_INFINITY);
        assert!(pow_f64(-2.0, -1075.0) == 0.0 && pow_f64(-2.0, -1075.0).is_sign_negative());
    }

    #[test]
    fn pow_f32_within_one_ulp_of_the_rounded_f64_power_with_c_edges() {
        for &x in &POW_EDGES {
            for &y in &POW_EDGES {
                let (x, y) = (x as f32, y as f32);
                let (a, b) = (pow_f32(x, y), x.powf(y));
                assert!(
                    same_class(a as f64, b as f64) && (a.is_nan() || ulps32(a, b) <= 1),
                    "pow({x}, {y}) = {a}, libm {b}"
                );
            }
        }
        // Every table interval (bases spread over many octaves, both sides of 1), exponents
        // that reach f32's overflow and its subnormal results, bases next to 1 with huge
        // exponents (the c = 1 interval), and the slice loop's two passes.
        let xs: Vec<f32> = sweep(-12.0, 12.0, 3001)
            .map(|e| 2f64.powf(e) as f32)
            .chain((1..400).map(|i| f32::from_bits(1f32.to_bits() + i)))
            .chain((1..400).map(|i| f32::from_bits(1f32.to_bits() - i)))
            .collect();
        let ys: Vec<f32> = sweep(-40.0, 40.0, 161)
            .chain(sweep(-3.0, 3.0, 61))
            .chain([1e7, -3e6, 0.5, 1e-9])
            .map(|v| v as f32)
            .collect();
        let (mut worst, mut exact, mut total) = ((0, 0.0f32, 0.0f32), 0usize, 0usize);
        for &y in &ys {
            let mut out = vec![0f32; xs.len()];
            pow_slice_f32(&mut out, &xs, &vec![y; xs.len()]);
            for (&x, &got) in xs.iter().zip(&out) {
                let want = (x as f64).powf(y as f64) as f32;
                let d = ulps32(got, want);
                assert_eq!(
                    got.to_bits(),
                    pow_f32(x, y).to_bits(),
                    "slice and element differ at pow({x}, {y})"
                );
                (exact, total) = (exact + (d == 0) as usize, total + 1);
                if d > worst.0 {
                    worst = (d, x, y);
                }
            }
        }
        assert!(worst.0 <= 1, "pow({}, {}): {} ulp", worst.1, worst.2, worst.0);
        assert!(exact * 10_000 >= total * 9_999, "{exact} of {total} correctly rounded");
        let near1 = f32::from_bits(1f32.to_bits() + 1);
        assert_eq!(pow_f32(near1, 1e8), (near1 as f64).powf(1e8) as f32);
        assert_eq!(pow_f32(1.0 + 2f32.powi(-12), 2.0), 1.0 + 2f32.powi(-11)); // a midpoint, to even
        assert!(pow_f32(-2.0, 129.0) == f32::NEG_INFINITY && pow_f32(-8.0, 1.0 / 3.0).is_nan());
        assert_eq!(pow_f32(2.0, -149.0), f32::from_bits(1));
    }

    #[test]
    fn atan2_f32_within_one_ulp_of_the_rounded_f64_atan2() {
        let v = [
            0.0f32,
            -0.0,
            1.0,
            -1.0,
            3.5,
            -3e38,
            1e-45,
            0.414_213_57,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
        ];
        for &y in &v {
            for &x in &v {
                let (a, b) = (atan2_f32(y, x), (y as f64).atan2(x as f64) as f32);
                assert!(
                    ulps32(a, b) <= 1 && a.is_sign_negative() == b.is_sign_negative()
                        || a.is_nan() && b.is_nan(),
                    "atan2({y}, {x}) = {a}, libm {b}"
                );
            }
        }
        // Angles all around the circle, ratios at the tan(π/8) switch, magnitudes at both ends.
        let mut worst = 0;
        for t in sweep(-3.2, 3.2, 20_000) {
            for r in [1e-40, 1e-3, 1.0, 7e5, 3e38] {
                let (y, x) = ((r * t.sin()) as f32, (r * t.cos()) as f32);
                worst = worst.max(ulps32(atan2_f32(y, x), (y as f64).atan2(x as f64) as f32));
            }
        }
        for i in -2000..2000 {
            let y = f32::from_bits((0.414_213_57f32.to_bits() as i32 + i) as u32);
            worst = worst.max(ulps32(atan2_f32(y, 1.0), (y as f64).atan2(1.0) as f32));
        }
        assert!(worst <= 1, "worst {worst} ulp");
    }

    #[test]
    fn log1p_f32_within_two_ulp() {
        let xs = sweep(-1.0, 2.0, 300_000)
            .chain(sweep(-1.0, 1.0, 20_000).map(|x| x * 1e-5))
            .chain(sweep(2.0, 3e38, 20_000));
        for x in xs.map(|v| v as f32).chain([
            0.0,
            -0.0,
            -1.0,
            -1.5,
            f32::INFINITY,
            f32::NAN,
            f32::MAX,
            1e-45,
            -1e-45,
        ]) {
            let (a, b) = (log1p_f32(x), (x as f64).ln_1p() as f32);
            assert!(
                ulps32(a, b) <= 2 && a.is_sign_negative() == b.is_sign_negative() || a.is_nan() && b.is_nan(),
                "log1p({x}) = {a}, libm {b}"
            );
        }
    }

    #[test]
    fn atan2_quadrants_and_zeros() {
        let v = [0.0, -0.0, 1.0, -1.0, 3.5, -1e300, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, 5e-324];
        for &y in &v {
            for &x in &v {
                let (a, b) = (atan2_f64(y, x), y.atan2(x));
                assert!(
                    ulps(a, b) <= 2 && a.is_sign_negative() == b.is_sign_negative()
                        || a.is_nan() && b.is_nan(),
                    "atan2({y}, {x}) = {a}, libm {b}"
                );
            }
        }
    }

    #[test]
    fn fmod_and_round_match_c() {
        let v = [0.0, -0.0, 0.7, -0.7, 1.0, 3.0, -5.5, 1e10, -3e15, 1e-300, 123.456, -1e-5];
        for &x in &v {
            for &y in &v {
                let want = x % y;
                let got = if fmod_bad_f64(x, y) { want } else { fmod_fast_f64(x, y) };
                assert!(
                    got == want && got.is_sign_negative() == want.is_sign_negative()
                        || got.is_nan() && want.is_nan(),
                    "fmod({x}, {y}) = {got}, C {want}"
                );
            }
        }
        for x in [0.5, -0.5, 1.5, 2.5, -2.5, 0.49999999999999994, -0.3, 4503599627370497.0] {
            assert_eq!(round_f64(x), x.round());
            assert_eq!(round_f32(x as f32), (x as f32).round());
        }
        assert!(round_f64(-0.3).is_sign_negative());
    }

    #[test]
    fn dispatched_loops_match_the_plain_loop() {
        let x: Vec<f32> = (0..1000).map(|i| i as f32 * 0.37 - 100.0).collect();
        let mut a = vec![0.0f32; 1000];
        into1(&mut a, &x, &|v: f32| round_f32(v));
        let mut b = x.clone();
        inplace1(&mut b, &|v: f32| round_f32(v));
        assert_eq!(a, b);
        assert!(a.iter().zip(&x).all(|(r, v)| *r == v.round()));
        let mut c = x.clone();
        with_fallback(&mut c, None, |v| v * 2.0, |v| v > 100.0, |v| -v);
        assert!(c.iter().zip(&x).all(|(r, v)| *r == if *v > 100.0 { -v } else { v * 2.0 }));
    }
}
