//! Reductions, scans, sorting and selection on tensors (group F).
//!
//! Results along a dim keep the dim with size 1 (Torch7's rule) and are new contiguous tensors;
//! index results are 0-based Long tensors. Full reductions return a [`Scalar`]: integer types
//! accumulate in i64 (Torch7's accreal, wrapping), Float and Double in f64.

use crate::cpu::reduce::{
    self as kr, for_each_slice, Acc, DimWalk, ExtremeF, Fold, NormF, Num, ProdF, SumF, VarF,
};
use crate::cpu::sort;
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::iter::{Plan, SendPtr};
use crate::layout::{broadcast_shapes, contiguous_strides, size_string, wrap_dim, Dims};
use crate::tensor::{Scalar, Tensor};
use crate::{type_err, value_err};

/// Which reduction a `reduce_dim` / `reduce_all` call runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reduction {
    Sum,
    Prod,
    /// Float and Double only.
    Mean,
    /// p-norm (p = 0 counts non-zeros); Float and Double only.
    Norm(f64),
    /// Variance; Float and Double only.
    Var {
        biased: bool,
    },
    /// Standard deviation; Float and Double only.
    Std {
        biased: bool,
    },
}

impl Reduction {
    fn name(self) -> &'static str {
        match self {
            Reduction::Sum => "sum",
            Reduction::Prod => "prod",
            Reduction::Mean => "mean",
            Reduction::Norm(_) => "norm",
            Reduction::Var { .. } => "var",
            Reduction::Std { .. } => "std",
        }
    }
}

/// Sizes with `dim` set to `m`.
fn with_size(sizes: &[usize], d: usize, m: usize) -> Dims {
    let mut s = Dims::from_slice(sizes);
    s[d] = m;
    s
}

/// The walk along dim `d` of `x`, writing into a new contiguous tensor of `out_sizes`.
fn walk(x: &Tensor, d: usize, out_sizes: &[usize]) -> DimWalk {
    let ostr = contiguous_strides(out_sizes);
    let keep =
        |v: &[usize]| -> Dims { v.iter().enumerate().filter(|&(i, _)| i != d).map(|(_, &s)| s).collect() };
    let (mut sz, mut so, mut sx) = (keep(x.sizes()), keep(&ostr), keep(x.strides()));
    if sz.is_empty() {
        sz.push(1);
        so.push(1);
        sx.push(1);
    }
    DimWalk {
        outer: Plan::new(&sz, [0, x.storage_offset()], [&so, &sx]),
        n: x.sizes()[d],
        xs: x.strides()[d],
        os: ostr[d],
    }
}

fn need_dims(x: &Tensor, what: &str) -> Result<()> {
    if x.ndim() == 0 {
        return Err(Error::Index(format!(
            "{what}: the tensor is empty (it has no dimension), so it has no dim to reduce along"
        )));
    }
    Ok(())
}

/// Runs fold `f` along dim `d` of `x` into a new tensor (values, and indices when `with_idx`).
fn fold_dim<T: Num, F: Fold<T>>(
    x: &Tensor,
    d: usize,
    f: &F,
    with_idx: bool,
) -> Result<(Tensor, Option<Tensor>)> {
    let out_sizes = with_size(x.sizes(), d, 1);
    let out = Tensor::zeros(F::Out::DTYPE, &out_sizes)?;
    let idx = if with_idx { Some(Tensor::zeros(DType::Long, &out_sizes)?) } else { None };
    if out.numel() == 0 {
        return Ok((out, idx));
    }
    let w = walk(x, d, &out_sizes);
    let (xv, ov) = (x.checked_view()?, out.checked_view()?);
    let iv = idx.as_ref().map(|i| i.checked_view()).transpose()?;
    // SAFETY: x's layout was checked against its block; out and idx are new contiguous tensors of
    // the walk's output shape, disjoint from x.
    unsafe {
        kr::reduce_dim::<T, F>(f, xv.base::<T>(), ov.base::<F::Out>(), iv.map(|v| v.base::<i64>()), &w)
    };
    Ok((out, idx))
}

fn fold_all<T: Num, F: Fold<T>>(x: &Tensor, f: &F) -> Result<F::Acc> {
    if x.numel() == 0 {
        return Ok(f.init());
    }
    let view = x.checked_view()?;
    let plan = Plan::new(x.sizes(), [x.storage_offset()], [x.strides()]);
    // SAFETY: the layout was checked against the block the view keeps alive.
    Ok(unsafe { kr::reduce_all::<T, F>(f, view.base::<T>(), &plan) })
}

fn check_norm_p(p: f64) -> Result<()> {
    if p.is_nan() || p < 0.0 {
        return value_err!("norm: p must be >= 0, got {p}");
    }
    Ok(())
}

impl Tensor {
    /// A full reduction: sum/prod give an Int for integer types (accumulated in i64, wrapping)
    /// and a Float otherwise; mean/norm/var/std are Float and Double only and give a Float. An
    /// empty tensor sums to 0, multiplies to 1 and has a NaN mean.
    pub fn reduce_all(&self, r: Reduction) -> Result<Scalar> {
        let what = r.name();
        match r {
            Reduction::Sum => crate::with_math_dtype!(
                self.dtype(),
                what,
                T,
                Ok(fold_all::<T, _>(self, &SumF { mean: false })?.to_scalar())
            ),
            Reduction::Prod => {
                crate::with_math_dtype!(
                    self.dtype(),
                    what,
                    T,
                    Ok(fold_all::<T, _>(self, &ProdF)?.to_scalar())
                )
            }
            Reduction::Mean => crate::with_float_dtype!(self.dtype(), what, T, {
                let s = fold_all::<T, _>(self, &SumF { mean: false })?;
                Ok(Scalar::Float(s / self.numel() as f64))
            }),
            Reduction::Norm(p) => {
                check_norm_p(p)?;
                crate::with_float_dtype!(self.dtype(), what, T, {
                    let f = NormF { p };
                    Ok(Scalar::Float(f.root(fold_all::<T, _>(self, &f)?)))
                })
            }
            Reduction::Var { biased } | Reduction::Std { biased } => {
                crate::with_float_dtype!(self.dtype(), what, T, {
                    let f = VarF { biased, std: matches!(r, Reduction::Std { .. }) };
                    Ok(Scalar::Float(f.value(fold_all::<T, _>(self, &f)?)))
                })
            }
        }
    }

    /// The reduction along `dim` (negative counts from the end), kept with size 1, in a new tensor
    /// of self's type.
    pub fn reduce_dim(&self, r: Reduction, dim: i64) -> Result<Tensor> {
        let what = r.name();
        need_dims(self, what)?;
        let d = wrap_dim(dim, self.ndim())?;
        let out = match r {
            Reduction::Sum => {
                crate::with_math_dtype!(
                    self.dtype(),
                    what,
                    T,
                    fold_dim::<T, _>(self, d, &SumF { mean: false }, false)?
                )
            }
            Reduction::Prod => {
                crate::with_math_dtype!(self.dtype(), what, T, fold_dim::<T, _>(self, d, &ProdF, false)?)
            }
            Reduction::Mean => {
                crate::with_float_dtype!(
                    self.dtype(),
                    what,
                    T,
                    fold_dim::<T, _>(self, d, &SumF { mean: true }, false)?
                )
            }
            Reduction::Norm(p) => {
                check_norm_p(p)?;
                crate::with_float_dtype!(
                    self.dtype(),
                    what,
                    T,
                    fold_dim::<T, _>(self, d, &NormF { p }, false)?
                )
            }
            Reduction::Var { biased } | Reduction::Std { biased } => {
                crate::with_float_dtype!(self.dtype(), what, T, {
                    let f = VarF { biased, std: matches!(r, Reduction::Std { .. }) };
                    fold_dim::<T, _>(self, d, &f, false)?
                })
            }
        };
        Ok(out.0)
    }

    /// max (`max = true`) or min of every element; NaN wins. ValueError when empty.
    pub fn extreme_all(&self, max: bool) -> Result<Scalar> {
        let what = if max { "max" } else { "min" };
        crate::with_math_dtype!(self.dtype(), what, T, {
            if self.numel() == 0 {
                return value_err!("{what}: the tensor of size {} has no element", size_string(self.sizes()));
            }
            let (v, _) = fold_all::<T, _>(self, &ExtremeF { max, index: false })?;
            Ok(Scalar::of(v))
        })
    }

    /// (values, 0-based indices) of the max (`max = true`) or min along `dim`, kept with size 1;
    /// the first occurrence wins ties and a NaN wins over numbers.
    pub fn extreme_dim(&self, max: bool, dim: i64) -> Result<(Tensor, Tensor)> {
        let what = if max { "max" } else { "min" };
        need_dims(self, what)?;
        let d = wrap_dim(dim, self.ndim())?;
        if self.sizes()[d] == 0 {
            return value_err!(
                "{what}: dimension {d} of the tensor of size {} is empty",
                size_string(self.sizes())
            );
        }
        crate::with_math_dtype!(self.dtype(), what, T, {
            let (v, i) = fold_dim::<T, _>(self, d, &ExtremeF { max, index: true }, true)?;
            Ok((v, i.ok_or_else(|| Error::Runtime("max: no index output".into()))?))
        })
    }

    /// Running sum (`prod = false`) or product along `dim`, accumulated in accreal.
    pub fn cumulate(&self, prod: bool, dim: i64) -> Result<Tensor> {
        let what = if prod { "cumprod" } else { "cumsum" };
        need_dims(self, what)?;
        let out = Tensor::zeros(self.dtype(), self.sizes())?;
        self.cumulate_into(prod, dim, &out)?;
        Ok(out)
    }

    /// `cumulate` written into `dst` (self's type and sizes). A contiguous `dst` disjoint from
    /// self is written directly (one pass, as PyTorch's `out=`); otherwise through a temporary.
    pub fn cumulate_into(&self, prod: bool, dim: i64, dst: &Tensor) -> Result<()> {
        let what = if prod { "cumprod" } else { "cumsum" };
        need_dims(self, what)?;
        let d = wrap_dim(dim, self.ndim())?;
        if dst.dtype() != self.dtype() || dst.sizes() != self.sizes() {
            return Err(Error::Value(format!(
                "{what}: the result tensor must be a {} of size {}, got a {} of size {}",
                self.dtype().tensor_type_name(),
                size_string(self.sizes()),
                dst.dtype().tensor_type_name(),
                size_string(dst.sizes())
            )));
        }
        if dst.numel() == 0 {
            return Ok(());
        }
        if !dst.is_contiguous() || crate::ops::linalg::overlaps(self, dst) {
            let tmp = Tensor::zeros(self.dtype(), self.sizes())?;
            self.cumulate_into(prod, dim, &tmp)?;
            return dst.copy_same_shape(&tmp);
        }
        crate::with_math_dtype!(self.dtype(), what, T, {
            let mut w = walk(self, d, self.sizes());
            w.outer.offsets[0] = dst.storage_offset();
            let (xv, ov) = (self.checked_view()?, dst.checked_view()?);
            // SAFETY: x checked; dst is contiguous (the walk's output layout from its storage
            // offset), of x's shape, checked against its block and disjoint from x.
            unsafe {
                if prod {
                    kr::scan_dim::<T, _>(&ProdF, xv.base::<T>(), ov.base::<T>(), &w)
                } else {
                    kr::scan_dim::<T, _>(&SumF { mean: false }, xv.base::<T>(), ov.base::<T>(), &w)
                }
            }
            Ok(())
        })
    }

    /// Runs `g(values of one slice, out offset)` for each slice along `d`, writing `m` results per
    /// slice into new (values, indices) tensors whose dim `d` has size `m`: `g` returns positions
    /// within the slice (0-based) and they are written with their values.
    fn per_slice<T: Num>(
        &self,
        d: usize,
        m: usize,
        g: impl Fn(&[T], &mut Vec<usize>, &mut Vec<T>) + Sync,
    ) -> Result<(Tensor, Tensor)> {
        let out_sizes = with_size(self.sizes(), d, m);
        let vals = Tensor::zeros(T::DTYPE, &out_sizes)?;
        let idx = Tensor::zeros(DType::Long, &out_sizes)?;
        if vals.numel() == 0 {
            return Ok((vals, idx));
        }
        let w = walk(self, d, &out_sizes);
        let (xv, vv, iv) = (self.checked_view()?, vals.checked_view()?, idx.checked_view()?);
        let (xp, vp, ip) = (SendPtr(xv.base::<T>()), SendPtr(vv.base::<T>()), SendPtr(iv.base::<i64>()));
        let (n, xs, os) = (w.n, w.xs, w.os);
        for_each_slice(&w, |oo, ox| {
            // SAFETY: the slice's n elements are inside x (checked layout).
            let slice: Vec<T> = (0..n).map(|k| unsafe { xp.at(ox + k * xs).read() }).collect();
            let mut pos = Vec::with_capacity(m);
            let mut got = Vec::new();
            g(&slice, &mut pos, &mut got);
            for (j, &p) in pos.iter().take(m).enumerate() {
                let v = if got.is_empty() { slice[p] } else { got[j] };
                // SAFETY: j < m indexes the output slice; p < n indexes the input slice.
                unsafe {
                    vp.at(oo + j * os).write(v);
                    ip.at(oo + j * os).write(p as i64);
                }
            }
        });
        Ok((vals, idx))
    }

    /// (values, 0-based indices) sorted along `dim`, ascending unless `descending`; NaN sorts
    /// last both ways and equal values keep their order.
    pub fn sort(&self, dim: i64, descending: bool) -> Result<(Tensor, Tensor)> {
        need_dims(self, "sort")?;
        let d = wrap_dim(dim, self.ndim())?;
        let n = self.sizes()[d];
        crate::with_math_dtype!(
            self.dtype(),
            "sort",
            T,
            self.per_slice::<T>(d, n, |s, o, v| sort::sort_with_values(s, descending, o, v))
        )
    }

    /// The `k` smallest values along `dim` (the k largest when `largest`) with their 0-based
    /// indices, in sorted order (ascending for the smallest, descending for the largest).
    pub fn topk(&self, k: usize, dim: i64, largest: bool) -> Result<(Tensor, Tensor)> {
        need_dims(self, "topk")?;
        let d = wrap_dim(dim, self.ndim())?;
        let n = self.sizes()[d];
        if k > n {
            return value_err!(
                "topk: k = {k} is larger than dimension {d} of size {n} (tensor {})",
                size_string(self.sizes())
            );
        }
        crate::with_math_dtype!(
            self.dtype(),
            "topk",
            T,
            self.per_slice::<T>(d, k, |s, o, _| sort::topk(s, k, largest, o))
        )
    }

    /// The `k`-th smallest value along `dim` (k counts from 1, as in Torch7) and its 0-based index,
    /// kept with size 1.
    pub fn kthvalue(&self, k: i64, dim: i64) -> Result<(Tensor, Tensor)> {
        need_dims(self, "kthvalue")?;
        let d = wrap_dim(dim, self.ndim())?;
        let n = self.sizes()[d];
        if k < 1 || k as u64 > n as u64 {
            return value_err!(
                "kthvalue: k = {k} is out of range 1..{n} for dimension {d} (tensor {})",
                size_string(self.sizes())
            );
        }
        let k = (k - 1) as usize;
        crate::with_math_dtype!(
            self.dtype(),
            "kthvalue",
            T,
            self.per_slice::<T>(d, 1, |s, o, _| o.push(sort::kth(s, k)))
        )
    }

    /// The lower median along `dim` (the value of rank ⌊(n-1)/2⌋) and its 0-based index.
    pub fn median(&self, dim: i64) -> Result<(Tensor, Tensor)> {
        need_dims(self, "median")?;
        let d = wrap_dim(dim, self.ndim())?;
        let n = self.sizes()[d];
        if n == 0 {
            return value_err!(
                "median: dimension {d} of the tensor of size {} is empty",
                size_string(self.sizes())
            );
        }
        self.kthvalue(((n - 1) / 2 + 1) as i64, d as i64)
    }

    /// The most frequent value along `dim` (ties: the smallest) and the 0-based index of its last
    /// occurrence.
    pub fn mode(&self, dim: i64) -> Result<(Tensor, Tensor)> {
        need_dims(self, "mode")?;
        let d = wrap_dim(dim, self.ndim())?;
        if self.sizes()[d] == 0 {
            return value_err!(
                "mode: dimension {d} of the tensor of size {} is empty",
                size_string(self.sizes())
            );
        }
        crate::with_math_dtype!(
            self.dtype(),
            "mode",
            T,
            self.per_slice::<T>(d, 1, |s, o, _| o.push(sort::mode(s)))
        )
    }

    /// Sum of the main diagonal of a 2-D tensor (Int for integer types, accumulated in i64).
    pub fn trace(&self) -> Result<Scalar> {
        if self.ndim() != 2 {
            return value_err!("trace: expected a 2D tensor, got size {}", size_string(self.sizes()));
        }
        let n = self.sizes()[0].min(self.sizes()[1]);
        let diag = self.restrided(crate::layout::Layout {
            offset: self.storage_offset(),
            sizes: Dims::from_slice(&[n]),
            strides: Dims::from_slice(&[self.strides()[0] + self.strides()[1]]),
        })?;
        diag.reduce_all(Reduction::Sum).map_err(|e| rename(e, "sum", "trace"))
    }

    /// The cross product of 3-vectors along `dim` (default: the first dim of size 3); self and
    /// `other` have the same sizes.
    pub fn cross(&self, other: &Tensor, dim: Option<i64>) -> Result<Tensor> {
        if self.dtype() != other.dtype() {
            return type_err!(
                "cross: the tensors must have the same type, got {} and {}",
                self.dtype().tensor_type_name(),
                other.dtype().tensor_type_name()
            );
        }
        if self.sizes() != other.sizes() {
            return value_err!(
                "cross: the tensors must have the same size, got {} and {}",
                size_string(self.sizes()),
                size_string(other.sizes())
            );
        }
        need_dims(self, "cross")?;
        let d = match dim {
            Some(dim) => wrap_dim(dim, self.ndim())?,
            None => match self.sizes().iter().position(|&s| s == 3) {
                Some(d) => d,
                None => {
                    return value_err!(
                        "cross: no dimension of size 3 in a tensor of size {}",
                        size_string(self.sizes())
                    )
                }
            },
        };
        if self.sizes()[d] != 3 {
            return value_err!(
                "cross: dimension {d} has size {}, expected 3 (tensor {})",
                self.sizes()[d],
                size_string(self.sizes())
            );
        }
        crate::with_math_dtype!(self.dtype(), "cross", T, {
            let out = Tensor::zeros(self.dtype(), self.sizes())?;
            if out.numel() == 0 {
                return Ok(out);
            }
            let keep = |v: &[usize]| -> Dims {
                v.iter().enumerate().filter(|&(i, _)| i != d).map(|(_, &s)| s).collect()
            };
            let (mut sz, mut so, mut sa, mut sb) =
                (keep(self.sizes()), keep(out.strides()), keep(self.strides()), keep(other.strides()));
            if sz.is_empty() {
                sz.push(1);
                so.push(1);
                sa.push(1);
                sb.push(1);
            }
            let plan = Plan::new(&sz, [0, self.storage_offset(), other.storage_offset()], [&so, &sa, &sb]);
            let (ov, av, bv) = (out.checked_view()?, self.checked_view()?, other.checked_view()?);
            let (op, ap, bp) = (SendPtr(ov.base::<T>()), SendPtr(av.base::<T>()), SendPtr(bv.base::<T>()));
            let (dso, dsa, dsb) = (out.strides()[d], self.strides()[d], other.strides()[d]);
            let (io, ia, ib) = (plan.inner_stride(0), plan.inner_stride(1), plan.inner_stride(2));
            plan.par_for_each_run(crate::cpu::PARALLEL_GRAIN, |[oo, oa, ob], len| {
                for i in 0..len {
                    let (o, a, b) = (oo + i * io, oa + i * ia, ob + i * ib);
                    // SAFETY: a, b address checked elements (3 along d); out is new and disjoint.
                    unsafe {
                        let g = |p: SendPtr<T>, base: usize, s: usize, c: usize| p.at(base + c * s).read();
                        let (a0, a1, a2) = (g(ap, a, dsa, 0), g(ap, a, dsa, 1), g(ap, a, dsa, 2));
                        let (b0, b1, b2) = (g(bp, b, dsb, 0), g(bp, b, dsb, 1), g(bp, b, dsb, 2));
                        op.at(o).write(a1.wmul(b2).wsub(a2.wmul(b1)));
                        op.at(o + dso).write(a2.wmul(b0).wsub(a0.wmul(b2)));
                        op.at(o + 2 * dso).write(a0.wmul(b1).wsub(a1.wmul(b0)));
                    }
                }
            });
            Ok(out)
        })
    }

    /// The p-norm of self - other (numpy broadcasting); p = 0 counts the differing elements
    /// (Torch7 returned inf there). Float and Double only.
    pub fn dist(&self, other: &Tensor, p: f64) -> Result<f64> {
        if self.dtype() != other.dtype() {
            return type_err!(
                "dist: the tensors must have the same type, got {} and {}",
                self.dtype().tensor_type_name(),
                other.dtype().tensor_type_name()
            );
        }
        if p.is_nan() || p < 0.0 {
            return value_err!("dist: p must be >= 0, got {p}");
        }
        crate::with_float_dtype!(self.dtype(), "dist", T, {
            if self.ndim() == 0 && other.ndim() == 0 {
                return Ok(0.0);
            }
            let shape = broadcast_shapes(self.sizes(), other.sizes()).map_err(|_| {
                Error::Value(format!(
                    "dist: sizes {} and {} do not broadcast",
                    size_string(self.sizes()),
                    size_string(other.sizes())
                ))
            })?;
            let (a, b) = (self.expand(&shape)?, other.expand(&shape)?);
            let norm = NormF { p };
            if a.numel() == 0 {
                return Ok(0.0);
            }
            let plan =
                Plan::new(&shape, [a.storage_offset(), b.storage_offset()], [a.strides(), b.strides()]);
            let (av, bv) = (a.checked_view()?, b.checked_view()?);
            // SAFETY: both layouts were checked against their blocks.
            let s = unsafe { kr::dist_sum::<T>(norm, av.base::<T>(), bv.base::<T>(), &plan) };
            Ok(norm.root(s))
        })
    }

    /// Scales each slice `select(dim, i)` whose p-norm exceeds `maxnorm` by
    /// `maxnorm / (norm + 1e-7)`, into a new tensor. Float and Double only; needs 2+ dims, p > 0.
    pub fn renorm(&self, p: f64, dim: i64, maxnorm: f64) -> Result<Tensor> {
        crate::with_float_dtype!(self.dtype(), "renorm", T, {
            if self.ndim() < 2 {
                return value_err!(
                    "renorm: needs at least 2 dimensions, got size {}",
                    size_string(self.sizes())
                );
            }
            if p.is_nan() || p <= 0.0 {
                return value_err!("renorm: p must be > 0, got {p}");
            }
            let d = wrap_dim(dim, self.ndim())?;
            let out = self.clone_contiguous()?;
            // Norms of each slice: move dim d first and reduce over the rest as one row.
            let n = self.sizes()[d];
            let rows = out.transpose(0, d as i64)?.contiguous()?;
            let flat = rows.view(&[n as i64, -1])?;
            let norms = flat.reduce_dim(Reduction::Norm(p), 1)?.to_vec::<f64>()?;
            let ov = out.checked_view()?;
            let base = ov.base::<T>();
            for (i, &nrm) in norms.iter().enumerate() {
                if nrm > maxnorm {
                    let f = maxnorm / (nrm + 1e-7);
                    let s = out.select(d as i64, i as i64)?;
                    let plan = Plan::new(s.sizes(), [s.storage_offset()], [s.strides()]);
                    let st = plan.inner_stride(0);
                    plan.for_each_run(0, plan.numel(), |[o], len| {
                        for j in 0..len {
                            // SAFETY: the slice is a checked view of out.
                            unsafe {
                                let q = base.add(o + j * st);
                                q.write(T::from_f64(Element::to_f64(q.read()) * f));
                            }
                        }
                    });
                }
            }
            Ok(out)
        })
    }

    /// Histogram of every element in `nbins` equal bins over [min, max] (when min == max: the
    /// data's range, widened by 1 each way if still equal); values outside are ignored and max
    /// falls in the last bin. A 1-D tensor of self's type. Float and Double only.
    pub fn histc(&self, nbins: usize, min: f64, max: f64) -> Result<Tensor> {
        crate::with_float_dtype!(self.dtype(), "histc", T, {
            let v = self.to_vec::<T>()?;
            let (lo, hi) = hist_range(&v, min, max, nbins, "histc")?;
            // Counted in the result's own type, as Torch7 did (checked allocation, lazily zeroed).
            let out = Tensor::zeros(self.dtype(), &[nbins])?;
            let ov = out.checked_view()?;
            // SAFETY: out is a new contiguous tensor of nbins elements.
            let counts = unsafe { std::slice::from_raw_parts_mut(ov.base::<T>(), nbins) };
            hist_into(&v, lo, hi, counts);
            Ok(out)
        })
    }

    /// histc of each row of a 2-D tensor (one range for all rows): rows x nbins.
    pub fn bhistc(&self, nbins: usize, min: f64, max: f64) -> Result<Tensor> {
        crate::with_float_dtype!(self.dtype(), "bhistc", T, {
            if self.ndim() != 2 {
                return value_err!("bhistc: expected a 2D tensor, got size {}", size_string(self.sizes()));
            }
            let (r, c) = (self.sizes()[0], self.sizes()[1]);
            let v = self.to_vec::<T>()?;
            let (lo, hi) = hist_range(&v, min, max, nbins, "bhistc")?;
            let out = Tensor::zeros(self.dtype(), &[r, nbins])?;
            let ov = out.checked_view()?;
            // SAFETY: out is a new contiguous tensor of r * nbins elements (size checked above).
            let counts = unsafe { std::slice::from_raw_parts_mut(ov.base::<T>(), out.numel()) };
            if nbins > 0 {
                for (row, cs) in v.chunks(c.max(1)).zip(counts.chunks_mut(nbins)) {
                    hist_into(row, lo, hi, cs);
                }
            }
            Ok(out)
        })
    }
}

fn rename(e: Error, from: &str, to: &str) -> Error {
    match e {
        Error::Type(m) => Error::Type(m.replacen(from, to, 1)),
        other => other,
    }
}

fn hist_range<T: Num>(v: &[T], min: f64, max: f64, nbins: usize, what: &str) -> Result<(f64, f64)> {
    if nbins == 0 {
        return value_err!("{what}: the number of bins must be > 0");
    }
    if min.is_nan() || max.is_nan() || min > max {
        return value_err!("{what}: invalid range [{min}, {max}]");
    }
    let (mut lo, mut hi) = (min, max);
    if lo == hi && !v.is_empty() {
        lo = v.iter().fold(f64::INFINITY, |a, x| a.min(x.to_f64()));
        hi = v.iter().fold(f64::NEG_INFINITY, |a, x| a.max(x.to_f64()));
    }
    if lo == hi {
        lo -= 1.0;
        hi += 1.0;
    }
    Ok((lo, hi))
}

fn hist_into<T: Num>(v: &[T], lo: f64, hi: f64, counts: &mut [T]) {
    let nb = counts.len();
    if nb == 0 {
        return;
    }
    for &x in v {
        let x = x.to_f64();
        if x >= lo && x <= hi {
            let b = ((((x - lo) / (hi - lo)) * nb as f64) as usize).min(nb - 1);
            counts[b] = T::from_f64(Element::to_f64(counts[b]) + 1.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f64], s: &[usize]) -> Tensor {
        Tensor::from_slice(v, s).unwrap()
    }

    #[test]
    fn sums_keep_the_dim() {
        let x = t(&[1., 2., 3., 4., 5., 6.], &[2, 3]);
        assert_eq!(x.reduce_all(Reduction::Sum).unwrap(), Scalar::Float(21.0));
        let s0 = x.reduce_dim(Reduction::Sum, 0).unwrap();
        assert_eq!(s0.sizes(), &[1, 3]);
        assert_eq!(s0.to_vec::<f64>().unwrap(), vec![5., 7., 9.]);
        let s1 = x.t().unwrap().reduce_dim(Reduction::Sum, -1).unwrap();
        assert_eq!(s1.to_vec::<f64>().unwrap(), vec![5., 7., 9.]);
        let c = x.cumulate(false, 1).unwrap();
        assert_eq!(c.to_vec::<f64>().unwrap(), vec![1., 3., 6., 4., 9., 15.]);
        let c0 = x.cumulate(true, 0).unwrap();
        assert_eq!(c0.to_vec::<f64>().unwrap(), vec![1., 2., 3., 4., 10., 18.]);
    }

    #[test]
    fn max_nan_wins_and_half_is_refused() {
        let x = t(&[1., f64::NAN, 3.], &[3]);
        let (v, i) = x.extreme_dim(true, 0).unwrap();
        assert!(v.to_vec::<f64>().unwrap()[0].is_nan());
        assert_eq!(i.to_vec::<i64>().unwrap(), vec![1]);
        let h = Tensor::zeros(DType::Half, &[2]).unwrap();
        assert!(matches!(h.reduce_all(Reduction::Sum), Err(Error::Type(_))));
        let b = Tensor::zeros(DType::Byte, &[2]).unwrap();
        assert!(matches!(b.reduce_all(Reduction::Mean), Err(Error::Type(_))));
    }

    #[test]
    fn cross_and_trace() {
        let a = t(&[1., 0., 0.], &[3]);
        let b = t(&[0., 1., 0.], &[3]);
        assert_eq!(a.cross(&b, None).unwrap().to_vec::<f64>().unwrap(), vec![0., 0., 1.]);
        let m = t(&[1., 2., 3., 4.], &[2, 2]);
        assert_eq!(m.trace().unwrap(), Scalar::Float(5.0));
    }
}
