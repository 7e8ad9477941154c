"""nn criterions: Torch7's 25 loss functions over the Rust kernels of ferrotorch::nn::criterion.

Each class is a thin layer: ``updateOutput`` is one kernel call returning the loss as a Python
float, ``updateGradInput`` one kernel call writing into ``self.gradInput``. Class targets are
0-based (Torch7's were 1-based); an out-of-range class raises IndexError naming the value and
the number of classes. Composite criterions (MultiCriterion, ParallelCriterion,
ModuleCriterion) loop over their children in Python, as Torch7 did.
"""

import math
import warnings

import ferrotorch as torch
from ferrotorch._C import _nn
from ferrotorch.nn import utils
from ferrotorch.nn.criterion import Criterion

__all__ = [
    "AbsCriterion",
    "BCECriterion",
    "ClassNLLCriterion",
    "ClassSimplexCriterion",
    "CosineEmbeddingCriterion",
    "CrossEntropyCriterion",
    "DistKLDivCriterion",
    "DistanceRatioCriterion",
    "HingeEmbeddingCriterion",
    "L1Cost",
    "L1HingeEmbeddingCriterion",
    "MSECriterion",
    "MarginCriterion",
    "MarginRankingCriterion",
    "ModuleCriterion",
    "MultiCriterion",
    "MultiLabelMarginCriterion",
    "MultiLabelSoftMarginCriterion",
    "MultiMarginCriterion",
    "ParallelCriterion",
    "SmoothL1Criterion",
    "SoftMarginCriterion",
    "SpatialAutoCropMSECriterion",
    "SpatialClassNLLCriterion",
    "WeightedMSECriterion",
]

_pointwise_output = _nn.Pointwise_updateOutput
_pointwise_grad = _nn.Pointwise_updateGradInput
_nll_output = _nn.ClassNLLCriterion_updateOutput
_nll_grad = _nn.ClassNLLCriterion_updateGradInput
_ce_output = _nn.CrossEntropyCriterion_updateOutput
_ce_grad = _nn.CrossEntropyCriterion_updateGradInput


def _size_average(value):
    """Torch7's ``(sizeAverage == nil) and true or sizeAverage``."""
    return True if value is None else bool(value)


def _weights(name, weights):
    """Checks optional 1-D weights (Torch7 asserted ``weights:dim() == 1``)."""
    if weights is None:
        return None
    if not isinstance(weights, torch.Tensor) or weights.dim() != 1:
        size = list(weights.size()) if isinstance(weights, torch.Tensor) else type(weights).__name__
        raise ValueError(f"nn.{name}: weights must be a 1-D tensor, got {size}")
    return weights


def _pair(name, input):
    """The two tensors of a table input ``{x1, x2}``."""
    if not utils.is_table(input) or len(input) != 2:
        got = f"a list of {len(input)}" if utils.is_table(input) else type(input).__name__
        raise TypeError(f"nn.{name}: expected a table input [x1, x2] of two tensors, got {got}")
    return input[0], input[1]


class _NoTarget:
    """Mixin of the criterions without a target (L1Cost, DistanceRatioCriterion): forward and
    backward take the input alone, as Torch7 allowed."""

    def forward(self, input, target=None):
        """forward(input) -> the loss"""
        return self.updateOutput(input, target)

    def backward(self, input, target=None):
        """backward(input) -> gradInput"""
        return self.updateGradInput(input, target)


class _Pointwise:
    """Mixin of the criterions that sum one formula over element pairs (one Rust kernel,
    selected by ``_kernel``). Classes set sizeAverage and, where Torch7 had them, margin and
    weights. A mixin rather than a Criterion subclass, so that it is not registered as an nn
    class."""

    _kernel = None
    weights = None
    margin = 0.0
    sizeAverage = True

    def updateOutput(self, input, target=None):
        self.output = _pointwise_output(self._kernel, input, target, self.weights,
                                        self.sizeAverage, self.margin)
        return self.output

    def updateGradInput(self, input, target=None):
        _pointwise_grad(self._kernel, input, target, self.weights, self.sizeAverage,
                        self.margin, self.gradInput)
        return self.gradInput


class MSECriterion(_Pointwise, Criterion):
    """nn.MSECriterion(sizeAverage=True) -> loss = Σ (x_i - y_i)² (/ n with sizeAverage)

    input and target have the same number of elements (any shapes).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.MSECriterion()
    >>> c.forward(torch.Tensor([1, 2]), torch.Tensor([0, 4]))
    2.5
    >>> c.backward(torch.Tensor([1, 2]), torch.Tensor([0, 4])).tolist()
    [1.0, -2.0]
    """

    _kernel = "MSECriterion"

    def __init__(self, sizeAverage=True):
        super().__init__()
        self.sizeAverage = _size_average(sizeAverage)


class WeightedMSECriterion(_Pointwise, Criterion):
    """nn.WeightedMSECriterion(w) -> loss = Σ (x_i - w_i y_i)² (/ n with sizeAverage)

    The weight multiplies the target. w has the input's size, or one sample's size (then it
    repeats over the batch, dim 0). ``self.weight`` is a copy of w.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.WeightedMSECriterion(torch.Tensor([1, 2]))
    >>> c.forward(torch.Tensor([[1, 2], [1, 2]]), torch.ones(2, 2))
    0.0
    """

    _kernel = "MSECriterion"

    def __init__(self, w):
        super().__init__()
        self.weight = w.clone()

    @property
    def weights(self):
        return self.weight


class SpatialAutoCropMSECriterion(MSECriterion):
    """nn.SpatialAutoCropMSECriterion(sizeAverage=True) -> MSE against the centre crop of a
    larger target

    input (C x h x w) or (B x C x h x w); target of the same rank with H >= h, W >= w: the
    target's centre (h x w) window (offset floor((H - h) / 2)) is compared. Unlike Torch7,
    whose backward asserted equal sizes, backward crops the target the same way.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.SpatialAutoCropMSECriterion()
    >>> target = torch.zeros(1, 3, 3); target[0][1][1] = 2
    >>> c.forward(torch.zeros(1, 1, 1), target)
    4.0
    """

    def _crop(self, input, target):
        dim = input.dim()
        if dim not in (3, 4) or target.dim() != dim:
            raise ValueError(
                "nn.SpatialAutoCropMSECriterion: input and target must both be 3-D (CxHxW) or "
                f"4-D (BxCxHxW), got {list(input.size())} and {list(target.size())}")
        h, w = input.size(dim - 2), input.size(dim - 1)
        big_h, big_w = target.size(dim - 2), target.size(dim - 1)
        if h > big_h or w > big_w:
            raise ValueError(
                "nn.SpatialAutoCropMSECriterion: the input's spatial size "
                f"{h}x{w} must not exceed the target's {big_h}x{big_w}")
        return target.narrow(dim - 2, (big_h - h) // 2, h).narrow(dim - 1, (big_w - w) // 2, w)

    def updateOutput(self, input, target):
        return super().updateOutput(input, self._crop(input, target))

    def updateGradInput(self, input, target):
        return super().updateGradInput(input, self._crop(input, target))


class AbsCriterion(_Pointwise, Criterion):
    """nn.AbsCriterion(sizeAverage=True) -> loss = Σ |x_i - y_i| (/ n with sizeAverage)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.AbsCriterion().forward(torch.Tensor([1, 2]), torch.Tensor([0, 4]))
    1.5
    """

    _kernel = "AbsCriterion"

    def __init__(self, sizeAverage=True):
        super().__init__()
        self.sizeAverage = _size_average(sizeAverage)


class SmoothL1Criterion(_Pointwise, Criterion):
    """nn.SmoothL1Criterion(sizeAverage=True) -> loss = Σ z_i (/ n with sizeAverage),
    z = 0.5 d² if |d| < 1 else |d| - 0.5, d = x - y (the Huber loss)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.SmoothL1Criterion(False).forward(torch.Tensor([0.5, 3]), torch.Tensor([0, 0]))
    2.625
    """

    _kernel = "SmoothL1Criterion"

    def __init__(self, sizeAverage=True):
        super().__init__()
        self.sizeAverage = _size_average(sizeAverage)


class DistKLDivCriterion(_Pointwise, Criterion):
    """nn.DistKLDivCriterion() -> loss = Σ_{y_i > 0} y_i (log y_i - x_i) (/ n with sizeAverage)

    The Kullback-Leibler divergence: input holds log-probabilities, target probabilities.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.DistKLDivCriterion()
    >>> c.forward(torch.Tensor([0.5, 0.5]).log(), torch.Tensor([0.5, 0.5]))
    0.0
    """

    _kernel = "DistKLDivCriterion"

    def __init__(self):
        super().__init__()
        self.sizeAverage = True


class BCECriterion(_Pointwise, Criterion):
    """nn.BCECriterion(weights=None, sizeAverage=True) -> binary cross-entropy
    loss = -Σ w_i [y_i log(x_i + ε) + (1 - y_i) log(1 - x_i + ε)] (/ n), ε = 1e-12

    input holds probabilities in [0, 1] (ValueError otherwise), target 0 / 1 values of the
    same size; 1-D weights repeat over the rows of a batch.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> round(nn.BCECriterion().forward(torch.Tensor([0.5]), torch.Tensor([1])), 6)
    0.693147
    """

    _kernel = "BCECriterion"

    def __init__(self, weights=None, sizeAverage=True):
        super().__init__()
        self.sizeAverage = _size_average(sizeAverage)
        self.weights = _weights("BCECriterion", weights)

    def __len__(self):
        return 0 if self.weights is None else self.weights.nElement()


class MarginCriterion(_Pointwise, Criterion):
    """nn.MarginCriterion(margin=1) -> two-class hinge loss
    loss = Σ max(0, margin - y_i x_i) (/ n with sizeAverage), targets y ∈ {1, -1}

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.MarginCriterion().forward(torch.Tensor([0.5, 2]), torch.Tensor([1, 1]))
    0.25
    """

    _kernel = "MarginCriterion"

    def __init__(self, margin=1):
        super().__init__()
        self.sizeAverage = True
        self.margin = margin


class SoftMarginCriterion(_Pointwise, Criterion):
    """nn.SoftMarginCriterion() -> two-class logistic loss
    loss = Σ log(1 + exp(-y_i x_i)) (/ n with sizeAverage), targets y ∈ {1, -1}

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> round(nn.SoftMarginCriterion().forward(torch.Tensor([0]), torch.Tensor([1])), 6)
    0.693147
    """

    _kernel = "SoftMarginCriterion"

    def __init__(self):
        super().__init__()
        self.sizeAverage = True


class MultiLabelSoftMarginCriterion(_Pointwise, Criterion):
    """nn.MultiLabelSoftMarginCriterion(weights=None, sizeAverage=True) -> multi-label
    logistic loss Σ w_i [-y_i log σ(x_i) - (1 - y_i) log(1 - σ(x_i))] (/ n), y ∈ {0, 1}

    Computed stably for large |x|; 1-D weights repeat over the rows of a batch.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.MultiLabelSoftMarginCriterion()
    >>> round(c.forward(torch.Tensor([0, 0]), torch.Tensor([1, 0])), 6)
    0.693147
    """

    _kernel = "MultiLabelSoftMarginCriterion"

    def __init__(self, weights=None, sizeAverage=True):
        super().__init__()
        self.sizeAverage = _size_average(sizeAverage)
        self.weights = _weights("MultiLabelSoftMarginCriterion", weights)


class HingeEmbeddingCriterion(_Pointwise, Criterion):
    """nn.HingeEmbeddingCriterion(margin=1) -> loss = Σ (x_i if y_i = 1,
    max(0, margin - x_i) if y_i = -1) (/ n with sizeAverage)

    input holds distances (e.g. an L1 distance), target ±1 (a tensor, or one number for a
    1-element input).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.HingeEmbeddingCriterion().forward(torch.Tensor([0.5, 0.25]), torch.Tensor([1, -1]))
    0.625
    """

    _kernel = "HingeEmbeddingCriterion"

    def __init__(self, margin=1):
        super().__init__()
        self.margin = margin
        self.sizeAverage = True


class L1Cost(_NoTarget, _Pointwise, Criterion):
    """nn.L1Cost() -> loss = Σ |x_i| (the target is ignored; never averaged)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.L1Cost().forward(torch.Tensor([1, -2]))
    3.0
    """

    _kernel = "L1Cost"
    sizeAverage = False


class ClassNLLCriterion(Criterion):
    """nn.ClassNLLCriterion(weights=None, sizeAverage=True, ignoreIndex=-100) -> negative
    log-likelihood loss for classification

    input: log-probabilities (C) or (B x C) (e.g. from nn.LogSoftMax); target: the 0-based
    class (an int or a 1-element tensor) or a (B) tensor of classes (Long or Double).
    loss = -Σ_i w[t_i] x[i][t_i], over targets other than ignoreIndex, divided by Σ w[t_i]
    with sizeAverage. A class outside 0..C-1 raises IndexError.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.ClassNLLCriterion()
    >>> c.forward(torch.Tensor([[-1, -2], [-3, -4]]), torch.LongTensor([1, 0]))
    2.5
    >>> c.backward(torch.Tensor([[-1, -2], [-3, -4]]), torch.LongTensor([1, 0])).tolist()
    [[0.0, -0.5], [-0.5, 0.0]]
    """

    def __init__(self, weights=None, sizeAverage=True, ignoreIndex=-100):
        super().__init__()
        self.sizeAverage = _size_average(sizeAverage)
        self.ignoreIndex = ignoreIndex
        self.weights = _weights("ClassNLLCriterion", weights)

    def updateOutput(self, input, target):
        self.output = _nll_output(input, target, self.weights, self.sizeAverage,
                                  self.ignoreIndex)
        return self.output

    def updateGradInput(self, input, target):
        _nll_grad(input, target, self.weights, self.sizeAverage, self.ignoreIndex,
                  self.gradInput)
        return self.gradInput

    def __len__(self):
        return 0 if self.weights is None else self.weights.nElement()


class CrossEntropyCriterion(Criterion):
    """nn.CrossEntropyCriterion(weights=None, sizeAverage=True) -> LogSoftMax then
    ClassNLLCriterion, fused: loss = Σ_i w[t_i] (log Σ_j exp(x[i][j]) - x[i][t_i]) (/ Σ w[t_i])

    input: raw scores (C) or (B x C), squeezed first as in Torch7 (a 1 x C input is one
    sample); target as for ClassNLLCriterion (0-based). gradInput has the input's size.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.CrossEntropyCriterion()
    >>> round(c.forward(torch.Tensor([0, 0]), 1), 6)
    0.693147
    >>> c.backward(torch.Tensor([0, 0]), 1).tolist()
    [0.5, -0.5]
    """

    ignoreIndex = -100

    def __init__(self, weights=None, sizeAverage=True):
        super().__init__()
        self.sizeAverage = _size_average(sizeAverage)
        self.weights = _weights("CrossEntropyCriterion", weights)

    def updateOutput(self, input, target):
        self.output = _ce_output(input, target, self.weights, self.sizeAverage,
                                 self.ignoreIndex)
        return self.output

    def updateGradInput(self, input, target):
        _ce_grad(input, target, self.weights, self.sizeAverage, self.ignoreIndex,
                 self.gradInput)
        return self.gradInput


class SpatialClassNLLCriterion(Criterion):
    """nn.SpatialClassNLLCriterion(weights=None, sizeAverage=True) -> ClassNLLCriterion at
    every pixel

    input: log-probabilities (B x C x H x W); target: (B x H x W) 0-based classes.
    loss = -Σ w[t] x[b][t][h][w] over pixels (/ Σ w[t] with sizeAverage).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> x = torch.Tensor([[[[-1, -2]], [[-3, -4]]]])
    >>> nn.SpatialClassNLLCriterion().forward(x, torch.LongTensor([[[0, 1]]]))
    2.5
    """

    def __init__(self, weights=None, sizeAverage=True):
        super().__init__()
        self.sizeAverage = _size_average(sizeAverage)
        self.weights = _weights("SpatialClassNLLCriterion", weights)

    def updateOutput(self, input, target):
        self.output = _nn.SpatialClassNLLCriterion_updateOutput(input, target, self.weights,
                                                                self.sizeAverage)
        return self.output

    def updateGradInput(self, input, target):
        _nn.SpatialClassNLLCriterion_updateGradInput(input, target, self.weights,
                                                     self.sizeAverage, self.gradInput)
        return self.gradInput


def _regsplex(n):
    """The n + 1 vertices (rows) of a regular simplex in R^n centred at the origin, each of
    norm 1 (Torch7's regsplex; a loop over the n dims, not over elements)."""
    a = torch.zeros(n + 1, n)
    for k in range(n):
        a[k][k] = 1.0 if k == 0 else math.sqrt(1 - a[k].narrow(0, 0, k).norm() ** 2)
        c = (a[k][k] ** 2 - 1 - 1 / n) / a[k][k]
        a.narrow(0, k + 1, n - k).select(1, k).fill(c)
    return a


class ClassSimplexCriterion(MSECriterion):
    """nn.ClassSimplexCriterion(nClasses) -> MSE between the input and the target class's
    vertex of a regular simplex

    Each of the nClasses classes is embedded as a unit vertex of a regular simplex
    (``self.simplex``, nClasses x nClasses, last column zero). input (nClasses) or
    (B x nClasses); target a 0-based class (int) or a (B) tensor of classes.
    ``getPredictions(input)`` gives input · simplexᵀ, ``getTopPrediction(input)`` the
    0-based best classes.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.ClassSimplexCriterion(3)
    >>> c.forward(c.simplex[2].clone(), 2)
    0.0
    >>> c.getTopPrediction(c.simplex[1].clone()).tolist()
    [1]
    """

    def __init__(self, nClasses):
        if not isinstance(nClasses, int) or nClasses < 2:
            raise ValueError(
                f"nn.ClassSimplexCriterion: nClasses must be an integer > 1, got {nClasses!r}")
        super().__init__()
        self.nClasses = nClasses
        simp = _regsplex(nClasses - 1)
        self.simplex = torch.cat(simp, torch.zeros(simp.size(0), nClasses - simp.size(1)), 1)
        self._target = torch.Tensor(nClasses)

    def _transform(self, target):
        n = self.nClasses
        if isinstance(target, torch.Tensor):
            if target.dim() != 1:
                raise ValueError("nn.ClassSimplexCriterion: the target must be a class or a "
                                 f"1-D tensor of classes, got size {list(target.size())}")
            if target.nElement() > 0:
                low, high = int(target.min()), int(target.max())
                bad = low if low < 0 else high
                if low < 0 or high >= n:
                    raise IndexError(f"nn.ClassSimplexCriterion: class target {bad} is out of "
                                     f"range for {n} classes (valid: 0 to {n - 1})")
            self._target = self.simplex.index(0, target.long())
        else:
            if not 0 <= target < n:
                raise IndexError(f"nn.ClassSimplexCriterion: class target {target} is out of "
                                 f"range for {n} classes (valid: 0 to {n - 1})")
            self._target.resize(n).copy(self.simplex[int(target)])
        return self._target

    def updateOutput(self, input, target):
        return super().updateOutput(input, self._transform(target))

    def updateGradInput(self, input, target):
        return super().updateGradInput(input, self._transform(target))

    def getPredictions(self, input):
        """getPredictions(input) -> input · simplexᵀ (B x nClasses)"""
        if input.dim() == 1:
            input = input.view(1, -1)
        return torch.mm(input, self.simplex.t())

    def getTopPrediction(self, input):
        """getTopPrediction(input) -> the 0-based class of largest prediction per sample"""
        prod = self.getPredictions(input)
        _, maxs = prod.max(prod.dim() - 1)
        return maxs.view(-1)


class MultiMarginCriterion(Criterion):
    """nn.MultiMarginCriterion(p=1, weights=None, margin=1) -> multi-class hinge loss

    input (C) or (B x C); target a 0-based class or a (B) tensor of classes. Per sample
    loss = (1/C) Σ_{i ≠ y} w[y] max(0, margin - x[y] + x[i])^p, p ∈ {1, 2}; summed over
    samples (/ B with sizeAverage).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.MultiMarginCriterion().forward(torch.Tensor([1, 0.5, -1]), 0)   # (1 - 1 + 0.5) / 3
    0.16666666666666666
    """

    def __init__(self, p=1, weights=None, margin=1):
        if p not in (None, 1, 2):
            raise ValueError(f"nn.MultiMarginCriterion: only p = 1 and p = 2 are supported, "
                             f"got {p!r}")
        super().__init__()
        self.p = p or 1
        self.margin = margin
        self.sizeAverage = True
        self.weights = _weights("MultiMarginCriterion", weights)

    def updateOutput(self, input, target):
        self.output = _nn.MultiMarginCriterion_updateOutput(
            input, target, self.sizeAverage, self.p, self.weights, self.margin)
        return self.output

    def updateGradInput(self, input, target):
        _nn.MultiMarginCriterion_updateGradInput(input, target, self.sizeAverage, self.p,
                                                 self.weights, self.margin, self.gradInput)
        return self.gradInput


class MultiLabelMarginCriterion(Criterion):
    """nn.MultiLabelMarginCriterion() -> multi-class multi-label hinge loss

    input (C) or (B x C); target of the same size holding each sample's 0-based target
    classes, ended by the first -1 (Torch7 ended them with 0). Per sample
    loss = (1/C) Σ_{j targets} Σ_{i not targets} max(0, 1 - (x[j] - x[i])); summed over
    samples (/ B with sizeAverage).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.MultiLabelMarginCriterion()
    >>> round(c.forward(torch.Tensor([0.1, 0.2, 0.4, 0.8]), torch.LongTensor([3, 0, -1, 1])), 6)
    0.85
    """

    def __init__(self):
        super().__init__()
        self.sizeAverage = True

    def updateOutput(self, input, target):
        self.output = _nn.MultiLabelMarginCriterion_updateOutput(input, target,
                                                                 self.sizeAverage)
        return self.output

    def updateGradInput(self, input, target):
        _nn.MultiLabelMarginCriterion_updateGradInput(input, target, self.sizeAverage,
                                                      self.gradInput)
        return self.gradInput


class L1HingeEmbeddingCriterion(Criterion):
    """nn.L1HingeEmbeddingCriterion(margin=1) -> input [x1, x2], target y = ±1:
    loss = d if y = 1, max(0, margin - d) if y = -1, with d = ‖x1 - x2‖₁ (never averaged)

    gradInput is a list of two tensors. Where x1 = x2 the gradient is 0 (Torch7 drew a
    random sign).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.L1HingeEmbeddingCriterion(2)
    >>> c.forward([torch.Tensor([1, 2]), torch.Tensor([1, 1.5])], -1)
    1.5
    """

    def __init__(self, margin=1):
        super().__init__()
        self.margin = margin
        self.gradInput = [torch.Tensor(), torch.Tensor()]

    def updateOutput(self, input, y):
        x1, x2 = _pair("L1HingeEmbeddingCriterion", input)
        self.output = _nn.L1HingeEmbeddingCriterion_updateOutput(x1, x2, y, self.margin)
        return self.output

    def updateGradInput(self, input, y):
        x1, x2 = _pair("L1HingeEmbeddingCriterion", input)
        g = self.gradInput
        _nn.L1HingeEmbeddingCriterion_updateGradInput(x1, x2, y, self.margin, g[0], g[1])
        return g


class CosineEmbeddingCriterion(Criterion):
    """nn.CosineEmbeddingCriterion(margin=0) -> input [x1, x2] (N) or (B x N), target y
    (a number or a (B) tensor of ±1): loss = 1 - cos(x1, x2) if y = 1,
    max(0, cos(x1, x2) - margin) if y = -1; summed over samples (/ B with sizeAverage)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.CosineEmbeddingCriterion()
    >>> round(c.forward([torch.Tensor([1, 0]), torch.Tensor([1, 1])], 1), 6)
    0.292893
    """

    def __init__(self, margin=0):
        super().__init__()
        self.margin = margin
        self.gradInput = [torch.Tensor(), torch.Tensor()]
        self.sizeAverage = True

    def updateOutput(self, input, y):
        x1, x2 = _pair("CosineEmbeddingCriterion", input)
        self.output = _nn.CosineEmbeddingCriterion_updateOutput(x1, x2, y, self.margin,
                                                                self.sizeAverage)
        return self.output

    def updateGradInput(self, input, y):
        x1, x2 = _pair("CosineEmbeddingCriterion", input)
        g = self.gradInput
        _nn.CosineEmbeddingCriterion_updateGradInput(x1, x2, y, self.margin, self.sizeAverage,
                                                     g[0], g[1])
        return g


class MarginRankingCriterion(Criterion):
    """nn.MarginRankingCriterion(margin=1) -> input [x1, x2], target y = ±1 (should x1 rank
    above x2?): loss = max(0, -y (x1 - x2) + margin)

    A number y scores one sample (the first elements of x1, x2); a (B) tensor y scores B
    samples, summed (/ B with sizeAverage).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.MarginRankingCriterion().forward([torch.Tensor([2]), torch.Tensor([1.5])], 1)
    0.5
    """

    def __init__(self, margin=1):
        super().__init__()
        self.margin = margin
        self.gradInput = [torch.Tensor(1), torch.Tensor(1)]
        self.sizeAverage = True

    def updateOutput(self, input, y):
        x1, x2 = _pair("MarginRankingCriterion", input)
        self.output = _nn.MarginRankingCriterion_updateOutput(x1, x2, y, self.margin,
                                                              self.sizeAverage)
        return self.output

    def updateGradInput(self, input, y):
        x1, x2 = _pair("MarginRankingCriterion", input)
        g = self.gradInput
        _nn.MarginRankingCriterion_updateGradInput(x1, x2, y, self.margin, self.sizeAverage,
                                                   g[0], g[1])
        return g


class DistanceRatioCriterion(_NoTarget, Criterion):
    """nn.DistanceRatioCriterion(sizeAverage=True) -> triplet loss over input [Ds, Dd]
    (distances anchor-similar, anchor-dissimilar, each (B)):
    loss = Σ -log(exp(-Ds) / (exp(-Ds) + exp(-Dd))) (/ B with sizeAverage); no target

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.DistanceRatioCriterion()
    >>> round(c.forward([torch.Tensor([1]), torch.Tensor([1])]), 6)
    0.693147
    """

    def __init__(self, sizeAverage=True):
        super().__init__()
        self.sizeAverage = _size_average(sizeAverage)
        self.gradInput = [torch.Tensor(), torch.Tensor()]

    def updateOutput(self, input, target=None):
        x, y = _pair("DistanceRatioCriterion", input)
        self.output = _nn.DistanceRatioCriterion_updateOutput(x, y, self.sizeAverage)
        return self.output

    def updateGradInput(self, input, target=None):
        x, y = _pair("DistanceRatioCriterion", input)
        g = self.gradInput
        _nn.DistanceRatioCriterion_updateGradInput(x, y, self.sizeAverage, g[0], g[1])
        return g


class MultiCriterion(Criterion):
    """nn.MultiCriterion() -> a weighted sum of criterions on the same (input, target)

    ``add(criterion, weight=1)`` appends one (returns self); loss = Σ_k w_k L_k(input, target),
    gradInput = Σ_k w_k ∇L_k. ``self.criterions`` and ``self.weights`` are Python lists.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.MultiCriterion().add(nn.MSECriterion()).add(nn.AbsCriterion(), 0.5)
    >>> c.forward(torch.Tensor([1, 2]), torch.Tensor([0, 4]))
    3.25
    """

    def __init__(self):
        super().__init__()
        self.criterions = []
        self.weights = []

    def add(self, criterion, weight=1):
        """add(criterion, weight=1) -> self"""
        if criterion is None:
            raise ValueError("nn.MultiCriterion.add: no criterion provided")
        self.criterions.append(criterion)
        self.weights.append(weight)
        return self

    def updateOutput(self, input, target):
        self.output = 0
        for w, c in zip(self.weights, self.criterions):
            self.output += w * c.updateOutput(input, target)
        return self.output

    def updateGradInput(self, input, target):
        self.gradInput = utils.recursiveResizeAs(self.gradInput, input)
        utils.recursiveFill(self.gradInput, 0)
        for w, c in zip(self.weights, self.criterions):
            utils.recursiveAdd(self.gradInput, w, c.updateGradInput(input, target))
        return self.gradInput


class ParallelCriterion(Criterion):
    """nn.ParallelCriterion(repeatTarget=False) -> a weighted sum of criterions, the k-th on
    (input[k], target[k]) (or on the same target for every one with repeatTarget)

    ``add(criterion, weight=1)`` appends one (returns self); gradInput is a list.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.ParallelCriterion().add(nn.MSECriterion()).add(nn.ClassNLLCriterion(), 0.5)
    >>> c.forward([torch.Tensor([1, 2]), torch.Tensor([-1, -3])], [torch.Tensor([0, 4]), 1])
    4.0
    """

    def __init__(self, repeatTarget=False):
        super().__init__()
        self.criterions = []
        self.weights = []
        self.gradInput = []
        self.repeatTarget = repeatTarget

    def add(self, criterion, weight=1):
        """add(criterion, weight=1) -> self"""
        if criterion is None:
            raise ValueError("nn.ParallelCriterion.add: no criterion provided")
        self.criterions.append(criterion)
        self.weights.append(weight)
        return self

    def _check(self, input):
        if not utils.is_table(input) or len(input) < len(self.criterions):
            got = f"a list of {len(input)}" if utils.is_table(input) else type(input).__name__
            raise ValueError(f"nn.ParallelCriterion: expected a list of {len(self.criterions)} "
                             f"inputs (one per criterion), got {got}")

    def updateOutput(self, input, target):
        self._check(input)
        self.output = 0
        for i, c in enumerate(self.criterions):
            t = target if self.repeatTarget else target[i]
            self.output += self.weights[i] * c.updateOutput(input[i], t)
        return self.output

    def updateGradInput(self, input, target):
        self._check(input)
        self.gradInput = utils.recursiveResizeAs(self.gradInput, input)
        utils.recursiveFill(self.gradInput, 0)
        for i, c in enumerate(self.criterions):
            t = target if self.repeatTarget else target[i]
            utils.recursiveAdd(self.gradInput[i], self.weights[i],
                               c.updateGradInput(input[i], t))
        return self.gradInput

    def type(self, typeName=None, tensorCache=None):
        if typeName is not None:
            self.gradInput = []
        return super().type(typeName, tensorCache)


class ModuleCriterion(Criterion):
    """nn.ModuleCriterion(criterion, inputModule=None, targetModule=None, castTarget=True)
    -> criterion(inputModule(input), targetModule(target))

    The modules must be parameter-free (their parameters are not trained); backward goes back
    through inputModule. With castTarget, type() converts targetModule too.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> c = nn.ModuleCriterion(nn.MSECriterion())   # e.g. nn.ModuleCriterion(crit, nn.Tanh())
    >>> c.forward(torch.Tensor([1, 2]), torch.Tensor([0, 4]))
    2.5
    """

    def __init__(self, criterion, inputModule=None, targetModule=None, castTarget=True):
        super().__init__()
        self.inputModule = inputModule
        self.targetModule = targetModule
        self.castTarget = True if castTarget is None else castTarget
        if inputModule is not None:
            params = inputModule.parameters()
            if params and params[0]:
                warnings.warn("nn.ModuleCriterion doesn't support parameter updates",
                              stacklevel=2)
        self.criterion = criterion

    def updateOutput(self, input, target):
        if self.inputModule is not None:
            self.input = self.inputModule.forward(input)
        if self.targetModule is not None:
            self.target = self.targetModule.forward(target)
        self.output = self.criterion.forward(
            self.input if self.inputModule is not None else input,
            self.target if self.targetModule is not None else target)
        return self.output

    def updateGradInput(self, input, target):
        self.gradInput = self.criterion.backward(
            self.input if self.inputModule is not None else input,
            self.target if self.targetModule is not None else target)
        if self.inputModule is not None:
            self.gradInput = self.inputModule.backward(input, self.gradInput)
        return self.gradInput

    def type(self, typeName=None, tensorCache=None):
        if typeName is None:
            return super().type()
        cache = {} if tensorCache is None else tensorCache
        if self.inputModule is not None:
            self.inputModule.type(typeName, cache)
        if self.castTarget and self.targetModule is not None:
            self.targetModule.type(typeName, cache)
        self.criterion.type(typeName, cache)
        # the children are converted above; the base converts the remaining tensor fields
        children = {k: self.__dict__.pop(k) for k in ("inputModule", "targetModule", "criterion")}
        try:
            super().type(typeName, cache)
        finally:
            self.__dict__.update(children)
        return self
