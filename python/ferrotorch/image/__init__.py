"""ferrotorch.image: the parts of Torch7's image package that nn models use: the kernels
image.gaussian, image.gaussian1D and image.laplacian (for SpatialContrastiveNormalization
and friends).

>>> from ferrotorch import image
>>> list(image.gaussian(3).size())
[3, 3]
"""

from ferrotorch.image.kernels import gaussian, gaussian1D, laplacian

__all__ = ["gaussian", "gaussian1D", "laplacian"]
