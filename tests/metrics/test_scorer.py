"""Scorers by name against scikit-learn's, on fitted scikit-learn estimators."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

import lucidml.metrics as lm

sk = pytest.importorskip("sklearn.metrics")
from sklearn.datasets import make_classification, make_regression  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge  # noqa: E402
from sklearn.model_selection import cross_val_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

REQUIRED = [
    "accuracy",
    "balanced_accuracy",
    "precision",
    "recall",
    "f1",
    "f1_macro",
    "f1_weighted",
    "f1_micro",
    "precision_macro",
    "recall_macro",
    "neg_log_loss",
    "roc_auc",
    "roc_auc_ovr",
    "r2",
    "neg_mean_squared_error",
    "neg_root_mean_squared_error",
    "neg_mean_absolute_error",
]
REGRESSION = {
    "r2",
    "explained_variance",
    "neg_mean_squared_error",
    "neg_root_mean_squared_error",
    "neg_mean_absolute_error",
}
CLASSIFICATION = [n for n in lm.get_scorer_names() if n not in REGRESSION]


def test_names():
    names = lm.get_scorer_names()
    assert names == sorted(names)
    assert set(REQUIRED) <= set(names)
    assert set(names) <= set(sk.get_scorer_names())


def _classification_data(n_classes: int, labels):
    X, y = make_classification(
        n_samples=150,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_classes=n_classes,
        random_state=n_classes,
    )
    y = np.asarray(labels)[y]
    half = X.shape[0] // 2
    est = LogisticRegression(max_iter=500).fit(X[:half], y[:half])
    weights = np.random.default_rng(0).random(X.shape[0] - half)
    return est, X[half:], y[half:], weights


def _both(ours, theirs, *args, **kwargs):
    results = []
    for scorer in (ours, theirs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                results.append(scorer(*args, **kwargs))
            except (ValueError, AttributeError) as exc:
                results.append(type(exc))
    return results


@pytest.mark.parametrize(
    "n_classes, labels",
    [(2, [0, 1]), (2, ["neg", "pos"]), (2, [-1, 1]), (3, [0, 1, 2]), (3, ["a", "b", "c"])],
)
def test_classification_scorers_equal_sklearn(n_classes, labels):
    est, X, y, w = _classification_data(n_classes, labels)
    n_valid = 0
    for name in CLASSIFICATION:
        ours, theirs = _both(lm.get_scorer(name), sk.get_scorer(name), est, X, y)
        if isinstance(theirs, type):
            assert ours is theirs, name  # both refuse (e.g. binary average on 3 classes)
            continue
        n_valid += 1
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15), name
        ours, theirs = _both(lm.get_scorer(name), sk.get_scorer(name), est, X, y, sample_weight=w)
        if isinstance(theirs, type):
            assert ours is theirs, name  # ovo refuses sample weights
            continue
        assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15), name
    assert n_valid >= 10


@pytest.mark.parametrize("multioutput", [False, True])
def test_regression_scorers_equal_sklearn(multioutput):
    X, y = make_regression(
        n_samples=120, n_features=5, n_targets=2 if multioutput else 1, noise=5.0, random_state=1
    )
    est = Ridge(alpha=3.0).fit(X[:60], y[:60])
    w = np.random.default_rng(1).random(60)
    for name in REGRESSION:
        ours = lm.get_scorer(name)(est, X[60:], y[60:])
        theirs = sk.get_scorer(name)(est, X[60:], y[60:])
        assert ours == pytest.approx(theirs, rel=1e-12), name
        ours = lm.get_scorer(name)(est, X[60:], y[60:], sample_weight=w)
        theirs = sk.get_scorer(name)(est, X[60:], y[60:], sample_weight=w)
        assert ours == pytest.approx(theirs, rel=1e-12), name
    assert lm.get_scorer("neg_mean_squared_error")(est, X[60:], y[60:]) < 0


def test_scorers_work_inside_sklearn_model_selection():
    est, X, y, _ = _classification_data(2, ["neg", "pos"])
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500))
    for name in ("accuracy", "neg_log_loss", "roc_auc", "f1_macro"):
        ours = cross_val_score(model, X, y, cv=3, scoring=lm.get_scorer(name))
        theirs = cross_val_score(model, X, y, cv=3, scoring=name)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    Xr, yr = make_regression(n_samples=60, n_features=3, random_state=0)
    ours = cross_val_score(LinearRegression(), Xr, yr, cv=3, scoring=lm.get_scorer("r2"))
    theirs = cross_val_score(LinearRegression(), Xr, yr, cv=3, scoring="r2")
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def _auc_for(y_true, y_score, pos_label=1):
    fpr, tpr, _ = lm.roc_curve(y_true, y_score, pos_label=pos_label)
    return lm.auc(fpr, tpr)


@pytest.mark.parametrize("response_method", ["decision_function", "predict_proba"])
@pytest.mark.parametrize("pos_label", ["neg", "pos"])
def test_make_scorer_pos_label_selects_and_orients_scores(response_method, pos_label):
    est, X, y, _ = _classification_data(2, ["neg", "pos"])
    kw = dict(response_method=response_method, pos_label=pos_label)
    ours = lm.make_scorer(_auc_for, **kw)(est, X, y)
    theirs = sk.make_scorer(_auc_for, **kw)(est, X, y)
    assert ours == pytest.approx(theirs, rel=1e-12)
    assert ours > 0.5  # scores were turned so that greater means pos_label
    with pytest.raises(ValueError, match="not a valid label"):
        lm.make_scorer(_auc_for, response_method=response_method, pos_label="x")(est, X, y)


class _DuckClassifier:
    """No scikit-learn base class and no tags: only ``classes_`` and ``decision_function``."""

    def __init__(self, w):
        self.w = np.asarray(w)
        self.classes_ = np.array(["no", "yes"])

    def decision_function(self, X):
        return np.asarray(X) @ self.w

    def predict(self, X):
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


class _DuckRegressor:
    _estimator_type = "regressor"

    def predict(self, X):
        return np.asarray(X).sum(axis=1)


def test_duck_typed_estimators():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 3))
    w = np.array([1.0, -2.0, 0.5])
    y = np.where(X @ w + rng.normal(size=80) > 0, "yes", "no")
    clf = _DuckClassifier(w)
    score = X @ w
    assert lm.get_scorer("roc_auc")(clf, X, y) == pytest.approx(sk.roc_auc_score(y, score))
    assert lm.get_scorer("accuracy")(clf, X, y) == pytest.approx(
        sk.accuracy_score(y, clf.predict(X))
    )
    with pytest.raises(AttributeError, match="predict_proba"):
        lm.get_scorer("neg_log_loss")(clf, X, y)
    reg = _DuckRegressor()
    yr = X.sum(axis=1) + 0.1
    assert lm.get_scorer("neg_mean_absolute_error")(reg, X, yr) == pytest.approx(-0.1)
    with pytest.raises(AttributeError, match="predict_proba"):
        lm.get_scorer("neg_log_loss")(Ridge().fit(X, yr), X, yr)


def test_make_scorer_and_get_scorer_behaviour():
    scorer = lm.make_scorer(lm.fbeta_score, beta=2, average="macro")
    assert (
        repr(scorer) == "make_scorer(fbeta_score, response_method='predict', beta=2, average=macro)"
    )
    loss = lm.make_scorer(lm.log_loss, greater_is_better=False, response_method="predict_proba")
    assert "greater_is_better=False" in repr(loss)
    est, X, y, _ = _classification_data(3, [0, 1, 2])
    assert loss(est, X, y) == pytest.approx(-sk.log_loss(y, est.predict_proba(X)), rel=1e-12)
    assert scorer(est, X, y) == pytest.approx(
        sk.fbeta_score(y, est.predict(X), beta=2, average="macro"), rel=1e-12
    )
    # a tuple of response methods: the first available one is used
    tup = lm.make_scorer(
        lm.roc_auc_score, response_method=("predict_proba", "decision_function"), multi_class="ovr"
    )
    assert tup(est, X, y) == pytest.approx(
        sk.roc_auc_score(y, est.predict_proba(X), multi_class="ovr")
    )
    # get_scorer returns fresh copies and passes callables through; scorers pickle
    assert lm.get_scorer("f1") is not lm.get_scorer("f1")
    assert lm.get_scorer(scorer) is scorer
    assert lm.get_scorer(None) is None
    again = pickle.loads(pickle.dumps(lm.get_scorer("roc_auc_ovr")))
    assert again(est, X, y) == lm.get_scorer("roc_auc_ovr")(est, X, y)
    with pytest.raises(ValueError, match="not a valid scoring value"):
        lm.get_scorer("accuracy_typo")


def test_check_scoring():
    est, X, y, _ = _classification_data(2, [0, 1])
    assert lm.check_scoring(est)(est, X, y) == pytest.approx(est.score(X, y))
    assert lm.check_scoring(est, "accuracy")(est, X, y) == pytest.approx(est.score(X, y))
    with pytest.raises(TypeError, match="score"):
        lm.check_scoring(object())
    with pytest.raises(ValueError, match="scoring must be"):
        lm.check_scoring(est, 3)
