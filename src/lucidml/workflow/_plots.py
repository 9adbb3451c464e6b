"""Plots of the run report, drawn with matplotlib's Agg canvas and returned as base64 PNG text.

Every function takes plain figures from ``metrics.json`` and returns the base64 text of a PNG,
or None when the figures are missing or malformed (the report then shows no image). No global
pyplot state is touched: each plot is its own :class:`matplotlib.figure.Figure`.
"""

from __future__ import annotations

import base64
import io
import numbers
import warnings
from typing import Any

import numpy as np

_BLUE, _ORANGE, _GREEN, _GREY = "#1f6fb2", "#d9730d", "#2e8b57", "#888888"


def _label(text: Any) -> str:
    """Plot text with mathtext switched off (a ``$`` in a column name stays a dollar sign)."""
    return str(text).replace("$", r"\$")


def _floats(values: Any) -> np.ndarray | None:
    """A 1-D float array (None -> NaN), or None when ``values`` is not a list of numbers."""
    if not isinstance(values, (list, tuple, np.ndarray)) or len(values) == 0:
        return None
    out = []
    for v in values:
        if v is None:
            out.append(np.nan)
        elif isinstance(v, numbers.Real) and not isinstance(v, bool):
            out.append(float(v))
        else:
            return None
    return np.asarray(out, dtype=float)


def _is_real(x: Any) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and np.isfinite(x)


def _new_figure(width: float = 5.2, height: float = 3.4) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=96)
    FigureCanvasAgg(fig)
    return fig


def _encode(fig: Any) -> str:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. a glyph missing from the font
        fig.tight_layout()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _band(ax: Any, x: np.ndarray, mean: np.ndarray, std: np.ndarray | None, color: str, name: str):
    ax.plot(x, mean, "o-", color=color, label=name, markersize=4)
    if std is not None and std.shape == mean.shape:
        ax.fill_between(x, mean - std, mean + std, color=color, alpha=0.15, linewidth=0)


def learning_curve_png(lc: Any, metric: str, title: str) -> str | None:
    """Train and CV score (mean ± std band) against the number of training rows."""
    if not isinstance(lc, dict):
        return None
    x = _floats(lc.get("train_sizes"))
    train, cv = _floats(lc.get("train_mean")), _floats(lc.get("cv_mean"))
    if x is None or train is None or cv is None or not (len(x) == len(train) == len(cv)):
        return None
    train_std, cv_std = _floats(lc.get("train_std")), _floats(lc.get("cv_std"))
    fig = _new_figure()
    ax = fig.add_subplot()
    _band(ax, x, train, train_std, _BLUE, "train")
    _band(ax, x, cv, cv_std, _ORANGE, "cross-validation")
    ax.set_xlabel("training rows")
    ax.set_ylabel(_label(metric))
    ax.set_title(_label(f"Learning curve: {title}"), fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return _encode(fig)


def validation_curve_png(vc: Any, metric: str, title: str) -> str | None:
    """Train and CV score against the values of one complexity parameter."""
    if not isinstance(vc, dict):
        return None
    values = vc.get("values")
    train, cv = _floats(vc.get("train_mean")), _floats(vc.get("cv_mean"))
    if not isinstance(values, (list, tuple)) or train is None or cv is None:
        return None
    if not (len(values) == len(train) == len(cv)) or len(values) == 0:
        return None
    numeric = _floats(values)
    labels = vc.get("labels")
    if not isinstance(labels, (list, tuple)) or len(labels) != len(values):
        labels = ["None" if v is None else v for v in values]
    fig = _new_figure()
    ax = fig.add_subplot()
    current = None
    if numeric is not None and np.all(np.isfinite(numeric)):
        x = numeric
        log = vc.get("log_scale")
        if log is None:
            log = bool(np.all(x > 0) and x.max() / x.min() >= 100)
        if log and np.all(x > 0):
            ax.set_xscale("log")
        if _is_real(vc.get("current")):
            current = float(vc["current"])
    else:
        x = np.arange(len(values), dtype=float)
        ax.set_xticks(x)
        ax.set_xticklabels([_label(v) for v in labels], fontsize=8)
        if vc.get("current", object()) in values:
            current = float(values.index(vc["current"]))
    if current is not None:
        ax.axvline(current, color=_GREEN, linewidth=1, linestyle=":", label="current")
    _band(ax, x, train, _floats(vc.get("train_std")), _BLUE, "train")
    _band(ax, x, cv, _floats(vc.get("cv_std")), _ORANGE, "cross-validation")
    param = vc.get("param", "parameter")
    ax.set_xlabel(_label(param))
    ax.set_ylabel(_label(metric))
    ax.set_title(_label(f"Validation curve: {title}"), fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    return _encode(fig)


def leaderboard_png(rows: Any, metric: str) -> str | None:
    """Horizontal bars of each candidate's CV score with its fold std as error bars."""
    if not isinstance(rows, list):
        return None
    names, scores, stds = [], [], []
    for r in rows:
        if not isinstance(r, dict):
            continue
        s = r.get("cv_score")
        if isinstance(s, numbers.Real) and not isinstance(s, bool) and np.isfinite(s):
            names.append(str(r.get("name", f"model {len(names) + 1}")))
            scores.append(float(s))
            sd = r.get("cv_std")
            ok = isinstance(sd, numbers.Real) and not isinstance(sd, bool) and np.isfinite(sd)
            stds.append(float(sd) if ok else 0.0)
    if not names:
        return None
    names, scores, stds = names[:20], np.array(scores[:20]), np.array(stds[:20])
    fig = _new_figure(6.4, 0.9 + 0.32 * len(names))
    ax = fig.add_subplot()
    y = np.arange(len(names))[::-1]
    ax.barh(y, scores, xerr=stds, color=_BLUE, alpha=0.8, error_kw={"ecolor": _GREY})
    ax.set_yticks(y)
    ax.set_yticklabels([_label(n) for n in names], fontsize=8)
    lo, hi = float(np.min(scores - stds)), float(np.max(scores + stds))
    span = max(hi - lo, 0.02)
    if lo < 0:
        ax.axvline(0, color=_GREY, linewidth=0.8)
    else:  # zoom on the scores: bars from 0 would hide differences of 0.01
        ax.set_xlim(max(lo - 0.5 * span, 0.0), hi + 0.1 * span)
    ax.set_xlabel(_label(f"cross-validated {metric} (± fold std)"))
    ax.grid(axis="x", alpha=0.3)
    return _encode(fig)


def confusion_png(labels: Any, matrix: Any) -> str | None:
    """Heat map of the out-of-fold confusion matrix (rows: true class, columns: predicted)."""
    if not isinstance(labels, (list, tuple)) or not isinstance(matrix, (list, tuple)):
        return None
    k = len(labels)
    if k == 0 or len(matrix) != k:
        return None
    rows = [_floats(r) for r in matrix]
    if any(r is None or len(r) != k for r in rows):
        return None
    m = np.vstack(rows)
    size = min(2.6 + 0.45 * k, 9.0)
    fig = _new_figure(size + 0.8, size)
    ax = fig.add_subplot()
    ax.imshow(m, cmap="Blues")
    ax.set_xticks(range(k))
    ax.set_yticks(range(k))
    fs = 8 if k <= 12 else 6
    ax.set_xticklabels([_label(v) for v in labels], fontsize=fs, rotation=45, ha="right")
    ax.set_yticklabels([_label(v) for v in labels], fontsize=fs)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    if k <= 15:
        top = np.nanmax(m) if np.isfinite(np.nanmax(m)) else 0.0
        for i in range(k):
            for j in range(k):
                v = m[i, j]
                text = "" if not np.isfinite(v) else (f"{v:.0f}" if v == int(v) else f"{v:.2f}")
                color = "white" if top and v > top / 2 else "black"
                ax.text(j, i, text, ha="center", va="center", fontsize=fs, color=color)
    ax.set_title("Confusion matrix (out-of-fold)", fontsize=10)
    return _encode(fig)


def _pairs(obj: Any, x_keys: tuple[str, ...], y_keys: tuple[str, ...]):
    """(x, y) float arrays from parallel lists or a list of dicts, or None."""
    if isinstance(obj, dict):
        xs = next((obj[k] for k in x_keys if k in obj), None)
        ys = next((obj[k] for k in y_keys if k in obj), None)
        x, y = _floats(xs), _floats(ys)
    elif isinstance(obj, list) and obj and all(isinstance(p, dict) for p in obj):
        xk = next((k for k in x_keys if k in obj[0]), None)
        yk = next((k for k in y_keys if k in obj[0]), None)
        if xk is None or yk is None:
            return None
        x, y = _floats([p.get(xk) for p in obj]), _floats([p.get(yk) for p in obj])
    else:
        return None
    if x is None or y is None or len(x) != len(y):
        return None
    return x, y


def residuals_png(res: Any) -> str | None:
    """Residual plot: residual against prediction (scatter), else a histogram of residuals.

    Reads ``predicted``/``pred``/``y_pred`` with ``residual``/``residuals`` (parallel lists,
    also under ``points`` or ``sample`` as a list of dicts), or ``histogram`` with
    ``edges``/``bin_edges`` and ``counts``.
    """
    if not isinstance(res, dict):
        return None
    x_keys = ("predicted", "pred", "y_pred", "prediction")
    y_keys = ("residual", "residuals")
    pair = None
    for source in (res, res.get("points"), res.get("sample")):
        pair = _pairs(source, x_keys, y_keys) if source is not None else None
        if pair is not None:
            break
    if pair is not None:
        x, y = pair
        fig = _new_figure()
        ax = fig.add_subplot()
        ax.scatter(x, y, s=8, alpha=0.5, color=_BLUE, linewidths=0)
        ax.axhline(0, color=_ORANGE, linewidth=1)
        ax.set_xlabel("out-of-fold prediction")
        ax.set_ylabel("residual (true − predicted)")
        ax.set_title("Residuals (out-of-fold)", fontsize=10)
        ax.grid(alpha=0.3)
        return _encode(fig)
    hist = res.get("histogram")
    if isinstance(hist, dict):
        edges = _floats(hist.get("edges", hist.get("bin_edges")))
        counts = _floats(hist.get("counts"))
        if edges is not None and counts is not None and len(edges) == len(counts) + 1:
            fig = _new_figure()
            ax = fig.add_subplot()
            ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", color=_BLUE, alpha=0.8)
            ax.axvline(0, color=_ORANGE, linewidth=1)
            ax.set_xlabel("residual (true − predicted)")
            ax.set_ylabel("rows")
            ax.set_title("Residuals (out-of-fold)", fontsize=10)
            return _encode(fig)
    return None


def _by_k(obj: Any, value_keys: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray] | None:
    """(k, value) arrays from ``{k: v}``, a list of dicts with ``k``, or parallel lists."""
    if isinstance(obj, dict):
        if "k" in obj:
            return _pairs(obj, ("k",), value_keys)
        try:
            items = sorted((int(k), v) for k, v in obj.items())
        except (TypeError, ValueError):
            return None
        ks, vs = _floats([k for k, _ in items]), _floats([v for _, v in items])
        return None if ks is None or vs is None else (ks, vs)
    if isinstance(obj, list):
        return _pairs(obj, ("k",), value_keys)
    return None


def cluster_png(cluster: Any) -> str | None:
    """Mean silhouette (and inertia, the elbow) against the number of clusters k."""
    if not isinstance(cluster, dict):
        return None
    sil = _by_k(cluster.get("silhouette_by_k"), ("silhouette", "score", "value"))
    inertia = _by_k(cluster.get("inertia_by_k"), ("inertia", "value"))
    if sil is None and inertia is None:
        return None
    fig = _new_figure(5.8, 3.4)
    ax = fig.add_subplot()
    lines = []
    if sil is not None:
        lines += ax.plot(sil[0], sil[1], "o-", color=_BLUE, label="mean silhouette")
        ax.set_ylabel("mean silhouette")
    if inertia is not None:
        ax2 = ax.twinx() if sil is not None else ax
        lines += ax2.plot(inertia[0], inertia[1], "s--", color=_ORANGE, label="inertia")
        ax2.set_ylabel("inertia")
    chosen = cluster.get("chosen_k", cluster.get("k"))
    if isinstance(chosen, numbers.Real) and not isinstance(chosen, bool):
        ax.axvline(float(chosen), color=_GREEN, linewidth=1, linestyle=":")
    ax.set_xlabel("number of clusters k")
    ax.set_title("Choosing k", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(lines, [ln.get_label() for ln in lines], fontsize=8, loc="best")
    return _encode(fig)
