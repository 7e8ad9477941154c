"""Modules for the nngraph tests.

The graphs use nn.Identity, nn.Tanh and nn.CAddTable; where a branch runs before those classes
land, small test modules with the same formulas stand in (written here over engine calls, so
their gradients are checked by the same Jacobian tests).
"""

import ferrotorch as torch
from ferrotorch import nn


class _Identity(nn.Module):
    __typename__ = "test.Identity"

    def updateOutput(self, input):
        self.output = input
        return input

    def updateGradInput(self, input, gradOutput):
        self.gradInput = gradOutput
        return gradOutput


class _Tanh(nn.Module):
    __typename__ = "test.Tanh"

    def updateOutput(self, input):
        self.output = torch.tanh(input)
        return self.output

    def updateGradInput(self, input, gradOutput):
        # gradOutput * (1 - output^2)
        self.gradInput = gradOutput.clone().addcmul(-1, gradOutput.clone().cmul(self.output),
                                                    self.output)
        return self.gradInput


class _CAddTable(nn.Module):
    __typename__ = "test.CAddTable"

    def updateOutput(self, input):
        self.output = input[0].clone()
        for t in input[1:]:
            self.output.add(t)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = [gradOutput.clone() for _ in input]
        return self.gradInput


class _CMulTable(nn.Module):
    """The elementwise product of a table of 2 tensors (not a table layer the other issue
    delivers under this name in every branch: always this test version)."""

    __typename__ = "test.CMulTable"

    def updateOutput(self, input):
        self.output = input[0].clone().cmul(input[1])
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = [gradOutput.clone().cmul(input[1]), gradOutput.clone().cmul(input[0])]
        return self.gradInput


class SumSquares(nn.Criterion):
    """sum((input - target)^2), for the criterion-as-node tests."""

    __typename__ = "test.SumSquares"

    def updateOutput(self, input, target):
        d = input.clone().add(-1, target)
        self.output = float(d.dot(d))
        return self.output

    def updateGradInput(self, input, target):
        self.gradInput = input.clone().add(-1, target).mul(2)
        return self.gradInput


class Fails(nn.Module):
    """Raises in updateOutput (for the error reporting tests)."""

    __typename__ = "test.Fails"

    def updateOutput(self, input):
        raise ValueError("test.Fails: this module always fails")


def Identity():
    return (getattr(nn, "Identity", None) or _Identity)()


def Tanh():
    return (getattr(nn, "Tanh", None) or _Tanh)()


def CAddTable():
    return (getattr(nn, "CAddTable", None) or _CAddTable)()


CMulTable = _CMulTable
