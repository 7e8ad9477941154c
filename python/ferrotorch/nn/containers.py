"""Containers: modules made of modules (Torch7's Container, Sequential, Concat, ...)."""

from ferrotorch.nn.module import Module

__all__ = ["Container", "Sequential"]


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
    >>> mlp.forward(torch.randn(3)).size()
    torch.LongStorage([2])
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
        lines = [self.__typename__ + " {",
                 "  [input" + "".join(f" -> ({i})" for i in range(1, n + 1)) + " -> output]"]
        for i, m in enumerate(self.modules, 1):
            lines.append(f"  ({i}): " + indent(str(m), "  "))
        lines.append("}")
        return "\n".join(lines)
