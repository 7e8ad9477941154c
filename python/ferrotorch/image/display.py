"""Torch7's image display: toDisplayTensor (a grid of images) and display, which returns an
object that Jupyter shows inline through ``_repr_png_`` (as itorch.image did in iTorch)."""

import math

import ferrotorch as torch
from ferrotorch.image._common import size_str
from ferrotorch.image.filters import minmax

__all__ = ["Display", "display", "repr_png", "toDisplayTensor"]

builtin_min = min  # toDisplayTensor's `min` argument hides the builtin


def _pack(input):
    if isinstance(input, (list, tuple)):
        if not input or not all(torch.isTensor(t) for t in input):
            raise TypeError("image.toDisplayTensor: a list input must be a non-empty list of tensors")
        first = input[0]
        if first.dim() not in (2, 3):
            raise ValueError(
                f"image.toDisplayTensor: list items must be HxW or CxHxW, got size {size_str(first)}"
            )
        nd = first.dim()
        channels = 1 if nd == 2 else first.size(0)
        h, w = first.size(nd - 2), first.size(nd - 1)
        packed = torch.Tensor(len(input), channels, h, w)
        for i, img in enumerate(input):
            if img.nElement() != channels * h * w:
                raise ValueError(
                    f"image.toDisplayTensor: item {i} of size {size_str(img)} does not match "
                    f"item 0 of size {size_str(first)}"
                )
            packed[i].copy(img)
        return packed
    if torch.isTensor(input):
        return torch.Tensor(input.size()).copy(input)
    raise TypeError(f"image.toDisplayTensor: unknown or incompatible type of input: {type(input).__name__}")


def toDisplayTensor(input, padding=0, nrow=6, scaleeach=False, min=None, max=None,
                    symmetric=False, saturate=True):
    """toDisplayTensor(input, [padding=0], [nrow=6], [scaleeach=false], [min], [max], [symmetric=false], [saturate=true]) -> image

    Lays a pack of images out on a grid: ``input`` is KxCxHxW (C = 1 or 3), KxHxW (K maps) or a
    list of HxW / CxHxW images; ``nrow`` images per row, ``padding`` pixels between them (the
    background is the pack's max). The grid is then rescaled to [0, 1] by ``image.minmax``
    (``min``, ``max``, ``symmetric``, ``saturate``), or each image on its own with
    ``scaleeach``. A single HxW or 1/3xHxW image is only rescaled. Returns a tensor of the
    default type.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> torch.manualSeed(0)
    >>> list(image.toDisplayTensor(torch.rand(5, 3, 4, 4), padding=1, nrow=3).size())
    [3, 10, 15]
    >>> list(image.toDisplayTensor([torch.rand(8, 8) for _ in range(4)], nrow=2).size())
    [1, 16, 16]
    """
    packed = _pack(input)
    opts = {"min": min, "max": max, "symm": symmetric, "saturate": saturate}
    nd = packed.dim()
    colour = nd == 4 and packed.size(1) in (1, 3)
    if scaleeach and (colour or (nd == 3 and packed.size(0) not in (1, 3))):
        for i in range(packed.size(0)):
            minmax(packed[i], inplace=True, **opts)
    if nd == 2 or (nd == 3 and packed.size(0) in (1, 3)):
        return minmax(packed, inplace=True, **opts)
    if colour or nd == 3:
        nmaps = packed.size(0)
        xmaps = builtin_min(nrow, nmaps)
        ymaps = math.ceil(nmaps / xmaps)
        h, w = packed.size(nd - 2) + padding, packed.size(nd - 1) + padding
        shape = (packed.size(1),) if colour else ()
        grid = torch.Tensor(*shape, h * ymaps, w * xmaps).fill(packed.max())
        hd, wd = grid.dim() - 2, grid.dim() - 1
        k = 0
        for y in range(ymaps):
            for x in range(xmaps):
                if k >= nmaps:
                    break
                grid.narrow(hd, math.floor(y * h + padding / 2), h - padding).narrow(
                    wd, math.floor(x * w + padding / 2), w - padding).copy(packed[k])
                k += 1
    else:
        raise ValueError(
            "image.toDisplayTensor: input must be a HxW or KxHxW or Kx3xHxW tensor, or a list of "
            f"tensors; got size {size_str(packed)}"
        )
    if not scaleeach:
        minmax(grid, inplace=True, **opts)
    return grid



def repr_png(tensor):
    """repr_png(tensor) -> bytes or None

    PNG bytes showing ``tensor`` when it is an image (HxW, or CxHxW with C = 1, 3 or 4), its
    values rescaled to [0, 1] with ``image.minmax`` as display did; None otherwise (what
    IPython expects of ``_repr_png_``). Assign it as a tensor class's ``_repr_png_`` to have
    image tensors shown inline in Jupyter.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> image.repr_png(torch.rand(3, 8, 8))[:4]
    b'\\x89PNG'
    >>> image.repr_png(torch.rand(5)) is None
    True
    """
    from ferrotorch.image.io import compressPNG

    if not torch.isTensor(tensor) or tensor.dim() not in (2, 3) or tensor.nElement() == 0:
        return None
    if tensor.dim() == 3 and tensor.size(0) not in (1, 3, 4):
        return None
    return bytes(compressPNG(minmax(tensor)).numpy())


class Display:
    """Display(image, zoom=1, legend=None): what ``image.display`` returns.

    Holds the CxHxW grid (``.image``, values in [0, 1]); Jupyter calls ``_repr_png_`` to show
    it inline, zoomed ``zoom`` times (nearest pixel). ``save(path)`` writes it as a file.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> d = image.display(torch.rand(4, 4), zoom=2, legend='noise')
    >>> d
    <image.display 'noise': 4x4, zoom 2>
    >>> d._repr_png_()[:4]
    b'\\x89PNG'
    """

    def __init__(self, image, zoom=1, legend=None):
        self.image = image
        self.zoom = zoom
        self.legend = legend

    def _zoomed(self):
        from ferrotorch.image.geometry import scale

        if self.zoom == 1:
            return self.image
        d = self.image.dim()
        w, h = self.image.size(d - 1), self.image.size(d - 2)
        return scale(self.image, w * self.zoom, h * self.zoom, "simple")

    def _repr_png_(self):
        from ferrotorch.image.io import compressPNG

        return bytes(compressPNG(self._zoomed()).numpy())

    def save(self, path):
        """save(path): writes the (zoomed) image as a file, format from the extension.

        >>> import os, tempfile
        >>> import ferrotorch as torch
        >>> from ferrotorch import image
        >>> path = os.path.join(tempfile.mkdtemp(), 'grid.png')
        >>> image.display(torch.rand(2, 3, 4, 4)).save(path)
        >>> os.path.exists(path)
        True
        """
        from ferrotorch.image.io import save

        save(path, self._zoomed())

    def __repr__(self):
        d = self.image.dim()
        size = f"{self.image.size(d - 1)}x{self.image.size(d - 2)}"
        name = f" {self.legend!r}" if self.legend else ""
        return f"<image.display{name}: {size}, zoom {self.zoom}>"


def display(image, zoom=1, min=None, max=None, legend=None, scaleeach=False, padding=0,
            symmetric=False, nrow=6, saturate=True):
    """display(image, [zoom=1], [min], [max], [legend], [scaleeach], [padding], [symmetric], [nrow], [saturate]) -> Display

    Shows an image, or a pack of images on a grid (see ``toDisplayTensor`` for the layout and
    the range options). Torch7 opened a Qt window; here the returned ``Display`` object is
    shown inline by Jupyter (as itorch.image did) and can be saved to a file.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> d = image.display(torch.rand(6, 1, 5, 5), padding=1, nrow=3)
    >>> list(d.image.size())
    [1, 12, 18]
    """
    grid = toDisplayTensor(image, padding=padding, nrow=nrow, scaleeach=scaleeach, min=min,
                           max=max, symmetric=symmetric, saturate=saturate)
    return Display(grid, zoom=zoom, legend=legend)
