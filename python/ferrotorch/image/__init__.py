"""ferrotorch.image: Torch7's image package (torch/image) with its names and semantics.

Images are (H, W) or (C, H, W) tensors with values in [0, 1] (or 0..255 in a ByteTensor);
coordinates are 0-based pixel offsets, x along the width. File I/O goes through Pillow,
imported only when a file is read or written. The kernels image.gaussian, image.gaussian1D and
image.laplacian feed the nn normalization modules.

>>> from ferrotorch import image
>>> list(image.gaussian(3).size())
[3, 3]
"""

from ferrotorch.image.color import (
    hsl2rgb,
    hsv2rgb,
    lab2rgb,
    rgb2hsl,
    rgb2hsv,
    rgb2lab,
    rgb2y,
    rgb2yuv,
    yuv2rgb,
)
from ferrotorch.image.display import Display, display, repr_png, toDisplayTensor
from ferrotorch.image.filters import convolve, lcn, minmax
from ferrotorch.image.geometry import crop, flip, hflip, rotate, scale, translate, vflip
from ferrotorch.image.io import compressJPG, compressPNG, decompress, getSize, load, save
from ferrotorch.image.kernels import gaussian, gaussian1D, laplacian

__all__ = [
    "Display",
    "compressJPG",
    "compressPNG",
    "convolve",
    "crop",
    "decompress",
    "display",
    "flip",
    "gaussian",
    "gaussian1D",
    "getSize",
    "hflip",
    "hsl2rgb",
    "hsv2rgb",
    "lab2rgb",
    "laplacian",
    "lcn",
    "load",
    "minmax",
    "repr_png",
    "rgb2hsl",
    "rgb2hsv",
    "rgb2lab",
    "rgb2y",
    "rgb2yuv",
    "rotate",
    "save",
    "scale",
    "toDisplayTensor",
    "translate",
    "vflip",
    "yuv2rgb",
]
