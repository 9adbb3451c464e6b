"""Bias–variance decomposition of a model's expected loss (notes §12.4).

Fit the model on :math:`R` bootstrap samples of the training set; on each test point
:math:`x_j` the rounds give predictions :math:`\\hat y_{rj}`.

Squared loss, with the main prediction :math:`\\bar y_j = \\frac1R \\sum_r \\hat y_{rj}`:

.. math::

    \\underbrace{\\frac1R\\sum_r (\\hat y_{rj} - y_j)^2}_{\\text{loss}}
    = \\underbrace{(\\bar y_j - y_j)^2}_{\\text{bias}^2}
    + \\underbrace{\\frac1R\\sum_r (\\hat y_{rj} - \\bar y_j)^2}_{\\text{variance}},

exactly, and averaged over the test points.

0-1 loss (Domingos, 2000), with the main prediction the mode :math:`\\tilde y_j` of the
:math:`\\hat y_{rj}`: :math:`\\text{bias}_j = [\\tilde y_j \\ne y_j]`,
:math:`\\text{variance}_j = \\frac1R\\sum_r [\\hat y_{rj} \\ne \\tilde y_j]`,
:math:`\\text{loss}_j = \\frac1R\\sum_r [\\hat y_{rj} \\ne y_j]`; for two classes
:math:`\\text{loss}_j = \\text{bias}_j + (1 - 2\\,\\text{bias}_j)\\,\\text{variance}_j`.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._validation import check_random_state, num_samples
from ..base import clone
from ._split import _index

__all__ = ["bias_variance_decomposition"]


def _mode_rows(preds: np.ndarray) -> np.ndarray:
    """Most frequent label of each column of ``preds`` (ties: the smallest label).

    preds : (n_rounds, n_test) -> (n_test,)
    """
    labels, codes = np.unique(preds, return_inverse=True)
    codes = codes.reshape(preds.shape)
    n_labels = labels.shape[0]
    counts = np.zeros((preds.shape[1], n_labels), dtype=np.int64)
    cols = np.broadcast_to(np.arange(preds.shape[1]), preds.shape)
    np.add.at(counts, (cols.ravel(), codes.ravel()), 1)
    return labels[np.argmax(counts, axis=1)]


def bias_variance_decomposition(
    estimator: Any,
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    loss: str = "squared",
    n_rounds: int = 50,
    random_state: Any = None,
) -> tuple[float, float, float]:
    """Expected loss, bias and variance of ``estimator`` estimated by bootstrap rounds.

    Parameters
    ----------
    estimator : estimator
        The model; a clone is fitted on each bootstrap sample of the training set.
    X_train : array-like of shape (n_train, n_features)
    y_train : array-like of shape (n_train,)
    X_test : array-like of shape (n_test, n_features)
    y_test : array-like of shape (n_test,)
    loss : {"squared", "0-1"}, default="squared"
        Squared error (regression) or 0-1 loss (classification, Domingos' definitions).
    n_rounds : int, default=50
        Number :math:`R` of bootstrap rounds.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the bootstrap samples.

    Returns
    -------
    expected_loss : float
        Mean over test points of the loss averaged over rounds.
    bias : float
        Mean bias: the squared bias :math:`(\\bar y_j - y_j)^2` for squared loss (so
        ``expected_loss == bias + variance``), :math:`[\\tilde y_j \\ne y_j]` for 0-1 loss.
    variance : float
        Mean variance of the predictions around the main prediction.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.linear_model import LinearRegression
    >>> from lucidml.model_selection import bias_variance_decomposition
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 2)); y = X @ [1.0, -2.0] + rng.normal(size=60)
    >>> loss, bias, var = bias_variance_decomposition(
    ...     LinearRegression(), X[:40], y[:40], X[40:], y[40:], n_rounds=10, random_state=0)
    """
    if loss not in ("squared", "0-1"):
        raise ValueError(f"loss must be 'squared' or '0-1', got {loss!r}.")
    if not isinstance(n_rounds, numbers.Integral) or isinstance(n_rounds, bool) or n_rounds < 1:
        raise ValueError(f"n_rounds must be a positive integer, got {n_rounds!r}.")
    n_train = num_samples(X_train)
    if n_train == 0:
        raise ValueError("Found array with 0 sample(s) while a minimum of 1 is required.")
    if num_samples(y_train) != n_train:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"[{n_train}, {num_samples(y_train)}]"
        )
    y_test = np.asarray(y_test.to_numpy() if hasattr(y_test, "to_numpy") else y_test)
    if y_test.ndim != 1 or y_test.shape[0] != num_samples(X_test):
        raise ValueError(
            f"y_test must have shape (n_test,) = ({num_samples(X_test)},); got {y_test.shape}."
        )
    rng = check_random_state(random_state)
    preds = None
    for r in range(n_rounds):  # a loop over rounds, each one fit
        idx = rng.integers(0, n_train, size=n_train)
        model = clone(estimator).fit(_index(X_train, idx), _index(y_train, idx))
        p = np.asarray(model.predict(X_test))
        if preds is None:
            preds = np.empty((n_rounds, p.shape[0]), dtype=p.dtype)
        preds[r] = p
    if loss == "squared":
        preds = preds.astype(np.float64)
        y = y_test.astype(np.float64)
        main = preds.mean(axis=0)
        expected_loss = np.mean((preds - y) ** 2)
        bias = np.mean((main - y) ** 2)
        variance = np.mean((preds - main) ** 2)
    else:
        main = _mode_rows(preds)
        expected_loss = np.mean(preds != y_test)
        bias = np.mean(main != y_test)
        variance = np.mean(preds != main)
    return float(expected_loss), float(bias), float(variance)
