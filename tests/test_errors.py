"""Bad arguments give clean Python exceptions (IndexError / ValueError / TypeError /
BufferError) whose messages name the sizes; junk never reaches a Rust panic."""

import gc
import math
import warnings

import ferrotorch as torch
import numpy as np
import pytest


def x34():
    return torch.DoubleTensor(np.arange(12.0).reshape(3, 4))


def storage5():
    return torch.DoubleStorage([1, 2, 3, 4, 5])


# (id, call, exception class(es), substrings the message must contain)
CASES = [
    # wrong dims / out-of-range indices
    ("select_dim", lambda: x34().select(2, 0), IndexError, ["2", "2D"]),
    ("select_index", lambda: x34().select(0, 3), IndexError, ["3"]),
    ("select_neg_index", lambda: x34().select(1, -5), IndexError, ["-5", "4"]),
    ("narrow_past_end", lambda: x34().narrow(0, 2, 2), IndexError, ["3"]),
    ("narrow_start", lambda: x34().narrow(1, 5, 0), IndexError, ["5", "4"]),
    ("narrow_neg_length", lambda: x34().narrow(0, 0, -1), ValueError, ["-1"]),
    ("narrow_dim", lambda: x34().narrow(3, 0, 1), IndexError, ["3"]),
    ("sub_end_before_start", lambda: x34().sub(2, 1), (IndexError, ValueError), ["1", "2"]),
    ("sub_past_end", lambda: x34().sub(0, 3), IndexError, ["3"]),
    ("sub_odd", lambda: x34().sub(0, 1, 0), (ValueError, TypeError), ["3"]),
    ("transpose_dim", lambda: x34().transpose(0, 2), IndexError, ["2"]),
    ("t_1d", lambda: torch.DoubleTensor(3).t(), (ValueError, IndexError), ["1D"]),
    ("t_3d", lambda: torch.DoubleTensor(2, 2, 2).t(), (ValueError, IndexError), ["3D"]),
    ("permute_not_perm", lambda: x34().permute(0, 0), ValueError, ["permut"]),
    ("permute_count", lambda: x34().permute(1), ValueError, ["2"]),
    ("permute_range", lambda: x34().permute(0, 2), (IndexError, ValueError), ["2"]),
    ("unfold_too_big", lambda: x34().unfold(1, 5, 1), ValueError, ["5", "4"]),
    ("unfold_step0", lambda: x34().unfold(1, 2, 0), ValueError, ["step"]),
    ("unfold_dim", lambda: x34().unfold(2, 1, 1), IndexError, ["2"]),
    ("unfold_neg_size", lambda: x34().unfold(1, -1, 1), ValueError, ["-1"]),
    ("view_transposed", lambda: x34().t().view(-1), ValueError, ["4x3"]),
    ("view_transposed_shape", lambda: x34().t().view(3, 4), ValueError, ["4x3"]),
    ("view_count", lambda: x34().view(5, -1), ValueError, ["3x4"]),
    ("view_two_infer", lambda: x34().view(-1, -1), ValueError, ["-1"]),
    ("view_wrong_total", lambda: x34().view(13), ValueError, ["3x4", "13"]),
    ("view_empty_sizes_of_one", lambda: torch.DoubleTensor(1).view(), ValueError, []),
    ("reshape_empty_sizes_of_one", lambda: torch.DoubleTensor(1).reshape(), ValueError, []),
    ("reshape_wrong_total", lambda: x34().reshape(5), ValueError, ["5"]),
    ("view_as_wrong", lambda: x34().viewAs(torch.DoubleTensor(5)), ValueError, ["5"]),
    ("expand_non_singleton", lambda: x34().expand(6, 4), ValueError, ["3x4", "6x4"]),
    ("expand_as_wrong", lambda: x34().expandAs(torch.DoubleTensor(2, 2)), ValueError, ["3x4"]),
    ("expand_empty", lambda: torch.DoubleTensor().expand(2, 3), ValueError, []),
    ("expand_numel_overflow", lambda: torch.DoubleTensor(1).expand(2**32, 2**32), ValueError,
     []),
    ("stride_numel_overflow",
     lambda: torch.DoubleTensor(torch.DoubleStorage(4), 0, (2**32, 2**32), (0, 0)),
     ValueError, []),
    ("squeeze_dim", lambda: x34().squeeze(2), IndexError, ["2"]),
    ("unsqueeze_dim", lambda: x34().unsqueeze(4), IndexError, ["4"]),
    ("size_dim", lambda: x34().size(2), IndexError, ["2"]),
    ("stride_dim", lambda: x34().stride(-3), IndexError, ["-3"]),
    ("split_zero", lambda: x34().split(0), ValueError, ["0"]),
    ("split_neg", lambda: x34().split(-2), ValueError, ["-2"]),
    ("split_dim", lambda: x34().split(1, 2), IndexError, ["2"]),
    ("chunk_zero", lambda: x34().chunk(0), ValueError, ["0"]),
    ("repeat_too_few", lambda: x34().repeatTensor(2), ValueError, ["2"]),
    ("repeat_negative", lambda: x34().repeatTensor(2, -1), ValueError, ["-1"]),
    ("getitem_range", lambda: x34()[5], IndexError, ["5", "3"]),
    ("getitem_range_2", lambda: x34()[0, 4], IndexError, ["4"]),
    ("getitem_too_many", lambda: x34()[0, 0, 0], IndexError, ["3"]),
    ("getitem_two_ellipsis", lambda: x34()[..., ...], IndexError, ["..."]),
    ("getitem_neg_step", lambda: x34()[::-1], ValueError, ["-1"]),
    ("getitem_zero_step", lambda: x34()[::0], ValueError, ["zero"]),
    ("getitem_list", lambda: x34()["a"], TypeError, ["str"]),
    ("getitem_float", lambda: x34()[1.5], TypeError, ["float"]),
    ("getitem_empty", lambda: torch.DoubleTensor()[0], IndexError, []),
    ("setitem_range", lambda: x34().__setitem__(7, 1), IndexError, ["7"]),
    ("setitem_string", lambda: x34().__setitem__(0, "a"), TypeError, ["str"]),
    ("setitem_shape", lambda: x34().__setitem__(0, [1, 2, 3]), ValueError, ["3"]),
    ("setitem_elem_string", lambda: x34().__setitem__((0, 0), "a"), TypeError, ["str"]),
    # negative sizes and offsets, views past the storage end
    ("ctor_neg", lambda: torch.DoubleTensor(-1), ValueError, ["-1"]),
    ("ctor_neg_2", lambda: torch.DoubleTensor(2, -3), ValueError, ["-3"]),
    ("ctor_neg_storage_sizes", lambda: torch.DoubleTensor(torch.LongStorage([2, -3])),
     ValueError, ["-3"]),
    ("resize_neg", lambda: x34().resize(-1), ValueError, ["-1"]),
    ("resize_neg_2", lambda: x34().resize(2, -2), ValueError, ["-2"]),
    ("storage_neg", lambda: torch.DoubleStorage(-1), ValueError, ["-1"]),
    ("storage_resize_neg", lambda: storage5().resize(-4), ValueError, ["-4"]),
    ("ctor_neg_offset", lambda: torch.DoubleTensor(storage5(), -1, (2,)), ValueError, ["-1"]),
    ("set_neg_offset", lambda: x34().set(storage5(), -1, (2,)), ValueError, ["-1"]),
    ("ctor_past_end", lambda: torch.DoubleTensor(storage5(), 4, (2,)), ValueError, ["5"]),
    ("ctor_stride_past_end", lambda: torch.DoubleTensor(storage5(), 0, (3,), (3,)), ValueError,
     ["5"]),
    ("ctor_2d_past_end", lambda: torch.DoubleTensor(storage5(), 0, (2, 3)), ValueError, ["5"]),
    ("set_past_end", lambda: x34().set(storage5(), 3, (3,)), ValueError, ["5"]),
    ("set_past_end_strided", lambda: x34().set(storage5(), 0, (2, 2), (4, 1)), ValueError,
     ["5"]),
    ("ctor_strides_count", lambda: torch.DoubleTensor(storage5(), 0, (2, 2), (1,)), ValueError,
     ["2"]),
    ("storage_view_past_end", lambda: torch.DoubleStorage(storage5(), 2, 4),
     (ValueError, IndexError), ["5"]),
    ("storage_view_offset", lambda: torch.DoubleStorage(storage5(), 7),
     (ValueError, IndexError), ["7"]),
    # wrong types
    ("copy_str", lambda: x34().copy("abc"), TypeError, ["str"]),
    ("copy_none", lambda: x34().copy(None), TypeError, []),
    ("copy_size", lambda: x34().copy(torch.DoubleTensor(5)), ValueError, ["3x4", "5"]),
    ("fill_str", lambda: x34().fill("a"), TypeError, ["str"]),
    ("fill_tensor", lambda: x34().fill(torch.DoubleTensor(2)), TypeError, []),
    ("same_size_int", lambda: x34().isSameSizeAs(3), TypeError, ["int"]),
    ("set_to_str", lambda: x34().isSetTo("a"), TypeError, ["str"]),
    ("expand_as_str", lambda: x34().expandAs("a"), TypeError, ["str"]),
    ("view_as_int", lambda: x34().viewAs(3), TypeError, ["int"]),
    ("resize_as_none", lambda: x34().resizeAs(None), TypeError, []),
    ("type_as_int", lambda: x34().typeAs(1), TypeError, ["int"]),
    ("type_unknown", lambda: x34().type("torch.FooTensor"), ValueError, ["Foo"]),
    ("set_other_type", lambda: x34().set(torch.FloatTensor(2)), TypeError, ["Float"]),
    ("ctor_other_type_view", lambda: torch.DoubleTensor(torch.FloatTensor(2)), TypeError,
     ["Float"]),
    ("ctor_other_storage", lambda: torch.DoubleTensor(torch.FloatStorage(2)), TypeError,
     ["Float"]),
    ("ctor_str", lambda: torch.DoubleTensor("abc"), TypeError, ["str"]),
    ("ctor_bad_elem", lambda: torch.DoubleTensor([1, "a"]), TypeError, ["'a'"]),
    ("ctor_ragged", lambda: torch.DoubleTensor([[1, 2], [3]]), ValueError, ["2"]),
    ("narrow_str", lambda: x34().narrow("a", 0, 1), TypeError, []),
    ("select_float", lambda: x34().select(0, 1.5), TypeError, []),
    ("view_str", lambda: x34().view("a"), TypeError, ["str"]),
    ("resize_str", lambda: x34().resize("a"), TypeError, ["str"]),
    ("permute_str", lambda: x34().permute("a", "b"), TypeError, ["str"]),
    ("storage_copy_tensor", lambda: storage5().copy(x34()), TypeError, []),
    ("storage_copy_size", lambda: storage5().copy(torch.DoubleStorage(4)), ValueError, ["4"]),
    ("storage_get", lambda: storage5()[5], IndexError, ["5"]),
    ("storage_set", lambda: storage5().__setitem__(-6, 1), IndexError, ["-6"]),
    ("storage_fill_str", lambda: storage5().fill("x"), TypeError, ["str"]),
    ("half_uniform", lambda: torch.HalfTensor(2).uniform(), TypeError, ["HalfTensor"]),
    ("bool_ambiguous", lambda: bool(x34()), ValueError, ["3x4"]),
    ("len_empty", lambda: len(torch.DoubleTensor()), TypeError, []),
    ("from_numpy_reversed", lambda: torch.fromNumpy(np.arange(3.0)[::-1]), ValueError,
     ["copy"]),
    ("from_numpy_list", lambda: torch.fromNumpy([1.0]), TypeError, ["list"]),
    ("from_numpy_complex", lambda: torch.fromNumpy(np.zeros(2, np.complex128)), TypeError, []),
    ("from_numpy_readonly", lambda: torch.fromNumpy(np.broadcast_to(np.zeros(1), (3,))),
     ValueError, []),
    ("uniform_str", lambda: x34().uniform("a", 1), TypeError, []),
    ("uniform_too_many", lambda: x34().uniform(0, 1, 2), TypeError, []),
    ("torch_uniform_too_many", lambda: torch.uniform(0, 1, 2), TypeError, []),
    ("set_rng_state_junk", lambda: torch.setRNGState(torch.ByteTensor(4).zero()),
     (ValueError, TypeError), []),
    ("setdefault_junk", lambda: torch.setdefaulttensortype("torch.FooTensor"),
     (ValueError, TypeError), ["Foo"]),
]


@pytest.mark.parametrize("call,exc,words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_arguments(call, exc, words):
    with pytest.raises(exc) as err:
        call()
    msg = str(err.value)
    assert msg, "the exception needs a message"
    for w in words:
        assert w in msg, f"{w!r} not in {msg!r}"


# Writing into an expanded tensor (stride 0 over a size > 1)
def expanded():
    return torch.DoubleTensor([[1, 2, 3]]).expand(4, 3)


@pytest.mark.parametrize("write", [
    lambda e: e.fill(1),
    lambda e: e.zero(),
    lambda e: e.copy(torch.DoubleTensor(4, 3).fill(2)),
    lambda e: e.uniform(),
    lambda e: e.__setitem__(Ellipsis, 5),
    lambda e: e.__setitem__((slice(None), 0), 5),
    lambda e: e.select(1, 1).fill(5),
], ids=["fill", "zero", "copy", "uniform", "setitem_all", "setitem_column", "select_fill"])
def test_write_into_expanded_raises(write):
    e = expanded()
    with pytest.raises(ValueError) as err:
        write(e)
    assert "4" in str(err.value)  # the size of the expanded dim
    assert e.tolist() == [[1, 2, 3]] * 4


def test_write_through_non_expanded_row_of_expanded_is_fine():
    base = torch.DoubleTensor([[1, 2, 3]])
    e = base.expand(4, 3)
    e[2].fill(7)  # one row: stride 1, no sharing inside it
    assert base.tolist() == [[7, 7, 7]]


def test_numel_never_overflows():
    # 2**64 elements do not fit the element count: refused, naming the sizes.
    with pytest.raises(ValueError, match="4294967296x4294967296"):
        torch.DoubleTensor(1).expand(2**32, 2**32)
    # Just inside the range an expanded view (no memory) has the exact count.
    t = torch.DoubleTensor(1).expand(2**31, 2**31)
    assert t.nElement() == 2**62 and t.numel() == 2**62


def test_resize_while_exported_is_buffer_error():
    t = torch.DoubleTensor(3).fill(1)
    a = t.numpy()
    with pytest.raises(BufferError) as err:
        t.resize(100)
    assert "3" in str(err.value) or "export" in str(err.value)
    del a
    gc.collect()
    t.resize(100)
    assert t.size() == (100,)


# ---------------------------------------------------------------------- generic junk sweep

def samples():
    return {
        "2x3": lambda: torch.DoubleTensor(2, 3).fill(1),
        "empty": lambda: torch.DoubleTensor(),
        "1d": lambda: torch.FloatTensor(4).fill(2),
        "transposed": lambda: torch.IntTensor(3, 2).fill(1).t(),
        "half": lambda: torch.HalfTensor(2, 2).fill(1),
        "expanded": lambda: torch.DoubleTensor(1, 3).fill(1).expand(4, 3),
        "zero_size": lambda: torch.ByteTensor(3, 0),
        "one": lambda: torch.LongTensor(1, 1).fill(5),
    }


JUNK = [
    (), (None,), ("a",), (-1,), (0,), (3,), (10**30,), (-(10**30),), (2**63,), (1.5,),
    (float("nan"),), (0, 0), (-1, -1), (1, 2, 3), (5, 5, 5, 5, 5), (2**40, 2**40),
    (-(2**63), 2**63 - 1), (torch.DoubleTensor(2),), (torch.FloatTensor(3, 4),),
    (torch.DoubleTensor(),), ([1, 2],), ((),), (torch.LongStorage([2, 3]),),
    (torch.DoubleStorage(2),), (np.zeros((2, 3)),), (object(),), (slice(None),), (Ellipsis,),
    (0, -1), (1, 0, 2**62), (torch.Generator(),), ((2**32, 2**32),),
]

DUNDERS = ["__getitem__", "__setitem__", "__len__", "__iter__", "__bool__", "__str__",
           "__repr__", "__array__", "__dlpack__", "__reduce__", "__eq__", "__hash__"]


def tensor_methods():
    return sorted(n for n in dir(torch.DoubleTensor(1)) if not n.startswith("_")) + DUNDERS


def check_result(r, where):
    """A tensor result must be self-consistent and readable."""
    if not isinstance(r, torch.Tensor):
        return
    n = r.nElement()
    want = math.prod(r.size()) if r.dim() else 0
    assert n == want, f"{where}: nElement() {n} but sizes {list(r.size())}"
    if n < 10**5 and all(s < 10**5 for s in r.size()):
        r.tolist()
        str(r)


def short(args):
    def one(a):
        if isinstance(a, (torch.Tensor, torch.Storage, np.ndarray)):
            return type(a).__name__
        return repr(a)

    return "(" + ", ".join(one(a) for a in args) + ")"


def call_ok(fn, args, where, problems):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. numpy's dtype-alias warning for __array__('a')
            r = fn(*args)
        check_result(r, where)
    except AssertionError as e:
        problems.append(str(e))
    except Exception:  # noqa: BLE001, S110 - ordinary Python exceptions are what we want
        pass
    except BaseException as e:  # noqa: BLE001 - pyo3's PanicException is a BaseException
        problems.append(f"{where}: {type(e).__name__}: {e}")


@pytest.mark.parametrize("sample", list(samples()))
def test_junk_arguments_to_every_tensor_method(sample):
    make = samples()[sample]
    problems = []
    for name in tensor_methods():
        for args in JUNK:
            t = make()
            call_ok(getattr(t, name), args, f"{sample}.{name}{short(args)}", problems)
    assert not problems, "\n".join(problems[:30])


def test_junk_arguments_to_constructors_and_functions():
    problems = []
    ctors = [getattr(torch, n + k) for n in ["Byte", "Char", "Short", "Int", "Long", "Float",
                                                "Double", "Half"] for k in ("Tensor", "Storage")]
    ctors += [torch.Tensor, torch.Storage]
    funcs = [torch.fromNumpy, torch.fromDLPack, torch.manualSeed, torch.initialSeed,
             torch.getRNGState, torch.uniform, torch.isTensor, torch.isStorage, torch.typename,
             torch.type, torch.numel, torch.seed]
    state = torch.getRNGState()
    try:
        for fn in ctors + funcs:
            for args in JUNK + [(torch.DoubleStorage(4), 0, (2,), (1,), 5),
                                (torch.DoubleStorage(4), 2**62, 1),
                                (torch.DoubleStorage(4), 0, 2**40, 0, 2**40, 0),
                                ([[1], [2, 3]],), ([float("nan"), 2**70],)]:
                call_ok(fn, args, f"{getattr(fn, '__name__', fn)}{short(args)}", problems)
    finally:
        torch.setRNGState(state)
    assert not problems, "\n".join(problems[:30])


def test_junk_arguments_to_storage_methods():
    problems = []
    names = sorted(n for n in dir(torch.DoubleStorage(1)) if not n.startswith("_"))
    names += ["__getitem__", "__setitem__", "__len__", "__iter__", "__str__", "__eq__"]
    for cls in (torch.DoubleStorage, torch.ByteStorage, torch.HalfStorage):
        for name in names:
            for args in JUNK:
                s = cls(3)
                call_ok(getattr(s, name), args, f"{cls.__name__}.{name}{short(args)}", problems)
    assert not problems, "\n".join(problems[:30])


def test_cuda_without_the_backend_is_a_clear_runtime_error():
    from ferrotorch import nn

    for attempt in (lambda: torch.CudaTensor(4, 6), lambda: torch.randn(3).cuda(),
                    lambda: nn.Linear(2, 2).cuda()):
        with pytest.raises(RuntimeError, match="without its CUDA backend"):
            attempt()
