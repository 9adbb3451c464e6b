r"""Step 6 of the notes' workflow (§5): fuse the best models, and keep the fusion only if it pays.

Two fusions are built over the best 2-3 models (already of different families, from the train
step) and scored on the same folds as the models themselves:

- **Soft voting** (regression: averaging). Its out-of-fold probability of row :math:`i` is the
  mean of the members' out-of-fold probabilities,

  .. math:: \bar p_i = \frac{1}{m} \sum_{j=1}^{m} p^{(-r(i))}_{j}(x_i),

  each from a member fitted without row :math:`i`'s fold :math:`r(i)`. This is exactly what
  cross-validating a :class:`~lucidml.ensemble.VotingClassifier` on those folds gives (each fold
  fits every member on the same training part and averages their probabilities), at no extra
  fit.
- **Stacking**. The meta-features of row :math:`i` are the members' out-of-fold predictions
  :math:`z_i = [p_1^{(-r(i))}(x_i), \dots, p_m^{(-r(i))}(x_i)]` (a binary problem keeps the
  positive class's column, as :class:`~lucidml.ensemble.StackingClassifier` does; regression
  uses the predicted values). The meta-model (``LogisticRegression()`` / ``Ridge()``, the
  stacking estimators' defaults) is then cross-validated on :math:`(z, y)` with the same folds:
  for fold :math:`r` it is fitted on the rows outside :math:`r` and predicts the rows of
  :math:`r`, so every stacking prediction is scored on a row whose meta-feature **and** label the
  meta-model never trained on.

  Why not fully nested cross-validation? Nesting refits every member
  :math:`k \times (k - 1)` times (20 fits per member with 5 folds), several times the cost of the
  whole train step. The scheme above is the usual honest equivalent: no prediction is ever
  scored by a model (member or meta-model) that saw its row. What remains is a second-order
  effect — a training row's meta-feature comes from members that did see the test fold's rows —
  which is small for a meta-model with a handful of inputs and a ridge/L2 penalty, and it cannot
  reproduce the classic leak (a member that memorises its training rows looks perfect in-sample,
  but its out-of-fold predictions carry no such advantage).

**Keep or not.** A fusion is kept only when it beats the best single model by more than the
bootstrap noise: the paired bootstrap (:func:`paired_bootstrap`) resamples rows with
replacement, computes ``score(fusion) - score(best)`` on each resample from the fixed out-of-fold
predictions, and the fusion is kept when the lower end of the 95% percentile interval is above
0. If both fusions pass, the one with the higher cross-validated score is kept (voting on a tie).

The returned stacking pipeline is a :class:`~lucidml.ensemble.StackingClassifier` /
:class:`~lucidml.ensemble.StackingRegressor` with ``cv`` set to the number of folds (an int,
because :mod:`lucidml.persist` cannot save splitter objects): fitted on all rows it builds its
meta-features on unshuffled folds, a negligible difference from the shuffled folds the estimate
used.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..base import clone
from ._errors import WorkflowError

__all__ = ["MAX_MEMBERS", "N_RESAMPLES", "fuse_models", "paired_bootstrap"]

MAX_MEMBERS = 3
"""The best models (of different families) fused."""
N_RESAMPLES = 1000
"""Bootstrap resamples of the paired score difference."""
_CHUNK = 64  # resamples drawn and scored at once (bounds memory at 64 x n indices)


def _row_scores_fn(metric: str) -> Any:
    """``score(y, pred_a, pred_b, idx) -> (score_a, score_b)`` for index matrices ``idx``."""
    if metric == "accuracy":

        def fn(y, a, b, idx):
            return (a[idx] == y[idx]).mean(axis=1), (b[idx] == y[idx]).mean(axis=1)

    elif metric == "r2":

        def fn(y, a, b, idx):
            t = y[idx]
            ss_tot = ((t - t.mean(axis=1, keepdims=True)) ** 2).sum(axis=1)
            ss_tot = np.where(ss_tot > 0, ss_tot, np.nan)
            ra = 1.0 - ((t - a[idx]) ** 2).sum(axis=1) / ss_tot
            rb = 1.0 - ((t - b[idx]) ** 2).sum(axis=1) / ss_tot
            return ra, rb

    else:
        raise ValueError(f"metric must be 'accuracy' or 'r2'; got {metric!r}.")
    return fn


def paired_bootstrap(
    y: Any,
    pred_a: Any,
    pred_b: Any,
    metric: str,
    *,
    seed: int,
    n_resamples: int = N_RESAMPLES,
    confidence: float = 0.95,
) -> dict[str, Any]:
    r"""Percentile bootstrap interval of ``score(a) - score(b)`` on the same resampled rows.

    With index rows :math:`I_b` drawn by ``np.random.default_rng(seed).integers(0, n, (B, n))``
    (drawn in chunks of rows, which yields the same numbers),

    .. math::

        \Delta_b = s(y_{I_b}, a_{I_b}) - s(y_{I_b}, b_{I_b}), \qquad
        [\text{low}, \text{high}] = [q_{\alpha/2}(\Delta), q_{1-\alpha/2}(\Delta)].

    Pairing (both models scored on the same resample) removes the row-to-row noise both models
    share, so the interval measures only how much the two differ.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        True labels or values.
    pred_a, pred_b : array-like of shape (n_samples,)
        The two models' (out-of-fold) predictions.
    metric : {"accuracy", "r2"}
        The score.
    seed : int
        Seed of the resampling.
    n_resamples : int, default=1000
        Number :math:`B` of resamples.
    confidence : float, default=0.95
        Coverage of the interval.

    Returns
    -------
    dict
        ``difference`` (on all rows), ``low``, ``high``, ``confidence``, ``n_resamples``.
    """
    y, a, b = np.asarray(y), np.asarray(pred_a), np.asarray(pred_b)
    n = len(y)
    if n < 2 or a.shape != y.shape or b.shape != y.shape:
        raise ValueError(
            f"paired_bootstrap needs y and both predictions of one shape (n >= 2); got "
            f"{y.shape}, {a.shape}, {b.shape}."
        )
    fn = _row_scores_fn(metric)
    if metric == "r2":
        y, a, b = y.astype(np.float64), a.astype(np.float64), b.astype(np.float64)
    else:  # labels as integer codes: comparing object arrays is slow
        _, codes = np.unique(np.concatenate([y, a, b]), return_inverse=True)
        y, a, b = codes[:n], codes[n : 2 * n], codes[2 * n :]
    full_a, full_b = fn(y, a, b, np.arange(n)[None, :])
    rng = np.random.default_rng(seed)
    diffs = np.empty(n_resamples)
    for start in range(0, n_resamples, _CHUNK):
        stop = min(start + _CHUNK, n_resamples)
        idx = rng.integers(0, n, size=(stop - start, n))
        sa, sb = fn(y, a, b, idx)
        diffs[start:stop] = sa - sb
    finite = diffs[np.isfinite(diffs)]
    alpha = 1.0 - confidence
    low, high = np.percentile(finite, [100 * alpha / 2, 100 * (1 - alpha / 2)])
    return {
        "difference": float(full_a[0] - full_b[0]),
        "low": float(low),
        "high": float(high),
        "confidence": float(confidence),
        "n_resamples": int(n_resamples),
    }


def _score(metric: str, y: np.ndarray, pred: np.ndarray) -> float:
    from ..metrics import accuracy_score, r2_score

    if metric == "accuracy":
        return float(accuracy_score(y, pred))
    return float(r2_score(y, pred))


def _meta_features(members: list[dict[str, Any]], clf: bool, n_classes: int) -> np.ndarray:
    """Stacking inputs from out-of-fold predictions, shape (n_samples, n_meta)."""
    cols = []
    for m in members:
        if clf:
            p = np.asarray(m["oof_proba"], dtype=np.float64)
            cols.append(p[:, 1:] if n_classes == 2 else p)
        else:
            cols.append(np.asarray(m["oof_pred"], dtype=np.float64)[:, None])
    return np.hstack(cols)


def _voting(members, y, folds, classes, metric):
    clf = classes is not None
    if clf:
        proba = np.mean([np.asarray(m["oof_proba"], dtype=np.float64) for m in members], axis=0)
        pred = classes[np.argmax(proba, axis=1)]
    else:
        proba = None
        pred = np.mean([np.asarray(m["oof_pred"], dtype=np.float64) for m in members], axis=0)
    fold_scores = [_score(metric, y[test], pred[test]) for _, test in folds]
    train = []
    have = [m.get("train_folds") for m in members]
    if not all(have) or len({len(h) for h in have}) != 1:
        return pred, proba, fold_scores, train
    for parts in zip(*have, strict=True):
        rows = parts[0][0]
        if clf:
            p = np.mean([pt[2] for pt in parts], axis=0)
            train.append(_score(metric, y[rows], classes[np.argmax(p, axis=1)]))
        else:
            train.append(_score(metric, y[rows], np.mean([pt[1] for pt in parts], axis=0)))
    return pred, proba, fold_scores, train


def _stacking(members, y, folds, classes, metric, meta):
    clf = classes is not None
    Z = _meta_features(members, clf, 0 if classes is None else len(classes))
    n = len(y)
    pred = np.empty(n, dtype=y.dtype)
    proba = np.zeros((n, len(classes))) if clf else None
    fold_scores, train = [], []
    for train_idx, test in folds:
        model = clone(meta).fit(Z[train_idx], y[train_idx])
        pred[test] = model.predict(Z[test])
        if clf:
            cols = np.searchsorted(classes, model.classes_)
            proba[np.ix_(test, cols)] = model.predict_proba(Z[test])
        fold_scores.append(_score(metric, y[test], pred[test]))
        train.append(_score(metric, y[train_idx], model.predict(Z[train_idx])))
    return pred, proba, fold_scores, train


def fuse_models(
    models: list[dict[str, Any]],
    X: Any,
    y: Any,
    frame: dict[str, Any],
    *,
    cv: Any,
    seed: int,
    n_resamples: int = N_RESAMPLES,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Soft voting and stacking of the best models; keep one only if it clearly beats the best.

    Parameters
    ----------
    models : list of dict
        Model dicts from :func:`~lucidml.workflow.train.train_models`, best first, with
        ``oof_pred`` / ``oof_proba`` on the folds of ``cv``.
    X : pandas.DataFrame of shape (n_samples, n_columns)
        The raw features (used for the folds and by the returned unfitted pipeline).
    y : ndarray of shape (n_samples,)
        The target.
    frame : dict
        The framing section (``task``).
    cv : splitter
        The run's splitter; ``cv.split(X, y)`` must give the folds the models were scored on.
    seed : int
        Seed of the paired bootstrap.
    n_resamples : int, default=1000
        Bootstrap resamples.

    Returns
    -------
    final : dict
        The kept fusion, with the keys of a model dict (``pipeline`` an unfitted lucidml
        ``VotingClassifier(voting="soft")`` / ``VotingRegressor`` / ``StackingClassifier`` /
        ``StackingRegressor`` of the members' pipelines), or the best single model.
    section : dict
        JSON-ready: ``members``, ``best_single``, ``fusions`` (each with its score, the
        difference to the best single model and its interval, ``kept``), ``rule``,
        ``decision`` (a sentence) and ``final_model``.
    """
    if not models:
        raise WorkflowError("fuse_models needs at least one trained model.")
    task = frame.get("task")
    if task not in ("classification", "regression"):
        raise WorkflowError("fuse_models needs frame['task'] 'classification' or 'regression'.")
    clf = task == "classification"
    metric = "accuracy" if clf else "r2"
    y = np.asarray(y) if clf else np.asarray(y, dtype=np.float64)
    best = max(models, key=lambda m: m["cv_score"])  # the first of equals
    for m in models:
        if len(m["oof_pred"]) != len(y):
            raise WorkflowError(
                f"model {m['name']} has {len(m['oof_pred'])} out-of-fold predictions for "
                f"{len(y)} rows; fuse the models on the rows they were scored on."
            )
    members, families = [], set()
    for m in models:
        if m["family"] in families or (clf and m.get("oof_proba") is None):
            continue
        families.add(m["family"])
        members.append(m)
        if len(members) == MAX_MEMBERS:
            break
    rule = (
        "A fusion is kept only when the lower end of the 95% paired-bootstrap interval of "
        f"({metric} of the fusion - {metric} of the best single model), over {n_resamples} "
        "resamples of the out-of-fold predictions, is above 0."
    )
    section: dict[str, Any] = {
        "metric": metric,
        "members": [m["name"] for m in members],
        "best_single": {"name": best["name"], "cv_score": float(best["cv_score"])},
        "fusions": [],
        "rule": rule,
    }
    if len(members) < 2:
        section["decision"] = (
            f"Not fused: fewer than two models of different families; the final model is "
            f"{best['name']}."
        )
        section["final_model"] = best["name"]
        return best, section

    from ..ensemble import StackingClassifier, StackingRegressor, VotingClassifier, VotingRegressor
    from ..linear_model import LogisticRegression, Ridge

    folds = list(cv.split(X, y))
    classes = np.unique(y) if clf else None
    names = [m["name"] for m in members]
    joined = " + ".join(names)
    estimators = [(m["name"], clone(m["pipeline"])) for m in members]
    meta = LogisticRegression() if clf else Ridge()
    built = []
    v_pred, v_proba, v_scores, v_train = _voting(members, y, folds, classes, metric)
    built.append(
        {
            "name": f"{'soft voting' if clf else 'averaging'} of {joined}",
            "family": "voting",
            "params": {"members": names, "voting": "soft" if clf else "mean"},
            "pipeline": VotingClassifier(estimators, voting="soft")
            if clf
            else VotingRegressor(estimators),
            "oof_pred": v_pred,
            "oof_proba": v_proba,
            "fold_scores": v_scores,
            "train_scores": v_train,
        }
    )
    s_pred, s_proba, s_scores, s_train = _stacking(members, y, folds, classes, metric, meta)
    meta_name = type(meta).__name__
    built.append(
        {
            "name": f"stacking of {joined} ({meta_name} meta-model)",
            "family": "stacking",
            "params": {"members": names, "final_estimator": meta_name},
            "pipeline": (StackingClassifier if clf else StackingRegressor)(
                [(n, clone(p)) for n, p in estimators],
                final_estimator=clone(meta),
                cv=len(folds),  # an int: lucidml.persist cannot save splitter objects (yet)
            ),
            "oof_pred": s_pred,
            "oof_proba": s_proba,
            "fold_scores": s_scores,
            "train_scores": s_train,
        }
    )
    fit_seconds = float(sum(m["fit_seconds"] for m in members))
    finals = []
    for b in built:
        cv_score = float(np.mean(b["fold_scores"]))
        ci = paired_bootstrap(
            y, b["oof_pred"], best["oof_pred"], metric, seed=seed, n_resamples=n_resamples
        )
        final = {
            "name": b["name"],
            "family": b["family"],
            "params": b["params"],
            "pipeline": b["pipeline"],
            "cv_score": cv_score,
            "cv_std": float(np.std(b["fold_scores"])),
            "fold_scores": [float(s) for s in b["fold_scores"]],
            "train_score": float(np.mean(b["train_scores"])) if b["train_scores"] else None,
            "fit_seconds": fit_seconds,
            "oof_pred": b["oof_pred"],
            "oof_proba": b["oof_proba"],
        }
        finals.append((final, ci))
        section["fusions"].append(
            {
                "name": b["name"],
                "kind": b["family"],
                "cv_score": cv_score,
                "cv_std": final["cv_std"],
                "difference": ci["difference"],
                "low": ci["low"],
                "high": ci["high"],
                "confidence": ci["confidence"],
                "n_resamples": ci["n_resamples"],
                "passes": bool(ci["low"] > 0),
                "kept": False,
            }
        )
    passing = [i for i, (_, ci) in enumerate(finals) if ci["low"] > 0]
    if passing:
        keep = max(passing, key=lambda i: (finals[i][0]["cv_score"], -i))
        section["fusions"][keep]["kept"] = True
        final, ci = finals[keep]
        section["decision"] = (
            f"Kept {final['name']}: {metric} {final['cv_score']:.4f} vs {best['cv_score']:.4f} "
            f"for {best['name']}, difference {ci['difference']:+.4f} with 95% interval "
            f"[{ci['low']:+.4f}, {ci['high']:+.4f}], above 0."
        )
        section["final_model"] = final["name"]
        return final, section
    top, ci = max(finals, key=lambda fc: fc[0]["cv_score"])
    section["decision"] = (
        f"Not fused: the better fusion ({top['name']}, {metric} {top['cv_score']:.4f}) differs "
        f"from {best['name']} ({best['cv_score']:.4f}) by {ci['difference']:+.4f}, 95% interval "
        f"[{ci['low']:+.4f}, {ci['high']:+.4f}], which does not clear 0; the final model is "
        f"{best['name']}."
    )
    section["final_model"] = best["name"]
    return best, section
