//! CPU kernels: sorting, selection (kthvalue, median, mode, topk).
