r"""Step 3 of the workflow (notes §5.3): imputation, encoding, scaling, discretisation where it
helps, collinearity removal, and a feature table.

:func:`build_features` returns three *unfitted* preprocessors, lucidml pipelines that take the raw
DataFrame ``X`` (any column order, extra columns ignored) and return a float array, so they are
fitted inside every cross-validation fold together with the model:

``"scaled"`` (logistic/linear models, k-NN, MLP)
    numeric: median imputation plus a 0/1 missing-indicator column per feature with missing
    values in the training rows, then z-scores (:class:`~lucidml.preprocessing.StandardScaler`);
    categorical: one-hot columns (:class:`~lucidml.preprocessing.OneHotEncoder`,
    ``handle_unknown="ignore"``: an unseen category is all zeros), missing values a category
    of their own, categories seen fewer than :math:`\min(10, \max(2, \lceil n/100 \rceil))`
    times in the training rows grouped in one column, at most 30 columns per feature; collinear
    numeric features left out (below); a numeric feature with a non-linear link to the target
    also gets 5 one-hot quantile bins (below).
``"trees"`` (tree, forest, boosting)
    numeric: median imputation plus missing indicators, no scaling; categorical: integer codes
    in sorted order (:class:`_CategoryCodes`), -1 for missing and unseen values. Trees keep the
    collinear features (a split on either copy is the same split).
``"binned"`` (naive Bayes, ``CategoricalNB``)
    numeric: median imputation, then 5 quantile bins (:class:`_QuantileBins`, bin index
    0..4; a column with at most 5 distinct values gets one bin a value); categorical: codes
    1..K, 0 for missing and unseen values, so every code at predict time is one
    ``CategoricalNB`` saw room for. Collinear features are left out (naive Bayes would count
    the same evidence twice).

Columns are the data step's ``usable_features``; kind ``"numeric"`` becomes float64 (``True`` /
``False`` as 1 / 0; text that is not a number and :math:`\pm\infty` count as missing); every other
kind is categorical, its values written as text (``3`` and ``3.0`` both ``"3"``, booleans
``"True"`` / ``"False"``), so an integer-coded column that gains a missing value at predict time
(and turns float in pandas) keeps its categories. A constant or all-missing column in a training
fold is harmless: the scaler keeps :math:`\sigma = 1`, the imputer fills 0 and binning uses one bin.

Rules and their numbers
-----------------------
Everything below is computed on the *table sample*: all rows, or a random sample of
``_TABLE_ROWS`` = 10,000 rows drawn with ``numpy.random.default_rng(seed)`` (the section says
which).

*Collinearity* (numeric features, median-imputed): first every pair with :math:`|r| > 0.98` loses
one member (:class:`~lucidml.preprocessing.CollinearityFilter`, ``method="pearson"``: of the pair,
the one more correlated with the rest goes); then, among the rest, a feature whose variance
inflation factor exceeds 50,

.. math:: \mathrm{VIF}_j = \frac{1}{1 - R_j^2} > 50 \iff R_j^2 > 0.98,

goes (``method="vif"``: one at a time, the largest first), which catches a feature that is a
linear combination of several others. The section reports the removed feature with its partner and
:math:`r`, or with :math:`R_j^2` and :math:`\mathrm{VIF}_j` against the kept numeric features.
The rule does not look at the target, so deciding it on all rows leaks nothing into the folds.

*Discretisation where it helps*: ``"binned"`` bins every numeric feature (naive Bayes needs
categories). For the linear models, a numeric feature with at least 10 distinct values also gets
its 5 one-hot quantile bins beside its z-score in ``"scaled"`` when they let a one-feature linear
model capture clearly more about the target:

.. math::

    I_{\mathrm{bins}} - I_{\mathrm{lin}} - \frac{q}{m} > 0.05 \text{ nats},

where :math:`I_{\mathrm{lin}}` is the information a linear model of the z-scored feature
captures, :math:`I_{\mathrm{bins}}` the same with the bins added, :math:`q` the number of
weights the bins add (4, times :math:`C - 1` for :math:`C > 2` classes) and :math:`m` the rows
(Akaike's penalty per row, so bins that only fit noise do not count). For classification
:math:`I = H(y) - \frac1m \sum_i -\log \hat p(y_i \mid x_i)` with :math:`\hat p` a logistic
regression (C = 1); for regression :math:`I = -\tfrac12 \log(1 - R^2)` of the least-squares fit
(the mutual information of jointly Gaussian variables with that :math:`R^2`). Both are fitted
on the observed rows of the table sample. A target that depends on :math:`x^2` or on a band of
:math:`x` gives :math:`I_{\mathrm{lin}} \approx 0` and a large :math:`I_{\mathrm{bins}}`; a linear
feature gains nothing. The mutual information :math:`\hat I(x; y)` is reported beside them: the
most any model of the feature could capture. This choice looks at the target on the table
sample, outside the cross-validation folds; the section says so.

*Feature table*, one row per column of ``X`` (target scores need a target; clustering gets
``None``):

- ``pearson_r``: Pearson :math:`r` (:func:`~lucidml.feature_selection.r_regression`) with the
  target (regression) or with the class indicator :math:`[y = c]`: for two classes
  :math:`c` is the second sorted class, for more the class with the largest :math:`|r|`. A
  categorical feature reports the largest :math:`|r|` (with its sign) over its one-hot columns.
  Numeric features use the rows where they are observed.
- ``chi2``, ``chi2_p``, ``chi2_dof``: Pearson's chi-square of the contingency table of the
  feature's codes and the target's classes (regression: the target's 5 quantile bins), the sum of
  :func:`~lucidml.feature_selection.chi2` over the codes' one-hot columns, with
  :math:`(K - 1)(C - 1)` degrees of freedom. Numeric codes: the values of a feature with fewer
  than 10 distinct ones, else 5 quantile bins of the observed values (narrow bins merged), and
  one more code for missing; categorical codes: the categories, missing one of them. A
  regression target is coded the same way.
- ``mutual_info``: :func:`~lucidml.feature_selection.mutual_info_classif` /
  :func:`~lucidml.feature_selection.mutual_info_regression` in nats (k = 3 neighbours,
  ``random_state=seed``): continuous estimate on the observed rows for numeric features with at
  least 10 distinct values, discrete on the codes otherwise.
- ``conditional_entropy``: :math:`H(y \mid x)` in nats of the (binned) target given the same
  codes as chi-square (:func:`~lucidml.feature_selection.conditional_entropy`).
- ``lr_weight``: the weight of the feature in a logistic regression (C = 1, class weights as the
  data step says) on the kept features, numeric ones median-imputed and standardised, categorical
  ones one-hot as in ``"scaled"``; for regression the standardised coefficient of a ridge
  regression (alpha = 1) of the standardised target. Several columns (one-hot, or several
  classes): the entry with the largest :math:`|w|`, with its sign. ``None`` for features left
  out.
- ``kept`` and ``reason``: whether the linear, k-NN, MLP and naive-Bayes inputs use the feature,
  and why (data-step drops, collinearity; trees keep collinear features).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np
from scipy import special

from .._validation import check_array, check_is_fitted
from ..base import BaseEstimator, TransformerMixin, clone
from ..exceptions import ConvergenceWarning
from ..feature_selection import conditional_entropy
from ..preprocessing import (
    CollinearityFilter,
    KBinsDiscretizer,
    OneHotEncoder,
    OrdinalEncoder,
    SimpleImputer,
    StandardScaler,
)
from ._errors import WorkflowError
from ._json import json_float

__all__ = ["build_features"]

_TABLE_ROWS = 10_000  # rows the table and the data-driven rules look at, at most
_N_BINS = 5  # quantile bins of numeric features (binned, table codes, regression target)
_R_THRESHOLD = 0.98  # |r| above which one of a pair of numeric features goes
_VIF_THRESHOLD = 50.0  # VIF above which a numeric feature goes (R^2 > 0.98)
_BINNING_GAIN = 0.05  # nats of information that bins must add to a linear model
_MIN_DISTINCT = 10  # distinct values a numeric feature needs before extra bins make sense
_MAX_CATEGORIES = 30  # one-hot columns per categorical feature, the rare group included
_MI_NEIGHBORS = 3


# ----------------------------------------------------------------------------------------------
# Transformers the preprocessors are built from
# ----------------------------------------------------------------------------------------------


def _as_float(col: Any) -> np.ndarray:
    """A pandas column as float64 (n_samples,): bools 1/0; non-numbers and +-inf NaN."""
    import pandas as pd

    kind = getattr(col.dtype, "kind", "O")
    if kind in "biuf":
        out = col.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        if not isinstance(col.dtype, np.dtype):  # pandas extension types: text, category
            col = col.astype(object)
        out = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    out = np.array(out, dtype=np.float64)  # a writable copy
    out[~np.isfinite(out) | col.isna().to_numpy()] = np.nan  # NaT would be a huge negative
    return out


def _as_text(col: Any) -> np.ndarray:
    """A pandas column as an object array (n_samples,) of category names, NaN where missing.

    Integral numbers print without a decimal point (``3`` and ``3.0`` -> ``"3"``), booleans as
    ``"True"``/``"False"``, strings as they are.
    """
    missing = col.isna().to_numpy()
    kind = getattr(col.dtype, "kind", "O")
    if kind == "b":
        text = np.where(col.to_numpy(dtype=bool, na_value=False), "True", "False")
    elif kind in "iuf":
        v = col.to_numpy(dtype=np.float64, na_value=np.nan)
        integral = np.isfinite(v) & (v == np.round(v)) & (np.abs(v) < 2.0**53)
        as_int = np.where(integral, v, 0.0).astype(np.int64).astype(str)
        text = np.where(integral, as_int, v.astype(str))
    else:
        text = col.astype(object).astype(str).to_numpy()
    out = np.asarray(text, dtype=object)
    out[missing] = np.nan
    return out


class _TableColumns(TransformerMixin, BaseEstimator):
    """Select columns of a DataFrame by name and give each one dtype: float or category names.

    The first step of every preprocessor of :func:`build_features`. It accepts a DataFrame with
    the named columns in any order and any other columns besides (dropped), so a model fitted on
    one file predicts on another that holds the same columns.

    Parameters
    ----------
    numeric : list of str
        Columns returned as float64 (bools 1/0; non-numbers and +-inf become NaN).
    categorical : list of str
        Columns returned as object arrays of category names (numbers without a trailing
        ``.0``, booleans ``"True"``/``"False"``), NaN where missing.

    Attributes
    ----------
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
        The columns the transformer needs: ``numeric`` then ``categorical``.
    n_features_in_ : int
    """

    def __init__(self, numeric: Any = (), categorical: Any = ()) -> None:
        self.numeric = numeric
        self.categorical = categorical

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags

    def _names(self) -> list[str]:
        return [*self.numeric, *self.categorical]

    def _check(self, X: Any) -> None:
        if not (hasattr(X, "iloc") and hasattr(X, "columns")):
            raise ValueError(
                "the preprocessor needs a pandas DataFrame with the columns "
                f"{self._names()!r}; got {type(X).__name__}."
            )
        present = set(X.columns)
        missing = [c for c in self._names() if c not in present]
        if missing:
            raise WorkflowError(
                f"the data lacks column(s) {', '.join(repr(c) for c in missing)} the model "
                "was trained with; add them (empty values are fine)"
            )

    def fit(self, X: Any, y: Any = None) -> _TableColumns:
        """Check that ``X`` (a DataFrame) holds every named column."""
        names = self._names()
        if len(set(names)) != len(names) or not names:
            raise ValueError(
                "_TableColumns needs at least one column and no name twice; got numeric="
                f"{list(self.numeric)!r}, categorical={list(self.categorical)!r}."
            )
        self._check(X)
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        return self

    def transform(self, X: Any) -> Any:
        """The named columns of ``X``, numeric ones float64 and categorical ones object.

        Returns
        -------
        DataFrame of shape (n_samples, n_features_in_)
        """
        import pandas as pd

        check_is_fitted(self)
        self._check(X)
        data = {c: _as_float(X[c]) for c in self.numeric}
        data.update({c: _as_text(X[c]) for c in self.categorical})
        return pd.DataFrame(data, columns=self._names())

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The selected names, shape (n_features_in_,)."""
        check_is_fitted(self)
        return self.feature_names_in_.copy()


class _CategoryCodes(TransformerMixin, BaseEstimator):
    """Integer codes of categorical columns, missing and unseen values sharing one code.

    Category :math:`k` (in sorted order) of a column becomes :math:`k + \\text{offset}`, and a
    missing or unseen value becomes :math:`\\text{offset} - 1`. With ``offset=0`` that is
    -1 (trees split it off), with ``offset=1`` it is 0, so the codes are non-negative and never
    exceed the largest code of the training rows (``CategoricalNB`` needs both).

    Parameters
    ----------
    offset : int, default=0

    Attributes
    ----------
    encoder_ : OrdinalEncoder
        The fitted encoder behind the codes.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
    """

    def __init__(self, offset: int = 0) -> None:
        self.offset = offset

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.input_tags.categorical = True
        return tags

    def fit(self, X: Any, y: Any = None) -> _CategoryCodes:
        """Learn the categories of each column of ``X`` (n_samples, n_features)."""
        if isinstance(self.offset, bool) or not isinstance(self.offset, numbers.Integral):
            raise ValueError(f"offset must be an int; got {self.offset!r}.")
        self.encoder_ = OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
        ).fit(X)
        self.n_features_in_ = self.encoder_.n_features_in_
        if hasattr(self.encoder_, "feature_names_in_"):
            self.feature_names_in_ = self.encoder_.feature_names_in_
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Codes of ``X``: float64 array of shape (n_samples, n_features)."""
        check_is_fitted(self)
        return self.encoder_.transform(X) + float(self.offset)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The input names, shape (n_features_in_,)."""
        check_is_fitted(self)
        return self.encoder_.get_feature_names_out(input_features)


class _QuantileBins(KBinsDiscretizer):
    """:class:`~lucidml.preprocessing.KBinsDiscretizer` that gives few-valued columns one bin a
    value and fits quietly.

    A column with at most ``n_bins`` distinct values in the training rows (a 0/1 flag, a small
    count) gets one bin per value, with edges at the midpoints between them, where quantile
    edges would merge into fewer bins (a 0/1 column into one). Otherwise the parent's rule holds.
    A column that is constant in a training fold gets one bin and one with many ties gets fewer
    bins, as in the parent class, but without its warnings: inside cross-validation they are
    expected, not news.
    """

    def fit(self, X: Any, y: Any = None) -> _QuantileBins:
        """Find the bin edges of each column of ``X`` (n_samples, n_features)."""
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="Feature .* is constant", category=UserWarning
            )
            warnings.filterwarnings("ignore", message="Bins whose width", category=UserWarning)
            super().fit(X, y)
        A = check_array(X, dtype=(np.float64, np.float32))
        wanted = self._validate_n_bins(A.shape[1])
        for j in range(A.shape[1]):  # per feature; np.unique is vectorised over the rows
            values = np.unique(A[:, j]).astype(np.float64)
            if 1 < values.size <= wanted[j]:
                mids = (values[1:] + values[:-1]) / 2
                self.bin_edges_[j] = np.concatenate([values[:1], mids, values[-1:]])
                self.n_bins_[j] = values.size
        return self


def _imputer(indicator: bool) -> SimpleImputer:
    return SimpleImputer(strategy="median", add_indicator=indicator, keep_empty_features=True)


def _preprocessors(
    numeric: list[str],
    categorical: list[str],
    kept_numeric: list[str],
    nonlinear: list[str],
    rare: int,
) -> dict[str, Any]:
    """The three unfitted preprocessors (see the module docstring)."""
    from ..pipeline import ColumnTransformer, Pipeline

    def assemble(num: list[str], parts: list[tuple[str, Any, list[str]]]) -> Any:
        parts = [p for p in parts if p[2]]
        return Pipeline(
            [
                ("select", _TableColumns(numeric=list(num), categorical=list(categorical))),
                ("encode", ColumnTransformer(parts, remainder="drop")),
            ]
        )

    onehot = OneHotEncoder(
        handle_unknown="ignore", min_frequency=rare, max_categories=_MAX_CATEGORIES
    )
    scaled = assemble(
        kept_numeric,
        [
            (
                "numeric",
                Pipeline([("impute", _imputer(True)), ("scale", StandardScaler())]),
                kept_numeric,
            ),
            ("categorical", onehot, categorical),
            (
                "bins",
                Pipeline(
                    [
                        ("impute", _imputer(False)),
                        ("bin", _QuantileBins(_N_BINS, encode="onehot-dense", strategy="quantile")),
                    ]
                ),
                [f for f in kept_numeric if f in nonlinear],
            ),
        ],
    )
    trees = assemble(
        numeric,
        [
            ("numeric", _imputer(True), numeric),
            ("categorical", _CategoryCodes(offset=0), categorical),
        ],
    )
    binned = assemble(
        kept_numeric,
        [
            (
                "numeric",
                Pipeline(
                    [
                        ("impute", _imputer(False)),
                        ("bin", _QuantileBins(_N_BINS, encode="ordinal", strategy="quantile")),
                    ]
                ),
                kept_numeric,
            ),
            ("categorical", _CategoryCodes(offset=1), categorical),
        ],
    )
    return {"scaled": scaled, "trees": trees, "binned": binned}


# ----------------------------------------------------------------------------------------------
# Helpers for the section
# ----------------------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return f"{x:.4g}" if math.isfinite(x) else "inf"


def _names(items: list[str], limit: int = 8) -> str:
    shown = ", ".join(repr(f) for f in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _kinds(X: Any, usable: list[str], data_section: dict) -> dict[str, str]:
    """Kind of each usable column: data step's "numeric", else categorical."""
    declared = {c.get("name"): c.get("kind") for c in data_section.get("columns", []) or []}
    out = {}
    for f in usable:
        kind = declared.get(f)
        if kind is None:  # not described by the data step: infer from the dtype
            dk = getattr(X[f].dtype, "kind", "O")
            kind = "numeric" if dk in "iuf" else "categorical"
        out[f] = "numeric" if kind == "numeric" else "categorical"
    return out


def _check_inputs(X: Any, y: Any, frame: dict, data_section: dict) -> tuple[str, list[str]]:
    if not (hasattr(X, "iloc") and hasattr(X, "columns")):
        raise WorkflowError(f"build_features needs a pandas DataFrame; got {type(X).__name__}")
    task = frame.get("task")
    if task not in ("classification", "regression", "clustering"):
        raise WorkflowError(
            f"frame['task'] must be classification, regression or clustering; got {task!r}"
        )
    if task != "clustering":
        if y is None:
            raise WorkflowError(f"a {task} run needs a target; got none")
        if len(y) != len(X):
            raise WorkflowError(f"the target has {len(y)} values but the data {len(X)} rows")
    usable = list(data_section.get("usable_features") or [])
    if not usable:
        raise WorkflowError("no usable feature is left; the data checks dropped every column")
    missing = [f for f in usable if f not in set(X.columns)]
    if missing:
        raise WorkflowError(f"usable feature(s) {_names(missing)} are not columns of the data")
    return task, usable


def _is_few_valued(x: np.ndarray) -> bool:
    """Whether a numeric column (n,) has fewer than ``_MIN_DISTINCT`` observed values."""
    return np.unique(x[~np.isnan(x)]).size < _MIN_DISTINCT


def _codes_of_numeric(x: np.ndarray) -> np.ndarray:
    """Table codes of a numeric column (n,), 0..K-1 all present: its values when it has fewer
    than ``_MIN_DISTINCT``, else quantile bins of the observed values; missing a code of its own.
    """
    obs = ~np.isnan(x)
    codes = np.zeros(x.shape[0], dtype=np.int64)
    if obs.any():
        if _is_few_valued(x):
            codes[obs] = np.unique(x[obs], return_inverse=True)[1].ravel()
        else:
            binner = _QuantileBins(_N_BINS, encode="ordinal", strategy="quantile")
            codes[obs] = binner.fit_transform(x[obs, None])[:, 0].astype(np.int64)
        codes[~obs] = int(codes[obs].max()) + 1
    return np.unique(codes, return_inverse=True)[1].ravel()


def _codes_of_text(v: np.ndarray) -> np.ndarray:
    """Table codes of a categorical column (n,): sorted categories, missing one of them."""
    enc = OrdinalEncoder(encoded_missing_value=-1).fit(v[:, None])
    codes = enc.transform(v[:, None])[:, 0].astype(np.int64)
    return np.unique(codes, return_inverse=True)[1].ravel()


def _one_hot(codes: np.ndarray) -> np.ndarray:
    out = np.zeros((codes.size, int(codes.max()) + 1))
    out[np.arange(codes.size), codes] = 1.0
    return out


def _signed_max(values: np.ndarray) -> float | None:
    """The entry with the largest absolute value (the first on ties), or None if empty."""
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    return float(values[int(np.argmax(np.abs(values)))])


def _chi2_table(codes: np.ndarray, y_codes: np.ndarray) -> tuple[float, float, int]:
    """Pearson chi-square of the codes x classes table, its p-value and degrees of freedom."""
    from ..feature_selection import chi2

    k, c = int(codes.max()) + 1, int(y_codes.max()) + 1
    dof = (k - 1) * (c - 1)
    if dof == 0:
        return 0.0, 1.0, 0
    stat = float(chi2(_one_hot(codes), y_codes)[0].sum())
    return stat, float(special.chdtrc(dof, stat)), dof


class _Target:
    """The target of the table sample in the encodings the scores need."""

    def __init__(self, y: np.ndarray, task: str) -> None:
        self.task = task
        self.y = y
        if task == "classification":
            self.classes, self.codes = np.unique(y, return_inverse=True)
            self.codes = self.codes.ravel()
            self.indicators = _one_hot(self.codes)
        else:
            self.y = np.asarray(y, dtype=np.float64)
            self.codes = _codes_of_numeric(self.y)

    def pearson(self, cols: np.ndarray, rows: np.ndarray) -> float | None:
        """Signed largest |r| of the columns (n, m) with the target (see module docstring)."""
        from ..feature_selection import r_regression

        if rows.sum() < 3:
            return None
        cols = cols[rows]
        if self.task == "regression":
            return _signed_max(r_regression(cols, self.y[rows]))
        ind = self.indicators[rows]
        if ind.shape[1] == 2:
            ind = ind[:, 1:]
        return _signed_max([r_regression(cols, ind[:, c]) for c in range(ind.shape[1])])

    def mutual_info(self, x: np.ndarray, discrete: bool, seed: int) -> float | None:
        from ..feature_selection import mutual_info_classif, mutual_info_regression

        rows = np.ones(x.size, bool) if discrete else ~np.isnan(x)
        if rows.sum() <= _MI_NEIGHBORS:
            return None
        fn = mutual_info_classif if self.task == "classification" else mutual_info_regression
        target = self.codes if self.task == "classification" else self.y
        return float(
            fn(
                x[rows, None],
                target[rows],
                discrete_features=discrete,
                n_neighbors=_MI_NEIGHBORS,
                random_state=seed,
            )[0]
        )

    def binning_gain(self, x: np.ndarray) -> tuple[float, float, float]:
        """``(I_lin, I_bins, gain)`` in nats for a numeric column (n,), on its observed rows.

        :math:`I_{lin}` is the information about the target that a linear model of the
        z-scored feature captures, :math:`I_{bins}` the same with the feature's one-hot quantile
        bins beside it, and ``gain`` :math:`= I_{bins} - I_{lin} - q/m` with :math:`q` the
        parameters the bins add and :math:`m` the rows (Akaike's penalty per row). See the
        module docstring for :math:`I` of each task.
        """
        rows = ~np.isnan(x)
        xo = x[rows]
        m = xo.size
        if m < 3 or np.ptp(xo) == 0:
            return 0.0, 0.0, 0.0
        plain = ((xo - xo.mean()) / xo.std())[:, None]
        bins = _QuantileBins(_N_BINS, encode="onehot-dense", strategy="quantile")
        with_bins = np.hstack([plain, bins.fit_transform(xo[:, None])])
        extra = int(bins.n_bins_[0]) - 1
        if self.task == "regression":
            yo = self.y[rows]

            def info(A: np.ndarray) -> float:
                return -0.5 * math.log(max(1.0 - _r_squared(yo, A), 1e-12))

        else:
            codes = self.codes[rows]
            counts = np.bincount(codes)
            if np.count_nonzero(counts) < 2:
                return 0.0, 0.0, 0.0
            p = counts[counts > 0] / m
            h_y = float(-(p * np.log(p)).sum())
            extra *= max(np.count_nonzero(counts) - 1, 1)

            def info(A: np.ndarray) -> float:
                return h_y - _log_loss(A, codes)

        lin, binned = info(plain), info(with_bins)
        return lin, binned, binned - lin - extra / m


def _log_loss(A: np.ndarray, codes: np.ndarray) -> float:
    """In-sample log-loss (nats) of a logistic regression (C = 1) of ``codes`` (m,) on A (m, d)."""
    from ..linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lr = LogisticRegression(C=1.0, solver="newton", max_iter=200).fit(A, codes)
    proba = lr.predict_proba(A)
    picked = proba[np.arange(codes.size), np.searchsorted(lr.classes_, codes)]
    return float(-np.mean(np.log(np.clip(picked, 1e-300, None))))


def _collinearity(
    Z: np.ndarray, names: list[str]
) -> tuple[list[str], list[dict[str, Any]], list[str]]:
    """Numeric features to keep, removal records and sentences (rules in the module docstring).

    ``Z`` is the median-imputed numeric sample, shape (n, len(names)).
    """
    if len(names) < 2:
        return list(names), [], []
    removed: list[dict[str, Any]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        pf = CollinearityFilter(_R_THRESHOLD, method="pearson").fit(Z)
    R = pf.correlation_
    keep = pf.support_.copy()
    for j in np.flatnonzero(~keep):
        partners = np.flatnonzero(keep)
        p = int(partners[np.argmax(np.abs(R[j, partners]))])
        removed.append(
            {
                "feature": names[j],
                "method": "pearson",
                "partner": names[p],
                "r": float(R[j, p]),
                "r2": None,
                "vif": None,
                "threshold": _R_THRESHOLD,
            }
        )
    cols = np.flatnonzero(keep)
    if cols.size >= 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            vf = CollinearityFilter(method="vif", vif_threshold=_VIF_THRESHOLD).fit(Z[:, cols])
        gone = cols[~vf.support_]
        keep[gone] = False
        kept_cols = np.flatnonzero(keep)
        for j in gone:
            r2 = _r_squared(Z[:, j], Z[:, kept_cols])
            removed.append(
                {
                    "feature": names[j],
                    "method": "vif",
                    "partner": None,
                    "r": None,
                    "r2": r2,
                    "vif": None if r2 >= 1.0 else 1.0 / (1.0 - r2),
                    "threshold": _VIF_THRESHOLD,
                }
            )
    removed.sort(key=lambda d: names.index(d["feature"]))
    text = []
    for d in removed:
        if d["method"] == "pearson":
            text.append(
                f"{d['feature']!r} removed: |r| = {abs(d['r']):.4f} with {d['partner']!r} "
                f"(threshold {_R_THRESHOLD})"
            )
        else:
            vif = "inf" if d["vif"] is None else _fmt(d["vif"])
            text.append(
                f"{d['feature']!r} removed: a linear combination of the kept numeric features, "
                f"R^2 = {d['r2']:.4f}, VIF = {vif} (threshold {_VIF_THRESHOLD:g})"
            )
    return [n for n, k in zip(names, keep, strict=True) if k], removed, text


def _r_squared(x: np.ndarray, others: np.ndarray) -> float:
    """R^2 of the least-squares fit (with intercept) of x (n,) on others (n, m)."""
    xc = x - x.mean()
    ss = float(xc @ xc)
    if ss == 0.0 or others.shape[1] == 0:
        return 0.0
    A = others - others.mean(axis=0)
    beta = np.linalg.lstsq(A, xc, rcond=None)[0]
    resid = xc - A @ beta
    return float(min(max(1.0 - (resid @ resid) / ss, 0.0), 1.0))


def _lr_weights(
    num: np.ndarray,
    texts: dict[str, np.ndarray],
    kept_numeric: list[str],
    categorical: list[str],
    target: _Target,
    class_weight: Any,
    rare: int,
) -> dict[str, float | None]:
    """Weight of each kept feature in a logistic (ridge) regression on the table encoding."""
    from ..linear_model import LogisticRegression, Ridge

    blocks, owner = [], []
    if kept_numeric:
        Z = SimpleImputer(strategy="median", keep_empty_features=True).fit_transform(num)
        blocks.append(StandardScaler().fit_transform(Z))
        owner += kept_numeric
    for f in categorical:
        enc = OneHotEncoder(
            handle_unknown="ignore", min_frequency=rare, max_categories=_MAX_CATEGORIES
        )
        block = enc.fit_transform(texts[f][:, None])
        blocks.append(block)
        owner += [f] * block.shape[1]
    if not blocks:
        return {}
    A = np.hstack(blocks)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if target.task == "classification":
            if target.classes.size < 2:
                return {}
            model = LogisticRegression(
                C=1.0, solver="newton", max_iter=200, class_weight=class_weight
            )
            W = np.atleast_2d(model.fit(A, target.codes).coef_)
        else:
            yz = target.y - target.y.mean()
            s = yz.std()
            W = np.atleast_2d(Ridge(alpha=1.0).fit(A, yz / (s if s > 0 else 1.0)).coef_)
    owner_arr = np.asarray(owner, dtype=object)
    return {f: _signed_max(W[:, owner_arr == f]) for f in dict.fromkeys(owner)}


_TABLE_NOTES = {
    "classification": [
        "pearson_r: r with the class indicator (two classes: the second sorted class; more: the "
        "class with the largest |r|); categorical features: the largest |r| over their one-hot "
        "columns.",
        "chi2 / chi2_p: Pearson's chi-square test of the feature's codes (numeric: 5 quantile "
        "bins, missing a code of its own) against the classes.",
        "mutual_info and conditional_entropy H(y | x) in nats.",
        "lr_weight: weight in a logistic regression (C = 1) on z-scored numeric and one-hot "
        "categorical features; the largest |w| over classes and one-hot columns.",
    ],
    "regression": [
        "pearson_r: r with the target; categorical features: the largest |r| over their one-hot "
        "columns.",
        "chi2 / chi2_p and conditional_entropy: against the target cut into 5 quantile bins.",
        "mutual_info in nats (k-nearest-neighbour estimate).",
        "lr_weight: standardised coefficient of a ridge regression (alpha = 1) of the z-scored "
        "target on z-scored numeric and one-hot categorical features.",
    ],
    "clustering": ["No target: only the encodings and the collinearity check apply."],
}


def _plain(d: dict[str, Any]) -> dict[str, Any]:
    """Floats of a record as plain floats or None (NaN, inf); other values unchanged."""
    return {k: json_float(v) if isinstance(v, (float, np.floating)) else v for k, v in d.items()}


def _scores(
    num: np.ndarray,
    texts: dict[str, np.ndarray],
    numeric: list[str],
    target: _Target | None,
    seed: int,
) -> dict[str, dict[str, Any]]:
    """Target scores of every usable feature (empty dicts without a target)."""
    scores: dict[str, dict[str, Any]] = {f: {} for f in [*numeric, *texts]}
    if target is None:
        return scores
    columns = [(f, num[:, j], True) for j, f in enumerate(numeric)]
    columns += [(f, v, False) for f, v in texts.items()]
    for f, x, is_numeric in columns:  # one feature at a time; each score is vectorised
        codes = _codes_of_numeric(x) if is_numeric else _codes_of_text(x)
        stat, p, dof = _chi2_table(codes, target.codes)
        if is_numeric:
            r = target.pearson(x[:, None], ~np.isnan(x))
            continuous = not _is_few_valued(x)
        else:
            r = target.pearson(_one_hot(codes), np.ones(codes.size, bool))
            continuous = False
        mi = target.mutual_info(x if continuous else codes.astype(np.float64), not continuous, seed)
        scores[f] = {
            "pearson_r": r,
            "chi2": stat,
            "chi2_p": p,
            "chi2_dof": dof,
            "mutual_info": mi,
            "conditional_entropy": float(conditional_entropy(codes[:, None], target.codes)[0]),
        }
    return scores


def _discretisation(
    num: np.ndarray,
    numeric: list[str],
    kept_numeric: list[str],
    scores: dict[str, dict[str, Any]],
    target: _Target | None,
    seed: int,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Bins of each kept numeric feature and the features the linear models get bins of."""
    discretised, nonlinear = [], []
    for j, f in enumerate(numeric):
        if f not in kept_numeric:
            continue
        x = num[:, j]
        distinct = np.unique(x[~np.isnan(x)]).size
        entry: dict[str, Any] = {
            "feature": f,
            "n_bins": distinct if distinct <= _N_BINS else _N_BINS,
            "strategy": "quantile" if distinct > _N_BINS else "one bin a value",
            "preprocessors": ["binned"],
            "mutual_info": None,
            "linear_information": None,
            "binned_information": None,
            "gain": None,
            "reason": "naive Bayes needs categories",
        }
        if target is not None and distinct >= _MIN_DISTINCT:
            lin, binned, gain = target.binning_gain(x)
            entry.update(
                mutual_info=scores[f].get("mutual_info"),
                linear_information=lin,
                binned_information=binned,
                gain=gain,
            )
            if gain > _BINNING_GAIN:
                nonlinear.append(f)
                entry["preprocessors"] = ["scaled", "binned"]
                entry["reason"] = (
                    f"a linear model of it captures {lin:.3f} nats about the target, with "
                    f"{_N_BINS} quantile bins beside it {binned:.3f} (gain {gain:.3f} after the "
                    f"penalty for the extra weights, threshold {_BINNING_GAIN}): one-hot bins "
                    "added beside its z-score for the linear models, k-NN and MLP"
                )
        discretised.append(entry)
    return discretised, nonlinear


def _table(
    X: Any,
    kinds: dict[str, str],
    data_section: dict,
    scores: dict[str, dict[str, Any]],
    weights: dict[str, float | None],
    collinear: list[dict[str, Any]],
    nonlinear: list[str],
) -> list[dict[str, Any]]:
    """One row per column of ``X`` (module docstring)."""
    dropped = {d.get("feature"): d.get("reason") for d in data_section.get("dropped") or []}
    declared = {c.get("name"): c.get("kind") for c in data_section.get("columns") or []}
    removed = {d["feature"]: d for d in collinear}
    table = []
    for f in X.columns:
        row: dict[str, Any] = {
            "feature": str(f),
            "kind": kinds.get(f, declared.get(f) or "unused"),
            "pearson_r": None,
            "chi2": None,
            "chi2_p": None,
            "chi2_dof": None,
            "mutual_info": None,
            "conditional_entropy": None,
            "lr_weight": None,
            "kept": False,
            "reason": "",
        }
        if f not in kinds:
            why = dropped.get(f)
            row["reason"] = f"dropped by the data checks: {why}" if why else "not a usable feature"
        else:
            row.update(_plain(scores[f]))
            row["lr_weight"] = json_float(weights.get(f))
            if f in removed:
                d = removed[f]
                if d["method"] == "pearson":
                    why = f"|r| = {abs(d['r']):.4f} with {d['partner']!r}"
                else:
                    why = f"VIF {'inf' if d['vif'] is None else _fmt(d['vif'])}"
                row["reason"] = f"collinear ({why}): left out of scaled and binned; trees use it"
            else:
                row["kept"] = True
                row["reason"] = "used" + (
                    "; also binned for the linear models (non-linear link)"
                    if f in nonlinear
                    else ""
                )
        table.append(row)
    return table


def _preprocessor_section(
    numeric: list[str],
    categorical: list[str],
    kept_numeric: list[str],
    nonlinear: list[str],
    rare: int,
    widths: dict[str, int],
) -> dict[str, dict[str, Any]]:
    scaled_text = (
        "median imputation + missing indicators, z-scores, one-hot categoricals (unseen -> "
        f"zeros, categories seen < {rare} times grouped, at most {_MAX_CATEGORIES} columns a "
        "feature), collinear features left out"
        + (f", quantile bins for {_names(nonlinear)}" if nonlinear else "")
    )
    return {
        "scaled": {
            "used_by": ["logistic/linear models", "k-NN", "MLP", "k-means"],
            "features": kept_numeric + categorical,
            "n_output_columns": widths["scaled"],
            "text": scaled_text,
        },
        "trees": {
            "used_by": ["decision tree", "random forest", "gradient boosting"],
            "features": numeric + categorical,
            "n_output_columns": widths["trees"],
            "text": "median imputation + missing indicators, categorical codes (-1 missing or "
            "unseen), no scaling",
        },
        "binned": {
            "used_by": ["naive Bayes"],
            "features": kept_numeric + categorical,
            "n_output_columns": widths["binned"],
            "text": f"median imputation, {_N_BINS} quantile bins per numeric feature (one a value "
            "when it has fewer values), categorical codes (0 missing or unseen), collinear "
            "features left out",
        },
    }


# ----------------------------------------------------------------------------------------------
# The step
# ----------------------------------------------------------------------------------------------


def build_features(
    X: Any, y: Any, frame: dict, data_section: dict, *, seed: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the workflow's preprocessors and its feature table (notes §5.3).

    Parameters
    ----------
    X : pandas.DataFrame of shape (n_samples, n_columns)
        The raw feature columns as read.
    y : ndarray of shape (n_samples,) or None
        Class labels (classification), float target (regression) or None (clustering).
    frame : dict
        The framing section; reads ``task``.
    data_section : dict
        The data-check section; reads ``columns`` (name, kind), ``usable_features``,
        ``dropped`` (feature, reason) and ``class_balance`` (``class_weight``).
    seed : int
        Seeds the table sample and the mutual-information estimates.

    Returns
    -------
    preprocessors : dict of str to estimator
        Unfitted pipelines ``"scaled"``, ``"trees"`` and ``"binned"`` taking the raw DataFrame
        and returning float arrays (see the module docstring).
    section : dict
        JSON-serialisable: ``sample``, ``numeric``, ``categorical``, ``steps`` (sentences),
        ``preprocessors`` (per preprocessor: models, features, output columns on the sample),
        ``discretised``, ``collinear``, ``rules`` (thresholds) and ``table``.

    Raises
    ------
    WorkflowError
        ``X`` is not a DataFrame, a usable feature is not a column, no usable feature, or the
        target does not match ``X``.
    """
    task, usable = _check_inputs(X, y, frame, data_section)
    kinds = _kinds(X, usable, data_section)
    numeric = [f for f in usable if kinds[f] == "numeric"]
    categorical = [f for f in usable if kinds[f] == "categorical"]
    n_total = len(X)
    rows = np.arange(n_total)
    if n_total > _TABLE_ROWS:
        rows = np.sort(np.random.default_rng(seed).choice(n_total, _TABLE_ROWS, replace=False))
    Xs = X.iloc[rows]
    ys = None if task == "clustering" else np.asarray(y)[rows]
    rare = int(min(10, max(2, math.ceil(0.01 * n_total))))

    selected = _TableColumns(numeric, categorical).fit(Xs).transform(Xs)
    num = selected[numeric].to_numpy(dtype=np.float64) if numeric else np.zeros((rows.size, 0))
    texts = {f: selected[f].to_numpy(dtype=object) for f in categorical}
    filled = num
    if numeric:
        filled = SimpleImputer(strategy="median", keep_empty_features=True).fit_transform(num)
    kept_numeric, collinear, collinear_text = _collinearity(filled, numeric)

    target = None if task == "clustering" else _Target(ys, task)
    scores = _scores(num, texts, numeric, target, seed)
    discretised, nonlinear = _discretisation(num, numeric, kept_numeric, scores, target, seed)
    weights: dict[str, float | None] = {}
    if target is not None:
        balance = data_section.get("class_balance") or {}
        cw = balance.get("class_weight") if task == "classification" else None
        kept_idx = [numeric.index(f) for f in kept_numeric]
        weights = _lr_weights(num[:, kept_idx], texts, kept_numeric, categorical, target, cw, rare)
    table = _table(X, kinds, data_section, scores, weights, collinear, nonlinear)

    preprocessors = _preprocessors(numeric, categorical, kept_numeric, nonlinear, rare)
    widths = {
        name: int(clone(p).fit_transform(Xs, ys).shape[1]) for name, p in preprocessors.items()
    }
    if n_total > _TABLE_ROWS:
        sample_text = (
            "Feature table, collinearity and discretisation rules computed on a random sample "
            f"of {_TABLE_ROWS:,} of {n_total:,} rows (seed {seed})."
        )
    else:
        sample_text = (
            f"Feature table, collinearity and discretisation rules use all {n_total:,} rows."
        )
    n_unused = len(X.columns) - len(usable)
    steps = [
        f"Columns: {len(numeric)} numeric ({_names(numeric)}), {len(categorical)} categorical "
        f"({_names(categorical)}); {n_unused} column(s) not used (see the data checks).",
        "Missing values: numeric -> median of the training rows plus a 0/1 missing indicator "
        "(naive Bayes: the median only); categorical -> a category of its own.",
        "Encoding: one-hot for the linear models, k-NN and MLP; integer codes for trees and "
        "naive Bayes. Normalisation: z-scores for the linear models, k-NN and MLP only.",
        "Collinearity: "
        + ("; ".join(collinear_text) if collinear_text else "no numeric feature removed")
        + f" (|r| > {_R_THRESHOLD}, then VIF > {_VIF_THRESHOLD:g}; trees keep every feature).",
        f"Discretisation: {_N_BINS} quantile bins of every kept numeric feature for naive Bayes; "
        + (
            f"bins also beside the z-scores of {_names(nonlinear)} for the linear models, "
            f"k-NN and MLP: with them a one-feature linear model captures more than "
            f"{_BINNING_GAIN} nats more about the target (decided on the table sample, outside "
            "the cross-validation folds)."
            if nonlinear
            else f"bins would add less than {_BINNING_GAIN} nats to a one-feature linear model "
            "of any numeric feature, so the linear models get none."
        ),
        sample_text,
    ]
    section = {
        "sample": {
            "rows": int(rows.size),
            "of": int(n_total),
            "sampled": bool(n_total > _TABLE_ROWS),
            "seed": int(seed),
            "text": sample_text,
        },
        "numeric": numeric,
        "categorical": categorical,
        "steps": steps,
        "preprocessors": _preprocessor_section(
            numeric, categorical, kept_numeric, nonlinear, rare, widths
        ),
        "discretised": [_plain(d) for d in discretised],
        "collinear": [_plain(d) for d in collinear],
        "rules": {
            "collinear_abs_r": _R_THRESHOLD,
            "collinear_vif": _VIF_THRESHOLD,
            "binning_gain_nats": _BINNING_GAIN,
            "n_bins": _N_BINS,
            "rare_category_count": rare,
            "max_onehot_columns": _MAX_CATEGORIES,
            "table_rows_max": _TABLE_ROWS,
        },
        "table_notes": _TABLE_NOTES[task],
        "table": table,
    }
    return preprocessors, section


def required_columns(model: Any) -> list[str] | None:
    """The raw columns a fitted workflow model reads, in first-seen order.

    Walks the model's nested estimators (pipeline steps, ensemble members, a stacking meta
    model) and collects the columns of every column-selection step that :func:`build_features`
    put at the front of a preprocessor. ``None`` when the model holds no such step (then the
    model's ``feature_names_in_`` is all there is to go on).
    """
    found: dict[str, None] = {}
    seen: set[int] = set()

    def walk(obj: Any) -> None:
        if obj is None or isinstance(obj, (str, bytes, int, float)) or id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, _TableColumns):
            if hasattr(obj, "feature_names_in_"):
                found.update(dict.fromkeys(str(c) for c in obj.feature_names_in_))
            return
        if isinstance(obj, (list, tuple)):
            for item in obj:
                walk(item)
            return
        for attr in ("steps", "estimators_", "final_estimator_", "transformers_"):
            walk(getattr(obj, attr, None))

    walk(model)
    return list(found) if found else None
