"""ferrotorch vs numpy (and PyTorch when importable): construction, random fills, index / gather /
maskedSelect / cat, side by side in one process.

Usage (from the repository root, after ``maturin develop --release``)::

    .venv/bin/python benches/bench_math_construct.py
    FERROTORCH_NUM_THREADS=1 .venv/bin/python benches/bench_math_construct.py

Each case times ferrotorch and numpy alternately (best of several rounds, each round the mean of
a few calls). The ratio is numpy_time / ferrotorch_time: above 1 means ferrotorch is faster.
Random fills are single-threaded by design (Torch7's stream order: one draw per element in
row-major order); numpy's legacy ``RandomState`` (also Mersenne Twister) is the comparison.
"""

from __future__ import annotations

import time

import ferrotorch as torch
import numpy as np

try:  # optional, not installed here
    import torch as pytorch  # type: ignore[import-not-found]
except ImportError:
    pytorch = None

N = 1 << 20  # 1M
BIG = 4 << 20  # 4M


def best(fn, number=5, rounds=7):
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def main():
    rs = np.random.RandomState(0)
    torch.manualSeed(0)
    a_np = rs.standard_normal(N)
    a_ft = torch.fromNumpy(a_np.copy())
    idx_np = rs.randint(0, N, N).astype(np.int64)
    idx_ft = torch.fromNumpy(idx_np.copy())
    mask_np = (rs.rand(N) < 0.5)
    mask_ft = torch.fromNumpy(mask_np.astype(np.uint8))
    c1_np, c2_np = rs.standard_normal((1024, 4096)), rs.standard_normal((1024, 4096))
    c1_ft, c2_ft = torch.fromNumpy(c1_np.copy()), torch.fromNumpy(c2_np.copy())
    g_np = rs.standard_normal((1024, 1024))
    g_ft = torch.fromNumpy(g_np.copy())
    gi_np = rs.randint(0, 1024, (1024, 1024)).astype(np.int64)
    gi_ft = torch.fromNumpy(gi_np.copy())
    x1m = torch.DoubleTensor(N)
    x1mf = torch.FloatTensor(N)

    cases = [
        ("rand 1M double", lambda: torch.rand(N), lambda: rs.random_sample(N)),
        ("rand into existing 1M", lambda: x1m.uniform(), lambda: rs.random_sample(N)),
        ("randn 1M double", lambda: torch.randn(N), lambda: rs.standard_normal(N)),
        ("randn 1M float (fill)", lambda: x1mf.normal(), lambda: rs.standard_normal(N).astype(np.float32)),
        ("random 1M long 1..100", lambda: torch.LongTensor(N).random(1, 100), lambda: rs.randint(1, 101, N)),
        ("randperm 1M", lambda: torch.randperm(N, "torch.LongTensor"), lambda: rs.permutation(N)),
        ("index (take) 1M of 1M", lambda: a_ft.index(0, idx_ft), lambda: a_np.take(idx_np)),
        ("t[LongTensor] 1M", lambda: a_ft[idx_ft], lambda: a_np[idx_np]),
        ("maskedSelect 1M", lambda: a_ft.maskedSelect(mask_ft), lambda: a_np[mask_np]),
        ("maskedFill 1M", lambda: a_ft.maskedFill(mask_ft, 0.0), lambda: np.putmask(a_np, mask_np, 0.0)),
        ("cat 2 x 4M (dim 0)", lambda: torch.cat(c1_ft, c2_ft, 0), lambda: np.concatenate([c1_np, c2_np], 0)),
        ("cat 2 x 4M (dim 1)", lambda: torch.cat(c1_ft, c2_ft, 1), lambda: np.concatenate([c1_np, c2_np], 1)),
        ("gather 1024x1024 dim 1", lambda: torch.gather(g_ft, 1, gi_ft), lambda: np.take_along_axis(g_np, gi_np, 1)),
        ("gather 1024x1024 dim 0", lambda: torch.gather(g_ft, 0, gi_ft), lambda: np.take_along_axis(g_np, gi_np, 0)),
        ("index rows 1024 of 1024x1024", lambda: g_ft.index(0, gi_ft[0]), lambda: g_np.take(gi_np[0], 0)),
        ("nonzero 1M", lambda: torch.nonzero(mask_ft), lambda: np.argwhere(mask_np)),
        ("zeros 4M", lambda: torch.zeros(BIG), lambda: np.zeros(BIG)),
        ("ones 4M", lambda: torch.ones(BIG), lambda: np.ones(BIG)),
        ("linspace 1M", lambda: torch.linspace(0, 1, N), lambda: np.linspace(0, 1, N)),
        ("eye 2048", lambda: torch.eye(2048), lambda: np.eye(2048)),
        ("tril 2048x2048", lambda: torch.tril(g_ft), lambda: np.tril(g_np)),
    ]
    print(f"ferrotorch threads: {torch.getnumthreads()}   numpy {np.__version__}"
          + (f"   PyTorch {pytorch.__version__}" if pytorch else "   (PyTorch not importable)"))
    print(f"{'case':34s} {'ferrotorch':>12s} {'numpy':>12s} {'ratio':>7s}")
    for name, ft, npf in cases:
        ft_t, np_t = best(ft), best(npf)
        print(f"{name:34s} {ft_t * 1e3:9.3f} ms {np_t * 1e3:9.3f} ms {np_t / ft_t:7.2f}")


if __name__ == "__main__":
    main()
