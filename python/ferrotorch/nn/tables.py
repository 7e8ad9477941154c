"""nn.tables: connection tables for SpatialConvolutionMap / SpatialFullConvolutionMap.

A table is a K x 2 tensor whose rows are (input plane, output plane), 0-based.

>>> from ferrotorch import nn
>>> nn.tables.oneToOne(2).tolist()
[[0.0, 0.0], [1.0, 1.0]]
>>> nn.tables.full(2, 2).tolist()
[[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
"""

import ferrotorch as torch

__all__ = ["full", "oneToOne", "random"]


def full(nin, nout):
    """full(nin, nout) -> every input plane to every output plane (input index varies fastest)

    >>> from ferrotorch import nn
    >>> list(nn.tables.full(3, 4).size())
    [12, 2]
    """
    return torch.Tensor([[i, j] for j in range(nout) for i in range(nin)])


def oneToOne(nfeat):
    """oneToOne(nfeat) -> plane i to plane i

    >>> from ferrotorch import nn
    >>> nn.tables.oneToOne(3)[:, 1].tolist()
    [0.0, 1.0, 2.0]
    """
    return torch.Tensor([[i, i] for i in range(nfeat)])


def random(nin, nout, nto):
    """random(nin, nout, nto) -> each output plane fed by nto distinct input planes

    Torch7's draws: a torch.randperm(nin) cut into chunks of nto, one chunk per output plane,
    a fresh permutation once the chunks run out.

    >>> from ferrotorch import nn
    >>> t = nn.tables.random(4, 3, 2)
    >>> list(t.size()), t[:, 1].tolist()
    ([6, 2], [0.0, 0.0, 1.0, 1.0, 2.0, 2.0])
    """
    fi = torch.randperm(nin).tolist()
    nfi = nin // nto  # distinct chunks of nto in one permutation
    rows = []
    chunk = 0
    for o in range(nout):
        rows.extend([fi[chunk * nto + j], o] for j in range(nto))
        chunk += 1
        if chunk == nfi:
            fi = torch.randperm(nin).tolist()
            chunk = 0
    return torch.Tensor(rows)
