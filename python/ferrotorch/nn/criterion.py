"""nn.Criterion: the base class of every loss (Torch7's nn/Criterion.lua)."""

import copy

import ferrotorch as torch
from ferrotorch.nn import utils
from ferrotorch.nn.module import register


class Criterion(utils.TensorFields):
    """nn.Criterion() -> the abstract base of every loss function

    ``forward(input, target)`` returns the loss as a Python number (also kept in
    ``self.output``); ``backward(input, target)`` returns d(loss)/d(input) (kept in
    ``self.gradInput``). Subclass it and override ``updateOutput`` / ``updateGradInput``.
    Class targets are 0-based.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> class SumCriterion(nn.Criterion):
    ...     def updateOutput(self, input, target):
    ...         self.output = (input - target).sum()
    ...         return self.output
    ...     def updateGradInput(self, input, target):
    ...         self.gradInput.resizeAs(input).fill(1)
    ...         return self.gradInput
    >>> c = SumCriterion()
    >>> c.forward(torch.Tensor([3, 4]), torch.Tensor([1, 1]))
    5.0
    >>> c
    nn.SumCriterion
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        register(cls)

    def __init__(self):
        self.gradInput = torch.Tensor()
        self.output = 0
        self._type = self.gradInput.type()

    def updateOutput(self, input, target):
        """updateOutput(input, target) -> the loss (the base returns self.output)"""
        return self.output

    def updateGradInput(self, input, target):
        """updateGradInput(input, target) -> gradInput (the base returns self.gradInput)"""
        return self.gradInput

    def forward(self, input, target):
        """forward(input, target) -> the loss, a Python number"""
        return self.updateOutput(input, target)

    def backward(self, input, target):
        """backward(input, target) -> gradInput, d(loss)/d(input)"""
        return self.updateGradInput(input, target)

    def __call__(self, input, target):
        """c(input, target) -> (loss, gradInput): forward then backward, as in Torch7"""
        self.output = self.forward(input, target)
        self.gradInput = self.backward(input, target)
        return self.output, self.gradInput

    def clone(self):
        """clone() -> a deep copy"""
        return copy.deepcopy(self)

    def clearState(self):
        """clearState() -> self with gradInput emptied"""
        return utils.clear(self, "gradInput")

    def __tostring__(self):
        return self.__typename__

    def __repr__(self):
        return self.__tostring__()

    __str__ = __repr__

