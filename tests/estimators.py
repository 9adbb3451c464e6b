"""How to build the estimators that need arguments (meta-estimators), for the common tests.

Shared by ``tests/test_common.py`` (scikit-learn's checks) and ``tests/test_persist.py`` (round
trips of every estimator). A new meta-estimator gets its entry here.
"""

from __future__ import annotations

import importlib
from typing import Any

# Estimators that cannot be built without arguments (meta-estimators): how to build them.
REQUIRED: dict[str, Any] = {
    "Pipeline": lambda: _lucid("pipeline", "Pipeline")(
        [("nb", _lucid("naive_bayes", "GaussianNB")())]
    ),
    "ColumnTransformer": lambda: _lucid("pipeline", "ColumnTransformer")(
        [("km", _lucid("cluster", "KMeans")(n_clusters=2, random_state=0), [0])],
        remainder=_lucid("preprocessing", "StandardScaler")(),
    ),
    "GridSearchCV": lambda: _lucid("model_selection", "GridSearchCV")(
        _lucid("linear_model", "LogisticRegression")(), {"C": [0.1, 1.0]}, cv=3
    ),
    "RandomizedSearchCV": lambda: _lucid("model_selection", "RandomizedSearchCV")(
        _lucid("linear_model", "Ridge")(),
        {"alpha": [0.1, 1.0, 10.0]},
        n_iter=2,
        cv=3,
        random_state=0,
    ),
    "VotingClassifier": lambda: _lucid("ensemble", "VotingClassifier")(
        [
            ("lr", _lucid("linear_model", "LogisticRegression")()),
            ("nb", _lucid("naive_bayes", "GaussianNB")()),
        ],
        voting="soft",
    ),
    "VotingRegressor": lambda: _lucid("ensemble", "VotingRegressor")(
        [
            ("ols", _lucid("linear_model", "LinearRegression")()),
            ("ridge", _lucid("linear_model", "Ridge")()),
        ]
    ),
    "StackingClassifier": lambda: _lucid("ensemble", "StackingClassifier")(
        [
            ("lr", _lucid("linear_model", "LogisticRegression")()),
            ("nb", _lucid("naive_bayes", "GaussianNB")()),
        ],
        cv=3,
    ),
    "StackingRegressor": lambda: _lucid("ensemble", "StackingRegressor")(
        [
            ("ols", _lucid("linear_model", "LinearRegression")()),
            ("tree", _lucid("tree", "DecisionTreeRegressor")(max_depth=3, random_state=0)),
        ],
        cv=3,
    ),
    "SelectFromModel": lambda: _lucid("feature_selection", "SelectFromModel")(
        _lucid("linear_model", "LogisticRegression")()
    ),
}


def _lucid(module: str, name: str) -> Any:

    return getattr(importlib.import_module(f"lucidml.{module}"), name)


def build(name: str) -> Any:
    """A fresh instance of the estimator named ``name`` from ``REQUIRED``."""
    return REQUIRED[name]()
