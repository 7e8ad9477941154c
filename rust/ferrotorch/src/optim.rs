//! Fused update kernels of the optim package (Torch7's optim/*.lua first-order rules).
//!
//! Torch7 wrote each update as a chain of tensor operations (`m:mul(beta1):add(1-beta1, g)`,
//! `denom:copy(v):sqrt():add(eps)`, `x:addcdiv(-step, m, denom)`, ...), one pass over memory
//! each. Here each rule is one pass: every element of x, the gradient and the state buffers is
//! read and written once. The arithmetic is Torch7's, operation by operation and in its order
//! (TH's `addcmul` is `t + (value*t1)*t2`, `addcdiv` is `t + (value*t1)/t2`; scalars are cast to
//! the tensor's type first), so results equal the tensor-op path's to the last bit. Side
//! effects Torch7 had on the caller's gradient (weight decay added into it, nesterov's
//! look-ahead, rprop's zeroing) are kept.
//!
//! Operands must be contiguous tensors of one floating type with equal element counts, in
//! memory that does not overlap (ValueError / TypeError otherwise, before anything is written).

use std::ops::{Add, Div, Mul, Neg, Range, Sub};

use rayon::prelude::*;

use crate::cpu::PARALLEL_GRAIN;
use crate::layout::size_string;
use crate::storage::StorageView;
use crate::{parallel, DType, Element, Error, Result, Tensor};

/// The float arithmetic the rules use (f32 and f64).
pub trait Real:
    Element
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    /// A Python number as this type (Torch7 cast its scalar arguments to `real` the same way).
    fn of(v: f64) -> Self;
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
}

impl Real for f32 {
    const ZERO: f32 = 0.0;
    const ONE: f32 = 1.0;
    fn of(v: f64) -> f32 {
        v as f32
    }
    fn sqrt(self) -> f32 {
        f32::sqrt(self)
    }
    fn abs(self) -> f32 {
        f32::abs(self)
    }
}

impl Real for f64 {
    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;
    fn of(v: f64) -> f64 {
        v
    }
    fn sqrt(self) -> f64 {
        f64::sqrt(self)
    }
    fn abs(self) -> f64 {
        f64::abs(self)
    }
}

/// TH's sign: 1 above 0, -1 below, 0 for 0 and NaN.
fn sign<T: Real>(v: T) -> T {
    if v > T::ZERO {
        T::ONE
    } else if v < T::ZERO {
        -T::ONE
    } else {
        T::ZERO
    }
}

/// Element 0 of one checked operand.
#[derive(Clone, Copy)]
struct Base<T>(*mut T);

// SAFETY: a Base is only turned into slices of disjoint element ranges (one chunk per task) of
// operands checked not to overlap, while the operands' StorageViews keep the blocks alive.
unsafe impl<T> Send for Base<T> {}
unsafe impl<T> Sync for Base<T> {}

impl<T> Base<T> {
    /// The elements `r` of the operand.
    ///
    /// # Safety
    /// `r` lies inside the operand, and no other reference to those elements is alive while the
    /// slice is.
    unsafe fn slice<'a>(self, r: &Range<usize>) -> &'a mut [T] {
        // SAFETY: forwarded to the caller (see above).
        unsafe { std::slice::from_raw_parts_mut(self.0.add(r.start), r.len()) }
    }
}

/// Checks the operands of `what` (same type as the first, contiguous, same element count,
/// disjoint memory) and returns the views that keep their blocks alive, their element 0 and
/// the element count.
fn operands<T: Real, const K: usize>(
    what: &str,
    ts: [&Tensor; K],
) -> Result<([StorageView; K], [Base<T>; K], usize)> {
    let n = ts[0].numel();
    for (k, t) in ts.iter().enumerate() {
        if t.dtype() != T::DTYPE {
            return Err(Error::Type(format!(
                "{what}: operand {k} is a {:?} tensor, the parameters are {:?}",
                t.dtype(),
                T::DTYPE
            )));
        }
        if !t.is_contiguous() || t.numel() != n {
            return Err(Error::Value(format!(
                "{what}: operand {k} (size {}) must be contiguous with the {n} elements of the \
                 parameters",
                size_string(t.sizes())
            )));
        }
        t.check_writable(what)?;
    }
    let mut views = Vec::with_capacity(K);
    for t in ts {
        views.push(t.checked_view()?);
    }
    let bases: [Base<T>; K] = std::array::from_fn(|k| {
        // SAFETY: checked_view verified that the tensor's elements lie in the block, so its
        // offset stays inside the allocation.
        Base(unsafe { views[k].base::<T>().add(ts[k].storage_offset()) })
    });
    let bytes = n * std::mem::size_of::<T>();
    for a in 0..K {
        for b in a + 1..K {
            let (pa, pb) = (bases[a].0 as usize, bases[b].0 as usize);
            if n > 0 && pa < pb + bytes && pb < pa + bytes {
                return Err(Error::Value(format!(
                    "{what}: operands {a} and {b} share memory; the fused update needs separate \
                     tensors"
                )));
            }
        }
    }
    let views: [StorageView; K] = views.try_into().unwrap_or_else(|_| unreachable!());
    Ok((views, bases, n))
}

/// Runs `body` on the operands' slices, split into chunks over the kernel threads.
fn apply<T: Real, const K: usize>(n: usize, bases: [Base<T>; K], body: impl Fn([&mut [T]; K]) + Sync) {
    let threads = parallel::num_threads();
    let chunk = PARALLEL_GRAIN.max(n.div_ceil(threads * 4));
    let run = |r: Range<usize>| {
        // SAFETY: r lies inside every operand (0..n), chunks are disjoint and the operands
        // do not overlap (checked by `operands`), so the slices alias nothing.
        body(bases.map(|b| unsafe { b.slice(&r) }))
    };
    if n >= 2 * PARALLEL_GRAIN && threads > 1 {
        let tasks = n.div_ceil(chunk);
        parallel::install(|| {
            (0..tasks).into_par_iter().for_each(|t| run(t * chunk..((t + 1) * chunk).min(n)))
        });
    } else {
        run(0..n);
    }
}

/// Calls `$f::<f32>` or `$f::<f64>` after the parameters' type.
macro_rules! floats {
    ($what:expr, $x:expr, $f:ident($($arg:expr),*)) => {
        match $x.dtype() {
            DType::Float => $f::<f32>($($arg),*),
            DType::Double => $f::<f64>($($arg),*),
            other => Err(Error::Type(format!(
                "{}: parameters must be a Float or Double tensor, got {other:?}",
                $what
            ))),
        }
    };
}

/// Expands `$body` twice, with `$flag` bound to the literal `true` in one copy and `false` in
/// the other: each copy's loop is compiled without the per-element test (and vectorises).
macro_rules! unswitch {
    ($flag:ident, $body:expr) => {
        if $flag {
            let $flag = true;
            $body
        } else {
            let $flag = false;
            $body
        }
    };
}

/// `g + wd*x` (Torch7's `dfdx:add(wd, x)`), written back into g when wd is not 0.
#[inline(always)]
fn decayed<T: Real>(g: &mut T, x: T, wd: T, decay: bool) -> T {
    if decay {
        *g = *g + wd * x;
    }
    *g
}

// ------------------------------------------------------------------------------------ sgd

/// optim.sgd without momentum: `g += wd*x; x += (-clr)*g`.
pub fn sgd(x: &Tensor, g: &Tensor, clr: f64, wd: f64) -> Result<()> {
    floats!("optim.sgd", x, sgd_t(x, g, clr, wd))
}

fn sgd_t<T: Real>(x: &Tensor, g: &Tensor, clr: f64, wd: f64) -> Result<()> {
    let (_views, b, n) = operands::<T, 2>("optim.sgd", [x, g])?;
    let (step, wd_t, decay) = (T::of(-clr), T::of(wd), wd != 0.0);
    apply(n, b, |[x, g]| {
        let g = &mut g[..x.len()];
        unswitch!(decay, {
            for i in 0..x.len() {
                let gi = decayed(&mut g[i], x[i], wd_t, decay);
                x[i] = x[i] + step * gi;
            }
        });
    });
    Ok(())
}

/// optim.sgd with momentum after its first call: `g += wd*x; buf = buf*mom + (1-damp)*g`;
/// nesterov: `g += mom*buf` and the step uses g, else buf; `x += (-clr)*step`.
#[allow(clippy::too_many_arguments)]
pub fn sgd_momentum(
    x: &Tensor,
    g: &Tensor,
    buf: &Tensor,
    clr: f64,
    wd: f64,
    mom: f64,
    one_minus_damp: f64,
    nesterov: bool,
) -> Result<()> {
    floats!("optim.sgd", x, sgd_momentum_t(x, g, buf, clr, wd, mom, one_minus_damp, nesterov))
}

#[allow(clippy::too_many_arguments)]
fn sgd_momentum_t<T: Real>(
    x: &Tensor,
    g: &Tensor,
    buf: &Tensor,
    clr: f64,
    wd: f64,
    mom: f64,
    one_minus_damp: f64,
    nesterov: bool,
) -> Result<()> {
    let (_views, b, n) = operands::<T, 3>("optim.sgd", [x, g, buf])?;
    let (step, wd_t, decay) = (T::of(-clr), T::of(wd), wd != 0.0);
    let (mom, omd) = (T::of(mom), T::of(one_minus_damp));
    apply(n, b, |[x, g, buf]| {
        let (g, buf) = (&mut g[..x.len()], &mut buf[..x.len()]);
        unswitch!(decay, {
            unswitch!(nesterov, {
                for i in 0..x.len() {
                    let gi = decayed(&mut g[i], x[i], wd_t, decay);
                    let bi = buf[i] * mom + omd * gi;
                    buf[i] = bi;
                    let d = if nesterov {
                        g[i] = gi + mom * bi;
                        g[i]
                    } else {
                        bi
                    };
                    x[i] = x[i] + step * d;
                }
            })
        });
    });
    Ok(())
}

/// optim.nag after its first call (x already moved along buf): `g += wd*x; buf *= mom;
/// x += (-clr)*g; buf += (-clr)*g`.
pub fn nag(x: &Tensor, g: &Tensor, buf: &Tensor, clr: f64, wd: f64, mom: f64) -> Result<()> {
    floats!("optim.nag", x, nag_t(x, g, buf, clr, wd, mom))
}

fn nag_t<T: Real>(x: &Tensor, g: &Tensor, buf: &Tensor, clr: f64, wd: f64, mom: f64) -> Result<()> {
    let (_views, b, n) = operands::<T, 3>("optim.nag", [x, g, buf])?;
    let (step, wd_t, decay, mom) = (T::of(-clr), T::of(wd), wd != 0.0, T::of(mom));
    apply(n, b, |[x, g, buf]| {
        let (g, buf) = (&mut g[..x.len()], &mut buf[..x.len()]);
        unswitch!(decay, {
            for i in 0..x.len() {
                let gi = decayed(&mut g[i], x[i], wd_t, decay);
                x[i] = x[i] + step * gi;
                buf[i] = buf[i] * mom + step * gi;
            }
        });
    });
    Ok(())
}

/// optim.asgd: `x = x*decay + (-eta)*g`, then `ax = x` when mu is 1, else
/// `tmp = (x - ax)*mu; ax += tmp`.
#[allow(clippy::too_many_arguments)]
pub fn asgd(x: &Tensor, g: &Tensor, ax: &Tensor, tmp: &Tensor, decay: f64, eta: f64, mu: f64) -> Result<()> {
    floats!("optim.asgd", x, asgd_t(x, g, ax, tmp, decay, eta, mu))
}

fn asgd_t<T: Real>(
    x: &Tensor,
    g: &Tensor,
    ax: &Tensor,
    tmp: &Tensor,
    decay: f64,
    eta: f64,
    mu: f64,
) -> Result<()> {
    let (_views, b, n) = operands::<T, 4>("optim.asgd", [x, g, ax, tmp])?;
    let (decay, step, average, mu) = (T::of(decay), T::of(-eta), mu != 1.0, T::of(mu));
    apply(n, b, |[x, g, ax, tmp]| {
        let (g, ax, tmp) = (&g[..x.len()], &mut ax[..x.len()], &mut tmp[..x.len()]);
        unswitch!(average, {
            for i in 0..x.len() {
                let xi = x[i] * decay + step * g[i];
                x[i] = xi;
                if average {
                    let t = (xi - ax[i]) * mu;
                    tmp[i] = t;
                    ax[i] = ax[i] + t;
                } else {
                    ax[i] = xi;
                }
            }
        });
    });
    Ok(())
}

// ------------------------------------------------------------------------ adaptive rates

/// optim.adagrad: `g += wd*x; var += g*g; std = sqrt(var) + 1e-10; x += (-clr*g)/std`.
pub fn adagrad(x: &Tensor, g: &Tensor, var: &Tensor, std: &Tensor, clr: f64, wd: f64) -> Result<()> {
    floats!("optim.adagrad", x, adagrad_t(x, g, var, std, clr, wd))
}

fn adagrad_t<T: Real>(x: &Tensor, g: &Tensor, var: &Tensor, std: &Tensor, clr: f64, wd: f64) -> Result<()> {
    let (_views, b, n) = operands::<T, 4>("optim.adagrad", [x, g, var, std])?;
    let (step, wd_t, decay, eps) = (T::of(-clr), T::of(wd), wd != 0.0, T::of(1e-10));
    apply(n, b, |[x, g, var, std]| {
        let (g, var, std) = (&mut g[..x.len()], &mut var[..x.len()], &mut std[..x.len()]);
        unswitch!(decay, {
            for i in 0..x.len() {
                let gi = decayed(&mut g[i], x[i], wd_t, decay);
                let v = var[i] + T::ONE * gi * gi;
                var[i] = v;
                let s = v.sqrt() + eps;
                std[i] = s;
                x[i] = x[i] + step * gi / s;
            }
        });
    });
    Ok(())
}

/// optim.adadelta: `var = var*rho + (1-rho)*g*g; std = sqrt(var + eps);
/// delta = sqrt(acc + eps)/std*g; x -= delta; acc = acc*rho + (1-rho)*delta*delta`.
#[allow(clippy::too_many_arguments)]
pub fn adadelta(
    x: &Tensor,
    g: &Tensor,
    var: &Tensor,
    std: &Tensor,
    delta: &Tensor,
    acc: &Tensor,
    rho: f64,
    eps: f64,
    wd: f64,
) -> Result<()> {
    floats!("optim.adadelta", x, adadelta_t(x, g, var, std, delta, acc, rho, eps, wd))
}

#[allow(clippy::too_many_arguments)]
fn adadelta_t<T: Real>(
    x: &Tensor,
    g: &Tensor,
    var: &Tensor,
    std: &Tensor,
    delta: &Tensor,
    acc: &Tensor,
    rho: f64,
    eps: f64,
    wd: f64,
) -> Result<()> {
    let (_views, b, n) = operands::<T, 6>("optim.adadelta", [x, g, var, std, delta, acc])?;
    let (wd_t, decay) = (T::of(wd), wd != 0.0);
    let (rho_t, one_minus_rho, eps) = (T::of(rho), T::of(1.0 - rho), T::of(eps));
    apply(n, b, |[x, g, var, std, delta, acc]| {
        let n = x.len();
        let (g, var, std) = (&mut g[..n], &mut var[..n], &mut std[..n]);
        let (delta, acc) = (&mut delta[..n], &mut acc[..n]);
        unswitch!(decay, {
            for i in 0..n {
                let gi = decayed(&mut g[i], x[i], wd_t, decay);
                let v = var[i] * rho_t + one_minus_rho * gi * gi;
                var[i] = v;
                let s = (v + eps).sqrt();
                std[i] = s;
                let d = (acc[i] + eps).sqrt() / s * gi;
                delta[i] = d;
                x[i] = x[i] + -T::ONE * d;
                acc[i] = acc[i] * rho_t + one_minus_rho * d * d;
            }
        });
    });
    Ok(())
}

/// optim.adam: `m = m*b1 + (1-b1)*g; v = v*b2 + (1-b2)*g*g; denom = sqrt(v) + eps;
/// x += (-step*m)/denom` (step carries the learning rate and both bias corrections).
#[allow(clippy::too_many_arguments)]
pub fn adam(
    x: &Tensor,
    g: &Tensor,
    m: &Tensor,
    v: &Tensor,
    denom: &Tensor,
    step: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    wd: f64,
) -> Result<()> {
    floats!("optim.adam", x, adam_t(x, g, m, v, denom, step, beta1, beta2, eps, wd))
}

#[allow(clippy::too_many_arguments)]
fn adam_t<T: Real>(
    x: &Tensor,
    g: &Tensor,
    m: &Tensor,
    v: &Tensor,
    denom: &Tensor,
    step: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    wd: f64,
) -> Result<()> {
    let (_views, b, n) = operands::<T, 5>("optim.adam", [x, g, m, v, denom])?;
    let (step, wd_t, decay, eps) = (T::of(-step), T::of(wd), wd != 0.0, T::of(eps));
    let (b1, c1, b2, c2) = (T::of(beta1), T::of(1.0 - beta1), T::of(beta2), T::of(1.0 - beta2));
    apply(n, b, |[x, g, m, v, denom]| {
        let n = x.len();
        let (g, m, v, denom) = (&mut g[..n], &mut m[..n], &mut v[..n], &mut denom[..n]);
        unswitch!(decay, {
            for i in 0..n {
                let gi = decayed(&mut g[i], x[i], wd_t, decay);
                let mi = m[i] * b1 + c1 * gi;
                m[i] = mi;
                let vi = v[i] * b2 + c2 * gi * gi;
                v[i] = vi;
                let d = vi.sqrt() + eps;
                denom[i] = d;
                x[i] = x[i] + step * mi / d;
            }
        });
    });
    Ok(())
}

/// optim.adamax: `m = m*b1 + (1-b1)*g; u = max(u*b2, |g| + eps); x += (-step*m)/u`.
#[allow(clippy::too_many_arguments)]
pub fn adamax(
    x: &Tensor,
    g: &Tensor,
    m: &Tensor,
    u: &Tensor,
    step: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    wd: f64,
) -> Result<()> {
    floats!("optim.adamax", x, adamax_t(x, g, m, u, step, beta1, beta2, eps, wd))
}

#[allow(clippy::too_many_arguments)]
fn adamax_t<T: Real>(
    x: &Tensor,
    g: &Tensor,
    m: &Tensor,
    u: &Tensor,
    step: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    wd: f64,
) -> Result<()> {
    let (_views, b, n) = operands::<T, 4>("optim.adamax", [x, g, m, u])?;
    let (step, wd_t, decay, eps) = (T::of(-step), T::of(wd), wd != 0.0, T::of(eps));
    let (b1, c1, b2) = (T::of(beta1), T::of(1.0 - beta1), T::of(beta2));
    apply(n, b, |[x, g, m, u]| {
        let n = x.len();
        let (g, m, u) = (&mut g[..n], &mut m[..n], &mut u[..n]);
        unswitch!(decay, {
            for i in 0..n {
                let gi = decayed(&mut g[i], x[i], wd_t, decay);
                let mi = m[i] * b1 + c1 * gi;
                m[i] = mi;
                // Torch7's cmax/max order: keep u*b2 unless |g| + eps is larger
                let (a, c) = (u[i] * b2, gi.abs() + eps);
                let ui = if c > a { c } else { a };
                u[i] = ui;
                x[i] = x[i] + step * mi / ui;
            }
        });
    });
    Ok(())
}

/// optim.rmsprop: `m = m*alpha + (1-alpha)*g*g; tmp = sqrt(m) + eps; x += (-lr*g)/tmp`.
#[allow(clippy::too_many_arguments)]
pub fn rmsprop(
    x: &Tensor,
    g: &Tensor,
    m: &Tensor,
    tmp: &Tensor,
    lr: f64,
    alpha: f64,
    eps: f64,
    wd: f64,
) -> Result<()> {
    floats!("optim.rmsprop", x, rmsprop_t(x, g, m, tmp, lr, alpha, eps, wd))
}

#[allow(clippy::too_many_arguments)]
fn rmsprop_t<T: Real>(
    x: &Tensor,
    g: &Tensor,
    m: &Tensor,
    tmp: &Tensor,
    lr: f64,
    alpha: f64,
    eps: f64,
    wd: f64,
) -> Result<()> {
    let (_views, b, n) = operands::<T, 4>("optim.rmsprop", [x, g, m, tmp])?;
    let (step, wd_t, decay, eps) = (T::of(-lr), T::of(wd), wd != 0.0, T::of(eps));
    let (a, c) = (T::of(alpha), T::of(1.0 - alpha));
    apply(n, b, |[x, g, m, tmp]| {
        let n = x.len();
        let (g, m, tmp) = (&mut g[..n], &mut m[..n], &mut tmp[..n]);
        unswitch!(decay, {
            for i in 0..n {
                let gi = decayed(&mut g[i], x[i], wd_t, decay);
                let mi = m[i] * a + c * gi * gi;
                m[i] = mi;
                let t = mi.sqrt() + eps;
                tmp[i] = t;
                x[i] = x[i] + step * gi / t;
            }
        });
    });
    Ok(())
}

/// optim.rprop, one iteration: `s = sign(g*delta)`; stepsize times etaplus (s > 0) or
/// etaminus (s < 0), clipped to [min, max]; `g = 0` where s < 0; `sign = sign(g)`;
/// `x += (-sign)*stepsize`; `delta = g`.
#[allow(clippy::too_many_arguments)]
pub fn rprop(
    x: &Tensor,
    g: &Tensor,
    delta: &Tensor,
    stepsize: &Tensor,
    sign_buf: &Tensor,
    etaplus: f64,
    etaminus: f64,
    stepsizemax: f64,
    stepsizemin: f64,
) -> Result<()> {
    floats!(
        "optim.rprop",
        x,
        rprop_t(x, g, delta, stepsize, sign_buf, etaplus, etaminus, stepsizemax, stepsizemin)
    )
}

#[allow(clippy::too_many_arguments)]
fn rprop_t<T: Real>(
    x: &Tensor,
    g: &Tensor,
    delta: &Tensor,
    stepsize: &Tensor,
    sign_buf: &Tensor,
    etaplus: f64,
    etaminus: f64,
    stepsizemax: f64,
    stepsizemin: f64,
) -> Result<()> {
    let (_views, b, n) = operands::<T, 5>("optim.rprop", [x, g, delta, stepsize, sign_buf])?;
    let (up, down) = (T::of(etaplus), T::of(etaminus));
    let (hi, lo) = (T::of(stepsizemax), T::of(stepsizemin));
    apply(n, b, |[x, g, delta, steps, sgn]| {
        let n = x.len();
        let (g, delta, steps, sgn) = (&mut g[..n], &mut delta[..n], &mut steps[..n], &mut sgn[..n]);
        for i in 0..n {
            let s = sign(g[i] * delta[i]);
            let factor = if s > T::ZERO {
                up
            } else if s < T::ZERO {
                down
            } else {
                T::ONE
            };
            let mut st = steps[i] * factor;
            if st > hi {
                st = hi;
            }
            if st < lo {
                st = lo;
            }
            steps[i] = st;
            if s < T::ZERO {
                g[i] = T::ZERO;
            }
            let sg = sign(g[i]);
            sgn[i] = sg;
            x[i] = x[i] + -T::ONE * sg * st;
            delta[i] = g[i];
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests;
