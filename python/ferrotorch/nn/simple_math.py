"""nn: simple_math modules."""

__all__ = []
