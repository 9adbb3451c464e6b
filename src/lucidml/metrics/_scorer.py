"""Scorers: metrics wrapped as ``scorer(estimator, X, y)`` callables for model selection.

A scorer asks a fitted estimator for the response its metric needs (``predict``,
``predict_proba`` or ``decision_function``), scores it against ``y`` and returns a number where
greater is better: losses are negated and named ``"neg_..."``. Estimators are duck-typed, so a
scorer works on lucidml and scikit-learn estimators alike, and scikit-learn's
``cross_val_score`` and ``GridSearchCV`` accept these scorers as ``scoring=``.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from ._classification import (
    accuracy_score,
    balanced_accuracy_score,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
)
from ._ranking import roc_auc_score
from ._regression import (
    explained_variance_score,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)

__all__ = ["check_scoring", "get_scorer", "get_scorer_names", "make_scorer"]

_SCORE_METHODS = ("predict_proba", "predict_log_proba", "decision_function")


def _is_classifier(estimator: Any) -> bool:
    """Duck-typed: an explicit ``_estimator_type``, else the presence of ``classes_``."""
    kind = getattr(estimator, "_estimator_type", None)
    if kind is not None:
        return kind == "classifier"
    return hasattr(estimator, "classes_")


def _response_method_name(method: Any) -> str:
    while not hasattr(method, "__name__") and hasattr(method, "func"):
        method = method.func
    return method.__name__


def _response_values(
    estimator: Any, X: Any, response_method: str | tuple[str, ...], pos_label: Any
) -> np.ndarray:
    """The estimator's response to ``X`` by the first available method of ``response_method``.

    For a binary classifier, probabilities are reduced to the column of ``pos_label`` (default:
    the greater class, ``classes_[-1]``), and decision values are negated when ``pos_label`` is
    the smaller class, so that greater always means "more positive".
    """
    names = [response_method] if isinstance(response_method, str) else list(response_method)
    method = None
    for name in names:
        method = getattr(estimator, name, None)
        if method is not None:
            break
    if method is None:
        raise AttributeError(
            f"{type(estimator).__name__} has none of the following attributes: {', '.join(names)}."
        )
    name = _response_method_name(method)
    if not (_is_classifier(estimator) and name in _SCORE_METHODS):
        return method(X)
    classes = np.asarray(estimator.classes_)
    binary = classes.ndim == 1 and np.unique(classes).shape[0] <= 2
    if binary:
        if pos_label is not None and pos_label not in classes.tolist():
            raise ValueError(
                f"pos_label={pos_label} is not a valid label: It should be one of {classes}"
            )
        if pos_label is None:
            pos_label = classes[-1]
    y = method(X)
    if not binary:
        return y
    if name == "decision_function":
        return -1 * y if pos_label == classes[0] else y
    y = np.asarray(y)
    if y.ndim != 2 or y.shape[1] < 2:
        raise ValueError(f"Got {name} of shape {y.shape}, but need classifier with two classes.")
    column = np.flatnonzero(classes == pos_label)[0]
    return y[:, column]


class _Scorer:
    """A metric bound to a response method, a sign and fixed keyword arguments.

    Calling it on ``(estimator, X, y_true)`` returns
    ``sign * score_func(y_true, response(X), **kwargs)``.
    """

    def __init__(
        self,
        score_func: Callable[..., Any],
        sign: int,
        kwargs: dict[str, Any],
        response_method: str | tuple[str, ...] = "predict",
    ) -> None:
        self._score_func = score_func
        self._sign = sign
        self._kwargs = kwargs
        self._response_method = response_method

    def _get_pos_label(self) -> Any:
        if "pos_label" in self._kwargs:
            return self._kwargs["pos_label"]
        try:
            params = inspect.signature(self._score_func).parameters
        except (TypeError, ValueError):
            return None
        if "pos_label" in params:
            return params["pos_label"].default
        return None

    def __call__(
        self, estimator: Any, X: Any, y_true: Any, *, sample_weight: Any = None, **kwargs: Any
    ) -> float:
        """Score ``estimator`` on ``(X, y_true)``; greater is better.

        Parameters
        ----------
        estimator : fitted estimator
            Any object with the needed response method (and ``classes_`` for classifiers).
        X : array-like of shape (n_samples, n_features)
            Test inputs.
        y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Passed on to the metric.
        **kwargs
            Further metric arguments, overriding those given to :func:`make_scorer`.

        Returns
        -------
        float
            The signed score.
        """
        if sample_weight is not None:
            kwargs["sample_weight"] = sample_weight
        pos_label = self._get_pos_label() if _is_classifier(estimator) else None
        y_pred = _response_values(estimator, X, self._response_method, pos_label)
        score = self._score_func(y_true, y_pred, **{**self._kwargs, **kwargs})
        return self._sign * score

    def __repr__(self) -> str:
        name = getattr(self._score_func, "__name__", repr(self._score_func))
        sign = "" if self._sign > 0 else ", greater_is_better=False"
        extra = "".join(f", {k}={v}" for k, v in self._kwargs.items())
        return f"make_scorer({name}{sign}, response_method={self._response_method!r}{extra})"


def make_scorer(
    score_func: Callable[..., Any],
    *,
    response_method: str | tuple[str, ...] = "predict",
    greater_is_better: bool = True,
    **kwargs: Any,
) -> _Scorer:
    """Make a scorer ``scorer(estimator, X, y)`` from a metric ``score_func(y_true, y_pred)``.

    .. math::

        \\mathrm{scorer}(f, X, y) = \\sigma \\cdot
            \\mathrm{score\\_func}(y, \\mathrm{response}_f(X)),
        \\qquad \\sigma = \\begin{cases} 1 & \\text{greater is better} \\\\
                                         -1 & \\text{otherwise} \\end{cases}

    Parameters
    ----------
    score_func : callable
        ``score_func(y_true, y_pred, **kwargs)`` returning a number.
    response_method : str or tuple of str, default="predict"
        The estimator method whose output is ``y_pred``: "predict", "predict_proba",
        "decision_function", or a tuple of them tried in order.
    greater_is_better : bool, default=True
        False for a loss: the scorer returns its negative.
    **kwargs
        Fixed keyword arguments for ``score_func``.

    Returns
    -------
    callable
        The scorer.

    Examples
    --------
    >>> from lucidml.metrics import fbeta_score, make_scorer
    >>> ftwo = make_scorer(fbeta_score, beta=2)
    """
    sign = 1 if greater_is_better else -1
    return _Scorer(score_func, sign, kwargs, response_method)


_SCORE_OR_PROBA = ("decision_function", "predict_proba")

_SCORERS: dict[str, _Scorer] = {
    "accuracy": make_scorer(accuracy_score),
    "balanced_accuracy": make_scorer(balanced_accuracy_score),
    "neg_log_loss": make_scorer(log_loss, greater_is_better=False, response_method="predict_proba"),
    "roc_auc": make_scorer(roc_auc_score, response_method=_SCORE_OR_PROBA),
    "roc_auc_ovr": make_scorer(roc_auc_score, response_method="predict_proba", multi_class="ovr"),
    "roc_auc_ovo": make_scorer(roc_auc_score, response_method="predict_proba", multi_class="ovo"),
    "roc_auc_ovr_weighted": make_scorer(
        roc_auc_score, response_method="predict_proba", multi_class="ovr", average="weighted"
    ),
    "roc_auc_ovo_weighted": make_scorer(
        roc_auc_score, response_method="predict_proba", multi_class="ovo", average="weighted"
    ),
    "r2": make_scorer(r2_score),
    "explained_variance": make_scorer(explained_variance_score),
    "neg_mean_squared_error": make_scorer(mean_squared_error, greater_is_better=False),
    "neg_root_mean_squared_error": make_scorer(root_mean_squared_error, greater_is_better=False),
    "neg_mean_absolute_error": make_scorer(mean_absolute_error, greater_is_better=False),
}
for _name, _metric in (("precision", precision_score), ("recall", recall_score), ("f1", f1_score)):
    _SCORERS[_name] = make_scorer(_metric, average="binary")
    for _average in ("macro", "micro", "weighted"):
        _SCORERS[f"{_name}_{_average}"] = make_scorer(_metric, pos_label=None, average=_average)
del _name, _metric, _average


def get_scorer(scoring: Any) -> Any:
    """Return the scorer registered under ``scoring`` (a fresh copy); a callable is returned as is.

    Parameters
    ----------
    scoring : str, callable or None
        A name from :func:`get_scorer_names`, or a scorer.

    Returns
    -------
    callable
        ``scorer(estimator, X, y)``, greater is better.
    """
    if isinstance(scoring, str):
        try:
            return copy.deepcopy(_SCORERS[scoring])
        except KeyError:
            raise ValueError(
                f"{scoring!r} is not a valid scoring value. Use "
                "lucidml.metrics.get_scorer_names() to get valid options."
            ) from None
    return scoring


def get_scorer_names() -> list[str]:
    """Names accepted by :func:`get_scorer`, sorted.

    Returns
    -------
    list of str
    """
    return sorted(_SCORERS)


def check_scoring(estimator: Any, scoring: Any = None) -> Any:
    """The scorer to use for ``estimator``: ``scoring`` resolved, or the estimator's ``score``.

    Parameters
    ----------
    estimator : estimator
        The estimator to be scored.
    scoring : str, callable or None, default=None
        A scorer name, a scorer, or None to use ``estimator.score(X, y)``.

    Returns
    -------
    callable
        ``scorer(estimator, X, y)``.
    """
    if scoring is None:
        if not hasattr(estimator, "score"):
            raise TypeError(
                "If no scoring is specified, the estimator passed should have a 'score' method. "
                f"The estimator {estimator!r} does not."
            )
        return _passthrough_score
    if isinstance(scoring, str):
        return get_scorer(scoring)
    if callable(scoring):
        return scoring
    raise ValueError(f"scoring must be a string, a callable or None, got {type(scoring).__name__}.")


def _passthrough_score(estimator: Any, X: Any, y_true: Any = None, **kwargs: Any) -> float:
    """Use the estimator's own ``score`` method."""
    if y_true is None:
        return estimator.score(X, **kwargs)
    return estimator.score(X, y_true, **kwargs)
