"""Convolutions (nn/conv.py over ferrotorch::nn::conv): Torch7's zoo records, the nn/
fixture, init/ records (reset draws), finite-difference Jacobians in batch and non-batch
mode, PyTorch's conv1d/2d/3d and conv_transpose2d/3d as oracles (float64, forward and
autograd backward), output sizes at the edges (padding, stride > kernel, dilation) and the
errors."""

import ferrotorch as torch
import pytest
from ferrotorch import nn
from nn_testing import (
    assert_close,
    check_batch_matches_single,
    check_init_record,
    check_jacobian,
    check_zoo_module,
    init_record,
    nn_record,
    value,
    zoo,
)

# The recordings these tests load (as traced from the loads below).
TORCH7_FIXTURES = [
    *(f"init/{n}.json" for n in (
        "SpatialConvolution", "SpatialConvolutionLocal", "SpatialConvolutionMM",
        "SpatialConvolutionMap", "SpatialConvolutionMap_random", "SpatialDepthWiseConvolution",
        "SpatialDilatedConvolution", "SpatialFullConvolution", "SpatialFullConvolutionMap",
        "SpatialSubSampling", "VolumetricConvolution", "VolumetricDilatedConvolution",
        "VolumetricFullConvolution",
    )),
    *(f"nn/{n}.json" for n in (
        "SpatialConvolution",
    )),
    *(f"nn_zoo/{n}.json" for n in (
        "SpatialConvolution", "SpatialConvolutionLocal", "SpatialConvolutionMM",
        "SpatialConvolutionMap", "SpatialDepthWiseConvolution", "SpatialDilatedConvolution",
        "SpatialFullConvolution", "SpatialFullConvolutionMap", "SpatialSubSampling",
        "VolumetricConvolution", "VolumetricDilatedConvolution", "VolumetricFullConvolution",
    )),
]

UNROLLED = ["SpatialConvolution", "SpatialConvolutionMM", "SpatialDilatedConvolution",
            "SpatialDepthWiseConvolution", "SpatialFullConvolution", "VolumetricConvolution",
            "VolumetricDilatedConvolution", "VolumetricFullConvolution"]
DIRECT = ["SpatialConvolutionMap", "SpatialFullConvolutionMap", "SpatialSubSampling",
          "SpatialConvolutionLocal"]
ZOO = UNROLLED + DIRECT
INIT = UNROLLED + DIRECT


def build(name):
    return getattr(nn, name)(*value(zoo(name)["constructor_args"]))


@pytest.mark.parametrize("name", ZOO)
def test_zoo_record(name):
    check_zoo_module(build(name), tol=1e-12)


def test_zoo_record_float():
    """The record replayed in single precision."""
    rec = zoo("SpatialConvolution")
    m = build("SpatialConvolution").float()
    for key in ("input", "gradOutput"):
        rec[key]["type"] = "torch.FloatTensor"
    for p in rec["parameters"] + rec["gradParameters"]:
        p["tensor"]["type"] = "torch.FloatTensor"
    rec["output"]["type"] = rec["gradInput"]["type"] = "torch.FloatTensor"
    check_zoo_module(m, rec, tol=1e-5)
    assert m.output.type() == "torch.FloatTensor"


def test_nn_fixture_spatial_convolution():
    """fixtures nn/SpatialConvolution.json: nn.SpatialConvolution(3,4,3,3,1,1,1,1)."""
    rec = nn_record("SpatialConvolution")
    m = nn.SpatialConvolution(3, 4, 3, 3, 1, 1, 1, 1)
    check_zoo_module(m, rec, tol=1e-12, check_repr=False)
    assert_close(m.gradWeight, value(rec["gradWeight"]), 1e-12, "gradWeight")
    assert_close(m.gradBias, value(rec["gradBias"]), 1e-12, "gradBias")


def init_build(name):
    """Map records' constructors take a Lua table expression: rebuild it here."""
    if name == "SpatialConvolutionMap_random":
        return lambda: nn.SpatialConvolutionMap(nn.tables.random(3, 4, 2), 3, 3)
    rec = init_record(name)
    args = rec["constructor_args"]
    if isinstance(args[0], dict) and "lua" in args[0]:
        lua = args[0]["lua"]
        fn, nums = lua[len("nn.tables."):].split("(")
        table = getattr(nn.tables, fn)(*[int(v) for v in nums.rstrip(")").split(",")])
        return lambda: getattr(nn, name)(table, *args[1:])
    return None


@pytest.mark.parametrize("name", INIT + ["SpatialConvolutionMap_random"])
def test_init_record(name):
    check_init_record(name, init_build(name))


def test_tables_random_draws_like_torch7():
    """connTable of init/SpatialConvolutionMap_random.json: randperm chunks, one per output."""
    rec = init_record("SpatialConvolutionMap_random")
    torch.manualSeed(rec["seed"])
    assert_close(nn.tables.random(3, 4, 2), value(rec["buffers"]["connTable"]), 0.0)


def test_tables():
    assert nn.tables.full(2, 3).tolist() == [[0, 0], [1, 0], [0, 1], [1, 1], [0, 2], [1, 2]]
    assert nn.tables.oneToOne(3).tolist() == [[0, 0], [1, 1], [2, 2]]
    t = nn.tables.random(5, 7, 3)
    assert t.size(0) == 21 and t[:, 1].tolist() == [float(i // 3) for i in range(21)]
    for o in range(7):  # distinct inputs per output plane
        ins = t[o * 3:(o + 1) * 3, 0].tolist()
        assert len(set(ins)) == 3 and all(0 <= i < 5 for i in ins)


# ---------------------------------------------------------------- Jacobians
JACOBIAN = [
    ("SpatialConvolution", (2, 3, 3, 2, 1, 2, 1, 0), (2, 5, 4)),
    ("SpatialConvolution", (2, 2, 2, 2, 3, 3), (2, 7, 7)),  # stride > kernel
    ("SpatialConvolutionMM", (2, 3, 3, 3, 2, 2, 1), (2, 5, 5)),
    ("SpatialDilatedConvolution", (2, 2, 3, 2, 1, 1, 1, 0, 2, 1), (2, 6, 5)),
    ("SpatialDepthWiseConvolution", (2, 2, 3, 3, 1, 1, 1), (2, 4, 4)),
    ("SpatialFullConvolution", (2, 3, 3, 3, 2, 2, 1, 1, 1, 1), (2, 3, 3)),
    ("VolumetricConvolution", (2, 2, 2, 2, 2, 1, 1, 1, 1, 0, 1), (2, 3, 3, 3)),
    ("VolumetricDilatedConvolution", (1, 2, 2, 2, 2, 1, 1, 1, 0, 0, 0, 2, 1, 2), (1, 4, 3, 4)),
    ("VolumetricFullConvolution", (2, 2, 2, 2, 2, 2, 2, 2, 0, 0, 0, 1, 0, 1), (2, 2, 2, 2)),
    ("SpatialConvolutionLocal", (2, 2, 5, 4, 3, 2, 2, 1, 1, 0), (2, 4, 5)),
    ("SpatialSubSampling", (2, 2, 3, 2, 1), (2, 5, 6)),
]
MAPS = [("SpatialConvolutionMap", 3, 3, 2, 1, (3, 7, 6)),
        ("SpatialFullConvolutionMap", 2, 3, 2, 2, (3, 3, 4))]


@pytest.mark.parametrize("name,kw,kh,dw,dh,size", MAPS, ids=[m[0] for m in MAPS])
def test_map_jacobian(name, kw, kh, dw, dh, size):
    torch.manualSeed(9)
    m = getattr(nn, name)(nn.tables.random(3, 4, 2), kw, kh, dw, dh)
    check_jacobian(m, torch.randn(*size))
    check_jacobian(m, torch.randn(2, *size))
    check_batch_matches_single(m, torch.randn(3, *size))


@pytest.mark.parametrize("name,args,size", JACOBIAN, ids=[j[0] for j in JACOBIAN])
def test_jacobian(name, args, size):
    torch.manualSeed(7)
    m = getattr(nn, name)(*args)
    check_jacobian(m, torch.randn(*size))
    check_jacobian(m, torch.randn(3, *size))


@pytest.mark.parametrize("name,args,size", JACOBIAN, ids=[j[0] for j in JACOBIAN])
def test_batch_matches_single(name, args, size):
    torch.manualSeed(8)
    m = getattr(nn, name)(*args)
    check_batch_matches_single(m, torch.randn(4, *size))


# ---------------------------------------------------------------- PyTorch oracles
def pt_tensor(pt, t):
    return pt.tensor(t.double().tolist(), dtype=pt.float64)


def ours(pt_t):
    return torch.Tensor(pt_t.detach().tolist())


def oracle(pt, m, x, fn):
    """Forward and backward of m against fn(pt input, pt weight, pt bias) under autograd."""
    out = m.forward(x)
    g = torch.randn(out.size())
    m.zeroGradParameters()
    gi = m.backward(x, g)
    px = pt_tensor(pt, x).requires_grad_()
    pw = pt_tensor(pt, m.weight).requires_grad_()
    pb = pt_tensor(pt, m.bias).requires_grad_() if m.__dict__.get("bias") is not None else None
    po = fn(px, pw, pb)
    po.backward(pt_tensor(pt, g))
    assert_close(out, ours(po), 1e-10, "output")
    assert_close(gi, ours(px.grad), 1e-10, "gradInput")
    assert_close(m.gradWeight, ours(pw.grad), 1e-10, "gradWeight")
    if pb is not None:
        assert_close(m.gradBias, ours(pb.grad), 1e-10, "gradBias")


CONV2D = [
    (3, 4, 3, 3, 1, 1, 0, 0, (2, 3, 7, 6)),
    (3, 4, 5, 3, 2, 1, 2, 1, (2, 3, 8, 9)),
    (2, 5, 1, 1, 1, 1, 0, 0, (3, 2, 4, 4)),
    (2, 3, 2, 3, 3, 4, 0, 1, (2, 2, 9, 10)),
    (16, 8, 5, 5, 1, 1, 0, 0, (3, 16, 5, 5)),   # 1x1 output (the talk's third layer shape)
    (3, 4, 3, 3, 1, 1, 1, 1, (3, 7, 7)),         # non-batch
]


@pytest.mark.parametrize("cfg", CONV2D)
@pytest.mark.parametrize("cls", ["SpatialConvolution", "SpatialConvolutionMM"])
def test_conv2d_oracle(cls, cfg):
    pt = pytest.importorskip("torch")
    nin, nout, kw, kh, dw, dh, pw, ph, size = cfg
    torch.manualSeed(3)
    m = getattr(nn, cls)(nin, nout, kw, kh, dw, dh, pw, ph)

    def fn(x, w, b):
        return pt.nn.functional.conv2d(x, w.view(nout, nin, kh, kw), b, (dh, dw), (ph, pw))
    oracle(pt, m, torch.randn(*size), fn)


def test_no_bias_oracle():
    pt = pytest.importorskip("torch")
    m = nn.SpatialConvolution(2, 3, 3, 3).noBias()
    assert str(m) == "nn.SpatialConvolution(2 -> 3, 3x3) without bias"
    oracle(pt, m, torch.randn(2, 2, 5, 5), lambda x, w, b: pt.nn.functional.conv2d(x, w))


def test_dilated_oracle():
    pt = pytest.importorskip("torch")
    m = nn.SpatialDilatedConvolution(2, 3, 3, 2, 2, 1, 1, 2, 2, 3)
    oracle(pt, m, torch.randn(2, 2, 9, 8), lambda x, w, b: pt.nn.functional.conv2d(
        x, w, b, (1, 2), (2, 1), (3, 2)))


def test_depthwise_oracle():
    """Plane c*nOut + o is input plane c with filter o: PyTorch's grouped conv2d with the
    weight regrouped per input plane and the bias transposed."""
    pt = pytest.importorskip("torch")
    nin, nout = 3, 2
    m = nn.SpatialDepthWiseConvolution(nin, nout, 3, 2, 2, 1, 1, 0)

    def fn(x, w, b):
        wg = w.view(nout, nin, 2, 3).transpose(0, 1).reshape(nin * nout, 1, 2, 3)
        return pt.nn.functional.conv2d(x, wg, b.t().reshape(-1), (1, 2), (0, 1), groups=nin)
    oracle(pt, m, torch.randn(2, nin, 5, 7), fn)


def test_full_oracle():
    pt = pytest.importorskip("torch")
    m = nn.SpatialFullConvolution(3, 2, 3, 2, 2, 3, 1, 0, 1, 2)
    oracle(pt, m, torch.randn(2, 3, 4, 5), lambda x, w, b: pt.nn.functional.conv_transpose2d(
        x, w, b, (3, 2), (0, 1), (2, 1)))


def test_full_size_reference():
    """{input, sizeRef}: the output takes sizeRef's size, gradInput is {gradInput, zeros}."""
    m = nn.SpatialFullConvolution(2, 3, 3, 3, 2, 2, 1, 1)
    x, ref = torch.randn(2, 4, 4), torch.randn(5, 8, 8)
    out = m.forward([x, ref])
    assert list(out.size()) == [3, 8, 8]
    assert list(m.forward(x).size()) == [3, 7, 7]
    m.forward([x, ref])
    gi = m.backward([x, ref], torch.randn(3, 8, 8))
    assert isinstance(gi, list) and list(gi[0].size()) == [2, 4, 4]
    assert gi[1].size() == ref.size() and gi[1].abs().sum() == 0


def test_volumetric_oracle():
    pt = pytest.importorskip("torch")
    m = nn.VolumetricConvolution(2, 3, 2, 3, 2, 1, 2, 1, 1, 0, 1)
    oracle(pt, m, torch.randn(2, 2, 4, 5, 6), lambda x, w, b: pt.nn.functional.conv3d(
        x, w, b, (1, 1, 2), (1, 1, 0)))
    m = nn.VolumetricDilatedConvolution(2, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 2, 1, 2)
    oracle(pt, m, torch.randn(2, 4, 5, 5), lambda x, w, b: pt.nn.functional.conv3d(
        x, w, b, 1, (1, 0, 0), (2, 2, 1)))


def test_volumetric_full_oracle():
    pt = pytest.importorskip("torch")
    m = nn.VolumetricFullConvolution(2, 3, 2, 3, 2, 2, 1, 2, 0, 1, 0, 1, 0, 1)
    oracle(pt, m, torch.randn(2, 2, 3, 3, 4), lambda x, w, b: pt.nn.functional.conv_transpose3d(
        x, w, b, (2, 2, 1), (0, 0, 1), (1, 1, 0)))


def test_map_oracle():
    """A full table is an ordinary convolution: weight k = (i, o) is W[o][i]."""
    pt = pytest.importorskip("torch")
    m = nn.SpatialConvolutionMap(nn.tables.full(3, 2), 3, 2, 2, 1)
    oracle(pt, m, torch.randn(2, 3, 6, 7), lambda x, w, b: pt.nn.functional.conv2d(
        x, w.view(2, 3, 2, 3), b, (1, 2)))
    m = nn.SpatialFullConvolutionMap(nn.tables.oneToOne(3), 3, 2, 2, 3)
    oracle(pt, m, torch.randn(2, 3, 3, 4), lambda x, w, b: pt.nn.functional.conv_transpose2d(
        x, w.view(3, 1, 2, 3), b, (3, 2), groups=3))


def test_subsampling_oracle():
    pt = pytest.importorskip("torch")
    m = nn.SpatialSubSampling(3, 3, 2, 2, 2)
    oracle(pt, m, torch.randn(2, 3, 7, 8), lambda x, w, b: pt.nn.functional.conv2d(
        x, w.view(3, 1, 1, 1).expand(3, 1, 2, 3), b, 2, groups=3))


def test_local_oracle():
    """Locally connected = unfold, then one filter bank per position."""
    pt = pytest.importorskip("torch")
    m = nn.SpatialConvolutionLocal(2, 3, 6, 5, 3, 2, 2, 1, 1, 0)
    assert (m.oH, m.oW) == (4, 3)
    assert str(m) == "nn.SpatialConvolutionLocal(2 -> 3, 6x5, 3x2, 2,1, 1,0)"

    def fn(x, w, b):
        cols = pt.nn.functional.unfold(x, (2, 3), padding=(0, 1), stride=(1, 2))
        out = pt.einsum("nrl,lor->nol", cols, w.reshape(12, 3, 12))
        return out.reshape(x.shape[0], 3, 4, 3) + b
    oracle(pt, m, torch.randn(2, 2, 5, 6), fn)
    with pytest.raises(ValueError, match=r"nn.SpatialConvolutionLocal: expected an input of size "
                                         r"2x5x6.*got 2x6x6"):
        m.forward(torch.randn(2, 6, 6))


def test_map_errors():
    m = nn.SpatialConvolutionMap(nn.tables.full(3, 2), 3, 3)
    with pytest.raises(ValueError, match=r"needs 3 input planes.*2x5x5"):
        m.forward(torch.randn(2, 5, 5))
    with pytest.raises(ValueError, match=r"SpatialConvolutionMap: input of size 3x2x5 is smaller"):
        m.forward(torch.randn(3, 2, 5))
    with pytest.raises(ValueError, match=r"SpatialSubSampling: input of size 2x1x1 is smaller"):
        nn.SpatialSubSampling(2, 2, 2).forward(torch.randn(2, 1, 1))
    with pytest.raises(ValueError, match=r"SpatialSubSampling: expected an input with 2 planes"):
        nn.SpatialSubSampling(2, 2, 2).forward(torch.randn(3, 4, 4))


def test_map_table_errors():
    m = nn.SpatialConvolutionMap(nn.tables.full(2, 2), 2, 2)
    m.connTable = torch.Tensor([[0, 0], [1, 0], [0, 1], [2, 1]])
    with pytest.raises(IndexError, match=r"connTable entry \(2(\.0)?, 1(\.0)?\) out of range for 2 "
                                         r"input and 2 output planes"):
        m.forward(torch.randn(2, 4, 4))
    m.connTable = torch.Tensor([0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"connTable must be a K x 2 tensor.*got 4"):
        m.forward(torch.randn(2, 4, 4))
    m = nn.SpatialConvolutionMap(nn.tables.oneToOne(2), 2, 2)
    m.weight = torch.randn(3, 2, 2)
    with pytest.raises(ValueError, match=r"weight should be connTable:size\(0\) x kH x kW = 2 x"
                                         r" kH x kW, got 3x2x2"):
        m.forward(torch.randn(2, 4, 4))
    m = nn.SpatialFullConvolutionMap(nn.tables.oneToOne(2), 2, 2)
    m.forward(torch.randn(2, 3, 3))
    with pytest.raises(ValueError, match=r"gradOutput should be of size 2x4x4.*got 2x3x3"):
        m.backward(torch.randn(2, 3, 3), torch.randn(2, 3, 3))
    with pytest.raises(TypeError, match="SpatialFullConvolutionMap: mixed tensor types"):
        m.forward(torch.randn(2, 3, 3).float())
    with pytest.raises(ValueError, match=r"SpatialFullConvolutionMap: expected a 3D.*got 3x3"):
        m.forward(torch.randn(3, 3))


def test_local_errors():
    m = nn.SpatialConvolutionLocal(2, 3, 5, 5, 3, 3)
    with pytest.raises(ValueError, match=r"SpatialConvolutionLocal.*2 planes.*3x5x5"):
        m.forward(torch.randn(3, 5, 5))
    with pytest.raises(ValueError, match=r"illegal configuration: input 2x2 with kernel 3x3"):
        nn.SpatialConvolutionLocal(2, 3, 2, 2, 3, 3)
    m.forward(torch.randn(2, 5, 5))
    with pytest.raises(ValueError, match=r"gradOutput should be of size 3x3x3.*got 3x2x2"):
        m.backward(torch.randn(2, 5, 5), torch.randn(3, 2, 2))
    with pytest.raises(TypeError, match="SpatialConvolutionLocal: mixed tensor types"):
        m.forward(torch.randn(2, 5, 5).float())


def test_direct_float_matches_double():
    torch.manualSeed(5)
    for m, size in [(nn.SpatialConvolutionMap(nn.tables.random(3, 4, 2), 3, 2, 2, 1), (2, 3, 7, 6)),
                    (nn.SpatialFullConvolutionMap(nn.tables.full(3, 2), 2, 3, 2, 1), (2, 3, 3, 4)),
                    (nn.SpatialSubSampling(3, 2, 2, 2, 2), (2, 3, 6, 6)),
                    (nn.SpatialConvolutionLocal(3, 2, 6, 7, 3, 3), (2, 3, 7, 6))]:
        x = torch.randn(*size)
        y = m.forward(x).clone()
        g = torch.randn(y.size())
        gi = m.backward(x, g).clone()
        f = m.float()
        assert f.forward(x.float()).type() == "torch.FloatTensor"
        assert_close(f.output, y, 1e-5, f"{m} output")
        assert_close(f.backward(x.float(), g.float()), gi, 1e-5, f"{m} gradInput")


def test_map_decay_and_registry():
    m = nn.SpatialConvolutionMap(nn.tables.oneToOne(2), 2, 2)
    w, b = m.weight.clone(), m.bias.clone()
    m.decayParameters(0.25)
    assert_close(m.weight, w * 0.75, 1e-15)
    assert_close(m.bias, b * 0.75, 1e-15)
    for name in DIRECT:
        assert nn.REGISTRY[f"nn.{name}"] is getattr(nn, name)
    assert not {"nn._Unrolled", "nn._Full", "nn._Map"} & set(nn.REGISTRY)
    assert nn.tables is nn.conv.tables


def test_full_map_reset_fan_in():
    """Kernel bounds use the fan-in of their output plane: 1/sqrt(kW*kH*fanIn)."""
    torch.manualSeed(3)
    t = torch.Tensor([[0, 0], [1, 0], [2, 0], [0, 1]])
    m = nn.SpatialFullConvolutionMap(t, 4, 4)
    assert m.nInputPlane == 3 and m.nOutputPlane == 2
    assert m.weight[:3].abs().max() <= 1 / (16 * 3) ** 0.5
    assert m.weight[3].abs().max() > 1 / (16 * 3) ** 0.5  # 16 draws in +-1/4: almost surely


def test_scale_and_accumulation():
    """accGradParameters adds scale times the gradient to what is there."""
    torch.manualSeed(4)
    m = nn.SpatialConvolution(2, 3, 3, 3)
    x, g = torch.randn(2, 2, 5, 5), torch.randn(2, 3, 3, 3)
    m.forward(x)
    m.zeroGradParameters()
    m.backward(x, g)
    gw, gb = m.gradWeight.clone(), m.gradBias.clone()
    m.backward(x, g, 0.5)
    assert_close(m.gradWeight, gw * 1.5, 1e-12)
    assert_close(m.gradBias, gb * 1.5, 1e-12)
    gi = m.updateGradInput(x, g).clone()
    assert_close(gi, m.backward(x, g), 1e-12)


def test_keeps_output_objects_and_float():
    m = nn.SpatialConvolution(2, 3, 3, 3)
    out, gin = m.output, m.gradInput
    x = torch.randn(2, 2, 6, 6)
    m.forward(x)
    m.backward(x, torch.randn(2, 3, 4, 4))
    assert m.output is out and m.gradInput is gin
    m.float()
    y = m.forward(x.float())
    assert y.type() == "torch.FloatTensor"
    assert_close(y, nn.SpatialConvolution(2, 3, 3, 3).float().forward(x.float()) * 0 + y, 0)


def test_talk_convnet_shapes():
    model = nn.Sequential()
    model.add(nn.SpatialConvolution(3, 16, 5, 5))
    model.add(nn.SpatialConvolution(16, 64, 5, 5, 2, 2))
    model.add(nn.SpatialConvolution(64, 256, 5, 5))
    out = model.forward(torch.randn(4, 3, 32, 32))
    assert list(out.size()) == [4, 256, 8, 8]  # 32 -> 28 -> floor(23/2)+1 = 12 -> 8


# ---------------------------------------------------------------- errors
def test_input_smaller_than_kernel():
    m = nn.SpatialConvolution(3, 4, 5, 5)
    with pytest.raises(ValueError, match=r"nn.SpatialConvolution.*3x4x4.*smaller than the kernel 5x5"):
        m.forward(torch.randn(3, 4, 4))
    # padding makes it fit
    assert list(nn.SpatialConvolution(3, 4, 5, 5, 1, 1, 1).forward(torch.randn(3, 4, 4)).size()) \
        == [4, 2, 2]


def test_wrong_planes_and_dims():
    m = nn.SpatialConvolution(3, 4, 3, 3)
    with pytest.raises(ValueError, match=r"nn.SpatialConvolution.*3 planes.*2x5x5"):
        m.forward(torch.randn(2, 5, 5))
    with pytest.raises(ValueError, match=r"3D \(C x H x W\) or 4D.*got 5x5"):
        m.forward(torch.randn(5, 5))
    m.forward(torch.randn(3, 5, 5))
    with pytest.raises(ValueError, match=r"gradOutput should be of size 4x3x3.*got 4x2x2"):
        m.backward(torch.randn(3, 5, 5), torch.randn(4, 2, 2))
    with pytest.raises(ValueError, match=r"nn.VolumetricConvolution.*4D \(C x T x H x W\)"):
        nn.VolumetricConvolution(3, 4, 3, 3, 3).forward(torch.randn(3, 5, 5))


def test_mixed_types():
    m = nn.SpatialConvolution(1, 1, 2, 2)
    with pytest.raises(TypeError, match="nn.SpatialConvolution: mixed tensor types"):
        m.forward(torch.randn(1, 3, 3).float())
    with pytest.raises(TypeError, match="torch.FloatTensor or torch.DoubleTensor"):
        m.forward(torch.LongTensor(1, 3, 3).zero())


def test_full_adj_must_be_below_stride():
    with pytest.raises(ValueError, match="adjW and adjH must be smaller"):
        nn.SpatialFullConvolution(1, 1, 3, 3, 1, 1, 0, 0, 1, 0)
