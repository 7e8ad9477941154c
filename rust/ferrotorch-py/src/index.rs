//! `t[key]`: ints select, slices (step > 0) narrow with a stride, None inserts a size-1 dim,
//! Ellipsis stands for the remaining dims. Lists, LongTensors and ByteTensor masks arrive with
//! the math functions (index / maskedSelect).

use crate::convert;
use ferrotorch::Tensor;
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyEllipsis, PyNone, PySlice, PyTuple};

/// What a key selects: a view, or one element (every dim indexed by an int).
pub enum Indexed {
    View(Tensor),
    /// The tensor and the element's index in it.
    Element(Tensor, Vec<i64>),
}

/// Resolves `key` against `t`.
pub fn resolve(t: &Tensor, key: &Bound<'_, PyAny>) -> PyResult<Indexed> {
    // The common case first: `a[i]`.
    if convert::is_int(key) {
        let i: i64 = key.extract()?;
        if t.ndim() == 1 {
            return Ok(Indexed::Element(t.clone(), vec![i]));
        }
        if t.ndim() == 0 {
            return Err(PyIndexError::new_err("cannot index a tensor with no dimension (empty tensor)"));
        }
        return Ok(Indexed::View(t.select(0, i).map_err(crate::errors::to_py)?));
    }
    let items: Vec<Bound<'_, PyAny>> = match key.cast::<PyTuple>() {
        Ok(tup) => tup.iter().collect(),
        Err(_) => vec![key.clone()],
    };
    let consuming = items.iter().filter(|k| convert::is_int(k) || k.is_instance_of::<PySlice>()).count();
    let ellipses = items.iter().filter(|k| k.is_instance_of::<PyEllipsis>()).count();
    if ellipses > 1 {
        return Err(PyIndexError::new_err("an index can only have a single ellipsis ('...')"));
    }
    if consuming > t.ndim() {
        return Err(PyIndexError::new_err(format!(
            "too many indices for a tensor of dimension {} ({} given)",
            t.ndim(),
            consuming
        )));
    }
    if consuming == t.ndim() && items.len() == consuming && items.iter().all(convert::is_int) {
        // Every dim indexed by an int: an element, not a view.
        let at = items.iter().map(|k| k.extract::<i64>()).collect::<PyResult<Vec<_>>>()?;
        return Ok(Indexed::Element(t.clone(), at));
    }
    let mut cur = t.clone();
    let mut dim = 0usize; // the next dim of `cur` that an item applies to
    for item in &items {
        if convert::is_int(item) {
            cur = cur.select(dim as i64, item.extract()?).map_err(crate::errors::to_py)?;
        } else if let Ok(sl) = item.cast::<PySlice>() {
            let size = cur.sizes()[dim];
            let ind = sl.indices(size as isize)?;
            if ind.step <= 0 {
                return Err(PyValueError::new_err(format!(
                    "slice step must be positive, got {} (reverse with index())",
                    ind.step
                )));
            }
            let len = ind.slicelength;
            let start = if len > 0 { ind.start as usize } else { 0 };
            cur = cur.slice(dim, start, len, ind.step as usize).map_err(crate::errors::to_py)?;
            dim += 1;
        } else if item.is_instance_of::<PyNone>() {
            cur = cur.unsqueeze(dim as i64).map_err(crate::errors::to_py)?;
            dim += 1;
        } else if item.is_instance_of::<PyEllipsis>() {
            // Skip the dims that the items after the ellipsis do not consume.
            let used_before = dim;
            let remaining = cur.ndim() - used_before;
            let after = items
                .iter()
                .skip_while(|k| !k.is_instance_of::<PyEllipsis>())
                .skip(1)
                .filter(|k| k.is_instance_of::<PySlice>())
                .count();
            let ints_after = items
                .iter()
                .skip_while(|k| !k.is_instance_of::<PyEllipsis>())
                .skip(1)
                .filter(|k| convert::is_int(k))
                .count();
            dim += remaining.saturating_sub(after + ints_after);
        } else {
            return Err(PyTypeError::new_err(format!(
                "tensors are indexed with ints, slices, None and '...'; got {} (for lists, \
                 LongTensors and masks use index() / maskedSelect())",
                item.get_type().name()?
            )));
        }
    }
    if cur.ndim() == 0 && t.ndim() > 0 {
        // Every dim was selected away (with an ellipsis among the ints): the element itself.
        let one = Tensor::from_storage(cur.storage().clone(), cur.storage_offset(), &[1], None)
            .map_err(crate::errors::to_py)?;
        return Ok(Indexed::Element(one, vec![0]));
    }
    Ok(Indexed::View(cur))
}
