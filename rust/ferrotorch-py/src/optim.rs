//! Bindings of the fused optim updates (ferrotorch::optim) as `ferrotorch._C._optim`, called by
//! python/ferrotorch/optim for contiguous Float/Double parameters.

use crate::nn_common::{run, tensor};
use crate::tensor::PyTensor;
use ferrotorch::optim;
use pyo3::prelude::*;

type T<'a, 'py> = &'a Bound<'py, PyTensor>;

/// sgd(x, g, clr, wd): x -= clr*(g + wd*x)
#[pyfunction]
fn sgd(py: Python<'_>, x: T, g: T, clr: f64, wd: f64) -> PyResult<()> {
    let (x, g) = (tensor(x), tensor(g));
    run(py, x.numel(), || optim::sgd(&x, &g, clr, wd))
}

/// sgd_momentum(x, g, buf, clr, wd, mom, one_minus_dampening, nesterov)
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn sgd_momentum(
    py: Python<'_>,
    x: T,
    g: T,
    buf: T,
    clr: f64,
    wd: f64,
    mom: f64,
    one_minus_damp: f64,
    nesterov: bool,
) -> PyResult<()> {
    let (x, g, buf) = (tensor(x), tensor(g), tensor(buf));
    run(py, x.numel(), || optim::sgd_momentum(&x, &g, &buf, clr, wd, mom, one_minus_damp, nesterov))
}

/// nag(x, g, buf, clr, wd, mom)
#[pyfunction]
fn nag(py: Python<'_>, x: T, g: T, buf: T, clr: f64, wd: f64, mom: f64) -> PyResult<()> {
    let (x, g, buf) = (tensor(x), tensor(g), tensor(buf));
    run(py, x.numel(), || optim::nag(&x, &g, &buf, clr, wd, mom))
}

/// asgd(x, g, ax, tmp, decay, eta, mu)
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn asgd(py: Python<'_>, x: T, g: T, ax: T, tmp: T, decay: f64, eta: f64, mu: f64) -> PyResult<()> {
    let (x, g, ax, tmp) = (tensor(x), tensor(g), tensor(ax), tensor(tmp));
    run(py, x.numel(), || optim::asgd(&x, &g, &ax, &tmp, decay, eta, mu))
}

/// adagrad(x, g, paramVariance, paramStd, clr, wd)
#[pyfunction]
fn adagrad(py: Python<'_>, x: T, g: T, var: T, std: T, clr: f64, wd: f64) -> PyResult<()> {
    let (x, g, var, std) = (tensor(x), tensor(g), tensor(var), tensor(std));
    run(py, x.numel(), || optim::adagrad(&x, &g, &var, &std, clr, wd))
}

/// adadelta(x, g, paramVariance, paramStd, delta, accDelta, rho, eps, wd)
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn adadelta(
    py: Python<'_>,
    x: T,
    g: T,
    var: T,
    std: T,
    delta: T,
    acc: T,
    rho: f64,
    eps: f64,
    wd: f64,
) -> PyResult<()> {
    let (x, g, var, std) = (tensor(x), tensor(g), tensor(var), tensor(std));
    let (delta, acc) = (tensor(delta), tensor(acc));
    run(py, x.numel(), || optim::adadelta(&x, &g, &var, &std, &delta, &acc, rho, eps, wd))
}

/// adam(x, g, m, v, denom, stepSize, beta1, beta2, epsilon, wd)
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn adam(
    py: Python<'_>,
    x: T,
    g: T,
    m: T,
    v: T,
    denom: T,
    step: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    wd: f64,
) -> PyResult<()> {
    let (x, g, m, v, denom) = (tensor(x), tensor(g), tensor(m), tensor(v), tensor(denom));
    run(py, x.numel(), || optim::adam(&x, &g, &m, &v, &denom, step, beta1, beta2, eps, wd))
}

/// adamax(x, g, m, u, stepSize, beta1, beta2, epsilon, wd)
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn adamax(
    py: Python<'_>,
    x: T,
    g: T,
    m: T,
    u: T,
    step: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    wd: f64,
) -> PyResult<()> {
    let (x, g, m, u) = (tensor(x), tensor(g), tensor(m), tensor(u));
    run(py, x.numel(), || optim::adamax(&x, &g, &m, &u, step, beta1, beta2, eps, wd))
}

/// rmsprop(x, g, m, tmp, lr, alpha, epsilon, wd)
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn rmsprop(py: Python<'_>, x: T, g: T, m: T, tmp: T, lr: f64, alpha: f64, eps: f64, wd: f64) -> PyResult<()> {
    let (x, g, m, tmp) = (tensor(x), tensor(g), tensor(m), tensor(tmp));
    run(py, x.numel(), || optim::rmsprop(&x, &g, &m, &tmp, lr, alpha, eps, wd))
}

/// rprop(x, g, delta, stepsize, sign, etaplus, etaminus, stepsizemax, stepsizemin)
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn rprop(
    py: Python<'_>,
    x: T,
    g: T,
    delta: T,
    stepsize: T,
    sign: T,
    etaplus: f64,
    etaminus: f64,
    stepsizemax: f64,
    stepsizemin: f64,
) -> PyResult<()> {
    let (x, g, delta) = (tensor(x), tensor(g), tensor(delta));
    let (stepsize, sign) = (tensor(stepsize), tensor(sign));
    run(py, x.numel(), || {
        optim::rprop(&x, &g, &delta, &stepsize, &sign, etaplus, etaminus, stepsizemax, stepsizemin)
    })
}

/// `ferrotorch._C._optim`: the fused first-order updates.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let optim = PyModule::new(m.py(), "_optim")?;
    optim.add_function(wrap_pyfunction!(sgd, &optim)?)?;
    optim.add_function(wrap_pyfunction!(sgd_momentum, &optim)?)?;
    optim.add_function(wrap_pyfunction!(nag, &optim)?)?;
    optim.add_function(wrap_pyfunction!(asgd, &optim)?)?;
    optim.add_function(wrap_pyfunction!(adagrad, &optim)?)?;
    optim.add_function(wrap_pyfunction!(adadelta, &optim)?)?;
    optim.add_function(wrap_pyfunction!(adam, &optim)?)?;
    optim.add_function(wrap_pyfunction!(adamax, &optim)?)?;
    optim.add_function(wrap_pyfunction!(rmsprop, &optim)?)?;
    optim.add_function(wrap_pyfunction!(rprop, &optim)?)?;
    m.add_submodule(&optim)
}
