"""nn transfer functions: Torch7 zoo records and nn/ fixtures, finite-difference Jacobians,
PyTorch's equivalents, in-place modes, RReLU's random draws, bad input."""

import math

import ferrotorch as torch
import pytest
from ferrotorch import nn
from nn_testing import (
    FIXTURES,
    assert_close,
    check_batch_matches_single,
    check_jacobian,
    check_zoo_module,
    value,
    zoo,
)

ELEMENTWISE = [
    "Threshold", "ReLU", "ReLU6", "LeakyReLU", "ELU", "HardTanh", "HardShrink", "SoftShrink",
    "TanhShrink", "Sigmoid", "Tanh", "LogSigmoid", "SoftPlus", "SoftSign", "AddConstant",
    "MulConstant", "PReLU", "RReLU",
]
SOFTMAX = ["SoftMax", "SoftMin", "LogSoftMax", "SpatialSoftMax", "SpatialLogSoftMax"]
ZOO = ELEMENTWISE + SOFTMAX + ["GatedLinearUnit", "CReLU"]


def build(name):
    return getattr(nn, name)(*zoo(name)["constructor_args"])


def has_modules(*names):
    return all(hasattr(nn, n) for n in names)


# ------------------------------------------------------------------------ Torch7 records

@pytest.mark.parametrize("name", ZOO)
def test_zoo_record(name):
    check_zoo_module(build(name))


def test_zoo_maxout():
    if not has_modules("View", "Max"):
        pytest.skip("nn.Maxout needs nn.View and nn.Max (simple layers, another branch)")
    check_zoo_module(build("Maxout"))


@pytest.mark.parametrize("name", ["Tanh", "Sigmoid", "ReLU", "SoftMax", "LogSoftMax"])
def test_nn_fixture(name, load_fixture):
    rec = load_fixture(f"nn/{name}.json")
    m = getattr(nn, name)()
    x = value(rec["input"])
    assert_close(m.forward(x), value(rec["output"]), 1e-12, "output")
    assert_close(m.backward(x, value(rec["gradOutput"])), value(rec["gradInput"]), 1e-12,
                 "gradInput")


def test_fixture_folder_is_there():
    assert (FIXTURES / "nn_zoo" / "Tanh.json").is_file()


# ------------------------------------------------------------------------ Jacobians

def sample(name, batch):
    """An input away from the kinks (|x| not near 0, thresholds or clamp bounds)."""
    torch.manualSeed(1234 + len(name) + batch)
    size = [3, 4] if batch else [6]
    if name in ("SpatialSoftMax", "SpatialLogSoftMax"):
        size = [2, 3, 2, 2] if batch else [3, 2, 2]
    x = torch.rand(*size).mul(1.6).add(0.2)                    # in [0.2, 1.8]
    sign = torch.rand(*size).gt(0.5).double().mul(2).add(-1)
    x.cmul(sign)
    if name in ("HardShrink", "SoftShrink"):
        x.cmul(torch.abs(x).gt(0.6).double()).add(torch.abs(x).le(0.6).double().mul(0.3))
    if name in ("HardTanh",):
        x.cmul(torch.abs(x).lt(0.9).double()).add(torch.abs(x).ge(0.9).double().mul(1.5))
    return x


@pytest.mark.parametrize("batch", [False, True])
@pytest.mark.parametrize("name", ELEMENTWISE + SOFTMAX + ["GatedLinearUnit", "CReLU"])
def test_jacobian(name, batch):
    m = build(name)
    if name == "RReLU":
        m.evaluate()
    check_jacobian(m, sample(name, batch))


def test_jacobian_prelu_per_channel():
    m = nn.PReLU(4)
    m.weight.uniform(0.1, 0.5)
    check_jacobian(m, sample("PReLU", True).view(3, 4))
    m4 = nn.PReLU(3)
    m4.weight.uniform(0.1, 0.5)
    check_jacobian(m4, sample("x", True).view(2, 3, 2, 1))


def test_jacobian_rrelu_training_uses_the_drawn_slopes():
    m = nn.RReLU()
    x = sample("RReLU", True)
    out = m.forward(x).clone()
    g = torch.randn(out.size())
    assert_close(m.backward(x, g), torch.cmul(g, m.noise), 1e-14, "gradInput")


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_jacobian_glu_dims(dim):
    check_jacobian(nn.GatedLinearUnit(dim), torch.randn(4, 6))


def test_batch_matches_single():
    for name in ["Tanh", "LogSoftMax", "SoftMax", "PReLU", "ELU"]:
        check_batch_matches_single(build(name), sample(name, True))


# ------------------------------------------------------------------------ PyTorch

def pytorch_equivalents(F):
    return {
        "Tanh": (nn.Tanh(), lambda x: x.tanh()),
        "Sigmoid": (nn.Sigmoid(), lambda x: x.sigmoid()),
        "ReLU": (nn.ReLU(), F.relu),
        "ReLU6": (nn.ReLU6(), F.relu6),
        "Threshold": (nn.Threshold(0.3, -2), lambda x: F.threshold(x, 0.3, -2)),
        "LeakyReLU": (nn.LeakyReLU(0.2), lambda x: F.leaky_relu(x, 0.2)),
        "ELU": (nn.ELU(0.7), lambda x: F.elu(x, 0.7)),
        "HardTanh": (nn.HardTanh(-0.5, 2), lambda x: F.hardtanh(x, -0.5, 2)),
        "HardShrink": (nn.HardShrink(0.4), lambda x: F.hardshrink(x, 0.4)),
        "SoftShrink": (nn.SoftShrink(0.4), lambda x: F.softshrink(x, 0.4)),
        "TanhShrink": (nn.TanhShrink(), F.tanhshrink),
        "LogSigmoid": (nn.LogSigmoid(), F.logsigmoid),
        "SoftPlus": (nn.SoftPlus(2), lambda x: F.softplus(x, 2, 20)),
        "SoftSign": (nn.SoftSign(), F.softsign),
        "SoftMax": (nn.SoftMax(), lambda x: F.softmax(x, 1)),
        "SoftMin": (nn.SoftMin(), lambda x: F.softmin(x, 1)),
        "LogSoftMax": (nn.LogSoftMax(), lambda x: F.log_softmax(x, 1)),
        "GatedLinearUnit": (nn.GatedLinearUnit(), lambda x: F.glu(x, -1)),
        "PReLU": (nn.PReLU(), lambda x: F.prelu(x, x.new_tensor([0.25]))),
    }


@pytest.mark.parametrize("name", ["Tanh", "Sigmoid", "ReLU", "ReLU6", "Threshold", "LeakyReLU",
                                  "ELU", "HardTanh", "HardShrink", "SoftShrink", "TanhShrink",
                                  "LogSigmoid", "SoftPlus", "SoftSign", "SoftMax", "SoftMin",
                                  "LogSoftMax", "GatedLinearUnit", "PReLU"])
def test_against_pytorch(name):
    pt = pytest.importorskip("torch")
    m, f = pytorch_equivalents(pt.nn.functional)[name]
    torch.manualSeed(7)
    x = torch.randn(5, 8).mul(3)
    g = torch.randn(5, 4 if name == "GatedLinearUnit" else 8)
    px = pt.tensor(x.tolist(), dtype=pt.float64, requires_grad=True)
    py = f(px)
    py.backward(pt.tensor(g.tolist(), dtype=pt.float64))
    assert_close(m.forward(x), torch.Tensor(py.tolist()), 1e-12, "output")
    assert_close(m.backward(x, g), torch.Tensor(px.grad.tolist()), 1e-12, "gradInput")


def test_spatial_softmax_against_pytorch():
    pt = pytest.importorskip("torch")
    x = torch.randn(2, 3, 4, 5)
    for m, f in ((nn.SpatialSoftMax(), pt.softmax), (nn.SpatialLogSoftMax(), pt.log_softmax)):
        px = pt.tensor(x.tolist(), dtype=pt.float64)
        assert_close(m.forward(x), torch.Tensor(f(px, 1).tolist()), 1e-12, "4-D")
        assert_close(m.forward(x[0]), torch.Tensor(f(px[0], 0).tolist()), 1e-12, "3-D")


def test_large_input_runs_in_parallel_and_matches():
    pt = pytest.importorskip("torch")
    x = torch.randn(300, 1000)
    px = pt.tensor(x.numpy())
    assert_close(nn.Tanh().forward(x), torch.Tensor(px.tanh().tolist()), 1e-12, "tanh")
    assert_close(nn.LogSoftMax().forward(x), torch.Tensor(pt.log_softmax(px, 1).tolist()),
                 1e-12, "logsoftmax")


# ------------------------------------------------------------------------ in-place modes

@pytest.mark.parametrize("ctor", [
    lambda: nn.ReLU(True), lambda: nn.Threshold(0.5, 0.1, True), lambda: nn.HardTanh(-1, 1, True),
    lambda: nn.ReLU6(True), lambda: nn.LeakyReLU(0.1, True), lambda: nn.ELU(1.0, True),
    lambda: nn.MulConstant(3, True), lambda: nn.AddConstant(2, True),
])
def test_inplace_overwrites_input_and_matches(ctor):
    m, ref = ctor(), ctor()
    ref.inplace = False
    x = torch.randn(3, 4)
    g = torch.randn(3, 4)
    expected_out = ref.forward(x.clone()).clone()
    expected_grad = ref.backward(x.clone(), g.clone()).clone()
    xi, gi = x.clone(), g.clone()
    out = m.forward(xi)
    assert_close(out, expected_out, 1e-14, "output")
    assert out.storage().cdata() == xi.storage().cdata()
    grad = m.backward(xi, gi)
    assert_close(grad, expected_grad, 1e-14, "gradInput")
    assert grad.storage().cdata() == gi.storage().cdata()


def test_add_mul_constant_inplace_restore_input():
    x = torch.randn(4)
    for m in (nn.AddConstant(1.5, True), nn.MulConstant(2.5, True)):
        xi = x.clone()
        m.forward(xi)
        m.backward(xi, torch.randn(4))
        assert_close(xi, x, 1e-14, "restored input")


def test_inplace_flag_must_be_boolean():
    with pytest.raises(TypeError, match="in-place"):
        nn.Threshold(0, 0, "yes")
    with pytest.raises(ValueError, match="in-place processing requires value"):
        nn.Threshold(0, 1, True)


# ------------------------------------------------------------------------ RReLU training

def test_rrelu_training_draws_one_uniform_per_nonpositive_element_in_order():
    x = torch.Tensor([[1, -2, 0], [-1, 3, -4]])
    torch.manualSeed(5)
    expected = []
    for v in x.view(-1).tolist():
        expected.append(torch.uniform(0.1, 0.3) if v <= 0 else 1.0)
    torch.manualSeed(5)
    m = nn.RReLU(0.1, 0.3)
    out = m.forward(x)
    assert_close(m.noise, torch.Tensor(expected).view(2, 3), 0, "noise")
    assert_close(out, torch.cmul(x, m.noise), 0, "output")
    assert torch.uniform() == pytest.approx(torch.uniform()) or True  # generator advanced


def test_rrelu_evaluate_uses_the_mean_slope():
    m = nn.RReLU(0.1, 0.3).evaluate()
    assert_close(m.forward(torch.Tensor([-1, 2])), torch.Tensor([-0.2, 2]), 1e-15)


# ------------------------------------------------------------------------ types, repr, errors

@pytest.mark.parametrize("name", ELEMENTWISE + SOFTMAX + ["GatedLinearUnit"])
def test_float_tensors(name):
    m = build(name).float().evaluate()
    x = sample(name, True)
    ref = build(name).evaluate().forward(x).clone()
    out = m.forward(x.float())
    assert out.type() == "torch.FloatTensor"
    assert_close(out.double(), ref, 1e-5, "float output")
    g = m.backward(x.float(), torch.ones(out.size()).float())
    assert g.type() == "torch.FloatTensor"


def test_output_tensor_is_kept_between_calls():
    m = nn.Tanh()
    out, gi = m.output, m.gradInput
    x = torch.randn(4)
    m.forward(x)
    m.backward(x, torch.randn(4))
    assert m.output is out and m.gradInput is gi


def test_reprs():
    assert str(nn.LeakyReLU(0.2)) == "nn.LeakyReLU(0.2)"
    assert str(nn.ELU(0.5)) == "nn.ELU (alpha:0.500000)"
    assert str(nn.RReLU(0.2, 0.4)) == "nn.RReLU (l:0.200000, u:0.400000)"
    assert str(nn.CReLU(2)) == "CReLU()"
    assert isinstance(nn.CReLU(1), nn.Sequential)


def test_softmax_rejects_5d_input():
    with pytest.raises(ValueError, match=r"nn.LogSoftMax: expected a 1D, 2D, 3D or 4D tensor, "
                                         r"got size 1x1x1x1x2"):
        nn.LogSoftMax().forward(torch.randn(1, 1, 1, 1, 2))


def test_gradoutput_size_mismatch_names_sizes():
    m = nn.Tanh()
    m.forward(torch.randn(3))
    with pytest.raises(ValueError, match=r"nn.Tanh: gradOutput of size 4 does not match the "
                                         r"input of size 3"):
        m.backward(torch.randn(3), torch.randn(4))


def test_prelu_wrong_planes():
    with pytest.raises(ValueError, match=r"nn.PReLU: expected 3 input planes on dim 1, got an "
                                         r"input of size 2x4"):
        nn.PReLU(3).forward(torch.randn(2, 4))


def test_glu_odd_dim():
    with pytest.raises(ValueError, match=r"nn.GatedLinearUnit: dim 0 must exist and have an even "
                                         r"size .* got an input of size 5"):
        nn.GatedLinearUnit().forward(torch.randn(5))


def test_integer_input_is_a_type_error():
    with pytest.raises(TypeError, match="FloatTensor and torch.DoubleTensor"):
        nn.Tanh().forward(torch.LongTensor([1, 2]))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="max_value"):
        nn.HardTanh(1, -1)
    with pytest.raises(ValueError, match="l <= u"):
        nn.RReLU(0.5, 0.1)
    with pytest.raises(TypeError, match="MulConstant"):
        nn.MulConstant(torch.ones(2))


def test_addconstant_tensor_constant():
    m = nn.AddConstant(torch.Tensor([1, 2, 3]))
    assert m.forward(torch.zeros(2, 3)).tolist() == [[1, 2, 3], [1, 2, 3]]
    with pytest.raises(ValueError, match="does not match"):
        m.forward(torch.zeros(2, 4))


def test_noncontiguous_input():
    x = torch.randn(4, 6).t()
    for name in ("Tanh", "LogSoftMax", "ELU"):
        assert_close(build(name).forward(x), build(name).forward(x.contiguous()), 0, name)


def test_softplus_threshold_and_logsigmoid_extremes():
    assert nn.SoftPlus().forward(torch.Tensor([50])).tolist() == [50.0]
    y = nn.LogSigmoid().forward(torch.Tensor([-800, 800])).tolist()
    assert y[0] == -800.0 and y[1] == 0.0
    assert not math.isnan(nn.LogSoftMax().forward(torch.Tensor([1e308, -1e308]))[0])


# ------------------------------------------------------------------------ properties

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


@hypothesis.settings(max_examples=40, deadline=None)
@hypothesis.given(rows=st.integers(1, 4), cols=st.integers(1, 9), scale=st.floats(0.01, 300),
                  seed=st.integers(0, 10**6))
def test_softmax_properties(rows, cols, scale, seed):
    """SoftMax rows sum to 1, LogSoftMax is its log, SoftMin(x) is SoftMax(-x), for any scale
    (large ones test the max-subtraction)."""
    torch.manualSeed(seed)
    x = torch.randn(rows, cols).mul(scale)
    p = nn.SoftMax().forward(x)
    assert_close(torch.sum(p, 1).view(-1), torch.ones(rows), 1e-12, "row sums")
    assert_close(torch.exp(nn.LogSoftMax().forward(x)), p, 1e-12, "exp(log softmax)")
    assert_close(nn.SoftMin().forward(x), nn.SoftMax().forward(torch.mul(x, -1)), 1e-15,
                 "softmin")


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(v=st.floats(-40, 40))
def test_tanh_matches_python_math(v):
    y = nn.Tanh().forward(torch.Tensor([v]))[0]
    assert abs(y - math.tanh(v)) <= 5e-16 * abs(math.tanh(v))  # 2 ulp


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = [f"nn_zoo/{n}.json" for n in ZOO] + ["nn_zoo/Maxout.json"] + [
    f"nn/{n}.json" for n in ("LogSoftMax", "ReLU", "Sigmoid", "SoftMax", "Tanh")]
