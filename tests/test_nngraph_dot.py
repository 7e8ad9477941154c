"""nngraph's Graphviz export: DOT text that parses, files, SVG rendering (when Graphviz's `dot`
is installed), labels, annotations, annotateNodes, display."""

import re
import xml.etree.ElementTree as ET

import ferrotorch as torch
import pytest
from ferrotorch import nn, nngraph
from nngraph_testing import CAddTable, Identity, Tanh

needs_graphviz = pytest.mark.skipif(not nngraph.graph.has_graphviz(),
                                    reason="Graphviz's `dot` is not installed "
                                           "(apt-get install graphviz; .ci/run installs it)")

_STRING = r'"(?:[^"\\]|\\.)*"'
_ATTR = rf"\w+={_STRING}"
_NODE = re.compile(rf"^  (n\d+) \[({_ATTR}(?: {_ATTR})*)\];$")
_EDGE = re.compile(r"^  (n\d+) -> (n\d+);$")
_HEADER = re.compile(rf'^digraph G \{{\n  labelloc="t";\n  label=({_STRING});\n'
                     r"  node \[shape = oval\];\n")


def parse_dot(text):
    """A strict reader of the DOT subset todot writes: (title, {node: {attr: value}}, edges).
    Fails on anything else, on unbalanced quotes, and on edges to undeclared nodes."""
    head = _HEADER.match(text)
    assert head, f"bad DOT header: {text[:120]!r}"
    body = text[head.end():]
    assert body.endswith("}\n"), "DOT text does not end with '}'"
    nodes, edges = {}, []
    for ln in body[:-2].splitlines():
        if m := _NODE.match(ln):
            attrs = {k: v[1:-1] for k, v in re.findall(rf"(\w+)=({_STRING})", m.group(2))}
            assert m.group(1) not in nodes, f"node {m.group(1)} declared twice"
            nodes[m.group(1)] = attrs
        elif m := _EDGE.match(ln):
            edges.append((m.group(1), m.group(2)))
        else:
            raise AssertionError(f"unparsable DOT line {ln!r}")
    for a, b in edges:
        assert a in nodes and b in nodes, f"edge {a} -> {b} to an undeclared node"
    return head.group(1)[1:-1], nodes, edges


def talk_graph():
    x_in = Identity()()
    h1 = Tanh()(nn.Linear(20, 10)(x_in)).annotate(
        name="h1", description='tanh "layer"', graphAttributes={"color": "blue",
                                                                 "style": "filled"})
    out = nn.Linear(10, 1)(h1)
    return nn.gModule([x_in], [out])


def test_dot_text_parses_and_matches_the_graph():
    g = talk_graph()
    x = torch.rand(20)
    g.forward(x)
    g.backward(x, torch.rand(1))
    for graph in (g.fg, g.bg):
        title, nodes, edges = parse_dot(nngraph.graph.todot(graph, 'The "MLP"'))
        assert title == 'The \\"MLP\\"'
        assert len(nodes) == len(graph.nodes) and len(edges) == len(graph.edges)
        ids = {f"n{n.id}": n for n in graph.nodes}
        assert {(ids[a], ids[b]) for a, b in edges} == \
            {(e.from_, e.to) for e in graph.edges}
    _, nodes, _ = parse_dot(nngraph.graph.todot(g.fg))
    lin = g.forwardnodes[2]
    label = nodes[f"n{lin.id}"]["label"]
    assert label.startswith(f"Node{lin.id}\\l") and "module = nn.Linear(20 -> 10)" in label
    assert "input = Tensor[20]" in label and "gradOutput = Tensor[10]" in label
    assert nodes[f"n{lin.id}"]["tooltip"].endswith(lin.site().split("/")[-1])
    named = nodes[f"n{g.forwardnodes[3].id}"]
    assert named["label"].startswith(f"h1 ({g.forwardnodes[3].id})")
    assert 'desc = tanh \\"layer\\"' in named["label"]
    assert named["color"] == "blue" and named["style"] == "filled"


def test_labels_flag_nan_and_inf_and_show_input_order():
    a, b = Identity()(), Identity()()
    s = CAddTable()([a, b])
    g = nn.gModule([a, b], [s])
    g.forward([torch.Tensor([float("nan"), 1]), torch.Tensor([float("inf"), 1])])
    node = g.forwardnodes[-2]
    assert node is s
    assert "input = {Tensor[2] NaN,Tensor[2] inf}" in s.label()
    assert f"mapindex = {{Node{a.id},Node{b.id}}}" in s.label()


@needs_graphviz
def test_talk_example_writes_dot_and_svg(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mlp = talk_graph()
    text = nngraph.graph.dot(mlp.fg, "MLP", "MLP")
    assert (tmp_path / "MLP.dot").read_text() == text
    root = ET.parse(tmp_path / "MLP.svg").getroot()
    assert root.tag.endswith("svg")
    ns = {"s": "http://www.w3.org/2000/svg"}
    groups = root.findall(".//s:g", ns)
    assert sum(1 for grp in groups if grp.get("class") == "node") == len(mlp.fg.nodes)
    assert sum(1 for grp in groups if grp.get("class") == "edge") == len(mlp.fg.edges)
    assert any(t.text == "MLP" for t in root.iter("{http://www.w3.org/2000/svg}text"))


@needs_graphviz
def test_repr_svg_and_display(tmp_path, monkeypatch, capsys):
    g = talk_graph()
    for obj in (g.fg, g.bg, g):
        svg = obj._repr_svg_()
        assert ET.fromstring(svg.encode()).tag.endswith("svg")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    path = nngraph.display(g)
    assert path.startswith(str(tmp_path)) and path in capsys.readouterr().out
    assert ET.parse(path).getroot().tag.endswith("svg")


def test_without_graphviz_a_clear_message(tmp_path, monkeypatch):
    from ferrotorch.nngraph import dot as dotmod

    monkeypatch.setattr(dotmod.shutil, "which", lambda name: None)
    g = talk_graph()
    base = tmp_path / "g"
    with pytest.warns(RuntimeWarning, match="apt-get install graphviz"):
        nngraph.graph.dot(g.fg, "g", str(base))
    assert (tmp_path / "g.dot").exists() and not (tmp_path / "g.svg").exists()
    with pytest.raises(RuntimeError, match="Graphviz's `dot` program was not found"):
        nngraph.graph.svg(g.fg)
    assert g.fg._repr_svg_() is None


def test_dot_rejects_a_gmodule_with_a_hint():
    with pytest.raises(TypeError, match="pass g.fg or g.bg"):
        nngraph.graph.dot(talk_graph(), "x")


def test_annotate_nodes_names_locals_explicit_names_win():
    first = Identity()()
    hidden = nn.Linear(2, 2)(first)
    kept = Tanh()(hidden).annotate(name="explicit")
    nngraph.annotateNodes()
    assert (first.name(), hidden.name(), kept.name()) == ("first", "hidden", "explicit")
    g = nn.gModule([first], [kept])
    _, nodes, _ = parse_dot(nngraph.graph.todot(g.fg))
    assert nodes[f"n{hidden.id}"]["label"].startswith(f"hidden ({hidden.id})")


@needs_graphviz
def test_every_dot_we_write_renders():
    """Graphviz itself accepts the DOT of a graph with splits, tables and odd annotations."""
    a, b = Identity()(), Identity()()
    p, q = nn.ConcatTable().add(nn.Linear(2, 2)).add(nn.Linear(2, 2))(a).split(2)
    s = CAddTable()([p, q, b]).annotate(name='sum\\"x{}<>', description="line1\nline2")
    g = nn.gModule([a, b], [s, q])
    g.forward([torch.randn(2), torch.randn(2)])
    for graph in (g.fg, g.bg):
        svg = nngraph.graph.render(nngraph.graph.todot(graph, "odd \\ title"))
        assert "<svg" in svg


def test_dot_without_file_name_returns_the_text(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    g = talk_graph()
    text = nngraph.graph.dot(g.bg, "backward")
    assert parse_dot(text)[0] == "backward" and list(tmp_path.iterdir()) == []
