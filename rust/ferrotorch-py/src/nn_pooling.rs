//! Bindings of the pooling kernels (ferrotorch::nn::pooling). Window arguments are `(T, H, W)`
//! triples (a spatial class passes 1, 1, 0, 1 for T); `name` is the class, for messages.

use crate::errors::IntoPyResult;
use crate::nn_common::tensor;
use crate::tensor::{maybe_detach, PyTensor};
use ferrotorch::nn::pooling::max::{self, Window};
use pyo3::prelude::*;

type T<'a, 'py> = &'a Bound<'py, PyTensor>;
type Dims = (usize, usize, usize);

fn window(kernel: Dims, stride: Dims, pad: Dims, dilation: Dims, ceil: bool) -> Window {
    let a = |d: Dims| [d.0, d.1, d.2];
    Window { kernel: a(kernel), stride: a(stride), pad: a(pad), dilation: a(dilation), ceil }
}

/// MaxPooling_updateOutput(input, output, indices, kernel, stride, pad, dilation, ceil, nd,
/// name): max pooling over nd = 2 (spatial) or 3 (volumetric) dims; indices become the 0-based
/// flat positions of the maxima in their input planes. Returns the input's pooled (T, H, W).
#[pyfunction]
#[pyo3(name = "MaxPooling_updateOutput")]
#[allow(clippy::too_many_arguments)]
fn max_update_output(
    py: Python<'_>,
    input: T,
    output: T,
    indices: T,
    kernel: Dims,
    stride: Dims,
    pad: Dims,
    dilation: Dims,
    ceil: bool,
    nd: usize,
    name: &str,
) -> PyResult<Dims> {
    let w = window(kernel, stride, pad, dilation, ceil);
    let (x, mut out, mut ind) = (tensor(input), tensor(output), tensor(indices));
    let result = maybe_detach(py, x.numel(), || max::max_pooling_update_output(&x, &mut out, &mut ind, &w, nd, name));
    output.get().put(out);
    indices.get().put(ind);
    result.py()?;
    Ok(pooled_dims(&x, nd))
}

/// The input's pooled dims as (T, H, W) (T = 1 for a spatial input), for the classes'
/// itime / iheight / iwidth fields (read by the unpooling modules).
fn pooled_dims(x: &ferrotorch::Tensor, nd: usize) -> Dims {
    let s = x.sizes();
    let n = s.len();
    (if nd == 3 { s[n - 3] } else { 1 }, s[n - 2], s[n - 1])
}

/// MaxPooling_updateGradInput(input, gradOutput, gradInput, indices, kernel, stride, pad,
/// dilation, ceil, nd, name): gradOutput added at the forward's maxima
#[pyfunction]
#[pyo3(name = "MaxPooling_updateGradInput")]
#[allow(clippy::too_many_arguments)]
fn max_update_grad_input(
    py: Python<'_>,
    input: T,
    grad_output: T,
    grad_input: T,
    indices: T,
    kernel: Dims,
    stride: Dims,
    pad: Dims,
    dilation: Dims,
    ceil: bool,
    nd: usize,
    name: &str,
) -> PyResult<()> {
    let w = window(kernel, stride, pad, dilation, ceil);
    let (x, go, ind, mut gi) = (tensor(input), tensor(grad_output), tensor(indices), tensor(grad_input));
    let result = maybe_detach(py, x.numel(), || {
        max::max_pooling_update_grad_input(&x, &go, &ind, &mut gi, &w, nd, name)
    });
    grad_input.get().put(gi);
    result.py()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(max_update_output, m)?)?;
    m.add_function(wrap_pyfunction!(max_update_grad_input, m)?)?;
    Ok(())
}
