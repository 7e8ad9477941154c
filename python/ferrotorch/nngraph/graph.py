"""nngraph.graph: directed graphs of nodes (the Lua `graph` package that nngraph builds on).

A gModule keeps two: ``g.bg``, the backward graph (edges from a node to the nodes feeding it,
rooted at the hidden output node), and ``g.fg = g.bg.reverse()``, the forward graph. Both hold
the same Node objects. ``dot(g.fg, title, fileName)`` exports one to Graphviz.
"""

from ferrotorch.nn import utils
from ferrotorch.nngraph.dot import dot, has_graphviz, render, svg, todot

__all__ = ["Edge", "Graph", "dot", "has_graphviz", "render", "svg", "todot"]


class Edge:
    """graph.Edge(from_, to) -> an edge between two nodes (``from`` is a keyword in Python)

    >>> from ferrotorch import nn, nngraph
    >>> a = nn.Identity()()
    >>> b = nn.Linear(2, 2)(a)
    >>> nngraph.graph.Edge(a, b).to is b
    True
    """

    def __init__(self, from_, to):
        self.from_ = from_
        self.to = to

    def __repr__(self):
        return f"graph.Edge({self.from_.graphNodeName()} -> {self.to.graphNodeName()})"


class Graph:
    """graph.Graph(nodes=[], edges=[]) -> a directed graph: ``nodes``, ``edges`` (Edge(from_, to))

    ``roots()`` have no incoming edge, ``leaves()`` no outgoing one; ``topsort()`` orders the
    nodes so that every edge goes forward; ``reverse()`` flips every edge. In a notebook a graph
    shows as SVG (``_repr_svg_``, when Graphviz is installed).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn, nngraph
    >>> x = nn.Identity()()
    >>> g = nn.gModule([x], [nn.Linear(3, 1)(x)])
    >>> len(g.fg.nodes), len(g.fg.edges)
    (4, 3)
    >>> [n.data.module for n in g.fg.topsort()]
    [None, nn.Identity, nn.Linear(3 -> 1), None]
    >>> g.fg.roots()[0] is g.innode, g.fg.leaves()[0] is g.outnode
    (True, True)
    """

    def __init__(self, nodes=(), edges=()):
        self.nodes = list(nodes)
        self.edges = list(edges)
        self._adjacency = None

    def add(self, edge):
        """add(edge): adds the edge, and its nodes when new"""
        for node in (edge.from_, edge.to):
            if not any(n is node for n in self.nodes):
                self.nodes.append(node)
        self.edges.append(edge)
        self._adjacency = None

    def _links(self):
        """{id(node): [children]}, {id(node): [parents]}, in edge order (cached)."""
        if self._adjacency is None:
            out = {id(n): [] for n in self.nodes}
            inc = {id(n): [] for n in self.nodes}
            for e in self.edges:
                out[id(e.from_)].append(e.to)
                inc[id(e.to)].append(e.from_)
            self._adjacency = (out, inc)
        return self._adjacency

    def children(self, node):
        """children(node) -> the nodes its edges go to"""
        return list(self._links()[0][id(node)])

    def parents(self, node):
        """parents(node) -> the nodes with an edge to it"""
        return list(self._links()[1][id(node)])

    def roots(self):
        """roots() -> the nodes without an incoming edge"""
        inc = self._links()[1]
        return [n for n in self.nodes if not inc[id(n)]]

    def leaves(self):
        """leaves() -> the nodes without an outgoing edge"""
        out = self._links()[0]
        return [n for n in self.nodes if not out[id(n)]]

    def reverse(self):
        """reverse() -> the graph with the same nodes and every edge flipped"""
        return Graph(self.nodes, [Edge(e.to, e.from_) for e in self.edges])

    def topsort(self):
        """topsort() -> the nodes in an order where every edge goes forward

        As the Lua graph package: a depth-first post-order walk of the reversed graph from its
        roots (this graph's leaves), parents in edge order. A graph with a cycle raises.
        """
        parents = self._links()[1]
        order, done = [], set()
        for leaf in self.leaves():
            if id(leaf) in done:
                continue
            # Iterative post-order: deep graphs (thousands of layers) must not hit the
            # recursion limit.
            stack = [(leaf, iter(parents[id(leaf)]))]
            done.add(id(leaf))
            while stack:
                node, it = stack[-1]
                for parent in it:
                    if id(parent) not in done:
                        done.add(id(parent))
                        stack.append((parent, iter(parents[id(parent)])))
                        break
                else:
                    stack.pop()
                    order.append(node)
        if len(order) != len(self.nodes):
            raise ValueError(f"graph.topsort: the graph has a cycle ({len(self.nodes)} nodes, "
                             f"{len(order)} reachable from its leaves)")
        return order

    def todot(self, title=""):
        """todot(title='') -> the graph in Graphviz's DOT language"""
        return todot(self, title)

    def _repr_svg_(self):
        # Notebooks call this; None (no Graphviz) makes them fall back to the text repr.
        try:
            return svg(self)
        except RuntimeError:
            return None

    def __getstate__(self):
        return {**self.__dict__, "_adjacency": None}  # keyed by id(node): rebuilt after loading

    def __deepcopy__(self, memo):
        new = utils.deepcopy_object(self, memo)
        new._adjacency = None  # keyed by id(node): the copies have other ids
        return new

    def __len__(self):
        return len(self.nodes)

    def __iter__(self):
        return iter(self.nodes)

    def __repr__(self):
        return f"graph.Graph({len(self.nodes)} nodes, {len(self.edges)} edges)"
