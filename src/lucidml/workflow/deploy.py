"""Step 7 of the notes' workflow (§5): deploy the final model and describe what it costs to run.

:func:`deploy_model` saves the fitted final pipeline with :mod:`lucidml.persist`, reads it back
and checks that the copy predicts exactly what the original predicts, then measures a deployment
card:

* latency of one-row predictions and of a batch (``batch_size`` rows), p50 and p95 in
  milliseconds, from :func:`time.perf_counter` around each call, repeated until about half of
  ``time_budget`` is spent on each (at least 3 calls for rows, 2 for batches, after one
  warm-up call that is not counted);
* rows per second: ``batch_size`` divided by the median batch time;
* size of the saved file on disk;
* peak memory while predicting one batch, measured with :mod:`tracemalloc` (every Python and
  NumPy allocation; memory held by BLAS threads or the interpreter itself is not counted);
* stability: the cross-validated score of the unfitted final pipeline with the run's splitter
  (on a seeded sample of at most :data:`STABILITY_ROWS` rows) with every ``random_state``
  parameter (found in ``get_params(deep=True)``) set to three seeds (mean, std, min, max), and
  the percentile bootstrap of the out-of-fold score.

:func:`predict_file` is what ``lucidml predict MODEL DATA --out FILE`` runs.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import WorkflowError
from ._json import json_float
from ._sampling import sample_rows

__all__ = ["MODEL_FILE", "deploy_model", "predict_file"]

#: File name of the saved model inside a run folder.
MODEL_FILE = "model.lucidml"

_METRICS = {"classification": "accuracy", "regression": "r2", "clustering": "silhouette"}


def _time_calls(fn: Any, inputs: list[Any], budget_s: float, min_calls: int) -> list[float]:
    """Seconds per call of ``fn`` over ``inputs`` (cycled), after one uncounted warm-up call."""
    fn(inputs[0])
    times: list[float] = []
    start = time.perf_counter()
    i = 0
    while i < min_calls or (time.perf_counter() - start < budget_s and i < 10_000):
        x = inputs[i % len(inputs)]
        t0 = time.perf_counter()
        fn(x)
        times.append(time.perf_counter() - t0)
        i += 1
    return times


def _latency(times: list[float]) -> dict[str, Any]:
    ms = np.asarray(times) * 1000.0
    return {
        "p50": float(np.percentile(ms, 50)),
        "p95": float(np.percentile(ms, 95)),
        "calls": len(times),
    }


def _peak_memory(fn: Any, x: Any) -> int:
    """Peak bytes allocated (tracemalloc) by ``fn(x)`` above what was allocated before the call."""
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        out = fn(x)
        _, peak = tracemalloc.get_traced_memory()
        del out
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return int(max(peak - before, 0))


def _same_predictions(a: Any, b: Any, X: Any) -> bool:
    if not np.array_equal(np.asarray(a.predict(X)), np.asarray(b.predict(X))):
        return False
    if hasattr(a, "predict_proba") and hasattr(b, "predict_proba"):
        try:
            pa = a.predict_proba(X)
        except AttributeError:  # a final step without probabilities
            return True
        return bool(np.array_equal(pa, b.predict_proba(X)))
    return True


#: Rows (at most) on which the seed-stability cross-validations run.
STABILITY_ROWS = 5000


def _seed_stability(
    unfitted: Any, X: Any, y: Any, cv: Any, metric: str, seeds: list[int]
) -> dict[str, Any]:
    from ..base import clone
    from ..model_selection import cross_val_score

    keys = [
        k
        for k in unfitted.get_params(deep=True)
        if k == "random_state" or k.endswith("__random_state")
    ]
    n = len(y)
    sample_note = f"all {n} rows"
    if n > STABILITY_ROWS:
        # A seeded sample bounds the cost (three cross-validations of the final pipeline,
        # which may be an ensemble); stratified, so every class still fills every fold.
        task = "classification" if metric == "accuracy" else "regression"
        rows = sample_rows(np.asarray(y), task, STABILITY_ROWS, seeds[0])
        X, y = X.iloc[rows].reset_index(drop=True), np.asarray(y)[rows]
        sample_note = f"a seeded sample of {len(rows)} of {n} rows"
    scores = []
    for s in seeds if keys else seeds[:1]:
        est = clone(unfitted)
        if keys:
            est.set_params(**{k: s for k in keys})
        scores.append(float(np.mean(cross_val_score(est, X, y, scoring=metric, cv=cv))))
    arr = np.asarray(scores)
    k = cv.get_n_splits() if hasattr(cv, "get_n_splits") else "k"
    if keys:
        note = (
            f"{metric} of {k}-fold CV ({sample_note}) with every random_state "
            f"({len(keys)} parameter{'s' if len(keys) > 1 else ''}) set to each seed"
        )
    else:
        note = "the pipeline has no random_state parameter: it is deterministic, one CV run"
    return {
        "rows": sample_note,
        "seeds": list(seeds) if keys else seeds[:1],
        "random_state_params": keys,
        "scores": [json_float(v) for v in arr],
        "mean": json_float(arr.mean()),
        "std": json_float(arr.std(ddof=1)) if arr.size > 1 else 0.0,
        "min": json_float(arr.min()),
        "max": json_float(arr.max()),
        "note": note,
    }


def _bootstrap_stability(
    y: Any, oof_pred: Any, metric: str, seed: int, n_resamples: int, interval: dict | None
) -> dict[str, Any]:
    """The spread of the out-of-fold score: ``interval`` when the run already resampled it
    (:func:`~lucidml.workflow.diagnose.bootstrap_interval`), else that function on ``oof_pred``."""
    from .diagnose import bootstrap_interval

    if interval is None:
        interval = bootstrap_interval(y, oof_pred, metric, seed=seed, n_resamples=n_resamples)
    keys = ("score", "low", "high", "std", "confidence", "n_resamples")
    part: dict[str, Any] = {k: interval.get(k) for k in keys}
    part["note"] = (
        f"percentile bootstrap of the out-of-fold {metric} over {part['n_resamples']} resamples"
    )
    return part


def _size_text(n: int) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def deploy_model(
    final_pipeline_fitted: Any,
    X: Any,
    y: Any,
    run_dir: str | os.PathLike,
    frame: dict,
    *,
    unfitted: Any = None,
    cv: Any = None,
    seed: int = 0,
    oof_pred: Any = None,
    bootstrap: dict | None = None,
    metric: str | None = None,
    batch_size: int = 1000,
    time_budget: float = 2.0,
    n_resamples: int = 1000,
) -> dict[str, Any]:
    """Save the final model, check the saved copy, and measure its deployment card.

    Parameters
    ----------
    final_pipeline_fitted : estimator
        The fitted final pipeline; it predicts from the raw feature DataFrame ``X``.
    X : pandas.DataFrame of shape (n_samples, n_features)
        The raw features the run used (rows for timing are drawn from it).
    y : array-like of shape (n_samples,) or None
        The target (None for clustering: no stability figures then).
    run_dir : path
        Folder that receives ``model.lucidml``.
    frame : dict
        The framing section (its ``task`` picks the metric).
    unfitted : estimator, optional
        The final pipeline before fitting; with ``cv`` it is cross-validated for three seeds.
    cv : splitter, optional
        The run's cross-validation splitter.
    seed : int, default=0
        Seed of the row draws, the stability seeds (``seed``, ``seed + 1``, ``seed + 2``) and
        the bootstrap.
    oof_pred : array-like of shape (n_samples,), optional
        Out-of-fold predictions of the final model, for the bootstrap spread of its score.
    bootstrap : dict, optional
        That spread already computed by :func:`~lucidml.workflow.diagnose.bootstrap_interval`
        on ``oof_pred`` (reused, not resampled again).
    metric : str, optional
        Score name; default from the task (accuracy or r2).
    batch_size : int, default=1000
        Rows in a timed batch (drawn with replacement when ``X`` has fewer rows).
    time_budget : float, default=2.0
        About how many seconds the latency measurements may take in all.
    n_resamples : int, default=1000
        Bootstrap resamples.

    Returns
    -------
    dict
        JSON-serialisable section: ``model_file``, ``size_bytes``, ``size``,
        ``reload_identical``, ``reload_rows_checked``, ``latency`` (``single_row_ms`` and
        ``batch_ms``: ``p50``, ``p95`` in milliseconds, ``calls``; batch ``rows``),
        ``rows_per_second``, ``metric``, ``peak_memory`` (``bytes``, ``rows``, ``method``),
        ``stability`` (``seeds`` and ``bootstrap``, each None when not computed) and
        ``summary`` (one sentence).

    Raises
    ------
    RuntimeError
        If the reloaded model does not predict exactly what the fitted one does.
    """
    from ..persist import load, save

    task = frame.get("task", "classification") if isinstance(frame, dict) else "classification"
    metric = metric or _METRICS.get(task, "accuracy")
    n = len(X)
    if n == 0:
        raise WorkflowError("deploy needs at least one row of X to time predictions.")
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, size=batch_size, replace=n < batch_size))
    batch = X.iloc[idx].reset_index(drop=True) if hasattr(X, "iloc") else np.asarray(X)[idx]

    path = Path(run_dir) / MODEL_FILE
    save(final_pipeline_fitted, path)
    size = os.path.getsize(path)
    reloaded = load(path)
    check = X if n <= batch_size else batch  # every row, or a batch_size sample of them
    if not _same_predictions(final_pipeline_fitted, reloaded, check):
        raise RuntimeError(
            f"The model reloaded from {path} predicts differently from the fitted one; "
            "this is a lucidml.persist bug, please report it."
        )

    row_ids = idx[:20]
    if hasattr(X, "iloc"):
        rows = [X.iloc[[int(i)]] for i in row_ids]
    else:
        rows = [np.asarray(X)[[int(i)]] for i in row_ids]
    predict = reloaded.predict
    single = _time_calls(predict, rows, time_budget / 2, min_calls=3)
    batched = _time_calls(predict, [batch], time_budget / 2, min_calls=2)
    batch_lat = _latency(batched)
    batch_lat["rows"] = int(batch_size)
    rows_per_second = batch_size / float(np.median(batched))
    peak = _peak_memory(predict, batch)

    seeds_part = None
    if unfitted is not None and cv is not None and y is not None and task != "clustering":
        seeds_part = _seed_stability(unfitted, X, y, cv, metric, [seed, seed + 1, seed + 2])
    boot_part = None
    if (oof_pred is not None or bootstrap is not None) and y is not None and task != "clustering":
        boot_part = _bootstrap_stability(y, oof_pred, metric, seed, n_resamples, bootstrap)

    single_lat = _latency(single)
    summary = (
        f"Saved {MODEL_FILE} ({_size_text(size)}); reloaded copy predicts identically. "
        f"One row: p50 {single_lat['p50']:.2f} ms, p95 {single_lat['p95']:.2f} ms; "
        f"{batch_size} rows: p50 {batch_lat['p50']:.1f} ms ({rows_per_second:,.0f} rows/s); "
        f"peak memory {_size_text(peak)} per batch."
    )
    if seeds_part is not None and None not in (seeds_part["mean"], seeds_part["std"]):
        summary += f" CV {metric} across seeds {seeds_part['mean']:.4f} ± {seeds_part['std']:.4f}."
    return {
        "model_file": MODEL_FILE,
        "size_bytes": int(size),
        "size": _size_text(size),
        "reload_identical": True,
        "reload_rows_checked": int(len(check)),
        "latency": {"single_row_ms": single_lat, "batch_ms": batch_lat},
        "rows_per_second": float(rows_per_second),
        "peak_memory": {
            "bytes": peak,
            "rows": int(batch_size),
            "method": (
                "tracemalloc: peak of Python and NumPy allocations while predicting one batch, "
                "above what was allocated before"
            ),
        },
        "metric": metric,
        "stability": {"seeds": seeds_part, "bootstrap": boot_part},
        "summary": summary,
    }


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _load_model(model_path: str | os.PathLike) -> Any:
    from ..persist import PersistError, load

    path = Path(model_path)
    if not path.exists():
        raise WorkflowError(
            f"model file {str(path)!r} does not exist; give the path to a saved "
            f"{MODEL_FILE} (it is in the run folder of `lucidml run`)."
        )
    if path.is_dir():
        inside = path / MODEL_FILE
        if inside.is_file():
            path = inside
        else:
            raise WorkflowError(
                f"{str(path)!r} is a folder without {MODEL_FILE}; give the model file itself."
            )
    try:
        model = load(path)
    except PersistError as exc:
        raise WorkflowError(
            f"{str(path)!r} is not a lucidml model ({_first_line(exc)}); give the "
            f"{MODEL_FILE} file written by `lucidml run`."
        ) from None
    except OSError as exc:
        raise WorkflowError(f"cannot read model file {str(path)!r}: {_first_line(exc)}") from None
    if not hasattr(model, "predict"):
        raise WorkflowError(
            f"{str(path)!r} holds a {type(model).__name__}, not a model that predicts; give the "
            f"{MODEL_FILE} file written by `lucidml run`."
        )
    return model


def _model_columns(model: Any, df: Any) -> list[str]:
    from .features import required_columns

    needed = required_columns(model)
    if needed is not None:
        return needed
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        return [str(c) for c in names]
    n_features = getattr(model, "n_features_in_", None)
    if n_features is not None and n_features != df.shape[1]:
        raise WorkflowError(
            f"the model expects {n_features} columns but the data has {df.shape[1]}, and the "
            "model does not know its column names; give a table with exactly its columns."
        )
    return [str(c) for c in df.columns]


def predict_file(
    model_path: str | os.PathLike,
    data_path: str | os.PathLike,
    out_path: str | os.PathLike,
    *,
    encoding: str | None = None,
) -> dict[str, Any]:
    """Predict every row of a CSV or Parquet file with a saved model and write a CSV.

    The output holds one line per input data row: ``row`` (the row's 0-based position among
    the file's data rows), ``prediction``, and for classifiers one ``proba_<class>`` column per
    class (in the model's ``classes_`` order). Columns the model does not use are ignored;
    column order does not matter. The file is written to a temporary name and renamed into
    place, so a failed run leaves no half-written output.

    Parameters
    ----------
    model_path : path
        A ``model.lucidml`` written by ``lucidml run`` (or a run folder holding one).
    data_path : path
        The table to predict (read with the workflow's ``read_table``).
    out_path : path
        The CSV to write.
    encoding : str, optional
        Text encoding of a CSV (sniffed when omitted).

    Returns
    -------
    dict
        ``model``, ``data``, ``out`` (paths as strings), ``n_rows``, ``columns`` (the model's
        input columns), ``classes`` (list, or None for a regressor) and ``output_columns``.

    Raises
    ------
    WorkflowError
        Model file missing or not a lucidml model, columns missing from the data (named), or
        a model that cannot predict on these values.
    """
    import pandas as pd

    from .load import read_table

    model = _load_model(model_path)
    try:
        # Prediction keeps no cross-validation copies: read every row, whatever the run's budget.
        df, section = read_table(data_path, encoding=encoding, memory_budget=2**62, min_rows=1)
    except MemoryError:
        raise WorkflowError(
            f"{str(data_path)!r} does not fit in memory; split it into smaller files and "
            "predict each."
        ) from None
    if section.get("sampled"):
        raise WorkflowError(
            f"{str(data_path)!r} was only sampled, not read whole; split it into smaller files "
            "and predict each."
        )
    columns = _model_columns(model, df)
    present = {str(c): c for c in df.columns}
    missing = [c for c in columns if c not in present]
    if missing:
        shown = ", ".join(repr(c) for c in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        raise WorkflowError(
            f"{str(data_path)!r} lacks the model's column{'s' if len(missing) > 1 else ''} "
            f"{shown}{more}; add {'them' if len(missing) > 1 else 'it'} (named as in training)."
        )
    expected = getattr(model, "feature_names_in_", None)
    if expected is None:
        X = df[[present[c] for c in columns]].to_numpy()
    else:
        # Columns the model saw in training but never reads (ids, free text, leaks the data
        # step dropped) may be absent: they are passed as empty.
        X = df.reindex(columns=[present.get(str(c), str(c)) for c in expected])
    try:
        pred = np.asarray(model.predict(X))
        classes = getattr(model, "classes_", None)
        proba = None
        if classes is not None and hasattr(model, "predict_proba"):
            try:
                proba = np.asarray(model.predict_proba(X))
            except AttributeError:
                proba = None
    except (ValueError, TypeError) as exc:
        raise WorkflowError(
            f"the model cannot predict on {str(data_path)!r}: {_first_line(exc)}"
        ) from None

    out = pd.DataFrame({"row": np.arange(len(df)), "prediction": pred})
    class_list = None
    if classes is not None:
        class_list = [c.item() if isinstance(c, np.generic) else c for c in classes]
        if proba is not None:
            for j, c in enumerate(class_list):
                out[f"proba_{c}"] = proba[:, j]
    out_path = Path(out_path)
    if out_path.is_dir():
        raise WorkflowError(f"--out {str(out_path)!r} is a folder; give a file name for the CSV.")
    tmp = out_path.with_name(f".{out_path.name}.tmp-{os.getpid()}")
    try:
        out.to_csv(tmp, index=False)
        os.replace(tmp, out_path)
    except OSError as exc:
        if tmp.exists():
            tmp.unlink()
        raise WorkflowError(f"cannot write {str(out_path)!r}: {_first_line(exc)}") from None
    return {
        "model": str(model_path),
        "data": str(data_path),
        "out": str(out_path),
        "n_rows": int(len(out)),
        "columns": columns,
        "classes": class_list,
        "output_columns": [str(c) for c in out.columns],
    }
