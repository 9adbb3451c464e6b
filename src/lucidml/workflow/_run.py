"""The orchestrator: the notes' seven steps (§5) in order, one run folder at the end.

``run_project`` reads the table, frames the problem, checks the data, builds the features, trains
and tunes the candidates, diagnoses the leaders, tries fusion, and deploys the final pipeline. Each
step returns a JSON-ready *section*; the sections together are ``metrics.json``, and
``report.html`` is rendered from that dictionary alone, so every figure in the report is also in
the JSON.

Nothing is left half-written: the run is assembled in a hidden temporary folder beside the
destination and renamed into place only when every file is written; on any error the temporary
folder is removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import WorkflowError
from ._json import json_ready

__all__ = ["DEFAULT_TRIALS", "run_project"]

#: The default trial budget (``--trials``): model configurations cross-validated in step 4.
DEFAULT_TRIALS = 40

_METRIC = {"classification": "accuracy", "regression": "r2", "clustering": "silhouette"}


def _default_out() -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = Path("runs") / stamp
    n = 1
    while out.exists():
        n += 1
        out = Path("runs") / f"{stamp}-{n}"
    return out


def _check_out(out: Path) -> None:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise WorkflowError(
            f"the run folder {str(out)!r} already exists and is not empty; choose another --out "
            "or remove it"
        )


def _make_cv(task: str, seed: int, y: np.ndarray) -> Any:
    from ..model_selection import KFold, StratifiedKFold

    if task == "classification":
        _, counts = np.unique(y.astype(str), return_counts=True)
        if counts.min() < 2:
            raise WorkflowError(
                f"the smallest class has {int(counts.min())} row; cross-validation needs at least "
                "2 rows of every class"
            )
        return StratifiedKFold(min(5, int(counts.min())), shuffle=True, random_state=seed)
    return KFold(min(5, len(y)), shuffle=True, random_state=seed)


class _Reporter:
    """Where the run's sentences go (the CLI prints them; the library stays silent)."""

    def __init__(self, say: Callable[[str], None] | None) -> None:
        self.say = say or (lambda _line: None)
        self.timings: dict[str, float] = {}
        self._t = time.perf_counter()

    def step(self, name: str) -> None:
        now = time.perf_counter()
        self._t = now
        self.say(f"[{name}]")

    def done(self, key: str) -> None:
        self.timings[key] = round(time.perf_counter() - self._t, 3)


@contextlib.contextmanager
def _progress_bar(total: int, desc: str, enabled: bool) -> Iterator[Callable[[int], Any] | None]:
    """A tqdm bar's ``update`` (None when disabled or tqdm is missing), closed on the way out."""
    bar = None
    if enabled:
        try:
            from tqdm import tqdm
        except ImportError:
            pass
        else:
            bar = tqdm(total=total, desc=desc, unit="fit", leave=False, dynamic_ncols=True)
    try:
        yield None if bar is None else bar.update
    finally:
        if bar is not None:
            bar.close()


def _oof_table(X: Any, y: np.ndarray, final: dict[str, Any], classes: list[Any] | None) -> Any:
    import pandas as pd

    table = pd.DataFrame(
        {"row": np.arange(len(y)), "y_true": y, "oof_prediction": final["oof_pred"]}
    )
    proba = final.get("oof_proba")
    if proba is not None and classes is not None:
        for j, c in enumerate(classes):
            table[f"proba_{c}"] = np.asarray(proba)[:, j]
    return table


def run_project(
    data: str | os.PathLike[str],
    *,
    target: str | None = None,
    task: str | None = None,
    seed: int = 0,
    trials: int = DEFAULT_TRIALS,
    out: str | os.PathLike[str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    say: Callable[[str], None] | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """Run the seven steps on a CSV or Parquet file and write the run folder.

    Parameters
    ----------
    data : path
        CSV (delimiter and encoding sniffed) or Parquet file.
    target : str, optional
        The column to predict; without it the task is clustering.
    task : {"classification", "regression", "clustering"}, optional
        Overrides the inferred task.
    seed : int, default=0
        Seeds every random choice: the same seed and trials reproduce a run's figures exactly.
    trials : int, default=40
        Model configurations cross-validated in step 4 (a count, not seconds).
    out : path, optional
        The run folder (default ``runs/<timestamp>``); it must not exist or be empty.
    encoding, delimiter : str, optional
        Override the sniffed text encoding and CSV delimiter.
    say : callable, optional
        Receives one line of text per finding (the CLI prints them).
    progress : bool, default=False
        Show tqdm progress bars on standard error.

    Returns
    -------
    metrics : dict
        The content of ``metrics.json``, plus ``"run_dir"`` (the folder's path).

    Warnings that models raise on the way (e.g. an MLP stopping at its epoch cap) are collected
    into ``metrics["warnings_raised"]`` with their counts instead of being printed one by one.
    """
    options = dict(locals())  # the parameters above, passed on unchanged
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        return _run_steps(caught=caught, **options)


def _summarise_warnings(caught: list[Any]) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str], int] = {}
    for w in caught:
        key = (w.category.__name__, " ".join(str(w.message).split())[:200])
        counts[key] = counts.get(key, 0) + 1
    return [{"category": c, "message": m, "count": n} for (c, m), n in counts.items()]


def _run_steps(
    data: Any,
    target: Any,
    task: Any,
    seed: int,
    trials: Any,
    out: Any,
    encoding: Any,
    delimiter: Any,
    say: Any,
    progress: bool,
    caught: list[Any],
) -> dict[str, Any]:
    """The body of :func:`run_project` (``caught`` collects the warnings raised on the way)."""
    from .. import __version__

    if not isinstance(trials, (int, np.integer)) or isinstance(trials, bool) or trials < 1:
        raise WorkflowError(f"--trials must be a positive integer, got {trials!r}")
    if task is not None and task not in _METRIC:
        raise WorkflowError(
            f"--task must be one of classification, regression, clustering; got {task!r}"
        )
    out_dir = Path(out) if out is not None else _default_out()
    _check_out(out_dir)
    rep = _Reporter(say)
    metrics: dict[str, Any] = {
        "lucidml_version": __version__,
        "seed": int(seed),
        "trials": int(trials),
    }

    # -- 1-2. data in, problem framed, data checked ---------------------------------------------
    from .data import check_data
    from .frame import frame_problem, split_target
    from .load import read_table

    rep.step("2 data: reading")
    df, load_sec = read_table(data, encoding=encoding, delimiter=delimiter, seed=seed)
    metrics["load"] = load_sec
    mem = load_sec.get("memory", {})
    rep.say(
        f"  {load_sec.get('n_rows', len(df))} rows x {load_sec.get('n_columns', df.shape[1])} "
        f"columns; {mem.get('decision', '')}"
    )
    rep.done("load")

    rep.step("1 frame")
    frame = frame_problem(df, target, task)
    metrics["frame"] = frame
    rep.say(f"  {frame['rule']}")
    dl = frame.get("deep_learning", {})
    if dl and not dl.get("favoured", True):
        rep.say("  deep learning not favoured: " + "; ".join(dl.get("reasons", [])))
    rep.done("frame")

    task_ = frame["task"]
    metric = _METRIC[task_]
    metrics["task"], metrics["metric"] = task_, metric
    X, y = split_target(df, frame)

    rep.step("2 data: checks")
    data_sec = check_data(X, y, frame, load_sec)
    metrics["data"] = data_sec
    for w in data_sec.get("warnings", []):
        rep.say(f"  warning: {w}")
    for d in data_sec.get("dropped", []):
        rep.say(f"  dropped {d['feature']!r}: {d['reason']}")
    rep.done("data")

    # -- 3. features ---------------------------------------------------------------------------
    from .features import build_features

    rep.step("3 features")
    preprocessors, feat_sec = build_features(X, y, frame, data_sec, seed=seed)
    metrics["features"] = feat_sec
    for s in feat_sec.get("steps", []):
        rep.say(f"  {s}")
    rep.done("features")

    tmp_dir = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}"
    if tmp_dir.exists():
        shutil.rmtree(tmp_dir)
    tmp_dir.mkdir(parents=True)
    try:
        if task_ == "clustering":
            final_pipe = _clustering(X, preprocessors, metrics, rep, seed, trials, progress)
            oof = None
        else:
            final_pipe, oof = _supervised(
                X, y, preprocessors, frame, data_sec, metrics, rep, seed, trials, progress
            )

        # -- 7. deploy ---------------------------------------------------------------------------
        from .deploy import deploy_model

        rep.step("7 deploy")
        deploy_sec = deploy_model(
            final_pipe,
            X,
            y,
            tmp_dir,
            frame,
            unfitted=metrics.pop("_final_unfitted", None),
            cv=metrics.pop("_cv", None),
            seed=seed,
            bootstrap=metrics.get("bootstrap"),
        )
        metrics["deploy"] = deploy_sec
        lat = deploy_sec.get("latency", {})
        rep.say(
            f"  saved {deploy_sec.get('size_bytes', 0) / 1024:.0f} KiB; single-row p50 "
            f"{lat.get('single_row_ms', {}).get('p50', float('nan')):.2f} ms; "
            f"{deploy_sec.get('rows_per_second', 0):,.0f} rows/s"
        )
        rep.done("deploy")
        if oof is not None:
            oof.to_csv(tmp_dir / "oof_predictions.csv", index=False)

        metrics["warnings_raised"] = _summarise_warnings(caught)
        metrics["timings"] = rep.timings
        metrics["timings"]["total"] = round(sum(rep.timings.values()), 3)
        metrics = json_ready(metrics)
        (tmp_dir / "metrics.json").write_text(json.dumps(metrics, indent=2, allow_nan=False))
        from .report import render_report

        (tmp_dir / "report.html").write_text(render_report(metrics), encoding="utf-8")
        if out_dir.exists():
            out_dir.rmdir()  # empty (checked above)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp_dir, out_dir)
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise
    metrics["run_dir"] = str(out_dir)
    return metrics


def _supervised(
    X: Any,
    y: np.ndarray,
    preprocessors: dict[str, Any],
    frame: dict[str, Any],
    data_sec: dict[str, Any],
    metrics: dict[str, Any],
    rep: _Reporter,
    seed: int,
    trials: int,
    progress: bool,
) -> tuple[Any, Any]:
    from ..base import clone
    from .diagnose import bootstrap_interval, diagnose_models, error_analysis
    from .fuse import fuse_models
    from .train import progress_total, train_models

    metric = metrics["metric"]
    cv = _make_cv(frame["task"], seed, y)

    # -- 4. train and tune -------------------------------------------------------------------
    rep.step("4 train and tune")
    with _progress_bar(progress_total(trials), "tuning", progress) as tick:
        models, train_sec = train_models(
            X, y, preprocessors, frame, data_sec, cv=cv, seed=seed, trials=trials, progress=tick
        )
    metrics["train"] = train_sec
    for row in train_sec.get("leaderboard", [])[:5]:
        score, std = row.get("cv_score"), row.get("cv_std") or 0.0
        shown = "failed" if score is None else f"{score:.4f} ± {std:.4f}"
        rep.say(f"  {row['name']:<28} {metric} {shown}")
    rep.done("train")

    # -- 5. diagnose -------------------------------------------------------------------------
    rep.step("5 diagnose")
    diag_sec = _diagnose_safely(diagnose_models, models, X, y, frame, cv, seed, metric)
    metrics["diagnose"] = diag_sec
    verdicts = []
    for m in diag_sec.get("models", []):
        v = m.get("verdict", {})
        verdicts.append({"model": m.get("name"), "kind": v.get("kind"), "text": v.get("text")})
        rep.say(f"  {m.get('name')}: {v.get('text')}")
    metrics["verdicts"] = verdicts
    rep.done("diagnose")

    # -- 6. fuse -----------------------------------------------------------------------------
    rep.step("6 fuse")
    final, fusion_sec = fuse_models(models, X, y, frame, cv=cv, seed=seed)
    metrics["fusion"] = fusion_sec
    if fusion_sec.get("decision"):
        rep.say(f"  {fusion_sec['decision']}")
    rep.done("fuse")

    # -- 5 (cont.). error analysis and the final score's interval -----------------------------
    rep.step("5 diagnose: errors of the final model")
    metrics["errors"] = error_analysis(X, y, final["oof_pred"], final.get("oof_proba"), frame)
    boot = bootstrap_interval(y, final["oof_pred"], metric, seed=seed)
    metrics["bootstrap"] = boot
    metrics["final_model"] = final["name"]
    metrics["cv_score"] = final["cv_score"]
    rep.say(
        f"  final model {final['name']}: CV {metric} {final['cv_score']:.4f} "
        f"(95% bootstrap interval {boot['low']:.4f} to {boot['high']:.4f})"
    )
    rep.done("errors")

    classes = frame.get("classes") if frame["task"] == "classification" else None
    oof = _oof_table(X, y, final, classes)
    fitted = clone(final["pipeline"]).fit(X, y)
    metrics["_final_unfitted"] = final["pipeline"]
    metrics["_cv"] = cv
    return fitted, oof


def _diagnose_safely(
    diagnose_models: Callable[..., dict[str, Any]],
    models: list[dict[str, Any]],
    X: Any,
    y: np.ndarray,
    frame: dict[str, Any],
    cv: Any,
    seed: int,
    metric: str,
) -> dict[str, Any]:
    """Diagnosis never sinks a run: a model whose curves cannot be computed is reported so."""
    try:
        return diagnose_models(models, X, y, frame, cv=cv, seed=seed, metric=metric)
    except (ValueError, TypeError, ArithmeticError) as exc:
        first_error = " ".join(str(exc).split())[:300]
    section: dict[str, Any] = {
        "models": [],
        "notes": [f"diagnosis of all models failed: {first_error}"],
    }
    for m in models[:3]:
        try:
            one = diagnose_models([m], X, y, frame, cv=cv, seed=seed, metric=metric)
            section["models"].extend(one.get("models", []))
        except (ValueError, TypeError, ArithmeticError) as exc:
            why = " ".join(str(exc).split())[:300]
            section["models"].append(
                {
                    "name": m.get("name"),
                    "verdict": {"kind": "not diagnosed", "text": f"not diagnosed: {why}"},
                }
            )
    return section


def _clustering(
    X: Any,
    preprocessors: dict[str, Any],
    metrics: dict[str, Any],
    rep: _Reporter,
    seed: int,
    trials: int,
    progress: bool,
) -> Any:
    from .cluster import cluster_data

    rep.step("4 cluster")
    k_max = 10
    n_fits = max(1, min(k_max, len(X) - 1) - 1) + 1  # k = 2..k_max, then the final fit
    with _progress_bar(n_fits, "k-means", progress) as tick:
        fitted, sec = cluster_data(
            X, preprocessors["scaled"], seed=seed, trials=trials, k_max=k_max, progress=tick
        )
    metrics["cluster"] = sec
    metrics["final_model"] = f"KMeans(n_clusters={sec['k']})"
    metrics["cv_score"] = sec["score"]
    metrics["verdicts"] = []
    rep.say(f"  {sec.get('rule', '')}")
    rep.done("cluster")
    return fitted
