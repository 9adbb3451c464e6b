"""Hand-built metrics dicts for the report tests, following the workflow contract's keys.

The classification run carries a hostile column name (``HOSTILE``) through every place a name
can appear: the data checks, the feature table, the worst predictions, the slices and a
validation-curve parameter.
"""

from __future__ import annotations

import copy

HOSTILE = "<script>alert(1)</script>"


def _curves(train_top: float, cv_top: float, param: str, values: list, current) -> dict:
    sizes = [24, 48, 96, 144, 192]
    k = len(values)
    return {
        "learning_curve": {
            "train_sizes": sizes,
            "train_mean": [min(train_top + 0.01 * (4 - i), 1.0) for i in range(5)],
            "train_std": [0.01] * 5,
            "cv_mean": [cv_top - 0.05 * (4 - i) for i in range(5)],
            "cv_std": [0.03, 0.03, 0.02, 0.02, 0.02],
        },
        "validation_curve": {
            "param": param,
            "values": values,
            "train_mean": [0.7 + 0.3 * i / (k - 1) for i in range(k)],
            "train_std": [0.01] * k,
            "cv_mean": [0.7 + 0.1 * i / (k - 1) for i in range(k)],
            "cv_std": [0.02] * k,
            "current": current,
        },
    }


def classification_metrics() -> dict:
    """A full classification run: 6 plots (leaderboard, 2 x (learning + validation), confusion)."""
    forest = {
        "name": "RandomForestClassifier",
        **_curves(0.99, 0.81, "model__max_depth", [2, 4, 8, 16, None], None),
        "verdict": {
            "kind": "high variance",
            "text": "high variance (over-fitting): train 0.99 vs CV 0.81, gap still closing -> "
            "more data, stronger regularisation, pruning",
            "figures": {"train": 0.99, "cv": 0.81, "gap": 0.18},
            "thresholds": {"gap": 0.05},
        },
    }
    logistic = {
        "name": "LogisticRegression",
        **_curves(0.88, 0.86, HOSTILE, [0.01, 0.1, 1.0, 10.0, 100.0], 1.0),
        "verdict": {"kind": "good fit", "text": "good fit: train 0.88 vs CV 0.86"},
    }
    return {
        "task": "classification",
        "metric": "accuracy",
        "final_model": "RandomForestClassifier",
        "cv_score": 0.81,
        "verdicts": [
            {"model": "RandomForestClassifier", **forest["verdict"]},
            {"model": "LogisticRegression", **logistic["verdict"]},
        ],
        "seed": 0,
        "trials": 40,
        "lucidml_version": "0.1.0",
        "timings": {"load": 0.02, "train": 3.5, "deploy": 2.1},
        "load": {
            "path": "penguins.csv",
            "format": "csv",
            "delimiter": ",",
            "encoding": "utf-8",
            "n_rows": 344,
            "n_columns": 8,
            "memory": {
                "estimated_bytes": 120_000,
                "budget_bytes": 4_000_000_000,
                "decision": "in memory: 0.1 MB estimated, budget 4 GB",
            },
        },
        "frame": {
            "task": "classification",
            "target": "species",
            "rule": "target 'species' holds 3 text labels -> classification",
            "classes": ["Adelie", "Chinstrap", "Gentoo"],
            "n_classes": 3,
            "dropped_target_rows": 0,
            "deep_learning": {"favoured": False, "reasons": ["344 rows is few", "tabular data"]},
            "candidate_weights": {"forest": 1.0, "mlp": 0.3},
        },
        "data": {
            "n_rows": 344,
            "n_duplicates": 0,
            "columns": [
                {
                    "name": "bill_length_mm",
                    "dtype": "float64",
                    "kind": "numeric",
                    "n_missing": 2,
                    "missing_fraction": 0.0058,
                    "n_unique": 164,
                },
                {
                    "name": HOSTILE,
                    "dtype": "str",
                    "kind": "categorical",
                    "n_missing": 0,
                    "missing_fraction": 0.0,
                    "n_unique": 3,
                },
            ],
            "class_balance": {
                "counts": {"Adelie": 152, "Chinstrap": 68, "Gentoo": 124},
                "ratio": 2.24,
                "imbalanced": False,
                "class_weight": None,
            },
            "leakage": [],
            "dropped": [{"feature": "id", "reason": "identifier"}],
            "usable_features": ["bill_length_mm", HOSTILE],
            "warnings": ["2 rows miss bill_length_mm"],
        },
        "features": {
            "steps": ["imputed medians", "one-hot encoded 1 categorical"],
            "table": [
                {
                    "feature": "bill_length_mm",
                    "kind": "numeric",
                    "pearson_r": 0.73,
                    "chi2": 50.1,
                    "chi2_p": 1e-9,
                    "mutual_info": 0.61,
                    "conditional_entropy": 0.9,
                    "lr_weight": 1.2,
                    "kept": True,
                    "reason": "",
                },
                {
                    "feature": HOSTILE,
                    "kind": "categorical",
                    "pearson_r": None,
                    "chi2": 300.0,
                    "chi2_p": 1e-40,
                    "mutual_info": 0.7,
                    "conditional_entropy": 0.5,
                    "lr_weight": 0.8,
                    "kept": False,
                    "reason": "collinear",
                },
            ],
        },
        "train": {
            "leaderboard": [
                {
                    "name": "RandomForestClassifier",
                    "family": "forest",
                    "params": {"max_depth": None},
                    "cv_score": 0.81,
                    "cv_std": 0.03,
                    "fit_seconds": 1.2,
                    "n_trials": 10,
                },
                {
                    "name": "LogisticRegression",
                    "family": "linear",
                    "params": {"C": 1.0},
                    "cv_score": 0.86,
                    "cv_std": 0.02,
                    "fit_seconds": 0.1,
                    "n_trials": 8,
                },
            ],
            "tuning_rows": 344,
            "trials": 40,
        },
        "diagnose": {"models": [forest, logistic]},
        "errors": {
            "worst": [
                {
                    "row": 17,
                    "true": "Adelie",
                    "pred": "Gentoo",
                    "error": 0.93,
                    "features": {"bill_length_mm": 44.1, HOSTILE: "x"},
                },
            ],
            "slices": [
                {
                    "feature": HOSTILE,
                    "slice": "x",
                    "n": 40,
                    "error_rate": 0.4,
                    "overall": 0.19,
                    "flagged": True,
                },
                {
                    "feature": "bill_length_mm",
                    "slice": "Q1",
                    "n": 86,
                    "error_rate": 0.1,
                    "overall": 0.19,
                    "flagged": False,
                },
            ],
            "confusion_matrix": {
                "labels": ["Adelie", "Chinstrap", "Gentoo"],
                "matrix": [[140, 8, 4], [10, 55, 3], [2, 1, 121]],
            },
        },
        "bootstrap": {"score": 0.81, "low": 0.77, "high": 0.85, "confidence": 0.95},
        "fusion": {
            "candidates": [
                {
                    "name": "soft voting",
                    "cv_score": 0.85,
                    "diff": -0.01,
                    "low": -0.03,
                    "high": 0.01,
                    "kept": False,
                },
            ],
            "rule": "keep a fusion when the lower 95% bound of its gain is above 0",
            "decision": "no fusion kept: soft voting does not beat LogisticRegression",
        },
        "deploy": {
            "model_file": "model.lucidml",
            "size_bytes": 13_097,
            "size": "12.8 KiB",
            "reload_identical": True,
            "latency": {
                "single_row_ms": {"p50": 0.73, "p95": 0.83, "calls": 1309},
                "batch_ms": {"p50": 1.4, "p95": 1.5, "calls": 700, "rows": 1000},
            },
            "rows_per_second": 726_000.0,
            "peak_memory": {"bytes": 210_116, "rows": 1000, "method": "tracemalloc"},
            "stability": {
                "seeds": {
                    "seeds": [0, 1, 2],
                    "scores": [0.80, 0.81, 0.82],
                    "mean": 0.81,
                    "std": 0.01,
                    "min": 0.80,
                    "max": 0.82,
                },
                "bootstrap": {"score": 0.81, "low": 0.77, "high": 0.85, "std": 0.02},
            },
            "summary": "Saved model.lucidml (12.8 KiB); reloaded copy predicts identically.",
        },
    }


def regression_metrics() -> dict:
    """A regression run: leaderboard, one model's two curves, a residual plot (4 plots)."""
    m = classification_metrics()
    m.update(task="regression", metric="r2", final_model="Ridge", cv_score=0.62)
    m["frame"] = {"task": "regression", "target": "price", "rule": "float target -> regression"}
    m["diagnose"] = {"models": [copy.deepcopy(m["diagnose"]["models"][1])]}
    m["diagnose"]["models"][0]["name"] = "Ridge"
    m["verdicts"] = []
    m["errors"] = {
        "worst": [{"row": 3, "true": 10.0, "pred": 2.0, "error": 8.0}],
        "residuals": {
            "mean": 0.01,
            "std": 1.2,
            "predicted": [1.0, 2.0, 3.0, 4.0],
            "residual": [0.5, -0.2, 0.1, -0.4],
        },
    }
    m["bootstrap"] = {"score": 0.62, "low": 0.55, "high": 0.68, "confidence": 0.95}
    return m


def clustering_metrics() -> dict:
    """A clustering run: only frame, load, data, deploy and cluster (1 plot)."""
    return {
        "task": "clustering",
        "metric": "silhouette",
        "final_model": "KMeans",
        "cv_score": 0.55,
        "frame": {"task": "clustering", "target": None, "rule": "no target -> clustering"},
        "cluster": {
            "silhouette_by_k": {"2": 0.5, "3": 0.55, "4": 0.41},
            "inertia_by_k": {"2": 900.0, "3": 500.0, "4": 420.0},
            "chosen_k": 3,
            "sizes": [100, 120, 124],
            "explanation": "k = 3 has the highest mean silhouette (0.55)",
            "profiles": [
                {"cluster": 0, "size": 100, "means": {"a": 1.5}, "modes": {HOSTILE: "x"}},
                {"cluster": 1, "size": 120, "means": {"a": -0.25}, "modes": {HOSTILE: "y"}},
            ],
        },
    }


def expected_images(metrics: dict) -> int:
    """How many plots the metrics call for, counted from the contract's keys."""
    n = 0
    board = (metrics.get("train") or {}).get("leaderboard") or []
    n += any(isinstance(r.get("cv_score"), float) for r in board)
    for model in (metrics.get("diagnose") or {}).get("models", []):
        n += "learning_curve" in model
        n += "validation_curve" in model
    errors = metrics.get("errors") or {}
    n += "confusion_matrix" in errors
    n += "residuals" in errors
    n += "cluster" in metrics
    return n
