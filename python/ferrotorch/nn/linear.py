"""nn.Linear: the fully connected layer over the Rust kernels of ferrotorch::nn::linear."""

import ferrotorch as torch
from ferrotorch._C import _nn
from ferrotorch.nn.module import Module, fan_in_uniform


class Linear(Module):
    """nn.Linear(inputSize, outputSize, bias=True) -> y = W x + b

    Input: a vector of inputSize or a batch (B x inputSize); output: outputSize or
    B x outputSize. weight is outputSize x inputSize, bias outputSize; both drawn from
    U(-1/sqrt(inputSize), 1/sqrt(inputSize)) by reset(). ``noBias()`` removes the bias.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.Linear(3, 2)
    >>> _ = m.weight.fill(1), m.bias.fill(0.5)
    >>> m.forward(torch.Tensor([1, 2, 3])).tolist()
    [6.5, 6.5]
    >>> m
    nn.Linear(3 -> 2)
    """

    def __init__(self, inputSize, outputSize, bias=True):
        super().__init__()
        self.weight = torch.Tensor(outputSize, inputSize)
        self.gradWeight = torch.Tensor(outputSize, inputSize)
        if bias:
            self.bias = torch.Tensor(outputSize)
            self.gradBias = torch.Tensor(outputSize)
        self.reset()

    def noBias(self):
        """noBias() -> self without its bias"""
        self.__dict__.pop("bias", None)
        self.__dict__.pop("gradBias", None)
        return self

    def reset(self, stdv=None):
        bound = fan_in_uniform(stdv, self.weight.size(1))
        self.weight.uniform(-bound, bound)
        if getattr(self, "bias", None) is not None:
            self.bias.uniform(-bound, bound)
        return self

    def updateOutput(self, input):
        _nn.Linear_updateOutput(input, self.weight, getattr(self, "bias", None), self.output)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.Linear_updateGradInput(input, gradOutput, self.weight, self.gradInput)
        return self.gradInput

    def accGradParameters(self, input, gradOutput, scale=1):
        _nn.Linear_accGradParameters(input, gradOutput, self.gradWeight,
                                     getattr(self, "gradBias", None), scale)

    def __tostring__(self):
        suffix = "" if getattr(self, "bias", None) is not None else " without bias"
        return f"nn.Linear({self.weight.size(1)} -> {self.weight.size(0)}){suffix}"
