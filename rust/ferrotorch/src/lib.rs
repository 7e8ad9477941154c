//! ferrotorch: Lua Torch7's tensor engine in pure Rust.
//!
//! A [`Storage`] is a typed, reference-counted block of memory; a [`Tensor`] is a storage plus a
//! storageOffset, sizes and strides, so views (select, narrow, transpose, ...) share memory and
//! copy nothing. Indices and dims are 0-based.
//!
//! ```
//! use ferrotorch::{DType, Generator, Scalar, Tensor};
//! let mut gen = Generator::new(123);
//! let a = Tensor::zeros(DType::Double, &[4, 6]).unwrap();
//! a.uniform_(&mut gen, 0.0, 1.0).unwrap();
//! let row = a.select(0, 2).unwrap();      // a view of row 2
//! row.fill_(Scalar::Float(3.0)).unwrap(); // ... so the parent changes too
//! assert_eq!(a.get(&[2, 5]).unwrap(), Scalar::Float(3.0));
//! ```

pub mod cpu;
pub mod device;
pub mod dtype;
pub mod error;
pub mod format;
pub mod image;
pub mod iter;
pub mod layout;
#[cfg(feature = "ndarray")]
pub mod ndarray_interop;
pub mod nn;
pub mod ops;
pub mod optim;
pub mod parallel;
pub mod random;
pub mod serialize;
pub mod storage;
pub mod tensor;

pub use device::Device;
pub use dtype::{DType, Element};
pub use error::{Error, Result};
pub use layout::Layout;
/// The ndarray crate the interop is built against, so embedders use the same version.
#[cfg(feature = "ndarray")]
pub use ndarray;
#[cfg(feature = "ndarray")]
pub use ndarray_interop::{NdView, NdViewMut};
pub use random::Generator;
pub use storage::Storage;
pub use tensor::{Scalar, Tensor};
