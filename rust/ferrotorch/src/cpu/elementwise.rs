//! CPU kernels: element-wise unary and binary kernels (Torch7's TH pointwise math).
