//! The buffer protocol (PEP 3118) for tensors and storages: zero-copy export to numpy,
//! memoryview and anything else that reads buffers. Each live export is counted on the storage,
//! which then refuses to move its memory (resize raises BufferError).

use ferrotorch::{Storage, Tensor};
use pyo3::exceptions::PyBufferError;
use pyo3::ffi;
use pyo3::prelude::*;
use std::ffi::CStr;
use std::os::raw::{c_int, c_void};

/// What an export must keep until it is released: its shape/stride arrays and the storage whose
/// export count it holds.
struct Export {
    shape: Vec<ffi::Py_ssize_t>,
    strides: Vec<ffi::Py_ssize_t>,
    storage: Storage,
}

fn format_of(t: &Tensor) -> &'static CStr {
    match t.dtype() {
        ferrotorch::DType::Byte => c"B",
        ferrotorch::DType::Char => c"b",
        ferrotorch::DType::Short => c"h",
        ferrotorch::DType::Int => c"i",
        ferrotorch::DType::Long => c"q",
        ferrotorch::DType::Float => c"f",
        ferrotorch::DType::Double => c"d",
        ferrotorch::DType::Half => c"e",
    }
}

/// Fills `view` to describe `t`'s elements, owned by `owner`.
///
/// # Safety
/// `view` must be the valid, writable Py_buffer that CPython passed to `__getbuffer__`.
pub unsafe fn fill(
    owner: Bound<'_, PyAny>,
    t: &Tensor,
    view: *mut ffi::Py_buffer,
    flags: c_int,
) -> PyResult<()> {
    if view.is_null() {
        return Err(PyBufferError::new_err("no Py_buffer to fill"));
    }
    let wants_strides = flags & ffi::PyBUF_STRIDES == ffi::PyBUF_STRIDES;
    if !wants_strides && !t.is_contiguous() {
        return Err(PyBufferError::new_err(format!(
            "a non-contiguous tensor (strides {:?}) can only be exported with strides; call contiguous()",
            t.strides()
        )));
    }
    let block = t.checked_view().map_err(crate::errors::to_py)?;
    let item = t.dtype().element_size();
    let (shape, strides): (Vec<ffi::Py_ssize_t>, Vec<ffi::Py_ssize_t>) = if t.ndim() == 0 {
        (vec![0], vec![item as ffi::Py_ssize_t])
    } else {
        (
            t.sizes().iter().map(|&s| s as ffi::Py_ssize_t).collect(),
            t.strides().iter().map(|&s| (s * item) as ffi::Py_ssize_t).collect(),
        )
    };
    let export = Box::new(Export { shape, strides, storage: t.storage().clone() });
    export.storage.acquire_export();
    // SAFETY: the layout was checked against the block, so the offset stays inside it; the
    // storage's export count keeps the block from being replaced while the buffer lives, and
    // `owner` (stored in view.obj) keeps the storage alive.
    unsafe {
        let base = block.block.as_ptr().add((block.offset + t.storage_offset()) * item);
        (*view).buf = base as *mut c_void;
        (*view).len = (t.numel() * item) as ffi::Py_ssize_t;
        (*view).itemsize = item as ffi::Py_ssize_t;
        (*view).readonly = 0;
        (*view).ndim = export.shape.len() as c_int;
        (*view).format = if flags & ffi::PyBUF_FORMAT == ffi::PyBUF_FORMAT {
            format_of(t).as_ptr() as *mut _
        } else {
            std::ptr::null_mut()
        };
        (*view).shape = if flags & ffi::PyBUF_ND == ffi::PyBUF_ND {
            export.shape.as_ptr() as *mut _
        } else {
            std::ptr::null_mut()
        };
        (*view).strides =
            if wants_strides { export.strides.as_ptr() as *mut _ } else { std::ptr::null_mut() };
        (*view).suboffsets = std::ptr::null_mut();
        (*view).internal = Box::into_raw(export) as *mut c_void;
        (*view).obj = owner.into_ptr();
    }
    Ok(())
}

/// Ends an export made by `fill`.
///
/// # Safety
/// `view` must have been filled by `fill` and not released yet.
pub unsafe fn release(view: *mut ffi::Py_buffer) {
    // SAFETY: internal holds the Box<Export> that fill leaked; it is taken back exactly once.
    unsafe {
        let internal = (*view).internal as *mut Export;
        if !internal.is_null() {
            let export = Box::from_raw(internal);
            export.storage.release_export();
            (*view).internal = std::ptr::null_mut();
        }
    }
}
