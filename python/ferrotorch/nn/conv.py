"""Convolutions: Torch7's SpatialConvolution family over the Rust kernels of
ferrotorch::nn::conv (im2col + GEMM for the unrolled families; direct loops for the
connection-table, locally connected and sub-sampling modules).

Sizes follow Torch7: ``oW = floor((iW + 2*padW - dilationW*(kW-1) - 1) / dW) + 1`` for
convolutions, ``oW = (iW - 1)*dW - 2*padW + kW + adjW`` for full (transposed) ones. Inputs
are planes x height x width (or volumes) with an optional leading batch dim.
"""

import ferrotorch as torch
from ferrotorch._C import _nn
from ferrotorch.nn import tables, utils
from ferrotorch.nn.module import REGISTRY, Module, fan_in_uniform

__all__ = [
    "SpatialConvolution",
    "SpatialConvolutionLocal",
    "SpatialConvolutionMM",
    "SpatialConvolutionMap",
    "SpatialDepthWiseConvolution",
    "SpatialDilatedConvolution",
    "SpatialFullConvolution",
    "SpatialFullConvolutionMap",
    "SpatialSubSampling",
    "VolumetricConvolution",
    "VolumetricDilatedConvolution",
    "VolumetricFullConvolution",
    "tables",
]

_ONE = (1, 1, 1)
_ZERO = (0, 0, 0)


class _Unrolled(Module):
    """The unrolled convolutions: one kernel call per direction; ``backward`` computes
    gradInput and the parameter gradients in one fused pass."""

    _family = "conv"

    def _geometry(self):
        """(nd, kernel, stride, pad, dilation, adj) as (t, h, w) triples (2-D: t slot unused)."""
        d = self.__dict__
        return (2, (1, d["kH"], d["kW"]), (1, d["dH"], d["dW"]), (0, d["padH"], d["padW"]),
                (1, d.get("dilationH", 1), d.get("dilationW", 1)), _ZERO)

    def _tensor_input(self, input):
        return input

    def updateOutput(self, input):
        _nn.Conv_updateOutput(self.__typename__, self._family, self._tensor_input(input),
                              self.weight, self.__dict__.get("bias"), self.output,
                              *self._geometry())
        return self.output

    def updateGradInput(self, input, gradOutput):
        if self.gradInput is not None:
            _nn.Conv_backward(self.__typename__, self._family, self._tensor_input(input),
                              gradOutput, self.weight, self.gradInput, None, None, 1.0,
                              *self._geometry())
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        d = self.__dict__
        _nn.Conv_backward(self.__typename__, self._family, self._tensor_input(input),
                          gradOutput, self.weight, None, d.get("gradWeight"), d.get("gradBias"),
                          scale, *self._geometry())

    def backward(self, input, gradOutput, scale=1):
        """backward(input, gradOutput, scale=1) -> gradInput: updateGradInput and
        accGradParameters in one pass over gradOutput"""
        d = self.__dict__
        if self.gradInput is None or "_table_input" in d:
            return Module.backward(self, input, gradOutput, scale)
        _nn.Conv_backward(self.__typename__, self._family, input, gradOutput, self.weight,
                          self.gradInput, d.get("gradWeight"), d.get("gradBias"), scale,
                          *self._geometry())
        return self.gradInput

    def noBias(self):
        """noBias() -> self without its bias"""
        self.__dict__.pop("bias", None)
        self.__dict__.pop("gradBias", None)
        return self

    def _fan_in(self):
        return self.kW * self.kH * self.nInputPlane

    def reset(self, stdv=None):
        """reset([stdv]): weight then bias from U(-b, b), b = 1/sqrt(kW*kH*nInputPlane) (or
        stdv*sqrt(3))"""
        bound = fan_in_uniform(stdv, self._fan_in())
        self.weight.uniform(-bound, bound)
        if self.__dict__.get("bias") is not None:
            self.bias.uniform(-bound, bound)
        return self

    def type(self, type=None, tensorCache=None):
        if type is not None:
            self.finput = torch.Tensor()
            self.fgradInput = torch.Tensor()
        return Module.type(self, type, tensorCache)

    def clearState(self):
        utils.clear(self, "finput", "fgradInput", "_input", "_gradOutput")
        return Module.clearState(self)

    def _spatial_text(self):
        s = f"{self.__typename__}({self.nInputPlane} -> {self.nOutputPlane}, {self.kW}x{self.kH}"
        if self.dW != 1 or self.dH != 1 or self.padW != 0 or self.padH != 0:
            s += f", {self.dW},{self.dH}"
        if self.padW != 0 or self.padH != 0:
            s += f", {self.padW},{self.padH}"
        return s

    def __tostring__(self):
        suffix = ")" if self.__dict__.get("bias") is not None else ") without bias"
        return self._spatial_text() + suffix


class SpatialConvolution(_Unrolled):
    """nn.SpatialConvolution(nInputPlane, nOutputPlane, kW, kH, [dW=1], [dH=1], [padW=0],
    [padH=padW]) -> 2-D convolution (cross-correlation) over planes

    Input nInputPlane x iH x iW (or a batch B x ...); output nOutputPlane x oH x oW with
    ``oH = floor((iH + 2*padH - kH) / dH) + 1``. weight is nOutputPlane x nInputPlane x kH x kW,
    bias nOutputPlane; reset() draws both from U(-1/sqrt(kW*kH*nInputPlane), ...).
    ``noBias()`` removes the bias.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialConvolution(1, 1, 2, 2)
    >>> _ = m.weight.fill(1), m.bias.fill(0)
    >>> m.forward(torch.Tensor([[[1, 2, 3], [4, 5, 6]]])).tolist()
    [[[12.0, 16.0]]]
    >>> nn.SpatialConvolution(3, 16, 5, 5, 1, 1, 2)
    nn.SpatialConvolution(3 -> 16, 5x5, 1,1, 2,2)
    """

    def __init__(self, nInputPlane, nOutputPlane, kW, kH, dW=1, dH=1, padW=0, padH=None):
        super().__init__()
        self.nInputPlane, self.nOutputPlane = nInputPlane, nOutputPlane
        self.kW, self.kH, self.dW, self.dH = kW, kH, dW, dH
        self.padW = padW
        self.padH = padW if padH is None else padH
        self.weight = torch.Tensor(*self._weight_size())
        self.bias = torch.Tensor(nOutputPlane)
        self.gradWeight = torch.Tensor(*self._weight_size())
        self.gradBias = torch.Tensor(nOutputPlane)
        self.finput = torch.Tensor()
        self.fgradInput = torch.Tensor()
        self.reset()

    def _weight_size(self):
        return (self.nOutputPlane, self.nInputPlane, self.kH, self.kW)


class SpatialConvolutionMM(SpatialConvolution):
    """nn.SpatialConvolutionMM(nInputPlane, nOutputPlane, kW, kH, [dW=1], [dH=1], [padW=0],
    [padH=padW]) -> SpatialConvolution with a 2-D weight (nOutputPlane x nInputPlane*kH*kW),
    the matrix of the unrolled (im2col) product

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialConvolutionMM(2, 3, 3, 3)
    >>> list(m.weight.size())
    [3, 18]
    >>> list(m.forward(torch.randn(4, 2, 5, 5)).size())
    [4, 3, 3, 3]
    """

    def _weight_size(self):
        return (self.nOutputPlane, self.nInputPlane * self.kH * self.kW)


class SpatialDilatedConvolution(SpatialConvolution):
    """nn.SpatialDilatedConvolution(nInputPlane, nOutputPlane, kW, kH, [dW=1], [dH=1],
    [padW=0], [padH=padW], [dilationW=1], [dilationH=1]) -> convolution whose kernel taps are
    dilation pixels apart: ``oW = floor((iW + 2*padW - dilationW*(kW-1) - 1) / dW) + 1``

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialDilatedConvolution(1, 1, 2, 2, 1, 1, 0, 0, 2, 2)
    >>> _ = m.weight.fill(1), m.bias.fill(0)
    >>> m.forward(torch.range(0, 8).view(1, 3, 3).double()).tolist()
    [[[16.0]]]
    >>> m
    nn.SpatialDilatedConvolution(1 -> 1, 2x2, 2,2)
    """

    def __init__(self, nInputPlane, nOutputPlane, kW, kH, dW=1, dH=1, padW=0, padH=None,
                 dilationW=1, dilationH=1):
        super().__init__(nInputPlane, nOutputPlane, kW, kH, dW, dH, padW, padH)
        self.dilationW, self.dilationH = dilationW, dilationH

    def __tostring__(self):
        s = self._spatial_text() + f", {self.dilationW},{self.dilationH}"
        return s + (")" if self.__dict__.get("bias") is not None else ") without bias")


class SpatialDepthWiseConvolution(_Unrolled):
    """nn.SpatialDepthWiseConvolution(nInputPlane, nOutputPlane, kW, kH, [dW=1], [dH=1],
    [padW=0], [padH=padW]) -> each input plane convolved with its own nOutputPlane filters

    Output has nInputPlane*nOutputPlane planes: plane ``c*nOutputPlane + o`` is input plane c
    with filter o. weight is nOutputPlane x nInputPlane*kH*kW, bias nOutputPlane x nInputPlane.
    (Torch7 swapped height and width in this kernel, which garbled non-square inputs; here
    they are as in SpatialConvolution.)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialDepthWiseConvolution(2, 3, 3, 3)
    >>> list(m.forward(torch.randn(2, 5, 5)).size())
    [6, 3, 3]
    """

    _family = "depthwise"

    def __init__(self, nInputPlane, nOutputPlane, kW, kH, dW=1, dH=1, padW=0, padH=None):
        super().__init__()
        self.nInputPlane, self.nOutputPlane = nInputPlane, nOutputPlane
        self.kW, self.kH, self.dW, self.dH = kW, kH, dW, dH
        self.padW = padW
        self.padH = padW if padH is None else padH
        self.weight = torch.Tensor(nOutputPlane, nInputPlane * kH * kW)
        self.bias = torch.Tensor(nOutputPlane, nInputPlane)
        self.gradWeight = torch.Tensor(nOutputPlane, nInputPlane * kH * kW)
        self.gradBias = torch.Tensor(nOutputPlane, nInputPlane)
        self.finput = torch.Tensor()
        self.fgradInput = torch.Tensor()
        self.reset()

    def _as4d(self, t):
        # Torch7's kernel resized the 2-D weight (and gradWeight) to 4-D in place on first use
        if t is not None and t.dim() == 2:
            t.resize(self.nOutputPlane, self.nInputPlane, self.kH, self.kW)

    def updateOutput(self, input):
        self._as4d(self.weight)
        return _Unrolled.updateOutput(self, input)

    def accGradParameters(self, input, gradOutput, scale=1):
        self._as4d(self.__dict__.get("gradWeight"))
        return _Unrolled.accGradParameters(self, input, gradOutput, scale)

    def backward(self, input, gradOutput, scale=1):
        self._as4d(self.__dict__.get("gradWeight"))
        return _Unrolled.backward(self, input, gradOutput, scale)


def _adj(target, k, pad, stride):
    """Torch7's calculateAdj: the adj that makes a full convolution's output target wide."""
    return (target + 2 * pad - k) % stride


class _Full(_Unrolled):
    """Full (transposed) convolutions; input may be {input, sizeRef} (output sized like
    sizeRef's last dims, adj computed; gradInput then {gradInput, zeros like sizeRef})."""

    _family = "full"

    def _tensor_input(self, input):
        if isinstance(input, (list, tuple)):
            self._table_input = True
            return input[0]
        self.__dict__.pop("_table_input", None)
        return input

    def _adjust(self, input):
        return None if not isinstance(input, (list, tuple)) else input[1].size()

    def updateOutput(self, input):
        x = self._tensor_input(input)
        _nn.Conv_updateOutput(self.__typename__, "full", x, self.weight,
                              self.__dict__.get("bias"), self.output,
                              *self._geometry(self._adjust(input)))
        return self.output

    def updateGradInput(self, input, gradOutput):
        if self.gradInput is None:
            return None
        x = self._tensor_input(input)
        gi = self.gradInput
        if isinstance(gi, list):
            gi = gi[0]
        _nn.Conv_backward(self.__typename__, "full", x, gradOutput, self.weight, gi, None, None,
                          1.0, *self._geometry(self._adjust(input)))
        if isinstance(input, (list, tuple)):
            self.gradInput = [gi, input[1].clone().zero()]
        else:
            self.gradInput = gi
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        d = self.__dict__
        _nn.Conv_backward(self.__typename__, "full", self._tensor_input(input), gradOutput,
                          self.weight, None, d.get("gradWeight"), d.get("gradBias"), scale,
                          *self._geometry(self._adjust(input)))


class SpatialFullConvolution(_Full):
    """nn.SpatialFullConvolution(nInputPlane, nOutputPlane, kW, kH, [dW=1], [dH=1], [padW=0],
    [padH=0], [adjW=0], [adjH=0]) -> transposed convolution (the gradient of a convolution)

    Output ``oW = (iW - 1)*dW - 2*padW + kW + adjW``; weight nInputPlane x nOutputPlane x kH x
    kW, bias nOutputPlane. The input may also be ``[input, sizeRef]``: the output then takes
    sizeRef's height and width (adj computed from them).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialFullConvolution(1, 1, 2, 2)
    >>> _ = m.weight.fill(1), m.bias.fill(0)
    >>> m.forward(torch.Tensor([[[1, 2]]])).tolist()
    [[[1.0, 3.0, 2.0], [1.0, 3.0, 2.0]]]
    """

    def __init__(self, nInputPlane, nOutputPlane, kW, kH, dW=1, dH=1, padW=0, padH=0,
                 adjW=0, adjH=0):
        super().__init__()
        if adjW > dW - 1 or adjH > dH - 1:
            raise ValueError("nn.SpatialFullConvolution: adjW and adjH must be smaller than dW "
                             f"and dH (got adj {adjW},{adjH} for stride {dW},{dH})")
        self.nInputPlane, self.nOutputPlane = nInputPlane, nOutputPlane
        self.kW, self.kH, self.dW, self.dH = kW, kH, dW, dH
        self.padW, self.padH, self.adjW, self.adjH = padW, padH, adjW, adjH
        self.weight = torch.Tensor(nInputPlane, nOutputPlane, kH, kW)
        self.gradWeight = torch.Tensor(nInputPlane, nOutputPlane, kH, kW)
        self.bias = torch.Tensor(nOutputPlane)
        self.gradBias = torch.Tensor(nOutputPlane)
        self.ones = torch.Tensor()
        self.finput = torch.Tensor()
        self.fgradInput = torch.Tensor()
        self.reset()

    def _geometry(self, ref=None):
        adjW, adjH = self.adjW, self.adjH
        if ref is not None:
            adjW = _adj(ref[-1], self.kW, self.padW, self.dW)
            adjH = _adj(ref[-2], self.kH, self.padH, self.dH)
        return (2, (1, self.kH, self.kW), (1, self.dH, self.dW), (0, self.padH, self.padW),
                _ONE, (0, adjH, adjW))

    def __tostring__(self):
        s = self._spatial_text()
        if self.adjW != 0 or self.adjH != 0:
            s += f", {self.adjW},{self.adjH}"
        return s + (")" if self.__dict__.get("bias") is not None else ") without bias")


class VolumetricConvolution(_Unrolled):
    """nn.VolumetricConvolution(nInputPlane, nOutputPlane, kT, kW, kH, [dT=1], [dW=1], [dH=1],
    [padT=0], [padW=padT], [padH=padW]) -> 3-D convolution over planes x time x height x width

    weight nOutputPlane x nInputPlane x kT x kH x kW, bias nOutputPlane; reset() bound
    1/sqrt(kT*kW*kH*nInputPlane).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.VolumetricConvolution(2, 3, 2, 2, 2)
    >>> list(m.forward(torch.randn(2, 4, 5, 6)).size())
    [3, 3, 4, 5]
    >>> m
    nn.VolumetricConvolution(2 -> 3, 2x2x2)
    """

    def __init__(self, nInputPlane, nOutputPlane, kT, kW, kH, dT=1, dW=1, dH=1, padT=0,
                 padW=None, padH=None):
        super().__init__()
        self.nInputPlane, self.nOutputPlane = nInputPlane, nOutputPlane
        self.kT, self.kW, self.kH, self.dT, self.dW, self.dH = kT, kW, kH, dT, dW, dH
        self.padT = padT
        self.padW = padT if padW is None else padW
        self.padH = self.padW if padH is None else padH
        self.weight = torch.Tensor(nOutputPlane, nInputPlane, kT, kH, kW)
        self.bias = torch.Tensor(nOutputPlane)
        self.gradWeight = torch.Tensor(nOutputPlane, nInputPlane, kT, kH, kW)
        self.gradBias = torch.Tensor(nOutputPlane)
        self.finput = torch.Tensor()
        self.fgradInput = torch.Tensor()
        self.reset()

    def _fan_in(self):
        return self.kT * self.kW * self.kH * self.nInputPlane

    def _geometry(self):
        d = self.__dict__
        return (3, (d["kT"], d["kH"], d["kW"]), (d["dT"], d["dH"], d["dW"]),
                (d["padT"], d["padH"], d["padW"]),
                (d.get("dilationT", 1), d.get("dilationH", 1), d.get("dilationW", 1)), _ZERO)

    def _volumetric_text(self):
        s = (f"{self.__typename__}({self.nInputPlane} -> {self.nOutputPlane}, "
             f"{self.kT}x{self.kW}x{self.kH}")
        pads = (self.padT, self.padW, self.padH)
        if (self.dT, self.dW, self.dH) != (1, 1, 1) or pads != (0, 0, 0):
            s += f", {self.dT},{self.dW},{self.dH}"
        if pads != (0, 0, 0):
            s += f", {self.padT},{self.padW},{self.padH}"
        return s

    def __tostring__(self):
        return self._volumetric_text() + ")"


class VolumetricDilatedConvolution(VolumetricConvolution):
    """nn.VolumetricDilatedConvolution(nInputPlane, nOutputPlane, kT, kW, kH, [dT=1], [dW=1],
    [dH=1], [padT=0], [padW=0], [padH=0], [dilationT=1], [dilationW=1], [dilationH=1]) ->
    VolumetricConvolution with taps dilation voxels apart

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.VolumetricDilatedConvolution(1, 1, 2, 2, 2, 1, 1, 1, 0, 0, 0, 2, 2, 2)
    >>> list(m.forward(torch.randn(1, 4, 4, 4)).size())
    [1, 2, 2, 2]
    """

    def __init__(self, nInputPlane, nOutputPlane, kT, kW, kH, dT=1, dW=1, dH=1, padT=0,
                 padW=0, padH=0, dilationT=1, dilationW=1, dilationH=1):
        super().__init__(nInputPlane, nOutputPlane, kT, kW, kH, dT, dW, dH, padT, padW, padH)
        self.dilationT, self.dilationW, self.dilationH = dilationT, dilationW, dilationH

    def __tostring__(self):
        s = self._volumetric_text() + f", {self.dilationT},{self.dilationW},{self.dilationH}"
        return s + (")" if self.__dict__.get("bias") is not None else ") without bias")


class VolumetricFullConvolution(_Full):
    """nn.VolumetricFullConvolution(nInputPlane, nOutputPlane, kT, kW, kH, [dT=1], [dW=1],
    [dH=1], [padT=0], [padW=0], [padH=0], [adjT=0], [adjW=0], [adjH=0]) -> transposed 3-D
    convolution: ``oT = (iT - 1)*dT - 2*padT + kT + adjT``; input may be [input, sizeRef]

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.VolumetricFullConvolution(2, 1, 2, 2, 2)
    >>> list(m.forward(torch.randn(2, 2, 2, 2)).size())
    [1, 3, 3, 3]
    """

    def __init__(self, nInputPlane, nOutputPlane, kT, kW, kH, dT=1, dW=1, dH=1, padT=0,
                 padW=0, padH=0, adjT=0, adjW=0, adjH=0):
        super().__init__()
        if adjW > dW - 1 or adjH > dH - 1 or adjT > dT - 1:
            raise ValueError("nn.VolumetricFullConvolution: adjT, adjW and adjH must be smaller "
                             f"than dT, dW and dH (got adj {adjT},{adjW},{adjH} for stride "
                             f"{dT},{dW},{dH})")
        self.nInputPlane, self.nOutputPlane = nInputPlane, nOutputPlane
        self.kT, self.kW, self.kH, self.dT, self.dW, self.dH = kT, kW, kH, dT, dW, dH
        self.padT, self.padW, self.padH = padT, padW, padH
        self.adjT, self.adjW, self.adjH = adjT, adjW, adjH
        self.weight = torch.Tensor(nInputPlane, nOutputPlane, kT, kH, kW)
        self.gradWeight = torch.Tensor(nInputPlane, nOutputPlane, kT, kH, kW)
        self.bias = torch.Tensor(nOutputPlane)
        self.gradBias = torch.Tensor(nOutputPlane)
        self.ones = torch.Tensor()
        self.finput = torch.Tensor()
        self.fgradInput = torch.Tensor()
        self.reset()

    def _fan_in(self):
        return self.kT * self.kW * self.kH * self.nInputPlane

    def _geometry(self, ref=None):
        adj = (self.adjT, self.adjH, self.adjW)
        if ref is not None:
            adj = (_adj(ref[-3], self.kT, self.padT, self.dT),
                   _adj(ref[-2], self.kH, self.padH, self.dH),
                   _adj(ref[-1], self.kW, self.padW, self.dW))
        return (3, (self.kT, self.kH, self.kW), (self.dT, self.dH, self.dW),
                (self.padT, self.padH, self.padW), _ONE, adj)

    def __tostring__(self):
        s = VolumetricConvolution._volumetric_text(self)
        if (self.adjT, self.adjW, self.adjH) != (0, 0, 0):
            s += f", {self.adjT},{self.adjW},{self.adjH}"
        return s + ")"


# ---------------------------------------------------------------- connection tables
def _planes(connTable):
    """(nInputPlane, nOutputPlane): one more than the largest 0-based entries."""
    return int(connTable.select(1, 0).max()) + 1, int(connTable.select(1, 1).max()) + 1


class _Map(Module):
    _full = False

    def __init__(self, connTable, kW, kH, dW=1, dH=1):
        super().__init__()
        self.kW, self.kH, self.dW, self.dH = kW, kH, dW, dH
        self.connTable = connTable
        self.nInputPlane, self.nOutputPlane = _planes(connTable)
        self.weight = torch.Tensor(connTable.size(0), kH, kW)
        self.bias = torch.Tensor(self.nOutputPlane)
        self.gradWeight = torch.Tensor(connTable.size(0), kH, kW)
        self.gradBias = torch.Tensor(self.nOutputPlane)
        self.reset()

    def reset(self, stdv=None):
        """reset([stdv]): with stdv, weight then bias from U(-stdv*sqrt(3), ...); else kernel k
        from U(-b, b), b = 1/sqrt(kW*kH*fanIn(its output plane)), then each bias element"""
        if stdv is not None:
            bound = stdv * 3 ** 0.5
            self.weight.uniform(-bound, bound)
            self.bias.uniform(-bound, bound)
            return self
        outs = [int(o) for o in self.connTable.select(1, 1).tolist()]
        fan = [0] * self.nOutputPlane
        for o in outs:
            fan[o] += 1
        for k, o in enumerate(outs):
            bound = 1 / (self.kW * self.kH * fan[o]) ** 0.5
            self.weight.select(0, k).uniform(-bound, bound)
        for o in range(self.nOutputPlane):
            bound = 1 / (self.kW * self.kH * fan[o]) ** 0.5 if fan[o] else float("inf")
            self.bias[o] = torch.uniform(-bound, bound)
        return self

    def updateOutput(self, input):
        _nn.ConvMap_updateOutput(self.__typename__, self._full, input, self.weight, self.bias,
                                 self.connTable, self.nInputPlane, self.nOutputPlane,
                                 (self.dH, self.dW), self.output)
        return self.output

    def _backward(self, input, gradOutput, gradInput, gradWeight, gradBias, scale):
        _nn.ConvMap_backward(self.__typename__, self._full, input, gradOutput, self.weight,
                             self.connTable, self.nInputPlane, self.nOutputPlane,
                             (self.dH, self.dW), gradInput, gradWeight, gradBias, scale)

    def updateGradInput(self, input, gradOutput):
        self._backward(input, gradOutput, self.gradInput, None, None, 1.0)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        self._backward(input, gradOutput, None, self.gradWeight, self.gradBias, scale)

    def decayParameters(self, decay):
        """decayParameters(decay): weight and bias shrink by the factor (1 - decay) (Torch7's
        ``weight:add(-decay, weight)``)"""
        self.weight.add(-decay, self.weight)
        self.bias.add(-decay, self.bias)


class SpatialConvolutionMap(_Map):
    """nn.SpatialConvolutionMap(connTable, kW, kH, [dW=1], [dH=1]) -> convolution along a
    connection table

    connTable (K x 2, rows (input plane, output plane), 0-based; see nn.tables) lists which
    input plane feeds which output plane through kernel k: ``out[o] = bias[o] +
    sum_{k: conn[k] = (i, o)} xcorr(in[i], weight[k])``, no padding. weight K x kH x kW.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialConvolutionMap(nn.tables.full(2, 3), 3, 3)
    >>> list(m.forward(torch.randn(2, 5, 5)).size())
    [3, 3, 3]
    >>> m
    nn.SpatialConvolutionMap
    """


class SpatialFullConvolutionMap(_Map):
    """nn.SpatialFullConvolutionMap(connTable, kW, kH, [dW=1], [dH=1]) -> full (transposed)
    convolution along a connection table: output ``(iH - 1)*dH + kH`` x ``(iW - 1)*dW + kW``

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialFullConvolutionMap(nn.tables.oneToOne(2), 3, 3)
    >>> list(m.forward(torch.randn(2, 3, 3)).size())
    [2, 5, 5]
    """

    _full = True


class SpatialSubSampling(Module):
    """nn.SpatialSubSampling(nInputPlane, kW, kH, [dW=1], [dH=1]) -> per-plane weighted sum
    over kW x kH windows: ``out[c] = bias[c] + weight[c] * sum_window in[c]``

    weight and bias have nInputPlane elements, from U(-1/sqrt(kW*kH), ...).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialSubSampling(1, 2, 2, 2, 2)
    >>> _ = m.weight.fill(1), m.bias.fill(0)
    >>> m.forward(torch.ones(1, 4, 4)).tolist()
    [[[4.0, 4.0], [4.0, 4.0]]]
    """

    def __init__(self, nInputPlane, kW, kH, dW=1, dH=1):
        super().__init__()
        self.nInputPlane, self.kW, self.kH, self.dW, self.dH = nInputPlane, kW, kH, dW, dH
        self.weight = torch.Tensor(nInputPlane)
        self.bias = torch.Tensor(nInputPlane)
        self.gradWeight = torch.Tensor(nInputPlane)
        self.gradBias = torch.Tensor(nInputPlane)
        self.reset()

    def reset(self, stdv=None):
        bound = fan_in_uniform(stdv, self.kW * self.kH)
        self.weight.uniform(-bound, bound)
        self.bias.uniform(-bound, bound)
        return self

    def updateOutput(self, input):
        _nn.SubSampling_updateOutput(self.__typename__, input, self.weight, self.bias,
                                     (self.kH, self.kW), (self.dH, self.dW), self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.SubSampling_backward(self.__typename__, input, gradOutput, self.weight,
                                 (self.kH, self.kW), (self.dH, self.dW), self.gradInput,
                                 None, None, 1.0)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _nn.SubSampling_backward(self.__typename__, input, gradOutput, self.weight,
                                 (self.kH, self.kW), (self.dH, self.dW), None,
                                 self.gradWeight, self.gradBias, scale)


class SpatialConvolutionLocal(Module):
    """nn.SpatialConvolutionLocal(nInputPlane, nOutputPlane, iW, iH, kW, kH, [dW=1], [dH=1],
    [padW=0], [padH=padW]) -> locally connected layer: a convolution without weight sharing

    The input size is fixed (nInputPlane x iH x iW, or a batch); each output position has its
    own filters: weight oH x oW x nOutputPlane x nInputPlane x kH x kW, bias
    nOutputPlane x oH x oW.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialConvolutionLocal(2, 3, 5, 5, 3, 3)
    >>> list(m.weight.size()), list(m.forward(torch.randn(2, 5, 5)).size())
    ([3, 3, 3, 2, 3, 3], [3, 3, 3])
    >>> m
    nn.SpatialConvolutionLocal(2 -> 3, 5x5, 3x3)
    """

    def __init__(self, nInputPlane, nOutputPlane, iW, iH, kW, kH, dW=1, dH=1, padW=0,
                 padH=None):
        super().__init__()
        self.nInputPlane, self.nOutputPlane = nInputPlane, nOutputPlane
        self.kW, self.kH, self.iW, self.iH, self.dW, self.dH = kW, kH, iW, iH, dW, dH
        self.padW = padW
        self.padH = padW if padH is None else padH
        self.oW = (self.padW * 2 + iW - kW) // dW + 1
        self.oH = (self.padH * 2 + iH - kH) // dH + 1
        if self.oW < 1 or self.oH < 1:
            raise ValueError(f"nn.SpatialConvolutionLocal: illegal configuration: input {iW}x{iH}"
                             f" with kernel {kW}x{kH} gives an output of {self.oW}x{self.oH}")
        size = (self.oH, self.oW, nOutputPlane, nInputPlane, kH, kW)
        self.weight = torch.Tensor(*size)
        self.bias = torch.Tensor(nOutputPlane, self.oH, self.oW)
        self.gradWeight = torch.Tensor(*size)
        self.gradBias = torch.Tensor(nOutputPlane, self.oH, self.oW)
        self.finput = torch.Tensor()
        self.fgradInput = torch.Tensor()
        self.reset()

    def reset(self, stdv=None):
        bound = fan_in_uniform(stdv, self.kW * self.kH * self.nInputPlane)
        self.weight.uniform(-bound, bound)
        self.bias.uniform(-bound, bound)
        return self

    def _args(self):
        return ((self.nInputPlane, self.nOutputPlane), (self.iH, self.iW), (self.kH, self.kW),
                (self.dH, self.dW), (self.padH, self.padW))

    def updateOutput(self, input):
        _nn.ConvLocal_updateOutput(self.__typename__, input, self.weight, self.bias,
                                   *self._args(), self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.ConvLocal_backward(self.__typename__, input, gradOutput, self.weight, *self._args(),
                               self.gradInput, None, None, 1.0)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _nn.ConvLocal_backward(self.__typename__, input, gradOutput, self.weight, *self._args(),
                               None, self.gradWeight, self.gradBias, scale)

    def clearState(self):
        utils.clear(self, "finput", "fgradInput", "_input", "_gradOutput")
        return Module.clearState(self)

    def __tostring__(self):
        s = (f"{self.__typename__}({self.nInputPlane} -> {self.nOutputPlane}, "
             f"{self.iW}x{self.iH}, {self.kW}x{self.kH}")
        if self.dW != 1 or self.dH != 1 or self.padW != 0 or self.padH != 0:
            s += f", {self.dW},{self.dH}"
        if self.padW != 0 or self.padH != 0:
            s += f", {self.padW},{self.padH}"
        return s + ")"


for _base in ("nn._Unrolled", "nn._Full", "nn._Map"):  # bases of ours, not Torch7 classes
    REGISTRY.pop(_base, None)
