//! The unrolled convolutions at tensor level: shapes checked, the GEMM driver run, gradients
//! accumulated. `Kind` picks the family: a convolution (SpatialConvolution(MM), Dilated,
//! Volumetric, VolumetricDilated), a depth-wise one, or a full (transposed) one.

use super::gemm::Job;
use super::geometry::Shape;
use super::{
    accumulate, check_grad_output, float_type, plane_sums, result_sizes, split_input, with_output, Data, Real,
};
use crate::cpu::blas::BlasScalar;
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

/// Kernel size, stride, padding, dilation and (full convolutions) output adjustment, as
/// (time, height, width); 2-D convolutions have `nd` = 2 and 1/0 in the time slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    pub nd: usize,
    pub k: [usize; 3],
    pub stride: [usize; 3],
    pub pad: [usize; 3],
    pub dil: [usize; 3],
    pub adj: [usize; 3],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// weight nOut × nIn × taps (any view of that many elements), output nOut planes.
    Conv,
    /// weight nOut × (nIn · taps), output plane c·nOut + o = input plane c with filter o.
    DepthWise,
    /// weight nIn × nOut × taps, output nOut planes of `(i − 1)·d − 2·pad + dil·(k − 1) + 1 + adj`.
    Full,
}

/// One call's sizes.
struct Plan {
    batch: Option<usize>,
    n: usize,
    shape: Shape,
    groups: usize,
    /// Planes of the columns side (conv: output, full: input).
    rows: usize,
    n_in: usize,
    n_out: usize,
    out_sizes: Vec<usize>,
}

fn dims(v: [usize; 3], nd: usize, sep: &str) -> String {
    v[3 - nd..].iter().map(|x| x.to_string()).collect::<Vec<_>>().join(sep)
}

fn plan(what: &str, kind: Kind, input: &Tensor, weight: &Tensor, p: &Params) -> Result<Plan> {
    let taps: usize = p.k.iter().product();
    if taps == 0 || p.stride.contains(&0) || p.dil.contains(&0) {
        return Err(Error::Value(format!(
            "{what}: kernel size ({}), stride ({}) and dilation ({}) must be positive",
            dims(p.k, p.nd, "x"),
            dims(p.stride, p.nd, ","),
            dims(p.dil, p.nd, ",")
        )));
    }
    let ws = weight.sizes();
    let bad_weight = || {
        Error::Value(format!(
            "{what}: weight of size {} does not fit a {} kernel",
            size_string(ws),
            dims(p.k, p.nd, "x")
        ))
    };
    if ws.len() < 2 || !weight.numel().is_multiple_of((ws[0] * taps).max(1)) || weight.numel() == 0 {
        return Err(bad_weight());
    }
    let (n_in, n_out) = match kind {
        Kind::Conv | Kind::DepthWise => (weight.numel() / (ws[0] * taps), ws[0]),
        Kind::Full => {
            if weight.numel() != ws[0] * ws[1] * taps {
                return Err(bad_weight());
            }
            (ws[0], ws[1])
        }
    };
    let (batch, image) = split_input(what, input, p.nd, n_in)?;
    let n = batch.unwrap_or(1);
    let too_small = || {
        Error::Value(format!(
            "{what}: input of size {} is smaller than the kernel {} (padding {}, dilation {}): the output would be empty",
            size_string(input.sizes()),
            dims(p.k, p.nd, "x"),
            dims(p.pad, p.nd, ","),
            dims(p.dil, p.nd, ",")
        ))
    };
    match kind {
        Kind::Conv | Kind::DepthWise => {
            let shape = Shape::new(n_in, image, p.k, p.stride, p.pad, p.dil).ok_or_else(too_small)?;
            let (rows, groups) = if kind == Kind::Conv { (n_out, 1) } else { (n_in * n_out, n_in) };
            let out_sizes = result_sizes(batch, rows, shape.out, p.nd);
            Ok(Plan { batch, n, shape, groups, rows, n_in, n_out, out_sizes })
        }
        Kind::Full => {
            let mut out = [1usize; 3];
            for d in 3 - p.nd..3 {
                let span = (image[d].max(1) - 1) * p.stride[d] + p.dil[d] * (p.k[d] - 1) + 1 + p.adj[d];
                if image[d] == 0 || span <= 2 * p.pad[d] {
                    return Err(Error::Value(format!(
                        "{what}: input of size {} with padding {} gives an empty output",
                        size_string(input.sizes()),
                        dims(p.pad, p.nd, ",")
                    )));
                }
                out[d] = span - 2 * p.pad[d];
            }
            let shape = Shape::new(n_out, out, p.k, p.stride, p.pad, p.dil).ok_or_else(too_small)?;
            debug_assert_eq!(shape.out, image);
            let out_sizes = result_sizes(batch, n_out, out, p.nd);
            Ok(Plan { batch, n, shape, groups: 1, rows: n_in, n_in, n_out, out_sizes })
        }
    }
}

/// The bias of each columns-side plane (depth-wise: plane c·nOut + o takes bias[o][c]).
fn plane_bias<T: Real>(what: &str, kind: Kind, bias: &Tensor, pl: &Plan) -> Result<Vec<T>> {
    let want = if kind == Kind::DepthWise { pl.n_out * pl.n_in } else { pl.n_out };
    if bias.numel() != want {
        return Err(Error::Value(format!(
            "{what}: bias of size {} should have {want} elements",
            size_string(bias.sizes())
        )));
    }
    let b = bias.to_vec::<T>()?;
    if kind != Kind::DepthWise {
        return Ok(b);
    }
    Ok((0..want).map(|q| b[(q % pl.n_out) * pl.n_in + q / pl.n_out]).collect())
}

/// `output = conv(input, weight) + bias` (full: the transposed convolution).
pub fn update_output(
    what: &str,
    kind: Kind,
    input: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    output: &mut Tensor,
    p: &Params,
) -> Result<()> {
    let mut ts = vec![input, weight];
    ts.extend(bias);
    let dtype = float_type(what, &ts)?;
    let pl = plan(what, kind, input, weight, p)?;
    crate::with_float_dtype!(dtype, what, T, {
        let x = Data::<T>::of(input)?;
        let w = Data::<T>::of(weight)?;
        let b: Option<Vec<T>> = bias.map(|b| plane_bias(what, kind, b, &pl)).transpose()?;
        with_output::<T>(output, &pl.out_sizes, |out| {
            let mut job = Job {
                shape: pl.shape,
                batch: pl.n,
                groups: pl.groups,
                rows: pl.rows,
                weight: w.ptr as *const T,
                image_src: None,
                cols_src: None,
                cols_dst: None,
                bias: None,
                image_dst: None,
                grad_weight: false,
            };
            if kind == Kind::Full {
                job.cols_src = Some(x.ptr as *const T);
                job.image_dst = Some(out);
                job.run();
                if let Some(b) = &b {
                    let len = pl.shape.image_len() / pl.n_out;
                    // SAFETY: the output holds n × nOut × len elements.
                    let o = unsafe { std::slice::from_raw_parts_mut(out, pl.n * pl.n_out * len) };
                    for (i, chunk) in o.chunks_mut(len.max(1)).enumerate() {
                        let v = b[i % pl.n_out];
                        chunk.iter_mut().for_each(|e| *e += v);
                    }
                }
            } else {
                job.image_src = Some(x.ptr as *const T);
                job.cols_dst = Some(out);
                job.bias = b.as_deref();
                job.run();
            }
            Ok(())
        })
    })
}

/// gradInput (when given) and `gradWeight += scale · ∂/∂W`, `gradBias += scale · ∂/∂b` (when
/// given) in one pass: Torch7's updateGradInput and accGradParameters, fused when both are
/// wanted so the gradOutput blocks are gathered once.
#[allow(clippy::too_many_arguments)]
pub fn backward(
    what: &str,
    kind: Kind,
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    grad_input: Option<&mut Tensor>,
    grad_weight: Option<&Tensor>,
    grad_bias: Option<&Tensor>,
    scale: f64,
    p: &Params,
) -> Result<()> {
    let mut ts = vec![input, grad_output, weight];
    ts.extend(grad_weight);
    ts.extend(grad_bias);
    let dtype = float_type(what, &ts)?;
    let pl = plan(what, kind, input, weight, p)?;
    check_grad_output(what, grad_output, &pl.out_sizes)?;
    if let Some(gw) = grad_weight {
        if gw.numel() != weight.numel() {
            return Err(Error::Value(format!(
                "{what}: gradWeight of size {} does not match the weight of size {}",
                size_string(gw.sizes()),
                size_string(weight.sizes())
            )));
        }
    }
    crate::with_float_dtype!(dtype, what, T, {
        let x = Data::<T>::of(input)?;
        let w = Data::<T>::of(weight)?;
        let go = Data::<T>::of(grad_output)?;
        let mut job = Job {
            shape: pl.shape,
            batch: pl.n,
            groups: pl.groups,
            rows: pl.rows,
            weight: w.ptr as *const T,
            image_src: None,
            cols_src: None,
            cols_dst: None,
            bias: None,
            image_dst: None,
            grad_weight: grad_weight.is_some(),
        };
        let in_sizes = input.sizes().to_vec();
        let mut run = |gi: Option<*mut T>| -> Vec<T> {
            if kind == Kind::Full {
                job.image_src = Some(go.ptr as *const T);
                job.cols_dst = gi;
                if grad_weight.is_some() {
                    job.cols_src = Some(x.ptr as *const T);
                }
            } else {
                job.cols_src = Some(go.ptr as *const T);
                job.image_dst = gi;
                if grad_weight.is_some() {
                    job.image_src = Some(x.ptr as *const T);
                }
            }
            if gi.is_none() && grad_weight.is_none() {
                return Vec::new();
            }
            job.run()
        };
        let mut gw_delta = Vec::new();
        match grad_input {
            Some(gi) => with_output::<T>(gi, &in_sizes, |ptr| {
                gw_delta = run(Some(ptr));
                Ok(())
            })?,
            None => gw_delta = run(None),
        }
        if let Some(gw) = grad_weight {
            accumulate(gw, scale, &gw_delta)?;
        }
        if let Some(gb) = grad_bias {
            let go_all = go.slice(grad_output.numel());
            let sums = if kind == Kind::Full {
                plane_sums(go_all, pl.n, pl.n_out, pl.shape.image_len() / pl.n_out)
            } else {
                let s = plane_sums(go_all, pl.n, pl.rows, pl.shape.out_len());
                if kind == Kind::DepthWise {
                    // plane c·nOut + o is bias[o][c]
                    let mut m = vec![T::zero(); s.len()];
                    for (q, v) in s.iter().enumerate() {
                        m[(q % pl.n_out) * pl.n_in + q / pl.n_out] = *v;
                    }
                    m
                } else {
                    s
                }
            };
            if gb.numel() != sums.len() {
                return Err(Error::Value(format!(
                    "{what}: gradBias of size {} should have {} elements",
                    size_string(gb.sizes()),
                    sums.len()
                )));
            }
            accumulate(gb, scale, &sums)?;
        }
        let _ = pl.batch;
        Ok(())
    })
}
