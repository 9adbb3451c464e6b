"""Bagging against hand-computed oracles: member averages, bootstrap bookkeeping, OOB estimates."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from lucidml.base import NotFittedError, clone
from lucidml.ensemble import BaggingClassifier, BaggingRegressor
from lucidml.naive_bayes import GaussianNB
from lucidml.neighbors import KNeighborsClassifier, KNeighborsRegressor


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return train_test_split(X, y, test_size=0.4, random_state=0, stratify=y)


def _noisy_sine(n, seed):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-3, 3, size=(n, 3))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] + rng.normal(scale=0.5, size=n)
    return X, y


def _oob_mask(rows, n):
    mask = np.ones(n, dtype=bool)
    mask[rows] = False
    return mask


# -- out-of-bag estimates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "member",
    [GaussianNB(), KNeighborsClassifier(n_neighbors=5)],
    ids=["gaussian_nb", "knn"],
)
def test_oob_score_tracks_held_out_accuracy(cancer, member):
    X_tr, X_te, y_tr, y_te = cancer
    bag = BaggingClassifier(member, n_estimators=30, oob_score=True, random_state=0)
    bag.fit(X_tr, y_tr)
    held_out = bag.score(X_te, y_te)
    assert held_out > 0.85
    assert abs(bag.oob_score_ - held_out) < 0.04


def test_oob_decision_function_is_mean_over_members_that_did_not_see_the_row(cancer):
    X, _, y, _ = cancer
    bag = BaggingClassifier(
        GaussianNB(), n_estimators=12, max_features=0.5, oob_score=True, random_state=3
    ).fit(X, y)
    n = len(y)
    total, count = np.zeros((n, 2)), np.zeros(n)
    for est, rows, feats in zip(bag.estimators_, bag.estimators_samples_, bag.estimators_features_):
        oob = _oob_mask(rows, n)
        total[oob] += est.predict_proba(X[oob][:, feats])
        count[oob] += 1
    covered = count > 0
    expected = total[covered] / count[covered, None]
    np.testing.assert_allclose(bag.oob_decision_function_[covered], expected, rtol=1e-12)
    assert np.all(np.isnan(bag.oob_decision_function_[~covered]))
    acc = np.mean(bag.classes_[expected.argmax(1)] == y[covered])
    assert bag.oob_score_ == pytest.approx(acc)


def test_oob_prediction_regressor_matches_hand_computation():
    from lucidml.metrics import r2_score

    X, y = _noisy_sine(300, 0)
    bag = BaggingRegressor(
        KNeighborsRegressor(n_neighbors=3), n_estimators=15, oob_score=True, random_state=1
    ).fit(X, y)
    n = len(y)
    total, count = np.zeros(n), np.zeros(n)
    for est, rows, feats in zip(bag.estimators_, bag.estimators_samples_, bag.estimators_features_):
        oob = _oob_mask(rows, n)
        total[oob] += est.predict(X[oob][:, feats])
        count[oob] += 1
    assert np.all(count > 0)  # 15 members: every row is out of bag somewhere
    np.testing.assert_allclose(bag.oob_prediction_, total / count, rtol=1e-12)
    assert bag.oob_score_ == pytest.approx(r2_score(y, total / count))


def test_rows_never_out_of_bag_warn_and_are_nan():
    X, y = _noisy_sine(40, 1)
    with pytest.warns(UserWarning, match="do not have OOB scores"):
        bag = BaggingRegressor(n_estimators=1, oob_score=True, random_state=0).fit(X, y)
    in_bag = ~_oob_mask(bag.estimators_samples_[0], len(y))
    assert np.all(np.isnan(bag.oob_prediction_[in_bag]))
    assert np.all(np.isfinite(bag.oob_prediction_[~in_bag]))


# -- the aggregate is the members' mean / vote ---------------------------------------------------


def test_classifier_probabilities_are_mean_of_members(cancer):
    X_tr, X_te, y_tr, _ = cancer
    bag = BaggingClassifier(
        GaussianNB(), n_estimators=7, max_features=0.4, bootstrap_features=True, random_state=0
    ).fit(X_tr, y_tr)
    probs = [e.predict_proba(X_te[:, f]) for e, f in zip(bag.estimators_, bag.estimators_features_)]
    expected = np.mean(probs, axis=0)
    np.testing.assert_allclose(bag.predict_proba(X_te), expected, rtol=1e-12)
    np.testing.assert_array_equal(bag.predict(X_te), bag.classes_[expected.argmax(1)])


def test_members_without_predict_proba_vote():
    from sklearn.linear_model import Perceptron

    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))
    y = np.array(["a", "b", "c"])[np.argmax(X[:, :3], axis=1)]
    bag = BaggingClassifier(Perceptron(), n_estimators=9, random_state=0).fit(X, y)
    votes = np.zeros((150, 3))
    for est in bag.estimators_:
        votes[np.arange(150), est.predict(X)] += 1
    np.testing.assert_allclose(bag.predict_proba(X), votes / 9)
    np.testing.assert_array_equal(bag.predict(X), bag.classes_[votes.argmax(1)])
    assert set(bag.predict(X)) <= {"a", "b", "c"}


def test_member_missing_a_class_fills_zero_column():
    X = np.r_[np.zeros((20, 1)), np.ones((20, 1)), np.full((2, 1), 2.0)]
    y = np.r_[np.zeros(20), np.ones(20), [2, 2]]
    bag = BaggingClassifier(GaussianNB(), n_estimators=20, max_samples=10, random_state=0)
    bag.fit(X, y)
    proba = bag.predict_proba(X)
    assert proba.shape == (42, 3)
    np.testing.assert_allclose(proba.sum(1), 1.0)
    assert any(len(e.classes_) < 3 for e in bag.estimators_)


def test_regressor_prediction_is_mean_of_members_with_sklearn_members():
    from sklearn.tree import DecisionTreeRegressor

    X, y = _noisy_sine(200, 2)
    bag = BaggingRegressor(
        DecisionTreeRegressor(max_depth=4), n_estimators=8, max_features=2, random_state=0
    ).fit(X, y)
    expected = np.mean(
        [e.predict(X[:, f]) for e, f in zip(bag.estimators_, bag.estimators_features_)], axis=0
    )
    np.testing.assert_allclose(bag.predict(X), expected, rtol=1e-12)
    # members received their own derived random states
    states = {e.random_state for e in bag.estimators_}
    assert len(states) == 8


def test_weighted_member_equals_member_fitted_on_repeated_rows(cancer):
    X, _, y, _ = cancer
    bag = BaggingClassifier(GaussianNB(), n_estimators=3, random_state=0).fit(X, y)
    for est, rows, feats in zip(bag.estimators_, bag.estimators_samples_, bag.estimators_features_):
        ref = GaussianNB().fit(X[rows][:, feats], np.searchsorted(bag.classes_, y[rows]))
        np.testing.assert_allclose(est.theta_, ref.theta_, rtol=1e-9)
        # var_smoothing's epsilon is taken from the unweighted spread of the rows seen, so it
        # differs; the fitted variances themselves agree
        np.testing.assert_allclose(est.var_ - est.epsilon_, ref.var_ - ref.epsilon_, rtol=1e-7)
        np.testing.assert_allclose(est.class_prior_, ref.class_prior_, rtol=1e-12)


# -- bootstrap bookkeeping -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, n_rows, n_feats, unique_rows",
    [
        (dict(), 100, 6, False),
        (dict(max_samples=0.5, max_features=0.5), 50, 3, False),
        (dict(max_samples=30, max_features=4, bootstrap=False), 30, 4, True),
        (dict(bootstrap=False), 100, 6, True),
        (dict(max_features=6, bootstrap_features=True), 100, 6, False),
    ],
)
def test_bootstrap_index_sets_have_the_right_sizes(params, n_rows, n_feats, unique_rows):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 6))
    y = X[:, 0] + rng.normal(size=100)
    bag = BaggingRegressor(KNeighborsRegressor(), n_estimators=5, random_state=0, **params)
    bag.fit(X, y)
    assert len(bag.estimators_) == len(bag.estimators_samples_) == 5
    for rows, feats in zip(bag.estimators_samples_, bag.estimators_features_):
        assert rows.shape == (n_rows,) and feats.shape == (n_feats,)
        assert rows.min() >= 0 and rows.max() < 100 and feats.max() < 6
        if unique_rows:
            assert len(np.unique(rows)) == n_rows
        if not params.get("bootstrap_features"):
            assert len(np.unique(feats)) == n_feats
    if params.get("bootstrap", True) and n_rows == 100:
        # with replacement: about e^-1 of the rows are out of bag, and repeats occur
        frac = np.mean([_oob_mask(r, 100).mean() for r in bag.estimators_samples_])
        assert 0.25 < frac < 0.5
    if params.get("bootstrap_features"):
        assert any(len(np.unique(f)) < 6 for f in bag.estimators_features_)


# -- variance reduction ---------------------------------------------------------------------------


def test_bagging_a_1nn_regressor_lowers_held_out_error():
    X, y = _noisy_sine(400, 3)
    X_te, y_te = _noisy_sine(400, 4)
    single = KNeighborsRegressor(n_neighbors=1).fit(X, y)
    bag = BaggingRegressor(KNeighborsRegressor(n_neighbors=1), n_estimators=30, random_state=0)
    bag.fit(X, y)
    mse_single = np.mean((single.predict(X_te) - y_te) ** 2)
    mse_bag = np.mean((bag.predict(X_te) - y_te) ** 2)
    assert mse_bag < 0.8 * mse_single


# -- reproducibility, warm start, n_jobs ----------------------------------------------------------


def test_reproducible_with_random_state():
    X, y = _noisy_sine(120, 5)
    kw = dict(n_estimators=20, max_features=0.7, oob_score=True)
    a = BaggingRegressor(KNeighborsRegressor(), random_state=7, **kw).fit(X, y)
    b = BaggingRegressor(KNeighborsRegressor(), random_state=7, **kw).fit(X, y)
    c = BaggingRegressor(KNeighborsRegressor(), random_state=8, **kw).fit(X, y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    for ra, rb in zip(a.estimators_samples_, b.estimators_samples_):
        np.testing.assert_array_equal(ra, rb)
    assert a.oob_score_ == b.oob_score_
    assert not np.array_equal(a.predict(X), c.predict(X))
    gen = BaggingRegressor(KNeighborsRegressor(), random_state=np.random.default_rng(7))
    assert gen.fit(X, y).predict(X).shape == (120,)


def test_warm_start_continues_the_same_sequence():
    X, y = _noisy_sine(100, 6)
    cold = BaggingRegressor(KNeighborsRegressor(), n_estimators=10, random_state=0).fit(X, y)
    warm = BaggingRegressor(
        KNeighborsRegressor(), n_estimators=4, warm_start=True, random_state=0
    ).fit(X, y)
    first = warm.estimators_[0]
    warm.set_params(n_estimators=10).fit(X, y)
    assert warm.estimators_[0] is first and len(warm.estimators_) == 10
    np.testing.assert_allclose(warm.predict(X), cold.predict(X), rtol=1e-12)
    with pytest.warns(UserWarning, match="without increasing n_estimators"):
        warm.fit(X, y)
    with pytest.raises(ValueError, match="must be larger or equal"):
        warm.set_params(n_estimators=3).fit(X, y)


def test_n_jobs_gives_the_same_ensemble(cancer):
    pytest.importorskip("joblib")
    X, X_te, y, _ = cancer
    a = BaggingClassifier(GaussianNB(), n_estimators=4, random_state=0).fit(X, y)
    b = BaggingClassifier(GaussianNB(), n_estimators=4, random_state=0, n_jobs=2).fit(X, y)
    np.testing.assert_allclose(a.predict_proba(X_te), b.predict_proba(X_te), rtol=1e-12)


def test_comparable_to_sklearn_bagging(cancer):
    from sklearn.ensemble import BaggingClassifier as SkBagging
    from sklearn.naive_bayes import GaussianNB as SkGaussianNB

    X_tr, X_te, y_tr, y_te = cancer
    ours = BaggingClassifier(GaussianNB(), n_estimators=20, random_state=0).fit(X_tr, y_tr)
    theirs = SkBagging(SkGaussianNB(), n_estimators=20, random_state=0).fit(X_tr, y_tr)
    assert abs(ours.score(X_te, y_te) - theirs.score(X_te, y_te)) < 0.03


def test_clone_and_default_member():
    X, y = _noisy_sine(60, 7)
    bag = BaggingClassifier(random_state=0)
    assert clone(bag).get_params() == bag.get_params()
    bag.fit(X, (y > 0).astype(int))
    assert bag.estimator is None and hasattr(bag.estimator_, "fit")
    assert bag.n_features_in_ == 3 and bag.n_classes_ == 2


# -- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [BaggingClassifier, BaggingRegressor])
@pytest.mark.parametrize(
    "params, err, match",
    [
        (dict(n_estimators=0), ValueError, "n_estimators"),
        (dict(n_estimators=2.5), ValueError, "n_estimators"),
        (dict(max_samples=1.5), ValueError, "max_samples"),
        (dict(max_samples=0.0), ValueError, "max_samples"),
        (dict(max_samples=1000), ValueError, "max_samples"),
        (dict(max_samples="all"), TypeError, "max_samples"),
        (dict(max_features=0), ValueError, "max_features"),
        (dict(max_features=7), ValueError, "max_features"),
        (dict(bootstrap="yes"), TypeError, "bootstrap"),
        (dict(oob_score=True, bootstrap=False), ValueError, "bootstrap=True"),
        (dict(oob_score=True, warm_start=True), ValueError, "warm_start=False"),
        (dict(estimator="tree"), TypeError, "fit method"),
        (dict(n_jobs="2"), TypeError, "n_jobs"),
    ],
)
def test_bad_parameters(cls, params, err, match):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 6)), np.tile([0, 1], 15)
    with pytest.raises(err, match=match):
        cls(**params).fit(X, y)


@pytest.mark.parametrize("cls", [BaggingClassifier, BaggingRegressor])
def test_bad_data(cls):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)), np.tile([0, 1], 15)
    for bad in (np.nan, np.inf):
        Xb = X.copy()
        Xb[3, 1] = bad
        with pytest.raises(ValueError, match="NaN|infinity"):
            cls().fit(Xb, y)
    with pytest.raises(ValueError):
        cls().fit(np.empty((0, 3)), np.empty(0))
    with pytest.raises(ValueError):
        cls().fit(X[:, 0], y)  # 1-D X
    with pytest.raises(ValueError, match="inconsistent"):
        cls().fit(X, y[:-1])
    with pytest.raises(ValueError):
        cls().fit(np.full((30, 3), "a"), y)
    with pytest.raises(NotFittedError):
        cls().predict(X)
    est = cls(random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features"):
        est.predict(X[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        est.predict(np.full((2, 3), np.nan))


def test_classifier_refuses_continuous_target_and_works_with_string_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    with pytest.raises(ValueError, match="Unknown label type"):
        BaggingClassifier().fit(X, X[:, 0])
    y = np.where(X[:, 0] > 0, "pos", "neg")
    bag = BaggingClassifier(random_state=0).fit(X, y)
    np.testing.assert_array_equal(bag.classes_, ["neg", "pos"])
    assert bag.score(X, y) > 0.9


def test_regressor_refuses_string_target():
    X = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises(ValueError):
        BaggingRegressor().fit(X, np.array(["a"] * 10))
