"""CollinearityFilter: correlations against np.corrcoef, VIF against explicit OLS fits."""

from __future__ import annotations

import numpy as np
import pytest

from lucidml.preprocessing import CollinearityFilter

pytestmark = pytest.mark.filterwarnings("ignore:X does not have valid feature names")


def _vif_by_ols(X):
    # Oracle: regress each column on the others with an intercept, VIF = 1 / (1 - R^2).
    out = []
    for j in range(X.shape[1]):
        A = np.column_stack([np.ones(len(X)), np.delete(X, j, axis=1)])
        coef = np.linalg.lstsq(A, X[:, j], rcond=None)[0]
        rss = np.sum((X[:, j] - A @ coef) ** 2)
        tss = np.sum((X[:, j] - X[:, j].mean()) ** 2)
        out.append(tss / rss)
    return np.array(out)


@pytest.fixture
def X():
    rng = np.random.default_rng(0)
    return rng.normal(size=(200, 5)) * [1, 3, 0.5, 2, 1] + [0, 10, -4, 0, 100]


def test_correlation_matches_numpy(X):
    est = CollinearityFilter().fit(X)
    np.testing.assert_allclose(est.correlation_, np.corrcoef(X, rowvar=False), atol=1e-12)
    assert est.support_.all()  # independent columns are all kept
    np.testing.assert_array_equal(est.transform(X), X)


def test_vif_matches_ols(X):
    X = X.copy()
    X[:, 4] += 0.8 * X[:, 0]  # some (not extreme) collinearity
    est = CollinearityFilter(method="vif", vif_threshold=1e9).fit(X)
    np.testing.assert_allclose(est.vif_, _vif_by_ols(X), rtol=1e-8)
    assert est.support_.all()


def test_vif_removes_linear_combination_of_two_others(X):
    Xc = np.column_stack([X, 2 * X[:, 0] - 0.5 * X[:, 3] + 1.0])
    # No single pair is correlated enough for the Pearson rule to see it...
    assert np.abs(np.corrcoef(Xc, rowvar=False)[5, :5]).max() < 0.95
    assert CollinearityFilter().fit(Xc).support_.all()
    # ... but its VIF is infinite, so the VIF rule drops one member of the combination.
    est = CollinearityFilter(method="vif").fit(Xc)
    assert np.isinf(est.vif_[[0, 3, 5]]).all()
    assert est.get_support(indices=True).tolist() == [0, 1, 2, 3, 4]
    assert _vif_by_ols(est.transform(Xc)).max() <= 10


def test_pearson_removes_near_duplicate(X):
    rng = np.random.default_rng(1)
    Xd = np.column_stack([X, X[:, 1] + rng.normal(scale=1e-3, size=len(X))])
    est = CollinearityFilter(threshold=0.95).fit(Xd)
    # One of the pair goes: the one with the larger mean |r| to the other columns.
    r = np.abs(np.corrcoef(Xd, rowvar=False))
    np.fill_diagonal(r, 0)
    gone = 1 if r[1].mean() > r[5].mean() else 5
    kept = [j for j in range(6) if j != gone]
    assert est.get_support(indices=True).tolist() == kept
    assert list(est.get_feature_names_out()) == [f"x{j}" for j in kept]
    np.testing.assert_array_equal(est.transform(Xd), Xd[:, kept])


def test_pearson_drops_the_one_more_correlated_with_the_rest():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(2, 500))
    # c is nearly a, and also tied to b; a is not: c has the larger mean |r| and goes.
    X = np.column_stack([a, b, a + 0.05 * rng.normal(size=500) + 0.3 * b])
    r = np.abs(np.corrcoef(X, rowvar=False))
    assert r[0, 2] > 0.9 and r[2, 1] > r[0, 1]
    est = CollinearityFilter(threshold=0.9).fit(X)
    assert est.support_.tolist() == [True, True, False]
    # With an exact duplicate both have the same mean |r|: the earlier column is kept.
    Xd = np.column_stack([b, a, a])
    assert CollinearityFilter().fit(Xd).support_.tolist() == [True, True, False]


def test_dataframe_names_and_bad_input(X):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(np.column_stack([X[:, :2], X[:, 0] * 2]), columns=["a", "b", "c"])
    est = CollinearityFilter().fit(df)
    assert list(est.get_feature_names_out()) == ["a", "b"]
    with pytest.raises(ValueError, match="X has 2 features, but CollinearityFilter is expecting 3"):
        est.transform(X[:, :2])
    with pytest.raises(ValueError, match="threshold"):
        CollinearityFilter(threshold=1.5).fit(X)
    with pytest.raises(ValueError, match="vif_threshold"):
        CollinearityFilter(method="vif", vif_threshold=0.5).fit(X)
    with pytest.raises(ValueError, match="'method' parameter"):
        CollinearityFilter(method="spearman").fit(X)
    with pytest.raises(ValueError, match="NaN"):
        CollinearityFilter().fit(np.array([[1.0, np.nan], [2.0, 3.0]]))
    with pytest.raises(ValueError):
        CollinearityFilter().fit(np.array([["a", "b"], ["c", "d"]]))


def test_constant_feature_is_left_alone(X):
    Xc = X.copy()
    Xc[:, 2] = 5.0
    for method in ("pearson", "vif"):
        est = CollinearityFilter(method=method).fit(Xc)
        assert est.support_.all()
