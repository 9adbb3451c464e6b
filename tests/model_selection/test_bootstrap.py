"""Bootstrap intervals (against scipy.stats.bootstrap) and the bias-variance decomposition."""

import numpy as np
import pytest
import scipy.stats

from lucidml.base import BaseEstimator, RegressorMixin
from lucidml.linear_model import LinearRegression, LogisticRegression
from lucidml.metrics import accuracy_score, mean_squared_error
from lucidml.model_selection import bias_variance_decomposition, bootstrap, bootstrap_score
from lucidml.neighbors import KNeighborsClassifier, KNeighborsRegressor


class _Constant(RegressorMixin, BaseEstimator):
    """Predicts a fixed value whatever the training data: zero variance."""

    def __init__(self, value=0.0):
        self.value = value

    def fit(self, X, y):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.full(np.asarray(X).shape[0], self.value)


@pytest.mark.parametrize("name, metric", [("mean_squared_error", mean_squared_error),
                                          ("accuracy", accuracy_score)])  # fmt: skip
def test_vectorised_equals_per_resample_loop(name, metric):
    rng = np.random.default_rng(0)
    if name == "accuracy":
        y, p = rng.integers(0, 3, 80), rng.integers(0, 3, 80)
    else:
        y, p = rng.normal(size=80), rng.normal(size=80)
    fast = bootstrap_score(y, p, name, n_resamples=300, random_state=4)
    slow = bootstrap_score(y, p, metric, n_resamples=300, random_state=4)
    np.testing.assert_allclose(fast["samples"], slow["samples"], rtol=1e-12)
    assert fast["estimate"] == pytest.approx(metric(y, p), rel=1e-12)
    assert fast["low"] <= fast["estimate"] <= fast["high"]
    vec = bootstrap_score(
        y, p, lambda t, q: np.mean(t == q, axis=-1) if name == "accuracy" else
        np.mean((t - q) ** 2, axis=-1), vectorized=True, n_resamples=300, random_state=4,
    )  # fmt: skip
    np.testing.assert_allclose(vec["samples"], fast["samples"], rtol=1e-12)


def test_interval_agrees_with_scipy_bootstrap():
    rng = np.random.default_rng(1)
    y = rng.normal(size=400)
    p = y + rng.normal(scale=0.5, size=400)
    ours = bootstrap_score(y, p, "mean_absolute_error", n_resamples=4000, random_state=0)
    ref = scipy.stats.bootstrap(
        (y, p), lambda a, b, axis=-1: np.mean(np.abs(a - b), axis=axis), paired=True,
        n_resamples=4000, method="percentile", confidence_level=0.95, random_state=0,
    )  # fmt: skip
    width = ref.confidence_interval.high - ref.confidence_interval.low
    assert abs(ours["low"] - ref.confidence_interval.low) < 0.1 * width
    assert abs(ours["high"] - ref.confidence_interval.high) < 0.1 * width
    assert ours["std"] == pytest.approx(ref.standard_error, rel=0.1)
    # The bootstrap standard error of a mean is close to s / sqrt(n).
    err = np.abs(y - p)
    assert ours["std"] == pytest.approx(err.std(ddof=1) / np.sqrt(400), rel=0.1)


def test_bootstrap_of_a_model_is_out_of_bag():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(150, 3))
    y = (X[:, 0] > 0).astype(int)
    out = bootstrap(LogisticRegression(), X, y, n_resamples=30, random_state=0)
    assert out["samples"].shape == (30,)
    assert out["estimate"] == pytest.approx(out["samples"].mean())
    assert 0.9 < out["estimate"] <= 1.0 and out["low"] <= out["high"]
    # A 1-NN classifier scores 1.0 on its training points; out of bag it must score less.
    noisy = np.where(rng.random(150) < 0.2, 1 - y, y)
    knn = bootstrap(KNeighborsClassifier(1), X, noisy, n_resamples=20, random_state=0)
    assert knn["estimate"] < 0.9


def test_bootstrap_bad_input():
    with pytest.raises(ValueError, match="n_resamples"):
        bootstrap_score([1, 2], [1, 2], "accuracy", n_resamples=1)
    with pytest.raises(ValueError, match="confidence"):
        bootstrap_score([1, 2], [1, 2], "accuracy", confidence=1.5)
    with pytest.raises(ValueError, match="Unknown score"):
        bootstrap_score([1, 2], [1, 2], "nope")
    with pytest.raises(ValueError, match="inconsistent"):
        bootstrap_score([1, 2], [1, 2, 3], "accuracy")
    with pytest.raises(ValueError, match="empty"):
        bootstrap_score([], [], "accuracy")
    with pytest.raises(ValueError, match="NaN"):
        bootstrap_score([1.0, np.nan], [1.0, 2.0], "mean_squared_error")
    with pytest.raises(ValueError, match="inconsistent"):
        bootstrap(LinearRegression(), np.zeros((5, 1)), np.zeros(4))


@pytest.fixture(scope="module")
def noisy_regression():
    rng = np.random.default_rng(3)
    X = rng.uniform(-3, 3, size=(200, 1))
    y = np.sin(X[:, 0]) + rng.normal(scale=0.5, size=200)
    return X[:120], y[:120], X[120:], y[120:]


def test_squared_loss_decomposes_exactly_and_matches_a_manual_oracle(noisy_regression):
    X_tr, y_tr, X_te, y_te = noisy_regression
    loss, bias, var = bias_variance_decomposition(
        LinearRegression(), X_tr, y_tr, X_te, y_te, n_rounds=25, random_state=0
    )
    assert loss == pytest.approx(bias + var, rel=1e-12)
    # Oracle: the same bootstrap rounds done by hand with the same generator.
    rng = np.random.default_rng(0)
    preds = []
    for _ in range(25):
        idx = rng.integers(0, 120, size=120)
        preds.append(LinearRegression().fit(X_tr[idx], y_tr[idx]).predict(X_te))
    preds = np.array(preds)
    assert loss == pytest.approx(np.mean((preds - y_te) ** 2), rel=1e-12)
    assert var == pytest.approx(np.mean(preds.var(axis=0)), rel=1e-12)


def test_constant_has_zero_variance_and_one_nn_high_variance(noisy_regression):
    X_tr, y_tr, X_te, y_te = noisy_regression
    loss, bias, var = bias_variance_decomposition(
        _Constant(0.3), X_tr, y_tr, X_te, y_te, n_rounds=5, random_state=0
    )
    assert var == 0.0
    assert bias == pytest.approx(np.mean((0.3 - y_te) ** 2), rel=1e-12) and loss == bias
    _, bias_1nn, var_1nn = bias_variance_decomposition(
        KNeighborsRegressor(1), X_tr, y_tr, X_te, y_te, n_rounds=30, random_state=0
    )
    _, bias_20nn, var_20nn = bias_variance_decomposition(
        KNeighborsRegressor(20), X_tr, y_tr, X_te, y_te, n_rounds=30, random_state=0
    )
    assert var_1nn > 0.1 and var_1nn > 3 * var_20nn  # the noise (variance 0.25) passes into 1-NN
    _, _, var_lin = bias_variance_decomposition(
        LinearRegression(), X_tr, y_tr, X_te, y_te, n_rounds=30, random_state=0
    )
    assert var_lin < var_1nn


def test_zero_one_loss_domingos():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] + rng.normal(scale=0.7, size=200) > 0).astype(int)
    loss, bias, var = bias_variance_decomposition(
        KNeighborsClassifier(1), X[:140], y[:140], X[140:], y[140:], loss="0-1", n_rounds=21,
        random_state=0,
    )  # fmt: skip
    # Oracle: Domingos' per-point quantities from the same rounds.
    rng2 = np.random.default_rng(0)
    preds = np.array([
        KNeighborsClassifier(1).fit(X[:140][i], y[:140][i]).predict(X[140:])
        for i in (rng2.integers(0, 140, size=140) for _ in range(21))
    ])  # fmt: skip
    main = (preds.mean(axis=0) > 0.5).astype(int)  # the mode of 21 binary votes
    b = (main != y[140:]).astype(float)
    v = (preds != main).mean(axis=0)
    assert bias == pytest.approx(b.mean()) and var == pytest.approx(v.mean())
    # Two classes: loss_j = bias_j + (1 - 2 bias_j) var_j, exactly.
    assert loss == pytest.approx(np.mean(b + (1 - 2 * b) * v), rel=1e-12)
    labels = np.array(["a", "b"])[y]
    str_out = bias_variance_decomposition(
        KNeighborsClassifier(1), X[:140], labels[:140], X[140:], labels[140:], loss="0-1",
        n_rounds=21, random_state=0,
    )  # fmt: skip
    assert str_out == pytest.approx((loss, bias, var))


def test_bias_variance_bad_input(noisy_regression):
    X_tr, y_tr, X_te, y_te = noisy_regression
    with pytest.raises(ValueError, match="loss must be"):
        bias_variance_decomposition(LinearRegression(), X_tr, y_tr, X_te, y_te, loss="abs")
    with pytest.raises(ValueError, match="n_rounds"):
        bias_variance_decomposition(LinearRegression(), X_tr, y_tr, X_te, y_te, n_rounds=0)
    with pytest.raises(ValueError, match="inconsistent"):
        bias_variance_decomposition(LinearRegression(), X_tr, y_tr[:-1], X_te, y_te)
    with pytest.raises(ValueError, match="y_test"):
        bias_variance_decomposition(LinearRegression(), X_tr, y_tr, X_te, y_te[:-1])
    X_bad = X_tr.copy()
    X_bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        bias_variance_decomposition(LinearRegression(), X_bad, y_tr, X_te, y_te, random_state=0)
