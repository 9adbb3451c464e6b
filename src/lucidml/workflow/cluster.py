r"""Step 4 without a target: k-means clustering, with the number of clusters chosen and explained.

For every :math:`k = 2, \dots, k_{max}` (at most :math:`n - 1`), k-means is fitted on a bounded
random sample of the preprocessed rows (at most ``FIT_SAMPLE`` = 5,000) and scored on a smaller
sample of those rows (at most ``SILHOUETTE_SAMPLE`` = 2,000) by the mean silhouette

.. math:: S(k) = \frac{1}{m} \sum_{i=1}^{m} \frac{b_i - a_i}{\max(a_i, b_i)}

(:func:`lucidml.metrics.silhouette_score`). The chosen :math:`k` maximises :math:`S(k)` (the
smallest such :math:`k` on a tie). The inertia :math:`J(k)` (within-cluster sum of squares) is
recorded too, and its *elbow* is reported beside the choice: the :math:`k` whose point lies
farthest below the straight line from the first to the last point of the curve, both axes
scaled to :math:`[0, 1]`. The inertia always falls as :math:`k` grows, so it shows the
diminishing return but cannot choose on its own; the silhouette can. The strength of the chosen
structure follows Kaufman and Rousseeuw's reading of :math:`S`: above 0.70 strong, above 0.50
reasonable, above 0.25 weak, else no substantial structure.

The chosen :math:`k` is then refitted on all rows inside a lucidml ``Pipeline(preprocessor,
KMeans)``; the section profiles the clusters in the raw units of the input (mean of every
numeric column, most common value of every categorical column).

Trial budget: each k-means fit takes the best of ``n_init`` k-means++ seedings, with
``n_init = trials // (number of k values)`` clipped to 1..10 (4 when ``trials`` is None).
Every random draw comes from ``seed``, so the same seed and trials give the same section.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ._errors import WorkflowError
from ._json import json_float

__all__ = ["FIT_SAMPLE", "SILHOUETTE_SAMPLE", "cluster_data"]

#: At most this many rows are used to fit k-means for each candidate k.
FIT_SAMPLE = 5000
#: At most this many of those rows are used to compute each silhouette (cost grows as m^2).
SILHOUETTE_SAMPLE = 2000
#: Categorical columns with more distinct values than this are not profiled (ids, free text).
MAX_PROFILE_CATEGORIES = 50
#: Kaufman and Rousseeuw's reading of the mean silhouette: (lower bound, words).
STRENGTH = (
    (0.70, "strong structure"),
    (0.50, "reasonable structure"),
    (0.25, "weak structure, possibly artificial"),
    (-1.0, "no substantial structure"),
)


def _tick(progress: Any, n: int = 1) -> None:
    """Report ``n`` more units done to a tqdm-like object (``update``) or a callable."""
    if progress is None:
        return
    if hasattr(progress, "update"):
        progress.update(n)
    else:
        progress(n)


def _check_int(name: str, value: Any, low: int) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
        raise WorkflowError(f"{name} must be an integer >= {low}, got {value!r}")
    return int(value)


def _elbow(ks: list[int], inertia: list[float]) -> int | None:
    """The k farthest below the chord of the (scaled) inertia curve; None without a bend."""
    if len(ks) < 3:
        return None
    x = np.asarray(ks, dtype=float)
    y = np.asarray(inertia, dtype=float)
    span = y.max() - y.min()
    if not span > 0:
        return None
    x = (x - x[0]) / (x[-1] - x[0])
    y = (y - y.min()) / span
    chord = y[0] + (y[-1] - y[0]) * x
    gap = chord - y  # > 0 where the curve sags below the chord
    j = int(np.argmax(gap))
    return ks[j] if gap[j] > 1e-12 else None


def _strength(s: float) -> str:
    return next(words for low, words in STRENGTH if s > low)


def _profiles(X: Any, labels: np.ndarray, k: int) -> tuple[list[dict], dict, list[str]]:
    """Per-cluster means of numeric columns and most common value of categorical ones.

    Returns the cluster profiles, the same figures over all rows, and the columns left out.
    """
    import pandas as pd

    counts = np.bincount(labels, minlength=k)
    profiles = [
        {"cluster": c, "size": int(counts[c]), "means": {}, "modes": {}, "mode_shares": {}}
        for c in range(k)
    ]
    overall: dict[str, dict] = {"means": {}, "modes": {}, "mode_shares": {}}
    skipped: list[str] = []
    for col in X.columns:
        name = str(col)
        s = X[col]
        if pd.api.types.is_numeric_dtype(s):
            v = s.to_numpy(dtype=np.float64, na_value=np.nan)
            ok = ~np.isnan(v)
            sums = np.bincount(labels[ok], weights=v[ok], minlength=k)
            n_ok = np.bincount(labels[ok], minlength=k)
            for c in range(k):
                profiles[c]["means"][name] = json_float(sums[c] / n_ok[c]) if n_ok[c] else None
            overall["means"][name] = json_float(v[ok].mean()) if ok.any() else None
            continue
        codes, cats = pd.factorize(s.astype("string"), sort=True)  # NaN -> code -1
        if len(cats) > MAX_PROFILE_CATEGORIES:
            skipped.append(name)
            continue
        ok = codes >= 0
        table = np.bincount(labels[ok] * len(cats) + codes[ok], minlength=k * len(cats))
        table = table.reshape(k, max(len(cats), 1)) if len(cats) else np.zeros((k, 1))
        for c in range(k):
            row = table[c]
            n_ok = row.sum()
            best = int(np.argmax(row))  # first, i.e. smallest in sorted order, on a tie
            profiles[c]["modes"][name] = str(cats[best]) if n_ok else None
            profiles[c]["mode_shares"][name] = json_float(row[best] / n_ok) if n_ok else None
        total = table.sum(axis=0)
        best = int(np.argmax(total))
        overall["modes"][name] = str(cats[best]) if total.sum() else None
        overall["mode_shares"][name] = (
            json_float(total[best] / total.sum()) if total.sum() else None
        )
    return profiles, overall, skipped


def _rule(
    ks: list[int],
    sil: dict[int, float | None],
    k: int,
    elbow: int | None,
    n_sil: int,
    n: int,
) -> str:
    """One sentence explaining the choice, with its figures."""
    s = sil[k]
    text = (
        f"k = {k} clusters: the highest mean silhouette ({s:.3f}, {_strength(s)}) "
        f"over k = {ks[0]}..{ks[-1]}"
    )
    others = sorted(
        ((v, kk) for kk, v in sil.items() if kk != k and v is not None), key=lambda t: -t[0]
    )
    if others:
        text += f", ahead of k = {others[0][1]} ({others[0][0]:.3f})"
    text += f", scored on {n_sil:,} of {n:,} rows"
    if elbow is None:
        text += "; the inertia curve shows no elbow"
    elif elbow == k:
        text += f"; the inertia elbow is at k = {elbow} too"
    else:
        text += f"; the inertia elbow is at k = {elbow}, but the silhouette decides"
    return text + "."


def cluster_data(
    X: Any,
    preprocessor: Any,
    *,
    seed: int,
    trials: int | None = None,
    k_max: int = 10,
    progress: Callable[[int], None] | Any | None = None,
    fit_sample: int = FIT_SAMPLE,
    silhouette_sample: int = SILHOUETTE_SAMPLE,
) -> tuple[Any, dict[str, Any]]:
    """Cluster the rows of ``X`` with k-means, choosing k by the mean silhouette.

    Parameters
    ----------
    X : pandas.DataFrame of shape (n_samples, n_columns)
        Raw feature columns (other array-likes are wrapped in a DataFrame).
    preprocessor : lucidml transformer
        Unfitted; turns ``X`` into a float array (e.g. imputation, scaling, one-hot encoding).
        It is cloned, never modified.
    seed : int
        Seeds the samples and every k-means fit.
    trials : int, default=None
        Trial budget: ``n_init = trials // n_k`` seedings per fit, clipped to 1..10; None gives 4.
    k_max : int, default=10
        Largest k tried (bounded by n_samples - 1); k starts at 2.
    progress : callable or tqdm-like, default=None
        Called (``progress(1)`` or ``progress.update(1)``) after each k and after the final fit:
        ``n_k + 1`` units in all.
    fit_sample, silhouette_sample : int
        Row bounds for the k search (see the module docstring).

    Returns
    -------
    pipeline : lucidml.pipeline.Pipeline
        ``Pipeline([("preprocess", preprocessor), ("kmeans", KMeans(k))])`` fitted on all rows;
        ``pipeline.predict(X)`` gives each row's cluster.
    section : dict
        JSON-ready: ``metric`` ("silhouette"), ``score`` (the chosen k's mean silhouette, the
        run's CV-score equivalent), ``k``, ``rule`` (the choice in one sentence), ``strength``,
        ``ks``, ``silhouette_by_k`` and ``inertia_by_k`` (dicts keyed by ``str(k)``; a
        silhouette is None when the fit left fewer than 2 clusters in the sample), ``elbow_k``,
        ``sizes`` (rows per cluster, all rows), ``inertia`` (final fit, all rows),
        ``final_silhouette`` (the final fit's labels on the silhouette sample), ``profiles``
        (per cluster: ``cluster``, ``size``, ``means``, ``modes``, ``mode_shares``),
        ``overall`` (the same over all rows), ``unprofiled`` (columns with too many
        categories), ``n_rows``, ``n_features`` (after preprocessing), ``fit_sample_size``,
        ``silhouette_sample_size``, ``n_init``, ``seed``.

    Raises
    ------
    WorkflowError
        Fewer than 3 rows, no features after preprocessing, or rows that are all identical.
    """
    import pandas as pd

    from ..base import clone
    from ..cluster import KMeans
    from ..metrics import silhouette_score
    from ..pipeline import Pipeline

    seed = _check_int("seed", seed, 0)
    k_max = _check_int("k_max", k_max, 2)
    fit_sample = _check_int("fit_sample", fit_sample, 3)
    silhouette_sample = _check_int("silhouette_sample", silhouette_sample, 3)
    if trials is not None:
        trials = _check_int("trials", trials, 1)
    if not isinstance(X, pd.DataFrame):
        X = pd.DataFrame(X)
    n = len(X)
    if n < 3:
        raise WorkflowError(f"clustering needs at least 3 rows, got {n}; supply a larger table")
    if X.shape[1] == 0:
        raise WorkflowError("clustering needs at least one feature column, got none")

    Z = np.asarray(clone(preprocessor).fit(X).transform(X), dtype=np.float64)
    if Z.ndim != 2 or Z.shape[1] == 0:
        raise WorkflowError(
            "no features are left to cluster on after preprocessing; check the input columns"
        )

    if not np.any(Z != Z[0]):
        raise WorkflowError(
            "the rows are all identical after preprocessing, so there is nothing to cluster; "
            "check the input columns"
        )

    rng = np.random.default_rng(seed)
    fit_idx = np.arange(n) if n <= fit_sample else np.sort(rng.choice(n, fit_sample, False))
    Zf = Z[fit_idx]
    n_fit = len(fit_idx)
    sil_pos = (
        np.arange(n_fit)
        if n_fit <= silhouette_sample
        else np.sort(rng.choice(n_fit, silhouette_sample, False))
    )
    Zs = Zf[sil_pos]
    n_sil = len(sil_pos)

    ks = list(range(2, min(k_max, n - 1) + 1))
    n_init = 4 if trials is None else int(np.clip(trials // len(ks), 1, 10))
    sil: dict[int, float | None] = {}
    inertia: dict[int, float] = {}
    for k in ks:
        km = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(Zf)
        inertia[k] = float(km.inertia_)
        lab = km.labels_[sil_pos]
        n_lab = np.unique(lab).size
        sil[k] = silhouette_score(Zs, lab) if 2 <= n_lab <= n_sil - 1 else None
        _tick(progress)
    scored = [(v, k) for k, v in sil.items() if v is not None]
    if not scored:
        raise WorkflowError(
            f"k-means found fewer than 2 distinct clusters among {n_sil} sampled rows for every "
            "k; the rows are nearly all identical, so there is nothing to cluster"
        )
    best = max(v for v, _ in scored)
    k = min(kk for v, kk in scored if v >= best - 1e-12)
    score = float(sil[k])
    elbow = _elbow(ks, [inertia[kk] for kk in ks])

    pipeline = Pipeline(
        [
            ("preprocess", preprocessor),
            ("kmeans", KMeans(n_clusters=k, n_init=n_init, random_state=seed)),
        ]
    ).fit(X)
    final = pipeline.named_steps["kmeans"]
    labels = np.asarray(final.labels_, dtype=np.intp)
    _tick(progress)
    lab_s = labels[fit_idx][sil_pos]
    final_sil = silhouette_score(Zs, lab_s) if 2 <= np.unique(lab_s).size <= n_sil - 1 else None
    profiles, overall, skipped = _profiles(X, labels, k)

    section = {
        "metric": "silhouette",
        "score": score,
        "k": int(k),
        "rule": _rule(ks, sil, k, elbow, n_sil, n),
        "strength": _strength(score),
        "ks": ks,
        "silhouette_by_k": {str(kk): json_float(v) for kk, v in sil.items()},
        "inertia_by_k": {str(kk): json_float(v) for kk, v in inertia.items()},
        "elbow_k": elbow,
        "sizes": np.bincount(labels, minlength=k).tolist(),
        "inertia": json_float(final.inertia_),
        "final_silhouette": None if final_sil is None else json_float(final_sil),
        "profiles": profiles,
        "overall": overall,
        "unprofiled": skipped,
        "n_rows": int(n),
        "n_features": int(Z.shape[1]),
        "fit_sample_size": int(n_fit),
        "silhouette_sample_size": int(n_sil),
        "n_init": int(n_init),
        "seed": int(seed),
    }
    return pipeline, section
