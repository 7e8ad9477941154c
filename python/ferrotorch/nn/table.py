"""nn table layers: modules whose input or output is a table (a Python list) of tensors.

Splitting, joining and re-arranging tables move no data (views and list operations); the
arithmetic ones (CAddTable, CMulTable, ..., CosineDistance) are short sequences of engine
kernels writing into tensors the module keeps between calls.
"""

import ferrotorch as torch
from ferrotorch._C import _nn
from ferrotorch.nn import utils
from ferrotorch.nn.module import Module

__all__ = [
    "CAddTable",
    "CAddTensorTable",
    "CDivTable",
    "CMaxTable",
    "CMinTable",
    "CMulTable",
    "CSubTable",
    "CosineDistance",
    "CriterionTable",
    "DotProduct",
    "FlattenTable",
    "JoinTable",
    "MixtureTable",
    "NarrowTable",
    "PairwiseDistance",
    "SelectTable",
    "SplitTable",
    "ZipTable",
    "ZipTableOneToMany",
]


def _table(name, input, n=None):
    """Checks that input is a list (of n entries when n is given)."""
    if not isinstance(input, (list, tuple)):
        raise TypeError(f"nn.{name}: expected a table (list) of tensors, got "
                        f"{type(input).__name__}")
    if n is not None and len(input) != n:
        raise ValueError(f"nn.{name}: expected a table of {n} tensors, got {len(input)}")
    return input


def _same_size(name, a, b):
    if a.nElement() != b.nElement():
        raise ValueError(f"nn.{name}: tensors of sizes {list(a.size())} and {list(b.size())} "
                         "do not match")


def _grads(module, n, like):
    """module.gradInput as a list of n tensors of like's type (kept between calls)."""
    g = module.gradInput
    if not isinstance(g, list):
        g = module.gradInput = []
    while len(g) < n:
        g.append(utils.empty_like_type(like))
    del g[n:]
    return g


def _positive_dim(dimension, nInputDims, ndim):
    """Torch7's rule: a negative dim counts from the end; with nInputDims, an input with one
    more dim is a batch and the dim shifts by one."""
    if dimension < 0:
        return ndim + dimension
    if nInputDims is not None and ndim == nInputDims + 1:
        return dimension + 1
    return dimension


class SplitTable(Module):
    """nn.SplitTable(dimension, nInputDims=None) -> the slices of the input along dimension

    The output is a list of views (``input.select(dimension, i)``). With nInputDims, an input
    with nInputDims + 1 dims is a batch and dimension shifts by one.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> [t.tolist() for t in nn.SplitTable(0).forward(torch.Tensor([[1, 2], [3, 4]]))]
    [[1.0, 2.0], [3.0, 4.0]]
    """

    def __init__(self, dimension, nInputDims=None):
        super().__init__()
        self.dimension = dimension
        self.nInputDims = nInputDims

    def _dim(self, input):
        d = _positive_dim(self.dimension, self.nInputDims, input.dim())
        if not 0 <= d < input.dim():
            raise IndexError(f"nn.SplitTable: dimension {self.dimension} out of range for an "
                             f"input of size {list(input.size())}")
        return d

    def updateOutput(self, input):
        d = self._dim(input)
        self.output = [input.select(d, i) for i in range(input.size(d))]
        return self.output

    def updateGradInput(self, input, gradOutput):
        d = self._dim(input)
        _table("SplitTable", gradOutput, input.size(d))
        self.gradInput.resizeAs(input)
        for i, g in enumerate(gradOutput):
            self.gradInput.select(d, i).copy(g)
        return self.gradInput


class JoinTable(Module):
    """nn.JoinTable(dimension, nInputDims=None) -> the tensors of the input table concatenated
    along dimension (the same batch rule as nn.SplitTable)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.JoinTable(0).forward([torch.Tensor([1, 2]), torch.Tensor([3])]).tolist()
    [1.0, 2.0, 3.0]
    """

    def __init__(self, dimension, nInputDims=None):
        super().__init__()
        self.size = torch.LongStorage()
        self.dimension = dimension
        self.nInputDims = nInputDims
        self.gradInput = []

    def _dim(self, input):
        _table("JoinTable", input)
        if not input:
            raise ValueError("nn.JoinTable: the input table is empty")
        d = _positive_dim(self.dimension, self.nInputDims, input[0].dim())
        if not 0 <= d < input[0].dim():
            raise IndexError(f"nn.JoinTable: dimension {self.dimension} out of range for "
                             f"tensors of size {list(input[0].size())}")
        return d

    def updateOutput(self, input):
        d = self._dim(input)
        size = list(input[0].size())
        for t in input[1:]:
            s = list(t.size())
            if len(s) != len(size) or s[:d] + s[d + 1:] != size[:d] + size[d + 1:]:
                raise ValueError(f"nn.JoinTable: cannot join tensors of sizes {size} and {s} "
                                 f"along dim {d}")
            size[d] += s[d]
        self.output.resize(*size)
        offset = 0
        for t in input:
            self.output.narrow(d, offset, t.size(d)).copy(t)
            offset += t.size(d)
        return self.output

    def updateGradInput(self, input, gradOutput):
        d = self._dim(input)
        grads = _grads(self, len(input), input[0])
        offset = 0
        for g, t in zip(grads, input):
            g.resizeAs(t).copy(gradOutput.narrow(d, offset, t.size(d)))
            offset += t.size(d)
        return grads

    def type(self, typeName=None, tensorCache=None):
        self.gradInput = []
        return super().type(typeName, tensorCache)


class SelectTable(Module):
    """nn.SelectTable(index) -> input[index] (0-based; negative counts from the end; a string
    key selects from a dict). gradInput is zeros shaped like the input with gradOutput at index.

    Printed as Torch7 printed it, with Lua's 1-based index: ``nn.SelectTable(1)`` shows as
    ``nn.SelectTable(2)``.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.SelectTable(1).forward([torch.Tensor([1]), torch.Tensor([2])]).tolist()
    [2.0]
    """

    def __init__(self, index):
        super().__init__()
        self.index = index
        self.gradInput = []

    def _index(self, input):
        i = self.index
        if isinstance(i, int):
            n = len(input)
            if not -n <= i < n:
                raise IndexError(f"nn.SelectTable: index {i} out of range for a table of {n}")
            return i % n
        if i not in input:
            raise IndexError(f"nn.SelectTable: key {i!r} is not in the input table")
        return i

    def updateOutput(self, input):
        self.output = input[self._index(input)]
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = _zero_copy(self.gradInput, input)
        i = self._index(input)
        self.gradInput[i] = utils.recursiveCopy(self.gradInput[i], gradOutput)
        return self.gradInput

    def type(self, typeName=None, tensorCache=None):
        self.gradInput = []
        self.output = []
        return super().type(typeName, tensorCache)

    def clearState(self):
        self.output = []
        self.gradInput = []
        return self

    def __tostring__(self):
        i = self.index
        lua = i + 1 if isinstance(i, int) and i >= 0 else i
        return f"{self.__typename__}({lua})"


def _zero_copy(old, like):
    """Zeros shaped like `like` (nested lists / dicts of tensors), reusing old's tensors."""
    if isinstance(like, dict):
        old = old if isinstance(old, dict) else {}
        return {k: _zero_copy(old.get(k), v) for k, v in like.items()}
    if isinstance(like, (list, tuple)):
        old = old if isinstance(old, list) else []
        return [_zero_copy(old[i] if i < len(old) else None, v) for i, v in enumerate(like)]
    if torch.isTensor(like):
        if torch.isTensor(old):
            return old.resizeAs(like).zero()
        return like.clone().zero()
    return None


class NarrowTable(Module):
    """nn.NarrowTable(offset, length=1) -> input[offset : offset + length] (0-based offset)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> t = [torch.Tensor([1]), torch.Tensor([2]), torch.Tensor([3])]
    >>> [x.tolist() for x in nn.NarrowTable(1, 2).forward(t)]
    [[2.0], [3.0]]
    """

    def __init__(self, offset, length=1):
        super().__init__()
        self.offset = offset
        self.length = length
        self.output = []
        self.gradInput = []

    def updateOutput(self, input):
        _table("NarrowTable", input)
        if self.offset < 0 or self.offset + self.length > len(input):
            raise IndexError(f"nn.NarrowTable: entries {self.offset} .. "
                             f"{self.offset + self.length - 1} out of range for a table of "
                             f"{len(input)}")
        self.output = list(input[self.offset:self.offset + self.length])
        return self.output

    def updateGradInput(self, input, gradOutput):
        old = self.gradInput if isinstance(self.gradInput, list) else []
        grads = []
        for i, x in enumerate(input):
            if self.offset <= i < self.offset + self.length:
                grads.append(gradOutput[i - self.offset])
            else:
                prev = old[i] if i < len(old) else None
                grads.append(utils.recursiveFill(utils.recursiveResizeAs(prev, x), 0))
        self.gradInput = grads
        return self.gradInput

    def type(self, typeName=None, tensorCache=None):
        self.output = []
        self.gradInput = []
        return super().type(typeName, tensorCache)

    def clearState(self):
        self.output = []
        self.gradInput = []
        return self


def _flatten(output, input):
    """Appends input's tensors to output depth-first; returns the map of positions."""
    if isinstance(input, (list, tuple)):
        return [_flatten(output, x) for x in input]
    output.append(input)
    return len(output) - 1


def _unflatten(flat, input_map):
    if isinstance(input_map, list):
        return [_unflatten(flat, m) for m in input_map]
    return flat[input_map]


class FlattenTable(Module):
    """nn.FlattenTable() -> the tensors of an arbitrarily nested table, depth-first, in one
    flat list (the same tensor objects); gradInput restores the nesting

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> a, b, c = torch.Tensor([1]), torch.Tensor([2]), torch.Tensor([3])
    >>> [x.tolist() for x in nn.FlattenTable().forward([a, [b, [c]]])]
    [[1.0], [2.0], [3.0]]
    """

    def __init__(self):
        super().__init__()
        self.output = []
        self.input_map = []
        self.gradInput = []

    def updateOutput(self, input):
        _table("FlattenTable", input)
        self.output = []
        self.input_map = _flatten(self.output, input)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _table("FlattenTable", gradOutput, len(self.output))
        self.gradInput = _unflatten(gradOutput, self.input_map)
        return self.gradInput

    def clearState(self):
        self.input_map = []
        self.output = []
        self.gradInput = []
        return self


class ZipTable(Module):
    """nn.ZipTable() -> {{a1, a2, ..}, {b1, b2, ..}} becomes {{a1, b1}, {a2, b2}, ..}

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> a1, a2, b1, b2 = (torch.Tensor([v]) for v in (1, 2, 3, 4))
    >>> [[x.tolist() for x in p] for p in nn.ZipTable().forward([[a1, a2], [b1, b2]])]
    [[[1.0], [3.0]], [[2.0], [4.0]]]
    """

    def __init__(self):
        super().__init__()
        self.output = []
        self.gradInput = []

    @staticmethod
    def _zip(tables):
        out = []
        for i, t in enumerate(tables):
            for j, x in enumerate(t):
                if j == len(out):
                    out.append([])
                row = out[j]
                row.extend([None] * (i + 1 - len(row)))
                row[i] = x
        return out

    def updateOutput(self, input):
        self.output = self._zip(_table("ZipTable", input))
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = self._zip(_table("ZipTable", gradOutput))
        return self.gradInput


class ZipTableOneToMany(Module):
    """nn.ZipTableOneToMany() -> {e, {t1, t2, ..}} becomes {{e, t1}, {e, t2}, ..}; the
    gradient of e is the sum of its gradients

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> e, t1, t2 = torch.Tensor([0]), torch.Tensor([1]), torch.Tensor([2])
    >>> [[x.tolist() for x in p] for p in nn.ZipTableOneToMany().forward([e, [t1, t2]])]
    [[[0.0], [1.0]], [[0.0], [2.0]]]
    """

    def __init__(self):
        super().__init__()
        self.output = []
        self.gradInput = []
        self.gradInputEl = torch.Tensor()

    def updateOutput(self, input):
        el, tab = _table("ZipTableOneToMany", input, 2)
        self.output = [[el, v] for v in tab]
        return self.output

    def updateGradInput(self, input, gradOutput):
        el, _ = _table("ZipTableOneToMany", input, 2)
        self.gradInputEl = self.gradInputEl.type(el.type())
        self.gradInputEl.resizeAs(el).zero()
        for g in gradOutput:
            self.gradInputEl.add(g[0])
        self.gradInput = [self.gradInputEl, [g[1] for g in gradOutput]]
        return self.gradInput


class CAddTable(Module):
    """nn.CAddTable(ip=False) -> the element-wise sum of the table's tensors (in-place: into
    the first)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.CAddTable().forward([torch.Tensor([1, 2]), torch.Tensor([10, 20])]).tolist()
    [11.0, 22.0]
    """

    def __init__(self, ip=False):
        super().__init__()
        self.inplace = bool(ip)
        self.gradInput = []

    def updateOutput(self, input):
        _table("CAddTable", input)
        first = input[0]
        if self.inplace:
            self.output.set(first)
        else:
            self.output.resizeAs(first).copy(first)
        for t in input[1:]:
            _same_size("CAddTable", first, t)
            self.output.add(t)
        return self.output

    def updateGradInput(self, input, gradOutput):
        grads = _grads(self, len(input), input[0])
        for g, t in zip(grads, input):
            if self.inplace:
                g.set(gradOutput)
            else:
                g.resizeAs(t).copy(gradOutput)
        return grads


class CSubTable(Module):
    """nn.CSubTable() -> {a, b} becomes a - b

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.CSubTable().forward([torch.Tensor([5, 5]), torch.Tensor([1, 2])]).tolist()
    [4.0, 3.0]
    """

    def __init__(self):
        super().__init__()
        self.gradInput = []

    def updateOutput(self, input):
        a, b = _table("CSubTable", input, 2)
        _same_size("CSubTable", a, b)
        self.output.resizeAs(a).copy(a).add(-1, b)
        return self.output

    def updateGradInput(self, input, gradOutput):
        a, b = _table("CSubTable", input, 2)
        ga, gb = _grads(self, 2, a)
        ga.resizeAs(a).copy(gradOutput)
        gb.resizeAs(b).copy(gradOutput).mul(-1)
        return self.gradInput


class CMulTable(Module):
    """nn.CMulTable() -> the element-wise product of the table's tensors

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.CMulTable().forward([torch.Tensor([2, 3]), torch.Tensor([4, 5])]).tolist()
    [8.0, 15.0]
    """

    def __init__(self):
        super().__init__()
        self.gradInput = []

    def updateOutput(self, input):
        _table("CMulTable", input)
        self.output.resizeAs(input[0]).copy(input[0])
        for t in input[1:]:
            _same_size("CMulTable", input[0], t)
            self.output.cmul(t)
        return self.output

    def updateGradInput(self, input, gradOutput):
        grads = _grads(self, len(input), input[0])
        for i, g in enumerate(grads):
            # The product of the others (not output / input[i]: exact where input[i] is 0).
            g.resizeAs(input[i]).copy(gradOutput)
            for j, t in enumerate(input):
                if i != j:
                    g.cmul(t)
        return grads


class CDivTable(Module):
    """nn.CDivTable() -> {a, b} becomes a / b

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.CDivTable().forward([torch.Tensor([6, 3]), torch.Tensor([2, 4])]).tolist()
    [3.0, 0.75]
    """

    def __init__(self):
        super().__init__()
        self.gradInput = []

    def updateOutput(self, input):
        a, b = _table("CDivTable", input, 2)
        _same_size("CDivTable", a, b)
        self.output.resizeAs(a).copy(a).cdiv(b)
        return self.output

    def updateGradInput(self, input, gradOutput):
        a, b = _table("CDivTable", input, 2)
        ga, gb = _grads(self, 2, a)
        ga.resizeAs(a).copy(gradOutput).cdiv(b)
        gb.resizeAs(b).zero().addcdiv(-1, ga, b).cmul(a)
        return self.gradInput


class CMaxTable(Module):
    """nn.CMaxTable() -> the element-wise maximum over the table's tensors; the gradient goes
    to the (first) winner, whose 0-based position is kept in ``maxIdx``

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.CMaxTable().forward([torch.Tensor([1, 5]), torch.Tensor([3, 2])]).tolist()
    [3.0, 5.0]
    """

    _max = True

    def __init__(self):
        super().__init__()
        self.gradInput = []
        self.maxIdx = torch.Tensor()

    def updateOutput(self, input):
        _nn.CMaxTable_updateOutput(_table(type(self).__name__, input), self.output, self.maxIdx,
                                   self._max)
        return self.output

    def updateGradInput(self, input, gradOutput):
        grads = _grads(self, len(input), input[0])
        _nn.CMaxTable_updateGradInput(self.maxIdx, gradOutput, grads, self._max)
        return grads


class CMinTable(CMaxTable):
    """nn.CMinTable() -> the element-wise minimum over the table's tensors (``minIdx`` holds
    the winner's position)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.CMinTable().forward([torch.Tensor([1, 5]), torch.Tensor([3, 2])]).tolist()
    [1.0, 2.0]
    """

    _max = False

    @property
    def minIdx(self):
        """The 0-based position of each element's minimum (Torch7's minIdx)."""
        return self.maxIdx


class CAddTensorTable(Module):
    """nn.CAddTensorTable() -> {t, {a, b, ..}} becomes {t + a, t + b, ..}

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> out = nn.CAddTensorTable().forward([torch.Tensor([1]), [torch.Tensor([2]), torch.Tensor([3])]])
    >>> [x.tolist() for x in out]
    [[3.0], [4.0]]
    """

    def __init__(self):
        super().__init__()
        self.gradInput = []
        self.output = []

    def updateOutput(self, input):
        t, tab = _table("CAddTensorTable", input, 2)
        out = self.output if isinstance(self.output, list) else []
        while len(out) < len(tab):
            out.append(utils.empty_like_type(t))
        del out[len(tab):]
        for o, a in zip(out, tab):
            _same_size("CAddTensorTable", t, a)
            o.resizeAs(t).copy(a).add(t)
        self.output = out
        return out

    def updateGradInput(self, input, gradOutput):
        t, tab = _table("CAddTensorTable", input, 2)
        g = self.gradInput if isinstance(self.gradInput, list) and len(self.gradInput) == 2 \
            else [utils.empty_like_type(t), []]
        g[0] = g[0] if torch.isTensor(g[0]) else utils.empty_like_type(t)
        g[0].resizeAs(t).copy(gradOutput[0])
        for go in gradOutput[1:len(tab)]:
            g[0].add(go)
        gs = g[1]
        while len(gs) < len(tab):
            gs.append(utils.empty_like_type(t))
        del gs[len(tab):]
        for gi, go in zip(gs, gradOutput):
            gi.resizeAs(t).copy(go)
        self.gradInput = g
        return g


def _rows(name, input):
    """The two tensors of a pair, as matrices (a vector becomes one row)."""
    a, b = _table(name, input, 2)
    if a.dim() not in (1, 2) or list(a.size()) != list(b.size()):
        raise ValueError(f"nn.{name}: expected two vectors or two matrices of the same size, "
                         f"got {list(a.size())} and {list(b.size())}")
    if a.dim() == 1:
        return a.contiguous().view(1, -1), b.contiguous().view(1, -1), False
    return a, b, True


class DotProduct(Module):
    """nn.DotProduct() -> {a, b} becomes sum(a * b) per row (vectors: one value)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.DotProduct().forward([torch.Tensor([1, 2]), torch.Tensor([3, 4])]).tolist()
    [11.0]
    """

    def __init__(self):
        super().__init__()
        self.gradInput = [torch.Tensor(), torch.Tensor()]
        self.buffer = torch.Tensor()

    def updateOutput(self, input):
        a, b, _ = _rows("DotProduct", input)
        self.buffer = self.buffer.type(a.type())
        torch.cmul(a, b, out=self.buffer)
        torch.sum(self.buffer, 1, out=self.output)
        self.output.resize(a.size(0))
        return self.output

    def updateGradInput(self, input, gradOutput):
        a, b, batched = _rows("DotProduct", input)
        ga, gb = _grads(self, 2, a)
        go = gradOutput.contiguous().view(-1, 1).expandAs(a)
        ga.resizeAs(a).copy(b).cmul(go)
        gb.resizeAs(b).copy(a).cmul(go)
        if not batched:
            ga.resize(a.size(1))
            gb.resize(b.size(1))
        return self.gradInput


class CosineDistance(Module):
    """nn.CosineDistance() -> {a, b} becomes the cosine similarity a.b / (|a| |b|) per row
    (Torch7 adds 1e-12 to each squared norm)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> out = nn.CosineDistance().forward([torch.Tensor([1, 0]), torch.Tensor([2, 2])])
    >>> [round(v, 6) for v in out.tolist()]
    [0.707107]
    """

    def __init__(self):
        super().__init__()
        self.gradInput = [torch.Tensor(), torch.Tensor()]

    def updateOutput(self, input):
        a, b = _table("CosineDistance", input, 2)
        _nn.CosineDistance_updateOutput(a, b, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        a, b = _table("CosineDistance", input, 2)
        ga, gb = _grads(self, 2, a)
        _nn.CosineDistance_updateGradInput(a, b, gradOutput, ga, gb)
        return self.gradInput


class PairwiseDistance(Module):
    """nn.PairwiseDistance(p=2) -> {a, b} becomes ||a - b||_p per row (vectors: one value)

    The gradient adds 1e-6 to the distance before dividing (Torch7's guard); for p = 1 the
    sign of a zero difference is drawn at random, as Torch7 did.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.PairwiseDistance(2).forward([torch.Tensor([0, 0]), torch.Tensor([3, 4])]).tolist()
    [5.0]
    """

    def __init__(self, p=2):
        super().__init__()
        self.gradInput = []
        self.norm = p
        self.diff = torch.Tensor()

    def updateOutput(self, input):
        a, b, _ = _rows("PairwiseDistance", input)
        self.diff = self.diff.type(a.type())
        self.diff.resizeAs(a).copy(a).add(-1, b).abs()
        torch.sum(torch.pow(self.diff, self.norm), 1, out=self.output)
        self.output.resize(a.size(0)).pow(1.0 / self.norm)
        return self.output

    def updateGradInput(self, input, gradOutput):
        a, b, batched = _rows("PairwiseDistance", input)
        ga, gb = _grads(self, 2, a)
        ga.resizeAs(a).copy(a).add(-1, b)
        p = self.norm
        if p == 1:
            zero = torch.eq(ga, 0)
            ga.sign()
            if zero.sum() > 0:  # Torch7: a random sign where the difference is 0
                coin = torch.Tensor().type(a.type()).resizeAs(ga).random(0, 1).mul(2).add(-1)
                ga.maskedCopy(zero, coin.maskedSelect(zero))
        else:
            if p > 2:
                ga.cmul(torch.abs(ga).pow(p - 2))
            scale = torch.add(self.output.contiguous().view(-1, 1), 1e-6).pow(-(p - 1))
            ga.cmul(scale.expandAs(ga))
        ga.cmul(gradOutput.contiguous().view(-1, 1).expandAs(ga))
        gb.resizeAs(ga).zero().add(-1, ga)
        if not batched:
            ga.resize(a.size(1))
            gb.resize(a.size(1))
        return self.gradInput

    def clearState(self):
        self.diff.set()
        return super().clearState()


class MixtureTable(Module):
    """nn.MixtureTable(dim=None) -> {G, E} becomes sum_i G_i E_i (a mixture of experts)

    G is the gater output: n values (non-batch) or B x n. E holds the n experts: a list of
    tensors, or one tensor with the experts along ``dim`` (0-based; default 0 for a
    non-batch gater, 1 for a batch).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> g = torch.Tensor([0.25, 0.75])
    >>> nn.MixtureTable().forward([g, [torch.Tensor([4, 0]), torch.Tensor([0, 4])]]).tolist()
    [1.0, 3.0]
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim
        self.gradInput = []

    def _dims(self, gater):
        batched = gater.dim() >= 2
        dim = self.dim if self.dim is not None else (1 if batched else 0)
        return batched, dim

    def _gate_view(self, gater, ndim, dim, batched):
        size = [1] * ndim
        if batched:
            size[0] = gater.size(0)
        size[dim] = gater.size(1 if batched else 0)
        return gater.contiguous().view(*size)

    def updateOutput(self, input):
        gater, experts = _table("MixtureTable", input, 2)
        batched, dim = self._dims(gater)
        n = gater.size(1 if batched else 0)
        if isinstance(experts, (list, tuple)):
            if len(experts) != n:
                raise ValueError(f"nn.MixtureTable: {n} gater outputs for {len(experts)} "
                                 "experts: need one per expert")
            gate = self._gate_view(gater, experts[0].dim() + 1, dim, batched)
            self.output.resizeAs(experts[0]).zero()
            for i, e in enumerate(experts):
                self.output.addcmul(e, gate.select(dim, i).expandAs(e))
        else:
            if experts.size(dim) != n:
                raise ValueError(f"nn.MixtureTable: {n} gater outputs for experts of size "
                                 f"{list(experts.size())} on dim {dim}")
            gate = self._gate_view(gater, experts.dim(), dim, batched)
            prod = torch.cmul(gate.expandAs(experts), experts)
            torch.sum(prod, dim, out=self.output)
            self.output.resizeAs(experts.select(dim, 0))
        return self.output

    def updateGradInput(self, input, gradOutput):
        gater, experts = _table("MixtureTable", input, 2)
        batched, dim = self._dims(gater)
        old = self.gradInput if isinstance(self.gradInput, list) and len(self.gradInput) == 2 \
            else [utils.empty_like_type(gater), None]
        ggater = old[0].resizeAs(gater)
        rows = gater.size(0) if batched else 1
        if isinstance(experts, (list, tuple)):
            gate = self._gate_view(gater, experts[0].dim() + 1, dim, batched)
            gex = old[1] if isinstance(old[1], list) else []
            while len(gex) < len(experts):
                gex.append(utils.empty_like_type(gater))
            del gex[len(experts):]
            g2 = ggater.view(rows, -1)
            for i, e in enumerate(experts):
                s = torch.sum(torch.cmul(gradOutput, e).contiguous().view(rows, -1), 1)
                g2.select(1, i).copy(s.view(-1))
                gex[i].resizeAs(e).copy(gradOutput).cmul(gate.select(dim, i).expandAs(e))
        else:
            gate = self._gate_view(gater, experts.dim(), dim, batched)
            go = gradOutput.contiguous().unsqueeze(dim).expandAs(experts)
            prod = torch.cmul(go, experts).transpose(dim, 1 if batched else 0).contiguous()
            ggater.copy(torch.sum(prod.view(rows, gater.size(1 if batched else 0), -1), 2)
                        .view(*list(gater.size())))
            gex = old[1] if torch.isTensor(old[1]) else utils.empty_like_type(gater)
            torch.cmul(gate.expandAs(experts), go, out=gex)
        self.gradInput = [ggater, gex]
        return self.gradInput


class CriterionTable(Module):
    """nn.CriterionTable(criterion) -> {x, y} becomes criterion.forward(x, y) (a number);
    gradInput is [criterion.backward(x, y)]

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> class Dist(nn.Criterion):  # any nn.Criterion, e.g. nn.MSECriterion()
    ...     def updateOutput(self, input, target):
    ...         self.output = input.dist(target)
    ...         return self.output
    >>> m = nn.CriterionTable(Dist())
    >>> m.forward([torch.Tensor([1, 3]), torch.Tensor([1, 1])])
    2.0
    """

    def __init__(self, criterion):
        super().__init__()
        if not hasattr(criterion, "updateGradInput") or not hasattr(criterion, "gradInput"):
            raise TypeError(f"nn.CriterionTable expects an nn.Criterion, got "
                            f"{type(criterion).__name__}")
        self.criterion = criterion
        self.gradInput = [criterion.gradInput]

    def updateOutput(self, input):
        self.output = self.criterion.updateOutput(*input)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = [self.criterion.updateGradInput(*input)]
        return self.gradInput
