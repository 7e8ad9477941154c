"""ferrotorch: Lua Torch7 reborn as a Python package with a Rust core.

Tensors are strided views over shared, typed storages, exactly as in Torch7; indices and dims
are 0-based. Examples write ``import ferrotorch as torch``.

>>> import ferrotorch as torch
>>> a = torch.DoubleTensor(2, 3).fill(1)
>>> b = a.select(0, 1)      # a view: row 1
>>> b.fill(7) is b          # methods that change a tensor return it
True
>>> a.tolist()
[[1.0, 1.0, 1.0], [7.0, 7.0, 7.0]]
"""

from ferrotorch import _C
from ferrotorch._C import (
    ByteStorage,
    ByteTensor,
    CharStorage,
    CharTensor,
    DoubleStorage,
    DoubleTensor,
    FloatStorage,
    FloatTensor,
    Generator,
    HalfStorage,
    HalfTensor,
    IntStorage,
    IntTensor,
    LongStorage,
    LongTensor,
    ShortStorage,
    ShortTensor,
    Storage,
    Tensor,
    fromDLPack,
    fromNumpy,
    getnumthreads,
    getRNGState,
    initialSeed,
    manualSeed,
    seed,
    setnumthreads,
    setRNGState,
    uniform,
)
from ferrotorch._tensor_lua import (
    chunk,
    expand,
    expandAs,
    fill,
    permute,
    repeatTensor,
    split,
    totable,
    view,
    viewAs,
    zero,
)
from ferrotorch.serialization import *  # save, load, serialize, deserialize (its __all__)
from ferrotorch.timer import Timer

# Every public function of the compiled module (the math library adds many) is torch.<name>.
globals().update({n: getattr(_C, n) for n in dir(_C) if not n.startswith("_")})

__all__ = [
    "ByteStorage",
    "ByteTensor",
    "CharStorage",
    "CharTensor",
    "DoubleStorage",
    "DoubleTensor",
    "FloatStorage",
    "FloatTensor",
    "Generator",
    "HalfStorage",
    "HalfTensor",
    "IntStorage",
    "IntTensor",
    "LongStorage",
    "LongTensor",
    "ShortStorage",
    "ShortTensor",
    "Storage",
    "Tensor",
    "Timer",
    "chunk",
    "expand",
    "expandAs",
    "fill",
    "fromDLPack",
    "fromNumpy",
    "getRNGState",
    "getdefaulttensortype",
    "getnumthreads",
    "help",
    "initialSeed",
    "isStorage",
    "isTensor",
    "manualSeed",
    "numel",
    "permute",
    "repeatTensor",
    "seed",
    "setRNGState",
    "setdefaulttensortype",
    "setnumthreads",
    "split",
    "totable",
    "type",
    "typename",
    "uniform",
    "view",
    "viewAs",
    "zero",
]

# ... and belongs to `from ferrotorch import *`.
__all__.extend(sorted({n for n in dir(_C) if not n.startswith("_")} - set(__all__)))

_default_tensor_type = "torch.DoubleTensor"


def setdefaulttensortype(name):
    """setdefaulttensortype(name)

    Sets the type that ``torch.Tensor(...)`` and ``torch.Storage(...)`` build, e.g.
    ``'torch.FloatTensor'``. The names ``torch.Tensor`` / ``torch.Storage`` keep referring to the
    base classes, so ``isinstance`` checks are unaffected.

    >>> import ferrotorch as torch
    >>> torch.setdefaulttensortype('torch.FloatTensor')
    >>> torch.Tensor(2).type()
    'torch.FloatTensor'
    >>> torch.setdefaulttensortype('torch.DoubleTensor')
    """
    global _default_tensor_type
    if not isinstance(name, str) or not (name.startswith("torch.") and name.endswith("Tensor")):
        raise ValueError(f"expected a tensor type name like 'torch.FloatTensor', got {name!r}")
    _C._set_default_dtype(name)
    _default_tensor_type = name


def getdefaulttensortype():
    """getdefaulttensortype() -> the name of the default tensor type

    >>> import ferrotorch as torch
    >>> torch.getdefaulttensortype()
    'torch.DoubleTensor'
    """
    return _default_tensor_type


def isTensor(obj):
    """isTensor(obj) -> True for a tensor of any type

    >>> import ferrotorch as torch
    >>> torch.isTensor(torch.FloatTensor(2)), torch.isTensor([1, 2])
    (True, False)
    """
    return isinstance(obj, Tensor)


def isStorage(obj):
    """isStorage(obj) -> True for a storage of any type

    >>> import ferrotorch as torch
    >>> torch.isStorage(torch.ByteStorage(3))
    True
    """
    return isinstance(obj, Storage)


def typename(obj):
    """typename(obj) -> 'torch.DoubleTensor' etc. for tensors and storages, else None

    >>> import ferrotorch as torch
    >>> torch.typename(torch.LongStorage(2)), torch.typename(3)
    ('torch.LongStorage', None)
    """
    if isinstance(obj, (Tensor, Storage)):
        return obj.type()
    return None


def type(obj):
    """type(obj) -> the Torch7 type name of a tensor or storage, else the Python type's name

    >>> import ferrotorch as torch
    >>> torch.type(torch.IntTensor(1)), torch.type('a')
    ('torch.IntTensor', 'str')
    """
    name = typename(obj)
    return name if name is not None else _builtins_type(obj).__name__


def help(name):
    """help(name_or_function) -> prints the inline help of a torch function or method

    Looks the name up among torch's functions and then the tensor methods.

    >>> import ferrotorch as torch
    >>> torch.help('fill')
    fill(x, value) -> x, with every element set to value (writes into x)
    ...
    """
    obj = name
    if isinstance(name, str):
        obj = globals().get(name) or getattr(Tensor, name, None)
        if obj is None:
            raise ValueError(f"no torch function or tensor method named {name!r}")
    doc = getattr(obj, "__doc__", None) or ""
    print(doc.strip() or f"{name}: no documentation")


def numel(x):
    """numel(tensor) -> number of elements (same as x.nElement())

    >>> import ferrotorch as torch
    >>> torch.numel(torch.Tensor(3, 4))
    12
    """
    if not isinstance(x, Tensor):
        raise TypeError(f"torch.numel: expected a tensor, got {_builtins_type(x).__name__}")
    return x.nElement()


from builtins import type as _builtins_type

_CONVERSIONS = {
    "byte": "torch.ByteTensor",
    "char": "torch.CharTensor",
    "short": "torch.ShortTensor",
    "int": "torch.IntTensor",
    "long": "torch.LongTensor",
    "float": "torch.FloatTensor",
    "double": "torch.DoubleTensor",
    "half": "torch.HalfTensor",
}


def _conversion(type_name):
    def convert(self):
        return self.type(type_name)

    short = type_name[len("torch."):-len("Tensor")].lower()
    convert.__name__ = short
    convert.__doc__ = f"""{short}() -> self as a {type_name} (self when it already is one)

    >>> import ferrotorch as torch
    >>> torch.DoubleTensor([1.5, 2]).{short}().type()
    '{type_name}'
    """
    return convert


def real(self):
    """real() -> self converted to the default tensor type

    >>> import ferrotorch as torch
    >>> torch.IntTensor([3]).real().type()
    'torch.DoubleTensor'
    """
    if not isinstance(self, Tensor):
        raise TypeError(f"real: expected a tensor, got {_builtins_type(self).__name__}")
    return self.type(_default_tensor_type)


for _name, _type_name in _CONVERSIONS.items():
    setattr(Tensor, _name, _conversion(_type_name))
Tensor.real = real
del _name, _type_name

NO_CUDA = ("ferrotorch was built without its CUDA backend (Torch7's cutorch, planned through "
           "cudarc): CudaTensor and cuda() are not available on this build; .t7 files load "
           "CUDA tensors as FloatTensor")


def CudaTensor(*args, **kwargs):
    """torch.CudaTensor(...): raises RuntimeError until the CUDA backend lands.

    >>> import ferrotorch as torch
    >>> try:
    ...     torch.CudaTensor(4, 6)
    ... except RuntimeError as e:
    ...     print(str(e)[:45])
    ferrotorch was built without its CUDA backend
    """
    raise RuntimeError(NO_CUDA)


def cuda(self, *args, **kwargs):
    """cuda() -> raises RuntimeError until the CUDA backend lands (see torch.CudaTensor)."""
    raise RuntimeError(NO_CUDA)


Tensor.cuda = cuda
__all__.append("CudaTensor")
