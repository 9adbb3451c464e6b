"""L1, L2 and elastic-net penalties: regularisation against over-fitting (notes §12.2).

A penalty :math:`R(w)` is added to the training loss so that large weights cost something. Each
penalty offers the three things gradient descent needs:

* ``value(params, mask)`` -- :math:`R(w)`, for the reported loss;
* ``add_grad(params, grad, mask)`` -- ``grad += dR/dw`` in place (L1 uses the subgradient
  :math:`\\operatorname{sign}(w)`, 0 at 0), for plain (sub)gradient descent;
* ``prox(params, step, mask)`` -- the proximal step

  .. math:: w \\leftarrow \\operatorname{prox}_{\\eta R}(w)
            = \\arg\\min_u \\tfrac{1}{2\\eta}\\lVert u - w\\rVert^2 + R(u),

  applied *after* an unpenalised gradient step of size :math:`\\eta`. For L1 this is
  soft-thresholding, which sets small weights to exactly zero (subgradient steps only make them
  oscillate around zero).

``mask`` is an optional array of the shape of ``params`` (bool or float) marking which entries are
penalised (1) and which are not (0); biases usually are not. A float mask acts as a per-entry
weight :math:`c_i` on the penalty. Hot-path methods work in place through scratch buffers
allocated on first use, so they allocate nothing afterwards.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = ["Penalty", "NoPenalty", "L2", "L1", "ElasticNet", "get_penalty"]


def _check_alpha(alpha: Any) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise ValueError(f"alpha must be a number >= 0, got {alpha!r}.")
    value = float(alpha)
    if not math.isfinite(value) or value < 0.0:
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}.")
    return value


def _check_step(step: Any) -> float:
    value = float(step)
    if not math.isfinite(value) or value < 0.0:
        raise ValueError(f"step must be a finite number >= 0, got {step!r}.")
    return value


class Penalty:
    """Base class: scratch buffers shared by the concrete penalties.

    Parameters
    ----------
    alpha : float
        Strength :math:`\\alpha \\ge 0`.
    """

    name = "penalty"

    def __init__(self, alpha: float = 1e-4) -> None:
        self.alpha = _check_alpha(alpha)
        self._buf: np.ndarray | None = None
        self._buf2: np.ndarray | None = None

    def _scratch(self, params: np.ndarray) -> np.ndarray:
        buf = self._buf
        if buf is None or buf.shape != params.shape or buf.dtype != params.dtype:
            buf = self._buf = np.empty_like(params)
        return buf

    def _scratch2(self, params: np.ndarray) -> np.ndarray:
        buf = self._buf2
        if buf is None or buf.shape != params.shape or buf.dtype != params.dtype:
            buf = self._buf2 = np.empty_like(params)
        return buf

    @staticmethod
    def _check_mask(params: np.ndarray, mask: Any) -> np.ndarray | None:
        if mask is None:
            return None
        mask = np.asarray(mask)
        if mask.shape != params.shape:
            raise ValueError(
                f"mask must have the shape of params {params.shape}, got {mask.shape}."
            )
        return mask

    def __repr__(self) -> str:
        return f"{type(self).__name__}(alpha={self.alpha!r})"

    # The three operations; concrete classes override them.
    def value(self, params: np.ndarray, mask: Any = None) -> float:  # pragma: no cover
        raise NotImplementedError

    def add_grad(self, params: np.ndarray, grad: np.ndarray, mask: Any = None) -> None:
        raise NotImplementedError  # pragma: no cover

    def prox(self, params: np.ndarray, step: float, mask: Any = None) -> None:
        raise NotImplementedError  # pragma: no cover

    # Shared kernels -------------------------------------------------------------------------

    def _l2_value(self, params: np.ndarray, mask: np.ndarray | None) -> float:
        # sum_i c_i w_i^2
        if mask is None:
            return float(np.vdot(params, params))
        buf = self._scratch(params)
        np.multiply(params, mask, out=buf)
        return float(np.vdot(buf, params))

    def _l1_value(self, params: np.ndarray, mask: np.ndarray | None) -> float:
        # sum_i c_i |w_i|
        buf = self._scratch(params)
        np.abs(params, out=buf)
        if mask is None:
            return float(buf.sum())
        np.multiply(buf, mask, out=buf)
        return float(buf.sum())

    def _add_scaled(self, grad: np.ndarray, buf: np.ndarray, coef: float, mask) -> None:
        # grad += coef * mask * buf   (buf is overwritten)
        if mask is not None:
            np.multiply(buf, mask, out=buf)
        np.multiply(buf, coef, out=buf)
        np.add(grad, buf, out=grad)

    def _soft_threshold(self, params: np.ndarray, thresh: float, mask) -> None:
        # w <- sign(w) * max(|w| - thresh * c, 0)
        buf = self._scratch(params)
        np.abs(params, out=buf)
        if mask is None:
            np.subtract(buf, thresh, out=buf)
        else:
            t = self._scratch2(params)
            np.multiply(mask, thresh, out=t)
            np.subtract(buf, t, out=buf)
        np.maximum(buf, 0.0, out=buf)
        np.copysign(buf, params, out=params)

    def _shrink(self, params: np.ndarray, coef: float, mask) -> None:
        # w <- w / (1 + coef * c)
        if mask is None:
            np.multiply(params, 1.0 / (1.0 + coef), out=params)
            return
        buf = self._scratch(params)
        np.multiply(mask, coef, out=buf)
        np.add(buf, 1.0, out=buf)
        np.divide(params, buf, out=params)


class NoPenalty(Penalty):
    """No regularisation: value 0, and the gradient and proximal steps leave arrays untouched."""

    name = "none"

    def __init__(self) -> None:
        super().__init__(0.0)

    def __repr__(self) -> str:
        return "NoPenalty()"

    def value(self, params: np.ndarray, mask: Any = None) -> float:
        """Always 0.0."""
        return 0.0

    def add_grad(self, params: np.ndarray, grad: np.ndarray, mask: Any = None) -> None:
        """Does nothing."""

    def prox(self, params: np.ndarray, step: float, mask: Any = None) -> None:
        """Does nothing."""


class L2(Penalty):
    """Squared-L2 (ridge, "weight decay") penalty.

    .. math::

        R(w) = \\frac{\\alpha}{2} \\sum_i c_i w_i^2, \\qquad
        \\frac{\\partial R}{\\partial w_i} = \\alpha c_i w_i, \\qquad
        \\operatorname{prox}_{\\eta R}(w)_i = \\frac{w_i}{1 + \\eta \\alpha c_i}

    with :math:`c_i` the mask (1 everywhere when it is None).

    Parameters
    ----------
    alpha : float, default=1e-4
        Strength :math:`\\alpha \\ge 0`.
    """

    name = "l2"

    def value(self, params: np.ndarray, mask: Any = None) -> float:
        """:math:`R(w)` as a Python float. ``params``: any shape; ``mask``: same shape or None."""
        mask = self._check_mask(params, mask)
        return 0.5 * self.alpha * self._l2_value(params, mask)

    def add_grad(self, params: np.ndarray, grad: np.ndarray, mask: Any = None) -> None:
        """``grad += alpha * mask * params`` in place; ``grad`` has the shape of ``params``."""
        mask = self._check_mask(params, mask)
        buf = self._scratch(params)
        if mask is None:
            np.multiply(params, self.alpha, out=buf)
        else:
            np.multiply(params, mask, out=buf)
            np.multiply(buf, self.alpha, out=buf)
        np.add(grad, buf, out=grad)

    def prox(self, params: np.ndarray, step: float, mask: Any = None) -> None:
        """Shrink ``params`` in place: ``w / (1 + step * alpha * mask)``."""
        mask = self._check_mask(params, mask)
        self._shrink(params, _check_step(step) * self.alpha, mask)


class L1(Penalty):
    """L1 (lasso) penalty; its proximal step gives exact zeros.

    .. math::

        R(w) = \\alpha \\sum_i c_i |w_i|, \\qquad
        \\frac{\\partial R}{\\partial w_i} \\ni \\alpha c_i \\operatorname{sign}(w_i), \\qquad
        \\operatorname{prox}_{\\eta R}(w)_i = \\operatorname{sign}(w_i)
            \\max(|w_i| - \\eta \\alpha c_i, 0)

    (soft-thresholding; the subgradient uses :math:`\\operatorname{sign}(0) = 0`).

    Parameters
    ----------
    alpha : float, default=1e-4
        Strength :math:`\\alpha \\ge 0`.
    """

    name = "l1"

    def value(self, params: np.ndarray, mask: Any = None) -> float:
        """:math:`R(w)` as a Python float. ``params``: any shape; ``mask``: same shape or None."""
        mask = self._check_mask(params, mask)
        return self.alpha * self._l1_value(params, mask)

    def add_grad(self, params: np.ndarray, grad: np.ndarray, mask: Any = None) -> None:
        """``grad += alpha * mask * sign(params)`` in place."""
        mask = self._check_mask(params, mask)
        buf = self._scratch(params)
        np.sign(params, out=buf)
        self._add_scaled(grad, buf, self.alpha, mask)

    def prox(self, params: np.ndarray, step: float, mask: Any = None) -> None:
        """Soft-threshold ``params`` in place by ``step * alpha * mask``."""
        mask = self._check_mask(params, mask)
        self._soft_threshold(params, _check_step(step) * self.alpha, mask)


class ElasticNet(Penalty):
    """Mix of L1 and squared L2, with scikit-learn's parametrisation.

    .. math::

        R(w) = \\alpha \\sum_i c_i \\left(\\rho |w_i| + \\frac{1 - \\rho}{2} w_i^2\\right),
        \\qquad
        \\frac{\\partial R}{\\partial w_i} \\ni \\alpha c_i
            \\left(\\rho \\operatorname{sign}(w_i) + (1 - \\rho) w_i\\right),

    .. math::

        \\operatorname{prox}_{\\eta R}(w)_i = \\frac{\\operatorname{sign}(w_i)
            \\max(|w_i| - \\eta \\alpha \\rho c_i, 0)}{1 + \\eta \\alpha (1 - \\rho) c_i}

    Parameters
    ----------
    alpha : float, default=1e-4
        Strength :math:`\\alpha \\ge 0`.
    l1_ratio : float, default=0.15
        The L1 share :math:`\\rho`, in [0, 1] (1 is L1, 0 is L2).
    """

    name = "elasticnet"

    def __init__(self, alpha: float = 1e-4, l1_ratio: float = 0.15) -> None:
        super().__init__(alpha)
        if (
            isinstance(l1_ratio, bool)
            or not isinstance(l1_ratio, numbers.Real)
            or not 0.0 <= float(l1_ratio) <= 1.0
        ):
            raise ValueError(f"l1_ratio must be a number in [0, 1], got {l1_ratio!r}.")
        self.l1_ratio = float(l1_ratio)

    def __repr__(self) -> str:
        return f"ElasticNet(alpha={self.alpha!r}, l1_ratio={self.l1_ratio!r})"

    def value(self, params: np.ndarray, mask: Any = None) -> float:
        """:math:`R(w)` as a Python float. ``params``: any shape; ``mask``: same shape or None."""
        mask = self._check_mask(params, mask)
        rho = self.l1_ratio
        return self.alpha * (
            rho * self._l1_value(params, mask) + 0.5 * (1.0 - rho) * self._l2_value(params, mask)
        )

    def add_grad(self, params: np.ndarray, grad: np.ndarray, mask: Any = None) -> None:
        """``grad += alpha * mask * (l1_ratio * sign(w) + (1 - l1_ratio) * w)`` in place."""
        mask = self._check_mask(params, mask)
        rho = self.l1_ratio
        buf = self._scratch(params)
        # buf <- rho sign(w) + (1 - rho) w, then grad += alpha * mask * buf
        t = self._scratch2(params)
        np.sign(params, out=buf)
        np.multiply(buf, rho, out=buf)
        np.multiply(params, 1.0 - rho, out=t)
        np.add(buf, t, out=buf)
        self._add_scaled(grad, buf, self.alpha, mask)

    def prox(self, params: np.ndarray, step: float, mask: Any = None) -> None:
        """Soft-threshold by ``step*alpha*l1_ratio*mask``, then shrink by the L2 part."""
        mask = self._check_mask(params, mask)
        eta_alpha = _check_step(step) * self.alpha
        self._soft_threshold(params, eta_alpha * self.l1_ratio, mask)
        self._shrink(params, eta_alpha * (1.0 - self.l1_ratio), mask)


_PENALTIES = ("elasticnet", "l1", "l2", "none")


def get_penalty(name: str | Penalty | None, alpha: float = 1e-4, l1_ratio: float = 0.15) -> Penalty:
    """Build a penalty from its name, or return a :class:`Penalty` instance unchanged.

    Parameters
    ----------
    name : {"l2", "l1", "elasticnet", "none"}, None or Penalty
        ``None`` and ``"none"`` give :class:`NoPenalty`, whose methods do nothing.
    alpha : float, default=1e-4
        Strength :math:`\\alpha \\ge 0`.
    l1_ratio : float, default=0.15
        The L1 share, used by ``"elasticnet"`` only.

    Returns
    -------
    Penalty
    """
    if isinstance(name, Penalty):
        return name
    key = "none" if name is None else (name.lower() if isinstance(name, str) else None)
    if key == "l2":
        return L2(alpha)
    if key == "l1":
        return L1(alpha)
    if key == "elasticnet":
        return ElasticNet(alpha, l1_ratio)
    if key == "none":
        return NoPenalty()
    raise ValueError(f"Unknown penalty {name!r}. Valid names are: {list(_PENALTIES)} or None.")
