"""Ranking metrics: the ROC curve, the area under a curve and ROC AUC.

ROC AUC is computed from ranks, as the Mann-Whitney statistic: the (weighted) probability that a
random positive scores above a random negative, ties counting one half,

.. math::

    \\mathrm{AUC} = \\frac{\\sum_{i \\in +} \\sum_{j \\in -} w_i w_j
        \\left([s_i > s_j] + \\tfrac12 [s_i = s_j]\\right)}{W_+ W_-}.

One stable sort groups equal scores; a cumulative sum of the negative weight below each group
then gives the numerator exactly, with no loop over samples. This equals the trapezoidal area
under the ROC curve. Names, signatures and results follow scikit-learn's.
"""

from __future__ import annotations

import warnings
from itertools import combinations
from typing import Any

import numpy as np

from .._validation import check_array, check_consistent_length, column_or_1d
from ._classification import (
    UndefinedMetricWarning,
    _as_label_vector,
    _check_sample_weight,
    _encode_with,
    _label_kind,
)

__all__ = ["auc", "roc_auc_score", "roc_curve"]


def auc(x: Any, y: Any) -> float:
    """Area under a curve given by points, with the trapezoidal rule.

    .. math::

        A = \\sum_{k=1}^{n-1} (x_{k+1} - x_k) \\, \\frac{y_{k+1} + y_k}{2}

    ``x`` must be monotonic; a decreasing ``x`` gives the same (positive) area as the
    increasing one.

    Parameters
    ----------
    x : array-like of shape (n_points,)
        Abscissae, increasing or decreasing (e.g. the false positive rates of :func:`roc_curve`).
    y : array-like of shape (n_points,)
        Ordinates.

    Returns
    -------
    float
        The area.
    """
    check_consistent_length(x, y)
    x = column_or_1d(x, input_name="x")
    y = column_or_1d(y, input_name="y")
    if x.shape[0] < 2:
        raise ValueError(
            f"At least 2 points are needed to compute area under curve, but x.shape = {x.shape[0]}"
        )
    dx = np.diff(x)
    direction = 1.0
    if np.any(dx < 0):
        if np.all(dx <= 0):
            direction = -1.0
        else:
            raise ValueError(f"x is neither increasing nor decreasing : {x}.")
    area = np.sum(dx * (y[1:] + y[:-1]) / 2.0)
    return float(direction * area)


def _binary_target(y_true: Any, pos_label: Any) -> np.ndarray:
    """Boolean mask of the positive class; ``pos_label`` None means 1 for {0, 1} or {-1, 1}."""
    y = _as_label_vector(y_true, "y_true")
    y, kind = _label_kind(y, "y_true")
    classes = np.unique(y)
    if kind == "continuous" or (classes.shape[0] > 2 and pos_label is None):
        y_type = "continuous" if kind == "continuous" else "multiclass"
        raise ValueError(f"{y_type} format is not supported")
    if pos_label is None:
        valid = kind == "num" and any(
            classes.shape == np.asarray(ok).shape and np.all(classes == np.asarray(ok))
            for ok in ([0, 1], [-1, 1], [0], [-1], [1])
        )
        if not valid:
            shown = ", ".join(repr(c) for c in classes.tolist())
            raise ValueError(
                f"y_true takes value in {{{shown}}} and pos_label is not specified: either make "
                "y_true take value in {0, 1} or {-1, 1} or pass pos_label explicitly."
            )
        pos_label = 1
    return _encode_with(y, np.asarray([pos_label])) == 0


def _sorted_thresholds(
    pos: np.ndarray, score: np.ndarray, sw: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cumulative true and false positives at each distinct score, from the highest down.

    Returns
    -------
    tps, fps : ndarray of shape (n_thresholds,)
        Weight of positives and negatives scoring at least each threshold.
    thresholds : ndarray of shape (n_thresholds,)
        The distinct scores, decreasing.
    """
    if sw is not None:
        keep = sw != 0
        pos, score, sw = pos[keep], score[keep], sw[keep]
    # decreasing scores; the order inside a run of equal scores does not matter, since only
    # the cumulative sums at the end of each run are kept
    order = np.argsort(score, kind="stable")[::-1]
    score = score[order]
    pos = pos[order].astype(np.float64)
    last_of_group = np.r_[np.flatnonzero(np.diff(score)), score.shape[0] - 1]
    weight = 1.0 if sw is None else sw[order].astype(np.float64)
    tps = np.cumsum(pos * weight)[last_of_group]
    if sw is None:
        fps = 1 + last_of_group - tps
    else:
        fps = np.cumsum((1 - pos) * weight)[last_of_group]
    return tps, fps, score[last_of_group]


def roc_curve(
    y_true: Any,
    y_score: Any,
    *,
    pos_label: Any = None,
    sample_weight: Any = None,
    drop_intermediate: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Receiver operating characteristic: true against false positive rate at every threshold.

    .. math::

        \\mathrm{TPR}(t) = \\frac{\\sum_{i \\in +} w_i [s_i \\ge t]}{W_+}, \\qquad
        \\mathrm{FPR}(t) = \\frac{\\sum_{i \\in -} w_i [s_i \\ge t]}{W_-}

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True binary labels. Without ``pos_label`` they must be {0, 1} or {-1, 1}.
    y_score : array-like of shape (n_samples,)
        Scores, greater meaning more positive (probabilities or decision values).
    pos_label : int, float, bool or str, default=None
        The positive class.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights; samples of weight 0 are left out.
    drop_intermediate : bool, default=True
        Drop thresholds that lie on a straight segment of the curve (they change no area).

    Returns
    -------
    fpr, tpr : ndarray of shape (n_thresholds + 1,)
        Increasing rates, starting at 0.
    thresholds : ndarray of shape (n_thresholds + 1,)
        Decreasing thresholds, the first being ``inf``.
    """
    pos = _binary_target(y_true, pos_label)
    score = column_or_1d(
        check_array(y_score, ensure_2d=False, input_name="y_score"), input_name="y_score"
    )
    check_consistent_length(pos, score, sample_weight)
    sw = _check_sample_weight(sample_weight, pos.shape[0])
    tps, fps, thresholds = _sorted_thresholds(pos, score, sw)
    if drop_intermediate and fps.shape[0] > 2:
        bend = np.logical_or(np.diff(fps, 2), np.diff(tps, 2))
        keep = np.flatnonzero(np.r_[True, bend, True])
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    tps = np.r_[0.0, tps]
    fps = np.r_[0.0, fps]
    thresholds = np.r_[np.inf, thresholds.astype(np.float64)]
    if fps[-1] <= 0:
        warnings.warn(
            "No negative samples in y_true, false positive value should be meaningless",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        fpr = np.full(fps.shape, np.nan)
    else:
        fpr = fps / fps[-1]
    if tps[-1] <= 0:
        warnings.warn(
            "No positive samples in y_true, true positive value should be meaningless",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        tpr = np.full(tps.shape, np.nan)
    else:
        tpr = tps / tps[-1]
    return fpr, tpr, thresholds


def _binary_auc(
    pos: np.ndarray, score: np.ndarray, sw: np.ndarray | None, max_fpr: float | None = None
) -> float:
    """ROC AUC of one binary problem from ranks (ties count one half); NaN with one class."""
    if max_fpr is not None and max_fpr != 1:
        return _partial_auc(pos, score, sw, max_fpr)
    w = np.ones(pos.shape[0]) if sw is None else np.asarray(sw, dtype=np.float64)
    w_pos_all = np.sum(w[pos])
    w_neg_all = np.sum(w[~pos])
    if np.all(pos) or not np.any(pos) or w_pos_all <= 0 or w_neg_all <= 0:
        warnings.warn(
            "Only one class is present in y_true. ROC AUC score is not defined in that case.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return float("nan")
    order = np.argsort(score, kind="stable")
    s = score[order]
    p = pos[order]
    w = w[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    w_pos = np.add.reduceat(np.where(p, w, 0.0), starts)
    w_neg = np.add.reduceat(np.where(p, 0.0, w), starts)
    neg_below = np.cumsum(w_neg) - w_neg
    return float(np.sum(w_pos * (neg_below + 0.5 * w_neg)) / (w_pos_all * w_neg_all))


def _partial_auc(
    pos: np.ndarray, score: np.ndarray, sw: np.ndarray | None, max_fpr: float
) -> float:
    """McClish-standardised area under the ROC curve up to ``max_fpr``."""
    if not 0 < max_fpr <= 1:
        raise ValueError(f"Expected max_fpr in range (0, 1], got: {max_fpr!r}")
    if np.all(pos) or not np.any(pos):
        warnings.warn(
            "Only one class is present in y_true. ROC AUC score is not defined in that case.",
            UndefinedMetricWarning,
            stacklevel=3,
        )
        return float("nan")
    fpr, tpr, _ = roc_curve(pos.astype(np.int64), score, sample_weight=sw)
    stop = np.searchsorted(fpr, max_fpr, "right")
    tpr_cut = np.interp(max_fpr, fpr[stop - 1 : stop + 1], tpr[stop - 1 : stop + 1])
    area = auc(np.r_[fpr[:stop], max_fpr], np.r_[tpr[:stop], tpr_cut])
    min_area = 0.5 * max_fpr**2
    return float(0.5 * (1 + (area - min_area) / (max_fpr - min_area)))


def roc_auc_score(
    y_true: Any,
    y_score: Any,
    *,
    average: str | None = "macro",
    sample_weight: Any = None,
    max_fpr: float | None = None,
    multi_class: str = "raise",
    labels: Any = None,
) -> Any:
    """Area under the ROC curve, from ranks with ties handled exactly.

    Binary: the Mann-Whitney form in the module docstring, the greater label being positive.
    Multiclass (``y_score`` of shape (n_samples, n_classes), rows summing to 1):

    .. math::

        \\text{ovr: } \\frac{1}{K} \\sum_k \\mathrm{AUC}(k \\text{ vs rest}), \\qquad
        \\text{ovo: } \\frac{2}{K(K-1)} \\sum_{a<b}
            \\frac{\\mathrm{AUC}(a | a, b) + \\mathrm{AUC}(b | a, b)}{2}

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples,) or (n_samples, n_classes)
        Binary: the score of the greater label. Multiclass: probabilities, one column per
        class in sorted label order.
    average : {"macro", "weighted", "micro"} or None, default="macro"
        Multiclass averaging: mean over classes, support-weighted mean, the AUC of the
        flattened one-vs-rest problem ("micro", ovr only), or the per-class values (None, ovr
        only). Ignored for binary targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights (not with ovo).
    max_fpr : float in (0, 1], default=None
        Binary only: standardised partial AUC up to this false positive rate.
    multi_class : {"raise", "ovr", "ovo"}, default="raise"
        Multiclass scheme; "raise" refuses multiclass targets.
    labels : array-like of shape (n_classes,), default=None
        Multiclass: the sorted labels indexing the columns of ``y_score``.

    Returns
    -------
    float or ndarray of shape (n_classes,)
        The AUC (NaN, with a warning, when ``y_true`` holds one class).
    """
    y = _as_label_vector(y_true, "y_true")
    y, kind = _label_kind(y, "y_true")
    if kind == "continuous":
        raise ValueError("continuous format is not supported")
    score = check_array(y_score, ensure_2d=False, input_name="y_score")
    check_consistent_length(y, score, sample_weight)
    sw = _check_sample_weight(sample_weight, y.shape[0])
    if sw is not None:
        sw = sw.astype(np.float64)
    classes_true = np.unique(y)
    multiclass = classes_true.shape[0] > 2 or (score.ndim == 2 and score.shape[1] > 2)
    if multiclass:
        if max_fpr is not None and max_fpr != 1.0:
            raise ValueError(
                "Partial AUC computation not available in multiclass setting, 'max_fpr' must be "
                f"set to `None`, received `max_fpr={max_fpr}` instead"
            )
        if multi_class == "raise":
            raise ValueError("multi_class must be in ('ovo', 'ovr')")
        return _multiclass_auc(y, score, labels, multi_class, average, sw)
    if average not in (None, "micro", "macro", "weighted", "samples"):
        raise ValueError("average has to be one of (None, 'micro', 'macro', 'weighted', 'samples')")
    if score.ndim == 2 and score.shape[1] == 1:
        score = score[:, 0]
    if score.ndim != 1:
        raise ValueError(
            f"y_score has shape {score.shape}, but a binary y_true needs 1-D scores: those of "
            "the greater label, e.g. predict_proba(X)[:, 1]."
        )
    pos = y == classes_true[-1]
    return _binary_auc(pos, score, sw, max_fpr)


def _multiclass_auc(
    y: np.ndarray,
    score: np.ndarray,
    labels: Any,
    multi_class: str,
    average: str | None,
    sw: np.ndarray | None,
) -> Any:
    if score.ndim != 2:
        raise ValueError(
            "`y_score` needs to be of shape `(n_samples, n_classes)`, since `y_true` contains "
            f"multiple classes. Got `y_score.shape={score.shape}`."
        )
    if not np.allclose(1, score.sum(axis=1)):
        raise ValueError(
            "Target scores need to be probabilities for multiclass roc_auc, i.e. they should "
            "sum up to 1.0 over classes"
        )
    options = ("macro", "weighted", None)
    if multi_class == "ovr":
        options = ("micro",) + options
    if average not in options:
        raise ValueError(f"average must be one of {options} for multiclass problems")
    if multi_class not in ("ovo", "ovr"):
        raise ValueError(
            f"multi_class='{multi_class}' is not supported for multiclass ROC AUC, multi_class "
            "must be in ('ovo', 'ovr')"
        )
    if average is None and multi_class == "ovo":
        raise NotImplementedError("average=None is not implemented for multi_class='ovo'.")
    if labels is not None:
        given = column_or_1d(labels, input_name="labels")
        classes = np.unique(given)
        if classes.shape[0] != given.shape[0]:
            raise ValueError("Parameter 'labels' must be unique")
        if not np.array_equal(classes, given):
            raise ValueError("Parameter 'labels' must be ordered")
        if classes.shape[0] != score.shape[1]:
            raise ValueError(
                f"Number of given labels, {classes.shape[0]}, not equal to the number of "
                f"columns in 'y_score', {score.shape[1]}"
            )
        index = _encode_with(y, classes)
        if np.any(index < 0):
            raise ValueError("'y_true' contains labels not in parameter 'labels'")
    else:
        classes, index = np.unique(y, return_inverse=True)
        index = index.reshape(-1)
        if classes.shape[0] != score.shape[1]:
            raise ValueError(
                "Number of classes in y_true not equal to the number of columns in 'y_score'"
            )
    n_classes = classes.shape[0]

    if multi_class == "ovo":
        if sw is not None:
            raise ValueError(
                "sample_weight is not supported for multiclass one-vs-one ROC AUC, "
                "'sample_weight' must be None in this case."
            )
        present = np.unique(index)
        pairs = list(combinations(present.tolist(), 2))
        pair_scores = np.empty(len(pairs))
        prevalence = np.empty(len(pairs))
        for k, (a, b) in enumerate(pairs):
            is_a = index == a
            both = is_a | (index == b)
            prevalence[k] = np.mean(both)
            a_true = is_a[both]
            auc_a = _binary_auc(a_true, score[both, a], None)
            auc_b = _binary_auc(~a_true, score[both, b], None)
            pair_scores[k] = (auc_a + auc_b) / 2
        if average == "weighted":
            return float(np.sum(pair_scores * prevalence) / np.sum(prevalence))
        return float(np.mean(pair_scores))

    onehot = index[:, None] == np.arange(n_classes)
    if average == "micro":
        w = None if sw is None else np.repeat(sw, n_classes)
        return _binary_auc(onehot.ravel(), score.ravel(), w)
    per_class = np.array([_binary_auc(onehot[:, k], score[:, k], sw) for k in range(n_classes)])
    if average is None:
        return per_class
    if average == "weighted":
        support = np.sum(onehot * (1.0 if sw is None else sw[:, None]), axis=0)
        if np.isclose(np.sum(support), 0.0):
            return 0.0
        per_class[support == 0] = 0
        return float(np.sum(per_class * support) / np.sum(support))
    return float(np.mean(per_class))
