"""Hand-made preprocessors and data for the train and fuse tests (independent of features.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lucidml.pipeline import ColumnTransformer, Pipeline
from lucidml.preprocessing import (
    KBinsDiscretizer,
    OneHotEncoder,
    OrdinalEncoder,
    SimpleImputer,
    StandardScaler,
)


def preprocessors(numeric: list[str], categorical: list[str] = ()) -> dict:
    """{"scaled", "trees", "binned"}: impute + scale / one-hot, impute + ordinal, quantile bins."""
    numeric, categorical = list(numeric), list(categorical)
    impute = SimpleImputer(strategy="median")
    scaled = [("num", Pipeline([("impute", impute), ("scale", StandardScaler())]), numeric)]
    trees = [("num", SimpleImputer(strategy="median"), numeric)]
    binned = [
        (
            "num",
            Pipeline(
                [
                    ("impute", SimpleImputer(strategy="median")),
                    ("bins", KBinsDiscretizer(n_bins=4, encode="ordinal")),
                ]
            ),
            numeric,
        )
    ]
    if categorical:
        scaled.append(("cat", OneHotEncoder(handle_unknown="ignore"), categorical))
        ordinal = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)
        trees.append(("cat", ordinal, categorical))
    return {
        "scaled": ColumnTransformer(scaled),
        "trees": ColumnTransformer(trees),
        "binned": ColumnTransformer(binned),
    }


def classification_data(n: int = 240, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Four numeric columns (one with missing values), one text column, string labels."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a", "b", "c", "d"])
    X["colour"] = rng.choice(["red", "green", "blue"], n)
    logit = 1.5 * X["a"] - X["b"] + 1.2 * (X["colour"] == "red") + 0.5 * rng.normal(size=n)
    y = np.where(logit > 0.3, "yes", "no").astype(object)
    X.loc[rng.choice(n, 12, replace=False), "c"] = np.nan
    return X, y


def regression_data(n: int = 200, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    y = 3.0 * X["a"].to_numpy() - 2.0 * X["b"].to_numpy() + 0.5 * rng.normal(size=n)
    return X, y


ONLY_FAST = {"forest": 0, "boosting": 0, "mlp": 0}
"""candidate_weights that leave out the slow families (linear, NB, k-NN and tree remain)."""
