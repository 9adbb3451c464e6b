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
"""

from __future__ import annotations

import numpy as np

CLASSIFICATION_CRITERIA = ("gini", "entropy", "log_loss")
REGRESSION_CRITERIA = ("squared_error",)


def _xlogx(a: np.ndarray) -> np.ndarray:
    """Elementwise :math:`a \\ln a` with :math:`0 \\ln 0 = 0`; same shape as ``a``."""
    return a * np.log(np.where(a > 0, a, 1.0))


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
        return 1.0 - np.einsum("ij,ij->i", p, p)
    if criterion in ("entropy", "log_loss"):
        p = S / w[:, None]
        return -_xlogx(p).sum(axis=1) / np.log(2.0)
    mean = S[:, 0] / w
    return np.maximum(Q / w - mean * mean, 0.0)


def split_proxy(
    criterion: str, left: np.ndarray, wl: np.ndarray, right: np.ndarray, wr: np.ndarray
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

    Returns
    -------
    ndarray of shape (m,)
        The proxy score of each cut.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if criterion in ("entropy", "log_loss"):
            return _xlogx(left).sum(axis=1) - _xlogx(wl) + _xlogx(right).sum(axis=1) - _xlogx(wr)
        if left.shape[1] == 1:
            sl, sr = left[:, 0], right[:, 0]
            return sl * sl / wl + sr * sr / wr
        return np.einsum("ij,ij->i", left, left) / wl + np.einsum("ij,ij->i", right, right) / wr
