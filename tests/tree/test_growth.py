"""The compiled tree builder against the NumPy one, best-first growth and absolute error.

Oracles: the NumPy builder (the compiled one must give the very same nodes), scikit-learn's trees
(best-first growth and absolute error, on data without ties), NumPy's stable argsort and a brute
force weighted median.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import datasets
from sklearn import tree as sktree

from lucidml.tree import DecisionTreeClassifier, DecisionTreeRegressor, _compiled
from lucidml.tree._classes import _group_medians, _Wavelet
from lucidml.tree._criteria import ln

needs_numba = pytest.mark.skipif(not _compiled.AVAILABLE, reason="numba is not installed")


def _classes(n=300, seed=0, n_classes=3):
    return datasets.make_classification(
        n_samples=n,
        n_features=8,
        n_informative=5,
        n_classes=n_classes,
        flip_y=0.1,
        random_state=seed,
    )


def _regression(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.sin(2 * X[:, 0]) + 0.5 * X[:, 1] ** 2 + rng.normal(scale=0.5, size=n)
    return X, y


def _fit_both(est, X, y, w=None, monkeypatch=None):
    monkeypatch.setattr(_compiled, "ENABLED", True)
    compiled = est.fit(X, y, sample_weight=w).tree_arrays_
    monkeypatch.setattr(_compiled, "ENABLED", False)
    numpy = est.fit(X, y, sample_weight=w).tree_arrays_
    return compiled, numpy


def _assert_same_tree(a, b):
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


# -- the compiled builder gives the NumPy builder's trees ---------------------------------------


@needs_numba
@pytest.mark.parametrize(
    "params, weights, rounded",
    [
        ({}, None, False),
        ({"criterion": "entropy"}, None, False),
        ({"max_features": 3, "random_state": 1}, "float", False),
        ({"criterion": "entropy", "max_features": "sqrt"}, "int", True),
        ({"min_samples_leaf": 3, "min_weight_fraction_leaf": 0.01, "max_depth": 6}, "float", True),
        ({"class_weight": "balanced", "max_features": 2, "random_state": 5}, "int", True),
        ({"min_impurity_decrease": 0.002, "min_samples_split": 9}, None, True),
    ],
)
def test_compiled_classifier_equals_numpy(params, weights, rounded, monkeypatch):
    X, y = _classes(seed=len(params))
    if rounded:  # ties in x: the threshold rule and the stable orders matter
        X = np.round(X, 1)
    rng = np.random.default_rng(0)
    w = {
        None: None,
        "float": rng.uniform(0.1, 3.0, size=y.size),
        "int": rng.integers(0, 4, size=y.size).astype(float),
    }[weights]
    est = DecisionTreeClassifier(**{"random_state": 0, **params})
    compiled, numpy = _fit_both(est, X, y, w, monkeypatch)
    assert compiled["feature"].size > 15
    _assert_same_tree(compiled, numpy)


@needs_numba
@pytest.mark.parametrize(
    "params, weights",
    [
        ({}, None),
        ({"max_features": 0.5, "random_state": 3}, "float"),
        ({"min_samples_leaf": 4, "max_depth": 8}, "int"),
    ],
)
def test_compiled_regressor_equals_numpy(params, weights, monkeypatch):
    X, y = _regression(seed=1)
    X[:, 2] = np.round(X[:, 2], 1)
    rng = np.random.default_rng(1)
    w = {
        None: None,
        "float": rng.uniform(0.1, 3.0, size=y.size),
        "int": rng.integers(0, 4, size=y.size).astype(float),
    }[weights]
    est = DecisionTreeRegressor(**{"random_state": 0, **params})
    compiled, numpy = _fit_both(est, X, y, w, monkeypatch)
    _assert_same_tree(compiled, numpy)


@needs_numba
def test_compiled_on_digits_and_forced_numpy_path(monkeypatch):
    X, y = datasets.load_digits(return_X_y=True)
    X, y = X[:600], y[:600]  # 10 classes: longer class sums
    est = DecisionTreeClassifier(max_features="sqrt", random_state=0)
    compiled, numpy = _fit_both(est, X, y, None, monkeypatch)
    _assert_same_tree(compiled, numpy)
    # The environment variable forces the NumPy builder.
    monkeypatch.setattr(_compiled, "ENABLED", True)
    monkeypatch.delenv("LUCIDML_TREE_NUMPY", raising=False)
    assert _compiled.use_compiled("gini")
    monkeypatch.setenv("LUCIDML_TREE_NUMPY", "1")
    assert not _compiled.use_compiled("gini")
    assert not _compiled.use_compiled("absolute_error")


@needs_numba
def test_radix_argsort_is_numpys_stable_argsort():
    from lucidml.tree._kernels import _stable_argsort

    rng = np.random.default_rng(0)
    special = [0.0, -0.0, 1.0, -1.0, -0.0, np.inf, -np.inf, 3e38, -3e38, 1e-45, -1e-45, 0.0]
    for x in (
        rng.normal(size=3000),
        np.round(rng.normal(size=2000), 1),
        np.array(special),
        np.zeros(50),
        rng.integers(0, 3, size=500).astype(float),
    ):
        x = x.astype(np.float32)
        out = np.empty(x.size, dtype=np.intp)
        _stable_argsort(x, out)
        np.testing.assert_array_equal(out, np.argsort(x, kind="stable"))


def test_polynomial_log_is_close_to_numpys():
    rng = np.random.default_rng(0)
    a = np.concatenate([rng.random(10_000) * 1e4, np.exp(rng.normal(size=10_000) * 30), [1.0]])
    exact = np.log(a)
    assert np.max(np.abs(ln(a) - exact) / np.spacing(np.abs(exact) + 1e-300)) <= 4
    assert ln(np.array([1.0]))[0] == 0.0


@needs_numba
def test_forest_on_threads_equals_sequential_forest():
    from lucidml.ensemble import RandomForestClassifier

    X, y = _classes(n=400, seed=7)
    a = RandomForestClassifier(n_estimators=8, random_state=0).fit(X, y)
    b = RandomForestClassifier(n_estimators=8, random_state=0, n_jobs=2).fit(X, y)
    for ta, tb in zip(a.estimators_, b.estimators_, strict=True):
        _assert_same_tree(ta.tree_arrays_, tb.tree_arrays_)


# -- best-first growth (max_leaf_nodes) equals scikit-learn's ----------------------------------


def _assert_equals_sklearn(ours, ref, atol=1e-12):
    t, r = ours.tree_, ref.tree_
    np.testing.assert_array_equal(t.children_left, r.children_left)
    np.testing.assert_array_equal(t.children_right, r.children_right)
    np.testing.assert_array_equal(t.feature, r.feature)
    np.testing.assert_allclose(t.threshold, r.threshold)
    np.testing.assert_allclose(t.impurity, r.impurity, atol=1e-10)
    np.testing.assert_allclose(t.value, r.value, atol=atol)
    np.testing.assert_array_equal(t.n_node_samples, r.n_node_samples)


@pytest.mark.parametrize(
    "params",
    [
        {"max_leaf_nodes": 8},
        {"max_leaf_nodes": 20, "min_samples_leaf": 4},
        {"max_leaf_nodes": 12, "min_impurity_decrease": 0.005},
        {"max_leaf_nodes": 10, "criterion": "entropy", "max_depth": 3},
    ],
)
def test_best_first_classifier_equals_sklearn(params):
    X, y = datasets.make_classification(
        400, 6, n_informative=4, n_classes=3, flip_y=0.1, random_state=0
    )
    ours = DecisionTreeClassifier(random_state=0, **params).fit(X, y)
    ref = sktree.DecisionTreeClassifier(random_state=0, **params).fit(X, y)
    assert ours.get_n_leaves() <= params["max_leaf_nodes"]
    _assert_equals_sklearn(ours, ref)


def test_best_first_regressor_equals_sklearn_and_big_budget_is_the_full_tree():
    X, y = _regression()
    w = np.random.default_rng(2).uniform(0.5, 2.0, size=y.size)
    ours = DecisionTreeRegressor(max_leaf_nodes=10).fit(X, y, sample_weight=w)
    ref = sktree.DecisionTreeRegressor(max_leaf_nodes=10).fit(X, y, sample_weight=w)
    _assert_equals_sklearn(ours, ref, atol=1e-10)
    # With room for every leaf, best-first growth builds the level-wise tree (numbered apart).
    full = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y)
    big = DecisionTreeRegressor(max_depth=4, max_leaf_nodes=10_000, random_state=0).fit(X, y)
    assert big.get_n_leaves() == full.get_n_leaves()
    np.testing.assert_allclose(big.predict(X + 0.01), full.predict(X + 0.01))
    np.testing.assert_allclose(np.sort(big.tree_.threshold), np.sort(full.tree_.threshold))


# -- absolute error -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, weighted",
    [
        ({"max_depth": 3}, False),
        ({"max_depth": 4, "min_samples_leaf": 5}, False),
        ({"max_depth": 3}, True),
        ({"max_leaf_nodes": 10}, False),
    ],
)
def test_absolute_error_equals_sklearn(params, weighted):
    X, y = _regression()
    w = np.random.default_rng(3).integers(1, 4, size=y.size).astype(float) if weighted else None
    ours = DecisionTreeRegressor(criterion="absolute_error", **params).fit(X, y, sample_weight=w)
    ref = sktree.DecisionTreeRegressor(criterion="absolute_error", **params)
    ref.fit(X, y, sample_weight=w)
    Xte, _ = _regression(seed=5)
    np.testing.assert_allclose(ours.predict(Xte), ref.predict(Xte), atol=1e-12)
    t, r = ours.tree_, ref.tree_
    assert t.node_count == r.node_count
    np.testing.assert_allclose(np.sort(t.impurity), np.sort(r.impurity), atol=1e-10)
    np.testing.assert_allclose(np.sort(t.threshold), np.sort(r.threshold))
    np.testing.assert_allclose(np.sort(t.value.ravel()), np.sort(r.value.ravel()))


def test_weighted_medians_and_range_costs_by_brute_force():
    rng = np.random.default_rng(0)
    n = 60
    y = np.round(rng.normal(size=n), 1)  # ties in y
    w = rng.integers(1, 4, size=n).astype(float)
    group = rng.integers(0, 5, size=n)
    med, cost = _group_medians(y, w, group, 6)
    for g in range(5):
        yg, wg = y[group == g], w[group == g]
        costs = [np.sum(wg * np.abs(yg - c)) for c in yg]
        assert np.isclose(cost[g], min(costs))
        assert np.isclose(np.sum(wg * np.abs(yg - med[g])), min(costs))
    assert med[5] == 0.0 and cost[5] == 0.0
    # Unit weights, an even count: the midpoint of the two middle values.
    m2, _ = _group_medians(np.array([4.0, 1.0, 3.0, 2.0]), np.ones(4), np.zeros(4, int), 1)
    assert m2[0] == 2.5
    # Range costs of the wavelet matrix: every prefix and suffix of two segments.
    wav = _Wavelet(y, w)
    idx = rng.permutation(n)
    seg_len = np.array([25, 35])
    seg_start = np.array([0, 25])
    seg_id = np.repeat([0, 1], seg_len)
    proxy = wav.split_proxy(idx, seg_start, seg_len, seg_id)

    def best(ids):
        return min(np.sum(w[ids] * np.abs(y[ids] - c)) for c in y[ids]) if ids.size else 0.0

    for t in range(n):
        s, e = seg_start[seg_id[t]], seg_start[seg_id[t]] + seg_len[seg_id[t]]
        expected = best(idx[s : t + 1]) + best(idx[t + 1 : e])
        assert np.isclose(-proxy[t], expected)


@needs_numba
def test_ensembles_of_compiled_trees_ask_joblib_for_threads(monkeypatch):
    """Bagging (and so the forest) prefers threads exactly when its trees release the GIL."""
    import lucidml.ensemble._bagging as bagging
    from lucidml.ensemble import BaggingClassifier, RandomForestClassifier
    from lucidml.naive_bayes import GaussianNB
    from lucidml.tree import DecisionTreeClassifier

    asked = []
    real = bagging._parallel

    def spy(fn, tasks, n_jobs, prefer=None):
        asked.append(prefer)
        return real(fn, tasks, n_jobs, prefer=prefer)

    monkeypatch.setattr(bagging, "_parallel", spy)
    X, y = _classes(n=200, seed=3)
    RandomForestClassifier(n_estimators=4, n_jobs=2, random_state=0).fit(X, y)
    BaggingClassifier(DecisionTreeClassifier(), n_estimators=4, n_jobs=2).fit(X, y)
    RandomForestClassifier(n_estimators=4, n_jobs=2, max_leaf_nodes=8).fit(X, y)  # NumPy
    BaggingClassifier(GaussianNB(), n_estimators=4, n_jobs=2).fit(X, y)
    assert asked == ["threads", "threads", None, None]
