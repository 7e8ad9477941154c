"""numpy / DLPack / pickle interop and the class hierarchy."""

import gc
import pickle
import weakref

import ferrotorch as torch
import numpy as np
import pytest

NP = {"Byte": np.uint8, "Char": np.int8, "Short": np.int16, "Int": np.int32, "Long": np.int64,
      "Float": np.float32, "Double": np.float64, "Half": np.float16}
NAMES = list(NP)


def tensor_cls(name):
    return getattr(torch, name + "Tensor")


@pytest.mark.parametrize("name", NAMES)
def test_numpy_shares_memory_both_ways(name):
    t = tensor_cls(name)(2, 3).fill(1)
    a = t.numpy()
    assert isinstance(a, np.ndarray)
    assert a.dtype == NP[name]
    assert a.shape == (2, 3)
    a[1, 2] = 5
    assert t[1, 2] == 5
    t[0, 0] = 7
    assert a[0, 0] == 7


def test_numpy_of_strided_views():
    base = np.arange(24.0).reshape(4, 6)
    cases = [(lambda t: t.t(), base.T), (lambda t: t[::2, 1::2], base[::2, 1::2]),
             (lambda t: t.narrow(1, 2, 3), base[:, 2:5]), (lambda t: t.select(0, 3), base[3])]
    for make, want in cases:
        view = make(torch.DoubleTensor(base))
        a = view.numpy()
        assert a.shape == want.shape
        assert a.tolist() == want.tolist()
        assert tuple(s // 8 for s in a.strides) == tuple(view.stride())
        a[...] = -1
        assert view.tolist() == (-np.ones(want.shape)).tolist()


def test_numpy_of_expanded_view():
    t = torch.DoubleTensor([[1, 2, 3]]).expand(4, 3)
    a = t.numpy()
    assert a.shape == (4, 3) and a.strides[0] == 0
    assert a.tolist() == [[1, 2, 3]] * 4


def test_array_keeps_storage_alive():
    t = torch.DoubleTensor(1000).fill(3)
    a = t.numpy()
    del t
    gc.collect()
    _ = [torch.DoubleTensor(1000).fill(9) for _ in range(10)]
    assert (a == 3).all()
    a[:] = 4
    assert (a == 4).all()


def test_np_asarray_and___array__():
    t = torch.FloatTensor([[1, 2], [3, 4]])
    a = np.asarray(t)
    assert a.dtype == np.float32
    a[0, 0] = 10
    assert t[0, 0] == 10
    b = t.__array__()
    assert b.tolist() == [[10, 2], [3, 4]]
    c = np.array(t, dtype=np.float64)
    assert c.dtype == np.float64 and c.tolist() == [[10, 2], [3, 4]]
    c[0, 0] = 0
    assert t[0, 0] == 10
    d = t.__array__(copy=True)
    d[0, 1] = 100
    assert t[0, 1] == 2


@pytest.mark.parametrize("name", NAMES)
def test_from_numpy_shares_memory(name):
    a = np.arange(6).astype(NP[name]).reshape(2, 3)
    t = torch.fromNumpy(a)
    assert t.type() == f"torch.{name}Tensor"
    assert isinstance(t, tensor_cls(name))
    assert t.size() == (2, 3) and t.stride() == (3, 1)
    assert t.tolist() == a.tolist()
    t[1, 1] = 9
    assert a[1, 1] == 9
    a[0, 2] = 8
    assert t[0, 2] == 8


def test_from_numpy_strided():
    base = np.arange(20.0).reshape(4, 5)
    a = base[1::2, ::2]
    t = torch.fromNumpy(a)
    assert t.size() == (2, 3)
    assert t.stride() == (10, 2)
    assert t.tolist() == a.tolist()
    t.fill(-1)
    assert (base[1::2, ::2] == -1).all()
    assert base[0, 0] == 0
    assert torch.fromNumpy(base.T).tolist() == base.T.tolist()


def test_from_numpy_keeps_array_alive():
    a = np.arange(5.0)
    ref = weakref.ref(a) if hasattr(a, "__weakref__") else None
    t = torch.fromNumpy(a)
    del a
    gc.collect()
    if ref is not None:
        assert ref() is not None
    assert t.tolist() == [0, 1, 2, 3, 4]
    t.fill(2)
    assert t.tolist() == [2] * 5


def test_from_numpy_negative_strides():
    with pytest.raises(ValueError, match="copy"):
        torch.fromNumpy(np.arange(5.0)[::-1])
    with pytest.raises(ValueError, match="copy"):
        torch.fromNumpy(np.arange(6.0).reshape(2, 3)[:, ::-1])
    t = torch.fromNumpy(np.arange(5.0)[::-1].copy())
    assert t.tolist() == [4, 3, 2, 1, 0]


def test_constructor_copies_reversed_arrays():
    a = np.arange(5.0)[::-1]
    t = torch.DoubleTensor(a)
    assert t.tolist() == [4, 3, 2, 1, 0]
    t.fill(0)
    assert a.tolist() == [4, 3, 2, 1, 0]


def test_from_numpy_refuses_other_objects():
    with pytest.raises(TypeError):
        torch.fromNumpy([1, 2, 3])
    with pytest.raises(TypeError):
        torch.fromNumpy(np.array([1 + 2j]))


def test_zero_d_array_becomes_one_element_tensor():
    t = torch.fromNumpy(np.array(3.5))
    assert t.dim() == 1 and t.size() == (1,)
    assert t.tolist() == [3.5]
    t2 = torch.DoubleTensor(np.array(2.0))
    assert t2.size() == (1,) and t2.tolist() == [2.0]


def test_empty_tensor_numpy():
    a = torch.DoubleTensor().numpy()
    assert a.shape == (0,)
    assert a.dtype == np.float64
    z = torch.FloatTensor(3, 0).numpy()
    assert z.shape == (3, 0) and z.dtype == np.float32


def test_dlpack_to_numpy_shares_memory():
    t = torch.DoubleTensor([[1, 2, 3], [4, 5, 6]])
    assert t.__dlpack_device__() == (1, 0)
    a = np.from_dlpack(t)
    assert a.shape == (2, 3) and a.tolist() == t.tolist()
    t[0, 0] = 100
    assert a[0, 0] == 100
    b = np.from_dlpack(t.t())
    assert b.shape == (3, 2) and b.tolist() == [[100, 4], [2, 5], [3, 6]]


def test_dlpack_keeps_memory_alive():
    t = torch.FloatTensor(100).fill(5)
    a = np.from_dlpack(t)
    del t
    gc.collect()
    assert (a == 5).all()


@pytest.mark.parametrize("name", NAMES)
def test_from_dlpack_numpy_shares_memory(name):
    a = np.arange(6).astype(NP[name]).reshape(3, 2)
    t = torch.fromDLPack(a)
    assert t.type() == f"torch.{name}Tensor"
    assert t.tolist() == a.tolist()
    a[2, 1] = 1
    assert t[2, 1] == 1
    t[0, 0] = 3
    assert a[0, 0] == 3
    del a
    gc.collect()
    assert t[0, 0] == 3


def test_from_dlpack_of_capsule_and_round_trip():
    t = torch.IntTensor([1, 2, 3])
    u = torch.fromDLPack(t.__dlpack__())
    assert u.type() == "torch.IntTensor"
    u[0] = 10
    assert t[0] == 10
    v = torch.fromDLPack(t)
    v[1] = 20
    assert t.tolist() == [10, 20, 3]


def test_from_dlpack_bad_input():
    with pytest.raises(TypeError):
        torch.fromDLPack(3)
    cap = torch.DoubleTensor(2).__dlpack__()
    torch.fromDLPack(cap)
    with pytest.raises((BufferError, ValueError, TypeError)):
        torch.fromDLPack(cap)  # a capsule is consumed once


def test_half_float16():
    t = torch.HalfTensor([0.5, 1.5, 65504])
    a = t.numpy()
    assert a.dtype == np.float16
    assert a.tolist() == [0.5, 1.5, 65504]
    a[0] = 2.25
    assert t[0] == 2.25
    h = torch.fromNumpy(np.array([0.1, 0.2], dtype=np.float16))
    assert h.type() == "torch.HalfTensor"
    assert h.tolist() == [float(np.float16(0.1)), float(np.float16(0.2))]
    assert torch.HalfTensor(np.array([1.0, 2.0])).tolist() == [1.0, 2.0]


@pytest.mark.parametrize("name", NAMES)
def test_pickle_round_trip(name):
    a = (np.arange(12) % 7).astype(NP[name]).reshape(3, 4)
    t = tensor_cls(name)(a)
    r = pickle.loads(pickle.dumps(t))
    assert type(r) is type(t)
    assert r.size() == (3, 4)
    assert r.tolist() == t.tolist()
    r.fill(0)
    assert t.tolist() == a.tolist()


@pytest.mark.parametrize("name", NAMES)
def test_pickle_non_contiguous(name):
    a = (np.arange(24) % 11).astype(NP[name]).reshape(4, 6)
    t = tensor_cls(name)(a)
    for view, want in [(t.t(), a.T), (t[1::2, ::3], a[1::2, ::3]), (t.narrow(1, 1, 3), a[:, 1:4]),
                       (t[0:1].expand(3, 6), np.broadcast_to(a[0:1], (3, 6)))]:
        r = pickle.loads(pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL))
        assert r.type() == t.type()
        assert r.size() == want.shape
        assert r.tolist() == want.tolist()


def test_pickle_empty_and_zero_size():
    r = pickle.loads(pickle.dumps(torch.DoubleTensor()))
    assert r.dim() == 0 and r.type() == "torch.DoubleTensor"
    r = pickle.loads(pickle.dumps(torch.FloatTensor(2, 0)))
    assert r.size() == (2, 0)


@pytest.mark.parametrize("name", NAMES)
def test_isinstance(name):
    t = tensor_cls(name)(2)
    assert isinstance(t, tensor_cls(name))
    assert isinstance(t, torch.Tensor)
    assert torch.isTensor(t) and not torch.isStorage(t)
    assert torch.typename(t) == f"torch.{name}Tensor"
    assert torch.type(t) == f"torch.{name}Tensor"
    others = [tensor_cls(o) for o in NAMES if o != name]
    assert not any(isinstance(t, o) for o in others)


def test_torch_type_and_typename_of_non_torch():
    assert torch.typename(3) is None
    assert torch.type("a") == "str"
    assert not torch.isTensor(np.zeros(2))


def test_default_tensor_type():
    assert torch.getdefaulttensortype() == "torch.DoubleTensor"
    t = torch.Tensor(2)
    assert type(t) is torch.DoubleTensor
    assert t.size() == (2,)
    assert torch.Tensor([[1, 2]]).type() == "torch.DoubleTensor"
    assert torch.Tensor().type() == "torch.DoubleTensor"


def test_setdefaulttensortype():
    try:
        torch.setdefaulttensortype("torch.FloatTensor")
        assert torch.getdefaulttensortype() == "torch.FloatTensor"
        t = torch.Tensor(3)
        assert type(t) is torch.FloatTensor
        assert isinstance(t, torch.Tensor)
        assert torch.DoubleTensor(1).type() == "torch.DoubleTensor"
        assert torch.Tensor([1.5]).tolist() == [1.5]
        torch.setdefaulttensortype("torch.IntTensor")
        assert torch.Tensor([1.5]).tolist() == [1]
    finally:
        torch.setdefaulttensortype("torch.DoubleTensor")
    assert torch.Tensor(1).type() == "torch.DoubleTensor"


def test_setdefaulttensortype_rejects_junk():
    with pytest.raises((ValueError, TypeError)):
        torch.setdefaulttensortype("torch.FooTensor")
    with pytest.raises((ValueError, TypeError)):
        torch.setdefaulttensortype(3)
    assert torch.getdefaulttensortype() == "torch.DoubleTensor"


def test_constructor_from_numpy_converts():
    a = np.array([[1.9, -1.9]])
    t = torch.IntTensor(a)
    assert t.tolist() == [[1, -1]]
    t = torch.ByteTensor(np.array([1, 2], dtype=np.int64))
    assert t.tolist() == [1, 2]


def test_buffer_protocol_memoryview():
    t = torch.IntTensor([[1, 2], [3, 4]])
    m = memoryview(t)
    assert m.format == "i" and m.shape == (2, 2) and m.itemsize == 4
    assert m.tolist() == [[1, 2], [3, 4]]
    m.release()
    mt = memoryview(t.t())
    assert mt.strides == (4, 8)
    mt.release()


def test_len_iter_bool_hash():
    t = torch.DoubleTensor([[1, 2], [3, 4], [5, 6]])
    assert len(t) == 3
    rows = list(t)
    assert len(rows) == 3 and rows[2].tolist() == [5, 6]
    rows[0].fill(0)
    assert t[0, 1] == 0
    assert list(torch.LongTensor([4, 5])) == [4, 5]
    assert bool(torch.DoubleTensor([2])) is True
    assert bool(torch.DoubleTensor([0])) is False
    with pytest.raises(ValueError):
        bool(t)
    with pytest.raises(TypeError):
        len(torch.DoubleTensor())
    assert hash(t) == hash(t)
    assert {t: 1}[t] == 1
    assert hash(torch.DoubleTensor(t)) != hash(t) or torch.DoubleTensor(t) is t
