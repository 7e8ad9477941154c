"""nn pooling layers: Torch7's zoo records and nn/ fixtures, finite-difference Jacobians,
PyTorch's functional poolings as oracles (forward, backward and indices, float64), output-size
edges (padding, ceil mode, stride > kernel, dilation) and the errors."""

import math

import ferrotorch as torch
import numpy as np
import pytest
from ferrotorch import nn
from nn_testing import (
    assert_close,
    check_batch_matches_single,
    check_jacobian,
    check_zoo_module,
    nn_record,
    value,
    zoo,
)

# The recordings these tests load (as traced from the loads below).
TORCH7_FIXTURES = [
    *(f"nn/{n}.json" for n in (
        "SpatialAveragePooling", "SpatialMaxPooling",
    )),
    *(f"nn_zoo/{n}.json" for n in (
        "FeatureLPPooling", "SpatialAdaptiveAveragePooling", "SpatialAdaptiveMaxPooling",
        "SpatialAveragePooling", "SpatialDilatedMaxPooling", "SpatialFractionalMaxPooling",
        "SpatialLPPooling", "SpatialMaxPooling", "SpatialMaxUnpooling",
        "TemporalDynamicKMaxPooling", "TemporalMaxPooling", "VolumetricAveragePooling",
        "VolumetricDilatedMaxPooling", "VolumetricFractionalMaxPooling", "VolumetricMaxPooling",
        "VolumetricMaxUnpooling",
    )),
]


def build(name):
    return getattr(nn, name)(*value(zoo(name)["constructor_args"]))


def pt_tensor(pt, x, grad=True):
    return pt.tensor(x.double().numpy(), dtype=pt.float64, requires_grad=grad)


def from_pt(t):
    return torch.fromNumpy(np.ascontiguousarray(t.detach().numpy()))


def distinct(*sizes, seed=0):
    """A random input without ties (a max's position is then unique and stable under the
    Jacobian's perturbations)."""
    torch.manualSeed(seed)
    n = 1
    for s in sizes:
        n *= s
    return torch.randperm(n).double().div(n).add(torch.rand(n).mul(0.1 / n)).view(*sizes)


def positive_jacobian(module, input, precision=1e-5):
    """The input Jacobian on inputs drawn in [0.5, 2] (an LP norm of odd power is only real
    for positive sums; nn.Jacobian's default draws lie in [-2, 2])."""
    err = nn.Jacobian.testJacobian(module, input, 0.5, 2)
    assert err < precision, f"{module}: input Jacobian error {err}"


# ---- max pooling ---------------------------------------------------------------------------

MAX_ZOO = ["SpatialMaxPooling", "SpatialDilatedMaxPooling", "VolumetricMaxPooling",
           "VolumetricDilatedMaxPooling"]


@pytest.mark.parametrize("name", MAX_ZOO)
def test_max_zoo_record(name):
    record = zoo(name)
    m = check_zoo_module(build(name), tol=0)
    if "indices_internal" in record:
        assert_close(m.indices, value(record["indices_internal"]), 0, "indices")
    assert m.indices.type() == "torch.LongTensor"


def test_max_nn_fixture():
    m = check_zoo_module(nn.SpatialMaxPooling(2, 2, 2, 2), nn_record("SpatialMaxPooling"), tol=0)
    assert_close(m.indices, value(nn_record("SpatialMaxPooling")["indices_internal"]), 0)


MAX_CONFIGS = [
    # (kW, kH, dW, dH, padW, padH, dilW, dilH, ceil, H, W)
    (2, 2, 2, 2, 0, 0, 1, 1, False, 8, 8),
    (2, 2, 2, 2, 0, 0, 1, 1, False, 7, 9),
    (2, 2, 2, 2, 0, 0, 1, 1, True, 7, 9),
    (3, 3, 2, 2, 1, 1, 1, 1, False, 7, 6),
    (3, 3, 2, 2, 1, 1, 1, 1, True, 6, 6),
    (3, 2, 1, 2, 1, 0, 1, 1, True, 5, 8),
    (3, 3, 1, 1, 0, 0, 2, 2, False, 9, 8),
    (2, 3, 2, 1, 1, 1, 2, 3, True, 9, 10),
    (4, 4, 3, 3, 2, 2, 1, 1, True, 10, 11),
]


@pytest.mark.parametrize("cfg", MAX_CONFIGS)
@pytest.mark.parametrize("batch", [False, True])
def test_spatial_max_matches_pytorch(cfg, batch):
    pt = pytest.importorskip("torch")
    kW, kH, dW, dH, padW, padH, dilW, dilH, ceil, h, w = cfg
    m = nn.SpatialDilatedMaxPooling(kW, kH, dW, dH, padW, padH, dilW, dilH)
    if ceil:
        m.ceil()
    x = distinct(*((2, 3, h, w) if batch else (3, h, w)), seed=h * w)
    xp = pt_tensor(pt, x)
    yp, ip = pt.nn.functional.max_pool2d(xp, (kH, kW), (dH, dW), (padH, padW), (dilH, dilW),
                                         ceil_mode=ceil, return_indices=True)
    out = m.forward(x)
    assert_close(out, from_pt(yp), 0, "output")
    assert m.indices.numpy().tolist() == ip.numpy().tolist()
    g = torch.randn(out.size())
    yp.backward(pt_tensor(pt, g, False))
    assert_close(m.backward(x, g), from_pt(xp.grad), 1e-14, "gradInput")


@pytest.mark.parametrize("cfg", [
    (2, 2, 2, 2, 2, 2, 0, 0, 0, 1, 1, 1, False),
    (2, 3, 2, 1, 2, 1, 1, 1, 0, 1, 1, 1, True),
    (3, 3, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, True),
    (2, 2, 2, 1, 1, 1, 0, 0, 0, 2, 2, 1, False),
    (2, 2, 3, 1, 1, 2, 1, 1, 1, 1, 2, 2, False),
])
def test_volumetric_max_matches_pytorch(cfg):
    pt = pytest.importorskip("torch")
    kT, kW, kH, dT, dW, dH, pT, pW, pH, dilT, dilW, dilH, ceil = cfg
    m = nn.VolumetricDilatedMaxPooling(kT, kW, kH, dT, dW, dH, pT, pW, pH, dilT, dilW, dilH)
    if ceil:
        m.ceil()
    x = distinct(2, 2, 5, 6, 7, seed=3)
    xp = pt_tensor(pt, x)
    yp, ip = pt.nn.functional.max_pool3d(xp, (kT, kH, kW), (dT, dH, dW), (pT, pH, pW),
                                         (dilT, dilH, dilW), ceil_mode=ceil, return_indices=True)
    out = m.forward(x)
    assert_close(out, from_pt(yp), 0, "output")
    assert m.indices.numpy().tolist() == ip.numpy().tolist()
    g = torch.randn(out.size())
    yp.backward(pt_tensor(pt, g, False))
    assert_close(m.backward(x, g), from_pt(xp.grad), 1e-14, "gradInput")


@pytest.mark.parametrize("make, sizes", [
    (lambda: nn.SpatialMaxPooling(2, 2), (2, 4, 6)),
    (lambda: nn.SpatialMaxPooling(3, 2, 2, 1, 1, 1).ceil(), (2, 5, 5)),
    (lambda: nn.SpatialDilatedMaxPooling(2, 2, 1, 1, 1, 0, 2, 2), (1, 6, 5)),
    (lambda: nn.VolumetricMaxPooling(2, 2, 2, 1, 2, 1, 1, 0, 1), (2, 3, 4, 4)),
    (lambda: nn.VolumetricDilatedMaxPooling(2, 2, 2, 1, 1, 1, 0, 0, 0, 2, 1, 2), (1, 4, 4, 5)),
])
def test_max_jacobian_batch_and_single(make, sizes):
    check_jacobian(make(), distinct(*sizes, seed=1))
    check_jacobian(make(), distinct(2, *sizes, seed=2))
    check_batch_matches_single(make(), distinct(3, *sizes, seed=3))


def test_max_output_size_edges():
    # ceil mode with stride > kernel: Torch7 keeps a last window that starts past the input
    # (no padding, so its "last window starts inside" rule does not apply): -inf, index -1
    m = nn.SpatialMaxPooling(1, 1, 3, 3).ceil()
    out = m.forward(torch.range(1, 25).view(1, 5, 5))
    assert list(out.size()) == [1, 3, 3]
    assert out[0][0][2] == -math.inf and m.indices[0][0][2] == -1
    gi = m.backward(torch.range(1, 25).view(1, 5, 5), torch.ones(1, 3, 3))
    assert gi.sum() == 4
    # floor mode drops the partial window
    assert list(nn.SpatialMaxPooling(1, 1, 3, 3).forward(torch.zeros(1, 5, 5)).size()) == [1, 2, 2]
    # with padding the last window must start inside the input (padding included)
    # (ceil((5 + 2 - 2) / 2) + 1 = 4 windows, the 4th would start at 6 = 5 + pad)
    assert list(nn.SpatialMaxPooling(2, 2, 2, 2, 1, 1).ceil().forward(
        torch.zeros(1, 5, 5)).size()) == [1, 3, 3]
    assert list(nn.SpatialMaxPooling(2, 2, 2, 2, 1, 1).ceil().forward(
        torch.zeros(1, 4, 4)).size()) == [1, 3, 3]
    # the exact-fit input: one window
    assert list(nn.SpatialMaxPooling(3, 2).forward(torch.zeros(2, 2, 3)).size()) == [2, 1, 1]
    # dilation widens the window: 3 taps dilated by 2 span 5 pixels
    assert list(nn.SpatialDilatedMaxPooling(3, 3, 1, 1, 0, 0, 2, 2).forward(
        torch.zeros(1, 5, 6)).size()) == [1, 1, 2]


def test_max_errors_name_the_sizes():
    m = nn.SpatialMaxPooling(3, 3)
    with pytest.raises(ValueError, match=r"nn.SpatialMaxPooling.*2x5 is too small for a 3x3"):
        m.forward(torch.zeros(1, 2, 5))
    with pytest.raises(ValueError, match=r"nn.SpatialMaxPooling: expected a 3D .* got size 5x5"):
        m.forward(torch.zeros(5, 5))
    with pytest.raises(ValueError, match="pad should be at most half"):
        nn.SpatialMaxPooling(2, 2, 2, 2, 2, 2).forward(torch.zeros(1, 6, 6))
    with pytest.raises(ValueError, match="stride should be greater than zero"):
        nn.SpatialMaxPooling(2, 2, 0, 0).forward(torch.zeros(1, 6, 6))
    x = torch.zeros(1, 6, 6)
    m.forward(x)
    with pytest.raises(ValueError, match=r"gradOutput of size 1x3x3 does not match .* 1x2x2"):
        m.backward(x, torch.zeros(1, 3, 3))
    with pytest.raises(TypeError, match="torch.FloatTensor"):
        m.backward(x, torch.FloatTensor(1, 2, 2).zero())
    with pytest.raises(ValueError, match="nn.VolumetricMaxPooling.*4D .* or 5D"):
        nn.VolumetricMaxPooling(2, 2, 2).forward(torch.zeros(4, 4, 4))
    with pytest.raises(ValueError, match=r"VolumetricDilatedMaxPooling.*3x5x5 is too small"):
        nn.VolumetricDilatedMaxPooling(2, 2, 2, 1, 1, 1, 0, 0, 0, 3, 1, 1).forward(
            torch.zeros(1, 3, 5, 5))
    # corrupted indices: IndexError, never a write outside the plane
    m.indices.fill(99)
    with pytest.raises(IndexError, match="invalid max index 99"):
        m.backward(x, torch.zeros(1, 2, 2))


def test_max_float_non_contiguous_and_kept_objects():
    m = nn.SpatialMaxPooling(2, 2).float()
    x = distinct(2, 3, 6, 8, seed=5)
    out, gi = m.output, m.gradInput
    y = m.forward(x.float().transpose(2, 3))  # non-contiguous FloatTensor, 8x6 planes
    assert y is out and y.type() == "torch.FloatTensor" and list(y.size()) == [2, 3, 4, 3]
    ref = nn.SpatialMaxPooling(2, 2).forward(x.transpose(2, 3).contiguous())
    assert_close(y, ref, 1e-7)
    assert m.indices.type() == "torch.LongTensor"
    assert m.backward(x.float().transpose(2, 3), torch.ones(2, 3, 4, 3).float()) is gi
    assert gi.sum() == 72
    m.clearState()
    assert m.indices.nElement() == 0 and m.output.nElement() == 0


# ---- zoo records of the other classes ------------------------------------------------------

def test_average_zoo_records_and_nn_fixture():
    check_zoo_module(build("SpatialAveragePooling"), tol=1e-15)
    check_zoo_module(build("VolumetricAveragePooling"), tol=1e-15)
    check_zoo_module(nn.SpatialAveragePooling(2, 2, 2, 2), nn_record("SpatialAveragePooling"),
                     tol=1e-15)


@pytest.mark.parametrize("name", ["SpatialAdaptiveMaxPooling", "SpatialAdaptiveAveragePooling"])
def test_adaptive_zoo_records(name):
    m = check_zoo_module(build(name), tol=1e-15)
    if "indices_internal" in zoo(name):
        assert_close(m.indices, value(zoo(name)["indices_internal"]), 0, "indices")


@pytest.mark.parametrize("name", ["SpatialFractionalMaxPooling",
                                  "VolumetricFractionalMaxPooling"])
def test_fractional_zoo_records(name):
    record = zoo(name)
    m = build(name).fixPoolingRegions()
    # The samples are those Torch7 drew on its first forward: with fixPoolingRegions and the
    # same plane count, forward keeps them.
    m.randomSamples = value(record["random_samples"])
    check_zoo_module(m, tol=0)
    if "indices_internal" in record:
        assert_close(m.indices, value(record["indices_internal"]), 0, "indices")


@pytest.mark.parametrize("name", ["SpatialFractionalMaxPooling",
                                  "VolumetricFractionalMaxPooling"])
def test_fractional_draws_uniform_samples_each_forward(name):
    """Forward draws the samples as Torch7 did: one uniform() fill of a (B, C, nd) buffer of
    the input's type, before pooling (so the draws are torch.rand's stream, in order), and
    redraws them on every forward unless fixPoolingRegions()."""
    record = zoo(name)
    x = value(record["input"])
    nd = 3 if "Volumetric" in name else 2
    m = build(name)
    torch.manualSeed(7)
    m.forward(x)
    torch.manualSeed(7)
    assert_close(m.randomSamples, torch.rand(1, x.size(0), nd), 0, "randomSamples")
    first = m.randomSamples.clone()
    m.forward(x)
    assert not m.randomSamples.equal(first)
    m.fixPoolingRegions()
    kept = m.randomSamples.clone()
    out = m.forward(x).clone()
    assert m.randomSamples.equal(kept) and m.forward(x).equal(out)
    batch = torch.cat(x.view(1, *x.size()), x.view(1, *x.size()), 0)
    m.forward(batch)  # a new plane count draws a new buffer
    assert list(m.randomSamples.size()) == [2, x.size(0), nd]


@pytest.mark.parametrize("name", ["SpatialMaxUnpooling", "VolumetricMaxUnpooling"])
def test_unpooling_zoo_records(name):
    record = zoo(name)
    pool_cls = getattr(nn, record["constructor_args"][0]["lua_type"].split(".")[1])
    pooling = pool_cls(*([2, 2] if "Spatial" in name else [2, 2, 2]))
    m = getattr(nn, name)(pooling)
    assert str(m) == record["tostring"]
    if "pooling_input" in record:
        pooling.forward(value(record["pooling_input"]))
        if "pooling_module_indices" in record:
            assert_close(pooling.indices, value(record["pooling_module_indices"]), 0, "indices")
        assert_close(pooling.output, value(record["input"]), 0, "pooled input")
    else:
        # no pooling input recorded (Torch7's volumetric indices were packed bytes): pool a
        # volume whose maxima sit where the record's output puts its values
        out = value(record["output"])
        pooling.forward(out.clone().add(out.clone().eq(0).double().mul(-1e9)))
    check_zoo_module(m, record, tol=0)


def test_lp_pooling_zoo_records():
    m = check_zoo_module(build("SpatialLPPooling"), tol=1e-14)
    assert not m.parameters()[0]  # nothing to learn
    check_zoo_module(build("FeatureLPPooling"), tol=1e-14)


def test_temporal_zoo_records():
    m = check_zoo_module(build("TemporalMaxPooling"), tol=0)
    # Torch7 stored the offset inside the window without its 1-based shift, so the fixture's
    # "shifted by -1" values are the offsets minus one.
    assert_close(m.indices, value(zoo("TemporalMaxPooling")["indices_internal"]).add(1), 0)
    m = check_zoo_module(build("TemporalDynamicKMaxPooling"), tol=0)
    assert_close(m.indices, value(zoo("TemporalDynamicKMaxPooling")["indices_internal"]), 0)


# ---- PyTorch oracles -----------------------------------------------------------------------

def _check_pt(m, x, yp, xp, tol=1e-14):
    out = m.forward(x)
    assert_close(out, from_pt(yp), tol, "output")
    g = torch.randn(out.size())
    yp.backward(pt_tensor(pytest.importorskip("torch"), g, False))
    assert_close(m.backward(x, g), from_pt(xp.grad), tol, "gradInput")
    return out


AVG_CONFIGS = [
    (2, 2, 2, 2, 0, 0, False, True, 8, 8),
    (3, 3, 1, 1, 1, 1, False, True, 7, 6),
    (3, 3, 1, 1, 1, 1, False, False, 7, 6),
    (3, 2, 2, 2, 1, 1, True, True, 7, 8),
    (3, 2, 2, 2, 1, 1, True, False, 6, 9),
    (4, 4, 3, 3, 2, 2, True, False, 10, 11),
]


@pytest.mark.parametrize("cfg", AVG_CONFIGS)
def test_spatial_average_matches_pytorch(cfg):
    pt = pytest.importorskip("torch")
    kW, kH, dW, dH, padW, padH, ceil, include, h, w = cfg
    m = nn.SpatialAveragePooling(kW, kH, dW, dH, padW, padH)
    m.ceil() if ceil else m.floor()
    m.setCountIncludePad() if include else m.setCountExcludePad()
    x = torch.randn(2, 3, h, w)
    xp = pt_tensor(pt, x)
    yp = pt.nn.functional.avg_pool2d(xp, (kH, kW), (dH, dW), (padH, padW), ceil_mode=ceil,
                                     count_include_pad=include)
    _check_pt(m, x, yp, xp)


def test_volumetric_average_matches_pytorch():
    pt = pytest.importorskip("torch")
    for args, k, s in (((2, 2, 2), (2, 2, 2), (2, 2, 2)),
                       ((3, 2, 1, 1, 2, 1), (3, 1, 2), (1, 1, 2))):
        m = nn.VolumetricAveragePooling(*args)
        x = torch.randn(2, 2, 5, 6, 7)
        xp = pt_tensor(pt, x)
        _check_pt(m, x, pt.nn.functional.avg_pool3d(xp, k, s), xp)


@pytest.mark.parametrize("size, out", [((7, 9), (3, 4)), ((5, 5), (2, 2)), ((4, 6), (4, 6)),
                                       ((3, 5), (5, 7)), ((10, 3), (3, 1))])
def test_adaptive_matches_pytorch(size, out):
    pt = pytest.importorskip("torch")
    x = distinct(2, 3, *size, seed=size[0])
    xp = pt_tensor(pt, x)
    yp, ip = pt.nn.functional.adaptive_max_pool2d(xp, out, return_indices=True)
    m = nn.SpatialAdaptiveMaxPooling(out[1], out[0])
    _check_pt(m, x, yp, xp)
    # our (row, column) offsets inside each window, as flat positions
    oy, ox = m.indices.numpy()
    rows = np.array([math.floor(i * size[0] / out[0]) for i in range(out[0])])
    cols = np.array([math.floor(j * size[1] / out[1]) for j in range(out[1])])
    flat = (oy + rows[:, None]) * size[1] + ox + cols[None, :]
    assert flat.tolist() == ip.numpy().tolist()
    xp = pt_tensor(pt, x)
    _check_pt(nn.SpatialAdaptiveAveragePooling(out[1], out[0]), x,
              pt.nn.functional.adaptive_avg_pool2d(xp, out), xp)


@pytest.mark.parametrize("size, out, pool", [((9, 11), (4, 5), (2, 3)), ((6, 6), (3, 3), (2, 2)),
                                             ((12, 7), (5, 2), (3, 2))])
def test_spatial_fractional_matches_pytorch(size, out, pool):
    pt = pytest.importorskip("torch")
    x = distinct(2, 3, *size, seed=out[0])
    m = nn.SpatialFractionalMaxPooling(pool[1], pool[0], out[1], out[0]).fixPoolingRegions()
    m.randomSamples = torch.rand(2, 3, 2)
    xp = pt_tensor(pt, x)
    yp, ip = pt.nn.functional.fractional_max_pool2d(
        xp, pool, output_size=out, return_indices=True,
        _random_samples=pt_tensor(pt, m.randomSamples, False))
    _check_pt(m, x, yp, xp)
    assert m.indices.numpy().tolist() == ip.numpy().tolist()


def test_volumetric_fractional_matches_pytorch():
    """Torch7's volumetric input is (C, H, W, T) with samples (T, W, H); PyTorch's is
    (C, T, H, W) with samples (T, H, W)."""
    pt = pytest.importorskip("torch")
    x = distinct(2, 2, 7, 8, 9, seed=4)  # ours: H=7, W=8, T=9
    m = nn.VolumetricFractionalMaxPooling(2, 3, 2, 4, 3, 3).fixPoolingRegions()  # out T4 W3 H3
    m.randomSamples = torch.rand(2, 2, 3)
    out = m.forward(x)
    assert list(out.size()) == [2, 2, 3, 3, 4]
    s = m.randomSamples.numpy()
    samples = pt.tensor(s[:, :, [0, 2, 1]], dtype=pt.float64)
    xp = pt.tensor(x.numpy().transpose(0, 1, 4, 2, 3).copy(), requires_grad=True)
    yp = pt.nn.functional.fractional_max_pool3d(xp, (2, 2, 3), output_size=(4, 3, 3),
                                                _random_samples=samples)
    assert np.array_equal(out.numpy(), yp.detach().numpy().transpose(0, 1, 3, 4, 2))
    g = torch.randn(out.size())
    yp.backward(pt.tensor(g.numpy().transpose(0, 1, 4, 2, 3).copy()))
    assert np.array_equal(m.backward(x, g).numpy(), xp.grad.numpy().transpose(0, 1, 3, 4, 2))


@pytest.mark.parametrize("nd", [2, 3])
def test_unpooling_matches_pytorch(nd):
    pt = pytest.importorskip("torch")
    sizes = (2, 3, 6, 7) if nd == 2 else (2, 2, 4, 5, 6)
    x = distinct(*sizes, seed=nd)
    pool = nn.SpatialMaxPooling(2, 2) if nd == 2 else nn.VolumetricMaxPooling(2, 2, 2)
    m = nn.SpatialMaxUnpooling(pool) if nd == 2 else nn.VolumetricMaxUnpooling(pool)
    y = pool.forward(x).clone()
    F = pt.nn.functional
    _, ip = (F.max_pool2d if nd == 2 else F.max_pool3d)(pt_tensor(pt, x, False), 2,
                                                         return_indices=True)
    yp = pt_tensor(pt, y)
    up = (F.max_unpool2d if nd == 2 else F.max_unpool3d)(yp, ip, 2, output_size=sizes[2:])
    _check_pt(m, y, up, yp, tol=0)
    check_jacobian(m, y)


@pytest.mark.parametrize("p", [2, 3])
def test_lp_pooling_matches_pytorch(p):
    pt = pytest.importorskip("torch")
    x = torch.rand(2, 3, 6, 8).add(0.5)
    xp = pt_tensor(pt, x)
    _check_pt(nn.SpatialLPPooling(3, p, 2, 3, 2, 1), x,
              pt.nn.functional.lp_pool2d(xp, p, (3, 2), (1, 2)), xp, tol=1e-12)


def test_feature_lp_matches_its_formula():
    for batch, sizes, width, stride, power in ((False, (7,), 3, 2, 2), (False, (9, 2, 3), 2, 1, 3),
                                               (True, (2, 8, 3), 4, 4, 2.5),
                                               (True, (2, 6, 2, 2), 2, 3, 2)):
        x = torch.rand(*sizes).add(0.1)
        m = nn.FeatureLPPooling(width, stride, power, batch)
        a = x.numpy() if batch else x.numpy()[None]
        f = a.shape[1]
        n_out = (f - width) // stride + 1
        ref = np.stack([(a[:, o * stride:o * stride + width] ** power).sum(1) ** (1 / power)
                        for o in range(n_out)], 1)
        out = m.forward(x)
        assert np.allclose(out.numpy(), ref if batch else ref[0], rtol=1e-13, atol=0)
        positive_jacobian(m, x)


def test_temporal_max_matches_pytorch():
    pt = pytest.importorskip("torch")
    for kw, dw in ((2, 2), (3, 1), (2, 3)):
        x = distinct(3, 10, 4, seed=kw * dw)
        m = nn.TemporalMaxPooling(kw, dw)
        xp = pt.tensor(x.numpy().transpose(0, 2, 1).copy(), requires_grad=True)
        yp, ip = pt.nn.functional.max_pool1d(xp, kw, dw, return_indices=True)
        out = m.forward(x)
        assert np.array_equal(out.numpy(), yp.detach().numpy().transpose(0, 2, 1))
        frames = m.indices.numpy() + dw * np.arange(out.size(1))[None, :, None]
        assert np.array_equal(frames, ip.numpy().transpose(0, 2, 1))
        g = torch.randn(out.size())
        yp.backward(pt.tensor(g.numpy().transpose(0, 2, 1).copy()))
        assert np.allclose(m.backward(x, g).numpy(), xp.grad.numpy().transpose(0, 2, 1),
                           rtol=1e-14, atol=1e-15)
        check_jacobian(m, distinct(10, 4, seed=kw))


def test_dynamic_k_max_matches_pytorch():
    pt = pytest.importorskip("torch")
    for min_k, factor, sizes in ((3, 0, (9, 4)), (2, 0.5, (2, 7, 3)), (4, 0.2, (2, 5, 2))):
        x = distinct(*sizes, seed=min_k)
        m = nn.TemporalDynamicKMaxPooling(min_k, factor)
        k = max(min_k, math.ceil(factor * sizes[-2]))
        xp = pt_tensor(pt, x)
        d = x.dim() - 2
        idx = xp.topk(k, dim=d).indices.sort(dim=d).values
        _check_pt(m, x, xp.gather(d, idx), xp, tol=0)
        assert m.indices.numpy().tolist() == idx.numpy().tolist()
        check_jacobian(m, x)


# ---- Jacobians, batch consistency, float ---------------------------------------------------

JACOBIAN_CASES = [
    (lambda: nn.SpatialAveragePooling(3, 2, 2, 1, 1, 1).ceil(), (2, 5, 6)),
    (lambda: nn.SpatialAveragePooling(3, 3, 2, 2, 1, 1).setCountExcludePad(), (2, 6, 5)),
    (lambda: nn.VolumetricAveragePooling(2, 2, 1, 1, 2, 1), (2, 3, 4, 4)),
    (lambda: nn.SpatialAdaptiveMaxPooling(2, 3), (2, 5, 4)),
    (lambda: nn.SpatialAdaptiveAveragePooling(3, 2), (2, 5, 4)),
]


@pytest.mark.parametrize("make, sizes", [
    (lambda: nn.SpatialLPPooling(2, 2, 2, 2), (2, 4, 6)),
    (lambda: nn.SpatialLPPooling(2, 3, 2, 2, 1, 1), (2, 4, 4)),
])
def test_lp_pooling_jacobian_batch_and_single(make, sizes):
    positive_jacobian(make(), distinct(*sizes, seed=1))
    positive_jacobian(make(), distinct(2, *sizes, seed=2))
    check_batch_matches_single(make(), distinct(3, *sizes, seed=3).add(0.5))


@pytest.mark.parametrize("make, sizes", JACOBIAN_CASES)
def test_jacobian_batch_and_single(make, sizes):
    check_jacobian(make(), distinct(*sizes, seed=1).add(0.5))
    check_jacobian(make(), distinct(2, *sizes, seed=2).add(0.5))
    check_batch_matches_single(make(), distinct(3, *sizes, seed=3).add(0.5))


@pytest.mark.parametrize("make, sizes", [
    (lambda: nn.SpatialFractionalMaxPooling(2, 2, 3, 3), (2, 6, 7)),
    (lambda: nn.SpatialFractionalMaxPooling(3, 2, 0.5, 0.6), (1, 7, 8)),
    (lambda: nn.VolumetricFractionalMaxPooling(2, 2, 2, 2, 3, 2), (1, 5, 6, 5)),
])
def test_fractional_jacobian_and_ratio_sizes(make, sizes):
    m = make().fixPoolingRegions()
    check_jacobian(m, distinct(*sizes, seed=1))
    check_jacobian(make().fixPoolingRegions(), distinct(2, *sizes, seed=2))
    out = make().forward(distinct(*sizes, seed=3))
    if isinstance(m, nn.SpatialFractionalMaxPooling) and getattr(m, "ratioW", None):
        assert list(out.size())[1:] == [math.floor(7 * 0.6), math.floor(8 * 0.5)]


def test_kmax_and_temporal_batch_match_single():
    check_batch_matches_single(nn.TemporalMaxPooling(3, 2), distinct(3, 9, 4, seed=8))
    check_batch_matches_single(nn.TemporalDynamicKMaxPooling(3), distinct(3, 9, 4, seed=9))
    check_jacobian(nn.TemporalDynamicKMaxPooling(2, 0.5), distinct(3, 6, 2, seed=10))


@pytest.mark.parametrize("make, sizes", [
    (lambda: nn.SpatialAveragePooling(2, 2, 2, 2), (2, 4, 6)),
    (lambda: nn.VolumetricMaxPooling(2, 2, 2), (2, 4, 4, 6)),
    (lambda: nn.VolumetricAveragePooling(2, 2, 2), (2, 4, 4, 6)),
    (lambda: nn.SpatialAdaptiveMaxPooling(2, 2), (2, 5, 5)),
    (lambda: nn.SpatialAdaptiveAveragePooling(2, 2), (2, 5, 5)),
    (lambda: nn.SpatialLPPooling(2, 2, 2, 2), (2, 4, 4)),
    (lambda: nn.TemporalMaxPooling(2), (6, 3)),
    (lambda: nn.TemporalDynamicKMaxPooling(2), (6, 3)),
    (lambda: nn.FeatureLPPooling(2, 1, 2, True), (2, 5, 3)),
])
def test_float_matches_double(make, sizes):
    x = distinct(*sizes, seed=6).add(0.1)
    m = make()
    ref = m.forward(x).clone()
    g = torch.randn(ref.size())
    gref = m.backward(x, g).clone()
    mf = make().float()
    out = mf.forward(x.float())
    assert out.type() == "torch.FloatTensor"
    assert_close(out, ref, 1e-6, "output")
    assert_close(mf.backward(x.float(), g.float()), gref, 1e-5, "gradInput")


# ---- errors --------------------------------------------------------------------------------

def test_errors_name_the_module_and_sizes():
    with pytest.raises(ValueError, match=r"nn.SpatialAveragePooling.*1x2 is too small for a 2x2"):
        nn.SpatialAveragePooling(2, 2).forward(torch.zeros(3, 1, 2))
    with pytest.raises(ValueError, match=r"nn.VolumetricAveragePooling: expected a 4D"):
        nn.VolumetricAveragePooling(2, 2, 2).forward(torch.zeros(2, 2))
    m = nn.SpatialAveragePooling(2, 2, 2, 2)
    x = torch.zeros(1, 4, 4)
    m.forward(x)
    with pytest.raises(ValueError, match=r"gradOutput of size 1x4x4 .* 1x2x2"):
        m.backward(x, torch.zeros(1, 4, 4))
    with pytest.raises(ValueError, match=r"nn.SpatialAdaptiveMaxPooling: expected a 3D"):
        nn.SpatialAdaptiveMaxPooling(2, 2).forward(torch.zeros(4))
    with pytest.raises(ValueError, match="output size should be greater than zero"):
        nn.SpatialAdaptiveAveragePooling(0, 2).forward(torch.zeros(1, 3, 3))
    with pytest.raises(ValueError, match=r"pool size 3x3 too large relative to the input's 4x4"):
        nn.SpatialFractionalMaxPooling(3, 3, 2, 2).forward(torch.zeros(1, 4, 4))
    with pytest.raises(ValueError, match="ratios must lie in"):
        nn.SpatialFractionalMaxPooling(2, 2, 1.5, 0.5)
    with pytest.raises(ValueError, match="at least 2"):
        nn.SpatialFractionalMaxPooling(1, 2, 2, 2)
    with pytest.raises(RuntimeError, match="must call updateOutput/forward first"):
        nn.SpatialFractionalMaxPooling(2, 2, 2, 2).backward(torch.zeros(1, 5, 5),
                                                            torch.zeros(1, 2, 2))
    with pytest.raises(TypeError, match="must be a nn.SpatialMaxPooling"):
        nn.SpatialMaxUnpooling(nn.SpatialAveragePooling(2, 2))
    with pytest.raises(ValueError, match="kernel must be equal to its stride"):
        nn.SpatialMaxUnpooling(nn.SpatialMaxPooling(3, 3, 2, 2))
    with pytest.raises(RuntimeError, match="run the pooling module's forward first"):
        nn.SpatialMaxUnpooling(nn.SpatialMaxPooling(2, 2)).forward(torch.zeros(1, 2, 2))
    pool = nn.SpatialMaxPooling(2, 2)
    pool.forward(torch.zeros(1, 4, 4))
    with pytest.raises(ValueError, match=r"indices \(of the pooling module\) of size 1x2x2"):
        nn.SpatialMaxUnpooling(pool).forward(torch.zeros(1, 3, 3))
    pool.indices.fill(16)
    with pytest.raises(IndexError, match="invalid max index 16"):
        nn.SpatialMaxUnpooling(pool).forward(torch.zeros(1, 2, 2))
    with pytest.raises(ValueError, match="sequence of 2 frames is smaller than the kernel size 3"):
        nn.TemporalMaxPooling(3).forward(torch.zeros(2, 4))
    with pytest.raises(ValueError, match=r"TemporalMaxPooling: expected a 2D"):
        nn.TemporalMaxPooling(2).forward(torch.zeros(4))
    with pytest.raises(ValueError, match=r"sequence length \(3\) too small for desired k"):
        nn.TemporalDynamicKMaxPooling(4).forward(torch.zeros(3, 2))
    with pytest.raises(ValueError, match="width must be within 2 to 16"):
        nn.FeatureLPPooling(1, 1, 2, False)
    with pytest.raises(ValueError, match=r"feature dimension \(2, input of size 2x3\) must be"):
        nn.FeatureLPPooling(3, 1, 2, False).forward(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="input must be 2-4 dimensions in batch mode"):
        nn.FeatureLPPooling(2, 1, 2, True).forward(torch.zeros(4))
    with pytest.raises(TypeError):
        nn.SpatialAveragePooling(2, 2).forward(torch.LongTensor(1, 4, 4).zero())


def test_average_pooling_stride_defaults_to_one():
    """Torch7's SpatialAveragePooling(kW, kH) steps by 1 (max pooling steps by the kernel)."""
    m = nn.SpatialAveragePooling(2, 2)
    x = torch.range(1, 16).view(1, 4, 4)
    y = m.forward(x)
    assert (m.dW, m.dH) == (1, 1) and list(y.size()) == [1, 3, 3]
    assert y.view(-1).tolist() == [3.5, 4.5, 5.5, 7.5, 8.5, 9.5, 11.5, 12.5, 13.5]
