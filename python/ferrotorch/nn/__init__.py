"""ferrotorch.nn: Torch7's neural-network package.

Modules compute ``output = m.forward(input)`` and ``gradInput = m.backward(input, gradOutput)``;
criterions ``loss = c.forward(input, target)`` and ``c.backward(input, target)``. Every class
has Torch7's name, constructor arguments, defaults and fields; indices, dims and class targets
are 0-based. Numerics run in the Rust kernels of ``ferrotorch._C._nn`` (Torch7's THNN).

>>> import ferrotorch as torch
>>> from ferrotorch import nn
>>> mlp = nn.Sequential().add(nn.Linear(4, 3)).add(nn.Tanh()).add(nn.Linear(3, 2))
>>> out = mlp.forward(torch.randn(4))
>>> crit = nn.MSECriterion()
>>> loss = crit.forward(out, torch.Tensor([0, 1]))
>>> gradInput = mlp.backward(torch.randn(4), crit.backward(out, torch.Tensor([0, 1])))
>>> list(gradInput.size())
[4]
"""

from ferrotorch.nn import (
    adapters,
    containers,
    conv,
    criterions,
    decorators,
    misc,
    normalization,
    padding,
    pooling,
    simple,
    simple_math,
    table,
    temporal,
    transfer,
    utils,
)
from ferrotorch.nn import jacobian as Jacobian
from ferrotorch.nn.adapters import *
from ferrotorch.nn.containers import *
from ferrotorch.nn.conv import *
from ferrotorch.nn.criterion import Criterion
from ferrotorch.nn.criterions import *
from ferrotorch.nn.decorators import *
from ferrotorch.nn.linear import Linear
from ferrotorch.nn.misc import *
from ferrotorch.nn.module import REGISTRY, Module
from ferrotorch.nn.normalization import *
from ferrotorch.nn.padding import *
from ferrotorch.nn.pooling import *
from ferrotorch.nn.simple import *
from ferrotorch.nn.simple_math import *
from ferrotorch.nn.table import *
from ferrotorch.nn.temporal import *
from ferrotorch.nn.trainer import StochasticGradient
from ferrotorch.nn.transfer import *

__all__ = [
    "REGISTRY",
    "Criterion",
    "Jacobian",
    "Linear",
    "Module",
    "StochasticGradient",
    "utils",
]
__all__ += adapters.__all__
__all__ += containers.__all__
__all__ += conv.__all__
__all__ += criterions.__all__
__all__ += decorators.__all__
__all__ += misc.__all__
__all__ += pooling.__all__

__all__ += normalization.__all__
__all__ += padding.__all__
__all__ += simple.__all__
__all__ += simple_math.__all__
__all__ += table.__all__
__all__ += temporal.__all__
__all__ += transfer.__all__
# nn.gModule / nn.ModuleFromCriterion: importing them loads ferrotorch.nngraph (issue 18).
from ferrotorch.nn.lazy_nngraph import __getattr__  # noqa: F401
