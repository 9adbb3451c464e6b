r"""Stacking: a meta-model learns how to combine its members from out-of-fold predictions (§5.6).

With members :math:`f_1, \dots, f_m` and folds :math:`F_1, \dots, F_k` of the training set, the
meta-features of training sample :math:`i \in F_r` come from members fitted **without** fold
:math:`F_r`,

.. math::

    z_i = \big[\, f_1^{(-r)}(x_i), \; \dots, \; f_m^{(-r)}(x_i) \,\big]
    \quad (\,\| \; x_i \text{ with passthrough}),

and the final estimator :math:`g` is fitted on :math:`(z_i, y_i)`. At prediction time the members
refitted on all the data produce :math:`z(x)` and :math:`\hat y = g(z(x))`. Using out-of-fold
predictions is what keeps the meta-model honest: a member that memorises its training set (a
1-nearest-neighbour, say) looks perfect on the samples it saw but not on the fold it did not, so
the meta-model does not learn to trust it blindly.

For a classifier each member contributes, per ``stack_method``, its class probabilities
(binary problems keep only the positive class's column), its decision function, or its
predicted label index.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._validation import check_classification_targets, check_is_fitted, check_sample_weight
from ..base import ClassifierMixin, RegressorMixin, TransformerMixin, clone
from ..model_selection import check_cv, cross_val_predict
from ..model_selection._validation import _parallel
from ._voting import _ANY_X, _accepts_sample_weight, _BaseHeterogeneous, _Bunch, _fit_one

__all__ = ["StackingClassifier", "StackingRegressor"]

_METHODS = ("predict_proba", "decision_function", "predict")


class _BaseStacking(TransformerMixin, _BaseHeterogeneous):
    """Fit members on all the data and the final estimator on their out-of-fold predictions."""

    def _default_final(self) -> Any:
        raise NotImplementedError

    def _methods(self, members: list[Any]) -> list[str | None]:
        """The method each member is stacked with (None for a dropped member)."""
        allowed = ("auto", *_METHODS) if self._kind == "classifier" else ("auto", "predict")
        method = getattr(self, "stack_method", "auto")
        if method not in allowed:
            raise ValueError(f"stack_method must be one of {allowed!r}; got {method!r}.")
        out: list[str | None] = []
        for est in members:
            if isinstance(est, str) and est == "drop":
                out.append(None)
            elif method == "auto":
                out.append(next(m for m in _METHODS if hasattr(est, m)))
            elif hasattr(est, method):
                out.append(method)
            else:
                raise ValueError(
                    f"Underlying estimator {type(est).__name__} does not implement "
                    f"the method {method}."
                )
        return out

    def _fit_stack(
        self, X: Any, X_arr: np.ndarray, y: np.ndarray, sample_weight: Any = None
    ) -> None:
        self._check_n_jobs()
        if not isinstance(self.passthrough, (bool, np.bool_)):
            raise ValueError(f"passthrough must be a bool; got {self.passthrough!r}.")
        names, members = self._validate_estimators()
        final = self._default_final() if self.final_estimator is None else self.final_estimator
        if not hasattr(final, "fit") or not hasattr(final, "get_params"):
            raise TypeError(f"final_estimator must be an estimator; got {final!r}.")
        methods = self._methods(members)
        keep = [i for i, m in enumerate(methods) if m is not None]
        sw = None
        if sample_weight is not None:
            sw = check_sample_weight(sample_weight, X_arr, dtype=np.float64)
            for est in [members[i] for i in keep] + [final]:
                if not _accepts_sample_weight(est):
                    raise TypeError(
                        f"Underlying estimator {type(est).__name__} does not support sample "
                        "weights."
                    )
        self.estimators_ = _parallel(
            _fit_one, [(clone(members[i]), X, y, sw) for i in keep], self.n_jobs
        )
        self.named_estimators_ = _Bunch()
        fitted = iter(self.estimators_)
        for i, name in enumerate(names):
            self.named_estimators_[name] = next(fitted) if i in keep else members[i]
        self.stack_method_ = [methods[i] for i in keep]
        # One list of folds for every member, so their meta-features come from the same splits.
        splitter = check_cv(self.cv, y, classifier=self._kind == "classifier")
        folds = list(splitter.split(X_arr, y))
        preds = [
            self._out_of_fold(clone(members[i]), X, y, folds, m, sw)
            for i, m in zip(keep, self.stack_method_, strict=True)
        ]
        meta = self._concatenate(X_arr, preds)
        self.final_estimator_ = _fit_one(clone(final), meta, y, sw)

    def _out_of_fold(
        self, est: Any, X: Any, y: np.ndarray, folds: list, method: str, sw: np.ndarray | None
    ) -> np.ndarray:
        """Out-of-fold predictions of ``est``; each fold's model gets its rows' weights."""
        params = None if sw is None else {"sample_weight": sw}
        return cross_val_predict(
            est, X, y, cv=folds, method=method, n_jobs=self.n_jobs, params=params
        )

    def _concatenate(self, X: np.ndarray, preds: list[np.ndarray]) -> np.ndarray:
        """Meta-features, shape (n_samples, n_meta) (+ n_features with passthrough)."""
        cols = []
        for pred, method in zip(preds, self.stack_method_, strict=True):
            pred = np.asarray(pred, dtype=np.float64)
            if pred.ndim == 1:
                pred = pred[:, None]
            elif method == "predict_proba" and getattr(self, "classes_", np.empty(0)).size == 2:
                pred = pred[:, 1:]  # binary: the two columns sum to one, keep the positive one
            cols.append(pred)
        if self.passthrough:
            cols.append(np.asarray(X, dtype=np.float64))
        return np.hstack(cols)

    def _meta(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X_arr = self._validate_data(X, reset=False, **_ANY_X)
        preds = [
            getattr(est, m)(X) for est, m in zip(self.estimators_, self.stack_method_, strict=True)
        ]
        return self._concatenate(X_arr, preds)

    def transform(self, X: Any) -> np.ndarray:
        """The meta-features of ``X`` (n_samples, n_features), shape (n_samples, n_meta)."""
        return self._meta(X)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the meta-features: ``<class>_<member>[<k>]``, then the input names."""
        check_is_fitted(self)
        prefix = type(self).__name__.lower()
        kept = [n for n, e in self._pairs() if not (isinstance(e, str) and e == "drop")]
        names: list[str] = []
        n_classes = getattr(self, "classes_", np.empty(0)).size
        for name, method in zip(kept, self.stack_method_, strict=True):
            width = 1
            if method in ("predict_proba", "decision_function") and n_classes > 2:
                width = n_classes
            names += (
                [f"{prefix}_{name}"]
                if width == 1
                else [f"{prefix}_{name}{k}" for k in range(width)]
            )
        if self.passthrough:
            if input_features is None:
                input_features = getattr(self, "feature_names_in_", None)
            if input_features is None:
                input_features = [f"x{j}" for j in range(self.n_features_in_)]
            if len(input_features) != self.n_features_in_:
                raise ValueError(
                    f"input_features should have length equal to number of features "
                    f"({self.n_features_in_}), got {len(input_features)}"
                )
            names += [str(f) for f in input_features]
        return np.asarray(names, dtype=object)


class StackingClassifier(ClassifierMixin, _BaseStacking):
    r"""A meta-classifier fitted on the members' out-of-fold predictions.

    .. math:: \hat y = g\big([f_1(x), \dots, f_m(x)]\big), \quad
        g \text{ fitted on } z_i = [f_1^{(-r(i))}(x_i), \dots, f_m^{(-r(i))}(x_i)]

    Parameters
    ----------
    estimators : list of (str, estimator) tuples
        The members (classifiers); a member set to ``"drop"`` is left out.
    final_estimator : estimator, default=None
        The meta-classifier; lucidml's ``LogisticRegression()`` when None.
    cv : int, splitter or iterable, default=None
        The folds of the out-of-fold predictions (5 stratified folds when None).
    stack_method : {"auto", "predict_proba", "decision_function", "predict"}, default="auto"
        What each member contributes; ``"auto"`` takes the first of these it has.
    n_jobs : int, default=None
        Members fitted in parallel with joblib when it is installed.
    passthrough : bool, default=False
        Also give the final estimator the original features.

    Attributes
    ----------
    estimators_ : list of estimators
        The members refitted on all the training data (dropped ones left out).
    named_estimators_ : dict-like
        Every member by name.
    final_estimator_ : estimator
        The fitted meta-classifier.
    stack_method_ : list of str
        The method used for each member in ``estimators_``.
    classes_ : ndarray of shape (n_classes,)
        The sorted class labels.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.ensemble import StackingClassifier
    >>> from lucidml.naive_bayes import GaussianNB
    >>> from lucidml.neighbors import KNeighborsClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2)); y = (X[:, 0] > 0).astype(int)
    >>> stack = StackingClassifier([("nb", GaussianNB()), ("knn", KNeighborsClassifier())], cv=3)
    >>> stack.fit(X, y).score(X, y) > 0.9
    True
    """

    _kind = "classifier"

    def __init__(
        self,
        estimators: list[tuple[str, Any]],
        final_estimator: Any = None,
        *,
        cv: Any = None,
        stack_method: str = "auto",
        n_jobs: Any = None,
        passthrough: bool = False,
    ) -> None:
        self.estimators = estimators
        self.final_estimator = final_estimator
        self.cv = cv
        self.stack_method = stack_method
        self.n_jobs = n_jobs
        self.passthrough = passthrough

    def _default_final(self) -> Any:
        from ..linear_model import LogisticRegression

        return LogisticRegression()

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> StackingClassifier:
        """Fit on ``X`` (n_samples, n_features) and labels ``y`` (n_samples,).

        ``sample_weight`` (n_samples,) goes to every member, to each fold's model (its rows'
        weights) and to the final estimator; all of them must accept it.
        """
        X_arr, y_arr = self._validate_data(X, y, **_ANY_X)
        check_classification_targets(y_arr)
        self.classes_, y_idx = np.unique(y_arr, return_inverse=True)
        self._fit_stack(X, X_arr, y_idx.reshape(-1), sample_weight)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels, shape (n_samples,)."""
        meta = self._meta(X)
        pred = np.asarray(self.final_estimator_.predict(meta))
        return self.classes_[pred.astype(np.intp)]

    def _final(self) -> Any:
        """The fitted final estimator, else the one that will be fitted."""
        if hasattr(self, "final_estimator_"):
            return self.final_estimator_
        return self._default_final() if self.final_estimator is None else self.final_estimator

    @property
    def predict_proba(self) -> Any:
        """The final estimator's class probabilities, (n_samples, n_classes) (if it has them)."""
        if not hasattr(self._final(), "predict_proba"):
            raise AttributeError("The final estimator has no predict_proba.")
        return self._predict_proba

    def _predict_proba(self, X: Any) -> np.ndarray:
        meta = self._meta(X)
        return self.final_estimator_.predict_proba(meta)

    @property
    def decision_function(self) -> Any:
        """The final estimator's decision function on the meta-features (if it has one)."""
        if not hasattr(self._final(), "decision_function"):
            raise AttributeError("The final estimator has no decision_function.")
        return self._decision_function

    def _decision_function(self, X: Any) -> np.ndarray:
        meta = self._meta(X)
        return self.final_estimator_.decision_function(meta)


class StackingRegressor(RegressorMixin, _BaseStacking):
    r"""A meta-regressor fitted on the members' out-of-fold predictions.

    .. math:: \hat y = g\big([f_1(x), \dots, f_m(x)]\big)

    Parameters
    ----------
    estimators : list of (str, estimator) tuples
        The members (regressors); a member set to ``"drop"`` is left out.
    final_estimator : estimator, default=None
        The meta-regressor; lucidml's ``Ridge()`` when None.
    cv : int, splitter or iterable, default=None
        The folds of the out-of-fold predictions (5 folds when None).
    n_jobs : int, default=None
        Members fitted in parallel with joblib when it is installed.
    passthrough : bool, default=False
        Also give the final estimator the original features.

    Attributes
    ----------
    estimators_, named_estimators_, final_estimator_, stack_method_, n_features_in_
        As in :class:`StackingClassifier` (``stack_method_`` is all ``"predict"``).

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.ensemble import StackingRegressor
    >>> from lucidml.linear_model import LinearRegression, Ridge
    >>> X = np.arange(20.0).reshape(-1, 1); y = 2 * X[:, 0]
    >>> stack = StackingRegressor([("ols", LinearRegression()), ("ridge", Ridge())], cv=4)
    >>> stack.fit(X, y).score(X, y) > 0.99
    True
    """

    _kind = "regressor"

    def __init__(
        self,
        estimators: list[tuple[str, Any]],
        final_estimator: Any = None,
        *,
        cv: Any = None,
        n_jobs: Any = None,
        passthrough: bool = False,
    ) -> None:
        self.estimators = estimators
        self.final_estimator = final_estimator
        self.cv = cv
        self.n_jobs = n_jobs
        self.passthrough = passthrough

    def _default_final(self) -> Any:
        from ..linear_model import Ridge

        return Ridge()

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> StackingRegressor:
        """Fit on ``X`` (n_samples, n_features) and targets ``y`` (n_samples,).

        ``sample_weight`` (n_samples,) goes to every member, to each fold's model (its rows'
        weights) and to the final estimator; all of them must accept it.
        """
        X_arr, y_arr = self._validate_data(X, y, y_numeric=True, **_ANY_X)
        self._fit_stack(X, X_arr, np.asarray(y_arr, dtype=np.float64), sample_weight)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, shape (n_samples,)."""
        meta = self._meta(X)
        return np.asarray(self.final_estimator_.predict(meta))
