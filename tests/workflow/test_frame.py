"""frame_problem: task inference, the --task override, deep-learning advice, candidate weights."""

import json

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

from lucidml.workflow import frame as frame_mod  # noqa: E402
from lucidml.workflow._errors import WorkflowError  # noqa: E402
from lucidml.workflow.frame import frame_problem, split_target  # noqa: E402


def _df(y, n=None, seed=0):
    n = len(y) if n is None else n
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.normal(size=n), "b": rng.choice(["u", "v"], n), "y": y})


def test_string_labels_are_classification():
    y = np.array(["cat", "dog", "emu"] * 20)
    f = frame_problem(_df(y), "y")
    assert f["task"] == "classification" and f["task_source"] == "inferred"
    assert f["classes"] == ["cat", "dog", "emu"] and f["n_classes"] == 3
    assert f["class_counts"] == [20, 20, 20] and f["metric"] == "accuracy"
    assert f["rule"] == "target 'y' holds 3 text labels -> classification"
    json.dumps(f, allow_nan=False)


def test_few_integer_labels_are_classification():
    y = np.arange(100) % 4
    f = frame_problem(_df(y), "y")
    assert f["task"] == "classification" and f["classes"] == [0, 1, 2, 3]
    assert "integers with 4 distinct values" in f["rule"]
    assert all(type(c) is int for c in f["classes"])


def test_integer_labels_with_a_gap_are_still_integers():
    y = np.where(np.arange(60) % 2 == 0, 1.0, 2.0)
    y[[5, 9]] = np.nan  # pandas holds the column as float64
    f = frame_problem(_df(y), "y")
    assert f["task"] == "classification" and f["classes"] == [1, 2]
    assert f["dropped_target_rows"] == 2 and f["n_rows"] == 58
    X, yy = split_target(_df(y), f)
    assert len(X) == 58 and yy.dtype.kind == "i" and set(yy) == {1, 2}
    assert X.index.equals(pd.RangeIndex(58))


def test_many_integers_or_fractions_are_regression():
    rng = np.random.default_rng(1)
    f = frame_problem(_df(rng.integers(0, 1000, 200)), "y")
    assert f["task"] == "regression" and f["classes"] is None and f["metric"] == "r2"
    assert "distinct values" in f["rule"] and f["rule"].endswith("-> regression")
    f = frame_problem(_df(rng.normal(size=200)), "y")
    assert f["task"] == "regression" and "fractions" in f["rule"]
    # few integers but too few rows per value: regression
    f = frame_problem(_df(np.arange(30) % 10), "y")
    assert f["task"] == "regression"


def test_booleans_are_classification():
    y = np.arange(50) % 3 == 0
    f = frame_problem(_df(y), "y")
    assert f["task"] == "classification" and f["classes"] == [False, True]
    assert "booleans" in f["rule"]
    assert f["class_counts"] == [int((~y).sum()), int(y.sum())]


def test_task_override():
    y = np.arange(100) % 4
    f = frame_problem(_df(y), "y", "regression")
    assert f["task"] == "regression" and f["task_source"] == "given"
    assert f["rule"].startswith("--task regression given, overriding the inference")
    f = frame_problem(_df(y), "y", "classification")
    assert f["rule"].startswith("--task classification given, as inferred")
    X, yy = split_target(_df(y), frame_problem(_df(y), "y", "regression"))
    assert yy.dtype == np.float64


def test_impossible_overrides_are_errors():
    text = np.array(["cat", "dog"] * 30)
    with pytest.raises(WorkflowError, match="--task regression needs a numeric target.*'cat'"):
        frame_problem(_df(text), "y", "regression")
    cont = np.random.default_rng(0).normal(size=60)
    with pytest.raises(WorkflowError, match="60 distinct values in 60 rows"):
        frame_problem(_df(cont), "y", "classification")
    with pytest.raises(WorkflowError, match="--task must be one of"):
        frame_problem(_df(text), "y", "ranking")
    with pytest.raises(WorkflowError, match="needs a target column"):
        frame_problem(_df(text), None, "classification")


def test_clustering_without_target_or_when_asked():
    f = frame_problem(_df(np.zeros(30)), None)
    assert f["task"] == "clustering" and f["metric"] == "silhouette" and f["target"] is None
    assert f["candidate_weights"] == {"kmeans": 1.0}
    f = frame_problem(_df(np.arange(30) % 2), "y", "clustering")
    assert f["task"] == "clustering" and "left out" in f["rule"]
    X, yy = split_target(_df(np.arange(30) % 2), {**f, "target": "y"})
    assert yy is None and list(X.columns) == ["a", "b"]


def test_target_missing_names_close_matches():
    df = _df(np.array(["a", "b"] * 20)).rename(columns={"y": "species"})
    with pytest.raises(
        WorkflowError, match="target column 'specie' not found; did you mean 'species'"
    ):
        frame_problem(df, "specie")
    with pytest.raises(WorkflowError, match="not found; columns are 'a', 'b', 'species'"):
        frame_problem(df, "zzz")


def test_target_all_empty():
    with pytest.raises(WorkflowError, match="target column 'y' is empty in all 40 rows"):
        frame_problem(_df(np.full(40, np.nan)), "y")
    with pytest.raises(WorkflowError, match="empty in all 40 rows"):
        frame_problem(_df(np.array(["", " "] * 20, dtype=object)), "y")


def test_single_class_and_constant_target():
    with pytest.raises(WorkflowError, match="single class \\('Adelie'\\) in all 40 rows"):
        frame_problem(_df(np.array(["Adelie"] * 40)), "y")
    with pytest.raises(WorkflowError, match="constant"):
        frame_problem(_df(np.full(40, 2.5)), "y")


def test_small_classes_warn():
    y = np.array(["a"] * 40 + ["b"] * 3)
    f = frame_problem(_df(y), "y")
    assert any("'b'" in w and "fewer than 5" in w for w in f["warnings"])


# -- deep learning (notes §1) and candidate weights ---------------------------------------------


def test_small_tabular_data_does_not_favour_deep_learning():
    f = frame_problem(_df(np.array(["a", "b"] * 50)), "y")
    dl = f["deep_learning"]
    assert dl["favoured"] is False
    assert any(r.startswith("few rows: 100 < 10,000") for r in dl["reasons"])
    assert any("without local correlation" in r for r in dl["reasons"])
    w = f["candidate_weights"]
    assert w["mlp"] == frame_mod.BASE_WEIGHTS["mlp"] / 2
    assert {k: v for k, v in w.items() if k != "mlp"} == {
        k: v for k, v in frame_mod.BASE_WEIGHTS.items() if k != "mlp"
    }


def _signal(n, local, seed=0):
    """20 numeric columns: moving sums of 5 neighbouring noise values (local, like pixels or a
    sampled signal) or independent noise."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=(n, 24))
    if not local:
        return noise[:, :20]
    return np.stack([noise[:, i : i + 5].sum(axis=1) for i in range(20)], axis=1)


def _signal_table(n, local, seed=0):
    cols = _signal(n, local, seed)
    df = pd.DataFrame(cols, columns=[f"s{i}" for i in range(20)])
    df["y"] = np.where(cols[:, 10] > 0, "up", "down")
    return df


def test_many_rows_and_locally_correlated_columns_favour_deep_learning():
    f = frame_problem(_signal_table(10_000, local=True), "y")
    dl = f["deep_learning"]
    assert dl["favoured"] is True
    # neighbours share 4 of 5 terms: r = 0.8; columns 5 or more apart share none: r = 0
    assert dl["figures"]["adjacent_mean_abs_r"] == pytest.approx(0.8, abs=0.03)
    r = np.abs(np.corrcoef(_signal(10_000, True).T))
    assert dl["figures"]["all_pairs_mean_abs_r"] == pytest.approx(
        (r.sum() - 20) / (20 * 19), abs=0.03
    )
    assert f["candidate_weights"]["mlp"] == frame_mod.BASE_WEIGHTS["mlp"] * 2


def test_shuffled_columns_are_not_local():
    f = frame_problem(_signal_table(10_000, local=False), "y")
    dl = f["deep_learning"]
    assert dl["favoured"] is False and len(dl["reasons"]) == 1
    assert "without local correlation" in dl["reasons"][0]


def test_weights_for_regression_and_many_rows():
    rng = np.random.default_rng(0)
    n = 20_001
    df = pd.DataFrame({"a": rng.normal(size=n), "y": rng.normal(size=n)})
    f = frame_problem(df, "y")
    w = f["candidate_weights"]
    assert "naive_bayes" not in w
    assert w["knn"] == frame_mod.BASE_WEIGHTS["knn"] / 2
    assert any("knn weight halved" in s for s in f["weights_rule"])
