"""Torch7's colour-space conversions of (3, H, W) images (Float or Double), per pixel in Rust.

RGB, YUV, HSV and HSL components are in [0, 1] (U and V in about [-0.5, 0.5]); Lab is not
bounded. Each function returns a new image; ``out=`` writes into an existing tensor.
"""

from ferrotorch.image._common import _C_image, check_image, into

__all__ = [
    "hsl2rgb",
    "hsv2rgb",
    "lab2rgb",
    "rgb2hsl",
    "rgb2hsv",
    "rgb2lab",
    "rgb2y",
    "rgb2yuv",
    "yuv2rgb",
]


def _convert(name, src, out):
    check_image(src, f"image.{name}")
    return into(out, getattr(_C_image, name)(src))


def rgb2yuv(src, *, out=None):
    """rgb2yuv(src) -> image

    RGB to YUV: Y = 0.299R + 0.587G + 0.114B, U = -0.14713R - 0.28886G + 0.436B,
    V = 0.615R - 0.51499G - 0.10001B.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> yuv = image.rgb2yuv(torch.Tensor([[[1.0]], [[1.0]], [[1.0]]]))
    >>> [round(v, 6) for v in yuv.view(3).tolist()]  # Torch7's U coefficients sum to 1e-5
    [1.0, 1e-05, 0.0]
    """
    return _convert("rgb2yuv", src, out)


def yuv2rgb(src, *, out=None):
    """yuv2rgb(src) -> image

    YUV to RGB: R = Y + 1.13983V, G = Y - 0.39465U - 0.5806V, B = Y + 2.03211U.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> image.yuv2rgb(torch.Tensor([[[0.5]], [[0.0]], [[0.0]]])).view(3).tolist()
    [0.5, 0.5, 0.5]
    """
    return _convert("yuv2rgb", src, out)


def rgb2y(src, *, out=None):
    """rgb2y(src) -> image

    The luma of an RGB image, a 1xHxW image: 0.299R + 0.587G + 0.114B.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> y = image.rgb2y(torch.Tensor([[[1.0]], [[0.0]], [[0.0]]]))
    >>> list(y.size()), y.view(1).tolist()
    ([1, 1, 1], [0.299])
    """
    return _convert("rgb2y", src, out)


def rgb2hsv(src, *, out=None):
    """rgb2hsv(src) -> image

    RGB to hue, saturation, value, each in [0, 1] (hue 0 for greys).

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> image.rgb2hsv(torch.Tensor([[[0.0]], [[0.0]], [[1.0]]])).view(3).tolist()  # blue
    [0.6666666666666666, 1.0, 1.0]
    """
    return _convert("rgb2hsv", src, out)


def hsv2rgb(src, *, out=None):
    """hsv2rgb(src) -> image

    Hue, saturation, value (each in [0, 1]) to RGB; the inverse of rgb2hsv.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> image.hsv2rgb(torch.Tensor([[[0.0]], [[1.0]], [[1.0]]])).view(3).tolist()  # red
    [1.0, 0.0, 0.0]
    """
    return _convert("hsv2rgb", src, out)


def rgb2hsl(src, *, out=None):
    """rgb2hsl(src) -> image

    RGB to hue, saturation, lightness, each in [0, 1].

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> image.rgb2hsl(torch.Tensor([[[1.0]], [[0.0]], [[0.0]]])).view(3).tolist()  # red
    [0.0, 1.0, 0.5]
    """
    return _convert("rgb2hsl", src, out)


def hsl2rgb(src, *, out=None):
    """hsl2rgb(src) -> image

    Hue, saturation, lightness (each in [0, 1]) to RGB; the inverse of rgb2hsl.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> image.hsl2rgb(torch.Tensor([[[0.0]], [[1.0]], [[0.5]]])).view(3).tolist()  # red
    [1.0, 0.0, 0.0]
    """
    return _convert("hsl2rgb", src, out)


def rgb2lab(src, *, out=None):
    """rgb2lab(src) -> image

    sRGB (in [0, 1]) to CIE L*a*b* with the D65 white point; L in [0, 100].

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> lab = image.rgb2lab(torch.Tensor([[[1.0]], [[1.0]], [[1.0]]]))
    >>> [round(v, 3) for v in lab.view(3).tolist()]
    [100.0, 0.0, 0.0]
    """
    return _convert("rgb2lab", src, out)


def lab2rgb(src, *, out=None):
    """lab2rgb(src) -> image

    CIE L*a*b* (D65) to sRGB; the inverse of rgb2lab.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> rgb = image.lab2rgb(torch.Tensor([[[100.0]], [[0.0]], [[0.0]]]))
    >>> [round(v, 3) for v in rgb.view(3).tolist()]
    [1.0, 1.0, 1.0]
    """
    return _convert("lab2rgb", src, out)
