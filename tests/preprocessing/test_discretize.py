"""KBinsDiscretizer against scikit-learn 1.9 (uniform, quantile; k-means to the same centres)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.preprocessing import KBinsDiscretizer as SkBins

from lucidml.preprocessing import KBinsDiscretizer

pytestmark = [
    pytest.mark.filterwarnings("ignore:Number of distinct clusters"),
    pytest.mark.filterwarnings("ignore:Bins whose width"),
]


@pytest.fixture
def X():
    rng = np.random.default_rng(0)
    return np.column_stack(
        [rng.normal(size=300), rng.exponential(size=300), rng.integers(0, 3, 300) * 1.0]
    )


def _inertia(x, edges):
    label = np.searchsorted(edges[1:-1], x, side="right")
    means = np.bincount(label, weights=x) / np.maximum(np.bincount(label), 1)
    return float(np.sum((x - means[label]) ** 2))


@pytest.mark.filterwarnings("ignore:Bins whose width")
@pytest.mark.parametrize("strategy", ["uniform", "quantile", "kmeans"])
@pytest.mark.parametrize("encode", ["ordinal", "onehot-dense"])
@pytest.mark.parametrize("n_bins", [4, [2, 5, 3]])
def test_equals_sklearn(X, strategy, encode, n_bins):
    ours = KBinsDiscretizer(n_bins, encode=encode, strategy=strategy).fit(X)
    ref = SkBins(n_bins=n_bins, encode=encode, strategy=strategy).fit(X)
    np.testing.assert_array_equal(ours.n_bins_, ref.n_bins_)
    if strategy == "kmeans":
        # scikit-learn's KMeans stops at tol=1e-4; ours iterates Lloyd's to the fixed point, so
        # the edges agree loosely and our within-bin squared error is never larger.
        for j, (a, b) in enumerate(zip(ours.bin_edges_, ref.bin_edges_, strict=True)):
            np.testing.assert_allclose(a, b, rtol=1e-2, atol=1e-2)
            assert _inertia(X[:, j], a) <= _inertia(X[:, j], b) + 1e-9
        return
    for a, b in zip(ours.bin_edges_, ref.bin_edges_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
    Xnew = X * 1.3 - 0.2  # includes values beyond the fitted range
    np.testing.assert_array_equal(ours.transform(Xnew), ref.transform(Xnew))
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    Xt = ours.transform(X)
    np.testing.assert_allclose(ours.inverse_transform(Xt), ref.inverse_transform(Xt), rtol=1e-10)


def test_constant_feature_and_float32():
    X = np.column_stack([np.arange(10.0), np.full(10, 3.0)]).astype(np.float32)
    with pytest.warns(UserWarning, match="Feature 1 is constant"):
        ours = KBinsDiscretizer(3, encode="ordinal").fit(X)
    with pytest.warns(UserWarning):
        ref = SkBins(n_bins=3, encode="ordinal").fit(X)
    out = ours.transform(X)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, ref.transform(X))
    assert list(ours.n_bins_) == [3, 1]


def test_kmeans_edges_sit_between_clusters():
    rng = np.random.default_rng(1)
    x = np.concatenate([rng.normal(0, 0.1, 100), rng.normal(5, 0.1, 100), rng.normal(10, 0.1, 50)])
    est = KBinsDiscretizer(3, encode="ordinal", strategy="kmeans").fit(x[:, None])
    inner = est.bin_edges_[0][1:-1]
    assert 0.5 < inner[0] < 4.5 and 5.5 < inner[1] < 9.5
    np.testing.assert_array_equal(
        np.bincount(est.transform(x[:, None])[:, 0].astype(int)), [100, 100, 50]
    )


def test_bad_input(X):
    est = KBinsDiscretizer(3).fit(X)
    with pytest.raises(ValueError, match="X has 2 features, but KBinsDiscretizer is expecting 3"):
        est.transform(X[:, :2])
    with pytest.raises(ValueError, match="invalid number of bins"):
        KBinsDiscretizer(1).fit(X)
    with pytest.raises(ValueError, match="invalid number of bins at indices 1"):
        KBinsDiscretizer([3, 1, 2]).fit(X)
    with pytest.raises(ValueError, match="'strategy' parameter"):
        KBinsDiscretizer(strategy="median").fit(X)
    with pytest.raises(ValueError, match="'encode' parameter"):
        KBinsDiscretizer(encode="sparse").fit(X)
    with pytest.raises(ValueError, match="NaN"):
        KBinsDiscretizer().fit(np.array([[1.0], [np.nan]]))
    with pytest.raises(ValueError):
        KBinsDiscretizer().fit(np.array([["a"], ["b"]]))
