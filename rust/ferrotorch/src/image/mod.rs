//! Torch7's image package kernels (torch/image's `generic/image.c`): the functions that touch
//! every pixel. Images are (H, W) or (C, H, W) tensors; coordinates are 0-based pixel offsets,
//! as they already were in the image package. Each kernel returns a new contiguous tensor of
//! the input's type and reproduces Torch7's arithmetic, including the places where its C code
//! went through a `float` variable (scale 'simple', rotate, crop round doubles to float there).

mod color;
mod flip;
mod rotate;
mod scale;
mod translate;

pub use color::{hsl2rgb, hsv2rgb, lab2rgb, rgb2hsl, rgb2hsv, rgb2lab, rgb2y, rgb2yuv, yuv2rgb};
pub use flip::flip;
pub use rotate::{rotate, RotateMode};
pub use scale::{scale, ScaleMode};
pub use translate::translate;

use crate::cpu::index::par_range;
use crate::iter::SendPtr;
use crate::layout::size_string;
use crate::nn::transfer::real::{Data, Real};
use crate::{Element, Error, Result, Tensor};

/// f32 / f64 pixels, with the conversions the C code's mixed float/double arithmetic needs.
pub(crate) trait Pixel: Real {
    #[inline(always)]
    fn f(self) -> f64 {
        self.to_f64()
    }
    /// Through a C `float` variable (`float val = src[...]`).
    #[inline(always)]
    fn via_f32(x: f64) -> Self {
        Self::of(x as f32 as f64)
    }
}
impl Pixel for f32 {}
impl Pixel for f64 {}

/// A stored pixel (f32, f64 or u8) and the type its C code computed in (`temp_t`: the pixel
/// type for floats, `float` for bytes), with Torch7's `FromIntermediate` back to the pixel
/// (bytes: + 0.5, clamped to 0..255, truncated; floats: unchanged).
pub(crate) trait Sample: Element {
    type Acc: Pixel;
    fn acc(self) -> Self::Acc;
    fn store(x: Self::Acc) -> Self;
}

impl Sample for f32 {
    type Acc = f32;
    #[inline(always)]
    fn acc(self) -> f32 {
        self
    }
    #[inline(always)]
    fn store(x: f32) -> f32 {
        x
    }
}

impl Sample for f64 {
    type Acc = f64;
    #[inline(always)]
    fn acc(self) -> f64 {
        self
    }
    #[inline(always)]
    fn store(x: f64) -> f64 {
        x
    }
}

impl Sample for u8 {
    type Acc = f32;
    #[inline(always)]
    fn acc(self) -> f32 {
        f32::from(self)
    }
    #[inline(always)]
    fn store(x: f32) -> u8 {
        let x = x + 0.5;
        if x <= 0.0 {
            0
        } else if x >= 255.0 {
            255
        } else {
            x as u8
        }
    }
}

/// Calls `$f::<f32>`, `$f::<f64>` or `$f::<u8>` after the image's type (TypeError otherwise).
macro_rules! samples {
    ($what:expr, $x:expr, $f:ident($($arg:expr),*)) => {
        match $x.dtype() {
            $crate::DType::Float => $f::<f32>($($arg),*),
            $crate::DType::Double => $f::<f64>($($arg),*),
            $crate::DType::Byte => $f::<u8>($($arg),*),
            other => Err($crate::Error::Type(format!(
                "{}: expected a torch.FloatTensor, torch.DoubleTensor or torch.ByteTensor image, \
                 got {} (convert with .float() or .double())",
                $what,
                other.tensor_type_name()
            ))),
        }
    };
}
pub(crate) use samples;

/// Calls `$f::<f32>` or `$f::<f64>` after the image's type (TypeError for other types).
macro_rules! floats {
    ($what:expr, $x:expr, $f:ident($($arg:expr),*)) => {
        match $x.dtype() {
            $crate::DType::Float => $f::<f32>($($arg),*),
            $crate::DType::Double => $f::<f64>($($arg),*),
            other => Err($crate::Error::Type(format!(
                "{}: expected a torch.FloatTensor or torch.DoubleTensor image, got {} \
                 (convert with .float() or .double())",
                $what,
                other.tensor_type_name()
            ))),
        }
    };
}
pub(crate) use floats;

/// (depth, height, width) of a (H, W) or (C, H, W) image.
pub(crate) fn planes(src: &Tensor, what: &str) -> Result<(usize, usize, usize)> {
    match *src.sizes() {
        [h, w] => Ok((1, h, w)),
        [c, h, w] => Ok((c, h, w)),
        ref s => Err(Error::Value(format!(
            "{what}: expected a 2-D (HxW) or 3-D (CxHxW) image, got size {}",
            if s.is_empty() { "(empty)".to_string() } else { size_string(s) }
        ))),
    }
}

/// The image's elements, contiguous (a copy only when the input is not).
pub(crate) struct Input<T> {
    _tensor: Tensor,
    data: Data<T>,
}

impl<T: Element> Input<T> {
    pub fn of(src: &Tensor) -> Result<Input<T>> {
        let tensor = src.contiguous()?;
        let data = Data::of(&tensor)?;
        Ok(Input { _tensor: tensor, data })
    }
    pub fn slice(&self) -> &[T] {
        self.data.slice()
    }
}

/// A new zero-filled contiguous tensor of `sizes`, and `fill(first_row, rows)` run over
/// disjoint ranges of its rows (`row_len` elements each), on the kernel threads when the
/// image is large enough.
pub(crate) fn output<T: Element>(
    sizes: &[usize],
    row_len: usize,
    work_per_row: usize,
    fill: impl Fn(usize, &mut [T]) + Sync,
) -> Result<Tensor> {
    let out = Tensor::zeros(T::DTYPE, sizes)?;
    let n = out.numel();
    if n == 0 || row_len == 0 {
        return Ok(out);
    }
    let data = Data::<T>::of(&out)?;
    let ptr: SendPtr<T> = data.ptr;
    let rows = n / row_len;
    par_range(rows, row_len * work_per_row.max(1), |r| {
        // SAFETY: `out` was allocated above and nothing else refers to it yet; par_range hands
        // out disjoint row ranges inside 0..rows, so the slices lie in the block (held alive
        // by `data`) and never alias each other.
        let rows = unsafe { std::slice::from_raw_parts_mut(ptr.at(r.start * row_len), r.len() * row_len) };
        fill(r.start, rows);
    });
    drop(data);
    Ok(out)
}

/// A size check: the error names the function and both sizes.
pub(crate) fn check(ok: bool, what: &str, msg: impl FnOnce() -> String) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::Value(format!("{what}: {}", msg())))
    }
}
