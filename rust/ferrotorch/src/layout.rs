//! `Layout`: storageOffset, sizes and strides, and the view arithmetic on them. Nothing here
//! touches memory; `Tensor` checks every layout against its storage before it is used.

use crate::error::{Error, Result};
use smallvec::SmallVec;

/// Sizes or strides; most tensors have few dims, so they live inline.
pub type Dims = SmallVec<[usize; 4]>;

/// Where a tensor's elements are: element `(i0, .., in)` is at
/// `offset + i0 * strides[0] + .. + in * strides[n]` in its storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub offset: usize,
    pub sizes: Dims,
    pub strides: Dims,
}

/// Row-major strides for `sizes`.
pub fn contiguous_strides(sizes: &[usize]) -> Dims {
    let mut strides: Dims = SmallVec::from_elem(0, sizes.len());
    let mut acc = 1usize;
    for d in (0..sizes.len()).rev() {
        strides[d] = acc;
        acc = acc.saturating_mul(sizes[d].max(1));
    }
    strides
}

/// "4x6" (Torch7's way of writing sizes in messages and footers).
pub fn size_string(sizes: &[usize]) -> String {
    if sizes.is_empty() {
        return "[]".to_string();
    }
    sizes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("x")
}

/// Product of sizes, with overflow reported instead of wrapped.
pub fn checked_numel(sizes: &[usize]) -> Result<usize> {
    sizes
        .iter()
        .try_fold(1usize, |acc, &s| acc.checked_mul(s))
        .ok_or_else(|| Error::Value(format!("a tensor of size {} has too many elements", size_string(sizes))))
}

/// Normalises a possibly negative dim against `ndim` dims (`ndim` positions allowed).
pub fn wrap_dim(dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim as i64;
    let d = if dim < 0 { dim + n } else { dim };
    if d < 0 || d >= n {
        return Err(Error::Index(format!(
            "dimension {dim} out of range of {ndim}D tensor (expected {} to {})",
            -n,
            n - 1
        )));
    }
    Ok(d as usize)
}

/// Normalises a possibly negative index into dim `dim` of size `size`.
pub fn wrap_index(index: i64, size: usize, dim: usize) -> Result<usize> {
    let n = size as i64;
    let i = if index < 0 { index + n } else { index };
    if i < 0 || i >= n {
        // Formatted only on failure: this sits on the path of every `t[i]`.
        return Err(Error::Index(format!("index {index} out of range for dimension {dim} of size {size}")));
    }
    Ok(i as usize)
}

impl Layout {
    pub fn contiguous(offset: usize, sizes: &[usize]) -> Layout {
        Layout { offset, sizes: Dims::from_slice(sizes), strides: contiguous_strides(sizes) }
    }

    pub fn ndim(&self) -> usize {
        self.sizes.len()
    }

    /// Number of elements; 0 for a tensor with no dimension (Torch7's empty tensor).
    pub fn numel(&self) -> usize {
        if self.sizes.is_empty() {
            0
        } else {
            self.sizes.iter().product()
        }
    }

    /// One past the largest storage index this layout touches, or `None` when it has no element.
    pub fn extent(&self) -> Option<usize> {
        if self.numel() == 0 {
            return None;
        }
        let mut last = self.offset;
        for (&s, &st) in self.sizes.iter().zip(&self.strides) {
            last = last.checked_add((s - 1).checked_mul(st)?)?;
        }
        last.checked_add(1)
    }

    /// Torch7's rule: ignoring size-1 dims, each stride equals the product of the sizes after it.
    pub fn is_contiguous(&self) -> bool {
        if self.sizes.contains(&0) {
            return true; // no element, so nothing to lay out (numpy and PyTorch agree)
        }
        let mut expected = 1usize;
        for d in (0..self.ndim()).rev() {
            if self.sizes[d] != 1 {
                if self.strides[d] != expected {
                    return false;
                }
                expected *= self.sizes[d];
            }
        }
        true
    }

    /// True when no two index tuples can reach the same element (writes may then be split across
    /// threads). Conservative: sorts dims by stride and asks each to step past all smaller ones.
    pub fn is_non_overlapping(&self) -> bool {
        let mut dims: SmallVec<[(usize, usize); 6]> =
            self.sizes.iter().zip(&self.strides).filter(|(&s, _)| s > 1).map(|(&s, &st)| (st, s)).collect();
        dims.sort_unstable();
        let mut reach = 0usize; // largest offset reachable by the dims seen so far
        for (stride, size) in dims {
            if stride <= reach || stride == 0 {
                return false;
            }
            reach += (size - 1) * stride;
        }
        true
    }

    /// Some dim has stride 0 and size > 1 (an expanded view): writing through it is refused.
    pub fn has_broadcast_dim(&self) -> bool {
        self.sizes.iter().zip(&self.strides).any(|(&s, &st)| s > 1 && st == 0)
    }

    pub fn select(&self, dim: usize, index: usize) -> Layout {
        let keep = |v: &Dims| v.iter().enumerate().filter(|&(d, _)| d != dim).map(|(_, &x)| x).collect();
        Layout {
            offset: self.offset + index * self.strides[dim],
            sizes: keep(&self.sizes),
            strides: keep(&self.strides),
        }
    }

    pub fn narrow(&self, dim: usize, start: usize, length: usize) -> Layout {
        let mut out = self.clone();
        if length > 0 {
            out.offset += start * self.strides[dim];
        }
        out.sizes[dim] = length;
        out
    }

    pub fn transpose(&self, d0: usize, d1: usize) -> Layout {
        let mut out = self.clone();
        out.sizes.swap(d0, d1);
        out.strides.swap(d0, d1);
        out
    }

    /// `perm[i]` names the old dim that becomes dim i; it must be a permutation.
    pub fn permute(&self, perm: &[usize]) -> Result<Layout> {
        let n = self.ndim();
        let mut seen = vec![false; n];
        if perm.len() != n {
            return Err(Error::Value(format!(
                "permute needs {n} dims for a {n}D tensor, got {}",
                perm.len()
            )));
        }
        for &p in perm {
            if p >= n || seen[p] {
                return Err(Error::Value(format!("permute: {perm:?} is not a permutation of 0..{n}")));
            }
            seen[p] = true;
        }
        Ok(Layout {
            offset: self.offset,
            sizes: perm.iter().map(|&p| self.sizes[p]).collect(),
            strides: perm.iter().map(|&p| self.strides[p]).collect(),
        })
    }

    /// Torch7's unfold: slices of `size` elements every `step` along `dim`, as a new last dim.
    pub fn unfold(&self, dim: usize, size: usize, step: usize) -> Result<Layout> {
        let dim_size = self.sizes[dim];
        if step == 0 {
            return Err(Error::Value("unfold: step must be > 0".to_string()));
        }
        if size > dim_size {
            return Err(Error::Value(format!(
                "unfold: size {size} exceeds dimension {dim} of size {dim_size}"
            )));
        }
        let mut out = self.clone();
        out.sizes[dim] = (dim_size - size) / step + 1;
        out.strides[dim] = self.strides[dim] * step;
        out.sizes.push(size);
        out.strides.push(self.strides[dim]);
        Ok(out)
    }

    /// Torch7's expand: only size-1 dims may grow (their stride becomes 0). New leading dims are
    /// accepted too (numpy's rule), with stride 0.
    pub fn expand(&self, sizes: &[usize]) -> Result<Layout> {
        if self.ndim() == 0 {
            return Err(Error::Value(format!(
                "expand: a tensor with no dimension has no element to expand to {}",
                size_string(sizes)
            )));
        }
        checked_numel(sizes)?;
        if sizes.len() < self.ndim() {
            return Err(Error::Value(format!(
                "expand: the number of sizes ({}) must be at least the tensor's dims ({}); \
                 tensor size {}",
                sizes.len(),
                self.ndim(),
                size_string(&self.sizes)
            )));
        }
        let lead = sizes.len() - self.ndim();
        let mut out = Layout { offset: self.offset, sizes: Dims::new(), strides: Dims::new() };
        for (d, &want) in sizes.iter().enumerate() {
            if d < lead {
                out.sizes.push(want);
                out.strides.push(0);
                continue;
            }
            let (have, stride) = (self.sizes[d - lead], self.strides[d - lead]);
            if have == want {
                out.sizes.push(have);
                out.strides.push(stride);
            } else if have == 1 {
                out.sizes.push(want);
                out.strides.push(0);
            } else {
                return Err(Error::Value(format!(
                    "expand: cannot expand size {} to {} (only size-1 dims can grow)",
                    size_string(&self.sizes),
                    size_string(sizes)
                )));
            }
        }
        Ok(out)
    }

    /// Removes every size-1 dim (`None`) or only `dim` when its size is 1.
    pub fn squeeze(&self, dim: Option<usize>) -> Layout {
        let mut out = Layout { offset: self.offset, sizes: Dims::new(), strides: Dims::new() };
        for d in 0..self.ndim() {
            let drop = self.sizes[d] == 1 && dim.is_none_or(|k| k == d);
            if !drop {
                out.sizes.push(self.sizes[d]);
                out.strides.push(self.strides[d]);
            }
        }
        // Torch7 keeps one dim when every dim was 1.
        if out.sizes.is_empty() && self.ndim() > 0 {
            out.sizes.push(1);
            out.strides.push(1);
        }
        out
    }

    /// Inserts a size-1 dim at `dim` (0..=ndim).
    pub fn unsqueeze(&self, dim: usize) -> Layout {
        let mut out = self.clone();
        let stride = if dim < self.ndim() { self.strides[dim] * self.sizes[dim] } else { 1 };
        out.sizes.insert(dim, 1);
        out.strides.insert(dim, stride.max(1));
        out
    }

    /// The strides that let this layout be seen with `sizes` without copying, if any (the
    /// element counts must already match). Contiguous runs of dims may be split or merged.
    pub fn view_strides(&self, sizes: &[usize]) -> Option<Dims> {
        if self.is_contiguous() {
            return Some(contiguous_strides(sizes));
        }
        // PyTorch's algorithm: walk both shapes from the right, matching chunks of old dims that
        // are contiguous among themselves.
        let numel = self.numel();
        if numel == 0 {
            return Some(contiguous_strides(sizes));
        }
        let mut new_strides: Dims = SmallVec::from_elem(0, sizes.len());
        let mut view_d = sizes.len() as isize - 1;
        let mut chunk_base_stride = *self.strides.last()?;
        let mut tensor_numel = 1usize;
        let mut view_numel = 1usize;
        for d in (0..self.ndim()).rev() {
            tensor_numel *= self.sizes[d];
            let chunk_ends =
                d == 0 || (self.sizes[d - 1] != 1 && self.strides[d - 1] != tensor_numel * chunk_base_stride);
            if chunk_ends {
                while view_d >= 0 && (view_numel < tensor_numel || sizes[view_d as usize] == 1) {
                    new_strides[view_d as usize] = view_numel * chunk_base_stride;
                    view_numel *= sizes[view_d as usize];
                    view_d -= 1;
                }
                if view_numel != tensor_numel {
                    return None;
                }
                if d > 0 {
                    chunk_base_stride = self.strides[d - 1];
                    tensor_numel = 1;
                    view_numel = 1;
                }
            }
        }
        if view_d != -1 {
            return None;
        }
        Some(new_strides)
    }
}

/// Resolves one `-1` in `sizes` so that they hold `numel` elements.
pub fn infer_size(sizes: &[i64], numel: usize, from: &[usize]) -> Result<Dims> {
    let mut infer = None;
    let mut known = 1usize;
    for (i, &s) in sizes.iter().enumerate() {
        if s == -1 {
            if infer.is_some() {
                return Err(Error::Value("view: only one dimension can be inferred (-1)".into()));
            }
            infer = Some(i);
        } else if s < 0 {
            return Err(Error::Value(format!("view: invalid size {s}")));
        } else {
            known = known
                .checked_mul(s as usize)
                .ok_or_else(|| Error::Value(format!("view: sizes {sizes:?} have too many elements")))?;
        }
    }
    if sizes.is_empty() && numel > 0 {
        return Err(Error::Value(format!(
            "view: no sizes given for a tensor of size {} ({numel} elements)",
            size_string(from)
        )));
    }
    let mut out: Dims = sizes.iter().map(|&s| s.max(0) as usize).collect();
    let mismatch = || {
        Error::Value(format!(
            "Wrong size for view. Input size: {}. Output size: {}",
            size_string(from),
            sizes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("x")
        ))
    };
    match infer {
        Some(i) => {
            if known == 0 || !numel.is_multiple_of(known) {
                return Err(mismatch());
            }
            out[i] = numel / known;
        }
        None if known != numel => return Err(mismatch()),
        None => {}
    }
    Ok(out)
}

/// numpy's broadcast of two shapes.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Dims> {
    let n = a.len().max(b.len());
    let mut out: Dims = SmallVec::from_elem(0, n);
    for i in 0..n {
        let x = if i < n - a.len() { 1 } else { a[i - (n - a.len())] };
        let y = if i < n - b.len() { 1 } else { b[i - (n - b.len())] };
        out[i] = if x == y || y == 1 {
            x
        } else if x == 1 {
            y
        } else {
            return Err(Error::Value(format!(
                "shapes {} and {} cannot be broadcast together",
                size_string(a),
                size_string(b)
            )));
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguity_ignores_unit_dims() {
        let l =
            Layout { offset: 0, sizes: Dims::from_slice(&[3, 1, 4]), strides: Dims::from_slice(&[4, 99, 1]) };
        assert!(l.is_contiguous());
        assert!(!l.transpose(0, 2).is_contiguous());
    }

    #[test]
    fn overlap_detection() {
        let l = Layout::contiguous(0, &[4, 5]);
        assert!(l.is_non_overlapping());
        assert!(l.transpose(0, 1).is_non_overlapping());
        let unfolded = Layout::contiguous(0, &[10]).unfold(0, 3, 1).unwrap();
        assert!(!unfolded.is_non_overlapping());
        assert!(!l.expand(&[2, 4, 5]).unwrap().is_non_overlapping());
    }

    #[test]
    fn view_of_transposed_needs_compatible_chunks() {
        let t = Layout::contiguous(0, &[4, 6]).transpose(0, 1); // 6x4, strides 1,6
        assert!(t.view_strides(&[24]).is_none());
        assert_eq!(t.view_strides(&[6, 2, 2]).unwrap().as_slice(), &[1, 12, 6]);
    }

    #[test]
    fn infer_and_broadcast() {
        assert_eq!(infer_size(&[-1, 4], 12, &[12]).unwrap().as_slice(), &[3, 4]);
        assert!(infer_size(&[-1, 5], 12, &[12]).is_err());
        assert!(infer_size(&[-1, -1], 12, &[12]).is_err());
        assert_eq!(broadcast_shapes(&[3, 1], &[4]).unwrap().as_slice(), &[3, 4]);
        assert!(broadcast_shapes(&[3], &[4]).is_err());
    }

    #[test]
    fn extent_and_squeeze() {
        let l = Layout::contiguous(2, &[2, 3]);
        assert_eq!(l.extent(), Some(8));
        assert_eq!(Layout::contiguous(0, &[2, 0]).extent(), None);
        assert_eq!(Layout::contiguous(0, &[1, 1]).squeeze(None).sizes.as_slice(), &[1]);
        assert_eq!(Layout::contiguous(0, &[1, 3, 1]).squeeze(Some(2)).sizes.as_slice(), &[1, 3]);
    }
}
