"""nn miscellaneous layers (Torch7's BatchNormalization, LayerNormalization, PixelShuffle,
Identity, Dropout, SpatialDropout, VolumetricDropout, Padding, L1Penalty, GradientReversal,
Constant, WhiteNoise, OneHot, PrintSize, ZeroGrad, Collapse, Convert).

Normalizations, dropout masks and the L1 penalty's gradient run in the Rust kernels of
ferrotorch::nn::misc; the others are views and copies through the engine's tensor methods.
"""


import ferrotorch as torch
from ferrotorch._C import _nn
from ferrotorch.nn import utils
from ferrotorch.nn.adapters import buffer
from ferrotorch.nn.containers import Container, Sequential
from ferrotorch.nn.module import Module, fan_in_uniform

__all__ = [
    "BatchNormalization",
    "Collapse",
    "Constant",
    "Convert",
    "Dropout",
    "GradientReversal",
    "Identity",
    "L1Penalty",
    "LayerNormalization",
    "OneHot",
    "Padding",
    "PixelShuffle",
    "PrintSize",
    "SpatialDropout",
    "VolumetricDropout",
    "WhiteNoise",
    "ZeroGrad",
]


def _drop_aliases(module):
    """clearState for modules whose output / gradInput are their caller's objects: replace the
    fields rather than empty them (emptying would empty the caller's tensors)."""
    for name in ("output", "gradInput"):
        value = module.__dict__.get(name)
        if isinstance(value, torch.Tensor):
            module.__dict__[name] = utils.empty_like_type(value)
        elif isinstance(value, (list, tuple)):
            module.__dict__[name] = []
        elif value is not None:
            module.__dict__[name] = None
    return module


def _size_text(t):
    return "x".join(str(s) for s in t.size()) or "[]"


class BatchNormalization(Module):
    """nn.BatchNormalization(N, eps=1e-5, momentum=0.1, affine=True)

    Normalizes each of the N features of a B x N batch: training uses the batch's mean and
    (biased) variance, ``y = (x - mean) / sqrt(var + eps) * weight + bias``, and moves
    running_mean / running_var by momentum towards the batch mean and the unbiased variance;
    evaluation uses the running estimates (and then also accepts one N-vector). A batch of one
    sample leaves the running estimates alone and normalizes with them, as in Torch7.
    weight ~ U(0, 1) and bias = 0 unless affine=False (no parameters). save_mean / save_std
    keep the last training batch's mean and 1/std for backward.

    The kernel works on any (B, C, *) input, which Spatial- and VolumetricBatchNormalization
    reuse by changing nDim.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> bn = nn.BatchNormalization(2, 0)
    >>> _ = bn.weight.fill(1)
    >>> bn.forward(torch.Tensor([[1, 10], [3, 30]])).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    >>> bn.running_mean.tolist()
    [0.2, 2.0]
    >>> bn
    nn.BatchNormalization (2D) (2)
    """

    nDim = 2

    def __init__(self, nOutput, eps=1e-5, momentum=0.1, affine=True):
        super().__init__()
        if not isinstance(nOutput, int):
            raise TypeError(f"{self.__typename__}: missing argument #1: the number of features, "
                            f"got {nOutput!r}")
        if nOutput == 0:
            raise ValueError(f"{self.__typename__}: nOutput is 0; to have no affine parameters "
                             "pass affine=False")
        if not isinstance(affine, bool):
            raise TypeError(f"{self.__typename__}: affine has to be True/False")
        self.affine = affine
        self.eps = eps
        self.train = True
        self.momentum = momentum
        self.running_mean = torch.zeros(nOutput)
        self.running_var = torch.ones(nOutput)
        self.save_mean = torch.Tensor()
        self.save_std = torch.Tensor()
        if affine:
            self.weight = torch.Tensor(nOutput)
            self.bias = torch.Tensor(nOutput)
            self.gradWeight = torch.Tensor(nOutput)
            self.gradBias = torch.Tensor(nOutput)
        self.reset()

    def reset(self, stdv=None):
        if getattr(self, "weight", None) is not None:
            self.weight.uniform()
        if getattr(self, "bias", None) is not None:
            self.bias.zero()
        self.running_mean.zero()
        self.running_var.fill(1)
        return self

    def _batch(self, input, what="input"):
        """input as (B, C, *): checked like Torch7's checkInputDim; a sample gains a batch dim
        of 1 in evaluation."""
        nd, dim = self.nDim, input.dim()
        if dim == nd - 1 and not self.train:
            input = input.unsqueeze(0)
        elif dim != nd:
            raise ValueError(f"{self.__typename__}: only mini-batch supported ({nd}D tensor), "
                             f"got {dim}D tensor instead ({what} of size {_size_text(input)})")
        n = self.running_mean.nElement()
        if input.size(1) != n:
            raise ValueError(f"{self.__typename__}: got {input.size(1)}-feature tensor, "
                             f"expected {n} ({what} of size {_size_text(input)})")
        return input

    def updateOutput(self, input):
        batch = self._batch(input)
        _nn.SpatialBatchNormalization_updateOutput(
            batch, self.output, self.__dict__.get("weight"), self.__dict__.get("bias"),
            self.running_mean, self.running_var, self.save_mean, self.save_std,
            self.train and batch.size(0) > 1, self.momentum, self.eps, self.__typename__)
        if batch is not input:
            self.output.set(self.output.view(input.size()))
        return self.output

    def _backward(self, input, gradOutput, scale, gradInput, gradWeight, gradBias):
        batch, grad = self._batch(input), self._batch(gradOutput, "gradOutput")
        if self.train and self.save_mean.nElement() == 0:
            raise RuntimeError(f"{self.__typename__}: call forward before backward")
        _nn.SpatialBatchNormalization_backward(
            batch, grad, gradInput, gradWeight, gradBias, self.__dict__.get("weight"),
            self.running_mean, self.running_var, self.save_mean, self.save_std,
            self.train and batch.size(0) > 1, scale, self.eps, self.__typename__)
        if gradInput is not None and batch is not input:
            gradInput.set(gradInput.view(input.size()))
        return self.gradInput

    def backward(self, input, gradOutput, scale=1):
        return self._backward(input, gradOutput, scale, self.gradInput,
                              self.__dict__.get("gradWeight"), self.__dict__.get("gradBias"))

    def updateGradInput(self, input, gradOutput):
        return self._backward(input, gradOutput, 1, self.gradInput, None, None)

    def accGradParameters(self, input, gradOutput, scale=1):
        gw, gb = self.__dict__.get("gradWeight"), self.__dict__.get("gradBias")
        if gw is not None or gb is not None:
            self._backward(input, gradOutput, scale, None, gw, gb)

    def clearState(self):
        utils.clear(self, "_input", "_gradOutput", "save_mean", "save_std")
        return super().clearState()

    def __tostring__(self):
        return f"{self.__typename__} ({self.nDim}D) ({self.running_mean.nElement()})"


class LayerNormalization(Module):
    """nn.LayerNormalization(nOutput, bias=0, eps=1e-10, affine=True)

    Per sample x (an nOutput vector, or each row of a B x nOutput batch):
    ``y = sqrt(nOutput) * (x - mean(x)) / sqrt(sum((x - mean(x))^2) + eps) * weight + bias``.
    weight starts at 1 and bias at the constructor's bias; affine=False drops both.
    Torch7 built this as a Sequential of seven modules; here it is one fused kernel with the
    same parameters (weight, bias) and the same printed tree.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> ln = nn.LayerNormalization(4)
    >>> y = ln.forward(torch.Tensor([[1, 2, 3, 4]]))
    >>> round(y.sum(), 9), round(y.norm(), 9)
    (0.0, 2.0)
    """

    def __init__(self, nOutput, bias=0, eps=1e-10, affine=True):
        super().__init__()
        self.nOutput = nOutput
        self.eps = eps
        self.affine = affine
        if affine:
            # Torch7 built nn.Add(nOutput) and then nn.CMul(nOutput), whose constructors drew
            # bias and then weight from the generator before the fills: draw them too, so the
            # random stream after construction is Lua's.
            bound = fan_in_uniform(None, nOutput)
            self.bias = torch.Tensor(nOutput).uniform(-bound, bound).fill(bias)
            self.weight = torch.Tensor(nOutput).uniform(-bound, bound).fill(1)
            self.gradWeight = torch.Tensor(nOutput).zero()
            self.gradBias = torch.Tensor(nOutput).zero()

    def reset(self, stdv=None):
        """reset(stdv=None): as Torch7's Sequential:reset, the gain (its CMul) and then the bias
        (its Add) are drawn from U(-b, b), b = stdv * sqrt(3) or 1 / sqrt(nOutput): after a
        reset they are no longer 1 and the constructor's bias."""
        if self.affine:
            bound = fan_in_uniform(stdv, self.nOutput)
            self.weight.uniform(-bound, bound)
            self.bias.uniform(-bound, bound)
        return self

    def updateOutput(self, input):
        d = self.__dict__
        _nn.LayerNormalization_updateOutput(input, d.get("weight"), d.get("bias"), self.nOutput,
                                            self.eps, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.LayerNormalization_updateGradInput(input, gradOutput, self.__dict__.get("weight"),
                                               self.nOutput, self.eps, self.gradInput)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        d = self.__dict__
        if self.affine:
            _nn.LayerNormalization_accGradParameters(input, gradOutput, d.get("gradWeight"),
                                                     d.get("gradBias"), self.nOutput, self.eps,
                                                     scale)

    def __tostring__(self):
        steps = 6 if self.affine else 4
        lines = [
            "nn.Sequential {",
            "  [input" + "".join(f" -> ({i})" for i in range(1, steps + 1)) + " -> output]",
            "  (1): nn.ConcatTable {",
            "    input",
            "      |`-> (1): nn.Identity",
            "       `-> (2): nn.Sequential {",
            "             [input -> (1) -> (2) -> output]",
            "             (1): nn.Mean",
            "             (2): nn.Replicate",
            "           }",
            "       ... -> output",
            "  }",
            "  (2): nn.CSubTable",
            "  (3): nn.Normalize(2)",
            "  (4): nn.MulConstant",
        ]
        if self.affine:
            lines += ["  (5): nn.CMul", "  (6): nn.Add"]
        return "\n".join(lines + ["}"])


class PixelShuffle(Module):
    """nn.PixelShuffle(upscaleFactor) -> (C*r*r, H, W) to (C, H*r, W*r), batch too

    Sub-pixel convolution's rearrangement: output[c, h*r + i, w*r + j] =
    input[c*r*r + i*r + j, h, w].

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.PixelShuffle(2).forward(torch.range(0, 3).view(4, 1, 1)).view(2, 2).tolist()
    [[0.0, 1.0], [2.0, 3.0]]
    """

    def __init__(self, upscaleFactor):
        super().__init__()
        self.upscaleFactor = upscaleFactor
        self.upscaleFactorSquared = upscaleFactor * upscaleFactor
        self._shuffleOut = torch.Tensor()
        self._shuffleIn = torch.Tensor()

    def _shape(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"nn.PixelShuffle: expected a 3D (C, H, W) or 4D (B, C, H, W) input, "
                             f"got size {_size_text(input)}")
        sizes = list(input.size())
        batch = sizes[0] if len(sizes) == 4 else 1
        planes, height, width = sizes[-3:]
        if planes % self.upscaleFactorSquared:
            raise ValueError(f"nn.PixelShuffle({self.upscaleFactor}): {planes} input planes are not "
                             f"a multiple of {self.upscaleFactorSquared} (input of size "
                             f"{_size_text(input)})")
        return batch, planes // self.upscaleFactorSquared, height, width

    def updateOutput(self, input):
        b, c, h, w = self._shape(input)
        r = self.upscaleFactor
        if self._shuffleOut.type() != input.type():
            self._shuffleOut = utils.empty_like_type(input)
        view = input.contiguous().view(b, c, r, r, h, w)
        self._shuffleOut.resize(b, c, h, r, w, r).copy(view.permute(0, 1, 4, 2, 5, 3))
        out_sizes = [c, h * r, w * r] if input.dim() == 3 else [b, c, h * r, w * r]
        if self.output.type() != input.type():
            self.output = utils.empty_like_type(input)
        self.output.set(self._shuffleOut.view(out_sizes))
        return self.output

    def updateGradInput(self, input, gradOutput):
        b, c, h, w = self._shape(input)
        r = self.upscaleFactor
        if self._shuffleIn.type() != input.type():
            self._shuffleIn = utils.empty_like_type(input)
        view = gradOutput.contiguous().view(b, c, h, r, w, r)
        self._shuffleIn.resize(b, c, r, r, h, w).copy(view.permute(0, 1, 3, 5, 2, 4))
        if self.gradInput.type() != input.type():
            self.gradInput = utils.empty_like_type(input)
        self.gradInput.set(self._shuffleIn.view(input.size()))
        return self.gradInput

    def clearState(self):
        utils.clear(self, "_shuffleIn", "_shuffleOut")
        return super().clearState()


class Identity(Module):
    """nn.Identity() -> output = input, gradInput = gradOutput (any input: tensors, nested
    lists, anything)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> x = [torch.Tensor([1]), [torch.Tensor([2])]]
    >>> nn.Identity().forward(x) is x
    True
    """

    def updateOutput(self, input):
        self.output = input
        return input

    def updateGradInput(self, input, gradOutput):
        self.gradInput = gradOutput
        return gradOutput

    def clearState(self):
        return _drop_aliases(self)


class Dropout(Module):
    """nn.Dropout(p=0.5, v1=False, inplace=False, stochasticInference=False)

    Training: each element is kept with probability 1 - p (a Bernoulli mask, ``noise``, drawn
    from the default generator in Torch7's order, so a seed gives Torch7's mask) and, in the
    default version 2, divided by 1 - p; evaluation passes the input through. v1=True scales
    in evaluation instead (output = (1 - p) * input). stochasticInference=True draws masks in
    evaluation too. inplace=True writes into the input (and gradOutput). backward multiplies
    by the same mask.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> d = nn.Dropout(0.5)
    >>> y = d.forward(torch.ones(1000))
    >>> sorted(set(y.tolist()))
    [0.0, 2.0]
    >>> d.evaluate().forward(torch.ones(2)).tolist()
    [1.0, 1.0]
    >>> d
    nn.Dropout(0.500000)
    """

    def __init__(self, p=0.5, v1=False, inplace=False, stochasticInference=False):
        super().__init__()
        if not 0 <= p < 1:
            raise ValueError(f"nn.Dropout: illegal percentage {p}, must be 0 <= p < 1")
        self.p = p
        self.train = True
        self.inplace = inplace
        self.stochastic_inference = stochasticInference
        self.v2 = not v1
        self.noise = torch.Tensor()

    def updateOutput(self, input):
        if self.inplace:
            self.output.set(input)
        p = self.p
        draw = p > 0 and (self.train or self.stochastic_inference)
        factor = 1 - p if (p > 0 and not self.v2) else 1
        if self.noise.type() != input.type():
            self.noise = utils.empty_like_type(input)
        _nn.Dropout_updateOutput(input, self.output, self.noise, p, draw, self.v2, factor,
                                 input.dim())
        return self.output

    def updateGradInput(self, input, gradOutput):
        if self.inplace:
            self.gradInput.set(gradOutput)
        p = self.p
        if self.train and p > 0:
            _nn.Dropout_updateGradInput(gradOutput, self.gradInput, self.noise, 1)
        else:
            factor = 1 - p if (p > 0 and not self.v2) else 1
            _nn.Dropout_updateGradInput(gradOutput, self.gradInput, None, factor)
        return self.gradInput

    def setp(self, p):
        """setp(p): a new drop probability"""
        self.p = p

    def clearState(self):
        self.noise.set()
        return super().clearState()

    def __tostring__(self):
        return f"{self.__typename__}({self.p:f})"


class SpatialDropout(Module):
    """nn.SpatialDropout(p=0.5, stochasticInference=False)

    Drops whole feature maps of a (C, H, W) or (B, C, H, W) input: one Bernoulli(1 - p) draw
    per map (``noise`` is C x 1 x 1 or B x C x 1 x 1). As in Torch7 the kept maps are not
    rescaled in training and evaluation multiplies by 1 - p; backward is defined only while
    training.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> y = nn.SpatialDropout(0.5).forward(torch.ones(8, 2, 2))
    >>> all(m.min() == m.max() for m in y)
    True
    """

    _dims = (3, 4)
    _error = "Input must be 4D (nbatch, nfeat, h, w) or 3D (nfeat, h, w)"

    def __init__(self, p=0.5, stochasticInference=False):
        super().__init__()
        self.p = p
        self.train = True
        self.stochastic_inference = stochasticInference
        self.noise = torch.Tensor()

    def updateOutput(self, input):
        big = self._dims[1]
        dim = input.dim()
        draw = self.train or self.stochastic_inference
        if draw and dim not in self._dims:
            raise ValueError(f"{self.__typename__}: {self._error}, got size {_size_text(input)}")
        if self.noise.type() != input.type():
            self.noise = utils.empty_like_type(input)
        _nn.Dropout_updateOutput(input, self.output, self.noise, self.p, draw, False, 1 - self.p,
                                 2 if dim == big else 1)
        return self.output

    def updateGradInput(self, input, gradOutput):
        if not self.train:
            raise RuntimeError(f"{self.__typename__}: backprop only defined while training")
        _nn.Dropout_updateGradInput(gradOutput, self.gradInput, self.noise, 1)
        return self.gradInput

    def setp(self, p):
        """setp(p): a new drop probability"""
        self.p = p

    def clearState(self):
        self.noise.set()
        return super().clearState()

    def __tostring__(self):
        return f"{self.__typename__}({self.p:f})"


class VolumetricDropout(SpatialDropout):
    """nn.VolumetricDropout(p=0.5, stochasticInference=False)

    SpatialDropout for volumes: a (C, T, H, W) or (B, C, T, H, W) input, one draw per volume.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.VolumetricDropout(0.5).evaluate().forward(torch.ones(1, 1, 1, 2)).tolist()
    [[[[0.5, 0.5]]]]
    """

    _dims = (4, 5)
    _error = "Input must be 5D (nbatch, nfeat, t, h, w) or 4D (nfeat, t, h, w)"


class Padding(Module):
    """nn.Padding(dim, pad, nInputDim=None, value=0, index=0)

    Inserts abs(pad) entries of value along dim: pad < 0 counts index from the start (index
    0 pads before the first element), pad > 0 from the end (index 0 pads after the last).
    With nInputDim, an input with another number of dims is a batch (dim shifts by one).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Padding(0, 2).forward(torch.Tensor([1, 2])).tolist()
    [1.0, 2.0, 0.0, 0.0]
    >>> nn.Padding(0, -1, None, 9).forward(torch.Tensor([1, 2])).tolist()
    [9.0, 1.0, 2.0]
    """

    def __init__(self, dim, pad, nInputDim=None, value=0, index=0):
        super().__init__()
        self.value = value
        self.index = index
        self.dim = dim
        self.pad = pad
        self.nInputDim = nInputDim

    def _where(self, input):
        """(dim, split, pad): input's elements before split stay, the rest move by pad."""
        dim = self.dim
        if self.nInputDim is not None and input.dim() != self.nInputDim:
            dim += 1
        if dim < 0:
            dim += input.dim()
        if not 0 <= dim < input.dim():
            raise IndexError(f"nn.Padding: dim {self.dim} out of range for an input of size "
                             f"{_size_text(input)}")
        size, pad = input.size(dim), self.pad
        split = size - self.index if pad > 0 else self.index
        if not 0 <= split <= size:
            raise IndexError(f"nn.Padding: index {self.index} out of range for dim {dim} of "
                             f"size {size}")
        return dim, split, abs(pad)

    def updateOutput(self, input):
        dim, split, pad = self._where(input)
        sizes = list(input.size())
        size = sizes[dim]
        sizes[dim] += pad
        self.output.resize(sizes).fill(self.value)
        if split:
            self.output.narrow(dim, 0, split).copy(input.narrow(dim, 0, split))
        if split < size:
            self.output.narrow(dim, split + pad, size - split).copy(
                input.narrow(dim, split, size - split))
        return self.output

    def updateGradInput(self, input, gradOutput):
        dim, split, pad = self._where(input)
        size = input.size(dim)
        self.gradInput.resizeAs(input)
        if split:
            self.gradInput.narrow(dim, 0, split).copy(gradOutput.narrow(dim, 0, split))
        if split < size:
            self.gradInput.narrow(dim, split, size - split).copy(
                gradOutput.narrow(dim, split + pad, size - split))
        return self.gradInput


class L1Penalty(Module):
    """nn.L1Penalty(l1weight, sizeAverage=False, provideOutput=True)

    Passes its input through and records ``loss = l1weight * sum(|input|)`` (divided by the
    number of elements with sizeAverage); backward adds the penalty's gradient
    ``l1weight * sign(input)`` to gradOutput (or gives it alone when provideOutput=False).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.L1Penalty(0.5)
    >>> x = torch.Tensor([-2, 0, 3])
    >>> _ = m.forward(x); m.loss
    2.5
    >>> m.backward(x, torch.Tensor([1, 1, 1])).tolist()
    [0.5, 1.0, 1.5]
    """

    def __init__(self, l1weight, sizeAverage=False, provideOutput=True):
        super().__init__()
        self.l1weight = l1weight
        self.sizeAverage = sizeAverage
        self.provideOutput = provideOutput

    def _m(self, input):
        return self.l1weight / input.nElement() if self.sizeAverage else self.l1weight

    def updateOutput(self, input):
        self.loss = self._m(input) * input.norm(1)
        self.output = input
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.L1Penalty_updateGradInput(input, gradOutput if self.provideOutput else None,
                                      self._m(input), self.gradInput)
        return self.gradInput

    def clearState(self):
        self.output = utils.empty_like_type(self.output)  # it was the caller's input
        self.gradInput.set()
        return self


class GradientReversal(Module):
    """nn.GradientReversal(lambda=1) -> identity forward, gradInput = -lambda * gradOutput

    ``setLambda(l)`` changes lambda (stored in the field named ``lambda``, as in Torch7).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.GradientReversal(0.5)
    >>> m.backward(torch.Tensor([1]), torch.Tensor([4])).tolist()
    [-2.0]
    """

    def __init__(self, lambda_=1):
        super().__init__()
        self.setLambda(lambda_)

    def setLambda(self, lambda_):
        """setLambda(l): the gradient's scale"""
        self.__dict__["lambda"] = lambda_

    def updateOutput(self, input):
        self.output.set(input)
        return self.output

    def updateGradInput(self, input, gradOutput):
        torch.mul(gradOutput, -self.__dict__["lambda"], out=self.gradInput)
        return self.gradInput


class Constant(Module):
    """nn.Constant(value, nInputDim=None) -> outputs value (a number or a tensor) whatever the
    input; with nInputDim, an input of more dims is a batch and the value is repeated for each
    sample. gradInput is zero.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Constant(torch.Tensor([1, 2]), 1).forward(torch.zeros(3, 5)).tolist()
    [[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]]
    """

    def __init__(self, value, nInputDim=None):
        super().__init__()
        if isinstance(value, (int, float)):
            value = torch.Tensor([value])
        if not isinstance(value, torch.Tensor):
            raise TypeError(f"nn.Constant: expecting a number or a tensor, got "
                            f"{type(value).__name__}")
        self.value = value
        self.nInputDim = nInputDim

    def updateOutput(self, input):
        value = self.value
        if self.nInputDim is not None and input.dim() > self.nInputDim:
            vsize = list(value.size())
            self.output.resize(input.size(0), *vsize).copy(value.view(1, *vsize))
        else:
            self.output.resize(value.size()).copy(value)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput.resizeAs(input).zero()
        return self.gradInput


class WhiteNoise(Module):
    """nn.WhiteNoise(mean=0, std=0.1)

    Training: ``output = input + N(mean, std^2)`` noise (``noise``, from the default
    generator), backward passes gradOutput through; evaluation adds mean only, and backward
    raises.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.WhiteNoise(1, 0.1).evaluate().forward(torch.Tensor([2])).tolist()
    [3.0]
    >>> nn.WhiteNoise()
    nn.WhiteNoise mean: 0.000000, std: 0.100000
    """

    def __init__(self, mean=0, std=0.1):
        super().__init__()
        self.mean = mean
        self.std = std
        self.noise = torch.Tensor()

    def updateOutput(self, input):
        self.output.resizeAs(input).copy(input)
        if self.train is not False:
            if self.noise.type() != input.type():
                self.noise = utils.empty_like_type(input)
            self.noise.resizeAs(input).normal(self.mean, self.std)
            self.output.add(self.noise)
        elif self.mean != 0:
            self.output.add(self.mean)
        return self.output

    def updateGradInput(self, input, gradOutput):
        if self.train is False:
            raise RuntimeError("nn.WhiteNoise: backprop only defined while training")
        self.gradInput.resizeAs(gradOutput).copy(gradOutput)
        return self.gradInput

    def clearState(self):
        self.noise.set()
        return super().clearState()

    def __tostring__(self):
        return f"{self.__typename__} mean: {self.mean:f}, std: {self.std:f}"


class OneHot(Module):
    """nn.OneHot(outputSize) -> for integer class indices (0-based, any shape, or one number):
    one-hot vectors along a new last dim of size outputSize

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.OneHot(3).forward(torch.LongTensor([2, 0])).tolist()
    [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]
    """

    def __init__(self, outputSize):
        super().__init__()
        self.outputSize = outputSize

    def updateOutput(self, input):
        if isinstance(input, (int, float)):
            input = torch.LongTensor([int(input)])
            sizes = []
        else:
            sizes = list(input.size())
        index = input if input.type() == "torch.LongTensor" else input.long()
        self.output.resize(*sizes, self.outputSize).zero()
        try:
            self.output.scatter(self.output.dim() - 1, index.view(*sizes, 1) if sizes else index, 1)
        except IndexError:
            bad = int(index.max()) if int(index.max()) >= self.outputSize else int(index.min())
            raise IndexError(f"nn.OneHot: class index {bad} out of range for {self.outputSize} "
                             f"classes (0..{self.outputSize - 1})") from None
        return self.output

    def updateGradInput(self, input, gradOutput):
        if isinstance(input, (int, float)):
            return 0
        self.gradInput.resize(input.size()).zero()
        return self.gradInput


class PrintSize(Module):
    """nn.PrintSize(prefix='PrintSize') -> identity that prints the input's size on forward and
    gradOutput's on backward

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.PrintSize('x')
    nn.PrintSize
    """

    def __init__(self, prefix="PrintSize"):
        super().__init__()
        self.prefix = prefix

    @staticmethod
    def _size(x):
        if x is None:
            return "missing size"
        return x.size() if isinstance(x, torch.Tensor) else x

    def updateOutput(self, input):
        self.output = input
        print(f"{self.prefix}:input\n", self._size(input), sep="\t")
        return self.output

    def updateGradInput(self, input, gradOutput):
        print(f"{self.prefix}:gradOutput\n", self._size(gradOutput), sep="\t")
        self.gradInput = gradOutput
        return self.gradInput

    def clearState(self):
        return _drop_aliases(self)


class ZeroGrad(Module):
    """nn.ZeroGrad() -> identity forward, zero gradInput (blocks backpropagation along a path;
    tables of tensors too)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.ZeroGrad().backward(torch.Tensor([1, 2]), torch.Tensor([3, 4])).tolist()
    [0.0, 0.0]
    """

    def updateOutput(self, input):
        if isinstance(input, torch.Tensor):
            self.output.set(input)
        else:
            self.output = input
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = utils.recursiveFill(utils.recursiveResizeAs(self.gradInput, input), 0)
        return self.gradInput


class Collapse(Module):
    """nn.Collapse(nInputDim) -> every non-batch dim flattened into one: an input of nInputDim
    dims becomes a vector, one of more dims a B x (rest) matrix

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> list(nn.Collapse(2).forward(torch.zeros(5, 2, 3)).size())
    [5, 6]
    """

    def __init__(self, nInputDim):
        super().__init__()
        self.nInputDim = nInputDim

    def updateOutput(self, input):
        if not input.isContiguous():
            input = buffer(self, "_input", input).resize(input.size()).copy(input)
        if input.dim() > self.nInputDim:
            self.output.set(input.view(input.size(0), -1))
        else:
            self.output.set(input.view(-1))
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput.set(gradOutput.contiguous().view(input.size()))
        return self.gradInput

    def clearState(self):
        self.__dict__.pop("_input", None)
        return super().clearState()


class Convert(Container):
    """nn.Convert(inputShape='b*', outputShape=inputShape) -> converts between data layouts
    named by axis letters, e.g. 'bchw' -> 'bf' (flatten each sample), 'chw' -> 'hwc'
    (transpose); a missing 'b' (batch) is prepended and a non-batch input gains one. The input
    is also converted to the module's tensor type.

    The converter child (Transpose, Reshape, Select or Identity) is built on the first
    forward, from the input's sizes.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> list(nn.Convert('chw', 'hwc').forward(torch.zeros(2, 3, 4)).size())
    [3, 4, 2]
    >>> list(nn.Convert('bchw', 'bf').forward(torch.zeros(5, 2, 3, 4)).size())
    [5, 24]
    """

    def __init__(self, inputShape=None, outputShape=None):
        if outputShape is not None and inputShape is None:
            raise ValueError("nn.Convert: expecting inputShape when outputShape is given")
        inputShape = inputShape or "b*"
        outputShape = outputShape or inputShape
        self.inputShape = inputShape if "b" in inputShape else "b" + inputShape
        self.outputShape = outputShape if "b" in outputShape else "b" + outputShape
        self.inputBatchDim = self.inputShape.index("b")
        self.outputBatchDim = self.outputShape.index("b")
        self.transposition = False
        if self.inputShape == "b*" or self.outputShape == "b*":
            if not (self.inputShape == "b*" and self.outputShape == "b*"):
                raise ValueError("nn.Convert: both or neither shapes must be b*")
            self.nInputDim = self.nOutputDim = -1
            self.transposition = True
        else:
            self.nInputDim = len(self.inputShape)
            self.nOutputDim = len(self.outputShape)
            if self.nInputDim == self.nOutputDim:
                self.transposition = all(c in self.outputShape for c in self.inputShape)
        super().__init__()
        self.converter = None

    def findAxis(self, axis_char, shape=None):
        """findAxis(char, shape=inputShape) -> the 0-based position of an axis letter"""
        shape = shape or self.inputShape
        if axis_char not in shape:
            raise ValueError(f"nn.Convert: provided shape '{shape}' has no axis '{axis_char}'")
        return shape.index(axis_char)

    def _build(self, input):
        from ferrotorch.nn.adapters import Reshape, Select, Transpose

        shape = self.outputShape
        if self.transposition:
            converter = self.transpose(shape)
        elif shape == "bf":
            b_pos, dim = self.findAxis("b"), len(self.inputShape)
            if self.inputShape == "bt":
                raise ValueError("nn.Convert: conversion of shape bt to bf not supported")
            converter = Reshape(1) if dim == 1 else None
            if dim > 1:
                converter = Transpose([0, b_pos]) if b_pos != 0 else None
            if dim > 2:
                reshape = Reshape(input.select(b_pos, 0).nElement())
                converter = Sequential().add(converter).add(reshape) if converter else reshape
            converter = converter or Identity()
        elif shape == "b":
            if self.inputShape in ("bt", "tb"):
                converter = Select(self.findAxis("t"), 0)
            elif self.inputShape in ("bf", "fb"):
                f_pos = self.findAxis("f")
                if input.size(f_pos) > 1:
                    raise ValueError(f"nn.Convert: cannot convert shape {self.inputShape} to b "
                                     "when feature > 1")
                converter = Select(f_pos, 0)
            else:
                raise ValueError(f"nn.Convert: cannot convert shape {self.inputShape} to shape b")
        elif shape == "bt":
            if self.inputShape != "b":
                raise ValueError(f"nn.Convert: cannot convert shape '{self.inputShape}' to bt")
            converter = Reshape(1)
        else:
            raise ValueError(f"nn.Convert: unrecognized conversion of shape {self.inputShape} "
                             f"to {self.outputShape}")
        converter.type(self.output.type())
        self.converter = converter
        self.modules = [converter]

    def transpose(self, newShape):
        """transpose(newShape) -> the Transpose (or Identity) that reorders inputShape's axes"""
        if newShape == self.inputShape:
            from ferrotorch.nn.misc import Identity

            return Identity()
        from ferrotorch.nn.adapters import Transpose

        axes, pairs = list(self.inputShape), []
        for i, c in enumerate(newShape):
            j = axes.index(c)
            if i != j:
                axes[i], axes[j] = axes[j], axes[i]
                pairs.append([j, i])
        return Transpose(*pairs)

    def updateOutput(self, input):
        if not isinstance(input, torch.Tensor):
            raise TypeError("nn.Convert: expecting a tensor")
        self._converted = input.type() != self.output.type()
        if self._converted:
            input = buffer(self, "_input", self.output).resize(input.size()).copy(input)
        self.batchMode = input.dim() >= self.nInputDim
        if not self.batchMode:  # one sample: the converter sees a batch of one
            sizes = list(input.size())
            sizes.insert(self.inputBatchDim, 1)
            input = input.contiguous().view(sizes)
        self._converterInput = input
        if self.converter is None:
            self._build(input)
        output = self.converter.updateOutput(input)
        if not self.batchMode:
            sizes = list(output.size())
            del sizes[self.outputBatchDim]
            output = output.contiguous().view(sizes)
        self.output = output
        return output

    def updateGradInput(self, input, gradOutput):
        if not self.batchMode:
            gradOutput = gradOutput.contiguous().view(self.converter.output.size())
        gradInput = self.converter.updateGradInput(self._converterInput, gradOutput)
        if not self.batchMode:
            gradInput = gradInput.contiguous().view(input.size())
        if self._converted:  # back to the caller's type
            gradInput = buffer(self, "_gradInput", input).resize(input.size()).copy(gradInput)
        self.gradInput = gradInput
        return self.gradInput

    def clearState(self):
        for name in ("_input", "_gradInput", "_converterInput"):
            self.__dict__.pop(name, None)
        return super().clearState()

    def type(self, typeName=None, tensorCache=None):
        if typeName is not None:
            self.clearState()
        return super().type(typeName, tensorCache)

    def __tostring__(self):
        return self.__typename__
