"""optim.sgd: stochastic gradient descent with momentum, Nesterov momentum and weight decay."""

from __future__ import annotations

from ferrotorch.optim import _fused
from ferrotorch.optim._common import like, opt, tables

__all__ = ["sgd"]


def sgd(opfunc, x, config=None, state=None):
    """x, [f] = optim.sgd(opfunc, x, config=None, state=None)

    Stochastic gradient descent (Torch7's optim.sgd). ``opfunc(x)`` returns ``(f, df/dx)``;
    x is updated in place and returned with ``[f]``, f evaluated before the update.

    config keys (Torch7's defaults): learningRate=1e-3, learningRateDecay=0, weightDecay=0,
    weightDecays (per-element tensor, used when weightDecay is 0), momentum=0,
    dampening=momentum, nesterov=False, learningRates (per-element tensor; read from config,
    as Torch7's code does, although its doc lists it under state). state (defaults to config):
    evalCounter, dfdx (momentum buffer), decayParameters, deltaParameters.

    Update: g = df/dx + wd*x; with momentum, the buffer is g on the first call and
    ``mom*buf + (1-dampening)*g`` after; nesterov uses ``g + mom*buf``, else buf;
    ``x -= lr/(1 + evalCounter*lrd) * g`` (times learningRates when given).

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> x = torch.DoubleTensor([1, -2])
    >>> feval = lambda x: (x.dot(x) / 2, x.clone())
    >>> config = {'learningRate': 0.5, 'momentum': 0.9}
    >>> x, fs = optim.sgd(feval, x, config)
    >>> fs, x.tolist(), config['evalCounter']
    ([2.5], [0.5, -1.0], 1)
    """
    config, state = tables(config, state)
    lr = opt(config, "learningRate", 1e-3)
    lrd = opt(config, "learningRateDecay", 0)
    wd = opt(config, "weightDecay", 0)
    mom = opt(config, "momentum", 0)
    damp = opt(config, "dampening", mom)
    nesterov = opt(config, "nesterov", False)
    lrs = config.get("learningRates")
    wds = config.get("weightDecays")
    state["evalCounter"] = opt(state, "evalCounter", 0)
    nevals = state["evalCounter"]
    if nesterov and not (mom > 0 and damp == 0):
        raise ValueError("optim.sgd: Nesterov momentum requires a momentum and zero dampening "
                         f"(momentum={mom}, dampening={damp})")

    fx, dfdx = opfunc(x)
    clr = lr / (1 + nevals * lrd)

    # one pass for Torch7's steps 2-5 (decay, momentum, step) once the buffer exists
    if wds is None and lrs is None and (
            _fused.run("sgd", (x, dfdx), clr, wd) if mom == 0 else
            state.get("dfdx") is not None and _fused.run(
                "sgd_momentum", (x, dfdx, state["dfdx"]), clr, wd, mom, 1 - damp,
                bool(nesterov))):
        state["evalCounter"] = nevals + 1
        return x, [fx]

    if wd != 0:
        dfdx.add(wd, x)
    elif wds is not None:
        if state.get("decayParameters") is None:
            state["decayParameters"] = like(dfdx)
        state["decayParameters"].copy(wds).cmul(x)
        dfdx.add(state["decayParameters"])

    if mom != 0:
        if state.get("dfdx") is None:
            state["dfdx"] = dfdx.clone()
        else:
            state["dfdx"].mul(mom).add(1 - damp, dfdx)
        if nesterov:
            dfdx.add(mom, state["dfdx"])
        else:
            dfdx = state["dfdx"]

    if lrs is not None:
        if state.get("deltaParameters") is None:
            state["deltaParameters"] = like(dfdx)
        state["deltaParameters"].copy(lrs).cmul(dfdx)
        x.add(-clr, state["deltaParameters"])
    else:
        x.add(-clr, dfdx)

    state["evalCounter"] = nevals + 1
    return x, [fx]
