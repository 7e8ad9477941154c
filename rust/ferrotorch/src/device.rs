//! Where a storage's memory lives. Only the CPU exists so far; the CUDA backend adds a variant.

/// A memory location kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Device {
    #[default]
    Cpu,
}
