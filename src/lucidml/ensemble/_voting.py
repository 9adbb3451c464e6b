r"""Voting ensembles: fuse several fitted models by majority or by averaging (notes §5.6).

Model fusion is the back-end half of the notes' steady engineering gains: models that err on
different samples cancel each other's mistakes. With members :math:`f_1, \dots, f_m` and weights
:math:`w_1, \dots, w_m` (all 1 by default):

- **hard voting** predicts the class with the largest total weight of votes,

  .. math:: \hat y(x) = \arg\max_{k} \sum_{j=1}^{m} w_j \, [\, f_j(x) = k \,];

- **soft voting** averages the members' class probabilities and takes the largest,

  .. math::

      \bar p_k(x) = \frac{\sum_j w_j \, p_{jk}(x)}{\sum_j w_j}, \qquad
      \hat y(x) = \arg\max_k \bar p_k(x);

- **regression** averages the members' predictions,
  :math:`\hat y(x) = \sum_j w_j f_j(x) / \sum_j w_j`.

Ties go to the smallest class index, as ``np.argmax`` breaks them. Members are any estimators
following the protocol (``fit``/``predict``/``get_params``), lucidml's or scikit-learn's; each is
cloned before fitting.
"""

from __future__ import annotations

import inspect
import numbers
from collections import Counter
from typing import Any

import numpy as np

from .._validation import check_classification_targets, check_is_fitted
from ..base import (
    BaseEstimator,
    ClassifierMixin,
    RegressorMixin,
    TransformerMixin,
    clone,
    is_classifier,
    is_regressor,
)
from ..model_selection._validation import _parallel
from ..persist import persistable

# Members validate their own input (a pipeline may take text and missing values), so the
# ensemble checks only the shape and records the feature count and names.
_ANY_X = {"dtype": None, "ensure_all_finite": False}

__all__ = ["VotingClassifier", "VotingRegressor"]


@persistable
class _Bunch(dict):
    """A dict whose keys are also attributes (``named_estimators_.lr``)."""

    def __lucidml_getstate__(self) -> dict[str, Any]:
        return {"items": dict(self)}

    @classmethod
    def __lucidml_setstate__(cls, state: dict[str, Any]) -> _Bunch:
        return cls(state["items"])

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(key) from exc

    def __dir__(self) -> list[str]:
        return list(self.keys())


def _fit_one(estimator: Any, X: Any, y: Any, sample_weight: Any) -> Any:
    if sample_weight is None:
        return estimator.fit(X, y)
    return estimator.fit(X, y, sample_weight=sample_weight)


def _accepts_sample_weight(estimator: Any) -> bool:
    try:
        return "sample_weight" in inspect.signature(estimator.fit).parameters
    except (TypeError, ValueError):
        return False


class _BaseHeterogeneous(BaseEstimator):
    """Shared machinery of ensembles built from a list of named estimators ``(name, est)``.

    ``get_params(deep=True)`` lists each member under its name and its parameters as
    ``name__param``; ``set_params(name=other)`` replaces a member and ``set_params(name="drop")``
    leaves it out of the next fit.
    """

    _kind = "estimator"

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters; with ``deep``, each member and its own parameters as ``name__param``."""
        out = super().get_params(deep=False)
        if not deep:
            return out
        for name, est in self._pairs():
            out[name] = est
            if hasattr(est, "get_params") and not isinstance(est, type):
                out.update((f"{name}__{k}", v) for k, v in est.get_params(deep=True).items())
        for key, value in super().get_params(deep=True).items():
            out.setdefault(key, value)
        return out

    def _pairs(self) -> list[tuple[str, Any]]:
        """``estimators`` as (name, estimator) pairs; empty while it is malformed."""
        estimators = getattr(self, "estimators", None)
        if not isinstance(estimators, (list, tuple)) or not all(
            isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)
            for item in estimators
        ):
            return []
        return [(n, e) for n, e in estimators]

    def set_params(self, **params: Any) -> Any:
        """Set parameters; a bare member name replaces that member (or ``"drop"`` removes it)."""
        if "estimators" in params:
            self.estimators = params.pop("estimators")
        names = [n for n, _ in self._pairs()]
        for key in list(params):
            if key in names:
                new = params.pop(key)
                self.estimators = [
                    (n, new if n == key else e)
                    for n, e in self.estimators  # type: ignore[misc]
                ]
        super().set_params(**params)
        return self

    def _validate_estimators(self) -> tuple[list[str], list[Any]]:
        """Check ``estimators``; return all names and members (``"drop"`` kept in place)."""
        estimators = self.estimators
        if not isinstance(estimators, (list, tuple)) or len(estimators) == 0:
            raise ValueError(
                "Invalid 'estimators' attribute, 'estimators' should be a non-empty list of "
                f"(string, estimator) tuples; got {estimators!r}."
            )
        for item in estimators:
            if not (
                isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)
            ):
                raise ValueError(
                    "Invalid 'estimators' attribute, 'estimators' should be a list of "
                    f"(string, estimator) tuples; got the item {item!r}."
                )
        names = [n for n, _ in estimators]
        members = [e for _, e in estimators]
        if len(set(names)) != len(names):
            dup = sorted(n for n, c in Counter(names).items() if c > 1)
            raise ValueError(f"Names provided are not unique: {dup!r}")
        clash = set(names) & set(self._get_param_names())
        if clash:
            raise ValueError(
                f"Estimator names conflict with constructor arguments: {sorted(clash)!r}"
            )
        bad = [n for n in names if "__" in n]
        if bad:
            raise ValueError(f"Estimator names must not contain __: got {bad!r}")
        if all(e == "drop" for e in members):
            raise ValueError(
                "All estimators are dropped. At least one is required to be an estimator."
            )
        for name, est in estimators:
            if isinstance(est, str) and est == "drop":
                continue
            if not hasattr(est, "fit") or not hasattr(est, "get_params") or isinstance(est, type):
                raise TypeError(
                    f"The estimator {name!r} ({est!r}) must be an estimator instance with fit "
                    "and get_params, or the string 'drop'."
                )
            wrong = (self._kind == "classifier" and not is_classifier(est)) or (
                self._kind == "regressor" and not is_regressor(est)
            )
            if wrong:
                raise ValueError(f"The estimator {type(est).__name__} should be a {self._kind}.")
        return names, members

    def _validate_weights(self, n_members: int) -> np.ndarray | None:
        weights = getattr(self, "weights", None)
        if weights is None:
            return None
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim != 1 or w.shape[0] != n_members:
            raise ValueError(
                "Number of `estimators` and weights must be equal; got "
                f"{w.size} weights, {n_members} estimators"
            )
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError(f"weights must be finite and non-negative; got {weights!r}.")
        return w

    def _check_n_jobs(self) -> None:
        n_jobs = getattr(self, "n_jobs", None)
        if n_jobs is not None and (
            not isinstance(n_jobs, numbers.Integral) or isinstance(n_jobs, bool) or n_jobs == 0
        ):
            raise ValueError(f"n_jobs must be None or a non-zero integer; got {n_jobs!r}.")

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        return tags


class _BaseVoting(TransformerMixin, _BaseHeterogeneous):
    """Fit every kept member (in parallel with joblib when ``n_jobs`` asks) and weigh them."""

    def _fit_members(self, X: Any, y: np.ndarray, sample_weight: Any) -> None:
        self._check_n_jobs()
        names, members = self._validate_estimators()
        w = self._validate_weights(len(members))
        keep = [i for i, e in enumerate(members) if not (isinstance(e, str) and e == "drop")]
        if w is not None and w[keep].sum() <= 0:
            raise ValueError("The weights of the estimators that are not dropped sum to zero.")
        if sample_weight is not None:
            for i in keep:
                if not _accepts_sample_weight(members[i]):
                    raise TypeError(
                        f"Underlying estimator {type(members[i]).__name__} does not support "
                        "sample weights."
                    )
        tasks = [(clone(members[i]), X, y, sample_weight) for i in keep]
        self.estimators_ = _parallel(_fit_one, tasks, self.n_jobs)
        self.named_estimators_ = _Bunch()
        fitted = iter(self.estimators_)
        for i, name in enumerate(names):
            self.named_estimators_[name] = next(fitted) if i in keep else members[i]

    @property
    def _kept_names(self) -> list[str]:
        """Names of the members that were not dropped (the order of ``estimators_``)."""
        return [n for n, e in self.estimators if not (isinstance(e, str) and e == "drop")]

    @property
    def _weights_not_none(self) -> np.ndarray | None:
        """Weights of the members that were not dropped; None for equal weights."""
        if self.weights is None:
            return None
        return np.asarray(
            [
                w
                for w, (_, e) in zip(self.weights, self.estimators, strict=False)
                if not (isinstance(e, str) and e == "drop")
            ],
            dtype=np.float64,
        )

    def _check_X(self, X: Any, *, reset: bool) -> Any:
        """Validate ``X`` for our bookkeeping; members receive the original ``X`` untouched."""
        self._validate_data(X, reset=reset, **_ANY_X)
        return X

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []
        return tags


class VotingClassifier(ClassifierMixin, _BaseVoting):
    r"""Hard or soft voting over several classifiers.

    .. math::

        \text{hard: } \hat y = \arg\max_k \sum_j w_j [f_j(x) = k], \qquad
        \text{soft: } \hat y = \arg\max_k \frac{\sum_j w_j p_{jk}(x)}{\sum_j w_j}.

    Parameters
    ----------
    estimators : list of (str, estimator) tuples
        The members; a member set to ``"drop"`` is left out. Each is cloned and fitted on the
        labels encoded as :math:`0, \dots, K-1`.
    voting : {"hard", "soft"}, default="hard"
        Majority of predicted labels, or argmax of the weighted mean probability (needs
        ``predict_proba`` on every member).
    weights : array-like of shape (n_estimators,), default=None
        Weight of each member (``"drop"`` ones included); equal weights when None.
    n_jobs : int, default=None
        Members fitted in parallel with joblib when it is installed and ``n_jobs`` is not 1/None.
    flatten_transform : bool, default=True
        With soft voting, ``transform`` returns (n_samples, n_classifiers * n_classes) when True
        and (n_classifiers, n_samples, n_classes) when False.
    verbose : bool, default=False
        Accepted for compatibility; lucidml never prints.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members that were not dropped.
    named_estimators_ : dict-like
        Every member by name (dropped ones as ``"drop"``).
    le_ : LabelEncoder
        Encodes ``y`` for the members.
    classes_ : ndarray of shape (n_classes,)
        The sorted class labels.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.ensemble import VotingClassifier
    >>> from lucidml.linear_model import LogisticRegression
    >>> from lucidml.naive_bayes import GaussianNB
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0, 0, 1, 1])
    >>> vote = VotingClassifier([("lr", LogisticRegression()), ("nb", GaussianNB())],
    ...                         voting="soft").fit(X, y)
    >>> vote.predict(X).tolist()
    [0, 0, 1, 1]
    """

    _kind = "classifier"

    def __init__(
        self,
        estimators: list[tuple[str, Any]],
        *,
        voting: str = "hard",
        weights: Any = None,
        n_jobs: Any = None,
        flatten_transform: bool = True,
        verbose: bool = False,
    ) -> None:
        self.estimators = estimators
        self.voting = voting
        self.weights = weights
        self.n_jobs = n_jobs
        self.flatten_transform = flatten_transform
        self.verbose = verbose

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> VotingClassifier:
        """Fit every member on ``X`` (n_samples, n_features) and the encoded ``y`` (n_samples,).

        ``sample_weight`` (n_samples,) is passed to every member's ``fit`` when given.
        """
        from ..preprocessing import LabelEncoder

        if self.voting not in ("hard", "soft"):
            raise ValueError(f"Voting must be 'soft' or 'hard'; got (voting={self.voting!r})")
        _, y_arr = self._validate_data(X, y, **_ANY_X)
        check_classification_targets(y_arr)
        self.le_ = LabelEncoder().fit(y_arr)
        self.classes_ = self.le_.classes_
        self._fit_members(X, self.le_.transform(y_arr), sample_weight)
        return self

    def _collect_probas(self, X: Any) -> np.ndarray:
        """Member probabilities, shape (n_classifiers, n_samples, n_classes)."""
        return np.asarray([est.predict_proba(X) for est in self.estimators_], dtype=np.float64)

    def _collect_predictions(self, X: Any) -> np.ndarray:
        """Member predictions as class indices, shape (n_samples, n_classifiers)."""
        return np.asarray([est.predict(X) for est in self.estimators_]).T.astype(np.intp)

    @property
    def predict_proba(self) -> Any:
        """Soft voting's class probabilities (absent with ``voting="hard"``)."""
        if self.voting == "hard":
            raise AttributeError(f"predict_proba is not available when voting={self.voting!r}")
        return self._predict_proba

    def _predict_proba(self, X: Any) -> np.ndarray:
        r"""Weighted mean of the members' probabilities, shape (n_samples, n_classes).

        .. math:: \bar p_k(x) = \sum_j w_j p_{jk}(x) \Big/ \sum_j w_j
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        return np.average(self._collect_probas(X), axis=0, weights=self._weights_not_none)

    def _vote_counts(self, X: Any) -> np.ndarray:
        """Total weight of the votes for each class, shape (n_samples, n_classes)."""
        preds = self._collect_predictions(X)
        n, m = preds.shape
        w = np.ones(m) if self._weights_not_none is None else self._weights_not_none
        counts = np.zeros((n, self.classes_.shape[0]))
        np.add.at(counts, (np.repeat(np.arange(n), m), preds.ravel()), np.tile(w, n))
        return counts

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels, shape (n_samples,)."""
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        if self.voting == "soft":
            scores = np.average(self._collect_probas(X), axis=0, weights=self._weights_not_none)
        else:
            scores = self._vote_counts(X)
        return self.classes_[np.argmax(scores, axis=1)]

    def transform(self, X: Any) -> np.ndarray:
        """Each member's output.

        Returns
        -------
        ndarray
            Soft voting: (n_samples, n_classifiers * n_classes) probabilities when
            ``flatten_transform``, else (n_classifiers, n_samples, n_classes). Hard voting:
            (n_samples, n_classifiers) predicted class indices.
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        if self.voting == "soft":
            probas = self._collect_probas(X)
            return np.hstack(list(probas)) if self.flatten_transform else probas
        return self._collect_predictions(X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output names ``votingclassifier_<name>`` (hard) or ``..._<name><k>`` (soft, flat)."""
        check_is_fitted(self)
        if self.voting == "soft" and not self.flatten_transform:
            raise ValueError(
                "get_feature_names_out is not supported when `voting='soft'` and "
                "`flatten_transform=False`"
            )
        prefix = type(self).__name__.lower()
        if self.voting == "hard":
            return np.asarray([f"{prefix}_{n}" for n in self._kept_names], dtype=object)
        k = self.classes_.shape[0]
        return np.asarray(
            [f"{prefix}_{n}{i}" for n in self._kept_names for i in range(k)], dtype=object
        )


class VotingRegressor(RegressorMixin, _BaseVoting):
    r"""Weighted mean of several regressors' predictions.

    .. math:: \hat y(x) = \frac{\sum_j w_j f_j(x)}{\sum_j w_j}

    Parameters
    ----------
    estimators : list of (str, estimator) tuples
        The members; a member set to ``"drop"`` is left out.
    weights : array-like of shape (n_estimators,), default=None
        Weight of each member; equal weights when None.
    n_jobs : int, default=None
        Members fitted in parallel with joblib when it is installed and ``n_jobs`` is not 1/None.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members that were not dropped.
    named_estimators_ : dict-like
        Every member by name.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.ensemble import VotingRegressor
    >>> from lucidml.linear_model import LinearRegression, Ridge
    >>> X = np.array([[0.0], [1.0], [2.0]]); y = np.array([0.0, 1.0, 2.0])
    >>> vote = VotingRegressor([("ols", LinearRegression()), ("ridge", Ridge(alpha=0.0))])
    >>> np.round(vote.fit(X, y).predict(X), 6).tolist()
    [0.0, 1.0, 2.0]
    """

    _kind = "regressor"

    def __init__(
        self, estimators: list[tuple[str, Any]], *, weights: Any = None, n_jobs: Any = None
    ) -> None:
        self.estimators = estimators
        self.weights = weights
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> VotingRegressor:
        """Fit every member on ``X`` (n_samples, n_features) and ``y`` (n_samples,)."""
        _, y_arr = self._validate_data(X, y, y_numeric=True, **_ANY_X)
        self._fit_members(X, y_arr, sample_weight)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Weighted mean of the members' predictions, shape (n_samples,)."""
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        return np.average(self.transform(X), axis=1, weights=self._weights_not_none)

    def transform(self, X: Any) -> np.ndarray:
        """Each member's prediction, shape (n_samples, n_estimators)."""
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        return np.column_stack(
            [np.asarray(est.predict(X), dtype=np.float64) for est in self.estimators_]
        )

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output names ``votingregressor_<name>``, one per kept member."""
        check_is_fitted(self)
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}_{n}" for n in self._kept_names], dtype=object)
