"""LAPACK-class functions at sizes where the blocked, recursive and multi-threaded paths run
(n >= 96), with row-major, column-major (transposed) and stepped inputs, both precisions, the
unused triangle filled with garbage, and the singular / not positive definite errors."""

import ferrotorch as torch
import numpy as np
import pytest

SIZES = [97, 200, 301]


def N(t):
    return t.numpy().astype(np.float64) if t.dim() else np.zeros((0,))


def layouts(a, dtype):
    """The same matrix as a row-major, a transposed (column-major) and a stepped tensor."""
    a = np.asarray(a, dtype=dtype)
    row = torch.fromNumpy(np.ascontiguousarray(a))
    col = torch.fromNumpy(np.ascontiguousarray(a.T)).t()
    big = np.zeros((a.shape[0] * 2, a.shape[1] * 3), dtype=dtype)
    big[::2, ::3] = a
    stepped = torch.fromNumpy(big)[::2, ::3]
    assert not stepped.isContiguous() and not col.isContiguous()
    return {"row": row, "col": col, "stepped": stepped}


def rtol(dtype, n):
    return (2e-3 if dtype == np.float32 else 1e-9) * max(1, n / 100)


def residual(x, y):
    return np.linalg.norm(x - y) / max(np.linalg.norm(y), 1e-300)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", SIZES)
def test_gesv_inverse_large(n, dtype):
    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n)) + np.sqrt(n) * np.eye(n)
    b = rng.standard_normal((n, 3))
    a32 = a.astype(dtype).astype(np.float64)
    scipy = pytest.importorskip("scipy.linalg")
    want_lu, _ = scipy.lu_factor(a32)
    for name, ta in layouts(a, dtype).items():
        for tb in layouts(b, dtype).values():
            x, lu = torch.gesv(tb, ta)
            assert x.stride() == (1, n) and lu.stride() == (1, n), name
            assert x.type() == ta.type()
            assert residual(a32 @ N(x), b.astype(dtype)) < rtol(dtype, n), name
            assert residual(N(lu), want_lu) < rtol(dtype, n), name
        inv = torch.inverse(ta)
        assert inv.stride() == (1, n)
        assert residual(a32 @ N(inv), np.eye(n)) < rtol(dtype, n), name
    # a 1-D right-hand side
    x, _ = torch.gesv(torch.fromNumpy(b[:, 0].astype(dtype)), layouts(a, dtype)["row"])
    assert residual(a32 @ N(x)[:, 0], b[:, 0]) < rtol(dtype, n)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("n", [191, 193, 450])
def test_lu_pivots_like_lapack_on_every_schedule(n, threads):
    # Plain Gaussian matrices pivot at almost every step, so the blocked schedule's deferred
    # swaps (n >= 192, two or more threads) and the recursion (one thread, n < 192) must give
    # scipy's (LAPACK's) factors, pivot for pivot.
    scipy = pytest.importorskip("scipy.linalg")
    rng = np.random.default_rng(n + threads)
    a = rng.standard_normal((n, n))
    b = rng.standard_normal((n, 2))
    want_lu, _ = scipy.lu_factor(a)
    before = torch.getnumthreads()
    torch.setnumthreads(threads)
    try:
        x, lu = torch.gesv(torch.fromNumpy(b), torch.fromNumpy(a))
        inv = torch.inverse(torch.fromNumpy(a))
    finally:
        torch.setnumthreads(before)
    assert np.abs(N(lu) - want_lu).max() < 1e-9
    assert residual(a @ N(x), b) < 1e-11
    assert residual(a @ N(inv), np.eye(n)) < 1e-11


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gesv_inverse_singular_large(dtype):
    n = 150
    rng = np.random.default_rng(3)
    a = rng.standard_normal((n, n))
    a[:, 77] = 0.0  # exactly singular: a zero column
    ta = torch.fromNumpy(a.astype(dtype))
    with pytest.raises(ValueError, match="singular"):
        torch.inverse(ta)
    with pytest.raises(ValueError, match="singular"):
        torch.gesv(torch.fromNumpy(np.ones((n, 1), dtype=dtype)), ta)
    big = rng.standard_normal((300, 300))
    big[:, 250] = 0.0  # a zero column in a later panel of the blocked schedule
    with pytest.raises(ValueError, match="singular"):
        torch.inverse(torch.fromNumpy(big.astype(dtype)))
    a[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        torch.inverse(torch.fromNumpy(a.astype(dtype)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("uplo", ["U", "L"])
@pytest.mark.parametrize("n", SIZES)
def test_potrf_large(n, uplo, dtype):
    rng = np.random.default_rng(n)
    g = rng.standard_normal((n, n))
    s = g @ g.T + n * np.eye(n)
    s = s.astype(dtype).astype(np.float64)
    # Only the named triangle is read: garbage (even NaN is refused, so large values) elsewhere.
    a = s.copy()
    if uplo == "U":
        a[np.tril_indices(n, -1)] = 1e6
    else:
        a[np.triu_indices(n, 1)] = -1e6
    for name, ta in layouts(a, dtype).items():
        f = torch.potrf(ta, uplo)
        assert f.stride() == (1, n), name
        fn = N(f)
        if uplo == "U":
            assert np.array_equal(fn, np.triu(fn)), name
            assert residual(fn.T @ fn, s) < rtol(dtype, n), name
        else:
            assert np.array_equal(fn, np.tril(fn)), name
            assert residual(fn @ fn.T, s) < rtol(dtype, n), name
    bad = s.copy()
    bad[60, 60] = -1.0
    with pytest.raises(ValueError, match="not positive definite"):
        torch.potrf(torch.fromNumpy(bad.astype(dtype)), uplo)


SPECTRA = {
    # name: eigenvalues for Q diag(λ) Qᵀ
    "clustered": lambda n: np.repeat([-1.0, 1e-3, 2.0, 2.0 + 1e-12], n // 4 + 1)[:n],
    "graded": lambda n: np.logspace(-12, 12, n) * np.where(np.arange(n) % 2, 1, -1),
    "one outlier": lambda n: np.r_[np.zeros(n - 1), 1e8],
    "huge": lambda n: np.linspace(-1, 1, n) * 1e150,
    "tiny": lambda n: np.linspace(-1, 1, n) * 1e-150,
}


@pytest.mark.parametrize("spectrum", sorted(SPECTRA))
@pytest.mark.parametrize("n", [2, 3, 64, 301])
def test_symeig_values_only_hard_spectra(n, spectrum):
    # Values only runs its own tridiagonal QL/QR sweep (cpu::tridiagonal::sterf): clusters,
    # grading over 24 decades and scales that would overflow or underflow when squared.
    rng = np.random.default_rng(n)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    lam = SPECTRA[spectrum](n)
    s = (q * lam) @ q.T
    s = (s + s.T) / 2
    want = np.linalg.eigvalsh(s)
    e, v = torch.symeig(torch.fromNumpy(s))
    assert v.nElement() == 0
    en = N(e)
    assert np.all(np.diff(en) >= 0)
    # norm-wise backward stability, as LAPACK promises: |Δλ| ≤ c·n·ε·‖A‖
    scale = np.abs(lam).max()
    assert np.abs(en - want).max() <= 1e-13 * n * scale
    assert np.abs(en - np.sort(lam)).max() <= 1e-12 * n * scale
    np.testing.assert_allclose(en, N(torch.symeig(torch.fromNumpy(s), "V")[0]),
                               rtol=0, atol=1e-13 * n * scale)


@pytest.mark.parametrize("power", [-200, -100, -10, 10, 100, 200])
@pytest.mark.parametrize("n", [64, 301])
def test_eigen_and_svd_are_scale_invariant(n, power):
    # faer's solvers use absolute tolerances (its divide and conquer lost 9 digits at 1e10 and
    # its SVD failed at 1e200): the matrix is brought near unit scale by a power of two first.
    rng = np.random.default_rng(n)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    lam = np.linspace(-1, 1, n)
    s = (q * lam) @ q.T
    s = (s + s.T) / 2
    c = 10.0**power
    t = torch.fromNumpy(s * c)
    e, v = torch.symeig(t, "V")
    np.testing.assert_allclose(N(e) / c, lam, rtol=0, atol=1e-13 * n)
    vn = N(v)
    assert residual(s @ vn, vn * N(e) / c) < 1e-13 * n
    np.testing.assert_allclose(N(torch.symeig(t)[0]) / c, lam, rtol=0, atol=1e-13 * n)
    u, sv, w = torch.svd(t)
    np.testing.assert_allclose(N(sv) / c, np.sort(np.abs(lam))[::-1], rtol=0, atol=1e-13 * n)
    assert residual(N(u) * (N(sv) / c) @ N(w).T, s) < 1e-13 * n
    ev, _ = torch.eig(t)
    np.testing.assert_allclose(np.sort(N(ev)[:, 0]) / c, lam, rtol=0, atol=1e-12 * n)
    assert np.all(N(ev)[:, 1] == 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(200, 200), (301, 120), (120, 301)])
def test_qr_large(shape, dtype):
    rng = np.random.default_rng(shape[0])
    a = rng.standard_normal(shape)
    a32 = a.astype(dtype).astype(np.float64)
    m, n = shape
    k = min(m, n)
    for name, ta in layouts(a, dtype).items():
        q, r = torch.qr(ta)
        assert q.size() == (m, k) and r.size() == (k, n), name
        assert q.stride() == (1, m) and r.stride() == (1, k), name
        qn, rn = N(q), N(r)
        assert np.array_equal(rn, np.triu(rn)), name
        assert residual(qn @ rn, a32) < rtol(dtype, m), name
        assert residual(qn.T @ qn, np.eye(k)) < rtol(dtype, m), name
        # same R as LAPACK up to the signs of its rows
        want = np.linalg.qr(a32, mode="r")
        assert residual(np.abs(rn), np.abs(want)) < rtol(dtype, m), name


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("uplo", ["U", "L"])
@pytest.mark.parametrize("n", SIZES)
def test_symeig_large(n, uplo, dtype):
    rng = np.random.default_rng(n)
    g = rng.standard_normal((n, n))
    s = ((g + g.T) / 2).astype(dtype).astype(np.float64)
    a = s.copy()
    if uplo == "U":
        a[np.tril_indices(n, -1)] = 1e3
    else:
        a[np.triu_indices(n, 1)] = -1e3
    want = np.linalg.eigvalsh(s)
    for name, ta in layouts(a, dtype).items():
        e, v = torch.symeig(ta, "V", uplo)
        assert v.stride() == (1, n), name
        en, vn = N(e), N(v)
        assert np.all(np.diff(en) >= 0), name
        assert residual(en, want) < rtol(dtype, n), name
        assert residual(s @ vn, vn * en) < rtol(dtype, n) * 10, name
        assert residual(vn.T @ vn, np.eye(n)) < rtol(dtype, n), name
        e2, _ = torch.symeig(ta, "N", uplo)
        assert residual(N(e2), want) < rtol(dtype, n), name


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(200, 200), (301, 120), (120, 301)])
@pytest.mark.parametrize("some", ["S", "A"])
def test_svd_large(shape, some, dtype):
    rng = np.random.default_rng(shape[1])
    a = rng.standard_normal(shape)
    a32 = a.astype(dtype).astype(np.float64)
    m, n = shape
    k = min(m, n)
    want = np.linalg.svd(a32, compute_uv=False)
    for name, ta in layouts(a, dtype).items():
        u, s, v = torch.svd(ta, some)
        uc, vc = (k, k) if some == "S" else (m, n)
        assert u.size() == (m, uc) and v.size() == (n, vc), name
        assert u.stride() == (1, m) and v.stride() == (1, n), name
        un, sn, vn = N(u), N(s), N(v)
        assert residual(sn, want) < rtol(dtype, m), name
        assert residual(un[:, :k] * sn @ vn[:, :k].T, a32) < rtol(dtype, m), name
        assert residual(un.T @ un, np.eye(uc)) < rtol(dtype, m), name
        assert residual(vn.T @ vn, np.eye(vc)) < rtol(dtype, m), name


def test_nonfinite_and_shape_errors_large():
    n = 128
    a = np.eye(n)
    a[100, 3] = np.inf
    for f in (lambda t: torch.symeig(t, "V"), torch.symeig, torch.svd, torch.qr, torch.potrf):
        with pytest.raises(ValueError, match="NaN or infinity"):
            f(torch.fromNumpy(a))
    rect = torch.fromNumpy(np.ones((n, n + 1)))
    for f in (torch.inverse, torch.potrf, lambda t: torch.symeig(t, "V")):
        with pytest.raises(ValueError, match="must be square"):
            f(rect)


@pytest.mark.parametrize("zero_col", [None, 10, 250])
@pytest.mark.parametrize("shape", [(300, 300), (420, 260), (230, 330)])
def test_qr_on_threads_and_with_a_zero_column(shape, zero_col):
    # 192 columns and up factor on the look-ahead schedule; a zero column makes faer's QR keep
    # a staircase form, which the schedule reports and qr then redoes sequentially.
    rng = np.random.default_rng(shape[0] + (zero_col or 0))
    a = rng.standard_normal(shape)
    if zero_col is not None:
        a[:, zero_col] = 0.0
    q, r = torch.qr(torch.fromNumpy(a))
    Q, R = N(q), N(r)
    k = min(shape)
    assert Q.shape == (shape[0], k) and R.shape == (k, shape[1])
    assert residual(Q @ R, a) < 1e-13
    assert np.abs(Q.T @ Q - np.eye(k)).max() < 1e-13
    assert np.all(np.tril(R, -1) == 0)
    # R's rows agree with numpy's (LAPACK's) up to sign where A has full column rank.
    if zero_col is None and shape[0] >= shape[1]:
        want = np.linalg.qr(a, mode="r")
        signs = np.sign(np.diag(R)) * np.sign(np.diag(want))
        assert np.abs(R - signs[:, None] * want).max() < 1e-10


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("n", [255, 300, 520])
def test_symeig_on_threads_matches_numpy(n, threads):
    # The tridiagonal reduction splits its passes over the threads from trailing order 256:
    # values against numpy's eigh, vectors by residual and orthogonality, on 1-3 threads.
    rng = np.random.default_rng(n * 10 + threads)
    g = rng.standard_normal((n, n))
    a = g + g.T
    want = np.linalg.eigvalsh(a)
    before = torch.getnumthreads()
    torch.setnumthreads(threads)
    try:
        e, v = torch.symeig(torch.fromNumpy(a), "V", "L")
        e_only, _ = torch.symeig(torch.fromNumpy(a), "N", "U")
    finally:
        torch.setnumthreads(before)
    scale = np.abs(want).max()
    assert np.abs(N(e) - want).max() < 1e-12 * n * scale
    assert np.abs(N(e_only) - want).max() < 1e-12 * n * scale
    e, v = N(e), N(v)
    assert np.abs(a @ v - v * e).max() < 1e-12 * n * scale
    assert np.abs(v.T @ v - np.eye(n)).max() < 1e-12 * n
