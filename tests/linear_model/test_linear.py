"""LinearRegression, Ridge and Lasso against scikit-learn (the oracle): diabetes, synthetic data."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import linear_model as sk
from sklearn.datasets import load_diabetes
from sklearn.metrics import r2_score

from lucidml.base import NotFittedError
from lucidml.exceptions import ConvergenceWarning
from lucidml.linear_model import Lasso, LinearRegression, Ridge

# -- data -----------------------------------------------------------------------------------------


@functools.cache
def _diabetes() -> tuple[np.ndarray, np.ndarray]:
    X, y = load_diabetes(return_X_y=True)
    return X, y


@functools.cache
def _multi_output(n: int = 120, p: int = 6, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Features on very different scales and offsets, three noisy targets."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, p)) * rng.uniform(0.1, 10.0, size=p) + rng.normal(size=p) * 5
    W = rng.normal(size=(p, k))
    W[1, 0] = 0.0  # a feature that does not matter for target 0
    Y = X @ W + rng.normal(size=k) + 0.5 * rng.normal(size=(n, k))
    return X, Y


def _weights(n: int, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 4, size=n).astype(float)


def _scale(a) -> float:
    return float(np.max(np.abs(a))) + 1.0


def _assert_same_fit(ours, ref, rtol: float) -> None:
    """coef_ and intercept_ equal to ``rtol`` relative to the largest coefficient."""
    assert np.shape(ours.coef_) == np.shape(ref.coef_)
    assert np.shape(ours.intercept_) == np.shape(ref.intercept_)
    atol = rtol * _scale(ref.coef_)
    assert_allclose(ours.coef_, ref.coef_, rtol=rtol, atol=atol)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=rtol, atol=rtol * _scale(ref.intercept_))


# -- closed forms against scikit-learn ------------------------------------------------------------


@pytest.mark.parametrize("dataset", ["diabetes", "multi_output", "multi_output_1col"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_linear_regression_lstsq_matches_sklearn(dataset, fit_intercept, weighted):
    X, y = _diabetes() if dataset == "diabetes" else _multi_output()
    if dataset == "multi_output_1col":
        y = y[:, :1]
    sw = _weights(len(y)) if weighted else None
    ours = LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    ref = sk.LinearRegression(fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    _assert_same_fit(ours, ref, rtol=1e-8)
    assert ours.rank_ == ref.rank_
    assert_allclose(ours.singular_, ref.singular_, rtol=1e-8)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-8, atol=1e-8 * _scale(y))


@pytest.mark.parametrize("dataset", ["diabetes", "multi_output"])
def test_linear_regression_positive_matches_sklearn(dataset):
    X, y = _diabetes() if dataset == "diabetes" else _multi_output()
    ours = LinearRegression(positive=True).fit(X, y)
    ref = sk.LinearRegression(positive=True).fit(X, y)
    _assert_same_fit(ours, ref, rtol=1e-8)
    assert np.all(ours.coef_ >= 0)
    assert not hasattr(ours, "rank_")


@pytest.mark.parametrize("solver", ["auto", "cholesky", "svd"])
@pytest.mark.parametrize("alpha", [1e-3, 1.0, 30.0])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_matches_sklearn_on_diabetes(solver, alpha, fit_intercept):
    X, y = _diabetes()
    ours = Ridge(alpha=alpha, solver=solver, fit_intercept=fit_intercept).fit(X, y)
    ref = sk.Ridge(alpha=alpha, solver="cholesky", fit_intercept=fit_intercept).fit(X, y)
    _assert_same_fit(ours, ref, rtol=1e-8)


@pytest.mark.parametrize("solver", ["cholesky", "svd"])
@pytest.mark.parametrize("wide", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_ridge_multi_output_per_target_alpha_and_weights(solver, wide, weighted):
    X, Y = _multi_output()
    if wide:  # more features than samples: the n x n Gram matrix is used
        X, Y = X[:30], Y[:30]
        X = np.hstack([X, np.random.default_rng(3).normal(size=(30, 40))])
    sw = _weights(len(Y)) if weighted else None
    alpha = np.array([0.1, 1.0, 10.0])
    ours = Ridge(alpha=alpha, solver=solver).fit(X, Y, sample_weight=sw)
    ref = sk.Ridge(alpha=alpha, solver="svd").fit(X, Y, sample_weight=sw)
    _assert_same_fit(ours, ref, rtol=1e-8)
    scalar = Ridge(alpha=2.0, solver=solver).fit(X, Y, sample_weight=sw)
    _assert_same_fit(scalar, sk.Ridge(alpha=2.0).fit(X, Y, sample_weight=sw), rtol=1e-8)


def test_ridge_lsqr_reaches_the_closed_form():
    X, Y = _multi_output()
    ours = Ridge(alpha=0.5, solver="lsqr", tol=1e-12, max_iter=1000).fit(X, Y)
    ref = sk.Ridge(alpha=0.5, solver="cholesky").fit(X, Y)
    _assert_same_fit(ours, ref, rtol=1e-7)
    assert ours.n_iter_.shape == (3,) and np.all(ours.n_iter_ >= 1)
    assert ours.solver_ == "lsqr"


def test_ridge_alpha_zero_on_rank_deficient_data_falls_back_to_svd():
    X, y = _diabetes()
    X = np.hstack([X, X[:, :1]])  # a duplicated column: X^T X is singular
    ours = Ridge(alpha=0.0).fit(X, y)
    ref = sk.LinearRegression().fit(X, y)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-8)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-6 * _scale(ref.coef_))


@pytest.mark.parametrize("alpha", [0.001, 0.01, 0.1, 1.0])
def test_lasso_matches_sklearn_on_diabetes_with_the_same_zeros(alpha):
    X, y = _diabetes()
    ours = Lasso(alpha=alpha).fit(X, y)
    ref = sk.Lasso(alpha=alpha).fit(X, y)
    _assert_same_fit(ours, ref, rtol=1e-5)
    assert_array_equal(ours.coef_ == 0.0, ref.coef_ == 0.0)
    assert ours.n_iter_ == ref.n_iter_
    assert_allclose(ours.dual_gap_, ref.dual_gap_, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_lasso_multi_output_and_weights_match_sklearn(fit_intercept, weighted):
    X, Y = _multi_output()
    sw = _weights(len(Y)) if weighted else None
    ours = Lasso(alpha=0.3, fit_intercept=fit_intercept).fit(X, Y, sample_weight=sw)
    ref = sk.Lasso(alpha=0.3, fit_intercept=fit_intercept).fit(X, Y, sample_weight=sw)
    _assert_same_fit(ours, ref, rtol=1e-5)
    assert_array_equal(ours.coef_ == 0.0, ref.coef_ == 0.0)
    assert list(ours.n_iter_) == list(ref.n_iter_)


def test_lasso_positive_and_random_selection_reach_sklearn_solution():
    X, y = _diabetes()
    ours = Lasso(alpha=0.05, positive=True).fit(X, y)
    ref = sk.Lasso(alpha=0.05, positive=True).fit(X, y)
    _assert_same_fit(ours, ref, rtol=1e-5)
    assert np.all(ours.coef_ >= 0)
    X2, Y2 = _multi_output()
    ours2 = Lasso(alpha=0.05, positive=True).fit(X2, Y2)
    _assert_same_fit(ours2, sk.Lasso(alpha=0.05, positive=True).fit(X2, Y2), rtol=1e-5)
    # Random coordinate order converges to the same optimum (tight tolerance on both sides).
    ours = Lasso(alpha=0.05, selection="random", random_state=0, tol=1e-12).fit(X, y)
    ref = sk.Lasso(alpha=0.05, tol=1e-12).fit(X, y)
    _assert_same_fit(ours, ref, rtol=1e-5)
    assert_array_equal(ours.coef_ == 0.0, ref.coef_ == 0.0)


def test_lasso_single_column_y_shapes_follow_sklearn():
    X, Y = _multi_output()
    ours = Lasso(alpha=0.1).fit(X, Y[:, :1])
    ref = sk.Lasso(alpha=0.1).fit(X, Y[:, :1])
    _assert_same_fit(ours, ref, rtol=1e-5)
    assert ours.predict(X).shape == ref.predict(X).shape


def test_lasso_warm_start_resumes_from_previous_coef_like_sklearn():
    X, y = _diabetes()
    ours = Lasso(alpha=0.01, warm_start=True).fit(X, y)
    ref = sk.Lasso(alpha=0.01, warm_start=True).fit(X, y)
    first = ours.coef_.copy()
    ours.fit(X, y)  # already at the optimum: the gap is below tol at once
    assert ours.n_iter_ == ref.fit(X, y).n_iter_ == 0
    assert_array_equal(ours.coef_, first)
    ours.set_params(alpha=0.02).fit(X, y)
    ref.set_params(alpha=0.02).fit(X, y)
    _assert_same_fit(ours, ref, rtol=1e-5)
    assert ours.n_iter_ == ref.n_iter_
    with pytest.raises(ValueError, match="warm_start"):
        ours.fit(X[:, :5], y)


# -- gradient descent -----------------------------------------------------------------------------


def test_batch_gradient_descent_reaches_least_squares():
    X, Y = _multi_output()
    ref = sk.LinearRegression().fit(X, Y)
    ours = LinearRegression(solver="batch", learning_rate=0.5, max_iter=5000).fit(X, Y)
    assert ours.n_iter_ < 5000
    _assert_same_fit(ours, ref, rtol=1e-4)
    X, y = _diabetes()  # ill-conditioned (s1..s4 are nearly collinear): compare fits
    ours = LinearRegression(solver="batch", learning_rate=0.2, max_iter=20000).fit(X, y)
    ref = sk.LinearRegression().fit(X, y)
    assert_allclose(ours.predict(X), ref.predict(X), atol=1e-4 * _scale(y))
    assert abs(ours.score(X, y) - ref.score(X, y)) < 1e-8


@pytest.mark.parametrize(
    "params",
    [
        {"solver": "sgd", "learning_rate": 0.001},
        {"solver": "minibatch", "learning_rate": 0.01, "batch_size": 16},
    ],
)
def test_stochastic_gradient_descent_gets_close_to_least_squares(params):
    X, Y = _multi_output()
    ref = sk.LinearRegression().fit(X, Y)
    ours = LinearRegression(random_state=0, max_iter=300, **params).fit(X, Y)
    assert_allclose(ours.coef_, ref.coef_, atol=2e-2 * _scale(ref.coef_))
    assert abs(ours.score(X, Y) - ref.score(X, Y)) < 1e-4
    again = LinearRegression(random_state=0, max_iter=300, **params).fit(X, Y)
    assert_array_equal(again.coef_, ours.coef_)  # random_state makes it reproducible
    X, y = _diabetes()
    ours = LinearRegression(random_state=0, max_iter=300, **params).fit(X, y)
    assert abs(ours.score(X, y) - sk.LinearRegression().fit(X, y).score(X, y)) < 1e-2


def test_gradient_descent_positive_and_no_intercept_match_sklearn():
    X, y = _diabetes()
    ours = LinearRegression(solver="batch", positive=True, learning_rate=0.2, max_iter=20000)
    ref = sk.LinearRegression(positive=True).fit(X, y)
    ours.fit(X, y)
    assert np.all(ours.coef_ >= 0)
    assert_array_equal(ours.coef_ == 0.0, ref.coef_ == 0.0)
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-4)
    X, Y = _multi_output()
    ours = LinearRegression(solver="batch", fit_intercept=False, learning_rate=0.5)
    ours.fit(X, Y)
    ref = sk.LinearRegression(fit_intercept=False).fit(X, Y)
    assert ours.intercept_ == 0.0
    assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-4, atol=1e-4 * _scale(Y))


def test_gradient_descent_warns_when_max_iter_is_hit_and_refuses_divergence():
    X, y = _diabetes()
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        model = LinearRegression(solver="batch", max_iter=3).fit(X, y)
    assert model.n_iter_ == 3
    assert issubclass(ConvergenceWarning, UserWarning)
    with pytest.raises(ValueError, match="diverged"):
        LinearRegression(solver="batch", learning_rate=50.0).fit(X, y)
    with pytest.raises(ValueError, match="diverged"):
        LinearRegression(solver="sgd", learning_rate=50.0, random_state=0).fit(X, y)


def test_lasso_warns_when_max_iter_is_hit():
    X, y = _diabetes()
    with pytest.warns(ConvergenceWarning, match="Duality gap"):
        model = Lasso(alpha=1e-4, max_iter=2).fit(X, y)
    assert model.n_iter_ == 2
    with pytest.warns(UserWarning, match="alpha=0"), pytest.warns(ConvergenceWarning):
        Lasso(alpha=0.0, max_iter=5).fit(X, y)


# -- sample weights -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: LinearRegression(),
        lambda: LinearRegression(positive=True),
        lambda: LinearRegression(solver="batch", learning_rate=0.5, max_iter=300),
        lambda: Ridge(alpha=3.0),
        lambda: Ridge(alpha=3.0, solver="svd"),
        lambda: Lasso(alpha=0.2, tol=1e-10),
    ],
)
def test_integer_sample_weight_equals_repeating_rows(make):
    X, Y = _multi_output()
    y = Y[:, 0]
    sw = _weights(len(y), seed=7)
    weighted = make()
    repeated = make()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted.fit(X, y, sample_weight=sw)
        repeated.fit(np.repeat(X, sw.astype(int), axis=0), np.repeat(y, sw.astype(int)))
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-6, atol=1e-7 * _scale(y))
    assert_allclose(weighted.intercept_, repeated.intercept_, rtol=1e-6, atol=1e-7 * _scale(y))


# -- numerical robustness -------------------------------------------------------------------------


def _gd(**kw):
    return LinearRegression(solver="batch", learning_rate=0.2, max_iter=3000, **kw)


ROBUST = {
    "LinearRegression": (LinearRegression, sk.LinearRegression, {}),
    "Ridge": (Ridge, sk.Ridge, {"alpha": 1.0}),
    "Lasso": (Lasso, sk.Lasso, {"alpha": 0.1}),
    "LinearRegression-batch": (_gd, sk.LinearRegression, {}),
}


@pytest.mark.parametrize("name", sorted(ROBUST))
@pytest.mark.parametrize("trouble", ["constant_column", "scaled_1e6"])
def test_constant_column_and_huge_scale_give_finite_sklearn_fits(name, trouble):
    ours_cls, ref_cls, params = ROBUST[name]
    X, y = _diabetes()
    if trouble == "constant_column":
        X = np.hstack([X, np.full((len(y), 1), 0.1)])
    else:
        X = X * 1e6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = ours_cls(**params).fit(X, y)
    ref = ref_cls(**params).fit(X, y)
    assert np.all(np.isfinite(ours.coef_)) and np.isfinite(ours.intercept_)
    pred = ours.predict(X)
    assert np.all(np.isfinite(pred))
    if name.endswith("batch"):  # approximate solver: close, and blind to the feature scale
        assert_allclose(pred, ref.predict(X), atol=1e-3 * _scale(y))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            plain = ours_cls(**params).fit(_diabetes()[0], y).predict(_diabetes()[0])
        if trouble == "scaled_1e6":
            assert_allclose(pred, plain, rtol=1e-8)
    else:
        assert_allclose(pred, ref.predict(X), rtol=1e-6)
    if trouble == "constant_column":
        assert abs(ours.coef_[-1]) < 1e-6 * _scale(ours.coef_)


# -- score ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("multi", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_score_is_r2_score(multi, weighted):
    X, Y = _multi_output()
    y = Y if multi else Y[:, 0]
    sw = _weights(len(y)) if weighted else None
    Xtr, Xte, ytr, yte = X[:80], X[80:], y[:80], y[80:]
    swte = None if sw is None else sw[80:]
    for model in (LinearRegression(), Ridge(alpha=10.0), Lasso(alpha=0.5)):
        model.fit(Xtr, ytr)
        expected = r2_score(yte, model.predict(Xte), sample_weight=swte)
        assert model.score(Xte, yte, sample_weight=swte) == pytest.approx(expected, rel=1e-12)


# -- bad input ------------------------------------------------------------------------------------

ALL = [LinearRegression, Ridge, Lasso, lambda: LinearRegression(solver="minibatch")]


@pytest.mark.parametrize("make", ALL)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_are_refused(make, bad):
    X, y = _diabetes()
    X_bad = X.copy()
    X_bad[3, 2] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        make().fit(X_bad, y)
    y_bad = y.copy()
    y_bad[5] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        make().fit(X, y_bad)
    model = make().fit(X, y)
    with pytest.raises(ValueError, match="NaN|infinity"):
        model.predict(X_bad)


@pytest.mark.parametrize("make", ALL)
def test_empty_strings_shapes_and_feature_counts(make):
    X, y = _diabetes()
    with pytest.raises(ValueError, match="0 sample"):
        make().fit(np.empty((0, 3)), np.empty(0))
    with pytest.raises(ValueError, match="0 feature"):
        make().fit(np.empty((5, 0)), np.zeros(5))
    with pytest.raises(ValueError, match="2D"):
        make().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        make().fit(X, y[:-1])
    with pytest.raises(ValueError):
        make().fit([["a", "b"], ["c", "d"]], [1.0, 2.0])
    with pytest.raises(ValueError):
        make().fit(X[:4, :2], ["a", "b", "c", "d"])
    with pytest.raises(NotFittedError):
        make().predict(X)
    model = make().fit(X, y)
    with pytest.raises(ValueError, match="X has 9 features, but .* expecting 10 features"):
        model.predict(X[:, :9])
    with pytest.raises(ValueError):
        model.predict([["a"] * 10])


@pytest.mark.parametrize("make", ALL)
def test_bad_sample_weight(make):
    X, y = _diabetes()
    with pytest.raises(ValueError, match="Negative"):
        make().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="shape"):
        make().fit(X, y, sample_weight=np.ones(len(y) - 1))
    with pytest.raises(ValueError, match="non-zero"):
        make().fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="NaN|infinity"):
        make().fit(X, y, sample_weight=np.full(len(y), np.nan))


@pytest.mark.parametrize(
    "model, match",
    [
        (Ridge(alpha=-1.0), "alpha"),
        (Ridge(alpha=np.array([1.0, -1.0, 2.0])), "alpha"),
        (Ridge(alpha=np.array([1.0, 2.0])), "number of penalties"),
        (Ridge(alpha="big"), "alpha"),
        (Ridge(alpha=np.array(-2.0)), "alpha"),
        (Ridge(alpha=[[1.0, np.inf, 1.0]]), "alpha"),
        (Ridge(solver="sag"), "solver"),
        (Ridge(max_iter=0), "max_iter"),
        (Lasso(alpha=-0.1), "alpha"),
        (Lasso(alpha=np.nan), "alpha"),
        (Lasso(selection="greedy"), "selection"),
        (Lasso(max_iter=0), "max_iter"),
        (Lasso(tol=-1.0), "tol"),
        (LinearRegression(solver="newton"), "solver"),
        (LinearRegression(solver="batch", learning_rate=0.0), "learning_rate"),
        (LinearRegression(solver="sgd", max_iter=1.5), "max_iter"),
        (LinearRegression(solver="minibatch", batch_size=0), "batch_size"),
        (LinearRegression(fit_intercept="yes"), "fit_intercept"),
    ],
)
def test_bad_hyperparameters(model, match):
    X, Y = _multi_output()
    with pytest.raises(ValueError, match=match):
        model.fit(X, Y)


def test_dataframe_feature_names_and_pipeline_use():
    pd = pytest.importorskip("pandas")
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _diabetes()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    model = Lasso(alpha=0.1).fit(frame, y)
    assert_array_equal(model.feature_names_in_, frame.columns.to_numpy(dtype=object))
    assert_allclose(model.predict(frame), sk.Lasso(alpha=0.1).fit(frame, y).predict(frame))
    for ours, ref in ((Ridge(), sk.Ridge()), (Lasso(alpha=0.1), sk.Lasso(alpha=0.1))):
        assert_allclose(cross_val_score(ours, X, y, cv=3), cross_val_score(ref, X, y, cv=3))
    grid = {"alpha": [0.01, 0.1, 1.0]}
    search = GridSearchCV(
        make_pipeline(StandardScaler(), Ridge()), {"ridge__" + k: v for k, v in grid.items()}, cv=3
    )
    ref = GridSearchCV(
        make_pipeline(StandardScaler(), sk.Ridge()),
        {"ridge__" + k: v for k, v in grid.items()},
        cv=3,
    )
    assert search.fit(X, y).best_params_ == ref.fit(X, y).best_params_
