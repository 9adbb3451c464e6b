"""cross_validate / cross_val_score / cross_val_predict and the curves, against scikit-learn."""

import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import model_selection as sk
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.linear_model import Ridge as SkRidge
from sklearn.tree import DecisionTreeClassifier

from lucidml.linear_model import LogisticRegression, Ridge
from lucidml.model_selection import (
    FitFailedWarning,
    KFold,
    cross_val_predict,
    cross_val_score,
    cross_validate,
    learning_curve,
    validation_curve,
)
from lucidml.neighbors import KNeighborsRegressor


@pytest.fixture(scope="module")
def clf_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))
    y = np.where(X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.8, size=150) > 0, "yes", "no")
    return X, y


@pytest.fixture(scope="module")
def reg_data():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(120, 3))
    return X, X @ [1.0, -2.0, 0.5] + rng.normal(scale=0.3, size=120)


@pytest.mark.parametrize("make", [LogisticRegression, SkLogistic, DecisionTreeClassifier])
@pytest.mark.parametrize("scoring", [None, "accuracy", "neg_log_loss", "roc_auc"])
def test_cross_val_score_equals_sklearn_classifiers(clf_data, make, scoring):
    X, y = clf_data
    est = make(random_state=0) if make is DecisionTreeClassifier else make()
    ours = cross_val_score(est, X, y, scoring=scoring, cv=4)
    ref = sk.cross_val_score(est, X, y, scoring=scoring, cv=4)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("make", [Ridge, SkRidge, KNeighborsRegressor])
@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error", "r2"])
def test_cross_val_score_equals_sklearn_regressors(reg_data, make, scoring):
    X, y = reg_data
    cv = KFold(5, shuffle=True, random_state=0)
    folds = list(cv.split(X))
    ours = cross_val_score(make(), X, y, scoring=scoring, cv=cv)
    ref = sk.cross_val_score(make(), X, y, scoring=scoring, cv=folds)
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


def test_cross_validate_keys_train_scores_estimators_and_pandas(clf_data):
    X, y = clf_data
    df = pd.DataFrame(X, columns=list("abcd"))
    ys = pd.Series(y)
    out = cross_validate(
        LogisticRegression(),
        df,
        ys,
        scoring=["accuracy", "balanced_accuracy"],
        cv=3,
        return_train_score=True,
        return_estimator=True,
        return_indices=True,
    )
    ref = sk.cross_validate(
        SkLogistic(), X, y, scoring=["accuracy", "balanced_accuracy"], cv=3,
        return_train_score=True, return_estimator=True, return_indices=True,
    )  # fmt: skip
    assert set(out) == set(ref)
    ours_lr = cross_validate(LogisticRegression(), X, y, scoring=["accuracy"], cv=3)
    np.testing.assert_allclose(out["test_accuracy"], ours_lr["test_accuracy"])
    for est in out["estimator"]:
        assert list(est.feature_names_in_) == list("abcd")
    for key in ("test_accuracy", "train_accuracy", "test_balanced_accuracy"):
        assert out[key].shape == (3,)
    ref_lucid = sk.cross_validate(LogisticRegression(), df, ys, scoring="accuracy", cv=3)
    np.testing.assert_allclose(out["test_accuracy"], ref_lucid["test_score"])
    assert np.all(out["fit_time"] >= 0) and np.all(out["score_time"] >= 0)
    dict_out = cross_validate(LogisticRegression(), X, y, scoring={"acc": "accuracy"}, cv=3)
    np.testing.assert_allclose(dict_out["test_acc"], out["test_accuracy"])


def test_parallel_equals_sequential_and_joblib_is_optional(clf_data, monkeypatch):
    X, y = clf_data
    seq = cross_val_score(LogisticRegression(), X, y, cv=3)
    par = cross_val_score(LogisticRegression(), X, y, cv=3, n_jobs=2)
    np.testing.assert_array_equal(seq, par)
    monkeypatch.setitem(sys.modules, "joblib", None)  # import joblib now raises ImportError
    np.testing.assert_array_equal(cross_val_score(LogisticRegression(), X, y, cv=3, n_jobs=2), seq)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "decision_function"])
def test_cross_val_predict_equals_sklearn(clf_data, method):
    X, y = clf_data
    ours = cross_val_predict(LogisticRegression(), X, y, cv=4, method=method)
    ref = sk.cross_val_predict(LogisticRegression(), X, y, cv=4, method=method)
    if method == "predict":
        np.testing.assert_array_equal(ours, ref)
    else:
        np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


def test_cross_val_predict_fills_classes_missing_from_a_fold():
    X = np.arange(12, dtype=float).reshape(-1, 1)
    y = np.array([0] * 5 + [1] * 5 + [2] * 2)
    folds = [(np.arange(10), np.arange(10, 12)), (np.arange(2, 12), np.arange(2))]
    folds.append((np.r_[0:2, 10:12], np.arange(2, 10)))  # training lacks class 1
    with pytest.warns(RuntimeWarning, match="Number of classes in training fold"):
        proba = cross_val_predict(LogisticRegression(), X, y, cv=folds, method="predict_proba")
    with pytest.warns(RuntimeWarning):
        ref = sk.cross_val_predict(LogisticRegression(), X, y, cv=folds, method="predict_proba")
    np.testing.assert_allclose(proba, ref, rtol=1e-10, atol=1e-12)
    assert np.all(proba[2:10, 1] == 0.0)
    with pytest.raises(ValueError, match="partitions"):
        cross_val_predict(LogisticRegression(), X, y, cv=folds[:2])


@pytest.mark.parametrize(
    "train_sizes",
    [np.linspace(0.1, 1.0, 5), [0.05, 0.33, 0.5, 0.9999], [3, 10, 40, 89], [0.001, 0.002, 1.0]],
)
def test_learning_curve_equals_sklearn(reg_data, train_sizes):
    X, y = reg_data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ours = learning_curve(Ridge(), X, y, train_sizes=train_sizes, cv=4)
        ref = sk.learning_curve(Ridge(), X, y, train_sizes=train_sizes, cv=4)
    np.testing.assert_array_equal(ours[0], ref[0])
    np.testing.assert_allclose(ours[1], ref[1], rtol=1e-10)
    np.testing.assert_allclose(ours[2], ref[2], rtol=1e-10)


def test_learning_curve_shuffle_uses_prefixes_of_a_permutation(reg_data):
    X, y = reg_data
    sizes, train, test = learning_curve(
        Ridge(), X, y, train_sizes=[20, 90], cv=4, shuffle=True, random_state=0
    )
    assert train.shape == test.shape == (2, 4)
    assert np.all(np.isfinite(test))
    again = learning_curve(Ridge(), X, y, train_sizes=[20, 90], cv=4, shuffle=True, random_state=0)
    np.testing.assert_array_equal(test, again[2])


def test_validation_curve_equals_sklearn(clf_data):
    X, y = clf_data
    kw = dict(param_name="C", param_range=[0.01, 0.1, 1.0], cv=3)
    ours = validation_curve(LogisticRegression(), X, y, **kw)
    ref = sk.validation_curve(LogisticRegression(), X, y, **kw)
    assert ours[0].shape == (3, 3)
    np.testing.assert_allclose(ours[0], ref[0], rtol=1e-10)
    np.testing.assert_allclose(ours[1], ref[1], rtol=1e-10)


def test_fit_failures_error_score(clf_data):
    X, y = clf_data
    bad = LogisticRegression(C=-1.0)
    with pytest.raises(ValueError, match="All the 3 fits failed"):
        cross_val_score(bad, X, y, cv=3)
    with pytest.raises(ValueError):
        cross_val_score(bad, X, y, cv=3, error_score="raise")
    folds = [(np.arange(3), np.arange(3, 150))] + list(KFold(2).split(X))  # 3 rows: one class?
    y_one = y.copy()
    y_one[:3] = "yes"
    with pytest.warns(FitFailedWarning, match="1 fits failed out of a total of 3"):
        scores = cross_val_score(LogisticRegression(), X, y_one, cv=folds, error_score=-1.0)
    assert scores[0] == -1.0 and np.all(scores[1:] > 0.5)


def test_bad_input(clf_data):
    X, y = clf_data
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with (
        pytest.warns(UserWarning, match="Scoring failed"),
        pytest.warns(FitFailedWarning, match="NaN"),
    ):
        cross_val_score(LogisticRegression(), X_nan, y, cv=3)
    X_str = X.astype(str).astype(object)
    X_str[:, 0] = "abc"
    with pytest.raises(ValueError, match="All the 3 fits failed"):
        cross_val_score(LogisticRegression(), X_str, y, cv=3)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        cross_val_score(LogisticRegression(), X, y[:-1], cv=3)
    with pytest.raises(ValueError, match="not a valid scoring"):
        cross_val_score(LogisticRegression(), X, y, scoring="nope")
    with pytest.raises(ValueError, match="cross_validate"):
        cross_val_score(LogisticRegression(), X, y, scoring=["accuracy"])
    with pytest.raises(ValueError, match="method must be"):
        cross_val_predict(LogisticRegression(), X, y, method="transform")
    with pytest.raises(ValueError, match="within \\(0, 1\\]"):
        learning_curve(Ridge(), X, np.arange(150.0), train_sizes=[0.0, 0.5])
    with pytest.raises(ValueError, match="within \\(0, 120\\]"):
        learning_curve(Ridge(), X, np.arange(150.0), train_sizes=[1, 121])
    with pytest.raises(ValueError, match="n_samples=2"):
        cross_val_score(Ridge(), X[:2], np.arange(2.0), cv=3)


def test_sample_weight_is_cut_to_each_fold():
    """Row-aligned fit parameters reach each fold's model as that fold's rows only."""
    from sklearn.linear_model import Ridge as SkRidge
    from sklearn.model_selection import cross_val_predict as sk_cross_val_predict
    from sklearn.model_selection import cross_val_score as sk_cross_val_score

    from lucidml.linear_model import Ridge
    from lucidml.model_selection import KFold, cross_val_predict, cross_val_score

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(0, 0.3, 60)
    w = rng.uniform(0.1, 3.0, 60)
    folds = list(KFold(4).split(X))
    ours = cross_val_score(Ridge(alpha=1.0), X, y, cv=folds, params={"sample_weight": w})
    theirs = sk_cross_val_score(SkRidge(alpha=1.0), X, y, cv=folds, params={"sample_weight": w})
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    by_hand = np.empty(60)
    for tr, te in folds:
        by_hand[te] = Ridge(alpha=1.0).fit(X[tr], y[tr], sample_weight=w[tr]).predict(X[te])
    pred = cross_val_predict(Ridge(alpha=1.0), X, y, cv=folds, params={"sample_weight": list(w)})
    np.testing.assert_allclose(pred, by_hand, rtol=1e-12)
    sk_pred = sk_cross_val_predict(SkRidge(alpha=1.0), X, y, cv=folds, params={"sample_weight": w})
    np.testing.assert_allclose(pred, sk_pred, rtol=1e-10)
