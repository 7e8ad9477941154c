//! CPU kernels: gather/scatter, index*, masked*, nonzero.
