"""nn math simple layers (nn/simple_math.py): Torch7 zoo records, finite-difference Jacobians,
PyTorch's equivalents, bad input."""

import math

import ferrotorch as torch
import pytest
from ferrotorch import nn
from hypothesis import given, settings
from hypothesis import strategies as st
from nn_testing import assert_close, check_jacobian, check_zoo_module, value, zoo

ZOO = ["Max", "Min", "Sum", "Mean", "Exp", "Log", "Abs", "Square", "Sqrt", "Power", "Clamp",
       "Normalize", "MM", "MV"]


@pytest.mark.parametrize("name", ZOO)
def test_zoo_record(name):
    record = zoo(name)
    m = getattr(nn, name)(*record["constructor_args"])
    check_zoo_module(m, record)


def test_zoo_max_indices():
    record = zoo("Max")
    m = check_zoo_module(nn.Max(*record["constructor_args"]), record)
    want = value(record["indices_internal"]) if "indices_internal" in record else None
    if want is not None:
        assert m._indices.view(-1).tolist() == want.view(-1).tolist()


# ------------------------------------------------------------------------------ Jacobians

JACOBIAN = [
    ("Max", lambda: nn.Max(1), (3, 4), None),
    ("Max nInputDims", lambda: nn.Max(0, 1), (4,), (3, 4)),
    ("Min", lambda: nn.Min(-1), (3, 4), None),
    ("Sum", lambda: nn.Sum(1), (3, 4), None),
    ("Sum nosqueeze", lambda: nn.Sum(0, None, True, False), (3, 4), None),
    ("Sum nInputDims", lambda: nn.Sum(0, 1), (4,), (3, 4)),
    ("Mean", lambda: nn.Mean(-1), (2, 3, 4), None),
    ("Exp", lambda: nn.Exp(), (4,), (3, 4)),
    ("Log", lambda: nn.Log(), (4,), (3, 4)),
    ("Abs", lambda: nn.Abs(), (4,), (3, 4)),
    ("Square", lambda: nn.Square(), (4,), (3, 4)),
    ("Sqrt", lambda: nn.Sqrt(), (4,), (3, 4)),
    ("Power", lambda: nn.Power(3), (4,), (3, 4)),
    ("Power half", lambda: nn.Power(0.5), (4,), (3, 4)),
    ("Clamp", lambda: nn.Clamp(-0.5, 0.5), (4,), (3, 4)),
    ("Normalize 2", lambda: nn.Normalize(2), (4,), (3, 4)),
    ("Normalize 1.5", lambda: nn.Normalize(1.5), (4,), (3, 4)),
    ("Normalize 3", lambda: nn.Normalize(3), (4,), (3, 4)),
    ("Normalize 4", lambda: nn.Normalize(4), (4,), (3, 4)),
    ("Normalize inf", lambda: nn.Normalize(math.inf), (4,), (3, 4)),
]
POSITIVE = {"Log", "Sqrt", "Power half"}


@pytest.mark.parametrize("name,make,single,batch", JACOBIAN, ids=[j[0] for j in JACOBIAN])
def test_jacobian(name, make, single, batch):
    lo, hi = (0.5, 2) if name in POSITIVE else (-2, 2)
    for sizes in (single, batch):
        if sizes is None:
            continue
        err = nn.Jacobian.testJacobian(make(), torch.Tensor(*sizes), lo, hi)
        assert err < 1e-5, f"{name}: Jacobian error {err}"


@pytest.mark.parametrize("make,input", [
    (lambda: nn.MM(), lambda: [torch.randn(2, 3), torch.randn(3, 4)]),
    (lambda: nn.MM(True, False), lambda: [torch.randn(3, 2), torch.randn(3, 4)]),
    (lambda: nn.MM(False, True), lambda: [torch.randn(2, 3), torch.randn(4, 3)]),
    (lambda: nn.MM(True, True), lambda: [torch.randn(5, 3, 2), torch.randn(5, 4, 3)]),
    (lambda: nn.MM(), lambda: [torch.randn(5, 2, 3), torch.randn(5, 3, 4)]),
    (lambda: nn.MV(), lambda: [torch.randn(2, 3), torch.randn(3)]),
    (lambda: nn.MV(True), lambda: [torch.randn(3, 2), torch.randn(3)]),
    (lambda: nn.MV(), lambda: [torch.randn(4, 2, 3), torch.randn(4, 3)]),
    (lambda: nn.MV(True), lambda: [torch.randn(4, 3, 2), torch.randn(4, 3)]),
])
def test_jacobian_products(make, input):
    check_jacobian(make(), input())


# ------------------------------------------------------------------------------ PyTorch

def _pt(t, grad=True):
    pt = pytest.importorskip("torch")
    return pt.tensor(t.double().tolist(), dtype=pt.float64, requires_grad=grad)


def _ft(pt_tensor):
    return torch.Tensor(pt_tensor.detach().tolist())


ELEMENTWISE = [
    (lambda: nn.Exp(), lambda pt, x: pt.exp(x), False),
    (lambda: nn.Log(), lambda pt, x: pt.log(x), True),
    (lambda: nn.Abs(), lambda pt, x: pt.abs(x), False),
    (lambda: nn.Square(), lambda pt, x: x * x, False),
    (lambda: nn.Sqrt(), lambda pt, x: pt.sqrt(x), True),
    (lambda: nn.Power(2.5), lambda pt, x: x ** 2.5, True),
    (lambda: nn.Clamp(-0.3, 0.7), lambda pt, x: pt.clamp(x, -0.3, 0.7), False),
    (lambda: nn.Normalize(2, 0), lambda pt, x: pt.nn.functional.normalize(x, 2, -1, 0), False),
    (lambda: nn.Normalize(1, 0), lambda pt, x: pt.nn.functional.normalize(x, 1, -1, 0), False),
    (lambda: nn.Max(1), lambda pt, x: x.max(1)[0], False),
    (lambda: nn.Min(0), lambda pt, x: x.min(0)[0], False),
    (lambda: nn.Sum(1), lambda pt, x: x.sum(1), False),
    (lambda: nn.Mean(0), lambda pt, x: x.mean(0), False),
]


@pytest.mark.parametrize("make,fn,positive", ELEMENTWISE)
def test_pytorch(make, fn, positive):
    pt = pytest.importorskip("torch")
    x = torch.rand(3, 5).add(0.1) if positive else torch.randn(3, 5)
    xt = _pt(x)
    y = fn(pt, xt)
    go = torch.randn(*y.shape)
    y.backward(_pt(go, False))
    m = make()
    assert_close(m.forward(x), _ft(y), 1e-12)
    assert_close(m.backward(x, go), _ft(xt.grad), 1e-12)


def test_pytorch_products():
    pytest.importorskip("torch")
    for m, a, b in [(nn.MM(False, True), torch.randn(3, 2, 4), torch.randn(3, 5, 4)),
                    (nn.MV(True), torch.randn(3, 4, 2), torch.randn(3, 4))]:
        at, bt = _pt(a), _pt(b)
        if isinstance(m, nn.MM):
            y = at @ bt.transpose(1, 2)
        else:
            y = (at.transpose(1, 2) @ bt.unsqueeze(2)).squeeze(2)
        go = torch.randn(*y.shape)
        y.backward(_pt(go, False))
        assert_close(m.forward([a, b]), _ft(y), 1e-12)
        assert_close(m.backward([a, b], go), [_ft(at.grad), _ft(bt.grad)], 1e-12)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=8), st.sampled_from([1, 2, 3, 1.5]))
def test_normalize_has_unit_norm(xs, p):
    x = torch.Tensor(xs)
    y = nn.Normalize(p).forward(x)
    # Torch7's Normalize.lua adds eps (1e-10) to the p-sum before the root, so the p-sum of
    # the output is exactly S / (S + eps): 1 only when S is large against eps.
    s = sum(abs(v) ** p for v in xs)
    assert sum(abs(v) ** p for v in y.tolist()) == pytest.approx(s / (s + 1e-10), rel=1e-9,
                                                                  abs=1e-300)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-100, 100), min_size=1, max_size=10),
       st.floats(-5, 0), st.floats(0.1, 5))
def test_clamp_is_bounded(xs, lo, hi):
    y = nn.Clamp(lo, hi).forward(torch.Tensor(xs)).tolist()
    assert all(lo <= v <= hi for v in y)
    assert y == [min(max(v, lo), hi) for v in xs]


# ------------------------------------------------------------------------------ types, errors

@pytest.mark.parametrize("name", ZOO)
def test_float_tensors(name):
    record = zoo(name)
    m = getattr(nn, name)(*record["constructor_args"]).float()
    input = value(record["input"])
    input = [t.float() for t in input] if isinstance(input, list) else input.float()
    out = m.forward(input)
    assert out.type() == "torch.FloatTensor"
    assert_close(out, value(record["output"]), 1e-5)
    grad = m.backward(input, value(record["gradOutput"]).float())
    assert_close(grad, value(record["gradInput"]), 1e-5)


def test_wrong_sizes():
    with pytest.raises(ValueError, match="nn.Square.*gradOutput"):
        m = nn.Square()
        m.forward(torch.randn(3))
        m.backward(torch.randn(3), torch.randn(4))
    with pytest.raises(ValueError, match="nn.Normalize"):
        nn.Normalize(2).forward(torch.randn(2, 2, 2))
    with pytest.raises(ValueError, match="nn.MM"):
        nn.MM().forward([torch.randn(2, 3), torch.randn(4, 2)])
    with pytest.raises(ValueError, match="nn.MV"):
        nn.MV().forward([torch.randn(2, 3), torch.randn(2)])
    with pytest.raises(IndexError, match="nn.Sum"):
        nn.Sum(2).forward(torch.randn(3))
    with pytest.raises(TypeError, match="nn.MM"):
        nn.MM().forward(torch.randn(2, 2))


def test_constructor_checks_and_tostrings():
    with pytest.raises(TypeError):
        nn.Power()
    with pytest.raises(ValueError):
        nn.Normalize(0)
    with pytest.raises(ValueError):
        nn.Clamp(1, 0)
    assert str(nn.Normalize(1.5)) == "nn.Normalize(1.500000)"
    assert str(nn.Normalize(math.inf)) == "nn.Normalize(inf)"
    c = nn.Clamp(-2, 3)
    assert (c.min_val, c.max_val, c.inplace) == (-2, 3, False)
    assert str(c) == "nn.Clamp"


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = [f"nn_zoo/{n}.json" for n in ZOO]
