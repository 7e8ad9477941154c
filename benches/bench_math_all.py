"""Every element-wise function, reduction and scan: ferrotorch vs PyTorch (and numpy), one process.

    PYTHONPATH=python python benches/bench_math_all.py            # 2048x2048 (4M elements)
    PYTHONPATH=python python benches/bench_math_all.py --quick    # 512x512
    PYTHONPATH=python python benches/bench_math_all.py --only tanh,sum --dtype float32

Each row times one call (best of --repeat) on the same values in float32 and float64:
element-wise functions write into a preallocated `out=` (contiguous, plus a strided row where
the input is a transposed view), reductions run over the whole tensor and along each dim of the
2-D tensor, scans along each dim. The printed ratio is ferrotorch's time / PyTorch's time (below
1: ferrotorch is faster; the issue's goal is <= 1.2 on every row); numpy's time is shown where
numpy has the function. PyTorch runs with as many threads as ferrotorch. The rows above the
goal and the worst ratio are printed last.
"""

import argparse
import time

import ferrotorch as torch
import numpy as np

try:  # PyTorch is an optional dependency; the ratio column needs it.
    import torch as pt
except ImportError:
    pt = None

GOAL = 1.2


def best(fn, repeat):
    """Best time per call in seconds (calls batched so each sample takes >= ~20 ms)."""
    fn()
    t0 = time.perf_counter()
    fn()
    one = time.perf_counter() - t0
    number = max(1, min(10000, int(0.02 / max(one, 1e-9))))
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return min(times)


def domain(name, shape, rng):
    """Inputs inside each function's domain (and away from overflow)."""
    u = rng.random(shape)
    if name in ("asin", "acos"):
        return u * 1.98 - 0.99
    if name in ("log", "log1p", "sqrt", "rsqrt", "cinv"):
        return u * 10 + 1e-3
    if name in ("exp", "sinh", "cosh"):
        return u * 40 - 20
    if name in ("cpow",):
        return u * 2 + 0.1
    if name in ("prod", "cumprod"):
        return 1 + (u - 0.5) * 1e-3
    return rng.standard_normal(shape) * 3


# name -> (ferrotorch call, PyTorch call, numpy call or None); x, y inputs, o output.
UNARY = {
    "abs": (torch.abs, pt and pt.abs, np.abs),
    "sign": (torch.sign, pt and pt.sign, np.sign),
    "neg": (torch.neg, pt and pt.neg, np.negative),
    "cinv": (torch.cinv, pt and pt.reciprocal, np.reciprocal),
    "exp": (torch.exp, pt and pt.exp, np.exp),
    "log": (torch.log, pt and pt.log, np.log),
    "log1p": (torch.log1p, pt and pt.log1p, np.log1p),
    "sqrt": (torch.sqrt, pt and pt.sqrt, np.sqrt),
    "rsqrt": (torch.rsqrt, pt and pt.rsqrt, None),
    "sigmoid": (torch.sigmoid, pt and pt.sigmoid, None),
    "sin": (torch.sin, pt and pt.sin, np.sin),
    "cos": (torch.cos, pt and pt.cos, np.cos),
    "tan": (torch.tan, pt and pt.tan, np.tan),
    "asin": (torch.asin, pt and pt.asin, np.arcsin),
    "acos": (torch.acos, pt and pt.acos, np.arccos),
    "atan": (torch.atan, pt and pt.atan, np.arctan),
    "sinh": (torch.sinh, pt and pt.sinh, np.sinh),
    "cosh": (torch.cosh, pt and pt.cosh, np.cosh),
    "tanh": (torch.tanh, pt and pt.tanh, np.tanh),
    "round": (torch.round, pt and pt.round, None),
    "ceil": (torch.ceil, pt and pt.ceil, np.ceil),
    "floor": (torch.floor, pt and pt.floor, np.floor),
    "trunc": (torch.trunc, pt and pt.trunc, np.trunc),
    "frac": (torch.frac, pt and pt.frac, None),
}

# Functions of a tensor and a number.
SCALAR = {
    "clamp": (lambda x, o: torch.clamp(x, -0.5, 0.5, out=o),
              lambda x, o: pt.clamp(x, -0.5, 0.5, out=o),
              lambda x, o: np.clip(x, -0.5, 0.5, out=o)),
    "fmod": (lambda x, o: torch.fmod(x, 0.7, out=o), lambda x, o: pt.fmod(x, 0.7, out=o),
             lambda x, o: np.fmod(x, 0.7, out=o)),
    "remainder": (lambda x, o: torch.remainder(x, 0.7, out=o),
                  lambda x, o: pt.remainder(x, 0.7, out=o), None),
    "add(x,2)": (lambda x, o: torch.add(x, 2, out=o), lambda x, o: pt.add(x, 2, out=o),
                 lambda x, o: np.add(x, 2, out=o)),
    "mul(x,2)": (lambda x, o: torch.mul(x, 2, out=o), lambda x, o: pt.mul(x, 2, out=o),
                 lambda x, o: np.multiply(x, 2, out=o)),
    "div(x,3)": (lambda x, o: torch.div(x, 3, out=o), lambda x, o: pt.div(x, 3, out=o),
                 lambda x, o: np.divide(x, 3, out=o)),
    "pow(x,3)": (lambda x, o: torch.pow(x, 3, out=o), lambda x, o: pt.pow(x, 3, out=o),
                 lambda x, o: np.power(x, 3, out=o)),
    "pow(x,0.5)": (lambda x, o: torch.pow(torch.abs(x, out=o), 0.5, out=o),
                   lambda x, o: pt.pow(pt.abs(x, out=o), 0.5, out=o), None),
}

# Functions of two tensors.
BINARY = {
    "add": (torch.add, pt and pt.add, np.add),
    "csub": (torch.csub, pt and pt.sub, np.subtract),
    "cmul": (torch.cmul, pt and pt.mul, np.multiply),
    "cdiv": (torch.cdiv, pt and pt.div, np.divide),
    "cpow": (torch.cpow, pt and pt.pow, np.power),
    "atan2": (torch.atan2, pt and pt.atan2, np.arctan2),
    "fmod(x,y)": (torch.fmod, pt and pt.fmod, np.fmod),
    "cmax": (torch.cmax, pt and pt.maximum, np.maximum),
    "cmin": (torch.cmin, pt and pt.minimum, np.minimum),
}

COMPARE = ["lt", "le", "gt", "ge", "eq", "ne"]

REDUCE = ["sum", "mean", "prod", "var", "std", "norm", "max", "min"]
NP_REDUCE = {"sum": np.sum, "mean": np.mean, "prod": np.prod, "max": np.max, "min": np.min}
SCAN = ["cumsum", "cumprod"]


def call(fn, *args, **kw):
    """A timed call with its arguments bound now (not looked up when it runs)."""
    if fn is None:
        return None
    return lambda: fn(*args, **kw)


class Table:
    def __init__(self, repeat):
        self.repeat = repeat
        self.rows = []

    def row(self, name, ft, ptf, npf=None):
        if pt is None:  # no PyTorch: the ratio is against numpy, rows without numpy are skipped
            if npf is None:
                return
            ptf = None
        tf = best(ft, self.repeat)
        tp = best(ptf, self.repeat) if ptf is not None else float("nan")
        tn = best(npf, self.repeat) if npf is not None else float("nan")
        ratio = tf / (tp if pt is not None else tn)
        self.rows.append((name, ratio))
        mark = "  <-- above goal" if ratio > GOAL else ""
        print(f"{name:<34} ferrotorch {tf * 1e3:8.3f} ms  pytorch {tp * 1e3:8.3f} ms  "
              f"numpy {tn * 1e3:8.3f} ms  ratio {ratio:5.2f}{mark}", flush=True)


def run(dtype, n, table, only, rng):
    ft_type = torch.FloatTensor if dtype == "float32" else torch.DoubleTensor
    npt = np.float32 if dtype == "float32" else np.float64
    shape = (n, n)

    def arrays(name):
        a = domain(name, shape, rng).astype(npt)
        return a, torch.fromNumpy(a.copy()), pt and pt.from_numpy(a.copy())

    def wanted(name):
        return not only or name in only

    for name, (f, p, q) in UNARY.items():
        if not wanted(name):
            continue
        a, x, px = arrays(name)
        o, po, no = ft_type(*shape), pt and pt.empty(shape, dtype=px.dtype), np.empty_like(a)
        table.row(f"{name} {dtype}", call(f, x, out=o), call(p, px, out=po), call(q, a, out=no))
        if name in ("exp", "floor", "tanh", "sin", "abs", "round"):
            xt, pxt, at = x.t(), px is not None and px.t(), a.T
            table.row(f"{name} {dtype} transposed", call(f, xt, out=o), call(p, pxt, out=po),
                      call(q, at, out=no))
    for name, (f, p, q) in SCALAR.items():
        if not wanted(name.split("(")[0]) and not wanted(name):
            continue
        a, x, px = arrays(name)
        o, po, no = ft_type(*shape), pt and pt.empty(shape, dtype=px.dtype), np.empty_like(a)
        table.row(f"{name} {dtype}", call(f, x, o), call(p, px, po), call(q, a, no))
    for name, (f, p, q) in BINARY.items():
        if not wanted(name.split("(")[0]) and not wanted(name):
            continue
        a, x, px = arrays("cpow" if name == "cpow" else name)
        b, y, py = arrays(name)
        o, po, no = ft_type(*shape), pt and pt.empty(shape, dtype=px.dtype), np.empty_like(a)
        table.row(f"{name} {dtype}", call(f, x, y, out=o), call(p, px, py, out=po),
                  call(q, a, b, out=no))
        if name == "add":
            yt, pyt, bt = y.t(), py is not None and py.t(), b.T
            xt, pxt, at = x.t(), px is not None and px.t(), a.T
            table.row(f"a.t() + b.t() {dtype}", call(torch.add, xt, yt, out=o),
                      call(pt and pt.add, pxt, pyt, out=po), call(np.add, at, bt, out=no))
    for name in COMPARE:
        if not wanted(name):
            continue
        a, x, px = arrays(name)
        b, y, py = arrays(name)
        o, po, no = torch.ByteTensor(*shape), pt and pt.empty(shape, dtype=pt.bool), np.empty(shape, bool)
        f, p, q = getattr(torch, name), pt and getattr(pt, name), getattr(np, {
            "lt": "less", "le": "less_equal", "gt": "greater", "ge": "greater_equal",
            "eq": "equal", "ne": "not_equal"}[name])
        table.row(f"{name}(x,y) {dtype}", call(f, x, y, out=o), call(p, px, py, out=po),
                  call(q, a, b, out=no))
        table.row(f"{name}(x,0.5) {dtype}", call(f, x, 0.5, out=o), call(p, px, 0.5, out=po),
                  call(q, a, 0.5, out=no))
    for name in REDUCE:
        if not wanted(name):
            continue
        a, x, px = arrays(name)
        f, p, q = getattr(torch, name), pt and getattr(pt, name), NP_REDUCE.get(name)
        table.row(f"{name} {dtype} full", call(f, x), call(p, px), call(q, a))
        for d in (0, 1):
            if name == "norm":
                ff, pf = call(f, x, 2, d), call(p, px, 2, d, keepdim=True)
            else:
                ff, pf = call(f, x, d), call(p, px, d, keepdim=True)
            table.row(f"{name} {dtype} dim {d}", ff, pf, call(q, a, d))
    for name in SCAN:
        if not wanted(name):
            continue
        a, x, px = arrays(name)
        o, po = ft_type(*shape), pt and pt.empty(shape, dtype=px.dtype)
        f, p, q = getattr(torch, name), pt and getattr(pt, name), getattr(np, name)
        no = np.empty_like(a)
        for d in (0, 1):
            table.row(f"{name} {dtype} dim {d}", call(f, x, d, out=o), call(p, px, d, out=po),
                      call(q, a, d, out=no))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="512x512 instead of 2048x2048")
    ap.add_argument("--size", type=int, default=None, help="edge of the square inputs")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", default="", help="comma-separated function names")
    ap.add_argument("--dtype", default="float32,float64")
    args = ap.parse_args()
    if pt is None:
        print("PyTorch is not importable: ratios are against numpy (rows numpy lacks are skipped)")
    else:
        pt.set_num_threads(torch.getnumthreads())
    n = args.size or (512 if args.quick else 2048)
    only = {s for s in args.only.split(",") if s}
    print(f"{n}x{n} = {n * n} elements, ferrotorch threads {torch.getnumthreads()}, "
          f"pytorch {pt and pt.__version__} threads {pt and pt.get_num_threads()}")
    table = Table(args.repeat)
    rng = np.random.default_rng(0)
    for dtype in args.dtype.split(","):
        run(dtype, n, table, only, rng)
    above = [(name, r) for name, r in table.rows if r > GOAL]
    print(f"\n{len(table.rows)} rows, {len(above)} above {GOAL}x PyTorch's time:")
    for name, r in sorted(above, key=lambda t: -t[1]):
        print(f"  {name:<34} {r:5.2f}")
    worst = max(table.rows, key=lambda t: t[1])
    print(f"worst ratio: {worst[1]:.2f} ({worst[0]})")


if __name__ == "__main__":
    main()
