//! nn kernels (Torch7's THNN): one plain function per direction (`*_update_output`,
//! `*_update_grad_input`, `*_acc_grad_parameters`) over explicit tensors, no hidden state, one
//! file per module family. They reuse the engine's GEMM, element-wise and reduction kernels;
//! a loop of their own appears only where no engine kernel computes the formula.

pub mod conv;
pub mod criterion;
pub mod linear;
pub mod misc;
pub mod pooling;

pub mod normalization;
pub mod padding;
pub mod simple;
pub mod spatial_batch_norm;
pub(crate) mod spatial_io;
pub mod table;
pub mod temporal;
pub mod transfer;
