"""Property tests: random chains of view operations on a ferrotorch tensor and on a numpy array
built from the same data agree on values, sizes, strides, storage offsets and on where writes
land."""

import math
import os

import ferrotorch as torch
import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

as_strided = np.lib.stride_tricks.as_strided
ITEM = 8  # float64

SETTINGS = settings(
    max_examples=int(os.environ.get("FT_VIEW_EXAMPLES", "600")), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


def numpy_offset(arr, base):
    return (arr.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // ITEM


def check_same(t, a, base):
    """t (ferrotorch) and a (numpy view of base) describe the same elements."""
    assert isinstance(t, torch.DoubleTensor)
    assert t.dim() == a.ndim
    assert t.size() == a.shape
    assert t.nElement() == a.size
    assert t.tolist() == a.tolist()
    if a.size > 0:
        for d in range(a.ndim):
            if a.shape[d] > 1:
                assert t.stride(d) == a.strides[d] // ITEM, (t.stride(), a.strides)
        assert t.storageOffset() == numpy_offset(a, base)
        assert t.isContiguous() == a.flags["C_CONTIGUOUS"]


def slice_key_strategy(draw, shape):
    """A random tuple key of ints, slices (step > 0), None and at most one Ellipsis."""
    items = []
    d = 0
    used_ellipsis = False
    n_items = draw(st.integers(0, len(shape) + 2))
    for _ in range(n_items):
        choices = ["none"]
        if d < len(shape):
            choices += ["slice", "slice"]
            if shape[d] > 0:
                choices.append("int")
        if not used_ellipsis:
            choices.append("ellipsis")
        kind = draw(st.sampled_from(choices))
        if kind == "none":
            items.append(None)
        elif kind == "ellipsis":
            used_ellipsis = True
            items.append(Ellipsis)
            # the rest of the key addresses the trailing dims; keep it simple: stop here
            break
        elif kind == "int":
            n = shape[d]
            items.append(draw(st.integers(-n, n - 1)))
            d += 1
        else:
            n = shape[d]
            start = draw(st.one_of(st.none(), st.integers(-n - 2, n + 2)))
            stop = draw(st.one_of(st.none(), st.integers(-n - 2, n + 2)))
            step = draw(st.one_of(st.none(), st.integers(1, 3)))
            items.append(slice(start, stop, step))
            d += 1
    if used_ellipsis:
        # a few trailing items after the ellipsis address the last dims
        remaining = len(shape) - d
        n_after = draw(st.integers(0, remaining))
        for dd in range(len(shape) - n_after, len(shape)):
            n = shape[dd]
            if n > 0 and draw(st.booleans()):
                items.append(draw(st.integers(-n, n - 1)))
            else:
                items.append(slice(draw(st.integers(0, n)), None, draw(st.integers(1, 2))))
    return tuple(items)


def leaves_dims(key, ndim):
    ints = sum(1 for k in key if isinstance(k, int))
    nones = sum(1 for k in key if k is None)
    return ndim - ints + nones


@st.composite
def view_op(draw, shape):
    """One view operation valid for `shape`, as (name, ft_fn, np_fn)."""
    nd = len(shape)
    ops = ["transpose", "permute", "unsqueeze", "slice", "narrow", "sub_", "split", "chunk",
           "view", "select", "unfold", "squeeze", "squeeze_dim", "expand", "t"]
    name = draw(st.sampled_from(ops))
    if name == "select":
        dims = [d for d in range(nd) if shape[d] > 0]
        if nd < 2 or not dims:
            return None
        d = draw(st.sampled_from(dims))
        i = draw(st.integers(0, shape[d] - 1))
        neg = draw(st.booleans())
        dd = d - nd if neg else d
        return (f"select({dd},{i})", lambda t: t.select(dd, i), lambda a: np.take(a, i, axis=d)
                if False else a[(slice(None),) * d + (i,)])
    if name == "transpose":
        if nd < 1:
            return None
        d1 = draw(st.integers(-nd, nd - 1))
        d2 = draw(st.integers(-nd, nd - 1))
        return (f"transpose({d1},{d2})", lambda t: t.transpose(d1, d2),
                lambda a: np.swapaxes(a, d1, d2))
    if name == "t":
        if nd != 2:
            return None
        return ("t()", lambda t: t.t(), lambda a: a.T)
    if name == "permute":
        if nd < 1:
            return None
        perm = draw(st.permutations(range(nd)))
        return (f"permute{tuple(perm)}", lambda t: t.permute(*perm),
                lambda a: np.transpose(a, perm))
    if name == "unsqueeze":
        d = draw(st.integers(-nd - 1, nd))
        return (f"unsqueeze({d})", lambda t: t.unsqueeze(d), lambda a: np.expand_dims(a, d))
    if name == "narrow":
        if nd < 1:
            return None
        d = draw(st.integers(0, nd - 1))
        start = draw(st.integers(0, shape[d]))
        length = draw(st.integers(0, shape[d] - start))
        return (f"narrow({d},{start},{length})", lambda t: t.narrow(d, start, length),
                lambda a: a[(slice(None),) * d + (slice(start, start + length),)])
    if name == "sub_":
        k = draw(st.integers(1, min(nd, 4))) if nd >= 1 else 0
        if k == 0 or any(shape[d] == 0 for d in range(k)):
            return None
        bounds, key = [], []
        for d in range(k):
            n = shape[d]
            s = draw(st.integers(0, n - 1))
            e = draw(st.integers(s, n - 1))
            s_arg = s - n if draw(st.booleans()) else s
            e_arg = e - n if draw(st.booleans()) else e
            bounds += [s_arg, e_arg]
            key.append(slice(s, e + 1))
        key = tuple(key)
        return (f"sub{tuple(bounds)}", lambda t: t.sub(*bounds), lambda a: a[key])
    if name in ("split", "chunk"):
        dims = [d for d in range(nd) if shape[d] > 0]
        if not dims:
            return None
        d = draw(st.sampled_from(dims))
        n = shape[d]
        if name == "split":
            size = draw(st.integers(1, n + 1))
            fn = (lambda t: t.split(size, d))
        else:
            count = draw(st.integers(1, n + 1))
            size = math.ceil(n / count)
            fn = (lambda t: t.chunk(count, d))
        pieces = math.ceil(n / size)
        i = draw(st.integers(0, pieces - 1))

        def ft(t):
            parts = fn(t)
            assert isinstance(parts, (list, tuple))
            assert len(parts) == pieces
            for j, p in enumerate(parts):
                assert p.size(d) == min(size, n - j * size)
            return parts[i]

        return (f"{name}[{i}] size {size} dim {d}", ft,
                lambda a: a[(slice(None),) * d + (slice(i * size, min((i + 1) * size, n)),)])
    if name == "view":
        numel = math.prod(shape)
        if nd < 1:
            return None
        divisors = [k for k in range(1, numel + 1) if numel % k == 0] or [0]
        k = draw(st.sampled_from(divisors))
        form = draw(st.sampled_from(["flat", "k,-1", "-1,k", "explicit"]))
        if numel == 0 and form != "flat":
            return None
        if form == "flat":
            sizes, np_shape = (-1,), (numel,)
        elif form == "k,-1":
            sizes, np_shape = (k, -1), (k, numel // k)
        elif form == "-1,k":
            sizes, np_shape = (-1, k), (numel // k, k)
        else:
            sizes = np_shape = (k, 1, numel // k)

        def np_view(a):
            return np.reshape(a, np_shape, copy=False)  # ValueError when a copy is needed

        return (f"view{sizes}", lambda t: t.view(*sizes), np_view, "may_fail")
    if name == "unfold":
        dims = [d for d in range(nd) if shape[d] > 0]
        if not dims:
            return None
        d = draw(st.sampled_from(dims))
        size = draw(st.integers(1, shape[d]))
        step = draw(st.integers(1, 3))

        def np_unfold(a):
            new_shape = list(a.shape)
            new_strides = list(a.strides)
            new_shape[d] = (a.shape[d] - size) // step + 1
            new_strides[d] = a.strides[d] * step
            return as_strided(a, tuple(new_shape) + (size,), tuple(new_strides) + (a.strides[d],))

        return (f"unfold({d},{size},{step})", lambda t: t.unfold(d, size, step), np_unfold)
    if name == "squeeze":
        if all(n == 1 for n in shape):
            return None
        return ("squeeze()", lambda t: t.squeeze(),
                lambda a: np.squeeze(a) if 1 in a.shape else a)
    if name == "squeeze_dim":
        if nd < 2:
            return None
        d = draw(st.integers(0, nd - 1))
        return (f"squeeze({d})", lambda t: t.squeeze(d),
                lambda a: np.squeeze(a, d) if a.shape[d] == 1 else a)
    if name == "expand":
        ones = [d for d in range(nd) if shape[d] == 1]
        if not ones:
            return None
        target = list(shape)
        for d in ones:
            target[d] = draw(st.integers(0, 3)) if draw(st.booleans()) else 1
        target = tuple(target)
        as_storage = draw(st.booleans())

        def np_expand(a):
            strides = tuple(0 if (a.shape[d] == 1 and target[d] != 1) else a.strides[d]
                            for d in range(a.ndim))
            return as_strided(a, target, strides)

        def ft_expand(t):
            return t.expand(torch.LongStorage(list(target))) if as_storage else t.expand(*target)

        return (f"expand{target}", ft_expand, np_expand)
    if name == "slice":
        key = slice_key_strategy(draw, shape)
        if leaves_dims(key, nd) < 1:
            return None
        return (f"[{key}]", lambda t: t[key], lambda a: a[key])
    raise AssertionError(name)


shapes = st.lists(st.integers(0, 4), min_size=1, max_size=4)


@SETTINGS
@given(shape=shapes, data=st.data())
def test_view_chains_match_numpy(shape, data):
    shape = tuple(shape)
    base_np = np.arange(1, math.prod(shape) + 1, dtype=np.float64).reshape(shape)
    base_t = torch.DoubleTensor(*shape).copy(torch.DoubleTensor(base_np))
    check_same(base_t, base_np, base_np)
    t, a = base_t, base_np
    history = []
    for _ in range(data.draw(st.integers(1, 6))):
        op = data.draw(view_op(a.shape))
        if op is None:
            continue
        name, ft_fn, np_fn = op[:3]
        if len(op) > 3:
            # view: ferrotorch (like PyTorch, unlike Torch7) views any layout that allows it
            # without a copy; a contiguous one always. numpy's reshape(copy=False) is the oracle.
            try:
                new_a = np_fn(a)
            except ValueError:
                assert not a.flags["C_CONTIGUOUS"]
                with pytest.raises(ValueError, match="view"):
                    ft_fn(t)
                continue
            t, a = ft_fn(t), new_a
            history.append(name)
            event("view")
            check_same(t, a, base_np)
            continue
        history.append(name)
        event(name.split("(")[0].split(" ")[0] if not name.startswith("[") else "index")
        t, a = ft_fn(t), np_fn(a)
        check_same(t, a, base_np)
        assert t.storage().size() == base_t.storage().size()

    # Writes through the final view land in the base exactly where numpy's do.
    offsets = {numpy_offset(a[idx], base_np) for idx in np.ndindex(*a.shape)} if a.size else set()
    overlapping = len(offsets) < a.size
    how = data.draw(st.sampled_from(["fill", "setitem_all", "setitem_first", "copy"]))
    expanded = any(t.stride(d) == 0 and t.size(d) > 1 for d in range(t.dim()))
    if a.size > 0:
        assert expanded == any(a.strides[d] == 0 and a.shape[d] > 1 for d in range(a.ndim))
    if expanded:
        # an expanded view: writing raises ValueError (DESIGN.md); with no elements at all,
        # a no-op is as good
        if a.size > 0:
            with pytest.raises(ValueError, match="expand"):
                t.fill(-5.0)
        assert base_t.tolist() == base_np.tolist()
        return
    if how == "fill":
        assert t.fill(-5.0) is t
        a[...] = -5.0
    elif how == "setitem_all":
        t[...] = -7.0
        a[...] = -7.0
    elif how == "setitem_first":
        if a.shape[0] == 0:
            return
        t[0] = -9.0
        a[0] = -9.0
    else:
        if overlapping:
            return
        src = -np.arange(1, a.size + 1, dtype=np.float64).reshape(a.shape)
        t.copy(torch.DoubleTensor(src))
        a[...] = src
    event(f'write {how}')
    assert base_t.tolist() == base_np.tolist(), history


@SETTINGS
@given(shape=shapes, data=st.data())
def test_indexing_reads_elements(shape, data):
    shape = tuple(shape)
    if 0 in shape:
        return
    a = np.arange(math.prod(shape), dtype=np.float64).reshape(shape)
    t = torch.DoubleTensor(a)
    idx = tuple(data.draw(st.integers(-n, n - 1)) for n in shape)
    v = t[idx]
    assert isinstance(v, float)
    assert v == a[idx]
    t[idx] = 1000.5
    assert t[idx] == 1000.5
    if len(shape) == 1:
        assert t.select(0, idx[0]) == 1000.5
        assert t[idx[0]] == 1000.5


def test_select_on_1d_gives_a_number():
    t = torch.DoubleTensor([1.5, 2.5])
    assert t.select(0, 1) == 2.5
    assert isinstance(t.select(0, 1), float)
    assert isinstance(torch.LongTensor([1, 2]).select(0, 0), int)


def test_squeeze_all_ones_gives_a_number():
    assert torch.DoubleTensor([[7]]).squeeze() == 7.0
    assert isinstance(torch.DoubleTensor(1, 1, 1).fill(2).squeeze(), float)


def test_squeeze_dim_keeps_last_dim():
    t = torch.DoubleTensor(1).fill(3)
    s = t.squeeze(0)
    assert s.size() == (1,)


def test_contiguous_returns_self_when_contiguous():
    t = torch.DoubleTensor(2, 3).fill(1)
    assert t.contiguous() is t
    c = t.t().contiguous()
    assert c is not t and c.isContiguous()
    assert c.tolist() == [[1.0] * 2] * 3
    c.fill(2)
    assert t.tolist() == [[1.0] * 3] * 2


def test_view_as_and_expand_as():
    t = torch.DoubleTensor(np.arange(6.0))
    v = t.viewAs(torch.DoubleTensor(2, 3))
    assert v.size() == (2, 3)
    v[1, 1] = 40
    assert t[4] == 40
    row = torch.DoubleTensor([[1, 2, 3]])
    e = row.expandAs(torch.DoubleTensor(4, 3))
    assert e.size() == (4, 3) and e.stride() == (0, 1)
    assert e.tolist() == [[1.0, 2.0, 3.0]] * 4


def test_view_into_self_form():
    src = torch.DoubleTensor(np.arange(6.0))
    res = torch.DoubleTensor()
    out = res.view(src, 2, 3)
    assert out is res
    assert res.size() == (2, 3)
    res[0, 0] = 99
    assert src[0] == 99


def test_set_variants():
    s = torch.DoubleStorage([1, 2, 3, 4, 5, 6])
    t = torch.DoubleTensor()
    assert t.set(s) is t
    assert t.size() == (6,) and t.tolist() == [1, 2, 3, 4, 5, 6]
    t.set(s, 1, (2, 2))
    assert t.tolist() == [[2, 3], [4, 5]] and t.storageOffset() == 1
    t.set(s, 0, (2, 3), (1, 2))
    assert t.tolist() == [[1, 3, 5], [2, 4, 6]]
    u = torch.DoubleTensor().set(t)
    assert u.isSetTo(t) and t.isSetTo(u)
    assert not u.isSetTo(t.t())
    t.set()
    assert t.dim() == 0 and t.nElement() == 0


def test_tensor_of_tensor_is_a_view():
    a = torch.DoubleTensor(2, 2).zero()
    b = torch.DoubleTensor(a)
    assert b.isSetTo(a)
    b.fill(3)
    assert a.tolist() == [[3, 3], [3, 3]]


def test_storage_constructor_forms():
    s = torch.DoubleStorage([1, 2, 3, 4, 5, 6])
    t = torch.DoubleTensor(s, 2, torch.LongStorage([2, 2]))
    assert t.tolist() == [[3, 4], [5, 6]]
    t = torch.DoubleTensor(s, 0, torch.LongStorage([3]), torch.LongStorage([2]))
    assert t.tolist() == [1, 3, 5]
    t = torch.DoubleTensor(s, 1, 2, 3, 2, 1)  # size/stride pairs
    assert t.tolist() == [[2, 3], [5, 6]]
    t = torch.DoubleTensor(s, 0, 3, -1, 2, -1)  # negative stride = contiguous
    assert t.stride() == (2, 1)
    t[0, 0] = -1
    assert s[0] == -1


def test_sizes_strides_constructor():
    t = torch.DoubleTensor(torch.LongStorage([2, 3]), torch.LongStorage([1, 2]))
    assert t.size() == (2, 3) and t.stride() == (1, 2)
    assert t.storage().size() == 6
    t = torch.DoubleTensor(torch.LongStorage([2, 3]), torch.LongStorage([-1, -1]))
    assert t.stride() == (3, 1)
    lt = torch.LongTensor(torch.LongStorage([2, 3]))
    assert lt.tolist() == [2, 3]


def test_zero_size_tensor_is_contiguous():
    t = torch.DoubleTensor(3, 0)
    assert t.size() == (3, 0) and t.nElement() == 0 and t.dim() == 2
    assert t.isContiguous()
    assert t.contiguous() is t


def test_resize_keeps_strides_when_same_size():
    t = torch.DoubleTensor(2, 3).fill(1).t()
    t.resize(3, 2)
    assert t.stride() == (1, 3)
    t.resize(4, 4)
    assert t.stride() == (4, 1) and t.storage().size() >= 16


def test_repeat_tensor_and_reshape_copy():
    a = np.arange(6.0).reshape(2, 3)
    t = torch.DoubleTensor(a)
    r = t.repeatTensor(2, 1, 2)
    assert r.size() == (2, 2, 6)
    assert r.tolist() == np.tile(a, (2, 1, 2)).tolist()
    r.fill(0)
    assert t.tolist() == a.tolist()
    s = t.t().reshape(-1)
    assert s.tolist() == a.T.reshape(-1).tolist()
    s.fill(0)
    assert t.tolist() == a.tolist()
