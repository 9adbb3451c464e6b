"""Step 2, second half: check the data (notes §5.2) -- types, gaps, duplicates, balance, leaks.

Column kinds, decided per column on its non-missing values (``n`` of them, ``u`` distinct):

- **constant**: ``u <= 1``;
- **id**: an identifier, useless to learn from -- the name reads like one (``id``, ``*_id``,
  ``uuid``, ``key``, ``index``, ``Unnamed: 0``, ...) and ``u >= ID_UNIQUE_FRACTION`` (95 %) of
  ``n``; or integer numbers all distinct and strictly increasing in file order (a row counter);
  or text of single tokens (median ``< TEXT_MIN_WORDS`` words) with ``u >= 95 %`` of ``n``;
- **text**: free text -- median ``>= TEXT_MIN_WORDS`` (3) words per value and ``u >=
  TEXT_UNIQUE_FRACTION`` (50 %) of ``n``;
- **categorical**: other text, and booleans;
- **numeric**: other numbers.

Ids, free text and constants are dropped. Duplicates: rows equal to an earlier row in every
feature and the target; *conflicting* duplicates share the features but not the target.

Class balance: the ratio of the largest to the smallest class; at ``>= IMBALANCE_RATIO`` (10 --
the notes: classes should not differ by orders of magnitude) the data is flagged imbalanced and
the models get ``class_weight="balanced"``.

Leakage: a feature that gives the answer away, checked on the numeric and categorical columns
(on at most ``LEAK_MAX_ROWS`` rows, a seeded sample beyond):

1. **equal**: the feature equals the target in ``>= LEAK_SCORE`` (99 %) of the rows where both
   are present;
2. **one-to-one** (classification): each feature value occurs with one class only and each class
   with one feature value only;
3. **alone predicts it**: a one-feature model, cross-validated over 5 seeded folds, scores
   ``>= LEAK_SCORE`` (balanced accuracy for classification, R² for regression). The model is a
   lookup table (majority class / mean target per value) for categorical features and numbers
   with at most ``LOOKUP_MAX_VALUES`` (64) distinct values; otherwise, for classification, the
   class of the nearest training value, and for regression linear interpolation between the
   training values (mean target per distinct value). Both are 1-D nearest-neighbour style
   predictors: near-perfect only when the target is (almost) a function of the feature alone;
   with noise their error is about twice the noise, so an ordinary strong feature stays well
   below 0.99. Each costs a sort per fold: 50,000 x 10 takes well under a second.

A leaking feature is dropped. No usable feature left is an error.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ._errors import WorkflowError
from ._json import py_scalar

__all__ = ["check_data"]

ID_UNIQUE_FRACTION = 0.95
TEXT_MIN_WORDS = 3
TEXT_UNIQUE_FRACTION = 0.5
#: Minimum non-missing values before uniqueness makes a column an id.
ID_MIN_ROWS = 20
IMBALANCE_RATIO = 10.0
LEAK_SCORE = 0.99
LOOKUP_MAX_VALUES = 64
LEAK_MAX_ROWS = 50_000
LEAK_FOLDS = 5
#: Columns with more missing values than this fraction get a warning.
MISSING_WARN = 0.5
#: Text values used to count words.
WORD_SAMPLE = 1000

_ID_NAME = re.compile(
    r"(^|[\s_\-.])(id|uuid|guid|key|index|idx|row|rownum|rowid)$|^(id|uuid|guid)([\s_\-.]|$)"
    r"|^unnamed: ?\d+$|^index$",
    re.IGNORECASE,
)


def _is_textual(col: Any) -> bool:
    import pandas as pd

    return not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col))


def _median_words(values: Any) -> float:
    sample = values.iloc[:WORD_SAMPLE].astype(str)
    return float(np.median(sample.str.split().str.len().to_numpy(dtype=np.float64)))


def _column_kind(name: str, col: Any) -> tuple[str, str]:
    """``(kind, reason)`` by the rules in the module docstring."""
    import pandas as pd

    values = col.dropna()
    n = len(values)
    if n == 0:
        return "constant", "every value is missing"
    as_text = _is_textual(col)
    if as_text:
        values = values.astype(str)
    u = int(values.nunique())
    if u <= 1:
        return "constant", f"a single value {py_scalar(values.iloc[0])!r}"
    frac = u / n
    num = None if as_text else values.to_numpy(dtype=np.float64)
    whole = as_text or bool(np.all(num == np.round(num)))
    if _ID_NAME.search(name.strip()) and whole and frac >= ID_UNIQUE_FRACTION and n >= ID_MIN_ROWS:
        return "id", f"named like an identifier, {frac:.0%} distinct values"
    if pd.api.types.is_bool_dtype(col):
        return "categorical", "booleans"
    if as_text:
        words = _median_words(values)
        if words >= TEXT_MIN_WORDS and frac >= TEXT_UNIQUE_FRACTION:
            return "text", f"median {words:g} words, {frac:.0%} distinct values"
        if frac >= ID_UNIQUE_FRACTION and n >= ID_MIN_ROWS:
            return "id", f"single-word text, {u} distinct values in {n} rows"
        return "categorical", f"text with {u} distinct values"
    if n >= ID_MIN_ROWS and u == n and whole and np.all(np.diff(num) > 0):
        return "id", f"a row counter: {n} distinct integers, strictly increasing"
    return "numeric", f"numbers, {u} distinct values"


def _fold_ids(n: int, rng: np.random.Generator) -> np.ndarray:
    folds = np.empty(n, dtype=np.int64)
    folds[rng.permutation(n)] = np.arange(n) % LEAK_FOLDS
    return folds


def _lookup_predict(codes_tr, y_tr, codes_te, n_codes, classification, n_classes):
    if classification:
        table = np.zeros((n_codes, n_classes))
        np.add.at(table, (codes_tr, y_tr), 1.0)
        pred = table.argmax(axis=1)
        seen = table.sum(axis=1) > 0
        pred[~seen] = np.bincount(y_tr, minlength=n_classes).argmax()
        return pred[codes_te]
    sums = np.bincount(codes_tr, weights=y_tr, minlength=n_codes)
    counts = np.bincount(codes_tr, minlength=n_codes)
    means = np.where(counts > 0, sums / np.maximum(counts, 1), y_tr.mean())
    return means[codes_te]


def _nearest_predict(xs, ys, x_te, classification):
    """Predict from training values ``xs`` (sorted ascending) and their targets ``ys``."""
    if classification:
        pos = np.searchsorted(xs, x_te)
        left = np.clip(pos - 1, 0, len(xs) - 1)
        right = np.clip(pos, 0, len(xs) - 1)
        take = np.where(np.abs(x_te - xs[left]) <= np.abs(xs[right] - x_te), left, right)
        return ys[take]
    start = np.concatenate([[True], xs[1:] != xs[:-1]])
    group = np.cumsum(start) - 1
    uy = np.bincount(group, weights=ys) / np.bincount(group)
    return np.interp(x_te, xs[start], uy)


def _score(y_true, y_pred, classification, n_classes) -> float:
    if classification:
        recalls = [
            np.mean(y_pred[y_true == k] == k) for k in range(n_classes) if np.any(y_true == k)
        ]
        return float(np.mean(recalls))
    sst = np.sum((y_true - y_true.mean()) ** 2)
    return float(1.0 - np.sum((y_true - y_pred) ** 2) / sst) if sst > 0 else 0.0


def _one_feature_cv(col, kind, y_enc, classification, n_classes, folds) -> tuple[float, str]:
    """Cross-validated score of the one-feature model (module docstring, rule 3)."""
    import pandas as pd

    present = col.notna().to_numpy()
    if present.sum() < 2 * LEAK_FOLDS:
        return 0.0, "too few values"
    y = y_enc[present]
    f = folds[present]
    pred = np.empty(len(y), dtype=y.dtype)
    values = col[present]
    lookup = kind == "categorical" or values.nunique() <= LOOKUP_MAX_VALUES
    if lookup:
        codes, uniq = pd.factorize(values.astype(str) if kind == "categorical" else values)
        for k in range(LEAK_FOLDS):
            te = f == k
            pred[te] = _lookup_predict(
                codes[~te], y[~te], codes[te], len(uniq), classification, n_classes
            )
        model = "lookup table per value"
    else:
        x = values.to_numpy(dtype=np.float64)
        order = np.argsort(x)
        xo, yo, fo = x[order], y[order], f[order]
        for k in range(LEAK_FOLDS):
            te = f == k
            tr = fo != k
            pred[te] = _nearest_predict(xo[tr], yo[tr], x[te], classification)
        model = "nearest value" if classification else "interpolation between values"
    return _score(y, pred, classification, n_classes), model


def _equal_fraction(col, y) -> float:
    import pandas as pd

    present = col.notna().to_numpy() & pd.notna(pd.Series(y)).to_numpy()
    if not present.any():
        return 0.0
    a = col.to_numpy()[present]
    b = np.asarray(y)[present]
    try:
        fa = a.astype(np.float64)
        fb = b.astype(np.float64)
        same = np.isclose(fa, fb, rtol=1e-9, atol=0.0)
    except (TypeError, ValueError):
        same = a.astype(str) == b.astype(str)
    return float(np.mean(same))


def _one_to_one(col, y_enc) -> bool:
    import pandas as pd

    present = col.notna().to_numpy()
    if present.sum() < 2:
        return False
    codes, _ = pd.factorize(col[present])
    y = y_enc[present]
    pairs = np.unique(np.stack([codes, y], axis=1), axis=0)
    return len(pairs) == len(np.unique(codes)) == len(np.unique(y))


def _leaks(X, y, columns, frame, seed) -> list[dict[str, Any]]:
    classification = frame["task"] == "classification"
    n = len(X)
    rng = np.random.default_rng(seed)
    rows = np.arange(n)
    if n > LEAK_MAX_ROWS:
        rows = np.sort(rng.choice(n, LEAK_MAX_ROWS, replace=False))
    Xs = X.iloc[rows].reset_index(drop=True)
    ys = np.asarray(y)[rows]
    if classification:
        labels, y_enc = np.unique(ys.astype(str), return_inverse=True)
        n_classes = len(labels)
    else:
        y_enc = ys.astype(np.float64)
        n_classes = 0
    folds = _fold_ids(len(Xs), rng)
    found = []
    for c in columns:
        if c["kind"] not in ("numeric", "categorical"):
            continue
        name = c["name"]
        col = Xs[name]
        eq = _equal_fraction(col, ys)
        if eq >= LEAK_SCORE:
            found.append(
                {"feature": name, "reason": f"equals the target in {eq:.1%} of rows", "score": eq}
            )
            continue
        if classification and c["n_unique"] == n_classes and _one_to_one(col, y_enc):
            found.append(
                {
                    "feature": name,
                    "reason": (
                        f"maps one-to-one to the target ({c['n_unique']} values <-> "
                        f"{n_classes} classes)"
                    ),
                    "score": 1.0,
                }
            )
            continue
        score, model = _one_feature_cv(col, c["kind"], y_enc, classification, n_classes, folds)
        if score >= LEAK_SCORE:
            what = "balanced accuracy" if classification else "R²"
            found.append(
                {
                    "feature": name,
                    "reason": (
                        f"alone predicts the target: cross-validated {what} {score:.3f} >= "
                        f"{LEAK_SCORE} ({model})"
                    ),
                    "score": score,
                }
            )
    return found


def check_data(
    X: Any, y: np.ndarray | None, frame: dict[str, Any], load_section: dict[str, Any]
) -> dict[str, Any]:
    """Column kinds, missing values, duplicates, class balance and leakage (module docstring).

    Parameters
    ----------
    X : pandas.DataFrame
        Raw feature columns, target removed, rows with an empty target removed.
    y : ndarray of shape (n_samples,) or None
        The target (None for clustering).
    frame : dict
        The section of :func:`~lucidml.workflow.frame.frame_problem`.
    load_section : dict
        The section of :func:`~lucidml.workflow.load.read_table` (its ``seed`` and sampling).

    Returns
    -------
    section : dict
        JSON-ready: ``columns`` (one ``{name, dtype, kind, kind_reason, n_missing,
        missing_fraction, n_unique}`` per column), ``n_rows, n_columns, n_duplicates,
        n_conflicting_duplicates, class_balance`` (``{counts, ratio, imbalanced, class_weight,
        threshold}`` or None), ``leakage`` (``{feature, reason, score}``), ``dropped``
        (``{feature, reason}``), ``usable_features, numeric_features, categorical_features,
        warnings`` and ``thresholds``.

    Raises
    ------
    WorkflowError
        No usable feature remains (only text, identifier or constant columns).
    """
    import pandas as pd

    n_rows = len(X)
    seed = int(load_section.get("seed", 0) or 0)
    warnings: list[str] = []
    if load_section.get("sampled"):
        mem = load_section.get("memory", {})
        warnings.append(
            f"the table was sampled to fit memory: {mem.get('n_rows_loaded', n_rows):,} of "
            f"{mem.get('n_rows_total', '?'):,} rows"
        )

    columns = []
    for name in X.columns:
        col = X[name]
        n_missing = int(col.isna().sum())
        kind, reason = _column_kind(str(name), col)
        n_unique = (
            int(col.dropna().astype(str).nunique())
            if _is_textual(col)
            else int(col.nunique(dropna=True))
        )
        columns.append(
            {
                "name": str(name),
                "dtype": str(col.dtype),
                "kind": kind,
                "kind_reason": reason,
                "n_missing": n_missing,
                "missing_fraction": n_missing / n_rows if n_rows else 0.0,
                "n_unique": n_unique,
            }
        )
        if kind not in ("constant",) and n_rows and n_missing / n_rows > MISSING_WARN:
            warnings.append(f"column {str(name)!r} is {n_missing / n_rows:.0%} missing")

    # duplicates: hash each row once
    row_hash = pd.util.hash_pandas_object(X, index=False).to_numpy()
    if y is not None:
        y_hash = pd.util.hash_pandas_object(pd.Series(np.asarray(y)).astype(str), index=False)
        full = pd.Series(row_hash ^ (y_hash.to_numpy() * np.uint64(0x9E3779B97F4A7C15)))
        n_dup = int(full.duplicated().sum())
        by_x = pd.DataFrame({"x": row_hash, "y": y_hash.to_numpy()})
        n_y = by_x.groupby("x")["y"].transform("nunique").to_numpy()
        n_conflict = int((n_y > 1).sum())
    else:
        n_dup = int(pd.Series(row_hash).duplicated().sum())
        n_conflict = 0
    if n_dup:
        warnings.append(f"{n_dup} duplicate row(s) ({n_dup / n_rows:.1%}) repeat an earlier row")
    if n_conflict:
        warnings.append(
            f"{n_conflict} row(s) share their feature values with a row of another target value"
        )

    balance = None
    if frame["task"] == "classification" and y is not None:
        labels, counts = np.unique(np.asarray(y).astype(str), return_counts=True)
        order = frame.get("classes")
        if order is not None and sorted(str(c) for c in order) == list(labels):
            lookup = dict(zip(labels, counts, strict=True))
            named = {str(c): int(lookup[str(c)]) for c in order}
        else:
            named = {str(k): int(v) for k, v in zip(labels, counts, strict=True)}
        ratio = float(counts.max() / counts.min())
        imbalanced = ratio >= IMBALANCE_RATIO
        balance = {
            "counts": named,
            "majority": str(labels[counts.argmax()]),
            "minority": str(labels[counts.argmin()]),
            "ratio": ratio,
            "threshold": IMBALANCE_RATIO,
            "imbalanced": bool(imbalanced),
            "class_weight": "balanced" if imbalanced else None,
        }
        if imbalanced:
            warnings.append(
                f"imbalanced classes: {balance['majority']!r} outnumbers "
                f"{balance['minority']!r} {ratio:.1f} to 1 (>= {IMBALANCE_RATIO:g}); models "
                "use class_weight='balanced'"
            )

    leakage = []
    if y is not None and frame["task"] in ("classification", "regression") and n_rows:
        leakage = _leaks(X, y, columns, frame, seed)
    for leak in leakage:
        warnings.append(f"leak: {leak['feature']!r} {leak['reason']}; dropped")

    leaked = {leak["feature"]: leak["reason"] for leak in leakage}
    dropped = []
    for c in columns:
        if c["name"] in leaked:
            dropped.append({"feature": c["name"], "reason": "leak: " + leaked[c["name"]]})
        elif c["kind"] in ("id", "text", "constant"):
            label = {"id": "identifier", "text": "free text", "constant": "constant"}[c["kind"]]
            dropped.append({"feature": c["name"], "reason": f"{label}: {c['kind_reason']}"})
    gone = {d["feature"] for d in dropped}
    usable = [c["name"] for c in columns if c["name"] not in gone]
    if not usable:
        shown = "; ".join(f"{d['feature']!r}: {d['reason']}" for d in dropped[:4])
        more = f" and {len(dropped) - 4} more" if len(dropped) > 4 else ""
        raise WorkflowError(
            "no usable feature: only text, identifier or constant columns remain "
            f"({shown}{more}); add numeric or categorical columns"
        )

    return {
        "n_rows": int(n_rows),
        "n_columns": int(X.shape[1]),
        "columns": columns,
        "n_duplicates": n_dup,
        "n_conflicting_duplicates": n_conflict,
        "class_balance": balance,
        "leakage": leakage,
        "dropped": dropped,
        "usable_features": usable,
        "numeric_features": [
            c["name"] for c in columns if c["name"] in usable and c["kind"] == "numeric"
        ],
        "categorical_features": [
            c["name"] for c in columns if c["name"] in usable and c["kind"] == "categorical"
        ],
        "warnings": warnings,
        "thresholds": {
            "imbalance_ratio": IMBALANCE_RATIO,
            "leak_score": LEAK_SCORE,
            "id_unique_fraction": ID_UNIQUE_FRACTION,
            "text_min_words": TEXT_MIN_WORDS,
            "text_unique_fraction": TEXT_UNIQUE_FRACTION,
            "missing_warn": MISSING_WARN,
        },
    }
