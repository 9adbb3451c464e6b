"""Bootstrap aggregating (bagging): the notes' resampling cure for over-fitting (§12.2).

Each of :math:`B` members is fitted on a bootstrap sample: :math:`n'` row indices drawn with
replacement from the :math:`n` training rows (and, optionally, a subset of the :math:`p`
features),

.. math::

    I_b = (i_{b,1}, \\dots, i_{b,n'}), \\quad i_{b,j} \\sim \\mathcal{U}\\{0, \\dots, n-1\\},
    \\qquad c_{b,i} = \\#\\{j : i_{b,j} = i\\},

where :math:`c_{b,i}` counts how often row :math:`i` was drawn. A row with :math:`c_{b,i} = 0` is
*out of bag* for member :math:`b`; with :math:`n' = n` a row is out of bag with probability
:math:`(1 - 1/n)^n \\to e^{-1} \\approx 0.368`, so about a third of the data is a free held-out
set for every member.

The ensemble averages the members; averaging :math:`B` models of variance :math:`\\sigma^2` and
pairwise correlation :math:`\\rho` leaves variance :math:`\\rho\\sigma^2 + (1-\\rho)\\sigma^2/B`,
which is why bagging tames high-variance models:

.. math::

    \\hat y(x) = \\frac{1}{B}\\sum_{b=1}^{B} f_b(x_{F_b}) \\quad \\text{(regression)}, \\qquad
    \\hat p_k(x) = \\frac{1}{B}\\sum_{b=1}^{B} p_{b,k}(x_{F_b}) \\quad \\text{(classification)},

with :math:`p_{b,k}` the member's probability of class :math:`k` (or its one-hot vote when it has
no ``predict_proba``) and :math:`F_b` its feature subset. The out-of-bag estimate for row
:math:`i` averages only the members that did not see it,
:math:`\\hat y^{oob}_i = \\operatorname{mean}_{b: c_{b,i}=0} f_b(x_{i,F_b})`.
"""

from __future__ import annotations

import inspect
import numbers
import warnings
from typing import Any

import numpy as np

from .._validation import (
    check_classification_targets,
    check_is_fitted,
    check_random_state,
    unique_labels,
)
from ..base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from ..model_selection._validation import _parallel

__all__ = ["BaggingClassifier", "BaggingRegressor"]

_MAX_SEED = 2**31 - 1


def _accepts_sample_weight(estimator: Any) -> bool:
    try:
        return "sample_weight" in inspect.signature(estimator.fit).parameters
    except (TypeError, ValueError):
        return False


def _resolve_count(value: Any, total: int, name: str) -> int:
    """Turn ``max_samples`` / ``max_features`` (an int count or a float fraction) into a count."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int or a float, got {value!r}.")
    if isinstance(value, numbers.Integral):
        count = int(value)
    elif isinstance(value, numbers.Real):
        if not 0.0 < float(value) <= 1.0:
            raise ValueError(f"{name} must be in (0, 1] when a float, got {value!r}.")
        count = max(1, int(float(value) * total))
    else:
        raise TypeError(f"{name} must be an int or a float, got {value!r}.")
    if not 1 <= count <= total:
        raise ValueError(f"{name} must be in (0, {total}] (the number available), got {value!r}.")
    return count


def _seed_member(estimator: Any, seed: int) -> None:
    """Give every ``random_state`` parameter of ``estimator`` (nested ones too) a derived seed."""
    keys = [
        k
        for k in estimator.get_params(deep=True)
        if k == "random_state" or k.endswith("__random_state")
    ]
    if keys:
        estimator.set_params(**{k: seed + i for i, k in enumerate(sorted(keys))})


def _fit_member(
    template: Any,
    X: np.ndarray,
    y: np.ndarray,
    seed: int,
    n_draw: int,
    n_feat: int,
    bootstrap: bool,
    bootstrap_features: bool,
) -> tuple[Any, np.ndarray, np.ndarray]:
    """Draw one member's rows and features from ``seed`` and fit a clone of ``template`` on them.

    Returns the fitted member, its drawn row indices ``(n_draw,)`` and
    feature indices ``(n_feat,)``.
    """
    n, p = X.shape
    rng = np.random.default_rng(seed)
    if bootstrap_features:
        features = rng.integers(0, p, size=n_feat)
    elif n_feat == p:
        features = np.arange(p)
    else:
        features = np.sort(rng.choice(p, size=n_feat, replace=False))
    if bootstrap:
        rows = rng.integers(0, n, size=n_draw)
    elif n_draw == n:
        rows = np.arange(n)
    else:
        rows = np.sort(rng.choice(n, size=n_draw, replace=False))

    member = clone(template)
    _seed_member(member, int(rng.integers(0, _MAX_SEED)))
    if bootstrap and _accepts_sample_weight(member):
        # Equivalent to the repeated rows, without copying them: weight each distinct row by
        # the number of times it was drawn (c_{b,i}).
        counts = np.bincount(rows, minlength=n)
        kept = np.flatnonzero(counts)
        member.fit(X[np.ix_(kept, features)], y[kept], sample_weight=counts[kept].astype(float))
    else:
        member.fit(X[np.ix_(rows, features)], y[rows])
    return member, rows, features


class _BaseBagging(BaseEstimator):
    """Shared fitting, validation and out-of-bag bookkeeping of the bagging estimators."""

    def __init__(
        self,
        estimator: Any = None,
        n_estimators: int = 10,
        *,
        max_samples: float | int = 1.0,
        max_features: float | int = 1.0,
        bootstrap: bool = True,
        bootstrap_features: bool = False,
        oob_score: bool = False,
        warm_start: bool = False,
        n_jobs: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
    ) -> None:
        self.estimator = estimator
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.max_features = max_features
        self.bootstrap = bootstrap
        self.bootstrap_features = bootstrap_features
        self.oob_score = oob_score
        self.warm_start = warm_start
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    # -- hooks for the subclasses ---------------------------------------------------------------
    def _default_estimator(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _encode_y(self, y: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _member_output(self, member: Any, X: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _set_oob(self, y: np.ndarray, total: np.ndarray, n_pred: np.ndarray) -> None:
        raise NotImplementedError  # pragma: no cover - abstract

    def _bagging_settings(self) -> tuple[Any, Any, Any, bool, bool]:
        """(member template, max_samples, max_features, bootstrap, bootstrap_features).

        Random forests override this: their ``max_features`` is the trees' per-split setting,
        and every member sees every feature.
        """
        template = self._default_estimator() if self.estimator is None else self.estimator
        return (
            template,
            self.max_samples,
            self.max_features,
            self.bootstrap,
            self.bootstrap_features,
        )

    # -- fitting ---------------------------------------------------------------------------------
    def _check_params(self) -> None:
        n = self.n_estimators
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"n_estimators must be an integer >= 1, got {n!r}.")
        for name in ("bootstrap", "bootstrap_features", "oob_score", "warm_start"):
            if hasattr(self, name) and not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(f"{name} must be a bool, got {getattr(self, name)!r}.")
        if self.n_jobs is not None and (
            isinstance(self.n_jobs, bool) or not isinstance(self.n_jobs, numbers.Integral)
        ):
            raise TypeError(f"n_jobs must be None or an int, got {self.n_jobs!r}.")
        if self.oob_score and not self.bootstrap:
            raise ValueError("Out of bag estimation only available if bootstrap=True")
        if self.oob_score and self.warm_start:
            raise ValueError("Out of bag estimate only available if warm_start=False")
        estimator = getattr(self, "estimator", None)
        if estimator is not None and not hasattr(estimator, "fit"):
            raise TypeError(f"estimator must be an estimator with a fit method, got {estimator!r}.")

    def fit(self, X: Any, y: Any) -> _BaseBagging:
        """Fit ``n_estimators`` members, each on its own bootstrap sample.

        There is no ``sample_weight``: a weighted bootstrap cannot give the same members as the
        repeated rows it stands for (the draws differ), so weighting is left to the members'
        own parameters (e.g. a tree's ``class_weight``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Targets: class labels for the classifier, real values for the regressor.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        self._check_params()
        X, y = self._validate_data(X, y, reset=True, **self._y_check())
        y = self._encode_y(y)
        n, p = X.shape
        template, max_samples, max_features, bootstrap, bootstrap_features = (
            self._bagging_settings()
        )
        n_draw = _resolve_count(max_samples, n, "max_samples")
        n_feat = _resolve_count(max_features, p, "max_features")
        self.estimator_ = template

        if not self.warm_start or not hasattr(self, "estimators_"):
            self.estimators_: list[Any] = []
            self.estimators_samples_: list[np.ndarray] = []
            self.estimators_features_: list[np.ndarray] = []
        n_done = len(self.estimators_)
        if self.n_estimators < n_done:
            raise ValueError(
                f"n_estimators={self.n_estimators} must be larger or equal to "
                f"len(estimators_)={n_done} when warm_start==True"
            )
        if self.n_estimators == n_done:
            warnings.warn(
                "Warm-start fitting without increasing n_estimators does not fit new trees.",
                UserWarning,
                stacklevel=2,
            )
            return self

        # One seed per member, drawn in one go so that a warm start continues the same sequence.
        rng = check_random_state(self.random_state)
        seeds = rng.integers(0, _MAX_SEED, size=self.n_estimators)[n_done:]
        args = (n_draw, n_feat, bool(bootstrap), bool(bootstrap_features))
        # Members whose fit releases the GIL (lucidml trees on the compiled builder) run on
        # threads: parallel without copying X into worker processes.
        releases_gil = getattr(self.estimator_, "_grows_without_gil", lambda: False)()
        results = _parallel(
            _fit_member,
            [(self.estimator_, X, y, int(s), *args) for s in seeds],
            self.n_jobs,
            prefer="threads" if releases_gil else None,
        )
        for member, rows, features in results:
            self.estimators_.append(member)
            self.estimators_samples_.append(rows)
            self.estimators_features_.append(features)
        if self.oob_score:
            self._compute_oob(X, y)
        elif hasattr(self, "oob_score_"):
            del self.oob_score_
        return self

    def _compute_oob(self, X: np.ndarray, y: np.ndarray) -> None:
        """Average each row's predictions over the members that did not draw it."""
        n = X.shape[0]
        total: np.ndarray | None = None
        n_pred = np.zeros(n)
        for member, rows, features in zip(
            self.estimators_, self.estimators_samples_, self.estimators_features_, strict=True
        ):
            oob = np.ones(n, dtype=bool)
            oob[rows] = False
            if not oob.any():
                continue
            out = self._member_output(member, X[np.ix_(np.flatnonzero(oob), features)])
            if total is None:
                total = np.zeros((n,) + out.shape[1:])
            total[oob] += out
            n_pred[oob] += 1
        if total is None:
            total = np.zeros((n,) + self._oob_shape())
        if np.any(n_pred == 0):
            warnings.warn(
                "Some inputs do not have OOB scores. This probably means too few estimators "
                "were used to compute any reliable oob estimates; those rows are NaN and left "
                "out of oob_score_.",
                UserWarning,
                stacklevel=3,
            )
        self._set_oob(y, total, n_pred)

    def _oob_shape(self) -> tuple[int, ...]:
        return ()

    def _members_mean(self, X: Any) -> np.ndarray:
        """Mean of the members' outputs on their own features, shape ``(n_samples, ...)``."""
        check_is_fitted(self)
        X = self._validate_data(X, reset=False)
        total = None
        for member, features in zip(self.estimators_, self.estimators_features_, strict=True):
            out = self._member_output(member, X[:, features])
            if total is None:
                total = out.astype(np.float64, copy=True)
            else:
                total += out
        assert total is not None
        total /= len(self.estimators_)
        return total

    def _y_check(self) -> dict[str, Any]:
        return {}


class BaggingClassifier(ClassifierMixin, _BaseBagging):
    """Bagging classifier: members fitted on bootstrap samples, probabilities averaged.

    Each member :math:`b` is a clone of ``estimator`` fitted on rows :math:`I_b` (drawn with
    replacement when ``bootstrap``) and features :math:`F_b`. The ensemble's probability is the
    mean :math:`\\hat p_k(x) = \\frac1B \\sum_b p_{b,k}(x_{F_b})` of the members'
    ``predict_proba`` (or of their one-hot votes when they have none), and
    :math:`\\hat y = \\arg\\max_k \\hat p_k`.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The member to clone; ``None`` means a decision tree when ``lucidml.tree`` is available,
        else :class:`lucidml.naive_bayes.GaussianNB`. Any estimator following the protocol works
        (lucidml's or scikit-learn's). When its ``fit`` accepts ``sample_weight`` it gets the
        bootstrap counts :math:`c_{b,i}` as weights instead of repeated rows.
    n_estimators : int, default=10
        Number of members :math:`B`.
    max_samples : int or float, default=1.0
        Rows drawn per member, :math:`n'`: a count, or a fraction of ``n_samples``.
    max_features : int or float, default=1.0
        Features per member: a count, or a fraction of ``n_features``.
    bootstrap : bool, default=True
        Draw rows with replacement; otherwise without.
    bootstrap_features : bool, default=False
        Draw features with replacement.
    oob_score : bool, default=False
        Compute the out-of-bag accuracy ``oob_score_`` (needs ``bootstrap=True``).
    warm_start : bool, default=False
        Keep the fitted members and add ``n_estimators - len(estimators_)`` new ones.
    n_jobs : int or None, default=None
        Members fitted in parallel with joblib when installed and ``n_jobs`` is not None/1.
    random_state : None, int or numpy.random.Generator, default=None
        Seeds the draws and each member's own ``random_state``.
    verbose : int, default=0
        Accepted for scikit-learn compatibility; lucidml never prints.

    Attributes
    ----------
    estimator_ : estimator
        The member template actually used.
    estimators_ : list of estimators
        The fitted members (trained on class indices ``0..n_classes-1``).
    estimators_samples_ : list of ndarray of shape (n_draw,)
        Row indices drawn for each member (with repeats when ``bootstrap``).
    estimators_features_ : list of ndarray of shape (n_feat,)
        Feature indices of each member.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Number of features seen in ``fit``.
    oob_score_ : float
        Out-of-bag accuracy over the rows that were out of bag for at least one member.
    oob_decision_function_ : ndarray of shape (n_samples, n_classes)
        Out-of-bag class probabilities (NaN for rows never out of bag).

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.ensemble import BaggingClassifier
    >>> X = np.r_[np.zeros((20, 2)), np.ones((20, 2))] + np.linspace(0, 0.1, 40)[:, None]
    >>> y = np.r_[np.zeros(20), np.ones(20)]
    >>> BaggingClassifier(random_state=0).fit(X, y).predict([[0.0, 0.0], [1.0, 1.0]])
    array([0., 1.])
    """

    def _default_estimator(self) -> Any:
        from ..tree import DecisionTreeClassifier

        return DecisionTreeClassifier()

    def _y_check(self) -> dict[str, Any]:
        return {}

    def _encode_y(self, y: np.ndarray) -> np.ndarray:
        check_classification_targets(y)
        self.classes_, idx = unique_labels(y)
        self.n_classes_ = len(self.classes_)
        return idx

    def _oob_shape(self) -> tuple[int, ...]:
        return (self.n_classes_,)

    def _member_output(self, member: Any, X: np.ndarray) -> np.ndarray:
        """Member's probabilities (or one-hot vote) over all ``n_classes_`` columns."""
        out = np.zeros((X.shape[0], self.n_classes_))
        if hasattr(member, "predict_proba"):
            proba = np.asarray(member.predict_proba(X), dtype=np.float64)
            cols = np.asarray(getattr(member, "classes_", np.arange(proba.shape[1])), dtype=int)
            out[:, cols] = proba
        else:
            pred = np.asarray(member.predict(X)).astype(int)
            out[np.arange(X.shape[0]), pred] = 1.0
        return out

    def _set_oob(self, y: np.ndarray, total: np.ndarray, n_pred: np.ndarray) -> None:
        covered = n_pred > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            self.oob_decision_function_ = total / total.sum(axis=1, keepdims=True)
        self.oob_decision_function_[~covered] = np.nan
        if covered.any():
            hit = np.argmax(self.oob_decision_function_[covered], axis=1) == y[covered]
            self.oob_score_ = float(np.mean(hit))
        else:
            self.oob_score_ = float("nan")

    def predict_proba(self, X: Any) -> np.ndarray:
        """Mean of the members' class probabilities (or votes).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``; rows sum to 1.
        """
        return self._members_mean(X)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`, shape ``(n_samples, n_classes)``."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """Class with the highest mean probability, shape ``(n_samples,)``."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class BaggingRegressor(RegressorMixin, _BaseBagging):
    """Bagging regressor: members fitted on bootstrap samples, predictions averaged.

    :math:`\\hat y(x) = \\frac1B \\sum_b f_b(x_{F_b})`, with member :math:`b` fitted on rows
    :math:`I_b` and features :math:`F_b`.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The member to clone; ``None`` means a decision tree when ``lucidml.tree`` is available,
        else :class:`lucidml.linear_model.Ridge`. Members whose ``fit`` accepts
        ``sample_weight`` get the bootstrap counts as weights instead of repeated rows.
    n_estimators, max_samples, max_features, bootstrap, bootstrap_features, oob_score, \
warm_start, n_jobs, random_state, verbose
        As in :class:`BaggingClassifier`; ``oob_score_`` is the out-of-bag :math:`R^2`.

    Attributes
    ----------
    estimator_, estimators_, estimators_samples_, estimators_features_, n_features_in_
        As in :class:`BaggingClassifier`.
    oob_score_ : float
        Out-of-bag :math:`R^2` over the rows that were out of bag for at least one member.
    oob_prediction_ : ndarray of shape (n_samples,)
        Out-of-bag prediction (NaN for rows never out of bag).

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.ensemble import BaggingRegressor
    >>> X = np.linspace(0, 1, 30)[:, None]
    >>> reg = BaggingRegressor(random_state=0).fit(X, 2 * X[:, 0])
    >>> bool(abs(reg.predict([[0.5]])[0] - 1.0) < 0.1)
    True
    """

    def _default_estimator(self) -> Any:
        from ..tree import DecisionTreeRegressor

        return DecisionTreeRegressor()

    def _y_check(self) -> dict[str, Any]:
        return {"y_numeric": True}

    def _encode_y(self, y: np.ndarray) -> np.ndarray:
        return np.asarray(y, dtype=np.float64)

    def _member_output(self, member: Any, X: np.ndarray) -> np.ndarray:
        return np.asarray(member.predict(X), dtype=np.float64).reshape(X.shape[0])

    def _set_oob(self, y: np.ndarray, total: np.ndarray, n_pred: np.ndarray) -> None:
        covered = n_pred > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            self.oob_prediction_ = np.where(covered, total / np.maximum(n_pred, 1), np.nan)
        if covered.sum() > 1:
            t, p = y[covered], self.oob_prediction_[covered]
            ss_tot = np.sum((t - t.mean()) ** 2)
            ss_res = np.sum((t - p) ** 2)
            self.oob_score_ = float(1.0 - ss_res / ss_tot) if ss_tot > 0 else float("nan")
        else:
            self.oob_score_ = float("nan")

    def predict(self, X: Any) -> np.ndarray:
        """Mean of the members' predictions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        return self._members_mean(X)
