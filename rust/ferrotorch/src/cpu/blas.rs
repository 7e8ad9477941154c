//! CPU kernels: BLAS-like kernels (gemm, gemv, ger, dot, axpy, scal) behind one trait.
