"""Model fusion (notes §5.6) and bootstrap resampling (§12.2): bagging, voting, stacking, boosting.

Names load lazily from their private modules, so ``import lucidml.ensemble`` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "BaggingClassifier": "._bagging",
    "BaggingRegressor": "._bagging",
    "RandomForestClassifier": "._forest",
    "RandomForestRegressor": "._forest",
    "VotingClassifier": "._voting",
    "VotingRegressor": "._voting",
    "StackingClassifier": "._stacking",
    "StackingRegressor": "._stacking",
    "GradientBoostingClassifier": "._boosting",
    "GradientBoostingRegressor": "._boosting",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
