"""Split criteria for CART: node impurity and the split score searched over candidate cuts.

Each criterion works on *sufficient statistics* that add up over samples, so the statistics of
every prefix of a sorted node are one ``cumsum`` away (notes §12.2, tree pruning builds on them):

- classification: per-class weighted counts ``S`` of shape ``(m, n_classes)`` and weights
  ``w = S.sum(1)``;
- regression: ``S = [w y]`` of shape ``(m, 1)`` and, for the impurity only, ``Q = w y^2``.

Impurities (:math:`p_k` is the weighted share of class :math:`k` in the node):

.. math::

    \\text{gini} = 1 - \\sum_k p_k^2, \\qquad
    \\text{entropy} = -\\sum_k p_k \\log_2 p_k, \\qquad
    \\text{squared error} = \\frac{\\sum w y^2}{\\sum w} - \\bar y^2 .

The information gain of a split of node :math:`t` (weight :math:`W_t`) into :math:`L, R` is

.. math::

    \\Delta I = I(t) - \\frac{W_L}{W_t} I(L) - \\frac{W_R}{W_t} I(R),

and, :math:`I(t)` being fixed for the node, maximising it is the same as maximising the cheaper
*proxy* :math:`-W_L I(L) - W_R I(R)` up to terms constant in the node, which is what
:func:`split_proxy` returns.

Every formula here is written with the plain operations ``+ - * /`` in a fixed order (sums over
classes run left to right, the logarithm is :func:`ln`, a polynomial), so that the optional
compiled tree builder (``lucidml.tree._compiled``), which repeats them in loops, gets bit-for-bit
the same numbers and therefore the same trees.
"""

from __future__ import annotations

import numpy as np

CLASSIFICATION_CRITERIA = ("gini", "entropy", "log_loss")
REGRESSION_CRITERIA = ("squared_error", "absolute_error")

LN2 = 0.6931471805599453
SQRT_HALF = 0.7071067811865476
# 2 / (2k + 1), k = 11 .. 0: ln(m) = 2 atanh(s) = sum_k 2 s^(2k+1) / (2k+1), s = (m-1)/(m+1).
LN_COEFS = tuple(2.0 / (2 * k + 1) for k in range(11, -1, -1))


def ln(a: np.ndarray) -> np.ndarray:
    """Natural logarithm of positive ``a`` from ``+ - * /`` only, accurate to a few ulp.

    With :math:`a = m\\,2^e`, :math:`m \\in [\\sqrt{1/2}, \\sqrt 2)`,
    :math:`\\ln a = e \\ln 2 + 2\\operatorname{atanh} s`, :math:`s = (m-1)/(m+1)`,
    :math:`|s| \\le 0.172`, and the atanh series is cut after the :math:`s^{23}` term. NumPy's own
    ``log`` is vectorised differently from the C library's, so this keeps the NumPy and the
    compiled tree builders in exact agreement.

    Parameters
    ----------
    a : ndarray
        Positive values.

    Returns
    -------
    ndarray
        :math:`\\ln a`, same shape as ``a``.
    """
    m, e = np.frexp(a)
    small = m < SQRT_HALF
    m = np.where(small, m * 2.0, m)
    e = np.where(small, e - 1, e)
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    p = np.full_like(s, LN_COEFS[0])
    for c in LN_COEFS[1:]:
        p = p * s2 + c
    return e * LN2 + s * p


def _xlogx(a: np.ndarray) -> np.ndarray:
    """Elementwise :math:`a \\ln a` with :math:`0 \\ln 0 = 0`; same shape as ``a``."""
    return a * ln(np.where(a > 0, a, 1.0))


def _row_sum(a: np.ndarray) -> np.ndarray:
    """Sum over the last axis, left to right (no pairwise summation), shape ``a.shape[:-1]``."""
    acc = a[..., 0].copy()
    for k in range(1, a.shape[-1]):
        acc = acc + a[..., k]
    return acc


def node_impurity(
    criterion: str, S: np.ndarray, w: np.ndarray, Q: np.ndarray | None = None
) -> np.ndarray:
    """Impurity of nodes from their summed statistics.

    Parameters
    ----------
    criterion : str
        ``"gini"``, ``"entropy"``/``"log_loss"`` or ``"squared_error"``.
    S : ndarray of shape (n_nodes, n_stats)
        Summed statistics per node (class weights, or :math:`\\sum w y`).
    w : ndarray of shape (n_nodes,)
        Total weight per node (positive).
    Q : ndarray of shape (n_nodes,), optional
        :math:`\\sum w y^2` per node; regression only.

    Returns
    -------
    ndarray of shape (n_nodes,)
        The impurity of each node.
    """
    w = np.where(w > 0, w, 1.0)
    if criterion == "gini":
        p = S / w[:, None]
        return 1.0 - _row_sum(p * p)
    if criterion in ("entropy", "log_loss"):
        p = S / w[:, None]
        return -_row_sum(_xlogx(p)) / LN2
    mean = S[:, 0] / w
    return np.maximum(Q / w - mean * mean, 0.0)


def split_proxy(
    criterion: str,
    left: np.ndarray,
    wl: np.ndarray,
    right: np.ndarray,
    wr: np.ndarray,
    table: np.ndarray | None = None,
) -> np.ndarray:
    """Score of candidate splits, larger is better: :math:`-W_L I(L) - W_R I(R)` up to a constant.

    .. math::

        \\text{gini: } \\frac{\\sum_k L_k^2}{W_L} + \\frac{\\sum_k R_k^2}{W_R}, \\quad
        \\text{entropy: } \\sum_k L_k \\ln \\frac{L_k}{W_L} + \\sum_k R_k \\ln \\frac{R_k}{W_R},
        \\quad \\text{squared error: } \\frac{(\\sum_L w y)^2}{W_L} + \\frac{(\\sum_R w y)^2}{W_R}.

    Parameters
    ----------
    criterion : str
        The criterion name.
    left, right : ndarray of shape (m, n_stats)
        Statistics of the left and right side of each candidate cut.
    wl, wr : ndarray of shape (m,)
        Weights of the two sides (zeros are tolerated; such cuts are masked by the caller).
    table : ndarray, optional
        ``xlogx(arange(N))`` when every statistic is a whole number below ``N`` (integer sample
        weights): the entropy terms are then looked up instead of computed, with the same values.

    Returns
    -------
    ndarray of shape (m,)
        The proxy score of each cut.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if criterion in ("entropy", "log_loss"):
            if table is not None:
                xl = table[np.clip(left, 0, None).astype(np.intp)]
                xr = table[np.clip(right, 0, None).astype(np.intp)]
                return (
                    _row_sum(xl)
                    - table[wl.astype(np.intp)]
                    + _row_sum(xr)
                    - table[np.clip(wr, 0, None).astype(np.intp)]
                )
            return _row_sum(_xlogx(left)) - _xlogx(wl) + _row_sum(_xlogx(right)) - _xlogx(wr)
        return _row_sum(left * left) / wl + _row_sum(right * right) / wr
