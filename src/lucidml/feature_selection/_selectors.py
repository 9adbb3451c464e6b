"""Selectors: keep the features a score, a variance or a fitted model rates highest (notes §5.3).

Every selector learns a boolean support mask of shape (n_features_in_,) in ``fit``;
``transform`` keeps the masked columns and ``inverse_transform`` puts them back among zero
columns. ``get_support`` and ``get_feature_names_out`` report the kept features.
"""

from __future__ import annotations

import copy
import numbers
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .._validation import check_array, check_feature_names_out, check_is_fitted
from ..base import BaseEstimator, TransformerMixin, clone
from ._scores import f_classif

__all__ = ["SelectFromModel", "SelectKBest", "SelectPercentile", "VarianceThreshold"]


class _SelectorMixin:
    """Shared behaviour of selectors: a subclass defines ``_get_support_mask``."""

    _allow_nan = False

    def _get_support_mask(self) -> np.ndarray:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def get_support(self, indices: bool = False) -> np.ndarray:
        """Which input features are kept.

        Parameters
        ----------
        indices : bool, default=False
            Return the kept features' indices instead of a mask.

        Returns
        -------
        support : ndarray of shape (n_features_in_,) of bool, or (n_selected,) of int
        """
        check_is_fitted(self)
        mask = self._get_support_mask()
        return np.flatnonzero(mask) if indices else mask

    def transform(self, X: Any) -> np.ndarray:
        """Keep the selected columns.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_in_)

        Returns
        -------
        X_selected : ndarray of shape (n_samples, n_selected)
        """
        check_is_fitted(self)
        X = self._validate_data(  # type: ignore[attr-defined]
            X, reset=False, dtype=None, ensure_all_finite="allow-nan" if self._allow_nan else True
        )
        if X.dtype.kind not in "biuf":
            X = check_array(X, ensure_all_finite="allow-nan" if self._allow_nan else True)
        mask = self._get_support_mask()
        if not mask.any():
            warnings.warn(
                "No features were selected: either the data is too noisy or the selection test "
                "too strict.",
                UserWarning,
                stacklevel=2,
            )
            return np.empty((X.shape[0], 0), dtype=X.dtype)
        return X[:, mask]

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Put the selected columns back in place, with zeros for the dropped ones.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_selected)

        Returns
        -------
        X_full : ndarray of shape (n_samples, n_features_in_)
        """
        check_is_fitted(self)
        X = check_array(X, dtype=None, ensure_all_finite=False, ensure_min_features=0)
        mask = self._get_support_mask()
        if X.shape[1] != mask.sum():
            raise ValueError("X has a different shape than during fitting.")
        out = np.zeros((X.shape[0], mask.size), dtype=X.dtype)
        out[:, mask] = X
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the kept features.

        Parameters
        ----------
        input_features : array-like of str of shape (n_features_in_,), optional
            Input names to use instead of ``feature_names_in_`` (or ``x0, x1, ...``).

        Returns
        -------
        names : ndarray of object of shape (n_selected,)
        """
        names = check_feature_names_out(self, input_features)
        return names[self._get_support_mask()]


def _clean_scores(scores: np.ndarray) -> np.ndarray:
    """Scores as float64 with NaN ranked lowest (so NaN-scored features go first)."""
    scores = np.asarray(scores, dtype=np.float64).copy()
    scores[np.isnan(scores)] = np.finfo(np.float64).min
    return scores


class _ScoreSelector(_SelectorMixin, TransformerMixin, BaseEstimator):
    """Base of the univariate selectors: ``fit`` scores every feature with ``score_func``."""

    def _check_params(self, n_features: int) -> None:  # pragma: no cover - overridden
        pass

    def fit(self, X: Any, y: Any = None) -> _ScoreSelector:
        """Score every feature of ``X`` against ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Target the score function compares each feature with.

        Returns
        -------
        self
        """
        if not callable(self.score_func):
            raise TypeError(
                f"The score function should be a callable, {self.score_func!r} "
                f"({type(self.score_func).__name__}) was passed."
            )
        X, y = self._validate_data(X, y)
        self._check_params(X.shape[1])
        result = self.score_func(X, y)
        if isinstance(result, (list, tuple)):
            scores, pvalues = result
            self.pvalues_ = np.asarray(pvalues)
        else:
            scores, self.pvalues_ = result, None
        self.scores_ = np.asarray(scores)
        if self.scores_.shape != (X.shape[1],):
            raise ValueError(
                f"score_func must return one score per feature, shape ({X.shape[1]},); got "
                f"shape {self.scores_.shape}."
            )
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


class SelectKBest(_ScoreSelector):
    r"""Keep the ``k`` features with the highest scores.

    Ties are broken as scikit-learn breaks them: the scores are sorted stably in ascending order
    and the last ``k`` kept, so among equal scores the later features win. NaN scores rank lowest.

    Parameters
    ----------
    score_func : callable, default=f_classif
        ``score_func(X, y)`` returning scores of shape (n_features,) or a pair
        ``(scores, p_values)``: :func:`f_classif`, :func:`chi2`, :func:`mutual_info_classif`, ...
    k : int or "all", default=10
        Number of features to keep; more than the number of features keeps all (with a warning).

    Attributes
    ----------
    scores_ : ndarray of shape (n_features_in_,)
    pvalues_ : ndarray of shape (n_features_in_,) or None
        None when ``score_func`` returns scores only.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.feature_selection import SelectKBest, f_classif
    >>> X = np.array([[1.0, 5.0, 0.1], [2.0, 5.1, 0.2], [9.0, 5.0, 0.1], [8.0, 5.2, 0.3]])
    >>> SelectKBest(f_classif, k=1).fit(X, [0, 0, 1, 1]).get_support(indices=True)
    array([0])
    """

    def __init__(self, score_func: Callable = f_classif, *, k: int | str = 10) -> None:
        self.score_func = score_func
        self.k = k

    def _check_params(self, n_features: int) -> None:
        if isinstance(self.k, str):
            if self.k != "all":
                raise ValueError(f"k should be a non-negative integer or 'all'; got {self.k!r}.")
        elif isinstance(self.k, bool) or not isinstance(self.k, numbers.Integral) or self.k < 0:
            raise ValueError(f"k should be a non-negative integer or 'all'; got {self.k!r}.")
        elif self.k > n_features:
            warnings.warn(
                f"k={self.k} is greater than n_features={n_features}. All the features will be "
                "returned.",
                UserWarning,
                stacklevel=3,
            )

    def _get_support_mask(self) -> np.ndarray:
        n = self.scores_.size
        if self.k == "all" or self.k >= n:
            return np.ones(n, dtype=bool)
        mask = np.zeros(n, dtype=bool)
        if self.k == 0:
            return mask
        order = np.argsort(_clean_scores(self.scores_), kind="stable")
        mask[order[n - int(self.k) :]] = True
        return mask


class SelectPercentile(_ScoreSelector):
    r"""Keep the features whose scores lie in the top ``percentile`` percent.

    With :math:`t` the :math:`(100 - q)`-th percentile of the scores (linear interpolation),
    features scoring above :math:`t` are kept, then features scoring exactly :math:`t`, in index
    order, until :math:`\lfloor m q / 100 \rfloor` features (:math:`m` the number of features)
    are kept — scikit-learn's rule.

    Parameters
    ----------
    score_func : callable, default=f_classif
        ``score_func(X, y)`` returning scores of shape (n_features,) or ``(scores, p_values)``.
    percentile : float in [0, 100], default=10
        Percent of the features to keep.

    Attributes
    ----------
    scores_ : ndarray of shape (n_features_in_,)
    pvalues_ : ndarray of shape (n_features_in_,) or None
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    """

    def __init__(self, score_func: Callable = f_classif, *, percentile: float = 10) -> None:
        self.score_func = score_func
        self.percentile = percentile

    def _check_params(self, n_features: int) -> None:
        q = self.percentile
        if isinstance(q, bool) or not isinstance(q, numbers.Real) or not 0 <= q <= 100:
            raise ValueError(f"percentile should be a number in [0, 100]; got {q!r}.")

    def _get_support_mask(self) -> np.ndarray:
        n = self.scores_.size
        if self.percentile == 100:
            return np.ones(n, dtype=bool)
        if self.percentile == 0:
            return np.zeros(n, dtype=bool)
        scores = _clean_scores(self.scores_)
        threshold = np.percentile(scores, 100 - self.percentile)
        mask = scores > threshold
        ties = np.flatnonzero(scores == threshold)
        if ties.size:
            room = int(n * self.percentile / 100) - int(mask.sum())
            mask[ties[: max(room, 0)]] = True
        return mask


class VarianceThreshold(_SelectorMixin, TransformerMixin, BaseEstimator):
    r"""Drop the features whose training variance is at most ``threshold``.

    .. math::

        \sigma_j^2 = \frac{1}{n} \sum_i (x_{ij} - \bar x_j)^2, \qquad
        \text{keep } j \iff \sigma_j^2 > \text{threshold}

    NaNs are ignored. With ``threshold=0`` the variance is capped by the column's range
    (max − min), so a constant column is always dropped despite rounding.

    Parameters
    ----------
    threshold : float, default=0.0
        Features with a variance above it are kept; 0 drops only constant features.

    Attributes
    ----------
    variances_ : ndarray of shape (n_features_in_,)
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    """

    _allow_nan = True

    def __init__(self, threshold: float = 0.0) -> None:
        self.threshold = threshold

    def fit(self, X: Any, y: Any = None) -> VarianceThreshold:
        """Compute every feature's variance.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            NaNs allowed (ignored).
        y : ignored

        Returns
        -------
        self
        """
        t = self.threshold
        if isinstance(t, bool) or not isinstance(t, numbers.Real) or not t >= 0:
            raise ValueError(f"threshold should be a non-negative number; got {t!r}.")
        X = self._validate_data(X, reset=True, dtype=np.float64, ensure_all_finite="allow-nan")
        with warnings.catch_warnings(), np.errstate(invalid="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: NaN variance
            variances = np.nanvar(X, axis=0)
            if t == 0:
                spread = np.nanmax(X, axis=0) - np.nanmin(X, axis=0)
                variances = np.fmin(variances, spread)
        self.variances_ = variances
        if np.all(~np.isfinite(variances) | (variances <= t)):
            msg = f"No feature in X meets the variance threshold {t:.5f}"
            if X.shape[0] == 1:
                msg += " (X contains only one sample)"
            raise ValueError(msg)
        return self

    def _get_support_mask(self) -> np.ndarray:
        return self.variances_ > self.threshold

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


def _importances(estimator: Any, getter: Any, norm_order: Any) -> np.ndarray:
    r"""Per-feature importance: ``|w_j|`` for a 1-D weight vector, else the column norm
    :math:`\lVert W_{:, j} \rVert_{p}` of a (n_classes, n_features) weight matrix."""
    if isinstance(getter, str):
        if getter == "auto":
            if hasattr(estimator, "coef_"):
                values = estimator.coef_
            elif hasattr(estimator, "feature_importances_"):
                values = estimator.feature_importances_
            else:
                raise ValueError(
                    "when `importance_getter=='auto'`, the underlying estimator "
                    f"{type(estimator).__name__} should have `coef_` or `feature_importances_` "
                    "attribute. Either pass a fitted estimator to feature selector or call fit "
                    "before calling transform."
                )
        else:
            values = estimator
            for part in getter.split("."):
                values = getattr(values, part)
    elif callable(getter):
        values = getter(estimator)
    else:
        raise ValueError("`importance_getter` has to be a string or `callable`")
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        return np.abs(values)
    return np.linalg.norm(values, axis=0, ord=norm_order)


class SelectFromModel(_SelectorMixin, TransformerMixin, BaseEstimator):
    r"""Keep the features a fitted model weighs most: logistic-regression weights or tree
    importances (notes §5.3).

    The importance of feature :math:`j` is :math:`|w_j|` for a weight vector and
    :math:`\lVert W_{:, j} \rVert_p` (``p = norm_order``) for one weight row per class; features
    with importance at least the threshold are kept, at most ``max_features`` of them.

    Parameters
    ----------
    estimator : estimator
        Exposes ``coef_`` or ``feature_importances_`` once fitted (or see ``importance_getter``).
    threshold : str, float or None, default=None
        A number, ``"mean"``, ``"median"`` or a scaled one such as ``"1.25*mean"``. None means
        1e-5 for L1-penalised models (``penalty="l1"``, a Lasso, an elastic net with
        ``l1_ratio=1``) and ``"mean"`` otherwise. To select by ``max_features`` alone, pass
        ``threshold=-np.inf``.
    prefit : bool, default=False
        Use ``estimator`` as already fitted (it is copied, not refitted, by ``fit``).
    norm_order : float, default=1
        Order of the norm over classes for 2-D weights.
    max_features : int, callable or None, default=None
        Keep at most this many features (a callable gets ``X`` and returns the number).
    importance_getter : str or callable, default="auto"
        ``"auto"`` (``coef_`` then ``feature_importances_``), an attribute path such as
        ``"named_steps.clf.coef_"``, or a callable of the fitted estimator.

    Attributes
    ----------
    estimator_ : estimator
        The fitted model.
    threshold_ : float
        The threshold used.
    max_features_ : int or None
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
    """

    def __init__(
        self,
        estimator: Any,
        *,
        threshold: str | float | None = None,
        prefit: bool = False,
        norm_order: float = 1,
        max_features: int | Callable | None = None,
        importance_getter: str | Callable = "auto",
    ) -> None:
        self.estimator = estimator
        self.threshold = threshold
        self.prefit = prefit
        self.norm_order = norm_order
        self.max_features = max_features
        self.importance_getter = importance_getter

    def fit(self, X: Any, y: Any = None, **fit_params: Any) -> SelectFromModel:
        """Fit the model (unless ``prefit``) and record the threshold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,), optional
            Target of the model.
        **fit_params
            Passed to the model's ``fit``.

        Returns
        -------
        self
        """
        X_checked = self._validate_data(X, reset=True)
        n_features = X_checked.shape[1]
        max_features = self.max_features
        if callable(max_features):
            max_features = max_features(X_checked)
        if max_features is not None:
            if isinstance(max_features, bool) or not isinstance(max_features, numbers.Integral):
                raise TypeError(
                    f"max_features must be an int, a callable or None; got {max_features!r}."
                )
            if not 0 <= max_features <= n_features:
                raise ValueError(
                    f"max_features == {max_features}, must be >= 0 and <= n_features={n_features}."
                )
        self.max_features_ = None if max_features is None else int(max_features)
        if self.prefit:
            check_is_fitted(self.estimator)
            self.estimator_ = copy.deepcopy(self.estimator)
        else:
            self.estimator_ = clone(self.estimator)
            self.estimator_.fit(X, y, **fit_params)
        scores = _importances(self.estimator_, self.importance_getter, self.norm_order)
        if scores.shape != (n_features,):
            raise ValueError(
                f"The model's importances have shape {scores.shape}; expected ({n_features},)."
            )
        self.threshold_ = self._threshold(scores)
        self._scores = scores
        return self

    def _threshold(self, scores: np.ndarray) -> float:
        threshold = self.threshold
        if threshold is None:
            est = self.estimator_
            name = type(est).__name__
            ratio = getattr(est, "l1_ratio", None)
            l1 = (
                getattr(est, "penalty", None) == "l1"
                or "Lasso" in name
                or (
                    (name == "ElasticNet" or getattr(est, "penalty", None) == "elasticnet")
                    and isinstance(ratio, numbers.Real)
                    and np.isclose(ratio, 1.0)
                )
            )
            threshold = 1e-5 if l1 else "mean"
        if isinstance(threshold, str):
            scale, star, reference = threshold.partition("*")
            if not star:
                scale, reference = "1", threshold
            reference = reference.strip()
            try:
                factor = float(scale.strip())
            except ValueError as exc:
                raise ValueError(
                    f"Expected threshold='mean', 'median', a number or 'factor*mean'; got "
                    f"{threshold!r}."
                ) from exc
            if reference == "mean":
                return factor * float(np.mean(scores))
            if reference == "median":
                return factor * float(np.median(scores))
            raise ValueError(
                f"Expected threshold='mean', 'median', a number or 'factor*mean'; got "
                f"{threshold!r}."
            )
        return float(threshold)

    def _get_support_mask(self) -> np.ndarray:
        scores = self._scores
        if self.max_features_ is not None:
            mask = np.zeros(scores.size, dtype=bool)
            mask[np.argsort(-scores, kind="stable")[: self.max_features_]] = True
        else:
            mask = np.ones(scores.size, dtype=bool)
        mask[scores < self.threshold_] = False
        return mask
