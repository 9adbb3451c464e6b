"""StackingClassifier and StackingRegressor: out-of-fold meta-features, against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import StackingClassifier as SkStackingClassifier
from sklearn.ensemble import StackingRegressor as SkStackingRegressor
from sklearn.model_selection import KFold, StratifiedKFold

from lucidml.base import NotFittedError, clone
from lucidml.ensemble import StackingClassifier, StackingRegressor
from lucidml.linear_model import LinearRegression, LogisticRegression, Ridge
from lucidml.model_selection import cross_val_predict
from lucidml.naive_bayes import GaussianNB
from lucidml.neighbors import KNeighborsClassifier, KNeighborsRegressor


def _members():
    return [
        ("lr", LogisticRegression(max_iter=1000)),
        ("nb", GaussianNB()),
        ("knn", KNeighborsClassifier(n_neighbors=5)),
    ]


@pytest.mark.parametrize("dataset", ["iris", "cancer"])
@pytest.mark.parametrize("stack_method", ["auto", "predict"])
@pytest.mark.parametrize("passthrough", [False, True])
def test_classifier_equals_sklearn(dataset, stack_method, passthrough):
    X, y = (load_iris if dataset == "iris" else load_breast_cancer)(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    cv = StratifiedKFold(4, shuffle=True, random_state=0)
    kw = dict(cv=cv, stack_method=stack_method, passthrough=passthrough)
    final = LogisticRegression(max_iter=1000)
    ours = StackingClassifier(_members(), final, **kw).fit(X, y)
    theirs = SkStackingClassifier(_members(), final, **kw).fit(X, y)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-6, atol=1e-9)
    assert ours.stack_method_ == list(theirs.stack_method_)


def test_regressor_equals_sklearn():
    X, y = load_diabetes(return_X_y=True)
    members = [("ols", LinearRegression()), ("knn", KNeighborsRegressor(n_neighbors=7))]
    cv = KFold(5, shuffle=True, random_state=0)
    ours = StackingRegressor(members, Ridge(alpha=1.0), cv=cv).fit(X, y)
    theirs = SkStackingRegressor(members, Ridge(alpha=1.0), cv=cv).fit(X, y)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-10)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-8)
    assert isinstance(StackingRegressor(members).fit(X, y).final_estimator_, Ridge)


def test_meta_model_is_fitted_on_out_of_fold_predictions_only():
    X, y = load_iris(return_X_y=True)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=1).split(X, y))
    stack = StackingClassifier(_members(), cv=folds).fit(X, y)
    oof = np.hstack(
        [cross_val_predict(e, X, y, cv=folds, method="predict_proba") for _, e in _members()]
    )
    by_hand = LogisticRegression().fit(oof, y)
    np.testing.assert_allclose(stack.final_estimator_.coef_, by_hand.coef_, rtol=1e-10)
    assert isinstance(stack.final_estimator_, LogisticRegression)
    assert stack.stack_method_ == ["predict_proba"] * 3


def test_a_memorising_member_does_not_fool_the_meta_model():
    # Noisy labels: 1-NN is perfect on its own training set but poor on new data.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 4))
    y = (X[:, 0] + X[:, 1] + rng.normal(scale=1.0, size=600) > 0).astype(int)
    Xtr, ytr, Xte, yte = X[:400], y[:400], X[400:], y[400:]
    members = [("nn1", KNeighborsClassifier(n_neighbors=1)), ("nb", GaussianNB())]
    stack = StackingClassifier(members, cv=5).fit(Xtr, ytr)
    member_acc = {n: clone(e).fit(Xtr, ytr).score(Xte, yte) for n, e in members}
    # The leaky version by hand: the meta-model sees in-sample predictions.
    fitted = [clone(e).fit(Xtr, ytr) for _, e in members]
    leak_meta = np.column_stack([f.predict_proba(Xtr)[:, 1] for f in fitted])
    leaky = LogisticRegression().fit(leak_meta, ytr)
    leak_acc = leaky.score(np.column_stack([f.predict_proba(Xte)[:, 1] for f in fitted]), yte)
    honest_w = np.abs(stack.final_estimator_.coef_.ravel())
    leaky_w = np.abs(leaky.coef_.ravel())
    assert leaky_w[0] > leaky_w[1]  # the leak makes the memoriser look best ...
    assert honest_w[0] < honest_w[1]  # ... the out-of-fold meta-model is not fooled
    assert stack.score(Xte, yte) >= max(member_acc.values()) - 0.01
    assert stack.score(Xte, yte) > leak_acc


def test_params_drop_and_parallel():
    X, y = load_iris(return_X_y=True)
    stack = StackingClassifier(_members(), cv=3)
    assert stack.get_params()["knn__n_neighbors"] == 5
    stack.set_params(knn="drop", final_estimator=GaussianNB())
    stack.fit(X, y)
    assert len(stack.estimators_) == 2 and stack.named_estimators_["knn"] == "drop"
    assert stack.transform(X).shape == (150, 6)
    assert list(stack.get_feature_names_out()) == [
        f"stackingclassifier_{n}{k}" for n in ("lr", "nb") for k in range(3)
    ]
    parallel = clone(stack).set_params(n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(parallel.predict_proba(X), stack.predict_proba(X))


@pytest.mark.parametrize(
    "X_bad, match",
    [
        (np.array([[np.nan, 1.0]] * 6), "NaN"),
        (np.array([[np.inf, 1.0]] * 6), "infinity"),
        (np.empty((0, 2)), "0 sample"),
        (np.array([["a", "b"]] * 6), "convert"),
    ],
)
def test_bad_X_is_refused(X_bad, match):
    with pytest.raises(ValueError, match=match):
        StackingClassifier(_members(), cv=2).fit(X_bad, np.arange(len(X_bad)) % 2)
    with pytest.raises(ValueError, match=match):
        StackingRegressor([("ols", LinearRegression())], cv=2).fit(X_bad, np.ones(len(X_bad)))


def test_unfitted_wrong_features_and_bad_parameters():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(NotFittedError):
        StackingClassifier(_members()).predict(X)
    stack = StackingClassifier(_members(), cv=3).fit(X, y)
    with pytest.raises(ValueError, match="X has 2 features"):
        stack.predict(X[:, :2])
    with pytest.raises(ValueError, match="stack_method"):
        StackingClassifier(_members(), stack_method="vote").fit(X, y)
    with pytest.raises(ValueError, match="does not implement"):
        StackingClassifier([("a", GaussianNB())], stack_method="decision_function").fit(X, y)
    with pytest.raises(ValueError, match="should be a classifier"):
        StackingClassifier([("a", Ridge())]).fit(X, y)
    with pytest.raises(ValueError, match="should be a regressor"):
        StackingRegressor([("a", GaussianNB())]).fit(X, y.astype(float))
    with pytest.raises(ValueError, match="Unknown label type"):
        StackingClassifier(_members()).fit(X, y + 0.5)
    with pytest.raises(ValueError, match="Expected cv"):
        StackingClassifier(_members(), cv="five").fit(X, y)


# -- sample weights ------------------------------------------------------------------------------


def test_sample_weight_reaches_members_folds_and_final_estimator():
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:150], y[:150]
    w = np.random.default_rng(0).uniform(0.2, 3.0, len(y))
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    members = [("ols", LinearRegression()), ("ridge", Ridge(alpha=0.5))]
    stack = StackingRegressor(members, final_estimator=Ridge(alpha=0.1), cv=folds)
    stack.fit(X, y, sample_weight=w)
    # by hand: weighted out-of-fold predictions, then a weighted final fit
    meta = np.zeros((len(y), 2))
    for j, (_, est) in enumerate(members):
        for tr, te in folds:
            meta[te, j] = clone(est).fit(X[tr], y[tr], sample_weight=w[tr]).predict(X[te])
        full = clone(est).fit(X, y, sample_weight=w)
        np.testing.assert_allclose(stack.estimators_[j].predict(X), full.predict(X), rtol=1e-10)
    final = Ridge(alpha=0.1).fit(meta, y, sample_weight=w)
    np.testing.assert_allclose(stack.final_estimator_.coef_, final.coef_, rtol=1e-8)
    np.testing.assert_allclose(stack.predict(X), final.predict(stack.transform(X)), rtol=1e-10)


def test_sample_weight_integer_equals_repeated_rows_classifier():
    X, y = load_iris(return_X_y=True)
    w = np.random.default_rng(1).integers(1, 3, len(y))
    tight = {"tol": 1e-12, "max_iter": 10_000}  # solved to rounding: the two optima agree
    members = [("lr", LogisticRegression(**tight)), ("nb", GaussianNB())]
    # folds by original row: the repeated copies of a row stay in its fold
    fold_of = np.arange(len(y)) % 3
    folds_w = [(np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)) for k in range(3)]
    rep = np.repeat(fold_of, w)
    folds_r = [(np.flatnonzero(rep != k), np.flatnonzero(rep == k)) for k in range(3)]
    final = LogisticRegression(**tight)
    a = StackingClassifier(members, final, cv=folds_w).fit(X, y, sample_weight=w)
    b = StackingClassifier(members, final, cv=folds_r)
    b.fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-6)


def test_sample_weight_refused_when_a_member_cannot_take_it():
    X, y = load_diabetes(return_X_y=True)
    stack = StackingRegressor([("ols", LinearRegression()), ("knn", KNeighborsRegressor())], cv=3)
    with pytest.raises(TypeError, match="KNeighborsRegressor does not support sample weights"):
        stack.fit(X[:60], y[:60], sample_weight=np.ones(60))
