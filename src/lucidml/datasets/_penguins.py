"""The Palmer penguins table, bundled with lucidml (CC0; see ``data/penguins_LICENSE.txt``).

344 penguins of three species (Adelie, Chinstrap, Gentoo) from three islands of the Palmer
Archipelago: bill length and depth (mm), flipper length (mm), body mass (g), sex and study year.
Some measurements are missing (``NA`` in the file). The file is a byte-for-byte copy of the
``palmerpenguins`` Python package's ``penguins.csv`` (version 0.1.6).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["load_penguins", "penguins_path"]

_TARGET = "species"
_TEXT_COLUMNS = ("species", "island", "sex")


def penguins_path() -> Path:
    """Path of the bundled ``penguins.csv`` (e.g. for ``lucidml run``)."""
    return Path(__file__).resolve().parent / "data" / "penguins.csv"


def _read_arrays() -> tuple[list[str], dict[str, np.ndarray]]:
    """The CSV without pandas: text columns as object arrays (``None`` for NA), numbers as
    float64 (NaN for NA)."""
    with open(penguins_path(), newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    names, body = rows[0], rows[1:]
    columns: dict[str, np.ndarray] = {}
    for j, name in enumerate(names):
        raw = [r[j] for r in body]
        if name in _TEXT_COLUMNS:
            columns[name] = np.array([None if v == "NA" else v for v in raw], dtype=object)
        else:
            columns[name] = np.array([math.nan if v == "NA" else float(v) for v in raw])
    return names, columns


def load_penguins(*, as_frame: bool = True, return_X_y: bool = False) -> Any:
    """Load the Palmer penguins table.

    Parameters
    ----------
    as_frame : bool, default=True
        Return pandas objects (needs pandas); otherwise NumPy arrays.
    return_X_y : bool, default=False
        Return ``(X, y)``: the seven feature columns and the ``species`` target.

    Returns
    -------
    DataFrame or tuple or dict
        - ``as_frame=True``: the table as a DataFrame of shape (344, 8) (``NA`` read as
          missing), or ``(X, y)`` -- a DataFrame of the 7 features and the ``species`` Series;
        - ``as_frame=False``: ``(X, y)`` with ``X`` an object array of shape (344, 7) (text
          columns as ``str`` or ``None``, numbers as ``float`` with NaN for missing) and ``y``
          a ``str`` object array; without ``return_X_y`` a dict with keys ``data``, ``target``,
          ``feature_names`` and ``target_name``.

    Examples
    --------
    >>> from lucidml.datasets import load_penguins
    >>> load_penguins().shape
    (344, 8)
    >>> X, y = load_penguins(return_X_y=True)
    >>> sorted(set(y))
    ['Adelie', 'Chinstrap', 'Gentoo']
    """
    if as_frame:
        import pandas as pd

        df = pd.read_csv(penguins_path())
        if return_X_y:
            return df.drop(columns=[_TARGET]), df[_TARGET]
        return df
    names, columns = _read_arrays()
    features = [n for n in names if n != _TARGET]
    X = np.empty((len(columns[_TARGET]), len(features)), dtype=object)
    for j, name in enumerate(features):
        X[:, j] = columns[name]
    y = columns[_TARGET]
    if return_X_y:
        return X, y
    return {"data": X, "target": y, "feature_names": features, "target_name": _TARGET}
