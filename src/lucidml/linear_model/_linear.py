"""Least-squares, ridge and lasso regression (notes §8 gradient descent, §12.2 L1/L2 penalties).

The three estimators fit the same linear model

.. math::

    \\hat{\\mathbf{y}} = X \\mathbf{w} + b, \\qquad
    X \\in \\mathbb{R}^{n \\times p},\\; \\mathbf{w} \\in \\mathbb{R}^{p},\\; b \\in \\mathbb{R}

(one column of weights and one intercept per target when ``y`` has :math:`k` columns) and
differ only in what they minimise, written with sample weights :math:`s_i` (all 1 by default):

============================  ===============================================================
estimator                     objective
============================  ===============================================================
:class:`LinearRegression`     :math:`\\sum_i s_i (y_i - \\mathbf{x}_i^\\top \\mathbf{w} - b)^2`
:class:`Ridge`                :math:`\\sum_i s_i (y_i - \\mathbf{x}_i^\\top \\mathbf{w} - b)^2
                              + \\alpha \\lVert \\mathbf{w} \\rVert_2^2`
:class:`Lasso`                :math:`\\frac{1}{2 \\sum_i s_i} \\sum_i s_i (y_i -
                              \\mathbf{x}_i^\\top \\mathbf{w} - b)^2
                              + \\alpha \\lVert \\mathbf{w} \\rVert_1`
============================  ===============================================================

These are scikit-learn's objectives, so ``alpha`` means the same thing in both libraries.

**The intercept by centring.** None of the penalties touches :math:`b`, so at the optimum
:math:`b = \\bar y - \\bar{\\mathbf{x}}^\\top \\mathbf{w}` with the weighted means
:math:`\\bar{\\mathbf{x}} = \\sum_i s_i \\mathbf{x}_i / \\sum_i s_i` and :math:`\\bar y`. Every
solver therefore works on centred data without an intercept and recovers :math:`b` at the end.

**Sample weights by rescaling.** :math:`\\sum_i s_i r_i^2 = \\lVert \\sqrt{s} \\odot r
\\rVert^2`, so the closed forms and coordinate descent multiply each centred row by
:math:`\\sqrt{s_i}` and solve the unweighted problem. An integer weight is the same as repeating
the row.

**Solvers.** Least squares uses an SVD-based solver (``scipy.linalg.lstsq``) or the notes' three
kinds of gradient descent (batch, stochastic, mini-batch, through :mod:`lucidml.optim`); ridge
solves its normal equations by Cholesky on the smaller of :math:`X^\\top X` and
:math:`X X^\\top` (or uses the SVD, or LSQR); lasso uses cyclic coordinate descent with a
duality-gap stopping rule, which gives exact zeros.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np
from scipy import linalg, optimize
from scipy.linalg.blas import daxpy, ddot
from scipy.sparse.linalg import lsqr

from .._validation import check_is_fitted, check_random_state, check_sample_weight
from ..base import BaseEstimator, RegressorMixin
from ..exceptions import ConvergenceWarning
from ..optim import SGD, batch_slices, epoch_permutation, resolve_batch_size
from ..optim.schedules import check_learning_rate

__all__ = ["LinearRegression", "Ridge", "Lasso"]


# -- parameter checks -----------------------------------------------------------------------------


def _check_bool(value: Any, name: str, owner: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(
            f"The '{name}' parameter of {owner} must be a bool. Got {value!r} instead."
        )
    return bool(value)


def _check_int(value: Any, name: str, owner: str, low: int = 1) -> int:
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Integral)
        or value < low
    ):
        raise ValueError(
            f"The '{name}' parameter of {owner} must be an int in the range [{low}, inf). "
            f"Got {value!r} instead."
        )
    return int(value)


def _check_real(value: Any, name: str, owner: str) -> float:
    """A finite real number >= 0."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise ValueError(
            f"The '{name}' parameter of {owner} must be a float in the range [0.0, inf). "
            f"Got {value!r} instead."
        )
    out = float(value)
    if not math.isfinite(out) or out < 0.0:
        raise ValueError(
            f"The '{name}' parameter of {owner} must be a float in the range [0.0, inf). "
            f"Got {value!r} instead."
        )
    return out


def _check_choice(value: Any, name: str, owner: str, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        raise ValueError(
            f"The '{name}' parameter of {owner} must be a str among {set(options)}. "
            f"Got {value!r} instead."
        )
    return value


# -- data preparation shared by the three estimators ----------------------------------------------


def _validate_training_data(
    est: BaseEstimator, X: Any, y: Any, sample_weight: Any
) -> tuple[np.ndarray, np.ndarray, int, np.ndarray | None]:
    """Validate ``X``, ``y`` and ``sample_weight`` for fitting.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, n_features)
        May be the caller's array itself (not a copy).
    Y : ndarray of float64, shape (n_samples, n_targets)
        Always a fresh copy, so it may be modified in place.
    y_ndim : int
        1 or 2, the dimension of the ``y`` that was passed.
    sample_weight : ndarray of float64, shape (n_samples,), or None
    """
    X, y = est._validate_data(
        X,
        y,
        reset=True,
        dtype=np.float64,
        multi_output=True,
        y_numeric=True,
    )
    if y.ndim not in (1, 2):
        raise ValueError(f"y must be 1-D or 2-D, got an array of shape {y.shape}.")
    try:
        Y = np.array(y, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"y must hold numbers for regression: {exc}. Encode the target first."
        ) from exc
    if not np.all(np.isfinite(Y)):
        raise ValueError("Input y contains NaN or infinity.")
    y_ndim = Y.ndim
    if y_ndim == 1:
        Y = Y[:, None]
    sw = None
    if sample_weight is not None:
        sw = check_sample_weight(sample_weight, X, dtype=np.float64)
        if not np.all(np.isfinite(sw)):
            raise ValueError("Input sample_weight contains NaN or infinity.")
        if not np.any(sw > 0):
            raise ValueError("Sample weights must contain at least one non-zero number.")
    return X, Y, y_ndim, sw


def _working_copy(X: np.ndarray, copy: bool, order: str = "C") -> np.ndarray:
    """``X`` itself when it may be overwritten (``copy`` False and writeable), else a copy."""
    if copy or not X.flags.writeable:
        return np.array(X, dtype=np.float64, order=order, copy=True)
    return np.asarray(X, dtype=np.float64, order=order)


def _center(
    X: np.ndarray, Y: np.ndarray, sw: np.ndarray | None, fit_intercept: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Subtract the weighted column means from ``X`` and ``Y`` in place.

    .. math:: \\bar{\\mathbf{x}} = \\frac{\\sum_i s_i \\mathbf{x}_i}{\\sum_i s_i}, \\qquad
              X \\leftarrow X - \\mathbf{1} \\bar{\\mathbf{x}}^\\top

    A column that is exactly constant becomes exactly zero (floating-point averaging alone
    would leave values of the order of 1e-17 that later divisions turn into noise).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Centred in place.
    Y : ndarray of shape (n_samples, n_targets)
        Centred in place.
    sw : ndarray of shape (n_samples,) or None
        Sample weights.
    fit_intercept : bool
        When False nothing is centred and both offsets are zero.

    Returns
    -------
    x_offset : ndarray of shape (n_features,)
    y_offset : ndarray of shape (n_targets,)
    """
    if not fit_intercept:
        return np.zeros(X.shape[1]), np.zeros(Y.shape[1])
    constant = X.max(axis=0) == X.min(axis=0)
    x_offset = np.average(X, axis=0, weights=sw)
    y_offset = np.average(Y, axis=0, weights=sw)
    X -= x_offset
    Y -= y_offset
    if constant.any():
        X[:, constant] = 0.0
    return x_offset, y_offset


def _rescale_rows(X: np.ndarray, Y: np.ndarray, sw: np.ndarray | None) -> None:
    """Multiply every row of ``X`` and ``Y`` by :math:`\\sqrt{s_i}` in place (no-op for None)."""
    if sw is not None:
        root = np.sqrt(sw)[:, None]
        X *= root
        Y *= root


class _LinearRegressorBase(RegressorMixin, BaseEstimator):
    """``predict`` and tags shared by the linear regressors."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    def _set_solution(
        self,
        coef: np.ndarray,
        x_offset: np.ndarray,
        y_offset: np.ndarray,
        y_ndim: int,
        squeeze_single_target: bool = False,
    ) -> None:
        """Store ``coef_`` and ``intercept_`` from centred-data weights ``coef`` (k, p)."""
        if self.fit_intercept:
            intercept = y_offset - coef @ x_offset
        else:
            intercept = None
        if y_ndim == 1:
            self.coef_ = coef[0].copy()
            self.intercept_ = float(intercept[0]) if intercept is not None else 0.0
        elif squeeze_single_target and coef.shape[0] == 1:
            self.coef_ = coef[0].copy()
            self.intercept_ = intercept if intercept is not None else 0.0
        else:
            self.coef_ = coef
            self.intercept_ = intercept if intercept is not None else 0.0

    def predict(self, X: Any) -> np.ndarray:
        """Predict with the linear model.

        .. math:: \\hat{Y} = X W^\\top + \\mathbf{1} \\mathbf{b}^\\top

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predictions; 1-D when the model was fitted on a 1-D ``y``.
        """
        check_is_fitted(self)
        X = self._validate_data(X, reset=False, dtype=np.float64)
        return X @ self.coef_.T + self.intercept_


# -- LinearRegression -----------------------------------------------------------------------------


def _standardize(
    X: np.ndarray, Y: np.ndarray, sw: np.ndarray | None, fit_intercept: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """z-score ``X`` and ``Y`` (weighted), so that one step size suits every feature.

    .. math:: z_{ij} = \\frac{x_{ij} - \\bar x_j}{\\sigma_j}, \\qquad
              t_{ik} = \\frac{y_{ik} - \\bar y_k}{\\tau_k}

    with weighted means and standard deviations (root mean squares and no centring when
    ``fit_intercept`` is False); a zero scale is replaced by 1.

    Returns
    -------
    Z : ndarray of shape (n_samples, n_features)
    T : ndarray of shape (n_samples, n_targets)
    x_mean, x_scale : ndarray of shape (n_features,)
    y_mean, y_scale : ndarray of shape (n_targets,)
    """
    Z = np.array(X, dtype=np.float64, order="C", copy=True)
    T = Y  # already a private copy
    x_mean, y_mean = _center(Z, T, sw, fit_intercept)
    x_scale = np.sqrt(np.average(Z * Z, axis=0, weights=sw))
    y_scale = np.sqrt(np.average(T * T, axis=0, weights=sw))
    x_scale[x_scale == 0.0] = 1.0
    y_scale[y_scale == 0.0] = 1.0
    Z /= x_scale
    T /= y_scale
    return Z, T, x_mean, x_scale, y_mean, y_scale


def _squared_loss_and_gradient(
    Z: np.ndarray,
    T: np.ndarray,
    sw: np.ndarray | None,
    W: np.ndarray,
    R: np.ndarray,
    G: np.ndarray,
) -> float:
    """Full-data loss, with its gradient written into ``G``.

    .. math:: L(W) = \\frac{1}{2n} \\sum_i s_i \\lVert \\mathbf{z}_i^\\top W - \\mathbf{t}_i
              \\rVert^2, \\qquad \\nabla_W L = \\frac{1}{n} Z^\\top \\operatorname{diag}(s)
              (Z W - T)

    (weights normalised to mean 1). ``R`` (n, k) and ``G`` (p, k) are output buffers.
    """
    n = Z.shape[0]
    np.matmul(Z, W, out=R)
    np.subtract(R, T, out=R)
    if sw is None:
        loss = 0.5 * float(np.vdot(R, R)) / n
    else:
        loss = 0.5 * float(np.einsum("ik,ik,i->", R, R, sw)) / n
        np.multiply(R, sw[:, None], out=R)
    np.matmul(Z.T, R, out=G)
    G *= 1.0 / n
    return loss


def _least_squares_gd(
    Z: np.ndarray,
    T: np.ndarray,
    sw: np.ndarray | None,
    batch_size: int,
    learning_rate: float,
    max_iter: int,
    tol: float,
    rng: np.random.Generator,
    positive: bool,
) -> tuple[np.ndarray, int, bool]:
    """Gradient descent on standardised least squares (notes §8, §11).

    Every update takes a batch :math:`B` of :math:`b` rows (all :math:`n`: batch gradient
    descent; 1: stochastic; otherwise mini-batch) and steps against its gradient:

    .. math:: W \\leftarrow W - \\eta \\, \\frac{1}{b} Z_B^\\top \\operatorname{diag}(s_B)
              (Z_B W - T_B)

    With ``positive``, :math:`W` is then projected onto :math:`W \\ge 0`. After each epoch the
    full gradient is computed: training stops when its largest (projected) entry is at most
    ``tol``, or, for the stochastic solvers, when that entry has not reached a new low for 5
    epochs in a row (the steps only wander around the minimum by then, notes §8).

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        Standardised features.
    T : ndarray of shape (n_samples, n_targets)
        Standardised targets.
    sw : ndarray of shape (n_samples,) or None
        Sample weights with mean 1.
    batch_size : int
        :math:`b`, between 1 and n_samples.

    Returns
    -------
    W : ndarray of shape (n_features, n_targets)
    n_iter : int
        Epochs run.
    converged : bool
    """
    n, p = Z.shape
    k = T.shape[1]
    W = np.zeros((p, k))
    G = np.empty((p, k))
    R = np.empty((batch_size, k))
    R_full = np.empty((n, k))
    opt = SGD(learning_rate).init(W)
    slices = batch_slices(n, batch_size)
    stochastic = batch_size < n
    Zp, Tp, swp = Z, T, sw
    if stochastic:
        perm = np.empty(n, dtype=np.intp)
        Zp, Tp = np.empty_like(Z), np.empty_like(T)
        swp = None if sw is None else np.empty_like(sw)
    best, n_bad = math.inf, 0  # smallest gradient so far, epochs since
    loss_limit = 1e6 * (0.5 * float(np.average(np.sum(T * T, axis=1), weights=sw)) + 1.0)
    for epoch in range(1, max_iter + 1):
        if stochastic:  # permute the rows once per epoch; batches are then views
            epoch_permutation(n, rng, out=perm)
            np.take(Z, perm, axis=0, out=Zp)
            np.take(T, perm, axis=0, out=Tp)
            if sw is not None:
                np.take(sw, perm, out=swp)
        for s in slices:
            Zb = Zp[s]
            r = R[: Zb.shape[0]]
            np.matmul(Zb, W, out=r)
            np.subtract(r, Tp[s], out=r)  # r = Z_B W - T_B
            if swp is not None:
                np.multiply(r, swp[s, None], out=r)
            np.matmul(Zb.T, r, out=G)  # nabla_W = Z_B^T diag(s) r / b
            G *= 1.0 / Zb.shape[0]
            opt.step(W, G)
            if positive:
                np.maximum(W, 0.0, out=W)
        loss = _squared_loss_and_gradient(Z, T, sw, W, R_full, G)
        if not loss <= loss_limit:  # NaN, inf, or growing: the step is too large
            raise ValueError(
                f"Gradient descent diverged at epoch {epoch} (the loss grew to {loss:.3g}). "
                f"Lower learning_rate (now {learning_rate!r})."
            )
        if positive:
            G[(W <= 0.0) & (G > 0.0)] = 0.0  # a bound that holds contributes nothing
        g_max = float(np.max(np.abs(G)))
        if g_max <= tol:
            return W, epoch, True
        if stochastic:  # noise floor: no new smallest gradient for 5 epochs
            n_bad = n_bad + 1 if g_max >= best else 0
            best = min(best, g_max)
            if n_bad >= 5:
                return W, epoch, True
    return W, max_iter, False


class LinearRegression(_LinearRegressorBase):
    """Ordinary least squares, in closed form or by gradient descent.

    Minimises the (weighted) residual sum of squares

    .. math:: \\min_{\\mathbf{w}, b} \\sum_{i=1}^{n} s_i
              (y_i - \\mathbf{x}_i^\\top \\mathbf{w} - b)^2 .

    ``solver="lstsq"`` centres the data, rescales each row by :math:`\\sqrt{s_i}` and calls
    ``scipy.linalg.lstsq``, which returns the minimum-norm solution through an SVD, so collinear
    or constant features are fine. ``"batch"``, ``"sgd"`` and ``"minibatch"`` are the notes'
    gradient descent (§8, §11): the features and targets are standardised first (so one step
    size suits every feature), then the weights are mapped back,

    .. math:: w_j = \\frac{\\tau}{\\sigma_j} \\tilde w_j, \\qquad
              b = \\bar y - \\bar{\\mathbf{x}}^\\top \\mathbf{w} .

    Parameters
    ----------
    fit_intercept : bool, default=True
        Fit :math:`b`; when False the data are not centred and ``intercept_`` is 0.0.
    copy_X : bool, default=True
        When False, ``solver="lstsq"`` may centre a writeable float64 ``X`` in place.
    positive : bool, default=False
        Constrain every coefficient to be >= 0 (``scipy.optimize.nnls`` for ``"lstsq"``,
        projected gradient descent for the others).
    solver : {"lstsq", "batch", "sgd", "minibatch"}, default="lstsq"
        ``"lstsq"``: closed form. ``"batch"``: every update uses all samples; ``"sgd"``: one
        sample; ``"minibatch"``: ``batch_size`` samples.
    learning_rate : float, default=0.01
        Step size :math:`\\eta` of gradient descent, in standardised units (> 0).
    max_iter : int, default=1000
        Maximum number of epochs (passes over the data) of gradient descent.
    tol : float, default=1e-6
        ``"lstsq"``: singular values of the column-normalised design below ``tol`` times the
        largest are treated as zero (scikit-learn applies its ``cond`` to the raw design, which
        drops a feature merely for being measured in small units). Gradient descent: stop once
        every entry of the full gradient of the standardised loss is at most ``tol`` in absolute
        value. The stochastic solvers
        also stop when that largest entry has not reached a new low for 5 epochs: with a
        constant step they then only wander around the minimum (lower ``learning_rate`` to
        get closer).
    batch_size : int, default=32
        Mini-batch size for ``solver="minibatch"`` (capped at n_samples).
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the per-epoch shuffling of the stochastic solvers.
    n_jobs : None, default=None
        Accepted for compatibility with scikit-learn; ignored.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Weights :math:`\\mathbf{w}`; 2-D when ``y`` was 2-D.
    intercept_ : float or ndarray of shape (n_targets,)
        :math:`b` (0.0 when ``fit_intercept`` is False).
    rank_ : int
        Rank of the centred, weighted ``X`` (``"lstsq"`` without ``positive`` only).
    singular_ : ndarray of shape (min(n_samples, n_features),)
        Its singular values (``"lstsq"`` without ``positive`` only).
    n_iter_ : int
        Epochs run by gradient descent; 1 for the closed form.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.linear_model import LinearRegression
    >>> X = np.array([[1.0, 1.0], [1.0, 2.0], [2.0, 2.0], [2.0, 3.0]])
    >>> y = X @ np.array([1.0, 2.0]) + 3.0
    >>> model = LinearRegression().fit(X, y)
    >>> np.round(model.coef_, 6), round(model.intercept_, 6)
    (array([1., 2.]), 3.0)
    """

    _SOLVERS = ("lstsq", "batch", "sgd", "stochastic", "minibatch")

    def __init__(
        self,
        *,
        fit_intercept: bool = True,
        copy_X: bool = True,
        positive: bool = False,
        solver: str = "lstsq",
        learning_rate: float = 0.01,
        max_iter: int = 1000,
        tol: float = 1e-6,
        batch_size: int = 32,
        random_state: Any = None,
        n_jobs: Any = None,
    ) -> None:
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.positive = positive
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.batch_size = batch_size
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearRegression:
        """Fit the least-squares weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : array-like of shape (n_samples,) or float, optional
            Non-negative weights :math:`s_i`.

        Returns
        -------
        self
        """
        name = type(self).__name__
        fit_intercept = _check_bool(self.fit_intercept, "fit_intercept", name)
        copy_X = _check_bool(self.copy_X, "copy_X", name)
        positive = _check_bool(self.positive, "positive", name)
        solver = _check_choice(self.solver, "solver", name, self._SOLVERS)
        tol = _check_real(self.tol, "tol", name)
        if solver != "lstsq":
            learning_rate = check_learning_rate(self.learning_rate)
            max_iter = _check_int(self.max_iter, "max_iter", name)
        X, Y, y_ndim, sw = _validate_training_data(self, X, y, sample_weight)
        for stale in ("rank_", "singular_"):
            self.__dict__.pop(stale, None)

        if solver == "lstsq":
            Xc = _working_copy(X, copy_X)
            x_offset, y_offset = _center(Xc, Y, sw, fit_intercept)
            _rescale_rows(Xc, Y, sw)
            if positive:
                coef = np.vstack([optimize.nnls(Xc, Y[:, t])[0] for t in range(Y.shape[1])])
            else:
                # Rank decisions must not depend on units: truncate singular values of the
                # column-normalised design (a feature in micrometres next to one in kilometres
                # is not collinear), then undo the scaling. rank_ and singular_ describe the
                # design itself, as scikit-learn's do.
                norms = np.sqrt(np.einsum("ij,ij->j", Xc, Xc))
                norms[norms == 0] = 1.0
                sol, _, rank, _ = linalg.lstsq(Xc / norms, Y, cond=tol)
                coef = np.ascontiguousarray((sol / norms[:, None]).T)
                self.rank_ = int(rank)
                self.singular_ = linalg.svdvals(Xc)
            self.n_iter_ = 1
        else:
            n = X.shape[0]
            if sw is not None:
                sw = sw * (n / sw.sum())
            b = resolve_batch_size(solver, self.batch_size, n)
            rng = check_random_state(self.random_state)
            Z, T, x_offset, x_scale, y_offset, y_scale = _standardize(X, Y, sw, fit_intercept)
            with np.errstate(over="ignore", invalid="ignore"):  # divergence is checked
                W, n_iter, converged = _least_squares_gd(
                    Z, T, sw, b, learning_rate, max_iter, tol, rng, positive
                )
            coef = np.ascontiguousarray((W * y_scale / x_scale[:, None]).T)
            self.n_iter_ = n_iter
            if not converged:
                warnings.warn(
                    f"{name} (solver={solver!r}) stopped at max_iter={max_iter} epochs before "
                    f"converging (tol={tol!r}). Increase max_iter or learning_rate.",
                    ConvergenceWarning,
                    stacklevel=2,
                )
        self._set_solution(coef, x_offset, y_offset, y_ndim)
        return self


# -- Ridge ----------------------------------------------------------------------------------------


def _check_ridge_alpha(alpha: Any, n_targets: int, owner: str) -> np.ndarray:
    """``alpha`` as an array of shape (n_targets,) of finite numbers >= 0."""
    if np.ndim(alpha) == 0:
        alpha = alpha.item() if isinstance(alpha, np.ndarray) else alpha
        return np.full(n_targets, _check_real(alpha, "alpha", owner))
    try:
        alphas = np.asarray(alpha, dtype=np.float64).ravel()
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"The 'alpha' parameter of {owner} must be a float or an array of floats >= 0. "
            f"Got {alpha!r} instead."
        ) from exc
    if not np.all(np.isfinite(alphas)) or np.any(alphas < 0):
        raise ValueError(f"alpha values must be finite and >= 0, got {alpha!r}.")
    if alphas.size == 1:
        return np.full(n_targets, alphas[0])
    if alphas.size != n_targets:
        raise ValueError(
            "Number of targets and number of penalties do not correspond: "
            f"{alphas.size} != {n_targets}"
        )
    return alphas


def _ridge_cholesky(X: np.ndarray, Y: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """Solve ridge's normal equations by Cholesky on the smaller Gram matrix.

    .. math:: W = (X^\\top X + \\alpha I_p)^{-1} X^\\top Y
                = X^\\top (X X^\\top + \\alpha I_n)^{-1} Y

    (the second form when :math:`p > n`). Raises ``LinAlgError`` when the matrix is not
    positive definite (``alpha`` 0 and ``X`` rank deficient).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_targets)
    alphas : ndarray of shape (n_targets,)

    Returns
    -------
    ndarray of shape (n_targets, n_features)
    """
    n, p = X.shape
    primal = p <= n
    A = X.T @ X if primal else X @ X.T
    B = X.T @ Y if primal else Y
    m = A.shape[0]
    out = np.empty((m, Y.shape[1]))
    groups = (
        [np.arange(Y.shape[1])]
        if np.all(alphas == alphas[0])
        else [[t] for t in range(len(alphas))]
    )
    for idx in groups:
        A_alpha = A.copy()
        A_alpha.flat[:: m + 1] += alphas[idx[0]]
        factor = linalg.cho_factor(A_alpha, lower=False, check_finite=False)
        out[:, idx] = linalg.cho_solve(factor, B[:, idx], check_finite=False)
    coef = out if primal else X.T @ out
    return np.ascontiguousarray(coef.T)


def _ridge_svd(X: np.ndarray, Y: np.ndarray, alphas: np.ndarray) -> np.ndarray:
    """Ridge through the thin SVD :math:`X = U \\operatorname{diag}(d) V^\\top`.

    .. math:: W = V \\operatorname{diag}\\!\\left(\\frac{d}{d^2 + \\alpha}\\right) U^\\top Y

    Singular values below 1e-15 are dropped, so ``alpha=0`` gives the minimum-norm
    least-squares solution.

    Returns
    -------
    ndarray of shape (n_targets, n_features)
    """
    U, d, Vt = linalg.svd(X, full_matrices=False, check_finite=False)
    keep = d > 1e-15
    U, d, Vt = U[:, keep], d[keep], Vt[keep]
    UtY = U.T @ Y  # (r, k)
    shrink = d[:, None] / (d[:, None] ** 2 + alphas[None, :])
    return np.ascontiguousarray((Vt.T @ (shrink * UtY)).T)


def _ridge_lsqr(
    X: np.ndarray, Y: np.ndarray, alphas: np.ndarray, max_iter: int | None, tol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Ridge by LSQR (``scipy.sparse.linalg.lsqr``) with damping :math:`\\sqrt{\\alpha}`.

    .. math:: \\min_{\\mathbf{w}} \\lVert X \\mathbf{w} - \\mathbf{y} \\rVert^2
              + \\alpha \\lVert \\mathbf{w} \\rVert^2

    Returns
    -------
    coef : ndarray of shape (n_targets, n_features)
    n_iter : ndarray of int, shape (n_targets,)
    """
    k = Y.shape[1]
    coef = np.empty((k, X.shape[1]))
    n_iter = np.empty(k, dtype=np.int64)
    for t in range(k):
        result = lsqr(X, Y[:, t], damp=math.sqrt(alphas[t]), atol=tol, btol=tol, iter_lim=max_iter)
        coef[t] = result[0]
        n_iter[t] = result[2]
    return coef, n_iter


class Ridge(_LinearRegressorBase):
    """Linear least squares with an L2 penalty (ridge regression, notes §12.2).

    .. math:: \\min_{\\mathbf{w}, b} \\sum_{i=1}^{n} s_i
              (y_i - \\mathbf{x}_i^\\top \\mathbf{w} - b)^2 + \\alpha \\lVert \\mathbf{w}
              \\rVert_2^2

    scikit-learn's objective: the squared error is summed, not averaged, and the intercept is
    not penalised. On centred, :math:`\\sqrt{s}`-rescaled data the solution is

    .. math:: \\mathbf{w} = (X^\\top X + \\alpha I)^{-1} X^\\top \\mathbf{y} .

    Parameters
    ----------
    alpha : float or array-like of shape (n_targets,), default=1.0
        Penalty strength :math:`\\alpha \\ge 0`; one per target when an array.
    fit_intercept : bool, default=True
        Fit :math:`b`; when False the data are not centred and ``intercept_`` is 0.0.
    copy_X : bool, default=True
        When False, a writeable float64 ``X`` may be centred in place.
    max_iter : int or None, default=None
        Iteration limit of ``solver="lsqr"`` (None: SciPy's default).
    tol : float, default=1e-4
        Tolerance of ``solver="lsqr"`` (its ``atol`` and ``btol``).
    solver : {"auto", "cholesky", "svd", "lsqr"}, default="auto"
        ``"cholesky"`` (what ``"auto"`` picks) factorises the smaller of :math:`X^\\top X +
        \\alpha I` and :math:`X X^\\top + \\alpha I`, falling back to ``"svd"`` when it is
        singular; ``"svd"`` uses the thin SVD of ``X``; ``"lsqr"`` is iterative.
    random_state : None, int or Generator, default=None
        Accepted for compatibility with scikit-learn; no solver here is random.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Weights :math:`\\mathbf{w}`.
    intercept_ : float or ndarray of shape (n_targets,)
        :math:`b` (0.0 when ``fit_intercept`` is False).
    n_iter_ : int or ndarray of shape (n_targets,)
        LSQR iterations per target; 1 for the direct solvers.
    solver_ : str
        The solver actually used.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.linear_model import Ridge
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> Ridge(alpha=1.0).fit(X, [0.0, 1.0, 2.0]).coef_
    array([0.66666667])
    """

    _SOLVERS = ("auto", "cholesky", "svd", "lsqr")

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        copy_X: bool = True,
        max_iter: int | None = None,
        tol: float = 1e-4,
        solver: str = "auto",
        random_state: Any = None,
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Ridge:
        """Fit the ridge weights.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : array-like of shape (n_samples,) or float, optional
            Non-negative weights :math:`s_i`.

        Returns
        -------
        self
        """
        name = type(self).__name__
        fit_intercept = _check_bool(self.fit_intercept, "fit_intercept", name)
        copy_X = _check_bool(self.copy_X, "copy_X", name)
        solver = _check_choice(self.solver, "solver", name, self._SOLVERS)
        tol = _check_real(self.tol, "tol", name)
        max_iter = None if self.max_iter is None else _check_int(self.max_iter, "max_iter", name)
        _check_ridge_alpha(self.alpha, 1 if np.ndim(self.alpha) == 0 else np.size(self.alpha), name)
        X, Y, y_ndim, sw = _validate_training_data(self, X, y, sample_weight)
        alphas = _check_ridge_alpha(self.alpha, Y.shape[1], name)

        Xc = _working_copy(X, copy_X)
        x_offset, y_offset = _center(Xc, Y, sw, fit_intercept)
        _rescale_rows(Xc, Y, sw)
        self.n_iter_: Any = 1
        if solver in ("auto", "cholesky"):
            solver = "cholesky"
            try:
                coef = _ridge_cholesky(Xc, Y, alphas)
            except linalg.LinAlgError:
                solver = "svd"
        if solver == "svd":
            coef = _ridge_svd(Xc, Y, alphas)
        elif solver == "lsqr":
            coef, self.n_iter_ = _ridge_lsqr(Xc, Y, alphas, max_iter, tol)
        self.solver_ = solver
        self._set_solution(coef, x_offset, y_offset, y_ndim, squeeze_single_target=True)
        return self


# -- Lasso ----------------------------------------------------------------------------------------


def _lasso_gap(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    R: np.ndarray,
    alpha: float,
    positive: bool,
    XtR: np.ndarray,
) -> tuple[float, float]:
    """Duality gap of the lasso at ``w`` (with residual ``R = y - X w``).

    For :math:`P(\\mathbf{w}) = \\tfrac12 \\lVert \\mathbf{r} \\rVert^2 + \\alpha
    \\lVert \\mathbf{w} \\rVert_1` the dual point :math:`\\boldsymbol{\\nu} = c\\,\\mathbf{r}`
    with :math:`c = \\min(1, \\alpha / \\lVert X^\\top \\mathbf{r} \\rVert_\\infty)` is
    feasible, and

    .. math:: G = P(\\mathbf{w}) - \\left(-\\tfrac12 c^2 \\lVert \\mathbf{r} \\rVert^2
              + c\\, \\mathbf{r}^\\top \\mathbf{y}\\right) \\ge P(\\mathbf{w}) - P(\\mathbf{w}^*).

    With ``alpha`` 0 there is no such dual; :math:`G = \\lVert X^\\top \\mathbf{r} \\rVert^2`
    (the optimality condition) is used instead.

    Returns
    -------
    gap : float
    dual_norm : float
        :math:`\\lVert X^\\top \\mathbf{r} \\rVert_\\infty` (its largest entry with
        ``positive``); :math:`\\lVert X^\\top \\mathbf{r} \\rVert^2` when ``alpha`` is 0.
        ``XtR`` (n_features,) receives :math:`X^\\top \\mathbf{r}`.
    """
    np.matmul(X.T, R, out=XtR)
    r2 = float(ddot(R, R))
    if alpha == 0.0:
        norm = float(ddot(XtR, XtR))
        return norm, norm
    dual_norm = float(XtR.max()) if positive else float(np.max(np.abs(XtR)))
    primal = 0.5 * r2 + alpha * float(np.abs(w).sum())
    scale = alpha / dual_norm if dual_norm > alpha else 1.0
    dual = -0.5 * scale * scale * r2 + scale * float(ddot(R, y))
    return primal - dual, dual_norm


def _lasso_coordinate_descent(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    alpha: float,
    max_iter: int,
    tol: float,
    positive: bool,
    rng: np.random.Generator | None,
) -> tuple[np.ndarray, float, float, int, bool]:
    """Coordinate descent for :math:`\\min_w \\tfrac12 \\lVert y - X w \\rVert^2 + \\alpha
    \\lVert w \\rVert_1`.

    One feature at a time, with the residual :math:`\\mathbf{r} = \\mathbf{y} - X\\mathbf{w}`
    kept up to date in place:

    .. math:: \\rho_j = \\mathbf{x}_j^\\top \\mathbf{r} + w_j \\lVert \\mathbf{x}_j \\rVert^2,
              \\qquad w_j \\leftarrow \\frac{\\operatorname{sign}(\\rho_j)
              \\max(|\\rho_j| - \\alpha, 0)}{\\lVert \\mathbf{x}_j \\rVert^2},
              \\qquad \\mathbf{r} \\leftarrow \\mathbf{r} - \\Delta w_j \\mathbf{x}_j

    (with ``positive``, :math:`w_j = 0` when :math:`\\rho_j < 0`). After a sweep whose largest
    change is at most ``tol`` times the largest weight, the duality gap is computed; the loop
    stops when it is at most :math:`\\text{tol} \\cdot \\lVert \\mathbf{y} \\rVert^2`. At
    those checks the gap-safe screening rule (Ndiaye et al., 2017) drops features that are
    certainly zero at the optimum. This is scikit-learn's algorithm and stopping rule, so the
    two agree to within the tolerance (and usually to rounding).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), Fortran order
    y : ndarray of shape (n_samples,)
    w : ndarray of shape (n_features,)
        Starting point, updated in place.
    alpha : float
        Penalty on the summed loss (``n_samples`` times the estimator's ``alpha``).
    rng : Generator or None
        Draws the coordinates for ``selection="random"``; None for cyclic order.

    Returns
    -------
    w : ndarray of shape (n_features,)
    gap : float
    tol_abs : float
        :math:`\\text{tol} \\cdot \\lVert \\mathbf{y} \\rVert^2`.
    n_iter : int
        Sweeps made.
    converged : bool
    """
    n, p = X.shape
    norms = np.einsum("ij,ij->j", X, X)
    cols = [X[:, j] for j in range(p)]  # contiguous views (Fortran order)
    R = y - X @ w
    XtR = np.empty(p)
    tol_abs = tol * float(ddot(y, y))
    gap, dual_norm = _lasso_gap(X, y, w, R, alpha, positive, XtR)
    if gap <= tol_abs:
        return w, gap, tol_abs, 0, True
    screening = alpha > 0.0
    excluded = norms == 0.0
    w[excluded] = 0.0

    def screen(gap: float, dual_norm: float) -> np.ndarray:
        # Features whose dual constraint is provably inactive are zero at the optimum.
        with np.errstate(divide="ignore", invalid="ignore"):
            d = (1.0 - np.abs(XtR / max(alpha, dual_norm))) / np.sqrt(norms)
        drop = ~excluded & (d > math.sqrt(2.0 * gap) / alpha)
        moved = np.flatnonzero(drop & (w != 0.0))
        if moved.size:
            R[...] += X[:, moved] @ w[moved]
            w[moved] = 0.0
        excluded[drop] = True
        return np.flatnonzero(~excluded)

    active = screen(gap, dual_norm) if screening else np.flatnonzero(~excluded)
    norm_list = norms.tolist()
    wl = w.tolist()
    for n_iter in range(max_iter):
        order = active
        if rng is not None and active.size:  # random coordinates, drawn with replacement
            order = active[rng.integers(0, active.size, active.size)]
        w_max = dw_max = 0.0
        for j in order.tolist():
            w_j = wl[j]
            rho = float(ddot(cols[j], R)) + w_j * norm_list[j]
            if positive and rho < 0.0:
                new = 0.0
            else:
                new = math.copysign(max(abs(rho) - alpha, 0.0), rho) / norm_list[j]
            if new != w_j:
                daxpy(cols[j], R, a=w_j - new)  # r <- r - (new - w_j) x_j, in place
                wl[j] = new
            dw_max = max(dw_max, abs(new - w_j))
            w_max = max(w_max, abs(new))
        if w_max == 0.0 or dw_max / w_max <= tol or n_iter == max_iter - 1:
            w[:] = wl
            gap, dual_norm = _lasso_gap(X, y, w, R, alpha, positive, XtR)
            if gap <= tol_abs:
                return w, gap, tol_abs, n_iter + 1, True
            if screening:
                active = screen(gap, dual_norm)
                wl = w.tolist()
    w[:] = wl
    return w, gap, tol_abs, max_iter, False


class Lasso(_LinearRegressorBase):
    """Linear least squares with an L1 penalty, by coordinate descent (notes §12.2).

    .. math:: \\min_{\\mathbf{w}, b} \\frac{1}{2 \\sum_i s_i} \\sum_{i=1}^{n} s_i
              (y_i - \\mathbf{x}_i^\\top \\mathbf{w} - b)^2 + \\alpha \\lVert \\mathbf{w}
              \\rVert_1

    scikit-learn's objective. The L1 penalty drives weak features' weights to exactly zero,
    so the lasso also selects features. Solved by coordinate descent on centred,
    :math:`\\sqrt{s}`-rescaled data (weights normalised to sum to :math:`n`), stopped by the
    duality gap as in scikit-learn.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength :math:`\\alpha \\ge 0` (0 is plain least squares, which coordinate
        descent solves slowly: prefer :class:`LinearRegression`).
    fit_intercept : bool, default=True
        Fit :math:`b`; when False the data are not centred and ``intercept_`` is 0.0.
    copy_X : bool, default=True
        When False, a writeable Fortran-ordered float64 ``X`` may be centred in place.
    max_iter : int, default=1000
        Maximum number of sweeps over the features.
    tol : float, default=1e-4
        Stop when the duality gap is at most ``tol`` times :math:`\\lVert \\mathbf{y}
        \\rVert^2` (centred, weighted ``y``).
    warm_start : bool, default=False
        Start from the previous ``coef_`` instead of zeros.
    positive : bool, default=False
        Constrain every coefficient to be >= 0.
    selection : {"cyclic", "random"}, default="cyclic"
        Visit the features in order, or draw one at random at each step.
    random_state : int, numpy.random.Generator or None, default=None
        Seed for ``selection="random"``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Weights :math:`\\mathbf{w}`.
    intercept_ : float or ndarray of shape (n_targets,)
        :math:`b` (0.0 when ``fit_intercept`` is False).
    dual_gap_ : float or ndarray of shape (n_targets,)
        Duality gap at the end, on the scale of the objective above.
    n_iter_ : int or list of int
        Sweeps made (one per target when ``y`` has several columns).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.linear_model import Lasso
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> Lasso(alpha=0.1).fit(X, [0.0, 1.0, 2.0]).coef_
    array([0.85, 0.  ])
    """

    def __init__(
        self,
        alpha: float = 1.0,
        *,
        fit_intercept: bool = True,
        copy_X: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
        warm_start: bool = False,
        positive: bool = False,
        selection: str = "cyclic",
        random_state: Any = None,
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.selection = selection
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Lasso:
        """Fit the lasso weights by coordinate descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : array-like of shape (n_samples,) or float, optional
            Non-negative weights :math:`s_i`.

        Returns
        -------
        self
        """
        name = type(self).__name__
        alpha = _check_real(self.alpha, "alpha", name)
        fit_intercept = _check_bool(self.fit_intercept, "fit_intercept", name)
        copy_X = _check_bool(self.copy_X, "copy_X", name)
        max_iter = _check_int(self.max_iter, "max_iter", name)
        tol = _check_real(self.tol, "tol", name)
        warm_start = _check_bool(self.warm_start, "warm_start", name)
        positive = _check_bool(self.positive, "positive", name)
        selection = _check_choice(self.selection, "selection", name, ("cyclic", "random"))
        rng = check_random_state(self.random_state) if selection == "random" else None
        if alpha == 0.0:
            warnings.warn(
                "With alpha=0, coordinate descent converges slowly; LinearRegression solves "
                "the same problem directly.",
                UserWarning,
                stacklevel=2,
            )
        X, Y, y_ndim, sw = _validate_training_data(self, X, y, sample_weight)
        n, p = X.shape
        k = Y.shape[1]
        if sw is not None:
            sw = sw * (n / sw.sum())
        Xc = _working_copy(X, copy_X, order="F")
        x_offset, y_offset = _center(Xc, Y, sw, fit_intercept)
        _rescale_rows(Xc, Y, sw)

        coef = np.zeros((k, p))
        previous = getattr(self, "coef_", None) if warm_start else None
        if previous is not None:
            previous = np.asarray(previous, dtype=np.float64)
            if previous.size != coef.size:
                raise ValueError(
                    f"warm_start: the previous coef_ has shape {previous.shape}, which does "
                    f"not fit {p} features and {k} target(s). Set warm_start=False."
                )
            coef[...] = previous.reshape(k, p)
        gaps = np.empty(k)
        n_iters = []
        for t in range(k):
            y_t = np.ascontiguousarray(Y[:, t])
            w, gap, tol_abs, n_iter, converged = _lasso_coordinate_descent(
                Xc, y_t, coef[t].copy(), alpha * n, max_iter, tol, positive, rng
            )
            coef[t] = w
            gaps[t] = gap / n
            n_iters.append(n_iter)
            if not converged:
                warnings.warn(
                    "Objective did not converge. You might want to increase the number of "
                    "iterations, check the scale of the features or consider increasing "
                    f"regularisation. Duality gap: {gap:.6e}, tolerance: {tol_abs:.3e}",
                    ConvergenceWarning,
                    stacklevel=2,
                )
        if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(y_offset))):
            raise ValueError(
                "Coordinate descent iterations resulted in non-finite parameter values. The "
                "input data may contain large values and need to be preprocessed."
            )
        if k == 1:
            self.n_iter_: Any = n_iters[0]
            self.dual_gap_: Any = float(gaps[0])
        else:
            self.n_iter_ = n_iters
            self.dual_gap_ = gaps
        self._set_solution(coef, x_offset, y_offset, y_ndim, squeeze_single_target=True)
        return self
