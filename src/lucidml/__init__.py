"""lucidml: machine learning you can read.

The classic ideas of machine learning (softmax, distances, the fully-connected network with
hand-derived backpropagation, gradient descent, ...) as fast, tested, scikit-learn-compatible
Python. ``import lucidml`` needs only NumPy and SciPy; subpackages load on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = {
    "base",
    "cli",
    "cluster",
    "datasets",
    "ensemble",
    "exceptions",
    "feature_selection",
    "functions",
    "linear_model",
    "metrics",
    "model_selection",
    "naive_bayes",
    "neighbors",
    "nn",
    "optim",
    "persist",
    "pipeline",
    "preprocessing",
    "tree",
}

__all__ = sorted(_SUBMODULES) + ["__version__"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
