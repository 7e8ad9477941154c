"""nngraph: building and running gModules (Torch7's nngraph), against nn.Sequential, numpy,
PyTorch, the recorded Torch7 gModule and finite-difference Jacobians."""

import ferrotorch as torch
import numpy as np
import pytest
from conftest import build_from_json
from ferrotorch import nn, nngraph
from hypothesis import given, settings
from hypothesis import strategies as st
from nn_testing import assert_close, check_jacobian
from nngraph_testing import CAddTable, CMulTable, Identity, SumSquares, Tanh


def talk_mlp():
    """The talk's example: Linear(20, 10) -> Tanh -> Linear(10, 1) as a graph."""
    x_in = Identity()()
    l1, l2 = nn.Linear(20, 10), nn.Linear(10, 1)
    h1 = Tanh()(l1(x_in))
    out = l2(h1)
    return nn.gModule([x_in], [out]), l1, l2


def shared_sequential(l1, l2):
    """The same network as nn.Sequential, weights shared with l1 / l2, gradients its own."""
    a, b = nn.Linear(20, 10), nn.Linear(10, 1)
    a.share(l1, "weight", "bias")
    b.share(l2, "weight", "bias")
    return nn.Sequential().add(a).add(Tanh()).add(b)


def np_mlp(l1, l2, x, dy):
    """numpy oracle: output, gradInput and parameter gradients of the talk's MLP."""
    w1, b1, w2, b2 = (t.numpy() for t in (l1.weight, l1.bias, l2.weight, l2.bias))
    single = x.ndim == 1
    x, dy = np.atleast_2d(x), np.atleast_2d(dy)
    h = np.tanh(x @ w1.T + b1)
    y = h @ w2.T + b2
    dh = (dy @ w2) * (1 - h * h)
    gx = dh @ w1
    if single:
        y, gx = y[0], gx[0]
    return y, gx, dh.T @ x, dh.sum(0), dy.T @ h, dy.sum(0)


@pytest.mark.parametrize("batch", [None, 5])
def test_talk_example_equals_sequential_and_numpy(batch):
    mlp, l1, l2 = talk_mlp()
    seq = shared_sequential(l1, l2)
    x = torch.rand(20) if batch is None else torch.rand(batch, 20)
    dx = torch.rand(1) if batch is None else torch.rand(batch, 1)
    mlp.zeroGradParameters()
    seq.zeroGradParameters()
    out = mlp.updateOutput(x)
    gin = mlp.updateGradInput(x, dx)
    mlp.accGradParameters(x, dx)
    assert_close(out, seq.forward(x), 1e-14, "output")
    assert_close(gin, seq.backward(x, dx), 1e-14, "gradInput")
    for i, (g, gs) in enumerate(zip(mlp.parameters()[1], seq.parameters()[1])):
        assert_close(g, gs, 1e-14, f"gradient {i}")
    y, gx, gw1, gb1, gw2, gb2 = np_mlp(l1, l2, x.numpy(), dx.numpy())
    np.testing.assert_allclose(out.numpy(), y, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(gin.numpy(), gx, rtol=1e-12, atol=1e-14)
    for g, e in zip(mlp.parameters()[1], (gw1, gb1, gw2, gb2)):
        np.testing.assert_allclose(g.numpy(), e, rtol=1e-12, atol=1e-14)


def test_recorded_torch7_gmodule(load_fixture):
    """The gModule Torch7 saved (Identity -> Linear(20,10) -> Tanh -> Linear(10,1)): our graph
    with its weights gives its recorded output, and its modules come in its order."""
    record = load_fixture("t7/gmodule.json")
    mods = record["content"]["modules"]
    x = Identity()()
    y = nn.Linear(10, 1)(Tanh()(nn.Linear(20, 10)(x)))
    g = nn.gModule([x], [y])
    names = [m.__typename__.replace("test.", "nn.") for m in g.modules]
    assert names == [m["class"] for m in mods]
    for ours, theirs in zip(g.modules, mods):
        for field in ("weight", "bias"):
            if field in theirs["fields"]:
                getattr(ours, field).copy(build_from_json(theirs["fields"][field]))
    out = g.forward(build_from_json(record["forward"]["input"]))
    assert_close(out, build_from_json(record["forward"]["output"]), 1e-12, "output")
    assert g.nInputs == record["content"]["fields"]["nInputs"]


def multi_graph(named=False):
    """2 inputs, 3 outputs: a node used by two others (gradients summed), a table layer, a
    split, a table output. With named, also the Linear modules by name."""
    lin = {"a": nn.Linear(3, 4), "b": nn.Linear(5, 4), "o1": nn.Linear(4, 2),
           "p": nn.Linear(4, 3), "q": nn.Linear(4, 1), "p2": nn.Linear(3, 2),
           "q2": nn.Linear(1, 2)}
    x1, x2 = Identity()(), Identity()()
    a = lin["a"](x1)
    b = lin["b"](x2)
    h = Tanh()(CAddTable()([a, b]))
    o1 = lin["o1"](h)
    o2 = CMulTable()([h, a])
    p, q = (nn.ConcatTable().add(lin["p"]).add(lin["q"]))(h).split(2)
    o3 = CAddTable()([lin["p2"](p), lin["q2"](q)])
    g = nn.gModule([x1, x2], [o1, o2, o3])
    return (g, lin) if named else g


def test_multi_input_output_jacobian():
    g = multi_graph()
    check_jacobian(g, [torch.rand(3), torch.rand(5)])
    check_jacobian(g, [torch.rand(4, 3), torch.rand(4, 5)])


def test_multi_graph_against_pytorch():
    pt = pytest.importorskip("torch")
    g, lin = multi_graph(named=True)
    x = [torch.randn(6, 3), torch.randn(6, 5)]
    out = g.forward(x)
    go = [torch.randn(6, 2), torch.randn(6, 4), torch.randn(6, 2)]
    g.zeroGradParameters()
    gin = g.backward(x, go)
    w = {k: (pt.tensor(m.weight.numpy(), requires_grad=True),
             pt.tensor(m.bias.numpy(), requires_grad=True)) for k, m in lin.items()}
    F = pt.nn.functional
    tx = [pt.tensor(t.numpy(), requires_grad=True) for t in x]
    a = F.linear(tx[0], *w["a"])
    h = pt.tanh(a + F.linear(tx[1], *w["b"]))
    o1 = F.linear(h, *w["o1"])
    o2 = h * a
    o3 = F.linear(F.linear(h, *w["p"]), *w["p2"]) + F.linear(F.linear(h, *w["q"]), *w["q2"])
    loss = sum((o * pt.tensor(t.numpy())).sum() for o, t in zip((o1, o2, o3), go))
    loss.backward()
    for ours, theirs in zip(out, (o1, o2, o3)):
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12, atol=1e-13)
    for ours, theirs in zip(gin, tx):
        np.testing.assert_allclose(ours.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-13)
    for k, m in lin.items():
        tw, tb = w[k]
        np.testing.assert_allclose(m.gradWeight.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(m.gradBias.numpy(), tb.grad.numpy(), rtol=1e-12, atol=1e-13)


def test_table_input_split_and_nested_gmodule_jacobian():
    # One input that is a table, split inside.
    x = Identity()()
    u, v = x.split(2)
    inner = nn.gModule([x], [CMulTable()([nn.Linear(2, 3)(u), nn.Linear(4, 3)(v)])])
    check_jacobian(inner, [torch.rand(2), torch.rand(4)])
    # The gModule as a node of a bigger graph, its output used twice.
    a, b = Identity()(), Identity()()
    m = inner([a, nn.Linear(3, 4)(b)])
    outer = nn.gModule([a, b], [CAddTable()([m, Tanh()(m)]), b])
    check_jacobian(outer, [torch.rand(2), torch.rand(3)])
    assert len(outer.parameters()[0]) == 6


def test_single_element_split_and_nest():
    x = Identity()()
    only = (x - nn.ConcatTable().add(nn.Linear(3, 2))).split(1)
    assert isinstance(only.data.module, nngraph.JustElement)
    g = nn.gModule([x], [only])
    t = torch.randn(3)
    assert_close(g.forward(t), g.modules[1].modules[0].forward(t), 0, "output")
    a, b = Identity()(), Identity()()
    g = nn.gModule([a, b], [nngraph.nest([nn.Linear(2, 2)(a), [b, nn.Linear(3, 1)(b)]])])
    check_jacobian(g, [torch.rand(2), torch.rand(3)])


def test_operator_sugar():
    x = -Identity()
    lin, lin2 = nn.Linear(3, 4), nn.Linear(4, 4)
    y = x - lin - Tanh()
    z = [y, x - nn.Linear(3, 4)] - CAddTable()
    g = nn.gModule([x], [z - lin2])
    assert g.modules[1] is lin and g.modules[-1] is lin2
    assert z.children[0].data.module is y.data.module
    check_jacobian(g, torch.rand(3))


def test_criterion_node():
    x, t = Identity()(), Identity()()
    crit = SumSquares()
    loss = crit([nn.Linear(3, 2)(x), t])
    assert loss.data.module.__typename__ == "nn.ModuleFromCriterion"
    g = nn.gModule([x, t], [loss])
    inp, target = torch.randn(3), torch.randn(2)
    out = g.forward([inp, target])
    pred = g.modules[1].output
    assert out.size(0) == 1 and out[0] == pytest.approx(SumSquares().forward(pred, target))
    gx, gt = (t.clone() for t in g.backward([inp, target], torch.Tensor([2.0])))
    expected = g.modules[1].updateGradInput(inp, SumSquares().backward(pred, target).mul(2))
    assert_close(gx, expected, 1e-14, "gradient w.r.t. the prediction's input")
    assert gt.abs().sum() == 0  # Torch7: no gradient w.r.t. the target


def test_backward_equals_updategradinput_plus_accgradparameters():
    g1 = multi_graph()
    g2 = g1.clone()
    x = [torch.randn(2, 3), torch.randn(2, 5)]
    go = [torch.randn(2, 2), torch.randn(2, 4), torch.randn(2, 2)]
    for g in (g1, g2):
        g.zeroGradParameters()
        g.forward(x)
    gin1 = g1.backward(x, go, 0.5)
    gin2 = g2.updateGradInput(x, go)
    g2.accGradParameters(x, go, 0.5)
    assert_close(gin1, gin2, 0, "gradInput")
    assert_close(g1.parameters()[1], g2.parameters()[1], 0, "gradients")


def test_parameters_follow_forward_order_and_getparameters():
    mlp, l1, l2 = talk_mlp()
    params, grads = mlp.getParameters()
    assert params.nElement() == 20 * 10 + 10 + 10 + 1
    assert mlp.modules[1] is l1 and mlp.modules[3] is l2
    params.fill(0.5)
    assert l1.weight.sum() == pytest.approx(0.5 * 200) and l2.bias[0] == 0.5
    x = torch.rand(20)
    grads.zero()
    mlp.forward(x)
    mlp.backward(x, torch.Tensor([1.0]))
    assert grads.narrow(0, 0, 200).sum() == pytest.approx(l1.gradWeight.sum())


def test_clone_share_type():
    mlp, l1, _ = talk_mlp()
    x = torch.rand(3, 20)
    out = mlp.forward(x).clone()
    copy = mlp.clone()
    assert_close(copy.forward(x), out, 0, "clone output")
    copy.modules[1].weight.fill(0)
    assert l1.weight.abs().sum() > 0  # the clone owns its weights
    assert copy.forwardnodes[2].data.module is copy.modules[1]  # nodes point at the copies
    shared = mlp.clone("weight", "bias")
    shared.modules[1].weight.fill(0.25)
    assert l1.weight.eq(0.25).all()
    other, _, _ = talk_mlp()
    other.share(mlp, "weight", "bias")
    assert_close(other.forward(x), mlp.forward(x), 0, "shared output")
    mlp.float()
    assert l1.weight.type() == "torch.FloatTensor"
    assert_close(mlp.forward(x.float()), other.forward(x), 1e-6, "float output")
    mlp.clearState()
    assert mlp.forwardnodes[1].data.input is None


def test_deep_graph_runs_and_clones_without_recursion():
    x = Identity()()
    h = x
    for _ in range(1500):
        h = nn.Linear(2, 2)(h)
    g = nn.gModule([x], [h])
    copy = g.clone()
    t = torch.randn(2)
    assert_close(copy.forward(t), g.forward(t), 0, "output")
    assert len(g.backward(t, torch.randn(2))) == 2


def test_replace_and_map():
    mlp, l1, _ = talk_mlp()
    new = nn.Linear(20, 10)
    mlp.replace(lambda m: new if m is l1 else m)
    assert mlp.modules[1] is new and mlp.forwardnodes[2].data.module is new
    x = torch.rand(20)
    h = new.forward(x)
    assert_close(mlp.forward(x), mlp.modules[3].forward(mlp.modules[2].forward(h)), 1e-15, "out")
    pairs = []
    mlp.map(mlp.clone(), lambda a, b: pairs.append((a.__typename__, b.__typename__)))
    assert len(pairs) == 4 and all(a == b for a, b in pairs)


def test_graphs_are_inspectable():
    mlp, l1, _ = talk_mlp()
    fg, bg = mlp.fg, mlp.bg
    assert len(fg.nodes) == len(bg.nodes) == 6 and len(fg.edges) == 5
    assert fg.roots() == [mlp.innode] and fg.leaves() == [mlp.outnode]
    assert bg.roots() == [mlp.outnode] and bg.leaves() == [mlp.innode]
    order = fg.topsort()
    pos = {id(n): i for i, n in enumerate(order)}
    assert all(pos[id(e.from_)] < pos[id(e.to)] for e in fg.edges)
    assert [n.data.module for n in mlp.forwardnodes][2] is l1
    assert mlp.backwardnodes[0] is mlp.outnode and mlp.backwardnodes[-1] is mlp.innode
    lin_node = mlp.forwardnodes[2]
    assert fg.parents(lin_node)[0].data.module is mlp.modules[0]
    assert bg.children(lin_node) == fg.parents(lin_node)


def test_verbose_prints_each_node(capsys):
    mlp, _, _ = talk_mlp()
    mlp.verbose = True
    mlp.forward(torch.rand(20))
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith(" V : ")]
    assert len(lines) == len(mlp.forwardnodes)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["linear", "tanh"]), min_size=1, max_size=6),
       st.integers(1, 4), st.integers(0, 3))
def test_chain_graph_equals_sequential(kinds, width, batch):
    """Any chain of layers as a graph equals the nn.Sequential of the same modules."""
    x = Identity()()
    node, seq = x, nn.Sequential()
    for kind in kinds:
        m = nn.Linear(width, width) if kind == "linear" else Tanh()
        seq.add(m.clone())
        seq.modules[-1].share(m, "weight", "bias")
        node = m(node)
    g = nn.gModule([x], [node])
    inp = torch.randn(width) if batch == 0 else torch.randn(batch, width)
    go = torch.randn(inp.size())
    assert_close(g.forward(inp), seq.forward(inp), 1e-14, "output")
    assert_close(g.backward(inp, go), seq.backward(inp, go), 1e-14, "gradInput")


def test_pickle_round_trip():
    import pickle

    g = multi_graph()
    x = [torch.randn(2, 3), torch.randn(2, 5)]
    out = [o.clone() for o in g.forward(x)]
    go = [torch.randn(o.size()) for o in out]
    gin = [t.clone() for t in g.backward(x, go)]
    h = pickle.loads(pickle.dumps(g))
    assert_close(h.forward(x), out, 0, "output")
    assert_close(h.backward(x, go), gin, 0, "gradInput")
    assert h.fg.roots() == [h.innode]
    assert h.forwardnodes[3].data.module is h.modules[0]


@st.composite
def random_dags(draw):
    """A random graph: 1-2 inputs, then nodes that are Linear or Tanh of an earlier node or the
    sum of two earlier ones; every node nothing consumes is an output."""
    n_inputs = draw(st.integers(1, 2))
    steps = draw(st.lists(st.tuples(st.sampled_from(["linear", "tanh", "add"]),
                                    st.integers(0, 10 ** 6), st.integers(0, 10 ** 6)),
                          min_size=1, max_size=8))
    return n_inputs, steps


@settings(max_examples=30, deadline=None)
@given(random_dags(), st.integers(1, 3))
def test_random_graphs_against_pytorch_autograd(dag, width):
    """Any DAG of Linear / Tanh / sums: outputs, gradInputs and every parameter gradient equal
    PyTorch autograd on the same function (gradients of shared nodes summed)."""
    pt = pytest.importorskip("torch")
    n_inputs, steps = dag
    inputs = [Identity()() for _ in range(n_inputs)]
    nodes, spec, used = list(inputs), [], set()
    for kind, i, j in steps:
        a, b = i % len(nodes), j % len(nodes)
        if kind == "linear":
            m = nn.Linear(width, width)
            nodes.append(m(nodes[a]))
            spec.append(("linear", a, m))
        elif kind == "tanh":
            nodes.append(Tanh()(nodes[a]))
            spec.append(("tanh", a, None))
        else:
            b = b if b != a else (a + 1) % len(nodes)
            if a == b:  # a single node so far: nothing to add it to
                continue
            nodes.append(CAddTable()([nodes[a], nodes[b]]))
            spec.append(("add", (a, b), None))
        used.update(spec[-1][1] if kind == "add" else (a,))
    outputs = [k for k in range(len(nodes)) if k not in used]
    g = nn.gModule(inputs, [nodes[k] for k in outputs])
    xs = [torch.randn(2, width) for _ in inputs]
    gos = [torch.randn(2, width) for _ in outputs]
    g.zeroGradParameters()
    out = g.forward(xs if n_inputs > 1 else xs[0])
    gin = g.backward(xs if n_inputs > 1 else xs[0], gos if len(outputs) > 1 else gos[0])
    out = out if len(outputs) > 1 else [out]
    gin = gin if n_inputs > 1 else [gin]

    tx = [pt.tensor(x.numpy(), requires_grad=True) for x in xs]
    vals, params = list(tx), []
    for kind, src, m in spec:
        if kind == "linear":
            w = pt.tensor(m.weight.numpy(), requires_grad=True)
            bias = pt.tensor(m.bias.numpy(), requires_grad=True)
            params.append((m, w, bias))
            vals.append(pt.nn.functional.linear(vals[src], w, bias))
        elif kind == "tanh":
            vals.append(pt.tanh(vals[src]))
        else:
            vals.append(vals[src[0]] + vals[src[1]])
    loss = sum((vals[k] * pt.tensor(go.numpy())).sum() for k, go in zip(outputs, gos))
    if loss.requires_grad:
        loss.backward()
    for ours, k in zip(out, outputs):
        np.testing.assert_allclose(ours.numpy(), vals[k].detach().numpy(), rtol=1e-12,
                                   atol=1e-12)
    for ours, t in zip(gin, tx):
        np.testing.assert_allclose(ours.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)
    for m, w, bias in params:
        np.testing.assert_allclose(m.gradWeight.numpy(), w.grad.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(m.gradBias.numpy(), bias.grad.numpy(), rtol=1e-12,
                                   atol=1e-12)


def test_gmodule_inside_sequential():
    x = Identity()()
    g = nn.gModule([x], [CAddTable()([nn.Linear(3, 3)(x), Tanh()(x)])])
    seq = nn.Sequential().add(nn.Linear(2, 3)).add(g).add(nn.Linear(3, 2))
    check_jacobian(seq, torch.rand(4, 2))


def test_acc_update_grad_parameters_matches_sgd_step():
    """accUpdateGradParameters(lr) moves each weight by -lr * its gradient, as a
    backward + updateParameters on a copy does."""
    mlp, _, _ = talk_mlp()
    ref = mlp.clone()
    x, dy = torch.rand(3, 20), torch.rand(3, 1)
    ref.zeroGradParameters()
    ref.forward(x)
    ref.backward(x, dy)
    ref.updateParameters(0.1)
    mlp.forward(x)
    mlp.updateGradInput(x, dy)
    mlp.accUpdateGradParameters(x, dy, 0.1)
    assert_close(mlp.parameters()[0], ref.parameters()[0], 1e-13, "parameters")


TABLE_LAYERS = ("CAddTable", "JoinTable", "SplitTable", "SelectTable")


@pytest.mark.skipif(not all(hasattr(nn, n) for n in TABLE_LAYERS),
                    reason="nn's table layers (issue 15) are not merged into this branch yet")
def test_table_layers_in_graphs():
    """SplitTable + split(n), CAddTable, JoinTable and SelectTable as nodes: Jacobian and a
    numpy oracle (0-based dims and indices)."""
    x = nn.Identity()()
    a, b, c = nn.SplitTable(0)(x).split(3)
    la, lb, lc, ld = nn.Linear(4, 2), nn.Linear(4, 2), nn.Linear(4, 2), nn.Linear(4, 3)
    joined = nn.JoinTable(0)([nn.CAddTable()([la(a), lb(b)]), lc(c)])
    first = nn.SelectTable(0)(nn.ConcatTable().add(ld).add(nn.Identity())(c))
    g = nn.gModule([x], [joined, first])
    check_jacobian(g, torch.rand(3, 4))
    inp = torch.randn(3, 4)
    out = g.forward(inp)
    v = inp.numpy()

    def lin(m, row):
        return m.weight.numpy() @ row + m.bias.numpy()

    np.testing.assert_allclose(out[0].numpy(), np.concatenate(
        [lin(la, v[0]) + lin(lb, v[1]), lin(lc, v[2])]), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(out[1].numpy(), lin(ld, v[2]), rtol=1e-12, atol=1e-13)


# The Torch7 fixture files this module loads (tests/fixtures/torch7/...; fnmatch patterns).
# test_fixture_coverage.py fails on a fixture file that no module declares.
TORCH7_FIXTURES = ["t7/gmodule.json"]
