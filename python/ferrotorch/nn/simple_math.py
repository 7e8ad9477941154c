"""nn: the math simple layers (Torch7's simple.md): reductions over a dimension (Max, Min, Sum,
Mean), element-wise functions (Exp, Log, Abs, Square, Sqrt, Power, Clamp), Normalize and the
products of a pair of inputs (MM, MV).

Element-wise layers and Normalize run the Rust kernels of ferrotorch::nn::simple (one pass per
direction, the gradient formula fused); reductions and products are one or two engine calls.
Dimensions are 0-based.
"""

import ferrotorch as torch
from ferrotorch._C import _nn
from ferrotorch.nn import utils
from ferrotorch.nn.module import REGISTRY, Module

__all__ = [
    "MM",
    "MV",
    "Abs",
    "Clamp",
    "Exp",
    "Log",
    "Max",
    "Mean",
    "Min",
    "Normalize",
    "Power",
    "Sqrt",
    "Square",
    "Sum",
]


def _dimension(module, input):
    """Torch7's _getPositiveDimension, 0-based: negative counts from the end; with nInputDims,
    an input with one more dimension is a batch and the dimension moves right by one."""
    dim = module.dimension
    if dim < 0:
        dim += input.dim()
    elif module.nInputDims is not None and input.dim() == module.nInputDims + 1:
        dim += 1
    if not 0 <= dim < input.dim():
        raise IndexError(f"{module.__typename__}: dimension {module.dimension} out of range for an "
                         f"input of size {list(input.size())}")
    return dim


# ---------------------------------------------------------------------------------- reductions

class Max(Module):
    """nn.Max(dimension=0, nInputDims=None) -> the maximum over one dimension, which is removed

    The gradient goes to the position of each maximum. With nInputDims, an input with one more
    dimension is a batch (dimension shifts by one).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Max(1)
    >>> m.forward(torch.Tensor([[1, 5, 2], [7, 0, 3]])).tolist()
    [5.0, 7.0]
    >>> m.backward(torch.Tensor([[1, 5, 2], [7, 0, 3]]), torch.Tensor([1, 2])).tolist()
    [[0.0, 1.0, 0.0], [2.0, 0.0, 0.0]]
    """

    _reduce = staticmethod(torch.max)

    def __init__(self, dimension=0, nInputDims=None):
        super().__init__()
        self.dimension = dimension
        self.nInputDims = nInputDims

    def _lazyInit(self):
        if not isinstance(self.__dict__.get("_indices"), torch.LongTensor):
            self._output = utils.empty_like_type(self.output)
            self._indices = torch.LongTensor()

    def updateOutput(self, input):
        self._lazyInit()
        dim = _dimension(self, input)
        if self._output.type() != input.type():
            self._output = utils.empty_like_type(input)
        self._reduce(input, dim, out=(self._output, self._indices))
        self.output.set(self._output.select(dim, 0) if input.dim() > 1 else self._output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self._lazyInit()
        dim = _dimension(self, input)
        view = gradOutput.unsqueeze(dim) if input.dim() > 1 else gradOutput
        self.gradInput.resizeAs(input).zero().scatter(dim, self._indices, view)
        return self.gradInput

    def type(self, typeName=None, tensorCache=None):
        if typeName is not None:
            self.__dict__.pop("_indices", None)
        return Module.type(self, typeName, tensorCache)

    def clearState(self):
        utils.clear(self, "_indices", "_output")
        return Module.clearState(self)


class Min(Max):
    """nn.Min(dimension=0, nInputDims=None) -> the minimum over one dimension, which is removed

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Min(0).forward(torch.Tensor([[1, 5], [7, 0]])).tolist()
    [1.0, 0.0]
    """

    _reduce = staticmethod(torch.min)


class Sum(Module):
    """nn.Sum(dimension=0, nInputDims=None, sizeAverage=False, squeeze=True) -> sum over a dim

    sizeAverage divides by the dimension's size (the mean); squeeze=False keeps the summed
    dimension with size 1. Negative dimensions count from the end.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Sum(1).forward(torch.Tensor([[1, 2], [3, 4]])).tolist()
    [3.0, 7.0]
    >>> nn.Sum(0, None, False, False).forward(torch.Tensor([[1, 2], [3, 4]])).tolist()
    [[4.0, 6.0]]
    """

    def __init__(self, dimension=0, nInputDims=None, sizeAverage=False, squeeze=True):
        super().__init__()
        if squeeze is not None and not isinstance(squeeze, bool):
            raise TypeError(f"nn.Sum: squeeze has to be true/false, got {squeeze!r}")
        self.dimension = dimension
        self.nInputDims = nInputDims
        self.sizeAverage = sizeAverage or False
        self.squeeze = True if squeeze is None else squeeze

    def updateOutput(self, input):
        dim = _dimension(self, input)
        torch.sum(input, dim, out=self.output)
        if self.sizeAverage:
            self.output.div(input.size(dim))
        if self.squeeze and self.output.dim() > 1:
            self.output.set(self.output.select(dim, 0))
        return self.output

    def updateGradInput(self, input, gradOutput):
        dim = _dimension(self, input)
        size = list(input.size())
        size[dim] = 1
        # copy broadcasts the size-1 dimension over the input's (no stride-0 gradInput).
        self.gradInput.resizeAs(input).copy(gradOutput.contiguous().view(size))
        if self.sizeAverage:
            self.gradInput.div(input.size(dim))
        return self.gradInput

    def clearState(self):
        utils.clear(self, "_gradOutput")
        return Module.clearState(self)


class Mean(Sum):
    """nn.Mean(dimension=0, nInputDims=None) -> the mean over one dimension (nn.Sum with
    sizeAverage)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Mean(1).forward(torch.Tensor([[1, 2], [3, 5]])).tolist()
    [1.5, 4.0]
    """

    def __init__(self, dimension=0, nInputDims=None):
        super().__init__(dimension, nInputDims, True)


# ---------------------------------------------------------------------------------- element-wise

class _Elementwise(Module):
    """An element-wise layer over the SimpleMath kernels (_op names the formula)."""

    _op = ""

    def _args(self):
        return 0.0, 0.0

    def updateOutput(self, input):
        a, b = self._args()
        _nn.SimpleMath_updateOutput(self._op, input, self.output, a, b)
        return self.output

    def updateGradInput(self, input, gradOutput):
        a, b = self._args()
        _nn.SimpleMath_updateGradInput(self._op, input, gradOutput, self.output, self.gradInput,
                                       a, b)
        return self.gradInput


REGISTRY.pop("nn._Elementwise", None)  # a base of ours, not a Torch7 class


class Exp(_Elementwise):
    """nn.Exp() -> y = exp(x), element-wise

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Exp().forward(torch.Tensor([0, 1])).tolist()
    [1.0, 2.718281828459045]
    """

    _op = "Exp"


class Log(_Elementwise):
    """nn.Log() -> y = log(x), element-wise

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Log().forward(torch.Tensor([1, 4])).tolist()
    [0.0, 1.3862943611198906]
    """

    _op = "Log"


class Abs(_Elementwise):
    """nn.Abs() -> y = |x|, element-wise (gradient +1 at 0)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Abs().forward(torch.Tensor([-2, 3])).tolist()
    [2.0, 3.0]
    """

    _op = "Abs"


class Square(_Elementwise):
    """nn.Square() -> y = x², element-wise

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Square().forward(torch.Tensor([-2, 3])).tolist()
    [4.0, 9.0]
    """

    _op = "Square"


class Sqrt(_Elementwise):
    """nn.Sqrt(eps=0) -> y = sqrt(x), element-wise (the gradient is 0 where y is 0; eps is kept
    as a field, unused by the formula, as in Torch7)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Sqrt().forward(torch.Tensor([4, 9])).tolist()
    [2.0, 3.0]
    """

    _op = "Sqrt"

    def __init__(self, b=None):
        super().__init__()
        self.eps = b or 0


class Power(_Elementwise):
    """nn.Power(p) -> y = x^p, element-wise

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Power(3).forward(torch.Tensor([2, -1])).tolist()
    [8.0, -1.0]
    """

    _op = "Power"

    def __init__(self, p=None):
        if p is None:
            raise TypeError("nn.Power(power): the power is required")
        super().__init__()
        self.pow = p

    def _args(self):
        return float(self.pow), 0.0


class Clamp(_Elementwise):
    """nn.Clamp(min_value, max_value) -> y = min(max(x, min_value), max_value)

    Torch7's Clamp is a HardTanh with these bounds: the gradient passes strictly inside them.
    Fields min_val, max_val and inplace (False) as HardTanh's.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Clamp(-0.5, 0.5).forward(torch.Tensor([-2, 0.25, 2])).tolist()
    [-0.5, 0.25, 0.5]
    """

    _op = "Clamp"

    def __init__(self, min_value, max_value):
        super().__init__()
        self.min_val = -1 if min_value is None else min_value
        self.max_val = 1 if max_value is None else max_value
        self.inplace = False
        if not self.max_val > self.min_val:
            raise ValueError(f"nn.Clamp: max_value must be larger than min_value, got "
                             f"{self.min_val} and {self.max_val}")

    def _args(self):
        return float(self.min_val), float(self.max_val)


# ---------------------------------------------------------------------------------- Normalize

class Normalize(Module):
    """nn.Normalize(p, eps=1e-10) -> y = x / ||x||_p for a vector or each row of a matrix

    ``||x||_p = (Σ|x|^p + eps)^(1/p)``; p = math.inf gives ``max|x| + eps``.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Normalize(2, 0)
    >>> m.forward(torch.Tensor([[3, 4], [0, -2]])).tolist()
    [[0.6, 0.8], [0.0, -1.0]]
    >>> m
    nn.Normalize(2)
    """

    def __init__(self, p, eps=1e-10):
        super().__init__()
        if p is None:
            raise TypeError("nn.Normalize: p-norm not provided")
        if not p > 0:
            raise ValueError(f"nn.Normalize: {p}-norm not supported (p must be positive)")
        self.p = p
        self.eps = eps

    def updateOutput(self, input):
        _nn.Normalize_updateOutput(input, float(self.p), float(self.eps), self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.Normalize_updateGradInput(input, gradOutput, float(self.p), float(self.eps),
                                      self.gradInput)
        return self.gradInput

    def __tostring__(self):
        if self.p % 1 == 0:
            return f"nn.Normalize({int(self.p)})"
        return f"nn.Normalize({self.p:f})"


# ---------------------------------------------------------------------------------- products

def _pair(module, input):
    if not isinstance(input, (list, tuple)) or len(input) != 2:
        raise TypeError(f"{module.__typename__}: input must be a list of two tensors")
    return input


class MM(Module):
    """nn.MM(transA=False, transB=False) -> [A, B] -> A·B, or a batch (b×m×n)·(b×n×p)

    transA / transB transpose A / B first (their last two dimensions in a batch). gradInput is
    a pair.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.MM().forward([torch.Tensor([[1, 2]]), torch.Tensor([[3], [4]])]).tolist()
    [[11.0]]
    """

    def __init__(self, transA=False, transB=False):
        super().__init__()
        self.transA = transA or False
        self.transB = transB or False
        self.gradInput = [torch.Tensor(), torch.Tensor()]

    def _operands(self, input):
        a, b = _pair(self, input)
        if a.dim() not in (2, 3) or b.dim() != a.dim():
            raise ValueError(f"nn.MM: input tensors must be both 2D or both 3D, got sizes "
                             f"{list(a.size())} and {list(b.size())}")
        if a.dim() == 3 and a.size(0) != b.size(0):
            raise ValueError(f"nn.MM: inputs must contain the same number of minibatches, got "
                             f"{a.size(0)} and {b.size(0)}")
        h, w = a.dim() - 2, a.dim() - 1
        return a, b, h, w

    def updateOutput(self, input):
        a, b, h, w = self._operands(input)
        a = a.transpose(h, w) if self.transA else a
        b = b.transpose(h, w) if self.transB else b
        if a.size(w) != b.size(h):
            raise ValueError(f"nn.MM: matrix sizes do not match: {list(a.size())} times "
                             f"{list(b.size())}")
        (torch.mm if h == 0 else torch.bmm)(a, b, out=self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        a, b, h, w = self._operands(input)
        gi = self.gradInput
        if len(gi) != 2:
            gi = self.gradInput = [utils.empty_like_type(a), utils.empty_like_type(b)]
        if gradOutput.dim() != a.dim():
            raise ValueError(f"nn.MM: gradOutput of size {list(gradOutput.size())} does not match "
                             f"inputs of {a.dim()} dimensions")
        product = torch.mm if h == 0 else torch.bmm
        if self.transA == self.transB:
            a, b = a.transpose(h, w), b.transpose(h, w)
        got = gradOutput.transpose(h, w)
        if self.transA:
            product(b, got, out=gi[0])
        else:
            product(gradOutput, b, out=gi[0])
        if self.transB:
            product(got, a, out=gi[1])
        else:
            product(a, gradOutput, out=gi[1])
        return gi


class MV(Module):
    """nn.MV(trans=False) -> [M, v] -> M·v, or a batch (b×m×n)·(b×n)

    trans uses Mᵀ. gradInput is a pair.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.MV().forward([torch.Tensor([[1, 2], [3, 4]]), torch.Tensor([1, 1])]).tolist()
    [3.0, 7.0]
    """

    def __init__(self, trans=False):
        super().__init__()
        self.trans = trans or False
        if not isinstance(self.trans, bool):
            raise TypeError("nn.MV: the argument must be a boolean (transpose the matrix first)")
        self.gradInput = [torch.Tensor(), torch.Tensor()]

    def _operands(self, input):
        m, v = _pair(self, input)
        if not ((m.dim() == 2 and v.dim() == 1) or (m.dim() == 3 and v.dim() == 2)):
            raise ValueError(f"nn.MV: expected a matrix and a vector, or a batch of each (3D and "
                             f"2D), got sizes {list(m.size())} and {list(v.size())}")
        if m.dim() == 3 and m.size(0) != v.size(0):
            raise ValueError(f"nn.MV: inputs must contain the same number of minibatches, got "
                             f"{m.size(0)} and {v.size(0)}")
        return m, v

    def updateOutput(self, input):
        m, v = self._operands(input)
        batch = m.dim() == 3
        if self.trans:
            m = m.transpose(1, 2) if batch else m.t()
        if m.size(-1) != v.size(-1):
            raise ValueError(f"nn.MV: matrix of size {list(m.size())} and vector of size "
                             f"{list(v.size())} do not match")
        if batch:
            torch.bmm(m, v.contiguous().view(v.size(0), v.size(1), 1), out=self.output)
            self.output.resize(m.size(0), m.size(1))
        else:
            torch.mv(m, v, out=self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        m, v = self._operands(input)
        gi = self.gradInput
        if len(gi) != 2:
            gi = self.gradInput = [utils.empty_like_type(m), utils.empty_like_type(v)]
        if gradOutput.dim() != v.dim():
            raise ValueError(f"nn.MV: gradOutput of size {list(gradOutput.size())} does not match "
                             f"the output")
        if m.dim() == 3:
            b, rows, cols = m.size(0), m.size(1), m.size(2)
            go = gradOutput.contiguous()
            if self.trans:
                torch.bmm(v.contiguous().view(b, rows, 1), go.view(b, 1, cols), out=gi[0])
                torch.bmm(m, go.view(b, cols, 1), out=gi[1])
                gi[1].resize(b, rows)
            else:
                torch.bmm(go.view(b, rows, 1), v.contiguous().view(b, 1, cols), out=gi[0])
                torch.bmm(m.transpose(1, 2), go.view(b, rows, 1), out=gi[1])
                gi[1].resize(b, cols)
        elif self.trans:
            torch.ger(v, gradOutput, out=gi[0])
            torch.mv(m, gradOutput, out=gi[1])
        else:
            torch.ger(gradOutput, v, out=gi[0])
            torch.mv(m.t(), gradOutput, out=gi[1])
        return gi

