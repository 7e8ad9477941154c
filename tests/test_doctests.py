"""Runs every example in the public docstrings (Python modules and the compiled _C module) as a
doctest, so the inline help stays true."""

import doctest
import importlib
import inspect
import pkgutil

import ferrotorch
import ferrotorch._C as C
import pytest

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _docstrings():
    """(name, docstring) of every public object whose docstring holds an example."""
    seen = set()
    found = []

    def visit(name, obj):
        doc = getattr(obj, "__doc__", None)
        if not isinstance(doc, str) or ">>>" not in doc or id(obj) in seen:
            return
        seen.add(id(obj))
        found.append((name, doc))

    # Every module of the package (nn, optim, ... included as they land) and the compiled core.
    modules = [ferrotorch, C] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(ferrotorch.__path__, "ferrotorch.")
        if info.name != "ferrotorch._C"
    ]
    for module in modules:
        visit(module.__name__, module)
        for attr in dir(module):
            if attr.startswith("__"):
                continue
            obj = getattr(module, attr)
            if inspect.ismodule(obj):
                continue  # a submodule is visited on its own
            visit(f"{module.__name__}.{attr}", obj)
            if inspect.isclass(obj):
                for meth, member in vars(obj).items():
                    if not meth.startswith("__") or meth == "__init__":
                        visit(f"{module.__name__}.{attr}.{meth}", member)
    return found


DOCSTRINGS = _docstrings()


def test_there_are_examples():
    assert len(DOCSTRINGS) >= 10, [n for n, _ in DOCSTRINGS]


@pytest.mark.parametrize("name,doc", DOCSTRINGS, ids=[n for n, _ in DOCSTRINGS])
def test_docstring_example(name, doc):
    test = doctest.DocTestParser().get_doctest(doc, {}, name, None, 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    out = []
    runner.run(test, out=out.append)
    assert runner.failures == 0, "".join(out)
