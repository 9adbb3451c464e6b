"""CART decision trees grown level by level with vectorised split search, and their pruning.

Growth (pre-pruning by ``max_depth``, ``min_samples_split``, ``min_samples_leaf``,
``min_impurity_decrease``) processes all nodes of one depth at once: every feature's samples are
kept sorted by ``(node, x)``, so one ``cumsum`` of the criterion statistics gives the statistics
of every candidate cut of every node, and one ``reduceat`` picks each node's best cut. The sorted
orders are partitioned stably into the children, so sorting happens only once, at the root.

Post-pruning (notes §12.2): minimal cost-complexity pruning, which for a subtree :math:`T` trades
the weighted impurity of its leaves against their number,

.. math::

    R_\\alpha(T) = R(T) + \\alpha\\,|\\text{leaves}(T)|, \\qquad
    R(T) = \\sum_{t \\in \\text{leaves}(T)} \\frac{W_t}{W} I(t),

cutting the weakest link :math:`\\alpha_{\\text{eff}}(t) = (R(t) - R(T_t)) / (|\\text{leaves}(T_t)|
- 1)` first; and reduced-error pruning, which collapses a subtree into a leaf whenever that does not
increase the error on held-out data.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .._validation import (
    check_classification_targets,
    check_is_fitted,
    check_random_state,
    check_sample_weight,
    unique_labels,
)
from ..base import BaseEstimator, ClassifierMixin, RegressorMixin
from ._criteria import (
    CLASSIFICATION_CRITERIA,
    REGRESSION_CRITERIA,
    node_impurity,
    split_proxy,
)

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "Tree"]

_EPS = np.finfo(np.float64).eps
_FEATURE_THRESHOLD = 1e-7  # two float32 values closer than this are not separated
_TREE_FIELDS = (
    "children_left",
    "children_right",
    "feature",
    "threshold",
    "value",
    "impurity",
    "n_node_samples",
    "weighted_n_node_samples",
)


class Tree:
    """Read-only view of a fitted tree's flat arrays (scikit-learn's ``tree_`` layout).

    Node ``0`` is the root; children always have larger ids than their parent. A leaf has
    ``children_left == children_right == -1`` and ``feature == threshold == -2``.

    Attributes
    ----------
    children_left, children_right : ndarray of shape (node_count,)
        Ids of the children, ``-1`` for leaves.
    feature : ndarray of shape (node_count,)
        Feature tested at each node (``-2`` for leaves).
    threshold : ndarray of shape (node_count,)
        A sample goes left when ``x[feature] <= threshold``.
    value : ndarray of shape (node_count, 1, n_classes) or (node_count, 1, 1)
        Class fractions (classifier) or mean target (regressor) of each node.
    impurity, weighted_n_node_samples : ndarray of shape (node_count,)
        Impurity and total sample weight of each node.
    n_node_samples : ndarray of shape (node_count,)
        Number of training samples reaching each node.
    """

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        for name in _TREE_FIELDS:
            setattr(self, name, arrays[name])
        self.node_count = int(arrays["feature"].shape[0])
        self.n_leaves = int(np.sum(arrays["children_left"] == -1))
        self.max_depth = _depth(arrays["children_left"], arrays["children_right"])
        self.n_outputs = 1


def _depth(left: np.ndarray, right: np.ndarray) -> int:
    depth = np.zeros(left.shape[0], dtype=np.intp)
    for i in range(left.shape[0]):  # loop over nodes; parents come before children
        if left[i] != -1:
            depth[left[i]] = depth[right[i]] = depth[i] + 1
    return int(depth.max()) if depth.size else 0


# ------------------------------------------------------------------------------------------------
# growth


def _grow(
    Xt: np.ndarray,
    S: np.ndarray,
    W: np.ndarray,
    Q: np.ndarray | None,
    *,
    criterion: str,
    max_depth: int,
    min_samples_split: int,
    min_samples_leaf: int,
    min_impurity_decrease: float,
    min_weight_fraction_leaf: float,
    max_features: int,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Grow a CART tree breadth-first.

    Parameters
    ----------
    Xt : ndarray of shape (n_features, n_samples), float32
        Transposed features, so that each feature is contiguous.
    S : ndarray of shape (n_samples, n_stats)
        Per-sample criterion statistics (weighted one-hot classes, or :math:`w y`).
    W : ndarray of shape (n_samples,)
        Positive sample weights.
    Q : ndarray of shape (n_samples,) or None
        :math:`w y^2` for regression.

    Returns
    -------
    dict
        Flat node arrays: see :class:`Tree` (``value`` holds the summed statistics here).
    """
    n_features, n = Xt.shape
    K = S.shape[1]
    w_root = float(W.sum())
    msl = min_samples_leaf
    mwl = min_weight_fraction_leaf * w_root
    # Node records, appended level by level.
    stats_chunks: list[np.ndarray] = [S.sum(axis=0)[None]]
    w_chunks = [np.array([w_root])]
    q_chunks = [np.array([Q.sum()])] if Q is not None else []
    n_chunks = [np.array([n], dtype=np.intp)]
    imp_chunks = [
        node_impurity(criterion, stats_chunks[0], w_chunks[0], None if Q is None else q_chunks[0])
    ]
    split_parent: list[np.ndarray] = []
    split_feat: list[np.ndarray] = []
    split_thr: list[np.ndarray] = []
    n_nodes = 1

    def splittable(nn: np.ndarray, ww: np.ndarray, imp: np.ndarray, depth: int) -> np.ndarray:
        ok = (nn >= min_samples_split) & (nn >= 2 * msl) & (imp > _EPS) & (depth < max_depth)
        return ok & (ww >= 2 * mwl)

    # Active nodes of the current level: global ids, and their segments in the sorted orders.
    active = np.flatnonzero(splittable(n_chunks[0], w_chunks[0], imp_chunks[0], 0))
    order = [np.argsort(Xt[f], kind="stable") for f in range(n_features)]
    if active.size == 0:
        order = []
    seg_len = np.array([n], dtype=np.intp)
    seg_stats = stats_chunks[0]
    seg_w = w_chunks[0]
    seg_imp = imp_chunks[0]
    depth = 0
    feat_order = rng.permutation(n_features)
    while active.size:
        A = active.size
        m = int(seg_len.sum())
        seg_start = np.zeros(A, dtype=np.intp)
        np.cumsum(seg_len[:-1], out=seg_start[1:])
        seg_id = np.repeat(np.arange(A), seg_len)
        pos = np.arange(m) - seg_start[seg_id]
        n_left = pos + 1
        size_ok = (n_left >= msl) & (seg_len[seg_id] - n_left >= msl)
        if max_features < n_features:
            keys = rng.random((A, n_features))
            allowed = np.zeros((A, n_features), dtype=bool)
            np.put_along_axis(allowed, np.argsort(keys, axis=1)[:, :max_features], True, axis=1)
        best = np.full(A, -np.inf)
        best_feat = np.full(A, -1, dtype=np.intp)
        best_thr = np.zeros(A)
        cs_pad = np.zeros((m + 1, K))
        cw_pad = np.zeros(m + 1)
        arange_m = np.arange(m)
        for f in feat_order:
            idx = order[f]
            xs = Xt[f][idx]
            np.cumsum(S[idx], axis=0, out=cs_pad[1:])
            np.cumsum(W[idx], out=cw_pad[1:])
            base = cs_pad[seg_start]
            left = cs_pad[1:] - base[seg_id]
            right = seg_stats[seg_id] - left
            wl = cw_pad[1:] - cw_pad[seg_start][seg_id]
            wr = seg_w[seg_id] - wl
            valid = size_ok & (wl > 0) & (wr > 0) & (wl >= mwl) & (wr >= mwl)
            valid[:-1] &= xs[1:] > xs[:-1] + np.float32(_FEATURE_THRESHOLD)
            valid[-1] = False
            if max_features < n_features:
                valid &= allowed[seg_id, f]
            if not valid.any():
                continue
            proxy = split_proxy(criterion, left, wl, right, wr)
            proxy[~valid] = -np.inf
            seg_max = np.maximum.reduceat(proxy, seg_start)
            better = seg_max > best
            if not better.any():
                continue
            hit = proxy == seg_max[seg_id]
            first = np.minimum.reduceat(np.where(hit, arange_m, m), seg_start)
            fb = first[better]
            lo = xs[fb].astype(np.float64)
            hi = xs[fb + 1].astype(np.float64)
            thr = lo / 2.0 + hi / 2.0
            thr = np.where((thr == hi) | ~np.isfinite(thr), lo, thr)
            best[better] = seg_max[better]
            best_feat[better] = f
            best_thr[better] = thr

        # Route every active sample (in segment order of feature 0's layout) to a side.
        idx0 = order[0]
        has_split = best_feat >= 0
        bf = np.where(has_split, best_feat, 0)
        go_left = Xt[bf[seg_id], idx0] <= best_thr[seg_id]
        lcount = np.bincount(seg_id, weights=go_left, minlength=A).astype(np.intp)
        lw = np.bincount(seg_id, weights=W[idx0] * go_left, minlength=A)
        lstats = np.empty((A, K))
        for k in range(K):
            lstats[:, k] = np.bincount(seg_id, weights=S[idx0, k] * go_left, minlength=A)
        rstats = seg_stats - lstats
        rw = seg_w - lw
        rcount = seg_len - lcount
        if Q is not None:
            lq = np.bincount(seg_id, weights=Q[idx0] * go_left, minlength=A)
            rq = np.bincount(seg_id, weights=Q[idx0], minlength=A) - lq
        else:
            lq = rq = None
        limp = node_impurity(criterion, lstats, lw, lq)
        rimp = node_impurity(criterion, rstats, rw, rq)
        improvement = (seg_w / w_root) * (
            seg_imp - lw / seg_w * limp - rw / np.where(seg_w > 0, seg_w, 1.0) * rimp
        )
        accept = has_split & (lcount > 0) & (rcount > 0)
        accept &= improvement + _EPS >= min_impurity_decrease
        if not accept.any():
            break
        acc = np.flatnonzero(accept)
        J = acc.size
        left_ids = n_nodes + 2 * np.arange(J)
        split_parent.append(active[acc])
        split_feat.append(best_feat[acc])
        split_thr.append(best_thr[acc])
        # Children, interleaved left/right in parent order.
        c_stats = np.empty((2 * J, K))
        c_stats[0::2], c_stats[1::2] = lstats[acc], rstats[acc]
        c_w = np.empty(2 * J)
        c_w[0::2], c_w[1::2] = lw[acc], rw[acc]
        c_n = np.empty(2 * J, dtype=np.intp)
        c_n[0::2], c_n[1::2] = lcount[acc], rcount[acc]
        c_imp = np.empty(2 * J)
        c_imp[0::2], c_imp[1::2] = limp[acc], rimp[acc]
        stats_chunks.append(c_stats)
        w_chunks.append(c_w)
        n_chunks.append(c_n)
        imp_chunks.append(c_imp)
        if Q is not None:
            c_q = np.empty(2 * J)
            c_q[0::2], c_q[1::2] = lq[acc], rq[acc]
            q_chunks.append(c_q)
        n_nodes += 2 * J
        depth += 1

        # Next level: children that can still be split, and their sample layout.
        child_ok = splittable(c_n, c_w, c_imp, depth)
        if not child_ok.any():
            break
        # Local index of each (parent, side) among next-level segments, -1 when dropped.
        new_local = np.full(2 * J, -1, dtype=np.intp)
        new_local[child_ok] = np.arange(int(child_ok.sum()))
        parent_slot = np.full(A, -1, dtype=np.intp)
        parent_slot[acc] = np.arange(J)
        new_len = c_n[child_ok]
        new_start = np.zeros(new_len.size, dtype=np.intp)
        np.cumsum(new_len[:-1], out=new_start[1:])
        # Per-sample side and destination segment, in sample space.
        side_of = np.zeros(Xt.shape[1], dtype=np.int8)
        side_of[idx0] = ~go_left
        seg_of = np.full(Xt.shape[1], -1, dtype=np.intp)
        slot = parent_slot[seg_id]
        child = np.where(slot >= 0, 2 * slot + (~go_left), 0)
        seg_of[idx0] = np.where(slot >= 0, new_local[child], -1)
        total_new = int(new_len.sum())
        cl_pad = np.zeros(m + 1, dtype=np.intp)
        cr_pad = np.zeros(m + 1, dtype=np.intp)
        for f in range(n_features):
            idx = order[f]
            k = seg_of[idx]
            keep = k >= 0
            right_side = side_of[idx].astype(bool)
            isl = keep & ~right_side
            isr = keep & right_side
            np.cumsum(isl, out=cl_pad[1:])
            np.cumsum(isr, out=cr_pad[1:])
            rank = np.where(
                isl,
                cl_pad[1:] - cl_pad[seg_start][seg_id],
                cr_pad[1:] - cr_pad[seg_start][seg_id],
            )
            new_idx = np.empty(total_new, dtype=np.intp)
            new_idx[new_start[k[keep]] + rank[keep] - 1] = idx[keep]
            order[f] = new_idx
        active = (left_ids[:, None] + np.array([0, 1])).ravel()[child_ok]
        seg_len = new_len
        seg_stats = c_stats[child_ok]
        seg_w = c_w[child_ok]
        seg_imp = c_imp[child_ok]

    left_arr = np.full(n_nodes, -1, dtype=np.intp)
    right_arr = np.full(n_nodes, -1, dtype=np.intp)
    feature = np.full(n_nodes, -2, dtype=np.intp)
    threshold = np.full(n_nodes, -2.0)
    offset = 1
    for parents, feats, thrs in zip(split_parent, split_feat, split_thr, strict=True):
        J = parents.size
        left_arr[parents] = offset + 2 * np.arange(J)
        right_arr[parents] = offset + 2 * np.arange(J) + 1
        feature[parents] = feats
        threshold[parents] = thrs
        offset += 2 * J
    out = {
        "children_left": left_arr,
        "children_right": right_arr,
        "feature": feature,
        "threshold": threshold,
        "stats": np.concatenate(stats_chunks),
        "impurity": np.concatenate(imp_chunks),
        "n_node_samples": np.concatenate(n_chunks),
        "weighted_n_node_samples": np.concatenate(w_chunks),
    }
    return out


# ------------------------------------------------------------------------------------------------
# pruning


def _keep_after_collapse(arrays: dict[str, np.ndarray], collapse: np.ndarray) -> dict[str, Any]:
    """Turn the nodes flagged in ``collapse`` into leaves, drop their descendants, renumber.

    Parameters
    ----------
    arrays : dict
        Flat node arrays (see :class:`Tree`).
    collapse : ndarray of shape (node_count,), bool
        Internal nodes to turn into leaves.

    Returns
    -------
    dict
        The arrays of the pruned tree.
    """
    left, right = arrays["children_left"], arrays["children_right"]
    n = left.shape[0]
    keep = np.zeros(n, dtype=bool)
    keep[0] = True
    internal = (left != -1) & ~collapse
    for i in range(n):  # loop over nodes; parents precede children
        if keep[i] and internal[i]:
            keep[left[i]] = keep[right[i]] = True
    new_id = np.cumsum(keep) - 1
    out = {k: v[keep].copy() for k, v in arrays.items()}
    was_internal = internal[keep]
    out["children_left"] = np.where(was_internal, new_id[left[keep]], -1)
    out["children_right"] = np.where(was_internal, new_id[right[keep]], -1)
    out["feature"] = np.where(was_internal, out["feature"], -2)
    out["threshold"] = np.where(was_internal, out["threshold"], -2.0)
    return out


def _ccp_path(arrays: dict[str, np.ndarray], stop_alpha: float = np.inf) -> tuple[Any, ...]:
    """Weakest-link pruning: the sequence of effective alphas and total leaf impurities.

    .. math::

        \\alpha_{\\text{eff}}(t) = \\frac{R(t) - R(T_t)}{|\\text{leaves}(T_t)| - 1}, \\qquad
        R(t) = \\frac{W_t}{W} I(t).

    Parameters
    ----------
    arrays : dict
        Flat node arrays of a grown tree.
    stop_alpha : float
        Stop before pruning a link whose effective alpha exceeds this (``ccp_alpha``).

    Returns
    -------
    alphas : ndarray of shape (n_steps,)
        Effective alpha of each pruning step, starting at 0.
    impurities : ndarray of shape (n_steps,)
        :math:`R(T)` of the tree after each step.
    collapsed : ndarray of shape (node_count,), bool
        Nodes turned into leaves (when stopped at ``stop_alpha``).
    """
    left, right = arrays["children_left"], arrays["children_right"]
    wn = arrays["weighted_n_node_samples"]
    n = left.shape[0]
    r_node = wn / wn[0] * arrays["impurity"]
    parent = np.full(n, -1, dtype=np.intp)
    is_int = left != -1
    parent[left[is_int]] = np.flatnonzero(is_int)
    parent[right[is_int]] = np.flatnonzero(is_int)
    n_leaves = (~is_int).astype(np.intp)
    r_branch = np.where(is_int, 0.0, r_node)
    for i in range(n - 1, 0, -1):  # loop over nodes, children before parents
        n_leaves[parent[i]] += n_leaves[i]
        r_branch[parent[i]] += r_branch[i]
    candidate = is_int.copy()
    collapsed = np.zeros(n, dtype=bool)
    alphas, impurities = [0.0], [r_branch[0]]
    while candidate[0]:
        cand = np.flatnonzero(candidate)
        a = (r_node[cand] - r_branch[cand]) / (n_leaves[cand] - 1)
        j = int(np.argmin(a))
        alpha, node = float(a[j]), int(cand[j])
        if alpha > stop_alpha:
            break
        # Mark the whole subtree as no longer a candidate.
        stack = [node]
        while stack:
            t = stack.pop()
            candidate[t] = False
            if left[t] != -1:
                stack.extend((left[t], right[t]))
        collapsed[node] = True
        pruned = n_leaves[node] - 1
        n_leaves[node] = 1
        r_diff = r_node[node] - r_branch[node]
        r_branch[node] = r_node[node]
        t = parent[node]
        while t != -1:
            n_leaves[t] -= pruned
            r_branch[t] += r_diff
            t = parent[t]
        alphas.append(alpha)
        impurities.append(r_branch[0])
    return np.asarray(alphas), np.asarray(impurities), collapsed


# ------------------------------------------------------------------------------------------------
# estimators


def _check_int_or_frac(value: Any, name: str, low: int, n: int, frac_upper_open: bool) -> int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        if value < low:
            raise ValueError(
                f"The '{name}' parameter of the tree must be an int in the range [{low}, inf) "
                f"or a float in the range (0.0, 1.0{')' if frac_upper_open else ']'}. "
                f"Got {value!r} instead."
            )
        return int(value)
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        ok = 0.0 < value < 1.0 if frac_upper_open else 0.0 < value <= 1.0
        if not ok:
            raise ValueError(
                f"The '{name}' parameter of the tree must be a float in the range (0.0, 1.0"
                f"{')' if frac_upper_open else ']'} or an int >= {low}. Got {value!r} instead."
            )
        return max(low, int(np.ceil(value * n)))
    raise TypeError(f"The '{name}' parameter must be an int or a float, got {value!r}.")


class BaseDecisionTree(BaseEstimator):
    """Shared CART machinery: parameter checks, growth, traversal and pruning."""

    _criteria: tuple[str, ...] = ()

    # -- fitting ---------------------------------------------------------------------------------

    def _check_params(self, n_samples: int, n_features: int) -> dict[str, Any]:
        if self.criterion not in self._criteria:
            raise ValueError(
                f"The 'criterion' parameter of {type(self).__name__} must be a str among "
                f"{set(self._criteria)}. Got {self.criterion!r} instead."
            )
        md = self.max_depth
        if md is not None and (
            not isinstance(md, numbers.Integral) or isinstance(md, bool) or md < 1
        ):
            raise ValueError(f"max_depth must be None or an int >= 1, got {md!r}.")
        msl = _check_int_or_frac(self.min_samples_leaf, "min_samples_leaf", 1, n_samples, True)
        mss = _check_int_or_frac(self.min_samples_split, "min_samples_split", 2, n_samples, False)
        mid = self.min_impurity_decrease
        mwf = self.min_weight_fraction_leaf
        if not isinstance(mwf, numbers.Real) or not 0.0 <= mwf <= 0.5:
            raise ValueError(f"min_weight_fraction_leaf must be a float in [0, 0.5], got {mwf!r}.")
        if not isinstance(mid, numbers.Real) or mid < 0:
            raise ValueError(f"min_impurity_decrease must be a float >= 0, got {mid!r}.")
        ccp = self.ccp_alpha
        if not isinstance(ccp, numbers.Real) or ccp < 0:
            raise ValueError(f"ccp_alpha must be a float >= 0, got {ccp!r}.")
        if self.max_leaf_nodes is not None:
            raise ValueError(
                "max_leaf_nodes is not supported yet by lucidml's trees (best-first growth); "
                "use max_depth, min_samples_leaf or ccp_alpha to limit the tree."
            )
        mf = self.max_features
        if mf is None:
            k = n_features
        elif mf == "sqrt":
            k = max(1, int(np.sqrt(n_features)))
        elif mf == "log2":
            k = max(1, int(np.log2(n_features)))
        elif isinstance(mf, numbers.Integral) and not isinstance(mf, bool):
            if not 1 <= mf <= n_features:
                raise ValueError(f"max_features must be in [1, n_features], got {mf!r}.")
            k = int(mf)
        elif isinstance(mf, numbers.Real) and not isinstance(mf, bool) and 0.0 < mf <= 1.0:
            k = max(1, int(mf * n_features))
        else:
            raise ValueError(
                "max_features must be None, 'sqrt', 'log2', an int in [1, n_features] or a "
                f"float in (0, 1], got {mf!r}."
            )
        return dict(
            max_depth=np.iinfo(np.int32).max if md is None else int(md),
            min_samples_split=max(mss, 2 * msl),
            min_samples_leaf=msl,
            min_impurity_decrease=float(mid),
            min_weight_fraction_leaf=float(mwf),
            max_features=k,
        )

    def _fit_arrays(
        self, X: np.ndarray, S: np.ndarray, W: np.ndarray, Q: np.ndarray | None
    ) -> dict[str, np.ndarray]:
        params = self._check_params(X.shape[0], X.shape[1])
        pos = W > 0  # zero-weight samples carry no information: drop them up front
        if not pos.all():
            X, S, W = X[pos], S[pos], W[pos]
            Q = None if Q is None else Q[pos]
        Xt = np.ascontiguousarray(X.T, dtype=np.float32)
        grown = _grow(
            Xt,
            S,
            W,
            Q,
            criterion=self.criterion,
            rng=check_random_state(self.random_state),
            **params,
        )
        stats = grown.pop("stats")
        w = grown["weighted_n_node_samples"]
        grown["value"] = stats / np.where(w > 0, w, 1.0)[:, None]
        if self.ccp_alpha > 0.0:
            _, _, collapsed = _ccp_path(grown, stop_alpha=float(self.ccp_alpha))
            grown = _keep_after_collapse(grown, collapsed)
        return grown

    def _set_tree(self, arrays: dict[str, np.ndarray]) -> None:
        self.tree_arrays_ = arrays
        self.max_depth_ = _depth(arrays["children_left"], arrays["children_right"])
        self.feature_importances_ = self._importances(arrays)

    def _importances(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        left, right = arrays["children_left"], arrays["children_right"]
        wi = arrays["weighted_n_node_samples"] * arrays["impurity"]
        internal = np.flatnonzero(left != -1)
        gain = wi[internal] - wi[left[internal]] - wi[right[internal]]
        imp = np.bincount(
            arrays["feature"][internal], weights=gain, minlength=self.n_features_in_
        ).astype(np.float64)
        total = imp.sum()
        return imp / total if total > 0 else imp

    def _prepare_weights(self, X: np.ndarray, sample_weight: Any) -> np.ndarray:
        return check_sample_weight(sample_weight, X, dtype=np.float64)

    # -- traversal -------------------------------------------------------------------------------

    def _check_X(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = self._validate_data(X, reset=False)
        return np.asarray(X, dtype=np.float32)

    @property
    def tree_(self) -> Tree:
        """The fitted tree as a :class:`Tree` (scikit-learn's ``tree_`` layout)."""
        check_is_fitted(self, "tree_arrays_")
        arrays = dict(self.tree_arrays_)
        arrays["value"] = arrays["value"][:, None, :]
        return Tree(arrays)

    def _apply(self, X: np.ndarray) -> np.ndarray:
        t = self.tree_arrays_
        left, right, feat, thr = (
            t["children_left"],
            t["children_right"],
            t["feature"],
            t["threshold"],
        )
        node = np.zeros(X.shape[0], dtype=np.intp)
        rows = np.arange(X.shape[0])
        live = rows[left[node] != -1]
        while live.size:  # one pass per depth level, vectorised over samples
            nd = node[live]
            go = X[live, feat[nd]] <= thr[nd]
            nd = np.where(go, left[nd], right[nd])
            node[live] = nd
            live = live[left[nd] != -1]
        return node

    def apply(self, X: Any) -> np.ndarray:
        """Index of the leaf each sample ends in.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            Leaf ids (indices into the ``tree_`` arrays).
        """
        return self._apply(self._check_X(X))

    def decision_path(self, X: Any) -> Any:
        """Indicator of the nodes each sample passes through.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scipy.sparse.csr_matrix of shape (n_samples, node_count)
            Entry ``[i, j]`` is 1 when sample ``i`` visits node ``j``.
        """
        from scipy import sparse

        X = self._check_X(X)
        return self._decision_path(X, sparse)

    def _decision_path(self, X: np.ndarray, sparse: Any) -> Any:
        t = self.tree_arrays_
        left, right, feat, thr = (
            t["children_left"],
            t["children_right"],
            t["feature"],
            t["threshold"],
        )
        n = X.shape[0]
        rows_l, nodes_l = [np.arange(n)], [np.zeros(n, dtype=np.intp)]
        node = np.zeros(n, dtype=np.intp)
        live = np.arange(n)[left[node] != -1]
        while live.size:
            nd = node[live]
            nd = np.where(X[live, feat[nd]] <= thr[nd], left[nd], right[nd])
            node[live] = nd
            rows_l.append(live)
            nodes_l.append(nd)
            live = live[left[nd] != -1]
        rows, cols = np.concatenate(rows_l), np.concatenate(nodes_l)
        return sparse.csr_matrix(
            (np.ones(rows.size, dtype=np.int64), (rows, cols)),
            shape=(n, left.shape[0]),
        )

    def get_depth(self) -> int:
        """Depth of the tree (a lone root has depth 0)."""
        check_is_fitted(self)
        return int(self.max_depth_)

    def get_n_leaves(self) -> int:
        """Number of leaves of the tree."""
        check_is_fitted(self)
        return int(np.sum(self.tree_arrays_["children_left"] == -1))

    # -- post-pruning ----------------------------------------------------------------------------

    def cost_complexity_pruning_path(
        self, X: Any, y: Any, sample_weight: Any = None
    ) -> dict[str, np.ndarray]:
        """Effective alphas and leaf impurities of minimal cost-complexity pruning.

        A tree is grown on ``(X, y)`` with this estimator's parameters and ``ccp_alpha=0``,
        then pruned weakest link first; step :math:`i` removes the subtree with the smallest

        .. math::

            \\alpha_{\\text{eff}}(t) = \\frac{R(t) - R(T_t)}{|\\text{leaves}(T_t)| - 1},

        the :math:`\\alpha` at which :math:`R_\\alpha(t) = R_\\alpha(T_t)` for
        :math:`R_\\alpha(T) = R(T) + \\alpha |\\text{leaves}(T)|`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        dict
            ``"ccp_alphas"`` (n_steps,), increasing, and ``"impurities"`` (n_steps,), the total
            weighted leaf impurity :math:`R(T)` of the pruned tree at each alpha.
        """
        from ..base import clone

        est = clone(self).set_params(ccp_alpha=0.0)
        est.fit(X, y, sample_weight=sample_weight)
        alphas, impurities, _ = _ccp_path(est.tree_arrays_)
        return {"ccp_alphas": alphas, "impurities": impurities}

    def prune_reduced_error(self, X_val: Any, y_val: Any) -> BaseDecisionTree:
        """Reduced-error pruning on a held-out set, in place.

        Bottom-up, every internal node :math:`t` is collapsed into a leaf when the validation
        error of the leaf is not larger than that of the (already pruned) subtree under it:

        .. math::

            E_{\\text{leaf}}(t) \\le \\sum_{l \\in \\text{leaves}(T_t)} E(l),

        where :math:`E` counts misclassified validation samples (classifier) or sums their
        squared errors (regressor). The validation error of the whole tree therefore never rises.

        Parameters
        ----------
        X_val : array-like of shape (n_val, n_features)
        y_val : array-like of shape (n_val,)

        Returns
        -------
        self
        """
        from scipy import sparse

        X = self._check_X(X_val)
        y = np.asarray(y_val)
        if y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError(
                f"y_val must be 1-D with {X.shape[0]} entries, got shape {np.shape(y_val)}."
            )
        path = self._decision_path(X, sparse).tocoo()
        node_err = self._node_errors(path.row, path.col, y)
        err = np.bincount(path.col, weights=node_err, minlength=path.shape[1])
        t = self.tree_arrays_
        left, right = t["children_left"], t["children_right"]
        subtree = err.copy()
        collapse = np.zeros(left.shape[0], dtype=bool)
        for i in range(left.shape[0] - 1, -1, -1):  # loop over nodes, children first
            if left[i] == -1:
                continue
            below = subtree[left[i]] + subtree[right[i]]
            if err[i] <= below:
                collapse[i] = True
                subtree[i] = err[i]
            else:
                subtree[i] = below
        if collapse.any():
            self._set_tree(_keep_after_collapse(t, collapse))
        return self


_PARAMS_DOC = """
    max_depth : int or None, default=None
        Deepest level a node may sit at; ``None`` grows until the other limits stop it.
    min_samples_split : int or float, default=2
        Fewest samples a node needs to be split (a float is a fraction of ``n_samples``).
    min_samples_leaf : int or float, default=1
        Fewest samples each child must keep (a float is a fraction of ``n_samples``).
    min_weight_fraction_leaf : float, default=0.0
        Smallest share of the total sample weight each child must keep.
    min_impurity_decrease : float, default=0.0
        A split is made only if :math:`\\frac{W_t}{W}\\,\\Delta I \\ge` this value.
    max_features : int, float, "sqrt", "log2" or None, default=None
        Number of features drawn at random for each node's split search.
    max_leaf_nodes : None
        Best-first growth is not supported yet; only ``None`` is accepted.
    random_state : int, Generator or None, default=None
        Seeds the order in which features are tried (it breaks ties) and ``max_features``.
    ccp_alpha : float, default=0.0
        Cost-complexity parameter :math:`\\alpha`: after growth, the tree is pruned to the
        subtree minimising :math:`R_\\alpha(T) = R(T) + \\alpha |\\text{leaves}(T)|`.
"""


class DecisionTreeClassifier(ClassifierMixin, BaseDecisionTree):
    """CART classification tree (gini or entropy), grown level by level, with pruning.

    A node :math:`t` is split on the feature and threshold that maximise the impurity decrease

    .. math::

        \\Delta I = I(t) - \\frac{W_L}{W_t} I(L) - \\frac{W_R}{W_t} I(R), \\quad
        I_{\\text{gini}} = 1 - \\sum_k p_k^2, \\quad
        I_{\\text{entropy}} = -\\sum_k p_k \\log_2 p_k

    (information gain for entropy). Thresholds sit halfway between consecutive distinct values.

    Parameters
    ----------
    criterion : {"gini", "entropy", "log_loss"}, default="gini"
        Impurity measure; ``"log_loss"`` is the same as ``"entropy"``.
    class_weight : dict, "balanced" or None, default=None
        Weights multiplying the sample weights of each class; ``"balanced"`` uses
        ``n_samples / (n_classes * count(class))``.
    """

    __doc__ = (
        (__doc__ or "")
        + _PARAMS_DOC
        + """
    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_classes_ : int
    n_features_in_ : int
    feature_importances_ : ndarray of shape (n_features,)
        Normalised total weighted impurity decrease of the splits on each feature.
    tree_ : Tree
        The flat node arrays (see :class:`Tree`).

    Examples
    --------
    >>> from lucidml.tree import DecisionTreeClassifier
    >>> clf = DecisionTreeClassifier(max_depth=2).fit([[0], [1], [2], [3]], [0, 0, 1, 1])
    >>> clf.predict([[0.4], [2.6]]).tolist()
    [0, 1]
    """
    )

    _criteria = CLASSIFICATION_CRITERIA

    def __init__(
        self,
        *,
        criterion: str = "gini",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        min_impurity_decrease: float = 0.0,
        max_features: Any = None,
        max_leaf_nodes: int | None = None,
        random_state: Any = None,
        ccp_alpha: float = 0.0,
        class_weight: Any = None,
    ) -> None:
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.min_impurity_decrease = min_impurity_decrease
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.random_state = random_state
        self.ccp_alpha = ccp_alpha
        self.class_weight = class_weight

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> DecisionTreeClassifier:
        """Grow (and, with ``ccp_alpha > 0``, prune) the tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        X, y = self._validate_data(X, y, reset=True)
        check_classification_targets(y)
        self.classes_, yi = unique_labels(y)
        self.n_classes_ = int(self.classes_.shape[0])
        self.n_outputs_ = 1
        w = self._prepare_weights(X, sample_weight) * self._class_weights(yi)
        S = np.zeros((X.shape[0], self.n_classes_))
        S[np.arange(X.shape[0]), yi] = w
        self._set_tree(self._fit_arrays(X, S, w, None))
        return self

    def _class_weights(self, yi: np.ndarray) -> np.ndarray:
        cw = self.class_weight
        if cw is None:
            return np.ones(yi.shape[0])
        if isinstance(cw, str) and cw == "balanced":
            counts = np.bincount(yi, minlength=self.n_classes_)
            per_class = yi.shape[0] / (self.n_classes_ * np.maximum(counts, 1))
            return per_class[yi]
        if isinstance(cw, dict):
            per_class = np.ones(self.n_classes_)
            for label, weight in cw.items():
                where = np.flatnonzero(self.classes_ == label)
                if where.size == 0:
                    raise ValueError(f"The class_weight names class {label!r}, which is not in y.")
                per_class[where[0]] = weight
            return per_class[yi]
        raise ValueError(f"class_weight must be None, 'balanced' or a dict, got {cw!r}.")

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities: the weighted class fractions of each sample's leaf.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        X = self._check_X(X)
        return self.tree_arrays_["value"][self._apply(X)]

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`, shape (n_samples, n_classes)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each sample's leaf, shape (n_samples,)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def _node_errors(self, rows: np.ndarray, nodes: np.ndarray, y: np.ndarray) -> np.ndarray:
        node_class = self.classes_[np.argmax(self.tree_arrays_["value"], axis=1)]
        return (node_class[nodes] != y[rows]).astype(np.float64)


class DecisionTreeRegressor(RegressorMixin, BaseDecisionTree):
    """CART regression tree minimising the weighted squared error, with pruning.

    A node :math:`t` is split where the weighted variance decrease is largest,

    .. math::

        \\Delta I = I(t) - \\frac{W_L}{W_t} I(L) - \\frac{W_R}{W_t} I(R), \\quad
        I(t) = \\frac{1}{W_t} \\sum_{i \\in t} w_i (y_i - \\bar y_t)^2,

    and each leaf predicts the weighted mean :math:`\\bar y_t` of its samples.

    Parameters
    ----------
    criterion : {"squared_error"}, default="squared_error"
        Only the squared error is supported (``"absolute_error"`` is not implemented yet).
    """

    __doc__ = (
        (__doc__ or "")
        + _PARAMS_DOC
        + """
    Attributes
    ----------
    n_features_in_ : int
    feature_importances_ : ndarray of shape (n_features,)
    tree_ : Tree

    Examples
    --------
    >>> from lucidml.tree import DecisionTreeRegressor
    >>> reg = DecisionTreeRegressor(max_depth=1).fit([[0], [1], [2], [3]], [0.0, 0.0, 1.0, 1.0])
    >>> reg.predict([[0.2], [2.8]]).tolist()
    [0.0, 1.0]
    """
    )

    _criteria = REGRESSION_CRITERIA

    def __init__(
        self,
        *,
        criterion: str = "squared_error",
        max_depth: int | None = None,
        min_samples_split: int | float = 2,
        min_samples_leaf: int | float = 1,
        min_weight_fraction_leaf: float = 0.0,
        min_impurity_decrease: float = 0.0,
        max_features: Any = None,
        max_leaf_nodes: int | None = None,
        random_state: Any = None,
        ccp_alpha: float = 0.0,
    ) -> None:
        self.criterion = criterion
        self.max_depth = max_depth
        self.min_samples_split = min_samples_split
        self.min_samples_leaf = min_samples_leaf
        self.min_weight_fraction_leaf = min_weight_fraction_leaf
        self.min_impurity_decrease = min_impurity_decrease
        self.max_features = max_features
        self.max_leaf_nodes = max_leaf_nodes
        self.random_state = random_state
        self.ccp_alpha = ccp_alpha

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> DecisionTreeRegressor:
        """Grow (and, with ``ccp_alpha > 0``, prune) the tree.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Real-valued targets.
        sample_weight : array-like of shape (n_samples,), optional

        Returns
        -------
        self
        """
        X, y = self._validate_data(X, y, reset=True, y_numeric=True)
        y = np.asarray(y, dtype=np.float64)
        self.n_outputs_ = 1
        w = self._prepare_weights(X, sample_weight)
        wy = w * y
        self._set_tree(self._fit_arrays(X, wy[:, None], w, wy * y))
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Mean target of each sample's leaf, shape (n_samples,)."""
        X = self._check_X(X)
        return self.tree_arrays_["value"][self._apply(X), 0]

    def _node_errors(self, rows: np.ndarray, nodes: np.ndarray, y: np.ndarray) -> np.ndarray:
        diff = self.tree_arrays_["value"][nodes, 0] - np.asarray(y, dtype=np.float64)[rows]
        return diff * diff
