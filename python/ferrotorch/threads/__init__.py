"""ferrotorch.threads: Torch7's threads package (a pool of worker threads with end callbacks on
the main thread, Mutex, Condition, Queue) and a data loader built on it.

Workers are Python threads of this interpreter: jobs, arguments and results pass by reference
(Torch7's sharedserialize), and workers run in parallel while they are inside ferrotorch
kernels, which release the GIL on tensors of 4096 elements or more. Worker indices are
0-based.

>>> import ferrotorch as torch
>>> from ferrotorch import threads
>>> donkeys = threads.Threads(2, lambda idx: torch.manualSeed(1 + idx))
>>> sizes = []
>>> for i in range(3):
...     donkeys.addjob(lambda: torch.randn(4, 3), lambda x: sizes.append(x.size(0)))
>>> donkeys.synchronize(); donkeys.terminate()
>>> sizes
[4, 4, 4]
"""

from ferrotorch.threads.data import DataLoader, Dataset, TensorDataset, collate
from ferrotorch.threads.pool import Threads, default_numthreads, threadid
from ferrotorch.threads.queue import Queue
from ferrotorch.threads.sync import Condition, Mutex, safe

__all__ = [
    "Condition",
    "DataLoader",
    "Dataset",
    "Mutex",
    "Queue",
    "TensorDataset",
    "Threads",
    "collate",
    "default_numthreads",
    "safe",
    "threadid",
]
