"""threads.Mutex, threads.Condition, threads.safe and threads.Queue: the semantics of Torch7's
threads primitives, checked with several real threads."""

import threading
import time

import pytest
from ferrotorch import threads


def _run_all(fns, timeout=30):
    ts = [threading.Thread(target=f) for f in fns]
    for t in ts:
        t.start()
    for t in ts:
        t.join(timeout)
        assert not t.is_alive(), "a thread did not finish"


def test_a_mutex_makes_a_read_modify_write_atomic():
    m = threads.Mutex()
    box = {"n": 0}

    def bump():
        for _ in range(200):
            with m:
                v = box["n"]
                time.sleep(0)  # invite a thread switch inside the critical section
                box["n"] = v + 1

    _run_all([bump] * 4)
    assert box["n"] == 800


def test_mutex_lock_unlock_trylock_and_reopening_by_id():
    m = threads.Mutex()
    m.lock()
    got = []
    t = threading.Thread(target=lambda: got.append(threads.Mutex(m.id()).trylock()))
    t.start()
    t.join()
    assert got == [False]  # another thread sees it locked, through the id
    m.unlock()
    with pytest.raises(RuntimeError, match="not locked"):
        m.unlock()
    m.free()
    with pytest.raises(ValueError, match="no live Mutex"):
        threads.Mutex(m.id())


def test_condition_wait_needs_the_mutex_locked_and_times_out():
    m, c = threads.Mutex(), threads.Condition()
    with pytest.raises(RuntimeError, match="must be locked"):
        c.wait(m)
    with pytest.raises(TypeError, match="threads.Mutex"):
        c.wait(threading.Lock())
    m.lock()
    t = time.monotonic()
    assert c.wait(m, timeout=0.05) is False
    assert time.monotonic() - t >= 0.04
    assert not m.trylock()  # wait took the mutex back before returning
    m.unlock()


def _waiters(n, m, c, woken):
    def wait():
        with m:
            if c.wait(m, timeout=10):  # this Condition has no spurious wake-ups
                woken.append(threading.get_ident())

    ts = [threading.Thread(target=wait) for _ in range(n)]
    for t in ts:
        t.start()
    return ts


def test_signal_wakes_exactly_one_waiter_and_broadcast_wakes_all():
    m, c = threads.Mutex(), threads.Condition()
    woken = []
    ts = _waiters(3, m, c, woken)
    deadline = time.monotonic() + 10
    while len(c._waiters) < 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert len(c._waiters) == 3
    c.signal()
    time.sleep(0.1)
    assert len(woken) == 1
    c.broadcast()
    for t in ts:
        t.join(10)
    assert len(woken) == 3 and len(set(woken)) == 3


def test_a_signal_sent_right_after_the_waiter_unlocks_is_not_lost():
    # The waiter is registered before wait() releases the mutex; the producer takes the mutex,
    # so its signal comes after that registration: every item wakes the consumer.
    m, c = threads.Mutex(), threads.Condition()
    items, consumed = [], []

    def consumer():
        for _ in range(300):
            with m:
                while not items:
                    assert c.wait(m, timeout=10), "a signal was lost"
                consumed.append(items.pop())

    def producer():
        for k in range(300):
            with m:
                items.append(k)
                c.signal()
            while True:
                with m:
                    if not items:
                        break
                time.sleep(0)

    _run_all([consumer, producer])
    assert consumed == list(range(300))


def test_safe_serialises_calls_and_accepts_a_given_mutex():
    box = {"n": 0}

    def bump():
        v = box["n"]
        time.sleep(0)
        box["n"] = v + 1

    locked = threads.safe(bump)
    _run_all([lambda: [locked() for _ in range(200)]] * 3)
    assert box["n"] == 600
    m = threads.Mutex()
    assert threads.safe(bump, m).mutex is m
    with pytest.raises(TypeError):
        threads.safe(42)
    with pytest.raises(TypeError):
        threads.safe(bump, threading.Lock())


def test_queue_is_fifo_bounded_and_blocking():
    q = threads.Queue(3)
    for k in range(3):
        q.put(k)
    assert q.isfull() and len(q) == 3
    with pytest.raises(TimeoutError, match="size 3"):
        q.put(9, timeout=0.02)
    assert [q.get() for _ in range(3)] == [0, 1, 2]
    assert q.isempty()
    with pytest.raises(TimeoutError, match="empty"):
        q.get(timeout=0.02)
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            threads.Queue(bad)


def test_queue_with_many_producers_and_consumers_delivers_each_item_once_within_the_bound():
    q = threads.Queue(4)
    got, lock, peak = [], threading.Lock(), [0]

    def produce(base):
        def run():
            for k in range(500):
                q.put(base + k)
                with lock:
                    peak[0] = max(peak[0], len(q))
        return run

    def consume():
        for _ in range(500):
            v = q.get(timeout=30)
            with lock:
                got.append(v)

    _run_all([produce(0), produce(1000), produce(2000)] + [consume] * 3)
    assert sorted(got) == sorted(b + k for b in (0, 1000, 2000) for k in range(500))
    assert peak[0] <= 4


def test_queue_addjob_and_dojob_run_jobs_on_the_taking_thread():
    q = threads.Queue(2)
    results, where = [], []

    def worker():
        for _ in range(50):
            results.append(q.dojob())

    t = threading.Thread(target=worker)
    t.start()
    for k in range(50):
        q.addjob(lambda k: (where.append(threading.get_ident()), k * 2)[1], k)
    t.join(30)
    assert results == [2 * k for k in range(50)]
    assert set(where) == {t.ident}
    with pytest.raises(TypeError):
        q.addjob("nope")
