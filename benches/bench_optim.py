"""optim speed: one step of each algorithm on a 10M-element float32 vector, beside PyTorch's
torch.optim step of the same algorithm in the same process (`pip install '.[bench]'`).

Both sides get the same parameters and the same fixed gradient (weight decay 0, so neither
changes the gradient); ours calls `optim.<name>(feval, x, config)` with a feval that returns
that gradient, PyTorch's `opt.step()` with `p.grad` set. The two run interleaved, each timed as
the median of several steps after warm-up steps that allocate the state. Goal: pt/ft >= 1
(PyTorch's time over ours: above 1 means ferrotorch is faster) for every row.

Rows without a PyTorch counterpart print our time only: cg (a line search per call, not a
step), cmaes (O(N^2) memory, not for 10M parameters; timed at N=200) and FistaLS (timed on its
own). nag is compared with SGD(nesterov=True), the same look-ahead idea in PyTorch's
formulation (the same passes over memory). Usage: python benches/bench_optim.py [--quick]
[--size N]
"""

import os

# PyTorch's OpenMP threads spin for a while after each parallel region by default; interleaved
# with ours, those spinning threads took both cores from our step (plain sgd measured 4.8 ms
# interleaved against 2.4 ms alone). Waiting passively makes the side-by-side rows fair to both
# (PyTorch's own step also got faster: 3.4 -> 2.7 ms). Set before PyTorch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("KMP_BLOCKTIME", "0")

import functools
import statistics
import sys
import time

import ferrotorch as torch
import numpy as np
from ferrotorch import optim

try:
    import torch as pt
except ImportError:  # the bench still reports our own times
    pt = None

QUICK = "--quick" in sys.argv
SIZE = int(sys.argv[sys.argv.index("--size") + 1]) if "--size" in sys.argv else \
    (1_000_000 if QUICK else 10_000_000)
ROUNDS = 5 if QUICK else 11

# (label, ferrotorch function, config, PyTorch class, kwargs)
ROWS = [
    ("sgd", "sgd", {"learningRate": 1e-3}, "SGD", {"lr": 1e-3}),
    ("sgd momentum", "sgd", {"learningRate": 1e-3, "momentum": 0.9},
     "SGD", {"lr": 1e-3, "momentum": 0.9}),
    ("sgd nesterov", "sgd", {"learningRate": 1e-3, "momentum": 0.9, "dampening": 0,
                             "nesterov": True},
     "SGD", {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
    ("nag", "nag", {"learningRate": 1e-3, "momentum": 0.9},
     "SGD", {"lr": 1e-3, "momentum": 0.9, "nesterov": True}),
    ("asgd", "asgd", {"eta0": 1e-3, "t0": 0}, "ASGD", {"lr": 1e-3, "t0": 0}),
    ("adagrad", "adagrad", {"learningRate": 1e-2}, "Adagrad", {"lr": 1e-2, "eps": 1e-10}),
    ("adadelta", "adadelta", {}, "Adadelta", {"lr": 1.0, "rho": 0.9, "eps": 1e-6}),
    ("adam", "adam", {}, "Adam", {"lr": 1e-3}),
    ("adamax", "adamax", {}, "Adamax", {"lr": 2e-3, "eps": 1e-38}),
    ("rmsprop", "rmsprop", {}, "RMSprop", {"lr": 1e-2, "eps": 1e-8}),
    ("rprop", "rprop", {}, "Rprop", {"lr": 0.1}),
    ("lbfgs (maxIter=1)", "lbfgs", {"maxIter": 1}, "LBFGS", {"max_iter": 1}),
]


def fmt(seconds):
    return f"{seconds * 1e3:8.2f} ms"


def main():
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal(SIZE).astype(np.float32)
    g0 = rng.standard_normal(SIZE).astype(np.float32)
    print(f"one step on {SIZE:,} float32 parameters; ferrotorch threads "
          f"{torch.getnumthreads()}" + (f", PyTorch {pt.__version__} threads "
                                         f"{pt.get_num_threads()}" if pt else ""))
    print(f"{'algorithm':20s} {'ferrotorch':>11s} {'PyTorch':>11s} {'pt/ft':>7s}")
    worst = []
    for label, name, config, pt_name, pt_kwargs in ROWS:
        x = torch.fromNumpy(x0.copy())
        g = torch.fromNumpy(g0.copy())
        feval = (lambda x, g=g: (0.0, g))
        config = dict(config)
        method = getattr(optim, name)
        ours = functools.partial(method, feval, x, config)
        theirs = None
        if pt is not None:
            p = pt.from_numpy(x0.copy()).requires_grad_()
            p.grad = pt.from_numpy(g0.copy())
            opt = getattr(pt.optim, pt_name)([p], **pt_kwargs)
            if pt_name == "LBFGS":
                theirs = functools.partial(opt.step, lambda: 0.0)
            else:
                theirs = opt.step
        for _ in range(2):  # warm-up: state allocation, first-call branches
            ours()
            if theirs:
                theirs()
        t_ft, t_pt = [], []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            ours()
            t_ft.append(time.perf_counter() - start)
            if theirs:
                start = time.perf_counter()
                theirs()
                t_pt.append(time.perf_counter() - start)
        ft = statistics.median(t_ft)
        if theirs:
            ptt = statistics.median(t_pt)
            ratio = ptt / ft
            worst.append((ratio, label))
            print(f"{label:20s} {fmt(ft)} {fmt(ptt)} {ratio:7.2f}" + ("  < 1" if ratio < 1
                                                                      else ""))
        else:
            print(f"{label:20s} {fmt(ft)}")

    # cg: one call with maxEval=3 (function evaluations and a line search on f = |x|^2/2)
    x = torch.fromNumpy(x0.copy())
    start = time.perf_counter()
    optim.cg(lambda x: (0.5 * x.dot(x), x.clone()), x, {"maxEval": 3})
    print(f"{'cg (maxEval=3)':20s} {fmt(time.perf_counter() - start)}   (no PyTorch counterpart)")
    n = 200
    torch.manualSeed(1)
    start = time.perf_counter()
    optim.cmaes(lambda x: (x.dot(x), None), torch.FloatTensor(n).fill(1),
                {"sigma": 0.5, "maxEval": 1000})
    print(f"{'cmaes (N=200, 1000 evals)':26s} {fmt(time.perf_counter() - start)}")
    if worst:
        ratio, label = min(worst)
        print(f"worst pt/ft: {ratio:.2f} ({label})")


if __name__ == "__main__":
    main()
