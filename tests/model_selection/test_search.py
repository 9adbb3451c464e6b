"""GridSearchCV / RandomizedSearchCV against scikit-learn's, both ways round."""

import numpy as np
import pandas as pd
import pytest
import scipy.stats
from sklearn import model_selection as sk
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from lucidml.base import NotFittedError
from lucidml.linear_model import LogisticRegression, Ridge
from lucidml.model_selection import (
    GridSearchCV,
    KFold,
    ParameterGrid,
    ParameterSampler,
    RandomizedSearchCV,
)
from lucidml.neighbors import KNeighborsClassifier


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = (X[:, 0] - X[:, 1] + rng.normal(scale=1.0, size=120) > 0).astype(int)
    return X, y


def _compare(ours, ref, keys=("mean_test_score", "std_test_score", "rank_test_score")):
    assert ours.best_params_ == ref.best_params_
    assert ours.best_index_ == ref.best_index_
    assert ours.best_score_ == pytest.approx(ref.best_score_, rel=1e-12)
    assert set(ours.cv_results_) == set(ref.cv_results_)
    for key in keys:
        np.testing.assert_allclose(ours.cv_results_[key], ref.cv_results_[key], rtol=1e-10)
    assert ours.cv_results_["params"] == ref.cv_results_["params"]


def test_lucidml_grid_search_tunes_sklearn_estimators(data):
    X, y = data
    grid = [{"svc__C": [0.1, 1.0, 10.0], "svc__kernel": ["linear"]},
            {"svc__C": [1.0], "svc__kernel": ["rbf"], "svc__gamma": [0.1, 1.0]}]  # fmt: skip
    pipe = make_pipeline(StandardScaler(), SVC())
    ours = GridSearchCV(pipe, grid, cv=4, return_train_score=True).fit(X, y)
    ref = sk.GridSearchCV(pipe, grid, cv=4, return_train_score=True).fit(X, y)
    _compare(ours, ref, keys=("mean_test_score", "split3_test_score", "mean_train_score"))
    gamma = ours.cv_results_["param_svc__gamma"]
    np.testing.assert_array_equal(gamma.mask, ref.cv_results_["param_svc__gamma"].mask)
    np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.score(X, y) == ref.score(X, y)
    np.testing.assert_array_equal(ours.classes_, [0, 1])


def test_sklearn_grid_search_tunes_lucidml_estimators(data):
    X, y = data
    grid = {"C": [0.01, 0.1, 1.0], "penalty": ["l2", None]}
    ref = sk.GridSearchCV(LogisticRegression(), grid, cv=3).fit(X, y)
    ours = GridSearchCV(LogisticRegression(), grid, cv=3).fit(X, y)
    _compare(ours, ref)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=1e-12)
    np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X), rtol=1e-12)


def test_multimetric_and_scoring_names(data):
    X, y = data
    grid = {"n_neighbors": [1, 5, 15]}
    kw = dict(scoring=["accuracy", "neg_log_loss"], refit="neg_log_loss", cv=3)
    ours = GridSearchCV(KNeighborsClassifier(), grid, **kw).fit(X, y)
    ref = sk.GridSearchCV(KNeighborsClassifier(), grid, **kw).fit(X, y)
    _compare(ours, ref, keys=("mean_test_accuracy", "mean_test_neg_log_loss",
                              "rank_test_accuracy"))  # fmt: skip
    assert ours.score(X, y) == pytest.approx(ref.score(X, y), rel=1e-12)
    with pytest.raises(ValueError, match="refit must be set to a scorer key"):
        GridSearchCV(KNeighborsClassifier(), grid, scoring=["accuracy", "f1"], cv=3).fit(X, y)


def test_randomized_search_with_distributions_and_pandas(data):
    X, y = data
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    dists = {"C": scipy.stats.loguniform(1e-3, 1e2), "fit_intercept": [True, False]}
    search = RandomizedSearchCV(
        LogisticRegression(), dists, n_iter=6, cv=KFold(3, shuffle=True, random_state=0),
        random_state=0, return_train_score=True,
    ).fit(df, y)  # fmt: skip
    assert len(search.cv_results_["params"]) == 6
    cs = search.cv_results_["param_C"]
    assert np.all((cs > 1e-3) & (cs < 1e2))
    # The oracle: scikit-learn scores the same candidates on the same folds.
    folds = list(KFold(3, shuffle=True, random_state=0).split(X))
    singletons = [{k: [v] for k, v in p.items()} for p in search.cv_results_["params"]]
    ref = sk.GridSearchCV(LogisticRegression(), singletons, cv=folds).fit(df, y)
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], rtol=1e-10
    )
    assert list(search.feature_names_in_) == ["a", "b", "c", "d"]
    assert search.n_features_in_ == 4


def test_sklearn_randomized_search_tunes_lucidml(data):
    X, y = data
    dists = {"alpha": scipy.stats.loguniform(1e-2, 1e2)}
    ref = sk.RandomizedSearchCV(Ridge(), dists, n_iter=4, cv=3, random_state=0).fit(X, y * 1.0)
    assert ref.best_estimator_.alpha == ref.best_params_["alpha"]
    ours = GridSearchCV(Ridge(), {"alpha": [p["alpha"] for p in ref.cv_results_["params"]]}, cv=3)
    ours.fit(X, y * 1.0)
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], rtol=1e-10
    )


def test_parameter_grid_equals_sklearn():
    grids = [{"b": [1, 2], "a": ["x", "y", "z"]}, [{"k": [1]}, {"k": [2, 3], "m": [True, False]}]]
    for grid in grids:
        ours, ref = ParameterGrid(grid), sk.ParameterGrid(grid)
        assert list(ours) == list(ref)
        assert len(ours) == len(ref)
        assert [ours[i] for i in range(len(ours))] == list(ref)
    with pytest.raises(TypeError, match="needs to be a list"):
        ParameterGrid({"a": 1})
    with pytest.raises(ValueError, match="non-empty"):
        ParameterGrid({"a": []})
    with pytest.raises(TypeError, match="not a dict"):
        ParameterGrid([1])


def test_parameter_sampler():
    grid = {"a": [1, 2, 3], "b": ["x", "y"]}
    with pytest.warns(UserWarning, match="smaller than n_iter=20"):
        drawn = list(ParameterSampler(grid, 20, random_state=0))
    assert len(drawn) == 6  # all lists: without replacement, at most the grid
    assert sorted(map(str, drawn)) == sorted(map(str, sk.ParameterGrid(grid)))
    dist = list(ParameterSampler({"c": scipy.stats.uniform(2, 3), "a": [1]}, 50, random_state=1))
    cs = np.array([d["c"] for d in dist])
    assert len(dist) == 50 and np.all((cs >= 2) & (cs <= 5)) and np.unique(cs).size == 50
    same = list(ParameterSampler({"c": scipy.stats.uniform(2, 3), "a": [1]}, 50, random_state=1))
    assert dist == same


def test_refit_false_unfitted_and_failures(data):
    X, y = data
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=3, refit=False).fit(X, y)
    assert "mean_test_score" in search.cv_results_ and not hasattr(search, "best_estimator_")
    with pytest.raises(AttributeError, match="refit=False"):
        search.predict(X)
    with pytest.raises(NotFittedError):
        GridSearchCV(LogisticRegression(), {"C": [1.0]}).predict(X)
    assert not hasattr(GridSearchCV(Ridge(), {"alpha": [1.0]}), "predict_proba")
    with pytest.raises(ValueError, match="All the 6 fits failed"):
        GridSearchCV(LogisticRegression(), {"C": [-1.0, -2.0]}, cv=3).fit(X, y)
    with pytest.warns(RuntimeWarning, match="3 fits failed out of a total of 6"):
        mixed = GridSearchCV(LogisticRegression(), {"C": [-1.0, 1.0]}, cv=3).fit(X, y)
    assert np.isnan(mixed.cv_results_["mean_test_score"][0])
    np.testing.assert_array_equal(mixed.cv_results_["rank_test_score"], [2, 1])
    assert mixed.best_params_ == {"C": 1.0}
    with pytest.raises(ValueError, match="requires y to be passed"):
        GridSearchCV(LogisticRegression(), {"C": [1.0]}).fit(X)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        GridSearchCV(LogisticRegression(), {"C": [1.0]}).fit(X, y[:-1])
    X_nan = X.copy()
    X_nan[:, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        GridSearchCV(LogisticRegression(), {"C": [1.0]}, cv=3, error_score="raise").fit(X_nan, y)


def test_wrapped_sklearn_tags_and_clone(data):
    from sklearn.base import clone as sk_clone
    from sklearn.base import is_classifier

    search = GridSearchCV(SkLogistic(), {"C": [1.0]}, cv=3)
    assert is_classifier(search)
    fitted = sk_clone(search).fit(*data)
    assert fitted.best_estimator_.C == 1.0
