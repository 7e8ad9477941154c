"""The demo's data: the embedded digits, MNIST IDX files and CIFAR-10 binary batches.

Every set comes back as a :class:`ImageSet`: images as a FloatTensor (N, 3, 32, 32), normalised
to zero mean and unit variance over the training images, and 0-based labels as a LongTensor (N),
so the talk's convnet runs on any of them unchanged.

- ``digits()``: the 1,797 8x8 UCI handwritten digits shipped inside the package (see
  DIGITS_LICENSE.txt, CC BY 4.0), upsampled to 32x32 (each pixel becomes a 4x4 block) and
  repeated to 3 channels. Nothing is downloaded.
- ``read_idx(path)``: an MNIST IDX file (optionally gzipped) as a tensor of its element type.
- ``mnist(folder)``: train-images-idx3-ubyte / train-labels-idx1-ubyte / t10k-* (28x28 padded
  to 32x32).
- ``cifar10(folder)``: data_batch_1..5.bin and test_batch.bin (1 label byte + 3072 pixel bytes
  per record).
"""

import gzip
import os
import struct
from importlib import resources

import numpy as np

import ferrotorch as torch
from ferrotorch import image

DIGITS_FILE = "digits.csv.gz"

# IDX element types: code -> (numpy dtype, big-endian), see yann.lecun.com/exdb/mnist.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CIFAR_RECORD = 1 + 3 * 32 * 32


class ImageSet:
    """ImageSet(images, labels, name): images (N, 3, 32, 32) FloatTensor and labels (N)
    LongTensor, 0-based classes.

    >>> import ferrotorch as torch
    >>> from ferrotorch.demo.data import ImageSet
    >>> s = ImageSet(torch.FloatTensor(4, 3, 32, 32), torch.LongTensor([0, 1, 2, 1]), "toy")
    >>> s.size(), s.nclasses
    (4, 3)
    """

    def __init__(self, images, labels, name, classes=None):
        if images.dim() != 4 or images.size(0) != labels.size(0):
            raise ValueError(f"ImageSet: images {list(images.size())} and labels "
                             f"{list(labels.size())} disagree (expected N x C x H x W and N)")
        self.images, self.labels, self.name = images, labels, name
        self.nclasses = int(labels.max()) + 1 if labels.nElement() else 0
        self.classes = classes or [str(c) for c in range(self.nclasses)]

    def size(self):
        return self.images.size(0)

    def sample(self, batchSize, generator=None, jitter=0):
        """A random batch (inputs, labels), drawn with replacement (Torch7's trainLoader:sample);
        with ``jitter`` > 0 each image is shifted by a random -jitter..jitter pixels in x and y
        (``image.translate``), the vacated pixels taking the background (the darkest) value.

        >>> import ferrotorch as torch
        >>> from ferrotorch.demo.data import ImageSet
        >>> s = ImageSet(torch.FloatTensor(4, 3, 32, 32).zero(), torch.LongTensor([0, 1, 2, 1]), "t")
        >>> x, y = s.sample(2, jitter=2)
        >>> list(x.size()), list(y.size())
        ([2, 3, 32, 32], [2])
        """
        n = self.size()
        draw = (lambda t, a, b: t.random(a, b)) if generator is None else (
            lambda t, a, b: t.random(generator, a, b))
        idx = draw(torch.LongTensor(batchSize), 0, n - 1)  # inclusive bounds
        inputs, labels = self.images.index(0, idx), self.labels.index(0, idx)
        if jitter > 0:
            background = self.background()
            shifts = draw(torch.LongTensor(batchSize, 2), -jitter, jitter).tolist()
            for i, (dx, dy) in enumerate(shifts):
                x = inputs[i]  # a view: shifted in place
                x.copy(image.translate(x.add(-background), dx, dy).add(background))
        return inputs, labels

    def background(self):
        """The darkest pixel value (the digits' blank background, after normalisation)."""
        if not hasattr(self, "_background"):
            self._background = float(self.images.min()) if self.images.nElement() else 0.0
        return self._background

    def batch(self, first, count):
        """Samples first .. first+count-1 in order (views, no copy).

        >>> import ferrotorch as torch
        >>> from ferrotorch.demo.data import ImageSet
        >>> s = ImageSet(torch.FloatTensor(4, 3, 32, 32), torch.LongTensor([0, 1, 2, 1]), "t")
        >>> s.batch(2, 2)[1].tolist()
        [2, 1]
        """
        count = min(count, self.size() - first)
        return self.images.narrow(0, first, count), self.labels.narrow(0, first, count)

    def subset(self, limit):
        """The first ``limit`` samples (all when limit is None)."""
        if limit is None or limit >= self.size():
            return self
        return ImageSet(self.images.narrow(0, 0, limit), self.labels.narrow(0, 0, limit),
                        self.name, self.classes)


def _to_32x32_rgb(pixels):
    """(N, C, H, W) uint8 numpy array -> (N, 3, 32, 32) float32, zero-padded or block-upsampled."""
    n, c, h, w = pixels.shape
    if h * 4 == 32 and w * 4 == 32:  # 8x8 digits: nearest-neighbour 4x
        pixels = pixels.repeat(4, axis=2).repeat(4, axis=3)
    elif h <= 32 and w <= 32:
        top, left = (32 - h) // 2, (32 - w) // 2
        padded = np.zeros((n, c, 32, 32), dtype=pixels.dtype)
        padded[:, :, top:top + h, left:left + w] = pixels
        pixels = padded
    else:
        raise ValueError(f"demo data: images of {h}x{w} pixels are larger than 32x32")
    if c == 1:
        pixels = np.repeat(pixels, 3, axis=1)
    elif c != 3:
        raise ValueError(f"demo data: images with {c} channels (expected 1 or 3)")
    return np.ascontiguousarray(pixels, dtype=np.float32)


def _normalise(train, test):
    """Scale both sets with the training images' mean and standard deviation."""
    mean, std = float(train.mean()), float(train.std()) or 1.0
    return (train - mean) / std, (test - mean) / std


def _make_sets(train_x, train_y, test_x, test_y, name, classes=None):
    train_x, test_x = _normalise(_to_32x32_rgb(train_x), _to_32x32_rgb(test_x))

    def tensors(x, y):
        return torch.fromNumpy(x), torch.fromNumpy(np.ascontiguousarray(y, dtype=np.int64))

    return (ImageSet(*tensors(train_x, train_y), name + " train", classes),
            ImageSet(*tensors(test_x, test_y), name + " test", classes))


def digits(test_fraction=0.2, seed=1):
    """digits([test_fraction=0.2], [seed=1]) -> train, test: the embedded UCI digits, split at
    random (a fixed permutation for a given seed) into training and held-out sets.

    >>> from ferrotorch.demo.data import digits
    >>> train, test = digits()
    >>> train.size() + test.size(), list(train.images.size())[1:], train.nclasses
    (1797, [3, 32, 32], 10)
    """
    with (resources.files(__package__).joinpath(DIGITS_FILE).open("rb") as raw,
          gzip.open(raw) as f):
        table = np.loadtxt(f, delimiter=",", dtype=np.uint8)
    pixels, labels = table[:, :64].reshape(-1, 1, 8, 8), table[:, 64]
    order = np.random.default_rng(seed).permutation(len(labels))
    ntest = round(len(labels) * test_fraction)
    test, train = order[:ntest], order[ntest:]
    return _make_sets(pixels[train], labels[train], pixels[test], labels[test], "digits")


def read_idx(path):
    """read_idx(path) -> the array of an IDX file (MNIST's format; '.gz' files are unzipped).

    Raises ValueError on a malformed header or a file shorter than its header says.

    >>> import os, struct, tempfile
    >>> from ferrotorch.demo.data import read_idx
    >>> path = os.path.join(tempfile.mkdtemp(), 'toy-idx1-ubyte')
    >>> with open(path, 'wb') as f:
    ...     _ = f.write(struct.pack('>HBBI', 0, 0x08, 1, 3) + bytes([7, 8, 9]))
    >>> read_idx(path).tolist()
    [7, 8, 9]
    """
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4:
        raise ValueError(f"read_idx: {path}: {len(raw)} bytes, too short for an IDX header")
    zero, code, ndim = struct.unpack(">HBB", raw[:4])
    if zero != 0 or code not in _IDX_TYPES or ndim == 0:
        raise ValueError(f"read_idx: {path}: not an IDX file (magic {raw[:4].hex()})")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"read_idx: {path}: truncated header ({len(raw)} bytes)")
    shape = struct.unpack(">" + "I" * ndim, raw[4:header])
    dtype = np.dtype(_IDX_TYPES[code])
    count = int(np.prod(shape, dtype=np.int64))
    if len(raw) - header < count * dtype.itemsize:
        raise ValueError(f"read_idx: {path}: shape {list(shape)} needs "
                         f"{count * dtype.itemsize} bytes of data, the file has {len(raw) - header}")
    data = np.frombuffer(raw, dtype=dtype, count=count, offset=header)
    return data.reshape(shape).astype(dtype.newbyteorder("="))


def _find(folder, *names):
    for name in names:
        for candidate in (name, name + ".gz"):
            path = os.path.join(folder, candidate)
            if os.path.exists(path):
                return path
    raise FileNotFoundError(f"demo data: none of {', '.join(names)} (or .gz) in {folder}")


def mnist(folder):
    """mnist(folder) -> train, test from MNIST's four IDX files in ``folder``."""
    def images(kind):
        x = read_idx(_find(folder, f"{kind}-images-idx3-ubyte", f"{kind}-images.idx3-ubyte"))
        return x.reshape(x.shape[0], 1, x.shape[1], x.shape[2])

    def labels(kind):
        return read_idx(_find(folder, f"{kind}-labels-idx1-ubyte", f"{kind}-labels.idx1-ubyte"))

    return _make_sets(images("train"), labels("train"), images("t10k"), labels("t10k"), "mnist")


CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
                   "ship", "truck"]


def read_cifar10(path):
    """read_cifar10(path) -> (images uint8 (N, 3, 32, 32), labels uint8 (N)) of one binary batch.

    >>> import os, tempfile
    >>> from ferrotorch.demo.data import read_cifar10
    >>> path = os.path.join(tempfile.mkdtemp(), 'test_batch.bin')
    >>> with open(path, 'wb') as f:
    ...     _ = f.write(bytes([3]) + bytes(3072))
    >>> x, y = read_cifar10(path)
    >>> x.shape, y.tolist()
    ((1, 3, 32, 32), [3])
    """
    with open(path, "rb") as f:
        raw = f.read()
    if not raw or len(raw) % _CIFAR_RECORD:
        raise ValueError(f"read_cifar10: {path}: {len(raw)} bytes is not a whole number of "
                         f"{_CIFAR_RECORD}-byte records")
    records = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _CIFAR_RECORD)
    return records[:, 1:].reshape(-1, 3, 32, 32), records[:, 0].copy()


def cifar10(folder):
    """cifar10(folder) -> train, test from data_batch_*.bin and test_batch.bin in ``folder``."""
    train = sorted(f for f in os.listdir(folder) if f.startswith("data_batch_") and
                   f.endswith(".bin"))
    if not train:
        raise FileNotFoundError(f"demo data: no data_batch_*.bin in {folder}")
    parts = [read_cifar10(os.path.join(folder, f)) for f in train]
    test_x, test_y = read_cifar10(_find(folder, "test_batch.bin"))
    return _make_sets(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                      test_x, test_y, "cifar10", CIFAR10_CLASSES)


def load(folder=None):
    """load([folder]) -> train, test: the embedded digits, or MNIST / CIFAR-10 from a folder
    (recognised by its file names).

    >>> from ferrotorch.demo.data import load
    >>> train, test = load()
    >>> train.name, test.name
    ('digits train', 'digits test')
    """
    if folder is None:
        return digits()
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"demo data: --data {folder} is not a folder")
    names = os.listdir(folder)
    if any(n.startswith("data_batch_") for n in names):
        return cifar10(folder)
    if any("idx3-ubyte" in n for n in names):
        return mnist(folder)
    raise FileNotFoundError(f"demo data: {folder} holds neither MNIST IDX files "
                            f"(train-images-idx3-ubyte, ...) nor CIFAR-10 binary batches "
                            f"(data_batch_1.bin, ...)")
