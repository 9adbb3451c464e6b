"""Mutual information: exact on discrete data, k-NN estimates against scikit-learn and theory."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.feature_selection as skf
from sklearn.metrics import mutual_info_score

from lucidml.feature_selection import mutual_info_classif, mutual_info_regression


def test_discrete_features_equal_mutual_info_score():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 4, size=(500, 3))
    y = (X[:, 0] + rng.integers(0, 2, 500)) % 3
    ours = mutual_info_classif(X, y, discrete_features=True)
    ref = [mutual_info_score(X[:, j], y) for j in range(3)]
    np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-15)
    # The same through a mask and through indices.
    np.testing.assert_allclose(
        mutual_info_classif(X, y, discrete_features=np.array([True] * 3)), ours, rtol=1e-12
    )
    np.testing.assert_allclose(
        mutual_info_classif(X, y, discrete_features=[0, 1, 2]), ours, rtol=1e-12
    )


@pytest.mark.parametrize("rho", [0.0, 0.5, 0.9])
def test_regression_on_correlated_gaussians(rho):
    rng = np.random.default_rng(1)
    n = 2000
    z = rng.normal(size=(n, 2))
    y = rho * z[:, 0] + np.sqrt(1 - rho**2) * z[:, 1]
    X = np.column_stack([z[:, 0], rng.normal(size=n)])
    ours = mutual_info_regression(X, y, random_state=0)
    theirs = skf.mutual_info_regression(X, y, random_state=0)
    np.testing.assert_allclose(ours, theirs, atol=0.02)
    analytic = -0.5 * np.log(1 - rho**2)
    assert abs(ours[0] - analytic) < 0.05
    assert ours[1] < 0.03  # an independent feature


def test_classification_continuous_features_match_sklearn():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(1500, 3))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 1)
    ours = mutual_info_classif(X, y, random_state=0)
    theirs = skf.mutual_info_classif(X, y, random_state=0)
    np.testing.assert_allclose(ours, theirs, atol=0.02)
    assert ours[0] > 0.35 and ours[2] < 0.03


def test_regression_with_discrete_feature_matches_sklearn():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 4, size=(1500, 1))
    y = x[:, 0] + rng.normal(size=1500)
    ours = mutual_info_regression(x, y, discrete_features=True, random_state=0)
    theirs = skf.mutual_info_regression(x, y, discrete_features=True, random_state=0)
    np.testing.assert_allclose(ours, theirs, atol=0.02)


def test_mixed_features_and_singleton_class():
    rng = np.random.default_rng(4)
    X = np.column_stack([rng.integers(0, 3, 400), rng.normal(size=400)])
    y = X[:, 0].astype(int)
    y[0] = 7  # a class of one sample is left out of the continuous estimate, as in scikit-learn
    ours = mutual_info_classif(X, y, discrete_features=[0], random_state=0)
    theirs = skf.mutual_info_classif(X, y, discrete_features=[0], random_state=0)
    np.testing.assert_allclose(ours, theirs, atol=0.02)


def test_random_state_reproducible_and_input_untouched():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 2))
    X0 = X.copy()
    y = X[:, 0] + 0.1 * rng.normal(size=300)
    a = mutual_info_regression(X, y, random_state=7)
    b = mutual_info_regression(X, y, random_state=7)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(X, X0)


def test_bad_input():
    X = np.random.default_rng(0).normal(size=(20, 2))
    y = np.arange(20) % 2
    with pytest.raises(ValueError, match="NaN"):
        mutual_info_classif(np.where(X > 1, np.nan, X), y)
    with pytest.raises(ValueError):
        mutual_info_classif(X, y[:-1])
    with pytest.raises(ValueError, match="Unknown label type"):
        mutual_info_classif(X, X[:, 0])
    with pytest.raises(ValueError, match="n_neighbors"):
        mutual_info_regression(X, X[:, 0], n_neighbors=0)
    with pytest.raises(TypeError, match="n_neighbors"):
        mutual_info_regression(X, X[:, 0], n_neighbors=2.5)
    with pytest.raises(ValueError, match="discrete_features"):
        mutual_info_classif(X, y, discrete_features="yes")
    with pytest.raises(ValueError, match="discrete_features"):
        mutual_info_classif(X, y, discrete_features=[5])
    with pytest.raises(ValueError, match="discrete_features"):
        mutual_info_classif(X, y, discrete_features=np.array([True]))
    with pytest.raises(ValueError):
        mutual_info_classif(np.array([["a", "b"]] * 20), y)
