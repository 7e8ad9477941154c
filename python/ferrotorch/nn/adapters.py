"""nn adapters: modules that are one tensor method (Torch7's Copy, Narrow, Replicate, Reshape,
View, Contiguous, Select, MaskedSelect, Index, Squeeze, Unsqueeze, Transpose).

They are views or copies through the engine's tensor methods: no numerics of their own. Every
dim, offset and index is 0-based; negative dims count from the end.
"""

import ferrotorch as torch
from ferrotorch.nn import utils
from ferrotorch.nn.module import Module

__all__ = [
    "Contiguous",
    "Copy",
    "Index",
    "MaskedSelect",
    "Narrow",
    "Replicate",
    "Reshape",
    "Select",
    "Squeeze",
    "Transpose",
    "Unsqueeze",
    "View",
]


def _sizes(t):
    return list(t.size())


def _size_text(sizes):
    return "x".join(str(s) for s in sizes) or "[]"


def buffer(module, name, like):
    """module's scratch tensor `name`, (re)made with like's type when missing or of another
    type (Torch7's `self._input = self._input or input.new()`)."""
    t = module.__dict__.get(name)
    if t is None or t.type() != like.type():
        t = module.__dict__[name] = utils.empty_like_type(like)
    return t


def _dim(what, dim, ndim, extra=0):
    """dim wrapped into 0..ndim+extra-1 (negative counts from the end); IndexError otherwise."""
    n = ndim + extra
    d = dim + n if dim < 0 else dim
    if not 0 <= d < n:
        raise IndexError(f"{what}: dimension {dim} out of range for a {ndim}D input")
    return d


class Copy(Module):
    """nn.Copy(inputType=default, outputType=default, forceCopy=False, dontCast=False)

    output = input converted to outputType (a 'torch.XTensor' name); gradInput = gradOutput
    converted back to inputType. When both types are equal and forceCopy is False the module
    passes its input through without copying. dontCast=True makes ``type()`` leave the module
    unchanged.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Copy('torch.DoubleTensor', 'torch.FloatTensor')
    >>> m.forward(torch.DoubleTensor([1.5, 2])).type()
    'torch.FloatTensor'
    """

    def __init__(self, intype=None, outtype=None, forceCopy=False, dontCast=False):
        default = torch.getdefaulttensortype()
        intype, outtype = intype or default, outtype or default
        super().__init__()
        self.dontCast = dontCast
        self.gradInput = utils.tensor_class(intype)()
        self.output = utils.tensor_class(outtype)()
        self.passthrough = (not forceCopy) and intype == outtype

    def updateOutput(self, input):
        if self.passthrough:
            self.output.set(input)
            return input
        self.output.resize(input.size()).copy(input)
        return self.output

    def updateGradInput(self, input, gradOutput):
        if self.passthrough:
            self.gradInput.set(gradOutput)
            return gradOutput
        self.gradInput.resize(gradOutput.size()).copy(gradOutput)
        return self.gradInput

    def type(self, typeName=None, tensorCache=None):
        if typeName is not None and self.dontCast:
            return self
        return super().type(typeName, tensorCache)


class Narrow(Module):
    """nn.Narrow(dimension, offset, length=1) -> a copy of input.narrow(dimension, offset, length)

    offset is 0-based. A negative length counts from the end: -1 keeps everything from offset
    on, -2 all but the last element, ... (Torch7's rule).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Narrow(0, 1, 2).forward(torch.Tensor([10, 11, 12, 13])).tolist()
    [11.0, 12.0]
    >>> nn.Narrow(0, 1, -1).forward(torch.Tensor([10, 11, 12, 13])).tolist()
    [11.0, 12.0, 13.0]
    """

    def __init__(self, dimension, offset, length=1):
        super().__init__()
        if dimension is None or offset is None:
            raise TypeError("nn.Narrow(dimension, offset, length)")
        self.dimension = dimension
        self.index = offset
        self.length = length

    def _range(self, input):
        dim = _dim("nn.Narrow", self.dimension, input.dim())
        size = input.size(dim)
        length = self.length
        if length < 0:
            length = size - self.index + length + 1
        index = self.index
        if index < 0:
            index, length = 0, size - length
        if index < 0 or length < 0 or index + length > size:
            raise ValueError(f"nn.Narrow: offset {self.index} and length {self.length} do not fit "
                             f"dimension {dim} of size {size} (input {_size_text(_sizes(input))})")
        return dim, index, length

    def updateOutput(self, input):
        dim, index, length = self._range(input)
        part = input.narrow(dim, index, length)
        if self.output.type() != part.type():
            self.output = utils.empty_like_type(part)
        self.output.resizeAs(part).copy(part)
        return self.output

    def updateGradInput(self, input, gradOutput):
        dim, index, length = self._range(input)
        if self.gradInput.type() != input.type():
            self.gradInput = utils.empty_like_type(input)
        self.gradInput.resizeAs(input).zero()
        self.gradInput.narrow(dim, index, length).copy(gradOutput)
        return self.gradInput


class Replicate(Module):
    """nn.Replicate(nFeature, dim=0, ndim=None) -> nFeature copies of the input stacked along a
    new dimension dim (a stride-0 view: nothing is copied)

    With ndim (the number of non-batch dims), an input with more dims is a batch and dim shifts
    by one. gradInput sums gradOutput over the replicated dimension.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Replicate(2).forward(torch.Tensor([1, 2])).tolist()
    [[1.0, 2.0], [1.0, 2.0]]
    """

    def __init__(self, nf, dim=0, ndim=None):
        super().__init__()
        if dim < 0:
            raise ValueError(f"nn.Replicate: can only replicate across non-negative dimensions, "
                             f"got {dim}")
        self.nfeatures = nf
        self.dim = dim
        self.ndim = ndim

    def _rdim(self, input):
        if self.dim > input.dim():
            raise ValueError(f"nn.Replicate: not enough input dimensions to replicate along "
                             f"dimension {self.dim} (input {_size_text(_sizes(input))})")
        offset = 1 if self.ndim is not None and input.dim() > self.ndim else 0
        return self.dim + offset

    def updateOutput(self, input):
        rdim = self._rdim(input)
        sizes, strides = _sizes(input), list(input.stride())
        sizes.insert(rdim, self.nfeatures)
        strides.insert(rdim, 0)
        self.output.set(input.storage(), input.storageOffset(), sizes, strides)
        return self.output

    def updateGradInput(self, input, gradOutput):
        rdim = self._rdim(input)
        self.gradInput.resizeAs(input).copy(gradOutput.sum(rdim))
        return self.gradInput


class Reshape(Module):
    """nn.Reshape(d1, d2, ..., batchMode=None) -> the input viewed as d1 x d2 x ...

    batchMode=True keeps dim 0 as the batch (output B x d1 x d2 ...); False reshapes the whole
    input; None decides: a batch unless the input has exactly d1*d2*... elements and a first
    dim other than 1. A LongStorage of sizes also works. Non-contiguous input is copied first.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> list(nn.Reshape(2, 3).forward(torch.range(1, 6)).size())
    [2, 3]
    >>> list(nn.Reshape(3).forward(torch.range(1, 6).view(2, 3)).size())
    [2, 3]
    >>> nn.Reshape(2, 3)
    nn.Reshape(2x3)
    """

    def __init__(self, *args):
        super().__init__()
        args = list(args)
        self.batchMode = None
        if args and isinstance(args[-1], bool):
            self.batchMode = args.pop()
        if len(args) == 1 and not isinstance(args[0], int):
            args = [int(s) for s in args[0]]
        self.size = torch.LongStorage(args)
        self.nelement = 1
        for s in args:
            self.nelement *= s
        self.batchsize = torch.LongStorage([1] + args)

    def updateOutput(self, input):
        if not input.isContiguous():
            input = buffer(self, "_input", input).resizeAs(input).copy(input)
        n = input.nElement()
        if self.batchMode is False or (
                self.batchMode is None and n == self.nelement and input.size(0) != 1):
            sizes = self.size
        else:
            self.batchsize[0] = input.size(0)
            sizes = self.batchsize
        if n != self.nelement * (1 if sizes is self.size else input.size(0)):
            raise ValueError(f"{self}: input of size {_size_text(_sizes(input))} ({n} elements) "
                             f"cannot be viewed as {_size_text(list(sizes))}")
        self.output.set(input.view(sizes))
        return self.output

    def updateGradInput(self, input, gradOutput):
        if not gradOutput.isContiguous():
            gradOutput = buffer(self, "_gradOutput", gradOutput).resizeAs(gradOutput).copy(
                gradOutput)
        self.gradInput.set(gradOutput.view(input.size()))
        return self.gradInput

    def __tostring__(self):
        return f"{self.__typename__}({_size_text(list(self.size))})"

    def clearState(self):
        utils.clear(self, "_input", "_gradOutput")
        return super().clearState()


class View(Module):
    """nn.View(sizes...) -> the input viewed with those sizes (one may be -1: inferred)

    The input must be contiguous (no copy is made). Leading dims beyond the view's elements form
    the batch: View(2, 2) on a 3x4 input gives 3x2x2. ``setNumInputDims(n)`` says how many
    trailing dims are one sample, so a batch of one is told apart; ``resetSize(...)`` changes
    the sizes.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> list(nn.View(2, -1).forward(torch.range(1, 6)).size())
    [2, 3]
    >>> list(nn.View(2, 2).forward(torch.zeros(3, 4)).size())
    [3, 2, 2]
    >>> nn.View(2, -1)
    nn.View(2, -1)
    """

    def __init__(self, *sizes):
        super().__init__()
        self.resetSize(*sizes)
        self.numInputDims = None

    def resetSize(self, *sizes):
        """resetSize(sizes...) -> self with new view sizes"""
        if len(sizes) == 1 and not isinstance(sizes[0], int):
            sizes = tuple(int(s) for s in sizes[0])
        self.size = torch.LongStorage(list(sizes))
        self.numElements = 1
        inferred = False
        for s in sizes:
            if s >= 0:
                self.numElements *= s
            elif s != -1:
                raise ValueError(f"nn.View: size should be positive or -1, got {s}")
            elif inferred:
                raise ValueError("nn.View: only one dimension can be -1")
            else:
                inferred = True
        return self

    def setNumInputDims(self, numInputDims):
        """setNumInputDims(n) -> self: the last n dims of the input are one sample"""
        self.numInputDims = numInputDims
        return self

    def _batchsize(self, input):
        sizes = _sizes(input)
        ind = len(sizes)
        maxdim = self.numInputDims if self.numInputDims is not None else ind
        ine = 1
        for s in sizes[ind - maxdim:]:
            ine *= s
        if self.numElements == 0 or ine % self.numElements != 0:
            raise ValueError(f"nn.View: input view ({_size_text(sizes)}) and desired view "
                             f"({_size_text(list(self.size))}) do not match")
        bsz = 1 if -1 in list(self.size) else ine // self.numElements
        for s in sizes[:ind - maxdim]:
            bsz *= s
        if bsz == 1 and (self.numInputDims is None or ind <= self.numInputDims):
            return None
        return bsz

    def updateOutput(self, input):
        if self.numInputDims is None:
            # The common case in straight-line code: the whole input is one sample or the
            # leading dims are the batch, decided by the element count alone.
            n, size = input.nElement(), self.size
            if self.numElements and n % self.numElements == 0 and (
                    n == self.numElements or -1 in size):
                self.output.set(input.view(size))
                return self.output
        bsz = self._batchsize(input)
        sizes = list(self.size) if bsz is None else [bsz] + list(self.size)
        self.output.set(input.view(sizes))
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput.set(gradOutput.view(input.size()))
        return self.gradInput

    def __tostring__(self):
        return f"{self.__typename__}({', '.join(str(s) for s in self.size)})"


class Contiguous(Module):
    """nn.Contiguous() -> the input itself when contiguous, else a contiguous copy (gradOutput
    likewise)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Contiguous().forward(torch.zeros(2, 3).t()).isContiguous()
    True
    """

    def updateOutput(self, input):
        if input.isContiguous():
            self.output.set(input)
            return self.output
        if self.output.nElement() and self.output.storage().cdata() == input.storage().cdata():
            self.output.set()
        self.output.resizeAs(input).copy(input)
        return self.output

    def updateGradInput(self, input, gradOutput):
        if gradOutput.isContiguous():
            self.gradInput.set(gradOutput)
            return self.gradInput
        if (self.gradInput.nElement()
                and self.gradInput.storage().cdata() == gradOutput.storage().cdata()):
            self.gradInput.set()
        self.gradInput.resizeAs(gradOutput).copy(gradOutput)
        return self.gradInput


class Select(Module):
    """nn.Select(dimension, index) -> a copy of input.select(dimension, index)

    Both 0-based; negative values count from the end. The input needs at least two dims
    (Torch7 could not select from a vector either).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.Select(1, -1).forward(torch.Tensor([[1, 2], [3, 4]])).tolist()
    [2.0, 4.0]
    """

    def __init__(self, dimension, index):
        super().__init__()
        self.dimension = dimension
        self.index = index

    def _where(self, input):
        if input.dim() < 2:
            raise ValueError(f"nn.Select: needs an input of at least 2 dims, got size "
                             f"{_size_text(_sizes(input))}")
        dim = _dim("nn.Select", self.dimension, input.dim())
        size = input.size(dim)
        index = self.index + size if self.index < 0 else self.index
        if not 0 <= index < size:
            raise IndexError(f"nn.Select: index {self.index} out of range for dimension {dim} of "
                             f"size {size}")
        return dim, index

    def updateOutput(self, input):
        dim, index = self._where(input)
        part = input.select(dim, index)
        self.output.resizeAs(part).copy(part)
        return self.output

    def updateGradInput(self, input, gradOutput):
        dim, index = self._where(input)
        self.gradInput.resizeAs(input).zero()
        self.gradInput.select(dim, index).copy(gradOutput)
        return self.gradInput


class MaskedSelect(Module):
    """nn.MaskedSelect() -> on input [tensor, mask]: the 1-D tensor of tensor's elements where
    the ByteTensor mask is 1 (row-major)

    gradInput is [gradient for tensor (zero where the mask is 0), a zero mask].

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> x, mask = torch.Tensor([[1, 2], [3, 4]]), torch.ByteTensor([[1, 0], [0, 1]])
    >>> nn.MaskedSelect().forward([x, mask]).tolist()
    [1.0, 4.0]
    """

    def __init__(self):
        super().__init__()
        self._gradBuffer = torch.Tensor()
        self._gradMask = torch.ByteTensor()

    def updateOutput(self, input):
        tensor, mask = input
        torch.maskedSelect(tensor, mask, out=self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        tensor, mask = input
        if self._gradBuffer.type() != tensor.type():
            self._gradBuffer = utils.empty_like_type(tensor)
        self._gradBuffer.resizeAs(tensor).zero().maskedCopy(mask, gradOutput)
        self.gradInput = [self._gradBuffer, self._gradMask.resize(mask.size()).zero()]
        return self.gradInput

    def type(self, typeName=None, tensorCache=None):
        if typeName is None:
            return self._type
        self._gradBuffer = self._gradBuffer.type(typeName)
        self.output = self.output.type(typeName)
        self.gradInput = utils.recursiveType(self.gradInput, typeName)
        self._gradMask = self._gradMask.byte()
        self._type = typeName
        return self

    def clearState(self):
        return utils.clear(self, "output", "gradInput", "_gradBuffer", "_gradMask")


class Index(Module):
    """nn.Index(dimension) -> on input [tensor, LongTensor indices]: tensor.index(dimension,
    indices) (0-based indices)

    gradInput is [gradOutput added back at the indexed positions, zeros for the indices].

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> x = torch.Tensor([[1, 2], [3, 4], [5, 6]])
    >>> nn.Index(0).forward([x, torch.LongTensor([2, 0])]).tolist()
    [[5.0, 6.0], [1.0, 2.0]]
    """

    def __init__(self, dimension):
        super().__init__()
        self.dimension = dimension
        self.gradInput = [self.gradInput, torch.Tensor()]

    def updateOutput(self, input):
        tensor, index = input
        torch.index(tensor, self.dimension, index, out=self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        tensor, index = input
        self.gradInput[1].resize(index.size()).zero()
        grad = self.gradInput[0]
        grad.resizeAs(tensor).zero()
        grad.indexAdd(self.dimension, index, gradOutput)
        return self.gradInput

    def clearState(self):
        self.gradInput[0].set()
        self.gradInput[1].set()
        self.output.set()
        return self


class Squeeze(Module):
    """nn.Squeeze(dim=None, numInputDims=None) -> the input without its size-1 dims (all of
    them, or only dim); a view

    With numInputDims, an input of numInputDims + 1 dims is a batch: dim shifts by one, and a
    batch of size 1 keeps its batch dim.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> list(nn.Squeeze().forward(torch.zeros(1, 3, 1)).size())
    [3]
    >>> list(nn.Squeeze(None, 2).forward(torch.zeros(1, 1, 3)).size())
    [1, 3]
    """

    def __init__(self, dim=None, numInputDims=None):
        super().__init__()
        self.dim = dim
        self.setNumInputDims(numInputDims)

    def setNumInputDims(self, numInputDims):
        """setNumInputDims(n) -> self: inputs of n + 1 dims are batches"""
        self.numInputDims = numInputDims
        return self

    def updateOutput(self, input):
        if not isinstance(input, torch.Tensor):
            raise TypeError("nn.Squeeze only works on tensors")
        dim, addone = self.dim, False
        if self.numInputDims is not None and input.dim() == self.numInputDims + 1:
            if dim is not None:
                dim = dim + 1
            elif input.size(0) == 1:
                addone = True  # a batch of one sample keeps its batch dim
        if dim is not None:
            out = input.squeeze(_dim("nn.Squeeze", dim, input.dim()))
        else:
            out = input.squeeze()
        if not isinstance(out, torch.Tensor):  # every dim was 1: Torch7 kept one of them
            out = input.view(1)
        if addone:
            out = out.unsqueeze(0)
        self.output.set(out)
        return self.output

    def updateGradInput(self, input, gradOutput):
        if input.nElement() != gradOutput.nElement():
            raise ValueError(f"nn.Squeeze: gradOutput of size {_size_text(_sizes(gradOutput))} "
                             f"does not match the input of size {_size_text(_sizes(input))}")
        self.gradInput.set(gradOutput.contiguous().view(input.size()))
        return self.gradInput


class Unsqueeze(Module):
    """nn.Unsqueeze(pos, numInputDims=None) -> the input with a size-1 dim inserted at
    position pos (0 = before the first dim); a view

    With numInputDims (set from the first input when not given, as in Torch7), extra leading
    dims are batch dims and shift pos. The printed form keeps Torch7's text, whose position was
    1-based: ``nn.Unsqueeze(0)`` prints ``nn.Unsqueeze(dim 1)``.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> list(nn.Unsqueeze(1).forward(torch.zeros(2, 3)).size())
    [2, 1, 3]
    """

    def __init__(self, pos, numInputDims=None):
        super().__init__()
        if pos is None:
            raise TypeError("nn.Unsqueeze: the position to insert the singleton dim is missing")
        self.pos = pos
        self.setNumInputDims(numInputDims)

    def setNumInputDims(self, numInputDims):
        """setNumInputDims(n) -> self: the last n dims of the input are one sample"""
        self.numInputDims = numInputDims
        return self

    def _position(self, input):
        ndim = input.dim()
        if self.numInputDims is None:
            self.numInputDims = ndim
        offset = ndim - self.numInputDims
        if offset < 0:
            raise ValueError(f"nn.Unsqueeze: numInputDims ({self.numInputDims}) must be <= "
                             f"input:dim() ({ndim})")
        pos = self.pos + offset
        if not 0 <= pos <= ndim:
            raise IndexError(f"nn.Unsqueeze: invalid position {self.pos}: the input has {ndim} "
                             f"dims, numInputDims is {self.numInputDims}")
        return pos

    def updateOutput(self, input):
        if not isinstance(input, torch.Tensor):
            raise TypeError("nn.Unsqueeze only works on tensors")
        self.output.set(input.unsqueeze(self._position(input)))
        return self.output

    def updateGradInput(self, input, gradOutput):
        if input.nElement() != gradOutput.nElement():
            raise ValueError(f"nn.Unsqueeze: gradOutput of size "
                             f"{_size_text(_sizes(gradOutput))} does not match the input of size "
                             f"{_size_text(_sizes(input))}")
        self.gradInput.set(gradOutput.contiguous().view(input.size()))
        return self.gradInput

    def __tostring__(self):
        return f"{self.__typename__}(dim {self.pos + 1})"


class Transpose(Module):
    """nn.Transpose([d1, d2], [d3, d4], ...) -> a contiguous copy of the input with dims d1 and d2
    swapped, then d3 and d4, ...

    ``setNumInputDims(n)``: the last n dims are one sample, so the pairs count from there.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> list(nn.Transpose([0, 1]).forward(torch.zeros(2, 3)).size())
    [3, 2]
    """

    def __init__(self, *permutations):
        super().__init__()
        self.permutations = [list(p) for p in permutations]
        self.numInputDims = None

    def setNumInputDims(self, numInputDims):
        """setNumInputDims(n) -> self"""
        self.numInputDims = numInputDims
        return self

    def _offset(self, input):
        return input.dim() - self.numInputDims if self.numInputDims is not None else 0

    def updateOutput(self, input):
        offset = self._offset(input)
        for a, b in self.permutations:
            input = input.transpose(a + offset, b + offset)
        self.output.resizeAs(input).copy(input)
        return self.output

    def updateGradInput(self, input, gradOutput):
        offset = self._offset(input)
        for a, b in reversed(self.permutations):
            gradOutput = gradOutput.transpose(a + offset, b + offset)
        self.gradInput.resizeAs(gradOutput).copy(gradOutput)
        return self.gradInput
