"""Classification metrics computed from per-label confusion counts.

Every metric here reduces a pair of label vectors to a handful of counts, one ``np.bincount`` per
count, and then works on those counts only:

.. math::

    \\mathrm{TP}_k = \\sum_i w_i [y_i = k][\\hat y_i = k], \\qquad
    \\mathrm{P}_k = \\sum_i w_i [\\hat y_i = k], \\qquad
    \\mathrm{T}_k = \\sum_i w_i [y_i = k],

from which precision :math:`\\mathrm{TP}_k / \\mathrm{P}_k`, recall
:math:`\\mathrm{TP}_k / \\mathrm{T}_k`, the F-scores and their averages follow. Labels may be
integers, floats holding integers, booleans or strings; both label vectors are encoded together
into indices ``0 .. n_labels - 1`` over their sorted union, so no loop ever runs over samples.

Names, signatures and results follow scikit-learn's ``sklearn.metrics`` so that swapping the
import is enough.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from .._validation import _assert_all_finite, check_array, check_consistent_length

__all__ = [
    "UndefinedMetricWarning",
    "accuracy_score",
    "balanced_accuracy_score",
    "classification_report",
    "confusion_matrix",
    "f1_score",
    "fbeta_score",
    "log_loss",
    "precision_recall_fscore_support",
    "precision_score",
    "recall_score",
]

_AVERAGES = (None, "binary", "micro", "macro", "weighted")


class UndefinedMetricWarning(UserWarning):
    """Warning raised when a metric is undefined for the data given.

    For example precision when nothing was predicted positive (a division by zero), or ROC AUC
    when ``y_true`` holds a single class. The metric then returns the value chosen by
    ``zero_division`` (or NaN) instead of failing.
    """


# --------------------------------------------------------------------------------------------
# Target checks and label encoding
# --------------------------------------------------------------------------------------------


def _as_label_vector(y: Any, name: str) -> np.ndarray:
    """Turn ``y`` into a 1-D array (a column vector is raveled); refuse anything else."""
    if isinstance(y, (str, bytes)) or not (
        hasattr(y, "__len__") or hasattr(y, "shape") or hasattr(y, "__array__")
    ):
        raise ValueError(f"Expected array-like (array or non-string sequence), got {y!r}")
    if hasattr(y, "toarray") or hasattr(y, "tocsr"):
        raise TypeError(
            f"Sparse {name} was passed, but lucidml.metrics needs a dense 1-D array of labels. "
            f"Use {name}.toarray() first."
        )
    if hasattr(y, "to_numpy") and not isinstance(y, np.ndarray):
        y = y.to_numpy()
    try:
        arr = np.asarray(y)
    except ValueError as exc:
        raise ValueError(
            f"{name} could not be turned into an array of labels ({exc}); pass a 1-D sequence."
        ) from exc
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr.ravel()
    if arr.ndim == 0:
        raise ValueError(f"Expected array-like (array or non-string sequence), got {y!r}")
    if arr.ndim != 1:
        raise ValueError(
            f"{name} has shape {arr.shape}, but lucidml.metrics handles binary and multiclass "
            "targets given as 1-D arrays of labels; multilabel and multioutput targets are not "
            "supported."
        )
    return arr


def _label_kind(y: np.ndarray, name: str) -> tuple[np.ndarray, str]:
    """Classify a 1-D label vector as ``"str"``, ``"num"`` (discrete numbers) or ``"continuous"``.

    Object arrays of numbers are converted to a numeric array; NaN and infinity are refused;
    floats that are not all whole numbers are continuous.
    """
    kind = y.dtype.kind
    if kind in "US":
        return y, "str"
    if kind == "O":
        try:
            uniques = np.unique(y)
        except TypeError as exc:
            raise ValueError(
                f"Mix of label input types (string and number) in {name}: labels must be all "
                "strings or all numbers."
            ) from exc
        is_str = [isinstance(u, str) for u in uniques.tolist()]
        if is_str and all(is_str):
            return y, "str"
        if any(is_str):
            raise ValueError(
                f"Mix of label input types (string and number) in {name}: labels must be all "
                "strings or all numbers."
            )
        y = np.asarray(y.tolist())
        kind = y.dtype.kind
        if kind in "US":
            return y, "str"
    if kind == "c":
        raise ValueError(f"Complex data not supported in {name}.")
    if kind not in "biuf":
        raise ValueError(
            f"{name} has unsupported dtype {y.dtype}; labels must be integers, booleans, "
            "whole-number floats or strings."
        )
    if kind == "f":
        _assert_all_finite(y, name)
        if y.size and np.any(y != np.floor(y)):
            return y, "continuous"
    return y, "num"


def _check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray | None:
    """Return ``sample_weight`` as a finite 1-D numeric array of length ``n_samples`` (or None)."""
    if sample_weight is None:
        return None
    sw = check_array(
        sample_weight,
        ensure_2d=False,
        dtype="numeric",
        ensure_min_samples=0,
        input_name="sample_weight",
    )
    if sw.ndim != 1:
        raise ValueError("Sample weights must be 1D array or scalar")
    check_consistent_length(np.empty(n_samples), sw)
    return sw


def _check_targets(
    y_true: Any, y_pred: Any, sample_weight: Any = None
) -> tuple[str, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Validate a classification target pair and encode it over the union of its labels.

    Returns
    -------
    y_type : {"binary", "multiclass"}
        ``"binary"`` when the union holds at most two labels.
    labels : ndarray of shape (n_labels,)
        The sorted union of the labels of ``y_true`` and ``y_pred``.
    t, p : ndarray of shape (n_samples,)
        ``y_true`` and ``y_pred`` as indices into ``labels``.
    sample_weight : ndarray of shape (n_samples,) or None
    """
    yt = _as_label_vector(y_true, "y_true")
    yp = _as_label_vector(y_pred, "y_pred")
    check_consistent_length(yt, yp)
    if yt.shape[0] == 0:
        raise ValueError(
            "Found empty input array (e.g., `y_true` or `y_pred`) while a minimum of 1 sample "
            "is required."
        )
    sw = _check_sample_weight(sample_weight, yt.shape[0])
    yt, kind_t = _label_kind(yt, "y_true")
    yp, kind_p = _label_kind(yp, "y_pred")
    if "continuous" in (kind_t, kind_p):
        type_t = "continuous" if kind_t == "continuous" else _n_type(yt)
        type_p = "continuous" if kind_p == "continuous" else _n_type(yp)
        if type_t != type_p:
            raise ValueError(
                f"Classification metrics can't handle a mix of {type_t} and {type_p} targets"
            )
        raise ValueError(
            "continuous is not supported: classification metrics need class labels, but "
            "y_true and y_pred hold non-integer floats. Threshold scores into labels first, "
            "or use a regression metric."
        )
    if kind_t != kind_p:
        raise ValueError(
            "Mix of label input types (string and number): y_true holds "
            f"{'strings' if kind_t == 'str' else 'numbers'} and y_pred holds "
            f"{'strings' if kind_p == 'str' else 'numbers'}."
        )
    n = yt.shape[0]
    labels, inverse = np.unique(np.concatenate([yt, yp]), return_inverse=True)
    if kind_t == "str" and labels.dtype.kind == "O":
        labels = labels.astype(str)
    inverse = inverse.reshape(-1)
    y_type = "binary" if labels.shape[0] <= 2 else "multiclass"
    return y_type, labels, inverse[:n], inverse[n:], sw


def _n_type(y: np.ndarray) -> str:
    return "binary" if np.unique(y).shape[0] <= 2 else "multiclass"


def _label_positions(wanted: Any, present: np.ndarray) -> np.ndarray:
    """Index of each wanted label in ``present`` (``-1`` where absent).

    Labels are matched by value equality, as Python compares them (``1 == 1.0 == True``).
    The loop runs over labels, never over samples.
    """
    lookup = {v: i for i, v in enumerate(present.tolist())}
    wanted = np.asarray(wanted)
    return np.array([lookup.get(v, -1) for v in wanted.ravel().tolist()], dtype=np.intp)


def _encode_with(values: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Index of each value in the sorted ``classes`` (``-1`` where absent), by binary search."""
    if values.shape[0] == 0:
        return np.zeros(0, dtype=np.intp)
    try:
        pos = np.searchsorted(classes, values)
    except TypeError:  # strings against numbers: nothing matches
        return np.full(values.shape[0], -1, dtype=np.intp)
    pos = np.minimum(pos, classes.shape[0] - 1)
    return np.where(classes[pos] == values, pos, -1).astype(np.intp)


def _take_counts(counts: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``counts[positions]`` with zero where a position is ``-1`` (a label not in the data)."""
    padded = np.append(counts, np.zeros(1, dtype=counts.dtype))
    return padded[positions]


def _label_counts(
    t: np.ndarray, p: np.ndarray, n_labels: int, sw: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """True positives, predicted and true totals per label, each of shape (n_labels,)."""
    hit = t == p
    w_hit = None if sw is None else sw[hit]
    tp = np.bincount(t[hit], weights=w_hit, minlength=n_labels)
    pred = np.bincount(p, weights=sw, minlength=n_labels)
    true = np.bincount(t, weights=sw, minlength=n_labels)
    if sw is not None:
        # Totals as TP + FP and TP + FN, the way a 2x2-per-label confusion matrix adds them up;
        # with float weights this rounds exactly as scikit-learn does.
        pred = tp + (pred - tp)
        true = tp + (true - tp)
    return tp, pred, true


def _weighted_mean(values: np.ndarray, sw: np.ndarray | None) -> float:
    if sw is None:
        return float(np.mean(values))
    total = np.sum(sw)
    if total == 0:
        raise ValueError("sample_weight sums to zero, so the weighted average is undefined.")
    return float(np.sum(values * sw) / total)


# --------------------------------------------------------------------------------------------
# Accuracy and the confusion matrix
# --------------------------------------------------------------------------------------------


def accuracy_score(
    y_true: Any, y_pred: Any, *, normalize: bool = True, sample_weight: Any = None
) -> float:
    """Fraction (or weighted count) of samples whose predicted label equals the true one.

    .. math::

        \\mathrm{accuracy} = \\frac{\\sum_i w_i [\\hat y_i = y_i]}{\\sum_i w_i}

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (integers, booleans, whole-number floats or strings).
    y_pred : array-like of shape (n_samples,)
        Predicted labels, of the same kind as ``y_true``.
    normalize : bool, default=True
        Return the fraction; with False, the (weighted) number of correct predictions.
    sample_weight : array-like of shape (n_samples,), default=None
        Weight :math:`w_i` of each sample (ones when None).

    Returns
    -------
    float
        The accuracy, in :math:`[0, 1]` when ``normalize`` is True.

    Examples
    --------
    >>> from lucidml.metrics import accuracy_score
    >>> accuracy_score([0, 1, 2, 3], [0, 2, 1, 3])
    0.5
    """
    _, _, t, p, sw = _check_targets(y_true, y_pred, sample_weight)
    correct = (t == p).astype(np.float64)
    if not normalize:
        return float(np.sum(correct if sw is None else correct * sw))
    return _weighted_mean(correct, sw)


def confusion_matrix(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    sample_weight: Any = None,
    normalize: str | None = None,
) -> np.ndarray:
    """Confusion matrix: entry ``[i, j]`` counts samples of true label ``i`` predicted as ``j``.

    .. math::

        C_{ij} = \\sum_k w_k [y_k = \\ell_i][\\hat y_k = \\ell_j]

    computed with one ``np.bincount`` over the flat index :math:`i \\cdot L + j`.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    labels : array-like of shape (n_labels,), default=None
        Labels :math:`\\ell` indexing the rows and columns, in this order. Samples whose true or
        predicted label is not listed are left out. Default: the sorted union of both vectors.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights; integer weights keep an integer matrix.
    normalize : {"true", "pred", "all"}, default=None
        Divide by the row sums ("true"), the column sums ("pred") or the total ("all");
        0/0 becomes 0.

    Returns
    -------
    C : ndarray of shape (n_labels, n_labels)
        int64 without (or with integer) weights, float64 otherwise or when normalised.

    Examples
    --------
    >>> from lucidml.metrics import confusion_matrix
    >>> confusion_matrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2])
    array([[2, 0, 0],
           [0, 0, 1],
           [1, 0, 2]])
    """
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(
            f"normalize must be one of {{'true', 'pred', 'all', None}}, got {normalize!r}."
        )
    _, present, t, p, sw = _check_targets(y_true, y_pred, sample_weight)
    if labels is None:
        n_labels = present.shape[0]
    else:
        labels = np.asarray(labels)
        n_labels = labels.size
        if n_labels == 0:
            raise ValueError("'labels' should contain at least one label.")
        positions = _label_positions(labels, present)
        known = positions >= 0
        in_true = np.bincount(t, minlength=present.shape[0]) > 0
        if not np.any(in_true[positions[known]]):
            raise ValueError("At least one label specified must be in y_true")
        remap = np.full(present.shape[0], -1, dtype=np.intp)
        remap[positions[known]] = np.flatnonzero(known)
        t, p = remap[t], remap[p]
        keep = (t >= 0) & (p >= 0)
        if not np.all(keep):
            t, p = t[keep], p[keep]
            sw = None if sw is None else sw[keep]
    flat = t * n_labels + p
    cm = np.bincount(flat, weights=sw, minlength=n_labels * n_labels).reshape(n_labels, n_labels)
    if sw is not None and sw.dtype.kind in "iub":
        cm = cm.astype(np.int64)
    if normalize is not None:
        with np.errstate(all="ignore"):
            if normalize == "true":
                cm = cm / cm.sum(axis=1, keepdims=True)
            elif normalize == "pred":
                cm = cm / cm.sum(axis=0, keepdims=True)
            else:
                cm = cm / cm.sum()
        cm = np.nan_to_num(cm)
    if cm.shape == (1, 1):
        warnings.warn(
            "A single label was found in 'y_true' and 'y_pred'. For the confusion matrix to "
            "have the correct shape, use the 'labels' parameter to pass all known labels.",
            UserWarning,
            stacklevel=2,
        )
    return cm


def balanced_accuracy_score(
    y_true: Any, y_pred: Any, *, sample_weight: Any = None, adjusted: bool = False
) -> float:
    """Balanced accuracy: the mean of the per-class recalls.

    .. math::

        \\mathrm{BA} = \\frac{1}{K} \\sum_{k=1}^{K} \\frac{\\mathrm{TP}_k}{\\mathrm{T}_k},
        \\qquad
        \\mathrm{BA}_{\\text{adjusted}} = \\frac{\\mathrm{BA} - 1/K}{1 - 1/K}

    over the :math:`K` classes present in ``y_true`` (classes seen only in ``y_pred`` are
    dropped with a warning).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    adjusted : bool, default=False
        Rescale so that chance scores 0 and a perfect prediction 1.

    Returns
    -------
    float
        The balanced accuracy.
    """
    _, present, t, p, sw = _check_targets(y_true, y_pred, sample_weight)
    tp, _, true = _label_counts(t, p, present.shape[0], sw)
    seen = true != 0
    if not np.all(seen):
        warnings.warn("y_pred contains classes not in y_true", UserWarning, stacklevel=2)
    per_class = tp[seen] / true[seen]
    score = float(np.mean(per_class))
    if adjusted:
        chance = 1.0 / per_class.shape[0]
        with np.errstate(all="ignore"):
            score = float((np.float64(score) - chance) / np.float64(1.0 - chance))
    return score


# --------------------------------------------------------------------------------------------
# Precision, recall, F-scores
# --------------------------------------------------------------------------------------------


def _check_zero_division(zero_division: Any) -> float:
    """The value a 0/0 ratio takes: 0 for ``"warn"``, else 0, 1 or NaN as given."""
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
    elif isinstance(zero_division, numbers.Real):
        if np.isnan(zero_division):
            return np.nan
        if zero_division in (0, 1):
            return float(zero_division)
    raise ValueError(f"zero_division must be 'warn', 0, 1 or np.nan, got {zero_division!r}.")


def _warn_ill_defined(metric: str, modifier: str, n_results: int) -> None:
    where = "due to" if n_results == 1 else "in labels with"
    warnings.warn(
        f"{metric} is ill-defined and being set to 0.0 {where} no {modifier} samples. "
        "Use `zero_division` parameter to control this behavior.",
        UndefinedMetricWarning,
        stacklevel=4,
    )


def _safe_ratio(
    num: np.ndarray,
    den: np.ndarray,
    metric: str,
    modifier: str,
    warn_for: Any,
    zero_division: Any,
) -> np.ndarray:
    """``num / den`` elementwise, with the ``zero_division`` value wherever ``den == 0``."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    zero = den == 0
    out = np.divide(num, np.where(zero, 1.0, den))
    if np.any(zero):
        out[zero] = _check_zero_division(zero_division)
        if isinstance(zero_division, str) and metric.lower() in warn_for:
            _warn_ill_defined(metric, modifier, out.shape[0])
    return out


def _nan_average(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Weighted mean that skips NaN entries (and their weights); plain mean if weights sum to 0."""
    if values.shape[0] == 0:
        return float("nan")
    nan = np.isnan(values)
    if np.all(nan):
        return float("nan")
    values = values[~nan]
    if weights is None:
        return float(np.mean(values))
    weights = np.asarray(weights, dtype=np.float64)[~nan]
    total = np.sum(weights)
    if total == 0:
        return float(np.mean(values))
    return float(np.sum(values * weights) / total)


def _prf_from_counts(
    tp: np.ndarray,
    pred: np.ndarray,
    true: np.ndarray,
    *,
    beta: float,
    average: str | None,
    warn_for: Any,
    zero_division: Any,
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F-beta and support from per-label counts, averaged as asked."""
    if average == "micro":
        tp, pred, true = (np.atleast_1d(np.sum(a)) for a in (tp, pred, true))
    precision = _safe_ratio(tp, pred, "Precision", "predicted", warn_for, zero_division)
    recall = _safe_ratio(tp, true, "Recall", "true", warn_for, zero_division)
    if np.isposinf(beta):
        f_score = recall
    elif beta == 0:
        f_score = precision
    else:
        beta2 = beta**2
        tp64 = np.asarray(tp, dtype=np.float64)
        den = beta2 * np.asarray(true, dtype=np.float64) + np.asarray(pred, dtype=np.float64)
        f_score = _safe_ratio(
            (1 + beta2) * tp64, den, "F-score", "true nor predicted", warn_for, zero_division
        )
    if average is None:
        return precision, recall, f_score, true
    weights = true if average == "weighted" else None
    return (
        _nan_average(precision, weights),
        _nan_average(recall, weights),
        _nan_average(f_score, weights),
        None,
    )


def _check_average(average: Any) -> None:
    if average == "samples":
        raise ValueError(
            "Sample-based precision, recall, fscore is not meaningful outside multilabel "
            "classification, which lucidml.metrics does not support. See the accuracy_score "
            "instead."
        )
    if not (average is None or (isinstance(average, str) and average in _AVERAGES)):
        raise ValueError(
            f"average has to be one of (None, 'binary', 'micro', 'macro', 'weighted'), "
            f"got {average!r}."
        )


def _set_wise_counts(
    y_true: Any,
    y_pred: Any,
    labels: Any,
    pos_label: Any,
    average: str | None,
    sample_weight: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-label counts for the labels a set-wise metric scores (``[pos_label]`` for binary)."""
    _check_average(average)
    y_type, present, t, p, sw = _check_targets(y_true, y_pred, sample_weight)
    if average == "binary":
        if y_type != "binary":
            raise ValueError(
                f"Target is {y_type} but average='binary'. Please choose another average "
                "setting, one of [None, 'micro', 'macro', 'weighted']."
            )
        present_list = present.tolist()
        if pos_label not in present_list and len(present_list) >= 2:
            raise ValueError(
                f"pos_label={pos_label!r} is not a valid label. It should be one of {present}"
            )
        labels = [pos_label]
    elif pos_label not in (None, 1):
        warnings.warn(
            f"Note that pos_label (set to {pos_label!r}) is ignored when average != 'binary' "
            f"(got {average!r}). You may use labels=[pos_label] to specify a single positive "
            "class.",
            UserWarning,
            stacklevel=3,
        )
    tp, pred, true = _label_counts(t, p, present.shape[0], sw)
    if labels is not None:
        positions = _label_positions(labels, present)
        tp, pred, true = (_take_counts(a, positions) for a in (tp, pred, true))
    return tp, pred, true


def _check_beta(beta: Any) -> float:
    if not isinstance(beta, numbers.Real) or isinstance(beta, bool) or not beta >= 0:
        raise ValueError(f"beta must be a non-negative real number, got {beta!r}.")
    return float(beta)


def precision_recall_fscore_support(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float = 1.0,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = None,
    warn_for: Any = ("precision", "recall", "f-score"),
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> tuple[Any, Any, Any, Any]:
    """Precision, recall, F-beta score and support for each label, or averaged.

    With :math:`\\mathrm{TP}_k`, :math:`\\mathrm{P}_k` (predicted) and :math:`\\mathrm{T}_k`
    (true) the weighted counts of label :math:`k`:

    .. math::

        p_k = \\frac{\\mathrm{TP}_k}{\\mathrm{P}_k}, \\qquad
        r_k = \\frac{\\mathrm{TP}_k}{\\mathrm{T}_k}, \\qquad
        F_{\\beta,k} = \\frac{(1 + \\beta^2)\\,\\mathrm{TP}_k}
                             {\\beta^2\\,\\mathrm{T}_k + \\mathrm{P}_k}

    A ratio whose denominator is 0 takes the ``zero_division`` value. Averages: ``"micro"`` sums
    the counts over labels first; ``"macro"`` is the plain mean over labels; ``"weighted"``
    weights each label by its support :math:`\\mathrm{T}_k`; ``"binary"`` reports
    ``pos_label`` only.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    beta : float, default=1.0
        Weight of recall against precision; ``inf`` gives recall, 0 gives precision.
    labels : array-like of shape (n_labels,), default=None
        Labels to report, in this order; a label absent from the data has zero counts. With
        ``"micro"`` only these labels are summed. Ignored with ``average="binary"``.
    pos_label : int, float, bool or str, default=1
        The positive class for ``average="binary"``.
    average : {"binary", "micro", "macro", "weighted"} or None, default=None
        None returns one value per label.
    warn_for : tuple of str, default=("precision", "recall", "f-score")
        Which ill-defined metrics raise an :class:`UndefinedMetricWarning` (with "warn").
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    zero_division : {"warn", 0, 1, np.nan}, default="warn"
        Value of a 0/0 ratio; "warn" gives 0 and warns.

    Returns
    -------
    precision, recall, fbeta_score : float or ndarray of shape (n_labels,)
    support : ndarray of shape (n_labels,) or None
        :math:`\\mathrm{T}_k` per label; None when averaging.
    """
    _check_zero_division(zero_division)
    beta = _check_beta(beta)
    tp, pred, true = _set_wise_counts(y_true, y_pred, labels, pos_label, average, sample_weight)
    return _prf_from_counts(
        tp, pred, true, beta=beta, average=average, warn_for=warn_for, zero_division=zero_division
    )


def precision_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Precision: the fraction of predicted positives that are truly positive.

    .. math::

        p_k = \\frac{\\mathrm{TP}_k}{\\mathrm{TP}_k + \\mathrm{FP}_k}

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    labels, pos_label, average, sample_weight, zero_division
        As in :func:`precision_recall_fscore_support`; ``average`` defaults to "binary".

    Returns
    -------
    float or ndarray of shape (n_labels,)
        The precision (per label when ``average`` is None).
    """
    p, _, _, _ = precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("precision",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    return p


def recall_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """Recall: the fraction of true positives that were predicted positive.

    .. math::

        r_k = \\frac{\\mathrm{TP}_k}{\\mathrm{TP}_k + \\mathrm{FN}_k}

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    labels, pos_label, average, sample_weight, zero_division
        As in :func:`precision_recall_fscore_support`; ``average`` defaults to "binary".

    Returns
    -------
    float or ndarray of shape (n_labels,)
        The recall (per label when ``average`` is None).
    """
    _, r, _, _ = precision_recall_fscore_support(
        y_true,
        y_pred,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("recall",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    return r


def fbeta_score(
    y_true: Any,
    y_pred: Any,
    *,
    beta: float,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """F-beta score: the weighted harmonic mean of precision and recall.

    .. math::

        F_\\beta = \\frac{(1 + \\beta^2)\\,\\mathrm{TP}}
                        {(1 + \\beta^2)\\,\\mathrm{TP} + \\beta^2\\,\\mathrm{FN} + \\mathrm{FP}}

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    beta : float
        Recall counts ``beta`` times as much as precision.
    labels, pos_label, average, sample_weight, zero_division
        As in :func:`precision_recall_fscore_support`; ``average`` defaults to "binary".

    Returns
    -------
    float or ndarray of shape (n_labels,)
        The F-beta score (per label when ``average`` is None).
    """
    _, _, f, _ = precision_recall_fscore_support(
        y_true,
        y_pred,
        beta=beta,
        labels=labels,
        pos_label=pos_label,
        average=average,
        warn_for=("f-score",),
        sample_weight=sample_weight,
        zero_division=zero_division,
    )
    return f


def f1_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    sample_weight: Any = None,
    zero_division: Any = "warn",
) -> Any:
    """F1 score: the harmonic mean of precision and recall.

    .. math::

        F_1 = \\frac{2\\,\\mathrm{TP}}{2\\,\\mathrm{TP} + \\mathrm{FN} + \\mathrm{FP}}

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    labels, pos_label, average, sample_weight, zero_division
        As in :func:`precision_recall_fscore_support`; ``average`` defaults to "binary".

    Returns
    -------
    float or ndarray of shape (n_labels,)
        The F1 score (per label when ``average`` is None).

    Examples
    --------
    >>> from lucidml.metrics import f1_score
    >>> round(f1_score([0, 1, 2, 0, 1, 2], [0, 2, 1, 0, 0, 1], average="macro"), 4)
    0.2667
    """
    return fbeta_score(
        y_true,
        y_pred,
        beta=1.0,
        labels=labels,
        pos_label=pos_label,
        average=average,
        sample_weight=sample_weight,
        zero_division=zero_division,
    )


def classification_report(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Any = None,
    target_names: Any = None,
    sample_weight: Any = None,
    digits: int = 2,
    output_dict: bool = False,
    zero_division: Any = "warn",
) -> str | dict[str, Any]:
    """Per-label precision, recall, F1 and support, with their accuracy, macro and weighted rows.

    The "accuracy" row is the micro average, which equals accuracy when every label is reported;
    otherwise it is shown as "micro avg".

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        True and predicted labels.
    labels : array-like of shape (n_labels,), default=None
        Labels to report, in this order. Default: the sorted union of both vectors.
    target_names : list of str of length n_labels, default=None
        Display names of the labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    digits : int, default=2
        Decimals shown in the text table (the dict keeps full precision).
    output_dict : bool, default=False
        Return a dict ``{name: {"precision", "recall", "f1-score", "support"}}`` with
        ``"accuracy"`` as a float, instead of the text table.
    zero_division : {"warn", 0, 1, np.nan}, default="warn"
        Value of a 0/0 ratio.

    Returns
    -------
    str or dict
        The report.
    """
    _check_zero_division(zero_division)
    _, present, t, p, sw = _check_targets(y_true, y_pred, sample_weight)
    if labels is None:
        labels = present
        labels_given = False
    else:
        labels = np.asarray(labels)
        labels_given = True
    micro_is_accuracy = not labels_given or set(labels.tolist()) >= set(present.tolist())
    if target_names is not None and len(labels) != len(target_names):
        if labels_given:
            warnings.warn(
                f"labels size, {len(labels)}, does not match size of target_names, "
                f"{len(target_names)}",
                UserWarning,
                stacklevel=2,
            )
        else:
            raise ValueError(
                f"Number of classes, {len(labels)}, does not match size of target_names, "
                f"{len(target_names)}. Try specifying the labels parameter"
            )
    if target_names is None:
        target_names = [f"{label}" for label in labels.tolist()]
    else:
        target_names = list(target_names)

    counts = _label_counts(t, p, present.shape[0], sw)
    positions = _label_positions(labels, present)
    tp, pred, true = (_take_counts(a, positions) for a in counts)
    kw = {"beta": 1.0, "warn_for": ("precision", "recall", "f-score")}
    prec, rec, f1, support = _prf_from_counts(
        tp, pred, true, average=None, zero_division=zero_division, **kw
    )
    total_support = np.sum(support)
    headers = ["precision", "recall", "f1-score", "support"]
    summary = []
    for average in ("micro", "macro", "weighted"):
        name = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        ap, ar, af, _ = _prf_from_counts(
            tp, pred, true, average=average, zero_division=zero_division, **kw
        )
        summary.append((name, ap, ar, af))

    if output_dict:
        report: dict[str, Any] = {}
        for name, row in zip(target_names, zip(prec, rec, f1, support, strict=True), strict=False):
            report[name] = dict(zip(headers, (float(v) for v in row), strict=True))
        for name, ap, ar, af in summary:
            if name == "accuracy":
                report[name] = float(ap)
            else:
                values = (ap, ar, af, total_support)
                report[name] = dict(zip(headers, (float(v) for v in values), strict=True))
        return report

    width = max(max(len(n) for n in target_names), len("weighted avg"), digits)
    lines = [f"{'':>{width}} " + "".join(f" {h:>9}" for h in headers), ""]
    for name, *row, sup in zip(target_names, prec, rec, f1, support, strict=False):
        lines.append(_report_row(name, row, sup, width, digits))
    lines.append("")
    for name, ap, ar, af in summary:
        if name == "accuracy":
            lines.append(
                f"{name:>{width}} "
                + f" {'':>9}" * 2
                + f" {af:>9.{digits}f}"
                + f" {total_support:>9}"
            )
        else:
            lines.append(_report_row(name, (ap, ar, af), total_support, width, digits))
    return "\n".join(lines) + "\n"


def _report_row(name: str, values: Any, support: Any, width: int, digits: int) -> str:
    cells = "".join(f" {v:>9.{digits}f}" for v in values)
    return f"{name:>{width}} {cells} {support:>9}"


# --------------------------------------------------------------------------------------------
# Log loss
# --------------------------------------------------------------------------------------------


def log_loss(
    y_true: Any,
    y_proba: Any = None,
    *,
    normalize: bool = True,
    sample_weight: Any = None,
    labels: Any = None,
    y_pred: Any = None,
) -> float:
    """Log loss (cross-entropy) of predicted probabilities: the negative log-likelihood.

    .. math::

        L = -\\frac{1}{\\sum_i w_i} \\sum_i w_i \\log \\hat p_{i, y_i},
        \\qquad \\hat p \\leftarrow \\operatorname{clip}(\\hat p, \\varepsilon, 1 - \\varepsilon)

    with :math:`\\varepsilon` the machine epsilon of the probabilities' dtype. This is the
    Bernoulli (binary) or categorical maximum-likelihood loss of logistic regression
    (notes §9). Rows that do not sum to one are used as given, with a warning.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_proba : array-like of shape (n_samples,) or (n_samples, n_classes)
        Predicted probabilities, columns in the sorted order of the labels (as
        ``predict_proba`` returns them). A 1-D array (or one column) is the probability of the
        greater of two labels.
    normalize : bool, default=True
        Return the mean loss; with False, the (weighted) sum.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights :math:`w_i`.
    labels : array-like of shape (n_classes,), default=None
        All class labels, when ``y_true`` does not show every class.
    y_pred : array-like, default=None
        Older name of ``y_proba`` (scikit-learn before 1.9); give one or the other.

    Returns
    -------
    float
        The loss, :math:`\\ge 0`.
    """
    if y_pred is not None:
        if y_proba is not None:
            raise ValueError("Cannot use both `y_pred` and `y_proba`; `y_pred` is its old name.")
        y_proba = y_pred
    if y_proba is None:
        raise ValueError("log_loss needs the predicted probabilities y_proba.")
    proba = check_array(
        y_proba,
        ensure_2d=False,
        dtype=(np.float64, np.float32, np.float16),
        input_name="y_proba",
    )
    if proba.ndim > 2:
        raise ValueError(f"y_proba must be 1-D or 2-D, got shape {proba.shape}.")
    if np.max(proba) > 1:
        raise ValueError(f"y_prob contains values greater than 1: {np.max(proba)}")
    if np.min(proba) < 0:
        raise ValueError(f"y_prob contains values lower than 0: {np.min(proba)}")
    yt = _as_label_vector(y_true, "y_true")
    check_consistent_length(proba, yt, sample_weight)
    sw = _check_sample_weight(sample_weight, yt.shape[0])
    yt, kind = _label_kind(yt, "y_true")
    if kind == "continuous":
        raise ValueError(
            "Unknown label type: y_true holds continuous values; log_loss needs class labels."
        )

    if labels is not None:
        given = _as_label_vector(labels, "labels")
        classes = np.unique(given)
        if classes.shape != given.shape or np.any(classes != given):
            warnings.warn(
                f"Labels passed were {given.tolist()}. But this function assumes labels are "
                f"ordered lexicographically. Pass the ordered labels={classes.tolist()} and "
                "ensure that the columns of y_prob correspond to this ordering.",
                UserWarning,
                stacklevel=2,
            )
        positions = _encode_with(yt, classes)
        if np.any(positions < 0):
            missing = set(np.unique(yt[positions < 0]).tolist())
            raise ValueError(
                f"y_true contains values {missing} not belonging to the passed labels "
                f"{given.tolist()}."
            )
        if classes.shape[0] == 1:
            raise ValueError(
                f"The labels array needs to contain at least two labels, got {classes}."
            )
        index = positions
    else:
        classes, index = np.unique(yt, return_inverse=True)
        index = index.reshape(-1)
        if classes.shape[0] == 1:
            raise ValueError(
                f"y_true contains only one label ({classes[0]}). Please provide the list of all "
                "expected class labels explicitly through the labels argument."
            )

    if proba.ndim == 1:
        proba = proba[:, None]
    if proba.shape[1] == 1:
        proba = np.concatenate([1 - proba, proba], axis=1)
    eps = np.finfo(proba.dtype).eps
    row_sums = np.sum(proba, axis=1)
    if not np.all(np.isclose(row_sums, 1, rtol=np.sqrt(eps), atol=1e-8)):
        warnings.warn(
            "The y_prob values do not sum to one. Make sure to pass probabilities.",
            UserWarning,
            stacklevel=2,
        )
    if classes.shape[0] != proba.shape[1]:
        if labels is None:
            raise ValueError(
                f"y_true and y_prob contain different number of classes: {classes.shape[0]} "
                f"vs {proba.shape[1]}. Please provide the true labels explicitly through the "
                f"labels argument. Classes found in y_true: {classes}"
            )
        raise ValueError(
            "The number of classes in labels is different from that in y_prob. Classes found "
            f"in labels: {classes}"
        )
    picked = np.take_along_axis(proba, index[:, None], axis=1)[:, 0]
    loss = -np.log(np.clip(picked, eps, 1 - eps))
    if sw is None:
        return float(np.mean(loss) if normalize else np.sum(loss))
    dtype = np.result_type(loss.dtype, sw.dtype) if sw.dtype.kind == "f" else loss.dtype
    weighted = np.sum(loss.astype(dtype) * sw.astype(dtype))
    if not normalize:
        return float(weighted)
    total = np.sum(sw.astype(dtype))
    if total == 0:
        raise ValueError("sample_weight sums to zero, so the weighted average is undefined.")
    return float(weighted / total)
