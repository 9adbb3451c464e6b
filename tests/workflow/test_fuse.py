"""Step 6 of the workflow (fusion), checked against cross-validated lucidml Voting/Stacking
estimators, a meta-model cross-validated by scikit-learn, and a direct NumPy bootstrap."""

from __future__ import annotations

import json

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from sklearn.model_selection import cross_val_predict as sk_cross_val_predict  # noqa: E402

from lucidml.ensemble import VotingClassifier, VotingRegressor  # noqa: E402
from lucidml.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from lucidml.model_selection import (  # noqa: E402
    KFold,
    StratifiedKFold,
    cross_val_predict,
)
from lucidml.naive_bayes import GaussianNB  # noqa: E402
from lucidml.pipeline import ColumnTransformer, Pipeline  # noqa: E402
from lucidml.preprocessing import StandardScaler  # noqa: E402
from lucidml.workflow._errors import WorkflowError  # noqa: E402
from lucidml.workflow.fuse import fuse_models, paired_bootstrap  # noqa: E402
from lucidml.workflow.train import train_models  # noqa: E402
from tests.workflow._train_data import ONLY_FAST, classification_data, preprocessors  # noqa: E402

CLF = {"task": "classification"}
REG = {"task": "regression"}


def _on(columns, model):
    return Pipeline(
        [("select", ColumnTransformer([("x", StandardScaler(), columns)])), ("model", model)]
    )


def _model(name, family, pipeline, X, y, folds, clf=True):
    """A model dict as train_models makes it, its out-of-fold predictions from scikit-learn."""
    pred = sk_cross_val_predict(pipeline, X, y, cv=folds)
    proba = sk_cross_val_predict(pipeline, X, y, cv=folds, method="predict_proba") if clf else None
    if clf:
        scores = [float(np.mean(pred[te] == y[te])) for _, te in folds]
    else:
        scores = [
            1 - np.sum((y[te] - pred[te]) ** 2) / np.sum((y[te] - y[te].mean()) ** 2)
            for _, te in folds
        ]
    return {
        "name": name,
        "family": family,
        "params": {},
        "pipeline": pipeline,
        "cv_score": float(np.mean(scores)),
        "cv_std": float(np.std(scores)),
        "train_score": None,
        "fit_seconds": 0.0,
        "oof_pred": pred,
        "oof_proba": proba,
    }


def _two_views(n=400, seed=0):
    """y depends on a + b equally; columns c, d are noise."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a", "b", "c", "d"])
    y = np.where(X["a"] + X["b"] + 0.3 * rng.normal(size=n) > 0, "pos", "neg").astype(object)
    return X, y


def _ranked(*models):
    return sorted(models, key=lambda m: -m["cv_score"])


def test_fusion_kept_when_models_err_on_different_rows():
    X, y = _two_views()
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    folds = list(cv.split(X, y))
    a = _model("LR on a", "linear", _on(["a"], LogisticRegression()), X, y, folds)
    b = _model("NB on b", "naive_bayes", _on(["b"], GaussianNB()), X, y, folds)
    final, section = fuse_models(_ranked(a, b), X, y, CLF, cv=cv, seed=0)
    json.dumps(section, allow_nan=False)
    assert final["family"] in ("voting", "stacking")
    kept = [f for f in section["fusions"] if f["kept"]]
    assert len(kept) == 1 and kept[0]["low"] > 0 and kept[0]["name"] == final["name"]
    best_single = max(a["cv_score"], b["cv_score"])
    assert final["cv_score"] > best_single + 0.05
    assert section["final_model"] == final["name"] and final["name"] in section["decision"]
    # The kept fusion's score is the mean of its fold scores on the run's folds.
    pred = final["oof_pred"]
    folds_scores = [np.mean(pred[te] == y[te]) for _, te in folds]
    assert final["cv_score"] == pytest.approx(np.mean(folds_scores), abs=1e-12)
    assert set(a) <= set(final)


def test_fusion_not_kept_when_one_model_dominates():
    X, y = _two_views(seed=1)
    cv = StratifiedKFold(5, shuffle=True, random_state=1)
    folds = list(cv.split(X, y))
    strong = _model("LR on a, b", "linear", _on(["a", "b"], LogisticRegression()), X, y, folds)
    noise = _model("NB on c", "naive_bayes", _on(["c"], GaussianNB()), X, y, folds)
    final, section = fuse_models(_ranked(strong, noise), X, y, CLF, cv=cv, seed=1)
    assert final is strong
    assert not any(f["kept"] for f in section["fusions"])
    assert all(f["low"] <= 0 for f in section["fusions"])
    assert section["decision"].startswith("Not fused") and section["final_model"] == "LR on a, b"


def test_voting_oof_is_what_cross_validating_a_voting_classifier_gives():
    X, y = _two_views(n=200, seed=2)
    cv = StratifiedKFold(5, shuffle=True, random_state=2)
    folds = list(cv.split(X, y))
    a = _model("a", "linear", _on(["a", "c"], LogisticRegression()), X, y, folds)
    b = _model("b", "naive_bayes", _on(["b", "d"], GaussianNB()), X, y, folds)
    _, section = fuse_models(_ranked(a, b), X, y, CLF, cv=cv, seed=0)
    # Recompute our voting fusion's OOF probabilities through the public pieces.
    voting = VotingClassifier([("a", a["pipeline"]), ("b", b["pipeline"])], voting="soft")
    oracle = cross_val_predict(voting, X, y, cv=folds, method="predict_proba")
    ours = (a["oof_proba"] + b["oof_proba"]) / 2
    np.testing.assert_allclose(ours, oracle, atol=1e-12)
    voted = next(f for f in section["fusions"] if f["kind"] == "voting")
    oracle_pred = cross_val_predict(voting, X, y, cv=folds)
    expected = np.mean([np.mean(oracle_pred[te] == y[te]) for _, te in folds])
    assert voted["cv_score"] == pytest.approx(expected, abs=1e-12)


def test_stacking_meta_model_is_scored_only_on_rows_it_did_not_train_on():
    X, y = _two_views(n=300, seed=3)
    cv = StratifiedKFold(5, shuffle=True, random_state=3)
    folds = list(cv.split(X, y))
    a = _model("a", "linear", _on(["a"], LogisticRegression()), X, y, folds)
    b = _model("b", "naive_bayes", _on(["b"], GaussianNB()), X, y, folds)
    _, section = fuse_models(_ranked(a, b), X, y, CLF, cv=cv, seed=0)
    ranked = _ranked(a, b)
    Z = np.column_stack([m["oof_proba"][:, 1] for m in ranked])  # binary: positive column
    meta_pred = sk_cross_val_predict(LogisticRegression(), Z, y, cv=folds)
    expected = np.mean([np.mean(meta_pred[te] == y[te]) for _, te in folds])
    stacked = next(f for f in section["fusions"] if f["kind"] == "stacking")
    assert stacked["cv_score"] == pytest.approx(expected, abs=1e-12)


def test_stacking_on_pure_noise_is_not_inflated():
    # Labels independent of the features: an in-sample meta-model on a memorising member
    # would look far above chance; out-of-fold stacking must not.
    rng = np.random.default_rng(4)
    X = pd.DataFrame(rng.normal(size=(300, 3)), columns=["a", "b", "c"])
    y = rng.choice(np.array(["u", "v"], dtype=object), 300)
    cv = StratifiedKFold(5, shuffle=True, random_state=4)
    folds = list(cv.split(X, y))
    from lucidml.neighbors import KNeighborsClassifier

    a = _model("1-NN", "knn", _on(["a", "b"], KNeighborsClassifier(n_neighbors=1)), X, y, folds)
    b = _model("LR", "linear", _on(["c"], LogisticRegression()), X, y, folds)
    final, section = fuse_models(_ranked(a, b), X, y, CLF, cv=cv, seed=4)
    stacked = next(f for f in section["fusions"] if f["kind"] == "stacking")
    assert stacked["cv_score"] < 0.6
    assert final["family"] not in ("voting", "stacking")


def test_regression_averaging_matches_voting_regressor():
    rng = np.random.default_rng(5)
    n = 200
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    y = X["a"].to_numpy() + X["b"].to_numpy() + 0.3 * rng.normal(size=n)
    cv = KFold(5, shuffle=True, random_state=5)
    folds = list(cv.split(X, y))
    a = _model("a", "linear", _on(["a"], LinearRegression()), X, y, folds, clf=False)
    from lucidml.neighbors import KNeighborsRegressor

    b = _model("b", "knn", _on(["b"], KNeighborsRegressor(n_neighbors=10)), X, y, folds, clf=False)
    final, section = fuse_models(_ranked(a, b), X, y, REG, cv=cv, seed=5)
    oracle = cross_val_predict(
        VotingRegressor([("a", a["pipeline"]), ("b", b["pipeline"])]), X, y, cv=folds
    )
    averaged = next(f for f in section["fusions"] if f["kind"] == "voting")
    r2 = [
        1 - np.sum((y[te] - oracle[te]) ** 2) / np.sum((y[te] - y[te].mean()) ** 2)
        for _, te in folds
    ]
    assert averaged["cv_score"] == pytest.approx(np.mean(r2), abs=1e-12)
    assert final["family"] in ("voting", "stacking")  # each member sees half the signal
    assert final["oof_proba"] is None


@pytest.mark.parametrize("metric", ["accuracy", "r2"])
def test_paired_bootstrap_matches_a_direct_numpy_computation(metric):
    rng = np.random.default_rng(6)
    n, B, seed = 150, 1000, 11
    if metric == "accuracy":
        y = rng.integers(0, 3, n)
        a = np.where(rng.random(n) < 0.8, y, (y + 1) % 3)
        b = np.where(rng.random(n) < 0.7, y, (y + 2) % 3)
    else:
        y = rng.normal(size=n)
        a, b = y + 0.5 * rng.normal(size=n), y + 0.8 * rng.normal(size=n)
    got = paired_bootstrap(y, a, b, metric, seed=seed, n_resamples=B)
    idx = np.random.default_rng(seed).integers(0, n, size=(B, n))
    if metric == "accuracy":
        diffs = (a[idx] == y[idx]).mean(axis=1) - (b[idx] == y[idx]).mean(axis=1)
        full = np.mean(a == y) - np.mean(b == y)
    else:
        diffs = np.empty(B)
        for r in range(B):  # one resample at a time, the plain way
            t = y[idx[r]]
            sst = np.sum((t - t.mean()) ** 2)
            diffs[r] = np.sum((t - b[idx[r]]) ** 2) / sst - np.sum((t - a[idx[r]]) ** 2) / sst
        sst = np.sum((y - y.mean()) ** 2)
        full = (np.sum((y - b) ** 2) - np.sum((y - a) ** 2)) / sst
    low, high = np.percentile(diffs, [2.5, 97.5])
    assert got["difference"] == pytest.approx(full, abs=1e-12)
    assert got["low"] == pytest.approx(low, abs=1e-12)
    assert got["high"] == pytest.approx(high, abs=1e-12)
    assert got["low"] < got["difference"] < got["high"] and got["n_resamples"] == B


def test_a_single_model_is_returned_unfused_and_bad_input_is_refused():
    X, y = _two_views(n=100, seed=7)
    cv = StratifiedKFold(5, shuffle=True, random_state=7)
    a = _model("a", "linear", _on(["a"], LogisticRegression()), X, y, list(cv.split(X, y)))
    final, section = fuse_models([a], X, y, CLF, cv=cv, seed=0)
    assert final is a and section["fusions"] == [] and "fewer than two" in section["decision"]
    with pytest.raises(WorkflowError, match="at least one trained model"):
        fuse_models([], X, y, CLF, cv=cv, seed=0)
    with pytest.raises(WorkflowError, match="out-of-fold predictions"):
        fuse_models([a], X.iloc[:50], y[:50], CLF, cv=cv, seed=0)


def test_fusion_of_train_models_output_has_the_model_keys():
    X, y = classification_data(n=200, seed=8)
    cv = StratifiedKFold(5, shuffle=True, random_state=8)
    frame = {"task": "classification", "candidate_weights": dict(ONLY_FAST)}
    models, _ = train_models(
        X, y, preprocessors(["a", "b", "c", "d"], ["colour"]), frame, {}, cv=cv, seed=8, trials=5
    )
    final, section = fuse_models(models, X, y, frame, cv=cv, seed=8)
    contract = {
        "name",
        "family",
        "params",
        "pipeline",
        "cv_score",
        "cv_std",
        "train_score",
        "fit_seconds",
        "oof_pred",
        "oof_proba",
    }
    assert contract <= set(final)
    assert len(section["fusions"]) == 2 and section["members"] == [m["name"] for m in models]
    for f in section["fusions"]:
        assert f["low"] <= f["difference"] <= f["high"]
    json.dumps(section, allow_nan=False)


def test_a_kept_fusion_refits_on_the_raw_columns():
    X, y = _two_views(n=300, seed=9)
    X["colour"] = np.random.default_rng(9).choice(["red", "blue"], len(X))  # text, unused
    cv = StratifiedKFold(5, shuffle=True, random_state=9)
    folds = list(cv.split(X, y))
    a = _model("LR on a", "linear", _on(["a"], LogisticRegression()), X, y, folds)
    b = _model("NB on b", "naive_bayes", _on(["b"], GaussianNB()), X, y, folds)
    final, section = fuse_models(_ranked(a, b), X, y, CLF, cv=cv, seed=0)
    passing = [f for f in section["fusions"] if f["passes"]]
    assert passing  # the two views fuse well, as above
    # the ensembles leave input checks to their member pipelines, so text columns are fine
    assert final["family"] in ("voting", "stacking")
    fitted = final["pipeline"].fit(X, y)
    assert np.mean(fitted.predict(X) == y) > max(a["cv_score"], b["cv_score"])
