"""Activation functions, each beside its derivative (notes §2 and §6).

Every function takes an array ``z`` of any shape (batch-first, ``(n_samples, n_units)`` in a
network) and an optional ``out`` array to write the result into. float32 and float64 inputs keep
their dtype; integer and boolean inputs are computed in float64. All of them stay finite and warn
about nothing for inputs as large as ``|z| = 1e4`` (softmax subtracts the row maximum before
exponentiating, exactly as the notes derive in §2).

The network engine works from the *output* of an activation: :class:`Activation` bundles a function
with its derivative written in terms of that output (``sigmoid``: :math:`a(1 - a)`), which it
evaluates in place on preallocated buffers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

__all__ = [
    "identity",
    "identity_grad",
    "step",
    "step_grad",
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "softmax",
    "softmax_grad",
    "softmax_backward",
    "log_softmax",
    "log_softmax_grad",
    "log_softmax_backward",
    "Activation",
    "ACTIVATIONS",
    "get_activation",
]


def _as_float(z: Any, name: str = "z") -> np.ndarray:
    """Return ``z`` as a float array: float16/32/64 unchanged, integers and booleans as float64."""
    z = np.asarray(z)
    kind = z.dtype.kind
    if kind == "f":
        return z
    if kind in "biu":
        return z.astype(np.float64)
    raise ValueError(
        f"{name} must hold real numbers, got an array of dtype {z.dtype}. "
        "Encode strings and other non-numeric values first."
    )


def _overlaps(a: np.ndarray, out: np.ndarray | None) -> bool:
    return out is not None and np.may_share_memory(a, out)


# ----------------------------------------------------------------------------------------------
# identity and step (notes §6: the ideal "step" activation and why it is replaced by the sigmoid)
# ----------------------------------------------------------------------------------------------


def identity(z: Any, out: np.ndarray | None = None) -> np.ndarray:
    r"""Identity (linear) activation.

    .. math:: \mathrm{id}(z) = z

    Parameters
    ----------
    z : ndarray of shape (...)
        Pre-activations.
    out : ndarray of shape (...), optional
        Where to write the result.

    Returns
    -------
    a : ndarray of shape (...)
        A copy of ``z`` (or ``out`` holding it); never a view of ``z``.
    """
    return np.positive(_as_float(z), out=out)


def identity_grad(z: Any, out: np.ndarray | None = None) -> np.ndarray:
    r"""Derivative of the identity: :math:`\mathrm{id}'(z) = 1`.

    Parameters
    ----------
    z : ndarray of shape (...)
    out : ndarray of shape (...), optional

    Returns
    -------
    ndarray of shape (...)
        Ones, in the dtype of ``z``.
    """
    z = _as_float(z)
    if out is None:
        return np.ones_like(z)
    out.fill(1)
    return out


def _identity_grad_from_output(a: Any, out: np.ndarray | None = None) -> np.ndarray:
    return identity_grad(a, out=out)


def step(z: Any, out: np.ndarray | None = None) -> np.ndarray:
    r"""Heaviside step: the notes' "ideal" activation (1 excites the neuron, 0 inhibits it).

    .. math:: \mathrm{step}(z) = \begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}

    Parameters
    ----------
    z : ndarray of shape (...)
    out : ndarray of shape (...), optional

    Returns
    -------
    ndarray of shape (...)
        0.0 or 1.0 in the dtype of ``z``.
    """
    z = _as_float(z)
    return np.heaviside(z, np.ones((), dtype=z.dtype), out=out)


def step_grad(z: Any, out: np.ndarray | None = None) -> np.ndarray:
    r"""Derivative of the step, taken as 0 everywhere (it is undefined at 0 and 0 elsewhere).

    This is why the notes replace the step by the sigmoid: no gradient flows through it.

    Parameters
    ----------
    z : ndarray of shape (...)
    out : ndarray of shape (...), optional

    Returns
    -------
    ndarray of shape (...)
        Zeros in the dtype of ``z``.
    """
    z = _as_float(z)
    if out is None:
        return np.zeros_like(z)
    out.fill(0)
    return out


def _step_grad_from_output(a: Any, out: np.ndarray | None = None) -> np.ndarray:
    return step_grad(a, out=out)


# ----------------------------------------------------------------------------------------------
# sigmoid and tanh
# ----------------------------------------------------------------------------------------------


def sigmoid(z: Any, out: np.ndarray | None = None) -> np.ndarray:
    r"""Logistic sigmoid, computed without overflow for any finite ``z``.

    .. math:: \sigma(z) = \frac{1}{1 + e^{-z}}

    Parameters
    ----------
    z : ndarray of shape (...)
    out : ndarray of shape (...), optional

    Returns
    -------
    ndarray of shape (...)
        Values in :math:`[0, 1]`.
    """
    return expit(_as_float(z), out=out)


def _sigmoid_grad_from_output(a: Any, out: np.ndarray | None = None) -> np.ndarray:
    a = _as_float(a, "a")
    if out is None or _overlaps(a, out):
        return np.multiply(a, 1.0 - a, out=out)
    np.subtract(1.0, a, out=out)
    out *= a
    return out


def sigmoid_grad(z: Any, out: np.ndarray | None = None) -> np.ndarray:
    r"""Derivative of the sigmoid.

    .. math:: \sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)

    Parameters
    ----------
    z : ndarray of shape (...)
    out : ndarray of shape (...), optional

    Returns
    -------
    ndarray of shape (...)
        Values in :math:`[0, 1/4]`.
    """
    s = sigmoid(z)
    return _sigmoid_grad_from_output(s, out=s if out is None else out)


def tanh(z: Any, out: np.ndarray | None = None) -> np.ndarray:
    r"""Hyperbolic tangent.

    .. math:: \tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}

    Parameters
    ----------
    z : ndarray of shape (...)
    out : ndarray of shape (...), optional

    Returns
    -------
    ndarray of shape (...)
        Values in :math:`[-1, 1]`.
    """
    return np.tanh(_as_float(z), out=out)


def _tanh_grad_from_output(a: Any, out: np.ndarray | None = None) -> np.ndarray:
    a = _as_float(a, "a")
    out = np.square(a, out=out)
    return np.subtract(1.0, out, out=out)


def tanh_grad(z: Any, out: np.ndarray | None = None) -> np.ndarray:
    r"""Derivative of the hyperbolic tangent.

    .. math:: \tanh'(z) = 1 - \tanh^2(z)

    Parameters
    ----------
    z : ndarray of shape (...)
    out : ndarray of shape (...), optional

    Returns
    -------
    ndarray of shape (...)
        Values in :math:`[0, 1]`.
    """
    t = tanh(z, out=out)
    return _tanh_grad_from_output(t, out=t)


# ----------------------------------------------------------------------------------------------
# ReLU family
# ----------------------------------------------------------------------------------------------


def relu(z: Any, out: np.ndarray | None = None) -> np.ndarray:
    r"""Rectified linear unit.

    .. math:: \mathrm{relu}(z) = \max(z, 0)

    Parameters
    ----------
    z : ndarray of shape (...)
    out : ndarray of shape (...), optional

    Returns
    -------
    ndarray of shape (...)
    """
    return np.maximum(_as_float(z), 0, out=out)


def _relu_grad_from_output(a: Any, out: np.ndarray | None = None) -> np.ndarray:
    a = _as_float(a, "a")
    if out is None:
        return (a > 0).astype(a.dtype)
    return np.greater(a, 0, out=out)


def relu_grad(z: Any, out: np.ndarray | None = None) -> np.ndarray:
    r"""Derivative of the ReLU (taken as 0 at :math:`z = 0`).

    .. math:: \mathrm{relu}'(z) = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}

    Parameters
    ----------
    z : ndarray of shape (...)
    out : ndarray of shape (...), optional

    Returns
    -------
    ndarray of shape (...)
    """
    # relu(z) > 0 exactly when z > 0, so the output form applies to z itself.
    return _relu_grad_from_output(z, out=out)


def _check_alpha(alpha: float) -> float:
    if not np.isscalar(alpha) or not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}.")
    return float(alpha)


def leaky_relu(z: Any, alpha: float = 0.01, out: np.ndarray | None = None) -> np.ndarray:
    r"""Leaky ReLU: a small slope ``alpha`` for negative inputs.

    .. math:: \mathrm{lrelu}(z) = \begin{cases} z & z \ge 0 \\ \alpha z & z < 0 \end{cases}

    Parameters
    ----------
    z : ndarray of shape (...)
    alpha : float, default=0.01
        Slope for negative inputs, :math:`\alpha \ge 0`.
    out : ndarray of shape (...), optional

    Returns
    -------
    ndarray of shape (...)
    """
    z = _as_float(z)
    alpha = _check_alpha(alpha)
    if alpha <= 1.0 and not _overlaps(z, out):
        # max(z, alpha z) equals the piecewise form when 0 <= alpha <= 1; no temporary needed.
        out = np.multiply(z, alpha, out=out)
        return np.maximum(z, out, out=out)
    return np.multiply(z, np.where(z >= 0, 1.0, alpha).astype(z.dtype), out=out)


def _leaky_relu_grad_from_output(
    a: Any, alpha: float = 0.01, out: np.ndarray | None = None
) -> np.ndarray:
    a = _as_float(a, "a")
    alpha = _check_alpha(alpha)
    out = (a > 0).astype(a.dtype) if out is None else np.greater(a, 0, out=out)
    out *= 1.0 - alpha
    out += alpha
    return out


def leaky_relu_grad(z: Any, alpha: float = 0.01, out: np.ndarray | None = None) -> np.ndarray:
    r"""Derivative of the leaky ReLU (taken as :math:`\alpha` at :math:`z = 0`).

    .. math:: \mathrm{lrelu}'(z) = \begin{cases} 1 & z > 0 \\ \alpha & z \le 0 \end{cases}

    Parameters
    ----------
    z : ndarray of shape (...)
    alpha : float, default=0.01
    out : ndarray of shape (...), optional

    Returns
    -------
    ndarray of shape (...)
    """
    # For alpha > 0 the output has the sign of z, so the output form applies to z itself.
    return _leaky_relu_grad_from_output(z, alpha=alpha, out=out)


# ----------------------------------------------------------------------------------------------
# softmax and log-softmax (notes §2)
# ----------------------------------------------------------------------------------------------


def softmax(z: Any, axis: int = -1, out: np.ndarray | None = None) -> np.ndarray:
    r"""Softmax along ``axis``, with the maximum subtracted first (notes §2).

    Subtracting the row maximum :math:`m = \max_j z_j` changes nothing mathematically,

    .. math::

        \mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}
                              = \frac{e^{z_i - m}}{\sum_j e^{z_j - m}},

    but every exponent becomes :math:`\le 0`, so :math:`e^{z_i - m}` cannot overflow and the
    denominator is at least 1.

    Parameters
    ----------
    z : ndarray of shape (n_samples, n_classes) or any shape
        Scores (logits).
    axis : int, default=-1
        The class axis; each slice along it sums to 1.
    out : ndarray of the shape of ``z``, optional
        Where to write the result (may be ``z`` itself).

    Returns
    -------
    s : ndarray of the shape of ``z``
        Probabilities along ``axis``.
    """
    z = _as_float(z)
    out = np.subtract(z, np.max(z, axis=axis, keepdims=True), out=out)
    with np.errstate(under="ignore"):  # exp of very negative numbers is exactly 0: expected
        np.exp(out, out=out)
    out /= np.sum(out, axis=axis, keepdims=True)
    return out


def softmax_grad(z: Any, axis: int = -1) -> np.ndarray:
    r"""Jacobian of the softmax, one :math:`k \times k` matrix per slice along ``axis``.

    .. math:: \frac{\partial s_i}{\partial z_j} = s_i\,(\delta_{ij} - s_j)

    Parameters
    ----------
    z : ndarray of shape (..., n_classes)
        Scores; ``axis`` is moved last.
    axis : int, default=-1

    Returns
    -------
    J : ndarray of shape (..., n_classes, n_classes)
        ``J[..., i, j]`` is :math:`\partial s_i / \partial z_j`.
    """
    s = np.moveaxis(softmax(z, axis=axis), axis, -1)
    k = s.shape[-1]
    jac = np.multiply(s[..., :, None], s[..., None, :])
    np.negative(jac, out=jac)
    idx = np.arange(k)
    jac[..., idx, idx] += s
    return jac


def _check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{name_a} and {name_b} must have the same shape, got {a.shape} and {b.shape}."
        )


def softmax_backward(s: Any, g: Any, axis: int = -1, out: np.ndarray | None = None) -> np.ndarray:
    r"""Vector-Jacobian product of the softmax, from its output.

    Given the softmax output :math:`s` and the upstream gradient :math:`g = \partial L/\partial s`,

    .. math::

        \frac{\partial L}{\partial z_j} = \sum_i g_i\, s_i(\delta_{ij} - s_j)
                                        = s_j \Bigl(g_j - \sum_i g_i s_i\Bigr),

    which costs :math:`O(k)` per sample instead of building the :math:`k \times k` Jacobian.

    Parameters
    ----------
    s : ndarray of shape (n_samples, n_classes)
        Softmax output.
    g : ndarray of shape (n_samples, n_classes)
        Upstream gradient with respect to ``s``.
    axis : int, default=-1
    out : ndarray of shape (n_samples, n_classes), optional

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        Gradient with respect to the scores ``z``.
    """
    s = _as_float(s, "s")
    g = _as_float(g, "g")
    _check_same_shape(s, g, "s", "g")
    dot = np.sum(g * s, axis=axis, keepdims=True)
    if _overlaps(s, out):
        return np.multiply(s, g - dot, out=out)
    out = np.subtract(g, dot, out=out)
    out *= s
    return out


def log_softmax(z: Any, axis: int = -1, out: np.ndarray | None = None) -> np.ndarray:
    r"""Logarithm of the softmax, computed without forming the softmax.

    .. math::

        \log \mathrm{softmax}(z)_i = z_i - m - \log \sum_j e^{z_j - m},
        \qquad m = \max_j z_j

    Exact where ``np.log(softmax(z))`` would give :math:`-\infty` for very unlikely classes.

    Parameters
    ----------
    z : ndarray of shape (n_samples, n_classes) or any shape
    axis : int, default=-1
    out : ndarray of the shape of ``z``, optional

    Returns
    -------
    ndarray of the shape of ``z``
        Log-probabilities (all :math:`\le 0`).
    """
    z = _as_float(z)
    out = np.subtract(z, np.max(z, axis=axis, keepdims=True), out=out)
    with np.errstate(under="ignore"):
        lse = np.log(np.sum(np.exp(out), axis=axis, keepdims=True))
    out -= lse
    return out


def log_softmax_grad(z: Any, axis: int = -1) -> np.ndarray:
    r"""Jacobian of the log-softmax, one :math:`k \times k` matrix per slice along ``axis``.

    .. math:: \frac{\partial \log s_i}{\partial z_j} = \delta_{ij} - s_j

    Parameters
    ----------
    z : ndarray of shape (..., n_classes)
    axis : int, default=-1

    Returns
    -------
    J : ndarray of shape (..., n_classes, n_classes)
    """
    s = np.moveaxis(softmax(z, axis=axis), axis, -1)
    k = s.shape[-1]
    jac = np.repeat(np.negative(s)[..., None, :], k, axis=-2)
    idx = np.arange(k)
    jac[..., idx, idx] += 1
    return jac


def log_softmax_backward(
    z_or_logp: Any, g: Any, axis: int = -1, out: np.ndarray | None = None
) -> np.ndarray:
    r"""Vector-Jacobian product of the log-softmax.

    .. math:: \frac{\partial L}{\partial z_j} = g_j - s_j \sum_i g_i

    The softmax :math:`s` is recovered from either the scores ``z`` or the log-probabilities
    :math:`\log s` (they differ by a constant per row, which the softmax ignores), so either
    may be passed.

    Parameters
    ----------
    z_or_logp : ndarray of shape (n_samples, n_classes)
        Scores, or the output of :func:`log_softmax`.
    g : ndarray of shape (n_samples, n_classes)
        Upstream gradient with respect to the log-probabilities.
    axis : int, default=-1
    out : ndarray of shape (n_samples, n_classes), optional

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
    """
    z_or_logp = _as_float(z_or_logp, "z_or_logp")
    g = _as_float(g, "g")
    _check_same_shape(z_or_logp, g, "z_or_logp", "g")
    s = softmax(z_or_logp, axis=axis)
    s *= np.sum(g, axis=axis, keepdims=True)
    return np.subtract(g, s, out=out)


# ----------------------------------------------------------------------------------------------
# Activation bundles
# ----------------------------------------------------------------------------------------------


def _backward_elementwise(
    grad_from_output: Callable[..., np.ndarray],
    a: Any,
    g: Any,
    out: np.ndarray | None = None,
) -> np.ndarray:
    a = _as_float(a, "a")
    g = _as_float(g, "g")
    _check_same_shape(a, g, "a", "g")
    out = grad_from_output(a, out=out)
    out *= g
    return out


@dataclass(frozen=True)
class Activation:
    r"""An activation function with its derivatives, as the network engine uses them.

    Parameters
    ----------
    name : str
        Canonical name.
    fn : callable ``fn(z, out=None) -> a``
        The activation, :math:`a = f(z)`, for ``z`` of shape (n_samples, n_units).
    grad : callable ``grad(z) -> ndarray``
        :math:`f'(z)` elementwise (shape of ``z``); for softmax the Jacobian,
        shape (n_samples, n_units, n_units).
    grad_from_output : callable ``grad_from_output(a, out=None) -> ndarray`` or None
        :math:`f'(z)` written in terms of the output :math:`a` (sigmoid :math:`a(1-a)`, tanh
        :math:`1-a^2`, ...), evaluated in place on ``out`` when given. None for softmax.
    elementwise : bool
        Whether :math:`a_i` depends on :math:`z_i` only (False for softmax).
    backward : callable ``backward(a, g, out=None) -> ndarray``, optional
        Vector-Jacobian product from the output ``a`` and the upstream gradient
        :math:`g = \partial L/\partial a`: :math:`g \odot f'(z)` for elementwise activations,
        :func:`softmax_backward` for softmax.
    """

    name: str
    fn: Callable[..., np.ndarray]
    grad: Callable[..., np.ndarray]
    grad_from_output: Callable[..., np.ndarray] | None
    elementwise: bool
    backward: Callable[..., np.ndarray] | None = None

    def __call__(self, z: Any, out: np.ndarray | None = None) -> np.ndarray:
        return self.fn(z, out=out)


def _elementwise(name: str, fn: Callable, grad: Callable, gfo: Callable) -> Activation:
    return Activation(
        name=name,
        fn=fn,
        grad=grad,
        grad_from_output=gfo,
        elementwise=True,
        backward=functools.partial(_backward_elementwise, gfo),
    )


def _make_leaky_relu(alpha: float = 0.01) -> Activation:
    alpha = _check_alpha(alpha)
    return _elementwise(
        "leaky_relu",
        functools.partial(leaky_relu, alpha=alpha),
        functools.partial(leaky_relu_grad, alpha=alpha),
        functools.partial(_leaky_relu_grad_from_output, alpha=alpha),
    )


ACTIVATIONS: dict[str, Activation] = {
    "identity": _elementwise("identity", identity, identity_grad, _identity_grad_from_output),
    "step": _elementwise("step", step, step_grad, _step_grad_from_output),
    "sigmoid": _elementwise("sigmoid", sigmoid, sigmoid_grad, _sigmoid_grad_from_output),
    "tanh": _elementwise("tanh", tanh, tanh_grad, _tanh_grad_from_output),
    "relu": _elementwise("relu", relu, relu_grad, _relu_grad_from_output),
    "leaky_relu": _make_leaky_relu(),
    "softmax": Activation(
        name="softmax",
        fn=softmax,
        grad=softmax_grad,
        grad_from_output=None,
        elementwise=False,
        backward=softmax_backward,
    ),
}

_ALIASES = {"linear": "identity", "logistic": "sigmoid"}


def get_activation(name: str | Activation, **params: Any) -> Activation:
    """Look up an activation by name (or pass an :class:`Activation` through).

    Parameters
    ----------
    name : str or Activation
        One of ``"identity"`` (alias ``"linear"``), ``"step"``, ``"sigmoid"`` (alias
        ``"logistic"``), ``"tanh"``, ``"relu"``, ``"leaky_relu"``, ``"softmax"``.
    **params
        Only ``alpha`` for ``"leaky_relu"`` (default 0.01).

    Returns
    -------
    Activation

    Raises
    ------
    ValueError
        For an unknown name, listing the valid ones.
    """
    if isinstance(name, Activation):
        if params:
            raise TypeError("Parameters cannot be given with an Activation instance.")
        return name
    if not isinstance(name, str):
        raise TypeError(f"activation must be a string or an Activation, got {type(name).__name__}.")
    key = _ALIASES.get(name.lower(), name.lower())
    if key not in ACTIVATIONS:
        valid = sorted([*ACTIVATIONS, *_ALIASES])
        raise ValueError(f"Unknown activation {name!r}. Valid names are: {', '.join(valid)}.")
    if params:
        if key != "leaky_relu" or set(params) != {"alpha"}:
            raise TypeError(
                f"Unexpected parameters {sorted(params)} for activation {key!r}; "
                "only 'leaky_relu' takes a parameter ('alpha')."
            )
        return _make_leaky_relu(params["alpha"])
    return ACTIVATIONS[key]


# ----------------------------------------------------------------------------------------------
# Engine kernels: the same maths without input checks, for the network's preallocated buffers
# ----------------------------------------------------------------------------------------------
# ``NeuralNetwork`` calls these once per layer per batch on float arrays it owns, with ``out``
# never overlapping the input, so the checks of the public functions above would only add
# overhead (at the notes' demo size a step is dominated by per-call cost). The tests compare
# every kernel with its public twin.


def _k_identity(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.positive(z, out=out)


def _k_identity_d(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    out.fill(1)
    return out


def _k_step(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.greater_equal(z, 0, out=out)


def _k_step_d(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    out.fill(0)
    return out


def _k_sigmoid_d(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    np.subtract(1, a, out=out)  # a (1 - a)
    out *= a
    return out


def _k_tanh_d(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    np.multiply(a, a, out=out)  # 1 - a^2
    np.subtract(1, out, out=out)
    return out


def _k_relu(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0, out=out)


def _k_relu_d(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    return np.greater(a, 0, out=out)


def _k_leaky_relu(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    np.multiply(z, 0.01, out=out)  # max(z, 0.01 z)
    return np.maximum(z, out, out=out)


def _k_leaky_relu_d(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    np.greater(a, 0, out=out)  # 1 where a > 0, 0.01 elsewhere
    out *= 0.99
    out += 0.01
    return out


def _k_softmax(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


#: name -> (forward kernel, derivative-from-output kernel or None), for the registry's instances.
_KERNELS: dict[str, tuple[Callable[..., np.ndarray], Callable[..., np.ndarray] | None]] = {
    "identity": (_k_identity, _k_identity_d),
    "step": (_k_step, _k_step_d),
    "sigmoid": (expit, _k_sigmoid_d),
    "tanh": (np.tanh, _k_tanh_d),
    "relu": (_k_relu, _k_relu_d),
    "leaky_relu": (_k_leaky_relu, _k_leaky_relu_d),
    "softmax": (_k_softmax, None),
}


def engine_kernels(
    activation: Activation,
) -> tuple[Callable[..., np.ndarray], Callable[..., np.ndarray] | None]:
    """Unchecked ``(forward(z, out), grad_from_output(a, out))`` for ``activation``.

    The registry's own instances get the lean kernels above; any other ``Activation`` (e.g. a
    leaky ReLU with another slope) gets its own checked callables.
    """
    if ACTIVATIONS.get(activation.name) is activation:
        return _KERNELS[activation.name]
    return activation.fn, activation.grad_from_output
