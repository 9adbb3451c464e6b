"""Pipeline and ColumnTransformer against scikit-learn's, with the same inner estimators."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn import pipeline as skp
from sklearn.compose import ColumnTransformer as SkColumnTransformer
from sklearn.compose import make_column_selector as sk_make_column_selector
from sklearn.compose import make_column_transformer as sk_make_column_transformer
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, StandardScaler

from lucidml.base import NotFittedError, clone
from lucidml.cluster import KMeans
from lucidml.linear_model import LogisticRegression
from lucidml.naive_bayes import GaussianNB
from lucidml.pipeline import (
    ColumnTransformer,
    Pipeline,
    make_column_selector,
    make_column_transformer,
    make_pipeline,
)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


def _frame(n=120, seed=0):
    """A mixed-dtype DataFrame: two numeric columns, two string columns, an int column."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "age": rng.normal(40, 10, n),
            "city": rng.choice(["paris", "rome", "oslo"], n),
            "income": rng.lognormal(10, 1, n),
            "colour": rng.choice(["red", "blue"], n),
            "visits": rng.integers(0, 10, n),
        }
    )
    y = ((df["age"] > 40) ^ (df["city"] == "rome")).astype(int).to_numpy()
    return df, y


# ----------------------------------------------------------------------------------------------
# Pipeline
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("final", [LogisticRegression(), GaussianNB()])
def test_pipeline_equals_sklearn_pipeline(iris, final):
    X, y = iris
    ours = Pipeline([("scale", StandardScaler()), ("clf", clone(final))]).fit(X, y)
    ref = skp.Pipeline([("scale", StandardScaler()), ("clf", clone(final))]).fit(X, y)
    for method in ("predict", "predict_proba", "predict_log_proba", "decision_function"):
        assert hasattr(ours, method) == hasattr(ref, method), method
        if hasattr(ref, method):
            np.testing.assert_allclose(
                getattr(ours, method)(X), getattr(ref, method)(X), rtol=1e-12, atol=1e-12
            )
    assert ours.score(X, y) == ref.score(X, y)
    w = np.linspace(0.5, 1.5, len(y))
    assert ours.score(X, y, sample_weight=w) == pytest.approx(ref.score(X, y, sample_weight=w))
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    assert ours.n_features_in_ == 4
    assert ours._estimator_type == "classifier"
    assert ours.__sklearn_tags__().estimator_type == "classifier"


def test_methods_exist_only_when_the_final_step_has_them(iris):
    X, y = iris
    clf = Pipeline([("s", StandardScaler()), ("nb", GaussianNB())])
    assert not hasattr(clf, "transform") and not hasattr(clf, "decision_function")
    assert not hasattr(clf, "inverse_transform") and not hasattr(clf, "fit_transform")
    assert hasattr(clf, "predict_proba")
    tr = Pipeline([("a", StandardScaler()), ("b", MinMaxScaler())])
    assert not hasattr(tr, "predict") and not hasattr(tr, "score")
    Z = tr.fit_transform(X)
    ref = skp.Pipeline([("a", StandardScaler()), ("b", MinMaxScaler())]).fit(X)
    np.testing.assert_allclose(Z, ref.transform(X), rtol=1e-12)
    np.testing.assert_allclose(tr.transform(X), Z, rtol=1e-12)
    np.testing.assert_allclose(tr.inverse_transform(Z), X, rtol=1e-12)


def test_passthrough_and_none_steps(iris):
    X, y = iris
    plain = Pipeline([("s", StandardScaler()), ("lr", LogisticRegression())]).fit(X, y)
    for skip in ("passthrough", None):
        p = Pipeline(
            [("skip", skip), ("s", StandardScaler()), ("x", skip), ("lr", LogisticRegression())]
        )
        np.testing.assert_allclose(p.fit(X, y).predict_proba(X), plain.predict_proba(X))
        t = Pipeline([("s", StandardScaler()), ("last", skip)])
        np.testing.assert_allclose(t.fit_transform(X), StandardScaler().fit_transform(X))
        np.testing.assert_allclose(t.transform(X), StandardScaler().fit_transform(X))


def test_named_steps_indexing_and_slicing(iris):
    X, y = iris
    pipe = Pipeline([("s", StandardScaler()), ("m", MinMaxScaler()), ("nb", GaussianNB())])
    assert isinstance(pipe.named_steps.nb, GaussianNB) and pipe["s"] is pipe.steps[0][1]
    assert len(pipe) == 3 and pipe[-1] is pipe.steps[-1][1]
    pipe.fit(X, y)
    # fit works on clones: the given steps stay unfitted, the fitted ones are in steps_
    assert not hasattr(pipe.steps[0][1], "mean_")
    assert pipe["s"] is pipe.steps_[0][1] and hasattr(pipe.named_steps["s"], "mean_")
    head = pipe[:-1]
    assert isinstance(head, Pipeline) and [n for n, _ in head.steps] == ["s", "m"]
    expected = MinMaxScaler().fit_transform(StandardScaler().fit_transform(X))
    np.testing.assert_allclose(head.transform(X), expected, rtol=1e-12)
    with pytest.raises(ValueError, match="step of 1"):
        pipe[::2]


def test_nested_params_match_sklearn():
    steps = lambda: [("s", StandardScaler()), ("lr", LogisticRegression())]  # noqa: E731
    ours, ref = Pipeline(steps()), skp.Pipeline(steps())
    assert set(ours.get_params()) == set(ref.get_params()) - {"transform_input"}
    assert set(ours.get_params(deep=False)) == {"steps", "memory", "verbose"}
    ours.set_params(lr__C=0.1, s__with_mean=False)
    assert ours.named_steps.lr.C == 0.1 and ours.named_steps.s.with_mean is False
    ours.set_params(s="passthrough")
    assert ours.steps[0] == ("s", "passthrough")
    with pytest.raises(ValueError, match="Invalid parameter"):
        ours.set_params(nope=1)
    c = clone(ours)
    assert c.get_params()["lr__C"] == 0.1 and c.named_steps.lr is not ours.named_steps.lr


def test_fit_params_are_routed_to_their_step(iris):
    X, y = iris
    w = np.random.default_rng(0).uniform(0.1, 2, len(y))
    pipe = Pipeline([("s", StandardScaler()), ("nb", GaussianNB())]).fit(X, y, nb__sample_weight=w)
    direct = GaussianNB().fit(StandardScaler().fit_transform(X), y, sample_weight=w)
    np.testing.assert_allclose(pipe.named_steps.nb.theta_, direct.theta_, rtol=1e-12)
    with pytest.raises(ValueError, match="stepname__parameter"):
        pipe.fit(X, y, sample_weight=w)
    with pytest.raises(ValueError, match="stepname__parameter"):
        pipe.fit(X, y, other__sample_weight=w)


def test_fit_predict_with_a_clusterer(iris):
    X, _ = iris
    pipe = Pipeline([("s", StandardScaler()), ("km", KMeans(3, random_state=0))])
    labels = pipe.fit_predict(X)
    direct = KMeans(3, random_state=0).fit(StandardScaler().fit_transform(X))
    np.testing.assert_array_equal(labels, direct.labels_)
    np.testing.assert_array_equal(pipe.predict(X), labels)
    np.testing.assert_allclose(
        pipe.transform(X), direct.transform(StandardScaler().fit_transform(X))
    )


def test_make_pipeline_names_like_sklearn():
    ests = [StandardScaler(), "passthrough", StandardScaler(), MinMaxScaler(), GaussianNB()]
    ours = make_pipeline(*ests)
    ref = skp.make_pipeline(*ests)
    assert [n for n, _ in ours.steps] == [n for n, _ in ref.steps]
    assert [n for n, _ in ours.steps][:3] == ["standardscaler-1", "passthrough", "standardscaler-2"]


def test_feature_names_and_dataframes_flow_through():
    df, y = _frame()
    num = df[["age", "income", "visits"]]
    pipe = Pipeline([("s", StandardScaler()), ("nb", GaussianNB())]).fit(num, y)
    np.testing.assert_array_equal(pipe.feature_names_in_, ["age", "income", "visits"])
    enc = Pipeline([("oh", OneHotEncoder(sparse_output=False)), ("mm", MinMaxScaler())])
    enc.fit(df[["city", "colour"]])
    ref = skp.Pipeline([("oh", OneHotEncoder(sparse_output=False)), ("mm", MinMaxScaler())])
    ref.fit(df[["city", "colour"]])
    np.testing.assert_array_equal(enc.get_feature_names_out(), ref.get_feature_names_out())
    with pytest.raises(AttributeError, match="get_feature_names_out"):
        pipe.get_feature_names_out()


def test_sklearn_model_selection_tunes_a_lucidml_pipeline(iris):
    X, y = iris
    pipe = Pipeline([("s", StandardScaler()), ("lr", LogisticRegression())])
    grid = GridSearchCV(pipe, {"lr__C": [0.01, 1.0]}, cv=3).fit(X, y)
    manual = [
        cross_val_score(clone(pipe).set_params(lr__C=c), X, y, cv=3).mean() for c in (0.01, 1.0)
    ]
    np.testing.assert_allclose(grid.cv_results_["mean_test_score"], manual)
    assert grid.best_params_ == {"lr__C": [0.01, 1.0][int(np.argmax(manual))]}


def test_pipeline_bad_input(iris):
    X, y = iris
    with pytest.raises(NotFittedError):
        Pipeline([("nb", GaussianNB())]).predict(X)
    with pytest.raises(ValueError, match="not unique"):
        Pipeline([("a", StandardScaler()), ("a", GaussianNB())]).fit(X, y)
    with pytest.raises(ValueError, match="__"):
        Pipeline([("a__b", StandardScaler()), ("nb", GaussianNB())]).fit(X, y)
    with pytest.raises(ValueError, match="conflict"):
        Pipeline([("steps", StandardScaler()), ("nb", GaussianNB())]).fit(X, y)
    with pytest.raises(TypeError, match="intermediate steps"):
        Pipeline([("nb", GaussianNB()), ("lr", LogisticRegression())]).fit(X, y)
    with pytest.raises(TypeError, match="Last step"):
        Pipeline([("s", StandardScaler()), ("x", 3)]).fit(X, y)
    with pytest.raises(ValueError, match="non-empty"):
        Pipeline([]).fit(X, y)
    pipe = Pipeline([("s", StandardScaler()), ("nb", GaussianNB())]).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        pipe.predict(X[:, :3])
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        pipe.predict(Xn)


# ----------------------------------------------------------------------------------------------
# ColumnTransformer
# ----------------------------------------------------------------------------------------------


def _pair(transformers, **kw):
    """Our ColumnTransformer and scikit-learn's (dense output), built from the same spec."""
    ours = ColumnTransformer(
        [(n, clone(t) if not isinstance(t, str) else t, c) for n, t, c in transformers], **kw
    )
    ref = SkColumnTransformer(
        [(n, clone(t) if not isinstance(t, str) else t, c) for n, t, c in transformers],
        sparse_threshold=0,
        **kw,
    )
    return ours, ref


@pytest.mark.parametrize("remainder", ["drop", "passthrough", MinMaxScaler()])
@pytest.mark.parametrize("verbose_names", [True, False])
def test_mixed_dataframe_equals_sklearn(remainder, verbose_names):
    df, _ = _frame()
    spec = [
        ("num", StandardScaler(), ["age", "income"]),
        ("cat", OneHotEncoder(sparse_output=False), ["city", "colour"]),
    ]
    ours, ref = _pair(spec, remainder=remainder, verbose_feature_names_out=verbose_names)
    Z = ours.fit_transform(df)
    Zr = ref.fit_transform(df)
    np.testing.assert_allclose(Z.astype(float), Zr.astype(float), rtol=1e-12)
    df2, _ = _frame(30, seed=1)
    np.testing.assert_allclose(
        ours.transform(df2).astype(float), ref.transform(df2).astype(float), rtol=1e-12
    )
    np.testing.assert_array_equal(ours.get_feature_names_out(), ref.get_feature_names_out())
    assert ours.output_indices_ == ref.output_indices_
    np.testing.assert_array_equal(ours.feature_names_in_, ref.feature_names_in_)
    assert ours.n_features_in_ == 5
    assert [n for n, _, _ in ours.transformers_] == [n for n, _, _ in ref.transformers_][
        : len(ours.transformers_)
    ]
    np.testing.assert_allclose(
        ours.named_transformers_.num.mean_, ref.named_transformers_.num.mean_
    )


@pytest.mark.parametrize(
    "num_cols, cat_cols",
    [
        ([0, 2], [1, 3]),
        (slice(0, 1), slice(1, 2)),
        (np.array([True, False, True, False, False]), np.array([False, True, False, True, False])),
        (["age", "income"], ["city", "colour"]),
        (slice("age", "age"), slice("city", "city")),
        ("age", ["city"]),
        (
            sk_make_column_selector(dtype_include=np.floating),
            sk_make_column_selector(dtype_exclude=np.number),
        ),
        (
            make_column_selector(dtype_include=np.floating),
            make_column_selector(pattern="^c"),
        ),
        (lambda X: [0], lambda X: [1]),
    ],
)
def test_column_selection_kinds_equal_sklearn(num_cols, cat_cols):
    df, _ = _frame()
    if isinstance(num_cols, str):  # a scalar key hands the transformer a 1-D column
        spec = [
            ("num", MinMaxScaler(), [num_cols]),
            ("cat", OneHotEncoder(sparse_output=False), cat_cols),
        ]
    else:
        spec = [
            ("num", StandardScaler(), num_cols),
            ("cat", OneHotEncoder(sparse_output=False), cat_cols),
        ]
    ours, ref = _pair(spec, remainder="passthrough")
    Z, Zr = ours.fit_transform(df), ref.fit_transform(df)
    # same inner transformers: identical numbers (object arrays when strings pass through)
    np.testing.assert_array_equal(Z, Zr)
    np.testing.assert_array_equal(ours.get_feature_names_out(), ref.get_feature_names_out())


def test_our_column_selector_matches_sklearns():
    df, _ = _frame()
    for kw in (
        dict(dtype_include=np.number),
        dict(dtype_exclude=np.number),
        dict(pattern="i"),
        dict(pattern="^[a-c]", dtype_exclude=np.number),
    ):
        assert make_column_selector(**kw)(df) == sk_make_column_selector(**kw)(df)
    with pytest.raises(ValueError, match="dataframes"):
        make_column_selector(pattern="a")(np.zeros((2, 2)))


def test_numpy_input_with_indices_and_scalar_key():
    X = np.random.default_rng(0).normal(size=(50, 4))
    spec = [("a", StandardScaler(), [0, 1]), ("b", "passthrough", [3]), ("c", "drop", [2])]
    ours, ref = _pair(spec)
    np.testing.assert_allclose(ours.fit_transform(X), ref.fit_transform(X), rtol=1e-12)
    np.testing.assert_array_equal(ours.get_feature_names_out(), ref.get_feature_names_out())
    assert ours.output_indices_ == ref.output_indices_
    assert ours.transformers_[0][2] == [0, 1]


def test_make_column_transformer_names_like_sklearn():
    pairs = [
        (StandardScaler(), ["age"]),
        (StandardScaler(), ["income"]),
        ("passthrough", ["visits"]),
    ]
    ours = make_column_transformer(*pairs, remainder="drop")
    ref = sk_make_column_transformer(*pairs, remainder="drop")
    assert [n for n, _, _ in ours.transformers] == [n for n, _, _ in ref.transformers]


def test_column_transformer_params_are_nested():
    ct = ColumnTransformer([("s", StandardScaler(), [0]), ("m", MinMaxScaler(), [1])])
    ref = SkColumnTransformer([("s", StandardScaler(), [0]), ("m", MinMaxScaler(), [1])])
    assert set(ct.get_params()) == set(ref.get_params()) - {
        "force_int_remainder_cols",
        "transformer_weights",
        "verbose",
    }
    ct.set_params(s__with_mean=False, m="drop")
    assert ct.transformers[0][1].with_mean is False and ct.transformers[1][1] == "drop"


def test_column_transformer_in_a_pipeline_equals_sklearn():
    df, y = _frame()
    spec = [
        ("num", StandardScaler(), make_column_selector(dtype_include=np.number)),
        ("cat", OneHotEncoder(sparse_output=False), make_column_selector(dtype_exclude=np.number)),
    ]
    ours = Pipeline([("prep", ColumnTransformer(spec)), ("lr", LogisticRegression())]).fit(df, y)
    ref_spec = [(n, clone(t), sk_make_column_selector(**vars(c))) for n, t, c in spec]
    ref = skp.Pipeline(
        [("prep", SkColumnTransformer(ref_spec, sparse_threshold=0)), ("lr", LogisticRegression())]
    ).fit(df, y)
    np.testing.assert_allclose(ours.predict_proba(df), ref.predict_proba(df), rtol=1e-10)
    np.testing.assert_array_equal(
        ours[:-1].get_feature_names_out(), ref[:-1].get_feature_names_out()
    )


def test_column_transformer_bad_input():
    df, _ = _frame()
    X = np.random.default_rng(0).normal(size=(20, 3))
    ct = ColumnTransformer([("s", StandardScaler(), [0, 1])]).fit(X)
    with pytest.raises(ValueError, match="X has 2 features, but ColumnTransformer is expecting 3"):
        ct.transform(X[:, :2])
    with pytest.raises(NotFittedError):
        ColumnTransformer([("s", StandardScaler(), [0])]).transform(X)
    with pytest.raises(ValueError, match="only supported for dataframes"):
        ColumnTransformer([("s", StandardScaler(), ["a"])]).fit(X)
    with pytest.raises(ValueError, match="not a column"):
        ColumnTransformer([("s", StandardScaler(), ["nope"])]).fit(df)
    with pytest.raises(ValueError, match="out of range"):
        ColumnTransformer([("s", StandardScaler(), [5])]).fit(X)
    with pytest.raises(ValueError, match="boolean column mask"):
        ColumnTransformer([("s", StandardScaler(), [True, False])]).fit(X)
    with pytest.raises(ValueError, match="'drop' or 'passthrough'"):
        ColumnTransformer([("s", "keep", [0])]).fit(X)
    with pytest.raises(TypeError, match="fit and transform"):
        ColumnTransformer([("s", GaussianNB(), [0])]).fit(X)
    with pytest.raises(ValueError, match="not unique"):
        ColumnTransformer([("s", "passthrough", [0]), ("s", "passthrough", [1])]).fit(X)
    with pytest.raises(ValueError, match="0 sample"):
        ColumnTransformer([("s", StandardScaler(), [0])]).fit(X[:0])
    with pytest.raises(ValueError, match="could not convert|NaN|infinity"):
        # strings reaching a numeric transformer: the inner transformer refuses them
        ColumnTransformer([("s", StandardScaler(), ["city"])]).fit(df)
    fitted = ColumnTransformer([("s", StandardScaler(), ["age"])]).fit(df)
    with pytest.raises(ValueError, match="feature names"):
        fitted.transform(df.rename(columns={"age": "AGE"}))
    with pytest.raises(ValueError, match="not equal to feature_names_in_"):
        fitted.get_feature_names_out(["a", "b", "c", "d", "e"])
    with pytest.raises(ValueError, match="not unique"):
        ColumnTransformer(
            [("a", "passthrough", ["age"]), ("b", "passthrough", ["age"])],
            verbose_feature_names_out=False,
        ).fit(df).get_feature_names_out()
