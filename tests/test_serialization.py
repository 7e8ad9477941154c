"""torch.save / torch.load / torch.serialize / torch.deserialize: round trips of every kind of
object, shared references and cycles, nn models, clearState on save, and files we write read
back by the independent `torchfile` package."""

import math
import warnings

import ferrotorch as torch
import numpy as np
import pytest
from ferrotorch import nn

TYPES = ["Byte", "Char", "Short", "Int", "Long", "Float", "Double", "Half"]
FORMATS = ["binary", "ascii", "b32", "b64"]
SAMPLES = {
    "Byte": [0, 1, 127, 255], "Char": [-128, -1, 0, 127], "Short": [-32768, 0, 32767, 5],
    "Int": [-2**31, 0, 2**31 - 1, 7], "Long": [-2**63, 0, 2**63 - 1, 2**53 + 1],
    "Float": [0.1, -1e30, float("inf"), 1.5e-40], "Double": [0.1, -1e300, 1e-310, math.pi],
    "Half": [0.5, -2.0, 65504.0, 0.000061035156],
}


def same(a, b):
    """Element-wise equality that treats nan as equal to nan."""
    return len(a) == len(b) and all(x == y or (math.isnan(x) and math.isnan(y))
                                    for x, y in zip(a, b))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", TYPES)
def test_tensor_and_storage_round_trip(name, fmt):
    data = SAMPLES[name]
    t = getattr(torch, f"{name}Tensor")(data + data[::-1]).view(2, 4)
    s = getattr(torch, f"{name}Storage")(data)
    back_t, back_s = torch.deserialize(torch.serialize([t, s], fmt), fmt)
    assert back_t.type() == t.type() and list(back_t.size()) == [2, 4]
    assert same(back_t.view(-1).tolist(), t.view(-1).tolist())
    assert back_s.type() == s.type() and same(back_s.tolist(), s.tolist())


@pytest.mark.parametrize("fmt", FORMATS)
def test_views_keep_strides_offset_and_shared_storage(fmt):
    base = torch.DoubleTensor(4, 5).copy(torch.DoubleTensor(list(range(20))).view(4, 5))
    t = base.t()
    n = base.narrow(0, 1, 2).narrow(1, 2, 3)
    d = torch.deserialize(torch.serialize({"base": base, "t": t, "n": n, "again": t}, fmt), fmt)
    assert d["t"] is d["again"]
    assert list(d["t"].stride()) == [1, 5] and d["n"].storageOffset() == 7
    assert d["t"].tolist() == t.tolist() and d["n"].tolist() == n.tolist()
    ids = {d[k].storage().cdata() for k in ("base", "t", "n")}
    assert len(ids) == 1
    d["base"].fill(-1)
    assert d["n"].tolist() == [[-1.0] * 3] * 2


def test_empty_and_zero_size_tensors():
    e = torch.FloatTensor()
    z = torch.DoubleTensor(3, 0)
    back = torch.deserialize(torch.serialize([e, z]))
    assert back[0].type() == "torch.FloatTensor" and back[0].dim() == 0
    assert list(back[1].size()) == [3, 0]


@pytest.mark.parametrize("fmt", ["binary", "ascii"])
def test_plain_values_round_trip(fmt):
    obj = {"int": 3, "float": 0.1, "big": 2.0**60, "neg": -7, "nan": math.nan,
           "inf": -math.inf, "str": "héllo\nworld", "bytes": b"\xff\x00raw", "t": True,
           "f": False, "list": [1, "two", [3.5]], "tuple": (4, 5), "empty": [],
           "nested": {"a": {"b": {"c": 1}}}, 7: "number key", 2.5: "float key"}
    back = torch.deserialize(torch.serialize(obj, fmt), fmt)
    assert math.isnan(back.pop("nan")) and back.pop("big") == 2.0**60
    obj.pop("nan")
    obj.pop("big")
    obj["tuple"] = [4, 5]  # a Lua table with keys 1..n loads as a list
    assert back == obj
    assert torch.deserialize(torch.serialize(None)) is None
    assert torch.deserialize(torch.serialize(2**53)) == 2**53  # whole numbers load as int
    assert type(torch.deserialize(torch.serialize(2**53 + 2))) is float


def test_lua_table_rules():
    # A hole makes a table a dict (Lua tables hold no nil), keys keep their Lua types.
    assert torch.deserialize(torch.serialize([1, None, 3])) == {1: 1, 3: 3}
    assert torch.deserialize(torch.serialize({1: "a", 2: "b"})) == ["a", "b"]
    both = torch.deserialize(torch.serialize({1: "one", torch.LuaKey(True): "yes"}))
    assert both == {1: "one", torch.LuaKey(True): "yes"}
    assert torch.deserialize(torch.serialize({True: "t"})) == {True: "t"}


def test_shared_references_and_cycles():
    a = [1, 2]
    d = {"x": a, "y": a}
    d["self"] = d
    a.append(d)
    back = torch.deserialize(torch.serialize(d))
    assert back["x"] is back["y"] and back["self"] is back and back["x"][2] is back
    t = torch.randn(3)
    lst = [t, t, t.storage(), t.storage()]
    b = torch.deserialize(torch.serialize(lst))
    assert b[0] is b[1] and b[2].cdata() == b[0].storage().cdata() == b[3].cdata()


def test_module_round_trip_forward_and_fields():
    torch.manualSeed(3)
    mlp = nn.Sequential().add(nn.Linear(4, 3)).add(nn.Tanh()).add(nn.Linear(3, 2)) \
        .add(nn.LogSoftMax())
    x = torch.randn(5, 4)
    y = mlp.forward(x).clone()
    back = torch.deserialize(torch.serialize(mlp))
    assert type(back) is nn.Sequential and [type(m) for m in back.modules] == \
        [nn.Linear, nn.Tanh, nn.Linear, nn.LogSoftMax]
    assert back.get(0).weight.tolist() == mlp.get(0).weight.tolist()
    assert back.forward(x).tolist() == y.tolist()
    # training still works on the loaded model
    crit = nn.ClassNLLCriterion()
    target = torch.LongTensor([0, 1, 1, 0, 1])
    back.zeroGradParameters()
    crit.forward(back.output, target)
    back.backward(x, crit.backward(back.output, target))
    assert back.get(0).gradWeight.abs().sum() > 0


def test_criterion_and_container_of_criterions():
    c = nn.MultiCriterion().add(nn.MSECriterion()).add(nn.AbsCriterion(), 0.5)
    x, y = torch.randn(4), torch.randn(4)
    back = torch.deserialize(torch.serialize(c))
    assert back.forward(x, y) == c.forward(x, y)


def test_save_drops_buffers_unless_asked_and_leaves_model_alone():
    lin = nn.Linear(3, 2)
    lin.forward(torch.randn(3))
    lin.backward(torch.randn(3), torch.randn(2))
    out = lin.output.clone()
    light = torch.deserialize(torch.serialize(lin))
    assert light.output.nElement() == 0 and light.gradInput.nElement() == 0
    assert light.weight.tolist() == lin.weight.tolist()
    assert lin.output.tolist() == out.tolist()  # the live model keeps its buffers
    full = torch.deserialize(torch.serialize(lin, clear_state=False))
    assert full.output.tolist() == out.tolist() and full.gradInput.nElement() == 3
    assert len(torch.serialize(lin)) < len(torch.serialize(lin, clear_state=False))


def test_placeholders_for_unknown_classes_and_functions():
    exotic = torch.TorchObject("nn.Exotic", {"weight": torch.Tensor([1, 2]), "k": 3})
    f = torch.LuaFunction(b"\x1bLJ\x02bytecode", [1, 2])
    seq = {"model": exotic, "fn": f}
    back = torch.deserialize(torch.serialize(seq))
    assert isinstance(back["model"], torch.TorchObject)
    assert back["model"].torch_typename() == "nn.Exotic" and back["model"].k == 3
    assert back["model"].weight.tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="nn.Exotic is not implemented"):
        back["model"].forward(torch.Tensor(2))
    assert back["fn"].bytecode == f.bytecode and back["fn"].upvalues == [1, 2]
    with pytest.raises(RuntimeError, match="cannot run"):
        back["fn"]()
    # An unknown module inside a container: the file opens, running it names the class.
    s = nn.Sequential().add(nn.Identity())
    s.modules.append(torch.TorchObject("nn.Exotic", {}))
    loaded = torch.deserialize(torch.serialize(s))
    with pytest.raises(RuntimeError, match="nn.Exotic"):
        loaded.forward(torch.randn(2))


def test_unwritable_fields_are_skipped_with_a_warning():
    lin = nn.Linear(2, 2)
    lin.callback = lambda: None
    with pytest.warns(UserWarning, match="cannot write"):
        back = torch.deserialize(torch.serialize(lin))
    assert not hasattr(back, "callback") or back.callback is None
    with pytest.raises(TypeError, match="cannot write an object of type function"):
        torch.serialize(lambda: None)


def test_numpy_arrays_save_as_tensors():
    back = torch.deserialize(torch.serialize({"a": np.arange(6, dtype=np.float32).reshape(2, 3)}))
    assert back["a"].type() == "torch.FloatTensor" and back["a"].tolist() == [[0, 1, 2], [3, 4, 5]]


def test_save_and_load_files(tmp_path):
    path = tmp_path / "model.t7"
    torch.save(path, {"w": torch.ones(2)}, "ascii")
    assert path.read_bytes().startswith(b"3\n1\n")
    assert torch.load(path, "ascii")["w"].tolist() == [1.0, 1.0]
    assert torch.loadobj(str(path), "ascii")["w"].tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="format must be"):
        torch.save(path, 1, "text")
    with pytest.raises(RuntimeError, match="cannot read"):
        torch.load(tmp_path / "missing.t7")


def test_b32_files_load_without_being_told():
    data = torch.serialize({"t": torch.randn(3, 2).t()}, "b32")
    assert torch.deserialize(data)["t"].stride() == (1, 2)
    assert torch.deserialize(data, "b32")["t"].size() == (2, 3)
    with pytest.raises(ValueError):
        torch.deserialize(data, "b64")


def test_cuda_tensors_load_as_float():
    # A torch.CudaTensor file (what cutorch wrote) with the payload of a FloatTensor.
    f = torch.serialize(torch.FloatTensor([1.5, 2.5]))
    cuda = f.replace(b"\x11\x00\x00\x00torch.FloatTensor", b"\x10\x00\x00\x00torch.CudaTensor") \
        .replace(b"\x12\x00\x00\x00torch.FloatStorage", b"\x11\x00\x00\x00torch.CudaStorage")
    assert cuda != f
    t = torch.deserialize(cuda)
    assert t.type() == "torch.FloatTensor" and t.tolist() == [1.5, 2.5]


# ------------------------------------------------------------------ the torchfile package

torchfile = pytest.importorskip("torchfile")


def tf_load(tmp_path, obj, name="x.t7"):
    path = tmp_path / name
    torch.save(path, obj)
    return torchfile.load(str(path), utf8_decode_strings=True)


@pytest.mark.parametrize("name", [t for t in TYPES if t != "Half"])  # torchfile lacks Half
def test_torchfile_reads_our_tensors(tmp_path, name):
    t = getattr(torch, f"{name}Tensor")(SAMPLES[name] * 3).view(3, 4).t()
    arr = tf_load(tmp_path, t)
    assert arr.shape == (4, 3)
    np.testing.assert_array_equal(arr, np.asarray(t.numpy()))


def test_torchfile_reads_our_tables_and_modules(tmp_path):
    w = torch.randn(2, 3)
    got = tf_load(tmp_path, {"w": w, "again": w, "n": 2.5, "s": "text", "b": True,
                             "list": [10, 20, 30]})
    np.testing.assert_array_equal(got["w"], np.asarray(w.numpy()))
    assert got["again"] is got["w"]
    assert got["n"] == 2.5 and got["s"] == "text" and got["b"] is True
    assert list(got["list"]) == [10, 20, 30]
    lin = nn.Linear(3, 2)
    obj = tf_load(tmp_path, nn.Sequential().add(lin).add(nn.Tanh()), "m.t7")
    assert obj.torch_typename() == b"nn.Sequential"
    first = obj.modules[0]
    assert first.torch_typename() == b"nn.Linear"
    np.testing.assert_array_equal(first.weight, np.asarray(lin.weight.numpy()))
    np.testing.assert_array_equal(first.bias, np.asarray(lin.bias.numpy()))
    assert first.output.size == 0  # saved without buffers


def test_torchfile_reads_our_gmodule(tmp_path):
    x = nn.Identity()()
    y = nn.Tanh()(nn.Linear(3, 2)(x))
    g = nn.gModule([x], [y])
    obj = tf_load(tmp_path, g)
    assert obj.torch_typename() == b"nn.gModule"
    names = sorted(m.torch_typename() for m in obj.modules)
    assert names == [b"nn.Identity", b"nn.Linear", b"nn.Tanh"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        back = torch.deserialize(torch.serialize(g))
    v = torch.randn(3)
    assert back.forward(v).tolist() == g.forward(v).tolist()


def test_positions_are_one_based_in_the_file(tmp_path):
    """0-based dims/indices in ferrotorch are Torch7's 1-based numbers in the file."""
    m = nn.Sequential().add(nn.Narrow(0, 1, 2)).add(nn.Select(0, -1)).add(nn.Padding(0, 2))
    obj = tf_load(tmp_path, m)
    narrow, select, pad = obj.modules
    assert (narrow.dimension, narrow.index, narrow.length) == (1, 2, 2)
    assert (select.dimension, select.index) == (1, -1)  # negative positions are unchanged
    assert pad.dim == 1
    back = torch.deserialize(torch.serialize(m))
    assert (back.get(0).dimension, back.get(0).index, back.get(1).index) == (0, 1, -1)
    x = torch.randn(4, 3)
    assert back.forward(x).tolist() == m.forward(x).tolist()


@pytest.mark.parametrize("make", [
    lambda: nn.VolumetricMaxPooling(2, 3, 2, 2, 2, 1, 1, 1, 0),
    lambda: nn.VolumetricDilatedMaxPooling(2, 2, 2, 1, 2, 1, 1, 0, 1, 2, 1, 2),
], ids=["VolumetricMaxPooling", "VolumetricDilatedMaxPooling"])
def test_volumetric_max_indices_are_packed_as_torch7(tmp_path, make):
    """Torch7 packs each maximum's in-window (t, h, w) offset into a long's low bytes;
    ferrotorch's flat positions go out packed and come back flat, and unpooling still works."""
    m = make()
    x = torch.randn(2, 3, 6, 7, 8)
    y = m.forward(x).clone()
    path = tmp_path / "pool.t7"
    torch.save(path, m, clear_state=False)
    obj = torchfile.load(str(path))
    packed = obj.indices.reshape(-1)
    assert packed.max() < 1 << 24 and packed.min() >= 0
    offsets = [(packed >> (8 * i)) & 255 for i in range(3)]
    assert offsets[0].max() < m.kT and offsets[1].max() < m.kH and offsets[2].max() < m.kW
    back = torch.load(path)
    assert back.indices.equal(m.indices)
    assert back.forward(x).equal(y)
    unpool = nn.VolumetricMaxUnpooling(nn.VolumetricMaxPooling(2, 2, 2))
    unpool.pooling.forward(x)
    again = torch.deserialize(torch.serialize(unpool, clear_state=False))
    z = torch.randn(*unpool.pooling.output.size())
    assert again.forward(z).equal(unpool.forward(z))
