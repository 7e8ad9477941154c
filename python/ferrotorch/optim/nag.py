"""optim.nag: SGD with Nesterov's accelerated gradient (Sutskever et al., 2013)."""

from __future__ import annotations

from ferrotorch.optim import _fused
from ferrotorch.optim._common import like, opt, tables

__all__ = ["nag"]


def nag(opfunc, x, config=None, state=None):
    """x, [f] = optim.nag(opfunc, x, config=None, state=None)

    Nesterov accelerated gradient (Torch7's optim.nag): x first moves along the momentum
    buffer, the gradient is evaluated there, then ``buf = mom*buf - clr*g`` and ``x -= clr*g``.
    f is the value at the look-ahead point.

    config keys: learningRate=1e-3, learningRateDecay=0, weightDecay=0, momentum=0.9 (must be
    > 0, ValueError otherwise; Torch7 raised an error), dampening (read but unused, as in
    Torch7), learningRates (per-element tensor). state (defaults to config): evalCounter, dfdx
    (the momentum buffer), deltaParameters.

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> x = torch.DoubleTensor([1, -2])
    >>> feval = lambda x: (x.dot(x) / 2, x.clone())
    >>> config = {'learningRate': 0.5}
    >>> x, fs = optim.nag(feval, x, config)
    >>> fs, x.tolist(), config['dfdx'].tolist()
    ([2.5], [0.5, -1.0], [-0.5, 1.0])
    """
    config, state = tables(config, state)
    lr = opt(config, "learningRate", 1e-3)
    lrd = opt(config, "learningRateDecay", 0)
    wd = opt(config, "weightDecay", 0)
    mom = opt(config, "momentum", 0.9)
    lrs = config.get("learningRates")
    state["evalCounter"] = opt(state, "evalCounter", 0)
    nevals = state["evalCounter"]
    if mom <= 0:
        raise ValueError(f"optim.nag: Momentum must be positive for Nesterov Accelerated "
                         f"Gradient (momentum={mom})")

    buf = state.get("dfdx")
    if buf is not None:
        x.add(mom, buf)
    fx, dfdx = opfunc(x)
    clr = lr / (1 + nevals * lrd)

    if buf is not None and lrs is None and _fused.run("nag", (x, dfdx, buf), clr, wd, mom):
        state["evalCounter"] = nevals + 1
        return x, [fx]

    if wd != 0:
        dfdx.add(wd, x)
    if buf is None:
        buf = state["dfdx"] = like(dfdx)
    else:
        buf.mul(mom)
    if lrs is not None:
        if state.get("deltaParameters") is None:
            state["deltaParameters"] = like(dfdx)
        step = state["deltaParameters"].copy(lrs).cmul(dfdx)
    else:
        step = dfdx
    x.add(-clr, step)
    buf.add(-clr, step)
    state["evalCounter"] = nevals + 1
    return x, [fx]
