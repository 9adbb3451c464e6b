"""VotingClassifier / VotingRegressor against the formulas by hand and scikit-learn's versions."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_iris
from sklearn.ensemble import VotingClassifier as SkVotingClassifier
from sklearn.ensemble import VotingRegressor as SkVotingRegressor
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.naive_bayes import GaussianNB as SkGaussianNB

from lucidml.base import NotFittedError, clone
from lucidml.ensemble import VotingClassifier, VotingRegressor
from lucidml.linear_model import LinearRegression, LogisticRegression, Ridge
from lucidml.naive_bayes import GaussianNB
from lucidml.neighbors import KNeighborsClassifier, KNeighborsRegressor


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X, y


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X[:200], y[:200]


def _members():
    return [
        ("lr", LogisticRegression(max_iter=1000)),
        ("nb", GaussianNB()),
        ("knn", KNeighborsClassifier(n_neighbors=3)),
    ]


@pytest.mark.parametrize("weights", [None, [2.0, 1.0, 0.5]])
def test_soft_vote_is_the_weighted_mean_of_member_probabilities(iris, weights):
    X, y = iris
    vote = VotingClassifier(_members(), voting="soft", weights=weights).fit(X, y)
    probas = np.stack([clone(e).fit(X, y).predict_proba(X) for _, e in _members()])
    w = np.ones(3) if weights is None else np.asarray(weights)
    expected = (w[:, None, None] * probas).sum(axis=0) / w.sum()
    np.testing.assert_allclose(vote.predict_proba(X), expected, rtol=1e-14, atol=1e-15)
    np.testing.assert_array_equal(vote.predict(X), np.argmax(expected, axis=1))
    np.testing.assert_allclose(vote.predict_proba(X).sum(axis=1), 1.0)


def test_hard_vote_is_the_weighted_majority_by_hand(iris):
    X, y = iris
    labels = np.array(["setosa", "versicolor", "virginica"])[y]  # string labels round-trip
    rng = np.random.default_rng(0)
    Xn = X + rng.normal(scale=0.5, size=X.shape)  # noise so the members disagree somewhere
    weights = [1.0, 1.0, 1.5]
    vote = VotingClassifier(_members(), weights=weights).fit(Xn, labels)
    preds = np.stack([clone(e).fit(Xn, labels).predict(Xn) for _, e in _members()])
    classes = np.unique(labels)
    counts = np.stack([(np.asarray(weights)[:, None] * (preds == c)).sum(axis=0) for c in classes])
    expected = classes[np.argmax(counts, axis=0)]
    assert np.any(preds[0] != preds[2])  # the test means something only if they disagree
    np.testing.assert_array_equal(vote.predict(Xn), expected)
    np.testing.assert_array_equal(vote.classes_, classes)
    assert not hasattr(vote, "predict_proba")


@pytest.mark.parametrize("voting", ["hard", "soft"])
@pytest.mark.parametrize("weights", [None, [1.0, 3.0, 1.0]])
def test_classifier_equals_sklearn_with_the_same_members(iris, voting, weights):
    X, y = iris
    rng = np.random.default_rng(1)
    Xn = X + rng.normal(scale=0.4, size=X.shape)
    ours = VotingClassifier(_members(), voting=voting, weights=weights).fit(Xn, y)
    theirs = SkVotingClassifier(_members(), voting=voting, weights=weights).fit(Xn, y)
    np.testing.assert_array_equal(ours.predict(Xn), theirs.predict(Xn))
    np.testing.assert_allclose(ours.transform(Xn), theirs.transform(Xn), rtol=1e-12)
    np.testing.assert_array_equal(ours.get_feature_names_out(), theirs.get_feature_names_out())
    if voting == "soft":
        np.testing.assert_allclose(ours.predict_proba(Xn), theirs.predict_proba(Xn), rtol=1e-12)
        unflat = ours.set_params(flatten_transform=False).transform(Xn)
        assert unflat.shape == (3, Xn.shape[0], 3)


def test_sklearn_members_work_and_match_sklearn(iris):
    X, y = iris
    members = [("lr", SkLogisticRegression(max_iter=500)), ("nb", SkGaussianNB())]
    ours = VotingClassifier(members, voting="soft").fit(X, y)
    theirs = SkVotingClassifier(members, voting="soft").fit(X, y)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-12)
    assert ours.named_estimators_["lr"] is not members[0][1]  # members are cloned


@pytest.mark.parametrize("weights", [None, [1.0, 2.0, 0.5]])
def test_regressor_equals_weighted_mean_and_sklearn(diabetes, weights):
    X, y = diabetes
    members = [
        ("ols", LinearRegression()),
        ("ridge", Ridge(alpha=0.1)),
        ("knn", KNeighborsRegressor(n_neighbors=4)),
    ]
    ours = VotingRegressor(members, weights=weights).fit(X, y)
    theirs = SkVotingRegressor(members, weights=weights).fit(X, y)
    preds = np.column_stack([clone(e).fit(X, y).predict(X) for _, e in members])
    w = np.ones(3) if weights is None else np.asarray(weights)
    np.testing.assert_allclose(ours.predict(X), preds @ w / w.sum(), rtol=1e-12)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-12)
    np.testing.assert_allclose(ours.transform(X), preds, rtol=1e-12)
    np.testing.assert_array_equal(ours.get_feature_names_out(), theirs.get_feature_names_out())


def test_params_nested_replace_and_drop(iris):
    X, y = iris
    vote = VotingClassifier(_members(), voting="soft", weights=[1.0, 2.0, 3.0])
    params = vote.get_params()
    assert params["lr"] is vote.estimators[0][1]
    assert params["knn__n_neighbors"] == 3
    vote.set_params(knn__n_neighbors=5)
    assert vote.estimators[2][1].n_neighbors == 5
    vote.set_params(lr="drop").fit(X, y)
    assert len(vote.estimators_) == 2 and vote.named_estimators_["lr"] == "drop"
    # Dropped members take their weight with them: the mean of nb (w=2) and knn (w=3).
    nb = GaussianNB().fit(X, y).predict_proba(X)
    knn = KNeighborsClassifier(n_neighbors=5).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(vote.predict_proba(X), (2 * nb + 3 * knn) / 5, rtol=1e-14)
    new = GaussianNB(var_smoothing=1e-3)
    vote.set_params(nb=new)
    assert vote.get_params()["nb"] is new
    assert clone(vote).get_params()["nb__var_smoothing"] == 1e-3


def test_parallel_members_give_the_same_answer(iris):
    X, y = iris
    serial = VotingClassifier(_members(), voting="soft").fit(X, y).predict_proba(X)
    parallel = VotingClassifier(_members(), voting="soft", n_jobs=2).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(serial, parallel)


def test_sample_weight_reaches_members(iris):
    X, y = iris
    sw = np.random.default_rng(0).uniform(0.1, 2.0, size=len(y))
    members = [("lr", LogisticRegression()), ("nb", GaussianNB())]
    vote = VotingClassifier(members, voting="soft").fit(X, y, sample_weight=sw)
    expected = np.mean(
        [clone(e).fit(X, y, sample_weight=sw).predict_proba(X) for _, e in members], 0
    )
    np.testing.assert_allclose(vote.predict_proba(X), expected, rtol=1e-14)
    with pytest.raises(TypeError, match="does not support sample weights"):
        VotingClassifier(_members()).fit(X, y, sample_weight=sw)


@pytest.mark.parametrize(
    "X_bad, match",
    [
        (np.array([[np.nan, 1.0], [1.0, 2.0]]), "NaN"),
        (np.array([[np.inf, 1.0], [1.0, 2.0]]), "infinity"),
        (np.empty((0, 2)), "0 sample"),
        (np.array([["a", "b"], ["c", "d"]]), "convert"),
        (np.array([1.0, 2.0]), "2D array"),
    ],
)
@pytest.mark.parametrize("cls", [VotingClassifier, VotingRegressor])
def test_bad_X_is_refused(cls, X_bad, match):
    members = _members()[:2] if cls is VotingClassifier else [("ols", LinearRegression())]
    with pytest.raises(ValueError, match=match):
        cls(members).fit(X_bad, np.arange(len(X_bad)) % 2)


def test_wrong_feature_count_and_unfitted(iris):
    X, y = iris
    vote = VotingClassifier(_members())
    with pytest.raises(NotFittedError):
        vote.predict(X)
    vote.fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features"):
        vote.predict(X[:, :3])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(estimators=[]), ValueError, "non-empty list"),
        (dict(estimators=[("a", GaussianNB()), ("a", GaussianNB())]), ValueError, "not unique"),
        (dict(estimators=[("a", "drop")]), ValueError, "All estimators are dropped"),
        (dict(estimators=[("a", LinearRegression())]), ValueError, "should be a classifier"),
        (dict(estimators=[("a", GaussianNB())], voting="median"), ValueError, "Voting must be"),
        (dict(estimators=[("a", GaussianNB())], weights=[1, 2]), ValueError, "weights"),
        (dict(estimators=[("a", 3)]), TypeError, "estimator instance"),
        (dict(estimators=[("voting", GaussianNB())]), ValueError, "conflict"),
    ],
)
def test_bad_parameters_are_refused(iris, kwargs, error, match):
    X, y = iris
    with pytest.raises(error, match=match):
        VotingClassifier(**kwargs).fit(X, y)


def test_bad_targets_are_refused(iris):
    X, y = iris
    with pytest.raises(ValueError, match="Unknown label type"):
        VotingClassifier(_members()).fit(X, y + 0.5)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        VotingClassifier(_members()).fit(X, y[:-1])
    with pytest.raises(ValueError, match="should be a regressor"):
        VotingRegressor([("nb", GaussianNB())]).fit(X, y.astype(float))
