"""Spatial normalizations (Subtractive / Divisive / Contrastive, CrossMapLRN, Spatial- and
VolumetricBatchNormalization): Torch7's zoo, nn/ and init/ records, finite-difference
Jacobians, PyTorch compositions (conv2d, local_response_norm, batch_norm) forward and backward,
coefficient caching and the errors."""

import ferrotorch as torch
import pytest
from ferrotorch import image, nn
from nn_testing import (
    assert_close,
    check_init_record,
    check_jacobian,
    check_zoo_module,
    nn_record,
    value,
    zoo,
)

# The recordings these tests load (as traced from the loads below).
TORCH7_FIXTURES = [
    *(f"init/{n}.json" for n in (
        "SpatialBatchNormalization", "SpatialContrastiveNormalization",
        "SpatialDivisiveNormalization", "SpatialSubtractiveNormalization",
        "VolumetricBatchNormalization",
    )),
    *(f"nn/{n}.json" for n in (
        "SpatialBatchNormalization", "SpatialContrastiveNormalization",
    )),
    *(f"nn_zoo/{n}.json" for n in (
        "SpatialBatchNormalization", "SpatialContrastiveNormalization", "SpatialCrossMapLRN",
        "SpatialDivisiveNormalization", "SpatialSubtractiveNormalization",
        "VolumetricBatchNormalization",
    )),
]

ZOO = ["SpatialSubtractiveNormalization", "SpatialDivisiveNormalization",
       "SpatialContrastiveNormalization", "SpatialCrossMapLRN", "SpatialBatchNormalization",
       "VolumetricBatchNormalization"]
LOCAL = ["SpatialSubtractiveNormalization", "SpatialDivisiveNormalization",
         "SpatialContrastiveNormalization"]


@pytest.mark.parametrize("name", ZOO)
def test_zoo_record(name):
    record = zoo(name)
    m = getattr(nn, name)(*value(record["constructor_args"]))
    check_zoo_module(m, record, tol=1e-12)
    for key in ("kernel", "running_mean", "running_var", "save_mean", "save_std"):
        if key in (record.get("buffers_after") or {}):
            assert_close(getattr(m, key), value(record["buffers_after"][key]), 1e-12, key)


@pytest.mark.parametrize("name", LOCAL)
def test_init_record_draws_torch7s_stream(name):
    m = check_init_record(name, lambda: getattr(nn, name)(4, image.gaussian(3)))
    assert m.nInputPlane == 4


@pytest.mark.parametrize("name", ["SpatialBatchNormalization", "VolumetricBatchNormalization"])
def test_init_record_batch_normalization(name):
    check_init_record(name)


def test_contrastive_nn_fixture():
    record = nn_record("SpatialContrastiveNormalization")
    m = nn.SpatialContrastiveNormalization(4, image.gaussian(3))
    assert_close(m.kernel, value(record["params"]["kernel"]), 1e-15, "kernel")
    check_zoo_module(m, record, tol=1e-12)


def test_spatial_batch_normalization_nn_fixture():
    record = nn_record("SpatialBatchNormalization")
    m = nn.SpatialBatchNormalization(4, record["eps"], record["momentum"])
    check_zoo_module(m, record, tol=1e-12)
    assert_close(m.running_mean, value(record["running_mean_after"]), 1e-12)
    assert_close(m.running_var, value(record["running_var_after"]), 1e-12)
    assert_close(m.gradWeight, value(record["gradWeight"]), 1e-12)
    m.evaluate()
    assert_close(m.forward(value(record["input"])), value(record["eval_output_after"]), 1e-12)


KERNELS = {"2d": lambda: image.gaussian(3), "1d": lambda: image.gaussian1D(5),
           "ones": lambda: torch.ones(3, 5)}


@pytest.mark.parametrize("name", LOCAL)
@pytest.mark.parametrize("kernel", sorted(KERNELS))
@pytest.mark.parametrize("batch", [False, True])
def test_local_normalization_jacobian(name, kernel, batch):
    torch.manualSeed(3)
    m = getattr(nn, name)(3, KERNELS[kernel]())
    x = torch.randn(2, 3, 5, 6) if batch else torch.randn(3, 6, 4)
    check_jacobian(m, x)


def test_divisive_threshold_region_has_zero_std_gradient():
    # a constant-zero input: every std is below the threshold, the output is x / thresval
    m = nn.SpatialDivisiveNormalization(1, torch.ones(3, 3), 0.5, 2.0)
    x = torch.zeros(1, 4, 4)
    x[0][1][1] = 0.1
    y = m.forward(x)
    assert abs(y[0][1][1] - 0.05) < 1e-15
    g = m.backward(x, torch.ones(1, 4, 4))
    assert_close(g, torch.Tensor(1, 4, 4).fill(0.5), 1e-15)


def _pt_local(pt, x, kernel, n, threshold, thresval, which):
    """Torch7's estimators as PyTorch ops: zero-padded same-size conv2d of the plane sum."""
    F = pt.nn.functional
    k = pt.tensor(kernel.tolist(), dtype=pt.float64)
    if k.dim() == 1:
        kk = k / (k.sum() * (n if which == "sub" else n ** 0.5))
        k2 = pt.outer(kk, kk)
    else:
        k2 = k / (k.sum() * n)
    w = k2[None, None]
    pad = (k2.shape[0] // 2, k2.shape[1] // 2)
    ones = pt.ones(1, 1, *x.shape[2:], dtype=pt.float64) * n
    coef = F.conv2d(ones, w, padding=pad)
    if which == "sub":
        return x - F.conv2d(x.sum(1, keepdim=True), w, padding=pad) / coef
    s = pt.sqrt(F.conv2d((x * x).sum(1, keepdim=True), w, padding=pad)) / coef
    t = pt.where(s > threshold, s, pt.full_like(s, thresval))
    return x / t


@pytest.mark.parametrize("which", ["sub", "div"])
@pytest.mark.parametrize("kernel", ["2d", "1d"])
def test_local_normalization_against_pytorch(which, kernel):
    pt = pytest.importorskip("torch")
    torch.manualSeed(7)
    x, g = torch.randn(3, 4, 7, 9), torch.randn(3, 4, 7, 9)
    k = KERNELS[kernel]()
    cls = nn.SpatialSubtractiveNormalization if which == "sub" else nn.SpatialDivisiveNormalization
    m = cls(4, k.clone()) if which == "sub" else cls(4, k.clone(), 0.3, 0.7)
    y = m.forward(x)
    gi = m.backward(x, g)
    xp = pt.tensor(x.tolist(), dtype=pt.float64, requires_grad=True)
    yp = _pt_local(pt, xp, k, 4, 0.3, 0.7, which)
    yp.backward(pt.tensor(g.tolist(), dtype=pt.float64))
    assert_close(y, torch.Tensor(yp.tolist()), 1e-12, "output")
    assert_close(gi, torch.Tensor(xp.grad.tolist()), 1e-12, "gradInput")


def test_coef_is_cached_per_input_size():
    m = nn.SpatialSubtractiveNormalization(2, torch.ones(3, 3))
    m.forward(torch.randn(2, 5, 5))
    coef = m.coef
    first = coef.clone()
    m.forward(torch.randn(4, 2, 5, 5))
    assert m.coef is coef and m.coef.equal(first)
    m.forward(torch.randn(2, 4, 6))
    assert list(m.coef.size()) == [4, 6]
    assert m.coef[0][0] == 4 / 9 * 2 / 2  # corner: 4 of 9 taps, both planes, kernel 1/18


def test_contrastive_shares_one_kernel_and_converts_to_float():
    k = image.gaussian(3)
    m = nn.SpatialContrastiveNormalization(2, k)
    assert m.kernel is k and m.normalizer.modules[0].kernel is k
    m.float()
    x = torch.randn(2, 2, 6, 6)
    y = m.forward(x.float())
    assert y.type() == "torch.FloatTensor"
    yd = nn.SpatialContrastiveNormalization(2, image.gaussian(3)).forward(x)
    assert_close(y, yd.float(), 1e-5)
    assert m.normalizer.modules[1].kernel.storage() is not None
    gi = m.backward(x.float(), torch.ones(2, 2, 6, 6).float())
    assert gi.type() == "torch.FloatTensor"


@pytest.mark.parametrize("batch", [False, True])
def test_cross_map_lrn_jacobian(batch):
    torch.manualSeed(5)
    m = nn.SpatialCrossMapLRN(3, 0.5, 0.75, 2)
    check_jacobian(m, torch.randn(2, 5, 3, 2) if batch else torch.randn(4, 3, 3))


@pytest.mark.parametrize("size", [1, 3, 5])
def test_cross_map_lrn_against_pytorch(size):
    pt = pytest.importorskip("torch")
    torch.manualSeed(size)
    x, g = torch.randn(2, 6, 4, 5), torch.randn(2, 6, 4, 5)
    m = nn.SpatialCrossMapLRN(size, 0.3, 0.6, 1.5)
    y, gi = m.forward(x), m.backward(x, g)
    xp = pt.tensor(x.tolist(), dtype=pt.float64, requires_grad=True)
    yp = pt.nn.functional.local_response_norm(xp, size, 0.3, 0.6, 1.5)
    yp.backward(pt.tensor(g.tolist(), dtype=pt.float64))
    assert_close(y, torch.Tensor(yp.tolist()), 1e-12, "output")
    assert_close(gi, torch.Tensor(xp.grad.tolist()), 1e-12, "gradInput")


@pytest.mark.parametrize("cls,shape", [(nn.SpatialBatchNormalization, (3, 2, 4, 5)),
                                       (nn.VolumetricBatchNormalization, (2, 2, 3, 2, 3))])
def test_batch_normalization_against_pytorch(cls, shape):
    pt = pytest.importorskip("torch")
    torch.manualSeed(11)
    m = cls(2, 1e-5, 0.2)
    x, g = torch.randn(*shape), torch.randn(*shape)
    y = m.forward(x)
    m.zeroGradParameters()
    gi = m.backward(x, g)
    xp = pt.tensor(x.tolist(), dtype=pt.float64, requires_grad=True)
    w = pt.tensor(m.weight.tolist(), dtype=pt.float64, requires_grad=True)
    b = pt.zeros(2, dtype=pt.float64, requires_grad=True)
    rm, rv = pt.zeros(2, dtype=pt.float64), pt.ones(2, dtype=pt.float64)
    yp = pt.nn.functional.batch_norm(xp, rm, rv, w, b, True, 0.2, 1e-5)
    yp.backward(pt.tensor(g.tolist(), dtype=pt.float64))
    assert_close(y, torch.Tensor(yp.tolist()), 1e-12, "output")
    assert_close(gi, torch.Tensor(xp.grad.tolist()), 1e-12, "gradInput")
    assert_close(m.gradWeight, torch.Tensor(w.grad.tolist()), 1e-12, "gradWeight")
    assert_close(m.running_mean, torch.Tensor(rm.tolist()), 1e-12, "running_mean")
    assert_close(m.running_var, torch.Tensor(rv.tolist()), 1e-12, "running_var")


@pytest.mark.parametrize("cls,shape", [(nn.SpatialBatchNormalization, (3, 2, 3, 2)),
                                       (nn.VolumetricBatchNormalization, (2, 2, 2, 2, 3))])
def test_batch_normalization_jacobian(cls, shape):
    torch.manualSeed(2)
    check_jacobian(cls(2), torch.randn(*shape))


def test_batch_normalization_needs_a_batch_in_training():
    m = nn.SpatialBatchNormalization(3)
    with pytest.raises(ValueError, match=r"SpatialBatchNormalization.*4D.*3x4x4"):
        m.forward(torch.randn(3, 4, 4))
    with pytest.raises(ValueError, match=r"got 2-feature tensor, expected 3"):
        m.forward(torch.randn(2, 2, 4, 4))
    m.evaluate()
    assert list(m.forward(torch.randn(3, 4, 4)).size()) == [3, 4, 4]


@pytest.mark.parametrize("name", LOCAL)
def test_local_normalization_errors(name):
    cls = getattr(nn, name)
    with pytest.raises(ValueError, match=rf"<{name}> averaging kernel must have ODD"):
        cls(1, torch.ones(4, 3))
    with pytest.raises(ValueError, match=rf"<{name}> averaging kernel must be 2D or 1D"):
        cls(1, torch.ones(3, 3, 3))
    m = cls(2, torch.ones(3, 3))
    with pytest.raises(ValueError, match=r"nn.Spatial\w+Normalization: expected 2 input planes.*3x5x5"):
        m.forward(torch.randn(3, 5, 5))
    with pytest.raises(ValueError, match=r"nn.Spatial\w+Normalization: expected a 3D.*or 4D.*size 5x5"):
        m.forward(torch.randn(5, 5))
    m.forward(torch.randn(2, 5, 5))
    with pytest.raises(ValueError, match=r"gradOutput of size 2x5x4 does not match"):
        m.backward(torch.randn(2, 5, 5), torch.randn(2, 5, 4))
    with pytest.raises(TypeError, match=r"FloatTensor or DoubleTensor.*LongTensor"):
        m.forward(torch.LongTensor(2, 5, 5).zero())


def test_lrn_errors_and_float():
    with pytest.raises(ValueError, match="size must be a positive integer"):
        nn.SpatialCrossMapLRN(0)
    m = nn.SpatialCrossMapLRN(3)
    with pytest.raises(ValueError, match=r"SpatialCrossMapLRN.*size 4x4"):
        m.forward(torch.randn(4, 4))
    x = torch.randn(2, 3, 4, 4)
    y = m.forward(x.float())
    assert y.type() == "torch.FloatTensor"
    assert_close(y, nn.SpatialCrossMapLRN(3).forward(x).float(), 1e-6)


def test_module_keeps_its_output_tensor():
    m = nn.SpatialSubtractiveNormalization(2, image.gaussian(3))
    out = m.output
    m.forward(torch.randn(2, 5, 5))
    m.forward(torch.randn(3, 2, 6, 6))
    assert m.output is out and list(out.size()) == [3, 2, 6, 6]
