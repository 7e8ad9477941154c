"""optim.adadelta: ADADELTA (Zeiler, 2012), no learning rate."""

from __future__ import annotations

from ferrotorch.optim import _fused
from ferrotorch.optim._common import like, opt, tables

__all__ = ["adadelta"]


def adadelta(opfunc, x, config=None, state=None):
    """x, [f] = optim.adadelta(opfunc, x, config=None, state=None)

    ADADELTA (Torch7's optim.adadelta): ``v = rho*v + (1-rho)*g*g``, ``std = sqrt(v + eps)``,
    ``delta = sqrt(accDelta + eps) / std * g``, ``x -= delta``,
    ``accDelta = rho*accDelta + (1-rho)*delta*delta``.

    config keys: rho=0.9, eps=1e-6, weightDecay=0. state (defaults to config): evalCounter,
    paramVariance, paramStd, delta, accDelta. Like Torch7, prints a note when called without
    config and state.

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> x = torch.DoubleTensor([1, -2])
    >>> feval = lambda x: (x.dot(x) / 2, x.clone())
    >>> config = {'rho': 0.5, 'eps': 1e-2}
    >>> x, fs = optim.adadelta(feval, x, config)
    >>> fs, [round(v, 6) for v in x.tolist()]
    ([2.5], [0.859972, -1.858931])
    """
    if config is None and state is None:
        print("no state table, ADADELTA initializing")
    config, state = tables(config, state)
    rho = opt(config, "rho", 0.9)
    eps = opt(config, "eps", 1e-6)
    wd = opt(config, "weightDecay", 0)
    state["evalCounter"] = opt(state, "evalCounter", 0)

    fx, dfdx = opfunc(x)
    if state.get("paramVariance") is None:
        for key in ("paramVariance", "paramStd", "delta", "accDelta"):
            state[key] = like(dfdx)
    var, std = state["paramVariance"], state["paramStd"]
    delta, acc = state["delta"], state["accDelta"]

    if not _fused.run("adadelta", (x, dfdx, var, std, delta, acc), rho, eps, wd):
        if wd != 0:
            dfdx.add(wd, x)
        var.mul(rho).addcmul(1 - rho, dfdx, dfdx)
        std.resizeAs(var).copy(var).add(eps).sqrt()
        delta.resizeAs(var).copy(acc).add(eps).sqrt().cdiv(std).cmul(dfdx)
        x.add(-1, delta)
        acc.mul(rho).addcmul(1 - rho, delta, delta)
    state["evalCounter"] += 1
    return x, [fx]
