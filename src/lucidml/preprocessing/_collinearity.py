"""Removing collinearity (notes §5.3): drop features that repeat what other features say."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._validation import check_feature_names_out, check_is_fitted
from ..base import BaseEstimator, TransformerMixin

__all__ = ["CollinearityFilter"]


def _standardise(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centred, unit-variance columns (n_samples, n_features) and the mask of constant ones."""
    Z = X - X.mean(axis=0)
    std = np.sqrt(np.einsum("ij,ij->j", Z, Z) / X.shape[0])
    constant = std <= 1e-12 * np.maximum(1.0, np.abs(X).max(axis=0))
    Z /= np.where(constant, 1.0, std)
    Z[:, constant] = 0.0
    return Z, constant


def _vif(R: np.ndarray, cols: np.ndarray) -> np.ndarray:
    r"""VIF of each feature in ``cols`` against the others in ``cols``, from correlations ``R``.

    .. math::

        \mathrm{VIF}_j = \frac{1}{1 - R_j^2}, \qquad
        R_j^2 = r_{j,-j}^\top \beta_j, \quad R_{-j,-j}\, \beta_j = r_{-j,j},

    the normal equations of the least-squares fit of standardised :math:`x_j` on the other
    features (solved in the least-squares sense, so exact collinearity gives
    :math:`R_j^2 = 1` and an infinite VIF). Returns shape (len(cols),).
    """
    out = np.ones(cols.size)
    for a, j in enumerate(cols):  # one small (k-1) x (k-1) solve per feature, never per sample
        others = np.delete(cols, a)
        if others.size == 0 or R[j, j] == 0:
            continue
        r = R[others, j]
        beta = np.linalg.lstsq(R[np.ix_(others, others)], r, rcond=None)[0]
        r2 = min(float(r @ beta), 1.0)
        out[a] = np.inf if r2 >= 1.0 - 1e-12 else 1.0 / (1.0 - r2)
    return out


class CollinearityFilter(TransformerMixin, BaseEstimator):
    r"""Drop features that are (nearly) linear functions of other features.

    ``method="pearson"``: with Pearson correlations

    .. math::

        r_{jk} = \frac{\sum_i (x_{ij} - \bar x_j)(x_{ik} - \bar x_k)}
                      {\sqrt{\sum_i (x_{ij} - \bar x_j)^2 \sum_i (x_{ik} - \bar x_k)^2}},

    repeat until no pair of kept features has :math:`|r_{jk}| >` ``threshold``: take the kept
    pair with the largest :math:`|r_{jk}|` and drop the one of the two whose mean :math:`|r|` to
    the other kept features is larger (on a tie, the later column goes, so the earlier is kept).

    ``method="vif"``: repeat until every kept feature has
    :math:`\mathrm{VIF}_j = 1 / (1 - R_j^2) \le` ``vif_threshold``, where :math:`R_j^2` is the
    coefficient of determination of :math:`x_j` regressed on the other kept features (with an
    intercept); each round drops the feature with the largest VIF (the later one on a tie).
    This also catches a feature that is a combination of several others, which no single
    pairwise correlation may reveal.

    Constant features have no defined correlation; they are left alone (remove them with a
    variance filter).

    Parameters
    ----------
    threshold : float in (0, 1], default=0.95
        Largest allowed :math:`|r|` between two kept features (``method="pearson"``).
    method : {"pearson", "vif"}, default="pearson"
    vif_threshold : float >= 1, default=10.0
        Largest allowed VIF of a kept feature (``method="vif"``).

    Attributes
    ----------
    support_ : ndarray of bool, shape (n_features_in_,)
        True for kept features.
    correlation_ : ndarray, shape (n_features_in_, n_features_in_)
        Pearson correlations of the training features (0 for constant features).
    vif_ : ndarray, shape (n_features_in_,)
        VIF of each feature against all the others before any is dropped (``method="vif"``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
    """

    def __init__(
        self, threshold: float = 0.95, *, method: str = "pearson", vif_threshold: float = 10.0
    ):
        self.threshold = threshold
        self.method = method
        self.vif_threshold = vif_threshold

    def fit(self, X: Any, y: Any = None) -> CollinearityFilter:
        """Choose the features to keep from ``X`` (n_samples, n_features)."""
        if self.method not in ("pearson", "vif"):
            raise ValueError(
                "The 'method' parameter of CollinearityFilter must be 'pearson' or 'vif'; got "
                f"{self.method!r}."
            )
        t = self.threshold
        if not isinstance(t, numbers.Real) or not 0 < t <= 1:
            raise ValueError(f"threshold must be a number in (0, 1]; got {t!r}.")
        v = self.vif_threshold
        if not isinstance(v, numbers.Real) or not v >= 1:
            raise ValueError(f"vif_threshold must be a number >= 1; got {v!r}.")
        X = self._validate_data(X, reset=True, dtype=np.float64)
        Z, constant = _standardise(X)
        R = Z.T @ Z / X.shape[0]
        np.fill_diagonal(R, np.where(constant, 0.0, 1.0))
        np.clip(R, -1.0, 1.0, out=R)
        self.correlation_ = R
        keep = np.ones(X.shape[1], dtype=bool)
        if self.method == "pearson":
            A = np.abs(R)
            np.fill_diagonal(A, 0.0)
            while keep.sum() > 1:
                sub = A[np.ix_(keep, keep)]
                if sub.max() <= t:
                    break
                cols = np.flatnonzero(keep)
                a, b = np.unravel_index(np.argmax(sub), sub.shape)
                means = sub.sum(axis=1) / (cols.size - 1)
                first, second = sorted((a, b))
                drop = first if means[first] > means[second] else second
                keep[cols[drop]] = False
        else:
            cols = np.flatnonzero(keep)
            self.vif_ = _vif(R, cols)
            vif = self.vif_
            while cols.size > 1:
                worst = int(np.flatnonzero(vif == vif.max())[-1])
                if vif[worst] <= v:
                    break
                keep[cols[worst]] = False
                cols = np.flatnonzero(keep)
                vif = _vif(R, cols)
        self.support_ = keep
        return self

    def get_support(self, indices: bool = False) -> np.ndarray:
        """Mask (n_features_in_,) of kept features, or their indices when ``indices``."""
        check_is_fitted(self)
        return np.flatnonzero(self.support_) if indices else self.support_.copy()

    def transform(self, X: Any) -> np.ndarray:
        """The kept columns of ``X``: shape (n_samples, support_.sum())."""
        check_is_fitted(self)
        X = self._validate_data(X, reset=False)
        return X[:, self.support_]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the kept features, shape (support_.sum(),)."""
        return check_feature_names_out(self, input_features)[self.support_]
