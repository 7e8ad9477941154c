"""optim.rmsprop: RMSprop (Tieleman and Hinton, 2012)."""

from __future__ import annotations

from ferrotorch.optim import _fused
from ferrotorch.optim._common import opt, tables

__all__ = ["rmsprop"]


def rmsprop(opfunc, x, config=None, state=None):
    """x, [f] = optim.rmsprop(opfunc, x, config=None, state=None)

    RMSprop (Torch7's optim.rmsprop): ``m = alpha*m + (1-alpha)*g*g``,
    ``tmp = sqrt(m) + epsilon``, ``x -= lr * g/tmp`` (no learning-rate decay).

    config keys: learningRate=1e-2, alpha=0.99, epsilon=1e-8, weightDecay=0, initialMean=0
    (the value m starts from). state (defaults to config): m, tmp.

    >>> import ferrotorch as torch
    >>> from ferrotorch import optim
    >>> x = torch.DoubleTensor([1, -2])
    >>> feval = lambda x: (x.dot(x) / 2, x.clone())
    >>> config = {'learningRate': 0.1, 'alpha': 0.75}
    >>> x, fs = optim.rmsprop(feval, x, config)
    >>> fs, [round(v, 6) for v in x.tolist()], config['m'].tolist()
    ([2.5], [0.8, -1.8], [0.25, 1.0])
    """
    config, state = tables(config, state)
    lr = opt(config, "learningRate", 1e-2)
    alpha = opt(config, "alpha", 0.99)
    epsilon = opt(config, "epsilon", 1e-8)
    wd = opt(config, "weightDecay", 0)
    mfill = opt(config, "initialMean", 0)

    fx, dfdx = opfunc(x)
    if state.get("m") is None:
        state["m"] = type(x)().resizeAs(dfdx).fill(mfill)
        state["tmp"] = type(x)().resizeAs(dfdx)
    m, tmp = state["m"], state["tmp"]

    if not _fused.run("rmsprop", (x, dfdx, m, tmp), lr, alpha, epsilon, wd):
        if wd != 0:
            dfdx.add(wd, x)
        m.mul(alpha)
        m.addcmul(1.0 - alpha, dfdx, dfdx)
        tmp.sqrt(m).add(epsilon)
        x.addcdiv(-lr, dfdx, tmp)
    return x, [fx]
