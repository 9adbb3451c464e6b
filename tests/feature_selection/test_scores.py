"""Score functions against scikit-learn (1e-10) and entropy against constructed data."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.feature_selection as skf

from lucidml.feature_selection import (
    chi2,
    conditional_entropy,
    f_classif,
    f_regression,
    information_gain,
    r_regression,
)

RTOL = 1e-10


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 7)) * [1, 10, 0.1, 1, 1, 5, 1] + [0, 3, -2, 0, 100, 0, 1]
    y_reg = 2 * X[:, 0] - 0.1 * X[:, 1] + rng.normal(size=300)
    y_cls = np.digitize(X[:, 0] + 0.5 * rng.normal(size=300), [-0.5, 0.5])
    return X, y_reg, y_cls


@pytest.mark.parametrize("center", [True, False])
def test_r_and_f_regression_equal_sklearn(data, center):
    X, y, _ = data
    np.testing.assert_allclose(
        r_regression(X, y, center=center), skf.r_regression(X, y, center=center), rtol=RTOL
    )
    for ours, theirs in zip(
        f_regression(X, y, center=center), skf.f_regression(X, y, center=center), strict=True
    ):
        np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=1e-300)


def test_f_regression_force_finite_on_constant_and_perfect_features(data):
    X, y, _ = data
    X = X.copy()
    X[:, 2] = 4.0  # constant: F = 0, p = 1
    X[:, 3] = 3 * y - 1  # perfectly correlated: F = max float, p = 0
    f, p = f_regression(X, y)
    f_sk, p_sk = skf.f_regression(X, y)
    keep = [0, 1, 2, 4, 5, 6]  # scikit-learn's r rounds past 1 on column 3 (a negative F)
    np.testing.assert_allclose(f[keep], f_sk[keep], rtol=1e-10)
    np.testing.assert_allclose(p[keep], p_sk[keep], rtol=1e-10, atol=1e-300)
    assert f[2] == 0 and p[2] == 1 and f[3] > 1e12 and p[3] < 1e-100
    r = r_regression(X, y)
    assert r[2] == 0 and np.isclose(r[3], 1.0)
    with np.errstate(all="ignore"):
        assert np.isnan(r_regression(X, y, force_finite=False)[2])
        assert np.isnan(f_regression(X, y, force_finite=False)[0][2])


@pytest.mark.parametrize("n_classes", [1, 2, 3, 5])
def test_chi2_equals_sklearn(n_classes):
    rng = np.random.default_rng(n_classes)
    X = rng.poisson(lam=[1, 4, 0.5, 9], size=(400, 4)).astype(float)
    y = rng.integers(0, n_classes, 400)
    X[y == 0, 1] += 3  # one informative feature
    labels = np.array(["a", "b", "c", "d", "e"])[y]  # string labels work as well
    for ours, theirs in zip(chi2(X, labels), skf.chi2(X, y), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=RTOL)


def test_chi2_matches_scipy_contingency_on_binary_features():
    # An independent oracle: for a 0/1 feature and classes, the statistic is Pearson's chi-square
    # of the (class x {feature total}) table: scipy's chisquare of observed against expected.
    from scipy.stats import chisquare

    rng = np.random.default_rng(1)
    X = rng.integers(0, 2, size=(500, 3)).astype(float)
    y = rng.integers(0, 3, 500)
    stat, p = chi2(X, y)
    for j in range(3):
        observed = np.array([X[y == c, j].sum() for c in range(3)])
        expected = np.array([(y == c).mean() for c in range(3)]) * X[:, j].sum()
        ref = chisquare(observed, expected)
        np.testing.assert_allclose([stat[j], p[j]], [ref.statistic, ref.pvalue], rtol=1e-10)


def test_chi2_refuses_negative_values():
    with pytest.raises(ValueError, match="non-negative"):
        chi2([[1.0, -1.0], [2.0, 0.0]], [0, 1])


def test_f_classif_equals_sklearn(data):
    X, _, y = data
    # Centred columns: scikit-learn sums raw squares, which loses digits on a column with a large
    # mean (column 4); there scipy's f_oneway below is the oracle.
    X = X - X.mean(axis=0)
    for ours, theirs in zip(f_classif(X, y), skf.f_classif(X, y), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=RTOL)


def test_f_classif_equals_scipy_f_oneway(data):
    from scipy.stats import f_oneway

    X, _, y = data
    f, p = f_classif(X, y)
    for j in range(X.shape[1]):
        ref = f_oneway(*(X[y == c, j] for c in np.unique(y)))
        np.testing.assert_allclose([f[j], p[j]], [ref.statistic, ref.pvalue], rtol=1e-9)


def test_f_classif_warns_on_constant_feature(data):
    X, _, y = data
    X = X.copy()
    X[:, 1] = 2.0
    with pytest.warns(UserWarning, match="constant"), np.errstate(all="ignore"):
        f, _ = f_classif(X, y)
    assert np.isnan(f[1])


@pytest.mark.parametrize("func", [r_regression, f_regression, chi2, f_classif])
def test_bad_input(func):
    X = np.abs(np.random.default_rng(0).normal(size=(10, 2)))
    y = np.arange(10) % 2
    Xnan = X.copy()
    Xnan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        func(Xnan, y)
    Xinf = X.copy()
    Xinf[1, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        func(Xinf, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples|Found input"):
        func(X, y[:-1])
    with pytest.raises(ValueError):
        func(X[:0], y[:0])
    with pytest.raises(ValueError, match="2D"):
        func(X[:, 0], y)
    with pytest.raises(ValueError):
        func(np.array([["a", "b"]] * 10), y)


# -- conditional entropy and information gain -------------------------------------------------


def _h(p):
    p = np.asarray(p, dtype=float)
    p = p[p > 0]
    return -(p * np.log(p)).sum()


def _direct_conditional_entropy(x, y):
    """H(y|x) = sum_a p(a) H(y | x = a), straight from the definition."""
    total = 0.0
    for a in np.unique(x):
        sel = y[x == a]
        _, counts = np.unique(sel, return_counts=True)
        total += sel.size / y.size * _h(counts / sel.size)
    return total


def test_conditional_entropy_zero_for_a_determining_feature_and_h_y_for_independent():
    # Constructed exactly: x0 determines y; x1 is independent of y in the exact sense (every
    # value of x1 meets every class equally often); x2 is a constant.
    y = np.repeat([0, 1, 2, 3], 6)
    x0 = y * 10 + 7
    x1 = np.tile([0, 1, 2], 8)
    x2 = np.full(24, 5.0)
    X = np.column_stack([x0, x1, x2])
    h = conditional_entropy(X, y)
    h_y = np.log(4)
    assert h[0] == 0.0
    np.testing.assert_allclose(h[1:], [h_y, h_y], rtol=1e-14)
    np.testing.assert_allclose(information_gain(X, y), [h_y, 0.0, 0.0], atol=1e-14)
    np.testing.assert_allclose(conditional_entropy(X, y, base=2), h / np.log(2), rtol=1e-14)
    np.testing.assert_allclose(information_gain(X, y, base=2)[0], 2.0, rtol=1e-14)


def test_conditional_entropy_matches_direct_computation_and_sklearn_mi():
    from sklearn.metrics import mutual_info_score

    rng = np.random.default_rng(3)
    X = rng.integers(0, 5, size=(400, 4))
    y = np.array(["u", "v", "w"])[(X[:, 0] + rng.integers(0, 3, 400)) % 3]
    h = conditional_entropy(X, y)
    ref = [_direct_conditional_entropy(X[:, j], y) for j in range(4)]
    np.testing.assert_allclose(h, ref, rtol=1e-12)
    mi = [mutual_info_score(X[:, j], y) for j in range(4)]
    np.testing.assert_allclose(information_gain(X, y), mi, rtol=1e-10, atol=1e-14)


def test_conditional_entropy_bins_use_quantiles():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1000, 1))
    y = (x[:, 0] > np.median(x)).astype(int)
    # Two quantile bins split at the median: the feature then determines y.
    assert conditional_entropy(x, y, bins=2)[0] == 0.0
    codes = np.searchsorted(np.quantile(x[:, 0], [0.25, 0.5, 0.75]), x[:, 0], side="right")
    np.testing.assert_allclose(
        conditional_entropy(x, y, bins=4)[0], _direct_conditional_entropy(codes, y), rtol=1e-12
    )


@pytest.mark.parametrize(
    "kwargs", [dict(bins=0), dict(bins=2.5), dict(bins=True), dict(base=1), dict(base=-2)]
)
def test_conditional_entropy_bad_parameters(kwargs):
    X = np.arange(10).reshape(5, 2)
    with pytest.raises(ValueError, match="bins|base"):
        conditional_entropy(X, [0, 1, 0, 1, 0], **kwargs)


def test_conditional_entropy_bad_input():
    with pytest.raises(ValueError, match="NaN"):
        conditional_entropy([[1.0], [np.nan]], [0, 1])
    with pytest.raises(ValueError):
        conditional_entropy([[1.0], [2.0]], [0, 1, 1])
    with pytest.raises(ValueError):
        information_gain(np.empty((0, 2)), [])
