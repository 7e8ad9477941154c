//! Reductions, scans, sorting and selection on tensors (group F).
