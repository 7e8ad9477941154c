//! Bindings for construction (group A), index/shape helpers (group B), random functions (group J)
//! and the Tensor.lua index / masked / apply methods. Argument parsing, type dispatch and GIL
//! release only; the work is in `ferrotorch::ops::construct`.

use crate::convert;
use crate::errors::IntoPyResult;
use crate::out::result_tensor;
use crate::random::{with_generator, PyGenerator};
use crate::tensor::{
    default_dtype, maybe_detach, require_math_type, split_generator, tensor_arg, wrap, PyTensor,
};
use ferrotorch::ops::construct as eng;
use ferrotorch::{DType, Generator, Scalar, Tensor};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple, PyType};

// ------------------------------------------------------------------ helpers

/// The function's result: copied into `out` (type-checked, resized) when given, else wrapped.
fn finish(py: Python<'_>, out: Option<&Bound<'_, PyAny>>, t: Tensor) -> PyResult<Py<PyAny>> {
    match out {
        None => wrap(py, t),
        Some(o) => {
            let dst = result_tensor(Some(o), t.dtype(), t.sizes())?;
            maybe_detach(py, t.numel(), || dst.copy_same_shape(&t)).py()?;
            Ok(o.clone().unbind())
        }
    }
}

fn is_type_name(a: &Bound<'_, PyAny>) -> bool {
    a.is_instance_of::<PyString>() || a.is_instance_of::<PyType>()
}

/// Torch7's dispatch for constructors: a trailing type name ('torch.FloatTensor' or the class),
/// else the type of `out`, else the default type. Removes the name from `args`.
fn ctor_dtype(
    args: &mut Vec<Bound<'_, PyAny>>,
    out: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<DType> {
    let d = if args.last().is_some_and(is_type_name) {
        let name = args.pop().ok_or_else(|| PyTypeError::new_err("missing type"))?;
        let plain = name.extract::<String>().ok().or_else(|| name.getattr("__name__").ok()?.extract().ok());
        if matches!(plain.as_deref(), Some("Tensor" | "torch.Tensor")) {
            default_dtype() // torch.Tensor names the default type
        } else {
            convert::dtype_of_name(&name)?
        }
    } else if let Some(o) = out {
        tensor_arg(o, "out=")?.dtype()
    } else {
        default_dtype()
    };
    if d == DType::Half {
        return Err(PyTypeError::new_err(format!(
            "{what} is not available for torch.HalfTensor; convert with .float()"
        )));
    }
    Ok(d)
}

fn sizes_of(py: Python<'_>, args: &[Bound<'_, PyAny>]) -> PyResult<Vec<usize>> {
    convert::sizes(&PyTuple::new(py, args)?)
}

fn f64_arg(a: Option<&Bound<'_, PyAny>>, default: f64) -> PyResult<f64> {
    a.map(|x| x.extract::<f64>()).transpose().map(|v| v.unwrap_or(default))
}

fn need_float_t(t: &Tensor, what: &str) -> PyResult<()> {
    require_math_type(t, what)?;
    if !matches!(t.dtype(), DType::Float | DType::Double) {
        return Err(PyTypeError::new_err(format!(
            "{what} is only available for torch.FloatTensor and torch.DoubleTensor, got {}",
            t.dtype().tensor_type_name()
        )));
    }
    Ok(())
}

fn float_dtype(d: DType, what: &str) -> PyResult<()> {
    if !matches!(d, DType::Float | DType::Double) {
        return Err(PyTypeError::new_err(format!(
            "{what} is only available for torch.FloatTensor and torch.DoubleTensor, got {}",
            d.tensor_type_name()
        )));
    }
    Ok(())
}

fn math_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Tensor> {
    let t = tensor_arg(obj, what)?;
    require_math_type(&t, what)?;
    Ok(t)
}

fn resize_self(slf: &Bound<'_, PyTensor>, sizes: &[usize]) -> PyResult<Tensor> {
    let mut t = slf.get().get();
    t.resize_(sizes).py()?;
    slf.get().put(t.clone());
    Ok(t)
}

/// Releases the GIL for a big random fill only with the thread's default generator: a
/// torch.Generator stays locked during the fill, and a second Python thread blocking on that
/// lock while holding the GIL would deadlock with this one waiting to take the GIL back.
fn detach_for_draws<R: Send>(
    py: Python<'_>,
    gen: Option<&Bound<'_, PyGenerator>>,
    numel: usize,
    f: impl FnOnce() -> R + Send,
) -> R {
    if gen.is_some() {
        f()
    } else {
        maybe_detach(py, numel, f)
    }
}

fn gen_err(r: Result<f64, String>) -> PyResult<f64> {
    r.map_err(PyValueError::new_err)
}

/// Checks distribution parameters once, before any element is drawn.
fn check_draw(gen: &mut Generator, f: impl Fn(&mut Generator) -> Result<f64, String>) -> PyResult<()> {
    // Checked on a copy so the real stream is not advanced.
    let mut probe = gen.clone();
    gen_err(f(&mut probe)).map(|_| ())
}

/// A 1-D LongTensor from a Python list of ints, or the tensor itself.
fn index_tensor(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Tensor> {
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let v: Vec<i64> = obj.extract()?;
        let n = v.len();
        return Tensor::from_slice(&v, &[n]).py();
    }
    tensor_arg(obj, what)
}

// ------------------------------------------------------------------ group A functions

fn filled(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    out: Option<&Bound<'_, PyAny>>,
    value: i64,
    what: &str,
) -> PyResult<Py<PyAny>> {
    let mut a: Vec<_> = args.iter().collect();
    let d = ctor_dtype(&mut a, out, what)?;
    let sizes = sizes_of(py, &a)?;
    let t = maybe_detach(py, sizes.iter().fold(1usize, |a, &b| a.saturating_mul(b)), || {
        Tensor::full(d, &sizes, Scalar::Int(value))
    })
    .py()?;
    finish(py, out, t)
}

/// zeros(sz1 [, sz2 ...] [, typename], out=None) -> a new tensor of zeros
///
/// Sizes are ints, a tuple/list or a LongStorage. The type is the default type
/// (torch.setdefaulttensortype), or out's type, or a trailing type name such as
/// 'torch.IntTensor' (Torch7's dispatch). x.zeros(sizes...) resizes x and fills it.
///
/// >>> import ferrotorch as torch
/// >>> torch.zeros(2, 3).tolist()
/// [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
/// >>> torch.zeros(2, 'torch.IntTensor').type()
/// 'torch.IntTensor'
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn zeros(py: Python<'_>, args: &Bound<'_, PyTuple>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    filled(py, args, out, 0, "zeros")
}

/// ones(sz1 [, sz2 ...] [, typename], out=None) -> a new tensor of ones
///
/// Same forms as zeros; x.ones(sizes...) resizes x and fills it with ones.
///
/// >>> import ferrotorch as torch
/// >>> torch.ones(2, 2).tolist()
/// [[1.0, 1.0], [1.0, 1.0]]
/// >>> torch.ones(torch.LongStorage([3]), out=torch.ByteTensor()).tolist()
/// [1, 1, 1]
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn ones(py: Python<'_>, args: &Bound<'_, PyTuple>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    filled(py, args, out, 1, "ones")
}

fn target_for(out: Option<&Bound<'_, PyAny>>, d: DType) -> PyResult<Tensor> {
    match out {
        Some(o) => {
            let t = tensor_arg(o, "out=")?;
            if t.dtype() != d {
                return Err(PyTypeError::new_err(format!(
                    "out= is a {} but the result is a {}",
                    t.dtype().tensor_type_name(),
                    d.tensor_type_name()
                )));
            }
            Ok(t)
        }
        None => Ok(Tensor::empty(d)),
    }
}

fn put_back(py: Python<'_>, out: Option<&Bound<'_, PyAny>>, t: Tensor) -> PyResult<Py<PyAny>> {
    match out {
        Some(o) => {
            o.cast::<PyTensor>()?.get().put(t);
            Ok(o.clone().unbind())
        }
        None => wrap(py, t),
    }
}

/// range(x, y [, step=1] [, typename], out=None) -> x, x+step, ... up to y inclusive
///
/// Torch7's torch.range: trunc((y-x)/step)+1 values x + i*step (y included when reached).
/// step must be non-zero and agree in sign with y-x. Integer types compute in integers
/// (arguments truncated). When out (or x in x.range(...)) already has that many elements it keeps
/// its shape and is filled in row-major order; otherwise it becomes 1-D. Torch7's name: it is not
/// Python's exclusive range.
///
/// >>> import ferrotorch as torch
/// >>> torch.range(1, 10, 3).tolist()
/// [1.0, 4.0, 7.0, 10.0]
/// >>> torch.range(5, 1, -2, 'torch.IntTensor').tolist()
/// [5, 3, 1]
/// >>> torch.DoubleTensor(2, 3).range(0, 5).tolist()
/// [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn range(py: Python<'_>, args: &Bound<'_, PyTuple>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let mut a: Vec<_> = args.iter().collect();
    let d = ctor_dtype(&mut a, out, "range")?;
    let mut t = target_for(out, d)?;
    range_into(py, &mut t, &a)?;
    put_back(py, out, t)
}

fn range_into(py: Python<'_>, t: &mut Tensor, a: &[Bound<'_, PyAny>]) -> PyResult<()> {
    if a.len() < 2 || a.len() > 3 {
        return Err(PyTypeError::new_err("range takes (x, y [, step])"));
    }
    let (x, y, s) = (f64_arg(a.first(), 0.0)?, f64_arg(a.get(1), 0.0)?, f64_arg(a.get(2), 1.0)?);
    let _ = py;
    t.range_(x, y, s).py()
}

fn space(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    out: Option<&Bound<'_, PyAny>>,
    log: bool,
) -> PyResult<Py<PyAny>> {
    let what = if log { "logspace" } else { "linspace" };
    let mut a: Vec<_> = args.iter().collect();
    let d = ctor_dtype(&mut a, out, what)?;
    float_dtype(d, what)?;
    let mut t = target_for(out, d)?;
    space_into(&mut t, &a, log)?;
    put_back(py, out, t)
}

fn space_into(t: &mut Tensor, a: &[Bound<'_, PyAny>], log: bool) -> PyResult<()> {
    if a.len() < 2 || a.len() > 3 {
        return Err(PyTypeError::new_err(if log {
            "logspace takes (a, b [, n=100])"
        } else {
            "linspace takes (a, b [, n=100])"
        }));
    }
    let n: i64 = a.get(2).map(|x| x.extract()).transpose()?.unwrap_or(100);
    t.linspace_(f64_arg(a.first(), 0.0)?, f64_arg(a.get(1), 0.0)?, n, log).py()
}

/// linspace(a, b [, n=100] [, typename], out=None) -> n points from a to b inclusive
///
/// Float/Double only. Values a + i*(b-a)/(n-1) computed in the tensor's type; n must be > 1
/// (or 1 with a == b). An out (or x in x.linspace(...)) with n elements keeps its shape.
///
/// >>> import ferrotorch as torch
/// >>> torch.linspace(0, 1, 5).tolist()
/// [0.0, 0.25, 0.5, 0.75, 1.0]
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn linspace(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    space(py, args, out, false)
}

/// logspace(a, b [, n=100] [, typename], out=None) -> n points from 10^a to 10^b
///
/// 10 ** linspace(a, b, n), Float/Double only, same rules as linspace.
///
/// >>> import ferrotorch as torch
/// >>> torch.logspace(0, 2, 3).tolist()
/// [1.0, 10.0, 100.0]
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn logspace(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    space(py, args, out, true)
}

fn eye_sizes(a: &[Bound<'_, PyAny>]) -> PyResult<(usize, usize)> {
    if a.is_empty() || a.len() > 2 {
        return Err(PyTypeError::new_err("eye takes (n [, m])"));
    }
    let n = convert::size_value(&a[0], "eye")?;
    let m: i64 = a.get(1).map(|x| x.extract()).transpose()?.unwrap_or(0);
    Ok((n, if m <= 0 { n } else { m as usize }))
}

/// eye(n [, m] [, typename], out=None) -> an n x m matrix with ones on the diagonal
///
/// m absent or <= 0 means n. x.eye(n, m) resizes x and fills it.
///
/// >>> import ferrotorch as torch
/// >>> torch.eye(2, 3).tolist()
/// [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn eye(py: Python<'_>, args: &Bound<'_, PyTuple>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let mut a: Vec<_> = args.iter().collect();
    let d = ctor_dtype(&mut a, out, "eye")?;
    let (n, m) = eye_sizes(&a)?;
    finish(py, out, Tensor::eye(d, n, m).py()?)
}

/// diag(x [, k=0], out=None) -> diagonal matrix of a 1-D x, or the k-th diagonal of a 2-D x
///
/// A 1-D x of n elements gives an (n+|k|) x (n+|k|) matrix with x on diagonal k (k > 0 above
/// the main diagonal); a 2-D x gives its k-th diagonal as a new 1-D tensor. Method forms:
/// x.diag(k) (x is the input) and r.diag(x, k) (the result goes into r).
///
/// >>> import ferrotorch as torch
/// >>> torch.diag(torch.Tensor([1, 2])).tolist()
/// [[1.0, 0.0], [0.0, 2.0]]
/// >>> torch.diag(torch.Tensor([[1, 2], [3, 4]]), 1).tolist()
/// [2.0]
#[pyfunction]
#[pyo3(signature = (x, k = 0, *, out = None))]
fn diag(py: Python<'_>, x: &Bound<'_, PyAny>, k: i64, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = math_arg(x, "diag")?;
    finish(py, out, t.diag(k).py()?)
}

/// tril(x [, k=0], out=None) -> a copy of the 2-D x with the elements above diagonal k zeroed
///
/// Keeps x[i][j] with j <= i + k. Method forms: x.tril(k), r.tril(x, k).
///
/// >>> import ferrotorch as torch
/// >>> torch.tril(torch.Tensor([[1, 2], [3, 4]])).tolist()
/// [[1.0, 0.0], [3.0, 4.0]]
#[pyfunction]
#[pyo3(signature = (x, k = 0, *, out = None))]
fn tril(py: Python<'_>, x: &Bound<'_, PyAny>, k: i64, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = math_arg(x, "tril")?;
    finish(py, out, maybe_detach(py, t.numel(), || t.triangle(k, false)).py()?)
}

/// triu(x [, k=0], out=None) -> a copy of the 2-D x with the elements below diagonal k zeroed
///
/// Keeps x[i][j] with j >= i + k. Method forms: x.triu(k), r.triu(x, k).
///
/// >>> import ferrotorch as torch
/// >>> torch.triu(torch.Tensor([[1, 2], [3, 4]]), 1).tolist()
/// [[0.0, 2.0], [0.0, 0.0]]
#[pyfunction]
#[pyo3(signature = (x, k = 0, *, out = None))]
fn triu(py: Python<'_>, x: &Bound<'_, PyAny>, k: i64, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = math_arg(x, "triu")?;
    finish(py, out, maybe_detach(py, t.numel(), || t.triangle(k, true)).py()?)
}

/// Tensors and the optional dim of cat's arguments: (x1, x2, ... [, dim]) or ([x1, ...] [, dim]).
fn cat_args(items: &[Bound<'_, PyAny>]) -> PyResult<(Vec<Tensor>, Option<i64>)> {
    let mut items = items.to_vec();
    let mut dim = None;
    if items.last().is_some_and(convert::is_int) {
        dim = Some(items.pop().ok_or_else(|| PyTypeError::new_err("cat"))?.extract::<i64>()?);
    }
    let mut ts = Vec::new();
    for it in &items {
        if it.is_instance_of::<PyList>() || it.is_instance_of::<PyTuple>() {
            for x in it.try_iter()? {
                ts.push(math_arg(&x?, "cat")?);
            }
        } else {
            ts.push(math_arg(it, "cat")?);
        }
    }
    Ok((ts, dim))
}

/// cat(x1, x2 [, ...] [, dim], out=None), cat([x1, x2, ...] [, dim], out=None) -> concatenation
///
/// dim (0-based; also accepted as dim=...) follows Torch7's rules: it defaults to the last dim of the highest-rank input (dim may also be one
/// past it, adding a size-1 dim); tensors with no dimension are skipped (all empty gives an
/// empty tensor); inputs with fewer dims count as having trailing size-1 dims; the other sizes
/// must match (ValueError). x.cat(y [, dim]) concatenates x and y.
///
/// >>> import ferrotorch as torch
/// >>> a = torch.Tensor([[1, 2]])
/// >>> torch.cat(a, a, 0).tolist()
/// [[1.0, 2.0], [1.0, 2.0]]
/// >>> torch.cat([a, a]).tolist()
/// [[1.0, 2.0, 1.0, 2.0]]
#[pyfunction]
#[pyo3(signature = (*args, dim = None, out = None))]
fn cat(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    dim: Option<i64>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let items: Vec<_> = args.iter().collect();
    let (ts, pos_dim) = cat_args(&items)?;
    let dim = dim.or(pos_dim);
    let n: usize = ts.iter().map(|t| t.numel()).sum();
    let t = maybe_detach(py, n, || Tensor::cat(&ts, dim)).py()?;
    finish(py, out, t)
}

/// reshape(x, sz1 [, sz2 ...], out=None) -> a contiguous copy of x with new sizes
///
/// Torch7's torch.reshape: always copies (row-major), so any layout works; one size may be -1.
///
/// >>> import ferrotorch as torch
/// >>> torch.reshape(torch.Tensor([1, 2, 3, 4]), 2, 2).tolist()
/// [[1.0, 2.0], [3.0, 4.0]]
#[pyfunction]
#[pyo3(name = "reshape", signature = (x, *sizes, out = None))]
fn reshape_fn(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    sizes: &Bound<'_, PyTuple>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let t = math_arg(x, "reshape")?;
    let s = convert::signed_sizes(sizes)?;
    let r = maybe_detach(py, t.numel(), || t.reshape(&s)).py()?;
    finish(py, out, r)
}

// ------------------------------------------------------------------ group B functions

/// gather(src, dim, index, out=None) -> a tensor shaped like index, picking along dim
///
/// res[i][j] = src[index[i][j]][j] for dim 0, src[i][index[i][j]] for dim 1, and so on; index
/// is a LongTensor of 0-based indices with src's number of dims. Method forms:
/// src.gather(dim, index) and r.gather(src, dim, index).
///
/// >>> import ferrotorch as torch
/// >>> x = torch.Tensor([[1, 2], [3, 4]])
/// >>> torch.gather(x, 1, torch.LongTensor([[1], [0]])).tolist()
/// [[2.0], [3.0]]
#[pyfunction]
#[pyo3(signature = (src, dim, index, *, out = None))]
fn gather(
    py: Python<'_>,
    src: &Bound<'_, PyAny>,
    dim: i64,
    index: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let s = math_arg(src, "gather")?;
    let i = tensor_arg(index, "gather")?;
    let r = maybe_detach(py, i.numel(), || s.gather(dim, &i)).py()?;
    finish(py, out, r)
}

fn scatter_into(t: &Tensor, dim: i64, index: &Bound<'_, PyAny>, src: &Bound<'_, PyAny>) -> PyResult<()> {
    let i = tensor_arg(index, "scatter")?;
    let py = index.py();
    if src.cast::<PyTensor>().is_ok() {
        let s = math_arg(src, "scatter")?;
        maybe_detach(py, i.numel(), || t.scatter_(dim, &i, &s)).py()
    } else {
        let v = convert::scalar(src)?;
        maybe_detach(py, i.numel(), || t.scatter_value_(dim, &i, v)).py()
    }
}

/// scatter(x, dim, index, src | value, out=None) -> a copy of x with src's values written at index
///
/// The inverse of gather: res[index[i][j]][j] = src[i][j] for dim 0 (or value everywhere index
/// points). The function form leaves x unchanged (Torch7 wrote into x); the method x.scatter(dim,
/// index, src | value) changes x and returns it. Repeated indices keep the last write.
///
/// >>> import ferrotorch as torch
/// >>> x = torch.zeros(2, 3)
/// >>> x.scatter(1, torch.LongTensor([[2], [0]]), 9).tolist()
/// [[0.0, 0.0, 9.0], [9.0, 0.0, 0.0]]
/// >>> torch.scatter(torch.zeros(3), 0, torch.LongTensor([1]), torch.Tensor([5])).tolist()
/// [0.0, 5.0, 0.0]
#[pyfunction]
#[pyo3(signature = (x, dim, index, src, *, out = None))]
fn scatter(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    dim: i64,
    index: &Bound<'_, PyAny>,
    src: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let x = math_arg(x, "scatter")?;
    let t = maybe_detach(py, x.numel(), || x.clone_contiguous()).py()?;
    scatter_into(&t, dim, index, src)?;
    finish(py, out, t)
}

/// nonzero(x, out=None) -> LongTensor N x x.dim() of the 0-based subscripts of non-zero elements
///
/// Row-major order; an empty LongTensor when every element is zero. Method forms: x.nonzero()
/// and r.nonzero(x).
///
/// >>> import ferrotorch as torch
/// >>> torch.nonzero(torch.Tensor([[0, 1], [2, 0]])).tolist()
/// [[0, 1], [1, 0]]
#[pyfunction]
#[pyo3(signature = (x, *, out = None))]
fn nonzero(py: Python<'_>, x: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let t = math_arg(x, "nonzero")?;
    finish(py, out, maybe_detach(py, t.numel(), || t.nonzero()).py()?)
}

/// squeeze(x [, dim], out=None) -> x without its size-1 dims (a view), or a number
///
/// Removes every size-1 dim, or only dim when it has size 1. As in Torch7, when the result is a
/// single element with every dim removed (every dim of x was 1) the function returns that
/// element as a Python number. With out= the squeezed values are copied into out.
///
/// >>> import ferrotorch as torch
/// >>> torch.squeeze(torch.zeros(2, 1, 3)).size() == (2, 3)
/// True
/// >>> torch.squeeze(torch.ones(1, 1))
/// 1.0
#[pyfunction]
#[pyo3(signature = (x, dim = None, *, out = None))]
fn squeeze(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    dim: Option<i64>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let t = math_arg(x, "squeeze")?;
    let r = t.squeeze(dim).py()?;
    if out.is_none() && t.ndim() > 0 && t.sizes().iter().all(|&s| s == 1) && (dim.is_none() || t.ndim() == 1)
    {
        return convert::scalar_to_py(
            py,
            r.get(&vec![0; r.ndim().max(1)]).or_else(|_| t.get(&vec![0; t.ndim()])).py()?,
        );
    }
    match out {
        Some(_) => finish(py, out, r.clone_contiguous().py()?),
        None => wrap(py, r),
    }
}

/// match(m1, m2 [, gain=1], out=None) -> N1 x N2 matrix of gain * squared row distances
///
/// res[i][j] = gain * ||m1[i] - m2[j]||^2 where rows are along dim 0 and the other dims are
/// flattened (accumulated in double precision). m1.match(m2, gain) is the method form.
///
/// >>> import ferrotorch as torch
/// >>> torch.match(torch.Tensor([[0, 0], [1, 1]]), torch.Tensor([[1, 0]])).tolist()
/// [[1.0], [1.0]]
#[pyfunction]
#[pyo3(name = "match", signature = (m1, m2, gain = 1.0, *, out = None))]
fn match_fn(
    py: Python<'_>,
    m1: &Bound<'_, PyAny>,
    m2: &Bound<'_, PyAny>,
    gain: f64,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let (a, b) = (math_arg(m1, "match")?, math_arg(m2, "match")?);
    finish(py, out, a.match_(&b, gain).py()?)
}

/// index(src, dim, idx, out=None) -> a copy of the slices idx of src along dim
///
/// idx is a 1-D LongTensor (or a list) of 0-based indices, repeats allowed; the result has src's
/// dims with size(dim) = len(idx). Same as src.index(dim, idx) and src[idx] for dim 0.
///
/// >>> import ferrotorch as torch
/// >>> torch.index(torch.Tensor([10, 20, 30]), 0, torch.LongTensor([2, 0, 2])).tolist()
/// [30.0, 10.0, 30.0]
#[pyfunction]
#[pyo3(signature = (src, dim, idx, *, out = None))]
fn index(
    py: Python<'_>,
    src: &Bound<'_, PyAny>,
    dim: i64,
    idx: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let s = math_arg(src, "index")?;
    let i = index_tensor(idx, "index")?;
    finish(py, out, maybe_detach(py, i.numel(), || s.index_select(dim, &i)).py()?)
}

/// maskedSelect(src, mask, out=None) -> 1-D copy of the elements of src where mask is non-zero
///
/// mask is a ByteTensor of src's shape, or broadcastable to it, or (Torch7's rule) of another
/// shape with as many elements, read in row-major order. An empty tensor when nothing is
/// selected. Same as src.maskedSelect(mask) and src[mask].
///
/// >>> import ferrotorch as torch
/// >>> x = torch.Tensor([[1, 2], [3, 4]])
/// >>> torch.maskedSelect(x, torch.ByteTensor([[1, 0], [0, 1]])).tolist()
/// [1.0, 4.0]
#[pyfunction]
#[pyo3(name = "maskedSelect", signature = (src, mask, *, out = None))]
fn masked_select(
    py: Python<'_>,
    src: &Bound<'_, PyAny>,
    mask: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let s = math_arg(src, "maskedSelect")?;
    let m = tensor_arg(mask, "maskedSelect")?;
    finish(py, out, maybe_detach(py, s.numel(), || s.masked_select(&m)).py()?)
}

// ------------------------------------------------------------------ group J functions

fn rand_like(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    out: Option<&Bound<'_, PyAny>>,
    normal: bool,
) -> PyResult<Py<PyAny>> {
    let what = if normal { "randn" } else { "rand" };
    let (gen, mut a) = split_generator(args);
    let d = ctor_dtype(&mut a, out, what)?;
    float_dtype(d, what)?;
    let sizes = sizes_of(py, &a)?;
    let t = Tensor::zeros(d, &sizes).py()?;
    fill_rand(py, gen.as_ref(), &t, normal)?;
    finish(py, out, t)
}

fn fill_rand(py: Python<'_>, gen: Option<&Bound<'_, PyGenerator>>, t: &Tensor, normal: bool) -> PyResult<()> {
    with_generator(gen, |g| {
        detach_for_draws(py, gen, t.numel(), || {
            if normal {
                t.fill_with(|| g.normal(0.0, 1.0).unwrap_or(f64::NAN))
            } else {
                t.fill_with(|| g.uniform01())
            }
        })
    })
    .py()
}

/// rand([gen,] sz1 [, sz2 ...] [, typename], out=None) -> uniform draws in [0, 1)
///
/// Float/Double (the default type unless a type name or out= says otherwise). Draws in
/// row-major order from gen or the calling thread's generator, so a seed gives Torch7's numbers.
/// x.rand(sizes...) resizes x and fills it.
///
/// >>> import ferrotorch as torch
/// >>> torch.manualSeed(123)
/// >>> [round(v, 6) for v in torch.rand(3).tolist()]
/// [0.696469, 0.712955, 0.286139]
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn rand(py: Python<'_>, args: &Bound<'_, PyTuple>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    rand_like(py, args, out, false)
}

/// randn([gen,] sz1 [, sz2 ...] [, typename], out=None) -> standard normal draws
///
/// Torch7's Box-Muller (with its cached second value), Float/Double, row-major order.
/// x.randn(sizes...) resizes x and fills it.
///
/// >>> import ferrotorch as torch
/// >>> torch.manualSeed(1)
/// >>> torch.randn(2, 2).size() == (2, 2)
/// True
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn randn(py: Python<'_>, args: &Bound<'_, PyTuple>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    rand_like(py, args, out, true)
}

fn randperm_tensor(
    py: Python<'_>,
    gen: Option<&Bound<'_, PyGenerator>>,
    d: DType,
    n: usize,
) -> PyResult<Tensor> {
    // The default generator is the calling thread's, so the draw can run without the GIL.
    let v = match gen {
        None => maybe_detach(py, n, || with_generator(None, |g| ferrotorch::random::randperm(g, n))),
        Some(_) => with_generator(gen, |g| ferrotorch::random::randperm(g, n)),
    }
    .py()?;
    if n == 0 {
        return Ok(Tensor::empty(d));
    }
    Tensor::from_slice(&v, &[n]).py()?.to_dtype(d).py()
}

/// randperm([gen,] n [, typename], out=None) -> a random permutation of 0..n-1
///
/// In the default type (DoubleTensor) unless a type name or out= says otherwise; Torch7's
/// shuffle, so a seed gives Torch7's permutation (its values minus 1).
///
/// >>> import ferrotorch as torch
/// >>> sorted(torch.randperm(5).tolist())
/// [0.0, 1.0, 2.0, 3.0, 4.0]
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn randperm(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let (gen, mut a) = split_generator(args);
    let d = ctor_dtype(&mut a, out, "randperm")?;
    let [n] = a.as_slice() else {
        return Err(PyTypeError::new_err("randperm takes ([gen,] n)"));
    };
    let n = convert::size_value(n, "randperm")?;
    finish(py, out, randperm_tensor(py, gen.as_ref(), d, n)?)
}

/// random([gen]) -> raw 32-bit draw; random([gen,] b) -> 1..b; random([gen,] a, b) -> a..b
///
/// Torch7's torch.random: random() is the tempered Mersenne Twister output in [0, 2^32 - 1];
/// the bounds are inclusive and give values, not indices (so random(6) is a die roll 1..6).
/// x.random(...) fills a tensor the same way (without bounds: the type's range).
///
/// >>> import ferrotorch as torch
/// >>> torch.manualSeed(123)
/// >>> [torch.uniform() for _ in range(40)] and torch.random()
/// 2724731384
/// >>> 1 <= torch.random(6) <= 6
/// True
#[pyfunction]
#[pyo3(signature = (*args))]
fn random(args: &Bound<'_, PyTuple>) -> PyResult<i64> {
    let (gen, a) = split_generator(args);
    let ints: Vec<i64> = a.iter().map(|x| x.extract()).collect::<PyResult<_>>()?;
    with_generator(gen.as_ref(), |g| match ints.as_slice() {
        [] => Ok(i64::from(g.random())),
        [b] => g.random_upto(*b).map_err(PyValueError::new_err),
        [lo, hi] => g.random_range(*lo, *hi).map_err(PyValueError::new_err),
        _ => Err(PyTypeError::new_err("random takes ([gen,] [a,] [b])")),
    })
}

macro_rules! number_draw {
    ($fname:ident, $pyname:literal, $doc:literal, ($($d:expr),*), |$g:ident, $p:ident| $body:expr) => {
        #[doc = $doc]
        #[pyfunction]
        #[pyo3(name = $pyname, signature = (*args))]
        fn $fname(args: &Bound<'_, PyTuple>) -> PyResult<f64> {
            let (gen, a) = split_generator(args);
            let defaults: &[Option<f64>] = &[$($d),*];
            if a.len() > defaults.len() {
                return Err(PyTypeError::new_err(concat!($pyname, ": too many arguments")));
            }
            let mut $p = Vec::new();
            for (i, d) in defaults.iter().enumerate() {
                match (a.get(i), d) {
                    (Some(x), _) => $p.push(x.extract::<f64>()?),
                    (None, Some(v)) => $p.push(*v),
                    (None, None) => return Err(PyTypeError::new_err(concat!($pyname, ": missing argument"))),
                }
            }
            with_generator(gen.as_ref(), |$g| gen_err($body))
        }
    };
}

number_draw!(normal, "normal", "normal([gen,] [mean=0, std=1]) -> a normal draw\n\nTorch7's Box-Muller with its cached second value; std must be > 0 (ValueError). x.normal(...)\nfills x.\n\n>>> import ferrotorch as torch\n>>> torch.manualSeed(123)\n>>> [torch.uniform() for _ in range(20)] and round(torch.normal(), 6)\n-0.776378", (Some(0.0), Some(1.0)), |g, p| g.normal(p[0], p[1]));
number_draw!(exponential, "exponential", "exponential([gen,] lambda) -> an exponential draw -ln(1-u)/lambda\n\nlambda must be > 0 (ValueError). x.exponential(lambda) fills x.\n\n>>> import ferrotorch as torch\n>>> torch.exponential(2.0) >= 0\nTrue", (None), |g, p| g.exponential(p[0]));
number_draw!(cauchy, "cauchy", "cauchy([gen,] [median=0, sigma=1]) -> median + sigma * tan(pi * (u - 0.5))\n\nx.cauchy(...) fills x.\n\n>>> import ferrotorch as torch\n>>> isinstance(torch.cauchy(), float)\nTrue", (Some(0.0), Some(1.0)), |g, p| Ok(g.cauchy(p[0], p[1])));
number_draw!(log_normal, "logNormal", "logNormal([gen,] [mean=1, std=2]) -> exp(normal(mean, std))\n\nmean and std are those of the underlying normal (Torch7's defaults 1 and 2); std > 0.\nx.logNormal(...) fills x.\n\n>>> import ferrotorch as torch\n>>> torch.logNormal(0, 0.5) > 0\nTrue", (Some(1.0), Some(2.0)), |g, p| g.log_normal(p[0], p[1]));

/// geometric([gen,] p) -> number of trials until the first success, floor(ln(1-u)/ln p) + 1
///
/// 0 < p < 1 (ValueError otherwise); returns an int. x.geometric(p) fills x.
///
/// >>> import ferrotorch as torch
/// >>> torch.geometric(0.5) >= 1
/// True
#[pyfunction]
#[pyo3(signature = (*args))]
fn geometric(args: &Bound<'_, PyTuple>) -> PyResult<i64> {
    let (gen, a) = split_generator(args);
    let [p] = a.as_slice() else {
        return Err(PyTypeError::new_err("geometric takes ([gen,] p)"));
    };
    let p: f64 = p.extract()?;
    with_generator(gen.as_ref(), |g| gen_err(g.geometric(p))).map(|v| v as i64)
}

/// bernoulli([gen,] [p=0.5]) -> 1 with probability p, else 0 (u <= p)
///
/// 0 <= p <= 1 (ValueError otherwise). x.bernoulli(p) fills x, where p may also be a
/// Float/Double tensor of per-element probabilities.
///
/// >>> import ferrotorch as torch
/// >>> torch.bernoulli(1.0), torch.bernoulli(0.0)
/// (1, 0)
#[pyfunction]
#[pyo3(signature = (*args))]
fn bernoulli(args: &Bound<'_, PyTuple>) -> PyResult<i64> {
    let (gen, a) = split_generator(args);
    if a.len() > 1 {
        return Err(PyTypeError::new_err("bernoulli takes ([gen,] [p])"));
    }
    let p = f64_arg(a.first(), 0.5)?;
    with_generator(gen.as_ref(), |g| g.bernoulli(p).map(i64::from).map_err(PyValueError::new_err))
}

fn multinomial_args<'py>(
    args: &Bound<'py, PyTuple>,
) -> PyResult<(Option<Bound<'py, PyGenerator>>, Tensor, i64, bool)> {
    let (gen, a) = split_generator(args);
    if a.len() < 2 || a.len() > 3 {
        return Err(PyTypeError::new_err("multinomial takes ([gen,] p, n [, replacement=False])"));
    }
    let p = math_arg(&a[0], "multinomial")?;
    let n: i64 = a[1].extract()?;
    let repl = a.get(2).map(|x| x.is_truthy()).transpose()?.unwrap_or(false);
    Ok((gen, p, n, repl))
}

/// multinomial([gen,] p, n [, replacement=False], out=None) -> LongTensor of 0-based samples
///
/// p holds (unnormalised, non-negative) category weights: 1-D gives n samples, 2-D gives a row
/// of n samples per row of p. Without replacement n must not exceed the number of categories
/// and each category is drawn at most once. Torch7's algorithm, so a seed gives Torch7's samples
/// (minus 1). x.multinomial(p, n, replacement) fills the LongTensor x.
///
/// >>> import ferrotorch as torch
/// >>> torch.multinomial(torch.Tensor([0, 0, 1]), 3, True).tolist()
/// [2, 2, 2]
/// >>> sorted(torch.multinomial(torch.Tensor([1, 2, 3]), 3).tolist())
/// [0, 1, 2]
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn multinomial(
    py: Python<'_>,
    args: &Bound<'_, PyTuple>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let (gen, p, n, repl) = multinomial_args(args)?;
    let t = with_generator(gen.as_ref(), |g| eng::multinomial(g, &p, n, repl)).py()?;
    finish(py, out, t)
}

/// multinomialAliasSetup(probs [, state]) -> state = [J, q] for multinomialAlias
///
/// Walker's alias method tables, built exactly as Torch7 did: J a LongTensor of 0-based
/// aliases and q a tensor of probs' type. A given state list is filled in place and returned.
///
/// >>> import ferrotorch as torch
/// >>> J, q = torch.multinomialAliasSetup(torch.Tensor([0.1, 0.2, 0.3, 0.4]))
/// >>> J.tolist(), [round(v, 6) for v in q.tolist()]
/// ([3, 3, 0, 2], [0.4, 0.8, 1.0, 0.8])
#[pyfunction]
#[pyo3(name = "multinomialAliasSetup", signature = (probs, state = None))]
fn multinomial_alias_setup<'py>(
    py: Python<'py>,
    probs: &Bound<'py, PyAny>,
    state: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let p = math_arg(probs, "multinomialAliasSetup")?;
    let (j, q) = eng::multinomial_alias_setup(&p).py()?;
    let (j, q) = (wrap(py, j)?, wrap(py, q)?);
    match state {
        Some(s) if s.is_instance_of::<PyList>() => {
            let l = s.cast::<PyList>()?;
            while l.len() < 2 {
                l.append(py.None())?;
            }
            l.set_item(0, j)?;
            l.set_item(1, q)?;
            Ok(s.clone())
        }
        _ => Ok(PyList::new(py, [j, q])?.into_any()),
    }
}

/// multinomialAlias([gen,] output, state) -> output filled with samples drawn with state = [J, q]
///
/// output is a LongTensor; samples are 0-based and drawn with replacement exactly as Torch7
/// drew them (one uniform for the bucket r, one Bernoulli against q[r]), so a seed gives
/// Torch7's samples. Torch7 quirk kept for that fidelity: when the Bernoulli fails the sample
/// is J[r] - 1 (Torch7 read its 0-based alias table as 1-based), so the frequencies differ from
/// probs unless every q is 1.
///
/// >>> import ferrotorch as torch
/// >>> state = torch.multinomialAliasSetup(torch.Tensor([1, 1, 1]))
/// >>> out = torch.multinomialAlias(torch.LongTensor(100), state)
/// >>> out.size() == (100,), set(out.tolist()) <= {0, 1, 2}
/// (True, True)
#[pyfunction]
#[pyo3(name = "multinomialAlias", signature = (*args))]
fn multinomial_alias<'py>(args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
    let (gen, a) = split_generator(args);
    let [output, state] = a.as_slice() else {
        return Err(PyTypeError::new_err("multinomialAlias takes ([gen,] output, state)"));
    };
    let o = tensor_arg(output, "multinomialAlias")?;
    let part = |i: usize| {
        state.get_item(i).map_err(|_| {
            PyTypeError::new_err(
                "multinomialAlias: state must be the [J, q] pair multinomialAliasSetup returns",
            )
        })
    };
    let j = tensor_arg(&part(0)?, "multinomialAlias")?;
    let q = tensor_arg(&part(1)?, "multinomialAlias")?;
    with_generator(gen.as_ref(), |g| eng::multinomial_alias_draw(g, &o, &j, &q)).py()?;
    Ok(output.clone())
}

// ------------------------------------------------------------------ methods

/// Values of row-major elements as Python numbers, and their multi-indices, for apply/map.
fn py_values(py: Python<'_>, t: &Tensor) -> PyResult<Vec<Py<PyAny>>> {
    let float = t.dtype().is_floating_point();
    if float {
        t.to_vec::<f64>().py()?.into_iter().map(|v| convert::scalar_to_py(py, Scalar::Float(v))).collect()
    } else {
        t.to_vec::<i64>().py()?.into_iter().map(|v| convert::scalar_to_py(py, Scalar::Int(v))).collect()
    }
}

/// Calls `f` on each row-major element of self (with the other tensors' elements) and stores
/// number results.
fn apply_elements(
    slf: &Bound<'_, PyTensor>,
    others: &[Tensor],
    f: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<()> {
    let py = slf.py();
    let t = slf.get().get();
    require_math_type(&t, what)?;
    t.check_writable(what).py()?;
    for o in others {
        require_math_type(o, what)?;
        if o.numel() != t.numel() {
            return Err(PyValueError::new_err(format!(
                "{what}: tensors of {} and {} elements (they must have as many)",
                t.numel(),
                o.numel()
            )));
        }
    }
    let mine = py_values(py, &t)?;
    let theirs: Vec<Vec<Py<PyAny>>> = others.iter().map(|o| py_values(py, o)).collect::<PyResult<_>>()?;
    let nd = t.ndim();
    let mut idx = vec![0i64; nd];
    for (k, v) in mine.into_iter().enumerate() {
        let mut call_args = vec![v];
        for th in &theirs {
            if let Some(x) = th.get(k) {
                call_args.push(x.clone_ref(py));
            }
        }
        let r = f.call1(PyTuple::new(py, call_args)?)?;
        if !r.is_none() {
            if r.cast::<PyTensor>().is_ok() || r.is_instance_of::<PyString>() {
                return Err(PyTypeError::new_err(format!(
                    "{what}: the function must return a number or None, got {}",
                    r.get_type().name()?
                )));
            }
            let s = convert::scalar(&r).map_err(|_| {
                PyTypeError::new_err(format!(
                    "{what}: the function must return a number or None, got {}",
                    r.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                ))
            })?;
            t.set(&idx, s).py()?;
        }
        for d in (0..nd).rev() {
            idx[d] += 1;
            if (idx[d] as usize) < t.sizes()[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    Ok(())
}

#[pymethods]
impl PyTensor {
    /// zeros(sz1 [, sz2 ...]) -> self resized to those sizes and filled with zeros
    ///
    /// Torch7's fill-self form: sizes are ints, a tuple or a LongStorage; returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.IntTensor().zeros(2).tolist()
    /// [0, 0]
    #[pyo3(name = "zeros", signature = (*sizes))]
    fn zeros_m<'py>(slf: Bound<'py, Self>, sizes: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let t = resize_self(&slf, &convert::sizes(sizes)?)?;
        require_math_type(&t, "zeros")?;
        maybe_detach(slf.py(), t.numel(), || t.fill_(Scalar::Int(0))).py()?;
        Ok(slf)
    }

    /// ones(sz1 [, sz2 ...]) -> self resized to those sizes and filled with ones
    ///
    /// Torch7's fill-self form: sizes are ints, a tuple or a LongStorage; returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.FloatTensor().ones(1, 2).tolist()
    /// [[1.0, 1.0]]
    #[pyo3(name = "ones", signature = (*sizes))]
    fn ones_m<'py>(slf: Bound<'py, Self>, sizes: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let t = resize_self(&slf, &convert::sizes(sizes)?)?;
        require_math_type(&t, "ones")?;
        maybe_detach(slf.py(), t.numel(), || t.fill_(Scalar::Int(1))).py()?;
        Ok(slf)
    }

    /// range(x, y [, step=1]) -> self filled with x, x+step, ..., y (shape kept when the count fits)
    ///
    /// See torch.range: self keeps its shape when it already has the right element count
    /// (filled in row-major order), else it becomes 1-D. Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.IntTensor(6).range(-2, 3).tolist()
    /// [-2, -1, 0, 1, 2, 3]
    #[pyo3(name = "range", signature = (*args))]
    fn range_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().get();
        require_math_type(&t, "range")?;
        let a: Vec<_> = args.iter().collect();
        range_into(slf.py(), &mut t, &a)?;
        slf.get().put(t);
        Ok(slf)
    }

    /// linspace(a, b [, n=100]) -> self filled with n points from a to b (Float/Double)
    ///
    /// See torch.linspace; self keeps its shape when it has n elements. Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor().linspace(1, 2, 3).tolist()
    /// [1.0, 1.5, 2.0]
    #[pyo3(name = "linspace", signature = (*args))]
    fn linspace_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().get();
        require_math_type(&t, "linspace")?;
        space_into(&mut t, &args.iter().collect::<Vec<_>>(), false)?;
        slf.get().put(t);
        Ok(slf)
    }

    /// logspace(a, b [, n=100]) -> self filled with n points from 10^a to 10^b (Float/Double)
    ///
    /// See torch.logspace; self keeps its shape when it has n elements. Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor().logspace(0, 1, 2).tolist()
    /// [1.0, 10.0]
    #[pyo3(name = "logspace", signature = (*args))]
    fn logspace_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let mut t = slf.get().get();
        require_math_type(&t, "logspace")?;
        space_into(&mut t, &args.iter().collect::<Vec<_>>(), true)?;
        slf.get().put(t);
        Ok(slf)
    }

    /// eye(n [, m]) -> self resized to n x m and set to the identity pattern
    ///
    /// m absent or <= 0 means n. Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.IntTensor().eye(2).tolist()
    /// [[1, 0], [0, 1]]
    #[pyo3(name = "eye", signature = (*args))]
    fn eye_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let (n, m) = eye_sizes(&args.iter().collect::<Vec<_>>())?;
        let t = slf.get().get();
        require_math_type(&t, "eye")?;
        let e = Tensor::eye(t.dtype(), n, m).py()?;
        let t = resize_self(&slf, &[n, m])?;
        t.copy_same_shape(&e).py()?;
        Ok(slf)
    }

    /// rand([gen,] sz1 [, sz2 ...]) -> self resized and filled with uniform draws in [0, 1)
    ///
    /// Float/Double only; draws in row-major order from gen or the thread's generator. Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.FloatTensor(2, 2).rand(3).size() == (3,)
    /// True
    #[pyo3(name = "rand", signature = (*args))]
    fn rand_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let (gen, a) = split_generator(args);
        need_float_t(&slf.get().get(), "rand")?;
        let t = resize_self(&slf, &sizes_of(slf.py(), &a)?)?;
        fill_rand(slf.py(), gen.as_ref(), &t, false)?;
        Ok(slf)
    }

    /// randn([gen,] sz1 [, sz2 ...]) -> self resized and filled with standard normal draws
    ///
    /// Float/Double only; Torch7's Box-Muller, row-major order. Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor().randn(3).size() == (3,)
    /// True
    #[pyo3(name = "randn", signature = (*args))]
    fn randn_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let (gen, a) = split_generator(args);
        need_float_t(&slf.get().get(), "randn")?;
        let t = resize_self(&slf, &sizes_of(slf.py(), &a)?)?;
        fill_rand(slf.py(), gen.as_ref(), &t, true)?;
        Ok(slf)
    }

    /// randperm([gen,] n) -> self resized to n and set to a random permutation of 0..n-1
    ///
    /// Torch7's shuffle with 0-based values, in self's type. Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> sorted(torch.LongTensor().randperm(4).tolist())
    /// [0, 1, 2, 3]
    #[pyo3(name = "randperm", signature = (*args))]
    fn randperm_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let (gen, a) = split_generator(args);
        let [n] = a.as_slice() else {
            return Err(PyTypeError::new_err("randperm takes ([gen,] n)"));
        };
        let n = convert::size_value(n, "randperm")?;
        let d = slf.get().get().dtype();
        if d == DType::Half {
            return Err(PyTypeError::new_err("randperm is not available for torch.HalfTensor"));
        }
        let p = randperm_tensor(slf.py(), gen.as_ref(), d, n)?;
        let t = resize_self(&slf, &[n])?;
        t.copy_same_shape(&p).py()?;
        Ok(slf)
    }

    /// random([gen,] [a,] [b]) -> self filled with random integers
    ///
    /// Without bounds each element is a raw 32-bit draw reduced to the type's range (Byte
    /// mod 2^8, Char mod 2^7, Short mod 2^15, Int mod 2^31, Long: the raw draw, Float mod 2^24+1,
    /// Double mod 2^53+1); random(b) draws 1..b and random(a, b) draws a..b (inclusive values).
    ///
    /// >>> import ferrotorch as torch
    /// >>> v = torch.IntTensor(100).random(1, 6).tolist()
    /// >>> min(v) >= 1 and max(v) <= 6
    /// True
    #[pyo3(name = "random", signature = (*args))]
    fn random_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let (gen, a) = split_generator(args);
        let t = slf.get().get();
        require_math_type(&t, "random")?;
        let ints: Vec<i64> = a.iter().map(|x| x.extract()).collect::<PyResult<_>>()?;
        let py = slf.py();
        with_generator(gen.as_ref(), |g| {
            detach_for_draws(py, gen.as_ref(), t.numel(), || match ints.as_slice() {
                [] => t.random_(g),
                [b] if *b > 0 => t.random_range_(g, 1, *b),
                [b] => Err(ferrotorch::Error::Value(format!(
                    "random: upper bound must be strictly positive, got {b}"
                ))),
                [lo, hi] => t.random_range_(g, *lo, *hi),
                _ => Err(ferrotorch::Error::Type("random takes ([gen,] [a,] [b])".into())),
            })
        })
        .py()?;
        Ok(slf)
    }

    /// normal([gen,] [mean=0, std=1]) -> self filled with normal draws (Float/Double)
    ///
    /// Torch7's Box-Muller with its cached second value, one draw per element in row-major
    /// order; std must be > 0 (ValueError, nothing drawn). Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> all(abs(v - 5) < 1e-6 for v in torch.DoubleTensor(3).normal(5, 1e-9).tolist())
    /// True
    #[pyo3(name = "normal", signature = (*args))]
    fn normal_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let (gen, a) = split_generator(args);
        let (m, s) = (f64_arg(a.first(), 0.0)?, f64_arg(a.get(1), 1.0)?);
        fill_float(&slf, gen.as_ref(), "normal", move |g| g.normal(m, s))?;
        Ok(slf)
    }

    /// exponential([gen,] lambda) -> self filled with exponential draws (Float/Double)
    ///
    /// -ln(1-u)/lambda per element, row-major; lambda must be > 0. Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> min(torch.DoubleTensor(10).exponential(1).tolist()) >= 0
    /// True
    #[pyo3(name = "exponential", signature = (*args))]
    fn exponential_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let (gen, a) = split_generator(args);
        let [l] = a.as_slice() else {
            return Err(PyTypeError::new_err("exponential takes ([gen,] lambda)"));
        };
        let l: f64 = l.extract()?;
        fill_float(&slf, gen.as_ref(), "exponential", move |g| g.exponential(l))?;
        Ok(slf)
    }

    /// cauchy([gen,] [median=0, sigma=1]) -> self filled with Cauchy draws (Float/Double)
    ///
    /// median + sigma * tan(pi * (u - 0.5)) per element, row-major. Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor(3).cauchy().size() == (3,)
    /// True
    #[pyo3(name = "cauchy", signature = (*args))]
    fn cauchy_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let (gen, a) = split_generator(args);
        let (m, s) = (f64_arg(a.first(), 0.0)?, f64_arg(a.get(1), 1.0)?);
        fill_float(&slf, gen.as_ref(), "cauchy", move |g| Ok(g.cauchy(m, s)))?;
        Ok(slf)
    }

    /// logNormal([gen,] [mean=1, std=2]) -> self filled with exp(normal(mean, std)) (Float/Double)
    ///
    /// exp(normal(mean, std)) per element (mean and std of the underlying normal). Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> min(torch.DoubleTensor(5).logNormal().tolist()) > 0
    /// True
    #[pyo3(name = "logNormal", signature = (*args))]
    fn log_normal_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let (gen, a) = split_generator(args);
        let (m, s) = (f64_arg(a.first(), 1.0)?, f64_arg(a.get(1), 2.0)?);
        fill_float(&slf, gen.as_ref(), "logNormal", move |g| g.log_normal(m, s))?;
        Ok(slf)
    }

    /// geometric([gen,] p) -> self filled with geometric draws (every type but Half)
    ///
    /// floor(ln(1-u)/ln p) + 1 per element, row-major; 0 < p < 1. Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> min(torch.IntTensor(10).geometric(0.5).tolist()) >= 1
    /// True
    #[pyo3(name = "geometric", signature = (*args))]
    fn geometric_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let (gen, a) = split_generator(args);
        let [p] = a.as_slice() else {
            return Err(PyTypeError::new_err("geometric takes ([gen,] p)"));
        };
        let p: f64 = p.extract()?;
        fill_any(&slf, gen.as_ref(), "geometric", move |g| g.geometric(p))?;
        Ok(slf)
    }

    /// bernoulli([gen,] [p=0.5]) -> self filled with 1 (probability p) or 0
    ///
    /// p is a number, or a Float/Double tensor of per-element probabilities (self's shape,
    /// broadcastable to it, or as many elements in row-major order). Every type but Half.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.ByteTensor(3).bernoulli(torch.Tensor([1, 0, 1])).tolist()
    /// [1, 0, 1]
    #[pyo3(name = "bernoulli", signature = (*args))]
    fn bernoulli_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let (gen, a) = split_generator(args);
        if a.len() > 1 {
            return Err(PyTypeError::new_err("bernoulli takes ([gen,] [p])"));
        }
        if let Some(p) = a.first().filter(|p| p.cast::<PyTensor>().is_ok()) {
            let pt = tensor_arg(p, "bernoulli")?;
            let t = slf.get().get();
            require_math_type(&t, "bernoulli")?;
            t.check_writable("bernoulli").py()?;
            match gen {
                None => maybe_detach(slf.py(), t.numel(), || {
                    with_generator(None, |g| t.bernoulli_tensor_(g, &pt))
                }),
                Some(_) => with_generator(gen.as_ref(), |g| t.bernoulli_tensor_(g, &pt)),
            }
            .py()?;
            return Ok(slf);
        }
        let p = f64_arg(a.first(), 0.5)?;
        fill_any(&slf, gen.as_ref(), "bernoulli", move |g| g.bernoulli(p).map(|b| f64::from(u8::from(b))))?;
        Ok(slf)
    }

    /// multinomial([gen,] p, n [, replacement=False]) -> the LongTensor self filled with samples
    ///
    /// Torch7's fill-self form of torch.multinomial (0-based samples); self must be a
    /// LongTensor and is resized. Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.LongTensor().multinomial(torch.Tensor([0, 1]), 2, True).tolist()
    /// [1, 1]
    #[pyo3(name = "multinomial", signature = (*args))]
    fn multinomial_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let (gen, p, n, repl) = multinomial_args(args)?;
        let r = with_generator(gen.as_ref(), |g| eng::multinomial(g, &p, n, repl)).py()?;
        let d = slf.get().get().dtype();
        if d != DType::Long {
            return Err(PyTypeError::new_err(format!(
                "multinomial: the result must be a torch.LongTensor, got {}",
                d.tensor_type_name()
            )));
        }
        let t = resize_self(&slf, r.sizes())?;
        t.copy_same_shape(&r).py()?;
        Ok(slf)
    }

    /// diag([x,] [k=0]) -> the diag of self (or, given x, x's diag written into self)
    ///
    /// Torch7's plain method: x.diag(k) returns a new tensor; r.diag(x, k) writes into r and
    /// returns r. See torch.diag.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor([1, 2]).diag(-1).tolist()
    /// [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 2.0, 0.0]]
    #[pyo3(name = "diag", signature = (*args))]
    fn diag_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Py<PyAny>> {
        plain_method(&slf, args, "diag", |t, rest| {
            let k: i64 = rest.first().map(|x| x.extract()).transpose()?.unwrap_or(0);
            t.diag(k).py()
        })
    }

    /// tril([x,] [k=0]) -> the lower triangle of self (or of x, written into self)
    ///
    /// Torch7's plain method: x.tril(k) returns a new tensor; r.tril(x, k) writes into r.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor([[1, 2], [3, 4]]).tril(-1).tolist()
    /// [[0.0, 0.0], [3.0, 0.0]]
    #[pyo3(name = "tril", signature = (*args))]
    fn tril_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Py<PyAny>> {
        plain_method(&slf, args, "tril", |t, rest| {
            let k: i64 = rest.first().map(|x| x.extract()).transpose()?.unwrap_or(0);
            t.triangle(k, false).py()
        })
    }

    /// triu([x,] [k=0]) -> the upper triangle of self (or of x, written into self)
    ///
    /// Torch7's plain method: x.triu(k) returns a new tensor; r.triu(x, k) writes into r.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor([[1, 2], [3, 4]]).triu().tolist()
    /// [[1.0, 2.0], [0.0, 4.0]]
    #[pyo3(name = "triu", signature = (*args))]
    fn triu_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Py<PyAny>> {
        plain_method(&slf, args, "triu", |t, rest| {
            let k: i64 = rest.first().map(|x| x.extract()).transpose()?.unwrap_or(0);
            t.triangle(k, true).py()
        })
    }

    /// cat(y [, ...] [, dim]) -> a new tensor: self and the others concatenated (see torch.cat)
    ///
    /// Torch7's x:cat(y, dim): self is the first input; dim is 0-based and defaults to the last.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor([1]).cat(torch.Tensor([2, 3])).tolist()
    /// [1.0, 2.0, 3.0]
    #[pyo3(name = "cat", signature = (*args))]
    fn cat_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Py<PyAny>> {
        let mut items: Vec<Bound<'py, PyAny>> = vec![slf.clone().into_any()];
        items.extend(args.iter());
        let (ts, dim) = cat_args(&items)?;
        let n: usize = ts.iter().map(|t| t.numel()).sum();
        wrap(slf.py(), maybe_detach(slf.py(), n, || Tensor::cat(&ts, dim)).py()?)
    }

    /// gather([src,] dim, index) -> gather of self (or of src, written into self); see torch.gather
    ///
    /// index is a LongTensor of 0-based indices with the source's number of dims; the result
    /// has index's shape.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor([[1, 2], [3, 4]]).gather(0, torch.LongTensor([[1, 0]])).tolist()
    /// [[3.0, 2.0]]
    #[pyo3(name = "gather", signature = (*args))]
    fn gather_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Py<PyAny>> {
        plain_method(&slf, args, "gather", |t, rest| {
            let [dim, index] = rest else {
                return Err(PyTypeError::new_err("gather takes ([src,] dim, index)"));
            };
            t.gather(dim.extract()?, &tensor_arg(index, "gather")?).py()
        })
    }

    /// scatter(dim, index, src | value) -> self with src's values (or value) written at index
    ///
    /// In place (see torch.scatter); returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.zeros(3).scatter(0, torch.LongTensor([0, 2]), torch.Tensor([7, 8])).tolist()
    /// [7.0, 0.0, 8.0]
    #[pyo3(name = "scatter")]
    fn scatter_m<'py>(
        slf: Bound<'py, Self>,
        dim: i64,
        index: &Bound<'py, PyAny>,
        src: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let t = slf.get().get();
        require_math_type(&t, "scatter")?;
        scatter_into(&t, dim, index, src)?;
        Ok(slf)
    }

    /// nonzero([x]) -> subscripts of self's non-zero elements (or x's, written into the LongTensor self)
    ///
    /// An N x dim() LongTensor of 0-based subscripts in row-major order (empty when none).
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor([0, 3, 0, 4]).nonzero().tolist()
    /// [[1], [3]]
    #[pyo3(name = "nonzero", signature = (*args))]
    fn nonzero_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Py<PyAny>> {
        plain_method(&slf, args, "nonzero", |t, rest| {
            if !rest.is_empty() {
                return Err(PyTypeError::new_err("nonzero takes ([x])"));
            }
            t.nonzero().py()
        })
    }

    /// match(m2 [, gain=1]) -> N1 x N2 squared row distances between self and m2 (see torch.match)
    ///
    /// Computed in the tensor's type (integer types wrap), as Torch7 did.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor([[0, 0]]).match(torch.Tensor([[3, 4]])).tolist()
    /// [[25.0]]
    #[pyo3(name = "match", signature = (m2, gain = 1.0))]
    fn match_m(slf: Bound<'_, Self>, m2: &Bound<'_, PyAny>, gain: f64) -> PyResult<Py<PyAny>> {
        let a = slf.get().get();
        require_math_type(&a, "match")?;
        let b = math_arg(m2, "match")?;
        wrap(slf.py(), a.match_(&b, gain).py()?)
    }

    /// index([src,] dim, idx) -> a copy of the slices idx along dim (of self, or of src into self)
    ///
    /// idx is a 1-D LongTensor or a list of 0-based indices (repeats allowed).
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor([[1, 2], [3, 4]]).index(1, torch.LongTensor([1, 1, 0])).tolist()
    /// [[2.0, 2.0, 1.0], [4.0, 4.0, 3.0]]
    #[pyo3(name = "index", signature = (*args))]
    fn index_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Py<PyAny>> {
        plain_method(&slf, args, "index", |t, rest| {
            let [dim, idx] = rest else {
                return Err(PyTypeError::new_err("index takes ([src,] dim, idx)"));
            };
            let i = index_tensor(idx, "index")?;
            t.index_select(dim.extract()?, &i).py()
        })
    }

    /// indexCopy(dim, idx, src) -> self with self.select(dim, idx[j]) = src.select(dim, j)
    ///
    /// idx: 1-D LongTensor (or list) of 0-based indices; src has self's sizes except
    /// size(dim) = len(idx). Returns self (Torch7 returned src).
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.zeros(3, 2).indexCopy(0, torch.LongTensor([2, 0]), torch.Tensor([[1, 2], [3, 4]])).tolist()
    /// [[3.0, 4.0], [0.0, 0.0], [1.0, 2.0]]
    #[pyo3(name = "indexCopy")]
    fn index_copy_m<'py>(
        slf: Bound<'py, Self>,
        dim: i64,
        idx: &Bound<'py, PyAny>,
        src: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let t = slf.get().get();
        require_math_type(&t, "indexCopy")?;
        let (i, s) = (index_tensor(idx, "indexCopy")?, math_arg(src, "indexCopy")?);
        maybe_detach(slf.py(), s.numel(), || t.index_copy_(dim, &i, &s)).py()?;
        Ok(slf)
    }

    /// indexAdd(dim, idx, src) -> self with src.select(dim, j) added to self.select(dim, idx[j])
    ///
    /// Repeated indices accumulate. Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.zeros(3).indexAdd(0, torch.LongTensor([1, 1]), torch.Tensor([2, 5])).tolist()
    /// [0.0, 7.0, 0.0]
    #[pyo3(name = "indexAdd")]
    fn index_add_m<'py>(
        slf: Bound<'py, Self>,
        dim: i64,
        idx: &Bound<'py, PyAny>,
        src: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let t = slf.get().get();
        require_math_type(&t, "indexAdd")?;
        let (i, s) = (index_tensor(idx, "indexAdd")?, math_arg(src, "indexAdd")?);
        maybe_detach(slf.py(), s.numel(), || t.index_add_(dim, &i, &s)).py()?;
        Ok(slf)
    }

    /// indexFill(dim, idx, value) -> self with the slices idx along dim set to value
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.zeros(2, 3).indexFill(1, torch.LongTensor([0, 2]), -1).tolist()
    /// [[-1.0, 0.0, -1.0], [-1.0, 0.0, -1.0]]
    #[pyo3(name = "indexFill")]
    fn index_fill_m<'py>(
        slf: Bound<'py, Self>,
        dim: i64,
        idx: &Bound<'py, PyAny>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let t = slf.get().get();
        require_math_type(&t, "indexFill")?;
        let i = index_tensor(idx, "indexFill")?;
        t.index_fill_(dim, &i, convert::scalar(value)?).py()?;
        Ok(slf)
    }

    /// maskedSelect([src,] mask) -> 1-D copy of the elements where mask != 0 (see torch.maskedSelect)
    ///
    /// With two arguments the selection from src is written into self. The mask is a
    /// ByteTensor of the tensor's shape, broadcastable to it, or with as many elements (row-major).
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.Tensor([1, -2, 3])
    /// >>> x.maskedSelect(torch.ByteTensor([1, 0, 1])).tolist()
    /// [1.0, 3.0]
    #[pyo3(name = "maskedSelect", signature = (*args))]
    fn masked_select_m<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Py<PyAny>> {
        let a: Vec<_> = args.iter().collect();
        let me = slf.get().get();
        require_math_type(&me, "maskedSelect")?;
        let py = slf.py();
        match a.as_slice() {
            [mask] => {
                let m = tensor_arg(mask, "maskedSelect")?;
                wrap(py, maybe_detach(py, me.numel(), || me.masked_select(&m)).py()?)
            }
            [src, mask] => {
                let s = math_arg(src, "maskedSelect")?;
                let m = tensor_arg(mask, "maskedSelect")?;
                let r = maybe_detach(py, s.numel(), || s.masked_select(&m)).py()?;
                let o = slf.clone().into_any();
                finish(py, Some(&o), r)
            }
            _ => Err(PyTypeError::new_err("maskedSelect takes ([src,] mask)")),
        }
    }

    /// maskedCopy(mask, src) -> self with the masked elements set to successive elements of src
    ///
    /// src is read in row-major order and needs at least as many elements as the mask has
    /// non-zeros. The mask: self's shape, broadcastable to it, or as many elements. Returns self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.zeros(4).maskedCopy(torch.ByteTensor([0, 1, 0, 1]), torch.Tensor([5, 6])).tolist()
    /// [0.0, 5.0, 0.0, 6.0]
    #[pyo3(name = "maskedCopy")]
    fn masked_copy_m<'py>(
        slf: Bound<'py, Self>,
        mask: &Bound<'py, PyAny>,
        src: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let t = slf.get().get();
        require_math_type(&t, "maskedCopy")?;
        let (m, s) = (tensor_arg(mask, "maskedCopy")?, math_arg(src, "maskedCopy")?);
        maybe_detach(slf.py(), t.numel(), || t.masked_copy_(&m, &s)).py()?;
        Ok(slf)
    }

    /// maskedFill(mask, value) -> self with the masked elements set to value
    ///
    /// The mask: self's shape, broadcastable to it, or as many elements (row-major). Returns
    /// self (Torch7 returned value).
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.Tensor([[1, 2], [3, 4]])
    /// >>> x.maskedFill(torch.ByteTensor([1, 0]), 0).tolist()
    /// [[0.0, 2.0], [0.0, 4.0]]
    #[pyo3(name = "maskedFill")]
    fn masked_fill_m<'py>(
        slf: Bound<'py, Self>,
        mask: &Bound<'py, PyAny>,
        value: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let t = slf.get().get();
        require_math_type(&t, "maskedFill")?;
        let m = tensor_arg(mask, "maskedFill")?;
        let v = convert::scalar(value)?;
        maybe_detach(slf.py(), t.numel(), || t.masked_fill_(&m, v)).py()?;
        Ok(slf)
    }

    /// apply(f) -> self with f(v) applied to every element in row-major order
    ///
    /// A number returned replaces the element, None keeps it, anything else raises TypeError.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor([1, 2, 3]).apply(lambda v: v * 10 if v > 1 else None).tolist()
    /// [1.0, 20.0, 30.0]
    fn apply<'py>(slf: Bound<'py, Self>, f: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        apply_elements(&slf, &[], f, "apply")?;
        Ok(slf)
    }

    /// map(t, f) -> self with f(self_v, t_v) stored for each pair of elements (row-major)
    ///
    /// t needs as many elements as self; return values as in apply.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor([1, 2]).map(torch.Tensor([10, 20]), lambda a, b: a + b).tolist()
    /// [11.0, 22.0]
    fn map<'py>(
        slf: Bound<'py, Self>,
        t: &Bound<'py, PyAny>,
        f: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let o = tensor_arg(t, "map")?;
        apply_elements(&slf, &[o], f, "map")?;
        Ok(slf)
    }

    /// map2(t1, t2, f) -> self with f(self_v, t1_v, t2_v) stored for each element (row-major)
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor([1, 2]).map2(torch.Tensor([1, 1]), torch.Tensor([2, 2]), lambda a, b, c: a * c + b).tolist()
    /// [3.0, 5.0]
    fn map2<'py>(
        slf: Bound<'py, Self>,
        t1: &Bound<'py, PyAny>,
        t2: &Bound<'py, PyAny>,
        f: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        let (a, b) = (tensor_arg(t1, "map2")?, tensor_arg(t2, "map2")?);
        apply_elements(&slf, &[a, b], f, "map2")?;
        Ok(slf)
    }
}

/// Fills the Float/Double self with `draw` (arguments checked before anything is drawn).
fn fill_float(
    slf: &Bound<'_, PyTensor>,
    gen: Option<&Bound<'_, PyGenerator>>,
    what: &str,
    draw: impl Fn(&mut Generator) -> Result<f64, String> + Send + Sync,
) -> PyResult<()> {
    need_float_t(&slf.get().get(), what)?;
    fill_any(slf, gen, what, draw)
}

/// Fills self with `draw` in row-major order (arguments checked before anything is drawn).
fn fill_any(
    slf: &Bound<'_, PyTensor>,
    gen: Option<&Bound<'_, PyGenerator>>,
    what: &str,
    draw: impl Fn(&mut Generator) -> Result<f64, String> + Send + Sync,
) -> PyResult<()> {
    let t = slf.get().get();
    require_math_type(&t, what)?;
    t.check_writable(what).py()?;
    let py = slf.py();
    with_generator(gen, |g| {
        check_draw(g, &draw)?;
        detach_for_draws(py, gen, t.numel(), || t.fill_with(|| draw(g).unwrap_or(f64::NAN))).py()
    })
}

/// Torch7's plain-family method: `x.f(args)` works on x and returns a new tensor; `r.f(x, args)`
/// (first argument a tensor) writes f(x, args) into r and returns r.
fn plain_method<'py>(
    slf: &Bound<'py, PyTensor>,
    args: &Bound<'py, PyTuple>,
    what: &str,
    f: impl FnOnce(&Tensor, &[Bound<'py, PyAny>]) -> PyResult<Tensor>,
) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    let a: Vec<_> = args.iter().collect();
    if let Some(first) = a.first().filter(|x| x.cast::<PyTensor>().is_ok()) {
        let src = math_arg(first, what)?;
        let r = f(&src, &a[1..])?;
        let o = slf.clone().into_any();
        return finish(py, Some(&o), r);
    }
    let me = slf.get().get();
    require_math_type(&me, what)?;
    wrap(py, f(&me, &a)?)
}

/// Adds this area's functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(zeros, m)?)?;
    m.add_function(wrap_pyfunction!(ones, m)?)?;
    m.add_function(wrap_pyfunction!(range, m)?)?;
    m.add_function(wrap_pyfunction!(linspace, m)?)?;
    m.add_function(wrap_pyfunction!(logspace, m)?)?;
    m.add_function(wrap_pyfunction!(eye, m)?)?;
    m.add_function(wrap_pyfunction!(diag, m)?)?;
    m.add_function(wrap_pyfunction!(tril, m)?)?;
    m.add_function(wrap_pyfunction!(triu, m)?)?;
    m.add_function(wrap_pyfunction!(cat, m)?)?;
    m.add_function(wrap_pyfunction!(reshape_fn, m)?)?;
    m.add_function(wrap_pyfunction!(gather, m)?)?;
    m.add_function(wrap_pyfunction!(scatter, m)?)?;
    m.add_function(wrap_pyfunction!(nonzero, m)?)?;
    m.add_function(wrap_pyfunction!(squeeze, m)?)?;
    m.add_function(wrap_pyfunction!(match_fn, m)?)?;
    m.add_function(wrap_pyfunction!(index, m)?)?;
    m.add_function(wrap_pyfunction!(masked_select, m)?)?;
    m.add_function(wrap_pyfunction!(rand, m)?)?;
    m.add_function(wrap_pyfunction!(randn, m)?)?;
    m.add_function(wrap_pyfunction!(randperm, m)?)?;
    m.add_function(wrap_pyfunction!(random, m)?)?;
    m.add_function(wrap_pyfunction!(normal, m)?)?;
    m.add_function(wrap_pyfunction!(exponential, m)?)?;
    m.add_function(wrap_pyfunction!(cauchy, m)?)?;
    m.add_function(wrap_pyfunction!(log_normal, m)?)?;
    m.add_function(wrap_pyfunction!(geometric, m)?)?;
    m.add_function(wrap_pyfunction!(bernoulli, m)?)?;
    m.add_function(wrap_pyfunction!(multinomial, m)?)?;
    m.add_function(wrap_pyfunction!(multinomial_alias_setup, m)?)?;
    m.add_function(wrap_pyfunction!(multinomial_alias, m)?)?;
    Ok(())
}
