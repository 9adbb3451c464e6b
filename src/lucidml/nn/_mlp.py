"""Multi-layer perceptron estimators on the network engine (notes §6–§14).

``MLPClassifier`` and ``MLPRegressor`` take scikit-learn's names, so swapping an import is enough,
and train a :class:`~lucidml.nn.NeuralNetwork` underneath: the classifier ends in a sigmoid unit
with the binary log loss (two classes) or a softmax with the cross-entropy (more), the regressor in
identity units with the squared error. The notes' three kinds of gradient descent are the
``batch_size`` (the whole data, one sample, or a mini-batch); ``solver`` picks the update rule.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from .._validation import (
    check_classification_targets,
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    encode_labels,
    unique_labels,
)
from ..base import BaseEstimator, ClassifierMixin, RegressorMixin
from ..exceptions import ConvergenceWarning
from ..optim import (
    SGD,
    Adam,
    EarlyStopping,
    Momentum,
    get_schedule,
    train_validation_split,
)
from .network import NeuralNetwork

__all__ = ["MLPClassifier", "MLPRegressor"]

_ACTIVATIONS = {
    "identity": "identity",
    "logistic": "sigmoid",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "relu",
    "leaky_relu": "leaky_relu",
}
_SOLVERS = ("sgd", "momentum", "adam")
_SCHEDULES = ("constant", "invscaling", "adaptive")


class _BaseMLP(BaseEstimator):
    """Parameters, validation and the training loop shared by both MLP estimators."""

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 1e-4,
        l1: float = 0.0,
        batch_size: Any = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 1e-3,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        dtype: Any = None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.l1 = l1
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.dtype = dtype

    # -- what the subclasses provide -----------------------------------------------------------

    _output_act: str
    _cost: str
    _multi_output: bool

    def _encode_targets(self, y: Any, *, reset: bool, classes: Any = None) -> np.ndarray:
        raise NotImplementedError

    def _validation_score(self, X: np.ndarray, Y: np.ndarray) -> float:
        raise NotImplementedError

    # -- checks -----------------------------------------------------------------------------------

    def _check_params(self) -> tuple[list[int], str, np.dtype]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = [sizes]
        try:
            sizes = list(sizes)
        except TypeError as exc:
            raise ValueError(
                f"hidden_layer_sizes must be an int or a sequence of ints, got {sizes!r}."
            ) from exc
        if any(isinstance(s, bool) or not isinstance(s, numbers.Integral) or s <= 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {self.hidden_layer_sizes}.")
        if self.activation not in _ACTIVATIONS:
            raise ValueError(
                f"The activation '{self.activation}' is not supported. Supported activations are "
                f"{sorted(_ACTIVATIONS)}."
            )
        if self.solver not in _SOLVERS:
            raise ValueError(f"The solver '{self.solver}' is not supported; use one of {_SOLVERS}.")
        if self.learning_rate not in _SCHEDULES:
            raise ValueError(
                f"learning_rate must be one of {_SCHEDULES}, got {self.learning_rate!r}."
            )
        checks = [
            ("alpha", self.alpha, 0.0, False),
            ("l1", self.l1, 0.0, False),
            ("learning_rate_init", self.learning_rate_init, 0.0, True),
            ("tol", self.tol, 0.0, False),
            ("power_t", self.power_t, 0.0, False),
            ("epsilon", self.epsilon, 0.0, True),
        ]
        for name, value, low, strict in checks:
            if (
                not isinstance(value, numbers.Real)
                or not np.isfinite(value)
                or (value <= low if strict else value < low)
            ):
                raise ValueError(f"{name} must be {'>' if strict else '>='} {low}, got {value!r}.")
        for name, value in (
            ("max_iter", self.max_iter),
            ("n_iter_no_change", self.n_iter_no_change),
        ):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        for name, value in (
            ("momentum", self.momentum),
            ("beta_1", self.beta_1),
            ("beta_2", self.beta_2),
        ):
            if not isinstance(value, numbers.Real) or not 0 <= value < 1:
                raise ValueError(f"{name} must be in [0, 1), got {value!r}.")
        if self.early_stopping and not 0 < self.validation_fraction < 1:
            raise ValueError(
                f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}."
            )
        bs = self.batch_size
        if not (
            bs == "auto"
            or (isinstance(bs, numbers.Integral) and not isinstance(bs, bool) and bs >= 1)
        ):
            raise ValueError(f"batch_size must be 'auto' or a positive integer, got {bs!r}.")
        dtype = None if self.dtype is None else np.dtype(self.dtype)
        if dtype is not None and dtype.kind != "f":
            raise ValueError(f"dtype must be None or a floating type, got {self.dtype!r}.")
        return [int(s) for s in sizes], _ACTIVATIONS[self.activation], dtype

    def _make_optimizer(self) -> Any:
        lr: Any = self.learning_rate_init
        if self.learning_rate == "invscaling":
            lr = get_schedule("invscaling", self.learning_rate_init, power_t=self.power_t)
        elif self.learning_rate == "adaptive":
            lr = get_schedule("adaptive", self.learning_rate_init, tol=self.tol)
        if self.solver == "adam":
            return Adam(lr, beta1=self.beta_1, beta2=self.beta_2, epsilon=self.epsilon)
        if self.solver == "momentum" or self.momentum > 0:
            return Momentum(
                lr, momentum=self.momentum or 0.9, nesterov=bool(self.nesterovs_momentum)
            )
        return SGD(lr)

    # -- fitting -----------------------------------------------------------------------------------

    def _fit(
        self, X: Any, y: Any, sample_weight: Any, *, incremental: bool, classes: Any = None
    ) -> _BaseMLP:
        hidden, act, dtype = self._check_params()
        first = not (incremental or self.warm_start) or not hasattr(self, "network_")
        X, y = self._validate_data(
            X, y, reset=first, dtype=(np.float64, np.float32), multi_output=self._multi_output
        )
        Y = self._encode_targets(y, reset=first, classes=classes)
        sw = None
        if sample_weight is not None or getattr(self, "class_weight", None) is not None:
            sw = check_sample_weight(sample_weight, X, dtype=np.float64)
            sw = sw * self._class_weights(Y)
        if dtype is None:  # follow the data: float32 stays float32, anything else is float64
            dtype = X.dtype if first else self.network_.dtype
        X = X.astype(dtype, copy=False)
        Y = Y.astype(dtype, copy=False)
        n, n_out = X.shape[0], Y.shape[1]
        rng = check_random_state(self.random_state) if first else self._rng

        if first:
            self._rng = rng
            init = "glorot"
            self.network_ = NeuralNetwork(
                [X.shape[1], *hidden, n_out],
                act=act,
                output_act=self._output_act,
                cost=self._cost,
                init=init,
                dtype=dtype,
                random_state=rng,
            )
            self._optimizer = self._make_optimizer()
            self._optimizer.init(self.network_._flat)
            self.t_ = 0
            self.best_loss_ = np.inf
        elif self.network_.sizes[-1] != n_out or self.network_.dtype != dtype:
            raise ValueError(
                "warm_start/partial_fit cannot change the number of outputs or the dtype; fit "
                "a new estimator instead."
            )
        net = self.network_
        net.loss_curve_ = list(getattr(self, "loss_curve_", [])) if not first else []
        net.validation_scores_ = (
            list(getattr(self, "validation_scores_", []) or []) if not first else []
        )

        monitor = stopper = None
        X_train, Y_train, sw_train = X, Y, sw
        if self.early_stopping and not incremental:
            labels = y if self._output_act != "identity" else None
            tr, va = train_validation_split(n, self.validation_fraction, rng, stratify=labels)
            X_train, Y_train = X[tr], Y[tr]
            sw_train = None if sw is None else sw[tr]
            X_val, Y_val = X[va], Y[va]

            def monitor() -> float:
                return self._validation_score(net.predict(X_val), Y_val)

            stopper = EarlyStopping(patience=self.n_iter_no_change, tol=self.tol, mode="max")
        elif not incremental:
            stopper = EarlyStopping(
                patience=self.n_iter_no_change, tol=self.tol, mode="min", restore_best=False
            )
        n_train = X_train.shape[0]
        bs = min(200 if self.batch_size == "auto" else self.batch_size, n_train)
        epochs = 1 if incremental else self.max_iter
        stopped = net._train(
            X_train,
            Y_train,
            epochs=epochs,
            batch_size=bs,
            opt=self._optimizer,
            rng=rng,
            record=True,
            shuffle=self.shuffle,
            l1=self.l1,
            l2=self._l2_per_update(bs, sw_train),
            monitor=monitor,
            stopper=stopper,
            verbose=self.verbose,
            sample_weight=sw_train,
        )
        self.loss_curve_ = list(net.loss_curve_)
        self.validation_scores_ = list(net.validation_scores_) if self.early_stopping else None
        self.loss_ = self.loss_curve_[-1]
        self.best_loss_ = min(self.best_loss_, min(self.loss_curve_[-net.n_epochs_ :]))
        if self.early_stopping and self.validation_scores_:
            self.best_validation_score_ = max(self.validation_scores_)
        self.n_iter_ = (getattr(self, "n_iter_", 0) if not first else 0) + net.n_epochs_
        self.t_ += net.n_epochs_ * n_train
        self.n_layers_ = len(net.sizes)
        self.n_outputs_ = n_out
        self.out_activation_ = {
            "sigmoid": "logistic",
            "softmax": "softmax",
            "identity": "identity",
        }[self._output_act]
        if not incremental and not stopped:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the "
                "optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return self

    def _class_weights(self, Y: np.ndarray) -> np.ndarray:
        return np.ones(Y.shape[0])

    def _l2_per_update(self, batch_size: int, sample_weight: np.ndarray | None) -> float:
        """L2 strength per update: ``alpha / (batch_size * mean weight)``.

        scikit-learn's ``alpha / batch_size``; scaling by the mean sample weight makes integer
        weights equivalent to repeated rows.
        """
        mean_w = 1.0 if sample_weight is None else float(np.mean(sample_weight))
        return self.alpha / (batch_size * mean_w) if mean_w > 0 else 0.0

    def _forward(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "network_")
        X = self._validate_data(X, reset=False, dtype=(np.float64, np.float32))
        return self.network_.predict(X.astype(self.network_.dtype, copy=False))

    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weights per layer, shape ``(n_in, n_out)`` as scikit-learn lays them out (copies)."""
        check_is_fitted(self, "network_")
        return [w.T.copy() for w in self.network_.weights]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Biases per layer, shape ``(n_out,)`` (copies)."""
        check_is_fitted(self, "network_")
        return [b[:, 0].copy() for b in self.network_.biases]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        # Stochastic training on float32 by default: results match to float32 rounding.
        tags.non_deterministic = False
        return tags


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier trained by backpropagation (notes §6–§14).

    Two classes end in one sigmoid unit with the binary log loss of notes §9; more classes end in
    a softmax (§2) with the cross-entropy. ``loss_curve_`` records the mean cost plus penalty
    after each epoch.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int
        Neurons per hidden layer.
    activation : {"relu", "tanh", "logistic", "identity", "leaky_relu"}
    solver : {"adam", "sgd", "momentum"}
        Update rule. ``"sgd"`` uses ``momentum`` (0 gives plain SGD), as scikit-learn's does.
    alpha : float
        L2 strength on the weights, scaled like scikit-learn's (``alpha / batch_size`` per update).
    l1 : float
        L1 strength on the weights (per update).
    batch_size : int or "auto"
        ``min(200, n_samples)`` for "auto"; 1 is the notes' stochastic descent, ``n_samples``
        their batch descent.
    learning_rate : {"constant", "invscaling", "adaptive"}
    learning_rate_init, power_t, momentum, nesterovs_momentum, beta_1, beta_2, epsilon
        Optimizer settings (see ``lucidml.optim``).
    max_iter : int
        Epochs at most.
    early_stopping : bool
        Hold out ``validation_fraction`` (stratified) and stop when its accuracy has not improved
        by ``tol`` for ``n_iter_no_change`` epochs; the best weights are restored. Without it,
        training stops when the training loss stops improving the same way.
    class_weight : dict, "balanced" or None
        Weights per class, multiplied into ``sample_weight``.
    dtype : None, str or dtype
        Training precision. None follows the data (float32 input trains in float32, the
        engine's fast path; anything else in float64, as scikit-learn does).
    random_state : int, Generator or None
    verbose : bool
        Progress bar on a terminal.
    warm_start : bool
        Continue from the previous fit.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    network_ : NeuralNetwork
    coefs_, intercepts_ : list of ndarray
        Per layer, scikit-learn's layout.
    loss_curve_ : list of float
    validation_scores_ : list of float or None
        Validation accuracy per epoch with ``early_stopping``.
    n_iter_ : int
        Epochs run.
    """

    _output_act = "softmax"
    _cost = "cross_entropy"
    _multi_output = False

    def __init__(
        self,
        hidden_layer_sizes: Any = (100,),
        activation: str = "relu",
        *,
        solver: str = "adam",
        alpha: float = 1e-4,
        l1: float = 0.0,
        batch_size: Any = "auto",
        learning_rate: str = "constant",
        learning_rate_init: float = 1e-3,
        power_t: float = 0.5,
        max_iter: int = 200,
        shuffle: bool = True,
        random_state: Any = None,
        tol: float = 1e-4,
        verbose: bool = False,
        warm_start: bool = False,
        momentum: float = 0.9,
        nesterovs_momentum: bool = True,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-8,
        n_iter_no_change: int = 10,
        class_weight: Any = None,
        dtype: Any = None,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation,
            solver=solver,
            alpha=alpha,
            l1=l1,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            dtype=dtype,
        )
        self.class_weight = class_weight

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPClassifier:
        """Train on ``X`` (n_samples, n_features) and class labels ``y`` (n_samples,)."""
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> MLPClassifier:
        """One epoch over ``X``, ``y``; ``classes`` (all labels) is required on the first call."""
        if not hasattr(self, "network_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    def _encode_targets(self, y: Any, *, reset: bool, classes: Any = None) -> np.ndarray:
        if y.ndim != 1:
            raise ValueError(
                "MLPClassifier takes one label per sample (y of shape (n_samples,)); multilabel "
                "targets are not supported."
            )
        check_classification_targets(y)
        if reset:
            labels = unique_labels(y if classes is None else np.asarray(classes))[0]
            if labels.size < 2:
                raise ValueError(
                    f"MLPClassifier needs samples of at least 2 classes in the data, but the data "
                    f"contains only one class: {labels[0]!r}."
                )
            self.classes_ = labels
            self._output_act = "sigmoid" if labels.size == 2 else "softmax"
            self._cost = "binary_log_loss" if labels.size == 2 else "cross_entropy"
        idx = encode_labels(y, self.classes_)
        if self.classes_.size == 2:
            return idx[:, None].astype(np.float64)
        return np.eye(self.classes_.size)[idx]

    def _class_weights(self, Y: np.ndarray) -> np.ndarray:
        cw = self.class_weight
        if cw is None:
            return np.ones(Y.shape[0])
        idx = Y[:, 0].astype(int) if Y.shape[1] == 1 else Y.argmax(axis=1)
        k = self.classes_.size
        if cw == "balanced":
            counts = np.bincount(idx, minlength=k).astype(float)
            per_class = np.where(counts > 0, idx.size / (k * np.maximum(counts, 1)), 0.0)
        elif isinstance(cw, dict):
            unknown = set(cw) - set(self.classes_.tolist())
            if unknown:
                raise ValueError(f"class_weight names classes not in y: {sorted(unknown)}.")
            per_class = np.array([float(cw.get(c, 1.0)) for c in self.classes_.tolist()])
        else:
            raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {cw!r}.")
        return per_class[idx]

    def _validation_score(self, P: np.ndarray, Y: np.ndarray) -> float:
        if Y.shape[1] == 1:
            return float(np.mean((P[:, 0] >= 0.5) == (Y[:, 0] >= 0.5)))
        return float(np.mean(P.argmax(axis=1) == Y.argmax(axis=1)))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        P = self._forward(X)
        if P.shape[1] == 1:
            return np.hstack([1 - P, P])
        return P

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log of ``predict_proba`` (clipped away from 0)."""
        P = self.predict_proba(X)
        return np.log(np.maximum(P, np.finfo(P.dtype).tiny))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class per sample."""
        P = self._forward(X)
        idx = (P[:, 0] >= 0.5).astype(int) if P.shape[1] == 1 else P.argmax(axis=1)
        return self.classes_[idx]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = False
        return tags


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor: identity outputs and the squared error (notes §14).

    Parameters are those of :class:`MLPClassifier` (no ``class_weight``). Early stopping monitors
    the validation R². ``y`` may have several columns.
    """

    _output_act = "identity"
    _cost = "squared_error"
    _multi_output = True

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """Train on ``X`` (n_samples, n_features) and targets ``y`` of shape (n_samples[, k])."""
        return self._fit(X, y, sample_weight, incremental=False)

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> MLPRegressor:
        """One epoch over ``X``, ``y``."""
        return self._fit(X, y, sample_weight, incremental=True)

    def _encode_targets(self, y: Any, *, reset: bool, classes: Any = None) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        if reset:
            self._y_1d = y.ndim == 1
        return y[:, None] if y.ndim == 1 else y

    def _validation_score(self, P: np.ndarray, Y: np.ndarray) -> float:
        ss_res = ((Y - P) ** 2).sum(axis=0)
        ss_tot = ((Y - Y.mean(axis=0)) ** 2).sum(axis=0)
        r2 = np.where(ss_tot > 0, 1 - ss_res / np.where(ss_tot > 0, ss_tot, 1), 0.0)
        return float(r2.mean())

    def predict(self, X: Any) -> np.ndarray:
        """Predictions, shape (n_samples,) or (n_samples, n_outputs) as ``y`` was."""
        P = self._forward(X)
        return P[:, 0] if self._y_1d else P

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
