"""Cross-validation and the diagnostic curves (notes §12 and §5.5).

k-fold cross-validation estimates a model's generalisation score by fitting it :math:`k` times,
each time on all folds but one, and scoring it on the fold left out:

.. math::

    \\widehat{\\mathrm{score}} = \\frac{1}{k} \\sum_{i=1}^{k}
        s\\big(f_{-i}, X_{F_i}, y_{F_i}\\big),

where :math:`F_i` is fold :math:`i` and :math:`f_{-i}` the model fitted without it. A learning
curve plots training and test scores against the training-set size (a large, persistent gap means
high variance, two low, close curves high bias); a validation curve plots them against one
hyper-parameter.
"""

from __future__ import annotations

import numbers
import time
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from .._validation import check_consistent_length, num_samples
from ..base import clone, is_classifier
from ..exceptions import FitFailedWarning
from ..metrics import check_scoring
from ._split import _index, _indexable, check_cv

__all__ = [
    "FitFailedWarning",
    "cross_val_predict",
    "cross_val_score",
    "cross_validate",
    "learning_curve",
    "validation_curve",
]


_DEFAULT_TRAIN_SIZES = np.linspace(0.1, 1.0, 5)


def _parallel(
    fn: Callable[..., Any], tasks: Iterable[tuple], n_jobs: Any, prefer: str | None = None
) -> list[Any]:
    """``[fn(*t) for t in tasks]``, through joblib when ``n_jobs`` asks for it and it exists.

    ``prefer="threads"`` is joblib's soft hint for work that releases the GIL (a backend the
    caller chose with ``joblib.parallel_config`` still wins).
    """
    if n_jobs is not None and n_jobs != 1:
        try:
            from joblib import Parallel, delayed
        except ImportError:  # joblib is optional: fall back to a plain loop
            pass
        else:
            return Parallel(n_jobs=n_jobs, prefer=prefer)(delayed(fn)(*t) for t in tasks)
    return [fn(*t) for t in tasks]


def _check_multimetric(estimator: Any, scoring: Any) -> tuple[dict[str, Callable], bool]:
    """Scorers by name, and whether ``scoring`` named several metrics."""
    if isinstance(scoring, (list, tuple, set)):
        names = list(scoring)
        if not names or not all(isinstance(n, str) for n in names) or len(set(names)) != len(names):
            raise ValueError(
                "scoring given as a list or tuple must hold distinct metric names (strings); "
                f"got {scoring!r}."
            )
        return {n: check_scoring(estimator, n) for n in names}, True
    if isinstance(scoring, dict):
        if not scoring:
            raise ValueError("An empty dict was passed as scoring.")
        return {str(k): check_scoring(estimator, v) for k, v in scoring.items()}, True
    return {"score": check_scoring(estimator, scoring)}, False


def _score(scorers: dict[str, Callable], estimator: Any, X: Any, y: Any, error_score: Any):
    out = {}
    for name, scorer in scorers.items():
        try:
            value = scorer(estimator, X) if y is None else scorer(estimator, X, y)
        except Exception:
            if isinstance(error_score, str) and error_score == "raise":
                raise
            value = error_score
            warnings.warn(
                f"Scoring failed. The score on this train-test partition for these parameters "
                f"will be set to {error_score}.",
                UserWarning,
                stacklevel=2,
            )
        out[name] = float(value) if isinstance(value, numbers.Number) else value
    return out


def _fit_and_score(
    estimator: Any,
    X: Any,
    y: Any,
    scorers: dict[str, Callable],
    train: np.ndarray,
    test: np.ndarray,
    parameters: dict[str, Any] | None,
    fit_params: dict[str, Any] | None,
    return_train_score: bool,
    return_estimator: bool,
    error_score: Any,
) -> dict[str, Any]:
    """Fit a clone on ``train``, score it on ``test`` (and ``train``); time both."""
    est = clone(estimator)
    if parameters:
        est.set_params(**{k: clone(v, safe=False) for k, v in parameters.items()})
    X_train, X_test = _index(X, train), _index(X, test)
    y_train, y_test = _index(y, train), _index(y, test)
    result: dict[str, Any] = {"fit_error": None}
    fit_params = _fold_params(fit_params, X, train)
    start = time.perf_counter()
    try:
        if y_train is None:
            est.fit(X_train, **fit_params)
        else:
            est.fit(X_train, y_train, **fit_params)
    except Exception as exc:
        if isinstance(error_score, str) and error_score == "raise":
            raise
        if not isinstance(error_score, numbers.Number):
            raise ValueError(
                "error_score must be the string 'raise' or a numeric value. (Hint: if using "
                "'raise', please make sure that it has been spelled correctly.)"
            ) from exc
        result["fit_time"] = time.perf_counter() - start
        result["score_time"] = 0.0
        result["test_scores"] = dict.fromkeys(scorers, error_score)
        if return_train_score:
            result["train_scores"] = dict.fromkeys(scorers, error_score)
        result["fit_error"] = f"{type(exc).__name__}: {exc}"
    else:
        result["fit_time"] = time.perf_counter() - start
        start = time.perf_counter()
        result["test_scores"] = _score(scorers, est, X_test, y_test, error_score)
        result["score_time"] = time.perf_counter() - start
        if return_train_score:
            result["train_scores"] = _score(scorers, est, X_train, y_train, error_score)
    if return_estimator:
        result["estimator"] = est
    result["n_test_samples"] = len(test)
    return result


def _warn_or_raise_about_fit_failures(results: list[dict[str, Any]], error_score: Any) -> None:
    errors = [r["fit_error"] for r in results if r["fit_error"] is not None]
    if not errors:
        return
    counts: dict[str, int] = {}
    for e in errors:
        counts[e] = counts.get(e, 0) + 1
    summary = "\n".join(
        f"{n} fits failed with the following error:\n{e}" for e, n in counts.items()
    )
    if len(errors) == len(results):
        raise ValueError(
            f"All the {len(results)} fits failed.\nIt is very likely that your model is "
            "misconfigured.\nYou can try to debug the error by setting error_score='raise'.\n\n"
            f"Below are more details about the failures:\n{summary}"
        )
    warnings.warn(
        f"\n{len(errors)} fits failed out of a total of {len(results)}.\nThe score on these "
        f"train-test partitions for these parameters will be set to {error_score}.\nIf these "
        "failures are not expected, you can try to debug them by setting error_score='raise'."
        f"\n\nBelow are more details about the failures:\n{summary}",
        FitFailedWarning,
        stacklevel=3,
    )


def _check_inputs(X: Any, y: Any, groups: Any) -> tuple[Any, Any, Any]:
    """Make the inputs indexable by rows and check they have the same number of samples."""
    if X is None:
        raise ValueError("X must not be None.")
    X, y, groups = _indexable(X), _indexable(y), _indexable(groups)
    check_consistent_length(X, y, groups)
    return X, y, groups


def _requires_y(estimator: Any) -> bool:
    """Whether ``estimator`` is supervised (a classifier or regressor)."""
    if is_classifier(estimator):
        return True
    kind = getattr(estimator, "_estimator_type", None)
    if kind is None and not type(estimator).__module__.startswith("lucidml"):
        try:
            kind = estimator.__sklearn_tags__().estimator_type
        except Exception:
            kind = None
    return kind == "regressor"


def cross_validate(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    groups: Any = None,
    scoring: Any = None,
    cv: Any = None,
    n_jobs: Any = None,
    params: dict[str, Any] | None = None,
    return_train_score: bool = False,
    return_estimator: bool = False,
    return_indices: bool = False,
    error_score: Any = np.nan,
) -> dict[str, np.ndarray]:
    """Fit and score ``estimator`` on every cross-validation split.

    For fold :math:`i` with test indices :math:`F_i`:
    :math:`\\mathrm{test\\_score}_i = s(f_{-i}, X_{F_i}, y_{F_i})`, :math:`f_{-i}` being a
    fresh clone fitted on the other samples.

    Parameters
    ----------
    estimator : estimator
        A lucidml or scikit-learn estimator; cloned for every split.
    X : array-like of shape (n_samples, n_features)
        Inputs (arrays, sparse matrices, lists or pandas DataFrames).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        Targets.
    groups : array-like of shape (n_samples,), default=None
        Group labels for group-aware splitters.
    scoring : None, str, callable, list of str or dict of name to scorer, default=None
        None uses ``estimator.score``; several metrics give one entry each.
    cv : None, int, splitter or iterable, default=None
        As in :func:`check_cv` (5 folds, stratified for classifiers).
    n_jobs : int, default=None
        Fits run in parallel through joblib when given (and installed); None or 1 runs them
        one after the other.
    params : dict, default=None
        Fit parameters passed to every ``estimator.fit``.
    return_train_score : bool, default=False
        Also score every fitted model on its training part.
    return_estimator : bool, default=False
        Keep the fitted models.
    return_indices : bool, default=False
        Keep the ``(train, test)`` indices.
    error_score : "raise" or float, default=np.nan
        The score given to a split whose fit fails; "raise" raises the error.

    Returns
    -------
    dict
        ``fit_time``, ``score_time`` and ``test_score`` (or ``test_<name>`` per metric), each of
        shape (n_splits,); ``train_score`` / ``train_<name>``, ``estimator`` and ``indices``
        when asked for.
    """
    X, y, groups = _check_inputs(X, y, groups)
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    scorers, multi = _check_multimetric(estimator, scoring)
    splits = list(splitter.split(X, y, groups))
    tasks = [
        (
            estimator,
            X,
            y,
            scorers,
            tr,
            te,
            None,
            params,
            return_train_score,
            return_estimator,
            error_score,
        )
        for tr, te in splits
    ]
    results = _parallel(_fit_and_score, tasks, n_jobs)
    _warn_or_raise_about_fit_failures(results, error_score)
    out: dict[str, Any] = {
        "fit_time": np.array([r["fit_time"] for r in results]),
        "score_time": np.array([r["score_time"] for r in results]),
    }
    if return_estimator:
        out["estimator"] = [r["estimator"] for r in results]
    if return_indices:
        out["indices"] = {"train": [s[0] for s in splits], "test": [s[1] for s in splits]}
    for name in scorers:
        key = name if multi else "score"
        out[f"test_{key}"] = np.array([r["test_scores"][name] for r in results])
        if return_train_score:
            out[f"train_{key}"] = np.array([r["train_scores"][name] for r in results])
    return out


def cross_val_score(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    groups: Any = None,
    scoring: Any = None,
    cv: Any = None,
    n_jobs: Any = None,
    params: dict[str, Any] | None = None,
    error_score: Any = np.nan,
) -> np.ndarray:
    """Test score of every cross-validation split (see :func:`cross_validate`).

    Parameters
    ----------
    estimator, X, y, groups, cv, n_jobs, params, error_score
        As in :func:`cross_validate`.
    scoring : None, str or callable, default=None
        One metric.

    Returns
    -------
    ndarray of shape (n_splits,)
        :math:`s(f_{-i}, X_{F_i}, y_{F_i})` for each fold :math:`i`.
    """
    if isinstance(scoring, (list, tuple, set, dict)):
        raise ValueError("cross_val_score takes one metric; use cross_validate for several.")
    result = cross_validate(
        estimator,
        X,
        y,
        groups=groups,
        scoring=scoring,
        cv=cv,
        n_jobs=n_jobs,
        params=params,
        error_score=error_score,
    )
    return result["test_score"]


def _fold_params(params: dict[str, Any] | None, X: Any, rows: np.ndarray) -> dict[str, Any]:
    """Fit parameters for one fold: those aligned with the rows of ``X`` (e.g. ``sample_weight``)
    cut to the fold's ``rows``, the others passed as they are."""
    n = num_samples(X)
    out: dict[str, Any] = {}
    for key, value in (params or {}).items():
        aligned = (
            hasattr(value, "__len__")
            and not isinstance(value, (str, bytes, dict))
            and len(value) == n
        )
        out[key] = (
            _index(np.asarray(value) if isinstance(value, list) else value, rows)
            if (aligned)
            else value
        )
    return out


def _fit_and_predict(estimator, X, y, train, test, method, params, classes):
    est = clone(estimator)
    y_train = _index(y, train)
    params = _fold_params(params, X, train)
    if y_train is None:
        est.fit(_index(X, train), **params)
    else:
        est.fit(_index(X, train), y_train, **params)
    pred = np.asarray(getattr(est, method)(_index(X, test)))
    if classes is None or method == "predict":
        return pred
    est_classes = np.asarray(est.classes_)
    if est_classes.shape[0] != classes.shape[0]:
        warnings.warn(
            f"Number of classes in training fold ({est_classes.shape[0]}) does not match total "
            f"number of classes ({classes.shape[0]}). Results may not be appropriate for your "
            "use case. To fix this, use a cross-validation technique resulting in properly "
            "stratified folds",
            RuntimeWarning,
            stacklevel=2,
        )
    if pred.ndim == 1:  # a binary decision_function: one column
        if classes.shape[0] != 2:
            raise ValueError(
                f"Only {est_classes.shape[0]} class/es in training fold, but {classes.shape[0]} "
                f"in overall dataset. This is not supported for decision_function with imbalanced "
                "folds. To fix this, use a cross-validation technique resulting in properly "
                "stratified folds"
            )
        return pred
    if est_classes.shape[0] == classes.shape[0]:
        return pred
    # A fold that lacked some classes: put its columns where the full class list has them.
    fill = (
        0.0
        if method == "predict_proba"
        else (-np.inf if method == "predict_log_proba" else np.finfo(pred.dtype).min)
    )
    full = np.full((pred.shape[0], classes.shape[0]), fill, dtype=np.float64)
    full[:, np.searchsorted(classes, est_classes)] = pred
    return full


def cross_val_predict(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    groups: Any = None,
    cv: Any = None,
    n_jobs: Any = None,
    params: dict[str, Any] | None = None,
    method: str = "predict",
) -> np.ndarray:
    """Out-of-fold predictions: each sample predicted by the model that did not see it.

    .. math::

        \\hat y_j = f_{-i}(x_j), \\qquad j \\in F_i.

    Parameters
    ----------
    estimator, X, y, groups, cv, n_jobs, params
        As in :func:`cross_validate`; the splits must partition the samples.
    method : {"predict", "predict_proba", "predict_log_proba", "decision_function"}
        The estimator method to call.

    Returns
    -------
    ndarray of shape (n_samples,) or (n_samples, n_classes)
        The predictions, in the order of the samples. Probability columns follow the sorted
        classes of ``y``; a fold that lacked a class gets probability 0 for it.
    """
    X, y, groups = _check_inputs(X, y, groups)
    if method not in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        raise ValueError(
            "method must be one of 'predict', 'predict_proba', 'predict_log_proba' or "
            f"'decision_function'; got {method!r}."
        )
    if not hasattr(estimator, method):
        raise AttributeError(f"{type(estimator).__name__} has no method {method!r}.")
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    splits = list(splitter.split(X, y, groups))
    n_samples = num_samples(X)
    test_all = np.concatenate([te for _, te in splits])
    if test_all.shape[0] != n_samples or not np.array_equal(
        np.sort(test_all), np.arange(n_samples)
    ):
        raise ValueError("cross_val_predict only works for partitions")
    classes = None
    if method != "predict" and is_classifier(estimator) and y is not None:
        classes = np.unique(np.asarray(y))
    tasks = [(estimator, X, y, tr, te, method, params, classes) for tr, te in splits]
    preds = _parallel(_fit_and_predict, tasks, n_jobs)
    stacked = np.concatenate(preds)
    out = np.empty_like(stacked)
    out[test_all] = stacked
    return out


def _translate_train_sizes(train_sizes: Any, n_max: int) -> np.ndarray:
    """Absolute training sizes: fractions of ``n_max`` (floats) or counts (ints), deduplicated.

    A fraction :math:`t \\in (0, 1]` becomes :math:`\\max(1, \\lfloor t\\, n_{max} \\rfloor)`.
    """
    sizes = np.asarray(train_sizes)
    if sizes.ndim != 1 or sizes.size == 0:
        raise ValueError(f"train_sizes must be a non-empty 1d array-like, got {train_sizes!r}.")
    lo, hi = sizes.min(), sizes.max()
    if np.issubdtype(sizes.dtype, np.floating):
        if lo <= 0.0 or hi > 1.0:
            raise ValueError(
                "train_sizes has been interpreted as fractions of the maximum number of "
                f"training samples and must be within (0, 1], but is within [{lo:f}, {hi:f}]."
            )
        absolute = np.clip((sizes * n_max).astype(int), 1, n_max)
    else:
        if lo <= 0 or hi > n_max:
            raise ValueError(
                "train_sizes has been interpreted as absolute numbers of training samples and "
                f"must be within (0, {n_max}], but is within [{lo}, {hi}]."
            )
        absolute = sizes.astype(int)
    unique = np.unique(absolute)
    if unique.shape[0] != absolute.shape[0]:
        warnings.warn(
            f"Removed duplicate entries from 'train_sizes'. Number of ticks will be less than "
            f"the size of 'train_sizes': {unique.shape[0]} instead of {absolute.shape[0]}.",
            RuntimeWarning,
            stacklevel=3,
        )
    return unique


def learning_curve(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    groups: Any = None,
    train_sizes: Any = _DEFAULT_TRAIN_SIZES,
    cv: Any = None,
    scoring: Any = None,
    shuffle: bool = False,
    random_state: Any = None,
    n_jobs: Any = None,
    error_score: Any = np.nan,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Training and test scores as the training set grows (diagnosis, notes §5.5 and §12).

    For each split :math:`i` and size :math:`m`, a clone is fitted on the first :math:`m`
    training indices :math:`T_i[:m]` and scored on them and on the test fold :math:`F_i`.

    Parameters
    ----------
    estimator, X, y, groups, cv, scoring, n_jobs, error_score
        As in :func:`cross_validate`.
    train_sizes : array-like of shape (n_ticks,), default=np.linspace(0.1, 1.0, 5)
        Fractions in (0, 1] of the largest training part, or absolute counts.
    shuffle : bool, default=False
        Shuffle each training part before taking its prefixes.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of that shuffle.

    Returns
    -------
    train_sizes_abs : ndarray of shape (n_unique_ticks,)
    train_scores : ndarray of shape (n_unique_ticks, n_splits)
    test_scores : ndarray of shape (n_unique_ticks, n_splits)
    """
    from .._validation import check_random_state

    X, y, groups = _check_inputs(X, y, groups)
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    scorers, multi = _check_multimetric(estimator, scoring)
    if multi:
        raise ValueError("learning_curve takes one metric.")
    splits = list(splitter.split(X, y, groups))
    sizes = _translate_train_sizes(train_sizes, len(splits[0][0]))
    if shuffle:
        rng = check_random_state(random_state)
        splits = [(rng.permutation(tr), te) for tr, te in splits]
    tasks = [
        (estimator, X, y, scorers, tr[:m], te, None, None, True, False, error_score)
        for tr, te in splits
        for m in sizes
    ]
    results = _parallel(_fit_and_score, tasks, n_jobs)
    _warn_or_raise_about_fit_failures(results, error_score)
    train = np.array([r["train_scores"]["score"] for r in results]).reshape(len(splits), -1).T
    test = np.array([r["test_scores"]["score"] for r in results]).reshape(len(splits), -1).T
    return sizes, train, test


def validation_curve(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    param_name: str,
    param_range: Any,
    groups: Any = None,
    cv: Any = None,
    scoring: Any = None,
    n_jobs: Any = None,
    error_score: Any = np.nan,
) -> tuple[np.ndarray, np.ndarray]:
    """Training and test scores for each value of one hyper-parameter.

    Parameters
    ----------
    estimator, X, y, groups, cv, scoring, n_jobs, error_score
        As in :func:`cross_validate`.
    param_name : str
        The parameter to vary (nested names as ``step__param``).
    param_range : array-like of shape (n_values,)
        Its values.

    Returns
    -------
    train_scores : ndarray of shape (n_values, n_splits)
    test_scores : ndarray of shape (n_values, n_splits)
    """
    X, y, groups = _check_inputs(X, y, groups)
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    scorers, multi = _check_multimetric(estimator, scoring)
    if multi:
        raise ValueError("validation_curve takes one metric.")
    splits = list(splitter.split(X, y, groups))
    values = list(param_range)
    tasks = [
        (estimator, X, y, scorers, tr, te, {param_name: v}, None, True, False, error_score)
        for v in values
        for tr, te in splits
    ]
    results = _parallel(_fit_and_score, tasks, n_jobs)
    _warn_or_raise_about_fit_failures(results, error_score)
    train = np.array([r["train_scores"]["score"] for r in results]).reshape(len(values), -1)
    test = np.array([r["test_scores"]["score"] for r in results]).reshape(len(values), -1)
    return train, test
