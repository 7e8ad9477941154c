"""nn.gModule: a module made of a graph of nodes (nngraph's gmodule.lua)."""

import os

from ferrotorch.nn import utils
from ferrotorch.nn.containers import Container
from ferrotorch.nngraph import dot as dotmod
from ferrotorch.nngraph.graph import Edge, Graph
from ferrotorch.nngraph.node import Node, NodeData, check_node, creation_site

__all__ = ["gModule"]

# nngraph.setDebug state: when enabled, a failing gModule writes its graph with the failing
# node in red before re-raising.
DEBUG = {"enabled": False, "directory": None}


def _node_list(value, what):
    if isinstance(value, Node):
        return [value]
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"nn.gModule: {what} should be a list of nngraph nodes, got "
                        f"{type(value).__name__}")
    nodes = list(value)
    for i, entry in enumerate(nodes):
        check_node(entry, what, i)
        for j in range(i):
            if nodes[j] is entry:
                reason = "each input should have one source" if what == "inputs" else \
                    "list each output once"
                raise ValueError(f"nn.gModule: {what}[{j}] and {what}[{i}] are the same "
                                 f"{entry.describe()}: {reason}")
    return nodes


def _backward_graph(outnode):
    """The graph of every node reachable from outnode through its inputs, edges from each node
    to its inputs (in input order), nodes in breadth-first order as Lua's node:graph()."""
    graph, seen, queue = Graph(), {id(outnode)}, [outnode]
    graph.nodes.append(outnode)
    for node in queue:
        for child in node.children:
            if id(child) not in seen:
                seen.add(id(child))
                graph.nodes.append(child)
                queue.append(child)
            graph.edges.append(Edge(node, child))
    return graph


def _rethrow(error, message):
    """Re-raises error (same type when possible) with message in front of its own."""
    sep = "\n" if str(error).startswith("nn.gModule") else " "
    try:
        wrapped = type(error)(f"{message}:{sep}{error}")
    except TypeError:  # an exception class whose constructor takes other arguments
        error.add_note(message)
        raise error from None
    raise wrapped.with_traceback(error.__traceback__) from error


class gModule(Container):
    """nn.gModule(inputs, outputs) -> a module running the graph between those lists of nodes

    Build the graph by calling modules on nodes: ``x = nn.Identity()()`` declares an input,
    ``h = nn.Tanh()(nn.Linear(20, 10)(x))`` chains, ``m([a, b])`` gives m the table input
    [a, b], ``node.split(n)`` splits a table output. With one input the gModule takes that
    input itself, with k inputs a list of k; outputs likewise. Gradients of a node used by
    several others are summed. ``g.fg`` / ``g.bg`` are the forward / backward graphs,
    ``g.forwardnodes`` the evaluation order; ``modules`` (and so ``parameters()`` and
    ``getParameters()``) follow that order.

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn, nngraph
    >>> a, b = nn.Identity()(), nn.Identity()()
    >>> both = nn.ConcatTable().add(nn.Linear(3, 1)).add(nn.Linear(3, 4))(a)
    >>> g = nn.gModule([a, b], [both, b])
    >>> out = g.forward([torch.randn(3), torch.randn(2)])
    >>> [o.size(0) for o in out[0]], out[1].size(0)
    ([1, 4], 2)
    >>> gradInput = g.backward([torch.randn(3), torch.randn(2)],
    ...                        [[torch.randn(1), torch.randn(4)], torch.randn(2)])
    >>> [t.size(0) for t in gradInput]
    [3, 2]
    """

    _schedule = None  # the per-node tuples of _plan (absent from objects loaded from old files)

    def __init__(self, inputs, outputs):
        super().__init__()
        inputs = _node_list(inputs, "inputs")
        outputs = _node_list(outputs, "outputs")
        if not inputs:
            raise ValueError("nn.gModule: no inputs are not supported: declare the inputs as "
                             "nodes without inputs, e.g. x = nn.Identity()()")
        if not outputs:
            raise ValueError("nn.gModule: no outputs: pass the list of output nodes")
        for i, node in enumerate(inputs):
            if node.children and all(c.data.annotations.get("_gModuleInput")
                                     for c in node.children):
                raise ValueError(f"nn.gModule: inputs[{i}], the {node.describe()}, is already "
                                 "the input of another gModule: a node belongs to one gModule "
                                 "(build the graph again, or clone() the first gModule)")
            if node.children:
                raise ValueError(f"nn.gModule: an input should have no inputs: inputs[{i}] is "
                                 f"the {node.describe()}, fed by {len(node.children)} node(s)")
        site = creation_site()
        outnode = Node(NodeData(site=f"{site} (gModule output)"))
        innode = Node(NodeData(site=f"{site} (gModule input)"))
        links = []
        try:
            # Hidden nodes, as nngraph: outnode collects the outputs, innode feeds the inputs
            # (through a split when there are several).
            for node in outputs:
                outnode.add(node)
                links.append((outnode, node))
            innode.data.annotations["_gModuleInput"] = True
            if len(inputs) == 1:
                inputs[0].add(innode)
                links.append((inputs[0], innode))
            else:
                for node, piece in zip(inputs, innode.split(len(inputs))):
                    piece.data.annotations["_gModuleInput"] = True
                    node.add(piece)
                    links.append((node, piece))
            self._build(inputs, innode, outnode)
        except Exception:
            # Leave the user's nodes as they were, so that a corrected gModule can be built.
            for consumer, child in links:
                consumer._unlink(child)
            raise

    def _build(self, inputs, innode, outnode):
        self.bg = _backward_graph(outnode)
        self.fg = self.bg.reverse()
        in_graph = {id(n) for n in self.bg.nodes}
        for i, node in enumerate(inputs):
            if id(node) not in in_graph:
                raise ValueError(f"nn.gModule: inputs[{i}], the {node.describe()}, does not "
                                 "connect to the gmodule outputs (unused input)")
        for root in self.fg.roots():
            if root is not innode:
                raise ValueError(f"nn.gModule: the {root.describe()} has no inputs but is not "
                                 "one of the gModule's inputs: list it in inputs")
        forwardnodes = self.fg.topsort()
        for node in forwardnodes:
            data = node.data
            if data.nSplitOutputs is not None:
                used = sum(1 for c in data.reverseMap if id(c) in in_graph)
                if used != data.nSplitOutputs:
                    raise ValueError(
                        f"nn.gModule: {data.nSplitOutputs - used} of split("
                        f"{data.nSplitOutputs}) outputs from the node declared at "
                        f"{data.annotations['_debugLabel']} are unused")
            for consumer in data.reverseMap:
                if id(consumer) not in in_graph:
                    raise ValueError(
                        f"nn.gModule: node declared on {consumer.site()} does not connect to "
                        f"gmodule output (the {consumer.describe()}, fed by the "
                        f"{node.describe()})")
        owners = {}
        for i, node in enumerate(forwardnodes):
            node.id = node.data.forwardNodeId = i
            module = node.data.module
            if module is None:
                continue
            if id(module) in owners:
                raise ValueError(
                    f"nn.gModule: the module {module.__tostring__().splitlines()[0]} is used by "
                    f"two nodes (declared at {owners[id(module)].site()} and {node.site()}); a "
                    "module keeps one output and gradInput, so give each node its own module "
                    "(module.clone('weight', 'bias', 'gradWeight', 'gradBias') shares the "
                    "parameters)")
            owners[id(module)] = node
            self.modules.append(module)
        self.forwardnodes = forwardnodes
        self.backwardnodes = self.bg.topsort()
        self.innode, self.outnode = innode, outnode
        self.nInputs = len(inputs)
        self.verbose = False
        self._schedule = None
        if len(outnode.children) > 1:
            self.output = []
        if self.nInputs > 1:
            self.gradInput = []

    # ---- running -------------------------------------------------------------------------
    def _plan(self):
        """Per-node tuples for the hot loops (rebuilt after replace / type / clone).

        Each node pulls what it needs: forward, its inputs' outputs; backward, its consumers'
        gradients (element i of a consumer's gradInput table when the node is its input i).
        Pulling needs no per-call reset of the nodes' lists, so a graph costs little more than
        the modules' own calls.
        """
        fwd = [(node, node.data, node.data.module, node.data.selectindex,
                node.data.nSplitOutputs, [c.data for c in node.children])
               for node in self.forwardnodes]
        bwd = []
        for node in self.backwardnodes:
            d = node.data
            consumers = []
            for consumer in self.fg.children(node):
                index = next(i for i, c in enumerate(consumer.children) if c is node)
                consumers.append((consumer.data, index, len(consumer.children) == 1))
            if d.nSplitOutputs is not None:
                consumers.sort(key=lambda c: c[0].selectindex)
            bwd.append((node, d, d.module, d.nSplitOutputs, consumers))
        # The hidden nodes come first in their order (the only root / the only leaf).
        assert fwd[0][0] is self.innode and bwd[0][0] is self.outnode
        self._schedule = (fwd[1:], bwd[1:])
        return self._schedule

    def updateOutput(self, input):
        fwd = (self._schedule or self._plan())[0]
        n = self.nInputs
        if n > 1:
            if not isinstance(input, (list, tuple)):
                raise TypeError(f"nn.gModule: expecting table of {n} inputs, got "
                                f"{type(input).__name__}")
            if len(input) != n:
                raise ValueError(f"nn.gModule: Got {len(input)} inputs instead of {n}")
            inputs = list(input)
        else:
            inputs = [input]
        d = self.innode.data
        d.input = d.output = inputs[0] if n == 1 else inputs
        verbose = self.verbose
        if verbose:
            print(" V : " + self.innode.graphNodeName() + "\n" + self.innode.label())
        node = None
        try:
            for node, d, module, select, nsplit, sources in fwd:
                if len(sources) == 1:
                    x = d.input = sources[0].output
                else:
                    x = d.input = [s.output for s in sources]
                if select is not None:
                    out = x[select]
                else:
                    out = x if module is None else module.updateOutput(x)
                    if nsplit is not None and (not isinstance(out, (list, tuple))
                                               or len(out) != nsplit):
                        got = f"{len(out)} outputs" if isinstance(out, (list, tuple)) \
                            else f"a {type(out).__name__} (not a table)"
                        raise ValueError(f"split({nsplit}) cannot split {got}")
                d.output = out
                if verbose:
                    print(" V : " + node.graphNodeName() + "\n" + node.label())
        except Exception as e:  # noqa: BLE001 - re-raised, naming the node
            self._fail(e, node, "updateOutput")
        self.output = self.outnode.data.output
        return self.output

    def _backward(self, gradOutput, scale, phase):
        bwd = (self._schedule or self._plan())[1]
        n_out = len(self.outnode.children)
        if n_out > 1:
            if not isinstance(gradOutput, (list, tuple)):
                raise TypeError(f"nn.gModule: expecting table of {n_out} gradOutputs, got "
                                f"{type(gradOutput).__name__}")
            if len(gradOutput) != n_out:
                raise ValueError(f"nn.gModule: Got {len(gradOutput)} gradOutputs instead of "
                                 f"{n_out}")
        d = self.outnode.data
        d.gradOutput = d.gradInput = gradOutput
        node = None
        try:
            for node, d, module, nsplit, consumers in bwd:
                if nsplit is not None:
                    # A split node: the table of its outputs' gradients, in split order.
                    go = [c[0].gradInput for c in consumers]
                elif len(consumers) == 1:
                    c, i, single = consumers[0]
                    go = c.gradInput if single else c.gradInput[i]
                else:
                    gos = [c.gradInput if single else c.gradInput[i] for c, i, single in consumers]
                    # Used by several nodes: their gradients are summed into a buffer the
                    # node keeps (reused while the sizes repeat).
                    go = d.gradOutputBuffer = utils.recursiveCopy(d.gradOutputBuffer, gos[0])
                    for g in gos[1:]:
                        utils.recursiveAdd(go, g)
                d.gradOutput = go
                if module is None:
                    d.gradInput = go
                elif scale is None:
                    d.gradInput = module.updateGradInput(d.input, go)
                else:
                    d.gradInput = module.backward(d.input, go, scale)
        except Exception as e:  # noqa: BLE001 - re-raised, naming the node
            self._fail(e, node, phase)
        self.gradInput = self.innode.data.gradInput
        return self.gradInput

    def updateGradInput(self, input, gradOutput):
        return self._backward(gradOutput, None, "updateGradInput")

    def backward(self, input, gradOutput, scale=1):
        return self._backward(gradOutput, scale, "backward")

    def _check_backward_ran(self, who):
        if self.innode.data.gradOutput is None:
            raise RuntimeError(f"nn.gModule.{who}: call updateGradInput (or backward) first: "
                               "the nodes hold no gradOutput yet")

    def accGradParameters(self, input, gradOutput, scale=1):
        bwd = (self._schedule or self._plan())[1]
        self._check_backward_ran("accGradParameters")
        node = None
        try:
            for node, d, module, _, _ in bwd:
                if module is not None:
                    module.accGradParameters(d.input, d.gradOutput, scale)
        except Exception as e:  # noqa: BLE001 - re-raised, naming the node
            self._fail(e, node, "accGradParameters")

    def accUpdateGradParameters(self, input, gradOutput, lr):
        self._check_backward_ran("accUpdateGradParameters")
        for node, d, module, _, _ in (self._schedule or self._plan())[1]:
            if module is not None:
                module.accUpdateGradParameters(d.input, d.gradOutput, lr)

    def _fail(self, error, node, phase):
        where = "the gModule" if node is None else f"the {node.describe()}"
        written = ""
        if DEBUG["enabled"] and node is not None:
            base = self.debugGraph(node, f"{phase} error in {node.graphNodeName()}")
            written = f" (graph with the failing node in red: {base}.dot"
            written += ", .svg)" if dotmod.has_graphviz() else ")"
        _rethrow(error, f"nn.gModule.{phase}: error in {where}{written}")

    def debugGraph(self, node, title=""):
        """debugGraph(node, title='') -> the base path of the .dot/.svg written with node
        filled red (what nngraph.setDebug writes on an error)"""
        name = getattr(self, "name", None) or \
            f"nngraph_{self.nInputs}in_{len(self.outnode.children)}out"
        base = os.path.join(DEBUG["directory"] or os.getcwd(), name)
        dotmod.dot(self.fg, title, base, highlight=[node])
        return base

    # ---- the Module API over the graph ---------------------------------------------------
    def _clearNodes(self):
        for node in self.forwardnodes:
            d = node.data
            d.input = d.output = d.gradOutput = d.gradInput = d.gradOutputBuffer = None

    def clearState(self):
        """clearState() -> self: also drops every node's input, gradOutput and buffers"""
        self._clearNodes()
        return super().clearState()

    def type(self, typeName=None, tensorCache=None):
        """type(typeName) -> self with every module converted (node buffers are dropped)"""
        if typeName is None:
            return self._type
        self._clearNodes()
        self._schedule = None
        return super().type(typeName, tensorCache)

    def replace(self, callback):
        """replace(fn) -> fn(self), each node's module replaced by module.replace(fn)"""
        out = callback(self)
        position = {id(m): i for i, m in enumerate(self.modules)}
        for node in self.forwardnodes:
            module = node.data.module
            if module is not None:
                node.data.module = module.replace(callback)
                self.modules[position[id(module)]] = node.data.module
        self._schedule = None
        return out

    def map(self, other, fn):
        """map(otherGModule, fn): fn(myModule, itsModule) for each pair of nodes of two
        gModules built the same way"""
        if len(self.forwardnodes) != len(other.forwardnodes):
            raise ValueError(f"nn.gModule.map: the graphs differ ({len(self.forwardnodes)} and "
                             f"{len(other.forwardnodes)} nodes)")
        for mine, theirs in zip(self.forwardnodes, other.forwardnodes):
            if (mine.data.module is None) != (theirs.data.module is None):
                raise ValueError(f"nn.gModule.map: node {mine.id} has a module in one graph only")
            if mine.data.module is not None:
                fn(mine.data.module, theirs.data.module)
        return self

    def __deepcopy__(self, memo):
        # clone(): the nodes are copied as empty shells first and filled afterwards, so that
        # copying a deep graph never recurses along it (node -> inputs -> their inputs ...).
        storages = memo.setdefault("_ferrotorch_storages", {})
        shells = []
        for node in self.forwardnodes:
            if id(node) in memo:
                continue
            new_node = memo[id(node)] = Node.__new__(Node)
            new_data = memo[id(node.data)] = NodeData.__new__(NodeData)
            shells.append((node, new_node, new_data))
        for node, new_node, new_data in shells:
            for source, target in ((node, new_node), (node.data, new_data)):
                for key, value in source.__dict__.items():
                    target.__dict__[key] = utils.deepcopy_value(value, memo, storages)
        new = super().__deepcopy__(memo)
        new._schedule = None
        return new

    def __tostring__(self):
        return getattr(self, "name", None) or "nn.gModule"

    def _repr_svg_(self):
        return self.fg._repr_svg_()
