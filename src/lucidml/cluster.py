r"""k-means clustering: k-means++ seeding and Lloyd's iterations, vectorised.

k-means looks for ``k`` centres :math:`c_1, \dots, c_k` that minimise the (weighted) inertia

.. math:: J = \sum_{i=1}^{n} w_i \min_j \lVert x_i - c_j \rVert^2 .

Lloyd's algorithm alternates an *assignment* step (each sample to its nearest centre, all
distances at once through :math:`\lVert x \rVert^2 - 2\, x \cdot c + \lVert c \rVert^2`, one matrix
product) and an *update* step (each centre to the weighted mean of its samples, one sparse
matrix product). Neither step loops over samples.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._validation import check_array, check_is_fitted, check_random_state, check_sample_weight
from .base import BaseEstimator, TransformerMixin
from .functions.distances import pairwise_distances

__all__ = ["KMeans"]


class _ClusterMixin:
    """Mixin for clusterers: ``fit_predict`` and the "clusterer" estimator type."""

    _estimator_type = "clusterer"

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.estimator_type = "clusterer"
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = []
        return tags

    def fit_predict(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit to ``X`` and return the cluster label of every sample, shape (n_samples,)."""
        return self.fit(X, sample_weight=sample_weight).labels_  # type: ignore[attr-defined]


def _canonical_order(X: np.ndarray) -> np.ndarray:
    """Sample order that depends only on the rows' values: sorted by a fixed projection."""
    key = X @ np.linspace(1.0, 2.0, X.shape[1])
    return np.argsort(key, kind="stable")


def _kmeans_plusplus(
    X: np.ndarray, n_clusters: int, sw: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    r"""Greedy k-means++ seeding.

    The first centre is drawn with probability proportional to :math:`w_i`; each next one is the
    best of :math:`2 + \lfloor \ln k \rfloor` candidates drawn with probability proportional to
    :math:`w_i D(x_i)^2` (the squared distance to the nearest centre chosen so far), "best"
    meaning the candidate that lowers the potential :math:`\sum_i w_i D(x_i)^2` most. Draws go
    through a cumulative sum taken in a canonical sample order (rows sorted by a fixed
    projection), so the seeding depends neither on the order of the rows nor on whether a
    sample is repeated or given an integer weight.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    n_clusters : int
    sw : ndarray of shape (n_samples,)
    rng : numpy.random.Generator

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    """
    n = X.shape[0]
    n_trials = 2 + int(np.log(n_clusters))
    centers = np.empty((n_clusters, X.shape[1]), dtype=X.dtype)
    order = _canonical_order(X)
    cum_w = np.cumsum(sw[order])
    first = int(order[min(int(np.searchsorted(cum_w, rng.random() * cum_w[-1])), n - 1)])
    centers[0] = X[first]
    closest = pairwise_distances(X[first : first + 1], X, "sqeuclidean")[0]
    potential = closest @ sw
    for c in range(1, n_clusters):
        cum = np.cumsum((sw * closest)[order])
        draws = rng.random(n_trials) * cum[-1]
        candidates = order[np.minimum(np.searchsorted(cum, draws), n - 1)]
        dist = pairwise_distances(X[candidates], X, "sqeuclidean")  # (n_trials, n_samples)
        np.minimum(closest, dist, out=dist)
        pots = dist @ sw
        best = int(np.argmin(pots))
        potential = pots[best]
        closest = dist[best]
        centers[c] = X[candidates[best]]
    del potential
    return centers


def _assign(X: np.ndarray, centers: np.ndarray, D: np.ndarray) -> np.ndarray:
    r"""Index of the nearest centre of every row; ``D`` of shape (n_samples, k) is scratch.

    Fills ``D`` with :math:`-2\, x \cdot c + \lVert c \rVert^2` (the row constant
    :math:`\lVert x \rVert^2` does not change the arg-min).
    """
    np.dot(X, (-2.0 * centers).T, out=D)
    D += np.einsum("ij,ij->i", centers, centers)[None, :]
    return np.argmin(D, axis=1)


def _cluster_sums(
    Xw: np.ndarray, sw: np.ndarray, labels: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted sums per cluster, shape (k, n_features), and total weights, shape (k,).

    ``Xw`` is ``X * sw[:, None]``. Few features: one ``np.bincount`` per feature; many: one
    sparse (k, n_samples) @ (n_samples, n_features) product.
    """
    n, d = Xw.shape
    weight = np.bincount(labels, weights=sw, minlength=k)
    if d <= 32:
        sums = np.empty((k, d))
        for j in range(d):  # a loop over features, not samples
            sums[:, j] = np.bincount(labels, weights=Xw[:, j], minlength=k)
    else:
        member = sp.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(k, n))
        sums = np.asarray(member @ Xw)
    return sums, weight


def _lloyd(
    X: np.ndarray,
    sw: np.ndarray,
    centers: np.ndarray,
    max_iter: int,
    tol: float,
) -> tuple[np.ndarray, np.ndarray, float, int]:
    r"""Lloyd's iterations from ``centers`` (n_clusters, n_features).

    Stops when no label changes, or when the squared centre shift
    :math:`\sum_j \lVert c_j^{new} - c_j \rVert^2 \le` ``tol``. An empty cluster takes the
    sample farthest from its own centre.

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_features)
    labels : ndarray of shape (n_samples,)
    inertia : float
    n_iter : int
    """
    n, k = X.shape[0], centers.shape[0]
    Xw = X * sw[:, None]
    D = np.empty((n, k), dtype=X.dtype)
    labels_old = np.full(n, -1, dtype=np.intp)
    strict = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        labels = _assign(X, centers, D)
        sums, weight = _cluster_sums(Xw, sw, labels, k)
        empty = np.flatnonzero(weight == 0)
        if empty.size:
            diff = X - centers[labels]
            d_own = np.einsum("ij,ij->i", diff, diff)
            far = np.argpartition(d_own, -empty.size)[: -empty.size - 1 : -1]
            for idx, new in zip(far, empty, strict=True):  # at most k iterations
                old = labels[idx]
                sums[old] -= X[idx] * sw[idx]
                weight[old] -= sw[idx]
                sums[new] = X[idx] * sw[idx]
                weight[new] = sw[idx]
        scale = np.where(weight > 0, weight, 1.0)
        new_centers = sums / scale[:, None]
        shift = float(np.sum((new_centers - centers) ** 2))
        centers = new_centers
        if np.array_equal(labels, labels_old):
            strict = True
            break
        labels_old = labels
        if shift <= tol:
            break
    if not strict:  # make the labels agree with the final centres
        labels = _assign(X, centers, D)
    diff = X - centers[labels]
    inertia = float(np.einsum("ij,ij->i", diff, diff) @ sw)
    return centers, labels, inertia, n_iter


class KMeans(_ClusterMixin, TransformerMixin, BaseEstimator):
    r"""k-means clustering (Lloyd's algorithm with k-means++ seeding).

    Minimises the weighted within-cluster sum of squares

    .. math:: J = \sum_{i=1}^{n} w_i \min_{j} \lVert x_i - c_j \rVert^2 .

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters ``k``.
    init : {"k-means++", "random"} or array of shape (n_clusters, n_features), default="k-means++"
        Seeding: greedy k-means++, ``k`` distinct samples drawn at random, or given centres.
    n_init : "auto" or int, default="auto"
        Number of seedings; the run with the lowest inertia wins. "auto" is 1 for k-means++ and
        given centres, 10 for "random".
    max_iter : int, default=300
        Maximum number of Lloyd iterations per run.
    tol : float, default=1e-4
        Relative tolerance: a run stops when the squared centre shift is at most ``tol`` times
        the mean (weighted) feature variance.
    random_state : None, int or numpy.random.Generator, default=None
        Seeds the initialisation.
    algorithm : {"lloyd"}, default="lloyd"
        Only Lloyd's algorithm is provided.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
    labels_ : ndarray of shape (n_samples,)
    inertia_ : float
        :math:`J` at the returned centres.
    n_iter_ : int
        Lloyd iterations of the winning run.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when fitted on a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.cluster import KMeans
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    >>> km = KMeans(n_clusters=2, random_state=0).fit(X)
    >>> sorted(np.bincount(km.labels_).tolist())
    [2, 2]
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        init: Any = "k-means++",
        n_init: Any = "auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: Any = None,
        algorithm: str = "lloyd",
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.algorithm = algorithm

    def _check_params(self, X: np.ndarray) -> tuple[Any, int]:
        k = self.n_clusters
        if not isinstance(k, numbers.Integral) or isinstance(k, bool) or k < 1:
            raise ValueError(f"n_clusters must be an integer >= 1, got {k!r}.")
        if X.shape[0] < k:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={k}.")
        mi = self.max_iter
        if not isinstance(mi, numbers.Integral) or isinstance(mi, bool) or mi < 1:
            raise ValueError(f"max_iter must be an integer >= 1, got {mi!r}.")
        tol = self.tol
        if not isinstance(tol, numbers.Real) or isinstance(tol, bool) or not tol >= 0:
            raise ValueError(f"tol must be a number >= 0, got {tol!r}.")
        if self.algorithm != "lloyd":
            raise ValueError(f"algorithm must be 'lloyd', got {self.algorithm!r}.")
        init = self.init
        if isinstance(init, str):
            if init not in ("k-means++", "random"):
                raise ValueError(
                    f"init should be either 'k-means++', 'random' or an array, got {init!r}."
                )
        elif callable(init):
            raise ValueError("A callable init is not supported; pass an array of centres.")
        else:
            init = check_array(init, dtype=np.float64, input_name="init")
            if init.shape[0] != k:
                raise ValueError(
                    f"The shape of the initial centers {init.shape} does not match the number "
                    f"of clusters {k}."
                )
            if init.shape[1] != X.shape[1]:
                raise ValueError(
                    f"The shape of the initial centers {init.shape} does not match the number "
                    f"of features of the data {X.shape[1]}."
                )
        n_init = self.n_init
        if isinstance(n_init, str) and n_init == "auto":
            n_init = 10 if isinstance(init, str) and init == "random" else 1
        elif not isinstance(n_init, numbers.Integral) or isinstance(n_init, bool) or n_init < 1:
            raise ValueError(f"n_init must be 'auto' or an integer >= 1, got {n_init!r}.")
        if not isinstance(init, str) and n_init != 1:
            warnings.warn(
                f"Explicit initial center position passed: performing only one init in KMeans "
                f"instead of n_init={n_init}.",
                RuntimeWarning,
                stacklevel=3,
            )
            n_init = 1
        return init, int(n_init)

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> KMeans:
        """Cluster ``X`` of shape (n_samples, n_features); ``sample_weight`` shape (n_samples,)."""
        X = self._validate_data(X, reset=True, dtype=np.float64, copy=True)
        init, n_init = self._check_params(X)
        sw = check_sample_weight(sample_weight, X, dtype=np.float64)
        rng = check_random_state(self.random_state)
        # Centring keeps the ||x||^2 - 2 x.c + ||c||^2 expansion accurate far from the origin.
        mean = X.mean(axis=0)
        X -= mean
        var = np.average((X - np.average(X, axis=0, weights=sw)) ** 2, axis=0, weights=sw)
        tol = float(np.mean(var) * self.tol) if self.tol else 0.0
        best = None
        for _ in range(n_init):
            if isinstance(init, str) and init == "k-means++":
                centers = _kmeans_plusplus(X, self.n_clusters, sw, rng)
            elif isinstance(init, str):  # "random": k distinct samples
                order = _canonical_order(X)
                p = sw[order] / sw.sum()
                pick = rng.choice(X.shape[0], self.n_clusters, replace=False, p=p)
                centers = X[order[pick]]
            else:
                centers = init - mean
            run = _lloyd(X, sw, centers, self.max_iter, tol)
            if best is None or run[2] < best[2]:
                best = run
        centers, labels, inertia, n_iter = best
        self.cluster_centers_ = centers + mean
        self.labels_ = labels.astype(np.int64)
        self.inertia_ = inertia
        self.n_iter_ = int(n_iter)
        self._n_features_out = self.n_clusters
        return self

    def _distances_sq(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = self._validate_data(X, reset=False, dtype=np.float64)
        C = self.cluster_centers_
        D = pairwise_distances(X, C, "sqeuclidean")
        # The expansion cancels badly for a sample close to a centre (relative to their norms):
        # recompute those few entries directly.
        scale = np.einsum("ij,ij->i", X, X)[:, None] + np.einsum("ij,ij->i", C, C)[None, :]
        i, j = np.nonzero(D <= 1e-4 * scale)
        if i.size:
            diff = X[i] - C[j]
            D[i, j] = np.einsum("ij,ij->i", diff, diff)
        return D

    def predict(self, X: Any) -> np.ndarray:
        """Index of the nearest centre for each row of ``X``, shape (n_samples,)."""
        return np.argmin(self._distances_sq(X), axis=1).astype(np.int64)

    def transform(self, X: Any) -> np.ndarray:
        """Euclidean distance from each row to each centre, shape (n_samples, n_clusters)."""
        return np.sqrt(self._distances_sq(X))

    def fit_transform(self, X: Any, y: Any = None, sample_weight: Any = None) -> np.ndarray:
        """Fit, then return the distances to the centres, shape (n_samples, n_clusters)."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Opposite of the inertia of ``X`` under the fitted centres (higher is better)."""
        D = self._distances_sq(X)
        sw = check_sample_weight(sample_weight, D, dtype=np.float64)
        return -float(D.min(axis=1) @ sw)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Output names ``kmeans0``, ``kmeans1``, ...: one per centre."""
        check_is_fitted(self)
        return np.asarray([f"kmeans{i}" for i in range(self.n_clusters)], dtype=object)
