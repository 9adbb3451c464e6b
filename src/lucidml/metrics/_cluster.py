r"""Clustering metric: the silhouette coefficient (Rousseeuw, 1987).

For sample :math:`i` in cluster :math:`C_i`, with :math:`d` the chosen distance,

.. math::
    a_i = \frac{1}{\lvert C_i \rvert - 1} \sum_{j \in C_i,\, j \ne i} d(x_i, x_j), \qquad
    b_i = \min_{C \ne C_i} \frac{1}{\lvert C \rvert} \sum_{j \in C} d(x_i, x_j), \qquad
    s_i = \frac{b_i - a_i}{\max(a_i, b_i)} ,

and :math:`s_i = 0` when :math:`C_i` holds only :math:`x_i` (or when :math:`a_i = b_i = 0`).
Values lie in :math:`[-1, 1]`: near 1 a sample sits well inside its own cluster, near 0 on a
border, below 0 closer to another cluster than to its own. Names, signatures and results follow
scikit-learn's ``silhouette_samples`` and ``silhouette_score``.

The distances are computed a block of rows at a time and each block is at once reduced to its
per-cluster sums, shape (n_rows, n_clusters), so memory stays bounded by the working memory plus
:math:`O(n \cdot k)`, never :math:`O(n^2)`.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._validation import check_array, check_consistent_length, check_random_state, column_or_1d
from ..functions.distances import pairwise_distances_chunked

__all__ = ["silhouette_samples", "silhouette_score"]

# Megabytes of distance block held at once (module constant so tests can force small blocks).
_WORKING_MEMORY_MB = 64.0


def _check_labels(labels: Any, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """Cluster index of every sample (0..k-1) and the cluster sizes, shape (k,)."""
    labels = column_or_1d(labels, input_name="labels")
    try:
        _, idx = np.unique(labels, return_inverse=True)
    except TypeError:
        raise ValueError("Mix of label input types (string and number)") from None
    idx = idx.reshape(-1)
    counts = np.bincount(idx)
    n_labels = counts.size
    if not 2 <= n_labels <= n_samples - 1:
        raise ValueError(
            f"Number of labels is {n_labels}. Valid values are 2 to n_samples - 1 (inclusive)"
        )
    return idx, counts


def _precomputed(metric: Any) -> bool:
    return isinstance(metric, str) and metric == "precomputed"


def _check_X(X: Any, metric: Any) -> np.ndarray:
    if _precomputed(metric):
        D = check_array(X, dtype=(np.float64, np.float32), input_name="X")
        if D.shape[0] != D.shape[1]:
            raise ValueError(f"A precomputed distance matrix must be square, got shape {D.shape}.")
        if np.any(np.diagonal(D) != 0):
            raise ValueError(
                "The precomputed distance matrix contains non-zero elements on the diagonal. "
                "Use np.fill_diagonal(X, 0)."
            )
        return D
    return check_array(X, dtype=(np.float64, np.float32), input_name="X")


def _cluster_sum_blocks(
    X: np.ndarray, metric: Any, starts: np.ndarray
) -> list[tuple[int, np.ndarray]]:
    """Per-cluster distance sums for every row of ``X`` (rows sorted by cluster).

    ``starts`` holds the first row of each cluster. Returns (start_row, sums) blocks with
    ``sums[r, c] = sum of d(x_{start_row + r}, x_j) over j in cluster c``.
    """

    def reduce(block: np.ndarray, start: int) -> tuple[int, np.ndarray]:
        return start, np.add.reduceat(block, starts, axis=1, dtype=np.float64)

    if _precomputed(metric):
        n = X.shape[0]
        rows = max(1, int(_WORKING_MEMORY_MB * 2**20) // (8 * n))
        return [reduce(X[s : s + rows], s) for s in range(0, n, rows)]
    if isinstance(metric, str) and metric in ("euclidean", "l2", "sqeuclidean"):
        # Translation does not change these distances; centring keeps the
        # ||x||^2 - 2 x.y + ||y||^2 expansion accurate for data far from the origin.
        X = X - X.mean(axis=0)
    chunks = pairwise_distances_chunked(
        X, None, metric, working_memory=_WORKING_MEMORY_MB, reduce_func=reduce
    )
    return [out for _, out in chunks]


def silhouette_samples(X: Any, labels: Any, *, metric: Any = "euclidean") -> np.ndarray:
    r"""Silhouette coefficient of every sample.

    .. math:: s_i = \frac{b_i - a_i}{\max(a_i, b_i)}

    with :math:`a_i` the mean distance from :math:`x_i` to the other members of its cluster and
    :math:`b_i` the smallest mean distance from :math:`x_i` to the members of another cluster;
    :math:`s_i = 0` for a sample alone in its cluster.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or (n_samples, n_samples)
        Samples, or a distance matrix with a zero diagonal when ``metric="precomputed"``.
    labels : array-like of shape (n_samples,)
        Cluster label of every sample (integers or strings).
    metric : str or callable, default="euclidean"
        Any metric of :func:`lucidml.functions.pairwise_distances` (``"euclidean"``,
        ``"sqeuclidean"``, ``"manhattan"``, ``"minkowski"``, ``"cosine"``, a callable), or
        ``"precomputed"``.

    Returns
    -------
    ndarray of shape (n_samples,)
        float64 silhouette coefficients, each in :math:`[-1, 1]`.

    Raises
    ------
    ValueError
        Unless the number of distinct labels is between 2 and n_samples - 1.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.metrics import silhouette_samples
    >>> X = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> np.round(silhouette_samples(X, [0, 0, 1, 1]), 3)
    array([0.905, 0.895, 0.895, 0.905])
    """
    X = _check_X(X, metric)
    check_consistent_length(X, labels)
    idx, counts = _check_labels(labels, X.shape[0])
    # Sort samples by cluster so that each cluster is a contiguous run of columns: one
    # np.add.reduceat then gives every row's per-cluster sums.
    order = np.argsort(idx, kind="stable")
    Xs = X[order][:, order] if _precomputed(metric) else X[order]
    idx_s = idx[order]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    n = X.shape[0]
    sums = np.empty((n, counts.size))
    for start, block in _cluster_sum_blocks(Xs, metric, starts):
        sums[start : start + block.shape[0]] = block
    rows = np.arange(n)
    own = counts[idx_s]
    a = sums[rows, idx_s] / np.maximum(own - 1, 1)
    means = sums / counts[None, :]
    means[rows, idx_s] = np.inf
    b = means.min(axis=1)
    denom = np.maximum(a, b)
    s = np.divide(b - a, denom, out=np.zeros(n), where=denom > 0)
    s[own == 1] = 0.0
    out = np.empty(n)
    out[order] = s
    return out


def silhouette_score(
    X: Any,
    labels: Any,
    *,
    metric: Any = "euclidean",
    sample_size: int | None = None,
    random_state: Any = None,
) -> float:
    r"""Mean silhouette coefficient over all samples (or a random subset of them).

    .. math:: S = \frac{1}{n} \sum_{i=1}^{n} s_i

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or (n_samples, n_samples)
        Samples, or a distance matrix when ``metric="precomputed"``.
    labels : array-like of shape (n_samples,)
    metric : str or callable, default="euclidean"
        As in :func:`silhouette_samples`.
    sample_size : int, default=None
        Score a random subset of this many samples (drawn without replacement); None uses all.
    random_state : None, int or numpy.random.Generator, default=None
        Seeds the subset when ``sample_size`` is given.

    Returns
    -------
    float
        In :math:`[-1, 1]`; higher means denser, better separated clusters.

    Examples
    --------
    >>> from lucidml.metrics import silhouette_score
    >>> round(silhouette_score([[0.0], [1.0], [10.0], [11.0]], [0, 0, 1, 1]), 4)
    0.8997
    """
    if sample_size is not None:
        if (
            not isinstance(sample_size, numbers.Integral)
            or isinstance(sample_size, bool)
            or sample_size < 1
        ):
            raise ValueError(
                f"sample_size must be a positive integer or None, got {sample_size!r}."
            )
        X = _check_X(X, metric)
        check_consistent_length(X, labels)
        labels = column_or_1d(labels, input_name="labels")
        n = X.shape[0]
        if sample_size < n:
            pick = check_random_state(random_state).permutation(n)[:sample_size]
            X = X[pick][:, pick] if _precomputed(metric) else X[pick]
            labels = labels[pick]
    return float(np.mean(silhouette_samples(X, labels, metric=metric)))
