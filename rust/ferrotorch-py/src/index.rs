//! `t[key]`: ints select, slices (step > 0) narrow with a stride, None inserts a size-1 dim,
//! Ellipsis stands for the remaining dims. A list of ints or a LongTensor is `index(0, key)` (a
//! copy) and a ByteTensor is `maskedSelect(key)`; assigning through them is indexFill /
//! indexCopy / maskedFill / maskedCopy (`assign`).

use crate::convert;
use crate::errors::IntoPyResult;
use crate::tensor::{from_nested, maybe_detach, value_tensor, PyTensor};
use ferrotorch::{DType, Tensor};
use pyo3::exceptions::{PyIndexError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyEllipsis, PyList, PyNone, PySlice, PyTuple};

/// A key that selects by index list or mask rather than by view.
enum Advanced {
    Index(Tensor),
    Mask(Tensor),
}

/// The list / LongTensor / ByteTensor keys; `None` for every other key.
fn advanced(key: &Bound<'_, PyAny>) -> PyResult<Option<Advanced>> {
    if let Ok(k) = key.cast::<PyTensor>() {
        let k = k.get().get();
        return match k.dtype() {
            DType::Long => Ok(Some(Advanced::Index(k))),
            DType::Byte => Ok(Some(Advanced::Mask(k))),
            d => Err(PyTypeError::new_err(format!(
                "tensors index tensors as a torch.LongTensor of indices or a torch.ByteTensor mask, got {}",
                d.tensor_type_name()
            ))),
        };
    }
    if key.is_instance_of::<PyList>() {
        let mut v = Vec::with_capacity(key.len()?);
        for item in key.try_iter()? {
            let item = item?;
            // Bools are refused rather than read as 0/1 indices (numpy would read them as a mask).
            if !convert::is_int(&item) {
                return Err(PyTypeError::new_err(format!(
                    "a list index must hold ints (0-based indices along dim 0), got {}; for a mask \
                     use a torch.ByteTensor",
                    item.get_type().name()?
                )));
            }
            v.push(item.extract::<i64>()?);
        }
        let n = v.len();
        return Ok(Some(Advanced::Index(Tensor::from_slice(&v, &[n]).py()?)));
    }
    // A numpy array: integers index dim 0, booleans are a mask.
    if !key.is_instance_of::<PyTuple>() && key.hasattr("__array_interface__")? && key.hasattr("tolist")? {
        let kind: String = key.getattr("dtype")?.getattr("kind")?.extract()?;
        let values = key.call_method0("tolist")?;
        return match kind.as_str() {
            "b" => Ok(Some(Advanced::Mask(from_nested(DType::Byte, &values)?))),
            "i" | "u" => {
                let t = from_nested(DType::Long, &values)?;
                Ok(Some(Advanced::Index(t)))
            }
            k => Err(PyTypeError::new_err(format!(
                "a numpy array index must hold integers or booleans, got dtype kind '{k}'"
            ))),
        };
    }
    Ok(None)
}

/// `t[key] = value` for list / LongTensor keys (indexFill / indexCopy along dim 0) and ByteTensor
/// masks (maskedFill / maskedCopy). Returns false for the other keys.
pub fn assign(t: &Tensor, key: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<bool> {
    if convert::is_int(key) {
        return Ok(false);
    }
    let Some(adv) = advanced(key)? else {
        return Ok(false);
    };
    let number = if value.cast::<PyTensor>().is_err() { convert::scalar(value).ok() } else { None };
    let py = value.py();
    match (adv, number) {
        (Advanced::Index(i), Some(v)) => t.index_fill_(0, &i, v).py()?,
        (Advanced::Index(i), None) => {
            let src = value_tensor(value, t.dtype())?;
            t.index_copy_(0, &i, &src).py()?
        }
        (Advanced::Mask(m), Some(v)) => maybe_detach(py, t.numel(), || t.masked_fill_(&m, v)).py()?,
        (Advanced::Mask(m), None) => {
            let src = value_tensor(value, t.dtype())?;
            maybe_detach(py, t.numel(), || t.masked_copy_(&m, &src)).py()?
        }
    }
    Ok(true)
}

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
    if let Some(adv) = advanced(key)? {
        let py = key.py();
        let r = match adv {
            Advanced::Index(i) => maybe_detach(py, i.numel(), || t.index_select(0, &i)),
            Advanced::Mask(m) => maybe_detach(py, t.numel(), || t.masked_select(&m)),
        };
        return Ok(Indexed::View(r.py()?));
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
                "tensors are indexed with ints, slices, None and '...' (or, alone, a list of ints, a \
                 LongTensor or a ByteTensor mask); got {}",
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
