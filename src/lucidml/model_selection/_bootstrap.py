"""Bootstrap confidence intervals for any score (notes §12: the bootstrap).

Draw :math:`B` resamples of the :math:`n` evaluation pairs with replacement, index matrix
:math:`I \\in \\{0..n-1\\}^{B \\times n}`, score each, and read the interval from the
percentiles of the :math:`B` scores:

.. math::

    \\hat\\theta^{*}_b = s\\big(y_{I_{b\\cdot}}, \\hat y_{I_{b\\cdot}}\\big), \\qquad
    [\\text{low}, \\text{high}] = \\big[q_{\\alpha/2}(\\hat\\theta^{*}),
                                        q_{1-\\alpha/2}(\\hat\\theta^{*})\\big],
    \\qquad \\alpha = 1 - \\text{confidence}.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import check_random_state, num_samples
from ..metrics import check_scoring

__all__ = ["bootstrap", "bootstrap_score"]


def _mse(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    return np.mean((t - p) ** 2, axis=-1)


def _r2(t: np.ndarray, p: np.ndarray) -> np.ndarray:
    ss_res = np.sum((t - p) ** 2, axis=-1)
    ss_tot = np.sum((t - t.mean(axis=-1, keepdims=True)) ** 2, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ss_tot > 0, 1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0), np.nan)


# Scores computed for all resamples at once on (n_resamples, n) matrices.
_VECTORISED: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "accuracy": lambda t, p: np.mean(t == p, axis=-1),
    "zero_one_loss": lambda t, p: np.mean(t != p, axis=-1),
    "mean_squared_error": _mse,
    "root_mean_squared_error": lambda t, p: np.sqrt(_mse(t, p)),
    "mean_absolute_error": lambda t, p: np.mean(np.abs(t - p), axis=-1),
    "r2": _r2,
}


def _check_resampling(n_resamples: Any, confidence: Any) -> None:
    if (
        not isinstance(n_resamples, numbers.Integral)
        or isinstance(n_resamples, bool)
        or (n_resamples < 2)
    ):
        raise ValueError(f"n_resamples must be an integer >= 2, got {n_resamples!r}.")
    if not isinstance(confidence, numbers.Real) or not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be a float in (0, 1), got {confidence!r}.")


def _summary(estimate: float, samples: np.ndarray, confidence: float) -> dict[str, Any]:
    alpha = 1.0 - confidence
    finite = samples[np.isfinite(samples)]
    low, high = np.percentile(finite, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return {
        "estimate": float(estimate),
        "low": float(low),
        "high": float(high),
        "std": float(np.std(finite, ddof=1)),
        "samples": samples,
    }


def bootstrap_score(
    y_true: Any,
    y_pred: Any,
    score_func: str | Callable[..., Any],
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    vectorized: bool = False,
    random_state: Any = None,
) -> dict[str, Any]:
    """Percentile bootstrap confidence interval of a score of fixed predictions.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True values or labels.
    y_pred : array-like of shape (n_samples,) or (n_samples, n_classes)
        Predictions (labels, values or probabilities), resampled row-wise with ``y_true``.
    score_func : str or callable
        ``score_func(y_true, y_pred) -> float``, or one of "accuracy", "zero_one_loss",
        "mean_squared_error", "root_mean_squared_error", "mean_absolute_error", "r2", which are
        computed for all resamples at once.
    n_resamples : int, default=1000
        Number :math:`B` of resamples.
    confidence : float, default=0.95
        Coverage of the interval.
    vectorized : bool, default=False
        ``score_func`` takes arrays of shape (n_resamples, n_samples) and returns shape
        (n_resamples,); then it is called once.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the resampling.

    Returns
    -------
    dict
        ``estimate`` (the score on the full data), ``low``, ``high`` (the percentile interval),
        ``std`` (the bootstrap standard error) and ``samples`` (shape (n_resamples,)).

    Examples
    --------
    >>> from lucidml.model_selection import bootstrap_score
    >>> ci = bootstrap_score([0, 1, 1, 0], [0, 1, 0, 0], "accuracy", random_state=0)
    """
    _check_resampling(n_resamples, confidence)
    y_true = np.asarray(y_true.to_numpy() if hasattr(y_true, "to_numpy") else y_true)
    y_pred = np.asarray(y_pred.to_numpy() if hasattr(y_pred, "to_numpy") else y_pred)
    n = y_true.shape[0] if y_true.ndim else 0
    if n == 0:
        raise ValueError("bootstrap_score needs at least one sample; got an empty y_true.")
    if y_pred.shape[0] != n:
        raise ValueError(
            f"Found input variables with inconsistent numbers of samples: [{n}, {y_pred.shape[0]}]"
        )
    if y_true.dtype.kind == "f" and not np.all(np.isfinite(y_true)):
        raise ValueError("Input y_true contains NaN or infinity.")
    if y_pred.dtype.kind == "f" and not np.all(np.isfinite(y_pred)):
        raise ValueError("Input y_pred contains NaN or infinity.")
    idx = check_random_state(random_state).integers(0, n, size=(n_resamples, n))
    if isinstance(score_func, str):
        if score_func not in _VECTORISED:
            raise ValueError(
                f"Unknown score {score_func!r}; use one of {sorted(_VECTORISED)} or a callable."
            )
        fn = _VECTORISED[score_func]
        if score_func not in ("accuracy", "zero_one_loss"):
            y_true, y_pred = y_true.astype(np.float64), y_pred.astype(np.float64)
        estimate = fn(y_true, y_pred)
        samples = fn(y_true[idx], y_pred[idx])
    elif vectorized:
        estimate = score_func(y_true[None], y_pred[None])[0]
        samples = np.asarray(score_func(y_true[idx], y_pred[idx]), dtype=np.float64)
    else:
        estimate = score_func(y_true, y_pred)
        samples = np.array([score_func(y_true[row], y_pred[row]) for row in idx], dtype=float)
    return _summary(float(estimate), np.asarray(samples, dtype=np.float64), confidence)


def bootstrap(
    estimator: Any,
    X: Any,
    y: Any = None,
    *,
    scoring: Any = None,
    n_resamples: int = 200,
    confidence: float = 0.95,
    random_state: Any = None,
    n_jobs: Any = None,
) -> dict[str, Any]:
    """Out-of-bag bootstrap estimate of a model's score, with a percentile interval.

    Round :math:`b` fits a clone on a bootstrap sample :math:`I_b` (n draws with replacement)
    and scores it on the out-of-bag samples :math:`O_b = \\{0..n-1\\} \\setminus I_b` (about
    :math:`e^{-1} \\approx 36.8\\%` of them):

    .. math::

        \\hat\\theta = \\frac1B \\sum_b s(f_{I_b}, X_{O_b}, y_{O_b}).

    Parameters
    ----------
    estimator : estimator
        The model (cloned each round).
    X : array-like of shape (n_samples, n_features)
    y : array-like of shape (n_samples,), default=None
    scoring : None, str or callable, default=None
        As in :func:`cross_validate`.
    n_resamples : int, default=200
        Number :math:`B` of rounds.
    confidence : float, default=0.95
        Coverage of the interval.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the resampling.
    n_jobs : int, default=None
        Parallel rounds through joblib when given and installed.

    Returns
    -------
    dict
        ``estimate`` (the mean out-of-bag score), ``low``, ``high``, ``std`` and ``samples``
        (shape (n_resamples,)).
    """
    from ._validation import _check_inputs, _fit_and_score, _parallel

    _check_resampling(n_resamples, confidence)
    X, y, _ = _check_inputs(X, y, None)
    scorers = {"score": check_scoring(estimator, scoring)}
    n = num_samples(X)
    rng = check_random_state(random_state)
    tasks = []
    for _ in range(n_resamples):
        train = rng.integers(0, n, size=n)
        seen = np.zeros(n, dtype=bool)
        seen[train] = True
        test = np.flatnonzero(~seen)
        if test.size == 0:
            continue
        tasks.append((estimator, X, y, scorers, train, test, None, None, False, False, "raise"))
    if len(tasks) < 2:
        raise ValueError("Too few samples: the bootstrap rounds left no out-of-bag samples.")
    results = _parallel(_fit_and_score, tasks, n_jobs)
    samples = np.array([r["test_scores"]["score"] for r in results], dtype=np.float64)
    return _summary(float(np.mean(samples)), samples, confidence)
