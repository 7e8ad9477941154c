//! CPU kernels: LAPACK-class decompositions and solvers.
