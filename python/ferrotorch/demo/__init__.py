"""ferrotorch's demo: ``python -m ferrotorch.demo`` trains the Torch7 talk's convnet on the
handwritten digits shipped with the package (nn + optim + threads, a .t7 model at the end).

- ``python -m ferrotorch.demo [options]``: training (``--help`` lists every option).
- ``python -m ferrotorch.demo generate [options]``: a generative model of the same digits
  writing a grid of samples as a PNG every epoch.
- ``python -m ferrotorch.demo tour``: the tensor walk-through of the Torch7 talk.
"""
