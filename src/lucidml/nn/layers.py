"""Dense layers as views into one flat parameter buffer.

A layer owns no memory of its own: its weights and bias are a block of the network's flat parameter
vector, laid out as the matrix ``P`` of shape ``(n_out, n_in + 1)`` whose last column is the bias
(the bias "folded into the weights"). A batch ``A`` of shape ``(m, n_in)`` is stored with a
trailing column of ones, ``[A, 1]``, so one matrix product gives the weighted input of notes (4):

.. math:: Z = [A, 1]\\, P^T = A W^T + b^T

and one more gives both gradients of notes (14) and (17):

.. math:: \\nabla P = \\delta^T [A, 1] = [\\,\\delta^T A,\\ \\textstyle\\sum_i \\delta_i\\,].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..functions.activations import Activation, engine_kernels


@dataclass
class Dense:
    """One fully-connected layer ``a_out = act(W a_in + b)``.

    Attributes
    ----------
    n_in, n_out : int
        Fan-in and fan-out.
    activation : Activation or None
        A named activation (fast in-place path), or None when ``act``/``act_grad`` callables are
        used (the notes-compatible API).
    act, act_grad : callable or None
        User callables ``act(z)`` and ``act_derivative(z)``, called on column-layout arrays of shape
        ``(n_out, m)`` exactly as the notes call them.
    P : ndarray, shape (n_out, n_in + 1)
        View of the flat parameter buffer: weights then bias column.
    G : ndarray, shape (n_out, n_in + 1)
        View of the flat gradient buffer, laid out like ``P``.
    """

    n_in: int
    n_out: int
    activation: Activation | None
    act: Callable[[np.ndarray], np.ndarray] | None = None
    act_grad: Callable[[np.ndarray], np.ndarray] | None = None
    P: np.ndarray | None = None
    G: np.ndarray | None = None

    def __post_init__(self) -> None:
        # Unchecked kernels for the training loop; user callables go through apply_act instead.
        self._fwd, self._dfwd = (
            engine_kernels(self.activation) if self.activation is not None else (None, None)
        )

    @property
    def size(self) -> int:
        """Number of parameters, ``n_out * (n_in + 1)``."""
        return self.n_out * (self.n_in + 1)

    @property
    def W(self) -> np.ndarray:
        """Weights, shape ``(n_out, n_in)`` (a view)."""
        return self.P[:, : self.n_in]

    @property
    def b(self) -> np.ndarray:
        """Bias, shape ``(n_out, 1)`` (a view)."""
        return self.P[:, self.n_in :]

    def bind(self, flat: np.ndarray, grad: np.ndarray, offset: int) -> int:
        """Point ``P`` and ``G`` at ``flat[offset:offset+size]``; return the next offset."""
        end = offset + self.size
        self.P = flat[offset:end].reshape(self.n_out, self.n_in + 1)
        self.G = grad[offset:end].reshape(self.n_out, self.n_in + 1)
        return end

    def forward(self, A: np.ndarray) -> np.ndarray:
        """Activations for rows ``A`` of shape ``(m, n_in)`` (allocating; used for prediction)."""
        Z = A @ self.W.T
        Z += self.P[:, self.n_in]
        if self.activation is not None:
            return self.activation.fn(Z, out=Z)
        return np.asarray(self.act(Z.T)).T

    def apply_act(self, Z: np.ndarray, out: np.ndarray) -> None:
        """Write ``act(Z)`` into ``out`` (both ``(m, n_out)``)."""
        if self._fwd is not None:
            self._fwd(Z, out=out)
        else:
            out[...] = np.asarray(self.act(Z.T)).T

    def act_derivative(self, Z: np.ndarray, A: np.ndarray, out: np.ndarray) -> np.ndarray:
        """``act'(Z)`` into ``out``: from the output ``A`` when the activation allows it."""
        if self._dfwd is not None:
            return self._dfwd(A, out=out)
        out[...] = np.asarray(self.act_grad(Z.T)).T
        return out
