"""torch.Timer: Torch7's stopwatch of real, user and system time."""

import os
import time


def _now():
    t = os.times()
    return {"real": time.perf_counter(), "user": t.user, "sys": t.system}


class Timer:
    """Timer() -> a running stopwatch (Torch7's torch.Timer)

    ``time()`` returns ``{'real': s, 'user': s, 'sys': s}`` seconds accumulated while running;
    ``stop()`` pauses, ``resume()`` continues, ``reset()`` zeroes the count (and keeps the
    running state). Methods return the timer, so calls chain.

    >>> import ferrotorch as torch
    >>> timer = torch.Timer()
    >>> elapsed = timer.stop().time()
    >>> sorted(elapsed), elapsed['real'] >= 0
    (['real', 'sys', 'user'], True)
    """

    def __init__(self):
        self._total = {"real": 0.0, "user": 0.0, "sys": 0.0}
        self._start = _now()
        self._running = True

    def reset(self):
        """reset() -> self, with the accumulated time set to zero"""
        self._total = {k: 0.0 for k in self._total}
        self._start = _now()
        return self

    def stop(self):
        """stop() -> self, paused (time() stops growing)"""
        if self._running:
            now = _now()
            for k in self._total:
                self._total[k] += now[k] - self._start[k]
            self._running = False
        return self

    def resume(self):
        """resume() -> self, counting again after stop()"""
        if not self._running:
            self._start = _now()
            self._running = True
        return self

    def time(self):
        """time() -> {'real': seconds, 'user': seconds, 'sys': seconds}"""
        out = dict(self._total)
        if self._running:
            now = _now()
            for k in out:
                out[k] += now[k] - self._start[k]
        return out
