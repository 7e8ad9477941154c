"""nn.gModule and nn.ModuleFromCriterion, found lazily: they live in ferrotorch.nngraph, which
is imported on first use (importing it lets modules be called on graph nodes)."""

import importlib

_NAMES = ("gModule", "ModuleFromCriterion")


def __getattr__(name):
    if name in _NAMES:
        return getattr(importlib.import_module("ferrotorch.nngraph"), name)
    raise AttributeError(f"module 'ferrotorch.nn' has no attribute {name!r}")
