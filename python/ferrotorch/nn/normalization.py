"""nn spatial normalizations: Torch7's SpatialSubtractiveNormalization,
SpatialDivisiveNormalization, SpatialContrastiveNormalization, SpatialCrossMapLRN,
SpatialBatchNormalization and VolumetricBatchNormalization.

The local normalizations run in the Rust kernels of ferrotorch::nn::normalization: the planes
are summed and filtered once with the averaging kernel (two 1-D passes for a 1-D kernel)
instead of Torch7's chain of padding, convolution and Replicate modules. The constructors
still draw the random numbers those inner convolutions drew in Torch7 (their weights were
overwritten by the kernel), so a seeded program sees Torch7's random stream afterwards.
The batch normalizations keep nn.BatchNormalization's behaviour over a typed, parallel
(B, C, *) kernel of their own (ferrotorch::nn::spatial_batch_norm).
"""

import math

import ferrotorch as torch
from ferrotorch._C import _nn
from ferrotorch.nn import utils
from ferrotorch.nn.containers import Sequential
from ferrotorch.nn.misc import BatchNormalization
from ferrotorch.nn.module import Module

__all__ = [
    "SpatialBatchNormalization",
    "SpatialContrastiveNormalization",
    "SpatialCrossMapLRN",
    "SpatialDivisiveNormalization",
    "SpatialSubtractiveNormalization",
    "VolumetricBatchNormalization",
]


def _check_kernel(name, kernel):
    """Torch7's checks on the averaging kernel: 1-D or 2-D, odd sizes."""
    if not isinstance(kernel, torch.Tensor):
        raise TypeError(f"<{name}> kernel must be a tensor, got {type(kernel).__name__}")
    kdim = kernel.dim()
    if kdim not in (1, 2):
        raise ValueError(f"<{name}> averaging kernel must be 2D or 1D, got size "
                         f"{list(kernel.size())}")
    if any(s % 2 == 0 for s in kernel.size()):
        raise ValueError(f"<{name}> averaging kernel must have ODD dimensions, got size "
                         f"{list(kernel.size())}")


def _draw_estimator(n_planes, kernel):
    """The random numbers Torch7's mean / std estimator drew when its convolutions were built
    (then overwritten with the kernel): a 2-D kernel built SpatialConvolution(n, 1, kW, kH)
    (weight, then bias); a 1-D one SpatialConvolutionMap(oneToOne(n), k, 1) (weights, biases)
    and SpatialConvolution(n, 1, 1, k)."""
    k = kernel.size(0)
    if kernel.dim() == 2:
        torch.Tensor(n_planes * kernel.nElement() + 1).uniform()
    else:
        torch.Tensor(n_planes * k + n_planes).uniform()
        torch.Tensor(n_planes * k + 1).uniform()


class _LocalNormalization(Module):
    """What the subtractive and divisive normalizations share: the kernel, and the border
    coefficients ``coef`` cached per input plane size (Torch7 kept them per input size)."""

    def _coef_for(self, input):
        h, w = input.size(-2), input.size(-1)
        if self._coefSize != (h, w, input.type()):
            _nn.SpatialNormalization_coef(input, self.kernel, self.nInputPlane, self.coef,
                                          self.__typename__)
            self._coefSize = (h, w, input.type())
        return self.coef

    def clearState(self):
        self._coefSize = None
        utils.clear(self, "coef")
        return super().clearState()

    def type(self, typeName=None, tensorCache=None):
        self._coefSize = None
        return super().type(typeName, tensorCache)


class SpatialSubtractiveNormalization(_LocalNormalization):
    """nn.SpatialSubtractiveNormalization(nInputPlane=1, kernel=torch.ones(9, 9))

    Subtracts from every plane of a (nInputPlane, H, W) or (B, nInputPlane, H, W) input the
    local mean over all planes: ``y_c = x_c - (K * sum_c x_c) / coef``, where K is the
    averaging kernel (2-D, or 1-D applied to rows then columns; odd sizes), normalized in place
    to sum 1/nInputPlane, ``*`` is a same-size zero-padded cross-correlation and
    ``coef = K * (nInputPlane planes of ones)`` corrects the borders. coef (H x W here; Torch7
    kept it replicated per plane) is cached per input size.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialSubtractiveNormalization(1, torch.ones(3, 3))
    >>> m.forward(torch.Tensor(1, 4, 4).fill(2)).abs().max() < 1e-12
    True
    >>> m
    nn.SpatialSubtractiveNormalization
    """

    def __init__(self, nInputPlane=1, kernel=None):
        super().__init__()
        self.nInputPlane = nInputPlane
        self.kernel = kernel if kernel is not None else torch.Tensor(9, 9).fill(1)
        _check_kernel("SpatialSubtractiveNormalization", self.kernel)
        self.kernel.div(self.kernel.sum() * self.nInputPlane)
        _draw_estimator(nInputPlane, self.kernel)
        self.coef = torch.Tensor()
        self._coefSize = None

    def updateOutput(self, input):
        coef = self._coef_for(input)
        _nn.SpatialSubtractiveNormalization_updateOutput(
            input, self.kernel, coef, self.output, self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        coef = self._coef_for(input)
        _nn.SpatialSubtractiveNormalization_updateGradInput(
            input, gradOutput, self.kernel, coef, self.gradInput, self.__typename__)
        return self.gradInput


class SpatialDivisiveNormalization(_LocalNormalization):
    """nn.SpatialDivisiveNormalization(nInputPlane=1, kernel=torch.ones(9, 9), threshold=1e-4,
    thresval=threshold)

    Divides every plane by the local standard deviation over all planes:
    ``s = sqrt(K * sum_c x_c^2) / coef``, ``y_c = x_c / t`` with ``t = s`` where
    ``s > threshold`` and ``thresval`` elsewhere (Torch7's Threshold). A 2-D kernel is
    normalized in place to sum 1/nInputPlane, a 1-D kernel to 1/sqrt(nInputPlane) (it is
    applied twice). ``localstds`` keeps sqrt(K * sum x^2) of the last forward.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialDivisiveNormalization(2, torch.ones(3, 3))
    >>> y = m.forward(torch.Tensor(2, 5, 5).fill(3))
    >>> round(y[0][2][2], 12)
    1.0
    """

    def __init__(self, nInputPlane=1, kernel=None, threshold=None, thresval=None):
        super().__init__()
        self.nInputPlane = nInputPlane
        self.kernel = kernel if kernel is not None else torch.Tensor(9, 9).fill(1)
        self.threshold = threshold if threshold is not None else 1e-4
        self.thresval = thresval if thresval is not None else self.threshold
        _check_kernel("SpatialDivisiveNormalization", self.kernel)
        _draw_estimator(nInputPlane, self.kernel)  # meanestimator
        _draw_estimator(nInputPlane, self.kernel)  # stdestimator
        if self.kernel.dim() == 2:
            self.kernel.div(self.kernel.sum() * self.nInputPlane)
        else:
            self.kernel.div(self.kernel.sum() * math.sqrt(self.nInputPlane))
        self.coef = torch.Tensor()
        self.localstds = torch.Tensor()
        self._coefSize = None

    def updateOutput(self, input):
        coef = self._coef_for(input)
        _nn.SpatialDivisiveNormalization_updateOutput(
            input, self.kernel, coef, self.localstds, self.output, self.threshold,
            self.thresval, self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        coef = self._coef_for(input)
        _nn.SpatialDivisiveNormalization_updateGradInput(
            input, gradOutput, self.kernel, coef, self.localstds, self.gradInput,
            self.threshold, self.thresval, self.__typename__)
        return self.gradInput

    def clearState(self):
        utils.clear(self, "localstds")
        return super().clearState()


class SpatialContrastiveNormalization(Module):
    """nn.SpatialContrastiveNormalization(nInputPlane=1, kernel=torch.ones(9, 9),
    threshold=1e-4, thresval=threshold)

    Local contrast normalization: SpatialSubtractiveNormalization then
    SpatialDivisiveNormalization with the same kernel (one tensor, normalized in place by
    both), held in ``self.normalizer`` (a Sequential), as in Torch7. The usual kernel is
    ``image.gaussian(7)`` or ``image.gaussian1D(7)``.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn, image
    >>> m = nn.SpatialContrastiveNormalization(16, image.gaussian(3))
    >>> list(m.forward(torch.randn(4, 16, 14, 14)).size())
    [4, 16, 14, 14]
    """

    def __init__(self, nInputPlane=1, kernel=None, threshold=None, thresval=None):
        super().__init__()
        self.nInputPlane = nInputPlane
        self.kernel = kernel if kernel is not None else torch.Tensor(9, 9).fill(1)
        self.threshold = threshold if threshold is not None else 1e-4
        self.thresval = thresval if thresval is not None else self.threshold
        _check_kernel("SpatialContrastiveNormalization", self.kernel)
        self.normalizer = Sequential()
        self.normalizer.add(SpatialSubtractiveNormalization(nInputPlane, self.kernel))
        self.normalizer.add(SpatialDivisiveNormalization(nInputPlane, self.kernel,
                                                         self.threshold, self.thresval))

    def updateOutput(self, input):
        self.output = self.normalizer.forward(input)
        return self.output

    def updateGradInput(self, input, gradOutput):
        self.gradInput = self.normalizer.backward(input, gradOutput)
        return self.gradInput

    def clearState(self):
        self.normalizer.clearState()
        return super().clearState()


class SpatialCrossMapLRN(Module):
    """nn.SpatialCrossMapLRN(size, alpha=1e-4, beta=0.75, k=1)

    Local response normalization across channels (AlexNet's): for a (C, H, W) or
    (B, C, H, W) input, ``scale_f = k + alpha/size * sum_{l in window(f)} x_l^2`` over the
    ``size`` channels centred on f (clipped to [0, C)), ``y_f = x_f * scale_f^-beta``.
    ``scale`` keeps the last forward's scale.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> m = nn.SpatialCrossMapLRN(3, 3, 1, 1)
    >>> [round(v, 4) for v in m.forward(torch.Tensor(3, 1, 1).fill(1)).view(-1).tolist()]
    [0.3333, 0.25, 0.3333]
    """

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        if not isinstance(size, int) or size < 1:
            raise ValueError(f"nn.SpatialCrossMapLRN: size must be a positive integer, got {size!r}")
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k
        self.scale = torch.Tensor()

    def updateOutput(self, input):
        _nn.SpatialCrossMapLRN_updateOutput(input, self.output, self.scale, self.size,
                                            self.alpha, self.beta, self.k, self.__typename__)
        return self.output

    def updateGradInput(self, input, gradOutput):
        _nn.SpatialCrossMapLRN_updateGradInput(input, gradOutput, self.output, self.scale,
                                               self.gradInput, self.size, self.alpha, self.beta,
                                               self.__typename__)
        return self.gradInput

    def clearState(self):
        utils.clear(self, "scale")
        return super().clearState()


class SpatialBatchNormalization(BatchNormalization):
    """nn.SpatialBatchNormalization(N, eps=1e-5, momentum=0.1, affine=True)

    Batch normalization of each of the N planes of a (B, N, H, W) batch, with statistics over
    (B, H, W); in evaluation a single (N, H, W) sample is accepted too. Fields and behaviour
    as nn.BatchNormalization (running_mean, running_var, save_mean, save_std, weight ~ U(0,1),
    bias = 0).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> bn = nn.SpatialBatchNormalization(3)
    >>> y = bn.forward(torch.randn(4, 3, 5, 5))
    >>> bn
    nn.SpatialBatchNormalization (4D) (3)
    """

    nDim = 4


class VolumetricBatchNormalization(BatchNormalization):
    """nn.VolumetricBatchNormalization(N, eps=1e-5, momentum=0.1, affine=True)

    Batch normalization of each of the N planes of a (B, N, T, H, W) batch, statistics over
    (B, T, H, W); otherwise as nn.SpatialBatchNormalization.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> nn.VolumetricBatchNormalization(2)
    nn.VolumetricBatchNormalization (5D) (2)
    """

    nDim = 5
