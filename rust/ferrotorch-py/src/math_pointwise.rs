//! Bindings for element-wise math: unary (group C), binary and scalar (group D), comparisons and logical (group I), Python operators.
//!
//! Argument forms follow Torch7 (`torch.add(x, value, y)`, `x.add(y)` in place, `z.add(x, y)` into
//! z), with `out=` for the result tensor. The work is in `ferrotorch::ops::pointwise`.

use crate::convert::{is_int, scalar, scalar_to_py};
use crate::errors::IntoPyResult;
use crate::out::{finish, result_tensor};
use crate::tensor::{maybe_detach, PyTensor};
use ferrotorch::ops::pointwise::{self as pw, Binary, Compare, Operand, Unary};
use ferrotorch::{DType, Scalar, Tensor};
use pyo3::exceptions::{PyTypeError, PyZeroDivisionError};
use pyo3::prelude::*;
use pyo3::pyclass::CompareOp;
use pyo3::types::PyTuple;

// ------------------------------------------------------------------------------------ helpers

fn type_name(o: &Bound<'_, PyAny>) -> String {
    o.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}

fn as_tensor(o: &Bound<'_, PyAny>) -> Option<Tensor> {
    o.cast::<PyTensor>().ok().map(|t| t.get().get())
}

/// A tensor or a Python number.
fn operand(o: &Bound<'_, PyAny>, what: &str) -> PyResult<Operand> {
    if let Some(t) = as_tensor(o) {
        return Ok(Operand::Tensor(t));
    }
    if o.is_none() {
        return Err(PyTypeError::new_err(format!("{what}: expected a tensor or a number, got None")));
    }
    scalar(o).map(Operand::Scalar).map_err(|_| {
        PyTypeError::new_err(format!("{what}: expected a tensor or a number, got {}", type_name(o)))
    })
}

fn number(o: &Bound<'_, PyAny>, what: &str) -> PyResult<Scalar> {
    if as_tensor(o).is_some() || o.is_none() {
        return Err(PyTypeError::new_err(format!("{what}: expected a number, got {}", type_name(o))));
    }
    scalar(o).map_err(|_| PyTypeError::new_err(format!("{what}: expected a number, got {}", type_name(o))))
}

fn tensor(o: &Bound<'_, PyAny>, what: &str) -> PyResult<Tensor> {
    as_tensor(o)
        .ok_or_else(|| PyTypeError::new_err(format!("{what}: expected a tensor, got {}", type_name(o))))
}

fn f64_of(s: Scalar) -> f64 {
    match s {
        Scalar::Int(v) => v as f64,
        Scalar::Float(v) => v,
    }
}

/// Where a result goes.
enum Dst<'a, 'py> {
    /// The function form: `out=` or a new tensor.
    Out(Option<&'a Bound<'py, PyAny>>),
    /// `x.f(...)` changing x (the shape must already be the result's).
    InPlace(&'a Bound<'py, PyTensor>),
    /// `z.f(x, ...)`: z is resized to the result and filled.
    Into(&'a Bound<'py, PyTensor>),
}

impl Dst<'_, '_> {
    fn tensor(&self, dtype: DType, sizes: &[usize]) -> PyResult<Tensor> {
        match self {
            Dst::Out(o) => result_tensor(*o, dtype, sizes),
            Dst::InPlace(s) => Ok(s.get().get()),
            Dst::Into(s) => result_tensor(Some(s.as_any()), dtype, sizes),
        }
    }

    fn done(&self, py: Python<'_>, t: Tensor) -> PyResult<Py<PyAny>> {
        match self {
            Dst::Out(o) => finish(py, *o, t),
            Dst::InPlace(s) | Dst::Into(s) => Ok(s.as_any().clone().unbind()),
        }
    }
}

/// Runs an engine call, without the GIL when the tensor is big.
fn run(py: Python<'_>, numel: usize, f: impl FnOnce() -> ferrotorch::Result<()> + Send) -> PyResult<()> {
    maybe_detach(py, numel, f).py()
}

fn numel(sizes: &[usize]) -> usize {
    if sizes.is_empty() {
        0
    } else {
        sizes.iter().product()
    }
}

// ------------------------------------------------------------------------------------ unary

fn unary_number(py: Python<'_>, op: Unary, x: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let s = number(x, op.name())?;
    if let (Scalar::Int(v), Unary::Abs | Unary::Neg | Unary::Sign) = (s, op) {
        let r = match op {
            Unary::Abs => v.wrapping_abs(),
            Unary::Neg => v.wrapping_neg(),
            _ => v.signum(),
        };
        return scalar_to_py(py, Scalar::Int(r));
    }
    scalar_to_py(py, Scalar::Float(op.apply_f64(f64_of(s))))
}

fn unary_apply(py: Python<'_>, op: Unary, src: &Tensor, dst: Dst<'_, '_>) -> PyResult<Py<PyAny>> {
    op.check_type(src.dtype()).py()?;
    let d = dst.tensor(src.dtype(), src.sizes())?;
    run(py, src.numel(), || pw::unary_into(op, src, &d))?;
    dst.done(py, d)
}

fn unary_call(
    py: Python<'_>,
    op: Unary,
    x: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    match as_tensor(x) {
        Some(t) => unary_apply(py, op, &t, Dst::Out(out)),
        None => unary_number(py, op, x),
    }
}

fn unary_method(slf: &Bound<'_, PyTensor>, op: Unary, src: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    match src {
        None => unary_apply(py, op, &slf.get().get(), Dst::InPlace(slf)),
        Some(s) => unary_apply(py, op, &tensor(s, op.name())?, Dst::Into(slf)),
    }
}

macro_rules! unary_fns {
    ($($fname:ident, $mname:ident, $name:literal, $op:ident, $doc:literal;)*) => {
        $(
            #[doc = $doc]
            #[pyfunction]
            #[pyo3(name = $name, signature = (x, *, out = None))]
            fn $fname(py: Python<'_>, x: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                unary_call(py, Unary::$op, x, out)
            }

            #[pymethods]
            impl PyTensor {
                #[doc = $doc]
                #[pyo3(name = $name, signature = (src = None))]
                fn $mname(slf: &Bound<'_, Self>, src: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
                    unary_method(slf, Unary::$op, src)
                }
            }
        )*

        fn register_unary(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add_function(wrap_pyfunction!($fname, m)?)?;)*
            Ok(())
        }
    };
}

// ------------------------------------------------------------------------------------ binary

fn binary_number(py: Python<'_>, op: Binary, a: Scalar, b: Scalar) -> PyResult<Py<PyAny>> {
    if let (Scalar::Int(_), Scalar::Int(y)) = (a, b) {
        if matches!(op, Binary::Div | Binary::Fmod | Binary::Remainder) && y == 0 {
            return Err(PyZeroDivisionError::new_err(format!(
                "{}: integer division or modulo by zero",
                op.name()
            )));
        }
    }
    scalar_to_py(py, Scalar::Float(pw::apply_f64(op, f64_of(a), f64_of(b))))
}

fn binary_apply(
    py: Python<'_>,
    op: Binary,
    what: &str,
    a: &Operand,
    b: &Operand,
    dst: Dst<'_, '_>,
) -> PyResult<Py<PyAny>> {
    if let (Operand::Scalar(x), Operand::Scalar(y)) = (a, b) {
        if let Dst::Out(None) = dst {
            return binary_number(py, op, *x, *y);
        }
        return Err(PyTypeError::new_err(format!("{what}: needs a tensor operand")));
    }
    if let Dst::Out(None) = dst {
        // A new result: one shape computation in the engine (small-tensor overhead).
        let hint = match (a, b) {
            (Operand::Tensor(x), Operand::Tensor(y)) if x.sizes() != y.sizes() => {
                numel(&pw::result_shape(&[a, b], what).py()?.1)
            }
            (Operand::Tensor(x), _) => x.numel(),
            (_, Operand::Tensor(y)) => y.numel(),
            _ => 0,
        };
        let t = maybe_detach(py, hint, || pw::binary_named(op, a, b, what)).py()?;
        return crate::tensor::wrap(py, t);
    }
    let (dtype, sizes) = pw::result_shape(&[a, b], what).py()?;
    pw::binary_check(op, dtype, what).py()?;
    let d = dst.tensor(dtype, &sizes)?;
    run(py, numel(&sizes), || pw::binary_into_named(op, a, b, &d, what))?;
    dst.done(py, d)
}

/// Function form `torch.f(a, b, out=)`.
fn binary_call(
    py: Python<'_>,
    op: Binary,
    what: &str,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    binary_apply(py, op, what, &operand(a, what)?, &operand(b, what)?, Dst::Out(out))
}

/// Method form: `x.f(b)` in place, `z.f(a, b)` into z.
fn binary_method(
    slf: &Bound<'_, PyTensor>,
    op: Binary,
    what: &str,
    args: &Bound<'_, PyTuple>,
) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    match args.len() {
        1 => {
            let me = Operand::Tensor(slf.get().get());
            binary_apply(py, op, what, &me, &operand(&args.get_item(0)?, what)?, Dst::InPlace(slf))
        }
        2 => {
            let (a, b) = (operand(&args.get_item(0)?, what)?, operand(&args.get_item(1)?, what)?);
            binary_apply(py, op, what, &a, &b, Dst::Into(slf))
        }
        n => Err(PyTypeError::new_err(format!(
            "{what}: the method takes (other) to change the tensor in place, or (a, b) to store the \
             result in it; got {n} arguments"
        ))),
    }
}

macro_rules! binary_fns {
    ($($fname:ident, $mname:ident, $name:literal, $op:ident, $doc:literal;)*) => {
        $(
            #[doc = $doc]
            #[pyfunction]
            #[pyo3(name = $name, signature = (a, b, *, out = None))]
            fn $fname(
                py: Python<'_>,
                a: &Bound<'_, PyAny>,
                b: &Bound<'_, PyAny>,
                out: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Py<PyAny>> {
                binary_call(py, Binary::$op, $name, a, b, out)
            }

            #[pymethods]
            impl PyTensor {
                #[doc = $doc]
                #[pyo3(name = $name, signature = (*args))]
                fn $mname(slf: &Bound<'_, Self>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
                    binary_method(slf, Binary::$op, $name, args)
                }
            }
        )*

        fn register_binary(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add_function(wrap_pyfunction!($fname, m)?)?;)*
            Ok(())
        }
    };
}

// ------------------------------------------------------------------------------------ add / csub

fn add_apply(
    py: Python<'_>,
    sub: bool,
    x: &Bound<'_, PyAny>,
    value: Option<&Bound<'_, PyAny>>,
    y: Option<&Bound<'_, PyAny>>,
    dst: Dst<'_, '_>,
) -> PyResult<Py<PyAny>> {
    let (what, op) = if sub { ("csub", Binary::Sub) } else { ("add", Binary::Add) };
    let xo = operand(x, what)?;
    match (value, y) {
        (None, Some(y)) | (Some(y), None) => binary_apply(py, op, what, &xo, &operand(y, what)?, dst),
        (Some(v), Some(y)) => {
            let (xt, v, yt) = (tensor(x, what)?, number(v, what)?, tensor(y, what)?);
            let (dtype, sizes) = pw::broadcast(&[&xt, &yt], what).py()?;
            let d = dst.tensor(dtype, &sizes)?;
            run(py, numel(&sizes), || pw::add_scaled_into(&xt, v, &yt, sub, &d))?;
            dst.done(py, d)
        }
        (None, None) => Err(PyTypeError::new_err(format!("{what}: missing the value or tensor to add"))),
    }
}

fn add_method(slf: &Bound<'_, PyTensor>, sub: bool, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let what = if sub { "csub" } else { "add" };
    let a: Vec<Bound<'_, PyAny>> = args.iter().collect();
    let me = slf.as_any();
    match a.as_slice() {
        [v] => add_apply(py, sub, me, None, Some(v), Dst::InPlace(slf)),
        [p, q] if as_tensor(p).is_some() => add_apply(py, sub, p, None, Some(q), Dst::Into(slf)),
        [v, y] => add_apply(py, sub, me, Some(v), Some(y), Dst::InPlace(slf)),
        [x, v, y] => add_apply(py, sub, x, Some(v), Some(y), Dst::Into(slf)),
        _ => Err(PyTypeError::new_err(format!(
            "{what}: the method takes (value | tensor), (value, tensor), (x, value | tensor) or (x, value, tensor)"
        ))),
    }
}

/// add(x, value, out=None), add(x, y, out=None), add(x, value, y, out=None) -> x + value, x + y, x + value*y
///
/// Element-wise sum; tensor operands broadcast (numpy rules) and must share a type; a number
/// takes the tensor's type (C casts: 2.9 becomes 2 for integer tensors, which wrap). Methods:
/// x.add(value), x.add(y), x.add(value, y) change x; z.add(x, y) and z.add(x, value, y) put the
/// result in z. Torch7 required equal element counts instead of broadcasting.
///
/// >>> import ferrotorch as torch
/// >>> x = torch.DoubleTensor([1, 2, 3])
/// >>> torch.add(x, 10).tolist(), torch.add(x, 2, x).tolist()
/// ([11.0, 12.0, 13.0], [3.0, 6.0, 9.0])
/// >>> torch.add(torch.DoubleTensor([[0], [10]]), x).tolist()
/// [[1.0, 2.0, 3.0], [11.0, 12.0, 13.0]]
/// >>> x.add(1) is x, x.tolist()
/// (True, [2.0, 3.0, 4.0])
/// >>> torch.add(torch.ByteTensor([200]), 100).tolist()
/// [44]
#[pyfunction]
#[pyo3(name = "add", signature = (x, a, b = None, *, out = None))]
fn f_add(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    a: &Bound<'_, PyAny>,
    b: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    match b {
        None => add_apply(py, false, x, None, Some(a), Dst::Out(out)),
        Some(b) => add_apply(py, false, x, Some(a), Some(b), Dst::Out(out)),
    }
}

/// csub(x, value, out=None), csub(x, y, out=None), csub(x, value, y, out=None) -> x - value, x - y, x - value*y
///
/// Element-wise difference with add's argument forms, broadcasting and type rules. Methods:
/// x.csub(value), x.csub(y), x.csub(value, y) change x; z.csub(x, y) puts x - y in z.
///
/// >>> import ferrotorch as torch
/// >>> x = torch.IntTensor([5, 6, 7])
/// >>> torch.csub(x, 1).tolist(), torch.csub(x, 2, x).tolist()
/// ([4, 5, 6], [-5, -6, -7])
/// >>> x.csub(x).tolist()
/// [0, 0, 0]
#[pyfunction]
#[pyo3(name = "csub", signature = (x, a, b = None, *, out = None))]
fn f_csub(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    a: &Bound<'_, PyAny>,
    b: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    match b {
        None => add_apply(py, true, x, None, Some(a), Dst::Out(out)),
        Some(b) => add_apply(py, true, x, Some(a), Some(b), Dst::Out(out)),
    }
}

#[pymethods]
impl PyTensor {
    /// add(x, value, out=None), add(x, y, out=None), add(x, value, y, out=None) -> x + value, x + y, x + value*y
    ///
    /// Method forms: x.add(value), x.add(y) and x.add(value, y) change x; z.add(x, y) and
    /// z.add(x, value, y) put the result in z. Broadcasting as numpy.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([1, 2])
    /// >>> x.add(2, torch.DoubleTensor([1, 1])).tolist()
    /// [3.0, 4.0]
    /// >>> torch.DoubleTensor().add(x, x).tolist()
    /// [6.0, 8.0]
    #[pyo3(name = "add", signature = (*args))]
    fn m_add(slf: &Bound<'_, Self>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        add_method(slf, false, args)
    }

    /// csub(x, value, out=None), csub(x, y, out=None), csub(x, value, y, out=None) -> x - value, x - y, x - value*y
    ///
    /// Method forms: x.csub(value), x.csub(y), x.csub(value, y) change x; z.csub(x, y) puts x - y
    /// in z.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor([5, 6]).csub(1).tolist()
    /// [4.0, 5.0]
    #[pyo3(name = "csub", signature = (*args))]
    fn m_csub(slf: &Bound<'_, Self>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        add_method(slf, true, args)
    }
}

// ------------------------------------------------------------------------------------ clamp, lerp

fn clamp_apply(
    py: Python<'_>,
    x: &Tensor,
    lo: &Bound<'_, PyAny>,
    hi: &Bound<'_, PyAny>,
    dst: Dst<'_, '_>,
) -> PyResult<Py<PyAny>> {
    let (lo, hi) = (number(lo, "clamp")?, number(hi, "clamp")?);
    pw::require_math(x.dtype(), "clamp").py()?;
    let d = dst.tensor(x.dtype(), x.sizes())?;
    run(py, x.numel(), || pw::clamp_into(x, lo, hi, &d))?;
    dst.done(py, d)
}

/// clamp(x, min, max, out=None) -> x clipped to [min, max] element-wise
///
/// Torch7's rule x < min ? min : (x > max ? max : x), so NaN stays NaN. x.clamp(min, max)
/// changes x; z.clamp(x, min, max) puts the result in z.
///
/// >>> import ferrotorch as torch
/// >>> torch.clamp(torch.DoubleTensor([-2, 0.5, 3]), -1, 1).tolist()
/// [-1.0, 0.5, 1.0]
/// >>> torch.IntTensor([1, 9]).clamp(2, 5).tolist()
/// [2, 5]
#[pyfunction]
#[pyo3(name = "clamp", signature = (x, min, max, *, out = None))]
fn f_clamp(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    min: &Bound<'_, PyAny>,
    max: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    clamp_apply(py, &tensor(x, "clamp")?, min, max, Dst::Out(out))
}

fn lerp_apply(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    w: &Bound<'_, PyAny>,
    dst: Dst<'_, '_>,
) -> PyResult<Py<PyAny>> {
    let w = number(w, "lerp")?;
    if let (None, None, Dst::Out(None)) = (as_tensor(a), as_tensor(b), &dst) {
        let (x, y) = (f64_of(number(a, "lerp")?), f64_of(number(b, "lerp")?));
        return scalar_to_py(py, Scalar::Float(x + f64_of(w) * (y - x)));
    }
    let (at, bt) = (tensor(a, "lerp")?, tensor(b, "lerp")?);
    let (dtype, sizes) = pw::broadcast(&[&at, &bt], "lerp").py()?;
    pw::require_float(dtype, "lerp").py()?;
    let d = dst.tensor(dtype, &sizes)?;
    run(py, numel(&sizes), || pw::lerp_into(&at, &bt, w, &d))?;
    dst.done(py, d)
}

/// lerp(a, b, weight, out=None) -> a + weight*(b - a) element-wise
///
/// Linear interpolation (Float/Double); a and b broadcast; weight is a number. Numbers give a
/// number. a.lerp(b, w) changes a; z.lerp(a, b, w) puts the result in z.
///
/// >>> import ferrotorch as torch
/// >>> torch.lerp(torch.DoubleTensor([0, 10]), torch.DoubleTensor([10, 20]), 0.5).tolist()
/// [5.0, 15.0]
/// >>> torch.lerp(1, 3, 0.25)
/// 1.5
#[pyfunction]
#[pyo3(name = "lerp", signature = (a, b, weight, *, out = None))]
fn f_lerp(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    weight: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    lerp_apply(py, a, b, weight, Dst::Out(out))
}

// ------------------------------------------------------------------------------------ addcmul / addcdiv

fn addc_apply(
    py: Python<'_>,
    div: bool,
    x: &Bound<'_, PyAny>,
    value: Option<&Bound<'_, PyAny>>,
    t1: &Bound<'_, PyAny>,
    t2: &Bound<'_, PyAny>,
    dst: Dst<'_, '_>,
) -> PyResult<Py<PyAny>> {
    let what = if div { "addcdiv" } else { "addcmul" };
    let v = match value {
        Some(v) => number(v, what)?,
        None => Scalar::Int(1),
    };
    let (xt, a, b) = (tensor(x, what)?, tensor(t1, what)?, tensor(t2, what)?);
    let (dtype, sizes) = pw::broadcast(&[&xt, &a, &b], what).py()?;
    let d = dst.tensor(dtype, &sizes)?;
    run(py, numel(&sizes), || pw::addc_into(div, &xt, v, &a, &b, &d))?;
    dst.done(py, d)
}

fn addc_method(slf: &Bound<'_, PyTensor>, div: bool, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let a: Vec<Bound<'_, PyAny>> = args.iter().collect();
    let me = slf.as_any();
    match a.as_slice() {
        [t1, t2] => addc_apply(py, div, me, None, t1, t2, Dst::InPlace(slf)),
        [v, t1, t2] if as_tensor(v).is_none() => addc_apply(py, div, me, Some(v), t1, t2, Dst::InPlace(slf)),
        [x, t1, t2] => addc_apply(py, div, x, None, t1, t2, Dst::Into(slf)),
        [x, v, t1, t2] => addc_apply(py, div, x, Some(v), t1, t2, Dst::Into(slf)),
        _ => Err(PyTypeError::new_err(
            "the method takes (t1, t2), (value, t1, t2), (x, t1, t2) or (x, value, t1, t2)",
        )),
    }
}

/// addcmul(x, t1, t2, out=None), addcmul(x, value, t1, t2, out=None) -> x + value*t1*t2
///
/// Element-wise multiply-accumulate (value defaults to 1); the three tensors broadcast.
/// z.addcmul(t1, t2) and z.addcmul(value, t1, t2) accumulate into z; z.addcmul(x, value, t1, t2)
/// puts the result in z.
///
/// >>> import ferrotorch as torch
/// >>> x = torch.DoubleTensor([1, 1])
/// >>> torch.addcmul(x, 2, torch.DoubleTensor([1, 2]), torch.DoubleTensor([3, 4])).tolist()
/// [7.0, 17.0]
/// >>> x.addcmul(x, x).tolist()
/// [2.0, 2.0]
#[pyfunction]
#[pyo3(name = "addcmul", signature = (x, a, b, c = None, *, out = None))]
fn f_addcmul(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    c: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    match c {
        None => addc_apply(py, false, x, None, a, b, Dst::Out(out)),
        Some(c) => addc_apply(py, false, x, Some(a), b, c, Dst::Out(out)),
    }
}

/// addcdiv(x, t1, t2, out=None), addcdiv(x, value, t1, t2, out=None) -> x + value*t1/t2
///
/// Element-wise divide-accumulate (value defaults to 1; integer types divide truncating, and a
/// zero in t2 raises ZeroDivisionError). Method forms as addcmul.
///
/// >>> import ferrotorch as torch
/// >>> torch.addcdiv(torch.DoubleTensor([1, 1]), 0.5, torch.DoubleTensor([1, 2]), torch.DoubleTensor([4, 4])).tolist()
/// [1.125, 1.25]
#[pyfunction]
#[pyo3(name = "addcdiv", signature = (x, a, b, c = None, *, out = None))]
fn f_addcdiv(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    c: Option<&Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    match c {
        None => addc_apply(py, true, x, None, a, b, Dst::Out(out)),
        Some(c) => addc_apply(py, true, x, Some(a), b, c, Dst::Out(out)),
    }
}

#[pymethods]
impl PyTensor {
    /// clamp(x, min, max, out=None) -> x clipped to [min, max]
    ///
    /// x.clamp(min, max) changes x; z.clamp(x, min, max) puts the result in z.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor([-3, 3]).clamp(-1, 2).tolist()
    /// [-1.0, 2.0]
    #[pyo3(name = "clamp", signature = (*args))]
    fn m_clamp(slf: &Bound<'_, Self>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let a: Vec<Bound<'_, PyAny>> = args.iter().collect();
        match a.as_slice() {
            [lo, hi] => clamp_apply(py, &slf.get().get(), lo, hi, Dst::InPlace(slf)),
            [x, lo, hi] => clamp_apply(py, &tensor(x, "clamp")?, lo, hi, Dst::Into(slf)),
            _ => Err(PyTypeError::new_err("clamp: the method takes (min, max) or (x, min, max)")),
        }
    }

    /// lerp(a, b, weight, out=None) -> a + weight*(b - a)
    ///
    /// a.lerp(b, w) changes a; z.lerp(a, b, w) puts the result in z.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor([0, 2]).lerp(torch.DoubleTensor([4, 4]), 0.25).tolist()
    /// [1.0, 2.5]
    #[pyo3(name = "lerp", signature = (*args))]
    fn m_lerp(slf: &Bound<'_, Self>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let a: Vec<Bound<'_, PyAny>> = args.iter().collect();
        match a.as_slice() {
            [b, w] => lerp_apply(py, slf.as_any(), b, w, Dst::InPlace(slf)),
            [x, b, w] => lerp_apply(py, x, b, w, Dst::Into(slf)),
            _ => Err(PyTypeError::new_err("lerp: the method takes (b, weight) or (a, b, weight)")),
        }
    }

    /// addcmul(x, [value,] t1, t2, out=None) -> x + value*t1*t2
    ///
    /// z.addcmul(t1, t2) / z.addcmul(value, t1, t2) accumulate into z; z.addcmul(x, value, t1, t2)
    /// puts the result in z.
    ///
    /// >>> import ferrotorch as torch
    /// >>> z = torch.DoubleTensor([1, 1])
    /// >>> z.addcmul(2, torch.DoubleTensor([1, 2]), torch.DoubleTensor([3, 3])).tolist()
    /// [7.0, 13.0]
    #[pyo3(name = "addcmul", signature = (*args))]
    fn m_addcmul(slf: &Bound<'_, Self>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        addc_method(slf, false, args)
    }

    /// addcdiv(x, [value,] t1, t2, out=None) -> x + value*t1/t2
    ///
    /// z.addcdiv(t1, t2) / z.addcdiv(value, t1, t2) accumulate into z; z.addcdiv(x, value, t1, t2)
    /// puts the result in z.
    ///
    /// >>> import ferrotorch as torch
    /// >>> z = torch.DoubleTensor([1, 1])
    /// >>> z.addcdiv(torch.DoubleTensor([1, 3]), torch.DoubleTensor([2, 2])).tolist()
    /// [1.5, 2.5]
    #[pyo3(name = "addcdiv", signature = (*args))]
    fn m_addcdiv(slf: &Bound<'_, Self>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        addc_method(slf, true, args)
    }
}

// ------------------------------------------------------------------------------------ compare

fn flipped(op: Compare) -> Compare {
    match op {
        Compare::Lt => Compare::Gt,
        Compare::Le => Compare::Ge,
        Compare::Gt => Compare::Lt,
        Compare::Ge => Compare::Le,
        other => other,
    }
}

fn compare_apply(
    py: Python<'_>,
    op: Compare,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let what = op.name();
    let (op, at, bo) = match as_tensor(a) {
        Some(t) => (op, t, operand(b, what)?),
        None => (flipped(op), tensor(b, what)?, Operand::Scalar(number(a, what)?)),
    };
    let (dtype, sizes) = pw::result_shape(&[&Operand::Tensor(at.clone()), &bo], what).py()?;
    let out_type = match out.and_then(as_tensor) {
        Some(o) if o.dtype() == dtype => dtype,
        _ => DType::Byte,
    };
    let d = result_tensor(out, out_type, &sizes)?;
    run(py, numel(&sizes), || pw::compare_into(op, &at, &bo, &d))?;
    finish(py, out, d)
}

macro_rules! compare_fns {
    ($($fname:ident, $mname:ident, $name:literal, $op:ident, $doc:literal;)*) => {
        $(
            #[doc = $doc]
            #[pyfunction]
            #[pyo3(name = $name, signature = (a, b, *, out = None))]
            fn $fname(
                py: Python<'_>,
                a: &Bound<'_, PyAny>,
                b: &Bound<'_, PyAny>,
                out: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<Py<PyAny>> {
                compare_apply(py, Compare::$op, a, b, out)
            }

            #[pymethods]
            impl PyTensor {
                #[doc = $doc]
                #[pyo3(name = $name, signature = (*args))]
                fn $mname(slf: &Bound<'_, Self>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
                    let py = slf.py();
                    match args.len() {
                        1 => compare_apply(py, Compare::$op, slf.as_any(), &args.get_item(0)?, None),
                        2 => compare_apply(py, Compare::$op, &args.get_item(0)?, &args.get_item(1)?, Some(slf.as_any())),
                        n => Err(PyTypeError::new_err(format!(
                            "{}: the method takes (other) for a new mask, or (a, b) to fill this tensor; got {n} arguments",
                            $name
                        ))),
                    }
                }
            }
        )*

        fn register_compare(m: &Bound<'_, PyModule>) -> PyResult<()> {
            $(m.add_function(wrap_pyfunction!($fname, m)?)?;)*
            Ok(())
        }
    };
}

/// all(x) -> True when every element of the ByteTensor x is non-zero
///
/// ByteTensor only (TypeError otherwise; compare first, e.g. x.gt(0)); all of an empty tensor
/// is True. Also the method x.all().
///
/// >>> import ferrotorch as torch
/// >>> torch.all(torch.ByteTensor([1, 2])), torch.ByteTensor([1, 0]).all()
/// (True, False)
#[pyfunction]
#[pyo3(name = "all")]
fn f_all(x: &Bound<'_, PyAny>) -> PyResult<bool> {
    pw::all_any(&tensor(x, "all")?, false).py()
}

/// any(x) -> True when some element of the ByteTensor x is non-zero
///
/// ByteTensor only (TypeError otherwise); any of an empty tensor is False. Also the method
/// x.any().
///
/// >>> import ferrotorch as torch
/// >>> torch.any(torch.ByteTensor([0, 3])), torch.ByteTensor([0, 0]).any()
/// (True, False)
#[pyfunction]
#[pyo3(name = "any")]
fn f_any(x: &Bound<'_, PyAny>) -> PyResult<bool> {
    pw::all_any(&tensor(x, "any")?, true).py()
}

/// equal(a, b) -> True when a and b have the same sizes and equal elements
///
/// The tensors must share a type (TypeError otherwise); NaN equals nothing. Also a.equal(b).
///
/// >>> import ferrotorch as torch
/// >>> a = torch.DoubleTensor([[1, 2], [3, 4]])
/// >>> torch.equal(a, a.clone()), a.equal(a.t()), a.equal(torch.DoubleTensor([1, 2, 3, 4]))
/// (True, False, False)
#[pyfunction]
#[pyo3(name = "equal")]
fn f_equal(a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>) -> PyResult<bool> {
    pw::equal(&tensor(a, "equal")?, &tensor(b, "equal")?).py()
}

#[pymethods]
impl PyTensor {
    /// all() -> True when every element of this ByteTensor is non-zero
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor([1, 2]).gt(0).all()
    /// True
    #[pyo3(name = "all")]
    fn m_all(&self) -> PyResult<bool> {
        pw::all_any(&self.get(), false).py()
    }

    /// any() -> True when some element of this ByteTensor is non-zero
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor([1, 2]).gt(1.5).any()
    /// True
    #[pyo3(name = "any")]
    fn m_any(&self) -> PyResult<bool> {
        pw::all_any(&self.get(), true).py()
    }

    /// equal(other) -> True when other has the same sizes and equal elements
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.IntTensor([1, 2]).equal(torch.IntTensor([1, 2]))
    /// True
    #[pyo3(name = "equal")]
    fn m_equal(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        pw::equal(&self.get(), &tensor(other, "equal")?).py()
    }
}

// ------------------------------------------------------------------------------------ operators

/// `None` when `o` is neither a tensor nor a number (the operator then returns NotImplemented).
fn operator_operand(o: &Bound<'_, PyAny>) -> Option<Operand> {
    if let Some(t) = as_tensor(o) {
        return Some(Operand::Tensor(t));
    }
    if is_int(o) || o.is_instance_of::<pyo3::types::PyFloat>() || o.is_instance_of::<pyo3::types::PyBool>() {
        return scalar(o).ok().map(Operand::Scalar);
    }
    // Other number types (numpy scalars), but not arrays or sequences: those have a length.
    let numeric = o.hasattr("__index__").unwrap_or(false) || o.hasattr("__float__").unwrap_or(false);
    if numeric && !o.hasattr("__len__").unwrap_or(true) {
        return scalar(o).ok().map(Operand::Scalar);
    }
    None
}

fn operator(
    slf: &Bound<'_, PyTensor>,
    other: &Bound<'_, PyAny>,
    op: Binary,
    reflected: bool,
) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let Some(o) = operator_operand(other) else {
        return Ok(py.NotImplemented());
    };
    let me = Operand::Tensor(slf.get().get());
    let (a, b) = if reflected { (o, me) } else { (me, o) };
    binary_apply(py, op, op_name(op), &a, &b, Dst::Out(None))
}

fn op_name(op: Binary) -> &'static str {
    match op {
        Binary::Add => "+",
        Binary::Sub => "-",
        Binary::Mul => "*",
        Binary::Div => "/",
        Binary::Remainder => "%",
        Binary::Pow => "**",
        other => other.name(),
    }
}

fn in_place(slf: &Bound<'_, PyTensor>, other: &Bound<'_, PyAny>, op: Binary) -> PyResult<()> {
    let py = slf.py();
    let Some(o) = operator_operand(other) else {
        return Err(PyTypeError::new_err(format!(
            "unsupported operand type for {}=: {} and {}",
            op_name(op),
            type_name(slf.as_any()),
            type_name(other)
        )));
    };
    let me = Operand::Tensor(slf.get().get());
    binary_apply(py, op, op_name(op), &me, &o, Dst::InPlace(slf)).map(|_| ())
}

const FLOORDIV: &str = "// is not defined for tensors: use torch.div (truncating on integer types) or \
                        torch.floor(a / b) for floats";

#[pymethods]
impl PyTensor {
    fn __add__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(slf, other, Binary::Add, false)
    }
    fn __radd__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(slf, other, Binary::Add, true)
    }
    fn __sub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(slf, other, Binary::Sub, false)
    }
    fn __rsub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(slf, other, Binary::Sub, true)
    }
    fn __mul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(slf, other, Binary::Mul, false)
    }
    fn __rmul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(slf, other, Binary::Mul, true)
    }
    fn __truediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(slf, other, Binary::Div, false)
    }
    fn __rtruediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(slf, other, Binary::Div, true)
    }
    fn __mod__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(slf, other, Binary::Remainder, false)
    }
    fn __rmod__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        operator(slf, other, Binary::Remainder, true)
    }
    fn __pow__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        operator(slf, other, Binary::Pow, false)
    }
    fn __rpow__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        operator(slf, other, Binary::Pow, true)
    }
    fn __floordiv__(&self, _other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        Err(PyTypeError::new_err(FLOORDIV))
    }
    fn __rfloordiv__(&self, _other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        Err(PyTypeError::new_err(FLOORDIV))
    }
    fn __ifloordiv__(&self, _other: &Bound<'_, PyAny>) -> PyResult<()> {
        Err(PyTypeError::new_err(FLOORDIV))
    }
    fn __iadd__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(slf, other, Binary::Add)
    }
    fn __isub__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(slf, other, Binary::Sub)
    }
    fn __imul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(slf, other, Binary::Mul)
    }
    fn __itruediv__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(slf, other, Binary::Div)
    }
    fn __imod__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        in_place(slf, other, Binary::Remainder)
    }
    fn __ipow__(
        slf: &Bound<'_, Self>,
        other: &Bound<'_, PyAny>,
        _modulo: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        in_place(slf, other, Binary::Pow)
    }
    fn __neg__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        unary_apply(slf.py(), Unary::Neg, &slf.get().get(), Dst::Out(None))
    }
    fn __abs__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        unary_apply(slf.py(), Unary::Abs, &slf.get().get(), Dst::Out(None))
    }
    fn __pos__(slf: &Bound<'_, Self>) -> Py<PyAny> {
        slf.clone().into_any().unbind()
    }
    fn __richcmp__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        if operator_operand(other).is_none() {
            return Ok(py.NotImplemented());
        }
        let c = match op {
            CompareOp::Lt => Compare::Lt,
            CompareOp::Le => Compare::Le,
            CompareOp::Gt => Compare::Gt,
            CompareOp::Ge => Compare::Ge,
            CompareOp::Eq => Compare::Eq,
            CompareOp::Ne => Compare::Ne,
        };
        compare_apply(py, c, slf.as_any(), other, None)
    }
}

// BEGIN GENERATED
// Generated tables: name, Op and docstring of each function.
unary_fns! {
    f_abs, m_abs, "abs", Abs, "abs(x, out=None) -> |x| element-wise

Computes |x|, element by element, for every math type; HalfTensor raises TypeError. x.abs() changes x in place and returns it; z.abs(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([-1.5, 2])
>>> torch.abs(x).tolist()
[1.5, 2.0]
>>> x.abs() is x
True
>>> torch.abs(-3)
3";
    f_sign, m_sign, "sign", Sign, "sign(x, out=None) -> the sign of x element-wise

Computes the sign of x: 1, -1 or 0 (ByteTensor: 1 when x > 0, else 0; NaN gives 0), element by element, for every math type; HalfTensor raises TypeError. x.sign() changes x in place and returns it; z.sign(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([-2, 0, 3])
>>> torch.sign(x).tolist()
[-1.0, 0.0, 1.0]
>>> x.sign() is x
True
>>> torch.sign(-7.5)
-1.0";
    f_neg, m_neg, "neg", Neg, "neg(x, out=None) -> -x element-wise

Computes -x (integer types wrap; Torch7 had it for Float/Double only), element by element, for every math type; HalfTensor raises TypeError. x.neg() changes x in place and returns it; z.neg(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([1.5, -2])
>>> torch.neg(x).tolist()
[-1.5, 2.0]
>>> x.neg() is x
True
>>> torch.neg(4)
-4";
    f_cinv, m_cinv, "cinv", Cinv, "cinv(x, out=None) -> 1/x element-wise

Computes 1/x, element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.cinv() changes x in place and returns it; z.cinv(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([2, -4])
>>> torch.cinv(x).tolist()
[0.5, -0.25]
>>> x.cinv() is x
True
>>> torch.cinv(4)
0.25";
    f_exp, m_exp, "exp", Exp, "exp(x, out=None) -> e^x element-wise

Computes e^x (f32/f64: a vectorised range reduction + polynomial, within 1 ulp of the correctly rounded value), element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.exp() changes x in place and returns it; z.exp(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([0, 1])
>>> [round(v, 4) for v in torch.exp(x).tolist()]
[1.0, 2.7183]
>>> x.exp() is x
True
>>> round(torch.exp(1), 6)
2.718282";
    f_log, m_log, "log", Log, "log(x, out=None) -> the natural logarithm of x element-wise

Computes the natural logarithm of x (f32/f64: a vectorised reduction to [sqrt(2)/2, sqrt(2)) + polynomial, within 1 ulp of the correctly rounded value), element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.log() changes x in place and returns it; z.log(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([1, 2])
>>> [round(v, 4) for v in torch.log(x).tolist()]
[0.0, 0.6931]
>>> x.log() is x
True
>>> round(torch.log(2), 6)
0.693147";
    f_log1p, m_log1p, "log1p", Log1p, "log1p(x, out=None) -> log(1 + x), accurate for small x element-wise

Computes log(1 + x), accurate for small x, element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.log1p() changes x in place and returns it; z.log1p(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([0, 1])
>>> [round(v, 4) for v in torch.log1p(x).tolist()]
[0.0, 0.6931]
>>> x.log1p() is x
True
>>> round(torch.log1p(1e-10), 6)
0.0";
    f_cos, m_cos, "cos", Cos, "cos(x, out=None) -> the cosine of x element-wise

Computes the cosine of x (radians), element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.cos() changes x in place and returns it; z.cos(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([0, 1])
>>> [round(v, 4) for v in torch.cos(x).tolist()]
[1.0, 0.5403]
>>> x.cos() is x
True
>>> round(torch.cos(0), 6)
1.0";
    f_acos, m_acos, "acos", Acos, "acos(x, out=None) -> the arc cosine of x element-wise

Computes the arc cosine of x, element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.acos() changes x in place and returns it; z.acos(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([1, 0.5])
>>> [round(v, 4) for v in torch.acos(x).tolist()]
[0.0, 1.0472]
>>> x.acos() is x
True
>>> round(torch.acos(0), 6)
1.570796";
    f_cosh, m_cosh, "cosh", Cosh, "cosh(x, out=None) -> the hyperbolic cosine of x element-wise

Computes the hyperbolic cosine of x, element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.cosh() changes x in place and returns it; z.cosh(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([0, 1])
>>> [round(v, 4) for v in torch.cosh(x).tolist()]
[1.0, 1.5431]
>>> x.cosh() is x
True
>>> round(torch.cosh(0), 6)
1.0";
    f_sin, m_sin, "sin", Sin, "sin(x, out=None) -> the sine of x element-wise

Computes the sine of x (radians), element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.sin() changes x in place and returns it; z.sin(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([0, 1])
>>> [round(v, 4) for v in torch.sin(x).tolist()]
[0.0, 0.8415]
>>> x.sin() is x
True
>>> round(torch.sin(0), 6)
0.0";
    f_asin, m_asin, "asin", Asin, "asin(x, out=None) -> the arc sine of x element-wise

Computes the arc sine of x, element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.asin() changes x in place and returns it; z.asin(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([0, 0.5])
>>> [round(v, 4) for v in torch.asin(x).tolist()]
[0.0, 0.5236]
>>> x.asin() is x
True
>>> round(torch.asin(1), 6)
1.570796";
    f_sinh, m_sinh, "sinh", Sinh, "sinh(x, out=None) -> the hyperbolic sine of x element-wise

Computes the hyperbolic sine of x, element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.sinh() changes x in place and returns it; z.sinh(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([0, 1])
>>> [round(v, 4) for v in torch.sinh(x).tolist()]
[0.0, 1.1752]
>>> x.sinh() is x
True
>>> round(torch.sinh(0), 6)
0.0";
    f_tan, m_tan, "tan", Tan, "tan(x, out=None) -> the tangent of x element-wise

Computes the tangent of x (radians), element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.tan() changes x in place and returns it; z.tan(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([0, 1])
>>> [round(v, 4) for v in torch.tan(x).tolist()]
[0.0, 1.5574]
>>> x.tan() is x
True
>>> round(torch.tan(0), 6)
0.0";
    f_atan, m_atan, "atan", Atan, "atan(x, out=None) -> the arc tangent of x element-wise

Computes the arc tangent of x, element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.atan() changes x in place and returns it; z.atan(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([0, 1])
>>> [round(v, 4) for v in torch.atan(x).tolist()]
[0.0, 0.7854]
>>> x.atan() is x
True
>>> round(torch.atan(1), 6)
0.785398";
    f_tanh, m_tanh, "tanh", Tanh, "tanh(x, out=None) -> the hyperbolic tangent of x element-wise

Computes the hyperbolic tangent of x, element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.tanh() changes x in place and returns it; z.tanh(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([0, 1])
>>> [round(v, 4) for v in torch.tanh(x).tolist()]
[0.0, 0.7616]
>>> x.tanh() is x
True
>>> round(torch.tanh(0), 6)
0.0";
    f_sqrt, m_sqrt, "sqrt", Sqrt, "sqrt(x, out=None) -> the square root of x element-wise

Computes the square root of x (NaN below 0), element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.sqrt() changes x in place and returns it; z.sqrt(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([4, 2])
>>> torch.sqrt(x).tolist()
[2.0, 1.4142135623730951]
>>> x.sqrt() is x
True
>>> torch.sqrt(9)
3.0";
    f_rsqrt, m_rsqrt, "rsqrt", Rsqrt, "rsqrt(x, out=None) -> 1/sqrt(x) element-wise

Computes 1/sqrt(x), element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.rsqrt() changes x in place and returns it; z.rsqrt(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([4, 2])
>>> [round(v, 4) for v in torch.rsqrt(x).tolist()]
[0.5, 0.7071]
>>> x.rsqrt() is x
True
>>> torch.rsqrt(4)
0.5";
    f_sigmoid, m_sigmoid, "sigmoid", Sigmoid, "sigmoid(x, out=None) -> 1/(1 + e^-x) element-wise

Computes 1/(1 + e^-x), element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.sigmoid() changes x in place and returns it; z.sigmoid(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([0, 2])
>>> [round(v, 4) for v in torch.sigmoid(x).tolist()]
[0.5, 0.8808]
>>> x.sigmoid() is x
True
>>> round(torch.sigmoid(0), 6)
0.5";
    f_round, m_round, "round", Round, "round(x, out=None) -> x rounded to the nearest integer, halves away from zero element-wise

Computes x rounded to the nearest integer, halves away from zero (C round), element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.round() changes x in place and returns it; z.round(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([-2.5, 0.5, 1.4])
>>> torch.round(x).tolist()
[-3.0, 1.0, 1.0]
>>> x.round() is x
True
>>> torch.round(2.5)
3.0";
    f_ceil, m_ceil, "ceil", Ceil, "ceil(x, out=None) -> the smallest integer >= x element-wise

Computes the smallest integer >= x, element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.ceil() changes x in place and returns it; z.ceil(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([-1.5, 1.2])
>>> torch.ceil(x).tolist()
[-1.0, 2.0]
>>> x.ceil() is x
True
>>> torch.ceil(1.2)
2.0";
    f_floor, m_floor, "floor", Floor, "floor(x, out=None) -> the largest integer <= x element-wise

Computes the largest integer <= x, element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.floor() changes x in place and returns it; z.floor(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([-1.5, 1.2])
>>> torch.floor(x).tolist()
[-2.0, 1.0]
>>> x.floor() is x
True
>>> torch.floor(1.2)
1.0";
    f_trunc, m_trunc, "trunc", Trunc, "trunc(x, out=None) -> x rounded toward zero element-wise

Computes x rounded toward zero, element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.trunc() changes x in place and returns it; z.trunc(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([-1.5, 1.7])
>>> torch.trunc(x).tolist()
[-1.0, 1.0]
>>> x.trunc() is x
True
>>> torch.trunc(-1.7)
-1.0";
    f_frac, m_frac, "frac", Frac, "frac(x, out=None) -> the fractional part x - trunc(x) element-wise

Computes the fractional part x - trunc(x), element by element, for Float/Double only (TypeError for integer types); HalfTensor raises TypeError. x.frac() changes x in place and returns it; z.frac(x) puts the result in z (resized). A Python number gives a Python number.

>>> import ferrotorch as torch
>>> x = torch.DoubleTensor([-1.5, 2.25])
>>> torch.frac(x).tolist()
[-0.5, 0.25]
>>> x.frac() is x
True
>>> torch.frac(2.25)
0.25";
}

binary_fns! {
    f_mul, m_mul, "mul", Mul, "mul(a, b, out=None) -> x * value element-wise

Element-wise product with a number (or, as cmul, a tensor). Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.mul(b) changes x in place and returns it; z.mul(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.mul(torch.DoubleTensor([1, 2]), 3).tolist()
[3.0, 6.0]
>>> torch.IntTensor([1, 2]).mul(2.9).tolist()  # 2.9 is cast to 2
[2, 4]
>>> x = torch.DoubleTensor([4, 9])
>>> x.mul(2) is x
True";
    f_div, m_div, "div", Div, "div(a, b, out=None) -> x / value element-wise

Element-wise quotient; integer types divide in C, truncating toward zero, and dividing by 0 raises ZeroDivisionError. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.div(b) changes x in place and returns it; z.div(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.div(torch.DoubleTensor([1, -3]), 2).tolist()
[0.5, -1.5]
>>> torch.div(torch.IntTensor([7, -7]), 2).tolist()
[3, -3]
>>> x = torch.DoubleTensor([4, 9])
>>> x.div(2) is x
True";
    f_cmul, m_cmul, "cmul", Mul, "cmul(a, b, out=None) -> x * y element-wise

Element-wise product of two tensors (broadcasting as numpy); a number is accepted too. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.cmul(b) changes x in place and returns it; z.cmul(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.cmul(torch.DoubleTensor([1, 2]), torch.DoubleTensor([3, 4])).tolist()
[3.0, 8.0]
>>> torch.cmul(torch.DoubleTensor([[1], [2]]), torch.DoubleTensor([1, 10])).tolist()
[[1.0, 10.0], [2.0, 20.0]]
>>> x = torch.DoubleTensor([4, 9])
>>> x.cmul(x) is x
True";
    f_cdiv, m_cdiv, "cdiv", Div, "cdiv(a, b, out=None) -> x / y element-wise

Element-wise quotient of two tensors; integer types truncate toward zero and a zero divisor raises ZeroDivisionError. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.cdiv(b) changes x in place and returns it; z.cdiv(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.cdiv(torch.DoubleTensor([1, 3]), torch.DoubleTensor([2, 4])).tolist()
[0.5, 0.75]
>>> torch.cdiv(torch.LongTensor([-7]), torch.LongTensor([2])).tolist()
[-3]
>>> x = torch.DoubleTensor([4, 9])
>>> x.cdiv(x) is x
True";
    f_pow, m_pow, "pow", Pow, "pow(a, b, out=None) -> x ^ n, n ^ x element-wise

x to the power n (a number), or, with the number first, n to the power of each element (Torch7's tpow). Integer types use exact integer powers (wrapping). Two numbers give a number. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.pow(b) changes x in place and returns it; z.pow(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.pow(torch.DoubleTensor([1, 2, 3]), 2).tolist()
[1.0, 4.0, 9.0]
>>> torch.pow(2, torch.DoubleTensor([0, 3])).tolist()
[1.0, 8.0]
>>> torch.pow(2, 10)
1024.0
>>> x = torch.DoubleTensor([4, 9])
>>> x.pow(2) is x
True";
    f_cpow, m_cpow, "cpow", Pow, "cpow(a, b, out=None) -> x ^ y element-wise

Element-wise power of two tensors (broadcasting). Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.cpow(b) changes x in place and returns it; z.cpow(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.cpow(torch.DoubleTensor([2, 3]), torch.DoubleTensor([3, 2])).tolist()
[8.0, 9.0]
>>> torch.cpow(torch.IntTensor([2, -3]), torch.IntTensor([10, 3])).tolist()
[1024, -27]
>>> x = torch.DoubleTensor([4, 9])
>>> x.cpow(x) is x
True";
    f_fmod, m_fmod, "fmod", Fmod, "fmod(a, b, out=None) -> fmod(x, value) element-wise

C's fmod: the remainder of truncating division, with the sign of the dividend x. Integer modulo by 0 raises ZeroDivisionError. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.fmod(b) changes x in place and returns it; z.fmod(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.fmod(torch.DoubleTensor([-7, 7]), 3).tolist()
[-1.0, 1.0]
>>> torch.fmod(torch.IntTensor([-7, 7]), 3).tolist()
[-1, 1]
>>> x = torch.DoubleTensor([4, 9])
>>> x.fmod(2) is x
True";
    f_mod, m_mod, "mod", Fmod, "mod(a, b, out=None) -> fmod(x, value) element-wise

Torch7's deprecated alias of fmod (the sign of the dividend). Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.mod(b) changes x in place and returns it; z.mod(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.mod(torch.DoubleTensor([-7, 7]), 3).tolist()
[-1.0, 1.0]
>>> x = torch.DoubleTensor([4, 9])
>>> x.mod(2) is x
True";
    f_remainder, m_remainder, "remainder", Remainder, "remainder(a, b, out=None) -> x - value*floor(x/value) element-wise

Floor modulo: the result has the sign of the divisor (Python's %). A float divisor 0 gives NaN; integer modulo by 0 raises ZeroDivisionError. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.remainder(b) changes x in place and returns it; z.remainder(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.remainder(torch.DoubleTensor([-7, 7]), 3).tolist()
[2.0, 1.0]
>>> torch.remainder(torch.IntTensor([-7, 7]), -3).tolist()
[-1, -2]
>>> x = torch.DoubleTensor([4, 9])
>>> x.remainder(2) is x
True";
    f_cfmod, m_cfmod, "cfmod", Fmod, "cfmod(a, b, out=None) -> fmod(x, y) element-wise

Element-wise fmod of two tensors (sign of the dividend). Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.cfmod(b) changes x in place and returns it; z.cfmod(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.cfmod(torch.DoubleTensor([-7, 7]), torch.DoubleTensor([3, -3])).tolist()
[-1.0, 1.0]
>>> x = torch.DoubleTensor([4, 9])
>>> x.cfmod(x) is x
True";
    f_cmod, m_cmod, "cmod", Fmod, "cmod(a, b, out=None) -> fmod(x, y) element-wise

Torch7's alias of cfmod. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.cmod(b) changes x in place and returns it; z.cmod(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.cmod(torch.IntTensor([-7, 7]), torch.IntTensor([3, 3])).tolist()
[-1, 1]
>>> x = torch.DoubleTensor([4, 9])
>>> x.cmod(x) is x
True";
    f_cremainder, m_cremainder, "cremainder", Remainder, "cremainder(a, b, out=None) -> x - y*floor(x/y) element-wise

Element-wise floor modulo of two tensors (sign of the divisor). Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.cremainder(b) changes x in place and returns it; z.cremainder(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.cremainder(torch.DoubleTensor([-7, 7]), torch.DoubleTensor([3, -3])).tolist()
[2.0, -2.0]
>>> x = torch.DoubleTensor([4, 9])
>>> x.cremainder(x) is x
True";
    f_atan2, m_atan2, "atan2", Atan2, "atan2(a, b, out=None) -> atan2(y, x) element-wise

The angle of the point (x, y), element-wise (Float/Double); two numbers give a number. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.atan2(b) changes x in place and returns it; z.atan2(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> [round(v, 4) for v in torch.atan2(torch.DoubleTensor([1, 0]), torch.DoubleTensor([1, -1])).tolist()]
[0.7854, 3.1416]
>>> round(torch.atan2(1, 1), 4)
0.7854
>>> x = torch.DoubleTensor([4, 9])
>>> x.atan2(x) is x
True";
    f_lshift, m_lshift, "lshift", Lshift, "lshift(a, b, out=None) -> x << value element-wise

Left shift of each element (integer types shift the same-width unsigned value, wrapping; the shift count is taken modulo the bit width). Float types multiply by 2^value. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.lshift(b) changes x in place and returns it; z.lshift(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.lshift(torch.IntTensor([1, 3]), 2).tolist()
[4, 12]
>>> torch.lshift(torch.DoubleTensor([1.5]), 1).tolist()
[3.0]
>>> x = torch.DoubleTensor([4, 9])
>>> x.lshift(2) is x
True";
    f_rshift, m_rshift, "rshift", Rshift, "rshift(a, b, out=None) -> x >> value element-wise

Right shift of each element; signed integer types shift logically, as the same-width unsigned value (Torch7: rshift(IntTensor{-7}, 1) = 2147483644). Float types divide by 2^value. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.rshift(b) changes x in place and returns it; z.rshift(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.rshift(torch.IntTensor([12, -7]), 1).tolist()
[6, 2147483644]
>>> torch.rshift(torch.DoubleTensor([3]), 1).tolist()
[1.5]
>>> x = torch.DoubleTensor([4, 9])
>>> x.rshift(2) is x
True";
    f_clshift, m_clshift, "clshift", Lshift, "clshift(a, b, out=None) -> x << y element-wise

Element-wise left shift by the elements of y (see lshift). Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.clshift(b) changes x in place and returns it; z.clshift(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.clshift(torch.IntTensor([1, 1]), torch.IntTensor([1, 4])).tolist()
[2, 16]
>>> x = torch.DoubleTensor([4, 9])
>>> x.clshift(x) is x
True";
    f_crshift, m_crshift, "crshift", Rshift, "crshift(a, b, out=None) -> x >> y element-wise

Element-wise logical right shift by the elements of y (see rshift). Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.crshift(b) changes x in place and returns it; z.crshift(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.crshift(torch.IntTensor([16, 16]), torch.IntTensor([1, 4])).tolist()
[8, 1]
>>> x = torch.DoubleTensor([4, 9])
>>> x.crshift(x) is x
True";
    f_bitand, m_bitand, "bitand", Bitand, "bitand(a, b, out=None) -> x & value element-wise

Bitwise and with a number; integer types only (TypeError for Float/Double, as Torch7 refused them). Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.bitand(b) changes x in place and returns it; z.bitand(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.bitand(torch.IntTensor([12, 10]), 6).tolist()
[4, 2]
>>> x = torch.IntTensor([4, 9])
>>> x.bitand(2) is x
True";
    f_bitor, m_bitor, "bitor", Bitor, "bitor(a, b, out=None) -> x | value element-wise

Bitwise or with a number; integer types only. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.bitor(b) changes x in place and returns it; z.bitor(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.bitor(torch.IntTensor([12, 10]), 1).tolist()
[13, 11]
>>> x = torch.IntTensor([4, 9])
>>> x.bitor(2) is x
True";
    f_bitxor, m_bitxor, "bitxor", Bitxor, "bitxor(a, b, out=None) -> x ^ value element-wise

Bitwise exclusive or with a number; integer types only. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.bitxor(b) changes x in place and returns it; z.bitxor(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.bitxor(torch.IntTensor([12, 10]), 6).tolist()
[10, 12]
>>> x = torch.IntTensor([4, 9])
>>> x.bitxor(2) is x
True";
    f_cbitand, m_cbitand, "cbitand", Bitand, "cbitand(a, b, out=None) -> x & y element-wise

Element-wise bitwise and of two integer tensors. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.cbitand(b) changes x in place and returns it; z.cbitand(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.cbitand(torch.ByteTensor([12, 10]), torch.ByteTensor([6, 3])).tolist()
[4, 2]
>>> x = torch.IntTensor([4, 9])
>>> x.cbitand(x) is x
True";
    f_cbitor, m_cbitor, "cbitor", Bitor, "cbitor(a, b, out=None) -> x | y element-wise

Element-wise bitwise or of two integer tensors. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.cbitor(b) changes x in place and returns it; z.cbitor(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.cbitor(torch.ByteTensor([12, 10]), torch.ByteTensor([6, 3])).tolist()
[14, 11]
>>> x = torch.IntTensor([4, 9])
>>> x.cbitor(x) is x
True";
    f_cbitxor, m_cbitxor, "cbitxor", Bitxor, "cbitxor(a, b, out=None) -> x ^ y element-wise

Element-wise bitwise exclusive or of two integer tensors. Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.cbitxor(b) changes x in place and returns it; z.cbitxor(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.cbitxor(torch.ByteTensor([12, 10]), torch.ByteTensor([6, 3])).tolist()
[10, 9]
>>> x = torch.IntTensor([4, 9])
>>> x.cbitxor(x) is x
True";
    f_cmax, m_cmax, "cmax", Max, "cmax(a, b, out=None) -> max(x, y) element-wise

Element-wise maximum with a tensor or a number (Torch7's x > y ? x : y, so a NaN in y is taken and a NaN in x is not). Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.cmax(b) changes x in place and returns it; z.cmax(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.cmax(torch.DoubleTensor([1, 5]), torch.DoubleTensor([3, 2])).tolist()
[3.0, 5.0]
>>> torch.cmax(torch.IntTensor([1, 5]), 4).tolist()
[4, 5]
>>> x = torch.DoubleTensor([4, 9])
>>> x.cmax(x) is x
True";
    f_cmin, m_cmin, "cmin", Min, "cmin(a, b, out=None) -> min(x, y) element-wise

Element-wise minimum with a tensor or a number (x < y ? x : y). Tensor operands broadcast (numpy rules) and share a type; a number takes the tensor's type. x.cmin(b) changes x in place and returns it; z.cmin(a, b) puts the result in z (resized).

>>> import ferrotorch as torch
>>> torch.cmin(torch.DoubleTensor([1, 5]), torch.DoubleTensor([3, 2])).tolist()
[1.0, 2.0]
>>> torch.cmin(torch.IntTensor([1, 5]), 4).tolist()
[1, 4]
>>> x = torch.DoubleTensor([4, 9])
>>> x.cmin(x) is x
True";
}

compare_fns! {
    f_lt, m_lt, "lt", Lt, "lt(a, b, out=None) -> ByteTensor of (a < b) element-wise

1 where a < b holds, else 0; b is a number (cast to a's type) or a tensor of a's type, broadcasting. out= may be a ByteTensor or a tensor of a's type (0/1 in that type). a.lt(b) returns a new mask; z.lt(a, b) fills z. NaN compares unequal to everything. The operator a < b gives the same mask.

>>> import ferrotorch as torch
>>> a = torch.DoubleTensor([1, 2, 3])
>>> torch.lt(a, 2).tolist(), a.lt(torch.DoubleTensor([3, 2, 1])).tolist()
([1, 0, 0], [1, 0, 0])
>>> (a < 2).type()
'torch.ByteTensor'
>>> torch.lt(a, 2, out=torch.DoubleTensor()).tolist()
[1.0, 0.0, 0.0]";
    f_le, m_le, "le", Le, "le(a, b, out=None) -> ByteTensor of (a <= b) element-wise

1 where a <= b holds, else 0; b is a number (cast to a's type) or a tensor of a's type, broadcasting. out= may be a ByteTensor or a tensor of a's type (0/1 in that type). a.le(b) returns a new mask; z.le(a, b) fills z. NaN compares unequal to everything. The operator a <= b gives the same mask.

>>> import ferrotorch as torch
>>> a = torch.DoubleTensor([1, 2, 3])
>>> torch.le(a, 2).tolist(), a.le(torch.DoubleTensor([3, 2, 1])).tolist()
([1, 1, 0], [1, 1, 0])
>>> (a <= 2).type()
'torch.ByteTensor'
>>> torch.le(a, 2, out=torch.DoubleTensor()).tolist()
[1.0, 1.0, 0.0]";
    f_gt, m_gt, "gt", Gt, "gt(a, b, out=None) -> ByteTensor of (a > b) element-wise

1 where a > b holds, else 0; b is a number (cast to a's type) or a tensor of a's type, broadcasting. out= may be a ByteTensor or a tensor of a's type (0/1 in that type). a.gt(b) returns a new mask; z.gt(a, b) fills z. NaN compares unequal to everything. The operator a > b gives the same mask.

>>> import ferrotorch as torch
>>> a = torch.DoubleTensor([1, 2, 3])
>>> torch.gt(a, 2).tolist(), a.gt(torch.DoubleTensor([3, 2, 1])).tolist()
([0, 0, 1], [0, 0, 1])
>>> (a > 2).type()
'torch.ByteTensor'
>>> torch.gt(a, 2, out=torch.DoubleTensor()).tolist()
[0.0, 0.0, 1.0]";
    f_ge, m_ge, "ge", Ge, "ge(a, b, out=None) -> ByteTensor of (a >= b) element-wise

1 where a >= b holds, else 0; b is a number (cast to a's type) or a tensor of a's type, broadcasting. out= may be a ByteTensor or a tensor of a's type (0/1 in that type). a.ge(b) returns a new mask; z.ge(a, b) fills z. NaN compares unequal to everything. The operator a >= b gives the same mask.

>>> import ferrotorch as torch
>>> a = torch.DoubleTensor([1, 2, 3])
>>> torch.ge(a, 2).tolist(), a.ge(torch.DoubleTensor([3, 2, 1])).tolist()
([0, 1, 1], [0, 1, 1])
>>> (a >= 2).type()
'torch.ByteTensor'
>>> torch.ge(a, 2, out=torch.DoubleTensor()).tolist()
[0.0, 1.0, 1.0]";
    f_eq, m_eq, "eq", Eq, "eq(a, b, out=None) -> ByteTensor of (a == b) element-wise

1 where a == b holds, else 0; b is a number (cast to a's type) or a tensor of a's type, broadcasting. out= may be a ByteTensor or a tensor of a's type (0/1 in that type). a.eq(b) returns a new mask; z.eq(a, b) fills z. NaN compares unequal to everything. The operator a == b gives the same mask.

>>> import ferrotorch as torch
>>> a = torch.DoubleTensor([1, 2, 3])
>>> torch.eq(a, 2).tolist(), a.eq(torch.DoubleTensor([3, 2, 1])).tolist()
([0, 1, 0], [0, 1, 0])
>>> (a == 2).type()
'torch.ByteTensor'
>>> torch.eq(a, 2, out=torch.DoubleTensor()).tolist()
[0.0, 1.0, 0.0]";
    f_ne, m_ne, "ne", Ne, "ne(a, b, out=None) -> ByteTensor of (a != b) element-wise

1 where a != b holds, else 0; b is a number (cast to a's type) or a tensor of a's type, broadcasting. out= may be a ByteTensor or a tensor of a's type (0/1 in that type). a.ne(b) returns a new mask; z.ne(a, b) fills z. NaN compares unequal to everything. The operator a != b gives the same mask.

>>> import ferrotorch as torch
>>> a = torch.DoubleTensor([1, 2, 3])
>>> torch.ne(a, 2).tolist(), a.ne(torch.DoubleTensor([3, 2, 1])).tolist()
([1, 0, 1], [1, 0, 1])
>>> (a != 2).type()
'torch.ByteTensor'
>>> torch.ne(a, 2, out=torch.DoubleTensor()).tolist()
[1.0, 0.0, 1.0]";
}
// END GENERATED

/// Adds this area's functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    register_unary(m)?;
    register_binary(m)?;
    register_compare(m)?;
    for f in [
        wrap_pyfunction!(f_add, m)?,
        wrap_pyfunction!(f_csub, m)?,
        wrap_pyfunction!(f_clamp, m)?,
        wrap_pyfunction!(f_lerp, m)?,
        wrap_pyfunction!(f_addcmul, m)?,
        wrap_pyfunction!(f_addcdiv, m)?,
        wrap_pyfunction!(f_all, m)?,
        wrap_pyfunction!(f_any, m)?,
        wrap_pyfunction!(f_equal, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
