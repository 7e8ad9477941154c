//! Pooling kernels (Torch7's THNN *Pooling / *Unpooling files): max, average, adaptive,
//! fractional and LP pooling over planes, max unpooling, and the temporal (sequence) poolings.
//!
//! Every spatial and volumetric kernel sees its input as `planes` independent row-major
//! volumes of `[T, H, W]` (a spatial plane is a volume with T = 1, so one kernel serves
//! Spatial* and Volumetric* classes), runs over planes in parallel (planes never share output
//! elements, so the backward scatter needs no atomics) and keeps Torch7's arithmetic: window
//! sizes from THNN's float formulas, sums in the element type, strict `>` for the max (the
//! first maximum in row-major window order wins; NaN is never selected).

pub mod adaptive;
pub mod average;
pub mod feature_lp;
pub mod fractional;
pub mod max;
pub mod temporal;
pub mod unpooling;

use crate::layout::size_string;
use crate::nn::transfer::real::{prepare_output, same_type, source_for};
use crate::{DType, Error, Result, Tensor};

/// An input seen as `lead` dims (batch and/or planes) over a pooled `[T, H, W]` volume.
#[derive(Clone, Debug, PartialEq)]
pub struct Planes {
    /// The dims before the pooled ones (`[C]` or `[B, C]`).
    pub lead: Vec<usize>,
    /// The pooled dims, padded in front with 1s to three.
    pub size: [usize; 3],
    /// How many pooled dims the class has (2 spatial, 3 volumetric).
    pub nd: usize,
}

impl Planes {
    /// Parses an input of `nd` pooled dims with one (planes) or two (batch, planes) lead dims.
    pub fn of(input: &Tensor, nd: usize, what: &str) -> Result<Planes> {
        let s = input.sizes();
        if s.len() != nd + 1 && s.len() != nd + 2 {
            let (a, b) = (nd + 1, nd + 2);
            return Err(Error::Value(format!(
                "{what}: expected a {a}D (planes) or {b}D (batch) input, got size {}",
                size_string(s)
            )));
        }
        if s.contains(&0) {
            return Err(Error::Value(format!("{what}: empty input of size {}", size_string(s))));
        }
        let cut = s.len() - nd;
        let mut size = [1; 3];
        size[3 - nd..].copy_from_slice(&s[cut..]);
        Ok(Planes { lead: s[..cut].to_vec(), size, nd })
    }

    /// The number of planes (product of the lead dims).
    pub fn count(&self) -> usize {
        self.lead.iter().product()
    }

    /// Elements of one plane.
    pub fn plane_numel(&self) -> usize {
        self.size.iter().product()
    }

    /// The sizes of a tensor with these lead dims over the pooled `out` dims.
    pub fn sizes_with(&self, out: [usize; 3]) -> Vec<usize> {
        let mut v = self.lead.clone();
        v.extend_from_slice(&out[3 - self.nd..]);
        v
    }

    /// The pooled dims as text, `HxW` or `TxHxW`.
    pub fn text(size: [usize; 3], nd: usize) -> String {
        size[3 - nd..].iter().map(|s| s.to_string()).collect::<Vec<_>>().join("x")
    }
}

/// ValueError unless `t` has exactly `sizes` (`name` says which argument of `what`).
pub fn check_sizes(t: &Tensor, sizes: &[usize], what: &str, name: &str) -> Result<()> {
    if t.sizes() != sizes {
        return Err(Error::Value(format!(
            "{what}: {name} of size {} does not match the expected size {}",
            size_string(t.sizes()),
            size_string(sizes)
        )));
    }
    Ok(())
}

/// The contiguous Long indices a backward reads (TypeError for another type).
pub fn long_indices(indices: &Tensor, what: &str) -> Result<Tensor> {
    if indices.dtype() != DType::Long {
        return Err(Error::Type(format!(
            "{what}: indices must be a torch.LongTensor (from the forward), got a {}",
            indices.dtype().tensor_type_name()
        )));
    }
    indices.contiguous()
}

/// A source operand of `dtype` (TypeError otherwise), contiguous and not overlapping `dst`.
pub fn operand(t: &Tensor, dst: &Tensor, dtype: DType, what: &str, name: &str) -> Result<Tensor> {
    same_type(what, name, t, dtype)?;
    source_for(t, dst)
}

/// Prepares a float output of `sizes` that overlaps none of `srcs` (see `prepare_output`).
pub fn prepare(out: &mut Tensor, dtype: DType, sizes: &[usize], srcs: &[&Tensor]) -> Result<()> {
    prepare_output(out, dtype, sizes, srcs)
}

/// Records the first out-of-range index seen by a parallel loop (i64::MIN: none).
pub struct BadIndex(std::sync::atomic::AtomicI64);

impl BadIndex {
    pub fn new() -> BadIndex {
        BadIndex(std::sync::atomic::AtomicI64::new(i64::MIN))
    }

    #[cold]
    pub fn set(&self, v: i64) {
        let _ = self.0.compare_exchange(
            i64::MIN,
            v,
            std::sync::atomic::Ordering::Relaxed,
            std::sync::atomic::Ordering::Relaxed,
        );
    }

    /// IndexError naming the bad index and the plane size, if one was seen.
    pub fn check(&self, what: &str, plane: usize) -> Result<()> {
        let v = self.0.load(std::sync::atomic::Ordering::Relaxed);
        if v == i64::MIN {
            return Ok(());
        }
        Err(Error::Index(format!(
            "{what}: found an invalid max index {v} (0-based, planes of {plane} elements)"
        )))
    }
}

impl Default for BadIndex {
    fn default() -> Self {
        BadIndex::new()
    }
}
