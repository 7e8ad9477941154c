"""Temporal layers and LookupTable: Torch7's zoo and init/ records, finite-difference
Jacobians, PyTorch's conv1d / embedding forward and backward (gradients of parameters too),
padding / maxNorm / scaleGradByFreq, and the errors."""

import ferrotorch as torch
import pytest
from ferrotorch import nn
from nn_testing import (
    assert_close,
    check_init_record,
    check_jacobian,
    check_zoo_module,
    value,
    zoo,
)

# The recordings these tests load (as traced from the loads below).
TORCH7_FIXTURES = [
    *(f"init/{n}.json" for n in (
        "LookupTable", "TemporalConvolution", "TemporalRowConvolution", "TemporalSubSampling",
    )),
    *(f"nn_zoo/{n}.json" for n in (
        "LookupTable", "TemporalConvolution", "TemporalRowConvolution", "TemporalSubSampling",
    )),
]

CLASSES = ["TemporalConvolution", "TemporalSubSampling", "TemporalRowConvolution",
           "LookupTable"]


@pytest.mark.parametrize("name", CLASSES)
def test_zoo_record(name):
    record = zoo(name)
    check_zoo_module(getattr(nn, name)(*value(record["constructor_args"])), record, tol=1e-12)


@pytest.mark.parametrize("name", CLASSES)
def test_init_record(name):
    check_init_record(name)


@pytest.mark.parametrize("m,shape", [
    (nn.TemporalConvolution(3, 4, 2), (5, 3)),
    (nn.TemporalConvolution(2, 3, 3, 2), (2, 7, 2)),
    (nn.TemporalSubSampling(3, 2), (5, 3)),
    (nn.TemporalSubSampling(2, 3, 2), (2, 8, 2)),
    (nn.TemporalRowConvolution(3, 2), (5, 3)),
    (nn.TemporalRowConvolution(2, 3, 2), (2, 7, 2)),
    (nn.TemporalRowConvolution(3, 2, 1, True), (2, 3, 5)),
    (nn.TemporalRowConvolution(3, 2).noBias(), (4, 3)),
], ids=str)
def test_jacobian(m, shape):
    torch.manualSeed(3)
    check_jacobian(m, torch.randn(*shape))


def _run(m, x, g):
    m.zeroGradParameters()
    y = m.forward(x).clone()
    gi = m.backward(x, g).clone()
    return y, gi, [t.clone() for t in m.parameters()[1]]


def _compare(pt, m, x, f, params):
    """m against PyTorch's f(xp, *params) forward and backward (input and parameter grads)."""
    y = m.forward(x)
    g = torch.randn(y.size())
    y, gi, grads = _run(m, x, g)
    xp = pt.tensor(x.tolist(), dtype=pt.float64, requires_grad=True)
    ps = [pt.tensor(p.tolist(), dtype=pt.float64, requires_grad=True) for p in params]
    yp = f(xp, *ps)
    yp.backward(pt.tensor(g.tolist(), dtype=pt.float64))
    assert_close(y, torch.Tensor(yp.tolist()), 1e-12, "output")
    assert_close(gi, torch.Tensor(xp.grad.tolist()), 1e-12, "gradInput")
    for i, (ours, p) in enumerate(zip(grads, ps)):
        assert_close(ours.contiguous().view(-1), torch.Tensor(p.grad.reshape(-1).tolist()),
                     1e-12, f"grad {i}")


@pytest.mark.parametrize("kw,dw,batch", [(2, 1, False), (3, 2, True), (1, 3, True)])
def test_temporal_convolution_against_conv1d(kw, dw, batch):
    pt = pytest.importorskip("torch")
    torch.manualSeed(kw + dw)
    m = nn.TemporalConvolution(3, 4, kw, dw)
    x = torch.randn(2, 9, 3) if batch else torch.randn(9, 3)

    def f(xp, w, b):
        xb = xp if batch else xp[None]
        wk = w.reshape(4, kw, 3).permute(0, 2, 1)  # frame-major windows -> (out, in, kW)
        y = pt.nn.functional.conv1d(xb.transpose(1, 2), wk, b, stride=dw).transpose(1, 2)
        return y if batch else y[0]

    _compare(pt, m, x, f, [m.weight, m.bias])


@pytest.mark.parametrize("feat_first", [False, True])
def test_row_convolution_against_grouped_conv1d(feat_first):
    pt = pytest.importorskip("torch")
    torch.manualSeed(9)
    m = nn.TemporalRowConvolution(4, 3, 2, feat_first)
    x = torch.randn(2, 4, 9) if feat_first else torch.randn(2, 9, 4)

    def f(xp, w, b):
        xin = xp if feat_first else xp.transpose(1, 2)
        y = pt.nn.functional.conv1d(xin, w, b, stride=2, groups=4)
        return y if feat_first else y.transpose(1, 2)

    _compare(pt, m, x, f, [m.weight, m.bias])


def test_sub_sampling_against_grouped_conv1d():
    pt = pytest.importorskip("torch")
    torch.manualSeed(10)
    m = nn.TemporalSubSampling(3, 3, 2)
    x = torch.randn(9, 3)

    def f(xp, w, b):
        wk = w[:, None, None].expand(3, 1, 3)
        return pt.nn.functional.conv1d(xp.t()[None], wk, b, stride=2, groups=3)[0].t()

    _compare(pt, m, x, f, [m.weight, m.bias])


def test_lookup_table_against_embedding():
    pt = pytest.importorskip("torch")
    torch.manualSeed(12)
    m = nn.LookupTable(6, 3)
    idx = torch.LongTensor([[0, 5, 2, 5], [1, 1, 5, 3]])
    g = torch.randn(2, 4, 3)
    m.zeroGradParameters()
    y = m.forward(idx)
    m.backward(idx, g)
    w = pt.tensor(m.weight.tolist(), dtype=pt.float64, requires_grad=True)
    yp = pt.nn.functional.embedding(pt.tensor(idx.tolist()), w)
    yp.backward(pt.tensor(g.tolist(), dtype=pt.float64))
    assert_close(y, torch.Tensor(yp.tolist()), 0)
    assert_close(m.gradWeight, torch.Tensor(w.grad.tolist()), 1e-12)
    assert m.gradInput.nElement() == 8 and m.gradInput.abs().max() == 0


def test_lookup_table_padding_and_frequency_scaling():
    pt = pytest.importorskip("torch")
    torch.manualSeed(13)
    m = nn.LookupTable(5, 2, 1).scaleGradByFreq()
    idx = torch.LongTensor([1, 3, 3, 0, 3, 1])
    g = torch.randn(6, 2)
    m.zeroGradParameters()
    m.forward(idx)
    m.backward(idx, g, 0.5)
    w = pt.tensor(m.weight.tolist(), dtype=pt.float64, requires_grad=True)
    yp = pt.nn.functional.embedding(pt.tensor(idx.tolist()), w, padding_idx=1,
                                    scale_grad_by_freq=True)
    yp.backward(pt.tensor(g.tolist(), dtype=pt.float64) * 0.5)
    assert_close(m.gradWeight, torch.Tensor(w.grad.tolist()), 1e-12)
    assert m.gradWeight[1].abs().max() == 0


@pytest.mark.parametrize("norm_type", [2, 1, 3])
def test_lookup_table_max_norm_against_embedding(norm_type):
    pt = pytest.importorskip("torch")
    torch.manualSeed(14)
    m = nn.LookupTable(5, 4, None, 1.5, norm_type)
    w = pt.tensor(m.weight.tolist(), dtype=pt.float64)
    idx = torch.LongTensor([4, 0, 4])
    y = m.forward(idx)
    yp = pt.nn.functional.embedding(pt.tensor(idx.tolist()), w, max_norm=1.5,
                                    norm_type=norm_type)
    assert_close(y, torch.Tensor(yp.tolist()), 1e-12)
    assert_close(m.weight, torch.Tensor(w.tolist()), 1e-12)  # renormed in place, rows 0, 4


def test_lookup_table_parameter_jacobian_and_float_input():
    torch.manualSeed(15)
    m = nn.LookupTable(4, 3)
    idx = torch.Tensor([[3, 0], [3, 2]])  # a DoubleTensor of indices works too
    err = nn.Jacobian.testJacobianParameters(m, idx, m.weight, m.gradWeight)
    assert err < 1e-5
    assert list(m.forward(idx).size()) == [2, 2, 3]


def test_lookup_table_acc_update_and_float_module():
    m = nn.LookupTable(3, 2)
    before = m.weight.clone()
    idx = torch.LongTensor([2, 2])
    m.forward(idx)
    m.accUpdateGradParameters(idx, torch.ones(2, 2), 0.5)
    assert_close(m.weight[2], before[2] - 1, 1e-15)
    assert_close(m.weight[0], before[0], 0)
    m.float()
    assert m.forward(idx).type() == "torch.FloatTensor"
    m.backward(idx, torch.ones(2, 2).float())


def test_errors():
    m = nn.TemporalConvolution(3, 4, 3)
    with pytest.raises(ValueError, match=r"nn.TemporalConvolution: input sequence of 2 frames "
                                         r"is smaller than the kernel size 3"):
        m.forward(torch.randn(2, 3))
    with pytest.raises(ValueError, match=r"expected input frames of size 3.*5x2"):
        m.forward(torch.randn(5, 2))
    with pytest.raises(ValueError, match=r"2D.*or 3D.*got size 5"):
        m.forward(torch.randn(5))
    m.forward(torch.randn(5, 3))
    with pytest.raises(ValueError, match=r"gradOutput of size 3x3 does not match the output "
                                         r"size 3x4"):
        m.backward(torch.randn(5, 3), torch.randn(3, 3))
    r = nn.TemporalRowConvolution(3, 2)
    with pytest.raises(ValueError, match=r"nn.TemporalRowConvolution.*frames of size 3"):
        r.forward(torch.randn(5, 4))
    lt = nn.LookupTable(4, 2)
    with pytest.raises(IndexError, match=r"nn.LookupTable: index 4 out of range for 4 rows"):
        lt.forward(torch.LongTensor([0, 4]))
    with pytest.raises(IndexError, match=r"index -1 out of range"):
        lt.forward(torch.LongTensor([-1]))
    with pytest.raises(ValueError, match="vector or matrix"):
        lt.forward(torch.LongTensor(2, 2, 2).zero())
    with pytest.raises(TypeError, match="FloatTensor or DoubleTensor"):
        nn.TemporalSubSampling(2, 2).forward(torch.LongTensor(4, 2).zero())


def test_strings():
    assert str(nn.TemporalRowConvolution(4, 3, 2)) == "nn.TemporalRowConvolution(4, 3, 2)"
    assert str(nn.TemporalRowConvolution(4, 3).noBias()) == \
        "nn.TemporalRowConvolution(4, 3) without bias"
    assert str(nn.TemporalConvolution(1, 2, 3)) == "nn.TemporalConvolution"
