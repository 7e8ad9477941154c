"""`out=` is keyword-only everywhere: Torch7 code ported as is passes its result tensor first
(`torch.acos(r, x)`, `torch.nonzero(r, x)`); such a call must never write into an argument.

The walk calls every public torch function and every Tensor method with an extra leading tensor
argument (then a few plausible continuations) and checks that no argument's contents changed,
except the arguments the function documents writing into (listed below with the words of its
docstring that say so, which the test checks are really there).
"""

import math

import ferrotorch as torch
import pytest

# Functions whose documented job is writing into a positional argument: name -> (index of that
# argument, words of its docstring saying so).
WRITES_INTO = {
    "multinomialAlias": (0, "output filled"),
    "fill": (0, "writes into x"),
    "zero": (0, "writes into x"),
}
# Methods write into self; Torch7's two-result method forms (vals.max(idx, x, dim)) also write
# their first argument.
METHOD_WRITES_INTO = {
    name: (0, f"vals.{name}(idx, x") for name in
    ("max", "min", "median", "mode", "kthvalue", "sort", "topk")
}
# Not tensor functions, or ones that change global state a walk must not touch.
SKIP = {"setnumthreads", "setdefaulttensortype", "manualSeed", "seed", "setRNGState", "help",
        "Timer", "timer"}


def _tensors():
    torch.manualSeed(7)
    return [
        torch.DoubleTensor(4, 4).uniform(),
        torch.DoubleTensor(4, 4).uniform(),
        torch.DoubleTensor(4).uniform(),
        torch.LongTensor([0, 2, 1]),
        torch.ByteTensor(4, 4).bernoulli(),
        torch.FloatTensor(4, 4).uniform(),
        torch.LongTensor(4, 4).random(0, 9),
    ]


def _continuations(ts):
    x, y, v, idx, mask, f, lx = ts
    return [(), (x,), (x, y), (x, 0), (x, 1), (x, y, 0), (x, y, 1), (x, v), (v,), (x, 0, idx),
            (x, mask), (x, y, v), (x, 2.0), (x, y, 0.5), (v, v), (x, 0, 2), (x, idx), (lx,),
            (lx, lx), (lx, 0), (f,), (f, f), (mask,), (idx,)]


def _snapshot(a):
    if isinstance(a, torch.Tensor):
        return (a.size(), a.clone().tolist())
    return None


def _same(before, after):
    if before is None:
        return True
    if before[0] != after[0]:
        return False
    return _nan_equal(before[1], after[1])


def _nan_equal(a, b):
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(_nan_equal, a, b))
    return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


def _functions():
    for name in sorted(n for n in dir(torch) if not n.startswith("_") and n not in SKIP):
        obj = getattr(torch, name)
        if callable(obj) and not isinstance(obj, type) and not hasattr(obj, "__path__"):
            yield name


def _methods():
    return sorted(n for n in dir(torch.DoubleTensor) if not n.startswith("_") and n not in SKIP)


def _walk(call, label, allowed_index=None):
    """Runs call(r, *rest) for every continuation; returns the calls that changed an argument."""
    changed = []
    leads = [lambda: torch.DoubleTensor(4, 4).fill(3), lambda: torch.LongTensor(4, 4).fill(3),
             lambda: torch.DoubleTensor([0, 5, 0, 1])]
    for k in range(len(_continuations(_tensors())) * len(leads)):
        ts = _tensors()
        r = leads[k % len(leads)]()
        args = (r,) + _continuations(ts)[k // len(leads)]
        before = [_snapshot(a) for a in args]
        try:
            call(*args)
        except Exception:  # noqa: BLE001, S110 - a refusal is fine; only silent writes are bugs
            pass
        for i, (a, b) in enumerate(zip(args, before)):
            if i != allowed_index and not _same(b, _snapshot(a)):
                changed.append(f"{label} with {len(args)} args wrote into argument {i}")
    return changed


def test_documented_writers_say_so():
    for name, (_, words) in WRITES_INTO.items():
        assert words in getattr(torch, name).__doc__, name
    for name, (_, words) in METHOD_WRITES_INTO.items():
        assert words in getattr(torch.Tensor, name).__doc__, name
        assert "writes into vals and idx" in getattr(torch.Tensor, name).__doc__, name


@pytest.mark.parametrize("name", list(_functions()))
def test_function_never_writes_into_a_leading_result(name):
    allowed = WRITES_INTO.get(name, (None,))[0]
    assert _walk(getattr(torch, name), f"torch.{name}", allowed) == []


@pytest.mark.parametrize("name", _methods())
def test_method_never_writes_into_its_arguments(name):
    # A method writes into self (its documented target); never into an argument.
    def call(*args):
        return getattr(torch.DoubleTensor(4, 4).fill(1), name)(*args)

    allowed = METHOD_WRITES_INTO.get(name, (None,))[0]
    assert _walk(call, f"Tensor.{name}", allowed) == []


def test_nonzero_takes_no_positional_result():
    r = torch.DoubleTensor([0, 5, 0])
    x = torch.DoubleTensor([1, 2, 3])
    with pytest.raises(TypeError):
        torch.nonzero(r, x)
    assert x.tolist() == [1, 2, 3]
    out = torch.LongTensor()
    assert torch.nonzero(r, out=out) is out and out.tolist() == [[1]]


@pytest.mark.parametrize("name", ["diag", "tril", "triu", "gather", "scatter", "squeeze",
                                  "match", "index", "maskedSelect", "nonzero"])
def test_out_is_keyword_only_in_the_signature(name):
    """The formerly positional `out`: passing one positionally more than the inputs fails."""
    x = torch.DoubleTensor(3, 3).fill(1)
    with pytest.raises(TypeError):
        getattr(torch, name)(x, 0, torch.LongTensor([[0]]), x, x, x)
