"""scikit-learn's own estimator checks over every lucidml estimator, with no expected failures.

Every public estimator class is discovered (``lucidml.base.all_estimators``) and checked in its
default configuration, plus the configurations listed in ``EXTRA`` that reach other code paths
(solvers, penalties, weightings). A new estimator is covered the moment it exists; ``FAST`` may
replace the default configuration where the default trains for longer than the checks need.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from lucidml.base import all_estimators
from lucidml.exceptions import ConvergenceWarning
from tests.estimators import REQUIRED

ESTIMATORS = dict(all_estimators())

# Default configurations replaced by quicker ones that exercise the same code.
FAST = {
    "MLPClassifier": dict(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=200, random_state=0
    ),
    "MLPRegressor": dict(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=300, random_state=0
    ),
}

# Further configurations: each reaches code the default does not.
EXTRA = {
    "LinearRegression": [dict(solver="batch")],
    "LogisticRegression": [
        dict(penalty=None),
        dict(solver="newton"),
        dict(solver="newton", penalty=None),
        dict(solver="batch", penalty="l1"),
        dict(solver="batch", penalty="elasticnet", l1_ratio=0.5),
        dict(solver="sgd"),
        dict(solver="minibatch", penalty="l1", batch_size=4),
        dict(solver="minibatch", penalty="elasticnet", l1_ratio=0.3),
    ],
    "SGDClassifier": [
        dict(loss=loss) for loss in ("log_loss", "modified_huber", "squared_hinge", "perceptron")
    ],
    "SGDRegressor": [
        dict(loss=loss) for loss in ("huber", "epsilon_insensitive", "squared_epsilon_insensitive")
    ],
    "SelectFromModel": [dict(max_features=2, threshold="0.5*median")],
    "VotingClassifier": [dict(voting="hard")],
    "GradientBoostingClassifier": [
        # validation_fraction=None: a held-out split of weighted rows cannot equal repeated rows
        dict(early_stopping=True, validation_fraction=None, n_iter_no_change=3, random_state=0)
    ],
    "GradientBoostingRegressor": [
        dict(early_stopping=True, validation_fraction=None, l2_regularization=1.0, max_depth=3)
    ],
    "CollinearityFilter": [dict(method="vif")],
    "KBinsDiscretizer": [dict(strategy="kmeans"), dict(encode="ordinal", strategy="uniform")],
    "OneHotEncoder": [dict(handle_unknown="infrequent_if_exist", min_frequency=2)],
    "OrdinalEncoder": [dict(handle_unknown="use_encoded_value", unknown_value=-1)],
    "SimpleImputer": [
        dict(strategy="most_frequent", add_indicator=True),
        dict(strategy="constant"),
    ],
    "NonlinearScaler": [dict(func="arctan"), dict(func="exp")],
    "MinMaxScaler": [dict(clip=True)],
    "StandardScaler": [dict(with_mean=False)],
    "KNeighborsClassifier": [dict(weights="distance")],
    "KNeighborsRegressor": [dict(weights="distance")],
    "MLPClassifier": [
        dict(
            hidden_layer_sizes=(8, 8),
            solver="sgd",
            learning_rate_init=0.05,
            max_iter=200,
            random_state=0,
        )
    ],
    "MLPRegressor": [
        dict(
            hidden_layer_sizes=(16,),
            solver="momentum",
            learning_rate_init=0.001,
            max_iter=300,
            random_state=0,
        )
    ],
}


def _needs_arguments(cls: type) -> bool:
    return any(
        p.default is inspect.Parameter.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        for p in list(inspect.signature(cls).parameters.values())
    )


def _build(name: str, params: dict | None = None) -> Any:
    cls = ESTIMATORS[name]
    if name in REQUIRED:
        return REQUIRED[name]() if params is None else REQUIRED[name]().set_params(**params)
    return cls(**(FAST.get(name, {}) if params is None else params))


def _instances():
    out = []
    for name, cls in ESTIMATORS.items():
        if _needs_arguments(cls) and name not in REQUIRED:
            continue  # test_every_estimator_can_be_built names it
        out.append(_build(name))
        out.extend(_build(name, params) for params in EXTRA.get(name, []))
    return out


def test_every_estimator_can_be_built():
    missing = [n for n, c in ESTIMATORS.items() if _needs_arguments(c) and n not in REQUIRED]
    assert not missing, f"add these to REQUIRED in tests/test_common.py: {missing}"


def test_discovery_finds_every_family():
    expected = {
        "GaussianNB",
        "MultinomialNB",
        "BernoulliNB",
        "CategoricalNB",
        "LinearRegression",
        "Ridge",
        "Lasso",
        "LogisticRegression",
        "KNeighborsClassifier",
        "KNeighborsRegressor",
        "MLPClassifier",
        "MLPRegressor",
    }
    assert expected <= set(ESTIMATORS)
    assert set(FAST) <= set(ESTIMATORS) and set(EXTRA) <= set(ESTIMATORS)


@parametrize_with_checks(_instances())
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def test_fit_and_predict_never_load_sklearn():
    # scikit-learn is a test dependency only: using any estimator must not import it.
    code = """
import inspect, sys, warnings
import numpy as np
from lucidml.base import all_estimators
rng = np.random.default_rng(0)
X = rng.uniform(size=(60, 4))
for name, cls in all_estimators():
    try:
        est = cls()
    except TypeError:  # a meta-estimator: it needs other estimators
        continue
    kind = getattr(est, "_estimator_type", None)
    y = (X[:, 0] > 0.5).astype(int) if kind == "classifier" else X @ [1, 2, 3, 4]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if list(inspect.signature(est.fit).parameters)[:1] == ["y"]:  # LabelEncoder: 1-D labels
            est.fit(X[:, 0] > 0.5).transform(X[:, 0] > 0.5)
            continue
        est.fit(X, (X[:, 0] > 0.5).astype(int) if name.startswith("Select") else y)
        getattr(est, "predict", None) and est.predict(X)
        getattr(est, "transform", None) and est.transform(X)
assert "sklearn" not in sys.modules, "scikit-learn was imported"
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr


PREDICTORS = sorted(
    n
    for n, c in ESTIMATORS.items()
    if getattr(c, "_estimator_type", None) in ("classifier", "regressor")
    and (n in REQUIRED or not _needs_arguments(c))
)


@pytest.mark.parametrize("name", PREDICTORS)
def test_works_in_sklearn_pipeline_grid_search_and_cross_val_score(name):
    from sklearn.base import clone as sk_clone
    from sklearn.datasets import load_diabetes, load_iris
    from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import KBinsDiscretizer, MinMaxScaler

    est = _build(name)
    if "random_state" in est.get_params():
        est.set_params(random_state=0)
    if est._estimator_type == "classifier":
        X, y = load_iris(return_X_y=True)
    else:
        X, y = load_diabetes(return_X_y=True)
        y = (y - y.mean()) / y.std()
    if name == "CategoricalNB":  # categories, not measurements
        prep, grid_params = KBinsDiscretizer(encode="ordinal"), {"kbinsdiscretizer__n_bins": [3, 4]}
    else:  # non-negative features suit every other model
        prep = MinMaxScaler(clip=True)
        grid_params = {"minmaxscaler__feature_range": [(0, 1), (0, 2)]}
    pipe = make_pipeline(prep, est)
    folds = KFold(3, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = cross_val_score(pipe, X, y, cv=folds)
        # The oracle: the same folds by hand, each on a fresh clone.
        manual = []
        for train, test in folds.split(X):
            fitted = sk_clone(pipe).fit(X[train], y[train])
            manual.append(fitted.score(X[test], y[test]))
        grid = GridSearchCV(pipe, grid_params, cv=folds).fit(X, y)
    np.testing.assert_allclose(scores, manual, rtol=1e-12)
    assert np.all(np.isfinite(scores))
    ((key, values),) = grid_params.items()
    assert grid.best_params_[key] in values
    assert np.isclose(grid.best_score_, max(grid.cv_results_["mean_test_score"]))


@pytest.mark.parametrize("name", PREDICTORS)
def test_scaled_and_constant_features_give_finite_answers(name):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    X[:, 1] *= 1e6  # a feature in other units
    X[:, 2] = 3.0  # a constant feature
    signal = X[:, 0] + X[:, 1] / 1e6
    est = _build(name)
    if name == "MultinomialNB":
        X = np.abs(X)
    if name == "CategoricalNB":
        X = np.floor(np.abs(X[:, [0, 2]]))
    y = (signal > 0).astype(int) if est._estimator_type == "classifier" else signal
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    for method in ("predict", "predict_proba", "decision_function"):
        if hasattr(est, method):
            out = np.asarray(getattr(est, method)(X), dtype=float)
            assert np.all(np.isfinite(out)), method


def test_linear_regression_is_exact_whatever_the_units():
    from lucidml.linear_model import LinearRegression

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    X[:, 1] *= 1e6
    X[:, 2] = 3.0
    y = X[:, 0] + X[:, 1] / 1e6
    np.testing.assert_allclose(LinearRegression().fit(X, y).predict(X), y, atol=1e-9)
