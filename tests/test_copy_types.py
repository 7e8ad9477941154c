"""copy() between every pair of the 8 types, contiguous and strided, against numpy with C-cast
semantics (floats truncate toward zero; out-of-range floats and NaN saturate like Rust `as`;
integers wrap)."""

import math

import ferrotorch as torch
import numpy as np
import pytest

TYPES = {
    "Byte": np.uint8, "Char": np.int8, "Short": np.int16, "Int": np.int32,
    "Long": np.int64, "Float": np.float32, "Double": np.float64, "Half": np.float16,
}
SHAPE = (4, 6)
SENTINEL = 7

FLOAT_VALUES = [
    0.0, -0.0, 0.5, -0.5, 1.5, -2.7, 127.9, -128.9, 255.9, 256.0, 300.25, -300.25,
    32767.5, -32769.0, 40000.5, 65504.0, 3e9, -3e9, 1e19, -1e19, math.nan, math.inf,
    -math.inf, 1e300,
]


def source_values(name):
    """24 values of the source type (as a numpy array of that dtype, row-major 4x6)."""
    dt = TYPES[name]
    if np.issubdtype(dt, np.integer):
        info = np.iinfo(dt)
        cands = [info.min, info.min + 1, -1, 0, 1, 2, 3, 100, 127, 128, 200, 255, 256, 1000,
                 -1000, 32767, 32768, 65535, 65536, 2**31 - 1, 2**31, -(2**31), 2**40 + 5,
                 info.max]
        vals = [min(max(v, int(info.min)), int(info.max)) for v in cands]
        return np.array(vals, dtype=dt).reshape(SHAPE)
    with np.errstate(over="ignore"):
        return np.array(FLOAT_VALUES, dtype=np.float64).astype(dt).reshape(SHAPE)


def c_cast(src, dst_name):
    """src (numpy array) converted to the destination type like ferrotorch's copy."""
    dt = TYPES[dst_name]
    if np.issubdtype(dt, np.integer):
        info = np.iinfo(dt)
        lo, hi, bits = int(info.min), int(info.max), info.bits
        out = []
        for v in src.reshape(-1).tolist():
            if isinstance(v, float):
                if math.isnan(v):
                    v = 0
                elif math.isinf(v):
                    v = hi if v > 0 else lo
                else:
                    v = min(max(math.trunc(v), lo), hi)
            else:
                v = (v - lo) % (1 << bits) + lo
            out.append(v)
        return np.array(out, dtype=dt).reshape(src.shape)
    with np.errstate(over="ignore", invalid="ignore"):
        return src.astype(dt)


def strided(values, layout):
    """A (numpy base, ferrotorch view) pair: the view has `layout` and holds `values`; the base
    holds SENTINEL elsewhere. The tensor views the base's memory (fromNumpy)."""
    dt = values.dtype
    if layout == "contiguous":
        base = values.copy()
        return base, torch.fromNumpy(base)
    if layout == "transposed":
        base = np.ascontiguousarray(values.T)
        return base, torch.fromNumpy(base).t()
    if layout == "narrowed":
        base = np.full((SHAPE[0], SHAPE[1] + 3), SENTINEL, dtype=dt)
        base[:, 2:2 + SHAPE[1]] = values
        return base, torch.fromNumpy(base).narrow(1, 2, SHAPE[1])
    if layout == "stepped":
        base = np.full((SHAPE[0] * 2, SHAPE[1]), SENTINEL, dtype=dt)
        base[::2] = values
        return base, torch.fromNumpy(base)[::2]
    raise AssertionError(layout)


LAYOUTS = ["contiguous", "transposed", "narrowed", "stepped"]


def assert_same(got, want):
    got = np.asarray(got)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert np.array_equal(got, want, equal_nan=np.issubdtype(want.dtype, np.floating)), (
        got.tolist(), want.tolist())


@pytest.mark.parametrize("src_name", list(TYPES))
def test_source_values_round_trip(src_name):
    vals = source_values(src_name)
    _, t = strided(vals, "contiguous")
    assert t.type() == f"torch.{src_name}Tensor"
    assert_same(t.numpy(), vals)


@pytest.mark.parametrize("dst_name", list(TYPES))
@pytest.mark.parametrize("src_name", list(TYPES))
def test_copy_all_type_pairs_and_layouts(src_name, dst_name):
    vals = source_values(src_name)
    want = c_cast(vals, dst_name)
    for src_layout in LAYOUTS:
        src_base, src = strided(vals, src_layout)
        src_before = src_base.copy()
        for dst_layout in LAYOUTS:
            filler = np.full(SHAPE, SENTINEL, dtype=TYPES[dst_name])
            dst_base, dst = strided(filler, dst_layout)
            assert dst.copy(src) is dst
            assert dst.type() == f"torch.{dst_name}Tensor"
            assert_same(dst.numpy(), want)
            # nothing outside the destination view changed
            untouched = np.ones(dst_base.shape, dtype=bool)
            if dst_layout == "narrowed":
                untouched[:, 2:2 + SHAPE[1]] = False
            elif dst_layout == "stepped":
                untouched[::2] = False
            else:
                untouched[...] = False
            assert (dst_base[untouched] == SENTINEL).all()
            assert np.array_equal(src_base, src_before, equal_nan=True)


@pytest.mark.parametrize("dst_name", list(TYPES))
@pytest.mark.parametrize("src_name", list(TYPES))
def test_type_conversion_methods(src_name, dst_name):
    vals = source_values(src_name)
    _, src = strided(vals, "transposed")
    method = {"Byte": "byte", "Char": "char", "Short": "short", "Int": "int", "Long": "long",
              "Float": "float", "Double": "double", "Half": "half"}[dst_name]
    assert hasattr(src, method), f"Tensor.{method}() is missing"
    out = getattr(src, method)()
    assert out.type() == f"torch.{dst_name}Tensor"
    assert_same(out.numpy(), c_cast(vals, dst_name))
    out2 = src.type(f"torch.{dst_name}Tensor")
    assert_same(out2.numpy(), c_cast(vals, dst_name))
    if src_name == dst_name:
        assert out is src and out2 is src
    else:
        assert out.isContiguous() and out.size() == SHAPE


def test_broadcast_copy():
    dst = torch.DoubleTensor(3, 4).zero()
    dst.copy(torch.DoubleTensor([[1, 2, 3, 4]]))
    assert dst.tolist() == [[1, 2, 3, 4]] * 3
    dst.copy(torch.IntTensor([5, 6, 7, 8]))
    assert dst.tolist() == [[5, 6, 7, 8]] * 3
    dst.copy(torch.DoubleTensor([[1], [2], [3]]))
    assert dst.tolist() == [[1] * 4, [2] * 4, [3] * 4]
    dst.copy(torch.DoubleTensor([9]))
    assert dst.tolist() == [[9] * 4] * 3
    dst.t().copy(torch.DoubleTensor([1, 2, 3]))
    assert dst.tolist() == [[1] * 4, [2] * 4, [3] * 4]


def test_row_major_copy_for_equal_counts():
    dst = torch.DoubleTensor(3, 4).zero()
    src = np.arange(12.0)
    dst.copy(torch.DoubleTensor(src))
    assert dst.tolist() == src.reshape(3, 4).tolist()
    dst.copy(torch.DoubleTensor(src.reshape(2, 6)).t())  # 6x2 source, row-major walk
    assert dst.tolist() == src.reshape(2, 6).T.reshape(3, 4).tolist()
    dst.t().copy(torch.LongTensor(list(range(12))))
    assert dst.tolist() == np.arange(12).reshape(4, 3).T.tolist()


def test_copy_from_numpy_and_lists():
    dst = torch.FloatTensor(2, 2)
    dst.copy(np.array([[1.5, 2.5], [3.5, 4.5]]))
    assert dst.tolist() == [[1.5, 2.5], [3.5, 4.5]]
    dst.copy([[1, 2], [3, 4]])
    assert dst.tolist() == [[1, 2], [3, 4]]


@pytest.mark.parametrize("src_shape", [(5,), (3, 5), (2, 4, 2), (13,)])
def test_copy_size_mismatch_raises(src_shape):
    dst = torch.DoubleTensor(3, 4).fill(1)
    with pytest.raises(ValueError) as err:
        dst.copy(torch.DoubleTensor(*src_shape))
    msg = str(err.value)
    assert "3x4" in msg and "x".join(map(str, src_shape)) in msg
    assert dst.tolist() == [[1] * 4] * 3


def test_overlapping_transpose_copy():
    a = np.arange(16.0).reshape(4, 4)
    x = torch.DoubleTensor(a)
    assert x.copy(x.t()) is x
    assert x.tolist() == a.T.tolist()


@pytest.mark.parametrize("n", [2, 3, 7])
def test_overlapping_transpose_copy_int(n):
    a = np.arange(n * n, dtype=np.int32).reshape(n, n)
    x = torch.IntTensor(a)
    x.copy(x.t())
    assert x.tolist() == a.T.tolist()


def test_overlapping_shifted_copy():
    a = np.arange(10.0)
    x = torch.DoubleTensor(a)
    x[1:].copy(x[:-1])
    b = a.copy()
    b[1:] = a[:-1]
    assert x.tolist() == b.tolist()
    x = torch.DoubleTensor(a)
    x[:-1].copy(x[1:])
    b = a.copy()
    b[:-1] = a[1:]
    assert x.tolist() == b.tolist()


def test_self_copy_is_identity():
    a = np.arange(6.0).reshape(2, 3)
    x = torch.DoubleTensor(a)
    x.copy(x)
    assert x.tolist() == a.tolist()


def test_overlapping_copy_with_type_view_of_same_storage():
    # a 2x3 view and its transposed contiguous clone: no overlap, plain copy
    a = np.arange(6.0).reshape(2, 3)
    x = torch.DoubleTensor(a)
    x.copy(x.t().contiguous().view(2, 3))
    assert x.tolist() == a.T.reshape(2, 3).tolist()


def test_setitem_copies_with_conversion():
    x = torch.IntTensor(2, 3).zero()
    x[0] = torch.DoubleTensor([1.9, -1.9, 300.5])
    assert x.tolist() == [[1, -1, 300], [0, 0, 0]]
    x[:, 1] = torch.ByteTensor([200, 201])
    assert x.tolist() == [[1, 200, 300], [0, 201, 0]]
    b = torch.ByteTensor(3).zero()
    b[...] = torch.DoubleTensor([-1.0, 256.0, float("nan")])
    assert b.tolist() == [0, 255, 0]


def test_fill_casts_like_c():
    assert torch.IntTensor(2).fill(-2.7).tolist() == [-2, -2]
    assert torch.ByteTensor(1).fill(300.0).tolist() == [255]
    assert torch.ByteTensor(1).fill(-3.5).tolist() == [0]
    assert torch.CharTensor(1).fill(float("nan")).tolist() == [0]
    assert torch.LongTensor(1).fill(float("inf")).tolist() == [2**63 - 1]
    assert torch.FloatTensor(1).fill(0.1).tolist() == [float(np.float32(0.1))]
    assert torch.HalfTensor(1).fill(0.1).tolist() == [float(np.float16(0.1))]
