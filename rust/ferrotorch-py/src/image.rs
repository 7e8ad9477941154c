//! `ferrotorch._C._image`: bindings of the image kernels (ferrotorch::image), called by
//! `ferrotorch.image`. Each takes a tensor and returns a new one of its type.

use crate::errors::IntoPyResult;
use crate::nn_common::tensor;
use crate::tensor::{maybe_detach, wrap, PyTensor};
use ferrotorch::image::{self as img, RotateMode, ScaleMode};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

fn run(
    py: Python<'_>,
    src: &Bound<'_, PyTensor>,
    kernel: impl FnOnce(&ferrotorch::Tensor) -> ferrotorch::Result<ferrotorch::Tensor> + Send,
) -> PyResult<Py<PyAny>> {
    let t = tensor(src);
    let out = maybe_detach(py, t.numel(), || kernel(&t)).py()?;
    wrap(py, out)
}

/// scale(src, width, height, mode): mode 'bilinear' | 'bicubic' | 'simple'
#[pyfunction]
fn scale(
    py: Python<'_>,
    src: &Bound<'_, PyTensor>,
    width: usize,
    height: usize,
    mode: &str,
) -> PyResult<Py<PyAny>> {
    let mode = match mode {
        "bilinear" => ScaleMode::Bilinear,
        "bicubic" => ScaleMode::Bicubic,
        "simple" => ScaleMode::Simple,
        m => {
            return Err(PyValueError::new_err(format!(
                "image.scale: mode must be one of 'bilinear' | 'bicubic' | 'simple', got '{m}'"
            )))
        }
    };
    run(py, src, |t| img::scale(t, width, height, mode))
}

/// rotate(src, theta, mode): mode 'simple' | 'bilinear'
#[pyfunction]
fn rotate(py: Python<'_>, src: &Bound<'_, PyTensor>, theta: f64, mode: &str) -> PyResult<Py<PyAny>> {
    let mode = match mode {
        "simple" => RotateMode::Simple,
        "bilinear" => RotateMode::Bilinear,
        m => {
            return Err(PyValueError::new_err(format!(
                "image.rotate: mode must be one of 'simple' | 'bilinear', got '{m}'"
            )))
        }
    };
    run(py, src, |t| img::rotate(t, theta, mode))
}

/// translate(src, x, y)
#[pyfunction]
fn translate(py: Python<'_>, src: &Bound<'_, PyTensor>, x: i64, y: i64) -> PyResult<Py<PyAny>> {
    run(py, src, |t| img::translate(t, x, y))
}

/// flip(src, dim, what): a copy with the 0-based dim reversed; `what` names the caller.
#[pyfunction]
fn flip(py: Python<'_>, src: &Bound<'_, PyTensor>, dim: usize, what: &str) -> PyResult<Py<PyAny>> {
    let what = what.to_string();
    run(py, src, move |t| img::flip(t, dim, &what))
}

macro_rules! conversions {
    ($($name:ident),*) => {
        $(
            #[doc = concat!(stringify!($name), "(src): a new image (see ferrotorch.image.", stringify!($name), ")")]
            #[pyfunction]
            fn $name(py: Python<'_>, src: &Bound<'_, PyTensor>) -> PyResult<Py<PyAny>> {
                run(py, src, img::$name)
            }
        )*
        pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
            let image = PyModule::new(m.py(), "_image")?;
            image.add_function(wrap_pyfunction!(scale, &image)?)?;
            image.add_function(wrap_pyfunction!(rotate, &image)?)?;
            image.add_function(wrap_pyfunction!(translate, &image)?)?;
            image.add_function(wrap_pyfunction!(flip, &image)?)?;
            $(image.add_function(wrap_pyfunction!($name, &image)?)?;)*
            m.add_submodule(&image)?;
            Ok(())
        }
    };
}

conversions!(rgb2yuv, yuv2rgb, rgb2y, rgb2hsv, hsv2rgb, rgb2hsl, hsl2rgb, rgb2lab, lab2rgb);
