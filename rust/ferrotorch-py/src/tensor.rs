//! Python classes for tensors: `torch.Tensor` (the base of every type; calling it builds the
//! default type) and `torch.ByteTensor` ... `torch.HalfTensor`. Argument parsing and GIL release
//! only: the work is in the ferrotorch crate.

use crate::buffer;
use crate::convert;
use crate::errors::IntoPyResult;
use crate::index;
use crate::interop;
use crate::random::{with_generator, PyGenerator};
use crate::storage::{long_storage, PyStorage};
use ferrotorch::layout::size_string;
use ferrotorch::{DType, Scalar, Storage, Tensor};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple, PyType};
use std::os::raw::c_int;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::RwLock;

/// Element counts above which a kernel call releases the GIL (below, the release costs more
/// than the work).
const GIL_RELEASE_NUMEL: usize = 1 << 14;

static DEFAULT_DTYPE: AtomicU8 = AtomicU8::new(6); // index into DType::ALL: Double

/// The type `torch.Tensor(...)` and `torch.Storage(...)` build.
pub fn default_dtype() -> DType {
    DType::ALL[DEFAULT_DTYPE.load(Ordering::Relaxed) as usize]
}

/// setdefaulttensortype(name): what torch.Tensor(...) / torch.Storage(...) build from now on.
#[pyfunction]
pub fn _set_default_dtype(name: &Bound<'_, PyAny>) -> PyResult<()> {
    let d = convert::dtype_of_name(name)?;
    let i = DType::ALL.iter().position(|&x| x == d).expect("every dtype is in ALL");
    DEFAULT_DTYPE.store(i as u8, Ordering::Relaxed);
    Ok(())
}

/// Base class of every tensor type.
#[pyclass(name = "Tensor", module = "ferrotorch", subclass, frozen, weakref)]
pub struct PyTensor {
    inner: RwLock<Tensor>,
}

impl PyTensor {
    pub fn new(t: Tensor) -> PyTensor {
        PyTensor { inner: RwLock::new(t) }
    }

    /// A handle on the current tensor (storage + layout); cheap.
    pub fn get(&self) -> Tensor {
        self.inner.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Re-points this Python object at another tensor (set, resize, view-into).
    pub fn put(&self, t: Tensor) {
        *self.inner.write().unwrap_or_else(|p| p.into_inner()) = t;
    }
}

/// Extracts the engine tensor from a Python tensor argument.
pub fn tensor_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Tensor> {
    obj.cast::<PyTensor>().map(|t| t.get().get()).map_err(|_| {
        PyTypeError::new_err(format!(
            "{what}: expected a tensor, got {}",
            obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })
}

/// Runs `f` without the GIL when the tensor is big enough for that to pay.
fn maybe_detach<R: Send>(py: Python<'_>, numel: usize, f: impl FnOnce() -> R + Send) -> R {
    if numel >= GIL_RELEASE_NUMEL {
        py.detach(f)
    } else {
        f()
    }
}

/// Torch7's `Tensor(storage, offset, ...)` tail: `sizes[, strides]` as LongStorages/tuples, or
/// size/stride pairs as ints (a missing or negative stride means contiguous).
fn sizes_and_strides(rest: &[Bound<'_, PyAny>]) -> PyResult<(Vec<usize>, Option<Vec<usize>>)> {
    if rest.is_empty() {
        return Err(PyTypeError::new_err("sizes are required after a storage offset"));
    }
    if !convert::is_int(&rest[0]) {
        let sizes = convert::int_list(&rest[0])?;
        let strides = rest.get(1).map(convert::int_list).transpose()?;
        return finish_strides(&sizes, strides.as_deref());
    }
    let mut sizes = Vec::new();
    let mut strides = Vec::new();
    for pair in rest.chunks(2) {
        sizes.push(pair[0].extract::<i64>()?);
        strides.push(match pair.get(1) {
            Some(s) => s.extract::<i64>()?,
            None => -1,
        });
    }
    finish_strides(&sizes, Some(&strides))
}

fn finish_strides(sizes: &[i64], strides: Option<&[i64]>) -> PyResult<(Vec<usize>, Option<Vec<usize>>)> {
    let sizes: Vec<usize> = sizes
        .iter()
        .map(|&s| usize::try_from(s).map_err(|_| PyValueError::new_err(format!("invalid negative size {s}"))))
        .collect::<PyResult<_>>()?;
    let Some(strides) = strides else { return Ok((sizes, None)) };
    if strides.len() != sizes.len() {
        return Err(PyValueError::new_err(format!(
            "{} strides given for {} sizes",
            strides.len(),
            sizes.len()
        )));
    }
    // Negative strides ask for the contiguous stride of that dim (Torch7's rule).
    let contiguous = ferrotorch::layout::contiguous_strides(&sizes);
    let strides =
        strides.iter().zip(contiguous.iter()).map(|(&s, &c)| if s < 0 { c } else { s as usize }).collect();
    Ok((sizes, Some(strides)))
}

/// The smallest storage size that holds a layout (for the sizes+strides constructor).
fn storage_size_for(sizes: &[usize], strides: &[usize]) -> usize {
    if sizes.contains(&0) || sizes.is_empty() {
        return 0;
    }
    1 + sizes.iter().zip(strides).map(|(&n, &s)| (n - 1) * s).sum::<usize>()
}

/// Every constructor form of Torch7's `torch.<T>Tensor(...)`.
fn build(dtype: DType, args: &Bound<'_, PyTuple>) -> PyResult<Tensor> {
    if args.is_empty() {
        return Ok(Tensor::empty(dtype));
    }
    let first = args.get_item(0)?;
    if let Ok(t) = first.cast::<PyTensor>() {
        let t = t.get().get();
        if args.len() > 1 {
            return Err(PyTypeError::new_err("Tensor(tensor) takes no further arguments"));
        }
        if t.dtype() != dtype {
            return Err(PyTypeError::new_err(format!(
                "{}(tensor) shares the tensor's memory, so it needs a {}, got a {}; convert with .type()",
                dtype.tensor_type_name(),
                dtype.tensor_type_name(),
                t.dtype().tensor_type_name()
            )));
        }
        return Ok(t);
    }
    if let Ok(s) = first.cast::<PyStorage>() {
        let storage = s.get().inner.clone();
        let is_own_storage = storage.dtype() == dtype;
        // LongTensor(LongStorage) is a view of that storage; other types read a LongStorage as sizes.
        if storage.dtype() == DType::Long && !is_own_storage {
            let (sizes, strides) = sizes_and_strides(&args.iter().collect::<Vec<_>>())?;
            return new_with_layout(dtype, &sizes, strides.as_deref());
        }
        if !is_own_storage {
            return Err(PyTypeError::new_err(format!(
                "{}(storage, ...) needs a {}, got a {}",
                dtype.tensor_type_name(),
                dtype.storage_type_name(),
                storage.dtype().storage_type_name()
            )));
        }
        if args.len() == 1 {
            let n = storage.size();
            return Tensor::from_storage(storage, 0, &[n], None).py();
        }
        let offset: i64 = args.get_item(1)?.extract()?;
        let offset = usize::try_from(offset)
            .map_err(|_| PyValueError::new_err(format!("invalid negative storage offset {offset}")))?;
        let rest: Vec<_> = args.iter().skip(2).collect();
        if rest.is_empty() {
            let n = storage.size().saturating_sub(offset);
            return Tensor::from_storage(storage, offset, &[n], None).py();
        }
        let (sizes, strides) = sizes_and_strides(&rest)?;
        return Tensor::from_storage(storage, offset, &sizes, strides.as_deref()).py();
    }
    if convert::is_int(&first) {
        return new_with_layout(dtype, &convert::sizes(args)?, None);
    }
    if args.len() == 1 {
        if let Some(t) = interop::array_like_to_tensor(&first)? {
            return t.to_dtype_copy(dtype).py();
        }
        if first.is_instance_of::<PyList>() || first.is_instance_of::<PyTuple>() {
            return from_nested(dtype, &first);
        }
    }
    Err(PyTypeError::new_err(format!(
        "{}(...) takes (), (sizes...), (LongStorage sizes [, strides]), (tensor), (storage [, offset, sizes [, strides]]), or a (nested) list / numpy array of numbers; got ({})",
        dtype.tensor_type_name(),
        args.iter().map(|a| a.get_type().name().map(|n| n.to_string()).unwrap_or_default()).collect::<Vec<_>>().join(", ")
    )))
}

fn new_with_layout(dtype: DType, sizes: &[usize], strides: Option<&[usize]>) -> PyResult<Tensor> {
    match strides {
        None => Tensor::zeros(dtype, sizes).py(),
        Some(st) => {
            let storage = Storage::new(dtype, storage_size_for(sizes, st)).py()?;
            Tensor::from_storage(storage, 0, sizes, Some(st)).py()
        }
    }
}

/// A tensor from nested lists of numbers.
pub fn from_nested(dtype: DType, obj: &Bound<'_, PyAny>) -> PyResult<Tensor> {
    let (shape, values) = convert::nested_data(obj)?;
    if shape.is_empty() {
        return Ok(Tensor::empty(dtype));
    }
    let t = Tensor::zeros(dtype, &shape).py()?;
    let storage = t.storage().clone();
    for (i, v) in values.into_iter().enumerate() {
        storage.set_scalar(i, v).py()?;
    }
    Ok(t)
}

/// Sizes accepted by `resize`, `expand`, `repeatTensor`: ints, a tuple/list or a LongStorage.
fn sizes_arg(args: &Bound<'_, PyTuple>) -> PyResult<Vec<usize>> {
    convert::sizes(args)
}

/// Python int/float for an element or a tensor object.
fn number_or_tensor(py: Python<'_>, t: Tensor) -> PyResult<Py<PyAny>> {
    if t.ndim() == 0 {
        // A 1-D select gives a tensor with no dimension over one element: read it.
        let view = Tensor::from_storage(t.storage().clone(), t.storage_offset(), &[1], None).py()?;
        return convert::scalar_to_py(py, view.get(&[0]).py()?);
    }
    wrap(py, t)
}

/// Nested Python lists of a tensor's values.
fn to_nested(py: Python<'_>, t: &Tensor) -> PyResult<Py<PyAny>> {
    if t.ndim() == 0 {
        return Ok(PyList::empty(py).into_any().unbind());
    }
    let is_float = t.dtype().is_floating_point();
    let flat: Vec<Py<PyAny>> = if is_float {
        t.to_vec::<f64>()
            .py()?
            .into_iter()
            .map(|v| convert::scalar_to_py(py, Scalar::Float(v)))
            .collect::<PyResult<_>>()?
    } else {
        t.to_vec::<i64>()
            .py()?
            .into_iter()
            .map(|v| convert::scalar_to_py(py, Scalar::Int(v)))
            .collect::<PyResult<_>>()?
    };
    fn build_level(
        py: Python<'_>,
        sizes: &[usize],
        items: &mut std::vec::IntoIter<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let out = PyList::empty(py);
        if sizes.len() == 1 {
            for _ in 0..sizes[0] {
                out.append(items.next().expect("enough elements"))?;
            }
        } else {
            for _ in 0..sizes[0] {
                out.append(build_level(py, &sizes[1..], items)?)?;
            }
        }
        Ok(out.into_any().unbind())
    }
    build_level(py, t.sizes(), &mut flat.into_iter())
}

/// Splits `[gen,] a, b` random-fill arguments.
fn split_generator<'a, 'py>(
    args: &'a Bound<'py, PyTuple>,
) -> (Option<Bound<'py, PyGenerator>>, Vec<Bound<'py, PyAny>>) {
    let mut items: Vec<Bound<'py, PyAny>> = args.iter().collect();
    let gen = items.first().and_then(|a| a.cast::<PyGenerator>().ok().cloned());
    if gen.is_some() {
        items.remove(0);
    }
    (gen, items)
}

fn require_math_type(t: &Tensor, what: &str) -> PyResult<()> {
    if t.dtype() == DType::Half {
        return Err(PyTypeError::new_err(format!(
            "{what} is not available for torch.HalfTensor (it has storage, views, copies and printing only); convert with .float()"
        )));
    }
    Ok(())
}

#[pymethods]
impl PyTensor {
    /// `torch.Tensor(...)` builds a tensor of the default type (DoubleTensor unless
    /// setdefaulttensortype changed it).
    #[new]
    #[classmethod]
    #[pyo3(signature = (*args))]
    fn py_new(_cls: &Bound<'_, PyType>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let py = args.py();
        let t = build(default_dtype(), args)?;
        Ok(wrap(py, t)?.into_bound(py).cast_into::<PyTensor>()?.unbind())
    }

    // ------------------------------------------------------------------ queries

    /// size([dim]) -> LongStorage of all sizes, or the size of dim
    #[pyo3(signature = (dim = None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.get();
        match dim {
            Some(d) => Ok(t.size(d).py()?.into_pyobject(py)?.into_any()),
            None => long_storage(py, t.sizes()),
        }
    }

    /// stride([dim]) -> LongStorage of all strides, or the stride of dim
    #[pyo3(signature = (dim = None))]
    fn stride<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.get();
        match dim {
            Some(d) => Ok(t.stride(d).py()?.into_pyobject(py)?.into_any()),
            None => long_storage(py, t.strides()),
        }
    }

    /// storage() -> the Storage this tensor views
    fn storage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::storage::wrap(py, self.get().storage().clone())
    }

    /// storageOffset() -> 0-based index of the first element in the storage
    #[pyo3(name = "storageOffset")]
    fn storage_offset(&self) -> usize {
        self.get().storage_offset()
    }

    /// dim() -> number of dimensions (0 for an empty tensor)
    fn dim(&self) -> usize {
        self.get().ndim()
    }

    /// nDimension() -> number of dimensions
    #[pyo3(name = "nDimension")]
    fn n_dimension(&self) -> usize {
        self.get().ndim()
    }

    /// nElement() -> number of elements
    #[pyo3(name = "nElement")]
    fn n_element(&self) -> usize {
        self.get().numel()
    }

    /// numel() -> number of elements
    fn numel(&self) -> usize {
        self.get().numel()
    }

    /// isContiguous() -> True when the elements are row-major without gaps
    #[pyo3(name = "isContiguous")]
    fn is_contiguous(&self) -> bool {
        self.get().is_contiguous()
    }

    /// isSameSizeAs(tensor) -> True when both have the same sizes
    #[pyo3(name = "isSameSizeAs")]
    fn is_same_size_as(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.get().is_same_size_as(&tensor_arg(other, "isSameSizeAs")?))
    }

    /// isSetTo(tensor) -> True when both view the same storage with the same layout
    #[pyo3(name = "isSetTo")]
    fn is_set_to(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.get().is_set_to(&tensor_arg(other, "isSetTo")?))
    }

    /// isSize(sizes) -> True when the sizes equal the given LongStorage / tuple
    #[pyo3(name = "isSize")]
    fn is_size(&self, sizes: &Bound<'_, PyAny>) -> PyResult<bool> {
        let want = convert::int_list(sizes)?;
        Ok(want.len() == self.get().ndim()
            && want.iter().zip(self.get().sizes()).all(|(&a, &b)| a == b as i64))
    }

    /// elementSize() -> bytes per element
    #[pyo3(name = "elementSize")]
    fn element_size(&self) -> usize {
        self.get().dtype().element_size()
    }

    /// type([name]) -> 'torch.DoubleTensor', or a copy converted to the named type (self when
    /// the type is already that)
    #[pyo3(name = "type", signature = (name = None))]
    fn type_<'py>(slf: &Bound<'py, Self>, name: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let t = slf.get().get();
        let Some(name) = name else {
            return Ok(t.dtype().tensor_type_name().into_pyobject(py)?.into_any());
        };
        let dtype = convert::dtype_of_name(name)?;
        if dtype == t.dtype() {
            return Ok(slf.clone().into_any());
        }
        let n = t.numel();
        let out = maybe_detach(py, n, || t.to_dtype_copy(dtype)).py()?;
        Ok(wrap(py, out)?.into_bound(py))
    }

    /// typeAs(tensor) -> self converted to tensor's type
    #[pyo3(name = "typeAs")]
    fn type_as<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let name = tensor_arg(other, "typeAs")?.dtype().tensor_type_name();
        Self::type_(slf, Some(&name.into_pyobject(slf.py())?.into_any()))
    }

    // ------------------------------------------------------------------ views

    /// select(dim, index) -> view without dim (a number for a 1-D tensor)
    fn select(&self, py: Python<'_>, dim: i64, index: i64) -> PyResult<Py<PyAny>> {
        number_or_tensor(py, self.get().select(dim, index).py()?)
    }

    /// narrow(dim, start, length) -> view of length indices of dim from start
    fn narrow(&self, py: Python<'_>, dim: i64, start: i64, length: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let length = convert::size_value(length, "narrow length")?;
        wrap(py, self.get().narrow(dim, start, length).py()?)
    }

    /// sub(d0s, d0e [, d1s, d1e ...]) -> view with inclusive index ranges on the leading dims
    #[pyo3(signature = (*bounds))]
    fn sub(&self, py: Python<'_>, bounds: Vec<i64>) -> PyResult<Py<PyAny>> {
        if !bounds.len().is_multiple_of(2) {
            return Err(PyValueError::new_err(format!(
                "sub takes start/end pairs, got {} numbers",
                bounds.len()
            )));
        }
        let pairs: Vec<(i64, i64)> = bounds.chunks(2).map(|p| (p[0], p[1])).collect();
        wrap(py, self.get().sub(&pairs).py()?)
    }

    /// transpose(dim0, dim1) -> view with the two dims swapped
    fn transpose(&self, py: Python<'_>, dim0: i64, dim1: i64) -> PyResult<Py<PyAny>> {
        wrap(py, self.get().transpose(dim0, dim1).py()?)
    }

    /// t() -> transposed view of a 2-D tensor
    fn t(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        wrap(py, self.get().t().py()?)
    }

    /// permute(d0, d1, ...) -> view whose dim i is the old dim d_i
    #[pyo3(signature = (*dims))]
    fn permute(&self, py: Python<'_>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        wrap(py, self.get().permute(&convert::signed_sizes(dims)?).py()?)
    }

    /// unfold(dim, size, step) -> view of all slices of size elements every step along dim, as a
    /// new last dim
    fn unfold(
        &self,
        py: Python<'_>,
        dim: i64,
        size: &Bound<'_, PyAny>,
        step: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        let size = convert::size_value(size, "unfold size")?;
        let step = convert::size_value(step, "unfold step")?;
        wrap(py, self.get().unfold(dim, size, step).py()?)
    }

    /// view(sizes...) -> view with new sizes (one may be -1); view(src, sizes...) makes self that
    /// view of src and returns self
    #[pyo3(signature = (*args))]
    fn view<'py>(slf: &Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        if let Some(first) = args.iter().next() {
            if first.cast::<PyTensor>().is_ok() {
                let src = tensor_arg(&first, "view")?;
                let rest = PyTuple::new(py, args.iter().skip(1))?;
                slf.get().put(src.view(&convert::signed_sizes(&rest)?).py()?);
                return Ok(slf.clone().into_any());
            }
        }
        Ok(wrap(py, slf.get().get().view(&convert::signed_sizes(args)?).py()?)?.into_bound(py))
    }

    /// viewAs(template) -> view with template's sizes
    #[pyo3(name = "viewAs")]
    fn view_as(&self, py: Python<'_>, template: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let sizes: Vec<i64> = tensor_arg(template, "viewAs")?.sizes().iter().map(|&s| s as i64).collect();
        wrap(py, self.get().view(&sizes).py()?)
    }

    /// expand(sizes...) -> view where size-1 dims repeat with stride 0
    #[pyo3(signature = (*sizes))]
    fn expand(&self, py: Python<'_>, sizes: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        wrap(py, self.get().expand(&sizes_arg(sizes)?).py()?)
    }

    /// expandAs(tensor) -> expand(tensor.size())
    #[pyo3(name = "expandAs")]
    fn expand_as(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        wrap(py, self.get().expand(tensor_arg(other, "expandAs")?.sizes()).py()?)
    }

    /// squeeze([dim]) -> view without size-1 dims (a number when every dim is 1)
    #[pyo3(signature = (dim = None))]
    fn squeeze(&self, py: Python<'_>, dim: Option<i64>) -> PyResult<Py<PyAny>> {
        let t = self.get();
        let out = t.squeeze(dim).py()?;
        if dim.is_none() && t.ndim() > 0 && t.sizes().iter().all(|&s| s == 1) {
            return convert::scalar_to_py(py, out.get(&[0]).py()?);
        }
        wrap(py, out)
    }

    /// unsqueeze(dim) -> view with a size-1 dim inserted at dim
    fn unsqueeze(&self, py: Python<'_>, dim: i64) -> PyResult<Py<PyAny>> {
        wrap(py, self.get().unsqueeze(dim).py()?)
    }

    /// split(size [, dim=0]) -> list of views of size elements along dim (the last may be shorter)
    #[pyo3(signature = (size, dim = 0))]
    fn split(&self, py: Python<'_>, size: &Bound<'_, PyAny>, dim: i64) -> PyResult<Vec<Py<PyAny>>> {
        let size = convert::size_value(size, "split size")?;
        self.get().split(size, dim).py()?.into_iter().map(|t| wrap(py, t)).collect()
    }

    /// chunk(n [, dim=0]) -> list of at most n views along dim
    #[pyo3(signature = (n, dim = 0))]
    fn chunk(&self, py: Python<'_>, n: &Bound<'_, PyAny>, dim: i64) -> PyResult<Vec<Py<PyAny>>> {
        let n = convert::size_value(n, "chunk count")?;
        self.get().chunk(n, dim).py()?.into_iter().map(|t| wrap(py, t)).collect()
    }

    /// contiguous() -> self when already contiguous, else a contiguous copy
    fn contiguous<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        let t = slf.get().get();
        if t.is_contiguous() {
            return Ok(slf.clone().into_any());
        }
        let py = slf.py();
        let out = maybe_detach(py, t.numel(), || t.clone_contiguous()).py()?;
        Ok(wrap(py, out)?.into_bound(py))
    }

    // ------------------------------------------------------------------ copies and writes

    /// clone() -> a contiguous copy with its own storage
    fn clone(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let t = self.get();
        let out = maybe_detach(py, t.numel(), || t.clone_contiguous()).py()?;
        wrap(py, out)
    }

    /// copy(src) -> self, with src's values (any type; src broadcasts, or has as many elements)
    fn copy<'py>(slf: Bound<'py, Self>, src: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let dst = slf.get().get();
        let src = value_tensor(src, dst.dtype())?;
        maybe_detach(slf.py(), dst.numel(), || dst.copy_(&src)).py()?;
        Ok(slf)
    }

    /// fill(value) -> self with every element set to value
    fn fill<'py>(slf: Bound<'py, Self>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let v = convert::scalar(value)?;
        let t = slf.get().get();
        maybe_detach(slf.py(), t.numel(), || t.fill_(v)).py()?;
        Ok(slf)
    }

    /// zero() -> self filled with zeros
    fn zero(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        let t = slf.get().get();
        maybe_detach(slf.py(), t.numel(), || t.zero_()).py()?;
        Ok(slf)
    }

    /// resize(sizes...) -> self with new sizes (contiguous; the storage grows when needed)
    #[pyo3(signature = (*sizes))]
    fn resize<'py>(slf: Bound<'py, Self>, sizes: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let sizes = sizes_arg(sizes)?;
        let mut t = slf.get().get();
        t.resize_(&sizes).py()?;
        slf.get().put(t);
        Ok(slf)
    }

    /// resizeAs(tensor) -> self resized to tensor's sizes
    #[pyo3(name = "resizeAs")]
    fn resize_as<'py>(slf: Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let sizes = tensor_arg(other, "resizeAs")?.sizes().to_vec();
        let mut t = slf.get().get();
        t.resize_(&sizes).py()?;
        slf.get().put(t);
        Ok(slf)
    }

    /// set([tensor | storage [, offset, sizes [, strides]]]) -> self re-pointed at that memory
    #[pyo3(signature = (*args))]
    fn set<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let me = slf.get();
        let dtype = me.get().dtype();
        if args.is_empty() {
            me.put(Tensor::empty(dtype));
            return Ok(slf);
        }
        let first = args.get_item(0)?;
        if first.cast::<PyTensor>().is_ok() {
            let other = tensor_arg(&first, "set")?;
            if other.dtype() != dtype {
                return Err(PyTypeError::new_err(format!(
                    "set: a {} cannot view a {}",
                    dtype.tensor_type_name(),
                    other.dtype().tensor_type_name()
                )));
            }
            me.put(other);
            return Ok(slf);
        }
        if first.cast::<PyStorage>().is_err() {
            return Err(PyTypeError::new_err(
                "set takes (), (tensor) or (storage [, offset, sizes [, strides]])",
            ));
        }
        me.put(build(dtype, args)?);
        Ok(slf)
    }

    /// tolist() -> nested lists of Python numbers
    fn tolist(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_nested(py, &self.get())
    }

    /// totable() -> same as tolist()
    fn totable(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_nested(py, &self.get())
    }

    /// reshape(sizes...) -> a contiguous copy with new sizes
    #[pyo3(signature = (*sizes))]
    fn reshape(&self, py: Python<'_>, sizes: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let sizes = convert::signed_sizes(sizes)?;
        let t = self.get();
        wrap(py, maybe_detach(py, t.numel(), || t.reshape(&sizes)).py()?)
    }

    /// repeatTensor(reps...) -> a copy tiled reps[d] times along each dim
    #[pyo3(name = "repeatTensor", signature = (*reps))]
    fn repeat_tensor(&self, py: Python<'_>, reps: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let reps = sizes_arg(reps)?;
        let t = self.get();
        wrap(py, maybe_detach(py, t.numel(), || t.repeat_tensor(&reps)).py()?)
    }

    /// uniform([gen,] [a=0, b=1]) -> self filled with uniform draws in [a, b)
    #[pyo3(signature = (*args))]
    fn uniform<'py>(slf: Bound<'py, Self>, args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let t = slf.get().get();
        require_math_type(&t, "uniform")?;
        let (gen, rest) = split_generator(args);
        let a: f64 = rest.first().map(|x| x.extract()).transpose()?.unwrap_or(0.0);
        let b: f64 = rest.get(1).map(|x| x.extract()).transpose()?.unwrap_or(1.0);
        if rest.len() > 2 {
            return Err(PyTypeError::new_err("uniform takes ([gen,] [a, b])"));
        }
        with_generator(gen.as_ref(), |g| t.uniform_(g, a, b)).py()?;
        Ok(slf)
    }

    // ------------------------------------------------------------------ Python protocols

    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        match index::resolve(&self.get(), key)? {
            index::Indexed::View(t) => wrap(py, t),
            index::Indexed::Element(t, at) => convert::scalar_to_py(py, t.get(&at).py()?),
        }
    }

    fn __setitem__(&self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let me = self.get();
        match index::resolve(&me, key)? {
            index::Indexed::Element(t, at) => t.set(&at, convert::scalar(value)?).py(),
            index::Indexed::View(v) => {
                if let Ok(s) = convert::scalar(value) {
                    if value.cast::<PyTensor>().is_err() {
                        return maybe_detach(value.py(), v.numel(), || v.fill_(s)).py();
                    }
                }
                let src = value_tensor(value, v.dtype())?;
                maybe_detach(value.py(), v.numel(), || v.copy_(&src)).py()
            }
        }
    }

    fn __len__(&self) -> PyResult<usize> {
        let t = self.get();
        if t.ndim() == 0 {
            return Err(PyTypeError::new_err("len() of a tensor with no dimension"));
        }
        Ok(t.sizes()[0])
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let t = self.get();
        let items = if t.ndim() == 0 {
            Vec::new()
        } else {
            (0..t.sizes()[0] as i64)
                .map(|i| number_or_tensor(py, t.select(0, i).py()?))
                .collect::<PyResult<Vec<_>>>()?
        };
        Ok(PyList::new(py, items)?.try_iter()?.into_any().unbind())
    }

    fn __bool__(&self) -> PyResult<bool> {
        let t = self.get();
        if t.numel() != 1 {
            return Err(PyValueError::new_err(format!(
                "the truth value of a tensor of size {} is ambiguous: bool() needs exactly one element",
                size_string(t.sizes())
            )));
        }
        Ok(t.to_vec::<f64>().py()?[0] != 0.0)
    }

    /// Tensors hash by identity (they are mutable).
    fn __hash__(slf: &Bound<'_, Self>) -> isize {
        slf.as_ptr() as isize
    }

    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        let t = self.get();
        maybe_detach(py, t.numel(), || t.to_torch_string()).py()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        self.__str__(py)
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        interop::reduce_tensor(py, &self.get())
    }

    /// numpy() -> a numpy array sharing this tensor's memory
    fn numpy<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("numpy")?.call_method1("asarray", (slf,))
    }

    #[pyo3(signature = (dtype = None, copy = None))]
    fn __array__<'py>(
        slf: &Bound<'py, Self>,
        dtype: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let np = slf.py().import("numpy")?;
        let arr = np.call_method1("asarray", (pyo3::types::PyMemoryView::from(slf.as_any())?,))?;
        let arr = match dtype {
            Some(d) => arr.call_method1("astype", (d,))?,
            None => arr,
        };
        if copy == Some(true) {
            return arr.call_method0("copy");
        }
        Ok(arr)
    }

    #[pyo3(signature = (*, stream = None, max_version = None, dl_device = None, copy = None))]
    fn __dlpack__<'py>(
        slf: &Bound<'py, Self>,
        stream: Option<&Bound<'py, PyAny>>,
        max_version: Option<&Bound<'py, PyAny>>,
        dl_device: Option<&Bound<'py, PyAny>>,
        copy: Option<bool>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let _ = (stream, max_version, dl_device);
        if copy == Some(true) {
            let c = slf.get().get().clone_contiguous().py()?;
            return interop::to_dlpack(slf.py(), &c);
        }
        interop::tensor_dlpack(slf.py(), slf)
    }

    fn __dlpack_device__(&self) -> (i32, i32) {
        (1, 0)
    }

    unsafe fn __getbuffer__(slf: Bound<'_, Self>, view: *mut ffi::Py_buffer, flags: c_int) -> PyResult<()> {
        let t = slf.get().get();
        // SAFETY: pyo3 passes the Py_buffer CPython gave us.
        unsafe { buffer::fill(slf.into_any(), &t, view, flags) }
    }

    unsafe fn __releasebuffer__(&self, view: *mut ffi::Py_buffer) {
        // SAFETY: `view` was filled by buffer::fill in __getbuffer__.
        unsafe { buffer::release(view) }
    }
}

/// A tensor for a value written into a tensor: a tensor itself, or a list / numpy array of
/// numbers converted to `dtype`.
fn value_tensor(value: &Bound<'_, PyAny>, dtype: DType) -> PyResult<Tensor> {
    if let Ok(t) = value.cast::<PyTensor>() {
        return Ok(t.get().get());
    }
    if let Some(t) = interop::array_like_to_tensor(value)? {
        return Ok(t);
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        return from_nested(dtype, value);
    }
    Err(PyTypeError::new_err(format!(
        "expected a tensor, a number, or a list / numpy array of numbers, got {}",
        value.get_type().name()?
    )))
}

macro_rules! tensor_classes {
    ($($cls:ident, $name:literal, $dt:ident;)*) => {
        $(
            #[doc = concat!("torch.", $name, ": a tensor of ", stringify!($dt), " elements.")]
            #[pyclass(name = $name, module = "ferrotorch", extends = PyTensor, subclass, frozen)]
            pub struct $cls;

            #[pymethods]
            impl $cls {
                #[new]
                #[pyo3(signature = (*args))]
                fn py_new(args: &Bound<'_, PyTuple>) -> PyResult<PyClassInitializer<Self>> {
                    let t = build(DType::$dt, args)?;
                    Ok(PyClassInitializer::from(PyTensor::new(t)).add_subclass($cls))
                }
            }
        )*

        /// The Python object of the tensor's own class (torch.DoubleTensor for a Double tensor).
        pub fn wrap(py: Python<'_>, t: Tensor) -> PyResult<Py<PyAny>> {
            let dtype = t.dtype();
            let base = PyClassInitializer::from(PyTensor::new(t));
            Ok(match dtype {
                $(DType::$dt => Py::new(py, base.add_subclass($cls))?.into_any(),)*
            })
        }

        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            m.add_class::<PyTensor>()?;
            $(m.add_class::<$cls>()?;)*
            Ok(())
        }
    };
}

tensor_classes! {
    ByteTensor, "ByteTensor", Byte;
    CharTensor, "CharTensor", Char;
    ShortTensor, "ShortTensor", Short;
    IntTensor, "IntTensor", Int;
    LongTensor, "LongTensor", Long;
    FloatTensor, "FloatTensor", Float;
    DoubleTensor, "DoubleTensor", Double;
    HalfTensor, "HalfTensor", Half;
}
