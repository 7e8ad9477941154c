"""Element-wise math: ferrotorch vs numpy (and PyTorch when importable), side by side.

Run after `maturin develop --release`:  python benches/bench_math_pointwise.py
Prints time per call and the ratio numpy/ferrotorch (> 1 means ferrotorch is faster), and the
bandwidth in GB/s counting bytes read + written.
"""

import time

import ferrotorch as torch
import numpy as np

try:  # PyTorch is not a dependency; compare against it only if it happens to be installed.
    import torch as pytorch
except ImportError:
    pytorch = None


def best(fn, repeat=7, number=None):
    """Best time per call in seconds."""
    fn()
    if number is None:
        t0 = time.perf_counter()
        fn()
        one = time.perf_counter() - t0
        number = max(1, min(100000, int(0.05 / max(one, 1e-9))))
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def row(name, nbytes, ft, npf, ptf=None):
    tf, tn = best(ft), best(npf)
    line = f"{name:<44} ferrotorch {tf * 1e6:10.2f} us  numpy {tn * 1e6:10.2f} us  ratio {tn / tf:5.2f}"
    if nbytes:
        line += f"  ({nbytes / tf / 1e9:5.1f} GB/s vs {nbytes / tn / 1e9:5.1f})"
    if ptf is not None:
        tp = best(ptf)
        line += f"  pytorch {tp * 1e6:.2f} us ratio {tp / tf:.2f}"
    print(line, flush=True)


def main():
    print(f"threads: {torch.getnumthreads()}")
    n = 16 * 1024 * 1024
    a32 = np.random.rand(n).astype(np.float32)
    b32 = np.random.rand(n).astype(np.float32)
    c32 = np.empty_like(a32)
    ta, tb, tc = torch.fromNumpy(a32.copy()), torch.fromNumpy(b32.copy()), torch.FloatTensor(n)
    pt = None
    if pytorch is not None:
        pa, pb, pc = pytorch.from_numpy(a32), pytorch.from_numpy(b32), pytorch.empty(n)
        pt = lambda: pytorch.add(pa, pb, out=pc)
    row("add 16M f32 into out (torch.add(a, b, out=c))", 12 * n,
        lambda: torch.add(ta, tb, out=tc), lambda: np.add(a32, b32, out=c32), pt)
    row("add 16M f32, method c.add(a, b)", 12 * n, lambda: tc.add(ta, tb), lambda: np.add(a32, b32, out=c32))
    row("a + b 16M f32 (new result)", 12 * n, lambda: ta + tb, lambda: a32 + b32)
    row("a += 1 16M f32", 8 * n, lambda: ta.add(1), lambda: np.add(a32, 1, out=a32))

    m = 4096
    x = np.random.rand(m, m).astype(np.float32)
    y = np.random.rand(m, m).astype(np.float32)
    out = np.empty_like(x)
    tx, ty, tout = torch.fromNumpy(x.copy()), torch.fromNumpy(y.copy()), torch.FloatTensor(m, m)
    pt = None
    if pytorch is not None:
        px, py_, po = pytorch.from_numpy(x), pytorch.from_numpy(y), pytorch.empty(m, m)
        pt = lambda: pytorch.add(px, py_.t(), out=po)
    row("add 4096x4096 f32, one operand transposed", 12 * m * m,
        lambda: torch.add(tx, ty.t(), out=tout), lambda: np.add(x, y.T, out=out), pt)

    e32 = (np.random.rand(n).astype(np.float32) - 0.5) * 20
    te = torch.fromNumpy(e32.copy())
    pt = None
    if pytorch is not None:
        pe = pytorch.from_numpy(e32)
        pt = lambda: pytorch.exp(pe, out=pc)
    row("exp 16M f32 into out", 8 * n, lambda: torch.exp(te, out=tc), lambda: np.exp(e32, out=c32), pt)
    e64 = e32.astype(np.float64)
    te64, to64, o64 = torch.fromNumpy(e64.copy()), torch.DoubleTensor(n), np.empty_like(e64)
    row("exp 16M f64 into out", 16 * n, lambda: torch.exp(te64, out=to64), lambda: np.exp(e64, out=o64))
    row("sigmoid 16M f32 into out", 8 * n, lambda: torch.sigmoid(te, out=tc),
        lambda: np.divide(1, 1 + np.exp(-e32), out=c32))
    row("log 16M f32 into out", 8 * n, lambda: torch.log(ta, out=tc), lambda: np.log(a32, out=c32))
    row("sqrt 16M f32 into out", 8 * n, lambda: torch.sqrt(ta, out=tc), lambda: np.sqrt(a32, out=c32))
    row("a < b 16M f32 (ByteTensor mask)", 9 * n, lambda: ta < tb, lambda: a32 < b32)
    i32 = np.random.randint(-1000, 1000, n).astype(np.int32)
    ti = torch.fromNumpy(i32.copy())
    row("remainder 16M int32 by 7", 8 * n, lambda: torch.remainder(ti, 7), lambda: np.remainder(i32, 7))
    row("mul 16M int32 by 3", 8 * n, lambda: ti * 3, lambda: i32 * 3)

    s1, s2 = np.ones(1, np.float32), np.ones(1, np.float32)
    t1, t2 = torch.FloatTensor([1]), torch.FloatTensor([1])
    pt = None
    if pytorch is not None:
        p1, p2 = pytorch.ones(1), pytorch.ones(1)
        pt = lambda: p1 + p2
    row("a + b on 1 element", 0, lambda: t1 + t2, lambda: s1 + s2, pt)
    r1 = torch.FloatTensor(1)
    row("torch.add(a, b, out=c) on 1 element", 0, lambda: torch.add(t1, t2, out=r1),
        lambda: np.add(s1, s2, out=s1))
    te1k, e1k = te[:1000], e32[:1000]
    row("torch.exp on 1000 elements", 0, lambda: torch.exp(te1k), lambda: np.exp(e1k))


if __name__ == "__main__":
    main()
