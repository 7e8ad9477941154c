"""threads.DataLoader / Dataset / TensorDataset / collate: batches built on worker threads,
every sample once per epoch, shuffling, per-worker seeds and a deterministic order."""

import ferrotorch as torch
import numpy as np
import pytest
from ferrotorch import threads


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((103, 6))
    y = np.arange(103)
    return x, y, threads.TensorDataset(torch.fromNumpy(x.copy()), torch.LongTensor(list(y)))


def _epoch(loader):
    return [(bx.numpy().copy(), by.numpy().copy()) for bx, by in loader]


def test_batches_in_order_match_the_rows_of_the_dataset(data):
    x, y, ds = data
    with threads.DataLoader(ds, 10, nthreads=3) as loader:
        batches = _epoch(loader)
        assert len(loader) == len(batches) == 11
    np.testing.assert_array_equal(np.concatenate([b for b, _ in batches]), x)
    np.testing.assert_array_equal(np.concatenate([b for _, b in batches]), y)


def test_a_shuffled_epoch_visits_every_sample_once_and_rows_stay_paired(data):
    x, _, ds = data
    loader = threads.DataLoader(ds, 16, nthreads=2, shuffle=True, seed=5)
    orders = []
    for _ in range(2):
        batches = _epoch(loader)
        labels = np.concatenate([b for _, b in batches])
        assert sorted(labels) == list(range(103))
        np.testing.assert_array_equal(np.concatenate([b for b, _ in batches]), x[labels])
        orders.append(labels)
    loader.terminate()
    assert not np.array_equal(orders[0], orders[1])  # a new order each epoch


def test_droplast_and_unordered_delivery(data):
    _, _, ds = data
    loader = threads.DataLoader(ds, 10, nthreads=3, ordered=False, droplast=True, prefetch=5)
    batches = _epoch(loader)
    loader.terminate()
    assert len(loader) == len(batches) == 10
    labels = sorted(np.concatenate([b for _, b in batches]))
    assert labels == list(range(100))


def _noisy(seed, nthreads, ordered=True):
    ds = threads.TensorDataset(torch.zeros(40, 3), torch.LongTensor(list(range(40))))

    def augment(sample):  # random augmentation on the worker, from the worker's generator
        x, label = sample
        return x.clone().add(torch.randn(3)), label

    loader = threads.DataLoader(ds, 4, nthreads=nthreads, shuffle=True, seed=seed,
                                ordered=ordered, transform=augment)
    out = _epoch(loader) + _epoch(loader)
    loader.terminate()
    return out


def test_a_seed_gives_the_same_batches_random_transforms_included():
    a, b = _noisy(11, 3), _noisy(11, 3)
    for (xa, ya), (xb, yb) in zip(a, b):
        np.testing.assert_array_equal(ya, yb)
        np.testing.assert_array_equal(xa, xb)
    c = _noisy(12, 3)
    assert not all(np.array_equal(xa, xc) for (xa, _), (xc, _) in zip(a, c))


def test_each_worker_draws_from_the_seed_plus_its_index():
    # Batch k is built by worker k % 2 with torch.manualSeed(seed + worker): worker w's draws,
    # in the order of its batches, are the stream of a generator seeded seed + w.
    batches = _noisy(20, 2)[:10]  # first epoch: 10 batches of 4 samples
    for w in range(2):
        g = torch.Generator()
        torch.manualSeed(g, 20 + w)
        mine = np.concatenate([bx for k, (bx, _) in enumerate(batches) if k % 2 == w])
        expect = np.array([[torch.normal(g) for _ in range(3)] for _ in range(len(mine))])
        np.testing.assert_allclose(mine, expect, rtol=1e-15, atol=0)


def test_a_custom_dataset_with_get_and_collate():
    class Pairs(threads.Dataset):
        def size(self):
            return 9

        def get(self, i):
            return torch.Tensor([i, -i]), i * 0.5

    loader = threads.DataLoader(Pairs(), 4, nthreads=2)
    got = [(x.tolist(), y.tolist()) for x, y in loader]
    loader.terminate()
    assert got[0] == ([[0.0, 0.0], [1.0, -1.0], [2.0, -2.0], [3.0, -3.0]], [0.0, 0.5, 1.0, 1.5])
    assert got[2] == ([[8.0, -8.0]], [4.0])
    with pytest.raises(NotImplementedError):
        threads.Dataset().get(0)
    with pytest.raises(ValueError, match="tuple of 2"):
        threads.collate([(1, 2), (3,)])
    with pytest.raises(TypeError, match="cannot batch"):
        threads.collate(["a", "b"])


def test_an_error_in_the_dataset_reaches_the_loop_and_the_loader_recovers():
    class Broken(threads.Dataset):
        def size(self):
            return 8

        def get(self, i):
            if i == 5:
                raise IndexError(f"sample {i} is corrupt")
            return torch.Tensor([i])

    loader = threads.DataLoader(Broken(), 2, nthreads=2)
    before = []
    with pytest.raises(IndexError, match="sample 5 is corrupt") as info:
        for x in loader:
            before.append(x.tolist())
    assert before == [[[0.0], [1.0]], [[2.0], [3.0]]]  # the batches before the broken one
    assert any("DataLoader worker" in n for n in info.value.__notes__)
    got = []
    for x in loader:  # a new epoch after the error (and after a break)
        got.append(x.tolist())
        if len(got) == 2:
            break
    assert got == [[[0.0], [1.0]], [[2.0], [3.0]]]
    loader.terminate()


def test_bad_loader_arguments():
    ds = threads.TensorDataset(torch.zeros(3))
    with pytest.raises(ValueError, match="batchsize"):
        threads.DataLoader(ds, 0)
    with pytest.raises(TypeError, match="Dataset"):
        threads.DataLoader([1, 2, 3], 1)
    with pytest.raises(ValueError, match="differ"):
        threads.TensorDataset(torch.zeros(3), torch.zeros(4))


def _train(batches, lr=0.05):
    nn = pytest.importorskip("ferrotorch.nn")
    torch.manualSeed(1)
    model = nn.Sequential().add(nn.Linear(6, 4)).add(nn.Linear(4, 1))
    for x, y in batches:
        target = y.clone().double().view(-1, 1)
        out = model.forward(x)
        diff = out.clone().add(-1, target)
        model.zeroGradParameters()
        model.backward(x, diff.mul(2 / diff.nElement()))
        model.updateParameters(lr)
    params, _ = model.parameters()
    return [p.numpy().copy() for p in params]


def test_training_on_the_loader_equals_training_on_batches_prepared_in_advance(data):
    x = data[0]
    ds = threads.TensorDataset(torch.fromNumpy(x.copy()), torch.fromNumpy(x.sum(1) * 0.1))
    loader = threads.DataLoader(ds, 8, nthreads=2, shuffle=True, seed=3)
    prepared = [(bx.clone(), by.clone()) for bx, by in
                threads.DataLoader(ds, 8, nthreads=1, shuffle=True, seed=3)]
    streamed = _train(loader)
    loader.terminate()
    for a, b in zip(streamed, _train(prepared)):
        np.testing.assert_array_equal(a, b)
