"""nn criterions: Torch7's recorded losses and gradients (nn_zoo and nn fixtures), central
finite differences of every loss w.r.t. its input, PyTorch's equivalent losses, bad targets."""

import math

import ferrotorch as torch
import numpy as np
import pytest
from conftest import FIXTURES
from ferrotorch import nn
from nn_testing import assert_close, check_zoo_criterion, value, zoo

# ------------------------------------------------------------------ Torch7 zoo records


def _tanh():
    """nn.Tanh once the transfer family has landed; until then a minimal stand-in module
    (engine calls only), so ModuleCriterion's record is replayed either way."""
    if hasattr(nn, "Tanh"):
        return nn.Tanh()

    class _CritTestTanh(nn.Module):
        def updateOutput(self, input):
            self.output = torch.tanh(input)
            return self.output

        def updateGradInput(self, input, gradOutput):
            self.gradInput = gradOutput.clone().cmul(1 - self.output.clone().pow(2))
            return self.gradInput

    return _CritTestTanh()


def build(name):
    """The criterion of a zoo record, from its constructor_args (chained adds by hand)."""
    record = zoo(name)
    if name == "MultiCriterion":
        return nn.MultiCriterion().add(nn.MSECriterion()).add(nn.AbsCriterion(), 0.5)
    if name == "ParallelCriterion":
        return nn.ParallelCriterion().add(nn.MSECriterion()).add(nn.ClassNLLCriterion(), 0.5)
    if name == "ModuleCriterion":
        return nn.ModuleCriterion(nn.MSECriterion(), _tanh())
    return getattr(nn, name)(*[value(a) for a in record["constructor_args"]])


CRITERIONS = [
    "MSECriterion", "WeightedMSECriterion", "SpatialAutoCropMSECriterion", "AbsCriterion",
    "SmoothL1Criterion", "DistKLDivCriterion", "BCECriterion", "ClassNLLCriterion",
    "CrossEntropyCriterion", "SpatialClassNLLCriterion", "ClassSimplexCriterion",
    "MarginCriterion", "SoftMarginCriterion", "MultiMarginCriterion",
    "MultiLabelMarginCriterion", "MultiLabelSoftMarginCriterion", "HingeEmbeddingCriterion",
    "L1HingeEmbeddingCriterion", "CosineEmbeddingCriterion", "MarginRankingCriterion",
    "DistanceRatioCriterion", "L1Cost", "MultiCriterion", "ParallelCriterion",
    "ModuleCriterion",
]


def test_every_criterion_is_exported():
    assert sorted(CRITERIONS) == sorted(nn.criterions.__all__)
    for name in CRITERIONS:
        assert issubclass(getattr(nn, name), nn.Criterion)
        assert nn.REGISTRY[f"nn.{name}"] is getattr(nn, name)


@pytest.mark.parametrize("name", CRITERIONS)
def test_zoo_record(name):
    c = check_zoo_criterion(build(name), zoo(name))
    # forward keeps the loss, backward the gradient; a second run gives the same
    record = zoo(name)
    input, target = value(record["input"]), value(record["target"])
    assert c.output == c.forward(input, target)
    assert_close(c.backward(input, target), value(record["gradInput"]), 1e-10, "gradInput")


def test_class_simplex_embedding_is_torch7s():
    record = zoo("ClassSimplexCriterion")
    assert_close(nn.ClassSimplexCriterion(4).simplex, value(record["buffers"]["simplex"]), 1e-12)


@pytest.mark.parametrize("name", ["ClassNLLCriterion", "MSECriterion", "CrossEntropyCriterion",
                                  "BCECriterion"])
def test_nn_fixture(name, load_fixture):
    record = load_fixture(f"nn/{name}.json")
    c = getattr(nn, name)()
    assert c.sizeAverage == record["sizeAverage"]
    input, target = value(record["input"]), value(record["target"])
    assert_close(c.forward(input, target), record["output"], 1e-10, "loss")
    assert_close(c.backward(input, target), value(record["gradInput"]), 1e-10, "gradInput")


# ------------------------------------------------------------------ finite differences


def numeric_grad(c, input, target, eps=1e-6):
    """Central differences of the loss w.r.t. every element of input (a tensor or a list)."""
    tensors = input if isinstance(input, list) else [input]
    grads = []
    for t in tensors:
        flat = t.view(-1)
        g = torch.zeros(t.nElement())
        for i in range(t.nElement()):
            orig = flat[i]
            flat[i] = orig + eps
            up = c.forward(input, target)
            flat[i] = orig - eps
            down = c.forward(input, target)
            flat[i] = orig
            g[i] = (up - down) / (2 * eps)
        grads.append(g.view(t.size()))
    return grads if isinstance(input, list) else grads[0]


def check_gradient(c, input, target, precision=1e-5):
    c.forward(input, target)  # Torch7's contract: backward follows a forward on the same input
    analytic = c.backward(input, target)
    analytic = [a.clone() for a in analytic] if isinstance(analytic, list) else analytic.clone()
    numeric = numeric_grad(c, input, target)
    pairs = zip(analytic, numeric) if isinstance(input, list) else [(analytic, numeric)]
    for a, n in pairs:
        assert list(a.size()) == list(n.size())
        err = (a - n).abs().max()
        assert err < precision, f"{c}: gradient error {err}"


def signs(*size):
    return torch.rand(*size).gt(0.5).double().mul(2).add(-1)


def probs(*size):
    return torch.rand(*size).mul(0.9).add(0.05)


def log_probs(b, c):
    x = torch.randn(b, c)
    return x - x.exp().sum(1).log().expand(b, c)


def classes(n, b):
    return torch.rand(b).mul(n).floor().long()


def gradient_cases():
    """(id, criterion factory, input factory, target factory) in batch and non-batch mode."""
    def multilabel_target(b, n):
        t = torch.LongTensor(b, n).fill(-1)
        for i in range(b):
            t[i][0] = i % n
            t[i][1] = (i + 2) % n
        return t

    w4 = torch.Tensor([1, 2, 0.5, 3])
    return [
        ("MSE", nn.MSECriterion, lambda: torch.randn(3, 4), lambda: torch.randn(3, 4)),
        ("MSE-1d-sum", lambda: nn.MSECriterion(False), lambda: torch.randn(5),
         lambda: torch.randn(5)),
        ("WeightedMSE-batch", lambda: nn.WeightedMSECriterion(w4), lambda: torch.randn(3, 4),
         lambda: torch.randn(3, 4)),
        ("WeightedMSE", lambda: nn.WeightedMSECriterion(w4), lambda: torch.randn(4),
         lambda: torch.randn(4)),
        ("SpatialAutoCropMSE", nn.SpatialAutoCropMSECriterion, lambda: torch.randn(2, 2, 2, 3),
         lambda: torch.randn(2, 2, 4, 5)),
        ("Abs", nn.AbsCriterion, lambda: torch.randn(3, 4), lambda: torch.randn(3, 4)),
        ("SmoothL1", nn.SmoothL1Criterion, lambda: torch.randn(3, 4).mul(2),
         lambda: torch.randn(3, 4)),
        ("DistKLDiv", nn.DistKLDivCriterion, lambda: log_probs(3, 4), lambda: probs(3, 4)),
        ("BCE", nn.BCECriterion, lambda: probs(3, 4), lambda: signs(3, 4).add(1).div(2)),
        ("BCE-weights", lambda: nn.BCECriterion(w4, False), lambda: probs(3, 4),
         lambda: signs(3, 4).add(1).div(2)),
        ("ClassNLL", nn.ClassNLLCriterion, lambda: log_probs(4, 5), lambda: classes(5, 4)),
        ("ClassNLL-1d", nn.ClassNLLCriterion, lambda: log_probs(1, 5).view(5), lambda: 3),
        ("ClassNLL-weights", lambda: nn.ClassNLLCriterion(torch.rand(5).add(0.5)),
         lambda: log_probs(4, 5), lambda: classes(5, 4)),
        ("CrossEntropy", nn.CrossEntropyCriterion, lambda: torch.randn(4, 5),
         lambda: classes(5, 4)),
        ("CrossEntropy-1d", nn.CrossEntropyCriterion, lambda: torch.randn(5), lambda: 2),
        ("CrossEntropy-weights-sum",
         lambda: nn.CrossEntropyCriterion(torch.rand(5).add(0.5), False),
         lambda: torch.randn(4, 5), lambda: classes(5, 4)),
        ("SpatialClassNLL", nn.SpatialClassNLLCriterion, lambda: torch.randn(2, 3, 2, 2),
         lambda: classes(3, 8).view(2, 2, 2)),
        ("ClassSimplex", lambda: nn.ClassSimplexCriterion(4), lambda: torch.randn(3, 4),
         lambda: classes(4, 3)),
        ("ClassSimplex-1d", lambda: nn.ClassSimplexCriterion(4), lambda: torch.randn(4),
         lambda: 1),
        ("Margin", nn.MarginCriterion, lambda: torch.randn(3, 4), lambda: signs(3, 4)),
        ("SoftMargin", nn.SoftMarginCriterion, lambda: torch.randn(3, 4), lambda: signs(3, 4)),
        ("MultiMargin", nn.MultiMarginCriterion, lambda: torch.randn(4, 5),
         lambda: classes(5, 4)),
        ("MultiMargin-p2-weights", lambda: nn.MultiMarginCriterion(2, torch.rand(5), 0.5),
         lambda: torch.randn(4, 5), lambda: classes(5, 4)),
        ("MultiMargin-1d", nn.MultiMarginCriterion, lambda: torch.randn(5), lambda: 1),
        ("MultiLabelMargin", nn.MultiLabelMarginCriterion, lambda: torch.randn(3, 5),
         lambda: multilabel_target(3, 5)),
        ("MultiLabelMargin-1d", nn.MultiLabelMarginCriterion, lambda: torch.randn(5),
         lambda: multilabel_target(1, 5).view(5)),
        ("MultiLabelSoftMargin", nn.MultiLabelSoftMarginCriterion, lambda: torch.randn(3, 4),
         lambda: signs(3, 4).add(1).div(2)),
        ("MultiLabelSoftMargin-weights", lambda: nn.MultiLabelSoftMarginCriterion(w4),
         lambda: torch.randn(3, 4), lambda: signs(3, 4).add(1).div(2)),
        ("HingeEmbedding", lambda: nn.HingeEmbeddingCriterion(2), lambda: torch.rand(3, 4).mul(3),
         lambda: signs(3, 4)),
        ("L1HingeEmbedding+", lambda: nn.L1HingeEmbeddingCriterion(1),
         lambda: [torch.randn(4), torch.randn(4)], lambda: 1),
        ("L1HingeEmbedding-", lambda: nn.L1HingeEmbeddingCriterion(10),
         lambda: [torch.randn(4), torch.randn(4)], lambda: -1),
        ("CosineEmbedding", lambda: nn.CosineEmbeddingCriterion(0.1),
         lambda: [torch.randn(4, 3), torch.randn(4, 3)],
         lambda: torch.Tensor([1, -1, 1, -1])),
        ("CosineEmbedding-1d", nn.CosineEmbeddingCriterion,
         lambda: [torch.randn(3), torch.randn(3)], lambda: 1),
        ("MarginRanking", lambda: nn.MarginRankingCriterion(0.5),
         lambda: [torch.randn(5), torch.randn(5)], lambda: signs(5)),
        ("MarginRanking-1", nn.MarginRankingCriterion,
         lambda: [torch.Tensor([0.3]), torch.Tensor([0.1])], lambda: 1),
        ("DistanceRatio", nn.DistanceRatioCriterion,
         lambda: [torch.rand(4).mul(3), torch.rand(4).mul(3)], lambda: None),
        ("L1Cost", nn.L1Cost, lambda: torch.randn(3, 4), lambda: None),
        ("MultiCriterion",
         lambda: nn.MultiCriterion().add(nn.MSECriterion()).add(nn.SoftMarginCriterion(), 0.3),
         lambda: torch.randn(3, 4), lambda: signs(3, 4)),
        ("ParallelCriterion",
         lambda: nn.ParallelCriterion().add(nn.MSECriterion(), 2).add(nn.ClassNLLCriterion()),
         lambda: [torch.randn(3), log_probs(2, 4)], lambda: [torch.randn(3), classes(4, 2)]),
        ("ParallelCriterion-repeat",
         lambda: nn.ParallelCriterion(True).add(nn.MSECriterion()).add(nn.AbsCriterion(), 0.5),
         lambda: [torch.randn(3), torch.randn(3)], lambda: torch.randn(3)),
        ("ModuleCriterion", lambda: nn.ModuleCriterion(nn.MSECriterion(), _tanh()),
         lambda: torch.randn(4), lambda: torch.randn(4)),
    ]


@pytest.mark.parametrize("case", gradient_cases(), ids=lambda c: c[0])
def test_finite_difference_gradient(case):
    _, make, make_input, make_target = case
    torch.manualSeed(11)
    check_gradient(make(), make_input(), make_target())


# ------------------------------------------------------------------ PyTorch's losses


def to_pt(pt, t):
    return pt.tensor(np.array(t.tolist()), dtype=pt.float64)


def pt_loss_and_grad(pt, fn, x, *args, **kwargs):
    xs = [to_pt(pt, t).requires_grad_() for t in (x if isinstance(x, list) else [x])]
    loss = fn(*xs, *args, **kwargs)
    loss.backward()
    grads = [v.grad.numpy() for v in xs]
    return loss.item(), grads if isinstance(x, list) else grads[0]


def compare(c, input, target, expected, tol=1e-9):
    loss, grad = expected
    assert abs(c.forward(input, target) - loss) <= tol * max(1, abs(loss))
    ours = c.backward(input, target)
    if isinstance(input, list):
        for o, g in zip(ours, grad):
            np.testing.assert_allclose(np.array(o.tolist()), g, rtol=tol, atol=tol)
    else:
        np.testing.assert_allclose(np.array(ours.tolist()), grad, rtol=tol, atol=tol)


@pytest.mark.filterwarnings("ignore:reduction")  # PyTorch's note on kl_div's 'mean'
@pytest.mark.parametrize("size_average", [True, False])
def test_pointwise_losses_match_pytorch(size_average):
    pt = pytest.importorskip("torch")
    F = pt.nn.functional
    red = "mean" if size_average else "sum"
    torch.manualSeed(5)
    x, y = torch.randn(3, 4), torch.randn(3, 4)
    compare(nn.MSECriterion(size_average), x, y,
            pt_loss_and_grad(pt, F.mse_loss, x, to_pt(pt, y), reduction=red))
    compare(nn.AbsCriterion(size_average), x, y,
            pt_loss_and_grad(pt, F.l1_loss, x, to_pt(pt, y), reduction=red))
    compare(nn.SmoothL1Criterion(size_average), x.mul(2), y,
            pt_loss_and_grad(pt, F.smooth_l1_loss, x.mul(2), to_pt(pt, y), reduction=red))
    lp, p = log_probs(3, 4), probs(3, 4)
    kl = nn.DistKLDivCriterion()
    kl.sizeAverage = size_average
    compare(kl, lp, p, pt_loss_and_grad(pt, F.kl_div, lp, to_pt(pt, p), reduction=red))
    b, t, w = probs(3, 4), signs(3, 4).add(1).div(2), torch.rand(4)
    compare(nn.BCECriterion(w, size_average), b, t,
            pt_loss_and_grad(pt, F.binary_cross_entropy, b, to_pt(pt, t),
                             weight=to_pt(pt, w), reduction=red))
    s = signs(3, 4)
    sm = nn.SoftMarginCriterion()
    sm.sizeAverage = size_average
    compare(sm, x, s, pt_loss_and_grad(pt, F.soft_margin_loss, x, to_pt(pt, s), reduction=red))
    he = nn.HingeEmbeddingCriterion(1.5)
    he.sizeAverage = size_average
    d = torch.rand(3, 4).mul(3)
    compare(he, d, s, pt_loss_and_grad(pt, F.hinge_embedding_loss, d, to_pt(pt, s),
                                       margin=1.5, reduction=red))


def test_multilabel_soft_margin_matches_pytorch():
    pt = pytest.importorskip("torch")
    torch.manualSeed(6)
    x, t, w = torch.randn(3, 4).mul(4), signs(3, 4).add(1).div(2), torch.rand(4)
    compare(nn.MultiLabelSoftMarginCriterion(w), x, t,
            pt_loss_and_grad(pt, pt.nn.functional.multilabel_soft_margin_loss, x,
                             to_pt(pt, t), weight=to_pt(pt, w)))


@pytest.mark.parametrize("size_average", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_class_losses_match_pytorch(size_average, weighted):
    pt = pytest.importorskip("torch")
    F = pt.nn.functional
    red = "mean" if size_average else "sum"
    torch.manualSeed(7)
    w = torch.rand(5).add(0.2) if weighted else None
    ptw = to_pt(pt, w) if weighted else None
    t = torch.LongTensor([0, 4, 2, 2, 1, 3])
    ptt = pt.tensor(t.tolist())
    lp = log_probs(6, 5)
    compare(nn.ClassNLLCriterion(w, size_average), lp, t,
            pt_loss_and_grad(pt, F.nll_loss, lp, ptt, weight=ptw, reduction=red))
    x = torch.randn(6, 5).mul(3)
    compare(nn.CrossEntropyCriterion(w, size_average), x, t,
            pt_loss_and_grad(pt, F.cross_entropy, x, ptt, weight=ptw, reduction=red))
    # ignoreIndex: those rows count neither in the loss nor in the total weight
    ti = torch.LongTensor([0, 1, -100, 2, 1, -100])
    compare(nn.ClassNLLCriterion(w, size_average), lp, ti,
            pt_loss_and_grad(pt, F.nll_loss, lp, pt.tensor(ti.tolist()), weight=ptw,
                             reduction=red, ignore_index=-100))
    compare(nn.ClassNLLCriterion(w, size_average, 2), lp, t,
            pt_loss_and_grad(pt, F.nll_loss, lp, ptt, weight=ptw, reduction=red,
                             ignore_index=2))
    sp = torch.randn(2, 5, 3, 2)
    st = torch.LongTensor([[[0, 1], [4, 3], [2, 2]], [[1, 1], [0, 4], [3, 2]]])
    compare(nn.SpatialClassNLLCriterion(w, size_average), sp, st,
            pt_loss_and_grad(pt, F.nll_loss, sp, pt.tensor(st.tolist()), weight=ptw,
                             reduction=red))
    mm = nn.MultiMarginCriterion(2, w, 0.7)
    mm.sizeAverage = size_average
    compare(mm, x, t, pt_loss_and_grad(pt, F.multi_margin_loss, x, ptt, p=2, margin=0.7,
                                       weight=ptw, reduction=red))


@pytest.mark.parametrize("size_average", [True, False])
def test_margin_losses_match_pytorch(size_average):
    pt = pytest.importorskip("torch")
    F = pt.nn.functional
    red = "mean" if size_average else "sum"
    torch.manualSeed(8)
    x = torch.randn(4, 6)
    t = torch.LongTensor([[3, 0, -1, 1, 1, 1], [5, -1, 0, 0, 0, 0], [-1, 2, 2, 2, 2, 2],
                          [0, 1, 2, 3, 4, 5]])
    ml = nn.MultiLabelMarginCriterion()
    ml.sizeAverage = size_average
    compare(ml, x, t, pt_loss_and_grad(pt, F.multilabel_margin_loss, x,
                                       pt.tensor(t.tolist()), reduction=red))
    a, b, y = torch.randn(5, 3), torch.randn(5, 3), torch.Tensor([1, -1, -1, 1, -1])
    ce = nn.CosineEmbeddingCriterion(0.2)
    ce.sizeAverage = size_average
    compare(ce, [a, b], y, pt_loss_and_grad(pt, F.cosine_embedding_loss, [a, b],
                                            to_pt(pt, y), margin=0.2, reduction=red))
    p, q = torch.randn(5), torch.randn(5)
    mr = nn.MarginRankingCriterion(0.3)
    mr.sizeAverage = size_average
    compare(mr, [p, q], y, pt_loss_and_grad(pt, F.margin_ranking_loss, [p, q], to_pt(pt, y),
                                            margin=0.3, reduction=red))


# ------------------------------------------------------------------ numpy oracles


def test_weighted_mse_margin_l1cost_distance_ratio_against_numpy():
    torch.manualSeed(9)
    x, y, w = torch.randn(3, 4), torch.randn(3, 4), torch.randn(4)
    X, Y, W = (np.array(t.tolist()) for t in (x, y, w))
    c = nn.WeightedMSECriterion(w)
    assert math.isclose(c.forward(x, y), ((X - W * Y) ** 2).mean(), rel_tol=1e-12)
    np.testing.assert_allclose(np.array(c.backward(x, y).tolist()), 2 * (X - W * Y) / 12,
                               rtol=1e-12)
    s = signs(3, 4)
    S = np.array(s.tolist())
    assert math.isclose(nn.MarginCriterion(0.5).forward(x, s),
                        np.maximum(0, 0.5 - S * X).mean(), rel_tol=1e-12)
    assert math.isclose(nn.L1Cost().forward(x), np.abs(X).sum(), rel_tol=1e-12)
    np.testing.assert_array_equal(np.array(nn.L1Cost().backward(x).tolist()), np.sign(X))
    d1, d2 = torch.rand(4), torch.rand(4)
    D1, D2 = np.array(d1.tolist()), np.array(d2.tolist())
    expected = (-np.log(np.exp(-D1) / (np.exp(-D1) + np.exp(-D2)))).mean()
    assert math.isclose(nn.DistanceRatioCriterion().forward([d1, d2]), expected, rel_tol=1e-12)
    a, b = torch.randn(6), torch.randn(6)
    dist = np.abs(np.array(a.tolist()) - np.array(b.tolist())).sum()
    assert math.isclose(nn.L1HingeEmbeddingCriterion(100).forward([a, b], -1), 100 - dist,
                        rel_tol=1e-12)


# ------------------------------------------------------------------ targets and bad input


def test_class_targets_accept_numbers_tensors_and_double_batches():
    lp = log_probs(3, 4)
    c = nn.ClassNLLCriterion()
    expected = -(lp[0][1] + lp[1][3] + lp[2][0]) / 3
    for target in (torch.LongTensor([1, 3, 0]), torch.DoubleTensor([1, 3, 0]),
                   torch.IntTensor([1, 3, 0])):
        assert math.isclose(c.forward(lp, target), expected, rel_tol=1e-14)
    row = lp[1].clone()
    for target in (3, 3.0, torch.LongTensor([3]), torch.Tensor([3])):
        assert c.forward(row, target) == -row[3]
    assert nn.ClassNLLCriterion().ignoreIndex == -100


@pytest.mark.parametrize("make, input, bad", [
    (nn.ClassNLLCriterion, lambda: log_probs(2, 5), torch.LongTensor([1, 5])),
    (nn.ClassNLLCriterion, lambda: log_probs(1, 5).view(5), 7),
    (nn.ClassNLLCriterion, lambda: log_probs(1, 5).view(5), -1),
    (nn.CrossEntropyCriterion, lambda: torch.randn(2, 5), torch.LongTensor([9, 0])),
    (nn.SpatialClassNLLCriterion, lambda: torch.randn(1, 5, 1, 2), torch.LongTensor([[[0, 5]]])),
    (nn.MultiMarginCriterion, lambda: torch.randn(5), 5),
    (nn.MultiLabelMarginCriterion, lambda: torch.randn(5), torch.LongTensor([0, 6, -1, 0, 0])),
    (lambda: nn.ClassSimplexCriterion(5), lambda: torch.randn(5), 5),
    (lambda: nn.ClassSimplexCriterion(5), lambda: torch.randn(2, 5), torch.LongTensor([0, 5])),
])
def test_class_out_of_range_is_an_index_error(make, input, bad):
    c = make()
    with pytest.raises(IndexError, match=r"5 classes") as info:
        c.forward(input(), bad)
    value_ = bad if isinstance(bad, int) else next(v for v in bad.view(-1).tolist()
                                               if v < 0 or v >= 5)
    assert str(value_) in str(info.value)
    with pytest.raises(IndexError):
        c.backward(input(), bad)


@pytest.mark.parametrize("make, input, target, match", [
    (nn.MSECriterion, torch.randn(2, 3), torch.randn(5), r"2x3.*5"),
    (nn.AbsCriterion, torch.randn(4), torch.randn(3), r"nn.AbsCriterion"),
    (nn.ClassNLLCriterion, torch.randn(3, 4), torch.LongTensor([0, 1]), r"3x4"),
    (nn.ClassNLLCriterion, torch.randn(2, 3, 4), torch.LongTensor([0, 1]), r"2x3x4"),
    (lambda: nn.ClassNLLCriterion(torch.ones(3)), torch.randn(4), 1, r"3.*4 classes"),
    (nn.CrossEntropyCriterion, torch.randn(3, 4), torch.LongTensor([0, 1]), r"3x4"),
    (nn.SpatialClassNLLCriterion, torch.randn(1, 3, 2, 2), torch.LongTensor(1, 2, 3).zero(),
     r"1x2x2"),
    (nn.BCECriterion, torch.Tensor([0.5, 1.5]), torch.Tensor([1, 0]), r"\[0, 1\]"),
    (nn.MultiLabelMarginCriterion, torch.randn(4), torch.LongTensor([0, -1, 0]), r"size 4"),
    (nn.SpatialAutoCropMSECriterion, torch.randn(1, 3, 3), torch.randn(1, 2, 4), r"3x3"),
    (nn.CosineEmbeddingCriterion, [torch.randn(3), torch.randn(4)], 1, r"3.*4"),
    (nn.CosineEmbeddingCriterion, [torch.randn(3), torch.randn(3)], 0.5, r"1 or -1"),
    (nn.MarginRankingCriterion, [torch.randn(3), torch.randn(3)], torch.ones(2), r"3"),
    (lambda: nn.WeightedMSECriterion(torch.ones(3)), torch.randn(2, 4), torch.randn(2, 4),
     r"size 3"),
])
def test_bad_sizes_are_value_errors(make, input, target, match):
    c = make()
    with pytest.raises(ValueError, match=match):
        c.forward(input, target)


def test_bad_arguments():
    with pytest.raises(ValueError, match="p = 1 and p = 2"):
        nn.MultiMarginCriterion(3)
    with pytest.raises(ValueError, match="1-D"):
        nn.ClassNLLCriterion(torch.ones(2, 2))
    with pytest.raises(ValueError, match="nClasses"):
        nn.ClassSimplexCriterion(1)
    with pytest.raises(TypeError, match="class index"):
        nn.ClassNLLCriterion().forward(torch.randn(3), "a")
    with pytest.raises(ValueError, match="not an integer"):
        nn.ClassNLLCriterion().forward(torch.randn(3), 1.5)
    with pytest.raises(TypeError, match=r"table input"):
        nn.CosineEmbeddingCriterion().forward(torch.randn(3), 1)
    with pytest.raises(TypeError, match="must be a tensor"):
        nn.MSECriterion().forward(torch.randn(3), 1)
    with pytest.raises(TypeError, match="FloatTensor"):
        nn.MSECriterion().backward(torch.FloatTensor(3).fill(1), torch.FloatTensor(3).fill(0))


# ------------------------------------------------------------------ types and state


FLOAT_CASES = [c for c in gradient_cases() if c[0] not in ("ModuleCriterion",)]


@pytest.mark.parametrize("case", FLOAT_CASES, ids=lambda c: c[0])
def test_float_criterion_matches_double(case):
    _, make, make_input, make_target = case
    torch.manualSeed(12)
    input, target = make_input(), make_target()
    c = make()
    loss = c.forward(input, target)
    grad = c.backward(input, target)
    grad = [g.clone() for g in grad] if isinstance(grad, list) else grad.clone()
    f = c.clone().float()

    def to_float(v):
        if isinstance(v, list):
            return [to_float(t) for t in v]
        if isinstance(v, torch.Tensor) and v.type() == "torch.DoubleTensor":
            return v.float()
        return v

    fl = f.forward(to_float(input), to_float(target))
    assert abs(fl - loss) <= 1e-4 * max(1, abs(loss))
    fg = f.backward(to_float(input), to_float(target))
    for a, b in (zip(fg, grad) if isinstance(grad, list) else [(fg, grad)]):
        assert a.type() == "torch.FloatTensor"
        assert_close(a, b, 1e-4, "float gradInput")


def test_grad_input_object_is_kept_between_calls():
    c = nn.ClassNLLCriterion()
    g = c.gradInput
    for b in (1, 128, 1):
        out = c.backward(log_probs(b, 10), torch.LongTensor(b).fill(3))
        assert out is g
    assert list(g.size()) == [1, 10]


def test_cross_entropy_squeezes_and_keeps_the_input_size():
    c = nn.CrossEntropyCriterion()
    x = torch.randn(1, 5)
    loss = c.forward(x, torch.LongTensor([[2]]))
    assert math.isclose(loss, nn.CrossEntropyCriterion().forward(x.view(5), 2), rel_tol=1e-15)
    assert list(c.backward(x, torch.LongTensor([[2]])).size()) == [1, 5]


def test_clone_and_type_convert_children():
    m = nn.MultiCriterion().add(nn.ClassSimplexCriterion(3)).add(nn.ClassSimplexCriterion(3), 2)
    m2 = m.clone().float()
    assert m2.criterions[1].simplex.type() == "torch.FloatTensor"
    assert m.criterions[1].simplex.type() == "torch.DoubleTensor"
    x = torch.randn(3)
    assert abs(m2.forward(x.float(), 1) - m.forward(x, 1)) < 1e-5


def test_fixtures_folder_is_present():
    assert (FIXTURES / "nn_zoo" / "ClassNLLCriterion.json").is_file()


def test_cross_entropy_is_nll_of_log_softmax_property():
    """Hypothesis: the fused kernel equals ClassNLL of a numpy log-softmax, any batch / size."""
    hyp = pytest.importorskip("hypothesis")
    st = hyp.strategies

    @hyp.settings(max_examples=40, deadline=None)
    # n >= 2: Torch7 squeezed the input, so a Bx1 input would be one sample of B classes
    @hyp.given(st.integers(1, 6), st.integers(2, 7), st.integers(0, 2**31 - 1),
               st.booleans())
    def check(b, n, seed, size_average):
        torch.manualSeed(seed)
        x = torch.randn(b, n).mul(5)
        t = torch.rand(b).mul(n).floor().long()
        X = np.array(x.tolist())
        lsm = X - np.log(np.exp(X - X.max(1, keepdims=True)).sum(1, keepdims=True)) \
            - X.max(1, keepdims=True)
        nll = nn.ClassNLLCriterion(None, size_average)
        ce = nn.CrossEntropyCriterion(None, size_average)
        lsm_t = torch.Tensor(lsm.tolist()) if b > 1 else torch.Tensor(lsm.tolist()).view(1, n)
        expected = nll.forward(lsm_t, t)
        target = t if b > 1 else int(t[0])
        assert math.isclose(ce.forward(x, target), expected, rel_tol=1e-12, abs_tol=1e-12)
        g = np.array(ce.backward(x, target).tolist()).reshape(b, n)
        softmax = np.exp(lsm)
        onehot = np.eye(n)[np.array(t.tolist())]
        scale = 1 / b if size_average and b > 1 else 1
        np.testing.assert_allclose(g, (softmax - onehot) * scale, atol=1e-12)

    check()


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = [f"nn_zoo/{n}.json" for n in CRITERIONS] + [
    f"nn/{n}.json" for n in ("ClassNLLCriterion", "MSECriterion", "CrossEntropyCriterion",
                             "BCECriterion")]
