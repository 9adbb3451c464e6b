"""One helper checks every analytic derivative in lucidml against central finite differences.

``check_gradient(f, grad, x)`` evaluates ``f`` in float64 around ``x`` and compares the full
numerical Jacobian with what ``grad(x)`` returns. The shape of ``grad(x)`` says which derivative it
is, so one helper covers them all:

* ``f(x).shape + x.shape``: a gradient (scalar ``f``) or a full Jacobian;
* ``B + o + x'`` where ``f(x).shape == B + o`` and ``x.shape == B + x'``: a batched derivative,
  block-diagonal over the leading batch axes ``B`` (which must then be zero off the blocks).
  This covers elementwise derivatives (``sigmoid_grad``: ``B == x.shape``), per-row Jacobians
  (``softmax_grad``: (n, k) -> (n, k, k)) and per-sample gradients (a ``reduction="none"`` loss,
  or row-wise distances: (n,) -> (n, d)).

For a vector-Jacobian product, use :func:`check_vjp`, which scalarises ``f`` with an upstream
gradient ``g``: the gradient of :math:`\\sum g \\odot f(x)` is the VJP.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["numeric_gradient", "check_gradient", "check_vjp"]


def numeric_gradient(f: Callable[[np.ndarray], Any], x: Any, eps: float = 1e-6) -> np.ndarray:
    """Central-difference derivative of ``f`` at ``x``, in float64.

    Returns an array of shape ``f(x).shape + x.shape``: the gradient when ``f`` is scalar, the
    full Jacobian otherwise.
    """
    x = np.array(x, dtype=np.float64)  # a private float64 copy we perturb in place
    f0 = np.asarray(f(x.copy()), dtype=np.float64)
    jac = np.empty(f0.shape + x.shape)
    flat = x.reshape(-1)
    cols = jac.reshape(f0.size, x.size)
    for i in range(x.size):
        orig = flat[i]
        flat[i] = orig + eps
        f_plus = np.asarray(f(x.copy()), dtype=np.float64).reshape(-1)
        flat[i] = orig - eps
        f_minus = np.asarray(f(x.copy()), dtype=np.float64).reshape(-1)
        flat[i] = orig
        cols[:, i] = (f_plus - f_minus) / (2 * eps)
    return jac


def _batch_axes(out_shape: tuple, x_shape: tuple, g_shape: tuple) -> int | None:
    """Number of leading batch axes b such that grad has shape B + o + x' (None if none fits)."""
    for b in range(min(len(out_shape), len(x_shape)) + 1):
        if out_shape[:b] != x_shape[:b]:
            break
        if g_shape == out_shape + x_shape[b:]:
            return b
    return None


def check_gradient(
    f: Callable[[np.ndarray], Any],
    grad: Callable[[np.ndarray], Any],
    x: Any,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
) -> tuple[np.ndarray, np.ndarray]:
    """Assert that ``grad(x)`` matches central finite differences of ``f`` at ``x``.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a scalar or an array.
    grad : callable
        ``grad(x)`` returns the analytic derivative: a gradient, a full Jacobian, or a
        block-diagonal (batched / elementwise) derivative, told apart by shape (module docstring).
    x : array-like
        Point of evaluation; converted to float64.
    eps, rtol, atol : float
        Finite-difference step and the tolerances of the comparison.

    Returns
    -------
    analytic, numeric : ndarray
        Both derivatives, in the shape ``grad`` returns.

    Raises
    ------
    AssertionError
        When they differ, or when ``grad``'s shape fits no known form.
    """
    x = np.array(x, dtype=np.float64)
    out_shape = np.shape(f(x.copy()))
    analytic = np.asarray(grad(x.copy()), dtype=np.float64)
    jac = numeric_gradient(f, x, eps)
    b = _batch_axes(out_shape, x.shape, analytic.shape)
    if b is None:
        raise AssertionError(
            f"grad returned shape {analytic.shape}, which fits neither the Jacobian "
            f"{out_shape + x.shape} nor a batched form, for f: {x.shape} -> {out_shape}"
        )
    if b == 0:
        numeric = jac
    else:
        m = int(np.prod(out_shape[:b]))
        o = int(np.prod(out_shape[b:]))
        k = int(np.prod(x.shape[b:]))
        blocks = jac.reshape(m, o, m, k)
        idx = np.arange(m)
        numeric = blocks[idx, :, idx, :].reshape(analytic.shape)
        off = blocks.copy()
        off[idx, :, idx, :] = 0
        np.testing.assert_allclose(
            off, 0, atol=atol, err_msg="derivative not block-diagonal over the batch axes"
        )
    np.testing.assert_allclose(
        analytic, numeric, rtol=rtol, atol=atol, err_msg="analytic vs finite differences"
    )
    return analytic, numeric


def check_vjp(
    f: Callable[[np.ndarray], Any],
    vjp: Callable[[np.ndarray, np.ndarray], Any],
    x: Any,
    g: Any = None,
    eps: float = 1e-6,
    rtol: float = 1e-5,
    atol: float = 1e-7,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Assert that ``vjp(x, g)`` is the gradient of ``sum(g * f(x))`` (``g`` random if None)."""
    x = np.array(x, dtype=np.float64)
    if g is None:
        g = np.random.default_rng(seed).normal(size=np.shape(f(x.copy())))
    g = np.asarray(g, dtype=np.float64)
    return check_gradient(
        lambda z: float(np.sum(g * f(z))),
        lambda z: vjp(z, g),
        x,
        eps=eps,
        rtol=rtol,
        atol=atol,
    )
