"""Hyper-parameter search by cross-validation: exhaustive grids and random sampling.

Every candidate :math:`\\theta` is scored by k-fold cross-validation,

.. math::

    \\bar s(\\theta) = \\frac{1}{k} \\sum_{i=1}^{k} s_i(\\theta), \\qquad
    \\hat\\theta = \\arg\\max_\\theta \\bar s(\\theta),

and the estimator is refitted on all the data with :math:`\\hat\\theta` (notes §12: choose the
regularisation by cross-validation, not on the training error).
"""

from __future__ import annotations

import copy
import itertools
import numbers
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from .._validation import check_is_fitted, check_random_state
from ..base import BaseEstimator, clone, is_classifier
from ._split import check_cv
from ._validation import (
    _check_inputs,
    _check_multimetric,
    _fit_and_score,
    _parallel,
    _requires_y,
    _warn_or_raise_about_fit_failures,
)

__all__ = ["GridSearchCV", "ParameterGrid", "ParameterSampler", "RandomizedSearchCV"]


def _check_grid(grid: Any) -> list[dict[str, Any]]:
    if isinstance(grid, Mapping):
        grid = [grid]
    if not isinstance(grid, Sequence) or isinstance(grid, str):
        raise TypeError(
            f"Parameter grid should be a dict or a list, got: {grid!r} of type "
            f"{type(grid).__name__}"
        )
    out = []
    for sub in grid:
        if not isinstance(sub, Mapping):
            raise TypeError(f"Parameter grid is not a dict ({sub!r})")
        for key, values in sub.items():
            if isinstance(values, np.ndarray) and values.ndim > 1:
                raise ValueError(
                    f"Parameter array for {key!r} should be one-dimensional, got: {values!r} "
                    f"with shape {values.shape}"
                )
            if isinstance(values, str) or not isinstance(values, (np.ndarray, Sequence)):
                raise TypeError(
                    f"Parameter grid for parameter {key!r} needs to be a list or a numpy array, "
                    f"but got {values!r} (of type {type(values).__name__}) instead. Single "
                    "values need to be wrapped in a list with one element."
                )
            if len(values) == 0:
                raise ValueError(
                    f"Parameter grid for parameter {key!r} need to be a non-empty sequence, got: "
                    f"{values!r}"
                )
        out.append(dict(sub))
    return out


class ParameterGrid:
    """Every combination of the listed parameter values (the Cartesian product).

    Parameters
    ----------
    param_grid : dict of str to sequence, or list of such dicts
        Each dict spans the product of its value lists (keys in sorted order); a list of dicts
        is the union of their grids, in order.

    Examples
    --------
    >>> from lucidml.model_selection import ParameterGrid
    >>> list(ParameterGrid({"a": [1, 2], "b": [True]}))
    [{'a': 1, 'b': True}, {'a': 2, 'b': True}]
    """

    def __init__(self, param_grid: Any) -> None:
        self.param_grid = _check_grid(param_grid)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for sub in self.param_grid:
            keys = sorted(sub)
            for values in itertools.product(*(sub[k] for k in keys)):
                yield dict(zip(keys, values, strict=True))

    def __len__(self) -> int:
        return sum(int(np.prod([len(v) for v in sub.values()])) for sub in self.param_grid)

    def __getitem__(self, index: int) -> dict[str, Any]:
        for sub in self.param_grid:
            keys = sorted(sub)
            sizes = [len(sub[k]) for k in keys]
            total = int(np.prod(sizes))
            if index < total:
                out = {}
                for key, size in zip(
                    reversed(keys), reversed(sizes), strict=True
                ):  # last key varies fastest
                    index, j = divmod(index, size)
                    out[key] = sub[key][j]
                return dict(sorted(out.items()))
            index -= total
        raise IndexError("ParameterGrid index out of range")


class ParameterSampler:
    """``n_iter`` random parameter settings.

    Lists are sampled uniformly; objects with ``rvs(random_state=...)`` (scipy.stats
    distributions) are drawn from. When every value is a list, settings are drawn from the grid
    without replacement (at most the grid's size).

    Parameters
    ----------
    param_distributions : dict or list of dicts
        Parameter name to list or distribution; a list of dicts picks one dict uniformly per draw.
    n_iter : int
        Number of settings.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the draws.
    """

    def __init__(self, param_distributions: Any, n_iter: int, *, random_state: Any = None) -> None:
        dists = (
            [param_distributions]
            if isinstance(param_distributions, Mapping)
            else list(param_distributions)
        )
        for d in dists:
            if not isinstance(d, Mapping):
                raise TypeError(f"Parameter distribution is not a dict ({d!r})")
            for key, value in d.items():
                if not hasattr(value, "rvs") and (
                    isinstance(value, str) or not isinstance(value, (Sequence, np.ndarray))
                ):
                    raise TypeError(
                        f"Parameter grid for parameter {key!r} is not iterable or a distribution "
                        f"(value={value})"
                    )
                if not hasattr(value, "rvs") and len(value) == 0:
                    raise ValueError(f"Parameter values for {key!r} must not be empty.")
        self.param_distributions = dists
        self.n_iter = n_iter
        self.random_state = random_state

    def _all_lists(self) -> bool:
        return all(not hasattr(v, "rvs") for d in self.param_distributions for v in d.values())

    def __iter__(self) -> Iterator[dict[str, Any]]:
        rng = check_random_state(self.random_state)
        if self._all_lists():
            grid = ParameterGrid(self.param_distributions)
            n = len(grid)
            if n < self.n_iter:
                warnings.warn(
                    f"The total space of parameters {n} is smaller than n_iter={self.n_iter}. "
                    f"Running {n} iterations. For exhaustive searches, use GridSearchCV.",
                    UserWarning,
                    stacklevel=2,
                )
            for i in rng.choice(n, size=min(n, self.n_iter), replace=False):
                yield grid[int(i)]
            return
        for _ in range(self.n_iter):
            d = self.param_distributions[int(rng.integers(len(self.param_distributions)))]
            params = {}
            for key in sorted(d):
                value = d[key]
                if hasattr(value, "rvs"):
                    params[key] = value.rvs(random_state=rng)
                else:
                    params[key] = value[int(rng.integers(len(value)))]
            yield params

    def __len__(self) -> int:
        if self._all_lists():
            return min(self.n_iter, len(ParameterGrid(self.param_distributions)))
        return self.n_iter


class _Delegated:
    """A method of the search that exists only when the tuned estimator has it."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        target = obj.best_estimator_ if hasattr(obj, "best_estimator_") else obj.estimator
        if not hasattr(
            target, self.name
        ):  # raises AttributeError, so hasattr(search, ...) is False
            raise AttributeError(
                f"This {type(obj).__name__} has no attribute {self.name!r}: its estimator "
                f"{type(target).__name__} does not have it."
            )

        def method(X: Any, *args: Any, **kwargs: Any) -> Any:
            obj._check_refitted(self.name)
            return getattr(obj.best_estimator_, self.name)(X, *args, **kwargs)

        method.__name__ = self.name
        method.__doc__ = f"Call ``{self.name}`` on the refitted best estimator."
        return method


def _masked_param_column(values: list[Any], present: list[bool]) -> np.ma.MaskedArray:
    kinds = {type(v) for v, p in zip(values, present, strict=True) if p}
    numeric = all(
        issubclass(k, (numbers.Number, np.number)) and not issubclass(k, (bool, np.bool_))
        for k in kinds
    )
    dtype = np.result_type(*kinds) if numeric and kinds else object
    arr = np.ma.MaskedArray(np.empty(len(values), dtype=dtype), mask=[not p for p in present])
    for i, (v, p) in enumerate(zip(values, present, strict=True)):
        if p:
            arr[i] = v
    return arr


def _rank_min(scores: np.ndarray) -> np.ndarray:
    """1 for the best mean score; ties share the smallest rank; NaN ranks last."""
    filled = np.where(np.isnan(scores), -np.inf, scores)
    order = np.sort(-filled)
    return (np.searchsorted(order, -filled, side="left") + 1).astype(np.int32)


class BaseSearchCV(BaseEstimator):
    """Shared machinery of the searches: evaluate candidates, rank them, refit the best."""

    def __init__(
        self,
        estimator: Any,
        *,
        scoring: Any = None,
        n_jobs: Any = None,
        refit: Any = True,
        cv: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
    ) -> None:
        self.estimator = estimator
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.cv = cv
        self.error_score = error_score
        self.return_train_score = return_train_score

    @property
    def _estimator_type(self) -> Any:
        return getattr(self.estimator, "_estimator_type", None)

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import get_tags

        tags = super().__sklearn_tags__()
        sub = get_tags(self.estimator)
        tags.estimator_type = sub.estimator_type
        tags.classifier_tags = copy.deepcopy(sub.classifier_tags)
        tags.regressor_tags = copy.deepcopy(sub.regressor_tags)
        tags.transformer_tags = copy.deepcopy(sub.transformer_tags)
        tags.target_tags = copy.deepcopy(sub.target_tags)
        tags.input_tags = copy.deepcopy(sub.input_tags)
        return tags

    def _candidates(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def _check_refitted(self, name: str) -> None:
        check_is_fitted(self)
        if not self.refit:
            raise AttributeError(
                f"This {type(self).__name__} instance was initialized with refit=False. {name} "
                "is available only after refitting on the best parameters. You can refit an "
                "estimator manually using the best_params_ attribute"
            )

    predict = _Delegated("predict")
    predict_proba = _Delegated("predict_proba")
    predict_log_proba = _Delegated("predict_log_proba")
    decision_function = _Delegated("decision_function")
    transform = _Delegated("transform")
    inverse_transform = _Delegated("inverse_transform")
    score_samples = _Delegated("score_samples")

    @property
    def classes_(self) -> np.ndarray:
        """Class labels of the refitted best estimator."""
        self._check_refitted("classes_")
        return self.best_estimator_.classes_

    @property
    def n_features_in_(self) -> int:
        """Number of features seen by the refitted best estimator."""
        if not hasattr(self, "best_estimator_"):
            raise AttributeError(
                f"{type(self).__name__} object has no n_features_in_ attribute before refit."
            )
        return self.best_estimator_.n_features_in_

    @property
    def feature_names_in_(self) -> np.ndarray:
        """Feature names seen by the refitted best estimator."""
        if not hasattr(self, "best_estimator_"):
            raise AttributeError("feature_names_in_ is defined only after refit.")
        return self.best_estimator_.feature_names_in_

    def score(self, X: Any, y: Any = None, **params: Any) -> float:
        """Score of the refitted best estimator by the search's scorer (the refit metric)."""
        self._check_refitted("score")
        scorer = (
            self.scorer_[self._refit_metric] if isinstance(self.scorer_, dict) else (self.scorer_)
        )
        return float(scorer(self.best_estimator_, X, y, **params))

    def fit(self, X: Any, y: Any = None, *, groups: Any = None, **fit_params: Any) -> Any:
        """Cross-validate every candidate, then refit the best on all of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        groups : array-like of shape (n_samples,), default=None
        **fit_params
            Passed to every ``fit`` of the estimator.

        Returns
        -------
        self
        """
        X, y, groups = _check_inputs(X, y, groups)
        if y is None and _requires_y(self.estimator):
            raise ValueError(
                f"{type(self.estimator).__name__} requires y to be passed, but the target y is "
                "None."
            )
        scorers, multi = _check_multimetric(self.estimator, self.scoring)
        if (
            multi
            and self.refit is not False
            and (not isinstance(self.refit, str) or self.refit not in scorers)
        ):
            raise ValueError(
                "For multi-metric scoring, the parameter refit must be set to a scorer key or a "
                f"callable to refit an estimator with the best parameter setting on the whole "
                f"data and make the best_* attributes available for that metric. {self.refit!r} "
                "was passed."
            )
        self._refit_metric = self.refit if multi and isinstance(self.refit, str) else "score"
        splitter = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        splits = list(splitter.split(X, y, groups))
        n_splits = len(splits)
        candidates = self._candidates()
        if not candidates:
            raise ValueError("No candidate parameter settings to evaluate.")
        tasks = [
            (
                self.estimator,
                X,
                y,
                scorers,
                tr,
                te,
                params,
                fit_params,
                self.return_train_score,
                False,
                self.error_score,
            )
            for params in candidates
            for tr, te in splits
        ]
        results = _parallel(_fit_and_score, tasks, self.n_jobs)
        _warn_or_raise_about_fit_failures(results, self.error_score)
        self.cv_results_ = self._format_results(candidates, results, scorers, multi, n_splits)
        self.n_splits_ = n_splits
        self.multimetric_ = multi
        self.scorer_ = scorers if multi else scorers["score"]
        if self.refit is not False:
            key = self._refit_metric
            self.best_index_ = int(np.argmin(self.cv_results_[f"rank_test_{key}"]))
            self.best_score_ = float(self.cv_results_[f"mean_test_{key}"][self.best_index_])
            self.best_params_ = candidates[self.best_index_]
            best = clone(self.estimator).set_params(
                **{k: clone(v, safe=False) for k, v in self.best_params_.items()}
            )
            start = time.perf_counter()
            if y is None:
                best.fit(X, **fit_params)
            else:
                best.fit(X, y, **fit_params)
            self.refit_time_ = time.perf_counter() - start
            self.best_estimator_ = best
        return self

    @staticmethod
    def _format_results(candidates, results, scorers, multi, n_splits) -> dict[str, Any]:
        n = len(candidates)
        out: dict[str, Any] = {}
        for key in ("fit_time", "score_time"):
            times = np.array([r[key] for r in results], dtype=np.float64).reshape(n, n_splits)
            out[f"mean_{key}"] = times.mean(axis=1)
            out[f"std_{key}"] = times.std(axis=1)
        names = sorted({k for c in candidates for k in c})
        for name in names:
            out[f"param_{name}"] = _masked_param_column(
                [c.get(name) for c in candidates], [name in c for c in candidates]
            )
        out["params"] = candidates
        for metric in scorers:
            key = metric if multi else "score"
            for part in ("test", "train"):
                field = f"{part}_scores"
                if field not in results[0]:
                    continue
                scores = np.array([r[field][metric] for r in results], dtype=np.float64).reshape(
                    n, n_splits
                )
                for i in range(n_splits):
                    out[f"split{i}_{part}_{key}"] = scores[:, i]
                with np.errstate(invalid="ignore"):
                    out[f"mean_{part}_{key}"] = scores.mean(axis=1)
                    out[f"std_{part}_{key}"] = scores.std(axis=1)
                if part == "test":
                    out[f"rank_test_{key}"] = _rank_min(out[f"mean_test_{key}"])
        return out


class GridSearchCV(BaseSearchCV):
    """Exhaustive search over a parameter grid, scored by cross-validation.

    For every setting :math:`\\theta` of :class:`ParameterGrid` the mean test score
    :math:`\\bar s(\\theta) = \\frac1k \\sum_i s_i(\\theta)` is computed; the best
    (:math:`\\hat\\theta = \\arg\\max \\bar s`, the first of ties) is refitted on all the data.

    Parameters
    ----------
    estimator : estimator
        The model to tune (lucidml or scikit-learn).
    param_grid : dict or list of dicts
        Parameter names (nested as ``step__param``) to lists of values.
    scoring : None, str, callable, list or dict, default=None
        As in :func:`cross_validate`; several metrics need ``refit`` set to one of their names.
    cv : None, int, splitter or iterable, default=None
        As in :func:`check_cv`.
    refit : bool or str, default=True
        Refit the best setting on all the data (``best_estimator_``), enabling ``predict`` etc.
    n_jobs : int, default=None
        Parallel fits through joblib when given and installed.
    return_train_score : bool, default=False
        Record training scores too.
    error_score : "raise" or float, default=np.nan
        The score of a failed fit.

    Attributes
    ----------
    cv_results_ : dict of str to ndarray of shape (n_candidates,)
        ``params``, ``param_<name>`` (masked arrays), ``split<i>_test_score``,
        ``mean_test_score``, ``std_test_score``, ``rank_test_score``, ``mean_fit_time``,
        ``std_fit_time``, ``mean_score_time``, ``std_score_time`` (and ``*_train_score``).
    best_estimator_ : estimator
        The best setting refitted on all the data (only with ``refit``).
    best_score_ : float
        Mean cross-validated score of the best setting.
    best_params_ : dict
        The best setting.
    best_index_ : int
        Its index in ``cv_results_``.
    scorer_ : callable or dict
        The scorer(s) used.
    n_splits_ : int
        Number of cross-validation splits.
    refit_time_ : float
        Seconds spent refitting the best setting.

    Examples
    --------
    >>> from lucidml.linear_model import LogisticRegression
    >>> from lucidml.model_selection import GridSearchCV
    >>> search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3)
    """

    def __init__(
        self,
        estimator: Any,
        param_grid: Any,
        *,
        scoring: Any = None,
        n_jobs: Any = None,
        refit: Any = True,
        cv: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
    ) -> None:
        super().__init__(
            estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.param_grid = param_grid

    def _candidates(self) -> list[dict[str, Any]]:
        return list(ParameterGrid(self.param_grid))


class RandomizedSearchCV(BaseSearchCV):
    """Search over ``n_iter`` random parameter settings, scored by cross-validation.

    Settings come from :class:`ParameterSampler`; otherwise as :class:`GridSearchCV`.

    Parameters
    ----------
    estimator : estimator
        The model to tune.
    param_distributions : dict or list of dicts
        Parameter names to lists or distributions with ``rvs(random_state=...)``.
    n_iter : int, default=10
        Number of settings tried.
    scoring, n_jobs, refit, cv, error_score, return_train_score
        As in :class:`GridSearchCV`.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the sampling.

    Attributes
    ----------
    cv_results_, best_estimator_, best_score_, best_params_, best_index_, scorer_, n_splits_,
    refit_time_
        As in :class:`GridSearchCV`.
    """

    def __init__(
        self,
        estimator: Any,
        param_distributions: Any,
        *,
        n_iter: int = 10,
        scoring: Any = None,
        n_jobs: Any = None,
        refit: Any = True,
        cv: Any = None,
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
    ) -> None:
        super().__init__(
            estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.param_distributions = param_distributions
        self.n_iter = n_iter
        self.random_state = random_state

    def _candidates(self) -> list[dict[str, Any]]:
        if not isinstance(self.n_iter, numbers.Integral) or self.n_iter < 1:
            raise ValueError(f"n_iter must be a positive integer, got {self.n_iter!r}.")
        return list(
            ParameterSampler(self.param_distributions, self.n_iter, random_state=self.random_state)
        )
