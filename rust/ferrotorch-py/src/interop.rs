//! Zero-copy interop with numpy (`__array_interface__` in, buffer protocol out), DLPack both
//! ways, and pickling.

use crate::errors::IntoPyResult;
use crate::tensor::{wrap, PyTensor};
use ferrotorch::storage::Block;
use ferrotorch::{DType, Storage, Tensor};
use pyo3::exceptions::{PyBufferError, PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyCapsule, PyDict, PyTuple};
use std::ffi::{c_void, CStr};
use std::ptr::NonNull;

/// Keeps a Python object (the array that owns some memory) alive from inside a `Block`.
struct PyOwner(#[allow(dead_code)] Py<PyAny>);

/// A tensor viewing the memory of an object with `__array_interface__` (numpy arrays), with no
/// copy. `None` when the object has no such interface. Negative strides are refused (numpy's
/// reversed views) unless `allow_copy`, which then copies the array first.
pub fn array_interface_tensor(
    obj: &Bound<'_, PyAny>,
    allow_copy: bool,
    need_writable: bool,
) -> PyResult<Option<Tensor>> {
    let Ok(iface) = obj.getattr("__array_interface__") else { return Ok(None) };
    let iface = iface.cast_into::<PyDict>()?;
    let get = |k: &str| -> PyResult<Bound<'_, PyAny>> {
        iface.get_item(k)?.ok_or_else(|| PyValueError::new_err(format!("__array_interface__ has no '{k}'")))
    };
    let typestr: String = get("typestr")?.extract()?;
    let (order, kind, bytes) = parse_typestr(&typestr)?;
    if order == '>' {
        return Err(PyValueError::new_err(format!(
            "big-endian arrays ({typestr}) are not supported; use .astype('<{kind}{bytes}')"
        )));
    }
    let dtype = DType::from_kind_and_size(kind, bytes)
        .ok_or_else(|| PyTypeError::new_err(format!("arrays of type '{typestr}' have no tensor type")))?;
    let shape: Vec<usize> = get("shape")?.extract()?;
    let (ptr, readonly): (usize, bool) = get("data")?.extract()?;
    if need_writable && readonly {
        return Err(PyValueError::new_err(
            "fromNumpy: the array is read-only; pass a writable array (a.copy())",
        ));
    }
    let strides: Option<Vec<isize>> = get("strides")?.extract()?;
    let item = dtype.element_size();
    let strides: Vec<isize> = match strides {
        Some(s) => s,
        None => ferrotorch::layout::contiguous_strides(&shape).iter().map(|&s| (s * item) as isize).collect(),
    };
    let numel: usize = shape.iter().product();
    if numel > 0 && strides.iter().zip(&shape).any(|(&s, &n)| s < 0 && n > 1) {
        if allow_copy {
            let copied = obj.call_method0("copy")?;
            return array_interface_tensor(&copied, false, need_writable);
        }
        return Err(PyValueError::new_err(format!(
            "fromNumpy: the array has negative strides {strides:?}; pass a.copy() instead"
        )));
    }
    if strides.iter().any(|&s| s.rem_euclid(item as isize) != 0) || ptr % item != 0 {
        if allow_copy {
            let copied = obj.call_method0("copy")?;
            return array_interface_tensor(&copied, false, need_writable);
        }
        return Err(PyValueError::new_err(format!(
            "fromNumpy: strides {strides:?} or the data address are not multiples of the {item}-byte element; pass a.copy()"
        )));
    }
    let el_strides: Vec<usize> =
        strides.iter().zip(&shape).map(|(&s, &n)| if n > 1 { s as usize / item } else { 0 }).collect();
    let extent = if numel == 0 {
        0
    } else {
        1 + shape.iter().zip(&el_strides).map(|(&n, &s)| (n - 1) * s).sum::<usize>()
    };
    let base = NonNull::new(ptr as *mut u8).unwrap_or(NonNull::dangling());
    // SAFETY: the array interface promises `extent` elements from `ptr` (its strides are >= 0
    // here); keeping `obj` alive keeps that memory alive.
    let block = unsafe { Block::foreign(dtype, base, extent, Box::new(PyOwner(obj.clone().unbind()))) };
    let storage = Storage::from_block_window(block, 0, extent).py()?;
    let (sizes, strides) = if shape.is_empty() { (vec![1], vec![1]) } else { (shape, el_strides) };
    let strides: Vec<usize> = strides.iter().zip(&sizes).map(|(&s, &n)| if n > 1 { s } else { 1 }).collect();
    Ok(Some(Tensor::from_storage(storage, 0, &sizes, Some(&strides)).py()?))
}

fn parse_typestr(t: &str) -> PyResult<(char, char, usize)> {
    let mut chars = t.chars();
    let (Some(order), Some(kind)) = (chars.next(), chars.next()) else {
        return Err(PyValueError::new_err(format!("bad array typestr '{t}'")));
    };
    let bytes =
        chars.as_str().parse().map_err(|_| PyValueError::new_err(format!("bad array typestr '{t}'")))?;
    Ok((order, kind, bytes))
}

/// Data for a constructor: a numpy array (or anything with `__array_interface__`) as a tensor
/// over its memory, to be copied by the caller.
pub fn array_like_to_tensor(obj: &Bound<'_, PyAny>) -> PyResult<Option<Tensor>> {
    array_interface_tensor(obj, true, false)
}

/// fromNumpy(array) -> tensor sharing the array's memory
///
/// The tensor keeps the array alive. Arrays with negative strides raise ValueError (pass
/// `a.copy()`); a 0-d array becomes a 1-element 1-D tensor.
///
/// >>> import numpy as np, ferrotorch as torch
/// >>> a = np.arange(6.0).reshape(2, 3)
/// >>> t = torch.fromNumpy(a)
/// >>> t[1, 2] = 50
/// >>> a[1, 2]
/// np.float64(50.0)
#[pyfunction]
#[pyo3(name = "fromNumpy")]
pub fn from_numpy(py: Python<'_>, array: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    match array_interface_tensor(array, false, true)? {
        Some(t) => wrap(py, t),
        None => Err(PyTypeError::new_err(format!(
            "fromNumpy expects a numpy array, got {}",
            array.get_type().name()?
        ))),
    }
}

/// The raw bytes of a storage (native byte order).
pub fn storage_bytes<'py>(py: Python<'py>, s: &Storage) -> Bound<'py, PyBytes> {
    let v = s.view();
    let n = v.size * s.dtype().element_size();
    // SAFETY: the window holds v.size elements; the view keeps the block alive.
    let raw =
        unsafe { std::slice::from_raw_parts(v.block.as_ptr().add(v.offset * s.dtype().element_size()), n) };
    PyBytes::new(py, raw)
}

fn storage_from_bytes(dtype: DType, data: &[u8]) -> PyResult<Storage> {
    let item = dtype.element_size();
    if !data.len().is_multiple_of(item) {
        return Err(PyValueError::new_err(format!(
            "{} bytes are not a whole number of {item}-byte elements",
            data.len()
        )));
    }
    let s = Storage::new(dtype, data.len() / item).py()?;
    let v = s.view();
    // SAFETY: the fresh block holds exactly data.len() bytes.
    unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), v.block.as_ptr(), data.len()) };
    Ok(s)
}

/// Unpickles a tensor: type name, sizes (None for no dimension), row-major bytes.
#[pyfunction]
pub fn _rebuild_tensor(
    py: Python<'_>,
    type_name: &str,
    sizes: Option<Vec<usize>>,
    data: &[u8],
) -> PyResult<Py<PyAny>> {
    let dtype = DType::from_name(type_name)
        .ok_or_else(|| PyValueError::new_err(format!("unknown type {type_name}")))?;
    let storage = storage_from_bytes(dtype, data)?;
    let t = match sizes {
        None => Tensor::empty(dtype),
        Some(s) => Tensor::from_storage(storage, 0, &s, None).py()?,
    };
    wrap(py, t)
}

/// Unpickles a storage.
#[pyfunction]
pub fn _rebuild_storage<'py>(py: Python<'py>, type_name: &str, data: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    let dtype = DType::from_name(type_name)
        .ok_or_else(|| PyValueError::new_err(format!("unknown type {type_name}")))?;
    crate::storage::wrap(py, storage_from_bytes(dtype, data)?)
}

/// `__reduce__` of a tensor: a contiguous copy of its values.
pub fn reduce_tensor<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyTuple>> {
    let rebuild = py.import("ferrotorch._C")?.getattr("_rebuild_tensor")?;
    let c = t.clone_contiguous().py()?;
    let sizes: Option<Vec<usize>> = (t.ndim() > 0).then(|| t.sizes().to_vec());
    let window = Storage::window(c.storage(), 0, Some(c.numel())).py()?;
    let args = (t.dtype().tensor_type_name(), sizes, storage_bytes(py, &window));
    PyTuple::new(py, [rebuild.into_any(), args.into_pyobject(py)?.into_any()])
}

// ------------------------------------------------------------------------------------ DLPack

/// DLPack's C structs (dlpack.h, v0.8 ABI: the unversioned `DLManagedTensor`).
#[repr(C)]
struct DLDevice {
    device_type: i32,
    device_id: i32,
}

#[repr(C)]
#[derive(Clone, Copy)]
struct DLDataType {
    code: u8,
    bits: u8,
    lanes: u16,
}

#[repr(C)]
struct DLTensor {
    data: *mut c_void,
    device: DLDevice,
    ndim: i32,
    dtype: DLDataType,
    shape: *mut i64,
    strides: *mut i64,
    byte_offset: u64,
}

#[repr(C)]
struct DLManagedTensor {
    dl_tensor: DLTensor,
    manager_ctx: *mut c_void,
    deleter: Option<unsafe extern "C" fn(*mut DLManagedTensor)>,
}

const DL_CPU: i32 = 1;
const DL_INT: u8 = 0;
const DL_UINT: u8 = 1;
const DL_FLOAT: u8 = 2;
const DLTENSOR_NAME: &CStr = c"dltensor";
const USED_DLTENSOR_NAME: &CStr = c"used_dltensor";

/// What a capsule we export keeps alive: the tensor (so its storage and block) and the
/// shape/stride arrays DLTensor points to.
struct ExportCtx {
    tensor: Tensor,
    shape: Vec<i64>,
    strides: Vec<i64>,
}

unsafe extern "C" fn export_deleter(managed: *mut DLManagedTensor) {
    if managed.is_null() {
        return;
    }
    // SAFETY: both boxes were leaked by `to_dlpack` and are reclaimed exactly once here.
    unsafe {
        let m = Box::from_raw(managed);
        let ctx = Box::from_raw(m.manager_ctx as *mut ExportCtx);
        ctx.tensor.storage().release_export();
    }
}

unsafe extern "C" fn capsule_destructor(capsule: *mut ffi::PyObject) {
    // SAFETY: a capsule still named "dltensor" was never consumed, so we own its tensor.
    unsafe {
        if ffi::PyCapsule_IsValid(capsule, DLTENSOR_NAME.as_ptr()) == 1 {
            let managed = ffi::PyCapsule_GetPointer(capsule, DLTENSOR_NAME.as_ptr()) as *mut DLManagedTensor;
            if let Some(deleter) = managed.as_ref().and_then(|m| m.deleter) {
                deleter(managed);
            }
        } else {
            ffi::PyErr_Clear();
        }
    }
}

fn dl_dtype(d: DType) -> DLDataType {
    let (code, bits) = match d {
        DType::Byte => (DL_UINT, 8),
        DType::Char => (DL_INT, 8),
        DType::Short => (DL_INT, 16),
        DType::Int => (DL_INT, 32),
        DType::Long => (DL_INT, 64),
        DType::Float => (DL_FLOAT, 32),
        DType::Double => (DL_FLOAT, 64),
        DType::Half => (DL_FLOAT, 16),
    };
    DLDataType { code, bits, lanes: 1 }
}

/// A "dltensor" capsule viewing `t` (counted as an export of its storage until the consumer
/// calls the deleter).
pub fn to_dlpack<'py>(py: Python<'py>, t: &Tensor) -> PyResult<Bound<'py, PyAny>> {
    let view = t.checked_view().py()?;
    let item = t.dtype().element_size();
    let (shape, strides): (Vec<i64>, Vec<i64>) = if t.ndim() == 0 {
        (vec![0], vec![1])
    } else {
        (t.sizes().iter().map(|&s| s as i64).collect(), t.strides().iter().map(|&s| s as i64).collect())
    };
    let mut ctx = Box::new(ExportCtx { tensor: t.clone(), shape, strides });
    t.storage().acquire_export();
    let managed = Box::new(DLManagedTensor {
        dl_tensor: DLTensor {
            // SAFETY: offset stays inside the checked block.
            data: unsafe { view.block.as_ptr().add((view.offset + t.storage_offset()) * item) }
                as *mut c_void,
            device: DLDevice { device_type: DL_CPU, device_id: 0 },
            ndim: ctx.shape.len() as i32,
            dtype: dl_dtype(t.dtype()),
            shape: ctx.shape.as_mut_ptr(),
            strides: ctx.strides.as_mut_ptr(),
            byte_offset: 0,
        },
        manager_ctx: Box::into_raw(ctx) as *mut c_void,
        deleter: Some(export_deleter),
    });
    let raw = Box::into_raw(managed);
    // SAFETY: the capsule takes the leaked pointer; its destructor frees it unless consumed.
    unsafe {
        let cap = ffi::PyCapsule_New(raw as *mut c_void, DLTENSOR_NAME.as_ptr(), Some(capsule_destructor));
        if cap.is_null() {
            export_deleter(raw);
            return Err(PyErr::fetch(py));
        }
        Ok(Bound::from_owned_ptr(py, cap))
    }
}

/// Calls a consumed DLManagedTensor's deleter when the block viewing it is dropped.
struct DlpackOwner(*mut DLManagedTensor);
// SAFETY: DLPack producers' deleters may be called from any thread (numpy's takes the GIL).
unsafe impl Send for DlpackOwner {}
unsafe impl Sync for DlpackOwner {}

impl Drop for DlpackOwner {
    fn drop(&mut self) {
        // SAFETY: we consumed the capsule, so calling the deleter once is our duty.
        unsafe {
            if let Some(deleter) = (*self.0).deleter {
                deleter(self.0);
            }
        }
    }
}

/// fromDLPack(obj) -> tensor sharing the memory of a DLPack producer (an object with
/// `__dlpack__`, or a "dltensor" capsule). CPU memory only.
///
/// >>> import numpy as np, ferrotorch as torch
/// >>> t = torch.fromDLPack(np.arange(4.0))
/// >>> t.tolist()
/// [0.0, 1.0, 2.0, 3.0]
#[pyfunction]
#[pyo3(name = "fromDLPack")]
pub fn from_dlpack(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let capsule = if obj.hasattr("__dlpack__")? { obj.call_method0("__dlpack__")? } else { obj.clone() };
    let capsule = capsule.cast_into::<PyCapsule>().map_err(|_| {
        PyTypeError::new_err("fromDLPack expects an object with __dlpack__ or a DLPack capsule")
    })?;
    // SAFETY: a capsule named "dltensor" holds a DLManagedTensor by the DLPack protocol.
    let managed = unsafe {
        if ffi::PyCapsule_IsValid(capsule.as_ptr(), DLTENSOR_NAME.as_ptr()) != 1 {
            return Err(PyBufferError::new_err(
                "the DLPack capsule was already consumed or is not a 'dltensor'",
            ));
        }
        ffi::PyCapsule_GetPointer(capsule.as_ptr(), DLTENSOR_NAME.as_ptr()) as *mut DLManagedTensor
    };
    // SAFETY: valid per the protocol until we call its deleter.
    let dl = unsafe { &(*managed).dl_tensor };
    if dl.device.device_type != DL_CPU {
        return Err(PyTypeError::new_err(format!(
            "fromDLPack: only CPU tensors are supported (device type {})",
            dl.device.device_type
        )));
    }
    let dtype = match (dl.dtype.code, dl.dtype.bits, dl.dtype.lanes) {
        (DL_UINT, 8, 1) => DType::Byte,
        (DL_INT, 8, 1) => DType::Char,
        (DL_INT, 16, 1) => DType::Short,
        (DL_INT, 32, 1) => DType::Int,
        (DL_INT, 64, 1) => DType::Long,
        (DL_FLOAT, 16, 1) => DType::Half,
        (DL_FLOAT, 32, 1) => DType::Float,
        (DL_FLOAT, 64, 1) => DType::Double,
        (c, b, l) => {
            return Err(PyTypeError::new_err(format!(
                "fromDLPack: unsupported dtype code {c} bits {b} lanes {l}"
            )))
        }
    };
    let ndim = dl.ndim.max(0) as usize;
    // SAFETY: shape (and strides when non-null) hold ndim entries.
    let shape: Vec<i64> =
        if ndim == 0 { vec![] } else { unsafe { std::slice::from_raw_parts(dl.shape, ndim) }.to_vec() };
    let strides: Vec<i64> = if dl.strides.is_null() || ndim == 0 {
        ferrotorch::layout::contiguous_strides(&shape.iter().map(|&s| s.max(0) as usize).collect::<Vec<_>>())
            .iter()
            .map(|&s| s as i64)
            .collect()
    } else {
        unsafe { std::slice::from_raw_parts(dl.strides, ndim) }.to_vec()
    };
    if shape.iter().any(|&s| s < 0) || strides.iter().zip(&shape).any(|(&st, &n)| st < 0 && n > 1) {
        return Err(PyValueError::new_err(format!(
            "fromDLPack: negative sizes or strides ({shape:?}, {strides:?}) are not supported"
        )));
    }
    let sizes: Vec<usize> = shape.iter().map(|&s| s as usize).collect();
    let el_strides: Vec<usize> =
        strides.iter().zip(&sizes).map(|(&s, &n)| if n > 1 { s as usize } else { 1 }).collect();
    let numel: usize = sizes.iter().product();
    let extent = if numel == 0 {
        0
    } else {
        1 + sizes.iter().zip(&el_strides).map(|(&n, &s)| (n - 1) * s).sum::<usize>()
    };
    let item = dtype.element_size();
    let data = (dl.data as usize).wrapping_add(dl.byte_offset as usize);
    if !data.is_multiple_of(item) {
        return Err(PyValueError::new_err("fromDLPack: the data pointer is not aligned to its element type"));
    }
    // From here on the memory is ours to release: rename the capsule so its destructor skips it.
    // SAFETY: renaming a valid capsule.
    unsafe { ffi::PyCapsule_SetName(capsule.as_ptr(), USED_DLTENSOR_NAME.as_ptr()) };
    let owner = Box::new(DlpackOwner(managed));
    let base = NonNull::new(data as *mut u8).unwrap_or(NonNull::dangling());
    // SAFETY: the producer guarantees `extent` elements at `data` until its deleter runs, which
    // happens when `owner` drops with the block.
    let block = unsafe { Block::foreign(dtype, base, extent, owner) };
    let storage = Storage::from_block_window(block, 0, extent).py()?;
    let t = if ndim == 0 {
        Tensor::from_storage(storage, 0, &[1], None).py()?
    } else {
        Tensor::from_storage(storage, 0, &sizes, Some(&el_strides)).py()?
    };
    wrap(py, t)
}

/// `t.__dlpack__()` for the Python method.
pub fn tensor_dlpack<'py>(py: Python<'py>, t: &Bound<'py, PyTensor>) -> PyResult<Bound<'py, PyAny>> {
    to_dlpack(py, &t.get().get())
}
