"""optim.checkgrad: compare opfunc's gradient with central finite differences."""

from __future__ import annotations

import ferrotorch as torch

__all__ = ["checkgrad"]


def checkgrad(opfunc, x, eps=1e-7):
    """diff, dC, dC_est = optim.checkgrad(opfunc, x, eps=1e-7)

    Torch7's optim.checkgrad: dC is opfunc's gradient at x, dC_est the central difference
    ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` for every element i of the 1-D x, and
    ``diff = |dC - dC_est| / |dC + dC_est|`` (near 0 when the gradient is right). x is
    restored. dC is a copy (Torch7 returned opfunc's own tensor, which the later evaluations
    overwrite when opfunc reuses a gradient buffer). Costs 2N evaluations (one per coordinate and side: the loop is over
    evaluations, not element-wise arithmetic).

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> feval = lambda x: (x.dot(x), x.clone().mul(2))
    >>> diff, dC, dC_est = optim.checkgrad(feval, torch.DoubleTensor([1, -2, 3]))
    >>> diff < 1e-8
    True
    """
    _c_org, dc = opfunc(x)
    dc = dc.clone().resize(x.size())
    if x.dim() != 1:
        raise ValueError(f"optim.checkgrad: x must be 1-D (a flat parameter tensor), got "
                         f"{x.dim()} dimensions")
    dc_est = type(dc)().resizeAs(dc)
    values = []
    for i in range(x.size(0)):
        tmp = x[i]
        x[i] = tmp + eps
        c1 = opfunc(x)[0]
        x[i] = x[i] - 2 * eps  # Torch7's order of operations
        c2 = opfunc(x)[0]
        x[i] = tmp
        values.append((c1 - c2) / (2 * eps))
    dc_est.copy(torch.DoubleTensor(values))
    diff = torch.norm(dc.clone().add(-1, dc_est)) / torch.norm(dc.clone().add(dc_est))
    return diff, dc, dc_est
