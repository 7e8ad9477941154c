"""ferrotorch.nngraph: graphs of nn modules (Torch7's nngraph).

Importing it lets modules be called on nodes: ``module(node)``, ``module([n1, n2])`` (a table
input), ``module()`` (a node without inputs, the way to declare an input), and the sugar
``node - module``, ``[n1, n2] - module``, ``-module``. ``nn.gModule(inputs, outputs)`` turns
the graph into a module; ``nngraph.graph.dot(g.fg, title, fileName)`` draws it with Graphviz.

>>> import ferrotorch as torch
>>> from ferrotorch import nn, nngraph
>>> x = nn.Identity()()
>>> h1 = nn.Linear(20, 10)(x) - nn.ConcatTable().add(nn.Linear(10, 1)).add(nn.Linear(10, 2))
>>> a, b = h1.split(2)
>>> mlp = nn.gModule([x], [a, b])
>>> [o.size(0) for o in mlp.forward(torch.rand(20))]
[1, 2]
"""

import os
import sys
import tempfile

from ferrotorch import nn
from ferrotorch.nn import module as _module
from ferrotorch.nn.criterion import Criterion
from ferrotorch.nngraph import dot as _dot
from ferrotorch.nngraph import graph
from ferrotorch.nngraph.gmodule import DEBUG, gModule
from ferrotorch.nngraph.modules import JustElement, JustTable, ModuleFromCriterion
from ferrotorch.nngraph.node import Node, call_module, check_node

__all__ = ["JustElement", "JustTable", "ModuleFromCriterion", "Node", "annotateNodes",
           "display", "gModule", "graph", "nest", "setDebug"]


def setDebug(enable=True, directory=None):
    """setDebug(enable=True, directory=None): on an error inside a gModule, write its forward
    graph with the failing node filled red to <name or nngraph_<k>in_<m>out>.dot/.svg (in
    directory, default the current one) before re-raising; the message names the files

    >>> from ferrotorch import nngraph
    >>> nngraph.setDebug(False)
    """
    DEBUG["enabled"] = bool(enable)
    DEBUG["directory"] = None if directory is None else os.fspath(directory)


def annotateNodes(stackLevel=1):
    """annotateNodes(): names every node held in a local variable of the caller after that
    variable (nodes already named keep their names)

    >>> from ferrotorch import nn, nngraph
    >>> def build():
    ...     hidden = nn.Linear(2, 2)()
    ...     nngraph.annotateNodes()
    ...     return hidden
    >>> build().name()
    'hidden'
    """
    frame = sys._getframe(stackLevel)
    for name, value in frame.f_locals.items():
        if isinstance(value, Node) and not value.name():
            value.annotate(name=name)


def nest(*args):
    """nest(nestedListOfNodes) -> one node whose output is the nested list of their outputs

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn, nngraph
    >>> a, b = nn.Identity()(), nn.Identity()()
    >>> g = nn.gModule([a, b], [nngraph.nest([a, [b]])])
    >>> out = g.forward([torch.randn(2), torch.randn(3)])
    >>> out[0].size(0), len(out[1]), out[1][0].size(0)
    (2, 1, 3)
    """
    if len(args) != 1:
        raise TypeError("nngraph.nest: pass one (nested) list of nodes; use "
                        "[input1, input2] to pass multiple inputs.")

    def build(value, index):
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValueError("nngraph.nest: empty lists cannot be nested")
            return JustTable(len(value))([build(v, i) for i, v in enumerate(value)])
        return check_node(value, "inputs", index)

    return build(args[0], 0)


def display(gmod, title=None):
    """display(gmod, title=None) -> shows the forward graph: inline SVG in a notebook;
    elsewhere writes it to a temporary .svg file, prints and returns its path"""
    g = gmod.fg if hasattr(gmod, "fg") else gmod
    title = title if title is not None else str(gmod.__tostring__() if hasattr(gmod, "fg")
                                                else "graph")
    text = _dot.todot(g, title)
    if _dot._in_notebook():
        from IPython.display import SVG
        from IPython.display import display as show

        show(SVG(_dot.render(text)))
        return None
    fd, path = tempfile.mkstemp(prefix="nngraph_", suffix=".svg")
    with os.fdopen(fd, "w") as f:
        f.write(_dot.render(text))
    print(f"nngraph.display: graph written to {path}")
    return path


# ---- installing graph building into nn ---------------------------------------------------
def _neg(module):
    """-module == module(): a node without inputs"""
    return module()


def _rsub(module, inputs):
    """[n1, n2] - module == module([n1, n2])"""
    if isinstance(inputs, (list, tuple, Node)):
        return module(inputs)
    return NotImplemented


_plain_criterion_call = Criterion.__call__


def _criterion_call(self, *args):
    """criterion([prediction, target]) on nodes -> a node of nn.ModuleFromCriterion(self);
    on tensors, criterion(input, target) as before"""
    if len(args) != 2 or any(isinstance(a, Node) for a in args):
        return call_module(ModuleFromCriterion(self), *args)
    return _plain_criterion_call(self, *args)


_module.graph_call_hook = call_module
_module.Module.__neg__ = _neg
_module.Module.__rsub__ = _rsub
Criterion.__call__ = _criterion_call
nn.gModule = gModule
nn.ModuleFromCriterion = ModuleFromCriterion
