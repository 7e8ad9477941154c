"""nngraph's error conditions (reference section 6.4): each raises the right exception with a
message naming the node and the file:line where it was created."""

import inspect

import ferrotorch as torch
import pytest
from ferrotorch import nn, nngraph
from nngraph_testing import CAddTable, Fails, Identity, SumSquares


def line():
    """'test_nngraph_errors.py:<the caller's line>': how messages locate a node."""
    return f"test_nngraph_errors.py:{inspect.currentframe().f_back.f_lineno}"


def test_calling_a_module_on_bad_arguments():
    a, b = Identity()(), Identity()()
    with pytest.raises(TypeError, match=r"use \[input1, input2\] to pass multiple inputs"):
        nn.Linear(2, 2)(a, b)
    with pytest.raises(TypeError, match=r"inputs\[1\] is None \(typo / bad index\?\)"):
        CAddTable()([a, None])
    with pytest.raises(TypeError, match=r"inputs\[1\] is an nn.Module of type nn.Linear.*"
                                        r"second pair of parentheses"):
        CAddTable()([a, nn.Linear(2, 2)])
    with pytest.raises(TypeError, match=r"inputs\[0\] should be an nngraph.Node but is of "
                                        r"type int"):
        nn.Linear(2, 2)(5)
    with pytest.raises(TypeError, match=r"inputs\[1\] is a tensor.*module.forward\(input\)"):
        CAddTable()([a, torch.randn(2)])
    with pytest.raises(ValueError, match="do not pass an empty list"):
        nn.Linear(2, 2)([])
    with pytest.raises(ValueError, match="don't pass the same input twice"):
        CAddTable()([a, b, a])
    with pytest.raises(ValueError, match="positive integer"):
        a.split(0)
    with pytest.raises(TypeError):
        a - 5


def test_gmodule_construction_errors():
    x = Identity()()
    y = nn.Linear(2, 2)(x)
    with pytest.raises(ValueError, match="no inputs are not supported"):
        nn.gModule([], [y])
    with pytest.raises(TypeError, match=r"outputs\[0\] is an nn.Module of type nn.Linear"):
        nn.gModule([x], [nn.Linear(2, 2)])
    with pytest.raises(TypeError, match=r"outputs\[1\] is None"):
        nn.gModule([x], [y, None])
    h = nn.Linear(2, 2)(x); site = line()
    with pytest.raises(ValueError, match="an input should have no inputs") as err:
        nn.gModule([h], [nn.Linear(2, 2)(h)])
    assert site in str(err.value)
    with pytest.raises(ValueError, match="each input should have one source"):
        nn.gModule([x, x], [y])
    with pytest.raises(ValueError, match="list each output once"):
        nn.gModule([x], [y, y])


def test_dangling_node_is_reported_and_nodes_are_left_usable():
    x = Identity()()
    y = nn.Linear(2, 2)(x)
    z = nn.Linear(2, 3)(x); site = line()
    with pytest.raises(ValueError, match="does not connect to gmodule output") as err:
        nn.gModule([x], [y])
    assert "node declared on " in str(err.value) and site in str(err.value)
    # The failed construction left x and y as they were: a correct gModule builds.
    g = nn.gModule([x], [y, z])
    assert [o.size(0) for o in g.forward(torch.randn(2))] == [2, 3]


def test_unused_split_output_and_unused_input():
    x = Identity()()
    table = nn.ConcatTable().add(nn.Linear(2, 2)).add(nn.Linear(2, 1))
    a, _ = table(x).split(2); site = line()
    with pytest.raises(ValueError, match=r"1 of split\(2\) outputs from the node declared at") \
            as err:
        nn.gModule([x], [a])
    assert site in str(err.value)
    x1, x2 = Identity()(), Identity()(); site = line()
    with pytest.raises(ValueError, match=r"inputs\[1\].*does not connect") as err:
        nn.gModule([x1, x2], [nn.Linear(2, 2)(x1)])
    assert site in str(err.value)


def test_node_without_inputs_must_be_declared():
    x = Identity()()
    stray = Identity()(); site = line()
    with pytest.raises(ValueError, match="has no inputs but is not one of the gModule's") as err:
        nn.gModule([x], [CAddTable()([x, stray])])
    assert site in str(err.value)


def test_module_used_twice():
    lin = nn.Linear(2, 2)
    x = Identity()()
    h = lin(x); first = line()
    y = lin(h); second = line()
    with pytest.raises(ValueError, match="is used by two nodes") as err:
        nn.gModule([x], [y])
    assert first in str(err.value) and second in str(err.value)
    assert "clone('weight', 'bias'" in str(err.value)


def test_runtime_input_count_errors():
    x1, x2 = Identity()(), Identity()()
    g = nn.gModule([x1, x2], [nn.Linear(2, 2)(x1), nn.Linear(3, 2)(x2)])
    with pytest.raises(TypeError, match="expecting table of 2 inputs"):
        g.forward(torch.randn(2))
    with pytest.raises(ValueError, match="Got 1 inputs instead of 2"):
        g.forward([torch.randn(2)])
    inp = [torch.randn(2), torch.randn(3)]
    g.forward(inp)
    with pytest.raises(ValueError, match="Got 3 gradOutputs instead of 2"):
        g.backward(inp, [torch.randn(2)] * 3)
    with pytest.raises(TypeError, match="expecting table of 2 gradOutputs"):
        g.updateGradInput(inp, torch.randn(2))


def test_accgradparameters_before_backward():
    x = Identity()()
    g = nn.gModule([x], [nn.Linear(2, 2)(x)])
    t = torch.randn(2)
    g.forward(t)
    with pytest.raises(RuntimeError, match="call updateGradInput"):
        g.accGradParameters(t, torch.randn(2))


def test_runtime_split_count():
    x = Identity()()
    a, b = nn.ConcatTable().add(nn.Linear(2, 2)).add(nn.Linear(2, 1)) \
        .add(nn.Linear(2, 1))(x).split(2)
    g = nn.gModule([x], [a, b])
    with pytest.raises(ValueError, match=r"split\(2\) cannot split 3 outputs"):
        g.forward(torch.randn(2))
    x = Identity()()
    p, q = nn.Linear(2, 2)(x).split(2)
    g = nn.gModule([x], [p, q])
    with pytest.raises(ValueError, match=r"split\(2\) cannot split a .*Tensor \(not a table\)"):
        g.forward(torch.randn(2))


def test_module_error_names_the_node_and_keeps_its_type():
    x = Identity()()
    bad = Fails()(nn.Linear(2, 2)(x)).annotate(name="bad"); site = line()
    g = nn.gModule([x], [bad])
    with pytest.raises(ValueError, match="this module always fails") as err:
        g.forward(torch.randn(2))
    assert "node 'bad' (test.Fails" in str(err.value) and site in str(err.value)
    # A wrong input size inside the graph: the Linear's own message, prefixed by its node.
    with pytest.raises(ValueError, match="already the input of another gModule"):
        nn.gModule([x], [nn.Linear(2, 2)(x)])
    x = Identity()()
    lin = nn.Linear(3, 2)(x); site = line()
    g = nn.gModule([x], [lin])
    with pytest.raises(Exception, match="nn.gModule.updateOutput: error in") as err:
        g.forward(torch.randn(5))
    assert site in str(err.value) and "nn.Linear(3 -> 2)" in str(err.value)
    # Nested: the outer node and the inner node are both named.
    y = Identity()()
    outer = nn.gModule([y], [g(y).annotate(name="inner")])
    with pytest.raises(Exception, match="node 'inner'") as err:
        outer.forward(torch.randn(5))
    assert site in str(err.value)


def test_set_debug_writes_the_graph_with_the_failing_node_in_red(tmp_path):
    x = Identity()()
    bad = Fails()(nn.Linear(2, 2)(x)).annotate(name="bad")
    g = nn.gModule([x], [bad])
    nngraph.setDebug(True, tmp_path)
    try:
        with pytest.raises(ValueError, match="graph with the failing node in red") as err:
            g.forward(torch.randn(2))
        g.name = "mynet"
        with pytest.raises(ValueError):
            g.forward(torch.randn(2))
    finally:
        nngraph.setDebug(False)
    base = tmp_path / "nngraph_1in_1out"
    assert str(base) in str(err.value)
    text = (tmp_path / "nngraph_1in_1out.dot").read_text()
    red = [ln for ln in text.splitlines() if 'fillcolor="red"' in ln]
    assert len(red) == 1 and 'label="bad (' in red[0]
    assert (tmp_path / "mynet.dot").exists()
    if nngraph.graph.has_graphviz():
        assert (tmp_path / "nngraph_1in_1out.svg").read_text().lstrip().startswith("<?xml")
    # Debug off: nothing more is written.
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(ValueError):
        g.forward(torch.randn(2))
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_criterion_still_runs_on_tensors():
    loss, grad = SumSquares()(torch.Tensor([1, 2]), torch.Tensor([0, 0]))
    assert loss == 5 and grad.tolist() == [2, 4]
    with pytest.raises(TypeError, match=r"use \[input1, input2\]"):
        SumSquares()(Identity()(), Identity()())
