"""The small modules nngraph adds: JustElement, JustTable, ModuleFromCriterion."""

import ferrotorch as torch
from ferrotorch.nn import utils
from ferrotorch.nn.module import Module

__all__ = ["JustElement", "JustTable", "ModuleFromCriterion"]


class JustElement(Module):
    """nngraph.JustElement() -> the single element of a one-element table (``node.split(1)``)

    >>> import ferrotorch as torch
    >>> from ferrotorch import nngraph
    >>> nngraph.JustElement().forward([torch.Tensor([5])]).tolist()
    [5.0]
    """

    __typename__ = "nngraph.JustElement"

    def updateOutput(self, input):
        if not isinstance(input, (list, tuple)) or len(input) != 1:
            got = f"a table of {len(input)}" if isinstance(input, (list, tuple)) \
                else type(input).__name__
            raise ValueError(f"nngraph.JustElement: expects a table of 1 element, got {got}")
        self.output = input[0]
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = [gradOutput]
        return self.gradInput


class JustTable(Module):
    """nngraph.JustTable(n=None) -> its table input as output (``nngraph.nest``); with n == 1
    the single input is wrapped in a one-element table

    >>> import ferrotorch as torch
    >>> from ferrotorch import nngraph
    >>> len(nngraph.JustTable().forward([torch.Tensor(2), torch.Tensor(3)]))
    2
    """

    __typename__ = "nngraph.JustTable"

    def __init__(self, n=None):
        super().__init__()
        self.wrap = n == 1

    def updateOutput(self, input):
        self.output = [input] if self.wrap else input
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = gradOutput[0] if self.wrap else gradOutput
        return self.gradInput


class ModuleFromCriterion(Module):
    """nn.ModuleFromCriterion(criterion) -> a module over the table {prediction, target} whose
    output is a 1-element tensor holding the loss (what ``criterion([pred, target])`` builds)

    The gradient w.r.t. the target is zero; the one w.r.t. the prediction is the criterion's,
    scaled by gradOutput[0].

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> class HalfSquare(nn.Criterion):
    ...     def updateOutput(self, input, target):
    ...         return float(input.dot(input)) / 2
    ...     def updateGradInput(self, input, target):
    ...         return input
    >>> m = nn.ModuleFromCriterion(HalfSquare())
    >>> m.forward([torch.Tensor([3, 4]), torch.Tensor([0, 0])]).tolist()
    [12.5]
    >>> [g.tolist() for g in m.backward([torch.Tensor([3, 4]), torch.Tensor([0, 0])],
    ...                                 torch.Tensor([2]))]
    [[6.0, 8.0], [0.0, 0.0]]
    """

    def __init__(self, criterion):
        super().__init__()
        self.criterion = criterion
        self.output = torch.Tensor(1)
        self.gradInput = [torch.Tensor(), torch.Tensor()]

    def updateOutput(self, input):
        prediction, target = _pair(input)
        self.output.resize(1)[0] = self.criterion.updateOutput(prediction, target)
        return self.output

    def updateGradInput(self, input, gradOutput):
        prediction, target = _pair(input)
        grad = self.criterion.updateGradInput(prediction, target)
        self.gradInput[0] = utils.recursiveCopy(self.gradInput[0], grad).mul(float(gradOutput[0]))
        if isinstance(target, torch.Tensor):
            self.gradInput[1] = utils.recursiveResizeAs(self.gradInput[1], target).zero()
        else:
            self.gradInput[1] = utils.recursiveFill(utils.recursiveResizeAs([], target), 0)
        return self.gradInput

    def __tostring__(self):
        return f"nn.ModuleFromCriterion({self.criterion!r})"


def _pair(input):
    if not isinstance(input, (list, tuple)) or len(input) != 2:
        raise ValueError("nn.ModuleFromCriterion: expects the table [prediction, target]")
    return input

