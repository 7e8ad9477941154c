//! Transfer-function (activation) kernels.
