"""nn: misc modules."""

__all__ = []
