"""MLP estimators: scikit-learn's checks, and scikit-learn's MLP as the oracle."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn import datasets
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from lucidml.exceptions import ConvergenceWarning
from lucidml.nn import MLPClassifier, MLPRegressor


def _scaled_split(loader, seed=0):
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, random_state=seed, test_size=0.3)
    sc = StandardScaler().fit(Xtr)
    return sc.transform(Xtr), sc.transform(Xte), ytr, yte


@pytest.mark.parametrize(
    "loader",
    [datasets.load_iris, datasets.load_wine, datasets.load_breast_cancer, datasets.load_digits],
)
def test_classifier_accuracy_matches_sklearn(loader):
    Xtr, Xte, ytr, yte = _scaled_split(loader)
    ours_acc, ref_acc = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for seed in range(3):  # different initial weights: compare the mean over seeds
            kw = dict(hidden_layer_sizes=(32,), max_iter=300, random_state=seed)
            ours = MLPClassifier(**kw).fit(Xtr, ytr)
            ref = SkMLPClassifier(**kw).fit(Xtr, ytr)
            ours_acc.append(ours.score(Xte, yte))
            ref_acc.append(ref.score(Xte, yte))
    assert np.mean(ours_acc) >= np.mean(ref_acc) - 0.03
    P = ours.predict_proba(Xte)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(ours.predict(Xte), ours.classes_[P.argmax(axis=1)])
    assert len(ours.loss_curve_) == ours.n_iter_
    assert [c.shape for c in ours.coefs_] == [c.shape for c in ref.coefs_]
    assert [b.shape for b in ours.intercepts_] == [b.shape for b in ref.intercepts_]


def test_regressor_r2_matches_sklearn():
    Xtr, Xte, ytr, yte = _scaled_split(datasets.load_diabetes)
    kw = dict(hidden_layer_sizes=(32,), max_iter=2000, learning_rate_init=0.01, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = MLPRegressor(**kw).fit(Xtr, ytr)
        ref = SkMLPRegressor(**kw).fit(Xtr, ytr)
    assert ours.score(Xte, yte) >= ref.score(Xte, yte) - 0.05
    assert ours.predict(Xte).shape == yte.shape


def test_string_labels_binary_and_class_weight():
    X, y = datasets.load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    labels = np.array(["benign", "malignant"])[y]
    clf = MLPClassifier((16,), max_iter=100, random_state=0).fit(X, labels)
    assert clf.network_.sizes[-1] == 1  # two classes: one sigmoid unit, as the notes' §9
    assert set(clf.predict(X)) <= {"benign", "malignant"}
    assert clf.score(X, labels) > 0.97
    # Balanced weights equal repeating the minority rows by the inverse frequency (batch descent).
    w = MLPClassifier(
        (4,),
        solver="sgd",
        momentum=0,
        batch_size=len(y),
        max_iter=5,
        class_weight="balanced",
        random_state=1,
        dtype="float64",
    ).fit(X, y)
    counts = np.bincount(y)
    sw = (len(y) / (2 * counts))[y]
    v = MLPClassifier(
        (4,),
        solver="sgd",
        momentum=0,
        batch_size=len(y),
        max_iter=5,
        random_state=1,
        dtype="float64",
    ).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(w.network_._flat, v.network_._flat, rtol=1e-12)


def test_early_stopping_and_partial_fit():
    Xtr, Xte, ytr, yte = _scaled_split(datasets.load_digits)
    clf = MLPClassifier((32,), early_stopping=True, max_iter=500, random_state=0).fit(Xtr, ytr)
    assert clf.n_iter_ < 500
    assert len(clf.validation_scores_) == clf.n_iter_
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    inc = MLPClassifier((32,), random_state=0)
    for _ in range(30):
        inc.partial_fit(Xtr, ytr, classes=np.unique(ytr))
    assert inc.n_iter_ == 30
    assert inc.score(Xte, yte) > 0.9
    with pytest.raises(ValueError, match="classes"):
        MLPClassifier().partial_fit(Xtr, ytr)


def test_works_in_sklearn_pipeline_search_and_cv():
    X, y = datasets.load_iris(return_X_y=True)
    kw = dict(hidden_layer_sizes=(8,), max_iter=500, random_state=0)
    pipe = make_pipeline(StandardScaler(), MLPClassifier(**kw))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = cross_val_score(pipe, X, y, cv=3)
        ref = cross_val_score(make_pipeline(StandardScaler(), SkMLPClassifier(**kw)), X, y, cv=3)
        grid = GridSearchCV(pipe, {"mlpclassifier__alpha": [1e-4, 1e-2]}, cv=3).fit(X, y)
    assert scores.mean() >= ref.mean() - 0.05
    assert grid.best_params_["mlpclassifier__alpha"] in (1e-4, 1e-2)
    assert grid.best_estimator_.score(X, y) > 0.9


def test_pickle_round_trip_is_exact_and_trainable():
    X, y = datasets.load_iris(return_X_y=True)
    clf = MLPClassifier((8,), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    back = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(back.predict_proba(X), clf.predict_proba(X))
    back.partial_fit(X, y)  # the restored network still trains through its views
    assert not np.array_equal(back.predict_proba(X), clf.predict_proba(X))
    assert np.shares_memory(back.network_._flat, back.network_.weights[0])


def test_convergence_warning_and_bad_parameters():
    X, y = datasets.load_iris(return_X_y=True)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPClassifier((4,), max_iter=2, random_state=0).fit(X, y)
    for params in [
        dict(hidden_layer_sizes=(0,)),
        dict(activation="swish"),
        dict(solver="lbfgs"),
        dict(alpha=-1),
        dict(learning_rate="cyclic"),
        dict(batch_size=0),
        dict(max_iter=0),
        dict(momentum=1.5),
        dict(early_stopping=True, validation_fraction=1.0),
        dict(dtype="int32"),
    ]:
        with pytest.raises(ValueError):
            MLPClassifier(**params).fit(X, y)
    with pytest.raises(ValueError, match="2 classes"):
        MLPClassifier().fit(X, np.zeros(len(y)))
