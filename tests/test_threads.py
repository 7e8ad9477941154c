"""threads.Threads: jobs on workers, end callbacks on the calling thread, specific mode,
errors with the worker's traceback, terminate/restart, shared storages, per-worker kernel
threads (Torch7's threads package, 0-based worker indices)."""

import gc
import os
import subprocess
import sys
import textwrap
import threading
import time
import traceback

import ferrotorch as torch
import numpy as np
import pytest
from ferrotorch import threads


@pytest.fixture
def pool2():
    pool = threads.Threads(2)
    yield pool
    pool.terminate()


def test_every_end_callback_runs_once_on_the_main_thread_with_the_jobs_results(pool2):
    main = threading.get_ident()
    got, where, ran_on = [], set(), set()

    def job(k):
        ran_on.add(threading.get_ident())
        return k, k * k

    def end(k, sq):
        where.add(threading.get_ident())
        got.append((k, sq))

    for k in range(200):
        pool2.addjob(job, end, k)
    pool2.synchronize()
    assert sorted(got) == [(k, k * k) for k in range(200)]
    assert where == {main}
    assert main not in ran_on and 1 <= len(ran_on) <= 2
    assert not pool2.hasjob()


def test_results_are_spread_like_lua_multiple_returns(pool2):
    calls = []
    pool2.addjob(lambda: None, lambda *a: calls.append(("none", a)))
    pool2.addjob(lambda: 7, lambda *a: calls.append(("one", a)))
    pool2.addjob(lambda: (1, "x", None), lambda *a: calls.append(("tuple", a)))
    pool2.addjob(lambda: [1, 2], lambda *a: calls.append(("list", a)))
    pool2.addjob(lambda: (), lambda *a: calls.append(("empty", a)))
    pool2.synchronize()
    assert dict(calls) == {"none": (), "one": (7,), "tuple": (1, "x", None), "list": ([1, 2],),
                           "empty": ()}


def test_one_worker_delivers_end_callbacks_in_submission_order():
    pool = threads.Threads(1)
    order = []
    for k in range(300):
        pool.addjob(lambda k: k, order.append, k)
    pool.synchronize()
    pool.terminate()
    assert order == list(range(300))


def test_init_functions_run_on_every_worker_in_order_with_0_based_indices():
    log = []
    lock = threading.Lock()

    def f1(idx):
        with lock:
            log.append(("f1", idx, threads.threadid()))

    def f2(idx):
        with lock:
            log.append(("f2", idx, threads.threadid()))
        return idx * 10

    pool = threads.Threads(3, f1, f2)
    try:
        # Each worker runs f1 then f2 (as in Torch7, workers do not wait for each other).
        assert sorted(log) == sorted([(f, i, i) for f in ("f1", "f2") for i in range(3)])
        for i in range(3):
            assert log.index(("f1", i, i)) < log.index(("f2", i, i))
        assert sorted(r for (r,) in pool.initres) == [0, 10, 20]
        assert pool.specific() is False
    finally:
        pool.terminate()


def test_workers_run_jobs_at_the_same_time(pool2):
    barrier = threading.Barrier(2, timeout=20)
    met = []
    for _ in range(2):
        pool2.addjob(lambda: barrier.wait() is not None, met.append)
    pool2.synchronize()  # a BrokenBarrierError here would mean one worker ran both jobs
    assert met == [True, True]


def test_specific_mode_sends_each_job_to_the_named_worker():
    pool = threads.Threads(3)
    try:
        pool.specific(True)
        assert pool.specific() is True
        seen = []
        for k in range(30):
            pool.addjob(k % 3, lambda k: (k % 3, threads.threadid()), lambda a, b: seen.append(
                (a, b)), k)
        pool.synchronize()
        assert len(seen) == 30 and all(a == b for a, b in seen)
        with pytest.raises(IndexError, match=r"\[0, 3\)"):
            pool.addjob(3, lambda: None)
        with pytest.raises(TypeError, match="job function"):
            pool.addjob(0, "not callable")
        assert pool.acceptsjob(1)
        pool.specific(False)
        with pytest.raises(TypeError, match="specific mode"):
            pool.acceptsjob(0)
        ids = set()
        for _ in range(30):
            pool.addjob(threads.threadid, ids.add)
        pool.synchronize()
        assert ids <= {0, 1, 2}
    finally:
        pool.terminate()


def test_addjob_waits_for_room_by_running_end_callbacks():
    pool = threads.Threads(1)
    gate = threading.Event()
    try:
        done = []
        pool.addjob(gate.wait)  # the worker will be busy with this one
        assert _wait_for(pool.acceptsjob)  # once it took it off the queue (size 1)
        pool.addjob(lambda: "queued", done.append)  # fills the queue
        assert not pool.acceptsjob()
        threading.Timer(0.05, gate.set).start()
        pool.addjob(lambda: "third", done.append)  # must run callbacks until there is room
        assert "queued" in done or pool.hasjob()
        pool.synchronize()
        assert done == ["queued", "third"]
    finally:
        gate.set()
        pool.terminate()


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="positive int"):
        threads.Threads(0)
    with pytest.raises(TypeError, match="callable"):
        threads.Threads(1, 42)
    pool = threads.Threads(1)
    try:
        with pytest.raises(TypeError, match="end callback"):
            pool.addjob(lambda: 1, "nope")
        with pytest.raises(RuntimeError, match="no job is pending"):
            pool.dojob()
        with pytest.raises(TypeError, match="bool"):
            pool.specific(1)
    finally:
        pool.terminate()


def _fails_in_worker(x):
    raise ValueError(f"bad sample {x}")


def test_a_job_error_is_raised_at_synchronize_with_the_worker_traceback_and_the_pool_lives_on():
    pool = threads.Threads(2)
    try:
        ok = []
        pool.addjob(lambda: 1, ok.append)
        pool.addjob(_fails_in_worker, ok.append, 5)
        pool.addjob(lambda: 3, ok.append)
        with pytest.raises(ValueError, match="bad sample 5") as info:
            pool.synchronize()
        assert sorted(ok) == [1, 3]  # the other jobs' callbacks all ran first
        frames = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
        assert "_fails_in_worker" in frames and "_worker_loop" in frames
        assert any("callback] raised in a threads.Threads worker" in n
                   for n in info.value.__notes__)
        assert not pool.haserror()
        pool.addjob(lambda: 4, ok.append)  # still usable
        pool.synchronize()
        assert sorted(ok) == [1, 3, 4]
    finally:
        pool.terminate()


def test_dojob_raises_the_error_of_its_job_and_end_callback_errors_too():
    pool = threads.Threads(1)
    try:
        pool.addjob(_fails_in_worker, None, 1)
        with pytest.raises(ValueError, match="bad sample 1"):
            pool.dojob()

        def bad_end(x):
            raise KeyError(x)

        pool.addjob(lambda: "k", bad_end)
        with pytest.raises(KeyError) as info:
            pool.synchronize()
        assert any("endcallback" in n for n in info.value.__notes__)
    finally:
        pool.terminate()


def test_several_errors_raise_the_first_and_name_the_others():
    pool = threads.Threads(3)  # room for the 3 jobs: addjob never runs a callback here
    try:
        for k in range(3):
            pool.addjob(_fails_in_worker, None, k)
        with pytest.raises(ValueError, match="bad sample") as info:
            pool.synchronize()
        note = " ".join(info.value.__notes__)
        assert "2 more" in note
        assert all(f"bad sample {k}" in note + str(info.value) for k in range(3))
    finally:
        pool.terminate()


def test_an_error_in_an_init_function_is_raised_by_the_constructor_and_stops_the_workers():
    before = threading.active_count()
    with pytest.raises(ZeroDivisionError):
        threads.Threads(2, lambda idx: 1 / idx)  # worker 0 fails
    assert _wait_for(lambda: threading.active_count() <= before)


def _wait_for(cond, timeout=10):
    t = time.monotonic()
    while not cond():
        if time.monotonic() - t > timeout:
            return False
        time.sleep(0.01)
    return True


def test_terminate_is_idempotent_finishes_pending_jobs_and_a_new_pool_works():
    pool = threads.Threads(2)
    workers = list(pool._threads)
    got = []
    for k in range(20):
        pool.addjob(lambda k: k, got.append, k)
    pool.terminate()
    assert sorted(got) == list(range(20))
    assert not any(t.is_alive() for t in workers)
    pool.terminate()
    pool.synchronize()  # a no-op once terminated, as in Torch7
    assert not pool.isrunning()
    for call in (lambda: pool.addjob(lambda: 1), pool.hasjob, pool.dojob, pool.specific):
        with pytest.raises(RuntimeError, match="terminated"):
            call()
    again = threads.Threads(2)
    again.addjob(lambda: 5, got.append)
    again.synchronize()
    again.terminate()
    assert got[-1] == 5


def test_terminate_raises_the_last_errors_after_stopping_the_workers():
    pool = threads.Threads(2)
    pool.addjob(_fails_in_worker, None, 9)
    with pytest.raises(ValueError, match="bad sample 9"):
        pool.terminate()
    assert not pool.isrunning()
    assert not any(t.is_alive() for t in pool._threads)


def test_a_collected_pool_stops_its_workers():
    pool = threads.Threads(2)
    workers = list(pool._threads)
    del pool
    gc.collect()
    assert _wait_for(lambda: not any(t.is_alive() for t in workers))


def test_terminate_runs_at_interpreter_exit(tmp_path):
    script = textwrap.dedent("""
        import time
        from ferrotorch import threads
        pool = threads.Threads(2)
        def end(k):
            print("end", k, flush=True)
        for k in range(6):
            pool.addjob(lambda k: (time.sleep(0.02), k)[1], end, k)
        # no synchronize, no terminate: the interpreter's exit does both
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=120, env=env, check=False)
    assert out.returncode == 0, out.stderr
    assert sorted(out.stdout.split("\n")[:-1]) == [f"end {k}" for k in range(6)]


def test_serialization_names_are_accepted_and_tensors_pass_by_reference():
    old = threads.Threads.serialization()
    try:
        threads.Threads.serialization("threads.sharedserialize")
        assert threads.Threads.serialization() == "threads.sharedserialize"
        with pytest.raises(ValueError, match="unknown serializer"):
            threads.Threads.serialization("threads.pickle")
        pool = threads.Threads(2)
        t = torch.zeros(4)
        back = []
        pool.addjob(lambda x: x.fill(3), back.append, t)
        pool.synchronize()
        pool.terminate()
        assert back[0] is t and t.tolist() == [3.0] * 4
    finally:
        threads.Threads.serialization(old)


def test_many_jobs_on_one_storage_with_a_mutex_lose_no_write():
    counter = torch.zeros(1)
    big = torch.DoubleTensor(50_000)
    mutex = threads.Mutex()

    def bump(k):
        with mutex:
            before = counter[0]
            big.fill(k).sum()  # a kernel that releases the GIL inside the critical section
            counter[0] = before + 1

    pool = threads.Threads(4)
    for k in range(400):
        pool.addjob(bump, None, k)
    pool.synchronize()
    pool.terminate()
    assert counter[0] == 400


def test_unprotected_kernels_on_one_storage_do_not_crash_and_a_mutex_makes_them_exact():
    shared = torch.zeros(50_000)  # big enough that add releases the GIL: real races
    pool = threads.Threads(3)
    for _ in range(150):
        pool.addjob(lambda: shared.add(1))
    pool.synchronize()
    v = shared.numpy()
    assert np.isfinite(v).all() and v.min() >= 1 and v.max() <= 150  # racy, but no crash
    shared.zero()
    mutex = threads.Mutex()
    for _ in range(150):
        pool.addjob(threads.safe(lambda: shared.add(1), mutex))
    pool.synchronize()
    pool.terminate()
    assert (shared.numpy() == 150).all()


def test_jobs_writing_disjoint_views_of_one_storage_match_numpy():
    rows, cols = 64, 4096
    out = torch.zeros(rows, cols)
    rng = np.random.default_rng(0)
    src = rng.standard_normal((rows, cols))
    pool = threads.Threads(3)
    for r in range(rows):
        pool.addjob(lambda r: out.select(0, r).copy(torch.fromNumpy(src[r])).mul(2).add(r), None,
                    r)
    pool.synchronize()
    pool.terminate()
    np.testing.assert_allclose(out.numpy(), 2 * src + np.arange(rows)[:, None], rtol=0, atol=0)


def test_thousands_of_small_jobs_finish_in_bounded_time():
    pool = threads.Threads(4)
    total = [0]

    def end(v):
        total[0] += v

    t = time.monotonic()
    n = 5000
    for k in range(n):
        pool.addjob(lambda k: torch.ones(8).mul(k).sum(), end, k)
    pool.synchronize()
    pool.terminate()
    assert total[0] == 8 * n * (n - 1) / 2
    assert time.monotonic() - t < 60


def test_the_donkeys_pattern_trains_in_end_callbacks():
    nn = pytest.importorskip("ferrotorch.nn")
    torch.manualSeed(0)
    w_true = torch.randn(3, 5)
    xs = torch.randn(256, 5)
    ys = torch.mm(xs, w_true.t())
    model = nn.Linear(5, 3)
    donkeys = threads.Threads(2, lambda idx: torch.manualSeed(10 + idx))
    losses = []

    def sample(batch):  # a worker draws a batch
        idx = torch.randperm(256, "torch.LongTensor").narrow(0, 0, batch)
        return xs.index(0, idx), ys.index(0, idx)

    def train_batch(inputs, targets):  # the main thread trains on it
        out = model.forward(inputs)
        diff = out.clone().add(-1, targets)
        losses.append(torch.pow(diff, 2).mean())  # (diff.pow(2) would square diff in place)
        model.zeroGradParameters()
        model.backward(inputs, diff.mul(2 / diff.nElement()))
        model.updateParameters(0.1)

    for _ in range(300):
        donkeys.addjob(sample, train_batch, 32)
    donkeys.synchronize()
    donkeys.terminate()
    assert len(losses) == 300
    assert losses[-1] < 1e-3 * losses[0]
    np.testing.assert_allclose(model.weight.numpy(), w_true.numpy(), atol=1e-2)


def test_workers_share_the_cores_and_a_workers_setnumthreads_is_its_own():
    main_count = torch.getnumthreads()
    seen = {}

    def init(idx):
        seen[idx] = torch.getnumthreads()  # the pool's default for its workers
        if idx == 1:
            torch.setnumthreads(1)

    pool = threads.Threads(2, init)
    try:
        assert seen == {i: threads.default_numthreads(2, main_count) for i in range(2)}
        assert torch.getnumthreads() == main_count  # the main thread's count is untouched
        counts = {}
        pool.specific(True)
        for i in range(2):
            pool.addjob(i, lambda i: (i, torch.getnumthreads()), counts.__setitem__, i)
        pool.synchronize()
        assert counts[1] == 1 and counts[0] == threads.default_numthreads(2, main_count)
        assert threads.default_numthreads(4, 2) == 1 and threads.default_numthreads(3, 8) == 2
    finally:
        pool.terminate()


@pytest.mark.parametrize("n", [1, 2, 3])
def test_kernels_in_a_worker_with_its_own_thread_count_match_numpy(n):
    rng = np.random.default_rng(n)
    a, b = rng.standard_normal((130, 70)), rng.standard_normal((70, 90))
    x = rng.standard_normal(200_000)
    pool = threads.Threads(1, lambda idx: torch.setnumthreads(n))
    got = []
    pool.addjob(lambda: (torch.getnumthreads(), torch.mm(torch.fromNumpy(a), torch.fromNumpy(b)),
                         torch.fromNumpy(x.copy()).mul(3).sum()), lambda *r: got.append(r))
    pool.synchronize()
    pool.terminate()
    count, mm, s = got[0]
    assert count == n
    np.testing.assert_allclose(mm.numpy(), a @ b, rtol=1e-12, atol=1e-12)
    assert abs(s - 3 * x.sum()) < 1e-9 * np.abs(x).sum()


def test_per_worker_seeds_give_each_worker_the_stream_of_its_seed():
    pool = threads.Threads(2, lambda idx: torch.manualSeed(50 + idx))
    pool.specific(True)
    draws = {}
    for i in range(2):
        pool.addjob(i, lambda i: (i, torch.randn(5).tolist()), draws.__setitem__, i)
    pool.synchronize()
    pool.terminate()
    expect = {}

    def fresh(i):  # a fresh thread seeded the same way (each thread has its own generator)
        torch.manualSeed(50 + i)
        expect[i] = torch.randn(5).tolist()

    for i in range(2):
        t = threading.Thread(target=fresh, args=(i,))
        t.start()
        t.join()
    assert draws == expect and draws[0] != draws[1]


def test_running_pools_lower_the_switch_interval_and_the_last_restores_it():
    from ferrotorch.threads import pool as pool_module

    before = sys.getswitchinterval()
    first = threads.Threads(1)
    assert sys.getswitchinterval() == pytest.approx(min(before, pool_module.FAST_SWITCH_INTERVAL))
    second = threads.Threads(1)
    first.terminate()
    assert sys.getswitchinterval() == pytest.approx(min(before, pool_module.FAST_SWITCH_INTERVAL))
    second.terminate()
    assert sys.getswitchinterval() == pytest.approx(before)
