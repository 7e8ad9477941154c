//! What the normalization, padding/upsampling and temporal kernels share: the f32/f64 dispatch,
//! contiguous typed access to operands, outputs prepared as mutable slices, a loop over
//! independent items (batch samples, planes) split across the pool, and parameter-gradient
//! accumulation.

use crate::cpu::PARALLEL_GRAIN;
use crate::layout::size_string;
use crate::nn::transfer::real::{prepare_output, Data};
use crate::{parallel, Element, Error, Result, Tensor};
use rayon::prelude::*;

pub(crate) use crate::nn::transfer::real::Real;

/// Runs the f32 or f64 instantiation of a generic kernel; TypeError naming `what` otherwise.
macro_rules! float_dispatch {
    ($dtype:expr, $what:expr, $f:ident ( $($arg:expr),* $(,)? )) => {
        match $dtype {
            $crate::DType::Float => $f::<f32>($($arg),*),
            $crate::DType::Double => $f::<f64>($($arg),*),
            other => Err($crate::Error::Type(format!(
                "{}: expected a FloatTensor or DoubleTensor, got a {}",
                $what,
                other.tensor_type_name()
            ))),
        }
    };
}
pub(crate) use float_dispatch;

/// The elements of `t` (any layout), row-major, as a contiguous read-only block of `T`.
pub(crate) fn read<T: Element>(t: &Tensor, what: &str, name: &str) -> Result<Data<T>> {
    if t.dtype() != T::DTYPE {
        return Err(Error::Type(format!(
            "{what}: {name} is a {} but the input is a {}",
            t.dtype().tensor_type_name(),
            T::DTYPE.tensor_type_name()
        )));
    }
    // Data keeps the (possibly fresh) contiguous block alive through its storage view.
    Data::of(&t.contiguous()?)
}

/// A kernel's output: `out` resized to `sizes`, contiguous and overlapping none of `srcs`
/// (replaced by a fresh tensor when it cannot be written safely).
pub(crate) struct Out<T> {
    data: Data<T>,
}

impl<T: Element> Out<T> {
    pub(crate) fn new(out: &mut Tensor, sizes: &[usize], srcs: &[&Tensor]) -> Result<Out<T>> {
        prepare_output(out, T::DTYPE, sizes, srcs)?;
        Ok(Out { data: Data::of(out)? })
    }

    /// The output's elements, to be written.
    pub(crate) fn slice(&mut self) -> &mut [T] {
        // SAFETY: prepare_output made the tensor contiguous with `len` elements and disjoint
        // from every source the kernel reads; the block stays alive while `data` holds its
        // view, and `&mut self` hands out one writer at a time.
        unsafe { std::slice::from_raw_parts_mut(self.data.ptr.0, self.data.len) }
    }
}

/// `f(i, chunk)` for each of the `out.len() / item` consecutive chunks, on the pool when the
/// whole job (`work` operations per chunk) is worth splitting.
pub(crate) fn for_each_item<T: Send>(
    out: &mut [T],
    item: usize,
    work: usize,
    f: impl Fn(usize, &mut [T]) + Sync + Send,
) {
    if item == 0 {
        return;
    }
    let n = out.len() / item;
    if n < 2 || n.saturating_mul(work) < PARALLEL_GRAIN || parallel::num_threads() < 2 {
        out.chunks_mut(item).enumerate().for_each(|(i, c)| f(i, c));
        return;
    }
    parallel::install(|| out.par_chunks_mut(item).enumerate().for_each(|(i, c)| f(i, c)));
}

/// Runs `f` on the elements of `t` (row-major) and leaves its results in `t`: directly when
/// `t` is contiguous, through a contiguous copy otherwise. For parameters and their gradients,
/// which kernels update in place.
pub(crate) fn in_place<T: Element>(
    t: &Tensor,
    what: &str,
    name: &str,
    f: impl FnOnce(&mut [T]),
) -> Result<()> {
    if t.dtype() != T::DTYPE {
        return Err(Error::Type(format!(
            "{what}: {name} is a {} but the input is a {}",
            t.dtype().tensor_type_name(),
            T::DTYPE.tensor_type_name()
        )));
    }
    t.check_writable(what)?;
    let work = if t.is_contiguous() { t.clone() } else { t.clone_contiguous()? };
    let data = Data::<T>::of(&work)?;
    // SAFETY: `work` is contiguous with `len` elements in the block `data` keeps alive; the
    // kernel is the tensor's one writer for the call (the caller's in-place contract, as for
    // every in-place tensor method).
    f(unsafe { std::slice::from_raw_parts_mut(data.ptr.0, data.len) });
    if !work.is_set_to(t) {
        t.copy_(&work)?;
    }
    Ok(())
}

/// ValueError unless gradOutput has the sizes the forward produced.
pub(crate) fn check_grad_output(grad_output: &Tensor, expected: &[usize], what: &str) -> Result<()> {
    if grad_output.sizes() != expected {
        return Err(Error::Value(format!(
            "{what}: gradOutput of size {} does not match the output size {}",
            size_string(grad_output.sizes()),
            size_string(expected)
        )));
    }
    Ok(())
}

/// The float functions these kernels need beyond [`Real`].
pub(crate) trait Float: Real + Send + Sync {
    fn sqrt(self) -> Self;
    fn powf(self, e: Self) -> Self;
}

impl Float for f32 {
    #[inline(always)]
    fn sqrt(self) -> f32 {
        f32::sqrt(self)
    }
    #[inline(always)]
    fn powf(self, e: f32) -> f32 {
        f32::powf(self, e)
    }
}

impl Float for f64 {
    #[inline(always)]
    fn sqrt(self) -> f64 {
        f64::sqrt(self)
    }
    #[inline(always)]
    fn powf(self, e: f64) -> f64 {
        f64::powf(self, e)
    }
}
