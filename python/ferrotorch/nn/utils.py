"""nn.utils: helpers over tensors and (nested) lists of tensors, Torch7's tables.

Torch7's tables of tensors are Python lists (or tuples) here; every helper recurses through them.
"""

import ferrotorch as torch

_TYPES = {
    "torch.ByteTensor": torch.ByteTensor,
    "torch.CharTensor": torch.CharTensor,
    "torch.ShortTensor": torch.ShortTensor,
    "torch.IntTensor": torch.IntTensor,
    "torch.LongTensor": torch.LongTensor,
    "torch.FloatTensor": torch.FloatTensor,
    "torch.DoubleTensor": torch.DoubleTensor,
    "torch.HalfTensor": torch.HalfTensor,
}


def tensor_class(type_name):
    """torch.FloatTensor for 'torch.FloatTensor' (TypeError for an unknown name)."""
    try:
        return _TYPES[type_name]
    except KeyError:
        raise TypeError(f"unknown tensor type {type_name!r}") from None


def empty_like_type(t):
    """An empty tensor of t's type."""
    return tensor_class(t.type())()


def is_table(obj):
    return isinstance(obj, (list, tuple))


def recursiveType(param, type_name, cache=None):
    """recursiveType(obj, typeName, cache={}) -> obj with every tensor converted

    Recurses through lists, dicts and modules. Tensors sharing a storage share one storage of
    the new type afterwards (cache maps storage cdata -> converted storage).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> a = torch.DoubleTensor(4).fill(1)
    >>> b, c = nn.utils.recursiveType([a, a.narrow(0, 1, 2)], 'torch.FloatTensor')
    >>> _ = c.fill(5)
    >>> b.tolist()
    [1.0, 5.0, 5.0, 1.0]
    """
    cache = {} if cache is None else cache
    if isinstance(param, torch.Tensor):
        if param.type() == type_name:
            return param
        key = param.storage().cdata() if param.dim() > 0 else None
        cls = tensor_class(type_name)
        if key is None:
            return cls()
        entry = cache.get(key)
        if entry is None:
            source = param.storage()
            # The source storage is kept in the entry so that its cdata cannot be reused by a
            # new storage while the cache lives.
            entry = cache[key] = (source, tensor_class(param.type())(source).type(type_name).storage())
        return cls(entry[1], param.storageOffset(), param.size(), param.stride())
    if isinstance(param, list):
        return [recursiveType(p, type_name, cache) for p in param]
    if isinstance(param, tuple):
        return tuple(recursiveType(p, type_name, cache) for p in param)
    if isinstance(param, dict):
        return {k: recursiveType(v, type_name, cache) for k, v in param.items()}
    if hasattr(param, "type") and hasattr(param, "updateOutput"):
        return param.type(type_name, cache)
    return param


def recursiveResizeAs(t1, t2):
    """recursiveResizeAs(t1, t2) -> t1 (tensor or nested list) shaped like t2"""
    if is_table(t2):
        t1 = t1 if isinstance(t1, list) else []
        for i, v in enumerate(t2):
            if i < len(t1):
                t1[i] = recursiveResizeAs(t1[i], v)
            else:
                t1.append(recursiveResizeAs(None, v))
        del t1[len(t2):]
        return t1
    if isinstance(t2, torch.Tensor):
        if not isinstance(t1, torch.Tensor) or t1.type() != t2.type():
            t1 = empty_like_type(t2)
        return t1.resizeAs(t2)
    raise TypeError(f"recursiveResizeAs: expected tensors or lists, got {type(t2).__name__}")


def recursiveFill(t, value):
    """recursiveFill(t, value) -> t with every tensor filled"""
    if is_table(t):
        for v in t:
            recursiveFill(v, value)
    else:
        t.fill(value)
    return t


def recursiveAdd(t1, val, t2=None):
    """recursiveAdd(t1, [val,] t2) -> t1 += val * t2, element by element of nested lists"""
    if t2 is None:
        val, t2 = 1, val
    if is_table(t2):
        for a, b in zip(t1, t2):
            recursiveAdd(a, val, b)
    else:
        t1.add(val, t2)
    return t1


def recursiveCopy(t1, t2):
    """recursiveCopy(t1, t2) -> t1 resized like t2 and holding a copy of it"""
    if is_table(t2):
        t1 = recursiveResizeAs(t1, t2)
        for i, v in enumerate(t2):
            t1[i] = recursiveCopy(t1[i], v)
        return t1
    if not isinstance(t1, torch.Tensor) or t1.type() != t2.type():
        t1 = empty_like_type(t2)
    return t1.resizeAs(t2).copy(t2)


def clear(module, *names):
    """clear(module, name, ...) -> module, with those fields emptied: tensors through set()
    (views of them elsewhere stay valid), lists become []"""
    if len(names) == 1 and is_table(names[0]):
        names = tuple(names[0])
    for name in names:
        value = module.__dict__.get(name)
        if isinstance(value, torch.Tensor):
            value.set()
        elif is_table(value):
            module.__dict__[name] = []
    return module


def flatten(tensors):
    """Torch7's Module.flatten: one contiguous 1-D tensor holding every tensor of the list,
    each tensor re-pointed at its part (tensors that shared a storage keep sharing).

    >>> import ferrotorch as torch
    >>> from ferrotorch import nn
    >>> a, b = torch.Tensor([1, 2]), torch.Tensor([[3], [4]])
    >>> flat = nn.utils.flatten([a, b])
    >>> flat.tolist(), b.storage().cdata() == flat.storage().cdata()
    ([1.0, 2.0, 3.0, 4.0], True)
    """
    tensors = [t for t in tensors if t is not None]
    if not tensors:
        return torch.Tensor()
    type_name = tensors[0].type()
    for t in tensors:
        if t.type() != type_name:
            raise TypeError(f"getParameters: mixed tensor types {type_name} and {t.type()}")
    cls = tensor_class(type_name)
    # One slot per distinct storage, in order of first appearance.
    offsets, storages, total = {}, [], 0
    for t in tensors:
        if t.dim() == 0:
            continue
        key = t.storage().cdata()
        if key not in offsets:
            offsets[key] = total
            storages.append(t.storage())
            total += len(t.storage())
    flat = cls(total).zero()
    for s in storages:
        key = s.cdata()
        if len(s):
            flat.narrow(0, offsets[key], len(s)).copy(cls(s))
    # Which elements some tensor actually views; unviewed ones ("holes") are squeezed out.
    used = torch.ByteTensor(total).zero()
    layouts = []
    for t in tensors:
        if t.dim() == 0:
            layouts.append(None)
            continue
        start = offsets[t.storage().cdata()] + t.storageOffset()
        layouts.append((start, t.size(), t.stride()))
        torch.ByteTensor(used.storage(), start, t.size(), t.stride()).fill(1)
    n_used = int(used.sum()) if total else 0
    if n_used < total:
        for t in tensors:
            if t.dim() and not _is_compact(t):
                raise ValueError("getParameters: cannot gather tensors that are not compact")
        keep = used.nonzero().view(-1)
        new_index = torch.LongTensor(total).fill(-1)
        new_index.indexCopy(0, keep, torch.range(0, n_used - 1, "torch.LongTensor")
                            if n_used else torch.LongTensor())
        flat = flat.index(0, keep) if n_used else cls()
        layouts = [None if lay is None else (int(new_index[lay[0]]), lay[1], lay[2])
                   for lay in layouts]
    for t in tensors:
        t.set()
    for t, lay in zip(tensors, layouts):
        if lay is not None:
            t.set(flat.storage(), lay[0], lay[1], lay[2])
    return flat


def _is_compact(t):
    """The tensor's elements fill a contiguous range of its storage (any dim order)."""
    extent = 1 + sum((n - 1) * s for n, s in zip(t.size(), t.stride()))
    return extent == t.nElement()


class TensorFields:
    """What Module and Criterion share: converting every tensor field (type, float, double,
    cuda) and deep copies that keep shared storages shared (clone, copy.deepcopy)."""

    def type(self, typeName=None, tensorCache=None):
        """type(typeName=None) -> the type name, or converts every tensor field and returns self

        Tensors that shared a storage still share one afterwards (tensorCache maps storages
        already converted).

        >>> import ferrotorch as torch
        >>> from ferrotorch import nn
        >>> nn.Linear(2, 3).float().weight.type()
        'torch.FloatTensor'
        """
        if typeName is None:
            return self.__dict__.get("_type") or torch.getdefaulttensortype()
        cache = {} if tensorCache is None else tensorCache
        for key, value in list(self.__dict__.items()):
            if key != "_type":
                self.__dict__[key] = recursiveType(value, typeName, cache)
        self._type = typeName
        return self

    def float(self, *args):
        """float() -> self with every tensor converted to torch.FloatTensor"""
        return self.type("torch.FloatTensor", *args)

    def double(self, *args):
        """double() -> self with every tensor converted to torch.DoubleTensor"""
        return self.type("torch.DoubleTensor", *args)

    def cuda(self, *args):
        """cuda() -> self on the GPU: raises RuntimeError until the CUDA backend lands"""
        raise RuntimeError(torch.NO_CUDA)

    def __deepcopy__(self, memo):
        return deepcopy_object(self, memo)


def deepcopy_object(obj, memo):
    """copy.deepcopy of a module or criterion (their clone): every field deep-copied, tensors
    that shared a storage sharing one copy of it, as Torch7's clone by serialization did."""
    new = obj.__class__.__new__(obj.__class__)
    memo[id(obj)] = new
    storages = memo.setdefault("_ferrotorch_storages", {})
    for key, value in obj.__dict__.items():
        new.__dict__[key] = deepcopy_value(value, memo, storages)
    return new


def deepcopy_value(value, memo, storages):
    """Deep copy for clone(): tensors sharing a storage share one copy of it."""
    import copy

    if isinstance(value, torch.Tensor):
        if id(value) in memo:
            return memo[id(value)]
        if value.dim() == 0:
            new = empty_like_type(value)
        else:
            key = value.storage().cdata()
            storage = storages.get(key)
            if storage is None:
                storage = value.storage().__class__(len(value.storage()))
                storage.copy(value.storage())
                storages[key] = storage
            new = tensor_class(value.type())(
                storage, value.storageOffset(), value.size(), value.stride())
        memo[id(value)] = new
        return new
    if isinstance(value, list):
        if id(value) in memo:
            return memo[id(value)]
        new = []
        memo[id(value)] = new
        new.extend(deepcopy_value(v, memo, storages) for v in value)
        return new
    if isinstance(value, dict):
        if id(value) in memo:
            return memo[id(value)]
        new = {}
        memo[id(value)] = new
        new.update({k: deepcopy_value(v, memo, storages) for k, v in value.items()})
        return new
    return copy.deepcopy(value, memo)
