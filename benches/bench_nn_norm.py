"""Spatial normalization, padding / upsampling and temporal layers: forward and
forward+backward of every class of the norm area beside PyTorch's equivalent (autograd) in the
same process, on the same values (`pip install '.[bench]'`).

Each row prints our median time, PyTorch's, and ours/PyTorch (below 1: ferrotorch is faster).
The local normalizations have no PyTorch module: their PyTorch side is Torch7's definition
written with conv2d (what a PyTorch user would write). The last section times the talk
convnet's two SpatialContrastiveNormalization layers (batch 64, 16x14x14 and 64x5x5, with
image.gaussian(3)) forward+backward beside the rest of that training step: ours when
ferrotorch has the step's other layers, else PyTorch's step without the normalizations (the
conv helpers' goal is PyTorch's speed). Goal: the two layers add at most 25% to the step.

Usage: python benches/bench_nn_norm.py [--quick] [--double]
"""

import os

# PyTorch's OpenMP threads must not spin between its calls and ours (see bench_optim.py).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("KMP_BLOCKTIME", "0")

import statistics
import sys
import time

import ferrotorch as torch
import numpy as np
from ferrotorch import image, nn

try:
    import torch as pt
    F = pt.nn.functional
except ImportError:  # the bench still reports our own times
    pt = None

QUICK = "--quick" in sys.argv
DOUBLE = "--double" in sys.argv
ROUNDS = 5 if QUICK else 15
NP_TYPE = np.float64 if DOUBLE else np.float32


def median_time(fn, rounds=ROUNDS):
    fn()
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def ours_tensor(a):
    return torch.fromNumpy(np.ascontiguousarray(a))


def pt_tensor(a, grad=False):
    t = pt.from_numpy(np.ascontiguousarray(a).copy())
    return t.requires_grad_(grad)


def pt_local(x, kernel, n, which, threshold=1e-4):
    """Torch7's local normalizations as PyTorch ops (as tests/test_nn_normalization.py)."""
    k = pt.tensor(kernel, dtype=x.dtype)
    w = (k / (k.sum() * n))[None, None]
    pad = (k.shape[0] // 2, k.shape[1] // 2)
    coef = F.conv2d(pt.full((1, 1) + tuple(x.shape[2:]), float(n), dtype=x.dtype), w, padding=pad)
    if which in ("sub", "both"):
        x = x - F.conv2d(x.sum(1, keepdim=True), w, padding=pad) / coef
    if which in ("div", "both"):
        s = pt.sqrt(F.conv2d((x * x).sum(1, keepdim=True), w, padding=pad)) / coef
        x = x / pt.where(s > threshold, s, pt.full_like(s, threshold))
    return x


def rows(rng):
    """(label, ferrotorch module, input array, PyTorch function of the input, extra PyTorch
    leaves)."""
    g3 = image.gaussian(3).numpy().copy()
    x64 = rng.standard_normal((64, 16, 14, 14))
    x5 = rng.standard_normal((64, 64, 5, 5))
    seq = rng.standard_normal((32, 100, 64))
    bn_w = rng.uniform(size=16)
    yield ("SpatialSubtractiveNormalization 64x16x14x14",
           nn.SpatialSubtractiveNormalization(16, image.gaussian(3)), x64,
           lambda x: pt_local(x, g3, 16, "sub"))
    yield ("SpatialDivisiveNormalization 64x16x14x14",
           nn.SpatialDivisiveNormalization(16, image.gaussian(3)), x64,
           lambda x: pt_local(x, g3, 16, "div"))
    for label, x, n in (("64x16x14x14", x64, 16), ("64x64x5x5", x5, 64)):
        yield (f"SpatialContrastiveNormalization {label}",
               nn.SpatialContrastiveNormalization(n, image.gaussian(3)), x,
               lambda x, n=n: pt_local(x, g3, n, "both"))
    yield ("SpatialCrossMapLRN(5) 64x16x14x14", nn.SpatialCrossMapLRN(5, 1e-4, 0.75, 1), x64,
           lambda x: F.local_response_norm(x, 5, 1e-4, 0.75, 1))
    bn = nn.SpatialBatchNormalization(16)
    bn.weight.copy(ours_tensor(bn_w))

    def pt_bn(x):
        w = pt.tensor(bn_w, dtype=x.dtype, requires_grad=True)
        b = pt.zeros(16, dtype=x.dtype, requires_grad=True)
        rm, rv = pt.zeros(16, dtype=x.dtype), pt.ones(16, dtype=x.dtype)
        return F.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5)

    yield ("SpatialBatchNormalization 64x16x14x14", bn, x64, pt_bn)
    yield ("SpatialBatchNormalization 64x16x28x28", bn, rng.standard_normal((64, 16, 28, 28)),
           pt_bn)
    vbn = nn.VolumetricBatchNormalization(16)
    vbn.weight.copy(ours_tensor(bn_w))
    yield ("VolumetricBatchNormalization 16x16x8x14x14", vbn,
           rng.standard_normal((16, 16, 8, 14, 14)), pt_bn)
    for cls, mode in (("SpatialZeroPadding", "constant"), ("SpatialReflectionPadding", "reflect"),
                      ("SpatialReplicationPadding", "replicate")):
        yield (f"{cls}(2) 64x16x14x14", getattr(nn, cls)(2), x64,
               lambda x, mode=mode: F.pad(x, (2, 2, 2, 2), mode=mode))
    yield ("VolumetricReplicationPadding(1) 16x16x8x14x14", nn.VolumetricReplicationPadding(1),
           rng.standard_normal((16, 16, 8, 14, 14)),
           lambda x: F.pad(x, (1, 1, 1, 1, 1, 1), mode="replicate"))
    yield ("SpatialUpSamplingNearest(2) 64x16x14x14", nn.SpatialUpSamplingNearest(2), x64,
           lambda x: F.interpolate(x, scale_factor=2, mode="nearest"))
    yield ("SpatialUpSamplingBilinear(2) 64x16x14x14", nn.SpatialUpSamplingBilinear(2), x64,
           lambda x: F.interpolate(x, size=(28, 28), mode="bilinear", align_corners=True))
    yield ("UpSampling(2, trilinear) 8x16x8x14x14", nn.UpSampling(2, "trilinear"),
           rng.standard_normal((8, 16, 8, 14, 14)),
           lambda x: F.interpolate(x, size=(16, 28, 28), mode="trilinear", align_corners=True))
    tc = nn.TemporalConvolution(64, 128, 5)
    tcw = pt_tensor(tc.weight.numpy().astype(NP_TYPE).reshape(128, 5, 64).transpose(0, 2, 1))
    tcb = pt_tensor(tc.bias.numpy().astype(NP_TYPE))
    tcw.requires_grad_(True)
    tcb.requires_grad_(True)
    yield ("TemporalConvolution(64, 128, 5) 32x100x64", tc, seq,
           lambda x: F.conv1d(x.transpose(1, 2), tcw, tcb).transpose(1, 2))
    sw = pt.ones(64, 1, 5, dtype=pt.float64 if DOUBLE else pt.float32, requires_grad=True)
    yield ("TemporalSubSampling(64, 5) 32x100x64", nn.TemporalSubSampling(64, 5), seq,
           lambda x: F.conv1d(x.transpose(1, 2), sw, groups=64).transpose(1, 2))
    yield ("TemporalRowConvolution(64, 5) 32x100x64", nn.TemporalRowConvolution(64, 5), seq,
           lambda x: F.conv1d(x.transpose(1, 2), sw, groups=64).transpose(1, 2))


def lookup_row(rng):
    m = nn.LookupTable(10000, 128)
    idx = rng.integers(0, 10000, size=(64, 50))
    w = pt_tensor(m.weight.numpy().astype(NP_TYPE), True)
    return "LookupTable(10000, 128) 64x50", m, idx, w


def fmt(seconds):
    return f"{seconds * 1e6:9.1f} us"


def main():
    rng = np.random.default_rng(0)
    tname = "double" if DOUBLE else "float"
    print(f"ferrotorch threads {torch.getnumthreads()}" +
          (f", PyTorch {pt.__version__} threads {pt.get_num_threads()}" if pt else "") +
          f"; {tname}; median of {ROUNDS}")
    print(f"{'layer':52s} {'pass':>8s} {'ours':>12s} {'PyTorch':>12s} {'ours/pt':>8s}")
    worst = []
    for label, m, x0, f in rows(rng):
        m = m.double() if DOUBLE else m.float()
        x = ours_tensor(x0.astype(NP_TYPE))
        y = m.forward(x)
        g = ours_tensor(rng.standard_normal(tuple(y.size())).astype(NP_TYPE))
        xp = pt_tensor(x0.astype(NP_TYPE), True) if pt else None
        gp = pt_tensor(g.numpy()) if pt else None
        cases = [("fwd", lambda m=m, x=x: m.forward(x),
                  lambda f=f, xp=xp: f(xp.detach())),
                 ("fwd+bwd", lambda m=m, x=x, g=g: (m.forward(x), m.backward(x, g)),
                  lambda f=f, xp=xp, gp=gp: f(xp).backward(gp))]
        for what, ours, theirs in cases:
            if pt:
                with pt.no_grad() if what == "fwd" else _null():
                    t_pt = median_time(theirs)
            t_ft = median_time(ours)
            ratio = t_ft / t_pt if pt else float("nan")
            worst.append((ratio, label, what))
            print(f"{label:52s} {what:>8s} {fmt(t_ft)} {fmt(t_pt) if pt else '':>12s} "
                  f"{ratio:8.2f}")
    label, m, idx, w = lookup_row(rng)
    m = m.double() if DOUBLE else m.float()
    i_ft = torch.LongTensor(idx.tolist())
    g = ours_tensor(rng.standard_normal((64, 50, 128)).astype(NP_TYPE))
    if pt:
        i_pt, g_pt = pt.tensor(idx), pt_tensor(g.numpy())
    for what, ours, theirs in (
            ("fwd", lambda: m.forward(i_ft), lambda: F.embedding(i_pt, w.detach())),
            ("fwd+bwd", lambda: (m.forward(i_ft), m.backward(i_ft, g)),
             lambda: F.embedding(i_pt, w).backward(g_pt))):
        t_ft = median_time(ours)
        t_pt = median_time(theirs) if pt else float("nan")
        worst.append((t_ft / t_pt, label, what))
        print(f"{label:52s} {what:>8s} {fmt(t_ft)} {fmt(t_pt)} {t_ft / t_pt:8.2f}")
    convnet_share(rng)
    behind = [w for w in worst if w[0] > 1]
    if behind:
        print("\nrows slower than PyTorch (ours/pt > 1):")
        for ratio, label, what in sorted(behind, reverse=True):
            print(f"  {ratio:5.2f}  {label} {what}")


class _null:
    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def convnet_share(rng):
    """The talk convnet's two contrastive normalizations against the rest of its step."""
    print("\nthe talk's convnet, batch 64: SpatialContrastiveNormalization fwd+bwd vs the step")
    cn_time = 0.0
    for n, hw in ((16, 14), (64, 5)):
        m = nn.SpatialContrastiveNormalization(n, image.gaussian(3))
        m = m.double() if DOUBLE else m.float()
        x = ours_tensor(rng.standard_normal((64, n, hw, hw)).astype(NP_TYPE))
        g = ours_tensor(rng.standard_normal((64, n, hw, hw)).astype(NP_TYPE))
        t = median_time(lambda m=m, x=x, g=g: (m.forward(x), m.backward(x, g)))
        cn_time += t
        print(f"  SpatialContrastiveNormalization({n}) 64x{n}x{hw}x{hw} fwd+bwd {fmt(t)}")
    rest = None
    if all(hasattr(nn, c) for c in ("SpatialConvolution", "SpatialMaxPooling", "Reshape")):
        model = nn.Sequential()
        for layer in (nn.SpatialConvolution(3, 16, 5, 5), nn.Tanh(),
                      nn.SpatialMaxPooling(2, 2, 2, 2), nn.SpatialConvolution(16, 64, 5, 5),
                      nn.Tanh(), nn.SpatialMaxPooling(2, 2, 2, 2),
                      nn.SpatialConvolution(64, 256, 5, 5), nn.Tanh(), nn.Reshape(256),
                      nn.Linear(256, 10), nn.LogSoftMax()):
            model.add(layer)
        model = model.double() if DOUBLE else model.float()
        x = ours_tensor(rng.standard_normal((64, 3, 32, 32)).astype(NP_TYPE))

        def step():
            y = model.forward(x)
            model.backward(x, y.clone().fill(0.01))

        rest, who = median_time(step), "ours"
    elif pt:
        dt = pt.float64 if DOUBLE else pt.float32
        net = pt.nn.Sequential(
            pt.nn.Conv2d(3, 16, 5), pt.nn.Tanh(), pt.nn.MaxPool2d(2),
            pt.nn.Conv2d(16, 64, 5), pt.nn.Tanh(), pt.nn.MaxPool2d(2),
            pt.nn.Conv2d(64, 256, 5), pt.nn.Tanh(), pt.nn.Flatten(), pt.nn.Linear(256, 10),
            pt.nn.LogSoftmax(1)).to(dt)
        xp = pt.randn(64, 3, 32, 32, dtype=dt)

        def step():
            net.zero_grad()
            net(xp).sum().backward()

        rest, who = median_time(step), "PyTorch's"
    if rest is None:
        return
    print(f"  rest of the step ({who}: convs, tanh, pooling, linear) fwd+bwd {fmt(rest)}")
    print(f"  the two normalizations add {100 * cn_time / rest:.0f}% to it (goal: at most 25%)")


if __name__ == "__main__":
    main()
