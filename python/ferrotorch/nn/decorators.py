"""nn: decorators modules."""

__all__ = []
