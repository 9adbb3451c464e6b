"""Step 1: frame the problem (notes §5.1) -- classification, regression or clustering.

The task is inferred from the target column by these rules, tried in order; the sentence of the
rule that decided is kept in the section so the user sees why:

1. no target -> **clustering**;
2. booleans (``True``/``False``) -> **classification**;
3. text labels (any value that is not a number) -> **classification**;
4. integer-valued numbers (``3`` or ``3.0``) with at most ``MAX_INTEGER_CLASSES`` (20) distinct
   values, and at least ``MIN_ROWS_PER_CLASS`` (5) rows per distinct value on average ->
   **classification**;
5. any other numbers (fractional values, or many distinct integers) -> **regression**.

``task`` overrides the inference; it is refused when it cannot work: regression on a target that
is not numeric, classification on a target with more distinct values than half its rows, or a
supervised task without a target. A given target with ``task="clustering"`` is left out.

Deep learning (notes §1) is *not favoured* when the data set is small -- fewer than
``DL_MIN_ROWS`` (10,000) rows -- or when it lacks local correlation. A table has local correlation
only when it has at least ``LOCAL_MIN_COLUMNS`` (16) numeric columns, in file order, whose
neighbours are correlated (mean ``|r|`` of adjacent columns >= ``LOCAL_ADJACENT_R`` = 0.5) much
more than columns in general (by >= ``LOCAL_MARGIN`` = 0.25), as pixels of an image or samples of
a signal are; shuffling the columns of an ordinary table (age, job, income, ...) changes nothing.

The candidate weights split the training step's trial budget among model families; they start at
``BASE_WEIGHTS``; the MLP's weight is halved when deep learning is not favoured (doubled when it
is); k-NN's is halved above ``KNN_MAX_ROWS`` (20,000) rows, where each prediction scans every row;
naive Bayes is a classifier only.
"""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np

from ._errors import WorkflowError
from ._json import py_scalar

__all__ = ["frame_problem", "split_target", "TASKS"]

TASKS = ("classification", "regression", "clustering")
METRICS = {"classification": "accuracy", "regression": "r2", "clustering": "silhouette"}

#: Integer-valued targets with at most this many distinct values are class labels.
MAX_INTEGER_CLASSES = 20
#: ... provided each distinct value has at least this many rows on average.
MIN_ROWS_PER_CLASS = 5
#: Fewer rows than this: deep learning has no clear advantage (notes §1).
DL_MIN_ROWS = 10_000
#: Local-correlation test: columns needed, adjacent mean |r|, margin over all pairs.
LOCAL_MIN_COLUMNS = 16
LOCAL_ADJACENT_R = 0.5
LOCAL_MARGIN = 0.25
#: Rows used to measure correlations.
LOCAL_SAMPLE_ROWS = 2000
#: Above this many rows k-NN gets half its weight.
KNN_MAX_ROWS = 20_000
#: Starting share of the trial budget per model family.
BASE_WEIGHTS = {
    "linear": 1.0,
    "naive_bayes": 0.5,
    "knn": 1.0,
    "tree": 1.0,
    "forest": 1.5,
    "boosting": 1.5,
    "mlp": 1.0,
}


def _missing_mask(col: Any) -> np.ndarray:
    """NaN/None, and for text columns also blank strings."""
    import pandas as pd

    miss = col.isna().to_numpy()
    if not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
        blank = col.astype("object").map(lambda v: isinstance(v, str) and not v.strip())
        miss = miss | blank.to_numpy(dtype=bool)
    return miss


def _target_kind(values: Any) -> tuple[str, Any]:
    """``("bool" | "text" | "integer" | "float", numeric values or None)`` of non-missing labels."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(values):
        return "bool", None
    as_obj = values.astype("object")
    if as_obj.map(lambda v: isinstance(v, (bool, np.bool_))).all():
        return "bool", None
    if pd.api.types.is_numeric_dtype(values):
        num = values.to_numpy(dtype=np.float64)
    else:
        num = pd.to_numeric(as_obj, errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(num).any():
            return "text", None
    if not np.isfinite(num).all():
        return "float", num
    if np.all(num == np.round(num)):
        return "integer", num
    return "float", num


def _labels(values: Any, kind: str) -> tuple[list[Any], list[int]]:
    """Sorted distinct labels (Python scalars) and their counts."""
    if kind == "integer":
        arr = values.to_numpy(dtype=np.float64).astype(np.int64)
    elif kind == "bool":
        arr = values.astype(bool).to_numpy()
    elif kind == "float":
        arr = values.to_numpy(dtype=np.float64)
    else:
        arr = values.astype(str).to_numpy()
    uniq, counts = np.unique(arr, return_counts=True)
    return [py_scalar(u) for u in uniq], [int(c) for c in counts]


def _local_correlation(features: Any) -> tuple[bool, dict[str, Any]]:
    """Whether adjacent numeric columns correlate far more than columns in general."""
    num = features.select_dtypes(include="number")
    figures: dict[str, Any] = {"numeric_columns": int(num.shape[1])}
    if num.shape[1] < LOCAL_MIN_COLUMNS:
        return False, figures
    if len(num) > LOCAL_SAMPLE_ROWS:
        rows = np.random.default_rng(0).choice(len(num), LOCAL_SAMPLE_ROWS, replace=False)
        num = num.iloc[np.sort(rows)]
    a = num.to_numpy(dtype=np.float64)
    a = np.where(np.isnan(a), np.nanmean(a, axis=0), a)
    sd = a.std(axis=0)
    a = a[:, sd > 0]
    if a.shape[1] < LOCAL_MIN_COLUMNS:
        return False, figures
    r = np.abs(np.corrcoef(a, rowvar=False))
    m = r.shape[0]
    adjacent = float(np.mean(np.diag(r, 1)))
    overall = float((r.sum() - m) / (m * (m - 1)))
    figures.update(adjacent_mean_abs_r=round(adjacent, 4), all_pairs_mean_abs_r=round(overall, 4))
    return adjacent >= LOCAL_ADJACENT_R and adjacent - overall >= LOCAL_MARGIN, figures


def _deep_learning(features: Any, n_rows: int) -> dict[str, Any]:
    local, figures = _local_correlation(features)
    reasons = []
    if n_rows < DL_MIN_ROWS:
        reasons.append(
            f"few rows: {n_rows:,} < {DL_MIN_ROWS:,} (notes §1: with little data deep learning "
            "has no clear advantage over other methods)"
        )
    if not local:
        if figures["numeric_columns"] < LOCAL_MIN_COLUMNS:
            detail = (
                f"{figures['numeric_columns']} numeric column(s) < {LOCAL_MIN_COLUMNS} needed "
                "for a signal or image"
            )
        else:
            detail = (
                f"adjacent columns' mean |r| {figures.get('adjacent_mean_abs_r', 0):.2f} vs "
                f"{figures.get('all_pairs_mean_abs_r', 0):.2f} over all pairs"
            )
        reasons.append(
            "tabular data without local correlation: shuffling the columns changes nothing "
            f"({detail}; notes §1)"
        )
    return {
        "favoured": not reasons,
        "reasons": reasons
        or [
            f"{n_rows:,} rows and locally correlated columns (adjacent mean |r| "
            f"{figures['adjacent_mean_abs_r']:.2f})"
        ],
        "figures": figures,
    }


def _weights(task: str, n_rows: int, favoured: bool) -> tuple[dict[str, float], list[str]]:
    if task == "clustering":
        return {"kmeans": 1.0}, ["clustering: k-means only"]
    w = dict(BASE_WEIGHTS)
    why = []
    if task == "regression":
        del w["naive_bayes"]
    if favoured:
        w["mlp"] *= 2
        why.append("mlp weight doubled: deep learning favoured")
    else:
        w["mlp"] *= 0.5
        why.append("mlp weight halved: deep learning not favoured")
    if n_rows > KNN_MAX_ROWS:
        w["knn"] *= 0.5
        why.append(f"knn weight halved: {n_rows:,} rows > {KNN_MAX_ROWS:,} (slow predictions)")
    return w, why


def _missing_target_error(df: Any, target: str) -> WorkflowError:
    names = [str(c) for c in df.columns]
    close = difflib.get_close_matches(target, names, n=3, cutoff=0.6)
    lowered = [n for n in names if n.lower() == target.lower() and n not in close]
    close = lowered + close
    hint = (
        f"did you mean {' or '.join(repr(c) for c in close)}?"
        if close
        else "columns are "
        + ", ".join(repr(n) for n in names[:12])
        + (" ..." if len(names) > 12 else "")
    )
    return WorkflowError(f"target column {target!r} not found; {hint}")


def frame_problem(df: Any, target: str | None, task: str | None = None) -> dict[str, Any]:
    """Decide the task from the target (rules in the module docstring) and weigh the candidates.

    Parameters
    ----------
    df : pandas.DataFrame
        The table as read, target column included.
    target : str or None
        The column to predict; None means clustering.
    task : {"classification", "regression", "clustering"}, optional
        Overrides the inference.

    Returns
    -------
    section : dict
        JSON-ready: ``task, task_source ("inferred" | "given"), target, target_kind, rule,
        metric, classes, class_counts, n_classes, n_rows, dropped_target_rows, deep_learning
        {favoured, reasons, figures}, candidate_weights {family: weight}, weights_rule,
        warnings``.

    Raises
    ------
    WorkflowError
        Unknown task, target missing (close names suggested), target all empty, a single class,
        a constant regression target, or an override that cannot work.
    """
    if task is not None and task not in TASKS:
        raise WorkflowError(f"--task must be one of {', '.join(TASKS)}; got {task!r}")
    warnings: list[str] = []
    if target is not None and str(target) not in [str(c) for c in df.columns]:
        raise _missing_target_error(df, str(target))
    if target is None or task == "clustering":
        if task in ("classification", "regression"):
            raise WorkflowError(f"--task {task} needs a target column: pass --target COLUMN")
        features = df
        rule = "no target column given -> clustering"
        if target is not None:
            features = df.drop(columns=[target])
            rule = f"--task clustering given: target {target!r} is left out -> clustering"
        n_rows = len(df)
        dl = _deep_learning(features, n_rows)
        weights, why = _weights("clustering", n_rows, dl["favoured"])
        return {
            "task": "clustering",
            "task_source": "given" if task else "inferred",
            "target": None,
            "target_kind": None,
            "rule": rule,
            "metric": METRICS["clustering"],
            "classes": None,
            "class_counts": None,
            "n_classes": None,
            "n_rows": int(n_rows),
            "dropped_target_rows": 0,
            "deep_learning": dl,
            "candidate_weights": weights,
            "weights_rule": why,
            "warnings": warnings,
        }

    col = df[target]
    miss = _missing_mask(col)
    n_missing = int(miss.sum())
    if n_missing == len(col):
        raise WorkflowError(
            f"target column {target!r} is empty in all {len(col)} rows; choose a column that "
            "holds the values to predict"
        )
    values = col[~miss]
    n_rows = len(values)
    kind, num = _target_kind(values)
    n_unique = int(values.astype(str).nunique()) if num is None else int(np.unique(num).size)

    if kind == "bool":
        inferred, rule = "classification", f"target {target!r} holds booleans -> classification"
    elif kind == "text":
        inferred = "classification"
        rule = f"target {target!r} holds {n_unique} text labels -> classification"
    elif kind == "integer" and (
        n_unique <= MAX_INTEGER_CLASSES and n_unique * MIN_ROWS_PER_CLASS <= n_rows
    ):
        inferred = "classification"
        rule = (
            f"target {target!r} holds integers with {n_unique} distinct values "
            f"(<= {MAX_INTEGER_CLASSES}, >= {MIN_ROWS_PER_CLASS} rows each on average) -> "
            "classification"
        )
    elif kind == "integer":
        inferred = "regression"
        rule = (
            f"target {target!r} holds integers with {n_unique} distinct values "
            f"(> {MAX_INTEGER_CLASSES}, or < {MIN_ROWS_PER_CLASS} rows each) -> regression"
        )
    else:
        inferred = "regression"
        rule = f"target {target!r} holds numbers with fractions ({n_unique} distinct) -> regression"

    chosen = task or inferred
    if task is not None:
        if task == "regression" and kind == "text":
            example = values.astype(str).iloc[0]
            raise WorkflowError(
                f"--task regression needs a numeric target, but {target!r} holds text labels "
                f"such as {example!r}; use --task classification"
            )
        if task == "classification" and n_unique * 2 > n_rows:
            raise WorkflowError(
                f"--task classification needs repeated labels, but {target!r} has {n_unique} "
                f"distinct values in {n_rows} rows; use --task regression"
            )
        if task == inferred:
            rule = f"--task {task} given, as inferred: {rule}"
        else:
            rule = f"--task {task} given, overriding the inference ({rule})"

    classes = counts = None
    if chosen == "classification":
        classes, counts = _labels(values, kind)
        if len(classes) < 2:
            raise WorkflowError(
                f"target column {target!r} has a single class ({classes[0]!r}) in all {n_rows} "
                "rows; a classifier needs at least two classes"
            )
        small = [c for c, k in zip(classes, counts, strict=True) if k < 5]
        if small:
            warnings.append(
                f"class(es) {', '.join(repr(c) for c in small[:5])} have fewer than 5 rows: "
                "5-fold cross-validation cannot put one in every fold"
            )
    else:
        if num is None:
            num = values.astype(float).to_numpy()
        if np.nanstd(num) == 0:
            raise WorkflowError(
                f"target column {target!r} is constant ({py_scalar(num[0])!r}); there is "
                "nothing to predict"
            )
    if n_missing:
        warnings.append(f"{n_missing} row(s) with an empty target {target!r} are left out")

    features = df.drop(columns=[target])
    dl = _deep_learning(features, n_rows)
    weights, why = _weights(chosen, n_rows, dl["favoured"])
    return {
        "task": chosen,
        "task_source": "given" if task else "inferred",
        "target": str(target),
        "target_kind": kind,
        "rule": rule,
        "metric": METRICS[chosen],
        "classes": classes,
        "class_counts": counts,
        "n_classes": None if classes is None else len(classes),
        "n_rows": int(n_rows),
        "dropped_target_rows": n_missing,
        "deep_learning": dl,
        "candidate_weights": weights,
        "weights_rule": why,
        "warnings": warnings,
    }


def split_target(df: Any, frame: dict[str, Any]) -> tuple[Any, np.ndarray | None]:
    """``(X, y)`` as the workflow's steps expect them, from the table and the frame section.

    Rows whose target is empty are dropped and the index reset. Classification labels are
    integers when the target is integer-valued (``1.0`` -> ``1``), booleans for a boolean target,
    strings otherwise; regression targets are float64. Clustering returns ``(df, None)``.
    """
    target = frame["target"]
    if frame["task"] == "clustering" or target is None:
        keep = df.drop(columns=[target]) if target in df.columns else df
        return keep.reset_index(drop=True), None
    miss = _missing_mask(df[target])
    X = df.loc[~miss].drop(columns=[target]).reset_index(drop=True)
    col = df.loc[~miss, target]
    kind = frame.get("target_kind")
    if frame["task"] == "regression":
        import pandas as pd

        y = pd.to_numeric(col.astype("object"), errors="coerce").to_numpy(dtype=np.float64)
    elif kind == "integer":
        y = col.to_numpy(dtype=np.float64).astype(np.int64)
    elif kind == "bool":
        y = col.astype(bool).to_numpy()
    elif kind == "text":
        y = col.astype(str).to_numpy(dtype=object)
    else:  # classification forced on fractional numbers
        y = col.to_numpy(dtype=np.float64)
    return X, y
