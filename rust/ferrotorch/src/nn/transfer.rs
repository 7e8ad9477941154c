//! Transfer-function (activation) kernels, Torch7's THNN: element-wise functions
//! (`pointwise`), the soft-max family (`softmax`), the parametric and random rectifiers (`prelu`,
//! `rrelu`) and the gated linear unit (`glu`). `real` holds the contiguous-data plumbing they share.

pub mod glu;
pub mod pointwise;
pub(crate) mod real;
pub mod rrelu;
pub mod softmax;

pub use glu::{gated_linear_update_grad_input, gated_linear_update_output};
pub use pointwise::{pointwise_update_grad_input, pointwise_update_output, Pointwise};
pub use rrelu::{
    prelu_acc_grad_parameters, prelu_update_grad_input, prelu_update_output, rrelu_update_grad_input,
    rrelu_update_output,
};
pub use softmax::{softmax_update_grad_input, softmax_update_output};
