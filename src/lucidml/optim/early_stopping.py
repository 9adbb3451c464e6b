"""Early stopping: stop when the validation score stops improving, keep the best parameters.

Over-fitting (notes §12) shows up as a validation score that stops getting better while the
training loss keeps falling. The training loop checks a score once per epoch (or every few
updates) and asks :meth:`EarlyStopping.update` whether to stop:

.. code-block:: python

    stopper = EarlyStopping(patience=10, mode="max")
    for epoch in range(max_epochs):
        train_one_epoch(params)
        if stopper.update(validation_score(params), params):
            break
    stopper.restore(params)       # back to the best epoch's parameters
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """Stop after ``patience`` checks without improvement; remember the best parameters.

    A check *improves* when its score beats the best so far by more than ``tol``:

    .. math::

        s_k > s_{\\text{best}} + \\text{tol} \\quad (\\text{mode="max"}), \\qquad
        s_k < s_{\\text{best}} - \\text{tol} \\quad (\\text{mode="min"}).

    :meth:`update` returns True once ``patience`` consecutive checks have not improved. As in
    scikit-learn's MLP, the best score (and the copy of the parameters) follows every strictly
    better score, even one better by less than ``tol``; only the patience count needs ``tol``.
    NaN scores never improve.

    Parameters
    ----------
    patience : int, default=10
        Consecutive checks without improvement before stopping (>= 1).
    tol : float, default=1e-4
        Minimum improvement that resets the count (>= 0).
    mode : {"max", "min"}, default="max"
        Higher is better (an accuracy, an R²) or lower is better (a loss).
    restore_best : bool, default=True
        Keep a copy of the best parameters (in a buffer allocated once) so that
        :meth:`restore` can put them back.

    Attributes
    ----------
    best_score : float
        Best score seen (-inf / +inf before the first check).
    best_iteration : int
        0-based index of the check that gave ``best_score`` (-1 before the first check).
    best_params : ndarray or None
        Copy of the parameters at ``best_iteration`` (shape and dtype of ``params``).
    n_checks : int
        Number of calls to :meth:`update` so far.
    n_bad_checks : int
        Consecutive checks without improvement.
    stopped : bool
        Whether :meth:`update` has returned True.
    """

    def __init__(
        self, patience: int = 10, tol: float = 1e-4, mode: str = "max", restore_best: bool = True
    ) -> None:
        if isinstance(patience, bool) or not isinstance(patience, numbers.Integral) or patience < 1:
            raise ValueError(f"patience must be an integer >= 1, got {patience!r}.")
        if (
            isinstance(tol, bool)
            or not isinstance(tol, numbers.Real)
            or not math.isfinite(tol)
            or tol < 0
        ):
            raise ValueError(f"tol must be a finite number >= 0, got {tol!r}.")
        if mode not in ("max", "min"):
            raise ValueError(f"mode must be 'max' or 'min', got {mode!r}.")
        self.patience = int(patience)
        self.tol = float(tol)
        self.mode = mode
        self.restore_best = bool(restore_best)
        self.best_params: np.ndarray | None = None
        self.reset()

    def __repr__(self) -> str:
        return (
            f"EarlyStopping(patience={self.patience!r}, tol={self.tol!r}, mode={self.mode!r}, "
            f"restore_best={self.restore_best!r})"
        )

    def reset(self) -> None:
        """Forget every score (the parameter buffer is kept for reuse)."""
        self.best_score = -math.inf if self.mode == "max" else math.inf
        self.best_iteration = -1
        self.n_checks = 0
        self.n_bad_checks = 0
        self.stopped = False
        self._has_best = False

    def update(self, score: float, params: np.ndarray | None = None) -> bool:
        """Record one check; return True when training should stop.

        Parameters
        ----------
        score : float
            The check's score (see ``mode``).
        params : ndarray, optional
            The current parameters, copied when the score is the best so far. Required when
            ``restore_best`` is True.

        Returns
        -------
        bool
            True once ``patience`` consecutive checks have not improved by more than ``tol``.
        """
        if self.restore_best and params is None:
            raise ValueError("params is required when restore_best=True.")
        score = float(score)
        gain = score - self.best_score if self.mode == "max" else self.best_score - score
        if gain > self.tol:
            self.n_bad_checks = 0
        else:
            self.n_bad_checks += 1
        if gain > 0.0:
            self.best_score = score
            self.best_iteration = self.n_checks
            self._has_best = True
            if self.restore_best:
                self._save(params)
        self.n_checks += 1
        if self.n_bad_checks >= self.patience:
            self.stopped = True
        return self.stopped

    def _save(self, params: Any) -> None:
        params = np.asarray(params)
        buf = self.best_params
        if buf is None or buf.shape != params.shape or buf.dtype != params.dtype:
            buf = self.best_params = np.empty_like(params)
        np.copyto(buf, params)

    def restore(self, params: np.ndarray) -> bool:
        """Copy the best parameters back into ``params`` in place.

        Parameters
        ----------
        params : ndarray
            Same shape as the arrays passed to :meth:`update`.

        Returns
        -------
        bool
            True when parameters were restored; False when no check has improved yet (every
            score so far was NaN, or :meth:`update` was never called), leaving ``params`` as is.
        """
        if not self.restore_best:
            raise ValueError("Nothing to restore: this EarlyStopping has restore_best=False.")
        if not self._has_best or self.best_params is None:
            return False
        if params.shape != self.best_params.shape:
            raise ValueError(
                f"params has shape {params.shape}, but the saved best parameters have shape "
                f"{self.best_params.shape}."
            )
        np.copyto(params, self.best_params)
        return True
