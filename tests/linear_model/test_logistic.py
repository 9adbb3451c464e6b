"""LogisticRegression against scikit-learn (the oracle), finite differences, and bad input."""

from __future__ import annotations

import functools
import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import optimize
from scipy.special import expit, log_expit, log_softmax, softmax
from sklearn import datasets
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from lucidml.base import NotFittedError
from lucidml.exceptions import ConvergenceWarning
from lucidml.linear_model import LogisticRegression
from lucidml.linear_model._logistic import _LogisticLoss, _Prox
from tests.gradcheck import check_gradient

SOLVERS = ["lbfgs", "newton", "batch", "sgd", "minibatch"]
GD_SOLVERS = ["batch", "sgd", "minibatch"]
DATASETS = {
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
    "digits": datasets.load_digits,
}
# Enough iterations for each solver to get close to the optimum on the standardised data sets.
CONVERGED = {
    "lbfgs": {"tol": 1e-10, "max_iter": 10_000},
    "newton": {"tol": 1e-10, "max_iter": 1_000},
    "batch": {"tol": 1e-6, "max_iter": 5_000},
    "sgd": {"tol": 1e-5, "max_iter": 150, "random_state": 0},
    "minibatch": {"tol": 1e-5, "max_iter": 400, "random_state": 0},
}


@pytest.fixture(autouse=True, scope="module")
def _one_blas_thread():
    # These problems are small: on a busy 2-core machine, threaded BLAS spends far longer
    # synchronising its threads than multiplying (tens of seconds instead of a fraction).
    with threadpool_limits(limits=1, user_api="blas"):
        yield


@functools.cache
def _data(name: str) -> tuple[np.ndarray, np.ndarray]:
    X, y = DATASETS[name](return_X_y=True)
    return StandardScaler().fit_transform(X), y


@functools.cache
def _sklearn(name: str, **params) -> SkLogisticRegression:
    X, y = _data(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SkLogisticRegression(**params).fit(X, y)


def _fit(solver: str, X, y, **params) -> LogisticRegression:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return LogisticRegression(solver=solver, **{**CONVERGED[solver], **params}).fit(X, y)


# -- against scikit-learn on real data ------------------------------------------------------------


@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
@pytest.mark.parametrize("name", list(DATASETS))
def test_second_order_solvers_match_sklearn_coefficients(name, solver):
    X, y = _data(name)
    sk = _sklearn(name, tol=1e-10, max_iter=10_000)
    ours = _fit(solver, X, y)
    scale = np.max(np.abs(sk.coef_))
    assert ours.coef_.shape == sk.coef_.shape
    assert_allclose(ours.coef_, sk.coef_, rtol=1e-3, atol=1e-3 * scale)
    assert_allclose(ours.intercept_, sk.intercept_, rtol=1e-3, atol=1e-3 * scale)
    assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=1e-5)
    assert_array_equal(ours.classes_, sk.classes_)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("name", list(DATASETS))
def test_accuracy_and_log_loss_match_sklearn(name, solver):
    X, y = _data(name)
    sk = _sklearn(name, tol=1e-10, max_iter=10_000)
    ours = _fit(solver, X, y)
    assert abs(ours.score(X, y) - sk.score(X, y)) <= 0.01
    ll_ours, ll_sk = log_loss(y, ours.predict_proba(X)), log_loss(y, sk.predict_proba(X))
    assert abs(ll_ours - ll_sk) <= 0.02 * ll_sk


def _l1_objective(model, X, y, C=1.0):
    """C * sum of log losses + ||W||_1, computed with scikit-learn's log_loss."""
    return C * log_loss(y, model.predict_proba(X), normalize=False) + np.abs(model.coef_).sum()


@pytest.mark.parametrize("solver", GD_SOLVERS)
@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer"])
def test_l1_matches_sklearn_and_gives_exact_zeros(name, solver):
    X, y = _data(name)
    if name == "breast_cancer":
        # liblinear penalises the intercept; a large intercept_scaling makes that negligible.
        sk = _sklearn(name, solver="liblinear", l1_ratio=1.0, intercept_scaling=100.0, tol=1e-10)
    else:
        sk = _sklearn(name, solver="saga", l1_ratio=1.0, tol=1e-8, max_iter=5_000)
    params = {"max_iter": 300} if solver == "sgd" else {}
    ours = _fit(solver, X, y, penalty="l1", **params)
    ll_ours, ll_sk = log_loss(y, ours.predict_proba(X)), log_loss(y, sk.predict_proba(X))
    assert abs(ll_ours - ll_sk) <= 0.02 * ll_sk
    assert _l1_objective(ours, X, y) <= 1.005 * _l1_objective(sk, X, y)
    n_zero_sk = np.sum(sk.coef_ == 0)
    assert n_zero_sk > 0
    assert np.sum(ours.coef_ == 0) >= 0.75 * n_zero_sk
    if solver == "batch":  # converged: the same sparsity pattern
        assert_array_equal(ours.coef_ == 0, sk.coef_ == 0)


@pytest.mark.parametrize("solver", GD_SOLVERS)
def test_elasticnet_matches_sklearn_saga(solver):
    X, y = _data("wine")
    sk = _sklearn("wine", solver="saga", l1_ratio=0.5, C=0.5, tol=1e-10, max_iter=10_000)
    ours = _fit(solver, X, y, penalty="elasticnet", l1_ratio=0.5, C=0.5)
    assert_allclose(ours.predict_proba(X), sk.predict_proba(X), atol=2e-3)
    if solver == "batch":
        assert_allclose(ours.coef_, sk.coef_, atol=1e-3)


def test_no_penalty_matches_sklearn_on_overlapping_classes():
    X, y = datasets.make_classification(
        n_samples=300, n_features=5, n_informative=5, n_redundant=0, flip_y=0.2, random_state=0
    )
    sk = SkLogisticRegression(C=np.inf, tol=1e-10, max_iter=10_000).fit(X, y)
    for solver in ["lbfgs", "newton", "batch"]:
        ours = _fit(solver, X, y, penalty=None)
        assert_allclose(ours.coef_, sk.coef_, rtol=1e-3, atol=1e-4)
        assert_allclose(ours.intercept_, sk.intercept_, rtol=1e-3, atol=1e-4)


def test_works_in_pipeline_grid_search_and_cross_validation():
    X, y = datasets.load_breast_cancer(return_X_y=True)
    ours = cross_val_score(make_pipeline(StandardScaler(), LogisticRegression()), X, y, cv=3)
    sk = cross_val_score(make_pipeline(StandardScaler(), SkLogisticRegression()), X, y, cv=3)
    assert_allclose(ours, sk, atol=1e-9)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression()),
        {"logisticregression__C": [0.01, 1.0]},
        cv=3,
    ).fit(X, y)
    assert search.best_params_["logisticregression__C"] in (0.01, 1.0)


# -- the objective and its derivatives ------------------------------------------------------------


def _problem(n_out: int, fit_intercept: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    n, d = 40, 5
    X = rng.normal(size=(n, d))
    y_idx = rng.integers(0, max(n_out, 2), size=n)
    w = rng.uniform(0.1, 2.0, size=n)
    loss = _LogisticLoss(X, y_idx, n_out, w / w.sum(), fit_intercept)
    theta = rng.normal(size=loss.size)
    return loss, theta, X, y_idx, w


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_out", [1, 3])
def test_loss_value_equals_weighted_log_loss_plus_penalty(n_out, fit_intercept):
    loss, theta, X, y_idx, w = _problem(n_out, fit_intercept)
    alpha = 0.3
    W, b = loss.split(theta)
    Z = X @ W.T + (b if b is not None else 0.0)
    if n_out == 1:
        P = np.column_stack([expit(-Z[:, 0]), expit(Z[:, 0])])
    else:
        P = softmax(Z, axis=1)
    expected = log_loss(y_idx, P, sample_weight=w, labels=np.arange(P.shape[1]))
    expected += 0.5 * alpha * np.sum(W**2)
    value, _ = loss.loss_grad(theta, alpha)
    assert_allclose(value, expected, rtol=1e-12)
    assert_allclose(loss.value(theta) + 0.5 * alpha * np.sum(W**2), expected, rtol=1e-12)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_out", [1, 3])
def test_gradient_and_hessian_vector_product_match_finite_differences(n_out, fit_intercept):
    loss, theta, *_ = _problem(n_out, fit_intercept)
    alpha = 0.3
    check_gradient(
        lambda t: loss.loss_grad(t, alpha)[0], lambda t: loss.loss_grad(t, alpha)[1], theta
    )
    loss._want_hessian = True
    eye = np.eye(loss.size)
    check_gradient(
        lambda t: loss.loss_grad(t, alpha)[1],
        lambda t: np.column_stack([loss.hessp(t, e, alpha) for e in eye]),
        theta,
    )


def test_loss_is_finite_for_huge_scores():
    loss, theta, *_ = _problem(3, True)
    value, grad = loss.loss_grad(theta * 1e6)
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    loss1, theta1, *_ = _problem(1, True)
    value, grad = loss1.loss_grad(theta1 * 1e6)
    assert np.isfinite(value) and np.all(np.isfinite(grad))


@pytest.mark.parametrize("penalty,l1_ratio", [("l1", None), ("l2", None), ("elasticnet", 0.3)])
def test_proximal_step_solves_its_minimisation(penalty, l1_ratio):
    # prox(v) = argmin_u ||u - v||^2 / (2 step) + alpha R(u/scale), checked coordinate-wise.
    rng = np.random.default_rng(1)
    k, d, alpha, step = 2, 3, 0.7, 0.4
    scale = np.array([0.5, 1.0, 3.0])
    prox = _Prox(penalty, alpha, l1_ratio, scale, k, True)
    v = rng.normal(size=k * d + k)
    out = v.copy()
    prox(out, step)
    rho = {"l1": 1.0, "l2": 0.0, "elasticnet": l1_ratio}[penalty]
    s = np.concatenate([np.tile(scale, k), np.full(k, np.inf)])  # intercept: no penalty
    for j in range(v.size):

        def f(u, j=j):
            c = 1.0 / s[j]
            return (u - v[j]) ** 2 / (2 * step) + alpha * (
                rho * abs(u) * c + 0.5 * (1 - rho) * (u * c) ** 2
            )

        best = optimize.minimize_scalar(f, bracket=(-5, 5), tol=1e-12).x
        assert_allclose(out[j], best, atol=1e-6)
        if rho > 0 and abs(best) < 1e-6:
            assert out[j] == 0.0  # soft-thresholding gives exact zeros


# -- weights --------------------------------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
def test_integer_sample_weight_equals_repeated_rows(solver):
    X, y = _data("iris")
    rng = np.random.default_rng(0)
    sw = rng.integers(0, 4, size=len(y))
    params = {"max_iter": 60} if solver in ("sgd", "minibatch") else {}
    weighted = LogisticRegression(solver=solver, **{**CONVERGED[solver], **params})
    repeated = LogisticRegression(solver=solver, **{**CONVERGED[solver], **params})
    perm = rng.permutation(len(y))  # row order must not matter either
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        weighted.fit(X[perm], y[perm], sample_weight=sw[perm])
        repeated.fit(np.repeat(X, sw, axis=0), np.repeat(y, sw))
    tight = solver in GD_SOLVERS  # duplicates merged: the same computation
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-9 if tight else 1e-5, atol=1e-7)
    assert_allclose(weighted.predict_proba(X), repeated.predict_proba(X), atol=1e-7)


@pytest.mark.parametrize("solver", ["lbfgs", "newton"])
def test_class_weight_balanced_matches_sklearn(solver):
    X, y = _data("breast_cancer")
    X, y = X[:300], y[:300]  # unbalanced classes
    sk = SkLogisticRegression(class_weight="balanced", tol=1e-10, max_iter=10_000).fit(X, y)
    ours = _fit(solver, X, y, class_weight="balanced")
    assert_allclose(ours.coef_, sk.coef_, rtol=1e-3, atol=1e-4)
    sk_dict = SkLogisticRegression(class_weight={0: 3.0, 1: 0.5}, tol=1e-10, max_iter=10_000)
    ours_dict = _fit(solver, X, y, class_weight={0: 3.0, 1: 0.5})
    assert_allclose(ours_dict.coef_, sk_dict.fit(X, y).coef_, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("solver", SOLVERS)
def test_class_weight_balanced_equals_its_sample_weights(solver):
    X, y = _data("iris")
    keep = np.r_[0:50, 50:70, 100:150]  # class 1 under-represented
    X, y = X[keep], y[keep]
    counts = np.bincount(y)
    sw = (len(y) / (3 * counts))[y]
    params = {"max_iter": 60} if solver in ("sgd", "minibatch") else {}
    balanced = _fit(solver, X, y, class_weight="balanced", **params)
    manual = LogisticRegression(solver=solver, **{**CONVERGED[solver], **params})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        manual.fit(X, y, sample_weight=sw)
    assert_allclose(balanced.coef_, manual.coef_, rtol=1e-9, atol=1e-9)


def test_zero_sample_weights_equal_removed_rows():
    X, y = _data("wine")
    sw = np.ones(len(y))
    sw[::3] = 0.0
    for solver in SOLVERS:
        params = {"max_iter": 50} if solver in ("sgd", "minibatch") else {}
        a = LogisticRegression(solver=solver, **{**CONVERGED[solver], **params})
        b = LogisticRegression(solver=solver, **{**CONVERGED[solver], **params})
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            a.fit(X, y, sample_weight=sw)
            b.fit(X[sw > 0], y[sw > 0])
        assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-6)


# -- partial_fit ----------------------------------------------------------------------------------


@pytest.mark.parametrize("solver", ["sgd", "minibatch"])
def test_partial_fit_passes_approach_the_optimum(solver):
    X, y = _data("breast_cancer")
    sk = _sklearn("breast_cancer", tol=1e-10, max_iter=10_000)
    model = LogisticRegression(solver=solver, random_state=0, batch_size=4)
    for _ in range(40):
        model.partial_fit(X, y, classes=[0, 1])
    ll_ours, ll_sk = log_loss(y, model.predict_proba(X)), log_loss(y, sk.predict_proba(X))
    assert abs(ll_ours - ll_sk) <= 0.05 * ll_sk
    assert model.score(X, y) >= sk.score(X, y) - 0.01
    assert model.n_iter_.shape == (1,)


def test_partial_fit_streams_chunks_with_labels_seen_later():
    X, y = _data("iris")
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    rng = np.random.default_rng(0)
    first = np.flatnonzero(y == 0)[:30]  # the first chunk holds one class only
    rest = rng.permutation(np.setdiff1d(np.arange(len(y)), first))
    model = LogisticRegression(solver="sgd", random_state=0)
    for epoch in range(20):
        chunks = [first, *np.array_split(rest, 4)] if epoch == 0 else None
        for chunk in chunks or np.array_split(rng.permutation(len(y)), 5):
            model.partial_fit(X[chunk], labels[chunk], classes=np.unique(labels))
    assert_array_equal(model.classes_, np.unique(labels))
    assert model.coef_.shape == (3, 4)
    sk = _sklearn("iris", tol=1e-10, max_iter=10_000)
    assert model.score(X, labels) >= sk.score(X, y) - 0.03


def test_partial_fit_errors():
    X, y = _data("iris")
    model = LogisticRegression(solver="sgd")
    with pytest.raises(ValueError, match="classes must be passed"):
        model.partial_fit(X, y)
    model.partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="do not exist in the initial classes"):
        model.partial_fit(X, np.full(len(y), 7))
    with pytest.raises(ValueError, match="is not the same as on last call"):
        model.partial_fit(X, y, classes=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="X has 3 features"):
        model.partial_fit(X[:, :3], y)
    with pytest.raises(ValueError, match="at least 2 classes"):
        LogisticRegression(solver="sgd").partial_fit(X, y, classes=[0])
    for solver in ["lbfgs", "newton", "batch"]:
        assert not hasattr(LogisticRegression(solver=solver), "partial_fit")
        with pytest.raises(AttributeError, match="solver='sgd'"):
            LogisticRegression(solver=solver).partial_fit(X, y, classes=[0, 1, 2])


def test_partial_fit_binary_from_classes():
    X, y = _data("breast_cancer")
    model = LogisticRegression(solver="minibatch", random_state=0)
    model.partial_fit(X[:100], y[:100], classes=np.array([1, 0]))
    assert_array_equal(model.classes_, [0, 1])
    assert model.coef_.shape == (1, X.shape[1])
    assert model.decision_function(X).shape == (len(y),)


# -- labels and outputs ---------------------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
def test_string_labels(solver):
    X, y = _data("iris")
    names = np.array(["setosa", "versicolor", "virginica"], dtype=object)
    params = {"max_iter": 30} if solver in ("sgd", "minibatch") else {}
    numeric = _fit(solver, X, y, **params)
    text = _fit(solver, X, names[y], **params)
    assert_array_equal(text.classes_, names)
    assert_array_equal(text.predict(X), names[numeric.predict(X)])
    assert_allclose(text.predict_proba(X), numeric.predict_proba(X), rtol=1e-12)
    binary = _fit(solver, X[:100], np.array(["no", "yes"])[y[:100]], **params)
    assert_array_equal(binary.classes_, ["no", "yes"])
    assert set(binary.predict(X[:100])) <= {"no", "yes"}


@pytest.mark.parametrize("n_classes", [2, 3])
def test_output_shapes_and_stable_log_probabilities(n_classes):
    X, y = _data("iris")
    mask = y < n_classes
    X, y = X[mask], y[mask]
    model = LogisticRegression().fit(X, y)
    scores = model.decision_function(X)
    assert scores.shape == ((len(y),) if n_classes == 2 else (len(y), n_classes))
    assert_allclose(scores, (X @ model.coef_.T + model.intercept_).squeeze())
    assert model.predict_proba(X).shape == (len(y), n_classes)
    assert_allclose(model.predict_proba(X).sum(axis=1), 1.0)
    # Scaled-up weights: probabilities underflow to 0, log-probabilities stay finite and exact.
    model.coef_ = model.coef_ * 1e4
    model.intercept_ = model.intercept_ * 1e4
    z = model.decision_function(X)
    expected = (
        np.column_stack([log_expit(-z), log_expit(z)]) if n_classes == 2 else log_softmax(z, 1)
    )
    log_p = model.predict_log_proba(X)
    assert np.all(np.isfinite(log_p))
    assert np.min(log_p) < -1000
    assert_allclose(log_p, expected, rtol=1e-12, atol=1e-12)
    assert_array_equal(model.classes_[np.argmax(log_p, axis=1)], model.predict(X))


# -- robustness -----------------------------------------------------------------------------------


@pytest.mark.parametrize("solver", SOLVERS)
def test_separable_data_with_penalty_gives_finite_weights(solver):
    X = np.array([[-2.0, 1.0], [-1.0, 0.5], [-1.5, 0.0], [1.0, 0.3], [2.0, -1.0], [1.5, 0.2]])
    y = np.array([0, 0, 0, 1, 1, 1])
    penalties = ["l2"] if solver in ("lbfgs", "newton") else ["l2", "l1", "elasticnet"]
    for penalty in penalties:
        l1_ratio = 0.5 if penalty == "elasticnet" else None
        model = _fit(solver, X, y, penalty=penalty, l1_ratio=l1_ratio, C=100.0)
        assert np.all(np.isfinite(model.coef_)) and np.all(np.isfinite(model.intercept_))
        assert_array_equal(model.predict(X), y)
    with pytest.warns(ConvergenceWarning):  # no penalty: the weights grow until max_iter
        model = LogisticRegression(solver=solver, penalty=None, max_iter=5, tol=0.0).fit(X, y)
    assert np.all(np.isfinite(model.coef_))


@pytest.mark.parametrize("solver", SOLVERS)
def test_huge_and_constant_features_give_no_nan(solver):
    X, y = datasets.load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)[:, :8]
    big = X * 1e6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(solver=solver, random_state=0, max_iter=50).fit(big, y)
    for out in (model.coef_, model.intercept_, model.predict_proba(big)):
        assert np.all(np.isfinite(out))
    assert model.score(big, y) >= 0.9
    # A constant column changes nothing when there is an intercept.
    with_const = np.column_stack([X, np.full(len(y), 5.0)])
    params = {"max_iter": 40} if solver in ("sgd", "minibatch") else {}
    a = _fit(solver, with_const, y, **params)
    b = _fit(solver, X, y, **params)
    assert np.all(np.isfinite(a.coef_))
    assert_allclose(a.predict_proba(with_const), b.predict_proba(X), atol=1e-4)
    assert abs(a.coef_[0, -1]) < 1e-4


@pytest.mark.parametrize("solver", SOLVERS)
def test_convergence_warning_and_n_iter(solver):
    X, y = _data("digits")
    with pytest.warns(ConvergenceWarning, match="max_iter=2"):
        model = LogisticRegression(solver=solver, max_iter=2, tol=0.0, random_state=0).fit(X, y)
    assert model.n_iter_.shape == (1,) and model.n_iter_.dtype == np.int32
    assert 1 <= model.n_iter_[0] <= 2
    assert issubclass(ConvergenceWarning, UserWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        _fit(solver, *_data("iris"))  # enough iterations: no warning


@pytest.mark.parametrize("solver", ["lbfgs", "newton", "batch"])
def test_warm_start_starts_from_the_solution(solver):
    X, y = _data("wine")
    model = _fit(solver, X, y, warm_start=True, tol=1e-6)
    coef = model.coef_.copy()
    first = model.n_iter_[0]
    model.fit(X, y)
    assert model.n_iter_[0] <= max(2, first // 10)
    assert_allclose(model.coef_, coef, atol=1e-5)


def test_fit_intercept_false_matches_sklearn():
    X, y = _data("breast_cancer")
    sk = SkLogisticRegression(fit_intercept=False, tol=1e-10, max_iter=10_000).fit(X, y)
    for solver in ["lbfgs", "newton", "batch"]:
        ours = _fit(solver, X, y, fit_intercept=False)
        assert_array_equal(ours.intercept_, [0.0])
        assert_allclose(ours.coef_, sk.coef_, rtol=2e-3, atol=2e-3 * np.abs(sk.coef_).max())


def test_verbose_prints_nothing(capsys):
    X, y = _data("iris")
    for solver in SOLVERS:
        _fit(solver, X, y, verbose=True, max_iter=5)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_pickle_round_trip_gives_identical_predictions():
    X, y = _data("wine")
    model = _fit("sgd", X, y, max_iter=5)
    clone = pickle.loads(pickle.dumps(model))
    assert_array_equal(clone.predict_proba(X), model.predict_proba(X))
    clone.partial_fit(X, y)  # the stochastic state survives


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, match",
    [
        ([[0.0, np.nan], [1.0, 2.0]], "NaN"),
        ([[0.0, np.inf], [1.0, 2.0]], "infinity"),
        (np.empty((0, 2)), "0 sample"),
        ([["a", "b"], ["c", "d"]], "numeric|not numbers|convert"),
    ],
)
def test_bad_X_is_refused(X, match):
    with pytest.raises(ValueError, match=match):
        LogisticRegression().fit(X, [0, 1][: len(X)] if len(X) else [])


def test_bad_targets_are_refused():
    X = np.arange(8.0).reshape(4, 2)
    with pytest.raises(ValueError, match="at least 2 classes.*only one class"):
        LogisticRegression().fit(X, [1, 1, 1, 1])
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticRegression().fit(X, [0.1, 0.5, 0.2, 0.9])
    with pytest.raises(ValueError, match="NaN"):
        LogisticRegression().fit(X, [0.0, 1.0, np.nan, 1.0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LogisticRegression().fit(X, [0, 1, 0])
    with pytest.raises(ValueError, match="Negative values"):
        LogisticRegression().fit(X, [0, 1, 0, 1], sample_weight=[1, -1, 1, 1])
    with pytest.raises(ValueError, match="non-zero"):
        LogisticRegression().fit(X, [0, 1, 0, 1], sample_weight=np.zeros(4))


def test_predict_checks_features_and_fitted_state():
    X, y = _data("iris")
    with pytest.raises(NotFittedError):
        LogisticRegression().predict(X)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but LogisticRegression is expecting 4"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError, match="NaN"):
        model.predict_proba(np.where(X > 1, np.nan, X))
    with pytest.raises(ValueError, match="2D array"):
        model.predict(X[0])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"penalty": "l1"}, "'lbfgs'.*'l1'"),
        ({"penalty": "elasticnet", "solver": "newton", "l1_ratio": 0.5}, "'newton'.*'elastic"),
        ({"penalty": "l3"}, "Unknown penalty"),
        ({"solver": "adam"}, "Unknown solver"),
        ({"penalty": "elasticnet", "solver": "batch"}, "l1_ratio"),
        ({"penalty": "elasticnet", "solver": "batch", "l1_ratio": 1.5}, "l1_ratio"),
        ({"C": 0.0}, "C must be"),
        ({"C": -1.0}, "C must be"),
        ({"max_iter": 0}, "max_iter"),
        ({"tol": -1.0}, "tol"),
        ({"batch_size": 0}, "batch_size"),
        ({"learning_rate": -0.1}, "learning_rate"),
        ({"learning_rate": "fast"}, "learning_rate"),
        ({"class_weight": "even"}, "class_weight"),
        ({"class_weight": {5: 2.0}}, "class_weight"),
        ({"class_weight": {0: -2.0}}, "class_weight"),
    ],
)
def test_invalid_parameters_are_refused(params, match):
    X, y = _data("iris")
    with pytest.raises(ValueError, match=match):
        LogisticRegression(**params).fit(X, y)


def test_l1_ratio_without_elasticnet_warns():
    X, y = _data("iris")
    with pytest.warns(UserWarning, match="l1_ratio is only used"):
        LogisticRegression(l1_ratio=0.5).fit(X, y)
