//! Bindings for reductions and dimension-wise functions (group F): sum ... sort, topk, histc.
//!
//! Every function is one `Call` parser shared by the function form `torch.f(x, ...)` and the
//! method form. Methods follow Torch7's plain pattern: `x.f(args)` takes x as the input and
//! returns a new result; `r.f(x, args)` (a tensor first) writes the result into r (for the
//! two-result functions, `vals.f(idx, x, args)`). renorm is in-place as a method.

use crate::convert;
use crate::errors::IntoPyResult;
use crate::out::{finish, result_tensor};
use crate::tensor::{maybe_detach, require_math_type, tensor_arg, wrap, PyTensor};
use ferrotorch::ops::reduce::Reduction;
use ferrotorch::{Scalar, Tensor};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyList, PyTuple};

/// A parsed call: the input tensors, the remaining arguments (positional and keyword) and the
/// result object(s) given by out= or by the method's receiver.
struct Call<'py> {
    what: &'static str,
    inputs: Vec<Bound<'py, PyAny>>,
    pos: std::collections::VecDeque<Bound<'py, PyAny>>,
    kw: Vec<(String, Bound<'py, PyAny>)>,
    out: Option<Bound<'py, PyAny>>,
}

fn is_tensor(o: &Bound<'_, PyAny>) -> bool {
    o.cast::<PyTensor>().is_ok()
}

fn kw_list<'py>(kwargs: Option<&Bound<'py, PyDict>>) -> PyResult<Vec<(String, Bound<'py, PyAny>)>> {
    let mut kw = Vec::new();
    if let Some(d) = kwargs {
        for (k, v) in d.iter() {
            kw.push((k.extract::<String>()?, v));
        }
    }
    Ok(kw)
}

impl<'py> Call<'py> {
    /// `torch.f(x [, y], args..., out=...)`.
    fn function(
        what: &'static str,
        nin: usize,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Call<'py>> {
        let mut pos: std::collections::VecDeque<_> = args.iter().collect();
        if pos.len() < nin {
            return Err(PyTypeError::new_err(format!(
                "{what}: expected {nin} tensor argument{}, got {} arguments",
                if nin > 1 { "s" } else { "" },
                pos.len()
            )));
        }
        let inputs: Vec<_> = pos.drain(..nin).collect();
        let mut kw = kw_list(kwargs)?;
        let out = kw.iter().position(|(k, _)| k == "out").map(|i| kw.remove(i).1).filter(|o| !o.is_none());
        Ok(Call { what, inputs, pos, kw, out })
    }

    /// `x.f(args...)` (x is the input; with `inplace`, also the result) or `r.f(x, args...)` /
    /// `vals.f(idx, x, args...)` (the receiver and leading tensors are the results).
    fn method(
        what: &'static str,
        slf: &Bound<'py, PyTensor>,
        nin: usize,
        nout: usize,
        inplace: bool,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Call<'py>> {
        let mut pos: std::collections::VecDeque<_> = args.iter().collect();
        let lead = pos.iter().take_while(|a| is_tensor(a)).count();
        let me = slf.clone().into_any();
        let mut kw = kw_list(kwargs)?;
        let kw_out = kw.iter().position(|(k, _)| k == "out").map(|i| kw.remove(i).1).filter(|o| !o.is_none());
        let (inputs, out) = if lead >= nin + nout - 1 {
            // Results first: the receiver, then nout - 1 leading tensors; then the inputs.
            let extra: Vec<_> = pos.drain(..nout - 1).collect();
            let inputs: Vec<_> = pos.drain(..nin).collect();
            let out = if nout == 1 {
                me
            } else {
                PyTuple::new(slf.py(), std::iter::once(me).chain(extra).collect::<Vec<_>>())?.into_any()
            };
            if kw_out.is_some() {
                return Err(PyTypeError::new_err(format!(
                    "{what}: the result is given twice (as the receiver and as out=)"
                )));
            }
            (inputs, Some(out))
        } else {
            let mut inputs = vec![me.clone()];
            inputs.extend(pos.drain(..(nin - 1).min(pos.len())));
            if inputs.len() < nin {
                return Err(PyTypeError::new_err(format!("{what}: expected {} tensor arguments", nin - 1)));
            }
            (inputs, if inplace { Some(me) } else { kw_out })
        };
        Ok(Call { what, inputs, pos, kw, out })
    }

    /// Input `i` as a tensor of a math type (not Half).
    fn input(&self, i: usize) -> PyResult<Tensor> {
        let t = tensor_arg(&self.inputs[i], self.what)?;
        require_math_type(&t, self.what)?;
        Ok(t)
    }

    /// The keyword `name`, else the next positional argument; None (also for a Python None).
    fn take(&mut self, name: &str) -> Option<Bound<'py, PyAny>> {
        let v = if let Some(i) = self.kw.iter().position(|(k, _)| k == name) {
            Some(self.kw.remove(i).1)
        } else {
            self.pos.pop_front()
        };
        v.filter(|o| !o.is_none())
    }

    /// The keyword `name` only.
    fn take_kw(&mut self, name: &str) -> Option<Bound<'py, PyAny>> {
        let i = self.kw.iter().position(|(k, _)| k == name)?;
        Some(self.kw.remove(i).1).filter(|o| !o.is_none())
    }

    /// True when the next positional argument is a bool (Torch7's trailing flags).
    fn next_is_bool(&self) -> bool {
        self.pos.front().is_some_and(|a| a.is_instance_of::<PyBool>())
    }

    /// TypeError for anything not consumed.
    fn done(&self) -> PyResult<()> {
        if let Some(a) = self.pos.front() {
            return Err(PyTypeError::new_err(format!(
                "{}: unexpected extra argument {}",
                self.what,
                a.repr().map(|r| r.to_string()).unwrap_or_default()
            )));
        }
        if let Some((k, _)) = self.kw.first() {
            return Err(PyTypeError::new_err(format!("{}: unexpected keyword argument '{k}'", self.what)));
        }
        Ok(())
    }

    fn dim(&mut self, name: &str) -> PyResult<Option<i64>> {
        let what = self.what;
        self.take(name).map(|o| int_arg(&o, what, name)).transpose()
    }

    fn flag(&mut self, name: &str) -> PyResult<Option<bool>> {
        let what = self.what;
        self.take(name)
            .map(|o| {
                o.extract::<bool>().map_err(|_| {
                    PyTypeError::new_err(format!("{what}: {name} must be a bool, got {}", type_name(&o)))
                })
            })
            .transpose()
    }

    fn float(&mut self, name: &str) -> PyResult<Option<f64>> {
        let what = self.what;
        self.take(name)
            .map(|o| {
                if o.is_instance_of::<PyBool>() {
                    return Err(PyTypeError::new_err(format!("{what}: {name} must be a number, got bool")));
                }
                o.extract::<f64>().map_err(|_| {
                    PyTypeError::new_err(format!("{what}: {name} must be a number, got {}", type_name(&o)))
                })
            })
            .transpose()
    }

    /// No out= allowed (results that are numbers).
    fn no_out(&self) -> PyResult<()> {
        if self.out.is_some() {
            return Err(PyTypeError::new_err(format!(
                "{}: without a dim the result is a number, so there is nothing to write into out=",
                self.what
            )));
        }
        Ok(())
    }

    /// The tensor result, written into out= when given.
    fn finish1(&self, py: Python<'py>, t: Tensor) -> PyResult<Py<PyAny>> {
        write_into(py, self.out.as_ref(), t)
    }

    /// The (values, indices) result, written into an out=(vals, idx) pair when given.
    fn finish2(&self, py: Python<'py>, (v, i): (Tensor, Tensor)) -> PyResult<Py<PyAny>> {
        let Some(out) = &self.out else {
            return Ok(PyTuple::new(py, [wrap(py, v)?, wrap(py, i)?])?.into_any().unbind());
        };
        let pair: Vec<Bound<'py, PyAny>> =
            if out.is_instance_of::<PyTuple>() || out.is_instance_of::<PyList>() {
                out.try_iter()?.collect::<PyResult<_>>()?
            } else {
                Vec::new()
            };
        if pair.len() != 2 {
            return Err(PyTypeError::new_err(format!(
                "{}: out= must be a (values, indices) pair of tensors",
                self.what
            )));
        }
        let a = write_into(py, Some(&pair[0]), v)?;
        let b = write_into(py, Some(&pair[1]), i)?;
        Ok(PyTuple::new(py, [a, b])?.into_any().unbind())
    }
}

fn type_name(o: &Bound<'_, PyAny>) -> String {
    o.get_type().name().map(|n| n.to_string()).unwrap_or_default()
}

fn int_arg(o: &Bound<'_, PyAny>, what: &str, name: &str) -> PyResult<i64> {
    if !o.is_instance_of::<PyBool>() {
        if let Ok(v) = o.extract::<i64>() {
            return Ok(v);
        }
    }
    Err(PyTypeError::new_err(format!("{what}: {name} must be an int, got {}", type_name(o))))
}

fn count_arg(o: &Bound<'_, PyAny>, what: &str, name: &str) -> PyResult<usize> {
    let v = int_arg(o, what, name)?;
    usize::try_from(v).map_err(|_| PyValueError::new_err(format!("{what}: {name} must be >= 0, got {v}")))
}

/// Copies `t` into `out` (resized to t's sizes; same type required) or wraps it.
fn write_into(py: Python<'_>, out: Option<&Bound<'_, PyAny>>, t: Tensor) -> PyResult<Py<PyAny>> {
    match out {
        None => wrap(py, t),
        Some(o) => {
            let dst = result_tensor(Some(o), t.dtype(), t.sizes())?;
            maybe_detach(py, t.numel(), || dst.copy_(&t)).py()?;
            finish(py, Some(o), dst)
        }
    }
}

fn number(py: Python<'_>, s: Scalar) -> PyResult<Py<PyAny>> {
    convert::scalar_to_py(py, s)
}

// ---------------------------------------------------------------- implementations

fn reduce_common(py: Python<'_>, c: Call<'_>, r: Reduction, dim: Option<i64>) -> PyResult<Py<PyAny>> {
    c.done()?;
    let x = c.input(0)?;
    match dim {
        None => {
            c.no_out()?;
            let s = maybe_detach(py, x.numel(), || x.reduce_all(r)).py()?;
            number(py, s)
        }
        Some(d) => {
            let t = maybe_detach(py, x.numel(), || x.reduce_dim(r, d)).py()?;
            c.finish1(py, t)
        }
    }
}

fn sum_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let dim = c.dim("dim")?;
    reduce_common(py, c, Reduction::Sum, dim)
}

fn prod_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let dim = c.dim("dim")?;
    reduce_common(py, c, Reduction::Prod, dim)
}

fn mean_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let dim = c.dim("dim")?;
    reduce_common(py, c, Reduction::Mean, dim)
}

fn var_like(py: Python<'_>, mut c: Call<'_>, std: bool) -> PyResult<Py<PyAny>> {
    let dim = if c.next_is_bool() {
        c.take_kw("dim").map(|o| int_arg(&o, c.what, "dim")).transpose()?
    } else {
        c.dim("dim")?
    };
    let biased = c.flag("biased")?.unwrap_or(false);
    let r = if std { Reduction::Std { biased } } else { Reduction::Var { biased } };
    reduce_common(py, c, r, dim)
}

fn std_impl(py: Python<'_>, c: Call<'_>) -> PyResult<Py<PyAny>> {
    var_like(py, c, true)
}

fn var_impl(py: Python<'_>, c: Call<'_>) -> PyResult<Py<PyAny>> {
    var_like(py, c, false)
}

fn norm_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let p = c.float("p")?.unwrap_or(2.0);
    let dim = c.dim("dim")?;
    reduce_common(py, c, Reduction::Norm(p), dim)
}

fn extreme(py: Python<'_>, mut c: Call<'_>, max: bool) -> PyResult<Py<PyAny>> {
    let dim = c.dim("dim")?;
    c.done()?;
    let x = c.input(0)?;
    match dim {
        None => {
            c.no_out()?;
            let s = maybe_detach(py, x.numel(), || x.extreme_all(max)).py()?;
            number(py, s)
        }
        Some(d) => {
            let r = maybe_detach(py, x.numel(), || x.extreme_dim(max, d)).py()?;
            c.finish2(py, r)
        }
    }
}

fn max_impl(py: Python<'_>, c: Call<'_>) -> PyResult<Py<PyAny>> {
    extreme(py, c, true)
}

fn min_impl(py: Python<'_>, c: Call<'_>) -> PyResult<Py<PyAny>> {
    extreme(py, c, false)
}

fn cumulate(py: Python<'_>, mut c: Call<'_>, prod: bool) -> PyResult<Py<PyAny>> {
    let dim = c.dim("dim")?.unwrap_or(0);
    c.done()?;
    let x = c.input(0)?;
    if let Some(o) = c.out.as_ref() {
        // Straight into out= (no temporary and copy when out= is contiguous and apart from x).
        let dst = result_tensor(Some(o), x.dtype(), x.sizes())?;
        maybe_detach(py, x.numel(), || x.cumulate_into(prod, dim, &dst)).py()?;
        return finish(py, Some(o), dst);
    }
    let t = maybe_detach(py, x.numel(), || x.cumulate(prod, dim)).py()?;
    c.finish1(py, t)
}

fn cumsum_impl(py: Python<'_>, c: Call<'_>) -> PyResult<Py<PyAny>> {
    cumulate(py, c, false)
}

fn cumprod_impl(py: Python<'_>, c: Call<'_>) -> PyResult<Py<PyAny>> {
    cumulate(py, c, true)
}

fn median_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let dim = c.dim("dim")?.unwrap_or(-1);
    c.done()?;
    let x = c.input(0)?;
    let r = maybe_detach(py, x.numel(), || x.median(dim)).py()?;
    c.finish2(py, r)
}

fn mode_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let dim = c.dim("dim")?.unwrap_or(-1);
    c.done()?;
    let x = c.input(0)?;
    let r = maybe_detach(py, x.numel(), || x.mode(dim)).py()?;
    c.finish2(py, r)
}

fn kthvalue_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let k = c.take("k").ok_or_else(|| PyTypeError::new_err("kthvalue: missing k"))?;
    let k = int_arg(&k, "kthvalue", "k")?;
    let dim = c.dim("dim")?.unwrap_or(-1);
    c.done()?;
    let x = c.input(0)?;
    let r = maybe_detach(py, x.numel(), || x.kthvalue(k, dim)).py()?;
    c.finish2(py, r)
}

fn sort_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let dim = if c.next_is_bool() {
        c.take_kw("dim").map(|o| int_arg(&o, "sort", "dim")).transpose()?
    } else {
        c.dim("dim")?
    };
    let descending = c.flag("descending")?.unwrap_or(false);
    c.done()?;
    let x = c.input(0)?;
    let r = maybe_detach(py, x.numel(), || x.sort(dim.unwrap_or(-1), descending)).py()?;
    c.finish2(py, r)
}

fn topk_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let k = c.take("k").ok_or_else(|| PyTypeError::new_err("topk: missing k"))?;
    let k = count_arg(&k, "topk", "k")?;
    let dim = c.dim("dim")?.unwrap_or(-1);
    let largest = match c.take_kw("largest") {
        Some(l) => l.extract::<bool>().map_err(|_| PyTypeError::new_err("topk: largest must be a bool"))?,
        None => c.flag("dir")?.unwrap_or(false),
    };
    let _sorted = c.flag("sort")?;
    c.done()?;
    let x = c.input(0)?;
    let r = maybe_detach(py, x.numel(), || x.topk(k, dim, largest)).py()?;
    c.finish2(py, r)
}

fn trace_impl(py: Python<'_>, c: Call<'_>) -> PyResult<Py<PyAny>> {
    c.done()?;
    c.no_out()?;
    let x = c.input(0)?;
    number(py, x.trace().py()?)
}

fn cross_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let dim = c.dim("dim")?;
    c.done()?;
    let (a, b) = (c.input(0)?, c.input(1)?);
    let t = maybe_detach(py, a.numel(), || a.cross(&b, dim)).py()?;
    c.finish1(py, t)
}

fn dist_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let p = c.float("p")?.unwrap_or(2.0);
    c.done()?;
    c.no_out()?;
    let (a, b) = (c.input(0)?, c.input(1)?);
    let d = maybe_detach(py, a.numel(), || a.dist(&b, p)).py()?;
    number(py, Scalar::Float(d))
}

fn renorm_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let p = c.float("p")?.ok_or_else(|| PyTypeError::new_err("renorm: missing p"))?;
    let dim = c.dim("dim")?.ok_or_else(|| PyTypeError::new_err("renorm: missing dim"))?;
    let maxnorm = c.float("maxnorm")?.ok_or_else(|| PyTypeError::new_err("renorm: missing maxnorm"))?;
    c.done()?;
    let x = c.input(0)?;
    let t = maybe_detach(py, x.numel(), || x.renorm(p, dim, maxnorm)).py()?;
    c.finish1(py, t)
}

fn hist_args(c: &mut Call<'_>) -> PyResult<(usize, f64, f64)> {
    let nbins = match c.take("nbins") {
        Some(o) => count_arg(&o, c.what, "nbins")?,
        None => 100,
    };
    let min = c.float("min")?.unwrap_or(0.0);
    let max = c.float("max")?.unwrap_or(0.0);
    c.done()?;
    Ok((nbins, min, max))
}

fn histc_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let (nbins, min, max) = hist_args(&mut c)?;
    let x = c.input(0)?;
    let t = maybe_detach(py, x.numel(), || x.histc(nbins, min, max)).py()?;
    c.finish1(py, t)
}

fn bhistc_impl(py: Python<'_>, mut c: Call<'_>) -> PyResult<Py<PyAny>> {
    let (nbins, min, max) = hist_args(&mut c)?;
    let x = c.input(0)?;
    let t = maybe_detach(py, x.numel(), || x.bhistc(nbins, min, max)).py()?;
    c.finish1(py, t)
}

// ---------------------------------------------------------------- entry points

/// One function `torch.<name>` and its method `Tensor.<name>`, sharing `$imp`.
macro_rules! entry {
    (
        $(#[$fm:meta])* fn $fname:ident;
        $(#[$mm:meta])* method $mname:ident;
        $pyname:literal, nin = $nin:expr, nout = $nout:expr, inplace = $inplace:expr, $imp:path
    ) => {
        $(#[$fm])*
        #[pyfunction]
        #[pyo3(name = $pyname, signature = (*args, **kwargs))]
        fn $fname<'py>(
            py: Python<'py>,
            args: &Bound<'py, PyTuple>,
            kwargs: Option<&Bound<'py, PyDict>>,
        ) -> PyResult<Py<PyAny>> {
            let call = Call::function($pyname, $nin, args, kwargs)?;
            $imp(py, call)
        }

        #[pymethods]
        impl PyTensor {
            $(#[$mm])*
            #[pyo3(name = $pyname, signature = (*args, **kwargs))]
            fn $mname<'py>(
                slf: &Bound<'py, Self>,
                args: &Bound<'py, PyTuple>,
                kwargs: Option<&Bound<'py, PyDict>>,
            ) -> PyResult<Py<PyAny>> {
                let call = Call::method($pyname, slf, $nin, $nout, $inplace, args, kwargs)?;
                $imp(slf.py(), call)
            }
        }
    };
}

entry! {
    /// sum(x [, dim], out=None) -> a number, or a tensor with dim kept as size 1
    ///
    /// Without dim: the sum of every element as a Python number (an int for integer types,
    /// accumulated in int64 and wrapping like Torch7's accreal; a float for Float/Double,
    /// accumulated in double). With dim (0-based, negative from the end): the sums along dim,
    /// in a tensor of x's type whose dim has size 1. out= receives that tensor.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> torch.sum(x), torch.sum(x, 0).tolist(), torch.sum(x, 1).tolist()
    /// (21.0, [[5.0, 7.0, 9.0]], [[6.0], [15.0]])
    /// >>> torch.sum(torch.ByteTensor([200, 100]))
    /// 300
    fn sum_f;
    /// sum([dim]) -> the sum of this tensor (a number, or along dim); r.sum(x, dim) writes into r
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.IntTensor([[1, 2], [3, 4]])
    /// >>> x.sum(), x.sum(1).tolist()
    /// (10, [[3], [7]])
    /// >>> r = torch.IntTensor()
    /// >>> r.sum(x, 0) is r, r.tolist()
    /// (True, [[4, 6]])
    method sum_m;
    "sum", nin = 1, nout = 1, inplace = false, sum_impl
}

entry! {
    /// prod(x [, dim], out=None) -> a number, or a tensor with dim kept as size 1
    ///
    /// The product of the elements (all, or along dim), accumulated like sum: int64 (wrapping)
    /// for integer types, double for Float/Double. An empty tensor's product is 1.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> torch.prod(x), torch.prod(x, 1).tolist()
    /// (720.0, [[6.0], [120.0]])
    fn prod_f;
    /// prod([dim]) -> the product of this tensor; r.prod(x, dim) writes into r
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.LongTensor([[1, 2], [3, 4]]).prod(0).tolist()
    /// [[3, 8]]
    method prod_m;
    "prod", nin = 1, nout = 1, inplace = false, prod_impl
}

entry! {
    /// cumsum(x [, dim=0], out=None) -> running sums along dim
    ///
    /// Element i along dim is the sum of elements 0..i, accumulated in int64 (integer types,
    /// wrapping back to the type) or double. The default dim is the first one, as in Torch7.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> torch.cumsum(x).tolist(), torch.cumsum(x, 1).tolist()
    /// ([[1.0, 2.0, 3.0], [5.0, 7.0, 9.0]], [[1.0, 3.0, 6.0], [4.0, 9.0, 15.0]])
    fn cumsum_f;
    /// cumsum([dim=0]) -> running sums of this tensor; r.cumsum(x [, dim]) writes into r
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.IntTensor([1, 2, 3, 4]).cumsum().tolist()
    /// [1, 3, 6, 10]
    method cumsum_m;
    "cumsum", nin = 1, nout = 1, inplace = false, cumsum_impl
}

entry! {
    /// cumprod(x [, dim=0], out=None) -> running products along dim
    ///
    /// Element i along dim is the product of elements 0..i (accumulated like cumsum). The
    /// default dim is the first one (Torch7's code; its documentation said the last).
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> torch.cumprod(x).tolist(), torch.cumprod(x, 1).tolist()
    /// ([[1.0, 2.0, 3.0], [4.0, 10.0, 18.0]], [[1.0, 2.0, 6.0], [4.0, 20.0, 120.0]])
    fn cumprod_f;
    /// cumprod([dim=0]) -> running products of this tensor; r.cumprod(x [, dim]) writes into r
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.LongTensor([1, 2, 3, 4]).cumprod().tolist()
    /// [1, 2, 6, 24]
    method cumprod_m;
    "cumprod", nin = 1, nout = 1, inplace = false, cumprod_impl
}

entry! {
    /// max(x [, dim], out=(values, indices)) -> a number, or (values, indices)
    ///
    /// Without dim: the largest element as a number (ValueError when x is empty). With dim:
    /// a (values, indices) pair whose dim has size 1; indices are 0-based positions along dim
    /// in a LongTensor. The first occurrence wins ties, and a NaN wins over any number (its
    /// index is returned), as in Torch7.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[1, 5, 3], [4, 2, 6]])
    /// >>> torch.max(x)
    /// 6.0
    /// >>> v, i = torch.max(x, 1)
    /// >>> v.tolist(), i.tolist()
    /// ([[5.0], [6.0]], [[1], [2]])
    fn max_f;
    /// max([dim]) -> the max of this tensor, or (values, indices) along dim
    ///
    /// vals.max(idx, x, dim) writes into vals and idx.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.IntTensor([[1, 5], [7, 2]])
    /// >>> v, i = x.max(0)
    /// >>> x.max(), v.tolist(), i.tolist()
    /// (7, [[7, 5]], [[1, 0]])
    method max_m;
    "max", nin = 1, nout = 2, inplace = false, max_impl
}

entry! {
    /// min(x [, dim], out=(values, indices)) -> a number, or (values, indices)
    ///
    /// Like max, for the smallest element: first occurrence on ties, NaN wins, indices 0-based.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[1, 5, 3], [4, 2, 6]])
    /// >>> torch.min(x)
    /// 1.0
    /// >>> v, i = torch.min(x, 0)
    /// >>> v.tolist(), i.tolist()
    /// ([[1.0, 2.0, 3.0]], [[0, 1, 0]])
    fn min_f;
    /// min([dim]) -> the min of this tensor, or (values, indices) along dim
    ///
    /// vals.min(idx, x, dim) writes into vals and idx.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.IntTensor([3, -1, 2]).min()
    /// -1
    method min_m;
    "min", nin = 1, nout = 2, inplace = false, min_impl
}

entry! {
    /// mean(x [, dim], out=None) -> a number, or a tensor with dim kept as size 1
    ///
    /// The mean (sum accumulated in double, divided by the count). FloatTensor and DoubleTensor
    /// only (TypeError otherwise); an empty tensor's mean is nan.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> torch.mean(x), torch.mean(x, 0).tolist()
    /// (3.5, [[2.5, 3.5, 4.5]])
    fn mean_f;
    /// mean([dim]) -> the mean of this tensor; r.mean(x, dim) writes into r
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.FloatTensor([[1, 2], [3, 4]]).mean(1).tolist()
    /// [[1.5], [3.5]]
    method mean_m;
    "mean", nin = 1, nout = 1, inplace = false, mean_impl
}

entry! {
    /// std(x [, dim] [, biased=False], out=None) -> a number, or a tensor with dim kept
    ///
    /// The standard deviation: divided by n - 1 unless biased (then by n), as in Torch7's
    /// std(x, flag). Computed in double with Welford's update. FloatTensor and DoubleTensor
    /// only. One element, unbiased, gives nan.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[1, 2, 3], [5, 7, 9]])
    /// >>> torch.std(x, 1).tolist(), torch.std(x, 1, True)[1, 0]
    /// ([[1.0], [2.0]], 1.632993161855452)
    /// >>> torch.std(torch.DoubleTensor([2, 4, 4, 4, 5, 5, 7, 9]), True)
    /// 2.0
    fn std_f;
    /// std([dim] [, biased=False]) -> the standard deviation of this tensor
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor([1, 2, 3, 4]).std()
    /// 1.2909944487358056
    method std_m;
    "std", nin = 1, nout = 1, inplace = false, std_impl
}

entry! {
    /// var(x [, dim] [, biased=False], out=None) -> a number, or a tensor with dim kept
    ///
    /// The variance: divided by n - 1 unless biased (then by n). FloatTensor and DoubleTensor
    /// only.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[1, 2, 3], [5, 7, 9]])
    /// >>> torch.var(x), torch.var(x, 1).tolist()
    /// (9.5, [[1.0], [4.0]])
    fn var_f;
    /// var([dim] [, biased=False]) -> the variance of this tensor
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor([1, 2, 3, 4]).var(True)
    /// 1.25
    method var_m;
    "var", nin = 1, nout = 1, inplace = false, var_impl
}

entry! {
    /// norm(x [, p=2] [, dim], out=None) -> a number, or a tensor with dim kept as size 1
    ///
    /// The p-norm (sum of |x|^p)^(1/p), computed in double; p = 0 counts the non-zero elements.
    /// FloatTensor and DoubleTensor only; p must be >= 0.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[3, 4], [0, 5]])
    /// >>> torch.norm(x, 1), torch.norm(x, 0), torch.norm(x, 2, 1).tolist()
    /// (12.0, 3.0, [[5.0], [5.0]])
    fn norm_f;
    /// norm([p=2] [, dim]) -> the p-norm of this tensor; r.norm(x, p, dim) writes into r
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor([3, 4]).norm()
    /// 5.0
    method norm_m;
    "norm", nin = 1, nout = 1, inplace = false, norm_impl
}

entry! {
    /// renorm(x, p, dim, maxnorm, out=None) -> a tensor with each slice's p-norm at most maxnorm
    ///
    /// Each slice x.select(dim, i) (0-based dim) whose p-norm exceeds maxnorm is scaled by
    /// maxnorm / (norm + 1e-7); the others are copied. Needs 2 or more dims and p > 0.
    /// FloatTensor and DoubleTensor only. As a method it changes the tensor in place.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[3, 4], [0.3, 0.4]])
    /// >>> [[round(v, 6) for v in row] for row in torch.renorm(x, 2, 0, 1).tolist()]
    /// [[0.6, 0.8], [0.3, 0.4]]
    fn renorm_f;
    /// renorm(p, dim, maxnorm) -> self, renormed in place; r.renorm(x, p, dim, maxnorm) writes r
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[6, 8], [0, 1]])
    /// >>> x.renorm(2, 0, 5) is x, round(x[0, 0], 6)
    /// (True, 3.0)
    method renorm_m;
    "renorm", nin = 1, nout = 1, inplace = true, renorm_impl
}

entry! {
    /// dist(x, y [, p=2]) -> the p-norm of x - y, a number
    ///
    /// x and y broadcast as in numpy and have the same type (FloatTensor or DoubleTensor).
    /// p = 0 counts the elements that differ (Torch7 returned inf for p = 0).
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([1, 2, 3])
    /// >>> y = torch.DoubleTensor([1, 5, 7])
    /// >>> torch.dist(x, y), torch.dist(x, y, 1), torch.dist(x, y, 0)
    /// (5.0, 7.0, 2.0)
    fn dist_f;
    /// dist(y [, p=2]) -> the p-norm of self - y
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor([0, 0]).dist(torch.DoubleTensor([3, 4]))
    /// 5.0
    method dist_m;
    "dist", nin = 2, nout = 1, inplace = false, dist_impl
}

entry! {
    /// median(x [, dim=-1], out=(values, indices)) -> (values, indices) with dim kept as size 1
    ///
    /// The lower median along dim (the value of 1-based rank (n+1)//2, like kthvalue) and its
    /// 0-based index. Always tensors, even for a 1-D x (Torch7's rule). Default dim: the last.
    ///
    /// >>> import ferrotorch as torch
    /// >>> v, i = torch.median(torch.DoubleTensor([[4, 1, 3, 2], [9, 7, 8, 5]]))
    /// >>> v.tolist(), i.tolist()
    /// ([[2.0], [7.0]], [[3], [1]])
    fn median_f;
    /// median([dim=-1]) -> (values, indices) of this tensor's lower median along dim
    ///
    /// vals.median(idx, x [, dim]) writes into vals and idx.
    ///
    /// >>> import ferrotorch as torch
    /// >>> v, i = torch.IntTensor([5, 1, 3]).median()
    /// >>> v.tolist(), i.tolist()
    /// ([3], [2])
    method median_m;
    "median", nin = 1, nout = 2, inplace = false, median_impl
}

entry! {
    /// mode(x [, dim=-1], out=(values, indices)) -> (values, indices) with dim kept as size 1
    ///
    /// The most frequent value along dim (ties: the smallest value) and the 0-based index of its
    /// last occurrence (Torch7's choice). Default dim: the last.
    ///
    /// >>> import ferrotorch as torch
    /// >>> v, i = torch.mode(torch.DoubleTensor([3, 1, 3, 2, 1, 3]))
    /// >>> v.tolist(), i.tolist()
    /// ([3.0], [5])
    fn mode_f;
    /// mode([dim=-1]) -> (values, indices) of the most frequent values along dim
    ///
    /// vals.mode(idx, x [, dim]) writes into vals and idx.
    ///
    /// >>> import ferrotorch as torch
    /// >>> v, i = torch.LongTensor([[2, 2, 1], [1, 3, 3]]).mode()
    /// >>> v.tolist(), i.tolist()
    /// ([[2], [3]], [[1], [2]])
    method mode_m;
    "mode", nin = 1, nout = 2, inplace = false, mode_impl
}

entry! {
    /// kthvalue(x, k [, dim=-1], out=(values, indices)) -> (values, indices) with dim kept
    ///
    /// The k-th smallest value along dim and its 0-based index. k counts from 1 (k = 1 is the
    /// minimum), as in Torch7; ValueError unless 1 <= k <= size. Default dim: the last.
    ///
    /// >>> import ferrotorch as torch
    /// >>> v, i = torch.kthvalue(torch.DoubleTensor([5, 1, 4, 2]), 2)
    /// >>> v.tolist(), i.tolist()
    /// ([2.0], [3])
    fn kthvalue_f;
    /// kthvalue(k [, dim=-1]) -> (values, indices) of the k-th smallest along dim (k from 1)
    ///
    /// vals.kthvalue(idx, x, k [, dim]) writes into vals and idx.
    ///
    /// >>> import ferrotorch as torch
    /// >>> v, i = torch.IntTensor([[3, 1], [2, 4]]).kthvalue(1, 0)
    /// >>> v.tolist(), i.tolist()
    /// ([[2, 1]], [[1, 0]])
    method kthvalue_m;
    "kthvalue", nin = 1, nout = 2, inplace = false, kthvalue_impl
}

entry! {
    /// sort(x [, dim=-1] [, descending=False], out=(values, indices)) -> (values, indices)
    ///
    /// Sorts along dim (default: the last), ascending unless descending (Torch7's
    /// sort(x, true)). indices are the 0-based positions the values came from. NaN sorts last
    /// both ways (as Torch7's did) and equal values keep their order (Torch7's quicksort was
    /// not stable, so its order among ties could differ).
    ///
    /// >>> import ferrotorch as torch
    /// >>> v, i = torch.sort(torch.DoubleTensor([3, 1, 2]))
    /// >>> v.tolist(), i.tolist()
    /// ([1.0, 2.0, 3.0], [1, 2, 0])
    /// >>> torch.sort(torch.DoubleTensor([[3, 1], [2, 4]]), 0, True)[0].tolist()
    /// [[3.0, 4.0], [2.0, 1.0]]
    fn sort_f;
    /// sort([dim=-1] [, descending=False]) -> (values, indices) of this tensor sorted along dim
    ///
    /// vals.sort(idx, x [, dim] [, descending]) writes into vals and idx.
    ///
    /// >>> import ferrotorch as torch
    /// >>> v, i = torch.IntTensor([2, 9, 4]).sort(True)
    /// >>> v.tolist(), i.tolist()
    /// ([9, 4, 2], [1, 2, 0])
    method sort_m;
    "sort", nin = 1, nout = 2, inplace = false, sort_impl
}

entry! {
    /// topk(x, k [, dim=-1] [, dir=False] [, sort=False], out=(values, indices)) -> (values, indices)
    ///
    /// The k SMALLEST values along dim (Torch7's default) or, with dir=True (or largest=True),
    /// the k largest, with their 0-based indices. The results always come in sorted order
    /// (ascending for the smallest, descending for the largest), so sort= changes nothing;
    /// Torch7 left them unordered without sort. NaN counts as the largest value for the
    /// smallest k and is never picked among the largest unless needed (sort's order).
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([5, 1, 4, 2, 3])
    /// >>> torch.topk(x, 2)[0].tolist(), torch.topk(x, 2, 0, True)[1].tolist()
    /// ([1.0, 2.0], [0, 2])
    fn topk_f;
    /// topk(k [, dim=-1] [, dir=False] [, sort=False]) -> (values, indices) of k smallest/largest
    ///
    /// vals.topk(idx, x, k [, dim]) writes into vals and idx.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.IntTensor([5, 1, 4]).topk(1, largest=True)[0].tolist()
    /// [5]
    method topk_m;
    "topk", nin = 1, nout = 2, inplace = false, topk_impl
}

entry! {
    /// trace(x) -> the sum of the main diagonal of a 2-D tensor, a number
    ///
    /// An int for integer types (accumulated in int64), a float otherwise. ValueError unless x
    /// is 2-D.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.trace(torch.DoubleTensor([[1, 2], [3, 4]])), torch.trace(torch.IntTensor([[1, 2, 3]]))
    /// (5.0, 1)
    fn trace_f;
    /// trace() -> the sum of this 2-D tensor's main diagonal
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.LongTensor([[5, 0], [0, 7]]).trace()
    /// 12
    method trace_m;
    "trace", nin = 1, nout = 1, inplace = false, trace_impl
}

entry! {
    /// cross(a, b [, dim], out=None) -> the cross product of 3-vectors along dim
    ///
    /// a and b have the same sizes and type; dim (0-based) must have size 3 and defaults to the
    /// first dim of size 3. Integer types wrap on overflow.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([1, 0, 0])
    /// >>> b = torch.DoubleTensor([0, 1, 0])
    /// >>> torch.cross(a, b).tolist()
    /// [0.0, 0.0, 1.0]
    fn cross_f;
    /// cross(b [, dim]) -> self x b; r.cross(a, b [, dim]) writes into r
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.IntTensor([0, 1, 0]).cross(torch.IntTensor([0, 0, 1])).tolist()
    /// [1, 0, 0]
    method cross_m;
    "cross", nin = 2, nout = 1, inplace = false, cross_impl
}

entry! {
    /// histc(x [, nbins=100 [, min=0 [, max=0]]], out=None) -> a 1-D histogram of x's type
    ///
    /// Counts the elements in nbins equal bins over [min, max]; when min == max the data's
    /// range is used (widened by 1 each way if still equal). Elements outside the range (and
    /// NaN) are ignored; max falls in the last bin. FloatTensor and DoubleTensor only.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.histc(torch.DoubleTensor([1, 2, 1, 3, 9]), 4, 0, 4).tolist()
    /// [0.0, 2.0, 1.0, 1.0]
    fn histc_f;
    /// histc([nbins=100 [, min=0 [, max=0]]]) -> a histogram of this tensor
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.FloatTensor([0, 1, 1, 2]).histc(2).tolist()
    /// [1.0, 3.0]
    method histc_m;
    "histc", nin = 1, nout = 1, inplace = false, histc_impl
}

entry! {
    /// bhistc(x [, nbins=100 [, min=0 [, max=0]]], out=None) -> one histogram per row
    ///
    /// histc of each row of a 2-D x, as a rows x nbins tensor of x's type. When min == max the
    /// range is that of the whole x. FloatTensor and DoubleTensor only.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.bhistc(torch.DoubleTensor([[0, 1, 1], [2, 2, 0]]), 2).tolist()
    /// [[1.0, 2.0], [1.0, 2.0]]
    fn bhistc_f;
    /// bhistc([nbins=100 [, min=0 [, max=0]]]) -> row-wise histograms of this 2-D tensor
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor([[0, 3], [3, 3]]).bhistc(3, 0, 3).tolist()
    /// [[1.0, 0.0, 1.0], [0.0, 0.0, 2.0]]
    method bhistc_m;
    "bhistc", nin = 1, nout = 1, inplace = false, bhistc_impl
}

/// Adds this area's functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sum_f, m)?)?;
    m.add_function(wrap_pyfunction!(prod_f, m)?)?;
    m.add_function(wrap_pyfunction!(cumsum_f, m)?)?;
    m.add_function(wrap_pyfunction!(cumprod_f, m)?)?;
    m.add_function(wrap_pyfunction!(max_f, m)?)?;
    m.add_function(wrap_pyfunction!(min_f, m)?)?;
    m.add_function(wrap_pyfunction!(mean_f, m)?)?;
    m.add_function(wrap_pyfunction!(std_f, m)?)?;
    m.add_function(wrap_pyfunction!(var_f, m)?)?;
    m.add_function(wrap_pyfunction!(norm_f, m)?)?;
    m.add_function(wrap_pyfunction!(renorm_f, m)?)?;
    m.add_function(wrap_pyfunction!(dist_f, m)?)?;
    m.add_function(wrap_pyfunction!(median_f, m)?)?;
    m.add_function(wrap_pyfunction!(mode_f, m)?)?;
    m.add_function(wrap_pyfunction!(kthvalue_f, m)?)?;
    m.add_function(wrap_pyfunction!(sort_f, m)?)?;
    m.add_function(wrap_pyfunction!(topk_f, m)?)?;
    m.add_function(wrap_pyfunction!(trace_f, m)?)?;
    m.add_function(wrap_pyfunction!(cross_f, m)?)?;
    m.add_function(wrap_pyfunction!(histc_f, m)?)?;
    m.add_function(wrap_pyfunction!(bhistc_f, m)?)?;
    Ok(())
}
