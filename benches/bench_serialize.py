"""Serialization speed: torch.save / torch.load (.t7) of a large tensor and of a model, beside
numpy.save / np.load and PyTorch's torch.save / torch.load, in one process, on the same data,
to files in one temporary folder.

Rows: a float32 tensor (4096x4096 = 64 MB; --quick: 1024x1024) saved and loaded; a model of
~4.5M parameters (an MLP 1024-2048-1024-10, Linear/Tanh/LogSoftMax) saved and loaded; and
serialize/deserialize to bytes (no file system). Ratios are other/ferrotorch: above 1 means
ferrotorch is faster. Our save is atomic (temporary file + fsync + rename); numpy's and
PyTorch's are not, so the fsync is also shown on its own.
Usage: python benches/bench_serialize.py [--quick]
"""

import io
import os
import sys
import tempfile
import time

import ferrotorch as torch
import numpy as np
from ferrotorch import nn

try:
    import torch as pt
except ImportError:  # the bench still reports numpy and our own times
    pt = None

QUICK = "--quick" in sys.argv
N = 1024 if QUICK else 4096


def best_time(fn, repeat=3 if QUICK else 5):
    fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def row(name, ours, others):
    parts = [f"{name:<34} ferrotorch {ours * 1e3:9.2f} ms"]
    for other, t in others:
        if t is not None:
            parts.append(f"{other} {t * 1e3:9.2f} ms ({other}/ft {t / ours:5.2f})")
    print("   ".join(parts))


def fsync_cost(path, data):
    def write():
        with open(path, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    return best_time(write)


def main():
    tmp = tempfile.mkdtemp()
    ft_path, np_path, pt_path = (os.path.join(tmp, n) for n in ("a.t7", "a.npy", "a.pt"))
    torch.manualSeed(1)
    a = torch.FloatTensor(N, N).uniform()
    arr = np.asarray(a.numpy()).copy()
    pta = pt.from_numpy(arr.copy()) if pt is not None else None
    mb = a.nElement() * 4 / 2**20
    print(f"tensor float32 {N}x{N} ({mb:.0f} MB); model MLP 1024-2048-1024-10")

    t_save = best_time(lambda: torch.save(ft_path, a))
    n_save = best_time(lambda: np.save(np_path, arr))
    p_save = best_time(lambda: pt.save(pta, pt_path)) if pt else None
    row("save tensor", t_save, [("numpy", n_save), ("pytorch", p_save)])
    t_load = best_time(lambda: torch.load(ft_path))
    n_load = best_time(lambda: np.load(np_path))
    p_load = best_time(lambda: pt.load(pt_path)) if pt else None
    row("load tensor", t_load, [("numpy", n_load), ("pytorch", p_load)])

    def np_bytes():
        buf = io.BytesIO()
        np.save(buf, arr)
        return buf.getvalue()

    def pt_bytes():
        buf = io.BytesIO()
        pt.save(pta, buf)
        return buf.getvalue()

    t_ser = best_time(lambda: torch.serialize(a))
    row("serialize tensor (bytes)", t_ser, [("numpy", best_time(np_bytes)),
                                            ("pytorch", best_time(pt_bytes) if pt else None)])
    data, nb, pb = torch.serialize(a), np_bytes(), pt_bytes() if pt else None
    t_de = best_time(lambda: torch.deserialize(data))
    row("deserialize tensor (bytes)", t_de,
        [("numpy", best_time(lambda: np.load(io.BytesIO(nb)))),
         ("pytorch", best_time(lambda: pt.load(io.BytesIO(pb))) if pt else None)])
    row("(fsync of the same bytes)", fsync_cost(os.path.join(tmp, "f"), data), [])

    mlp = nn.Sequential().add(nn.Linear(1024, 2048)).add(nn.Tanh()) \
        .add(nn.Linear(2048, 1024)).add(nn.Tanh()).add(nn.Linear(1024, 10)).add(nn.LogSoftMax())
    mlp.forward(torch.randn(16, 1024))
    params = {f"w{i}": np.asarray(p.numpy()).copy() for i, p in enumerate(mlp.parameters()[0])}
    ptm = None
    if pt is not None:
        ptm = pt.nn.Sequential(pt.nn.Linear(1024, 2048), pt.nn.Tanh(), pt.nn.Linear(2048, 1024),
                               pt.nn.Tanh(), pt.nn.Linear(1024, 10), pt.nn.LogSoftmax(1))
    npz = os.path.join(tmp, "m.npz")
    row("save model", best_time(lambda: torch.save(ft_path, mlp)),
        [("numpy(npz)", best_time(lambda: np.savez(npz, **params))),
         ("pytorch", best_time(lambda: pt.save(ptm.state_dict(), pt_path)) if pt else None)])
    row("load model", best_time(lambda: torch.load(ft_path)),
        [("numpy(npz)", best_time(lambda: dict(np.load(npz)))),
         ("pytorch", best_time(lambda: ptm.load_state_dict(pt.load(pt_path))) if pt else None)])


if __name__ == "__main__":
    main()
