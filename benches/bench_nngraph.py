"""nngraph speed: the talk's graph (Linear(20, 10), Tanh, Linear(10, 1)) as an nn.gModule beside
the same network as nn.Sequential and as PyTorch modules, in one process.

Measures forward and forward+backward per call at batch 1 (where the graph's per-node Python
overhead shows) and batch 128. Prints gModule/Sequential (the cost of running through a graph)
and pt/ft (PyTorch's time over ours: above 1 means ferrotorch is faster).
Usage: python benches/bench_nngraph.py [--quick]
"""

import sys
import time

import ferrotorch as torch
from ferrotorch import nn

try:
    import torch as pt
except ImportError:  # the bench still reports our own times
    pt = None

QUICK = "--quick" in sys.argv


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


def layer(name):
    """nn.Tanh / nn.Identity, or a stand-in over engine calls before they exist."""
    cls = getattr(nn, name, None)
    if cls is not None:
        return cls()

    class Stand(nn.Module):
        __typename__ = f"bench.{name}"

        def updateOutput(self, input):
            self.output = torch.tanh(input) if name == "Tanh" else input
            return self.output

        def updateGradInput(self, input, gradOutput):
            if name == "Tanh":
                self.gradInput = gradOutput.clone().addcmul(
                    -1, gradOutput.clone().cmul(self.output), self.output)
            else:
                self.gradInput = gradOutput
            return self.gradInput

    return Stand()


def main():
    from ferrotorch import nngraph  # noqa: F401 - lets modules be called on nodes

    if pt is not None:
        pt.set_num_threads(1)  # small tensors: PyTorch's thread pool only adds contention

    x_in = layer("Identity")()
    l1, l2 = nn.Linear(20, 10), nn.Linear(10, 1)
    graph = nn.gModule([x_in], [l2(layer("Tanh")(l1(x_in)))])
    seq = nn.Sequential().add(l1.clone("weight", "bias")).add(layer("Tanh")) \
        .add(l2.clone("weight", "bias"))
    print(f"{'batch':>5} {'what':<16} {'gModule':>12} {'Sequential':>12} {'PyTorch':>12} "
          f"{'g/seq':>6} {'pt/g':>6}")
    for batch in (1, 128):
        x = torch.rand(20) if batch == 1 else torch.rand(batch, 20)
        dy = torch.rand(1) if batch == 1 else torch.rand(batch, 1)
        rows = {}
        for name, m in (("gModule", graph), ("Sequential", seq)):
            rows[name] = (best_time(lambda m=m, x=x: m.forward(x)),
                          best_time(lambda m=m, x=x, dy=dy: (m.forward(x), m.backward(x, dy))))
        if pt is not None:
            net = pt.nn.Sequential(pt.nn.Linear(20, 10), pt.nn.Tanh(), pt.nn.Linear(10, 1)).double()
            tx = pt.tensor(x.numpy(), requires_grad=True)
            tdy = pt.tensor(dy.numpy())

            def pt_step(net=net, tx=tx, tdy=tdy):
                tx.grad = None
                net(tx).backward(tdy)

            with pt.no_grad():
                fwd = best_time(lambda net=net, tx=tx: net(tx))
            rows["PyTorch"] = (fwd, best_time(pt_step))
        for i, what in enumerate(("forward", "forward+backward")):
            g, s = rows["gModule"][i], rows["Sequential"][i]
            p = rows.get("PyTorch", (float("nan"),) * 2)[i]
            print(f"{batch:>5} {what:<16} {g * 1e6:9.1f} us {s * 1e6:9.1f} us {p * 1e6:9.1f} us "
                  f"{g / s:6.2f} {p / g:6.2f}")


if __name__ == "__main__":
    main()
