"""Naive Bayes against scikit-learn (the oracle) and bad input; the estimator checks are common."""

from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.special import logsumexp, xlogy
from sklearn import datasets
from sklearn import naive_bayes as sk

from lucidml import naive_bayes as lm
from lucidml.base import NotFittedError

ESTIMATORS = ["GaussianNB", "MultinomialNB", "BernoulliNB", "CategoricalNB"]
DATASETS = {
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
    "digits": datasets.load_digits,
}
RTOL = ATOL = 1e-8


# -- data -----------------------------------------------------------------------------------------


@functools.cache
def _raw(name: str) -> tuple[np.ndarray, np.ndarray]:
    X, y = DATASETS[name](return_X_y=True)
    return X.astype(np.float64), y


def _binarised(X: np.ndarray) -> np.ndarray:
    """1 where a feature exceeds its median, else 0."""
    return (X > np.median(X, axis=0)).astype(np.float64)


def _categorical(X: np.ndarray, n_bins: int = 5) -> np.ndarray:
    """Quantile bins 0 .. n_bins-1 per feature."""
    edges = np.quantile(X, np.linspace(0.0, 1.0, n_bins + 1)[1:-1], axis=0)
    return np.sum(X[:, None, :] > edges[None, :, :], axis=1).astype(np.int64)


def _data_for(estimator: str, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Data suited to each model: raw (Gaussian, multinomial), 0/1, or integer categories."""
    X, y = _raw(name)
    if estimator == "BernoulliNB":
        return _binarised(X), y
    if estimator == "CategoricalNB":
        return _categorical(X), y
    return X, y


def _weights(n: int) -> np.ndarray:
    w = np.random.default_rng(0).uniform(0.0, 3.0, n)
    w[::7] = 0.0
    return w


def _priors(k: int) -> np.ndarray:
    p = np.arange(1.0, k + 1.0)
    return p / p.sum()


# -- comparison with scikit-learn -----------------------------------------------------------------

FITTED = {
    "GaussianNB": ["class_count_", "class_prior_", "theta_", "var_", "epsilon_"],
    "MultinomialNB": ["class_count_", "class_log_prior_", "feature_count_", "feature_log_prob_"],
    "BernoulliNB": ["class_count_", "class_log_prior_", "feature_count_", "feature_log_prob_"],
    "CategoricalNB": [
        "class_count_",
        "class_log_prior_",
        "category_count_",
        "feature_log_prob_",
        "n_categories_",
    ],
}


def _assert_same_model(ours, ref, X: np.ndarray, attrs: list[str]) -> None:
    assert_array_equal(ours.classes_, ref.classes_)
    assert ours.n_features_in_ == ref.n_features_in_
    for attr in attrs:
        a, b = getattr(ours, attr), getattr(ref, attr)
        if isinstance(b, list):  # CategoricalNB keeps one array per feature
            for u, v in zip(a, b, strict=True):
                assert_allclose(u, v, rtol=RTOL, atol=1e-12, err_msg=attr)
        else:
            assert_allclose(a, b, rtol=RTOL, atol=1e-12, err_msg=attr)
    assert_allclose(ours.predict_proba(X), ref.predict_proba(X), rtol=RTOL, atol=ATOL)
    assert_allclose(ours.predict_log_proba(X), ref.predict_log_proba(X), rtol=RTOL, atol=ATOL)
    assert_allclose(
        ours.predict_joint_log_proba(X), ref.predict_joint_log_proba(X), rtol=RTOL, atol=ATOL
    )
    assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.score(X, ref.predict(X)) == 1.0


PARAMS = {
    "GaussianNB": [{}, {"var_smoothing": 1e-5}, {"priors": "custom"}],
    "MultinomialNB": [
        {},
        {"alpha": 0.3, "fit_prior": False},
        {"alpha": "per_feature"},
        {"class_prior": "custom"},
    ],
    "BernoulliNB": [{}, {"alpha": 0.5, "fit_prior": False}, {"class_prior": "custom"}],
    "CategoricalNB": [{}, {"alpha": 0.2}, {"min_categories": 7}, {"class_prior": "custom"}],
}


def _resolve(params: dict, X: np.ndarray, y: np.ndarray) -> dict:
    out = dict(params)
    k = len(np.unique(y))
    for key in ("priors", "class_prior"):
        if out.get(key) == "custom":
            out[key] = _priors(k)
    if out.get("alpha") == "per_feature":
        out["alpha"] = np.linspace(0.1, 2.0, X.shape[1])
    return out


ORACLE_CASES = [
    (est, i, name) for est in ESTIMATORS for i in range(len(PARAMS[est])) for name in DATASETS
]


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize(("estimator", "param_idx", "dataset"), ORACLE_CASES)
def test_fit_matches_sklearn(estimator, param_idx, dataset, weighted):
    X, y = _data_for(estimator, dataset)
    params = _resolve(PARAMS[estimator][param_idx], X, y)
    sw = _weights(len(y)) if weighted else None
    ours = getattr(lm, estimator)(**params).fit(X, y, sample_weight=sw)
    ref = getattr(sk, estimator)(**params).fit(X, y, sample_weight=sw)
    _assert_same_model(ours, ref, X, FITTED[estimator])


def _chunks(n: int) -> list[np.ndarray]:
    """Shuffled rows split into uneven chunks."""
    order = np.random.default_rng(1).permutation(n)
    return np.split(order, [n // 10, n // 3, n // 2, (4 * n) // 5])


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("dataset", list(DATASETS))
@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_partial_fit_in_chunks_equals_single_fit(estimator, dataset, weighted):
    X, y = _data_for(estimator, dataset)
    sw = _weights(len(y)) if weighted else None
    model = getattr(lm, estimator)()
    for idx in _chunks(len(y)):
        model.partial_fit(
            X[idx], y[idx], classes=np.unique(y), sample_weight=None if sw is None else sw[idx]
        )
    ref = getattr(sk, estimator)().fit(X, y, sample_weight=sw)
    _assert_same_model(model, ref, X, FITTED[estimator])
    single = getattr(lm, estimator)().fit(X, y, sample_weight=sw)
    assert_allclose(model.predict_log_proba(X), single.predict_log_proba(X), rtol=1e-10)


def test_gaussian_partial_fit_with_a_class_missing_from_a_chunk():
    X, y = _raw("iris")
    first = y != 2
    model = lm.GaussianNB(priors=[0.2, 0.3, 0.5]).partial_fit(X[first], y[first], classes=[0, 1, 2])
    assert np.all(model.var_[2] == model.epsilon_)  # not seen yet: zero variance plus smoothing
    model.partial_fit(X[~first], y[~first])
    ref = sk.GaussianNB(priors=[0.2, 0.3, 0.5]).fit(X, y)
    _assert_same_model(model, ref, X, FITTED["GaussianNB"])


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_string_labels_and_dataframe_feature_names(estimator):
    pd = pytest.importorskip("pandas")
    X, y = _data_for(estimator, "iris")
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    ours = getattr(lm, estimator)().fit(frame, labels)
    ref = getattr(sk, estimator)().fit(frame, labels)
    assert_array_equal(ours.feature_names_in_, ref.feature_names_in_)
    _assert_same_model(ours, ref, frame, FITTED[estimator])
    with pytest.warns(UserWarning, match="feature names"):
        ours.predict(X)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_one_class_is_allowed_as_in_sklearn(estimator):
    X, _ = _data_for(estimator, "iris")
    y = np.full(len(X), 7)
    ours = getattr(lm, estimator)().fit(X, y)
    ref = getattr(sk, estimator)().fit(X, y)
    _assert_same_model(ours, ref, X, FITTED[estimator])
    assert_array_equal(ours.predict_proba(X), np.ones((len(X), 1)))


@pytest.mark.parametrize("estimator", ["MultinomialNB", "BernoulliNB"])
def test_force_alpha_false_clips_alpha_like_sklearn(estimator):
    X, y = _data_for(estimator, "wine")
    with pytest.warns(UserWarning, match="alpha too small"):
        ours = getattr(lm, estimator)(alpha=0.0, force_alpha=False).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = getattr(sk, estimator)(alpha=0.0, force_alpha=False).fit(X, y)
    _assert_same_model(ours, ref, X, FITTED[estimator])


def test_bernoulli_binarize_threshold_matches_sklearn():
    X, y = _raw("digits")
    ours = lm.BernoulliNB(binarize=4.0).fit(X, y)
    ref = sk.BernoulliNB(binarize=4.0).fit(X, y)
    _assert_same_model(ours, ref, X, FITTED["BernoulliNB"])


def test_unsmoothed_models_use_zero_log_zero_convention():
    """alpha=0: a feature never seen with a class makes that class impossible, not NaN."""
    X = np.array([[2.0, 0.0, 1.0], [1.0, 0.0, 3.0], [0.0, 4.0, 1.0], [0.0, 2.0, 0.0]])
    y = np.array([0, 0, 1, 1])
    Xt = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, 0.0], [1.0, 1.0, 1.0]])
    m = lm.MultinomialNB(alpha=0.0).fit(X, y)
    theta = np.array([[3.0, 0.0, 4.0], [0.0, 6.0, 1.0]])
    theta /= theta.sum(axis=1, keepdims=True)
    jll = xlogy(Xt[:, None, :], theta[None]).sum(axis=2) + np.log(0.5)
    assert_allclose(m.predict_joint_log_proba(Xt), jll)
    with np.errstate(invalid="ignore"):
        expected = jll - logsumexp(jll, axis=1, keepdims=True)
    assert_allclose(m.predict_log_proba(Xt)[:2], expected[:2])
    b = lm.BernoulliNB(alpha=0.0).fit(X, y)
    p = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.5]])
    Bt = (Xt > 0).astype(float)
    jll = (xlogy(Bt[:, None, :], p) + xlogy(1 - Bt[:, None, :], 1 - p)).sum(axis=2) + np.log(0.5)
    assert_allclose(b.predict_joint_log_proba(Xt), jll)
    assert np.all(np.isfinite(b.predict_proba(Xt)[:2]))


# -- numerical robustness -------------------------------------------------------------------------


def test_gaussian_zero_variance_feature_gives_finite_probabilities():
    X, y = _raw("iris")
    X = np.column_stack([X, np.full(len(X), 3.0)])
    ours = lm.GaussianNB().fit(X, y)
    _assert_same_model(ours, sk.GaussianNB().fit(X, y), X, FITTED["GaussianNB"])
    proba = ours.predict_proba(X + 0.5)
    assert np.all(np.isfinite(proba))
    assert_allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("var_smoothing", [1e-9, 0.0])
def test_gaussian_all_constant_or_unsmoothed_stays_finite(var_smoothing):
    X = np.ones((6, 3))
    y = np.array([0, 0, 0, 1, 1, 1])
    model = lm.GaussianNB(var_smoothing=var_smoothing).fit(X, y)
    assert model.epsilon_ > 0
    for Xt in (X, X + 1.0, np.zeros((2, 3))):
        assert np.all(np.isfinite(model.predict_log_proba(Xt)))
        assert_allclose(model.predict_proba(Xt), 0.5)
    # Feature constant within every class but not overall, without smoothing.
    X2 = np.array([[0.0, 1.0], [0.0, 2.0], [1.0, 3.0], [1.0, 5.0]])
    model = lm.GaussianNB(var_smoothing=0.0).fit(X2, [0, 0, 1, 1])
    proba = model.predict_proba(np.array([[0.0, 1.5], [1.0, 4.0], [0.5, 3.0]]))
    assert np.all(np.isfinite(proba))
    assert_allclose(proba[:2], [[1.0, 0.0], [0.0, 1.0]])


def test_gaussian_large_offset_features():
    X, y = _raw("wine")
    X = X * 1e6 + 1e9
    ours = lm.GaussianNB().fit(X, y)
    _assert_same_model(ours, sk.GaussianNB().fit(X, y), X, FITTED["GaussianNB"])


# -- bad input ------------------------------------------------------------------------------------


def _small(estimator: str) -> tuple[np.ndarray, np.ndarray]:
    X, y = _data_for(estimator, "iris")
    return X[::5].astype(np.float64), y[::5]


@pytest.mark.parametrize("estimator", ESTIMATORS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_are_refused(estimator, bad):
    X, y = _small(estimator)
    Xb = X.copy()
    Xb[3, 1] = bad
    with pytest.raises(ValueError, match="NaN|infinity"):
        getattr(lm, estimator)().fit(Xb, y)
    model = getattr(lm, estimator)().fit(X, y)
    for method in ("predict", "predict_proba", "predict_log_proba", "predict_joint_log_proba"):
        with pytest.raises(ValueError, match="NaN|infinity"):
            getattr(model, method)(Xb)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_bad_shapes_empty_strings_and_feature_counts(estimator):
    X, y = _small(estimator)
    cls = getattr(lm, estimator)
    with pytest.raises(ValueError, match="0 sample"):
        cls().fit(X[:0], y[:0])
    with pytest.raises(ValueError, match="0 feature"):
        cls().fit(X[:, :0], y)
    with pytest.raises(ValueError, match="Expected 2D array"):
        cls().fit(X[:, 0], y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        cls().fit(X, y[:-1])
    with pytest.raises(ValueError):
        cls().fit(np.full(X.shape, "a", dtype=object), y)
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        cls().fit(X, y + 0.5)
    model = cls().fit(X, y)
    with pytest.raises(ValueError, match=f"X has 3 features, but {estimator} is expecting 4"):
        model.predict(X[:, :3])
    with pytest.raises(ValueError, match="Expected 2D array"):
        model.predict(X[0])
    with pytest.raises(ValueError, match="0 sample"):
        model.predict_proba(X[:0])


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_unfitted_use_raises_not_fitted(estimator):
    X, _ = _small(estimator)
    model = getattr(lm, estimator)()
    for method in ("predict", "predict_proba", "predict_log_proba", "predict_joint_log_proba"):
        with pytest.raises(NotFittedError, match="not fitted yet"):
            getattr(model, method)(X)


@pytest.mark.parametrize("estimator", ["MultinomialNB", "CategoricalNB"])
def test_negative_values_are_refused(estimator):
    X, y = _small(estimator)
    Xn = X.copy()
    Xn[0, 0] = -1.0
    with pytest.raises(ValueError, match=f"Negative values in data passed to {estimator}"):
        getattr(lm, estimator)().fit(Xn, y)
    with pytest.raises(ValueError, match=f"Negative values in data passed to {estimator}"):
        getattr(lm, estimator)().partial_fit(Xn, y, classes=np.unique(y))


def test_categorical_refuses_negative_and_unseen_categories_at_predict():
    X, y = _small("CategoricalNB")
    model = lm.CategoricalNB().fit(X, y)
    Xt = X.copy()
    Xt[0, 0] = -1
    with pytest.raises(ValueError, match="Negative values"):
        model.predict(Xt)
    Xt[0, 0] = model.n_categories_[0]
    with pytest.raises(ValueError, match="min_categories"):
        model.predict(Xt)
    with pytest.raises(ValueError, match="integral type"):
        lm.CategoricalNB(min_categories=2.5).fit(X, y)
    with pytest.raises(ValueError, match="should have shape"):
        lm.CategoricalNB(min_categories=[3, 3]).fit(X, y)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_bad_priors(estimator):
    X, y = _small(estimator)
    key = "priors" if estimator == "GaussianNB" else "class_prior"
    cls = getattr(lm, estimator)
    with pytest.raises(ValueError, match="Number of priors must match number of classes"):
        cls(**{key: [0.5, 0.5]}).fit(X, y)
    with pytest.raises(ValueError, match="sum of the priors should be 1"):
        cls(**{key: [0.5, 0.5, 0.5]}).fit(X, y)
    with pytest.raises(ValueError, match="non-negative"):
        cls(**{key: [-0.5, 0.5, 1.0]}).fit(X, y)


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_bad_sample_weight(estimator):
    X, y = _small(estimator)
    cls = getattr(lm, estimator)
    with pytest.raises(ValueError, match="Negative values"):
        cls().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="non-zero"):
        cls().fit(X, y, sample_weight=np.zeros(len(y)))
    with pytest.raises(ValueError, match="expected"):
        cls().fit(X, y, sample_weight=np.ones(len(y) + 1))


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_partial_fit_misuse(estimator):
    X, y = _small(estimator)
    cls = getattr(lm, estimator)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        cls().partial_fit(X, y)
    model = cls().partial_fit(X, y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="is not the same as on last call"):
        model.partial_fit(X, y, classes=[0, 1])
    with pytest.raises(ValueError, match="do not exist in the initial classes"):
        model.partial_fit(X, np.where(y == 2, 5, y))
    with pytest.raises(ValueError, match="X has 3 features"):
        model.partial_fit(X[:, :3], y)


def test_bad_hyperparameters():
    X, y = _small("MultinomialNB")
    with pytest.raises(TypeError):
        lm.GaussianNB(var_smoothing="a").fit(X, y)
    with pytest.raises(ValueError, match="var_smoothing"):
        lm.GaussianNB(var_smoothing=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="alpha"):
        lm.MultinomialNB(alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="should contains `n_features` elements"):
        lm.MultinomialNB(alpha=[1.0, 1.0]).fit(X, y)
    with pytest.raises(ValueError, match="greater than 0"):
        lm.MultinomialNB(alpha=[1.0, -1.0, 1.0, 1.0]).fit(X, y)
    with pytest.raises(TypeError, match="alpha"):
        lm.CategoricalNB(alpha=[1.0, 1.0, 1.0, 1.0]).fit(X.astype(int), y)
    with pytest.raises(TypeError, match="fit_prior"):
        lm.BernoulliNB(fit_prior="yes").fit(X, y)
    with pytest.raises(ValueError, match="binarize"):
        lm.BernoulliNB(binarize=-1.0).fit(X, y)


def test_column_vector_y_warns_and_is_raveled():
    X, y = _small("GaussianNB")
    with pytest.warns(UserWarning, match="A column-vector y was passed"):
        model = lm.GaussianNB().fit(X, y[:, None])
    assert_array_equal(model.predict(X), lm.GaussianNB().fit(X, y).predict(X))


# -- inside scikit-learn's tools (its estimator checks run in tests/test_common.py) -----------


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_works_in_sklearn_pipeline_search_and_cross_validation(estimator):
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    X, y = _data_for(estimator, "wine")
    grid = {"var_smoothing": [1e-9, 1e-3]} if estimator == "GaussianNB" else {"alpha": [0.5, 1.0]}
    ours = cross_val_score(getattr(lm, estimator)(), X, y, cv=3)
    ref = cross_val_score(getattr(sk, estimator)(), X, y, cv=3)
    assert_allclose(ours, ref)
    search = GridSearchCV(getattr(lm, estimator)(), grid, cv=3).fit(X, y)
    ref_search = GridSearchCV(getattr(sk, estimator)(), grid, cv=3).fit(X, y)
    assert search.best_params_ == ref_search.best_params_
    pipe = make_pipeline(FunctionTransformer(), getattr(lm, estimator)()).fit(X, y)
    assert_allclose(
        pipe.predict_proba(X),
        getattr(sk, estimator)().fit(X, y).predict_proba(X),
        rtol=RTOL,
        atol=ATOL,
    )
