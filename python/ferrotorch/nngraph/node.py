"""nngraph.Node: a module placed in a graph, with the nodes that feed it (nngraph's node.lua).

Calling a module on nodes (``module(node)``, ``module([n1, n2])``, ``module()``) creates a Node;
the graph is recorded backwards, as in Lua: ``node.children`` are the nodes feeding it, in the
order of the module's table input. A node's ``data`` holds what nngraph kept there: the module,
``mapindex`` (the inputs' data, in table order), the last run's ``input`` / ``output`` /
``gradOutput`` / ``gradInput``, ``annotations`` and, for split outputs, ``selectindex`` /
``nSplitOutputs``.
"""

import os
import sys

import ferrotorch as torch
from ferrotorch.nn import utils

# Frames inside these folders are skipped when looking for the line that created a node.
_PACKAGE_DIRS = (
    os.path.dirname(os.path.abspath(__file__)),
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "nn"),
)


def creation_site():
    """'file:line' of the first caller outside nngraph and nn (nngraph's _debugLabel)."""
    frame = sys._getframe(1)
    while frame is not None and os.path.dirname(
            os.path.abspath(frame.f_code.co_filename)) in _PACKAGE_DIRS:
        frame = frame.f_back
    if frame is None:
        return "?"
    path = frame.f_code.co_filename
    try:
        rel = os.path.relpath(path)
        if not rel.startswith(".."):
            path = rel
    except ValueError:  # another drive on Windows
        pass
    return f"{path}:{frame.f_lineno}"


class NodeData:
    """The payload of a node (Lua's node.data table): the module and the runtime state."""

    def __init__(self, module=None, site=None, **fields):
        self.module = module
        self.mapindex = []  # the data of the input nodes, in the order of the table input
        self.reverseMap = []  # every node created with this one as an input
        # The last run, as the module saw it (Lua kept lists of pieces; one value is what a
        # reader wants and what accGradParameters needs): the input (a list when several),
        # the output, the gradOutput summed over the consumers, the gradInput sent back.
        self.input = None
        self.output = None
        self.gradOutput = None
        self.gradInput = None
        self.gradOutputBuffer = None  # where the gradients of several consumers are summed
        self.selectindex = None  # a split output: which element of the split table (0-based)
        self.nSplitOutputs = None  # a split node: how many elements its input table must have
        self.forwardNodeId = None
        self.annotations = {"_debugLabel": site or "?"}
        self.__dict__.update(fields)

    def __deepcopy__(self, memo):
        return utils.deepcopy_object(self, memo)


class Node:
    """nngraph.Node -> a module in a graph (made by calling a module on nodes)

    ``children`` are the nodes feeding this one, ``data.module`` its module. A node is
    annotated with ``annotate(name=, description=, graphAttributes=)``, split into several
    nodes with ``split(n)``, and fed to another module with ``node - module``.

    >>> from ferrotorch import nn, nngraph
    >>> x = nn.Identity()()
    >>> y = nn.Linear(2, 1)(x).annotate(name='y')
    >>> y.children[0] is x, y.data.module
    (True, nn.Linear(2 -> 1))
    """

    def __init__(self, data):
        self.data = data
        self.children = []
        self.id = None

    # ---- construction --------------------------------------------------------------------
    def add(self, child):
        """add(child): child becomes the next input of this node"""
        if any(c is child for c in self.children):
            raise ValueError(f"nngraph: this connection has already been made! "
                             f"({child.describe()} -> {self.describe()})")
        self.children.append(child)
        self.data.mapindex.append(child.data)
        child.data.reverseMap.append(self)

    def _unlink(self, child):
        """Undoes add(child) (a gModule whose construction failed leaves the nodes as they were)."""
        for i, c in enumerate(self.children):
            if c is child:
                del self.children[i]
                del self.data.mapindex[i]
                break
        child.data.reverseMap[:] = [n for n in child.data.reverseMap if n is not self]

    def split(self, noutput):
        """split(n) -> n nodes, node i holding element i of this node's output table

        ``split(1)`` returns one node holding the single element (nngraph.JustElement).

        >>> import ferrotorch as torch
        >>> from ferrotorch import nn, nngraph
        >>> x = nn.Identity()()
        >>> a, b = nn.ConcatTable().add(nn.Linear(4, 2)).add(nn.Linear(4, 1))(x).split(2)
        >>> g = nn.gModule([x], [b, a])
        >>> [o.size(0) for o in g.forward(torch.randn(4))]
        [1, 2]
        """
        if not isinstance(noutput, int) or isinstance(noutput, bool) or noutput < 1:
            raise ValueError(f"nngraph: split(n) expects a positive integer n, got {noutput!r}")
        if noutput == 1:
            from ferrotorch.nngraph.modules import JustElement

            return JustElement()(self)
        site = creation_site()
        label = f"{self.data.annotations['_debugLabel']} (split at {site})"
        splitter = Node(NodeData(site=label, nSplitOutputs=noutput))
        splitter.add(self)
        outputs = []
        for i in range(noutput):
            node = Node(NodeData(site=label, selectindex=i))
            node.add(splitter)
            outputs.append(node)
        return tuple(outputs)

    def annotate(self, name=None, description=None, graphAttributes=None, **others):
        """annotate(name=None, description=None, graphAttributes=None) -> self

        The name labels the node in graphs and error messages; the description shows under it;
        graphAttributes are Graphviz node attributes (color, style, fillcolor, fontcolor, ...).

        >>> from ferrotorch import nn
        >>> n = nn.Linear(2, 2)().annotate(name='fc', graphAttributes={'color': 'red'})
        >>> n.name()
        'fc'
        """
        ann = self.data.annotations
        for key, value in (("name", name), ("description", description)):
            if value is not None:
                ann[key] = str(value)
        if graphAttributes is not None:
            if not isinstance(graphAttributes, dict):
                raise TypeError("annotate: graphAttributes should be a dict of Graphviz "
                                f"attributes, got {type(graphAttributes).__name__}")
            ann.setdefault("graphAttributes", {}).update(graphAttributes)
        ann.update(others)
        return self

    # ---- inspection ----------------------------------------------------------------------
    def name(self):
        """name() -> the annotated name, or None"""
        return self.data.annotations.get("name")

    def site(self):
        """site() -> 'file:line' where the node was created"""
        return self.data.annotations["_debugLabel"]

    def graphNodeName(self):
        """graphNodeName() -> 'name (id)' when named, else 'Node<id>' (its graph label's title)"""
        ident = "" if self.id is None else str(self.id)
        name = self.name()
        return f"{name} ({ident})" if name else f"Node{ident}"

    def describe(self):
        """A one-line description for error messages: name or module, and the creation site."""
        what = self.data.module.__tostring__().split("\n")[0] if self.data.module is not None \
            else "a module-less node"
        name = self.name()
        prefix = f"node '{name}' ({what}" if name else f"node ({what}"
        return f"{prefix}, declared at {self.site()})"

    def label(self):
        """label() -> the text shown in the graph: module, input / gradOutput shapes (with NaN
        and inf flags), the input order when several, the split index"""
        data = self.data
        lines = []
        if data.annotations.get("description"):
            lines.append(f"desc = {data.annotations['description']}")
        if data.module is not None:
            lines.append("module = " + data.module.__tostring__())
        if data.input is not None:
            lines.append("input = " + _shape_text(data.input))
        if data.gradOutput is not None:
            lines.append("gradOutput = " + _shape_text(data.gradOutput))
        if len(data.mapindex) > 1:
            ids = ",".join(f"Node{'' if d.forwardNodeId is None else d.forwardNodeId}"
                           for d in data.mapindex)
            lines.append(f"mapindex = {{{ids}}}")
        if data.selectindex is not None:
            lines.append(f"selectindex = {data.selectindex}")
        if data.nSplitOutputs is not None:
            lines.append(f"nSplitOutputs = {data.nSplitOutputs}")
        return "\n".join(lines)

    def graphNodeAttributes(self):
        """graphNodeAttributes() -> the Graphviz attributes: the annotations' graphAttributes,
        with the creation site (or the description) as tooltip"""
        ann = self.data.annotations
        attrs = {"tooltip": ann.get("description") or ann["_debugLabel"]}
        attrs.update(ann.get("graphAttributes") or {})
        return attrs

    # ---- sugar ---------------------------------------------------------------------------
    def __sub__(self, module):
        """node - module == module(node)"""
        if not callable(getattr(module, "updateOutput", None)):
            return NotImplemented
        return module(self)

    def __repr__(self):
        return f"nngraph.Node<{self.describe()[5:]}>"

    def __deepcopy__(self, memo):
        return utils.deepcopy_object(self, memo)


def _shape_text(value):
    """Tensor[3x4] (with NaN / inf / -inf flags), {..} for lists, as nngraph's labels."""
    if isinstance(value, torch.Tensor):
        kind = "Tensor" if value.type() == torch.Tensor().type() else value.type()
        flags = ""
        if value.nElement() and value.type() in ("torch.DoubleTensor", "torch.FloatTensor"):
            if value.ne(value).sum() > 0:
                flags += " NaN"
            if value.eq(float("inf")).sum() > 0:
                flags += " inf"
            if value.eq(float("-inf")).sum() > 0:
                flags += " -inf"
        return f"{kind}[{'x'.join(str(n) for n in value.size())}]{flags}"
    if isinstance(value, (list, tuple)):
        return "{" + ",".join(_shape_text(v) for v in value) + "}"
    return str(value)


def check_node(entry, what, index):
    """Raises nngraph's message for an entry of a list of nodes that is not a node."""
    if isinstance(entry, Node):
        return entry
    if entry is None:
        raise TypeError(f"nngraph: {what}[{index}] is None (typo / bad index?)")
    if isinstance(entry, torch.Tensor):
        raise TypeError(f"nngraph: {what}[{index}] is a tensor, not a node: calling a module on "
                        "nodes builds a graph; to compute on tensors use module.forward(input)")
    if callable(getattr(entry, "updateOutput", None)):
        name = getattr(entry, "__typename__", type(entry).__name__)
        raise TypeError(f"nngraph: {what}[{index}] is an nn.Module of type {name}, not a node: "
                        f"did you forget the second pair of parentheses, as in "
                        f"{name}(...)(input)?")
    raise TypeError(f"nngraph: {what}[{index}] should be an nngraph.Node but is of type "
                    f"{type(entry).__name__}")


def call_module(module, *args):
    """module(node) / module([n1, n2]) / module(): the node of module fed by those nodes.

    Installed as ferrotorch.nn.module.graph_call_hook by ``import ferrotorch.nngraph``.
    """
    who = module.__tostring__().split("\n")[0]
    if len(args) > 1:
        raise TypeError(f"nngraph: {who} called with {len(args)} arguments: use "
                        "[input1, input2] to pass multiple inputs.")
    if not args:
        inputs = []
    elif isinstance(args[0], (list, tuple)):
        inputs = list(args[0])
        if not inputs:
            raise ValueError(f"nngraph: {who} called on an empty list: do not pass an empty "
                             "list; leave the second parentheses empty for a node without "
                             "inputs, as in nn.Identity()()")
        for i, entry in enumerate(inputs):
            check_node(entry, "inputs", i)
            for j in range(i):
                if inputs[j] is entry:
                    raise ValueError(f"nngraph: inputs[{j}] and inputs[{i}] of {who} are the "
                                     f"same {entry.describe()}: don't pass the same input twice.")
    else:
        inputs = [check_node(args[0], "inputs", 0)]
    node = Node(NodeData(module, creation_site()))
    for entry in inputs:
        node.add(entry)
    return node
