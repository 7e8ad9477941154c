"""Graphviz export of nngraph graphs: DOT text, .dot/.svg files, SVG strings for notebooks.

Only rendering needs Graphviz's ``dot`` program; the DOT text is always available.
"""

import os
import shutil
import subprocess
import warnings

INSTALL_HINT = ("install Graphviz to render graphs: `apt-get install graphviz` (Debian/Ubuntu), "
                "`brew install graphviz` (macOS), `conda install graphviz`, or "
                "https://graphviz.org/download/")

# How a failing node is drawn by nngraph.setDebug.
ERROR_ATTRIBUTES = {"style": "filled", "fillcolor": "red", "color": "red"}


def _quote(text):
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as \\l (left
    aligned lines, as nngraph's labels)."""
    text = str(text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text.replace("\r", "").replace("\n", "\\l") + '"'


def _ident(node, index):
    return f"n{node.id if node.id is not None else 'x' + str(index)}"


def todot(graph, title="", highlight=()):
    """todot(graph, title='') -> the graph in Graphviz's DOT language

    Each node is labelled with its name (or Node<id>) and its label() text; its tooltip is
    where it was created; its annotations' graphAttributes are its Graphviz attributes.

    >>> from ferrotorch import nn, nngraph
    >>> x = nn.Identity()()
    >>> g = nn.gModule([x], [nn.Linear(2, 1)(x).annotate(name='out')])
    >>> text = nngraph.graph.todot(g.fg, 'tiny')
    >>> text.splitlines()[0], 'label="tiny"' in text, '"out (2)' in text
    ('digraph G {', True, True)
    """
    lines = ["digraph G {", "  labelloc=\"t\";", f"  label={_quote(title)};",
             "  node [shape = oval];"]
    names = {}
    highlighted = {id(n) for n in highlight}
    for index, node in enumerate(graph.nodes):
        names[id(node)] = _ident(node, index)
        body = node.label()
        label = node.graphNodeName() + ("\n" + body if body else "")
        attrs = {"label": label + "\n"}
        attrs.update(node.graphNodeAttributes())
        if id(node) in highlighted:
            attrs.update(ERROR_ATTRIBUTES)
        text = " ".join(f"{key}={_quote(value)}" for key, value in attrs.items())
        lines.append(f"  {names[id(node)]} [{text}];")
    for edge in graph.edges:
        lines.append(f"  {names[id(edge.from_)]} -> {names[id(edge.to)]};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def has_graphviz():
    """True when Graphviz's ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


def render(dot_text, fmt="svg"):
    """render(dotText, fmt='svg') -> the output of Graphviz's ``dot -T<fmt>`` (str for svg)

    RuntimeError, with how to install it, when Graphviz is missing; RuntimeError with dot's
    message when it rejects the text.
    """
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError(f"nngraph: Graphviz's `dot` program was not found on the PATH; "
                           f"{INSTALL_HINT}")
    done = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode(), capture_output=True,
                          timeout=60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"nngraph: dot -T{fmt} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout.decode() if fmt == "svg" else done.stdout


def svg(graph, title=""):
    """svg(graph, title='') -> the graph rendered as an SVG string (needs Graphviz)"""
    return render(todot(graph, title))


def dot(graph, title="", fileName=None, highlight=()):
    """dot(graph, title='', fileName=None) -> the DOT text; with fileName writes fileName.dot
    and, when Graphviz is installed, fileName.svg

    Pass ``g.fg`` (forward graph) or ``g.bg`` (backward graph) of a gModule. Without Graphviz
    the .svg is skipped with a warning saying how to install it. Without fileName, inside a
    notebook the graph is displayed inline.

    >>> import os, tempfile
    >>> from ferrotorch import nn, nngraph
    >>> x = nn.Identity()()
    >>> g = nn.gModule([x], [nn.Linear(2, 1)(x)])
    >>> base = os.path.join(tempfile.mkdtemp(), 'MLP')
    >>> _ = nngraph.graph.dot(g.fg, 'MLP', base)
    >>> os.path.exists(base + '.dot')
    True
    """
    if not hasattr(graph, "nodes") or not hasattr(graph, "edges"):
        hint = " (pass g.fg or g.bg of a gModule)" if hasattr(graph, "fg") else ""
        raise TypeError(f"nngraph.graph.dot expects a graph, got {type(graph).__name__}{hint}")
    text = todot(graph, title, highlight)
    if fileName is None:
        _show_inline(text)
        return text
    fileName = os.fspath(fileName)
    with open(fileName + ".dot", "w") as f:
        f.write(text)
    if has_graphviz():
        with open(fileName + ".svg", "w") as f:
            f.write(render(text))
    else:
        warnings.warn(f"nngraph: wrote {fileName}.dot but not {fileName}.svg: Graphviz's `dot` "
                      f"program is not installed; {INSTALL_HINT}", RuntimeWarning, stacklevel=2)
    return text


def _in_notebook():
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "zmq" in type(shell).__module__ + type(shell).__name__.lower()


def _show_inline(text):
    if _in_notebook() and has_graphviz():
        from IPython.display import SVG, display

        display(SVG(render(text)))
