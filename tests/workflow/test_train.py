"""Step 4 of the workflow (train and tune), checked against cross-validation run independently
(lucidml's and scikit-learn's), hand-made budgets and the default models' own scores."""

from __future__ import annotations

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
from sklearn.model_selection import cross_val_predict as sk_cross_val_predict  # noqa: E402
from sklearn.model_selection import cross_val_score as sk_cross_val_score  # noqa: E402

from lucidml.base import BaseEstimator, TransformerMixin  # noqa: E402
from lucidml.model_selection import (  # noqa: E402
    KFold,
    StratifiedKFold,
    cross_val_predict,
    cross_val_score,
)
from lucidml.pipeline import Pipeline  # noqa: E402
from lucidml.tree import DecisionTreeClassifier  # noqa: E402
from lucidml.workflow import train as train_mod  # noqa: E402
from lucidml.workflow._errors import WorkflowError  # noqa: E402
from lucidml.workflow.train import progress_total, train_models  # noqa: E402
from tests.workflow._train_data import (  # noqa: E402
    ONLY_FAST,
    classification_data,
    preprocessors,
    regression_data,
)

# The oracle fits (plain cross-validation of small MLPs) may warn; the step itself records them.
pytestmark = pytest.mark.filterwarnings("ignore::lucidml.exceptions.ConvergenceWarning")

CLF_FRAME = {"task": "classification", "candidate_weights": dict(ONLY_FAST)}
DATA = {"class_balance": {"class_weight": None}}
CONTRACT_KEYS = {
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


def _cv(seed=0):
    return StratifiedKFold(5, shuffle=True, random_state=seed)


@pytest.fixture(scope="module")
def clf_run():
    X, y = classification_data()
    calls = []
    models, section = train_models(
        X,
        y,
        preprocessors(["a", "b", "c", "d"], ["colour"]),
        CLF_FRAME,
        DATA,
        cv=_cv(),
        seed=0,
        trials=9,
        progress=calls.append,
    )
    return X, y, models, section, calls


def test_cv_scores_and_oof_match_independent_cross_validation(clf_run):
    X, y, models, section, _ = clf_run
    assert 2 <= len(models) <= 3
    assert len({m["family"] for m in models}) == len(models)
    folds = list(_cv().split(X, y))
    for m in models:
        assert CONTRACT_KEYS <= set(m)
        ours = np.asarray(m["fold_scores"])
        lucid = cross_val_score(m["pipeline"], X, y, cv=_cv(), scoring="accuracy")
        sk = sk_cross_val_score(m["pipeline"], X, y, cv=folds, scoring="accuracy")
        np.testing.assert_allclose(ours, lucid, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ours, sk, rtol=0, atol=1e-12)
        assert m["cv_score"] == pytest.approx(sk.mean(), abs=1e-12)
        assert m["cv_std"] == pytest.approx(sk.std(), abs=1e-12)
        # Out-of-fold predictions from the same folds, classes in sorted label order.
        assert np.array_equal(m["oof_pred"], cross_val_predict(m["pipeline"], X, y, cv=_cv()))
        proba = sk_cross_val_predict(m["pipeline"], X, y, cv=folds, method="predict_proba")
        np.testing.assert_allclose(m["oof_proba"], proba, atol=1e-12)
        assert 0.0 <= m["train_score"] <= 1.0
    scores = [m["cv_score"] for m in models]
    assert scores == sorted(scores, reverse=True)
    assert section["best"] == models[0]["name"]


def test_section_is_json_ready_and_complete(clf_run):
    import json

    _, _, models, section, calls = clf_run
    json.dumps(section, allow_nan=False)
    assert section["metric"] == "accuracy"
    assert section["trials_spent"] == sum(r["n_trials"] for r in section["leaderboard"]) == 9
    names = [r["name"] for r in section["leaderboard"]]
    assert "RandomForestClassifier" not in names and "MLPClassifier" not in names  # weight 0
    finalists = [r for r in section["leaderboard"] if r["finalist"]]
    assert [r["name"] for r in finalists] == [m["name"] for m in models]
    for row in finalists:
        assert row["scored_on"].startswith("all 240 rows")
    # Trial 1 of every candidate is its default (no tuned parameters).
    firsts = [t for t in section["trials"] if t["trial"] == 1]
    assert all(t["params"] == {} for t in firsts)
    assert section["bounds"] and section["tuning"]["sampled"] is False
    # One progress unit per trial and per finalist.
    assert len(calls) == progress_total(9) and set(calls) == {1}


def test_same_seed_same_leaderboard_other_seed_other_trials():
    X, y = classification_data(n=160, seed=3)
    pre = preprocessors(["a", "b", "c", "d"], ["colour"])

    def run(seed):
        _, section = train_models(X, y, pre, CLF_FRAME, DATA, cv=_cv(seed), seed=seed, trials=8)
        for row in section["leaderboard"]:
            row.pop("fit_seconds")
        return section["leaderboard"], [(t["params"], t["score"]) for t in section["trials"]]

    board1, trials1 = run(7)
    board2, trials2 = run(7)
    assert board1 == board2 and trials1 == trials2
    _, trials3 = run(8)
    assert [p for p, _ in trials3] != [p for p, _ in trials1]


def test_tuned_tree_beats_the_default_tree():
    # Labels flipped at random on 30% of rows: a fully grown tree memorises the noise.
    rng = np.random.default_rng(5)
    n = 300
    X = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    y = (X["a"] > 0).to_numpy().astype(int)
    flip = rng.random(n) < 0.3
    y[flip] = 1 - y[flip]
    pre = preprocessors(["a", "b", "c"])
    weights = {f: 0 for f in ("linear", "naive_bayes", "knn", "forest", "boosting", "mlp")}
    frame = {"task": "classification", "candidate_weights": {**weights, "tree": 1}}
    models, section = train_models(X, y, pre, frame, DATA, cv=_cv(2), seed=2, trials=12)
    assert [m["name"] for m in models] == ["DecisionTreeClassifier"]
    default = Pipeline([("p", pre["trees"]), ("m", DecisionTreeClassifier(random_state=2))])
    default_score = cross_val_score(default, X, y, cv=_cv(2), scoring="accuracy").mean()
    assert section["trials"][0]["score"] == pytest.approx(default_score, abs=1e-12)
    assert models[0]["cv_score"] > default_score + 0.05
    assert (
        models[0]["params"]["max_depth"] is not None
        or models[0]["params"].get("min_samples_leaf", 1) > 1
    )


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_every_candidate_fits_and_finalists_match_cross_validation(task):
    if task == "classification":
        X, y = classification_data(n=120, seed=6)
        pre, cv = preprocessors(["a", "b", "c", "d"], ["colour"]), _cv(6)
    else:
        X, y = regression_data(n=120, seed=6)
        pre, cv = preprocessors(["a", "b", "c"]), KFold(5, shuffle=True, random_state=6)
    n_cands = 8
    models, section = train_models(X, y, pre, {"task": task}, {}, cv=cv, seed=6, trials=n_cands)
    assert section["failures"] == []
    assert [r["n_trials"] for r in section["leaderboard"]] == [1] * n_cands
    families = {r["family"] for r in section["leaderboard"]}
    assert {"linear", "knn", "tree", "forest", "boosting", "mlp"} <= families
    scoring = "accuracy" if task == "classification" else "r2"
    folds = list(cv.split(X, y))
    # Every candidate's default trial scores what cross-validating its pipeline scores.
    cands = {c.name: c for c in train_mod._candidates(task, 6, None, len(y), True)}
    for t in section["trials"]:
        cand = cands[t["candidate"]]
        pipe = Pipeline([("p", pre[cand.prep]), ("m", cand.build({}, "tune", len(y)))])
        sk = sk_cross_val_score(pipe, X, y, cv=folds, scoring=scoring)
        assert t["score"] == pytest.approx(sk.mean(), abs=1e-10), t["candidate"]
    for m in models:
        sk = sk_cross_val_score(m["pipeline"], X, y, cv=folds, scoring=scoring)
        np.testing.assert_allclose(m["fold_scores"], sk, atol=1e-10)
        if task == "classification":
            assert np.array_equal(
                m["oof_pred"], sk_cross_val_predict(m["pipeline"], X, y, cv=folds)
            )


def test_regression_scores_are_r2_on_the_same_folds():
    X, y = regression_data()
    cv = KFold(5, shuffle=True, random_state=4)
    frame = {"task": "regression", "candidate_weights": dict(ONLY_FAST)}
    models, section = train_models(
        X, y, preprocessors(["a", "b", "c"]), frame, {}, cv=cv, seed=4, trials=7
    )
    assert section["metric"] == "r2"
    assert models[0]["family"] == "linear" and models[0]["cv_score"] > 0.9
    folds = list(cv.split(X, y))
    for m in models:
        sk = sk_cross_val_score(m["pipeline"], X, y, cv=folds, scoring="r2")
        np.testing.assert_allclose(m["fold_scores"], sk, atol=1e-10)
        assert m["oof_proba"] is None
        np.testing.assert_allclose(
            m["oof_pred"], sk_cross_val_predict(m["pipeline"], X, y, cv=folds)
        )


def test_class_weight_balanced_reaches_the_models_that_take_it():
    X, y = classification_data(n=200, seed=9)
    weights = {f: 0 for f in ("naive_bayes", "knn", "forest", "boosting", "mlp")}
    frame = {"task": "classification", "candidate_weights": weights}
    data = {"class_balance": {"class_weight": "balanced"}}
    models, section = train_models(
        X,
        y,
        preprocessors(["a", "b", "c", "d"], ["colour"]),
        frame,
        data,
        cv=_cv(),
        seed=0,
        trials=2,
    )
    assert section["class_weight"] == "balanced"
    for m in models:
        assert m["pipeline"].named_steps["model"].class_weight == "balanced"
        assert m["params"]["class_weight"] == "balanced"
        sk = sk_cross_val_score(m["pipeline"], X, y, cv=list(_cv().split(X, y)))
        np.testing.assert_allclose(m["fold_scores"], sk, atol=1e-12)


class _Broken(TransformerMixin, BaseEstimator):
    """A preprocessor that always fails to fit."""

    def fit(self, X, y=None):
        raise ValueError("boom: cannot bin these columns")


def test_a_failing_model_is_recorded_and_skipped():
    X, y = classification_data(n=150, seed=2)
    pre = preprocessors(["a", "b", "c", "d"], ["colour"])
    pre["binned"] = _Broken()
    weights = {"knn": 0, "tree": 0, "forest": 0, "boosting": 0, "mlp": 0, "linear": 1}
    frame = {"task": "classification", "candidate_weights": weights}
    models, section = train_models(X, y, pre, frame, DATA, cv=_cv(), seed=0, trials=4)
    failed = [f for f in section["failures"] if f["candidate"] == "CategoricalNB"]
    assert failed and "boom: cannot bin these columns" in failed[0]["error"]
    assert all(m["name"] != "CategoricalNB" for m in models)
    row = next(r for r in section["leaderboard"] if r["name"] == "CategoricalNB")
    assert row["cv_score"] is None and row["tuning_score"] is None
    # When every candidate fails, the step stops with one clear line.
    with pytest.raises(WorkflowError, match="every candidate model failed.*boom"):
        train_models(
            X,
            y,
            {"scaled": _Broken(), "trees": _Broken(), "binned": _Broken()},
            frame,
            DATA,
            cv=_cv(),
            seed=0,
            trials=3,
        )


def test_budget_follows_the_weights():
    cands = train_mod._candidates("classification", 0, None, 1000, True)
    names = [c.name for c in cands]
    weights, _ = train_mod._weights({"candidate_weights": {"mlp": 0.25}}, cands)
    budget = dict(zip(names, train_mod._allocate(cands, weights, 40), strict=True))
    assert sum(budget.values()) == 40 and min(budget.values()) >= 1
    assert budget["RandomForestClassifier"] == 4  # FOREST_TRIAL_SHARE of 40
    assert budget["GaussianNB"] <= train_mod.NB_MAX_TRIALS
    # Same weight -> trials within one of each other; a quarter weight -> fewer trials.
    even = [
        budget[k]
        for k in (
            "LogisticRegression",
            "KNeighborsClassifier",
            "DecisionTreeClassifier",
            "GradientBoostingClassifier",
        )
    ]
    assert max(even) - min(even) <= 1
    assert budget["MLPClassifier"] < min(even)
    # Without an MLP weight, "deep learning not favoured" lowers it; weight 0 leaves it out.
    unfavoured = {"deep_learning": {"favoured": False, "reasons": ["few rows"]}}
    w_unfav, fam = train_mod._weights(unfavoured, cands)
    assert fam["mlp"] == train_mod.MLP_UNFAVOURED_WEIGHT < fam["linear"] == 1.0
    w_zero, _ = train_mod._weights({"candidate_weights": {"neural network": 0}}, cands)
    assert train_mod._allocate(cands, w_zero, 40)[names.index("MLPClassifier")] == 0
    # Fewer trials than candidates: the heaviest candidates get one each.
    small = train_mod._allocate(cands, weights, 3)
    assert sum(small) == 3 and small[names.index("MLPClassifier")] == 0


def test_tuning_sample_is_stratified_and_finalists_use_all_rows(monkeypatch):
    monkeypatch.setattr(train_mod, "TUNING_ROWS", 100)
    X, y = classification_data(n=260, seed=4)
    models, section = train_models(
        X,
        y,
        preprocessors(["a", "b", "c", "d"], ["colour"]),
        CLF_FRAME,
        DATA,
        cv=_cv(),
        seed=1,
        trials=5,
    )
    tuning = section["tuning"]
    assert tuning["sampled"] and tuning["stratified"] and abs(tuning["rows"] - 100) <= 2
    rows = train_mod._tuning_rows(y, "classification", 5, 1)
    share = np.mean(y == "yes")
    assert np.mean(y[rows] == "yes") == pytest.approx(share, abs=0.02)
    for m in models:
        assert len(m["oof_pred"]) == 260
        sk = sk_cross_val_score(m["pipeline"], X, y, cv=list(_cv().split(X, y)))
        assert m["cv_score"] == pytest.approx(sk.mean(), abs=1e-12)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"trials": 0}, "trials must be a whole number"),
        ({"frame": {"task": "clustering"}}, "'classification' or 'regression'"),
        ({"y": np.array(["a", "b"])}, "they must describe the same rows"),
        ({"preprocessors": {}}, "'scaled' or 'trees' preprocessor"),
    ],
)
def test_bad_input_is_one_clear_error(change, message):
    X, y = classification_data(n=40)
    args = {"y": y, "preprocessors": preprocessors(["a"]), "frame": CLF_FRAME, "trials": 2}
    args.update(change)
    with pytest.raises(WorkflowError, match=message):
        train_models(
            X,
            args["y"],
            args["preprocessors"],
            args["frame"],
            DATA,
            cv=_cv(),
            seed=0,
            trials=args["trials"],
        )
