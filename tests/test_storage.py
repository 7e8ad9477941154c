"""Storages of all 8 types: constructors, element access, fill, copy, resize (and its
interplay with exported memory), tolist, elementSize, printing and pickling."""

import gc
import pickle

import ferrotorch as torch
import numpy as np
import pytest

NAMES = ["Byte", "Char", "Short", "Int", "Long", "Float", "Double", "Half"]
ELEMENT_SIZES = dict(zip(NAMES, [1, 1, 2, 4, 8, 4, 8, 2]))
NP = {"Byte": np.uint8, "Char": np.int8, "Short": np.int16, "Int": np.int32, "Long": np.int64,
      "Float": np.float32, "Double": np.float64, "Half": np.float16}


def storage_cls(name):
    return getattr(torch, name + "Storage")


@pytest.fixture(params=NAMES)
def name(request):
    return request.param


def test_classes_and_type(name):
    s = storage_cls(name)(3)
    assert isinstance(s, torch.Storage)
    assert isinstance(s, storage_cls(name))
    assert s.type() == f"torch.{name}Storage"
    assert torch.isStorage(s) and not torch.isTensor(s)
    assert torch.typename(s) == f"torch.{name}Storage"


def test_element_size(name):
    assert storage_cls(name)(1).elementSize() == ELEMENT_SIZES[name]
    assert storage_cls(name)().elementSize() == ELEMENT_SIZES[name]


def test_size_and_len(name):
    cls = storage_cls(name)
    for n in (0, 1, 5, 100):
        s = cls(n)
        assert s.size() == n
        assert len(s) == n
    assert cls().size() == 0


def test_from_list(name):
    s = storage_cls(name)([1, 2, 3, 4])
    assert s.size() == 4
    assert s.tolist() == [1, 2, 3, 4]
    assert s.totable() == [1, 2, 3, 4]
    assert list(s) == [1, 2, 3, 4]
    elem = s[0]
    if name in ("Float", "Double", "Half"):
        assert isinstance(elem, float)
    else:
        assert isinstance(elem, int) and not isinstance(elem, bool)


def test_from_list_converts(name):
    s = storage_cls(name)([1.75, -1.75] if name != "Byte" else [1.75, 2.25])
    want = np.array([1.75, -1.75] if name != "Byte" else [1.75, 2.25])
    if name in ("Float", "Double", "Half"):
        assert s.tolist() == want.astype(NP[name]).tolist()
    else:
        assert s.tolist() == np.trunc(want).astype(np.int64).tolist()


def test_from_numpy_array_copies(name):
    a = np.arange(5).astype(NP[name])
    s = storage_cls(name)(a)
    assert s.tolist() == a.tolist()
    a[0] = 9
    assert s[0] == 0


def test_bad_list_elements():
    with pytest.raises(TypeError):
        torch.DoubleStorage([1, "x"])
    with pytest.raises(TypeError):
        torch.DoubleStorage([[1, 2], [3, 4]])


def test_view_of_storage(name):
    cls = storage_cls(name)
    parent = cls([1, 2, 3, 4, 5, 6])
    v = cls(parent, 2, 3)
    assert v.size() == 3
    assert v.tolist() == [3, 4, 5]
    v[0] = 30
    assert parent[2] == 30
    parent[4] = 50
    assert v[2] == 50
    rest = cls(parent, 4)
    assert rest.tolist() == [50, 6]
    whole = cls(parent)
    assert whole.size() == 6
    whole.fill(1)
    assert parent.tolist() == [1] * 6


def test_view_of_storage_keeps_parent_alive():
    parent = torch.DoubleStorage([1, 2, 3, 4])
    v = torch.DoubleStorage(parent, 1, 2)
    del parent
    gc.collect()
    assert v.tolist() == [2, 3]


def test_view_of_storage_errors():
    parent = torch.DoubleStorage(5)
    with pytest.raises((ValueError, IndexError)) as err:
        torch.DoubleStorage(parent, 2, 4)
    assert "5" in str(err.value)
    with pytest.raises((ValueError, IndexError)):
        torch.DoubleStorage(parent, 6)
    with pytest.raises(ValueError):
        torch.DoubleStorage(parent, -1)
    with pytest.raises(TypeError):
        torch.FloatStorage(parent, 0, 2)


def test_get_set_and_negative_indices(name):
    s = storage_cls(name)([1, 2, 3])
    assert s[0] == 1 and s[2] == 3
    assert s[-1] == 3 and s[-3] == 1
    s[-1] = 7
    assert s[2] == 7
    s[1] = 5
    assert s.tolist() == [1, 5, 7]
    for bad in (3, 4, -4, 100):
        with pytest.raises(IndexError) as err:
            s[bad]
        assert "3" in str(err.value)
        with pytest.raises(IndexError):
            s[bad] = 1
    with pytest.raises(TypeError):
        s[0] = "a"
    with pytest.raises(TypeError):
        s["a"]


def test_fill(name):
    s = storage_cls(name)(4)
    assert s.fill(3) is s
    assert s.tolist() == [3, 3, 3, 3]
    storage_cls(name)(0).fill(1)  # nothing to fill


@pytest.mark.parametrize("src_name", NAMES)
def test_copy_any_type(name, src_name):
    src = storage_cls(src_name)([0, 1, 2, 100])
    dst = storage_cls(name)(4)
    assert dst.copy(src) is dst
    assert dst.tolist() == [0, 1, 2, 100]


def test_copy_converts_like_c():
    dst = torch.ByteStorage(4)
    dst.copy(torch.DoubleStorage([-1.5, 2.9, 300.0, float("nan")]))
    assert dst.tolist() == [0, 2, 255, 0]
    dst = torch.CharStorage(2)
    dst.copy(torch.IntStorage([255, 128]))
    assert dst.tolist() == [-1, -128]


def test_copy_size_mismatch():
    with pytest.raises(ValueError):
        torch.DoubleStorage(3).copy(torch.DoubleStorage(4))
    with pytest.raises(TypeError):
        torch.DoubleStorage(3).copy(torch.DoubleTensor(3))


def test_resize_shrink_and_grow(name):
    cls = storage_cls(name)
    s = cls([1, 2, 3, 4, 5])
    assert s.resize(3) is s
    assert s.size() == 3 and len(s) == 3
    assert s.tolist() == [1, 2, 3]
    with pytest.raises(IndexError):
        s[3]
    s.resize(8)
    assert s.size() == 8
    assert s.tolist()[:3] == [1, 2, 3]
    s.resize(0)
    assert s.size() == 0 and s.tolist() == []


def test_shrink_keeps_block_for_tensors():
    s = torch.DoubleStorage([1, 2, 3, 4, 5])
    t = torch.DoubleTensor(s)
    s.resize(2)
    assert t.tolist() == [1, 2, 3, 4, 5]
    t.fill(9)
    assert s.tolist() == [9, 9]


def test_grow_keeps_contents_and_views_follow():
    s = torch.DoubleStorage([1, 2, 3])
    t = torch.DoubleTensor(s)
    s.resize(1000)
    assert s.tolist()[:3] == [1, 2, 3]
    t.fill(4)
    assert s.tolist()[:3] == [4, 4, 4]
    s[1] = 8
    assert t.tolist() == [4, 8, 4]


def test_resize_negative():
    with pytest.raises(ValueError):
        torch.DoubleStorage(3).resize(-1)
    with pytest.raises(ValueError):
        torch.DoubleStorage(-1)


@pytest.mark.parametrize("exporter", ["numpy_storage", "memoryview_storage", "numpy_tensor",
                                      "memoryview_tensor", "dlpack"])
def test_grow_while_exported_raises_buffer_error(exporter):
    s = torch.DoubleStorage([1, 2, 3])
    t = torch.DoubleTensor(s)
    if exporter == "numpy_storage":
        export = np.asarray(s)
    elif exporter == "memoryview_storage":
        export = memoryview(s)
    elif exporter == "numpy_tensor":
        export = t.numpy()
    elif exporter == "memoryview_tensor":
        export = memoryview(t)
    else:
        export = np.from_dlpack(t)
    with pytest.raises(BufferError):
        s.resize(10)
    assert s.size() == 3
    with pytest.raises(BufferError):
        t.resize(5, 5)
    s.resize(2)  # shrinking moves nothing: allowed
    assert s.size() == 2
    if exporter == "dlpack":  # numpy marks legacy DLPack imports read-only
        t[0] = 42
        assert export[0] == 42
    else:
        export[0] = 42
        assert t[0] == 42
    if isinstance(export, memoryview):
        export.release()
    del export
    gc.collect()
    s.resize(10)
    assert s.size() == 10
    assert s[0] == 42
    t.resize(5, 5)
    assert t.size() == (5, 5)


def test_storage_buffer_protocol(name):
    s = storage_cls(name)([1, 2, 3])
    a = np.asarray(s)
    assert a.dtype == NP[name]
    assert a.tolist() == [1, 2, 3]
    a[1] = 20
    assert s[1] == 20


def test_printing(name):
    s = storage_cls(name)([1, 2, 3])
    assert str(s) == f" 1\n 2\n 3\n[torch.{name}Storage of size 3]"
    assert repr(s) == str(s)
    assert str(storage_cls(name)()) == f"[torch.{name}Storage of size 0]"


def test_printing_floats():
    s = torch.DoubleStorage([1, 2.5, -3])
    assert str(s) == " 1.0000\n 2.5000\n-3.0000\n[torch.DoubleStorage of size 3]"


def test_pickle(name):
    s = storage_cls(name)([1, 2, 3, 100])
    r = pickle.loads(pickle.dumps(s))
    assert type(r) is type(s)
    assert r.tolist() == s.tolist()
    r[0] = 5
    assert s[0] == 1


def test_pickle_of_storage_view():
    parent = torch.DoubleStorage([1, 2, 3, 4, 5])
    v = torch.DoubleStorage(parent, 1, 3)
    r = pickle.loads(pickle.dumps(v))
    assert r.tolist() == [2, 3, 4]


def test_equality():
    assert torch.LongStorage([2, 3]) == (2, 3)
    assert torch.LongStorage([2, 3]) == [2, 3]
    assert torch.LongStorage([2, 3]) != (2, 4)
    assert torch.LongStorage([2, 3]) != (2, 3, 1)
    assert torch.LongStorage([2, 3]) == torch.LongStorage([2, 3])
    assert torch.DoubleTensor(4, 6).size() == (4, 6)


def test_default_storage_type():
    try:
        torch.setdefaulttensortype("torch.FloatTensor")
        assert torch.Storage(2).type() == "torch.FloatStorage"
        assert torch.Storage([1, 2]).tolist() == [1.0, 2.0]
    finally:
        torch.setdefaulttensortype("torch.DoubleTensor")
    assert torch.Storage(2).type() == "torch.DoubleStorage"


def test_half_storage_values():
    s = torch.HalfStorage([0.1, 65504, 70000])
    with np.errstate(over="ignore"):
        want = np.array([0.1, 65504, 70000]).astype(np.float16)
    assert s.tolist() == want.tolist()


def test_extreme_integer_values():
    s = torch.LongStorage([2**63 - 1, -(2**63)])
    assert s.tolist() == [2**63 - 1, -(2**63)]
    b = torch.ByteStorage([255, 0])
    assert b.tolist() == [255, 0]


def test_negative_stride_means_contiguous_with_the_next_dim():
    # Torch7's resizeNd: a negative stride becomes size[d+1] * stride[d+1].
    t = torch.DoubleTensor(torch.LongStorage([2, 3]), torch.LongStorage([-1, 2]))
    assert t.stride() == (6, 2)
    assert t.storage().size() == 1 + 1 * 6 + 2 * 2
    u = torch.DoubleTensor(torch.DoubleStorage(20), 0, 2, -1, 3, -1)
    assert u.stride() == (3, 1)
