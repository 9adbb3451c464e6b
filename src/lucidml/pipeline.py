r"""Chain estimators (``Pipeline``); transform column groups side by side (``ColumnTransformer``).

A :class:`Pipeline` of steps :math:`T_1, \dots, T_{m-1}, E` fits each transformer on the output of
the one before and the final estimator on the last output,

.. math:: \hat y = E\big(T_{m-1}(\cdots T_1(X))\big),

so preprocessing learned on training folds is never fitted on test folds. A
:class:`ColumnTransformer` applies transformer :math:`T_j` to the column subset :math:`S_j` of
``X`` of shape (n_samples, n_features) and stacks the outputs left to right:

.. math:: Z = \big[\, T_1(X_{:, S_1}) \;\big|\; \cdots \;\big|\; T_q(X_{:, S_q}) \,\big].

Both accept pandas DataFrames and carry column names through ``get_feature_names_out``.
"""

from __future__ import annotations

import numbers
import re
from collections import Counter
from typing import Any

import numpy as np

from ._validation import check_array
from .base import BaseEstimator, TransformerMixin, clone

__all__ = [
    "ColumnTransformer",
    "Pipeline",
    "make_column_selector",
    "make_column_transformer",
    "make_pipeline",
]

_SKIP = ("passthrough", None)


class _Bunch(dict):
    """A dict whose keys are also attributes (``pipe.named_steps.scaler``)."""

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc

    def __dir__(self) -> list[str]:
        return list(self.keys())


class _AvailableIf:
    """Descriptor: the method exists only while ``check(obj)`` is true (``hasattr`` semantics)."""

    def __init__(self, fn: Any, check: Any) -> None:
        self.fn = fn
        self.check = check
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self.fn
        if not self.check(obj):
            raise AttributeError(
                f"This {type(obj).__name__} has no attribute {self.__name__!r} (its final step "
                "does not provide it)."
            )
        return self.fn.__get__(obj, owner)


def _available_if(check: Any) -> Any:
    return lambda fn: _AvailableIf(fn, check)


def _final_has(name: str) -> Any:
    def check(pipe: Pipeline) -> bool:
        last = pipe._final_estimator
        if last in _SKIP:
            return name in ("transform", "fit_transform", "inverse_transform")
        return hasattr(last, name)

    return check


def _is_fitted(est: Any) -> bool:
    if hasattr(est, "__sklearn_is_fitted__"):
        return bool(est.__sklearn_is_fitted__())
    return any(k.endswith("_") and not k.startswith("__") for k in vars(est))


def _not_fitted(obj: Any) -> Exception:
    from .base import _not_fitted_error

    return _not_fitted_error()(
        f"This {type(obj).__name__} instance is not fitted yet. Call 'fit' with appropriate "
        "arguments before using this estimator."
    )


def _name_estimators(estimators: tuple[Any, ...]) -> list[tuple[str, Any]]:
    """Name each estimator by its lowercase class name; duplicates become ``name-1``, ``name-2``."""
    names = [e if isinstance(e, str) or e is None else type(e).__name__.lower() for e in estimators]
    names = ["none" if n is None else n for n in names]
    counts = Counter(names)
    seen: Counter = Counter()
    out = []
    for name, est in zip(names, estimators, strict=True):
        if counts[name] > 1:
            seen[name] += 1
            name = f"{name}-{seen[name]}"
        out.append((name, est))
    return out


def _route_params(names: list[str], params: dict[str, Any], owner: str) -> dict[str, dict]:
    """Split ``stepname__param`` keyword arguments per step."""
    routed: dict[str, dict] = {name: {} for name in names}
    for key, value in params.items():
        step, delim, param = key.partition("__")
        if not delim or step not in routed:
            raise ValueError(
                f"{owner}.fit does not accept the {key} parameter. You can pass parameters to "
                "specific steps of your pipeline using the stepname__parameter format, e.g. "
                f"`{owner}.fit(X, y, logisticregression__sample_weight=sample_weight)`."
            )
        routed[step][param] = value
    return routed


class _Composition(BaseEstimator):
    """Parameters of a list of named estimators held in attribute ``_attr`` (nested access)."""

    _attr = "steps"

    def _named(self) -> list[tuple[str, Any]]:
        try:
            return [(item[0], item[1]) for item in getattr(self, self._attr)]
        except Exception:  # not (yet) a list of tuples: no nested parameters
            return []

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters; with ``deep``, each named estimator and its own as ``name__param``."""
        out = super().get_params(deep=False)
        if not deep:
            return out
        for name, est in self._named():
            out[name] = est
            if hasattr(est, "get_params") and not isinstance(est, type):
                out.update((f"{name}__{k}", v) for k, v in est.get_params(deep=True).items())
        return out

    def set_params(self, **params: Any) -> Any:
        """Set parameters; a bare step name replaces that step, ``name__param`` sets inside it."""
        if self._attr in params:
            setattr(self, self._attr, params.pop(self._attr))
        names = [n for n, _ in self._named()]
        for key in list(params):
            if key in names:
                self._replace(key, params.pop(key))
        super().set_params(**params)
        return self

    def _replace(self, name: str, new: Any) -> None:
        items = list(getattr(self, self._attr))
        for i, item in enumerate(items):
            if item[0] == name:
                items[i] = (name, new, *item[2:])
        setattr(self, self._attr, items)

    def _validate_names(self, names: list[str]) -> None:
        if len(set(names)) != len(names):
            dup = sorted(n for n, c in Counter(names).items() if c > 1)
            raise ValueError(f"Names provided are not unique: {dup!r}")
        clash = set(names) & set(self._get_param_names())
        if clash:
            raise ValueError(
                f"Estimator names conflict with constructor arguments: {sorted(clash)!r}"
            )
        bad = [n for n in names if not isinstance(n, str) or "__" in n]
        if bad:
            raise ValueError(f"Estimator names must be strings without '__': {bad!r}")


# ----------------------------------------------------------------------------------------------
# Pipeline
# ----------------------------------------------------------------------------------------------


class Pipeline(_Composition):
    """A chain of transformers ending in any estimator, fitted and used as one estimator.

    Parameters
    ----------
    steps : list of (str, estimator) tuples
        Every step but the last must transform (``fit``/``fit_transform`` and ``transform``);
        any step may be ``"passthrough"`` or ``None`` to skip it. ``fit`` fits *clones* of the
        steps (kept in ``steps_``) and leaves ``steps`` untouched, unlike scikit-learn, which
        fits the given objects in place.
    memory : None
        Accepted for scikit-learn compatibility; nothing is cached.
    verbose : bool, default=False
        Accepted for compatibility; lucidml never prints.

    Attributes
    ----------
    steps_ : list of (str, estimator) tuples
        The fitted steps.
    named_steps : dict-like
        The steps by name, also as attributes (the fitted ones once fitted; so is indexing).
    classes_ : ndarray of shape (n_classes,)
        The final step's classes.
    n_features_in_ : int
        The first step's.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        The first step's, when fitted on a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.pipeline import make_pipeline
    >>> from lucidml.naive_bayes import GaussianNB
    >>> pipe = make_pipeline("passthrough", GaussianNB())
    >>> [name for name, _ in pipe.steps]
    ['passthrough', 'gaussiannb']
    """

    _attr = "steps"

    def __init__(self, steps: list, *, memory: Any = None, verbose: bool = False) -> None:
        self.steps = steps
        self.memory = memory
        self.verbose = verbose

    # -- structure ---------------------------------------------------------------------------

    def _validate_steps(self) -> None:
        if not isinstance(self.steps, (list, tuple)) or not self.steps:
            raise ValueError(
                f"steps must be a non-empty list of (name, estimator) tuples, got {self.steps!r}."
            )
        for item in self.steps:
            if not isinstance(item, tuple) or len(item) != 2:
                raise TypeError(f"Each step must be a (name, estimator) tuple, got {item!r}.")
        names = [n for n, _ in self.steps]
        self._validate_names(names)
        for _, est in self.steps[:-1]:
            if est in _SKIP:
                continue
            if not (hasattr(est, "fit") or hasattr(est, "fit_transform")) or not hasattr(
                est, "transform"
            ):
                raise TypeError(
                    "All intermediate steps should be transformers and implement fit and "
                    f"transform or be the string 'passthrough' '{est}' (type {type(est)}) doesn't"
                )
        last = self.steps[-1][1]
        if last not in _SKIP and not hasattr(last, "fit"):
            raise TypeError(
                "Last step of Pipeline should implement fit or be the string 'passthrough'. "
                f"'{last}' (type {type(last)}) doesn't"
            )

    @property
    def named_steps(self) -> _Bunch:
        """The steps by name (dict with attribute access)."""
        return _Bunch(dict(self._current))

    @property
    def _current(self) -> list:
        """The fitted steps once fitted (``steps_``), the given ``steps`` before."""
        fitted = getattr(self, "steps_", None)
        return self.steps if fitted is None else fitted

    @property
    def _final_estimator(self) -> Any:
        try:
            return self._current[-1][1]
        except Exception:
            return None

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, ind: Any) -> Any:
        """A slice gives a sub-pipeline (sharing the steps), an int or a name gives one step."""
        if isinstance(ind, slice):
            if ind.step not in (None, 1):
                raise ValueError("Pipeline slicing only supports a step of 1")
            sub = type(self)(self.steps[ind], memory=self.memory, verbose=self.verbose)
            if hasattr(self, "steps_"):
                sub.steps_ = self.steps_[ind]
            return sub
        if isinstance(ind, str):
            return self.named_steps[ind]
        return self._current[ind][1]

    def _transformers(self) -> list[tuple[int, str, Any]]:
        return [(i, n, t) for i, (n, t) in enumerate(self._current[:-1]) if t not in _SKIP]

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "steps_")

    def _check_fitted(self) -> None:
        if not self.__sklearn_is_fitted__():
            raise _not_fitted(self)

    # -- delegated fitted attributes ------------------------------------------------------------

    @property
    def _estimator_type(self) -> Any:
        return getattr(self._final_estimator, "_estimator_type", None)

    @property
    def classes_(self) -> np.ndarray:
        """The final step's ``classes_``."""
        return self._final_estimator.classes_

    @property
    def n_features_in_(self) -> int:
        """Number of features seen by the first (non-skipped) step."""
        for _, est in self._current:
            if est not in _SKIP:
                return est.n_features_in_
        raise AttributeError("n_features_in_")

    @property
    def feature_names_in_(self) -> np.ndarray:
        """Feature names seen by the first (non-skipped) step."""
        for _, est in self._current:
            if est not in _SKIP:
                return est.feature_names_in_
        raise AttributeError("feature_names_in_")

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import get_tags

        tags = super().__sklearn_tags__()
        active = [t for _, t in self.steps if t not in _SKIP]
        if not active:
            return tags
        first, last = get_tags(active[0]), get_tags(active[-1])
        tags.input_tags = first.input_tags
        tags.estimator_type = last.estimator_type
        tags.target_tags = last.target_tags
        tags.classifier_tags = last.classifier_tags
        tags.regressor_tags = last.regressor_tags
        tags.transformer_tags = last.transformer_tags
        tags.non_deterministic = any(get_tags(t).non_deterministic for t in active)
        return tags

    # -- fitting -----------------------------------------------------------------------------

    def _fit_transformers(self, X: Any, y: Any, routed: dict[str, dict]) -> tuple[Any, list]:
        """Fit clones of the transformers in turn; return the last output and the new steps."""
        steps = [(n, t if t in _SKIP else clone(t)) for n, t in self.steps]
        for name, est in steps[:-1]:
            if est in _SKIP:
                continue
            params = routed.get(name, {})
            if hasattr(est, "fit_transform"):
                X = est.fit_transform(X, y, **params)
            else:
                X = est.fit(X, y, **params).transform(X)
        return X, steps

    def _route(self, params: dict[str, Any]) -> dict[str, dict]:
        return _route_params([n for n, _ in self.steps], params, type(self).__name__)

    def fit(self, X: Any, y: Any = None, **params: Any) -> Pipeline:
        """Fit each transformer on the previous output, then the final estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or None
        **params : ``stepname__param=value`` fit parameters, routed to that step's ``fit``.
        """
        self._validate_steps()
        routed = self._route(params)
        Xt, steps = self._fit_transformers(X, y, routed)
        name, last = steps[-1]
        if last not in _SKIP:
            last.fit(Xt, y, **routed[name])
        self.steps_ = steps
        return self

    def _transform_until_final(self, X: Any) -> Any:
        self._check_fitted()
        for _, _, est in self._transformers():
            X = est.transform(X)
        return X

    @_available_if(_final_has("fit_transform"))
    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> Any:
        """Fit every step and return the final step's transform of the data."""
        self._validate_steps()
        routed = self._route(params)
        Xt, steps = self._fit_transformers(X, y, routed)
        name, last = steps[-1]
        if last in _SKIP:
            out = Xt
        elif hasattr(last, "fit_transform"):
            out = last.fit_transform(Xt, y, **routed[name])
        else:
            out = last.fit(Xt, y, **routed[name]).transform(Xt)
        self.steps_ = steps
        return out

    @_available_if(_final_has("fit_predict"))
    def fit_predict(self, X: Any, y: Any = None, **params: Any) -> np.ndarray:
        """Fit the transformers, then return the final step's ``fit_predict`` output."""
        self._validate_steps()
        routed = self._route(params)
        Xt, steps = self._fit_transformers(X, y, routed)
        name, last = steps[-1]
        out = last.fit_predict(Xt, y, **routed[name])
        self.steps_ = steps
        return out

    # -- prediction --------------------------------------------------------------------------

    @_available_if(_final_has("predict"))
    def predict(self, X: Any, **params: Any) -> np.ndarray:
        """Transform ``X`` through the transformers and predict with the final step."""
        return self._final_estimator.predict(self._transform_until_final(X), **params)

    @_available_if(_final_has("predict_proba"))
    def predict_proba(self, X: Any, **params: Any) -> np.ndarray:
        """Class probabilities of the final step, shape (n_samples, n_classes)."""
        return self._final_estimator.predict_proba(self._transform_until_final(X), **params)

    @_available_if(_final_has("predict_log_proba"))
    def predict_log_proba(self, X: Any, **params: Any) -> np.ndarray:
        """Log class probabilities of the final step, shape (n_samples, n_classes)."""
        return self._final_estimator.predict_log_proba(self._transform_until_final(X), **params)

    @_available_if(_final_has("decision_function"))
    def decision_function(self, X: Any) -> np.ndarray:
        """Decision function of the final step."""
        return self._final_estimator.decision_function(self._transform_until_final(X))

    @_available_if(_final_has("score_samples"))
    def score_samples(self, X: Any) -> np.ndarray:
        """Per-sample scores of the final step, shape (n_samples,)."""
        return self._final_estimator.score_samples(self._transform_until_final(X))

    @_available_if(_final_has("score"))
    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """The final step's ``score`` on the transformed ``X``."""
        Xt = self._transform_until_final(X)
        if sample_weight is None:
            return self._final_estimator.score(Xt, y)
        return self._final_estimator.score(Xt, y, sample_weight=sample_weight)

    @_available_if(_final_has("transform"))
    def transform(self, X: Any) -> Any:
        """Apply every transformer, the final step included."""
        Xt = self._transform_until_final(X)
        last = self._final_estimator
        return Xt if last in _SKIP else last.transform(Xt)

    @_available_if(lambda p: all(t in _SKIP or hasattr(t, "inverse_transform") for _, t in p.steps))
    def inverse_transform(self, X: Any) -> Any:
        """Undo every step's transform, last step first."""
        self._check_fitted()
        for _, est in reversed(self.steps_):
            if est not in _SKIP:
                X = est.inverse_transform(X)
        return X

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Feature names after every step, each step given the previous step's names."""
        names = input_features
        for name, est in self._current:
            if est in _SKIP:
                continue
            if not hasattr(est, "get_feature_names_out"):
                raise AttributeError(
                    f"Estimator {name} does not provide get_feature_names_out. Did you mean to "
                    "call pipeline[:-1].get_feature_names_out()?"
                )
            names = est.get_feature_names_out(names)
        return np.asarray(names, dtype=object)


def make_pipeline(*steps: Any, memory: Any = None, verbose: bool = False) -> Pipeline:
    """Build a :class:`Pipeline` naming each step by its lowercase class name.

    Repeated names are numbered: two ``StandardScaler`` steps become ``standardscaler-1`` and
    ``standardscaler-2``.
    """
    return Pipeline(_name_estimators(steps), memory=memory, verbose=verbose)


# ----------------------------------------------------------------------------------------------
# ColumnTransformer
# ----------------------------------------------------------------------------------------------


class make_column_selector:  # noqa: N801 (named as scikit-learn names it)
    """Select DataFrame columns by a name pattern and/or dtypes (a callable for ColumnTransformer).

    Parameters
    ----------
    pattern : str, default=None
        Keep the columns whose name contains a match of this regular expression.
    dtype_include, dtype_exclude : dtype, str or list of those, default=None
        Passed to ``DataFrame.select_dtypes``.
    """

    def __init__(
        self, pattern: str | None = None, *, dtype_include: Any = None, dtype_exclude: Any = None
    ) -> None:
        self.pattern = pattern
        self.dtype_include = dtype_include
        self.dtype_exclude = dtype_exclude

    def __call__(self, df: Any) -> list[str]:
        """The selected column names of ``df``, in their order."""
        if not hasattr(df, "iloc"):
            raise ValueError("make_column_selector can only be applied to pandas dataframes")
        sub = df.iloc[:1]
        if self.dtype_include is not None or self.dtype_exclude is not None:
            sub = sub.select_dtypes(include=self.dtype_include, exclude=self.dtype_exclude)
        cols = list(sub.columns)
        if self.pattern is not None:
            cols = [c for c in cols if re.search(self.pattern, str(c))]
        return cols


def _is_scalar_key(key: Any) -> bool:
    return isinstance(key, (str, numbers.Integral)) and not isinstance(key, bool)


def _column_indices(X: Any, key: Any, n_features: int) -> np.ndarray:
    """Integer column indices that ``key`` selects in ``X``."""
    if callable(key):
        key = key(X)
    columns = list(X.columns) if hasattr(X, "iloc") else None
    if _is_scalar_key(key):
        key = [key]
    if isinstance(key, slice):
        start, stop = key.start, key.stop
        if isinstance(start, str) or isinstance(stop, str):  # label slice, stop included
            if columns is None:
                raise ValueError(
                    "Specifying the columns using strings is only supported for dataframes."
                )
            i0 = 0 if start is None else columns.index(start)
            i1 = n_features if stop is None else columns.index(stop) + 1
            return np.arange(i0, i1)[:: key.step or 1]
        return np.arange(n_features)[key]
    key = np.asarray(list(key) if not isinstance(key, np.ndarray) else key)
    if key.size == 0:
        return np.zeros(0, dtype=np.intp)
    if key.dtype == bool:
        if key.shape != (n_features,):
            raise ValueError(
                f"A boolean column mask must have one entry per feature ({n_features}), "
                f"got shape {key.shape}."
            )
        return np.flatnonzero(key)
    if key.dtype.kind in "iu":
        if np.any(key >= n_features) or np.any(key < -n_features):
            raise ValueError(
                f"Column index out of range: {key.tolist()} for {n_features} features."
            )
        return np.where(key < 0, key + n_features, key).astype(np.intp)
    if key.dtype.kind in "OU":
        if columns is None:
            raise ValueError(
                "Specifying the columns using strings is only supported for dataframes."
            )
        missing = [k for k in key.tolist() if k not in columns]
        if missing:
            raise ValueError(f"A given column is not a column of the dataframe: {missing!r}")
        return np.asarray([columns.index(k) for k in key.tolist()], dtype=np.intp)
    raise ValueError(
        "No valid specification of the columns. Only a scalar, list or slice of all integers "
        "or all strings, or boolean mask is allowed"
    )


def _take(X: Any, idx: np.ndarray, scalar: bool) -> Any:
    if hasattr(X, "iloc"):
        return X.iloc[:, int(idx[0])] if scalar else X.iloc[:, idx]
    return X[:, int(idx[0])] if scalar else X[:, idx]


def _to_2d(Z: Any, n_samples: int) -> np.ndarray:
    if hasattr(Z, "toarray"):
        Z = Z.toarray()
    elif hasattr(Z, "to_numpy"):
        Z = Z.to_numpy()
    Z = np.asarray(Z)
    if Z.ndim == 1:
        Z = Z.reshape(n_samples, -1) if Z.size else Z.reshape(n_samples, 0)
    return Z


class ColumnTransformer(TransformerMixin, _Composition):
    """Apply transformers to column subsets of ``X`` and stack their outputs side by side.

    Parameters
    ----------
    transformers : list of (name, transformer, columns) tuples
        ``transformer`` is an estimator, ``"passthrough"`` or ``"drop"``. ``columns`` selects by
        int indices, a slice, a boolean mask, column names (DataFrames), or a callable taking
        ``X`` and returning one of those (see :func:`make_column_selector`). A scalar (one int or
        name) hands the transformer a 1-D column.
    remainder : "drop", "passthrough" or transformer, default="drop"
        What happens to the columns no transformer selects.
    sparse_threshold : float, default=0.3
        Accepted for compatibility; the output is always dense.
    n_jobs : None
        Accepted for compatibility; transformers are fitted one after another.
    verbose_feature_names_out : bool, default=True
        Prefix output names with the transformer name (``name__feature``).

    Attributes
    ----------
    transformers_ : list of (name, fitted transformer, column indices)
        The fitted transformers, and ``("remainder", ..., indices)`` when columns remain.
    named_transformers_ : dict-like
        The fitted transformers by name.
    output_indices_ : dict of str to slice
        Which output columns each transformer produced.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when fitted on a DataFrame with string column names.
    """

    _attr = "transformers"

    def __init__(
        self,
        transformers: list,
        *,
        remainder: Any = "drop",
        sparse_threshold: float = 0.3,
        n_jobs: Any = None,
        verbose_feature_names_out: bool = True,
    ) -> None:
        self.transformers = transformers
        self.remainder = remainder
        self.sparse_threshold = sparse_threshold
        self.n_jobs = n_jobs
        self.verbose_feature_names_out = verbose_feature_names_out

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import get_tags

        tags = super().__sklearn_tags__()
        try:
            inner = [t for _, t, _ in self.transformers] + [self.remainder]
            # NaN is accepted in every column only when every transformer accepts it
            tags.input_tags.allow_nan = all(
                isinstance(t, str) or get_tags(t).input_tags.allow_nan for t in inner
            )
        except Exception:
            pass
        tags.input_tags.string = True
        return tags

    def _validate(self) -> None:
        if not isinstance(self.transformers, (list, tuple)):
            raise TypeError(
                "transformers must be a list of (name, transformer, columns) tuples, got "
                f"{self.transformers!r}."
            )
        for item in self.transformers:
            if not isinstance(item, tuple) or len(item) != 3:
                raise TypeError(
                    f"Each transformer must be a (name, transformer, columns) tuple, got {item!r}."
                )
        self._validate_names([n for n, _, _ in self.transformers])
        for _, t, _ in list(self.transformers) + [("remainder", self.remainder, None)]:
            if isinstance(t, str):
                if t not in ("drop", "passthrough"):
                    raise ValueError(
                        f"A transformer given as a string must be 'drop' or 'passthrough', "
                        f"got {t!r}."
                    )
            elif not (hasattr(t, "fit") or hasattr(t, "fit_transform")) or not hasattr(
                t, "transform"
            ):
                raise TypeError(
                    "All estimators should implement fit and transform, or can be 'drop' or "
                    f"'passthrough' specifiers. '{t}' (type {type(t)}) doesn't."
                )

    def _check_X(self, X: Any, *, reset: bool) -> Any:
        self._check_feature_names(X, reset=reset)
        if hasattr(X, "iloc"):
            if X.shape[0] < 1:
                raise ValueError(
                    f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is "
                    "required by ColumnTransformer."
                )
            n = X.shape[1]
        else:
            X = check_array(X, dtype=None, ensure_all_finite=False)
            n = X.shape[1]
        if reset:
            self.n_features_in_ = n
        elif n != self.n_features_in_:
            raise ValueError(
                f"X has {n} features, but ColumnTransformer is expecting {self.n_features_in_} "
                "features as input."
            )
        return X

    def fit(self, X: Any, y: Any = None, **params: Any) -> ColumnTransformer:
        """Fit every transformer on its columns of ``X`` (n_samples, n_features)."""
        self.fit_transform(X, y, **params)
        return self

    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> np.ndarray:
        """Fit every transformer on its columns and return the stacked outputs.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_output_features)
        """
        self._validate()
        X = self._check_X(X, reset=True)
        names = [n for n, _, _ in self.transformers]
        routed = _route_params(names + ["remainder"], params, type(self).__name__)
        n = self.n_features_in_
        used = np.zeros(n, dtype=bool)
        specs = []
        for name, trans, key in self.transformers:
            idx = _column_indices(X, key, n)
            used[idx] = True
            specs.append((name, trans, idx, _is_scalar_key(key)))
        rest = np.flatnonzero(~used)
        if rest.size:
            specs.append(("remainder", self.remainder, rest, False))
        fitted, outputs = [], []
        for name, trans, idx, scalar in specs:
            if isinstance(trans, str) or idx.size == 0:
                fitted.append((name, trans, idx))
                outputs.append(None if trans == "drop" or idx.size == 0 else _take(X, idx, False))
                continue
            est = clone(trans)
            Z = est.fit_transform(_take(X, idx, scalar), y, **routed[name])
            fitted.append((name, est, idx))
            outputs.append(Z)
        self.transformers_ = [(nm, t, idx.tolist()) for nm, t, idx in fitted]
        return self._stack(outputs, X.shape[0], fit=True)

    def _stack(self, outputs: list, n_samples: int, *, fit: bool) -> np.ndarray:
        arrays, start, indices = [], 0, {}
        for (name, _, _), Z in zip(self.transformers_, outputs, strict=True):
            width = 0
            if Z is not None:
                Z = _to_2d(Z, n_samples)
                arrays.append(Z)
                width = Z.shape[1]
            # an empty output is slice(0, 0), as scikit-learn reports it
            indices[name] = slice(start, start + width) if width else slice(0, 0)
            start += width
        indices.setdefault("remainder", slice(0, 0))
        if fit:
            self.output_indices_ = indices
        if not arrays:
            return np.zeros((n_samples, 0))
        return np.hstack(arrays)

    def transform(self, X: Any) -> np.ndarray:
        """Transform each column group with its fitted transformer and stack the outputs.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_output_features)
        """
        if not hasattr(self, "transformers_"):
            raise _not_fitted(self)
        X = self._check_X(X, reset=False)
        outputs = []
        scalar = {name: _is_scalar_key(key) for name, _, key in self.transformers}
        for name, est, idx in self.transformers_:
            idx = np.asarray(idx, dtype=np.intp)
            if isinstance(est, str) or idx.size == 0:
                outputs.append(None if est == "drop" or idx.size == 0 else _take(X, idx, False))
            else:
                outputs.append(est.transform(_take(X, idx, scalar.get(name, False))))
        return self._stack(outputs, X.shape[0], fit=False)

    @property
    def named_transformers_(self) -> _Bunch:
        """The fitted transformers by name."""
        return _Bunch({name: est for name, est, _ in self.transformers_})

    def _input_names(self, input_features: Any) -> np.ndarray:
        fitted = getattr(self, "feature_names_in_", None)
        if input_features is None:
            if fitted is not None:
                return np.asarray(fitted, dtype=object)
            return np.asarray([f"x{i}" for i in range(self.n_features_in_)], dtype=object)
        input_features = np.asarray(input_features, dtype=object)
        if fitted is not None and not np.array_equal(input_features, fitted):
            raise ValueError("input_features is not equal to feature_names_in_")
        if len(input_features) != self.n_features_in_:
            raise ValueError(
                f"input_features should have length equal to number of features "
                f"({self.n_features_in_}), got {len(input_features)}"
            )
        return input_features

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output names, ``transformername__feature`` unless ``verbose_feature_names_out=False``."""
        if not hasattr(self, "transformers_"):
            raise _not_fitted(self)
        names_in = self._input_names(input_features)
        out: list[str] = []
        for name, est, idx in self.transformers_:
            if est == "drop" or not idx:
                continue
            cols = names_in[idx]
            if est == "passthrough":
                names = cols
            elif not hasattr(est, "get_feature_names_out"):
                raise AttributeError(
                    f"Transformer {name} (type {type(est).__name__}) does not provide "
                    "get_feature_names_out."
                )
            else:
                names = est.get_feature_names_out(cols)
            prefix = f"{name}__" if self.verbose_feature_names_out else ""
            out.extend(f"{prefix}{f}" for f in names)
        if not self.verbose_feature_names_out:
            dup = sorted(f for f, c in Counter(out).items() if c > 1)
            if dup:
                raise ValueError(
                    f"Output feature names: {dup[:5]!r} are not unique. Please set "
                    "verbose_feature_names_out=True to add prefixes to feature names"
                )
        return np.asarray(out, dtype=object)


def make_column_transformer(
    *transformers: tuple[Any, Any],
    remainder: Any = "drop",
    sparse_threshold: float = 0.3,
    n_jobs: Any = None,
    verbose_feature_names_out: bool = True,
) -> ColumnTransformer:
    """Build a :class:`ColumnTransformer` from ``(transformer, columns)`` pairs, naming each
    transformer by its lowercase class name (as :func:`make_pipeline` does)."""
    named = _name_estimators(tuple(t for t, _ in transformers))
    return ColumnTransformer(
        [(name, t, cols) for (name, t), (_, cols) in zip(named, transformers, strict=True)],
        remainder=remainder,
        sparse_threshold=sparse_threshold,
        n_jobs=n_jobs,
        verbose_feature_names_out=verbose_feature_names_out,
    )
