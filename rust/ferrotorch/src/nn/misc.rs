//! Miscellaneous-layer kernels (batch normalization, dropout, padding, ...).
