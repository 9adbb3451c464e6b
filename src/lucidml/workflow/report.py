"""The run report: one self-contained HTML page drawn from ``metrics.json`` alone.

:func:`render_report` turns the metrics dict of ``lucidml run`` into a page with a short summary
at the top (task, metric, final model, CV score with its bootstrap interval, verdicts) and then
the notes' seven steps in order (§5): frame, data, features, train and tune, diagnose, fuse,
deploy (clustering runs show their choice of k under step 4). Plots are PNGs drawn with
matplotlib's Agg canvas and embedded as ``data:`` URIs; the CSS is inline; there is no script and
no external URL, so the file can be mailed or archived as it is. Every piece of text from the
metrics (column names, labels, sentences) is HTML-escaped.

The renderer is lenient: a section that is missing or None shows "not run", unknown keys are
shown in a generic table under "All figures", and malformed plot data yields no image rather
than an error.
"""

from __future__ import annotations

import html
import numbers
from typing import Any

from . import _plots

__all__ = ["render_report"]

_MAX_ROWS = 300
_MAX_LIST = 60

_CSS = """
:root { --ink: #1d2430; --muted: #5b6573; --line: #d8dde4; --bg: #f6f8fa; --accent: #1f6fb2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; line-height: 1.45;
       font: 15px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 60px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid
     var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
h4 { font-size: 14px; margin: 16px 0 6px; color: var(--muted); }
p { margin: 6px 0; }
.sub, .note { color: var(--muted); }
nav { margin: 12px 0 0; font-size: 14px; }
nav a { color: var(--accent); text-decoration: none; margin-right: 14px; }
.notrun { color: var(--muted); font-style: italic; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0 10px; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.flag td { background: #fff4e5; }
tr.dropped td { color: var(--muted); }
dl.card { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 8px 0;
          background: var(--bg); border: 1px solid var(--line); border-radius: 6px;
          padding: 12px 16px; }
dl.card dt { font-weight: 600; }
dl.card dd { margin: 0; }
ul.warn li { color: #8a4b00; }
.verdict { border-left: 4px solid var(--line); padding: 4px 10px; margin: 6px 0;
           background: var(--bg); }
.verdict.high-variance { border-color: #d9730d; }
.verdict.high-bias { border-color: #1f6fb2; }
.verdict.good-fit { border-color: #2e8b57; }
.plots { display: flex; flex-wrap: wrap; gap: 10px; }
.plots img { max-width: 100%; height: auto; border: 1px solid var(--line); }
details { margin: 8px 0; }
summary { cursor: pointer; color: var(--accent); font-size: 14px; }
footer { margin-top: 40px; font-size: 12px; color: var(--muted); }
"""

_STEPS = (
    ("frame", "1. Frame the problem"),
    ("data", "2. Get and check the data"),
    ("features", "3. Features"),
    ("train", "4. Train and tune"),
    ("diagnose", "5. Diagnose"),
    ("fuse", "6. Fuse"),
    ("deploy", "7. Deploy"),
)


# -- small helpers --------------------------------------------------------------------------------


def _e(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _is_num(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _fmt(x: Any) -> str:
    """Plain text for one value (numbers rounded for reading; not escaped)."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, numbers.Integral):
        return f"{int(x):,}" if abs(int(x)) >= 10_000 else str(int(x))
    if _is_num(x):
        v = float(x)
        if v != v:
            return "—"
        if v in (float("inf"), float("-inf")):
            return "∞" if v > 0 else "−∞"
        if v == 0:
            return "0"
        if abs(v) >= 1e15:
            return f"{v:.3e}"
        if v == int(v) and abs(v) < 1e4:
            return f"{v:g}"
        if abs(v) >= 1e4:
            return f"{v:,.0f}"
        if abs(v) < 1e-3:
            return f"{v:.2e}"
        return f"{v:.4g}"
    return str(x)


def _cell(x: Any) -> str:
    """One table cell: numbers right-aligned, lists joined, dicts as ``k=v`` pairs."""
    if isinstance(x, dict):
        text = "; ".join(f"{k}={_fmt_short(v)}" for k, v in x.items())
        return f"<td>{_e(text)}</td>"
    if isinstance(x, (list, tuple)):
        return f"<td>{_e(_join(x))}</td>"
    cls = ' class="num"' if _is_num(x) else ""
    return f"<td{cls}>{_e(_fmt(x))}</td>"


def _bytes(n: float) -> str:
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(n) >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n:g} B"


def _fmt_short(x: Any) -> str:
    if isinstance(x, (list, tuple)):
        return "[" + _join(x) + "]"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k}: {_fmt_short(v)}" for k, v in x.items()) + "}"
    return _fmt(x)


def _join(items: Any) -> str:
    items = list(items)
    text = ", ".join(_fmt_short(v) for v in items[:_MAX_LIST])
    if len(items) > _MAX_LIST:
        text += f", … ({len(items) - _MAX_LIST} more)"
    return text


def _table(rows: list, *, columns: list | None = None, row_class: Any = None) -> str:
    """An HTML table of a list of dicts (columns: the union of keys in first-seen order)."""
    rows = [r for r in rows if isinstance(r, dict)]
    if not rows:
        return '<p class="note">(none)</p>'
    if columns is None:
        columns = []
        for r in rows:
            columns += [k for k in r if k not in columns]
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = []
    for r in rows[:_MAX_ROWS]:
        cls = row_class(r) if row_class else ""
        attr = f' class="{cls}"' if cls else ""
        body.append(f"<tr{attr}>" + "".join(_cell(r.get(c)) for c in columns) + "</tr>")
    more = ""
    if len(rows) > _MAX_ROWS:
        more = f'<p class="note">… {len(rows) - _MAX_ROWS} more rows in metrics.json.</p>'
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{more}"
    )


def _matrix_table(labels: list, matrix: list) -> str:
    head = "<th>true \\ predicted</th>" + "".join(f"<th>{_e(_fmt(v))}</th>" for v in labels)
    body = []
    for label, row in zip(labels, matrix, strict=False):
        cells = "".join(_cell(v) for v in row) if isinstance(row, (list, tuple)) else ""
        body.append(f"<tr><th>{_e(_fmt(label))}</th>{cells}</tr>")
    return f'<div class="scroll"><table><tr>{head}</tr>{"".join(body)}</table></div>'


def _any(x: Any, depth: int = 0) -> str:
    """Generic HTML for any JSON value."""
    if isinstance(x, dict):
        if not x:
            return '<p class="note">(empty)</p>'
        return _kv(x, depth)
    if isinstance(x, (list, tuple)):
        if x and all(isinstance(v, dict) for v in x):
            return _table(list(x))
        if x and all(isinstance(v, (list, tuple)) for v in x):
            rows = [{str(j): v for j, v in enumerate(r)} for r in x]
            return _table(rows)
        return f"<p>{_e(_join(x))}</p>" if x else '<p class="note">(none)</p>'
    return f"<p>{_e(_fmt(x))}</p>"


def _kv(d: dict, depth: int = 0) -> str:
    """A key/value table; nested dicts and lists of dicts are drawn inside (to depth 3)."""
    rows = []
    for k, v in d.items():
        if isinstance(v, (dict, list, tuple)) and depth < 3 and _is_nested(v):
            value = _any(v, depth + 1)
            rows.append(f"<tr><th>{_e(k)}</th><td>{value}</td></tr>")
        else:
            rows.append(f"<tr><th>{_e(k)}</th>{_cell(v)}</tr>")
    return f'<div class="scroll"><table class="kv">{"".join(rows)}</table></div>'


def _is_nested(v: Any) -> bool:
    if isinstance(v, dict):
        return bool(v)
    return bool(v) and all(isinstance(i, (dict, list, tuple)) for i in v)


def _rest(section: dict, shown: set[str], title: str = "All figures") -> str:
    """The keys not drawn specially, in a collapsed generic table."""
    rest = {k: v for k, v in section.items() if k not in shown}
    if not rest:
        return ""
    return f"<details><summary>{_e(title)}</summary>{_kv(rest)}</details>"


def _plots_div(*images: str) -> str:
    body = "".join(images)
    return f'<div class="plots">{body}</div>' if body else ""


def _img(b64: str | None, alt: str) -> str:
    if not b64:
        return ""
    return f'<img src="data:image/png;base64,{b64}" alt="{_e(alt)}">'


def _para(section: dict, *keys: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    out = []
    for k in keys:
        v = section.get(k)
        if isinstance(v, str) and v:
            out.append(f"<p{attr}>{_e(v)}</p>")
    return "".join(out)


def _list(items: Any, cls: str = "") -> str:
    if not isinstance(items, (list, tuple)) or not items:
        return ""
    attr = f' class="{cls}"' if cls else ""
    lis = "".join(f"<li>{_e(_fmt_short(v))}</li>" for v in items[:_MAX_ROWS])
    return f"<ul{attr}>{lis}</ul>"


def _notrun(section: Any, why: str = "") -> str | None:
    """HTML for a section that did not run, or None when it holds figures."""
    if isinstance(section, dict) and section and set(section) <= {"skipped", "reason", "not_run"}:
        reason = next((section[k] for k in ("reason", "skipped", "not_run") if k in section), "")
        why = reason if isinstance(reason, str) else why
        section = None
    if section is None or (isinstance(section, dict) and not section):
        return f'<p class="notrun">not run{f" ({_e(why)})" if why else ""}</p>'
    if not isinstance(section, dict):
        return _any(section)
    return None


def _card(pairs: list[tuple[str, Any]]) -> str:
    items = "".join(
        f"<dt>{_e(k)}</dt><dd>{_e(_fmt(v))}</dd>" for k, v in pairs if v is not None and v != ""
    )
    return f'<dl class="card">{items}</dl>' if items else ""


def _clustering(metrics: dict) -> bool:
    return metrics.get("task") == "clustering" or _get(metrics, "frame", "task") == "clustering"


def _get(d: Any, *path: str) -> Any:
    for p in path:
        if not isinstance(d, dict):
            return None
        d = d.get(p)
    return d


# -- summary --------------------------------------------------------------------------------------


def _interval(boot: Any) -> str:
    if not isinstance(boot, dict) or not (_is_num(boot.get("low")) and _is_num(boot.get("high"))):
        return ""
    conf = boot.get("confidence", 0.95)
    pct = f"{100 * conf:g}%" if _is_num(conf) else "95%"
    return f"{pct} bootstrap interval {_fmt(boot['low'])} – {_fmt(boot['high'])}"


def _verdicts(metrics: dict) -> list[dict]:
    v = metrics.get("verdicts")
    if isinstance(v, list) and v:
        return [x for x in v if isinstance(x, dict)]
    out = []
    for m in _get(metrics, "diagnose", "models") or []:
        if isinstance(m, dict) and isinstance(m.get("verdict"), dict):
            out.append({"model": m.get("name"), **m["verdict"]})
    return out


def _verdict_html(v: dict) -> str:
    kind = str(v.get("kind", ""))
    cls = "verdict " + "-".join(kind.lower().split()) if kind else "verdict"
    model = f"<strong>{_e(v['model'])}</strong>: " if v.get("model") else ""
    kind_html = f"<em>{_e(kind)}</em> — " if kind else ""
    return f'<div class="{_e(cls)}">{model}{kind_html}{_e(v.get("text", ""))}</div>'


def _summary(metrics: dict) -> str:
    frame = metrics.get("frame") if isinstance(metrics.get("frame"), dict) else {}
    task = metrics.get("task", frame.get("task"))
    metric = metrics.get("metric")
    final = metrics.get("final_model")
    if isinstance(final, dict):
        final = final.get("name")
    score = metrics.get("cv_score")
    interval = _interval(metrics.get("bootstrap"))
    score_text = None
    if score is not None:
        score_text = _fmt(score) + (f" ({interval})" if interval else "")
    data = metrics.get("data") if isinstance(metrics.get("data"), dict) else {}
    usable = data.get("usable_features")
    rows = data.get("n_rows", _get(metrics, "load", "n_rows"))
    shape = None
    if rows is not None:
        shape = f"{_fmt(rows)} rows"
        if isinstance(usable, list):
            shape += f", {len(usable)} usable features"
    pairs = [
        ("Task", task),
        ("Target", frame.get("target")),
        ("Metric", metric),
        ("Final model", final),
        (f"Cross-validated {metric or 'score'}", score_text),
        ("Data", shape),
        ("Fusion", _get(metrics, "fusion", "decision")),
        ("Deployment", _get(metrics, "deploy", "summary")),
    ]
    out = [_card(pairs)]
    verdicts = _verdicts(metrics)
    if verdicts:
        out.append("<h3>Verdicts</h3>" + "".join(_verdict_html(v) for v in verdicts))
    warnings = data.get("warnings")
    if isinstance(warnings, list) and warnings:
        out.append("<h3>Data warnings</h3>" + _list(warnings, "warn"))
    return "".join(out)


# -- the seven steps ------------------------------------------------------------------------------


def _step_frame(metrics: dict) -> str:
    frame = metrics.get("frame")
    nr = _notrun(frame)
    if nr is not None:
        return nr
    out = [_para(frame, "rule")]
    out.append(
        _card(
            [
                ("Task", frame.get("task")),
                ("Target", frame.get("target")),
                ("Classes", _join(frame["classes"]) if frame.get("classes") else None),
                ("Number of classes", frame.get("n_classes")),
                ("Rows with an empty target (dropped)", frame.get("dropped_target_rows")),
            ]
        )
    )
    dl = frame.get("deep_learning")
    if isinstance(dl, dict):
        fav = dl.get("favoured")
        word = "favoured" if fav else "not favoured" if fav is not None else "undecided"
        out.append(f"<h3>Deep learning: {_e(word)}</h3>" + _list(dl.get("reasons")))
    weights = frame.get("candidate_weights")
    if isinstance(weights, dict) and weights:
        out.append("<h3>Candidate weights</h3>")
        out.append(_table([{"family": k, "weight": v} for k, v in weights.items()]))
    shown = {"rule", "task", "target", "classes", "n_classes", "dropped_target_rows"}
    out.append(_rest(frame, shown | {"deep_learning", "candidate_weights"}))
    return "".join(out)


def _step_data(metrics: dict) -> str:
    out = ["<h3>Loading</h3>"]
    load = metrics.get("load")
    nr = _notrun(load)
    if nr is not None:
        out.append(nr)
    else:
        memory = load.get("memory")
        decision = None
        if isinstance(memory, dict):
            decision = next(
                (memory[k] for k in ("sentence", "summary", "decision") if k in memory), None
            )
        if isinstance(decision, str):
            out.append(f"<p>{_e(decision)}</p>")
        scalars = [(k, v) for k, v in load.items() if not isinstance(v, (dict, list))]
        out.append(_card(scalars))
        if isinstance(memory, dict):
            figures = _kv(memory)
            out.append(
                f"<details><summary>Memory estimate: every figure</summary>{figures}</details>"
            )
        shown = {k for k, _ in scalars} | {"memory"}
        out.append(_rest(load, shown))
    out.append("<h3>Checks</h3>")
    data = metrics.get("data")
    nr = _notrun(data)
    if nr is not None:
        out.append(nr)
        return "".join(out)
    usable = data.get("usable_features")
    out.append(
        _card(
            [
                ("Rows", data.get("n_rows")),
                ("Duplicate rows", data.get("n_duplicates")),
                ("Usable features", len(usable) if isinstance(usable, list) else None),
            ]
        )
    )
    if data.get("warnings"):
        out.append("<h4>Warnings</h4>" + _list(data["warnings"], "warn"))
    cols = data.get("columns")
    if isinstance(cols, list):
        out.append("<h4>Columns</h4>" + _table(cols))
    balance = data.get("class_balance")
    if isinstance(balance, dict):
        out.append("<h4>Class balance</h4>")
        counts = balance.get("counts")
        if isinstance(counts, dict):
            out.append(_table([{"class": k, "rows": v} for k, v in counts.items()]))
        out.append(_kv({k: v for k, v in balance.items() if k != "counts"}))
    if "leakage" in data:
        out.append("<h4>Leakage</h4>" + _any(data["leakage"]))
    if "dropped" in data:
        out.append("<h4>Dropped features</h4>" + _any(data["dropped"]))
    if isinstance(data.get("usable_features"), list):
        out.append("<h4>Usable features</h4>" + f"<p>{_e(_join(data['usable_features']))}</p>")
    shown = {"n_rows", "n_duplicates", "usable_features", "warnings", "columns"}
    out.append(_rest(data, shown | {"class_balance", "leakage", "dropped"}))
    return "".join(out)


def _step_features(metrics: dict) -> str:
    feats = metrics.get("features")
    nr = _notrun(feats)
    if nr is not None:
        return nr
    out = []
    if feats.get("steps"):
        out.append("<h3>Steps taken</h3>" + _list(feats["steps"]))
    table = feats.get("table")
    if isinstance(table, list):
        out.append("<h3>Feature table</h3>")
        out.append(_table(table, row_class=lambda r: "dropped" if r.get("kept") is False else ""))
    for key, title in (("discretised", "Discretised features"), ("collinear", "Collinear")):
        if feats.get(key):
            out.append(f"<h3>{_e(title)}</h3>" + _any(feats[key]))
    out.append(_rest(feats, {"steps", "table", "discretised", "collinear"}))
    return "".join(out)


def _flatten_profile(row: dict) -> dict:
    """One cluster profile as one table row: ``means`` by feature name, other dicts tagged."""
    out: dict = {}
    for key, value in row.items():
        if isinstance(value, dict):
            for name, v in value.items():
                col = str(name) if key == "means" else f"{name} ({key.rstrip('s')})"
                out[col] = v
        else:
            out[key] = value
    return out


def _step_train(metrics: dict) -> str:
    train, cluster = metrics.get("train"), metrics.get("cluster")
    metric = metrics.get("metric") or "score"
    out = []
    if cluster is not None or metrics.get("task") == "clustering":
        out.append("<h3>Clustering</h3>")
        nr = _notrun(cluster)
        if nr is not None:
            out.append(nr)
        else:
            texts = ("rule", "explanation", "sentence", "summary", "decision")
            out.append(_para(cluster, *texts))
            out.append(_plots_div(_img(_plots.cluster_png(cluster), "choosing k")))
            sizes = cluster.get("sizes")
            out.append(
                _card(
                    [
                        ("Chosen k", cluster.get("chosen_k", cluster.get("k"))),
                        (
                            "Mean silhouette",
                            next(
                                (
                                    cluster[k]
                                    for k in ("cv_score", "score", "silhouette")
                                    if k in cluster
                                ),
                                None,
                            ),
                        ),
                        ("Structure", cluster.get("strength")),
                        ("Inertia elbow at k", cluster.get("elbow_k")),
                        ("Cluster sizes", _join(sizes) if isinstance(sizes, list) else None),
                    ]
                )
            )
            profiles = cluster.get("profiles")
            if isinstance(profiles, list) and profiles:
                rows = [_flatten_profile(r) for r in profiles if isinstance(r, dict)]
                out.append(
                    "<h4>Cluster profiles (feature means in raw units, most common categories)</h4>"
                )
                out.append(_table(rows))
            shown = set(texts) | {"chosen_k", "k", "cv_score", "score", "silhouette", "strength"}
            out.append(_rest(cluster, shown | {"elbow_k", "sizes", "profiles"}))
        if train is None:
            return "".join(out)
    nr = _notrun(train)
    if nr is not None:
        out.append(nr)
        return "".join(out)
    board = train.get("leaderboard")
    if isinstance(board, list):
        out.append("<h3>Leaderboard</h3>")
        out.append(_plots_div(_img(_plots.leaderboard_png(board, metric), "leaderboard")))
        out.append(_table(board))
    out.append(_rest(train, {"leaderboard"}, "Tuning figures"))
    return "".join(out)


def _step_diagnose(metrics: dict) -> str:
    metric = metrics.get("metric") or "score"
    diag = metrics.get("diagnose")
    why = "clustering has no target to score against" if _clustering(metrics) else ""
    out = ["<h3>Learning and validation curves</h3>"]
    nr = _notrun(diag, why)
    if nr is not None:
        out.append(nr)
    else:
        for m in diag.get("models") or []:
            if not isinstance(m, dict):
                continue
            name = str(m.get("name", "model"))
            out.append(f"<h4>{_e(name)}</h4>")
            if isinstance(m.get("verdict"), dict):
                out.append(_verdict_html(m["verdict"]))
            imgs = _img(
                _plots.learning_curve_png(m.get("learning_curve"), metric, name),
                f"learning curve of {name}",
            ) + _img(
                _plots.validation_curve_png(m.get("validation_curve"), metric, name),
                f"validation curve of {name}",
            )
            if imgs:
                out.append(_plots_div(imgs))
            out.append(_rest(m, {"name", "verdict"}, f"Figures behind {name}"))
        out.append(_rest(diag, {"models"}))
    out.append("<h3>Error analysis</h3>")
    errors = metrics.get("errors")
    nr = _notrun(errors, why)
    if nr is not None:
        out.append(nr)
    else:
        out.append(_para(errors, "summary"))
        cm_key = "confusion_matrix" if "confusion_matrix" in errors else "confusion"
        cm = errors.get(cm_key)
        if isinstance(cm, dict):
            labels, matrix = cm.get("labels"), cm.get("matrix")
            out.append("<h4>Confusion matrix</h4>")
            out.append(_plots_div(_img(_plots.confusion_png(labels, matrix), "confusion matrix")))
            if isinstance(labels, list) and isinstance(matrix, list):
                out.append(_matrix_table(labels, matrix))
            for key, value in cm.items():
                if key not in ("labels", "matrix") and value:
                    out.append(f"<h4>{_e(key.replace('_', ' '))}</h4>" + _any(value))
        res = errors.get("residuals")
        if isinstance(res, dict):
            out.append("<h4>Residuals</h4>")
            out.append(_plots_div(_img(_plots.residuals_png(res), "residual plot")))
            scalars = {k: v for k, v in res.items() if not isinstance(v, (dict, list))}
            if scalars:
                out.append(_kv(scalars))
            for key, value in res.items():
                if key in ("points", "sample", "predicted", "pred", "residual", "residuals"):
                    continue  # the plot's raw points
                if isinstance(value, (dict, list)) and value:
                    out.append(f"<h4>{_e(key.replace('_', ' '))}</h4>" + _any(value))
        if "worst" in errors:
            out.append("<h4>Worst out-of-fold predictions</h4>" + _any(errors["worst"]))
        flagged = errors.get("flagged")
        if isinstance(flagged, list):
            out.append("<h4>Where errors concentrate</h4>")
            sentences = [f.get("sentence") for f in flagged if isinstance(f, dict)]
            if not flagged:
                out.append('<p class="note">No slice is flagged.</p>')
            elif sentences and all(isinstance(t, str) for t in sentences):
                out.append(_list(sentences, "warn"))
            else:
                out.append(_any(flagged))
        out.append(_para(errors, "rule", cls="note"))
        if "slices" in errors:
            slices = errors["slices"]
            n = len(slices) if isinstance(slices, list) else 0
            if isinstance(slices, list):
                body = _table(slices, row_class=lambda r: "flag" if r.get("flagged") else "")
            else:
                body = _any(slices)
            out.append(f"<details><summary>All slices ({n})</summary>{body}</details>")
        shown = {"summary", cm_key, "residuals", "worst", "slices", "flagged", "rule"}
        out.append(_rest(errors, shown))
    out.append("<h3>Confidence interval of the final score</h3>")
    boot = metrics.get("bootstrap")
    nr = _notrun(boot, why)
    if nr is not None:
        out.append(nr)
    else:
        score = boot.get("score", boot.get("estimate"))
        interval = _interval(boot)
        if score is not None:
            line = f"Out-of-fold {metric} {_fmt(score)}" + (f"; {interval}" if interval else "")
            out.append(f"<p>{_e(line)}.</p>")
        out.append(_rest(boot, {"score", "estimate", "low", "high", "confidence"}))
    return "".join(out)


def _step_fuse(metrics: dict) -> str:
    fusion = metrics.get("fusion")
    nr = _notrun(fusion, "one k-means model, nothing to fuse" if _clustering(metrics) else "")
    if nr is not None:
        return nr
    out = [_para(fusion, "decision"), _para(fusion, "rule", cls="note")]
    for k, v in fusion.items():
        if k in ("decision", "rule"):
            continue
        if isinstance(v, list) and v and all(isinstance(i, dict) for i in v):
            out.append(f"<h4>{_e(k)}</h4>" + _table(v))
    shown = {"decision", "rule"} | {
        k for k, v in fusion.items() if isinstance(v, list) and v and isinstance(v[0], dict)
    }
    out.append(_rest(fusion, shown))
    return "".join(out)


def _step_deploy(metrics: dict) -> str:
    dep = metrics.get("deploy")
    nr = _notrun(dep)
    if nr is not None:
        return nr
    single = _get(dep, "latency", "single_row_ms") or {}
    batch = _get(dep, "latency", "batch_ms") or {}

    def lat(d: dict) -> str | None:
        if not isinstance(d, dict) or d.get("p50") is None:
            return None
        text = f"p50 {_fmt(d.get('p50'))} ms, p95 {_fmt(d.get('p95'))} ms"
        return text + (f" ({_fmt(d['calls'])} calls)" if d.get("calls") is not None else "")

    peak = dep.get("peak_memory") if isinstance(dep.get("peak_memory"), dict) else {}
    peak_text = None
    if _is_num(peak.get("bytes")):
        peak_text = _bytes(peak["bytes"])
        if peak.get("rows"):
            peak_text += f" for {_fmt(peak['rows'])} rows"
    rps = dep.get("rows_per_second")
    out = [_para(dep, "summary")]
    out.append(
        _card(
            [
                ("Model file", dep.get("model_file")),
                ("Size on disk", dep.get("size") or dep.get("size_bytes")),
                ("Reloaded copy predicts identically", dep.get("reload_identical")),
                ("Single-row latency", lat(single)),
                (f"Batch latency ({_fmt(batch.get('rows'))} rows)", lat(batch)),
                ("Rows per second", f"{rps:,.0f}" if _is_num(rps) else None),
                ("Peak memory while predicting", peak_text),
                ("Memory measured with", peak.get("method")),
            ]
        )
    )
    seeds = _get(dep, "stability", "seeds")
    boot = _get(dep, "stability", "bootstrap")
    out.append("<h3>Stability</h3>")
    if isinstance(seeds, dict):
        scores = seeds.get("scores")
        line = (
            f"Across seeds {_join(seeds.get('seeds') or [])}: mean {_fmt(seeds.get('mean'))}, "
            f"std {_fmt(seeds.get('std'))}, min {_fmt(seeds.get('min'))}, "
            f"max {_fmt(seeds.get('max'))}"
        )
        if isinstance(scores, list):
            line += f" (scores {_join(scores)})"
        out.append(f"<p>{_e(line)}.</p>" + _para(seeds, "note", cls="note"))
    else:
        out.append('<p class="notrun">seed stability: not run</p>')
    if isinstance(boot, dict):
        line = f"Bootstrap of the out-of-fold score: {_fmt(boot.get('score'))}"
        interval = _interval(boot)
        if interval:
            line += f", {interval}"
        if boot.get("std") is not None:
            line += f", standard error {_fmt(boot['std'])}"
        out.append(f"<p>{_e(line)}.</p>" + _para(boot, "note", cls="note"))
    else:
        out.append('<p class="notrun">bootstrap stability: not run</p>')
    shown = {"summary", "model_file", "size", "size_bytes", "reload_identical", "latency"}
    out.append(_rest(dep, shown | {"rows_per_second", "peak_memory", "stability"}))
    return "".join(out)


_RENDERERS = {
    "frame": _step_frame,
    "data": _step_data,
    "features": _step_features,
    "train": _step_train,
    "diagnose": _step_diagnose,
    "fuse": _step_fuse,
    "deploy": _step_deploy,
}


def render_report(metrics: dict) -> str:
    """Render the run's metrics as one self-contained HTML page.

    Parameters
    ----------
    metrics : dict
        The contents of ``metrics.json``: top-level ``task``, ``metric``, ``final_model``,
        ``cv_score``, ``verdicts``, ``seed``, ``trials``, ``lucidml_version``, ``timings`` and
        one dict per step (``load``, ``frame``, ``data``, ``features``, ``train``,
        ``diagnose``, ``errors``, ``bootstrap``, ``fusion``, ``deploy``, ``cluster``). Any of
        them may be missing; a missing step shows "not run".

    Returns
    -------
    str
        The HTML document (UTF-8 text; inline CSS, plots as base64 PNG, no script, no external
        URL).

    Examples
    --------
    >>> from lucidml.workflow.report import render_report
    >>> page = render_report({"task": "regression", "metric": "r2", "cv_score": 0.8})
    >>> "<h2>Summary</h2>" in page and "not run" in page
    True
    """
    if not isinstance(metrics, dict):
        raise TypeError(f"render_report takes the metrics dict, got {type(metrics).__name__}.")
    frame = metrics.get("frame") if isinstance(metrics.get("frame"), dict) else {}
    task = metrics.get("task", frame.get("task", "run"))
    target = frame.get("target")
    title = f"lucidml report: {task}" + (f" of {target}" if target else "")
    load = metrics.get("load") if isinstance(metrics.get("load"), dict) else {}
    source = load.get("path", load.get("file"))
    sub = [
        f"data {source}" if source else "",
        f"seed {metrics['seed']}" if "seed" in metrics else "",
        f"trials {metrics['trials']}" if "trials" in metrics else "",
        f"lucidml {metrics['lucidml_version']}" if metrics.get("lucidml_version") else "",
    ]
    nav = "".join(f'<a href="#step-{key}">{_e(label)}</a>' for key, label in _STEPS)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>",
        f"<header><h1>{_e(title)}</h1>",
        f'<p class="sub">{_e(" · ".join(s for s in sub if s))}</p>',
        f'<nav><a href="#summary">Summary</a>{nav}</nav></header>',
        f'<section id="summary"><h2>Summary</h2>{_summary(metrics)}</section>',
    ]
    for key, label in _STEPS:
        body = _RENDERERS[key](metrics)
        parts.append(f'<section id="step-{key}"><h2>{_e(label)}</h2>{body}</section>')
    timings = metrics.get("timings")
    if isinstance(timings, dict) and timings:
        rows = [{"step": k, "seconds": v} for k, v in timings.items()]
        parts.append(f'<section id="timings"><h2>Timings</h2>{_table(rows)}</section>')
    raised = metrics.get("warnings_raised")
    if isinstance(raised, list) and raised:
        rows = [r for r in raised if isinstance(r, dict)]
        parts.append(
            f'<section id="warnings"><h2>Warnings raised by models</h2>{_table(rows)}</section>'
        )
    parts.append(
        "<footer>Written by lucidml run from metrics.json; every figure here is in that file."
        "</footer></main></body></html>"
    )
    return "\n".join(parts)
