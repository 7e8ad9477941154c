"""Element-wise math (groups C, D, I and the Python operators): differential tests against numpy
over random shapes, strides, element types and broadcasting, plus Torch7 semantics and errors."""

import math

import ferrotorch as torch
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
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
INTS = ["Byte", "Char", "Short", "Int", "Long"]
FLOATS = ["Float", "Double"]
ALL = INTS + FLOATS
SETTINGS = settings(deadline=None, max_examples=40, suppress_health_check=list(HealthCheck))


def cls(name):
    return getattr(torch, name + "Tensor")


def tensor_of(arr, layout):
    """A ferrotorch tensor equal to arr, laid out as asked: contiguous, transposed (strides
    reversed), stepped (every other element of a wider buffer) or narrowed (offset > 0)."""
    arr = np.ascontiguousarray(arr)
    if layout == "transposed" and arr.ndim > 1:
        base = torch.fromNumpy(np.ascontiguousarray(arr.transpose()))
        return base.permute(*reversed(range(arr.ndim)))
    if layout == "stepped":
        big = np.zeros(arr.shape[:-1] + (2 * arr.shape[-1],), arr.dtype)
        big[..., ::2] = arr
        return torch.fromNumpy(big)[..., ::2]
    if layout == "narrowed":
        big = np.zeros((arr.shape[0] + 1,) + arr.shape[1:], arr.dtype)
        big[1:] = arr
        return torch.fromNumpy(big)[1:]
    return torch.fromNumpy(arr.copy())


def values(dtype, n, draw, lo=-40, hi=40):
    if dtype == "Byte":
        lo, hi = max(lo, 0), max(hi, 0) + 200
    ints = draw(st.lists(st.integers(lo, hi), min_size=n, max_size=n))
    if dtype in FLOATS:
        return np.array(ints, np.float64).astype(NP[dtype]) / 4
    return np.array(ints).astype(NP[dtype])


shapes = st.lists(st.integers(1, 5), min_size=1, max_size=3).map(tuple)
layouts = st.sampled_from(["contiguous", "transposed", "stepped", "narrowed"])


@st.composite
def operand(draw, dtype, shape=None, lo=-40, hi=40):
    shape = draw(shapes) if shape is None else shape
    arr = values(dtype, int(np.prod(shape)), draw, lo, hi).reshape(shape)
    return arr, tensor_of(arr, draw(layouts))


@st.composite
def broadcast_shape(draw, shape):
    """A shape that broadcasts against `shape`: a suffix with some sizes replaced by 1."""
    k = draw(st.integers(1, len(shape)))
    suffix = list(shape[len(shape) - k:])
    return tuple(1 if draw(st.booleans()) else s for s in suffix)


def check_close(got, want, dtype):
    got = np.asarray(got)
    assert got.shape == want.shape, (got.shape, want.shape)
    if dtype in FLOATS:
        rtol = 2e-6 if dtype == "Float" else 1e-13
        np.testing.assert_allclose(got, want.astype(got.dtype), rtol=rtol, atol=1e-30, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want.astype(got.dtype))


# ----------------------------------------------------------------------------------- unary

def np_round(x):
    return np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5))


UNARY = {
    "abs": np.abs, "sign": np.sign, "neg": np.negative, "cinv": lambda x: 1 / x, "exp": np.exp,
    "log": np.log, "log1p": np.log1p, "cos": np.cos, "acos": np.arccos, "cosh": np.cosh,
    "sin": np.sin, "asin": np.arcsin, "sinh": np.sinh, "tan": np.tan, "atan": np.arctan,
    "tanh": np.tanh, "sqrt": np.sqrt, "rsqrt": lambda x: 1 / np.sqrt(x),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)), "round": np_round, "ceil": np.ceil,
    "floor": np.floor, "trunc": np.trunc, "frac": lambda x: x - np.trunc(x),
}
INT_UNARY = ["abs", "sign", "neg"]


@SETTINGS
@given(st.data(), st.sampled_from(sorted(UNARY)), st.sampled_from(ALL))
def test_unary_matches_numpy(data, name, dtype):
    arr, t = data.draw(operand(dtype))
    fn = getattr(torch, name)
    if dtype in INTS and name not in INT_UNARY:
        with pytest.raises(TypeError, match=name):
            fn(t)
        return
    with np.errstate(all="ignore"):
        want = UNARY[name](arr)
    before = t.numpy().copy()
    check_close(fn(t).numpy(), want, dtype)
    np.testing.assert_array_equal(t.numpy(), before)  # the function form leaves x alone
    out = cls(dtype)(7)
    assert fn(t, out=out) is out
    check_close(out.numpy(), want, dtype)
    z = cls(dtype)()
    assert getattr(z, name)(t) is z
    check_close(z.numpy(), want, dtype)
    assert getattr(t, name)() is t  # in place, through any layout
    check_close(t.numpy(), want, dtype)


def test_unary_numbers_give_numbers():
    assert torch.log(2) == pytest.approx(math.log(2))
    assert torch.abs(-2) == 2 and isinstance(torch.abs(-2), int)
    assert torch.sqrt(9) == 3.0
    assert torch.round(2.5) == 3.0 and torch.round(-2.5) == -3.0
    assert math.isnan(torch.log(-1))


def test_exp_is_within_two_ulp_of_numpy():
    for dt, ftype in ((np.float32, torch.FloatTensor), (np.float64, torch.DoubleTensor)):
        lim = 88.0 if dt == np.float32 else 709.0
        x = np.linspace(-lim - 15, lim, 200001).astype(dt)
        x = np.concatenate([x, np.random.default_rng(0).normal(0, 3, 100000).astype(dt)])
        got = torch.exp(ftype(x)).numpy()
        want = np.exp(x.astype(np.float64)) if dt == np.float32 else np.exp(x)
        want = want.astype(dt)
        ok = np.isfinite(want) & (want != 0)
        ulps = np.abs(got[ok].view(np.int32 if dt == np.float32 else np.int64).astype(np.int64)
                      - want[ok].view(np.int32 if dt == np.float32 else np.int64).astype(np.int64))
        assert ulps.max() <= 2, (dt, ulps.max())
        # Documented accuracy: at most 1 ulp almost everywhere.
        assert (ulps <= 1).mean() > 0.999
    special = torch.DoubleTensor([0, -0.0, math.inf, -math.inf, math.nan, 710, -746, 1e-300])
    got = torch.exp(special).tolist()
    assert got[:4] == [1.0, 1.0, math.inf, 0.0] and math.isnan(got[4])
    assert got[5] == math.inf and got[6] == 0.0 and got[7] == 1.0
    f = torch.exp(torch.FloatTensor([-87.5, -100, -104, 88.7, 89])).numpy()
    with np.errstate(over="ignore"):
        want = np.exp(np.float32([-87.5, -100, -104, 88.7, 89]).astype(np.float64)).astype(np.float32)
    np.testing.assert_array_equal(f, want)


def ulp_diff(got, want, dt):
    it = np.int32 if dt == np.float32 else np.int64
    return np.abs(got.view(it).astype(np.int64) - want.view(it).astype(np.int64))


def test_log_is_within_one_ulp_of_numpy():
    rng = np.random.default_rng(5)
    for dt, ftype in ((np.float32, torch.FloatTensor), (np.float64, torch.DoubleTensor)):
        tiny = np.finfo(dt).smallest_subnormal
        with np.errstate(over="ignore"):
            grid = np.geomspace(tiny, np.finfo(dt).max, 200001).astype(dt)
        x = np.concatenate([grid[np.isfinite(grid)],
                            rng.random(100000).astype(dt) * 4, [1, 2, 0.5]]).astype(dt)
        got = torch.log(ftype(x)).numpy()
        want = np.log(x.astype(np.float64)).astype(dt) if dt == np.float32 else np.log(x)
        assert ulp_diff(got, want, dt).max() <= 1, dt
    special = torch.DoubleTensor([0, -0.0, -1, math.inf, -math.inf, math.nan, 1]).log().tolist()
    assert special[:2] == [-math.inf, -math.inf] and math.isnan(special[2])
    assert special[3] == math.inf and math.isnan(special[4]) and math.isnan(special[5])
    assert special[6] == 0.0


def test_unary_large_parallel_and_strided():
    x = np.random.default_rng(1).normal(0, 2, (700, 300)).astype(np.float32)
    t = torch.fromNumpy(x.copy())
    check_close(torch.exp(t.t()).numpy(), np.exp(x.T.astype(np.float64)), "Float")
    check_close(torch.sigmoid(t).numpy(), 1 / (1 + np.exp(-x.astype(np.float64))), "Float")
    check_close(torch.tanh(t).numpy(), np.tanh(x), "Float")


# ----------------------------------------------------------------------------------- binary

def trunc_div(a, b):
    q = np.abs(a.astype(np.int64)) // np.abs(b.astype(np.int64))
    return (q * np.sign(a.astype(np.int64)) * np.sign(b.astype(np.int64))).astype(a.dtype)


def unsigned(dt):
    return {np.int8: np.uint8, np.int16: np.uint16, np.int32: np.uint32, np.int64: np.uint64}.get(dt, dt)


def shift(a, b, left):
    u = unsigned(a.dtype.type)
    bits = a.dtype.itemsize * 8
    au = a.astype(u)
    bb = (b.astype(np.int64) % bits).astype(u)
    r = np.left_shift(au, bb) if left else np.right_shift(au, bb)
    return r.astype(a.dtype)


def ref_binary(name, a, b, dtype):
    f = dtype in FLOATS
    with np.errstate(all="ignore"):
        if name in ("add",):
            return a + b
        if name == "csub":
            return a - b
        if name in ("mul", "cmul"):
            return a * b
        if name in ("div", "cdiv"):
            return a / b if f else trunc_div(a, b)
        if name in ("fmod", "cfmod", "mod", "cmod"):
            return np.fmod(a, b)
        if name in ("remainder", "cremainder"):
            return a - b * np.floor(a / b) if f else np.remainder(a, b)
        if name in ("pow", "cpow"):
            return np.power(a, b)
        if name == "atan2":
            return np.arctan2(a, b)
        if name in ("cmax",):
            return np.where(a > b, a, b)
        if name in ("cmin",):
            return np.where(a < b, a, b)
        if name in ("lshift", "clshift"):
            return a * np.power(2.0, b).astype(a.dtype) if f else shift(a, b, True)
        if name in ("rshift", "crshift"):
            return a / np.power(2.0, b).astype(a.dtype) if f else shift(a, b, False)
        if name in ("bitand", "cbitand"):
            return a & b
        if name in ("bitor", "cbitor"):
            return a | b
        if name in ("bitxor", "cbitxor"):
            return a ^ b
    raise AssertionError(name)


BINARY = ["add", "csub", "mul", "cmul", "div", "cdiv", "fmod", "mod", "cfmod", "cmod",
          "remainder", "cremainder", "pow", "cpow", "atan2", "cmax", "cmin", "lshift", "rshift",
          "clshift", "crshift", "bitand", "bitor", "bitxor", "cbitand", "cbitor", "cbitxor"]


def divisor_range(name, dtype):
    if name in ("div", "cdiv", "fmod", "mod", "cfmod", "cmod", "remainder", "cremainder"):
        return (1, 40)  # made negative half the time below (not for Byte)
    if name in ("pow", "cpow"):
        return (0, 4) if dtype in INTS else (-2, 8)
    if "shift" in name:
        return (0, 6)
    return (-40, 40)


@SETTINGS
@given(st.data(), st.sampled_from(BINARY), st.sampled_from(ALL), st.booleans())
def test_binary_matches_numpy(data, name, dtype, with_number):
    a, ta = data.draw(operand(dtype))
    lo, hi = divisor_range(name, dtype)
    if with_number:
        n = data.draw(st.integers(lo, hi))
        if dtype not in ("Byte",) and lo == 1 and data.draw(st.booleans()):
            n = -n
        if dtype in FLOATS and name not in ("lshift", "rshift", "pow") and data.draw(st.booleans()):
            n = n / 4 or 0.5
        b, tb = np.array(n).astype(NP[dtype]), n
    else:
        b, tb = data.draw(operand(dtype, data.draw(broadcast_shape(a.shape)), lo, hi))
        if lo == 1 and dtype != "Byte":
            sign = np.where(values("Char", b.size, data.draw).reshape(b.shape) >= 0, 1, -1)
            b = (b * sign).astype(b.dtype)
            tb = tensor_of(b, data.draw(layouts))
    if name == "pow" and dtype in INTS and with_number and data.draw(st.booleans()):
        a, ta, b, tb = b, tb, a, ta  # torch.pow(n, x): the number as base
        a = np.asarray(a)
        if not (np.asarray(b) >= 0).all():
            return
    fn = getattr(torch, name)
    float_only = name == "atan2"
    int_only = "bit" in name
    if (float_only and dtype in INTS) or (int_only and dtype in FLOATS):
        with pytest.raises(TypeError):
            fn(ta, tb)
        return
    want = ref_binary(name, np.asarray(a), np.asarray(b), dtype)
    check_close(fn(ta, tb).numpy(), np.asarray(want).astype(NP[dtype]), dtype)
    # in place (when the result has a's shape): x.f(b) changes x
    if isinstance(ta, torch.Tensor) and want.shape == np.asarray(a).shape:
        assert getattr(ta, name)(tb) is ta
        check_close(ta.numpy(), np.asarray(want).astype(NP[dtype]), dtype)


@SETTINGS
@given(st.data(), st.sampled_from(["lt", "le", "gt", "ge", "eq", "ne"]), st.sampled_from(ALL),
       st.booleans())
def test_compare_matches_numpy(data, name, dtype, with_number):
    a, ta = data.draw(operand(dtype, None, -3, 3))
    if with_number:
        b = tb = data.draw(st.integers(-3, 3))
    else:
        b, tb = data.draw(operand(dtype, data.draw(broadcast_shape(a.shape)), -3, 3))
    ref = {"lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal,
           "eq": np.equal, "ne": np.not_equal}[name]
    want = ref(a, np.asarray(b).astype(NP[dtype])).astype(np.uint8)
    got = getattr(torch, name)(ta, tb)
    assert got.type() == "torch.ByteTensor"
    np.testing.assert_array_equal(got.numpy(), want)
    same = cls(dtype)()
    assert getattr(torch, name)(ta, tb, out=same) is same
    np.testing.assert_array_equal(same.numpy(), want.astype(NP[dtype]))
    op = {"lt": "__lt__", "le": "__le__", "gt": "__gt__", "ge": "__ge__", "eq": "__eq__",
          "ne": "__ne__"}[name]
    np.testing.assert_array_equal(getattr(ta, op)(tb).numpy(), want)
    r = torch.ByteTensor()
    assert getattr(r, name)(ta, tb) is r
    np.testing.assert_array_equal(r.numpy(), want)


# ----------------------------------------------------------------------------------- forms

def test_add_forms():
    x, y = torch.DoubleTensor([1, 2, 3]), torch.DoubleTensor([10, 20, 30])
    assert torch.add(x, 2).tolist() == [3, 4, 5]
    assert torch.add(x, y).tolist() == [11, 22, 33]
    assert torch.add(x, 0.5, y).tolist() == [6, 12, 18]
    assert torch.csub(x, 2, y).tolist() == [-19, -38, -57]
    r = torch.DoubleTensor(1, 1)
    assert torch.add(x, 2, y, out=r) is r and r.tolist() == [21, 42, 63]
    z = torch.DoubleTensor()
    assert z.add(x, y) is z and z.tolist() == [11, 22, 33]
    assert z.add(x, -1, y).tolist() == [-9, -18, -27]
    assert x.add(2, y) is x and x.tolist() == [21, 42, 63]
    assert x.csub(y).tolist() == [11, 22, 33]
    assert x.csub(1).tolist() == [10, 21, 32]
    xi = torch.IntTensor([1, 2])
    assert torch.add(xi, 2.9).tolist() == [3, 4]  # the number is cast to int first
    assert torch.add(torch.ByteTensor([250]), 10).tolist() == [4]


def test_compound_functions():
    x, a, b = torch.DoubleTensor([1, 1]), torch.DoubleTensor([2, 3]), torch.DoubleTensor([4, 6])
    assert torch.addcmul(x, a, b).tolist() == [9, 19]
    assert torch.addcmul(x, 0.5, a, b).tolist() == [5, 10]
    assert torch.addcdiv(x, 2, a, b).tolist() == [2, 2]
    z = torch.DoubleTensor()
    assert z.addcmul(x, 2, a, b) is z and z.tolist() == [17, 37]
    assert x.addcdiv(a, b).tolist() == [1.5, 1.5]
    assert torch.lerp(a, b, 0.5).tolist() == [3, 4.5]
    assert a.lerp(b, 1) is a and a.tolist() == [4, 6]
    assert torch.lerp(1, 3, 0.25) == 1.5
    assert torch.clamp(torch.DoubleTensor([-5, 0, 5, math.nan]), -1, 1).tolist()[:3] == [-1, 0, 1]
    assert math.isnan(torch.clamp(torch.DoubleTensor([math.nan]), -1, 1)[0])
    r = torch.IntTensor()
    assert r.clamp(torch.IntTensor([-9, 9]), -2, 2) is r and r.tolist() == [-2, 2]
    assert torch.pow(2, 10) == 1024
    assert math.isnan(torch.pow(-8, 1 / 3))
    assert torch.pow(2, torch.DoubleTensor([1, 2])).tolist() == [2, 4]
    assert torch.DoubleTensor().pow(2, torch.DoubleTensor([3])).tolist() == [8]
    assert torch.atan2(1, 1) == pytest.approx(math.pi / 4)
    with pytest.raises(ZeroDivisionError):
        torch.addcdiv(torch.IntTensor([1]), torch.IntTensor([1]), torch.IntTensor([0]))


def test_all_any_equal():
    assert torch.all(torch.ByteTensor([1, 2])) is True
    assert torch.any(torch.ByteTensor([0, 0])) is False
    assert torch.all(torch.ByteTensor()) is True and torch.any(torch.ByteTensor()) is False
    with pytest.raises(TypeError, match="ByteTensor"):
        torch.all(torch.IntTensor([1]))
    a = torch.DoubleTensor([[1, 2], [3, 4]])
    assert a.equal(a.clone()) and not a.equal(a.t()) and not a.equal(a.view(4))
    assert not torch.equal(torch.DoubleTensor([math.nan]), torch.DoubleTensor([math.nan]))
    with pytest.raises(TypeError):
        torch.equal(a, a.float())
    assert torch.equal(torch.DoubleTensor(), torch.DoubleTensor())


# ----------------------------------------------------------------------------------- operators

def test_operators_both_orders():
    x = torch.DoubleTensor([1, 2, 4])
    assert (x + 1).tolist() == [2, 3, 5] and (1 + x).tolist() == [2, 3, 5]
    assert (x - 1).tolist() == [0, 1, 3] and (1 - x).tolist() == [0, -1, -3]
    assert (x * 2).tolist() == [2, 4, 8] and (2 * x).tolist() == [2, 4, 8]
    assert (x / 2).tolist() == [0.5, 1, 2] and (4 / x).tolist() == [4, 2, 1]
    assert (x % 3).tolist() == [1, 2, 1] and (7 % x).tolist() == [0, 1, 3]
    assert (x ** 2).tolist() == [1, 4, 16] and (2 ** x).tolist() == [2, 4, 16]
    assert (x * x).tolist() == [1, 4, 16] and (x / x).tolist() == [1, 1, 1]
    assert (-x).tolist() == [-1, -2, -4] and abs(-x).tolist() == [1, 2, 4]
    assert (x < 2).tolist() == [1, 0, 0] and (2 < x).tolist() == [0, 0, 1]
    y = x
    assert (x == 2).tolist() == [0, 1, 0] and (x != y).tolist() == [0, 0, 0]
    assert (x >= torch.DoubleTensor([[2], [0]])).tolist() == [[0, 1, 1], [1, 1, 1]]
    i = torch.IntTensor([7, -7])
    assert (i / 2).tolist() == [3, -3] and (i % 3).tolist() == [1, 2]
    assert (i ** 2).tolist() == [49, 49] and (-i).tolist() == [-7, 7]
    assert (torch.ByteTensor([3]) - 4).tolist() == [255]
    with pytest.raises(ZeroDivisionError):
        i / 0
    with pytest.raises(ZeroDivisionError):
        i % torch.IntTensor([1, 0])
    with pytest.raises(TypeError, match="div"):
        x // 2
    with pytest.raises(TypeError):
        2 // x
    with pytest.raises(TypeError, match="DoubleTensor"):
        x + torch.FloatTensor([1, 2, 3])
    with pytest.raises(TypeError):
        x + "a"
    assert (x == "a") is False and (x != None) is True
    assert (x + np.float32(1)).tolist() == [2, 3, 5] and (x * np.int64(2)).type() == x.type()
    assert (x < np.int32(2)).tolist() == [1, 0, 0]
    assert hash(x) == hash(x) and {x: 1}[x] == 1


def test_in_place_operators():
    x = torch.DoubleTensor([[1, 2], [3, 4]])
    y = x
    x += 1
    x -= torch.DoubleTensor([1, 0])
    x *= 2
    x /= 4
    x **= 2
    x %= 1.5
    assert x is y
    want = np.array([[1, 2], [3, 4]], float) + 1 - np.array([1, 0])
    want = ((want * 2 / 4) ** 2) % 1.5
    np.testing.assert_allclose(x.numpy(), want)
    with pytest.raises(ValueError, match="2x2"):
        x += torch.DoubleTensor(3, 2, 2)
    with pytest.raises(TypeError):
        x //= 2
    v = torch.DoubleTensor([1, 2, 3, 4])
    v[1:] += v[:-1]  # overlapping operands: computed through a temporary, as numpy does
    assert v.tolist() == [1, 3, 5, 7]


# ----------------------------------------------------------------------------------- edge cases

def test_empty_and_zero_size():
    e = torch.DoubleTensor()
    assert torch.exp(e).dim() == 0 and (e + 1).dim() == 0 and torch.add(e, e).dim() == 0
    with pytest.raises(ValueError):
        e + torch.DoubleTensor([1])
    z = torch.DoubleTensor(3, 0)
    assert torch.exp(z).size() == (3, 0) and (z + z).size() == (3, 0)
    assert (z < 1).size() == (3, 0)
    assert (torch.DoubleTensor(3, 1) + torch.DoubleTensor(0)).size() == (3, 0)


def test_nan_inf_and_integer_wrap():
    e = torch.DoubleTensor([math.nan, math.inf, -math.inf, -0.0])
    s = torch.sign(e).tolist()
    assert s == [0, 1, -1, 0]
    assert torch.frac(torch.DoubleTensor([math.inf])).tolist()[0] != 0
    assert torch.cmax(torch.DoubleTensor([math.nan, 1]), torch.DoubleTensor([1, math.nan])).tolist()[0] == 1
    assert (torch.CharTensor([127]) + 1).tolist() == [-128]
    assert torch.abs(torch.CharTensor([-128])).tolist() == [-128]
    assert torch.div(torch.IntTensor([-2 ** 31]), -1).tolist() == [-2 ** 31]
    assert torch.rshift(torch.IntTensor([-7]), 1).tolist() == [2147483644]
    assert torch.rshift(torch.LongTensor([-8]), 1).tolist() == [(2 ** 64 - 8) >> 1]
    assert torch.lshift(torch.ByteTensor([129]), 1).tolist() == [2]
    assert torch.remainder(torch.DoubleTensor([5]), 0).tolist()[0] != torch.remainder(
        torch.DoubleTensor([5]), 0).tolist()[0]  # NaN
    for f in (torch.div, torch.fmod, torch.remainder, torch.cdiv, torch.cfmod, torch.cremainder):
        for dt in INTS:
            with pytest.raises(ZeroDivisionError):
                f(cls(dt)([1, 2]), cls(dt)([1, 0]) if f.__name__.startswith("c") else 0)
    x = torch.IntTensor([4, 5])
    with pytest.raises(ZeroDivisionError):
        x.div(0)
    assert x.tolist() == [4, 5]  # nothing written
    assert torch.pow(torch.IntTensor([2, 1, -1]), -1).tolist() == [0, 1, -1]
    with pytest.raises(ZeroDivisionError):
        torch.pow(torch.IntTensor([0]), -1)


def test_errors():
    h = torch.HalfTensor([1, 2])
    for f in (torch.exp, torch.abs, torch.neg):
        with pytest.raises(TypeError, match="HalfTensor"):
            f(h)
    with pytest.raises(TypeError, match="HalfTensor"):
        h + 1
    with pytest.raises(TypeError, match="HalfTensor"):
        torch.lt(h, 1)
    with pytest.raises(TypeError, match="IntTensor"):
        torch.exp(torch.IntTensor([1]))
    with pytest.raises(TypeError, match="integer"):
        torch.bitand(torch.DoubleTensor([1]), 1)
    with pytest.raises(TypeError, match="IntTensor"):
        torch.atan2(torch.IntTensor([1]), torch.IntTensor([1]))
    with pytest.raises(TypeError, match="FloatTensor"):
        torch.add(torch.DoubleTensor([1]), torch.FloatTensor([1]))
    with pytest.raises(ValueError, match="broadcast"):
        torch.add(torch.DoubleTensor(3, 4), torch.DoubleTensor(4, 3))
    with pytest.raises(TypeError):
        torch.exp(torch.DoubleTensor([1]), out=torch.FloatTensor())
    x = torch.DoubleTensor([1, 2])
    with pytest.raises(ValueError, match="expanded"):
        x.view(1, 2).expand(3, 2).add(1)
    with pytest.raises(ValueError):
        x.add(torch.DoubleTensor(2, 2))  # in place needs the broadcast shape to be self's
    with pytest.raises(TypeError):
        torch.add(x, "b")
    with pytest.raises(TypeError):
        torch.exp("a")
    with pytest.raises(TypeError):
        x.add(1, 2, 3, 4)
    with pytest.raises(TypeError, match="ByteTensor"):
        torch.lt(x, 1, out=torch.IntTensor())
    r = torch.FloatTensor(5)
    with pytest.raises(TypeError):
        torch.exp(torch.IntTensor([1]), out=r)
    assert r.size() == (5,)  # a refused call leaves out= alone


def test_out_overlapping_input_uses_a_temporary():
    x = torch.DoubleTensor([[1, 2], [3, 4]])
    torch.add(x, x.t(), out=x)
    assert x.tolist() == [[2, 5], [5, 8]]
    y = torch.DoubleTensor([1, 2, 3])
    torch.exp(y, out=y)
    np.testing.assert_allclose(y.numpy(), np.exp([1, 2, 3]))


def test_transposed_add_large_matches_numpy():
    a = np.random.default_rng(3).random((300, 200)).astype(np.float32)
    b = np.random.default_rng(4).random((200, 300)).astype(np.float32)
    ta, tb = torch.fromNumpy(a.copy()), torch.fromNumpy(b.copy())
    out = torch.FloatTensor(300, 200)
    torch.add(ta, tb.t(), out=out)
    np.testing.assert_array_equal(out.numpy(), a + b.T)
    np.testing.assert_array_equal(torch.cmul(ta.t(), tb).numpy(), a.T * b)
    big = torch.fromNumpy(np.arange(2 * 300 * 200, dtype=np.float64).reshape(2, 300, 200))
    got = (big.transpose(1, 2) + 1).numpy()
    np.testing.assert_array_equal(got, np.arange(2 * 300 * 200.0).reshape(2, 300, 200).transpose(0, 2, 1) + 1)


def test_large_ops_agree_across_thread_counts():
    rng = np.random.default_rng(9)
    a = rng.normal(size=(513, 301)).astype(np.float64)
    b = rng.normal(size=(301,)).astype(np.float64)
    ta, tb = torch.fromNumpy(a.copy()), torch.fromNumpy(b.copy())
    n = torch.getnumthreads()
    try:
        results = []
        for threads in (1, 2):
            torch.setnumthreads(threads)
            results.append(((ta + tb).numpy(), torch.exp(ta).numpy(), (ta.t() < 0).numpy(),
                            torch.addcmul(ta, 2, ta, tb).numpy()))
    finally:
        torch.setnumthreads(n)
    for x, y in zip(*results):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(results[0][0], a + b)
    np.testing.assert_array_equal(results[0][2], (a.T < 0).astype(np.uint8))
