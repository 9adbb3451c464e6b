"""Encoders against scikit-learn's on strings, numbers, missing values and DataFrames."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import preprocessing as skp

from lucidml.preprocessing import LabelEncoder, OneHotEncoder, OrdinalEncoder

pytestmark = pytest.mark.filterwarnings("ignore:Found unknown categories:UserWarning")


def _data():
    rng = np.random.default_rng(0)
    X = np.empty((300, 3), dtype=object)
    X[:, 0] = rng.choice(["a", "b", "c", "d", "e"], size=300, p=[0.4, 0.3, 0.2, 0.07, 0.03])
    X[:, 1] = rng.integers(0, 4, size=300)
    X[:, 2] = rng.choice(["x", "y"], size=300)
    return X


def _assert_same_categories(ours, ref):
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref, strict=True):
        assert list(map(str, a)) == list(map(str, b))


OHE_CONFIGS = [
    {},
    {"drop": "first"},
    {"drop": "if_binary"},
    {"drop": ["b", 2, "y"]},
    {"handle_unknown": "ignore"},
    {"handle_unknown": "infrequent_if_exist", "min_frequency": 20},
    {"handle_unknown": "infrequent_if_exist", "min_frequency": 0.1, "drop": "first"},
    {"handle_unknown": "infrequent_if_exist", "max_categories": 3},
    {"handle_unknown": "ignore", "max_categories": 2, "drop": "if_binary"},
    {"min_frequency": 10, "max_categories": 4},
]


@pytest.mark.parametrize("params", OHE_CONFIGS)
def test_one_hot_equals_sklearn(params):
    X = _data()
    ours = OneHotEncoder(**params).fit(X)
    ref = skp.OneHotEncoder(sparse_output=False, **params).fit(X)
    _assert_same_categories(ours.categories_, ref.categories_)
    np.testing.assert_array_equal(ours.transform(X), ref.transform(X))
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    if hasattr(ref, "infrequent_categories_"):
        for a, b in zip(ours.infrequent_categories_, ref.infrequent_categories_, strict=True):
            assert (a is None and b is None) or list(map(str, a)) == list(map(str, b))
    if ref.drop_idx_ is None:
        assert ours.drop_idx_ is None
    else:
        assert list(ours.drop_idx_) == list(ref.drop_idx_)
    if params.get("handle_unknown", "error") != "error":
        Xu = X[:5].copy()
        Xu[0, 0], Xu[1, 1], Xu[2, 2] = "zzz", 99, "q"
        np.testing.assert_array_equal(ours.transform(Xu), ref.transform(Xu))
    out = ours.transform(X)
    inv = ours.inverse_transform(out)
    if params.get("drop") is not None and hasattr(ref, "infrequent_categories_"):
        # scikit-learn 1.9 reports the wrong category for a dropped column after grouping
        # (categories_[j][0] instead of categories_[j][drop_idx_[j]]): check the round trip.
        infrequent = np.array(
            [
                [
                    x in (inf if inf is not None else [])
                    for x, inf in zip(row, ours.infrequent_categories_, strict=True)
                ]
                for row in X
            ]
        )
        assert np.all((inv == X) | infrequent)
        assert np.all(inv[infrequent] == "infrequent_sklearn")
    else:
        np.testing.assert_array_equal(inv.astype(str), ref.inverse_transform(out).astype(str))


def test_one_hot_dataframe_mixed_dtypes_and_names():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(
        {"city": ["Paris", "Rome", "Paris", None], "n": [1, 2, 2, 3], "f": [0.5, np.nan, 0.5, 1.0]}
    )
    ours, ref = OneHotEncoder().fit(df), skp.OneHotEncoder(sparse_output=False).fit(df)
    np.testing.assert_array_equal(ours.transform(df), ref.transform(df))
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    assert ours.get_feature_names_out()[0] == "city_Paris"
    o2, r2 = OrdinalEncoder().fit(df), skp.OrdinalEncoder().fit(df)
    np.testing.assert_array_equal(o2.transform(df), r2.transform(df))
    assert list(o2.get_feature_names_out()) == ["city", "n", "f"]


def test_one_hot_unknown_error_and_bad_input():
    X = _data()
    enc = OneHotEncoder().fit(X)
    Xu = X[:3].copy()
    Xu[1, 0] = "zzz"
    with pytest.raises(ValueError, match=r"Found unknown categories \['zzz'\] in column 0"):
        enc.transform(Xu)
    with pytest.raises(ValueError, match="X has 2 features, but OneHotEncoder is expecting 3"):
        enc.transform(X[:, :2])
    with pytest.raises(TypeError, match="uniformly strings or numbers"):
        OneHotEncoder().fit(np.array([["a"], [1]], dtype=object))
    with pytest.raises(ValueError, match="sparse_output"):
        OneHotEncoder(sparse_output=True).fit(X)
    with pytest.raises(ValueError, match="handle_unknown"):
        OneHotEncoder(handle_unknown="bogus").fit(X)
    with pytest.raises(ValueError, match="supposed to be dropped"):
        OneHotEncoder(drop=["nope", 0, "x"]).fit(X)
    with pytest.raises(ValueError, match="infinity"):
        OneHotEncoder().fit(np.array([[1.0], [np.inf]]))


def test_one_hot_given_categories_and_nan_category():
    X = np.array([["a", 1.0], ["b", np.nan], ["a", 2.0]], dtype=object)
    cats = [["b", "a", "c"], [1.0, 2.0, np.nan]]
    ours = OneHotEncoder(categories=cats).fit(X)
    ref = skp.OneHotEncoder(categories=cats, sparse_output=False).fit(X)
    np.testing.assert_array_equal(ours.transform(X), ref.transform(X))
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    with pytest.raises(ValueError, match="Found unknown categories"):
        OneHotEncoder(categories=[["a"], [1.0, 2.0, np.nan]]).fit(X)
    with pytest.raises(ValueError, match="Unsorted categories"):
        OneHotEncoder(categories=[["a", "b"], [2.0, 1.0]]).fit(X)


def test_one_hot_float_column_with_nan_equals_sklearn():
    X = np.array([[1.0], [np.nan], [3.0], [1.0]])
    ours, ref = OneHotEncoder().fit(X), skp.OneHotEncoder(sparse_output=False).fit(X)
    np.testing.assert_array_equal(ours.transform(X), ref.transform(X))
    assert list(ours.get_feature_names_out(["v"])) == list(ref.get_feature_names_out(["v"]))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"handle_unknown": "use_encoded_value", "unknown_value": -1},
        {"handle_unknown": "use_encoded_value", "unknown_value": np.nan},
        {"encoded_missing_value": -2},
    ],
)
def test_ordinal_equals_sklearn(params):
    X = _data()
    X[[3, 7], 0] = np.nan
    X[5, 2] = None
    ours, ref = OrdinalEncoder(**params).fit(X), skp.OrdinalEncoder(**params).fit(X)
    _assert_same_categories(ours.categories_, ref.categories_)
    np.testing.assert_array_equal(ours.transform(X), ref.transform(X))
    if params.get("handle_unknown") == "use_encoded_value":
        Xu = X[:4].copy()
        Xu[0, 0], Xu[1, 1] = "zzz", 42
        np.testing.assert_array_equal(ours.transform(Xu), ref.transform(Xu))
    codes = ours.transform(X)
    np.testing.assert_array_equal(
        ours.inverse_transform(codes).astype(str), ref.inverse_transform(codes).astype(str)
    )


def test_ordinal_numeric_and_errors():
    X = np.array([[3, 10.0], [1, 20.0], [3, 30.0]])
    ours, ref = OrdinalEncoder().fit(X), skp.OrdinalEncoder().fit(X)
    np.testing.assert_array_equal(ours.transform(X), ref.transform(X))
    with pytest.raises(ValueError, match="Found unknown categories"):
        ours.transform(np.array([[2, 10.0]]))
    with pytest.raises(TypeError, match="unknown_value should be an integer"):
        OrdinalEncoder(handle_unknown="use_encoded_value").fit(X)
    with pytest.raises(TypeError, match="unknown_value should only be set"):
        OrdinalEncoder(unknown_value=-1).fit(X)
    with pytest.raises(ValueError, match="already used for encoding"):
        OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=1).fit(X)
    with pytest.raises(ValueError, match="X has 1 features, but OrdinalEncoder is expecting 2"):
        ours.transform(X[:, :1])


def test_all_nan_column_is_one_category():
    X = np.array([[np.nan, "a"], [np.nan, "b"]], dtype=object)
    for ours, ref in [
        (OneHotEncoder(), skp.OneHotEncoder(sparse_output=False)),
        (OrdinalEncoder(), skp.OrdinalEncoder()),
    ]:
        np.testing.assert_array_equal(ours.fit_transform(X), ref.fit_transform(X))


def test_label_encoder_equals_sklearn():
    y = np.array(["cat", "dog", "ant", "dog", "cat"])
    ours, ref = LabelEncoder().fit(y), skp.LabelEncoder().fit(y)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_array_equal(ours.transform(y), ref.transform(y))
    np.testing.assert_array_equal(ours.inverse_transform([2, 0]), ref.inverse_transform([2, 0]))
    np.testing.assert_array_equal(LabelEncoder().fit_transform([3, 1, 3]), [1, 0, 1])
    with pytest.raises(ValueError, match="previously unseen labels"):
        ours.transform(["cow"])
    with pytest.raises(ValueError, match="previously unseen labels"):
        ours.inverse_transform([5])
    with pytest.raises(ValueError, match="1d array"):
        LabelEncoder().fit(np.ones((3, 2)))
