"""Step 7: saving and checking the final model, the deployment card, and ``predict_file``."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import r2_score

from lucidml.base import clone
from lucidml.cluster import KMeans
from lucidml.ensemble import RandomForestClassifier
from lucidml.linear_model import Ridge
from lucidml.model_selection import KFold, StratifiedKFold, cross_val_predict
from lucidml.neighbors import KNeighborsClassifier
from lucidml.persist import load, save
from lucidml.pipeline import ColumnTransformer, Pipeline
from lucidml.preprocessing import OneHotEncoder, StandardScaler
from lucidml.workflow import WorkflowError
from lucidml.workflow.deploy import MODEL_FILE, deploy_model, predict_file

FAST = {"time_budget": 0.1, "batch_size": 300, "n_resamples": 200}


def _data(n: int = 150, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n),
            "c": rng.choice(["x", "y", "z"], n),
        }
    )
    noise = rng.normal(scale=0.8, size=n)
    y_cls = np.where(X["a"] + (X["c"] == "x") + noise > 0.5, "yes", "no").astype(object)
    y_reg = 2.0 * X["a"].to_numpy() - X["b"].to_numpy() + noise
    return X, y_cls, y_reg


def _pipe(model) -> Pipeline:
    pre = ColumnTransformer(
        [
            ("num", StandardScaler(), ["a", "b"]),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["c"]),
        ]
    )
    return Pipeline([("pre", pre), ("model", model)])


def _hand_cv(est, X, y, cv, score) -> float:
    """Mean fold score, fitting each fold by hand."""
    folds = []
    for train, test in cv.split(X, y):
        fitted = clone(est).fit(X.iloc[train], y[train])
        folds.append(score(y[test], fitted.predict(X.iloc[test])))
    return float(np.mean(folds))


def _accuracy(t, p) -> float:
    return float(np.mean(np.asarray(t) == np.asarray(p)))


@pytest.fixture(scope="module")
def forest_run(tmp_path_factory):
    X, y, _ = _data()
    unfitted = _pipe(RandomForestClassifier(n_estimators=5, max_depth=3, random_state=0))
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    oof = cross_val_predict(unfitted, X, y, cv=cv)
    fitted = clone(unfitted).fit(X, y)
    run_dir = tmp_path_factory.mktemp("run")
    section = deploy_model(
        fitted,
        X,
        y,
        run_dir,
        {"task": "classification"},
        unfitted=unfitted,
        cv=cv,
        seed=3,
        oof_pred=oof,
        **FAST,
    )
    return X, y, unfitted, fitted, cv, oof, run_dir, section


def test_saves_a_model_that_reloads_identically(forest_run):
    X, _, _, fitted, _, _, run_dir, section = forest_run
    path = run_dir / MODEL_FILE
    assert section["model_file"] == MODEL_FILE and path.is_file()
    assert section["size_bytes"] == os.path.getsize(path)
    reloaded = load(path)
    np.testing.assert_array_equal(reloaded.predict(X), fitted.predict(X))
    np.testing.assert_array_equal(reloaded.predict_proba(X), fitted.predict_proba(X))
    assert section["reload_identical"] is True
    assert section["reload_rows_checked"] == len(X)  # fewer rows than a batch: all of them


def test_card_is_json_ready_and_consistent(forest_run):
    section = forest_run[-1]
    json.dumps(section, allow_nan=False)
    single, batch = section["latency"]["single_row_ms"], section["latency"]["batch_ms"]
    assert single["calls"] >= 3 and batch["calls"] >= 2 and batch["rows"] == 300
    for lat in (single, batch):
        assert 0 < lat["p50"] <= lat["p95"]
    # rows per second is the batch size over the median (p50) batch time
    assert section["rows_per_second"] == pytest.approx(300 / (batch["p50"] / 1000), rel=1e-9)
    peak = section["peak_memory"]
    # predicting 300 rows allocates at least the (300, 2) float64 probabilities the forest
    # averages and the 300-element label array it returns
    assert peak["bytes"] >= 300 * 2 * 8 + 300 * 8 and peak["rows"] == 300
    assert "tracemalloc" in peak["method"]
    assert "model.lucidml" in section["summary"]


def test_seed_stability_matches_hand_cross_validation(forest_run):
    X, y, unfitted, _, cv, _, _, section = forest_run
    part = section["stability"]["seeds"]
    assert part["seeds"] == [3, 4, 5]
    assert part["random_state_params"] == ["model__random_state"]
    expected = [
        _hand_cv(clone(unfitted).set_params(model__random_state=s), X, y, cv, _accuracy)
        for s in (3, 4, 5)
    ]
    assert len(set(expected)) > 1  # the seed matters for this forest, so the test can tell
    np.testing.assert_allclose(part["scores"], expected, rtol=0, atol=1e-12)
    assert part["mean"] == pytest.approx(np.mean(expected), abs=1e-12)
    assert part["std"] == pytest.approx(np.std(expected, ddof=1), abs=1e-12)
    assert part["min"] == pytest.approx(min(expected)) and part["max"] == pytest.approx(
        max(expected)
    )


def test_bootstrap_stability_matches_a_hand_bootstrap(forest_run):
    _, y, _, _, _, oof, _, section = forest_run
    part = section["stability"]["bootstrap"]
    n, B = len(y), 200
    idx = np.random.default_rng(3).integers(0, n, size=(B, n))
    scores = np.mean(y[idx] == oof[idx], axis=1)
    low, high = np.percentile(scores, [2.5, 97.5])
    assert part["score"] == pytest.approx(_accuracy(y, oof), abs=1e-12)
    assert part["low"] == pytest.approx(low, abs=1e-12)
    assert part["high"] == pytest.approx(high, abs=1e-12)
    assert part["std"] == pytest.approx(np.std(scores, ddof=1), abs=1e-12)
    assert part["n_resamples"] == B


def test_deterministic_pipeline_is_cross_validated_once(tmp_path):
    X, y, _ = _data()
    unfitted = _pipe(KNeighborsClassifier(n_neighbors=7))
    cv = StratifiedKFold(5, shuffle=True, random_state=1)
    section = deploy_model(
        clone(unfitted).fit(X, y),
        X,
        y,
        tmp_path,
        {"task": "classification"},
        unfitted=unfitted,
        cv=cv,
        seed=0,
        **FAST,
    )
    part = section["stability"]["seeds"]
    assert part["random_state_params"] == [] and part["seeds"] == [0]
    assert part["scores"] == [pytest.approx(_hand_cv(unfitted, X, y, cv, _accuracy))]
    assert part["std"] == 0.0 and "deterministic" in part["note"]
    assert section["stability"]["bootstrap"] is None  # no OOF predictions given


def test_regression_uses_r2(tmp_path):
    X, _, y = _data(seed=2)
    unfitted = _pipe(Ridge(alpha=1.0))
    cv = KFold(5, shuffle=True, random_state=2)
    oof = cross_val_predict(unfitted, X, y, cv=cv)
    section = deploy_model(
        clone(unfitted).fit(X, y),
        X,
        y,
        tmp_path,
        {"task": "regression"},
        unfitted=unfitted,
        cv=cv,
        seed=2,
        oof_pred=oof,
        **FAST,
    )
    assert section["metric"] == "r2"
    expected = _hand_cv(unfitted, X, y, cv, r2_score)
    scores = section["stability"]["seeds"]["scores"]  # Ridge has a random_state (unused here)
    np.testing.assert_allclose(scores, [expected] * len(scores), rtol=0, atol=1e-10)
    assert section["stability"]["bootstrap"]["score"] == pytest.approx(r2_score(y, oof))


def test_clustering_has_no_stability(tmp_path):
    X, _, _ = _data()
    model = Pipeline([("scale", StandardScaler()), ("km", KMeans(n_clusters=3, random_state=0))])
    model.fit(X[["a", "b"]])
    section = deploy_model(model, X[["a", "b"]], None, tmp_path, {"task": "clustering"}, **FAST)
    assert section["stability"] == {"seeds": None, "bootstrap": None}
    np.testing.assert_array_equal(
        load(tmp_path / MODEL_FILE).predict(X[["a", "b"]]), model.predict(X[["a", "b"]])
    )


def test_a_reloaded_model_that_differs_is_an_error(tmp_path, monkeypatch):
    import lucidml.persist

    X, y, _ = _data()
    fitted = _pipe(KNeighborsClassifier(n_neighbors=3)).fit(X, y)
    other = _pipe(KNeighborsClassifier(n_neighbors=3)).fit(X, y[::-1].copy())
    monkeypatch.setattr(lucidml.persist, "load", lambda path: other)
    with pytest.raises(RuntimeError, match="predicts differently"):
        deploy_model(fitted, X, y, tmp_path, {"task": "classification"}, **FAST)


# -- predict_file ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A classifier trained on a table read back from CSV, saved as a run folder would hold it."""
    folder = tmp_path_factory.mktemp("predict")
    X, y, y_reg = _data(n=120, seed=5)
    X["species"] = y
    X.to_csv(folder / "train.csv", index=False)
    table = pd.read_csv(folder / "train.csv")
    features = table.drop(columns="species")
    clf = _pipe(RandomForestClassifier(n_estimators=5, random_state=0)).fit(features, y)
    reg = _pipe(Ridge()).fit(features, y_reg)
    save(clf, folder / MODEL_FILE)
    save(reg, folder / "reg.lucidml")
    return folder, features, clf, reg


def test_predict_file_writes_rows_predictions_and_probabilities(saved, tmp_path):
    folder, features, clf, _ = saved
    shuffled = features[["c", "b", "a"]].copy()
    shuffled["extra"] = 1.0  # columns the model does not use are ignored
    shuffled.to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "pred.csv"
    info = predict_file(folder / MODEL_FILE, tmp_path / "new.csv", out)
    got = pd.read_csv(out)
    assert list(got.columns) == ["row", "prediction", "proba_no", "proba_yes"]
    assert info["output_columns"] == list(got.columns)
    assert info["n_rows"] == len(features) and info["classes"] == ["no", "yes"]
    assert info["columns"] == ["a", "b", "c"]
    np.testing.assert_array_equal(got["row"], np.arange(len(features)))
    np.testing.assert_array_equal(got["prediction"].astype(str), clf.predict(features))
    proba = clf.predict_proba(features)
    np.testing.assert_allclose(got[["proba_no", "proba_yes"]].to_numpy(), proba, atol=1e-12)


def test_predict_file_regressor_and_run_folder(saved, tmp_path):
    folder, features, clf, reg = saved
    features.to_csv(tmp_path / "new.csv", index=False)
    predict_file(folder / "reg.lucidml", tmp_path / "new.csv", tmp_path / "r.csv")
    got = pd.read_csv(tmp_path / "r.csv")
    assert list(got.columns) == ["row", "prediction"]
    np.testing.assert_allclose(got["prediction"], reg.predict(features), rtol=1e-12)
    # a run folder stands for the model.lucidml inside it
    info = predict_file(folder, tmp_path / "new.csv", tmp_path / "c.csv")
    assert info["classes"] == ["no", "yes"]


def test_predict_file_names_missing_columns(saved, tmp_path):
    folder, features, _, _ = saved
    features[["a"]].assign(z=0).to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "pred.csv"
    with pytest.raises(WorkflowError) as info:
        predict_file(folder / MODEL_FILE, tmp_path / "new.csv", out)
    msg = str(info.value)
    assert "'b'" in msg and "'c'" in msg and "'a'" not in msg and "\n" not in msg
    assert not out.exists() and list(tmp_path.iterdir()) == [tmp_path / "new.csv"]


@pytest.mark.parametrize("kind", ["missing", "text", "csv", "zip"])
def test_predict_file_refuses_a_bad_model_file(saved, tmp_path, kind):
    import zipfile

    folder, features, _, _ = saved
    features.to_csv(tmp_path / "new.csv", index=False)
    model = tmp_path / "model.lucidml"
    if kind == "text":
        model.write_text("hello")
    elif kind == "csv":
        model = tmp_path / "new.csv"
    elif kind == "zip":
        with zipfile.ZipFile(model, "w") as zf:
            zf.writestr("meta.json", "{}")
    with pytest.raises(WorkflowError) as info:
        predict_file(model, tmp_path / "new.csv", tmp_path / "pred.csv")
    msg = str(info.value)
    assert "\n" not in msg and str(model) in msg
    assert ("does not exist" in msg) if kind == "missing" else ("not a lucidml model" in msg)
    assert not (tmp_path / "pred.csv").exists()


def test_predict_file_refuses_a_model_that_does_not_predict(tmp_path):
    save(StandardScaler().fit(np.ones((3, 1))), tmp_path / "m.lucidml")
    pd.DataFrame({"a": np.arange(12.0)}).to_csv(tmp_path / "new.csv", index=False)
    with pytest.raises(WorkflowError, match="not a model that predicts"):
        predict_file(tmp_path / "m.lucidml", tmp_path / "new.csv", tmp_path / "p.csv")


def test_predict_file_explains_values_the_model_cannot_use(saved, tmp_path):
    folder, features, _, _ = saved
    bad = features.copy()
    bad["a"] = "text"
    bad.to_csv(tmp_path / "new.csv", index=False)
    with pytest.raises(WorkflowError, match="cannot predict on") as info:
        predict_file(folder / MODEL_FILE, tmp_path / "new.csv", tmp_path / "p.csv")
    assert "\n" not in str(info.value)


def test_seed_stability_runs_on_a_bounded_seeded_sample(tmp_path, monkeypatch):
    import lucidml.workflow.deploy as deploy

    X, y, _ = _data()
    monkeypatch.setattr(deploy, "STABILITY_ROWS", 60)
    unfitted = _pipe(KNeighborsClassifier(n_neighbors=7))
    cv = StratifiedKFold(5, shuffle=True, random_state=1)
    section = deploy_model(
        clone(unfitted).fit(X, y),
        X,
        y,
        tmp_path,
        {"task": "classification"},
        unfitted=unfitted,
        cv=cv,
        seed=3,
        **FAST,
    )
    part = section["stability"]["seeds"]
    assert part["rows"] == f"a seeded sample of 60 of {len(y)} rows"
    from lucidml.workflow._sampling import sample_rows

    rows = sample_rows(np.asarray(y), "classification", 60, 3)
    Xs, ys = X.iloc[rows].reset_index(drop=True), np.asarray(y)[rows]
    assert part["scores"] == [pytest.approx(_hand_cv(unfitted, Xs, ys, cv, _accuracy))]
