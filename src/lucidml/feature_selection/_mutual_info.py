"""Mutual information between each feature and the target (notes §5.3).

Discrete pairs get the exact plug-in value from their contingency table; pairs with a continuous
side get the k-nearest-neighbour estimators of Kraskov, Stögbauer and Grassberger (2004) and of
Ross (2014), as scikit-learn uses them, so the two libraries' estimates agree up to the small
noise both add to break ties.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.spatial import cKDTree
from scipy.special import digamma

from .._validation import check_classification_targets, check_random_state, check_X_y

__all__ = ["mutual_info_classif", "mutual_info_regression"]


def _mi_discrete(x: np.ndarray, y: np.ndarray) -> float:
    r"""Plug-in :math:`I(x; y) = \sum_{a,c} p(a,c) \log \frac{p(a,c)}{p(a)p(c)}` (nats)."""
    xc = np.unique(x, return_inverse=True)[1].ravel()
    yc = np.unique(y, return_inverse=True)[1].ravel()
    n, ny = xc.size, int(yc.max()) + 1
    joint = np.bincount(xc * ny + yc, minlength=(int(xc.max()) + 1) * ny).reshape(-1, ny)
    a = joint.sum(axis=1, keepdims=True).astype(np.float64)
    b = joint.sum(axis=0, keepdims=True).astype(np.float64)
    nz = joint > 0
    pij = joint[nz] / n
    mi = float((pij * (np.log(joint[nz] * float(n)) - np.log((a * b)[nz]))).sum())
    return max(mi, 0.0)


def _count_within(sorted_x: np.ndarray, x: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """Number of points of ``sorted_x`` with ``|x_j - x_i| <= radius_i`` for each ``x_i``.

    In one dimension the max-norm ball is an interval, found by two binary searches; the search
    bounds ``x_i +- radius_i`` are rounded, so each end is then nudged until the test holds in
    the same arithmetic as a tree's distance, ``|x_j - x_i|``.
    """
    n = sorted_x.size
    hi = np.searchsorted(sorted_x, x + radius, side="right")
    lo = np.searchsorted(sorted_x, x - radius, side="left")
    while True:  # drop right-end points outside the ball (a step or two at most)
        bad = (hi > 0) & (sorted_x[np.maximum(hi - 1, 0)] - x > radius)
        if not bad.any():
            break
        hi -= bad
    while True:  # take right-end points inside it
        ok = hi < n
        more = ok & (sorted_x[np.minimum(hi, n - 1)] - x <= radius)
        if not more.any():
            break
        hi += more
    while True:
        bad = (lo < n) & (x - sorted_x[np.minimum(lo, n - 1)] > radius)
        if not bad.any():
            break
        lo += bad
    while True:
        more = (lo > 0) & (x - sorted_x[np.maximum(lo - 1, 0)] <= radius)
        if not more.any():
            break
        lo -= more
    return hi - lo


def _mi_cc(x: np.ndarray, y: np.ndarray, k: int) -> float:
    r"""Kraskov's estimator for two continuous variables (max-norm):

    .. math::

        \hat I = \psi(n) + \psi(k) - \langle \psi(n_x + 1) + \psi(n_y + 1) \rangle
    """
    n = x.size
    xy = np.column_stack([x, y])
    dist = cKDTree(xy).query(xy, k=k + 1, p=np.inf)[0][:, -1]
    radius = np.nextafter(dist, 0.0)  # strictly closer than the k-th neighbour
    nx = _count_within(np.sort(x), x, radius) - 1
    ny = _count_within(np.sort(y), y, radius) - 1
    mi = digamma(n) + digamma(k) - np.mean(digamma(nx + 1.0)) - np.mean(digamma(ny + 1.0))
    return max(float(mi), 0.0)


def _mi_cd(c: np.ndarray, d: np.ndarray, k: int) -> float:
    r"""Ross's estimator for a continuous ``c`` and a discrete ``d``:

    .. math::

        \hat I = \psi(n) + \langle \psi(k) \rangle - \langle \psi(n_d) \rangle
                 - \langle \psi(m) \rangle

    with :math:`n_d` the size of a sample's class and :math:`m` the number of samples (of any
    class) closer than its k-th neighbour within the class. Singleton classes are dropped.
    """
    n = c.size
    radius = np.empty(n)
    k_all = np.empty(n)
    counts = np.empty(n)
    for label in np.unique(d):  # a loop over classes, vectorised within each
        mask = d == label
        count = int(mask.sum())
        counts[mask] = count
        if count > 1:
            kk = min(k, count - 1)
            cm = c[mask]
            # the kk-th neighbour in 1-D: the kk-th smallest |c_i - c_j|, j != i
            dist = cKDTree(cm[:, None]).query(cm[:, None], k=kk + 1, p=np.inf)[0]
            radius[mask] = np.nextafter(np.asarray(dist).reshape(count, -1)[:, -1], 0.0)
            k_all[mask] = kk
    keep = counts > 1
    n = int(keep.sum())
    if n == 0:
        return 0.0
    c, radius, k_all, counts = c[keep], radius[keep], k_all[keep], counts[keep]
    m = _count_within(np.sort(c), c, radius)
    mi = digamma(n) + np.mean(digamma(k_all)) - np.mean(digamma(counts)) - np.mean(digamma(m))
    return max(float(mi), 0.0)


def _discrete_mask(discrete_features: Any, n_features: int) -> np.ndarray:
    if isinstance(discrete_features, str):
        if discrete_features != "auto":
            raise ValueError(
                f"discrete_features must be 'auto', a bool or an array, got {discrete_features!r}."
            )
        return np.zeros(n_features, dtype=bool)  # dense input: all continuous, as scikit-learn
    if isinstance(discrete_features, (bool, np.bool_)):
        return np.full(n_features, bool(discrete_features))
    idx = np.asarray(discrete_features)
    if idx.dtype == bool:
        if idx.shape != (n_features,):
            raise ValueError(
                f"discrete_features as a mask must have shape ({n_features},), got {idx.shape}."
            )
        return idx.copy()
    if idx.dtype.kind not in "iu" or idx.ndim != 1:
        raise ValueError("discrete_features must be 'auto', a bool, a mask or an index array.")
    if np.any((idx >= n_features) | (idx < -n_features)):
        raise ValueError(f"discrete_features indices must be in [0, {n_features}).")
    mask = np.zeros(n_features, dtype=bool)
    mask[idx] = True
    return mask


def _estimate_mi(
    X: Any,
    y: Any,
    discrete_features: Any,
    discrete_target: bool,
    n_neighbors: int,
    copy: bool,
    random_state: Any,
) -> np.ndarray:
    X, y = check_X_y(X, y, dtype=np.float64, y_numeric=not discrete_target)
    if discrete_target:
        check_classification_targets(y)
    if isinstance(n_neighbors, bool) or not isinstance(n_neighbors, (int, np.integer)):
        raise TypeError(f"n_neighbors must be an int, got {type(n_neighbors).__name__}.")
    if n_neighbors < 1:
        raise ValueError(f"n_neighbors must be >= 1, got {n_neighbors}.")
    n_samples, n_features = X.shape
    discrete = _discrete_mask(discrete_features, n_features)
    continuous = ~discrete
    rng = check_random_state(random_state)
    if np.any(continuous):
        X = X.copy()  # X is never changed in place, whatever ``copy`` says
        Xc = X[:, continuous]
        std = Xc.std(axis=0)
        Xc /= np.where(std > 0, std, 1.0)
        scale = np.maximum(1.0, np.mean(np.abs(Xc), axis=0))
        Xc += 1e-10 * scale * rng.standard_normal(size=Xc.shape)
        X[:, continuous] = Xc
    if not discrete_target:
        y = y.astype(np.float64)
        s = y.std()
        y = y / (s if s > 0 else 1.0)
        y = y + 1e-10 * max(1.0, float(np.mean(np.abs(y)))) * rng.standard_normal(n_samples)
    out = np.empty(n_features, dtype=np.float64)
    for j in range(n_features):  # a loop over features; each estimate is vectorised
        x = X[:, j]
        if discrete[j] and discrete_target:
            out[j] = _mi_discrete(x, y)
        elif discrete[j]:
            out[j] = _mi_cd(y, x, n_neighbors)
        elif discrete_target:
            out[j] = _mi_cd(x, y, n_neighbors)
        else:
            out[j] = _mi_cc(x, y, n_neighbors)
    return out


def mutual_info_classif(
    X: Any,
    y: Any,
    *,
    discrete_features: Any = "auto",
    n_neighbors: int = 3,
    copy: bool = True,
    random_state: Any = None,
) -> np.ndarray:
    r"""Mutual information :math:`I(x_j; y)` between each feature and a class target, in nats.

    .. math::

        I(x; y) = \sum_{a, c} p(a, c) \log \frac{p(a, c)}{p(a)\,p(c)}

    exactly (plug-in frequencies) for discrete features; for continuous ones the k-nearest-
    neighbour estimate of Ross (2014),

    .. math::

        \hat I = \psi(n) + \langle \psi(k) \rangle - \langle \psi(n_c) \rangle
                 - \langle \psi(m) \rangle,

    where for each sample :math:`n_c` is the size of its class and :math:`m` counts the samples
    closer than its k-th neighbour within the class. Continuous features are scaled to unit
    variance and get noise of relative size 1e-10 to break ties, as in scikit-learn.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Class labels.
    discrete_features : "auto", bool or array-like, default="auto"
        Which features are discrete: all (True), none (False or "auto", for dense input), a
        boolean mask of shape (n_features,) or an array of indices.
    n_neighbors : int, default=3
        :math:`k`, the neighbour used for continuous features.
    copy : bool, default=True
        Kept for scikit-learn compatibility; ``X`` is never modified.
    random_state : int, Generator or None, default=None
        Seed for the tie-breaking noise.

    Returns
    -------
    mi : ndarray of shape (n_features,)
        Non-negative estimates, in nats.
    """
    return _estimate_mi(X, y, discrete_features, True, n_neighbors, copy, random_state)


def mutual_info_regression(
    X: Any,
    y: Any,
    *,
    discrete_features: Any = "auto",
    n_neighbors: int = 3,
    copy: bool = True,
    random_state: Any = None,
) -> np.ndarray:
    r"""Mutual information :math:`I(x_j; y)` between each feature and a continuous target (nats).

    For a continuous feature, Kraskov's estimator (max-norm, :math:`k` neighbours):

    .. math::

        \hat I = \psi(n) + \psi(k) - \langle \psi(n_x + 1) + \psi(n_y + 1) \rangle,

    where :math:`n_x` (:math:`n_y`) counts the samples whose :math:`x` (:math:`y`) lies closer
    than the sample's k-th neighbour in the joint space. A discrete feature uses the
    continuous-discrete estimator of :func:`mutual_info_classif` with the roles swapped.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Continuous target.
    discrete_features : "auto", bool or array-like, default="auto"
        Which features are discrete (see :func:`mutual_info_classif`).
    n_neighbors : int, default=3
        :math:`k`.
    copy : bool, default=True
        Kept for scikit-learn compatibility; ``X`` is never modified.
    random_state : int, Generator or None, default=None
        Seed for the tie-breaking noise.

    Returns
    -------
    mi : ndarray of shape (n_features,)
        Non-negative estimates, in nats.
    """
    return _estimate_mi(X, y, discrete_features, False, n_neighbors, copy, random_state)
