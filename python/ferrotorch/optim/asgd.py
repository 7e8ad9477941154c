"""optim.asgd: averaged stochastic gradient descent (L. Bottou's sgd-2.0)."""

from __future__ import annotations

from ferrotorch.optim import _fused
from ferrotorch.optim._common import like, opt, tables

__all__ = ["asgd"]


def asgd(opfunc, x, config=None, state=None):
    """x, [f], ax = optim.asgd(opfunc, x, config=None, state=None)

    Averaged SGD (Torch7's optim.asgd): ``x = (1 - lambda*eta_t)*x - eta_t*g``, then the
    average ``ax += mu_t*(x - ax)`` (``ax = x`` while mu_t is 1), then
    ``eta_t = eta0/(1 + lambda*eta0*t)^alpha`` and ``mu_t = 1/max(1, t - t0)``. Returns x, [f]
    and the averaged ax.

    config keys (written back into config when missing, as Torch7 does): eta0=1e-4,
    lambda=1e-4, alpha=0.75, t0=1e6. state (defaults to config): eta_t, mu_t, t, ax, tmp.

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> x = torch.DoubleTensor([1, -2])
    >>> feval = lambda x: (x.dot(x) / 2, x.clone())
    >>> config = {'eta0': 0.5, 'lambda': 0}
    >>> x, fs, ax = optim.asgd(feval, x, config)
    >>> fs, x.tolist(), ax.tolist(), config['t']
    ([2.5], [0.5, -1.0], [0.5, -1.0], 1)
    """
    config, state = tables(config, state)
    for key, default in (("eta0", 1e-4), ("lambda", 1e-4), ("alpha", 0.75), ("t0", 1e6)):
        config[key] = opt(config, key, default)
    state["eta_t"] = opt(state, "eta_t", config["eta0"])
    state["mu_t"] = opt(state, "mu_t", 1)
    state["t"] = opt(state, "t", 0)
    eta_t, mu_t = state["eta_t"], state["mu_t"]

    fx, dfdx = opfunc(x)

    if state.get("ax") is None:
        state["ax"] = like(x)
    if state.get("tmp") is None:
        state["tmp"] = like(state["ax"])
    ax, tmp = state["ax"], state["tmp"]
    if not _fused.run("asgd", (x, dfdx, ax, tmp), 1 - config["lambda"] * eta_t, eta_t, mu_t):
        x.mul(1 - config["lambda"] * eta_t)
        x.add(-eta_t, dfdx)
        if mu_t != 1:
            tmp.copy(x)
            tmp.add(-1, ax).mul(mu_t)
            ax.add(tmp)
        else:
            ax.copy(x)

    state["t"] += 1
    t = state["t"]
    state["eta_t"] = config["eta0"] / (1 + config["lambda"] * config["eta0"] * t) ** config["alpha"]
    state["mu_t"] = 1 / max(1, t - config["t0"])
    return x, [fx], ax
