"""Random forests: bagged CART trees that also draw a random subset of features at every split.

A random forest is bagging (notes §12.2, bootstrap resampling) of decision trees whose split
search, at every node, looks at only ``max_features`` randomly drawn features, which decorrelates
the trees so that averaging them cuts more variance:

.. math:: \\hat f(x) = \\frac{1}{B} \\sum_{b=1}^{B} T_b(x), \\qquad
          T_b \\text{ grown on a bootstrap sample with } m \\text{ features tried per split.}

Classification averages the trees' class probabilities; ``feature_importances_`` is the mean of
the trees' impurity-based importances.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_is_fitted
from ._bagging import BaggingClassifier, BaggingRegressor

__all__ = ["RandomForestClassifier", "RandomForestRegressor"]


class _ForestMixin:
    """What both forests share: the tree template and the importances."""

    _tree_params = (
        "criterion",
        "max_depth",
        "min_samples_split",
        "min_samples_leaf",
        "min_weight_fraction_leaf",
        "min_impurity_decrease",
        "max_features",
        "max_leaf_nodes",
        "ccp_alpha",
    )

    def _tree(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _bagging_settings(self) -> tuple[Any, Any, Any, bool, bool]:
        params = {name: getattr(self, name) for name in self._tree_params}
        if hasattr(self, "class_weight"):
            params["class_weight"] = self.class_weight
        max_samples = 1.0 if self.max_samples is None else self.max_samples
        # Every tree sees every feature; max_features acts inside the trees, at each split.
        return self._tree().set_params(**params), max_samples, 1.0, self.bootstrap, False

    @property
    def feature_importances_(self) -> np.ndarray:
        """Mean of the trees' normalised impurity decreases, shape (n_features,)."""
        check_is_fitted(self, "estimators_")
        imp = np.mean([tree.feature_importances_ for tree in self.estimators_], axis=0)
        total = imp.sum()
        return imp / total if total > 0 else imp


class RandomForestClassifier(_ForestMixin, BaggingClassifier):
    """A forest of CART classification trees on bootstrap samples, random features per split.

    Parameters
    ----------
    n_estimators : int
        Number of trees.
    criterion, max_depth, min_samples_split, min_samples_leaf, min_weight_fraction_leaf,
    min_impurity_decrease, max_leaf_nodes, ccp_alpha, class_weight
        Passed to each :class:`~lucidml.tree.DecisionTreeClassifier`.
    max_features : "sqrt", "log2", int, float or None
        Features tried at each split (``"sqrt"`` of the total by default).
    bootstrap : bool
        Draw each tree's rows with replacement (otherwise every tree sees all rows).
    oob_score : bool
        Score every row with the trees that did not draw it (``oob_score_``).
    max_samples : int, float or None
        Rows drawn per tree (all ``n_samples`` by default).
    n_jobs : int or None
        Trees fitted in parallel with joblib when it is installed (on threads when the compiled
        tree builder is in use: it releases the GIL).
    random_state : int, Generator or None
    warm_start : bool
        Add trees to the existing forest.
    """

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split: Any = 2,
        min_samples_leaf: Any = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: Any = "sqrt",
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = True,
        oob_score: bool = False,
        n_jobs: int | None = None,
        random_state: Any = None,
        warm_start: bool = False,
        class_weight: Any = None,
        ccp_alpha: float = 0.0,
        max_samples: Any = None,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.warm_start = warm_start
        self.class_weight = class_weight
        self.ccp_alpha = ccp_alpha
        self.max_samples = max_samples

    def _tree(self) -> Any:
        from ..tree import DecisionTreeClassifier

        return DecisionTreeClassifier()


class RandomForestRegressor(_ForestMixin, BaggingRegressor):
    """A forest of CART regression trees on bootstrap samples, random features per split.

    Parameters are those of :class:`RandomForestClassifier` without ``class_weight``;
    ``criterion`` defaults to ``"squared_error"`` and ``max_features`` to 1.0 (all features), as
    in scikit-learn.
    """

    def __init__(
        self,
        n_estimators: int = 100,
        *,
        criterion: str = "squared_error",
        max_depth: int | None = None,
        min_samples_split: Any = 2,
        min_samples_leaf: Any = 1,
        min_weight_fraction_leaf: float = 0.0,
        max_features: Any = 1.0,
        max_leaf_nodes: int | None = None,
        min_impurity_decrease: float = 0.0,
        bootstrap: bool = True,
        oob_score: bool = False,
        n_jobs: int | None = None,
        random_state: Any = None,
        warm_start: bool = False,
        ccp_alpha: float = 0.0,
        max_samples: Any = None,
    ):
        self.n_estimators = n_estimators
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.min_impurity_decrease = min_impurity_decrease
        self.bootstrap = bootstrap
        self.oob_score = oob_score
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.warm_start = warm_start
        self.ccp_alpha = ccp_alpha
        self.max_samples = max_samples

    def _tree(self) -> Any:
        from ..tree import DecisionTreeRegressor

        return DecisionTreeRegressor()
