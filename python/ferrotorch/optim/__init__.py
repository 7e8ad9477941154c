"""ferrotorch.optim: Torch7's functional optimisation package.

Every algorithm is a function ``x, fs = optim.<name>(opfunc, x, config=None, state=None)``:
``opfunc(x)`` returns ``(f(x), df/dx)``, x (usually the flat tensor of getParameters) is
updated in place and returned, fs lists the values of f that the call evaluated (for the
single-step methods ``[f(x)]`` before the update). Hyper-parameters use Torch7's camelCase
keys and defaults; ``state`` defaults to ``config``, so one dict kept across calls holds both
the settings and the optimiser's buffers. The first-order updates run as fused one-pass Rust
kernels (``ferrotorch._C._optim``) for contiguous Float/Double tensors.

Algorithms: sgd, asgd, lbfgs (with lswolfe), cg, adadelta, adagrad, adam, adamax, FistaLS,
nag, rmsprop, rprop, cmaes; helpers lswolfe, polyinterp, checkgrad; Logger and
ConfusionMatrix.

>>> import ferrotorch as torch
>>> from ferrotorch import optim
>>> feval = lambda x: ((x.dot(x) - 2 * x.sum()), x.clone().mul(2).add(-2))
>>> x, config = torch.DoubleTensor([3, -1]), {'learningRate': 0.1}
>>> for _ in range(200):
...     x, fs = optim.sgd(feval, x, config)
>>> [round(v, 6) for v in x.tolist()]
[1.0, 1.0]
"""

from ferrotorch.optim.adadelta import adadelta
from ferrotorch.optim.adagrad import adagrad
from ferrotorch.optim.adam import adam, adamax
from ferrotorch.optim.asgd import asgd
from ferrotorch.optim.cg import cg
from ferrotorch.optim.checkgrad import checkgrad
from ferrotorch.optim.cmaes import cmaes
from ferrotorch.optim.confusion import ConfusionMatrix
from ferrotorch.optim.fista import FistaLS
from ferrotorch.optim.lbfgs import lbfgs
from ferrotorch.optim.logger import Logger
from ferrotorch.optim.lswolfe import lswolfe, polyinterp
from ferrotorch.optim.nag import nag
from ferrotorch.optim.rmsprop import rmsprop
from ferrotorch.optim.rprop import rprop
from ferrotorch.optim.sgd import sgd

__all__ = [
    "ConfusionMatrix",
    "FistaLS",
    "Logger",
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "asgd",
    "cg",
    "checkgrad",
    "cmaes",
    "lbfgs",
    "lswolfe",
    "nag",
    "polyinterp",
    "rmsprop",
    "rprop",
    "sgd",
]
