"""nn.Module: the base class of every layer (Torch7's nn/Module.lua)."""

import copy
import math

import ferrotorch as torch
from ferrotorch.nn import utils

# Torch7 class name ('nn.Linear') -> class: the identity used for printing and .t7 files.
REGISTRY = {}

# Set by ferrotorch.nngraph: called as hook(module, *nodes) when a module is called on graph nodes.
graph_call_hook = None


def register(cls, name=None):
    """Records cls under its Torch7 name (ferrotorch's own classes win over user classes)."""
    name = name or cls.__dict__.get("__typename__") or f"nn.{cls.__name__}"
    cls.__typename__ = name
    if name not in REGISTRY or cls.__module__.startswith("ferrotorch."):
        REGISTRY[name] = cls
    return cls


class Module(utils.TensorFields):
    """nn.Module() -> the abstract base of every neural-network layer

    A module has an ``output`` (from ``updateOutput(input)``), a ``gradInput`` (from
    ``updateGradInput(input, gradOutput)``) and, when it has parameters, gradients that
    ``accGradParameters(input, gradOutput, scale)`` accumulates. Subclass it as in Lua: set
    fields in ``__init__`` and override ``updateOutput`` / ``updateGradInput`` /
    ``accGradParameters``; containers, ``getParameters`` and ``nn.Jacobian`` then work with it.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> class Double(nn.Module):
    ...     def updateOutput(self, input):
    ...         self.output.resizeAs(input).copy(input).mul(2)
    ...         return self.output
    ...     def updateGradInput(self, input, gradOutput):
    ...         self.gradInput.resizeAs(gradOutput).copy(gradOutput).mul(2)
    ...         return self.gradInput
    >>> m = Double()
    >>> m.forward(torch.Tensor([1, 2])).tolist()
    [2.0, 4.0]
    >>> m
    nn.Double
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        register(cls)

    def __init__(self):
        self.gradInput = torch.Tensor()
        self.output = torch.Tensor()
        self._type = self.output.type()
        self.train = True

    # ---- the three directions ------------------------------------------------------------
    def updateOutput(self, input):
        """updateOutput(input) -> output (the base returns self.output unchanged)"""
        return self.output

    def updateGradInput(self, input, gradOutput):
        """updateGradInput(input, gradOutput) -> gradInput (the base returns self.gradInput)"""
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        """accGradParameters(input, gradOutput, scale=1): adds scale * dLoss/dParameters to the
        gradient buffers (the base does nothing)"""

    def forward(self, input):
        """forward(input) -> output: calls updateOutput (override that, not forward)

        >>> import ferrotorch as torch
        >>> from ferrotorch import nn
        >>> nn.Identity().forward(torch.Tensor([3])).tolist()
        [3.0]
        """
        return self.updateOutput(input)

    def backward(self, input, gradOutput, scale=1):
        """backward(input, gradOutput, scale=1) -> gradInput

        updateGradInput then accGradParameters(input, gradOutput, scale); assumes the last
        forward was on the same input. Gradients accumulate until zeroGradParameters.
        """
        self.updateGradInput(input, gradOutput)
        self.accGradParameters(input, gradOutput, scale)
        return self.gradInput

    def accUpdateGradParameters(self, input, gradOutput, lr):
        """accUpdateGradParameters(input, gradOutput, lr): updates the parameters directly by
        -lr times their gradient, keeping no gradient (Torch7's two variants: shared modules
        accumulate and update; others point the gradients at the weights and accumulate -lr)"""
        if getattr(self, "shared", False):
            self.zeroGradParameters()
            self.accGradParameters(input, gradOutput, 1)
            self.updateParameters(lr)
            return
        saved = {}
        for w, g in (("weight", "gradWeight"), ("bias", "gradBias")):
            if getattr(self, w, None) is not None and g in self.__dict__:
                saved[g] = self.__dict__[g]
                self.__dict__[g] = self.__dict__[w]
        try:
            self.accGradParameters(input, gradOutput, -lr)
        finally:
            self.__dict__.update(saved)

    def backwardUpdate(self, input, gradOutput, lr):
        """backwardUpdate(input, gradOutput, lr) -> gradInput: updateGradInput then
        accUpdateGradParameters"""
        self.updateGradInput(input, gradOutput)
        self.accUpdateGradParameters(input, gradOutput, lr)
        return self.gradInput

    # ---- parameters ----------------------------------------------------------------------
    def parameters(self):
        """parameters() -> (weights, gradWeights): two lists of tensors

        The default lists weight and bias (those that exist) and their gradients. A module with
        other learnable tensors overrides this. Torch7 returned nil for none; this returns
        two empty lists.
        """
        params, grads = [], []
        for w, g in (("weight", "gradWeight"), ("bias", "gradBias")):
            if getattr(self, w, None) is not None:
                params.append(getattr(self, w))
                grads.append(getattr(self, g, None))
        return params, grads

    def zeroGradParameters(self):
        """zeroGradParameters(): zeroes every gradient of parameters()"""
        for g in self.parameters()[1]:
            if g is not None:
                g.zero()

    def updateParameters(self, learningRate):
        """updateParameters(learningRate): parameter -= learningRate * gradient, for each pair

        >>> import ferrotorch as torch
        >>> from ferrotorch import nn
        >>> m = nn.Add(2)
        >>> _ = m.bias.fill(1), m.gradBias.fill(10)
        >>> m.updateParameters(0.1)
        >>> m.bias.tolist()
        [0.0, 0.0]
        """
        params, grads = self.parameters()
        for p, g in zip(params, grads):
            p.add(-learningRate, g)

    def getParameters(self):
        """getParameters() -> flatParameters, flatGradParameters

        Moves every parameter (and every gradient) into one contiguous 1-D tensor and makes
        each a view of it, so an optimizer can treat the whole network as one vector. Tensors
        that shared memory before (``share``, ``clone`` with names) still share afterwards.
        Call it once, after any type conversion: a second call reallocates and the tensors it
        returned before no longer view the parameters.

        >>> import ferrotorch as torch
        >>> from ferrotorch import nn
        >>> mlp = nn.Sequential().add(nn.Linear(3, 2)).add(nn.Tanh()).add(nn.Linear(2, 1))
        >>> params, grads = mlp.getParameters()
        >>> params.nElement(), grads.nElement()
        (11, 11)
        >>> _ = params.zero()
        >>> mlp.get(0).weight.sum()
        0.0
        """
        params, grads = self.parameters()
        flat_params = utils.flatten(params)
        flat_grads = utils.flatten(grads)
        if flat_params.nElement() != flat_grads.nElement():
            raise ValueError(
                f"getParameters: {flat_params.nElement()} parameters but "
                f"{flat_grads.nElement()} gradients: check that you are sharing parameters and "
                "gradParameters together")
        for i, (p, g) in enumerate(zip(params, grads)):
            if p.storageOffset() != g.storageOffset():
                raise ValueError(f"getParameters: misaligned parameter at {i}")
        return flat_params, flat_grads

    # ---- modes, conversion, copies -------------------------------------------------------
    def training(self):
        """training(): sets train = True (Dropout and batch normalization behave accordingly)"""
        self.train = True
        return self

    def evaluate(self):
        """evaluate(): sets train = False"""
        self.train = False
        return self

    def share(self, mlp, *names):
        """share(mlp, name, ...) -> self: each named tensor field of self becomes a view of
        mlp's (same storage, offset, size and stride)

        >>> import ferrotorch as torch
        >>> from ferrotorch import nn
        >>> a, b = nn.Linear(2, 2), nn.Linear(2, 2)
        >>> _ = b.share(a, 'weight', 'bias')
        >>> _ = a.weight.fill(7)
        >>> b.weight.sum()
        28.0
        """
        for name in names:
            mine, theirs = self.__dict__.get(name), mlp.__dict__.get(name)
            if isinstance(mine, torch.Tensor) and isinstance(theirs, torch.Tensor):
                if mine.type() != theirs.type():
                    mine = self.__dict__[name] = utils.empty_like_type(theirs)
                mine.set(theirs)
        self.shared = True
        mlp.shared = True
        return self

    def clone(self, *names):
        """clone(name, ...) -> a deep copy; with names, those fields are shared with self

        >>> import ferrotorch as torch
        >>> from ferrotorch import nn
        >>> a = nn.Linear(2, 2)
        >>> b = a.clone()
        >>> _ = b.weight.fill(0)
        >>> a.weight.eq(0).all()
        False
        """
        c = copy.deepcopy(self)
        if names:
            c.share(self, *names)
        return c

    def reset(self, stdv=None):
        """reset(stdv=None): re-initialises the parameters (the base does nothing)"""
        return self

    def clearState(self):
        """clearState() -> self, with output and gradInput emptied (references elsewhere stay
        valid); modules with more buffers clear those too"""
        return utils.clear(self, "output", "gradInput")

    # ---- traversal -----------------------------------------------------------------------
    def listModules(self):
        """listModules() -> [self, then every descendant in pre-order]"""
        found = [self]
        for child in self.__dict__.get("modules", None) or []:
            found.extend(child.listModules())
        return found

    def findModules(self, typename, container=None):
        """findModules(typename) -> (modules, containers): every module of that Torch7 type
        (self included) and the container holding each

        >>> from ferrotorch import nn
        >>> mlp = nn.Sequential().add(nn.Linear(3, 2)).add(nn.Tanh()).add(nn.Linear(2, 1))
        >>> len(mlp.findModules('nn.Linear')[0])
        2
        """
        nodes, containers = [], []
        if self.__typename__ == typename:
            nodes.append(self)
            containers.append(container if container is not None else self)
        for child in self.__dict__.get("modules", None) or []:
            n, c = child.findModules(typename, self)
            nodes.extend(n)
            containers.extend(c)
        return nodes, containers

    def apply(self, callback):
        """apply(fn): fn(self), then apply(fn) on every child (pre-order)"""
        callback(self)
        for child in self.__dict__.get("modules", None) or []:
            child.apply(callback)

    def replace(self, callback):
        """replace(fn) -> fn(self), after replacing each child by child.replace(fn)"""
        out = callback(self)
        modules = self.__dict__.get("modules", None)
        if modules:
            for i, child in enumerate(modules):
                modules[i] = child.replace(callback)
        return out

    # ---- Python protocol -----------------------------------------------------------------
    def __call__(self, *args):
        if graph_call_hook is not None and not any(isinstance(a, torch.Tensor) for a in args):
            return graph_call_hook(self, *args)
        raise TypeError(
            f"{self.__typename__} is not called on tensors: use module.forward(input) "
            "(calling a module on nngraph nodes builds a graph)")

    def __tostring__(self):
        return self.__typename__

    def __repr__(self):
        return self.__tostring__()

    __str__ = __repr__



def fan_in_uniform(stdv, fan_in):
    """Torch7's reset bound: stdv * sqrt(3) when given, else 1 / sqrt(fanIn)."""
    return stdv * math.sqrt(3) if stdv is not None else 1 / math.sqrt(fan_in)
