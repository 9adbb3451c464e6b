"""Random forests against scikit-learn's on the same splits, and their bookkeeping."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import datasets
from sklearn.ensemble import RandomForestClassifier as SkForest
from sklearn.ensemble import RandomForestRegressor as SkForestRegressor
from sklearn.model_selection import train_test_split

from lucidml.ensemble import RandomForestClassifier, RandomForestRegressor


@pytest.mark.parametrize(
    "loader",
    [datasets.load_iris, datasets.load_wine, datasets.load_breast_cancer, datasets.load_digits],
)
def test_classifier_accuracy_tracks_sklearn(loader):
    X, y = loader(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    ours, ref = [], []
    for seed in range(3):  # different random draws: compare means over seeds
        ours.append(
            RandomForestClassifier(n_estimators=60, random_state=seed).fit(Xtr, ytr).score(Xte, yte)
        )
        ref.append(SkForest(n_estimators=60, random_state=seed).fit(Xtr, ytr).score(Xte, yte))
    assert np.mean(ours) >= np.mean(ref) - 0.02


def test_regressor_r2_and_oob_score_track_sklearn():
    X, y = datasets.load_diabetes(return_X_y=True)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0)
    ours = RandomForestRegressor(n_estimators=100, oob_score=True, random_state=0).fit(Xtr, ytr)
    ref = SkForestRegressor(n_estimators=100, oob_score=True, random_state=0).fit(Xtr, ytr)
    assert ours.score(Xte, yte) >= ref.score(Xte, yte) - 0.03
    # Out-of-bag R² estimated the way scikit-learn estimates it (different draws, same idea).
    assert abs(ours.oob_score_ - ref.oob_score_) < 0.05


def test_importances_predictions_and_parallel_fit():
    X, y = datasets.load_breast_cancer(return_X_y=True)
    forest = RandomForestClassifier(n_estimators=20, random_state=0).fit(X, y)
    imp = forest.feature_importances_
    assert imp.shape == (X.shape[1],) and np.isclose(imp.sum(), 1.0) and np.all(imp >= 0)
    by_hand = np.mean([t.predict_proba(X) for t in forest.estimators_], axis=0)
    np.testing.assert_allclose(forest.predict_proba(X), by_hand, rtol=1e-12)
    # Each tree tries sqrt(30) -> 5 features per split but sees all 30 columns.
    assert all(len(f) == X.shape[1] for f in forest.estimators_features_)
    assert forest.estimators_[0].max_features == "sqrt"
    parallel = RandomForestClassifier(n_estimators=20, random_state=0, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(parallel.predict_proba(X), forest.predict_proba(X))


def test_bad_parameters():
    X, y = datasets.load_iris(return_X_y=True)
    with pytest.raises(ValueError):
        RandomForestClassifier(n_estimators=0).fit(X, y)
    with pytest.raises(ValueError):
        RandomForestClassifier(oob_score=True, bootstrap=False).fit(X, y)
    with pytest.raises(ValueError):
        RandomForestClassifier(n_estimators=3).fit(X[:, :2] + np.nan, y)
