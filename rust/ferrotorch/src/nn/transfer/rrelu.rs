//! The rectifiers with a slope of their own: PReLU (a learnt slope, shared or one per channel)
//! and RReLU (a random slope per element while training), as THNN computed them.

use super::real::{map2, prepare_output, same_numel, same_type, source_for, Data, Real};
use crate::cpu::index::par_range;
use crate::layout::size_string;
use crate::{Element, Error, Generator, Result, Tensor};

/// (bs, planes, ks) of PReLU's per-channel layout: channels on dim 0 of a vector, else dim 1.
fn prelu_geometry(input: &Tensor, planes: usize) -> Result<(usize, usize)> {
    let sizes = input.sizes();
    let ch = usize::from(sizes.len() > 1);
    if sizes.get(ch) != Some(&planes) {
        return Err(Error::Value(format!(
            "nn.PReLU: expected {planes} input planes on dim {ch}, got an input of size {}",
            size_string(sizes)
        )));
    }
    let bs = if sizes.len() > 1 { sizes[0] } else { 1 };
    let ks = sizes.iter().skip(2).product::<usize>();
    Ok((bs, ks))
}

fn check_weight(weight: &Tensor, planes: usize, dtype: crate::DType) -> Result<()> {
    same_type("nn.PReLU", "weight", weight, dtype)?;
    if weight.numel() != planes.max(1) {
        return Err(Error::Value(format!(
            "nn.PReLU: weight of size {} for nOutputPlane = {planes}",
            size_string(weight.sizes())
        )));
    }
    Ok(())
}

/// `y = x > 0 ? x : w_c x` with `w` one shared value (nOutputPlane 0) or one per channel.
pub fn prelu_update_output(
    input: &Tensor,
    weight: &Tensor,
    planes: usize,
    output: &mut Tensor,
) -> Result<()> {
    let dtype = input.dtype();
    check_weight(weight, planes, dtype)?;
    let (bs, ks) = if planes == 0 { (1, input.numel()) } else { prelu_geometry(input, planes)? };
    crate::with_float_dtype!(dtype, "nn.PReLU", T, {
        prepare_output(output, dtype, input.sizes(), &[input])?;
        let (src, w) = (source_for(input, output)?, weight.contiguous()?);
        let (x, y, w) = (Data::<T>::of(&src)?, Data::<T>::of(output)?, Data::<T>::of(&w)?);
        let (xp, yp, ws) = (x.ptr, y.ptr, w.slice());
        let planes = planes.max(1);
        par_range(bs * planes, ks, |r| {
            for p in r {
                let a = ws[p % planes];
                // SAFETY: plane p covers elements p*ks .. (p+1)*ks of both contiguous tensors.
                unsafe {
                    let (xs, ys) = (xp.at(p * ks) as *const T, yp.at(p * ks));
                    for k in 0..ks {
                        let v = *xs.add(k);
                        *ys.add(k) = if v > T::ZERO { v } else { a * v };
                    }
                }
            }
        });
    });
    Ok(())
}

/// `gi = x > 0 ? go : w_c go`.
pub fn prelu_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    weight: &Tensor,
    planes: usize,
    grad_input: &mut Tensor,
) -> Result<()> {
    let dtype = input.dtype();
    check_weight(weight, planes, dtype)?;
    same_numel("nn.PReLU", input, grad_output)?;
    same_type("nn.PReLU", "gradOutput", grad_output, dtype)?;
    let (bs, ks) = if planes == 0 { (1, input.numel()) } else { prelu_geometry(input, planes)? };
    crate::with_float_dtype!(dtype, "nn.PReLU", T, {
        prepare_output(grad_input, dtype, input.sizes(), &[input, grad_output])?;
        let (x, g, w) =
            (source_for(input, grad_input)?, source_for(grad_output, grad_input)?, weight.contiguous()?);
        let (x, g, gi, w) =
            (Data::<T>::of(&x)?, Data::<T>::of(&g)?, Data::<T>::of(grad_input)?, Data::<T>::of(&w)?);
        let (xp, gp, gip, ws) = (x.ptr, g.ptr, gi.ptr, w.slice());
        let planes = planes.max(1);
        par_range(bs * planes, ks, |r| {
            for p in r {
                let a = ws[p % planes];
                // SAFETY: as in prelu_update_output; gi is disjoint from x and go.
                unsafe {
                    let (xs, gs, gis) =
                        (xp.at(p * ks) as *const T, gp.at(p * ks) as *const T, gip.at(p * ks));
                    for k in 0..ks {
                        let gv = *gs.add(k);
                        *gis.add(k) = if *xs.add(k) > T::ZERO { gv } else { a * gv };
                    }
                }
            }
        });
    });
    Ok(())
}

/// `gradWeight_c += scale Σ_{x <= 0} go x` over the elements of channel c (or all of them).
pub fn prelu_acc_grad_parameters(
    input: &Tensor,
    grad_output: &Tensor,
    grad_weight: &Tensor,
    planes: usize,
    scale: f64,
) -> Result<()> {
    let dtype = input.dtype();
    check_weight(grad_weight, planes, dtype)?;
    same_numel("nn.PReLU", input, grad_output)?;
    same_type("nn.PReLU", "gradOutput", grad_output, dtype)?;
    let (bs, ks) = if planes == 0 { (1, input.numel()) } else { prelu_geometry(input, planes)? };
    let planes = planes.max(1);
    crate::with_float_dtype!(dtype, "nn.PReLU", T, {
        let (x, g) = (input.contiguous()?, grad_output.contiguous()?);
        let (x, g) = (Data::<T>::of(&x)?, Data::<T>::of(&g)?);
        let (xs, gs) = (x.slice(), g.slice());
        let mut sums = vec![0f64; planes];
        for p in 0..bs * planes {
            let range = p * ks..(p + 1) * ks;
            let s: f64 = xs[range.clone()]
                .iter()
                .zip(&gs[range])
                .map(|(&v, &gv)| if v <= T::ZERO { (v * gv).to_f64() } else { 0.0 })
                .sum();
            sums[p % planes] += s;
        }
        let gw = grad_weight.contiguous()?;
        let mut vals = gw.to_vec::<T>()?;
        for (v, s) in vals.iter_mut().zip(&sums) {
            *v += T::of(scale * s);
        }
        grad_weight.copy_(&Tensor::from_slice(&vals, grad_weight.sizes())?)?;
    });
    Ok(())
}

/// RReLU forward. Training: each element `x <= 0` draws `r ~ U(lower, upper)` from `gen` in
/// element order (Torch7's draws, one per such element), `y = r x`, `noise = r` (1 elsewhere).
/// Evaluate: slope `(lower + upper) / 2`. In-place: `input` is transformed, `output` views it.
#[allow(clippy::too_many_arguments)]
pub fn rrelu_update_output(
    input: &Tensor,
    output: &mut Tensor,
    noise: &mut Tensor,
    lower: f64,
    upper: f64,
    train: bool,
    inplace: bool,
    gen: &mut Generator,
) -> Result<()> {
    let dtype = input.dtype();
    crate::with_float_dtype!(dtype, "nn.RReLU", T, {
        let work = if inplace {
            input.contiguous()?
        } else {
            prepare_output(output, dtype, input.sizes(), &[input])?;
            output.copy_(input)?;
            output.clone()
        };
        if inplace {
            input.check_writable("nn.RReLU")?;
        }
        let y = Data::<T>::of(&work)?;
        // SAFETY: `work` is contiguous, held by `y`, and nobody else writes to it here.
        let ys = unsafe { std::slice::from_raw_parts_mut(y.ptr.0, y.len) };
        if train {
            prepare_output(noise, dtype, input.sizes(), &[input, &work])?;
            let nz = Data::<T>::of(noise)?;
            // SAFETY: noise is a fresh or disjoint contiguous tensor of the same length.
            let ns = unsafe { std::slice::from_raw_parts_mut(nz.ptr.0, nz.len) };
            for (v, r) in ys.iter_mut().zip(ns.iter_mut()) {
                if *v <= T::ZERO {
                    let u = T::of(gen.uniform(lower, upper));
                    *v *= u;
                    *r = u;
                } else {
                    *r = T::ONE;
                }
            }
        } else {
            let slope = T::of((lower + upper) / 2.0);
            for v in ys.iter_mut() {
                if *v <= T::ZERO {
                    *v *= slope;
                }
            }
        }
        drop(y);
        if inplace {
            if !work.is_set_to(input) && !super::real::same_data(&work, input) {
                input.copy_(&work)?;
            }
            output.set_(input);
        }
    });
    Ok(())
}

/// RReLU backward: `gi = go * noise` after a training forward (unless upper - lower <= 1e-6),
/// else `gi = x <= 0 ? go slope : go`.
#[allow(clippy::too_many_arguments)]
pub fn rrelu_update_grad_input(
    input: &Tensor,
    grad_output: &Tensor,
    grad_input: &mut Tensor,
    noise: &Tensor,
    lower: f64,
    upper: f64,
    train: bool,
    inplace: bool,
) -> Result<()> {
    let dtype = input.dtype();
    same_numel("nn.RReLU", input, grad_output)?;
    same_type("nn.RReLU", "gradOutput", grad_output, dtype)?;
    let use_noise = train && upper - lower > 1e-6;
    if use_noise {
        same_numel("nn.RReLU", input, noise)?;
    }
    let saved = if use_noise { noise } else { input };
    crate::with_float_dtype!(dtype, "nn.RReLU", T, {
        prepare_output(grad_input, dtype, input.sizes(), &[grad_output, saved])?;
        let (g, s) = (source_for(grad_output, grad_input)?, source_for(saved, grad_input)?);
        let (g, s, gi) = (Data::<T>::of(&g)?, Data::<T>::of(&s)?, Data::<T>::of(grad_input)?);
        let slope = T::of((lower + upper) / 2.0);
        // SAFETY: gi is fresh or disjoint from both contiguous sources of equal length.
        unsafe {
            if use_noise {
                map2(gi.ptr, g.ptr, s.ptr, g.len, 1, |g: T, r: T| g * r);
            } else {
                map2(
                    gi.ptr,
                    g.ptr,
                    s.ptr,
                    g.len,
                    1,
                    move |g: T, x: T| if x <= T::ZERO { g * slope } else { g },
                );
            }
        }
        drop(gi);
        if inplace {
            grad_output.copy_(grad_input)?;
            grad_input.set_(grad_output);
        }
    });
    Ok(())
}
