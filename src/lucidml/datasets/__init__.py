"""Data sets: the notes' cosine demo data (and, later, bundled CSVs and loaders)."""

from ._cosine import make_cosine

__all__ = ["make_cosine"]
