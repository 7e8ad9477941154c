"""Torch7's image filters over the engine's tensor ops: minmax, convolve, lcn."""

import math

import ferrotorch as torch
from ferrotorch.image._common import check_image, into, size_str

__all__ = ["convolve", "lcn", "minmax"]

_max = max  # the builtin, which minmax's `max` argument hides


def minmax(tensor, min=None, max=None, symm=False, inplace=False, saturate=False,
           tensorOut=None):
    """minmax(tensor, [min], [max], [symm], [inplace], [saturate], [tensorOut]) -> tensor

    Rescales ``tensor`` to [0, 1]: ``(x - min) / (max - min)``, min and max defaulting to the
    tensor's own. ``symm``: the range is [-m, m] with m = max |x|. ``saturate`` (only when
    min or max is given) clamps to [0, 1]. The result is a new tensor of the default type,
    the tensor itself with ``inplace=True``, or ``tensorOut``.

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> image.minmax(torch.Tensor([2, 4, 6])).tolist()
    [0.0, 0.5, 1.0]
    >>> image.minmax(torch.Tensor([-2, 0, 1]), symm=True).tolist()
    [0.0, 0.5, 0.75]
    >>> image.minmax(torch.Tensor([0, 5, 10]), min=0, max=5, saturate=True).tolist()
    [0.0, 1.0, 1.0]
    """
    if not torch.isTensor(tensor):
        raise TypeError(f"image.minmax: expected a tensor, got {type(tensor).__name__}")
    if tensorOut is not None:
        out = tensorOut.resize(tensor.size()).copy(tensor)
    elif inplace:
        out = tensor
    else:
        out = torch.Tensor(tensor.size()).copy(tensor)
    if out.nElement() == 0:
        return out
    if min is None and max is None:
        saturate = False  # the inferred range already fits
    fmin = 0
    if min is None:
        if symm:
            fmin = _max(abs(out.min()), abs(out.max()))
            min = -fmin
        else:
            min = out.min()
    if min != 0:
        out.add(-min)
    if max is None:
        max = fmin * 2 if symm else out.max()
    else:
        max = max - min
    if max != 0:
        out.div(max)
    if saturate:
        out.clamp(0, 1)
    return out



def convolve(src, kernel, mode="valid", *, out=None):
    """convolve(src, kernel [, mode]) -> image

    Convolves an image (HxW, or CxHxW with a 2-D kernel applied to each channel, or a CxkHxkW
    kernel slice by slice) with ``kernel`` through ``torch.conv2``: ``mode`` 'valid' (the
    default; size H-kH+1), 'full' (H+kH-1) or 'same' (H, the centre of 'full').

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> x = torch.Tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    >>> image.convolve(x, torch.ones(2, 2)).tolist()
    [[12.0, 16.0], [24.0, 28.0]]
    >>> list(image.convolve(x, torch.ones(3, 3), 'same').size())
    [3, 3]
    """
    check_image(src, "image.convolve")
    if mode not in ("valid", "full", "same"):
        raise ValueError(f"image.convolve: mode has to be one of full | valid | same, got {mode!r}")
    if not torch.isTensor(kernel) or kernel.dim() not in (2, 3):
        raise ValueError("image.convolve: the kernel must be a 2-D or 3-D tensor")
    if kernel.dim() == 2 and src.dim() == 3:
        kernel = kernel.view(1, kernel.size(0), kernel.size(1)).expand(
            src.size(0), kernel.size(0), kernel.size(1)).contiguous()
    md = "F" if mode in ("full", "same") else "V"
    dst = torch.conv2(src, kernel, md)
    if mode == "same":
        cx = dst.dim() - 1
        cy = cx - 1
        ofy = math.ceil(kernel.size(cy) / 2) - 1
        ofx = math.ceil(kernel.size(cx) / 2) - 1
        dst = dst.narrow(cy, ofy, src.size(cy)).narrow(cx, ofx, src.size(cx))
    return into(out, dst)


def lcn(im, ker=None):
    """lcn(im [, kernel]) -> image

    Local contrast normalisation of a grey image (HxW or 1xHxW): the image is standardised
    (mean 0, unbiased std 1), then each pixel has the kernel-weighted local mean subtracted
    and is divided by the local standard deviation (at least 1). ``kernel`` defaults to the
    normalised 9x9 Gaussian ``image.gaussian{size=9, sigma=1.591/9, normalize=true}``. The
    result is a DoubleTensor of the 'valid' size (H-kH+1)x(W-kW+1).

    >>> import ferrotorch as torch
    >>> from ferrotorch import image
    >>> torch.manualSeed(1)
    >>> list(image.lcn(torch.rand(12, 12), torch.ones(3, 3).div(9)).size())
    [10, 10]
    """
    if not torch.isTensor(im):
        raise TypeError(f"image.lcn: expected a tensor, got {type(im).__name__}")
    if not (im.dim() == 2 or (im.dim() == 3 and im.size(0) == 1)):
        raise ValueError(f"image.lcn: grayscale image expected (HxW or 1xHxW), got size {size_str(im)}")
    if ker is None:
        ker = _default_lcn_kernel()
    im = im.clone().type("torch.DoubleTensor")
    if im.dim() == 3:
        im = im[0]
    ker = ker.type("torch.DoubleTensor")
    if ker.size(0) > im.size(0) or ker.size(1) > im.size(1):
        raise ValueError(
            f"image.lcn: the kernel of size {size_str(ker)} is larger than the image of size "
            f"{size_str(im)}"
        )
    mn, sd = im.mean(), im.std()
    im.add(-mn)
    im.div(sd)
    lmn = torch.conv2(im, ker)
    lmnsq = torch.conv2(im.clone().cmul(im), ker)
    lvar = lmn.clone().cmul(lmn)
    lvar.add(-1, lmnsq).mul(-1)
    lstd = lvar.cmax(0).sqrt().cmax(1)
    si, sj = ker.size(0) // 2, ker.size(1) // 2
    dim = im.narrow(0, si, lstd.size(0)).narrow(1, sj, lstd.size(1)).clone()
    dim.add(-1, lmn)
    dim.cdiv(lstd)
    return dim


def _default_lcn_kernel():
    # Torch7's default: image.gaussian{size=9, sigma=1.591/9, normalize=true}.
    from ferrotorch import image

    if not hasattr(image, "gaussian"):
        raise RuntimeError("image.lcn: the default kernel needs image.gaussian; pass a kernel")
    return image.gaussian(size=9, sigma=1.591 / 9, normalize=True)
