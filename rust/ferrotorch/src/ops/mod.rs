//! The Torch7 math library on tensors: each file adds `impl Tensor` blocks or free functions
//! over the kernels in `cpu/`.

pub mod construct;
pub mod linalg;
pub mod pointwise;
pub mod reduce;

use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;

/// TypeError unless every operand has the first one's type (DESIGN: operands of one op share a
/// type); returns that type.
pub fn check_same_type(what: &str, tensors: &[&Tensor]) -> Result<DType> {
    let dt = tensors.first().map_or(DType::Double, |t| t.dtype());
    for t in tensors {
        if t.dtype() != dt {
            return Err(Error::Type(format!(
                "{what}: operands must have the same type, got {} and {}; convert one with \
                 .type() or .double()/.float()/...",
                dt.tensor_type_name(),
                t.dtype().tensor_type_name()
            )));
        }
    }
    Ok(dt)
}
