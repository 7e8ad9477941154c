//! Maps engine errors onto Python exception classes.

use ferrotorch::Error;
use pyo3::exceptions::{
    PyBufferError, PyIndexError, PyRuntimeError, PyTypeError, PyValueError, PyZeroDivisionError,
};
use pyo3::PyErr;

/// Converts an engine error into the Python exception DESIGN.md names for it.
pub fn to_py(e: Error) -> PyErr {
    match e {
        Error::Index(m) => PyIndexError::new_err(m),
        Error::Value(m) => PyValueError::new_err(m),
        Error::Type(m) => PyTypeError::new_err(m),
        Error::Buffer(m) => PyBufferError::new_err(m),
        Error::ZeroDivision(m) => PyZeroDivisionError::new_err(m),
        Error::Runtime(m) => PyRuntimeError::new_err(m),
    }
}

/// `?`-friendly conversion of engine results.
pub trait IntoPyResult<T> {
    fn py(self) -> pyo3::PyResult<T>;
}

impl<T> IntoPyResult<T> for ferrotorch::Result<T> {
    fn py(self) -> pyo3::PyResult<T> {
        self.map_err(to_py)
    }
}
