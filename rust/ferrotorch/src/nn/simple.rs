//! Simple-layer kernels (parameterised, math and miscellaneous layers).
