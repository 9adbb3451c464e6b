"""k-nearest neighbours against scikit-learn's brute-force search, SciPy's distances and hand-made
cases (exact matches, ties), plus bounded memory and bad input."""

from __future__ import annotations

import pickle
import tracemalloc

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.spatial.distance import cdist
from sklearn import datasets
from sklearn import neighbors as sk

from lucidml.base import NotFittedError
from lucidml.neighbors import KNeighborsClassifier, KNeighborsRegressor, _k_smallest

CLASSIFICATION = ["iris", "wine", "breast_cancer", "digits"]
# (metric, p) pairs; p matters only for minkowski. Every distinct computation runs on every
# dataset; the spellings that map onto them (aliases, minkowski with p = 1 or 2) run on one.
METRICS = [
    ("euclidean", 2),
    ("manhattan", 2),
    ("minkowski", 1.5),
    ("minkowski", 3),
    ("chebyshev", 2),
    ("cosine", 2),
]
ALIASES = [("cityblock", 2), ("minkowski", 1), ("minkowski", 2), ("l1", 2), ("l2", 2)]
WEIGHTS = ["uniform", "distance"]
DIST_RTOL = 1e-10
PROBA_ATOL = 1e-12


# -- data -----------------------------------------------------------------------------------------


def _tie_free(name: str, seed: int = 0, max_rows: int = 600):
    """A standardised dataset without duplicate rows or exact distance ties, split 2/3 : 1/3.

    Duplicates are dropped and every feature is jittered by 1e-3 of its standard deviation, so
    no two distances are exactly equal and the neighbour order is unambiguous. Features are
    standardised: on the raw scales (wine's proline ~1e3, breast cancer's areas ~1e3)
    scikit-learn's matrix-product distances carry relative errors ~1e-11, which ``weights=
    "distance"`` passes on to the probabilities; lucidml's raw-scale distances are checked
    against SciPy instead (``test_raw_scale_distances_match_scipy``). At most ``max_rows`` rows
    are kept, to keep the tests fast.
    """
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    rng = np.random.default_rng(seed)
    _, keep = np.unique(X, axis=0, return_index=True)
    keep = np.sort(keep)
    if len(keep) > max_rows:
        keep = np.sort(rng.choice(keep, max_rows, replace=False))
    X, y = X[keep], y[keep]
    scale = X.std(axis=0)
    scale[scale == 0] = 1
    X = (X - X.mean(axis=0)) / scale
    X = X + rng.uniform(-1e-3, 1e-3, X.shape)
    perm = rng.permutation(len(X))
    cut = 2 * len(X) // 3
    return X[perm[:cut]], y[perm[:cut]], X[perm[cut:]], y[perm[cut:]]


def _pair(cls, sk_cls, **params):
    return cls(**params), sk_cls(algorithm="brute", **params)


def _assert_same_neighbors(ours, ref, X):
    d, i = ours.kneighbors(X)
    d_ref, i_ref = ref.kneighbors(X)
    assert_array_equal(i, i_ref)
    assert_allclose(d, d_ref, rtol=DIST_RTOL, atol=0)
    assert_array_equal(ours.kneighbors(X, return_distance=False), i)


# -- oracle: scikit-learn's brute force -----------------------------------------------------------


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize(
    ("name", "metric", "p"),
    [(name, m, p) for name in CLASSIFICATION for m, p in METRICS]
    + [("iris", m, p) for m, p in ALIASES],
)
def test_classifier_matches_sklearn(name, metric, p, weights):
    X, y, Xq, _ = _tie_free(name)
    ours, ref = _pair(KNeighborsClassifier, sk.KNeighborsClassifier, metric=metric, p=p)
    ours.set_params(weights=weights)
    ref.set_params(weights=weights)
    ours.fit(X, y)
    ref.fit(X, y)
    assert ours.effective_metric_ == ref.effective_metric_
    assert ours.effective_metric_params_ == {
        k: v for k, v in ref.effective_metric_params_.items() if k == "p"
    }
    assert_array_equal(ours.classes_, ref.classes_)
    assert ours.n_samples_fit_ == ref.n_samples_fit_
    _assert_same_neighbors(ours, ref, Xq)
    _assert_same_neighbors(ours, ref, None)  # the training set, each point excluding itself
    for q in (Xq, None):
        assert_array_equal(ours.predict(q), ref.predict(q))
        assert_allclose(ours.predict_proba(q), ref.predict_proba(q), rtol=0, atol=PROBA_ATOL)


@pytest.mark.parametrize("weights", WEIGHTS)
@pytest.mark.parametrize(("metric", "p"), METRICS + ALIASES)
def test_regressor_matches_sklearn(metric, p, weights):
    X, y, Xq, yq = _tie_free("diabetes")
    ours, ref = _pair(KNeighborsRegressor, sk.KNeighborsRegressor, metric=metric, p=p)
    ours.set_params(weights=weights)
    ref.set_params(weights=weights)
    ours.fit(X, y)
    ref.fit(X, y)
    assert ours.effective_metric_ == ref.effective_metric_
    _assert_same_neighbors(ours, ref, Xq)
    _assert_same_neighbors(ours, ref, None)
    for q in (Xq, None):
        assert_allclose(ours.predict(q), ref.predict(q), rtol=1e-10, atol=0)
    assert ours.score(Xq, yq) == pytest.approx(ref.score(Xq, yq), rel=1e-10)

    # multi-output: a second target column
    Y = np.column_stack([y, np.sqrt(y) * X[:, 0]])
    ours.fit(X, Y)
    ref.fit(X, Y)
    assert ours.predict(Xq).shape == (len(Xq), 2)
    assert_allclose(ours.predict(Xq), ref.predict(Xq), rtol=1e-10, atol=0)


@pytest.mark.parametrize("weights", WEIGHTS)
def test_multi_output_classifier_matches_sklearn(weights):
    X, y, Xq, _ = _tie_free("wine")
    labels = np.array(["low", "mid", "high"])[(X[:, 0] > 0).astype(int) + (X[:, 0] > 0.7)]
    Y = np.column_stack([y.astype(str), labels])
    ours = KNeighborsClassifier(n_neighbors=7, weights=weights).fit(X, Y)
    ref = sk.KNeighborsClassifier(n_neighbors=7, weights=weights, algorithm="brute").fit(X, Y)
    assert ours.outputs_2d_ and isinstance(ours.classes_, list)
    for c, c_ref in zip(ours.classes_, ref.classes_):
        assert_array_equal(c, c_ref)
    assert_array_equal(ours.predict(Xq), ref.predict(Xq))
    proba, proba_ref = ours.predict_proba(Xq), ref.predict_proba(Xq)
    assert len(proba) == 2
    for pr, pr_ref in zip(proba, proba_ref):
        assert_allclose(pr, pr_ref, rtol=0, atol=PROBA_ATOL)


def test_callable_weights_match_sklearn():
    X, y, Xq, _ = _tie_free("iris")

    def gauss(d):
        return np.exp(-(d**2))

    ours = KNeighborsClassifier(n_neighbors=9, weights=gauss).fit(X, y)
    ref = sk.KNeighborsClassifier(n_neighbors=9, weights=gauss, algorithm="brute").fit(X, y)
    assert_allclose(ours.predict_proba(Xq), ref.predict_proba(Xq), rtol=0, atol=PROBA_ATOL)
    assert_array_equal(ours.predict(Xq), ref.predict(Xq))


def test_works_in_sklearn_pipeline_search_and_cross_validation():
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y, _, _ = _tie_free("wine")
    ours = cross_val_score(make_pipeline(StandardScaler(), KNeighborsClassifier()), X, y, cv=3)
    ref = cross_val_score(
        make_pipeline(StandardScaler(), sk.KNeighborsClassifier(algorithm="brute")), X, y, cv=3
    )
    assert_allclose(ours, ref)
    grid = {"n_neighbors": [1, 3, 7], "weights": WEIGHTS}
    ours_s = GridSearchCV(KNeighborsClassifier(), grid, cv=3).fit(X, y)
    ref_s = GridSearchCV(sk.KNeighborsClassifier(algorithm="brute"), grid, cv=3).fit(X, y)
    assert ours_s.best_params_ == ref_s.best_params_
    assert_allclose(ours_s.cv_results_["mean_test_score"], ref_s.cv_results_["mean_test_score"])


@pytest.mark.parametrize(
    ("metric", "scipy_metric"),
    [("euclidean", "euclidean"), ("manhattan", "cityblock"), ("cosine", "cosine")],
)
@pytest.mark.parametrize("name", ["wine", "breast_cancer"])
def test_raw_scale_distances_match_scipy(name, metric, scipy_metric):
    """Unscaled features (values up to ~4e3): SciPy's pairwise distances and a stable sort."""
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    train = np.arange(len(X)) % 3 != 0
    Xt, yt, Xq = X[train], y[train], X[~train]
    k = 7
    model = KNeighborsClassifier(k, metric=metric).fit(Xt, yt)
    for q, D in ((Xq, cdist(Xq, Xt, scipy_metric)), (None, cdist(Xt, Xt, scipy_metric))):
        if q is None:
            np.fill_diagonal(D, np.inf)
        order = np.argsort(D, axis=1, kind="stable")[:, :k]
        dist, ind = model.kneighbors(q)
        assert_array_equal(ind, order)
        tol = {"atol": 1e-15, "rtol": 0} if metric == "cosine" else {"rtol": 1e-13, "atol": 0}
        assert_allclose(dist, np.take_along_axis(D, order, axis=1), **tol)


# -- ties and exact matches -----------------------------------------------------------------------


@pytest.mark.parametrize("data", ["few_values", "reals", "descending"])
@pytest.mark.parametrize("n_cols", [7, 50, 500, 1003])
@pytest.mark.parametrize("k", [1, 3, 6])
def test_k_smallest_breaks_ties_by_index(k, n_cols, data):
    """Oracle: a stable full sort, which orders equal values by position.

    Rows of 500+ columns take the two-stage (group minima) path, 1003 with a partial last
    group; "few_values" ties everywhere, "descending" puts the smallest values last.
    """
    rng = np.random.default_rng(k * n_cols)
    if data == "few_values":
        block = rng.integers(0, 4, size=(200, n_cols)).astype(float)
    else:
        block = rng.standard_normal((200, n_cols))
        if data == "descending":
            block = -np.sort(block, axis=1)
            block[:, rng.integers(0, n_cols, 3)] = np.inf
    expected = np.sort(np.argsort(block, axis=1, kind="stable")[:, :k], axis=1)
    assert_array_equal(_k_smallest(block, k), expected)


@pytest.mark.parametrize("working_memory", [None, 0.01])
@pytest.mark.parametrize(
    ("metric", "scipy_metric"),
    [("euclidean", "euclidean"), ("manhattan", "cityblock"), ("chebyshev", "chebyshev")],
)
def test_ties_ordered_by_training_index(metric, scipy_metric, working_memory):
    """Integer data has many exactly equal distances; they must come in training-index order.

    Oracle: SciPy's distances (exact for integers) and a stable sort. The small working memory
    splits the queries into many chunks.
    """
    rng = np.random.default_rng(1)
    X = rng.integers(0, 3, size=(120, 3)).astype(float)
    Xq = rng.integers(0, 3, size=(40, 3)).astype(float)
    y = rng.integers(0, 2, size=120)
    k = 6
    model = KNeighborsClassifier(k, metric=metric, working_memory=working_memory).fit(X, y)
    for q, D in ((Xq, cdist(Xq, X, scipy_metric)), (None, cdist(X, X, scipy_metric))):
        if q is None:
            np.fill_diagonal(D, np.inf)  # a point is not its own neighbour
        order = np.argsort(D, axis=1, kind="stable")[:, :k]
        dist, ind = model.kneighbors(q)
        assert_array_equal(ind, order)
        assert_array_equal(dist, np.take_along_axis(D, order, axis=1))


def test_exact_matches_take_all_the_weight():
    # Three training copies of the query point (labels 1, 2, 2) and three points further away.
    X = np.array([[0.3, 0.7], [0.3, 0.7], [0.3, 0.7], [0.4, 0.7], [0.3, 0.8], [0.2, 0.6]])
    y = np.array([1, 2, 2, 0, 0, 0])
    q = np.array([[0.3, 0.7], [0.31, 0.71]])
    for metric in ("euclidean", "manhattan", "cosine"):
        clf = KNeighborsClassifier(5, weights="distance", metric=metric).fit(X, y)
        proba = clf.predict_proba(q)
        assert_allclose(proba[0], [0.0, 1 / 3, 2 / 3], rtol=0, atol=1e-15)
        assert np.all(proba[1] > 0)  # no exact match: every neighbour has a finite weight
        reg = KNeighborsRegressor(5, weights="distance", metric=metric).fit(X, y.astype(float))
        assert reg.predict(q)[0] == pytest.approx(5 / 3, rel=1e-15)


def test_euclidean_distance_of_a_training_point_to_itself_is_exactly_zero():
    # The matrix-product expansion leaves ~1e-7 for some of these; the k chosen are recomputed.
    X, y = datasets.load_iris(return_X_y=True)
    X = np.unique(X, axis=0)
    model = KNeighborsClassifier(3).fit(X, np.arange(len(X)) % 3)
    dist, ind = model.kneighbors(X)
    assert_array_equal(dist[:, 0], 0.0)
    assert_array_equal(ind[:, 0], np.arange(len(X)))
    ref = cdist(X, X)[np.arange(len(X))[:, None], ind]
    assert_allclose(dist, ref, rtol=1e-14, atol=0)


# -- memory ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
def test_query_memory_stays_bounded(metric):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 8))
    y = rng.integers(0, 3, size=2000)
    Xq = rng.standard_normal((5000, 8))
    full_matrix = Xq.shape[0] * X.shape[0] * 8  # 80 MB
    small = KNeighborsClassifier(metric=metric, working_memory=1).fit(X, y)
    large = KNeighborsClassifier(metric=metric, working_memory=1000).fit(X, y)

    def peak(model):
        tracemalloc.start()
        try:
            out = model.predict_proba(Xq)
            return out, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    proba_small, peak_small = peak(small)
    proba_large, peak_large = peak(large)
    assert peak_large >= full_matrix  # control: the measurement sees a one-chunk search
    assert peak_small < full_matrix / 10
    assert_array_equal(proba_small, proba_large)


# -- attributes, persistence ----------------------------------------------------------------------


def test_fitted_attributes_and_feature_names():
    pd = pytest.importorskip("pandas")
    X, y, Xq, _ = _tie_free("iris")
    frame = pd.DataFrame(X, columns=["sl", "sw", "pl", "pw"])
    clf = KNeighborsClassifier(metric="minkowski", p=1).fit(frame, y)
    assert_array_equal(clf.feature_names_in_, ["sl", "sw", "pl", "pw"])
    assert clf.n_features_in_ == 4
    assert clf.n_samples_fit_ == len(X)
    assert clf.effective_metric_ == "manhattan"
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert_array_equal(
        clf.predict(pd.DataFrame(Xq, columns=frame.columns)),
        KNeighborsClassifier(metric="manhattan").fit(X, y).predict(Xq),
    )
    reg = KNeighborsRegressor(metric="minkowski", p=2.5).fit(X, y)
    assert reg.effective_metric_ == "minkowski"
    assert reg.effective_metric_params_ == {"p": 2.5}


def test_float32_and_pickle_give_identical_predictions():
    X, y, Xq, _ = _tie_free("digits")
    clf = KNeighborsClassifier(weights="distance").fit(X, y)
    again = pickle.loads(pickle.dumps(clf))
    assert_array_equal(again.predict_proba(Xq), clf.predict_proba(Xq))
    X32, Xq32 = X.astype(np.float32), Xq.astype(np.float32)
    ref = KNeighborsClassifier(weights="distance").fit(X32.astype(float), y)
    clf32 = KNeighborsClassifier(weights="distance").fit(X32, y)
    assert_array_equal(clf32.predict_proba(Xq32), ref.predict_proba(Xq32.astype(float)))


def test_score_is_accuracy_and_r2():
    from sklearn.metrics import accuracy_score, r2_score

    X, y, Xq, yq = _tie_free("breast_cancer")
    clf = KNeighborsClassifier().fit(X, y)
    assert clf.score(Xq, yq) == pytest.approx(accuracy_score(yq, clf.predict(Xq)))
    X, y, Xq, yq = _tie_free("diabetes")
    reg = KNeighborsRegressor(weights="distance").fit(X, y)
    assert reg.score(Xq, yq) == pytest.approx(r2_score(yq, reg.predict(Xq)), rel=1e-12)


# -- bad input ------------------------------------------------------------------------------------

ESTIMATORS = [KNeighborsClassifier, KNeighborsRegressor]


def _small():
    rng = np.random.default_rng(0)
    return rng.standard_normal((10, 3)), np.array([0, 1] * 5)


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_input_is_refused(cls, bad):
    X, y = _small()
    Xb = X.copy()
    Xb[2, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        cls(n_neighbors=3).fit(Xb, y)
    model = cls(n_neighbors=3).fit(X, y)
    with pytest.raises(ValueError, match="NaN|infinity"):
        model.predict(Xb)
    with pytest.raises(ValueError, match="NaN|infinity"):
        model.kneighbors(Xb)
    yb = y.astype(float)
    yb[0] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        cls(n_neighbors=3).fit(X, yb)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_empty_wrong_shape_and_strings_are_refused(cls):
    X, y = _small()
    with pytest.raises(ValueError, match="0 sample"):
        cls().fit(np.empty((0, 3)), [])
    with pytest.raises(ValueError, match="2D array"):
        cls().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        cls().fit(X, y[:-1])
    with pytest.raises(ValueError):
        cls().fit(np.array([["a", "b", "c"]] * 10), y)
    model = cls(n_neighbors=3).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features, but .* is expecting 3 features"):
        model.predict(X[:, :2])
    with pytest.raises(ValueError, match="X has 4 features"):
        model.kneighbors(np.hstack([X, X[:, :1]]))
    with pytest.raises(ValueError, match="0 sample"):
        model.predict(np.empty((0, 3)))
    with pytest.raises(ValueError):
        model.predict(np.array([["a", "b", "c"]]))


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_bad_n_neighbors(cls):
    X, y = _small()
    for k in (0, -1):
        with pytest.raises(ValueError, match=f"Expected n_neighbors > 0. Got {k}"):
            cls(n_neighbors=k).fit(X, y)
    for k in (2.5, "3", True):
        with pytest.raises(TypeError, match="n_neighbors"):
            cls(n_neighbors=k).fit(X, y)
    model = cls(n_neighbors=11).fit(X, y)  # checked against the data at query time
    with pytest.raises(
        ValueError,
        match=r"Expected n_neighbors <= n_samples_fit, but n_neighbors = 11, "
        r"n_samples_fit = 10, n_samples = 2",
    ):
        model.predict(X[:2])
    model = cls(n_neighbors=3).fit(X, y)
    with pytest.raises(ValueError, match=r"Expected n_neighbors < n_samples_fit, but "):
        model.kneighbors(None, n_neighbors=10)  # a point is not its own neighbour
    assert model.kneighbors(None, n_neighbors=9)[1].shape == (10, 9)
    with pytest.raises(ValueError, match="Expected n_neighbors > 0"):
        model.kneighbors(X, n_neighbors=0)
    with pytest.raises(TypeError, match="n_neighbors does not take"):
        model.kneighbors(X, n_neighbors=1.5)


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"metric": "hamming"}, "Unknown metric 'hamming'"),
        ({"metric": "precomputed"}, "Unknown metric"),
        ({"metric": np.abs}, "Unknown metric"),
        ({"weights": "inverse"}, "weights must be"),
        ({"weights": 3}, "weights must be"),
        ({"metric": "minkowski", "p": 0.5}, "p must be a number >= 1"),
        ({"metric": "minkowski", "p": np.nan}, "p must be a number >= 1"),
        ({"working_memory": 0}, "working_memory"),
        ({"algorithm": "annoy"}, "algorithm must be"),
        ({"leaf_size": 0}, "leaf_size"),
        ({"n_jobs": "all"}, "n_jobs"),
    ],
)
def test_bad_parameters(cls, params, match):
    X, y = _small()
    with pytest.raises(ValueError, match=match):
        cls(**params).fit(X, y)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_bad_callable_weights(cls):
    X, y = _small()
    with pytest.raises(ValueError, match="same shape"):
        cls(n_neighbors=3, weights=lambda d: d[:, 0]).fit(X, y).predict(X)
    with pytest.raises(ValueError, match="zero weights"):
        cls(n_neighbors=3, weights=np.zeros_like).fit(X, y).predict(X)
    with pytest.raises(ValueError, match="NaN or infinite"):
        cls(n_neighbors=3, weights=lambda d: np.full_like(d, np.inf)).fit(X, y).predict(X + 1)


def test_classifier_refuses_continuous_target_and_unfitted_use():
    X, _ = _small()
    with pytest.raises(ValueError, match="Unknown label type"):
        KNeighborsClassifier(n_neighbors=3).fit(X, np.linspace(0, 1, 10))
    for cls in ESTIMATORS:
        with pytest.raises(NotFittedError):
            cls().predict(X)
        with pytest.raises(NotFittedError):
            cls().kneighbors(X)
