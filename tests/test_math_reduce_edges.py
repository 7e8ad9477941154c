"""Group F edge cases: empty tensors and zero-size dims, NaN/inf, integer wrap-around, large
(parallel) inputs, HalfTensor and integer types where only floats are allowed, bad arguments."""

import math

import ferrotorch as torch
import numpy as np
import pytest

FUNCS_ALL = ["sum", "prod", "cumsum", "cumprod", "max", "min", "median", "mode", "sort", "trace"]
FLOAT_ONLY = ["mean", "std", "var", "norm", "histc"]


def test_empty_tensor_full_reductions():
    e = torch.DoubleTensor()
    assert torch.sum(e) == 0.0 and torch.prod(e) == 1.0
    assert torch.sum(torch.IntTensor()) == 0
    assert math.isnan(torch.mean(e))
    assert torch.norm(e) == 0.0
    with pytest.raises(ValueError):
        torch.max(e)
    with pytest.raises(ValueError):
        torch.min(torch.LongTensor(0))
    with pytest.raises(IndexError):
        torch.sum(e, 0)
    with pytest.raises(IndexError):
        torch.sort(e)


def test_zero_size_dims():
    x = torch.DoubleTensor(0, 3)
    assert torch.sum(x, 0).tolist() == [[0.0, 0.0, 0.0]]
    assert torch.prod(x, 0).tolist() == [[1.0, 1.0, 1.0]]
    assert torch.sum(x, 1).size() == (0, 1)
    assert torch.cumsum(x, 0).size() == (0, 3)
    v, i = torch.max(x, 1)
    assert v.size() == (0, 1) and i.size() == (0, 1)
    with pytest.raises(ValueError):
        torch.max(x, 0)
    with pytest.raises(ValueError):
        torch.median(x, 0)
    v, i = torch.sort(x, 0)
    assert v.size() == (0, 3)
    v, i = torch.topk(x, 0, 1)
    assert v.size() == (0, 0)


def test_nan_and_inf():
    x = torch.DoubleTensor([1, math.inf, -math.inf, 2])
    assert torch.max(x) == math.inf and torch.min(x) == -math.inf
    assert math.isnan(torch.sum(x))
    y = torch.FloatTensor([[1, math.nan, 3], [math.nan, 5, math.nan]])
    v, i = torch.max(y, 1)
    assert math.isnan(v[0, 0]) and i.tolist() == [[1], [0]]
    v, i = torch.min(y, 0)
    assert i.tolist() == [[1, 0, 1]]
    assert math.isnan(torch.max(y)) and math.isnan(torch.min(y))
    v, i = torch.sort(torch.DoubleTensor([math.nan, 1, -math.inf]), True)
    assert v[0] == 1 and v[1] == -math.inf and math.isnan(v[2])
    assert i.tolist() == [1, 2, 0]


@pytest.mark.parametrize("tname", ["FloatTensor", "DoubleTensor"])
def test_mode_counts_no_nan_as_a_repeat(tname):
    # Torch7 counts runs of the sorted values with `!=`: NaN equals nothing, so two NaNs are
    # two runs of one and a value seen once wins (the smallest such).
    x = getattr(torch, tname)([[math.nan, 3, math.nan], [math.nan, 4, 4]])
    v, i = torch.mode(x, 1)
    assert v.tolist() == [[3], [4]] and i.tolist() == [[1], [2]]
    v, i = torch.mode(getattr(torch, tname)([math.nan, math.nan]), 0)
    assert math.isnan(v[0]) and i.tolist() == [0]


def test_integer_wrap_around():
    b = torch.ByteTensor([200, 100, 250])
    assert torch.sum(b) == 550  # accumulated in int64, returned as an int
    assert torch.sum(b, 0).tolist() == [550 % 256]
    assert torch.cumsum(b).tolist() == [200, 44, 38]
    big = torch.LongTensor([2**62, 2**62, 2**62])
    assert torch.sum(big) == -(2**62)
    c = torch.CharTensor([100, 100])
    assert torch.prod(c) == 10000 and torch.prod(c, 0).tolist() == [
        10000 % 256 - 256 * (10000 % 256 >= 128)
    ]
    assert torch.cross(torch.CharTensor([100, 0, 0]), torch.CharTensor([0, 100, 0])).tolist() == [
        0,
        0,
        16,
    ]


def test_sum_of_many_float32_ones_is_exact():
    n = (1 << 24) + 1001
    x = torch.FloatTensor(n).fill(1)
    assert torch.sum(x) == float(n)
    assert torch.mean(x) == 1.0
    assert torch.sum(x.view(1, n), 1)[0, 0] == float(np.float32(n))  # stored as float32


def test_large_parallel_paths_match_numpy():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((300, 257))
    t = torch.DoubleTensor(a)
    for d in (0, 1):
        assert np.allclose(torch.sum(t, d).numpy(), a.sum(axis=d, keepdims=True))
        assert np.allclose(torch.sum(t.t(), d).numpy(), a.T.sum(axis=d, keepdims=True))
        _, i = torch.max(t, d)
        assert np.array_equal(i.numpy().ravel(), a.argmax(axis=d))
        assert np.allclose(torch.cumsum(t, d).numpy(), a.cumsum(axis=d))
        assert np.allclose(torch.var(t, d).numpy(), a.var(axis=d, ddof=1, keepdims=True))
    assert np.isclose(torch.sum(t), a.sum()) and np.isclose(torch.sum(t.t()), a.sum())
    b = rng.standard_normal((40, 30, 60)).astype(np.float32)
    tb = torch.FloatTensor(b).transpose(0, 2)
    bt = b.transpose(2, 1, 0)
    for d in range(3):
        assert np.allclose(
            torch.sum(tb, d).numpy(), bt.sum(axis=d, keepdims=True), rtol=1e-5, atol=1e-4
        )
        assert np.allclose(
            torch.norm(tb, 2, d).numpy(),
            np.sqrt((bt.astype(np.float64) ** 2).sum(axis=d, keepdims=True)),
            rtol=1e-5,
        )
    s = rng.integers(-50, 50, 100_000).astype(np.int32)
    _, i = torch.sort(torch.IntTensor(s))
    assert np.array_equal(i.numpy(), np.argsort(s, kind="stable"))
    _, i = torch.sort(torch.IntTensor(s), True)
    assert np.array_equal(i.numpy(), np.argsort(-s.astype(np.int64), kind="stable"))
    f = rng.standard_normal(100_000)
    f[77] = np.nan
    _, i = torch.sort(torch.DoubleTensor(f))
    assert np.array_equal(i.numpy(), np.argsort(f, kind="stable"))
    _, i = torch.topk(torch.DoubleTensor(f), 5, 0, True)
    assert np.array_equal(i.numpy(), np.argsort(-np.nan_to_num(f, nan=-np.inf), kind="stable")[:5])
    _v, i = torch.kthvalue(torch.DoubleTensor(f), 500)
    assert i[0] == np.argsort(f, kind="stable")[499]


@pytest.mark.parametrize(
    "fn", FUNCS_ALL + FLOAT_ONLY + ["cross", "dist", "renorm", "kthvalue", "topk", "bhistc"]
)
def test_half_is_refused(fn):
    h = torch.HalfTensor(3, 3)
    args = {
        "cross": (h, h),
        "dist": (h, h),
        "renorm": (h, 2, 0, 1),
        "kthvalue": (h, 1),
        "topk": (h, 1),
    }.get(fn, (h,))
    with pytest.raises(TypeError, match="HalfTensor"):
        getattr(torch, fn)(*args)


@pytest.mark.parametrize("fn", FLOAT_ONLY + ["dist", "renorm", "bhistc"])
@pytest.mark.parametrize("tname", ["ByteTensor", "IntTensor", "LongTensor"])
def test_float_only_functions_refuse_integer_types(fn, tname):
    x = getattr(torch, tname)(2, 3)
    args = {"dist": (x, x), "renorm": (x, 2, 0, 1)}.get(fn, (x,))
    with pytest.raises(TypeError, match=tname):
        getattr(torch, fn)(*args)


def test_bad_arguments():
    x = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(IndexError):
        torch.sum(x, 2)
    with pytest.raises(IndexError):
        torch.max(x, -3)
    with pytest.raises(TypeError):
        torch.sum(x, "a")
    with pytest.raises(TypeError):
        torch.sum(x, 0, 1)
    with pytest.raises(TypeError):
        torch.sum(x, dimension=0)
    with pytest.raises(TypeError):
        torch.sum([1, 2])
    with pytest.raises(TypeError):
        torch.sum(x, out=torch.DoubleTensor())  # a full reduction gives a number
    with pytest.raises(TypeError):
        torch.max(x, 0, out=torch.DoubleTensor())  # needs a (values, indices) pair
    with pytest.raises(ValueError):
        torch.sum(x, 1, out=torch.DoubleTensor([[1]]).expand(2, 1))
    with pytest.raises(ValueError):
        torch.kthvalue(x, 0)
    with pytest.raises(ValueError):
        torch.kthvalue(x, 4)
    with pytest.raises(ValueError):
        torch.topk(x, 4)
    with pytest.raises(ValueError):
        torch.topk(x, -1)
    assert torch.cross(x, x).tolist() == [[0.0] * 3] * 2  # dim 1 is the first of size 3
    with pytest.raises(ValueError):
        torch.cross(torch.DoubleTensor(2, 2), torch.DoubleTensor(2, 2))
    with pytest.raises(ValueError):
        torch.cross(torch.DoubleTensor(3), torch.DoubleTensor(4))
    with pytest.raises(TypeError):
        torch.cross(torch.DoubleTensor(3), torch.FloatTensor(3))
    with pytest.raises(ValueError):
        torch.cross(torch.DoubleTensor(3, 2), torch.DoubleTensor(3, 2), 1)
    with pytest.raises(ValueError):
        torch.trace(torch.DoubleTensor(3))
    with pytest.raises(ValueError):
        torch.renorm(torch.DoubleTensor(3), 2, 0, 1)
    with pytest.raises(ValueError):
        torch.renorm(x, 0, 0, 1)
    with pytest.raises(ValueError):
        torch.histc(x, 0)
    with pytest.raises(ValueError):
        torch.histc(x, 3, 2, 1)
    with pytest.raises(ValueError):
        torch.histc(x, 2**62)  # refused by the allocator's size check, not a crash
    with pytest.raises(ValueError):
        torch.bhistc(x, 2**62)
    with pytest.raises(ValueError):
        torch.bhistc(torch.DoubleTensor(3), 3)
    with pytest.raises(ValueError):
        torch.dist(x, torch.DoubleTensor(4))
    with pytest.raises(TypeError):
        torch.dist(x, x.float())
    with pytest.raises(ValueError):
        torch.norm(x, -1)
    with pytest.raises(TypeError):
        torch.std(x, 0, "yes")


@pytest.mark.parametrize("tname", ["FloatTensor", "DoubleTensor", "IntTensor"])
@pytest.mark.parametrize("pos", [0, 5, 16, 33, 99])
def test_max_min_long_slices_with_inf_and_nan(tname, pos):
    cls = getattr(torch, tname)
    a = np.arange(100.0) - 50
    for big, f, arg in ((math.inf, torch.max, np.argmax), (-math.inf, torch.min, np.argmin)):
        b = a.copy()
        b[pos] = big if tname != "IntTensor" else (1000 if big > 0 else -1000)
        b[(pos + 7) % 100] = b[pos]  # a tie after it: the first occurrence wins
        t = cls(b)
        assert f(t) == b[pos]
        v, i = f(t.view(1, 100), 1)
        assert i[0, 0] == arg(b) == min(pos, (pos + 7) % 100) and v[0, 0] == b[pos]
        if tname != "IntTensor":
            c = b.copy()
            c[pos] = math.nan
            c[(pos + 3) % 100] = math.nan
            assert math.isnan(f(cls(c)))
            v, i = f(cls(c).view(1, 100), 1)
            assert math.isnan(v[0, 0]) and i[0, 0] == min(pos, (pos + 3) % 100)
