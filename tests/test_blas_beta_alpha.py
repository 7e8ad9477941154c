"""beta = 0 and alpha = 0 in every form of every BLAS-like function, against numpy.

BLAS's rule, which Torch7 inherited through its gemm/gemv/ger calls: with beta = 0 the result's
old contents are never read, so a NaN or inf already in C (or in the out= / fill-self tensor)
must not leak into the result (0 * NaN would be NaN). Each function is checked in its function
form, its out= form, its in-place method form and its fill-self method form, on Double and Float,
on contiguous and transposed operands, small and large enough for the threaded/blocked paths
(products above 64 a side split over the pool; mv on a column-major matrix walks row blocks).
"""

import ferrotorch as torch
import numpy as np
import pytest

rng = np.random.default_rng(2024)


def _tensor(a, cls, transposed=False):
    """A ferrotorch tensor equal to numpy array a; transposed=True gives a transposed view."""
    if transposed and a.ndim >= 2:
        t = cls(np.ascontiguousarray(np.swapaxes(a, -1, -2)).tolist())
        return t.transpose(t.dim() - 1, t.dim() - 2)
    return cls(a.tolist())


def _nan_filled(shape, cls):
    t = cls(*shape)
    t.fill(float("nan"))
    t.view(-1)[0] = float("inf")
    return t


# name -> (operand shapes as a function of (m, n, k, b), numpy product, result shape)
SPECS = {
    "mv": (lambda m, n, k, b: [(m, k), (k,)], lambda x, y: x @ y, lambda m, n, k, b: (m,)),
    "addmv": (lambda m, n, k, b: [(m, k), (k,)], lambda x, y: x @ y, lambda m, n, k, b: (m,)),
    "addmm": (lambda m, n, k, b: [(m, k), (k, n)], lambda x, y: x @ y, lambda m, n, k, b: (m, n)),
    "addr": (lambda m, n, k, b: [(m,), (n,)], np.outer, lambda m, n, k, b: (m, n)),
    "ger": (lambda m, n, k, b: [(m,), (n,)], np.outer, lambda m, n, k, b: (m, n)),
    "bmm": (lambda m, n, k, b: [(b, m, k), (b, k, n)], lambda x, y: x @ y,
            lambda m, n, k, b: (b, m, n)),
    "baddbmm": (lambda m, n, k, b: [(b, m, k), (b, k, n)], lambda x, y: x @ y,
                lambda m, n, k, b: (b, m, n)),
    "addbmm": (lambda m, n, k, b: [(b, m, k), (b, k, n)], lambda x, y: (x @ y).sum(0),
               lambda m, n, k, b: (m, n)),
}
ADD = ["addmv", "addmm", "addr", "baddbmm", "addbmm"]
PLAIN = ["mv", "ger", "bmm"]
SIZES = {"small": (3, 4, 5, 2), "large": (130, 67, 90, 2), "tall_mv": (4500, 3, 9, 2)}
TYPES = {"Double": (torch.DoubleTensor, np.float64, 1e-12),
         "Float": (torch.FloatTensor, np.float32, 2e-5)}


def _operands(name, size, dtype, transposed):
    cls, npt, _ = TYPES[dtype]
    shapes = SPECS[name][0](*SIZES[size])
    arrays = [rng.standard_normal(s).astype(npt) for s in shapes]
    return arrays, [_tensor(a, cls, transposed) for a in arrays]


def _assert(got, want, dtype, where):
    tol = TYPES[dtype][2]
    g = got.numpy()
    assert np.isfinite(g).all(), f"{where}: NaN/inf leaked into the result"
    np.testing.assert_allclose(g, want, rtol=tol, atol=tol * max(1.0, np.abs(want).max()),
                               err_msg=where)


def _cases(names):
    out = []
    for name in names:
        for size in SIZES:
            if size == "tall_mv" and name not in ("mv", "addmv"):
                continue
            for dtype in TYPES:
                for transposed in (False, True):
                    out.append(pytest.param(name, size, dtype, transposed,
                                            id=f"{name}-{size}-{dtype}-{'T' if transposed else 'C'}"))
    return out


@pytest.mark.parametrize("name,size,dtype,transposed", _cases(ADD))
def test_beta_zero_never_reads_the_old_result(name, size, dtype, transposed):
    cls = TYPES[dtype][0]
    arrays, (x, y) = _operands(name, size, dtype, transposed)
    want = SPECS[name][1](*[a.astype(np.float64) for a in arrays]) * 2.0
    shape = SPECS[name][2](*SIZES[size])
    fn = getattr(torch, name)
    where = f"{name} beta=0"
    # function form: C full of NaN/inf, fresh result
    _assert(fn(0, _nan_filled(shape, cls), 2, x, y), want, dtype, where + " function")
    # out= form: both C and the result full of NaN/inf
    r = _nan_filled(shape, cls)
    got = fn(0, _nan_filled(shape, cls), 2, x, y, out=r)
    _assert(r, want, dtype, where + " out=")
    assert got is r or got.data_ptr() == r.data_ptr()
    # in-place method: C = 0 * C + 2 * x y
    c = _nan_filled(shape, cls)
    getattr(c, name)(0, 2, x, y)
    _assert(c, want, dtype, where + " in place")
    # fill-self method: r = 0 * C + 2 * x y
    r = _nan_filled(shape, cls)
    getattr(r, name)(0, _nan_filled(shape, cls), 2, x, y)
    _assert(r, want, dtype, where + " fill-self")


@pytest.mark.parametrize("name,size,dtype,transposed", _cases(PLAIN))
def test_plain_products_never_read_the_result(name, size, dtype, transposed):
    cls = TYPES[dtype][0]
    arrays, (x, y) = _operands(name, size, dtype, transposed)
    want = SPECS[name][1](*[a.astype(np.float64) for a in arrays])
    shape = SPECS[name][2](*SIZES[size])
    fn = getattr(torch, name)
    _assert(fn(x, y), want, dtype, f"{name} function")
    r = _nan_filled(shape, cls)
    fn(x, y, out=r)
    _assert(r, want, dtype, f"{name} out=")
    r = _nan_filled(shape, cls)
    getattr(r, name)(x, y)
    _assert(r, want, dtype, f"{name} fill-self")
    # a wrongly sized out= tensor is resized, and its NaN still ignored
    r = _nan_filled((1,), cls)
    fn(x, y, out=r)
    _assert(r, want, dtype, f"{name} out= resized")


@pytest.mark.parametrize("name,size,dtype,transposed", _cases(ADD))
def test_alpha_zero_gives_beta_times_c(name, size, dtype, transposed):
    cls, npt, _ = TYPES[dtype]
    _, (x, y) = _operands(name, size, dtype, transposed)
    shape = SPECS[name][2](*SIZES[size])
    c_np = rng.standard_normal(shape).astype(npt)
    want = 0.5 * c_np.astype(np.float64)
    fn = getattr(torch, name)
    _assert(fn(0.5, _tensor(c_np, cls), 0, x, y), want, dtype, f"{name} alpha=0 function")
    r = _nan_filled(shape, cls)
    fn(0.5, _tensor(c_np, cls), 0, x, y, out=r)
    _assert(r, want, dtype, f"{name} alpha=0 out=")
    c = _tensor(c_np, cls, transposed)
    getattr(c, name)(0.5, 0, x, y)
    _assert(c, want, dtype, f"{name} alpha=0 in place")
    # both zero: exact zeros even over a NaN-filled C
    got = fn(0, _nan_filled(shape, cls), 0, x, y)
    assert (got.numpy() == 0).all(), f"{name} alpha=beta=0"


@pytest.mark.parametrize("name", ADD)
@pytest.mark.parametrize("beta,alpha", [(1, 1), (-1, 0.5), (2, -3), (0.25, 1)])
def test_general_coefficients_on_a_transposed_c(name, beta, alpha):
    arrays, (x, y) = _operands(name, "small", "Double", True)
    shape = SPECS[name][2](*SIZES["small"])
    c_np = rng.standard_normal(shape)
    want = beta * c_np + alpha * SPECS[name][1](*arrays)
    c = _tensor(c_np, torch.DoubleTensor, True)
    _assert(getattr(torch, name)(beta, c, alpha, x, y), want, "Double", f"{name} function")
    getattr(c, name)(beta, alpha, x, y)
    _assert(c, want, "Double", f"{name} in place on a transposed C")


@pytest.mark.parametrize("name", ["addmv", "addmm", "addr"])
def test_integer_types_with_beta_zero(name):
    arrays, _ = _operands(name, "small", "Double", False)
    ints = [np.round(a * 10) for a in arrays]
    x, y = (torch.LongTensor(a.astype(np.int64).tolist()) for a in ints)
    shape = SPECS[name][2](*SIZES["small"])
    c = torch.LongTensor(*shape).fill(2**40)
    want = 3 * SPECS[name][1](*ints)
    got = getattr(torch, name)(0, c, 3, x, y)
    np.testing.assert_array_equal(got.numpy(), want.astype(np.int64))


@pytest.mark.parametrize("dtype", ["torch.FloatTensor", "torch.DoubleTensor"])
def test_empty_inner_dimension_with_beta_zero(dtype):
    """k = 0 (A is m x 0, B is 0 x n) takes the portable product: with beta = 0 the NaN in C
    must not leak (the result is all zeros), and with beta = 2 it is 2 * C."""
    a, b = torch.Tensor(4, 0).type(dtype), torch.Tensor(0, 3).type(dtype)
    c = torch.Tensor(4, 3).type(dtype).fill(float("nan"))
    assert c.addmm(0, 1, a, b).eq(0).sum() == 12
    c = torch.Tensor(4, 3).type(dtype).fill(1.5)
    assert c.addmm(2, 1, a, b).eq(3).sum() == 12
    r = torch.Tensor(4, 3).type(dtype).fill(float("nan"))
    assert torch.mm(a, b, out=r).eq(0).sum() == 12
