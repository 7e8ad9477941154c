"""A progress bar: tqdm when it is installed (loaded only when a bar is made), else one
plain line per quarter of the work, so the demo runs with numpy alone."""

import sys
import time


class _PlainBar:
    def __init__(self, total, desc, file):
        self.total, self.desc, self.file = total, desc, file
        self.n, self.postfix, self.start = 0, "", time.perf_counter()
        self.next_report = max(1, total // 4)

    def update(self, n=1):
        self.n += n
        if self.n >= self.next_report or self.n == self.total:
            rate = self.n / max(time.perf_counter() - self.start, 1e-9)
            print(f"{self.desc}: {self.n}/{self.total} [{rate:.1f} it/s] {self.postfix}",
                  file=self.file, flush=True)
            self.next_report += max(1, self.total // 4)

    def set_postfix_str(self, text):
        self.postfix = text

    def close(self):
        pass


def bar(total, desc, unit="batch", enabled=True, file=None):
    """bar(total, desc) -> an object with update(n), set_postfix_str(text) and close().

    >>> from ferrotorch.demo.progress import bar
    >>> b = bar(2, "epoch 1", enabled=False)
    >>> b.update(); b.update(); b.close()
    """
    file = file or sys.stderr
    if not enabled:
        return _SilentBar()
    try:
        from tqdm import tqdm
    except ImportError:
        return _PlainBar(total, desc, file)
    return tqdm(total=total, desc=desc, unit=unit, file=file, leave=True, dynamic_ncols=True)


class _SilentBar:
    def update(self, n=1):
        pass

    def set_postfix_str(self, text):
        pass

    def close(self):
        pass
