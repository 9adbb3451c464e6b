"""check_data: column kinds, missing values, duplicates, class balance, leakage, dropped columns."""

import json

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from lucidml.workflow import data as data_mod  # noqa: E402
from lucidml.workflow._errors import WorkflowError  # noqa: E402
from lucidml.workflow.data import check_data  # noqa: E402

CLS = {"task": "classification", "classes": None}
REG = {"task": "regression", "classes": None}
LOAD = {"seed": 0, "sampled": False}


def _base(n=300, seed=0):
    """Two noisy informative numerics, a categorical, a boolean; y depends on them, noisily."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.normal(size=n),
            "colour": rng.choice(["red", "green", "blue"], n),
            "flag": rng.random(n) > 0.5,
        }
    )
    score = X["x1"] + 0.5 * X["x2"] + 0.3 * (X["colour"] == "red") + rng.normal(0, 0.7, n)
    y = np.where(score > 0, "yes", "no").astype(object)
    return X, y, score.to_numpy()


def _kinds(section):
    return {c["name"]: c["kind"] for c in section["columns"]}


def test_kinds_and_drops():
    X, y, _ = _base()
    n = len(X)
    rng = np.random.default_rng(1)
    words = np.array("the quick brown fox jumps over a lazy dog again".split())
    X["comment"] = [" ".join(rng.choice(words, 6)) + f" {i}" for i in range(n)]
    X["customer_id"] = rng.permutation(n) + 1000
    X["row_counter"] = np.arange(n) * 2 + 7
    X["token"] = [f"T{v:08x}" for v in rng.permutation(10**6)[:n]]
    X["same"] = 4.0
    X["bmi_index"] = rng.normal(25, 3, n)  # named like an id but fractional: a measurement
    sec = check_data(X, y, CLS, LOAD)
    assert _kinds(sec) == {
        "x1": "numeric",
        "x2": "numeric",
        "colour": "categorical",
        "flag": "categorical",
        "comment": "text",
        "customer_id": "id",
        "row_counter": "id",
        "token": "id",
        "same": "constant",
        "bmi_index": "numeric",
    }
    dropped = {d["feature"]: d["reason"] for d in sec["dropped"]}
    assert set(dropped) == {"comment", "customer_id", "row_counter", "token", "same"}
    assert dropped["comment"].startswith("free text: median 7 words")
    assert dropped["row_counter"].startswith("identifier: a row counter")
    assert dropped["same"] == "constant: a single value 4.0"
    assert sec["usable_features"] == ["x1", "x2", "colour", "flag", "bmi_index"]
    assert sec["numeric_features"] == ["x1", "x2", "bmi_index"]
    assert sec["categorical_features"] == ["colour", "flag"]
    assert sec["leakage"] == []
    json.dumps(sec, allow_nan=False)


def test_missing_values_are_counted():
    X, y, _ = _base(n=200)
    X.loc[[0, 5, 7], "x1"] = np.nan
    X.loc[np.arange(0, 200, 2), "colour"] = None
    X.loc[np.arange(150), "x2"] = np.nan
    sec = check_data(X, y, CLS, LOAD)
    cols = {c["name"]: c for c in sec["columns"]}
    assert cols["x1"]["n_missing"] == 3 and cols["x1"]["missing_fraction"] == 3 / 200
    assert cols["colour"]["n_missing"] == 100 and cols["colour"]["n_unique"] == 3
    assert cols["x2"]["missing_fraction"] == 0.75
    assert cols["x1"]["n_unique"] == X["x1"].nunique()
    assert any("'x2' is 75% missing" in w for w in sec["warnings"])
    assert not any("'x1'" in w for w in sec["warnings"])


def test_duplicates_are_counted():
    X, y, _ = _base(n=200)
    X = pd.concat([X, X.iloc[[3, 3, 10, 20, 30]]], ignore_index=True)
    y = np.concatenate([y, y[[3, 3, 10, 20, 30]]])
    y[-1] = "no" if y[30] == "yes" else "yes"  # same features as row 30, other label
    sec = check_data(X, y, CLS, LOAD)
    # the oracle: pandas on the features and the label side by side
    both = X.assign(_label=y)
    assert sec["n_duplicates"] == int(both.duplicated().sum()) == 4
    assert sec["n_conflicting_duplicates"] == 2  # rows 30 and 204
    assert any("4 duplicate row(s)" in w for w in sec["warnings"])


@pytest.mark.parametrize("minority,flagged", [(15, True), (11, False), (20, False), (5, True)])
def test_class_balance(minority, flagged):
    rng = np.random.default_rng(0)
    majority = 150 if minority in (15, 5) else 100  # 150 / 15: exactly the threshold
    n = majority + minority
    y = np.array(["common"] * majority + ["rare"] * minority, dtype=object)
    X = pd.DataFrame({"x": rng.normal(size=n)})
    sec = check_data(X, y, {"task": "classification", "classes": ["common", "rare"]}, LOAD)
    cb = sec["class_balance"]
    assert cb["counts"] == {"common": majority, "rare": minority}
    assert cb["ratio"] == pytest.approx(majority / minority)
    assert cb["imbalanced"] is flagged and cb["threshold"] == 10
    assert cb["class_weight"] == ("balanced" if flagged else None)
    assert any("imbalanced" in w for w in sec["warnings"]) is flagged


def test_planted_leaks_are_found_and_dropped():
    X, y, _ = _base()
    X["copy"] = y  # a copy of the target
    X["code"] = np.where(y == "yes", "Y1", "N0")  # one-to-one with the target
    X["threshold"] = np.where(y == "yes", 1, -1) * np.random.default_rng(2).uniform(1, 2, len(y))
    sec = check_data(X, y, CLS, LOAD)
    leaks = {leak["feature"]: leak for leak in sec["leakage"]}
    assert set(leaks) == {"copy", "code", "threshold"}
    assert leaks["copy"]["reason"] == "equals the target in 100.0% of rows"
    assert leaks["code"]["reason"].startswith("maps one-to-one to the target (2 values <-> 2")
    assert leaks["threshold"]["reason"].startswith("alone predicts the target: cross-validated")
    assert all(leak["score"] >= 0.99 for leak in sec["leakage"])
    assert sec["usable_features"] == ["x1", "x2", "colour", "flag"]
    assert {d["feature"] for d in sec["dropped"]} == {"copy", "code", "threshold"}
    assert sum(w.startswith("leak:") for w in sec["warnings"]) == 3


def test_regression_leaks_and_an_honest_strong_feature():
    rng = np.random.default_rng(3)
    n = 300
    X = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n)})
    y = 2 * X["x"].to_numpy() + rng.normal(0, 0.5, n)  # x alone: R² about 0.94
    X["inches"] = y / 2.54 + 10  # the target in other units
    X["squashed"] = np.tanh(y / 3)  # a non-linear, monotone copy
    X["same"] = y.copy()
    X.loc[[4, 8], "same"] = np.nan
    sec = check_data(X, y, REG, LOAD)
    leaks = {leak["feature"]: leak["reason"] for leak in sec["leakage"]}
    assert set(leaks) == {"inches", "squashed", "same"}
    assert leaks["same"] == "equals the target in 100.0% of rows"
    assert "R² " in leaks["inches"] and "interpolation" in leaks["squashed"]
    assert sec["usable_features"] == ["x", "z"] and sec["class_balance"] is None


def test_one_feature_scores_match_scikit_learn_on_the_same_folds():
    sk = pytest.importorskip("sklearn")
    from sklearn.metrics import balanced_accuracy_score, r2_score
    from sklearn.neighbors import KNeighborsClassifier

    del sk
    rng = np.random.default_rng(4)
    n = 250
    x = rng.normal(size=n)
    y = (x + rng.normal(0, 0.5, n) > 0).astype(np.int64)
    folds = data_mod._fold_ids(n, np.random.default_rng(0))
    score, model = data_mod._one_feature_cv(pd.Series(x), "numeric", y, True, 2, folds)
    pred = np.empty(n, dtype=np.int64)
    for k in range(5):
        te = folds == k
        knn = KNeighborsClassifier(n_neighbors=1).fit(x[~te, None], y[~te])
        pred[te] = knn.predict(x[te, None])
    assert model == "nearest value"
    assert score == pytest.approx(balanced_accuracy_score(y, pred))
    assert score < 0.99

    # lookup table for a categorical feature: brute-force majority class per value
    cat = rng.choice(list("abcdef"), n)
    yc = ((cat == "a") | (cat == "b") | (rng.random(n) < 0.2)).astype(np.int64)
    score, model = data_mod._one_feature_cv(pd.Series(cat), "categorical", yc, True, 2, folds)
    pred = np.empty(n, dtype=np.int64)
    for k in range(5):
        te = folds == k
        for i in np.flatnonzero(te):
            same = (~te) & (cat == cat[i])
            pred[i] = np.bincount(yc[same], minlength=2).argmax()
    assert model == "lookup table per value"
    assert score == pytest.approx(balanced_accuracy_score(yc, pred))

    # regression: mean per value, linear interpolation between values (numpy's interp)
    yr = np.sin(x) + rng.normal(0, 0.3, n)
    score, model = data_mod._one_feature_cv(pd.Series(x), "numeric", yr, False, 0, folds)
    pred = np.empty(n)
    for k in range(5):
        te = folds == k
        o = np.argsort(x[~te])
        pred[te] = np.interp(x[te], x[~te][o], yr[~te][o])
    assert score == pytest.approx(r2_score(yr, pred))


def test_only_text_columns_is_an_error():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"note": ["".join(rng.choice(list("abcdefghij"), 12)) for _ in range(200)]})
    y = rng.choice(["a", "b"], 200)
    with pytest.raises(WorkflowError, match="no usable feature: only text.*'note'"):
        check_data(X, y, CLS, LOAD)
    words = np.array("alpha beta gamma delta epsilon zeta".split())
    X = pd.DataFrame({"review": [" ".join(rng.choice(words, 8)) for _ in range(200)]})
    with pytest.raises(WorkflowError, match="'review': free text"):
        check_data(X, y, CLS, LOAD)


def test_clustering_has_no_balance_and_no_leaks():
    X, _, _ = _base(n=100)
    sec = check_data(X, None, {"task": "clustering", "classes": None}, LOAD)
    assert sec["class_balance"] is None and sec["leakage"] == []
    assert sec["usable_features"] == ["x1", "x2", "colour", "flag"]


def test_sampled_load_is_a_warning():
    X, y, _ = _base(n=100)
    load = {"seed": 0, "sampled": True, "memory": {"n_rows_loaded": 100, "n_rows_total": 5000}}
    sec = check_data(X, y, CLS, load)
    assert "sampled to fit memory: 100 of 5,000 rows" in sec["warnings"][0]
