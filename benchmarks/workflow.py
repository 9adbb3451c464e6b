"""`lucidml run` against two scikit-learn baselines on public tables it was not tuned on (issue 6).

For each dataset the whole workflow runs at its default budget (``--trials 40``, seed 0) and its
final model's cross-validated score is set beside the better of two scikit-learn baselines, each
scored by 5-fold cross-validation (stratified for classification) on the same rows:

- a scaled linear pipeline: median/most-frequent imputation, one-hot categoricals, standard scaling,
  then ``LogisticRegression`` (classification) or ``RidgeCV`` (regression);
- ``HistGradientBoostingClassifier/Regressor`` on ordinal-encoded categoricals.

Both baselines see the columns lucidml keeps as usable features (free text and row ids dropped),
so they are compared on the same information. The target: lucidml within 0.01 of the better
baseline. A second table times a full run on 50,000 rows x 10 columns (target: at most 3 minutes
on 2 cores).

    python benchmarks/workflow.py [--quick] [--trials 40] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from _common import machine_report, print_table


def _datasets(quick: bool):
    import pandas as pd
    from sklearn import datasets as skd

    from lucidml.datasets import load_penguins

    out = {}
    out["penguins (bundled)"] = (load_penguins(), "species")
    for name, loader, target in [
        ("breast cancer", skd.load_breast_cancer, "target"),
        ("wine", skd.load_wine, "target"),
        ("diabetes", skd.load_diabetes, "target"),
    ]:
        bunch = loader(as_frame=True)
        out[name] = (bunch.frame, target)
    try:
        from vega_datasets import local_data

        out["cars (vega)"] = (local_data.cars(), "Miles_per_Gallon")
        weather = local_data.seattle_weather()
        weather["date"] = weather["date"].astype(str)
        out["seattle weather (vega)"] = (weather, "weather")
        out["barley (vega)"] = (local_data.barley(), "yield")
    except ImportError:
        pass
    if quick:
        out = dict(list(out.items())[:3])
    return {k: (pd.DataFrame(v[0]), v[1]) for k, v in out.items()}


def _baselines(X, y, task: str, seed: int) -> dict[str, float]:
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, RidgeCV
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    cat = [c for c in X.columns if X[c].dtype == object or str(X[c].dtype) in ("category", "str")]
    num = [c for c in X.columns if c not in cat]
    linear_pre = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), num),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                cat,
            ),
        ]
    )
    tree_pre = ColumnTransformer(
        [
            ("num", "passthrough", num),
            (
                "cat",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=-1,
                    encoded_missing_value=-1,
                ),
                cat,
            ),
        ]
    )
    if task == "classification":
        cv = StratifiedKFold(5, shuffle=True, random_state=seed)
        linear = make_pipeline(linear_pre, LogisticRegression(max_iter=2000))
        hgb = make_pipeline(tree_pre, HistGradientBoostingClassifier(random_state=seed))
        scoring = "accuracy"
    else:
        cv = KFold(5, shuffle=True, random_state=seed)
        linear = make_pipeline(linear_pre, RidgeCV())
        hgb = make_pipeline(tree_pre, HistGradientBoostingRegressor(random_state=seed))
        scoring = "r2"
    return {
        "linear": float(cross_val_score(linear, X, y, cv=cv, scoring=scoring).mean()),
        "hgb": float(cross_val_score(hgb, X, y, cv=cv, scoring=scoring).mean()),
    }


def _quality(args) -> list[list[str]]:
    import pandas as pd

    from lucidml.workflow._run import run_project

    rows = []
    for name, (df, target) in _datasets(args.quick).items():
        if args.only and not any(o.lower() in name.lower() for o in args.only):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "data.csv"
            df.to_csv(path, index=False)
            start = time.perf_counter()
            m = run_project(path, target=target, seed=0, trials=args.trials, out=Path(tmp) / "run")
            seconds = time.perf_counter() - start
            df = pd.read_csv(path)  # the baselines see the table as read from the same file
        keep = df[target].notna().to_numpy()
        X = df.loc[keep, m["data"]["usable_features"]].reset_index(drop=True)
        y = df.loc[keep, target].to_numpy()
        if m["task"] == "classification":
            y = y.astype(str)
        base = _baselines(X, y, m["task"], seed=0)
        best = max(base.values())
        diff = m["cv_score"] - best
        rows.append(
            [
                name,
                f"{df.shape[0]}x{df.shape[1] - 1}",
                m["metric"],
                f"{base['linear']:.4f}",
                f"{base['hgb']:.4f}",
                f"{m['cv_score']:.4f}",
                f"{diff:+.4f}",
                "yes" if diff >= -0.01 else "NO",
                m["final_model"],
                f"{seconds:.0f}",
            ]
        )
        print(rows[-1], flush=True)
    return rows


def _timing(args) -> list[list[str]]:
    import pandas as pd
    from sklearn.datasets import make_classification, make_regression

    from lucidml.workflow._run import run_project

    n = 5_000 if args.quick else 50_000
    rng = np.random.default_rng(0)
    rows = []
    for task in ("classification", "regression"):
        if task == "classification":
            X, y = make_classification(
                n_samples=n, n_features=8, n_informative=5, n_redundant=1, random_state=0
            )
        else:
            X, y = make_regression(
                n_samples=n, n_features=8, n_informative=5, noise=10.0, random_state=0
            )
            y = y + 3 * np.sin(X[:, 0])  # a little non-linearity
        df = pd.DataFrame(X, columns=[f"x{i}" for i in range(8)])
        df["colour"] = rng.choice(["red", "green", "blue", "grey"], size=n)
        df["grade"] = rng.choice(["a", "b", "c"], size=n)
        df["y"] = y
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "big.csv"
            df.to_csv(path, index=False)
            start = time.perf_counter()
            m = run_project(path, target="y", seed=0, trials=args.trials, out=Path(tmp) / "run")
            seconds = time.perf_counter() - start
        steps = ", ".join(f"{k} {v:.0f}s" for k, v in m["timings"].items() if k != "total")
        rows.append(
            [
                f"{n:,} x 10 (8 numeric, 2 categorical), {task}",
                f"{seconds:.0f} s",
                "yes" if seconds <= 180 else "NO",
                f"{m['metric']} {m['cv_score']:.4f}",
                m["final_model"],
                steps,
            ]
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="three datasets, 5,000-row timing")
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--only", nargs="*", help="substrings of dataset names to run")
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args()
    print("\n".join(machine_report()))
    rows = _quality(args)
    print_table(
        [
            "dataset",
            "rows x features",
            "metric",
            "sklearn linear",
            "sklearn HGB",
            "lucidml run",
            "vs best",
            "within 0.01",
            "final model",
            "run s",
        ],
        rows,
    )
    if not args.no_timing:
        print_table(
            ["data", "full run", "<= 3 min", "CV score", "final model", "steps"], _timing(args)
        )


if __name__ == "__main__":
    main()
