"""ferrotorch vs numpy: bulk copies / fills and view creation, side by side in one process.

Usage (from the repository root)::

    .venv/bin/python benches/bench_tensor.py            # 16M floats (4096 x 4096)
    .venv/bin/python benches/bench_tensor.py --quick    # 1M floats (1024 x 1024), fewer repeats
    FERROTORCH_NUM_THREADS=1 .venv/bin/python benches/bench_tensor.py

Every case runs ferrotorch and numpy on the same values (separately allocated, same shape and
dtype), interleaving the two so that drift in the machine (frequency, noisy neighbours) hits
both alike. Times are the best of several runs (the median is shown too). The ratio is
``numpy_time / ferrotorch_time``: above 1 means ferrotorch is faster.

Bulk cases report GB/s counting the bytes the operation has to move: read + write for copies
and clones, write only for fill.

Target (the issue): copy / clone / fill at or above numpy, contiguous and transposed; view
creation (select, narrow, t, ``a[i]``) costing no more than numpy's equivalent.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass

import ferrotorch as torch
import numpy as np


@dataclass
class Result:
    name: str
    ft: float  # best ferrotorch time, seconds per call
    np: float  # best numpy time, seconds per call
    ft_med: float
    np_med: float
    nbytes: int | None = None  # bytes moved per call (bulk cases)

    @property
    def ratio(self) -> float:
        return self.np / self.ft


def _time_loop(fn: Callable[[], object], number: int) -> float:
    """Seconds per call of ``fn`` over ``number`` back-to-back calls."""
    perf = time.perf_counter
    t0 = perf()
    for _ in range(number):
        fn()
    return (perf() - t0) / number


def compare(
    name: str,
    ft_fn: Callable[[], object],
    np_fn: Callable[[], object],
    *,
    repeat: int,
    number: int = 1,
    nbytes: int | None = None,
    timed_inside: bool = False,
) -> Result:
    """Best and median of ``repeat`` measurements of each, ferrotorch and numpy interleaved.

    Each measurement times ``number`` back-to-back calls; with ``timed_inside`` the functions
    time themselves and return seconds per operation.
    """
    measure = (lambda fn: fn()) if timed_inside else (lambda fn: _time_loop(fn, number))
    ft_fn()  # warm up: first-touch page faults, lazy imports, thread-pool start
    np_fn()
    ft_times, np_times = [], []
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            ft_times.append(measure(ft_fn))
            np_times.append(measure(np_fn))
    finally:
        if gc_was_enabled:
            gc.enable()
    return Result(
        name,
        min(ft_times),
        min(np_times),
        statistics.median(ft_times),
        statistics.median(np_times),
        nbytes,
    )


# --------------------------------------------------------------------------- bulk cases


def bulk_cases(n: int, repeat: int) -> list[Result]:
    rng = np.random.default_rng(0)
    a_np = rng.standard_normal((n, n), dtype=np.float32)
    # ferrotorch-owned tensors holding the same values (not numpy-backed memory).
    a_ft = torch.FloatTensor(n, n).copy(torch.fromNumpy(a_np))
    assert np.array_equal(a_ft.numpy(), a_np)

    dst_np = np.zeros((n, n), dtype=np.float32)
    dst_ft = torch.FloatTensor(n, n)
    numel = n * n
    rw = 2 * numel * 4  # read + write, float32
    w = numel * 4

    out = []

    out.append(
        compare(
            "copy  contiguous -> contiguous",
            lambda: dst_ft.copy(a_ft),
            lambda: np.copyto(dst_np, a_np),
            repeat=repeat,
            nbytes=rw,
        )
    )
    assert np.array_equal(dst_ft.numpy(), dst_np)

    a_ft_t = a_ft.t()
    a_np_t = a_np.T
    out.append(
        compare(
            "copy  transposed  -> contiguous",
            lambda: dst_ft.copy(a_ft_t),
            lambda: np.copyto(dst_np, a_np_t),
            repeat=repeat,
            nbytes=rw,
        )
    )
    assert np.array_equal(dst_ft.numpy(), dst_np)

    out.append(
        compare(
            "clone contiguous",
            lambda: a_ft.clone(),
            lambda: a_np.copy(),
            repeat=repeat,
            nbytes=rw,
        )
    )

    # numpy's a.T.copy() keeps the Fortran order of a.T (a straight memcpy); the same work as
    # ours (a row-major copy of a transposed view) is ascontiguousarray.
    out.append(
        compare(
            "clone transposed (t():clone() / ascontiguousarray(a.T))",
            lambda: a_ft.t().clone(),
            lambda: np.ascontiguousarray(a_np.T),
            repeat=repeat,
            nbytes=rw,
        )
    )
    c_ft = a_ft.t().clone()
    assert c_ft.isContiguous() and np.array_equal(c_ft.numpy(), a_np.T)
    del c_ft

    out.append(
        compare(
            "fill  contiguous (1.5)",
            lambda: dst_ft.fill(1.5),
            lambda: dst_np.fill(1.5),
            repeat=repeat,
            nbytes=w,
        )
    )
    assert np.array_equal(dst_ft.numpy(), dst_np)
    return out


# --------------------------------------------------------------------------- view cases


def view_cases(number: int, repeat: int) -> list[Result]:
    a_np = np.arange(64 * 64, dtype=np.float32).reshape(64, 64)
    a_ft = torch.FloatTensor(64, 64).copy(torch.fromNumpy(a_np))
    x_np = np.arange(1000, dtype=np.float32)
    x_ft = torch.FloatTensor(1000).copy(torch.fromNumpy(x_np))

    assert np.array_equal(a_ft.select(0, 5).numpy(), a_np[5])
    assert np.array_equal(a_ft.narrow(0, 2, 10).numpy(), a_np[2:12])
    assert np.array_equal(a_ft.t().numpy(), a_np.T)
    assert np.array_equal(a_ft[5].numpy(), a_np[5])
    assert x_ft[5] == x_np[5] and isinstance(x_ft[5], float)

    # Statements are compiled into timeit's loop (no per-call lambda), so the times are the
    # operations themselves plus a few ns of loop; "empty" measures that floor.
    ns = {"a": a_ft, "x": x_ft, "an": a_np, "xn": x_np}
    cases = [
        ("empty statement (loop floor)", "pass", "pass"),
        ("a.select(0, 5)     vs a[5]", "a.select(0, 5)", "an[5]"),
        ("a.narrow(0, 2, 10) vs a[2:12]", "a.narrow(0, 2, 10)", "an[2:12]"),
        ("a.t()              vs a.T", "a.t()", "an.T"),
        ("a[5]  2-D -> row view", "a[5]", "an[5]"),
        ("x[5]  1-D -> number", "x[5]", "xn[5]"),
    ]
    out = []
    for name, ft_stmt, np_stmt in cases:
        ft_t = timeit.Timer(ft_stmt, globals=ns)
        np_t = timeit.Timer(np_stmt, globals=ns)
        out.append(
            compare(
                name,
                lambda ft_t=ft_t: ft_t.timeit(number) / number,
                lambda np_t=np_t: np_t.timeit(number) / number,
                repeat=repeat,
                timed_inside=True,
            )
        )
    return out


# --------------------------------------------------------------------------- report


def _fmt_time(s: float) -> str:
    if s >= 1e-3:
        return f"{s * 1e3:8.2f} ms"
    return f"{s * 1e6:8.3f} us"


def print_bulk(results: list[Result]) -> None:
    w = max(len(r.name) for r in results)
    print(
        f"{'case':<{w}}  {'ferrotorch':>11} {'(median)':>11} {'GB/s':>6}   "
        f"{'numpy':>11} {'(median)':>11} {'GB/s':>6}   {'ratio':>6}"
    )
    for r in results:

        def gb(t: float, nbytes: int | None = r.nbytes) -> float:
            return nbytes / t / 1e9 if nbytes else float("nan")

        flag = "" if r.ratio >= 1 else "  < 1"
        print(
            f"{r.name:<{w}}  {_fmt_time(r.ft)} {_fmt_time(r.ft_med)} {gb(r.ft):6.1f}   "
            f"{_fmt_time(r.np)} {_fmt_time(r.np_med)} {gb(r.np):6.1f}   {r.ratio:6.2f}{flag}"
        )


def print_views(results: list[Result]) -> None:
    w = max(len(r.name) for r in results)
    print(
        f"{'case':<{w}}  {'ferrotorch':>11} {'(median)':>11}   "
        f"{'numpy':>11} {'(median)':>11}   {'ratio':>6}"
    )
    for r in results:
        flag = "" if r.ratio >= 1 or r.name.startswith("empty") else "  < 1"
        print(
            f"{r.name:<{w}}  {_fmt_time(r.ft)} {_fmt_time(r.ft_med)}   "
            f"{_fmt_time(r.np)} {_fmt_time(r.np_med)}   {r.ratio:6.2f}{flag}"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--quick", action="store_true", help="1024x1024 and fewer repeats (a few seconds)"
    )
    p.add_argument("--size", type=int, default=None, help="edge n of the n x n bulk tensors")
    p.add_argument("--repeat", type=int, default=None, help="measurements per bulk case")
    args = p.parse_args(argv)

    n = args.size or (1024 if args.quick else 4096)
    bulk_repeat = args.repeat or (5 if args.quick else 15)
    view_number, view_repeat = (20_000, 3) if args.quick else (100_000, 7)

    env_threads = os.environ.get("FERROTORCH_NUM_THREADS")
    print(
        f"ferrotorch threads={torch.getnumthreads()}"
        f"{f' (FERROTORCH_NUM_THREADS={env_threads})' if env_threads else ''}  "
        f"numpy {np.__version__}  python {platform.python_version()}  "
        f"cpus={os.cpu_count()}  {platform.machine()}"
    )
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    if coretype:
        print(
            f"(OPENBLAS_CORETYPE={coretype} is set; it does not affect these numpy ops, none is BLAS)"
        )
    print(
        "times: best of repeats (median in parentheses); ratio = numpy / ferrotorch, > 1: ferrotorch faster"
    )
    print()

    t0 = time.perf_counter()
    print(f"bulk, float32 {n}x{n} ({n * n / 1e6:.1f}M elements), best of {bulk_repeat}")
    bulk = bulk_cases(n, bulk_repeat)
    print_bulk(bulk)
    print()
    print(
        f"view creation, per call, {view_number} calls x {view_repeat} repeats "
        "(64x64 / 1000-element tensors)"
    )
    views = view_cases(view_number, view_repeat)
    print_views(views)
    print()
    slow = [" ".join(r.name.split()) for r in bulk + views[1:] if r.ratio < 1]
    print(f"below numpy (ratio < 1): {'; '.join(slow) if slow else 'none'}")
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
