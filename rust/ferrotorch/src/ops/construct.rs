//! Construction, index/shape helpers, random functions, Tensor.lua indexing (groups A, B, J).
