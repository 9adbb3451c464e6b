"""Regression metrics: squared and absolute errors, R² and explained variance.

Targets are ``(n_samples,)`` or ``(n_samples, n_outputs)``; every metric is computed per output
(a weighted mean down axis 0) and the outputs are then combined as ``multioutput`` says:
``"raw_values"`` (one value per output), ``"uniform_average"`` (their mean) or an array of
output weights. Computations run in the floating dtype of the inputs (float64 unless every
float input is float32). Names, signatures and results follow scikit-learn's.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._validation import check_array, check_consistent_length
from ._classification import UndefinedMetricWarning

__all__ = [
    "explained_variance_score",
    "mean_absolute_error",
    "mean_squared_error",
    "r2_score",
    "root_mean_squared_error",
]

_MULTIOUTPUT = ("raw_values", "uniform_average", "variance_weighted")


def _float_dtype(*arrays: Any) -> Any:
    floats = [a.dtype for a in arrays if hasattr(a, "dtype") and a.dtype.kind == "f"]
    return np.result_type(*floats) if floats else np.float64


def _check_reg_targets(
    y_true: Any,
    y_pred: Any,
    sample_weight: Any,
    multioutput: Any,
    *,
    allowed: tuple[str, ...] = _MULTIOUTPUT,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, Any]:
    """Validate a regression target pair as 2-D float arrays of matching shape.

    Returns
    -------
    y_true, y_pred : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
    multioutput : str or ndarray of shape (n_outputs,)
    """
    check_consistent_length(y_true, y_pred, sample_weight)
    y_true = check_array(y_true, ensure_2d=False, dtype="numeric", input_name="y_true")
    y_pred = check_array(y_pred, ensure_2d=False, dtype="numeric", input_name="y_pred")
    sw = None
    if sample_weight is not None:
        sw = check_array(
            sample_weight, ensure_2d=False, dtype="numeric", input_name="sample_weight"
        )
        if sw.ndim != 1:
            raise ValueError("Sample weights must be 1D array or scalar")
    dtype = _float_dtype(y_true, y_pred, sw)
    y_true = y_true.astype(dtype, copy=False)
    y_pred = y_pred.astype(dtype, copy=False)
    if sw is not None:
        sw = sw.astype(dtype, copy=False)
    if y_true.ndim == 1:
        y_true = y_true.reshape(-1, 1)
    if y_pred.ndim == 1:
        y_pred = y_pred.reshape(-1, 1)
    if y_true.shape[1] != y_pred.shape[1]:
        raise ValueError(
            "y_true and y_pred have different number of output "
            f"({y_true.shape[1]}!={y_pred.shape[1]})"
        )
    n_outputs = y_true.shape[1]
    if isinstance(multioutput, str):
        if multioutput not in allowed:
            raise ValueError(
                f"Allowed 'multioutput' string values are {allowed}. "
                f"You provided multioutput={multioutput!r}"
            )
    elif multioutput is not None:
        multioutput = check_array(
            multioutput, ensure_2d=False, dtype="numeric", input_name="multioutput"
        )
        if n_outputs == 1:
            raise ValueError("Custom weights are useful only in multi-output cases.")
        if multioutput.ndim != 1 or multioutput.shape[0] != n_outputs:
            raise ValueError(
                f"There must be equally many custom weights ({multioutput.shape[0]}) as "
                f"outputs ({n_outputs})."
            )
    return y_true, y_pred, sw, multioutput


def _mean(a: np.ndarray, weights: np.ndarray | None, axis: int | None = 0) -> Any:
    """(Weighted) mean along ``axis``: :math:`\\sum_i w_i a_i / \\sum_i w_i`."""
    if weights is None:
        return np.mean(a, axis=axis)
    total = np.sum(weights)
    if total == 0:
        raise ValueError("Weights sum to zero, so the weighted average is undefined.")
    if axis is None or a.ndim == 1:
        return np.sum(a * weights) / total
    return np.sum(a * weights[:, None], axis=axis) / total


def _combine_outputs(per_output: np.ndarray, multioutput: Any) -> Any:
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return per_output
        return float(np.mean(per_output))
    return float(_mean(per_output, np.asarray(multioutput, dtype=per_output.dtype), axis=None))


def mean_squared_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Mean squared error.

    .. math::

        \\mathrm{MSE}_j = \\frac{\\sum_i w_i (y_{ij} - \\hat y_{ij})^2}{\\sum_i w_i}

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True targets.
    y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Predicted targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights :math:`w_i`.
    multioutput : {"raw_values", "uniform_average"} or array-like of shape (n_outputs,)
        How to combine the outputs; default "uniform_average".

    Returns
    -------
    float or ndarray of shape (n_outputs,)
        The error (one per output with "raw_values").
    """
    y_true, y_pred, sw, multioutput = _check_reg_targets(
        y_true, y_pred, sample_weight, multioutput, allowed=_MULTIOUTPUT[:2]
    )
    per_output = _mean((y_true - y_pred) ** 2, sw)
    return _combine_outputs(per_output, multioutput)


def root_mean_squared_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Root mean squared error, the square root of :func:`mean_squared_error` per output.

    .. math::

        \\mathrm{RMSE}_j = \\sqrt{\\frac{\\sum_i w_i (y_{ij} - \\hat y_{ij})^2}{\\sum_i w_i}}

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    multioutput : {"raw_values", "uniform_average"} or array-like of shape (n_outputs,)
        How to combine the per-output roots; default "uniform_average".

    Returns
    -------
    float or ndarray of shape (n_outputs,)
        The error (one per output with "raw_values").
    """
    y_true, y_pred, sw, multioutput = _check_reg_targets(
        y_true, y_pred, sample_weight, multioutput, allowed=_MULTIOUTPUT[:2]
    )
    per_output = np.sqrt(_mean((y_true - y_pred) ** 2, sw))
    return _combine_outputs(per_output, multioutput)


def mean_absolute_error(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
) -> Any:
    """Mean absolute error.

    .. math::

        \\mathrm{MAE}_j = \\frac{\\sum_i w_i \\lvert y_{ij} - \\hat y_{ij} \\rvert}{\\sum_i w_i}

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    multioutput : {"raw_values", "uniform_average"} or array-like of shape (n_outputs,)
        How to combine the outputs; default "uniform_average".

    Returns
    -------
    float or ndarray of shape (n_outputs,)
        The error (one per output with "raw_values").
    """
    y_true, y_pred, sw, multioutput = _check_reg_targets(
        y_true, y_pred, sample_weight, multioutput, allowed=_MULTIOUTPUT[:2]
    )
    per_output = _mean(np.abs(y_pred - y_true), sw)
    return _combine_outputs(per_output, multioutput)


def _fraction_explained(
    numerator: np.ndarray, denominator: np.ndarray, multioutput: Any, force_finite: bool
) -> Any:
    """:math:`1 - \\text{numerator} / \\text{denominator}` per output, then combined.

    With ``force_finite`` a constant target (zero denominator) scores 1.0 when predicted
    perfectly and 0.0 otherwise, instead of NaN or -inf.
    """
    nonzero_den = denominator != 0
    if force_finite:
        nonzero_num = numerator != 0
        scores = np.ones(numerator.shape[0], dtype=numerator.dtype)
        valid = nonzero_den & nonzero_num
        scores[valid] = 1 - numerator[valid] / denominator[valid]
        scores[nonzero_num & ~nonzero_den] = 0.0
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            scores = 1 - numerator / denominator
    if isinstance(multioutput, str):
        if multioutput == "raw_values":
            return scores
        if multioutput == "variance_weighted" and np.any(nonzero_den):
            return float(_mean(scores, denominator, axis=None))
        return float(np.mean(scores))
    return float(_mean(scores, np.asarray(multioutput, dtype=scores.dtype), axis=None))


def r2_score(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
    force_finite: bool = True,
) -> Any:
    """Coefficient of determination :math:`R^2`.

    .. math::

        R^2_j = 1 - \\frac{\\sum_i w_i (y_{ij} - \\hat y_{ij})^2}
                          {\\sum_i w_i (y_{ij} - \\bar y_j)^2},
        \\qquad \\bar y_j = \\frac{\\sum_i w_i y_{ij}}{\\sum_i w_i}

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    multioutput : {"raw_values", "uniform_average", "variance_weighted"} or array-like
        How to combine the outputs; "variance_weighted" weights each output by the
        denominator above. Default "uniform_average".
    force_finite : bool, default=True
        Score a constant ``y_true`` 1.0 (perfect) or 0.0 instead of NaN / -inf.

    Returns
    -------
    float or ndarray of shape (n_outputs,)
        The score, at most 1 (NaN with a warning for fewer than two samples).
    """
    y_true, y_pred, sw, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    if y_pred.shape[0] < 2:
        warnings.warn(
            "R^2 score is not well-defined with less than two samples.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return float("nan")
    weight = 1.0 if sw is None else sw[:, None]
    numerator = np.sum(weight * (y_true - y_pred) ** 2, axis=0)
    denominator = np.sum(weight * (y_true - _mean(y_true, sw)) ** 2, axis=0)
    return _fraction_explained(numerator, denominator, multioutput, force_finite)


def explained_variance_score(
    y_true: Any,
    y_pred: Any,
    *,
    sample_weight: Any = None,
    multioutput: Any = "uniform_average",
    force_finite: bool = True,
) -> Any:
    """Explained variance: :math:`R^2` that ignores a constant bias in the predictions.

    .. math::

        \\mathrm{EV}_j = 1 - \\frac{\\operatorname{Var}_w(y_j - \\hat y_j)}
                                    {\\operatorname{Var}_w(y_j)}

    with :math:`\\operatorname{Var}_w` the weighted (biased) variance.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_outputs)
        True and predicted targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.
    multioutput : {"raw_values", "uniform_average", "variance_weighted"} or array-like
        How to combine the outputs. Default "uniform_average".
    force_finite : bool, default=True
        Score a constant ``y_true`` 1.0 (perfect) or 0.0 instead of NaN / -inf.

    Returns
    -------
    float or ndarray of shape (n_outputs,)
        The score, at most 1.
    """
    y_true, y_pred, sw, multioutput = _check_reg_targets(y_true, y_pred, sample_weight, multioutput)
    residual = y_true - y_pred
    numerator = _mean((residual - _mean(residual, sw)) ** 2, sw)
    denominator = _mean((y_true - _mean(y_true, sw)) ** 2, sw)
    return _fraction_explained(numerator, denominator, multioutput, force_finite)
