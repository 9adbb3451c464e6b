"""lucidml.tree against scikit-learn's trees (the oracle), and pruning as the notes describe it."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import datasets
from sklearn import tree as sktree
from sklearn.model_selection import train_test_split

from lucidml.model_selection import cross_val_score
from lucidml.tree import DecisionTreeClassifier, DecisionTreeRegressor, export_text


def _continuous(n=400, n_features=6, n_classes=3, seed=0):
    # Continuous features: no ties in split gains, so the trees must equal scikit-learn's.
    X, y = datasets.make_classification(
        n_samples=n,
        n_features=n_features,
        n_informative=4,
        n_classes=n_classes,
        flip_y=0.1,
        random_state=seed,
    )
    return X, y


def _noisy_regression(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = np.sin(2 * X[:, 0]) + 0.5 * X[:, 1] ** 2 + rng.normal(scale=0.5, size=n)
    return X, y


# -- growth equals scikit-learn ------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"criterion": "entropy"},
        {"criterion": "log_loss", "max_depth": 3},
        {"min_samples_leaf": 5},
        {"min_samples_split": 20},
        {"min_impurity_decrease": 0.01},
        {"min_weight_fraction_leaf": 0.05},
        {"class_weight": "balanced"},
        {"class_weight": {0: 3.0, 1: 1.0, 2: 0.5}},
        {"min_samples_leaf": 0.05, "min_samples_split": 0.1},
    ],
)
def test_classifier_equals_sklearn_without_ties(params):
    # Deep down, tiny nodes have several equally perfect cuts (real ties): stop above them.
    params = {"max_depth": 3, "min_samples_leaf": 4, **params}
    X, y = _continuous()
    Xte, _ = _continuous(seed=1)
    ours = DecisionTreeClassifier(random_state=0, **params).fit(X, y)
    ref = sktree.DecisionTreeClassifier(random_state=0, **params).fit(X, y)
    assert ours.get_n_leaves() == ref.get_n_leaves()
    assert ours.get_depth() == ref.get_depth()
    np.testing.assert_allclose(ours.predict_proba(Xte), ref.predict_proba(Xte), atol=1e-12)
    np.testing.assert_array_equal(ours.predict(Xte), ref.predict(Xte))
    np.testing.assert_allclose(ours.feature_importances_, ref.feature_importances_, atol=1e-10)
    t, r = ours.tree_, ref.tree_
    np.testing.assert_allclose(np.sort(t.impurity), np.sort(r.impurity), atol=1e-12)
    np.testing.assert_allclose(np.sort(t.threshold), np.sort(r.threshold))


def test_sample_weight_equals_sklearn():
    X, y = _continuous(seed=3)
    w = np.random.default_rng(0).uniform(0.1, 3.0, size=y.shape[0])
    w[::7] = 0.0
    ours = DecisionTreeClassifier(random_state=0, max_depth=4).fit(X, y, sample_weight=w)
    ref = sktree.DecisionTreeClassifier(random_state=0, max_depth=4).fit(X, y, sample_weight=w)
    Xte, _ = _continuous(seed=4)
    np.testing.assert_allclose(ours.predict_proba(Xte), ref.predict_proba(Xte), atol=1e-12)
    # An integer weight is the same as repeating the sample.
    wi = np.random.default_rng(1).integers(1, 3, size=y.shape[0])
    a = DecisionTreeClassifier(random_state=0).fit(X, y, sample_weight=wi)
    b = DecisionTreeClassifier(random_state=0).fit(np.repeat(X, wi, 0), np.repeat(y, wi))
    np.testing.assert_allclose(a.predict_proba(Xte), b.predict_proba(Xte))


@pytest.mark.parametrize(
    "params",
    [
        {"max_depth": 3, "min_samples_leaf": 4},
        {"max_depth": 3},
        {"min_samples_leaf": 7},
        {"min_impurity_decrease": 0.02},
    ],
)
def test_regressor_equals_sklearn(params):
    X, y = _noisy_regression()
    w = np.random.default_rng(2).uniform(0.5, 2.0, size=y.shape[0])
    ours = DecisionTreeRegressor(random_state=0, **params).fit(X, y, sample_weight=w)
    ref = sktree.DecisionTreeRegressor(random_state=0, **params).fit(X, y, sample_weight=w)
    assert ours.get_n_leaves() == ref.get_n_leaves()
    # On the training rows: two features that cut a small node into the same halves are a real
    # tie, and only the predictions on unseen rows could tell them apart.
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.feature_importances_, ref.feature_importances_, atol=1e-10)


@pytest.mark.parametrize(
    "loader", [datasets.load_iris, datasets.load_wine, datasets.load_breast_cancer]
)
def test_classifier_accuracy_on_real_data(loader):
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    ours = DecisionTreeClassifier(random_state=0).fit(Xtr, ytr)
    ref = sktree.DecisionTreeClassifier(random_state=0).fit(Xtr, ytr)
    assert ours.score(Xtr, ytr) == 1.0
    # Ties between equally good splits may be broken differently; one test sample of slack.
    assert ours.score(Xte, yte) >= ref.score(Xte, yte) - 1.0 / len(yte) - 0.01


def test_regressor_r2_on_diabetes():
    X, y = datasets.load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0)
    ours = DecisionTreeRegressor(random_state=0, max_depth=4).fit(Xtr, ytr)
    ref = sktree.DecisionTreeRegressor(random_state=0, max_depth=4).fit(Xtr, ytr)
    assert abs(ours.score(Xte, yte) - ref.score(Xte, yte)) <= 0.01


def test_max_features_subsets_and_determinism():
    X, y = _continuous(n=300, n_features=10)
    a = DecisionTreeClassifier(max_features="sqrt", random_state=3).fit(X, y)
    b = DecisionTreeClassifier(max_features="sqrt", random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
    assert a.score(X, y) == 1.0
    ref = sktree.DecisionTreeClassifier(max_features="sqrt", random_state=3).fit(X, y)
    Xte, yte = _continuous(n=300, n_features=10, seed=5)
    assert abs(a.score(Xte, yte) - ref.score(Xte, yte)) < 0.08


def test_apply_decision_path_and_structure():
    X, y = _continuous()
    ours = DecisionTreeClassifier(random_state=0, max_depth=5).fit(X, y)
    ref = sktree.DecisionTreeClassifier(random_state=0, max_depth=5).fit(X, y)
    path = ours.decision_path(X)
    leaves = ours.apply(X)
    t = ours.tree_
    assert path.shape == (X.shape[0], t.node_count) and t.node_count == ref.tree_.node_count
    np.testing.assert_array_equal(path.toarray().sum(1), ref.decision_path(X).toarray().sum(1))
    assert np.all(t.children_left[leaves] == -1)
    assert np.all(path[np.arange(X.shape[0]), leaves] == 1)
    assert np.all(path[:, 0].toarray() == 1)
    # Node counts agree with the samples routed through them.
    np.testing.assert_array_equal(np.asarray(path.sum(0)).ravel(), t.n_node_samples)
    assert t.max_depth == ours.get_depth() == ref.get_depth()


def test_export_text_matches_sklearn():
    data = datasets.load_breast_cancer()  # no tied root split, unlike iris
    ours = DecisionTreeClassifier(random_state=0, max_depth=2).fit(data.data, data.target)
    ref = sktree.DecisionTreeClassifier(random_state=0, max_depth=2).fit(data.data, data.target)
    names = list(data.feature_names)
    for kw in ({}, {"feature_names": names, "decimals": 3, "show_weights": True}):
        assert export_text(ours, **kw) == sktree.export_text(ref, **kw)
    X, y = _noisy_regression()
    ro = DecisionTreeRegressor(max_depth=2).fit(X, y)
    rr = sktree.DecisionTreeRegressor(max_depth=2).fit(X, y)
    assert export_text(ro) == sktree.export_text(rr)
    with pytest.raises(ValueError, match="feature_names"):
        export_text(ours, feature_names=["a"])


# -- pruning -------------------------------------------------------------------------------------


@pytest.mark.parametrize("Model", [DecisionTreeClassifier, DecisionTreeRegressor])
def test_ccp_path_and_alpha_equal_sklearn(Model):
    X, y = _continuous(seed=7) if Model is DecisionTreeClassifier else _noisy_regression(seed=7)
    Ref = getattr(sktree, Model.__name__)
    kw = {"random_state": 0, "min_samples_leaf": 4, "max_depth": 5}  # clear of tied cuts
    ours = Model(**kw).cost_complexity_pruning_path(X, y)
    ref = Ref(**kw).cost_complexity_pruning_path(X, y)
    np.testing.assert_allclose(ours["ccp_alphas"], ref.ccp_alphas, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(ours["impurities"], ref.impurities, rtol=1e-9, atol=1e-15)
    for alpha in ref.ccp_alphas[[len(ref.ccp_alphas) // 3, -3]]:
        a = Model(ccp_alpha=alpha * 1.0001, **kw).fit(X, y)
        b = Ref(ccp_alpha=alpha * 1.0001, **kw).fit(X, y)
        assert a.get_n_leaves() == b.get_n_leaves()
        np.testing.assert_allclose(a.predict(X), b.predict(X))


def test_ccp_pruning_behaves_as_the_notes_say():
    X, y = _continuous(n=600, seed=11)  # flip_y=0.1: label noise the full tree memorises
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.4, random_state=0)
    path = DecisionTreeClassifier(random_state=0).cost_complexity_pruning_path(Xtr, ytr)
    alphas, impurities = path["ccp_alphas"], path["impurities"]
    assert np.all(np.diff(alphas) >= 0) and np.all(np.diff(impurities) >= -1e-15)
    leaves = [
        DecisionTreeClassifier(random_state=0, ccp_alpha=a).fit(Xtr, ytr).get_n_leaves()
        for a in alphas[::5]
    ]
    assert all(b <= a for a, b in zip(leaves, leaves[1:])) and leaves[-1] < leaves[0]
    grid = alphas[:-1]
    scores = [
        cross_val_score(DecisionTreeClassifier(random_state=0, ccp_alpha=a), Xtr, ytr, cv=5).mean()
        for a in grid
    ]
    best = grid[int(np.argmax(scores))]
    pruned = DecisionTreeClassifier(random_state=0, ccp_alpha=best).fit(Xtr, ytr)
    full = DecisionTreeClassifier(random_state=0).fit(Xtr, ytr)
    assert pruned.get_n_leaves() < full.get_n_leaves()
    assert pruned.score(Xte, yte) > full.score(Xte, yte)


@pytest.mark.parametrize("Model", [DecisionTreeClassifier, DecisionTreeRegressor])
def test_reduced_error_pruning(Model):
    if Model is DecisionTreeClassifier:
        X, y = _continuous(n=900, seed=5)

        def err(m, X, y):
            return np.sum(m.predict(X) != y)
    else:
        X, y = _noisy_regression(n=900, seed=5)

        def err(m, X, y):
            return np.sum((m.predict(X) - y) ** 2)

    Xtr, ytr, Xval, yval, Xte, yte = X[:400], y[:400], X[400:650], y[400:650], X[650:], y[650:]
    model = Model(random_state=0).fit(Xtr, ytr)
    before_leaves, before_err = model.get_n_leaves(), err(model, Xval, yval)
    before_test = model.score(Xte, yte)
    model.prune_reduced_error(Xval, yval)
    assert err(model, Xval, yval) <= before_err + 1e-9
    assert model.get_n_leaves() < before_leaves / 2
    assert model.score(Xte, yte) > before_test
    # The pruned tree stays consistent: every leaf reached by apply is a leaf.
    assert np.all(model.tree_.children_left[model.apply(Xte)] == -1)
    assert model.get_depth() == model.tree_.max_depth


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("Model", [DecisionTreeClassifier, DecisionTreeRegressor])
def test_bad_input(Model):
    X, y = _noisy_regression(n=30)
    if Model is DecisionTreeClassifier:
        y = (y > 0).astype(int)
    model = Model().fit(X, y)
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Model().fit(Xn, y)
    Xn[0, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        Model().fit(Xn, y)
    with pytest.raises(ValueError, match="sample"):
        Model().fit(np.empty((0, 3)), [])
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :2])
    with pytest.raises(ValueError):
        Model().fit([["a", "b"], ["c", "d"]], y[:2])
    with pytest.raises(ValueError, match="inconsistent"):
        Model().fit(X, y[:-1])
    for bad in (
        {"criterion": "nope"},
        {"max_depth": 0},
        {"min_samples_split": 1},
        {"min_samples_leaf": 0},
        {"min_impurity_decrease": -1.0},
        {"ccp_alpha": -0.1},
        {"max_features": "half"},
        {"max_features": 99},
        {"max_leaf_nodes": 1},
    ):
        with pytest.raises(ValueError):
            Model(**bad).fit(X, y)


def test_classifier_targets():
    X, _ = _noisy_regression(n=20)
    with pytest.raises(ValueError, match="Unknown label type"):
        DecisionTreeClassifier().fit(X, np.linspace(0, 1, 20))
    one = DecisionTreeClassifier().fit(X, np.full(20, "a"))
    assert one.get_n_leaves() == 1 and np.all(one.predict(X) == "a")
    labels = np.where(X[:, 0] > 0, "pos", "neg")
    clf = DecisionTreeClassifier().fit(X, labels)
    assert set(clf.predict(X)) <= {"pos", "neg"} and clf.score(X, labels) == 1.0
    with pytest.raises(ValueError, match="class_weight"):
        DecisionTreeClassifier(class_weight={"zzz": 2}).fit(X, labels)
