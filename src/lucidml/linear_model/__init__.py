"""Linear models (notes §8 gradient descent, §9 logistic regression and log loss, §12 L1/L2).

Names load lazily from their private modules, so ``import lucidml.linear_model`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "LogisticRegression": "._logistic",
    "LinearRegression": "._linear",
    "Ridge": "._linear",
    "Lasso": "._linear",
    "SGDClassifier": "._stochastic",
    "SGDRegressor": "._stochastic",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
