"""Univariate feature scores (notes §5.3): correlation, chi-square, ANOVA F, conditional entropy.

Each function scores every column of ``X`` against the target ``y`` at once and returns one
number per feature (and, for the statistical tests, one p-value per feature). The names and
outputs follow scikit-learn's, so a score function can be swapped in either library's selectors.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import special

from .._validation import check_array, check_X_y, column_or_1d

__all__ = [
    "chi2",
    "conditional_entropy",
    "f_classif",
    "f_regression",
    "information_gain",
    "r_regression",
]


def _one_hot(y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(classes, codes, Y)``: the sorted classes, each sample's class index and the
    one-hot matrix ``Y`` of shape (n_samples, n_classes) in float64."""
    classes, codes = np.unique(y, return_inverse=True)
    codes = codes.ravel()
    Y = np.zeros((codes.size, classes.size), dtype=np.float64)
    Y[np.arange(codes.size), codes] = 1.0
    return classes, codes, Y


def r_regression(X: Any, y: Any, *, center: bool = True, force_finite: bool = True) -> np.ndarray:
    r"""Pearson correlation coefficient of every feature with a continuous target.

    .. math::

        r_j = \frac{\sum_i (x_{ij} - \bar x_j)(y_i - \bar y)}
                   {\sqrt{\sum_i (x_{ij} - \bar x_j)^2}\,\sqrt{\sum_i (y_i - \bar y)^2}}

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Target.
    center : bool, default=True
        Subtract the means first (Pearson's r). With False, the cosine of the angle between
        each raw column and ``y``.
    force_finite : bool, default=True
        Replace the undefined correlations of constant features (or a constant target), NaN,
        by 0.

    Returns
    -------
    correlation : ndarray of shape (n_features,)
        :math:`r_j` in [-1, 1].
    """
    X, y = check_X_y(X, y, dtype=np.float64, y_numeric=True)
    return _pearson(X, y, center, force_finite)


def _pearson(X: np.ndarray, y: np.ndarray, center: bool, force_finite: bool) -> np.ndarray:
    y = y.astype(np.float64, copy=False)
    if center:
        y = y - y.mean()
        Xc = X - X.mean(axis=0)
    else:
        Xc = X
    x_norms = np.sqrt(np.einsum("ij,ij->j", Xc, Xc))
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = (y @ Xc) / x_norms / np.linalg.norm(y)
    if force_finite and not np.isfinite(corr).all():
        corr[np.isnan(corr)] = 0.0
    return corr


def f_regression(
    X: Any, y: Any, *, center: bool = True, force_finite: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    r"""F-test of a univariate linear regression of ``y`` on each feature.

    .. math::

        F_j = \frac{r_j^2}{1 - r_j^2}\,(n - 2), \qquad p_j = P(F_{1,\,n-2} > F_j)

    (``n - 1`` degrees of freedom when ``center=False``), with :math:`r_j` from
    :func:`r_regression`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Target.
    center : bool, default=True
        Centre ``X`` and ``y`` (a model with an intercept).
    force_finite : bool, default=True
        A perfectly correlated feature gets the largest float as F and p-value 0; a constant
        feature (or target) gets F = 0 and p-value 1, instead of inf and NaN.

    Returns
    -------
    f_statistic : ndarray of shape (n_features,)
    p_values : ndarray of shape (n_features,)
    """
    X, y = check_X_y(X, y, dtype=np.float64, y_numeric=True)
    corr = _pearson(X, y, center, False)
    dof = X.shape[0] - (2 if center else 1)
    r2 = corr**2
    with np.errstate(divide="ignore", invalid="ignore"):
        f = r2 / (1.0 - r2) * dof
        p = special.fdtrc(1, dof, f)
    if force_finite and not np.isfinite(f).all():
        inf = np.isinf(f)
        f[inf] = np.finfo(f.dtype).max
        p[inf] = 0.0
        nan = np.isnan(f)
        f[nan] = 0.0
        p[nan] = 1.0
    return f, p


def chi2(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    r"""Chi-square statistic of every non-negative feature (counts, frequencies) against classes.

    With :math:`Y` the one-hot class matrix of shape (n_samples, n_classes), the observed and
    expected totals of feature :math:`j` in class :math:`c` are

    .. math::

        O = Y^\top X, \qquad E_{cj} = \frac{n_c}{n} \sum_i x_{ij}, \qquad
        \chi^2_j = \sum_c \frac{(O_{cj} - E_{cj})^2}{E_{cj}},

    and the p-value is :math:`P(\chi^2_{C-1} > \chi^2_j)` with :math:`C` the number of classes.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Non-negative features (for example term counts or booleans).
    y : array-like of shape (n_samples,)
        Class labels.

    Returns
    -------
    chi2 : ndarray of shape (n_features,)
    p_values : ndarray of shape (n_features,)

    Raises
    ------
    ValueError
        If ``X`` holds a negative value.
    """
    X, y = check_X_y(X, y, dtype=(np.float64, np.float32))
    if (X < 0).any():
        raise ValueError("Input X must be non-negative.")
    classes, _, Y = _one_hot(y)
    if classes.size == 1:  # as scikit-learn: one class counts as the negative of a binary task
        Y = np.hstack([Y, np.zeros_like(Y)])
    Y = Y.astype(X.dtype, copy=False)
    observed = (X.T @ Y).T  # (n_classes, n_features); this operand order is the fast GEMM
    class_prob = Y.mean(axis=0)
    expected = np.outer(class_prob, observed.sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = observed - expected
        terms **= 2
        terms /= expected
    stat = terms.sum(axis=0)
    return stat, special.chdtrc(Y.shape[1] - 1, stat)


def f_classif(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    r"""One-way ANOVA F of every feature across the classes of ``y``.

    With :math:`C` classes of sizes :math:`n_c`, class means :math:`\bar x_{cj}` and overall
    mean :math:`\bar x_j`,

    .. math::

        F_j = \frac{\sum_c n_c (\bar x_{cj} - \bar x_j)^2 / (C - 1)}
                   {\sum_i (x_{ij} - \bar x_{y_i j})^2 / (n - C)}, \qquad
        p_j = P(F_{C-1,\,n-C} > F_j).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features.
    y : array-like of shape (n_samples,)
        Class labels.

    Returns
    -------
    f_statistic : ndarray of shape (n_features,)
    p_values : ndarray of shape (n_features,)
    """
    X, y = check_X_y(X, y, dtype=np.float64)
    classes, codes, Y = _one_hot(y)
    n, n_classes = X.shape[0], classes.size
    counts = Y.sum(axis=0)
    means = (X.T @ Y).T / counts[:, None]  # (n_classes, n_features)
    grand = X.mean(axis=0)
    ssbn = counts @ (means - grand) ** 2
    resid = X - means[codes]
    sswn = np.einsum("ij,ij->j", resid, resid)
    dfbn, dfwn = n_classes - 1, n - n_classes
    with np.errstate(divide="ignore", invalid="ignore"):
        msb = ssbn / dfbn
        msw = sswn / dfwn
        constant = np.flatnonzero(msw == 0.0)
        if constant.size and np.count_nonzero(msb) != msb.size:
            warnings.warn(f"Features {constant} are constant.", UserWarning, stacklevel=2)
        f = msb / msw
        p = special.fdtrc(dfbn, dfwn, f)
    return f, p


def _codes(x: np.ndarray, bins: int | None) -> np.ndarray:
    """Integer codes 0..m-1 of one column: its distinct values, or its quantile bins."""
    if bins is None:
        return np.unique(x, return_inverse=True)[1].ravel()
    edges = np.quantile(x, np.linspace(0.0, 1.0, bins + 1)[1:-1])
    return np.searchsorted(edges, x, side="right")


def _check_entropy_args(X: Any, y: Any, bins: Any, base: Any):
    X, y = check_X_y(X, y, dtype=None)
    if X.dtype.kind not in "biuf":
        X = check_array(X, dtype=np.float64)
    if bins is not None and (
        isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1
    ):
        raise ValueError(f"bins must be None or a positive integer, got {bins!r}.")
    if base is not None and (not np.isscalar(base) or not base > 0 or base == 1):
        raise ValueError(f"base must be None or a positive number other than 1, got {base!r}.")
    y_codes = np.unique(y, return_inverse=True)[1].ravel()
    return X, y_codes, (np.log(base) if base is not None else 1.0)


def _entropy_of_counts(counts: np.ndarray, n: int) -> float:
    p = counts[counts > 0] / n
    return float(-(p * np.log(p)).sum())


def conditional_entropy(
    X: Any, y: Any, *, bins: int | None = None, base: float | None = None
) -> np.ndarray:
    r"""Conditional entropy :math:`H(y \mid x_j)` of the target given each (discrete) feature.

    From the joint frequencies :math:`p(a, c)` of value :math:`a` of feature :math:`j` and
    class :math:`c`,

    .. math::

        H(y \mid x_j) = -\sum_{a, c} p(a, c) \log \frac{p(a, c)}{p(a)} .

    It is 0 when the feature determines the class and :math:`H(y)` when the two are independent;
    a low value marks a useful feature.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Discrete features (any numbers; each distinct value is a category).
    y : array-like of shape (n_samples,)
        Class labels.
    bins : int or None, default=None
        Discretise each (continuous) column first into ``bins`` quantile bins.
    base : float or None, default=None
        Base of the logarithm; None is the natural log (nats), 2 gives bits.

    Returns
    -------
    h : ndarray of shape (n_features,)
        :math:`H(y \mid x_j)` per feature.
    """
    X, y_codes, log_base = _check_entropy_args(X, y, bins, base)
    n, n_classes = y_codes.size, int(y_codes.max()) + 1
    out = np.empty(X.shape[1], dtype=np.float64)
    for j in range(X.shape[1]):  # a loop over features; each is vectorised over samples
        codes = _codes(X[:, j], bins)
        joint = np.bincount(codes * n_classes + y_codes).astype(np.float64)
        joint = np.pad(joint, (0, (-joint.size) % n_classes)).reshape(-1, n_classes)
        marginal = joint.sum(axis=1, keepdims=True)
        nz = joint > 0
        ratio = joint / np.where(marginal > 0, marginal, 1.0)
        out[j] = -(joint[nz] * np.log(ratio[nz])).sum() / n
    out /= log_base
    return np.maximum(out, 0.0)


def information_gain(
    X: Any, y: Any, *, bins: int | None = None, base: float | None = None
) -> np.ndarray:
    r"""Information gain :math:`IG(y, x_j) = H(y) - H(y \mid x_j)` of each (discrete) feature.

    .. math::

        H(y) = -\sum_c p(c) \log p(c), \qquad IG_j = H(y) - H(y \mid x_j)

    This is the plug-in mutual information of :math:`x_j` and :math:`y`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Discrete features.
    y : array-like of shape (n_samples,)
        Class labels.
    bins : int or None, default=None
        Discretise each column first into ``bins`` quantile bins.
    base : float or None, default=None
        Base of the logarithm; None is the natural log.

    Returns
    -------
    gain : ndarray of shape (n_features,)
    """
    h_cond = conditional_entropy(X, y, bins=bins, base=base)
    y = column_or_1d(check_X_y(X, y, dtype=None)[1])
    y_codes = np.unique(y, return_inverse=True)[1].ravel()
    h_y = _entropy_of_counts(np.bincount(y_codes), y_codes.size)
    if base is not None:
        h_y /= np.log(base)
    return np.maximum(h_y - h_cond, 0.0)
