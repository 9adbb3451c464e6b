r"""Step 5 of the notes' workflow (§5.5, §12): diagnose the leading models, analyse their errors.

Over- and under-fitting are judged from a **learning curve** (training and cross-validated score
as the training set grows, sizes 10% .. 100% of a training fold) and a **validation curve** (the
same two scores across the model family's main complexity parameter), both on a bounded sample of
rows and on the run's own folds ``cv``. Notation, all on the run's metric (higher is better):

- :math:`T`, :math:`V`: mean training and CV score at the largest training size;
  :math:`g = T - V` the gap;
- :math:`T_m, V_m, g_m`: the same at the middle tick of the curve (about 55% of the rows);
- closing: :math:`\max(g_m - g,\; V - V_m) > c` (the curves still approach each other, or the
  CV score still rises, over the second half of the curve); flat: :math:`|V - V_m| \le f`;
- baseline :math:`b`: the training score of a trivial model (majority class for accuracy, the
  mean for :math:`R^2`, i.e. :math:`b = 0`); skill :math:`s = (T - b) / (1 - b)`;
- :math:`B`: the best cross-validated score any candidate reached (``cv_score`` of the models).

The verdict applies three rules in this order:

1. **high bias (under-fitting)** when the model cannot even fit its training data well:
   :math:`T < B - m` (its training score is below what another model reaches on unseen data) or
   :math:`s < s_{min}` (it barely beats the trivial baseline). Advice (notes §5.5, §12.3): more
   or better features, a more complex model, less regularisation.
2. **high variance (over-fitting)** when :math:`g > g_{max}` (notes §12.1: good on the training
   set, worse on unseen data). If the gap is still closing, more data helps; in every case: lower
   complexity, stronger regularisation, pruning (notes §5.5, §12.2).
3. **good fit** otherwise.

Thresholds by metric (:data:`THRESHOLDS`):

========  =========  =========  ======  ===========  =========
metric    gap g_max  closing c  flat f  bias margin  min skill
========  =========  =========  ======  ===========  =========
accuracy  0.05       0.01       0.01    0.02         0.20
r2        0.10       0.02       0.02    0.03         0.20
========  =========  =========  ======  ===========  =========

Each verdict quotes its figures and these thresholds in words and in ``figures`` /
``thresholds``.

Validation-curve parameter by model class (:data:`_FAMILY`): decision tree ``max_depth`` 1, 2,
4, 8, 16, unlimited; random forest ``min_samples_leaf`` 1 .. 50; gradient boosting
``learning_rate`` 0.01 .. 1; logistic regression ``C`` 0.001 .. 100; ridge ``alpha`` 0.001 ..
100; lasso ``alpha`` 0.0001 .. 10; SGD ``alpha`` 1e-6 .. 0.1; k-NN ``n_neighbors`` 1 .. 51; MLP
``alpha`` (L2) 1e-5 .. 1; Gaussian naive Bayes ``var_smoothing`` 1e-11 .. 0.1; categorical,
multinomial and Bernoulli naive Bayes ``alpha`` 0.01 .. 10; the model's current value is always
added. Ordinary least squares, bagging, voting and stacking have none: the section says so in
``validation_note`` and the verdict rests on the learning curve alone.

Bounded cost. The curves are computed on a seeded sample of at most ``max_rows`` rows (3000 by
default; stratified by class for classification) and on the run's own folds. Their time is
*estimated*, never measured (so the same seed gives the same figures): each model class has a
fixed cost table (:data:`_COST`: seconds per fit plus seconds per 1000 training rows), and the
diagnosed models share :data:`BUDGET_SECONDS` (cheapest first, each taking an equal share of what
is left). Each model gets the richest plan of :data:`_PLANS` (5 training sizes, the whole
parameter grid, all folds; then fewer sizes, values and folds) that affords
:data:`PREFERRED_ROWS` rows (or all rows, if fewer), and as many rows as that plan affords (at
least :data:`MIN_ROWS`). Forests and bagging ensembles are diagnosed with at most
:data:`MAX_TREES` trees (their train-CV gap barely depends on the number of trees). The section
states the rows, folds and sizes used for every model.

Error analysis. ``error_analysis`` lists the out-of-fold rows with the largest loss (log loss
:math:`-\ln p(y_i)` of the out-of-fold probabilities, or 0/1 error without them, for
classification; absolute residual :math:`|y_i - \hat y_i|` for regression) with their feature
values, and the error rate (mean absolute error) of every slice: each category of a categorical
column (at most :data:`MAX_CATEGORIES` distinct values), each quartile bin of a numeric column,
missing values. A slice of :math:`n_s \ge n_{min} = \max(10, \lceil 0.01 n \rceil)` rows is
flagged when its error :math:`e_s` is at least :data:`SLICE_RATIO` times the overall error
:math:`e` and its one-sided z statistic is at least :data:`SLICE_Z`:

.. math::

    z = \frac{e_s - e}{\sqrt{e (1 - e) / n_s}} \ \text{(error rate)}, \qquad
    z = \frac{e_s - e}{\sigma / \sqrt{n_s}} \ \text{(mean absolute error, } \sigma
    \text{ the standard deviation of the absolute errors)}.

``bootstrap_interval`` gives the percentile bootstrap interval of the final out-of-fold score
(:func:`lucidml.model_selection.bootstrap_score`).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._json import json_ready
from ._sampling import sample_rows

__all__ = [
    "BUDGET_SECONDS",
    "MAX_TREES",
    "THRESHOLDS",
    "bootstrap_interval",
    "diagnose_models",
    "error_analysis",
]

#: Verdict thresholds per metric (see the module docstring).
THRESHOLDS: dict[str, dict[str, float]] = {
    "accuracy": {"gap": 0.05, "closing": 0.01, "flat": 0.01, "bias_margin": 0.02, "min_skill": 0.2},
    "r2": {"gap": 0.10, "closing": 0.02, "flat": 0.02, "bias_margin": 0.03, "min_skill": 0.2},
}

#: Estimated seconds the learning and validation curves of all diagnosed models may take.
BUDGET_SECONDS = 25.0
#: Trees kept when a forest or bagging ensemble is diagnosed.
MAX_TREES = 30
#: Fewest rows a model is diagnosed on (when the data has that many).
MIN_ROWS = 300
#: Smallest training size of a learning curve, in rows.
MIN_TRAIN_ROWS = 30
#: Learning-curve ticks (fractions of a training fold, from 10% to 100%).
N_TICKS = 5

#: A slice is flagged when its error is at least this many times the overall error ...
SLICE_RATIO = 1.5
#: ... and its one-sided z statistic at least this.
SLICE_Z = 3.0
#: Categorical columns with more distinct values are not sliced (ids, free text).
MAX_CATEGORIES = 30
#: Numeric columns with at most this many distinct values are sliced by value, not quartile.
MAX_NUMERIC_LEVELS = 10

# Cost of one fit + scoring on the training and test parts: (fixed seconds, seconds per 1000
# training rows), by final-estimator class, from timings on a 2-core machine with ~10 features
# (kept generous). Used only to size the plan, never measured at run time.
_COST: dict[str, tuple[float, float]] = {
    "DecisionTreeClassifier": (0.003, 0.005),
    "DecisionTreeRegressor": (0.003, 0.005),
    "LogisticRegression": (0.03, 0.005),
    "LinearRegression": (0.003, 0.005),
    "Ridge": (0.003, 0.005),
    "Lasso": (0.005, 0.02),
    "SGDClassifier": (0.01, 0.05),
    "SGDRegressor": (0.01, 0.05),
    "KNeighborsClassifier": (0.005, 0.06),
    "KNeighborsRegressor": (0.005, 0.06),
    "GaussianNB": (0.002, 0.002),
    "CategoricalNB": (0.005, 0.005),
    "MultinomialNB": (0.002, 0.002),
    "BernoulliNB": (0.002, 0.002),
}
_PREPROCESS_COST = (0.02, 0.02)
_UNKNOWN_COST = (0.5, 0.5)

#: Plans from the richest to the cheapest: (learning-curve ticks, validation values besides the
#: current one (None: the whole grid), folds of the run's splitter used (None: all)).
_PLANS: list[tuple[int, int | None, int | None]] = [
    (N_TICKS, None, None),
    (4, 4, None),
    (3, 3, 3),
    (3, 2, 2),
    (3, 0, 2),
]
#: A plan is good enough when it affords this many rows (or all rows when there are fewer).
PREFERRED_ROWS = 1000


# ---------------------------------------------------------------------------------------------
# Per-family knowledge: the complexity parameter and the advice in the notes' terms.
# ---------------------------------------------------------------------------------------------

_TREE_HINTS = (
    "pruning: smaller max_depth, larger min_samples_leaf or ccp_alpha",
    "a deeper tree (larger max_depth, smaller min_samples_leaf)",
)
_FOREST_HINTS = (
    "larger min_samples_leaf or smaller max_depth",
    "deeper trees (smaller min_samples_leaf), more features per split",
)
_BOOST_HINTS = (
    "smaller learning_rate, fewer iterations, stronger l2_regularization",
    "more iterations, a larger learning_rate, deeper trees",
)
_LOGISTIC_HINTS = (
    "stronger regularisation: smaller C",
    "weaker regularisation (larger C) and non-linear features",
)
_ALPHA_HINTS = ("stronger regularisation: larger alpha", "smaller alpha and non-linear features")
_OLS_HINTS = (
    "regularisation (Ridge or Lasso) or fewer features",
    "non-linear features or a non-linear model",
)
_KNN_HINTS = ("more neighbours (larger n_neighbors)", "fewer neighbours (smaller n_neighbors)")
_MLP_HINTS = (
    "stronger L2 penalty (larger alpha), smaller hidden layers, early stopping",
    "larger hidden layers, more iterations, a smaller alpha",
)
_NB_HINTS = (
    "more smoothing",
    "a model without the naive independence assumption",
)
_DEFAULT_HINTS = ("lower complexity, stronger regularisation", "a more complex model")

_LOG_GRID = [1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0]

# class name -> (parameter, values, complexity grows with the value?, log-scale?, hints)
_FAMILY: dict[str, tuple[str | None, list[Any], bool, bool, tuple[str, str]]] = {
    "DecisionTreeClassifier": ("max_depth", [1, 2, 4, 8, 16, None], True, False, _TREE_HINTS),
    "DecisionTreeRegressor": ("max_depth", [1, 2, 4, 8, 16, None], True, False, _TREE_HINTS),
    "RandomForestClassifier": (
        "min_samples_leaf",
        [1, 2, 5, 10, 20, 50],
        False,
        True,
        _FOREST_HINTS,
    ),
    "RandomForestRegressor": (
        "min_samples_leaf",
        [1, 2, 5, 10, 20, 50],
        False,
        True,
        _FOREST_HINTS,
    ),
    "BaggingClassifier": (None, [], True, False, _FOREST_HINTS),
    "BaggingRegressor": (None, [], True, False, _FOREST_HINTS),
    "GradientBoostingClassifier": (
        "learning_rate",
        [0.01, 0.03, 0.1, 0.3, 1.0],
        True,
        True,
        _BOOST_HINTS,
    ),
    "GradientBoostingRegressor": (
        "learning_rate",
        [0.01, 0.03, 0.1, 0.3, 1.0],
        True,
        True,
        _BOOST_HINTS,
    ),
    "LogisticRegression": ("C", _LOG_GRID, True, True, _LOGISTIC_HINTS),
    "Ridge": ("alpha", _LOG_GRID, False, True, _ALPHA_HINTS),
    "Lasso": ("alpha", [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0], False, True, _ALPHA_HINTS),
    "LinearRegression": (None, [], True, False, _OLS_HINTS),
    "SGDClassifier": ("alpha", [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1], False, True, _ALPHA_HINTS),
    "SGDRegressor": ("alpha", [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1], False, True, _ALPHA_HINTS),
    "KNeighborsClassifier": ("n_neighbors", [1, 3, 5, 11, 21, 51], False, True, _KNN_HINTS),
    "KNeighborsRegressor": ("n_neighbors", [1, 3, 5, 11, 21, 51], False, True, _KNN_HINTS),
    "MLPClassifier": ("alpha", [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0], False, True, _MLP_HINTS),
    "MLPRegressor": ("alpha", [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0], False, True, _MLP_HINTS),
    "GaussianNB": ("var_smoothing", [1e-11, 1e-9, 1e-7, 1e-5, 1e-3, 1e-1], False, True, _NB_HINTS),
    "CategoricalNB": ("alpha", [0.01, 0.1, 0.3, 1.0, 3.0, 10.0], False, True, _NB_HINTS),
    "MultinomialNB": ("alpha", [0.01, 0.1, 0.3, 1.0, 3.0, 10.0], False, True, _NB_HINTS),
    "BernoulliNB": ("alpha", [0.01, 0.1, 0.3, 1.0, 3.0, 10.0], False, True, _NB_HINTS),
}


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------


def _f(x: float | None, digits: int = 3) -> str:
    return "n/a" if x is None or not math.isfinite(x) else f"{x:.{digits}f}"


def _final_step(pipeline: Any) -> tuple[Any, str]:
    """The final estimator of a (possibly nested) Pipeline and the parameter prefix to reach it."""
    prefix = ""
    est = pipeline
    while hasattr(est, "steps") and isinstance(est.steps, (list, tuple)) and est.steps:
        name, last = est.steps[-1]
        prefix += f"{name}__"
        est = last
    return est, prefix


def _n_estimators(est: Any) -> int:
    n = getattr(est, "n_estimators", None)
    return int(n) if isinstance(n, numbers.Integral) and not isinstance(n, bool) else 100


def _fit_cost(est: Any) -> tuple[float, float]:
    """(fixed seconds, seconds per 1000 rows) of one fit + scoring, from a fixed table."""
    name = type(est).__name__
    pa, pb = _PREPROCESS_COST
    if name in _COST:
        a, b = _COST[name]
    elif name.startswith(("RandomForest", "ExtraTrees", "Bagging")):
        trees = min(_n_estimators(est), MAX_TREES)
        a, b = 0.0005 * trees, (0.0015 if name.startswith(("Random", "Extra")) else 0.003) * trees
    elif name.startswith("GradientBoosting"):
        it = getattr(est, "max_iter", 100)
        it = float(it) if isinstance(it, numbers.Real) else 100.0
        a, b = 0.003 * it, 0.002 * it
    elif name.startswith("MLP"):
        hidden = getattr(est, "hidden_layer_sizes", (100,))
        width = max(float(np.sum(hidden)) if np.size(hidden) else 100.0, 10.0)
        it = getattr(est, "max_iter", 200)
        it = float(it) if isinstance(it, numbers.Real) else 200.0
        a, b = 0.02, 0.15 * (it / 200.0) * (width / 100.0)
    else:
        a, b = _UNKNOWN_COST
    return a + pa, b + pb


def _plan_rows(
    cost: tuple[float, float], plan: tuple[int, int, int], n_splits: int, alloc: float
) -> float:
    """Rows affordable within ``alloc`` seconds under ``plan`` (ticks, values, folds)."""
    ticks, n_values, folds = plan
    frac = float(np.sum(np.linspace(0.1, 1.0, ticks))) if ticks > 1 else 1.0
    n_fits = folds * (ticks + n_values)
    train_share = 1.0 - 1.0 / max(n_splits, 2)
    per_row = cost[1] / 1000.0 * folds * (frac + n_values) * train_share
    return (alloc - cost[0] * n_fits) / per_row if per_row > 0 else float("inf")


def _plan_seconds(
    cost: tuple[float, float], plan: tuple[int, int, int], n_splits: int, rows: int
) -> float:
    ticks, n_values, folds = plan
    frac = float(np.sum(np.linspace(0.1, 1.0, ticks))) if ticks > 1 else 1.0
    train_rows = rows * (1.0 - 1.0 / max(n_splits, 2))
    return folds * (
        cost[0] * (ticks + n_values) + cost[1] / 1000.0 * train_rows * (frac + n_values)
    )


def _concrete(plan: tuple[int, int | None, int | None], grid_size: int, n_splits: int):
    ticks, values, folds = plan
    n_values = 0 if grid_size == 0 else (grid_size if values is None else min(values, grid_size))
    if grid_size and n_values:
        n_values += 1  # the current value
    return ticks, n_values, min(n_splits, folds or n_splits)


def _choose_plans(
    costs: list[tuple[float, float]], grid_sizes: list[int], target: int, n_splits: int
) -> list[tuple[tuple[int, int | None, int | None], int]]:
    """A (plan, rows) per model: the whole budget shared, cheap models first (water-filling)."""
    full = [
        _plan_seconds(c, _concrete(_PLANS[0], g, n_splits), n_splits, target)
        for c, g in zip(costs, grid_sizes, strict=True)
    ]
    order = np.argsort(full, kind="stable")
    left, chosen = BUDGET_SECONDS, {}
    for rank, j in enumerate(order):
        alloc = left / (len(order) - rank)
        pick = None
        best = None
        for plan in _PLANS:
            rows = _plan_rows(costs[j], _concrete(plan, grid_sizes[j], n_splits), n_splits, alloc)
            rows = int(min(target, rows)) if np.isfinite(rows) else target
            if best is None or rows > best[1]:
                best = (plan, rows)
            if rows >= min(target, PREFERRED_ROWS):
                pick = (plan, rows)
                break
        plan, rows = pick if pick is not None else (_PLANS[-1], best[1])
        rows = max(min(target, MIN_ROWS), rows)
        chosen[j] = (plan, rows)
        left -= _plan_seconds(costs[j], _concrete(plan, grid_sizes[j], n_splits), n_splits, rows)
        left = max(left, 0.0)
    return [chosen[j] for j in range(len(costs))]


def _report(progress: Any) -> Callable[[int], None]:
    if progress is None:
        return lambda _n: None
    if hasattr(progress, "update"):
        return progress.update
    if callable(progress):
        return progress
    raise ValueError(f"progress must be a callable or a tqdm-like object, got {progress!r}.")


def _diagnosis_rows(y: np.ndarray, task: str, n_rows: int, seed: int) -> np.ndarray:
    """Sorted indices of at most about ``n_rows`` rows (stratified for classification)."""
    return sample_rows(y, task, n_rows, seed)


def _train_sizes(n_first: int, ticks: int = N_TICKS) -> np.ndarray:
    """Learning-curve sizes: ``ticks`` counts from 10% (at least ``MIN_TRAIN_ROWS``) to 100%."""
    lo = min(1.0, max(0.1, MIN_TRAIN_ROWS / max(n_first, 1)))
    sizes = (np.linspace(lo, 1.0, ticks) * n_first).astype(int)
    return np.unique(np.clip(sizes, 1, n_first))


def _mean_std(scores: np.ndarray) -> tuple[list[float | None], list[float | None]]:
    """Row-wise mean and std over folds, ignoring failed fits (NaN); all-NaN rows give None."""
    means: list[float | None] = []
    stds: list[float | None] = []
    for row in np.asarray(scores, dtype=np.float64):
        ok = row[np.isfinite(row)]
        means.append(float(ok.mean()) if ok.size else None)
        stds.append(float(ok.std()) if ok.size else None)
    return means, stds


def _value_label(value: Any) -> str:
    if value is None:
        return "unlimited"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# ---------------------------------------------------------------------------------------------
# diagnose_models
# ---------------------------------------------------------------------------------------------


def _check_models(models: Any) -> list[dict[str, Any]]:
    if not isinstance(models, Sequence) or isinstance(models, (str, bytes)) or not models:
        raise ValueError("diagnose_models needs a non-empty list of model dicts (from train).")
    for i, m in enumerate(models):
        if not isinstance(m, dict) or "pipeline" not in m:
            raise ValueError(f"models[{i}] must be a dict with a 'pipeline' (unfitted estimator).")
        if not hasattr(m["pipeline"], "fit"):
            raise ValueError(f"models[{i}]['pipeline'] is not an estimator (it has no fit).")
    return list(models)


def _baseline(y: np.ndarray, task: str) -> dict[str, Any]:
    if task == "classification":
        import pandas as pd

        counts = pd.Series(y, dtype=object).value_counts()
        share = float(counts.iloc[0] / len(y))
        return {
            "kind": "majority class",
            "label": json_ready(counts.index[0]),
            "train_score": share,
            "sentence": f"always predicting the majority class {counts.index[0]!r} scores "
            f"{share:.3f}",
        }
    return {
        "kind": "mean predictor",
        "label": None,
        "train_score": 0.0,
        "sentence": "always predicting the mean scores R^2 = 0 on the rows it was fitted on",
    }


def _grid_spec(est: Any) -> tuple[str | None, list[Any], Any, str | None]:
    """(param, its grid, the current value, note when there is none) for a final estimator."""
    name = type(est).__name__
    spec = _FAMILY.get(name)
    if spec is None or spec[0] is None:
        return None, [], None, f"{name} has no complexity parameter to vary"
    param, grid = spec[0], list(spec[1])
    params = est.get_params(deep=False) if hasattr(est, "get_params") else {}
    if param not in params:
        return None, [], None, f"{name} has no parameter {param!r}"
    current = params[param]
    if name == "LogisticRegression" and params.get("penalty") in (None, "none"):
        return None, [], current, "LogisticRegression without a penalty ignores C"
    return param, grid, current, None


def _validation_values(
    param: str, grid: list[Any], current: Any, n_values: int | None, n_train_min: int
) -> list[Any]:
    """Up to ``n_values`` grid values spread evenly (all when None), plus the current value."""
    values = list(grid)
    if param == "n_neighbors":
        values = [v for v in values if v <= n_train_min]
    if param == "min_samples_leaf":
        values = [v for v in values if 2 * v <= n_train_min]
    if n_values is not None and len(values) > n_values:
        idx = np.unique(np.round(np.linspace(0, len(values) - 1, n_values)).astype(int))
        values = [values[i] for i in idx] if n_values > 0 else []
    if not values:
        return []
    if current is None or (isinstance(current, numbers.Real) and not isinstance(current, bool)):
        if current not in values:
            values.append(current)
    numeric = sorted(v for v in values if v is not None)
    return numeric + ([None] if None in values else [])


def _verdict(
    lc: dict[str, Any],
    vc: dict[str, Any] | None,
    *,
    metric: str,
    baseline: dict[str, Any],
    best_cv: float | None,
    best_name: str | None,
    hints: tuple[str, str],
    family_is_tree: bool,
) -> dict[str, Any]:
    th = THRESHOLDS[metric]
    sizes = lc["train_sizes"]
    tr, cv = lc["train_mean"], lc["cv_mean"]
    last = len(sizes) - 1
    mid = len(sizes) // 2
    T, V = tr[last], cv[last]
    if T is None or V is None:
        return {
            "kind": "not diagnosed",
            "text": "not diagnosed: the model could not be fitted on the diagnosis sample",
            "figures": {},
            "thresholds": dict(th),
        }
    gap = T - V
    have_mid = len(sizes) >= 3 and tr[mid] is not None and cv[mid] is not None
    gap_change = (tr[mid] - cv[mid]) - gap if have_mid else None
    cv_gain = V - cv[mid] if have_mid else None
    closing = bool(have_mid and max(gap_change, cv_gain) > th["closing"])
    flat = bool(have_mid and abs(cv_gain) <= th["flat"])
    b = float(baseline["train_score"])
    skill = (T - b) / (1.0 - b) if b < 1.0 else None
    below_best = best_cv is not None and T < best_cv - th["bias_margin"]
    low_skill = skill is not None and skill < th["min_skill"]
    figures = {
        "train_score": T,
        "cv_score": V,
        "gap": gap,
        "train_rows": sizes[last],
        "mid_train_rows": sizes[mid] if have_mid else None,
        "gap_change": gap_change,
        "cv_gain": cv_gain,
        "closing": closing,
        "flat": flat,
        "baseline": b,
        "skill": skill,
        "best_cv_score": best_cv,
        "best_cv_model": best_name,
    }
    head = f"train {_f(T)} vs CV {_f(V)} at {sizes[last]} training rows"
    trend = (
        f"from {sizes[mid]} to {sizes[last]} rows the gap moved {-gap_change:+.3f} and CV "
        f"{cv_gain:+.3f}"
        if have_mid
        else "the curve has a single size"
    )
    val = ""
    if vc is not None and vc.get("best_cv") is not None:
        val = (
            f"; validation curve: CV best {_f(vc['best_cv'])} at {vc['param']}="
            f"{vc['best_label']} (current {vc['current_label']}: {_f(vc.get('current_cv'))})"
        )
        figures["validation_best_value"] = vc["best_value"]
        figures["validation_best_cv"] = vc["best_cv"]
        figures["validation_current_cv"] = vc.get("current_cv")

    if below_best or low_skill:
        kind = "high bias"
        why = []
        if below_best:
            why.append(
                f"training score below the best CV score {_f(best_cv)} ({best_name}) minus "
                f"{th['bias_margin']:g}"
            )
        if low_skill:
            why.append(
                f"skill {_f(skill, 2)} < {th['min_skill']:g} over the {baseline['kind']} "
                f"baseline {_f(b)}"
            )
        shape = (
            f"CV curve flat (|{cv_gain:+.3f}| <= {th['flat']:g})"
            if flat
            else f"CV curve not flat ({trend})"
        )
        text = (
            f"high bias (under-fitting): {head}; {' and '.join(why)}; {shape} -> more or better "
            f"features (feature expansion), a more complex model: {hints[1]}{val}"
        )
    elif gap > th["gap"]:
        kind = "high variance"
        prune = ", pruning" if family_is_tree and "pruning" not in hints[0] else ""
        if closing:
            state = f"gap {_f(gap)} > {th['gap']:g}, still closing ({trend})"
            advice = f"more data, lower complexity / stronger regularisation: {hints[0]}{prune}"
        else:
            state = f"gap {_f(gap)} > {th['gap']:g}, no longer closing ({trend})"
            advice = (
                f"lower complexity / stronger regularisation: {hints[0]}{prune} (more data "
                "alone will help little)"
            )
        text = f"high variance (over-fitting): {head}, {state} -> {advice}{val}"
    else:
        kind = "good fit"
        text = (
            f"good fit: {head}, gap {_f(gap)} <= {th['gap']:g}, training score not below the "
            f"best CV {_f(best_cv)} minus {th['bias_margin']:g}, skill {_f(skill, 2)} >= "
            f"{th['min_skill']:g} -> keep it; further gains come from better features or "
            f"model fusion{val}"
        )
    return {"kind": kind, "text": text, "figures": figures, "thresholds": dict(th)}


def diagnose_models(
    models: list[dict[str, Any]],
    X: Any,
    y: Any,
    frame: dict[str, Any],
    *,
    cv: Any,
    seed: int,
    metric: str,
    progress: Callable[[int], None] | Any | None = None,
    max_models: int = 3,
    max_rows: int = 3000,
) -> dict[str, Any]:
    """Learning and validation curves of the leading models and a verdict for each (notes §5.5).

    Parameters
    ----------
    models : list of dict
        Model dicts from the train step, best first: ``name``, ``family``, ``pipeline`` (an
        unfitted estimator or Pipeline), ``cv_score`` and more. Only the first ``max_models`` are
        diagnosed; ``cv_score`` of all of them gives the best CV score :math:`B`.
    X : pandas.DataFrame of shape (n_samples, n_features)
        The raw feature table.
    y : ndarray of shape (n_samples,)
        The target.
    frame : dict
        The framing section (``frame["task"]`` is "classification" or "regression").
    cv : splitter
        The run's cross-validation splitter; it splits the diagnosis sample.
    seed : int
        Seeds the row sample and the learning curve's shuffle.
    metric : {"accuracy", "r2"}
        The run's metric.
    progress : callable or tqdm-like, optional
        Called with 1 (or ``.update(1)``) after each curve: ``2 * n_models`` units.
    max_models : int, default=3
        How many leading models to diagnose.
    max_rows : int, default=3000
        Most rows a model is diagnosed on (fewer for slow models, see the module docstring).

    Returns
    -------
    section : dict
        JSON-ready: ``metric``, ``task``, ``n_rows``, ``max_rows``, ``baseline``,
        ``best_cv_score``, ``best_cv_model``, ``thresholds``, ``rules`` (sentences), ``models``
        (per model: ``name``, ``family``, ``estimator``, ``cv_score``, ``sample_rows``,
        ``sample`` (sentence), ``notes``, ``learning_curve`` {``train_sizes``, ``fractions``,
        ``train_mean``, ``train_std``, ``cv_mean``, ``cv_std``, ``failed_fits``},
        ``validation_curve`` (or None with ``validation_note``) {``param``, ``values``,
        ``labels``, ``log_scale``, ``complexity_grows_with_value``, ``current``,
        ``current_label``, ``train_mean``, ``train_std``, ``cv_mean``, ``cv_std``,
        ``best_value``, ``best_label``, ``best_cv``, ``current_cv``}, ``verdict`` {``kind``,
        ``text``, ``figures``, ``thresholds``}) and ``verdicts`` ({``model``, ``kind``,
        ``text``}).
    """
    from ..base import clone
    from ..model_selection import learning_curve, validation_curve

    task = frame.get("task") if isinstance(frame, dict) else None
    if task not in ("classification", "regression"):
        raise ValueError(
            f"diagnose_models needs a classification or regression frame, got task {task!r}."
        )
    if metric not in THRESHOLDS:
        raise ValueError(f"metric must be one of {sorted(THRESHOLDS)}, got {metric!r}.")
    models = _check_models(models)
    if not hasattr(X, "iloc"):
        raise ValueError("X must be a pandas DataFrame of the raw feature columns.")
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(
            f"y must be 1-D with one value per row of X; got shape {y.shape} for {len(X)} rows."
        )
    if not isinstance(max_rows, numbers.Integral) or max_rows < 20:
        raise ValueError(f"max_rows must be an integer >= 20, got {max_rows!r}.")
    tick = _report(progress)
    n = len(y)
    baseline = _baseline(y, task)
    scored = [
        (float(m["cv_score"]), str(m.get("name", f"model {i + 1}")))
        for i, m in enumerate(models)
        if isinstance(m.get("cv_score"), numbers.Real) and math.isfinite(m["cv_score"])
    ]
    best_cv, best_name = max(scored) if scored else (None, None)
    n_splits = int(cv.get_n_splits()) if hasattr(cv, "get_n_splits") else 5

    # prepare every model, then share the time budget among them (a fixed cost table)
    prepared = []
    for i, m in enumerate(models[:max_models]):
        est = clone(m["pipeline"])
        final, prefix = _final_step(est)
        cls = type(final).__name__
        notes: list[str] = []
        if cls.startswith(("RandomForest", "ExtraTrees", "Bagging")) and (
            _n_estimators(final) > MAX_TREES
        ):
            notes.append(
                f"diagnosed with {MAX_TREES} of its {_n_estimators(final)} trees to bound the "
                "time (a forest's train-CV gap barely depends on the number of trees)"
            )
            est.set_params(**{f"{prefix}n_estimators": MAX_TREES})
            final, prefix = _final_step(est)
        param, grid, current, vnote = _grid_spec(final)
        prepared.append((i, m, est, final, prefix, cls, notes, param, grid, current, vnote))
    target = int(min(n, max_rows))
    plans = _choose_plans(
        [_fit_cost(p[3]) for p in prepared], [len(p[8]) for p in prepared], target, n_splits
    )

    out_models = []
    samples: dict[int, tuple[Any, np.ndarray]] = {}
    for (i, m, est, _final, prefix, cls, notes, param, grid, current, vnote), (plan, n_rows) in zip(
        prepared, plans, strict=True
    ):
        name = str(m.get("name", f"model {i + 1}"))
        ticks, n_values, n_folds = plan
        if n_rows not in samples:
            rows = _diagnosis_rows(y, task, n_rows, seed)
            samples[n_rows] = (X.iloc[rows].reset_index(drop=True), y[rows])
        Xs, ys = samples[n_rows]
        if len(ys) >= n:
            sample_sentence = f"all {n} rows"
        else:
            limit = "max_rows" if n_rows == max_rows else "the time budget"
            sample_sentence = (
                f"{len(ys)} of {n} rows ({'stratified ' if task == 'classification' else ''}"
                f"sample with seed {seed}; bounded by {limit})"
            )
        splits = list(cv.split(Xs, ys))
        folds_used = len(splits) if n_folds is None else min(n_folds, len(splits))
        if folds_used < len(splits):
            notes.append(
                f"curves on the first {folds_used} of the run's {len(splits)} folds, "
                f"{ticks} training sizes, to bound the time"
            )
        splits = splits[:folds_used]
        n_train_min = min(len(tr) for tr, _ in splits)
        n_first = len(splits[0][0])  # learning_curve's "100%"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sizes, tr_scores, cv_scores = learning_curve(
                est,
                Xs,
                ys,
                train_sizes=_train_sizes(n_first, ticks),
                cv=splits,
                scoring=metric,
                shuffle=True,
                random_state=seed,
            )
        tick(1)
        failed = int(np.sum(~np.isfinite(cv_scores)))
        if failed:
            notes.append(f"{failed} of {cv_scores.size} learning-curve fits failed")
        tr_mean, tr_std = _mean_std(tr_scores)
        cv_mean, cv_std = _mean_std(cv_scores)
        lc = {
            "train_sizes": [int(s) for s in sizes],
            "fractions": [float(sz) / n_first for sz in sizes],
            "train_mean": tr_mean,
            "train_std": tr_std,
            "cv_mean": cv_mean,
            "cv_std": cv_std,
            "n_folds": folds_used,
            "failed_fits": failed,
        }

        values = _validation_values(param, grid, current, n_values, n_train_min) if param else []
        vc: dict[str, Any] | None = None
        if param is not None and len(values) < 2:
            vnote = (
                f"validation curve over {param} skipped to bound the time"
                if n_values == 0
                else f"too few rows to vary {param}"
            )
        elif param is not None:
            log = _FAMILY[cls][3]
            grows = _FAMILY[cls][2]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    vtr, vcv = validation_curve(
                        est,
                        Xs,
                        ys,
                        param_name=prefix + param,
                        param_range=values,
                        cv=splits,
                        scoring=metric,
                    )
                except ValueError as exc:  # every fit failed
                    vnote = f"validation curve over {param} failed: {str(exc).splitlines()[0]}"
                    vtr = vcv = None
            if vtr is not None:
                vtr_mean, vtr_std = _mean_std(vtr)
                vcv_mean, vcv_std = _mean_std(vcv)
                finite = [j for j, v in enumerate(vcv_mean) if v is not None]
                best_j = max(finite, key=lambda j: vcv_mean[j]) if finite else None
                cur_j = values.index(current) if current in values else None
                vc = {
                    "param": param,
                    "param_path": prefix + param,
                    "values": values,
                    "labels": [_value_label(v) for v in values],
                    "log_scale": log,
                    "complexity_grows_with_value": grows,
                    "current": current,
                    "current_label": _value_label(current),
                    "train_mean": vtr_mean,
                    "train_std": vtr_std,
                    "cv_mean": vcv_mean,
                    "cv_std": vcv_std,
                    "n_folds": folds_used,
                    "best_value": None if best_j is None else values[best_j],
                    "best_label": None if best_j is None else _value_label(values[best_j]),
                    "best_cv": None if best_j is None else vcv_mean[best_j],
                    "current_cv": None if cur_j is None else vcv_mean[cur_j],
                }
        tick(1)
        hints = _FAMILY[cls][4] if cls in _FAMILY else _DEFAULT_HINTS
        verdict = _verdict(
            lc,
            vc,
            metric=metric,
            baseline=baseline,
            best_cv=best_cv,
            best_name=best_name,
            hints=hints,
            family_is_tree=cls.startswith("DecisionTree"),
        )
        out_models.append(
            {
                "name": name,
                "family": m.get("family") or cls,
                "estimator": cls,
                "cv_score": m.get("cv_score"),
                "sample_rows": len(ys),
                "sample": sample_sentence,
                "notes": notes,
                "learning_curve": lc,
                "validation_curve": vc,
                "validation_note": vnote,
                "verdict": verdict,
            }
        )

    th = THRESHOLDS[metric]
    rules = [
        f"high bias (under-fitting) when the training score is below the best CV score minus "
        f"{th['bias_margin']:g}, or its skill over the {baseline['kind']} baseline "
        f"(train - b) / (1 - b) is below {th['min_skill']:g}",
        f"high variance (over-fitting) when train - CV exceeds {th['gap']:g} at the largest "
        f"training size; 'still closing' when over the second half of the learning curve the gap "
        f"shrank or the CV score rose by more than {th['closing']:g} (then more data helps)",
        "good fit otherwise",
        f"curves on at most {max_rows} rows per model ({n_splits}-fold, the run's folds); slow "
        f"models get fewer rows so that their curves stay within about {BUDGET_SECONDS:g} s",
    ]
    section = {
        "task": task,
        "metric": metric,
        "n_rows": n,
        "max_rows": int(max_rows),
        "n_splits": n_splits,
        "baseline": baseline,
        "best_cv_score": best_cv,
        "best_cv_model": best_name,
        "thresholds": dict(th),
        "rules": rules,
        "models": out_models,
        "verdicts": [
            {"model": d["name"], "kind": d["verdict"]["kind"], "text": d["verdict"]["text"]}
            for d in out_models
        ],
    }
    return json_ready(section)


# ---------------------------------------------------------------------------------------------
# error_analysis
# ---------------------------------------------------------------------------------------------


def _classes_for_proba(y: np.ndarray, proba: np.ndarray, frame: dict[str, Any]) -> list[Any]:
    try:
        labels = list(np.unique(y))
    except TypeError:  # mixed label types cannot be sorted together
        labels = []
    if len(labels) == proba.shape[1]:
        return labels
    given = frame.get("classes")
    if isinstance(given, (list, tuple)) and len(given) == proba.shape[1]:
        return list(given)
    raise ValueError(
        f"oof_proba has {proba.shape[1]} columns but y holds {len(labels)} classes; the columns "
        "must follow the sorted class labels."
    )


def _row_losses(
    y: np.ndarray, pred: np.ndarray, proba: np.ndarray | None, frame: dict[str, Any], task: str
) -> tuple[np.ndarray, np.ndarray, str, np.ndarray | None]:
    """(loss per row used to rank, error per row used for slices, loss name, p(true) or None)."""
    if task == "regression":
        resid = y.astype(np.float64) - pred.astype(np.float64)
        return np.abs(resid), np.abs(resid), "absolute error |y - prediction|", None
    wrong = (pred != y).astype(np.float64)
    if proba is None:
        return wrong, wrong, "0/1 error (no probabilities)", None
    classes = _classes_for_proba(y, proba, frame)
    index = {c: j for j, c in enumerate(classes)}
    try:
        cols = np.array([index[v] for v in y.tolist()])
    except KeyError as exc:
        raise ValueError(f"label {exc.args[0]!r} of y is not a class of oof_proba.") from None
    p_true = proba[np.arange(len(y)), cols]
    loss = -np.log(np.clip(p_true, 1e-15, 1.0))
    return loss, wrong, "log loss -ln p(true class) of the out-of-fold probabilities", p_true


def _slice_stats(
    err: np.ndarray, mask: np.ndarray, overall: float, sd: float, task: str
) -> tuple[int, float, float | None]:
    n_s = int(mask.sum())
    e_s = float(err[mask].mean()) if n_s else float("nan")
    if task == "classification":
        denom = math.sqrt(overall * (1.0 - overall) / n_s) if n_s and 0 < overall < 1 else 0.0
    else:
        denom = sd / math.sqrt(n_s) if n_s and sd > 0 else 0.0
    z = (e_s - overall) / denom if denom > 0 else None
    return n_s, e_s, z


def _column_slices(col: Any) -> tuple[str, list[tuple[str, str, np.ndarray]], str | None]:
    """(kind, [(label, slice kind, mask)], note) for one raw column."""
    import pandas as pd

    s = col
    missing = s.isna().to_numpy()
    present = s[~missing]
    out: list[tuple[str, str, np.ndarray]] = []
    if pd.api.types.is_datetime64_any_dtype(s):
        return "datetime", [], "dates are not sliced"
    numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    n_unique = int(present.nunique())
    if numeric and n_unique > MAX_NUMERIC_LEVELS:
        kind = "numeric"
        bins = pd.qcut(present.astype(np.float64), 4, duplicates="drop")
        codes = np.full(len(s), -1)
        codes[~missing] = bins.cat.codes.to_numpy()
        for j, interval in enumerate(bins.cat.categories):
            label = f"{interval.left:.4g} to {interval.right:.4g}"
            out.append((label, f"quartile bin {j + 1}", codes == j))
    else:
        kind = "numeric levels" if numeric else "categorical"
        if n_unique > MAX_CATEGORIES:
            note = f"{n_unique} distinct values (an id or free text?): not sliced"
            if missing.any():
                out.append(("(missing)", "missing", missing))
            return kind, out, note
        values = s.to_numpy(dtype=object)
        for v in pd.unique(present.to_numpy(dtype=object)):
            out.append((str(v), "category", (values == v) & ~missing))
    if missing.any():
        out.append(("(missing)", "missing", missing))
    return kind, out, None


def error_analysis(
    X: Any,
    y: Any,
    oof_pred: Any,
    oof_proba: Any,
    frame: dict[str, Any],
    *,
    n_worst: int = 10,
) -> dict[str, Any]:
    """The worst out-of-fold predictions and the slices where errors concentrate (notes §5.5).

    Parameters
    ----------
    X : pandas.DataFrame of shape (n_samples, n_features)
        The raw feature table (row ``i`` is out-of-fold prediction ``i``).
    y : ndarray of shape (n_samples,)
        The target.
    oof_pred : ndarray of shape (n_samples,)
        Out-of-fold predictions.
    oof_proba : ndarray of shape (n_samples, n_classes) or None
        Out-of-fold probabilities, columns in sorted label order (classification only).
    frame : dict
        The framing section (``frame["task"]``).
    n_worst : int, default=10
        How many worst rows to list.

    Returns
    -------
    section : dict
        JSON-ready: ``task``, ``n_rows``, ``error_measure`` (ranking loss), ``slice_measure``,
        ``overall_error``, ``worst`` (rows {``row``, ``actual``, ``predicted``, ``loss``,
        ``p_true`` (classification with probabilities), ``residual`` (regression),
        ``features``}), ``slices`` ({``feature``, ``column_kind``, ``slice``, ``kind``, ``n``,
        ``error``, ``overall``, ``ratio``, ``z``, ``flagged``}), ``flagged`` (the flagged
        slices, largest z first, each with a ``sentence``), ``skipped_columns``,
        ``min_slice_rows``, ``thresholds``, ``rule``, ``summary`` (a sentence), and
        ``confusion_matrix`` (classification: ``labels``,
        ``matrix`` rows actual x columns predicted, ``per_class``) or ``residuals``
        (regression: summary, quantiles, ``by_prediction`` bins, ``points``).
    """
    task = frame.get("task") if isinstance(frame, dict) else None
    if task not in ("classification", "regression"):
        raise ValueError(
            f"error_analysis needs a classification or regression frame, got task {task!r}."
        )
    if not hasattr(X, "iloc"):
        raise ValueError("X must be a pandas DataFrame of the raw feature columns.")
    y = np.asarray(y)
    pred = np.asarray(oof_pred)
    n = len(X)
    if y.ndim != 1 or pred.ndim != 1 or len(y) != n or len(pred) != n:
        raise ValueError(
            f"y and oof_pred must be 1-D with one value per row of X ({n}); got shapes "
            f"{y.shape} and {pred.shape}."
        )
    if n == 0:
        raise ValueError("error_analysis needs at least one row.")
    proba = None
    if oof_proba is not None and task == "classification":
        proba = np.asarray(oof_proba, dtype=np.float64)
        if proba.ndim != 2 or proba.shape[0] != n:
            raise ValueError(
                f"oof_proba must have shape (n_samples, n_classes) with n_samples={n}; got "
                f"{proba.shape}."
            )
    if not isinstance(n_worst, numbers.Integral) or n_worst < 0:
        raise ValueError(f"n_worst must be a non-negative integer, got {n_worst!r}.")

    loss, err, loss_name, p_true = _row_losses(y, pred, proba, frame, task)
    overall = float(err.mean())
    sd = float(err.std())

    order = np.argsort(-loss, kind="stable")[: min(n_worst, n)]
    worst = []
    for i in order:
        row = {
            "row": int(i),
            "actual": json_ready(y[i]),
            "predicted": json_ready(pred[i]),
            "loss": float(loss[i]),
        }
        if p_true is not None:
            row["p_true"] = float(p_true[i])
        if task == "regression":
            row["residual"] = float(y[i]) - float(pred[i])
        row["features"] = {str(c): json_ready(v) for c, v in X.iloc[int(i)].items()}
        worst.append(row)

    min_rows = max(10, math.ceil(0.01 * n))
    slices = []
    skipped = []
    for c in X.columns:
        kind, parts, note = _column_slices(X[c])
        if note:
            skipped.append({"feature": str(c), "reason": note})
        for label, skind, mask in parts:
            n_s, e_s, z = _slice_stats(err, mask, overall, sd, task)
            if n_s == 0:
                continue
            ratio = e_s / overall if overall > 0 else None
            flagged = bool(
                n_s >= min_rows
                and ratio is not None
                and ratio >= SLICE_RATIO
                and z is not None
                and z >= SLICE_Z
            )
            slices.append(
                {
                    "feature": str(c),
                    "column_kind": kind,
                    "slice": label,
                    "kind": skind,
                    "n": n_s,
                    "error": e_s,
                    "overall": overall,
                    "ratio": ratio,
                    "z": z,
                    "flagged": flagged,
                }
            )
    what = "error rate" if task == "classification" else "mean absolute error"
    flagged_rows = sorted((s for s in slices if s["flagged"]), key=lambda s: -s["z"])
    flagged_out = [
        dict(
            s,
            sentence=f"{s['feature']} = {s['slice']} ({s['n']} rows): {what} {s['error']:.3g} "
            f"vs {overall:.3g} overall ({s['ratio']:.1f}x, z = {s['z']:.1f})",
        )
        for s in flagged_rows
    ]

    section: dict[str, Any] = {
        "task": task,
        "n_rows": n,
        "error_measure": loss_name,
        "slice_measure": what,
        "overall_error": overall,
        "worst": worst,
        "slices": slices,
        "flagged": flagged_out,
        "skipped_columns": skipped,
        "min_slice_rows": min_rows,
        "thresholds": {"ratio": SLICE_RATIO, "z": SLICE_Z, "min_rows": min_rows},
        "summary": _errors_summary(task, n, overall, flagged_out),
        "rule": f"a slice of at least {min_rows} rows is flagged when its {what} is at least "
        f"{SLICE_RATIO:g} times the overall {overall:.3g} and its one-sided z >= {SLICE_Z:g}",
    }
    if task == "classification":
        section["confusion_matrix"] = _confusion(y, pred)
    else:
        section["residuals"] = _residuals(y.astype(np.float64), pred.astype(np.float64))
    return json_ready(section)


def _errors_summary(task: str, n: int, overall: float, flagged: list[dict[str, Any]]) -> str:
    what = "error rate" if task == "classification" else "mean absolute error"
    head = f"out-of-fold {what} {overall:.3g} over {n} rows"
    if not flagged:
        return f"{head}; no slice stands out (errors spread evenly across the slices)"
    shown = "; ".join(s["sentence"] for s in flagged[:3])
    more = f" and {len(flagged) - 3} more" if len(flagged) > 3 else ""
    return f"{head}; errors concentrate in {len(flagged)} slice(s): {shown}{more}"


def _confusion(y: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    import pandas as pd

    try:
        labels = list(np.unique(np.concatenate([y, pred])))
    except TypeError:
        labels = list(pd.unique(np.concatenate([y, pred]).astype(object)))
    index = {c: j for j, c in enumerate(labels)}
    k = len(labels)
    ti = np.array([index[v] for v in y.tolist()])
    pi = np.array([index[v] for v in pred.tolist()])
    matrix = np.bincount(ti * k + pi, minlength=k * k).reshape(k, k)
    per_class = []
    for j, c in enumerate(labels):
        support = int(matrix[j].sum())
        predicted = int(matrix[:, j].sum())
        per_class.append(
            {
                "label": c,
                "n": support,
                "recall": matrix[j, j] / support if support else None,
                "precision": matrix[j, j] / predicted if predicted else None,
                "error_rate": 1.0 - matrix[j, j] / support if support else None,
            }
        )
    return {"labels": labels, "matrix": matrix, "per_class": per_class}


def _residuals(y: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    resid = y - pred
    q = np.percentile(resid, [5, 25, 50, 75, 95])
    by_pred = []
    n = len(y)
    if n >= 10:
        edges = np.unique(np.percentile(pred, np.linspace(0, 100, 11)))
        if len(edges) >= 2:
            codes = np.clip(np.searchsorted(edges, pred, side="right") - 1, 0, len(edges) - 2)
            for j in range(len(edges) - 1):
                mask = codes == j
                if mask.any():
                    by_pred.append(
                        {
                            "low": edges[j],
                            "high": edges[j + 1],
                            "n": int(mask.sum()),
                            "mean_residual": float(resid[mask].mean()),
                            "mae": float(np.abs(resid[mask]).mean()),
                        }
                    )
    pts = np.unique(np.linspace(0, n - 1, min(n, 500)).astype(int))
    return {
        "n": n,
        "mean": float(resid.mean()),
        "std": float(resid.std()),
        "mae": float(np.abs(resid).mean()),
        "rmse": float(np.sqrt(np.mean(resid**2))),
        "max_abs": float(np.abs(resid).max()),
        "quantiles": {"p5": q[0], "p25": q[1], "p50": q[2], "p75": q[3], "p95": q[4]},
        "by_prediction": by_pred,
        "points": {"prediction": pred[pts], "residual": resid[pts], "rows": pts},
    }


# ---------------------------------------------------------------------------------------------
# bootstrap_interval
# ---------------------------------------------------------------------------------------------


def bootstrap_interval(
    y: Any,
    oof_pred: Any,
    metric: str,
    *,
    seed: int,
    n_resamples: int = 1000,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Percentile bootstrap interval of the out-of-fold score (notes §12.2: the bootstrap).

    The :math:`n` pairs :math:`(y_i, \\hat y_i)` are resampled with replacement ``n_resamples``
    times (seeded), the metric is computed on each resample, and the interval is read from the
    :math:`\\alpha/2` and :math:`1 - \\alpha/2` percentiles, :math:`\\alpha = 1 -` confidence
    (:func:`lucidml.model_selection.bootstrap_score`).

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        The target.
    oof_pred : array-like of shape (n_samples,)
        Out-of-fold predictions.
    metric : {"accuracy", "r2"}
        The run's metric (other names :func:`bootstrap_score` knows are accepted too).
    seed : int
        Seed of the resampling.
    n_resamples : int, default=1000
        Number of resamples.
    confidence : float, default=0.95
        Coverage of the interval.

    Returns
    -------
    dict
        JSON-ready: ``metric``, ``score`` (on all rows), ``low``, ``high``, ``confidence``,
        ``std`` (bootstrap standard error), ``n_resamples``, ``n_rows`` and ``method``.
    """
    from ..model_selection import bootstrap_score
    from ..model_selection._bootstrap import _VECTORISED

    if metric not in _VECTORISED:
        raise ValueError(
            f"metric must be one of {sorted(_VECTORISED)} for a bootstrap interval, got {metric!r}."
        )
    y = np.asarray(y)
    pred = np.asarray(oof_pred)
    if y.ndim != 1 or pred.shape != y.shape:
        raise ValueError(
            f"y and oof_pred must be 1-D of the same length; got shapes {y.shape} and {pred.shape}."
        )
    if y.dtype == object or pred.dtype == object:
        # labels of mixed Python types compare element-wise as objects
        y, pred = y.astype(object), pred.astype(object)
    res = bootstrap_score(
        y, pred, metric, n_resamples=n_resamples, confidence=confidence, random_state=seed
    )
    return json_ready(
        {
            "metric": metric,
            "score": res["estimate"],
            "low": res["low"],
            "high": res["high"],
            "confidence": float(confidence),
            "std": res["std"],
            "n_resamples": int(n_resamples),
            "n_rows": int(len(y)),
            "method": f"percentile bootstrap of the out-of-fold {metric}: {n_resamples} "
            f"resamples of the {len(y)} rows with replacement, seed {seed}",
        }
    )
