"""Differential tests of the group F reductions against numpy: random shapes, element types and
views (transposed, narrowed, stepped), every dim, NaN where the type has it."""

import ferrotorch as torch
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

NP = {
    "Byte": np.uint8,
    "Char": np.int8,
    "Short": np.int16,
    "Int": np.int32,
    "Long": np.int64,
    "Float": np.float32,
    "Double": np.float64,
}
ALL = list(NP)
FLOATS = ["Float", "Double"]
SETTINGS = settings(deadline=None, max_examples=40)


def acc_type(tname):
    return np.float64 if tname in FLOATS else np.int64


@st.composite
def tensors(draw, types=ALL, min_dims=1, max_dims=3, min_side=1, nan=True):
    """(ferrotorch tensor, equal numpy array, type name): possibly a non-contiguous view."""
    tname = draw(st.sampled_from(types))
    shape = draw(st.lists(st.integers(min_side, 5), min_size=min_dims, max_size=max_dims))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape)) if shape else 0
    if tname in FLOATS:
        base = rng.standard_normal(n).round(2)
        if nan and n and draw(st.booleans()) and draw(st.booleans()):
            base[rng.integers(0, n)] = np.nan
    elif tname == "Byte":
        base = rng.integers(0, 6, n)
    else:
        base = rng.integers(-4, 5, n)
    a = base.astype(NP[tname]).reshape(shape)
    t = getattr(torch, tname + "Tensor")(a)
    view = draw(st.sampled_from(["none", "transpose", "narrow", "step"]))
    if view == "transpose" and a.ndim >= 2:
        i, j = draw(
            st.sampled_from([(x, y) for x in range(a.ndim) for y in range(a.ndim) if x < y])
        )
        t, a = t.transpose(i, j), np.swapaxes(a, i, j)
    elif view == "narrow":
        d = draw(st.integers(0, a.ndim - 1))
        if a.shape[d] > 1:
            t, a = t.narrow(d, 1, a.shape[d] - 1), np.take(a, range(1, a.shape[d]), axis=d)
    elif view == "step" and a.shape[0] > 2:
        t, a = t[::2], a[::2]
    assert t.size() == a.shape
    return t, np.ascontiguousarray(a), tname


def arr(t):
    return np.array(t.tolist())


def same(got, want, tname, tol=None):
    got = np.asarray(got, dtype=float)
    want = np.asarray(want, dtype=float)
    assert got.shape == want.shape, (got.shape, want.shape)
    if tol is None:
        tol = 1e-5 if tname == "Float" else 1e-12
    assert np.allclose(got, want, rtol=tol, atol=tol, equal_nan=True), (got, want)


# ------------------------------------------------------------------ sum, prod, cumsum, cumprod


@SETTINGS
@given(tensors(), st.data())
def test_sum_prod(x, data):
    t, a, tname = x
    acc = a.astype(acc_type(tname))
    s, p = torch.sum(t), torch.prod(t)
    if tname in FLOATS:
        assert isinstance(s, float) and isinstance(p, float)
        same(s, acc.sum(), tname)
        same(p, acc.prod(), tname)
    else:
        assert isinstance(s, int) and s == int(acc.sum())
        assert isinstance(p, int) and p == int(acc.prod())
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    r = torch.sum(t, d)
    assert r.type() == t.type()
    same(arr(r), acc.sum(axis=d, keepdims=True).astype(NP[tname]), tname)
    same(arr(t.prod(d)), acc.prod(axis=d, keepdims=True).astype(NP[tname]), tname)
    same(t.sum(), s, tname)


@SETTINGS
@given(tensors(), st.data())
def test_cumsum_cumprod(x, data):
    t, a, tname = x
    acc = a.astype(acc_type(tname))
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    same(arr(torch.cumsum(t, d)), np.cumsum(acc, axis=d).astype(NP[tname]), tname)
    same(arr(t.cumprod(d)), np.cumprod(acc, axis=d).astype(NP[tname]), tname)
    same(arr(torch.cumsum(t)), np.cumsum(acc, axis=0).astype(NP[tname]), tname)


# ------------------------------------------------------------------ max, min


@SETTINGS
@given(tensors(), st.data())
def test_max_min(x, data):
    t, a, tname = x
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    for f, npf, arg in ((torch.max, np.max, np.argmax), (torch.min, np.min, np.argmin)):
        full = f(t)
        same(full, npf(a), tname)  # numpy propagates NaN too
        assert isinstance(full, float if tname in FLOATS else int)
        v, i = f(t, d)
        assert v.type() == t.type() and i.type() == "torch.LongTensor"
        same(arr(v), npf(a, axis=d, keepdims=True), tname)
        # numpy's argmax picks the first occurrence and the first NaN, as Torch7 does
        assert np.array_equal(arr(i), np.expand_dims(arg(a, axis=d), d))


# ------------------------------------------------------------------ float reductions


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@SETTINGS
@given(tensors(types=FLOATS), st.data())
def test_mean_std_var(x, data):
    t, a, tname = x
    a64 = a.astype(np.float64)
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    same(torch.mean(t), a64.mean(), tname)
    same(arr(torch.mean(t, d)), a64.mean(axis=d, keepdims=True), tname)
    with np.errstate(all="ignore"):
        for biased, ddof in ((False, 1), (True, 0)):
            want_v = a64.var(ddof=ddof)
            same(torch.var(t, biased), want_v, tname, 1e-4 if tname == "Float" else 1e-9)
            same(
                torch.std(t, biased=biased),
                np.sqrt(want_v),
                tname,
                1e-4 if tname == "Float" else 1e-9,
            )
            wv = a64.var(axis=d, keepdims=True, ddof=ddof)
            same(arr(torch.var(t, d, biased)), wv, tname, 1e-4 if tname == "Float" else 1e-9)
            same(arr(t.std(d, biased)), np.sqrt(wv), tname, 1e-4 if tname == "Float" else 1e-9)


def np_norm(a, p, axis=None):
    a = np.abs(a.astype(np.float64))
    if p == 0:
        return (a != 0).sum(axis=axis, keepdims=axis is not None).astype(float)
    return (a**p).sum(axis=axis, keepdims=axis is not None) ** (1.0 / p)


@SETTINGS
@given(tensors(types=FLOATS), st.sampled_from([0, 0.5, 1, 2, 3]), st.data())
def test_norm(x, p, data):
    t, a, tname = x
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    same(torch.norm(t, p), np_norm(a, p), tname, 1e-4 if tname == "Float" else 1e-10)
    same(arr(torch.norm(t, p, d)), np_norm(a, p, d), tname, 1e-4 if tname == "Float" else 1e-10)
    if p == 2:
        same(t.norm(), np_norm(a, 2), tname, 1e-4 if tname == "Float" else 1e-10)


@SETTINGS
@given(tensors(types=FLOATS, min_dims=2, nan=False), st.sampled_from([1, 2, 3]), st.data())
def test_renorm(x, p, data):
    t, a, tname = x
    d = data.draw(st.integers(0, a.ndim - 1))
    maxnorm = data.draw(st.sampled_from([0.5, 1.0, 100.0]))
    a64 = np.moveaxis(a.astype(np.float64), d, 0).copy()
    for i in range(a64.shape[0]):
        nrm = np_norm(a64[i], p)
        if nrm > maxnorm:
            a64[i] *= maxnorm / (nrm + 1e-7)
    want = np.moveaxis(a64, 0, d)
    same(arr(torch.renorm(t, p, d, maxnorm)), want, tname, 1e-5)
    c = t.clone()
    assert c.renorm(p, d, maxnorm) is c
    same(arr(c), want, tname, 1e-5)


@SETTINGS
@given(tensors(types=FLOATS, nan=False), st.sampled_from([0, 1, 2, 3]), st.data())
def test_dist(x, p, data):
    t, a, tname = x
    b = np.random.default_rng(data.draw(st.integers(0, 100))).standard_normal(a.shape).round(1)
    b = b.astype(a.dtype)
    u = getattr(torch, tname + "Tensor")(b)
    same(torch.dist(t, u, p), np_norm(a.astype(float) - b.astype(float), p), tname, 1e-4)
    same(t.dist(u), np_norm(a.astype(float) - b.astype(float), 2), tname, 1e-4)
    # broadcasting a row
    row = u.select(0, 0) if u.dim() > 1 else u
    same(
        torch.dist(t, row, p),
        np_norm(a.astype(float) - b[0].astype(float) if a.ndim > 1 else a - b, p),
        tname,
        1e-4,
    )


# ------------------------------------------------------------------ sort family


def np_sort(a, d, descending):
    key = a.astype(np.float64)
    if descending:
        key = -key
    idx = np.argsort(key, axis=d, kind="stable")
    return np.take_along_axis(a, idx, axis=d), idx


@SETTINGS
@given(tensors(), st.data())
def test_sort(x, data):
    t, a, tname = x
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    desc = data.draw(st.booleans())
    v, i = torch.sort(t, d, desc)
    wv, wi = np_sort(a, d, desc)
    assert v.type() == t.type() and i.type() == "torch.LongTensor"
    same(arr(v), wv, tname)
    assert np.array_equal(arr(i), wi)
    v2, _ = t.sort(desc) if desc else t.sort()
    same(arr(v2), np_sort(a, -1, desc)[0], tname)


@SETTINGS
@given(tensors(), st.data())
def test_topk_kthvalue_median(x, data):
    t, a, tname = x
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    n = a.shape[d]
    k = data.draw(st.integers(1, n))
    for largest in (False, True):
        v, i = torch.topk(t, k, d, largest, True)
        wv, wi = np_sort(a, d, largest)
        same(arr(v), np.take(wv, range(k), axis=d), tname)
        assert np.array_equal(arr(i), np.take(wi, range(k), axis=d))
    v, i = torch.kthvalue(t, k, d)
    wv, wi = np_sort(a, d, False)
    same(arr(v), np.take(wv, [k - 1], axis=d), tname)
    assert np.array_equal(arr(i), np.take(wi, [k - 1], axis=d))
    v, i = torch.median(t, d)
    m = (n - 1) // 2
    same(arr(v), np.take(wv, [m], axis=d), tname)
    assert np.array_equal(arr(i), np.take(wi, [m], axis=d))


def np_mode(a, d):
    moved = np.moveaxis(a, d, -1)
    vals = np.empty(moved.shape[:-1] + (1,), dtype=a.dtype)
    idx = np.empty(moved.shape[:-1] + (1,), dtype=np.int64)
    for pos in np.ndindex(moved.shape[:-1]):
        row = moved[pos]
        best, best_count, best_idx = None, 0, 0
        for v in sorted(set(row.tolist()), key=lambda z: z):
            occ = [j for j, w in enumerate(row.tolist()) if w == v]
            if len(occ) > best_count:
                best, best_count, best_idx = v, len(occ), occ[-1]
        vals[pos + (0,)], idx[pos + (0,)] = best, best_idx
    return np.moveaxis(vals, -1, d), np.moveaxis(idx, -1, d)


@SETTINGS
@given(tensors(nan=False), st.data())
def test_mode(x, data):
    t, a, tname = x
    d = data.draw(st.integers(-a.ndim, a.ndim - 1))
    v, i = torch.mode(t, d)
    wv, wi = np_mode(a, d)
    same(arr(v), wv, tname)
    assert np.array_equal(arr(i), wi)


# ------------------------------------------------------------------ trace, cross, histc


@SETTINGS
@given(tensors(min_dims=2, max_dims=2))
def test_trace(x):
    t, a, tname = x
    tr = torch.trace(t)
    assert isinstance(tr, float if tname in FLOATS else int)
    same(tr, np.trace(a.astype(acc_type(tname))), tname)


@SETTINGS
@given(st.sampled_from(ALL), st.lists(st.integers(1, 4), min_size=1, max_size=3), st.data())
def test_cross(tname, shape, data):
    d = data.draw(st.integers(0, len(shape)))
    shape = shape[:d] + [3] + shape[d:]
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    a = rng.integers(0 if tname == "Byte" else -5, 6, shape).astype(NP[tname])
    b = rng.integers(0 if tname == "Byte" else -5, 6, shape).astype(NP[tname])
    ta, tb = getattr(torch, tname + "Tensor")(a), getattr(torch, tname + "Tensor")(b)
    want = np.cross(a.astype(np.int64), b.astype(np.int64), axis=d).astype(NP[tname])
    same(arr(torch.cross(ta, tb, d)), want, tname)
    if 3 not in shape[:d]:
        same(arr(ta.cross(tb)), want, tname)


def ref_hist(v, nbins, lo, hi):
    v = np.asarray(v, dtype=np.float64).ravel()
    if lo == hi and v.size:
        lo, hi = np.nanmin(v), np.nanmax(v)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    out = np.zeros(nbins)
    for x in v:
        if lo <= x <= hi:
            out[min(int((x - lo) / (hi - lo) * nbins), nbins - 1)] += 1
    return out


@SETTINGS
@given(
    tensors(types=FLOATS, nan=False), st.integers(1, 7), st.sampled_from([(0, 0), (-1, 1), (0, 2)])
)
def test_histc(x, nbins, rng_):
    t, a, tname = x
    lo, hi = rng_
    h = torch.histc(t, nbins, lo, hi)
    assert h.type() == t.type() and h.size() == (nbins,)
    same(arr(h), ref_hist(a, nbins, lo, hi), tname)
    if a.ndim == 2:
        if lo == hi:
            g = a.astype(np.float64)
            lo2, hi2 = (g.min(), g.max()) if g.min() != g.max() else (g.min() - 1, g.max() + 1)
        else:
            lo2, hi2 = lo, hi
        b = torch.bhistc(t, nbins, lo, hi)
        same(arr(b), np.stack([ref_hist(r, nbins, lo2, hi2) for r in a]), tname)


# ------------------------------------------------------------------ forms: out=, methods


def test_out_and_method_forms():
    x = torch.DoubleTensor([[1, 5, 3], [4, 2, 6]])
    r = torch.DoubleTensor(7)
    assert torch.sum(x, 1, out=r) is r and r.tolist() == [[9.0], [12.0]]
    r2 = torch.DoubleTensor()
    assert r2.sum(x, 0) is r2 and r2.tolist() == [[5.0, 7.0, 9.0]]
    vals, idx = torch.DoubleTensor(), torch.LongTensor()
    res = torch.max(x, 1, out=(vals, idx))
    assert res[0] is vals and res[1] is idx
    assert vals.tolist() == [[5.0], [6.0]] and idx.tolist() == [[1], [2]]
    v2, i2 = torch.DoubleTensor(), torch.LongTensor()
    out = v2.sort(i2, x, 1, True)
    assert out[0] is v2 and out[1] is i2 and v2.tolist() == [[5.0, 3.0, 1.0], [6.0, 4.0, 2.0]]
    c = torch.DoubleTensor()
    assert torch.cumsum(x, 1, out=c) is c and c.tolist() == [[1.0, 6.0, 9.0], [4.0, 6.0, 12.0]]
    a, b = torch.DoubleTensor([1, 0, 0]), torch.DoubleTensor([0, 1, 0])
    rc = torch.DoubleTensor()
    assert rc.cross(a, b) is rc and rc.tolist() == [0.0, 0.0, 1.0]
    rr = torch.DoubleTensor()
    y = torch.DoubleTensor([[3, 4], [0, 0.5]])
    assert rr.renorm(y, 2, 0, 1) is rr and y.tolist() == [[3, 4], [0, 0.5]]
    assert abs(rr[0, 0] - 0.6) < 1e-6
    h = torch.DoubleTensor()
    assert h.histc(torch.DoubleTensor([1, 2, 3]), 3) is h and h.tolist() == [1.0, 1.0, 1.0]
    # out= of the wrong type is a TypeError
    with pytest.raises(TypeError):
        torch.sum(x, 0, out=torch.FloatTensor())
    # out= aliasing the input: the input is read before the result is written
    z = torch.DoubleTensor([[1, 2], [3, 4]])
    torch.cumsum(z, 0, out=z)
    assert z.tolist() == [[1.0, 2.0], [4.0, 6.0]]
    w = torch.DoubleTensor([[1, 2], [3, 4]])
    torch.sum(w, 1, out=w)
    assert w.tolist() == [[3.0], [7.0]]
    # keyword forms
    assert torch.sum(x, dim=1).tolist() == [[9.0], [12.0]]
    assert torch.sort(x, dim=0, descending=True)[0].tolist() == [[4.0, 5.0, 6.0], [1.0, 2.0, 3.0]]
    assert torch.topk(x, 1, largest=True)[0].tolist() == [[5.0], [6.0]]
    assert torch.std(x, 1, biased=True).size() == (2, 1)


@pytest.mark.parametrize("tname", ["Float", "Double", "Long"])
def test_cumsum_cumprod_out_is_written_directly_or_through_a_temporary(tname):
    rng = np.random.default_rng(4)
    a = rng.integers(-3, 4, (37, 300)).astype(NP[tname])
    ctor = getattr(torch, tname + "Tensor")
    for name in ("cumsum", "cumprod"):
        for d in (0, 1):
            want = getattr(np, name)(a.astype(np.float64 if tname != "Long" else np.int64), axis=d)
            want = want.astype(NP[tname])
            # contiguous out= at a storage offset (written directly)
            big = ctor(38 * 300).zero()
            o = big.narrow(0, 300, 37 * 300).view(37, 300)
            assert getattr(torch, name)(torch.fromNumpy(a.copy()), d, out=o) is o
            np.testing.assert_array_equal(o.numpy(), want, err_msg=f"{name} dim {d}")
            assert big.narrow(0, 0, 300).numpy().tolist() == [0] * 300  # nothing before it touched
            # transposed out= (through a temporary)
            ot = ctor(300, 37).t()
            getattr(torch, name)(torch.fromNumpy(a.copy()), d, out=ot)
            np.testing.assert_array_equal(ot.numpy(), want)
            # out= the input itself
            x = torch.fromNumpy(a.copy())
            getattr(torch, name)(x, d, out=x)
            np.testing.assert_array_equal(x.numpy(), want)
