r"""Linear models trained by stochastic gradient descent (notes §8 and §11).

The notes (§8) describe stochastic gradient descent as gradient descent that looks at one or a
few samples per update instead of all of them, and (§11) name its three flavours: *batch* (all
:math:`n` samples per update), *stochastic* (one sample) and *mini-batch* (:math:`b` samples).
:class:`SGDClassifier` (linear SVMs, logistic regression, ...) and :class:`SGDRegressor`
(least squares, Huber, :math:`\epsilon`-insensitive) fit a linear model

.. math:: p(x) = x^\top w + b

by minimising a regularised empirical risk

.. math::

    E(w, b) = \frac{\sum_i s_i \, L(y_i, p(x_i))}{\sum_i \omega_i} + \alpha R(w)

with sample weights :math:`\omega_i` (``sample_weight``, 1 by default), :math:`s_i = \omega_i`
times the class weight of :math:`y_i`, a loss :math:`L` and a penalty :math:`R` (L2, L1 or
elastic net, never applied to :math:`b`). With unit weights this is scikit-learn's objective.

**Mini-batches by default.** scikit-learn updates after every sample, a loop that only runs fast
in compiled code. Here one update looks at a mini-batch :math:`B` of ``batch_size`` samples (32 by
default), so each step is a pair of matrix products. With :math:`W_B = \sum_{i \in B} \omega_i`
(the batch size, for unit weights) and :math:`\tilde x_i = (x_i, 1)`:

.. math::

    g &= \frac{1}{W_B} \sum_{i \in B} s_i \,
         \frac{\partial L}{\partial p}(y_i, p(x_i)) \, \tilde x_i, \qquad
    h = \eta_t \, W_B \\
    (w, b) &\leftarrow (w, b) - h \, g, \qquad
    w \leftarrow \operatorname{prox}_{h \alpha R}(w), \qquad t \leftarrow t + W_B

:math:`g` is the batch's mean gradient, and the step :math:`h` is the sum of the :math:`|B|`
per-sample steps scikit-learn would take: one update is scikit-learn's :math:`|B|` updates, all
computed from the batch's starting weights. So an epoch moves the weights as far as
scikit-learn's, the clock :math:`t` still counts samples (``t_``, the learning-rate schedules
and ``average`` keep scikit-learn's meaning), and ``batch_size=1`` is scikit-learn's algorithm
(but then the loop runs once per sample in Python, which is slow); ``batch_size >= n_samples`` is
batch gradient descent. The rate :math:`\eta_t` is read mid-batch, at
:math:`t + (W_B - 1) / 2`. The penalty is applied by its proximal step (from
:mod:`lucidml.optim.penalties`): shrinking for L2, soft-thresholding for L1 (exact zeros).

**Step cap.** The updates of one batch do not see each other, so a long step overshoots where
scikit-learn's per-sample steps would correct themselves. :math:`\eta_t` is therefore capped at
the mean-square stability limit of a batch update for a loss of curvature :math:`c`
(:func:`_step_cap`; :math:`c = 1` for the hinge and epsilon-insensitive losses, no cap for the
perceptron, which has no scale to overshoot). This matters mostly in the
first epochs of the ``"optimal"`` schedule, whose first rate :math:`\alpha^{-1/4}` is large;
there it also brings the weights much closer to the minimiser of :math:`E` than scikit-learn's
(which, for ``loss="squared_hinge"``, can even blow up).

**Sample weights act as frequencies.** A weight scales its row's gradient and advances the clock
and the penalty by that much, so a weight of 2 behaves like a repeated row (exactly so when one
batch covers the data); rows of weight 0 are dropped before training.

**One-vs-rest, vectorised.** For :math:`K > 2` classes the :math:`K` binary problems "class
:math:`k` against the rest" are solved together: the weights form one
``(n_features, n_classes)`` matrix and each mini-batch updates every column in the same two
matrix products.
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import expit

from .._validation import (
    check_classification_targets,
    check_is_fitted,
    check_random_state,
    check_sample_weight,
)
from ..base import BaseEstimator, ClassifierMixin, RegressorMixin
from ..exceptions import ConvergenceWarning
from ..optim.batching import batch_slices, epoch_permutation, train_validation_split
from ..optim.early_stopping import EarlyStopping
from ..optim.optimizers import SGD
from ..optim.penalties import get_penalty
from ..optim.schedules import Adaptive, Constant, InverseScaling, Schedule

__all__ = ["SGDClassifier", "SGDRegressor"]

_MAX_DLOSS = 1e12  # derivative clip, as scikit-learn, against overflow on unscaled data
_ADAPTIVE_MIN_LR = 1e-6  # "adaptive" stops once the rate would fall below this


# ----------------------------------------------------------------------------------------------
# Losses. Each is elementwise on arrays of shape (m, K): targets ``y`` and predictions ``p``.
# The value and its derivative with respect to ``p`` sit side by side. Classification losses
# take y in {-1, +1} and depend on the margin z = y p; regression losses on the residual
# r = p - y. ``eps`` is the regression losses' epsilon (ignored by the others).
# ----------------------------------------------------------------------------------------------


def _hinge(y: np.ndarray, p: np.ndarray, eps: float = 0.0, threshold: float = 1.0) -> np.ndarray:
    # L = max(0, threshold - y p)
    return np.maximum(threshold - y * p, 0.0)


def _hinge_grad(
    y: np.ndarray, p: np.ndarray, eps: float = 0.0, threshold: float = 1.0
) -> np.ndarray:
    # dL/dp = -y where y p <= threshold (the subgradient -y at the kink), else 0
    return np.where(y * p <= threshold, -y, 0.0).astype(p.dtype, copy=False)


def _perceptron(y: np.ndarray, p: np.ndarray, eps: float = 0.0) -> np.ndarray:
    return _hinge(y, p, threshold=0.0)


def _perceptron_grad(y: np.ndarray, p: np.ndarray, eps: float = 0.0) -> np.ndarray:
    return _hinge_grad(y, p, threshold=0.0)


def _squared_hinge(y: np.ndarray, p: np.ndarray, eps: float = 0.0) -> np.ndarray:
    # L = max(0, 1 - y p)^2
    return np.square(np.maximum(1.0 - y * p, 0.0))


def _squared_hinge_grad(y: np.ndarray, p: np.ndarray, eps: float = 0.0) -> np.ndarray:
    # dL/dp = -2 y max(0, 1 - y p)
    return -2.0 * y * np.maximum(1.0 - y * p, 0.0)


def _log_loss(y: np.ndarray, p: np.ndarray, eps: float = 0.0) -> np.ndarray:
    # L = log(1 + exp(-y p)), computed without overflow
    return np.logaddexp(0.0, -y * p)


def _log_loss_grad(y: np.ndarray, p: np.ndarray, eps: float = 0.0) -> np.ndarray:
    # dL/dp = -y sigma(-y p)
    return -y * expit(-y * p)


def _modified_huber(y: np.ndarray, p: np.ndarray, eps: float = 0.0) -> np.ndarray:
    # L = max(0, 1 - z)^2 for z >= -1, -4 z otherwise (z = y p)
    z = y * p
    return np.where(z >= -1.0, np.square(np.maximum(1.0 - z, 0.0)), -4.0 * z)


def _modified_huber_grad(y: np.ndarray, p: np.ndarray, eps: float = 0.0) -> np.ndarray:
    # dL/dp = -2 y max(0, 1 - z) for z >= -1, -4 y otherwise
    z = y * p
    return np.where(z >= -1.0, -2.0 * y * np.maximum(1.0 - z, 0.0), -4.0 * y)


def _squared_error(y: np.ndarray, p: np.ndarray, eps: float = 0.0) -> np.ndarray:
    # L = (p - y)^2 / 2
    return 0.5 * np.square(p - y)


def _squared_error_grad(y: np.ndarray, p: np.ndarray, eps: float = 0.0) -> np.ndarray:
    # dL/dp = p - y
    return p - y


def _huber(y: np.ndarray, p: np.ndarray, eps: float = 0.1) -> np.ndarray:
    # L = r^2 / 2 for |r| <= eps, eps |r| - eps^2 / 2 otherwise
    a = np.abs(p - y)
    return np.where(a <= eps, 0.5 * a * a, eps * a - 0.5 * eps * eps)


def _huber_grad(y: np.ndarray, p: np.ndarray, eps: float = 0.1) -> np.ndarray:
    # dL/dp = clip(r, -eps, eps)
    return np.clip(p - y, -eps, eps)


def _epsilon_insensitive(y: np.ndarray, p: np.ndarray, eps: float = 0.1) -> np.ndarray:
    # L = max(0, |r| - eps)
    return np.maximum(np.abs(p - y) - eps, 0.0)


def _epsilon_insensitive_grad(y: np.ndarray, p: np.ndarray, eps: float = 0.1) -> np.ndarray:
    # dL/dp = sign(r) where |r| > eps, else 0
    r = p - y
    return np.where(np.abs(r) > eps, np.sign(r), 0.0).astype(p.dtype, copy=False)


def _squared_epsilon_insensitive(y: np.ndarray, p: np.ndarray, eps: float = 0.1) -> np.ndarray:
    # L = max(0, |r| - eps)^2
    return np.square(np.maximum(np.abs(p - y) - eps, 0.0))


def _squared_epsilon_insensitive_grad(y: np.ndarray, p: np.ndarray, eps: float = 0.1) -> np.ndarray:
    # dL/dp = 2 sign(r) max(0, |r| - eps)
    r = p - y
    return 2.0 * np.sign(r) * np.maximum(np.abs(r) - eps, 0.0)


_LossPair = tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]

_REGRESSION_LOSSES: dict[str, _LossPair] = {
    "squared_error": (_squared_error, _squared_error_grad),
    "huber": (_huber, _huber_grad),
    "epsilon_insensitive": (_epsilon_insensitive, _epsilon_insensitive_grad),
    "squared_epsilon_insensitive": (
        _squared_epsilon_insensitive,
        _squared_epsilon_insensitive_grad,
    ),
}

_CLASSIFICATION_LOSSES: dict[str, _LossPair] = {
    "hinge": (_hinge, _hinge_grad),
    "log_loss": (_log_loss, _log_loss_grad),
    "modified_huber": (_modified_huber, _modified_huber_grad),
    "squared_hinge": (_squared_hinge, _squared_hinge_grad),
    "perceptron": (_perceptron, _perceptron_grad),
    **_REGRESSION_LOSSES,
}

# c in the step cap (_step_cap): the bound on each loss's second derivative. The piecewise-linear
# hinge and epsilon-insensitive losses get c = 1, the curvature of their smoothed versions of unit
# width (modified Huber is a smoothed hinge): a batch step then moves the predictions by about one
# margin at most. The perceptron has no margin, so no scale to overshoot (scaling every step
# scales w and leaves the predictions alone): it is not capped (c = 0).
_CURVATURE = {
    "hinge": 1.0,
    "perceptron": 0.0,
    "log_loss": 0.25,
    "modified_huber": 2.0,
    "squared_hinge": 2.0,
    "squared_error": 1.0,
    "huber": 1.0,
    "epsilon_insensitive": 1.0,
    "squared_epsilon_insensitive": 2.0,
}

_LEARNING_RATES = ("optimal", "constant", "invscaling", "adaptive")
_PENALTIES = ("l2", "l1", "elasticnet", None)


class _Optimal(Schedule):
    """scikit-learn's ``"optimal"`` rate (Bottou's heuristic for an L2-regularised risk).

    .. math::

        \\eta_t = \\frac{1}{\\alpha (t_0 + t)}, \\qquad
        t_0 = \\frac{1}{\\alpha \\, \\eta_{\\text{init}}}

    so that :math:`\\eta_0 = \\eta_{\\text{init}}`; :math:`t` counts the updates already made.

    Parameters
    ----------
    alpha : float
        The penalty strength :math:`\\alpha > 0`.
    eta_init : float
        The first rate :math:`\\eta_{\\text{init}} > 0`.
    """

    name = "optimal"

    def __init__(self, alpha: float, eta_init: float) -> None:
        super().__init__(eta_init)
        self.alpha = float(alpha)
        self.t0 = 1.0 / (self.alpha * self.learning_rate)

    def _settings(self) -> dict[str, Any]:
        return {"alpha": self.alpha, "eta_init": self.learning_rate}

    def __call__(self, t: int) -> float:
        return 1.0 / (self.alpha * (self.t0 + t))


# ----------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------


def _param_error(est: Any, name: str, expected: str, value: Any) -> ValueError:
    return ValueError(
        f"The {name!r} parameter of {type(est).__name__} must be {expected}. Got {value!r} instead."
    )


def _check_real(
    est: Any,
    name: str,
    value: Any,
    low: float = -math.inf,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
) -> None:
    kind = numbers.Integral if integer else numbers.Real
    right = ")" if high_open or high == math.inf else "]"
    interval = f"{'(' if low_open else '['}{low:g}, {high:g}{right}"
    expected = f"{'an int' if integer else 'a float'} in the range {interval}"
    if isinstance(value, bool) or not isinstance(value, kind) or not math.isfinite(value):
        raise _param_error(est, name, expected, value)
    v = float(value)
    if (v <= low if low_open else v < low) or (v >= high if high_open else v > high):
        raise _param_error(est, name, expected, value)


def _step_cap(
    X: np.ndarray, S: np.ndarray, sw: np.ndarray, fit_intercept: bool, b: int, c: float
) -> float:
    r"""Largest rate :math:`\eta` that keeps mini-batch updates stable (the step cap).

    For a loss with second derivative at most :math:`c`, one update on a batch multiplies the
    error by :math:`I - \eta H_B`, :math:`H_B = c \sum_{i \in B} s_i \tilde x_i \tilde x_i^\top`.
    It shrinks on average (in mean square) when roughly

    .. math:: \eta \le \frac{1}{c \, (q + \bar b \lambda)}, \qquad
              q = \frac{\sum_i s_i \lVert \tilde x_i \rVert^2}{\sum_i \omega_i}, \quad
              \lambda = \lambda_{\max}\Big(\frac{\sum_i s_i \tilde x_i \tilde x_i^\top}
                  {\sum_i \omega_i}\Big)

    with :math:`\bar b` the mean weight of a batch: :math:`q` is the per-sample limit (the one
    scikit-learn's per-sample SGD lives with) and :math:`\bar b \lambda` the extra curvature of
    :math:`\bar b` samples pulling the same way. :math:`\lambda` comes from 30 power
    iterations on at most about 2,000 evenly spaced rows. Returns ``inf`` when ``c == 0``.

    Parameters
    ----------
    X : ndarray of shape (n, d)
    S : ndarray of shape (n, 1) or (n, K)
        Weights :math:`s_i` (the largest over the K columns is used).
    sw : ndarray of shape (n,)
        Sample weights :math:`\omega_i`.
    fit_intercept : bool
        Append the constant feature 1 to :math:`x`.
    b : int
        Batch size.
    c : float
        Bound on the loss's second derivative.

    Returns
    -------
    float
    """
    if c <= 0.0:
        return math.inf
    step = max(1, X.shape[0] // 2048)
    Xs = np.asarray(X[::step], dtype=np.float64)
    if fit_intercept:
        Xs = np.hstack([Xs, np.ones((Xs.shape[0], 1))])
    s = np.asarray(S[::step], dtype=np.float64).max(axis=1)
    total = float(np.sum(sw[::step]))
    with np.errstate(over="ignore", invalid="ignore"):
        q = float(s @ np.einsum("ij,ij->i", Xs, Xs)) / total
        v = np.ones(Xs.shape[1]) / math.sqrt(Xs.shape[1])
        lam = 0.0
        for _ in range(30):  # power iteration on the weighted second-moment matrix
            u = Xs.T @ (s * (Xs @ v)) / total
            lam = float(np.linalg.norm(u))
            if not lam > 0.0 or not math.isfinite(lam):
                break
            v = u / lam
    if not (math.isfinite(q) and math.isfinite(lam)):
        raise ValueError(
            "The squared norms of the samples overflow, so no stable learning rate exists. "
            "Scale the input data, e.g. with StandardScaler or MinMaxScaler."
        )
    mean_batch = b * total / Xs.shape[0]
    return 1.0 / (c * (q + mean_batch * lam)) if q > 0 else math.inf


def _progress(total: int, verbose: Any) -> Any:
    """A tqdm bar over epochs when ``verbose`` asks for one and stderr is a terminal."""
    if not verbose or not sys.stderr.isatty():
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="epoch", leave=False, mininterval=0.25)


# ----------------------------------------------------------------------------------------------
# Shared engine
# ----------------------------------------------------------------------------------------------


class _BaseSGD(BaseEstimator):
    """Parameter checks and the mini-batch training loop shared by both estimators."""

    _losses: dict[str, _LossPair] = {}

    # -- parameters -----------------------------------------------------------------------------

    def _check_params(self, for_partial_fit: bool = False) -> None:
        if not isinstance(self.loss, str) or self.loss not in self._losses:
            raise _param_error(self, "loss", f"a str among {sorted(self._losses)}", self.loss)
        if self.penalty not in _PENALTIES:
            raise _param_error(
                self, "penalty", "a str among {'l2', 'l1', 'elasticnet'} or None", self.penalty
            )
        if not isinstance(self.learning_rate, str) or self.learning_rate not in _LEARNING_RATES:
            raise _param_error(
                self, "learning_rate", f"a str among {list(_LEARNING_RATES)}", self.learning_rate
            )
        _check_real(self, "alpha", self.alpha, 0.0)
        _check_real(self, "l1_ratio", self.l1_ratio, 0.0, 1.0)
        _check_real(self, "max_iter", self.max_iter, 1, integer=True)
        if self.tol is not None:
            _check_real(self, "tol", self.tol, 0.0)
        _check_real(self, "eta0", self.eta0, 0.0)
        _check_real(self, "power_t", self.power_t, 0.0)
        _check_real(self, "epsilon", self.epsilon, 0.0)
        _check_real(self, "validation_fraction", self.validation_fraction, 0.0, 1.0, True, True)
        _check_real(self, "n_iter_no_change", self.n_iter_no_change, 1, integer=True)
        _check_real(self, "batch_size", self.batch_size, 1, integer=True)
        for name in ("fit_intercept", "shuffle", "early_stopping", "warm_start"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise _param_error(self, name, "an instance of 'bool'", getattr(self, name))
        if not isinstance(self.average, (bool, np.bool_)):
            _check_real(self, "average", self.average, 0, integer=True)
        if self.learning_rate == "optimal" and self.alpha == 0:
            raise ValueError(
                "alpha must be > 0 since learning_rate is 'optimal'. alpha is used to compute "
                "the optimal learning rate."
            )
        if self.learning_rate != "optimal" and self.eta0 <= 0:
            raise ValueError(
                f"eta0 must be > 0 with learning_rate={self.learning_rate!r}, got {self.eta0!r}."
            )
        if for_partial_fit and self.early_stopping:
            raise ValueError("early_stopping should be False with partial_fit")

    def _loss_pair(self) -> tuple[Callable[..., np.ndarray], Callable[..., np.ndarray]]:
        return self._losses[self.loss]

    def _schedule(self, for_partial_fit: bool) -> Schedule:
        """The learning-rate schedule for one call to ``fit`` or ``partial_fit``."""
        if self.learning_rate == "optimal":
            # Bottou's heuristic: a typical weight size, and the rate that would move it by one.
            typw = math.sqrt(1.0 / math.sqrt(self.alpha))
            _, grad = self._loss_pair()
            d = float(grad(np.ones(1), np.full(1, -typw), float(self.epsilon))[0])
            return _Optimal(self.alpha, typw / max(1.0, d))
        if self.learning_rate == "invscaling":
            return InverseScaling(self.eta0, power_t=self.power_t)
        if self.learning_rate == "adaptive" and not for_partial_fit and self.tol is not None:
            return Adaptive(
                self.eta0,
                factor=0.2,
                patience=self.n_iter_no_change,
                tol=self.tol,
                min_lr=_ADAPTIVE_MIN_LR,
                mode="max" if self.early_stopping else "min",
            )
        return Constant(self.eta0)

    def _average_start(self) -> int:
        """The number of samples seen from which the weights are averaged (0 = never)."""
        if isinstance(self.average, (bool, np.bool_)):
            return 1 if self.average else 0
        return int(self.average)

    # -- the loop -------------------------------------------------------------------------------

    def _sgd(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        S: np.ndarray,
        sw: np.ndarray,
        params: np.ndarray,
        *,
        n_epochs: int,
        rng: np.random.Generator,
        schedule: Schedule,
        stop: bool,
        validation: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> int:
        r"""Run up to ``n_epochs`` epochs of mini-batch SGD on ``params`` in place.

        One update on the mini-batch :math:`B` with sample-weight total
        :math:`W_B = \sum_{i \in B} \omega_i` is

        .. math::

            h = \eta(t + (W_B - 1) / 2) \, W_B, \qquad
            (w, b) \leftarrow (w, b) - \frac{h}{W_B} \sum_{i \in B} s_i
                \frac{\partial L}{\partial p}(y_i, p_i) \, (x_i, 1), \qquad
            w \leftarrow \operatorname{prox}_{h \alpha R}(w), \qquad t \leftarrow t + W_B

        with :math:`\eta` the schedule (read mid-batch, capped by :func:`_step_cap`) and
        :math:`t` the weighted count of samples seen. With unit weights this is the sum of
        scikit-learn's :math:`|B|` per-sample updates, all taken from the batch's starting point.

        Parameters
        ----------
        X : ndarray of shape (n, d)
            Training samples (float32 or float64, C order).
        Y : ndarray of shape (n, K)
            Targets: +1/-1 per one-vs-rest column for classification, values for regression.
        S : ndarray of shape (n, 1) or (n, K)
            :math:`s_i`: sample weights times class weights.
        sw : ndarray of shape (n,)
            :math:`\omega_i`: sample weights alone (the clock and the penalty count these).
        params : ndarray of shape (d + fit_intercept, K)
            The weights :math:`w` (first ``d`` rows) and the intercept :math:`b` (last row when
            ``fit_intercept``), updated in place.
        n_epochs : int
            Maximum number of passes over the data.
        rng : numpy.random.Generator
            Source of the shuffling.
        schedule : Schedule
            The learning rate :math:`\eta(t)`.
        stop : bool
            Apply the stopping rule (``tol``, ``n_iter_no_change``) after each epoch.
        validation : tuple (X_val, y_val, sw_val), optional
            Held-out data scored after each epoch (``early_stopping``).

        Returns
        -------
        int
            The number of epochs run.
        """
        n, d = X.shape
        K = Y.shape[1]
        fit_intercept = params.shape[0] == d + 1
        loss_fn, grad_fn = self._loss_pair()
        eps = float(self.epsilon)
        W = params[:d]  # (d, K) view: the penalised part
        penalty = get_penalty(self.penalty, float(self.alpha), float(self.l1_ratio))
        opt = SGD(learning_rate=1.0).init(params)
        t = float(self.t_) - 1.0  # weighted count of samples seen
        b = min(int(self.batch_size), n)
        eta_max = _step_cap(X, S, sw, fit_intercept, b, _CURVATURE[self.loss])
        avg_start = self._average_start()
        avg = getattr(self, "_average_params_", None) if avg_start else None
        n_avg = int(getattr(self, "_average_count_", 0))
        if avg_start and (avg is None or avg.shape != params.shape):
            avg, n_avg = params.copy(), 0

        # Buffers, allocated once: X with a column of ones (the intercept folded into the
        # weights), permuted once per epoch so that every mini-batch is a view.
        Xp = np.empty((n, d + int(fit_intercept)), dtype=X.dtype)
        if fit_intercept:
            Xp[:, d] = 1.0
        Yp, Sp, swp = np.empty_like(Y), np.empty_like(S), np.empty_like(sw)
        perm = np.arange(n)
        grad = np.empty_like(params)
        tmp = np.empty_like(params) if avg_start else None
        slices = batch_slices(n, b)
        starts = np.arange(0, n, b)
        sw_total = float(sw.sum())
        track_loss = stop and validation is None
        stopper = None
        if stop and not isinstance(schedule, Adaptive):
            stopper = EarlyStopping(
                patience=int(self.n_iter_no_change),
                tol=float(self.tol),
                mode="max" if validation is not None else "min",
                restore_best=False,
            )
        bar = _progress(n_epochs, getattr(self, "verbose", 0))
        epoch = 0
        try:
            with np.errstate(over="ignore", invalid="ignore", under="ignore"):
                for epoch in range(1, n_epochs + 1):
                    if self.shuffle or epoch == 1:
                        epoch_permutation(n, rng, shuffle=self.shuffle, out=perm)
                        np.take(X, perm, axis=0, out=Xp[:, :d])
                        np.take(Y, perm, axis=0, out=Yp)
                        np.take(S, perm, axis=0, out=Sp)
                        np.take(sw, perm, out=swp)
                        batch_weight = np.add.reduceat(swp, starts).tolist()  # W_B
                    total_loss = 0.0
                    for sl, wb in zip(slices, batch_weight, strict=True):
                        Xb, Yb, Sb = Xp[sl], Yp[sl], Sp[sl]
                        P = Xb @ params  # (m, K) decision values
                        if track_loss:
                            total_loss += float((Sb * loss_fn(Yb, P, eps)).sum())
                        D = grad_fn(Yb, P, eps)  # dL/dp, (m, K)
                        np.multiply(D, Sb, out=D)
                        np.clip(D, -_MAX_DLOSS, _MAX_DLOSS, out=D)
                        np.matmul(Xb.T, D, out=grad)  # sum of per-sample gradients
                        eta = min(schedule(t + 0.5 * max(wb - 1.0, 0.0)), eta_max)
                        opt.learning_rate = eta
                        opt.step(params, grad)  # (w, b) -= eta * sum
                        penalty.prox(W, eta * wb)  # w <- prox_{h alpha R}(w)
                        t += wb
                        if avg_start and t >= avg_start:
                            n_avg += 1  # running mean of the iterates (averaged SGD)
                            np.subtract(params, avg, out=tmp)
                            np.multiply(tmp, 1.0 / n_avg, out=tmp)
                            np.add(avg, tmp, out=avg)
                    if bar is not None:
                        bar.update(1)
                    if not (np.all(np.isfinite(params)) and math.isfinite(total_loss)):
                        raise ValueError(
                            f"Floating-point under-/overflow occurred at epoch #{epoch}. Scaling "
                            "input data with StandardScaler or MinMaxScaler might help."
                        )
                    if not stop:
                        continue
                    if validation is not None:
                        score = self._validation_score(params, *validation)
                    else:  # the epoch's objective E, averaged over the K columns
                        score = (total_loss / sw_total + penalty.value(W)) / K
                    if isinstance(schedule, Adaptive):
                        schedule.update(score)  # divides the rate by 5 when it stalls
                        if schedule.exhausted:
                            break
                    elif stopper is not None and stopper.update(score):
                        break
        finally:
            if bar is not None:
                bar.close()
        self.t_ = t + 1.0
        if avg_start:
            self._average_params_ = avg
            self._average_count_ = n_avg
        return epoch

    def _coef_params(self) -> np.ndarray:
        """The parameters to report: the averaged ones once averaging has started."""
        if self._average_start() and getattr(self, "_average_count_", 0) > 0:
            return self._average_params_
        return self._params_

    def _init_params(
        self, n_features: int, K: int, dtype: Any, coef_init: Any, intercept_init: Any
    ) -> None:
        """Allocate ``_params_`` of shape (n_features + fit_intercept, K), zeros or given."""
        rows = n_features + int(self.fit_intercept)
        params = np.zeros((rows, K), dtype=dtype)
        if coef_init is not None:
            c = np.asarray(coef_init, dtype=dtype)
            if c.size != n_features * K:
                raise ValueError(
                    f"Provided coef_init does not match dataset: expected shape "
                    f"{(K, n_features) if K > 1 else (n_features,)}, got {c.shape}."
                )
            params[:n_features] = c.reshape(K, n_features).T
        if intercept_init is not None and self.fit_intercept:
            b = np.asarray(intercept_init, dtype=dtype).reshape(-1)
            if b.size != K:
                raise ValueError(
                    f"Provided intercept_init does not match dataset: expected {K} value(s), "
                    f"got {b.size}."
                )
            params[n_features] = b
        self._params_ = params
        for name in ("_average_params_", "_average_count_"):
            if hasattr(self, name):
                delattr(self, name)

    def _train(
        self, X: np.ndarray, y: np.ndarray, sw: np.ndarray, n_epochs: int, fitting: bool
    ) -> None:
        """Drop zero-weight rows, build targets and weights, run the loop, publish ``coef_``.

        ``y`` holds class indices (classifier) or target values (regressor).
        """
        keep = sw > 0
        if not np.all(keep):
            X, y, sw = X[keep], y[keep], sw[keep]
        rng = check_random_state(self.random_state)
        Y, S = self._targets(y, sw, X.dtype)
        validation = None
        if fitting and self.early_stopping:
            stratify = y if isinstance(self, ClassifierMixin) else None
            tr, va = train_validation_split(len(y), self.validation_fraction, rng, stratify)
            validation = (X[va], y[va], sw[va])
            X, Y, S, sw = X[tr], Y[tr], S[tr], sw[tr]
        self.n_iter_ = self._sgd(
            X,
            Y,
            S,
            sw,
            self._params_,
            n_epochs=n_epochs,
            rng=rng,
            schedule=self._schedule(for_partial_fit=not fitting),
            stop=fitting and self.tol is not None,
            validation=validation,
        )
        self._publish(X.shape[1])

    def _warn_if_not_converged(self) -> None:
        if self.tol is not None and self.n_iter_ == self.max_iter:
            warnings.warn(
                "Maximum number of iteration reached before convergence. Consider increasing "
                "max_iter to improve the fit.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _decision(self, X: Any) -> np.ndarray:
        """Decision values of shape (n_samples, K) from the reported ``coef_``/``intercept_``."""
        check_is_fitted(self)
        X = self._validate_data(X, reset=False, dtype=(np.float64, np.float32))
        coef = np.atleast_2d(self.coef_)
        return X @ coef.T + self.intercept_

    def _publish(self, n_features: int) -> None:
        """Set ``coef_`` and ``intercept_`` from the (possibly averaged) parameters."""
        params = self._coef_params()
        coef = np.ascontiguousarray(params[:n_features].T)  # (K, d)
        intercept = (
            params[n_features].copy()
            if self.fit_intercept
            else np.zeros(params.shape[1], dtype=params.dtype)
        )
        self._set_coef(coef, intercept)

    @staticmethod
    def _sample_weight(sample_weight: Any, X: np.ndarray) -> np.ndarray:
        """Validated weights of shape (n_samples,): finite, non-negative, not all zero."""
        sw = check_sample_weight(sample_weight, X, dtype=np.float64)
        if not np.any(sw > 0):  # a scalar 0 passes check_sample_weight
            raise ValueError("Sample weights must contain at least one non-zero number.")
        return sw


# ----------------------------------------------------------------------------------------------
# Classifier
# ----------------------------------------------------------------------------------------------


class SGDClassifier(ClassifierMixin, _BaseSGD):
    r"""Linear classifier (SVM, logistic regression, ...) trained by mini-batch SGD.

    Solves one binary problem for two classes, or :math:`K` one-vs-rest problems for
    :math:`K > 2` classes, all updated together as one ``(n_features, n_classes)`` weight
    matrix. Each binary problem has targets :math:`y \in \{-1, +1\}`, decision value
    :math:`p = x^\top w + b` and margin :math:`z = y p`, and minimises (notes §8)

    .. math::

        E(w, b) = \frac{\sum_i s_i L(y_i, p_i)}{\sum_i \omega_i} + \alpha R(w)

    (:math:`\omega_i` the sample weights, :math:`s_i` those times the class weights) with one
    update per mini-batch :math:`B` of total weight :math:`W_B = \sum_{i \in B} \omega_i`
    (notes §11):

    .. math::

        (w, b) \leftarrow (w, b) - \eta_t \sum_{i \in B} s_i
            \frac{\partial L}{\partial p}(y_i, p_i) \, (x_i, 1), \qquad
        w \leftarrow \operatorname{prox}_{\eta_t W_B \alpha R}(w), \qquad t \leftarrow t + W_B,

    that is, scikit-learn's :math:`|B|` per-sample steps taken together from the batch's
    starting point (see the module docstring).

    The losses :math:`L(y, p)` and their derivatives :math:`\partial L / \partial p`:

    * ``"hinge"`` (linear SVM): :math:`\max(0, 1 - z)`; :math:`-y` if :math:`z \le 1`, else 0.
    * ``"log_loss"`` (logistic regression, notes §9): :math:`\log(1 + e^{-z})`;
      :math:`-y \, \sigma(-z)`.
    * ``"modified_huber"``: :math:`\max(0, 1 - z)^2` for :math:`z \ge -1`, else :math:`-4z`;
      :math:`-2y \max(0, 1 - z)` for :math:`z \ge -1`, else :math:`-4y`.
    * ``"squared_hinge"``: :math:`\max(0, 1 - z)^2`; :math:`-2y \max(0, 1 - z)`.
    * ``"perceptron"``: :math:`\max(0, -z)`; :math:`-y` if :math:`z \le 0`, else 0.

    The regression losses of :class:`SGDRegressor` are accepted too, applied to the
    :math:`\pm 1` targets.

    Parameters
    ----------
    loss : str, default="hinge"
        ``"hinge"``, ``"log_loss"``, ``"modified_huber"``, ``"squared_hinge"``,
        ``"perceptron"``, or a regression loss (``"squared_error"``, ``"huber"``,
        ``"epsilon_insensitive"``, ``"squared_epsilon_insensitive"``).
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        :math:`R(w)`: :math:`\tfrac12\lVert w\rVert_2^2`, :math:`\lVert w\rVert_1` or
        :math:`\rho\lVert w\rVert_1 + \tfrac{1-\rho}{2}\lVert w\rVert_2^2`, applied by its
        proximal step.
    alpha : float, default=1e-4
        Penalty strength :math:`\alpha \ge 0` (> 0 with ``learning_rate="optimal"``).
    l1_ratio : float, default=0.15
        The elastic-net mixing :math:`\rho \in [0, 1]`.
    fit_intercept : bool, default=True
        Learn the intercept :math:`b` (never penalised).
    max_iter : int, default=1000
        Maximum number of epochs (passes over the data).
    tol : float or None, default=1e-3
        Stopping rule: training stops when the epoch's objective :math:`E` (averaged over the
        one-vs-rest problems) has not fallen below the best so far minus ``tol`` for
        ``n_iter_no_change`` consecutive epochs; with ``early_stopping``, when the validation
        accuracy has not risen above the best plus ``tol``. None: always run ``max_iter``.
    shuffle : bool, default=True
        Shuffle the samples before every epoch.
    verbose : int, default=0
        Show a progress bar (tqdm) over epochs when standard error is a terminal.
    epsilon : float, default=0.1
        The :math:`\epsilon` of the Huber and epsilon-insensitive losses.
    n_jobs : int or None, default=None
        Accepted for compatibility with scikit-learn and ignored: the one-vs-rest problems
        are already solved together in one set of matrix products.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the shuffling and of the validation split.
    learning_rate : {"optimal", "constant", "invscaling", "adaptive"}, default="optimal"
        The rate :math:`\eta_t`, with :math:`t` the number of samples already seen (as in
        scikit-learn), read mid-batch and capped at the stability limit of a batch update:

        * ``"optimal"``: :math:`\eta_t = 1 / (\alpha (t_0 + t))`, with :math:`t_0` chosen by
          Bottou's heuristic so that :math:`\eta_0 = \alpha^{-1/4}` (scikit-learn's rule);
        * ``"constant"``: :math:`\eta_t = \eta_0`;
        * ``"invscaling"``: :math:`\eta_t = \eta_0 / (t + 1)^{\text{power\_t}}`;
        * ``"adaptive"``: :math:`\eta_0`, divided by 5 each time the stopping rule would
          stop; training stops once the rate reaches :math:`10^{-6}`.
    eta0 : float, default=0.01
        The initial rate :math:`\eta_0` of the ``"constant"``, ``"invscaling"`` and
        ``"adaptive"`` schedules (> 0 for them).
    power_t : float, default=0.5
        Exponent of ``"invscaling"`` (>= 0).
    early_stopping : bool, default=False
        Hold out a stratified ``validation_fraction`` of the data and stop on its accuracy.
        The weights of the last epoch are kept, as in scikit-learn.
    validation_fraction : float, default=0.1
        Share of the data held out with ``early_stopping``, in (0, 1).
    n_iter_no_change : int, default=5
        Epochs without improvement before stopping (or reducing an adaptive rate).
    class_weight : dict, "balanced" or None, default=None
        Weight of each class, multiplied into the sample weights. With one-vs-rest, the
        positive samples of problem :math:`k` get weight ``class_weight[k]`` and the negative
        ones 1, as in scikit-learn. ``"balanced"`` gives
        :math:`n / (K \, n_k)` for class :math:`k` of :math:`n_k` samples.
    warm_start : bool, default=False
        Start ``fit`` from the previous ``coef_`` and ``intercept_``.
    average : bool or int, default=False
        Averaged SGD: report the running mean of the weights after each update, once
        ``average`` samples have been seen (``True``: from the start).
    batch_size : int, default=32
        Samples per update :math:`|B|` (this parameter is not in scikit-learn, which always
        uses 1). ``1`` is scikit-learn's per-sample SGD but loops over samples in Python and
        is slow; a value ``>= n_samples`` is batch gradient descent.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights :math:`w` (one row for two classes).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts :math:`b`.
    n_iter_ : int
        Number of epochs run by the last ``fit`` (1 after ``partial_fit``).
    t_ : float
        Number of samples seen (weighted by ``sample_weight``) since the last ``fit``, plus
        one: scikit-learn's ``n_iter_ * n_samples + 1`` for unit weights.
    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when ``X`` was a DataFrame with string column names.

    Notes
    -----
    Differences from scikit-learn's ``SGDClassifier``: mini-batches (``batch_size``), whose
    updates do not see each other, with a step cap; the penalty applied
    by its proximal step (L1 by soft-thresholding instead of the cumulative truncated
    gradient); sample weights act as frequencies (zero-weight rows are dropped); the stopping
    objective is weighted and includes the penalty; one stopping rule, on the mean objective,
    shared by the one-vs-rest problems (scikit-learn stops each one separately).

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.linear_model import SGDClassifier
    >>> X = np.array([[-2.0, -1.0], [-1.0, -1.0], [1.0, 1.0], [2.0, 1.0]])
    >>> clf = SGDClassifier(random_state=0).fit(X, [0, 0, 1, 1])
    >>> clf.predict([[-0.8, -1.0], [3.0, 2.0]]).tolist()
    [0, 1]
    """

    _losses = _CLASSIFICATION_LOSSES

    def __init__(
        self,
        loss: str = "hinge",
        *,
        penalty: str | None = "l2",
        alpha: float = 1e-4,
        l1_ratio: float = 0.15,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float | None = 1e-3,
        shuffle: bool = True,
        verbose: int = 0,
        epsilon: float = 0.1,
        n_jobs: int | None = None,
        random_state: Any = None,
        learning_rate: str = "optimal",
        eta0: float = 0.01,
        power_t: float = 0.5,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 5,
        class_weight: Any = None,
        warm_start: bool = False,
        average: bool | int = False,
        batch_size: int = 32,
    ) -> None:
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.epsilon = epsilon
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start
        self.average = average
        self.batch_size = batch_size

    # -- data preparation -----------------------------------------------------------------------

    def _validate_xy(self, X: Any, y: Any, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        X, y = self._validate_data(X, y, reset=reset, dtype=(np.float64, np.float32), order="C")
        check_classification_targets(y)
        return X, y

    def _class_weights(self, y_idx: np.ndarray, sw: np.ndarray) -> np.ndarray:
        """One weight per class, shape (n_classes,)."""
        K = len(self.classes_)
        cw = self.class_weight
        if cw is None:
            return np.ones(K)
        if isinstance(cw, str) and cw == "balanced":
            counts = np.bincount(y_idx[sw > 0], minlength=K).astype(np.float64)
            n = counts.sum()
            return np.divide(n, K * counts, out=np.zeros(K), where=counts > 0)
        if isinstance(cw, dict):
            weights = np.ones(K)
            unknown = [k for k in cw if not np.any(self.classes_ == k)]
            if unknown:
                raise ValueError(
                    f"The classes, {unknown}, are not in class_weight: class_weight has "
                    f"labels {unknown} that are not among the classes {self.classes_.tolist()}."
                )
            for label, w in cw.items():
                weights[np.flatnonzero(self.classes_ == label)] = float(w)
            if np.any(weights < 0) or not np.all(np.isfinite(weights)):
                raise ValueError("class_weight values must be finite and non-negative.")
            return weights
        raise _param_error(self, "class_weight", "a dict, 'balanced' or None", cw)

    def _encode(self, y: np.ndarray) -> np.ndarray:
        """Index of each label of ``y`` in ``classes_``; unknown labels raise ValueError."""
        idx = np.searchsorted(self.classes_, y)
        idx = np.minimum(idx, len(self.classes_) - 1)
        bad = self.classes_[idx] != y
        if np.any(bad):
            raise ValueError(
                f"The target label(s) {np.unique(y[bad]).tolist()} in y do not exist in the "
                f"initial classes {self.classes_.tolist()}."
            )
        return idx

    def _targets(self, y_idx: np.ndarray, sw: np.ndarray, dtype: Any) -> tuple[np.ndarray, ...]:
        """One-vs-rest targets Y (+1/-1) and weights S; both (n, 1) for two classes."""
        n, K = len(y_idx), len(self.classes_)
        cw = self._class_weights(y_idx, sw)
        if K == 2:
            Y = np.where(y_idx == 1, 1.0, -1.0).astype(dtype)[:, None]
            S = (sw * cw[y_idx]).astype(dtype)[:, None]
            return Y, S
        rows = np.arange(n)
        Y = np.full((n, K), -1.0, dtype=dtype)
        Y[rows, y_idx] = 1.0
        if self.class_weight is None:
            S = sw.astype(dtype)[:, None]
        else:
            S = np.repeat(sw.astype(dtype)[:, None], K, axis=1)
            S[rows, y_idx] *= cw[y_idx].astype(dtype)
        return Y, S

    def _set_coef(self, coef: np.ndarray, intercept: np.ndarray) -> None:
        self.coef_ = coef
        self.intercept_ = intercept

    def _validation_score(
        self, params: np.ndarray, Xv: np.ndarray, yv: np.ndarray, swv: np.ndarray
    ) -> float:
        """Weighted accuracy on the held-out samples (``yv`` holds class indices)."""
        d = Xv.shape[1]
        scores = Xv @ params[:d]
        if params.shape[0] > d:
            scores += params[d]
        pred = (scores[:, 0] > 0).astype(np.intp) if scores.shape[1] == 1 else scores.argmax(1)
        return float(np.average(pred == yv, weights=swv))

    # -- public API -----------------------------------------------------------------------------

    def fit(
        self,
        X: Any,
        y: Any,
        coef_init: Any = None,
        intercept_init: Any = None,
        sample_weight: Any = None,
    ) -> SGDClassifier:
        """Fit the model by mini-batch stochastic gradient descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples.
        y : array-like of shape (n_samples,)
            Class labels (at least two classes).
        coef_init : array-like of shape (n_classes, n_features) or (n_features,), optional
            Initial weights (one row for two classes).
        intercept_init : array-like of shape (n_classes,) or scalar, optional
            Initial intercepts.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights, treated as frequencies; rows of weight 0 are ignored.

        Returns
        -------
        self
        """
        self._check_params()
        X, y = self._validate_xy(X, y, reset=True)
        try:
            classes, y_idx = np.unique(y, return_inverse=True)
        except TypeError:
            raise ValueError("Mix of label input types (string and number)") from None
        y_idx = y_idx.reshape(-1)
        if len(classes) < 2:
            raise ValueError(
                "The number of classes has to be greater than one; got 1 class. A classifier "
                "needs samples of at least two classes."
            )
        sw = self._sample_weight(sample_weight, X)
        K = 1 if len(classes) == 2 else len(classes)
        old = getattr(self, "_params_", None) if self.warm_start else None
        same = (
            old is not None
            and np.array_equal(getattr(self, "classes_", None), classes)
            and old.shape == (X.shape[1] + int(self.fit_intercept), K)
        )
        if same and coef_init is None and intercept_init is None:
            coef_init, intercept_init = self.coef_, self.intercept_
        self.classes_ = classes
        self._init_params(X.shape[1], K, X.dtype, coef_init, intercept_init)
        self.t_ = 1.0
        self._train(X, y_idx, sw, int(self.max_iter), fitting=True)
        self._warn_if_not_converged()
        return self

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> SGDClassifier:
        """One epoch of mini-batch SGD on the given samples, continuing from the current state.

        No stopping rule is applied and an ``"adaptive"`` rate stays at ``eta0``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of the training samples.
        y : array-like of shape (n_samples,)
            Its labels (all in ``classes``; a chunk may hold a single class).
        classes : array-like of shape (n_classes,), optional
            All the classes, required on the first call.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights.

        Returns
        -------
        self
        """
        first = not hasattr(self, "classes_")
        self._check_params(for_partial_fit=True)
        if first:
            if isinstance(self.class_weight, str) and self.class_weight == "balanced":
                raise ValueError(
                    "class_weight 'balanced' is not supported for partial_fit: the class "
                    "frequencies of one chunk are not those of the data. Compute the weights "
                    "on the full target and pass them as a dict."
                )
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
        X, y = self._validate_xy(X, y, reset=first)
        if classes is not None:
            cls = np.unique(np.asarray(classes))
            check_classification_targets(cls)
            if not first and not np.array_equal(cls, self.classes_):
                raise ValueError(
                    f"`classes={classes!r}` is not the same as on last call to partial_fit, "
                    f"was: {self.classes_!r}"
                )
            if first:
                if len(cls) < 2:
                    raise ValueError(
                        "The number of classes has to be greater than one; got 1 class."
                    )
                self.classes_ = cls
        y_idx = self._encode(y)
        sw = self._sample_weight(sample_weight, X)
        if first:
            K = 1 if len(self.classes_) == 2 else len(self.classes_)
            self._init_params(X.shape[1], K, X.dtype, None, None)
            self.t_ = 1.0
        self._train(X, y_idx, sw, 1, fitting=False)
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """Signed distance-like scores :math:`p = x^\\top w + b`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
            Positive means ``classes_[1]`` (two classes); the largest column wins otherwise.
        """
        scores = self._decision(X)
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X: Any) -> np.ndarray:
        """Predicted class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        scores = self._decision(X)
        if scores.shape[1] == 1:
            idx = (scores[:, 0] > 0).astype(np.intp)
        else:
            idx = scores.argmax(axis=1)
        return self.classes_[idx]

    def _check_proba(self) -> None:
        if self.loss not in ("log_loss", "modified_huber"):
            raise AttributeError(
                f"probability estimates are not available for loss={self.loss!r}; use "
                "loss='log_loss' or loss='modified_huber'."
            )

    @property
    def predict_proba(self) -> Callable[[Any], np.ndarray]:
        r"""Class probabilities (only for ``loss="log_loss"`` or ``"modified_huber"``).

        Binary: :math:`P(y = 1 \mid x) = \sigma(p)` for the log loss and
        :math:`(\operatorname{clip}(p, -1, 1) + 1) / 2` for the modified Huber loss. More
        classes: those one-vs-rest values normalised to sum to one per row (uniform when they
        are all zero).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns follow ``classes_``.
        """
        self._check_proba()
        return self._predict_proba

    def _predict_proba(self, X: Any) -> np.ndarray:
        scores = self._decision(X)
        if self.loss == "log_loss":
            prob = expit(scores)
        else:
            prob = (np.clip(scores, -1.0, 1.0) + 1.0) / 2.0
        if scores.shape[1] == 1:
            return np.hstack([1.0 - prob, prob])
        total = prob.sum(axis=1, keepdims=True)
        zero = total[:, 0] == 0
        if np.any(zero):
            prob[zero] = 1.0
            total[zero] = prob.shape[1]
        return prob / total

    @property
    def predict_log_proba(self) -> Callable[[Any], np.ndarray]:
        """Logarithm of :attr:`predict_proba` (same availability and shape; may hold -inf)."""
        self._check_proba()
        return self._predict_log_proba

    def _predict_log_proba(self, X: Any) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.log(self._predict_proba(X))


# ----------------------------------------------------------------------------------------------
# Regressor
# ----------------------------------------------------------------------------------------------


class SGDRegressor(RegressorMixin, _BaseSGD):
    r"""Linear regression trained by mini-batch SGD (least squares, Huber, SVR-like losses).

    Minimises (notes §8)

    .. math::

        E(w, b) = \frac{\sum_i \omega_i L(y_i, p_i)}{\sum_i \omega_i} + \alpha R(w), \qquad
        p_i = x_i^\top w + b

    with one update per mini-batch :math:`B` of total weight
    :math:`W_B = \sum_{i \in B} \omega_i` (notes §11):

    .. math::

        (w, b) \leftarrow (w, b) - \eta_t \sum_{i \in B} \omega_i
            \frac{\partial L}{\partial p}(y_i, p_i) \, (x_i, 1), \qquad
        w \leftarrow \operatorname{prox}_{\eta_t W_B \alpha R}(w), \qquad t \leftarrow t + W_B,

    that is, scikit-learn's :math:`|B|` per-sample steps taken together from the batch's
    starting point (see the module docstring).

    With residual :math:`r = p - y`, the losses and their derivatives
    :math:`\partial L / \partial p`:

    * ``"squared_error"``: :math:`r^2 / 2`; :math:`r`.
    * ``"huber"``: :math:`r^2 / 2` for :math:`|r| \le \epsilon`, else
      :math:`\epsilon |r| - \epsilon^2 / 2`; :math:`\operatorname{clip}(r, -\epsilon, \epsilon)`.
    * ``"epsilon_insensitive"`` (linear SVR): :math:`\max(0, |r| - \epsilon)`;
      :math:`\operatorname{sign}(r)` for :math:`|r| > \epsilon`, else 0.
    * ``"squared_epsilon_insensitive"``: :math:`\max(0, |r| - \epsilon)^2`;
      :math:`2 \operatorname{sign}(r) \max(0, |r| - \epsilon)`.

    Parameters
    ----------
    loss : str, default="squared_error"
        ``"squared_error"``, ``"huber"``, ``"epsilon_insensitive"`` or
        ``"squared_epsilon_insensitive"``.
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        :math:`R(w)`, applied by its proximal step (L1 gives exact zeros).
    alpha : float, default=1e-4
        Penalty strength :math:`\alpha \ge 0` (> 0 with ``learning_rate="optimal"``).
    l1_ratio : float, default=0.15
        The elastic-net mixing :math:`\rho \in [0, 1]`.
    fit_intercept : bool, default=True
        Learn the intercept :math:`b` (never penalised).
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float or None, default=1e-3
        Stop when the epoch objective has not fallen below the best minus ``tol`` for
        ``n_iter_no_change`` epochs (with ``early_stopping``: when the validation :math:`R^2`
        has not risen above the best plus ``tol``). None: always run ``max_iter`` epochs.
    shuffle : bool, default=True
        Shuffle the samples before every epoch.
    verbose : int, default=0
        Show a progress bar (tqdm) over epochs when standard error is a terminal.
    epsilon : float, default=0.1
        The :math:`\epsilon` of the Huber and epsilon-insensitive losses.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the shuffling and of the validation split.
    learning_rate : {"invscaling", "optimal", "constant", "adaptive"}, default="invscaling"
        :math:`\eta_t` with :math:`t` the number of samples seen (capped, see
        :class:`SGDClassifier`): ``"invscaling"``
        :math:`\eta_0 / (t + 1)^{\text{power\_t}}`; ``"optimal"``
        :math:`1 / (\alpha (t_0 + t))`; ``"constant"`` :math:`\eta_0`; ``"adaptive"``
        :math:`\eta_0` divided by 5 when progress stalls.
    eta0 : float, default=0.01
        Initial rate :math:`\eta_0` (> 0 except with ``"optimal"``).
    power_t : float, default=0.25
        Exponent of ``"invscaling"`` (>= 0).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop on its :math:`R^2`.
    validation_fraction : float, default=0.1
        Share held out with ``early_stopping``, in (0, 1).
    n_iter_no_change : int, default=5
        Epochs without improvement before stopping (or reducing an adaptive rate).
    warm_start : bool, default=False
        Start ``fit`` from the previous ``coef_`` and ``intercept_``.
    average : bool or int, default=False
        Averaged SGD: report the running mean of the weights after each update, once
        ``average`` samples have been seen (``True``: from the start).
    batch_size : int, default=32
        Samples per update (not in scikit-learn, which uses 1). ``1`` is per-sample SGD and
        loops over samples in Python, so it is slow.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Weights :math:`w`.
    intercept_ : ndarray of shape (1,)
        Intercept :math:`b`.
    n_iter_ : int
        Epochs run by the last ``fit`` (1 after ``partial_fit``).
    t_ : float
        Number of samples seen (weighted) since the last ``fit``, plus one.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Feature names, when ``X`` was a DataFrame with string column names.

    Notes
    -----
    See :class:`SGDClassifier` for the differences from scikit-learn (mini-batches with a step
    cap, proximal penalty, frequency-like sample weights).

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.linear_model import SGDRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> y = X @ np.array([1.0, -2.0, 0.5]) + 3.0
    >>> reg = SGDRegressor(learning_rate="constant", eta0=0.05, random_state=0).fit(X, y)
    >>> bool(reg.score(X, y) > 0.99)
    True
    """

    _losses = _REGRESSION_LOSSES

    def __init__(
        self,
        loss: str = "squared_error",
        *,
        penalty: str | None = "l2",
        alpha: float = 1e-4,
        l1_ratio: float = 0.15,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float | None = 1e-3,
        shuffle: bool = True,
        verbose: int = 0,
        epsilon: float = 0.1,
        random_state: Any = None,
        learning_rate: str = "invscaling",
        eta0: float = 0.01,
        power_t: float = 0.25,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 5,
        warm_start: bool = False,
        average: bool | int = False,
        batch_size: int = 32,
    ) -> None:
        self.loss = loss
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.epsilon = epsilon
        self.random_state = random_state
        self.learning_rate = learning_rate
        self.eta0 = eta0
        self.power_t = power_t
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.warm_start = warm_start
        self.average = average
        self.batch_size = batch_size

    def _validate_xy(self, X: Any, y: Any, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        X, y = self._validate_data(
            X,
            y,
            reset=reset,
            dtype=(np.float64, np.float32),
            order="C",
            y_numeric=True,
        )
        return X, y.astype(X.dtype, copy=False)

    def _set_coef(self, coef: np.ndarray, intercept: np.ndarray) -> None:
        self.coef_ = coef[0]
        self.intercept_ = intercept

    def _validation_score(
        self, params: np.ndarray, Xv: np.ndarray, yv: np.ndarray, swv: np.ndarray
    ) -> float:
        """Weighted :math:`R^2` on the held-out samples."""
        d = Xv.shape[1]
        pred = Xv @ params[:d, 0]
        if params.shape[0] > d:
            pred += params[d, 0]
        ss_res = float(np.average((yv - pred) ** 2, weights=swv))
        ss_tot = float(np.average((yv - np.average(yv, weights=swv)) ** 2, weights=swv))
        if ss_tot == 0.0:
            return 1.0 if ss_res == 0.0 else 0.0
        return 1.0 - ss_res / ss_tot

    def _targets(self, y: np.ndarray, sw: np.ndarray, dtype: Any) -> tuple[np.ndarray, ...]:
        """Targets Y and weights S, both of shape (n, 1)."""
        return y[:, None], sw.astype(dtype)[:, None]

    def fit(
        self,
        X: Any,
        y: Any,
        coef_init: Any = None,
        intercept_init: Any = None,
        sample_weight: Any = None,
    ) -> SGDRegressor:
        """Fit the model by mini-batch stochastic gradient descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples.
        y : array-like of shape (n_samples,)
            Targets.
        coef_init : array-like of shape (n_features,), optional
            Initial weights.
        intercept_init : array-like of shape (1,) or scalar, optional
            Initial intercept.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights, treated as frequencies; rows of weight 0 are ignored.

        Returns
        -------
        self
        """
        self._check_params()
        X, y = self._validate_xy(X, y, reset=True)
        sw = self._sample_weight(sample_weight, X)
        old = getattr(self, "_params_", None) if self.warm_start else None
        if (
            old is not None
            and old.shape == (X.shape[1] + int(self.fit_intercept), 1)
            and coef_init is None
            and intercept_init is None
        ):
            coef_init, intercept_init = self.coef_, self.intercept_
        self._init_params(X.shape[1], 1, X.dtype, coef_init, intercept_init)
        self.t_ = 1.0
        self._train(X, y, sw, int(self.max_iter), fitting=True)
        self._warn_if_not_converged()
        return self

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> SGDRegressor:
        """One epoch of mini-batch SGD on the given samples, continuing from the current state.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            A chunk of the training samples.
        y : array-like of shape (n_samples,)
            Its targets.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights.

        Returns
        -------
        self
        """
        first = not hasattr(self, "_params_")
        self._check_params(for_partial_fit=True)
        X, y = self._validate_xy(X, y, reset=first)
        sw = self._sample_weight(sample_weight, X)
        if first:
            self._init_params(X.shape[1], 1, X.dtype, None, None)
            self.t_ = 1.0
        self._train(X, y, sw, 1, fitting=False)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values :math:`x^\\top w + b`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        return self._decision(X)[:, 0]
