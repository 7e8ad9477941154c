"""nn: transfer modules."""

__all__ = []
