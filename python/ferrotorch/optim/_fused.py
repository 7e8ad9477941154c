"""Dispatch to the fused one-pass update kernels of ``ferrotorch._C._optim``.

Each Torch7 update is a chain of element-wise tensor ops, every one a pass over memory; the
Rust kernels run the same formula, in Torch7's operation order (so results are the same to the
last bit), in one pass. They take contiguous tensors of one floating type and equal size; any
other argument goes through the tensor-op path, which is the reference.
"""

from __future__ import annotations

from ferrotorch import _C

__all__: list[str] = []

_KERNELS = getattr(_C, "_optim", None)
_FLOATS = ("torch.FloatTensor", "torch.DoubleTensor")


def kernels():
    """The compiled ``_optim`` module."""
    return _KERNELS


def usable(x, *others):
    """True when the fused kernels take x and others: compiled, contiguous, one float type."""
    if _KERNELS is None:
        return False
    kind = x.type()
    if kind not in _FLOATS or not x.isContiguous():
        return False
    n = x.nElement()
    for t in others:
        if t.type() != kind or not t.isContiguous() or t.nElement() != n:
            return False
    return True
