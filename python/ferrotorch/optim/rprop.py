"""optim.rprop: resilient backpropagation (Riedmiller and Braun, 1993)."""

from __future__ import annotations

import ferrotorch as torch
from ferrotorch.optim import _fused
from ferrotorch.optim._common import like, opt, tables

__all__ = ["rprop"]


def rprop(opfunc, x, config=None, state=None):
    """x, fs = optim.rprop(opfunc, x, config=None, state=None)

    RPROP (Torch7's optim.rprop), niter times: ``s = sign(g*delta)``; each step size is
    multiplied by etaplus where s > 0, etaminus where s < 0, then clipped to
    [stepsizemin, stepsizemax]; g is zeroed where s < 0; ``x -= sign(g)*stepsize``;
    ``delta = g``. fs lists the niter values of f. No weight decay (as in Torch7).

    config keys: stepsize=0.1 (initial, per element), etaplus=1.2, etaminus=0.5,
    stepsizemax=50, stepsizemin=1e-6, niter=1. state (defaults to config): delta (last
    gradient), stepsize (per element), sign. Torch7 also kept the ByteTensor masks psign,
    nsign, zsign and dminmax as scratch; the update runs in one pass here without them. Like
    Torch7, prints a note when called without config and state.

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> x = torch.DoubleTensor([1, -2])
    >>> feval = lambda x: (x.dot(x) / 2, x.clone())
    >>> config = {'niter': 2}
    >>> x, fs = optim.rprop(feval, x, config)
    >>> [round(f, 4) for f in fs], [round(v, 6) for v in x.tolist()]
    ([2.5, 2.21], [0.78, -1.78])
    """
    if config is None and state is None:
        print("no state table RPROP initializing")
    config, state = tables(config, state)
    stepsize = opt(config, "stepsize", 0.1)
    etaplus = opt(config, "etaplus", 1.2)
    etaminus = opt(config, "etaminus", 0.5)
    stepsizemax = opt(config, "stepsizemax", 50.0)
    stepsizemin = opt(config, "stepsizemin", 1e-06)
    niter = opt(config, "niter", 1)

    hfx = []
    for _ in range(niter):
        fx, dfdx = opfunc(x)
        if state.get("delta") is None:
            state["delta"] = like(dfdx)
            state["stepsize"] = type(dfdx)().resizeAs(dfdx).fill(stepsize)
            state["sign"] = like(dfdx)
        delta, steps, sign = state["delta"], state["stepsize"], state["sign"]
        if not _fused.run("rprop", (x, dfdx, delta, steps, sign), etaplus, etaminus,
                          stepsizemax, stepsizemin):
            torch.cmul(dfdx, delta, out=sign)
            sign.sign()
            psign, nsign = torch.gt(sign, 0), torch.lt(sign, 0)
            zsign = torch.eq(sign, 0)
            sign.maskedFill(psign, etaplus).maskedFill(nsign, etaminus).maskedFill(zsign, 1)
            steps.cmul(sign)
            steps.maskedFill(torch.gt(steps, stepsizemax), stepsizemax)
            steps.maskedFill(torch.lt(steps, stepsizemin), stepsizemin)
            dfdx.maskedFill(nsign, 0)
            torch.sign(dfdx, out=sign)
            x.addcmul(-1, sign, steps)
            delta.copy(dfdx)
        hfx.append(fx)
    return x, hfx
