"""One seeded row sampler for the steps that work on a bounded sample (tuning, diagnosis, the
deployment card's stability check)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["sample_rows"]


def sample_rows(
    y: np.ndarray, task: str, n_rows: int, seed: Any, *, min_per_class: int = 5
) -> np.ndarray:
    """Sorted indices of at most ``n_rows`` rows: all rows, or a seeded sample.

    Regression draws ``n_rows`` rows uniformly without replacement. Classification samples each
    class in proportion (largest remainders), keeping at least ``min(count, min_per_class)`` rows
    of every class so that stratified k-fold splits with ``k <= min_per_class`` stay possible.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
    task : {"classification", "regression"}
    n_rows : int
        Sample size (the classification sample may exceed it by the per-class minimums).
    seed : int or sequence of int
        Seed of ``np.random.default_rng``.
    min_per_class : int, default=5
    """
    n = len(y)
    if n_rows >= n:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    if task != "classification":
        return np.sort(rng.choice(n, size=n_rows, replace=False))
    import pandas as pd

    codes, _ = pd.factorize(pd.Series(y, dtype=object), sort=False)
    counts = np.bincount(codes)
    exact = counts * (n_rows / n)
    alloc = np.maximum(np.floor(exact).astype(int), np.minimum(counts, min_per_class))
    left = n_rows - int(alloc.sum())
    if left > 0:
        order = np.argsort(-(exact - np.floor(exact)), kind="stable")
        for c in order:
            if left == 0:
                break
            if alloc[c] < counts[c]:
                alloc[c] += 1
                left -= 1
    picked = [
        rng.choice(np.flatnonzero(codes == c), size=int(alloc[c]), replace=False)
        for c in range(len(counts))
    ]
    return np.sort(np.concatenate(picked))
