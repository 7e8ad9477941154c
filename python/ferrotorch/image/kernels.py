"""image.gaussian, image.gaussian1D, image.laplacian: Torch7's kernel generators.

Each kernel is an outer combination of two coordinate vectors, computed with whole-tensor
operations in the order Torch7's C / Lua loops used, so the values are Torch7's (sample
positions 1-based inside the formulas, as in Torch7: ``(u + 1 - (mean*W + 0.5)) / (sigma*W)``).
Arguments are positional in Torch7's order, keywords, or one dict (Torch7's table call).
"""

import ferrotorch as torch


def _unpack(name, args, kwargs, names, defaults):
    """Torch7's dok.unpack: positional in `names` order, keywords, or a single dict."""
    if len(args) == 1 and isinstance(args[0], dict) and not kwargs:
        args, kwargs = (), dict(args[0])
    if len(args) > len(names):
        raise TypeError(f"{name}: takes at most {len(names)} arguments, got {len(args)}")
    values = dict(defaults)
    values.update(zip(names, args))
    for key, v in kwargs.items():
        if key not in names:
            raise TypeError(f"{name}: unknown argument {key!r} (expected one of {', '.join(names)})")
        values[key] = v
    return values


def _positions(n, mean, sigma):
    """((i - (mean*n + 0.5)) * (1 / (sigma*n))) for i = 1..n, as image.c computes du / dv."""
    center = mean * n + 0.5
    return (torch.range(1, n) - center) * (1.0 / (sigma * n))


_GAUSS_NAMES = ("size", "sigma", "amplitude", "normalize", "width", "height", "sigma_horz",
                "sigma_vert", "mean_horz", "mean_vert", "tensor")


def gaussian(*args, **kwargs):
    """image.gaussian([size=3], [sigma=0.25], [amplitude=1], [normalize=False], [width=size],
    [height=size], [sigma_horz=sigma], [sigma_vert=sigma], [mean_horz=0.5], [mean_vert=0.5],
    [tensor]) -> a height x width gaussian kernel

    ``amplitude * exp(-((u+1 - c_u)^2/(sigma_horz*W)^2 + (v+1 - c_v)^2/(sigma_vert*H)^2)/2)``
    at 0-based column u and row v, with ``c = mean * size + 0.5``: sigma and mean are fractions
    of the kernel's size. normalize=True divides by the sum (amplitude then has no effect).
    Given ``tensor`` (2-D, non-empty), the kernel is written into it and its size is used.

    >>> from ferrotorch import image
    >>> g = image.gaussian(3)
    >>> round(g[1][1], 6), round(g[0][0], 6)
    (1.0, 0.169013)
    >>> round(image.gaussian(5, normalize=True).sum(), 12)
    1.0
    """
    a = _unpack("image.gaussian", args, kwargs, _GAUSS_NAMES,
                {"size": 3, "sigma": 0.25, "amplitude": 1, "normalize": False, "mean_horz": 0.5,
                 "mean_vert": 0.5})
    size, sigma, tensor = a["size"], a["sigma"], a.get("tensor")
    width, height = a.get("width") or size, a.get("height") or size
    if tensor is not None:
        if tensor.dim() != 2 or tensor.nElement() == 0:
            raise ValueError(f"image.gaussian: expecting a non-empty 2D tensor, got size "
                             f"{list(tensor.size())}")
        height, width = tensor.size(0), tensor.size(1)
    du = _positions(width, a["mean_horz"], a.get("sigma_horz") or sigma)
    dv = _positions(height, a["mean_vert"], a.get("sigma_vert") or sigma)
    # image.c: amplitude * exp(-0.5 * (du*du + dv*dv)), row v, column u.
    sq = (du * du).view(1, width) + (dv * dv).view(height, 1)
    gauss = torch.exp(sq * -0.5) * a["amplitude"]
    if a["normalize"]:
        gauss = gauss * (1.0 / gauss.sum())
    return _into(tensor, gauss)


def _into(tensor, result):
    if tensor is None:
        return result
    tensor.copy(result)
    return tensor


def gaussian1D(*args, **kwargs):
    """image.gaussian1D([size=3], [sigma=0.25], [amplitude=1], [normalize=False], [mean=0.5],
    [tensor]) -> a 1-D gaussian kernel of size elements

    ``amplitude * exp(-((i+1 - (mean*size + 0.5)) / (sigma*size))^2 / 2)`` at 0-based i;
    normalize=True divides by the sum. Given ``tensor`` (1-D, non-empty), its size is used.

    >>> from ferrotorch import image
    >>> [round(v, 6) for v in image.gaussian1D(3).tolist()]
    [0.411112, 1.0, 0.411112]
    """
    a = _unpack("image.gaussian1D", args, kwargs,
                ("size", "sigma", "amplitude", "normalize", "mean", "tensor"),
                {"size": 3, "sigma": 0.25, "amplitude": 1, "normalize": False, "mean": 0.5})
    size, tensor = a["size"], a.get("tensor")
    if tensor is not None:
        if tensor.dim() != 1 or tensor.nElement() == 0:
            raise ValueError(f"image.gaussian1D: expecting a non-empty 1D tensor, got size "
                             f"{list(tensor.size())}")
        size = tensor.size(0)
    center = a["mean"] * size + 0.5
    d = (torch.range(1, size) - center) / (a["sigma"] * size)
    gauss = torch.exp(d * d / -2.0) * a["amplitude"]
    if a["normalize"]:
        gauss = gauss / gauss.sum()
    return _into(tensor, gauss)


def laplacian(*args, **kwargs):
    """image.laplacian([size=3], [sigma=0.1], [amplitude=1], [normalize=False], [width=size],
    [height=size], [sigma_horz=sigma], [sigma_vert=sigma], [mean_horz=0.5], [mean_vert=0.5])
    -> a height x width Laplacian-of-gaussian kernel

    ``(1 - (xsq + ysq)) * amplitude * exp(-(xsq + ysq))`` with, at 0-based row i and column j,
    ``xsq = ((i+1 - c_x)/(sigma_horz*width))^2/2`` and ``ysq = ((j+1 - c_y)/(sigma_vert*height))^2/2``
    (``c_x = mean_horz*width + 0.5``, ``c_y = mean_vert*height + 0.5``): Torch7 pairs the row
    index with the horizontal parameters, and so do we.

    >>> from ferrotorch import image
    >>> k = image.laplacian(3)
    >>> round(k[1][1], 6)
    1.0
    """
    a = _unpack("image.laplacian", args, kwargs, _GAUSS_NAMES[:-1],
                {"size": 3, "sigma": 0.1, "amplitude": 1, "normalize": False, "mean_horz": 0.5,
                 "mean_vert": 0.5})
    size, sigma = a["size"], a["sigma"]
    width, height = a.get("width") or size, a.get("height") or size
    cx, cy = a["mean_horz"] * width + 0.5, a["mean_vert"] * height + 0.5
    dx = (torch.range(1, height) - cx) / ((a.get("sigma_horz") or sigma) * width)
    dy = (torch.range(1, width) - cy) / ((a.get("sigma_vert") or sigma) * height)
    xsq, ysq = (dx * dx / 2).view(height, 1), (dy * dy / 2).view(1, width)
    r = xsq + ysq
    logauss = (1 - r) * a["amplitude"] * torch.exp(-r)
    if a["normalize"]:
        logauss = logauss / logauss.sum()
    return logauss
