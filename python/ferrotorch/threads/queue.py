"""threads.Queue: a bounded, blocking queue of jobs shared between threads (Torch7's
threads.Queue), also the queues that connect a Threads pool's main thread and its workers."""

import collections
import threading


class Queue:
    """Queue(size): a bounded queue of jobs (Torch7's threads.Queue).

    ``addjob(fn, *args)`` adds a job, waiting while ``size`` jobs are pending; ``dojob()`` waits
    for a job, runs it on the calling thread and returns what it returned. ``put(item)`` /
    ``get()`` move plain items with the same bound and blocking. Items pass by reference.

    >>> from ferrotorch import threads
    >>> import threading
    >>> q = threads.Queue(2)
    >>> q.addjob(lambda a, b: a + b, 2, 3)
    >>> q.dojob()
    5
    >>> out = []
    >>> t = threading.Thread(target=lambda: out.extend(q.get() for _ in range(3)))
    >>> t.start()
    >>> for k in range(3):
    ...     q.put(k)            # blocks whenever 2 items wait
    >>> t.join(); out
    [0, 1, 2]
    """

    def __init__(self, size):
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"threads.Queue: size must be a positive int, got {size!r}")
        self._size = size
        self._items = collections.deque()
        self._lock = threading.Lock()
        self._not_empty = threading.Condition(self._lock)
        self._not_full = threading.Condition(self._lock)

    def size(self):
        """size() -> int: how many items the queue holds at most.

        >>> from ferrotorch import threads
        >>> threads.Queue(3).size()
        3
        """
        return self._size

    def __len__(self):
        with self._lock:
            return len(self._items)

    def isempty(self):
        """isempty() -> bool: no item is waiting.

        >>> from ferrotorch import threads
        >>> threads.Queue(1).isempty()
        True
        """
        with self._lock:
            return not self._items

    def isfull(self):
        """isfull() -> bool: size items are waiting (put/addjob would block).

        >>> from ferrotorch import threads
        >>> q = threads.Queue(1); q.put(0); q.isfull()
        True
        """
        with self._lock:
            return len(self._items) >= self._size

    def put(self, item, timeout=None, *, force=False):
        """put(item [, timeout]): add item, waiting while the queue is full.

        Raises TimeoutError when ``timeout`` seconds pass first. ``force=True`` ignores the
        bound (used to stop workers whatever the queue holds).

        >>> from ferrotorch import threads
        >>> q = threads.Queue(1); q.put('a')
        >>> q.put('b', timeout=0.01)
        Traceback (most recent call last):
        ...
        TimeoutError: threads.Queue.put: the queue (size 1) stayed full for 0.01 s
        """
        with self._not_full:
            if not force and not self._not_full.wait_for(
                    lambda: len(self._items) < self._size, timeout):
                raise TimeoutError(f"threads.Queue.put: the queue (size {self._size}) stayed "
                                   f"full for {timeout} s")
            self._items.append(item)
            self._not_empty.notify()

    def get(self, timeout=None):
        """get([timeout]) -> item: take the oldest item, waiting while the queue is empty.

        Raises TimeoutError when ``timeout`` seconds pass first.

        >>> from ferrotorch import threads
        >>> q = threads.Queue(2); q.put('a'); q.get()
        'a'
        """
        with self._not_empty:
            if not self._not_empty.wait_for(lambda: self._items, timeout):
                raise TimeoutError(f"threads.Queue.get: the queue stayed empty for {timeout} s")
            item = self._items.popleft()
            self._not_full.notify()
            return item

    def addjob(self, fn, *args):
        """addjob(fn, ...): queue the call fn(...), waiting while the queue is full.

        >>> from ferrotorch import threads
        >>> q = threads.Queue(1); q.addjob(print, 'hi'); q.dojob()
        hi
        """
        if not callable(fn):
            raise TypeError(f"threads.Queue.addjob: expected a function, got {type(fn).__name__}")
        self.put((fn, args))

    def dojob(self, timeout=None):
        """dojob([timeout]) -> the job's result: wait for a job and run it on this thread.

        >>> from ferrotorch import threads
        >>> q = threads.Queue(1); q.addjob(max, 3, 7); q.dojob()
        7
        """
        fn, args = self.get(timeout)
        return fn(*args)

    def __repr__(self):
        return f"threads.Queue({self._size}) holding {len(self)}"
