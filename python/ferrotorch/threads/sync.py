"""Synchronization primitives shared between threads: Mutex, Condition and safe (Torch7's
threads.Mutex, threads.Condition, threads.safe).

Torch7 handed a mutex to another Lua state by its number (``Mutex(id)``); Python threads share
objects, so passing the object works too, and ``Mutex(m.id())`` finds the same mutex while it
is alive.
"""

import functools
import itertools
import threading
import weakref

_ids = itertools.count(1)
_mutexes = weakref.WeakValueDictionary()
_conditions = weakref.WeakValueDictionary()
_registry_lock = threading.Lock()


def _reopen(table, cls, ident, what):
    with _registry_lock:
        found = table.get(ident)
    if found is None:
        raise ValueError(f"threads.{what}({ident}): no live {what} has this id")
    return found


class Mutex:
    """Mutex([id]): a lock shared between threads (Torch7's threads.Mutex).

    ``lock()`` blocks until the mutex is free, ``unlock()`` frees it, ``id()`` is a number that
    ``Mutex(id)`` turns back into the same mutex (how Torch7 shared one between Lua states).
    It is also a context manager (``with m:``). It is not re-entrant: a thread that locks it
    twice waits forever, as a Torch7 (pthread) mutex did.

    >>> from ferrotorch import threads
    >>> m = threads.Mutex()
    >>> m.lock(); m.unlock()
    >>> threads.Mutex(m.id()) is m
    True
    >>> with m:
    ...     pass
    """

    def __new__(cls, ident=None):
        if ident is not None:
            return _reopen(_mutexes, cls, ident, "Mutex")
        self = super().__new__(cls)
        self._lock = threading.Lock()
        with _registry_lock:  # (a lock, not the GIL, guards the counter: free-threaded builds)
            self._id = next(_ids)
            _mutexes[self._id] = self
        return self

    def lock(self):
        """lock(): wait until the mutex is free and take it.

        >>> from ferrotorch import threads
        >>> m = threads.Mutex(); m.lock(); m.unlock()
        """
        self._lock.acquire()

    def trylock(self):
        """trylock() -> bool: take the mutex if it is free, without waiting.

        >>> from ferrotorch import threads
        >>> m = threads.Mutex()
        >>> m.trylock(), m.trylock()
        (True, False)
        >>> m.unlock()
        """
        return self._lock.acquire(blocking=False)

    def unlock(self):
        """unlock(): free the mutex (RuntimeError if it is not locked).

        >>> from ferrotorch import threads
        >>> m = threads.Mutex(); m.lock(); m.unlock()
        """
        try:
            self._lock.release()
        except RuntimeError:
            raise RuntimeError("threads.Mutex.unlock: the mutex is not locked") from None

    def id(self):
        """id() -> int: the number that Mutex(id) turns back into this mutex.

        >>> from ferrotorch import threads
        >>> threads.Mutex().id() > 0
        True
        """
        return self._id

    def free(self):
        """free(): forget the id (Torch7 freed the C mutex; here garbage collection does).

        >>> from ferrotorch import threads
        >>> threads.Mutex().free()
        """
        with _registry_lock:
            _mutexes.pop(self._id, None)

    def __enter__(self):
        self.lock()
        return self

    def __exit__(self, *exc):
        self.unlock()

    def __repr__(self):
        return f"threads.Mutex({self._id})"


class Condition:
    """Condition([id]): a condition variable (Torch7's threads.Condition).

    ``wait(mutex)`` needs ``mutex`` locked by the caller: it unlocks it and waits, atomically
    (a ``signal()`` made after the unlock is never missed), and locks it again before it
    returns. ``signal()`` wakes one waiting thread, ``broadcast()`` all of them. As with any
    condition variable, re-check the predicate in a loop around ``wait``.

    >>> from ferrotorch import threads
    >>> import threading
    >>> m, c, box = threads.Mutex(), threads.Condition(), []
    >>> def produce():
    ...     with m:
    ...         box.append(42)
    ...         c.signal()
    >>> m.lock()
    >>> threading.Thread(target=produce).start()
    >>> while not box:
    ...     _ = c.wait(m)
    >>> m.unlock(); box
    [42]
    """

    def __new__(cls, ident=None):
        if ident is not None:
            return _reopen(_conditions, cls, ident, "Condition")
        self = super().__new__(cls)
        self._guard = threading.Lock()
        self._waiters = []
        with _registry_lock:
            self._id = next(_ids)
            _conditions[self._id] = self
        return self

    def wait(self, mutex, timeout=None):
        """wait(mutex [, timeout]) -> bool: unlock mutex, wait for a signal, lock it again.

        Returns False when ``timeout`` seconds passed without a signal.

        >>> from ferrotorch import threads
        >>> m, c = threads.Mutex(), threads.Condition()
        >>> m.lock(); c.wait(m, timeout=0.01)
        False
        >>> m.unlock()
        """
        if not isinstance(mutex, Mutex):
            raise TypeError(f"threads.Condition.wait: expected a threads.Mutex, got "
                            f"{type(mutex).__name__}")
        if mutex.trylock():
            mutex.unlock()
            raise RuntimeError("threads.Condition.wait: the mutex must be locked by the caller")
        waiter = threading.Lock()
        waiter.acquire()
        # Registered before the mutex is released: a signal sent after the unlock finds it.
        with self._guard:
            self._waiters.append(waiter)
        mutex.unlock()
        woken = False
        try:
            woken = waiter.acquire() if timeout is None else waiter.acquire(timeout=timeout)
        finally:
            with self._guard:
                if waiter in self._waiters:  # timed out (or interrupted): not signalled
                    self._waiters.remove(waiter)
                else:  # a signal chose this waiter, maybe just after the timeout: it counts
                    woken = True
            mutex.lock()
        return woken

    def signal(self):
        """signal(): wake one thread waiting on this condition (none waiting: no effect).

        >>> from ferrotorch import threads
        >>> threads.Condition().signal()
        """
        with self._guard:
            if self._waiters:
                self._waiters.pop(0).release()

    def broadcast(self):
        """broadcast(): wake every thread waiting on this condition.

        >>> from ferrotorch import threads
        >>> threads.Condition().broadcast()
        """
        with self._guard:
            waiters, self._waiters = self._waiters, []
        for w in waiters:
            w.release()

    def id(self):
        """id() -> int: the number that Condition(id) turns back into this condition.

        >>> from ferrotorch import threads
        >>> c = threads.Condition(); threads.Condition(c.id()) is c
        True
        """
        return self._id

    def free(self):
        """free(): forget the id (garbage collection frees the condition).

        >>> from ferrotorch import threads
        >>> threads.Condition().free()
        """
        with _registry_lock:
            _conditions.pop(self._id, None)

    def __repr__(self):
        return f"threads.Condition({self._id})"


def safe(fn, mutex=None):
    """safe(fn [, mutex]) -> a function that runs fn while holding mutex (Torch7's threads.safe).

    Without a mutex a new one is made for this wrapper, so calls of the wrapper from several
    threads run one at a time.

    >>> from ferrotorch import threads
    >>> total = [0]
    >>> def bump(k):
    ...     total[0] += k
    ...     return total[0]
    >>> add = threads.safe(bump)
    >>> add(2), add(3)
    (2, 5)
    """
    if not callable(fn):
        raise TypeError(f"threads.safe: expected a function, got {type(fn).__name__}")
    if mutex is None:
        mutex = Mutex()
    elif not isinstance(mutex, Mutex):
        raise TypeError(f"threads.safe: expected a threads.Mutex, got {type(mutex).__name__}")

    @functools.wraps(fn)
    def locked(*args, **kwargs):
        with mutex:
            return fn(*args, **kwargs)

    locked.mutex = mutex
    return locked
