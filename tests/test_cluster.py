"""KMeans against scikit-learn's KMeans (same initial centres) and against its inertia."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans as SkKMeans
from sklearn.datasets import make_blobs

from lucidml.base import NotFittedError, clone
from lucidml.cluster import KMeans


def _blobs(seed, n=400, d=3, centers=4, std=1.5):
    X, _ = make_blobs(n, d, centers=centers, cluster_std=std, random_state=seed)
    return X


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_lloyd_from_given_centres_equals_sklearn(seed, weighted):
    X = _blobs(seed, std=2.5)
    rng = np.random.default_rng(seed)
    init = X[rng.choice(len(X), 4, replace=False)]
    sw = rng.uniform(0.5, 2.0, len(X)) if weighted else None
    ours = KMeans(4, init=init, n_init=1).fit(X, sample_weight=sw)
    ref = SkKMeans(4, init=init, n_init=1, algorithm="lloyd").fit(X, sample_weight=sw)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    np.testing.assert_allclose(ours.inertia_, ref.inertia_, rtol=1e-10)
    assert ours.n_iter_ == ref.n_iter_
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), atol=1e-8)
    np.testing.assert_allclose(ours.score(X), ref.score(X), rtol=1e-10)


def test_tol_zero_and_max_iter_match_sklearn():
    X = _blobs(5, n=300, d=5, centers=6, std=4.0)
    init = X[:6]
    for kw in (dict(tol=0.0), dict(max_iter=2)):
        ours = KMeans(6, init=init, **kw).fit(X)
        ref = SkKMeans(6, init=init, n_init=1, **kw).fit(X)
        np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, atol=1e-8)
        np.testing.assert_array_equal(ours.labels_, ref.labels_)
        assert ours.n_iter_ == ref.n_iter_


def test_many_features_path_equals_sklearn():
    # more than 32 features: the centre update takes the sparse-product path
    X = _blobs(11, n=300, d=40, centers=5, std=6.0)
    w = np.random.default_rng(0).uniform(0.5, 2, len(X))
    init = X[:5]
    ours = KMeans(5, init=init).fit(X, sample_weight=w)
    ref = SkKMeans(5, init=init, n_init=1).fit(X, sample_weight=w)
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, atol=1e-8)
    np.testing.assert_array_equal(ours.labels_, ref.labels_)
    assert ours.n_iter_ == ref.n_iter_


def test_empty_cluster_is_relocated_like_sklearn():
    X = _blobs(3, n=200, d=2, centers=3)
    init = np.vstack([X[:2], [[1e3, 1e3]]])  # the far centre gets no sample at first
    ours = KMeans(3, init=init).fit(X)
    ref = SkKMeans(3, init=init, n_init=1).fit(X)
    assert len(np.unique(ours.labels_)) == 3
    np.testing.assert_allclose(ours.cluster_centers_, ref.cluster_centers_, atol=1e-8)
    np.testing.assert_allclose(ours.inertia_, ref.inertia_, rtol=1e-10)


@pytest.mark.parametrize(
    "make",
    [
        lambda: _blobs(0, n=1000, d=2, centers=5, std=1.0),
        lambda: _blobs(1, n=1500, d=8, centers=10, std=3.0),
        lambda: np.random.default_rng(2).uniform(size=(800, 4)),  # no cluster structure
        lambda: np.random.default_rng(3).standard_t(3, size=(800, 3)),  # heavy tails
    ],
)
def test_kmeans_plusplus_inertia_within_one_percent_of_sklearn(make):
    X = make()
    k = 5
    ours = KMeans(k, n_init=10, random_state=0).fit(X)
    ref = SkKMeans(k, n_init=10, random_state=0).fit(X)
    assert ours.inertia_ <= 1.01 * ref.inertia_
    # inertia_ is the objective at the returned centres and labels
    d2 = cdist(X, ours.cluster_centers_, "sqeuclidean")
    np.testing.assert_array_equal(ours.labels_, d2.argmin(axis=1))
    np.testing.assert_allclose(ours.inertia_, d2.min(axis=1).sum(), rtol=1e-10)


def test_methods_agree_with_their_definitions():
    X = _blobs(4)
    km = KMeans(4, random_state=0).fit(X)
    Xn = _blobs(9, n=50)
    D = cdist(Xn, km.cluster_centers_)
    np.testing.assert_allclose(km.transform(Xn), D, atol=1e-10)
    np.testing.assert_array_equal(km.predict(Xn), D.argmin(axis=1))
    np.testing.assert_allclose(km.score(Xn), -(D.min(axis=1) ** 2).sum(), rtol=1e-10)
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    np.testing.assert_allclose(km.score(X), -km.inertia_, rtol=1e-10)
    np.testing.assert_array_equal(clone(km).fit_predict(X), km.labels_)
    np.testing.assert_allclose(clone(km).fit_transform(X), km.transform(X), atol=1e-12)
    assert km.cluster_centers_.shape == (4, 3) and km.labels_.shape == (400,)
    assert list(km.get_feature_names_out()) == ["kmeans0", "kmeans1", "kmeans2", "kmeans3"]
    assert km._estimator_type == "clusterer"
    assert km.__sklearn_tags__().estimator_type == "clusterer"


def test_integer_weights_equal_repeated_rows_and_row_order_does_not_matter():
    X = _blobs(6, n=120)
    rng = np.random.default_rng(0)
    w = rng.integers(0, 4, len(X))
    weighted = KMeans(4, random_state=3).fit(X, sample_weight=w)
    repeated = KMeans(4, random_state=3).fit(np.repeat(X, w, axis=0))
    np.testing.assert_allclose(weighted.cluster_centers_, repeated.cluster_centers_, atol=1e-10)
    np.testing.assert_allclose(weighted.inertia_, repeated.inertia_, rtol=1e-10)
    perm = rng.permutation(len(X))
    shuffled = KMeans(4, random_state=3).fit(X[perm])
    plain = KMeans(4, random_state=3).fit(X)
    np.testing.assert_allclose(shuffled.cluster_centers_, plain.cluster_centers_, atol=1e-10)


def test_random_init_and_reproducibility():
    X = _blobs(7)
    a = KMeans(4, init="random", random_state=0).fit(X)
    b = KMeans(4, init="random", random_state=0).fit(X)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)
    ref = SkKMeans(4, init="random", n_init=10, random_state=0).fit(X)
    assert a.inertia_ <= 1.01 * ref.inertia_


def test_float32_and_far_from_origin_data():
    X = _blobs(8) + 1e6  # the distance expansion must not lose the clusters
    X32 = X.astype(np.float32)
    km = KMeans(4, random_state=0).fit(X32)
    ref = SkKMeans(4, random_state=0, n_init=1).fit(X32.astype(np.float64))
    assert km.inertia_ <= 1.01 * ref.inertia_
    np.testing.assert_allclose(km.score(X32), -km.inertia_, rtol=1e-9)
    d2 = ((X32.astype(np.float64)[:, None, :] - km.cluster_centers_[None]) ** 2).sum(-1)
    np.testing.assert_allclose(km.transform(X32) ** 2, d2, rtol=1e-9)


def test_explicit_init_with_several_n_init_warns():
    X = _blobs(0)
    with pytest.warns(RuntimeWarning, match="performing only one init"):
        KMeans(4, init=X[:4], n_init=3).fit(X)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(n_clusters=0), "n_clusters"),
        (dict(n_clusters=2.5), "n_clusters"),
        (dict(n_clusters=500), "n_samples=400 should be >= n_clusters=500"),
        (dict(init="kmeans"), "init should be"),
        (dict(init=np.zeros((3, 3))), "does not match the number of clusters"),
        (dict(init=np.zeros((8, 2))), "does not match the number of features"),
        (dict(n_init=0), "n_init"),
        (dict(n_init="many"), "n_init"),
        (dict(max_iter=0), "max_iter"),
        (dict(tol=-1.0), "tol"),
        (dict(algorithm="elkan"), "algorithm"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        KMeans(**params).fit(_blobs(0))


def test_bad_input():
    X = _blobs(0)
    for bad in (np.nan, np.inf):
        Xb = X.copy()
        Xb[3, 1] = bad
        with pytest.raises(ValueError, match="NaN|infinity"):
            KMeans(2).fit(Xb)
    with pytest.raises(ValueError):
        KMeans(2).fit(np.array([["a", "b"], ["c", "d"]], dtype=object))
    with pytest.raises(ValueError):
        KMeans(2).fit(np.empty((0, 3)))
    with pytest.raises(ValueError, match="2D array"):
        KMeans(2).fit(X[:, 0])
    with pytest.raises(ValueError, match="Negative values"):
        KMeans(2).fit(X, sample_weight=-np.ones(len(X)))
    with pytest.raises(NotFittedError):
        KMeans(2).predict(X)
    km = KMeans(2, random_state=0).fit(X)
    with pytest.raises(ValueError, match="X has 2 features, but KMeans is expecting 3"):
        km.predict(X[:, :2])
    with pytest.raises(ValueError, match="X has 4 features"):
        km.transform(np.hstack([X, X[:, :1]]))
