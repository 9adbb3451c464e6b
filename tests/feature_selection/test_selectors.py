"""Selectors: the same selections as scikit-learn's, tie-breaking included."""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np
import pytest
import sklearn.feature_selection as skf
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.tree import DecisionTreeClassifier

from lucidml.base import NotFittedError
from lucidml.feature_selection import (
    SelectFromModel,
    SelectKBest,
    SelectPercentile,
    VarianceThreshold,
    chi2,
    f_classif,
    f_regression,
    mutual_info_classif,
)
from lucidml.linear_model import LogisticRegression


@pytest.fixture
def cls_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 10))
    y = (X[:, 0] + 0.5 * X[:, 3] - X[:, 7] > 0).astype(int)
    return X, y


@pytest.mark.parametrize("k", [0, 1, 3, 9, 10, "all"])
@pytest.mark.parametrize("score", ["f_classif", "chi2", "f_regression"])
def test_select_k_best_equals_sklearn(cls_data, k, score):
    X, y = cls_data
    if score == "chi2":
        X = np.abs(X)
    funcs = {"f_classif": f_classif, "chi2": chi2, "f_regression": f_regression}
    ours = SelectKBest(funcs[score], k=k).fit(X, y)
    theirs = skf.SelectKBest(getattr(skf, score), k=k).fit(X, y)
    np.testing.assert_array_equal(ours.get_support(), theirs.get_support())
    np.testing.assert_allclose(ours.scores_, theirs.scores_, rtol=1e-10)
    np.testing.assert_allclose(ours.pvalues_, theirs.pvalues_, rtol=1e-10, atol=1e-300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # k=0 selects nothing
        np.testing.assert_array_equal(ours.transform(X), theirs.transform(X))


def _tied_scores(X, y):
    return np.array([1.0, 3.0, 2.0, 3.0, np.nan, 3.0, 1.0, 2.0])


@pytest.mark.parametrize("k", range(0, 9))
def test_select_k_best_tie_breaking_and_nan_like_sklearn(k):
    X = np.random.default_rng(1).normal(size=(20, 8))
    y = np.arange(20) % 2
    ours = SelectKBest(_tied_scores, k=k).fit(X, y)
    theirs = skf.SelectKBest(_tied_scores, k=k).fit(X, y)
    np.testing.assert_array_equal(ours.get_support(), theirs.get_support())
    assert ours.pvalues_ is None


@pytest.mark.parametrize("percentile", [0, 5, 10, 25, 33.3, 50, 62.5, 99, 100])
def test_select_percentile_equals_sklearn_with_ties(percentile):
    X = np.random.default_rng(2).normal(size=(20, 8))
    y = np.arange(20) % 2
    ours = SelectPercentile(_tied_scores, percentile=percentile).fit(X, y)
    theirs = skf.SelectPercentile(_tied_scores, percentile=percentile).fit(X, y)
    np.testing.assert_array_equal(ours.get_support(), theirs.get_support())


def test_select_percentile_with_mutual_info(cls_data):
    X, y = cls_data
    score = partial(mutual_info_classif, random_state=0)
    ours = SelectPercentile(score, percentile=20).fit(X, y)
    assert set(ours.get_support(indices=True)) == {0, 7}  # the two strongest of y's causes


@pytest.mark.parametrize("threshold", [0.0, 0.5, 0.99])
def test_variance_threshold_equals_sklearn(threshold):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 6)) * [0.1, 1, 2, 0.0, 0.9, 1.1]
    X[:, 3] = 0.1  # constant (0.1 has no exact binary form: the variance may round above 0)
    X[3, 5] = np.nan  # NaNs are ignored
    ours = VarianceThreshold(threshold).fit(X)
    theirs = skf.VarianceThreshold(threshold).fit(X)
    np.testing.assert_allclose(ours.variances_, theirs.variances_, rtol=1e-12)
    np.testing.assert_array_equal(ours.get_support(), theirs.get_support())
    np.testing.assert_array_equal(ours.transform(X), theirs.transform(X))
    assert not ours.get_support()[3]


def test_variance_threshold_errors():
    with pytest.raises(ValueError, match="No feature in X meets the variance threshold"):
        VarianceThreshold().fit(np.ones((5, 3)))
    with pytest.raises(ValueError, match="only one sample"):
        VarianceThreshold().fit([[1.0, 2.0]])
    with pytest.raises(ValueError, match="threshold"):
        VarianceThreshold(-1).fit(np.eye(3))
    all_nan = np.column_stack([np.full(4, np.nan), np.arange(4.0)])
    assert VarianceThreshold().fit(all_nan).get_support().tolist() == [False, True]


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        dict(threshold="median"),
        dict(threshold="1.25*mean"),
        dict(threshold=" 0.5 * median"),
        dict(threshold=0.3),
        dict(max_features=2),
        dict(max_features=3, threshold="mean"),
        dict(max_features=3, threshold=-np.inf),
        dict(norm_order=2),
        dict(max_features=lambda X: X.shape[1] // 2),
    ],
)
def test_select_from_model_equals_sklearn_on_the_same_weights(kwargs):
    # The oracle: scikit-learn's SelectFromModel on a prefit model holding the same weights.
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 8))
    y = np.digitize(X[:, 0] - X[:, 2] + 0.3 * X[:, 5], [-1, 1])  # three classes: 2-D coef_
    ours = SelectFromModel(LogisticRegression(), **kwargs).fit(X, y)
    ref = SkLogisticRegression().fit(X, y)
    ref.coef_ = ours.estimator_.coef_.copy()
    theirs = skf.SelectFromModel(ref, prefit=True, **kwargs).fit(X, y)
    np.testing.assert_array_equal(ours.get_support(), theirs.get_support())
    assert np.isclose(ours.threshold_, theirs.threshold_) or ours.threshold_ == theirs.threshold_
    np.testing.assert_array_equal(ours.transform(X), theirs.transform(X))


def test_select_from_model_l1_default_threshold_and_tree_importances():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 6))
    y = (X[:, 1] - X[:, 4] > 0).astype(int)
    l1 = SelectFromModel(LogisticRegression(penalty="l1", solver="batch", C=0.1)).fit(X, y)
    assert l1.threshold_ == 1e-5
    np.testing.assert_array_equal(l1.get_support(), np.abs(l1.estimator_.coef_).ravel() >= 1e-5)
    tree = DecisionTreeClassifier(random_state=0).fit(X, y)  # any model with importances
    ours = SelectFromModel(tree, prefit=True).fit(X, y)
    theirs = skf.SelectFromModel(tree, prefit=True).fit(X, y)
    np.testing.assert_array_equal(ours.get_support(), theirs.get_support())
    assert ours.estimator_ is not tree  # a copy, never refitted
    getter = SelectFromModel(tree, prefit=True, importance_getter="feature_importances_")
    np.testing.assert_array_equal(getter.fit(X, y).get_support(), theirs.get_support())


def test_select_from_model_errors(cls_data):
    X, y = cls_data
    with pytest.raises(NotFittedError):
        SelectFromModel(LogisticRegression(), prefit=True).fit(X, y)
    with pytest.raises(ValueError, match="threshold"):
        SelectFromModel(LogisticRegression(), threshold="max").fit(X, y)
    with pytest.raises(ValueError, match="threshold"):
        SelectFromModel(LogisticRegression(), threshold="x*mean").fit(X, y)
    with pytest.raises(ValueError, match="max_features"):
        SelectFromModel(LogisticRegression(), max_features=11).fit(X, y)
    with pytest.raises(TypeError, match="max_features"):
        SelectFromModel(LogisticRegression(), max_features=1.5).fit(X, y)
    with pytest.raises(ValueError, match="coef_"):
        SelectFromModel(VarianceThreshold()).fit(X, y)


def test_select_k_best_parameter_errors(cls_data):
    X, y = cls_data
    for k in (-1, "some", 1.5, True):
        with pytest.raises(ValueError, match="k should be"):
            SelectKBest(k=k).fit(X, y)
    with pytest.warns(UserWarning, match="k=11 is greater than n_features=10"):
        assert SelectKBest(k=11).fit(X, y).get_support().all()
    with pytest.raises(TypeError, match="callable"):
        SelectKBest("f_classif").fit(X, y)
    for q in (-1, 101, "10"):
        with pytest.raises(ValueError, match="percentile"):
            SelectPercentile(percentile=q).fit(X, y)


def test_support_inverse_transform_and_feature_names(cls_data):
    pd = pytest.importorskip("pandas")
    X, y = cls_data
    frame = pd.DataFrame(X, columns=[f"c{i}" for i in range(10)])
    sel = SelectKBest(k=3).fit(frame, y)
    idx = sel.get_support(indices=True)
    np.testing.assert_array_equal(idx, np.flatnonzero(sel.get_support()))
    np.testing.assert_array_equal(sel.get_feature_names_out(), [f"c{i}" for i in idx])
    plain = SelectKBest(k=3).fit(X, y)
    np.testing.assert_array_equal(plain.get_feature_names_out(), [f"x{i}" for i in idx])
    names = [f"n{i}" for i in range(10)]
    np.testing.assert_array_equal(plain.get_feature_names_out(names), [names[i] for i in idx])
    with pytest.raises(ValueError, match="input_features"):
        plain.get_feature_names_out(names[:3])
    with pytest.raises(ValueError, match="input_features"):
        sel.get_feature_names_out(names)
    Xt = plain.transform(X)
    back = plain.inverse_transform(Xt)
    np.testing.assert_array_equal(back[:, idx], X[:, idx])
    assert np.all(back[:, np.setdiff1d(np.arange(10), idx)] == 0)
    np.testing.assert_array_equal(back, skf.SelectKBest(k=3).fit(X, y).inverse_transform(Xt))
    with pytest.raises(ValueError, match="different shape"):
        plain.inverse_transform(X)


@pytest.mark.parametrize(
    "make",
    [
        lambda: SelectKBest(k=2),
        lambda: SelectPercentile(percentile=50),
        lambda: VarianceThreshold(),
        lambda: SelectFromModel(LogisticRegression()),
    ],
)
def test_transform_bad_input(cls_data, make):
    X, y = cls_data
    sel = make()
    with pytest.raises(NotFittedError):
        sel.transform(X)
    sel.fit(X, y)
    with pytest.raises(ValueError, match="features"):
        sel.transform(X[:, :5])
    with pytest.raises(ValueError, match="infinity"):
        sel.transform(np.where(X > 2, np.inf, X))
    with pytest.raises(ValueError):
        sel.transform(np.array([["a"] * 10] * 3))
    if not isinstance(sel, VarianceThreshold):
        with pytest.raises(ValueError, match="NaN"):
            sel.transform(np.where(X > 2, np.nan, X))


def test_no_feature_selected_warns(cls_data):
    X, y = cls_data
    sel = SelectKBest(k=0).fit(X, y)
    with pytest.warns(UserWarning, match="No features were selected"):
        assert sel.transform(X).shape == (200, 0)


def test_f_classif_default_keeps_informative_features(cls_data):
    X, y = cls_data
    assert set(SelectKBest(f_classif, k=3).fit(X, y).get_support(indices=True)) == {0, 3, 7}
    assert set(SelectKBest(chi2, k=1).fit(np.abs(X), y).get_support(indices=True)) <= {0, 3, 7}
