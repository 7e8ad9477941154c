//! Torch7's construction functions (group A), index/shape helpers (group B), random fills
//! (group J) and the Tensor.lua index / masked methods. Every function returns a new tensor or
//! changes `self`; the bindings add `out=` by copying a returned tensor into it.

use crate::cpu::{self, index as kidx};
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::layout::{broadcast_shapes, size_string, wrap_dim, Layout};
use crate::random::Generator;
use crate::tensor::{Scalar, Tensor};
use crate::with_dtype;

fn need_float(t: DType, what: &str) -> Result<()> {
    if matches!(t, DType::Float | DType::Double) {
        Ok(())
    } else {
        Err(Error::Type(format!(
            "{what} is only available for torch.FloatTensor and torch.DoubleTensor, got {}",
            t.tensor_type_name()
        )))
    }
}

fn need_long(t: &Tensor, what: &str) -> Result<()> {
    if t.dtype() != DType::Long {
        return Err(Error::Type(format!(
            "{what}: indices must be a torch.LongTensor, got {}",
            t.dtype().tensor_type_name()
        )));
    }
    Ok(())
}

fn same_type(a: &Tensor, b: &Tensor, what: &str) -> Result<()> {
    super::check_same_type(what, &[a, b]).map(|_| ())
}

/// The values of a 1-D (or empty) LongTensor of indices, checked to lie in `0..size`.
fn index_values(idx: &Tensor, size: usize, dim: usize, what: &str) -> Result<Vec<i64>> {
    need_long(idx, what)?;
    if idx.ndim() > 1 {
        return Err(Error::Value(format!(
            "{what}: indices must be a 1D LongTensor, got size {}",
            size_string(idx.sizes())
        )));
    }
    let v = idx.to_vec::<i64>()?;
    if let Some(&bad) = v.iter().find(|&&i| i < 0 || i as usize >= size) {
        return Err(Error::Index(format!(
            "{what}: index {bad} out of range for dimension {dim} of size {size}"
        )));
    }
    Ok(v)
}

/// Checks every value of an index tensor against `0..size` without copying it.
fn check_index_range(index: &Tensor, size: usize, dim: usize, what: &str) -> Result<()> {
    if index.numel() == 0 {
        return Ok(());
    }
    let view = index.checked_view()?;
    let plan = Plan::new(index.sizes(), [index.storage_offset()], [index.strides()]);
    let st = plan.inner_stride(0);
    let base = view.base::<i64>();
    let mut bad: Option<i64> = None;
    plan.for_each_run(0, plan.numel(), |[o], len| {
        for i in 0..len {
            // SAFETY: the layout was checked against the block.
            let k = unsafe { *base.add(o + i * st) };
            if (k < 0 || k as usize >= size) && bad.is_none() {
                bad = Some(k);
            }
        }
    });
    match bad {
        Some(k) => {
            Err(Error::Index(format!("{what}: index {k} out of range for dimension {dim} of size {size}")))
        }
        None => Ok(()),
    }
}

/// Writes `next()` into each element of `t` in row-major order (one thread).
fn fill_seq<T: Element>(t: &Tensor, next: impl FnMut() -> T) -> Result<()> {
    t.check_writable("fill")?;
    if t.numel() == 0 {
        return Ok(());
    }
    if t.dtype() != T::DTYPE {
        return Err(Error::Type(format!("internal: fill of {} with {:?}", t.dtype(), T::DTYPE)));
    }
    let view = t.checked_view()?;
    let plan = Plan::new(t.sizes(), [t.storage_offset()], [t.strides()]);
    // SAFETY: the layout was checked against the block the view holds.
    unsafe { cpu::random::fill_seq(view.base::<T>(), &plan, next) };
    Ok(())
}

/// Writes `f(i)` into the element of row-major index `i` (several threads when `t` is contiguous
/// and large; the values do not depend on the order).
fn fill_indexed<T: Element>(t: &Tensor, f: impl Fn(usize) -> T + Sync) -> Result<()> {
    if !t.is_contiguous() {
        let mut i = 0usize;
        return fill_seq::<T>(t, || {
            i += 1;
            f(i - 1)
        });
    }
    t.check_writable("fill")?;
    if t.numel() == 0 {
        return Ok(());
    }
    if t.dtype() != T::DTYPE {
        return Err(Error::Type(format!("internal: fill of {} with {:?}", t.dtype(), T::DTYPE)));
    }
    let view = t.checked_view()?;
    let base = crate::iter::SendPtr(view.base::<T>());
    let off = t.storage_offset();
    kidx::par_range(t.numel(), 1, |range| {
        for i in range {
            // SAFETY: a checked contiguous layout of numel elements from `off`.
            unsafe { *base.at(off + i) = f(i) };
        }
    });
    Ok(())
}

/// The tensor `res` made ready for `n` sequence values: kept when it already has `n`
/// elements (Torch7's rule for range/linspace/logspace), else resized to 1-D.
fn sequence_target(res: &mut Tensor, n: usize) -> Result<()> {
    if res.numel() != n || (n == 0 && res.ndim() != 1) {
        res.resize_(&[n])?;
    }
    Ok(())
}

/// The most dims cat pads its inputs to (numpy's limit too): dims past the inputs' rank only add
/// size-1 dims, and a dim like 2^62 must be an error, not a 2^62-entry shape.
const CAT_MAX_NDIM: usize = 64;

/// The dims of `t` padded with trailing size-1 dims to `nd` (cat's rule for lower-rank inputs).
fn padded(t: &Tensor, nd: usize) -> Result<Tensor> {
    let mut l = t.layout().clone();
    while l.sizes.len() < nd {
        l.sizes.push(1);
        l.strides.push(1);
    }
    t.restrided(l)
}

impl Tensor {
    // ------------------------------------------------------------ group A

    /// `torch.zeros(sizes)` / `torch.ones(sizes)`: a new tensor filled with `value`.
    pub fn full(dtype: DType, sizes: &[usize], value: Scalar) -> Result<Tensor> {
        let t = Tensor::zeros(dtype, sizes)?;
        if value != Scalar::Int(0) {
            t.fill_(value)?;
        }
        Ok(t)
    }

    /// Torch7's `range(res, xmin, xmax, step)`: `trunc((xmax-xmin)/step)+1` values
    /// `xmin + i*step`, inclusive of xmax, written row-major into `res` (kept when it already
    /// has that many elements). Integer types compute in i64 (arguments truncated), float types
    /// in f64.
    pub fn range_(&mut self, xmin: f64, xmax: f64, step: f64) -> Result<()> {
        if self.dtype().is_floating_point() {
            if step == 0.0 || step.is_nan() {
                return Err(Error::Value("range: step must be nonzero".into()));
            }
            if !((step > 0.0 && xmax >= xmin) || (step < 0.0 && xmax <= xmin)) {
                return Err(Error::Value(format!(
                    "range: bounds {xmin} and {xmax} are incoherent with step sign {step}"
                )));
            }
            let n = ((xmax - xmin) / step + 1.0) as usize;
            sequence_target(self, n)?;
            return with_dtype!(
                self.dtype(),
                T,
                fill_indexed::<T>(self, |i| T::from_f64(xmin + i as f64 * step))
            );
        }
        let (a, b, s) = (xmin as i64, xmax as i64, step as i64);
        if s == 0 {
            return Err(Error::Value("range: step must be nonzero".into()));
        }
        if !((s > 0 && b >= a) || (s < 0 && b <= a)) {
            return Err(Error::Value(format!("range: bounds {a} and {b} are incoherent with step sign {s}")));
        }
        let n = (b.wrapping_sub(a) / s).wrapping_add(1) as usize;
        sequence_target(self, n)?;
        with_dtype!(
            self.dtype(),
            T,
            fill_indexed::<T>(self, |i| T::from_i64(a.wrapping_add((i as i64).wrapping_mul(s))))
        )
    }

    /// Torch7's `linspace(res, a, b, n)` (`logspace` when `log`): n points from a to b inclusive,
    /// `a + i*(b-a)/(n-1)` computed in the tensor's float type; `res` kept when it already has n
    /// elements.
    pub fn linspace_(&mut self, a: f64, b: f64, n: i64, log: bool) -> Result<()> {
        let what = if log { "logspace" } else { "linspace" };
        need_float(self.dtype(), what)?;
        if !(n > 1 || (n == 1 && a == b)) {
            return Err(Error::Value(format!(
                "{what}: invalid number of points {n} (needs n > 1, or n == 1 with a == b)"
            )));
        }
        sequence_target(self, n as usize)?;
        macro_rules! run {
            ($T:ty) => {{
                let (a, b) = (a as $T, b as $T);
                let den = (n - 1) as $T;
                let at = |i: usize| if n == 1 { a } else { a + (i as $T) * (b - a) / den };
                // Two loops: with one, the compiler computes pow for linspace too (pow is
                // speculatable) and linspace costs as much as logspace.
                if log {
                    fill_indexed::<$T>(self, |i| (10.0 as $T).powf(at(i)))
                } else {
                    fill_indexed::<$T>(self, at)
                }
            }};
        }
        match self.dtype() {
            DType::Float => run!(f32),
            _ => run!(f64),
        }
    }

    /// Torch7's `eye(n, m)`: an n x m tensor with ones on the main diagonal.
    pub fn eye(dtype: DType, n: usize, m: usize) -> Result<Tensor> {
        let t = Tensor::zeros(dtype, &[n, m])?;
        let k = n.min(m);
        if k > 0 {
            t.restrided(Layout {
                offset: 0,
                sizes: [k].into_iter().collect(),
                strides: [m + 1].into_iter().collect(),
            })?
            .fill_(Scalar::Int(1))?;
        }
        Ok(t)
    }

    /// The k-th diagonal of a 2-D tensor as a view (k > 0 above the main diagonal).
    fn diagonal_view(&self, k: i64) -> Result<Tensor> {
        let (r, c) = (self.sizes()[0] as i128, self.sizes()[1] as i128);
        let (s0, s1) = (self.strides()[0], self.strides()[1]);
        let k = k as i128;
        let (start_r, start_c) = if k >= 0 { (0, k) } else { (-k, 0) };
        let len = (r - start_r).min(c - start_c).max(0) as usize;
        let offset = if len == 0 {
            self.storage_offset()
        } else {
            self.storage_offset() + start_r as usize * s0 + start_c as usize * s1
        };
        self.restrided(Layout {
            offset,
            sizes: [len].into_iter().collect(),
            strides: [s0 + s1].into_iter().collect(),
        })
    }

    /// Torch7's `diag(x, k)`: a 1-D x becomes a square matrix with x on diagonal k; a 2-D x gives
    /// its k-th diagonal as a new 1-D tensor.
    pub fn diag(&self, k: i64) -> Result<Tensor> {
        match self.ndim() {
            1 => {
                let n = usize::try_from(k.unsigned_abs())
                    .ok()
                    .and_then(|a| a.checked_add(self.numel()))
                    .ok_or_else(|| Error::Value(format!("diag: diagonal {k} is too far out")))?;
                let out = Tensor::zeros(self.dtype(), &[n, n])?;
                out.diagonal_view(k)?.copy_same_shape(self)?;
                Ok(out)
            }
            2 => {
                let (r, c) = (self.sizes()[0] as i128, self.sizes()[1] as i128);
                if k as i128 > c || -(k as i128) > r {
                    return Err(Error::Value(format!(
                        "diag: diagonal {k} does not exist in a {r}x{c} matrix"
                    )));
                }
                self.diagonal_view(k)?.clone_contiguous()
            }
            d => Err(Error::Value(format!(
                "diag: expected a 1D or 2D tensor, got {d}D (size {})",
                size_string(self.sizes())
            ))),
        }
    }

    /// Torch7's `tril(x, k)` / `triu(x, k)` (`upper`): a copy of the 2-D x keeping the elements
    /// with `col <= row + k` (tril) or `col >= row + k` (triu), zeros elsewhere.
    pub fn triangle(&self, k: i64, upper: bool) -> Result<Tensor> {
        if self.ndim() != 2 {
            return Err(Error::Value(format!(
                "{}: expected a 2D tensor, got {}D (size {})",
                if upper { "triu" } else { "tril" },
                self.ndim(),
                size_string(self.sizes())
            )));
        }
        let out = self.clone_contiguous()?;
        let (r, c) = (self.sizes()[0], self.sizes()[1]);
        if r * c == 0 {
            return Ok(out);
        }
        let view = out.checked_view()?;
        with_dtype!(out.dtype(), T, {
            let base = view.base::<T>();
            for i in 0..r {
                // Columns to zero in row i: tril zeroes col > i + k, triu zeroes col < i + k.
                // saturating: k is the user's diagonal offset and may be any i64.
                let edge = (i as i64).saturating_add(k).clamp(-1, c as i64);
                let (from, to) =
                    if upper { (0, edge.max(0) as usize) } else { ((edge + 1).min(c as i64) as usize, c) };
                if to > from {
                    // SAFETY: out is a new contiguous r x c tensor and from < to <= c.
                    unsafe { std::slice::from_raw_parts_mut(base.add(i * c + from), to - from) }
                        .fill(T::default());
                }
            }
        });
        Ok(out)
    }

    /// Torch7's `cat`: concatenates along `dim` (default: the last dim of the highest-rank
    /// input). Empty (no-dimension) inputs are skipped; inputs with fewer dims count as having
    /// trailing size-1 dims; the other sizes must match.
    pub fn cat(inputs: &[Tensor], dim: Option<i64>) -> Result<Tensor> {
        let Some(first) = inputs.first() else {
            return Err(Error::Value("cat: expected at least one tensor".into()));
        };
        for t in inputs {
            same_type(first, t, "cat")?;
        }
        let live: Vec<&Tensor> = inputs.iter().filter(|t| t.ndim() > 0).collect();
        if live.is_empty() {
            return Ok(Tensor::empty(first.dtype()));
        }
        let max_nd = live.iter().map(|t| t.ndim()).max().unwrap_or(1);
        let d = match dim {
            None => max_nd - 1,
            Some(d) if d < 0 => wrap_dim(d, max_nd)?,
            Some(d) => d as usize,
        };
        // Torch7 pads lower-rank inputs with trailing size-1 dims up to `dim`; a dim far past the
        // inputs' rank would pad to an unallocatable shape, so it is refused before anything grows.
        if d >= max_nd.max(CAT_MAX_NDIM) {
            return Err(Error::Index(format!(
                "cat: dimension {d} out of range for inputs of at most {max_nd} dims \
                 (padding goes up to {CAT_MAX_NDIM} dims)"
            )));
        }
        let nd = max_nd.max(d + 1);
        let ps: Vec<Tensor> = live.iter().map(|t| padded(t, nd)).collect::<Result<_>>()?;
        let mut sizes = ps[0].sizes().to_vec();
        sizes[d] = 0;
        for t in &ps {
            for (k, (&a, &b)) in sizes.iter().zip(t.sizes()).enumerate() {
                if k != d && a != b {
                    return Err(Error::Value(format!(
                        "cat: inconsistent tensor sizes {} and {} (they must match except in dimension {d})",
                        size_string(ps[0].sizes()),
                        size_string(t.sizes())
                    )));
                }
            }
            sizes[d] += t.sizes()[d];
        }
        let out = Tensor::zeros(first.dtype(), &sizes)?;
        let mut at = 0usize;
        for t in &ps {
            let n = t.sizes()[d];
            if n > 0 {
                out.narrow(d as i64, at as i64, n)?.copy_same_shape(t)?;
            }
            at += n;
        }
        Ok(out)
    }

    // ------------------------------------------------------------ group B

    /// Torch7's `gather(src, dim, index)`: a tensor shaped like `index` with
    /// `res[..i_dim..] = src[..index[..]..]` along `dim` (0-based indices).
    pub fn gather(&self, dim: i64, index: &Tensor) -> Result<Tensor> {
        need_long(index, "gather")?;
        let d = wrap_dim(dim, self.ndim().max(1))?;
        if index.ndim() != self.ndim() {
            return Err(Error::Value(format!(
                "gather: index of size {} must have as many dims as the source of size {}",
                size_string(index.sizes()),
                size_string(self.sizes())
            )));
        }
        for k in 0..self.ndim() {
            if k != d && index.sizes()[k] > self.sizes()[k] {
                return Err(Error::Value(format!(
                    "gather: index of size {} exceeds the source of size {} in dimension {k}",
                    size_string(index.sizes()),
                    size_string(self.sizes())
                )));
            }
        }
        check_index_range(index, self.sizes().get(d).copied().unwrap_or(0), d, "gather")?;
        let out = Tensor::zeros(self.dtype(), index.sizes())?;
        if out.numel() == 0 {
            return Ok(if index.ndim() == 0 { Tensor::empty(self.dtype()) } else { out });
        }
        let mut sst = self.strides().to_vec();
        let sd = sst[d];
        sst[d] = 0;
        let plan = Plan::new(
            index.sizes(),
            [0, index.storage_offset(), self.storage_offset()],
            [out.strides(), index.strides(), &sst],
        );
        let (ov, iv, sv) = (out.checked_view()?, index.checked_view()?, self.checked_view()?);
        with_dtype!(self.dtype(), T, {
            // SAFETY: layouts checked, index values checked, out is new.
            unsafe { kidx::gather(ov.base::<T>(), iv.base::<i64>(), sv.base::<T>(), &plan, sd) }
        });
        Ok(out)
    }

    fn scatter_check(&self, d: usize, index: &Tensor, src: Option<&Tensor>) -> Result<()> {
        need_long(index, "scatter")?;
        self.check_writable("scatter")?;
        if index.ndim() != self.ndim() || src.is_some_and(|s| s.ndim() != self.ndim()) {
            return Err(Error::Value(format!(
                "scatter: index (size {}) and source must have as many dims as the tensor (size {})",
                size_string(index.sizes()),
                size_string(self.sizes())
            )));
        }
        for k in 0..self.ndim() {
            let i = index.sizes()[k];
            if (k != d && i > self.sizes()[k]) || src.is_some_and(|s| i > s.sizes()[k]) {
                return Err(Error::Value(format!(
                    "scatter: index of size {} does not fit the tensor of size {} (or the source) in dimension {k}",
                    size_string(index.sizes()),
                    size_string(self.sizes())
                )));
            }
        }
        check_index_range(index, self.sizes().get(d).copied().unwrap_or(0), d, "scatter")
    }

    /// Torch7's `x:scatter(dim, index, src)`: `self[..index[..]..] = src[..]` along dim, in place.
    pub fn scatter_(&self, dim: i64, index: &Tensor, src: &Tensor) -> Result<()> {
        same_type(self, src, "scatter")?;
        let d = wrap_dim(dim, self.ndim().max(1))?;
        self.scatter_check(d, index, Some(src))?;
        if index.numel() == 0 {
            return Ok(());
        }
        // A source sharing memory with self is read from a copy.
        let src = if src.storage().ptr_eq(self.storage()) { src.clone_contiguous()? } else { src.clone() };
        let mut dst = self.strides().to_vec();
        let sd = dst[d];
        dst[d] = 0;
        let plan = Plan::new(
            index.sizes(),
            [self.storage_offset(), index.storage_offset(), src.storage_offset()],
            [&dst, index.strides(), src.strides()],
        );
        let (dv, iv, sv) = (self.checked_view()?, index.checked_view()?, src.checked_view()?);
        with_dtype!(self.dtype(), T, {
            // SAFETY: layouts and index values checked; src does not share self's memory.
            unsafe { kidx::scatter(dv.base::<T>(), iv.base::<i64>(), sv.base::<T>(), &plan, sd) }
        });
        Ok(())
    }

    /// Torch7's `x:scatter(dim, index, value)`.
    pub fn scatter_value_(&self, dim: i64, index: &Tensor, value: Scalar) -> Result<()> {
        let d = wrap_dim(dim, self.ndim().max(1))?;
        self.scatter_check(d, index, None)?;
        if index.numel() == 0 {
            return Ok(());
        }
        let index =
            if index.storage().ptr_eq(self.storage()) { index.clone_contiguous()? } else { index.clone() };
        let mut dst = self.strides().to_vec();
        let sd = dst[d];
        dst[d] = 0;
        let plan = Plan::new(
            index.sizes(),
            [self.storage_offset(), index.storage_offset()],
            [&dst, index.strides()],
        );
        let (dv, iv) = (self.checked_view()?, index.checked_view()?);
        with_dtype!(self.dtype(), T, {
            // SAFETY: layouts and index values checked.
            unsafe { kidx::scatter_value(dv.base::<T>(), iv.base::<i64>(), value.cast::<T>(), &plan, sd) }
        });
        Ok(())
    }

    /// Torch7's `nonzero(x)`: an N x nDim LongTensor of the 0-based subscripts of the non-zero
    /// elements in row-major order (an empty tensor when there is none).
    pub fn nonzero(&self) -> Result<Tensor> {
        let nd = self.ndim();
        if self.numel() == 0 {
            return Ok(Tensor::empty(DType::Long));
        }
        let c = self.contiguous()?;
        let cv = c.checked_view()?;
        // Walk the rows of the last dim, keeping the subscripts of the row (no division per
        // element).
        let sizes = self.sizes();
        let last = sizes[nd - 1];
        let mut prefix = vec![0i64; nd - 1];
        let count = with_dtype!(c.dtype(), T, {
            // SAFETY: c is contiguous with numel elements from its offset, kept alive by cv.
            let data =
                unsafe { std::slice::from_raw_parts(cv.base::<T>().add(c.storage_offset()), c.numel()) };
            let zero = T::default();
            data.iter().filter(|v| **v != zero).count()
        });
        if count == 0 {
            return Ok(Tensor::empty(DType::Long));
        }
        // One spare row: every element writes its subscripts at row n and only the non-zero
        // ones advance n (no branch to mispredict on random data). The result is a view of the
        // first `count` rows.
        let buf = Tensor::zeros(DType::Long, &[count + 1, nd])?;
        let bv = buf.checked_view()?;
        // SAFETY: buf is a new contiguous tensor of (count + 1) * nd elements at offset 0, and
        // nothing else can see it yet.
        let out = unsafe { std::slice::from_raw_parts_mut(bv.base::<i64>(), (count + 1) * nd) };
        let mut n = 0usize;
        with_dtype!(c.dtype(), T, {
            // SAFETY: as above for c.
            let data =
                unsafe { std::slice::from_raw_parts(cv.base::<T>().add(c.storage_offset()), c.numel()) };
            let zero = T::default();
            if nd == 1 {
                for (j, v) in data.iter().enumerate() {
                    if let Some(slot) = out.get_mut(n) {
                        *slot = j as i64;
                    }
                    n += usize::from(*v != zero);
                }
            } else {
                for row in data.chunks(last) {
                    for (j, v) in row.iter().enumerate() {
                        let at = n * nd;
                        if let Some(dst) = out.get_mut(at..at + nd) {
                            dst[..nd - 1].copy_from_slice(&prefix);
                            dst[nd - 1] = j as i64;
                        }
                        n += usize::from(*v != zero);
                    }
                    for k in (0..nd - 1).rev() {
                        prefix[k] += 1;
                        if (prefix[k] as usize) < sizes[k] {
                            break;
                        }
                        prefix[k] = 0;
                    }
                }
            }
        });
        // Drop the spare row from the storage's reported size (shrinking never moves memory).
        let storage = buf.storage().clone();
        storage.resize(n * nd)?;
        Tensor::from_storage(storage, 0, &[n, nd], None)
    }

    /// Torch7's `match(m1, m2, gain)`: an N1 x N2 tensor of `gain * ||row_i(m1) - row_j(m2)||^2`
    /// (rows along dim 0, the other dims flattened), computed in the tensor's type as Torch7 did
    /// (integer types wrap; gain is first converted to the type).
    pub fn match_(&self, other: &Tensor, gain: f64) -> Result<Tensor> {
        same_type(self, other, "match")?;
        let (n1, n2) =
            (self.sizes().first().copied().unwrap_or(0), other.sizes().first().copied().unwrap_or(0));
        let (k1, k2) =
            (self.numel().checked_div(n1).unwrap_or(0), other.numel().checked_div(n2).unwrap_or(0));
        if k1 != k2 {
            return Err(Error::Value(format!(
                "match: rows of {} and {} have different lengths ({k1} and {k2})",
                size_string(self.sizes()),
                size_string(other.sizes())
            )));
        }
        macro_rules! run {
            ($V:ty, $zero:expr, $sub:expr, $mul:expr, $add:expr, $g:expr, $out:ty) => {{
                let a = self.to_vec::<$V>()?;
                let b = other.to_vec::<$V>()?;
                let g: $V = $g;
                let mut res: Vec<$V> = Vec::with_capacity(n1 * n2);
                for ra in a.chunks(k1.max(1)).take(n1) {
                    for rb in b.chunks(k1.max(1)).take(n2) {
                        let mut s: $V = $zero;
                        for (&x, &y) in ra.iter().zip(rb) {
                            let d = $sub(x, y);
                            s = $add(s, $mul(d, d));
                        }
                        res.push($mul(g, s));
                    }
                }
                Tensor::from_slice(&res, &[n1, n2])?.to_dtype(self.dtype())
            }};
        }
        match self.dtype() {
            DType::Float => run!(
                f32,
                0.0,
                |x: f32, y: f32| x - y,
                |x: f32, y: f32| x * y,
                |x: f32, y: f32| x + y,
                gain as f32,
                f32
            ),
            DType::Double => run!(
                f64,
                0.0,
                |x: f64, y: f64| x - y,
                |x: f64, y: f64| x * y,
                |x: f64, y: f64| x + y,
                gain,
                f64
            ),
            d => {
                let g = with_dtype!(d, T, T::from_f64(gain).to_i64());
                run!(i64, 0, i64::wrapping_sub, i64::wrapping_mul, i64::wrapping_add, g, i64)
            }
        }
    }

    // ------------------------------------------------------------ Tensor.lua index methods

    /// Torch7's `index(dim, idx)`: a new tensor with the slices `idx[j]` of dim (0-based).
    pub fn index_select(&self, dim: i64, idx: &Tensor) -> Result<Tensor> {
        let d = wrap_dim(dim, self.ndim())?;
        let size = self.sizes()[d];
        need_long(idx, "index")?;
        if idx.ndim() > 1 {
            return Err(Error::Value(format!(
                "index: indices must be a 1D LongTensor, got size {}",
                size_string(idx.sizes())
            )));
        }
        // The result is new memory, so the indices can be read in place when contiguous.
        let copied;
        let iv = idx.checked_view()?;
        let v: &[i64] = if idx.is_contiguous() && idx.numel() > 0 {
            // SAFETY: a checked contiguous layout of numel elements, kept alive by `iv`; nothing
            // writes to it while the result (a new tensor) is filled.
            unsafe { std::slice::from_raw_parts(iv.base::<i64>().add(idx.storage_offset()), idx.numel()) }
        } else {
            copied = idx.to_vec::<i64>()?;
            &copied
        };
        if let Some(&bad) = v.iter().find(|&&i| i < 0 || i as usize >= size) {
            return Err(Error::Index(format!(
                "index: index {bad} out of range for dimension {d} of size {size}"
            )));
        }
        let mut sizes = self.sizes().to_vec();
        sizes[d] = v.len();
        let out = Tensor::zeros(self.dtype(), &sizes)?;
        if out.numel() == 0 {
            return Ok(out);
        }
        let outer = kidx::offsets(&self.sizes()[..d], &self.strides()[..d]);
        let inner = kidx::offsets(&self.sizes()[d + 1..], &self.strides()[d + 1..]);
        let (ov, sv) = (out.checked_view()?, self.checked_view()?);
        with_dtype!(self.dtype(), T, {
            // SAFETY: layouts checked, index values checked, out is new and contiguous.
            unsafe {
                kidx::index_select(
                    ov.base::<T>(),
                    sv.base::<T>().add(self.storage_offset()),
                    &outer,
                    &inner,
                    self.strides()[d],
                    v,
                )
            }
        });
        Ok(out)
    }

    /// Torch7's `indexCopy(dim, idx, src)`: `self.select(dim, idx[j]) = src.select(dim, j)`
    /// (repeated indices: the last copy wins).
    pub fn index_copy_(&self, dim: i64, idx: &Tensor, src: &Tensor) -> Result<()> {
        self.index_combine_(dim, idx, src, "indexCopy", false)
    }

    /// Torch7's `indexAdd(dim, idx, src)`: `self.select(dim, idx[j]) += src.select(dim, j)`;
    /// repeated indices accumulate.
    pub fn index_add_(&self, dim: i64, idx: &Tensor, src: &Tensor) -> Result<()> {
        self.index_combine_(dim, idx, src, "indexAdd", true)
    }

    fn index_combine_(&self, dim: i64, idx: &Tensor, src: &Tensor, what: &str, add: bool) -> Result<()> {
        same_type(self, src, what)?;
        let (d, v) = self.index_slices(dim, idx, what)?;
        let mut want = self.sizes().to_vec();
        want[d] = v.len();
        if src.sizes() != want.as_slice() && src.numel() != want.iter().product::<usize>() {
            return Err(Error::Value(format!(
                "{what}: source of size {} does not match {} (self {} with {} indices along dim {d})",
                size_string(src.sizes()),
                size_string(&want),
                size_string(self.sizes()),
                v.len()
            )));
        }
        if v.is_empty() || self.numel() == 0 {
            return Ok(());
        }
        // A source of another shape (same count) is read row-major; one sharing self's memory
        // is read from a copy.
        let src = if src.sizes() != want.as_slice() || src.storage().ptr_eq(self.storage()) {
            let w: Vec<i64> = want.iter().map(|&x| x as i64).collect();
            src.clone_contiguous()?.view(&w)?
        } else {
            src.clone()
        };
        let outer = kidx::offsets(&self.sizes()[..d], &self.strides()[..d]);
        let inner = kidx::offsets(&self.sizes()[d + 1..], &self.strides()[d + 1..]);
        let s_outer = kidx::offsets(&src.sizes()[..d], &src.strides()[..d]);
        let s_inner = kidx::offsets(&src.sizes()[d + 1..], &src.strides()[d + 1..]);
        let (dv, sv) = (self.checked_view()?, src.checked_view()?);
        let sd = self.strides()[d];
        macro_rules! run {
            ($T:ty, $op:expr) => {{
                let source = kidx::IndexSource {
                    base: sv.base::<$T>().wrapping_add(src.storage_offset()) as *const $T,
                    outer: &s_outer,
                    inner: &s_inner,
                    stride_dim: src.strides()[d],
                };
                // SAFETY: layouts checked, index values checked, src does not share self's memory.
                unsafe {
                    kidx::index_combine(
                        dv.base::<$T>().add(self.storage_offset()),
                        &outer,
                        &inner,
                        sd,
                        &v,
                        &source,
                        $op,
                    )
                }
            }};
        }
        if !add {
            with_dtype!(self.dtype(), T, run!(T, |_: T, s: T| s));
            return Ok(());
        }
        match self.dtype() {
            DType::Byte => run!(u8, u8::wrapping_add),
            DType::Char => run!(i8, i8::wrapping_add),
            DType::Short => run!(i16, i16::wrapping_add),
            DType::Int => run!(i32, i32::wrapping_add),
            DType::Long => run!(i64, i64::wrapping_add),
            DType::Float => run!(f32, |a: f32, b: f32| a + b),
            DType::Double => run!(f64, |a: f64, b: f64| a + b),
            DType::Half => return Err(Error::Type("indexAdd is not available for torch.HalfTensor".into())),
        }
        Ok(())
    }

    /// The checked dim and index values of the index methods (self must be writable).
    fn index_slices(&self, dim: i64, idx: &Tensor, what: &str) -> Result<(usize, Vec<i64>)> {
        self.check_writable(what)?;
        let d = wrap_dim(dim, self.ndim())?;
        let v = index_values(idx, self.sizes()[d], d, what)?;
        Ok((d, v))
    }

    /// Torch7's `indexFill(dim, idx, value)`.
    pub fn index_fill_(&self, dim: i64, idx: &Tensor, value: Scalar) -> Result<()> {
        let (d, v) = self.index_slices(dim, idx, "indexFill")?;
        if v.is_empty() || self.numel() == 0 {
            return Ok(());
        }
        let outer = kidx::offsets(&self.sizes()[..d], &self.strides()[..d]);
        let inner = kidx::offsets(&self.sizes()[d + 1..], &self.strides()[d + 1..]);
        let view = self.checked_view()?;
        with_dtype!(self.dtype(), T, {
            // SAFETY: the layout and index values were checked.
            unsafe {
                kidx::index_fill(
                    view.base::<T>().add(self.storage_offset()),
                    &outer,
                    &inner,
                    self.strides()[d],
                    &v,
                    value.cast::<T>(),
                )
            }
        });
        Ok(())
    }

    /// A ByteTensor mask seen with self's shape: same shape, broadcastable to it, or (Torch7's
    /// rule) another shape with the same element count, read in row-major order.
    fn mask_as_self(&self, mask: &Tensor, what: &str) -> Result<Tensor> {
        if mask.dtype() != DType::Byte {
            return Err(Error::Type(format!(
                "{what}: the mask must be a torch.ByteTensor, got {}",
                mask.dtype().tensor_type_name()
            )));
        }
        if mask.sizes() == self.sizes() {
            return Ok(mask.clone());
        }
        if mask.ndim() <= self.ndim()
            && mask.numel() > 0
            && broadcast_shapes(self.sizes(), mask.sizes()).is_ok_and(|s| s.as_slice() == self.sizes())
        {
            return mask.expand(self.sizes());
        }
        if mask.numel() == self.numel() {
            if self.numel() == 0 {
                return Tensor::zeros(DType::Byte, self.sizes());
            }
            let sizes: Vec<i64> = self.sizes().iter().map(|&s| s as i64).collect();
            return mask.contiguous()?.view(&sizes);
        }
        Err(Error::Value(format!(
            "{what}: mask of size {} neither broadcasts to nor has as many elements as the tensor of size {}",
            size_string(mask.sizes()),
            size_string(self.sizes())
        )))
    }

    fn mask_plan(&self, mask: &Tensor) -> Plan<2> {
        Plan::new(
            self.sizes(),
            [self.storage_offset(), mask.storage_offset()],
            [self.strides(), mask.strides()],
        )
    }

    /// Torch7's `maskedSelect(mask)`: a new 1-D tensor of the elements where mask != 0, in
    /// row-major order (an empty tensor when none).
    pub fn masked_select(&self, mask: &Tensor) -> Result<Tensor> {
        let mask = self.mask_as_self(mask, "maskedSelect")?;
        if self.numel() == 0 {
            return Ok(Tensor::empty(self.dtype()));
        }
        let plan = self.mask_plan(&mask);
        let (sv, mv) = (self.checked_view()?, mask.checked_view()?);
        // SAFETY: the mask layout was checked against its block.
        let n = unsafe { kidx::count_mask(mv.base::<u8>(), &plan, 1, 0, plan.numel()) };
        if n == 0 {
            return Ok(Tensor::empty(self.dtype()));
        }
        let out = Tensor::zeros(self.dtype(), &[n])?;
        let ov = out.checked_view()?;
        with_dtype!(self.dtype(), T, {
            // SAFETY: layouts checked; out holds exactly n elements and is new.
            unsafe { kidx::masked_select(ov.base::<T>(), sv.base::<T>(), mv.base::<u8>(), &plan) }
        });
        Ok(out)
    }

    /// Torch7's `maskedFill(mask, value)`.
    pub fn masked_fill_(&self, mask: &Tensor, value: Scalar) -> Result<()> {
        self.check_writable("maskedFill")?;
        let mask = self.mask_as_self(mask, "maskedFill")?;
        if self.numel() == 0 {
            return Ok(());
        }
        let mask = if mask.storage().ptr_eq(self.storage()) { mask.clone_contiguous()? } else { mask };
        let plan = self.mask_plan(&mask);
        let (sv, mv) = (self.checked_view()?, mask.checked_view()?);
        with_dtype!(self.dtype(), T, {
            // SAFETY: layouts checked; the grain honours self-overlap.
            unsafe {
                kidx::masked_fill(
                    sv.base::<T>(),
                    mv.base::<u8>(),
                    value.cast::<T>(),
                    &plan,
                    self.write_grain(),
                )
            }
        });
        Ok(())
    }

    /// Torch7's `maskedCopy(mask, src)`: the masked elements take successive elements of src
    /// (row-major), which needs at least as many elements as the mask has non-zeros.
    pub fn masked_copy_(&self, mask: &Tensor, src: &Tensor) -> Result<()> {
        same_type(self, src, "maskedCopy")?;
        self.check_writable("maskedCopy")?;
        let mask = self.mask_as_self(mask, "maskedCopy")?;
        if self.numel() == 0 {
            return Ok(());
        }
        let mask = if mask.storage().ptr_eq(self.storage()) { mask.clone_contiguous()? } else { mask };
        let plan = self.mask_plan(&mask);
        let mv = mask.checked_view()?;
        // SAFETY: the mask layout was checked.
        let n = unsafe { kidx::count_mask(mv.base::<u8>(), &plan, 1, 0, plan.numel()) };
        if src.numel() < n {
            return Err(Error::Value(format!(
                "maskedCopy: the mask selects {n} elements but the source of size {} has {}",
                size_string(src.sizes()),
                src.numel()
            )));
        }
        let sv = self.checked_view()?;
        with_dtype!(self.dtype(), T, {
            let values = src.to_vec::<T>()?;
            // SAFETY: layouts checked; values has at least n elements.
            unsafe { kidx::masked_copy(sv.base::<T>(), mv.base::<u8>(), &values, &plan) }
        });
        Ok(())
    }

    // ------------------------------------------------------------ group J

    /// Fills with i64 values drawn one per element in row-major order.
    pub fn fill_with_i64(&self, mut draw: impl FnMut() -> i64) -> Result<()> {
        with_dtype!(self.dtype(), T, fill_seq::<T>(self, || T::from_i64(draw())))
    }

    /// Torch7's `x:random()`: raw 32-bit draws reduced to the type's range (Byte mod 2^8, Char
    /// mod 2^7, Short mod 2^15, Int mod 2^31, Long mod 2^63, Float mod 2^24+1, Double mod 2^53+1).
    pub fn random_(&self, gen: &mut Generator) -> Result<()> {
        let m: u64 = match self.dtype() {
            DType::Byte => 1 << 8,
            DType::Char => 1 << 7,
            DType::Short => 1 << 15,
            DType::Int => 1 << 31,
            DType::Long => 1 << 63,
            DType::Float | DType::Half => (1 << 24) + 1,
            DType::Double => (1 << 53) + 1,
        };
        self.fill_with_i64(|| (u64::from(gen.random()) % m) as i64)
    }

    /// Torch7's `x:random(a, b)`: values in `[a, b]` (`random(b)` is `random(1, b)`).
    pub fn random_range_(&self, gen: &mut Generator, a: i64, b: i64) -> Result<()> {
        if b < a {
            return Err(Error::Value(format!(
                "random: upper bound must be larger than lower bound, got a = {a}, b = {b}"
            )));
        }
        self.fill_with_i64(|| gen.random_range(a, b).unwrap_or(a))
    }

    /// Torch7's `x:bernoulli(p)` with one probability per element (p broadcastable to self, or
    /// with as many elements, read row-major).
    pub fn bernoulli_tensor_(&self, gen: &mut Generator, p: &Tensor) -> Result<()> {
        need_float(p.dtype(), "bernoulli's probabilities")?;
        let ps = if p.sizes() == self.sizes() || p.numel() == self.numel() {
            p.to_vec::<f64>()?
        } else if p.ndim() <= self.ndim()
            && broadcast_shapes(self.sizes(), p.sizes()).is_ok_and(|s| s.as_slice() == self.sizes())
            && p.numel() > 0
        {
            p.expand(self.sizes())?.to_vec::<f64>()?
        } else {
            return Err(Error::Value(format!(
                "bernoulli: probabilities of size {} do not fit the tensor of size {}",
                size_string(p.sizes()),
                size_string(self.sizes())
            )));
        };
        if let Some(bad) = ps.iter().find(|&&x| !(0.0..=1.0).contains(&x)) {
            return Err(Error::Value(format!("bernoulli: p must be >= 0 and <= 1, got {bad}")));
        }
        let mut it = ps.into_iter();
        self.fill_with(|| f64::from(u8::from(gen.uniform01() <= it.next().unwrap_or(0.0))))
    }
}

/// Torch7's `multinomial(p, n, replacement)`: n samples per row of the 1-D or 2-D p (0-based
/// category indices, LongTensor of size n or rows x n), each a binary search of one uniform
/// draw in the row's normalised cumulative distribution; without replacement the drawn mass is
/// removed and the distribution renormalised.
pub fn multinomial(gen: &mut Generator, p: &Tensor, n: i64, replacement: bool) -> Result<Tensor> {
    need_float(p.dtype(), "multinomial")?;
    if p.ndim() == 0 || p.ndim() > 2 {
        return Err(Error::Value(format!(
            "multinomial: expected a 1D or 2D probability tensor, got size {}",
            size_string(p.sizes())
        )));
    }
    let (rows, cats) = if p.ndim() == 1 { (1, p.sizes()[0]) } else { (p.sizes()[0], p.sizes()[1]) };
    if n <= 0 {
        return Err(Error::Value(format!("multinomial: cannot sample n = {n} <= 0 samples")));
    }
    let n = n as usize;
    if !replacement && n > cats {
        return Err(Error::Value(format!(
            "multinomial: cannot sample {n} > {cats} categories without replacement"
        )));
    }
    if cats == 0 {
        return Err(Error::Value("multinomial: no category to sample from".into()));
    }
    let total = rows.checked_mul(n).ok_or_else(|| {
        Error::Value(format!("multinomial: {rows} rows of n = {n} samples cannot fit in memory"))
    })?;
    let mut out = crate::storage::try_vec::<i64>(total, "multinomial (rows x n samples)")?;
    let probs = p.to_vec::<f64>()?;
    let mut cum = vec![0f64; cats];
    for row in probs.chunks(cats) {
        let mut sum = 0f64;
        for (c, &v) in cum.iter_mut().zip(row) {
            if v.is_nan() || v < 0.0 {
                return Err(Error::Value(format!("multinomial: invalid distribution (probability {v} < 0)")));
            }
            sum += v;
            *c = sum;
        }
        if sum.is_nan() || sum <= 0.0 {
            return Err(Error::Value("multinomial: invalid distribution (sum of probabilities <= 0)".into()));
        }
        for c in cum.iter_mut() {
            *c /= sum;
        }
        for _ in 0..n {
            let u = gen.uniform(0.0, 1.0);
            if let Some(last) = cum.last_mut() {
                *last = 1.0;
            }
            let (mut left, mut right) = (0usize, cats);
            while right > left {
                let mid = left + (right - left) / 2;
                if cum[mid] < u {
                    left = mid + 1;
                } else {
                    right = mid;
                }
            }
            let sample = left.min(cats - 1);
            out.push(sample as i64);
            if !replacement {
                let before = if sample > 0 { cum[sample - 1] } else { 0.0 };
                let diff = cum[sample] - before;
                let total = 1.0 - diff;
                for (k, c) in cum.iter_mut().enumerate() {
                    if k >= sample {
                        *c -= diff;
                    }
                    *c /= total;
                }
            }
        }
    }
    if p.ndim() == 1 {
        Tensor::from_slice(&out, &[n])
    } else {
        Tensor::from_slice(&out, &[rows, n])
    }
}

/// Torch7's `multinomialAliasSetup(probs)`: Walker's alias tables (J as a LongTensor, q of
/// probs' type), with Torch7's exact construction (including its fix-up that sets q to 1 where
/// J is 0).
pub fn multinomial_alias_setup(probs: &Tensor) -> Result<(Tensor, Tensor)> {
    need_float(probs.dtype(), "multinomialAliasSetup")?;
    let p = probs.to_vec::<f64>()?;
    let k = p.len();
    if k == 0 {
        return Err(Error::Value("multinomialAliasSetup: empty probability tensor".into()));
    }
    let kf = k as f64;
    let mut j = vec![0i64; k];
    let mut q: Vec<f64> = p.iter().map(|&v| kf * v).collect();
    if probs.dtype() == DType::Float {
        q.iter_mut().for_each(|x| *x = f64::from(*x as f32));
    }
    let (mut smaller, mut larger) = (Vec::new(), Vec::new());
    for (i, &v) in p.iter().enumerate() {
        if kf * v < 1.0 {
            smaller.push(i);
        } else {
            larger.push(i);
        }
    }
    while let (Some(&large), Some(&small)) = (larger.last(), smaller.last()) {
        j[small] = large as i64;
        q[large] -= 1.0 - q[small];
        if q[large] < 1.0 {
            if let Some(s) = smaller.last_mut() {
                *s = large;
            }
            larger.pop();
        } else {
            smaller.pop();
        }
    }
    let qmin = q.iter().copied().fold(f64::INFINITY, f64::min);
    let qmax = q.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if qmin.is_nan() || qmin <= 0.0 {
        return Err(Error::Value(
            "multinomialAliasSetup: q_min is not positive (a probability is <= 0?)".into(),
        ));
    }
    if qmax > 1.0 {
        q.iter_mut().for_each(|x| *x /= qmax);
    }
    for (qi, &ji) in q.iter_mut().zip(&j) {
        if ji <= 0 {
            *qi = 1.0;
        }
    }
    let jt = Tensor::from_slice(&j, &[k])?;
    let qt = Tensor::from_slice(&q, &[k])?.to_dtype(probs.dtype())?;
    Ok((jt, qt))
}

/// Torch7's `multinomialAlias(output, {J, q})`: fills the LongTensor output with samples
/// (with replacement), 0-based, drawing as Torch7 did (one uniform for the bucket r, one
/// bernoulli against q[r]). Torch7 read its 0-based J as 1-based, so a failed bernoulli gives
/// `J[r] - 1`; kept, because the recorded Torch7 streams depend on it.
pub fn multinomial_alias_draw(gen: &mut Generator, output: &Tensor, j: &Tensor, q: &Tensor) -> Result<()> {
    need_long(output, "multinomialAlias")?;
    need_long(j, "multinomialAlias")?;
    let jv = j.to_vec::<i64>()?;
    let qv = q.to_vec::<f64>()?;
    let k = jv.len();
    if k == 0 || qv.len() != k {
        return Err(Error::Value(format!(
            "multinomialAlias: J ({k}) and q ({}) must be non-empty and of one size",
            qv.len()
        )));
    }
    output.fill_with_i64(|| {
        let r = ((gen.uniform(0.0, k as f64)) as usize).min(k - 1);
        let keep = gen.uniform01() <= qv[r];
        if keep {
            r as i64
        } else {
            jv[r] - 1
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f64], s: &[usize]) -> Tensor {
        Tensor::from_slice(v, s).unwrap()
    }

    #[test]
    fn range_and_linspace() {
        let mut r = Tensor::empty(DType::Double);
        r.range_(1.0, 10.0, 3.0).unwrap();
        assert_eq!(r.to_vec::<f64>().unwrap(), vec![1.0, 4.0, 7.0, 10.0]);
        let mut k = Tensor::zeros(DType::Int, &[2, 3]).unwrap();
        k.range_(10.0, 0.0, -2.0).unwrap();
        assert_eq!(k.sizes(), &[2, 3]);
        assert_eq!(k.to_vec::<i64>().unwrap(), vec![10, 8, 6, 4, 2, 0]);
        let mut l = Tensor::empty(DType::Double);
        l.linspace_(0.0, 1.0, 5, false).unwrap();
        assert_eq!(l.to_vec::<f64>().unwrap(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert!(r.range_(0.0, 1.0, 0.0).is_err());
    }

    #[test]
    fn cat_gather_index_masked() {
        let a = t(&[1.0, 2.0, 3.0, 4.0], &[2, 2]);
        let c = Tensor::cat(&[a.clone(), Tensor::empty(DType::Double), a.clone()], Some(0)).unwrap();
        assert_eq!(c.sizes(), &[4, 2]);
        let idx = Tensor::from_slice(&[1i64, 0], &[2, 1]).unwrap();
        assert_eq!(a.gather(1, &idx).unwrap().to_vec::<f64>().unwrap(), vec![2.0, 3.0]);
        let i = Tensor::from_slice(&[1i64, 1, 0], &[3]).unwrap();
        assert_eq!(
            a.index_select(0, &i).unwrap().to_vec::<f64>().unwrap(),
            vec![3.0, 4.0, 3.0, 4.0, 1.0, 2.0]
        );
        let m = Tensor::from_slice(&[1u8, 0, 0, 1], &[2, 2]).unwrap();
        assert_eq!(a.masked_select(&m).unwrap().to_vec::<f64>().unwrap(), vec![1.0, 4.0]);
        assert_eq!(a.nonzero().unwrap().sizes(), &[4, 2]);
        assert!(matches!(
            a.index_select(0, &Tensor::from_slice(&[2i64], &[1]).unwrap()),
            Err(Error::Index(_))
        ));
    }

    #[test]
    fn scatter_masked_copy_index_fill() {
        let x = Tensor::zeros(DType::Double, &[2, 3]).unwrap();
        let idx = Tensor::from_slice(&[2i64, 0], &[2, 1]).unwrap();
        x.scatter_(1, &idx, &t(&[5.0, 6.0], &[2, 1])).unwrap();
        assert_eq!(x.to_vec::<f64>().unwrap(), vec![0.0, 0.0, 5.0, 6.0, 0.0, 0.0]);
        let m = Tensor::from_slice(&[1u8, 0, 1], &[3]).unwrap(); // broadcast over rows
        x.masked_copy_(&m, &t(&[1.0, 2.0, 3.0, 4.0], &[4])).unwrap();
        assert_eq!(x.to_vec::<f64>().unwrap(), vec![1.0, 0.0, 2.0, 3.0, 0.0, 4.0]);
        let i = Tensor::from_slice(&[1i64], &[1]).unwrap();
        x.index_fill_(1, &i, Scalar::Int(9)).unwrap();
        assert_eq!(x.to_vec::<f64>().unwrap(), vec![1.0, 9.0, 2.0, 3.0, 9.0, 4.0]);
        assert!(matches!(x.masked_copy_(&m, &t(&[1.0], &[1])), Err(Error::Value(_))));
    }

    #[test]
    fn multinomial_without_replacement_is_a_permutation() {
        let mut g = Generator::new(1);
        let p = t(&[1.0, 2.0, 3.0, 4.0], &[4]);
        let mut s = multinomial(&mut g, &p, 4, false).unwrap().to_vec::<i64>().unwrap();
        s.sort_unstable();
        assert_eq!(s, vec![0, 1, 2, 3]);
        assert!(multinomial(&mut g, &p, 5, false).is_err());
        let two = t(&[0.0, 1.0, 1.0, 0.0], &[2, 2]);
        assert_eq!(
            multinomial(&mut g, &two, 3, true).unwrap().to_vec::<i64>().unwrap(),
            vec![1, 1, 1, 0, 0, 0]
        );
    }

    #[test]
    fn alias_setup_matches_torch7() {
        let (j, q) = multinomial_alias_setup(&t(&[0.1, 0.2, 0.3, 0.4], &[4])).unwrap();
        assert_eq!(j.to_vec::<i64>().unwrap(), vec![3, 3, 0, 2]);
        let q = q.to_vec::<f64>().unwrap();
        assert!((q[0] - 0.4).abs() < 1e-12 && (q[2] - 1.0).abs() < 1e-12);
    }
}
