"""Batch, stochastic and mini-batch gradient descent reach the closed-form least-squares answer.

The loop below is the one a model's ``fit`` runs: permute once per epoch into a buffer, slice
views, one gradient and one ``step`` per batch. Oracles: ``np.linalg.lstsq`` for least squares,
the ridge normal equations for L2, scikit-learn's coordinate-descent Lasso / ElasticNet for the
proximal L1 steps.
"""

from __future__ import annotations

import numpy as np
import pytest

from lucidml.optim import (
    L1,
    L2,
    ElasticNet,
    ExponentialDecay,
    batch_slices,
    epoch_permutation,
    get_optimizer,
    resolve_batch_size,
)


def _problem(n=120, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = np.hstack([rng.normal(size=(n, d)), np.ones((n, 1))])
    y = X @ rng.normal(size=d + 1) + 0.1 * rng.normal(size=n)
    return X, y


def _fit(X, y, solver, opt, epochs, decay, dtype=np.float64, penalty=None, seed=1):
    n = X.shape[0]
    X = X.astype(dtype)
    y = y.astype(dtype)
    slices = batch_slices(n, resolve_batch_size(solver, 16, n))
    rng = np.random.default_rng(seed)
    order = np.empty(n, dtype=np.intp)
    w = np.zeros(X.shape[1], dtype=dtype)
    grad = np.empty_like(w)
    schedule = ExponentialDecay(opt.current_learning_rate(), decay)
    for epoch in range(epochs):
        opt.learning_rate = schedule(epoch)
        epoch_permutation(n, rng, out=order)
        for s in slices:
            idx = order[s]
            Xb = X[idx]
            np.dot(Xb @ w - y[idx], Xb, out=grad)
            grad /= len(idx)  # gradient of 1/(2b) ||X_b w - y_b||^2
            if penalty is not None:
                penalty.add_grad(w, grad)
            opt.step(w, grad)
    return w


OPTIMIZERS = [("sgd", 0.1), ("momentum", 0.02), ("nesterov", 0.02), ("adam", 0.05)]
# solver -> (epochs, per-epoch decay of the rate, tolerance on max |w - w_lstsq|)
SOLVERS = {
    "batch": (300, 1.0, 1e-5),
    "minibatch": (150, 0.95, 3e-3),
    "sgd": (60, 0.9, 3e-3),
}


@pytest.mark.parametrize("solver", list(SOLVERS))
@pytest.mark.parametrize("name,lr", OPTIMIZERS)
def test_least_squares_converges_to_lstsq(solver, name, lr):
    X, y = _problem()
    w_ls = np.linalg.lstsq(X, y, rcond=None)[0]
    epochs, decay, tol = SOLVERS[solver]
    w = _fit(X, y, solver, get_optimizer(name, learning_rate=lr), epochs, decay)
    np.testing.assert_allclose(w, w_ls, atol=tol, rtol=0)


@pytest.mark.parametrize("name,lr", OPTIMIZERS)
def test_float32_batch_gd_converges(name, lr):
    X, y = _problem(seed=2)
    w_ls = np.linalg.lstsq(X, y, rcond=None)[0]
    w = _fit(X, y, "batch", get_optimizer(name, learning_rate=lr), 300, 1.0, dtype=np.float32)
    assert w.dtype == np.float32
    np.testing.assert_allclose(w, w_ls, atol=2e-4, rtol=0)


def test_l2_penalised_gd_converges_to_ridge():
    X, y = _problem(seed=3)
    n, alpha = X.shape[0], 0.5
    # minimise 1/(2n) ||Xw - y||^2 + alpha/2 ||w||^2  <=>  (X^T X / n + alpha I) w = X^T y / n
    w_ridge = np.linalg.solve(X.T @ X / n + alpha * np.eye(X.shape[1]), X.T @ y / n)
    w = _fit(X, y, "batch", get_optimizer("sgd", learning_rate=0.2), 300, 1.0, penalty=L2(alpha))
    np.testing.assert_allclose(w, w_ridge, atol=1e-8, rtol=0)


def _proximal_gd(X, y, penalty, n_iter=3000):
    n = X.shape[0]
    step = 1.0 / np.linalg.eigvalsh(X.T @ X / n).max()
    opt = get_optimizer("sgd", learning_rate=step)
    w = np.zeros(X.shape[1])
    grad = np.empty_like(w)
    for _ in range(n_iter):
        np.dot(X @ w - y, X, out=grad)
        grad /= n
        opt.step(w, grad)
        penalty.prox(w, step)
    return w


def test_l1_proximal_gd_matches_lasso_with_exact_zeros():
    sk = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(4)
    X = rng.normal(size=(80, 8))
    y = X[:, :3] @ np.array([2.0, -1.5, 1.0]) + 0.2 * rng.normal(size=80)
    alpha = 0.3
    ref = sk.Lasso(alpha=alpha, fit_intercept=False, tol=1e-12, max_iter=100_000).fit(X, y)
    w = _proximal_gd(X, y, L1(alpha))
    np.testing.assert_allclose(w, ref.coef_, atol=1e-7)
    assert np.any(ref.coef_ == 0)
    np.testing.assert_array_equal(w == 0, ref.coef_ == 0)


def test_elasticnet_proximal_gd_matches_scikit_learn():
    sk = pytest.importorskip("sklearn.linear_model")
    rng = np.random.default_rng(5)
    X = rng.normal(size=(60, 6))
    y = X[:, :2] @ np.array([1.0, -2.0]) + 0.1 * rng.normal(size=60)
    ref = sk.ElasticNet(
        alpha=0.2, l1_ratio=0.6, fit_intercept=False, tol=1e-12, max_iter=100_000
    ).fit(X, y)
    w = _proximal_gd(X, y, ElasticNet(0.2, 0.6))
    np.testing.assert_allclose(w, ref.coef_, atol=1e-7)
    np.testing.assert_array_equal(w == 0, ref.coef_ == 0)
