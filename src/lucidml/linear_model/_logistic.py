r"""Logistic regression (notes §9), trained by quasi-Newton, Newton or gradient descent (§8, §11).

From a Bernoulli model to the log loss
--------------------------------------
Logistic regression models a binary target :math:`y \in \{0, 1\}` as a Bernoulli variable whose
success probability is the sigmoid of a linear score:

.. math::

    z = \mathbf{w}^\top \mathbf{x} + b, \qquad
    p = P(y = 1 \mid \mathbf{x}) = \sigma(z) = \frac{1}{1 + e^{-z}}, \qquad
    P(y \mid \mathbf{x}) = p^{y} (1 - p)^{1 - y}.

Fitting by maximum likelihood means choosing :math:`(\mathbf{w}, b)` to maximise the probability of
the observed labels, :math:`\mathcal{L} = \prod_i p_i^{y_i} (1 - p_i)^{1 - y_i}`. Taking
:math:`-\log` turns the product into a sum and the maximisation into a minimisation of the
**log loss** (binary cross-entropy):

.. math::

    -\log \mathcal{L} = \sum_i \ell_i, \qquad
    \ell_i = -y_i \log p_i - (1 - y_i) \log (1 - p_i)
           = \log\bigl(1 + e^{z_i}\bigr) - y_i z_i .

The last form needs no probability at all, so it is evaluated from the score without overflow
(``logaddexp(0, z) - y z``). Its derivative is remarkably simple, the residual

.. math:: \frac{\partial \ell_i}{\partial z_i} = \sigma(z_i) - y_i = p_i - y_i,

so :math:`\nabla_{\mathbf{w}} = \sum_i (p_i - y_i) \mathbf{x}_i`, or :math:`X^\top (\mathbf{p} -
\mathbf{y})` for the whole batch (shapes: ``X`` (n, d), residuals (n,), gradient (d,)).

With :math:`K > 2` classes the Bernoulli becomes a categorical variable and the sigmoid a softmax
(notes §2): :math:`\mathbf{z}_i = W \mathbf{x}_i + \mathbf{b}` (``W`` of shape (K, d)),
:math:`P(y = k \mid \mathbf{x}_i) = \mathrm{softmax}(\mathbf{z}_i)_k` and

.. math::

    \ell_i = \log \sum_k e^{z_{ik}} - z_{i, y_i}, \qquad
    \frac{\partial \ell_i}{\partial z_{ik}} = p_{ik} - [y_i = k],

computed after subtracting the row maximum (log-sum-exp), so the gradient is
:math:`(P - Y)^\top X` with ``Y`` the one-hot labels (n, K).

The objective
-------------
As in scikit-learn, with sample weights :math:`s_i` (times the class weights) and the penalty
strength set by :math:`C`,

.. math::

    \min_{W, \mathbf{b}} \; C \sum_i s_i \ell_i + R(W), \qquad
    R(W) = \begin{cases}
        \tfrac12 \lVert W \rVert_2^2 & \text{l2} \\
        \lVert W \rVert_1 & \text{l1} \\
        \rho \lVert W \rVert_1 + \tfrac{1 - \rho}{2} \lVert W \rVert_2^2 & \text{elasticnet}
    \end{cases}

(the intercept is never penalised). Every solver minimises the same problem divided by
:math:`C S`, :math:`S = \sum_i s_i`: a weighted *mean* loss plus :math:`\alpha R(W)` with
:math:`\alpha = 1 / (C S)`; the minimiser does not change, but ``tol`` then means the same thing
for 100 samples as for a million.

Solvers
-------
* ``"lbfgs"`` -- SciPy's L-BFGS-B on the exact loss and gradient (one pass over ``X`` computes
  both, on preallocated buffers). l2 or no penalty.
* ``"newton"`` -- SciPy's trust-region Newton-CG: the Hessian
  :math:`X^\top \operatorname{diag}(s\,p(1 - p)) X / S + \alpha I` is never formed, only its
  products with vectors. l2 or no penalty; few, costly iterations -- fast on small and medium data.
* ``"batch"``, ``"sgd"``, ``"minibatch"`` -- the notes' three kinds of gradient descent (§8, §11):
  each update uses all samples, one sample, or ``batch_size`` samples. The penalty is applied by a
  *proximal* step after each gradient step (:mod:`lucidml.optim.penalties`), so L1 gives exact
  zeros. They work on internally standardised features (zero mean and unit variance, weighted;
  the penalty still applies to the coefficients of the original features), which makes one
  step size fit every problem and keeps features scaled by :math:`10^6` harmless. ``"batch"``
  adds Nesterov's acceleration (FISTA with adaptive restart); ``"sgd"`` and ``"minibatch"``
  correct each stochastic gradient with the SAGA memory of past per-sample gradients, so a
  constant step converges to the exact optimum instead of wandering around it. Identical
  samples are merged first (their weights summed), so a sample weight of :math:`m` gives
  exactly the result of :math:`m` copies, whatever the row order.
"""

from __future__ import annotations

import math
import numbers
import sys
import types
import warnings
from typing import Any

import numpy as np
from scipy import optimize
from scipy.special import expit, log_expit

from .._validation import (
    check_classification_targets,
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    encode_labels,
    unique_labels,
)
from ..base import BaseEstimator, ClassifierMixin
from ..exceptions import ConvergenceWarning
from ..optim import SGD, InverseScaling, batch_slices, epoch_permutation

__all__ = ["LogisticRegression"]

_SOLVERS = ("lbfgs", "newton", "batch", "sgd", "minibatch")
_STOCHASTIC = ("sgd", "minibatch")
_GD = ("batch", "sgd", "minibatch")
_PENALTIES = ("l2", "l1", "elasticnet", None)
_SMOOTH_ONLY = ("lbfgs", "newton")


def _class_weights(class_weight: Any, classes: np.ndarray, y_idx: np.ndarray, sw: np.ndarray):
    """Weight of each class, shape (n_classes,): ones, "balanced", or from a dict.

    "balanced" gives :math:`c_k = S / (K S_k)`, with :math:`S_k` the (sample-weighted) number of
    samples of class :math:`k`: every class then carries the same total weight.
    """
    k = len(classes)
    if class_weight is None:
        return np.ones(k)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                f"class_weight must be 'balanced', a dict or None, got {class_weight!r}."
            )
        counts = np.bincount(y_idx, weights=sw, minlength=k)
        with np.errstate(divide="ignore"):
            weights = counts.sum() / (k * counts)
        weights[~np.isfinite(weights)] = 1.0  # a class absent from this data: weight unused
        return weights
    if isinstance(class_weight, dict):
        weights = np.ones(k)
        known = {c.item() if isinstance(c, np.generic) else c: i for i, c in enumerate(classes)}
        for label, value in class_weight.items():
            key = label.item() if isinstance(label, np.generic) else label
            if key not in known:
                raise ValueError(
                    f"The class {label!r} in class_weight is not one of the classes "
                    f"{list(classes)}."
                )
            if (
                isinstance(value, bool)
                or not isinstance(value, numbers.Real)
                or not math.isfinite(value)
                or value < 0
            ):
                raise ValueError(
                    f"class_weight values must be finite numbers >= 0, got {value!r} for "
                    f"class {label!r}."
                )
            weights[known[key]] = float(value)
        return weights
    raise ValueError(f"class_weight must be 'balanced', a dict or None, got {class_weight!r}.")


# -- the loss and its derivatives on preallocated buffers ----------------------------------------


class _LogisticLoss:
    r"""Weighted mean log loss of a linear model, its gradient and Hessian-vector products.

    Parameters are one flat vector :math:`\theta` = ``[W.ravel(), b]`` with ``W`` of shape
    (k, d) and ``b`` of shape (k,) (absent without an intercept); :math:`k = 1` for two classes
    (sigmoid of one score), :math:`k = K` otherwise (softmax).

    .. math::

        f(\theta) = \sum_i \tilde s_i \ell_i(\theta) + \frac{\alpha}{2} \lVert W \rVert^2,
        \qquad \nabla_W f = R^\top X + \alpha W, \quad \nabla_b f = R^\top \mathbf{1},
        \quad R = \tilde s \odot (P - Y)

    with :math:`\tilde s` the weights normalised to sum to one. Buffers of shape (n, k) are
    allocated once; each call allocates only the small gradient vector.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y_idx : ndarray of int, shape (n_samples,)
        Class index of each sample (0/1 when ``n_out == 1``).
    n_out : int
        k: 1 (binary) or the number of classes.
    weights : ndarray of shape (n_samples,)
        Normalised weights :math:`\tilde s` (summing to one).
    fit_intercept : bool
    """

    def __init__(self, X, y_idx, n_out, weights, fit_intercept):
        n, d = X.shape
        self.X, self.n, self.d, self.k = X, n, d, n_out
        self.fit_intercept = fit_intercept
        self.weights = weights
        self.y_idx = y_idx
        self.T = _targets(y_idx, n_out)  # (n, k): 0/1 column or one-hot
        self.wT = self.T * weights[:, None]
        self.Z = np.empty((n, n_out))
        self.buf = np.empty(n)
        self.H = np.empty((n, n_out))  # probabilities (multinomial) or s p (1 - p) (binary)
        self._theta_H: np.ndarray | None = None
        self.size = n_out * d + (n_out if fit_intercept else 0)
        self.ones_n, self.ones_k = np.ones(n), np.ones(n_out)

    def value(self, theta: np.ndarray) -> float:
        """:math:`\\sum_i \\tilde s_i \\ell_i` at ``theta`` (no penalty), without the gradient."""
        Z = self.logits(theta)
        if self.k == 1:
            z = Z[:, 0]
            return _softplus_dot(z, self.weights, self.buf) - float(np.dot(self.wT[:, 0], z))
        zy = np.take_along_axis(Z, self.y_idx[:, None], axis=1)[:, 0]
        m = _row_max(Z, out=self.buf)
        Z -= m[:, None]
        np.exp(Z, out=Z)
        lse = np.log(np.dot(Z, self.ones_k))
        lse += m
        lse -= zy
        return float(np.dot(self.weights, lse))

    def split(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Views ``W`` (k, d) and ``b`` (k,) (None without intercept) into ``theta``."""
        kd = self.k * self.d
        W = theta[:kd].reshape(self.k, self.d)
        return W, (theta[kd:] if self.fit_intercept else None)

    def logits(self, theta: np.ndarray) -> np.ndarray:
        """:math:`Z = X W^\\top + b` into the (n, k) buffer."""
        W, b = self.split(theta)
        np.dot(self.X, W.T, out=self.Z)
        if b is not None:
            self.Z += b
        return self.Z

    def loss_grad(self, theta: np.ndarray, alpha: float = 0.0) -> tuple[float, np.ndarray]:
        """Value and gradient of :math:`f` at ``theta`` (shape (size,)), in one pass over X."""
        Z = self.logits(theta)
        w, buf = self.weights, self.buf
        if self.k == 1:
            z = Z[:, 0]
            loss = _softplus_dot(z, w, buf) - float(np.dot(self.wT[:, 0], z))
            expit(Z, out=Z)  # p
            if self._want_hessian:
                np.subtract(1.0, Z, out=self.H)
                self.H *= Z
                self.H *= w[:, None]  # s p (1 - p)
        else:
            m = _row_max(Z, out=buf)
            zy = np.take_along_axis(Z, self.y_idx[:, None], axis=1)[:, 0]
            Z -= m[:, None]
            np.exp(Z, out=Z)
            total = np.dot(Z, self.ones_k)  # row sums (a matrix-vector product is fastest)
            Z /= total[:, None]  # P
            np.log(total, out=total)
            total += m
            total -= zy  # per-sample loss: logsumexp(z) - z_y
            loss = float(np.dot(w, total))
            if self._want_hessian:
                self.H[...] = Z
        if self._want_hessian:
            self._theta_H = theta.copy()
        Z *= w[:, None]
        Z -= self.wT  # R = s (P - Y)
        grad = self._backward(Z)
        if alpha:
            W = self.split(theta)[0]
            loss += 0.5 * alpha * float(np.vdot(W, W))
            self.split(grad)[0][...] += alpha * W
        return loss, grad

    _want_hessian = False

    def _backward(self, R: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Gradient from residuals ``R`` (n, k): ``[R^T X, R^T 1]`` as one flat vector."""
        grad = np.empty(self.size) if out is None else out
        gW, gb = self.split(grad)
        np.dot(R.T, self.X, out=gW)
        if gb is not None:
            np.dot(self.ones_n, R, out=gb)  # column sums
        return grad

    def hessp(self, theta: np.ndarray, v: np.ndarray, alpha: float = 0.0) -> np.ndarray:
        r"""Hessian of :math:`f` at ``theta`` times ``v`` (both of shape (size,)).

        With :math:`\Delta Z = X V^\top + \mathbf{v}_b` (the change of the scores along ``v``):

        .. math::

            \text{binary: } Q = \tilde s\, p (1 - p) \odot \Delta Z, \qquad
            \text{softmax: } Q = \tilde s \odot P \odot
                \bigl(\Delta Z - (P \odot \Delta Z)\mathbf{1}\bigr),

        and :math:`Hv = [Q^\top X + \alpha V, \; Q^\top \mathbf{1}]`.
        """
        if self._theta_H is None or not np.array_equal(theta, self._theta_H):
            self.loss_grad(theta)
        dZ = self.logits(v)
        if self.k == 1:
            dZ *= self.H
        else:
            P = self.H
            dot = np.einsum("ij,ij->i", P, dZ)
            dZ -= dot[:, None]
            dZ *= P
            dZ *= self.weights[:, None]
        hv = self._backward(dZ)
        if alpha:
            self.split(hv)[0][...] += alpha * self.split(v)[0]
        return hv


def _softplus_dot(z: np.ndarray, w: np.ndarray, buf: np.ndarray) -> float:
    r""":math:`\sum_i w_i \log(1 + e^{z_i})`, as :math:`\max(z, 0) + \log(1 + e^{-|z|})`.

    No exponent is positive, so nothing overflows; ``buf`` (shape of ``z``) is scratch. Four
    simple ufuncs are several times faster than ``np.logaddexp(0, z)``.
    """
    np.abs(z, out=buf)
    np.negative(buf, out=buf)
    np.exp(buf, out=buf)
    np.log1p(buf, out=buf)
    total = float(np.dot(w, buf))
    np.maximum(z, 0.0, out=buf)
    return total + float(np.dot(w, buf))


def _row_max(Z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Maximum of each row of ``Z`` (n, k) into ``out`` (n,).

    For few classes, k - 1 elementwise maxima over columns beat NumPy's reduction along short
    rows by a wide margin.
    """
    k = Z.shape[1]
    if k > 16:
        return np.max(Z, axis=1, out=out)
    np.maximum(Z[:, 0], Z[:, 1], out=out)
    for j in range(2, k):
        np.maximum(out, Z[:, j], out=out)
    return out


def _targets(y_idx: np.ndarray, n_out: int) -> np.ndarray:
    """Targets of shape (n, k): the 0/1 labels as a column (k = 1) or the one-hot matrix."""
    n = y_idx.shape[0]
    if n_out == 1:
        return y_idx.astype(np.float64)[:, None]
    T = np.zeros((n, n_out))
    T[np.arange(n), y_idx] = 1.0
    return T


def _residuals(Z: np.ndarray, T: np.ndarray, u: np.ndarray) -> np.ndarray:
    """In place: scores ``Z`` (b, k) become the weighted residuals :math:`u (P - T)`.

    ``T`` (b, k) holds the targets and ``u`` (b, 1) the sample weights, as a column.
    """
    if Z.shape[1] == 1:
        expit(Z, out=Z)
    else:  # ufunc reductions directly: this runs once per update in the stochastic solvers
        Z -= np.maximum.reduce(Z, axis=1, keepdims=True)
        np.exp(Z, out=Z)
        Z /= np.add.reduce(Z, axis=1, keepdims=True)
    Z -= T
    Z *= u
    return Z


# -- gradient descent on standardised features --------------------------------------------------


def _moments(X: np.ndarray, sw: np.ndarray, centre: bool):
    r"""Total weight, weighted mean and sum of squared deviations of each feature.

    .. math::

        S = \sum_i s_i, \qquad \mu = \frac{1}{S} \sum_i s_i \mathbf{x}_i, \qquad
        M = \sum_i s_i (\mathbf{x}_i - \mu)^2

    (:math:`\mu = 0` without centring, so :math:`M` is the sum of squares). Shapes: ``X``
    (n, d), ``sw`` (n,); returns a float and two arrays (d,).
    """
    S = float(sw.sum())
    mean = (sw @ X) / S if centre else np.zeros(X.shape[1])
    m2 = sw @ np.square(X - mean)
    return S, mean, m2


def _combine_moments(a, b):
    r"""Moments of two batches together (Chan et al.'s parallel update).

    .. math::

        S = S_a + S_b, \quad \mu = \mu_a + \delta \frac{S_b}{S}, \quad
        M = M_a + M_b + \delta^2 \frac{S_a S_b}{S}, \qquad \delta = \mu_b - \mu_a
    """
    (Sa, mean_a, m2_a), (Sb, mean_b, m2_b) = a, b
    S = Sa + Sb
    delta = mean_b - mean_a
    return S, mean_a + delta * (Sb / S), m2_a + m2_b + np.square(delta) * (Sa * Sb / S)


def _scale_from_moments(S: float, mean: np.ndarray, m2: np.ndarray) -> np.ndarray:
    """Standard deviation (root mean square without centring); 1 for a constant feature."""
    scale = np.sqrt(m2 / S)
    constant = (scale == 0.0) | (scale < 1e-10 * np.abs(mean))
    scale[constant] = 1.0
    return scale


def _merge_duplicates(X: np.ndarray, y_idx: np.ndarray, sw: np.ndarray):
    r"""Drop zero-weight samples and merge identical samples, in a canonical order.

    Samples with the same features and label become one sample carrying the sum of their
    weights, and the rows come out sorted (bytewise), whatever their input order. The objective
    is unchanged, and the gradient-descent solvers then give the same result for a sample
    repeated :math:`m` times as for that sample with weight :math:`m`, and for any row order
    (``random_state`` fixing the rest).

    Returns
    -------
    X : ndarray of shape (n_unique, n_features)
    y_idx : ndarray of shape (n_unique,)
    sw : ndarray of shape (n_unique,)
        Summed weights, all > 0.
    """
    keep = sw > 0
    if not keep.all():
        X, y_idx, sw = X[keep], y_idx[keep], sw[keep]
    rows = np.ascontiguousarray(np.column_stack([X, y_idx.astype(np.float64)]))
    rows = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    merged = np.bincount(inverse.ravel(), weights=sw, minlength=len(first))
    return X[first], y_idx[first], merged


def _largest_eigenvalue(Xs: np.ndarray, w: np.ndarray) -> float:
    """Largest eigenvalue of the weighted second-moment matrix :math:`\\sum_i w_i x_i x_i^\\top`."""
    n, d = Xs.shape
    if d <= 1000:
        G = Xs.T @ (Xs * w[:, None])
        return float(np.linalg.eigvalsh(G)[-1]) if d > 1 else float(G[0, 0])
    from scipy.sparse.linalg import LinearOperator, eigsh

    op = LinearOperator((d, d), matvec=lambda v: Xs.T @ (w * (Xs @ v)), dtype=np.float64)
    return float(eigsh(op, k=1, which="LA", tol=1e-3, return_eigenvectors=False)[0]) * 1.01


class _Prox:
    r"""The proximal step of :math:`\alpha R` in standardised coordinates.

    With :math:`W' = W \operatorname{diag}(\sigma)` the penalty on the original coefficients is
    :math:`\alpha \sum_j (\rho |W'_j| / \sigma_j + \tfrac{1-\rho}{2} W_j'^2 / \sigma_j^2)`:
    an L1 part with per-entry weight :math:`c^{(1)}_j = 1/\sigma_j` and an L2 part with weight
    :math:`c^{(2)}_j = 1/\sigma_j^2` (zero on the intercept). Its prox is the one of
    :class:`lucidml.optim.L1` followed by the one of :class:`lucidml.optim.L2` with those masks:

    .. math::

        \theta_j \leftarrow \frac{\operatorname{sign}(\theta_j)
            \max(|\theta_j| - \eta \alpha \rho c^{(1)}_j, 0)}
            {1 + \eta \alpha (1 - \rho) c^{(2)}_j}.

    The thresholds and shrink factors are computed once per step size, so a constant-step
    solver pays four in-place ufunc calls per update (one for l2).
    """

    def __init__(self, penalty, alpha, l1_ratio, scale, k, fit_intercept):
        rho = {"l2": 0.0, "l1": 1.0, "elasticnet": l1_ratio, None: 0.0}[penalty]
        if penalty is None:
            alpha = 0.0
        tail = np.zeros(k if fit_intercept else 0)
        self.alpha, self.rho = float(alpha), float(rho)
        a1, a2 = self.alpha * self.rho, self.alpha * (1.0 - self.rho)
        self.c1 = np.concatenate([np.tile(a1 / scale, k), tail]) if a1 > 0 else None
        self.c2 = np.concatenate([np.tile(a2 / scale**2, k), tail]) if a2 > 0 else None
        self._step: float | None = None
        self._buf = np.empty(k * len(scale) + len(tail))

    def _prepare(self, step: float) -> None:
        self._step = step
        self._thresh = None if self.c1 is None else step * self.c1
        self._shrink = None if self.c2 is None else 1.0 / (1.0 + step * self.c2)

    def __call__(self, theta: np.ndarray, step: float) -> None:
        """Apply :math:`\\operatorname{prox}_{\\eta \\alpha R}` to ``theta`` in place."""
        if step != self._step:
            self._prepare(step)
        if self._thresh is not None:
            buf = self._buf
            np.abs(theta, out=buf)
            buf -= self._thresh
            np.maximum(buf, 0.0, out=buf)
            np.copysign(buf, theta, out=theta)
        if self._shrink is not None:
            theta *= self._shrink

    def value(self, theta: np.ndarray) -> float:
        """:math:`\\alpha R` at ``theta``."""
        out = 0.0
        if self.c1 is not None:
            out += float(np.dot(self.c1, np.abs(theta)))
        if self.c2 is not None:
            out += 0.5 * float(np.dot(self.c2, np.square(theta)))
        return out


def _step_sizes(loss: _LogisticLoss, batch_size: int) -> tuple[float, float]:
    r"""Step sizes from curvature bounds of the standardised problem.

    The loss has curvature at most :math:`\kappa = 1/4` in the score (sigmoid) or
    :math:`1/2` (softmax), so the mean loss is :math:`L`-smooth with
    :math:`L = \kappa \lambda_{max}(\sum_i \tilde s_i \tilde{\mathbf{x}}_i
    \tilde{\mathbf{x}}_i^\top)` (:math:`\tilde{\mathbf{x}} = (\mathbf{x}', 1)`; the
    intercept column is uncorrelated with the centred features). One sample's loss has
    curvature :math:`L_i = \kappa u_i \lVert \tilde{\mathbf{x}}_i \rVert^2`; with
    :math:`\bar L` their mean, a batch of :math:`b` of :math:`n` samples gets

    .. math:: L_b = \frac{n - b}{b (n - 1)} \bar L + \frac{n (b - 1)}{b (n - 1)} L

    (from :math:`\bar L` for one sample to :math:`L` for all).

    Returns
    -------
    batch_step : float
        :math:`1 / L`.
    stochastic_step : float
        :math:`1 / L_b`.
    """
    kappa = 0.25 if loss.k == 1 else 0.5
    n, intercept = loss.n, 1.0 if loss.fit_intercept else 0.0
    L = kappa * max(_largest_eigenvalue(loss.X, loss.weights), intercept) + 1e-12
    sq = np.einsum("ij,ij->i", loss.X, loss.X) + intercept
    L_avg = kappa * float(np.dot(loss.weights, sq)) + 1e-12  # mean of u_i |x_i|^2, u = n w
    b = min(batch_size, n)
    L_b = ((n - b) * L_avg + n * (b - 1) * L) / (b * (n - 1)) if n > 1 else L_avg
    return 1.0 / L, 1.0 / L_b


def _progress(enabled: Any, total: int, desc: str):
    """A tqdm bar on a terminal when ``verbose`` asks for one, else None."""
    if not enabled or not getattr(sys.stderr, "isatty", lambda: False)():
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # pragma: no cover - tqdm is optional
        return None
    return tqdm(total=total, desc=desc, leave=False)


def _fista(loss, theta, prox, step, max_iter, tol, verbose):
    r"""Batch gradient descent with Nesterov acceleration and a proximal step (FISTA).

    Every update uses all samples (notes §8):

    .. math::

        \theta_{t+1} = \operatorname{prox}_{\eta \alpha R}\bigl(y_t - \eta \nabla f(y_t)\bigr),
        \qquad y_{t+1} = \theta_{t+1} + \frac{a_t - 1}{a_{t+1}} (\theta_{t+1} - \theta_t),
        \qquad a_{t+1} = \frac{1 + \sqrt{1 + 4 a_t^2}}{2},

    restarting the momentum (:math:`a = 1`) whenever it points uphill. Stops when the largest
    entry of the gradient mapping :math:`(y_t - \theta_{t+1}) / \eta` is at most ``tol``.

    Returns the number of iterations and whether ``tol`` was met; ``theta`` is updated in place.
    """
    y = theta.copy()
    prev = theta.copy()
    diff = np.empty_like(theta)
    a = 1.0
    bar = _progress(verbose, max_iter, "batch gradient descent")
    converged, it = False, 0
    try:
        while it < max_iter:
            it += 1
            R = _residuals(loss.logits(y), loss.T, loss.weights[:, None])
            grad = loss._backward(R, out=diff)
            np.multiply(grad, -step, out=grad)
            grad += y
            prox(grad, step)  # grad now holds theta_{t+1}
            np.subtract(y, grad, out=y)  # y <- y - theta_{t+1}  (= step * gradient mapping)
            gmap = float(np.max(np.abs(y))) / step if y.size else 0.0
            prev[...] = theta
            theta[...] = grad
            if bar is not None:
                bar.update(1)
            if gmap <= tol:
                converged = True
                break
            np.subtract(theta, prev, out=diff)  # theta_{t+1} - theta_t
            if float(np.dot(y, diff)) > 0.0:  # momentum points uphill: restart
                a = 1.0
            a_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * a * a))
            np.multiply(diff, (a - 1.0) / a_next, out=y)
            y += theta
            a = a_next
    finally:
        if bar is not None:
            bar.close()
    return it, converged


def _saga(loss, theta, prox, step, batch_size, max_iter, tol, rng, verbose):
    r"""Stochastic or mini-batch gradient descent with the SAGA correction and a proximal step.

    Each epoch permutes the samples once (notes §11) and visits them ``batch_size`` at a time. A
    memory :math:`r_j` of each sample's last residual keeps :math:`A = \frac1n \sum_j r_j
    \tilde{\mathbf{x}}_j` (the average of the remembered gradients); for a batch :math:`B`,

    .. math::

        g = \frac{1}{|B|} \sum_{i \in B} (r_i^{new} - r_i) \tilde{\mathbf{x}}_i + A, \qquad
        \theta \leftarrow \operatorname{prox}_{\eta \alpha R}(\theta - \eta g),

    an unbiased gradient whose variance vanishes at the optimum, so a constant step converges.
    Should an epoch end with a higher (or non-finite) objective, the epoch is undone and the
    step halved. Stops when an epoch changes no weight by more than ``tol`` times the largest
    weight.

    Returns the number of epochs and whether ``tol`` was met; ``theta`` is updated in place.
    """
    n, k = loss.n, loss.k
    b = min(batch_size, n)
    # u: the weights as a column, with mean 1
    cur = {"X": loss.X.copy(), "T": loss.T.copy(), "u": loss.weights[:, None] * n}
    W, bias = loss.split(theta)
    WT = W.T  # a view: follows the in-place updates of theta
    Zb, D = np.empty((b, k)), np.empty((b, k))
    graw, gdir = np.empty(loss.size), np.empty(loss.size)
    gW, gb = loss.split(graw)

    def init_memory(recompute=True):
        # Residuals of every sample at the current point (or the stored ones), and the mean
        # gradient A they give.
        if recompute:
            z = cur["X"] @ W.T
            if bias is not None:
                z += bias
            cur["mem"] = _residuals(z, cur["T"], cur["u"])
        z = cur["mem"]
        np.dot(z.T, cur["X"], out=gW)
        if gb is not None:
            np.sum(z, axis=0, out=gb)
        return graw / n

    A = init_memory()
    alt = {key: np.empty_like(arr) for key, arr in cur.items()}
    perm = np.empty(n, dtype=np.intp)
    slices = batch_slices(n, b)
    opt = SGD(learning_rate=step)
    start = np.empty_like(theta)
    objective = loss.value(theta) + prox.value(theta)
    bar = _progress(verbose, max_iter, "stochastic gradient descent")
    converged, epoch = False, 0
    try:
        while epoch < max_iter:
            epoch += 1
            start[...] = theta
            A = init_memory(recompute=False)  # exact mean of the memory: no drift
            epoch_permutation(n, rng, out=perm)
            for key in cur:  # permute every per-sample array once per epoch (views below)
                np.take(cur[key], perm, axis=0, out=alt[key])
                cur[key], alt[key] = alt[key], cur[key]
            X, T, u, mem = cur["X"], cur["T"], cur["u"], cur["mem"]
            for s in slices:
                Xb, mb = X[s], mem[s]
                nb = Xb.shape[0]
                z, dlt = (Zb, D) if nb == b else (Zb[:nb], D[:nb])
                np.dot(Xb, WT, out=z)
                if bias is not None:
                    z += bias
                _residuals(z, T[s], u[s])
                np.subtract(z, mb, out=dlt)
                mb[...] = z
                np.dot(dlt.T, Xb, out=gW)
                if gb is not None:
                    np.add.reduce(dlt, axis=0, out=gb)
                np.multiply(graw, 1.0 / nb, out=gdir)
                gdir += A
                graw *= 1.0 / n
                A += graw
                opt.step(theta, gdir)
                prox(theta, step)
            if bar is not None:
                bar.update(1)
            new_objective = loss.value(theta) + prox.value(theta)
            if not new_objective <= objective + 1e-3 * abs(objective) + 1e-12:
                # The step was too large for this data (rare samples far from the others):
                # undo the epoch and halve the step.
                theta[...] = start
                step *= 0.5
                opt.learning_rate = step
                A = init_memory()
                continue
            objective = new_objective
            np.subtract(theta, start, out=start)
            change = float(np.max(np.abs(start))) if theta.size else 0.0
            largest = float(np.max(np.abs(theta))) if theta.size else 0.0
            if change <= tol * largest or change == 0.0:
                converged = True
                break
    finally:
        if bar is not None:
            bar.close()
    return epoch, converged


class _StochasticOnly:
    """Descriptor: the method exists only when ``solver`` is "sgd" or "minibatch"."""

    def __init__(self, fn):
        self.fn = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__

    def __get__(self, obj, owner=None):
        if obj is None:
            return self.fn
        if getattr(obj, "solver", None) not in _STOCHASTIC:
            raise AttributeError(
                f"{self.__name__} is only available with solver='sgd' or solver='minibatch', "
                f"not solver={getattr(obj, 'solver', None)!r}."
            )
        return types.MethodType(self.fn, obj)


class LogisticRegression(ClassifierMixin, BaseEstimator):
    r"""Logistic regression: binary (sigmoid) or multinomial (softmax), as in scikit-learn.

    Minimises the penalised negative log-likelihood of a Bernoulli (binary) or categorical
    (multiclass) model of the labels,

    .. math::

        C \sum_{i=1}^{n} s_i \ell_i + R(W), \qquad
        \ell_i = \log \sum_k e^{z_{ik}} - z_{i, y_i}, \quad
        \mathbf{z}_i = W \mathbf{x}_i + \mathbf{b},

    (for two classes: one score, :math:`\ell_i = \log(1 + e^{z_i}) - y_i z_i`), with
    :math:`R = \tfrac12\lVert W\rVert^2` (l2), :math:`\lVert W\rVert_1` (l1), their mix
    (elasticnet) or 0. The module docstring derives the loss from maximum likelihood and
    describes the solvers.

    Parameters
    ----------
    penalty : {"l2", "l1", "elasticnet"} or None, default="l2"
        The penalty :math:`R`; the intercept is never penalised. "l1" and "elasticnet" need a
        gradient-descent solver ("batch", "sgd" or "minibatch").
    C : float, default=1.0
        Inverse regularisation strength (> 0): smaller values regularise more.
    l1_ratio : float or None, default=None
        The L1 share :math:`\rho \in [0, 1]` of the elastic net
        :math:`\rho \lVert W \rVert_1 + \frac{1-\rho}{2} \lVert W \rVert_2^2`; required with
        ``penalty="elasticnet"``, ignored (with a warning) otherwise.
    fit_intercept : bool, default=True
        Learn the intercept :math:`\mathbf{b}` (otherwise it is 0).
    solver : {"lbfgs", "newton", "batch", "sgd", "minibatch"}, default="lbfgs"
        "lbfgs": L-BFGS-B (l2/None). "newton": trust-region Newton-CG with Hessian-vector
        products (l2/None). "batch", "sgd", "minibatch": the notes' batch, stochastic and
        mini-batch gradient descent with proximal penalty steps (every penalty).
    max_iter : int, default=100
        Maximum number of iterations (lbfgs, newton, batch) or of epochs (sgd, minibatch).
    tol : float, default=1e-4
        Stopping tolerance: the largest entry of the gradient of the objective divided by
        :math:`C S` (lbfgs; norm of that gradient for newton; of the proximal gradient mapping in
        standardised coordinates for batch), or the largest change of a weight over one epoch
        relative to the largest weight (sgd, minibatch).
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying ``sample_weight`` by class; "balanced" gives class :math:`k` the
        weight :math:`S / (K S_k)`.
    batch_size : int, default=32
        Samples per update for ``solver="minibatch"``.
    learning_rate : "auto" or float, default="auto"
        Step size of the gradient-descent solvers. "auto" derives it from curvature bounds of
        the standardised problem: :math:`1/L` for "batch", :math:`1/L_b` for "sgd" and
        "minibatch" (halved whenever an epoch raises the objective), and
        :math:`\eta_0 / \sqrt{t + 1}` with :math:`\eta_0 = 1 / L_b` in the :math:`t`-th call
        of ``partial_fit``. A float is used as the (constant) step.
    random_state : int, numpy.random.Generator or None, default=None
        Seeds the sample order of "sgd" and "minibatch".
    warm_start : bool, default=False
        Start ``fit`` from the previous solution.
    verbose : bool or int, default=False
        Show a progress bar (tqdm, when installed and stderr is a terminal) for the
        gradient-descent solvers.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels (any sortable type, strings too).
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        One row for two classes (the score of ``classes_[1]``), one per class otherwise.
    intercept_ : ndarray of shape (1,) or (n_classes,)
    n_iter_ : ndarray of int, shape (1,)
        Iterations (lbfgs, newton, batch) or epochs (sgd, minibatch) actually run.
    n_features_in_ : int
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
        Only when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.linear_model import LogisticRegression
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> y = np.array([0, 0, 1, 1])
    >>> clf = LogisticRegression().fit(X, y)
    >>> clf.predict([[0.2], [2.8]])
    array([0, 1])
    >>> clf.predict_proba([[1.5]]).round(3)
    array([[0.5, 0.5]])
    """

    def __init__(
        self,
        penalty: str | None = "l2",
        *,
        C: float = 1.0,
        l1_ratio: float | None = None,
        fit_intercept: bool = True,
        solver: str = "lbfgs",
        max_iter: int = 100,
        tol: float = 1e-4,
        class_weight: dict | str | None = None,
        batch_size: int = 32,
        learning_rate: float | str = "auto",
        random_state: Any = None,
        warm_start: bool = False,
        verbose: bool | int = False,
    ) -> None:
        self.penalty = penalty
        self.C = C
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.max_iter = max_iter
        self.tol = tol
        self.class_weight = class_weight
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.warm_start = warm_start
        self.verbose = verbose

    # -- parameters and data --------------------------------------------------------------------

    def _check_params(self) -> None:
        if self.solver not in _SOLVERS:
            raise ValueError(
                f"Unknown solver {self.solver!r}. Valid solvers are: {list(_SOLVERS)}."
            )
        if self.penalty not in _PENALTIES:
            raise ValueError(
                f"Unknown penalty {self.penalty!r}. Valid penalties are: 'l2', 'l1', "
                "'elasticnet' or None."
            )
        if self.solver in _SMOOTH_ONLY and self.penalty not in ("l2", None):
            raise ValueError(
                f"Solver {self.solver!r} supports only penalty='l2' or None, got "
                f"penalty={self.penalty!r}. Use solver='batch', 'sgd' or 'minibatch' for "
                f"{self.penalty!r}."
            )
        C = self.C
        if isinstance(C, bool) or not isinstance(C, numbers.Real) or not C > 0 or C != C:
            raise ValueError(f"C must be a number > 0, got {C!r}.")
        if self.penalty == "elasticnet":
            r = self.l1_ratio
            if isinstance(r, bool) or not isinstance(r, numbers.Real) or not 0.0 <= r <= 1.0:
                raise ValueError(
                    f"l1_ratio must be a number in [0, 1] with penalty='elasticnet', got {r!r}."
                )
        elif self.l1_ratio is not None:
            warnings.warn(
                f"l1_ratio is only used with penalty='elasticnet'; penalty={self.penalty!r} "
                "ignores it.",
                UserWarning,
                stacklevel=3,
            )
        m = self.max_iter
        if isinstance(m, bool) or not isinstance(m, numbers.Integral) or m < 1:
            raise ValueError(f"max_iter must be an integer >= 1, got {m!r}.")
        t = self.tol
        if isinstance(t, bool) or not isinstance(t, numbers.Real) or not 0 <= t < math.inf:
            raise ValueError(f"tol must be a finite number >= 0, got {t!r}.")
        b = self.batch_size
        if isinstance(b, bool) or not isinstance(b, numbers.Integral) or b < 1:
            raise ValueError(f"batch_size must be an integer >= 1, got {b!r}.")
        lr = self.learning_rate
        if not (isinstance(lr, str) and lr == "auto"):
            if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < math.inf:
                raise ValueError(f"learning_rate must be 'auto' or a number > 0, got {lr!r}.")
        if not isinstance(self.fit_intercept, (bool, np.bool_)):
            raise ValueError(f"fit_intercept must be a bool, got {self.fit_intercept!r}.")

    def _check_X(self, X: Any, y: Any = "no_validation", *, reset: bool) -> Any:
        """Validate to float64 (and ``y`` when given)."""
        return self._validate_data(X, y, reset=reset, dtype=np.float64)

    def _sample_weight(self, sample_weight: Any, X: np.ndarray) -> np.ndarray:
        return check_sample_weight(sample_weight, X, dtype=np.float64)

    # -- fitting ---------------------------------------------------------------------------------

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Fit the model to ``X`` (n_samples, n_features) and labels ``y`` (n_samples,).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels (numbers or strings); at least two classes.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights; an integer weight equals repeating the sample.

        Returns
        -------
        self
        """
        self._check_params()
        for name in (
            "_x_weight_",
            "_x_mean_",
            "_x_m2_",
            "_t_",
        ):  # state of an earlier gradient descent
            self.__dict__.pop(name, None)
        X, y = self._check_X(X, y, reset=True)
        check_classification_targets(y)
        classes, y_idx = unique_labels(y)
        if len(classes) < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {classes[0]!r}"
            )
        sw = self._sample_weight(sample_weight, X)
        sw = sw * _class_weights(self.class_weight, classes, y_idx, sw)[y_idx]
        if not np.any(sw > 0):
            raise ValueError("Sample weights must contain at least one non-zero number.")

        k = 1 if len(classes) == 2 else len(classes)
        d = X.shape[1]
        warm = (
            self.warm_start
            and getattr(self, "coef_", None) is not None
            and self.coef_.shape == (k, d)
            and np.array_equal(getattr(self, "classes_", None), classes)
        )
        coef0 = self.coef_.copy() if warm else np.zeros((k, d))
        intercept0 = self.intercept_.copy() if warm else np.zeros(k)
        self.classes_ = classes

        S = float(sw.sum())
        alpha = 0.0 if self.penalty is None or math.isinf(self.C) else 1.0 / (self.C * S)
        if self.solver in _SMOOTH_ONLY:
            coef, intercept, n_iter = self._fit_smooth(
                X, y_idx, k, sw / S, alpha, coef0, intercept0
            )
        else:
            coef, intercept, n_iter = self._fit_gd(X, y_idx, k, sw, alpha, coef0, intercept0)
        self.coef_ = coef
        self.intercept_ = intercept if self.fit_intercept else np.zeros(k)
        self.n_iter_ = np.array([n_iter], dtype=np.int32)
        return self

    def _fit_smooth(self, X, y_idx, k, w, alpha, coef0, intercept0):
        """lbfgs or newton on the raw features."""
        loss = _LogisticLoss(X, y_idx, k, w, self.fit_intercept)
        theta0 = np.concatenate([coef0.ravel(), intercept0 if self.fit_intercept else []])
        if self.solver == "lbfgs":
            res = optimize.minimize(
                loss.loss_grad,
                theta0,
                args=(alpha,),
                method="L-BFGS-B",
                jac=True,
                options={
                    "maxiter": self.max_iter,
                    "maxls": 50,
                    "gtol": self.tol,
                    "ftol": 64 * np.finfo(float).eps,
                },
            )
            hit_limit = res.status == 1
        else:
            loss._want_hessian = True
            with warnings.catch_warnings():
                # SciPy warns when the tolerance is below what float64 can resolve; the result
                # is then as converged as it can get.
                warnings.simplefilter("ignore", optimize.OptimizeWarning)
                res = optimize.minimize(
                    loss.loss_grad,
                    theta0,
                    args=(alpha,),
                    method="trust-ncg",
                    jac=True,
                    hessp=loss.hessp,
                    options={"gtol": self.tol, "maxiter": self.max_iter},
                )
            hit_limit = not res.success and res.nit >= self.max_iter
        if hit_limit:
            self._warn_not_converged(int(res.nit))
        W, b = loss.split(np.asarray(res.x, dtype=np.float64))
        return W.copy(), (b.copy() if b is not None else np.zeros(k)), int(res.nit)

    def _gd_setup(self, X, y_idx, k, sw, coef, intercept, accumulate):
        r"""Standardise :math:`x' = (x - \mu) / \sigma` and map (coef, intercept) there.

        ``fit`` takes :math:`\mu, \sigma` from its data; ``partial_fit`` (``accumulate``)
        merges the statistics of each call into those of the earlier calls, so a first batch
        that misses some classes does not fix a poor scale for good. The model is stored in
        the original units, so changing :math:`\mu, \sigma` between calls loses nothing.
        """
        X, y_idx, sw = _merge_duplicates(X, y_idx, sw)
        moments = _moments(X, sw, self.fit_intercept)
        previous = getattr(self, "_x_m2_", None)
        if accumulate and previous is not None and previous.shape == moments[2].shape:
            moments = _combine_moments((self._x_weight_, self._x_mean_, previous), moments)
        self._x_weight_, self._x_mean_, self._x_m2_ = moments
        mean, scale = self._x_mean_, _scale_from_moments(*moments)
        loss = _LogisticLoss((X - mean) / scale, y_idx, k, sw / sw.sum(), self.fit_intercept)
        theta = np.empty(loss.size)
        W, b = loss.split(theta)
        W[...] = coef * scale
        if b is not None:
            b[...] = intercept + coef @ mean
        return loss, theta, mean, scale

    @staticmethod
    def _gd_finish(loss, theta, mean, scale):
        """Map the standardised solution back: :math:`W = W' / \\sigma`, :math:`b = b' - W\\mu`."""
        W, b = loss.split(theta)
        coef = W / scale
        intercept = (b - coef @ mean) if b is not None else np.zeros(loss.k)
        return coef, intercept

    def _fit_gd(self, X, y_idx, k, sw, alpha, coef0, intercept0):
        """batch, sgd or minibatch gradient descent on standardised features."""
        loss, theta, mean, scale = self._gd_setup(X, y_idx, k, sw, coef0, intercept0, False)
        prox = _Prox(self.penalty, alpha, self.l1_ratio, scale, k, self.fit_intercept)
        auto = isinstance(self.learning_rate, str)
        if self.solver == "batch":
            step = _step_sizes(loss, loss.n)[0] if auto else float(self.learning_rate)
            n_iter, converged = _fista(
                loss, theta, prox, step, self.max_iter, self.tol, self.verbose
            )
        else:
            b = 1 if self.solver == "sgd" else min(self.batch_size, loss.n)
            step = _step_sizes(loss, b)[1] if auto else float(self.learning_rate)
            rng = check_random_state(self.random_state)
            n_iter, converged = _saga(
                loss, theta, prox, step, b, self.max_iter, self.tol, rng, self.verbose
            )
        self._t_ = n_iter
        if not converged:
            self._warn_not_converged(n_iter)
        coef, intercept = self._gd_finish(loss, theta, mean, scale)
        return coef, intercept, n_iter

    def _warn_not_converged(self, n_iter: int) -> None:
        unit = "epochs" if self.solver in _STOCHASTIC else "iterations"
        warnings.warn(
            f"LogisticRegression(solver={self.solver!r}) did not converge within "
            f"max_iter={self.max_iter} {unit} (ran {n_iter}). Increase max_iter, or "
            "standardise the features.",
            ConvergenceWarning,
            stacklevel=4,
        )

    @_StochasticOnly
    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> LogisticRegression:
        r"""One pass of stochastic ("sgd") or mini-batch ("minibatch") gradient descent.

        For online learning: each call permutes the given samples and makes one proximal
        gradient step per sample (or per ``batch_size`` samples),

        .. math::

            \theta \leftarrow \operatorname{prox}_{\eta_t \alpha R}\bigl(\theta - \eta_t
            \tfrac{1}{|B|} \textstyle\sum_{i \in B} u_i (p_i - y_i) \tilde{\mathbf{x}}_i\bigr),
            \qquad \eta_t = \eta_0 / \sqrt{t + 1},

        with :math:`t` the number of earlier passes (calls, or epochs of ``fit``) and the
        penalty scaled as if the data of this call were the whole training set (so repeated
        calls on the same data approach ``fit``). Features are standardised with the weighted
        mean and variance of all the data seen so far; identical samples are merged (their
        weights summed) and zero-weight samples dropped.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), optional
            All the labels that will ever appear; required on the first call.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        self._check_params()
        first = not hasattr(self, "coef_")
        if first and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        if classes is not None:
            classes_arr = np.asarray(classes)
            if classes_arr.ndim != 1 or classes_arr.size == 0:
                raise ValueError(
                    "classes must be a non-empty 1-D array-like of labels, got shape "
                    f"{classes_arr.shape}."
                )
            check_classification_targets(classes_arr)
            classes_arr, _ = unique_labels(classes_arr)
            if not first and not np.array_equal(self.classes_, classes_arr):
                raise ValueError(
                    f"`classes={classes!r}` is not the same as on last call to partial_fit, "
                    f"was: {self.classes_!r}"
                )
            if len(classes_arr) < 2:
                raise ValueError(
                    "This solver needs samples of at least 2 classes in the data, but the "
                    f"data contains only one class: {classes_arr[0]!r}"
                )
        X, y = self._check_X(X, y, reset=first)
        check_classification_targets(y)
        if first:
            self.classes_ = classes_arr
        y_idx = encode_labels(y, self.classes_)
        sw = self._sample_weight(sample_weight, X)
        sw = sw * _class_weights(self.class_weight, self.classes_, y_idx, sw)[y_idx]
        if not np.any(sw > 0):
            raise ValueError("Sample weights must contain at least one non-zero number.")
        k = 1 if len(self.classes_) == 2 else len(self.classes_)
        d = X.shape[1]
        coef = np.zeros((k, d)) if first else self.coef_
        intercept = np.zeros(k) if first else self.intercept_
        loss, theta, mean, scale = self._gd_setup(X, y_idx, k, sw, coef, intercept, not first)
        S = float(sw.sum())
        alpha = 0.0 if self.penalty is None or math.isinf(self.C) else 1.0 / (self.C * S)
        prox = _Prox(self.penalty, alpha, self.l1_ratio, scale, k, self.fit_intercept)

        n = loss.n
        b = 1 if self.solver == "sgd" else min(self.batch_size, n)
        t = int(getattr(self, "_t_", 0))  # epochs (passes) made so far
        if isinstance(self.learning_rate, str):
            step = InverseScaling(_step_sizes(loss, b)[1], power_t=0.5)(t)
        else:
            step = float(self.learning_rate)
        opt = SGD(learning_rate=step)
        order = epoch_permutation(n, self._partial_rng(t))
        Xp, Tp, up = loss.X[order], loss.T[order], loss.weights[order, None] * n
        W, bias = loss.split(theta)
        grad = np.empty(loss.size)
        gW, gb = loss.split(grad)
        Zb = np.empty((b, k))
        for s in batch_slices(n, b):
            Xb = Xp[s]
            z = Zb[: Xb.shape[0]]
            np.dot(Xb, W.T, out=z)
            if bias is not None:
                z += bias
            _residuals(z, Tp[s], up[s])
            np.dot(z.T, Xb, out=gW)
            if gb is not None:
                np.add.reduce(z, axis=0, out=gb)
            grad *= 1.0 / Xb.shape[0]
            opt.step(theta, grad)
            prox(theta, step)
        self._t_ = t + 1
        self.coef_, self.intercept_ = self._gd_finish(loss, theta, mean, scale)
        if not self.fit_intercept:
            self.intercept_ = np.zeros(k)
        self.n_iter_ = np.array([1], dtype=np.int32)
        return self

    def _partial_rng(self, t: int) -> np.random.Generator:
        """A generator for one partial_fit call: a fixed seed gives a new order at every call."""
        rs = self.random_state
        if rs is None or isinstance(rs, (numbers.Integral, np.integer)):
            return np.random.default_rng(None if rs is None else [int(rs), int(t)])
        return check_random_state(rs)

    # -- prediction -----------------------------------------------------------------------------

    def decision_function(self, X: Any) -> np.ndarray:
        """Scores :math:`X W^\\top + \\mathbf{b}`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,) for two classes (score of ``classes_[1]``), else
        (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each sample, shape (n_samples,)."""
        scores = self.decision_function(X)
        idx = (scores > 0).astype(np.intp) if scores.ndim == 1 else np.argmax(scores, axis=1)
        return self.classes_[idx]

    def predict_log_proba(self, X: Any) -> np.ndarray:
        r"""Log-probabilities, stable for any score.

        Two classes: :math:`(\log \sigma(-z), \log \sigma(z))`; more:
        :math:`z_k - \max_j z_j - \log \sum_j e^{z_j - \max_j z_j}` (log-softmax).

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([log_expit(-scores), log_expit(scores)])
        scores -= np.max(scores, axis=1, keepdims=True)
        scores -= np.log(np.sum(np.exp(scores), axis=1, keepdims=True))
        return scores

    def predict_proba(self, X: Any) -> np.ndarray:
        r"""Class probabilities: :math:`(\sigma(-z), \sigma(z))` or the softmax of the scores.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows sum to one; columns follow ``classes_``.
        """
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return np.column_stack([expit(-scores), expit(scores)])
        scores -= np.max(scores, axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= np.sum(scores, axis=1, keepdims=True)
        return scores
