"""nn: the parameterised simple layers (Torch7's simple.md, first part), over the Rust kernels
of ferrotorch::nn::simple.

Linear is in linear.py; here are its relatives (LinearWeightNorm, PartialLinear, Bilinear, the
sparse SparseLinear and IndexLinear), the element-wise parameter layers (Add, CAdd, Mul, CMul),
the distance layers (Euclidean, WeightedEuclidean, Cosine) and Kmeans. Indices (sparse input
indices, IndexLinear keys, PartialLinear partitions, Kmeans outputs) are 0-based.
"""

import math

import ferrotorch as torch
from ferrotorch._C import _nn
from ferrotorch.nn import utils
from ferrotorch.nn.linear import Linear
from ferrotorch.nn.module import Module, fan_in_uniform

__all__ = [
    "Add",
    "Bilinear",
    "CAdd",
    "CMul",
    "Cosine",
    "Euclidean",
    "IndexLinear",
    "Kmeans",
    "LinearWeightNorm",
    "Mul",
    "PartialLinear",
    "SparseLinear",
    "WeightedEuclidean",
]


def _new(t, *sizes):
    """A tensor of t's type (empty, or of the given sizes): Torch7's t.new(...)."""
    return utils.tensor_class(t.type())(*sizes)


def _renamed(error, name):
    """Linear's kernel errors, naming the layer that called it."""
    return ValueError(str(error).replace("nn.Linear", name, 1))


def _sizes(args):
    """CMul / CAdd's sizes: numbers, or one LongStorage / list / tuple."""
    if len(args) == 1 and not isinstance(args[0], (int, float)):
        return [int(n) for n in args[0]]
    return [int(n) for n in args]


# ---------------------------------------------------------------------------------- Linear kin

class LinearWeightNorm(Linear):
    """nn.LinearWeightNorm(inputSize, outputSize, bias=True, eps=1e-16) -> weight-normalised Linear

    The weight rows are ``w_j = g_j * v_j / ||v_j||`` (Salimans & Kingma); v (outputSize x
    inputSize), g (outputSize x 1) and bias are the parameters (gradV, gradG, gradBias). In
    training mode every forward recomputes ``weight`` from v and g; ``evaluate()`` keeps the
    last one. ``LinearWeightNorm.fromLinear(linear)`` and ``toLinear()`` convert.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.LinearWeightNorm(2, 1)
    >>> _ = m.v.copy(torch.Tensor([[3, 4]]))
    >>> _ = m.g.fill(10)
    >>> _ = m.bias.zero()
    >>> m.forward(torch.Tensor([1, 1])).tolist()
    [14.0]
    >>> m
    nn.LinearWeightNorm(2 -> 1)
    """

    def __init__(self, inputSize, outputSize, bias=True, eps=1e-16):
        Module.__init__(self)
        self.eps = eps
        self.outputSize, self.inputSize = outputSize, inputSize
        self.v = torch.Tensor(outputSize, inputSize)
        self.gradV = torch.Tensor(outputSize, inputSize)
        self.weight = torch.Tensor(outputSize, inputSize)
        self.g = torch.Tensor(outputSize, 1)
        self.gradG = torch.Tensor(outputSize, 1)
        self.norm = torch.Tensor(outputSize, 1)
        self.scale = torch.Tensor(outputSize, 1)
        if bias:
            self.bias = torch.Tensor(outputSize)
            self.gradBias = torch.Tensor(outputSize)
        self.reset()

    def evaluate(self):
        if self.train is not False:
            self.updateWeightMatrix()
        return Module.evaluate(self)

    def initFromWeight(self, weight=None):
        """initFromWeight(weight=self.weight) -> self with v = weight and g = its row norms"""
        weight = self.weight if weight is None else weight
        self.g.copy(weight.norm(2, 1)).clamp(self.eps, math.inf)
        self.v.copy(weight)
        return self

    @staticmethod
    def fromLinear(linear):
        """LinearWeightNorm.fromLinear(linear) -> the same layer, weight-normalised"""
        has_bias = getattr(linear, "bias", None) is not None
        m = LinearWeightNorm(linear.weight.size(1), linear.weight.size(0), has_bias)
        m = m.type(linear.weight.type())
        m.weight.copy(linear.weight)
        m.initFromWeight()
        if has_bias:
            m.bias.copy(linear.bias)
        return m

    def toLinear(self):
        """toLinear() -> an nn.Linear with the current weight and bias"""
        self.updateWeightMatrix()
        has_bias = getattr(self, "bias", None) is not None
        m = Linear(self.inputSize, self.outputSize, has_bias).type(self.weight.type())
        m.weight.copy(self.weight)
        if has_bias:
            m.bias.copy(self.bias)
        return m

    def parameters(self):
        if getattr(self, "bias", None) is not None:
            return [self.v, self.g, self.bias], [self.gradV, self.gradG, self.gradBias]
        return [self.v, self.g], [self.gradV, self.gradG]

    def reset(self, stdv=None):
        bound = fan_in_uniform(stdv, self.inputSize)
        self.weight.uniform(-bound, bound)
        self.initFromWeight()
        if getattr(self, "bias", None) is not None:
            self.bias.uniform(-bound, bound)
        return self

    def updateWeightMatrix(self):
        """updateWeightMatrix(): weight = g * v / ||v|| row by row"""
        _nn.LinearWeightNorm_updateWeight(self.v, self.g, self.eps, self.norm, self.scale,
                                          self.weight)

    def updateOutput(self, input):
        if self.train is not False:
            self.updateWeightMatrix()
        try:
            _nn.Linear_updateOutput(input, self.weight, getattr(self, "bias", None), self.output)
        except ValueError as e:
            raise _renamed(e, "nn.LinearWeightNorm") from None
        return self.output

    def updateGradInput(self, input, gradOutput):
        try:
            _nn.Linear_updateGradInput(input, gradOutput, self.weight, self.gradInput)
        except ValueError as e:
            raise _renamed(e, "nn.LinearWeightNorm") from None
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _nn.LinearWeightNorm_accGradParameters(input, gradOutput, self.v, self.g, self.norm,
                                               self.gradV, self.gradG,
                                               getattr(self, "gradBias", None), scale)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        saved = self.gradV, self.gradG, getattr(self, "gradBias", None)
        self.gradV, self.gradG = self.v, self.g
        if saved[2] is not None:
            self.gradBias = self.bias
        try:
            self.accGradParameters(input, gradOutput, -lr)
        finally:
            self.gradV, self.gradG = saved[0], saved[1]
            if saved[2] is not None:
                self.gradBias = saved[2]

    def clearState(self):
        utils.clear(self, "weight", "norm", "scale")
        return Module.clearState(self)

    def __tostring__(self):
        suffix = "" if getattr(self, "bias", None) is not None else " without bias"
        return f"nn.LinearWeightNorm({self.inputSize} -> {self.outputSize}){suffix}"


class PartialLinear(Module):
    """nn.PartialLinear(inputSize, outputSize, bias=True) -> a Linear computing only some outputs

    ``setPartition(indices)`` restricts the layer to the output rows listed (0-based): the
    output has one column per index, and only those rows of weight and bias get gradients.
    ``resetPartition()`` selects every row again. Input is a batch (B x inputSize). weight is
    outputSize x inputSize (drawn from N(0, 1), as Torch7's LookupTable), bias is 1 x outputSize
    (zero). Torch7 kept the weight inside a small network (ParallelTable of Identity and
    LookupTable, then MM); here it is the ``weight`` field itself.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.PartialLinear(3, 4)
    >>> _ = m.weight.copy(torch.range(0, 11).view(4, 3))
    >>> _ = m.bias.fill(1)
    >>> m.setPartition(torch.LongTensor([1, 3]))
    >>> m.forward(torch.Tensor([[1, 0, 0]])).tolist()
    [[4.0, 10.0]]
    >>> m
    nn.PartialLinear(3 -> 4)
    """

    def __init__(self, inputSize, outputSize, bias=True):
        super().__init__()
        self.inputsize, self.outputsize = inputSize, outputSize
        self.weight = torch.Tensor(outputSize, inputSize).normal(0, 1)
        self.gradWeight = torch.Tensor(outputSize, inputSize).zero()
        if bias:
            self.bias = torch.Tensor(1, outputSize).zero()
            self.gradBias = torch.Tensor(1, outputSize).zero()
        self.allcolumns = torch.range(0, outputSize - 1, 1, "torch.LongTensor")
        self.resetPartition()

    def setPartition(self, indices):
        """setPartition(indices): computes only the output rows listed (0-based)"""
        indices = indices if isinstance(indices, torch.Tensor) else torch.LongTensor(indices)
        self.partition = indices.type("torch.LongTensor")

    def resetPartition(self):
        """resetPartition(): computes every output row again"""
        self.partition = self.allcolumns

    def _rows(self):
        partition = self.partition
        if partition.dim() != 1:
            raise ValueError(f"nn.PartialLinear: the partition should be a 1-D index tensor, "
                             f"got size {list(partition.size())}")
        return self.weight.index(0, partition)

    def updateOutput(self, input):
        self._weight = self._rows()
        bias = getattr(self, "bias", None)
        if bias is not None:
            bias = bias.index(1, self.partition).view(-1)
        try:
            _nn.Linear_updateOutput(input, self._weight, bias, self.output)
        except ValueError as e:
            raise _renamed(e, "nn.PartialLinear") from None
        return self.output

    def updateGradInput(self, input, gradOutput):
        try:
            _nn.Linear_updateGradInput(input, gradOutput, self._weight, self.gradInput)
        except ValueError as e:
            raise _renamed(e, "nn.PartialLinear") from None
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        partition = self.partition
        rows = _new(self.weight, partition.size(0), self.inputsize).zero()
        has_bias = getattr(self, "gradBias", None) is not None
        bias = _new(self.weight, partition.size(0)).zero() if has_bias else None
        _nn.Linear_accGradParameters(input, gradOutput, rows, bias, scale)
        self.gradWeight.indexAdd(0, partition, rows)
        if has_bias:
            self.gradBias.indexAdd(1, partition, bias.view(1, -1))

    def __tostring__(self):
        suffix = "" if getattr(self, "bias", None) is not None else " without bias"
        return f"nn.PartialLinear({self.inputsize} -> {self.outputsize}){suffix}"


class Bilinear(Module):
    """nn.Bilinear(inputSize1, inputSize2, outputSize, bias=True) -> y_k = x1ᵀ A_k x2 + b_k

    Input: a pair [x1 (B x inputSize1), x2 (B x inputSize2)] (batches only, as in Torch7);
    output B x outputSize; gradInput a pair. weight is outputSize x inputSize1 x inputSize2.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Bilinear(2, 2, 1)
    >>> _ = m.weight.copy(torch.eye(2).view(1, 2, 2))
    >>> _ = m.bias.zero()
    >>> m.forward([torch.Tensor([[1, 2]]), torch.Tensor([[3, 4]])]).tolist()
    [[11.0]]
    >>> m
    nn.Bilinear(2x2 -> 1) 
    """

    def __init__(self, inputSize1, inputSize2, outputSize, bias=True):
        for n in (inputSize1, inputSize2, outputSize):
            if not isinstance(n, int) or n <= 0:
                raise ValueError("nn.Bilinear: inputSize1, inputSize2 and outputSize should be "
                                 f"positive integers, got {inputSize1}, {inputSize2}, {outputSize}")
        super().__init__()
        self.weight = torch.Tensor(outputSize, inputSize1, inputSize2)
        self.gradWeight = torch.Tensor(outputSize, inputSize1, inputSize2)
        if bias:
            self.bias = torch.Tensor(outputSize)
            self.gradBias = torch.Tensor(outputSize)
        self.gradInput = [torch.Tensor(), torch.Tensor()]
        self.reset()

    def reset(self, stdv=None):
        if stdv is not None and stdv <= 0:
            raise ValueError(f"nn.Bilinear.reset: standard deviation should be positive, got {stdv}")
        bound = fan_in_uniform(stdv, self.weight.size(1))
        self.weight.uniform(-bound, bound)
        if getattr(self, "bias", None) is not None:
            self.bias.uniform(-bound, bound)
        return self

    @staticmethod
    def _pair(input):
        if not isinstance(input, (list, tuple)) or len(input) != 2:
            raise TypeError("nn.Bilinear: input should be a list of two tensors [x1, x2]")
        return input

    def updateOutput(self, input):
        x1, x2 = self._pair(input)
        _nn.Bilinear_updateOutput(x1, x2, self.weight, getattr(self, "bias", None), self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        x1, x2 = self._pair(input)
        gi = self.gradInput
        if len(gi) != 2:
            gi = self.gradInput = [_new(x1), _new(x1)]
        _nn.Bilinear_updateGradInput(x1, x2, gradOutput, self.weight, gi[0], gi[1])
        return gi

    def accGradParameters(self, input, gradOutput, scale=1):
        x1, x2 = self._pair(input)
        _nn.Bilinear_accGradParameters(x1, x2, gradOutput, self.gradWeight,
                                       getattr(self, "gradBias", None), scale)

    def __tostring__(self):
        suffix = " without bias" if getattr(self, "bias", None) is None else ""
        w = self.weight
        return f"nn.Bilinear({w.size(1)}x{w.size(2)} -> {w.size(0)}) {suffix}"


# ---------------------------------------------------------------------------------- sparse

class SparseLinear(Module):
    """nn.SparseLinear(inputSize, outputSize, doGradInput=False) -> Linear on sparse input

    A sample is an nnz x 2 tensor of (index, value) rows, indices 0-based, standing for the
    vector with those values at those indices and zeros elsewhere; its output is outputSize. A
    batch is a list of such tensors (output B x outputSize), or a B x nnz x 2 tensor (Torch7's
    legacy format). gradInput is computed only with doGradInput: per sample an inputSize x 2
    tensor (every index with its gradient). ``weightDecay`` (default 0) adds weightDecay *
    weight to gradWeight. The bias starts at 1e-6 of the weight's range, as in Torch7.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SparseLinear(4, 2)
    >>> _ = m.weight.copy(torch.range(0, 7).view(2, 4))
    >>> _ = m.bias.zero()
    >>> m.forward(torch.Tensor([[0, 1], [3, 0.5]])).tolist()
    [1.5, 7.5]
    >>> m
    nn.SparseLinear
    """

    def __init__(self, inputSize, outputSize, doGradInput=False):
        super().__init__()
        if not isinstance(doGradInput, bool):
            raise TypeError(f"nn.SparseLinear: doGradInput should be a boolean, got {doGradInput!r}")
        self.weightDecay = 0
        self.doGradInput = doGradInput
        self.weight = torch.Tensor(outputSize, inputSize).zero()
        self.bias = torch.Tensor(outputSize).zero()
        self.gradWeight = torch.Tensor(outputSize, inputSize).zero()
        self.gradBias = torch.Tensor(outputSize).zero()
        self.gradInput = []
        self.output.resize(outputSize)
        self.reset()

    def reset(self, stdv=None):
        bound = fan_in_uniform(stdv, self.weight.size(1))
        self.weight.uniform(-bound, bound)
        self.bias.uniform(-bound, bound).mul(0.000001)
        return self

    @staticmethod
    def _samples(input):
        """(samples, batch, legacy)"""
        if isinstance(input, (list, tuple)):
            return list(input), True, False
        if input.dim() == 2:
            return [input], False, False
        if input.dim() == 3:
            return [input[b] for b in range(input.size(0))], True, True
        raise ValueError(f"nn.SparseLinear: expected an nnz x 2 tensor, a list of them or a "
                         f"B x nnz x 2 tensor, got size {list(input.size())}")

    def updateOutput(self, input):
        samples, batch, self.legacyMode = self._samples(input)
        if not samples:
            self.output.resizeAs(self.bias).copy(self.bias)
            return self.output
        _nn.SparseLinear_updateOutput(samples, self.weight, self.bias, self.output, not batch)
        return self.output

    def accGradParameters(self, input, gradOutput, scale=1):
        samples, _, _ = self._samples(input)
        _nn.SparseLinear_accGradParameters(samples, gradOutput, self.gradWeight, self.gradBias,
                                           self.weight, self.weightDecay or 0, scale)

    def updateGradInput(self, input, gradOutput):
        _, _, legacy = self._samples(input)
        n_in = self.weight.size(1)
        if legacy:
            if not isinstance(self.gradInput, torch.Tensor):
                self.gradInput = _new(gradOutput)
            self.gradInput.resizeAs(input).zero()
        else:
            self.gradInput = []
        if not self.doGradInput:
            return self.gradInput
        go = gradOutput.view(1, -1) if gradOutput.dim() == 1 else gradOutput
        gi = torch.mm(go, self.weight)
        indices = torch.range(0, n_in - 1, 1, gradOutput.type())
        if legacy:
            self.gradInput.resize(gi.size(0), n_in, 2)
            self.gradInput.select(2, 0).copy(indices.view(1, -1).expand(gi.size(0), n_in))
            self.gradInput.select(2, 1).copy(gi)
            return self.gradInput
        for b in range(gi.size(0)):
            t = _new(gradOutput, n_in, 2)
            t.select(1, 0).copy(indices)
            t.select(1, 1).copy(gi[b])
            self.gradInput.append(t)
        return self.gradInput


class IndexLinear(Module):
    """nn.IndexLinear(inputSize, outputSize, doGradInput=False, keysOffset=0, weight=None,
    bias=None, normalize=False) -> Linear on (keys, values) input

    A sample is a pair [keys (LongTensor, 0-based feature indices), values (Tensor)]; a batch
    is [[keys...], [values...]], or the flat [allKeys, allValues, sizes]. ``keysOffset`` is
    added to every key. weight is inputSize x outputSize (transposed relative to Linear; with
    ``normalize`` 4 leading columns hold per-feature normalisation state: each value is scaled
    by the largest |value| seen for its key in training). The weight gradient is kept densely
    per key in ``running`` (Torch7's layout): ``updateParameters(lr)`` applies it (with sparse
    weight decay ``weightDecay``), ``zeroGradParameters()`` drops it. gradInput (doGradInput)
    is [every index, its gradient].

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.IndexLinear(4, 2)
    >>> _ = m.weight.copy(torch.range(0, 7).view(4, 2))
    >>> m.forward([torch.LongTensor([0, 3]), torch.Tensor([1, 0.5])]).tolist()
    [3.0, 4.5]
    >>> m
    nn.IndexLinear
    """

    def __init__(self, inputSize, outputSize, doGradInput=False, keysOffset=0, weight=None,
                 bias=None, normalize=False):
        super().__init__()
        self.normalize = 4 if normalize else 0
        self.weight = weight if weight is not None else \
            torch.Tensor(inputSize, outputSize + self.normalize).zero()
        self.bias = bias if bias is not None else torch.Tensor(outputSize).zero()
        self.inputSize = self.weight.size(0)
        self.outputSize = self.weight.size(1) - self.normalize
        self.gradWeight = torch.Tensor()
        self.gradBias = torch.Tensor(self.outputSize).zero()
        self.gradWeightBuffer = torch.Tensor()
        self.valuesBuffer = torch.Tensor()
        self.normalizedValues = torch.Tensor()
        self.running = {"cumSumSizes": [], "keys": [], "gradWeight": [], "counter": 0}
        self.weightDecay = 0
        self.doGradInput = doGradInput
        self.offset = keysOffset or 0

    def reset(self, stdv=None):
        bound = fan_in_uniform(stdv, self.weight.size(1))
        self.weight.uniform(-bound, bound)
        self.bias.uniform(-bound, bound).mul(0.000001)
        if self.normalize:
            self.weight.narrow(1, 0, self.normalize).zero()
        return self

    def _flatten(self, input):
        """Sets self.keys / values / sizes (flat) from any input format; Torch7's
        reshapeInput + flattenInputs."""
        if not isinstance(input, (list, tuple)) or len(input) not in (2, 3):
            raise TypeError("nn.IndexLinear: input should be [keys, values], [[keys...], "
                            "[values...]] or [keys, values, sizes]")
        running = self.running
        counter = running["counter"]
        while len(running["keys"]) <= counter:
            running["keys"].append(torch.LongTensor())
        self.keys = running["keys"][counter]
        if len(input) == 3:
            keys, values, sizes = input
            self.isFlat, self.noBatch = True, False
            self.keys.resize(keys.size()).copy(keys)
            self.values = values.clone() if values.dim() else _new(values)
            self.sizes = sizes if isinstance(sizes, torch.Tensor) else torch.LongTensor([sizes])
            self.sizes = self.sizes.type("torch.LongTensor")
        else:
            keys, values = input
            self.isFlat = False
            if isinstance(keys, torch.Tensor) and isinstance(values, torch.Tensor):
                keys, values = [keys], [values]
                self.noBatch = True
            elif isinstance(keys, (list, tuple)) and isinstance(values, (list, tuple)):
                self.noBatch = False
            else:
                raise TypeError("nn.IndexLinear: keys and values should both be tensors or both "
                                "lists of tensors")
            for k, v in zip(keys, values):
                if k.dim() != 1 or v.dim() != 1:
                    raise ValueError("nn.IndexLinear: keys and values should be 1D, got sizes "
                                     f"{list(k.size())} and {list(v.size())}")
            self.sizes = torch.LongTensor([k.size(0) for k in keys])
            self.keys.set(torch.cat(list(keys), dim=0).type("torch.LongTensor"))
            self.values = torch.cat(list(values), dim=0)
        self.cumSumSizes = self.sizes.cumsum(0)
        while len(running["cumSumSizes"]) <= counter:
            running["cumSumSizes"].append(None)
        running["cumSumSizes"][counter] = self.cumSumSizes

    def updateOutput(self, input):
        self._flatten(input)
        _nn.IndexLinear_updateOutput(self.keys, self.offset, self.values, self.sizes,
                                     self.weight, self.bias, self.normalizedValues,
                                     self.train is not False, self.output)
        if self.noBatch:
            self.output.resize(self.output.size(1))
        return self.output

    def accGradParameters(self, input, gradOutput, scale=1):
        running = self.running
        counter = running["counter"]
        while len(running["gradWeight"]) <= counter:
            running["gradWeight"].append(_new(self.values))
        values = self.normalizedValues if self.normalize else self.values
        _nn.IndexLinear_accGradParameters(self.keys, values, self.sizes, gradOutput,
                                          running["gradWeight"][counter], self.gradBias,
                                          self.weight, scale)
        running["counter"] = counter + 1

    def accUpdateGradParameters(self, input, gradOutput, lr):
        self.zeroGradParameters()
        self.accGradParameters(input, gradOutput, 1)
        self.updateParameters(lr)

    def updateGradInput(self, input, gradOutput):
        self.gradInput = []
        if self.doGradInput and self.normalize:
            raise RuntimeError("nn.IndexLinear: updateGradInput is not implemented in "
                               "max-normalize mode")
        n_in = self.weight.size(0)
        if not self.doGradInput:
            return self.gradInput
        go = gradOutput.view(1, -1) if gradOutput.dim() == 1 else gradOutput
        gi = torch.mm(go, self.weight.t())
        indices = torch.range(0, n_in - 1, 1, "torch.LongTensor")
        if self.isFlat:
            self.gradInput = [indices.view(1, -1).expand(gi.size(0), n_in).clone(), gi]
        else:
            self.gradInput = [[indices.clone() for _ in range(gi.size(0))],
                              [gi[b].clone() for b in range(gi.size(0))]]
        if self.noBatch:
            if self.isFlat:
                self.gradInput = [self.gradInput[0].view(n_in), self.gradInput[1].view(n_in)]
            else:
                self.gradInput = [self.gradInput[0][0], self.gradInput[1][0]]
        return self.gradInput

    def updateParameters(self, learningRate):
        running = self.running
        counter = running["counter"]
        if counter == 0:
            return
        keys = running["keys"][:counter]
        grads = running["gradWeight"][:counter]
        self.updateKeys = keys[0] if counter == 1 else torch.cat(keys, dim=0)
        self.gradWeight = grads[0] if counter == 1 else \
            torch.cat([g.contiguous().view(-1) for g in grads], dim=0).view(self.updateKeys.size(0), -1)
        _nn.IndexLinear_updateParameters(self.gradWeight, self.gradBias, self.weight, self.bias,
                                         self.updateKeys, self.offset, self.weightDecay or 0,
                                         learningRate)

    def zeroGradParameters(self):
        self.gradBias.zero()
        self.running["counter"] = 0

    def parameters(self):
        return [self.weight, self.bias], [self.running, self.gradBias]

    def clearState(self):
        self.running["keys"] = []
        self.running["gradWeight"] = []
        for name in ("keys", "values", "sizes", "updateKeys"):
            self.__dict__.pop(name, None)
        self.gradWeightBuffer = _new(self.gradWeightBuffer)
        self.valuesBuffer = _new(self.valuesBuffer)
        return Module.clearState(self)


# ---------------------------------------------------------------------------------- element-wise

class Add(Module):
    """nn.Add(inputSize, scalar=False) -> y = x + b

    bias has inputSize elements (one number with scalar=True); a batch (input with more
    elements) adds it to every sample.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Add(2)
    >>> _ = m.bias.copy(torch.Tensor([1, -1]))
    >>> m.forward(torch.Tensor([[0, 0], [5, 5]])).tolist()
    [[1.0, -1.0], [6.0, 4.0]]
    """

    def __init__(self, inputSize, scalar=False):
        super().__init__()
        size = 1 if scalar else inputSize
        self.scalar = scalar
        self.bias = torch.Tensor(size)
        self.gradBias = torch.Tensor(size)
        self._ones = torch.Tensor([1])
        self.reset()

    def reset(self, stdv=None):
        bound = fan_in_uniform(stdv, self.bias.size(0))
        self.bias.uniform(-bound, bound)
        return self

    def updateOutput(self, input):
        _nn.Broadcast_updateOutput("nn.Add", False, input, self.bias, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput.resizeAs(gradOutput).copy(gradOutput)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _nn.Broadcast_accGradParameters("nn.Add", False, input, gradOutput, self.gradBias, scale)


class CAdd(Module):
    """nn.CAdd(size...) or nn.CAdd(LongStorage) -> y = x + b, b of the given size

    Size-1 dimensions of b repeat over the input; an input with one more dimension is a batch.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.CAdd(2, 1)
    >>> _ = m.bias.copy(torch.Tensor([[10], [20]]))
    >>> m.forward(torch.Tensor([[1, 2, 3], [4, 5, 6]])).tolist()
    [[11.0, 12.0, 13.0], [24.0, 25.0, 26.0]]
    """

    def __init__(self, *sizes):
        super().__init__()
        self.size = torch.LongStorage(_sizes(sizes))
        self.bias = torch.Tensor(self.size)
        self.gradBias = torch.Tensor(self.size)
        self.output.resize(self.size)
        self.reset()

    def reset(self, stdv=None):
        bound = fan_in_uniform(stdv, self.bias.nElement())
        self.bias.uniform(-bound, bound)
        return self

    def updateOutput(self, input):
        _nn.Broadcast_updateOutput("nn.CAdd", False, input, self.bias, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput.resizeAs(gradOutput).copy(gradOutput)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _nn.Broadcast_accGradParameters("nn.CAdd", False, input, gradOutput, self.gradBias, scale)


class Mul(Module):
    """nn.Mul() -> y = w x with one learnable number w (weight, 1 element)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Mul()
    >>> _ = m.weight.fill(3)
    >>> m.forward(torch.Tensor([1, 2])).tolist()
    [3.0, 6.0]
    """

    def __init__(self):
        super().__init__()
        self.weight = torch.Tensor(1)
        self.gradWeight = torch.Tensor(1)
        self.reset()

    def reset(self, stdv=None):
        bound = fan_in_uniform(stdv, 1)
        self.weight.uniform(-bound, bound)
        return self

    def updateOutput(self, input):
        _nn.Broadcast_updateOutput("nn.Mul", True, input, self.weight, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.CMul_updateGradInput("nn.Mul", input, gradOutput, self.weight, self.gradInput)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _nn.Broadcast_accGradParameters("nn.Mul", True, input, gradOutput, self.gradWeight, scale)


class CMul(Module):
    """nn.CMul(size...) or nn.CMul(LongStorage) -> y = w ⊙ x, w of the given size

    Size-1 dimensions of w repeat over the input; an input with one more dimension is a batch.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.CMul(3)
    >>> _ = m.weight.copy(torch.Tensor([1, 2, 3]))
    >>> m.forward(torch.Tensor([[1, 1, 1], [2, 2, 2]])).tolist()
    [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]
    """

    def __init__(self, *sizes):
        super().__init__()
        self.size = torch.LongStorage(_sizes(sizes))
        self.weight = torch.Tensor(self.size)
        self.gradWeight = torch.Tensor(self.size)
        self.output.resize(self.size)
        self.reset()

    def reset(self, stdv=None):
        bound = fan_in_uniform(stdv, self.weight.nElement())
        self.weight.uniform(-bound, bound)
        return self

    def updateOutput(self, input):
        _nn.Broadcast_updateOutput("nn.CMul", True, input, self.weight, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.CMul_updateGradInput("nn.CMul", input, gradOutput, self.weight, self.gradInput)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _nn.Broadcast_accGradParameters("nn.CMul", True, input, gradOutput, self.gradWeight, scale)


# ---------------------------------------------------------------------------------- distances

class Euclidean(Module):
    """nn.Euclidean(inputSize, outputSize) -> y_j = ||w_j - x||

    Column j of weight (inputSize x outputSize) is a template; the output holds the distance
    of the input (or of each row of a batch) to every template.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Euclidean(2, 2)
    >>> _ = m.weight.copy(torch.Tensor([[0, 3], [0, 4]]))
    >>> m.forward(torch.Tensor([0, 0])).tolist()
    [0.0, 5.0]
    """

    def __init__(self, inputSize, outputSize):
        super().__init__()
        self.weight = torch.Tensor(inputSize, outputSize)
        self.gradWeight = torch.Tensor(inputSize, outputSize)
        self.gradInput.resize(inputSize)
        self.output.resize(outputSize)
        self.fastBackward = True
        self.reset()

    def reset(self, stdv=None):
        bound = fan_in_uniform(stdv, self.weight.size(0))
        self.weight.uniform(-bound, bound)
        return self

    def _diag(self):
        return None

    def updateOutput(self, input):
        _nn.Euclidean_updateOutput(input, self.weight, self._diag(), self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        if not self.fastBackward:
            self.updateOutput(input)
        _nn.Euclidean_updateGradInput(input, gradOutput, self.weight, self._diag(), self.output,
                                      self.gradInput)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _nn.Euclidean_accGradParameters(input, gradOutput, self.weight, self._diag(), self.output,
                                        self.gradWeight, getattr(self, "gradDiagCov", None),
                                        scale)


class WeightedEuclidean(Euclidean):
    """nn.WeightedEuclidean(inputSize, outputSize) -> y_j = ||c_j ⊙ (w_j - x)||

    Euclidean with a learnable diagonal scale per template: diagCov (inputSize x outputSize,
    starts at 1), whose gradient is gradDiagCov.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.WeightedEuclidean(2, 1)
    >>> _ = m.weight.zero()
    >>> _ = m.diagCov.copy(torch.Tensor([[2], [1]]))
    >>> m.forward(torch.Tensor([2, 1])).tolist()
    [4.123105625617661]
    """

    def __init__(self, inputSize, outputSize):
        Module.__init__(self)
        self.weight = torch.Tensor(inputSize, outputSize)
        self.gradWeight = torch.Tensor(inputSize, outputSize)
        self.diagCov = torch.Tensor(inputSize, outputSize)
        self.gradDiagCov = torch.Tensor(inputSize, outputSize)
        self.fastBackward = True
        self.reset()

    def reset(self, stdv=None):
        bound = fan_in_uniform(stdv, self.weight.size(0))
        self.weight.uniform(-bound, bound)
        self.diagCov.fill(1)
        return self

    def _diag(self):
        return self.diagCov

    def parameters(self):
        return [self.weight, self.diagCov], [self.gradWeight, self.gradDiagCov]

    def accUpdateGradParameters(self, input, gradOutput, lr):
        saved = self.gradWeight, self.gradDiagCov
        self.gradWeight, self.gradDiagCov = self.weight, self.diagCov
        try:
            self.accGradParameters(input, gradOutput, -lr)
        finally:
            self.gradWeight, self.gradDiagCov = saved


class Cosine(Module):
    """nn.Cosine(inputSize, outputSize) -> y_j = w_j · x / (||w_j|| ||x||)

    The cosine similarity of the input (or each row of a batch) with every row of weight
    (outputSize x inputSize).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Cosine(2, 2)
    >>> _ = m.weight.copy(torch.Tensor([[1, 0], [1, 1]]))
    >>> [round(v, 6) for v in m.forward(torch.Tensor([3, 0])).tolist()]
    [1.0, 0.707107]
    """

    def __init__(self, inputSize, outputSize):
        super().__init__()
        self.weight = torch.Tensor(outputSize, inputSize)
        self.gradWeight = torch.Tensor(outputSize, inputSize)
        self.reset()

    def reset(self, stdv=None):
        # Torch7 draws from 1/sqrt(weight:size(1)), the number of outputs.
        bound = fan_in_uniform(stdv, self.weight.size(0))
        self.weight.uniform(-bound, bound)
        return self

    def updateOutput(self, input):
        _nn.Cosine_updateOutput(input, self.weight, self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.Cosine_updateGradInput(input, gradOutput, self.weight, self.output, self.gradInput)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _nn.Cosine_accGradParameters(input, gradOutput, self.weight, self.output,
                                     self.gradWeight, scale)


class Kmeans(Module):
    """nn.Kmeans(k, dim, scale=None) -> online hard k-means with k centroids of dim values

    Input B x dim; output the 0-based index of each row's nearest centroid (a row of weight),
    ``loss`` the sum of squared distances to them. gradInput is zero. accGradParameters
    (scale, or the constructor's scale when given) sets gradWeight so that
    ``updateParameters(1)`` moves each centroid to the mean of its rows; clusterSampleCount
    counts them. ``initRandom(x)`` and ``initKmeansPlus(x, p=0.95)`` initialise from data.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Kmeans(2, 2)
    >>> _ = m.weight.copy(torch.Tensor([[0, 0], [10, 10]]))
    >>> m.forward(torch.Tensor([[1, 0], [9, 9], [0, 2]])).tolist()
    [0.0, 1.0, 0.0]
    >>> m.loss
    7.0
    """

    def __init__(self, k, dim, scale=None):
        super().__init__()
        if k <= 0:
            raise ValueError(f"nn.Kmeans: clusters cannot be 0 or negative, got k = {k}")
        if dim <= 0:
            raise ValueError(f"nn.Kmeans: dimensionality cannot be 0 or negative, got {dim}")
        self.k, self.dim, self.scale = k, dim, scale
        self.weight = torch.Tensor(k, dim)
        self.gradWeight = torch.Tensor(k, dim)
        self.loss = 0
        self.clusterSampleCount = torch.Tensor(k)
        self.reset()

    def reset(self, stdev=None):
        stdev = 1 if stdev is None else stdev
        self.weight.uniform(-stdev, stdev)
        return self

    def _check(self, input):
        if input.dim() != 2 or input.size(1) != self.dim:
            raise ValueError(f"nn.Kmeans: expected an input of size Bx{self.dim}, got "
                             f"{list(input.size())}")
        return input.size(0)

    def initRandom(self, input):
        """initRandom(x): each centroid becomes a row of x drawn at random"""
        n = self._check(input)
        if n < self.k:
            raise ValueError(f"nn.Kmeans.initRandom: needs at least k = {self.k} samples, got {n}")
        indices = torch.LongTensor(self.k).random(1, n).add(-1)
        self.weight.copy(input.index(0, indices))

    def initKmeansPlus(self, input, p=None):
        """initKmeansPlus(x, p=0.95): k-means++ style seeding; each next centroid is drawn
        among the ceil((1-p)·n) rows farthest from the centroids chosen so far"""
        self.p = p if p is not None else getattr(self, "p", 0.95)
        if not 0 <= self.p <= 1:
            raise ValueError(f"nn.Kmeans.initKmeansPlus: p should be between 0 and 1, got {self.p}")
        n = self._check(input)
        pcount = max(1, math.ceil((1 - self.p) * n))
        self.weight[0].copy(input[torch.random(n) - 1])
        distances = _new(input, n).fill(math.inf)
        for c in range(1, self.k):
            diff = input - self.weight[c - 1].view(1, -1).expandAs(input)
            distances.cmin(diff.cmul(diff).sum(1).view(-1))
            _, order = distances.sort(0, True)
            self.weight[c].copy(input[int(order[torch.random(pcount) - 1])])

    def updateOutput(self, input):
        self._check(input)
        if not hasattr(self, "_minIndx") or not isinstance(self._minIndx, torch.LongTensor):
            self._minIndx = torch.LongTensor()
        self.loss = _nn.Kmeans_updateOutput(input, self.weight, self.output, self._minIndx)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput.resizeAs(input).zero()
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        scale = self.scale or scale or 1
        if scale <= 0:
            raise ValueError(f"nn.Kmeans: scale has to be positive, got {scale}")
        _nn.Kmeans_accGradParameters(input, self.weight, self._minIndx, self.gradWeight,
                                     self.clusterSampleCount, scale)

    def clearState(self):
        self.__dict__.pop("_minIndx", None)
        return Module.clearState(self)

    def type(self, typeName=None, tensorCache=None):
        if typeName is not None:
            self.__dict__.pop("_minIndx", None)
        return Module.type(self, typeName, tensorCache)
