"""nn: simple modules."""

__all__ = []
