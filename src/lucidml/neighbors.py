r"""k-nearest neighbours (notes §3): predict from the training samples closest to a query.

A query point :math:`\mathbf{x}` is compared with every training sample :math:`\mathbf{x}_i` by a
distance. The notes (§3) give the two classic ones, the straight-line (Euclidean) distance and
the city-block (Manhattan) distance,

.. math::

    d_2(\mathbf{x}, \mathbf{x}_i) = \sqrt{\sum_{j=1}^{m} (x_j - x_{ij})^2}, \qquad
    d_1(\mathbf{x}, \mathbf{x}_i) = \sum_{j=1}^{m} \lvert x_j - x_{ij} \rvert,

both special cases of the Minkowski distance
:math:`d_p = \bigl(\sum_j \lvert x_j - x_{ij} \rvert^p\bigr)^{1/p}`; the cosine distance
:math:`1 - \mathbf{x} \cdot \mathbf{x}_i / (\lVert \mathbf{x} \rVert \lVert \mathbf{x}_i \rVert)`
compares directions only. All of them come from :mod:`lucidml.functions.distances`.

The :math:`k` training samples with the smallest distances form the neighbourhood
:math:`N_k(\mathbf{x})`. A classifier lets them vote,

.. math::

    P(y = c \mid \mathbf{x}) = \frac{\sum_{i \in N_k(\mathbf{x})} w_i \,[y_i = c]}
                                    {\sum_{i \in N_k(\mathbf{x})} w_i}, \qquad
    \hat y = \arg\max_c P(y = c \mid \mathbf{x}),

and a regressor averages their targets, :math:`\hat y = \sum_i w_i y_i / \sum_i w_i`. The weights
are :math:`w_i = 1` (``weights="uniform"``) or :math:`w_i = 1 / d(\mathbf{x}, \mathbf{x}_i)`
(``weights="distance"``); a query that coincides with training samples (distance 0) takes its
prediction from those samples alone.

The search is exact and brute force: the queries are processed a block of rows at a time
(:func:`~lucidml.functions.distances.pairwise_distances_chunked`), each block's :math:`k`
smallest distances are found by a linear-time partition and only those :math:`k` are sorted, so
the full (n_queries, n_samples_fit) distance matrix is never held. Equal distances are ordered
by training index.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ._validation import check_classification_targets, check_is_fitted, column_or_1d
from .base import BaseEstimator, ClassifierMixin, RegressorMixin
from .functions.distances import pairwise_distances_chunked

__all__ = ["KNeighborsClassifier", "KNeighborsRegressor"]

_MB = 2**20
_DEFAULT_WORKING_MEMORY = 64  # megabytes; lucidml's default for chunked distances

# Accepted metric names -> (name understood by lucidml.functions.distances, fixed p or None).
_METRICS: dict[str, tuple[str, float | None]] = {
    "euclidean": ("euclidean", None),
    "l2": ("euclidean", None),
    "manhattan": ("manhattan", None),
    "cityblock": ("manhattan", None),
    "l1": ("manhattan", None),
    "chebyshev": ("minkowski", np.inf),
    "minkowski": ("minkowski", None),
    "cosine": ("cosine", None),
}
_ALGORITHMS = ("auto", "brute", "ball_tree", "kd_tree")
# Queries and training data are float64, C-ordered (fast row gathers, exact arithmetic).
_X_CHECK = {"dtype": np.float64, "order": "C"}
# Columns per group in the two-stage selection of wide rows (see _k_smallest_grouped).
_GROUP = 16


# -- neighbour search ---------------------------------------------------------------------------


def _first_k_in_index_order(block: np.ndarray, kth: np.ndarray, k: int) -> np.ndarray:
    r"""Columns of the ``k`` smallest entries per row, equal values taken in column order.

    For rows where more than ``k`` entries are :math:`\le` the k-th smallest value ``kth``: every
    entry below ``kth`` is kept, then the entries equal to ``kth`` with the lowest columns.

    Parameters
    ----------
    block : ndarray of shape (n_rows, n_cols)
    kth : ndarray of shape (n_rows,)
        The k-th smallest value of each row.
    k : int

    Returns
    -------
    ndarray of shape (n_rows, k)
        Column indices, ascending within each row.
    """
    n_rows = block.shape[0]
    rows, cols = np.nonzero(block <= kth[:, None])  # row-major: columns ascend within a row
    tied = block[rows, cols] == kth[rows]
    n_below = np.bincount(rows, weights=~tied, minlength=n_rows).astype(np.intp)
    # 1-based rank of each tied entry among the tied entries of its row
    cum = np.cumsum(tied)
    row_start = np.searchsorted(rows, np.arange(n_rows))
    before = np.concatenate(([0], cum))[row_start]
    rank = cum - before[rows]
    keep = ~tied | (rank <= (k - n_below)[rows])
    return cols[keep].reshape(n_rows, k)


def _k_smallest_plain(block: np.ndarray, k: int) -> np.ndarray:
    """:func:`_k_smallest` by one ``np.argpartition`` of every full row (``k < n_cols``)."""
    ind = np.argpartition(block, k - 1, axis=1)[:, :k]
    kth = np.take_along_axis(block, ind[:, k - 1 : k], axis=1)[:, 0]
    n_at_most = np.count_nonzero(block <= kth[:, None], axis=1)
    tied = np.flatnonzero(n_at_most > k)
    if tied.size:
        ind[tied] = _first_k_in_index_order(block[tied], kth[tied], k)
    ind.sort(axis=1)
    return ind


def _k_smallest_grouped(block: np.ndarray, k: int, n_groups: int) -> np.ndarray:
    r""":func:`_k_smallest` for wide rows: partition group minima, then only k groups.

    The main part of each row is split into ``n_groups`` interleaved groups of :data:`_GROUP`
    columns (group :math:`c` holds columns :math:`c, c + G, c + 2G, \dots`), whose minima are
    one vectorised reduction. The :math:`k` smallest group minima are :math:`k` distinct
    entries, so the row's k-th smallest value :math:`v_k` is at most the k-th smallest group
    minimum :math:`m_k`; every entry :math:`\le v_k` therefore lies in a group whose minimum is
    :math:`\le m_k`. When exactly :math:`k` groups qualify, their members (plus the columns
    past the last full group) hold every entry :math:`\le v_k`, and the exact selection runs on
    those :math:`k \cdot` :data:`_GROUP` candidates only. Rows where group minima tie at
    :math:`m_k` fall back to :func:`_k_smallest_plain`.
    """
    n_rows, n_cols = block.shape
    main = _GROUP * n_groups
    gmin = block[:, :main].reshape(n_rows, _GROUP, n_groups).min(axis=1)  # (n_rows, G)
    top = np.argpartition(gmin, k - 1, axis=1)[:, :k]
    m_k = np.take_along_axis(gmin, top[:, k - 1 : k], axis=1)
    n_qualify = np.count_nonzero(gmin <= m_k, axis=1)
    members = n_groups * np.arange(_GROUP, dtype=np.intp)
    cols = (top[:, :, None] + members).reshape(n_rows, k * _GROUP)
    if main < n_cols:
        tail = np.broadcast_to(np.arange(main, n_cols, dtype=np.intp), (n_rows, n_cols - main))
        cols = np.concatenate([cols, tail], axis=1)
    cols.sort(axis=1)  # candidates in column order: equal values then resolve by column
    pos = _k_smallest_plain(np.take_along_axis(block, cols, axis=1), k)
    ind = np.take_along_axis(cols, pos, axis=1)
    tied = np.flatnonzero(n_qualify > k)
    if tied.size:
        ind[tied] = _k_smallest_plain(block[tied], k)
    return ind


def _k_smallest(block: np.ndarray, k: int) -> np.ndarray:
    """Column indices of the ``k`` smallest entries of every row, ties broken by lower column.

    ``np.argpartition`` finds them in linear time (on group minima first when the rows are
    wide, see :func:`_k_smallest_grouped`); when more than ``k`` entries share the boundary
    value, the lowest columns among them are taken, so the result never depends on the
    partition's arbitrary order.

    Parameters
    ----------
    block : ndarray of shape (n_rows, n_cols)
    k : int
        ``1 <= k <= n_cols``.

    Returns
    -------
    ndarray of shape (n_rows, k)
        Column indices, ascending within each row (not yet ordered by distance).
    """
    n_rows, n_cols = block.shape
    if k >= n_cols:
        return np.broadcast_to(np.arange(n_cols, dtype=np.intp), (n_rows, n_cols)).copy()
    n_groups = n_cols // _GROUP
    if n_groups >= 4 * k:
        return _k_smallest_grouped(block, k, n_groups)
    return _k_smallest_plain(block, k)


def _exact_euclidean(Q: np.ndarray, F: np.ndarray, ind: np.ndarray, budget: int) -> np.ndarray:
    r"""Euclidean distances from each query to its candidate neighbours, from the differences.

    .. math:: d_{ir} = \sqrt{\sum_{j} (q_{ij} - f_{\mathrm{ind}_{ir}, j})^2}

    The matrix-product expansion used to *find* the candidates loses accuracy for nearby points
    (a query equal to a training sample may come out at 1e-7 instead of 0); recomputing the
    :math:`k` chosen distances directly costs :math:`O(n k m)` and is exact to rounding.

    Parameters
    ----------
    Q : ndarray of shape (n_rows, n_features)
    F : ndarray of shape (n_samples_fit, n_features)
    ind : ndarray of shape (n_rows, k)
    budget : int
        Bytes of scratch memory per step.

    Returns
    -------
    ndarray of shape (n_rows, k)
    """
    n_rows, k = ind.shape
    out = np.empty((n_rows, k))
    step = max(1, budget // (8 * k * max(1, F.shape[1])))
    for s in range(0, n_rows, step):
        e = min(s + step, n_rows)
        diff = F[ind[s:e]]  # (rows, k, n_features), a fresh copy
        diff -= Q[s:e, None, :]
        np.einsum("rkj,rkj->rk", diff, diff, out=out[s:e])
    return np.sqrt(out, out=out)


# -- weights and votes --------------------------------------------------------------------------


def _neighbor_weights(dist: np.ndarray | None, weights: Any) -> np.ndarray | None:
    r"""Weight of every neighbour, or None for uniform weights.

    ``"distance"`` gives :math:`w_{ir} = 1 / d_{ir}`; in a row with a zero distance the exact
    matches get weight 1 and the other neighbours 0. A callable gets the distances and must
    return an array of the same shape.

    Parameters
    ----------
    dist : ndarray of shape (n_queries, k) or None
    weights : {"uniform", "distance"}, callable or None

    Returns
    -------
    ndarray of shape (n_queries, k) or None
    """
    if weights is None or (isinstance(weights, str) and weights == "uniform"):
        return None
    if isinstance(weights, str):  # "distance"
        with np.errstate(divide="ignore"):
            w = 1.0 / dist
        exact = np.isinf(w)
        rows = exact.any(axis=1)
        w[rows] = exact[rows]
    else:
        w = np.asarray(weights(dist), dtype=np.float64)
        if w.shape != dist.shape:
            raise ValueError(
                "A callable 'weights' must return an array of the same shape as the distances "
                f"it receives, {dist.shape}; it returned shape {w.shape}."
            )
        if not np.all(np.isfinite(w)):
            raise ValueError("The callable 'weights' returned NaN or infinite weights.")
    if np.any(~w.any(axis=1)):
        raise ValueError(
            "All neighbors of some sample are getting zero weights. Change 'weights' so that "
            "every query has at least one neighbor with a non-zero weight."
        )
    return w


def _class_votes(codes: np.ndarray, w: np.ndarray | None, n_classes: int) -> np.ndarray:
    r"""Summed weights of each class among each query's neighbours.

    .. math:: V_{ic} = \sum_{r=1}^{k} w_{ir}\, [y_{\mathrm{ind}_{ir}} = c]

    computed with one ``np.bincount`` over the flattened (query, class) pairs.

    Parameters
    ----------
    codes : ndarray of shape (n_queries, k)
        Class index (into ``classes_``) of every neighbour.
    w : ndarray of shape (n_queries, k) or None
        Neighbour weights; None counts every neighbour once.
    n_classes : int

    Returns
    -------
    ndarray of shape (n_queries, n_classes), float64
    """
    n = codes.shape[0]
    flat = codes + (np.arange(n, dtype=np.intp) * n_classes)[:, None]
    votes = np.bincount(
        flat.ravel(), weights=None if w is None else w.ravel(), minlength=n * n_classes
    )
    return votes.reshape(n, n_classes).astype(np.float64, copy=False)


# -- shared estimator code ----------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class _KNeighborsBase(BaseEstimator):
    """Parameters, validation and the chunked neighbour search shared by both estimators."""

    def __init__(
        self,
        n_neighbors: int = 5,
        *,
        weights: str | Callable | None = "uniform",
        algorithm: str = "auto",
        leaf_size: int = 30,
        p: float = 2,
        metric: str = "minkowski",
        working_memory: float | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.p = p
        self.metric = metric
        self.working_memory = working_memory
        self.n_jobs = n_jobs

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    # -- validation ---------------------------------------------------------------------------

    def _check_params(self) -> None:
        """Validate the constructor arguments; set ``effective_metric_(params_)``."""
        k = self.n_neighbors
        if not _is_int(k):
            raise TypeError(
                f"n_neighbors must be an integer >= 1, got {k!r} of type {type(k).__name__}."
            )
        if k <= 0:
            raise ValueError(f"Expected n_neighbors > 0. Got {k}")
        w = self.weights
        if not (w is None or callable(w) or (isinstance(w, str) and w in ("uniform", "distance"))):
            raise ValueError(
                f"weights must be 'uniform', 'distance', None or a callable, got {w!r}."
            )
        if not (isinstance(self.algorithm, str) and self.algorithm in _ALGORITHMS):
            raise ValueError(
                f"algorithm must be one of {', '.join(map(repr, _ALGORITHMS))}, got "
                f"{self.algorithm!r}."
            )
        if not _is_int(self.leaf_size) or self.leaf_size < 1:
            raise ValueError(f"leaf_size must be an integer >= 1, got {self.leaf_size!r}.")
        wm = self.working_memory
        if wm is not None and (
            not isinstance(wm, numbers.Real) or isinstance(wm, bool) or not wm > 0
        ):
            raise ValueError(f"working_memory must be None or a positive number of MB, got {wm!r}.")
        if self.n_jobs is not None and not _is_int(self.n_jobs):
            raise ValueError(f"n_jobs must be None or an integer, got {self.n_jobs!r}.")
        metric = self.metric
        if not (isinstance(metric, str) and metric in _METRICS):
            raise ValueError(
                f"Unknown metric {metric!r}. Valid metrics are: {', '.join(sorted(_METRICS))}."
            )
        effective, params = metric, {}
        if metric == "minkowski":
            p = self.p
            if not isinstance(p, numbers.Real) or isinstance(p, bool) or np.isnan(p) or not p >= 1:
                raise ValueError(
                    f"p must be a number >= 1 (np.inf for Chebyshev) for the minkowski metric, "
                    f"got {p!r}."
                )
            named = {1: "manhattan", 2: "euclidean", np.inf: "chebyshev"}
            if p in named:
                effective = named[p]
            else:
                params = {"p": float(p)}
        self.effective_metric_ = effective
        self.effective_metric_params_ = params

    def _distance_args(self) -> tuple[str, float]:
        """``metric`` and ``p`` for :mod:`lucidml.functions.distances`."""
        name, p = _METRICS[self.effective_metric_]
        if p is None:
            p = self.effective_metric_params_.get("p", 2.0)
        return name, p

    def _fit_data(self, X: Any, y: Any, *, y_numeric: bool) -> tuple[np.ndarray, np.ndarray]:
        self._check_params()
        X, y = self._validate_data(
            X, y, reset=True, multi_output=True, y_numeric=y_numeric, **_X_CHECK
        )
        self._fit_X_ = X
        self._fit_sq_norms_ = np.einsum("ij,ij->i", X, X)  # for ranking by Euclidean distance
        self.n_samples_fit_ = X.shape[0]
        return X, y

    # -- search -------------------------------------------------------------------------------

    def kneighbors(
        self, X: Any = None, n_neighbors: int | None = None, return_distance: bool = True
    ) -> Any:
        r"""Find the ``n_neighbors`` training samples closest to each query.

        Distances are those of ``effective_metric_`` (notes §3), e.g. Euclidean
        :math:`\sqrt{\sum_j (x_j - x_{ij})^2}` or Manhattan :math:`\sum_j \lvert x_j - x_{ij}
        \rvert`. Each row is sorted by distance; equal distances are ordered by training index.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features), default=None
            Query points. None queries the training set itself, each point excluding itself
            from its own neighbours.
        n_neighbors : int, default=None
            Number of neighbours; None uses the constructor's ``n_neighbors``.
        return_distance : bool, default=True
            Also return the distances.

        Returns
        -------
        neigh_dist : ndarray of shape (n_queries, n_neighbors)
            Distances to the neighbours, ascending; only when ``return_distance``.
        neigh_ind : ndarray of shape (n_queries, n_neighbors)
            Indices of the neighbours in the training set.
        """
        check_is_fitted(self)
        if n_neighbors is None:
            n_neighbors = self.n_neighbors
        elif not _is_int(n_neighbors):
            raise TypeError(
                f"n_neighbors does not take {type(n_neighbors)} value, enter integer value"
            )
        elif n_neighbors <= 0:
            raise ValueError(f"Expected n_neighbors > 0. Got {n_neighbors}")
        query_is_train = X is None
        Q = self._fit_X_ if query_is_train else self._validate_data(X, reset=False, **_X_CHECK)
        n_fit = self.n_samples_fit_
        limit = n_fit - 1 if query_is_train else n_fit
        if n_neighbors > limit:
            inequality = "<" if query_is_train else "<="
            raise ValueError(
                f"Expected n_neighbors {inequality} n_samples_fit, but "
                f"n_neighbors = {n_neighbors}, n_samples_fit = {n_fit}, n_samples = {Q.shape[0]}"
            )
        dist, ind = self._search(Q, int(n_neighbors), query_is_train)
        return (dist, ind) if return_distance else ind

    def _search(self, Q: np.ndarray, k: int, query_is_train: bool) -> tuple[np.ndarray, np.ndarray]:
        """Chunked brute-force search: (distances, indices), each of shape (n_queries, k)."""
        F = self._fit_X_
        metric, p = self._distance_args()
        # Squared Euclidean ranks the same and skips a square root per entry; the k chosen
        # distances are then recomputed exactly.
        select_metric = "sqeuclidean" if metric == "euclidean" else metric
        wm = _DEFAULT_WORKING_MEMORY if self.working_memory is None else self.working_memory
        # Half the budget for the distance block (and its scratch), the rest for the partition's
        # index array of the same size and the candidates.
        budget = max(1, int(wm * _MB) // 4)
        n_q = Q.shape[0]
        ind = np.empty((n_q, k), dtype=np.intp)
        dist = np.empty((n_q, k))
        if metric == "euclidean":
            chunks = self._ranking_blocks(Q, wm / 2)
        else:
            chunks = pairwise_distances_chunked(Q, F, select_metric, p=p, working_memory=wm / 2)
        for start, block in chunks:
            n_rows = block.shape[0]
            stop = start + n_rows
            if query_is_train:  # a point is not its own neighbour
                r = np.arange(n_rows)
                block[r, start + r] = np.inf
            cand = _k_smallest(block, k)  # (n_rows, k), ascending indices
            if metric == "euclidean":
                d = _exact_euclidean(Q[start:stop], F, cand, budget)
            else:
                d = np.take_along_axis(block, cand, axis=1)
            order = np.argsort(d, axis=1, kind="stable")  # stable: equal distances by index
            ind[start:stop] = np.take_along_axis(cand, order, axis=1)
            dist[start:stop] = np.take_along_axis(d, order, axis=1)
        return dist, ind

    def _ranking_blocks(self, Q: np.ndarray, working_memory: float) -> Any:
        r"""Blocks of :math:`\lVert f\rVert^2 - 2\,q \cdot f`, which rank training rows as the
        Euclidean distance does (it differs from :math:`d^2` by :math:`\lVert q\rVert^2`, a
        constant per query).

        One matrix product and one pass per block, instead of the four passes that finishing
        true distances takes; the :math:`k` chosen distances are recomputed exactly afterwards.
        """
        F, ff = self._fit_X_, self._fit_sq_norms_
        rows = max(1, min(Q.shape[0], int(working_memory * _MB) // (8 * max(1, F.shape[0]))))
        buf = np.empty((rows, F.shape[0]))
        for start in range(0, Q.shape[0], rows):
            q = Q[start : start + rows]
            block = buf[: q.shape[0]]
            np.dot(q * -2.0, F.T, out=block)
            block += ff
            yield start, block

    def _neighbors_for_predict(self, X: Any) -> tuple[np.ndarray | None, np.ndarray]:
        """Neighbour weights (None when uniform) and indices, each (n_queries, n_neighbors)."""
        dist, ind = self.kneighbors(X)
        return _neighbor_weights(dist, self.weights), ind


_PARAMS_DOC = r"""
    Parameters
    ----------
    n_neighbors : int, default=5
        Number of neighbours :math:`k` that vote (or are averaged).
    weights : {"uniform", "distance"}, callable or None, default="uniform"
        ``"uniform"`` (or None): every neighbour counts once. ``"distance"``: neighbour
        :math:`i` counts :math:`1 / d(\mathbf{x}, \mathbf{x}_i)`, and a query at distance 0 from
        training samples takes its prediction from those samples alone. A callable receives the
        distances, shape (n_queries, n_neighbors), and returns weights of the same shape.
    algorithm : {"auto", "brute", "ball_tree", "kd_tree"}, default="auto"
        Accepted for compatibility with scikit-learn. Every choice runs the same exact
        brute-force search, so the neighbours found are those any exact algorithm finds.
    leaf_size : int, default=30
        Accepted for compatibility with scikit-learn; unused.
    p : float, default=2
        Order of the Minkowski metric, :math:`p \ge 1` or ``np.inf`` (1: Manhattan,
        2: Euclidean). Used only when ``metric="minkowski"``.
    metric : str, default="minkowski"
        ``"euclidean"`` (alias ``"l2"``), ``"manhattan"`` (aliases ``"cityblock"``, ``"l1"``),
        ``"minkowski"`` (with ``p``), ``"chebyshev"`` or ``"cosine"``; see
        :mod:`lucidml.functions.distances` for the formulas.
    working_memory : float, default=None
        Megabytes the search may use for its temporary arrays beyond the outputs (None: 64).
        Queries are processed in blocks of rows sized to fit, so memory does not grow with
        n_queries × n_samples_fit.
    n_jobs : int, default=None
        Accepted for compatibility with scikit-learn; the search is vectorised, and the BLAS
        library decides the threads of the matrix products.
"""


class KNeighborsClassifier(ClassifierMixin, _KNeighborsBase):
    r"""Classifier voting among the :math:`k` nearest training samples (notes §3).

    .. math::

        P(y = c \mid \mathbf{x}) = \frac{\sum_{i \in N_k(\mathbf{x})} w_i \,[y_i = c]}
                                        {\sum_{i \in N_k(\mathbf{x})} w_i},
        \qquad \hat y = \arg\max_c P(y = c \mid \mathbf{x})

    where :math:`N_k(\mathbf{x})` are the :math:`k` training samples nearest to
    :math:`\mathbf{x}`, for instance by the Euclidean distance
    :math:`d_2(\mathbf{x}, \mathbf{x}_i) = \sqrt{\sum_j (x_j - x_{ij})^2}` or the Manhattan
    distance :math:`d_1(\mathbf{x}, \mathbf{x}_i) = \sum_j \lvert x_j - x_{ij} \rvert`. A tie
    between classes goes to the class that sorts first. Multi-output targets get one vote per
    output.
    {params}
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,) or list of such arrays
        Sorted class labels; one array per output when ``y`` has several columns.
    effective_metric_ : str
        The metric used: ``metric``, except that Minkowski with ``p`` 1, 2 or inf is named
        ``"manhattan"``, ``"euclidean"`` or ``"chebyshev"``.
    effective_metric_params_ : dict
        ``{"p": p}`` for a general Minkowski metric, else empty.
    n_samples_fit_ : int
        Number of training samples.
    outputs_2d_ : bool
        Whether ``y`` had several columns.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> from lucidml.neighbors import KNeighborsClassifier
    >>> X = [[0.0], [1.0], [2.0], [3.0]]
    >>> clf = KNeighborsClassifier(n_neighbors=3).fit(X, [0, 0, 1, 1])
    >>> clf.predict([[1.1]])
    array([0])
    >>> clf.predict_proba([[0.9]])
    array([[0.66666667, 0.33333333]])
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    def fit(self, X: Any, y: Any) -> KNeighborsClassifier:
        """Store the training set and encode its labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Class labels (numbers or strings).

        Returns
        -------
        self : KNeighborsClassifier
        """
        X, y = self._fit_data(X, y, y_numeric=False)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self.outputs_2d_ = y.ndim == 2
        Y = y if self.outputs_2d_ else y[:, None]
        classes, codes = [], np.empty(Y.shape, dtype=np.intp)
        for j in range(Y.shape[1]):  # one loop step per output
            classes_j, codes[:, j] = np.unique(Y[:, j], return_inverse=True)
            classes.append(classes_j)
        self.classes_ = classes if self.outputs_2d_ else classes[0]
        self._y_ = codes
        return self

    def _votes(self, X: Any) -> list[np.ndarray]:
        """Summed neighbour weights per class, one (n_queries, n_classes_j) array per output."""
        check_is_fitted(self)
        w, ind = self._neighbors_for_predict(X)
        classes = self.classes_ if self.outputs_2d_ else [self.classes_]
        return [_class_votes(self._y_[ind, j], w, len(c)) for j, c in enumerate(classes)]

    def predict(self, X: Any = None) -> np.ndarray:
        """Most voted class of each query.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features), default=None
            None predicts every training sample from its neighbours, itself excluded.

        Returns
        -------
        y : ndarray of shape (n_queries,) or (n_queries, n_outputs)
            Class labels.
        """
        votes = self._votes(X)
        classes = self.classes_ if self.outputs_2d_ else [self.classes_]
        preds = [c[np.argmax(v, axis=1)] for c, v in zip(classes, votes, strict=True)]
        return np.stack(preds, axis=1) if self.outputs_2d_ else preds[0]

    def predict_proba(self, X: Any = None) -> np.ndarray | list[np.ndarray]:
        r"""Share of the (weighted) neighbour votes of every class.

        .. math:: P(y = c \mid \mathbf{x}) = V_c / \textstyle\sum_{c'} V_{c'}

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features), default=None
            None scores every training sample from its neighbours, itself excluded.

        Returns
        -------
        proba : ndarray of shape (n_queries, n_classes), or a list with one such array per output
            Columns follow ``classes_``.
        """
        probas = []
        for v in self._votes(X):
            total = v.sum(axis=1, keepdims=True)
            total[total == 0] = 1.0  # only reachable with a callable's cancelling weights
            v /= total
            probas.append(v)
        return probas if self.outputs_2d_ else probas[0]


class KNeighborsRegressor(RegressorMixin, _KNeighborsBase):
    r"""Regressor averaging the targets of the :math:`k` nearest training samples (notes §3).

    .. math:: \hat y(\mathbf{x}) = \frac{\sum_{i \in N_k(\mathbf{x})} w_i\, y_i}
                                        {\sum_{i \in N_k(\mathbf{x})} w_i}

    where :math:`N_k(\mathbf{x})` are the :math:`k` training samples nearest to
    :math:`\mathbf{x}`, for instance by the Euclidean distance
    :math:`d_2(\mathbf{x}, \mathbf{x}_i) = \sqrt{\sum_j (x_j - x_{ij})^2}` or the Manhattan
    distance :math:`d_1(\mathbf{x}, \mathbf{x}_i) = \sum_j \lvert x_j - x_{ij} \rvert`.
    Multi-output targets are averaged column by column.
    {params}
    Attributes
    ----------
    effective_metric_ : str
        The metric used: ``metric``, except that Minkowski with ``p`` 1, 2 or inf is named
        ``"manhattan"``, ``"euclidean"`` or ``"chebyshev"``.
    effective_metric_params_ : dict
        ``{"p": p}`` for a general Minkowski metric, else empty.
    n_samples_fit_ : int
        Number of training samples.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> from lucidml.neighbors import KNeighborsRegressor
    >>> X = [[0.0], [1.0], [2.0], [3.0]]
    >>> KNeighborsRegressor(n_neighbors=2).fit(X, [0.0, 0.0, 1.0, 1.0]).predict([[1.6]])
    array([0.5])
    """

    def fit(self, X: Any, y: Any) -> KNeighborsRegressor:
        """Store the training set and its targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)

        Returns
        -------
        self : KNeighborsRegressor
        """
        X, y = self._fit_data(X, y, y_numeric=True)
        self._y_ = np.asarray(y, dtype=np.float64)
        return self

    def predict(self, X: Any = None) -> np.ndarray:
        """(Weighted) mean target of each query's neighbours.

        Parameters
        ----------
        X : array-like of shape (n_queries, n_features), default=None
            None predicts every training sample from its neighbours, itself excluded.

        Returns
        -------
        y : ndarray of shape (n_queries,) or (n_queries, n_outputs)
        """
        check_is_fitted(self)
        w, ind = self._neighbors_for_predict(X)
        Yn = self._y_[ind]  # (n_queries, k) or (n_queries, k, n_outputs)
        if w is None:
            return Yn.mean(axis=1)
        if Yn.ndim == 3:
            w = w[:, :, None]
        return np.sum(Yn * w, axis=1) / np.sum(w, axis=1)


# Both estimators take the same parameters: document them once.
KNeighborsClassifier.__doc__ = KNeighborsClassifier.__doc__.replace("{params}", _PARAMS_DOC)
KNeighborsRegressor.__doc__ = KNeighborsRegressor.__doc__.replace("{params}", _PARAMS_DOC)
