"""Safety of torch.save / torch.load: atomic saves, and malformed files (truncated, wrong tags,
huge sizes, negative strides, views past their storage, reference loops, deep nesting, random
corruption) rejected with a clear ValueError, without allocating what the file cannot hold."""

import os
import struct
import tracemalloc

import ferrotorch as torch
import pytest
from ferrotorch import nn
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def i32(v):
    return struct.pack("<i", v)


def i64(v):
    return struct.pack("<q", v)


def s(text):
    return i32(len(text)) + text.encode()


def tensor_file(size=3, stride=1, offset1=1, storage_n=3, data=3, tag=4, storage_ref=2):
    """A DoubleTensor file assembled by hand, with each field open to corruption."""
    head = i32(tag) + i32(1) + s("V 1") + s("torch.DoubleTensor") + i32(1) + i64(size) \
        + i64(stride) + i64(offset1)
    storage = i32(4) + i32(storage_ref) + s("V 1") + s("torch.DoubleStorage") + i64(storage_n) \
        + struct.pack(f"<{data}d", *range(data))
    return head + storage


def test_hand_made_file_loads():
    assert torch.deserialize(tensor_file()).tolist() == [0.0, 1.0, 2.0]


@pytest.mark.parametrize("kwargs, message", [
    ({"stride": -1}, "negative stride -1"),
    ({"size": -3}, "negative size -3"),
    ({"size": 4}, "past the end of its storage"),
    ({"offset1": 2}, "past the end of its storage"),
    ({"offset1": 0}, "storage offset 0"),
    ({"tag": 11}, "unknown type tag 11"),
    ({"storage_ref": 1}, "reference loop"),
    ({"storage_n": 2**62}, "claims 4611686018427387904 elements"),
    ({"storage_n": -5}, "negative size -5"),
    ({"data": 2}, "only 16 bytes are left"),
])
def test_malformed_tensor_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        torch.deserialize(tensor_file(**kwargs))


def test_huge_claims_allocate_nothing():
    tracemalloc.start()
    try:
        for bad in (tensor_file(storage_n=2**40, data=0),
                    i32(3) + i32(1) + i32(2**31 - 1),  # a table of 2^31 - 1 pairs
                    i32(2) + i32(2**31 - 1) + b"abc"):  # a 2 GB string
            with pytest.raises(ValueError):
                torch.deserialize(bad)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20
    # The Rust side checks each count against the bytes left before allocating (see the
    # reader's check_count); a 2^40-element storage would otherwise need 8 TB.


def valid_files():
    torch.manualSeed(5)
    model = nn.Sequential().add(nn.Linear(3, 2)).add(nn.Tanh())
    obj = {"m": model, "t": torch.randn(2, 3).t(), "s": "x", "l": [1, 2.5, True]}
    return [torch.serialize(obj), torch.serialize(obj, "ascii")]


@pytest.mark.parametrize("fmt", ["binary", "ascii"])
def test_every_truncation_is_rejected(fmt):
    data = valid_files()[fmt == "ascii"]
    step = max(1, len(data) // 300)
    for n in list(range(0, len(data) - 1, step)) + [len(data) - 1]:
        with pytest.raises(ValueError, match="truncated|claims"):
            torch.deserialize(data[:n], fmt)


def test_deep_nesting_is_rejected_not_a_crash():
    nested = []
    for _ in range(30000):
        nested = [nested]
    with pytest.raises(ValueError, match="deeper than"):
        torch.serialize(nested)
    data = b"".join(i32(3) + i32(i + 1) + i32(1) + i32(1) + struct.pack("<d", 1) for i in
                    range(30000))
    with pytest.raises(ValueError, match="deeper than"):
        torch.deserialize(data)


def test_moderately_deep_structures_work():
    nested = "leaf"
    for _ in range(5000):
        nested = [nested]
    back = torch.deserialize(torch.serialize(nested))
    for _ in range(5000):
        back = back[0]
    assert back == "leaf"


FILES = valid_files()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(which=st.integers(0, 1), edits=st.lists(st.tuples(st.integers(0, 10**6),
                                                         st.integers(0, 255)), min_size=1,
                                               max_size=6), cut=st.integers(0, 10**6))
def test_random_corruption_loads_or_raises_value_error(which, edits, cut):
    data = bytearray(FILES[which])
    for pos, byte in edits:
        data[pos % len(data)] = byte
    if cut % 3 == 0:
        data = data[: cut % len(data)]
    try:
        torch.deserialize(bytes(data), "ascii" if which else "binary")
    except ValueError:
        pass


def test_save_is_atomic(tmp_path):
    path = tmp_path / "model.t7"
    torch.save(path, {"version": 1})
    before = path.read_bytes()
    nested = []
    for _ in range(30000):
        nested = [nested]
    with pytest.raises(ValueError):
        torch.save(path, nested)  # fails inside the writer
    with pytest.raises(TypeError):
        torch.save(path, object())  # fails before writing
    assert path.read_bytes() == before
    torch.save(path, {"version": 2})
    assert torch.load(path) == {"version": 2}
    assert os.listdir(tmp_path) == ["model.t7"]  # no temporary file left behind


def test_save_replaces_by_rename(tmp_path):
    path = tmp_path / "m.t7"
    torch.save(path, [1])
    old = os.stat(path).st_ino
    torch.save(path, [2])
    assert os.stat(path).st_ino != old  # a new file renamed over the old one, never rewritten
