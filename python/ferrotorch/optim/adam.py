"""optim.adam and optim.adamax (Kingma and Ba, 2014)."""

from __future__ import annotations

import math

from ferrotorch.optim import _fused
from ferrotorch.optim._common import like, opt, tables

__all__ = ["adam", "adamax"]


def adam(opfunc, x, config=None, state=None):
    """x, [f] = optim.adam(opfunc, x, config=None, state=None)

    Adam (Torch7's optim.adam): ``m = b1*m + (1-b1)*g``, ``v = b2*v + (1-b2)*g*g``,
    ``denom = sqrt(v) + epsilon`` and ``x -= clr*sqrt(1-b2^t)/(1-b1^t) * m/denom``, so epsilon
    is added before the bias correction (Torch7's order, not PyTorch's); ``clr =
    lr/(1 + (t-1)*lrd)``.

    config keys: learningRate=1e-3, learningRateDecay=0, beta1=0.9, beta2=0.999,
    epsilon=1e-8, weightDecay=0. state (defaults to config): t, m, v, denom.

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> x = torch.DoubleTensor([1, -2])
    >>> feval = lambda x: (x.dot(x) / 2, x.clone())
    >>> config = {'learningRate': 0.1}
    >>> x, fs = optim.adam(feval, x, config)
    >>> fs, [round(v, 6) for v in x.tolist()], config['t']
    ([2.5], [0.9, -1.9], 1)
    """
    config, state = tables(config, state)
    lr = opt(config, "learningRate", 0.001)
    lrd = opt(config, "learningRateDecay", 0)
    beta1 = opt(config, "beta1", 0.9)
    beta2 = opt(config, "beta2", 0.999)
    epsilon = opt(config, "epsilon", 1e-8)
    wd = opt(config, "weightDecay", 0)

    fx, dfdx = opfunc(x)
    state["t"] = opt(state, "t", 0)
    for key in ("m", "v", "denom"):
        if state.get(key) is None:
            state[key] = like(dfdx)
    m, v, denom = state["m"], state["v"], state["denom"]

    clr = lr / (1 + state["t"] * lrd)
    state["t"] += 1
    t = state["t"]
    step_size = clr * math.sqrt(1 - beta2**t) / (1 - beta1**t)

    if not _fused.run("adam", (x, dfdx, m, v, denom), step_size, beta1, beta2, epsilon, wd):
        if wd != 0:
            dfdx.add(wd, x)
        m.mul(beta1).add(1 - beta1, dfdx)
        v.mul(beta2).addcmul(1 - beta2, dfdx, dfdx)
        denom.copy(v).sqrt().add(epsilon)
        x.addcdiv(-step_size, m, denom)
    return x, [fx]


def adamax(opfunc, x, config=None, state=None):
    """x, [f] = optim.adamax(opfunc, x, config=None, state=None)

    AdaMax (Torch7's optim.adamax): ``m = b1*m + (1-b1)*g``, ``u = max(b2*u, |g| + epsilon)``,
    ``x -= lr/(1-b1^t) * m/u``.

    config keys: learningRate=2e-3, beta1=0.9, beta2=0.999, epsilon=1e-38, weightDecay=0.
    state (defaults to config): t, m, u. Torch7 also kept a 2xN scratch tensor ``max`` for
    the element-wise maximum; the maximum is taken in one pass here, so there is none.

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> x = torch.DoubleTensor([1, -2])
    >>> feval = lambda x: (x.dot(x) / 2, x.clone())
    >>> config = {'learningRate': 0.1}
    >>> x, fs = optim.adamax(feval, x, config)
    >>> fs, [round(v, 6) for v in x.tolist()], config['u'].tolist()
    ([2.5], [0.9, -1.9], [1.0, 2.0])
    """
    config, state = tables(config, state)
    lr = opt(config, "learningRate", 0.002)
    beta1 = opt(config, "beta1", 0.9)
    beta2 = opt(config, "beta2", 0.999)
    epsilon = opt(config, "epsilon", 1e-38)
    wd = opt(config, "weightDecay", 0)

    fx, dfdx = opfunc(x)
    state["t"] = opt(state, "t", 0)
    for key in ("m", "u"):
        if state.get(key) is None:
            state[key] = like(dfdx)
    m, u = state["m"], state["u"]
    state["t"] += 1
    step_size = lr / (1 - beta1 ** state["t"])

    if not _fused.run("adamax", (x, dfdx, m, u), step_size, beta1, beta2, epsilon, wd):
        if wd != 0:
            dfdx.add(wd, x)
        m.mul(beta1).add(1 - beta1, dfdx)
        # u = max(beta2*u, |g| + eps), element-wise (Torch7: max over a 2xN scratch tensor)
        u.mul(beta2).cmax(dfdx.clone().abs().add(epsilon))
        x.addcdiv(-step_size, m, u)
    return x, [fx]
