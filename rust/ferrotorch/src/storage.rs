//! Storages: typed, reference-counted blocks of memory that tensors view.
//!
//! Invariants (docs/ARCHITECTURE.md explains why):
//! - A `Block` is one allocation that never moves and never shrinks while anybody holds it.
//! - A `Storage` names a window `[offset, offset + size)` of its current block; `offset + size`
//!   never exceeds the block's capacity.
//! - `resize` below the size only lowers the reported size; growing back up to the largest size
//!   the window has had (`reach`) raises it again in place; growing further swaps in a new block
//!   holding every element of `[0, reach)` (a live tensor view may still read and write elements
//!   past a shrunken size, so those must move too, not just the current size). Kernels hold an `Arc<Block>` while they run, so a concurrent resize can never
//!   free memory under them. Growing is refused while the memory is exported (numpy, buffer, DLPack).

use crate::dtype::{DType, Element};
use crate::error::{Error, Result};
use crate::tensor::Scalar;
use crate::with_dtype;
use std::alloc::{self, Layout as AllocLayout};
use std::any::Any;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

/// Alignment of every block we allocate. 16 is the system allocator's own alignment, which lets
/// `alloc_zeroed` become `calloc` (fresh zero pages from the OS, no memset); a larger alignment
/// makes Rust zero the block by hand, which doubled the cost of `clone` on 16M floats. Vector
/// kernels use unaligned loads, so nothing needs more.
const BLOCK_ALIGN: usize = 16;

enum Owner {
    /// Allocated here with this layout; freed on drop.
    Native(AllocLayout),
    /// Memory owned by someone else (a numpy array, a DLPack producer); dropping the box releases it.
    Foreign(#[allow(dead_code)] Box<dyn Any + Send + Sync>),
    /// Zero bytes: a dangling, aligned pointer that is never dereferenced.
    Empty,
}

/// One allocation of `capacity` elements of `dtype`.
pub struct Block {
    ptr: NonNull<u8>,
    capacity: usize,
    dtype: DType,
    owner: Owner,
}

// SAFETY: a Block is plain memory; the owner box is Send + Sync. Concurrent writes from several
// threads to the same elements are a data race the user asked for (as in numpy and Torch7); every
// kernel of ours partitions its writes so that its own threads never overlap.
unsafe impl Send for Block {}
unsafe impl Sync for Block {}

impl Block {
    /// A zero-filled block (calloc: big blocks come as lazily mapped zero pages, so this costs
    /// no more than uninitialised memory would, and no one can ever read uninitialised bytes).
    pub fn zeroed(dtype: DType, capacity: usize) -> Result<Block> {
        let bytes = capacity
            .checked_mul(dtype.element_size())
            .filter(|b| *b <= isize::MAX as usize - BLOCK_ALIGN)
            .ok_or_else(|| Error::Value(format!("storage of {capacity} elements is too large")))?;
        if bytes == 0 {
            let ptr = NonNull::new(BLOCK_ALIGN as *mut u8).expect("non-zero");
            return Ok(Block { ptr, capacity, dtype, owner: Owner::Empty });
        }
        let layout = AllocLayout::from_size_align(bytes, BLOCK_ALIGN)
            .map_err(|e| Error::Value(format!("bad storage layout: {e}")))?;
        // SAFETY: layout has a non-zero size.
        let raw = unsafe { alloc::alloc_zeroed(layout) };
        let ptr = NonNull::new(raw).ok_or_else(|| {
            Error::Runtime(format!("out of memory allocating {bytes} bytes for {capacity} elements"))
        })?;
        advise_huge_pages(raw, bytes);
        Ok(Block { ptr, capacity, dtype, owner: Owner::Native(layout) })
    }

    /// Wraps memory that someone else owns.
    ///
    /// # Safety
    /// `ptr` must be valid for reads and writes of `capacity` elements of `dtype`, aligned for that
    /// type, for as long as `owner` lives; dropping `owner` may release it.
    pub unsafe fn foreign(
        dtype: DType,
        ptr: NonNull<u8>,
        capacity: usize,
        owner: Box<dyn Any + Send + Sync>,
    ) -> Block {
        Block { ptr, capacity, dtype, owner: Owner::Foreign(owner) }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Base pointer of the block.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Typed base pointer; `T` must be this block's element type.
    pub fn typed_ptr<T: Element>(&self) -> *mut T {
        assert_eq!(T::DTYPE, self.dtype, "typed_ptr used with the wrong element type");
        self.ptr.as_ptr() as *mut T
    }
}

/// An empty Vec with room for `n` elements, or a `Value` error naming `what` when they cannot
/// fit in memory (a count past the address space, or one the allocator refuses). Used wherever a
/// user-given count sizes a working buffer, so a huge count is an error, never an abort.
pub fn try_vec<T>(n: usize, what: &str) -> Result<Vec<T>> {
    let fits = n.checked_mul(std::mem::size_of::<T>()).is_some_and(|b| b <= isize::MAX as usize);
    let mut v = Vec::new();
    if !fits || v.try_reserve_exact(n).is_err() {
        return Err(Error::Value(format!(
            "{what}: {n} elements of {} bytes cannot fit in memory",
            std::mem::size_of::<T>()
        )));
    }
    Ok(v)
}

/// Blocks at least this large ask the kernel for transparent huge pages (numpy does the same):
/// first-touch page faults then come 512 times less often, which is most of the cost of filling a
/// fresh 64 MiB block.
const HUGE_PAGE_MIN_BYTES: usize = 4 << 20;

#[cfg(target_os = "linux")]
fn advise_huge_pages(ptr: *mut u8, bytes: usize) {
    if bytes < HUGE_PAGE_MIN_BYTES {
        return;
    }
    const PAGE: usize = 4096;
    let start = (ptr as usize).next_multiple_of(PAGE);
    let end = (ptr as usize + bytes) & !(PAGE - 1);
    if end > start {
        // SAFETY: [start, end) lies inside the allocation we just made; madvise only changes how
        // the kernel backs those pages, never their contents. A failure is harmless.
        unsafe { libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE) };
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_ptr: *mut u8, _bytes: usize) {}

impl Drop for Block {
    fn drop(&mut self) {
        if let Owner::Native(layout) = self.owner {
            // SAFETY: allocated by alloc_zeroed with exactly this layout.
            unsafe { alloc::dealloc(self.ptr.as_ptr(), layout) }
        }
    }
}

/// The window of a block a storage currently names.
#[derive(Clone)]
pub struct StorageView {
    pub block: Arc<Block>,
    /// Offset of element 0 of the storage inside the block, in elements.
    pub offset: usize,
    pub size: usize,
    /// The largest size this window has had since its block was swapped in (>= size): tensors
    /// made before a shrink may still reach elements `[size, reach)`, so a grow must carry them.
    pub reach: usize,
}

impl StorageView {
    /// Pointer to element 0 of the storage.
    pub fn base<T: Element>(&self) -> *mut T {
        // SAFETY: offset <= capacity by the storage invariant, so this stays inside (or one past)
        // the allocation.
        unsafe { self.block.typed_ptr::<T>().add(self.offset) }
    }

    /// Elements addressable from element 0 of the storage (the block may be larger than `size`).
    pub fn addressable(&self) -> usize {
        self.block.capacity() - self.offset
    }
}

struct StorageCell {
    dtype: DType,
    view: RwLock<StorageView>,
    exports: AtomicUsize,
}

/// A typed, reference-counted, resizable block of memory (Torch7's `THStorage`). Cloning a
/// `Storage` clones the handle: both name the same memory.
#[derive(Clone)]
pub struct Storage(Arc<StorageCell>);

impl Storage {
    fn from_block(block: Block, offset: usize, size: usize) -> Storage {
        let dtype = block.dtype();
        debug_assert!(offset + size <= block.capacity());
        Storage(Arc::new(StorageCell {
            dtype,
            view: RwLock::new(StorageView { block: Arc::new(block), offset, size, reach: size }),
            exports: AtomicUsize::new(0),
        }))
    }

    /// A zero-filled storage of `size` elements.
    pub fn new(dtype: DType, size: usize) -> Result<Storage> {
        Ok(Storage::from_block(Block::zeroed(dtype, size)?, 0, size))
    }

    /// A storage holding a copy of `values`.
    pub fn from_slice<T: Element>(values: &[T]) -> Storage {
        let storage = Storage::new(T::DTYPE, values.len()).expect("a slice always fits in memory");
        let view = storage.view();
        // SAFETY: the fresh block holds values.len() elements of T and nobody else sees it yet.
        unsafe { std::ptr::copy_nonoverlapping(values.as_ptr(), view.base::<T>(), values.len()) };
        storage
    }

    /// A storage over memory owned elsewhere (see `Block::foreign`).
    pub fn from_block_window(block: Block, offset: usize, size: usize) -> Result<Storage> {
        if offset.checked_add(size).is_none_or(|end| end > block.capacity()) {
            return Err(Error::Value(format!(
                "storage window [{offset}, {offset}+{size}) exceeds a block of {} elements",
                block.capacity()
            )));
        }
        Ok(Storage::from_block(block, offset, size))
    }

    /// Torch7's `Storage(storage, offset, size)`: a new storage naming part of `parent`'s current
    /// block (0-based `offset`). It keeps that block alive; if `parent` later grows into a new
    /// block, this view stays on the old one.
    pub fn window(parent: &Storage, offset: usize, size: Option<usize>) -> Result<Storage> {
        let pv = parent.view();
        if offset > pv.size || (offset == pv.size && pv.size > 0) {
            return Err(Error::Index(format!(
                "storage view offset {offset} out of bounds for a storage of size {}",
                pv.size
            )));
        }
        let size = size.unwrap_or(pv.size - offset);
        if offset + size > pv.size {
            return Err(Error::Value(format!(
                "storage view of size {size} at offset {offset} exceeds a storage of size {}",
                pv.size
            )));
        }
        Ok(Storage(Arc::new(StorageCell {
            dtype: parent.dtype(),
            view: RwLock::new(StorageView {
                block: pv.block.clone(),
                offset: pv.offset + offset,
                size,
                reach: size,
            }),
            exports: AtomicUsize::new(0),
        })))
    }

    pub fn dtype(&self) -> DType {
        self.0.dtype
    }

    /// A snapshot of the current window; holding it keeps the block alive.
    pub fn view(&self) -> StorageView {
        self.0.view.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn size(&self) -> usize {
        self.0.view.read().unwrap_or_else(|p| p.into_inner()).size
    }

    /// Same storage object (not merely equal contents).
    pub fn ptr_eq(&self, other: &Storage) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }

    /// A stable identity for this storage (used for pickling and `isSetTo`).
    pub fn id(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// Counts a live export of this memory (numpy array, buffer view, DLPack capsule).
    pub fn acquire_export(&self) {
        self.0.exports.fetch_add(1, Ordering::AcqRel);
    }

    /// Ends one export started by `acquire_export`.
    pub fn release_export(&self) {
        self.0.exports.fetch_sub(1, Ordering::AcqRel);
    }

    pub fn export_count(&self) -> usize {
        self.0.exports.load(Ordering::Acquire)
    }

    /// Torch7's `resize(n)`. Shrinking lowers the size only (the block stays, so views stay valid);
    /// growing back within `reach` raises it in place (views wrote there, nothing moves); growing
    /// past it moves every reachable element into a new block, refused while the memory is
    /// exported.
    pub fn resize(&self, new_size: usize) -> Result<()> {
        let mut guard = self.0.view.write().unwrap_or_else(|p| p.into_inner());
        if new_size <= guard.reach {
            guard.size = new_size;
            return Ok(());
        }
        let exports = self.0.exports.load(Ordering::Acquire);
        if exports > 0 {
            return Err(Error::Buffer(format!(
                "cannot grow a storage of size {} to {new_size}: its memory is exported \
                 {exports} time(s) (numpy array, buffer or DLPack); release those first",
                guard.size
            )));
        }
        let block = Block::zeroed(self.0.dtype, new_size)?;
        // new_size > reach here, so every element a view may have written fits in the new block.
        let keep = guard.reach;
        let dtype = self.0.dtype;
        with_dtype!(dtype, T, {
            // SAFETY: the old window holds reach <= addressable elements; the new block holds
            // new_size > reach; they are different allocations.
            unsafe { std::ptr::copy_nonoverlapping(guard.base::<T>(), block.typed_ptr::<T>(), keep) }
        });
        *guard = StorageView { block: Arc::new(block), offset: 0, size: new_size, reach: new_size };
        Ok(())
    }

    fn check_index(&self, index: usize, size: usize) -> Result<()> {
        if index >= size {
            return Err(Error::Index(format!("index {index} out of range for a storage of size {size}")));
        }
        Ok(())
    }

    /// Element `index` converted to `U`.
    pub fn get<U: Element>(&self, index: usize) -> Result<U> {
        let v = self.view();
        self.check_index(index, v.size)?;
        Ok(with_dtype!(self.dtype(), T, {
            // SAFETY: index < size <= addressable.
            unsafe { v.base::<T>().add(index).read() }.cast::<U>()
        }))
    }

    /// Sets element `index` from a `U` (converted with `as` rules).
    pub fn set<U: Element>(&self, index: usize, value: U) -> Result<()> {
        let v = self.view();
        self.check_index(index, v.size)?;
        with_dtype!(self.dtype(), T, {
            // SAFETY: index < size <= addressable.
            unsafe { v.base::<T>().add(index).write(value.cast::<T>()) }
        });
        Ok(())
    }

    /// Element `index` as a Python-style number (int for integer types, float otherwise).
    pub fn get_scalar(&self, index: usize) -> Result<Scalar> {
        if self.dtype().is_floating_point() {
            Ok(Scalar::Float(self.get::<f64>(index)?))
        } else {
            Ok(Scalar::Int(self.get::<i64>(index)?))
        }
    }

    /// Sets element `index` from a number (C-cast rules).
    pub fn set_scalar(&self, index: usize, value: Scalar) -> Result<()> {
        match value {
            Scalar::Int(v) => self.set(index, v),
            Scalar::Float(v) => self.set(index, v),
        }
    }

    /// Sets every element to a number (C-cast rules).
    pub fn fill_scalar(&self, value: Scalar) {
        match value {
            Scalar::Int(v) => self.fill(v),
            Scalar::Float(v) => self.fill(v),
        }
    }

    /// Every element, converted to `U`.
    pub fn to_vec<U: Element>(&self) -> Vec<U> {
        let v = self.view();
        with_dtype!(self.dtype(), T, {
            // SAFETY: the window holds v.size elements.
            let src = unsafe { std::slice::from_raw_parts(v.base::<T>() as *const T, v.size) };
            src.iter().map(|x| x.cast::<U>()).collect()
        })
    }

    /// Sets every element to `value`.
    pub fn fill<U: Element>(&self, value: U) {
        let v = self.view();
        with_dtype!(self.dtype(), T, {
            let x: T = value.cast();
            // SAFETY: the window holds v.size elements.
            let dst = unsafe { std::slice::from_raw_parts_mut(v.base::<T>(), v.size) };
            crate::cpu::fill::fill_slice(dst, x);
        })
    }

    /// Copies `src` (any type) into this storage; the sizes must match.
    pub fn copy_from(&self, src: &Storage) -> Result<()> {
        let (d, s) = (self.view(), src.view());
        if d.size != s.size {
            return Err(Error::Value(format!(
                "storage copy needs equal sizes, got {} and {}",
                d.size, s.size
            )));
        }
        // Go through the tensor copy kernel: it handles every type pair, overlap and threads.
        let dst = crate::Tensor::from_storage(self.clone(), 0, &[d.size], None)?;
        let srct = crate::Tensor::from_storage(src.clone(), 0, &[s.size], None)?;
        dst.copy_(&srct)
    }

    /// Torch7's printed form, e.g. ` 1.0000\n...\n[torch.DoubleStorage of size 3]`.
    pub fn to_torch_string(&self) -> String {
        crate::format::storage_to_string(&self.to_vec::<f64>(), &self.dtype().storage_type_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_storage_is_zeroed_and_sized() {
        let s = Storage::new(DType::Float, 5).unwrap();
        assert_eq!(s.size(), 5);
        assert_eq!(s.to_vec::<f64>(), vec![0.0; 5]);
    }

    #[test]
    fn get_set_bounds() {
        let s = Storage::from_slice(&[1i32, 2, 3]);
        s.set(1, 7.9f64).unwrap();
        assert_eq!(s.get::<i64>(1).unwrap(), 7);
        assert!(matches!(s.get::<f64>(3), Err(Error::Index(_))));
        assert!(matches!(s.set(9, 1i64), Err(Error::Index(_))));
    }

    #[test]
    fn shrink_keeps_block_grow_keeps_contents() {
        let s = Storage::from_slice(&[1.0f64, 2.0, 3.0, 4.0]);
        let before = s.view().block;
        s.resize(2).unwrap();
        assert_eq!(s.size(), 2);
        assert!(Arc::ptr_eq(&before, &s.view().block));
        s.resize(6).unwrap();
        // Elements past the shrunken size were still reachable by views: the grow carries them.
        assert_eq!(s.to_vec::<f64>(), vec![1.0, 2.0, 3.0, 4.0, 0.0, 0.0]);
        // The old block is still alive for whoever held it.
        assert_eq!(before.capacity(), 4);
    }

    #[test]
    fn growing_an_exported_storage_is_refused() {
        let s = Storage::new(DType::Byte, 3).unwrap();
        s.acquire_export();
        assert!(matches!(s.resize(10), Err(Error::Buffer(_))));
        s.resize(1).unwrap();
        s.release_export();
        s.resize(10).unwrap();
        assert_eq!(s.size(), 10);
    }

    #[test]
    fn windows_share_memory_and_check_bounds() {
        let s = Storage::from_slice(&[1i64, 2, 3, 4, 5]);
        let w = Storage::window(&s, 2, Some(2)).unwrap();
        w.set(0, 30i64).unwrap();
        assert_eq!(s.get::<i64>(2).unwrap(), 30);
        assert!(Storage::window(&s, 5, None).is_err());
        assert!(Storage::window(&s, 4, Some(2)).is_err());
    }

    #[test]
    fn copy_between_types() {
        let a = Storage::from_slice(&[1.5f64, -2.5, 300.0]);
        let b = Storage::new(DType::Byte, 3).unwrap();
        b.copy_from(&a).unwrap();
        assert_eq!(b.to_vec::<i64>(), vec![1, 0, 255]);
        assert!(b.copy_from(&Storage::new(DType::Byte, 2).unwrap()).is_err());
    }
}
