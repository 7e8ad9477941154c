"""What the image functions share: argument checks with clear messages, and ``out=``."""

import ferrotorch as torch

_C_image = torch._C._image


def check_image(src, what, depths=None):
    """(channels or None, height, width) of a 2-D (HxW) or 3-D (CxHxW) image tensor."""
    if not torch.isTensor(src):
        raise TypeError(f"{what}: expected an image tensor, got {type(src).__name__}")
    if src.dim() not in (2, 3):
        sizes = "x".join(str(s) for s in src.size()) or "(empty)"
        raise ValueError(f"{what}: expected a 2-D (HxW) or 3-D (CxHxW) image, got size {sizes}")
    if src.dim() == 2:
        return None, src.size(0), src.size(1)
    return src.size(0), src.size(1), src.size(2)


def into(out, result):
    """Returns ``result``, or copies it into ``out`` (resized to its size) and returns out."""
    if out is None:
        return result
    if not torch.isTensor(out):
        raise TypeError(f"out= must be a tensor, got {type(out).__name__}")
    out.resize(result.size()).copy(result)
    return out


def size_str(t):
    return "x".join(str(s) for s in t.size()) or "(empty)"
