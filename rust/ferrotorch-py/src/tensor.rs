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
/// than the work). 4096: a few µs of work against ~0.1 µs for the release, and what lets
/// threads.Threads workers run kernels of a few thousand elements in parallel.
pub const GIL_RELEASE_NUMEL: usize = 1 << 12;

static DEFAULT_DTYPE: AtomicU8 = AtomicU8::new(6); // index into DType::ALL: Double

/// The type `torch.Tensor(...)` and `torch.Storage(...)` build.
pub fn default_dtype() -> DType {
    DType::ALL[DEFAULT_DTYPE.load(Ordering::Relaxed) as usize]
}

/// _set_default_dtype(name): what torch.Tensor(...) / torch.Storage(...) build from now on
///
/// The engine half of torch.setdefaulttensortype(name), which also records the name for
/// torch.getdefaulttensortype(): call that one instead. name is a tensor or storage type
/// name such as 'torch.FloatTensor'.
///
/// >>> import ferrotorch as torch
/// >>> torch._C._set_default_dtype('torch.FloatTensor')
/// >>> torch.Tensor(2).type(), torch.Storage(2).type()
/// ('torch.FloatTensor', 'torch.FloatStorage')
/// >>> torch._C._set_default_dtype('torch.DoubleTensor')
/// >>> torch.Tensor(2).type()
/// 'torch.DoubleTensor'
#[pyfunction]
pub fn _set_default_dtype(name: &Bound<'_, PyAny>) -> PyResult<()> {
    let d = convert::dtype_of_name(name)?;
    let i = DType::ALL.iter().position(|&x| x == d).expect("every dtype is in ALL");
    DEFAULT_DTYPE.store(i as u8, Ordering::Relaxed);
    Ok(())
}

/// Tensor(...) -> a tensor of the default type (DoubleTensor unless setdefaulttensortype
/// changed it)
///
/// Base class of the eight tensor types (ByteTensor, CharTensor, ShortTensor, IntTensor,
/// LongTensor, FloatTensor, DoubleTensor, HalfTensor), so isinstance(t, torch.Tensor) holds for
/// all of them. As in Torch7, a tensor is a strided view over a Storage; dims and indices are
/// 0-based (Torch7's are 1-based). Every type takes these constructor forms:
///
///   Tensor()                             empty, with no dimension
///   Tensor(sz1 [, sz2 [, ...]])          those sizes, zero-filled, in a new storage
///   Tensor(sizes [, strides])            sizes (and strides) given as LongStorages
///   Tensor(tensor)                       a view sharing tensor's storage (same type only)
///   Tensor(storage [, offset [, sizes [, strides]]])
///                                        a view sharing storage from the 0-based offset;
///                                        sizes / strides as LongStorages or tuples, or as
///                                        sz1, st1, sz2, st2, ... ints (strides < 0: contiguous)
///   Tensor(list | numpy array)           a copy of nested lists of numbers, or of an array
///
/// Indexing: t[i] selects along dim 0 (a view; a Python number when t is 1-D), t[i, j, ...]
/// selects along several dims (a number once every dim has an int), a slice a:b:s narrows
/// a dim (positive steps only), None inserts a size-1 dim and ... (Ellipsis) stands for the
/// remaining dims. Tensor results share storage with t. t[key] = value fills the selection
/// with a number, or copies a tensor / list / numpy array into it.
///
/// >>> import ferrotorch as torch
/// >>> a = torch.Tensor([[1, 2, 3], [4, 5, 6]])
/// >>> print(a)
///  1  2  3
///  4  5  6
/// [torch.DoubleTensor of size 2x3]
/// >>> torch.Tensor(2, 3).size() == (2, 3), torch.Tensor().dim()
/// (True, 0)
/// >>> torch.FloatTensor(torch.LongStorage([2, 3])).size() == (2, 3)
/// True
/// >>> s = torch.DoubleStorage([1, 2, 3, 4, 5, 6])
/// >>> torch.DoubleTensor(s, 1, torch.LongStorage([2, 2])).tolist()
/// [[2.0, 3.0], [4.0, 5.0]]
/// >>> torch.DoubleTensor(s, 0, 2, 3, 3, 1).tolist()
/// [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
/// >>> b = torch.DoubleTensor(a)
/// >>> b[0, 0] = 100
/// >>> a[0, 0], a[1].tolist(), a[1][2], a[-1, -1]
/// (100.0, [4.0, 5.0, 6.0], 6.0, 6.0)
/// >>> a[:, 0:3:2].tolist(), a[..., 1].tolist(), a[None].size() == (1, 2, 3)
/// ([[100.0, 3.0], [4.0, 6.0]], [2.0, 5.0], True)
/// >>> a[1, 1:] = 0
/// >>> a.tolist()
/// [[100.0, 2.0, 3.0], [4.0, 0.0, 0.0]]
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

    /// Runs `f` on the current tensor under the read lock, without cloning it. `f` must not
    /// call back into Python (a callback could try to re-point this tensor and deadlock).
    pub fn with<R>(&self, f: impl FnOnce(&Tensor) -> R) -> R {
        f(&self.inner.read().unwrap_or_else(|p| p.into_inner()))
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
pub fn maybe_detach<R: Send>(py: Python<'_>, numel: usize, f: impl FnOnce() -> R + Send) -> R {
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
    // A negative stride asks for the stride that makes that dim contiguous with the next one
    // (Torch7's THTensor_resizeNd rule, walking from the last dim).
    let mut out = vec![0usize; sizes.len()];
    for d in (0..sizes.len()).rev() {
        out[d] = match usize::try_from(strides[d]) {
            Ok(s) => s,
            Err(_) if d + 1 == sizes.len() => 1,
            Err(_) => sizes[d + 1].max(1).saturating_mul(out[d + 1]),
        };
    }
    Ok((sizes, Some(out)))
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
pub fn number_or_tensor(py: Python<'_>, t: Tensor) -> PyResult<Py<PyAny>> {
    if t.ndim() == 0 {
        // A 1-D select gives a tensor with no dimension over one element: read it.
        let view = Tensor::from_storage(t.storage().clone(), t.storage_offset(), &[1], None).py()?;
        return convert::scalar_to_py(py, view.get(&[0]).py()?);
    }
    wrap(py, t)
}

/// Nested Python lists of a tensor's values.
pub fn to_nested(py: Python<'_>, t: &Tensor) -> PyResult<Py<PyAny>> {
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
pub fn split_generator<'a, 'py>(
    args: &'a Bound<'py, PyTuple>,
) -> (Option<Bound<'py, PyGenerator>>, Vec<Bound<'py, PyAny>>) {
    let mut items: Vec<Bound<'py, PyAny>> = args.iter().collect();
    let gen = items.first().and_then(|a| a.cast::<PyGenerator>().ok().cloned());
    if gen.is_some() {
        items.remove(0);
    }
    (gen, items)
}

pub fn require_math_type(t: &Tensor, what: &str) -> PyResult<()> {
    if t.dtype() == DType::Half {
        return Err(PyTypeError::new_err(format!(
            "{what} is not available for torch.HalfTensor (it has storage, views, copies and printing only); convert with .float()"
        )));
    }
    Ok(())
}

#[pymethods]
impl PyTensor {
    /// Tensor(...) -> a tensor of the default type (see the class docstring for the forms)
    #[new]
    #[classmethod]
    #[pyo3(signature = (*args))]
    fn py_new(_cls: &Bound<'_, PyType>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyTensor>> {
        let py = args.py();
        let t = build(default_dtype(), args)?;
        Ok(wrap(py, t)?.into_bound(py).cast_into::<PyTensor>()?.unbind())
    }

    // ------------------------------------------------------------------ queries

    /// size([dim]) -> LongStorage of all sizes, or the size of dim (a number)
    ///
    /// dim is 0-based (negative counts from the end). The LongStorage compares equal to a tuple or
    /// list of the same numbers.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor(2, 3)
    /// >>> a.size() == (2, 3), a.size(0), a.size(-1)
    /// (True, 2, 3)
    /// >>> print(a.size())
    ///  2
    ///  3
    /// [torch.LongStorage of size 2]
    #[pyo3(signature = (dim = None))]
    fn size<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.get();
        match dim {
            Some(d) => Ok(t.size(d).py()?.into_pyobject(py)?.into_any()),
            None => long_storage(py, t.sizes()),
        }
    }

    /// stride([dim]) -> LongStorage of all strides, or the stride of dim (a number)
    ///
    /// The stride of a dim is the storage step between neighbouring elements along it; dim is
    /// 0-based. Views such as t() only rearrange the strides.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor(2, 3)
    /// >>> a.stride() == (3, 1), a.stride(0), a.t().stride() == (1, 3)
    /// (True, 3, True)
    #[pyo3(signature = (dim = None))]
    fn stride<'py>(&self, py: Python<'py>, dim: Option<i64>) -> PyResult<Bound<'py, PyAny>> {
        let t = self.get();
        match dim {
            Some(d) => Ok(t.stride(d).py()?.into_pyobject(py)?.into_any()),
            None => long_storage(py, t.strides()),
        }
    }

    /// storage() -> the Storage this tensor views
    ///
    /// The storage is shared, not copied: writes through it show in every tensor that views it.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2], [3, 4]])
    /// >>> s = a.storage()
    /// >>> s[3] = 40
    /// >>> a.tolist(), s.size(), s.type()
    /// ([[1.0, 2.0], [3.0, 40.0]], 4, 'torch.DoubleStorage')
    fn storage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::storage::wrap(py, self.get().storage().clone())
    }

    /// storageOffset() -> 0-based index of the first element in the storage
    ///
    /// Torch7's storageOffset() is 1-based; here a tensor that starts at the storage's first element
    /// gives 0.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> a.storageOffset(), a.select(0, 1).storageOffset(), a[:, 2].storageOffset()
    /// (0, 3, 2)
    #[pyo3(name = "storageOffset")]
    fn storage_offset(&self) -> usize {
        self.with(|t| t.storage_offset())
    }

    /// dim() -> number of dimensions (0 for an empty tensor)
    ///
    /// Same as nDimension().
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor(2, 3, 4).dim(), torch.DoubleTensor().dim()
    /// (3, 0)
    fn dim(&self) -> usize {
        self.with(|t| t.ndim())
    }

    /// nDimension() -> number of dimensions
    ///
    /// Same as dim(); an empty tensor has 0.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor(2, 3).nDimension()
    /// 2
    #[pyo3(name = "nDimension")]
    fn n_dimension(&self) -> usize {
        self.get().ndim()
    }

    /// nElement() -> number of elements
    ///
    /// The product of the sizes (0 for an empty tensor); same as numel().
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor(2, 3).nElement(), torch.DoubleTensor().nElement()
    /// (6, 0)
    #[pyo3(name = "nElement")]
    fn n_element(&self) -> usize {
        self.with(|t| t.numel())
    }

    /// numel() -> number of elements
    ///
    /// Same as nElement() and torch.numel(t).
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor(4, 5).numel()
    /// 20
    fn numel(&self) -> usize {
        self.get().numel()
    }

    /// isContiguous() -> True when the elements are row-major without gaps
    ///
    /// Transposed or strided views usually are not; contiguous() gives a tensor that is.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor(2, 3)
    /// >>> a.isContiguous(), a.t().isContiguous(), a.select(1, 0).isContiguous()
    /// (True, False, False)
    #[pyo3(name = "isContiguous")]
    fn is_contiguous(&self) -> bool {
        self.get().is_contiguous()
    }

    /// isSameSizeAs(tensor) -> True when both have the same sizes
    ///
    /// The types may differ.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor(2, 3)
    /// >>> a.isSameSizeAs(torch.IntTensor(2, 3)), a.isSameSizeAs(torch.DoubleTensor(3, 2))
    /// (True, False)
    #[pyo3(name = "isSameSizeAs")]
    fn is_same_size_as(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.get().is_same_size_as(&tensor_arg(other, "isSameSizeAs")?))
    }

    /// isSetTo(tensor) -> True when both view the same storage with the same layout
    ///
    /// Same storage, storage offset, sizes and strides; equal values in different storages are not
    /// enough.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor(2, 3)
    /// >>> a.isSetTo(torch.DoubleTensor(a)), a.isSetTo(a.clone()), a.isSetTo(a.t())
    /// (True, False, False)
    #[pyo3(name = "isSetTo")]
    fn is_set_to(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(self.get().is_set_to(&tensor_arg(other, "isSetTo")?))
    }

    /// isSize(sizes) -> True when the sizes equal the given LongStorage / tuple
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor(2, 3)
    /// >>> a.isSize(torch.LongStorage([2, 3])), a.isSize((2, 3)), a.isSize([3, 2])
    /// (True, True, False)
    #[pyo3(name = "isSize")]
    fn is_size(&self, sizes: &Bound<'_, PyAny>) -> PyResult<bool> {
        let want = convert::int_list(sizes)?;
        Ok(want.len() == self.get().ndim()
            && want.iter().zip(self.get().sizes()).all(|(&a, &b)| a == b as i64))
    }

    /// elementSize() -> bytes per element
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor().elementSize(), torch.ByteTensor().elementSize()
    /// (8, 1)
    #[pyo3(name = "elementSize")]
    fn element_size(&self) -> usize {
        self.get().dtype().element_size()
    }

    /// type([name]) -> 'torch.DoubleTensor', or a copy converted to the named type (self when
    /// the type is already that)
    ///
    /// Without a name, the type's name. With one, a new tensor with its own storage, its values
    /// converted (floats become integers by rounding toward zero); when self already has that type,
    /// self itself is returned, not a copy.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([1.7, -1.7])
    /// >>> a.type()
    /// 'torch.DoubleTensor'
    /// >>> a.type('torch.IntTensor').tolist()
    /// [1, -1]
    /// >>> a.type('torch.DoubleTensor') is a
    /// True
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
    ///
    /// Same as type(tensor.type()): a copy when the types differ, else self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([1, 2])
    /// >>> b = a.typeAs(torch.IntTensor())
    /// >>> b.type(), b.tolist(), a.typeAs(a) is a
    /// ('torch.IntTensor', [1, 2], True)
    #[pyo3(name = "typeAs")]
    fn type_as<'py>(slf: &Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let name = tensor_arg(other, "typeAs")?.dtype().tensor_type_name();
        Self::type_(slf, Some(&name.into_pyobject(slf.py())?.into_any()))
    }

    // ------------------------------------------------------------------ views

    /// select(dim, index) -> view without dim (a number for a 1-D tensor)
    ///
    /// Picks the slice at index along dim (both 0-based; Torch7's are 1-based). The result shares
    /// storage with self; t[i] is t.select(0, i).
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> a.select(0, 1).tolist()
    /// [4.0, 5.0, 6.0]
    /// >>> a.select(1, 2).tolist(), a.select(0, 1).select(0, 2)
    /// ([3.0, 6.0], 6.0)
    fn select(&self, py: Python<'_>, dim: i64, index: i64) -> PyResult<Py<PyAny>> {
        number_or_tensor(py, self.with(|t| t.select(dim, index)).py()?)
    }

    /// narrow(dim, start, length) -> view of length indices of dim from start
    ///
    /// dim and start are 0-based (Torch7's start is 1-based). The result shares storage with self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> a.narrow(1, 1, 2).tolist()
    /// [[2.0, 3.0], [5.0, 6.0]]
    fn narrow(&self, py: Python<'_>, dim: i64, start: i64, length: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let length = convert::size_value(length, "narrow length")?;
        wrap(py, self.with(|t| t.narrow(dim, start, length)).py()?)
    }

    /// sub(d0s, d0e [, d1s, d1e ...]) -> view with inclusive index ranges on the leading dims
    ///
    /// Each pair gives the first and the last index kept (0-based, both included; negative ones count
    /// from the end, -1 being the last); dims without a pair are kept whole. Torch7's indices are
    /// 1-based. The result shares storage with self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> a.sub(0, 0, 1, 2).tolist()
    /// [[2.0, 3.0]]
    /// >>> a.sub(1, 1).tolist(), a.sub(0, -1, -2, -1).tolist()
    /// ([[4.0, 5.0, 6.0]], [[2.0, 3.0], [5.0, 6.0]])
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
    ///
    /// dims are 0-based; the result shares storage with self (its strides are swapped, no copy).
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> a.transpose(0, 1).tolist()
    /// [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    fn transpose(&self, py: Python<'_>, dim0: i64, dim1: i64) -> PyResult<Py<PyAny>> {
        wrap(py, self.with(|t| t.transpose(dim0, dim1)).py()?)
    }

    /// t() -> transposed view of a 2-D tensor
    ///
    /// Same as transpose(0, 1); the result shares storage with self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> b = a.t()
    /// >>> b.size() == (3, 2), b.isContiguous()
    /// (True, False)
    /// >>> b[2, 0] = 30
    /// >>> a[0, 2]
    /// 30.0
    fn t(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        wrap(py, self.with(|t| t.t()).py()?)
    }

    /// permute(d0, d1, ...) -> view whose dim i is the old dim d_i
    ///
    /// The dims are 0-based and name every dim once; the result shares storage with self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor(2, 3, 4)
    /// >>> a.permute(2, 0, 1).size() == (4, 2, 3)
    /// True
    #[pyo3(signature = (*dims))]
    fn permute(&self, py: Python<'_>, dims: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        wrap(py, self.get().permute(&convert::signed_sizes(dims)?).py()?)
    }

    /// unfold(dim, size, step) -> view of all slices of size elements every step along dim, as a
    /// new last dim
    ///
    /// dim is 0-based; the result shares storage with self (overlapping slices share elements).
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([1, 2, 3, 4, 5])
    /// >>> x.unfold(0, 2, 1).tolist()
    /// [[1.0, 2.0], [2.0, 3.0], [3.0, 4.0], [4.0, 5.0]]
    /// >>> x.unfold(0, 2, 2).tolist()
    /// [[1.0, 2.0], [3.0, 4.0]]
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
    ///
    /// The sizes (ints, a tuple or a LongStorage) must hold as many elements; the result shares
    /// storage with the viewed tensor. Sizes that this layout cannot give without a copy (as
    /// can happen after a transpose) raise ValueError: call contiguous() first, or use reshape().
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> a.view(3, 2).tolist()
    /// [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    /// >>> a.view(-1).size() == (6,)
    /// True
    /// >>> b = torch.DoubleTensor()
    /// >>> b.view(a, 6) is b, b.tolist()
    /// (True, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
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
    ///
    /// Same as view(template.size()); the result shares storage with self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> a.viewAs(torch.DoubleTensor(3, 2)).tolist()
    /// [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    #[pyo3(name = "viewAs")]
    fn view_as(&self, py: Python<'_>, template: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let sizes: Vec<i64> = tensor_arg(template, "viewAs")?.sizes().iter().map(|&s| s as i64).collect();
        wrap(py, self.get().view(&sizes).py()?)
    }

    /// expand(sizes...) -> view where size-1 dims repeat with stride 0
    ///
    /// Nothing is copied: the repeated elements are the same memory, shared with self. The sizes
    /// are ints, a tuple or a LongStorage.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[1], [2]])
    /// >>> e = x.expand(2, 3)
    /// >>> e.tolist(), e.stride() == (1, 0)
    /// ([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]], True)
    #[pyo3(signature = (*sizes))]
    fn expand(&self, py: Python<'_>, sizes: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        wrap(py, self.get().expand(&sizes_arg(sizes)?).py()?)
    }

    /// expandAs(tensor) -> expand(tensor.size())
    ///
    /// A view sharing storage with self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([[1], [2]])
    /// >>> x.expandAs(torch.DoubleTensor(2, 2)).tolist()
    /// [[1.0, 1.0], [2.0, 2.0]]
    #[pyo3(name = "expandAs")]
    fn expand_as(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        wrap(py, self.get().expand(tensor_arg(other, "expandAs")?.sizes()).py()?)
    }

    /// squeeze([dim]) -> view without size-1 dims (a number when every dim is 1)
    ///
    /// With dim (0-based), only that dim is removed, and only when its size is 1. The result shares
    /// storage with self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor(2, 1, 3).squeeze().size() == (2, 3)
    /// True
    /// >>> torch.DoubleTensor(2, 1, 1).squeeze(1).size() == (2, 1)
    /// True
    /// >>> torch.DoubleTensor([[5]]).squeeze()
    /// 5.0
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
    ///
    /// dim is 0-based (0 to dim()); the result shares storage with self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor(2, 3).unsqueeze(1).size() == (2, 1, 3)
    /// True
    fn unsqueeze(&self, py: Python<'_>, dim: i64) -> PyResult<Py<PyAny>> {
        wrap(py, self.get().unsqueeze(dim).py()?)
    }

    /// split(size [, dim=0]) -> list of views of size elements along dim (the last may be shorter)
    ///
    /// Torch7's torch.split(t, size, dim) as a method; dim is 0-based and each piece shares storage
    /// with self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> [p.tolist() for p in a.split(2, 1)]
    /// [[[1.0, 2.0], [4.0, 5.0]], [[3.0], [6.0]]]
    #[pyo3(signature = (size, dim = 0))]
    fn split(&self, py: Python<'_>, size: &Bound<'_, PyAny>, dim: i64) -> PyResult<Vec<Py<PyAny>>> {
        let size = convert::size_value(size, "split size")?;
        self.get().split(size, dim).py()?.into_iter().map(|t| wrap(py, t)).collect()
    }

    /// chunk(n [, dim=0]) -> list of at most n views along dim
    ///
    /// Torch7's torch.chunk(t, n, dim) as a method: pieces of ceil(size / n) elements (the last may
    /// be shorter). dim is 0-based and each piece shares storage with self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([1, 2, 3, 4, 5])
    /// >>> [p.tolist() for p in x.chunk(2)]
    /// [[1.0, 2.0, 3.0], [4.0, 5.0]]
    #[pyo3(signature = (n, dim = 0))]
    fn chunk(&self, py: Python<'_>, n: &Bound<'_, PyAny>, dim: i64) -> PyResult<Vec<Py<PyAny>>> {
        let n = convert::size_value(n, "chunk count")?;
        self.get().chunk(n, dim).py()?.into_iter().map(|t| wrap(py, t)).collect()
    }

    /// contiguous() -> self when already contiguous, else a contiguous copy
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> a.contiguous() is a
    /// True
    /// >>> c = a.t().contiguous()
    /// >>> c.isContiguous(), c.tolist()
    /// (True, [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]])
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
    ///
    /// Writes to the copy do not show in self.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> c = a.clone()
    /// >>> c[0, 0] = 9
    /// >>> a[0, 0], c[0, 0]
    /// (1.0, 9.0)
    fn clone(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let t = self.get();
        let out = maybe_detach(py, t.numel(), || t.clone_contiguous()).py()?;
        wrap(py, out)
    }

    /// copy(src) -> self, with src's values (any type; src broadcasts, or has as many elements)
    ///
    /// src is a tensor of any type, a (nested) list or a numpy array; values are converted to
    /// self's type. Self keeps its storage and sizes.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> x = torch.IntTensor(2, 3)
    /// >>> x.copy(a) is x, x.tolist()
    /// (True, [[1, 2, 3], [4, 5, 6]])
    /// >>> x.copy(torch.DoubleTensor([7, 8, 9])).tolist()
    /// [[7, 8, 9], [7, 8, 9]]
    fn copy<'py>(slf: Bound<'py, Self>, src: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let dst = slf.get().get();
        let src = value_tensor(src, dst.dtype())?;
        maybe_detach(slf.py(), dst.numel(), || dst.copy_(&src)).py()?;
        Ok(slf)
    }

    /// fill(value) -> self with every element set to value
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor(2, 2).fill(7).tolist()
    /// [[7.0, 7.0], [7.0, 7.0]]
    fn fill<'py>(slf: Bound<'py, Self>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let v = convert::scalar(value)?;
        let t = slf.get().get();
        maybe_detach(slf.py(), t.numel(), || t.fill_(v)).py()?;
        Ok(slf)
    }

    /// zero() -> self filled with zeros
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.IntTensor([1, 2, 3]).zero().tolist()
    /// [0, 0, 0]
    fn zero(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        let t = slf.get().get();
        maybe_detach(slf.py(), t.numel(), || t.zero_()).py()?;
        Ok(slf)
    }

    /// resize(sizes...) -> self with new sizes (contiguous; the storage grows when needed)
    ///
    /// The sizes are ints, a tuple or a LongStorage. The values already in the storage keep their
    /// places in storage order; elements past its old end start as zeros.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([1, 2, 3, 4])
    /// >>> x.resize(2, 2) is x, x.tolist()
    /// (True, [[1.0, 2.0], [3.0, 4.0]])
    /// >>> x.resize(3).tolist()
    /// [1.0, 2.0, 3.0]
    #[pyo3(signature = (*sizes))]
    fn resize<'py>(slf: Bound<'py, Self>, sizes: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, Self>> {
        let sizes = sizes_arg(sizes)?;
        let mut t = slf.get().get();
        t.resize_(&sizes).py()?;
        slf.get().put(t);
        Ok(slf)
    }

    /// resizeAs(tensor) -> self resized to tensor's sizes
    ///
    /// Same as resize(tensor.size()).
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor(2)
    /// >>> x.resizeAs(torch.IntTensor(2, 3)).size() == (2, 3)
    /// True
    #[pyo3(name = "resizeAs")]
    fn resize_as<'py>(slf: Bound<'py, Self>, other: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let sizes = tensor_arg(other, "resizeAs")?.sizes().to_vec();
        let mut t = slf.get().get();
        t.resize_(&sizes).py()?;
        slf.get().put(t);
        Ok(slf)
    }

    /// set([tensor | storage [, offset, sizes [, strides]]]) -> self re-pointed at that memory
    ///
    /// set(tensor) makes self share tensor's storage and layout; set(storage, offset, sizes
    /// [, strides]) makes it a view of storage from the 0-based offset (Torch7's is 1-based), taking
    /// the same size/stride forms as the constructor; set() empties it. The types must match.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> x = torch.DoubleTensor()
    /// >>> x.set(a) is x, x.isSetTo(a)
    /// (True, True)
    /// >>> s = torch.DoubleStorage([1, 2, 3, 4])
    /// >>> x.set(s, 1, torch.LongStorage([3])).tolist()
    /// [2.0, 3.0, 4.0]
    /// >>> x.set().dim()
    /// 0
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
    ///
    /// A copy: floats for the floating-point types, ints for the integer ones; an empty tensor gives
    /// []. Torch7's name is totable().
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.IntTensor([[1, 2], [3, 4]]).tolist()
    /// [[1, 2], [3, 4]]
    /// >>> torch.FloatTensor([0.5]).tolist(), torch.DoubleTensor().tolist()
    /// ([0.5], [])
    fn tolist(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_nested(py, &self.get())
    }

    /// totable() -> same as tolist()
    ///
    /// Torch7's name for tolist().
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor([[1, 2]]).totable()
    /// [[1.0, 2.0]]
    fn totable(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        to_nested(py, &self.get())
    }

    /// reshape(sizes...) -> a contiguous copy with new sizes
    ///
    /// Torch7's torch.reshape(t, sizes...): unlike view() it always copies, so it works for any
    /// layout. One size may be -1.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> a.t().reshape(6).tolist()
    /// [1.0, 4.0, 2.0, 5.0, 3.0, 6.0]
    /// >>> a.reshape(3, -1).size() == (3, 2)
    /// True
    #[pyo3(signature = (*sizes))]
    fn reshape(&self, py: Python<'_>, sizes: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let sizes = convert::signed_sizes(sizes)?;
        let t = self.get();
        wrap(py, maybe_detach(py, t.numel(), || t.reshape(&sizes)).py()?)
    }

    /// repeatTensor(reps...) -> a copy tiled reps[d] times along each dim
    ///
    /// reps may have more entries than self has dims (new leading dims). The result has its own
    /// storage.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor([1, 2]).repeatTensor(2, 2).tolist()
    /// [[1.0, 2.0, 1.0, 2.0], [1.0, 2.0, 1.0, 2.0]]
    #[pyo3(name = "repeatTensor", signature = (*reps))]
    fn repeat_tensor(&self, py: Python<'_>, reps: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let reps = sizes_arg(reps)?;
        let t = self.get();
        wrap(py, maybe_detach(py, t.numel(), || t.repeat_tensor(&reps)).py()?)
    }

    /// uniform([gen,] [a=0, b=1]) -> self filled with uniform draws in [a, b)
    ///
    /// Draws from the Generator gen, or from the calling thread's default generator (see
    /// torch.manualSeed). Not available for HalfTensor.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor(1000).uniform(2, 3)
    /// >>> all(2 <= v < 3 for v in x.tolist())
    /// True
    /// >>> g = torch.Generator()
    /// >>> torch.manualSeed(g, 5)
    /// >>> y = torch.DoubleTensor(3).uniform(g).tolist()
    /// >>> torch.manualSeed(g, 5)
    /// >>> torch.DoubleTensor(3).uniform(g).tolist() == y
    /// True
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
        match gen {
            // The thread's own generator: no lock another Python thread could hold.
            None => maybe_detach(slf.py(), t.numel(), || with_generator(None, |g| t.uniform_(g, a, b))),
            Some(_) => with_generator(gen.as_ref(), |g| t.uniform_(g, a, b)),
        }
        .py()?;
        Ok(slf)
    }

    // ------------------------------------------------------------------ Python protocols

    /// t[key] -> a view, or a Python number when every dim gets an int (see the class docstring)
    fn __getitem__(&self, py: Python<'_>, key: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        if convert::is_int(key) {
            // `a[i]`, the hot case: no snapshot of the tensor, no key parsing.
            let i: i64 = key.extract()?;
            return match self
                .with(|t| if t.ndim() == 1 { t.get(&[i]).map(Ok) } else { t.select(0, i).map(Err) })
            {
                Ok(Ok(value)) => convert::scalar_to_py(py, value),
                Ok(Err(row)) => wrap(py, row),
                Err(e) => Err(crate::errors::to_py(e)),
            };
        }
        match index::resolve(&self.get(), key)? {
            index::Indexed::View(t) => wrap(py, t),
            index::Indexed::Element(t, at) => convert::scalar_to_py(py, t.get(&at).py()?),
        }
    }

    /// t[key] = value: fills the selected elements with a number, or copies a tensor / list into them
    fn __setitem__(&self, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let me = self.get();
        if index::assign(&me, key, value)? {
            return Ok(());
        }
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

    /// len(t) -> size of dim 0 (TypeError for a tensor with no dimension)
    fn __len__(&self) -> PyResult<usize> {
        let t = self.get();
        if t.ndim() == 0 {
            return Err(PyTypeError::new_err("len() of a tensor with no dimension"));
        }
        Ok(t.sizes()[0])
    }

    /// iter(t) -> the select(0, i) slices (Python numbers for a 1-D tensor)
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

    /// bool(t) -> truth of the single element (ValueError unless exactly one element)
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

    /// str(t) -> Torch7's printed form, ending with e.g. [torch.DoubleTensor of size 2x3]
    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        let t = self.get();
        maybe_detach(py, t.numel(), || t.to_torch_string()).py()
    }

    /// repr(t) -> same as str(t)
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        self.__str__(py)
    }

    /// __reduce__() -> pickling support: (rebuild function, (type name, sizes, bytes))
    ///
    /// Pickling stores a contiguous copy of the values; the unpickled tensor has its own storage.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> import pickle
    /// >>> b = pickle.loads(pickle.dumps(a))
    /// >>> b.type(), b.tolist()
    /// ('torch.DoubleTensor', [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        interop::reduce_tensor(py, &self.get())
    }

    /// numpy() -> a numpy array sharing this tensor's memory
    ///
    /// A Python addition (Torch7 has none). Writes through either side show in the other.
    ///
    /// >>> import ferrotorch as torch
    /// >>> x = torch.DoubleTensor([1, 2, 3])
    /// >>> n = x.numpy()
    /// >>> n[0] = 10
    /// >>> x.tolist(), n.dtype.name
    /// ([10.0, 2.0, 3.0], 'float64')
    fn numpy<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py().import("numpy")?.call_method1("asarray", (slf,))
    }

    /// __array__([dtype, copy]) -> numpy array protocol: an array sharing the memory
    ///
    /// Converted with astype when dtype is given, and copied when copy=True.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> import numpy as np
    /// >>> np.asarray(a).shape, np.asarray(a, dtype=np.int32).dtype.name
    /// ((2, 3), 'int32')
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

    /// __dlpack__(*, stream=None, max_version=None, dl_device=None, copy=None) -> DLPack capsule
    ///
    /// The capsule shares this tensor's memory (a contiguous copy's with copy=True), so that
    /// numpy.from_dlpack and other DLPack consumers can read it without a copy.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    /// >>> import numpy as np
    /// >>> np.from_dlpack(a).tolist()
    /// [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
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

    /// __dlpack_device__() -> (1, 0): DLPack's CPU device
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleTensor(2).__dlpack_device__()
    /// (1, 0)
    fn __dlpack_device__(&self) -> (i32, i32) {
        (1, 0)
    }

    /// Buffer protocol: memoryview(t) and numpy see the tensor's memory (strided, writable).
    unsafe fn __getbuffer__(slf: Bound<'_, Self>, view: *mut ffi::Py_buffer, flags: c_int) -> PyResult<()> {
        let t = slf.get().get();
        // SAFETY: pyo3 passes the Py_buffer CPython gave us.
        unsafe { buffer::fill(slf.into_any(), &t, view, flags) }
    }

    /// Releases what __getbuffer__ filled in.
    unsafe fn __releasebuffer__(&self, view: *mut ffi::Py_buffer) {
        // SAFETY: `view` was filled by buffer::fill in __getbuffer__.
        unsafe { buffer::release(view) }
    }
}

/// A tensor for a value written into a tensor: a tensor itself, or a list / numpy array of
/// numbers converted to `dtype`.
pub fn value_tensor(value: &Bound<'_, PyAny>, dtype: DType) -> PyResult<Tensor> {
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
            #[doc = concat!($name, "(...) -> a tensor of ", stringify!($dt), " elements")]
            #[doc = ""]
            #[doc = concat!("torch.", $name, ": takes every constructor form of torch.Tensor (see its")]
            #[doc = "docstring) and has all its methods; dims and indices are 0-based."]
            #[doc = ""]
            #[doc = ">>> import ferrotorch as torch"]
            #[doc = concat!(">>> t = torch.", $name, "([[1, 2], [3, 4]])")]
            #[doc = ">>> t.type(), t.size() == (2, 2), isinstance(t, torch.Tensor)"]
            #[doc = concat!("('torch.", $name, "', True, True)")]
            #[pyclass(name = $name, module = "ferrotorch", extends = PyTensor, subclass, frozen)]
            pub struct $cls;

            #[pymethods]
            impl $cls {
                /// Builds a tensor of this type from any constructor form of torch.Tensor.
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
