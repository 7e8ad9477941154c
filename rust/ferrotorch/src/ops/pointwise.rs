//! Element-wise math on tensors (groups C, D, I): broadcasting, type rules, out tensors.
