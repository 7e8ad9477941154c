"""threads: real parallelism of jobs doing tensor work, the kernel-threads rule, and a training
loop fed by threads.DataLoader against the same loop on batches prepared in advance.

Usage (from the repository root, on a release build of the extension)::

    .venv/bin/python benches/bench_threads.py            # full
    .venv/bin/python benches/bench_threads.py --quick    # fewer jobs

1. Augmentation jobs (Torch7's donkeys): each job builds a batch of 16 images: for each image a
   random crop (narrow), a copy, a brightness scale (mul), noise (randn, add), then cat into a
   batch tensor. Jobs per second for a pool of 1 worker and of 2 workers (each worker with 1
   kernel thread, the pool's default on 2 cores), in the same run and interleaved, so that
   load from other processes hits both alike; the ratio is the speed-up of the second worker.
   Also shown: the same jobs on the main thread with no pool, a pool of 1 worker sharing the
   process-wide kernel pool (2 threads), and a pool of 2 workers with 2 kernel threads each
   (oversubscribed: 4 threads on 2 cores), which measures the default rule
   ``workers x kernel threads <= cores``. PyTorch (when installed) runs the same jobs on
   Python threads, for reference.
2. Training: an MLP (Linear 3072 -> 512 -> 10, MSE) trained on batches of 64 augmented
   images, fed either by a DataLoader (2 workers, augmentation on the workers) or from a list
   of batches prepared in advance (augmentation not timed). Ratio: prepared / loader time
   (>= 1 means the loader costs nothing).
3. The demo's epoch: the talk's convnet on the embedded digits, batches of 32 shifted by up
   to 2 pixels (``python -m ferrotorch.demo``'s defaults), sampled by donkeys (1 and 2 worker
   threads of 1 kernel thread each, batches trained in the end callbacks, as the demo does)
   against the same loop over batches sampled in advance. Ratio: prepared / donkeys.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import threading
import time

# PyTorch's OpenMP threads (its side-by-side row) would otherwise spin after each parallel
# region and take cores from the pool being measured (see ARCHITECTURE, optim).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("KMP_BLOCKTIME", "0")

import ferrotorch as torch
from ferrotorch import nn, threads

C, H, W, CROP, BATCH = 3, 96, 96, 80, 16


def make_images(n, seed=0):
    torch.manualSeed(seed)
    return torch.FloatTensor(n, C, H, W).uniform()


def augment_batch(images, k):
    """One job: a batch of BATCH crops with brightness and noise, cat into one tensor."""
    n = images.size(0)
    out = []
    for j in range(BATCH):
        img = images.select(0, (k * BATCH + j) % n)
        oy, ox = (k * 7 + j * 3) % (H - CROP), (k * 5 + j * 11) % (W - CROP)
        crop = img.narrow(1, oy, CROP).narrow(2, ox, CROP)
        x = torch.FloatTensor(C, CROP, CROP).copy(crop)
        x.mul(0.8 + 0.02 * (j % 10))
        x.add(torch.randn(C, CROP, CROP).float().mul(0.05))
        out.append(x.view(1, C, CROP, CROP))
    return torch.cat(out, 0)


def run_pool(images, nworkers, njobs, numthreads):
    def init(idx):
        torch.manualSeed(idx)
        if numthreads is not None:  # a pool of this many kernel threads for each worker
            torch.setnumthreads(numthreads)

    pool = threads.Threads(nworkers, init)
    sizes = []
    t = time.perf_counter()
    for k in range(njobs):
        pool.addjob(augment_batch, lambda b: sizes.append(b.size(0)), images, k)
    pool.synchronize()
    dt = time.perf_counter() - t
    pool.terminate()
    assert sizes == [BATCH] * njobs
    return njobs / dt


def run_serial(images, njobs):
    t = time.perf_counter()
    for k in range(njobs):
        augment_batch(images, k)
    return njobs / (time.perf_counter() - t)


def run_pytorch(pt, images_np, nworkers, njobs):
    images = pt.from_numpy(images_np)
    pt.set_num_threads(1)

    def job(k):
        out = []
        for j in range(BATCH):
            img = images[(k * BATCH + j) % images.shape[0]]
            oy, ox = (k * 7 + j * 3) % (H - CROP), (k * 5 + j * 11) % (W - CROP)
            x = img[:, oy:oy + CROP, ox:ox + CROP].clone()
            x.mul_(0.8 + 0.02 * (j % 10))
            x.add_(pt.randn(C, CROP, CROP).mul_(0.05))
            out.append(x.unsqueeze(0))
        return pt.cat(out, 0)

    ks = list(range(njobs))
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not ks:
                    return
                k = ks.pop()
            job(k)

    t = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(nworkers)]
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    return njobs / (time.perf_counter() - t)


def bench_jobs(args):
    images = make_images(64)
    njobs = 30 if args.quick else 80
    run_pool(images, 2, 8, 1)  # warm-up
    cases = {
        "pool 1 worker x 1 kernel thread": lambda: run_pool(images, 1, njobs, 1),
        "pool 2 workers x 1 kernel thread (default)": lambda: run_pool(images, 2, njobs, None),
        "main thread, no pool (2 kernel threads)": lambda: run_serial(images, njobs),
        "pool 1 worker, process kernel pool (default)": lambda: run_pool(images, 1, njobs, None),
        "pool 2 workers x 2 kernel threads (oversubscribed)": lambda: run_pool(images, 2, njobs, 2),
    }
    rates = {name: [] for name in cases}
    for _ in range(args.repeats):
        for name, fn in cases.items():
            rates[name].append(fn())
    print(f"\n1. augmentation jobs ({BATCH} crops {C}x{CROP}x{CROP} + noise + cat per job, "
          f"{njobs} jobs, best of {args.repeats}; jobs/s)")
    best = {name: max(r) for name, r in rates.items()}
    for name, r in rates.items():
        print(f"  {name:52s} {max(r):8.1f}  (median {statistics.median(r):.1f})")
    one = best["pool 1 worker x 1 kernel thread"]
    two = best["pool 2 workers x 1 kernel thread (default)"]
    over = best["pool 2 workers x 2 kernel threads (oversubscribed)"]
    paired = [b / a for a, b in zip(rates["pool 1 worker x 1 kernel thread"],
                                    rates["pool 2 workers x 1 kernel thread (default)"])]
    print(f"  2 workers / 1 worker: {two / one:.2f}x (best of each), "
          f"{statistics.median(paired):.2f}x (median of paired runs)   target >= 1.8x")
    print(f"  default rule (1 kernel thread each) / oversubscribed (2 each): {two / over:.2f}x")
    try:
        import numpy as np
        import torch as pt
    except ImportError:
        return
    images_np = images.numpy().astype(np.float32)
    old = pt.get_num_threads()
    p1 = max(run_pytorch(pt, images_np, 1, njobs) for _ in range(args.repeats))
    p2 = max(run_pytorch(pt, images_np, 2, njobs) for _ in range(args.repeats))
    pt.set_num_threads(old)
    print(f"  PyTorch {pt.__version__}, same jobs on Python threads (1 intra-op thread): "
          f"1 thread {p1:.1f}, 2 threads {p2:.1f} jobs/s ({p2 / p1:.2f}x); "
          f"ferrotorch 2 workers / PyTorch 2 threads: {two / p2:.2f}x")


class Images(threads.Dataset):
    """Images with labels; get(i) crops, scales and adds noise (runs on the loader's workers)."""

    def __init__(self, images, labels):
        self.images, self.labels = images, labels

    def size(self):
        return self.images.size(0)

    def get(self, i):
        img = self.images.select(0, i)
        oy, ox = (i * 7) % (H - 32), (i * 5) % (W - 32)
        x = torch.FloatTensor(C, 32, 32).copy(img.narrow(1, oy, 32).narrow(2, ox, 32))
        x.add(torch.randn(C, 32, 32).float().mul(0.05))
        return x.view(C * 32 * 32).double(), self.labels.select(0, i)


def train(model, batches):
    for x, y in batches:
        out = model.forward(x)
        diff = out.clone().add(-1, y)
        model.zeroGradParameters()
        model.backward(x, diff.mul(2 / diff.nElement()))
        model.updateParameters(0.01)


def bench_training(args):
    n = 512 if args.quick else 1536
    images = make_images(n, seed=1)
    labels = torch.DoubleTensor(n, 10).uniform()
    ds = Images(images, labels)
    torch.manualSeed(2)
    model = nn.Sequential().add(nn.Linear(C * 32 * 32, 512)).add(nn.Linear(512, 10))
    prepared = list(threads.DataLoader(ds, 64, nthreads=1, shuffle=True, seed=3))
    loader = threads.DataLoader(ds, 64, nthreads=2, shuffle=True, seed=3)
    train(model, prepared[:4])  # warm-up
    print(f"\n2. training loop, MLP {C * 32 * 32}->512->10, {len(prepared)} batches of 64 "
          f"(best of {args.repeats}; seconds per epoch)")
    for main_threads in (torch.getnumthreads(), 1):
        old = torch.getnumthreads()
        torch.setnumthreads(main_threads)
        tp, tl = [], []
        for _ in range(args.repeats):
            t = time.perf_counter()
            train(model, prepared)
            tp.append(time.perf_counter() - t)
            t = time.perf_counter()
            train(model, loader)
            tl.append(time.perf_counter() - t)
        torch.setnumthreads(old)
        print(f"  main thread {main_threads} kernel thread(s): prepared {min(tp):.3f} s, "
              f"loader {min(tl):.3f} s, prepared / loader {min(tp) / min(tl):.2f}x "
              f"(median of paired runs {statistics.median(p / q for p, q in zip(tp, tl)):.2f}x)")
    loader.terminate()


def bench_demo(args):
    from ferrotorch import optim
    from ferrotorch.demo import data
    from ferrotorch.demo import train as demo

    train_set, _ = data.digits()
    torch.manualSeed(1)
    model = demo.convnet(train_set.nclasses).float()
    params, grads = model.getParameters()
    criterion = nn.ClassNLLCriterion().float()
    state = {"learningRate": 0.05, "momentum": 0.9}
    batch, jitter = 32, 2
    nbatches = train_set.size() // batch // (2 if args.quick else 1)

    def step(inputs, labels):
        def feval(_):
            grads.zero()
            output = model.forward(inputs)
            loss = criterion.forward(output, labels)
            model.backward(inputs, criterion.backward(output, labels))
            return loss, grads
        optim.sgd(feval, params, state)

    def sample():
        return train_set.sample(batch, jitter=jitter)

    def prepared():
        batches = [sample() for _ in range(nbatches)]  # not timed
        t = time.perf_counter()
        for b in batches:
            step(*b)
        return time.perf_counter() - t

    def donkeys(pool):
        t = time.perf_counter()
        for _ in range(nbatches):
            pool.addjob(sample, step)
        pool.synchronize()
        return time.perf_counter() - t

    def init(idx):
        torch.manualSeed(2 + idx)
        torch.setnumthreads(1)

    pools = {n: threads.Threads(n, init) for n in (1, 2)}
    prepared()  # warm-up
    times = {"prepared": [], 1: [], 2: []}
    for _ in range(args.repeats):
        times["prepared"].append(prepared())
        for n, pool in pools.items():
            times[n].append(donkeys(pool))
    for pool in pools.values():
        pool.terminate()
    print(f"\n3. the demo's epoch: talk's convnet, {nbatches} batches of {batch} digits shifted "
          f"by up to {jitter} px, {torch.getnumthreads()} kernel threads on the main thread "
          f"(best of {args.repeats}; seconds per epoch)")
    best = min(times["prepared"])
    for n in (1, 2):
        paired = statistics.median(p / q for p, q in zip(times["prepared"], times[n]))
        print(f"  prepared {best:.3f} s, {n} donkey(s) {min(times[n]):.3f} s: prepared / donkeys "
              f"{best / min(times[n]):.2f}x (median of paired runs {paired:.2f}x)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", choices=("jobs", "training", "demo"))
    args = parser.parse_args()
    if args.quick:
        args.repeats = min(args.repeats, 3)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, kernel "
          f"threads {torch.getnumthreads()}, load average {os.getloadavg()[0]:.2f}")
    if args.only in (None, "jobs"):
        bench_jobs(args)
    if args.only in (None, "training"):
        bench_training(args)
    if args.only in (None, "demo"):
        bench_demo(args)


if __name__ == "__main__":
    main()
