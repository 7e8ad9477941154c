"""Helpers shared by the optim algorithms: Torch7's config/state tables and buffers."""

from __future__ import annotations

__all__: list[str] = []


def tables(config, state):
    """Torch7's ``config = config or {}; state = state or config``.

    Lua tables are always true, so an empty dict passed in is kept (and filled), which is why
    this tests for None instead of using Python's ``or``.
    """
    if config is None:
        config = {}
    if state is None:
        state = config
    return config, state


def opt(table, key, default):
    """``table.key or default`` with Lua's truth: only a missing key (None) or False defaults."""
    value = table.get(key)
    if value is None or value is False:
        return default
    return value


def like(t):
    """A new zero-filled tensor of t's type and size (Torch7's ``t.new(t:size()):zero()``)."""
    return type(t)().resizeAs(t).zero()
