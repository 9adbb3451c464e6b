r"""Loss functions, each beside its gradient with respect to the prediction (notes §9 and §14).

Arguments come in scikit-learn's order, ``(y_true, y_pred)``. Every loss takes a ``reduction``:

* ``"mean"`` (default): the mean over samples of the per-sample loss, the notes' batch cost
  :math:`C = \frac{1}{n} \sum_{b} C_b` (§14);
* ``"sum"``: the sum over samples;
* ``"none"``: the per-sample losses, shape (n_samples,).

A per-sample loss sums over the output columns when the prediction is 2-D. The gradients follow
the same reduction: with ``"mean"`` they include the factor :math:`1/n`, with ``"sum"`` and
``"none"`` they do not (for ``"none"``, row :math:`i` is the gradient of sample :math:`i`'s loss).
Gradients have the shape and dtype of the prediction; float32 stays float32.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

from .._validation import check_array, check_consistent_length
from .activations import log_softmax, softmax

__all__ = [
    "squared_error",
    "squared_error_grad",
    "binary_log_loss",
    "binary_log_loss_grad",
    "binary_log_loss_from_logits",
    "binary_log_loss_from_logits_grad",
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_from_logits",
    "cross_entropy_from_logits_grad",
    "Loss",
    "LOSSES",
    "get_loss",
]

_REDUCTIONS = ("mean", "sum", "none")
_FLOATS = (np.float64, np.float32)


# ----------------------------------------------------------------------------------------------
# shared checks
# ----------------------------------------------------------------------------------------------


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}.")


def _check_pred(y_pred: Any, name: str) -> np.ndarray:
    y_pred = check_array(y_pred, ensure_2d=False, dtype=_FLOATS, input_name=name)
    if y_pred.ndim not in (1, 2):
        raise ValueError(
            f"{name} must be 1-D (n_samples,) or 2-D (n_samples, n_outputs), "
            f"got shape {y_pred.shape}."
        )
    return y_pred


def _check_targets(y_true: Any, y_pred: Any, pred_name: str = "y_pred"):
    """Validate a prediction and a target of the same shape; the target takes its dtype."""
    y_pred = _check_pred(y_pred, pred_name)
    y_true = check_array(y_true, ensure_2d=False, dtype=y_pred.dtype.type, input_name="y_true")
    check_consistent_length(y_true, y_pred)
    if y_true.shape != y_pred.shape:
        # A column vector against a flat vector is the one mismatch resolved, never broadcast.
        if (
            y_true.size == y_pred.size
            and max(y_true.ndim, y_pred.ndim) <= 2
            and (y_true.ndim == 1 or y_true.shape[1] == 1)
        ):
            y_true = y_true.reshape(y_pred.shape)
        else:
            raise ValueError(
                f"y_true and {pred_name} have different shapes: {y_true.shape} and {y_pred.shape}."
            )
    return y_true, y_pred


def _check_unit_interval(a: np.ndarray, name: str) -> None:
    if a.size and (a.min() < 0 or a.max() > 1):
        raise ValueError(f"{name} must lie in [0, 1], got values in [{a.min()}, {a.max()}].")


def _reduce(per_sample: np.ndarray, reduction: str) -> Any:
    _check_reduction(reduction)
    if reduction == "none":
        return per_sample
    if reduction == "sum":
        return per_sample.sum()
    return per_sample.mean()


def _scale(grad: np.ndarray, reduction: str) -> np.ndarray:
    _check_reduction(reduction)
    if reduction == "mean":
        grad /= grad.shape[0]
    return grad


def _per_sample(elementwise: np.ndarray) -> np.ndarray:
    return elementwise if elementwise.ndim == 1 else elementwise.sum(axis=1)


def _default_eps(eps: float | str, dtype: np.dtype) -> float:
    if isinstance(eps, str):
        if eps != "auto":
            raise ValueError(f"eps must be 'auto' or a float in (0, 0.5), got {eps!r}.")
        return float(np.finfo(dtype).eps)
    if not 0 < eps < 0.5:
        raise ValueError(f"eps must be 'auto' or a float in (0, 0.5), got {eps!r}.")
    return float(eps)


# ----------------------------------------------------------------------------------------------
# squared error (notes §14)
# ----------------------------------------------------------------------------------------------


def squared_error(y_true: Any, y_pred: Any, reduction: str = "mean") -> Any:
    r"""Squared error, the notes' network cost (§14).

    .. math:: C_b = \sum_{k} (a_k - y_k)^2, \qquad C = \frac{1}{n}\sum_{b=1}^{n} C_b

    With ``reduction="mean"`` and 1-D targets this is scikit-learn's ``mean_squared_error``;
    with 2-D targets it is that times the number of outputs (the notes sum over output units).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
    y_pred : array-like of the same shape
        Predictions :math:`a`.
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    float or ndarray of shape (n_samples,)
    """
    y_true, y_pred = _check_targets(y_true, y_pred)
    diff = np.subtract(y_pred, y_true)
    np.square(diff, out=diff)
    return _reduce(_per_sample(diff), reduction)


def squared_error_grad(y_true: Any, y_pred: Any, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`squared_error` with respect to ``y_pred``.

    .. math:: \frac{\partial C_b}{\partial a_k} = 2\,(a_k - y_k)

    (the notes' ``distance_derivative``), divided by :math:`n` for ``reduction="mean"``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
    y_pred : array-like of the same shape
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    ndarray of the shape of ``y_pred``
    """
    y_true, y_pred = _check_targets(y_true, y_pred)
    grad = np.subtract(y_pred, y_true)
    grad *= 2
    return _scale(grad, reduction)


# ----------------------------------------------------------------------------------------------
# binary log loss (notes §9)
# ----------------------------------------------------------------------------------------------


def binary_log_loss(
    y_true: Any, y_pred: Any, eps: float | str = "auto", reduction: str = "mean"
) -> Any:
    r"""Binary log loss (binary cross-entropy) from probabilities, derived from the Bernoulli MLE.

    Logistic regression (notes §9) assumes each label is a Bernoulli draw,
    :math:`P(y \mid p) = p^{y} (1 - p)^{1 - y}` with :math:`p = P(y = 1 \mid x)`. The likelihood
    of independent samples is the product :math:`\prod_i p_i^{y_i} (1 - p_i)^{1 - y_i}`;
    maximising it is minimising its negative logarithm, which turns the product into a sum of
    per-sample losses :math:`L(Y, P(Y \mid X)) = -\log P(Y \mid X)`:

    .. math:: \ell(y, p) = -\bigl[\, y \log p + (1 - y) \log(1 - p) \,\bigr]

    Probabilities are clipped to :math:`[\epsilon, 1 - \epsilon]` so that a confident mistake
    costs :math:`-\log\epsilon` rather than infinity.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Labels in {0, 1} (soft labels in [0, 1] are accepted).
    y_pred : array-like of the same shape
        Probabilities :math:`p = P(y = 1)`, in [0, 1].
    eps : float or "auto", default="auto"
        Clipping; "auto" is the machine epsilon of the prediction's dtype.
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    float or ndarray of shape (n_samples,)
    """
    y_true, p = _check_targets(y_true, y_pred)
    _check_unit_interval(y_true, "y_true")
    _check_unit_interval(p, "y_pred")
    eps = _default_eps(eps, p.dtype)
    p = np.clip(p, eps, 1 - eps)
    loss = np.log(p)
    loss *= y_true
    loss += (1 - y_true) * np.log1p(-p)
    np.negative(loss, out=loss)
    return _reduce(_per_sample(loss), reduction)


def binary_log_loss_grad(
    y_true: Any, y_pred: Any, eps: float | str = "auto", reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`binary_log_loss` with respect to the probabilities.

    .. math:: \frac{\partial \ell}{\partial p} = -\frac{y}{p} + \frac{1 - y}{1 - p}
              = \frac{p - y}{p\,(1 - p)}

    evaluated at the clipped :math:`p` (so it stays finite), divided by :math:`n` for
    ``reduction="mean"``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
    y_pred : array-like of the same shape
    eps : float or "auto", default="auto"
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    ndarray of the shape of ``y_pred``
    """
    y_true, p = _check_targets(y_true, y_pred)
    _check_unit_interval(y_true, "y_true")
    _check_unit_interval(p, "y_pred")
    eps = _default_eps(eps, p.dtype)
    p = np.clip(p, eps, 1 - eps)
    grad = p - y_true
    grad /= p
    grad /= 1 - p
    return _scale(grad, reduction)


def binary_log_loss_from_logits(y_true: Any, z: Any, reduction: str = "mean") -> Any:
    r"""Binary log loss from scores :math:`z` (with :math:`p = \sigma(z)`), computed stably.

    Substituting :math:`\log \sigma(z) = -\log(1 + e^{-z})` and
    :math:`\log(1 - \sigma(z)) = -\log(1 + e^{z})` gives
    :math:`\ell = \log(1 + e^{z}) - y z`, evaluated as

    .. math:: \ell(y, z) = \max(z, 0) - y z + \log\bigl(1 + e^{-|z|}\bigr),

    which never exponentiates a positive number: no overflow for any finite :math:`z`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Labels in [0, 1].
    z : array-like of the same shape
        Scores (logits).
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    float or ndarray of shape (n_samples,)
    """
    y_true, z = _check_targets(y_true, z, "z")
    _check_unit_interval(y_true, "y_true")
    with np.errstate(under="ignore"):
        soft = np.exp(-np.abs(z))
        np.log1p(soft, out=soft)
    loss = np.maximum(z, 0)
    loss -= y_true * z
    loss += soft
    return _reduce(_per_sample(loss), reduction)


def binary_log_loss_from_logits_grad(y_true: Any, z: Any, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`binary_log_loss_from_logits` with respect to the scores.

    .. math:: \frac{\partial \ell}{\partial z} = \sigma(z) - y

    divided by :math:`n` for ``reduction="mean"``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
    z : array-like of the same shape
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    ndarray of the shape of ``z``
    """
    y_true, z = _check_targets(y_true, z, "z")
    _check_unit_interval(y_true, "y_true")
    grad = expit(z)
    grad -= y_true
    return _scale(grad, reduction)


# ----------------------------------------------------------------------------------------------
# categorical cross-entropy
# ----------------------------------------------------------------------------------------------


def _check_categorical(y_true: Any, y_pred: Any, pred_name: str):
    """Return (labels or None, Y or None, prediction): integer labels (n,) or a (n, k) matrix."""
    pred = check_array(y_pred, dtype=_FLOATS, input_name=pred_name)
    n, k = pred.shape
    arr = np.asarray(y_true)
    if arr.ndim == 1 or (arr.ndim == 2 and arr.shape[1] == 1 and k > 1):
        labels = check_array(arr.reshape(-1), ensure_2d=False, dtype=None, input_name="y_true")
        check_consistent_length(labels, pred)
        if labels.dtype.kind == "b" or labels.dtype.kind not in "iuf":
            raise ValueError(
                f"Integer class labels in 0..{k - 1} were expected in y_true, got dtype "
                f"{labels.dtype}."
            )
        if labels.dtype.kind == "f":
            if not np.all(labels == np.round(labels)):
                raise ValueError(
                    "y_true is 1-D, so it must hold integer class labels; got non-integer values."
                )
            labels = labels.astype(np.intp)
        if labels.size and (labels.min() < 0 or labels.max() >= k):
            raise ValueError(
                f"Class labels must lie in 0..{k - 1} ({pred_name} has {k} columns), got "
                f"values in [{labels.min()}, {labels.max()}]."
            )
        return labels.astype(np.intp, copy=False), None, pred
    Y = check_array(arr, dtype=pred.dtype.type, input_name="y_true")
    check_consistent_length(Y, pred)
    if Y.shape != pred.shape:
        raise ValueError(
            f"y_true and {pred_name} have different shapes: {Y.shape} and {pred.shape}. "
            "Pass one-hot targets of the same shape or integer labels of shape (n_samples,)."
        )
    if Y.min() < 0:
        raise ValueError("y_true must be non-negative (one-hot or class probabilities).")
    return None, Y, pred


def cross_entropy(
    y_true: Any, y_pred: Any, eps: float | str = "auto", reduction: str = "mean"
) -> Any:
    r"""Categorical cross-entropy from class probabilities.

    The multi-class form of the log loss (a categorical likelihood in place of the Bernoulli one):

    .. math:: \ell(y, p) = -\sum_{k} y_k \log p_k

    With integer labels :math:`c` this is :math:`-\log p_c`. Probabilities are clipped to
    :math:`[\epsilon, 1 - \epsilon]`; rows are not renormalised.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_classes)
        Integer labels in ``0..n_classes-1``, or one-hot (or soft) targets.
    y_pred : array-like of shape (n_samples, n_classes)
        Class probabilities, each row summing to 1.
    eps : float or "auto", default="auto"
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    float or ndarray of shape (n_samples,)
    """
    labels, Y, P = _check_categorical(y_true, y_pred, "y_pred")
    _check_unit_interval(P, "y_pred")
    eps = _default_eps(eps, P.dtype)
    if labels is not None:
        p = np.clip(P[np.arange(P.shape[0]), labels], eps, 1 - eps)
        per_sample = -np.log(p)
    else:
        logp = np.log(np.clip(P, eps, 1 - eps))
        logp *= Y
        per_sample = -logp.sum(axis=1)
    return _reduce(per_sample, reduction)


def cross_entropy_grad(
    y_true: Any, y_pred: Any, eps: float | str = "auto", reduction: str = "mean"
) -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to the probabilities.

    .. math:: \frac{\partial \ell}{\partial p_k} = -\frac{y_k}{p_k}

    at the clipped :math:`p`, divided by :math:`n` for ``reduction="mean"``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_classes)
    y_pred : array-like of shape (n_samples, n_classes)
    eps : float or "auto", default="auto"
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
    """
    labels, Y, P = _check_categorical(y_true, y_pred, "y_pred")
    _check_unit_interval(P, "y_pred")
    eps = _default_eps(eps, P.dtype)
    if labels is not None:
        rows = np.arange(P.shape[0])
        grad = np.zeros_like(P)
        grad[rows, labels] = -1 / np.clip(P[rows, labels], eps, 1 - eps)
    else:
        grad = np.clip(P, eps, 1 - eps)
        np.divide(Y, grad, out=grad)
        np.negative(grad, out=grad)
    return _scale(grad, reduction)


def cross_entropy_from_logits(y_true: Any, z: Any, reduction: str = "mean") -> Any:
    r"""Categorical cross-entropy from scores, through :func:`log_softmax` (never overflows).

    .. math::

        \ell(y, z) = -\sum_k y_k \log \mathrm{softmax}(z)_k
                   = -\sum_k y_k \Bigl(z_k - m - \log\sum_j e^{z_j - m}\Bigr)

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_classes)
        Integer labels or one-hot (or soft) targets.
    z : array-like of shape (n_samples, n_classes)
        Scores (logits).
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    float or ndarray of shape (n_samples,)
    """
    labels, Y, Z = _check_categorical(y_true, z, "z")
    logp = log_softmax(Z, axis=1)
    if labels is not None:
        per_sample = -logp[np.arange(Z.shape[0]), labels]
    else:
        logp *= Y
        per_sample = -logp.sum(axis=1)
    return _reduce(per_sample, reduction)


def cross_entropy_from_logits_grad(y_true: Any, z: Any, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`cross_entropy_from_logits` with respect to the scores.

    .. math:: \frac{\partial \ell}{\partial z_k} = s_k \sum_j y_j - y_k
              \;=\; s_k - y_k \text{ for one-hot } y, \qquad s = \mathrm{softmax}(z)

    divided by :math:`n` for ``reduction="mean"``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_classes)
    z : array-like of shape (n_samples, n_classes)
    reduction : {"mean", "sum", "none"}, default="mean"

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
    """
    labels, Y, Z = _check_categorical(y_true, z, "z")
    grad = softmax(Z, axis=1)
    if labels is not None:
        grad[np.arange(Z.shape[0]), labels] -= 1
    else:
        grad *= Y.sum(axis=1, keepdims=True)
        grad -= Y
    return _scale(grad, reduction)


# ----------------------------------------------------------------------------------------------
# Loss bundles
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loss:
    r"""A loss with its gradient, in probability and in score ("logit") form.

    Parameters
    ----------
    name : str
        Canonical name.
    fn : callable ``fn(y_true, y_pred, reduction="mean")``
        The loss of the network's output (probabilities for the log losses).
    grad : callable ``grad(y_true, y_pred, reduction="mean") -> ndarray``
        Gradient of ``fn`` with respect to ``y_pred``.
    fn_from_logits : callable ``fn_from_logits(y_true, z, reduction="mean")``
        The same loss of the scores :math:`z`, with :attr:`output_activation` applied inside.
    grad_from_logits : callable ``grad_from_logits(y_true, z, reduction="mean") -> ndarray``
        Gradient with respect to the scores; for the canonical pairs it is simply
        :math:`(a - y)` (times :math:`1/n` for "mean"; times 2 for the squared error).
    output_activation : str
        The activation that maps scores to ``y_pred`` for this loss: ``"identity"``,
        ``"sigmoid"`` or ``"softmax"``.
    """

    name: str
    fn: Callable[..., Any]
    grad: Callable[..., np.ndarray]
    fn_from_logits: Callable[..., Any]
    grad_from_logits: Callable[..., np.ndarray]
    output_activation: str

    def __call__(self, y_true: Any, y_pred: Any, reduction: str = "mean") -> Any:
        return self.fn(y_true, y_pred, reduction=reduction)


LOSSES: dict[str, Loss] = {
    "squared_error": Loss(
        "squared_error",
        squared_error,
        squared_error_grad,
        squared_error,
        squared_error_grad,
        "identity",
    ),
    "binary_log_loss": Loss(
        "binary_log_loss",
        binary_log_loss,
        binary_log_loss_grad,
        binary_log_loss_from_logits,
        binary_log_loss_from_logits_grad,
        "sigmoid",
    ),
    "cross_entropy": Loss(
        "cross_entropy",
        cross_entropy,
        cross_entropy_grad,
        cross_entropy_from_logits,
        cross_entropy_from_logits_grad,
        "softmax",
    ),
}

_ALIASES = {
    "mse": "squared_error",
    "log_loss": "binary_log_loss",
    "binary_cross_entropy": "binary_log_loss",
    "categorical_cross_entropy": "cross_entropy",
}


def get_loss(name: str | Loss) -> Loss:
    """Look up a loss by name (or pass a :class:`Loss` through).

    Parameters
    ----------
    name : str or Loss
        ``"squared_error"`` (alias ``"mse"``), ``"binary_log_loss"`` (aliases ``"log_loss"``,
        ``"binary_cross_entropy"``) or ``"cross_entropy"`` (alias
        ``"categorical_cross_entropy"``).

    Returns
    -------
    Loss

    Raises
    ------
    ValueError
        For an unknown name, listing the valid ones.
    """
    if isinstance(name, Loss):
        return name
    if not isinstance(name, str):
        raise TypeError(f"loss must be a string or a Loss, got {type(name).__name__}.")
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in LOSSES:
        valid = sorted([*LOSSES, *_ALIASES])
        raise ValueError(f"Unknown loss {name!r}. Valid names are: {', '.join(valid)}.")
    return LOSSES[key]
