"""nn parameterised simple layers (nn/simple.py): Torch7 zoo records, finite-difference
Jacobians, PyTorch's equivalents, bad input."""

import math

import ferrotorch as torch
import pytest
from ferrotorch import nn
from nn_testing import assert_close, check_jacobian, check_zoo_module, value, zoo


def _rand(*sizes):
    return torch.randn(*sizes)


# ------------------------------------------------------------------------------ zoo records

ZOO = {
    "LinearWeightNorm": lambda: nn.LinearWeightNorm(4, 3),
    "SparseLinear": lambda: nn.SparseLinear(6, 3),
    "Bilinear": lambda: nn.Bilinear(3, 2, 4),
    "Add": lambda: nn.Add(4),
    "CAdd": lambda: nn.CAdd(4),
    "Mul": lambda: nn.Mul(),
    "CMul": lambda: nn.CMul(4),
    "Euclidean": lambda: nn.Euclidean(4, 3),
    "WeightedEuclidean": lambda: nn.WeightedEuclidean(4, 3),
    "Cosine": lambda: nn.Cosine(4, 3),
    "Kmeans": lambda: nn.Kmeans(3, 4),
}


@pytest.mark.parametrize("name", sorted(ZOO))
def test_zoo_record(name):
    record = zoo(name)
    m = getattr(nn, name)(*record["constructor_args"])
    check_zoo_module(m, record)


def test_zoo_partial_linear():
    record = zoo("PartialLinear")
    m = nn.PartialLinear(*record["constructor_args"])
    m.setPartition(torch.LongTensor([1, 3]))  # Torch7's {2, 4}
    check_zoo_module(m, record)


def test_zoo_kmeans_loss_and_counts():
    record = zoo("Kmeans")
    m = check_zoo_module(nn.Kmeans(3, 4), record)
    assert_close(m.clusterSampleCount, value(record["buffers_after"]["clusterSampleCount"]))
    # Torch7's loss is the sum of squared distances to the chosen centroids.
    x, w = value(record["input"]), value(record["parameters"][0]["tensor"])
    chosen = w.index(0, m.output.long())
    assert m.loss == pytest.approx(float((x - chosen).pow(2).sum()), rel=1e-12)


def test_zoo_index_linear():
    record = zoo("IndexLinear")
    m = nn.IndexLinear(*record["constructor_args"])
    assert str(m) == record["tostring"]
    for p, spec in zip(m.parameters()[0], record["parameters"]):
        p.copy(value(spec["tensor"]))
    m.zeroGradParameters()
    input = value(record["input"])
    assert_close(m.forward(input), value(record["output"]))
    grad_input = m.backward(input, value(record["gradOutput"]))
    assert_close(grad_input, value(record["gradInput"]))
    running = record["gradParameters"][0]["non_tensor"]["table"]
    assert m.running["counter"] == running["counter"] - 1  # Torch7 counts from 1
    assert_close(m.running["gradWeight"][0], value(running["gradWeight"]["table"]["1"]))
    assert_close(m.gradBias, value(record["gradParameters"][1]["tensor"]))


# ------------------------------------------------------------------------------ Jacobians

JACOBIAN = [
    ("LinearWeightNorm", lambda: nn.LinearWeightNorm(4, 3), (4,), (3, 4)),
    ("LinearWeightNorm nobias", lambda: nn.LinearWeightNorm(4, 3, False), (4,), (2, 4)),
    ("PartialLinear", lambda: nn.PartialLinear(4, 5), None, (3, 4)),
    ("Add", lambda: nn.Add(4), (4,), (3, 4)),
    ("Add scalar", lambda: nn.Add(4, True), (4,), (3, 4)),
    ("CAdd", lambda: nn.CAdd(2, 1), (2, 3), (3, 2, 1)),
    ("Mul", lambda: nn.Mul(), (4,), (3, 4)),
    ("CMul", lambda: nn.CMul(3), (3,), (2, 3)),
    ("CMul repeat", lambda: nn.CMul(1, 3), (2, 3), (4, 1, 3)),
    ("Euclidean", lambda: nn.Euclidean(4, 3), (4,), (2, 4)),
    ("WeightedEuclidean", lambda: nn.WeightedEuclidean(4, 3), (4,), (2, 4)),
    ("Cosine", lambda: nn.Cosine(4, 3), (4,), (2, 4)),
]


@pytest.mark.parametrize("name,make,single,batch", JACOBIAN, ids=[j[0] for j in JACOBIAN])
def test_jacobian(name, make, single, batch):
    for sizes in (single, batch):
        if sizes is None:
            continue
        m = make()
        if name == "PartialLinear":
            m.setPartition(torch.LongTensor([4, 0, 2]))
        # The distance gradients divide by y + 1e-7: 1e-5 relative to distances of order 1.
        check_jacobian(m, _rand(*sizes), 1e-5 if "Euclidean" not in name else 1e-4)


def test_jacobian_bilinear():
    m = nn.Bilinear(3, 2, 4)
    check_jacobian(m, [_rand(5, 3), _rand(5, 2)])
    check_jacobian(nn.Bilinear(2, 3, 2, False), [_rand(1, 2), _rand(1, 3)])


def test_jacobian_sparse_linear_parameters():
    m = nn.SparseLinear(6, 3)
    for input in (torch.Tensor([[0, 0.5], [3, -1.2], [5, 2]]),
                  [torch.Tensor([[1, 2.0]]), torch.Tensor([[0, -1], [4, 0.5]])]):
        for p, g in zip(*m.parameters()):
            # testJacobianParameters would refill the input (indices) with noise.
            bp = nn.Jacobian.backward(m, input, p, g)
            fd = nn.Jacobian.forward(m, input, p)
            assert float((bp - fd).abs().max()) < 1e-5


def test_index_linear_gradient_by_finite_differences():
    """The dense per-key gradient, scattered onto the weight rows, is dOutput/dWeight."""
    m = nn.IndexLinear(5, 3)
    m.reset()
    input = [[torch.LongTensor([0, 4]), torch.LongTensor([2, 0, 1])],
             [torch.Tensor([0.5, -1]), torch.Tensor([2, 1, -0.5])]]
    go = _rand(2, 3)
    out = m.forward(input).clone()
    m.zeroGradParameters()
    m.backward(input, go)
    dense = torch.zeros(5, 3).indexAdd(0, m.running["keys"][0], m.running["gradWeight"][0])
    eps = 1e-6
    for row, col in [(0, 0), (4, 2), (1, 1), (2, 0)]:
        m.weight[row][col] = m.weight[row][col] + eps
        num = float(((m.forward(input) - out) * go).sum()) / eps
        m.weight[row][col] = m.weight[row][col] - eps
        assert num == pytest.approx(dense[row][col], abs=1e-5)
    assert_close(m.gradBias, go.sum(0).view(-1))


def test_index_linear_update_parameters_and_flat_input():
    m = nn.IndexLinear(4, 2)
    m.reset()
    w0, b0 = m.weight.clone(), m.bias.clone()
    flat = [torch.LongTensor([1, 3, 1]), torch.Tensor([2, 1, -1]), torch.LongTensor([2, 1])]
    out = m.forward(flat)
    expected = torch.Tensor(2, 2)
    expected[0] = b0 + w0[1] * 2 + w0[3] * 1
    expected[1] = b0 + w0[1] * -1
    assert_close(out, expected)
    go = torch.Tensor([[1, 0], [0, 1]])
    m.zeroGradParameters()
    m.backward(flat, go)
    m.updateParameters(0.1)
    want = w0.clone()
    want[1] = want[1] - torch.Tensor([0.2, 0]) - torch.Tensor([0, -0.1])
    want[3] = want[3] - torch.Tensor([0.1, 0])
    assert_close(m.weight, want, 1e-12)
    assert_close(m.bias, b0 - go.sum(0).view(-1) * 0.1, 1e-12)


def test_index_linear_normalize_scales_by_running_max():
    m = nn.IndexLinear(3, 1, False, 0, None, None, True)
    assert list(m.weight.size()) == [3, 5]
    m.weight.narrow(1, 4, 1).fill(1)
    out = m.forward([torch.LongTensor([0, 2]), torch.Tensor([4, -2])])
    # Each value is divided by its key's largest |value| so far: 4/4 + (-2)/2.
    assert out.tolist() == [0.0]
    assert m.weight[0][0] == 4 and m.weight[2][0] == 2


def test_kmeans_update_moves_centroids_to_means():
    m = nn.Kmeans(2, 2)
    m.weight.copy(torch.Tensor([[0, 0], [10, 10]]))
    x = torch.Tensor([[1, 0], [3, 0], [9, 10], [11, 12]])
    m.zeroGradParameters()
    m.forward(x)
    m.backward(x, m.output)
    m.updateParameters(1)
    assert_close(m.weight, torch.Tensor([[2, 0], [10, 11]]), 1e-6)
    assert m.clusterSampleCount.tolist() == [2.0, 2.0]


def test_kmeans_init():
    torch.manualSeed(1)
    x = torch.randn(20, 3)
    m = nn.Kmeans(4, 3)
    m.initRandom(x)
    m.initKmeansPlus(x, 0.9)
    for c in range(4):
        assert min(float((x[i] - m.weight[c]).abs().sum()) for i in range(20)) == 0


# ------------------------------------------------------------------------------ PyTorch

def _pt(t, grad=True):
    pt = pytest.importorskip("torch")
    return pt.tensor(t.double().tolist(), dtype=pt.float64, requires_grad=grad)


def _ft(pt_tensor):
    return torch.Tensor(pt_tensor.detach().tolist())


def test_pytorch_bilinear():
    pt = pytest.importorskip("torch")
    m = nn.Bilinear(3, 2, 4)
    x1, x2, go = _rand(5, 3), _rand(5, 2), _rand(5, 4)
    a, b, w, bias = _pt(x1), _pt(x2), _pt(m.weight), _pt(m.bias)
    y = pt.nn.functional.bilinear(a, b, w, bias)
    y.backward(_pt(go, False))
    m.zeroGradParameters()
    assert_close(m.forward([x1, x2]), _ft(y), 1e-10)
    gi = m.backward([x1, x2], go)
    assert_close(gi, [_ft(a.grad), _ft(b.grad)], 1e-10)
    assert_close(m.gradWeight, _ft(w.grad), 1e-10)
    assert_close(m.gradBias, _ft(bias.grad), 1e-10)


def test_pytorch_weight_norm():
    pt = pytest.importorskip("torch")
    m = nn.LinearWeightNorm(4, 3)
    m.g.uniform(0.5, 2)
    x, go = _rand(6, 4), _rand(6, 3)
    v, g, bias, xt = _pt(m.v), _pt(m.g), _pt(m.bias), _pt(x)
    y = pt.nn.functional.linear(xt, g * v / v.norm(dim=1, keepdim=True), bias)
    y.backward(_pt(go, False))
    m.zeroGradParameters()
    assert_close(m.forward(x), _ft(y), 1e-10)
    assert_close(m.backward(x, go), _ft(xt.grad), 1e-10)
    assert_close(m.gradV, _ft(v.grad), 1e-10)
    assert_close(m.gradG, _ft(g.grad), 1e-10)
    assert_close(m.gradBias, _ft(bias.grad), 1e-10)
    # Gradients accumulate over two backward calls.
    m.backward(x, go)
    assert_close(m.gradV, _ft(v.grad) * 2, 1e-10)


def test_pytorch_distances():
    pt = pytest.importorskip("torch")
    x = _rand(5, 4)
    e = nn.Euclidean(4, 3)
    assert_close(e.forward(x), _ft(pt.cdist(_pt(x), _pt(e.weight.t().contiguous()))), 1e-10)
    c = nn.Cosine(4, 3)
    want = pt.nn.functional.cosine_similarity(_pt(x).unsqueeze(1), _pt(c.weight).unsqueeze(0),
                                              dim=2)
    assert_close(c.forward(x), _ft(want), 1e-9)
    we = nn.WeightedEuclidean(4, 3)
    we.diagCov.uniform(0.5, 2)
    diff = (_pt(x).unsqueeze(2) - _pt(we.weight).unsqueeze(0)) * _pt(we.diagCov).unsqueeze(0)
    assert_close(we.forward(x), _ft(diff.norm(dim=1)), 1e-10)


def test_pytorch_cmul_cadd_mul_add():
    pytest.importorskip("torch")
    x, go = _rand(3, 2, 4), _rand(3, 2, 4)
    for m, op in [(nn.CMul(2, 1), lambda a, w: a * w), (nn.CAdd(1, 4), lambda a, w: a + w),
                  (nn.Mul(), lambda a, w: a * w), (nn.Add(8), lambda a, w: a + w.view(2, 4)),
                  (nn.Add(1, True), lambda a, w: a + w)]:
        p, gp = m.parameters()
        xt, wt = _pt(x), _pt(p[0])
        y = op(xt, wt)
        y.backward(_pt(go, False))
        m.zeroGradParameters()
        assert_close(m.forward(x), _ft(y), 1e-12)
        assert_close(m.backward(x, go), _ft(xt.grad), 1e-12)
        assert_close(gp[0], _ft(wt.grad).view(p[0].size()), 1e-12)


def test_pytorch_sparse_linear_equals_dense():
    pt = pytest.importorskip("torch")
    m = nn.SparseLinear(5, 2, True)
    samples = [torch.Tensor([[0, 1.5], [3, -2]]), torch.Tensor([[4, 0.5]])]
    dense = torch.zeros(2, 5)
    dense[0][0], dense[0][3], dense[1][4] = 1.5, -2, 0.5
    xt, w, b = _pt(dense), _pt(m.weight), _pt(m.bias)
    y = pt.nn.functional.linear(xt, w, b)
    go = _rand(2, 2)
    y.backward(_pt(go, False))
    m.zeroGradParameters()
    assert_close(m.forward(samples), _ft(y), 1e-12)
    gi = m.backward(samples, go)
    assert_close(m.gradWeight, _ft(w.grad), 1e-12)
    assert [list(t.size()) for t in gi] == [[5, 2], [5, 2]]
    assert_close(gi[1].select(1, 1), _ft(xt.grad)[1], 1e-12)
    assert gi[0].select(1, 0).tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    # The legacy B x nnz x 2 tensor gives the same output.
    legacy = torch.Tensor([[[0, 1.5], [3, -2]], [[4, 0.5], [4, 0]]])
    assert_close(m.forward(legacy), _ft(y), 1e-12)


# ------------------------------------------------------------------------------ types, errors

@pytest.mark.parametrize("name", sorted(ZOO))
def test_float_tensors(name):
    record = zoo(name)
    m = getattr(nn, name)(*record["constructor_args"])
    for p, spec in zip(m.parameters()[0], record["parameters"]):
        p.copy(value(spec["tensor"]))
    m.float()
    input = value(record["input"])
    input = [t.float() for t in input] if isinstance(input, list) else input.float()
    out = m.forward(input)
    assert out.type() == "torch.FloatTensor"
    assert_close(out, value(record["output"]), 1e-5)


@pytest.mark.parametrize("make,bad", [
    (lambda: nn.Euclidean(4, 3), _rand(5)),
    (lambda: nn.WeightedEuclidean(4, 3), _rand(2, 3)),
    (lambda: nn.Cosine(4, 3), _rand(2, 2, 4)),
    (lambda: nn.LinearWeightNorm(4, 3), _rand(5)),
    (lambda: nn.PartialLinear(4, 3), _rand(2, 5)),
    (lambda: nn.CMul(4), _rand(2, 3)),
    (lambda: nn.CAdd(2, 2), _rand(3)),
    (lambda: nn.Kmeans(3, 4), _rand(2, 3)),
    (lambda: nn.Bilinear(3, 2, 4), [_rand(2, 3), _rand(3, 2)]),
])
def test_wrong_sizes_raise_value_error(make, bad):
    m = make()
    with pytest.raises(ValueError, match=m.__typename__.replace(".", r"\.")) as e:
        m.forward(bad)
    assert any(ch.isdigit() for ch in str(e.value))


def test_bad_indices_raise_index_error():
    with pytest.raises(IndexError, match="index 6.* 6 features"):
        nn.SparseLinear(6, 3).forward(torch.Tensor([[6, 1.0]]))
    with pytest.raises(IndexError, match="key 9"):
        nn.IndexLinear(6, 3).forward([torch.LongTensor([9]), torch.Tensor([1])])


def test_mixed_types_raise_type_error():
    with pytest.raises(TypeError, match="nn.Cosine"):
        nn.Cosine(4, 3).forward(_rand(4).float())


def test_constructor_checks():
    with pytest.raises(ValueError):
        nn.Kmeans(0, 3)
    with pytest.raises(ValueError):
        nn.Bilinear(0, 2, 3)
    with pytest.raises(TypeError):
        nn.SparseLinear(3, 2, 1)


def test_tostrings_and_fields():
    assert str(nn.LinearWeightNorm(4, 3, False)) == "nn.LinearWeightNorm(4 -> 3) without bias"
    assert str(nn.PartialLinear(5, 4, False)) == "nn.PartialLinear(5 -> 4) without bias"
    assert str(nn.Bilinear(3, 2, 4, False)) == "nn.Bilinear(3x2 -> 4)  without bias"
    assert list(nn.CMul(torch.LongStorage([2, 3])).weight.size()) == [2, 3]
    lin = nn.Linear(3, 2)
    wn = nn.LinearWeightNorm.fromLinear(lin)
    x = _rand(3)
    assert_close(wn.forward(x), lin.forward(x), 1e-12)
    assert_close(wn.toLinear().forward(x), lin.forward(x), 1e-12)
    assert isinstance(wn, nn.Linear)


def test_output_objects_are_kept():
    m = nn.Cosine(4, 3)
    out, gi = m.output, m.gradInput
    x = _rand(2, 4)
    m.forward(x)
    m.backward(x, _rand(2, 3))
    assert m.output is out and m.gradInput is gi
    assert list(out.size()) == [2, 3] and not math.isnan(float(out.sum()))


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = [f"nn_zoo/{n}.json" for n in ZOO] + [
    "nn_zoo/PartialLinear.json", "nn_zoo/Kmeans.json", "nn_zoo/IndexLinear.json"]
