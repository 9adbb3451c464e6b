"""SimpleImputer against scikit-learn's on numbers, strings, empty columns and indicators."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.impute import SimpleImputer as SkImputer

from lucidml.preprocessing import SimpleImputer

pytestmark = pytest.mark.filterwarnings("ignore:Skipping features without any observed")


def _numeric():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 5, size=(40, 4)).astype(float)
    X[rng.uniform(size=X.shape) < 0.2] = np.nan
    X[:, 3] = np.nan  # an empty column
    X[:, 1] = rng.normal(size=40)  # a column with nothing missing
    return X


def _same(a, b):
    np.testing.assert_array_equal(np.asarray(a).astype(str), np.asarray(b).astype(str))


@pytest.mark.filterwarnings("ignore::UserWarning")  # sklearn warns about the empty column
@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent", "constant"])
@pytest.mark.parametrize(
    "extra", [{}, {"add_indicator": True}, {"keep_empty_features": True}, {"fill_value": -7}]
)
def test_numeric_equals_sklearn(strategy, extra):
    X = _numeric()
    ours = SimpleImputer(strategy=strategy, **extra).fit(X)
    ref = SkImputer(strategy=strategy, **extra).fit(X)
    np.testing.assert_allclose(
        ours.statistics_.astype(float), ref.statistics_.astype(float), rtol=1e-12, equal_nan=True
    )
    Xt = _numeric()[::-1]
    np.testing.assert_allclose(ours.transform(Xt), ref.transform(Xt), rtol=1e-12)
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    if extra.get("add_indicator"):
        back = ours.inverse_transform(ours.transform(Xt))
        np.testing.assert_allclose(back, ref.inverse_transform(ref.transform(Xt)), equal_nan=True)


@pytest.mark.parametrize("strategy", ["most_frequent", "constant"])
def test_strings_equal_sklearn(strategy):
    X = np.array([["a", "x"], [np.nan, "y"], ["b", np.nan], ["a", "y"], ["b", "y"]], dtype=object)
    ours = SimpleImputer(strategy=strategy, add_indicator=True).fit(X)
    ref = SkImputer(strategy=strategy, add_indicator=True).fit(X)
    _same(ours.statistics_, ref.statistics_)
    _same(ours.transform(X), ref.transform(X))


def test_other_missing_markers_equal_sklearn():
    X = np.array([[1, -1], [3, 4], [-1, 4], [5, 2]])
    for strategy in ("mean", "median", "most_frequent"):
        ours = SimpleImputer(missing_values=-1, strategy=strategy).fit(X)
        ref = SkImputer(missing_values=-1, strategy=strategy).fit(X)
        np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-12)
    Xs = np.array([["a", "?"], ["?", "b"], ["a", "b"]], dtype=object)
    ours = SimpleImputer(missing_values="?", strategy="most_frequent").fit(Xs)
    ref = SkImputer(missing_values="?", strategy="most_frequent").fit(Xs)
    _same(ours.transform(Xs), ref.transform(Xs))


def test_dataframe_names():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": [1.0, np.nan, 3.0], "b": [np.nan, np.nan, np.nan], "c": [1.0, 2, 3]})
    ours = SimpleImputer(add_indicator=True).fit(df)
    ref = SkImputer(add_indicator=True).fit(df)
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    np.testing.assert_allclose(ours.transform(df), ref.transform(df))


def test_bad_input():
    X = _numeric()
    imp = SimpleImputer().fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but SimpleImputer is expecting 4"):
        imp.transform(X[:, :3])
    with pytest.raises(ValueError, match="Cannot use mean strategy with non-numeric data"):
        SimpleImputer().fit(np.array([["a", "b"], ["c", "d"]], dtype=object))
    with pytest.raises(ValueError, match="Cannot use median strategy"):
        SimpleImputer(strategy="median").fit([["a", 1.0]])
    with pytest.raises(ValueError, match="'strategy' parameter"):
        SimpleImputer(strategy="mode").fit(X)
    with pytest.raises(ValueError, match="infinity"):
        SimpleImputer().fit(np.array([[1.0, np.inf]]))
    with pytest.raises(ValueError, match="NaN"):  # NaN is data, not a marker, here
        SimpleImputer(missing_values=-1).fit(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="fill_value"):
        SimpleImputer(strategy="constant", fill_value="z").fit(X)
    with pytest.raises(ValueError, match="add_indicator=True"):
        imp.inverse_transform(imp.transform(X))
