"""Torch7's image files: load, save, getSize, compressPNG / decompress, through Pillow.

Pillow is imported inside the functions, so ``import ferrotorch`` does not pay for it and
works without it (``pip install ferrotorch[demo]`` or ``pip install Pillow``).
"""

import io as _io
import os

import numpy as np

import ferrotorch as torch
from ferrotorch.image._common import check_image, size_str

__all__ = ["compressJPG", "compressPNG", "decompress", "getSize", "load", "save"]

_TYPES = {"byte": "torch.ByteTensor", "float": "torch.FloatTensor", "double": "torch.DoubleTensor"}


def _pil():
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "ferrotorch.image needs Pillow to read and write image files: pip install Pillow"
        ) from e
    return Image


def _channels_first(pic):
    """(array CxHxW, max value) of a Pillow image, as libpng / libjpeg gave them to Torch7."""
    mode = pic.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        return np.asarray(pic, dtype=np.uint16 if mode.startswith("I;16") else np.int32)[None], 65535
    if mode == "P" or mode == "PA":
        pic = pic.convert("RGBA" if "transparency" in pic.info or mode == "PA" else "RGB")
    elif mode in ("1", "CMYK", "YCbCr", "LAB", "HSV", "F", "RGBX"):
        pic = pic.convert("L" if mode in ("1", "F") else "RGB")
    arr = np.asarray(pic)
    arr = arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)
    return np.ascontiguousarray(arr), 255


def _todepth(img, depth, what):
    """Torch7's todepth: 1 -> grey (rgb2y of RGB(A)), 3 -> RGB (grey repeated, alpha dropped)."""
    from ferrotorch.image.color import rgb2y

    if depth is None:
        return img
    chan = img.size(0)
    if depth == 1:
        # As Torch7: RGB(A) gives an HxW luma image, grey (+ alpha) stays 1xHxW.
        if chan in (3, 4):
            if img.type() == "torch.ByteTensor":  # C: float luma + 0.5, truncated
                grey = rgb2y(img.narrow(0, 0, 3).float()).add(0.5).clamp(0, 255).byte()
            else:
                grey = rgb2y(img.narrow(0, 0, 3))
            return grey[0]
        if chan in (1, 2):
            return img.narrow(0, 0, 1).clone()
    elif depth == 3:
        if chan == 3:
            return img
        if chan == 4:
            return img.narrow(0, 0, 3).clone()
        if chan in (1, 2):
            return img.narrow(0, 0, 1).expand(3, img.size(1), img.size(2)).clone()
    else:
        raise ValueError(f"{what}: depth must be 1 or 3, got {depth!r}")
    raise ValueError(f"{what}: the image loaded has {chan} channels, which depth {depth} cannot take")


def _from_pil(pic, depth, tensortype, what):
    if tensortype is not None and tensortype not in _TYPES:
        raise ValueError(f"{what}: type must be 'byte', 'float' or 'double', got {tensortype!r}")
    arr, maxval = _channels_first(pic)
    if tensortype == "byte":
        if maxval != 255:
            arr = (arr.astype(np.float64) * (255 / maxval) + 0.5).astype(np.uint8)
        img = torch.fromNumpy(np.array(arr, dtype=np.uint8, order="C"))  # a writable copy
    else:
        typename = _TYPES.get(tensortype) or torch.Tensor().type()
        img = torch.fromNumpy(arr.astype(np.float64)).type(typename)
        img.mul(1 / maxval)  # Torch7's img:mul(1/MAXVAL), in the tensor's type
    return _todepth(img, depth, what)


def load(filename, depth=None, type=None):
    """load(filename [, depth] [, type]) -> image

    Loads a PNG or JPEG file (also anything else Pillow reads) into a CxHxW tensor: values in
    [0, 1] for ``type`` 'float', 'double' or None (the default tensor type), 0..255 for 'byte'.
    C is 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA); ``depth=1`` gives one grey channel
    (as Torch7: HxW, the luma, for an RGB file; 1xHxW for a grey one), ``depth=3`` an RGB
    image. 16-bit PNGs are divided by 65535.

    >>> import os, tempfile
    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> path = os.path.join(tempfile.mkdtemp(), 'x.png')
    >>> image.save(path, torch.Tensor(3, 2, 4).fill(0.5))
    >>> list(image.load(path).size()), list(image.load(path, 1, 'byte').size())
    ([3, 2, 4], [2, 4])
    >>> image.load(path, type='byte')[0][0][0]
    128
    """
    pil = _pil()
    if not os.path.exists(filename):
        raise FileNotFoundError(f"image.load: no such file: {filename!r}")
    try:
        with pil.open(filename) as pic:
            pic.load()
            return _from_pil(pic, depth, type, "image.load")
    except pil.UnidentifiedImageError as e:
        raise ValueError(f"image.load: {filename!r} is not an image file Pillow can read") from e


def _to_pil(tensor, what):
    """A Pillow image of a HxW or CxHxW tensor (C = 1, 3 or 4): floats are clamped to [0, 1]
    and scaled to 0..255, rounded to nearest (Torch7 truncated, so that 0.7843... -> 199)."""
    pil = _pil()
    chan, _, _ = check_image(tensor, what)
    if chan not in (None, 1, 3, 4):
        raise ValueError(
            f"{what}: an image file holds 1, 3 or 4 channels; got size {size_str(tensor)}"
        )
    arr = tensor.contiguous().numpy()
    if tensor.type() != "torch.ByteTensor":
        arr = np.floor(np.clip(arr.astype(np.float64), 0, 1) * 255 + 0.5).astype(np.uint8)
    if arr.ndim == 3:
        arr = arr[0] if arr.shape[0] == 1 else arr.transpose(1, 2, 0)
    return pil.fromarray(np.ascontiguousarray(arr))


def save(filename, tensor, quality=None):
    """save(filename, tensor [, quality])

    Saves a HxW or CxHxW tensor (C = 1, 3 or 4) as the image format of the file's extension
    (.png, .jpg / .jpeg, or any other Pillow writes). Float values are clamped to [0, 1] and
    scaled to 0..255; a ByteTensor is written as it is. ``quality`` (1..100) is for JPEG.
    The file is written atomically (a temporary file, then renamed).

    >>> import os, tempfile
    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> path = os.path.join(tempfile.mkdtemp(), 'grey.png')
    >>> image.save(path, torch.Tensor(5, 7).fill(1))
    >>> image.getSize(path).tolist()
    [1, 5, 7]
    """
    if not torch.isTensor(tensor):
        raise TypeError(f"image.save: expected a tensor, got {type(tensor).__name__}")
    ext = os.path.splitext(filename)[1].lower().lstrip(".")
    if not ext:
        raise ValueError(f"image.save: cannot tell the image format of {filename!r} (no extension)")
    pic = _to_pil(tensor, "image.save")
    fmt = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG"}.get(ext, ext.upper())
    if fmt == "JPEG" and pic.mode == "RGBA":
        pic = pic.convert("RGB")
    kwargs = {"quality": int(quality)} if quality is not None and fmt == "JPEG" else {}
    tmp = f"{filename}.tmp{os.getpid()}"
    try:
        pic.save(tmp, format=fmt, **kwargs)
        os.replace(tmp, filename)
    except KeyError as e:
        raise ValueError(f"image.save: unknown image type: {ext!r}") from e
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def getSize(filename):
    """getSize(filename) -> LongTensor {channels, height, width}

    The size of an image file without decoding its pixels.

    >>> import os, tempfile
    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> path = os.path.join(tempfile.mkdtemp(), 'x.png')
    >>> image.save(path, torch.Tensor(3, 2, 4).fill(0.5))
    >>> image.getSize(path).tolist()
    [3, 2, 4]
    """
    pil = _pil()
    with pil.open(filename) as pic:
        bands = len(pic.getbands())
        if pic.mode == "P":
            bands = 4 if "transparency" in pic.info else 3
        return torch.LongTensor([bands, pic.height, pic.width])


def _compress(tensor, fmt, what, **kwargs):
    buf = _io.BytesIO()
    pic = _to_pil(tensor, what)
    if fmt == "JPEG" and pic.mode == "RGBA":
        pic = pic.convert("RGB")
    pic.save(buf, format=fmt, **kwargs)
    return torch.fromNumpy(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def compressPNG(tensor):
    """compressPNG(tensor) -> ByteTensor

    The bytes of a PNG file holding the image (as ``save`` would write it), in a ByteTensor.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> png = image.compressPNG(torch.Tensor(3, 4, 4).fill(1))
    >>> png.type(), png[:4].tolist()
    ('torch.ByteTensor', [137, 80, 78, 71])
    """
    return _compress(tensor, "PNG", "image.compressPNG")


def compressJPG(tensor, quality=75):
    """compressJPG(tensor [, quality]) -> ByteTensor

    The bytes of a JPEG file holding the image, in a ByteTensor (quality 1..100).

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> image.compressJPG(torch.Tensor(3, 8, 8).fill(0.5))[:3].tolist()
    [255, 216, 255]
    """
    return _compress(tensor, "JPEG", "image.compressJPG", quality=int(quality))


def decompress(tensor, depth=None, type=None):
    """decompress(bytes [, depth] [, type]) -> image

    Decodes a PNG or JPEG file held in a ByteTensor (as compressPNG / compressJPG give), as
    ``load`` does a file.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> x = torch.Tensor(1, 1, 5).fill(0.25)
    >>> image.decompress(image.compressPNG(x), type='byte').tolist()
    [[[64, 64, 64, 64, 64]]]
    """
    pil = _pil()
    if not torch.isTensor(tensor) or tensor.type() != "torch.ByteTensor":
        raise TypeError("image.decompress: the input must be a ByteTensor of PNG or JPEG bytes")
    data = tensor.contiguous().numpy().tobytes()
    if not (data[:3] == b"\xff\xd8\xff" or data[:4] == b"\x89PNG"):
        raise ValueError("image.decompress: the input must be either jpg or png format")
    with pil.open(_io.BytesIO(data)) as pic:
        pic.load()
        return _from_pil(pic, depth, type, "image.decompress")
