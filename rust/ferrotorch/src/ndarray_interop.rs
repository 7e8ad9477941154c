//! ndarray interop for Rust embedders (cargo feature `ndarray`, on by default): a tensor of any
//! element type seen as an `ndarray::ArrayViewD` / `ArrayViewMutD` without a copy (strides carried
//! over, stride-0 expansions included), and a tensor made from an owned `ArrayD` without a copy
//! where its layout allows.
//!
//! A view holds an export of the storage (as a numpy array or DLPack capsule does): while it
//! lives, growing the storage through any handle is refused with `Error::Buffer`, and the tensor
//! it came from is borrowed (`&` for a view, `&mut` for a mutable one), so `resize_` on it does
//! not compile. Shrinking never moves memory, so the view's elements stay valid either way.
//!
//! ```
//! use ferrotorch::{DType, Scalar, Tensor};
//! let t = Tensor::zeros(DType::Float, &[2, 3]).unwrap();
//! t.fill_(Scalar::Float(1.5)).unwrap();
//! let tt = t.t().unwrap();
//! let v = tt.as_ndarray::<f32>().unwrap();
//! assert_eq!(v.view().shape(), &[3, 2]);
//! assert_eq!(v.view().strides(), &[1, 3]); // the transpose's strides, no copy
//! assert_eq!(v.view().sum(), 9.0);
//! ```

use crate::dtype::Element;
use crate::error::{Error, Result};
use crate::layout::size_string;
use crate::storage::{Block, Storage, StorageView};
use crate::tensor::Tensor;
use ndarray::{ArrayD, ArrayViewD, ArrayViewMutD, IxDyn, ShapeBuilder};
use std::marker::PhantomData;
use std::ptr::NonNull;

/// Keeps a storage exported (growth refused) and its current block alive while a view lives.
struct Export {
    storage: Storage,
    _block: StorageView,
}

impl Export {
    fn new(t: &Tensor) -> Result<Export> {
        let block = t.checked_view()?;
        t.storage().acquire_export();
        Ok(Export { storage: t.storage().clone(), _block: block })
    }
}

impl Drop for Export {
    fn drop(&mut self) {
        self.storage.release_export();
    }
}

/// Shape and strides of a tensor for ndarray: Torch7's no-dimension tensor holds no element, so
/// it becomes a 1-D array of length 0 (a 0-D ndarray would hold one).
fn nd_shape(t: &Tensor) -> (Vec<usize>, Vec<usize>) {
    if t.ndim() == 0 {
        return (vec![0], vec![1]);
    }
    (t.sizes().to_vec(), t.strides().to_vec())
}

/// True when no two indices of (sizes, strides) name the same element: sorted by stride, each
/// stride must step past everything the smaller ones reach.
fn is_non_overlapping(sizes: &[usize], strides: &[usize]) -> bool {
    if sizes.contains(&0) {
        return true;
    }
    let mut dims: Vec<(usize, usize)> =
        sizes.iter().zip(strides).filter(|(&n, _)| n > 1).map(|(&n, &s)| (s, n)).collect();
    dims.sort_unstable();
    let mut reach = 0usize; // the largest offset the dims so far can reach
    for (stride, n) in dims {
        if stride <= reach {
            return false;
        }
        reach += stride * (n - 1);
    }
    true
}

fn check_type<T: Element>(t: &Tensor, what: &str) -> Result<()> {
    if T::DTYPE != t.dtype() {
        return Err(Error::Type(format!(
            "{what}: the tensor is a {} but the view asks for {:?} elements",
            t.dtype().tensor_type_name(),
            T::DTYPE
        )));
    }
    Ok(())
}

/// A read-only ndarray view of a tensor; `view()` gives the `ArrayViewD`. Growing the storage is
/// refused while this lives.
pub struct NdView<'a, T: Element> {
    ptr: NonNull<T>,
    shape: Vec<usize>,
    strides: Vec<usize>,
    _export: Export,
    _tensor: PhantomData<&'a Tensor>,
}

impl<T: Element> NdView<'_, T> {
    /// The array view, borrowed from this guard (so it cannot outlive the export).
    pub fn view(&self) -> ArrayViewD<'_, T> {
        // SAFETY: ptr points at the tensor's first element inside the block `_export` keeps alive
        // and from being swapped (growth is refused while exported; shrinking never frees);
        // checked_view checked that every (non-negative) offset lies in the block, which is one
        // allocation, so every byte offset fits in isize and the pointer is aligned for T.
        // Writes through other handles while this view is read are the aliasing the engine allows
        // everywhere (as numpy does); stride-0 dims are fine for a read-only view.
        unsafe {
            ArrayViewD::from_shape_ptr(
                IxDyn(&self.shape).strides(IxDyn(&self.strides)),
                self.ptr.as_ptr() as *const T,
            )
        }
    }
}

/// A mutable ndarray view of a tensor whose elements do not overlap; `view_mut()` gives the
/// `ArrayViewMutD`. The tensor is borrowed mutably and growth of its storage is refused while
/// this lives.
pub struct NdViewMut<'a, T: Element> {
    ptr: NonNull<T>,
    shape: Vec<usize>,
    strides: Vec<usize>,
    _export: Export,
    _tensor: PhantomData<&'a mut Tensor>,
}

impl<T: Element> NdViewMut<'_, T> {
    /// The array view, read-only.
    pub fn view(&self) -> ArrayViewD<'_, T> {
        // SAFETY: as NdView::view.
        unsafe {
            ArrayViewD::from_shape_ptr(
                IxDyn(&self.shape).strides(IxDyn(&self.strides)),
                self.ptr.as_ptr() as *const T,
            )
        }
    }

    /// The mutable array view, borrowed from this guard.
    pub fn view_mut(&mut self) -> ArrayViewMutD<'_, T> {
        // SAFETY: as NdView::view, and as_ndarray_mut checked that no two indices name the same
        // element (ndarray's requirement for mutable views); the &mut borrow of self makes this
        // the only view handed out by this guard at a time.
        unsafe {
            ArrayViewMutD::from_shape_ptr(IxDyn(&self.shape).strides(IxDyn(&self.strides)), self.ptr.as_ptr())
        }
    }
}

fn base_ptr<T: Element>(t: &Tensor, export: &Export) -> NonNull<T> {
    // SAFETY: offset <= block capacity (checked_view), so this stays inside or one past the block.
    let p = unsafe { export._block.base::<T>().add(t.storage_offset()) };
    NonNull::new(p).expect("block pointers are never null")
}

impl Tensor {
    /// This tensor as an `ndarray` view of `T` elements (its own type, else `Error::Type`), with
    /// its sizes and strides (stride 0 included) and no copy.
    pub fn as_ndarray<T: Element>(&self) -> Result<NdView<'_, T>> {
        check_type::<T>(self, "as_ndarray")?;
        let export = Export::new(self)?;
        let (shape, strides) = nd_shape(self);
        Ok(NdView { ptr: base_ptr(self, &export), shape, strides, _export: export, _tensor: PhantomData })
    }

    /// This tensor as a mutable `ndarray` view (no copy). Refused (`Error::Value`) when two indices
    /// name the same element (an expanded, stride-0 tensor) since ndarray forbids that for
    /// mutable views, and for read-only tensors.
    pub fn as_ndarray_mut<T: Element>(&mut self) -> Result<NdViewMut<'_, T>> {
        check_type::<T>(self, "as_ndarray_mut")?;
        self.check_writable("as_ndarray_mut")?;
        let (shape, strides) = nd_shape(self);
        if !is_non_overlapping(&shape, &strides) {
            return Err(Error::Value(format!(
                "as_ndarray_mut: a tensor of size {} and stride {} has elements at the same \
                 address (an expansion?); view it read-only or make it contiguous first",
                size_string(self.sizes()),
                size_string(self.strides())
            )));
        }
        let export = Export::new(self)?;
        Ok(NdViewMut { ptr: base_ptr(self, &export), shape, strides, _export: export, _tensor: PhantomData })
    }

    /// A tensor over an owned `ndarray` array: its buffer becomes the storage, with no copy, and
    /// its strides are kept. Only a layout with a negative stride is copied (to row-major), since
    /// Torch7 strides are non-negative. A 0-D array becomes a 1-D tensor of one element.
    pub fn from_ndarray<T: Element>(array: ArrayD<T>) -> Result<Tensor> {
        let array = if array.strides().iter().any(|&s| s < 0) {
            array.as_standard_layout().into_owned()
        } else {
            array
        };
        let (sizes, strides): (Vec<usize>, Vec<usize>) = if array.ndim() == 0 {
            (vec![1], vec![1])
        } else {
            (array.shape().to_vec(), array.strides().iter().map(|&s| s as usize).collect())
        };
        let (mut vec, offset) = array.into_raw_vec_and_offset();
        let (ptr, len) = (vec.as_mut_ptr(), vec.len());
        let ptr = NonNull::new(ptr as *mut u8).expect("a Vec's pointer is never null");
        // SAFETY: the Vec's buffer holds len initialised, aligned T for as long as the Vec lives,
        // and the block owns the Vec (moving a Vec into a Box does not move its buffer).
        let block = unsafe { Block::foreign(T::DTYPE, ptr, len, Box::new(vec)) };
        let storage = Storage::from_block_window(block, 0, len)?;
        Tensor::from_storage(storage, offset.unwrap_or(0), &sizes, Some(&strides))
    }

    /// A copy of this tensor as an owned row-major `ArrayD` (any layout).
    pub fn to_ndarray<T: Element>(&self) -> Result<ArrayD<T>> {
        let v = self.as_ndarray::<T>()?;
        Ok(v.view().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DType, Scalar};
    use ndarray::{arr2, s, Array, Axis};

    fn ramp(sizes: &[usize]) -> Tensor {
        let n: usize = sizes.iter().product();
        Tensor::from_slice(&(0..n).map(|x| x as f64).collect::<Vec<_>>(), sizes).unwrap()
    }

    #[test]
    fn views_carry_strides_and_share_memory() {
        let a = ramp(&[3, 4]);
        let col = a.select(1, 2).unwrap(); // stride 4
        let v = col.as_ndarray::<f64>().unwrap();
        assert_eq!(v.view().strides(), &[4]);
        assert_eq!(v.view().iter().copied().collect::<Vec<_>>(), vec![2.0, 6.0, 10.0]);
        let t = a.t().unwrap();
        let tv = t.as_ndarray::<f64>().unwrap();
        assert_eq!(
            tv.view(),
            arr2(&[[0.0, 4.0, 8.0], [1.0, 5.0, 9.0], [2.0, 6.0, 10.0], [3.0, 7.0, 11.0]]).into_dyn()
        );
        // same memory: the view's first element is the tensor's
        assert_eq!(tv.view().as_ptr(), v.view().as_ptr().wrapping_sub(2));
    }

    #[test]
    fn expanded_views_have_stride_zero_and_refuse_mut() {
        let row = ramp(&[1, 3]);
        let mut e = row.expand(&[4, 3]).unwrap();
        assert_eq!(e.as_ndarray::<f64>().unwrap().view().strides(), &[0, 1]);
        assert_eq!(
            e.as_ndarray::<f64>().unwrap().view().sum_axis(Axis(0)).iter().copied().collect::<Vec<_>>(),
            vec![0.0, 4.0, 8.0]
        );
        assert!(matches!(e.as_ndarray_mut::<f64>(), Err(Error::Value(_))));
    }

    #[test]
    fn mutable_views_write_through() {
        let a = ramp(&[2, 3]);
        let mut t = a.t().unwrap();
        {
            let mut g = t.as_ndarray_mut::<f64>().unwrap();
            let mut m = g.view_mut();
            m.slice_mut(s![.., 1]).fill(-1.0);
        }
        assert_eq!(a.to_vec::<f64>().unwrap(), vec![0.0, 1.0, 2.0, -1.0, -1.0, -1.0]);
    }

    #[test]
    fn growth_is_refused_while_a_view_lives() {
        let t = ramp(&[4]);
        let s = t.storage().clone();
        let v = t.as_ndarray::<f64>().unwrap();
        assert!(matches!(s.resize(100), Err(Error::Buffer(_))));
        s.resize(1).unwrap(); // shrinking moves nothing
        assert_eq!(v.view().iter().copied().collect::<Vec<_>>(), vec![0.0, 1.0, 2.0, 3.0]);
        drop(v);
        s.resize(100).unwrap();
    }

    #[test]
    fn wrong_type_and_empty() {
        let t = ramp(&[2]);
        assert!(matches!(t.as_ndarray::<f32>(), Err(Error::Type(_))));
        let e = Tensor::empty(DType::Int);
        assert_eq!(e.as_ndarray::<i32>().unwrap().view().shape(), &[0]);
    }

    #[test]
    fn from_owned_array_without_copy() {
        let a = Array::from_shape_vec((2, 3), vec![1f32, 2., 3., 4., 5., 6.]).unwrap().into_dyn();
        let p = a.as_ptr();
        let t = Tensor::from_ndarray(a).unwrap();
        assert_eq!(t.sizes(), &[2, 3]);
        assert_eq!(t.as_ndarray::<f32>().unwrap().view().as_ptr(), p, "no copy");
        t.fill_(Scalar::Float(2.0)).unwrap();
        assert_eq!(t.to_ndarray::<f32>().unwrap().sum(), 12.0);
        // a transposed (column-major) array keeps its strides and buffer
        let c = Array::from_shape_vec((2, 3), (0..6).map(|x| x as i64).collect()).unwrap().reversed_axes();
        let cp = c.as_ptr();
        let t = Tensor::from_ndarray(c.into_dyn()).unwrap();
        assert_eq!((t.sizes(), t.strides()), (&[3usize, 2][..], &[1usize, 3][..]));
        assert_eq!(t.as_ndarray::<i64>().unwrap().view().as_ptr(), cp);
        assert_eq!(t.get(&[2, 1]).unwrap(), Scalar::Int(5));
        // a negative stride is copied to row-major
        let mut r = Array::from_shape_vec(3, vec![1u8, 2, 3]).unwrap();
        r.invert_axis(Axis(0));
        let t = Tensor::from_ndarray(r.into_dyn()).unwrap();
        assert_eq!(t.to_vec::<u8>().unwrap(), vec![3, 2, 1]);
        // an offset view's array (sliced, then owned by slicing in place) keeps its offset
        let mut o = Array::from_shape_vec(5, vec![0f64, 1., 2., 3., 4.]).unwrap();
        o.slice_collapse(s![2..]);
        let t = Tensor::from_ndarray(o.into_dyn()).unwrap();
        assert_eq!((t.storage_offset(), t.to_vec::<f64>().unwrap()), (2, vec![2.0, 3.0, 4.0]));
    }

    #[test]
    fn overlap_rule() {
        assert!(is_non_overlapping(&[3, 4], &[4, 1]));
        assert!(is_non_overlapping(&[4, 3], &[1, 4]));
        assert!(!is_non_overlapping(&[3, 4], &[0, 1]));
        assert!(!is_non_overlapping(&[3, 3], &[1, 2])); // unfold-like overlap
        assert!(is_non_overlapping(&[1, 5], &[0, 1]));
    }
}
