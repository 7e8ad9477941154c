"""Dispatch to the fused one-pass update kernels of ``ferrotorch._C._optim``.

Each Torch7 update is a chain of element-wise tensor ops, every one a pass over memory; the
Rust kernels run the same formula, in Torch7's operation order (so results are the same to the
last bit), in one pass. They take contiguous tensors of one floating type and equal size in
separate memory; for any other arguments ``run`` returns False and the caller takes the
tensor-op path, which is the reference.
"""

from __future__ import annotations

from ferrotorch import _C

__all__: list[str] = []

_KERNELS = getattr(_C, "_optim", None)
_FLOATS = ("torch.FloatTensor", "torch.DoubleTensor")


def usable(x, *others):
    """True when the kernels take x and others: compiled, contiguous, one float type, one size."""
    if _KERNELS is None:
        return False
    kind = x.type()
    if kind not in _FLOATS or not x.isContiguous():
        return False
    n = x.nElement()
    return all(t.type() == kind and t.isContiguous() and t.nElement() == n for t in others)


def run(name, tensors, *scalars):
    """Runs kernel ``name`` on tensors (x first) and scalars; False when it cannot take them.

    Tensors sharing memory (the kernel checks before writing anything) also give False: the
    tensor-op path then applies Torch7's sequence of operations to them.
    """
    if not usable(*tensors):
        return False
    try:
        getattr(_KERNELS, name)(*tensors, *scalars)
    except ValueError:
        return False
    return True
