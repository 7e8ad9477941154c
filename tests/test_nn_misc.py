"""nn miscellaneous layers: Torch7's zoo records (and the nn/ fixtures of BatchNormalization and
Dropout), finite-difference Jacobians, PyTorch's functional equivalents, Torch7's random
streams for the masks, and the errors."""

import math

import ferrotorch as torch
import numpy as np
import pytest
from conftest import FIXTURES
from ferrotorch import nn
from hypothesis import given, settings
from hypothesis import strategies as st
from nn_testing import assert_close, check_jacobian, check_zoo_module, value, zoo

ZOO = ["BatchNormalization", "PixelShuffle", "Identity", "Dropout",
       "SpatialDropout", "VolumetricDropout", "Padding", "L1Penalty", "GradientReversal",
       "Constant", "WhiteNoise", "OneHot", "PrintSize", "ZeroGrad", "Collapse", "Convert"]


def build(name):
    return getattr(nn, name)(*value(zoo(name)["constructor_args"]))


@pytest.mark.parametrize("name", ZOO)
def test_zoo_record(name, capsys):
    record = zoo(name)
    m = check_zoo_module(build(name), tol=1e-12)
    if record.get("backward_error"):
        input = value(record["input"])
        with pytest.raises(RuntimeError, match=record["backward_error"]):
            m.backward(input, m.output.clone())
    for key, expected in (record.get("buffers_after") or {}).items():
        assert_close(getattr(m, key), value(expected), 1e-12, key)
    if "loss_field" in record:
        assert abs(m.loss - record["loss_field"]) < 1e-12


def test_layer_normalization_zoo_record():
    """Torch7 built LayerNormalization from Mean(1, 1) and Replicate(nOutput, 1, 1): on a B x n
    batch the replicated means come out n x B, and CSubTable subtracted them in row-major
    order, so sample b's element j lost mean[(b*n + j) % B], another sample's mean when B > 1.
    The record holds that; ferrotorch normalizes each sample by its own mean (what the module
    is documented to do, and what Torch7 computes for one sample)."""
    rec = zoo("LayerNormalization")
    m = build("LayerNormalization")
    assert str(m) == rec["tostring"]
    assert [p["name"] for p in rec["parameters"]] == ["modules[4].weight", "modules[5].bias"]
    from nn_testing import load_parameters

    load_parameters(m, rec)
    x, g = value(rec["input"]), value(rec["gradOutput"])
    xs = np.array(x.tolist())
    b, n = xs.shape
    w = np.array(m.weight.tolist())
    bias = np.array(m.bias.tolist())

    def normalize(centred):
        return math.sqrt(n) * centred / np.sqrt((centred ** 2).sum(1, keepdims=True) + 1e-10)

    means = xs.mean(1)
    torch7 = xs - np.array([[means[(i * n + j) % b] for j in range(n)] for i in range(b)])
    np.testing.assert_allclose(normalize(torch7) * w + bias, np.array(value(rec["output"])
                                                                       .tolist()), atol=1e-14)
    m.zeroGradParameters()
    ours = m.forward(x).clone()
    np.testing.assert_allclose(np.array(ours.tolist()),
                               normalize(xs - means[:, None]) * w + bias, atol=1e-14)
    m.backward(x, g)
    # gradBias does not depend on the means: Torch7's value holds
    assert_close(m.gradBias, value(rec["gradParameters"][1]["tensor"]), 1e-12, "gradBias")
    # one sample: Torch7's composition is right, and equals ours row by row
    for i in range(b):
        row = m.forward(x[i]).clone()
        assert_close(row, ours[i], 1e-14, f"sample {i}")


def test_batch_normalization_fixture(load_fixture):
    rec = load_fixture("nn/BatchNormalization.json")
    m = nn.BatchNormalization(5, rec["eps"], rec["momentum"])
    m.weight.copy(value(rec["params"]["weight"]))
    m.bias.copy(value(rec["params"]["bias"]))
    x, g = value(rec["input"]), value(rec["gradOutput"])
    m.zeroGradParameters()
    assert_close(m.forward(x), value(rec["output"]), 1e-12, "output")
    assert_close(m.backward(x, g), value(rec["gradInput"]), 1e-12, "gradInput")
    assert_close(m.gradWeight, value(rec["gradWeight"]), 1e-12, "gradWeight")
    assert_close(m.gradBias, value(rec["gradBias"]), 1e-12, "gradBias")
    assert_close(m.running_mean, value(rec["running_mean_after"]), 1e-12, "running_mean")
    assert_close(m.running_var, value(rec["running_var_after"]), 1e-12, "running_var")
    assert_close(m.evaluate().forward(x), value(rec["eval_output_after"]), 1e-12, "evaluate")


def test_dropout_evaluate_fixture(load_fixture):
    rec = load_fixture("nn/Dropout_evaluate.json")
    m = nn.Dropout(0.5).evaluate()
    x = value(rec["input"])
    assert_close(m.forward(x), value(rec["output"]), 0, "output")
    assert_close(m.backward(x, value(rec["gradOutput"])), value(rec["gradInput"]), 0, "gradInput")


def _rand(*sizes):
    return torch.randn(*sizes)


def _bn(n, affine=True):
    return nn.BatchNormalization(n, 1e-5, 0.1, affine)


JACOBIAN_CASES = [
    ("BatchNormalization", lambda: _bn(3), (5, 3)),
    ("BatchNormalization no affine", lambda: _bn(3, False), (4, 3)),
    ("BatchNormalization evaluate", lambda: _bn(3).evaluate(), (4, 3)),
    ("BatchNormalization evaluate vector", lambda: _bn(3).evaluate(), (3,)),
    ("LayerNormalization", lambda: nn.LayerNormalization(5, 0.5), (5,)),
    ("LayerNormalization batch", lambda: nn.LayerNormalization(4), (3, 4)),
    ("LayerNormalization no affine", lambda: nn.LayerNormalization(4, 0, 1e-10, False), (2, 4)),
    ("PixelShuffle", lambda: nn.PixelShuffle(2), (8, 2, 3)),
    ("PixelShuffle batch", lambda: nn.PixelShuffle(2), (2, 4, 2, 2)),
    ("Identity", lambda: nn.Identity(), (3, 2)),
    ("Dropout evaluate", lambda: nn.Dropout(0.3).evaluate(), (4, 3)),
    ("Dropout v1 evaluate", lambda: nn.Dropout(0.3, True).evaluate(), (4,)),
    ("Padding", lambda: nn.Padding(0, 2), (3,)),
    ("Padding left index", lambda: nn.Padding(1, -2, 2, 5, 1), (2, 3, 4)),
    ("Padding right index", lambda: nn.Padding(0, 3, 1, -1, 2), (4, 2)),
    ("Constant", lambda: nn.Constant(torch.Tensor([1, 2]), 1), (3, 4)),
    ("ZeroGrad", lambda: nn.ZeroGrad(), (3,)),
    ("Collapse", lambda: nn.Collapse(2), (3, 2, 2)),
    ("Convert", lambda: nn.Convert("chw", "hwc"), (2, 3, 4)),
    ("Convert bf", lambda: nn.Convert("bchw", "bf"), (2, 2, 3, 2)),
]


@pytest.mark.parametrize("name,make,sizes", JACOBIAN_CASES, ids=[c[0] for c in JACOBIAN_CASES])
def test_jacobian(name, make, sizes):
    m = make()
    if name == "ZeroGrad" or name == "Constant":
        # Their true Jacobian is zero: check it directly (the outputs do not depend on x).
        x = _rand(*sizes)
        assert float(m.backward(x, m.forward(x).clone().fill(1)).abs().sum()) == 0
        return
    check_jacobian(m, _rand(*sizes))


def test_l1_penalty_gradient_is_the_loss_derivative():
    # gradInput - gradOutput is d(loss)/d(input), by central differences of m.loss
    for sizeAverage in (False, True):
        m = nn.L1Penalty(0.3, sizeAverage)
        x = _rand(3, 4)
        g = _rand(3, 4)
        analytic = m.backward(x, g).clone().add(-1, g)
        numeric = torch.zeros(3, 4)
        flat, nflat = x.view(-1), numeric.view(-1)
        for i in range(12):
            v = flat[i]
            flat[i] = v + 1e-6
            m.forward(x)
            up = m.loss
            flat[i] = v - 1e-6
            m.forward(x)
            nflat[i] = (up - m.loss) / 2e-6
            flat[i] = v
        assert_close(analytic, numeric, 1e-6)
        assert m.forward(x) is x


def test_gradient_reversal_is_minus_lambda_times_the_jacobian():
    m = nn.GradientReversal(0.5)
    x = _rand(4)
    bp = nn.Jacobian.backward(m, x)
    fd = nn.Jacobian.forward(m, x)
    assert_close(bp, fd.mul(-0.5), 1e-8)
    m.setLambda(2)
    assert m.backward(x, torch.ones(4)).tolist() == [-2.0] * 4


def test_dropout_training_jacobian_with_fixed_mask():
    # With the mask frozen (same seed before every forward) dropout is linear in x.
    class Seeded(nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def updateOutput(self, input):
            torch.manualSeed(7)
            self.output = self.inner.forward(input)
            return self.output

        def updateGradInput(self, input, gradOutput):
            self.gradInput = self.inner.updateGradInput(input, gradOutput)
            return self.gradInput

    for inner, sizes in ((nn.Dropout(0.4), (6, 5)), (nn.SpatialDropout(0.5), (3, 2, 2)),
                         (nn.VolumetricDropout(0.5), (2, 3, 1, 2, 2))):
        check_jacobian(Seeded(inner), _rand(*sizes))


@pytest.mark.parametrize("p,v1", [(0.5, False), (0.25, True), (0.8, False)])
def test_dropout_mask_is_torch7s_bernoulli_stream(p, v1):
    # Torch7's Dropout: noise:bernoulli(1-p) over the input's elements, row-major.
    x = _rand(4, 7)
    torch.manualSeed(42)
    y = nn.Dropout(p, v1).forward(x)
    torch.manualSeed(42)
    mask = torch.Tensor(4, 7).bernoulli(1 - p)
    expected = x.clone().cmul(mask if v1 else mask.clone().div(1 - p))
    assert_close(y, expected, 0)


def test_spatial_dropout_draws_one_per_map():
    x = _rand(2, 3, 4, 4)
    torch.manualSeed(3)
    m = nn.SpatialDropout(0.5)
    y = m.forward(x)
    torch.manualSeed(3)
    mask = torch.Tensor(2, 3, 1, 1).bernoulli(0.5)
    assert list(m.noise.size()) == [2, 3, 1, 1]
    assert_close(y, x.clone().cmul(mask.expandAs(x)), 0)
    g = _rand(2, 3, 4, 4)
    assert_close(m.backward(x, g), g.clone().cmul(mask.expandAs(x)), 0)
    assert_close(m.evaluate().forward(x), x.clone().mul(0.5), 0)


def test_spatial_dropout_of_one_drops_every_map():
    m = nn.SpatialDropout(1)
    assert float(m.forward(torch.ones(2, 3, 3)).abs().sum()) == 0
    assert float(m.evaluate().forward(torch.ones(2, 3, 3)).abs().sum()) == 0


def test_dropout_modes():
    x = _rand(3, 3)
    d = nn.Dropout(0.5, False, True)  # in place
    before = x.clone()
    out = d.forward(x)
    assert out.storage().cdata() == x.storage().cdata()
    assert_close(x, before.cmul(d.noise), 0)
    g = _rand(3, 3)
    g_before = g.clone()
    assert d.backward(x, g).storage().cdata() == g.storage().cdata()
    assert_close(g, g_before.cmul(d.noise), 0)
    d = nn.Dropout(0.5, False, False, True).evaluate()  # stochastic inference
    assert float(d.forward(torch.ones(200)).eq(0).sum()) > 0
    d = nn.Dropout(0)
    assert_close(d.forward(x), x, 0)
    assert str(nn.Dropout(0.25)) == "nn.Dropout(0.250000)"


def test_whitenoise_training_draws_normal():
    x = _rand(5)
    torch.manualSeed(11)
    y = nn.WhiteNoise(0.5, 2).forward(x)
    torch.manualSeed(11)
    assert_close(y, x.clone().add(torch.Tensor(5).normal(0.5, 2)), 1e-15)
    m = nn.WhiteNoise()
    assert_close(m.backward(x, x), x, 0)


def test_against_pytorch():
    pt = pytest.importorskip("torch")
    F = pt.nn.functional

    def grad_of(fn, x, g, *params):
        t = pt.tensor(x.numpy(), requires_grad=True)
        ps = [pt.tensor(p.numpy(), requires_grad=True) for p in params]
        (fn(t, *ps) * pt.tensor(g.numpy())).sum().backward()
        return [t.grad.numpy()] + [p.grad.numpy() for p in ps]

    # BatchNormalization, training: output, gradients and running statistics
    x = _rand(6, 4)
    m = nn.BatchNormalization(4)
    m.bias.uniform()
    w, b = m.weight.clone(), m.bias.clone()
    out = m.forward(x)
    rm, rv = pt.zeros(4, dtype=pt.float64), pt.ones(4, dtype=pt.float64)
    xp = pt.tensor(x.numpy())
    expected = F.batch_norm(xp, rm, rv, pt.tensor(w.numpy()), pt.tensor(b.numpy()), True, 0.1,
                            1e-5)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.running_mean.numpy(), rm.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(m.running_var.numpy(), rv.numpy(), rtol=1e-10, atol=1e-12)
    g = _rand(6, 4)
    m.zeroGradParameters()
    gi = m.backward(x, g).numpy()
    gx, gw, gb = grad_of(lambda t, w_, b_: F.batch_norm(t, None, None, w_, b_, True, 0.1, 1e-5),
                         x, g, w, b)
    np.testing.assert_allclose(gi, gx, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(m.gradWeight.numpy(), gw, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(m.gradBias.numpy(), gb, rtol=1e-9, atol=1e-11)
    # evaluation with the running statistics
    m.evaluate()
    np.testing.assert_allclose(
        m.forward(x).numpy(),
        F.batch_norm(xp, rm, rv, pt.tensor(w.numpy()), pt.tensor(b.numpy()), False, 0.1,
                     1e-5).numpy(), rtol=1e-10, atol=1e-12)

    # LayerNormalization with eps 0 is PyTorch's layer_norm with eps 0
    x, g = _rand(3, 5), _rand(3, 5)
    m = nn.LayerNormalization(5, 0, 0)
    m.weight.uniform()
    m.bias.uniform()
    m.zeroGradParameters()
    out = m.forward(x)
    fn = lambda t, w_, b_: F.layer_norm(t, (5,), w_, b_, 0.0)
    np.testing.assert_allclose(out.numpy(), fn(pt.tensor(x.numpy()), pt.tensor(m.weight.numpy()),
                                               pt.tensor(m.bias.numpy())).detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    gx, gw, gb = grad_of(fn, x, g, m.weight, m.bias)
    np.testing.assert_allclose(m.backward(x, g).numpy(), gx, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(m.gradWeight.numpy(), gw, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(m.gradBias.numpy(), gb, rtol=1e-9, atol=1e-11)

    # PixelShuffle
    x = _rand(2, 8, 3, 2)
    m = nn.PixelShuffle(2)
    np.testing.assert_allclose(m.forward(x).numpy(),
                               F.pixel_shuffle(pt.tensor(x.numpy()), 2).numpy())
    g = _rand(2, 2, 6, 4)
    np.testing.assert_allclose(m.backward(x, g).numpy(),
                               grad_of(lambda t: F.pixel_shuffle(t, 2), x, g)[0])

    # Padding: F.pad on the last dim
    x = _rand(2, 3)
    np.testing.assert_allclose(nn.Padding(1, -2, None, 7).forward(x).numpy(),
                               F.pad(pt.tensor(x.numpy()), (2, 0), value=7).numpy())
    np.testing.assert_allclose(nn.Padding(1, 2).forward(x).numpy(),
                               F.pad(pt.tensor(x.numpy()), (0, 2)).numpy())

    # OneHot
    idx = torch.LongTensor([[3, 0], [1, 4]])
    np.testing.assert_allclose(nn.OneHot(5).forward(idx).numpy(),
                               F.one_hot(pt.tensor(idx.numpy()), 5).double().numpy())


def test_batch_normalization_batch_of_one_uses_running_stats():
    m = nn.BatchNormalization(3)
    m.running_mean.fill(1)
    x = torch.Tensor([[1, 2, 3]])
    y = m.forward(x)
    assert m.running_mean.tolist() == [1.0, 1.0, 1.0]
    expected = x.clone().add(-1).div(math.sqrt(1 + 1e-5)).cmul(m.weight.view(1, 3))
    assert_close(y, expected, 1e-14)


def test_batch_normalization_vector_in_evaluation():
    m = nn.BatchNormalization(3).evaluate()
    x = _rand(3)
    assert list(m.forward(x).size()) == [3]
    assert list(m.backward(x, _rand(3)).size()) == [3]


def test_float_tensors():
    x = torch.FloatTensor(4, 3).uniform()
    for m in (nn.BatchNormalization(3), nn.LayerNormalization(3), nn.Dropout(0.5),
              nn.L1Penalty(0.1), nn.GradientReversal(), nn.Padding(0, 1),
              nn.PixelShuffle(1), nn.Collapse(1)):
        m.float()
        xin = x.view(4, 3, 1) if isinstance(m, nn.PixelShuffle) else x
        out = m.forward(xin)
        assert out.type() == "torch.FloatTensor", m
        g = m.backward(xin, out.clone().fill(1))
        assert g.type() == "torch.FloatTensor", m


def test_float_matches_double_batch_normalization():
    x = torch.DoubleTensor(5, 3).uniform()
    d = nn.BatchNormalization(3)
    f = d.clone().float()
    assert_close(f.forward(x.float()), d.forward(x), 1e-5)


def test_identity_accepts_anything():
    m = nn.Identity()
    for x in ([torch.Tensor([1]), [torch.Tensor([2, 3])]], 3, "text", None):
        assert m.forward(x) is x
        assert m.backward(x, x) is x
    m.clearState()


def test_print_size(capsys):
    m = nn.PrintSize("layer")
    x = torch.zeros(2, 3)
    assert m.forward(x) is x
    m.backward(x, torch.zeros(2, 3))
    text = capsys.readouterr().out
    # Lua's print(prefix, size): a tab, then the LongStorage as Torch7 prints it
    assert text == ("layer:input\n\t 2\n 3\n[torch.LongStorage of size 2]\n"
                    "layer:gradOutput\n\t 2\n 3\n[torch.LongStorage of size 2]\n")


def test_zero_grad_tables():
    m = nn.ZeroGrad()
    x = [torch.Tensor([1, 2]), torch.Tensor([3])]
    g = m.backward(x, x)
    assert [t.tolist() for t in g] == [[0.0, 0.0], [0.0]]


def test_convert_conversions():
    x = _rand(2, 3, 4)
    m = nn.Convert("chw", "hwc")
    assert_close(m.forward(x), x.transpose(0, 1).transpose(1, 2).contiguous(), 0)
    assert_close(m.backward(x, m.output), x, 0)
    b = nn.Convert("bf", "b")
    assert_close(b.forward(torch.Tensor([[1], [2]])), torch.Tensor([1, 2]), 0)
    assert list(nn.Convert("b", "bt").forward(torch.Tensor([1, 2])).size()) == [2, 1]
    f = nn.Convert()
    y = f.forward(torch.FloatTensor([1, 2]))
    assert y.type() == "torch.DoubleTensor"
    with pytest.raises(ValueError):
        nn.Convert("bhwc", "bcd").forward(torch.zeros(1, 2, 3, 4))


def test_buffers_survive_repeated_calls():
    # non-contiguous inputs, other tensor types, twice: the scratch tensors are reused
    for _ in range(2):
        x = _rand(4, 3).t()
        assert list(nn.Collapse(1).forward(x).size()) == [3, 4]
        assert list(nn.Reshape(12).forward(x).size()) == [12]
        r = nn.Reshape(12)
        r.forward(x)
        assert list(r.backward(x, _rand(12)).size()) == [3, 4]
        c = nn.Convert("bf", "fb")
        y = c.forward(x.float())
        assert y.type() == "torch.DoubleTensor"
        g = c.backward(x.float(), y.clone().fill(1))
        assert g.type() == "torch.FloatTensor" and list(g.size()) == [3, 4]
        one = nn.Convert("chw", "hwc")
        assert list(one.forward(_rand(2, 3, 4)).size()) == [3, 4, 2]
        assert list(one.forward(_rand(5, 2, 3, 4)).size()) == [5, 3, 4, 2]


def test_one_hot_number_and_errors():
    assert nn.OneHot(3).forward(1).tolist() == [0.0, 1.0, 0.0]
    with pytest.raises(IndexError, match="class index 5 out of range for 4"):
        nn.OneHot(4).forward(torch.LongTensor([1, 5]))


def test_l1_penalty_options():
    x = torch.Tensor([-1, 2, 0, 4])
    m = nn.L1Penalty(1, True, False)
    m.forward(x)
    assert m.loss == pytest.approx(7 / 4)
    assert m.backward(x, torch.ones(4)).tolist() == [-0.25, 0.25, 0.0, 0.25]


@pytest.mark.parametrize("make,input,error,words", [
    (lambda: nn.BatchNormalization(3), (3,), ValueError, "only mini-batch supported"),
    (lambda: nn.BatchNormalization(3), (2, 4), ValueError, "4-feature tensor, expected 3"),
    (lambda: nn.LayerNormalization(3), (2, 4), ValueError, "size 3 or Bx3, got 2x4"),
    (lambda: nn.PixelShuffle(2), (3, 2, 2), ValueError, "3 input planes"),
    (lambda: nn.SpatialDropout(), (3, 2), ValueError, "Input must be 4D"),
    (lambda: nn.VolumetricDropout(), (3, 2, 2), ValueError, "Input must be 5D"),
    (lambda: nn.Padding(2, 1), (3, 2), IndexError, "dim 2"),
])
def test_bad_input(make, input, error, words):
    with pytest.raises(error, match=words):
        make().forward(torch.zeros(*input))


def test_bad_gradients_and_constructors():
    m = nn.LayerNormalization(3)
    m.forward(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="gradOutput of size 3x2"):
        m.backward(torch.zeros(2, 3), torch.zeros(3, 2))
    with pytest.raises(ValueError, match="illegal percentage"):
        nn.Dropout(1)
    with pytest.raises(ValueError):
        nn.BatchNormalization(0)
    with pytest.raises(RuntimeError, match="backprop only defined while training"):
        nn.WhiteNoise().evaluate().backward(torch.zeros(2), torch.zeros(2))
    bn = nn.BatchNormalization(2)
    with pytest.raises(RuntimeError, match="forward"):
        bn.backward(torch.zeros(3, 2), torch.zeros(3, 2))


def test_fixtures_folder_exists():
    assert (FIXTURES / "nn_zoo").is_dir()


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 5), st.integers(1, 4), st.integers(-3, 3).filter(lambda p: p != 0),
       st.integers(0, 3), st.floats(-5, 5))
def test_property_padding_keeps_the_input(rows, cols, pad, index, fill):
    """Padding inserts |pad| columns of value at the place index says and leaves the input's
    columns in order; backward takes exactly those columns back."""
    index = min(index, cols)
    x = torch.randn(rows, cols)
    m = nn.Padding(1, pad, None, fill, index)
    out = np.array(m.forward(x).tolist())
    split = cols - index if pad > 0 else index
    a = np.array(x.tolist())
    expected = np.concatenate([a[:, :split], np.full((rows, abs(pad)), float(fill)),
                               a[:, split:]], 1)
    np.testing.assert_allclose(out, expected)
    g = torch.randn(rows, cols + abs(pad))
    gn = np.array(g.tolist())
    np.testing.assert_allclose(np.array(m.backward(x, g).tolist()),
                               np.concatenate([gn[:, :split], gn[:, split + abs(pad):]], 1))


@settings(max_examples=20, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))
def test_property_pixel_shuffle_is_a_permutation(batch, channels, height, r):
    """PixelShuffle moves every element once: backward of forward's output gives the input."""
    x = torch.randn(batch, channels * r * r, height, 2)
    m = nn.PixelShuffle(r)
    out = m.forward(x).clone()
    assert sorted(out.view(-1).tolist()) == sorted(x.view(-1).tolist())
    assert_close(m.backward(x, out), x, 0)


ALL = ZOO + ["LayerNormalization", "Copy", "Narrow", "Replicate", "Reshape", "View",
             "Contiguous", "Select", "MaskedSelect", "Index", "Squeeze", "Unsqueeze",
             "Transpose"]


@pytest.mark.parametrize("name", ALL)
def test_clone_clear_state_and_float(name, capsys):
    """clone() gives an independent module with the same results; clearState() and float()
    leave a module that still runs (the zoo record's input, evaluation mode: no randomness)."""
    rec = zoo(name)
    m = build(name).evaluate()
    x = value(rec["input"])
    out = m.forward(x)
    expected = out.clone() if isinstance(out, torch.Tensor) else out
    c = m.clone()
    assert_close(c.forward(x), expected, 1e-12, "clone")
    before = value(rec["input"])
    m.clearState()
    assert_close(x, before, 0, "the input after clearState")  # aliases are not emptied
    assert_close(m.forward(x), expected, 1e-12, "after clearState")
    if name in ("Copy", "OneHot", "Index", "MaskedSelect"):
        return  # their inputs are typed (indices, masks, the Copy's input type)
    f = c.clone().float()
    y = f.forward(x.float())
    assert y.type() == "torch.FloatTensor", name
    assert_close(y, expected, 1e-5, "float")


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = [f"nn_zoo/{n}.json" for n in ALL] + [
    "nn/BatchNormalization.json", "nn/Dropout_evaluate.json"]
