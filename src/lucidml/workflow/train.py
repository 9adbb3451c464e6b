r"""Step 4 of the notes' workflow (§5): train and tune candidate models within a trial budget.

Every candidate is a lucidml :class:`~lucidml.pipeline.Pipeline` of a preprocessor from the
features step and one model, scored by the run's one cross-validation splitter ``cv`` on the
contract's metric (accuracy for classification, :math:`R^2` for regression):

.. math::

    \widehat{\mathrm{score}} = \frac{1}{k} \sum_{i=1}^{k} s\big(f_{-i}, X_{F_i}, y_{F_i}\big).

How the budget is spent (``trials`` counts configurations, never seconds, so ``seed`` reproduces
a run exactly):

1. **Allocation.** Each candidate gets a weight, its family's weight in
   ``frame["candidate_weights"]`` (1.0 when absent) shared by the candidates of that family. If
   there are fewer trials than candidates, the heaviest candidates get one trial each. Otherwise
   each gets one, and the rest go one at a time to the open candidate with the largest
   ``weight / trials so far`` (D'Hondt's highest-averages rule). A candidate without a search
   space gets one trial, a naive Bayes model at most :data:`NB_MAX_TRIALS`, the random forest at
   most ``max(1, round(FOREST_TRIAL_SHARE * trials))`` and gradient boosting at most
   ``max(1, round(BOOSTING_TRIAL_SHARE * trials))`` (the two costliest fits).
2. **Tuning.** Trial 1 of a candidate is its default; later trials draw random configurations
   from its search space with ``np.random.default_rng([seed, crc32(name)])`` (a repeated
   configuration is drawn again). Trials are scored by ``cv`` on a tuning sample of at most
   :data:`TUNING_ROWS` rows (stratified by class), with each preprocessor fitted once per fold
   and shared by all trials, exactly as the pipeline would fit it. A trial whose fit fails is
   recorded with its error and skipped.
3. **Finalists.** The best configuration of the :data:`N_FINALISTS` best candidates of different
   families is scored again by ``cv`` on all rows; these are the returned models, with their
   out-of-fold predictions on the same folds for every model.

Bounds that keep the step near 90 s on 50,000 rows x 10 columns on 2 cores (all stated in the
section): the tuning sample; the forest's trial cap, :data:`FOREST_TUNING_TREES` trees per tuning
fit and, when scoring finalists, :data:`FOREST_TREES` trees of at most
``FOREST_TREE_ROWS // FOREST_TREES`` bootstrap rows each; boosting's trial cap and at most 200
iterations; the MLP with at most ``clip(MLP_ROW_EPOCHS / n_rows, 20, 200)`` epochs (both stop
early from :data:`EARLY_STOPPING_ROWS` rows on); training scores measured on at most
:data:`TRAIN_SCORE_ROWS` rows of each training fold. A classifier's label is the most probable
class of its ``predict_proba`` (one neighbour search per fold for k-NN).
"""

from __future__ import annotations

import math
import time
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..base import clone
from ._errors import WorkflowError
from ._json import json_ready
from ._sampling import sample_rows

__all__ = [
    "FOREST_TREES",
    "FOREST_TREE_ROWS",
    "FOREST_TUNING_TREES",
    "N_FINALISTS",
    "TRAIN_SCORE_ROWS",
    "TUNING_ROWS",
    "progress_total",
    "train_models",
]

TUNING_ROWS = 4000
"""Most rows of the (stratified) sample the trials are scored on."""
N_FINALISTS = 3
"""Candidates (of different families) scored on all rows and returned."""
TRAIN_SCORE_ROWS = 2000
"""Most rows of each training fold the training score is measured on."""
FOREST_TREES = 100
"""Trees of a finalist random forest."""
FOREST_TUNING_TREES = 25
"""Trees of a random forest while tuning (its other parameters matter, not the tree count)."""
FOREST_TREE_ROWS = 400_000
"""Trees x bootstrap rows per tree of one finalist forest fit (``max_samples`` caps the rows)."""
FOREST_TRIAL_SHARE = 0.1
"""Largest share of the trials the forest may take."""
BOOSTING_TRIAL_SHARE = 0.15
"""Largest share of the trials gradient boosting may take (its fits are the costliest)."""
NB_MAX_TRIALS = 4
"""Most trials of a naive Bayes model (its space is one smoothing parameter)."""
MLP_ROW_EPOCHS = 2_000_000
"""Epochs x rows an MLP may spend: ``max_iter = clip(MLP_ROW_EPOCHS / n_rows, 20, 200)``."""
MLP_UNFAVOURED_WEIGHT = 0.5
"""The MLP family's weight when the frame says deep learning is not favoured and gives none."""
BOOSTING_MAX_ITER = (100, 200)
"""Boosting iterations searched (with early stopping on a 10% validation split)."""
EARLY_STOPPING_ROWS = 2000
"""Boosting and the MLP stop early (on a 10% validation split) from this many rows on; below,
a tenth of the rows is too few to judge by, and the full budget is cheap."""

_FAMILY_ALIASES = {
    "linear": "linear",
    "logistic": "linear",
    "logistic_regression": "linear",
    "linear_model": "linear",
    "linear_regression": "linear",
    "ridge": "linear",
    "lasso": "linear",
    "naive_bayes": "naive_bayes",
    "nb": "naive_bayes",
    "bayes": "naive_bayes",
    "knn": "knn",
    "k_nn": "knn",
    "neighbors": "knn",
    "kneighbors": "knn",
    "tree": "tree",
    "decision_tree": "tree",
    "forest": "forest",
    "random_forest": "forest",
    "boosting": "boosting",
    "gradient_boosting": "boosting",
    "mlp": "mlp",
    "neural_network": "mlp",
    "nn": "mlp",
    "deep_learning": "mlp",
}


# -- search spaces -----------------------------------------------------------------------------


def _sig(value: float) -> float:
    """``value`` to 3 significant digits, so the reported parameters are the ones used."""
    return float(f"{value:.3g}")


def _log_uniform(low: float, high: float) -> Callable[[np.random.Generator], float]:
    return lambda rng: _sig(math.exp(rng.uniform(math.log(low), math.log(high))))


def _choice(values: list[Any]) -> Callable[[np.random.Generator], Any]:
    return lambda rng: values[int(rng.integers(len(values)))]


@dataclass
class _Candidate:
    """One model family member: how to build it, its default and its search space."""

    name: str
    family: str
    prep: str
    build: Callable[..., Any]  # build(params, stage, n_train_min) -> unfitted estimator
    default: dict[str, Any]
    space: dict[str, Callable[[np.random.Generator], Any]] = field(default_factory=dict)
    max_trials: int | None = None


def _candidates(
    task: str, seed: int, class_weight: str | None, n_rows: int, has_binned: bool
) -> list[_Candidate]:
    """The candidate list for ``task``, each with its fixed settings bound in ``build``."""
    from ..ensemble import (
        GradientBoostingClassifier,
        GradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from ..linear_model import Lasso, LinearRegression, LogisticRegression, Ridge
    from ..naive_bayes import CategoricalNB, GaussianNB
    from ..neighbors import KNeighborsClassifier, KNeighborsRegressor
    from ..nn import MLPClassifier, MLPRegressor
    from ..tree import DecisionTreeClassifier, DecisionTreeRegressor

    clf = task == "classification"
    cw = {"class_weight": class_weight} if clf and class_weight else {}
    mlp_epochs = int(min(200, max(20, math.ceil(MLP_ROW_EPOCHS / max(n_rows, 1)))))

    def plain(cls: type, **fixed: Any) -> Callable[..., Any]:
        return lambda params, stage, n_train: cls(**fixed, **params)

    def forest(cls: type, **fixed: Any) -> Callable[..., Any]:
        def build(params: dict[str, Any], stage: str, n_train: int) -> Any:
            if stage == "tune":
                return cls(**fixed, **params, n_estimators=FOREST_TUNING_TREES)
            # a fraction, not a count, so the same pipeline also fits on smaller row sets
            # (learning curves, folds of a stacking meta-model)
            rows = FOREST_TREE_ROWS // FOREST_TREES
            cap = {"max_samples": rows / n_train} if rows < n_train else {}
            return cls(**fixed, **params, n_estimators=FOREST_TREES, **cap)

        return build

    knn_space = {
        "n_neighbors": _choice([1, 3, 5, 7, 9, 11, 15, 21, 31, 41, 51]),
        "weights": _choice(["uniform", "distance"]),
        "p": _choice([1, 2]),
    }
    tree_space = {
        "max_depth": _choice([None, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20]),
        "min_samples_leaf": _choice([1, 2, 5, 10, 20, 50]),
        "max_features": _choice([None, "sqrt", 0.5]),
    }
    forest_space = {
        "max_features": _choice(["sqrt", "log2", 0.5, 1.0]),
        "min_samples_leaf": _choice([1, 2, 4, 8]),
        "max_depth": _choice([None, 8, 12, 20]),
    }
    boosting_space = {
        "learning_rate": _log_uniform(0.03, 0.3),
        "max_iter": _choice(list(BOOSTING_MAX_ITER)),
        "max_leaf_nodes": _choice([7, 15, 31]),
        "min_samples_leaf": _choice([5, 10, 20, 50]),
        "l2_regularization": _choice([0.0, 0.1, 1.0, 10.0]),
    }
    mlp_space = {
        "hidden_layer_sizes": _choice([(32,), (64,), (100,), (64, 32), (128, 64)]),
        "alpha": _log_uniform(1e-6, 1e-1),
        "learning_rate_init": _log_uniform(3e-4, 1e-2),
    }
    rs = {"random_state": seed}
    early = n_rows >= EARLY_STOPPING_ROWS
    boost_fixed = {"early_stopping": early, **rs}
    mlp_fixed = {"early_stopping": early, "max_iter": mlp_epochs, **rs}
    if clf:
        cands = [
            _Candidate(
                "LogisticRegression",
                "linear",
                "scaled",
                plain(LogisticRegression, max_iter=300, **cw),
                {},
                {"C": _log_uniform(1e-3, 1e2)},
            ),
            _Candidate(
                "GaussianNB",
                "naive_bayes",
                "scaled",
                plain(GaussianNB),
                {},
                {"var_smoothing": _log_uniform(1e-11, 1e-2)},
                NB_MAX_TRIALS,
            ),
        ]
        if has_binned:
            cands.append(
                _Candidate(
                    "CategoricalNB",
                    "naive_bayes",
                    "binned",
                    plain(CategoricalNB),
                    {},
                    {"alpha": _log_uniform(1e-2, 10.0)},
                    NB_MAX_TRIALS,
                )
            )
        cands += [
            _Candidate(
                "KNeighborsClassifier", "knn", "scaled", plain(KNeighborsClassifier), {}, knn_space
            ),
            _Candidate(
                "DecisionTreeClassifier",
                "tree",
                "trees",
                plain(DecisionTreeClassifier, **rs, **cw),
                {},
                {**tree_space, "criterion": _choice(["gini", "entropy"])},
            ),
            _Candidate(
                "RandomForestClassifier",
                "forest",
                "trees",
                forest(RandomForestClassifier, **rs, **cw),
                {},
                {**forest_space, "criterion": _choice(["gini", "entropy"])},
            ),
            _Candidate(
                "GradientBoostingClassifier",
                "boosting",
                "trees",
                plain(GradientBoostingClassifier, **boost_fixed),
                {},
                boosting_space,
            ),
            _Candidate(
                "MLPClassifier",
                "mlp",
                "scaled",
                plain(MLPClassifier, **mlp_fixed, **cw),
                {},
                mlp_space,
            ),
        ]
    else:
        cands = [
            _Candidate("LinearRegression", "linear", "scaled", plain(LinearRegression), {}, {}),
            _Candidate(
                "Ridge", "linear", "scaled", plain(Ridge), {}, {"alpha": _log_uniform(1e-3, 1e3)}
            ),
            _Candidate(
                "Lasso",
                "linear",
                "scaled",
                plain(Lasso, max_iter=2000),
                {},
                {"alpha": _log_uniform(1e-4, 1e1)},
            ),
            _Candidate(
                "KNeighborsRegressor", "knn", "scaled", plain(KNeighborsRegressor), {}, knn_space
            ),
            _Candidate(
                "DecisionTreeRegressor",
                "tree",
                "trees",
                plain(DecisionTreeRegressor, **rs),
                {},
                tree_space,
            ),
            _Candidate(
                "RandomForestRegressor",
                "forest",
                "trees",
                forest(RandomForestRegressor, **rs),
                {},
                forest_space,
            ),
            _Candidate(
                "GradientBoostingRegressor",
                "boosting",
                "trees",
                plain(GradientBoostingRegressor, **boost_fixed),
                {},
                boosting_space,
            ),
            _Candidate(
                "MLPRegressor", "mlp", "scaled", plain(MLPRegressor, **mlp_fixed), {}, mlp_space
            ),
        ]
    for c in cands:
        if not c.space:
            c.max_trials = 1
    return cands


def _allocate(cands: list[_Candidate], weights: list[float], trials: int) -> list[int]:
    """Trials per candidate (see the module docstring): one each, then D'Hondt by weight."""
    share = {
        "forest": max(1, round(FOREST_TRIAL_SHARE * trials)),
        "boosting": max(1, round(BOOSTING_TRIAL_SHARE * trials)),
    }
    caps = [min(c.max_trials or trials, share.get(c.family, trials)) for c in cands]
    order = sorted((i for i in range(len(cands)) if weights[i] > 0), key=lambda i: -weights[i])
    n = [0] * len(cands)
    for i in order[:trials]:
        n[i] = 1
    left = trials - sum(n)
    while left > 0:
        open_ = [i for i in order if n[i] < caps[i]]
        if not open_:
            break
        best = max(open_, key=lambda i: (weights[i] / n[i], -order.index(i)))
        n[best] += 1
        left -= 1
    return n


# -- folds, preprocessed once per fold ----------------------------------------------------------


class _Folds:
    """The ``cv`` folds of one set of rows, each preprocessor fitted once per training fold.

    ``get(kind, f)`` returns the preprocessed training and test parts of fold ``f`` (and the
    seconds the preprocessor took), fitted on the training part with ``fit_transform(X, y)``
    exactly as :class:`~lucidml.pipeline.Pipeline` fits it, so a model fitted on them is the
    pipeline's model.
    """

    def __init__(self, X: Any, y: np.ndarray, splits: list, preprocessors: dict, seed: int):
        self.X, self.y, self.splits, self.preprocessors = X, y, splits, preprocessors
        self._cache: dict[tuple[str, int], tuple[Any, Any, float]] = {}
        self.train_rows = []
        for f, (train, _) in enumerate(splits):
            m = min(len(train), TRAIN_SCORE_ROWS)
            rng = np.random.default_rng([seed, 7919, f])
            self.train_rows.append(np.sort(rng.choice(len(train), size=m, replace=False)))

    def get(self, kind: str, f: int) -> tuple[Any, Any, float]:
        key = (kind, f)
        if key not in self._cache:
            train, test = self.splits[f]
            prep = clone(self.preprocessors[kind])
            start = time.perf_counter()
            Z_train = prep.fit_transform(self.X.iloc[train], self.y[train])
            seconds = time.perf_counter() - start
            self._cache[key] = (Z_train, prep.transform(self.X.iloc[test]), seconds)
        return self._cache[key]

    def drop(self, kind: str) -> None:
        for key in [k for k in self._cache if k[0] == kind]:
            del self._cache[key]


def _score(task: str, y_true: np.ndarray, y_pred: np.ndarray) -> float:
    from ..metrics import accuracy_score, r2_score

    if task == "classification":
        return float(accuracy_score(y_true, y_pred))
    return float(r2_score(y_true, y_pred))


def _error_text(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def _evaluate(
    estimator: Any, folds: _Folds, kind: str, task: str, classes: np.ndarray | None
) -> dict[str, Any]:
    """Fit ``estimator`` on every training fold; out-of-fold predictions and scores.

    Returns a dict with ``error`` (None or the first failure's text), ``scores``,
    ``train_scores``, ``fit_seconds`` (per fold, preprocessing included), ``oof_pred``,
    ``oof_proba`` and ``train_folds`` (per fold: the training-sample rows and their predictions),
    and ``warnings`` (distinct warning messages, at most 3).
    """
    y = folds.y
    n = len(y)
    clf = task == "classification"
    oof_pred = np.empty(n, dtype=y.dtype if clf else np.float64)
    oof_proba = np.zeros((n, len(classes))) if clf else None
    out: dict[str, Any] = {"error": None, "warnings": [], "scores": [], "train_scores": []}
    out["fit_seconds"], out["train_folds"] = [], []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for f, (train, test) in enumerate(folds.splits):
                Z_train, Z_test, prep_seconds = folds.get(kind, f)
                model = clone(estimator)
                start = time.perf_counter()
                model.fit(Z_train, y[train])
                out["fit_seconds"].append(prep_seconds + time.perf_counter() - start)
                rows = folds.train_rows[f]
                train_proba = None
                if clf:
                    # One pass per row set: the label is the most probable class (what every
                    # lucidml classifier's predict returns), so k-NN searches neighbours once.
                    cols = np.searchsorted(classes, model.classes_)
                    proba = model.predict_proba(Z_test)
                    if not np.all(np.isfinite(proba)):
                        raise ValueError("the model predicted non-finite probabilities")
                    pred = model.classes_[np.argmax(proba, axis=1)]
                    oof_proba[np.ix_(test, cols)] = proba
                    train_proba = np.zeros((len(rows), len(classes)))
                    train_proba[:, cols] = model.predict_proba(Z_train[rows])
                    train_pred = classes[np.argmax(train_proba, axis=1)]
                else:
                    pred = model.predict(Z_test)
                    train_pred = model.predict(Z_train[rows])
                    if not (np.all(np.isfinite(pred)) and np.all(np.isfinite(train_pred))):
                        raise ValueError("the model predicted non-finite values")
                oof_pred[test] = pred
                out["scores"].append(_score(task, y[test], pred))
                out["train_scores"].append(_score(task, y[train][rows], train_pred))
                out["train_folds"].append((train[rows], train_pred, train_proba))
        except Exception as exc:  # a failing model is recorded and skipped, never fatal
            out["error"] = _error_text(exc)
    messages: list[str] = []
    for w in caught:
        text = str(w.message).strip().splitlines()[0][:200] if str(w.message).strip() else ""
        if text and text not in messages and len(messages) < 3:
            messages.append(text)
    out["warnings"] = messages
    out["oof_pred"], out["oof_proba"] = oof_pred, oof_proba
    return out


# -- helpers ------------------------------------------------------------------------------------


def _mean(values: list[float]) -> float | None:
    return float(np.mean(values)) if values else None


def _tick(progress: Any) -> None:
    if progress is None:
        return
    if hasattr(progress, "update"):
        progress.update(1)
    else:
        progress(1)


def progress_total(trials: int) -> int:
    """How many units :func:`train_models` reports to ``progress``: ``trials + N_FINALISTS``."""
    return int(trials) + N_FINALISTS


def _tuning_rows(y: np.ndarray, task: str, n_splits: int, seed: int) -> np.ndarray | None:
    """Row indices of the tuning sample (sorted), or None when every row is used.

    Classification keeps each class's share and at least ``min(count, n_splits)`` rows of it.
    """
    if len(y) <= TUNING_ROWS:
        return None
    return sample_rows(y, task, TUNING_ROWS, [seed, 104729], min_per_class=n_splits)


def _weights(frame: dict, cands: list[_Candidate]) -> tuple[list[float], dict[str, float]]:
    given = frame.get("candidate_weights") or {}
    if not isinstance(given, dict):
        raise WorkflowError("frame['candidate_weights'] must be a dict {family: weight}.")
    family_w: dict[str, float] = {}
    for key, w in given.items():
        fam = _FAMILY_ALIASES.get(str(key).lower().replace("-", "_").replace(" ", "_"))
        if fam is not None:
            try:
                family_w[fam] = max(0.0, float(w))
            except (TypeError, ValueError) as exc:
                raise WorkflowError(f"candidate weight {key!r} is not a number: {w!r}.") from exc
    favoured = (frame.get("deep_learning") or {}).get("favoured", True)
    if "mlp" not in family_w and favoured is False:
        family_w["mlp"] = MLP_UNFAVOURED_WEIGHT  # notes §1: small tabular data -> fewer MLP trials
    per_family: dict[str, int] = {}
    for c in cands:
        per_family[c.family] = per_family.get(c.family, 0) + 1
    used = {c.family: family_w.get(c.family, 1.0) for c in cands}
    return [used[c.family] / per_family[c.family] for c in cands], used


def _check_inputs(X: Any, y: Any, preprocessors: Any, frame: Any, trials: Any) -> np.ndarray:
    if not hasattr(X, "iloc"):
        raise WorkflowError("train_models needs X as a pandas DataFrame of the raw features.")
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise WorkflowError(
            f"X has {len(X)} rows but y has shape {y.shape}; they must describe the same rows."
        )
    if not isinstance(frame, dict) or frame.get("task") not in ("classification", "regression"):
        raise WorkflowError(
            "train_models needs frame['task'] to be 'classification' or 'regression'."
        )
    if isinstance(trials, bool) or not isinstance(trials, (int, np.integer)) or trials < 1:
        raise WorkflowError(f"--trials must be a whole number >= 1; got {trials!r}.")
    if not isinstance(preprocessors, dict) or not (
        "scaled" in preprocessors or "trees" in preprocessors
    ):
        raise WorkflowError(
            "train_models needs a 'scaled' or 'trees' preprocessor from the features step."
        )
    return y


# -- the step -----------------------------------------------------------------------------------


def train_models(
    X: Any,
    y: Any,
    preprocessors: dict[str, Any],
    frame: dict[str, Any],
    data_section: dict[str, Any],
    *,
    cv: Any,
    seed: int,
    trials: int = 40,
    progress: Callable[[int], None] | Any | None = None,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Tune the candidates within ``trials`` configurations and score the finalists on all rows.

    Parameters
    ----------
    X : pandas.DataFrame of shape (n_samples, n_columns)
        The raw feature columns; the preprocessors pick their columns by name.
    y : ndarray of shape (n_samples,)
        Labels (classification) or float targets (regression).
    preprocessors : dict of str to transformer
        Unfitted preprocessors from the features step: ``"scaled"`` (linear models, k-NN, MLP,
        Gaussian NB), ``"trees"`` (tree, forest, boosting), ``"binned"`` (categorical NB; the
        candidate is left out without it). A missing one falls back to the other of
        ``"scaled"`` / ``"trees"``.
    frame : dict
        The framing section: ``task`` and ``candidate_weights`` ({family: weight}; families
        ``linear``, ``naive_bayes``, ``knn``, ``tree``, ``forest``, ``boosting``, ``mlp``;
        weight 0 leaves a family out).
    data_section : dict
        The data-check section; ``class_balance.class_weight == "balanced"`` turns on class
        weights for the models that take them (logistic regression, tree, forest, MLP).
    cv : splitter
        The run's splitter (``split(X, y)``), used for tuning and for the final scores.
    seed : int
        Seeds the tuning sample, the configurations and every model's ``random_state``.
    trials : int, default=40
        Number of configurations tried in all (each candidate's first is its default).
    progress : callable or tqdm-like, optional
        Called with 1 (or ``.update(1)``) per trial and per finalist: exactly
        :func:`progress_total` ``(trials)`` units in all.

    Returns
    -------
    models : list of dict
        The finalists, best first: ``name``, ``family``, ``params``, ``pipeline`` (unfitted
        lucidml Pipeline ``[("preprocess", ...), ("model", ...)]``), ``cv_score``, ``cv_std``
        (population std of the fold scores), ``fold_scores``, ``train_score`` (mean over folds
        of the score on at most ``TRAIN_SCORE_ROWS`` training rows), ``fit_seconds`` (mean per
        fold, preprocessing included), ``oof_pred`` (n_samples,), ``oof_proba``
        (n_samples, n_classes) in sorted label order or None, ``preprocessor`` (its key) and
        ``train_folds`` (per fold: training-sample rows, their predictions and probabilities,
        used by the fusion step).
    section : dict
        JSON-ready: ``metric``, ``leaderboard`` (one row per candidate), ``trials`` (every
        trial, with its error when it failed), ``failures``, ``budget``, ``tuning``,
        ``final_scoring``, ``bounds`` (sentences), ``class_weight``, ``trials_requested``,
        ``trials_spent``, ``best``.

    Raises
    ------
    WorkflowError
        Bad inputs, or every candidate failed to fit.
    """
    y = _check_inputs(X, y, preprocessors, frame, trials)
    trials = int(trials)
    task = frame["task"]
    clf = task == "classification"
    metric = "accuracy" if clf else "r2"
    if not clf:
        y = y.astype(np.float64)
    try:
        classes = np.unique(y) if clf else None
    except TypeError as exc:
        raise WorkflowError(
            "the target's labels mix types (e.g. numbers and text); make them one type."
        ) from exc
    balance = (data_section or {}).get("class_balance") or {}
    class_weight = "balanced" if clf and balance.get("class_weight") == "balanced" else None
    preps = dict(preprocessors)
    for a, b in (("scaled", "trees"), ("trees", "scaled")):
        if a not in preps:
            preps[a] = preps[b]
    n = len(y)
    n_splits = int(cv.get_n_splits()) if hasattr(cv, "get_n_splits") else 5

    cands = _candidates(task, seed, class_weight, n, "binned" in preps)
    weights, family_weights = _weights(frame, cands)
    budget = _allocate(cands, weights, trials)

    # Tuning sample and its folds; the final folds are the run's folds on all rows.
    rows = _tuning_rows(y, task, n_splits, seed)
    X_tune = X if rows is None else X.iloc[rows]
    y_tune = y if rows is None else y[rows]
    tune_splits = list(cv.split(X_tune, y_tune))
    tune = _Folds(X_tune, y_tune, tune_splits, preps, seed)
    tune_min_train = min(len(tr) for tr, _ in tune_splits)

    trial_log: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    best: dict[str, dict[str, Any]] = {}
    spent = 0
    for cand, n_trials, weight in zip(cands, budget, weights, strict=True):
        rng = np.random.default_rng([seed, zlib.crc32(cand.name.encode())])
        seen: list[dict[str, Any]] = []
        for t in range(n_trials):
            params = dict(cand.default)
            if t > 0:
                for _ in range(50):
                    params = {k: draw(rng) for k, draw in cand.space.items()}
                    if params not in seen:
                        break
                else:
                    break  # the space is exhausted: the candidate's other trials are forfeited
            seen.append(params)
            try:
                est = cand.build(params, "tune", tune_min_train)
                res = _evaluate(est, tune, cand.prep, task, classes)
            except Exception as exc:  # a bad configuration is recorded, never fatal
                res = {"error": _error_text(exc), "scores": [], "warnings": []}
            spent += 1
            _tick(progress)
            score = _mean(res["scores"]) if res["error"] is None else None
            entry = {
                "candidate": cand.name,
                "family": cand.family,
                "trial": t + 1,
                "params": json_ready(params),
                "score": score,
                "std": float(np.std(res["scores"])) if score is not None else None,
                "error": res["error"],
                "warnings": res["warnings"],
            }
            trial_log.append(entry)
            if res["error"] is not None:
                failures.append({"candidate": cand.name, "trial": t + 1, "error": res["error"]})
            elif cand.name not in best or score > best[cand.name]["score"]:
                best[cand.name] = {"score": score, "std": entry["std"], "params": params}
        best.setdefault(cand.name, {"score": None, "params": None})
        best[cand.name]["n_trials"] = sum(1 for e in trial_log if e["candidate"] == cand.name)
        best[cand.name]["weight"] = weight
    for _ in range(trials - spent):
        _tick(progress)
    if rows is not None:
        for kind in preps:
            tune.drop(kind)

    ranked = sorted(
        (i for i, c in enumerate(cands) if best[c.name]["score"] is not None),
        key=lambda i: -best[cands[i].name]["score"],
    )
    if not ranked:
        first = failures[0]["error"] if failures else "no candidate was given a trial"
        raise WorkflowError(
            f"every candidate model failed to fit ({first}); check the features step's output "
            "and the data."
        )

    # Finalists: best of each of the N_FINALISTS leading families, scored on all rows.
    splits = tune_splits if rows is None else list(cv.split(X, y))
    full = tune if rows is None else _Folds(X, y, splits, preps, seed)
    min_train = min(len(tr) for tr, _ in splits)
    models: list[dict[str, Any]] = []
    finals: dict[str, dict[str, Any]] = {}
    families: set[str] = set()
    pending = list(ranked)
    picked: list[int] = []
    while pending and len(models) < N_FINALISTS:
        i = pending.pop(0)
        cand = cands[i]
        if cand.family in families:
            continue
        for kind in preps:  # keep one preprocessor's folds in memory at a time
            if kind != cand.prep:
                full.drop(kind)
        params = best[cand.name]["params"]
        est = cand.build(params, "final", min_train)
        res = _evaluate(est, full, cand.prep, task, classes)
        picked.append(i)
        if len(picked) <= N_FINALISTS:  # a replacement for a failed finalist adds no unit
            _tick(progress)
        if res["error"] is not None:
            failures.append({"candidate": cand.name, "trial": "final", "error": res["error"]})
            finals[cand.name] = {"error": res["error"]}
            continue
        families.add(cand.family)
        from ..pipeline import Pipeline

        pipeline = Pipeline([("preprocess", clone(preps[cand.prep])), ("model", est)])
        model_params = est.get_params(deep=False)
        cv_score = float(np.mean(res["scores"]))
        finals[cand.name] = {"cv_score": cv_score, "cv_std": float(np.std(res["scores"]))}
        models.append(
            {
                "name": cand.name,
                "family": cand.family,
                "params": json_ready(_changed_params(est, model_params)),
                "pipeline": pipeline,
                "cv_score": cv_score,
                "cv_std": float(np.std(res["scores"])),
                "fold_scores": [float(s) for s in res["scores"]],
                "train_score": float(np.mean(res["train_scores"])),
                "fit_seconds": float(np.mean(res["fit_seconds"])),
                "oof_pred": res["oof_pred"],
                "oof_proba": res["oof_proba"],
                "preprocessor": cand.prep,
                "train_folds": res["train_folds"],
                "warnings": res["warnings"],
            }
        )
    for _ in range(N_FINALISTS - len(picked)):
        _tick(progress)
    if not models:
        raise WorkflowError(
            f"every finalist model failed to fit on all rows ({failures[-1]['error']}); "
            "check the features step's output and the data."
        )
    models.sort(key=lambda m: -m["cv_score"])

    section = _section(
        task,
        metric,
        cands,
        best,
        finals,
        models,
        trial_log,
        failures,
        budget,
        family_weights,
        rows,
        n,
        len(splits),
        trials,
        spent,
        class_weight,
    )
    return models, section


def _changed_params(est: Any, params: dict[str, Any]) -> dict[str, Any]:
    """The model's parameters that differ from its class defaults (the ones worth reporting)."""
    defaults = type(est)().get_params(deep=False)
    return {k: v for k, v in params.items() if k not in defaults or defaults[k] != v}


def _section(
    task: str,
    metric: str,
    cands: list[_Candidate],
    best: dict[str, dict[str, Any]],
    finals: dict[str, dict[str, Any]],
    models: list[dict[str, Any]],
    trial_log: list[dict[str, Any]],
    failures: list[dict[str, Any]],
    budget: list[int],
    family_weights: dict[str, float],
    rows: np.ndarray | None,
    n: int,
    n_splits: int,
    trials: int,
    spent: int,
    class_weight: str | None,
) -> dict[str, Any]:
    n_tune = n if rows is None else len(rows)
    by_name = {m["name"]: m for m in models}
    board, not_tried = [], []
    for c, n_budget in zip(cands, budget, strict=True):
        b = best[c.name]
        if b["n_trials"] == 0:
            reason = (
                "left out: its family's weight is 0"
                if n_budget == 0 and family_weights.get(c.family, 1.0) == 0
                else "not tried: fewer trials than candidates"
            )
            not_tried.append({"name": c.name, "family": c.family, "reason": reason})
            continue
        row = {
            "name": c.name,
            "family": c.family,
            "params": json_ready(b["params"]) if b["params"] is not None else None,
            "cv_score": None,
            "cv_std": None,
            "fit_seconds": None,
            "n_trials": b["n_trials"],
            "tuning_score": b["score"],
            "scored_on": "not scored (every trial failed)"
            if b["score"] is None
            else f"tuning sample ({n_tune} rows)",
            "finalist": c.name in by_name,
            "error": finals.get(c.name, {}).get("error"),
        }
        if c.name in by_name:
            m = by_name[c.name]
            row.update(
                params=m["params"],
                cv_score=m["cv_score"],
                cv_std=m["cv_std"],
                fit_seconds=m["fit_seconds"],
                scored_on=f"all {n} rows ({n_splits}-fold cv)",
            )
        elif b["score"] is not None:
            row.update(cv_score=b["score"], cv_std=b.get("std"))
        board.append(row)

    def key(r: dict[str, Any]) -> tuple:
        return (not r["finalist"], r["cv_score"] is None, -(r["cv_score"] or 0.0))

    board.sort(key=key)
    forest_rows = FOREST_TREE_ROWS // FOREST_TREES
    sample = (
        f"all {n} rows"
        if rows is None
        else f"a {'stratified ' if task == 'classification' else ''}sample of {n_tune} of {n} rows"
    )
    bounds = [
        f"Trials are scored by {n_splits}-fold cross-validation on {sample} "
        f"(at most {TUNING_ROWS} rows); the {N_FINALISTS} best candidates of different "
        f"families are scored again on all {n} rows with the same splitter.",
        f"The random forest takes at most {max(1, round(FOREST_TRIAL_SHARE * trials))} trials, "
        f"fits {FOREST_TUNING_TREES} trees while tuning and {FOREST_TREES} trees of at most "
        f"{forest_rows} bootstrap rows each when scored on all rows.",
        f"Gradient boosting takes at most {max(1, round(BOOSTING_TRIAL_SHARE * trials))} "
        f"trials and searches {list(BOOSTING_MAX_ITER)} iterations; it and the MLP "
        f"stop early on a 10% validation split when there are at least {EARLY_STOPPING_ROWS} "
        f"rows ({'yes' if n >= EARLY_STOPPING_ROWS else 'no'} here).",
        f"The MLP trains for at most clip({MLP_ROW_EPOCHS:,} / {n} rows, 20, 200) = "
        f"{int(min(200, max(20, math.ceil(MLP_ROW_EPOCHS / max(n, 1)))))} epochs.",
        f"Training scores are measured on at most {TRAIN_SCORE_ROWS} rows of each training fold.",
        f"A naive Bayes model takes at most {NB_MAX_TRIALS} trials; a model without "
        "hyper-parameters one.",
    ]
    leader = models[0]
    return json_ready(
        {
            "task": task,
            "metric": metric,
            "best": leader["name"],
            "best_cv_score": leader["cv_score"],
            "leaderboard": board,
            "trials": trial_log,
            "failures": failures,
            "not_tried": not_tried,
            "budget": {c.name: b for c, b in zip(cands, budget, strict=True)},
            "family_weights": family_weights,
            "trials_requested": trials,
            "trials_spent": spent,
            "class_weight": class_weight,
            "tuning": {
                "rows": n_tune,
                "of_rows": n,
                "sampled": rows is not None,
                "stratified": rows is not None and task == "classification",
                "folds": n_splits,
            },
            "final_scoring": {
                "rows": n,
                "folds": n_splits,
                "models": [m["name"] for m in models],
                "sentence": f"The finalists were scored by {n_splits}-fold cross-validation on "
                f"all {n} rows, on the same folds for every model.",
            },
            "bounds": bounds,
        }
    )
