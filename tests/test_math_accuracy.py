"""Accuracy of the vectorised math kernels against numpy on dense sweeps and at the edges.

The f32 reference is numpy's float64 result rounded to float32 (so within half an ulp of the true
value); the f64 reference is numpy's float64 result (glibc / numpy's own SIMD code, within a
couple of ulp). Edges: ±0, subnormals, ±inf, NaN and the largest finite values; there the
special values (NaN, infinities, the sign of zero) must match exactly.
"""

import math

import ferrotorch as torch
import numpy as np
import pytest

TENSOR = {np.float32: torch.FloatTensor, np.float64: torch.DoubleTensor}
# Allowed distance in ulp of the result type (f64's reference carries its own ulp or two).
TOL = {np.float32: 2, np.float64: 4}


def ulp_distance(a, b):
    """Distance in representable values between arrays of one float type (NaN == NaN)."""
    a, b = np.asarray(a), np.asarray(b)
    it = np.int32 if a.dtype == np.float32 else np.int64
    ia, ib = a.view(it).astype(np.int64), b.view(it).astype(np.int64)
    lo = np.int64(np.iinfo(it).min)
    ia = np.where(ia < 0, lo - ia, ia)
    ib = np.where(ib < 0, lo - ib, ib)
    d = np.abs(ia - ib).astype(np.float64)
    return np.where(np.isnan(a) & np.isnan(b), 0, d)


def edges(dtype):
    fi = np.finfo(dtype)
    tiny_sub = np.nextafter(dtype(0), dtype(1))
    vals = [0.0, -0.0, tiny_sub, -tiny_sub, fi.tiny / 3, -fi.tiny / 3, fi.tiny, -fi.tiny,
            fi.max, -fi.max, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -0.5, 1.5, -2.5]
    return np.array(vals, dtype=dtype)


def sweep(dtype, lo, hi, n=200_001):
    x = np.linspace(lo, hi, n).astype(dtype)
    rng = np.random.default_rng(7)
    mags = np.exp(rng.uniform(np.log(1e-30 if dtype == np.float32 else 1e-300),
                              np.log(max(abs(lo), abs(hi))), 50_000)).astype(dtype)
    signs = rng.choice([-1, 1], mags.size).astype(dtype) if lo < 0 else 1
    return np.concatenate([x, mags * signs, edges(dtype)])


def ours(name, x):
    dtype = x.dtype.type
    out = TENSOR[dtype](*x.shape)
    getattr(torch, name)(torch.fromNumpy(x.copy()), out=out)
    return out.numpy()


def reference(fn, x):
    with np.errstate(all="ignore"):
        if x.dtype == np.float32:
            return fn(x.astype(np.float64)).astype(np.float32)
        return fn(x)


FUNCS = {
    # name: (numpy function, sweep range, odd (sign of zero kept))
    "sin": (np.sin, (-3e5, 3e5), True),
    "cos": (np.cos, (-3e5, 3e5), False),
    "tan": (np.tan, (-3e5, 3e5), True),
    "asin": (np.arcsin, (-1.2, 1.2), True),
    "acos": (np.arccos, (-1.2, 1.2), False),
    "atan": (np.arctan, (-1e4, 1e4), True),
    "sinh": (np.sinh, (-800, 800), True),
    "cosh": (np.cosh, (-800, 800), False),
    "tanh": (np.tanh, (-30, 30), True),
    "log1p": (np.log1p, (-1.5, 1e6), True),  # float32: its own kernel (log1p_f32)
    "rsqrt": (lambda v: 1 / np.sqrt(v), (-1, 1e30), False),
    "exp": (np.exp, (-800, 800), False),
    "log": (np.log, (-1, 1e30), False),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(FUNCS))
def test_transcendental_within_a_few_ulp(name, dtype):
    fn, (lo, hi), odd = FUNCS[name]
    x = sweep(dtype, lo, hi)
    got, want = ours(name, x), reference(fn, x)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=f"{name} NaN positions")
    inf = np.isinf(want)
    np.testing.assert_array_equal(got[inf], want[inf], err_msg=f"{name} infinities")
    d = ulp_distance(got, want)
    worst = int(np.argmax(d))
    assert d[worst] <= TOL[dtype], f"{name}({x[worst]!r}) = {got[worst]!r}, numpy {want[worst]!r}"
    if odd:
        zeros = x == 0
        np.testing.assert_array_equal(np.signbit(got[zeros]), np.signbit(x[zeros]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_and_strided_match_contiguous(dtype):
    x = sweep(dtype, -1e3, 1e3, 40_000)[: 200 * 200].reshape(200, 200)
    for name in ("sin", "tanh", "atan", "cosh", "floor", "round", "frac"):
        want = ours(name, np.ascontiguousarray(x.T))
        t = torch.fromNumpy(x.copy())
        got = getattr(torch, name)(t.t()).numpy()
        np.testing.assert_array_equal(got, want, err_msg=name)
        t2 = torch.fromNumpy(np.ascontiguousarray(x.T))
        getattr(t2, name)()  # in place (Torch7's method form)
        np.testing.assert_array_equal(t2.numpy(), want, err_msg=f"{name} in place")


def c_round(x):
    """C's round (half away from zero), exactly, in a wider type."""
    wide = np.longdouble if x.dtype == np.float64 else np.float64
    w = x.astype(wide)
    # copysign keeps C's sign of zero (round(-0.0) and round(-0.3) are -0.0).
    return np.copysign(np.floor(np.abs(w) + wide(0.5)), w).astype(x.dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rounding_family_is_exact(dtype):
    rng = np.random.default_rng(3)
    halves = (np.arange(-2000, 2001) / 2).astype(dtype)
    near = np.nextafter(halves, dtype(np.inf))
    x = np.concatenate([sweep(dtype, -1e8, 1e8, 100_001), halves, near,
                        np.nextafter(halves, dtype(-np.inf)), rng.standard_normal(10_000).astype(dtype)])
    with np.errstate(all="ignore"):
        cases = {"floor": np.floor(x), "ceil": np.ceil(x), "trunc": np.trunc(x),
                 "round": c_round(x), "frac": x - np.trunc(x), "sign": np.sign(x),
                 "neg": -x, "abs": np.abs(x), "cinv": 1 / x}
    for name, want in cases.items():
        got = ours(name, x)
        if name == "sign":  # Torch7: NaN has sign 0
            want = np.where(np.isnan(x), 0, want).astype(dtype)
        np.testing.assert_array_equal(got, want, err_msg=name)
        np.testing.assert_array_equal(np.signbit(got), np.signbit(want), err_msg=f"{name} signs")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fmod_is_exact(dtype):
    rng = np.random.default_rng(11)
    n = 100_000
    x = (rng.standard_normal(n) * np.exp(rng.uniform(-30, 30, n))).astype(dtype)
    y = (rng.standard_normal(n) * np.exp(rng.uniform(-30, 30, n))).astype(dtype)
    e = edges(dtype)
    ex, ey = np.meshgrid(e, e)
    x, y = np.concatenate([x, ex.ravel()]), np.concatenate([y, ey.ravel()])
    with np.errstate(all="ignore"):
        want = np.fmod(x, y)
    out = TENSOR[dtype](x.size)
    torch.fmod(torch.fromNumpy(x.copy()), torch.fromNumpy(y.copy()), out=out)
    got = out.numpy()
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.signbit(got[~np.isnan(got)]), np.signbit(want[~np.isnan(want)]))
    for v in (0.7, -3.0, 1e-30, np.inf):
        with np.errstate(all="ignore"):
            want = np.fmod(x, dtype(v))
        torch.fmod(torch.fromNumpy(x.copy()), float(v), out=out)
        np.testing.assert_array_equal(out.numpy(), want, err_msg=f"fmod(x, {v})")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_atan2_quadrants_edges_and_sweep(dtype):
    rng = np.random.default_rng(5)
    n = 100_000
    y = (rng.standard_normal(n) * np.exp(rng.uniform(-20, 20, n))).astype(dtype)
    x = (rng.standard_normal(n) * np.exp(rng.uniform(-20, 20, n))).astype(dtype)
    e = edges(dtype)
    ey, ex = np.meshgrid(e, e)
    y, x = np.concatenate([y, ey.ravel()]), np.concatenate([x, ex.ravel()])
    out = TENSOR[dtype](x.size)
    torch.atan2(torch.fromNumpy(y.copy()), torch.fromNumpy(x.copy()), out=out)
    got = out.numpy()
    want = reference(lambda v: np.arctan2(v, x.astype(v.dtype)), y)
    d = ulp_distance(got, want)
    worst = int(np.argmax(d))
    assert d[worst] <= TOL[dtype], f"atan2({y[worst]!r}, {x[worst]!r}) = {got[worst]!r}, numpy {want[worst]!r}"
    nz = ~np.isnan(want)
    np.testing.assert_array_equal(np.signbit(got[nz]), np.signbit(want[nz]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cpow_within_a_few_ulp_with_c_edges(dtype):
    """cpow's vectorised kernel (e^(y ln|x|), a double-double logarithm for float64) against C's
    pow (numpy's float64 power, rounded for float32): random bases and exponents over many
    magnitudes, exponents big enough to overflow and underflow (subnormal results), bases near
    1 with large exponents, negative bases with integer exponents, and every pair of edges
    (±0, ±inf, NaN, ±1, subnormals, the largest values) where the result must match exactly."""
    rng = np.random.default_rng(13)
    n = 200_000
    x = np.exp(rng.uniform(-40, 40, n)) * rng.choice([-1, 1], n)
    y = rng.standard_normal(n) * np.exp(rng.uniform(-8, 6, n))
    y[: n // 4] = np.round(y[: n // 4])  # integer exponents: negative bases keep a sign
    near1 = 1 + rng.uniform(-1e-3, 1e-3, n // 4)
    big = rng.uniform(-2e5, 2e5, n // 4)
    e = np.concatenate([edges(dtype), np.array([2, -2, 3, -3, 0.25, 1e-3, 1e16], dtype=dtype)])
    ex, ey = np.meshgrid(e, e)
    x = np.concatenate([x, near1, ex.ravel()]).astype(dtype)
    y = np.concatenate([y, big, ey.ravel()]).astype(dtype)
    out = TENSOR[dtype](x.size)
    torch.cpow(torch.fromNumpy(x.copy()), torch.fromNumpy(y.copy()), out=out)
    got = out.numpy()
    want = reference(lambda v: np.power(v, y.astype(np.float64)), x)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg="NaN positions")
    special = np.isinf(want) | (want == 0)
    np.testing.assert_array_equal(got[special], want[special])
    np.testing.assert_array_equal(np.signbit(got[special]), np.signbit(want[special]))
    d = ulp_distance(got, want)
    worst = int(np.argmax(d))
    assert d[worst] <= {np.float32: 1, np.float64: 2}[dtype], (
        f"pow({x[worst]!r}, {y[worst]!r}) = {got[worst]!r}, numpy {want[worst]!r}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clamp_and_comparisons_match_numpy(dtype):
    x = sweep(dtype, -10, 10, 50_001)
    out = TENSOR[dtype](x.size)
    torch.clamp(torch.fromNumpy(x.copy()), -0.5, 0.5, out=out)
    # Torch7: x < min ? min : (x > max ? max : x), so NaN stays NaN.
    want = np.where(x < -0.5, dtype(-0.5), np.where(x > 0.5, dtype(0.5), x))
    np.testing.assert_array_equal(out.numpy(), want)
    t, u = torch.fromNumpy(x.copy()), torch.fromNumpy(x[::-1].copy())
    for name, fn in (("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                     ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)):
        with np.errstate(all="ignore"):
            np.testing.assert_array_equal(getattr(torch, name)(t, u).numpy(), fn(x, x[::-1]), name)
            np.testing.assert_array_equal(getattr(torch, name)(t, 0.25).numpy(), fn(x, dtype(0.25)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_on_strided_views_matches_contiguous(dtype):
    rng = np.random.default_rng(9)
    a = (rng.standard_normal((300, 301)) * 10).astype(dtype)
    b = (rng.standard_normal((301, 300)) * 10).astype(dtype)
    x, y = torch.fromNumpy(a.copy()), torch.fromNumpy(b.copy())
    for name in ("add", "cmul", "cdiv", "atan2", "fmod", "cmax"):
        fn = getattr(torch, name)
        want = fn(torch.fromNumpy(np.ascontiguousarray(a.T)), torch.fromNumpy(b.copy())).numpy()
        np.testing.assert_array_equal(fn(x.t(), y).numpy(), want, err_msg=name)
        # both transposed, into a transposed out= and into the first operand itself
        want2 = fn(torch.fromNumpy(a.copy()), torch.fromNumpy(np.ascontiguousarray(b.T))).numpy()
        np.testing.assert_array_equal(fn(x, y.t()).numpy(), want2, err_msg=name)
        o = TENSOR[dtype](301, 300).t()
        fn(x.t().t(), y.t(), out=o)
        np.testing.assert_array_equal(o.numpy(), want2, err_msg=f"{name} transposed out")
        z = torch.fromNumpy(np.ascontiguousarray(a.T)).t()
        fn(z, y.t(), out=z)
        np.testing.assert_array_equal(z.numpy(), want2, err_msg=f"{name} in place")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("exponent", [0.5, 2, 3, -1, 1, 0, 2.5, -0.5])
def test_pow_by_a_number_matches_c_pow(exponent, dtype):
    """pow(x, e): the special-cased exponents (0.5, 2, 3, -1, 1, 0) and the general powf path
    agree with C's pow (numpy) within an ulp, and exactly on the special values (pow(-0, 0.5)
    = +0, pow(-inf, 0.5) = +inf, pow(NaN, 0) = 1, signed zeros and infinities)."""
    x = sweep(dtype, -1e3, 1e3, n=20_001)
    out = TENSOR[dtype](x.size)
    torch.pow(torch.fromNumpy(x.copy()), exponent, out=out)
    got = out.numpy()
    want = reference(lambda v: np.power(v, v.dtype.type(exponent)), x)
    # C's pow (Torch7's) where numpy's power differs: pow(-inf, 0.5) = +inf, pow(-0, 0.5) = +0.
    for i in np.nonzero((x == 0) | np.isinf(x))[0]:
        try:
            want[i] = math.pow(float(x[i]), exponent)
        except (ValueError, OverflowError):  # pow(0, -1): numpy's +-inf is C's too
            pass
    both_nan = np.isnan(got) & np.isnan(want)
    assert np.array_equal(np.isnan(got), np.isnan(want)), x[np.isnan(got) != np.isnan(want)][:5]
    special = ~np.isfinite(want) | (want == 0)
    assert np.array_equal(got[special & ~both_nan], want[special & ~both_nan])
    assert np.array_equal(np.signbit(got[special & ~both_nan]), np.signbit(want[special & ~both_nan]))
    worst = ulp_distance(got[~special], want[~special]).max(initial=0)
    assert worst <= (1 if exponent in (0.5, 2, -1, 1, 0) else TOL[dtype]), worst
