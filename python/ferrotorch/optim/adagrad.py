"""optim.adagrad: per-coordinate learning rates from the sum of squared gradients."""

from __future__ import annotations

from ferrotorch.optim import _fused
from ferrotorch.optim._common import like, opt, tables

__all__ = ["adagrad"]


def adagrad(opfunc, x, config=None, state=None):
    """x, [f] = optim.adagrad(opfunc, x, config=None, state=None)

    AdaGrad (Torch7's optim.adagrad): ``v += g*g``, ``std = sqrt(v) + 1e-10`` (epsilon fixed,
    as in Torch7), ``x -= clr * g / std`` with ``clr = lr/(1 + evalCounter*lrd)``.

    config keys: learningRate=1e-3, learningRateDecay=0, weightDecay=0. state (defaults to
    config): evalCounter, paramVariance, paramStd. Like Torch7, prints a note when called
    without config and state.

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> x = torch.DoubleTensor([1, -2])
    >>> feval = lambda x: (x.dot(x) / 2, x.clone())
    >>> config = {'learningRate': 0.5}
    >>> x, fs = optim.adagrad(feval, x, config)
    >>> fs, [round(v, 6) for v in x.tolist()], config['paramVariance'].tolist()
    ([2.5], [0.5, -1.5], [1.0, 4.0])
    """
    if config is None and state is None:
        print("no state table, ADAGRAD initializing")
    config, state = tables(config, state)
    lr = opt(config, "learningRate", 1e-3)
    lrd = opt(config, "learningRateDecay", 0)
    wd = opt(config, "weightDecay", 0)
    state["evalCounter"] = opt(state, "evalCounter", 0)
    nevals = state["evalCounter"]

    fx, dfdx = opfunc(x)
    clr = lr / (1 + nevals * lrd)
    if state.get("paramVariance") is None:
        state["paramVariance"] = like(dfdx)
        state["paramStd"] = like(dfdx)
    var, std = state["paramVariance"], state["paramStd"]

    if not _fused.run("adagrad", (x, dfdx, var, std), clr, wd):
        if wd != 0:
            dfdx.add(wd, x)
        var.addcmul(1, dfdx, dfdx)
        std.resizeAs(var).copy(var).sqrt()
        x.addcdiv(-clr, dfdx, std.add(1e-10))
    state["evalCounter"] = nevals + 1
    return x, [fx]
