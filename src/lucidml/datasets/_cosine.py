"""The notes' demo data (§14): a cosine squeezed into (0, 1) so a sigmoid output can reach it."""

from __future__ import annotations

import numpy as np


def make_cosine(
    n_samples: int = 200, low: float = -7.0, high: float = 7.0, dtype: type = np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """Evenly spaced ``x`` in ``[low, high]`` and ``y = (cos x + 1) / 2``.

    Parameters
    ----------
    n_samples : int
        Number of points.
    low, high : float
        Interval ends (both included).
    dtype : type
        Floating type of the arrays.

    Returns
    -------
    X : ndarray, shape (n_samples, 1)
    y : ndarray, shape (n_samples, 1)
        Values in ``[0, 1]``.
    """
    if n_samples < 1:
        raise ValueError(f"n_samples must be at least 1, got {n_samples}.")
    if not low < high:
        raise ValueError(f"low must be below high, got low={low}, high={high}.")
    X = np.linspace(low, high, n_samples, dtype=dtype)[:, None]
    return X, (np.cos(X) + 1) / 2
