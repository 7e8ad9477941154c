"""Pooling layers (Torch7's nn *Pooling / *Unpooling classes) over the Rust kernels of
ferrotorch::nn::pooling.

Spatial classes take (C, H, W) or batched (B, C, H, W) input, volumetric ones (C, T, H, W) or
(B, C, T, H, W). Max poolings keep Torch7's ``indices`` field: the 0-based flat position of
each maximum in its input plane (Torch7 stored it 1-based). Window arguments follow Torch7's
order (width before height); the kernels take (T, H, W) triples.
"""

import math

import ferrotorch as torch
from ferrotorch._C import _nn
from ferrotorch.nn import utils
from ferrotorch.nn.containers import Sequential
from ferrotorch.nn.module import Module

__all__ = [
    "FeatureLPPooling",
    "SpatialAdaptiveAveragePooling",
    "SpatialAdaptiveMaxPooling",
    "SpatialAveragePooling",
    "SpatialDilatedMaxPooling",
    "SpatialFractionalMaxPooling",
    "SpatialLPPooling",
    "SpatialMaxPooling",
    "SpatialMaxUnpooling",
    "TemporalDynamicKMaxPooling",
    "TemporalMaxPooling",
    "VolumetricAveragePooling",
    "VolumetricDilatedMaxPooling",
    "VolumetricFractionalMaxPooling",
    "VolumetricMaxPooling",
    "VolumetricMaxUnpooling",
]

_ONE3 = (1, 1, 1)


class _EmptyIsClearState:
    """Torch7's pooling modules' ``empty()``, the old name of clearState."""

    def empty(self):
        """empty(): clearState (Torch7's backward-compatible name)"""
        return self.clearState()


class _ClearsIndices:
    """clearState() also drops the argmax indices a max pooling keeps for its backward."""

    def clearState(self):
        utils.clear(self, "indices")
        return super().clearState()


def _pad_text(*pads):
    """Torch7's ', padW,padH' suffix of the printed text (empty without padding)."""
    return ", " + ",".join(str(p) for p in pads) if any(p != 0 for p in pads) else ""


class SpatialMaxPooling(_ClearsIndices, _EmptyIsClearState, Module):
    """nn.SpatialMaxPooling(kW, kH, dW=kW, dH=kH, padW=0, padH=0) -> max over kW x kH windows
    moved by dW, dH over each plane of a (C, H, W) or (B, C, H, W) input

    Output size per dim: ``floor((i + 2 pad - k) / d) + 1`` (``ceil`` after ``:ceil()``; with
    padding, a last window starting in the padding is dropped); padding is at most half the
    kernel. ``indices`` holds each maximum's 0-based flat position in its H x W input plane.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialMaxPooling(2, 2)
    >>> m.forward(torch.Tensor([[[1, 2, 0, 1], [3, 4, 5, 1]]])).tolist()
    [[[4.0, 5.0]]]
    >>> m.indices.tolist()
    [[[5, 6]]]
    >>> m
    nn.SpatialMaxPooling(2x2, 2,2)
    """

    def __init__(self, kW, kH, dW=None, dH=None, padW=0, padH=0):
        super().__init__()
        self.kW, self.kH = kW, kH
        self.dW = kW if dW is None else dW
        self.dH = kH if dH is None else dH
        self.padW, self.padH = padW or 0, padH or 0
        self.ceil_mode = False
        self.indices = torch.LongTensor()

    def ceil(self):
        """ceil() -> self, rounding output sizes up"""
        self.ceil_mode = True
        return self

    def floor(self):
        """floor() -> self, rounding output sizes down (the default)"""
        self.ceil_mode = False
        return self

    def _dilation(self):
        return _ONE3

    def updateOutput(self, input):
        _, self.iheight, self.iwidth = _nn.MaxPooling_updateOutput(
            input, self.output, self.indices, (1, self.kH, self.kW), (1, self.dH, self.dW),
            (0, self.padH, self.padW), self._dilation(), self.ceil_mode, 2, self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.MaxPooling_updateGradInput(
            input, gradOutput, self.gradInput, self.indices, (1, self.kH, self.kW),
            (1, self.dH, self.dW), (0, self.padH, self.padW), self._dilation(), self.ceil_mode,
            2, self.__typename__)
        return self.gradInput

    def __tostring__(self):
        return (f"{self.__typename__}({self.kW}x{self.kH}, {self.dW},{self.dH}"
                f"{_pad_text(self.padW, self.padH)})")


class SpatialDilatedMaxPooling(SpatialMaxPooling):
    """nn.SpatialDilatedMaxPooling(kW, kH, dW=kW, dH=kH, padW=0, padH=0, dilationW=1,
    dilationH=1) -> SpatialMaxPooling whose window takes every dilation-th pixel

    A window spans ``dilation * (k - 1) + 1`` pixels; output size per dim:
    ``floor((i + 2 pad - dilation (k - 1) - 1) / d) + 1`` (``ceil`` after ``:ceil()``).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialDilatedMaxPooling(2, 1, 1, 1, 0, 0, 2, 1)
    >>> m.forward(torch.Tensor([[[1, 5, 3, 2]]])).tolist()
    [[[3.0, 5.0]]]
    >>> m
    nn.SpatialDilatedMaxPooling(2x1, 1,1, 2,1)
    """

    def __init__(self, kW, kH, dW=None, dH=None, padW=0, padH=0, dilationW=1, dilationH=1):
        super().__init__(kW, kH, dW, dH, padW, padH)
        self.dilationW, self.dilationH = dilationW or 1, dilationH or 1

    def _dilation(self):
        return (1, self.dilationH, self.dilationW)

    def __tostring__(self):
        return (f"{self.__typename__}({self.kW}x{self.kH}, {self.dW},{self.dH}"
                f"{_pad_text(self.padW, self.padH)}, {self.dilationW},{self.dilationH})")


class VolumetricMaxPooling(_ClearsIndices, _EmptyIsClearState, Module):
    """nn.VolumetricMaxPooling(kT, kW, kH, dT=kT, dW=kW, dH=kH, padT=0, padW=0, padH=0) -> max
    over kT x kH x kW windows of a (C, T, H, W) or (B, C, T, H, W) input

    Output sizes as SpatialMaxPooling's, per dim; ``:ceil()`` / ``:floor()``. ``indices`` holds
    each maximum's 0-based flat position in its T x H x W input volume (Torch7 packed the
    in-window offsets into bytes; a flat position is what VolumetricMaxUnpooling needs).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.VolumetricMaxPooling(2, 2, 2)
    >>> m.forward(torch.range(1, 8).view(1, 2, 2, 2)).view(-1).tolist()
    [8.0]
    >>> m.indices.view(-1).tolist()
    [7]
    >>> m
    nn.VolumetricMaxPooling(2x2x2, 2,2,2)
    """

    def __init__(self, kT, kW, kH, dT=None, dW=None, dH=None, padT=0, padW=0, padH=0):
        super().__init__()
        self.kT, self.kW, self.kH = kT, kW, kH
        self.dT = kT if dT is None else dT
        self.dW = kW if dW is None else dW
        self.dH = kH if dH is None else dH
        self.padT, self.padW, self.padH = padT or 0, padW or 0, padH or 0
        self.ceil_mode = False
        self.indices = torch.LongTensor()

    def ceil(self):
        """ceil() -> self, rounding output sizes up"""
        self.ceil_mode = True
        return self

    def floor(self):
        """floor() -> self, rounding output sizes down (the default)"""
        self.ceil_mode = False
        return self

    def _dilation(self):
        return _ONE3

    def updateOutput(self, input):
        self.itime, self.iheight, self.iwidth = _nn.MaxPooling_updateOutput(
            input, self.output, self.indices, (self.kT, self.kH, self.kW),
            (self.dT, self.dH, self.dW), (self.padT, self.padH, self.padW), self._dilation(),
            self.ceil_mode, 3, self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.MaxPooling_updateGradInput(
            input, gradOutput, self.gradInput, self.indices, (self.kT, self.kH, self.kW),
            (self.dT, self.dH, self.dW), (self.padT, self.padH, self.padW), self._dilation(),
            self.ceil_mode, 3, self.__typename__)
        return self.gradInput

    def __tostring__(self):
        return (f"{self.__typename__}({self.kT}x{self.kW}x{self.kH}, {self.dT},{self.dW},"
                f"{self.dH}{_pad_text(self.padT, self.padW, self.padH)})")


class VolumetricDilatedMaxPooling(VolumetricMaxPooling):
    """nn.VolumetricDilatedMaxPooling(kT, kW, kH, dT=kT, dW=kW, dH=kH, padT=0, padW=0, padH=0,
    dilationT=1, dilationW=1, dilationH=1) -> VolumetricMaxPooling with dilated windows

    Windows reach every dilation-th element of each dim, as SpatialDilatedMaxPooling's. (Torch7's
    C kernel clipped padded dilated windows inconsistently; here a padded window reaches the
    same positions as PyTorch's max_pool3d.)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.VolumetricDilatedMaxPooling(1, 2, 1, 1, 1, 1, 0, 0, 0, 1, 2, 1)
    >>> m.forward(torch.Tensor([[[[1, 5, 3, 2]]]])).view(-1).tolist()
    [3.0, 5.0]
    >>> m
    nn.VolumetricDilatedMaxPooling(1x2x1, 1,1,1, 1,2,1)
    """

    def __init__(self, kT, kW, kH, dT=None, dW=None, dH=None, padT=0, padW=0, padH=0,
                 dilationT=1, dilationW=1, dilationH=1):
        super().__init__(kT, kW, kH, dT, dW, dH, padT, padW, padH)
        self.dilationT = dilationT or 1
        self.dilationW, self.dilationH = dilationW or 1, dilationH or 1

    def _dilation(self):
        return (self.dilationT, self.dilationH, self.dilationW)

    def __tostring__(self):
        return (f"{self.__typename__}({self.kT}x{self.kW}x{self.kH}, {self.dT},{self.dW},"
                f"{self.dH}{_pad_text(self.padT, self.padW, self.padH)}, {self.dilationT},"
                f"{self.dilationW},{self.dilationH})")


class SpatialAveragePooling(Module):
    """nn.SpatialAveragePooling(kW, kH, dW=1, dH=1, padW=0, padH=0) -> mean over kW x kH
    windows of a (C, H, W) or (B, C, H, W) input (the stride defaults to 1, unlike
    SpatialMaxPooling's)

    Output sizes as SpatialMaxPooling's; ``:ceil()`` / ``:floor()``. The divisor counts the
    padding a window covers (``setCountIncludePad()``, the default) or only the input pixels
    (``setCountExcludePad()``).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialAveragePooling(2, 2, 2, 2)
    >>> m.forward(torch.Tensor([[[1, 2, 0, 4], [3, 6, 8, 0]]])).tolist()
    [[[3.0, 3.0]]]
    >>> m
    nn.SpatialAveragePooling(2x2, 2,2)
    """

    def __init__(self, kW, kH, dW=1, dH=1, padW=0, padH=0):
        super().__init__()
        self.kW, self.kH = kW, kH
        self.dW, self.dH = dW or 1, dH or 1
        self.padW, self.padH = padW or 0, padH or 0
        self.ceil_mode = False
        self.count_include_pad = True
        self.divide = True

    def ceil(self):
        """ceil() -> self, rounding output sizes up"""
        self.ceil_mode = True
        return self

    def floor(self):
        """floor() -> self, rounding output sizes down (the default)"""
        self.ceil_mode = False
        return self

    def setCountIncludePad(self):
        """setCountIncludePad() -> self: windows divide by their size, padding included"""
        self.count_include_pad = True
        return self

    def setCountExcludePad(self):
        """setCountExcludePad() -> self: windows divide by the input pixels they cover"""
        self.count_include_pad = False
        return self

    def updateOutput(self, input):
        _nn.AveragePooling_updateOutput(
            input, self.output, (1, self.kH, self.kW), (1, self.dH, self.dW),
            (0, self.padH, self.padW), self.ceil_mode, self.count_include_pad, 2,
            self.__typename__)
        if not self.divide:
            # models saved before the "divide" field summed instead of averaging
            self.output.mul(self.kW * self.kH)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.AveragePooling_updateGradInput(
            input, gradOutput, self.gradInput, (1, self.kH, self.kW), (1, self.dH, self.dW),
            (0, self.padH, self.padW), self.ceil_mode, self.count_include_pad, 2,
            self.__typename__)
        if not self.divide:
            self.gradInput.mul(self.kW * self.kH)
        return self.gradInput

    def __tostring__(self):
        return (f"{self.__typename__}({self.kW}x{self.kH}, {self.dW},{self.dH}"
                f"{_pad_text(self.padW, self.padH)})")


class VolumetricAveragePooling(_EmptyIsClearState, Module):
    """nn.VolumetricAveragePooling(kT, kW, kH, dT=kT, dW=kW, dH=kH) -> mean over kT x kH x kW
    windows of a (C, T, H, W) or (B, C, T, H, W) input (no padding, floor mode, as Torch7)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.VolumetricAveragePooling(2, 2, 2)
    >>> m.forward(torch.range(1, 8).view(1, 2, 2, 2)).view(-1).tolist()
    [4.5]
    >>> m
    nn.VolumetricAveragePooling(2x2x2, 2,2,2)
    """

    def __init__(self, kT, kW, kH, dT=None, dW=None, dH=None):
        super().__init__()
        self.kT, self.kW, self.kH = kT, kW, kH
        self.dT = kT if dT is None else dT
        self.dW = kW if dW is None else dW
        self.dH = kH if dH is None else dH

    def updateOutput(self, input):
        _nn.AveragePooling_updateOutput(
            input, self.output, (self.kT, self.kH, self.kW), (self.dT, self.dH, self.dW),
            (0, 0, 0), False, True, 3, self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.AveragePooling_updateGradInput(
            input, gradOutput, self.gradInput, (self.kT, self.kH, self.kW),
            (self.dT, self.dH, self.dW), (0, 0, 0), False, True, 3, self.__typename__)
        return self.gradInput

    def __tostring__(self):
        return f"{self.__typename__}({self.kT}x{self.kW}x{self.kH}, {self.dT},{self.dW},{self.dH})"


class SpatialAdaptiveMaxPooling(_ClearsIndices, _EmptyIsClearState, Module):
    """nn.SpatialAdaptiveMaxPooling(W, H) -> max pooling to a fixed H x W output, whatever the
    input's size

    Output row i pools input rows ``floor(i iH / H)`` to ``ceil((i + 1) iH / H)`` (exclusive),
    columns alike. ``indices`` is (2, ..., H, W): each maximum's row offset, then its column
    offset, inside its window (0-based).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialAdaptiveMaxPooling(1, 2)
    >>> m.forward(torch.Tensor([[[1, 5, 2], [7, 3, 0], [4, 4, 9]]])).view(-1).tolist()
    [7.0, 9.0]
    >>> m.indices.view(-1).tolist()
    [1, 1, 0, 2]
    """

    def __init__(self, W, H):
        super().__init__()
        self.W, self.H = W, H
        self.indices = torch.LongTensor()

    def updateOutput(self, input):
        _nn.AdaptiveMaxPooling_updateOutput(input, self.output, self.indices, self.W, self.H,
                                            self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.AdaptiveMaxPooling_updateGradInput(input, gradOutput, self.gradInput, self.indices,
                                               self.W, self.H, self.__typename__)
        return self.gradInput


class SpatialAdaptiveAveragePooling(Module):
    """nn.SpatialAdaptiveAveragePooling(W, H) -> average pooling to a fixed H x W output

    Windows as SpatialAdaptiveMaxPooling's.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialAdaptiveAveragePooling(1, 1)
    >>> m.forward(torch.Tensor([[[1, 2], [3, 6]]])).view(-1).tolist()
    [3.0]
    """

    def __init__(self, W, H):
        super().__init__()
        self.W, self.H = W, H

    def updateOutput(self, input):
        _nn.AdaptiveAveragePooling_updateOutput(input, self.output, self.W, self.H,
                                                self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.AdaptiveAveragePooling_updateGradInput(input, gradOutput, self.gradInput, self.W,
                                                   self.H, self.__typename__)
        return self.gradInput


class _FractionalMaxPooling(_EmptyIsClearState, Module):
    """What the spatial and volumetric fractional poolings share: the random samples (one
    uniform draw per plane and dim, redrawn each forward unless ``fixPoolingRegions()``), in
    Torch7's order of draws."""

    _nd = 2

    def fixPoolingRegions(self, val=True):
        """fixPoolingRegions(val=True) -> self: keep the windows of the first forward"""
        self.newRandomPool = val
        return self

    def _init_samples(self, input):
        nd = self._nd
        if input.dim() == nd + 1:
            shape = (1, input.size(0), nd)
        elif input.dim() == nd + 2:
            shape = (input.size(0), input.size(1), nd)
        else:
            raise ValueError(f"{self.__typename__}: input must be {nd + 1}D or {nd + 2}D (batch "
                             f"mode), got size {'x'.join(map(str, input.size()))}")
        samples = self.randomSamples
        if samples is None:
            self.randomSamples = utils.empty_like_type(input).resize(*shape).uniform()
        elif samples.size(0) != shape[0] or samples.size(1) != shape[1]:
            samples.resize(*shape).uniform()
        elif not self.newRandomPool:
            samples.uniform()

    def _ratio_size(self, input, dim, ratio, what):
        n = math.floor(input.size(dim) * ratio)
        if n <= 0:
            raise ValueError(f"{self.__typename__}: reduction ratio or input {what} too small "
                             f"(input size {'x'.join(map(str, input.size()))})")
        return n

    def updateOutput(self, input):
        self._init_samples(input)
        out, pool = self._sizes(input)
        _nn.FractionalMaxPooling_updateOutput(input, self.output, self.indices,
                                              self.randomSamples, out, pool, self._nd,
                                              self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        if self.randomSamples is None:
            raise RuntimeError(f"{self.__typename__}: must call updateOutput/forward first")
        out, pool = self._sizes(input)
        _nn.FractionalMaxPooling_updateGradInput(input, gradOutput, self.gradInput,
                                                 self.indices, out, pool, self._nd,
                                                 self.__typename__)
        return self.gradInput

    def clearState(self):
        self.indices = torch.LongTensor()
        self.randomSamples = None
        return super().clearState()


class SpatialFractionalMaxPooling(_FractionalMaxPooling):
    """nn.SpatialFractionalMaxPooling(poolSizeW, poolSizeH, outW, outH) or
    (poolSizeW, poolSizeH, ratioW, ratioH) -> fractional max pooling (Graham 2014)

    poolSizeW x poolSizeH windows at pseudo-random starts give an output of exactly outH x outW,
    or floor(H ratioH) x floor(W ratioW) for ratios in (0, 1). Each forward draws one uniform
    sample per plane and dim into ``randomSamples`` (B x C x 2, W's then H's) unless
    ``fixPoolingRegions()``. ``indices`` holds 0-based flat positions in the H x W planes.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialFractionalMaxPooling(2, 2, 2, 2)
    >>> list(m.forward(torch.randn(3, 5, 5)).size())
    [3, 2, 2]
    >>> m
    nn.SpatialFractionalMaxPooling(2x2, 2,2)
    """

    def __init__(self, poolSizeW, poolSizeH, arg1, arg2):
        super().__init__()
        if poolSizeW < 2 or poolSizeH < 2:
            raise ValueError(f"nn.SpatialFractionalMaxPooling: pool sizes must be at least 2, "
                             f"got {poolSizeW}x{poolSizeH}")
        self.poolSizeW, self.poolSizeH = poolSizeW, poolSizeH
        self.randomSamples = None
        self.newRandomPool = False
        self.indices = torch.LongTensor()
        if arg1 >= 1 and arg2 >= 1:
            self.outW, self.outH = arg1, arg2
        else:
            if not (0 < arg1 < 1 and 0 < arg2 < 1):
                raise ValueError(f"nn.SpatialFractionalMaxPooling: ratios must lie in (0, 1), "
                                 f"got {arg1}, {arg2}")
            self.ratioW, self.ratioH = arg1, arg2

    def _sizes(self, input):
        if getattr(self, "ratioW", None) is not None:
            d = input.dim()
            outW = self._ratio_size(input, d - 1, self.ratioW, "width")
            outH = self._ratio_size(input, d - 2, self.ratioH, "height")
        else:
            outW, outH = self.outW, self.outH
        return (1, outH, outW), (1, self.poolSizeH, self.poolSizeW)

    def __tostring__(self):
        w = self.outW if getattr(self, "outW", None) is not None else self.ratioW
        h = self.outH if getattr(self, "outH", None) is not None else self.ratioH
        return f"{self.__typename__}({int(w)}x{int(h)}, {self.poolSizeW},{self.poolSizeH})"


class VolumetricFractionalMaxPooling(_FractionalMaxPooling):
    """nn.VolumetricFractionalMaxPooling(poolSizeT, poolSizeW, poolSizeH, outT, outW, outH) or
    (poolSizeT, poolSizeW, poolSizeH, ratioT, ratioW, ratioH) -> fractional max pooling of
    volumes

    As Torch7, the input is (C, H, W, T) or (B, C, H, W, T): time is the last dim. Samples are
    B x C x 3 (T's, W's, H's); ``indices`` holds 0-based flat positions in the H x W x T
    volumes.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.VolumetricFractionalMaxPooling(2, 2, 2, 2, 2, 2)
    >>> list(m.forward(torch.randn(1, 5, 5, 5)).size())
    [1, 2, 2, 2]
    >>> m
    nn.VolumetricFractionalMaxPooling(2x2x2, 2,2,2)
    """

    _nd = 3

    def __init__(self, poolSizeT, poolSizeW, poolSizeH, arg1, arg2, arg3):
        super().__init__()
        if poolSizeT < 2 or poolSizeW < 2 or poolSizeH < 2:
            raise ValueError(f"nn.VolumetricFractionalMaxPooling: pool sizes must be at least 2, "
                             f"got {poolSizeT}x{poolSizeW}x{poolSizeH}")
        self.poolSizeT, self.poolSizeW, self.poolSizeH = poolSizeT, poolSizeW, poolSizeH
        self.randomSamples = None
        self.newRandomPool = False
        self.indices = torch.LongTensor()
        if arg1 >= 1 and arg2 >= 1 and arg3 >= 1:
            self.outT, self.outW, self.outH = arg1, arg2, arg3
        else:
            if not (0 < arg1 < 1 and 0 < arg2 < 1 and 0 < arg3 < 1):
                raise ValueError(f"nn.VolumetricFractionalMaxPooling: ratios must lie in (0, 1),"
                                 f" got {arg1}, {arg2}, {arg3}")
            self.ratioT, self.ratioW, self.ratioH = arg1, arg2, arg3

    def _sizes(self, input):
        if getattr(self, "ratioW", None) is not None:
            d = input.dim()
            outT = self._ratio_size(input, d - 1, self.ratioT, "time")
            outW = self._ratio_size(input, d - 2, self.ratioW, "width")
            outH = self._ratio_size(input, d - 3, self.ratioH, "height")
        else:
            outT, outW, outH = self.outT, self.outW, self.outH
        return (outH, outW, outT), (self.poolSizeH, self.poolSizeW, self.poolSizeT)

    def __tostring__(self):
        t, w, h = ((getattr(self, "out" + a, None) if getattr(self, "out" + a, None) is not None
                    else getattr(self, "ratio" + a)) for a in "TWH")
        return (f"{self.__typename__}({int(t)}x{int(w)}x{int(h)}, {self.poolSizeT},"
                f"{self.poolSizeW},{self.poolSizeH})")


class SpatialMaxUnpooling(_EmptyIsClearState, Module):
    """nn.SpatialMaxUnpooling(poolingModule) -> the inverse of a SpatialMaxPooling whose kernel
    equals its stride: each input value goes back to the position of the maximum it came
    from (the pooling module's last ``indices``), zeros elsewhere

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> pool = nn.SpatialMaxPooling(2, 2)
    >>> unpool = nn.SpatialMaxUnpooling(pool)
    >>> y = pool.forward(torch.Tensor([[[1, 2], [4, 3]]]))
    >>> unpool.forward(y).tolist()
    [[[0.0, 0.0], [4.0, 0.0]]]
    >>> unpool
    nn.SpatialMaxUnpooling associated to nn.SpatialMaxPooling(2x2, 2,2)
    """

    _nd = 2
    _pooling_class = "nn.SpatialMaxPooling"

    def __init__(self, poolingModule):
        super().__init__()
        if getattr(poolingModule, "__typename__", None) != self._pooling_class:
            raise TypeError(f"{self.__typename__}: argument must be a {self._pooling_class} "
                            f"module, got {type(poolingModule).__name__}")
        p = poolingModule
        if p.kH != p.dH or p.kW != p.dW or getattr(p, "kT", 0) != getattr(p, "dT", 0):
            raise ValueError(f"{self.__typename__}: the size of the pooling module's kernel "
                             f"must be equal to its stride, got {p}")
        self.pooling = poolingModule

    def _out(self):
        p = self.pooling
        try:
            return (getattr(p, "itime", 1), p.iheight, p.iwidth)
        except AttributeError:
            raise RuntimeError(f"{self.__typename__}: run the pooling module's forward first "
                               f"(its indices decide where values go)") from None

    def updateOutput(self, input):
        self.indices = self.pooling.indices
        _nn.MaxUnpooling_updateOutput(input, self.indices, self.output, self._out(), self._nd,
                                      self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.indices = self.pooling.indices
        _nn.MaxUnpooling_updateGradInput(input, self.indices, gradOutput, self.gradInput,
                                         self._out(), self._nd, self.__typename__)
        return self.gradInput

    def __tostring__(self):
        return f"{self.__typename__} associated to {self.pooling}"


class VolumetricMaxUnpooling(SpatialMaxUnpooling):
    """nn.VolumetricMaxUnpooling(poolingModule) -> the inverse of a VolumetricMaxPooling whose
    kernel equals its stride (see SpatialMaxUnpooling)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> pool = nn.VolumetricMaxPooling(2, 2, 2)
    >>> y = pool.forward(torch.range(1, 8).view(1, 2, 2, 2))
    >>> nn.VolumetricMaxUnpooling(pool).forward(y).view(-1).tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 8.0]
    """

    _nd = 3
    _pooling_class = "nn.VolumetricMaxPooling"


class SpatialLPPooling(Sequential):
    """nn.SpatialLPPooling(nInputPlane, pnorm, kW, kH, dW=kW, dH=kH) -> ``(Σ_window x^p)^(1/p)``
    over kW x kH windows, built as Torch7 did: Power(p) (Square for p = 2),
    SpatialAveragePooling, MulConstant(kW kH), Power(1/p) (Sqrt). No learnable parameters.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialLPPooling(1, 2, 2, 2)
    >>> m.forward(torch.Tensor([[[3, 0], [0, 4]]])).view(-1).tolist()
    [5.0]
    """

    def __init__(self, nInputPlane, pnorm, kW, kH, dW=None, dH=None):
        super().__init__()
        from ferrotorch import nn

        dW = kW if dW is None else dW
        dH = kH if dH is None else dH
        self.kW, self.kH, self.dW, self.dH = kW, kH, dW, dH
        self.add(nn.Square() if pnorm == 2 else nn.Power(pnorm))
        self.add(SpatialAveragePooling(kW, kH, dW, dH))
        self.add(nn.MulConstant(kW * kH))
        self.add(nn.Sqrt() if pnorm == 2 else nn.Power(1 / pnorm))

    # A Sequential would train its children; Torch7's SpatialLPPooling has nothing to learn.
    def reset(self, stdv=None):
        return self

    def accGradParameters(self, input, gradOutput, scale=1):
        pass

    def accUpdateGradParameters(self, input, gradOutput, lr):
        pass

    def zeroGradParameters(self):
        pass

    def updateParameters(self, learningRate):
        pass


class TemporalMaxPooling(_ClearsIndices, _EmptyIsClearState, Module):
    """nn.TemporalMaxPooling(kW, dW=kW) -> max over kW frames moved by dW, per feature, of a
    (T, F) or (B, T, F) sequence; output (T', F) with T' = floor((T - kW) / dW) + 1

    ``indices`` holds each maximum's 0-based offset inside its window (as Torch7 stored it).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.TemporalMaxPooling(2)
    >>> m.forward(torch.Tensor([[1, 8], [3, 2], [0, 5], [4, 1]])).tolist()
    [[3.0, 8.0], [4.0, 5.0]]
    >>> m.indices.tolist()
    [[1, 0], [1, 0]]
    """

    def __init__(self, kW, dW=None):
        super().__init__()
        self.kW = kW
        self.dW = kW if dW is None else dW
        self.indices = torch.LongTensor()

    def updateOutput(self, input):
        _nn.TemporalMaxPooling_updateOutput(input, self.output, self.indices, self.kW, self.dW,
                                            self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.TemporalMaxPooling_updateGradInput(input, gradOutput, self.gradInput, self.indices,
                                               self.kW, self.dW, self.__typename__)
        return self.gradInput


class TemporalDynamicKMaxPooling(_ClearsIndices, Module):
    """nn.TemporalDynamicKMaxPooling(minK, factor=0) -> the k largest frames of each feature of
    a (T, F) or (B, T, F) sequence, kept in time order; k = max(minK, ceil(factor T))
    (Kalchbrenner et al. 2014)

    ``indices`` holds the selected frames (0-based), per feature.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.TemporalDynamicKMaxPooling(2)
    >>> m.forward(torch.Tensor([[1, 8], [3, 2], [0, 5], [4, 1]])).tolist()
    [[3.0, 8.0], [4.0, 5.0]]
    >>> m.indices.tolist()
    [[1, 0], [3, 2]]
    """

    def __init__(self, minK, factor=0):
        super().__init__()
        self.minK = minK
        self.factor = factor or 0
        self.indices = torch.LongTensor()

    def updateOutput(self, input):
        d = input.dim()
        if d not in (2, 3):
            raise ValueError(f"{self.__typename__}: only 2D or 3D (batch mode) input accepted, "
                             f"got size {'x'.join(map(str, input.size()))}")
        t = input.size(d - 2)
        k = max(self.minK, math.ceil(self.factor * t))
        if t < self.minK:
            raise ValueError(f"{self.__typename__}: input sequence length ({t}) too small for "
                             f"desired k value ({k})")
        _nn.DynamicKMaxPooling_updateOutput(input, self.output, self.indices, k,
                                            self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.DynamicKMaxPooling_updateGradInput(input, gradOutput, self.gradInput, self.indices,
                                               self.__typename__)
        return self.gradInput


class FeatureLPPooling(Module):
    """nn.FeatureLPPooling(width, stride, power, batch_mode) -> LP pooling across features:
    ``out_f = (Σ_{w < width} x_{f stride + w}^power)^(1/power)``, F' = floor((F - width) /
    stride) + 1 features

    Input [F], [F][d1] or [F][d1][d2], with a leading batch dim when batch_mode. width lies in
    2..16 and stride in 1..4.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.FeatureLPPooling(2, 1, 2, False)
    >>> m.forward(torch.Tensor([3, 4, 0])).tolist()
    [5.0, 4.0]
    """

    def __init__(self, width, stride, power, batch_mode):
        super().__init__()
        if width < 2 or width > 16:
            raise ValueError(f"nn.FeatureLPPooling: width must be within 2 to 16, got {width}")
        if stride < 1 or stride > 4:
            raise ValueError(f"nn.FeatureLPPooling: stride must be within 1 to 4, got {stride}")
        self.width, self.stride, self.power = width, stride, power
        self.batch_mode = batch_mode

    def updateOutput(self, input):
        _nn.FeatureLPPooling_updateOutput(input, self.output, self.power, self.width,
                                          self.stride, bool(self.batch_mode), self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.FeatureLPPooling_updateGradInput(input, gradOutput, self.output, self.gradInput,
                                             self.power, self.width, self.stride,
                                             bool(self.batch_mode), self.__typename__)
        return self.gradInput

    def __tostring__(self):
        # Torch7's format ('%d' of the boolean batch_mode) raised; this is what it meant.
        return (f"{self.__typename__}(w{self.width} s{self.stride} power {self.power} "
                f"batch {int(bool(self.batch_mode))})")
