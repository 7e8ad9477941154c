//! Bindings of the .t7 reader/writer (ferrotorch::serialize). A document crosses as a list of
//! objects and a root value; values are None, bool, float (every Lua number), str/bytes, or an
//! int: the index of an object in the list. Objects are tuples:
//! `('table', [(key, value), ...])`, `('tensor', t)`, `('storage', s)`,
//! `('class', name, version, fields)`, `('function', bytecode, upvalues)`.
//! python/ferrotorch/serialization.py maps them to and from Python objects.

use crate::errors::IntoPyResult;
use crate::storage::PyStorage;
use crate::tensor::tensor_arg;
use ferrotorch::serialize::{self, Document, LongSize, Mode, Object, ReadOptions, Value, WriteOptions};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyList, PyString, PyTuple};

fn read_options(format: &str) -> PyResult<ReadOptions> {
    Ok(match format {
        "binary" => ReadOptions { mode: Mode::Binary, long_size: None },
        "b64" => ReadOptions { mode: Mode::Binary, long_size: Some(LongSize::Eight) },
        "b32" => ReadOptions { mode: Mode::Binary, long_size: Some(LongSize::Four) },
        "ascii" => ReadOptions { mode: Mode::Ascii, long_size: None },
        _ => {
            return Err(PyValueError::new_err(format!(
                "torch.load: format must be 'binary', 'ascii', 'b32' or 'b64', got {format:?}"
            )))
        }
    })
}

fn write_options(format: &str) -> PyResult<WriteOptions> {
    Ok(match format {
        "binary" | "b64" => WriteOptions { mode: Mode::Binary, long_size: LongSize::Eight },
        "b32" => WriteOptions { mode: Mode::Binary, long_size: LongSize::Four },
        "ascii" => WriteOptions { mode: Mode::Ascii, long_size: LongSize::Eight },
        _ => {
            return Err(PyValueError::new_err(format!(
                "torch.save: format must be 'binary', 'ascii', 'b32' or 'b64', got {format:?}"
            )))
        }
    })
}

fn value_to_py(py: Python<'_>, v: &Value) -> PyResult<Py<PyAny>> {
    Ok(match v {
        Value::Nil => py.None(),
        Value::Number(x) => PyFloat::new(py, *x).into_any().unbind(),
        Value::Boolean(b) => PyBool::new(py, *b).to_owned().into_any().unbind(),
        Value::String(s) => match std::str::from_utf8(s) {
            Ok(text) => PyString::new(py, text).into_any().unbind(),
            Err(_) => PyBytes::new(py, s).into_any().unbind(),
        },
        Value::Ref(i) => i.into_pyobject(py)?.into_any().unbind(),
    })
}

fn doc_to_py(py: Python<'_>, doc: Document) -> PyResult<Py<PyAny>> {
    let objects = PyList::empty(py);
    for obj in doc.objects {
        let item: Bound<'_, PyTuple> = match obj {
            Object::Table(pairs) => {
                let list = PyList::empty(py);
                for (k, v) in &pairs {
                    list.append((value_to_py(py, k)?, value_to_py(py, v)?))?;
                }
                ("table", list).into_pyobject(py)?
            }
            Object::Tensor(t) => ("tensor", crate::tensor::wrap(py, t)?).into_pyobject(py)?,
            Object::Storage(s) => ("storage", crate::storage::wrap(py, s)?).into_pyobject(py)?,
            Object::Class { class_name, version, fields } => {
                ("class", class_name, version, value_to_py(py, &fields)?).into_pyobject(py)?
            }
            Object::Function { bytecode, upvalues } => {
                ("function", PyBytes::new(py, &bytecode), value_to_py(py, &upvalues)?).into_pyobject(py)?
            }
            Object::Pending => return Err(PyValueError::new_err("torch.load: unfinished object")),
        };
        objects.append(item)?;
    }
    Ok((objects, value_to_py(py, &doc.root)?).into_pyobject(py)?.into_any().unbind())
}

fn value_from_py(v: &Bound<'_, PyAny>, n_objects: usize) -> PyResult<Value> {
    if v.is_none() {
        return Ok(Value::Nil);
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Value::Boolean(b.is_true()));
    }
    if v.is_instance_of::<PyInt>() {
        let i: usize = v.extract()?;
        if i >= n_objects {
            return Err(PyValueError::new_err(format!(
                "torch.save: reference {i} to a document of {n_objects} objects"
            )));
        }
        return Ok(Value::Ref(i));
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return Ok(Value::Number(f.value()));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Value::String(s.to_str()?.as_bytes().to_vec()));
    }
    if let Ok(b) = v.cast::<PyBytes>() {
        return Ok(Value::String(b.as_bytes().to_vec()));
    }
    Err(PyTypeError::new_err(format!("torch.save: cannot write a value of type {}", v.get_type().name()?)))
}

fn doc_from_py(objects: &Bound<'_, PyList>, root: &Bound<'_, PyAny>) -> PyResult<Document> {
    let n = objects.len();
    let mut doc = Document { objects: Vec::with_capacity(n), root: value_from_py(root, n)? };
    for item in objects.iter() {
        let item = item.cast_into::<PyTuple>()?;
        let kind: String = item.get_item(0)?.extract()?;
        let obj = match kind.as_str() {
            "table" => {
                let mut pairs = Vec::new();
                for pair in item.get_item(1)?.try_iter()? {
                    let pair = pair?;
                    let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair.extract()?;
                    pairs.push((value_from_py(&k, n)?, value_from_py(&v, n)?));
                }
                Object::Table(pairs)
            }
            "tensor" => Object::Tensor(tensor_arg(&item.get_item(1)?, "torch.save")?),
            "storage" => {
                let s = item.get_item(1)?;
                let s = s
                    .cast::<PyStorage>()
                    .map_err(|_| PyTypeError::new_err("torch.save: expected a storage"))?;
                Object::Storage(s.get().inner.clone())
            }
            "class" => Object::Class {
                class_name: item.get_item(1)?.extract()?,
                version: item.get_item(2)?.extract()?,
                fields: value_from_py(&item.get_item(3)?, n)?,
            },
            "function" => Object::Function {
                bytecode: item.get_item(1)?.extract()?,
                upvalues: value_from_py(&item.get_item(2)?, n)?,
            },
            _ => return Err(PyValueError::new_err(format!("torch.save: unknown object kind {kind:?}"))),
        };
        doc.objects.push(obj);
    }
    Ok(doc)
}

/// _t7_deserialize(data, format) -> (objects, root): parses the bytes of a .t7 file.
#[pyfunction]
pub fn _t7_deserialize(py: Python<'_>, data: &[u8], format: &str) -> PyResult<Py<PyAny>> {
    let opts = read_options(format)?;
    let doc = py.detach(|| serialize::from_bytes(data, &opts)).py()?;
    doc_to_py(py, doc)
}

/// _t7_load(path, format) -> (objects, root): reads a .t7 file.
#[pyfunction]
pub fn _t7_load(py: Python<'_>, path: std::path::PathBuf, format: &str) -> PyResult<Py<PyAny>> {
    let opts = read_options(format)?;
    let doc = py.detach(|| serialize::load(&path, &opts)).py()?;
    doc_to_py(py, doc)
}

/// _t7_serialize(objects, root, format) -> bytes of a .t7 file.
#[pyfunction]
pub fn _t7_serialize<'py>(
    py: Python<'py>,
    objects: &Bound<'py, PyList>,
    root: &Bound<'py, PyAny>,
    format: &str,
) -> PyResult<Bound<'py, PyBytes>> {
    let opts = write_options(format)?;
    let doc = doc_from_py(objects, root)?;
    let bytes = py.detach(|| serialize::to_bytes(&doc, &opts)).py()?;
    Ok(PyBytes::new(py, &bytes))
}

/// _t7_save(path, objects, root, format): writes a .t7 file atomically (temp file + rename).
#[pyfunction]
pub fn _t7_save(
    py: Python<'_>,
    path: std::path::PathBuf,
    objects: &Bound<'_, PyList>,
    root: &Bound<'_, PyAny>,
    format: &str,
) -> PyResult<()> {
    let opts = write_options(format)?;
    let doc = doc_from_py(objects, root)?;
    py.detach(|| serialize::save(&path, &doc, &opts)).py()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_t7_deserialize, m)?)?;
    m.add_function(wrap_pyfunction!(_t7_load, m)?)?;
    m.add_function(wrap_pyfunction!(_t7_serialize, m)?)?;
    m.add_function(wrap_pyfunction!(_t7_save, m)?)?;
    Ok(())
}
