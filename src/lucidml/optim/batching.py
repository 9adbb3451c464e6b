"""Batches for gradient descent: batch, stochastic and mini-batch (notes §8, §11).

The notes describe three ways to feed data to gradient descent:

* **batch** gradient descent: every update looks at all :math:`n` samples (exact gradient, slow
  updates, no online learning);
* **stochastic** gradient descent: every update looks at one sample (fast, noisy updates that
  wander around the minimum);
* **mini-batch** gradient descent: every update looks at :math:`b` samples, the compromise that
  nearly all training uses today.

All three are the same loop with a different batch size :math:`b \\in \\{n, 1, b\\}`;
:func:`resolve_batch_size` maps the ``solver`` name to :math:`b`. A training loop then permutes
the sample indices once per epoch (:func:`epoch_permutation`, into a preallocated buffer) and
slices that permutation with :func:`batch_slices`: the slices are views, so no index array is
allocated per batch.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from .._validation import check_random_state

__all__ = [
    "SOLVERS",
    "resolve_batch_size",
    "batch_slices",
    "epoch_permutation",
    "iterate_minibatches",
    "train_validation_split",
]

#: Accepted ``solver`` names and what they mean.
SOLVERS = {
    "batch": "batch gradient descent: all samples per update",
    "sgd": "stochastic gradient descent: one sample per update",
    "stochastic": "alias of 'sgd'",
    "minibatch": "mini-batch gradient descent: batch_size samples per update",
}


def _check_n_samples(n_samples: Any) -> int:
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral) or n_samples < 1:
        raise ValueError(f"n_samples must be an integer >= 1, got {n_samples!r}.")
    return int(n_samples)


def _check_batch_size(batch_size: Any) -> int:
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, numbers.Integral)
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be an integer >= 1 or 'auto', got {batch_size!r}.")
    return int(batch_size)


def resolve_batch_size(solver: str, batch_size: int | str | None, n_samples: int) -> int:
    """Number of samples per update for a ``solver``.

    Parameters
    ----------
    solver : {"batch", "sgd", "stochastic", "minibatch"}
        ``"batch"`` gives :math:`n`, ``"sgd"`` (alias ``"stochastic"``) gives 1,
        ``"minibatch"`` gives :math:`\\min(b, n)`.
    batch_size : int, "auto" or None
        :math:`b` for ``"minibatch"``; ``None`` or ``"auto"`` means :math:`\\min(200, n)`.
        Validated but otherwise ignored by the other solvers.
    n_samples : int
        :math:`n` (>= 1).

    Returns
    -------
    int
        The batch size, between 1 and ``n_samples``.
    """
    n = _check_n_samples(n_samples)
    auto = batch_size is None or (isinstance(batch_size, str) and batch_size == "auto")
    b = 200 if auto else _check_batch_size(batch_size)
    key = solver.lower() if isinstance(solver, str) else None
    if key == "batch":
        return n
    if key in ("sgd", "stochastic"):
        return 1
    if key == "minibatch":
        return min(b, n)
    raise ValueError(f"Unknown solver {solver!r}. Valid solvers are: {list(SOLVERS)}.")


def batch_slices(n_samples: int, batch_size: int) -> list[slice]:
    """Consecutive slices of length ``batch_size`` covering ``0 .. n_samples``.

    Parameters
    ----------
    n_samples : int
        :math:`n` (>= 1).
    batch_size : int
        :math:`b` (>= 1).

    Returns
    -------
    list of slice
        :math:`\\lceil n / b \\rceil` slices; the last is shorter when :math:`b` does not divide
        :math:`n`.
    """
    n = _check_n_samples(n_samples)
    b = _check_batch_size(batch_size)
    return [slice(start, min(start + b, n)) for start in range(0, n, b)]


def epoch_permutation(
    n_samples: int,
    rng: Any,
    shuffle: bool = True,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Sample order for one epoch: a random permutation of ``0 .. n_samples - 1``.

    Gives the same permutation as ``rng.permutation(n_samples)``, whether or not ``out`` is given.

    Parameters
    ----------
    n_samples : int
        :math:`n` (>= 1).
    rng : numpy.random.Generator or int or None
        Source of randomness (a seed is turned into a Generator; pass the same Generator every
        epoch to get different permutations).
    shuffle : bool, default=True
        When False, return ``0 .. n - 1`` in order.
    out : ndarray of int, shape (n_samples,), optional
        Buffer to fill instead of allocating a new array.

    Returns
    -------
    ndarray of int, shape (n_samples,)
        ``out`` when given.
    """
    n = _check_n_samples(n_samples)
    if out is None:
        out = np.arange(n)
    else:
        if not isinstance(out, np.ndarray) or out.shape != (n,) or out.dtype.kind not in "iu":
            raise ValueError(
                f"out must be an integer array of shape ({n},), got "
                f"{getattr(out, 'dtype', type(out).__name__)} of shape "
                f"{getattr(out, 'shape', None)}."
            )
        out[...] = np.arange(n)
    if shuffle:
        check_random_state(rng).shuffle(out)
    return out


def iterate_minibatches(
    n_samples: int, batch_size: int, rng: Any, shuffle: bool = True
) -> Iterator[np.ndarray]:
    """Yield the index arrays of one epoch's mini-batches.

    Parameters
    ----------
    n_samples : int
        :math:`n` (>= 1).
    batch_size : int
        :math:`b` (>= 1).
    rng : numpy.random.Generator or int or None
        Source of randomness.
    shuffle : bool, default=True
        Permute the samples first.

    Yields
    ------
    ndarray of int, shape (b,) (the last may be shorter)
        Views into one permutation; together they cover every sample exactly once.
    """
    slices = batch_slices(n_samples, batch_size)
    order = epoch_permutation(n_samples, rng, shuffle=shuffle)
    for s in slices:
        yield order[s]


def _largest_remainder(counts: np.ndarray, total: int, rng: np.random.Generator) -> np.ndarray:
    """Split ``total`` over classes in proportion to ``counts`` (ties broken at random)."""
    n = counts.sum()
    exact = counts * (total / n)
    alloc = np.floor(exact).astype(np.int64)
    left = total - int(alloc.sum())
    if left > 0:
        remainder = exact - alloc
        # Random tie-break: sort by remainder, then by a random key.
        order = np.lexsort((rng.random(len(counts)), -remainder))
        alloc[order[:left]] += 1
    return np.minimum(alloc, counts)


def train_validation_split(
    n_samples: int,
    validation_fraction: float,
    rng: Any,
    stratify: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Hold out a random fraction of the samples for validation (early stopping).

    The validation side gets :math:`n_{val} = \\lceil f \\, n \\rceil` samples and the training
    side the other :math:`n - n_{val}`. With ``stratify``, each class :math:`k` of
    :math:`n_k` samples gives :math:`\\approx f \\, n_k` of them (largest-remainder rounding), so
    both sides keep the class proportions.

    Parameters
    ----------
    n_samples : int
        :math:`n` (>= 2).
    validation_fraction : float
        :math:`f`, strictly between 0 and 1.
    rng : numpy.random.Generator or int or None
        Source of randomness.
    stratify : array-like of shape (n_samples,), optional
        Class labels to stratify on.

    Returns
    -------
    train_idx : ndarray of int, shape (n - n_val,)
        Sorted indices of the training samples.
    val_idx : ndarray of int, shape (n_val,)
        Sorted indices of the validation samples.
    """
    n = _check_n_samples(n_samples)
    if (
        isinstance(validation_fraction, bool)
        or not isinstance(validation_fraction, numbers.Real)
        or not 0.0 < float(validation_fraction) < 1.0
    ):
        raise ValueError(
            f"validation_fraction must be a float strictly between 0 and 1, got "
            f"{validation_fraction!r}."
        )
    f = float(validation_fraction)
    n_val = math.ceil(f * n - 1e-9)
    n_train = n - n_val
    if n_val < 1 or n_train < 1:
        raise ValueError(
            f"With n_samples={n} and validation_fraction={f}, the resulting train set "
            f"({n_train} samples) or validation set ({n_val} samples) would be empty. "
            "Use more samples or another validation_fraction."
        )
    rng = check_random_state(rng)
    if stratify is None:
        perm = rng.permutation(n)
        return np.sort(perm[n_val:]), np.sort(perm[:n_val])

    y = np.asarray(stratify)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"stratify must be a 1-D array of {n} labels, got shape {y.shape}.")
    classes, y_idx, counts = np.unique(y, return_inverse=True, return_counts=True)
    n_classes = len(classes)
    if counts.min() < 2:
        raise ValueError(
            "The least populated class in y has only 1 member, which is too few. The minimum "
            "number of groups for any class cannot be less than 2."
        )
    if n_val < n_classes:
        raise ValueError(
            f"The validation size = {n_val} should be greater or equal to the number of "
            f"classes = {n_classes}."
        )
    if n_train < n_classes:
        raise ValueError(
            f"The train size = {n_train} should be greater or equal to the number of "
            f"classes = {n_classes}."
        )
    val_per_class = _largest_remainder(counts, n_val, rng)
    # Random order within each class: permute, then stable-sort by class.
    perm = rng.permutation(n)
    order = perm[np.argsort(y_idx[perm], kind="stable")]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank = np.arange(n) - np.repeat(starts, counts)
    in_val = rank < np.repeat(val_per_class, counts)
    return np.sort(order[~in_val]), np.sort(order[in_val])
