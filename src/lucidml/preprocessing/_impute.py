"""Missing values (notes §5.3): fill each column with a statistic learned on the training data."""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from .._validation import check_array, check_feature_names_out, check_is_fitted
from ..base import BaseEstimator, TransformerMixin

__all__ = ["SimpleImputer"]

_STRATEGIES = ("mean", "median", "most_frequent", "constant")


def _is_nan_value(v: Any) -> bool:
    return isinstance(v, (float, np.floating)) and v != v


def _missing_mask(X: np.ndarray, missing_values: Any) -> np.ndarray:
    """True where ``X`` (n_samples, n_features) holds ``missing_values``; same shape."""
    if _is_nan_value(missing_values):
        if X.dtype.kind == "f":
            return np.isnan(X)
        if X.dtype.kind == "O":
            return np.asarray(X != X, dtype=bool)
        return np.zeros(X.shape, dtype=bool)
    if missing_values is None:
        return np.equal(X, None) if X.dtype.kind == "O" else np.zeros(X.shape, dtype=bool)
    return np.asarray(X == missing_values, dtype=bool)


class SimpleImputer(TransformerMixin, BaseEstimator):
    r"""Replace missing values column by column with the mean, median, mode or a constant.

    For feature :math:`j` with observed (non-missing) values :math:`O_j`:

    .. math::

        s_j = \frac{1}{|O_j|}\sum_{i \in O_j} x_{ij} \;(\text{mean}), \quad
        s_j = \operatorname{median}_{i \in O_j} x_{ij}, \quad
        s_j = \operatorname{mode}_{i \in O_j} x_{ij}\;(\text{smallest on ties}), \quad
        s_j = \text{fill\_value},

    and every missing :math:`x_{ij}` becomes :math:`s_j`. A column with no observed value at fit
    is dropped from the output with a warning (kept and filled with 0, or ``fill_value`` for
    "constant", when ``keep_empty_features``), as scikit-learn 1.9 does. With ``add_indicator``
    a 0/1 column :math:`[x_{ij} \text{ missing}]` is appended for every feature that had missing
    values at fit.

    Parameters
    ----------
    missing_values : number, str, np.nan or None, default=np.nan
        The placeholder for missing values.
    strategy : {"mean", "median", "most_frequent", "constant"}, default="mean"
        "mean" and "median" need numeric data; the others also take strings.
    fill_value : number or str, default=None
        Value for "constant"; None means 0 for numbers and "missing_value" for strings.
    add_indicator : bool, default=False
    keep_empty_features : bool, default=False

    Attributes
    ----------
    statistics_ : ndarray, shape (n_features,)
        The fill value :math:`s_j` of each feature (NaN for an empty feature).
    indicator_features_ : ndarray of int, shape (n_missing_features,) or None
        Features that get an indicator column (with ``add_indicator``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
    """

    def __init__(
        self,
        *,
        missing_values: Any = np.nan,
        strategy: str = "mean",
        fill_value: Any = None,
        add_indicator: bool = False,
        keep_empty_features: bool = False,
    ):
        self.missing_values = missing_values
        self.strategy = strategy
        self.fill_value = fill_value
        self.add_indicator = add_indicator
        self.keep_empty_features = keep_empty_features

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = _is_nan_value(self.missing_values)
        tags.input_tags.string = self.strategy in ("most_frequent", "constant")
        return tags

    def _check_input(self, X: Any, *, reset: bool) -> np.ndarray:
        numeric = self.strategy in ("mean", "median")
        finite: Any = "allow-nan" if _is_nan_value(self.missing_values) else True
        self._check_feature_names(X, reset=reset)
        try:
            if numeric:
                X = check_array(X, dtype=(np.float64, np.float32), ensure_all_finite=finite)
            else:
                X = check_array(X, dtype=None, ensure_all_finite=finite)
        except ValueError as exc:
            if numeric and "convert" in str(exc):
                raise ValueError(
                    f"Cannot use {self.strategy} strategy with non-numeric data:\n{exc}"
                ) from exc
            raise
        if X.dtype.kind not in "biufO":
            X = X.astype(object)
        if X.dtype.kind in "iub" and _is_nan_value(self.missing_values):
            X = X.astype(np.float64)
        self._check_n_features(X, reset=reset)
        return X

    def fit(self, X: Any, y: Any = None) -> SimpleImputer:
        """Learn the fill value of each column of ``X`` (n_samples, n_features)."""
        if self.strategy not in _STRATEGIES:
            raise ValueError(
                f"The 'strategy' parameter of SimpleImputer must be one of {_STRATEGIES}; "
                f"got {self.strategy!r}."
            )
        X = self._check_input(X, reset=True)
        fill = self.fill_value
        if self.strategy == "constant":
            if fill is None:
                fill = "missing_value" if X.dtype.kind == "O" else 0
            if X.dtype.kind in "iuf" and not isinstance(fill, numbers.Real):
                raise ValueError(
                    f"fill_value={fill!r} (of type {type(fill)!r}) cannot be cast to the input "
                    f"data that is {X.dtype!r}. If fill_value is a Python scalar, instead pass a "
                    "numpy scalar (e.g. fill_value=np.uint8(0) if your data is of type np.uint8)."
                    " Make sure that both dtypes are of the same kind."
                )
        mask = _missing_mask(X, self.missing_values)
        observed = (~mask).sum(axis=0)
        empty = observed == 0
        stats: np.ndarray
        if self.strategy == "constant":
            stats = np.full(X.shape[1], fill, dtype=object)
            if not self.keep_empty_features:
                stats[empty] = np.nan
        elif self.strategy in ("mean", "median"):
            Xf = np.where(mask, np.nan, X).astype(np.float64)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # empty columns give NaN
                stats = np.nanmean(Xf, axis=0) if self.strategy == "mean" else np.nanmedian(Xf, 0)
        else:
            stats = np.empty(X.shape[1], dtype=object if X.dtype.kind == "O" else np.float64)
            for j in range(X.shape[1]):  # one np.unique per column, not per sample
                col = X[~mask[:, j], j]
                if col.size == 0:
                    stats[j] = np.nan
                    continue
                try:
                    vals, counts = np.unique(col, return_counts=True)
                except TypeError as exc:
                    raise TypeError(
                        f"argument must be a string or a number, all of one kind: column {j} "
                        f"mixes values that cannot be compared ({exc})."
                    ) from exc
                stats[j] = vals[np.argmax(counts)]  # first maximum: the smallest value
        if self.keep_empty_features and self.strategy != "constant" and empty.any():
            stats = stats.copy()
            stats[empty] = 0
        if empty.any() and not self.keep_empty_features:
            warnings.warn(
                f"Skipping features without any observed values: {np.flatnonzero(empty)}. At "
                f"least one non-missing value is needed for imputation with "
                f"strategy={self.strategy!r}.",
                UserWarning,
                stacklevel=2,
            )
        self.statistics_ = stats
        self.indicator_features_ = np.flatnonzero(mask.any(axis=0)) if self.add_indicator else None
        return self

    def _kept(self) -> np.ndarray:
        """Output columns that survive: every feature with an observed value at fit."""
        stats = self.statistics_
        if self.keep_empty_features:
            return np.ones(stats.shape[0], dtype=bool)
        if stats.dtype.kind == "f":
            return ~np.isnan(stats)
        return ~np.array([_is_nan_value(s) for s in stats], dtype=bool)

    def transform(self, X: Any) -> np.ndarray:
        """Fill the missing values of ``X`` (n_samples, n_features).

        Returns
        -------
        ndarray, shape (n_samples, n_kept + n_indicators)
            Imputed kept features, then the indicator columns.
        """
        check_is_fitted(self)
        X = self._check_input(X, reset=False)
        mask = _missing_mask(X, self.missing_values)
        stats = self.statistics_
        out = X.copy()  # numeric input stays numeric, object stays object
        rows, cols = np.nonzero(mask)
        if rows.size:
            out[rows, cols] = stats[cols]
        kept = self._kept()
        if not kept.all():
            out = out[:, kept]
        if self.add_indicator:
            ind = mask[:, self.indicator_features_].astype(
                out.dtype if out.dtype.kind == "f" else np.float64
            )
            if out.dtype.kind == "O":  # object output keeps True/False, as scikit-learn's
                ind = mask[:, self.indicator_features_].astype(object)
            out = np.hstack([out, ind])
        return out

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Put ``missing_values`` back where the indicator columns say (needs ``add_indicator``).

        Parameters
        ----------
        X : array-like, shape (n_samples, n_kept + n_indicators)

        Returns
        -------
        ndarray, shape (n_samples, n_features_in_)
            Dropped empty features come back as all missing.
        """
        check_is_fitted(self)
        if not self.add_indicator:
            raise ValueError(
                "'inverse_transform' works only when 'SimpleImputer' is instantiated with "
                f"'add_indicator=True'. Got 'add_indicator={self.add_indicator}' instead."
            )
        X = check_array(X, dtype=None, ensure_all_finite=False)
        kept = self._kept()
        n_kept = int(kept.sum())
        n_ind = self.indicator_features_.size
        if X.shape[1] != n_kept + n_ind:
            raise ValueError(
                f"X has {X.shape[1]} columns, but this SimpleImputer outputs {n_kept + n_ind}."
            )
        dtype = X.dtype if X.dtype.kind in "fO" else np.float64
        out = np.full((X.shape[0], kept.size), self.missing_values, dtype=dtype)
        out[:, kept] = X[:, :n_kept]
        ind = X[:, n_kept:].astype(bool)
        sub = out[:, self.indicator_features_]
        sub[ind] = self.missing_values
        out[:, self.indicator_features_] = sub
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Kept input names, then ``missingindicator_<name>`` for each indicator column."""
        names = check_feature_names_out(self, input_features)
        out = list(names[self._kept()])
        if self.add_indicator:
            out += [f"missingindicator_{names[j]}" for j in self.indicator_features_]
        return np.asarray(out, dtype=object)
