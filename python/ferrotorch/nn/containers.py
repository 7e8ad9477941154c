"""Containers: modules made of modules (Torch7's Container, Sequential, Concat, ...)."""

from ferrotorch.nn.module import Module

__all__ = [
    "Concat",
    "ConcatTable",
    "Container",
    "DepthConcat",
    "MapTable",
    "Parallel",
    "ParallelTable",
    "Sequential",
]


def rethrow(error, index, container):
    """Re-raises error with Torch7's prefix naming the child (0-based) and the container."""
    prefix = f"In {index} module of {container.__typename__}: "
    if str(error).startswith("In "):
        prefix = prefix.rstrip() + "\n"
    try:
        wrapped = type(error)(prefix + str(error))
    except TypeError:  # an exception class whose constructor takes other arguments
        error.add_note(prefix.strip())
        raise error from None
    raise wrapped.with_traceback(error.__traceback__) from error


def indent(text, pad):
    """Every line after the first prefixed by pad (Torch7's child-string re-indentation)."""
    return text.replace("\n", "\n" + pad)


class Container(Module):
    """nn.Container() -> the abstract base of modules holding child modules in ``modules``

    ``add(m)`` appends (and returns self, so calls chain), ``get(i)`` is child i (0-based),
    ``size()`` the number of children. parameters(), training(), zeroGradParameters(), ...
    go to every child.
    """

    def __init__(self, *args):
        super().__init__()
        self.modules = []

    def add(self, module):
        """add(module) -> self, with module appended"""
        if not isinstance(module, Module):
            raise TypeError(f"{self.__typename__}.add expects an nn module, got "
                            f"{type(module).__name__}")
        self.modules.append(module)
        return self

    def get(self, index):
        """get(i) -> child i (0-based)"""
        return self.modules[index]

    def size(self):
        """size() -> the number of children"""
        return len(self.modules)

    def __len__(self):
        return len(self.modules)

    def applyToModules(self, fn):
        """applyToModules(fn): fn(child) for every child"""
        for m in self.modules:
            fn(m)

    def zeroGradParameters(self):
        for m in self.modules:
            m.zeroGradParameters()

    def updateParameters(self, learningRate):
        for m in self.modules:
            m.updateParameters(learningRate)

    def training(self):
        for m in self.modules:
            m.training()
        return super().training()

    def evaluate(self):
        for m in self.modules:
            m.evaluate()
        return super().evaluate()

    def share(self, mlp, *names):
        for mine, theirs in zip(self.modules, mlp.modules):
            mine.share(theirs, *names)
        return self

    def reset(self, stdv=None):
        for m in self.modules:
            m.reset(stdv)
        return self

    def parameters(self):
        params, grads = [], []
        for m in self.modules:
            p, g = m.parameters()
            params.extend(p)
            grads.extend(g)
        return params, grads

    def clearState(self):
        # A container's output / gradInput alias a child's: replace rather than empty them.
        from ferrotorch.nn import utils

        for name in ("output", "gradInput"):
            value = self.__dict__.get(name)
            if isinstance(value, list):
                self.__dict__[name] = []
            elif value is not None:
                self.__dict__[name] = utils.empty_like_type(value)
        for m in self.modules:
            m.clearState()
        return self


class Sequential(Container):
    """nn.Sequential() -> a chain: each child's output is the next child's input

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> mlp = nn.Sequential()
    >>> _ = mlp.add(nn.Linear(3, 2)).add(nn.Tanh())
    >>> list(mlp.forward(torch.randn(3)).size())
    [2]
    >>> print(mlp)
    nn.Sequential {
      [input -> (1) -> (2) -> output]
      (1): nn.Linear(3 -> 2)
      (2): nn.Tanh
    }

    Children are numbered from 1 in the printed tree, exactly as Torch7 printed it; ``get``
    and ``insert`` / ``remove`` take 0-based positions.
    """

    def insert(self, module, index=None):
        """insert(module, index=size()) -> self, with module at 0-based position index"""
        n = len(self.modules)
        index = n if index is None else index
        if not 0 <= index <= n:
            raise IndexError(f"insert: index {index} should be contiguous to the existing "
                             f"modules (0..{n})")
        self.modules.insert(index, module)
        return self

    def remove(self, index=None):
        """remove(index=size()-1) -> the removed module"""
        n = len(self.modules)
        index = n - 1 if index is None else index
        if not -n <= index < n:
            raise IndexError(f"remove: index {index} out of range for {n} modules")
        return self.modules.pop(index)

    def updateOutput(self, input):
        current, i = input, 0
        try:
            for i, m in enumerate(self.modules):
                current = m.updateOutput(current)
        except Exception as e:  # noqa: BLE001 - re-raised, prefixed with the child's position
            rethrow(e, i, self)
        self.output = current
        return current

    def _backwards(self, input, gradOutput, step):
        """Runs step(child, child's input, gradOutput) from the last child to the first; each
        step returns the gradOutput of the child before."""
        modules = self.modules
        current, i = gradOutput, len(modules) - 1
        try:
            for i in range(len(modules) - 1, -1, -1):
                current = step(modules[i], modules[i - 1].output if i else input, current)
        except Exception as e:  # noqa: BLE001 - re-raised, prefixed with the child's position
            rethrow(e, i, self)
        return current

    def updateGradInput(self, input, gradOutput):
        self.gradInput = self._backwards(input, gradOutput, lambda m, x, g: m.updateGradInput(x, g))
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        def step(m, x, g):
            m.accGradParameters(x, g, scale)
            return m.gradInput

        self._backwards(input, gradOutput, step)

    def backward(self, input, gradOutput, scale=1):
        self.gradInput = self._backwards(input, gradOutput,
                                         lambda m, x, g: m.backward(x, g, scale))
        return self.gradInput

    def accUpdateGradParameters(self, input, gradOutput, lr):
        def step(m, x, g):
            m.accUpdateGradParameters(x, g, lr)
            return m.gradInput

        self._backwards(input, gradOutput, step)

    def __tostring__(self):
        n = len(self.modules)
        # Torch7's Sequential printed the literal name, so its subclasses (Maxout, CReLU, ...)
        # print as nn.Sequential too.
        lines = ["nn.Sequential {",
                 "  [input" + "".join(f" -> ({i})" for i in range(1, n + 1)) + " -> output]"]
        for i, m in enumerate(self.modules, 1):
            lines.append(f"  ({i}): " + indent(str(m), "  "))
        lines.append("}")
        return "\n".join(lines)


def branch_tostring(container):
    """Torch7's tree text of the containers whose children all see the input (Concat,
    ConcatTable, Parallel, ...), children numbered from 1 as Torch7 printed them."""
    n = len(container.modules)
    lines = [container.__typename__ + " {", "  input"]
    for i, m in enumerate(container.modules, 1):
        if i == n:
            lines.append(f"     `-> ({i}): " + indent(str(m), "         "))
        else:
            lines.append(f"    |`-> ({i}): " + indent(str(m), "    |    "))
    lines.extend(["     ... -> output", "}"])
    return "\n".join(lines)


def normalize_dim(dim, ndim, who):
    """A 0-based dim, negative counting from the end (IndexError naming who when out of
    range)."""
    d = dim + ndim if dim < 0 else dim
    if not 0 <= d < ndim:
        raise IndexError(f"{who}: dimension {dim} out of range for a {ndim}-D tensor")
    return d


class SameInputBackward:
    """The backward entry points of containers whose children all see the whole input
    (Concat, ConcatTable): each runs ``self._backward(input, gradOutput, step, accumulate)``
    with step(child, child's gradOutput), accumulating gradInput when asked."""

    def updateGradInput(self, input, gradOutput):
        return self._backward(input, gradOutput, lambda m, g: m.updateGradInput(input, g), True)

    def accGradParameters(self, input, gradOutput, scale=1):
        self._backward(input, gradOutput, lambda m, g: m.accGradParameters(input, g, scale), False)

    def backward(self, input, gradOutput, scale=1):
        return self._backward(input, gradOutput, lambda m, g: m.backward(input, g, scale), True)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        self._backward(input, gradOutput,
                       lambda m, g: m.accUpdateGradParameters(input, g, lr), False)


class Concat(SameInputBackward, Container):
    """nn.Concat(dim) -> every child gets the same input; their outputs are concatenated
    along dim (0-based; the other sizes must match)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Concat(0).add(nn.Linear(4, 3)).add(nn.Linear(4, 2))
    >>> list(m.forward(torch.randn(4)).size())
    [5]
    """

    def __init__(self, dim):
        super().__init__()
        self.dimension = dim

    def _children_outputs(self, input):
        outs, i = [], 0
        try:
            for i, m in enumerate(self.modules):
                outs.append(m.updateOutput(input))
        except Exception as e:  # noqa: BLE001 - re-raised, prefixed with the child's position
            rethrow(e, i, self)
        return outs

    def updateOutput(self, input):
        outs = self._children_outputs(input)
        dim = normalize_dim(self.dimension, outs[0].dim(), self.__typename__)
        size = list(outs[0].size())
        size[dim] = sum(o.size(dim) for o in outs)
        self.output.resize(*size)
        offset = 0
        for o in outs:
            self.output.narrow(dim, offset, o.size(dim)).copy(o)
            offset += o.size(dim)
        return self.output

    def _window(self, tensor, child_output, offset, dim):
        return tensor.narrow(dim, offset, child_output.size(dim))

    def _backward(self, input, gradOutput, step, accumulate):
        dim = normalize_dim(self.dimension, gradOutput.dim(), self.__typename__)
        if accumulate:
            self.gradInput.resizeAs(input)
        offset, i = 0, 0
        try:
            for i, m in enumerate(self.modules):
                out = m.output
                g = step(m, self._window(gradOutput, out, offset, dim))
                if accumulate:
                    self.gradInput.copy(g) if i == 0 else self.gradInput.add(g)
                offset += out.size(dim)
        except Exception as e:  # noqa: BLE001 - re-raised, prefixed with the child's position
            rethrow(e, i, self)
        return self.gradInput

    __tostring__ = branch_tostring


class DepthConcat(Concat):
    """nn.DepthConcat(dim) -> like Concat, but the other sizes may differ: each child's output
    is centred in a zero-padded output as large as the largest along every dim (Torch7's
    Inception block)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.DepthConcat(0).add(nn.Reshape(1, 2, 2)).add(nn.Reshape(1, 4, 1))
    >>> list(m.forward(torch.Tensor([1, 2, 3, 4])).size())
    [2, 4, 2]
    """

    def _window(self, tensor, child_output, offset, dim):
        window = tensor.narrow(dim, offset, child_output.size(dim))
        for d in range(child_output.dim()):
            size, full = child_output.size(d), tensor.size(d)
            if d != dim and size != full:
                window = window.narrow(d, (full - size) // 2, size)
        return window

    def updateOutput(self, input):
        outs = self._children_outputs(input)
        dim = normalize_dim(self.dimension, outs[0].dim(), self.__typename__)
        size = list(outs[0].size())
        for o in outs[1:]:
            if o.dim() != len(size):
                raise ValueError(f"nn.DepthConcat: outputs of {len(size)} and {o.dim()} dims")
            size = [max(a, b) for a, b in zip(size, o.size())]
        size[dim] = sum(o.size(dim) for o in outs)
        self.output.resize(*size).zero()
        offset = 0
        for o in outs:
            self._window(self.output, o, offset, dim).copy(o)
            offset += o.size(dim)
        return self.output


class ConcatTable(SameInputBackward, Container):
    """nn.ConcatTable() -> every child gets the same input (tensor or list); the output is the
    list of their outputs

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.ConcatTable().add(nn.Linear(3, 2)).add(nn.Identity())
    >>> [o.size(0) for o in m.forward(torch.randn(3))]
    [2, 3]
    >>> print(m)
    nn.ConcatTable {
      input
        |`-> (1): nn.Linear(3 -> 2)
         `-> (2): nn.Identity
         ... -> output
    }
    """

    def __init__(self):
        super().__init__()
        self.output = []

    def updateOutput(self, input):
        i, outs = 0, []
        try:
            for i, m in enumerate(self.modules):
                outs.append(m.updateOutput(input))
        except Exception as e:  # noqa: BLE001 - re-raised, prefixed with the child's position
            rethrow(e, i, self)
        self.output = outs
        return outs

    def _backward(self, input, gradOutput, step, accumulate):
        from ferrotorch.nn import utils

        i = 0
        try:
            for i, m in enumerate(self.modules):
                g = step(m, gradOutput[i])
                if not accumulate:
                    continue
                if i == 0:
                    self.gradInput = utils.recursiveCopy(self.gradInput, g)
                else:
                    utils.recursiveAdd(self.gradInput, g)
        except Exception as e:  # noqa: BLE001 - re-raised, prefixed with the child's position
            rethrow(e, i, self)
        return self.gradInput

    __tostring__ = branch_tostring


def pairwise(container, n, method, input, gradOutput, rest):
    """[child i's method(input[i] (, gradOutput[i], *rest)) for i < n], errors prefixed with i:
    the loop of ParallelTable and MapTable."""
    i, results = 0, []
    try:
        for i in range(n):
            args = (input[i],) if gradOutput is None else (input[i], gradOutput[i], *rest)
            results.append(getattr(container.modules[i], method)(*args))
    except Exception as e:  # noqa: BLE001 - re-raised, prefixed with the child's position
        rethrow(e, i, container)
    return results


class ParallelTable(Container):
    """nn.ParallelTable() -> child i is applied to element i of the input list

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.ParallelTable().add(nn.Linear(3, 2)).add(nn.Linear(4, 1))
    >>> [o.size(0) for o in m.forward([torch.randn(3), torch.randn(4)])]
    [2, 1]
    """

    def __init__(self):
        super().__init__()
        self.output = []
        self.gradInput = []

    def _each(self, method, input, gradOutput=None, *rest):
        return pairwise(self, len(self.modules), method, input, gradOutput, rest)

    def updateOutput(self, input):
        self.output = self._each("updateOutput", input)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = self._each("updateGradInput", input, gradOutput)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        self._each("accGradParameters", input, gradOutput, scale)

    def backward(self, input, gradOutput, scale=1):
        self.gradInput = self._each("backward", input, gradOutput, scale)
        return self.gradInput

    def accUpdateGradParameters(self, input, gradOutput, lr):
        self._each("accUpdateGradParameters", input, gradOutput, lr)

    __tostring__ = branch_tostring


class Parallel(Container):
    """nn.Parallel(inputDimension, outputDimension) -> child i gets input.select(
    inputDimension, i); the outputs are concatenated along outputDimension (0-based dims)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Parallel(0, 0).add(nn.Linear(3, 2)).add(nn.Linear(3, 4))
    >>> list(m.forward(torch.randn(2, 3)).size())
    [6]
    """

    def __init__(self, inputDimension, outputDimension):
        super().__init__()
        self.inputDimension = inputDimension
        self.outputDimension = outputDimension

    def _check(self, input):
        n = input.size(self.inputDimension)
        if n != len(self.modules):
            raise ValueError(f"nn.Parallel: input has {n} slices along dimension "
                             f"{self.inputDimension} but there are {len(self.modules)} modules")
        return n

    def updateOutput(self, input):
        n = self._check(input)
        outs, i = [], 0
        try:
            for i in range(n):
                outs.append(self.modules[i].updateOutput(input.select(self.inputDimension, i)))
        except Exception as e:  # noqa: BLE001 - re-raised, prefixed with the child's position
            rethrow(e, i, self)
        dim = normalize_dim(self.outputDimension, outs[0].dim(), self.__typename__)
        size = list(outs[0].size())
        size[dim] = sum(o.size(dim) for o in outs)
        self.output.resize(*size)
        offset = 0
        for o in outs:
            self.output.narrow(dim, offset, o.size(dim)).copy(o)
            offset += o.size(dim)
        return self.output

    def _backward(self, input, gradOutput, step, write):
        n = self._check(input)
        dim = normalize_dim(self.outputDimension, gradOutput.dim(), self.__typename__)
        if write:
            self.gradInput.resizeAs(input)
        offset, i = 0, 0
        try:
            for i in range(n):
                m = self.modules[i]
                size = m.output.size(dim)
                g = step(m, input.select(self.inputDimension, i),
                         gradOutput.narrow(dim, offset, size))
                if write:
                    self.gradInput.select(self.inputDimension, i).copy(g)
                offset += size
        except Exception as e:  # noqa: BLE001 - re-raised, prefixed with the child's position
            rethrow(e, i, self)
        return self.gradInput

    def updateGradInput(self, input, gradOutput):
        return self._backward(input, gradOutput, lambda m, x, g: m.updateGradInput(x, g), True)

    def accGradParameters(self, input, gradOutput, scale=1):
        self._backward(input, gradOutput, lambda m, x, g: m.accGradParameters(x, g, scale),
                       False)

    def backward(self, input, gradOutput, scale=1):
        return self._backward(input, gradOutput, lambda m, x, g: m.backward(x, g, scale), True)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        self._backward(input, gradOutput,
                       lambda m, x, g: m.accUpdateGradParameters(x, g, lr), False)

    __tostring__ = branch_tostring


class MapTable(Container):
    """nn.MapTable(module, shared=True) -> module applied to every element of the input list,
    through clones made as the list grows (sharing weight, bias and their gradients when
    shared)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.MapTable(nn.Linear(3, 2))
    >>> [o.size(0) for o in m.forward([torch.randn(3), torch.randn(3), torch.randn(3)])]
    [2, 2, 2]
    >>> m.get(2).weight.storage().cdata() == m.get(0).weight.storage().cdata()
    True
    """

    sharedparams = ("weight", "bias", "gradWeight", "gradBias")

    def __init__(self, module=None, shared=True):
        super().__init__()
        self.shared = shared
        self.output = []
        self.gradInput = []
        self.module = None
        if module is not None:
            self.add(module)

    def add(self, module):
        if self.module is not None:
            raise ValueError("nn.MapTable holds a single module")
        self.module = module
        self.modules = [module]
        return self

    def _extend(self, n):
        while len(self.modules) < n:
            names = self.sharedparams if self.shared else ()
            self.modules.append(self.module.clone(*names))

    def _each(self, method, input, gradOutput=None, *rest):
        self._extend(len(input))
        return pairwise(self, len(input), method, input, gradOutput, rest)

    def updateOutput(self, input):
        self.output = self._each("updateOutput", input)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = self._each("updateGradInput", input, gradOutput)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        self._each("accGradParameters", input, gradOutput, scale)

    def accUpdateGradParameters(self, input, gradOutput, lr):
        self._each("accUpdateGradParameters", input, gradOutput, lr)

    def parameters(self):
        # Clones share the first one's tensors: list them once.
        return self.module.parameters() if self.shared else super().parameters()

    def zeroGradParameters(self):
        if self.shared:
            self.module.zeroGradParameters()
        else:
            super().zeroGradParameters()

    def updateParameters(self, learningRate):
        if self.shared:
            self.module.updateParameters(learningRate)
        else:
            super().updateParameters(learningRate)

    def clearState(self):
        del self.modules[1:]
        return super().clearState()

    def __tostring__(self):
        if self.module is None:
            return f"{self.__typename__} {{ }}"
        return f"{self.__typename__} {{\n  " + indent(str(self.module), "        ") + "\n}"
