"""nn.StochasticGradient: Torch7's minimal training loop over a dataset."""

import ferrotorch as torch

__all__ = ["StochasticGradient"]


class StochasticGradient:
    """nn.StochasticGradient(module, criterion) -> a trainer; train(dataset) runs SGD

    ``dataset.size()`` (or ``len(dataset)``) gives the number of examples and
    ``dataset[i]`` (0-based) an ``(input, target)`` pair. Each epoch visits the examples in a
    random order (``shuffleIndices``), updating the module with
    ``accUpdateGradParameters`` at the current learning rate
    ``learningRate / (1 + epoch * learningRateDecay)``. Fields as in Torch7: learningRate
    (0.01), learningRateDecay (0), maxIteration (25 epochs, 0 = no limit), shuffleIndices
    (True), verbose (True), hookExample(self, example) and hookIteration(self, iteration,
    currentError).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> torch.manualSeed(0)
    >>> data = [(torch.Tensor([x]), torch.Tensor([2 * x])) for x in (-1, 0.5, 1)]
    >>> trainer = nn.StochasticGradient(nn.Linear(1, 1), nn.MSECriterion())
    >>> trainer.learningRate, trainer.maxIteration, trainer.verbose = 0.1, 200, False
    >>> error = trainer.train(data)
    >>> error < 1e-6
    True
    """

    def __init__(self, module, criterion):
        self.learningRate = 0.01
        self.learningRateDecay = 0
        self.maxIteration = 25
        self.shuffleIndices = True
        self.verbose = True
        self.hookExample = None
        self.hookIteration = None
        self.module = module
        self.criterion = criterion

    def train(self, dataset):
        """train(dataset) -> the mean error of the last epoch"""
        size = dataset.size() if hasattr(dataset, "size") else len(dataset)
        iteration, current_lr = 0, self.learningRate
        module, criterion = self.module, self.criterion
        if self.verbose:
            print("# StochasticGradient: training")
        current_error = 0.0
        while True:
            order = (torch.randperm(size, "torch.LongTensor").tolist() if self.shuffleIndices
                     else range(size))
            current_error = 0.0
            for i in order:
                example = dataset[i]
                input, target = example[0], example[1]
                current_error += criterion.forward(module.forward(input), target)
                module.updateGradInput(input, criterion.updateGradInput(module.output, target))
                module.accUpdateGradParameters(input, criterion.gradInput, current_lr)
                if self.hookExample:
                    self.hookExample(self, example)
            current_error /= max(size, 1)
            if self.hookIteration:
                self.hookIteration(self, iteration, current_error)
            if self.verbose:
                print(f"# current error = {current_error:g}")
            iteration += 1
            current_lr = self.learningRate / (1 + iteration * self.learningRateDecay)
            if self.maxIteration > 0 and iteration >= self.maxIteration:
                if self.verbose:
                    print("# StochasticGradient: you have reached the maximum number of "
                          "iterations")
                    print(f"# training error = {current_error:g}")
                return current_error
