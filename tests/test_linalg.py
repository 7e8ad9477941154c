"""BLAS-like products (group E) and the @ operator: differential tests against numpy, Torch7
fixtures, method forms, out=, strided operands and errors."""

import ferrotorch as torch
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

FLOAT_TYPES = {"torch.FloatTensor": np.float32, "torch.DoubleTensor": np.float64}
INT_TYPES = {
    "torch.IntTensor": np.int32,
    "torch.LongTensor": np.int64,
    "torch.ShortTensor": np.int16,
    "torch.ByteTensor": np.uint8,
    "torch.CharTensor": np.int8,
}


def T(a):
    """A ferrotorch tensor holding a copy of the numpy array a."""
    return torch.fromNumpy(np.ascontiguousarray(a).copy())


def tol(dtype):
    return {"rtol": 2e-4, "atol": 2e-4} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-10}


def strided(draw, arr, kind):
    """A ferrotorch view with the values of the 2-D numpy array arr and the given layout."""
    if kind == "contiguous":
        return T(arr)
    if kind == "transposed":
        return T(arr.T).t()
    if kind == "narrowed":
        big = np.zeros((arr.shape[0] + 2, arr.shape[1] + 3), arr.dtype)
        big[1 : 1 + arr.shape[0], 2 : 2 + arr.shape[1]] = arr
        return T(big).narrow(0, 1, arr.shape[0]).narrow(1, 2, arr.shape[1])
    big = np.zeros((arr.shape[0] * 2, arr.shape[1] * 3), arr.dtype)
    big[::2, ::3] = arr
    return T(big)[::2, ::3]


LAYOUTS = ["contiguous", "transposed", "narrowed", "stepped"]


@st.composite
def matmul_case(draw):
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    m, k, n = (draw(st.integers(0, 9)) for _ in range(3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    a = rng.standard_normal((m, k)).astype(dtype)
    b = rng.standard_normal((k, n)).astype(dtype)
    c = rng.standard_normal((m, n)).astype(dtype)
    ka, kb, kc = (draw(st.sampled_from(LAYOUTS)) for _ in range(3))
    return dtype, a, b, c, strided(draw, a, ka), strided(draw, b, kb), strided(draw, c, kc)


@settings(deadline=None, max_examples=60)
@given(matmul_case(), st.sampled_from([0, 1, 0.5, -2]), st.sampled_from([1, 2.5, -1]))
def test_mm_addmm_against_numpy(case, beta, alpha):
    dtype, a, b, c, ta, tb, tc = case
    np.testing.assert_allclose(torch.mm(ta, tb).numpy(), a @ b, **tol(dtype))
    np.testing.assert_allclose((ta @ tb).numpy(), a @ b, **tol(dtype))
    got = torch.addmm(beta, tc, alpha, ta, tb).numpy()
    np.testing.assert_allclose(got, beta * c + alpha * (a @ b), **tol(dtype))
    # Method forms: C.addmm(v1, v2, A, B) scales self; M.mm(A, B) fills M.
    before = tc.clone()
    tc.addmm(beta, alpha, ta, tb)
    np.testing.assert_allclose(tc.numpy(), beta * before.numpy() + alpha * (a @ b), **tol(dtype))
    m = torch.Tensor().type(ta.type())
    assert m.mm(ta, tb) is m
    np.testing.assert_allclose(m.numpy(), a @ b, **tol(dtype))


@settings(deadline=None, max_examples=40)
@given(st.sampled_from(list(INT_TYPES)), st.integers(1, 6), st.integers(0, 6), st.integers(1, 6))
def test_integer_mm_wraps_like_c(name, m, k, n):
    dt = INT_TYPES[name]
    rng = np.random.default_rng(m * 100 + k * 10 + n)
    info = np.iinfo(dt)
    a = rng.integers(info.min, info.max, (m, k), endpoint=True).astype(dt)
    b = rng.integers(info.min, info.max, (k, n), endpoint=True).astype(dt)
    ta, tb = T(a).type(name), T(b).type(name)
    with np.errstate(over="ignore"):
        want = (a.astype(np.int64) @ b.astype(np.int64)).astype(dt)
    np.testing.assert_array_equal(torch.mm(ta, tb).numpy(), want)


@settings(deadline=None, max_examples=40)
@given(st.integers(0, 5), st.integers(0, 6), st.integers(0, 6), st.integers(0, 6),
       st.sampled_from([np.float32, np.float64]), st.booleans())
def test_bmm_baddbmm_addbmm(p, m, k, n, dtype, transposed):
    rng = np.random.default_rng(p + 7 * m + 31 * k + 97 * n)
    a = rng.standard_normal((p, m, k)).astype(dtype)
    b = rng.standard_normal((p, k, n)).astype(dtype)
    ta = T(a.transpose(0, 2, 1)).transpose(1, 2) if transposed else T(a)
    tb = T(b)
    np.testing.assert_allclose(torch.bmm(ta, tb).numpy(), a @ b, **tol(dtype))
    if p:
        np.testing.assert_allclose((ta @ tb).numpy(), a @ b, **tol(dtype))
    c3 = rng.standard_normal((p, m, n)).astype(dtype)
    got = torch.baddbmm(2, T(c3), 3, ta, tb).numpy()
    np.testing.assert_allclose(got, 2 * c3 + 3 * (a @ b), **tol(dtype))
    c2 = rng.standard_normal((m, n)).astype(dtype)
    got = torch.addbmm(0.5, T(c2), -1, ta, tb).numpy()
    np.testing.assert_allclose(got, 0.5 * c2 - (a @ b).sum(0), **tol(dtype))


def test_batched_small_matrices_parallel_path():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((64, 64, 64)).astype(np.float32)
    b = rng.standard_normal((64, 64, 64)).astype(np.float32)
    np.testing.assert_allclose(torch.bmm(T(a), T(b)).numpy(), a @ b, rtol=1e-4, atol=1e-4)


def test_large_product_uses_threads_and_matches():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((300, 200))
    b = rng.standard_normal((200, 250))
    np.testing.assert_allclose(torch.mm(T(a), T(b).t().contiguous().t()).numpy(), a @ b, rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5000, 300), (300, 5000), (4096, 70), (257, 513)])
def test_column_major_mv_blocks(shape, dtype):
    # A column-major matrix (a transposed view) runs one axpy per column into blocks of y as
    # tall as fit L1 (4096 f32 / 2048 f64 rows): heights that cross those block edges.
    rng = np.random.default_rng(shape[0])
    a = rng.standard_normal(shape).astype(dtype)
    x = rng.standard_normal(shape[1]).astype(dtype)
    y = rng.standard_normal(shape[0]).astype(dtype)
    ta = T(a.T).t()
    t = tol(dtype)
    t = {"rtol": t["rtol"] * 10, "atol": t["atol"] * 10 * np.sqrt(shape[1])}
    np.testing.assert_allclose(torch.mv(ta, T(x)).numpy(), a @ x, **t)
    np.testing.assert_allclose(torch.addmv(0.5, T(y), 2.0, ta, T(x)).numpy(), 0.5 * y + 2.0 * (a @ x), **t)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(256, 40), (300, 301), (517, 64), (64, 600)])
@pytest.mark.parametrize("view", ["contiguous", "transposed", "stepped"])
def test_gram_products_are_symmetric_and_match_numpy(shape, dtype, view):
    # A matrix times its own transpose computes the upper triangle only and mirrors it
    # (cpu::blas::gram_product, from 256 a side), as numpy's syrk path does.
    rng = np.random.default_rng(shape[0])
    a = rng.standard_normal(shape).astype(dtype)
    if view == "contiguous":
        ta = T(a)
    elif view == "transposed":
        ta = T(a.T).t()
    else:
        big = np.zeros((shape[0] * 2, shape[1] * 3), dtype=dtype)
        big[::2, ::3] = a
        ta = T(big)[::2, ::3]
    t = tol(dtype)
    t = {"rtol": t["rtol"] * 10, "atol": t["atol"] * 10 * np.sqrt(shape[0])}
    for got, want in ((torch.mm(ta, ta.t()), a @ a.T), (torch.mm(ta.t(), ta), a.T @ a),
                      (ta @ ta.t(), a @ a.T)):
        g = got.numpy()
        np.testing.assert_allclose(g, want, **t)
        assert (g == g.T).all()
    # beta ≠ 0 or an unrelated right operand take the plain product
    c = rng.standard_normal((shape[0], shape[0])).astype(dtype)
    np.testing.assert_allclose(torch.addmm(0.5, T(c), 2.0, ta, ta.t()).numpy(),
                               0.5 * c + 2.0 * (a @ a.T), **t)
    b = T(a.T.copy())
    np.testing.assert_allclose(torch.mm(ta, b).numpy(), a @ a.T, **t)
    out = torch.Tensor().type(ta.type())
    assert torch.mm(ta, ta.t(), out=out) is out
    np.testing.assert_allclose(out.numpy(), a @ a.T, **t)


@settings(deadline=None, max_examples=40)
@given(st.integers(0, 8), st.integers(0, 8), st.sampled_from([np.float32, np.float64]),
       st.integers(1, 3))
def test_mv_ger_addmv_addr_dot(n, m, dtype, step):
    rng = np.random.default_rng(n * 9 + m)
    mat = rng.standard_normal((n, m)).astype(dtype)
    x = rng.standard_normal(m * step).astype(dtype)
    y = rng.standard_normal(n).astype(dtype)
    tx = T(x)[::step]
    xs = x[::step]
    np.testing.assert_allclose(torch.mv(T(mat), tx).numpy(), mat @ xs, **tol(dtype))
    # column-major matrix (the axpy path) and a row vector times a matrix (the m == 1 path)
    np.testing.assert_allclose(torch.mv(T(mat.T).t(), tx).numpy(), mat @ xs, **tol(dtype))
    row = T(y).view(1, n) if n else torch.Tensor(1, 0).type(tx.type())
    np.testing.assert_allclose(torch.mm(row, T(mat)).numpy(), (y @ mat)[None], **tol(dtype))
    np.testing.assert_allclose((T(mat) @ tx).numpy(), mat @ xs, **tol(dtype))
    np.testing.assert_allclose(torch.ger(T(y), tx).numpy(), np.outer(y, xs), **tol(dtype))
    np.testing.assert_allclose(
        torch.addmv(2, T(y), -1, T(mat), tx).numpy(), 2 * y - mat @ xs, **tol(dtype))
    np.testing.assert_allclose(
        torch.addr(0.5, T(np.outer(y, xs)), 2, T(y), tx).numpy(), 2.5 * np.outer(y, xs),
        **tol(dtype))
    assert torch.dot(tx, tx) == pytest.approx(float(xs.astype(np.float64) @ xs), rel=1e-4, abs=1e-4)
    v = T(xs) @ tx
    assert isinstance(v, float)


def test_dot_flattens_row_major_and_integer_result():
    a = torch.Tensor([[1, 2, 3], [4, 5, 6]])
    b = torch.Tensor([[1, 0], [0, 1], [1, 1]])
    assert torch.dot(a, b) == 1 + 0 + 0 + 4 + 5 + 6
    assert torch.dot(a.t(), b) == float(np.dot(a.numpy().T.ravel(), b.numpy().ravel()))
    i = torch.IntTensor([1, 2, 3])
    assert torch.dot(i, i) == 14 and isinstance(torch.dot(i, i), int)
    assert i.dot(i) == 14
    assert torch.dot(torch.Tensor(0), torch.Tensor(0)) == 0.0


def test_out_and_fill_self_forms():
    a = torch.Tensor([[1, 2], [3, 4]])
    r = torch.Tensor(5)
    got = torch.mm(a, a, out=r)
    assert got is r and r.tolist() == [[7.0, 10.0], [15.0, 22.0]]
    r = torch.Tensor(1)
    assert torch.mv(a, torch.Tensor([1, 1]), out=r) is r and r.tolist() == [3.0, 7.0]
    r = torch.Tensor()
    assert r.ger(torch.Tensor([1, 2]), torch.Tensor([3, 4])) is r
    assert r.tolist() == [[3.0, 4.0], [6.0, 8.0]]
    r = torch.Tensor()
    assert r.bmm(a.view(1, 2, 2), a.view(1, 2, 2)) is r and r.size() == (1, 2, 2)
    # r.addmm(C, A, B) puts C + A B in r and leaves C alone
    c = torch.Tensor([[1, 1], [1, 1]])
    r = torch.Tensor()
    assert r.addmm(c, a, a) is r
    assert r.tolist() == [[8.0, 11.0], [16.0, 23.0]] and c.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    r.addmm(2, c, 3, a, a)
    assert r.tolist() == [[23.0, 32.0], [47.0, 68.0]]
    # M.addmm(A, B) accumulates
    m = c.clone()
    m.addmm(a, a)
    assert m.tolist() == [[8.0, 11.0], [16.0, 23.0]]
    # function form with the accumulated matrix as out
    m = c.clone()
    assert torch.addmm(m, a, a, out=m) is m and m.tolist() == [[8.0, 11.0], [16.0, 23.0]]
    v = torch.Tensor([1, 1])
    v.addmv(a, torch.Tensor([1, 0]))
    assert v.tolist() == [2.0, 4.0]
    v.addmv(0, 1, a, torch.Tensor([0, 1]))
    assert v.tolist() == [2.0, 4.0]
    m = torch.Tensor(2, 2)
    m.addr(torch.Tensor([1, 2]), torch.Tensor([1, 1]))
    assert m.tolist() == [[1.0, 1.0], [2.0, 2.0]]
    m = torch.Tensor(2, 2)
    m.addbmm(a.view(1, 2, 2), a.view(1, 2, 2))
    assert m.tolist() == [[7.0, 10.0], [15.0, 22.0]]
    b = torch.Tensor(1, 2, 2)
    b.baddbmm(0.5, 2, a.view(1, 2, 2), a.view(1, 2, 2))
    assert b.tolist() == [[[14.0, 20.0], [30.0, 44.0]]]


def test_overlapping_output_goes_through_a_temporary():
    a = torch.Tensor([[1, 2], [3, 4]])
    want = (a.numpy() @ a.numpy()).tolist()
    torch.mm(a, a, out=a)
    assert a.tolist() == want
    a = torch.Tensor([[1, 2], [3, 4]])
    a.addmm(a, a)
    assert a.tolist() == [[8.0, 12.0], [18.0, 26.0]]
    a = torch.Tensor([[1, 2], [3, 4]])
    a.mm(a.t(), a)
    assert a.tolist() == [[10.0, 14.0], [14.0, 20.0]]


def test_nan_in_result_is_ignored_when_beta_is_zero():
    c = torch.Tensor([[float("nan")]])
    got = torch.addmm(0, c, 1, torch.Tensor([[2]]), torch.Tensor([[3]]))
    assert got.tolist() == [[6.0]]
    got = torch.addmm(torch.Tensor([[1.0]]), torch.Tensor([[float("inf")]]), torch.Tensor([[0.0]]))
    assert np.isnan(got.tolist()[0][0])


def test_empty_and_zero_depth():
    assert torch.mm(torch.Tensor(2, 0), torch.Tensor(0, 3)).tolist() == [[0.0] * 3] * 2
    got = torch.addmm(2, torch.Tensor([[1, 2]]), 1, torch.Tensor(1, 0), torch.Tensor(0, 2))
    assert got.tolist() == [[2.0, 4.0]]
    assert torch.mm(torch.Tensor(0, 3), torch.Tensor(3, 2)).size() == (0, 2)
    got = torch.addbmm(3, torch.Tensor([[1]]), 1, torch.Tensor(0, 1, 2), torch.Tensor(0, 2, 1))
    assert got.tolist() == [[3.0]]


def test_imatmul_writes_in_place():
    a = torch.Tensor([[1, 2], [3, 4]])
    same = a
    a @= torch.Tensor([[0, 1], [1, 0]])
    assert a is same and a.tolist() == [[2.0, 1.0], [4.0, 3.0]]
    with pytest.raises(ValueError):
        a @= torch.Tensor([[1], [1]])


def test_errors():
    a = torch.Tensor(2, 3)
    with pytest.raises(ValueError, match="2x3"):
        torch.mm(a, a)
    with pytest.raises(ValueError, match="2-D"):
        torch.mm(torch.Tensor(3), a)
    with pytest.raises(TypeError, match="FloatTensor"):
        torch.mm(a, torch.FloatTensor(3, 2))
    with pytest.raises(TypeError, match="HalfTensor"):
        torch.mm(torch.HalfTensor(2, 2), torch.HalfTensor(2, 2))
    with pytest.raises(ValueError):
        torch.mv(a, torch.Tensor(2))
    with pytest.raises(ValueError):
        torch.bmm(torch.Tensor(2, 2, 2), torch.Tensor(3, 2, 2))
    with pytest.raises(ValueError, match="3-D"):
        torch.baddbmm(torch.Tensor(2, 2), torch.Tensor(1, 2, 2), torch.Tensor(1, 2, 2))
    with pytest.raises(ValueError, match="1-D"):
        torch.addmv(torch.Tensor(2, 1), torch.Tensor(2, 2), torch.Tensor(2))
    with pytest.raises(ValueError):
        torch.addmm(torch.Tensor(3, 3), torch.Tensor(2, 2), torch.Tensor(2, 2))
    with pytest.raises(TypeError):
        torch.addmm(1, 2, torch.Tensor(2, 2), torch.Tensor(2, 2), torch.Tensor(2, 2), 3)
    with pytest.raises(TypeError):
        torch.addmm(torch.Tensor(2, 2), torch.Tensor(2, 2))
    with pytest.raises(TypeError):
        torch.addmm(torch.Tensor(2, 2), "x", torch.Tensor(2, 2))
    with pytest.raises(ValueError):
        torch.dot(torch.Tensor(3), torch.Tensor(4))
    with pytest.raises(ValueError, match="4D"):
        torch.Tensor(1, 1, 1, 1) @ torch.Tensor(1, 1, 1, 1)
    assert torch.Tensor(2).__matmul__(3) is NotImplemented
    with pytest.raises(ValueError, match="expanded"):
        torch.mm(torch.Tensor(2, 2), torch.Tensor(2, 2), out=torch.Tensor(2, 1).expand(2, 2))


def _fixture_env(fx, from_json):
    return {k: from_json(v) for k, v in fx["inputs"].items()}


def _check(got, want, from_json):
    if isinstance(want, dict) and "data" in want:
        w = from_json(want)
        assert got.type() == w.type()
        np.testing.assert_allclose(got.numpy(), w.numpy(), rtol=1e-6, atol=1e-6)
    else:
        assert got == pytest.approx(want, rel=1e-6)


def test_torch7_fixtures_mm_addmm_dot(load_fixture, from_json):
    for name, run in {
        "mm": {
            "torch.mm(A, B)": lambda e: torch.mm(e["A"], e["B"]),
            "torch.mm(At:t(), B)": lambda e: torch.mm(e["At"].t(), e["B"]),
            "torch.mm(A, At)": lambda e: torch.mm(e["A"], e["At"]),
            "torch.mm(B:t(), A:t())": lambda e: torch.mm(e["B"].t(), e["A"].t()),
            "r24:mm(A, B)  -- fill-self": lambda e: e["r24"].mm(e["A"], e["B"]),
            "torch.mm(r22, A, At)": lambda e: torch.mm(e["A"], e["At"], out=e["r22"]),
            "torch.mm(Ai, Bi)": lambda e: torch.mm(e["Ai"], e["Bi"]),
            "torch.mm(Al, Bl)": lambda e: torch.mm(e["Al"], e["Bl"]),
            "torch.mm(Af, Bf)": lambda e: torch.mm(e["Af"], e["Bf"]),
            "torch.mm(A:narrow(2, 1, 2), m2)": lambda e: torch.mm(e["A"].narrow(1, 0, 2), e["m2"]),
        },
        "addmm": {
            "torch.addmm(C, A, B)": lambda e: torch.addmm(e["C"], e["A"], e["B"]),
            "torch.addmm(0.5, C, 2, A, B)": lambda e: torch.addmm(0.5, e["C"], 2, e["A"], e["B"]),
            "torch.addmm(C, -1, A, B)": lambda e: torch.addmm(e["C"], -1, e["A"], e["B"]),
            "C:addmm(A, B)  -- C += A B": lambda e: e["C"].addmm(e["A"], e["B"]),
            "C:addmm(0.5, 2, A, B)": lambda e: e["C"].addmm(0.5, 2, e["A"], e["B"]),
            "r24:addmm(C, A, B)": lambda e: e["r24"].addmm(e["C"], e["A"], e["B"]),
            "r24:addmm(2, C, 3, A, B)": lambda e: e["r24"].addmm(2, e["C"], 3, e["A"], e["B"]),
            "torch.addmm(r24, C, A, B)": lambda e: torch.addmm(e["C"], e["A"], e["B"], out=e["r24"]),
            "torch.addmm(r11, C, A, B)": lambda e: torch.addmm(e["C"], e["A"], e["B"], out=e["r11"]),
            "torch.addmm(C, At:t(), B)": lambda e: torch.addmm(e["C"], e["At"].t(), e["B"]),
            "torch.addmm(C:t():t(), A, B)": lambda e: torch.addmm(e["C"].t().t(), e["A"], e["B"]),
            "torch.addmm(m2, A, At)": lambda e: torch.addmm(e["m2"], e["A"], e["At"]),
            "torch.addmm(Ci, Ai, Bi)": lambda e: torch.addmm(e["Ci"], e["Ai"], e["Bi"]),
            "torch.addmm(2, Ci, 3, Ai, Bi)": lambda e: torch.addmm(2, e["Ci"], 3, e["Ai"], e["Bi"]),
            "torch.addmm(Cf, Af, Bf)": lambda e: torch.addmm(e["Cf"], e["Af"], e["Bf"]),
        },
        "dot": {
            "torch.dot(v, v)": lambda e: torch.dot(e["v"], e["v"]),
            "torch.dot(w, vec)": lambda e: torch.dot(e["w"], e["vec"]),
            "w:dot(vec)": lambda e: e["w"].dot(e["vec"]),
            "torch.dot(A, At)  -- same nElement: flattened row-major": lambda e: torch.dot(
                e["A"], e["At"]),
            "torch.dot(A:t(), At)": lambda e: torch.dot(e["A"].t(), e["At"]),
            "torch.dot(vi, vi)": lambda e: torch.dot(e["vi"], e["vi"]),
            "torch.dot(vl, vl)": lambda e: torch.dot(e["vl"], e["vl"]),
        },
    }.items():
        fx = load_fixture(f"math/{name}.json")
        seen = 0
        for call in fx["calls"]:
            if call["call"] not in run:
                continue
            env = _fixture_env(fx, from_json)
            _check(run[call["call"]](env), call["output"], from_json)
            seen += 1
        assert seen == len(run), name


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = ["math/mm.json", "math/addmm.json", "math/dot.json"]
