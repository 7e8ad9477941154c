"""nn adapters (Copy, Narrow, Replicate, Reshape, View, Contiguous, Select, MaskedSelect, Index,
Squeeze, Unsqueeze, Transpose): Torch7's zoo records, finite-difference Jacobians, PyTorch's
tensor methods, and the errors."""

import ferrotorch as torch
import numpy as np
import pytest
from ferrotorch import nn
from hypothesis import given, settings
from hypothesis import strategies as st
from nn_testing import assert_close, check_jacobian, check_zoo_module, value, zoo

ZOO = ["Copy", "Narrow", "Replicate", "Reshape", "View", "Contiguous", "Select", "MaskedSelect",
       "Index", "Squeeze", "Unsqueeze", "Transpose"]


def build(name):
    return getattr(nn, name)(*value(zoo(name)["constructor_args"]))


@pytest.mark.parametrize("name", ZOO)
def test_zoo_record(name):
    # Copy converts to float: the float rounding of each value is the tolerance there.
    check_zoo_module(build(name), tol=1e-7 if name == "Copy" else 1e-12)


def test_copy_types_and_passthrough():
    m = build("Copy")
    x = torch.DoubleTensor([1.25, 2])
    assert m.forward(x).type() == "torch.FloatTensor"
    assert m.backward(x, torch.FloatTensor([1, 2])).type() == "torch.DoubleTensor"
    same = nn.Copy("torch.DoubleTensor", "torch.DoubleTensor")
    assert same.forward(x) is x
    forced = nn.Copy("torch.DoubleTensor", "torch.DoubleTensor", True)
    y = forced.forward(x)
    assert y is not x and y.storage().cdata() != x.storage().cdata()
    kept = nn.Copy(None, None, False, True).float()
    assert kept.output.type() == "torch.DoubleTensor"


def _rand(*sizes):
    return torch.randn(*sizes)


JACOBIAN_CASES = [
    ("Narrow", lambda: nn.Narrow(1, 1, 2), (3, 5)),
    ("Narrow negative length", lambda: nn.Narrow(-1, 1, -2), (2, 5)),
    ("Replicate", lambda: nn.Replicate(3, 1), (2, 4)),
    ("Replicate batch", lambda: nn.Replicate(3, 0, 1), (2, 4)),
    ("Reshape", lambda: nn.Reshape(3, 2), (6,)),
    ("Reshape batch", lambda: nn.Reshape(6), (2, 3, 2)),
    ("View", lambda: nn.View(-1, 2), (3, 4)),
    ("Contiguous", lambda: nn.Contiguous(), (3, 4)),
    ("Select", lambda: nn.Select(1, -1), (3, 4)),
    ("Squeeze", lambda: nn.Squeeze(), (3, 1, 2)),
    ("Squeeze dim", lambda: nn.Squeeze(1, 2), (4, 3, 1)),
    ("Unsqueeze", lambda: nn.Unsqueeze(1), (3, 2)),
    ("Transpose", lambda: nn.Transpose([0, 2], [1, 2]), (2, 3, 4)),
]


@pytest.mark.parametrize("name,make,sizes", JACOBIAN_CASES, ids=[c[0] for c in JACOBIAN_CASES])
def test_jacobian(name, make, sizes):
    check_jacobian(make(), _rand(*sizes))


class WithSecond(nn.Module):
    """module on [input, second]: the Jacobian w.r.t. input alone (indices and masks are not
    differentiable, and perturbing them would change them)."""

    def __init__(self, module, second):
        super().__init__()
        self.module, self.second = module, second

    def updateOutput(self, input):
        self.output = self.module.forward([input, self.second])
        return self.output

    def updateGradInput(self, input, gradOutput):
        grads = self.module.updateGradInput([input, self.second], gradOutput)
        assert grads[1].sum() == 0 and list(grads[1].size()) == list(self.second.size())
        self.gradInput = grads[0]
        return self.gradInput


def test_jacobian_table_inputs():
    x = _rand(5, 3)
    check_jacobian(WithSecond(nn.Index(0), torch.LongTensor([4, 0, 4, 2])), x)
    check_jacobian(WithSecond(nn.Index(1), torch.LongTensor([2, 2, 1])), x)
    mask = torch.ByteTensor([[1, 0, 1], [0, 0, 1], [1, 1, 1], [0, 0, 0], [1, 0, 0]])
    check_jacobian(WithSecond(nn.MaskedSelect(), mask), x)


def test_against_pytorch():
    pt = pytest.importorskip("torch")
    x = _rand(3, 4, 5)
    xp = pt.tensor(x.numpy())
    cases = [
        (nn.Narrow(2, 1, 3), xp.narrow(2, 1, 3)),
        (nn.Narrow(1, -3, 2), xp.narrow(1, 0, 2)),  # Torch7's negative offset: size - length
        (nn.Select(-1, 2), xp.select(-1, 2)),
        (nn.Transpose([0, 2]), xp.transpose(0, 2)),
        (nn.Replicate(2, 1), xp.unsqueeze(1).expand(3, 2, 4, 5)),
        (nn.View(3, 20), xp.reshape(3, 20)),
        (nn.Reshape(4, 5), xp.reshape(3, 4, 5)),
        (nn.Unsqueeze(3), xp.unsqueeze(3)),
    ]
    for m, expected in cases:
        np.testing.assert_allclose(m.forward(x).numpy(), expected.numpy(), err_msg=str(m))
    # backward: the gradient of sum(w * f(x)) for a random w, by autograd
    for make, fn in [(lambda: nn.Narrow(2, 1, 3), lambda t: t.narrow(2, 1, 3)),
                     (lambda: nn.Replicate(2, 1), lambda t: t.unsqueeze(1).expand(3, 2, 4, 5)),
                     (lambda: nn.Transpose([0, 1], [1, 2]), lambda t: t.transpose(0, 1)
                      .transpose(1, 2))]:
        m = make()
        out = m.forward(x)
        g = _rand(*out.size())
        ours = m.backward(x, g).numpy()
        t = xp.clone().requires_grad_()
        (fn(t) * pt.tensor(g.numpy())).sum().backward()
        np.testing.assert_allclose(ours, t.grad.numpy(), rtol=1e-12, atol=1e-12)
    idx = torch.LongTensor([2, 0, 2])
    np.testing.assert_allclose(nn.Index(1).forward([x, idx]).numpy(),
                               pt.index_select(xp, 1, pt.tensor([2, 0, 2])).numpy())
    mask = x.gt(0)
    np.testing.assert_allclose(nn.MaskedSelect().forward([x, mask]).numpy(),
                               pt.masked_select(xp, xp > 0).numpy())


def test_views_share_memory():
    x = _rand(2, 3)
    for m in (nn.View(6), nn.Reshape(6), nn.Replicate(2), nn.Unsqueeze(0), nn.Squeeze(),
              nn.Contiguous()):
        assert m.forward(x).storage().cdata() == x.storage().cdata(), m
    out = nn.Replicate(4).forward(x)
    assert out.stride(0) == 0


def test_squeeze_and_unsqueeze_batch_rules():
    assert list(nn.Squeeze(None, 2).forward(torch.zeros(1, 1, 3)).size()) == [1, 3]
    assert list(nn.Squeeze(0, 2).forward(torch.zeros(4, 1, 3)).size()) == [4, 3]
    assert list(nn.Squeeze().forward(torch.zeros(1, 1)).size()) == [1]
    u = nn.Unsqueeze(0, 1)
    assert list(u.forward(torch.zeros(4, 3)).size()) == [4, 1, 3]
    assert str(nn.Unsqueeze(2)) == "nn.Unsqueeze(dim 3)"


def test_view_batch_and_num_input_dims():
    v = nn.View(4)
    assert list(v.forward(torch.zeros(4)).size()) == [4]
    assert list(v.forward(torch.zeros(3, 2, 2)).size()) == [3, 4]
    v = nn.View(4).setNumInputDims(2)
    assert list(v.forward(torch.zeros(1, 2, 2)).size()) == [1, 4]
    assert list(nn.View(torch.LongStorage([2, 2])).forward(torch.zeros(4)).size()) == [2, 2]


def test_float_tensors():
    x = torch.FloatTensor(3, 4).uniform()
    for m in (nn.Narrow(0, 1), nn.Select(0, 1), nn.Transpose([0, 1]), nn.View(12),
              nn.Replicate(2)):
        out = m.float().forward(x)
        assert out.type() == "torch.FloatTensor"
        assert m.backward(x, out.clone().fill(1)).type() == "torch.FloatTensor"


@pytest.mark.parametrize("make,input,error,words", [
    (lambda: nn.Narrow(0, 2, 3), (4,), ValueError, "size 4"),
    (lambda: nn.Narrow(3, 0), (4,), IndexError, "dimension 3"),
    (lambda: nn.Select(0, 5), (2, 3), IndexError, "index 5"),
    (lambda: nn.Select(0, 0), (3,), ValueError, "size 3"),
    (lambda: nn.View(4), (6,), ValueError, "6"),
    (lambda: nn.Reshape(4), (6,), ValueError, "6"),
    (lambda: nn.Replicate(2, 3), (4,), ValueError, "dimension 3"),
    (lambda: nn.Unsqueeze(3), (4,), IndexError, "position 3"),
])
def test_bad_input(make, input, error, words):
    with pytest.raises(error, match=words):
        make().forward(torch.zeros(*input))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError):
        nn.View(-2)
    with pytest.raises(ValueError):
        nn.View(-1, -1)
    with pytest.raises(ValueError):
        nn.Replicate(2, -1)
    with pytest.raises(TypeError):
        nn.Unsqueeze(None)


def test_index_out_of_range():
    with pytest.raises(IndexError):
        nn.Index(0).forward([torch.zeros(3, 2), torch.LongTensor([3])])


def test_zoo_gradient_shapes_for_tables():
    rec = zoo("MaskedSelect")
    m = build("MaskedSelect")
    x = value(rec["input"])
    m.forward(x)
    grads = m.backward(x, value(rec["gradOutput"]))
    assert grads[1].type() == "torch.ByteTensor"
    assert_close(grads, value(rec["gradInput"]))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=4), st.data())
def test_property_views_match_numpy(sizes, data):
    """Narrow / Select / Transpose / Unsqueeze / Replicate on random shapes equal numpy's
    slicing, and backward puts gradOutput back where forward took it (so sum(g * f(x)) =
    sum(gradInput * x) for these linear maps)."""
    x = torch.randn(*sizes)
    a = np.array(x.tolist())
    dim = data.draw(st.integers(0, len(sizes) - 1))
    start = data.draw(st.integers(0, sizes[dim] - 1))
    length = data.draw(st.integers(1, sizes[dim] - start))
    other = data.draw(st.integers(0, len(sizes) - 1))
    pos = data.draw(st.integers(0, len(sizes)))
    cases = [(nn.Narrow(dim, start, length), np.take(a, range(start, start + length), dim)),
             (nn.Transpose([dim, other]), np.swapaxes(a, dim, other)),
             (nn.Unsqueeze(pos), np.expand_dims(a, pos)),
             (nn.Replicate(3, pos), np.stack([a] * 3, pos))]
    if len(sizes) > 1:
        cases.append((nn.Select(dim, start), np.take(a, start, dim)))
    for m, expected in cases:
        out = m.forward(x)
        np.testing.assert_array_equal(np.array(out.tolist()), expected, err_msg=str(m))
        g = torch.randn(out.size())
        gi = m.backward(x, g)
        lhs = float(g.clone().cmul(out).sum())
        rhs = float(gi.clone().cmul(x).sum())
        assert abs(lhs - rhs) < 1e-9 * max(1, abs(lhs)), m


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = [f"nn_zoo/{n}.json" for n in ZOO]
