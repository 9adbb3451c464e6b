"""SGDClassifier and SGDRegressor against independent oracles.

Oracles: scikit-learn's estimator checks; scikit-learn's own per-sample SGD (which
``batch_size=1`` must reproduce exactly where the step cap is inactive); exact minimisers
(Ridge, Lasso, ElasticNet, LogisticRegression, linear SVC) reached by full-batch descent;
scikit-learn's and scipy's loss formulas; central finite differences for every loss and for one
whole update; and cross-validated accuracy against scikit-learn's SGD, LogisticRegression and
LinearSVC.
"""

from __future__ import annotations

import functools
import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import expit, huber, log_expit
from sklearn import datasets
from sklearn import linear_model as sk
from sklearn.linear_model import _sgd_fast as sk_losses
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, LinearSVC

from lucidml.base import NotFittedError
from lucidml.exceptions import ConvergenceWarning
from lucidml.linear_model import SGDClassifier, SGDRegressor
from lucidml.linear_model import _stochastic as st
from tests.gradcheck import check_gradient, numeric_gradient

CLF_LOSSES = ["hinge", "log_loss", "modified_huber", "squared_hinge", "perceptron"]
REG_LOSSES = ["squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive"]


@functools.cache
def _data(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A scikit-learn toy data set with standardised features."""
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return StandardScaler().fit_transform(X), y


# -- the losses: values against scikit-learn / scipy, derivatives against finite differences ------

EPS = 0.3
# Margins z = y p and residuals r = p - y kept away from every kink (z in {-1, 0, 1}, r in
# {0, +-EPS}) so that finite differences see a smooth function.
MARGINS = np.array([-2.5, -1.4, -0.6, -0.2, 0.3, 0.8, 1.3, 2.2])
RESIDUALS = np.array([-1.7, -0.6, -0.22, -0.05, 0.07, 0.2, 0.45, 1.9])


def _loss_point(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Targets y and predictions p of shape (8, 3) for ``name``."""
    rng = np.random.default_rng(0)
    if name in REG_LOSSES:
        y = rng.normal(size=(8, 3)) * 3
        return y, y + rng.permutation(np.tile(RESIDUALS, 3)).reshape(8, 3)
    y = rng.choice([-1.0, 1.0], size=(8, 3))
    return y, y * rng.permutation(np.tile(MARGINS, 3)).reshape(8, 3)


def _reference_loss(name: str, y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The loss from scikit-learn's own loss objects (argument order p, y) or scipy."""
    objects = {
        "hinge": sk_losses.Hinge(1.0),
        "perceptron": sk_losses.Hinge(0.0),
        "modified_huber": sk_losses.ModifiedHuber(),
        "squared_hinge": sk_losses.SquaredHinge(1.0),
        "epsilon_insensitive": sk_losses.EpsilonInsensitive(EPS),
        "squared_epsilon_insensitive": sk_losses.SquaredEpsilonInsensitive(EPS),
    }
    if name in objects:
        return np.vectorize(objects[name].py_loss)(p, y)
    if name == "log_loss":
        return -log_expit(y * p)
    if name == "squared_error":
        return 0.5 * (p - y) ** 2
    return huber(EPS, p - y)  # scipy: r^2/2 inside, eps (|r| - eps/2) outside


@pytest.mark.parametrize("name", CLF_LOSSES + REG_LOSSES)
def test_loss_values_match_sklearn_and_gradients_match_finite_differences(name):
    value, grad = st._CLASSIFICATION_LOSSES[name]
    y, p = _loss_point(name)
    assert_allclose(value(y, p, EPS), _reference_loss(name, y, p), rtol=1e-12, atol=1e-12)
    check_gradient(lambda q: value(y, q, EPS), lambda q: grad(y, q, EPS), p)


def test_hinge_derivative_is_zero_beyond_the_margin_and_minus_y_inside():
    y = np.array([[1.0], [1.0], [-1.0], [-1.0]])
    p = np.array([[1.5], [0.5], [-1.5], [-0.5]])  # margins 1.5, 0.5, 1.5, 0.5
    assert_array_equal(st._hinge_grad(y, p), [[0.0], [-1.0], [0.0], [1.0]])
    assert_array_equal(st._hinge(y, p), [[0.0], [0.5], [0.0], [0.5]])


@pytest.mark.parametrize(
    "make, name, multiclass",
    [
        (SGDClassifier, "log_loss", False),
        (SGDClassifier, "modified_huber", True),
        (SGDClassifier, "squared_hinge", True),
        (SGDRegressor, "squared_error", False),
        (SGDRegressor, "huber", False),
    ],
)
def test_one_full_batch_update_is_the_weighted_gradient_of_the_objective(make, name, multiclass):
    # One epoch with one batch, no penalty and a tiny constant rate eta:
    # theta_1 = theta_0 - eta * sum_i s_i dL/dp x_i, so (theta_0 - theta_1) / (eta * sum_i s_i)
    # must be the gradient of E = sum_i s_i L_i / sum_i s_i (checked by finite differences).
    rng = np.random.default_rng(1)
    n, d = 40, 3
    X = rng.normal(size=(n, d))
    sw = rng.uniform(0.5, 2.0, size=n)
    is_clf = make is SGDClassifier
    y = rng.integers(0, 3 if multiclass else 2, size=n) if is_clf else rng.normal(size=n)
    K = 3 if multiclass else 1
    coef0, b0 = rng.normal(size=(K, d)) * 0.5, rng.normal(size=K) * 0.5
    eta = 1e-7
    est = make(
        loss=name,
        penalty=None,
        learning_rate="constant",
        eta0=eta,
        batch_size=n,
        max_iter=1,
        tol=None,
        shuffle=False,
    )
    est.fit(X, y, coef_init=coef0 if K > 1 else coef0[0], intercept_init=b0, sample_weight=sw)
    theta0 = np.hstack([coef0, b0[:, None]])
    theta1 = np.hstack([np.atleast_2d(est.coef_), est.intercept_[:, None]])
    update = (theta0 - theta1) / (eta * sw.sum())

    value = st._CLASSIFICATION_LOSSES[name][0]
    if is_clf:
        Y = np.where(y[:, None] == (np.arange(K) if K > 1 else 1), 1.0, -1.0)
    else:
        Y = y[:, None]

    def objective(theta):
        P = X @ theta[:, :d].T + theta[:, d]
        return float((sw[:, None] * value(Y, P, est.epsilon)).sum() / sw.sum())

    assert_allclose(update, numeric_gradient(objective, theta0), rtol=1e-5, atol=1e-8)


# -- batch_size=1 is scikit-learn's per-sample algorithm ------------------------------------------


@pytest.mark.parametrize(
    "loss, learning_rate",
    [
        ("hinge", "constant"),
        ("perceptron", "optimal"),  # the perceptron is never capped: checks the 'optimal' rule
        ("log_loss", "invscaling"),
        ("modified_huber", "constant"),
        ("squared_hinge", "invscaling"),
    ],
)
@pytest.mark.parametrize("dataset", ["breast_cancer", "iris"])
def test_batch_size_one_reproduces_sklearn_per_sample_sgd(loss, learning_rate, dataset):
    X, y = _data(dataset)
    params = dict(
        loss=loss,
        penalty=None,
        learning_rate=learning_rate,
        eta0=1e-3,
        max_iter=3,
        tol=None,
        shuffle=False,
    )
    ours = SGDClassifier(batch_size=1, **params).fit(X, y)
    ref = sk.SGDClassifier(**params).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9, atol=1e-12)
    assert ours.t_ == ref.t_ == 3 * len(y) + 1
    assert_array_equal(ours.predict(X), ref.predict(X))


@pytest.mark.parametrize("loss", ["squared_error", "huber", "epsilon_insensitive"])
def test_regressor_batch_size_one_reproduces_sklearn(loss):
    X, y = _data("diabetes")
    params = dict(loss=loss, penalty=None, max_iter=3, tol=None, shuffle=False)
    ours = SGDRegressor(batch_size=1, **params).fit(X, y)
    ref = sk.SGDRegressor(**params).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-9, atol=1e-12)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-9)


# -- full-batch descent reaches the exact minimisers -----------------------------------------------

FULL_BATCH = dict(learning_rate="constant", eta0=1.0, tol=None, max_iter=2000, batch_size=10_000)


@pytest.mark.parametrize("alpha", [0.05, 0.5])
def test_full_batch_l2_squared_error_is_ridge(alpha):
    X, y = _data("diabetes")
    ours = SGDRegressor(alpha=alpha, **FULL_BATCH).fit(X, y)
    ref = sk.Ridge(alpha=alpha * len(y)).fit(X, y)  # (1/2n)|r|^2 + a/2|w|^2 = Ridge(n a) / 2n
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-6, atol=1e-6)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8)


@pytest.mark.parametrize("penalty, alpha, l1_ratio", [("l1", 1.0, 1.0), ("elasticnet", 2.0, 0.8)])
def test_full_batch_l1_and_elasticnet_are_lasso_and_elasticnet_with_exact_zeros(
    penalty, alpha, l1_ratio
):
    X, y = _data("diabetes")
    ours = SGDRegressor(penalty=penalty, alpha=alpha, l1_ratio=l1_ratio, **FULL_BATCH).fit(X, y)
    ref = sk.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-12, max_iter=100_000).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-6)
    assert np.count_nonzero(ref.coef_ == 0) > 0
    assert_array_equal(ours.coef_ == 0, ref.coef_ == 0)  # the proximal step gives exact zeros


def test_full_batch_log_loss_is_logistic_regression():
    X, y = _data("breast_cancer")
    alpha = 0.05
    ours = SGDClassifier(loss="log_loss", alpha=alpha, **FULL_BATCH).fit(X, y)
    ref = sk.LogisticRegression(C=1 / (alpha * len(y)), tol=1e-12, max_iter=10_000).fit(X, y)
    assert_allclose(ours.coef_, ref.coef_, rtol=1e-5, atol=1e-6)
    assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-5)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-6)


def test_hinge_loss_margin_semantics_match_a_linear_svm():
    # Separable blobs: the L2-regularised hinge minimiser is the SVM, whose support vectors sit at
    # margin y p = 1 and every other sample beyond it.
    X, y = datasets.make_blobs(200, centers=[(-2, -2), (2, 2)], cluster_std=1.0, random_state=0)
    alpha = 1e-3
    ours = SGDClassifier(loss="hinge", alpha=alpha, **{**FULL_BATCH, "max_iter": 3000}).fit(X, y)
    svm = SVC(kernel="linear", C=1 / (alpha * len(y)), tol=1e-10).fit(X, y)
    assert_allclose(ours.coef_, svm.coef_, rtol=2e-3)
    assert_allclose(ours.intercept_, svm.intercept_, rtol=5e-3)
    margins = np.where(y == 1, 1.0, -1.0) * ours.decision_function(X)
    assert margins.min() == pytest.approx(1.0, abs=2e-3)
    assert_array_equal(ours.predict(X), ours.classes_[(ours.decision_function(X) > 0).astype(int)])


# -- quality against scikit-learn on the toy data sets ---------------------------------------------


def _cv_accuracy(make, X, y, seeds=(0, 1)) -> float:
    """Mean test accuracy over stratified folds (3 for the larger digits, else 5) and seeds."""
    scores = []
    folds = StratifiedKFold(3 if len(y) > 1000 else 5, shuffle=True, random_state=0)
    for train, test in folds.split(X, y):
        for seed in seeds:
            model = make(seed).fit(X[train], y[train])
            scores.append(model.score(X[test], y[test]))
    return float(np.mean(scores))


@pytest.mark.parametrize("dataset", ["iris", "wine", "breast_cancer", "digits"])
def test_accuracy_close_to_sklearn_sgd_logistic_regression_and_linear_svc(dataset):
    X, y = _data(dataset)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's convergence chatter
        best = max(
            _cv_accuracy(
                lambda s: sk.LogisticRegression(solver="newton-cg", max_iter=1000), X, y, seeds=(0,)
            ),
            _cv_accuracy(lambda s: LinearSVC(), X, y, seeds=(0,)),
        )
        ours, ref = [], []
        seeds = (0,) if dataset == "digits" else (0, 1)  # digits: keep the test fast
        for loss in ["hinge", "log_loss", "modified_huber"]:
            ours.append(
                _cv_accuracy(lambda s, L=loss: SGDClassifier(loss=L, random_state=s), X, y, seeds)
            )
            ref.append(
                _cv_accuracy(
                    lambda s, L=loss: sk.SGDClassifier(loss=L, random_state=s), X, y, seeds
                )
            )
    ours_arr, ref_arr = np.array(ours), np.array(ref)
    # Each loss within 3% of scikit-learn's SGD (its own seed-to-seed spread on iris is ~4%),
    # and within 2% on average over the three losses.
    assert np.all(ours_arr >= ref_arr - 0.03), (ours, ref)
    assert ours_arr.mean() >= ref_arr.mean() - 0.02, (ours, ref)
    # Against the exact solvers: 2%, except one-vs-rest on iris (scikit-learn's SGD is ~3-7% below
    # there too; the tiny folds hold 30 samples).
    assert ours_arr.mean() >= best - (0.05 if dataset == "iris" else 0.02), (ours, best)


@pytest.mark.parametrize("loss", ["squared_error", "squared_epsilon_insensitive"])
@pytest.mark.parametrize("alpha", [1e-4, 1e-2])
def test_diabetes_r2_within_002_of_ridge_at_the_same_alpha(loss, alpha):
    X, y = _data("diabetes")
    ridge = sk.Ridge(alpha=alpha * len(y)).fit(X, y).score(X, y)
    for seed in range(3):
        ours = SGDRegressor(loss=loss, alpha=alpha, random_state=seed).fit(X, y)
        assert abs(ours.score(X, y) - ridge) < 0.02
    ref = sk.SGDRegressor(loss=loss, alpha=alpha, random_state=0).fit(X, y).score(X, y)
    assert abs(ours.score(X, y) - ref) < 0.02


# -- probabilities ---------------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris"])
def test_log_loss_probabilities_are_sigmoids_normalised_one_vs_rest(dataset):
    X, y = _data(dataset)
    clf = SGDClassifier(loss="log_loss", random_state=0).fit(X, y)
    proba = clf.predict_proba(X)
    assert proba.shape == (len(y), len(clf.classes_))
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    scores = np.atleast_2d(clf.decision_function(X).T).T
    if scores.shape[1] == 1:
        expected = np.hstack([1 - expit(scores), expit(scores)])
    else:
        expected = expit(scores) / expit(scores).sum(axis=1, keepdims=True)
    assert_allclose(proba, expected, rtol=1e-12)
    assert_allclose(clf.predict_log_proba(X), np.log(proba), rtol=1e-12)
    assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X))


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris"])
def test_modified_huber_probabilities_follow_sklearn_formula(dataset):
    X, y = _data(dataset)
    clf = SGDClassifier(loss="modified_huber", random_state=0).fit(X, y)
    ref = sk.SGDClassifier(loss="modified_huber", random_state=0).fit(X, y)
    # Give scikit-learn's model our weights: its predict_proba then is the oracle for ours.
    ref.coef_, ref.intercept_ = clf.coef_.copy(), clf.intercept_.copy()
    assert_allclose(clf.predict_proba(X), ref.predict_proba(X), rtol=1e-12)
    assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge", "perceptron"])
def test_no_probabilities_for_margin_losses(loss):
    clf = SGDClassifier(loss=loss).fit(*_data("iris"))
    assert not hasattr(clf, "predict_proba")
    assert not hasattr(clf, "predict_log_proba")
    with pytest.raises(AttributeError, match="probability estimates are not available"):
        clf.predict_proba(_data("iris")[0])


# -- partial_fit, sample weights, class weights ----------------------------------------------------


def test_partial_fit_in_chunks_reaches_a_comparable_score():
    X, y = _data("digits")
    train, test = np.arange(len(y)) % 4 != 0, np.arange(len(y)) % 4 == 0
    full = SGDClassifier(loss="log_loss", random_state=0).fit(X[train], y[train])
    online = SGDClassifier(loss="log_loss", random_state=0)
    chunks = np.array_split(np.flatnonzero(train), 5)
    for _ in range(10):
        for idx in chunks:
            online.partial_fit(X[idx], y[idx], classes=np.arange(10))
    assert online.n_iter_ == 1
    assert online.t_ == 10 * train.sum() + 1
    assert online.score(X[test], y[test]) >= full.score(X[test], y[test]) - 0.03


def test_partial_fit_accepts_a_chunk_with_one_class_and_checks_classes():
    X, y = _data("iris")
    clf = SGDClassifier(random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        clf.partial_fit(X, y)
    clf.partial_fit(X[y == 0], y[y == 0], classes=[0, 1, 2])
    assert_array_equal(clf.classes_, [0, 1, 2])
    assert clf.coef_.shape == (3, 4)
    with pytest.raises(ValueError, match="not the same as on last call"):
        clf.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="do not exist in the initial classes"):
        clf.partial_fit(X[:3], [0, 1, 7])
    with pytest.raises(ValueError, match="X has 3 features"):
        clf.partial_fit(X[:, :3], y)
    with pytest.raises(ValueError, match="early_stopping should be False"):
        SGDClassifier(early_stopping=True).partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="balanced"):
        SGDClassifier(class_weight="balanced").partial_fit(X, y, classes=[0, 1, 2])


def test_regressor_partial_fit_continues_the_clock():
    X, y = _data("diabetes")
    reg = SGDRegressor(random_state=0)
    for _ in range(30):
        reg.partial_fit(X, y)
    assert reg.t_ == 30 * len(y) + 1
    assert reg.score(X, y) > 0.5


@pytest.mark.parametrize("make", [SGDClassifier, SGDRegressor])
def test_zero_sample_weights_equal_dropping_the_rows(make):
    X, y = _data("breast_cancer")
    sw = np.random.default_rng(0).integers(0, 2, size=len(y)).astype(float)
    weighted = make(random_state=3).fit(X, y, sample_weight=sw)
    dropped = make(random_state=3).fit(X[sw > 0], y[sw > 0])
    assert_array_equal(weighted.coef_, dropped.coef_)
    assert_array_equal(weighted.intercept_, dropped.intercept_)


@pytest.mark.parametrize("loss", ["hinge", "log_loss"])
def test_integer_weights_act_as_repeated_rows(loss):
    X, y = _data("iris")
    sw = np.random.default_rng(0).integers(0, 4, size=len(y))
    rep_X, rep_y = np.repeat(X, sw, axis=0), np.repeat(y, sw)
    # Exactly, when one batch covers the data (batch gradient descent) ...
    full = dict(loss=loss, batch_size=1000, random_state=0)
    weighted = SGDClassifier(**full).fit(X, y, sample_weight=sw)
    repeated = SGDClassifier(**full).fit(rep_X, rep_y)
    assert_allclose(weighted.coef_, repeated.coef_, rtol=1e-8, atol=1e-10)
    assert weighted.t_ == repeated.t_
    # ... and statistically with mini-batches.
    acc_w = [SGDClassifier(loss=loss, random_state=s).fit(X, y, sample_weight=sw) for s in range(5)]
    acc_r = [SGDClassifier(loss=loss, random_state=s).fit(rep_X, rep_y) for s in range(5)]
    assert (
        abs(np.mean([m.score(X, y) for m in acc_w]) - np.mean([m.score(X, y) for m in acc_r]))
        < 0.03
    )


def test_balanced_class_weight_equals_the_explicit_dict_and_helps_the_minority():
    X, y = _data("breast_cancer")
    keep = np.flatnonzero(y == 1)[:60].tolist() + np.flatnonzero(y == 0).tolist()
    X, y = X[keep], y[keep]
    counts = np.bincount(y)
    explicit = {k: len(y) / (2 * counts[k]) for k in (0, 1)}
    a = SGDClassifier(class_weight="balanced", random_state=0).fit(X, y)
    b = SGDClassifier(class_weight=explicit, random_state=0).fit(X, y)
    assert_array_equal(a.coef_, b.coef_)
    heavy = SGDClassifier(class_weight={0: 1.0, 1: 50.0}, random_state=0).fit(X, y)
    plain = SGDClassifier(random_state=0).fit(X, y)
    assert (heavy.predict(X) == 1).sum() > (plain.predict(X) == 1).sum()
    with pytest.raises(ValueError, match="not in class_weight"):
        SGDClassifier(class_weight={0: 1.0, 5: 2.0}).fit(X, y)


# -- stopping, schedules, warm start, averaging ----------------------------------------------------


def test_convergence_warning_when_max_iter_is_hit():
    X, y = _data("iris")
    assert issubclass(ConvergenceWarning, UserWarning)
    with pytest.warns(ConvergenceWarning, match="Maximum number of iteration"):
        clf = SGDClassifier(max_iter=2, random_state=0).fit(X, y)
    assert clf.n_iter_ == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SGDClassifier(max_iter=2, tol=None, random_state=0).fit(X, y)  # no rule, no warning


@pytest.mark.parametrize("make, dataset", [(SGDClassifier, "digits"), (SGDRegressor, "diabetes")])
def test_early_stopping_and_adaptive_rate_stop_before_max_iter(make, dataset):
    X, y = _data(dataset)
    est = make(early_stopping=True, random_state=0).fit(X, y)
    assert 1 <= est.n_iter_ < est.max_iter
    adaptive = make(learning_rate="adaptive", eta0=0.01, random_state=0).fit(X, y)
    assert 1 <= adaptive.n_iter_ < adaptive.max_iter
    assert adaptive.score(X, y) > (0.9 if make is SGDClassifier else 0.45)


def test_schedules_match_sklearn_formulas():
    # "optimal": 1 / (alpha (t0 + t)) with eta_0 = alpha^(-1/4); "invscaling" starts at eta0.
    alpha = 1e-4
    opt = SGDClassifier(alpha=alpha)._schedule(for_partial_fit=False)
    assert opt(0) == pytest.approx(alpha**-0.25)
    assert opt(1000) == pytest.approx(1 / (alpha * (1 / (alpha * alpha**-0.25) + 1000)))
    inv = SGDRegressor(eta0=0.02, power_t=0.25)._schedule(for_partial_fit=False)
    assert inv(0) == pytest.approx(0.02)
    assert inv(15) == pytest.approx(0.02 / 16**0.25)


def test_warm_start_and_coef_init_continue_from_the_previous_weights():
    X, y = _data("breast_cancer")
    first = SGDClassifier(max_iter=1, tol=None, random_state=0).fit(X, y)
    warm = SGDClassifier(max_iter=1, tol=None, warm_start=True, random_state=0).fit(X, y)
    coef_after_one = warm.coef_.copy()
    warm.fit(X, y)
    cold = SGDClassifier(max_iter=1, tol=None, random_state=0)
    cold.fit(X, y, coef_init=coef_after_one, intercept_init=first.intercept_)
    assert_array_equal(warm.coef_, cold.coef_)
    assert not np.array_equal(warm.coef_, coef_after_one)


def test_average_reports_the_mean_of_the_iterates():
    X, y = _data("diabetes")
    n = len(y)
    plain = SGDRegressor(batch_size=n, learning_rate="constant", eta0=0.01, max_iter=4, tol=None)
    iterates = []
    for k in range(1, 5):
        iterates.append(np.append(plain.set_params(max_iter=k).fit(X, y).coef_, plain.intercept_))
    avg = SGDRegressor(
        batch_size=n, learning_rate="constant", eta0=0.01, max_iter=4, tol=None, average=True
    ).fit(X, y)
    assert_allclose(np.append(avg.coef_, avg.intercept_), np.mean(iterates, axis=0), rtol=1e-10)


def test_float32_stays_float32_and_attributes_have_sklearn_shapes():
    X, y = _data("iris")
    clf = SGDClassifier(random_state=0).fit(X.astype(np.float32), y)
    assert clf.coef_.dtype == np.float32 and clf.coef_.shape == (3, 4)
    assert clf.intercept_.shape == (3,)
    assert clf.t_ == clf.n_iter_ * len(y) + 1
    binary = SGDClassifier(random_state=0).fit(X, y == 2)
    assert binary.coef_.shape == (1, 4) and binary.intercept_.shape == (1,)
    assert binary.decision_function(X).shape == (len(y),)
    reg = SGDRegressor(random_state=0).fit(X, y.astype(float))
    assert reg.coef_.shape == (4,) and reg.intercept_.shape == (1,)


def test_string_labels_pickle_and_sklearn_pipeline_search_cross_validation():
    X, y = _data("wine")
    labels = np.array(["a", "b", "c"])[y]
    clf = SGDClassifier(loss="log_loss", random_state=0).fit(X, labels)
    assert set(clf.predict(X)) <= set(labels)
    again = pickle.loads(pickle.dumps(clf))
    assert_array_equal(again.predict_proba(X), clf.predict_proba(X))
    raw_X = datasets.load_wine(return_X_y=True)[0]
    pipe = make_pipeline(StandardScaler(), SGDClassifier(random_state=0))
    assert cross_val_score(pipe, raw_X, y, cv=3).mean() > 0.9
    grid = GridSearchCV(SGDRegressor(random_state=0), {"alpha": [1e-4, 1e-2]}, cv=3)
    grid.fit(*_data("diabetes"))
    assert grid.best_score_ > 0.4


def test_squared_error_does_not_blow_up_on_correlated_features_with_a_constant_rate():
    # A batch sums 32 per-sample steps: without the step cap this setting diverges.
    rng = np.random.default_rng(0)
    d, rho = 50, 0.5
    C = np.full((d, d), rho) + (1 - rho) * np.eye(d)
    X = rng.normal(size=(2000, d)) @ np.linalg.cholesky(C).T
    y = X @ rng.normal(size=d) + rng.normal(size=2000)
    ours = SGDRegressor(learning_rate="constant", random_state=0).fit(X, y)
    ref = sk.SGDRegressor(learning_rate="constant", random_state=0).fit(X, y)
    assert ours.score(X, y) >= ref.score(X, y) - 0.01


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [SGDClassifier, SGDRegressor])
def test_bad_input_is_refused(make):
    X, y = _data("iris")
    y = y if make is SGDClassifier else y.astype(float)
    for bad in (np.nan, np.inf):
        Xb = X.copy()
        Xb[3, 1] = bad
        with pytest.raises(ValueError, match="NaN|infinity"):
            make().fit(Xb, y)
    with pytest.raises(ValueError, match="0 sample"):
        make().fit(np.empty((0, 4)), [])
    with pytest.raises(ValueError, match="Expected 2D array"):
        make().fit(X[:, 0], y)
    with pytest.raises(ValueError):
        make().fit(np.array([["a", "b"], ["c", "d"]]), y[:2])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        make().fit(X, y[:-1])
    with pytest.raises(NotFittedError):
        make().predict(X)
    est = make(random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="X has 3 features, but .* is expecting 4"):
        est.predict(X[:, :3])
    with pytest.raises(ValueError, match="NaN"):
        est.predict(np.full((2, 4), np.nan))
    with pytest.raises(ValueError, match="non-zero"):
        make().fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="Negative"):
        make().fit(X, y, sample_weight=-np.ones(len(y)))
    for name, value in [
        ("loss", "hinge" if make is SGDRegressor else "squared_loss"),
        ("loss", "nope"),
        ("penalty", "l3"),
        ("learning_rate", "fast"),
        ("alpha", -1.0),
        ("l1_ratio", 1.5),
        ("max_iter", 0),
        ("batch_size", 0),
        ("validation_fraction", 1.0),
        ("n_iter_no_change", 0),
        ("tol", -1.0),
        ("average", -1),
        ("shuffle", "yes"),
    ]:
        with pytest.raises(ValueError, match=f"'{name}' parameter"):
            make(**{name: value}).fit(X, y)
    with pytest.raises(ValueError, match="alpha must be > 0"):
        make(alpha=0.0, learning_rate="optimal").fit(X, y)
    with pytest.raises(ValueError, match="eta0 must be > 0"):
        make(eta0=0.0, learning_rate="constant").fit(X, y)


def test_classifier_refuses_one_class_and_continuous_targets():
    X, y = _data("iris")
    with pytest.raises(ValueError, match="got 1 class"):
        SGDClassifier().fit(X[y == 0], y[y == 0])
    with pytest.raises(ValueError, match="Unknown label type"):
        SGDClassifier().fit(X, y + 0.5)
    with pytest.raises(ValueError, match="overflow"):
        SGDRegressor().fit(X * 1e200, y.astype(float))
