//! Element-wise math on tensors (groups C, D, I): broadcasting, type rules, out tensors.
//!
//! Each `*_into` function writes into a destination the caller has already sized (the bindings
//! resize `out=` tensors; in-place methods pass self). Tensor operands share one element type
//! (TypeError naming both otherwise) and broadcast as numpy does to the destination's shape;
//! numbers take the tensor's type with C-cast rules. A destination that overlaps an input without
//! being identical to it is computed through a temporary. Integer division or modulo by zero is
//! a ZeroDivision error, checked before anything is written.

use crate::cpu::elementwise::{self as ew, simd_math as sm, Arith};
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::layout::{broadcast_shapes, size_string, Dims};
use crate::storage::StorageView;
use crate::tensor::{Scalar, Tensor};
use smallvec::SmallVec;
use std::sync::Arc;

// ------------------------------------------------------------------------------------ dispatch

/// TypeError for HalfTensor, which has no math.
pub fn require_math(dtype: DType, what: &str) -> Result<()> {
    if dtype == DType::Half {
        return Err(crate::dtype::half_math_error(what));
    }
    Ok(())
}

/// TypeError unless Float or Double.
pub fn require_float(dtype: DType, what: &str) -> Result<()> {
    require_math(dtype, what)?;
    if !dtype.is_floating_point() {
        return Err(crate::dtype::float_only_error(what, dtype));
    }
    Ok(())
}

fn same_type(a: &Tensor, b: &Tensor, what: &str) -> Result<()> {
    super::check_same_type(what, &[a, b]).map(|_| ())
}

// ------------------------------------------------------------------------------------ operands

/// A tensor or a Python number in an element-wise op.
#[derive(Clone)]
pub enum Operand {
    Tensor(Tensor),
    Scalar(Scalar),
}

impl Operand {
    fn tensor(&self) -> Option<&Tensor> {
        match self {
            Operand::Tensor(t) => Some(t),
            Operand::Scalar(_) => None,
        }
    }
}

/// numpy's broadcast of the tensors' shapes (a tensor with no dimension only goes with others
/// that have none), after checking that they share one type. Returns that type and the shape.
pub fn broadcast(tensors: &[&Tensor], what: &str) -> Result<(DType, Dims)> {
    let first = tensors.first().ok_or_else(|| Error::Type(format!("{what}: needs a tensor operand")))?;
    let mut shape = Dims::from_slice(first.sizes());
    for t in &tensors[1..] {
        same_type(first, t, what)?;
        if (t.ndim() == 0) != (shape.is_empty()) {
            return Err(Error::Value(format!(
                "{what}: an empty tensor (no dimension) cannot be combined with a tensor of size {}",
                size_string(if t.ndim() == 0 { &shape } else { t.sizes() })
            )));
        }
        if t.sizes() != shape.as_slice() {
            shape = broadcast_shapes(&shape, t.sizes()).map_err(|e| Error::Value(format!("{what}: {e}")))?;
        }
    }
    require_math(first.dtype(), what)?;
    Ok((first.dtype(), shape))
}

fn expand_to(t: &Tensor, sizes: &[usize]) -> Result<Tensor> {
    if t.sizes() == sizes {
        Ok(t.clone())
    } else {
        t.expand(sizes)
    }
}

/// Checks the destination against the broadcast shape (ValueError: for in-place ops the shape
/// must equal self's) and type.
fn check_dst(dst: &Tensor, dtype: DType, sizes: &[usize], what: &str) -> Result<()> {
    if dst.sizes() != sizes {
        return Err(Error::Value(format!(
            "{what}: the result has size {} but the destination has size {} (an in-place op needs \
             the broadcast shape to equal the tensor's)",
            size_string(sizes),
            size_string(dst.sizes())
        )));
    }
    if dst.dtype() != dtype {
        return Err(Error::Type(format!(
            "{what}: the destination is a {} but the result is a {}",
            dst.dtype().tensor_type_name(),
            dtype.tensor_type_name()
        )));
    }
    dst.check_writable(what)
}

/// The tensor a kernel writes, with the checked views of it and of the inputs (taken once per
/// call: each view is a lock and a reference count).
struct Target {
    t: Tensor,
    v: StorageView,
    ins: SmallVec<[StorageView; 3]>,
}

/// The tensor to write: `dst` itself, or a contiguous temporary when dst overlaps an input
/// without being identical to it (then the second value is true and the caller copies back).
fn writable_target(dst: &Tensor, inputs: &[&Tensor]) -> Result<(Target, bool)> {
    let dv = dst.checked_view()?;
    let ins = inputs.iter().map(|t| t.checked_view()).collect::<Result<SmallVec<[StorageView; 3]>>>()?;
    let span = |base: usize, t: &Tensor| {
        let es = t.dtype().element_size();
        ((base + t.storage_offset()) * es, (base + t.layout().extent().unwrap_or(t.storage_offset())) * es)
    };
    let (d0, d1) = span(dv.offset, dst);
    for (t, v) in inputs.iter().zip(&ins) {
        if !Arc::ptr_eq(&dv.block, &v.block) {
            continue;
        }
        let identical = dv.offset + dst.storage_offset() == v.offset + t.storage_offset()
            && dst.strides() == t.strides()
            && dst.dtype() == t.dtype();
        let (s0, s1) = span(v.offset, t);
        if !identical && s0 < d1 && d0 < s1 {
            let tmp = Tensor::zeros(dst.dtype(), dst.sizes())?;
            let v = tmp.checked_view()?;
            return Ok((Target { t: tmp, v, ins }, true));
        }
    }
    Ok((Target { t: dst.clone(), v: dv, ins }, false))
}

/// Runs `kernel` on the target for `dst` and copies back when a temporary was used. The
/// kernel's tensor arguments must come in the order of `inputs` (their views are `ins`).
fn with_target(dst: &Tensor, inputs: &[&Tensor], kernel: impl FnOnce(&Target) -> Result<()>) -> Result<()> {
    if dst.numel() == 0 {
        return Ok(());
    }
    let (target, copy_back) = writable_target(dst, inputs)?;
    kernel(&target)?;
    if copy_back {
        dst.copy_same_shape(&target.t)?;
    }
    Ok(())
}

fn plan2(d: &Tensor, a: &Tensor) -> Plan<2> {
    Plan::new(d.sizes(), [d.storage_offset(), a.storage_offset()], [d.strides(), a.strides()])
}

fn plan3(d: &Tensor, a: &Tensor, b: &Tensor) -> Plan<3> {
    Plan::new(
        d.sizes(),
        [d.storage_offset(), a.storage_offset(), b.storage_offset()],
        [d.strides(), a.strides(), b.strides()],
    )
}

fn input_view(w: &Target, i: usize) -> Result<&StorageView> {
    w.ins.get(i).ok_or_else(|| Error::Runtime("element-wise kernel: missing input view".into()))
}

/// `dst = f(src)` (same shape, element types T and R); src is input 0 of the target.
fn apply1<T: Element, R: Element>(w: &Target, src: &Tensor, f: impl Fn(T) -> R + Sync) -> Result<()> {
    let sv = input_view(w, 0)?;
    let plan = plan2(&w.t, src);
    // SAFETY: both layouts were checked against their blocks (kept alive by the views); the
    // target is identical to or disjoint from src (writable_target), and the grain honours
    // self-overlap.
    unsafe { ew::map1::<T, R>(w.v.base::<R>(), sv.base::<T>(), &plan, w.t.write_grain(), f) };
    Ok(())
}

/// `dst = f(a, b)` (same shapes); a and b are inputs 0 and 1 of the target.
fn apply2<T: Element, R: Element>(
    w: &Target,
    a: &Tensor,
    b: &Tensor,
    f: impl Fn(T, T) -> R + Sync,
) -> Result<()> {
    let (av, bv) = (input_view(w, 0)?, input_view(w, 1)?);
    let plan = plan3(&w.t, a, b);
    // SAFETY: as in apply1.
    unsafe { ew::map2::<T, R>(w.v.base::<R>(), av.base::<T>(), bv.base::<T>(), &plan, w.t.write_grain(), f) };
    Ok(())
}

/// `dst = f(a, b, c)` (same shapes and type); inputs 0, 1, 2 of the target.
fn apply3<T: Element>(
    w: &Target,
    a: &Tensor,
    b: &Tensor,
    c: &Tensor,
    f: impl Fn(T, T, T) -> T + Sync,
) -> Result<()> {
    let (av, bv, cv) = (input_view(w, 0)?, input_view(w, 1)?, input_view(w, 2)?);
    let dst = &w.t;
    let plan = Plan::new(
        dst.sizes(),
        [dst.storage_offset(), a.storage_offset(), b.storage_offset(), c.storage_offset()],
        [dst.strides(), a.strides(), b.strides(), c.strides()],
    );
    // SAFETY: as in apply1.
    unsafe {
        ew::map3::<T>(
            w.v.base::<T>(),
            av.base::<T>(),
            bv.base::<T>(),
            cv.base::<T>(),
            &plan,
            dst.write_grain(),
            f,
        )
    };
    Ok(())
}

/// Whether any element of `t` (type T) satisfies `pred`.
fn any_element<T: Element>(t: &Tensor, pred: impl Fn(T) -> bool) -> Result<bool> {
    if t.numel() == 0 {
        return Ok(false);
    }
    let v = t.checked_view()?;
    let plan = Plan::new(t.sizes(), [t.storage_offset()], [t.strides()]);
    // SAFETY: the layout was checked against the block, kept alive by `v`.
    Ok(unsafe { ew::any_of::<T>(v.base::<T>(), &plan, pred) })
}

fn zero_division(what: &str) -> Error {
    Error::ZeroDivision(format!("{what}: integer division or modulo by zero"))
}

// ------------------------------------------------------------------------------------ unary

/// The 24 element-wise functions of Torch7's group C.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unary {
    Abs,
    Sign,
    Neg,
    Cinv,
    Exp,
    Log,
    Log1p,
    Cos,
    Acos,
    Cosh,
    Sin,
    Asin,
    Sinh,
    Tan,
    Atan,
    Tanh,
    Sqrt,
    Rsqrt,
    Sigmoid,
    Round,
    Ceil,
    Floor,
    Trunc,
    Frac,
}

impl Unary {
    pub const ALL: [Unary; 24] = [
        Unary::Abs,
        Unary::Sign,
        Unary::Neg,
        Unary::Cinv,
        Unary::Exp,
        Unary::Log,
        Unary::Log1p,
        Unary::Cos,
        Unary::Acos,
        Unary::Cosh,
        Unary::Sin,
        Unary::Asin,
        Unary::Sinh,
        Unary::Tan,
        Unary::Atan,
        Unary::Tanh,
        Unary::Sqrt,
        Unary::Rsqrt,
        Unary::Sigmoid,
        Unary::Round,
        Unary::Ceil,
        Unary::Floor,
        Unary::Trunc,
        Unary::Frac,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Unary::Abs => "abs",
            Unary::Sign => "sign",
            Unary::Neg => "neg",
            Unary::Cinv => "cinv",
            Unary::Exp => "exp",
            Unary::Log => "log",
            Unary::Log1p => "log1p",
            Unary::Cos => "cos",
            Unary::Acos => "acos",
            Unary::Cosh => "cosh",
            Unary::Sin => "sin",
            Unary::Asin => "asin",
            Unary::Sinh => "sinh",
            Unary::Tan => "tan",
            Unary::Atan => "atan",
            Unary::Tanh => "tanh",
            Unary::Sqrt => "sqrt",
            Unary::Rsqrt => "rsqrt",
            Unary::Sigmoid => "sigmoid",
            Unary::Round => "round",
            Unary::Ceil => "ceil",
            Unary::Floor => "floor",
            Unary::Trunc => "trunc",
            Unary::Frac => "frac",
        }
    }

    /// All but abs, sign and neg need Float or Double (Torch7's rule; neg on integer types is
    /// accepted here because `-t` needs it).
    pub fn float_only(self) -> bool {
        !matches!(self, Unary::Abs | Unary::Sign | Unary::Neg)
    }

    /// The function on one f64 (for Python numbers).
    pub fn apply_f64(self, x: f64) -> f64 {
        <f64 as FloatMath>::apply(self, x)
    }

    /// Checks that the op exists for `dtype`.
    pub fn check_type(self, dtype: DType) -> Result<()> {
        if self.float_only() {
            require_float(dtype, self.name())
        } else {
            require_math(dtype, self.name())
        }
    }
}

/// Torch7's float functions, on the branch-free kernels of cpu/elementwise (simd_math) so that
/// whole slices vectorise; trig arguments beyond the kernels' reduction range go to libm.
pub trait FloatMath: Arith {
    fn apply(op: Unary, x: Self) -> Self;
    /// `dst = op(src)` (src `None`: in place) on the widest vectors the CPU has.
    fn slice(op: Unary, dst: &mut [Self], src: Option<&[Self]>);
    fn exp_slice(dst: &mut [Self], src: Option<&[Self]>);
    fn log_slice(dst: &mut [Self], src: Option<&[Self]>);
    fn sigmoid_slice(dst: &mut [Self], src: Option<&[Self]>);
}

/// `dst = f(src)` or `dst = f(dst)` through the dispatched loops.
#[inline(always)]
fn slice_map<T: Copy>(dst: &mut [T], src: Option<&[T]>, f: impl Fn(T) -> T) {
    match src {
        Some(s) => sm::into1(dst, s, &f),
        None => sm::inplace1(dst, &f),
    }
}

macro_rules! float_math {
    ($t:ident, $exp:path, $log:path, $exp_slice:path, $log_slice:path, $sig_slice:path,
     $round:path, $tanh:expr, $log1p:expr) => {
        impl FloatMath for $t {
            #[inline(always)]
            fn apply(op: Unary, x: $t) -> $t {
                // The f64 kernels, rounded once for f32 (within 1 ulp); trig beyond their range
                // through libm.
                let w = x as f64;
                let in_range = w.abs() <= sm::TRIG_LIMIT;
                match op {
                    Unary::Abs => x.abs(),
                    Unary::Sign => Arith::sign(x),
                    Unary::Neg => -x,
                    Unary::Cinv => 1.0 / x,
                    Unary::Exp => $exp(x),
                    Unary::Log => $log(x),
                    Unary::Log1p => $log1p(x),
                    Unary::Cos => {
                        if in_range {
                            sm::cos_f64(w) as $t
                        } else {
                            x.cos()
                        }
                    }
                    Unary::Acos => sm::acos_f64(w) as $t,
                    Unary::Cosh => sm::cosh_f64(w) as $t,
                    Unary::Sin => {
                        if in_range {
                            sm::sin_f64(w) as $t
                        } else {
                            x.sin()
                        }
                    }
                    Unary::Asin => sm::asin_f64(w) as $t,
                    Unary::Sinh => sm::sinh_f64(w) as $t,
                    Unary::Tan => {
                        if in_range {
                            sm::tan_f64(w) as $t
                        } else {
                            x.tan()
                        }
                    }
                    Unary::Atan => sm::atan_f64(w) as $t,
                    Unary::Tanh => $tanh(x),
                    Unary::Sqrt => x.sqrt(),
                    Unary::Rsqrt => 1.0 / x.sqrt(),
                    Unary::Sigmoid => 1.0 / (1.0 + $exp(-x)),
                    Unary::Round => $round(x),
                    Unary::Ceil => x.ceil(),
                    Unary::Floor => x.floor(),
                    Unary::Trunc => x.trunc(),
                    Unary::Frac => x - x.trunc(),
                }
            }
            fn slice(op: Unary, d: &mut [$t], s: Option<&[$t]>) {
                // One loop per op so each is inlined into the vectorised copies.
                macro_rules! m {
                    ($o:ident) => {
                        slice_map(d, s, |x: $t| <$t as FloatMath>::apply(Unary::$o, x))
                    };
                }
                // The pure kernel first (no libm call in the loop, so it vectorises), libm
                // where the argument is beyond the kernel's reduction range.
                macro_rules! trig {
                    ($o:ident, $k:path) => {
                        sm::with_fallback(
                            d,
                            s,
                            |x: $t| $k(x as f64) as $t,
                            |x: $t| (x as f64).abs() > sm::TRIG_LIMIT || x.is_nan(),
                            |x: $t| <$t as FloatMath>::apply(Unary::$o, x),
                        )
                    };
                }
                match op {
                    Unary::Exp => $exp_slice(d, s),
                    Unary::Log => $log_slice(d, s),
                    Unary::Sigmoid => $sig_slice(d, s),
                    Unary::Sin => trig!(Sin, sm::sin_f64),
                    Unary::Cos => trig!(Cos, sm::cos_f64),
                    Unary::Tan => trig!(Tan, sm::tan_f64),
                    Unary::Abs => m!(Abs),
                    Unary::Sign => m!(Sign),
                    Unary::Neg => m!(Neg),
                    Unary::Cinv => m!(Cinv),
                    Unary::Log1p => m!(Log1p),
                    Unary::Acos => m!(Acos),
                    Unary::Cosh => m!(Cosh),
                    Unary::Asin => m!(Asin),
                    Unary::Sinh => m!(Sinh),
                    Unary::Atan => m!(Atan),
                    Unary::Tanh => m!(Tanh),
                    Unary::Sqrt => m!(Sqrt),
                    Unary::Rsqrt => m!(Rsqrt),
                    Unary::Round => m!(Round),
                    Unary::Ceil => m!(Ceil),
                    Unary::Floor => m!(Floor),
                    Unary::Trunc => m!(Trunc),
                    Unary::Frac => m!(Frac),
                }
            }
            fn exp_slice(dst: &mut [$t], src: Option<&[$t]>) {
                $exp_slice(dst, src)
            }
            fn log_slice(dst: &mut [$t], src: Option<&[$t]>) {
                $log_slice(dst, src)
            }
            fn sigmoid_slice(dst: &mut [$t], src: Option<&[$t]>) {
                $sig_slice(dst, src)
            }
        }
    };
}

float_math!(
    f32,
    ew::exp_f32,
    ew::log_f32,
    ew::exp_slice_f32,
    ew::log_slice_f32,
    ew::sigmoid_slice_f32,
    sm::round_f32,
    sm::tanh_f32,
    sm::log1p_f32
);
float_math!(
    f64,
    ew::exp_f64,
    ew::log_f64,
    ew::exp_slice_f64,
    ew::log_slice_f64,
    ew::sigmoid_slice_f64,
    sm::round_f64,
    sm::tanh_f64,
    sm::log1p_f64
);

fn unary_float<T: FloatMath>(op: Unary, w: &Target, src: &Tensor) -> Result<()> {
    let plan = plan2(&w.t, src);
    let grain = w.t.write_grain();
    let (d, s) = (w.v.base::<T>(), input_view(w, 0)?.base::<T>());
    // SAFETY: layouts checked against the blocks kept alive by the views; dst is identical to
    // or disjoint from src (writable_target); the grain honours self-overlap.
    unsafe { ew::map1_slices(d, s, &plan, grain, |dst, src| T::slice(op, dst, src)) };
    Ok(())
}

fn unary_int<T: Arith>(op: Unary, dst: &Target, src: &Tensor) -> Result<()> {
    match op {
        Unary::Abs => apply1::<T, T>(dst, src, |x| x.abs()),
        Unary::Sign => apply1::<T, T>(dst, src, |x| x.sign()),
        Unary::Neg => apply1::<T, T>(dst, src, |x| x.neg()),
        other => Err(crate::dtype::float_only_error(other.name(), T::DTYPE)),
    }
}

/// `dst = op(src)`; dst must have src's sizes and type.
pub fn unary_into(op: Unary, src: &Tensor, dst: &Tensor) -> Result<()> {
    op.check_type(src.dtype())?;
    check_dst(dst, src.dtype(), src.sizes(), op.name())?;
    with_target(dst, &[src], |w| match src.dtype() {
        DType::Float => unary_float::<f32>(op, w, src),
        DType::Double => unary_float::<f64>(op, w, src),
        dt => crate::with_math_dtype!(dt, op.name(), T, unary_int::<T>(op, w, src)),
    })
}

/// `op(src)` as a new tensor.
pub fn unary(op: Unary, src: &Tensor) -> Result<Tensor> {
    op.check_type(src.dtype())?;
    let dst = new_like(src.dtype(), src.sizes())?;
    unary_into(op, src, &dst)?;
    Ok(dst)
}

fn new_like(dtype: DType, sizes: &[usize]) -> Result<Tensor> {
    if sizes.is_empty() {
        Ok(Tensor::empty(dtype))
    } else {
        Tensor::zeros(dtype, sizes)
    }
}

// ------------------------------------------------------------------------------------ binary

/// Torch7's binary element-wise ops of group D (each with a number or a tensor operand).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binary {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Fmod,
    Remainder,
    Atan2,
    Lshift,
    Rshift,
    Bitand,
    Bitor,
    Bitxor,
    Max,
    Min,
}

impl Binary {
    pub fn name(self) -> &'static str {
        match self {
            Binary::Add => "add",
            Binary::Sub => "csub",
            Binary::Mul => "mul",
            Binary::Div => "div",
            Binary::Pow => "pow",
            Binary::Fmod => "fmod",
            Binary::Remainder => "remainder",
            Binary::Atan2 => "atan2",
            Binary::Lshift => "lshift",
            Binary::Rshift => "rshift",
            Binary::Bitand => "bitand",
            Binary::Bitor => "bitor",
            Binary::Bitxor => "bitxor",
            Binary::Max => "cmax",
            Binary::Min => "cmin",
        }
    }

    fn check_type(self, dtype: DType, what: &str) -> Result<()> {
        require_math(dtype, what)?;
        match self {
            Binary::Atan2 => require_float(dtype, what),
            Binary::Bitand | Binary::Bitor | Binary::Bitxor if dtype.is_floating_point() => {
                Err(Error::Type(format!(
                    "{what} is only supported for integer type tensors, got {}",
                    dtype.tensor_type_name()
                )))
            }
            _ => Ok(()),
        }
    }

    fn divides(self) -> bool {
        matches!(self, Binary::Div | Binary::Fmod | Binary::Remainder)
    }

    /// The op on two elements.
    #[inline(always)]
    fn apply<T: Arith>(self, x: T, y: T) -> T {
        match self {
            Binary::Add => x.add(y),
            Binary::Sub => x.sub(y),
            Binary::Mul => x.mul(y),
            Binary::Div => x.div(y),
            Binary::Pow => x.pow(y),
            Binary::Fmod => x.fmod(y),
            Binary::Remainder => x.remainder(y),
            Binary::Atan2 => x.atan2(y),
            Binary::Lshift => x.shl(y),
            Binary::Rshift => x.shr(y),
            Binary::Bitand => x.bitand(y),
            Binary::Bitor => x.bitor(y),
            Binary::Bitxor => x.bitxor(y),
            // Torch7: (x > y) ? x : y, so a NaN in y wins and a NaN in x loses.
            Binary::Max => {
                if x > y {
                    x
                } else {
                    y
                }
            }
            Binary::Min => {
                if x < y {
                    x
                } else {
                    y
                }
            }
        }
    }
}

/// Shape and type of an element-wise result over `operands` (at least one tensor).
pub fn result_shape(operands: &[&Operand], what: &str) -> Result<(DType, Dims)> {
    let tensors: SmallVec<[&Tensor; 4]> = operands.iter().filter_map(|o| o.tensor()).collect();
    broadcast(&tensors, what)
}

/// Monomorphises `$body` per op so each kernel loop has its op inlined.
macro_rules! per_binary {
    ($op:expr, $o:ident, $body:expr) => {
        match $op {
            Binary::Add => {
                const $o: Binary = Binary::Add;
                $body
            }
            Binary::Sub => {
                const $o: Binary = Binary::Sub;
                $body
            }
            Binary::Mul => {
                const $o: Binary = Binary::Mul;
                $body
            }
            Binary::Div => {
                const $o: Binary = Binary::Div;
                $body
            }
            Binary::Max => {
                const $o: Binary = Binary::Max;
                $body
            }
            Binary::Min => {
                const $o: Binary = Binary::Min;
                $body
            }
            Binary::Atan2 => {
                const $o: Binary = Binary::Atan2;
                $body
            }
            Binary::Pow => {
                const $o: Binary = Binary::Pow;
                $body
            }
            Binary::Remainder => {
                const $o: Binary = Binary::Remainder;
                $body
            }
            other => {
                #[allow(non_snake_case)]
                let $o = other;
                $body
            }
        }
    };
}

fn binary_typed<T: Arith>(op: Binary, a: &Operand, b: &Operand, dst: &Tensor, what: &str) -> Result<()> {
    if !T::IS_FLOAT && op.divides() {
        let zero = match b {
            Operand::Scalar(s) => s.cast::<T>().is_zero(),
            Operand::Tensor(t) => any_element::<T>(t, |x| x.is_zero())?,
        };
        if zero {
            return Err(zero_division(what));
        }
    }
    if !T::IS_FLOAT && op == Binary::Pow {
        // 0 to a negative power has no integer value.
        let neg_power_of_zero = match (a, b) {
            (Operand::Scalar(x), Operand::Scalar(y)) => x.cast::<T>().is_zero() && y.cast::<T>().to_i64() < 0,
            (Operand::Scalar(x), Operand::Tensor(y)) => {
                x.cast::<T>().is_zero() && any_element::<T>(y, |v| v.to_i64() < 0)?
            }
            (Operand::Tensor(x), Operand::Scalar(y)) => {
                y.cast::<T>().to_i64() < 0 && any_element::<T>(x, |v| v.is_zero())?
            }
            (Operand::Tensor(x), Operand::Tensor(y)) => {
                let (xv, yv) = (x.checked_view()?, y.checked_view()?);
                let plan = plan2(x, y);
                // SAFETY: both layouts checked against blocks kept alive by the views.
                unsafe {
                    ew::any_pair::<T>(xv.base::<T>(), yv.base::<T>(), &plan, |p, q| {
                        p.is_zero() && q.to_i64() < 0
                    })
                }
            }
        };
        if neg_power_of_zero {
            return Err(Error::ZeroDivision(format!(
                "{what}: 0 cannot be raised to a negative integer power"
            )));
        }
    }
    if T::IS_FLOAT && matches!(op, Binary::Fmod | Binary::Pow) && dst.numel() > 0 {
        // The block kernels (the two-pass vectorised fmod with C's fmod for huge quotients; the
        // vectorised pow, which is too big to inline as a per-element closure); a number
        // operand becomes a stride-0 tensor.
        let as_tensor = |o: &Operand| -> Result<Tensor> {
            match o {
                Operand::Tensor(t) => Ok(t.clone()),
                Operand::Scalar(s) => {
                    let ones: SmallVec<[usize; 4]> = dst.sizes().iter().map(|_| 1).collect();
                    Tensor::from_slice(&[s.cast::<T>()], &ones)?.expand(dst.sizes())
                }
            }
        };
        let (x, y) = (as_tensor(a)?, as_tensor(b)?);
        let block: fn(&mut [T], &[T], &[T]) = if op == Binary::Fmod { T::fmod_block } else { T::pow_block };
        return with_target(dst, &[&x, &y], |w| {
            if let (Binary::Pow, Operand::Tensor(t), Operand::Scalar(s)) = (op, a, b) {
                if let Some(done) = pow_by_number::<T>(w, t, s.cast::<T>().to_f64()) {
                    return done;
                }
            }
            let (av, bv) = (input_view(w, 0)?, input_view(w, 1)?);
            let plan = plan3(&w.t, &x, &y);
            // SAFETY: as in apply2.
            unsafe {
                ew::map2_blocks::<T>(
                    w.v.base::<T>(),
                    av.base::<T>(),
                    bv.base::<T>(),
                    &plan,
                    w.t.write_grain(),
                    block,
                )
            };
            Ok(())
        });
    }
    let inputs: SmallVec<[&Tensor; 2]> = [a, b].iter().filter_map(|o| o.tensor()).collect();
    with_target(dst, &inputs, |w| {
        per_binary!(op, OP, {
            match (a, b) {
                (Operand::Tensor(x), Operand::Tensor(y)) => apply2::<T, T>(w, x, y, |p, q| OP.apply(p, q)),
                (Operand::Tensor(x), Operand::Scalar(s)) => {
                    let s = s.cast::<T>();
                    apply1::<T, T>(w, x, move |p| OP.apply(p, s))
                }
                (Operand::Scalar(s), Operand::Tensor(y)) => {
                    let s = s.cast::<T>();
                    apply1::<T, T>(w, y, move |q| OP.apply(s, q))
                }
                (Operand::Scalar(_), Operand::Scalar(_)) => {
                    Err(Error::Type(format!("{what}: needs a tensor operand")))
                }
            }
        })
    })
}

/// `x ^ e` for the number exponents with a cheaper exact or near-exact form than powf (the
/// ones PyTorch special-cases): 0.5 (sqrt), 2, 3 (a compensated cube), -1, 1 and 0. Computed in
/// f64 and rounded once to T, so float results are powf's correctly rounded values; C pow's
/// edges are kept (pow(-0, 0.5) = +0, pow(-inf, 0.5) = +inf, pow(NaN, 0) = 1). None: another
/// exponent, for the general powf loop.
fn pow_by_number<T: Arith>(w: &Target, x: &Tensor, e: f64) -> Option<Result<()>> {
    macro_rules! each {
        ($f:expr) => {
            apply1::<T, T>(w, x, |p: T| T::from_f64($f(p.to_f64())))
        };
    }
    Some(if e == 0.5 {
        each!(pow_half)
    } else if e == 2.0 {
        each!(|p: f64| p * p)
    } else if e == 3.0 && std::mem::size_of::<T>() == 4 {
        each!(|p: f64| p * p * p) // x² is exact in f64: one rounding, then f32's
    } else if e == 3.0 {
        each!(pow_cube)
    } else if e == -1.0 {
        each!(|p: f64| 1.0 / p)
    } else if e == 1.0 {
        each!(|p: f64| p)
    } else if e == 0.0 {
        each!(|_p: f64| 1.0)
    } else {
        return None;
    })
}

/// pow(x, 0.5): sqrt, with pow's +0 for -0 and +inf for -inf (branch-free selects).
#[inline(always)]
fn pow_half(x: f64) -> f64 {
    let r = x.sqrt() + 0.0; // -0 + 0 = +0
    if x == f64::NEG_INFINITY {
        f64::INFINITY
    } else {
        r
    }
}

/// x³ as a rounded product plus its exact error terms (FMA): within about half an ulp, where
/// x * x * x can be off by one and a half. Infinities and (signed) zeros pass through as is.
#[inline(always)]
fn pow_cube(x: f64) -> f64 {
    let h = x * x;
    let l = x.mul_add(x, -h); // x² = h + l exactly
    let r = h * x;
    let e = h.mul_add(x, -r) + l * x; // x³ ≈ r + e
    if r.is_finite() && r != 0.0 {
        r + e
    } else {
        r
    }
}

fn expand_operand(o: &Operand, sizes: &[usize]) -> Result<Operand> {
    Ok(match o {
        Operand::Tensor(t) => Operand::Tensor(expand_to(t, sizes)?),
        Operand::Scalar(s) => Operand::Scalar(*s),
    })
}

/// `dst = a op b` with broadcasting; at least one operand is a tensor.
pub fn binary_into(op: Binary, a: &Operand, b: &Operand, dst: &Tensor) -> Result<()> {
    binary_into_named(op, a, b, dst, op.name())
}

/// `binary_into` with the name errors should use (`cdiv`, `cmul`, ...).
pub fn binary_into_named(op: Binary, a: &Operand, b: &Operand, dst: &Tensor, what: &str) -> Result<()> {
    let (dtype, sizes) = result_shape(&[a, b], what)?;
    op.check_type(dtype, what)?;
    check_dst(dst, dtype, &sizes, what)?;
    binary_run(op, a, b, dst, dtype, &sizes, what)
}

fn binary_run(
    op: Binary,
    a: &Operand,
    b: &Operand,
    dst: &Tensor,
    dtype: DType,
    sizes: &[usize],
    what: &str,
) -> Result<()> {
    let (a, b) = (expand_operand(a, sizes)?, expand_operand(b, sizes)?);
    crate::with_math_dtype!(dtype, what, T, binary_typed::<T>(op, &a, &b, dst, what))
}

/// `a op b` as a new tensor.
pub fn binary(op: Binary, a: &Operand, b: &Operand) -> Result<Tensor> {
    binary_named(op, a, b, op.name())
}

/// `binary` with the name errors should use; the shape is worked out once (the operators'
/// path, where per-call overhead matters for small tensors).
pub fn binary_named(op: Binary, a: &Operand, b: &Operand, what: &str) -> Result<Tensor> {
    let (dtype, sizes) = result_shape(&[a, b], what)?;
    op.check_type(dtype, what)?;
    let dst = new_like(dtype, &sizes)?;
    binary_run(op, a, b, &dst, dtype, &sizes, what)?;
    Ok(dst)
}

/// The op on two Python numbers, in f64 (torch.pow(2, 10), torch.atan2(1, 2), ...).
pub fn apply_f64(op: Binary, x: f64, y: f64) -> f64 {
    op.apply::<f64>(x, y)
}

/// Checks the op/type pair before a destination is resized (so a refused call changes nothing).
pub fn binary_check(op: Binary, dtype: DType, what: &str) -> Result<()> {
    op.check_type(dtype, what)
}

// ------------------------------------------------------------------------------------ compound

/// `dst = x + value * y` (Torch7's cadd; `sub` gives csub's `x - value * y`).
pub fn add_scaled_into(x: &Tensor, value: Scalar, y: &Tensor, sub: bool, dst: &Tensor) -> Result<()> {
    let what = if sub { "csub" } else { "add" };
    let (dtype, sizes) = broadcast(&[x, y], what)?;
    check_dst(dst, dtype, &sizes, what)?;
    let (x, y) = (expand_to(x, &sizes)?, expand_to(y, &sizes)?);
    crate::with_math_dtype!(dtype, what, T, {
        let v = value.cast::<T>();
        with_target(dst, &[&x, &y], |w| {
            if sub {
                apply2::<T, T>(w, &x, &y, move |p, q| p.sub(v.mul(q)))
            } else {
                apply2::<T, T>(w, &x, &y, move |p, q| p.add(v.mul(q)))
            }
        })
    })
}

/// `dst = x + value * t1 * t2` (addcmul) or `x + value * t1 / t2` (addcdiv).
pub fn addc_into(div: bool, x: &Tensor, value: Scalar, t1: &Tensor, t2: &Tensor, dst: &Tensor) -> Result<()> {
    let what = if div { "addcdiv" } else { "addcmul" };
    let (dtype, sizes) = broadcast(&[x, t1, t2], what)?;
    check_dst(dst, dtype, &sizes, what)?;
    let (x, t1, t2) = (expand_to(x, &sizes)?, expand_to(t1, &sizes)?, expand_to(t2, &sizes)?);
    crate::with_math_dtype!(dtype, what, T, {
        if div && !T::IS_FLOAT && any_element::<T>(&t2, |v| v.is_zero())? {
            return Err(zero_division(what));
        }
        let v = value.cast::<T>();
        with_target(dst, &[&x, &t1, &t2], |w| {
            if div {
                apply3::<T>(w, &x, &t1, &t2, move |p, q, r| p.add(v.mul(q).div(r)))
            } else {
                apply3::<T>(w, &x, &t1, &t2, move |p, q, r| p.add(v.mul(q).mul(r)))
            }
        })
    })
}

/// `dst = a + w * (b - a)` (Float/Double).
pub fn lerp_into(a: &Tensor, b: &Tensor, weight: Scalar, dst: &Tensor) -> Result<()> {
    let (dtype, sizes) = broadcast(&[a, b], "lerp")?;
    require_float(dtype, "lerp")?;
    check_dst(dst, dtype, &sizes, "lerp")?;
    let (a, b) = (expand_to(a, &sizes)?, expand_to(b, &sizes)?);
    crate::with_float_dtype!(dtype, "lerp", T, {
        let w = weight.cast::<T>();
        with_target(dst, &[&a, &b], |t| apply2::<T, T>(t, &a, &b, move |p, q| p + w * (q - p)))
    })
}

/// `dst = clamp(x, min, max)`: Torch7's `x < min ? min : (x > max ? max : x)` (NaN stays NaN).
pub fn clamp_into(x: &Tensor, min: Scalar, max: Scalar, dst: &Tensor) -> Result<()> {
    require_math(x.dtype(), "clamp")?;
    check_dst(dst, x.dtype(), x.sizes(), "clamp")?;
    crate::with_math_dtype!(x.dtype(), "clamp", T, {
        let (lo, hi) = (min.cast::<T>(), max.cast::<T>());
        with_target(dst, &[x], |w| {
            apply1::<T, T>(w, x, move |v| {
                if v < lo {
                    lo
                } else if v > hi {
                    hi
                } else {
                    v
                }
            })
        })
    })
}

// ------------------------------------------------------------------------------------ compare

/// Comparisons of group I.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Compare {
    pub fn name(self) -> &'static str {
        match self {
            Compare::Lt => "lt",
            Compare::Le => "le",
            Compare::Gt => "gt",
            Compare::Ge => "ge",
            Compare::Eq => "eq",
            Compare::Ne => "ne",
        }
    }

    #[inline(always)]
    /// The comparison on two values.
    pub fn test<T: PartialOrd>(self, x: T, y: T) -> bool {
        match self {
            Compare::Lt => x < y,
            Compare::Le => x <= y,
            Compare::Gt => x > y,
            Compare::Ge => x >= y,
            Compare::Eq => x == y,
            Compare::Ne => x != y,
        }
    }
}

fn compare_typed<T: Arith, R: Element>(op: Compare, a: &Tensor, b: &Operand, dst: &Tensor) -> Result<()> {
    let inputs: SmallVec<[&Tensor; 2]> = std::iter::once(a).chain(b.tensor()).collect();
    // One loop per comparison, so each is a vectorised select rather than a match per element.
    macro_rules! run {
        ($cmp:tt) => {
            with_target(dst, &inputs, |w| match b {
                Operand::Tensor(y) => apply2::<T, R>(w, a, y, |p, q| R::from_u8((p $cmp q) as u8)),
                Operand::Scalar(s) => {
                    let s = s.cast::<T>();
                    apply1::<T, R>(w, a, move |p| R::from_u8((p $cmp s) as u8))
                }
            })
        };
    }
    match op {
        Compare::Lt => run!(<),
        Compare::Le => run!(<=),
        Compare::Gt => run!(>),
        Compare::Ge => run!(>=),
        Compare::Eq => run!(==),
        Compare::Ne => run!(!=),
    }
}

/// `dst = (a op b)` as 0/1, with dst a ByteTensor or a tensor of a's type (Torch7's two forms).
pub fn compare_into(op: Compare, a: &Tensor, b: &Operand, dst: &Tensor) -> Result<()> {
    let what = op.name();
    let (dtype, sizes) = result_shape(&[&Operand::Tensor(a.clone()), b], what)?;
    let out_type = dst.dtype();
    if out_type != DType::Byte && out_type != dtype {
        return Err(Error::Type(format!(
            "{what}: the result tensor must be a torch.ByteTensor or a {}, got a {}",
            dtype.tensor_type_name(),
            out_type.tensor_type_name()
        )));
    }
    check_dst(dst, out_type, &sizes, what)?;
    let a = expand_to(a, &sizes)?;
    let b = expand_operand(b, &sizes)?;
    crate::with_math_dtype!(dtype, what, T, {
        if out_type == DType::Byte {
            compare_typed::<T, u8>(op, &a, &b, dst)
        } else {
            compare_typed::<T, T>(op, &a, &b, dst)
        }
    })
}

/// `a op b` as a new ByteTensor.
pub fn compare(op: Compare, a: &Tensor, b: &Operand) -> Result<Tensor> {
    let (_, sizes) = result_shape(&[&Operand::Tensor(a.clone()), b], op.name())?;
    let dst = new_like(DType::Byte, &sizes)?;
    compare_into(op, a, b, &dst)?;
    Ok(dst)
}

/// Torch7's all / any on a ByteTensor (C truthiness; all of nothing is true).
pub fn all_any(t: &Tensor, any: bool) -> Result<bool> {
    let what = if any { "any" } else { "all" };
    if t.dtype() != DType::Byte {
        return Err(Error::Type(format!(
            "{what} is only available for torch.ByteTensor, got {}; compare first (e.g. t.ne(0))",
            t.dtype().tensor_type_name()
        )));
    }
    if any {
        any_element::<u8>(t, |v| v != 0)
    } else {
        Ok(!any_element::<u8>(t, |v| v == 0)?)
    }
}

/// Torch7's equal: same sizes and every element equal (NaN is unequal to everything).
pub fn equal(a: &Tensor, b: &Tensor) -> Result<bool> {
    same_type(a, b, "equal")?;
    require_math(a.dtype(), "equal")?;
    if a.sizes() != b.sizes() {
        return Ok(false);
    }
    if a.numel() == 0 {
        return Ok(true);
    }
    let (av, bv) = (a.checked_view()?, b.checked_view()?);
    let plan = plan2(a, b);
    crate::with_math_dtype!(a.dtype(), "equal", T, {
        // SAFETY: both layouts checked against blocks kept alive by the views.
        Ok(!unsafe { ew::any_pair::<T>(av.base::<T>(), bv.base::<T>(), &plan, |x, y| x != y) })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f64], sizes: &[usize]) -> Tensor {
        Tensor::from_slice(v, sizes).unwrap()
    }

    #[test]
    fn add_broadcasts_rows() {
        let a = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
        let b = t(&[10.0, 20.0, 30.0], &[3]);
        let r = binary(Binary::Add, &Operand::Tensor(a), &Operand::Tensor(b)).unwrap();
        assert_eq!(r.to_vec::<f64>().unwrap(), vec![11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
    }

    #[test]
    fn in_place_through_overlapping_view_uses_a_temporary() {
        let a = t(&[1.0, 2.0, 3.0, 4.0], &[4]);
        let head = a.narrow(0, 0, 3).unwrap();
        let tail = a.narrow(0, 1, 3).unwrap();
        binary_into(Binary::Add, &Operand::Tensor(head.clone()), &Operand::Tensor(tail), &head).unwrap();
        assert_eq!(a.to_vec::<f64>().unwrap(), vec![3.0, 5.0, 7.0, 4.0]);
    }

    #[test]
    fn integer_division_by_zero_is_an_error() {
        let a = Tensor::from_slice(&[1i32, 2], &[2]).unwrap();
        let e = binary(Binary::Div, &Operand::Tensor(a), &Operand::Scalar(Scalar::Int(0)));
        assert!(matches!(e, Err(Error::ZeroDivision(_))));
    }

    #[test]
    fn integer_division_truncates_as_c_and_refuses_only_zero_divisors() {
        let ints = |v: &[i32]| Operand::Tensor(Tensor::from_slice(v, &[v.len()]).unwrap());
        let num = |v: i64| Operand::Scalar(Scalar::Int(v));
        let run = |op, a: &Operand, b: &Operand| binary(op, a, b).map(|r| r.to_vec::<i32>().unwrap());
        let zero_division = |r: Result<Vec<i32>>| matches!(r, Err(Error::ZeroDivision(_)));
        let (a, b) = (ints(&[-7, 7, -8, 9]), ints(&[2, -2, 3, 4]));
        assert_eq!(run(Binary::Div, &a, &b).unwrap(), vec![-3, -3, -2, 2]);
        assert_eq!(run(Binary::Fmod, &a, &b).unwrap(), vec![-1, 1, -2, 1]);
        assert_eq!(run(Binary::Remainder, &a, &b).unwrap(), vec![1, -1, 1, 1]);
        // A zero in the divisor, tensor or number, is refused; a zero dividend is not.
        for op in [Binary::Div, Binary::Fmod, Binary::Remainder] {
            assert!(zero_division(run(op, &a, &ints(&[2, 0, 3, 4]))), "{op:?}");
            assert!(zero_division(run(op, &a, &num(0))), "{op:?}");
            assert_eq!(run(op, &ints(&[0, 0]), &num(3)).unwrap(), vec![0, 0], "{op:?}");
        }
        // Negative powers truncate 1 / x^|y|; only 0 to a negative power is refused.
        let pow = run(Binary::Pow, &ints(&[2, 1, -1, -1, 3, 0]), &ints(&[-1, -3, -3, -2, 4, 2]));
        assert_eq!(pow.unwrap(), vec![0, 1, -1, 1, 81, 0]);
        assert_eq!(run(Binary::Pow, &ints(&[0, 2]), &ints(&[1, -1])).unwrap(), vec![0, 0]);
        assert!(zero_division(run(Binary::Pow, &ints(&[2, 0]), &ints(&[1, -1]))));
        assert!(zero_division(run(Binary::Pow, &ints(&[2, 0]), &num(-1))));
        assert_eq!(run(Binary::Pow, &ints(&[2, 0]), &num(2)).unwrap(), vec![4, 0]);
    }

    #[test]
    fn exp_and_compare() {
        let a = Tensor::from_slice(&[0.0f32, 1.0], &[2]).unwrap();
        let e = unary(Unary::Exp, &a).unwrap().to_vec::<f32>().unwrap();
        assert_eq!(e[0], 1.0);
        assert!((e[1] - std::f32::consts::E).abs() < 1e-6);
        let m = compare(Compare::Gt, &a, &Operand::Scalar(Scalar::Float(0.5))).unwrap();
        assert_eq!(m.to_vec::<u8>().unwrap(), vec![0, 1]);
        assert!(all_any(&m, true).unwrap());
        assert!(!all_any(&m, false).unwrap());
        assert!(equal(&a, &a.clone_contiguous().unwrap()).unwrap());
    }
}
