r"""Distances between vectors (notes §3), paired and pairwise, each beside its gradient.

*Paired* forms (:func:`euclidean`, :func:`manhattan`, :func:`minkowski`, :func:`cosine`) compare
``u`` with ``v``: two vectors of shape (n_features,) give a float, two matrices of shape
(n_samples, n_features) give the row-wise distances, shape (n_samples,). A gradient with respect to
``u`` sits beside each.

*Pairwise* forms compare every row of ``X`` with every row of ``Y``: :func:`pairwise_distances`
fills an (n_samples_X, n_samples_Y) matrix, and :func:`pairwise_distances_chunked` yields it a
block of rows at a time so that callers (nearest neighbours, k-means) never hold all of it. Both
work in blocks so that the memory they need *beyond the output* stays below ``working_memory``
megabytes.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .._validation import check_array

__all__ = [
    "euclidean",
    "euclidean_grad",
    "manhattan",
    "manhattan_grad",
    "minkowski",
    "minkowski_grad",
    "cosine",
    "cosine_grad",
    "pairwise_distances",
    "pairwise_distances_chunked",
    "PAIRWISE_METRICS",
]

_FLOATS = (np.float64, np.float32)
_MB = 2**20


# ----------------------------------------------------------------------------------------------
# paired distances
# ----------------------------------------------------------------------------------------------


def _check_paired(u: Any, v: Any) -> tuple[np.ndarray, np.ndarray, bool]:
    """Validate ``u`` and ``v``; return them in a common float dtype and whether both were 1-D."""
    u = check_array(u, ensure_2d=False, dtype=_FLOATS, input_name="u")
    v = check_array(v, ensure_2d=False, dtype=_FLOATS, input_name="v")
    for name, a in (("u", u), ("v", v)):
        if a.ndim not in (1, 2):
            raise ValueError(
                f"{name} must be a vector (n_features,) or a matrix (n_samples, n_features), "
                f"got shape {a.shape}."
            )
    if u.shape[-1] != v.shape[-1]:
        raise ValueError(
            f"Incompatible dimension for u and v: u.shape[-1] == {u.shape[-1]} while "
            f"v.shape[-1] == {v.shape[-1]}"
        )
    if u.ndim == 2 and v.ndim == 2 and u.shape[0] != v.shape[0] and 1 not in (len(u), len(v)):
        raise ValueError(
            f"u and v must have the same number of rows (or one row), got {u.shape[0]} and "
            f"{v.shape[0]}."
        )
    dtype = np.result_type(u, v)
    return u.astype(dtype, copy=False), v.astype(dtype, copy=False), u.ndim == v.ndim == 1


def _finish(d: np.ndarray, vectors: bool) -> Any:
    return float(d) if vectors else d


def _check_p(p: Any) -> float:
    if not isinstance(p, numbers.Real) or isinstance(p, bool) or np.isnan(p) or p < 1:
        raise ValueError(f"p must be a number >= 1 (np.inf for Chebyshev), got {p!r}.")
    return float(p)


def euclidean(u: Any, v: Any) -> float | np.ndarray:
    r"""Euclidean distance, the straight-line length of :math:`u - v` (Pythagoras, notes §3).

    .. math:: d(u, v) = \sqrt{\sum_{j=1}^{m} (u_j - v_j)^2}

    Parameters
    ----------
    u : array-like of shape (n_features,) or (n_samples, n_features)
    v : array-like of shape (n_features,) or (n_samples, n_features)

    Returns
    -------
    float or ndarray of shape (n_samples,)
        A float when both are vectors, else one distance per row.
    """
    u, v, vectors = _check_paired(u, v)
    diff = u - v
    return _finish(np.sqrt(np.einsum("...j,...j->...", diff, diff)), vectors)


def euclidean_grad(u: Any, v: Any) -> np.ndarray:
    r"""Gradient of :func:`euclidean` with respect to ``u`` (0 where :math:`u = v`).

    .. math:: \frac{\partial d}{\partial u} = \frac{u - v}{\lVert u - v \rVert_2}

    Parameters
    ----------
    u : array-like of shape (n_features,) or (n_samples, n_features)
    v : array-like of shape (n_features,) or (n_samples, n_features)

    Returns
    -------
    ndarray of the broadcast shape of ``u`` and ``v``
    """
    u, v, _ = _check_paired(u, v)
    diff = u - v
    d = np.sqrt(np.einsum("...j,...j->...", diff, diff))[..., None]
    return np.divide(diff, d, out=np.zeros_like(diff), where=d > 0)


def manhattan(u: Any, v: Any) -> float | np.ndarray:
    r"""Manhattan (city-block) distance: the sum of absolute axis distances (notes §3).

    .. math:: d(u, v) = \sum_{j=1}^{m} \lvert u_j - v_j \rvert

    Parameters
    ----------
    u : array-like of shape (n_features,) or (n_samples, n_features)
    v : array-like of shape (n_features,) or (n_samples, n_features)

    Returns
    -------
    float or ndarray of shape (n_samples,)
    """
    u, v, vectors = _check_paired(u, v)
    diff = u - v
    np.abs(diff, out=diff)
    return _finish(diff.sum(axis=-1), vectors)


def manhattan_grad(u: Any, v: Any) -> np.ndarray:
    r"""Subgradient of :func:`manhattan` with respect to ``u`` (0 where :math:`u_j = v_j`).

    .. math:: \frac{\partial d}{\partial u_j} = \operatorname{sign}(u_j - v_j)

    Parameters
    ----------
    u : array-like of shape (n_features,) or (n_samples, n_features)
    v : array-like of shape (n_features,) or (n_samples, n_features)

    Returns
    -------
    ndarray of the broadcast shape of ``u`` and ``v``
    """
    u, v, _ = _check_paired(u, v)
    diff = u - v
    return np.sign(diff, out=diff)


def minkowski(u: Any, v: Any, p: float = 2) -> float | np.ndarray:
    r"""Minkowski distance of order :math:`p \ge 1` (1: Manhattan, 2: Euclidean, inf: Chebyshev).

    .. math:: d_p(u, v) = \Bigl(\sum_{j=1}^{m} \lvert u_j - v_j \rvert^{p}\Bigr)^{1/p},
              \qquad d_\infty(u, v) = \max_j \lvert u_j - v_j \rvert

    Parameters
    ----------
    u : array-like of shape (n_features,) or (n_samples, n_features)
    v : array-like of shape (n_features,) or (n_samples, n_features)
    p : float, default=2
        Order, :math:`p \ge 1` or ``np.inf``.

    Returns
    -------
    float or ndarray of shape (n_samples,)
    """
    p = _check_p(p)
    u, v, vectors = _check_paired(u, v)
    diff = np.abs(u - v)
    if p == np.inf:
        d = diff.max(axis=-1)
    elif p == 1:
        d = diff.sum(axis=-1)
    else:
        np.power(diff, p, out=diff)
        d = np.power(diff.sum(axis=-1), 1 / p)
    return _finish(d, vectors)


def minkowski_grad(u: Any, v: Any, p: float = 2) -> np.ndarray:
    r"""Gradient of :func:`minkowski` with respect to ``u`` (0 where :math:`u = v`).

    .. math:: \frac{\partial d_p}{\partial u_j}
              = \operatorname{sign}(u_j - v_j)\,
                \Bigl(\frac{\lvert u_j - v_j \rvert}{d_p(u, v)}\Bigr)^{p-1}

    For :math:`p = \infty` the subgradient puts :math:`\operatorname{sign}(u_j - v_j)` on the
    first coordinate with the largest :math:`\lvert u_j - v_j \rvert` and 0 elsewhere.

    Parameters
    ----------
    u : array-like of shape (n_features,) or (n_samples, n_features)
    v : array-like of shape (n_features,) or (n_samples, n_features)
    p : float, default=2

    Returns
    -------
    ndarray of the broadcast shape of ``u`` and ``v``
    """
    p = _check_p(p)
    u, v, _ = _check_paired(u, v)
    diff = u - v
    sign = np.sign(diff)
    absd = np.abs(diff)
    if p == 1:
        return sign
    if p == np.inf:
        grad = np.zeros_like(diff)
        j = absd.argmax(axis=-1)[..., None]
        np.put_along_axis(grad, j, np.take_along_axis(sign, j, axis=-1), axis=-1)
        return grad
    d = minkowski(u, v, p=p)
    d = np.asarray(d, dtype=diff.dtype)[..., None]
    ratio = np.divide(absd, d, out=np.zeros_like(absd), where=d > 0)
    np.power(ratio, p - 1, out=ratio)
    ratio *= sign
    return ratio


def _cosine_parts(u: np.ndarray, v: np.ndarray):
    dot = np.einsum("...j,...j->...", u, v)
    nu = np.sqrt(np.einsum("...j,...j->...", u, u))
    nv = np.sqrt(np.einsum("...j,...j->...", v, v))
    return dot, nu, nv


def cosine(u: Any, v: Any) -> float | np.ndarray:
    r"""Cosine distance: one minus the cosine of the angle between ``u`` and ``v``.

    .. math:: d(u, v) = 1 - \frac{u \cdot v}{\lVert u \rVert_2\, \lVert v \rVert_2}

    Values lie in :math:`[0, 2]`. A zero vector has no direction; its similarity to anything is
    taken as 0, so its distance is 1.

    Parameters
    ----------
    u : array-like of shape (n_features,) or (n_samples, n_features)
    v : array-like of shape (n_features,) or (n_samples, n_features)

    Returns
    -------
    float or ndarray of shape (n_samples,)
    """
    u, v, vectors = _check_paired(u, v)
    dot, nu, nv = _cosine_parts(u, v)
    denom = nu * nv
    sim = np.divide(dot, denom, out=np.zeros_like(np.asarray(dot)), where=denom > 0)
    d = np.subtract(1.0, np.clip(sim, -1.0, 1.0))
    return _finish(d, vectors)


def cosine_grad(u: Any, v: Any) -> np.ndarray:
    r"""Gradient of :func:`cosine` with respect to ``u`` (0 when either vector is zero).

    With :math:`c = \frac{u \cdot v}{\lVert u\rVert \lVert v\rVert}`,

    .. math:: \frac{\partial d}{\partial u}
              = -\frac{v}{\lVert u \rVert\, \lVert v \rVert} + c\,\frac{u}{\lVert u \rVert^2}

    Parameters
    ----------
    u : array-like of shape (n_features,) or (n_samples, n_features)
    v : array-like of shape (n_features,) or (n_samples, n_features)

    Returns
    -------
    ndarray of the broadcast shape of ``u`` and ``v``
    """
    u, v, _ = _check_paired(u, v)
    dot, nu, nv = _cosine_parts(u, v)
    u, v = np.broadcast_arrays(u, v)
    dot, nu, nv = (np.asarray(a)[..., None] for a in (dot, nu, nv))
    ok = (nu > 0) & (nv > 0)
    denom = np.where(ok, nu * nv, 1)
    nu2 = np.where(ok, nu * nu, 1)
    grad = (dot / denom) * u / nu2 - v / denom
    return np.where(ok, grad, 0).astype(u.dtype, copy=False)


# ----------------------------------------------------------------------------------------------
# pairwise distances
# ----------------------------------------------------------------------------------------------

PAIRWISE_METRICS = ("euclidean", "sqeuclidean", "manhattan", "minkowski", "cosine")
_METRIC_ALIASES = {"cityblock": "manhattan", "l1": "manhattan", "l2": "euclidean"}

# Output rows filled per step on the float64 matrix-product path: large enough for an efficient
# matrix product, small enough that the in-place passes that follow find the block in cache.
_GEMM_BLOCK_BYTES = 4 * _MB
_GEMM_MIN_ROWS = 512  # narrower products run far below the GEMM rate
# Block size for the feature-by-feature metrics: a block updated once per feature stays in cache.
_CACHE_BLOCK_BYTES = _MB // 4


def _check_metric(metric: Any, p: Any) -> tuple[str | Callable, float]:
    if callable(metric):
        return metric, 2.0
    if not isinstance(metric, str):
        raise TypeError(f"metric must be a string or a callable, got {type(metric).__name__}.")
    name = _METRIC_ALIASES.get(metric, metric)
    if name not in PAIRWISE_METRICS:
        valid = sorted([*PAIRWISE_METRICS, *_METRIC_ALIASES])
        raise ValueError(
            f"Unknown metric {metric!r}. Valid metrics are: {', '.join(valid)}, or a callable."
        )
    p = _check_p(p)
    if name == "minkowski" and p == 1:
        name = "manhattan"
    return name, p


def _check_pairwise_arrays(X: Any, Y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = check_array(X, dtype=_FLOATS, input_name="X")
    if Y is None:
        return X, X
    Y = check_array(Y, dtype=_FLOATS, input_name="Y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            "Incompatible dimension for X and Y matrices: "
            f"X.shape[1] == {X.shape[1]} while Y.shape[1] == {Y.shape[1]}"
        )
    if X.dtype != Y.dtype:  # float32 stays float32 only when both are float32
        X, Y = X.astype(np.float64, copy=False), Y.astype(np.float64, copy=False)
    return X, Y


def _check_working_memory(working_memory: Any) -> int:
    if (
        not isinstance(working_memory, numbers.Real)
        or isinstance(working_memory, bool)
        or not working_memory > 0
    ):
        raise ValueError(f"working_memory must be a positive number of MB, got {working_memory!r}.")
    return max(1, int(working_memory * _MB))


def _zero_diagonal(block: np.ndarray, row0: int, col0: int) -> None:
    """Set ``block[i, j] = 0`` where global row ``row0 + i`` equals global column ``col0 + j``."""
    lo = max(row0, col0)
    hi = min(row0 + block.shape[0], col0 + block.shape[1])
    if lo < hi:
        idx = np.arange(lo, hi)
        block[idx - row0, idx - col0] = 0


def _row_norms_sq(A: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", A, A)


def _finish_gemm(D: np.ndarray, xx: np.ndarray, yy: np.ndarray, metric: str) -> None:
    """Turn the product into distances in place (``xx``, ``yy``: squared norms).

    ``D`` holds ``X Y^T`` for cosine and ``X (-2 Y)^T`` for the Euclidean metrics (the factor
    is folded into ``Y`` once, exactly, since it is a power of two).
    """
    if metric == "cosine":
        nx = np.sqrt(xx)
        nx[nx == 0] = 1
        ny = np.sqrt(yy)
        ny[ny == 0] = 1
        D /= nx[:, None]
        D /= ny[None, :]
        np.subtract(1, D, out=D)
        np.clip(D, 0, 2, out=D)
        return
    # ||x - y||^2 = ||x||^2 - 2 x.y + ||y||^2 (D already holds -2 x.y); rounding may leave tiny
    # negatives: clip them.
    D += xx[:, None]
    D += yy[None, :]
    np.maximum(D, 0, out=D)
    if metric == "euclidean":
        np.sqrt(D, out=D)


def _blocks(n: int, size: int) -> Iterator[tuple[int, int]]:
    for start in range(0, n, size):
        yield start, min(start + size, n)


def _fill_gemm64(
    X: np.ndarray, Y: np.ndarray, metric: str, out: np.ndarray, row0: int, zero_diag: bool
) -> None:
    """float64: the matrix product is written straight into ``out``; only norms are extra."""
    n_y = Y.shape[0]
    yy = _row_norms_sq(Y)
    rows = max(_GEMM_MIN_ROWS, _GEMM_BLOCK_BYTES // (8 * n_y))
    for s, e in _blocks(X.shape[0], rows):
        D = out[s:e]
        Xb = X[s:e]
        np.dot(Xb, Y.T, out=D)
        if metric != "cosine":  # no scaled copy of Y: that would be memory beyond the budget
            D *= -2.0
        _finish_gemm(D, _row_norms_sq(Xb), yy, metric)
        if zero_diag:
            _zero_diagonal(D, row0 + s, 0)


def _fill_gemm32(
    X: np.ndarray,
    Y: np.ndarray,
    metric: str,
    out: np.ndarray,
    row0: int,
    zero_diag: bool,
    budget: int,
) -> None:
    """float32: blocks of X and Y are upcast to float64, so the result is accurate to float32.

    The float64 copies (X block, Y block, their norms and the distance block) fit in ``budget``.
    """
    n_x, d = X.shape
    n_y = Y.shape[0]
    half = budget // 2
    by = n_y if 8 * n_y * (d + 1) <= half else max(1, half // (8 * (d + 1)))
    bx = max(1, min(n_x, half // (8 * (d + 1 + by))))
    by = min(by, n_y)
    y_buf = np.empty(by * d)
    x_buf = np.empty(bx * d)
    d_buf = np.empty(bx * by)
    for t, u in _blocks(n_y, by):
        Yb = y_buf[: (u - t) * d].reshape(u - t, d)
        np.copyto(Yb, Y[t:u])
        yy = _row_norms_sq(Yb)
        if metric != "cosine":
            Yb *= -2.0
        for s, e in _blocks(n_x, bx):
            Xb = x_buf[: (e - s) * d].reshape(e - s, d)
            np.copyto(Xb, X[s:e])
            D = d_buf[: (e - s) * (u - t)].reshape(e - s, u - t)
            np.dot(Xb, Yb.T, out=D)
            _finish_gemm(D, _row_norms_sq(Xb), yy, metric)
            if zero_diag:
                _zero_diagonal(D, row0 + s, t)
            out[s:e, t:u] = D


def _fill_featurewise(
    X: np.ndarray, Y: np.ndarray, metric: str, p: float, out: np.ndarray, budget: int
) -> None:
    """Manhattan / Minkowski: accumulate :math:`|x_j - y_j|^p` one feature at a time.

    Each (rows_X, rows_Y) block is small enough to stay in cache while the loop over features
    (not over samples) adds into it. Scratch: transposed copies of the two row blocks and one
    block-sized temporary, all within ``budget``.
    """
    n_x, d = X.shape
    n_y = Y.shape[0]
    item = X.dtype.itemsize
    quarter = budget // 4
    block = min(quarter, _CACHE_BLOCK_BYTES)
    by = max(1, min(n_y, quarter // (d * item), block // item))
    bx = max(1, min(n_x, quarter // (d * item), block // (by * item)))
    tmp = np.empty(bx * by, dtype=X.dtype)
    for t, u in _blocks(n_y, by):
        YT = np.ascontiguousarray(Y[t:u].T)  # (d, rows_Y)
        for s, e in _blocks(n_x, bx):
            XT = np.ascontiguousarray(X[s:e].T)  # (d, rows_X)
            T = tmp[: (e - s) * (u - t)].reshape(e - s, u - t)
            O = out[s:e, t:u]
            O.fill(0)
            for j in range(d):
                np.subtract(XT[j, :, None], YT[j, None, :], out=T)
                np.abs(T, out=T)
                if metric == "manhattan":
                    O += T
                elif p == np.inf:
                    np.maximum(O, T, out=O)
                else:
                    if p == 2:
                        np.square(T, out=T)
                    else:
                        np.power(T, p, out=T)
                    O += T
            if metric == "minkowski" and p != np.inf:
                if p == 2:
                    np.sqrt(O, out=O)
                else:
                    np.power(O, 1 / p, out=O)


def _fill_cityblock(X: np.ndarray, Y: np.ndarray, out: np.ndarray) -> None:
    """Manhattan in float64 through SciPy's compiled ``cdist``, straight into ``out``.

    ``cdist`` releases the GIL, so row blocks run on a thread per core; it writes into row
    slices of ``out`` and needs no scratch beyond float64 views of the inputs.
    """
    from concurrent.futures import ThreadPoolExecutor

    from scipy.spatial.distance import cdist

    X = np.ascontiguousarray(X, dtype=np.float64)
    Y = np.ascontiguousarray(Y, dtype=np.float64)
    n_x = X.shape[0]
    # A thread per core once the block is worth it (about a million |x - y| terms each).
    work = n_x * Y.shape[0] * max(1, X.shape[1])
    workers = max(1, min(os.cpu_count() or 1, n_x, work // 1_000_000))
    step = -(-n_x // workers)
    bounds = [(s, min(s + step, n_x)) for s in range(0, n_x, step)]

    def part(b: tuple[int, int]) -> None:
        cdist(X[b[0] : b[1]], Y, "cityblock", out=out[b[0] : b[1]])

    if len(bounds) == 1:
        part(bounds[0])
        return
    with ThreadPoolExecutor(len(bounds)) as pool:
        list(pool.map(part, bounds))


def _fill_callable(
    X: np.ndarray, Y: np.ndarray, metric: Callable, out: np.ndarray, budget: int
) -> None:
    """A callable compares paired rows: it gets two (m, d) arrays and returns m distances."""
    n_x, d = X.shape
    n_y = Y.shape[0]
    item = X.dtype.itemsize
    quarter = budget // 4  # two row buffers of a quarter each; the rest for the callable's own use
    by = n_y if n_y * d * item <= quarter else max(1, quarter // (d * item))
    bx = max(1, min(n_x, quarter // (by * d * item)))
    u_buf = np.empty(bx * by * d, dtype=X.dtype)
    v_buf = np.empty(bx * by * d, dtype=X.dtype)
    for t, u in _blocks(n_y, by):
        for s, e in _blocks(n_x, bx):
            m = (e - s) * (u - t)
            U = u_buf[: m * d].reshape(e - s, u - t, d)
            V = v_buf[: m * d].reshape(e - s, u - t, d)
            np.copyto(U, X[s:e, None])
            np.copyto(V, Y[None, t:u])
            r = np.asarray(metric(U.reshape(m, d), V.reshape(m, d)))
            if r.shape != (m,):
                raise ValueError(
                    "A callable metric must take two arrays of paired rows, each of shape "
                    f"(m, n_features), and return m distances; it returned shape {r.shape} for "
                    f"m={m}. lucidml's paired distances (e.g. lucidml.functions.manhattan) "
                    "follow this contract."
                )
            out[s:e, t:u] = r.reshape(e - s, u - t)


def _fill(
    X: np.ndarray,
    Y: np.ndarray,
    metric: str | Callable,
    p: float,
    out: np.ndarray,
    budget: int,
    row0: int = 0,
    zero_diag: bool = False,
) -> None:
    if callable(metric):
        _fill_callable(X, Y, metric, out, budget)
    elif metric == "manhattan" and out.dtype == np.float64 and out.flags.c_contiguous:
        _fill_cityblock(X, Y, out)
    elif metric in ("manhattan", "minkowski"):
        _fill_featurewise(X, Y, metric, p, out, budget)
    elif X.dtype == np.float64:
        _fill_gemm64(X, Y, metric, out, row0, zero_diag)
    else:
        _fill_gemm32(X, Y, metric, out, row0, zero_diag, budget)


def pairwise_distances(
    X: Any,
    Y: Any = None,
    metric: str | Callable = "euclidean",
    *,
    p: float = 2,
    working_memory: float = 64,
    out: np.ndarray | None = None,
) -> np.ndarray:
    r"""Distances between every row of ``X`` and every row of ``Y``.

    For the Euclidean metrics, the expansion

    .. math:: \lVert x - y \rVert^2 = \lVert x \rVert^2 - 2\, x \cdot y + \lVert y \rVert^2

    turns the work into one matrix product per block of rows, written straight into the output;
    rounding can leave tiny negative squares, which are clipped to 0, and the diagonal is exactly 0
    when ``Y`` is None. The expansion loses relative accuracy for points much closer to each other
    than to the origin; centre such data first. float32 input is computed in float64 blocks and
    returned as float32. Cosine uses the same product divided by the norms. Manhattan and
    Minkowski add :math:`\lvert x_j - y_j \rvert^p` one feature at a time into cache-sized
    (rows_X, rows_Y) blocks of the output, so their scratch memory is a few blocks.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
    Y : array-like of shape (n_samples_Y, n_features), default=None
        None compares ``X`` with itself.
    metric : str or callable, default="euclidean"
        ``"euclidean"`` (alias ``"l2"``), ``"sqeuclidean"``, ``"manhattan"`` (aliases
        ``"cityblock"``, ``"l1"``), ``"minkowski"``, ``"cosine"``; or a callable that takes two
        arrays of paired rows of shape (m, n_features) and returns m distances, as the paired
        functions of this module do.
    p : float, default=2
        Order of the Minkowski metric, :math:`p \ge 1` or ``np.inf``.
    working_memory : float, default=64
        Megabytes of scratch memory allowed beyond the output (at least one row of blocks is
        always used, so a single row wider than this exceeds it).
    out : ndarray of shape (n_samples_X, n_samples_Y), optional
        C-contiguous array of the result dtype to fill.

    Returns
    -------
    D : ndarray of shape (n_samples_X, n_samples_Y)
        float32 when ``X`` (and ``Y``) are float32, else float64.
    """
    metric, p = _check_metric(metric, p)
    budget = _check_working_memory(working_memory)
    Y_is_X = Y is None
    X, Y = _check_pairwise_arrays(X, Y)
    shape = (X.shape[0], Y.shape[0])
    if out is None:
        out = np.empty(shape, dtype=X.dtype)
    elif not (
        isinstance(out, np.ndarray)
        and out.shape == shape
        and out.dtype == X.dtype
        and out.flags.c_contiguous
        and out.flags.writeable
    ):
        raise ValueError(
            f"out must be a writeable C-contiguous array of shape {shape} and dtype {X.dtype}, "
            f"got {getattr(out, 'shape', None)} {getattr(out, 'dtype', type(out).__name__)}."
        )
    _fill(X, Y, metric, p, out, budget, zero_diag=Y_is_X)
    return out


def pairwise_distances_chunked(
    X: Any,
    Y: Any = None,
    metric: str | Callable = "euclidean",
    *,
    p: float = 2,
    working_memory: float = 64,
    reduce_func: Callable[[np.ndarray, int], Any] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Yield the distance matrix a block of rows at a time.

    Each block, together with the scratch memory used to compute it, fits in ``working_memory``
    megabytes, so a caller that reduces each block (nearest neighbours, k-means assignment) never
    holds the full (n_samples_X, n_samples_Y) matrix.

    Parameters
    ----------
    X : array-like of shape (n_samples_X, n_features)
    Y : array-like of shape (n_samples_Y, n_features), default=None
    metric : str or callable, default="euclidean"
        As in :func:`pairwise_distances`.
    p : float, default=2
    working_memory : float, default=64
    reduce_func : callable ``reduce_func(block, start_row)``, optional
        Applied to each block; its result is yielded in place of the block.

    Yields
    ------
    start_row : int
        Index in ``X`` of the block's first row.
    block : ndarray of shape (n_rows, n_samples_Y), or ``reduce_func``'s result
        A freshly allocated block (safe to keep).
    """
    metric, p = _check_metric(metric, p)
    budget = _check_working_memory(working_memory)
    Y_is_X = Y is None
    X, Y = _check_pairwise_arrays(X, Y)
    n_x, n_y = X.shape[0], Y.shape[0]
    half = budget // 2
    rows = max(1, min(n_x, half // (n_y * X.dtype.itemsize)))
    return _chunks(X, Y, metric, p, half, rows, Y_is_X, reduce_func)


def _chunks(X, Y, metric, p, budget, rows, zero_diag, reduce_func):
    for s, e in _blocks(X.shape[0], rows):
        block = np.empty((e - s, Y.shape[0]), dtype=X.dtype)
        _fill(X[s:e], Y, metric, p, block, budget, row0=s, zero_diag=zero_diag)
        yield s, (block if reduce_func is None else reduce_func(block, s))
