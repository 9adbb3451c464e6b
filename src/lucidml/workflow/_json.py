"""Plain JSON values for the workflow's sections (``metrics.json`` is written with
``allow_nan=False``)."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = ["json_float", "json_ready", "py_scalar"]


def py_scalar(value: Any) -> Any:
    """A NumPy scalar as the matching Python scalar; anything else unchanged."""
    return value.item() if isinstance(value, np.generic) else value


def json_float(x: Any) -> float | None:
    """A plain float, or None for None / NaN / inf (the metrics file holds no NaN)."""
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def json_ready(obj: Any) -> Any:
    """A JSON-ready copy: dicts and sequences recursively, NumPy scalars and arrays as Python
    numbers and lists, NaN / inf / pandas' NA and NaT as None, other objects as their ``str``."""
    if isinstance(obj, dict):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return json_ready(obj.tolist())
    if obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, numbers.Integral):
        return int(obj)
    if isinstance(obj, numbers.Real):
        x = float(obj)
        return x if math.isfinite(x) else None
    try:  # pandas.NA / NaT
        import pandas as pd

        if pd.isna(obj):
            return None
    except (ImportError, TypeError, ValueError):
        pass
    return str(obj)
