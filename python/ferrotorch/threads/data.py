"""Data loading on worker threads: Dataset, TensorDataset and DataLoader, the "donkeys"
pattern of Torch7's ImageNet example packaged (batches built on a threads.Threads pool while
the main thread trains on the previous ones)."""

import contextlib
import numbers

import ferrotorch as torch
from ferrotorch.threads.pool import Threads, threadid


class Dataset:
    """Dataset: what a DataLoader reads; subclasses define size() and get(i) (0-based).

    ``getbatch(indices)`` returns the samples of a batch collated (see :func:`collate`); a
    subclass may override it with something faster (TensorDataset does: one index kernel).
    Datasets are read by several worker threads at once, so get must not change shared state
    without a threads.Mutex.

    >>> import ferrotorch as torch
    >>> from ferrotorch import threads
    >>> class Squares(threads.Dataset):
    ...     def size(self):
    ...         return 4
    ...     def get(self, i):
    ...         return torch.Tensor([i, i * i]), i
    >>> x, y = Squares().getbatch([1, 3])
    >>> x.tolist(), y.tolist()
    ([[1.0, 1.0], [3.0, 9.0]], [1, 3])
    """

    def size(self):
        """size() -> int: the number of samples.

        >>> import ferrotorch as torch
        >>> from ferrotorch import threads
        >>> threads.TensorDataset(torch.zeros(3, 2)).size()
        3
        """
        raise NotImplementedError(f"{type(self).__name__}.size: a Dataset must define size()")

    def get(self, i):
        """get(i) -> sample i (a tensor, a number, or a tuple of them).

        >>> import ferrotorch as torch
        >>> from ferrotorch import threads
        >>> threads.TensorDataset(torch.range(0, 2)).get(1)
        (1.0,)
        """
        raise NotImplementedError(f"{type(self).__name__}.get: a Dataset must define get(i)")

    def getbatch(self, indices):
        """getbatch(indices) -> the samples at indices, collated into batch tensors.

        >>> import ferrotorch as torch
        >>> from ferrotorch import threads
        >>> threads.TensorDataset(torch.range(0, 4)).getbatch([4, 0])[0].tolist()
        [4.0, 0.0]
        """
        return collate([self.get(i) for i in indices])

    def __len__(self):
        return self.size()


def _stack(values):
    first = values[0]
    if torch.isTensor(first):
        return torch.cat([v.unsqueeze(0) for v in values], 0)
    if isinstance(first, bool) or not isinstance(first, numbers.Real):
        raise TypeError(f"threads.collate: cannot batch samples of type {type(first).__name__}")
    if all(isinstance(v, numbers.Integral) for v in values):
        return torch.LongTensor(list(values))
    return torch.DoubleTensor([float(v) for v in values])


def collate(samples):
    """collate(samples) -> a batch: samples stacked along a new first dimension.

    A sample is a tensor, a number, or a tuple of them; tensors of one field are concatenated
    (one cat kernel), integers become a LongTensor and other numbers a DoubleTensor. Tuples
    give a tuple of batches.

    >>> import ferrotorch as torch
    >>> from ferrotorch import threads
    >>> x, y = threads.collate([(torch.ones(2), 0), (torch.zeros(2), 1)])
    >>> x.tolist(), y.tolist()
    ([[1.0, 1.0], [0.0, 0.0]], [0, 1])
    """
    if not samples:
        raise ValueError("threads.collate: no samples")
    if isinstance(samples[0], tuple):
        width = len(samples[0])
        if any(not isinstance(s, tuple) or len(s) != width for s in samples):
            raise ValueError(f"threads.collate: every sample must be a tuple of {width} values")
        return tuple(_stack([s[f] for s in samples]) for f in range(width))
    return _stack(samples)


class TensorDataset(Dataset):
    """TensorDataset(t1 [, t2, ...]): sample i is (t1[i], t2[i], ...) (rows along dim 0).

    ``getbatch`` selects all rows of a batch with one index kernel per tensor.

    >>> import ferrotorch as torch
    >>> from ferrotorch import threads
    >>> ds = threads.TensorDataset(torch.range(0, 5).view(3, 2), torch.LongTensor([7, 8, 9]))
    >>> ds.size(), ds.get(2)[1]
    (3, 9)
    >>> [t.tolist() for t in ds.getbatch([2, 0])]
    [[[4.0, 5.0], [0.0, 1.0]], [9, 7]]
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("threads.TensorDataset: needs at least one tensor")
        for t in tensors:
            if not torch.isTensor(t) or t.dim() == 0:
                raise TypeError("threads.TensorDataset: expects tensors of at least 1 dim")
        n = tensors[0].size(0)
        sizes = [t.size(0) for t in tensors]
        if any(s != n for s in sizes):
            raise ValueError(f"threads.TensorDataset: tensors differ in size along dim 0: "
                             f"{sizes}")
        self.tensors = tensors

    def size(self):
        """size() -> int: the rows of the tensors.

        >>> import ferrotorch as torch
        >>> from ferrotorch import threads
        >>> threads.TensorDataset(torch.zeros(4, 2)).size()
        4
        """
        return self.tensors[0].size(0)

    def get(self, i):
        """get(i) -> (t1[i], t2[i], ...): views of row i (numbers for 1-dim tensors).

        >>> import ferrotorch as torch
        >>> from ferrotorch import threads
        >>> threads.TensorDataset(torch.range(0, 3)).get(2)
        (2.0,)
        """
        return tuple(t[i] for t in self.tensors)

    def getbatch(self, indices):
        """getbatch(indices) -> (t1 rows, t2 rows, ...), copied by one index kernel each.

        >>> import ferrotorch as torch
        >>> from ferrotorch import threads
        >>> threads.TensorDataset(torch.range(0, 3)).getbatch([3, 1])[0].tolist()
        [3.0, 1.0]
        """
        index = torch.LongTensor(list(indices))
        return tuple(t.index(0, index) for t in self.tensors)


class _Failed:
    """A batch whose loading raised: the exception, raised when the batch is due."""

    def __init__(self, exc, worker):
        self.exc = exc
        self.worker = worker


class DataLoader:
    """DataLoader(dataset, batchsize, nthreads=2, shuffle=False, seed=None, ordered=True,
    droplast=False, transform=None, init=None, prefetch=None): batches built on worker threads.

    Iterating gives one epoch of batches (``dataset.getbatch(indices)``, or with ``transform``
    ``collate([transform(dataset.get(i)) ...])``, transform running on the worker). Up to
    ``prefetch`` (default 2 x nthreads) batches are prepared ahead while the caller works.

    - ``shuffle``: each epoch visits the samples in a new random order, drawn on the main
      thread from the loader's own generator (seeded with ``seed`` when given).
    - ``seed``: each worker calls ``torch.manualSeed(seed + worker)`` (worker 0-based) before
      ``init(worker)``, so random augmentation in ``transform`` is reproducible.
    - An exception while loading a batch is raised (with the worker's traceback) when that
      batch is due, so the batches before it are delivered; the next epoch starts afresh.
    - ``ordered`` (default): batches come in order, and batch k is built by worker
      k % nthreads, so with a seed the whole sequence, random transforms included, is the same
      on every run. ``ordered=False`` yields batches as they finish (any free worker).
    - Workers get ``threads.default_numthreads(nthreads)`` kernel threads each.

    >>> import ferrotorch as torch
    >>> from ferrotorch import threads
    >>> ds = threads.TensorDataset(torch.range(0, 9), torch.range(10, 19))
    >>> loader = threads.DataLoader(ds, 4, nthreads=2)
    >>> [x.tolist() for x, y in loader]
    [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0]]
    >>> loader.terminate()
    """

    def __init__(self, dataset, batchsize, nthreads=2, shuffle=False, seed=None, ordered=True,
                 droplast=False, transform=None, init=None, prefetch=None):
        if not hasattr(dataset, "getbatch") or not hasattr(dataset, "size"):
            raise TypeError(f"threads.DataLoader: expected a threads.Dataset, got "
                            f"{type(dataset).__name__}")
        if isinstance(batchsize, bool) or not isinstance(batchsize, int) or batchsize < 1:
            raise ValueError(f"threads.DataLoader: batchsize must be a positive int, got "
                             f"{batchsize!r}")
        if prefetch is None:
            prefetch = 2 * nthreads
        if prefetch < 1:
            raise ValueError(f"threads.DataLoader: prefetch must be >= 1, got {prefetch!r}")
        self.dataset = dataset
        self.batchsize = batchsize
        self.nthreads = nthreads
        self.shuffle = shuffle
        self.seed = seed
        self.ordered = ordered
        self.droplast = droplast
        self.transform = transform
        self.init = init
        self.prefetch = prefetch
        self._generator = torch.Generator()
        if seed is not None:
            torch.manualSeed(self._generator, seed)
        self._pool = None

    def _start(self):
        if self._pool is None or not self._pool.isrunning():
            seed, init = self.seed, self.init

            def setup(idx):
                if seed is not None:
                    torch.manualSeed(seed + idx)
                if init is not None:
                    init(idx)

            self._pool = Threads(self.nthreads, setup)
            self._pool.specific(self.ordered)
        return self._pool

    def batches(self):
        """batches() -> the index lists of the next epoch's batches (draws the shuffle).

        >>> import ferrotorch as torch
        >>> from ferrotorch import threads
        >>> threads.DataLoader(threads.TensorDataset(torch.zeros(5)), 2).batches()
        [[0, 1], [2, 3], [4]]
        """
        n = self.dataset.size()
        if self.shuffle:
            order = torch.randperm(self._generator, n, "torch.LongTensor").tolist()
        else:
            order = list(range(n))
        bs = self.batchsize
        out = [order[k:k + bs] for k in range(0, n, bs)]
        if self.droplast and out and len(out[-1]) < bs:
            out.pop()
        return out

    def __len__(self):
        n, bs = self.dataset.size(), self.batchsize
        return n // bs if self.droplast else -(-n // bs)

    def _load(self, k, indices):
        ds, transform = self.dataset, self.transform
        try:
            if transform is None:
                return k, ds.getbatch(indices)
            return k, collate([transform(ds.get(i)) for i in indices])
        except Exception as exc:  # noqa: BLE001 - raised when batch k is due, not before
            return k, _Failed(exc, threadid())

    def __iter__(self):
        pool = self._start()
        batches = self.batches()
        ready = {}
        # Only the end callback touches `ready`; it runs on this (the iterating) thread.
        store = ready.__setitem__
        submitted = delivered = 0
        try:
            while delivered < len(batches):
                while submitted < len(batches) and submitted - delivered < self.prefetch:
                    if self.ordered:
                        pool.addjob(submitted % self.nthreads, self._load, store, submitted,
                                    batches[submitted])
                    else:
                        pool.addjob(self._load, store, submitted, batches[submitted])
                    submitted += 1
                if self.ordered:
                    while delivered not in ready:
                        pool.dojob()
                    batch = ready.pop(delivered)
                else:
                    while not ready:
                        pool.dojob()
                    batch = ready.pop(next(iter(ready)))
                delivered += 1
                if isinstance(batch, _Failed):
                    batch.exc.add_note(f"[thread {batch.worker}] raised while loading a batch "
                                       f"in a threads.DataLoader worker (traceback above)")
                    raise batch.exc
                yield batch
        finally:
            if pool.isrunning() and delivered < len(batches):
                # Left early (break or an error): let the jobs in flight finish, drop them.
                with contextlib.suppress(Exception):  # the error that got us here wins
                    pool.synchronize()

    def terminate(self):
        """terminate(): stop the worker threads (a later epoch starts new ones).

        >>> import ferrotorch as torch
        >>> from ferrotorch import threads
        >>> threads.DataLoader(threads.TensorDataset(torch.zeros(2)), 1).terminate()
        """
        if self._pool is not None:
            self._pool.terminate()
            self._pool = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.terminate()
