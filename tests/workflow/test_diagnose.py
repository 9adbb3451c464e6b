"""Step 5 (diagnose): verdicts against planted over-/under-fitting, curves against lucidml's own
``learning_curve``/``validation_curve``, error analysis against brute force and pandas, the
bootstrap interval against ``bootstrap_score``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion_matrix

from lucidml.linear_model import LinearRegression, LogisticRegression
from lucidml.model_selection import (
    KFold,
    StratifiedKFold,
    bootstrap_score,
    cross_val_predict,
    cross_val_score,
    learning_curve,
    validation_curve,
)
from lucidml.pipeline import Pipeline
from lucidml.preprocessing import StandardScaler
from lucidml.tree import DecisionTreeClassifier, DecisionTreeRegressor
from lucidml.workflow import diagnose as dg
from lucidml.workflow.diagnose import bootstrap_interval, diagnose_models, error_analysis

SEED = 0
CLF = {"task": "classification"}
REG = {"task": "regression"}


def _json_ok(section: dict) -> None:
    json.dumps(section, allow_nan=False)


def _model(name, est, X, y, cv, *, scale=True, proba=False):
    steps = [("scale", StandardScaler())] if scale else []
    pipe = Pipeline([*steps, ("model", est)])
    scoring = "accuracy" if hasattr(est, "predict_proba") else "r2"
    scores = cross_val_score(pipe, X, y, cv=cv, scoring=scoring)
    out = {
        "name": name,
        "family": name,
        "params": {},
        "pipeline": pipe,
        "cv_score": float(scores.mean()),
        "cv_std": float(scores.std()),
        "oof_pred": cross_val_predict(pipe, X, y, cv=cv),
        "oof_proba": None,
    }
    if proba:
        out["oof_proba"] = cross_val_predict(pipe, X, y, cv=cv, method="predict_proba")
    return out


def _best_first(models):
    return sorted(models, key=lambda m: -m["cv_score"])


@pytest.fixture(scope="module")
def noisy():
    """A linear boundary with 25% of the labels flipped: an unpruned tree memorises the noise."""
    rng = np.random.default_rng(1)
    n = 300
    X = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a", "b", "c", "d"])
    y = np.where(X["a"] + 0.5 * X["b"] > 0, "yes", "no")
    flip = rng.random(n) < 0.25
    y = np.where(flip, np.where(y == "yes", "no", "yes"), y).astype(object)
    return X, y, StratifiedKFold(5, shuffle=True, random_state=SEED)


@pytest.fixture(scope="module")
def xor():
    """XOR of two signs: no linear boundary does better than chance."""
    rng = np.random.default_rng(2)
    n = 300
    X = pd.DataFrame(rng.uniform(-1, 1, size=(n, 2)), columns=["u", "v"])
    y = np.where(X["u"] * X["v"] > 0, 1, 0)
    return X, y, StratifiedKFold(5, shuffle=True, random_state=SEED)


@pytest.fixture(scope="module")
def logistic_data():
    """Labels drawn from a logistic model: logistic regression is the right model."""
    rng = np.random.default_rng(3)
    n = 400
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["p", "q", "r"])
    logit = 3.0 * X["p"] - 2.0 * X["q"] + 1.0 * X["r"]
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "pos", "neg").astype(object)
    return X, y, StratifiedKFold(5, shuffle=True, random_state=SEED)


# ---------------------------------------------------------------------------------------------
# verdicts
# ---------------------------------------------------------------------------------------------


def test_unpruned_tree_on_noisy_labels_is_high_variance(noisy):
    X, y, cv = noisy
    models = _best_first(
        [
            _model("logistic", LogisticRegression(), X, y, cv),
            _model("tree", DecisionTreeClassifier(random_state=0), X, y, cv),
        ]
    )
    sec = diagnose_models(models, X, y, CLF, cv=cv, seed=SEED, metric="accuracy")
    _json_ok(sec)
    tree = next(m for m in sec["models"] if m["name"] == "tree")
    v = tree["verdict"]
    assert v["kind"] == "high variance"
    f = v["figures"]
    lc = tree["learning_curve"]
    assert f["train_score"] == lc["train_mean"][-1] == 1.0  # it memorises the training rows
    assert f["cv_score"] == lc["cv_mean"][-1] < 0.75
    assert f["gap"] == pytest.approx(f["train_score"] - f["cv_score"])
    assert f["gap"] > v["thresholds"]["gap"] == dg.THRESHOLDS["accuracy"]["gap"] == 0.05
    # the figures and the threshold are quoted in the text, in the notes' terms
    assert v["text"].startswith("high variance (over-fitting)")
    assert f"train {f['train_score']:.3f} vs CV {f['cv_score']:.3f}" in v["text"]
    assert f"gap {f['gap']:.3f} > 0.05" in v["text"]
    assert "pruning" in v["text"]
    # the validation curve over max_depth finds a shallower tree that generalises better
    vc = tree["validation_curve"]
    assert vc["param"] == "max_depth" and vc["param_path"] == "model__max_depth"
    assert vc["current"] is None and vc["labels"][-1] == "unlimited"
    assert vc["best_value"] is not None and vc["best_cv"] > vc["current_cv"]
    # the verdicts list mirrors the models
    assert [d["model"] for d in sec["verdicts"]] == [m["name"] for m in sec["models"]]


def test_linear_model_on_xor_is_high_bias(xor):
    X, y, cv = xor
    models = _best_first(
        [
            _model("tree", DecisionTreeClassifier(max_depth=4, random_state=0), X, y, cv),
            _model("logistic", LogisticRegression(), X, y, cv),
        ]
    )
    assert models[0]["name"] == "tree" and models[0]["cv_score"] > 0.9
    sec = diagnose_models(models, X, y, CLF, cv=cv, seed=SEED, metric="accuracy")
    _json_ok(sec)
    by_name = {m["name"]: m for m in sec["models"]}
    v = by_name["logistic"]["verdict"]
    assert v["kind"] == "high bias"
    f = v["figures"]
    majority = np.bincount(y).max() / len(y)
    assert sec["baseline"]["train_score"] == pytest.approx(majority)
    assert f["skill"] == pytest.approx((f["train_score"] - majority) / (1 - majority))
    assert f["best_cv_score"] == pytest.approx(models[0]["cv_score"])
    assert f["train_score"] < f["best_cv_score"] - v["thresholds"]["bias_margin"]
    assert v["text"].startswith("high bias (under-fitting)")
    assert f"train {f['train_score']:.3f}" in v["text"]
    assert f"best CV score {f['best_cv_score']:.3f}" in v["text"]
    assert "more or better features" in v["text"] and "more complex model" in v["text"]
    # the depth-4 tree on XOR is neither
    assert by_name["tree"]["verdict"]["kind"] == "good fit"


@pytest.fixture(scope="module")
def logistic_run(logistic_data):
    X, y, cv = logistic_data
    models = [_model("logistic", LogisticRegression(), X, y, cv)]
    return models, diagnose_models(models, X, y, CLF, cv=cv, seed=SEED, metric="accuracy")


def test_well_specified_model_is_good_fit(logistic_run):
    _, sec = logistic_run
    _json_ok(sec)
    v = sec["models"][0]["verdict"]
    assert v["kind"] == "good fit", v["text"]
    f = v["figures"]
    assert abs(f["gap"]) <= 0.05 and f["skill"] >= 0.2
    assert v["text"].startswith("good fit")
    assert f"gap {f['gap']:.3f} <= 0.05" in v["text"]


# ---------------------------------------------------------------------------------------------
# the curves are lucidml's curves on the same sample and folds
# ---------------------------------------------------------------------------------------------


def test_curves_equal_lucidml_learning_and_validation_curve(logistic_data, logistic_run):
    X, y, cv = logistic_data
    models, sec = logistic_run
    m = sec["models"][0]
    assert m["sample_rows"] == len(y) and m["sample"] == f"all {len(y)} rows"
    lc = m["learning_curve"]
    sizes, tr, te = learning_curve(
        models[0]["pipeline"],
        X,
        y,
        train_sizes=np.array(lc["train_sizes"]),
        cv=cv,
        scoring="accuracy",
        shuffle=True,
        random_state=SEED,
    )
    assert lc["train_sizes"] == sizes.tolist()
    assert lc["train_sizes"][-1] == len(next(cv.split(X, y))[0])  # up to a whole training fold
    assert lc["train_sizes"][0] == pytest.approx(0.1 * lc["train_sizes"][-1], abs=1)
    np.testing.assert_allclose(lc["train_mean"], tr.mean(axis=1))
    np.testing.assert_allclose(lc["cv_mean"], te.mean(axis=1))
    np.testing.assert_allclose(lc["train_std"], tr.std(axis=1))
    np.testing.assert_allclose(lc["cv_std"], te.std(axis=1))
    vc = m["validation_curve"]
    assert vc["param"] == "C" and vc["values"] == [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]
    vtr, vte = validation_curve(
        models[0]["pipeline"],
        X,
        y,
        param_name="model__C",
        param_range=vc["values"],
        cv=cv,
        scoring="accuracy",
    )
    np.testing.assert_allclose(vc["train_mean"], vtr.mean(axis=1))
    np.testing.assert_allclose(vc["cv_mean"], vte.mean(axis=1))
    best = int(np.argmax(vte.mean(axis=1)))
    assert vc["best_value"] == vc["values"][best]
    assert vc["current_cv"] == pytest.approx(vte.mean(axis=1)[vc["values"].index(1.0)])


def test_bounded_sample_is_stratified_reproducible_and_stated(logistic_data, logistic_run):
    X, y, cv = logistic_data
    models, _ = logistic_run
    sec = diagnose_models(models, X, y, CLF, cv=cv, seed=SEED, metric="accuracy", max_rows=200)
    m = sec["models"][0]
    assert m["sample_rows"] == 200
    assert m["sample"].startswith(f"200 of {len(y)} rows (stratified sample with seed {SEED}")
    rows = dg._diagnosis_rows(y, "classification", 200, SEED)
    assert len(rows) == 200 == len(np.unique(rows))
    # proportional allocation per class (largest remainders)
    for label in np.unique(y):
        share = np.mean(y == label) * 200
        assert abs(np.sum(y[rows] == label) - share) < 1
    Xs, ys = X.iloc[rows].reset_index(drop=True), y[rows]
    _, tr, te = learning_curve(
        models[0]["pipeline"],
        Xs,
        ys,
        train_sizes=np.array(m["learning_curve"]["train_sizes"]),
        cv=cv,
        scoring="accuracy",
        shuffle=True,
        random_state=SEED,
    )
    np.testing.assert_allclose(m["learning_curve"]["cv_mean"], te.mean(axis=1))
    np.testing.assert_allclose(m["learning_curve"]["train_mean"], tr.mean(axis=1))


def test_plans_share_the_budget_and_shrink_for_slow_models():
    cheap, slow = (0.005, 0.01), (5.0, 1.0)
    plans = dg._choose_plans([cheap, cheap], [6, 6], 3000, 5)
    assert plans == [(dg._PLANS[0], 3000)] * 2
    plans = dg._choose_plans([slow, cheap], [5, 6], 3000, 5)
    assert plans[1] == (dg._PLANS[0], 3000)
    plan, rows = plans[0]
    assert plan == dg._PLANS[-1] and rows == dg.MIN_ROWS  # the cheapest plan, the fewest rows
    # a moderately slow model gets the richest plan that affords the preferred rows
    mid = (0.05, 0.1)
    (plan, rows), _ = dg._choose_plans([mid, cheap], [6, 6], 3000, 5)
    spent = dg._plan_seconds(mid, dg._concrete(plan, 6, 5), 5, rows) + dg._plan_seconds(
        cheap, dg._concrete(dg._PLANS[0], 6, 5), 5, 3000
    )
    assert spent <= dg.BUDGET_SECONDS + 1e-9
    assert rows >= dg.PREFERRED_ROWS


def test_forest_is_diagnosed_with_capped_trees_and_progress_is_reported(noisy):
    from lucidml.ensemble import RandomForestClassifier

    X, y, cv = noisy
    models = [
        _model(
            "forest",
            RandomForestClassifier(n_estimators=40, random_state=0),
            X.iloc[:150],
            y[:150],
            cv,
        )
    ]
    calls = []
    sec = diagnose_models(
        models,
        X.iloc[:150],
        y[:150],
        CLF,
        cv=cv,
        seed=SEED,
        metric="accuracy",
        progress=calls.append,
    )
    _json_ok(sec)
    assert calls == [1, 1]
    m = sec["models"][0]
    assert any(f"{dg.MAX_TREES} of its 40 trees" in note for note in m["notes"])
    assert m["validation_curve"]["param"] == "min_samples_leaf"
    assert m["verdict"]["kind"] in ("high variance", "high bias", "good fit")


def test_regression_model_without_complexity_parameter(logistic_data):
    rng = np.random.default_rng(4)
    n = 200
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    y = (2 * X["a"] - X["b"] + 0.3 * rng.normal(size=n)).to_numpy()
    cv = KFold(5, shuffle=True, random_state=SEED)
    models = _best_first(
        [
            _model("ols", LinearRegression(), X, y, cv),
            _model("tree", DecisionTreeRegressor(random_state=0), X, y, cv),
        ]
    )
    sec = diagnose_models(models, X, y, REG, cv=cv, seed=SEED, metric="r2")
    _json_ok(sec)
    by_name = {m["name"]: m for m in sec["models"]}
    ols = by_name["ols"]
    assert ols["validation_curve"] is None
    assert "no complexity parameter" in ols["validation_note"]
    assert ols["verdict"]["kind"] == "good fit"
    assert ols["verdict"]["thresholds"] == dg.THRESHOLDS["r2"]
    assert sec["baseline"]["kind"] == "mean predictor" and sec["baseline"]["train_score"] == 0
    # an unpruned regression tree interpolates the noise: train R^2 1, a gap over 0.10
    tree = by_name["tree"]["verdict"]
    assert tree["kind"] == "high variance"
    assert tree["figures"]["train_score"] == pytest.approx(1.0)
    assert "> 0.1," in tree["text"]


def test_diagnose_rejects_bad_input(noisy):
    X, y, cv = noisy
    m = [{"name": "t", "pipeline": DecisionTreeClassifier(), "cv_score": 0.5}]
    with pytest.raises(ValueError, match="metric"):
        diagnose_models(m, X, y, CLF, cv=cv, seed=0, metric="silhouette")
    with pytest.raises(ValueError, match="non-empty list"):
        diagnose_models([], X, y, CLF, cv=cv, seed=0, metric="accuracy")
    with pytest.raises(ValueError, match="task"):
        diagnose_models(m, X, y, {"task": "clustering"}, cv=cv, seed=0, metric="accuracy")
    with pytest.raises(ValueError, match="one value per row"):
        diagnose_models(m, X, y[:-1], CLF, cv=cv, seed=0, metric="accuracy")
    with pytest.raises(ValueError, match="pipeline"):
        diagnose_models([{"name": "x"}], X, y, CLF, cv=cv, seed=0, metric="accuracy")


# ---------------------------------------------------------------------------------------------
# error analysis
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted():
    """Labels follow x0 + x1 > 0 except in group 'D', where they are coin flips."""
    rng = np.random.default_rng(5)
    n = 600
    group = rng.choice(np.array(["A", "B", "C", "D"], dtype=object), size=n)
    x0, x1 = rng.normal(size=n), rng.normal(size=n)
    y = np.where(x0 + x1 > 0, "up", "down").astype(object)
    d = group == "D"
    y[d] = rng.choice(np.array(["up", "down"], dtype=object), size=int(d.sum()))
    x2 = rng.normal(size=n)
    x2[rng.random(n) < 0.05] = np.nan  # a column with missing values
    X = pd.DataFrame({"group": group, "x0": x0, "x1": x1, "x2": x2, "id": np.arange(n)})
    X["id"] = X["id"].astype(str)  # an id column: too many categories to slice
    cv = StratifiedKFold(5, shuffle=True, random_state=SEED)
    pipe = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])
    Xn = X[["x0", "x1"]]
    pred = cross_val_predict(pipe, Xn, y, cv=cv)
    proba = cross_val_predict(pipe, Xn, y, cv=cv, method="predict_proba")
    return X, y, pred, proba


def test_worst_rows_are_the_largest_losses(planted):
    X, y, pred, proba = planted
    sec = error_analysis(X, y, pred, proba, CLF, n_worst=7)
    _json_ok(sec)
    classes = sorted(set(y))
    loss = np.array([-np.log(max(proba[i, classes.index(y[i])], 1e-15)) for i in range(len(y))])
    brute = sorted(range(len(y)), key=lambda i: -loss[i])[:7]
    assert [w["row"] for w in sec["worst"]] == brute
    for w in sec["worst"]:
        i = w["row"]
        assert w["loss"] == pytest.approx(loss[i])
        assert w["actual"] == y[i] and w["predicted"] == pred[i]
        assert w["features"]["group"] == X.loc[i, "group"]
        assert w["features"]["x0"] == pytest.approx(X.loc[i, "x0"])
    # without probabilities the ranking loss is the 0/1 error: the worst rows are misclassified
    sec01 = error_analysis(X, y, pred, None, CLF, n_worst=5)
    assert all(w["actual"] != w["predicted"] for w in sec01["worst"])
    assert sec01["error_measure"].startswith("0/1 error")


def test_slice_error_rates_equal_pandas_groupby(planted):
    X, y, pred, proba = planted
    sec = error_analysis(X, y, pred, proba, CLF)
    wrong = pd.Series(pred != y, dtype=float)
    assert sec["overall_error"] == pytest.approx(wrong.mean())
    got = {(s["feature"], s["slice"]): s for s in sec["slices"]}
    for g, rate in wrong.groupby(X["group"]).mean().items():
        assert got[("group", g)]["error"] == pytest.approx(rate)
        assert got[("group", g)]["n"] == int((X["group"] == g).sum())
    bins = pd.qcut(X["x0"], 4)
    x0_slices = [s for s in sec["slices"] if s["feature"] == "x0"]
    assert [s["kind"] for s in x0_slices] == [f"quartile bin {j}" for j in range(1, 5)]
    expected = wrong.groupby(bins, observed=True).mean().to_numpy()
    np.testing.assert_allclose([s["error"] for s in x0_slices], expected)
    missing = got[("x2", "(missing)")]
    assert missing["n"] == int(X["x2"].isna().sum())
    assert missing["error"] == pytest.approx(wrong[X["x2"].isna()].mean())
    assert any(s["feature"] == "id" for s in sec["skipped_columns"])
    assert not any(s["feature"] == "id" and s["kind"] == "category" for s in sec["slices"])


def test_planted_bad_slice_is_flagged(planted):
    X, y, pred, proba = planted
    sec = error_analysis(X, y, pred, proba, CLF)
    flagged = [(s["feature"], s["slice"]) for s in sec["flagged"]]
    assert flagged == [("group", "D")]
    d = sec["flagged"][0]
    assert d["ratio"] >= dg.SLICE_RATIO and d["z"] >= dg.SLICE_Z
    p, n_s = sec["overall_error"], d["n"]
    assert d["z"] == pytest.approx((d["error"] - p) / np.sqrt(p * (1 - p) / n_s))
    assert "group = D" in d["sentence"] and "group = D" in sec["summary"]


def test_confusion_matrix_equals_scikit_learn(planted):
    X, y, pred, proba = planted
    cm = error_analysis(X, y, pred, proba, CLF)["confusion_matrix"]
    assert cm["labels"] == ["down", "up"]
    np.testing.assert_array_equal(cm["matrix"], sk_confusion_matrix(y, pred, labels=cm["labels"]))
    for row in cm["per_class"]:
        mask = y == row["label"]
        assert row["recall"] == pytest.approx(np.mean(pred[mask] == row["label"]))


def test_regression_error_analysis():
    rng = np.random.default_rng(6)
    n = 200
    X = pd.DataFrame({"a": rng.normal(size=n), "kind": rng.choice(["p", "q"], size=n)})
    y = 3 * X["a"].to_numpy() + rng.normal(size=n)
    y[X["kind"].to_numpy() == "q"] += rng.normal(scale=4, size=int((X["kind"] == "q").sum()))
    pred = 3 * X["a"].to_numpy()
    sec = error_analysis(X, y, pred, None, REG, n_worst=5)
    _json_ok(sec)
    resid = y - pred
    assert [w["row"] for w in sec["worst"]] == list(np.argsort(-np.abs(resid))[:5])
    assert sec["worst"][0]["residual"] == pytest.approx(resid[sec["worst"][0]["row"]])
    r = sec["residuals"]
    assert r["mae"] == pytest.approx(np.mean(np.abs(resid)))
    assert r["rmse"] == pytest.approx(np.sqrt(np.mean(resid**2)))
    assert r["quantiles"]["p50"] == pytest.approx(np.median(resid))
    assert len(r["points"]["prediction"]) == len(r["points"]["residual"]) == n
    got = {s["slice"]: s["error"] for s in sec["slices"] if s["feature"] == "kind"}
    for k, v in pd.Series(np.abs(resid)).groupby(X["kind"]).mean().items():
        assert got[k] == pytest.approx(v)
    assert [(s["feature"], s["slice"]) for s in sec["flagged"]] == [("kind", "q")]


def test_error_analysis_rejects_bad_input(planted):
    X, y, pred, proba = planted
    with pytest.raises(ValueError, match="oof_proba"):
        error_analysis(X, y, pred, proba[:, :1], CLF)
    with pytest.raises(ValueError, match="one value per row"):
        error_analysis(X, y[:-1], pred, None, CLF)
    with pytest.raises(ValueError, match="task"):
        error_analysis(X, y, pred, None, {"task": "clustering"})


# ---------------------------------------------------------------------------------------------
# bootstrap interval
# ---------------------------------------------------------------------------------------------


def test_bootstrap_interval_equals_bootstrap_score(planted):
    _, y, pred, _ = planted
    out = bootstrap_interval(y, pred, "accuracy", seed=SEED)
    _json_ok(out)
    ref = bootstrap_score(y, pred, "accuracy", n_resamples=1000, random_state=SEED)
    assert out["score"] == pytest.approx(np.mean(y == pred)) == ref["estimate"]
    assert (out["low"], out["high"]) == (ref["low"], ref["high"])
    assert out["low"] <= out["score"] <= out["high"] and out["confidence"] == 0.95

    rng = np.random.default_rng(7)
    t = rng.normal(size=150)
    p = t + 0.5 * rng.normal(size=150)
    out = bootstrap_interval(t, p, "r2", seed=3, n_resamples=500)
    ref = bootstrap_score(t, p, "r2", n_resamples=500, random_state=3)
    assert out["score"] == pytest.approx(ref["estimate"])
    assert (out["low"], out["high"]) == (ref["low"], ref["high"])
    assert out["low"] <= out["score"] <= out["high"]
    with pytest.raises(ValueError, match="metric"):
        bootstrap_interval(t, p, "silhouette", seed=0)
