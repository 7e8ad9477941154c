//! CPU kernels: conv2/xcorr2/conv3/xcorr3.
