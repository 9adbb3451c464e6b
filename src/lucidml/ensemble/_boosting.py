"""Histogram-based gradient boosting (notes §5.6, model fusion): many small trees, each fitted to
the gradient of the loss at the current prediction.

At iteration :math:`m` the raw score moves by one tree fitted with second-order (Newton) steps,

.. math::

    F_m(x) = F_{m-1}(x) + \\eta \\, f_m(x), \\qquad
    f_m(\\text{leaf}) = -\\frac{\\sum_{i \\in \\text{leaf}} g_i}{\\sum_{i \\in \\text{leaf}} h_i
    + \\lambda},

where :math:`g_i` and :math:`h_i` are the first and second derivatives of the loss in the raw
score. Trees are grown best-first on binned features (see :mod:`lucidml.ensemble._hist`).
Each loss lives beside its gradient and hessian below.

Missing values (NaN) are allowed: they get a bin of their own, and every split learns which
child they go to. ``sample_weight`` multiplies each row's :math:`g_i` and :math:`h_i`.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._validation import (
    check_classification_targets,
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    unique_labels,
)
from ..base import BaseEstimator, ClassifierMixin, RegressorMixin
from . import _hist
from ._hist import _Grower, apply_bins, bin_thresholds, forest_predict

__all__ = [
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "squared_error",
    "squared_error_grad_hess",
    "binary_log_loss",
    "binary_log_loss_grad_hess",
    "multinomial_log_loss",
    "multinomial_log_loss_grad_hess",
]


# -- losses, each beside its derivatives ------------------------------------------------------


def squared_error(y: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """Half squared error per sample, :math:`\\ell = \\tfrac12 (y - F)^2`.

    Parameters
    ----------
    y, raw : ndarray of shape (n_samples,)
        Targets and raw predictions.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    return 0.5 * (y - raw) ** 2


def squared_error_grad_hess(y: np.ndarray, raw: np.ndarray) -> tuple[np.ndarray, float]:
    """:math:`g = F - y`, :math:`h = 1`: the gradient (n_samples,) and the constant hessian."""
    return raw - y, 1.0


def binary_log_loss(y: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """Binary log loss on the logit :math:`F`: :math:`\\ell = \\log(1 + e^F) - y F`.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Labels in {0, 1}.
    raw : ndarray of shape (n_samples,)
        Logits; :math:`p = \\sigma(F)`.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    return np.logaddexp(0.0, raw) - y * raw


def _sigmoid(raw: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * raw))  # stable for any sign


def binary_log_loss_grad_hess(y: np.ndarray, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:math:`g = \\sigma(F) - y`, :math:`h = \\sigma(F)(1 - \\sigma(F))`, each (n_samples,)."""
    p = _sigmoid(raw)
    return p - y, p * (1.0 - p)


def _log_softmax(raw: np.ndarray) -> np.ndarray:
    shifted = raw - raw.max(axis=1, keepdims=True)  # max-subtraction (notes §2)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def multinomial_log_loss(y: np.ndarray, raw: np.ndarray) -> np.ndarray:
    """Softmax cross-entropy per sample, :math:`\\ell = \\log\\sum_k e^{F_k} - F_y`.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Class indices in ``0 .. n_classes - 1``.
    raw : ndarray of shape (n_samples, n_classes)
        Raw scores.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    return -np.take_along_axis(_log_softmax(raw), y[:, None].astype(np.intp), axis=1)[:, 0]


def multinomial_log_loss_grad_hess(y: np.ndarray, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:math:`g_k = p_k - [y = k]`, :math:`h_k = p_k (1 - p_k)` (the diagonal of the hessian).

    Both are (n_samples, n_classes), with :math:`p = \\operatorname{softmax}(F)`.
    """
    p = np.exp(_log_softmax(raw))
    g = p.copy()
    g[np.arange(len(y)), y.astype(np.intp)] -= 1.0
    return g, p * (1.0 - p)


# -- the estimators ---------------------------------------------------------------------------


class _BaseBoosting(BaseEstimator):
    """Shared fitting loop; subclasses set the loss, the baseline and the target encoding."""

    _losses: tuple[str, ...] = ()

    def __init__(
        self,
        *,
        loss: str,
        learning_rate: float = 0.1,
        max_iter: int = 100,
        max_leaf_nodes: int | None = 31,
        max_depth: int | None = None,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        max_bins: int = 255,
        early_stopping: str | bool = "auto",
        validation_fraction: float | int | None = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-7,
        random_state: Any = None,
    ) -> None:
        self.loss = loss
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.max_bins = max_bins
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state

    # -- parameter checks ---------------------------------------------------------------------

    def _check_params(self) -> None:
        def integer(name: str, low: int, allow_none: bool = False) -> None:
            v = getattr(self, name)
            if v is None and allow_none:
                return
            if not isinstance(v, numbers.Integral) or isinstance(v, bool) or v < low:
                raise ValueError(f"The '{name}' parameter must be an int >= {low}; got {v!r}.")

        if self.loss not in self._losses:
            raise ValueError(
                f"The 'loss' parameter must be one of {self._losses}; got {self.loss!r}."
            )
        if not isinstance(self.learning_rate, numbers.Real) or not self.learning_rate > 0:
            raise ValueError(
                f"The 'learning_rate' parameter must be > 0; got {self.learning_rate!r}."
            )
        integer("max_iter", 1)
        integer("max_leaf_nodes", 2, allow_none=True)
        integer("max_depth", 1, allow_none=True)
        integer("min_samples_leaf", 1)
        integer("n_iter_no_change", 1)
        integer("max_bins", 2)
        if self.max_bins > 255:
            raise ValueError(f"The 'max_bins' parameter must be <= 255; got {self.max_bins!r}.")
        for name in ("l2_regularization", "tol"):
            v = getattr(self, name)
            if not isinstance(v, numbers.Real) or not v >= 0:
                raise ValueError(f"The '{name}' parameter must be >= 0; got {v!r}.")
        if self.early_stopping not in ("auto", True, False):
            raise ValueError(
                "The 'early_stopping' parameter must be 'auto', True or False; "
                f"got {self.early_stopping!r}."
            )
        vf = self.validation_fraction
        if vf is not None:
            if isinstance(vf, numbers.Integral) and not isinstance(vf, bool):
                if vf < 1:
                    raise ValueError(f"validation_fraction must be >= 1 as an int; got {vf}.")
            elif not isinstance(vf, numbers.Real) or not 0 < vf < 1:
                raise ValueError(
                    f"The 'validation_fraction' parameter must be in (0, 1), an int or None; "
                    f"got {vf!r}."
                )

    # -- the boosting loop --------------------------------------------------------------------

    def _fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> None:
        """Boost on validated float64 ``X`` (n, d), encoded ``y`` (n,) and weights (n,) or None."""
        self._check_params()
        rng = check_random_state(self.random_state)
        n = X.shape[0]
        w = np.ones(n) if sample_weight is None else sample_weight
        stop_early = self.early_stopping is True or (self.early_stopping == "auto" and n > 10_000)
        Xt, yt, wt, Xv, yv, wv = X, y, w, None, None, None
        if stop_early and self.validation_fraction is not None:
            vf = self.validation_fraction
            n_val = int(vf) if isinstance(vf, numbers.Integral) else int(np.ceil(vf * n))
            if not 0 < n_val < n:
                raise ValueError(
                    f"validation_fraction={vf!r} leaves no samples for training or validation "
                    f"with n_samples={n}."
                )
            perm = rng.permutation(n)
            val, tr = np.sort(perm[:n_val]), np.sort(perm[n_val:])
            Xt, yt, wt, Xv, yv, wv = X[tr], y[tr], w[tr], X[val], y[val], w[val]
            if not np.any(wv > 0):  # nothing to validate on: stop on the training loss
                Xv = yv = wv = None
        if sample_weight is not None:  # a row of weight 0 is a row removed, bin edges included
            keep = wt > 0
            if not keep.any():
                raise ValueError("The training rows have sample weights that are all zero.")
            if not keep.all():
                Xt, yt, wt = Xt[keep], yt[keep], wt[keep]

        edges = bin_thresholds(Xt, self.max_bins, rng)
        n_real = np.array([len(t) + 1 for t in edges])
        n_bins = int(n_real.max()) + 1  # the last bin holds the missing values
        XbT = apply_bins(Xt, edges, n_bins - 1)
        has_missing = np.isnan(Xt).any(axis=0)
        grower = _Grower(
            XbT,
            n_bins,
            n_real,
            has_missing,
            max_leaf_nodes=self.max_leaf_nodes,
            max_depth=self.max_depth,
            min_samples_leaf=self.min_samples_leaf,
            l2=float(self.l2_regularization),
            compiled=_hist.USE_COMPILED,
        )
        self._baseline_ = self._baseline(yt, wt)
        raw = np.tile(self._baseline_, (len(yt), 1)).astype(np.float64)  # (n, n_trees_per_iter)
        raw_val = None if Xv is None else np.tile(self._baseline_, (len(yv), 1)).astype(float)
        loss_fn, grad_fn = self._loss_functions()
        K = raw.shape[1]

        def score(yy: np.ndarray, r: np.ndarray, ww: np.ndarray) -> float:
            return -float(np.average(loss_fn(yy, r if K > 1 else r[:, 0]), weights=ww))

        train_score = [score(yt, raw, wt)]
        val_score = [] if raw_val is None else [score(yv, raw_val, wv)]
        trees: list[list[dict[str, Any]]] = []
        lr = float(self.learning_rate)
        col = np.empty(len(yt))
        for _ in range(self.max_iter):
            g, h = grad_fn(yt, raw if K > 1 else raw[:, 0])
            g = g.reshape(len(yt), K) * wt[:, None]
            h = np.broadcast_to(np.reshape(h, (-1, K) if np.ndim(h) else (1, 1)), (len(yt), K))
            h = h * wt[:, None]
            iteration = []
            for k in range(K):
                col[:] = 0.0
                tree = grower.grow(g[:, k], h[:, k], lr, col)
                raw[:, k] += col
                internal = tree["left"] != np.arange(len(tree["left"]))
                tree["threshold"] = np.array(
                    [
                        (edges[f][b] if b < len(edges[f]) else np.inf) if i else 0.0
                        for f, b, i in zip(tree["feature"], tree["bin"], internal, strict=True)
                    ],
                    dtype=np.float64,
                )
                iteration.append(tree)
            trees.append(iteration)
            train_score.append(score(yt, raw, wt))
            if stop_early:
                if raw_val is not None:
                    forest_predict([iteration], Xv, raw_val)
                    val_score.append(score(yv, raw_val, wv))
                scores = val_score if raw_val is not None else train_score
                if len(scores) > self.n_iter_no_change:
                    reference = scores[-self.n_iter_no_change - 1] + self.tol
                    if not any(s > reference for s in scores[-self.n_iter_no_change :]):
                        break
        self.trees_ = trees
        self.bin_thresholds_ = edges
        self.n_iter_ = len(trees)
        self.n_trees_per_iteration_ = K
        self.train_score_ = np.asarray(train_score)
        self.validation_score_ = np.asarray(val_score)

    def _check_X(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        return self._validate_data(X, reset=False, dtype=np.float64, ensure_all_finite="allow-nan")

    def _raw_predict(self, X: Any) -> np.ndarray:
        """Raw scores of shape (n_samples, n_trees_per_iteration)."""
        X = self._check_X(X)
        raw = np.tile(self._baseline_, (X.shape[0], 1)).astype(np.float64)
        forest_predict(self.trees_, X, raw)
        return raw

    def _staged_raw(self, X: Any) -> Any:
        X = self._check_X(X)
        raw = np.tile(self._baseline_, (X.shape[0], 1)).astype(np.float64)
        for iteration in self.trees_:
            forest_predict([iteration], X, raw)
            yield raw.copy()

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class GradientBoostingClassifier(ClassifierMixin, _BaseBoosting):
    """Histogram-based gradient boosting for classification (binary logistic or softmax).

    A binary problem grows one tree per iteration on the logit; ``K > 2`` classes grow ``K``
    trees per iteration, one per softmax score. Parameters are named as scikit-learn's
    ``HistGradientBoostingClassifier``.

    Parameters
    ----------
    loss : {"log_loss"}, default="log_loss"
        :math:`\\ell = -\\log p_y` with :math:`p = \\sigma(F)` (binary) or
        :math:`\\operatorname{softmax}(F)`.
    learning_rate : float, default=0.1
        Shrinkage :math:`\\eta` applied to every leaf value.
    max_iter : int, default=100
        Boosting iterations.
    max_leaf_nodes : int or None, default=31
        Leaves per tree (best-first growth); None for no limit.
    max_depth : int or None, default=None
        Depth limit per tree.
    min_samples_leaf : int, default=20
        Fewest samples in a leaf.
    l2_regularization : float, default=0.0
        :math:`\\lambda` in the leaf values and the split gain.
    max_bins : int, default=255
        Quantile bins per feature (2 .. 255).
    early_stopping : "auto" or bool, default="auto"
        Stop when the validation loss stops improving; "auto" turns it on when
        ``n_samples > 10000``.
    validation_fraction : float, int or None, default=0.1
        Share (or count) of rows held out for early stopping; None uses the training loss.
    n_iter_no_change : int, default=10
        Stop when none of the last ``n_iter_no_change`` scores beats the one before them by
        more than ``tol``.
    tol : float, default=1e-7
        Smallest improvement that counts.
    random_state : int, Generator or None, default=None
        Seeds the validation split and the binning subsample.
    class_weight : dict, "balanced" or None, default=None
        Multiplies each row's weight by its class's: a dict ``{label: weight}``, or
        ``"balanced"`` for :math:`n / (K n_k)`.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_iter_ : int
        Iterations actually run.
    n_trees_per_iteration_ : int
        1 for binary problems, ``n_classes`` otherwise.
    train_score_ : ndarray of shape (n_iter_ + 1,)
        Negative mean training loss, before the first tree and after each iteration.
    validation_score_ : ndarray of shape (n_iter_ + 1,) or (0,)
        The same on the validation split (empty without early stopping on a split).
    trees_ : list of list of dict
        ``trees_[m][k]`` is the tree of iteration ``m`` for score ``k``, as arrays.
    bin_thresholds_ : list of ndarray
        Bin edges of each feature.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` has string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.ensemble import GradientBoostingClassifier
    >>> X = np.r_[np.zeros((30, 1)), np.ones((30, 1))]
    >>> y = np.r_[np.zeros(30), np.ones(30)]
    >>> GradientBoostingClassifier(max_iter=10).fit(X, y).predict([[0.0], [1.0]])
    array([0., 1.])
    """

    _losses = ("log_loss",)

    def __init__(
        self,
        *,
        loss: str = "log_loss",
        learning_rate: float = 0.1,
        max_iter: int = 100,
        max_leaf_nodes: int | None = 31,
        max_depth: int | None = None,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        max_bins: int = 255,
        early_stopping: str | bool = "auto",
        validation_fraction: float | int | None = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-7,
        random_state: Any = None,
        class_weight: dict | str | None = None,
    ) -> None:
        self.class_weight = class_weight
        super().__init__(
            loss=loss,
            learning_rate=learning_rate,
            max_iter=max_iter,
            max_leaf_nodes=max_leaf_nodes,
            max_depth=max_depth,
            min_samples_leaf=min_samples_leaf,
            l2_regularization=l2_regularization,
            max_bins=max_bins,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            random_state=random_state,
        )

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> GradientBoostingClassifier:
        """Fit on ``X`` (n_samples, n_features) and class labels ``y`` (n_samples,).

        ``sample_weight`` (n_samples,) multiplies each row's gradient and hessian (an integer
        weight acts as that many copies of the row), and ``class_weight`` multiplies it further.
        ``min_samples_leaf`` still counts rows, and the bin edges ignore the weights.
        """
        X, y = self._validate_data(
            X, y, reset=True, dtype=np.float64, ensure_all_finite="allow-nan"
        )
        check_classification_targets(y)
        classes, y_idx = unique_labels(y)
        if len(classes) < 2:
            raise ValueError(
                "GradientBoostingClassifier needs samples of at least 2 classes in the data, "
                f"but the data contains only one class: {classes[0]!r}."
            )
        self.classes_ = classes
        w = None if sample_weight is None else check_sample_weight(sample_weight, X)
        if self.class_weight is not None:
            w = (np.ones(len(y_idx)) if w is None else w) * self._class_weights(y_idx)
        self._fit(X, y_idx.astype(np.float64) if len(classes) == 2 else y_idx, w)
        return self

    def _class_weights(self, y_idx: np.ndarray) -> np.ndarray:
        """Per-row weight of each row's class, shape (n_samples,)."""
        cw, K = self.class_weight, len(self.classes_)
        if isinstance(cw, str) and cw == "balanced":
            # n / (K n_k): every class carries the same total weight
            counts = np.bincount(y_idx, minlength=K)
            return (len(y_idx) / (K * counts))[y_idx]
        if isinstance(cw, dict):
            per_class = np.ones(K)
            for label, weight in cw.items():
                where = np.flatnonzero(self.classes_ == label)
                if where.size == 0:
                    raise ValueError(f"The class_weight names class {label!r}, which is not in y.")
                if not isinstance(weight, numbers.Real) or not weight >= 0:
                    raise ValueError(f"class_weight values must be >= 0; got {weight!r}.")
                per_class[where[0]] = weight
            return per_class[y_idx]
        raise ValueError(f"class_weight must be None, 'balanced' or a dict; got {cw!r}.")

    def _baseline(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        K = len(self.classes_)
        counts = np.bincount(y.astype(np.intp), weights=w, minlength=K).astype(np.float64)
        p = np.clip(counts / counts.sum(), 1e-12, 1 - 1e-12)
        if K == 2:
            return np.array([np.log(p[1] / p[0])])
        logp = np.log(p)
        return logp - logp.mean()

    def _loss_functions(self) -> tuple[Any, Any]:
        if len(self.classes_) == 2:
            return binary_log_loss, binary_log_loss_grad_hess
        return multinomial_log_loss, multinomial_log_loss_grad_hess

    def decision_function(self, X: Any) -> np.ndarray:
        """Raw scores: (n_samples,) logits for two classes, (n_samples, n_classes) otherwise."""
        raw = self._raw_predict(X)
        return raw[:, 0] if raw.shape[1] == 1 else raw

    def _proba(self, raw: np.ndarray) -> np.ndarray:
        if raw.shape[1] == 1:
            p1 = _sigmoid(raw[:, 0])
            return np.column_stack([1.0 - p1, p1])
        return np.exp(_log_softmax(raw))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of shape (n_samples, n_classes)."""
        return self._proba(self._raw_predict(X))

    def _label(self, raw: np.ndarray) -> np.ndarray:
        # from the raw scores, not the rounded probabilities: the sign of a logit near 0 decides
        if raw.shape[1] == 1:
            return self.classes_[(raw[:, 0] > 0).astype(np.intp)]
        return self.classes_[np.argmax(raw, axis=1)]

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row, shape (n_samples,)."""
        return self._label(self._raw_predict(X))

    def staged_predict(self, X: Any) -> Any:
        """Yield the predictions (n_samples,) after each iteration."""
        for raw in self._staged_raw(X):
            yield self._label(raw)


class GradientBoostingRegressor(RegressorMixin, _BaseBoosting):
    """Histogram-based gradient boosting for regression on the half squared error.

    Parameters
    ----------
    loss : {"squared_error"}, default="squared_error"
        :math:`\\ell = \\tfrac12 (y - F)^2`, so :math:`g = F - y` and :math:`h = 1`.
    learning_rate, max_iter, max_leaf_nodes, max_depth, min_samples_leaf, \
l2_regularization, max_bins, early_stopping, validation_fraction, n_iter_no_change, tol, \
random_state
        As in :class:`GradientBoostingClassifier`.

    Attributes
    ----------
    n_iter_ : int
    train_score_, validation_score_ : ndarray
        Negative mean loss per iteration (see :class:`GradientBoostingClassifier`).
    trees_ : list of list of dict
    bin_thresholds_ : list of ndarray
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.ensemble import GradientBoostingRegressor
    >>> X = np.arange(100.0).reshape(-1, 1)
    >>> reg = GradientBoostingRegressor(max_iter=200).fit(X, 2 * X[:, 0])
    >>> bool(abs(reg.predict([[50.0]])[0] - 100) < 5)
    True
    """

    _losses = ("squared_error",)

    def __init__(
        self,
        *,
        loss: str = "squared_error",
        learning_rate: float = 0.1,
        max_iter: int = 100,
        max_leaf_nodes: int | None = 31,
        max_depth: int | None = None,
        min_samples_leaf: int = 20,
        l2_regularization: float = 0.0,
        max_bins: int = 255,
        early_stopping: str | bool = "auto",
        validation_fraction: float | int | None = 0.1,
        n_iter_no_change: int = 10,
        tol: float = 1e-7,
        random_state: Any = None,
    ) -> None:
        super().__init__(
            loss=loss,
            learning_rate=learning_rate,
            max_iter=max_iter,
            max_leaf_nodes=max_leaf_nodes,
            max_depth=max_depth,
            min_samples_leaf=min_samples_leaf,
            l2_regularization=l2_regularization,
            max_bins=max_bins,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            tol=tol,
            random_state=random_state,
        )

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> GradientBoostingRegressor:
        """Fit on ``X`` (n_samples, n_features) and real targets ``y`` (n_samples,).

        ``sample_weight`` (n_samples,) multiplies each row's gradient and hessian (an integer
        weight acts as that many copies of the row); ``min_samples_leaf`` still counts rows.
        """
        X, y = self._validate_data(
            X, y, reset=True, dtype=np.float64, y_numeric=True, ensure_all_finite="allow-nan"
        )
        w = None if sample_weight is None else check_sample_weight(sample_weight, X)
        self._fit(X, np.asarray(y, dtype=np.float64), w)
        return self

    def _baseline(self, y: np.ndarray, w: np.ndarray) -> np.ndarray:
        return np.array([float(np.average(y, weights=w))])

    def _loss_functions(self) -> tuple[Any, Any]:
        return squared_error, squared_error_grad_hess

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets, shape (n_samples,)."""
        return self._raw_predict(X)[:, 0]

    def staged_predict(self, X: Any) -> Any:
        """Yield the predictions (n_samples,) after each iteration."""
        for raw in self._staged_raw(X):
            yield raw[:, 0]
