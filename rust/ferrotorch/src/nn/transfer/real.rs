//! What the transfer kernels share: a float element trait, contiguous raw access to a tensor's
//! data, output preparation (resize, or a fresh tensor when the old one cannot be written safely)
//! and the element-wise loops, split across the pool for large tensors.

use crate::cpu::elementwise as ew;
use crate::cpu::elementwise::simd_math as sm;
use crate::cpu::index::par_range;
use crate::iter::SendPtr;
use crate::layout::size_string;
use crate::storage::StorageView;
use crate::{DType, Element, Error, Result, Tensor};
use std::ops::{Add, Div, Mul, Neg, Sub};

/// f32 / f64 with the functions the transfer formulas need: the engine's branch-free
/// vectorisable exp, log and log1p, and `tanh_f64` below (f32 goes through f64, as Torch7's C
/// did).
pub trait Real:
    Element
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    fn of(x: f64) -> Self;
    fn exp(self) -> Self;
    /// `s[i] = e^s[i]` through the engine's vectorised slice kernel (dispatched at run time).
    fn exp_in_place(s: &mut [Self]);
    fn ln(self) -> Self;
    fn tanh(self) -> Self;
    fn log1p(self) -> Self;
    fn abs(self) -> Self;
    fn maxv(self, o: Self) -> Self;
}

macro_rules! real {
    ($t:ident, $exp:path, $exp_slice:path, $log:path, $log1p:path, $tanh:expr) => {
        impl Real for $t {
            const ZERO: $t = 0.0;
            const ONE: $t = 1.0;
            #[inline(always)]
            fn of(x: f64) -> $t {
                x as $t
            }
            #[inline(always)]
            fn exp(self) -> $t {
                $exp(self)
            }
            #[inline(always)]
            fn exp_in_place(s: &mut [$t]) {
                $exp_slice(s, None)
            }
            #[inline(always)]
            fn ln(self) -> $t {
                $log(self)
            }
            #[inline(always)]
            fn tanh(self) -> $t {
                ($tanh)(self)
            }
            #[inline(always)]
            fn log1p(self) -> $t {
                $log1p(self)
            }
            #[inline(always)]
            fn abs(self) -> $t {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn maxv(self, o: $t) -> $t {
                if self > o {
                    self
                } else {
                    o
                }
            }
        }
    };
}

/// tanh for f64, branch-free so that slice loops vectorise (libm's tanh does not): Cephes'
/// method, a rational approximation `x + x s P(s)/Q(s)` (s = x²) for |x| < 0.625 and
/// `1 - 2/(e^(2|x|) + 1)` with the engine's vectorised exp above; both are computed and one is
/// selected. Within a few ulp of libm (tests compare); NaN propagates, ±0 keeps its sign.
#[inline(always)]
#[allow(clippy::excessive_precision)]
pub fn tanh_f64(x: f64) -> f64 {
    const P0: f64 = -9.643_991_794_250_522_386_28e-1;
    const P1: f64 = -9.928_772_310_019_185_865_64e1;
    const P2: f64 = -1.614_687_684_417_084_479_52e3;
    const Q0: f64 = 1.128_116_784_916_329_314_02e2;
    const Q1: f64 = 2.235_488_390_601_004_485_83e3;
    const Q2: f64 = 4.844_063_053_251_254_860_48e3;
    let a = x.abs();
    let s = x * x;
    // copysign: tanh is odd, and it keeps -0.0 (x + (-0.0) would give +0.0).
    let small = (x + x * s * ((P0 * s + P1) * s + P2) / (((s + Q0) * s + Q1) * s + Q2)).copysign(x);
    // e^40 makes 2/(e+1) vanish against 1, so clamping keeps exp finite without changing results.
    let e = ew::exp_f64((2.0 * a).min(40.0));
    let big = (1.0 - 2.0 / (e + 1.0)).copysign(x);
    // NaN flows through `small`.
    if a < 0.625 || a.is_nan() {
        small
    } else {
        big
    }
}

real!(f32, ew::exp_f32, ew::exp_slice_f32, ew::log_f32, sm::log1p_f32, |x: f32| tanh_f64(f64::from(x))
    as f32);
real!(f64, ew::exp_f64, ew::exp_slice_f64, ew::log_f64, sm::log1p_f64, tanh_f64);

/// Raw access to the elements of a contiguous tensor; holds its block alive.
pub struct Data<T> {
    _view: StorageView,
    pub ptr: SendPtr<T>,
    pub len: usize,
}

impl<T: Element> Data<T> {
    /// `t` must be contiguous and of element type `T` (checked).
    pub fn of(t: &Tensor) -> Result<Data<T>> {
        if !t.is_contiguous() || t.dtype() != T::DTYPE {
            return Err(Error::Runtime(format!(
                "nn kernel: internal error, expected a contiguous {} tensor",
                T::DTYPE.tensor_type_name()
            )));
        }
        let view = t.checked_view()?;
        // SAFETY: checked_view verified the layout's extent lies inside the block it holds.
        let ptr = unsafe { view.base::<T>().add(t.storage_offset()) };
        Ok(Data { _view: view, ptr: SendPtr(ptr), len: t.numel() })
    }

    /// The elements as a slice (the caller guarantees no concurrent writer).
    pub fn slice(&self) -> &[T] {
        // SAFETY: len contiguous elements from ptr lie in the block held by _view.
        unsafe { std::slice::from_raw_parts(self.ptr.0, self.len) }
    }
}

/// True when the two tensors' memory ranges intersect (both contiguous, non-empty).
pub fn overlaps(a: &Tensor, b: &Tensor) -> bool {
    if a.numel() == 0 || b.numel() == 0 || !a.storage().ptr_eq(b.storage()) {
        return false;
    }
    let span = |t: &Tensor| {
        let end = t.layout().extent().unwrap_or(t.storage_offset());
        (t.storage_offset(), end)
    };
    let ((a0, a1), (b0, b1)) = (span(a), span(b));
    a0 < b1 && b0 < a1
}

/// True when both tensors are contiguous views of the same elements.
pub fn same_data(a: &Tensor, b: &Tensor) -> bool {
    a.storage().ptr_eq(b.storage())
        && a.storage_offset() == b.storage_offset()
        && a.numel() == b.numel()
        && a.is_contiguous()
        && b.is_contiguous()
}

/// Makes `out` a contiguous tensor of `dtype` and `sizes` that overlaps none of `srcs`:
/// resized in place when that is safe, replaced by a fresh tensor otherwise (the Python object
/// keeps its identity either way).
pub fn prepare_output(out: &mut Tensor, dtype: DType, sizes: &[usize], srcs: &[&Tensor]) -> Result<()> {
    let fresh = out.dtype() != dtype || srcs.iter().any(|s| overlaps(out, s));
    if !fresh {
        out.resize_(sizes)?;
        if out.is_contiguous() && !srcs.iter().any(|s| overlaps(out, s)) {
            return Ok(());
        }
    }
    *out = if sizes.is_empty() { Tensor::empty(dtype) } else { Tensor::zeros(dtype, sizes)? };
    Ok(())
}

/// `src` contiguous and not partially overlapping `dst` (identical data is allowed: in-place).
pub fn source_for(src: &Tensor, dst: &Tensor) -> Result<Tensor> {
    let c = src.contiguous()?;
    if overlaps(&c, dst) && !same_data(&c, dst) {
        return c.clone_contiguous();
    }
    Ok(c)
}

/// Checks that `t` has the element type of the input.
pub fn same_type(what: &str, name: &str, t: &Tensor, dtype: DType) -> Result<()> {
    if t.dtype() != dtype {
        return Err(Error::Type(format!(
            "{what}: {name} is a {} but the input is a {}",
            t.dtype().tensor_type_name(),
            dtype.tensor_type_name()
        )));
    }
    Ok(())
}

/// Checks that gradOutput has as many elements as the input (THNN_CHECK_NELEMENT).
pub fn same_numel(what: &str, input: &Tensor, grad_output: &Tensor) -> Result<()> {
    if input.numel() != grad_output.numel() {
        return Err(Error::Value(format!(
            "{what}: gradOutput of size {} does not match the input of size {}",
            size_string(grad_output.sizes()),
            size_string(input.sizes())
        )));
    }
    Ok(())
}

/// Runs `f` compiled for the widest vector unit the CPU has (AVX-512 or AVX2, both with FMA),
/// else as built. The engine's exp and this tanh use `mul_add`, which is a single instruction
/// only where FMA is enabled and a slow libm call otherwise, so every loop that evaluates them
/// goes through here. `f` is called once inside a `#[target_feature]` function, so it is
/// inlined there and compiled with those features.
#[inline(always)]
pub fn simd<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX-512F and FMA.
            return unsafe { simd_avx512(f) };
        }
        if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
            // SAFETY: the CPU has AVX2 and FMA.
            return unsafe { simd_avx2(f) };
        }
    }
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn simd_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
unsafe fn simd_avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// A one-operand element formula for `map1`. Closures are one (LLVM inlines them into the loop
/// by its cost model); a formula too big for that (two exps and a log) is a struct whose
/// `#[inline(always)]` `apply` is always inlined: left out of line, a formula is compiled
/// without the loop's AVX / FMA features and each `mul_add` becomes a software fma call.
pub trait Formula1<T>: Copy + Sync {
    fn apply(&self, x: T) -> T;
}

impl<T, F: Fn(T) -> T + Copy + Sync> Formula1<T> for F {
    #[inline(always)]
    fn apply(&self, x: T) -> T {
        self(x)
    }
}

/// A two-operand element formula for `map2` (as `Formula1`).
pub trait Formula2<T>: Copy + Sync {
    fn apply(&self, a: T, b: T) -> T;
}

impl<T, F: Fn(T, T) -> T + Copy + Sync> Formula2<T> for F {
    #[inline(always)]
    fn apply(&self, a: T, b: T) -> T {
        self(a, b)
    }
}

/// `d[i] = f(a[i])` for i < len: the loop body the dispatched copies below share.
///
/// # Safety
/// `d` and `a` address `len` elements; `d` is `a` or disjoint from it.
#[inline(always)]
unsafe fn loop1<T: Copy, F: Formula1<T>>(d: *mut T, a: *const T, len: usize, f: F) {
    for i in 0..len {
        *d.add(i) = f.apply(*a.add(i));
    }
}

/// `d[i] = f(a[i], b[i])` for i < len.
///
/// # Safety
/// As `loop1`, for both sources.
#[inline(always)]
unsafe fn loop2<T: Copy, F: Formula2<T>>(d: *mut T, a: *const T, b: *const T, len: usize, f: F) {
    for i in 0..len {
        *d.add(i) = f.apply(*a.add(i), *b.add(i));
    }
}

/// Copies of `loop1` / `loop2` compiled for AVX2 + FMA and AVX-512 (the features are on these
/// functions themselves, so the inlined formula is compiled with them: through a closure
/// passed to `simd`, the loop was a separate function without them once the formula was big).
macro_rules! feature_copies {
    ($($name:ident, $features:literal, $body:ident, ($($arg:ident: $ty:ty),*), $bound:ident;)*) => {$(
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = $features)]
        unsafe fn $name<T: Copy, F: $bound<T>>($($arg: $ty),*, f: F) {
            $body($($arg),*, f)
        }
    )*};
}

feature_copies! {
    loop1_avx2, "avx2,fma", loop1, (d: *mut T, a: *const T, len: usize), Formula1;
    loop1_avx512, "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma", loop1, (d: *mut T, a: *const T, len: usize), Formula1;
    loop2_avx2, "avx2,fma", loop2, (d: *mut T, a: *const T, b: *const T, len: usize), Formula2;
    loop2_avx512, "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma", loop2,
        (d: *mut T, a: *const T, b: *const T, len: usize), Formula2;
}

/// Runs `loopN(args)` in the widest copy the CPU supports (the engine's run-time level).
macro_rules! dispatch {
    (loop1($($arg:expr),*)) => { dispatch!(@ loop1, loop1_avx2, loop1_avx512, $($arg),*) };
    (loop2($($arg:expr),*)) => { dispatch!(@ loop2, loop2_avx2, loop2_avx512, $($arg),*) };
    (@ $base:ident, $avx2:ident, $avx512:ident, $($arg:expr),*) => {{
        #[cfg(target_arch = "x86_64")]
        match sm::level() {
            // SAFETY (both arms): level() saw these features on this CPU.
            2 => $avx512($($arg),*),
            1 => $avx2($($arg),*),
            _ => $base($($arg),*),
        }
        #[cfg(not(target_arch = "x86_64"))]
        $base($($arg),*)
    }};
}

/// `dst[i] = f(a[i])`. Raw-pointer loops: `dst` may be `a` itself (in-place; each element is
/// read before it is written); partial overlaps were removed by `source_for`. Runs on several
/// threads when `n * work` reaches the engine's grain.
///
/// # Safety
/// Both pointers address `n` elements kept alive by the caller.
pub unsafe fn map1<T: Element>(dst: SendPtr<T>, a: SendPtr<T>, n: usize, work: usize, f: impl Formula1<T>) {
    par_range(n, work, |r| {
        // SAFETY: r lies in 0..n (par_range), inside both allocations.
        unsafe {
            let (d, a, len) = (dst.at(r.start), a.at(r.start) as *const T, r.len());
            // By value: the loop owns copies of the pointers, the length and the formula's
            // constants. Borrowed, they sat behind references the stores through `d` might
            // alias, so every element reloaded them and the loop stayed scalar.
            dispatch!(loop1(d, a, len, f))
        }
    });
}

/// `dst[i] = f(a[i], b[i])`, with `map1`'s aliasing rules for both sources.
///
/// # Safety
/// As `map1`.
pub unsafe fn map2<T: Element>(
    dst: SendPtr<T>,
    a: SendPtr<T>,
    b: SendPtr<T>,
    n: usize,
    work: usize,
    f: impl Formula2<T>,
) {
    par_range(n, work, |r| {
        // SAFETY: as in map1.
        unsafe {
            let (d, a, b) = (dst.at(r.start), a.at(r.start) as *const T, b.at(r.start) as *const T);
            let len = r.len();
            // Owned copies, as in map1.
            dispatch!(loop2(d, a, b, len, f))
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tanh_is_within_a_few_ulp_of_libm() {
        let mut worst = 0f64;
        for i in -30_000..=30_000 {
            let x = i as f64 * 1e-3 + 1e-7;
            let (ours, libm) = (tanh_f64(x), x.tanh());
            worst = worst.max((ours - libm).abs() / libm.abs().max(f64::MIN_POSITIVE));
        }
        assert!(worst < 1e-15, "relative error {worst}");
        for x in [1e-300, -1e-10, 1e-5, 0.624_999, 0.625, 19.0, 25.0, 1e300, f64::INFINITY] {
            assert!((tanh_f64(x) - x.tanh()).abs() <= 2.0 * f64::EPSILON * x.tanh().abs(), "{x}");
        }
        assert!(tanh_f64(f64::NAN).is_nan());
        assert_eq!(tanh_f64(-0.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(tanh_f64(f64::NEG_INFINITY), -1.0);
    }
}
