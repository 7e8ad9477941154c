"""The kernel pool: the importing thread is its thread 0, other Python threads' kernels are
handed to the pool, and the thread count can change and come back (ferrotorch::parallel)."""

import threading

import ferrotorch as torch
import numpy as np
import pytest


def _products(seed, rounds):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(rounds):
        a = rng.standard_normal((96, 80))
        b = rng.standard_normal((80, 112))
        x = rng.standard_normal(300_000)
        got_mm = torch.mm(torch.fromNumpy(a), torch.fromNumpy(b)).numpy()
        got_dot = torch.dot(torch.fromNumpy(x), torch.fromNumpy(x))
        out.append((np.abs(got_mm - a @ b).max(), abs(got_dot - x @ x) / (x @ x)))
    return out


def test_kernels_from_several_python_threads_at_once_match_numpy():
    results = {}

    def work(i):
        results[i] = _products(i, 20)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(1, 4)]
    for t in threads:
        t.start()
    results[0] = _products(0, 20)  # the importing thread runs kernels meanwhile
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a kernel from a Python thread did not return"
    assert sorted(results) == [0, 1, 2, 3]
    for errs in results.values():
        for mm_err, dot_err in errs:
            assert mm_err < 1e-10
            assert dot_err < 1e-12


@pytest.mark.parametrize("n", [1, 3, 2])
def test_thread_count_changes_and_comes_back(n):
    old = torch.getnumthreads()
    try:
        torch.setnumthreads(n)
        assert torch.getnumthreads() == n
        for mm_err, dot_err in _products(n, 3):
            assert mm_err < 1e-10
            assert dot_err < 1e-12
    finally:
        torch.setnumthreads(old)
    assert torch.getnumthreads() == old
    for mm_err, _ in _products(7, 2):
        assert mm_err < 1e-10

