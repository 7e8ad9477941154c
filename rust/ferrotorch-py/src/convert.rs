//! Argument conversion: Python numbers, size lists, nested data lists.

use crate::storage::PyStorage;
use ferrotorch::{DType, Scalar};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyList, PyTuple};

/// A Python number (int, float, bool, numpy scalar) as an engine scalar.
pub fn scalar(obj: &Bound<'_, PyAny>) -> PyResult<Scalar> {
    if let Ok(i) = obj.cast::<PyInt>() {
        return Ok(Scalar::Int(i.extract::<i64>().or_else(|_| i.extract::<u64>().map(|u| u as i64))?));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Ok(Scalar::Float(f.value()));
    }
    if obj.hasattr("__index__")? {
        return Ok(Scalar::Int(obj.call_method0("__index__")?.extract::<i64>()?));
    }
    if obj.hasattr("__float__")? {
        return Ok(Scalar::Float(obj.call_method0("__float__")?.extract::<f64>()?));
    }
    Err(PyTypeError::new_err(format!("expected a number, got {}", obj.get_type().name()?)))
}

/// The Python object for an element: int for integer types, float for floating ones.
pub fn scalar_to_py(py: Python<'_>, s: Scalar) -> PyResult<Py<PyAny>> {
    Ok(match s {
        Scalar::Int(v) => v.into_pyobject(py)?.into_any().unbind(),
        Scalar::Float(v) => v.into_pyobject(py)?.into_any().unbind(),
    })
}

/// A plain Python int (not a bool, not a float).
pub fn is_int(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>()
}

/// One size or count, refusing negatives.
pub fn size_value(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<usize> {
    if is_int(obj) && obj.extract::<i64>().is_err() {
        return Err(PyValueError::new_err(format!("{what}: {} is too large", obj.str()?)));
    }
    let v: i64 = obj.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what}: expected an int, got {}",
            obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
        ))
    })?;
    usize::try_from(v).map_err(|_| PyValueError::new_err(format!("{what}: invalid negative size {v}")))
}

/// Signed ints from a tuple/list/LongStorage (for view's -1, permute's dims).
pub fn int_list(obj: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    if let Ok(s) = obj.cast::<PyStorage>() {
        return Ok(s.get().inner.to_vec::<i64>());
    }
    if obj.is_instance_of::<PyTuple>() || obj.is_instance_of::<PyList>() {
        return obj.try_iter()?.map(|x| x?.extract::<i64>()).collect();
    }
    Err(PyTypeError::new_err(format!(
        "expected ints, a tuple/list or a LongStorage, got {}",
        obj.get_type().name()?
    )))
}

/// Sizes given as `(4, 6)`, `((4, 6),)`, `([4, 6],)` or `(LongStorage,)`: Torch7's size
/// arguments.
pub fn signed_sizes(args: &Bound<'_, PyTuple>) -> PyResult<Vec<i64>> {
    if args.len() == 1 {
        let a = args.get_item(0)?;
        if !is_int(&a) {
            return int_list(&a);
        }
    }
    args.iter()
        .map(|a| {
            if is_int(&a) {
                a.extract::<i64>()
            } else {
                Err(PyTypeError::new_err(format!(
                    "sizes must be ints, a tuple/list or a LongStorage, got {}",
                    a.get_type().name()?
                )))
            }
        })
        .collect()
}

/// Like `signed_sizes`, refusing negative sizes.
pub fn sizes(args: &Bound<'_, PyTuple>) -> PyResult<Vec<usize>> {
    signed_sizes(args)?
        .into_iter()
        .map(|v| {
            usize::try_from(v)
                .map_err(|_| PyValueError::new_err(format!("invalid negative size {v} in sizes")))
        })
        .collect()
}

/// Nested Python lists/tuples of numbers: their shape and row-major values.
pub fn nested_data(obj: &Bound<'_, PyAny>) -> PyResult<(Vec<usize>, Vec<Scalar>)> {
    let mut shape = Vec::new();
    let mut probe = obj.clone();
    while probe.is_instance_of::<PyList>() || probe.is_instance_of::<PyTuple>() {
        let n = probe.len()?;
        shape.push(n);
        if n == 0 {
            break;
        }
        probe = probe.get_item(0)?;
    }
    let mut values = Vec::new();
    collect(obj, &shape, 0, &mut values)?;
    if shape.first() == Some(&0) {
        shape.clear(); // `{}` and `[]` give the empty tensor, as in Torch7
    }
    Ok((shape, values))
}

fn collect(obj: &Bound<'_, PyAny>, shape: &[usize], depth: usize, out: &mut Vec<Scalar>) -> PyResult<()> {
    if depth == shape.len() {
        if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
            return Err(PyValueError::new_err("invalid tensor sizes: the nested lists are not rectangular"));
        }
        out.push(scalar(obj).map_err(|_| {
            PyTypeError::new_err(format!(
                "invalid element (not a number): {}",
                obj.repr().map(|r| r.to_string()).unwrap_or_default()
            ))
        })?);
        return Ok(());
    }
    let is_seq = obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>();
    if !is_seq || obj.len()? != shape[depth] {
        return Err(PyValueError::new_err(format!(
            "invalid tensor sizes: expected a list of {} at depth {depth}, got {}",
            shape[depth],
            obj.repr().map(|r| r.to_string()).unwrap_or_default()
        )));
    }
    for item in obj.try_iter()? {
        collect(&item?, shape, depth + 1, out)?;
    }
    Ok(())
}

/// A tensor or storage type named by a string (`'torch.FloatTensor'`) or a class.
pub fn dtype_of_name(obj: &Bound<'_, PyAny>) -> PyResult<DType> {
    let name: String = match obj.extract::<String>() {
        Ok(s) => s,
        Err(_) => obj.getattr("__name__").and_then(|n| n.extract()).map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "expected a tensor type name like 'torch.FloatTensor' or a tensor class, got {}",
                obj.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        })?,
    };
    DType::from_name(&name).ok_or_else(|| PyValueError::new_err(format!("unknown tensor type '{name}'")))
}
