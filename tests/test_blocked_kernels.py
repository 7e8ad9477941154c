"""Every kernel that splits its work into blocks or threads, on inputs spanning several blocks in
every dimension, on 1, 2 and 3 threads, against numpy / scipy.

The block sizes come from the kernels (cpu/reduce.rs: full reductions fold 32768-element blocks,
reductions and scans along an outer dim step rows of 2048 accumulators, scans along the
contiguous dim go one slice at a time above 16 MiB of input; cpu/elementwise.rs and
cpu/copy.rs: 64x64 tiles, 256-element buffers for strided runs; cpu/sort.rs: radix sort from 256;
cpu/blas.rs: products above 64 a side split per thread; cpu/lu.rs: 64-column panels from 192;
cpu/qr.rs: threaded from 192; cpu/mod.rs: 65536-element parallel grain). Sizes here are chosen
to be a few blocks plus a remainder, so a wrong block offset, a running total not carried over a
block boundary or a remainder dropped all change the result.
"""

import ferrotorch as torch
import numpy as np
import pytest

ROW_BLOCK = 2048
BLOCK = 1 << 15


@pytest.fixture(params=[1, 2, 3], ids=lambda n: f"{n}thr")
def threads(request):
    old = torch.getnumthreads()
    torch.setnumthreads(request.param)
    yield request.param
    torch.setnumthreads(old)


def _t(a, cls=torch.DoubleTensor):
    return cls(np.ascontiguousarray(a).tolist())


def _rand(shape, seed, low=0.5, high=1.5):
    return np.random.default_rng(seed).uniform(low, high, shape)


# ------------------------------------------------------------------ scans (cumsum / cumprod)

@pytest.mark.parametrize("shape,dim", [((3, 2 * ROW_BLOCK + 37), 0), ((2 * ROW_BLOCK + 37, 3), 1),
                                       ((5, 3, ROW_BLOCK + 5), 1), ((4, ROW_BLOCK * 2 + 1), 1)])
@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_scans_across_row_blocks(threads, shape, dim, op):
    a = _rand(shape, 1, 0.9, 1.1) if op == "cumprod" else _rand(shape, 1, -1, 1)
    want = getattr(np, op)(a, axis=dim)
    got = getattr(torch, op)(_t(a), dim).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    # the same through a transposed (non-contiguous) view and through out=
    at = _t(np.swapaxes(a, 0, -1)).transpose(0, len(shape) - 1)
    np.testing.assert_allclose(getattr(torch, op)(at, dim).numpy(), want, rtol=1e-12, atol=1e-12)
    r = torch.DoubleTensor(1).fill(float("nan"))
    getattr(torch, op)(_t(a), dim, out=r)
    np.testing.assert_allclose(r.numpy(), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", ["cumsum", "cumprod"])
def test_scans_past_the_streaming_size_match_numpy_exactly(threads, op):
    """cpu/reduce.rs scans contiguous slices one at a time above 16 MiB of input (SCAN_STREAM_BYTES)
    and four interleaved below: both keep each slice's sequential order, numpy's too, so the
    results are identical, including the slices left over after the groups of four."""
    for rows in (1027, 2 * 1024 + 3):  # 8.4 MB (interleaved), 16.8 MB (one at a time)
        a = _rand((rows, 1024), 4, 0.999, 1.001) if op == "cumprod" else _rand((rows, 1024), 4, -1, 1)
        t = torch.fromNumpy(a)
        np.testing.assert_array_equal(getattr(torch, op)(t, 1).numpy(), getattr(np, op)(a, axis=1))


@pytest.mark.parametrize("cls,npt", [(torch.FloatTensor, np.float32), (torch.IntTensor, np.int32),
                                     (torch.LongTensor, np.int64)])
def test_integer_and_float_scans_across_row_blocks(threads, cls, npt):
    a = np.random.default_rng(2).integers(-3, 4, (3, 2 * ROW_BLOCK + 9)).astype(npt)
    np.testing.assert_allclose(torch.cumsum(_t(a, cls), 0).numpy(), np.cumsum(a, 0), rtol=1e-6)


# ------------------------------------------------------------------ reductions along a dim

DIM_REDUCTIONS = {
    "sum": lambda a, d: a.sum(d), "prod": lambda a, d: a.prod(d), "mean": lambda a, d: a.mean(d),
    "max": lambda a, d: a.max(d), "min": lambda a, d: a.min(d),
    "std": lambda a, d: a.std(d, ddof=1), "var": lambda a, d: a.var(d, ddof=1),
}


@pytest.mark.parametrize("shape,dim", [
    ((3, 2 * ROW_BLOCK + 37), 0),       # several column blocks
    ((4 * ROW_BLOCK + 3, 3), 0),        # few columns, long reduced dim: bands
    ((2 * ROW_BLOCK + 37, 5), 1),       # contiguous dim
    ((3, 7, ROW_BLOCK + 11), 1),        # middle dim
])
@pytest.mark.parametrize("op", sorted(DIM_REDUCTIONS))
def test_dim_reductions_across_blocks(threads, shape, dim, op):
    a = _rand(shape, 3, 0.99, 1.01) if op == "prod" else _rand(shape, 3, -1, 1)
    want = DIM_REDUCTIONS[op](a, dim)
    got = getattr(torch, op)(_t(a), dim)
    if isinstance(got, tuple):
        got = got[0]
    np.testing.assert_allclose(got.numpy().squeeze(dim), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("op", ["max", "min"])
def test_dim_argmax_across_blocks_with_ties(threads, op):
    """Indices along an outer dim; ties take the first position (Torch7 and numpy agree)."""
    # 40 rows, two column blocks and a remainder: many ties
    a = np.random.default_rng(4).integers(0, 3, (40, 2 * ROW_BLOCK + 5)).astype(float)
    values, idx = getattr(torch, op)(_t(a), 0)
    np.testing.assert_array_equal(values.numpy()[0], getattr(a, op)(0))
    np.testing.assert_array_equal(idx.numpy()[0], getattr(a, f"arg{op}")(0))


# ------------------------------------------------------------------ full reductions

FULL = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min,
        "std": lambda a: a.std(ddof=1), "var": lambda a: a.var(ddof=1),
        "norm": np.linalg.norm, "prod": np.prod}


@pytest.mark.parametrize("n", [BLOCK - 1, BLOCK + 1, 3 * BLOCK + 7])
@pytest.mark.parametrize("op", sorted(FULL))
def test_full_reductions_across_blocks(threads, n, op):
    a = _rand(n, 5, 0.9999, 1.0001) if op == "prod" else _rand(n, 5, -1, 1)
    want = FULL[op](a)
    got = getattr(torch, op)(_t(a))
    assert got == pytest.approx(want, rel=1e-10, abs=1e-12)


def test_full_sum_is_the_same_on_every_thread_count():
    a = _t(_rand(3 * BLOCK + 7, 6, -1, 1))
    old = torch.getnumthreads()
    try:
        sums = []
        for n in (1, 2, 3):
            torch.setnumthreads(n)
            sums.append((torch.sum(a), torch.sum(a.float()), torch.std(a)))
    finally:
        torch.setnumthreads(old)
    assert sums[0] == sums[1] == sums[2]


def test_float_full_sum_accumulates_in_double(threads):
    # 3 blocks of ones plus one: float32 accumulation would stop at 2**24, f64 blocks do not.
    x = torch.FloatTensor(3 * BLOCK + 1).fill(1)
    assert torch.sum(x) == 3 * BLOCK + 1


# ------------------------------------------------------------------ element-wise tiles and buffers

@pytest.mark.parametrize("shape", [(64 * 2 + 5, 64 * 3 + 1), (3, 64 * 4 + 7), (64 * 3 + 2, 3)])
def test_transposed_binary_ops_across_tiles(threads, shape):
    a, b = _rand(shape, 7, -2, 2), _rand(shape, 8, 0.5, 2)
    x = _t(a)
    y = _t(b.T).t()  # same logical values, column-major
    np.testing.assert_allclose(torch.add(x, y).numpy(), a + b, rtol=1e-15)
    np.testing.assert_allclose(torch.cmul(x, y).numpy(), a * b, rtol=1e-15)
    np.testing.assert_allclose(torch.cdiv(y, x).numpy(), b / a, rtol=1e-15)
    z = x.clone()
    z.add(2, y)  # in place into a row-major from a column-major operand
    np.testing.assert_allclose(z.numpy(), a + 2 * b, rtol=1e-15)
    w = y.clone()
    w.copy(x)  # copy across layouts
    np.testing.assert_array_equal(w.numpy(), a)


@pytest.mark.parametrize("n", [255, 256, 257, 3 * 256 + 5])
@pytest.mark.parametrize("fn", ["exp", "log", "sqrt", "tanh"])
def test_strided_unary_through_the_buffer(threads, n, fn):
    a = _rand(2 * n, 9, 0.1, 3)
    x = _t(a).unfold(0, 1, 2).select(1, 0)  # every other element: stride 2
    assert x.stride() == (2,)
    np.testing.assert_allclose(getattr(torch, fn)(x).numpy(), getattr(np, fn)(a[::2]),
                               rtol=2e-16 * 4)
    np.testing.assert_allclose(getattr(torch, fn)(_t(a, torch.FloatTensor).unfold(0, 1, 2)
                                                  .select(1, 0)).numpy(),
                               getattr(np, fn)(a[::2].astype(np.float32)), rtol=4e-7)


# ------------------------------------------------------------------ sort / topk

@pytest.mark.parametrize("shape,dim", [((3, 700), 1), ((700, 3), 0), ((257,), 0), ((255,), 0)])
def test_radix_sort_with_ties_and_nan(threads, shape, dim):
    rng = np.random.default_rng(10)
    a = rng.integers(-50, 50, shape).astype(float)
    a.reshape(-1)[::97] = np.nan
    for desc in (False, True):
        values, idx = torch.sort(_t(a), dim, desc)
        if desc:
            # descending: NaN still last; ties in index order (stable)
            key = np.where(np.isnan(a), np.inf, -a)
        else:
            key = np.where(np.isnan(a), np.inf, a)
        want_idx = np.argsort(key, axis=dim, kind="stable")
        np.testing.assert_array_equal(idx.numpy(), want_idx)
        np.testing.assert_array_equal(values.numpy(), np.take_along_axis(a, want_idx, dim))


@pytest.mark.parametrize("cls", [torch.FloatTensor, torch.IntTensor, torch.LongTensor,
                                 torch.ShortTensor, torch.ByteTensor, torch.CharTensor])
def test_radix_sort_every_type(cls):
    a = np.random.default_rng(11).integers(0, 100, 1000)
    values, idx = torch.sort(_t(a, cls))
    want = np.argsort(a, kind="stable")
    np.testing.assert_array_equal(idx.numpy(), want)
    np.testing.assert_array_equal(values.numpy(), a[want])


# ------------------------------------------------------------------ products and factorizations

@pytest.mark.parametrize("m,k,n", [(130, 70, 197), (65, 200, 3), (3, 300, 129)])
def test_mm_panels(threads, m, k, n):
    a, b = _rand((m, k), 12, -1, 1), _rand((k, n), 13, -1, 1)
    want = a @ b
    np.testing.assert_allclose(torch.mm(_t(a), _t(b)).numpy(), want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(torch.mm(_t(a.T).t(), _t(b.T).t()).numpy(), want,
                               rtol=1e-12, atol=1e-12)


def test_gram_product_tiles(threads):
    a = _rand((300, 260), 14, -1, 1)
    x = _t(a)
    np.testing.assert_allclose(torch.mm(x.t(), x).numpy(), a.T @ a, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(torch.mm(x, x.t()).numpy(), a @ a.T, rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("m", [4097, 2 * 4096 + 3])
def test_mv_column_major_row_blocks(threads, m):
    a, v = _rand((m, 5), 15, -1, 1), _rand(5, 16, -1, 1)
    col_major = _t(a.T).t()
    np.testing.assert_allclose(torch.mv(col_major, _t(v)).numpy(), a @ v, rtol=1e-12)
    a32, v32 = a.astype(np.float32).astype(float), v.astype(np.float32).astype(float)
    np.testing.assert_allclose(torch.mv(col_major.float(), _t(v).float()).numpy(), a32 @ v32,
                               rtol=1e-5, atol=1e-6)


def test_lu_panels_gesv_and_inverse(threads):
    scipy_linalg = pytest.importorskip("scipy.linalg")
    n = 64 * 3 + 9  # above the blocked threshold (192), three panels and a remainder
    a = _rand((n, n), 17, -1, 1) + n * np.eye(n) * 0.05
    b = _rand((n, 3), 18, -1, 1)
    x, _ = torch.gesv(_t(b), _t(a))
    np.testing.assert_allclose(x.numpy(), scipy_linalg.solve(a, b), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(torch.inverse(_t(a)).numpy(), scipy_linalg.inv(a),
                               rtol=1e-9, atol=1e-10)


def test_qr_threaded_size(threads):
    n = 200
    a = _rand((n, 150), 19, -1, 1)
    q, r = torch.qr(_t(a))
    q, r = q.numpy(), r.numpy()
    np.testing.assert_allclose(q @ r, a, atol=1e-11)
    np.testing.assert_allclose(q.T @ q, np.eye(150), atol=1e-11)
    assert np.allclose(np.tril(r, -1), 0)
    # R is unique up to the sign of each row: |R| equals numpy's
    np.testing.assert_allclose(np.abs(r), np.abs(np.linalg.qr(a)[1]), atol=1e-10)


# ------------------------------------------------------------------ parallel grain

def test_masked_select_across_parallel_chunks(threads):
    n = 3 * (1 << 16) + 11
    a = _rand(n, 20, -1, 1)
    mask = a > 0.3
    got = torch.maskedSelect(_t(a), _t(mask.astype(np.uint8), torch.ByteTensor))
    np.testing.assert_array_equal(got.numpy(), a[mask])
    nz = torch.nonzero(_t(mask.astype(np.uint8), torch.ByteTensor))
    np.testing.assert_array_equal(nz.numpy()[:, 0], np.flatnonzero(mask))
