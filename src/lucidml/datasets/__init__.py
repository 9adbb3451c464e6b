"""Data sets: the notes' cosine demo data and the bundled Palmer penguins table."""

from ._cosine import make_cosine
from ._penguins import load_penguins, penguins_path

__all__ = ["load_penguins", "make_cosine", "penguins_path"]
