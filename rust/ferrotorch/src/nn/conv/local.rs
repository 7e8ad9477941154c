//! SpatialConvolutionLocal: a locally connected layer, one filter bank per output position
//! (weight oH × oW × nOut × nIn × kH × kW, bias nOut × oH × oW). Each image is unrolled
//! (im2col) once and transposed so each position's patch is contiguous; position l then takes `out[:, l] = W_l · col[:, l] + b[:, l]`.

use super::geometry::Shape;
use super::unfold::{col2im, im2col};
use super::{accumulate, check_grad_output, float_type, split_input, with_output, Data};
use crate::cpu::blas::BlasScalar;
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

/// Kernel, stride, padding as (h, w) and the fixed input size (iH, iW).
#[derive(Clone, Copy, Debug)]
pub struct LocalParams {
    pub n_in: usize,
    pub n_out: usize,
    pub input: (usize, usize),
    pub k: (usize, usize),
    pub stride: (usize, usize),
    pub pad: (usize, usize),
}

/// dst (cols × rows) = srcᵀ, src rows × cols row-major.
fn transpose<T: Copy>(src: &[T], rows: usize, cols: usize, dst: &mut [T]) {
    for (r, row) in src.chunks_exact(cols).take(rows).enumerate() {
        for (c, v) in row.iter().enumerate() {
            dst[c * rows + r] = *v;
        }
    }
}

fn dot<T: BlasScalar + std::ops::Mul<Output = T> + std::ops::AddAssign>(a: &[T], b: &[T]) -> T {
    let mut acc = T::zero();
    for (x, y) in a.iter().zip(b) {
        acc += *x * *y;
    }
    acc
}

/// d += s · v
fn axpy<T: BlasScalar + std::ops::Mul<Output = T> + std::ops::AddAssign>(d: &mut [T], s: T, v: &[T]) {
    for (x, y) in d.iter_mut().zip(v) {
        *x += s * *y;
    }
}

struct Plan {
    n: usize,
    shape: Shape,
    out_sizes: Vec<usize>,
}

fn plan(what: &str, input: &Tensor, weight: &Tensor, p: &LocalParams) -> Result<Plan> {
    let (batch, image) = split_input(what, input, 2, p.n_in)?;
    if image[1] != p.input.0 || image[2] != p.input.1 {
        return Err(Error::Value(format!(
            "{what}: expected an input of size {}x{}x{} (or B x that), got {}",
            p.n_in,
            p.input.0,
            p.input.1,
            size_string(input.sizes())
        )));
    }
    let shape = Shape::new(
        p.n_in,
        image,
        [1, p.k.0, p.k.1],
        [1, p.stride.0, p.stride.1],
        [0, p.pad.0, p.pad.1],
        [1, 1, 1],
    )
    .ok_or_else(|| {
        Error::Value(format!(
            "{what}: input of size {} is smaller than the kernel {}x{}",
            size_string(input.sizes()),
            p.k.1,
            p.k.0
        ))
    })?;
    let l = shape.out_len();
    if weight.numel() != l * p.n_out * shape.col_rows() {
        return Err(Error::Value(format!(
            "{what}: weight of size {} should be oH x oW x nOut x nIn x kH x kW = {}x{}x{}x{}x{}x{}",
            size_string(weight.sizes()),
            shape.out[1],
            shape.out[2],
            p.n_out,
            p.n_in,
            p.k.0,
            p.k.1
        )));
    }
    let mut out_sizes: Vec<usize> = batch.into_iter().collect();
    out_sizes.extend([p.n_out, shape.out[1], shape.out[2]]);
    Ok(Plan { n: batch.unwrap_or(1), shape, out_sizes })
}

pub fn update_output(
    what: &str,
    input: &Tensor,
    weight: &Tensor,
    bias: &Tensor,
    output: &mut Tensor,
    p: &LocalParams,
) -> Result<()> {
    let dtype = float_type(what, &[input, weight, bias])?;
    let pl = plan(what, input, weight, p)?;
    let (l, ck, no) = (pl.shape.out_len(), pl.shape.col_rows(), p.n_out);
    if bias.numel() != no * l {
        return Err(Error::Value(format!(
            "{what}: bias of size {} should be {no}x{}x{}",
            size_string(bias.sizes()),
            pl.shape.out[1],
            pl.shape.out[2]
        )));
    }
    crate::with_float_dtype!(dtype, what, T, {
        let x = Data::<T>::of(input)?;
        let w = Data::<T>::of(weight)?;
        let ws = w.slice(weight.numel());
        let b = bias.to_vec::<T>()?;
        let ilen = pl.shape.image_len();
        with_output::<T>(output, &pl.out_sizes, |out| {
            let mut col = vec![T::zero(); ck * l];
            let mut colt = vec![T::zero(); ck * l];
            for n in 0..pl.n {
                // SAFETY: image n of the input; output image n (no × l elements).
                unsafe { im2col(x.ptr.add(n * ilen) as *const T, &pl.shape, col.as_mut_ptr(), l, 0) };
                transpose(&col, ck, l, &mut colt);
                let o = unsafe { std::slice::from_raw_parts_mut(out.add(n * no * l), no * l) };
                for pos in 0..l {
                    let wl = &ws[pos * no * ck..(pos + 1) * no * ck];
                    let c = &colt[pos * ck..(pos + 1) * ck];
                    for q in 0..no {
                        o[q * l + pos] = b[q * l + pos] + dot(&wl[q * ck..(q + 1) * ck], c);
                    }
                }
            }
            Ok(())
        })
    })
}

#[allow(clippy::too_many_arguments)]
pub fn backward(
    what: &str,
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    grad_input: Option<&mut Tensor>,
    grad_weight: Option<&Tensor>,
    grad_bias: Option<&Tensor>,
    scale: f64,
    p: &LocalParams,
) -> Result<()> {
    let dtype = float_type(what, &[input, grad_output, weight])?;
    let pl = plan(what, input, weight, p)?;
    check_grad_output(what, grad_output, &pl.out_sizes)?;
    let (l, ck, no) = (pl.shape.out_len(), pl.shape.col_rows(), p.n_out);
    let ilen = pl.shape.image_len();
    crate::with_float_dtype!(dtype, what, T, {
        let x = Data::<T>::of(input)?;
        let go = Data::<T>::of(grad_output)?;
        let gos = go.slice(grad_output.numel());
        if let Some(gi) = grad_input {
            let w = Data::<T>::of(weight)?;
            let ws = w.slice(weight.numel());
            with_output::<T>(gi, input.sizes(), |gptr| {
                let mut gcol = vec![T::zero(); ck * l];
                let mut gcolt = vec![T::zero(); ck * l];
                for n in 0..pl.n {
                    let g = &gos[n * no * l..(n + 1) * no * l];
                    gcolt.fill(T::zero());
                    for pos in 0..l {
                        let wl = &ws[pos * no * ck..(pos + 1) * no * ck];
                        let d = &mut gcolt[pos * ck..(pos + 1) * ck];
                        for q in 0..no {
                            axpy(d, g[q * l + pos], &wl[q * ck..(q + 1) * ck]);
                        }
                    }
                    transpose(&gcolt, l, ck, &mut gcol);
                    // SAFETY: gradInput image n, cleared then accumulated.
                    let im = unsafe { gptr.add(n * ilen) };
                    unsafe { std::slice::from_raw_parts_mut(im, ilen) }.fill(T::zero());
                    unsafe { col2im(gcol.as_ptr(), l, 0, &pl.shape, im) };
                }
                Ok(())
            })?;
        }
        if let Some(gw) = grad_weight {
            if gw.numel() != weight.numel() {
                return Err(Error::Value(format!(
                    "{what}: gradWeight of size {} does not match the weight of size {}",
                    size_string(gw.sizes()),
                    size_string(weight.sizes())
                )));
            }
            let mut delta = vec![T::zero(); weight.numel()];
            let mut col = vec![T::zero(); ck * l];
            let mut colt = vec![T::zero(); ck * l];
            for n in 0..pl.n {
                // SAFETY: image n of the input.
                unsafe { im2col(x.ptr.add(n * ilen) as *const T, &pl.shape, col.as_mut_ptr(), l, 0) };
                transpose(&col, ck, l, &mut colt);
                let g = &gos[n * no * l..(n + 1) * no * l];
                for pos in 0..l {
                    let c = &colt[pos * ck..(pos + 1) * ck];
                    for q in 0..no {
                        axpy(&mut delta[(pos * no + q) * ck..(pos * no + q + 1) * ck], g[q * l + pos], c);
                    }
                }
            }
            accumulate(gw, scale, &delta)?;
        }
        if let Some(gb) = grad_bias {
            if gb.numel() != no * l {
                return Err(Error::Value(format!(
                    "{what}: gradBias of size {} should have {} elements",
                    size_string(gb.sizes()),
                    no * l
                )));
            }
            let mut delta = vec![T::zero(); no * l];
            for n in 0..pl.n {
                for (d, g) in delta.iter_mut().zip(&gos[n * no * l..(n + 1) * no * l]) {
                    *d += *g;
                }
            }
            accumulate(gb, scale, &delta)?;
        }
        Ok(())
    })
}
