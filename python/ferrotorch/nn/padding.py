"""nn padding and upsampling: Torch7's SpatialZeroPadding, SpatialReflectionPadding,
SpatialReplicationPadding, VolumetricReplicationPadding, SpatialUpSamplingNearest,
SpatialUpSamplingBilinear and UpSampling, over the Rust kernels of ferrotorch::nn::padding
(one gather kernel for every padding mode and nearest upsampling, one align-corners
interpolation kernel for bilinear / trilinear)."""

from ferrotorch._C import _nn
from ferrotorch.nn.module import Module

__all__ = [
    "SpatialReflectionPadding",
    "SpatialReplicationPadding",
    "SpatialUpSamplingBilinear",
    "SpatialUpSamplingNearest",
    "SpatialZeroPadding",
    "UpSampling",
    "VolumetricReplicationPadding",
]


class _Padding(Module):
    """What the padding modules share: their kernel mode and (before, after) pairs."""

    mode = "zero"

    def updateOutput(self, input):
        _nn.Padding_updateOutput(input, self.output, self._pads(), self.mode, self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.Padding_updateGradInput(input, gradOutput, self.gradInput, self._pads(), self.mode,
                                    self.__typename__)
        return self.gradInput


class _SpatialPadding(_Padding):
    def __init__(self, pad_l, pad_r=None, pad_t=None, pad_b=None):
        super().__init__()
        self.pad_l = pad_l
        self.pad_r = pad_r if pad_r is not None else pad_l
        self.pad_t = pad_t if pad_t is not None else pad_l
        self.pad_b = pad_b if pad_b is not None else pad_l

    def _pads(self):
        return [(self.pad_t, self.pad_b), (self.pad_l, self.pad_r)]

    def __tostring__(self):
        return (f"{self.__typename__}(l={self.pad_l}, r={self.pad_r}, t={self.pad_t}, "
                f"b={self.pad_b})")


class SpatialZeroPadding(_SpatialPadding):
    """nn.SpatialZeroPadding(padLeft, padRight=padLeft, padTop=padLeft, padBottom=padLeft)

    Pads the last two dims of a (C, H, W) or (B, C, H, W) input with zeros; negative
    paddings crop.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.SpatialZeroPadding(1, 0, 0, 0).forward(torch.ones(1, 1, 2)).tolist()
    [[[0.0, 1.0, 1.0]]]
    """

    mode = "zero"


class SpatialReflectionPadding(_SpatialPadding):
    """nn.SpatialReflectionPadding(padLeft, padRight=padLeft, padTop=padLeft, padBottom=padLeft)

    Pads by mirroring the input at its edges (the edge itself is not repeated); each padding
    must be smaller than the size it pads.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.SpatialReflectionPadding(2, 1, 0, 0).forward(torch.Tensor([[[1, 2, 3]]])).tolist()
    [[[3.0, 2.0, 1.0, 2.0, 3.0, 2.0]]]
    """

    mode = "reflect"


class SpatialReplicationPadding(_SpatialPadding):
    """nn.SpatialReplicationPadding(padLeft, padRight=padLeft, padTop=padLeft, padBottom=padLeft)

    Pads by repeating the edge values.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.SpatialReplicationPadding(2, 1, 0, 0).forward(torch.Tensor([[[1, 2, 3]]])).tolist()
    [[[1.0, 1.0, 1.0, 2.0, 3.0, 3.0]]]
    """

    mode = "replicate"


class VolumetricReplicationPadding(_Padding):
    """nn.VolumetricReplicationPadding(pleft, pright=pleft, ptop=pleft, pbottom=pleft,
    pfront=pleft, pback=pleft)

    Replication padding of the last three dims (T, H, W) of a (C, T, H, W) or
    (B, C, T, H, W) input.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> list(nn.VolumetricReplicationPadding(1).forward(torch.ones(2, 2, 2, 2)).size())
    [2, 4, 4, 4]
    """

    mode = "replicate"

    def __init__(self, pleft, pright=None, ptop=None, pbottom=None, pfront=None, pback=None):
        super().__init__()
        self.pleft = pleft
        self.pright = pright if pright is not None else pleft
        self.ptop = ptop if ptop is not None else pleft
        self.pbottom = pbottom if pbottom is not None else pleft
        self.pfront = pfront if pfront is not None else pleft
        self.pback = pback if pback is not None else pleft

    def _pads(self):
        return [(self.pfront, self.pback), (self.ptop, self.pbottom), (self.pleft, self.pright)]

    def __tostring__(self):
        return (f"{self.__typename__}(left={self.pleft}, right={self.pright}, top={self.ptop}, "
                f"bottom={self.pbottom}, front={self.pfront}, back={self.pback})")


def _check_scale(name, scale):
    if not isinstance(scale, (int, float)) or isinstance(scale, bool):
        raise TypeError(f"{name}: scale_factor must be a number, got {scale!r}")
    if scale < 1:
        raise ValueError(f"{name}: scale_factor must be greater than 1, got {scale}")
    if int(scale) != scale:
        raise ValueError(f"{name}: scale_factor must be integer, got {scale}")
    return int(scale)


def _check_dims(module, input, allowed):
    if input.dim() not in allowed:
        dims = " or ".join(f"{d}D" for d in allowed)
        size = "x".join(str(s) for s in input.size())
        raise ValueError(f"{module.__typename__}: expected a {dims} input, got size {size}")


class SpatialUpSamplingNearest(Module):
    """nn.SpatialUpSamplingNearest(scale)

    Nearest-neighbour upsampling of the last two dims of a (C, H, W) or (B, C, H, W) input
    by an integer scale: ``out[..., y, x] = in[..., y // scale, x // scale]``.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.SpatialUpSamplingNearest(2).forward(torch.Tensor([[[1, 2]]])).tolist()
    [[[1.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 2.0]]]
    """

    def __init__(self, scale):
        super().__init__()
        self.scale_factor = _check_scale("nn.SpatialUpSamplingNearest", scale)

    def updateOutput(self, input):
        _check_dims(self, input, (3, 4))
        _nn.UpSamplingNearest_updateOutput(input, self.output, 2, self.scale_factor,
                                           self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.UpSamplingNearest_updateGradInput(input, gradOutput, self.gradInput, 2,
                                              self.scale_factor, self.__typename__)
        return self.gradInput


def _linear_sizes(module, input, k):
    """Output sizes of the last k dims: input sizes times the scale, or the given sizes."""
    sizes = list(input.size())[-k:]
    if module.scale_factor is not None:
        return [s * module.scale_factor for s in sizes]
    given = [module.oheight, module.owidth]
    if k == 3:
        if module.odepth is None:
            raise ValueError(f"{module.__typename__}: no output depth (odepth) was supplied for "
                             "volumetric upsampling")
        given = [module.odepth] + given
    return given


class SpatialUpSamplingBilinear(Module):
    """nn.SpatialUpSamplingBilinear(scale) or nn.SpatialUpSamplingBilinear({'oheight': H,
    'owidth': W})

    Bilinear upsampling (align corners: the corner pixels of input and output coincide) of the
    last two dims of a (C, H, W) or (B, C, H, W) input, to H*scale x W*scale (what Torch7's
    code computes) or to the given size.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialUpSamplingBilinear({'oheight': 1, 'owidth': 3})
    >>> m.forward(torch.Tensor([[[0, 4]]])).tolist()
    [[[0.0, 2.0, 4.0]]]
    >>> m
    nn.SpatialUpSamplingBilinear(1, 3)
    """

    def __init__(self, params):
        super().__init__()
        self.scale_factor = self.oheight = self.owidth = None
        if isinstance(params, dict):
            self.oheight, self.owidth = params.get("oheight"), params.get("owidth")
            if self.oheight is None or self.owidth is None:
                raise ValueError("nn.SpatialUpSamplingBilinear: output height and width "
                                 "(oheight, owidth) are required")
        else:
            self.scale_factor = _check_scale("nn.SpatialUpSamplingBilinear", params)

    def updateOutput(self, input):
        _check_dims(self, input, (3, 4))
        _nn.UpSamplingLinear_updateOutput(input, self.output, _linear_sizes(self, input, 2),
                                          self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.UpSamplingLinear_updateGradInput(input, gradOutput, self.gradInput,
                                             _linear_sizes(self, input, 2), self.__typename__)
        return self.gradInput

    def __tostring__(self):
        if self.scale_factor is not None:
            return f"{self.__typename__}({self.scale_factor})"
        return f"{self.__typename__}({self.oheight}, {self.owidth})"


class UpSampling(Module):
    """nn.UpSampling(scale, mode='nearest') or nn.UpSampling({['odepth': D,] 'oheight': H,
    'owidth': W}, 'linear')

    Upsamples a (B, C, H, W) or (B, C, D, H, W) batch: 'nearest' by an integer scale, or
    'linear' ('bilinear' / 'trilinear' are the same; align corners) by a scale or to given
    sizes. Any other mode is nearest, which needs a scale.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.UpSampling(2)
    >>> list(m.forward(torch.ones(1, 2, 3, 4)).size())
    [1, 2, 6, 8]
    >>> m
    nn.UpSampling(2x, nearest)
    """

    def __init__(self, params, mode=None):
        super().__init__()
        self.mode = "linear" if mode in ("linear", "bilinear", "trilinear") else "nearest"
        self.odepth = self.oheight = self.owidth = self.scale_factor = None
        if isinstance(params, dict):
            if self.mode == "nearest":
                raise ValueError("nn.UpSampling: nearest neighbour upsampling requires a "
                                 "scale_factor")
            self.odepth = params.get("odepth")
            self.oheight, self.owidth = params.get("oheight"), params.get("owidth")
            if self.oheight is None or self.owidth is None:
                raise ValueError("nn.UpSampling: output height and width parameters "
                                 "(oheight, owidth) are required")
        else:
            self.scale_factor = _check_scale("nn.UpSampling", params)

    def updateOutput(self, input):
        _check_dims(self, input, (4, 5))
        k = input.dim() - 2
        if self.mode == "nearest":
            _nn.UpSamplingNearest_updateOutput(input, self.output, k, self.scale_factor,
                                               self.__typename__)
        else:
            _nn.UpSamplingLinear_updateOutput(input, self.output, _linear_sizes(self, input, k),
                                              self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _check_dims(self, input, (4, 5))
        k = input.dim() - 2
        if self.mode == "nearest":
            _nn.UpSamplingNearest_updateGradInput(input, gradOutput, self.gradInput, k,
                                                  self.scale_factor, self.__typename__)
        else:
            _nn.UpSamplingLinear_updateGradInput(input, gradOutput, self.gradInput,
                                                 _linear_sizes(self, input, k),
                                                 self.__typename__)
        return self.gradInput

    def __tostring__(self):
        if self.scale_factor is not None:
            return f"{self.__typename__}({self.scale_factor}x, {self.mode})"
        if self.odepth is not None:
            return (f"{self.__typename__}({self.odepth}x{self.oheight}x{self.owidth}, "
                    f"{self.mode})")
        return f"{self.__typename__}({self.oheight}x{self.owidth}, {self.mode})"
