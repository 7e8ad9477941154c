"""Convolution speed: every class of nn/conv.py beside PyTorch's functional equivalent in the
same process (`pip install '.[bench]'`), forward and forward+backward (gradInput and the
parameter gradients), each the median of several interleaved runs. Ratio = ours / PyTorch
(below 1: ferrotorch is faster).

The first rows are the talk's convnet layers at batch 64 (issue 16's goal: within 1.1x of
PyTorch's conv2d), in float32 and float64 (the talk uses the default tensor type, Double).
Usage: python benches/bench_nn_conv.py [--quick] [--talk] [--only SUBSTRING]
(--only: just the rows whose label contains SUBSTRING, e.g. --only Map)
"""

import os

# PyTorch's OpenMP threads spin after each parallel region by default, taking the cores from
# our interleaved runs (benches/bench_optim.py); set before PyTorch is imported.
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
    pt = F = None

QUICK = "--quick" in sys.argv
ROUNDS = 5 if QUICK else 11
ONLY = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else None
B = 64


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def pt_of(t):
    return pt.from_numpy(np.array(t.numpy()))


def run(label, module, x, pt_fn, dtype="float"):
    """Times module forward / forward+backward against pt_fn(px, pw, pb) with autograd."""
    if ONLY is not None and ONLY not in label:
        return
    module = module.float() if dtype == "float" else module.double()
    x = x.float() if dtype == "float" else x.double()
    out = module.forward(x)
    g = out.clone().normal()
    fwd = lambda: module.forward(x)

    def both():
        module.forward(x)
        module.backward(x, g)
    rows = [("fwd", fwd), ("fwd+bwd", both)]
    if pt is not None:
        px = pt_of(x).requires_grad_()
        pw = pt_of(module.weight).requires_grad_()
        pb = pt_of(module.bias).requires_grad_() if module.__dict__.get("bias") is not None \
            else None
        pg = pt_of(g)

        def pfwd():
            with pt.no_grad():
                pt_fn(px, pw, pb)

        def pboth():
            px.grad = pw.grad = None
            if pb is not None:
                pb.grad = None
            pt_fn(px, pw, pb).backward(pg)
        # same numbers on both sides
        ref = pt_fn(px, pw, pb).detach().numpy()
        err = np.abs(np.array(out.numpy()) - ref).max() / max(1.0, np.abs(ref).max())
        assert err < 1e-3, f"{label}: outputs differ by {err}"
        prow = {"fwd": pfwd, "fwd+bwd": pboth}
    for name, f in rows:
        for _ in range(2):
            f()
            if pt is not None:
                prow[name]()
        t_ft, t_pt = [], []
        for _ in range(ROUNDS):
            t_ft.append(timed(f))
            if pt is not None:
                t_pt.append(timed(prow[name]))
        ft = statistics.median(t_ft)
        line = f"{label:44s} {dtype:6s} {name:8s} ours {ft * 1e3:8.3f} ms"
        if pt is not None:
            ptt = statistics.median(t_pt)
            line += f"   PyTorch {ptt * 1e3:8.3f} ms   ratio {ft / ptt:5.2f}"
        print(line, flush=True)


def talk():
    layers = [("SpatialConvolution(3,16,5,5) 64x3x32x32", (3, 16), (B, 3, 32, 32)),
              ("SpatialConvolution(16,64,5,5) 64x16x14x14", (16, 64), (B, 16, 14, 14)),
              ("SpatialConvolution(64,256,5,5) 64x64x5x5", (64, 256), (B, 64, 5, 5))]
    for dtype in ("float", "double"):
        for label, (i, o), size in layers:
            torch.manualSeed(1)
            run(label, nn.SpatialConvolution(i, o, 5, 5), torch.randn(*size),
                lambda x, w, b: F.conv2d(x, w, b), dtype)


def others():
    s = 8 if QUICK else B
    torch.manualSeed(2)
    run("SpatialConvolutionMM(16,32,3,3,1,1,1)", nn.SpatialConvolutionMM(16, 32, 3, 3, 1, 1, 1),
        torch.randn(s, 16, 16, 16),
        lambda x, w, b: F.conv2d(x, w.view(32, 16, 3, 3), b, 1, 1))
    run("SpatialDilatedConvolution(16,32,3,3,1,1,2,2,2,2)",
        nn.SpatialDilatedConvolution(16, 32, 3, 3, 1, 1, 2, 2, 2, 2), torch.randn(s, 16, 16, 16),
        lambda x, w, b: F.conv2d(x, w, b, 1, 2, 2))
    run("SpatialDepthWiseConvolution(16,2,3,3)", nn.SpatialDepthWiseConvolution(16, 2, 3, 3),
        torch.randn(s, 16, 16, 16),
        lambda x, w, b: F.conv2d(x, w.view(2, 16, 3, 3).transpose(0, 1).reshape(32, 1, 3, 3),
                                 b.t().reshape(-1), groups=16))
    run("SpatialFullConvolution(32,16,4,4,2,2,1,1)",
        nn.SpatialFullConvolution(32, 16, 4, 4, 2, 2, 1, 1), torch.randn(s, 32, 8, 8),
        lambda x, w, b: F.conv_transpose2d(x, w, b, 2, 1))
    run("VolumetricConvolution(4,8,3,3,3)", nn.VolumetricConvolution(4, 8, 3, 3, 3),
        torch.randn(s, 4, 8, 12, 12), lambda x, w, b: F.conv3d(x, w, b))
    run("VolumetricDilatedConvolution(4,8,3,3,3,..,2,2,2)",
        nn.VolumetricDilatedConvolution(4, 8, 3, 3, 3, 1, 1, 1, 0, 0, 0, 2, 2, 2),
        torch.randn(s, 4, 8, 12, 12), lambda x, w, b: F.conv3d(x, w, b, dilation=2))
    run("VolumetricFullConvolution(8,4,2,2,2,2,2,2)",
        nn.VolumetricFullConvolution(8, 4, 2, 2, 2, 2, 2, 2), torch.randn(s, 8, 4, 6, 6),
        lambda x, w, b: F.conv_transpose3d(x, w, b, 2))
    # no PyTorch counterpart with these parameters' layout: rebuilt from functional ops
    run("SpatialConvolutionMap(full(8,16),5,5)", nn.SpatialConvolutionMap(nn.tables.full(8, 16),
                                                                         5, 5),
        torch.randn(s, 8, 28, 28),
        lambda x, w, b: F.conv2d(x, w.view(16, 8, 5, 5), b))
    run("SpatialFullConvolutionMap(oneToOne(16),3,3)",
        nn.SpatialFullConvolutionMap(nn.tables.oneToOne(16), 3, 3), torch.randn(s, 16, 12, 12),
        lambda x, w, b: F.conv_transpose2d(x, w.view(16, 1, 3, 3), b, groups=16))
    run("SpatialSubSampling(16,2,2,2,2)", nn.SpatialSubSampling(16, 2, 2, 2, 2),
        torch.randn(s, 16, 28, 28),
        lambda x, w, b: F.conv2d(x, w.view(16, 1, 1, 1).expand(16, 1, 2, 2), b, 2,
                                 groups=16))
    run("SpatialConvolutionLocal(8,8,12,12,3,3)", nn.SpatialConvolutionLocal(8, 8, 12, 12, 3, 3),
        torch.randn(s, 8, 12, 12), local_pt)


def local_pt(x, w, b):
    """Locally connected layer from unfold: out[n,o,l] = sum_r W[l,o,r] col[n,r,l] + b."""
    cols = F.unfold(x, 3)                      # n x r x l
    wl = w.reshape(100, 8, 72)                 # l x o x r
    out = pt.einsum("nrl,lor->nol", cols, wl)
    return out.reshape(x.shape[0], 8, 10, 10) + b


if __name__ == "__main__":
    print(f"threads: ferrotorch {torch.getnumthreads()}"
          + (f", PyTorch {pt.get_num_threads()}" if pt is not None else ""))
    talk()
    if "--talk" not in sys.argv:
        others()
