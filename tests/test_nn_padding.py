"""Padding and upsampling (Spatial{Zero,Reflection,Replication}Padding,
VolumetricReplicationPadding, SpatialUpSampling{Nearest,Bilinear}, UpSampling): Torch7's zoo
records, finite-difference Jacobians, PyTorch's pad / interpolate forward and backward, the
edge formulas (negative padding crops) and the errors."""

import ferrotorch as torch
import pytest
from ferrotorch import nn
from hypothesis import given, settings
from hypothesis import strategies as st
from nn_testing import assert_close, check_jacobian, check_zoo_module, value, zoo

# The recordings these tests load (as traced from the loads below).
TORCH7_FIXTURES = [
    *(f"nn_zoo/{n}.json" for n in (
        "SpatialReflectionPadding", "SpatialReplicationPadding", "SpatialUpSamplingBilinear",
        "SpatialUpSamplingNearest", "SpatialZeroPadding", "UpSampling",
        "VolumetricReplicationPadding",
    )),
]


ZOO = ["SpatialZeroPadding", "SpatialReflectionPadding", "SpatialReplicationPadding",
       "VolumetricReplicationPadding", "SpatialUpSamplingNearest", "SpatialUpSamplingBilinear",
       "UpSampling"]


@pytest.mark.parametrize("name", ZOO)
def test_zoo_record(name):
    record = zoo(name)
    check_zoo_module(getattr(nn, name)(*value(record["constructor_args"])), record, tol=1e-12)


def _pt(t, pt, grad=False):
    return pt.tensor(t.tolist(), dtype=pt.float64, requires_grad=grad)


def _against_pytorch(m, x, f, tol=1e-12):
    """m's forward and backward equal f (a PyTorch function of a float64 tensor)."""
    pt = pytest.importorskip("torch")
    y = m.forward(x)
    g = torch.randn(y.size())
    gi = m.backward(x, g)
    xp = _pt(x, pt, True)
    yp = f(pt, xp)
    yp.backward(_pt(g, pt))
    assert_close(y, torch.Tensor(yp.tolist()), tol, "output")
    assert_close(gi, torch.Tensor(xp.grad.tolist()), tol, "gradInput")


PADS = [(1, 2, 0, 3), (2, 0, 1, 1), (0, 0, 0, 0)]
MODES = {"SpatialZeroPadding": "constant", "SpatialReflectionPadding": "reflect",
         "SpatialReplicationPadding": "replicate"}


@pytest.mark.parametrize("name", sorted(MODES))
@pytest.mark.parametrize("pads", PADS)
@pytest.mark.parametrize("batch", [False, True])
def test_spatial_padding_against_pytorch(name, pads, batch):
    torch.manualSeed(1)
    x = torch.randn(2, 3, 4, 5) if batch else torch.randn(3, 4, 5)
    m = getattr(nn, name)(*pads)
    l, r, t, b = pads
    _against_pytorch(m, x, lambda pt, xp: pt.nn.functional.pad(
        xp if batch else xp[None], (l, r, t, b), mode=MODES[name])[(slice(None),) if batch else 0])


def test_negative_zero_padding_crops():
    x = torch.randn(2, 5, 6)
    y = nn.SpatialZeroPadding(-1, 2, -2, 0).forward(x)
    assert list(y.size()) == [2, 3, 7]
    assert_close(y.narrow(2, 0, 5), x.narrow(1, 2, 3).narrow(2, 1, 5), 0)
    assert y.narrow(2, 5, 2).abs().max() == 0


@pytest.mark.parametrize("pads", [(1, 1, 1, 1, 1, 1), (2, 0, 1, 3, 0, 2)])
def test_volumetric_replication_against_pytorch(pads):
    torch.manualSeed(2)
    x = torch.randn(2, 2, 3, 4, 3)
    _against_pytorch(nn.VolumetricReplicationPadding(*pads), x,
                     lambda pt, xp: pt.nn.functional.pad(xp, pads, mode="replicate"))


@pytest.mark.parametrize("m,shape", [
    (nn.SpatialZeroPadding(1, -1, 2, 0), (2, 3, 4)),
    (nn.SpatialReflectionPadding(1, 2, 2, 1), (2, 2, 3, 4)),
    (nn.SpatialReplicationPadding(2, 1, 0, 1), (2, 3, 3)),
    (nn.VolumetricReplicationPadding(1, 0, 1, 2, 0, 1), (2, 2, 3, 2)),
    (nn.SpatialUpSamplingNearest(2), (2, 2, 3, 2)),
    (nn.SpatialUpSamplingBilinear(2), (2, 3, 2)),
    (nn.SpatialUpSamplingBilinear({"oheight": 5, "owidth": 4}), (2, 2, 3, 3)),
    (nn.UpSampling(2), (1, 2, 2, 2, 3)),
    (nn.UpSampling(3, "trilinear"), (1, 2, 2, 2, 2)),
    (nn.UpSampling({"oheight": 4, "owidth": 5}, "bilinear"), (2, 1, 3, 2)),
], ids=str)
def test_jacobian(m, shape):
    torch.manualSeed(4)
    check_jacobian(m, torch.randn(*shape))


@pytest.mark.parametrize("batch", [False, True])
def test_nearest_against_pytorch(batch):
    x = torch.randn(2, 3, 4, 5) if batch else torch.randn(3, 4, 5)
    _against_pytorch(nn.SpatialUpSamplingNearest(3), x, lambda pt, xp: pt.nn.functional
                     .interpolate(xp if batch else xp[None], scale_factor=3, mode="nearest")
                     [(slice(None),) if batch else 0])


def test_upsampling_nearest_volumetric_against_pytorch():
    x = torch.randn(1, 2, 2, 3, 2)
    _against_pytorch(nn.UpSampling(2), x, lambda pt, xp: pt.nn.functional.interpolate(
        xp, scale_factor=2, mode="nearest"))


# THNN computes the sampling ratio (in - 1) / (out - 1) in single precision, PyTorch in double:
# the weights differ by ~1e-8 where the ratio is not a short binary fraction.
@pytest.mark.parametrize("out", [(8, 10), (5, 7), (3, 5), (1, 1)])
def test_bilinear_against_pytorch(out):
    torch.manualSeed(6)
    x = torch.randn(2, 3, 3, 5)
    m = nn.SpatialUpSamplingBilinear({"oheight": out[0], "owidth": out[1]})
    _against_pytorch(m, x, lambda pt, xp: pt.nn.functional.interpolate(
        xp, size=out, mode="bilinear", align_corners=True), tol=1e-6)


def test_bilinear_scale_is_input_times_scale():
    # Torch7's code (and its zoo record) sizes the output H*s x W*s, not (H-1)(s-1)+H
    m = nn.SpatialUpSamplingBilinear(3)
    assert list(m.forward(torch.randn(2, 4, 5)).size()) == [2, 12, 15]


def test_trilinear_against_pytorch():
    torch.manualSeed(8)
    x = torch.randn(1, 2, 3, 2, 4)
    m = nn.UpSampling({"odepth": 5, "oheight": 3, "owidth": 7}, "linear")
    assert str(m) == "nn.UpSampling(5x3x7, linear)"
    _against_pytorch(m, x, lambda pt, xp: pt.nn.functional.interpolate(
        xp, size=(5, 3, 7), mode="trilinear", align_corners=True), tol=1e-6)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(-2, 3), st.integers(-2, 3),
       st.sampled_from(["SpatialZeroPadding", "SpatialReplicationPadding"]))
def test_padding_output_size_and_interior(h, w, a, b, name):
    x = torch.randn(1, h, w)
    if h + a + b < 1 or w + a + b < 1:
        with pytest.raises(ValueError, match="leaves no output"):
            getattr(nn, name)(a, b, a, b).forward(x)
        return
    y = getattr(nn, name)(a, b, a, b).forward(x)
    assert list(y.size()) == [1, h + a + b, w + a + b]
    # every input pixel that survives the crop sits at its shifted place
    for i in range(max(0, -a), min(h, h + b)):
        for j in range(max(0, -a), min(w, w + b)):
            assert y[0][i + a][j + a] == x[0][i][j]


def test_strings():
    assert str(nn.SpatialZeroPadding(1, 2, 3, 4)) == "nn.SpatialZeroPadding(l=1, r=2, t=3, b=4)"
    assert str(nn.SpatialUpSamplingBilinear(2)) == "nn.SpatialUpSamplingBilinear(2)"
    assert str(nn.UpSampling({"oheight": 4, "owidth": 5}, "bilinear")) == \
        "nn.UpSampling(4x5, linear)"
    assert str(nn.UpSampling(3, "bogus")) == "nn.UpSampling(3x, nearest)"


def test_errors():
    with pytest.raises(ValueError, match="scale_factor must be greater than 1"):
        nn.SpatialUpSamplingNearest(0)
    with pytest.raises(ValueError, match="scale_factor must be integer"):
        nn.UpSampling(1.5)
    with pytest.raises(ValueError, match="requires a scale_factor"):
        nn.UpSampling({"oheight": 2, "owidth": 2})
    with pytest.raises(ValueError, match="oheight, owidth"):
        nn.SpatialUpSamplingBilinear({"oheight": 2})
    with pytest.raises(ValueError, match=r"nn.SpatialReflectionPadding.*less than the input "
                                         r"size 3"):
        nn.SpatialReflectionPadding(3).forward(torch.randn(1, 3, 3))
    with pytest.raises(ValueError, match=r"nn.SpatialZeroPadding: expected a 3D or 4D input, "
                                         r"got size 5"):
        nn.SpatialZeroPadding(1).forward(torch.randn(5))
    with pytest.raises(ValueError, match=r"nn.UpSampling: expected a 4D or 5D input, got size "
                                         r"2x3x4"):
        nn.UpSampling(2).forward(torch.randn(2, 3, 4))
    with pytest.raises(ValueError, match="odepth"):
        nn.UpSampling({"oheight": 2, "owidth": 2}, "linear").forward(torch.randn(1, 1, 2, 2, 2))
    m = nn.SpatialReplicationPadding(1)
    m.forward(torch.randn(2, 3, 3))
    with pytest.raises(ValueError, match=r"gradOutput of size 2x5x4 does not match the output "
                                         r"size 2x5x5"):
        m.backward(torch.randn(2, 3, 3), torch.randn(2, 5, 4))
    with pytest.raises(TypeError, match="FloatTensor or DoubleTensor"):
        m.forward(torch.LongTensor(2, 3, 3).zero())


@pytest.mark.parametrize("m", [nn.SpatialReflectionPadding(1, 2, 0, 1),
                               nn.SpatialUpSamplingBilinear(2), nn.UpSampling(2)], ids=str)
def test_float_matches_double(m):
    x = torch.randn(1, 2, 3, 4)
    yd = m.forward(x).clone()
    yf = m.forward(x.float())
    assert yf.type() == "torch.FloatTensor"
    assert_close(yf, yd.float(), 1e-6)
    out = m.output
    m.forward(x.float())
    assert m.output is out
