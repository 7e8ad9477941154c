"""threads.Threads: a pool of worker threads that run jobs, with end callbacks on the main
thread (Torch7's threads.Threads).

Torch7 gave each worker its own Lua state and serialized jobs into it; Python threads share one
interpreter, so jobs, their arguments and their results pass by reference (what Torch7's
sharedserialize did for tensors). Workers run in parallel where they spend their time in
ferrotorch kernels, which release the GIL on tensors of 4096 elements or more.
"""

import atexit
import contextlib
import itertools
import sys
import threading
import traceback
import weakref

import ferrotorch as torch
from ferrotorch.threads.queue import Queue

_SERIALIZATIONS = ("threads.serialize", "threads.sharedserialize")
_local = threading.local()
_live = weakref.WeakSet()

# While a pool runs, Python switches threads every 0.5 ms instead of every 5 ms: a thread that
# returns from a GIL-free kernel waits for the GIL until the running thread is asked to drop it,
# so with workers running Python code the main thread's training step stalled up to 5 ms after
# each kernel (bench_threads, training loop: loader / prepared 0.76x -> 0.89x at 0.2 ms).
FAST_SWITCH_INTERVAL = 0.0005
_switch_lock = threading.Lock()
_switch = {"pools": 0, "saved": None}


def _fast_switching(start):
    """Count running pools; the first lowers sys.getswitchinterval(), the last restores it."""
    with _switch_lock:
        if start:
            if _switch["pools"] == 0:
                saved = sys.getswitchinterval()
                if saved > FAST_SWITCH_INTERVAL:
                    _switch["saved"] = saved
                    sys.setswitchinterval(FAST_SWITCH_INTERVAL)
            _switch["pools"] += 1
        else:
            _switch["pools"] -= 1
            if _switch["pools"] == 0 and _switch["saved"] is not None:
                sys.setswitchinterval(_switch["saved"])
                _switch["saved"] = None


def threadid():
    """threadid() -> int or None: the index (0-based) of the Threads worker running this code.

    None outside a worker (Torch7's global ``__threadid``, 1-based there).

    >>> from ferrotorch import threads
    >>> threads.threadid() is None
    True
    >>> pool = threads.Threads(2)
    >>> pool.specific(True)
    >>> ids = []
    >>> for i in range(2):
    ...     pool.addjob(i, threads.threadid, ids.append)
    >>> pool.synchronize(); sorted(ids)
    [0, 1]
    >>> pool.terminate()
    """
    return getattr(_local, "threadid", None)


def default_numthreads(nworkers, cores=None):
    """default_numthreads(nworkers [, cores]) -> kernel threads for each worker of a pool.

    ``max(1, cores // nworkers)``, where cores is the calling thread's kernel thread count
    (``torch.getnumthreads()``, the number of cores unless set): the workers' kernel threads
    together then never outnumber the cores.

    >>> from ferrotorch import threads
    >>> threads.default_numthreads(2, cores=2), threads.default_numthreads(1, cores=8)
    (1, 8)
    """
    if cores is None:
        cores = torch.getnumthreads()
    return max(1, cores // max(1, nworkers))


class _Stop:
    """A control job: the worker that takes it leaves its loop."""


class _Failure:
    """What a job (or end callback) raised, with the worker that ran it."""

    def __init__(self, exc, where):
        self.exc = exc
        self.where = where


def _spread(result):
    # Lua's multiple returns: a tuple fills several arguments, nothing (None) none.
    if result is None:
        return ()
    if type(result) is tuple:
        return result
    return (result,)


def _worker_loop(idx, shared, own, mainqueue, numthreads):
    _local.threadid = idx
    if numthreads is not None:
        torch.setnumthreads(numthreads)
    specific = True
    while True:
        fn, args, cbid = (own if specific else shared).get()
        if fn is _Stop:
            mainqueue.put((True, (), cbid, idx))
            return
        if fn is None:  # a control job that switches the queue this worker reads
            specific = args
            mainqueue.put((True, (), cbid, idx))
            continue
        try:
            res = (True, fn(*args), cbid, idx)
        except BaseException as exc:  # noqa: BLE001 - every failure goes to the main thread
            res = (False, exc, cbid, idx)
        del fn, args
        mainqueue.put(res)
        del res


class Threads:
    """Threads(n, [f1, f2, ...], numthreads=None): a pool of n worker threads (Torch7's threads).

    Each init function runs on every worker, ``f1`` on all workers, then ``f2``, ..., called
    with the worker's index (0-based; Torch7's were 1-based). Their results are in
    ``pool.initres`` (one entry per worker, for the last function).

    ``addjob(job, endcallback=None, *args)``: ``job(*args)`` runs on the first free worker;
    ``endcallback`` gets the job's result and runs on the thread that calls ``synchronize()``
    or ``dojob()``, so it may touch that thread's data. A returned tuple is spread over several
    arguments (Lua's multiple returns), a returned None gives none. When the pool's queue is
    full (n waiting jobs), addjob runs end callbacks until there is room. In specific mode
    (``specific(True)``) the job goes to a chosen worker: ``addjob(idx, job, endcallback, ...)``.

    An exception in a job or an end callback is re-raised, with the worker's traceback, by
    ``synchronize()`` (after every pending job finished) or ``dojob()``; the pool stays
    usable. ``terminate()`` waits for the jobs, stops the workers, and is idempotent; it also
    runs when the pool is garbage collected and at interpreter exit.

    Kernel threads: each worker calls ``torch.setnumthreads(numthreads)`` before the init
    functions; by default ``numthreads = max(1, torch.getnumthreads() // n)``
    (:func:`default_numthreads`), so that n workers x their kernel threads stay within the
    cores (when that equals the calling thread's count, as for n = 1, the workers share the
    process-wide kernel pool instead of starting their own). An init function may call
    ``torch.setnumthreads`` itself; in a worker that applies to that worker's kernels only.

    While any pool runs, ``sys.setswitchinterval`` is lowered to 0.5 ms (restored when the
    last pool terminates): a thread coming back from a GIL-free kernel then waits at most that
    long for the GIL, instead of 5 ms, while workers run Python code.

    Objects pass by reference (Torch7's sharedserialize): a tensor filled by a job and handed to
    the end callback is not copied, and jobs that write the same storage must synchronise (a
    ``threads.Mutex``).

    >>> import ferrotorch as torch
    >>> from ferrotorch import threads
    >>> pool = threads.Threads(2, lambda idx: torch.manualSeed(100 + idx))
    >>> sums = []
    >>> for k in range(4):
    ...     pool.addjob(lambda k: (k, torch.ones(k + 1).sum()), lambda k, s: sums.append(s), k)
    >>> pool.synchronize()
    >>> sorted(sums)
    [1.0, 2.0, 3.0, 4.0]
    >>> pool.terminate()
    """

    _serialization = "threads.serialize"

    @staticmethod
    def serialization(name=None):
        """Threads.serialization([name]): choose (or, without name, get) the job serializer.

        Accepts Torch7's 'threads.serialize' and 'threads.sharedserialize'. Python threads
        share one heap, so in both cases objects, tensors included, pass by reference (as with
        sharedserialize); the choice is recorded for code that reads it back.

        >>> from ferrotorch import threads
        >>> threads.Threads.serialization('threads.sharedserialize')
        >>> threads.Threads.serialization()
        'threads.sharedserialize'
        """
        if name is None:
            return Threads._serialization
        if name not in _SERIALIZATIONS:
            raise ValueError(f"threads.Threads.serialization: unknown serializer {name!r} "
                             f"(expected one of {', '.join(_SERIALIZATIONS)})")
        Threads._serialization = name
        return None

    def __init__(self, n, *init_fns, numthreads=None):
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError(f"threads.Threads: the number of threads must be a positive int, "
                             f"got {n!r}")
        for f in init_fns:
            if not callable(f):
                raise TypeError(f"threads.Threads: init functions must be callable, got "
                                f"{type(f).__name__}")
        own = numthreads
        if numthreads is None:
            numthreads = default_numthreads(n)
            # As many as the process-wide pool: share it rather than start more threads.
            own = None if numthreads == torch.getnumthreads() else numthreads
        self.N = n
        self.numthreads = numthreads
        self._running = True
        self._specific = True
        self._endcallbacks = {}
        self._ids = itertools.count()
        self._errors = []
        self._mainqueue = Queue(n)
        self._threadqueue = Queue(n)
        self._specificqueues = [Queue(n) for _ in range(n)]
        # Workers hold the queues, never the pool, so an unreachable pool can be collected.
        self._threads = [
            threading.Thread(target=_worker_loop, name=f"ferrotorch.threads-{i}", daemon=True,
                             args=(i, self._threadqueue, self._specificqueues[i],
                                   self._mainqueue, own))
            for i in range(n)
        ]
        _fast_switching(True)
        for t in self._threads:
            t.start()
        _live.add(self)
        self.initres = []
        try:
            for j, f in enumerate(init_fns):
                last = j == len(init_fns) - 1
                for i in range(n):
                    self.addjob(i, f, (lambda *r: self.initres.append(r)) if last else None, i)
            self.specific(False)
        except BaseException:
            self._stop(wait=True)
            raise

    # -- state -------------------------------------------------------------------------------

    def isrunning(self):
        """isrunning() -> bool: the pool has not been terminated.

        >>> from ferrotorch import threads
        >>> pool = threads.Threads(1); pool.isrunning()
        True
        >>> pool.terminate(); pool.isrunning()
        False
        """
        return self._running

    def _check(self, what):
        if not self._running:
            raise RuntimeError(f"threads.Threads.{what}: the pool is terminated")

    def hasjob(self):
        """hasjob() -> bool: some job or end callback is still pending.

        >>> from ferrotorch import threads
        >>> pool = threads.Threads(1); pool.addjob(lambda: 1); pool.hasjob()
        True
        >>> pool.synchronize(); pool.hasjob()
        False
        >>> pool.terminate()
        """
        self._check("hasjob")
        return bool(self._endcallbacks)

    def haserror(self):
        """haserror() -> bool: a job or end callback failed and synchronize has not raised it.

        >>> from ferrotorch import threads
        >>> pool = threads.Threads(1); pool.haserror()
        False
        >>> pool.terminate()
        """
        self._check("haserror")
        return bool(self._errors)

    def _queue_for(self, idx, what):
        if self._specific:
            if isinstance(idx, bool) or not isinstance(idx, int) or not 0 <= idx < self.N:
                raise IndexError(f"threads.Threads.{what}: specific mode needs a thread index "
                                 f"in [0, {self.N}), got {idx!r}")
            return self._specificqueues[idx]
        if idx is not None:
            raise TypeError(f"threads.Threads.{what}: a thread index is only accepted in "
                            f"specific mode (call specific(True) first)")
        return self._threadqueue

    def acceptsjob(self, idx=None):
        """acceptsjob([idx]) -> bool: addjob would not wait (idx: the worker, specific mode).

        >>> from ferrotorch import threads
        >>> pool = threads.Threads(1); pool.acceptsjob()
        True
        >>> pool.terminate()
        """
        self._check("acceptsjob")
        return not self._queue_for(idx, "acceptsjob").isfull()

    def specific(self, flag=None):
        """specific([flag]): get, or set, specific mode (jobs go to a worker chosen by index).

        Switching finishes the pending jobs first.

        >>> from ferrotorch import threads
        >>> pool = threads.Threads(2); pool.specific()
        False
        >>> pool.specific(True); pool.addjob(1, threads.threadid, print); pool.synchronize()
        1
        >>> pool.terminate()
        """
        self._check("specific")
        if flag is None:
            return self._specific
        if not isinstance(flag, bool):
            raise TypeError(f"threads.Threads.specific: expected a bool, got {flag!r}")
        self.synchronize()
        if flag != self._specific:
            # A worker reads one queue at a time: one control job per worker, sent where it
            # listens now (a worker that switched reads the other queue, so each takes one).
            for i in range(self.N):
                self._submit(self._queue_for(i if self._specific else None, "specific"),
                             None, None, flag)
            self._specific = flag
            self.synchronize()
        return None

    # -- jobs --------------------------------------------------------------------------------

    def _submit(self, queue, fn, endcallback, args, force=False):
        while not force and queue.isfull():
            self._dojob()
        cbid = next(self._ids)
        self._endcallbacks[cbid] = endcallback
        queue.put((fn, args, cbid), force=force)

    def addjob(self, *args):
        """addjob([idx,] job [, endcallback], ...): run job(...) on a worker.

        ``endcallback(*results)`` runs on the thread that calls synchronize/dojob. ``idx`` (the
        worker, 0-based) is required in specific mode and refused otherwise.

        >>> from ferrotorch import threads
        >>> pool = threads.Threads(2)
        >>> pool.addjob(divmod, print, 17, 5); pool.synchronize()
        3 2
        >>> pool.terminate()
        """
        self._check("addjob")
        if self._errors:
            self.synchronize()
        idx = None
        if self._specific:
            if not args:
                raise TypeError("threads.Threads.addjob: specific mode needs "
                                "addjob(idx, job [, endcallback], ...)")
            idx, args = args[0], args[1:]
        queue = self._queue_for(idx, "addjob")
        if not args or not callable(args[0]):
            got = type(args[0]).__name__ if args else "nothing"
            raise TypeError(f"threads.Threads.addjob: expected a job function, got {got}")
        job, endcallback, rest = args[0], (args[1] if len(args) > 1 else None), args[2:]
        if endcallback is not None and not callable(endcallback):
            raise TypeError(f"threads.Threads.addjob: the end callback must be a function or "
                            f"None, got {type(endcallback).__name__}")
        self._submit(queue, job, endcallback, rest)

    def _dojob(self):
        ok, value, cbid, tid = self._mainqueue.get()
        endcallback = self._endcallbacks.pop(cbid)
        if not ok:
            self._errors.append(_Failure(value, f"thread {tid} callback"))
            return
        if endcallback is not None:
            try:
                endcallback(*_spread(value))
            except BaseException as exc:  # noqa: BLE001 - raised by synchronize/dojob
                self._errors.append(_Failure(exc, f"thread {tid} endcallback"))

    def _raise_errors(self):
        errors, self._errors = self._errors, []
        if not errors:
            return
        first = errors[0]
        exc = first.exc
        note = f"[{first.where}] raised in a threads.Threads worker (traceback above)"
        if len(errors) > 1:
            others = "; ".join(f"[{e.where}] {type(e.exc).__name__}: {e.exc}" for e in errors[1:])
            note += f"; {len(errors) - 1} more: {others}"
        if hasattr(exc, "add_note"):
            exc.add_note(note)
        raise exc

    def dojob(self):
        """dojob(): wait for one job to finish and run its end callback on this thread.

        Re-raises the job's (or end callback's) exception with the worker's traceback.

        >>> from ferrotorch import threads
        >>> pool = threads.Threads(1); pool.addjob(lambda: 'done', print); pool.dojob()
        done
        >>> pool.terminate()
        """
        self._check("dojob")
        if not self._endcallbacks:
            raise RuntimeError("threads.Threads.dojob: no job is pending (it would wait forever)")
        self._dojob()
        self._raise_errors()

    def synchronize(self):
        """synchronize(): run every pending end callback; then raise the first error, if any.

        >>> from ferrotorch import threads
        >>> pool = threads.Threads(1)
        >>> pool.addjob(lambda: 1 / 0)
        >>> pool.synchronize()
        Traceback (most recent call last):
        ...
        ZeroDivisionError: division by zero
        [thread 0 callback] raised in a threads.Threads worker (traceback above)
        >>> pool.terminate()
        """
        if not self._running:
            return
        while self._endcallbacks:
            self._dojob()
        self._raise_errors()

    # -- end ---------------------------------------------------------------------------------

    def _stop(self, wait):
        if not self._running:
            return
        queues = (self._specificqueues if self._specific else [self._threadqueue] * self.N)
        for i, q in enumerate(queues):
            self._submit(q, _Stop, None, (), force=True)
        if wait:
            while self._endcallbacks:
                self._dojob()
            for t in self._threads:
                if t is not threading.current_thread():
                    t.join()
        self._running = False
        _live.discard(self)
        _fast_switching(False)

    def terminate(self):
        """terminate(): finish the pending jobs, stop the workers (idempotent).

        Errors of the last jobs are raised after the workers stopped.

        >>> from ferrotorch import threads
        >>> pool = threads.Threads(2); pool.terminate(); pool.terminate(); pool.isrunning()
        False
        """
        if not self._running:
            return
        try:
            self.synchronize()
        finally:
            self._stop(wait=True)

    def __del__(self):
        # Garbage collection (Torch7's __gc): stop the workers without waiting (this may run
        # on any thread, a worker included).
        with contextlib.suppress(Exception):  # nothing can be raised from __del__
            self._stop(wait=False)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.terminate()

    def __repr__(self):
        state = "running" if self._running else "terminated"
        return f"threads.Threads({self.N}, {state}, specific={self._specific})"


@atexit.register
def _terminate_all():
    for pool in list(_live):
        try:
            pool.terminate()
        except BaseException:  # noqa: BLE001 - at exit, report and go on
            traceback.print_exc()
