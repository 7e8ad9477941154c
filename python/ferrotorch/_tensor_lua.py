"""Torch7's Tensor.lua put these Tensor methods on the torch table too: ``torch.split(x, 2)``,
``torch.view(x, 4, 2)`` and so on. Each is the method, with Torch7's optional result as ``out=``
(keyword-only: a leading result tensor is never taken positionally, so ported calls that pass
one fail loudly instead of writing into an input).

For the view forms (view, viewAs, expand, expandAs) ``out`` is set to the view, sharing x's
storage as Torch7's ``res:view(src, ...)`` did; repeatTensor copies into ``out``; split and chunk
empty and refill an ``out`` list.
"""

from ferrotorch._C import Storage, Tensor


def _tensor(fn, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"torch.{fn}: expected a tensor, got {type(x).__name__}")
    return x


def _set_into(fn, out, view):
    """out set to the view (Torch7's res:set(...)), or the view itself without out."""
    if out is None:
        return view
    if not isinstance(out, Tensor):
        raise TypeError(f"torch.{fn}: out= expects a tensor, got {type(out).__name__}")
    if out.type() != view.type():
        raise TypeError(f"torch.{fn}: out= is a {out.type()} but the result is a {view.type()}")
    return out.set(view)


def _fill_list(fn, out, parts):
    if out is None:
        return parts
    if not isinstance(out, list):
        raise TypeError(f"torch.{fn}: out= expects a list, got {type(out).__name__}")
    out[:] = parts
    return out


def split(x, size, dim=0, *, out=None):
    """split(x, size [, dim], out=None) -> list of views of x of length size along dim

    Successive narrows of dim (0-based, default 0); the last one may be shorter. With out= (a
    list) the list is emptied, refilled and returned, as Torch7 reused its result table.

    >>> import ferrotorch as torch
    >>> x = torch.range(0, 4)
    >>> [p.tolist() for p in torch.split(x, 2)]
    [[0.0, 1.0], [2.0, 3.0], [4.0]]
    >>> res = ['old']
    >>> torch.split(x, 3, out=res) is res, len(res)
    (True, 2)
    """
    return _fill_list("split", out, _tensor("split", x).split(size, dim))


def chunk(x, n, dim=0, *, out=None):
    """chunk(x, n [, dim], out=None) -> list of at most n views of x along dim

    split with size ceil(x.size(dim) / n), so there may be fewer than n chunks (Torch7's rule).

    >>> import ferrotorch as torch
    >>> [p.tolist() for p in torch.chunk(torch.range(0, 4), 2)]
    [[0.0, 1.0, 2.0], [3.0, 4.0]]
    """
    return _fill_list("chunk", out, _tensor("chunk", x).chunk(n, dim))


def repeatTensor(x, *sizes, out=None):
    """repeatTensor(x, sizes..., out=None) -> a new tensor: x tiled sizes times along each dim

    With more sizes than x has dims, x counts as having leading size-1 dims. Copies (Torch7's
    [res] form: out is resized and filled).

    >>> import ferrotorch as torch
    >>> torch.repeatTensor(torch.Tensor([1, 2]), 2, 2).tolist()
    [[1.0, 2.0, 1.0, 2.0], [1.0, 2.0, 1.0, 2.0]]
    >>> r = torch.Tensor()
    >>> torch.repeatTensor(torch.Tensor([3]), 3, out=r) is r, r.tolist()
    (True, [3.0, 3.0, 3.0])
    """
    result = _tensor("repeatTensor", x).repeatTensor(*sizes)
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"torch.repeatTensor: out= expects a tensor, got {type(out).__name__}")
    if out.type() != result.type():
        raise TypeError(
            f"torch.repeatTensor: out= is a {out.type()} but the result is a {result.type()}")
    return out.resizeAs(result).copy(result)


def expand(x, *sizes, out=None):
    """expand(x, sizes..., out=None) -> a view of x with size-1 dims stretched (stride 0)

    As many sizes as x has dims; only size-1 dims may change. With out= the tensor out is set to
    the view (it then shares x's storage).

    >>> import ferrotorch as torch
    >>> e = torch.expand(torch.Tensor([[1], [2]]), 2, 3)
    >>> e.tolist(), e.stride().tolist()
    ([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]], [1, 0])
    """
    return _set_into("expand", out, _tensor("expand", x).expand(*sizes))


def expandAs(x, template, *, out=None):
    """expandAs(x, template, out=None) -> expand(x, template's sizes): a view of x

    >>> import ferrotorch as torch
    >>> torch.expandAs(torch.Tensor([[5]]), torch.Tensor(2, 2)).tolist()
    [[5.0, 5.0], [5.0, 5.0]]
    """
    return _set_into("expandAs", out, _tensor("expandAs", x).expandAs(template))


def view(x, *sizes, out=None):
    """view(x, sizes..., out=None) -> a view of the contiguous x with other sizes

    One size may be -1 (inferred). With out= the tensor out is set to the view (Torch7's
    res:view(src, sizes)).

    >>> import ferrotorch as torch
    >>> x = torch.range(1, 6)
    >>> v = torch.view(x, 2, -1)
    >>> v.tolist()
    [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
    >>> v.fill(0).sum(), x.sum()          # a view: x changed too
    (0.0, 0.0)
    >>> r = torch.Tensor()
    >>> torch.view(torch.range(1, 6), 3, 2, out=r) is r, r.size().tolist()
    (True, [3, 2])
    """
    return _set_into("view", out, _tensor("view", x).view(*sizes))


def viewAs(x, template, *, out=None):
    """viewAs(x, template, out=None) -> view(x, template's sizes)

    >>> import ferrotorch as torch
    >>> torch.viewAs(torch.range(1, 4), torch.Tensor(2, 2)).tolist()
    [[1.0, 2.0], [3.0, 4.0]]
    """
    return _set_into("viewAs", out, _tensor("viewAs", x).viewAs(template))


def permute(x, *dims):
    """permute(x, dims...) -> a view of x whose dim i is x's dim dims[i] (0-based)

    >>> import ferrotorch as torch
    >>> torch.permute(torch.Tensor(2, 3, 4), 2, 0, 1).size().tolist()
    [4, 2, 3]
    """
    return _tensor("permute", x).permute(*dims)


def totable(x):
    """totable(x) -> nested lists of x's values (a tensor), or a list (a storage)

    >>> import ferrotorch as torch
    >>> torch.totable(torch.Tensor([[1, 2], [3, 4]]))
    [[1.0, 2.0], [3.0, 4.0]]
    >>> torch.totable(torch.IntStorage([7, 8]))
    [7, 8]
    """
    if not isinstance(x, (Tensor, Storage)):
        raise TypeError(f"torch.totable: expected a tensor or storage, got {type(x).__name__}")
    return x.totable()


def fill(x, value):
    """fill(x, value) -> x, with every element set to value (writes into x)

    Torch7's torch.fill(x, value), the method x.fill(value) on the torch table.

    >>> import ferrotorch as torch
    >>> x = torch.IntTensor(3)
    >>> torch.fill(x, 7) is x, x.tolist()
    (True, [7, 7, 7])
    """
    return _tensor("fill", x).fill(value)


def zero(x):
    """zero(x) -> x, with every element set to 0 (writes into x)

    >>> import ferrotorch as torch
    >>> torch.zero(torch.Tensor(2).fill(5)).tolist()
    [0.0, 0.0]
    """
    return _tensor("zero", x).zero()


__all__ = [
    "chunk",
    "expand",
    "expandAs",
    "fill",
    "permute",
    "repeatTensor",
    "split",
    "totable",
    "view",
    "viewAs",
    "zero",
]
