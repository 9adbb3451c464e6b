"""Discretisation (notes §5.3): cut each continuous feature into bins."""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from .._validation import check_array, check_feature_names_out, check_is_fitted
from ..base import BaseEstimator, TransformerMixin

__all__ = ["KBinsDiscretizer"]

_ENCODES = ("onehot-dense", "onehot", "ordinal")
_STRATEGIES = ("uniform", "quantile", "kmeans")


def _kmeans_1d(x: np.ndarray, centers: np.ndarray, max_iter: int = 300) -> np.ndarray:
    r"""Lloyd's algorithm in one dimension from the given sorted ``centers`` (k,).

    Each step assigns every value to its nearest centre (a ``searchsorted`` against the
    midpoints, since centres stay sorted) and moves each centre to the mean of its values:

    .. math::

        c_k \leftarrow \frac{1}{|S_k|} \sum_{x \in S_k} x,\qquad
        S_k = \{x : |x - c_k| \le |x - c_l| \;\forall l\}.

    An empty cluster keeps its centre while iterating and is dropped at the end (a bin with no
    training value would be useless). Returns the sorted centres, shape (k_nonempty,).
    """
    centers = np.sort(centers.astype(np.float64))
    k = centers.size
    for _ in range(max_iter):
        mids = (centers[1:] + centers[:-1]) / 2
        label = np.searchsorted(mids, x, side="left")
        sums = np.bincount(label, weights=x, minlength=k)
        counts = np.bincount(label, minlength=k)
        new = np.where(counts > 0, sums / np.maximum(counts, 1), centers)
        new.sort()
        done = np.allclose(new, centers, rtol=0, atol=1e-12 * max(1.0, np.abs(new).max()))
        centers = new
        if done:
            break
    label = np.searchsorted((centers[1:] + centers[:-1]) / 2, x, side="left")
    return centers[np.bincount(label, minlength=k) > 0]


class KBinsDiscretizer(TransformerMixin, BaseEstimator):
    r"""Bin each continuous feature into ``n_bins`` intervals.

    Edges :math:`e_0 < e_1 < \dots < e_K` per feature come from one of three rules:

    - "uniform": :math:`e_k = \min x + k (\max x - \min x)/K` (equal widths);
    - "quantile": :math:`e_k` is the :math:`100k/K`-th percentile (``averaged_inverted_cdf``,
      scikit-learn 1.9's default), so bins hold equal counts;
    - "kmeans": 1-D k-means started from the uniform bin centres; edges are the midpoints
      :math:`(c_k + c_{k+1})/2` between sorted centres, with :math:`\min x, \max x` at the ends.

    A value :math:`x` goes to bin :math:`b` with :math:`e_b \le x < e_{b+1}` (values beyond the
    outer edges go to the first / last bin). Bins narrower than :math:`10^{-8}` are merged
    (with a warning), and a constant feature gets a single bin.

    Parameters
    ----------
    n_bins : int or array-like of shape (n_features,), default=5
        Number of bins per feature, at least 2.
    encode : {"onehot-dense", "ordinal"}, default="onehot-dense"
        One indicator column per bin (dense; "onehot" is accepted as the same), or the bin
        index itself.
    strategy : {"quantile", "uniform", "kmeans"}, default="quantile"

    Attributes
    ----------
    bin_edges_ : ndarray of object, shape (n_features,)
        ``bin_edges_[j]`` is the float64 array of edges, shape (n_bins_[j] + 1,).
    n_bins_ : ndarray of int, shape (n_features,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str, shape (n_features_in_,)
    """

    def __init__(
        self, n_bins: Any = 5, *, encode: str = "onehot-dense", strategy: str = "quantile"
    ):
        self.n_bins = n_bins
        self.encode = encode
        self.strategy = strategy

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _validate_n_bins(self, n_features: int) -> np.ndarray:
        nb = self.n_bins
        if isinstance(nb, numbers.Integral) and not isinstance(nb, bool):
            if nb < 2:
                raise ValueError(
                    "KBinsDiscretizer received an invalid number of bins. Received "
                    f"{nb}, expected at least 2."
                )
            return np.full(n_features, nb, dtype=np.int64)
        if isinstance(nb, numbers.Number):
            raise ValueError(
                "KBinsDiscretizer received an invalid number of bins type. Received "
                f"{type(nb).__name__}, expected int."
            )
        arr = np.asarray(nb)
        if arr.shape != (n_features,):
            raise ValueError("n_bins must be a scalar or array of shape (n_features,).")
        bad = (arr < 2) | (arr != np.floor(arr))
        if bad.any():
            raise ValueError(
                "KBinsDiscretizer received an invalid number of bins at indices "
                f"{', '.join(map(str, np.flatnonzero(bad)))}. Number of bins must be at least "
                "2, and must be an int."
            )
        return arr.astype(np.int64)

    def fit(self, X: Any, y: Any = None) -> KBinsDiscretizer:
        """Find the bin edges of each column of ``X`` (n_samples, n_features)."""
        if self.encode not in _ENCODES:
            raise ValueError(
                f"The 'encode' parameter of KBinsDiscretizer must be one of {_ENCODES}; "
                f"got {self.encode!r}."
            )
        if self.strategy not in _STRATEGIES:
            raise ValueError(
                f"The 'strategy' parameter of KBinsDiscretizer must be one of {_STRATEGIES}; "
                f"got {self.strategy!r}."
            )
        X = self._validate_data(X, reset=True, dtype=(np.float64, np.float32))
        n_bins = self._validate_n_bins(X.shape[1])
        edges = np.empty(X.shape[1], dtype=object)
        for j in range(X.shape[1]):  # per feature; every step inside is vectorised
            col = X[:, j].astype(np.float64)
            lo, hi = col.min(), col.max()
            if lo == hi:
                warnings.warn(
                    f"Feature {j} is constant and will be replaced with 0.", UserWarning, 2
                )
                n_bins[j] = 1
                edges[j] = np.array([-np.inf, np.inf])
                continue
            if self.strategy == "uniform":
                e = np.linspace(lo, hi, n_bins[j] + 1)
            elif self.strategy == "quantile":
                q = np.linspace(0, 100, n_bins[j] + 1)
                e = np.percentile(col, q, method="averaged_inverted_cdf")
            else:
                uniform = np.linspace(lo, hi, n_bins[j] + 1)
                centers = _kmeans_1d(col, (uniform[1:] + uniform[:-1]) / 2)
                e = np.concatenate([[lo], (centers[1:] + centers[:-1]) / 2, [hi]])
            if self.strategy in ("quantile", "kmeans"):
                keep = np.ediff1d(e, to_begin=np.inf) > 1e-8
                e = e[keep]
                if e.size - 1 != n_bins[j]:
                    warnings.warn(
                        f"Bins whose width are too small (i.e., <= 1e-8) in feature {j} are "
                        "removed. Consider decreasing the number of bins.",
                        UserWarning,
                        2,
                    )
                    n_bins[j] = e.size - 1
            edges[j] = e
        self.bin_edges_ = edges
        self.n_bins_ = n_bins
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Bin ``X`` (n_samples, n_features).

        Returns
        -------
        ndarray
            Ordinal: shape (n_samples, n_features), bin indices in the input's float dtype.
            One-hot: shape (n_samples, n_bins_.sum()), float64 indicators.
        """
        check_is_fitted(self)
        X = self._validate_data(X, reset=False, dtype=(np.float64, np.float32))
        codes = np.empty(X.shape, dtype=np.int64)
        for j, e in enumerate(self.bin_edges_):
            codes[:, j] = np.searchsorted(e[1:-1], X[:, j], side="right")
        if self.encode == "ordinal":
            return codes.astype(X.dtype)
        offsets = np.concatenate([[0], np.cumsum(self.n_bins_)[:-1]])
        out = np.zeros((X.shape[0], int(self.n_bins_.sum())), dtype=X.dtype)
        rows = np.repeat(np.arange(X.shape[0]), X.shape[1])
        out[rows, (codes + offsets).ravel()] = 1.0
        return out

    def inverse_transform(self, X: Any) -> np.ndarray:
        r"""Bin centres :math:`(e_b + e_{b+1})/2` of the bins in ``X`` (ordinal or one-hot)."""
        check_is_fitted(self)
        X = check_array(X, dtype=(np.float64, np.float32))
        if self.encode == "ordinal":
            self._check_n_features(X, reset=False)
            codes = X.astype(np.int64)
        else:
            width = int(self.n_bins_.sum())
            if X.shape[1] != width:
                raise ValueError(
                    f"Incorrect number of features. Expecting {width}, received {X.shape[1]}."
                )
            bounds = np.concatenate([[0], np.cumsum(self.n_bins_)])
            codes = np.stack(
                [
                    np.argmax(X[:, a:b], axis=1)
                    for a, b in zip(bounds[:-1], bounds[1:], strict=True)
                ],
                axis=1,
            )
        out = np.empty(codes.shape, dtype=X.dtype)
        for j, e in enumerate(self.bin_edges_):
            centres = (e[1:] + e[:-1]) / 2
            out[:, j] = centres[np.clip(codes[:, j], 0, centres.size - 1)]
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Input names (ordinal) or ``<feature>_<bin>.0`` per one-hot column."""
        names = check_feature_names_out(self, input_features)
        if self.encode == "ordinal":
            return names
        return np.asarray(
            [f"{n}_{float(b)}" for n, k in zip(names, self.n_bins_, strict=True) for b in range(k)],
            dtype=object,
        )
