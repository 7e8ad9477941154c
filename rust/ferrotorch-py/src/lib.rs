//! ferrotorch._C: the PyO3 bindings. Argument conversion, error mapping and GIL release only;
//! the numerics live in the ferrotorch crate.

mod buffer;
mod convert;
mod errors;
mod image;
mod index;
mod interop;
mod linalg;
mod math_construct;
mod math_pointwise;
mod math_reduce;
mod nn_common;
mod nn_conv;
mod nn_criterion;
mod nn_linear;
mod nn_misc;
mod nn_pooling;
mod nn_simple;
mod nn_spatial;
mod nn_table;
mod nn_transfer;
mod optim;
mod out;
mod random;
mod serialize;
mod storage;
mod tensor;

use pyo3::prelude::*;

/// setnumthreads(n)
///
/// Sets the number of threads the calling thread's kernels use (at least 1), as Torch7's
/// setnumthreads (OpenMP's per-thread count) did. On the main thread (the one that imported
/// ferrotorch) it sets the process-wide count, which every other thread uses until it sets its
/// own; in any other thread (a `threads.Threads` worker) it applies to that thread's kernels
/// only, and `setnumthreads(1)` there runs its kernels inline on the worker. The default is the
/// number of cores, or `FERROTORCH_NUM_THREADS`; `threads.Threads(n)` gives each worker
/// `max(1, getnumthreads() // n)` so that workers x kernel threads stays within the cores.
/// The main thread is one of its kernels' threads: its kernels run their first part
/// themselves. While and for 2 ms after such a kernel the other threads poll for work instead
/// of sleeping (`FERROTORCH_SPIN_US` sets the time, 0 turns it off), so back-to-back calls do
/// not pay a thread wake-up each.
///
/// >>> import ferrotorch as torch
/// >>> n = torch.getnumthreads()
/// >>> torch.setnumthreads(1)
/// >>> torch.getnumthreads()
/// 1
/// >>> torch.setnumthreads(n)
#[pyfunction]
#[pyo3(name = "setnumthreads")]
fn set_num_threads(n: usize) {
    ferrotorch::parallel::set_num_threads(n);
}

/// getnumthreads() -> int
///
/// The number of threads the calling thread's kernels use (see `setnumthreads`).
///
/// >>> import ferrotorch as torch
/// >>> torch.getnumthreads() >= 1
/// True
#[pyfunction]
#[pyo3(name = "getnumthreads")]
fn get_num_threads() -> usize {
    ferrotorch::parallel::num_threads()
}

/// The compiled core of ferrotorch.
#[pymodule]
#[pyo3(name = "_C")]
fn ferrotorch_c(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Build the kernel pool now, on the importing (interpreter's) thread, which becomes the
    // pool's thread 0 (see ferrotorch::parallel).
    ferrotorch::parallel::num_threads();
    storage::register(m)?;
    tensor::register(m)?;
    serialize::register(m)?;
    m.add_class::<random::PyGenerator>()?;
    m.add_function(wrap_pyfunction!(tensor::_set_default_dtype, m)?)?;
    m.add_function(wrap_pyfunction!(interop::from_numpy, m)?)?;
    m.add_function(wrap_pyfunction!(interop::from_dlpack, m)?)?;
    m.add_function(wrap_pyfunction!(interop::_rebuild_tensor, m)?)?;
    m.add_function(wrap_pyfunction!(interop::_rebuild_storage, m)?)?;
    m.add_function(wrap_pyfunction!(random::manual_seed, m)?)?;
    m.add_function(wrap_pyfunction!(random::seed, m)?)?;
    m.add_function(wrap_pyfunction!(random::initial_seed, m)?)?;
    m.add_function(wrap_pyfunction!(random::get_rng_state, m)?)?;
    m.add_function(wrap_pyfunction!(random::set_rng_state, m)?)?;
    m.add_function(wrap_pyfunction!(random::uniform, m)?)?;
    m.add_function(wrap_pyfunction!(set_num_threads, m)?)?;
    math_pointwise::register(m)?;
    math_reduce::register(m)?;
    math_construct::register(m)?;
    linalg::register(m)?;
    m.add_function(wrap_pyfunction!(get_num_threads, m)?)?;
    optim::register(m)?;
    image::register(m)?;
    register_nn(m)
}

/// `ferrotorch._C._nn`: the nn kernels (Torch7's THNN), one function per module and direction
/// (`Linear_updateOutput`, ...), called by the Python classes of `ferrotorch.nn`.
fn register_nn(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let nn = PyModule::new(m.py(), "_nn")?;
    nn_linear::register(&nn)?;
    nn_simple::register(&nn)?;
    nn_misc::register(&nn)?;
    nn_transfer::register(&nn)?;
    nn_table::register(&nn)?;
    nn_criterion::register(&nn)?;
    nn_conv::register(&nn)?;

    nn_pooling::register(&nn)?;

    nn_spatial::register(&nn)?;
    m.add_submodule(&nn)?;
    Ok(())
}
