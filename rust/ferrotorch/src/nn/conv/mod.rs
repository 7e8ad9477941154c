//! Convolutions (Torch7's THNN SpatialConvolutionMM, SpatialDilatedConvolution,
//! SpatialFullConvolution, SpatialDepthWiseConvolution, VolumetricConvolutionMM,
//! VolumetricDilatedConvolution, VolumetricFullConvolution, SpatialConvolutionMap,
//! SpatialFullConvolutionMap, SpatialConvolutionLocal, SpatialSubSampling).
//!
//! Files by job: `geometry` (output sizes), `unfold` (im2col / col2im), `gemm` (the blocked
//! GEMM driver every unrolled convolution shares), `unrolled` (the tensor-level functions
//! of those families), `direct` (connection-table and sub-sampling kernels, loops per plane),
//! `local` (locally connected: one small product per position).

pub mod direct;
pub mod gemm;
pub mod geometry;
pub mod local;
pub mod unfold;
pub mod unrolled;

use crate::cpu::blas::BlasScalar;
use crate::layout::size_string;
use crate::storage::StorageView;
use crate::{DType, Error, Result, Tensor};

/// The element types of the kernels (f32, f64).
pub trait Real:
    BlasScalar
    + std::ops::Add<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::AddAssign
    + std::iter::Sum
{
}
impl Real for f32 {}
impl Real for f64 {}

/// A contiguous tensor's first element, kept alive with the tensor.
pub(crate) struct Data<T> {
    _tensor: Tensor,
    _view: StorageView,
    pub ptr: *mut T,
}

impl<T: crate::Element> Data<T> {
    /// The elements of `t` (a contiguous copy when it is not contiguous).
    pub fn of(t: &Tensor) -> Result<Data<T>> {
        let c = t.contiguous()?;
        let view = c.checked_view()?;
        // SAFETY: checked_view checked that the tensor's elements lie in the block.
        let ptr = unsafe { view.base::<T>().add(c.storage_offset()) };
        Ok(Data { _tensor: c, _view: view, ptr })
    }

    pub fn slice(&self, len: usize) -> &[T] {
        // SAFETY: callers pass the tensor's element count.
        unsafe { std::slice::from_raw_parts(self.ptr, len) }
    }
}

/// Resizes `out` to `sizes` and runs `f` on its contiguous elements (on a scratch tensor
/// copied back when `out` is a non-contiguous view).
pub(crate) fn with_output<T: crate::Element>(
    out: &mut Tensor,
    sizes: &[usize],
    f: impl FnOnce(*mut T) -> Result<()>,
) -> Result<()> {
    out.resize_(sizes)?;
    if out.is_contiguous() {
        let d = Data::<T>::of(out)?;
        return f(d.ptr);
    }
    let scratch = Tensor::zeros(out.dtype(), sizes)?;
    let d = Data::<T>::of(&scratch)?;
    f(d.ptr)?;
    out.copy_(&scratch)
}

/// `dst += scale · delta` (delta row-major in dst's shape): gradient accumulation.
pub(crate) fn accumulate<T: crate::Element>(dst: &Tensor, scale: f64, delta: &[T]) -> Result<()> {
    if delta.is_empty() {
        return Ok(());
    }
    let d = Tensor::from_slice(delta, dst.sizes())?;
    crate::ops::pointwise::add_scaled_into(dst, crate::Scalar::Float(scale), &d, false, dst)
}

/// The common type of the tensors: TypeError unless all are Float or all are Double.
pub(crate) fn float_type(what: &str, tensors: &[&Tensor]) -> Result<DType> {
    let dt = tensors.first().map(|t| t.dtype()).unwrap_or(DType::Double);
    if !matches!(dt, DType::Float | DType::Double) {
        return Err(Error::Type(format!(
            "{what}: expected a torch.FloatTensor or torch.DoubleTensor, got a {}",
            dt.tensor_type_name()
        )));
    }
    for t in tensors {
        if t.dtype() != dt {
            return Err(Error::Type(format!(
                "{what}: mixed tensor types {} and {} (convert the module with float() or double())",
                dt.tensor_type_name(),
                t.dtype().tensor_type_name()
            )));
        }
    }
    Ok(dt)
}

/// An input of `nd` spatial dims: (batch or None, planes, image sizes padded to 3 dims).
pub(crate) fn split_input(
    what: &str,
    input: &Tensor,
    nd: usize,
    planes: usize,
) -> Result<(Option<usize>, [usize; 3])> {
    let s = input.sizes();
    let names = if nd == 2 {
        ("3D (C x H x W)", "4D (B x C x H x W)")
    } else {
        ("4D (C x T x H x W)", "5D (B x C x T x H x W)")
    };
    let (batch, rest) = if s.len() == nd + 1 {
        (None, s)
    } else if s.len() == nd + 2 {
        (Some(s[0]), &s[1..])
    } else {
        return Err(Error::Value(format!(
            "{what}: expected a {} or {} input with C = {planes}, got {}",
            names.0,
            names.1,
            size_string(s)
        )));
    };
    if rest[0] != planes {
        return Err(Error::Value(format!(
            "{what}: expected an input with {planes} planes (C = {planes}), got {}",
            size_string(s)
        )));
    }
    let mut image = [1usize; 3];
    image[3 - nd..].copy_from_slice(&rest[1..]);
    Ok((batch, image))
}

/// The sizes of a result of `planes` planes of `image` (last `nd` dims), batched or not.
pub(crate) fn result_sizes(batch: Option<usize>, planes: usize, image: [usize; 3], nd: usize) -> Vec<usize> {
    let mut v = Vec::with_capacity(nd + 2);
    if let Some(b) = batch {
        v.push(b);
    }
    v.push(planes);
    v.extend_from_slice(&image[3 - nd..]);
    v
}

/// ValueError unless gradOutput has the sizes of the output.
pub(crate) fn check_grad_output(what: &str, grad_output: &Tensor, sizes: &[usize]) -> Result<()> {
    if grad_output.sizes() == sizes {
        return Ok(());
    }
    Err(Error::Value(format!(
        "{what}: gradOutput should be of size {} (the output's), got {}",
        size_string(sizes),
        size_string(grad_output.sizes())
    )))
}

/// Σ over batch and positions of each plane of `t` (batch × planes × len, contiguous).
pub(crate) fn plane_sums<T: Real>(t: &[T], batch: usize, planes: usize, len: usize) -> Vec<T> {
    let mut sums = vec![T::zero(); planes];
    for b in 0..batch {
        for (q, s) in sums.iter_mut().enumerate() {
            let start = (b * planes + q) * len;
            *s += t[start..start + len].iter().copied().sum::<T>();
        }
    }
    sums
}
