"""nn pooling speed: every pooling class of ferrotorch.nn beside PyTorch's functional
equivalent, in one process, on the same float32 values (`pip install '.[bench]'`).

Each row times forward (``m.forward(x)``) and forward+backward (``m.forward(x);
m.backward(x, g)``) against PyTorch's ``F.<op>(x)`` and ``y = F.<op>(x); y.backward(g)`` (input
with requires_grad), interleaved, as the median of several calls after warm-up. Printed ratios
are ours / PyTorch's time: at or below 1 means ferrotorch is as fast or faster. Rows without a
PyTorch op (FeatureLPPooling) print our times only; TemporalDynamicKMaxPooling is compared with
``topk`` + ``sort`` of the indices + ``gather`` (what the module computes).

Goal (issue 16): SpatialMaxPooling at or below max_pool2d at the talk's shapes (batch 64,
16x28x28 and 64x10x10, 2x2 stride 2), forward and forward+backward.
Usage: python benches/bench_nn_pooling.py [--quick] [--talk]
"""

import os

# PyTorch's OpenMP threads spin after each parallel region by default, taking the cores from
# our interleaved calls; waiting passively is fair to both (see bench_optim.py).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("KMP_BLOCKTIME", "0")

import statistics
import sys
import time

import ferrotorch as torch
import numpy as np
from ferrotorch import nn

try:
    import torch as pt
    import torch.nn.functional as F
except ImportError:  # the bench still reports our own times
    pt = None

QUICK = "--quick" in sys.argv
TALK = "--talk" in sys.argv
ROUNDS = 7 if QUICK else 25


def kmax(x, k):
    idx = x.topk(k, dim=1).indices.sort(dim=1).values
    return x.gather(1, idx)


# (label, module builder, input shape, PyTorch forward on x (None: no PyTorch op), talk row)
ROWS = [
    ("SpatialMaxPooling(2,2) 64x16x28x28", lambda: nn.SpatialMaxPooling(2, 2), (64, 16, 28, 28),
     lambda x: F.max_pool2d(x, 2, 2), True),
    ("SpatialMaxPooling(2,2) 64x64x10x10", lambda: nn.SpatialMaxPooling(2, 2), (64, 64, 10, 10),
     lambda x: F.max_pool2d(x, 2, 2), True),
    ("SpatialMaxPooling(3,3,2,2,1,1) 64x16x28x28",
     lambda: nn.SpatialMaxPooling(3, 3, 2, 2, 1, 1), (64, 16, 28, 28),
     lambda x: F.max_pool2d(x, 3, 2, 1), False),
    ("SpatialDilatedMaxPooling(3,3,1,1,1,1,2,2) 16x16x28x28",
     lambda: nn.SpatialDilatedMaxPooling(3, 3, 1, 1, 1, 1, 2, 2), (16, 16, 28, 28),
     lambda x: F.max_pool2d(x, 3, 1, 1, 2), False),
    ("SpatialAveragePooling(2,2,2,2) 64x16x28x28",
     lambda: nn.SpatialAveragePooling(2, 2, 2, 2), (64, 16, 28, 28),
     lambda x: F.avg_pool2d(x, 2, 2), False),
    ("SpatialAveragePooling(3,3,1,1,1,1) 16x16x28x28",
     lambda: nn.SpatialAveragePooling(3, 3, 1, 1, 1, 1), (16, 16, 28, 28),
     lambda x: F.avg_pool2d(x, 3, 1, 1), False),
    ("SpatialAdaptiveMaxPooling(4,4) 16x16x28x28",
     lambda: nn.SpatialAdaptiveMaxPooling(4, 4), (16, 16, 28, 28),
     lambda x: F.adaptive_max_pool2d(x, 4), False),
    ("SpatialAdaptiveAveragePooling(4,4) 16x16x28x28",
     lambda: nn.SpatialAdaptiveAveragePooling(4, 4), (16, 16, 28, 28),
     lambda x: F.adaptive_avg_pool2d(x, 4), False),
    ("SpatialFractionalMaxPooling(2,2,14,14) 16x16x28x28",
     lambda: nn.SpatialFractionalMaxPooling(2, 2, 14, 14), (16, 16, 28, 28),
     lambda x: F.fractional_max_pool2d(x, 2, output_size=14), False),
    ("SpatialLPPooling(16,2,2,2) 16x16x28x28",
     lambda: nn.SpatialLPPooling(16, 2, 2, 2), (16, 16, 28, 28),
     lambda x: F.lp_pool2d(x, 2, 2), False),
    ("FeatureLPPooling(2,1,2,true) 16x32x14x14",
     lambda: nn.FeatureLPPooling(2, 1, 2, True), (16, 32, 14, 14), None, False),
    ("VolumetricMaxPooling(2,2,2) 8x8x16x16x16",
     lambda: nn.VolumetricMaxPooling(2, 2, 2), (8, 8, 16, 16, 16),
     lambda x: F.max_pool3d(x, 2, 2), False),
    ("VolumetricDilatedMaxPooling(2,2,2,1,1,1,0,0,0,2,2,2) 8x8x16x16x16",
     lambda: nn.VolumetricDilatedMaxPooling(2, 2, 2, 1, 1, 1, 0, 0, 0, 2, 2, 2),
     (8, 8, 16, 16, 16), lambda x: F.max_pool3d(x, 2, 1, 0, 2), False),
    ("VolumetricAveragePooling(2,2,2) 8x8x16x16x16",
     lambda: nn.VolumetricAveragePooling(2, 2, 2), (8, 8, 16, 16, 16),
     lambda x: F.avg_pool3d(x, 2, 2), False),
    ("VolumetricFractionalMaxPooling(2,2,2,8,8,8) 8x8x16x16x16",
     lambda: nn.VolumetricFractionalMaxPooling(2, 2, 2, 8, 8, 8), (8, 8, 16, 16, 16),
     lambda x: F.fractional_max_pool3d(x, 2, output_size=8), False),
    ("TemporalMaxPooling(2) 64x100x64 (pt: 64x64x100)",
     lambda: nn.TemporalMaxPooling(2), (64, 100, 64),
     lambda x: F.max_pool1d(x, 2, 2), False),
    ("TemporalDynamicKMaxPooling(10) 64x100x64",
     lambda: nn.TemporalDynamicKMaxPooling(10), (64, 100, 64),
     lambda x: kmax(x, 10), False),
]


def median_time(f, rounds):
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def compare(ours, theirs, rounds):
    """Median times of two callables, interleaved call by call after warm-up."""
    for _ in range(3):
        ours()
        if theirs:
            theirs()
    a, b = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        ours()
        a.append(time.perf_counter() - t)
        if theirs:
            t = time.perf_counter()
            theirs()
            b.append(time.perf_counter() - t)
    return statistics.median(a), (statistics.median(b) if b else None)


def unpool_rows(rng):
    """Max unpooling needs its pooling module's indices: both sides pool first (untimed)."""
    rows = []
    for label, nd, shape in (("SpatialMaxUnpooling 64x16x14x14", 2, (64, 16, 28, 28)),
                             ("VolumetricMaxUnpooling 8x8x8x8x8", 3, (8, 8, 16, 16, 16))):
        x0 = rng.standard_normal(shape).astype(np.float32)
        pool = (nn.SpatialMaxPooling(2, 2) if nd == 2 else nn.VolumetricMaxPooling(2, 2, 2))
        y = pool.forward(torch.fromNumpy(x0)).clone()
        m = (nn.SpatialMaxUnpooling if nd == 2 else nn.VolumetricMaxUnpooling)(pool)
        g = torch.fromNumpy(rng.standard_normal(shape).astype(np.float32))
        theirs = None
        if pt:
            xp = pt.from_numpy(x0)
            pool_pt = F.max_pool2d if nd == 2 else F.max_pool3d
            unpool_pt = F.max_unpool2d if nd == 2 else F.max_unpool3d
            yp, ip = pool_pt(xp, 2, 2, return_indices=True)
            yp = yp.clone().requires_grad_(True)
            gp = pt.from_numpy(g.numpy())

            def theirs(yp=yp, ip=ip, gp=gp, unpool_pt=unpool_pt):
                unpool_pt(yp, ip, 2, 2).backward(gp)

            def theirs_f(yp=yp, ip=ip, unpool_pt=unpool_pt):
                with pt.no_grad():
                    unpool_pt(yp, ip, 2, 2)
        rows.append((label, lambda m=m, y=y: m.forward(y),
                     lambda m=m, y=y, g=g: (m.forward(y), m.backward(y, g)),
                     theirs_f if pt else None, theirs))
    return rows


def main():
    rng = np.random.default_rng(0)
    print(f"float32; ferrotorch threads {torch.getnumthreads()}"
          + (f", PyTorch {pt.__version__} threads {pt.get_num_threads()}" if pt else ""))
    print(f"{'module':62s} {'fwd ft':>9s} {'fwd pt':>9s} {'ft/pt':>6s} "
          f"{'f+b ft':>9s} {'f+b pt':>9s} {'ft/pt':>6s}")
    rows = []
    for label, make, shape, op, talk in ROWS:
        if TALK and not talk:
            continue
        x0 = rng.standard_normal(shape).astype(np.float32)
        m = make().float()
        x = torch.fromNumpy(x0)
        out = m.forward(x)
        g = torch.fromNumpy(rng.standard_normal(tuple(out.size())).astype(np.float32))
        pt_f = pt_fb = None
        if pt and op:
            xin = x0 if "pt: 64x64x100" not in label else np.ascontiguousarray(
                x0.transpose(0, 2, 1))
            xp = pt.from_numpy(xin).requires_grad_(True)
            xn = pt.from_numpy(xin)
            gp = pt.from_numpy(np.ascontiguousarray(
                g.numpy() if "pt: 64x64x100" not in label else g.numpy().transpose(0, 2, 1)))

            def pt_f(op=op, xn=xn):
                with pt.no_grad():
                    op(xn)

            def pt_fb(op=op, xp=xp, gp=gp):
                xp.grad = None
                op(xp).backward(gp)

        rows.append((label, lambda m=m, x=x: m.forward(x),
                     lambda m=m, x=x, g=g: (m.forward(x), m.backward(x, g)), pt_f, pt_fb))
    if not TALK:
        rows += unpool_rows(rng)
    behind = []
    for label, f, fb, pf, pfb in rows:
        a, b = compare(f, pf, ROUNDS)
        c, d = compare(fb, pfb, ROUNDS)
        r1 = f"{a / b:6.2f}" if b else "     -"
        r2 = f"{c / d:6.2f}" if d else "     -"
        pb = f"{b * 1e6:7.0f}us" if b else "        -"
        pd = f"{d * 1e6:7.0f}us" if d else "        -"
        print(f"{label:62s} {a * 1e6:7.0f}us {pb} {r1} {c * 1e6:7.0f}us {pd} {r2}")
        if (b and a > b) or (d and c > d):
            behind.append(label)
    if behind:
        print("behind PyTorch (ft/pt > 1):", "; ".join(behind))


if __name__ == "__main__":
    main()
