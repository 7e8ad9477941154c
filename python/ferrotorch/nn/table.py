"""nn: table modules."""

__all__ = []
