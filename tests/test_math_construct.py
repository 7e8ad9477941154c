"""Construction, index/shape helpers, Tensor.lua index/masked/apply methods and t[list / LongTensor /
mask] indexing: differential tests against numpy over types, shapes and strided views, plus edge
cases and bad arguments."""

import math
import warnings

import ferrotorch as torch
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

TYPES = ["Byte", "Char", "Short", "Int", "Long", "Float", "Double"]
NP = {"Byte": np.uint8, "Char": np.int8, "Short": np.int16, "Int": np.int32, "Long": np.int64,
      "Float": np.float32, "Double": np.float64}
SETTINGS = settings(deadline=None, max_examples=40)


def tensor(a, typ):
    return getattr(torch, typ + "Tensor")(np.ascontiguousarray(a).astype(NP[typ]).tolist())


def arr(t):
    return np.array(t.tolist()) if t.dim() else np.zeros(0)


@st.composite
def views(draw, min_dims=1, max_dims=3, min_side=1):
    """(tensor, numpy array, type) where the tensor is a transposed / narrowed / stepped view."""
    typ = draw(st.sampled_from(TYPES))
    shape = draw(st.lists(st.integers(min_side, 5), min_size=min_dims, max_size=max_dims))
    n = int(np.prod(shape))
    data = np.array(draw(st.lists(st.integers(-9, 9), min_size=n, max_size=n))).reshape(shape)
    kind = draw(st.sampled_from(["plain", "t", "narrow", "step"]))
    base = data
    if n == 0:
        t = getattr(torch, typ + "Tensor")(*shape)
    elif kind == "t" and len(shape) >= 2:
        base = data.swapaxes(0, -1).copy()
        t = tensor(base, typ).transpose(0, len(shape) - 1)
    elif kind == "narrow":
        padded = np.concatenate([data, data[:1] * 0 + 3], axis=0)
        t = tensor(padded, typ).narrow(0, 0, shape[0])
    elif kind == "step":
        wide = np.repeat(data, 2, axis=-1)
        t = tensor(wide, typ)[..., ::2]
    else:
        t = tensor(data, typ)
    expect = data.astype(NP[typ])
    assert t.tolist() == expect.tolist()
    return t, expect, typ


# ------------------------------------------------------------------ group A


@pytest.mark.parametrize("typ", TYPES)
def test_zeros_ones_eye_every_type(typ):
    name = f"torch.{typ}Tensor"
    assert torch.zeros(2, 3, name).type() == name
    assert torch.ones(2, 3, name).tolist() == [[1, 1, 1]] * 2
    assert torch.eye(2, 3, name).tolist() == np.eye(2, 3).tolist()
    x = getattr(torch, typ + "Tensor")(5)
    assert x.ones(2, 2) is x and x.tolist() == [[1, 1], [1, 1]]
    assert x.zeros(3).tolist() == [0, 0, 0]
    assert x.eye(3).tolist() == np.eye(3).tolist()


def test_default_type_and_out():
    assert torch.zeros(2).type() == "torch.DoubleTensor"
    torch.setdefaulttensortype("torch.FloatTensor")
    try:
        assert torch.ones(2).type() == "torch.FloatTensor"
        assert torch.rand(2).type() == "torch.FloatTensor"
        assert torch.randperm(3).type() == "torch.FloatTensor"
    finally:
        torch.setdefaulttensortype("torch.DoubleTensor")
    r = torch.IntTensor(7)
    assert torch.ones(2, 2, out=r) is r and r.size() == (2, 2) and r.tolist() == [[1, 1]] * 2
    with pytest.raises(TypeError):
        torch.zeros(2, "torch.HalfTensor")
    assert torch.zeros(2, torch.IntTensor).type() == "torch.IntTensor"
    assert torch.ones(2, torch.Tensor).type() == "torch.DoubleTensor"
    with pytest.raises(ValueError):
        torch.zeros(2, "torch.BananaTensor")
    with pytest.raises(ValueError):
        torch.zeros(-1)
    assert torch.zeros(0, 3).size() == (0, 3)


@pytest.mark.parametrize("typ", TYPES)
def test_range_every_type(typ):
    name = f"torch.{typ}Tensor"
    assert torch.range(1, 6, 2, name).tolist() == [1, 3, 5]
    if typ not in ("Byte",):
        assert torch.range(3, -3, -3, name).tolist() == [3, 0, -3]
    r = getattr(torch, typ + "Tensor")(2, 2)
    assert torch.range(0, 3, out=r) is r and r.size() == (2, 2)
    assert r.tolist() == [[0, 1], [2, 3]]


def test_range_rules():
    assert torch.range(0, 1, 0.3).tolist() == pytest.approx([0, 0.3, 0.6, 0.9])
    assert torch.range(2, 2, -1).tolist() == [2.0]
    with pytest.raises(ValueError):
        torch.range(0, 1, 0)
    with pytest.raises(ValueError):
        torch.range(0, 1, -1)
    with pytest.raises(ValueError):
        torch.range(0, 5, 0.5, "torch.IntTensor")  # the step truncates to 0
    # Non-contiguous out with the right count keeps its (transposed) layout.
    base = torch.DoubleTensor(2, 3)
    view = base.t()
    torch.range(1, 6, out=view)
    assert view.tolist() == [[1, 2], [3, 4], [5, 6]]
    assert base.tolist() == [[1, 3, 5], [2, 4, 6]]


@SETTINGS
@given(st.integers(-5000, 5000).map(lambda v: v / 100), st.integers(-5000, 5000).map(lambda v: v / 100),
       st.integers(2, 40), st.sampled_from(["Float", "Double"]))
def test_linspace_logspace_match_numpy(a, b, n, typ):
    name = f"torch.{typ}Tensor"
    rtol = 1e-5 if typ == "Float" else 1e-12
    got = torch.linspace(a, b, n, name).tolist()
    np.testing.assert_allclose(got, np.linspace(a, b, n), rtol=rtol, atol=rtol * (abs(a) + abs(b)))
    a, b = a / 10, b / 10
    got = torch.logspace(a, b, n, name).tolist()
    np.testing.assert_allclose(got, np.logspace(a, b, n), rtol=rtol * 50)


def test_linspace_errors_and_types():
    with pytest.raises(ValueError):
        torch.linspace(0, 1, 1)
    with pytest.raises(ValueError):
        torch.linspace(0, 1, 0)
    with pytest.raises(TypeError):
        torch.linspace(0, 1, 3, "torch.IntTensor")
    with pytest.raises(TypeError):
        torch.IntTensor().logspace(0, 1, 3)
    assert torch.linspace(0, 1).size() == (100,)


@SETTINGS
@given(views(min_dims=1, max_dims=2), st.integers(-4, 4))
def test_diag_tril_triu_match_numpy(v, k):
    t, a, typ = v
    if t.dim() == 1:
        assert torch.diag(t, k).tolist() == np.diag(a, k).tolist()
        return
    if -k <= a.shape[0] and k <= a.shape[1]:
        assert torch.diag(t, k).tolist() == np.diag(a, k).tolist()
    assert torch.tril(t, k).tolist() == np.tril(a, k).tolist()
    assert torch.triu(t, k).tolist() == np.triu(a, k).tolist()
    assert t.tril(k).tolist() == np.tril(a, k).tolist()
    r = getattr(torch, typ + "Tensor")()
    assert r.triu(t, k) is r and r.tolist() == np.triu(a, k).tolist()


def test_diag_tril_errors():
    with pytest.raises(ValueError):
        torch.tril(torch.zeros(2, 2, 2))
    with pytest.raises(ValueError):
        torch.diag(torch.zeros(2, 2, 2))
    with pytest.raises(ValueError):
        torch.diag(torch.zeros(2, 3), 4)
    with pytest.raises(ValueError):
        torch.diag(torch.zeros(2), -(2**63))
    with pytest.raises(TypeError):
        torch.diag(torch.HalfTensor(3))


@SETTINGS
@given(views(min_dims=1, max_dims=3, min_side=0), st.data())
def test_cat_matches_numpy(v, data):
    t, a, typ = v
    d = data.draw(st.integers(0, t.dim() - 1))
    other_shape = list(a.shape)
    other_shape[d] = data.draw(st.integers(0, 3))
    b = np.arange(int(np.prod(other_shape))).reshape(other_shape).astype(NP[typ])
    u = tensor(b, typ) if b.size else getattr(torch, typ + "Tensor")(*other_shape)
    got = torch.cat(t, u, d)
    assert got.size() == np.concatenate([a, b], d).shape
    assert got.tolist() == np.concatenate([a, b], d).tolist()
    assert torch.cat([t, u, t], d).tolist() == np.concatenate([a, b, a], d).tolist()
    assert torch.cat(t, u, d - t.dim()).tolist() == np.concatenate([a, b], d).tolist()


def test_cat_rules():
    x = torch.Tensor([[1, 2], [3, 4]])
    e = torch.Tensor()
    assert torch.cat(e, x, e).tolist() == x.tolist()
    assert torch.cat(e, e).dim() == 0
    assert torch.cat(x, x).size() == (2, 4)  # default: the last dim
    # fewer dims count as trailing size-1 dims; dim one past the last adds a dim
    assert torch.cat(torch.Tensor([1, 2]), torch.Tensor([3, 4]), 1).tolist() == [[1, 3], [2, 4]]
    assert torch.cat(x, torch.Tensor([5, 6]), 1).tolist() == [[1, 2, 5], [3, 4, 6]]
    with pytest.raises(ValueError):
        torch.cat(x, torch.zeros(3, 3), 0)
    with pytest.raises(TypeError):
        torch.cat(x, torch.IntTensor(2, 2))
    with pytest.raises(IndexError):
        torch.cat(x, x, -3)
    r = torch.Tensor()
    assert torch.cat(x, x, 0, out=r) is r and r.size() == (4, 2)
    assert torch.cat([x, x], dim=0).size() == (4, 2)


def test_reshape_function():
    x = torch.Tensor([[1, 2, 3], [4, 5, 6]])
    y = torch.reshape(x.t(), 6)
    assert y.tolist() == [1, 4, 2, 5, 3, 6]
    y.fill(0)
    assert x.sum() if False else x[0, 0] == 1  # a copy
    with pytest.raises(ValueError):
        torch.reshape(x, 4)


# ------------------------------------------------------------------ group B


@SETTINGS
@given(views(min_dims=1, max_dims=3), st.data())
def test_gather_scatter_match_numpy(v, data):
    t, a, typ = v
    d = data.draw(st.integers(0, t.dim() - 1))
    ishape = [data.draw(st.integers(1, s)) if k != d else data.draw(st.integers(1, 4))
              for k, s in enumerate(a.shape)]
    idx = np.array(data.draw(st.lists(st.integers(0, a.shape[d] - 1), min_size=int(np.prod(ishape)),
                                      max_size=int(np.prod(ishape))))).reshape(ishape)
    it = torch.LongTensor(idx.tolist())
    sl = tuple(slice(0, s) if k != d else slice(None) for k, s in enumerate(ishape))
    want = np.take_along_axis(a[sl], idx, d)
    assert torch.gather(t, d, it).tolist() == want.tolist()
    assert t.gather(d, it).tolist() == want.tolist()
    # scatter with distinct indices per column is order-independent: compare with numpy
    if ishape[d] == 1 or all(len(set(col)) == len(col) for col in np.moveaxis(idx, d, -1).reshape(-1, ishape[d])):
        src = (np.arange(idx.size).reshape(ishape) % 7).astype(NP[typ])
        dst = a.copy()
        np.put_along_axis(dst[sl], idx, src, d)
        before = t.clone()
        got = torch.scatter(t, d, it, tensor(src, typ))
        assert got.tolist() == dst.tolist()
        assert t.tolist() == before.tolist()  # the function form copies
        assert t.scatter(d, it, tensor(src, typ)) is t and t.tolist() == dst.tolist()


def test_gather_scatter_errors():
    x = torch.Tensor([[1, 2], [3, 4]])
    with pytest.raises(IndexError):
        torch.gather(x, 1, torch.LongTensor([[2], [0]]))
    with pytest.raises(IndexError):
        torch.gather(x, 1, torch.LongTensor([[-1], [0]]))
    with pytest.raises(TypeError):
        torch.gather(x, 1, torch.IntTensor([[0], [0]]))
    with pytest.raises(ValueError):
        torch.gather(x, 1, torch.LongTensor([0, 0]))
    with pytest.raises(IndexError):
        torch.gather(x, 2, torch.LongTensor([[0], [0]]))
    with pytest.raises(IndexError):
        x.scatter(0, torch.LongTensor([[5, 0]]), 1)
    with pytest.raises(ValueError):
        x.expand(2, 2) if False else torch.Tensor([1, 2]).view(1, 2).expand(3, 2).scatter(
            1, torch.LongTensor([[0], [0], [0]]), 1)
    assert x.tolist() == [[1, 2], [3, 4]]  # nothing written by the failed calls


@SETTINGS
@given(views(min_dims=1, max_dims=3, min_side=0))
def test_nonzero_matches_numpy(v):
    t, a, _typ = v
    got = torch.nonzero(t)
    want = np.argwhere(a)
    if want.shape[0] == 0:
        assert got.dim() == 0 and got.type() == "torch.LongTensor"
    else:
        assert got.type() == "torch.LongTensor" and got.tolist() == want.tolist()
        assert t.nonzero().tolist() == want.tolist()


def test_squeeze_function():
    assert torch.squeeze(torch.zeros(1, 2, 1)).size() == (2,)
    assert torch.squeeze(torch.zeros(1, 2, 1), 0).size() == (2, 1)
    assert torch.squeeze(torch.IntTensor([[7]])) == 7
    assert isinstance(torch.squeeze(torch.FloatTensor([[1.5]])), float)
    x = torch.zeros(2, 1)
    torch.squeeze(x).fill(3)
    assert x.tolist() == [[3], [3]]  # a view
    r = torch.Tensor()
    assert torch.squeeze(x, out=r) is r and r.size() == (2,)


@SETTINGS
@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 5), st.sampled_from(TYPES),
       st.floats(-3, 3))
def test_match_matches_numpy(n1, n2, k, typ, gain):
    rng = np.random.default_rng(n1 * 100 + n2 * 10 + k)
    a = rng.integers(-5, 6, (n1, k))
    b = rng.integers(-5, 6, (n2, k))
    if typ == "Byte":
        a, b = abs(a), abs(b)
    got = torch.match(tensor(a, typ), tensor(b, typ), gain)
    if typ in ("Float", "Double"):
        want = gain * ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
        np.testing.assert_allclose(got.tolist(), want, rtol=1e-5, atol=1e-5)
    else:
        # Torch7 computed in the type itself: integer arithmetic wraps, gain truncates first.
        info = np.iinfo(NP[typ])  # numbers take the type with Rust's saturating `as`
        g = int(np.clip(np.trunc(gain), info.min, info.max))
        a, b = a.astype(NP[typ]).astype(np.int64), b.astype(NP[typ]).astype(np.int64)
        want = g * ((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)
        assert got.tolist() == want.astype(NP[typ]).tolist()


# ------------------------------------------------------------------ Tensor.lua methods


@SETTINGS
@given(views(min_dims=1, max_dims=3), st.data())
def test_index_family_matches_numpy(v, data):
    t, a, typ = v
    d = data.draw(st.integers(0, t.dim() - 1))
    idx = data.draw(st.lists(st.integers(0, a.shape[d] - 1), min_size=0, max_size=6))
    it = torch.LongTensor(idx) if idx else torch.LongTensor()
    want = np.take(a, idx, d)
    got = t.index(d, it)
    assert got.size() == want.shape and got.tolist() == want.tolist()
    assert torch.index(t, d, idx).tolist() == want.tolist()
    if d == 0:
        assert t[idx].tolist() == want.tolist() if idx else True
    uniq = sorted(set(idx))
    if uniq:
        ut = torch.LongTensor(uniq)
        src = np.take(a, uniq, d) * 0 + 2
        exp = a.copy()
        sl = [slice(None)] * a.ndim
        sl[d] = uniq
        exp[tuple(sl)] = src
        c = t.clone()
        assert c.indexCopy(d, ut, tensor(src, typ)) is c and c.tolist() == exp.tolist()
        c = t.clone()
        exp[tuple(sl)] = 5
        assert c.indexFill(d, ut, 5) is c and c.tolist() == exp.tolist()
        c = t.clone()
        add = np.ones(np.take(a, idx, d).shape, dtype=NP[typ])
        exp = a.copy()
        np.add.at(exp, tuple(sl[:d]) + (idx,), np.moveaxis(add, d, 0) if d == 0 else add) \
            if d == 0 else None
        c.indexAdd(d, it, tensor(add, typ))
        if d == 0:
            assert c.tolist() == exp.tolist()
        else:
            counts = np.bincount(idx, minlength=a.shape[d])
            shape = [1] * a.ndim
            shape[d] = a.shape[d]
            assert c.tolist() == (a + counts.reshape(shape).astype(NP[typ])).tolist()


def test_index_errors_and_empty():
    x = torch.Tensor([[1, 2], [3, 4]])
    with pytest.raises(IndexError):
        x.index(0, torch.LongTensor([2]))
    with pytest.raises(IndexError):
        x.index(2, torch.LongTensor([0]))
    with pytest.raises(TypeError):
        x.index(0, torch.IntTensor([0]))
    with pytest.raises(ValueError):
        x.indexCopy(0, torch.LongTensor([0]), torch.Tensor([1, 2, 3]))
    with pytest.raises(TypeError):
        x.indexCopy(0, torch.LongTensor([0]), torch.FloatTensor([[1, 2]]))
    assert x.index(0, torch.LongTensor()).size() == (0, 2)
    assert torch.zeros(3).indexAdd(0, torch.LongTensor([0, 0, 0]), torch.ones(3)).tolist() == [3, 0, 0]
    assert torch.zeros(3).indexCopy(0, torch.LongTensor([1, 1]), torch.Tensor([5, 6])).tolist() == [0, 6, 0]
    y = torch.Tensor([1, 2, 3, 4])
    y.indexCopy(0, torch.LongTensor([1, 2, 3]), y.narrow(0, 0, 3))  # source overlaps self
    assert y.tolist() == [1, 1, 2, 3]
    z = torch.IntTensor(2, 3).zero()
    z.indexCopy(1, [2, 0], torch.IntTensor([1, 2, 3, 4]))  # same count, other shape: row-major
    assert z.tolist() == [[2, 0, 1], [4, 0, 3]]
    b = torch.ByteTensor([250, 0])
    assert b.indexAdd(0, [0], torch.ByteTensor([10])).tolist() == [4, 0]  # wraps
    r = torch.Tensor()
    assert r.index(x, 1, torch.LongTensor([1])) is r and r.tolist() == [[2], [4]]


@SETTINGS
@given(views(min_dims=1, max_dims=3, min_side=0), st.data())
def test_masked_family_matches_numpy(v, data):
    t, a, typ = v
    m = np.array(data.draw(st.lists(st.integers(0, 1), min_size=a.size, max_size=a.size)),
                 dtype=np.uint8).reshape(a.shape)
    mt = torch.ByteTensor(m.tolist()) if m.size else torch.ByteTensor(*a.shape)
    got = t.maskedSelect(mt)
    want = a[m.astype(bool)]
    if want.size:
        assert got.tolist() == want.tolist()
        assert t[mt].tolist() == want.tolist()
    else:
        assert got.dim() == 0
    c = t.clone()
    exp = a.copy()
    exp[m.astype(bool)] = 7
    assert c.maskedFill(mt, 7) is c and c.tolist() == exp.tolist()
    c = t.clone()
    src = (np.arange(a.size) % 5).astype(NP[typ])
    exp = a.copy()
    exp[m.astype(bool)] = src[: int(m.sum())]
    assert c.maskedCopy(mt, tensor(src, typ) if src.size else c) is c
    assert c.tolist() == exp.tolist()
    # broadcast masks: one row of the mask for every row of the tensor
    if a.ndim >= 2 and a.size:
        row = m[(0,) * (a.ndim - 1)]
        assert t.maskedSelect(torch.ByteTensor(row.tolist())).tolist() == \
            a[np.broadcast_to(row, a.shape).astype(bool)].tolist()


def test_masked_rules():
    x = torch.Tensor([[1, 2], [3, 4]])
    # Torch7's rule: a mask with as many elements but another shape reads row-major
    assert x.maskedSelect(torch.ByteTensor([1, 0, 0, 1])).tolist() == [1, 4]
    with pytest.raises(ValueError):
        x.maskedSelect(torch.ByteTensor([1, 0, 1]))
    with pytest.raises(TypeError):
        x.maskedSelect(torch.IntTensor([[1, 0], [0, 1]]))
    with pytest.raises(ValueError):
        x.maskedCopy(torch.ByteTensor([[1, 1], [1, 1]]), torch.Tensor([1, 2, 3]))
    assert x.tolist() == [[1, 2], [3, 4]]
    x.maskedFill(torch.ByteTensor([[1, 1], [1, 1]]), 2.7)
    assert x.tolist() == [[2.7] * 2] * 2
    i = torch.IntTensor([1, 2])
    i.maskedFill(torch.ByteTensor([1, 0]), -3.9)  # C cast: truncation
    assert i.tolist() == [-3, 2]
    with pytest.raises(ValueError):
        torch.Tensor([1]).expand(3).maskedFill(torch.ByteTensor([1, 0, 0]), 1)
    r = torch.Tensor()
    assert r.maskedSelect(torch.Tensor([5, 6]), torch.ByteTensor([0, 1])) is r
    assert r.tolist() == [6]


def test_item_indexing_with_lists_tensors_and_masks():
    x = torch.Tensor([[1, 2], [3, 4], [5, 6]])
    assert x[[2, 0]].tolist() == [[5, 6], [1, 2]]
    assert x[torch.LongTensor([1])].tolist() == [[3, 4]]
    y = x[[0]]
    y.fill(0)
    assert x[0].tolist() == [1, 2]  # a copy
    m = torch.ByteTensor([[1, 0], [0, 1], [1, 1]])
    assert x[m].tolist() == [1, 4, 5, 6]
    x[m] = 0
    assert x.tolist() == [[0, 2], [3, 0], [0, 0]]
    x[m] = torch.Tensor([7, 8, 9, 10])
    assert x.tolist() == [[7, 2], [3, 8], [9, 10]]
    x[[0, 2]] = -1
    assert x.tolist() == [[-1, -1], [3, 8], [-1, -1]]
    x[torch.LongTensor([1])] = torch.Tensor([[4, 4]])
    assert x[1].tolist() == [4, 4]
    x[[0]] = [[5, 6]]
    assert x[0].tolist() == [5, 6]
    with pytest.raises(IndexError):
        x[[3]]
    with pytest.raises(TypeError):
        x[torch.FloatTensor([0])]
    with pytest.raises(TypeError):
        x[[0.5]]
    assert x[1, 0] == 4 and x[2].tolist() == [-1, -1]  # the int paths are unchanged
    assert x[np.array([2, 1])].tolist() == [[-1, -1], [4, 4]]
    assert x[np.array([[True, False], [False, True], [False, False]])].tolist() == [5, 4]
    x[np.array([0])] = 9
    assert x[0].tolist() == [9, 9]
    with pytest.raises(TypeError):
        x[[True, False, True]]
    with pytest.raises(TypeError):
        x[np.array([0.5])]
    assert x[[]].size() == (0, 2)


def test_apply_map_map2():
    x = torch.IntTensor([[1, 2], [3, 4]]).t()
    seen = []
    x.apply(lambda v: seen.append(v))
    assert seen == [1, 3, 2, 4]  # row-major over the view
    assert x.apply(lambda v: v * 2 if v > 2 else None) is x
    assert x.tolist() == [[1, 6], [2, 8]]
    x.apply(lambda v: 2.9)  # numbers take the type with C casts
    assert x.tolist() == [[2, 2], [2, 2]]
    with pytest.raises(TypeError):
        x.apply(lambda v: "a")
    with pytest.raises(TypeError):
        x.apply(lambda v: torch.Tensor(1))
    with pytest.raises(ZeroDivisionError):
        x.apply(lambda v: 1 / 0)
    y = torch.Tensor([1, 2, 3])
    assert y.map(torch.Tensor([[10], [20], [30]]), lambda a, b: a + b).tolist() == [11, 22, 33]
    assert y.map2(torch.Tensor([1, 1, 1]), torch.Tensor([2, 2, 2]), lambda a, b, c: a * c - b).tolist() == [21, 43, 65]
    with pytest.raises(ValueError):
        y.map(torch.Tensor([1, 2]), lambda a, b: a)
    with pytest.raises(TypeError):
        torch.HalfTensor(2).apply(lambda v: v)


# ------------------------------------------------------------------ robustness

JUNK = [
    (), (None,), ("a",), (-1,), (0,), (3,), (10**30,), (2**63,), (1.5,), (float("nan"),),
    (0, 0), (-1, -1), (1, 2, 3), (2**40, 2**40), (-(2**63), 2**63 - 1),
    (torch.DoubleTensor(2),), (torch.FloatTensor(3, 4),), (torch.DoubleTensor(),),
    ([1, 2],), ((),), (torch.LongStorage([2, 3]),), (object(),), (torch.LongTensor([0, 1]),),
    (torch.ByteTensor([1, 0]),), (0, torch.LongTensor([5])), (0, torch.LongTensor([-1]), 1),
    (torch.Generator(),), (torch.Generator(), 3), (1, 0, 2**62), ("torch.HalfTensor",),
]
FUNCS = ["zeros", "ones", "range", "linspace", "logspace", "eye", "diag", "tril", "triu", "cat",
         "reshape", "gather", "scatter", "nonzero", "squeeze", "match", "index", "maskedSelect",
         "rand", "randn", "randperm", "random", "normal", "exponential", "cauchy", "logNormal",
         "geometric", "bernoulli", "multinomial", "multinomialAliasSetup", "multinomialAlias"]
METHODS = ["zeros", "ones", "range", "linspace", "logspace", "eye", "rand", "randn", "randperm",
           "random", "normal", "exponential", "cauchy", "logNormal", "geometric", "bernoulli",
           "multinomial", "diag", "tril", "triu", "cat", "gather", "scatter", "nonzero", "match",
           "index", "indexCopy", "indexAdd", "indexFill", "maskedSelect", "maskedCopy",
           "maskedFill"]


def _call(fn, args, problems, where):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            r = fn(*args)
        if isinstance(r, torch.Tensor) and r.nElement() < 10**5:
            r.tolist()
    except Exception:  # noqa: BLE001, S110 - Python exceptions are the expected outcome
        pass
    except BaseException as e:  # noqa: BLE001 - pyo3's PanicException
        problems.append(f"{where}{args!r}: {type(e).__name__}: {e}")


def test_junk_arguments_never_panic():
    problems = []
    state = torch.getRNGState()
    try:
        for name in FUNCS:
            for args in JUNK:
                _call(getattr(torch, name), args, problems, name)
        for name in METHODS:
            for make in (lambda: torch.DoubleTensor(2, 3), lambda: torch.LongTensor(3),
                         lambda: torch.ByteTensor(2, 2), lambda: torch.HalfTensor(2)):
                for args in JUNK:
                    _call(getattr(make(), name), args, problems, name)
    finally:
        torch.setRNGState(state)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("name", ["zeros", "diag", "cat", "gather", "index", "maskedSelect",
                                  "nonzero", "tril", "rand", "random", "bernoulli"])
def test_half_is_refused(name):
    h = torch.HalfTensor(2, 2)
    with pytest.raises(TypeError):
        args = {"zeros": (2,), "diag": (), "cat": (h,), "gather": (0, torch.LongTensor([[0]])),
                "index": (0, torch.LongTensor([0])), "maskedSelect": (torch.ByteTensor(2, 2),),
                "nonzero": (), "tril": (), "rand": (2,), "random": (), "bernoulli": ()}[name]
        getattr(h, name)(*args)


def test_big_parallel_paths_agree_with_numpy():
    n = 300_000
    a = np.arange(n, dtype=np.float64) % 977
    t = torch.fromNumpy(a)
    idx = np.random.default_rng(0).integers(0, n, n)
    assert np.array_equal(t.index(0, torch.fromNumpy(idx)).numpy(), a[idx])
    m = (a % 3 == 0).astype(np.uint8)
    assert np.array_equal(t.maskedSelect(torch.fromNumpy(m)).numpy(), a[m.astype(bool)])
    c = t.clone().maskedFill(torch.fromNumpy(m), -1).numpy()
    assert np.array_equal(c, np.where(m, -1, a))
    b = a.reshape(600, 500)
    tb = torch.fromNumpy(b)
    assert np.array_equal(torch.cat(tb, tb, 0).numpy(), np.concatenate([b, b], 0))
    assert np.array_equal(torch.cat(tb.t(), tb.t(), 1).numpy(), np.concatenate([b.T, b.T], 1))
    gi = np.random.default_rng(1).integers(0, 500, (600, 500))
    assert np.array_equal(torch.gather(tb, 1, torch.fromNumpy(gi)).numpy(),
                          np.take_along_axis(b, gi, 1))
    assert np.array_equal(tb.index(1, torch.fromNumpy(gi[0])).numpy(), b[:, gi[0]])
    assert math.isclose(torch.nonzero(tb).size(0), np.count_nonzero(b))
