"""nn pooling layers: Torch7's zoo records and nn/ fixtures, finite-difference Jacobians,
PyTorch's functional poolings as oracles (forward, backward and indices, float64), output-size
edges (padding, ceil mode, stride > kernel, dilation) and the errors."""

import math

import ferrotorch as torch
import numpy as np
import pytest
from ferrotorch import nn
from nn_testing import (assert_close, check_batch_matches_single, check_jacobian,
                        check_zoo_module, nn_record, value, zoo)


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
