"""nn: criterions modules."""

__all__ = []
