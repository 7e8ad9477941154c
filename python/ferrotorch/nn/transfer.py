"""nn transfer functions (Torch7's activations): element-wise, soft-max family, rectifiers.

Every class is a few lines over one Rust kernel per direction (``ferrotorch._C._nn``,
rust/ferrotorch/src/nn/transfer/). In-place variants (``inplace=True`` / ``ip``) overwrite the
input (and in backward the gradOutput) and make output / gradInput views of it, as Torch7 did.
"""

import ferrotorch as torch
from ferrotorch._C import _nn
from ferrotorch.nn.containers import Sequential
from ferrotorch.nn.module import Module

__all__ = [
    "ELU",
    "AddConstant",
    "CReLU",
    "GatedLinearUnit",
    "HardShrink",
    "HardTanh",
    "LeakyReLU",
    "LogSigmoid",
    "LogSoftMax",
    "Maxout",
    "MulConstant",
    "PReLU",
    "RReLU",
    "ReLU",
    "ReLU6",
    "Sigmoid",
    "SoftMax",
    "SoftMin",
    "SoftPlus",
    "SoftShrink",
    "SoftSign",
    "SpatialLogSoftMax",
    "SpatialSoftMax",
    "Tanh",
    "TanhShrink",
    "Threshold",
]


def _check_inplace(name, ip):
    if ip is not None and not isinstance(ip, bool):
        raise TypeError(f"nn.{name}: in-place flag must be boolean, got {ip!r}")
    return bool(ip)


class Tanh(Module):
    """nn.Tanh() -> y = tanh(x), element-wise, any input shape

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Tanh()
    >>> [round(v, 4) for v in m.forward(torch.Tensor([-1, 0, 2])).tolist()]
    [-0.7616, 0.0, 0.964]
    >>> [round(v, 4) for v in m.backward(torch.Tensor([-1, 0, 2]), torch.ones(3)).tolist()]
    [0.42, 1.0, 0.0707]
    """

    def updateOutput(self, input, _f=_nn.Tanh_updateOutput):
        _f(input, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.Tanh_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput)
        return self.gradInput


class Sigmoid(Module):
    """nn.Sigmoid() -> y = 1 / (1 + exp(-x)), element-wise

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Sigmoid().forward(torch.Tensor([0, 100])).tolist()
    [0.5, 1.0]
    """

    def updateOutput(self, input, _f=_nn.Sigmoid_updateOutput):
        _f(input, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.Sigmoid_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput)
        return self.gradInput


class Threshold(Module):
    """nn.Threshold(th=1e-6, v=0, ip=False) -> y = x if x > th else v

    In-place (``ip=True``) needs ``v <= th`` (the backward reads the overwritten input).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Threshold(1, -5).forward(torch.Tensor([0, 1, 2])).tolist()
    [-5.0, -5.0, 2.0]
    """

    def __init__(self, th=1e-6, v=0, ip=False):
        super().__init__()
        if not isinstance(th, (int, float)) or not isinstance(v, (int, float)):
            raise TypeError("nn.Threshold(threshold, value): both must be numbers")
        self.threshold = th
        self.val = v
        self.inplace = _check_inplace(type(self).__name__, ip)
        self.validateParameters()

    def validateParameters(self):
        """Raises ValueError when in-place mode has val > threshold."""
        if self.inplace and self.val > self.threshold:
            raise ValueError(f"{self.__typename__}: in-place processing requires value "
                             f"({self.val}) not exceed threshold ({self.threshold})")

    def updateOutput(self, input, _f=_nn.Threshold_updateOutput):
        _f(input, self.output, self.threshold, self.val, self.inplace)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.Threshold_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput, self.threshold, self.val,
           self.inplace)
        return self.gradInput


class ReLU(Threshold):
    """nn.ReLU(ip=False) -> y = max(0, x) (Threshold(0, 0, ip))

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.ReLU().forward(torch.Tensor([-1, 0, 3])).tolist()
    [0.0, 0.0, 3.0]
    """

    def __init__(self, p=False):
        super().__init__(0, 0, p)


class ReLU6(Module):
    """nn.ReLU6(inplace=False) -> y = min(max(0, x), 6)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.ReLU6().forward(torch.Tensor([-1, 3, 9])).tolist()
    [0.0, 3.0, 6.0]
    """

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = _check_inplace("ReLU6", inplace)

    def updateOutput(self, input, _f=_nn.HardTanh_updateOutput):
        _f(input, self.output, 0, 6, self.inplace)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.HardTanh_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput, 0, 6, self.inplace)
        return self.gradInput


class HardTanh(Module):
    """nn.HardTanh(min_value=-1, max_value=1, inplace=False) -> y = clamp(x, min, max)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.HardTanh().forward(torch.Tensor([-3, 0.5, 2])).tolist()
    [-1.0, 0.5, 1.0]
    """

    def __init__(self, min_value=-1, max_value=1, inplace=False):
        super().__init__()
        self.min_val = min_value
        self.max_val = max_value
        self.inplace = _check_inplace("HardTanh", inplace)
        if not self.max_val > self.min_val:
            raise ValueError(f"nn.HardTanh: max_value ({max_value}) must be larger than "
                             f"min_value ({min_value})")

    def updateOutput(self, input, _f=_nn.HardTanh_updateOutput):
        _f(input, self.output, self.min_val, self.max_val, self.inplace)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.HardTanh_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput, self.min_val, self.max_val,
           self.inplace)
        return self.gradInput


class LeakyReLU(Module):
    """nn.LeakyReLU(negval=1/100, ip=False) -> y = x if x > 0 else negval * x

    A negative negval turns in-place off (Torch7's rule).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.LeakyReLU(0.5).forward(torch.Tensor([-2, 2])).tolist()
    [-1.0, 2.0]
    >>> nn.LeakyReLU()
    nn.LeakyReLU(0.01)
    """

    def __init__(self, negval=None, ip=False):
        super().__init__()
        if isinstance(negval, bool):  # LeakyReLU(true): Torch7 read it as the in-place flag
            negval = None
        self.negval = 1 / 100 if negval is None else negval
        self.inplace = bool(ip) and self.negval >= 0

    def updateOutput(self, input, _f=_nn.LeakyReLU_updateOutput):
        _f(input, self.output, self.negval, self.inplace)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.LeakyReLU_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput, self.negval, self.inplace)
        return self.gradInput

    def __tostring__(self):
        return f"{self.__typename__}({self.negval:g})"


class ELU(Module):
    """nn.ELU(alpha=1, inplace=False) -> y = x if x > 0 else alpha * (exp(x) - 1)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> [round(v, 4) for v in nn.ELU().forward(torch.Tensor([-1, 2])).tolist()]
    [-0.6321, 2.0]
    >>> nn.ELU()
    nn.ELU (alpha:1.000000)
    """

    def __init__(self, alpha=1, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = _check_inplace("ELU", inplace)

    def updateOutput(self, input, _f=_nn.ELU_updateOutput):
        _f(input, self.output, self.alpha, self.inplace)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.ELU_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput, self.alpha, self.inplace)
        return self.gradInput

    def __tostring__(self):
        return f"{self.__typename__} (alpha:{self.alpha:f})"


class _Lambda(Module):
    """Base of the element-wise functions with a ``lambda`` constant (not in Torch7)."""

    def __init__(self, lam=0.5):
        super().__init__()
        self.__dict__["lambda"] = lam


class HardShrink(_Lambda):
    """nn.HardShrink(lam=0.5) -> y = x if |x| > lambda else 0

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.HardShrink().forward(torch.Tensor([-1, 0.2, 0.7])).tolist()
    [-1.0, 0.0, 0.7]
    """

    def updateOutput(self, input, _f=_nn.HardShrink_updateOutput):
        _f(input, self.output, self.__dict__["lambda"])
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.HardShrink_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput, self.__dict__["lambda"])
        return self.gradInput


class SoftShrink(_Lambda):
    """nn.SoftShrink(lam=0.5) -> y = x - lambda if x > lambda, x + lambda if x < -lambda, else 0

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.SoftShrink().forward(torch.Tensor([-1, 0.2, 1.5])).tolist()
    [-0.5, 0.0, 1.0]
    """

    def updateOutput(self, input, _f=_nn.SoftShrink_updateOutput):
        _f(input, self.output, self.__dict__["lambda"])
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.SoftShrink_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput, self.__dict__["lambda"])
        return self.gradInput


class TanhShrink(Module):
    """nn.TanhShrink() -> y = x - tanh(x)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> [round(v, 4) for v in nn.TanhShrink().forward(torch.Tensor([1])).tolist()]
    [0.2384]
    """

    def __init__(self):
        super().__init__()
        self.tanh = Tanh()

    def updateOutput(self, input, _f=_nn.TanhShrink_updateOutput):
        _f(input, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.TanhShrink_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput)
        return self.gradInput


class LogSigmoid(Module):
    """nn.LogSigmoid() -> y = -log(1 + exp(-x)), stable for large |x|

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> [round(v, 4) for v in nn.LogSigmoid().forward(torch.Tensor([0, -1000])).tolist()]
    [-0.6931, -1000.0]
    """

    def updateOutput(self, input, _f=_nn.LogSigmoid_updateOutput):
        _f(input, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.LogSigmoid_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput)
        return self.gradInput


class SoftPlus(Module):
    """nn.SoftPlus(beta=1) -> y = log(1 + exp(beta * x)) / beta (y = x where beta * x > 20)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> [round(v, 4) for v in nn.SoftPlus().forward(torch.Tensor([0, 30])).tolist()]
    [0.6931, 30.0]
    """

    def __init__(self, beta=1):
        super().__init__()
        self.beta = beta
        self.threshold = 20  # Torch7's: above it, log1p(exp(beta x)) / beta == x in doubles

    def updateOutput(self, input, _f=_nn.SoftPlus_updateOutput):
        _f(input, self.output, self.beta, self.threshold)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.SoftPlus_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput, self.beta, self.threshold)
        return self.gradInput


class SoftSign(Module):
    """nn.SoftSign() -> y = x / (1 + |x|)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.SoftSign().forward(torch.Tensor([-3, 1])).tolist()
    [-0.75, 0.5]
    """

    def updateOutput(self, input, _f=_nn.SoftSign_updateOutput):
        _f(input, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.SoftSign_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput)
        return self.gradInput


class SoftMax(Module):
    """nn.SoftMax() -> y_i = exp(x_i - max) / sum_j exp(x_j - max) over the feature dim

    The feature dim follows Torch7: a vector is normalised whole, a matrix row by row (dim 1),
    a 3-D input over dim 0 at each (h, w), a 4-D input over dim 1 at each (b, h, w).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> [round(v, 4) for v in nn.SoftMax().forward(torch.Tensor([1, 2, 3])).tolist()]
    [0.09, 0.2447, 0.6652]
    """

    _fwd = staticmethod(_nn.SoftMax_updateOutput)
    _bwd = staticmethod(_nn.SoftMax_updateGradInput)

    def updateOutput(self, input):
        self._fwd(input, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self._bwd(input, gradOutput, self.output, self.gradInput)
        return self.gradInput


class LogSoftMax(Module):
    """nn.LogSoftMax() -> y_i = x_i - max - log sum_j exp(x_j - max), dims as nn.SoftMax

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> [round(v, 4) for v in nn.LogSoftMax().forward(torch.Tensor([1, 2, 3])).tolist()]
    [-2.4076, -1.4076, -0.4076]
    """

    def updateOutput(self, input, _f=_nn.LogSoftMax_updateOutput):
        _f(input, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.LogSoftMax_updateGradInput):
        _f(input, gradOutput, self.output, self.gradInput)
        return self.gradInput


class SoftMin(SoftMax):
    """nn.SoftMin() -> SoftMax of -x (dims as nn.SoftMax)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> [round(v, 4) for v in nn.SoftMin().forward(torch.Tensor([1, 2, 3])).tolist()]
    [0.6652, 0.2447, 0.09]
    """

    _fwd = staticmethod(_nn.SoftMin_updateOutput)
    _bwd = staticmethod(_nn.SoftMin_updateGradInput)


class SpatialSoftMax(SoftMax):
    """nn.SpatialSoftMax() -> SoftMax over the channels at each spatial location
    (C x H x W or B x C x H x W; 1-D and 2-D inputs as nn.SoftMax)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.SpatialSoftMax().forward(torch.zeros(2, 1, 1)).view(-1).tolist()
    [0.5, 0.5]
    """

    _fwd = staticmethod(_nn.SpatialSoftMax_updateOutput)
    _bwd = staticmethod(_nn.SpatialSoftMax_updateGradInput)


class SpatialLogSoftMax(SoftMax):
    """nn.SpatialLogSoftMax() -> LogSoftMax over the channels at each spatial location

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> [round(v, 4) for v in nn.SpatialLogSoftMax().forward(torch.zeros(2, 1, 1)).view(-1).tolist()]
    [-0.6931, -0.6931]
    """

    _fwd = staticmethod(_nn.SpatialLogSoftMax_updateOutput)
    _bwd = staticmethod(_nn.SpatialLogSoftMax_updateGradInput)


class PReLU(Module):
    """nn.PReLU(nOutputPlane=0) -> y = x if x > 0 else a * x, with learnt slopes a

    nOutputPlane 0: one slope shared by every element; else one per channel (dim 0 of a
    vector, dim 1 of a batch). weight starts at 0.25.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.PReLU().forward(torch.Tensor([-4, 2])).tolist()
    [-1.0, 2.0]
    """

    def __init__(self, nOutputPlane=0):
        super().__init__()
        self.nOutputPlane = nOutputPlane
        self.weight = torch.Tensor(nOutputPlane or 1).fill(0.25)
        self.gradWeight = torch.Tensor(nOutputPlane or 1)

    def updateOutput(self, input, _f=_nn.PReLU_updateOutput):
        _f(input, self.output, self.weight, self.nOutputPlane)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.PReLU_updateGradInput):
        _f(input, gradOutput, self.gradInput, self.weight, self.nOutputPlane)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1, _f=_nn.PReLU_accGradParameters):
        _f(input, gradOutput, self.gradWeight, self.nOutputPlane, scale)
        return self.gradWeight


class RReLU(Module):
    """nn.RReLU(l=1/8, u=1/3, ip=False) -> randomized leaky rectifier

    Training: each element x <= 0 draws a slope a ~ U(l, u) from the default generator
    (``torch.manualSeed`` reproduces it) and y = a x; the slopes stay in ``noise`` for the
    backward. Evaluate: y = x (l + u) / 2 for x <= 0.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.RReLU(0.25, 0.25).evaluate().forward(torch.Tensor([-4, 2])).tolist()
    [-1.0, 2.0]
    >>> nn.RReLU()
    nn.RReLU (l:0.125000, u:0.333333)
    """

    def __init__(self, l=None, u=None, ip=False):
        super().__init__()
        self.lower = 1 / 8 if l is None else l
        self.upper = 1 / 3 if u is None else u
        if not (0 <= self.lower <= self.upper):
            raise ValueError(f"nn.RReLU: need 0 <= l <= u, got l = {self.lower}, "
                             f"u = {self.upper}")
        self.noise = torch.Tensor()
        self.inplace = bool(ip)

    def updateOutput(self, input, _f=_nn.RReLU_updateOutput):
        self.noise = self.noise.type(input.type())
        _f(input, self.output, self.noise, self.lower, self.upper, self.train, self.inplace)
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.RReLU_updateGradInput):
        _f(input, gradOutput, self.gradInput, self.noise, self.lower, self.upper, self.train,
           self.inplace)
        return self.gradInput

    def __tostring__(self):
        return f"{self.__typename__} (l:{self.lower:f}, u:{self.upper:f})"

    def clearState(self):
        self.noise.set()
        return super().clearState()


class GatedLinearUnit(Module):
    """nn.GatedLinearUnit(dim=None) -> y = a * sigmoid(b), a and b the halves of dim

    dim (0-based) defaults to the input's last dim; its size must be even.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.GatedLinearUnit().forward(torch.Tensor([2, 4, 0, 0])).tolist()
    [1.0, 2.0]
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def _dim(self, input):
        d = self.dim
        if d is None:
            return input.dim() - 1
        return d + input.dim() if d < 0 else d

    def updateOutput(self, input, _f=_nn.GatedLinear_updateOutput):
        _f(input, self.output, self._dim(input))
        return self.output

    def updateGradInput(self, input, gradOutput, _f=_nn.GatedLinear_updateGradInput):
        _f(input, gradOutput, self.gradInput, self._dim(input))
        return self.gradInput


class AddConstant(Module):
    """nn.AddConstant(k, ip=False) -> y = x + k (k a number, or a tensor matching the last dim
    of a 1-D or 2-D input); in-place mode adds to the input and removes it again in backward

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.AddConstant(1.5).forward(torch.Tensor([1, 2])).tolist()
    [2.5, 3.5]
    """

    def __init__(self, constant_scalar, ip=False):
        super().__init__()
        self.constant_scalar = constant_scalar
        self.inplace = _check_inplace("AddConstant", ip)

    def _constant(self, input):
        k = self.constant_scalar
        if isinstance(k, (int, float)):
            return k
        if input.dim() > 2 or input.size(input.dim() - 1) != k.size(0):
            raise ValueError(f"nn.AddConstant: input of size {list(input.size())} does not "
                             f"match the constant of size {list(k.size())}")
        return k.view(1, -1).expandAs(input) if input.dim() == 2 else k

    def updateOutput(self, input):
        k = self._constant(input)
        if self.inplace:
            input.add(k)
            self.output.set(input)
        else:
            self.output.resizeAs(input).copy(input).add(k)
        return self.output

    def updateGradInput(self, input, gradOutput):
        if self.inplace:
            self.gradInput.set(gradOutput)
            k = self._constant(input)
            input.add(-k if isinstance(k, (int, float)) else k.mul(-1))
        else:
            self.gradInput.resizeAs(gradOutput).copy(gradOutput)
        return self.gradInput


class MulConstant(Module):
    """nn.MulConstant(k, ip=False) -> y = k x; in-place mode scales the input and restores it
    in backward

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.MulConstant(2.5).forward(torch.Tensor([1, 2])).tolist()
    [2.5, 5.0]
    """

    def __init__(self, constant_scalar, ip=False):
        super().__init__()
        if not isinstance(constant_scalar, (int, float)):
            raise TypeError(f"nn.MulConstant: the constant must be a number, got "
                            f"{type(constant_scalar).__name__}")
        self.constant_scalar = constant_scalar
        self.inplace = _check_inplace("MulConstant", ip)

    def updateOutput(self, input):
        if self.inplace:
            input.mul(self.constant_scalar)
            self.output.set(input)
        else:
            torch.mul(input, self.constant_scalar, out=self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        if self.inplace:
            gradOutput.mul(self.constant_scalar)
            self.gradInput.set(gradOutput)
            input.div(self.constant_scalar)
        else:
            torch.mul(gradOutput, self.constant_scalar, out=self.gradInput)
        return self.gradInput


class CReLU(Sequential):
    """nn.CReLU(nInputDims, inplace=False) -> concat(relu(x), relu(-x)) on the first
    non-batch dim, which doubles

    An input with nInputDims + 1 dims is a batch. Torch7 built it as a Sequential of
    ConcatTable(Identity, MulConstant(-1)), JoinTable and ReLU; this computes the same values
    with the ReLU kernel directly and holds no children.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.CReLU(1).forward(torch.Tensor([1, -2])).tolist()
    [1.0, 0.0, 0.0, 2.0]
    >>> nn.CReLU(1)
    CReLU()
    """

    def __init__(self, nInputDims, inplace=False):
        super().__init__()
        self.nInputDims = nInputDims
        self.inplace = bool(inplace)
        self._joined = torch.Tensor()
        self._joinedGrad = torch.Tensor()

    def _batch(self, input):
        return input.size(0) if input.dim() == self.nInputDims + 1 else 1

    def updateOutput(self, input):
        rows = self._batch(input)
        x = input.contiguous().view(rows, -1)
        n = x.size(1)
        self._joined = self._joined.type(input.type())
        self._joined.resize(rows, 2 * n)
        self._joined.narrow(1, 0, n).copy(x)
        self._joined.narrow(1, n, n).copy(x).mul(-1)
        _nn.Threshold_updateOutput(self._joined, self.output, 0, 0, self.inplace)
        size = list(input.size())
        size[0 if input.dim() == self.nInputDims else 1] *= 2
        self.output.resize(*size)
        return self.output

    def updateGradInput(self, input, gradOutput):
        joined = self._joined
        g = gradOutput.contiguous().view(joined.size(0), -1)
        self._joinedGrad = self._joinedGrad.type(input.type())
        _nn.Threshold_updateGradInput(joined, g, joined, self._joinedGrad, 0, 0)
        n = joined.size(1) // 2
        self.gradInput = self.gradInput.type(input.type())
        self.gradInput.resize(joined.size(0), n).copy(self._joinedGrad.narrow(1, 0, n))
        self.gradInput.add(-1, self._joinedGrad.narrow(1, n, n))
        self.gradInput.resize(*input.size())
        return self.gradInput

    def backward(self, input, gradOutput, scale=1):
        return self.updateGradInput(input, gradOutput)

    def __tostring__(self):
        return "CReLU()"


class Maxout(Sequential):
    """nn.Maxout(inputSize, outputSize, maxoutNumber, preprocess=None) -> y_j = max_k (W_k x + b_k)_j

    A Sequential of Linear(inputSize, outputSize * maxoutNumber), View(maxoutNumber,
    outputSize) (one input dim), the optional preprocess module and Max over the pieces, as in
    Torch7 (it needs nn.View and nn.Max).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Maxout(4, 3, 2)
    >>> list(m.forward(torch.randn(5, 4)).size())
    [5, 3]
    """

    def __init__(self, inputSize, outputSize, maxoutNumber, preprocess=None):
        super().__init__()
        from ferrotorch import nn

        self.add(nn.Linear(inputSize, outputSize * maxoutNumber))
        self.add(nn.View(maxoutNumber, outputSize).setNumInputDims(1))
        if preprocess is not None:
            self.add(preprocess)
        self.add(nn.Max(0, 2))
