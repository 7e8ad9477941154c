//! SoftMax, LogSoftMax, SoftMin and the Spatial variants (THNN's SoftMax.c / LogSoftMax.c):
//! normalisation over the feature dim, chosen from the input's dimension as Torch7 did
//! (1-D: all; 2-D: dim 1 per row; 3-D: dim 0 per (h, w); 4-D: dim 1 per (b, h, w)).

// Column indices address several per-column arrays and pointers in lockstep.
#![allow(clippy::needless_range_loop)]

use super::real::{prepare_output, same_numel, same_type, simd, source_for, Data, Real};
use crate::cpu::index::par_range;
use crate::iter::SendPtr;
use crate::layout::size_string;
use crate::{Error, Result, Tensor};

/// Lanes larger than this many columns are cut, so the per-column scratch lives on the stack.
const COLS: usize = 128;

/// (outer, n, inner): the normalised dim has n elements at stride inner, repeated outer times.
fn geometry(what: &str, sizes: &[usize]) -> Result<(usize, usize, usize)> {
    match *sizes {
        [n] => Ok((1, n, 1)),
        [b, n] => Ok((b, n, 1)),
        [n, h, w] => Ok((1, n, h * w)),
        [b, n, h, w] => Ok((b, n, h * w)),
        _ => Err(Error::Value(format!(
            "{what}: expected a 1D, 2D, 3D or 4D tensor, got size {}",
            size_string(sizes)
        ))),
    }
}

/// Which member of the family, and the sign of the input it normalises (SoftMin: -1).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SoftMaxKind {
    pub log: bool,
    pub sign: f64,
}

/// Forward over the columns `k0..k1` of block `o`.
///
/// # Safety
/// x and y address the whole contiguous tensor of (outer, n, inner) elements; y is disjoint.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn forward_block<T: Real>(
    kind: SoftMaxKind,
    x: SendPtr<T>,
    y: SendPtr<T>,
    n: usize,
    inner: usize,
    o: usize,
    k0: usize,
    k1: usize,
) {
    let base = o * n * inner;
    let sign = T::of(kind.sign);
    let m = k1 - k0;
    let mut max = [f64::NEG_INFINITY; COLS];
    let mut sum = [0f64; COLS];
    for j in 0..n {
        let xs = x.at(base + j * inner + k0) as *const T;
        for c in 0..m {
            let v = (sign * *xs.add(c)).to_f64();
            if v > max[c] {
                max[c] = v;
            }
        }
    }
    for j in 0..n {
        let (xs, ys) = (x.at(base + j * inner + k0) as *const T, y.at(base + j * inner + k0));
        for c in 0..m {
            let z = (sign * *xs.add(c) - T::of(max[c])).exp();
            sum[c] += z.to_f64();
            if !kind.log {
                *ys.add(c) = z;
            }
        }
    }
    for j in 0..n {
        let (xs, ys) = (x.at(base + j * inner + k0) as *const T, y.at(base + j * inner + k0));
        for c in 0..m {
            *ys.add(c) = if kind.log {
                sign * *xs.add(c) - T::of(max[c] + sum[c].ln())
            } else {
                *ys.add(c) * T::of(1.0 / sum[c])
            };
        }
    }
}

/// Forward of one contiguous row (inner == 1): the hot path of classifiers.
///
/// # Safety
/// x and y address n elements each; y is disjoint from x.
#[inline(always)]
unsafe fn forward_row<T: Real>(kind: SoftMaxKind, x: *const T, y: *mut T, n: usize) {
    let xs = std::slice::from_raw_parts(x, n);
    let ys = std::slice::from_raw_parts_mut(y, n);
    let sign = T::of(kind.sign);
    let mut max = f64::NEG_INFINITY;
    for &v in xs {
        let v = (sign * v).to_f64();
        if v > max {
            max = v;
        }
    }
    let mx = T::of(max);
    // e^(x - max) through the engine's vectorised exp over the whole row (a per-element exp
    // here compiled to a libm fma call per multiply-add: 20x slower at 1000 classes).
    for (o, &v) in ys.iter_mut().zip(xs) {
        *o = sign * v - mx;
    }
    T::exp_in_place(ys);
    let sum: f64 = ys.iter().map(|z| z.to_f64()).sum();
    if kind.log {
        let lse = T::of(max + sum.ln());
        for (o, &v) in ys.iter_mut().zip(xs) {
            *o = sign * v - lse;
        }
    } else {
        let r = T::of(1.0 / sum);
        for o in ys.iter_mut() {
            *o = *o * r;
        }
    }
}

/// Backward of one contiguous row (inner == 1). `scratch` holds n elements.
///
/// # Safety
/// go, y and gi address n elements each; gi is go itself or disjoint from both.
#[inline(always)]
unsafe fn backward_row<T: Real>(
    kind: SoftMaxKind,
    go: *const T,
    y: *const T,
    gi: *mut T,
    n: usize,
    scratch: &mut [T],
) {
    // gi may be go itself: go is only read through the raw pointer, each element before gi's.
    let ys = std::slice::from_raw_parts(y, n);
    let sign = T::of(kind.sign);
    if kind.log {
        let s = T::of((0..n).map(|i| (*go.add(i)).to_f64()).sum::<f64>());
        scratch.copy_from_slice(ys);
        T::exp_in_place(scratch);
        for i in 0..n {
            *gi.add(i) = sign * (*go.add(i) - scratch[i] * s);
        }
    } else {
        let s = T::of((0..n).map(|i| (*go.add(i) * ys[i]).to_f64()).sum::<f64>());
        for i in 0..n {
            *gi.add(i) = sign * (ys[i] * (*go.add(i) - s));
        }
    }
}

/// Backward over columns `k0..k1` of block `o`: SoftMax `gi = y (go - Σ go y)`, LogSoftMax
/// `gi = go - e^y Σ go`, times the sign.
///
/// # Safety
/// go, y and gi address the whole tensor; gi is go itself or disjoint from both.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
unsafe fn backward_block<T: Real>(
    kind: SoftMaxKind,
    go: SendPtr<T>,
    y: SendPtr<T>,
    gi: SendPtr<T>,
    n: usize,
    inner: usize,
    o: usize,
    k0: usize,
    k1: usize,
) {
    let base = o * n * inner;
    let m = k1 - k0;
    let mut sum = [0f64; COLS];
    for j in 0..n {
        let off = base + j * inner + k0;
        let (gs, ys) = (go.at(off) as *const T, y.at(off) as *const T);
        for c in 0..m {
            sum[c] += if kind.log { (*gs.add(c)).to_f64() } else { (*gs.add(c) * *ys.add(c)).to_f64() };
        }
    }
    let sign = T::of(kind.sign);
    for j in 0..n {
        let off = base + j * inner + k0;
        let (gs, ys, gis) = (go.at(off) as *const T, y.at(off) as *const T, gi.at(off));
        for c in 0..m {
            let (g, v, s) = (*gs.add(c), *ys.add(c), T::of(sum[c]));
            *gis.add(c) = sign * if kind.log { g - v.exp() * s } else { v * (g - s) };
        }
    }
}

/// Calls `f(o, k0, k1)` over every block of columns, split across the pool for big inputs.
fn for_blocks(outer: usize, n: usize, inner: usize, f: impl Fn(usize, usize, usize) + Sync) {
    let per = inner.div_ceil(COLS).max(1);
    par_range(outer * per, n * inner.min(COLS) * 8, |r| {
        simd(|| {
            for b in r {
                let (o, c) = (b / per, b % per);
                let k0 = c * COLS;
                f(o, k0, (k0 + COLS).min(inner));
            }
        })
    });
}

/// `output = (log)softmax(sign * input)` over the feature dim.
pub fn softmax_update_output(
    what: &str,
    kind: SoftMaxKind,
    input: &Tensor,
    output: &mut Tensor,
) -> Result<()> {
    let (outer, n, inner) = geometry(what, input.sizes())?;
    let dtype = input.dtype();
    crate::with_float_dtype!(dtype, what, T, {
        prepare_output(output, dtype, input.sizes(), &[input])?;
        let src = source_for(input, output)?;
        let (x, y) = (Data::<T>::of(&src)?, Data::<T>::of(output)?);
        let (xp, yp) = (x.ptr, y.ptr);
        if inner == 1 {
            par_range(outer, n * 8, |r| {
                simd(|| {
                    for o in r {
                        // SAFETY: row o lies inside both tensors; y is disjoint from x.
                        unsafe { forward_row(kind, xp.at(o * n) as *const T, yp.at(o * n), n) }
                    }
                })
            });
        } else {
            // SAFETY: blocks are disjoint column ranges of the tensors held by x and y.
            for_blocks(outer, n, inner, |o, k0, k1| unsafe {
                forward_block(kind, xp, yp, n, inner, o, k0, k1)
            });
        }
    });
    Ok(())
}

/// Gradient of `softmax_update_output` from gradOutput and the saved output.
pub fn softmax_update_grad_input(
    what: &str,
    kind: SoftMaxKind,
    input: &Tensor,
    grad_output: &Tensor,
    output: &Tensor,
    grad_input: &mut Tensor,
) -> Result<()> {
    let (outer, n, inner) = geometry(what, input.sizes())?;
    let dtype = input.dtype();
    same_numel(what, input, grad_output)?;
    same_numel(what, input, output)?;
    same_type(what, "gradOutput", grad_output, dtype)?;
    same_type(what, "output", output, dtype)?;
    crate::with_float_dtype!(dtype, what, T, {
        prepare_output(grad_input, dtype, input.sizes(), &[grad_output, output])?;
        let (g, y) = (source_for(grad_output, grad_input)?, source_for(output, grad_input)?);
        let (g, y, gi) = (Data::<T>::of(&g)?, Data::<T>::of(&y)?, Data::<T>::of(grad_input)?);
        let (gp, yp, gip) = (g.ptr, y.ptr, gi.ptr);
        if inner == 1 {
            par_range(outer, n * 8, |r| {
                let mut scratch = vec![T::ZERO; n];
                simd(|| {
                    for o in r {
                        // SAFETY: row o lies inside the three tensors; gi is go or disjoint.
                        unsafe {
                            backward_row(
                                kind,
                                gp.at(o * n) as *const T,
                                yp.at(o * n) as *const T,
                                gip.at(o * n),
                                n,
                                &mut scratch,
                            )
                        }
                    }
                })
            });
        } else {
            // SAFETY: blocks are disjoint column ranges of the three tensors; gi is disjoint.
            for_blocks(outer, n, inner, |o, k0, k1| unsafe {
                backward_block(kind, gp, yp, gip, n, inner, o, k0, k1)
            });
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DType;

    #[test]
    fn log_softmax_rows_and_channels() {
        let x = Tensor::from_slice(&[1.0, 2.0, 3.0, 0.0, 0.0, 0.0], &[2, 3]).unwrap();
        let mut y = Tensor::empty(DType::Double);
        softmax_update_output("nn.LogSoftMax", SoftMaxKind { log: true, sign: 1.0 }, &x, &mut y).unwrap();
        let v = y.to_vec::<f64>().unwrap();
        let lse = (1f64.exp() + 2f64.exp() + 3f64.exp()).ln();
        assert!((v[0] - (1.0 - lse)).abs() < 1e-15 && (v[3] + 3f64.ln()).abs() < 1e-15);
        // 3-D: over dim 0 at each location.
        let x3 = Tensor::from_slice(&[0.0, 1.0, 0.0, 1.0], &[2, 2, 1]).unwrap();
        softmax_update_output("nn.SoftMax", SoftMaxKind { log: false, sign: 1.0 }, &x3, &mut y).unwrap();
        assert_eq!(y.to_vec::<f64>().unwrap(), vec![0.5, 0.5, 0.5, 0.5]);
        let x5 = Tensor::zeros(DType::Double, &[1, 1, 1, 1, 2]).unwrap();
        assert!(
            softmax_update_output("nn.SoftMax", SoftMaxKind { log: false, sign: 1.0 }, &x5, &mut y).is_err()
        );
    }
}
