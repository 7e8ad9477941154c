"""nn speed, side by side with PyTorch in one process (`pip install '.[bench]'`).

1. The talk's MLP (Linear(100, 1000), Tanh, Linear(1000, 10), LogSoftMax, ClassNLLCriterion):
   a training step (zeroGradParameters, forward, criterion, backward, updateParameters) and a
   forward alone, at batch 1 and 128. Goal: batch 1 at most half of PyTorch's time, batch 128
   at or below it.
2. Every nn class whose Torch7 zoo record can build it (tests/fixtures or ../shared fixtures):
   forward and forward+backward time per call on the record's small input, which measures the
   per-call overhead of each module family, with PyTorch's equivalent beside it where there is
   one.
3. The talk's convnet, batch 64 of 3x32x32, float32: with the two
   SpatialContrastiveNormalization layers replaced by Identity (PyTorch has none), the training
   step (zeroGrad, forward, NLL, backward, SGD update) and the forward against PyTorch's same
   network (goal: at or below PyTorch's time); then the full convnet, whose two
   normalizations may add at most 25% to the step (Lua Torch7: +52%).
4. Every transfer function (Tanh ... TanhShrink) on the talk's first activation, 64x16x28x28
   float32: forward and forward+backward against PyTorch's module (the zoo's small inputs
   measure only per-call overhead; this measures the element loops).

Prints pt/ft (PyTorch's time over ours: above 1 means ferrotorch is faster) per row and the
worst row of each table last. Usage: python benches/bench_nn.py [--quick]
"""

import json
import sys
import time
from pathlib import Path

import ferrotorch as torch
from ferrotorch import nn

try:
    import torch as pt
except ImportError:  # the bench still reports our own times
    pt = None

QUICK = "--quick" in sys.argv
ROOT = Path(__file__).resolve().parents[1]
FIXTURES = next(p for p in (ROOT / "tests" / "fixtures" / "torch7",
                            ROOT.parent / "shared" / "fixtures" / "torch7") if p.is_dir())


def best_time(fn, repeat=5, min_time=0.05 if QUICK else 0.2):
    """Seconds per call: the best of `repeat` rounds, each at least min_time long."""
    fn()
    n, elapsed = 1, 0.0
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


def fmt(seconds):
    return f"{seconds * 1e6:9.1f} us" if seconds < 1e-3 else f"{seconds * 1e3:9.3f} ms"


# ---- 1. the talk's MLP ------------------------------------------------------------------------
def ours_mlp(batch):
    torch.manualSeed(1)
    model = nn.Sequential().add(nn.Linear(100, 1000)).add(nn.Tanh()).add(nn.Linear(1000, 10))
    model.add(nn.LogSoftMax())
    crit = nn.ClassNLLCriterion()
    x = torch.randn(batch, 100) if batch > 1 else torch.randn(100)
    y = torch.LongTensor([i % 10 for i in range(batch)]) if batch > 1 else 3

    def step():
        model.zeroGradParameters()
        out = model.forward(x)
        crit.forward(out, y)
        model.backward(x, crit.backward(out, y))
        model.updateParameters(0.01)

    return step, lambda: model.forward(x)


def pytorch_mlp(batch):
    pt.manual_seed(1)
    model = pt.nn.Sequential(pt.nn.Linear(100, 1000), pt.nn.Tanh(), pt.nn.Linear(1000, 10),
                             pt.nn.LogSoftmax(dim=-1)).double()
    crit = pt.nn.NLLLoss()
    x = pt.randn(batch, 100, dtype=pt.float64) if batch > 1 else pt.randn(100, dtype=pt.float64)
    y = pt.tensor([i % 10 for i in range(batch)]) if batch > 1 else pt.tensor(3)
    params = list(model.parameters())

    def step():
        model.zero_grad()
        out = model(x)
        crit(out, y).backward()
        with pt.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-0.01)

    def forward():
        with pt.no_grad():
            model(x)

    return step, forward


def bench_mlp():
    print("The talk's MLP, float64 (Torch7's default type)")
    print(f"{'case':28} {'ferrotorch':>12} {'PyTorch':>12} {'pt/ft':>7}")
    rows = []
    for batch in (1, 128):
        ours = ours_mlp(batch)
        theirs = pytorch_mlp(batch) if pt is not None else (None, None)
        for label, i in (("training step", 0), ("forward", 1)):
            ft = best_time(ours[i])
            line = f"{label + ' batch ' + str(batch):28} {fmt(ft):>12}"
            if theirs[i] is not None:
                p = best_time(theirs[i])
                line += f" {fmt(p):>12} {p / ft:7.2f}"
                rows.append((p / ft, label, batch))
            print(line)
    if rows:
        worst = min(rows)
        print(f"worst: {worst[1]} batch {worst[2]}: pt/ft {worst[0]:.2f}")
    print()


# ---- 3. the talk's convnet ---------------------------------------------------------------------
def ours_convnet(batch, normalize, first_grad_input=True):
    """The talk's convnet's step and forward; first_grad_input=False sets the first layer's
    gradInput to None (Torch7's `model:get(1).gradInput = nil`), the work PyTorch skips for an
    input that does not require grad."""
    from ferrotorch import image

    torch.manualSeed(1)

    def norm(planes):
        return nn.SpatialContrastiveNormalization(planes, image.gaussian(3)) if normalize \
            else nn.Identity()

    model = nn.Sequential()
    model.add(nn.SpatialConvolution(3, 16, 5, 5)).add(nn.Tanh())
    model.add(nn.SpatialMaxPooling(2, 2, 2, 2)).add(norm(16))
    model.add(nn.SpatialConvolution(16, 64, 5, 5)).add(nn.Tanh())
    model.add(nn.SpatialMaxPooling(2, 2, 2, 2)).add(norm(64))
    model.add(nn.SpatialConvolution(64, 256, 5, 5)).add(nn.Tanh())
    model.add(nn.Reshape(256)).add(nn.Linear(256, 10)).add(nn.LogSoftMax())
    model.float()
    if not first_grad_input:
        model.get(0).gradInput = None
    crit = nn.ClassNLLCriterion().float()
    x = torch.randn(batch, 3, 32, 32).float()
    y = torch.LongTensor([i % 10 for i in range(batch)])

    def step():
        model.zeroGradParameters()
        out = model.forward(x)
        crit.forward(out, y)
        model.backward(x, crit.backward(out, y))
        model.updateParameters(0.01)

    return step, lambda: model.forward(x)


def pytorch_convnet(batch):
    pt.manual_seed(1)
    f = pt.nn
    model = f.Sequential(f.Conv2d(3, 16, 5), f.Tanh(), f.MaxPool2d(2, 2), f.Identity(),
                         f.Conv2d(16, 64, 5), f.Tanh(), f.MaxPool2d(2, 2), f.Identity(),
                         f.Conv2d(64, 256, 5), f.Tanh(), f.Flatten(), f.Linear(256, 10),
                         f.LogSoftmax(dim=-1))
    crit = f.NLLLoss()
    x = pt.randn(batch, 3, 32, 32)
    y = pt.tensor([i % 10 for i in range(batch)])
    params = list(model.parameters())

    def step():
        model.zero_grad()
        crit(model(x), y).backward()
        with pt.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-0.01)

    def forward():
        with pt.no_grad():
            model(x)

    return step, forward


def bench_convnet(batch=64):
    print(f"The talk's convnet, batch {batch} of 3x32x32, float32")
    print(f"{'case':44} {'ferrotorch':>12} {'PyTorch':>12} {'pt/ft':>7}")
    plain = ours_convnet(batch, normalize=False)
    theirs = pytorch_convnet(batch) if pt is not None else (None, None)
    times = {}
    for label, i in (("training step, normalization -> Identity", 0),
                     ("forward, normalization -> Identity", 1)):
        ft = best_time(plain[i])
        times[label] = ft
        line = f"{label:44} {fmt(ft):>12}"
        if theirs[i] is not None:
            p = best_time(theirs[i])
            line += f" {fmt(p):>12} {p / ft:7.2f}"
        print(line)
    # The same work on both sides: PyTorch computes no gradient for an input that does not
    # require one, Torch7 users skipped it with `model:get(1).gradInput = nil`.
    lean = ours_convnet(batch, normalize=False, first_grad_input=False)
    ft = best_time(lean[0])
    line = f"{'training step, first layer without gradInput':44} {fmt(ft):>12}"
    if theirs[0] is not None:
        p = best_time(theirs[0])
        line += f" {fmt(p):>12} {p / ft:7.2f}"
    print(line)
    full = ours_convnet(batch, normalize=True)
    ft = best_time(full[0])
    base = times["training step, normalization -> Identity"]
    print(f"{'training step, with both normalizations':44} {fmt(ft):>12}")
    print(f"the two SpatialContrastiveNormalization layers add {100 * (ft / base - 1):.0f}% "
          f"to the step (goal: at most 25%; Lua Torch7: 52%)")
    print()


# ---- 2. every class from its zoo record --------------------------------------------------------
def value(spec):
    if isinstance(spec, dict) and "data" in spec and "type" in spec:
        cls = getattr(torch, spec["type"].split(".")[1])
        data = [float(v) if not isinstance(v, str) else float(v.replace("inf", "Infinity"))
                for v in spec["data"]]
        return cls(data).view(*spec["size"]) if spec["size"] else cls()
    if isinstance(spec, list):
        return [value(v) for v in spec]
    return spec


def build(record):
    """nn.<Name>(*constructor_args), or None where the args hold modules or Lua tables."""
    args = []
    for a in record.get("constructor_args") or []:
        if isinstance(a, dict) and "lua" in a:
            return None
        args.append(value(a))
    cls = getattr(nn, record["name"], None)
    if cls is None or record.get("setup"):
        return None
    if ":" in record["constructor"].split("(", 1)[0] or "):" in record["constructor"]:
        return None  # chained Lua calls (":add(...)", ":ceil()")
    return cls(*args)


PYTORCH_EQUIVALENT = {
    "Tanh": lambda: pt.nn.Tanh(), "Sigmoid": lambda: pt.nn.Sigmoid(),
    "ReLU": lambda: pt.nn.ReLU(), "ReLU6": lambda: pt.nn.ReLU6(),
    "ELU": lambda: pt.nn.ELU(), "LeakyReLU": lambda: pt.nn.LeakyReLU(0.01),
    "SoftPlus": lambda: pt.nn.Softplus(), "SoftSign": lambda: pt.nn.Softsign(),
    "LogSigmoid": lambda: pt.nn.LogSigmoid(), "HardTanh": lambda: pt.nn.Hardtanh(),
    "HardShrink": lambda: pt.nn.Hardshrink(), "SoftShrink": lambda: pt.nn.Softshrink(),
    "TanhShrink": lambda: pt.nn.Tanhshrink(), "SoftMax": lambda: pt.nn.Softmax(dim=-1),
    "LogSoftMax": lambda: pt.nn.LogSoftmax(dim=-1), "SoftMin": lambda: pt.nn.Softmin(dim=-1),
    "Abs": lambda: pt.nn.Identity(), "Identity": lambda: pt.nn.Identity(),
}


def time_record(m, record, x):
    """(forward, forward + backward) seconds per call of m on the record's input."""
    if record["kind"] == "criterion":
        t = value(record["target"])
        return (best_time(lambda: m.forward(x, t)),
                best_time(lambda: (m.forward(x, t), m.backward(x, t))))
    m.training() if record.get("mode") == "training" else m.evaluate()
    out = m.forward(x)
    g = value(record["gradOutput"]) if record.get("gradOutput") is not None else out
    fwd = best_time(lambda: m.forward(x))
    if record.get("gradInput") is None:
        return fwd, float("nan")
    return fwd, best_time(lambda: (m.forward(x), m.backward(x, g)))


def bench_zoo():
    print("Every class on its Torch7 zoo record's input (per-call overhead), float64")
    print(f"{'class':32} {'forward':>12} {'fwd+bwd':>12} {'pt fwd+bwd':>12} {'pt/ft':>7}")
    rows, skipped = [], []
    for path in sorted((FIXTURES / "nn_zoo").glob("*.json")):
        record = json.loads(path.read_text())
        name = record["name"]
        try:
            m = build(record)
        except Exception as e:  # noqa: BLE001 - reported, the bench goes on
            skipped.append(f"{name} ({type(e).__name__})")
            continue
        if m is None:
            skipped.append(name)
            continue
        x = value(record["input"])
        try:
            fwd, both = time_record(m, record, x)
        except Exception as e:  # noqa: BLE001 - reported, the bench goes on
            skipped.append(f"{name} ({type(e).__name__}: {e})"[:80])
            continue
        line = f"{name:32} {fmt(fwd):>12} {fmt(both):>12}"
        if pt is not None and name in PYTORCH_EQUIVALENT and isinstance(x, torch.Tensor):
            pm = PYTORCH_EQUIVALENT[name]().double()
            px = pt.tensor(x.numpy(), requires_grad=True)
            pg = pt.tensor(value(record["gradOutput"]).numpy())

            def pt_step(pm=pm, px=px, pg=pg):
                px.grad = None
                pm(px).backward(pg)

            p = best_time(pt_step)
            line += f" {fmt(p):>12} {p / both:7.2f}"
            rows.append((p / both, name))
        print(line)
    if rows:
        worst = min(rows)
        print(f"worst against PyTorch: {worst[1]}: pt/ft {worst[0]:.2f}")
    if skipped:
        print(f"not built from the record ({len(skipped)}): " + ", ".join(skipped))


# ---- 4. transfer functions on a large activation ---------------------------------------------
TRANSFER = {
    "Tanh": (nn.Tanh, pt and pt.nn.Tanh), "Sigmoid": (nn.Sigmoid, pt and pt.nn.Sigmoid),
    "ReLU": (nn.ReLU, pt and pt.nn.ReLU), "ReLU6": (nn.ReLU6, pt and pt.nn.ReLU6),
    "ELU": (nn.ELU, pt and pt.nn.ELU),
    "LeakyReLU": (nn.LeakyReLU, pt and (lambda: pt.nn.LeakyReLU(0.01))),
    "HardTanh": (nn.HardTanh, pt and pt.nn.Hardtanh),
    "HardShrink": (nn.HardShrink, pt and pt.nn.Hardshrink),
    "SoftShrink": (nn.SoftShrink, pt and pt.nn.Softshrink),
    "SoftPlus": (nn.SoftPlus, pt and pt.nn.Softplus), "SoftSign": (nn.SoftSign, pt and pt.nn.Softsign),
    "LogSigmoid": (nn.LogSigmoid, pt and pt.nn.LogSigmoid),
    "TanhShrink": (nn.TanhShrink, pt and pt.nn.Tanhshrink),
}


def bench_transfer(shape=(64, 16, 28, 28)):
    print(f"Transfer functions on {'x'.join(map(str, shape))} float32 (forward, forward+backward)")
    print(f"{'class':14} {'forward':>12} {'pt forward':>12} {'pt/ft':>7} {'fwd+bwd':>12} "
          f"{'pt fwd+bwd':>12} {'pt/ft':>7}")
    torch.manualSeed(3)
    x = torch.randn(*shape).float().mul(3)
    rows = []
    for name, (ours, theirs) in TRANSFER.items():
        m = ours()
        g = m.forward(x).clone().fill(1)
        fwd = best_time(lambda m=m: m.forward(x))
        both = best_time(lambda m=m, g=g: (m.forward(x), m.backward(x, g)))
        line = f"{name:14} {fmt(fwd):>12}"
        if pt is None:
            print(line + f" {fmt(both):>12}")
            continue
        pm, px = theirs(), pt.tensor(x.numpy(), requires_grad=True)
        pg = pt.ones(shape)
        with pt.no_grad():
            pf = best_time(lambda pm=pm, px=px: pm(px))

        def pt_step(pm=pm, px=px, pg=pg):
            px.grad = None
            pm(px).backward(pg)

        pb = best_time(pt_step)
        print(line + f" {fmt(pf):>12} {pf / fwd:7.2f} {fmt(both):>12} {fmt(pb):>12} {pb / both:7.2f}")
        rows += [(pf / fwd, f"{name} forward"), (pb / both, f"{name} fwd+bwd")]
    if rows:
        worst = min(rows)
        print(f"worst against PyTorch: {worst[1]}: pt/ft {worst[0]:.2f}")


if __name__ == "__main__":
    print(f"ferrotorch threads: {torch.getnumthreads()}"
          + (f", PyTorch {pt.__version__} threads: {pt.get_num_threads()}" if pt else ""))
    bench_mlp()
    bench_convnet()
    bench_zoo()
    bench_transfer()
