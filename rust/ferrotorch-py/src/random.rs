//! Random generators: `torch.Generator` objects and each OS thread's default generator
//! (DESIGN.md: a new thread's generator is seeded from the clock/entropy until manualSeed).

use crate::errors::IntoPyResult;
use crate::tensor::{tensor_arg, wrap};
use ferrotorch::{Generator, Tensor};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::cell::RefCell;
use std::sync::Mutex;

thread_local! {
    static DEFAULT: RefCell<Generator> = RefCell::new(Generator::from_entropy());
}

/// Generator() -> a new random generator, seeded from entropy
///
/// torch.Generator(): an independent Mersenne Twister (Torch7's algorithms), seeded from
/// entropy. It is locked while in use. Pass it as the optional first argument of manualSeed,
/// seed, initialSeed, getRNGState, setRNGState, uniform and Tensor.uniform; without one they use
/// the calling thread's default generator.
///
/// >>> import ferrotorch as torch
/// >>> g = torch.Generator()
/// >>> torch.manualSeed(g, 7)
/// >>> x = torch.uniform(g)
/// >>> torch.manualSeed(g, 7)
/// >>> torch.uniform(g) == x, torch.initialSeed(g)
/// (True, 7)
#[pyclass(name = "Generator", module = "ferrotorch", frozen)]
pub struct PyGenerator {
    inner: Mutex<Generator>,
}

#[pymethods]
impl PyGenerator {
    /// Generator() -> a new generator seeded from entropy
    #[new]
    fn py_new() -> Self {
        PyGenerator { inner: Mutex::new(Generator::from_entropy()) }
    }
}

/// Runs `f` on the given generator, or on the calling thread's default one.
pub fn with_generator<R>(gen: Option<&Bound<'_, PyGenerator>>, f: impl FnOnce(&mut Generator) -> R) -> R {
    match gen {
        Some(g) => f(&mut g.get().inner.lock().unwrap_or_else(|p| p.into_inner())),
        None => DEFAULT.with(|d| f(&mut d.borrow_mut())),
    }
}

/// Splits an optional leading Generator off `args`.
fn split<'py>(args: &Bound<'py, PyTuple>) -> (Option<Bound<'py, PyGenerator>>, Vec<Bound<'py, PyAny>>) {
    let mut items: Vec<_> = args.iter().collect();
    let gen = items.first().and_then(|a| a.cast::<PyGenerator>().ok().cloned());
    if gen.is_some() {
        items.remove(0);
    }
    (gen, items)
}

/// manualSeed([gen,] seed): seeds the generator (the calling thread's by default)
///
/// The same seed gives the same sequence of draws (Torch7's Mersenne Twister). Each OS thread
/// has its own default generator, seeded from entropy until manualSeed.
///
/// >>> import ferrotorch as torch
/// >>> torch.manualSeed(1)
/// >>> round(torch.uniform(), 6)
/// 0.417022
/// >>> a = torch.DoubleTensor(3).uniform()
/// >>> torch.manualSeed(1)
/// >>> b = torch.DoubleTensor(4).uniform()
/// >>> b.tolist()[1:] == a.tolist(), torch.initialSeed()
/// (True, 1)
#[pyfunction]
#[pyo3(name = "manualSeed", signature = (*args))]
pub fn manual_seed(args: &Bound<'_, PyTuple>) -> PyResult<()> {
    let (gen, rest) = split(args);
    let [seed] = rest.as_slice() else {
        return Err(PyTypeError::new_err("manualSeed takes ([gen,] seed)"));
    };
    let seed: i128 = seed.extract()?;
    with_generator(gen.as_ref(), |g| g.manual_seed(seed as u64));
    Ok(())
}

/// seed([gen]) -> a new seed from entropy, applied to the generator
///
/// Re-seeds the generator (the calling thread's default one without gen) and returns the
/// seed, which initialSeed() then reports.
///
/// >>> import ferrotorch as torch
/// >>> s = torch.seed()
/// >>> isinstance(s, int), torch.initialSeed() == s
/// (True, True)
#[pyfunction]
#[pyo3(signature = (gen = None))]
pub fn seed(gen: Option<&Bound<'_, PyGenerator>>) -> u64 {
    with_generator(gen, |g| g.seed())
}

/// initialSeed([gen]) -> the generator's last seed
///
/// The seed given to manualSeed or drawn by seed() (or at creation), for gen or the calling
/// thread's default generator.
///
/// >>> import ferrotorch as torch
/// >>> g = torch.Generator()
/// >>> torch.manualSeed(g, 123)
/// >>> torch.initialSeed(g)
/// 123
#[pyfunction]
#[pyo3(name = "initialSeed", signature = (gen = None))]
pub fn initial_seed(gen: Option<&Bound<'_, PyGenerator>>) -> u64 {
    with_generator(gen, |g| g.initial_seed())
}

/// getRNGState([gen]) -> ByteTensor holding the generator's whole state
///
/// A copy: later draws do not change it. Give it to setRNGState to replay the draws.
///
/// >>> import ferrotorch as torch
/// >>> state = torch.getRNGState()
/// >>> state.type(), state.dim()
/// ('torch.ByteTensor', 1)
/// >>> x = torch.uniform()
/// >>> _ = torch.setRNGState(state)
/// >>> torch.uniform() == x
/// True
#[pyfunction]
#[pyo3(name = "getRNGState", signature = (gen = None))]
pub fn get_rng_state(py: Python<'_>, gen: Option<&Bound<'_, PyGenerator>>) -> PyResult<Py<PyAny>> {
    let bytes = with_generator(gen, |g| g.state_bytes());
    let n = bytes.len();
    wrap(py, Tensor::from_slice(&bytes, &[n]).py()?)
}

/// setRNGState([gen,] state) -> state: restores a state from getRNGState
///
/// Sets the generator (the calling thread's by default) to a state saved by getRNGState,
/// possibly from another generator; a malformed state raises ValueError.
///
/// >>> import ferrotorch as torch
/// >>> g = torch.Generator()
/// >>> state = torch.getRNGState(g)
/// >>> x = torch.DoubleTensor(3).uniform(g).tolist()
/// >>> torch.setRNGState(g, state) is state
/// True
/// >>> torch.DoubleTensor(3).uniform(g).tolist() == x
/// True
#[pyfunction]
#[pyo3(name = "setRNGState", signature = (*args))]
pub fn set_rng_state<'py>(args: &Bound<'py, PyTuple>) -> PyResult<Bound<'py, PyAny>> {
    let (gen, rest) = split(args);
    let [state] = rest.as_slice() else {
        return Err(PyTypeError::new_err("setRNGState takes ([gen,] state)"));
    };
    let bytes = tensor_arg(state, "setRNGState")?.to_vec::<u8>().py()?;
    with_generator(gen.as_ref(), |g| g.set_state_bytes(&bytes)).map_err(PyValueError::new_err)?;
    Ok(state.clone())
}

/// uniform([gen,] [a=0, b=1]) -> a number drawn uniformly from [a, b)
///
/// Draws from gen, or from the calling thread's default generator.
///
/// >>> import ferrotorch as torch
/// >>> x = torch.uniform(5, 6)
/// >>> 5 <= x < 6
/// True
/// >>> g = torch.Generator()
/// >>> torch.manualSeed(g, 3)
/// >>> x = torch.uniform(g, -1, 1)
/// >>> torch.manualSeed(g, 3)
/// >>> torch.uniform(g, -1, 1) == x
/// True
#[pyfunction]
#[pyo3(signature = (*args))]
pub fn uniform(args: &Bound<'_, PyTuple>) -> PyResult<f64> {
    let (gen, rest) = split(args);
    if rest.len() > 2 {
        return Err(PyTypeError::new_err("uniform takes ([gen,] [a, b])"));
    }
    let a: f64 = rest.first().map(|x| x.extract()).transpose()?.unwrap_or(0.0);
    let b: f64 = rest.get(1).map(|x| x.extract()).transpose()?.unwrap_or(1.0);
    Ok(with_generator(gen.as_ref(), |g| g.uniform(a, b)))
}
