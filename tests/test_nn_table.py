"""nn table layers: Torch7 zoo records and nn/ fixtures, Jacobians over tables (flattened),
PyTorch's equivalents, bad input."""

import ferrotorch as torch
import pytest
from ferrotorch import nn
from nn_testing import assert_close, check_zoo_module, value, zoo

ZOO = ["SplitTable", "JoinTable", "MixtureTable", "SelectTable", "NarrowTable", "FlattenTable",
       "ZipTable", "ZipTableOneToMany", "PairwiseDistance", "DotProduct", "CosineDistance",
       "CAddTable", "CSubTable", "CMulTable", "CDivTable", "CMaxTable", "CMinTable",
       "CAddTensorTable"]


def build(name):
    return getattr(nn, name)(*zoo(name)["constructor_args"])


@pytest.mark.parametrize("name", ZOO)
def test_zoo_record(name):
    check_zoo_module(build(name))


def test_zoo_criterion_table():
    rec = zoo("CriterionTable")
    if not hasattr(nn, "MSECriterion"):
        pytest.skip("nn.MSECriterion lands with the criterions branch")
    check_zoo_module(nn.CriterionTable(nn.MSECriterion()), rec)


@pytest.mark.parametrize("name", ["CAddTable", "JoinTable"])
def test_nn_fixture(name, load_fixture):
    rec = load_fixture(f"nn/{name}.json")
    m = nn.JoinTable(1) if name == "JoinTable" else nn.CAddTable()
    x = value(rec["input"])
    assert_close(m.forward(x), value(rec["output"]), 1e-12, "output")
    assert_close(m.backward(x, value(rec["gradOutput"])), value(rec["gradInput"]), 1e-12,
                 "gradInput")


# ------------------------------------------------------------------------ Jacobians

def flat(t):
    """All tensors of a nested table, depth-first."""
    if isinstance(t, (list, tuple)):
        return [x for v in t for x in flat(v)]
    return [t]


def table_jacobian_error(module, input, eps=1e-6):
    """Max |analytic - central difference| over every input element and output element, for a
    module with tables on either side (nn.Jacobian handles tensors only)."""
    def out_vec():
        o = module.forward(input)
        return torch.cat([x.contiguous().view(-1) for x in flat(o)], 0).clone() \
            if not isinstance(o, float) else torch.Tensor([o])

    base = out_vec()
    n_out = base.nElement()
    worst = 0.0
    for k in range(n_out):
        module.forward(input)
        go_flat = torch.zeros(n_out)
        go_flat[k] = 1
        out = module.output
        parts, off = [], 0
        for x in flat(out):
            parts.append(go_flat.narrow(0, off, x.nElement()).view(x.size()).clone())
            off += x.nElement()
        go = _rebuild(out, iter(parts))
        analytic = [g.clone() for g in flat(module.backward(input, go))]
        for t, a in zip(flat(input), analytic):
            tv, av = t.view(-1), a.contiguous().view(-1)
            for i in range(t.nElement()):
                orig = tv[i]
                tv[i] = orig + eps
                plus = out_vec()[k]
                tv[i] = orig - eps
                minus = out_vec()[k]
                tv[i] = orig
                worst = max(worst, abs((plus - minus) / (2 * eps) - av[i]))
    return worst


def _rebuild(like, parts):
    if isinstance(like, (list, tuple)):
        return [_rebuild(x, parts) for x in like]
    return next(parts)


def pair(batch, n=4):
    torch.manualSeed(11 + batch)
    size = [3, n] if batch else [n]
    return [torch.randn(*size), torch.randn(*size)]


CASES = {
    "CAddTable": lambda b: (nn.CAddTable(), pair(b) + [pair(b)[0].mul(2)]),
    "CSubTable": lambda b: (nn.CSubTable(), pair(b)),
    "CMulTable": lambda b: (nn.CMulTable(), pair(b) + [pair(b)[1].add(1)]),
    "CDivTable": lambda b: (nn.CDivTable(), [pair(b)[0], pair(b)[1].abs().add(0.5)]),
    "CMaxTable": lambda b: (nn.CMaxTable(), pair(b) + [pair(b)[0].add(0.3)]),
    "CMinTable": lambda b: (nn.CMinTable(), pair(b) + [pair(b)[0].add(-0.3)]),
    "DotProduct": lambda b: (nn.DotProduct(), pair(b)),
    "CosineDistance": lambda b: (nn.CosineDistance(), pair(b)),
    "PairwiseDistance": lambda b: (nn.PairwiseDistance(2), pair(b)),
    "PairwiseDistance1": lambda b: (nn.PairwiseDistance(1), pair(b)),
    "PairwiseDistance3": lambda b: (nn.PairwiseDistance(3), pair(b)),
    "JoinTable": lambda b: (nn.JoinTable(0, 1), [torch.randn(*([2, 3] if b else [3])),
                                                 torch.randn(*([2, 2] if b else [2]))]),
    "SplitTable": lambda b: (nn.SplitTable(0, 2), torch.randn(*([2, 3, 2] if b else [3, 2]))),
    "SelectTable": lambda b: (nn.SelectTable(-1), pair(b)),
    "NarrowTable": lambda b: (nn.NarrowTable(1, 2), pair(b) + [torch.randn(2)]),
    "FlattenTable": lambda b: (nn.FlattenTable(), [pair(b)[0], [pair(b)[1], [torch.randn(2)]]]),
    "ZipTable": lambda b: (nn.ZipTable(), [pair(b), pair(b)]),
    "ZipTableOneToMany": lambda b: (nn.ZipTableOneToMany(), [torch.randn(3), pair(b, 3)]),
    "CAddTensorTable": lambda b: (nn.CAddTensorTable(), [pair(b, 3)[1].mul(2),
                                                           pair(b, 3)[:1] * 2]),
    "MixtureTable": lambda b: (nn.MixtureTable(), [torch.rand(*([2, 3] if b else [3])),
                                                   [torch.randn(*([2, 4] if b else [4]))
                                                    for _ in range(3)]]),
    "MixtureTableTensor": lambda b: (nn.MixtureTable(), [torch.rand(*([2, 3] if b else [3])),
                                                         torch.randn(*([2, 3, 4] if b else
                                                                       [3, 4]))]),
}


@pytest.mark.parametrize("batch", [False, True])
@pytest.mark.parametrize("case", sorted(CASES))
def test_jacobian(case, batch):
    module, input = CASES[case](batch)
    if case in ("ZipTableOneToMany", "CAddTensorTable"):
        input[1] = [t.clone() for t in input[1]]
    if case == "PairwiseDistance1":
        assert table_jacobian_error(module, input) < 1e-5
        return
    assert table_jacobian_error(module, input) < 1e-5


# ------------------------------------------------------------------------ PyTorch

def test_against_pytorch():
    pt = pytest.importorskip("torch")
    a, b = pair(True, 5)
    pa = pt.tensor(a.tolist(), dtype=pt.float64)
    pb = pt.tensor(b.tolist(), dtype=pt.float64)
    F = pt.nn.functional
    assert_close(nn.CosineDistance().forward([a, b]),
                 torch.Tensor(F.cosine_similarity(pa, pb, 1, 0).tolist()), 1e-10)
    for p in (1, 2, 3):
        assert_close(nn.PairwiseDistance(p).forward([a, b]),
                     torch.Tensor(pt.norm(pa - pb, p, 1).tolist()), 1e-10)
    assert_close(nn.DotProduct().forward([a, b]), torch.Tensor((pa * pb).sum(1).tolist()), 1e-12)
    assert_close(nn.CMaxTable().forward([a, b]), torch.Tensor(pt.maximum(pa, pb).tolist()), 0)
    assert_close(nn.CMinTable().forward([a, b]), torch.Tensor(pt.minimum(pa, pb).tolist()), 0)
    assert_close(nn.JoinTable(1).forward([a, b]), torch.Tensor(pt.cat([pa, pb], 1).tolist()), 0)


# ------------------------------------------------------------------------ behaviour, errors

def test_split_table_views_and_negative_dim():
    x = torch.randn(2, 3)
    out = nn.SplitTable(-1).forward(x)
    assert len(out) == 3
    out[0][1] = 5
    assert x[1][0] == 5


def test_join_table_batch_rule():
    m = nn.JoinTable(0, 1)
    assert list(m.forward([torch.randn(2, 3), torch.randn(2, 4)]).size()) == [2, 7]
    assert list(m.forward([torch.randn(3), torch.randn(4)]).size()) == [7]


def test_join_table_mismatch():
    with pytest.raises(ValueError, match=r"nn.JoinTable: cannot join tensors of sizes \[2, 3\] "
                                         r"and \[3, 3\] along dim 1"):
        nn.JoinTable(1).forward([torch.randn(2, 3), torch.randn(3, 3)])


def test_select_table_errors_and_repr():
    with pytest.raises(IndexError, match="index 3 out of range for a table of 2"):
        nn.SelectTable(3).forward(pair(False))
    assert str(nn.SelectTable(0)) == "nn.SelectTable(1)"
    assert str(nn.SelectTable(-1)) == "nn.SelectTable(-1)"


def test_table_modules_reject_tensors():
    with pytest.raises(TypeError, match=r"nn.CAddTable: expected a table"):
        nn.CAddTable().forward(torch.randn(3))


def test_size_mismatch():
    with pytest.raises(ValueError, match=r"nn.CSubTable: tensors of sizes \[3\] and \[4\]"):
        nn.CSubTable().forward([torch.randn(3), torch.randn(4)])
    with pytest.raises(ValueError, match=r"nn.CosineDistance: expected two vectors or two "
                                         r"matrices of the same size, got 3 and 4"):
        nn.CosineDistance().forward([torch.randn(3), torch.randn(4)])


def test_mixture_table_gater_count():
    with pytest.raises(ValueError, match="3 gater outputs for 2 experts"):
        nn.MixtureTable().forward([torch.rand(3), [torch.randn(4), torch.randn(4)]])


def test_cmax_ties_go_to_the_first():
    m = nn.CMaxTable()
    a, b = torch.Tensor([1, 2]), torch.Tensor([1, 3])
    m.forward([a, b])
    g = m.backward([a, b], torch.Tensor([10, 20]))
    assert g[0].tolist() == [10, 0] and g[1].tolist() == [0, 20]


def test_caddtable_inplace():
    a, b = torch.Tensor([1, 2]), torch.Tensor([3, 4])
    m = nn.CAddTable(True)
    out = m.forward([a, b])
    assert a.tolist() == [4, 6] and out.storage().cdata() == a.storage().cdata()


def test_float_tables():
    a, b = pair(True)
    for name in ("CAddTable", "CMulTable", "CosineDistance", "PairwiseDistance", "CMaxTable"):
        m = getattr(nn, name)()
        ref = m.forward([a, b]).clone()
        out = getattr(nn, name)().float().forward([a.float(), b.float()])
        assert out.type() == "torch.FloatTensor"
        assert_close(out.double(), ref, 1e-5, name)


def test_criterion_table_with_a_python_criterion():
    class Half(nn.Criterion):
        def updateOutput(self, input, target):
            self.output = 0.5 * float(torch.sum(torch.cmul(input, target)))
            return self.output

        def updateGradInput(self, input, target):
            self.gradInput = torch.mul(target, 0.5)
            return self.gradInput

    m = nn.CriterionTable(Half())
    x, y = torch.Tensor([1, 2]), torch.Tensor([3, 4])
    assert m.forward([x, y]) == 5.5
    assert m.backward([x, y], 1)[0].tolist() == [1.5, 2.0]


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = [f"nn_zoo/{n}.json" for n in ZOO] + [
    "nn/CAddTable.json", "nn/JoinTable.json", "nn_zoo/CriterionTable.json"]
