"""nn temporal layers and the embedding table: Torch7's TemporalConvolution,
TemporalSubSampling, TemporalRowConvolution and LookupTable, over the Rust kernels of
ferrotorch::nn::temporal (the LookupTable forward is the engine's index)."""

import math

import ferrotorch as torch
from ferrotorch._C import _nn
from ferrotorch.nn import utils
from ferrotorch.nn.module import Module

__all__ = ["LookupTable", "TemporalConvolution", "TemporalRowConvolution",
           "TemporalSubSampling"]


def _uniform_reset(module, stdv, default):
    """Torch7's reset: U(-stdv*sqrt(3), stdv*sqrt(3)) for a given stdv, else U(-default,
    default); weight first, then bias."""
    bound = stdv * math.sqrt(3) if stdv is not None else default
    module.weight.uniform(-bound, bound)
    if module.__dict__.get("bias") is not None:
        module.bias.uniform(-bound, bound)
    return module


class TemporalConvolution(Module):
    """nn.TemporalConvolution(inputFrameSize, outputFrameSize, kW, dW=1)

    1-D convolution over a sequence of frames: a (nInputFrame, inputFrameSize) input (or a
    batch, B x nInputFrame x inputFrameSize) gives nOutputFrame = (nInputFrame - kW) // dW + 1
    frames of outputFrameSize, ``out[t] = bias + weight * vec(in[t*dW : t*dW + kW])``.
    weight is outputFrameSize x (kW*inputFrameSize), bias outputFrameSize, both
    U(-1/sqrt(kW*inputFrameSize), +).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.TemporalConvolution(3, 4, 2)
    >>> list(m.forward(torch.randn(5, 3)).size())
    [4, 4]
    """

    def __init__(self, inputFrameSize, outputFrameSize, kW, dW=1):
        super().__init__()
        self.inputFrameSize = inputFrameSize
        self.outputFrameSize = outputFrameSize
        self.kW = kW
        self.dW = dW
        self.weight = torch.Tensor(outputFrameSize, inputFrameSize * kW)
        self.bias = torch.Tensor(outputFrameSize)
        self.gradWeight = torch.Tensor(outputFrameSize, inputFrameSize * kW)
        self.gradBias = torch.Tensor(outputFrameSize)
        self.reset()

    def reset(self, stdv=None):
        return _uniform_reset(self, stdv, 1 / math.sqrt(self.kW * self.inputFrameSize))

    def updateOutput(self, input):
        _nn.TemporalConvolution_updateOutput(input, self.weight, self.bias, self.output, self.kW,
                                             self.dW, self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.TemporalConvolution_updateGradInput(input, gradOutput, self.weight, self.gradInput,
                                                self.kW, self.dW, self.__typename__)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _nn.TemporalConvolution_accGradParameters(input, gradOutput, self.gradWeight,
                                                  self.gradBias, self.kW, self.dW, scale,
                                                  self.__typename__)


class _TemporalRows(Module):
    """The per-feature window layers (SubSampling, RowConvolution): one Rust kernel each way."""

    row = False
    featFirst = False

    def updateOutput(self, input):
        _nn.TemporalRows_updateOutput(input, self.weight, self.__dict__.get("bias"), self.output,
                                      self.kW, self.dW, self.row, self.featFirst,
                                      self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.TemporalRows_updateGradInput(input, gradOutput, self.weight, self.gradInput, self.kW,
                                         self.dW, self.row, self.featFirst, self.__typename__)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _nn.TemporalRows_accGradParameters(input, gradOutput, self.gradWeight,
                                           self.__dict__.get("gradBias"), self.kW, self.dW,
                                           self.row, self.featFirst, scale, self.__typename__)


class TemporalSubSampling(_TemporalRows):
    """nn.TemporalSubSampling(inputFrameSize, kW, dW=1)

    Per-feature sum over windows of kW frames, scaled and shifted:
    ``out[t][i] = bias[i] + weight[i] * sum_k in[t*dW + k][i]``; weight and bias have
    inputFrameSize elements, U(-1/sqrt(kW), +).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.TemporalSubSampling(2, 2)
    >>> _ = m.weight.fill(1), m.bias.zero()
    >>> m.forward(torch.Tensor([[1, 2], [3, 4], [5, 6]])).tolist()
    [[4.0, 6.0], [8.0, 10.0]]
    """

    def __init__(self, inputFrameSize, kW, dW=1):
        super().__init__()
        self.inputFrameSize = inputFrameSize
        self.kW = kW
        self.dW = dW
        self.weight = torch.Tensor(inputFrameSize)
        self.bias = torch.Tensor(inputFrameSize)
        self.gradWeight = torch.Tensor(inputFrameSize)
        self.gradBias = torch.Tensor(inputFrameSize)
        self.reset()

    def reset(self, stdv=None):
        return _uniform_reset(self, stdv, 1 / math.sqrt(self.kW))


class TemporalRowConvolution(_TemporalRows):
    """nn.TemporalRowConvolution(inputFrameSize, kW, dW=1, featFirst=False)

    Depthwise convolution in time: each feature i has its own kW-tap filter,
    ``out[t][i] = bias[i] + sum_k weight[i][0][k] * in[t*dW + k][i]``. Input (T, F) or
    (B, T, F); with featFirst=True, (F, T) or (B, F, T) (and the output likewise). weight is
    F x 1 x kW, bias F, both U(-1/sqrt(kW*F), +); ``noBias()`` removes the bias.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.TemporalRowConvolution(3, 2)
    nn.TemporalRowConvolution(3, 2)
    """

    row = True

    def __init__(self, inputFrameSize, kW, dW=1, featFirst=False):
        super().__init__()
        self.inputFrameSize = inputFrameSize
        self.kW = kW
        self.dW = dW
        self.weight = torch.Tensor(inputFrameSize, 1, kW)
        self.bias = torch.Tensor(inputFrameSize)
        self.gradWeight = torch.Tensor(inputFrameSize, 1, kW)
        self.gradBias = torch.Tensor(inputFrameSize)
        self.featFirst = bool(featFirst)
        self.reset()

    def noBias(self):
        """noBias() -> self without its bias"""
        self.__dict__.pop("bias", None)
        self.__dict__.pop("gradBias", None)
        return self

    def reset(self, stdv=None):
        return _uniform_reset(self, stdv, 1 / math.sqrt(self.kW * self.inputFrameSize))

    def __tostring__(self):
        s = f"{self.__typename__}({self.inputFrameSize}, {self.kW}"
        if self.dW != 1:
            s += f", {self.dW}"
        return s + (")" if self.__dict__.get("bias") is not None else ") without bias")


class LookupTable(Module):
    """nn.LookupTable(nIndex, nOutput, paddingValue=None, maxNorm=None, normType=None)

    An embedding: a vector of n 0-based indices (any tensor type holding integers) gives the
    n x nOutput rows ``weight[input[i]]``; a B x n matrix gives B x n x nOutput. weight
    (nIndex x nOutput) ~ N(0, 1). Backward accumulates into the referenced rows only, skipping
    entries equal to paddingValue (None: no padding; Torch7's default 0 meant none, as its
    indices started at 1). maxNorm renormalizes the referenced rows in forward (p-norm,
    normType default 2); ``scaleGradByFreq()`` divides each row's gradient by its count in the
    input. gradInput is zeros (indices have no gradient).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.LookupTable(4, 2)
    >>> _ = m.weight.copy(torch.Tensor([[0, 0], [1, 1], [2, 2], [3, 3]]))
    >>> m.forward(torch.LongTensor([3, 0, 3])).tolist()
    [[3.0, 3.0], [0.0, 0.0], [3.0, 3.0]]
    """

    def __init__(self, nIndex, nOutput, paddingValue=None, maxNorm=None, normType=None):
        super().__init__()
        self.weight = torch.Tensor(nIndex, nOutput)
        self.gradWeight = torch.Tensor(nIndex, nOutput).zero()
        self.paddingValue = paddingValue
        self.maxNorm = maxNorm
        self.normType = normType
        self.shouldScaleGradByFreq = False
        self._input = torch.LongTensor()
        self.reset()

    def accUpdateOnly(self):
        """accUpdateOnly() -> self without gradWeight (updates go straight into weight)"""
        self.__dict__.pop("gradWeight", None)
        return self

    def setPadding(self, paddingValue):
        self.paddingValue = paddingValue
        return self

    def setMaxNorm(self, maxNorm):
        self.maxNorm = maxNorm
        return self

    def setNormType(self, normType):
        self.normType = normType
        return self

    def scaleGradByFreq(self):
        self.shouldScaleGradByFreq = True
        return self

    def reset(self, stdv=None):
        self.weight.normal(0, stdv if stdv is not None else 1)
        return self

    def _indices(self, input):
        if input.dim() not in (1, 2):
            size = "x".join(str(s) for s in input.size()) or "empty"
            raise ValueError(f"{self.__typename__}: input must be a vector or matrix, got size "
                             f"{size}")
        if type(input) is not torch.LongTensor or not input.isContiguous():
            self._input.resize(input.size()).copy(input)
            return self._input
        return input

    def updateOutput(self, input):
        idx = self._indices(input)
        if self.maxNorm is not None:
            _nn.LookupTable_renorm(idx, self.weight, self.maxNorm,
                                   self.normType if self.normType is not None else 2,
                                   self.__typename__)
        flat = idx.view(-1)
        n = self.weight.size(0)
        if flat.nElement() and (flat.min() < 0 or flat.max() >= n):
            bad = flat.min() if flat.min() < 0 else flat.max()
            raise IndexError(f"{self.__typename__}: index {bad} out of range for {n} rows "
                             "(0-based)")
        torch.index(self.weight, 0, flat, out=self.output)
        if idx.dim() == 2:
            self.output.set(self.output.view(idx.size(0), idx.size(1), self.weight.size(1)))
        return self.output

    def updateGradInput(self, input, gradOutput):
        if type(self.gradInput) is not type(input):
            self.gradInput = utils.empty_like_type(input)
        if not self.gradInput.isSameSizeAs(input):
            self.gradInput.resizeAs(input).zero()
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _nn.LookupTable_accGradParameters(self._indices(input), gradOutput, self.gradWeight,
                                          self.paddingValue, self.shouldScaleGradByFreq, scale,
                                          self.__typename__)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        _nn.LookupTable_accGradParameters(self._indices(input), gradOutput, self.weight,
                                          self.paddingValue, self.shouldScaleGradByFreq, -lr,
                                          self.__typename__)

    def type(self, typeName=None, tensorCache=None):
        super().type(typeName, tensorCache)
        self._input = torch.LongTensor()  # indices stay LongTensor whatever the module's type
        return self

    def clearState(self):
        utils.clear(self, "_input")
        return super().clearState()
