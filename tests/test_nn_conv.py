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
    nn_record,
    value,
    zoo,
)

UNROLLED = ["SpatialConvolution", "SpatialConvolutionMM", "SpatialDilatedConvolution",
            "SpatialDepthWiseConvolution", "SpatialFullConvolution", "VolumetricConvolution",
            "VolumetricDilatedConvolution", "VolumetricFullConvolution"]
ZOO = UNROLLED
INIT = UNROLLED


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


@pytest.mark.parametrize("name", INIT)
def test_init_record(name):
    check_init_record(name)


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
]


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
