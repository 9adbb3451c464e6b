"""Histogram gradient boosting against scikit-learn's HistGradientBoosting* (the oracle), the
losses' derivatives against finite differences, early stopping, missing values, weights, the
compiled engine against the NumPy one, and bad input.

scikit-learn's estimator checks run from tests/test_common.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import datasets
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from lucidml.base import NotFittedError
from lucidml.ensemble import GradientBoostingClassifier, GradientBoostingRegressor, _hist
from lucidml.ensemble._boosting import (
    binary_log_loss,
    binary_log_loss_grad_hess,
    multinomial_log_loss,
    multinomial_log_loss_grad_hess,
    squared_error,
    squared_error_grad_hess,
)
from lucidml.ensemble._hist_compiled import AVAILABLE as NUMBA_AVAILABLE
from tests.gradcheck import numeric_gradient


@pytest.fixture(autouse=True)
def _one_openmp_thread():
    # scikit-learn's HGB spins its OpenMP threads; on a busy 2-core machine that turns a
    # 0.1 s fit into a minute. One thread gives the same trees.
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


# -- against scikit-learn ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, params",
    [
        ("iris", {}),
        ("wine", {}),
        ("breast_cancer", {}),
        ("digits", {"max_iter": 20}),  # 10 trees per iteration: keep the test short
    ],
)
def test_accuracy_matches_sklearn(name: str, params: dict) -> None:
    # Mean held-out accuracy over three stratified splits, so that one tie broken differently
    # (scikit-learn sums gradients in float32) does not decide the comparison.
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    ours, theirs = [], []
    for seed in range(3):
        Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
        ours.append(GradientBoostingClassifier(random_state=0, **params).fit(Xa, ya).score(Xb, yb))
        sk = HistGradientBoostingClassifier(random_state=0, **params).fit(Xa, ya)
        theirs.append(sk.score(Xb, yb))
    assert np.mean(ours) >= np.mean(theirs) - 0.01, (ours, theirs)


def test_r2_matches_sklearn_on_diabetes() -> None:
    X, y = datasets.load_diabetes(return_X_y=True)
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=0)
    ours = GradientBoostingRegressor(random_state=0).fit(Xa, ya)
    sk = HistGradientBoostingRegressor(random_state=0).fit(Xa, ya)
    assert ours.score(Xb, yb) >= sk.score(Xb, yb) - 0.01
    # constant hessian: no float32 ties, so the very same trees are grown
    assert_allclose(ours.predict(Xb), sk.predict(Xb), rtol=1e-6, atol=1e-6)


def test_first_trees_match_sklearn_multiclass() -> None:
    X, y = datasets.load_iris(return_X_y=True)
    ours = GradientBoostingClassifier(max_iter=2).fit(X, y)
    sk = HistGradientBoostingClassifier(max_iter=2).fit(X, y)
    assert_allclose(ours.decision_function(X), sk.decision_function(X), atol=1e-6)
    assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-6)


# -- the boosting loop -------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris", "diabetes"])
def test_training_loss_decreases_every_iteration(dataset: str) -> None:
    X, y = getattr(datasets, f"load_{dataset}")(return_X_y=True)
    est = GradientBoostingRegressor if dataset == "diabetes" else GradientBoostingClassifier
    model = est(max_iter=30).fit(X, y)
    assert model.n_iter_ == 30 and model.train_score_.shape == (31,)
    assert np.all(np.diff(model.train_score_) > 0)  # score = -loss
    # train_score_ is the mean loss of the model's own predictions
    if dataset == "diabetes":
        assert_allclose(-model.train_score_[-1], np.mean(0.5 * (y - model.predict(X)) ** 2))
    else:
        p = model.predict_proba(X)[np.arange(len(y)), np.searchsorted(model.classes_, y)]
        assert_allclose(-model.train_score_[-1], -np.mean(np.log(p)))


def test_staged_predict_ends_at_predict_and_proba_consistent() -> None:
    X, y = datasets.load_wine(return_X_y=True)
    model = GradientBoostingClassifier(max_iter=15).fit(X, y)
    stages = list(model.staged_predict(X))
    assert len(stages) == 15
    assert_array_equal(stages[-1], model.predict(X))
    assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
    Xr, yr = datasets.load_diabetes(return_X_y=True)
    reg = GradientBoostingRegressor(max_iter=5).fit(Xr, yr)
    assert_allclose(list(reg.staged_predict(Xr))[-1], reg.predict(Xr))


def test_binary_string_labels_and_decision_function() -> None:
    X, y = datasets.load_breast_cancer(return_X_y=True)
    labels = np.array(["malignant", "benign"])[y]
    model = GradientBoostingClassifier(max_iter=10).fit(X, labels)
    assert_array_equal(model.classes_, ["benign", "malignant"])
    d = model.decision_function(X)
    assert d.shape == (len(y),)
    assert_allclose(model.predict_proba(X)[:, 1], 1 / (1 + np.exp(-d)))
    assert_array_equal(model.predict(X), model.classes_[(d > 0).astype(int)])


def test_early_stopping_stops() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 5))
    y = (X[:, 0] + rng.normal(scale=2.0, size=600) > 0).astype(int)  # noisy: overfits soon
    model = GradientBoostingClassifier(
        max_iter=500, early_stopping=True, n_iter_no_change=5, random_state=0
    ).fit(X, y)
    assert model.n_iter_ < 500
    assert model.validation_score_.shape == (model.n_iter_ + 1,)
    # it stopped because the last 5 validation scores do not beat the one before them
    ref = model.validation_score_[-6] + model.tol
    assert not np.any(model.validation_score_[-5:] > ref)
    # "auto" keeps it off on small data
    auto = GradientBoostingClassifier(max_iter=40).fit(X, y)
    assert auto.n_iter_ == 40 and auto.validation_score_.size == 0


def test_early_stopping_on_training_loss() -> None:
    X, y = datasets.load_diabetes(return_X_y=True)
    model = GradientBoostingRegressor(
        max_iter=1000, early_stopping=True, validation_fraction=None, tol=1.0
    ).fit(X, y)
    assert model.n_iter_ < 1000 and model.validation_score_.size == 0


def test_max_leaf_nodes_and_depth_are_respected() -> None:
    X, y = datasets.load_diabetes(return_X_y=True)
    model = GradientBoostingRegressor(max_iter=5, max_leaf_nodes=4, min_samples_leaf=5).fit(X, y)
    for (tree,) in model.trees_:
        n_leaves = np.sum(tree["left"] == np.arange(len(tree["left"])))
        assert n_leaves == 4
    model = GradientBoostingRegressor(max_iter=5, max_depth=2, max_leaf_nodes=None).fit(X, y)
    assert max(tree["depth"] for (tree,) in model.trees_) == 2


# -- the losses' derivatives -------------------------------------------------------------------


def test_binary_and_squared_derivatives_vs_finite_differences() -> None:
    rng = np.random.default_rng(0)
    raw = rng.normal(scale=2.0, size=7)
    for loss, grad_hess, y in (
        (binary_log_loss, binary_log_loss_grad_hess, rng.integers(0, 2, 7).astype(float)),
        (squared_error, squared_error_grad_hess, rng.normal(size=7)),
    ):
        g, h = grad_hess(y, raw)
        # each sample's loss depends on its own raw score: the Jacobian is diagonal
        assert_allclose(
            np.diag(numeric_gradient(lambda r, y=y, f=loss: f(y, r), raw)), g, atol=1e-7
        )
        dg = numeric_gradient(lambda r, y=y, f=grad_hess: f(y, r)[0], raw)
        assert_allclose(np.diag(dg), np.broadcast_to(h, raw.shape), atol=1e-7)


def test_multinomial_derivatives_vs_finite_differences() -> None:
    rng = np.random.default_rng(1)
    raw = rng.normal(scale=2.0, size=(5, 4))
    y = rng.integers(0, 4, 5)
    g, h = multinomial_log_loss_grad_hess(y, raw)
    num_g = numeric_gradient(lambda r: multinomial_log_loss(y, r).sum(), raw)
    assert_allclose(num_g, g, atol=1e-7)
    jac = numeric_gradient(lambda r: multinomial_log_loss_grad_hess(y, r)[0], raw)  # (5,4,5,4)
    diag = jac[np.arange(5)[:, None], np.arange(4), np.arange(5)[:, None], np.arange(4)]
    assert_allclose(diag, h, atol=1e-7)
    # and the loss itself is the cross-entropy of the softmax
    p = np.exp(raw) / np.exp(raw).sum(axis=1, keepdims=True)
    assert_allclose(multinomial_log_loss(y, raw), -np.log(p[np.arange(5), y]))


# -- bad input ---------------------------------------------------------------------------------


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    return X, (X[:, 0] > 0).astype(int)


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinite_input_is_refused(data: tuple, bad: float) -> None:
    X, y = data
    X = X.copy()
    X[3, 1] = bad
    with pytest.raises(ValueError, match="infinity"):
        GradientBoostingClassifier(max_iter=2).fit(X, y)
    model = GradientBoostingClassifier(max_iter=2).fit(data[0], y)
    with pytest.raises(ValueError, match="infinity"):
        model.predict(X)
    with pytest.raises(ValueError, match="NaN|infinity"):
        GradientBoostingRegressor(max_iter=2).fit(data[0], np.where(y > 0, np.nan, 0.0))


def test_bad_weights(data: tuple) -> None:
    X, y = data
    with pytest.raises(ValueError, match="sample_weight.shape"):
        GradientBoostingClassifier(max_iter=2).fit(X, y, sample_weight=np.ones(5))
    with pytest.raises(ValueError, match="Negative"):
        GradientBoostingRegressor(max_iter=2).fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="class_weight"):
        GradientBoostingClassifier(max_iter=2, class_weight="even").fit(X, y)
    with pytest.raises(ValueError, match="not in y"):
        GradientBoostingClassifier(max_iter=2, class_weight={7: 2.0}).fit(X, y)


def test_bad_input(data: tuple) -> None:
    X, y = data
    with pytest.raises(ValueError, match="0 sample"):
        GradientBoostingClassifier().fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="2D array"):
        GradientBoostingRegressor().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="only one class"):
        GradientBoostingClassifier().fit(X, np.zeros(len(y)))
    with pytest.raises(ValueError, match="Unknown label type"):
        GradientBoostingClassifier().fit(X, X[:, 0])
    with pytest.raises(ValueError):
        GradientBoostingClassifier().fit(np.array([["a", "b", "c"]] * 60), y)
    with pytest.raises(NotFittedError):
        GradientBoostingClassifier().predict(X)
    model = GradientBoostingClassifier(max_iter=2).fit(X, y)
    with pytest.raises(ValueError, match="expecting 3 features"):
        model.predict(X[:, :2])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"loss": "hinge"}, "loss"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"max_iter": 0}, "max_iter"),
        ({"max_leaf_nodes": 1}, "max_leaf_nodes"),
        ({"min_samples_leaf": 0}, "min_samples_leaf"),
        ({"max_bins": 256}, "max_bins"),
        ({"l2_regularization": -1.0}, "l2_regularization"),
        ({"early_stopping": "yes"}, "early_stopping"),
        ({"validation_fraction": 1.5, "early_stopping": True}, "validation_fraction"),
    ],
)
def test_bad_parameters(data: tuple, params: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        GradientBoostingClassifier(**params).fit(*data)


# -- missing values ----------------------------------------------------------------------------


def _plant_missing(X: np.ndarray, rate: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = X.copy()
    X[rng.random(X.shape) < rate] = np.nan
    return X


def test_missing_values_regression_matches_sklearn_tree_for_tree() -> None:
    # constant hessian: the same bins, the same gains, so the same trees, NaN sides included
    X, y = datasets.load_diabetes(return_X_y=True)
    X = _plant_missing(X, 0.2, 0)
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=0)
    params = {"max_iter": 30, "random_state": 0}
    ours = GradientBoostingRegressor(**params).fit(Xa, ya)
    sk = HistGradientBoostingRegressor(**params).fit(Xa, ya)
    assert_allclose(ours.predict(Xb), sk.predict(Xb), rtol=1e-6, atol=1e-6)


def test_missing_values_classification_accuracy_matches_sklearn() -> None:
    X, y = datasets.load_breast_cancer(return_X_y=True)
    # informative missingness: a large value of the most useful feature goes missing
    X = _plant_missing(X, 0.15, 1)
    X[X[:, 22] > np.nanpercentile(X[:, 22], 80), 22] = np.nan
    ours, theirs = [], []
    for seed in range(3):
        Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=seed, stratify=y)
        ours.append(GradientBoostingClassifier(random_state=0).fit(Xa, ya).score(Xb, yb))
        sk = HistGradientBoostingClassifier(random_state=0).fit(Xa, ya)
        theirs.append(sk.score(Xb, yb))
    assert np.mean(ours) >= np.mean(theirs) - 0.01, (ours, theirs)


def test_missing_direction_is_learned() -> None:
    # y is 1 exactly where x0 is missing: one split, missing values sent to their own side
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    miss = rng.random(300) < 0.4
    X[miss, 0] = np.nan
    model = GradientBoostingClassifier(max_iter=20, max_depth=1).fit(X, miss.astype(int))
    assert model.score(X, miss.astype(int)) == 1.0
    tree = model.trees_[0][0]
    assert tree["feature"][0] == 0 and np.isinf(tree["threshold"][0])  # all observed values left
    assert not tree["missing_left"][0]


def test_unseen_missing_values_at_predict_follow_sklearn() -> None:
    X, y = datasets.load_diabetes(return_X_y=True)
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=0)
    params = {"max_iter": 20, "random_state": 0}
    ours = GradientBoostingRegressor(**params).fit(Xa, ya)  # no NaN in training
    sk = HistGradientBoostingRegressor(**params).fit(Xa, ya)
    Xm = _plant_missing(Xb, 0.3, 2)
    Xm[0] = np.nan  # a row with nothing observed
    pred = ours.predict(Xm)
    assert np.all(np.isfinite(pred))
    assert_allclose(pred, sk.predict(Xm), rtol=1e-6, atol=1e-6)


# -- weights -----------------------------------------------------------------------------------


def _weighted_problem(kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # few distinct values per feature: the bin edges are the same with repeated rows
    rng = np.random.default_rng(3)
    X = rng.integers(0, 40, size=(200, 4)).astype(float)
    X[rng.random(X.shape) < 0.1] = np.nan
    score = np.nan_to_num(X[:, 0] - X[:, 1] + 0.5 * X[:, 2], nan=5.0) + rng.normal(0, 8, 200)
    if kind == "regression":
        y = score
    elif kind == "binary":
        y = (score > 0).astype(int)
    else:
        y = np.digitize(score, [-10, 10])
    w = rng.integers(0, 4, size=200)
    return X, y, w


@pytest.mark.parametrize("kind", ["regression", "binary", "multiclass"])
def test_integer_weights_equal_repeated_rows(kind: str) -> None:
    X, y, w = _weighted_problem(kind)
    est = GradientBoostingRegressor if kind == "regression" else GradientBoostingClassifier
    params = {"max_iter": 15, "min_samples_leaf": 1, "early_stopping": False}
    weighted = est(**params).fit(X, y, sample_weight=w)
    repeated = est(**params).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    # on the training rows: two splits that cut them alike may trade places by one rounding
    # error, and then a row of weight 0, never seen, can fall on either side
    seen = X[w > 0]
    if kind == "regression":
        assert_allclose(weighted.predict(seen), repeated.predict(seen), rtol=1e-9, atol=1e-9)
    else:
        assert_allclose(weighted.predict_proba(seen), repeated.predict_proba(seen), atol=1e-9)
    assert_allclose(weighted.train_score_, repeated.train_score_, rtol=1e-9)


def test_class_weight_is_a_sample_weight_per_class() -> None:
    X, y, _ = _weighted_problem("multiclass")
    params = {"max_iter": 10, "early_stopping": False}
    n_k = np.bincount(y)
    balanced = GradientBoostingClassifier(class_weight="balanced", **params).fit(X, y)
    by_hand = GradientBoostingClassifier(**params).fit(X, y, sample_weight=(200 / (3 * n_k))[y])
    assert_allclose(balanced.decision_function(X), by_hand.decision_function(X))
    cw = {0: 2.0, 2: 0.5}
    sw = np.array([2.0, 1.0, 0.5])[y] * np.arange(1, 201) / 100
    as_dict = GradientBoostingClassifier(class_weight=cw, **params)
    as_dict.fit(X, y, sample_weight=np.arange(1, 201) / 100)
    by_hand = GradientBoostingClassifier(**params).fit(X, y, sample_weight=sw)
    assert_allclose(as_dict.decision_function(X), by_hand.decision_function(X))


def test_balanced_class_weight_raises_minority_recall() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 3))
    y = (X[:, 0] + rng.normal(scale=1.0, size=600) > 1.6).astype(int)  # about 10% positives
    plain = GradientBoostingClassifier(max_iter=30).fit(X, y)
    balanced = GradientBoostingClassifier(max_iter=30, class_weight="balanced").fit(X, y)
    recall = [np.mean(m.predict(X)[y == 1] == 1) for m in (plain, balanced)]
    assert recall[1] > recall[0] + 0.1, recall


# -- compiled engine against NumPy -------------------------------------------------------------


@pytest.mark.skipif(not NUMBA_AVAILABLE, reason="numba is not installed")
@pytest.mark.parametrize("kind", ["regression", "binary", "multiclass"])
def test_compiled_and_numpy_engines_grow_identical_models(kind: str, monkeypatch) -> None:
    X, y, w = _weighted_problem(kind)
    X = X + np.random.default_rng(0).normal(scale=0.01, size=X.shape)  # many distinct values
    est = GradientBoostingRegressor if kind == "regression" else GradientBoostingClassifier
    params = {"max_iter": 8, "max_bins": 64, "min_samples_leaf": 5, "l2_regularization": 0.5}
    fits = []
    for compiled in (True, False):
        monkeypatch.setattr(_hist, "USE_COMPILED", compiled)
        model = est(**params, early_stopping=True, validation_fraction=0.2, random_state=0)
        fits.append(model.fit(X, y, sample_weight=w))
        raw = model._raw_predict(X)
        fits.append(raw)
    (a, raw_a), (b, raw_b) = fits[:2], fits[2:]
    assert a.n_iter_ == b.n_iter_
    for it_a, it_b in zip(a.trees_, b.trees_, strict=True):
        for ta, tb in zip(it_a, it_b, strict=True):
            assert ta.keys() == tb.keys()
            for key in ta:
                assert_array_equal(ta[key], tb[key], err_msg=key)
    assert_array_equal(raw_a, raw_b)
    assert_array_equal(a.train_score_, b.train_score_)
    assert_array_equal(a.validation_score_, b.validation_score_)
