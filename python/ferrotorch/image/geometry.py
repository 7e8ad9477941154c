"""Torch7's image geometry: scale, crop, translate, rotate, hflip, vflip, flip.

Images are (H, W) or (C, H, W) tensors; x counts columns (width), y rows (height), both as
0-based pixel offsets, as they already were in Torch7's image package. The kernels that touch
every pixel are in Rust (``ferrotorch._C._image``). Where Torch7 took a destination tensor as
the first argument, ferrotorch takes it as ``out=`` (keyword-only, as everywhere else).
"""

import re

import ferrotorch as torch
from ferrotorch.image._common import _C_image, check_image, into, size_str

__all__ = ["crop", "flip", "hflip", "rotate", "scale", "translate", "vflip"]

_MODES = ("bilinear", "bicubic", "simple")


def _target_size(src, size):
    """Torch7's size forms: MAX (a number: the longer side), 'WxH', '^MIN', '*n/d', '*SC'."""
    _, ih, iw = check_image(src, "image.scale")
    if isinstance(size, (int, float)) and not isinstance(size, bool):
        omax = float(size)
    elif isinstance(size, str):
        try:
            omax = float(size)
        except ValueError:
            omax = None
    else:
        raise TypeError(f"image.scale: size must be a number or a string, got {type(size).__name__}")
    if omax is not None:
        imax = max(iw, ih)
        return iw * omax / imax, ih * omax / imax
    m = re.search(r"(\d+)x(\d+)", size)
    if m:
        return float(m.group(1)), float(m.group(2))
    m = re.search(r"\^(\d+)", size)
    if m:
        imin = min(iw, ih)
        return iw * int(m.group(1)) / imin, ih * int(m.group(1)) / imin
    m = re.search(r"\*(\d+)/(\d+)", size)
    if m:
        n, d = int(m.group(1)), int(m.group(2))
        return iw * n / d, ih * n / d
    m = re.search(r"\*(.+)", size)
    if m:
        try:
            sc = float(m.group(1))
        except ValueError:
            sc = None
        if sc is not None:
            return iw * sc, ih * sc
    raise ValueError(
        f"image.scale: could not read a size from {size!r} "
        "(expected MAX, 'WxH', '^MIN', '*SC' or '*n/d')"
    )


def scale(src, *args, out=None):
    """scale(src, width, height [, mode]) / scale(src, size [, mode]) / scale(src [, mode], out=dst)

    Rescales an image (HxW or CxHxW) to ``width`` x ``height`` (width = the last dim). ``mode``
    is 'bilinear' (the default: linear interpolation when enlarging, area averaging when
    shrinking), 'bicubic' or 'simple' (nearest pixel). ``size`` may be a number (the longer
    side, the aspect kept), 'WxH', '^MIN' (the shorter side), '*SC' or '*n/d' (a factor).
    With ``out=dst`` and no size, scales into dst's size (Torch7's ``scale(dst, src)``).
    Sizes that are not integers are truncated, as in Torch7. Float, Double and Byte images;
    a ByteTensor is computed in float and rounded after each pass, and 'simple' passes values
    through a C float, as Torch7 did.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> x = torch.Tensor([[0, 1], [2, 3]])
    >>> image.scale(x, 3, 3).tolist()
    [[0.0, 0.5, 1.0], [1.0, 1.5, 2.0], [2.0, 2.5, 3.0]]
    >>> list(image.scale(x, '*2', 'simple').size())
    [4, 4]
    >>> list(image.scale(torch.rand(3, 6, 8), 16).size())   # longer side 16
    [3, 12, 16]
    """
    depth, _, _ = check_image(src, "image.scale")
    mode = "bilinear"
    width = height = None
    if len(args) in (2, 3) and not isinstance(args[1], str):
        width, height = args[0], args[1]
        if len(args) == 3:
            mode = args[2]
    elif len(args) in (1, 2) and not (len(args) == 1 and args[0] in _MODES):
        width, height = _target_size(src, args[0])
        if len(args) == 2:
            mode = args[1]
    elif len(args) == 1:
        mode = args[0]
    elif len(args) != 0:
        raise TypeError(
            "image.scale: expected scale(src, width, height [, mode]), scale(src, size [, mode]) "
            f"or scale(src [, mode], out=dst), got {len(args) + 1} arguments"
        )
    if width is None:
        if out is None:
            raise TypeError("image.scale: give a size (width, height or size) or out=dst")
        if out.dim() != src.dim() or (depth is not None and out.size(0) != depth):
            raise ValueError(
                f"image.scale: src of size {size_str(src)} and dst of size {size_str(out)} "
                "do not have the same depth"
            )
        width, height = out.size(out.dim() - 1), out.size(out.dim() - 2)
    if mode not in _MODES:
        raise ValueError(f"image.scale: mode must be one of bilinear | bicubic | simple, got {mode!r}")
    width, height = max(int(width), 1), max(int(height), 1)
    return into(out, _C_image.scale(src, width, height, mode))


def _float_copy(region, src):
    # Torch7's cropNoScale copies through a C `float`: doubles (and large integers) round.
    if src.type() == "torch.FloatTensor":
        return region.clone()
    return region.float().type(src.type())


def crop(src, *args, out=None):
    """crop(src, x1, y1, x2, y2) / crop(src, format, width, height) / crop(src, x1, y1, out=dst)

    Crops an image (HxW or CxHxW): the columns x1 .. x2-1 and rows y1 .. y2-1 (0-based start,
    exclusive end, as in Torch7's image package). ``format`` is 'c' (centre), 'tl', 'tr',
    'bl' or 'br' (corners) for a ``width`` x ``height`` crop. With ``out=dst``: the crop is
    scaled (bilinear) into dst's size, as Torch7's ``crop(dst, src, x1, y1, x2, y2)``; with
    no end point, a window of dst's size at (x1, y1). Values pass through a C float, as in
    Torch7 (a DoubleTensor's values are rounded to float precision).

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> x = torch.Tensor([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]])
    >>> image.crop(x, 1, 0, 3, 2).tolist()
    [[1.0, 2.0], [5.0, 6.0]]
    >>> image.crop(x, 'br', 2, 1).tolist()
    [[10.0, 11.0]]
    """
    _, ih, iw = check_image(src, "image.crop")
    if args and isinstance(args[0], str):
        if len(args) != 3:
            raise TypeError("image.crop: expected crop(src, format, width, height)")
        fmt, width, height = args
        width, height = int(width), int(height)
        corners = {
            "c": ((iw - width) // 2, (ih - height) // 2),
            "tl": (0, 0),
            "tr": (iw - width, 0),
            "bl": (0, ih - height),
            "br": (iw - width, ih - height),
        }
        if fmt not in corners:
            raise ValueError(f'image.crop: format must be "c"|"tl"|"tr"|"bl"|"br", got {fmt!r}')
        x1, y1 = corners[fmt]
        args = (x1, y1, x1 + width, y1 + height)
    if len(args) == 2:
        if out is None:
            raise TypeError("image.crop: crop(src, x1, y1) needs out=dst (the window's size)")
        x1, y1 = int(args[0]), int(args[1])
        x2, y2 = x1 + out.size(out.dim() - 1), y1 + out.size(out.dim() - 2)
        scale_into = None
    elif len(args) == 4:
        x1, y1, x2, y2 = (int(a) for a in args)
        scale_into = out
    else:
        raise TypeError(
            "image.crop: expected crop(src, x1, y1, x2, y2), crop(src, format, width, height) "
            f"or crop(src, x1, y1, out=dst), got {len(args) + 1} arguments"
        )
    if x1 < 0 or y1 < 0 or x2 > iw or y2 > ih or x2 <= x1 or y2 <= y1:
        raise ValueError(
            f"image.crop: the crop x {x1}..{x2}, y {y1}..{y2} (exclusive ends) goes outside "
            f"the image of size {size_str(src)} (width {iw}, height {ih}) or is empty"
        )
    d = src.dim()
    region = src.narrow(d - 2, y1, y2 - y1).narrow(d - 1, x1, x2 - x1)
    result = _float_copy(region, src)
    if scale_into is not None:
        return scale(result, out=scale_into)
    return into(out, result)


def translate(src, x, y, *, out=None):
    """translate(src, x, y) -> image

    Shifts an image (HxW or CxHxW) by ``x`` pixels right and ``y`` pixels down (negative
    values go left / up), keeping its size; vacated pixels are 0. Any tensor type.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> image.translate(torch.Tensor([[1, 2, 3], [4, 5, 6]]), 1, 0).tolist()
    [[0.0, 1.0, 2.0], [0.0, 4.0, 5.0]]
    """
    check_image(src, "image.translate")
    return into(out, _C_image.translate(src, int(x), int(y)))


def rotate(src, theta, mode="simple", *, out=None):
    """rotate(src, theta [, mode]) -> image

    Rotates an image (HxW or CxHxW) by ``theta`` radians about its centre, keeping its size;
    pixels that come from outside the source are 0. ``mode`` is 'simple' (the default:
    nearest pixel) or 'bilinear'. The angle and positions are floats and the value goes
    through a C float, as in Torch7. Float, Double and Byte images (bytes rounded).

    >>> import math
    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> x = torch.Tensor([[1, 2], [3, 4]])
    >>> image.rotate(x, math.pi).tolist()
    [[4.0, 3.0], [2.0, 1.0]]
    """
    check_image(src, "image.rotate")
    if mode not in ("simple", "bilinear"):
        raise ValueError(f"image.rotate: mode must be one of simple | bilinear, got {mode!r}")
    if out is not None and out is src:
        raise ValueError("image.rotate: in-place rotate is not supported (out= is the input)")
    return into(out, _C_image.rotate(src, float(theta), mode))


def hflip(src, *, out=None):
    """hflip(src) -> image

    Flips an image (HxW or CxHxW) horizontally: the last (width) dim reversed. Any tensor
    type.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> image.hflip(torch.Tensor([[1, 2, 3], [4, 5, 6]])).tolist()
    [[3.0, 2.0, 1.0], [6.0, 5.0, 4.0]]
    """
    check_image(src, "image.hflip")
    return into(out, _C_image.flip(src, src.dim() - 1, "image.hflip"))


def vflip(src, *, out=None):
    """vflip(src) -> image

    Flips an image (HxW or CxHxW) vertically (upside down): the height dim reversed. Any
    tensor type.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> image.vflip(torch.Tensor([[1, 2, 3], [4, 5, 6]])).tolist()
    [[4.0, 5.0, 6.0], [1.0, 2.0, 3.0]]
    """
    check_image(src, "image.vflip")
    return into(out, _C_image.flip(src, src.dim() - 2, "image.vflip"))


def flip(src, dim, *, out=None):
    """flip(src, dim) -> tensor

    A copy of ``src`` with dimension ``dim`` (0-based, negative counts from the end) reversed.
    Torch7 took 1-based dims and at most 5-D tensors; any number of dims here.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> image.flip(torch.Tensor([[1, 2], [3, 4]]), 0).tolist()
    [[3.0, 4.0], [1.0, 2.0]]
    """
    if not torch.isTensor(src):
        raise TypeError(f"image.flip: expected a tensor, got {type(src).__name__}")
    nd = src.dim()
    if not isinstance(dim, int) or isinstance(dim, bool):
        raise TypeError(f"image.flip: dim must be an int, got {type(dim).__name__}")
    if not -nd <= dim < nd:
        raise IndexError(
            f"image.flip: dim {dim} out of range for a tensor of size {size_str(src)} "
            f"({nd} dims)"
        )
    return into(out, _C_image.flip(src, dim % nd, "image.flip"))

