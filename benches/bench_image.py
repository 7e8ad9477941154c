"""ferrotorch.image speed, side by side in one process with PyTorch (interpolate, grid_sample,
flip, roll), numpy and Pillow, on a 3x512x512 float32 image (``--quick``: 3x128x128).

Prints each function's time, the reference's time and ref/ft (above 1: ferrotorch is faster).
The references compute the same operation but not Torch7's exact arithmetic (PyTorch's
bilinear upsampling is align_corners interpolation, its downsampling is not an area average;
Pillow resizes 8-bit images). Usage: python benches/bench_image.py [--quick]
"""

import math
import sys
import time

import ferrotorch as torch
import numpy as np
from ferrotorch import image

try:
    import torch as pt
except ImportError:
    pt = None
try:
    from PIL import Image as PIL
except ImportError:
    PIL = None

QUICK = "--quick" in sys.argv
N = 128 if QUICK else 512


def best_time(fn, repeat=5, min_time=0.05 if QUICK else 0.2):
    """Seconds per call: the best of `repeat` rounds, each at least min_time / 5 long."""
    fn()
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time / 5:
            break
        n *= 4
    best = elapsed / n
    for _ in range(repeat - 1):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - start) / n)
    return best


def fmt(s):
    return f"{s * 1e3:9.3f} ms"


def main():
    rng = np.random.default_rng(0)
    a = rng.random((3, N, N), dtype=np.float32)
    x = torch.fromNumpy(a)
    p = pt.from_numpy(a) if pt is not None else None
    F = pt.nn.functional if pt is not None else None
    u8 = PIL.fromarray((a.transpose(1, 2, 0) * 255).astype(np.uint8)) if PIL else None
    big, small = (2 * N, 2 * N), (N // 2, N // 2)
    theta = 0.3
    c, s = math.cos(theta), math.sin(theta)

    def grid_rotate(mode):
        affine = pt.tensor([[[c, -s, 0.0], [s, c, 0.0]]], dtype=pt.float32)
        grid = F.affine_grid(affine, (1, 3, N, N), align_corners=True)
        return lambda: F.grid_sample(p[None], grid, mode=mode, align_corners=True)

    rows = [
        ("scale x2 bilinear", lambda: image.scale(x, *big), "pt interpolate bilinear",
         pt and (lambda: F.interpolate(p[None], size=big, mode="bilinear", align_corners=True))),
        ("scale x2 bicubic", lambda: image.scale(x, *big, "bicubic"), "pt interpolate bicubic",
         pt and (lambda: F.interpolate(p[None], size=big, mode="bicubic", align_corners=True))),
        ("scale x2 simple", lambda: image.scale(x, *big, "simple"), "pt interpolate nearest",
         pt and (lambda: F.interpolate(p[None], size=big, mode="nearest"))),
        ("scale /2 bilinear (area)", lambda: image.scale(x, *small), "pt interpolate area",
         pt and (lambda: F.interpolate(p[None], size=small, mode="area"))),
        ("scale x2 bilinear", lambda: image.scale(x, *big), "Pillow resize BILINEAR (u8)",
         u8 and (lambda: u8.resize(big, PIL.BILINEAR))),
        ("rotate simple", lambda: image.rotate(x, theta), "pt grid_sample nearest",
         pt and grid_rotate("nearest")),
        ("rotate bilinear", lambda: image.rotate(x, theta, "bilinear"), "pt grid_sample bilinear",
         pt and grid_rotate("bilinear")),
        ("rotate bilinear", lambda: image.rotate(x, theta, "bilinear"), "Pillow rotate (u8)",
         u8 and (lambda: u8.rotate(math.degrees(theta), PIL.BILINEAR))),
        ("translate", lambda: image.translate(x, 5, -3), "numpy roll + zero",
         lambda: np.roll(a, (-3, 5), (1, 2))),
        ("hflip", lambda: image.hflip(x), "pt flip", pt and (lambda: pt.flip(p, (2,)))),
        ("vflip", lambda: image.vflip(x), "pt flip", pt and (lambda: pt.flip(p, (1,)))),
        ("hflip", lambda: image.hflip(x), "numpy copy", lambda: a[:, :, ::-1].copy()),
        ("crop", lambda: image.crop(x, 10, 10, N - 10, N - 10), "numpy slice copy",
         lambda: a[:, 10:N - 10, 10:N - 10].copy()),
        ("rgb2yuv", lambda: image.rgb2yuv(x), "numpy einsum",
         lambda: np.einsum("ij,jhw->ihw", np.array([[0.299, 0.587, 0.114],
                                                   [-0.14713, -0.28886, 0.436],
                                                   [0.615, -0.51499, -0.10001]],
                                                  np.float32), a)),
        ("rgb2y", lambda: image.rgb2y(x), "numpy weighted sum",
         lambda: 0.299 * a[0] + 0.587 * a[1] + 0.114 * a[2]),
        ("rgb2hsv", lambda: image.rgb2hsv(x), "Pillow convert HSV (u8)",
         u8 and (lambda: u8.convert("HSV"))),
        ("hsv2rgb", lambda: image.hsv2rgb(x), "Pillow convert RGB (u8)",
         u8 and (lambda: u8.convert("HSV").convert("RGB"))),
        ("minmax", lambda: image.minmax(x), "numpy (a-min)/(max-min)",
         lambda: (a - a.min()) / (a.max() - a.min())),
    ]
    print(f"image 3x{N}x{N} float32, {torch.getnumthreads()} threads")
    print(f"{'ferrotorch':28} {'time':>12}   {'reference':30} {'time':>12}  ref/ft")
    worst = None
    for name, ours, ref_name, ref in rows:
        t_ours = best_time(ours)
        if not ref:
            print(f"{name:28} {fmt(t_ours)}   {ref_name:30} {'(missing)':>12}")
            continue
        t_ref = best_time(ref)
        ratio = t_ref / t_ours
        mark = "  < 1" if ratio < 1 else ""
        print(f"{name:28} {fmt(t_ours)}   {ref_name:30} {fmt(t_ref)}  {ratio:6.2f}{mark}")
        if worst is None or ratio < worst[0]:
            worst = (ratio, name, ref_name)
    if worst:
        print(f"worst: {worst[1]} vs {worst[2]}: {worst[0]:.2f}")


if __name__ == "__main__":
    main()
