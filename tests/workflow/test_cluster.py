"""Clustering step: k chosen right on separated blobs, silhouettes and inertias equal to
scikit-learn's / KMeans' on the same labels, cluster profiles equal to pandas' group-bys,
reproducibility, a JSON-ready section, progress, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lucidml.cluster import KMeans
from lucidml.pipeline import ColumnTransformer, Pipeline
from lucidml.preprocessing import OneHotEncoder, SimpleImputer, StandardScaler
from lucidml.workflow import WorkflowError
from lucidml.workflow.cluster import _elbow, cluster_data

pd = pytest.importorskip("pandas")
skm = pytest.importorskip("sklearn.metrics")


def _scaled() -> Pipeline:
    return Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())])


def _blobs(k: int, n_per: int = 60, d: int | None = None, seed: int = 0):
    """k clusters of n_per rows with unit spread, centred at 12 times the unit vectors."""
    rng = np.random.default_rng(seed)
    d = k if d is None else d
    truth = np.repeat(np.arange(k), n_per)
    X = 12.0 * np.eye(k, d)[truth] + rng.normal(size=(k * n_per, d))
    return pd.DataFrame(X, columns=[f"x{j}" for j in range(d)]), truth


@pytest.mark.parametrize("k", [3, 4, 5])
def test_separated_blobs_give_the_right_k(k):
    X, truth = _blobs(k, seed=k)
    pipe, sec = cluster_data(X, _scaled(), seed=0)
    assert sec["k"] == k
    assert sec["elbow_k"] == k
    assert sec["score"] == sec["silhouette_by_k"][str(k)] > 0.7
    assert sec["strength"] == "strong structure"
    assert sorted(sec["sizes"]) == [60] * k
    labels = pipe.predict(X)
    assert skm.adjusted_rand_score(truth, labels) == 1.0
    assert f"k = {k} clusters" in sec["rule"] and f"{sec['score']:.3f}" in sec["rule"]
    assert sec["ks"] == list(range(2, 11))
    assert sec["metric"] == "silhouette"


def test_silhouettes_and_inertias_match_independent_computation():
    X, _ = _blobs(3, n_per=50, seed=1)
    X.iloc[::7, 1] = np.nan  # imputed by the preprocessor
    seed = 3
    _, sec = cluster_data(X, _scaled(), seed=seed, k_max=6)
    Z = _scaled().fit(X).transform(X)
    for k in range(2, 7):
        km = KMeans(n_clusters=k, n_init=sec["n_init"], random_state=seed).fit(Z)
        assert sec["silhouette_by_k"][str(k)] == pytest.approx(
            skm.silhouette_score(Z, km.labels_), abs=1e-10
        )
        # the recorded inertia is the within-cluster sum of squares of those labels
        wcss = sum(((Z[km.labels_ == c] - Z[km.labels_ == c].mean(0)) ** 2).sum() for c in range(k))
        assert sec["inertia_by_k"][str(k)] == pytest.approx(wcss, rel=1e-9)
    assert sec["final_silhouette"] == pytest.approx(sec["score"], abs=1e-12)


def test_profiles_in_raw_units_with_a_categorical_column():
    X, truth = _blobs(3, n_per=40, d=2, seed=2)
    rng = np.random.default_rng(0)
    # the colour follows the cluster 90% of the time
    colours = np.array(["red", "green", "blue"], dtype=object)
    colour = np.where(rng.random(len(X)) < 0.9, colours[truth], colours[(truth + 1) % 3])
    X["colour"] = colour
    X.loc[[0, 5], "x0"] = np.nan
    X.loc[[1], "colour"] = None
    pre = ColumnTransformer(
        [
            ("num", _scaled(), ["x0", "x1"]),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["colour"]),
        ]
    )
    pipe, sec = cluster_data(X, pre, seed=1, k_max=5)
    labels = pipe.predict(X)
    means = X[["x0", "x1"]].groupby(labels).mean()  # NaN skipped
    for prof in sec["profiles"]:
        c = prof["cluster"]
        assert prof["size"] == int((labels == c).sum())
        assert_allclose([prof["means"]["x0"], prof["means"]["x1"]], means.loc[c], rtol=1e-12)
        counts = X.loc[labels == c, "colour"].value_counts()
        assert prof["modes"]["colour"] == counts.index[0]
        assert prof["mode_shares"]["colour"] == pytest.approx(counts.iloc[0] / counts.sum())
        assert "colour" not in prof["means"]
    assert sec["overall"]["means"]["x0"] == pytest.approx(X["x0"].mean())
    assert sec["n_features"] == 6  # 2 scaled + 3 colours + the missing colour


def test_sampling_bounds_and_reproducibility():
    X, truth = _blobs(4, n_per=75, seed=4)
    kw = dict(seed=7, fit_sample=150, silhouette_sample=80, trials=9)
    pipe1, sec1 = cluster_data(X, _scaled(), **kw)
    pipe2, sec2 = cluster_data(X, _scaled(), **kw)
    assert json.dumps(sec1) == json.dumps(sec2)
    assert np.array_equal(pipe1.predict(X), pipe2.predict(X))
    assert sec1["fit_sample_size"] == 150 and sec1["silhouette_sample_size"] == 80
    assert sec1["n_rows"] == 300 and sum(sec1["sizes"]) == 300
    assert sec1["n_init"] == 1  # 9 trials over 9 values of k
    assert "80 of 300 rows" in sec1["rule"]
    assert sec1["k"] == 4
    assert skm.adjusted_rand_score(truth, pipe1.predict(X)) == 1.0
    # the final model is refitted on all rows: its inertia is over all 300
    Z = _scaled().fit(X).transform(X)
    lab = pipe1.predict(X)
    wcss = sum(((Z[lab == c] - Z[lab == c].mean(0)) ** 2).sum() for c in range(4))
    assert sec1["inertia"] == pytest.approx(wcss, rel=1e-9)


def test_section_is_plain_json():
    X, _ = _blobs(3, n_per=20, d=4, seed=5)
    X["flag"] = np.arange(len(X)) % 2 == 0
    X["all_missing"] = np.nan
    X["ids"] = [f"id{i}" for i in range(len(X))]  # too many categories to profile
    pre = ColumnTransformer([("num", _scaled(), ["x0", "x1", "x2", "x3"])])
    _, sec = cluster_data(X, pre, seed=0, k_max=4)

    def plain(v):
        if isinstance(v, dict):
            return all(isinstance(k, str) and plain(x) for k, x in v.items())
        if isinstance(v, list):
            return all(plain(x) for x in v)
        return v is None or type(v) in (bool, int, float, str)

    assert plain(sec)
    text = json.dumps(sec, allow_nan=False)
    assert json.loads(text) == sec
    assert sec["unprofiled"] == ["ids"]
    assert sec["profiles"][0]["means"]["all_missing"] is None
    assert 0 <= sec["profiles"][0]["means"]["flag"] <= 1


def test_progress_and_trials():
    X, _ = _blobs(3, n_per=10, seed=6)
    calls = []
    _, sec = cluster_data(X, _scaled(), seed=0, k_max=5, trials=8, progress=calls.append)
    assert calls == [1] * 5  # k = 2..5, then the final fit
    assert sec["n_init"] == 2

    class Bar:
        n = 0

        def update(self, k):
            self.n += k

    bar = Bar()
    _, sec = cluster_data(X, _scaled(), seed=0, k_max=3, progress=bar)
    assert bar.n == 3 and sec["n_init"] == 4


def test_k_bounded_by_rows():
    X = pd.DataFrame({"a": [0.0, 0.1, 5.0], "b": [1.0, 1.0, 0.0]})
    pipe, sec = cluster_data(X, _scaled(), seed=0)
    assert sec["ks"] == [2] and sec["k"] == 2
    assert sorted(sec["sizes"]) == [1, 2]
    assert sec["elbow_k"] is None and "no elbow" in sec["rule"]


def test_elbow_by_hand():
    # chord from (2, 100) to (6, 0); scaled gaps: k=3 -> 0.75 - 0.2 = 0.55 is the largest
    assert _elbow([2, 3, 4, 5, 6], [100, 20, 10, 5, 0]) == 3
    assert _elbow([2, 3, 4], [3.0, 2.0, 1.0]) is None  # a straight line has no bend
    assert _elbow([2, 3], [5.0, 1.0]) is None


def test_bad_input():
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [0.0, 1.0]})
    with pytest.raises(WorkflowError, match="at least 3 rows, got 2"):
        cluster_data(X, _scaled(), seed=0)
    with pytest.raises(WorkflowError, match="at least 3 rows, got 0"):
        cluster_data(X.iloc[:0], _scaled(), seed=0)
    same = pd.DataFrame({"a": [1.0] * 10, "b": [2.0] * 10})
    with pytest.raises(WorkflowError, match="all identical"):
        cluster_data(same, _scaled(), seed=0)
    ok = pd.DataFrame({"a": np.arange(10.0), "b": np.arange(10.0) % 3})
    with pytest.raises(WorkflowError, match="k_max must be an integer >= 2"):
        cluster_data(ok, _scaled(), seed=0, k_max=1)
    with pytest.raises(WorkflowError, match="trials must be an integer >= 1"):
        cluster_data(ok, _scaled(), seed=0, trials=0)
    with pytest.raises(WorkflowError, match="seed"):
        cluster_data(ok, _scaled(), seed="zero")
    assert issubclass(WorkflowError, ValueError)
