//! Bindings for BLAS-like products (group E), LAPACK (group H), convolutions (group G), the @ operator.

use crate::convert;
use crate::errors::IntoPyResult;
use crate::out::{finish, result_tensor};
use crate::tensor::{maybe_detach, tensor_arg, wrap, PyTensor};
use ferrotorch::ops::linalg as la;
use ferrotorch::{Scalar, Tensor};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

/// A positional argument of the add* family: a number or a tensor.
enum Arg {
    N(Scalar),
    T(Tensor),
}

fn classify(args: &Bound<'_, PyTuple>) -> PyResult<Vec<Arg>> {
    args.iter()
        .map(|a| {
            if let Ok(t) = a.cast::<PyTensor>() {
                Ok(Arg::T(t.get().get()))
            } else {
                convert::scalar(&a).map(Arg::N).map_err(|_| {
                    PyTypeError::new_err(format!(
                        "expected a number or a tensor, got {}",
                        a.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                    ))
                })
            }
        })
        .collect()
}

/// `[v1,] C, [v2,] A, B`; for a method with two tensors, `[v1, [v2,]] A, B` with C = self.
fn parse_add(
    what: &str,
    args: Vec<Arg>,
    slf: Option<&Tensor>,
) -> PyResult<(Scalar, Tensor, Scalar, Tensor, Tensor)> {
    let usage = || {
        PyTypeError::new_err(format!(
            "{what} expects ([v1,] C, [v2,] A, B){}",
            if slf.is_some() { " or, as a method, ([v1, [v2,]] A, B) accumulating into self" } else { "" }
        ))
    };
    let nt = args.iter().filter(|a| matches!(a, Arg::T(_))).count();
    let mut nums: Vec<Scalar> = Vec::new();
    let mut tens: Vec<Tensor> = Vec::new();
    let (mut v1, mut v2) = (None, None);
    for a in args {
        match a {
            Arg::N(s) => nums.push(s),
            Arg::T(t) => {
                match (nt, tens.len(), nums.len()) {
                    (3, 0, 0) | (3, 1, 0) | (3, 2, 0) | (2, 0, 0) | (2, 1, 0) => {}
                    (3, 0, 1) => v1 = nums.pop(),
                    (3, 1, 1) => v2 = nums.pop(),
                    (2, 0, 1) => v1 = nums.pop(),
                    (2, 0, 2) => {
                        v2 = nums.pop();
                        v1 = nums.pop();
                    }
                    _ => return Err(usage()),
                }
                tens.push(t);
            }
        }
    }
    if !nums.is_empty() {
        return Err(usage());
    }
    let one = Scalar::Int(1);
    match (nt, slf) {
        (3, _) => {
            let b = tens.pop().ok_or_else(usage)?;
            let a = tens.pop().ok_or_else(usage)?;
            let c = tens.pop().ok_or_else(usage)?;
            Ok((v1.unwrap_or(one), c, v2.unwrap_or(one), a, b))
        }
        (2, Some(s)) => {
            let b = tens.pop().ok_or_else(usage)?;
            let a = tens.pop().ok_or_else(usage)?;
            Ok((v1.unwrap_or(one), s.clone(), v2.unwrap_or(one), a, b))
        }
        _ => Err(usage()),
    }
}

type AddFn = fn(&Tensor, Scalar, &Tensor, Scalar, &Tensor, &Tensor) -> ferrotorch::Result<()>;

type SizesFn = fn(&Tensor, &Tensor, &Tensor) -> Vec<usize>;

fn add_family(what: &str) -> (AddFn, SizesFn) {
    match what {
        "addmm" => (la::addmm_into, |_, a, b| vec![a.sizes()[0], b.sizes()[1]]),
        "addmv" => (la::addmv_into, |_, a, _| vec![a.sizes()[0]]),
        "addr" => (la::addr_into, |_, a, b| vec![a.sizes()[0], b.sizes()[0]]),
        "addbmm" => (la::addbmm_into, |_, a, b| vec![a.sizes()[1], b.sizes()[2]]),
        _ => (la::baddbmm_into, |_, a, b| vec![a.sizes()[0], a.sizes()[1], b.sizes()[2]]),
    }
}

/// Rank checks before the result is sized from the operands.
fn add_ranks(what: &str, c: &Tensor, a: &Tensor, b: &Tensor) -> PyResult<()> {
    let ranks = match what {
        "addmm" => [2, 2, 2],
        "addmv" => [1, 2, 1],
        "addr" => [2, 1, 1],
        "addbmm" => [2, 3, 3],
        _ => [3, 3, 3],
    };
    la::check_same_type(what, &[c, a, b]).py()?;
    la::check_rank(what, "the added tensor", c, ranks[0]).py()?;
    la::check_rank(what, "the first operand", a, ranks[1]).py()?;
    la::check_rank(what, "the second operand", b, ranks[2]).py()
}

fn run_add(
    py: Python<'_>,
    what: &str,
    res: &Tensor,
    parsed: (Scalar, Tensor, Scalar, Tensor, Tensor),
) -> PyResult<()> {
    let (v1, c, v2, a, b) = parsed;
    let (f, _) = add_family(what);
    let work = a.numel() + b.numel() + res.numel();
    maybe_detach(py, work, || f(res, v1, &c, v2, &a, &b)).py()
}

fn add_function<'py>(
    py: Python<'py>,
    what: &str,
    args: &Bound<'py, PyTuple>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let parsed = parse_add(what, classify(args)?, None)?;
    add_ranks(what, &parsed.1, &parsed.3, &parsed.4)?;
    let sizes = (add_family(what).1)(&parsed.1, &parsed.3, &parsed.4);
    let res = result_tensor(out, parsed.1.dtype(), &sizes)?;
    run_add(py, what, &res, parsed)?;
    finish(py, out, res)
}

fn add_method<'py>(
    slf: Bound<'py, PyTensor>,
    what: &str,
    args: &Bound<'py, PyTuple>,
) -> PyResult<Bound<'py, PyTensor>> {
    let py = slf.py();
    let me = slf.get().get();
    let parsed = parse_add(what, classify(args)?, Some(&me))?;
    add_ranks(what, &parsed.1, &parsed.3, &parsed.4)?;
    let res = if parsed.1.is_set_to(&me) {
        me
    } else {
        let sizes = (add_family(what).1)(&parsed.1, &parsed.3, &parsed.4);
        result_tensor(Some(slf.as_any()), parsed.1.dtype(), &sizes)?
    };
    run_add(py, what, &res, parsed)?;
    Ok(slf)
}

fn product<'py>(
    py: Python<'py>,
    what: &str,
    a: &Tensor,
    b: &Tensor,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    la::check_same_type(what, &[a, b]).py()?;
    let sizes = la::product_sizes(what, a, b).py()?;
    let res = result_tensor(out, a.dtype(), &sizes)?;
    maybe_detach(py, a.numel() + b.numel() + res.numel(), || la::product_into(what, &res, a, b)).py()?;
    finish(py, out, res)
}

fn product_method<'py>(
    slf: Bound<'py, PyTensor>,
    what: &str,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyTensor>> {
    let (a, b) = (tensor_arg(a, what)?, tensor_arg(b, what)?);
    product(slf.py(), what, &a, &b, Some(slf.as_any()))?;
    Ok(slf)
}

fn dot_value(py: Python<'_>, x: &Tensor, y: &Tensor) -> PyResult<Py<PyAny>> {
    let s = maybe_detach(py, x.numel(), || la::dot(x, y)).py()?;
    convert::scalar_to_py(py, s)
}

/// dot(x, y) -> number
///
/// Σ x_i·y_i over all elements, in row-major order; x and y need the same number of elements
/// (not the same shape) and the same type. Integer types accumulate in a 64-bit integer.
///
/// >>> import ferrotorch as torch
/// >>> torch.dot(torch.Tensor([1, 2, 3]), torch.Tensor([4, 5, 6]))
/// 32.0
#[pyfunction]
fn dot(py: Python<'_>, x: &Bound<'_, PyAny>, y: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    dot_value(py, &tensor_arg(x, "dot")?, &tensor_arg(y, "dot")?)
}

/// mv(M, v, out=None) -> tensor
///
/// Matrix-vector product: M (n×m) times v (size m) gives a vector of size n.
/// Method form: `r.mv(M, v)` puts the product in r.
///
/// >>> import ferrotorch as torch
/// >>> torch.mv(torch.Tensor([[1, 2], [3, 4]]), torch.Tensor([1, 1])).tolist()
/// [3.0, 7.0]
#[pyfunction]
#[pyo3(signature = (m, v, *, out = None))]
fn mv<'py>(
    py: Python<'py>,
    m: &Bound<'py, PyAny>,
    v: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    product(py, "mv", &tensor_arg(m, "mv")?, &tensor_arg(v, "mv")?, out)
}

/// mm(A, B, out=None) -> tensor
///
/// Matrix product: A (n×k) times B (k×m) gives n×m. Any layout (transposed, narrowed, stepped
/// views) goes to the GEMM with its strides, without a copy. Integer types wrap on overflow.
/// Method form: `M.mm(A, B)` puts A·B in M (resized).
///
/// >>> import ferrotorch as torch
/// >>> a = torch.Tensor([[1, 2], [3, 4]])
/// >>> torch.mm(a, a).tolist()
/// [[7.0, 10.0], [15.0, 22.0]]
/// >>> torch.mm(a, a.t()).tolist()
/// [[5.0, 11.0], [11.0, 25.0]]
#[pyfunction]
#[pyo3(signature = (a, b, *, out = None))]
fn mm<'py>(
    py: Python<'py>,
    a: &Bound<'py, PyAny>,
    b: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    product(py, "mm", &tensor_arg(a, "mm")?, &tensor_arg(b, "mm")?, out)
}

/// bmm(b1, b2, out=None) -> tensor
///
/// Batched matrix product: b1 (p×n×k) and b2 (p×k×m) give p×n×m with res[i] = b1[i]·b2[i].
/// Method form: `r.bmm(b1, b2)` puts the products in r.
///
/// >>> import ferrotorch as torch
/// >>> a = torch.Tensor([[[1, 2], [3, 4]], [[1, 0], [0, 1]]])
/// >>> torch.bmm(a, a).tolist()
/// [[[7.0, 10.0], [15.0, 22.0]], [[1.0, 0.0], [0.0, 1.0]]]
#[pyfunction]
#[pyo3(signature = (b1, b2, *, out = None))]
fn bmm<'py>(
    py: Python<'py>,
    b1: &Bound<'py, PyAny>,
    b2: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    product(py, "bmm", &tensor_arg(b1, "bmm")?, &tensor_arg(b2, "bmm")?, out)
}

/// ger(v1, v2, out=None) -> tensor
///
/// Outer product: v1 (size n) and v2 (size m) give the n×m matrix v1·v2ᵀ.
/// Method form: `M.ger(v1, v2)` puts the product in M.
///
/// >>> import ferrotorch as torch
/// >>> torch.ger(torch.Tensor([1, 2]), torch.Tensor([1, 10, 100])).tolist()
/// [[1.0, 10.0, 100.0], [2.0, 20.0, 200.0]]
#[pyfunction]
#[pyo3(signature = (v1, v2, *, out = None))]
fn ger<'py>(
    py: Python<'py>,
    v1: &Bound<'py, PyAny>,
    v2: &Bound<'py, PyAny>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    product(py, "ger", &tensor_arg(v1, "ger")?, &tensor_arg(v2, "ger")?, out)
}

/// addmv([v1,] vec, [v2,] M, v, out=None) -> tensor
///
/// v1·vec + v2·(M·v); v1 and v2 default to 1. Ranks: vec 1-D, M 2-D, v 1-D.
/// Methods: `vec.addmv(M, v)` accumulates into vec, `vec.addmv(v1, v2, M, v)` scales it first,
/// `r.addmv([v1,] vec, [v2,] M, v)` puts the result in r.
///
/// >>> import ferrotorch as torch
/// >>> m = torch.Tensor([[1, 2], [3, 4]])
/// >>> torch.addmv(torch.Tensor([1, 1]), m, torch.Tensor([1, 0])).tolist()
/// [2.0, 4.0]
/// >>> torch.addmv(2, torch.Tensor([1, 1]), 10, m, torch.Tensor([1, 0])).tolist()
/// [12.0, 32.0]
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn addmv<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    add_function(py, "addmv", args, out)
}

/// addmm([v1,] C, [v2,] A, B, out=None) -> tensor
///
/// v1·C + v2·(A·B); v1 and v2 default to 1. All three are 2-D.
/// Methods: `C.addmm(A, B)` accumulates A·B into C, `C.addmm(v1, v2, A, B)` makes
/// C = v1·C + v2·A·B, `r.addmm([v1,] C, [v2,] A, B)` puts the result in r.
///
/// >>> import ferrotorch as torch
/// >>> c = torch.Tensor([[1, 1], [1, 1]])
/// >>> a = torch.Tensor([[1, 2], [3, 4]])
/// >>> torch.addmm(c, a, a).tolist()
/// [[8.0, 11.0], [16.0, 23.0]]
/// >>> torch.addmm(0.5, c, 2, a, a).tolist()
/// [[14.5, 20.5], [30.5, 44.5]]
/// >>> c.addmm(a, a).tolist()
/// [[8.0, 11.0], [16.0, 23.0]]
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn addmm<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    add_function(py, "addmm", args, out)
}

/// addr([v1,] M, [v2,] x, y, out=None) -> tensor
///
/// v1·M + v2·(x·yᵀ); M 2-D, x and y 1-D. Methods as for addmm.
///
/// >>> import ferrotorch as torch
/// >>> torch.addr(torch.Tensor(2, 2), torch.Tensor([1, 2]), torch.Tensor([3, 4])).tolist()
/// [[3.0, 4.0], [6.0, 8.0]]
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn addr<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    add_function(py, "addr", args, out)
}

/// addbmm([v1,] M, [v2,] b1, b2, out=None) -> tensor
///
/// v1·M + v2·Σ_i b1[i]·b2[i]; M 2-D, b1 and b2 3-D. Methods as for addmm.
///
/// >>> import ferrotorch as torch
/// >>> b = torch.Tensor([[[1, 2], [3, 4]], [[1, 0], [0, 1]]])
/// >>> torch.addbmm(torch.Tensor(2, 2), b, b).tolist()
/// [[8.0, 10.0], [15.0, 23.0]]
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn addbmm<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    add_function(py, "addbmm", args, out)
}

/// baddbmm([v1,] M, [v2,] b1, b2, out=None) -> tensor
///
/// res[i] = v1·M[i] + v2·b1[i]·b2[i]; all three 3-D. Methods as for addmm.
///
/// >>> import ferrotorch as torch
/// >>> b = torch.Tensor([[[1, 2], [3, 4]], [[1, 0], [0, 1]]])
/// >>> torch.baddbmm(torch.Tensor(2, 2, 2).fill(1), b, b)[1].tolist()
/// [[2.0, 1.0], [1.0, 2.0]]
#[pyfunction]
#[pyo3(signature = (*args, out = None))]
fn baddbmm<'py>(
    py: Python<'py>,
    args: &Bound<'py, PyTuple>,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    add_function(py, "baddbmm", args, out)
}

/// The `@` product by ranks: 1-D@1-D dot (a number), 2-D@1-D mv, 2-D@2-D mm, 3-D@3-D bmm.
fn matmul(py: Python<'_>, a: &Tensor, b: &Tensor) -> PyResult<Py<PyAny>> {
    match (a.ndim(), b.ndim()) {
        (1, 1) => dot_value(py, a, b),
        (2, 1) => product(py, "mv", a, b, None),
        (2, 2) => product(py, "mm", a, b, None),
        (3, 3) => product(py, "bmm", a, b, None),
        (x, y) => Err(PyValueError::new_err(format!(
            "@: multiplication between {x}D and {y}D tensors is not supported (1D@1D, 2D@1D, 2D@2D, 3D@3D)"
        ))),
    }
}

#[pymethods]
impl PyTensor {
    /// x.dot(y) -> number (see torch.dot)
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor([1, 2]).dot(torch.Tensor([3, 4]))
    /// 11.0
    #[pyo3(name = "dot")]
    fn dot_method(slf: &Bound<'_, Self>, y: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        dot_value(slf.py(), &slf.get().get(), &tensor_arg(y, "dot")?)
    }

    /// r.mv(M, v) -> r, holding M·v (resized)
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor().mv(torch.Tensor([[1, 0], [0, 1]]), torch.Tensor([5, 6])).tolist()
    /// [5.0, 6.0]
    #[pyo3(name = "mv")]
    fn mv_method<'py>(
        slf: Bound<'py, Self>,
        m: &Bound<'py, PyAny>,
        v: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        product_method(slf, "mv", m, v)
    }

    /// M.mm(A, B) -> M, holding A·B (resized)
    ///
    /// >>> import ferrotorch as torch
    /// >>> m = torch.Tensor()
    /// >>> m.mm(torch.Tensor([[1, 2]]), torch.Tensor([[3], [4]])).tolist()
    /// [[11.0]]
    #[pyo3(name = "mm")]
    fn mm_method<'py>(
        slf: Bound<'py, Self>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        product_method(slf, "mm", a, b)
    }

    /// r.bmm(b1, b2) -> r, holding the batched products (resized)
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor().bmm(torch.Tensor(2, 1, 3).fill(1), torch.Tensor(2, 3, 1).fill(1)).tolist()
    /// [[[3.0]], [[3.0]]]
    #[pyo3(name = "bmm")]
    fn bmm_method<'py>(
        slf: Bound<'py, Self>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        product_method(slf, "bmm", a, b)
    }

    /// M.ger(v1, v2) -> M, holding v1·v2ᵀ (resized)
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor().ger(torch.Tensor([1, 2]), torch.Tensor([3])).tolist()
    /// [[3.0], [6.0]]
    #[pyo3(name = "ger")]
    fn ger_method<'py>(
        slf: Bound<'py, Self>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, Self>> {
        product_method(slf, "ger", a, b)
    }

    /// vec.addmv(M, v) / vec.addmv(v1, v2, M, v) / r.addmv([v1,] vec, [v2,] M, v) -> self
    ///
    /// >>> import ferrotorch as torch
    /// >>> y = torch.Tensor([1, 1])
    /// >>> y.addmv(torch.Tensor([[1, 0], [0, 1]]), torch.Tensor([2, 3])).tolist()
    /// [3.0, 4.0]
    #[pyo3(name = "addmv", signature = (*args))]
    fn addmv_method<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        add_method(slf, "addmv", args)
    }

    /// C.addmm(A, B) / C.addmm(v1, v2, A, B) / r.addmm([v1,] C, [v2,] A, B) -> self
    ///
    /// >>> import ferrotorch as torch
    /// >>> c = torch.Tensor(2, 2).fill(1)
    /// >>> c.addmm(0, 2, torch.Tensor([[1, 0], [0, 1]]), torch.Tensor([[1, 0], [0, 1]])).tolist()
    /// [[2.0, 0.0], [0.0, 2.0]]
    #[pyo3(name = "addmm", signature = (*args))]
    fn addmm_method<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        add_method(slf, "addmm", args)
    }

    /// M.addr(x, y) / M.addr(v1, v2, x, y) / r.addr([v1,] M, [v2,] x, y) -> self
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor(2, 2).fill(1).addr(torch.Tensor([1, 2]), torch.Tensor([1, 1])).tolist()
    /// [[2.0, 2.0], [3.0, 3.0]]
    #[pyo3(name = "addr", signature = (*args))]
    fn addr_method<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        add_method(slf, "addr", args)
    }

    /// M.addbmm(b1, b2) / M.addbmm(v1, v2, b1, b2) / r.addbmm([v1,] M, [v2,] b1, b2) -> self
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor(1, 1).addbmm(torch.Tensor(3, 1, 2).fill(1), torch.Tensor(3, 2, 1).fill(1)).tolist()
    /// [[6.0]]
    #[pyo3(name = "addbmm", signature = (*args))]
    fn addbmm_method<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        add_method(slf, "addbmm", args)
    }

    /// M.baddbmm(b1, b2) / M.baddbmm(v1, v2, b1, b2) / r.baddbmm([v1,] M, [v2,] b1, b2) -> self
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor(2, 1, 1).baddbmm(torch.Tensor(2, 1, 2).fill(1), torch.Tensor(2, 2, 1).fill(1)).tolist()
    /// [[[2.0]], [[2.0]]]
    #[pyo3(name = "baddbmm", signature = (*args))]
    fn baddbmm_method<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        add_method(slf, "baddbmm", args)
    }

    /// a @ b: 1-D@1-D dot (a number), 2-D@1-D mv, 2-D@2-D mm, 3-D@3-D bmm
    fn __matmul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let Ok(o) = other.cast::<PyTensor>() else {
            return Ok(py.NotImplemented());
        };
        matmul(py, &slf.get().get(), &o.get().get())
    }

    fn __rmatmul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        let Ok(o) = other.cast::<PyTensor>() else {
            return Ok(py.NotImplemented());
        };
        matmul(py, &o.get().get(), &slf.get().get())
    }

    /// a @= b: writes a @ b into a (the product must have a's shape, ValueError otherwise)
    fn __imatmul__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = slf.py();
        let o = other.cast::<PyTensor>().map_err(|_| PyTypeError::new_err("@=: expected a tensor"))?;
        let (a, b) = (slf.get().get(), o.get().get());
        let r = matmul(py, &a, &b)?;
        let r = r.bind(py).cast::<PyTensor>().map_err(|_| {
            PyValueError::new_err("@=: a 1-D @ 1-D product is a number and cannot be stored in place")
        })?;
        let rt = r.get().get();
        if rt.sizes() != a.sizes() {
            return Err(PyValueError::new_err(format!(
                "@=: the product has size {} but the tensor has size {}",
                ferrotorch::layout::size_string(rt.sizes()),
                ferrotorch::layout::size_string(a.sizes())
            )));
        }
        a.copy_(&rt).py()
    }
}

// ------------------------------------------------------------------------------ LAPACK (H)

/// 'U'/'L' → upper?
fn opt_flag(what: &str, name: &str, v: &str, yes: &str, no: &str) -> PyResult<bool> {
    if v == yes {
        Ok(true)
    } else if v == no {
        Ok(false)
    } else {
        Err(PyValueError::new_err(format!("{what}: {name} must be '{yes}' or '{no}', got '{v}'")))
    }
}

/// Returns the results: a tensor or a tuple of new tensors, or the `out=` tensors (a tuple of
/// as many, or one tensor for one result) holding them.
fn lapack_results(
    py: Python<'_>,
    what: &str,
    out: Option<&Bound<'_, PyAny>>,
    results: Vec<Tensor>,
) -> PyResult<Py<PyAny>> {
    let n = results.len();
    let Some(out) = out else {
        if n == 1 {
            return wrap(py, results.into_iter().next().expect("one result"));
        }
        let items = results.into_iter().map(|t| wrap(py, t)).collect::<PyResult<Vec<_>>>()?;
        return Ok(PyTuple::new(py, items)?.into_any().unbind());
    };
    let targets: Vec<Bound<'_, PyAny>> = if n == 1 && out.cast::<PyTensor>().is_ok() {
        vec![out.clone()]
    } else {
        let seq: Vec<Bound<'_, PyAny>> = out
            .try_iter()?
            .collect::<PyResult<_>>()
            .map_err(|_| PyTypeError::new_err(format!("{what}: out= expects a tuple of {n} tensors")))?;
        if seq.len() != n {
            return Err(PyValueError::new_err(format!(
                "{what}: out= expects {n} tensors, got {}",
                seq.len()
            )));
        }
        seq
    };
    for (o, r) in targets.iter().zip(&results) {
        let t = result_tensor(Some(o), r.dtype(), r.sizes())?;
        if r.ndim() > 0 {
            t.copy_(r).py()?;
        }
    }
    if n == 1 {
        return Ok(targets.into_iter().next().expect("one target").unbind());
    }
    Ok(PyTuple::new(py, targets)?.into_any().unbind())
}

fn targ(o: &Bound<'_, PyAny>, what: &str) -> PyResult<Tensor> {
    let t = tensor_arg(o, what)?;
    crate::tensor::require_math_type(&t, what)?;
    Ok(t)
}

fn work(t: &Tensor) -> usize {
    t.numel().saturating_mul(t.sizes().first().copied().unwrap_or(1))
}

/// gesv(B, A, out=None) -> (X, LU)
///
/// Solves A·X = B for square A (note: B comes first, as in Torch7). LU holds A's LU
/// factorization with partial pivoting (LAPACK getrf's packed form). Results are column-major.
/// A singular A raises ValueError. Float/Double only.
///
/// >>> import ferrotorch as torch
/// >>> x, lu = torch.gesv(torch.Tensor([[3], [5]]), torch.Tensor([[2, 1], [1, 3]]))
/// >>> [round(row[0], 6) for row in x.tolist()]
/// [0.8, 1.4]
#[pyfunction]
#[pyo3(signature = (b, a, *, out = None))]
fn gesv(
    py: Python<'_>,
    b: &Bound<'_, PyAny>,
    a: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let (b, a) = (targ(b, "gesv")?, targ(a, "gesv")?);
    let (x, lu) = maybe_detach(py, work(&a), || la::gesv(&b, &a)).py()?;
    lapack_results(py, "gesv", out, vec![x, lu])
}

/// trtrs(B, A, uplo='U', trans='N', diag='N', out=None) -> (X, Acopy)
///
/// Solves op(A)·X = B with A triangular: uplo 'U'/'L' picks the triangle, trans 'T' uses Aᵀ,
/// diag 'U' assumes a unit diagonal. A zero on A's diagonal raises ValueError.
///
/// >>> import ferrotorch as torch
/// >>> x, _ = torch.trtrs(torch.Tensor([[4], [2]]), torch.Tensor([[2, 2], [0, 1]]))
/// >>> x.tolist()
/// [[0.0], [2.0]]
#[pyfunction]
#[pyo3(signature = (b, a, uplo = "U", trans = "N", diag = "N", *, out = None))]
#[allow(clippy::too_many_arguments)]
fn trtrs(
    py: Python<'_>,
    b: &Bound<'_, PyAny>,
    a: &Bound<'_, PyAny>,
    uplo: &str,
    trans: &str,
    diag: &str,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let (b, a) = (targ(b, "trtrs")?, targ(a, "trtrs")?);
    let upper = opt_flag("trtrs", "uplo", uplo, "U", "L")?;
    let tr = opt_flag("trtrs", "trans", trans, "T", "N")?;
    let unit = opt_flag("trtrs", "diag", diag, "U", "N")?;
    let (x, c) = maybe_detach(py, work(&a), || la::trtrs(&b, &a, upper, tr, unit)).py()?;
    lapack_results(py, "trtrs", out, vec![x, c])
}

/// gels(B, A, out=None) -> (X, factor)
///
/// Least squares min ‖A·X − B‖ for an m×n A with m ≥ n, the minimum-norm solution for m < n;
/// X has n rows. The second result is A's Householder QR (m ≥ n) or LQ (m < n) factor.
/// A rank-deficient A raises ValueError.
///
/// >>> import ferrotorch as torch
/// >>> x, _ = torch.gels(torch.Tensor([[1], [2], [3]]), torch.Tensor([[1, 0], [0, 1], [1, 1]]))
/// >>> [round(row[0], 6) for row in x.tolist()]
/// [1.0, 2.0]
#[pyfunction]
#[pyo3(signature = (b, a, *, out = None))]
fn gels(
    py: Python<'_>,
    b: &Bound<'_, PyAny>,
    a: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let (b, a) = (targ(b, "gels")?, targ(a, "gels")?);
    let (x, f) = maybe_detach(py, work(&a), || la::gels(&b, &a)).py()?;
    lapack_results(py, "gels", out, vec![x, f])
}

/// symeig(A, jobz='N', uplo='U', out=None) -> (e, V)
///
/// Eigenvalues e (ascending) and, with jobz 'V', eigenvectors V (columns) of the symmetric A,
/// read from its upper ('U') or lower ('L') triangle. With 'N', V is an empty tensor.
///
/// >>> import ferrotorch as torch
/// >>> e, v = torch.symeig(torch.Tensor([[2, 1], [1, 2]]), 'V')
/// >>> [round(x, 6) for x in e.tolist()]
/// [1.0, 3.0]
#[pyfunction]
#[pyo3(signature = (a, jobz = "N", uplo = "U", *, out = None))]
fn symeig(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    jobz: &str,
    uplo: &str,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = targ(a, "symeig")?;
    let v = opt_flag("symeig", "jobz", jobz, "V", "N")?;
    let upper = opt_flag("symeig", "uplo", uplo, "U", "L")?;
    let (e, vv) = maybe_detach(py, work(&a), || la::symeig(&a, v, upper)).py()?;
    lapack_results(py, "symeig", out, vec![e, vv])
}

/// eig(A, jobvr='N', out=None) -> (e, V)
///
/// Eigenvalues of a general square A as an n×2 tensor (real, imaginary parts; a complex pair
/// has the positive imaginary part first) and, with 'V', right eigenvectors in LAPACK's real
/// format (for a pair, columns j and j+1 hold the real and imaginary parts). With 'N', V is an
/// empty tensor. The order of the eigenvalues is the solver's (not sorted), as in LAPACK.
///
/// >>> import ferrotorch as torch
/// >>> e, _ = torch.eig(torch.Tensor([[0, -1], [1, 0]]))
/// >>> sorted([round(x, 6) + 0.0 for row in e.tolist() for x in row])
/// [-1.0, 0.0, 0.0, 1.0]
#[pyfunction]
#[pyo3(signature = (a, jobvr = "N", *, out = None))]
fn eig(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    jobvr: &str,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = targ(a, "eig")?;
    let v = opt_flag("eig", "jobvr", jobvr, "V", "N")?;
    let (e, vv) = maybe_detach(py, work(&a), || la::eig(&a, v)).py()?;
    lapack_results(py, "eig", out, vec![e, vv])
}

/// svd(A, some='S', out=None) -> (U, S, V)
///
/// Singular value decomposition A = U·diag(S)·Vᵀ, S descending. Returns V, not Vᵀ (Torch7).
/// 'S' gives the reduced form (U m×k, V n×k, k = min(m, n)), 'A' the full one.
///
/// >>> import ferrotorch as torch
/// >>> u, s, v = torch.svd(torch.Tensor([[3, 0], [0, -2]]))
/// >>> [round(x, 6) for x in s.tolist()]
/// [3.0, 2.0]
#[pyfunction]
#[pyo3(signature = (a, some = "S", *, out = None))]
fn svd(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    some: &str,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = targ(a, "svd")?;
    let reduced = opt_flag("svd", "some", some, "S", "A")?;
    let (u, s, v) = maybe_detach(py, work(&a), || la::svd(&a, reduced)).py()?;
    lapack_results(py, "svd", out, vec![u, s, v])
}

/// inverse(A, out=None) -> tensor
///
/// The inverse of a square matrix (LU with partial pivoting). A singular matrix raises
/// ValueError. Method form: `A.inverse()` returns a new tensor.
///
/// >>> import ferrotorch as torch
/// >>> torch.inverse(torch.Tensor([[2, 0], [0, 4]])).tolist()
/// [[0.5, 0.0], [0.0, 0.25]]
#[pyfunction]
#[pyo3(signature = (a, *, out = None))]
fn inverse(py: Python<'_>, a: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let a = targ(a, "inverse")?;
    let r = maybe_detach(py, work(&a), || la::inverse(&a)).py()?;
    lapack_results(py, "inverse", out, vec![r])
}

/// potrf(A, uplo='U', out=None) -> tensor
///
/// Cholesky factor of a symmetric positive definite A: U with A = UᵀU ('U', reading A's upper
/// triangle) or L with A = L·Lᵀ ('L'); the other triangle is zero. Not positive definite →
/// ValueError.
///
/// >>> import ferrotorch as torch
/// >>> torch.potrf(torch.Tensor([[4, 2], [2, 5]])).tolist()
/// [[2.0, 1.0], [0.0, 2.0]]
#[pyfunction]
#[pyo3(signature = (a, uplo = "U", *, out = None))]
fn potrf(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    uplo: &str,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = targ(a, "potrf")?;
    let upper = opt_flag("potrf", "uplo", uplo, "U", "L")?;
    let r = maybe_detach(py, work(&a), || la::potrf(&a, upper)).py()?;
    lapack_results(py, "potrf", out, vec![r])
}

/// potrs(B, chol, uplo='U', out=None) -> tensor
///
/// Solves A·X = B given A's Cholesky factor (from potrf with the same uplo).
///
/// >>> import ferrotorch as torch
/// >>> u = torch.potrf(torch.Tensor([[4, 2], [2, 5]]))
/// >>> [round(row[0], 6) for row in torch.potrs(torch.Tensor([[6], [7]]), u).tolist()]
/// [1.0, 1.0]
#[pyfunction]
#[pyo3(signature = (b, chol, uplo = "U", *, out = None))]
fn potrs(
    py: Python<'_>,
    b: &Bound<'_, PyAny>,
    chol: &Bound<'_, PyAny>,
    uplo: &str,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let (b, c) = (targ(b, "potrs")?, targ(chol, "potrs")?);
    let upper = opt_flag("potrs", "uplo", uplo, "U", "L")?;
    let r = maybe_detach(py, work(&c), || la::potrs(&b, &c, upper)).py()?;
    lapack_results(py, "potrs", out, vec![r])
}

/// potri(chol, uplo='U', out=None) -> tensor
///
/// The inverse of A from its Cholesky factor (the full symmetric matrix).
///
/// >>> import ferrotorch as torch
/// >>> torch.potri(torch.potrf(torch.Tensor([[4, 0], [0, 16]]))).tolist()
/// [[0.25, 0.0], [0.0, 0.0625]]
#[pyfunction]
#[pyo3(signature = (chol, uplo = "U", *, out = None))]
fn potri(
    py: Python<'_>,
    chol: &Bound<'_, PyAny>,
    uplo: &str,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let c = targ(chol, "potri")?;
    let upper = opt_flag("potri", "uplo", uplo, "U", "L")?;
    let r = maybe_detach(py, work(&c), || la::potri(&c, upper)).py()?;
    lapack_results(py, "potri", out, vec![r])
}

/// pstrf(A, uplo='U', tol=-1, out=None) -> (U, piv)
///
/// Pivoted Cholesky of a symmetric positive semidefinite A: A[piv][:, piv] = UᵀU ('U') or
/// L·Lᵀ ('L'). piv is a 0-based IntTensor (Torch7's was 1-based). Stops at the numerical rank
/// (pivot ≤ tol; tol < 0 means n·eps·max(diag)); rows of U from the rank on are zero.
///
/// >>> import ferrotorch as torch
/// >>> u, piv = torch.pstrf(torch.Tensor([[1, 0], [0, 4]]))
/// >>> u.tolist(), piv.tolist()
/// ([[2.0, 0.0], [0.0, 1.0]], [1, 0])
#[pyfunction]
#[pyo3(signature = (a, uplo = "U", tol = -1.0, *, out = None))]
fn pstrf(
    py: Python<'_>,
    a: &Bound<'_, PyAny>,
    uplo: &str,
    tol: f64,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let a = targ(a, "pstrf")?;
    let upper = opt_flag("pstrf", "uplo", uplo, "U", "L")?;
    let (u, piv) = maybe_detach(py, work(&a), || la::pstrf(&a, upper, tol)).py()?;
    lapack_results(py, "pstrf", out, vec![u, piv])
}

/// qr(A, out=None) -> (Q, R)
///
/// Reduced QR: A (m×n) = Q·R with Q m×k orthonormal columns and R k×n upper triangular,
/// k = min(m, n). Signs of Q's columns / R's rows may differ from LAPACK's.
///
/// >>> import ferrotorch as torch
/// >>> q, r = torch.qr(torch.Tensor([[3, 1], [4, 2]]))
/// >>> [round(abs(v), 6) for row in r.tolist() for v in row]
/// [5.0, 2.2, 0.0, 0.4]
#[pyfunction]
#[pyo3(signature = (a, *, out = None))]
fn qr(py: Python<'_>, a: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let a = targ(a, "qr")?;
    let (q, r) = maybe_detach(py, work(&a), || la::qr(&a)).py()?;
    lapack_results(py, "qr", out, vec![q, r])
}

/// geqrf(A, out=None) -> (m, tau)
///
/// LAPACK's geqrf: R on and above the diagonal of m, the Householder vectors below it, and
/// their scalars tau (Q = H_0···H_{k-1}, H_i = I − tau_i·v_i·v_iᵀ). Use with orgqr / ormqr.
///
/// >>> import ferrotorch as torch
/// >>> m, tau = torch.geqrf(torch.Tensor([[3, 1], [4, 2]]))
/// >>> [round(v, 6) for row in m.tolist() for v in row], [round(v, 6) for v in tau.tolist()]
/// ([-5.0, -2.2, 0.5, 0.4], [1.6, 0.0])
#[pyfunction]
#[pyo3(signature = (a, *, out = None))]
fn geqrf(py: Python<'_>, a: &Bound<'_, PyAny>, out: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
    let a = targ(a, "geqrf")?;
    let (m, tau) = maybe_detach(py, work(&a), || la::geqrf(&a)).py()?;
    lapack_results(py, "geqrf", out, vec![m, tau])
}

/// orgqr(m, tau, out=None) -> tensor
///
/// The m×n matrix Q with orthonormal columns from geqrf's reflectors.
///
/// >>> import ferrotorch as torch
/// >>> q = torch.orgqr(*torch.geqrf(torch.Tensor([[3, 1], [4, 2]])))
/// >>> [round(v, 6) for row in q.tolist() for v in row]
/// [-0.6, -0.8, -0.8, 0.6]
#[pyfunction]
#[pyo3(signature = (m, tau, *, out = None))]
fn orgqr(
    py: Python<'_>,
    m: &Bound<'_, PyAny>,
    tau: &Bound<'_, PyAny>,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let (m, tau) = (targ(m, "orgqr")?, targ(tau, "orgqr")?);
    let q = maybe_detach(py, work(&m), || la::orgqr(&m, &tau)).py()?;
    lapack_results(py, "orgqr", out, vec![q])
}

/// ormqr(m, tau, C, side='L', trans='N', out=None) -> tensor
///
/// Multiplies C by the Q of geqrf's reflectors: Q·C ('L', 'N'), Qᵀ·C ('L', 'T'), C·Q ('R', 'N')
/// or C·Qᵀ ('R', 'T'). Torch7 read a contiguous m as if it were column-major (a layout bug);
/// this computes the logical product, as LAPACK's ormqr on m's values.
///
/// >>> import ferrotorch as torch
/// >>> m, tau = torch.geqrf(torch.Tensor([[3, 1], [4, 2]]))
/// >>> [round(row[0], 6) for row in torch.ormqr(m, tau, torch.Tensor([[1], [0]])).tolist()]
/// [-0.6, -0.8]
#[pyfunction]
#[pyo3(signature = (m, tau, c, side = "L", trans = "N", *, out = None))]
#[allow(clippy::too_many_arguments)]
fn ormqr(
    py: Python<'_>,
    m: &Bound<'_, PyAny>,
    tau: &Bound<'_, PyAny>,
    c: &Bound<'_, PyAny>,
    side: &str,
    trans: &str,
    out: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let (m, tau, c) = (targ(m, "ormqr")?, targ(tau, "ormqr")?, targ(c, "ormqr")?);
    let left = opt_flag("ormqr", "side", side, "L", "R")?;
    let tr = opt_flag("ormqr", "trans", trans, "T", "N")?;
    let r = maybe_detach(py, work(&c), || la::ormqr(&m, &tau, &c, left, tr)).py()?;
    lapack_results(py, "ormqr", out, vec![r])
}

// ------------------------------------------------------------------------ convolutions (G)

fn conv_mode(what: &str, mode: &str) -> PyResult<bool> {
    opt_flag(what, "the mode", mode, "F", "V")
}

#[allow(clippy::too_many_arguments)]
fn conv_common<'py>(
    py: Python<'py>,
    what: &str,
    nd: usize,
    flip: bool,
    x: &Tensor,
    k: &Tensor,
    mode: &str,
    out: Option<&Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    crate::tensor::require_math_type(x, what)?;
    let full = conv_mode(what, mode)?;
    let r =
        maybe_detach(py, x.numel().saturating_mul(k.numel()), || la::convolve(what, x, k, nd, full, flip))
            .py()?;
    let Some(o) = out else {
        return wrap(py, r);
    };
    let t = result_tensor(Some(o), r.dtype(), r.sizes())?;
    t.copy_(&r).py()?;
    finish(py, out, t)
}

macro_rules! conv_fn {
    ($name:ident, $meth:literal, $nd:expr, $flip:expr, $doc:literal, $mdoc:literal) => {
        #[doc = $doc]
        #[pyfunction]
        #[pyo3(signature = (x, k, mode = "V", *, out = None))]
        fn $name<'py>(
            py: Python<'py>,
            x: &Bound<'py, PyAny>,
            k: &Bound<'py, PyAny>,
            mode: &str,
            out: Option<&Bound<'py, PyAny>>,
        ) -> PyResult<Py<PyAny>> {
            let w = stringify!($name);
            conv_common(py, w, $nd, $flip, &tensor_arg(x, w)?, &tensor_arg(k, w)?, mode, out)
        }

        #[pymethods]
        impl PyTensor {
            #[doc = $mdoc]
            #[pyo3(name = $meth, signature = (*args))]
            fn $name<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Py<PyAny>> {
                let w = stringify!($name);
                let py = slf.py();
                let items: Vec<Bound<'py, PyAny>> = args.iter().collect();
                let mode_at = |i: usize| -> PyResult<String> {
                    items
                        .get(i)
                        .map(|m| m.extract::<String>())
                        .transpose()
                        .map(|m| m.unwrap_or_else(|| "V".into()))
                };
                let second_is_tensor = items.get(1).is_some_and(|a| a.cast::<PyTensor>().is_ok());
                if second_is_tensor {
                    // r.f(x, k [, mode]) writes into r.
                    let (x, k) = (tensor_arg(&items[0], w)?, tensor_arg(&items[1], w)?);
                    conv_common(py, w, $nd, $flip, &x, &k, &mode_at(2)?, Some(slf.as_any()))
                } else {
                    let k =
                        items.first().ok_or_else(|| PyTypeError::new_err(format!("{w} expects a kernel")))?;
                    conv_common(py, w, $nd, $flip, &slf.get().get(), &tensor_arg(k, w)?, &mode_at(1)?, None)
                }
            }
        }
    };
}

conv_fn!(
    conv2,
    "conv2",
    2,
    true,
    "conv2(x, k, mode='V', out=None) -> tensor\n\n2-D convolution (the kernel flipped) of x by k: 'V' valid (size in - k + 1) or 'F'\nfull (in + k - 1). x and k 2-D; x (p×h×w) and k (p×kh×kw) slice-wise; or x (p×h×w) and k\n(q×p×kh×kw) giving q planes summed over p. GEMM-based (im2col). Methods: `x.conv2(k [, mode])`\nreturns a new tensor, `r.conv2(x, k [, mode])` writes into r.\n\n>>> import ferrotorch as torch\n>>> x = torch.Tensor([[1, 2, 3], [4, 5, 6]])\n>>> torch.conv2(x, torch.Tensor([[1, 0], [0, -1]])).tolist()\n[[4.0, 4.0]]",
    "x.conv2(k [, mode]) -> new tensor; r.conv2(x, k [, mode]) -> r (see torch.conv2)"
);
conv_fn!(
    xcorr2,
    "xcorr2",
    2,
    false,
    "xcorr2(x, k, mode='V', out=None) -> tensor\n\n2-D cross-correlation (the kernel not flipped); shapes and modes as conv2.\n\n>>> import ferrotorch as torch\n>>> x = torch.Tensor([[1, 2, 3], [4, 5, 6]])\n>>> torch.xcorr2(x, torch.Tensor([[1, 0], [0, -1]])).tolist()\n[[-4.0, -4.0]]\n>>> torch.xcorr2(x, torch.Tensor([[1, 1]]), 'F').tolist()\n[[1.0, 3.0, 5.0, 3.0], [4.0, 9.0, 11.0, 6.0]]",
    "x.xcorr2(k [, mode]) -> new tensor; r.xcorr2(x, k [, mode]) -> r (see torch.xcorr2)"
);
conv_fn!(
    conv3,
    "conv3",
    3,
    true,
    "conv3(x, k, mode='V', out=None) -> tensor\n\n3-D convolution (the kernel flipped): x and k 3-D, 4-D slice-wise, or x 4-D (p×d×h×w)\nwith k 5-D (q×p×kd×kh×kw) summing over p. Modes as conv2.\n\n>>> import ferrotorch as torch\n>>> x = torch.Tensor(2, 2, 2).fill(1)\n>>> torch.conv3(x, torch.Tensor(2, 2, 2).fill(1)).tolist()\n[[[8.0]]]",
    "x.conv3(k [, mode]) -> new tensor; r.conv3(x, k [, mode]) -> r (see torch.conv3)"
);
conv_fn!(
    xcorr3,
    "xcorr3",
    3,
    false,
    "xcorr3(x, k, mode='V', out=None) -> tensor\n\n3-D cross-correlation; shapes and modes as conv3.\n\n>>> import ferrotorch as torch\n>>> x = torch.Tensor(1, 2, 2).fill(1)\n>>> torch.xcorr3(x, torch.Tensor(1, 1, 2).fill(1), 'F').size() == (1, 2, 3)\nTrue",
    "x.xcorr3(k [, mode]) -> new tensor; r.xcorr3(x, k [, mode]) -> r (see torch.xcorr3)"
);

#[pymethods]
impl PyTensor {
    /// A.inverse() -> a new tensor, the inverse of A (see torch.inverse)
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.Tensor([[4]]).inverse().tolist()
    /// [[0.25]]
    #[pyo3(name = "inverse")]
    fn inverse_method(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        inverse(slf.py(), slf.as_any(), None)
    }

    /// A.potrf([uplo]) -> a new tensor, A's Cholesky factor (see torch.potrf)
    #[pyo3(name = "potrf", signature = (uplo = "U"))]
    fn potrf_method(slf: &Bound<'_, Self>, uplo: &str) -> PyResult<Py<PyAny>> {
        potrf(slf.py(), slf.as_any(), uplo, None)
    }

    /// A.svd([some]) -> (U, S, V) (see torch.svd)
    #[pyo3(name = "svd", signature = (some = "S"))]
    fn svd_method(slf: &Bound<'_, Self>, some: &str) -> PyResult<Py<PyAny>> {
        svd(slf.py(), slf.as_any(), some, None)
    }

    /// A.symeig([jobz [, uplo]]) -> (e, V) (see torch.symeig)
    #[pyo3(name = "symeig", signature = (jobz = "N", uplo = "U"))]
    fn symeig_method(slf: &Bound<'_, Self>, jobz: &str, uplo: &str) -> PyResult<Py<PyAny>> {
        symeig(slf.py(), slf.as_any(), jobz, uplo, None)
    }

    /// A.eig([jobvr]) -> (e, V) (see torch.eig)
    #[pyo3(name = "eig", signature = (jobvr = "N"))]
    fn eig_method(slf: &Bound<'_, Self>, jobvr: &str) -> PyResult<Py<PyAny>> {
        eig(slf.py(), slf.as_any(), jobvr, None)
    }

    /// A.qr() -> (Q, R) (see torch.qr)
    #[pyo3(name = "qr")]
    fn qr_method(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        qr(slf.py(), slf.as_any(), None)
    }
}

/// Adds this area's functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(dot, m)?)?;
    m.add_function(wrap_pyfunction!(mv, m)?)?;
    m.add_function(wrap_pyfunction!(mm, m)?)?;
    m.add_function(wrap_pyfunction!(bmm, m)?)?;
    m.add_function(wrap_pyfunction!(ger, m)?)?;
    m.add_function(wrap_pyfunction!(addmv, m)?)?;
    m.add_function(wrap_pyfunction!(addmm, m)?)?;
    m.add_function(wrap_pyfunction!(addr, m)?)?;
    m.add_function(wrap_pyfunction!(addbmm, m)?)?;
    m.add_function(wrap_pyfunction!(baddbmm, m)?)?;
    for f in [
        wrap_pyfunction!(gesv, m)?,
        wrap_pyfunction!(trtrs, m)?,
        wrap_pyfunction!(gels, m)?,
        wrap_pyfunction!(symeig, m)?,
        wrap_pyfunction!(eig, m)?,
        wrap_pyfunction!(svd, m)?,
        wrap_pyfunction!(inverse, m)?,
        wrap_pyfunction!(potrf, m)?,
        wrap_pyfunction!(potrs, m)?,
        wrap_pyfunction!(potri, m)?,
        wrap_pyfunction!(pstrf, m)?,
        wrap_pyfunction!(qr, m)?,
        wrap_pyfunction!(geqrf, m)?,
        wrap_pyfunction!(orgqr, m)?,
        wrap_pyfunction!(ormqr, m)?,
        wrap_pyfunction!(conv2, m)?,
        wrap_pyfunction!(xcorr2, m)?,
        wrap_pyfunction!(conv3, m)?,
        wrap_pyfunction!(xcorr3, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
