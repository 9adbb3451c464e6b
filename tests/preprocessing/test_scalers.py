"""Scalers against scikit-learn (the oracle) and against their own inverses."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import preprocessing as skp

from lucidml.preprocessing import MinMaxScaler, NonlinearScaler, StandardScaler

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning:sklearn.*")  # the oracle


@pytest.fixture
def X():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5)) * [1, 10, 1e3, 1e-3, 1] + [0, 5, -1e4, 3, 0]
    X[:, 4] = 7.0  # a constant feature
    return X


@pytest.mark.parametrize("params", [{}, {"feature_range": (-2, 3)}, {"clip": True}])
def test_minmax_equals_sklearn(X, params):
    ours, ref = MinMaxScaler(**params).fit(X), skp.MinMaxScaler(**params).fit(X)
    Xnew = X * 1.5 - 1
    np.testing.assert_allclose(ours.transform(Xnew), ref.transform(Xnew), rtol=1e-10, atol=1e-10)
    for a in ("scale_", "min_", "data_min_", "data_max_", "data_range_"):
        np.testing.assert_allclose(getattr(ours, a), getattr(ref, a), rtol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(X)), X, rtol=1e-10)


def test_minmax_partial_fit_and_nan(X):
    X = X.copy()
    X[3, 1] = np.nan
    ours, ref = MinMaxScaler(), skp.MinMaxScaler()
    for part in np.array_split(X, 3):
        ours.partial_fit(part)
        ref.partial_fit(part)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-10, equal_nan=True)
    assert ours.n_samples_seen_ == ref.n_samples_seen_ == 200
    with pytest.raises(ValueError, match="Minimum of desired feature range"):
        MinMaxScaler(feature_range=(1, 0)).fit(X)


@pytest.mark.parametrize("params", [{}, {"with_mean": False}, {"with_std": False}])
@pytest.mark.parametrize("weighted", [False, True])
def test_standard_equals_sklearn(X, params, weighted):
    w = np.random.default_rng(1).uniform(0, 3, size=len(X)) if weighted else None
    ours = StandardScaler(**params).fit(X, sample_weight=w)
    ref = skp.StandardScaler(**params).fit(X, sample_weight=w)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-10, atol=1e-10)
    for a in ("mean_", "var_", "scale_"):
        if getattr(ref, a) is None:
            assert getattr(ours, a) is None
        else:
            np.testing.assert_allclose(getattr(ours, a), getattr(ref, a), rtol=1e-10, atol=1e-20)
    np.testing.assert_allclose(ours.n_samples_seen_, ref.n_samples_seen_, rtol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(X)), X, rtol=1e-10)


def test_standard_constant_feature_keeps_scale_one(X):
    s = StandardScaler().fit(X)
    assert s.scale_[4] == 1.0
    np.testing.assert_array_equal(s.transform(X)[:, 4], 0.0)


def test_standard_partial_fit_and_nan_equal_sklearn(X):
    X = X.copy()
    X[[2, 50, 51], 1] = np.nan
    ours, ref = StandardScaler(), skp.StandardScaler()
    for part in np.array_split(X, 4):
        ours.partial_fit(part)
        ref.partial_fit(part)
    np.testing.assert_allclose(ours.mean_, ref.mean_, rtol=1e-10)
    np.testing.assert_allclose(ours.var_, ref.var_, rtol=1e-10)
    np.testing.assert_array_equal(ours.n_samples_seen_, ref.n_samples_seen_)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-10, equal_nan=True)


def test_standard_large_offset_and_blocks():
    # More rows than one block, and a mean far from zero: the two-pass variance stays exact.
    rng = np.random.default_rng(2)
    X = rng.normal(size=(20_000, 3)) + 1e8
    ours, ref = StandardScaler().fit(X), skp.StandardScaler().fit(X)
    np.testing.assert_allclose(ours.var_, ref.var_, rtol=1e-8)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("cls", [MinMaxScaler, StandardScaler, NonlinearScaler])
def test_float32_kept(cls, X):
    X32 = np.abs(X).astype(np.float32)
    out = cls().fit(X32).transform(X32)
    assert out.dtype == np.float32
    assert cls().fit(X32).inverse_transform(out).dtype == np.float32


def test_standard_copy_false_scales_in_place(X):
    X = X.copy()
    expected = skp.StandardScaler().fit_transform(X)
    out = StandardScaler(copy=False).fit(X).transform(X)
    assert out is X
    np.testing.assert_allclose(X, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls", [MinMaxScaler, StandardScaler, NonlinearScaler])
def test_bad_input(cls, X):
    est = cls().fit(np.abs(X))
    with pytest.raises(ValueError, match="X has 4 features, but .* is expecting 5 features"):
        est.transform(np.abs(X[:, :4]))
    with pytest.raises(ValueError):
        cls().fit(np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(ValueError, match="infinity"):
        cls().fit(np.array([[1.0, np.inf]]))
    with pytest.raises(ValueError, match="0 sample"):
        cls().fit(np.empty((0, 3)))


def test_all_nan_column_passes_through():
    X = np.array([[1.0, np.nan], [2.0, np.nan], [4.0, np.nan]])
    for ours, ref in [
        (MinMaxScaler(), skp.MinMaxScaler()),
        (StandardScaler(), skp.StandardScaler()),
    ]:
        np.testing.assert_allclose(
            ours.fit_transform(X), ref.fit_transform(X), rtol=1e-12, equal_nan=True
        )


def test_feature_names_out():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.5, 0.1, 0.2]})
    for cls in (MinMaxScaler, StandardScaler, NonlinearScaler):
        assert list(cls().fit(df).get_feature_names_out()) == ["a", "b"]
        assert list(cls().fit(df.to_numpy()).get_feature_names_out()) == ["x0", "x1"]


FUNCS = {
    "log": (np.log, 0.1, 5.0),
    "log2": (np.log2, 0.1, 5.0),
    "log10": (np.log10, 0.1, 5.0),
    "log1p": (np.log1p, -0.9, 5.0),
    "exp": (np.exp, -3.0, 3.0),
    "tan": (np.tan, -1.5, 1.5),
    "arctan": (np.arctan, -50.0, 50.0),
}


@pytest.mark.parametrize("func", sorted(FUNCS))
def test_nonlinear_values_and_inverse(func):
    ref, lo, hi = FUNCS[func]
    X = np.random.default_rng(3).uniform(lo, hi, size=(50, 3))
    est = NonlinearScaler(func).fit(X)
    np.testing.assert_allclose(est.transform(X), ref(X), rtol=1e-14)
    np.testing.assert_allclose(est.inverse_transform(est.transform(X)), X, rtol=1e-10)


@pytest.mark.parametrize(
    ("func", "value", "where"),
    [
        ("log", 0.0, "fit"),
        ("log2", -1.0, "fit"),
        ("log10", 0.0, "fit"),
        ("log1p", -1.0, "fit"),
        ("exp", 0.0, "inverse"),
        ("arctan", 2.0, "inverse"),
    ],
)
def test_nonlinear_domain_errors(func, value, where):
    good = {"exp": 1.0, "arctan": 1.0}.get(func, 1.0)
    X = np.array([[good, value]]) if where == "fit" else np.array([[good, good]])
    if where == "fit":
        with pytest.raises(ValueError, match="needs every value"):
            NonlinearScaler(func).fit(X)
    else:
        est = NonlinearScaler(func).fit(X)
        with pytest.raises(ValueError, match="needs every value"):
            est.inverse_transform(np.array([[good, value]]))


def test_nonlinear_bad_func_and_transform_domain():
    with pytest.raises(ValueError, match="'func' parameter"):
        NonlinearScaler("sqrt").fit(np.ones((2, 2)))
    est = NonlinearScaler("log").fit(np.ones((2, 2)))
    with pytest.raises(ValueError, match="Negative values in data"):
        est.transform(-np.ones((2, 2)))
