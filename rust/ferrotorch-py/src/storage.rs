//! Python classes for storages: `torch.Storage` (the base; calling it builds the default type)
//! and `torch.ByteStorage` ... `torch.HalfStorage`.

use crate::buffer;
use crate::convert;
use crate::errors::IntoPyResult;
use crate::interop;
use crate::tensor::default_dtype;
use ferrotorch::{DType, Storage};
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyTuple, PyType};
use std::os::raw::c_int;

/// What `__reduce__` returns: the rebuild function and its arguments.
type Reduced<'py> = (Bound<'py, PyAny>, (String, Bound<'py, PyBytes>));

/// Storage(...) -> a storage of the default type (DoubleStorage unless setdefaulttensortype
/// changed it)
///
/// Base class of the eight storage types (ByteStorage, CharStorage, ShortStorage, IntStorage,
/// LongStorage, FloatStorage, DoubleStorage, HalfStorage): a flat, typed, resizable block of
/// elements that tensors view. Indices are 0-based (Torch7's are 1-based): s[i] reads or writes
/// one element and len(s) is the size. Every type takes these constructor forms:
///
///   Storage()                            empty
///   Storage(size)                        size elements, zero-filled
///   Storage(list | numpy array)          a copy of a flat list of numbers, or of an array
///   Storage(storage [, offset [, size]]) a view sharing storage's memory from the 0-based
///                                        offset (same type only; size defaults to the rest)
///
/// >>> import ferrotorch as torch
/// >>> s = torch.DoubleStorage([1, 2, 3, 4])
/// >>> print(s)
///  1
///  2
///  3
///  4
/// [torch.DoubleStorage of size 4]
/// >>> w = torch.DoubleStorage(s, 1, 2)
/// >>> w[0] = 20
/// >>> s.tolist(), len(w), s[-1]
/// ([1.0, 20.0, 3.0, 4.0], 2, 4.0)
/// >>> torch.Storage(3).type(), torch.IntStorage(2).tolist()
/// ('torch.DoubleStorage', [0, 0])
#[pyclass(name = "Storage", module = "ferrotorch", subclass, frozen, weakref)]
pub struct PyStorage {
    pub inner: Storage,
}

/// Builds a storage from Torch7's constructor arguments.
fn build(dtype: DType, args: &Bound<'_, PyTuple>) -> PyResult<Storage> {
    if args.is_empty() {
        return Storage::new(dtype, 0).py();
    }
    let first = args.get_item(0)?;
    if let Ok(parent) = first.cast::<PyStorage>() {
        let parent = &parent.get().inner;
        if parent.dtype() != dtype {
            return Err(PyTypeError::new_err(format!(
                "a storage view needs a {} parent, got {}",
                dtype.storage_type_name(),
                parent.dtype().storage_type_name()
            )));
        }
        let offset = match args.get_item(1) {
            Ok(o) => convert::size_value(&o, "storage view offset")?,
            Err(_) => 0,
        };
        let size = match args.get_item(2) {
            Ok(s) => Some(convert::size_value(&s, "storage view size")?),
            Err(_) => None,
        };
        return Storage::window(parent, offset, size).py();
    }
    if args.len() == 1 && convert::is_int(&first) {
        return Storage::new(dtype, convert::size_value(&first, "storage size")?).py();
    }
    if args.len() == 1 {
        if let Some(t) = interop::array_like_to_tensor(&first)? {
            let flat = t.to_dtype_copy(dtype).py()?;
            return Ok(flat.storage().clone());
        }
        let (shape, values) = convert::nested_data(&first)?;
        if shape.len() > 1 {
            return Err(PyTypeError::new_err("a storage is built from a flat list of numbers"));
        }
        let s = Storage::new(dtype, values.len()).py()?;
        for (i, v) in values.into_iter().enumerate() {
            s.set_scalar(i, v).py()?;
        }
        return Ok(s);
    }
    Err(PyTypeError::new_err(format!(
        "{}(...) takes (), (size), (list of numbers) or (storage [, offset [, size]])",
        dtype.storage_type_name()
    )))
}

fn wrap_index(index: i64, size: usize) -> PyResult<usize> {
    let i = if index < 0 { index + size as i64 } else { index };
    if i < 0 || i as usize >= size {
        return Err(PyIndexError::new_err(format!(
            "index {index} out of range for a storage of size {size}"
        )));
    }
    Ok(i as usize)
}

#[pymethods]
impl PyStorage {
    /// Storage(...) -> a storage of the default type (see the class docstring for the forms)
    #[new]
    #[classmethod]
    #[pyo3(signature = (*args))]
    fn py_new(_cls: &Bound<'_, PyType>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyStorage>> {
        let py = args.py();
        let s = build(default_dtype(), args)?;
        Ok(wrap(py, s)?.cast_into::<PyStorage>()?.unbind())
    }

    /// cdata() -> an integer that identifies this storage (Torch7's storage:cdata())
    ///
    /// Two storage objects have the same cdata exactly when they are the same storage, so
    /// tensors that share memory can be grouped by `t.storage().cdata()` (getParameters and
    /// type conversion do this). The number stays the same when the storage is resized.
    ///
    /// >>> import ferrotorch as torch
    /// >>> a = torch.DoubleTensor(4)
    /// >>> b = a.narrow(0, 1, 2)
    /// >>> a.storage().cdata() == b.storage().cdata()
    /// True
    /// >>> a.storage().cdata() == torch.DoubleTensor(4).storage().cdata()
    /// False
    fn cdata(&self) -> usize {
        self.inner.id()
    }

    /// size() -> number of elements
    ///
    /// Same as len(s).
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleStorage([1, 2, 3]).size(), len(torch.ByteStorage(5))
    /// (3, 5)
    fn size(&self) -> usize {
        self.inner.size()
    }

    /// len(s) -> number of elements
    fn __len__(&self) -> usize {
        self.inner.size()
    }

    /// elementSize() -> bytes per element
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.DoubleStorage().elementSize(), torch.FloatStorage().elementSize()
    /// (8, 4)
    #[pyo3(name = "elementSize")]
    fn element_size(&self) -> usize {
        self.inner.dtype().element_size()
    }

    /// type() -> 'torch.DoubleStorage'
    ///
    /// The Torch7 name of the storage's type.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.IntStorage(2).type()
    /// 'torch.IntStorage'
    #[pyo3(name = "type")]
    fn type_name(&self) -> String {
        self.inner.dtype().storage_type_name()
    }

    /// s[i] -> element i as a Python number (0-based; negative counts from the end)
    fn __getitem__(&self, py: Python<'_>, index: i64) -> PyResult<Py<PyAny>> {
        let i = wrap_index(index, self.inner.size())?;
        convert::scalar_to_py(py, self.inner.get_scalar(i).py()?)
    }

    /// s[i] = value: writes element i (0-based; negative counts from the end)
    fn __setitem__(&self, index: i64, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let i = wrap_index(index, self.inner.size())?;
        self.inner.set_scalar(i, convert::scalar(value)?).py()
    }

    /// iter(s) -> the elements as Python numbers
    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.tolist(py)?.bind(py).try_iter()?.into_any().unbind())
    }

    /// fill(value) -> self
    ///
    /// Sets every element to value.
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.IntStorage(3).fill(7).tolist()
    /// [7, 7, 7]
    fn fill<'py>(slf: Bound<'py, Self>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let v = convert::scalar(value)?;
        let s = slf.get().inner.clone();
        crate::tensor::maybe_detach(slf.py(), s.size(), || s.fill_scalar(v));
        Ok(slf)
    }

    /// copy(storage) -> self: copies values from a storage of any type and the same size.
    ///
    /// The values are converted to self's type; self keeps its own memory.
    ///
    /// >>> import ferrotorch as torch
    /// >>> s = torch.IntStorage(3)
    /// >>> s.copy(torch.DoubleStorage([1, 2, 3])) is s, s.tolist()
    /// (True, [1, 2, 3])
    fn copy<'py>(slf: Bound<'py, Self>, src: &Bound<'py, PyStorage>) -> PyResult<Bound<'py, Self>> {
        let (dst, src) = (slf.get().inner.clone(), src.get().inner.clone());
        slf.py().detach(|| dst.copy_from(&src)).py()?;
        Ok(slf)
    }

    /// resize(n) -> self
    ///
    /// Changes the number of elements in place: the first values are kept, new elements start as
    /// zeros.
    ///
    /// >>> import ferrotorch as torch
    /// >>> s = torch.DoubleStorage([1, 2])
    /// >>> s.resize(4).tolist()
    /// [1.0, 2.0, 0.0, 0.0]
    /// >>> s.resize(1).tolist()
    /// [1.0]
    fn resize<'py>(slf: Bound<'py, Self>, size: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let n = convert::size_value(size, "resize")?;
        slf.get().inner.resize(n).py()?;
        Ok(slf)
    }

    /// tolist() -> list of numbers
    ///
    /// A copy of the values: floats for the floating-point types, ints for the integer ones.
    /// Torch7's name is totable().
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.ByteStorage([1, 2, 3]).tolist(), torch.FloatStorage([0.5]).tolist()
    /// ([1, 2, 3], [0.5])
    fn tolist(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let items = (0..self.inner.size())
            .map(|i| convert::scalar_to_py(py, self.inner.get_scalar(i).py()?))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any().unbind())
    }

    /// totable(): same as tolist()
    ///
    /// Torch7's name for tolist().
    ///
    /// >>> import ferrotorch as torch
    /// >>> torch.LongStorage([4, 5]).totable()
    /// [4, 5]
    fn totable(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.tolist(py)
    }

    /// str(s) -> Torch7's printed form, one element a line, ending with e.g.
    /// [torch.DoubleStorage of size 3]
    fn __str__(&self) -> String {
        self.inner.to_torch_string()
    }

    /// repr(s) -> same as str(s)
    fn __repr__(&self) -> String {
        self.inner.to_torch_string()
    }

    /// Equal to another storage of the same type and values, or to a tuple/list of the same
    /// numbers (so `t.size() == (4, 6)` holds).
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let mine = self.inner.to_vec::<f64>();
        if let Ok(o) = other.cast::<PyStorage>() {
            let o = &o.get().inner;
            return Ok(o.dtype() == self.inner.dtype() && o.to_vec::<f64>() == mine);
        }
        if other.is_instance_of::<PyTuple>() || other.is_instance_of::<PyList>() {
            if other.len()? != mine.len() {
                return Ok(false);
            }
            for (item, v) in other.try_iter()?.zip(&mine) {
                match item?.extract::<f64>() {
                    Ok(x) if x == *v => {}
                    _ => return Ok(false),
                }
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// __reduce__() -> pickling support: (rebuild function, (type name, bytes))
    ///
    /// The unpickled storage has its own copy of the values.
    ///
    /// >>> import ferrotorch as torch
    /// >>> import pickle
    /// >>> s = pickle.loads(pickle.dumps(torch.IntStorage([1, 2])))
    /// >>> s.type(), s.tolist()
    /// ('torch.IntStorage', [1, 2])
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Reduced<'py>> {
        let rebuild = py.import("ferrotorch._C")?.getattr("_rebuild_storage")?;
        let bytes = interop::storage_bytes(py, &self.inner);
        Ok((rebuild, (self.inner.dtype().storage_type_name(), bytes)))
    }

    /// Buffer protocol: memoryview(s) and numpy see the storage's memory (writable).
    unsafe fn __getbuffer__(slf: Bound<'_, Self>, view: *mut ffi::Py_buffer, flags: c_int) -> PyResult<()> {
        let storage = slf.get().inner.clone();
        let n = storage.size();
        let t = ferrotorch::Tensor::from_storage(storage, 0, &[n], None).py()?;
        // SAFETY: pyo3 hands us a valid Py_buffer to fill; `t` describes memory inside its block.
        unsafe { buffer::fill(slf.into_any(), &t, view, flags) }
    }

    /// Releases what __getbuffer__ filled in.
    unsafe fn __releasebuffer__(&self, view: *mut ffi::Py_buffer) {
        // SAFETY: `view` was filled by buffer::fill in __getbuffer__.
        unsafe { buffer::release(view) }
    }
}

macro_rules! storage_classes {
    ($($cls:ident, $name:literal, $dt:ident;)*) => {
        $(
            #[doc = concat!($name, "(...) -> a storage of ", stringify!($dt), " elements")]
            #[doc = ""]
            #[doc = concat!("torch.", $name, ": takes every constructor form of torch.Storage (see its")]
            #[doc = "docstring) and has all its methods; indices are 0-based."]
            #[doc = ""]
            #[doc = ">>> import ferrotorch as torch"]
            #[doc = concat!(">>> s = torch.", $name, "([1, 2, 3])")]
            #[doc = ">>> s.type(), s.size(), isinstance(s, torch.Storage)"]
            #[doc = concat!("('torch.", $name, "', 3, True)")]
            #[pyclass(name = $name, module = "ferrotorch", extends = PyStorage, subclass, frozen)]
            pub struct $cls;

            #[pymethods]
            impl $cls {
                /// Builds a storage of this type from any constructor form of torch.Storage.
                #[new]
                #[pyo3(signature = (*args))]
                fn py_new(args: &Bound<'_, PyTuple>) -> PyResult<PyClassInitializer<Self>> {
                    let inner = build(DType::$dt, args)?;
                    Ok(PyClassInitializer::from(PyStorage { inner }).add_subclass($cls))
                }
            }
        )*

        /// The Python object of the storage's own class.
        pub fn wrap(py: Python<'_>, inner: Storage) -> PyResult<Bound<'_, PyAny>> {
            let base = PyClassInitializer::from(PyStorage { inner: inner.clone() });
            Ok(match inner.dtype() {
                $(DType::$dt => Bound::new(py, base.add_subclass($cls))?.into_any(),)*
            })
        }

        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            m.add_class::<PyStorage>()?;
            $(m.add_class::<$cls>()?;)*
            Ok(())
        }
    };
}

storage_classes! {
    ByteStorage, "ByteStorage", Byte;
    CharStorage, "CharStorage", Char;
    ShortStorage, "ShortStorage", Short;
    IntStorage, "IntStorage", Int;
    LongStorage, "LongStorage", Long;
    FloatStorage, "FloatStorage", Float;
    DoubleStorage, "DoubleStorage", Double;
    HalfStorage, "HalfStorage", Half;
}

/// A LongStorage holding `values` (what `size()` and `stride()` return).
pub fn long_storage<'py>(py: Python<'py>, values: &[usize]) -> PyResult<Bound<'py, PyAny>> {
    let v: Vec<i64> = values.iter().map(|&x| x as i64).collect();
    wrap(py, Storage::from_slice(&v))
}
