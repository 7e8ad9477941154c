"""nn: adapters modules."""

__all__ = []
