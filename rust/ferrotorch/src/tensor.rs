//! `Tensor`: a storage plus a checked `Layout` (Torch7's THTensor).
//!
//! Every constructor and view checks that the layout stays inside the storage, and every kernel
//! re-checks the layout's extent against the block it holds (O(ndim)), so kernels then run
//! unchecked inside.

use crate::cpu::{self, PARALLEL_GRAIN};
use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::iter::Plan;
use crate::layout::{
    self, broadcast_shapes, contiguous_strides, size_string, wrap_dim, wrap_index, Dims, Layout,
};
use crate::random::Generator;
use crate::storage::{Storage, StorageView};
use crate::with_dtype;

/// A Python-facing number: integer tensors give `Int`, floating ones `Float`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Int(i64),
    Float(f64),
}

impl Scalar {
    /// Converts with Torch7's C-cast rules (`as`).
    pub fn cast<T: Element>(self) -> T {
        match self {
            Scalar::Int(v) => T::from_i64(v),
            Scalar::Float(v) => T::from_f64(v),
        }
    }

    /// The Python-style number for an element (int for integer types, float otherwise).
    pub fn of<T: Element>(v: T) -> Scalar {
        if T::DTYPE.is_floating_point() {
            Scalar::Float(v.to_f64())
        } else {
            Scalar::Int(v.to_i64())
        }
    }
}

/// A strided view of a storage. Cloning a `Tensor` gives another view of the same memory.
#[derive(Clone)]
pub struct Tensor {
    storage: Storage,
    layout: Layout,
}

impl Tensor {
    // ---------------------------------------------------------------- construction

    /// A tensor with no dimension (Torch7's `torch.DoubleTensor()`), over an empty storage.
    pub fn empty(dtype: DType) -> Tensor {
        let storage = Storage::new(dtype, 0).expect("an empty storage always fits");
        Tensor { storage, layout: Layout::contiguous(0, &[]) }
    }

    /// A new contiguous tensor of `sizes`, zero-filled (Torch7 left it uninitialised).
    pub fn zeros(dtype: DType, sizes: &[usize]) -> Result<Tensor> {
        let n = layout::checked_numel(sizes)?;
        Ok(Tensor { storage: Storage::new(dtype, n)?, layout: Layout::contiguous(0, sizes) })
    }

    /// A contiguous tensor holding a copy of `values` with `sizes`.
    pub fn from_slice<T: Element>(values: &[T], sizes: &[usize]) -> Result<Tensor> {
        let n = if sizes.is_empty() { 0 } else { layout::checked_numel(sizes)? };
        if n != values.len() {
            return Err(Error::Value(format!(
                "{} values do not fill a tensor of size {}",
                values.len(),
                size_string(sizes)
            )));
        }
        Ok(Tensor { storage: Storage::from_slice(values), layout: Layout::contiguous(0, sizes) })
    }

    /// Torch7's `Tensor(storage, storageOffset, sizes [, strides])` with a 0-based offset; strides
    /// default to contiguous. A view that would reach past the storage is a ValueError.
    pub fn from_storage(
        storage: Storage,
        offset: usize,
        sizes: &[usize],
        strides: Option<&[usize]>,
    ) -> Result<Tensor> {
        let strides: Dims = match strides {
            Some(s) if s.len() != sizes.len() => {
                return Err(Error::Value(format!(
                    "{} strides given for {} sizes ({})",
                    s.len(),
                    sizes.len(),
                    size_string(sizes)
                )))
            }
            Some(s) => Dims::from_slice(s),
            None => contiguous_strides(sizes),
        };
        layout::checked_numel(sizes)?;
        let layout = Layout { offset, sizes: Dims::from_slice(sizes), strides };
        check_fits(&layout, storage.size())?;
        Ok(Tensor { storage, layout })
    }

    // ---------------------------------------------------------------- queries

    pub fn dtype(&self) -> DType {
        self.storage.dtype()
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    pub fn sizes(&self) -> &[usize] {
        &self.layout.sizes
    }

    pub fn strides(&self) -> &[usize] {
        &self.layout.strides
    }

    /// 0-based storageOffset.
    pub fn storage_offset(&self) -> usize {
        self.layout.offset
    }

    pub fn ndim(&self) -> usize {
        self.layout.ndim()
    }

    pub fn numel(&self) -> usize {
        self.layout.numel()
    }

    /// Size of dim `dim` (negative counts from the end).
    pub fn size(&self, dim: i64) -> Result<usize> {
        Ok(self.layout.sizes[wrap_dim(dim, self.ndim())?])
    }

    pub fn stride(&self, dim: i64) -> Result<usize> {
        Ok(self.layout.strides[wrap_dim(dim, self.ndim())?])
    }

    pub fn is_contiguous(&self) -> bool {
        self.layout.is_contiguous()
    }

    pub fn is_same_size_as(&self, other: &Tensor) -> bool {
        self.sizes() == other.sizes()
    }

    /// Torch7's isSetTo: same storage, offset, sizes and strides.
    pub fn is_set_to(&self, other: &Tensor) -> bool {
        self.storage.ptr_eq(&other.storage) && self.layout == other.layout && self.ndim() > 0
    }

    /// The storage's current block, after checking that this tensor's elements all lie in it.
    pub fn checked_view(&self) -> Result<StorageView> {
        let view = self.storage.view();
        if let Some(end) = self.layout.extent() {
            if end > view.addressable() {
                return Err(Error::Runtime(format!(
                    "tensor of size {} at offset {} reaches element {} of a storage holding {}",
                    size_string(self.sizes()),
                    self.layout.offset,
                    end - 1,
                    view.addressable()
                )));
            }
        }
        Ok(view)
    }

    // ---------------------------------------------------------------- views

    fn with_layout(&self, layout: Layout) -> Tensor {
        Tensor { storage: self.storage.clone(), layout }
    }

    /// Another view of the same storage with any `layout`, checked to stay inside the storage
    /// (ValueError otherwise). For views the methods here do not cover.
    pub fn restrided(&self, layout: Layout) -> Result<Tensor> {
        layout::checked_numel(&layout.sizes)?;
        check_fits(&layout, self.storage.size())?;
        Ok(self.with_layout(layout))
    }

    fn need_dims(&self, what: &str) -> Result<()> {
        if self.ndim() == 0 {
            return Err(Error::Index(format!("{what}: the tensor has no dimension (empty tensor)")));
        }
        Ok(())
    }

    /// Removes dim `dim`, keeping slice `index` (Torch7's select; 1-D gives a 1-D-less tensor
    /// with no dimension, which the Python layer turns into a number).
    pub fn select(&self, dim: i64, index: i64) -> Result<Tensor> {
        self.need_dims("select")?;
        let d = wrap_dim(dim, self.ndim())?;
        let i = wrap_index(index, self.layout.sizes[d], d)?;
        Ok(self.with_layout(self.layout.select(d, i)))
    }

    /// Keeps `length` indices of dim `dim` from `start`.
    pub fn narrow(&self, dim: i64, start: i64, length: usize) -> Result<Tensor> {
        self.need_dims("narrow")?;
        let d = wrap_dim(dim, self.ndim())?;
        let size = self.layout.sizes[d];
        let s = if start < 0 { start + size as i64 } else { start };
        if s < 0 || s as usize > size || s as usize + length > size {
            return Err(Error::Index(format!(
                "narrow: start {start} with length {length} is out of range for dimension {d} of size {size} (tensor {})",
                size_string(self.sizes())
            )));
        }
        Ok(self.with_layout(self.layout.narrow(d, s as usize, length)))
    }

    /// Python's `t[start:stop:step]` on dim `dim` (bounds already clipped by the caller, as
    /// `slice.indices` does): `length` indices `start, start+step, ...`.
    pub fn slice(&self, dim: usize, start: usize, length: usize, step: usize) -> Result<Tensor> {
        let size = *self.layout.sizes.get(dim).ok_or_else(|| {
            Error::Index(format!("dimension {dim} out of range of {}D tensor", self.ndim()))
        })?;
        if step == 0 {
            return Err(Error::Value("slice step cannot be zero".into()));
        }
        if length > 0 && start + (length - 1) * step >= size {
            return Err(Error::Index(format!(
                "slice of {length} indices from {start} by {step} exceeds dimension {dim} of size {size}"
            )));
        }
        let mut layout = self.layout.narrow(dim, if length > 0 { start } else { 0 }, length);
        layout.strides[dim] *= step;
        Ok(self.with_layout(layout))
    }

    /// Torch7's sub: `(start, end)` inclusive pairs for the leading dims; negatives count from
    /// the end.
    pub fn sub(&self, ranges: &[(i64, i64)]) -> Result<Tensor> {
        if ranges.len() > self.ndim() {
            return Err(Error::Index(format!("sub: {} ranges for a {}D tensor", ranges.len(), self.ndim())));
        }
        let mut out = self.clone();
        for (d, &(s, e)) in ranges.iter().enumerate() {
            let size = self.layout.sizes[d];
            let s = wrap_index(s, size, d)?;
            let e = wrap_index(e, size, d)?;
            if e < s {
                return Err(Error::Index(format!(
                    "sub: end {e} is before start {s} in dimension {d} of size {size}"
                )));
            }
            out.layout = out.layout.narrow(d, s, e - s + 1);
        }
        Ok(out)
    }

    pub fn transpose(&self, d0: i64, d1: i64) -> Result<Tensor> {
        self.need_dims("transpose")?;
        let (a, b) = (wrap_dim(d0, self.ndim())?, wrap_dim(d1, self.ndim())?);
        Ok(self.with_layout(self.layout.transpose(a, b)))
    }

    /// Transpose of a 2-D tensor.
    pub fn t(&self) -> Result<Tensor> {
        if self.ndim() != 2 {
            return Err(Error::Value(format!(
                "t() needs a 2D tensor, got {}D (size {})",
                self.ndim(),
                size_string(self.sizes())
            )));
        }
        Ok(self.with_layout(self.layout.transpose(0, 1)))
    }

    pub fn permute(&self, dims: &[i64]) -> Result<Tensor> {
        let perm = dims.iter().map(|&d| wrap_dim(d, self.ndim())).collect::<Result<Vec<_>>>()?;
        Ok(self.with_layout(self.layout.permute(&perm)?))
    }

    pub fn unfold(&self, dim: i64, size: usize, step: usize) -> Result<Tensor> {
        self.need_dims("unfold")?;
        let d = wrap_dim(dim, self.ndim())?;
        Ok(self.with_layout(self.layout.unfold(d, size, step)?))
    }

    /// A view with new sizes (one may be -1). Needs a layout that can be seen that way without a
    /// copy; a contiguous tensor always can.
    pub fn view(&self, sizes: &[i64]) -> Result<Tensor> {
        let sizes = layout::infer_size(sizes, self.numel(), self.sizes())?;
        let strides = self.layout.view_strides(&sizes).ok_or_else(|| {
            Error::Value(format!(
                "view: a tensor of size {} with strides {:?} cannot be viewed as {} without a copy \
                 (call contiguous() first)",
                size_string(self.sizes()),
                self.strides(),
                size_string(&sizes)
            ))
        })?;
        Ok(self.with_layout(Layout { offset: self.layout.offset, sizes, strides }))
    }

    pub fn expand(&self, sizes: &[usize]) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.expand(sizes)?))
    }

    pub fn squeeze(&self, dim: Option<i64>) -> Result<Tensor> {
        let d = match dim {
            Some(d) => Some(wrap_dim(d, self.ndim())?),
            None => None,
        };
        Ok(self.with_layout(self.layout.squeeze(d)))
    }

    /// Inserts a size-1 dim at `dim` (negative counts from the end, numpy's rule).
    pub fn unsqueeze(&self, dim: i64) -> Result<Tensor> {
        let d = wrap_dim(dim, self.ndim() + 1)?;
        Ok(self.with_layout(self.layout.unsqueeze(d)))
    }

    /// Successive narrows of `size` along `dim` (the last may be shorter).
    pub fn split(&self, size: usize, dim: i64) -> Result<Vec<Tensor>> {
        self.need_dims("split")?;
        let d = wrap_dim(dim, self.ndim())?;
        if size == 0 {
            return Err(Error::Value("split: size must be > 0".into()));
        }
        let n = self.layout.sizes[d];
        Ok((0..n)
            .step_by(size)
            .map(|s| self.with_layout(self.layout.narrow(d, s, size.min(n - s))))
            .collect())
    }

    /// `split` with size `ceil(size(dim) / n)` (may give fewer than n pieces).
    pub fn chunk(&self, n: usize, dim: i64) -> Result<Vec<Tensor>> {
        self.need_dims("chunk")?;
        if n == 0 {
            return Err(Error::Value("chunk: the number of chunks must be > 0".into()));
        }
        let d = wrap_dim(dim, self.ndim())?;
        self.split(self.layout.sizes[d].div_ceil(n).max(1), dim)
    }

    // ---------------------------------------------------------------- element access

    fn element_offset(&self, index: &[i64]) -> Result<usize> {
        if index.len() != self.ndim() || self.ndim() == 0 {
            return Err(Error::Index(format!(
                "{} indices for a tensor of size {}",
                index.len(),
                size_string(self.sizes())
            )));
        }
        let mut off = self.layout.offset;
        for (d, &i) in index.iter().enumerate() {
            off += wrap_index(i, self.layout.sizes[d], d)? * self.layout.strides[d];
        }
        Ok(off)
    }

    /// The element at `index` (one entry per dim).
    pub fn get(&self, index: &[i64]) -> Result<Scalar> {
        let off = self.element_offset(index)?;
        let view = self.checked_view()?;
        Ok(with_dtype!(self.dtype(), T, {
            // SAFETY: off addresses an element of this checked layout.
            Scalar::of(unsafe { view.base::<T>().add(off).read() })
        }))
    }

    /// Sets the element at `index`.
    pub fn set(&self, index: &[i64], value: Scalar) -> Result<()> {
        let off = self.element_offset(index)?;
        let view = self.checked_view()?;
        with_dtype!(self.dtype(), T, {
            // SAFETY: off addresses an element of this checked layout.
            unsafe { view.base::<T>().add(off).write(value.cast::<T>()) }
        });
        Ok(())
    }

    /// The elements in row-major order, converted to `T`.
    pub fn to_vec<T: Element>(&self) -> Result<Vec<T>> {
        let out = Tensor::zeros(T::DTYPE, &[self.numel()])?;
        if self.numel() > 0 {
            out.view(&[-1])?.copy_from_row_major(self)?;
        }
        Ok(out.storage.to_vec())
    }

    // ---------------------------------------------------------------- writes

    /// ValueError for writes through an expanded (stride-0, size > 1) layout.
    pub fn check_writable(&self, what: &str) -> Result<()> {
        if self.layout.has_broadcast_dim() {
            return Err(Error::Value(format!(
                "{what}: cannot write into an expanded tensor (size {}, strides {:?}): several \
                 elements share memory; clone() it first",
                size_string(self.sizes()),
                self.strides()
            )));
        }
        Ok(())
    }

    /// Threads may split the writes only when no two elements share memory.
    pub fn write_grain(&self) -> usize {
        if self.layout.is_non_overlapping() {
            PARALLEL_GRAIN
        } else {
            usize::MAX
        }
    }

    /// Sets every element to `value`.
    pub fn fill_(&self, value: Scalar) -> Result<()> {
        self.check_writable("fill")?;
        if self.numel() == 0 {
            return Ok(());
        }
        let view = self.checked_view()?;
        let plan = Plan::new(self.sizes(), [self.layout.offset], [self.strides()]);
        with_dtype!(self.dtype(), T, {
            // SAFETY: the layout was checked against the block; grain honours overlap.
            unsafe { cpu::fill::fill_strided(view.base::<T>(), &plan, value.cast::<T>(), self.write_grain()) }
        });
        Ok(())
    }

    pub fn zero_(&self) -> Result<()> {
        self.fill_(Scalar::Int(0))
    }

    /// Torch7's copy with numpy broadcasting: `src` broadcasts to self's shape; otherwise equal
    /// element counts copy in row-major order; any element types.
    pub fn copy_(&self, src: &Tensor) -> Result<()> {
        self.check_writable("copy")?;
        if self.sizes() == src.sizes() {
            return self.copy_same_shape(src);
        }
        let broadcastable = src.ndim() <= self.ndim()
            && broadcast_shapes(self.sizes(), src.sizes()).is_ok_and(|s| s.as_slice() == self.sizes());
        if broadcastable && src.numel() > 0 {
            return self.copy_same_shape(&src.expand(self.sizes())?);
        }
        if self.numel() == src.numel() {
            return self.copy_from_row_major(src);
        }
        Err(Error::Value(format!(
            "copy: source of size {} ({} elements) neither broadcasts to nor has as many elements as \
             the destination of size {} ({} elements)",
            size_string(src.sizes()),
            src.numel(),
            size_string(self.sizes()),
            self.numel()
        )))
    }

    /// Row-major copy between tensors of equal element counts but different shapes.
    fn copy_from_row_major(&self, src: &Tensor) -> Result<()> {
        let shaped = if let Some(strides) = src.layout.view_strides(self.sizes()) {
            src.with_layout(Layout { offset: src.layout.offset, sizes: self.layout.sizes.clone(), strides })
        } else {
            let c = src.clone_contiguous()?;
            c.with_layout(Layout::contiguous(0, self.sizes()))
        };
        self.copy_same_shape(&shaped)
    }

    /// Copy between tensors of identical sizes (no broadcasting), through a temporary when
    /// they overlap.
    pub fn copy_same_shape(&self, src: &Tensor) -> Result<()> {
        if self.numel() == 0 {
            return Ok(());
        }
        let (dview, sview) = (self.checked_view()?, src.checked_view()?);
        if std::sync::Arc::ptr_eq(&dview.block, &sview.block) {
            let same = dview.offset + self.layout.offset == sview.offset + src.layout.offset
                && self.layout.strides == src.layout.strides
                && self.dtype() == src.dtype();
            if same {
                return Ok(()); // x.copy(x)
            }
            if ranges_overlap(&dview, &self.layout, &sview, &src.layout) {
                // DESIGN: an output overlapping its input goes through a temporary.
                return self.copy_same_shape(&src.clone_contiguous()?);
            }
        }
        let plan =
            Plan::new(self.sizes(), [self.layout.offset, src.layout.offset], [self.strides(), src.strides()]);
        let grain = self.write_grain();
        with_dtype!(self.dtype(), D, {
            with_dtype!(src.dtype(), S, {
                // SAFETY: both layouts were checked against their blocks, which the views keep
                // alive; overlapping memory was routed through a temporary above.
                unsafe { cpu::copy::copy_strided::<S, D>(dview.base::<D>(), sview.base::<S>(), &plan, grain) }
            })
        });
        Ok(())
    }

    /// A new contiguous tensor of the same type and values (Torch7's clone).
    pub fn clone_contiguous(&self) -> Result<Tensor> {
        self.to_dtype_copy(self.dtype())
    }

    /// Self when already contiguous, else a contiguous copy.
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            Ok(self.clone())
        } else {
            self.clone_contiguous()
        }
    }

    /// A contiguous copy converted to `dtype`.
    pub fn to_dtype_copy(&self, dtype: DType) -> Result<Tensor> {
        if self.ndim() == 0 {
            return Ok(Tensor::empty(dtype));
        }
        let out = Tensor::zeros(dtype, self.sizes())?;
        out.copy_same_shape(self)?;
        Ok(out)
    }

    /// Self when already of `dtype` (Torch7's `type(sameType)`), else a converted copy.
    pub fn to_dtype(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype() {
            Ok(self.clone())
        } else {
            self.to_dtype_copy(dtype)
        }
    }

    /// Torch7's resize: same sizes keep everything (strides too); other sizes become contiguous
    /// at the same offset, growing the storage if it is too small (never shrinking it).
    pub fn resize_(&mut self, sizes: &[usize]) -> Result<()> {
        if sizes == self.sizes() {
            return Ok(());
        }
        let numel = layout::checked_numel(sizes)?;
        let layout = Layout::contiguous(self.layout.offset, sizes);
        let needed = self.layout.offset.checked_add(numel).ok_or_else(|| {
            Error::Value(format!("resize: a tensor of size {} does not fit in memory", size_string(sizes)))
        })?;
        if needed > self.storage.size() {
            self.storage.resize(needed)?;
        }
        self.layout = layout;
        Ok(())
    }

    /// Makes self a view of `other`'s storage with `other`'s layout (Torch7's set(tensor)).
    pub fn set_(&mut self, other: &Tensor) {
        self.storage = other.storage.clone();
        self.layout = other.layout.clone();
    }

    /// Points self at `storage` (Torch7's set(storage, offset, sizes, strides)).
    pub fn set_storage_(
        &mut self,
        storage: Storage,
        offset: usize,
        sizes: &[usize],
        strides: Option<&[usize]>,
    ) -> Result<()> {
        *self = Tensor::from_storage(storage, offset, sizes, strides)?;
        Ok(())
    }

    /// A copy with new sizes (one may be -1); Torch7's reshape always copies.
    pub fn reshape(&self, sizes: &[i64]) -> Result<Tensor> {
        self.clone_contiguous()?.view(sizes)
    }

    /// Torch7's repeatTensor: tiles the tensor `reps[d]` times along each dim (leading 1s are
    /// added to the tensor's shape when `reps` is longer).
    pub fn repeat_tensor(&self, reps: &[usize]) -> Result<Tensor> {
        if reps.len() < self.ndim() {
            return Err(Error::Value(format!(
                "repeatTensor: {} repetitions for a {}D tensor (need at least {})",
                reps.len(),
                self.ndim(),
                self.ndim()
            )));
        }
        let lead = reps.len() - self.ndim();
        let padded: Vec<usize> =
            (0..reps.len()).map(|d| if d < lead { 1 } else { self.sizes()[d - lead] }).collect();
        let out_sizes: Vec<usize> =
            padded.iter().zip(reps).map(|(s, r)| s.checked_mul(*r)).collect::<Option<_>>().ok_or_else(
                || Error::Value(format!("repeatTensor: {reps:?} repetitions overflow the sizes")),
            )?;
        let out = Tensor::zeros(self.dtype(), &out_sizes)?;
        if out.numel() == 0 {
            return Ok(out);
        }
        // Seen as (r0, s0, r1, s1, ...), the result is the source broadcast along every r_d.
        let interleaved: Vec<usize> = padded.iter().zip(reps).flat_map(|(&s, &r)| [r, s]).collect();
        let src_sizes: Vec<i64> = padded.iter().flat_map(|&s| [1, s as i64]).collect();
        let src = self.contiguous()?.view(&src_sizes)?.expand(&interleaved)?;
        out.view(&interleaved.iter().map(|&x| x as i64).collect::<Vec<_>>())?.copy_same_shape(&src)?;
        Ok(out)
    }

    // ---------------------------------------------------------------- random fills

    /// Fills with values drawn one per element in row-major order (Torch7's order, so a seed
    /// gives the same tensor whatever the layout or thread count).
    pub fn fill_with(&self, mut draw: impl FnMut() -> f64) -> Result<()> {
        self.check_writable("random fill")?;
        if self.numel() == 0 {
            return Ok(());
        }
        let view = self.checked_view()?;
        let plan = Plan::new(self.sizes(), [self.layout.offset], [self.strides()]);
        let stride = plan.inner_stride(0);
        with_dtype!(self.dtype(), T, {
            let base = view.base::<T>();
            plan.for_each_run(0, plan.numel(), |[off], len| {
                for i in 0..len {
                    // SAFETY: the layout was checked against the block.
                    unsafe { base.add(off + i * stride).write(T::from_f64(draw())) }
                }
            })
        });
        Ok(())
    }

    /// Torch7's `x:uniform(a, b)`.
    pub fn uniform_(&self, gen: &mut Generator, a: f64, b: f64) -> Result<()> {
        self.fill_with(|| gen.uniform(a, b))
    }

    // ---------------------------------------------------------------- printing

    /// Torch7's printed form (0-based slice and column labels), without a trailing newline.
    pub fn to_torch_string(&self) -> Result<String> {
        let values = self.to_vec::<f64>()?;
        Ok(crate::format::tensor_to_string(&values, self.sizes(), &self.dtype().tensor_type_name()))
    }
}

impl std::fmt::Display for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.to_torch_string() {
            Ok(s) => f.write_str(&s),
            Err(e) => write!(f, "<tensor: {e}>"),
        }
    }
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Tensor({}, size {}, stride {:?}, offset {})",
            self.dtype().tensor_type_name(),
            size_string(self.sizes()),
            self.strides(),
            self.storage_offset()
        )
    }
}

/// A view must stay inside its storage: the largest element it reaches is below `storage_size`,
/// and an element-less view still starts at most at its end.
fn check_fits(layout: &Layout, storage_size: usize) -> Result<()> {
    match layout.extent() {
        Some(end) if end > storage_size => Err(Error::Value(format!(
            "a view of size {} with strides {:?} at offset {} needs {} elements but the storage has {}",
            size_string(&layout.sizes),
            layout.strides.as_slice(),
            layout.offset,
            end,
            storage_size
        ))),
        None if layout.offset > storage_size => Err(Error::Value(format!(
            "storage offset {} is past the end of a storage of size {}",
            layout.offset, storage_size
        ))),
        _ => Ok(()),
    }
}

/// Whether two layouts over the same block may touch a common byte (by their address ranges).
fn ranges_overlap(a: &StorageView, la: &Layout, b: &StorageView, lb: &Layout) -> bool {
    let span = |v: &StorageView, l: &Layout| {
        let start = (v.offset + l.offset) * v.block.dtype().element_size();
        let end = (v.offset + l.extent().unwrap_or(l.offset)) * v.block.dtype().element_size();
        (start, end)
    };
    let ((s0, e0), (s1, e1)) = (span(a, la), span(b, lb));
    s0 < e1 && s1 < e0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(n: usize, sizes: &[usize]) -> Tensor {
        let v: Vec<f64> = (0..n).map(|x| x as f64).collect();
        Tensor::from_slice(&v, sizes).unwrap()
    }

    #[test]
    fn select_fill_shows_in_parent() {
        let a = Tensor::zeros(DType::Double, &[4, 6]).unwrap();
        a.select(0, 2).unwrap().fill_(Scalar::Float(3.0)).unwrap();
        let v = a.to_vec::<f64>().unwrap();
        assert_eq!(&v[12..18], &[3.0; 6]);
        assert_eq!(v.iter().sum::<f64>(), 18.0);
    }

    #[test]
    fn views_stay_in_bounds() {
        let s = Storage::new(DType::Float, 10).unwrap();
        assert!(Tensor::from_storage(s.clone(), 0, &[2, 5], None).is_ok());
        assert!(matches!(Tensor::from_storage(s.clone(), 1, &[2, 5], None), Err(Error::Value(_))));
        assert!(matches!(Tensor::from_storage(s.clone(), 0, &[3], Some(&[5])), Err(Error::Value(_))));
        assert!(Tensor::from_storage(s.clone(), 10, &[0], None).is_ok());
        assert!(Tensor::from_storage(s, 11, &[0], None).is_err());
        let t = range(6, &[2, 3]);
        assert!(matches!(t.select(0, 2), Err(Error::Index(_))));
        assert!(matches!(t.narrow(1, 2, 2), Err(Error::Index(_))));
        assert!(matches!(t.transpose(0, 2), Err(Error::Index(_))));
    }

    #[test]
    fn transposed_copy_and_clone() {
        let a = range(12, &[3, 4]);
        let c = a.t().unwrap().clone_contiguous().unwrap();
        assert_eq!(c.sizes(), &[4, 3]);
        assert_eq!(c.to_vec::<i64>().unwrap(), vec![0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
    }

    #[test]
    fn copy_broadcasts_then_falls_back_to_row_major() {
        let dst = Tensor::zeros(DType::Int, &[2, 3]).unwrap();
        dst.copy_(&range(3, &[3])).unwrap();
        assert_eq!(dst.to_vec::<i64>().unwrap(), vec![0, 1, 2, 0, 1, 2]);
        dst.copy_(&range(6, &[6])).unwrap();
        assert_eq!(dst.to_vec::<i64>().unwrap(), vec![0, 1, 2, 3, 4, 5]);
        assert!(matches!(dst.copy_(&range(4, &[4])), Err(Error::Value(_))));
    }

    #[test]
    fn overlapping_copy_goes_through_a_temporary() {
        let a = range(9, &[3, 3]);
        a.copy_(&a.t().unwrap()).unwrap();
        assert_eq!(a.to_vec::<i64>().unwrap(), vec![0, 3, 6, 1, 4, 7, 2, 5, 8]);
        let b = range(5, &[5]);
        b.narrow(0, 1, 4).unwrap().copy_(&b.narrow(0, 0, 4).unwrap()).unwrap();
        assert_eq!(b.to_vec::<i64>().unwrap(), vec![0, 0, 1, 2, 3]);
    }

    #[test]
    fn sizes_that_overflow_or_expand_nothing_are_refused() {
        let one = Tensor::zeros(DType::Double, &[1]).unwrap();
        assert!(matches!(one.expand(&[1 << 32, 1 << 32]), Err(Error::Value(_))));
        assert!(matches!(Tensor::empty(DType::Double).expand(&[2, 3]), Err(Error::Value(_))));
        assert!(matches!(one.view(&[]), Err(Error::Value(_))));
        let s = Storage::new(DType::Double, 4).unwrap();
        assert!(Tensor::from_storage(s, 0, &[1 << 32, 1 << 32], Some(&[0, 0])).is_err());
        assert!(Tensor::zeros(DType::Double, &[3, 0]).unwrap().is_contiguous());
    }

    #[test]
    fn expanded_views_refuse_writes() {
        let a = range(3, &[1, 3]).expand(&[4, 3]).unwrap();
        assert!(matches!(a.fill_(Scalar::Int(1)), Err(Error::Value(_))));
    }

    #[test]
    fn resize_grows_storage_and_keeps_same_size() {
        let mut a = range(6, &[2, 3]);
        let t = a.t().unwrap();
        let mut tt = t.clone();
        tt.resize_(&[3, 2]).unwrap();
        assert_eq!(tt.strides(), &[1, 3]); // same sizes: strides kept
        a.resize_(&[4, 4]).unwrap();
        assert_eq!(a.storage().size(), 16);
        assert_eq!(a.to_vec::<i64>().unwrap()[..6], [0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn view_repeat_and_reshape() {
        let a = range(6, &[2, 3]);
        assert_eq!(a.view(&[3, -1]).unwrap().sizes(), &[3, 2]);
        assert!(a.t().unwrap().view(&[6]).is_err());
        let r = range(2, &[2]).repeat_tensor(&[2, 3]).unwrap();
        assert_eq!(r.sizes(), &[2, 6]);
        assert_eq!(r.to_vec::<i64>().unwrap(), vec![0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1]);
        assert_eq!(a.t().unwrap().reshape(&[6]).unwrap().to_vec::<i64>().unwrap(), vec![0, 3, 1, 4, 2, 5]);
    }

    #[test]
    fn uniform_matches_torch7_first_value() {
        let mut g = Generator::new(123);
        let t = Tensor::zeros(DType::Double, &[2]).unwrap();
        t.uniform_(&mut g, 0.0, 1.0).unwrap();
        assert_eq!(t.get(&[0]).unwrap(), Scalar::Float(0.6964691872708499));
    }
}
