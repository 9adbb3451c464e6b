"""Normalisation (notes §10): min-max, z-score and non-linear scaling of each feature.

All three are per-column maps fitted on training data and replayed on new data. Missing values
(NaN) are ignored when fitting and passed through unchanged when transforming.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._validation import check_array, check_feature_names_out, check_is_fitted, check_sample_weight
from ..base import BaseEstimator, TransformerMixin

__all__ = ["MinMaxScaler", "StandardScaler", "NonlinearScaler"]

_FLOATS = (np.float64, np.float32)
_EPS = np.finfo(np.float64).eps
_CHUNK_ROWS = 8192  # rows per block in the variance pass: a block stays in cache


class _OneToOneMixin:
    """``get_feature_names_out`` for transformers that map column i to column i."""

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output feature names: the input names, unchanged.

        Parameters
        ----------
        input_features : array-like of str, shape (n_features_in_,), optional
            Names to use instead of ``feature_names_in_`` / ``x0, x1, ...``.

        Returns
        -------
        ndarray of object, shape (n_features_in_,)
        """
        return check_feature_names_out(self, input_features)


def _scaler_tags(tags: Any) -> Any:
    tags.input_tags.allow_nan = True
    tags.transformer_tags.preserves_dtype = ["float64", "float32"]
    return tags


class MinMaxScaler(_OneToOneMixin, TransformerMixin, BaseEstimator):
    r"""Scale each feature linearly onto ``feature_range`` (min-max normalisation).

    .. math::

        x' = a + \frac{(x - \min_j)(b - a)}{\max_j - \min_j}
           = x \cdot \mathrm{scale}_j + \mathrm{min}_j,

    with :math:`(a, b)` the feature range and :math:`\min_j, \max_j` the column's extremes on the
    training data. A constant column (range below ``10 * eps``) gets scale 1.

    Parameters
    ----------
    feature_range : tuple (min, max), default=(0, 1)
        Desired range of the transformed data.
    clip : bool, default=False
        Clip transformed values of new data into ``feature_range``.

    Attributes
    ----------
    min_ : ndarray, shape (n_features,)
        Per-feature offset :math:`a - \min_j \mathrm{scale}_j`.
    scale_ : ndarray, shape (n_features,)
        Per-feature factor :math:`(b - a) / (\max_j - \min_j)`.
    data_min_, data_max_, data_range_ : ndarray, shape (n_features,)
        Column minima, maxima and their difference (NaN ignored).
    n_samples_seen_ : int
        Rows seen by ``fit`` / ``partial_fit``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
        Only when fitted on a DataFrame with string column names.
    """

    def __init__(self, feature_range: tuple[float, float] = (0, 1), *, clip: bool = False):
        self.feature_range = feature_range
        self.clip = clip

    def __sklearn_tags__(self) -> Any:
        return _scaler_tags(super().__sklearn_tags__())

    def _reset(self) -> None:
        for name in ("scale_", "min_", "n_samples_seen_", "data_min_", "data_max_", "data_range_"):
            self.__dict__.pop(name, None)

    def fit(self, X: Any, y: Any = None) -> MinMaxScaler:
        """Compute the per-feature minimum and maximum.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self
        """
        self._reset()
        return self.partial_fit(X, y)

    def partial_fit(self, X: Any, y: Any = None) -> MinMaxScaler:
        """Update the minimum and maximum with one more batch ``X`` (n_samples, n_features)."""
        fr = self.feature_range
        if not (isinstance(fr, (tuple, list)) and len(fr) == 2):
            raise ValueError(f"feature_range must be a tuple (min, max), got {fr!r}.")
        if fr[0] >= fr[1]:
            raise ValueError(
                f"Minimum of desired feature range must be smaller than maximum. Got {tuple(fr)}."
            )
        first = not hasattr(self, "n_samples_seen_")
        X = self._validate_data(X, reset=first, dtype=_FLOATS, ensure_all_finite="allow-nan")
        if np.isnan(X).any():
            with warnings.catch_warnings():  # an all-NaN column gives NaN, as intended
                warnings.simplefilter("ignore", RuntimeWarning)
                data_min, data_max = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
        else:
            data_min, data_max = X.min(axis=0), X.max(axis=0)
        if first:
            self.n_samples_seen_ = X.shape[0]
        else:
            data_min = np.fmin(self.data_min_, data_min)
            data_max = np.fmax(self.data_max_, data_max)
            self.n_samples_seen_ += X.shape[0]
        data_range = data_max - data_min
        denom = np.where(data_range < 10 * np.finfo(data_range.dtype).eps, 1.0, data_range)
        self.scale_ = (fr[1] - fr[0]) / denom
        self.min_ = fr[0] - data_min * self.scale_
        self.data_min_, self.data_max_, self.data_range_ = data_min, data_max, data_range
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Scale ``X`` (n_samples, n_features); returns a new array of the same shape and dtype."""
        check_is_fitted(self)
        X = self._validate_data(X, reset=False, dtype=_FLOATS, ensure_all_finite="allow-nan")
        out = np.multiply(X, self.scale_.astype(X.dtype, copy=False))
        out += self.min_.astype(X.dtype, copy=False)
        if self.clip:
            np.clip(out, self.feature_range[0], self.feature_range[1], out=out)
        return out

    def inverse_transform(self, X: Any) -> np.ndarray:
        r"""Undo the scaling: :math:`x = (x' - \mathrm{min}_j) / \mathrm{scale}_j`."""
        check_is_fitted(self)
        X = check_array(X, dtype=_FLOATS, ensure_all_finite="allow-nan")
        self._check_n_features(X, reset=False)
        out = np.subtract(X, self.min_.astype(X.dtype, copy=False))
        out /= self.scale_.astype(X.dtype, copy=False)
        return out


def _column_moments(
    X: np.ndarray, w: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted count, mean and (biased) variance of each column, NaN ignored, in float64.

    The mean is one pass; the variance a second pass over row blocks that stay in cache, so no
    array the size of ``X`` is allocated.
    """
    n, m = X.shape
    total = X.sum(axis=0, dtype=np.float64) if w is None else w @ X
    nan_cols = np.isnan(total)
    if nan_cols.any():  # rare: only the columns that hold NaN take the slow path
        mask = np.isnan(X[:, nan_cols])
        Xn = np.where(mask, 0.0, X[:, nan_cols])
        ww = np.ones(n) if w is None else w
        count = np.full(m, float(ww.sum()) if w is not None else float(n))
        count[nan_cols] = ww @ (~mask)
        total[nan_cols] = ww @ Xn
    else:
        count = np.full(m, float(n) if w is None else float(w.sum()))
        mask = None
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
    ssq = np.zeros(m)
    buf = np.empty((min(n, _CHUNK_ROWS), m), dtype=np.float64)
    for start in range(0, n, _CHUNK_ROWS):  # blocks of rows, not single samples
        block = X[start : start + _CHUNK_ROWS]
        b = buf[: block.shape[0]]
        np.subtract(block, mean, out=b)
        np.multiply(b, b, out=b)
        if mask is not None:
            sub = b[:, nan_cols]
            sub[np.isnan(sub)] = 0.0
            b[:, nan_cols] = sub
        ssq += b.sum(axis=0) if w is None else w[start : start + _CHUNK_ROWS] @ b
    with np.errstate(invalid="ignore", divide="ignore"):
        var = ssq / count
    return count, mean, var


class StandardScaler(_OneToOneMixin, TransformerMixin, BaseEstimator):
    r"""Standardise each feature to zero mean and unit variance (z-score normalisation).

    .. math::

        x' = \frac{x - \mu_j}{\sigma_j}, \qquad
        \mu_j = \frac{\sum_i w_i x_{ij}}{\sum_i w_i}, \qquad
        \sigma_j^2 = \frac{\sum_i w_i (x_{ij} - \mu_j)^2}{\sum_i w_i},

    (biased variance, :math:`w_i = 1` without ``sample_weight``). A feature whose variance is
    within rounding error of zero keeps :math:`\sigma_j = 1`. ``partial_fit`` merges batches with
    Chan et al.'s pairwise update
    :math:`M_2 = M_{2,a} + M_{2,b} + \delta^2 n_a n_b / (n_a + n_b)`.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract the mean.
    with_std : bool, default=True
        Divide by the standard deviation.
    copy : bool, default=True
        If False, ``transform`` scales a float array in place.

    Attributes
    ----------
    mean_ : ndarray, shape (n_features,) or None
        None when both ``with_mean`` and ``with_std`` are False.
    var_ : ndarray, shape (n_features,) or None
        None when ``with_std`` is False.
    scale_ : ndarray, shape (n_features,) or None
        :math:`\sigma_j` (1 for constant features); None when ``with_std`` is False.
    n_samples_seen_ : int, float or ndarray of shape (n_features,)
        Rows (or summed weights) seen; per feature when some values were NaN.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
    """

    def __init__(self, *, copy: bool = True, with_mean: bool = True, with_std: bool = True):
        self.copy = copy
        self.with_mean = with_mean
        self.with_std = with_std

    def __sklearn_tags__(self) -> Any:
        return _scaler_tags(super().__sklearn_tags__())

    def _reset(self) -> None:
        for name in ("mean_", "var_", "scale_", "n_samples_seen_"):
            self.__dict__.pop(name, None)

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> StandardScaler:
        """Compute the per-feature mean and standard deviation.

        Parameters
        ----------
        X : array-like, shape (n_samples, n_features)
        y : ignored
        sample_weight : array-like, shape (n_samples,), optional

        Returns
        -------
        self
        """
        self._reset()
        return self.partial_fit(X, y, sample_weight)

    def partial_fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> StandardScaler:
        """Update the mean and variance with one more batch ``X`` (n_samples, n_features)."""
        first = not hasattr(self, "n_samples_seen_")
        X = self._validate_data(X, reset=first, dtype=_FLOATS, ensure_all_finite="allow-nan")
        w = None
        if sample_weight is not None:
            w = check_sample_weight(sample_weight, X, dtype=np.float64)
        count, mean, var = _column_moments(X, w)
        if not first and self.mean_ is not None:
            old_n = np.broadcast_to(np.asarray(self.n_samples_seen_, dtype=np.float64), mean.shape)
            new_n = old_n + count
            old_mean = self.mean_
            old_m2 = self.var_ * old_n if self.var_ is not None else np.zeros_like(mean)
            with np.errstate(invalid="ignore", divide="ignore"):
                delta = np.where(count > 0, mean - old_mean, 0.0)
                mean = np.where(count > 0, old_mean + delta * count / new_n, old_mean)
                m2 = old_m2 + np.where(count > 0, var * count, 0.0)
                m2 += delta**2 * old_n * count / np.where(new_n > 0, new_n, 1.0)
                var = np.where(new_n > 0, m2 / np.where(new_n > 0, new_n, 1.0), np.nan)
            count = new_n
        elif not first:
            count = count + np.broadcast_to(
                np.asarray(self.n_samples_seen_, np.float64), count.shape
            )
        # Counts: an int (or summed weight) when every column saw every row, else per feature.
        if np.all(count == count[0]) if count.size else True:
            n_seen: Any = float(count[0]) if count.size else 0
            if w is None and float(n_seen).is_integer():
                n_seen = int(n_seen)
        else:
            n_seen = count.astype(np.int64) if w is None else count
        self.n_samples_seen_ = n_seen
        if self.with_mean or self.with_std:
            self.mean_ = mean
        else:
            self.mean_ = None
        if self.with_std:
            self.var_ = var
            constant = var <= count * _EPS * var + (count * mean * _EPS) ** 2
            scale = np.sqrt(var)
            scale[constant | (scale == 0)] = 1.0
            self.scale_ = scale
        else:
            self.var_ = None
            self.scale_ = None
        return self

    def transform(self, X: Any, copy: bool | None = None) -> np.ndarray:
        """Standardise ``X`` (n_samples, n_features); same shape and float dtype."""
        check_is_fitted(self)
        copy = self.copy if copy is None else copy
        X = self._validate_data(
            X, reset=False, dtype=_FLOATS, ensure_all_finite="allow-nan", copy=False
        )
        out = None if copy else X
        if self.with_mean:
            out = np.subtract(X, self.mean_.astype(X.dtype, copy=False), out=out)
        if self.with_std:
            out = np.divide(X if out is None else out, self.scale_.astype(X.dtype), out=out)
        if out is None:
            out = X.copy() if copy else X
        return out

    def inverse_transform(self, X: Any, copy: bool | None = None) -> np.ndarray:
        r"""Undo the standardisation: :math:`x = x' \sigma_j + \mu_j`."""
        check_is_fitted(self)
        copy = self.copy if copy is None else copy
        X = check_array(X, dtype=_FLOATS, ensure_all_finite="allow-nan")
        self._check_n_features(X, reset=False)
        out = X.copy() if copy else X
        if self.with_std:
            out *= self.scale_.astype(X.dtype, copy=False)
        if self.with_mean:
            out += self.mean_.astype(X.dtype, copy=False)
        return out


# name -> (forward, inverse, forward-domain check, inverse-domain check)
_FUNCS: dict[str, tuple[Any, Any, Any, Any]] = {
    "log": (np.log, np.exp, ("> 0", lambda x: x > 0), None),
    "log2": (np.log2, np.exp2, ("> 0", lambda x: x > 0), None),
    "log10": (np.log10, lambda x: np.power(10.0, x), ("> 0", lambda x: x > 0), None),
    "log1p": (np.log1p, np.expm1, ("> -1", lambda x: x > -1), None),
    "exp": (np.exp, np.log, None, ("> 0", lambda x: x > 0)),
    "tan": (np.tan, np.arctan, None, None),
    "arctan": (
        np.arctan,
        np.tan,
        None,
        ("in (-pi/2, pi/2)", lambda x: np.abs(x) < np.pi / 2),
    ),
}


def _check_domain(X: np.ndarray, check: Any, func: str, what: str) -> None:
    if check is None:
        return
    text, ok = check
    with np.errstate(invalid="ignore"):
        bad = ~ok(X) & ~np.isnan(X)
    if bad.any():
        values = X[bad]
        kind = "Negative values in data" if (values < 0).any() else "Values outside the domain"
        raise ValueError(
            f"{kind} passed to NonlinearScaler(func={func!r}).{what}: it needs every value "
            f"{text}; got {float(values[0])!r} ({values.size} value(s) outside the domain)."
        )


class NonlinearScaler(_OneToOneMixin, TransformerMixin, BaseEstimator):
    r"""Non-linear normalisation (the notes' third kind): apply one function to every value.

    ===========  ==========================  ==============================  ===============
    ``func``     transform                   inverse                         domain
    ===========  ==========================  ==============================  ===============
    "log"        :math:`\ln x`               :math:`e^{x'}`                  :math:`x > 0`
    "log2"       :math:`\log_2 x`            :math:`2^{x'}`                  :math:`x > 0`
    "log10"      :math:`\log_{10} x`         :math:`10^{x'}`                 :math:`x > 0`
    "log1p"      :math:`\ln(1 + x)`          :math:`e^{x'} - 1`              :math:`x > -1`
    "exp"        :math:`e^{x}`               :math:`\ln x'`                  all
    "tan"        :math:`\tan x`              :math:`\arctan x'`              all
    "arctan"     :math:`\arctan x`           :math:`\tan x'`                 all
    ===========  ==========================  ==============================  ===============

    ``inverse_transform`` of "tan" returns the principal value in :math:`(-\pi/2, \pi/2)`, so
    it recovers ``X`` only for inputs in that interval; "arctan" maps onto
    :math:`(-\pi/2, \pi/2)` and its inverse refuses anything outside. Nothing is learned from
    the data beyond the number (and names) of features; NaN passes through.

    Parameters
    ----------
    func : {"log", "log2", "log10", "log1p", "exp", "tan", "arctan"}, default="log1p"

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
    """

    def __init__(self, func: str = "log1p"):
        self.func = func

    def __sklearn_tags__(self) -> Any:
        tags = _scaler_tags(super().__sklearn_tags__())
        # The log family refuses values outside its domain, which includes negative ones.
        tags.input_tags.positive_only = self.func in ("log", "log2", "log10", "log1p")
        return tags

    def _spec(self) -> tuple[Any, Any, Any, Any]:
        if not isinstance(self.func, str) or self.func not in _FUNCS:
            raise ValueError(
                f"The 'func' parameter of NonlinearScaler must be one of {sorted(_FUNCS)}; "
                f"got {self.func!r}."
            )
        return _FUNCS[self.func]

    def fit(self, X: Any, y: Any = None) -> NonlinearScaler:
        """Check ``X`` (n_samples, n_features) lies in the function's domain; record its shape."""
        _, _, dom, _ = self._spec()
        X = self._validate_data(X, reset=True, dtype=_FLOATS, ensure_all_finite="allow-nan")
        _check_domain(X, dom, self.func, "transform")
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Apply ``func`` elementwise; returns an array of the shape and float dtype of ``X``."""
        check_is_fitted(self)
        fwd, _, dom, _ = self._spec()
        X = self._validate_data(X, reset=False, dtype=_FLOATS, ensure_all_finite="allow-nan")
        _check_domain(X, dom, self.func, "transform")
        with np.errstate(over="ignore"):
            return fwd(X)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Apply the inverse function elementwise (see the table above)."""
        check_is_fitted(self)
        _, inv, _, idom = self._spec()
        X = check_array(X, dtype=_FLOATS, ensure_all_finite="allow-nan")
        self._check_n_features(X, reset=False)
        _check_domain(X, idom, self.func, "inverse_transform")
        with np.errstate(over="ignore"):
            return inv(X)
