"""Silhouette coefficient against scikit-learn and a brute-force loop: blobs, random data,
euclidean and manhattan, singletons, string labels, small blocks, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

import lucidml.metrics as lm
from lucidml.metrics import _cluster

sk = pytest.importorskip("sklearn.metrics")
sk_datasets = pytest.importorskip("sklearn.datasets")


def _brute_force(X: np.ndarray, labels: np.ndarray, dist) -> np.ndarray:
    """The definition, one sample at a time."""
    n = len(X)
    s = np.zeros(n)
    for i in range(n):
        d = np.array([dist(X[i], X[j]) for j in range(n)])
        own = labels == labels[i]
        if own.sum() == 1:
            continue
        a = d[own].sum() / (own.sum() - 1)
        b = min(d[labels == c].mean() for c in np.unique(labels) if c != labels[i])
        s[i] = (b - a) / max(a, b) if max(a, b) > 0 else 0.0
    return s


def _cases():
    X, y = sk_datasets.make_blobs(n_samples=240, centers=4, cluster_std=1.5, random_state=0)
    yield "blobs", X, y
    rng = np.random.default_rng(1)
    yield "random", rng.normal(size=(150, 5)) * 3 + 20, rng.integers(0, 6, 150)
    yield "float32", rng.normal(size=(90, 3)).astype(np.float32), rng.integers(0, 3, 90)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine", "sqeuclidean"])
@pytest.mark.parametrize("case", list(_cases()), ids=lambda c: c[0])
def test_samples_and_score_match_sklearn(case, metric):
    _, X, y = case
    ours = lm.silhouette_samples(X, y, metric=metric)
    theirs = sk.silhouette_samples(X.astype(np.float64), y, metric=metric)
    tol = 1e-5 if X.dtype == np.float32 else 1e-10
    assert ours.dtype == np.float64 and ours.shape == (len(X),)
    assert_allclose(ours, theirs, rtol=0, atol=tol)
    assert lm.silhouette_score(X, y, metric=metric) == pytest.approx(
        sk.silhouette_score(X.astype(np.float64), y, metric=metric), abs=tol
    )


def test_brute_force_and_precomputed():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 3))
    y = rng.integers(0, 3, 40)
    euclid = _brute_force(X, y, lambda u, v: np.sqrt(((u - v) ** 2).sum()))
    assert_allclose(lm.silhouette_samples(X, y), euclid, atol=1e-12)
    manhattan = _brute_force(X, y, lambda u, v: np.abs(u - v).sum())
    assert_allclose(lm.silhouette_samples(X, y, metric="manhattan"), manhattan, atol=1e-12)
    D = sk.pairwise_distances(X, metric="manhattan")
    assert_allclose(lm.silhouette_samples(D, y, metric="precomputed"), manhattan, atol=1e-12)


def test_small_blocks_give_the_same_result(monkeypatch):
    X, y = sk_datasets.make_blobs(n_samples=300, centers=3, random_state=3)
    full = lm.silhouette_samples(X, y)
    monkeypatch.setattr(_cluster, "_WORKING_MEMORY_MB", 0.01)  # a few rows per block
    assert_allclose(lm.silhouette_samples(X, y), full, rtol=0, atol=1e-13)
    D = sk.pairwise_distances(X)
    assert_allclose(lm.silhouette_samples(D, y, metric="precomputed"), full, atol=1e-10)


def test_singleton_clusters_score_zero():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 2))
    y = np.repeat([0, 1, 2], 10)
    y[0], y[15] = 7, 8  # two clusters of one sample each
    ours = lm.silhouette_samples(X, y)
    assert ours[0] == 0.0 and ours[15] == 0.0
    assert_allclose(ours, sk.silhouette_samples(X, y), atol=1e-10)
    # n_samples - 1 labels: every cluster but one is a singleton
    y2 = np.arange(30)
    y2[1] = 0
    assert_allclose(lm.silhouette_samples(X, y2), sk.silhouette_samples(X, y2), atol=1e-10)


def test_duplicate_points_score_zero_not_nan():
    X = np.array([[0.0], [0.0], [0.0], [0.0]])
    ours = lm.silhouette_samples(X, [0, 0, 1, 1])
    assert_allclose(ours, [0.0, 0.0, 0.0, 0.0])
    assert_allclose(ours, sk.silhouette_samples(X, [0, 0, 1, 1]))


def test_string_and_permuted_labels():
    X, y = sk_datasets.make_blobs(n_samples=120, centers=3, random_state=5)
    names = np.array(["red", "green", "blue"], dtype=object)[y]
    expected = sk.silhouette_samples(X, y)
    assert_allclose(lm.silhouette_samples(X, names), expected, atol=1e-10)
    assert_allclose(lm.silhouette_samples(X, list(names)), expected, atol=1e-10)
    assert_allclose(lm.silhouette_samples(X, (y + 1) * 10), expected, atol=1e-10)


def test_sample_size():
    X, y = sk_datasets.make_blobs(n_samples=200, centers=3, random_state=6)
    full = lm.silhouette_score(X, y)
    assert lm.silhouette_score(X, y, sample_size=500) == pytest.approx(full, abs=1e-12)
    a = lm.silhouette_score(X, y, sample_size=60, random_state=0)
    assert a == lm.silhouette_score(X, y, sample_size=60, random_state=0)
    pick = np.random.default_rng(0).permutation(200)[:60]
    assert a == pytest.approx(sk.silhouette_score(X[pick], y[pick]), abs=1e-10)


def test_bad_input():
    X = np.random.default_rng(7).normal(size=(10, 2))
    with pytest.raises(ValueError, match="Number of labels is 1"):
        lm.silhouette_samples(X, np.zeros(10))
    with pytest.raises(ValueError, match="Number of labels is 10"):
        lm.silhouette_score(X, np.arange(10))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        lm.silhouette_samples(X, [0, 1] * 4)
    with pytest.raises(ValueError, match="NaN"):
        lm.silhouette_samples(np.where(X > 1, np.nan, X), [0, 1] * 5)
    with pytest.raises(ValueError, match="Mix of label input types"):
        lm.silhouette_samples(X, np.array([0, "a"] * 5, dtype=object))
    with pytest.raises(ValueError, match="Unknown metric"):
        lm.silhouette_samples(X, [0, 1] * 5, metric="hamming-ish")
    with pytest.raises(ValueError, match="square"):
        lm.silhouette_samples(X, [0, 1] * 5, metric="precomputed")
    D = np.ones((10, 10))
    with pytest.raises(ValueError, match="non-zero elements on the diagonal"):
        lm.silhouette_samples(D, [0, 1] * 5, metric="precomputed")
    with pytest.raises(ValueError, match="sample_size"):
        lm.silhouette_score(X, [0, 1] * 5, sample_size=0)
    with pytest.raises(ValueError, match="1d array"):
        lm.silhouette_samples(X, np.zeros((10, 2)))
