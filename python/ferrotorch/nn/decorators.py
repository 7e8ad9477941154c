"""Decorators: containers of one module that change how it is called (Torch7's Decorator,
Bottle, WeightNorm, DontCast, NaN, Profile, GPU)."""

import math

import ferrotorch as torch
from ferrotorch.nn import utils
from ferrotorch.nn.containers import Container
from ferrotorch.nn.module import Module

__all__ = ["GPU", "Bottle", "Decorator", "DontCast", "NaN", "Profile", "WeightNorm"]


class Decorator(Container):
    """nn.Decorator(module) -> the base of the decorators: every call goes to module
    (held as modules[0])

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> list(nn.Decorator(nn.Linear(3, 2)).forward(torch.randn(3)).size())
    [2]
    """

    def __init__(self, module):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"{self.__typename__} decorates an nn module, got "
                            f"{type(module).__name__}")
        self.modules = [module]

    def updateOutput(self, input):
        self.output = self.modules[0].updateOutput(input)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = self.modules[0].updateGradInput(input, gradOutput)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        self.modules[0].accGradParameters(input, gradOutput, scale)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        self.modules[0].accUpdateGradParameters(input, gradOutput, lr)

    def __tostring__(self):
        return f"{self.__typename__} @ {self.modules[0]}"


class Bottle(Decorator):
    """nn.Bottle(module, nInputDim=2, nOutputDim=nInputDim) -> module applied to inputs with
    extra leading dims, which are folded into its first dim and unfolded after

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> list(nn.Bottle(nn.Linear(4, 3)).forward(torch.randn(2, 5, 4)).size())
    [2, 5, 3]
    """

    def __init__(self, module, nInputDim=2, nOutputDim=None):
        super().__init__(module)
        self.nInputDim = nInputDim
        self.nOutputDim = nOutputDim if nOutputDim is not None else nInputDim
        self.dimDelta = self.nInputDim - self.nOutputDim
        self.inShape = None
        self.outShape = None

    def _bottled(self, input):
        """The folded view of input, or None when input has no extra dims."""
        batch_dims = input.dim() - self.nInputDim + 1
        if batch_dims <= 1:
            return None
        sizes = list(input.size())
        lead = math.prod(sizes[:batch_dims])
        self.inShape = [lead] + sizes[batch_dims:]
        return input.contiguous().view(*self.inShape)

    def updateOutput(self, input):
        folded = self._bottled(input)
        if folded is None:
            self.output = self.modules[0].updateOutput(input)
            return self.output
        output = self.modules[0].updateOutput(folded)
        if output.dim() != self.nOutputDim:
            raise ValueError(f"nn.Bottle: the module gave {output.dim()} output dims, expected "
                             f"{self.nOutputDim}")
        self.outShape = list(output.size())
        batch_dims = input.dim() - self.nInputDim + 1
        lead = list(input.size())[:batch_dims]
        self.output = output.view(*(lead + self.outShape[1:]))
        return self.output

    def _unfolded_args(self, input, gradOutput):
        if input.dim() - self.nInputDim + 1 <= 1:
            return input, gradOutput
        return (input.contiguous().view(*self.inShape),
                gradOutput.contiguous().view(*self.outShape))

    def updateGradInput(self, input, gradOutput):
        x, g = self._unfolded_args(input, gradOutput)
        self.gradInput = self.modules[0].updateGradInput(x, g).view(input.size())
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        x, g = self._unfolded_args(input, gradOutput)
        self.modules[0].accGradParameters(x, g, scale)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        x, g = self._unfolded_args(input, gradOutput)
        self.modules[0].accUpdateGradParameters(x, g, lr)


class WeightNorm(Decorator):
    """nn.WeightNorm(module, outputDim=0) -> module's weight reparametrised as
    w = g * v / ||v|| per output unit (Salimans & Kingma); parameters become v, g (and bias)

    The norm is sqrt(||v||^2 + 1e-4), as in Torch7. A weight of more than 2 dims is viewed as
    (size(outputDim), rest).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.WeightNorm(nn.Linear(4, 3))
    >>> [p.size(0) for p in m.parameters()[0]]
    [3, 3, 3]
    """

    def __init__(self, module, outputDim=0):
        super().__init__(module)
        if getattr(module, "weight", None) is None:
            raise ValueError("nn.WeightNorm: the module has no weight")
        self.weight, self.gradWeight = module.weight, module.gradWeight
        if getattr(module, "bias", None) is not None:
            self.bias, self.gradBias = module.bias, module.gradBias
        self.outputDim = outputDim
        sizes = list(self.weight.size())
        n_out = sizes[outputDim]
        self.viewIn = [n_out, self.weight.nElement() // n_out]
        # the weight's sizes with outputDim moved to the front
        self.viewOut = [n_out] + sizes[:outputDim] + sizes[outputDim + 1:]
        self.v = torch.Tensor(*self.viewIn)
        self.g = torch.Tensor(n_out, 1)  # (n, 1), as Torch7's g:norm(v, 2, 2) left it
        self._norm = torch.Tensor(n_out, 1)
        self._scale = torch.Tensor(n_out, 1)
        self.gradG = torch.Tensor(n_out, 1).zero()
        self.gradV = torch.Tensor(*self.viewIn)
        self.resetInit()

    def _permute_in(self, t):
        """outputDim moved to the front."""
        for i in range(self.outputDim, 0, -1):
            t = t.transpose(i - 1, i)
        return t

    def _permute_out(self, t):
        for i in range(self.outputDim):
            t = t.transpose(i, i + 1)
        return t

    def resetInit(self):
        """Draws v ~ N(0, 2 / fanIn) and sets g = ||v|| (and bias = 0), as Torch7 did."""
        self.v.normal(0, math.sqrt(2 / self.viewIn[1]))
        torch.norm(self.v, 2, 1, out=self.g)
        if getattr(self, "bias", None) is not None:
            self.bias.zero()

    def updateWeight(self):
        """weight = g * v / sqrt(||v||^2 + 1e-4), row by row."""
        torch.norm(self.v, 2, 1, out=self._norm)
        self._norm.pow(2).add(10e-5).sqrt()
        self._scale.copy(self.g).cdiv(self._norm)
        w = self.v * self._scale
        self.weight.copy(self._permute_out(w.view(*self.viewOut)))

    def evaluate(self):
        if self.train is not False:
            self.updateWeight()
        return super().evaluate()

    def updateOutput(self, input):
        if self.train is not False:
            self.updateWeight()
        self.output = self.modules[0].updateOutput(input)
        return self.output

    def accGradParameters(self, input, gradOutput, scale=1):
        self.modules[0].accGradParameters(input, gradOutput, scale)
        n_out, rest = self.viewIn
        grad_w = self._permute_in(self.gradWeight).contiguous().view(n_out, rest)
        norm, scale_rows = self._norm, self._scale
        # dL/dg = sum(dL/dw * v / ||v||) per row; Torch7 overwrites gradG and gradV here
        torch.sum(grad_w * self.v / norm, 1, out=self.gradG)
        # dL/dv = dL/dw * g / ||v||  -  (g / ||v||^2) * dL/dg * v
        self.gradV.copy(grad_w).cmul(scale_rows)
        self.gradV.add(-1, self.v * scale_rows / norm * self.gradG)
        self.gradWeight.copy(self._permute_out(self.gradV.view(*self.viewOut)))

    def zeroGradParameters(self):
        self.modules[0].zeroGradParameters()
        self.gradV.zero()
        self.gradG.zero()

    def updateParameters(self, learningRate):
        self.modules[0].updateParameters(learningRate)
        self.g.add(-learningRate, self.gradG)
        self.v.add(-learningRate, self.gradV)

    def parameters(self):
        if getattr(self, "bias", None) is not None:
            return [self.v, self.g, self.bias], [self.gradV, self.gradG, self.gradBias]
        return [self.v, self.g], [self.gradV, self.gradG]


class DontCast(Decorator):
    """nn.DontCast(module, castin=False, castout=castin, moduleType=None) -> module keeps its
    tensor type when type() converts the network; with castin / castout the input / output are
    converted to and from module's type

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.DontCast(nn.Linear(3, 2), True)
    >>> _ = m.float()
    >>> m.get(0).weight.type(), m.forward(torch.FloatTensor(3).zero()).type()
    ('torch.DoubleTensor', 'torch.FloatTensor')
    """

    def __init__(self, module, castin=False, castout=None, moduleType=None):
        super().__init__(module)
        self.castin = castin
        self.castout = castin if castout is None else castout
        self.moduleType = moduleType
        if (self.castin or self.castout) and self.moduleType is None:
            out_type = module.output.type() if isinstance(module.output, torch.Tensor) else ""
            if not out_type.endswith("Tensor"):
                raise ValueError("nn.DontCast: cannot extrapolate moduleType; provide "
                                 "constructor argument 4")
            self.moduleType = out_type

    def _to_module(self, value, cache_name):
        if _tensor_type(value) == self.moduleType:
            return value
        converted = _typed_copy(self.__dict__.get(cache_name), value, self.moduleType)
        self.__dict__[cache_name] = converted
        return converted

    def updateOutput(self, input):
        if self.castin:
            input = self._to_module(input, "_input")
        output = self.modules[0].updateOutput(input)
        if self.castout:
            self.output = _typed_copy(self.output, output, _tensor_type(self.output))
        else:
            self.output = output
        return self.output

    def _module_args(self, input, gradOutput):
        if self.castin and _tensor_type(input) != self.moduleType:
            input = self._input
        if self.castout:
            gradOutput = self._to_module(gradOutput, "_gradOutput")
        return input, gradOutput

    def updateGradInput(self, input, gradOutput):
        x, g = self._module_args(input, gradOutput)
        grad_input = self.modules[0].updateGradInput(x, g)
        if self.castin:
            self.gradInput = _typed_copy(self.gradInput, grad_input, _tensor_type(self.gradInput))
        else:
            self.gradInput = grad_input
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        x, g = self._module_args(input, gradOutput)
        self.modules[0].accGradParameters(x, g, scale)

    def type(self, typeName=None, tensorCache=None):
        if typeName is None:
            return self._type
        if self.castout and _tensor_type(self.output) != typeName:
            self.output = _typed_copy(None, self.output, typeName)
        if self.castin and _tensor_type(self.gradInput) != typeName:
            self.gradInput = _typed_copy(None, self.gradInput, typeName)
        self._type = typeName
        return self


def _tensor_type(value):
    if isinstance(value, torch.Tensor):
        return value.type()
    if isinstance(value, (list, tuple)) and value:
        return _tensor_type(value[0])
    return None


def _typed_copy(dst, src, type_name):
    """A copy of src (tensor or nested list) as type_name, reusing dst's tensors."""
    if isinstance(src, (list, tuple)):
        dst = dst if isinstance(dst, list) else []
        out = [_typed_copy(dst[i] if i < len(dst) else None, v, type_name)
               for i, v in enumerate(src)]
        return out
    if not isinstance(dst, torch.Tensor) or dst.type() != type_name:
        dst = utils.tensor_class(type_name)()
    return dst.resize(src.size()).copy(src.type(type_name)) if src.nElement() else dst.set()


class NaN(Decorator):
    """nn.NaN(module, id=None) -> module, checked for NaN after every pass: a NaN in its
    output, gradInput or parameter gradients raises RuntimeError naming where it was found
    (input, parameters, gradOutput, ...) and the module

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.NaN(nn.Linear(2, 1), 7)
    >>> m
    nn.NaN(7) @ nn.Linear(2 -> 1)
    >>> m.forward(torch.Tensor([float('nan'), 0]))
    Traceback (most recent call last):
    ...
    RuntimeError: NaN found in input of module :
    nn.NaN(7) @ nn.Linear(2 -> 1)
    """

    _next_id = 1

    def __init__(self, module, id=None):
        super().__init__(module)
        if id is None:
            id = NaN._next_id
        if not isinstance(id, (int, float)):
            raise TypeError(f"nn.NaN: expecting id to be a number, got {type(id).__name__}")
        self.id = id
        NaN._next_id += 1

    @staticmethod
    def _has_nan(value):
        if isinstance(value, (list, tuple)):
            return any(NaN._has_nan(v) for v in value)
        return isinstance(value, torch.Tensor) and value.nElement() > 0 and \
            math.isnan(value.sum())

    def _fail(self, where):
        raise RuntimeError(f"NaN found in {where} of module :\n{self}")

    def updateOutput(self, input):
        self.output = self.modules[0].updateOutput(input)
        if self._has_nan(self.output):
            if self._has_nan(input):
                self._fail("input")
            if self._has_nan(self.parameters()[0]):
                self._fail("parameters")
            self._fail("output")
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = self.modules[0].updateGradInput(input, gradOutput)
        if self._has_nan(self.gradInput):
            if self._has_nan(gradOutput):
                self._fail("gradOutput")
            self._fail("gradInput")
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        self.modules[0].accGradParameters(input, gradOutput, scale)
        if self._has_nan(self.parameters()[1]):
            self._fail("gradParameters")

    def __tostring__(self):
        ident = int(self.id) if float(self.id).is_integer() else self.id
        return f"nn.NaN({ident}) @ {self.modules[0]}"


class Profile(Decorator):
    """nn.Profile(module, print_interval=100, name=typename) -> module, timed: every
    print_interval forward (backward) passes it prints how long they took

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Profile(nn.Linear(3, 2), 2, 'lin')
    >>> _ = m.forward(torch.randn(3)); _ = m.forward(torch.randn(3))
    lin took ... seconds for 2 forward passes
    """

    def __init__(self, module, print_interval=100, name=None):
        super().__init__(module)
        self.print_interval = print_interval
        self.name = name or module.__typename__
        self.module = module
        self.numFwds = self.numBwds = 0
        self.summedFwdTime = self.summedBwdTime = 0.0
        self.timer = torch.Timer()

    def updateOutput(self, input):
        self.timer.reset()
        self.output = self.module.updateOutput(input)
        self.summedFwdTime += self.timer.time()["real"]
        self.numFwds += 1
        if self.numFwds % self.print_interval == 0:
            print(f"{self.name} took {self.summedFwdTime:.3f} seconds for "
                  f"{self.print_interval} forward passes")
            self.numFwds, self.summedFwdTime = 0, 0.0
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.timer.reset()
        self.gradInput = self.module.updateGradInput(input, gradOutput)
        self.summedBwdTime += self.timer.time()["real"]
        self.numBwds += 1
        if self.numBwds % self.print_interval == 0:
            print(f"{self.name} took {self.summedBwdTime:.3f} seconds for "
                  f"{self.print_interval} backward passes")
            self.numBwds, self.summedBwdTime = 0, 0.0
        return self.gradInput

    def __deepcopy__(self, memo):
        new = super().__deepcopy__(memo)
        new.timer = torch.Timer()
        return new


class GPU(Decorator):
    """nn.GPU(module, device, outdevice=device) -> module run on a GPU device (0-based id);
    with CPU tensors, and on machines without CUDA, it passes every call through

    Torch7 printed the 1-based cutorch id; this prints the 0-based one.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.GPU(nn.Linear(3, 2), 0)
    nn.GPU(0) @ nn.Linear(3 -> 2)
    """

    def __init__(self, module, device, outdevice=None):
        super().__init__(module)
        self.device = device
        self.outdevice = device if outdevice is None else outdevice

    def __tostring__(self):
        return f"nn.GPU({self.device}) @ {self.modules[0]}"
