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
from ferrotorch.nn.module import Module

__all__ = [
    "SpatialMaxPooling",
    "SpatialDilatedMaxPooling",
    "VolumetricMaxPooling",
    "VolumetricDilatedMaxPooling",
]

_ONE3 = (1, 1, 1)


def _pad_text(*pads):
    """Torch7's ', padW,padH' suffix of the printed text (empty without padding)."""
    return ", " + ",".join(str(p) for p in pads) if any(p != 0 for p in pads) else ""


class SpatialMaxPooling(Module):
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

    def empty(self):
        """empty(): clearState (Torch7's backward-compatible name)"""
        self.clearState()

    def clearState(self):
        utils.clear(self, "indices")
        return super().clearState()

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


class VolumetricMaxPooling(Module):
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

    def empty(self):
        """empty(): clearState (Torch7's backward-compatible name)"""
        self.clearState()

    def clearState(self):
        utils.clear(self, "indices")
        return super().clearState()

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
