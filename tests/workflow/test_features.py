"""Step 3 of the workflow: preprocessors and the feature table, checked against scikit-learn,
SciPy and hand computation."""

from __future__ import annotations

import io
import json
import warnings

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
sk_pre = pytest.importorskip("sklearn.preprocessing")
from scipy import stats  # noqa: E402
from sklearn.compose import ColumnTransformer as SkColumnTransformer  # noqa: E402
from sklearn.feature_selection import (  # noqa: E402
    mutual_info_classif as sk_mi_classif,
)
from sklearn.feature_selection import (  # noqa: E402
    mutual_info_regression as sk_mi_regression,
)
from sklearn.impute import SimpleImputer as SkImputer  # noqa: E402
from sklearn.linear_model import LinearRegression as SkLinear  # noqa: E402
from sklearn.linear_model import LogisticRegression as SkLogistic  # noqa: E402
from sklearn.linear_model import Ridge as SkRidge  # noqa: E402
from sklearn.metrics import log_loss as sk_log_loss  # noqa: E402
from sklearn.pipeline import make_pipeline as sk_make_pipeline  # noqa: E402

from lucidml.base import clone  # noqa: E402
from lucidml.linear_model import LogisticRegression  # noqa: E402
from lucidml.model_selection import StratifiedKFold, cross_val_score  # noqa: E402
from lucidml.persist import load, save  # noqa: E402
from lucidml.pipeline import Pipeline  # noqa: E402
from lucidml.workflow import features  # noqa: E402
from lucidml.workflow._errors import WorkflowError  # noqa: E402
from lucidml.workflow.features import build_features  # noqa: E402

CLF = {"task": "classification", "target": "label", "classes": ["no", "yes"]}
REG = {"task": "regression", "target": "value", "classes": None}


def _section(kinds: dict[str, str], usable: list[str], dropped=None, class_weight=None) -> dict:
    """A data-check section by hand, with only the keys the contract names."""
    return {
        "columns": [
            {"name": k, "dtype": "?", "kind": v, "n_missing": 0, "missing_fraction": 0.0}
            for k, v in kinds.items()
        ],
        "usable_features": usable,
        "dropped": dropped or [],
        "class_balance": {"class_weight": class_weight},
    }


def _mixed(n: int = 240, seed: int = 0):
    """Numeric with NaN, a bool, an int-coded categorical, a text categorical with None, an id
    column and a constant one; binary string target."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = rng.normal(2.0, 3.0, size=n)
    b[rng.random(n) < 0.1] = np.nan
    colour = rng.choice(np.array(["red", "green", "blue", "grey"], dtype=object), n)
    colour[rng.random(n) < 0.08] = None
    colour[:2] = "teal"  # rare: grouped in the one-hot columns
    X = pd.DataFrame(
        {
            "id": np.arange(n),
            "a": a,
            "b": b,
            "flag": rng.random(n) < 0.4,
            "grade": rng.integers(1, 4, n),
            "colour": colour,
            "member": rng.random(n) < 0.5,
            "const": 7.0,
        }
    )
    logit = 1.5 * a + (X["colour"] == "red") * 1.5 - 0.5
    y = np.where(logit + rng.normal(size=n) > 0, "yes", "no").astype(object)
    kinds = {
        "id": "id",
        "a": "numeric",
        "b": "numeric",
        "flag": "numeric",
        "grade": "categorical",
        "colour": "categorical",
        "member": "categorical",
        "const": "constant",
    }
    usable = ["a", "b", "flag", "grade", "colour", "member"]
    dropped = [
        {"feature": "id", "reason": "an identifier (unique per row)"},
        {"feature": "const", "reason": "constant"},
    ]
    return X, y, _section(kinds, usable, dropped)


def _canonical(X):
    """The frame the preprocessors see after column selection, built independently."""
    num = X[["a", "b", "flag"]].astype(float)
    cats = pd.DataFrame(
        {
            "grade": X["grade"].astype(str).astype(object),
            "colour": X["colour"].astype(object).where(X["colour"].notna(), np.nan),
            "member": X["member"].map({True: "True", False: "False"}).astype(object),
        }
    )
    return num, cats


@pytest.fixture(scope="module")
def mixed():
    X, y, ds = _mixed()
    pre, sec = build_features(X, y, CLF, ds, seed=0)
    return X, y, ds, pre, sec


# ----------------------------------------------------------------------------------------------
# The preprocessors
# ----------------------------------------------------------------------------------------------


def test_scaled_equals_sklearn_pipeline(mixed):
    X, y, _, pre, sec = mixed
    assert sec["collinear"] == [] and sec["preprocessors"]["scaled"]["features"] == [
        "a",
        "b",
        "flag",
        "grade",
        "colour",
        "member",
    ]
    rare = sec["rules"]["rare_category_count"]
    assert rare == 3  # min(10, max(2, ceil(240 / 100)))
    num, cats = _canonical(X)
    oracle = SkColumnTransformer(
        [
            (
                "num",
                sk_make_pipeline(
                    SkImputer(strategy="median", add_indicator=True), sk_pre.StandardScaler()
                ),
                [0, 1, 2],
            ),
            (
                "cat",
                sk_pre.OneHotEncoder(
                    handle_unknown="ignore",
                    min_frequency=rare,
                    max_categories=30,
                    sparse_output=False,
                ),
                [3, 4, 5],
            ),
        ]
    )
    expected = oracle.fit_transform(pd.concat([num, cats], axis=1))
    got = pre["scaled"].fit(X, y).transform(X)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # 'teal' (2 rows) is grouped: colour gives blue, green, grey, red, rare, missing
    assert (
        expected.shape[1] == 3 + 1 + 3 + 6 + 2 == sec["preprocessors"]["scaled"]["n_output_columns"]
    )


def test_trees_and_binned_equal_sklearn_encodings(mixed):
    X, y, _, pre, _ = mixed
    num, cats = _canonical(X)
    imputed = SkImputer(strategy="median", add_indicator=True).fit_transform(num)
    codes = sk_pre.OrdinalEncoder(
        handle_unknown="use_encoded_value", unknown_value=-1, encoded_missing_value=-1
    ).fit_transform(cats)
    np.testing.assert_array_equal(pre["trees"].fit(X, y).transform(X), np.hstack([imputed, codes]))

    filled = SkImputer(strategy="median").fit_transform(num)
    bins = sk_pre.KBinsDiscretizer(
        5, encode="ordinal", strategy="quantile", quantile_method="averaged_inverted_cdf"
    ).fit_transform(filled[:, :2])
    expected = np.hstack([bins, filled[:, 2:3], codes + 1])  # the 0/1 flag: one bin a value
    got = pre["binned"].fit(X, y).transform(X)
    np.testing.assert_array_equal(got, expected)
    assert got.min() == 0 and got[:, 3:].max() == codes.max() + 1


def test_predict_time_columns_dtypes_and_unseen_values(mixed):
    X, y, _, pre, _ = mixed
    new = X.iloc[:6].copy()
    new["colour"] = ["purple", "red", None, "blue", "red", "green"]  # purple: unseen
    grade = new["grade"].astype(float)  # an int-coded column that gained a missing value
    grade.iloc[1] = np.nan
    grade.iloc[2] = 9.0  # unseen
    new["grade"] = grade
    new["b"] = [np.nan, np.inf, "4.5", 1.0, 2.0, 3.0]  # text and inf in a numeric column
    new["flag"] = pd.Series([True, np.nan, False, True, False, True], dtype=object)
    shuffled = new[list(new.columns[::-1])].assign(unrelated="x")  # other order, extra column
    for name, p in pre.items():
        fitted = p.fit(X, y)
        out = fitted.transform(shuffled)
        assert out.shape == (6, fitted.transform(X).shape[1]) and np.isfinite(out).all(), name
        # rows 3..5 have training-like values: identical to the same values in training order
        same = X.iloc[3:6].copy()
        same["b"] = [1.0, 2.0, 3.0]
        same["colour"] = ["blue", "red", "green"]
        same["flag"] = [True, False, True]
        np.testing.assert_array_equal(out[3:], fitted.transform(same), err_msg=name)
    trees = pre["trees"].fit(X, y)
    names = list(trees.named_steps["encode"].get_feature_names_out())
    t = trees.transform(shuffled)
    col = {n.split("__", 1)[1]: i for i, n in enumerate(names)}
    assert t[0, col["colour"]] == -1 and t[2, col["grade"]] == -1 and t[1, col["grade"]] == -1
    assert t[1, col["b"]] == np.nanmedian(X["b"]) and t[2, col["b"]] == 4.5
    assert t[1, col["flag"]] == np.median(X["flag"].astype(float))
    binned = pre["binned"].fit(X, y).transform(shuffled)
    assert binned[0, 4] == 0 and binned[2, 3] == 0  # unseen colour, unseen grade
    scaled = pre["scaled"].fit(X, y)
    s = scaled.transform(shuffled)
    out_names = scaled.named_steps["encode"].get_feature_names_out()
    colour_cols = [i for i, n in enumerate(out_names) if n.startswith("categorical__colour_")]
    assert len(colour_cols) == 6 and s[0, colour_cols].sum() == 0  # unseen -> all zeros
    assert s[1, colour_cols].sum() == 1  # 'red'


def test_constant_and_all_missing_columns_in_a_fold(mixed):
    X, y, _, pre, _ = mixed
    fold = X.iloc[:40].copy()
    fold["a"] = 1.5  # constant in this fold
    fold["b"] = np.nan  # all missing in this fold
    fold["colour"] = "red"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, p in pre.items():
            fitted = p.fit(fold, y[:40])
            out = fitted.transform(X)
            assert np.isfinite(out).all() and out.shape[0] == len(X), name
            assert fitted.transform(fold).shape[1] == out.shape[1]
    z = pre["scaled"].fit(fold, y[:40]).transform(fold)
    assert np.all(z[:, 0] == 0.0)  # a constant z-score is 0, not NaN


def test_fitted_preprocessors_survive_save_and_load(mixed):
    X, y, _, pre, _ = mixed
    for name, p in pre.items():
        fitted = p.fit(X, y)
        buf = io.BytesIO()
        save(fitted, buf)
        buf.seek(0)
        back = load(buf)
        np.testing.assert_array_equal(back.transform(X), fitted.transform(X), err_msg=name)
        buf = io.BytesIO()
        save(p, buf)  # the unfitted pipeline too
        buf.seek(0)
        np.testing.assert_array_equal(load(buf).fit(X, y).transform(X), fitted.transform(X))


def test_missing_column_is_named(mixed):
    X, y, _, pre, _ = mixed
    fitted = pre["trees"].fit(X, y)
    with pytest.raises(WorkflowError, match="'colour'"):
        fitted.transform(X.drop(columns=["colour", "id"]))
    assert list(fitted.feature_names_in_) == ["a", "b", "flag", "grade", "colour", "member"]


def test_same_seed_same_section_and_outputs():
    X, y, ds = _mixed(seed=3)
    p1, s1 = build_features(X, y, CLF, ds, seed=5)
    p2, s2 = build_features(X, y, CLF, ds, seed=5)
    assert json.dumps(s1, allow_nan=False) == json.dumps(s2, allow_nan=False)
    for name in p1:
        np.testing.assert_array_equal(
            p1[name].fit(X, y).transform(X), p2[name].fit(X, y).transform(X)
        )


# ----------------------------------------------------------------------------------------------
# Collinearity and discretisation
# ----------------------------------------------------------------------------------------------


def test_planted_copy_and_linear_combination_are_removed_and_reported():
    rng = np.random.default_rng(1)
    n = 300
    a, b, c, d = rng.normal(size=(4, n))
    X = pd.DataFrame(
        {
            "a": a,
            "b": b,
            "c": c,
            "d": d,
            "a_copy": a + 0.01 * rng.normal(size=n),
            "combo": b - 2.0 * c + 0.01 * rng.normal(size=n),
        }
    )
    y = np.where(a + b + rng.normal(size=n) > 0, "yes", "no")
    ds = _section({k: "numeric" for k in X.columns}, list(X.columns))
    pre, sec = build_features(X, y, CLF, ds, seed=0)
    removed = {d["feature"]: d for d in sec["collinear"]}
    assert len(removed) == 2
    (pair,) = [d for d in sec["collinear"] if d["method"] == "pearson"]
    assert {pair["feature"], pair["partner"]} == {"a", "a_copy"}
    np.testing.assert_allclose(pair["r"], np.corrcoef(a, X["a_copy"])[0, 1], rtol=1e-10)
    (vif,) = [d for d in sec["collinear"] if d["method"] == "vif"]
    assert vif["feature"] in {"b", "c", "combo"}
    kept = [f for f in X.columns if f not in removed]
    others = X[[f for f in kept]].to_numpy()
    r2 = SkLinear().fit(others, X[vif["feature"]]).score(others, X[vif["feature"]])
    np.testing.assert_allclose(vif["r2"], r2, rtol=1e-9)
    np.testing.assert_allclose(vif["vif"], 1.0 / (1.0 - r2), rtol=1e-6)
    assert vif["vif"] > 50 and "VIF" in " ".join(sec["steps"])
    assert sorted(sec["preprocessors"]["scaled"]["features"]) == sorted(kept)
    assert sorted(sec["preprocessors"]["binned"]["features"]) == sorted(kept)
    assert sec["preprocessors"]["trees"]["features"] == list(X.columns)
    assert pre["scaled"].fit(X, y).transform(X).shape[1] == 4
    assert pre["trees"].fit(X, y).transform(X).shape[1] == 6
    rows = {r["feature"]: r for r in sec["table"]}
    for f in removed:
        assert not rows[f]["kept"] and rows[f]["lr_weight"] is None
        assert "collinear" in rows[f]["reason"]
    # what remains has no pair above |r| 0.98 and no VIF above 50
    R = np.corrcoef(X[kept].to_numpy(), rowvar=False)
    assert np.abs(R - np.eye(len(kept))).max() < 0.98


def _nonlinear_data(task: str, n: int = 400, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)  # the target depends on |x|: no linear trace
    z = rng.normal(size=n)  # a linear feature
    X = pd.DataFrame({"x": x, "z": z})
    if task == "classification":
        y = np.where((np.abs(x) > 1.0) ^ (rng.random(n) < 0.05), "out", "in")
    else:
        y = x**2 + 0.5 * z + 0.2 * rng.normal(size=n)
    return X, y, _section({"x": "numeric", "z": "numeric"}, ["x", "z"])


def _information(task: str, A: np.ndarray, y: np.ndarray) -> float:
    """Nats a linear model on A captures about y, with scikit-learn as the oracle."""
    if task == "regression":
        return -0.5 * np.log(1.0 - SkLinear().fit(A, y).score(A, y))
    proba = SkLogistic(C=1.0, tol=1e-10, max_iter=10_000).fit(A, y).predict_proba(A)
    p = np.unique(y, return_counts=True)[1] / y.size
    return float(-(p * np.log(p)).sum() - sk_log_loss(y, proba))


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_nonlinear_feature_is_binned_for_the_linear_models(task):
    X, y, ds = _nonlinear_data(task)
    frame = CLF if task == "classification" else REG
    pre, sec = build_features(X, y, frame, ds, seed=0)
    entry = {d["feature"]: d for d in sec["discretised"]}
    assert entry["x"]["preprocessors"] == ["scaled", "binned"]
    assert entry["z"]["preprocessors"] == ["binned"]
    assert entry["x"]["gain"] > 0.3 and entry["z"]["gain"] < 0.05
    for f in ("x", "z"):  # I_lin, I_bins and the gain, against scikit-learn
        x = X[f].to_numpy()
        z = (x - x.mean()) / x.std()
        bins = sk_pre.KBinsDiscretizer(
            5, encode="onehot-dense", strategy="quantile", quantile_method="averaged_inverted_cdf"
        ).fit_transform(x[:, None])
        lin = _information(task, z[:, None], y)
        binned = _information(task, np.hstack([z[:, None], bins]), y)
        np.testing.assert_allclose(entry[f]["linear_information"], lin, atol=1e-3)
        np.testing.assert_allclose(entry[f]["binned_information"], binned, atol=1e-3)
        np.testing.assert_allclose(entry[f]["gain"], binned - lin - 4 / len(x), atol=2e-3)
    if task == "regression":  # a line captures -log(1 - r^2) / 2
        r = np.corrcoef(X["z"], y)[0, 1]
        np.testing.assert_allclose(entry["z"]["linear_information"], -0.5 * np.log(1 - r * r))
    assert pre["scaled"].fit(X, y).transform(X).shape[1] == 2 + 5
    assert "bins also beside the z-scores of 'x'" in " ".join(sec["steps"])


def test_a_discrete_target_and_a_noise_feature_get_no_bins():
    rng = np.random.default_rng(5)
    X = pd.DataFrame({"x": rng.normal(size=300)})
    y = rng.integers(1, 6, 300).astype(float)  # a few-valued target, unrelated to x
    _, sec = build_features(X, y, REG, _section({"x": "numeric"}, ["x"]), seed=0)
    assert sec["discretised"][0]["preprocessors"] == ["binned"]
    assert sec["discretised"][0]["gain"] < 0.05


def test_binning_the_nonlinear_feature_helps_a_linear_model():
    X, y, ds = _nonlinear_data("classification")
    pre, _ = build_features(X, y, CLF, ds, seed=0)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    with_bins = Pipeline([("pre", pre["scaled"]), ("lr", LogisticRegression())])
    without = Pipeline([("pre", clone(pre["scaled"])), ("lr", LogisticRegression())])
    without.set_params(pre__encode__bins="drop")
    acc_with = cross_val_score(with_bins, X, y, cv=cv).mean()
    acc_without = cross_val_score(without, X, y, cv=cv).mean()
    assert acc_with > 0.8 and acc_without < 0.65  # majority class alone: about 0.5


# ----------------------------------------------------------------------------------------------
# The feature table, against independent oracles
# ----------------------------------------------------------------------------------------------


def _sk_bins(x: np.ndarray) -> np.ndarray:
    return (
        sk_pre.KBinsDiscretizer(
            5, encode="ordinal", strategy="quantile", quantile_method="averaged_inverted_cdf"
        )
        .fit_transform(x[:, None])[:, 0]
        .astype(int)
    )


def _conditional_entropy(codes: np.ndarray, y: np.ndarray) -> float:
    """H(y | x) in nats, from the contingency table by hand."""
    table = pd.crosstab(codes, y).to_numpy(dtype=float)
    n = table.sum()
    p_x = table.sum(axis=1, keepdims=True) / n
    p_xy = table / n
    nz = p_xy > 0
    return float(-(p_xy[nz] * np.log((p_xy / p_x)[nz])).sum())


def _chi2(codes: np.ndarray, y: np.ndarray):
    stat, p, dof, _ = stats.chi2_contingency(pd.crosstab(codes, y).to_numpy(), correction=False)
    return stat, p, dof


def _signed_max(w: np.ndarray) -> float:
    w = np.ravel(w)
    return float(w[np.argmax(np.abs(w))])


def test_table_for_classification_matches_oracles():
    rng = np.random.default_rng(7)
    n = 300
    y = rng.choice(np.array(["setosa", "versicolor", "virginica"], dtype=object), n)
    shift = {"setosa": -1.0, "versicolor": 0.0, "virginica": 1.5}
    x1 = np.array([shift[c] for c in y]) + rng.normal(size=n)
    x2 = rng.normal(size=n)
    colour = np.where(
        rng.random(n) < 0.6,
        np.array([{"setosa": "red", "versicolor": "blue", "virginica": "green"}[c] for c in y]),
        rng.choice(["red", "blue", "green"], n),
    ).astype(object)
    X = pd.DataFrame({"x1": x1, "x2": x2, "colour": colour})
    ds = _section({"x1": "numeric", "x2": "numeric", "colour": "categorical"}, list(X.columns))
    frame = {"task": "classification", "target": "species", "classes": sorted(set(y))}
    _, sec = build_features(X, y, frame, ds, seed=0)
    rows = {r["feature"]: r for r in sec["table"]}
    indicators = np.stack([(y == c).astype(float) for c in sorted(set(y))], axis=1)

    design = np.hstack(
        [
            sk_pre.StandardScaler().fit_transform(X[["x1", "x2"]]),
            sk_pre.OneHotEncoder(sparse_output=False).fit_transform(X[["colour"]]),
        ]
    )
    coef = SkLogistic(C=1.0, tol=1e-10, max_iter=10_000).fit(design, y).coef_  # (3, 5)
    for j, f in enumerate(["x1", "x2"]):
        x = X[f].to_numpy()
        r = [np.corrcoef(x, indicators[:, c])[0, 1] for c in range(3)]
        np.testing.assert_allclose(rows[f]["pearson_r"], _signed_max(np.array(r)), rtol=1e-10)
        codes = _sk_bins(x)
        stat, p, dof = _chi2(codes, y)
        np.testing.assert_allclose(rows[f]["chi2"], stat, rtol=1e-10)
        np.testing.assert_allclose(rows[f]["chi2_p"], p, rtol=1e-8)
        assert rows[f]["chi2_dof"] == dof == 8
        mi = sk_mi_classif(x[:, None], y, random_state=0)[0]
        np.testing.assert_allclose(rows[f]["mutual_info"], mi, atol=1e-6)
        np.testing.assert_allclose(
            rows[f]["conditional_entropy"], _conditional_entropy(codes, y), rtol=1e-10
        )
        np.testing.assert_allclose(rows[f]["lr_weight"], _signed_max(coef[:, j]), atol=2e-3)
    codes = np.unique(colour, return_inverse=True)[1]
    dummies = np.eye(3)[codes]
    r = [np.corrcoef(dummies[:, k], indicators[:, c])[0, 1] for k in range(3) for c in range(3)]
    np.testing.assert_allclose(rows["colour"]["pearson_r"], _signed_max(np.array(r)), rtol=1e-10)
    stat, p, dof = _chi2(codes, y)
    np.testing.assert_allclose(rows["colour"]["chi2"], stat, rtol=1e-10)
    np.testing.assert_allclose(rows["colour"]["chi2_p"], p, rtol=1e-8)
    mi = sk_mi_classif(codes[:, None], y, discrete_features=True)[0]
    np.testing.assert_allclose(rows["colour"]["mutual_info"], mi, rtol=1e-10)
    np.testing.assert_allclose(
        rows["colour"]["conditional_entropy"], _conditional_entropy(codes, y), rtol=1e-10
    )
    np.testing.assert_allclose(rows["colour"]["lr_weight"], _signed_max(coef[:, 2:]), atol=2e-3)
    # the informative features rank first on every score
    for key in ("chi2", "mutual_info"):
        assert rows["x2"][key] < min(rows["x1"][key], rows["colour"][key])
    assert rows["x2"]["conditional_entropy"] > rows["x1"]["conditional_entropy"]


def test_table_for_regression_matches_oracles():
    rng = np.random.default_rng(11)
    n = 300
    X = pd.DataFrame(
        {
            "x1": rng.normal(size=n),
            "x2": rng.exponential(size=n),
            "shop": rng.choice(np.array(["north", "south", "east"], dtype=object), n),
        }
    )
    y = 2.0 * X["x1"].to_numpy() + (X["shop"] == "south").to_numpy() * 1.5 + rng.normal(size=n)
    ds = _section({"x1": "numeric", "x2": "numeric", "shop": "categorical"}, list(X.columns))
    _, sec = build_features(X, y, REG, ds, seed=0)
    rows = {r["feature"]: r for r in sec["table"]}
    y_bins = _sk_bins(y)
    design = np.hstack(
        [
            sk_pre.StandardScaler().fit_transform(X[["x1", "x2"]]),
            sk_pre.OneHotEncoder(sparse_output=False).fit_transform(X[["shop"]]),
        ]
    )
    coef = SkRidge(alpha=1.0).fit(design, (y - y.mean()) / y.std()).coef_
    for j, f in enumerate(["x1", "x2"]):
        x = X[f].to_numpy()
        np.testing.assert_allclose(rows[f]["pearson_r"], stats.pearsonr(x, y)[0], rtol=1e-10)
        codes = _sk_bins(x)
        stat, p, dof = _chi2(codes, y_bins)
        np.testing.assert_allclose(rows[f]["chi2"], stat, rtol=1e-10)
        np.testing.assert_allclose(rows[f]["chi2_p"], p, rtol=1e-8)
        assert dof == rows[f]["chi2_dof"] == 16
        mi = sk_mi_regression(x[:, None], y, random_state=0)[0]
        np.testing.assert_allclose(rows[f]["mutual_info"], mi, atol=1e-6)
        np.testing.assert_allclose(
            rows[f]["conditional_entropy"], _conditional_entropy(codes, y_bins), rtol=1e-10
        )
        np.testing.assert_allclose(rows[f]["lr_weight"], coef[j], rtol=1e-8)
    codes = np.unique(X["shop"], return_inverse=True)[1]
    r = [np.corrcoef((codes == k).astype(float), y)[0, 1] for k in range(3)]
    np.testing.assert_allclose(rows["shop"]["pearson_r"], _signed_max(np.array(r)), rtol=1e-10)
    stat, p, _ = _chi2(codes, y_bins)
    np.testing.assert_allclose(rows["shop"]["chi2"], stat, rtol=1e-10)
    mi = sk_mi_regression(codes[:, None], y, discrete_features=True, random_state=0)[0]
    np.testing.assert_allclose(rows["shop"]["mutual_info"], mi, atol=1e-6)
    np.testing.assert_allclose(rows["shop"]["lr_weight"], _signed_max(coef[2:]), rtol=1e-8)


def test_table_rows_missing_values_and_json(mixed):
    X, y, _, _, sec = mixed
    json.dumps(sec, allow_nan=False)
    assert [r["feature"] for r in sec["table"]] == list(X.columns)
    rows = {r["feature"]: r for r in sec["table"]}
    assert not rows["id"]["kept"] and "identifier" in rows["id"]["reason"]
    assert rows["id"]["chi2"] is None and rows["const"]["mutual_info"] is None
    assert all(rows[f]["kept"] for f in ("a", "b", "flag", "grade", "colour", "member"))
    # b has missing values: r on the observed rows; chi-square with missing as its own code
    b = X["b"].to_numpy()
    obs = ~np.isnan(b)
    yy = (y == "yes").astype(float)
    np.testing.assert_allclose(
        rows["b"]["pearson_r"], np.corrcoef(b[obs], yy[obs])[0, 1], rtol=1e-10
    )
    codes = np.full(len(b), 5)
    codes[obs] = _sk_bins(b[obs])
    stat, p, dof = _chi2(codes, y)
    np.testing.assert_allclose(rows["b"]["chi2"], stat, rtol=1e-10)
    assert rows["b"]["chi2_dof"] == dof == 5
    # the 0/1 flag is scored on its two values, mutual information exact (discrete)
    flag = X["flag"].to_numpy().astype(int)
    stat, _, dof = _chi2(flag, y)
    np.testing.assert_allclose(rows["flag"]["chi2"], stat, rtol=1e-10)
    mi = sk_mi_classif(flag[:, None], y, discrete_features=True)[0]
    np.testing.assert_allclose(rows["flag"]["mutual_info"], mi, rtol=1e-10)
    # colour ('red' moves the target) scores above member (noise)
    assert rows["colour"]["chi2_p"] < 1e-3 < rows["member"]["chi2_p"]


def test_class_weight_from_the_data_section_reaches_the_lr_weights():
    rng = np.random.default_rng(2)
    n = 300
    x = rng.normal(size=n)
    y = np.where(x + rng.normal(size=n) > 1.6, "rare", "common")
    X = pd.DataFrame({"x": x})
    ds = _section({"x": "numeric"}, ["x"], class_weight="balanced")
    _, sec = build_features(X, y, CLF, ds, seed=0)
    z = sk_pre.StandardScaler().fit_transform(X)
    w = SkLogistic(class_weight="balanced", tol=1e-10, max_iter=10_000).fit(z, y).coef_[0, 0]
    np.testing.assert_allclose(sec["table"][0]["lr_weight"], w, atol=2e-3)


def test_large_data_uses_a_bounded_sample(monkeypatch):
    X, y, ds = _mixed(n=240)
    monkeypatch.setattr(features, "_TABLE_ROWS", 100)
    _, sec = build_features(X, y, CLF, ds, seed=4)
    assert sec["sample"] == {
        "rows": 100,
        "of": 240,
        "sampled": True,
        "seed": 4,
        "text": sec["sample"]["text"],
    }
    assert "100 of 240" in sec["sample"]["text"] and sec["sample"]["text"] in sec["steps"]
    rows = np.sort(np.random.default_rng(4).choice(240, size=100, replace=False))
    a = X["a"].to_numpy()[rows]
    yy = (y[rows] == "yes").astype(float)
    a_row = next(r for r in sec["table"] if r["feature"] == "a")
    np.testing.assert_allclose(a_row["pearson_r"], np.corrcoef(a, yy)[0, 1], rtol=1e-10)


def test_clustering_has_preprocessors_and_no_target_scores():
    X, _, ds = _mixed()
    pre, sec = build_features(X, None, {"task": "clustering", "target": None}, ds, seed=0)
    assert all(r["mutual_info"] is None and r["lr_weight"] is None for r in sec["table"])
    assert np.isfinite(pre["scaled"].fit(X).transform(X)).all()


# ----------------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------------


def test_bad_input_is_a_workflow_error():
    X, y, ds = _mixed()
    with pytest.raises(WorkflowError, match="'nope'"):
        build_features(X, y, CLF, {**ds, "usable_features": ["a", "nope"]}, seed=0)
    with pytest.raises(WorkflowError, match="no usable feature"):
        build_features(X, y, CLF, {**ds, "usable_features": []}, seed=0)
    with pytest.raises(WorkflowError, match="240 rows"):
        build_features(X, y[:10], CLF, ds, seed=0)
    with pytest.raises(WorkflowError, match="DataFrame"):
        build_features(X.to_numpy(), y, CLF, ds, seed=0)
    with pytest.raises(WorkflowError, match="task"):
        build_features(X, y, {"task": "ranking"}, ds, seed=0)
