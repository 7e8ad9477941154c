"""ferrotorch vs numpy (and PyTorch when importable): reductions, scans and sorting, side by side
in one process on the same values.

Usage (from the repository root, after ``maturin develop --release``)::

    .venv/bin/python benches/bench_math_reduce.py
    .venv/bin/python benches/bench_math_reduce.py --quick
    FERROTORCH_NUM_THREADS=1 .venv/bin/python benches/bench_math_reduce.py

Times are the best single call over several interleaved rounds (median in brackets): the
machine is shared, and the minimum is what the code costs when it is not interrupted. ``ratio`` is
numpy_time / ferrotorch_time: above 1 means ferrotorch is faster. GB/s counts the bytes read.

Numpy equivalents: ``torch.sum(x)`` ~ ``a.sum()`` (numpy sums float32 pairwise in float32;
ferrotorch accumulates in double), ``torch.sum(x, d)`` ~ ``a.sum(axis=d, keepdims=True)``,
``torch.max(x, d)`` (values and indices) ~ ``a.max(axis=d)`` + ``a.argmax(axis=d)``,
``torch.sort(v)`` (values and indices) ~ ``np.argsort`` + ``take`` (also shown: ``np.sort``,
values only).

Goal (the issue): sum of 16M float32 at or above the best of numpy and PyTorch (PyTorch
~50 GB/s, numpy ~10 GB/s on the reference machine).
"""

from __future__ import annotations

import argparse
import statistics
import time

import ferrotorch as torch
import numpy as np

try:  # PyTorch only when it happens to be installed
    import torch as pytorch  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    pytorch = None


def timeit(fn, repeat, number):
    """Per-call times: `number` calls timed one by one (loops of 1000 for calls under 20 us,
    where the clock itself would dominate)."""
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        if dt < 20e-6:
            t0 = time.perf_counter()
            for _ in range(1000):
                fn()
            out.append((time.perf_counter() - t0) / 1000)
            continue
        out.append(dt)
        for _ in range(number - 1):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return out


def bench(name, ft_fn, np_fn, nbytes, repeat, number, pt_fn=None):
    ft_fn(), np_fn()  # warm up
    ft_t, np_t, pt_t = [], [], []
    for _ in range(repeat):  # interleave so drift hits both alike
        ft_t += timeit(ft_fn, 1, number)
        np_t += timeit(np_fn, 1, number)
        if pt_fn is not None:
            pt_t += timeit(pt_fn, 1, number)
    ft, npb = min(ft_t), min(np_t)
    line = (
        f"{name:<34} ft {ft * 1e3:8.3f} ms [{statistics.median(ft_t) * 1e3:7.3f}] "
        f"np {npb * 1e3:8.3f} ms [{statistics.median(np_t) * 1e3:7.3f}] "
        f"{nbytes / ft / 1e9:6.1f} GB/s  ratio {npb / ft:5.2f}"
    )
    if pt_t:
        line += f"  torch {min(pt_t) * 1e3:7.3f} ms ({min(pt_t) / ft:4.2f}x ft)"
    if npb / ft < 1:
        line += "  < 1"
    print(line, flush=True)
    return npb / ft


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    side = 1024 if args.quick else 4096
    repeat = 3 if args.quick else 7
    rng = np.random.default_rng(0)
    print(f"threads: {torch.getnumthreads()}, matrix {side}x{side} float32")
    a = rng.standard_normal((side, side)).astype(np.float32)
    x = torch.FloatTensor(a)
    a1 = a.ravel()
    x1 = x.view(-1)
    pa = pytorch.from_numpy(a) if pytorch else None
    n = a.size
    nb = a.nbytes
    ratios = {}

    def pt(f):
        return f if pytorch else None

    ratios["sum all"] = bench(
        f"sum of {n // 2**20}M float32",
        lambda: torch.sum(x1),
        lambda: a1.sum(),
        nb,
        repeat,
        5,
        pt(lambda: pa.sum()),
    )
    ratios["sum dim0"] = bench(
        f"sum {side}x{side} dim 0",
        lambda: torch.sum(x, 0),
        lambda: a.sum(axis=0, keepdims=True),
        nb,
        repeat,
        3,
        pt(lambda: pa.sum(0, keepdim=True)),
    )
    ratios["sum dim1"] = bench(
        f"sum {side}x{side} dim 1",
        lambda: torch.sum(x, 1),
        lambda: a.sum(axis=1, keepdims=True),
        nb,
        repeat,
        3,
        pt(lambda: pa.sum(1, keepdim=True)),
    )
    at = a.T
    ratios["sum T dim1"] = bench(
        "sum of transposed, dim 1",
        lambda: torch.sum(x.t(), 1),
        lambda: at.sum(axis=1),
        nb,
        repeat,
        3,
    )
    ratios["max all"] = bench(
        f"max of {n // 2**20}M float32",
        lambda: torch.max(x1),
        lambda: a1.max(),
        nb,
        repeat,
        5,
        pt(lambda: pa.max()),
    )
    ratios["max dim1"] = bench(
        f"max+argmax {side}x{side} dim 1",
        lambda: torch.max(x, 1),
        lambda: (a.max(axis=1), a.argmax(axis=1)),
        nb,
        repeat,
        3,
        pt(lambda: pa.max(1)),
    )
    ratios["max dim0"] = bench(
        f"max+argmax {side}x{side} dim 0",
        lambda: torch.max(x, 0),
        lambda: (a.max(axis=0), a.argmax(axis=0)),
        nb,
        repeat,
        3,
        pt(lambda: pa.max(0)),
    )
    ratios["mean dim1"] = bench(
        f"mean {side}x{side} dim 1",
        lambda: torch.mean(x, 1),
        lambda: a.mean(axis=1),
        nb,
        repeat,
        3,
    )
    ratios["std all"] = bench(
        f"std of {n // 2**20}M float32",
        lambda: torch.std(x1),
        lambda: a1.std(ddof=1),
        nb,
        repeat,
        2,
    )
    ratios["cumsum dim0"] = bench(
        f"cumsum {side}x{side} dim 0",
        lambda: torch.cumsum(x, 0),
        lambda: np.cumsum(a, axis=0),
        nb,
        repeat,
        2,
    )
    ratios["cumsum dim1"] = bench(
        f"cumsum {side}x{side} dim 1",
        lambda: torch.cumsum(x, 1),
        lambda: np.cumsum(a, axis=1),
        nb,
        repeat,
        2,
    )
    m = 1 << 20
    v = rng.standard_normal(m).astype(np.float32)
    tv = torch.FloatTensor(v)
    pv = pytorch.from_numpy(v) if pytorch else None

    def np_argsort_take():
        i = np.argsort(v)
        return v[i], i

    ratios["sort 1M"] = bench(
        "sort 1M float32 (vals+idx)",
        lambda: torch.sort(tv),
        np_argsort_take,
        v.nbytes,
        repeat,
        2,
        pt(lambda: pv.sort()),
    )
    ratios["sort 1M vs np.sort"] = bench(
        "sort 1M float32 vs np.sort",
        lambda: torch.sort(tv),
        lambda: np.sort(v),
        v.nbytes,
        repeat,
        2,
    )
    rows = torch.FloatTensor(a[:1024, :1024].copy())
    ra = a[:1024, :1024].copy()
    ratios["sort rows"] = bench(
        "sort 1024x1024 dim 1 (vals+idx)",
        lambda: torch.sort(rows, 1),
        lambda: np.argsort(ra, axis=1),
        ra.nbytes,
        repeat,
        2,
    )
    ratios["topk 10 of 1M"] = bench(
        "topk 10 largest of 1M",
        lambda: torch.topk(tv, 10, 0, True),
        lambda: np.argpartition(-v, 10)[:10],
        v.nbytes,
        repeat,
        3,
    )
    ratios["median 1M"] = bench(
        "median 1M float32",
        lambda: torch.median(tv),
        lambda: np.median(v),
        v.nbytes,
        repeat,
        3,
    )
    small = torch.FloatTensor(8, 8)
    sa = np.zeros((8, 8), np.float32)
    ratios["sum 8x8 (overhead)"] = bench(
        "sum 8x8 (call overhead)",
        lambda: torch.sum(small),
        lambda: sa.sum(),
        256,
        repeat,
        1,
    )
    ratios["x.sum(1) 8x8 (overhead)"] = bench(
        "x.sum(1) 8x8 (call overhead)",
        lambda: small.sum(1),
        lambda: sa.sum(axis=1),
        256,
        repeat,
        1,
    )
    below = [k for k, r in ratios.items() if r < 1]
    print("below numpy:", ", ".join(below) if below else "none")


if __name__ == "__main__":
    main()
