"""CART decision trees grown level by level with vectorised split search, and their pruning.

Growth (pre-pruning by ``max_depth``, ``min_samples_split``, ``min_samples_leaf``,
``min_impurity_decrease``) processes all nodes of one depth at once: every feature's samples are
kept sorted by ``(node, x)``, so one ``cumsum`` of the criterion statistics gives the statistics
of every candidate cut of every node, and one ``reduceat`` picks each node's best cut. The sorted
orders are partitioned stably into the children, so sorting happens only once, at the root.
When numba is installed, :mod:`lucidml.tree._compiled` runs the same growth as compiled loops and
gives identical trees (``LUCIDML_TREE_NUMPY=1`` forces this NumPy builder). With
``max_leaf_nodes``, growth is best first instead (:func:`_grow_best_first`), and
``absolute_error`` scores cuts through weighted medians of many ranges at once (:class:`_Wavelet`).

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
    _xlogx,
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
        Class fractions (classifier), or mean target (regressor; the weighted median with
        ``criterion="absolute_error"``) of each node.
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
    if left.shape[0] == 0:
        return 0
    depth = 0
    frontier = np.zeros(1, dtype=np.intp)
    while True:  # loop over depth levels, vectorised over the nodes of a level
        frontier = frontier[left[frontier] != -1]
        if frontier.size == 0:
            return depth
        frontier = np.concatenate([left[frontier], right[frontier]])
        depth += 1


# ------------------------------------------------------------------------------------------------
# growth

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _feature_keys(seed: np.uint64, nodes: np.ndarray, n_features: int) -> np.ndarray:
    """Random sort keys of every (node, feature) pair: a SplitMix64 hash of ``seed``, node, feature.

    A node tries the ``max_features`` features with the smallest keys. Hashing the node id, rather
    than drawing from a generator level by level, gives every node its own draw whatever the
    order of growth, so the compiled builder and best-first growth draw the same features.

    Parameters
    ----------
    seed : numpy.uint64
    nodes : ndarray of shape (n_nodes,)
        Node ids.
    n_features : int

    Returns
    -------
    ndarray of shape (n_nodes, n_features), uint64
    """
    z = nodes.astype(np.uint64)[:, None] * np.uint64(n_features)
    z = z + np.arange(1, n_features + 1, dtype=np.uint64)[None, :]
    z = z * _GOLDEN + seed
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def _root_node(
    criterion: str, S: np.ndarray, W: np.ndarray, Q: np.ndarray | None, y: np.ndarray | None = None
) -> tuple[np.ndarray, float, float, float, float]:
    """Summed statistics (n_stats,), weight, :math:`\\sum w y^2`, impurity and median of the root.

    The median (and an impurity from it) is computed for ``absolute_error`` only, else 0.
    """
    stats = S.sum(axis=0)
    w = float(W.sum())
    q = float(Q.sum()) if Q is not None else 0.0
    if criterion == "absolute_error":
        assert y is not None
        med, cost = _group_medians(y, W, np.zeros(y.size, dtype=np.intp), 1)
        return stats, w, q, float(cost[0]) / w, float(med[0])
    imp = node_impurity(criterion, stats[None], np.array([w]), np.array([q]))
    return stats, w, q, float(imp[0]), 0.0


class _Problem:
    """What every growth step needs: the data, the criterion and the pre-pruning limits."""

    def __init__(
        self,
        Xt: np.ndarray,
        S: np.ndarray,
        W: np.ndarray,
        Q: np.ndarray | None,
        y: np.ndarray | None,
        *,
        criterion: str,
        max_depth: int,
        min_samples_split: int,
        min_samples_leaf: int,
        min_impurity_decrease: float,
        min_weight_fraction_leaf: float,
        max_features: int,
        feat_order: np.ndarray,
        seed: np.uint64,
    ) -> None:
        self.Xt, self.S, self.W, self.Q, self.criterion = Xt, S, W, Q, criterion
        self.n_features, self.n = Xt.shape
        self.K = S.shape[1]
        self.max_depth, self.mss, self.msl = max_depth, min_samples_split, min_samples_leaf
        self.mid, self.max_features = min_impurity_decrease, max_features
        self.feat_order, self.seed = feat_order, seed
        self.absolute = criterion == "absolute_error"
        if self.absolute:
            assert y is not None
            self.y = y
            self.wavelet = _Wavelet(y, W)
        root = _root_node(criterion, S, W, Q, y)
        self.root_stats, self.w_root, self.q_root, self.imp_root, self.median_root = root
        # Whole-number statistics (integer weights): entropy terms from a table, same values.
        self.table = None
        if criterion in ("entropy", "log_loss") and self.w_root < 1e7:
            if np.all(np.floor(W) == W) and np.all(np.floor(S) == S):
                self.table = _xlogx(np.arange(int(self.w_root) + 1, dtype=np.float64))
        self.mwl = min_weight_fraction_leaf * self.w_root

    def splittable(self, nn: np.ndarray, ww: np.ndarray, imp: np.ndarray, depth: Any) -> np.ndarray:
        ok = (nn >= self.mss) & (nn >= 2 * self.msl) & (imp > _EPS) & (depth < self.max_depth)
        return ok & (ww >= 2 * self.mwl)

    def search(
        self,
        order: list[np.ndarray],
        nodes: np.ndarray,
        seg_len: np.ndarray,
        seg_stats: np.ndarray,
        seg_w: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Best cut of each node, its samples lying in consecutive segments of ``order[f]``.

        Returns the best feature (``-1`` when none) and threshold of each node.
        """
        Xt, S, W, K, p = self.Xt, self.S, self.W, self.K, self.n_features
        A = nodes.size
        m = int(seg_len.sum())
        seg_start = np.zeros(A, dtype=np.intp)
        np.cumsum(seg_len[:-1], out=seg_start[1:])
        seg_id = np.repeat(np.arange(A), seg_len)
        n_left = np.arange(m) - seg_start[seg_id] + 1
        size_ok = (n_left >= self.msl) & (seg_len[seg_id] - n_left >= self.msl)
        if self.max_features < p:
            keys = _feature_keys(self.seed, nodes, p)
            allowed = np.zeros((A, p), dtype=bool)
            drawn = np.argsort(keys, axis=1, kind="stable")[:, : self.max_features]
            np.put_along_axis(allowed, drawn, True, axis=1)
        best = np.full(A, -np.inf)
        best_feat = np.full(A, -1, dtype=np.intp)
        best_thr = np.zeros(A)
        cs_pad = np.zeros((m + 1, K))
        cw_pad = np.zeros(m + 1)
        arange_m = np.arange(m)
        mwl = self.mwl
        for f in self.feat_order:
            idx = order[f]
            xs = Xt[f][idx]
            np.cumsum(W[idx], out=cw_pad[1:])
            wl = cw_pad[1:] - cw_pad[seg_start][seg_id]
            wr = seg_w[seg_id] - wl
            valid = size_ok & (wl > 0) & (wr > 0) & (wl >= mwl) & (wr >= mwl)
            valid[:-1] &= xs[1:] > xs[:-1] + np.float32(_FEATURE_THRESHOLD)
            valid[-1] = False
            if self.max_features < p:
                valid &= allowed[seg_id, f]
            if not valid.any():
                continue
            if self.absolute:
                proxy = self.wavelet.split_proxy(idx, seg_start, seg_len, seg_id)
            else:
                np.cumsum(S[idx], axis=0, out=cs_pad[1:])
                left = cs_pad[1:] - cs_pad[seg_start][seg_id]
                right = seg_stats[seg_id] - left
                proxy = split_proxy(self.criterion, left, wl, right, wr, self.table)
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
        return best_feat, best_thr

    def route(
        self,
        idx0: np.ndarray,
        seg_len: np.ndarray,
        seg_stats: np.ndarray,
        seg_w: np.ndarray,
        seg_imp: np.ndarray,
        best_feat: np.ndarray,
        best_thr: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """Send each node's samples (``idx0``, node after node) to a side; the children's records.

        Returns per-node arrays ``go_left`` (per sample of ``idx0``), ``lstats``, ``rstats``,
        ``lw``, ``rw``, ``lcount``, ``rcount``, ``lq``, ``rq``, ``limp``, ``rimp``, ``lmed``,
        ``rmed``, ``improvement`` and ``accept``.
        """
        S, W, Q, K = self.S, self.W, self.Q, self.K
        A = seg_len.size
        seg_id = np.repeat(np.arange(A), seg_len)
        has_split = best_feat >= 0
        bf = np.where(has_split, best_feat, 0)
        go_left = self.Xt[bf[seg_id], idx0] <= best_thr[seg_id]
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
        lmed = rmed = None
        if self.absolute:
            child = 2 * seg_id + ~go_left
            med, cost = _group_medians(self.y[idx0], W[idx0], child, 2 * A)
            lmed, rmed = med[0::2], med[1::2]
            limp = cost[0::2] / np.where(lw > 0, lw, 1.0)
            rimp = cost[1::2] / np.where(rw > 0, rw, 1.0)
        else:
            limp = node_impurity(self.criterion, lstats, lw, lq)
            rimp = node_impurity(self.criterion, rstats, rw, rq)
        improvement = (seg_w / self.w_root) * (
            seg_imp - lw / seg_w * limp - rw / np.where(seg_w > 0, seg_w, 1.0) * rimp
        )
        accept = has_split & (lcount > 0) & (rcount > 0)
        accept &= improvement + _EPS >= self.mid
        return dict(
            go_left=go_left,
            lstats=lstats,
            rstats=rstats,
            lw=lw,
            rw=rw,
            lcount=lcount,
            rcount=rcount,
            lq=lq,
            rq=rq,
            limp=limp,
            rimp=rimp,
            lmed=lmed,
            rmed=rmed,
            improvement=improvement,
            accept=accept,
        )


def _interleave(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.empty((2 * a.shape[0],) + a.shape[1:], dtype=a.dtype)
    out[0::2], out[1::2] = a, b
    return out


def _grow(Xt: np.ndarray, S: np.ndarray, W: np.ndarray, Q: np.ndarray | None, **kw: Any):
    """Grow a CART tree breadth-first, one level at a time.

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
    **kw
        ``y`` (the targets, for ``absolute_error``), ``criterion``, the pre-pruning limits
        (``max_depth``, ``min_samples_split``, ``min_samples_leaf``, ``min_impurity_decrease``,
        ``min_weight_fraction_leaf``, ``max_features``), ``feat_order`` (order in which features
        are tried: a later feature replaces the best cut only when strictly better, so this
        breaks ties) and ``seed`` (of the per-node feature draws, :func:`_feature_keys`).

    Returns
    -------
    dict
        Flat node arrays: see :class:`Tree` (``stats`` holds the summed statistics, and
        ``median`` the weighted medians for ``absolute_error``).
    """
    y = kw.pop("y", None)
    pb = _Problem(Xt, S, W, Q, y, **kw)
    n_features, n = pb.n_features, pb.n
    # Node records, appended level by level.
    stats_chunks: list[np.ndarray] = [pb.root_stats[None]]
    w_chunks = [np.array([pb.w_root])]
    q_chunks = [np.array([pb.q_root])]
    n_chunks = [np.array([n], dtype=np.intp)]
    imp_chunks = [np.array([pb.imp_root])]
    med_chunks = [np.array([pb.median_root])]
    split_parent: list[np.ndarray] = []
    split_feat: list[np.ndarray] = []
    split_thr: list[np.ndarray] = []
    n_nodes = 1

    # Active nodes of the current level: global ids, and their segments in the sorted orders.
    active = np.flatnonzero(pb.splittable(n_chunks[0], w_chunks[0], imp_chunks[0], 0))
    order = [np.argsort(Xt[f], kind="stable") for f in range(n_features)] if active.size else []
    seg_len = np.array([n], dtype=np.intp)
    seg_stats = stats_chunks[0]
    seg_w = w_chunks[0]
    seg_imp = imp_chunks[0]
    depth = 0
    while active.size:
        A = active.size
        m = int(seg_len.sum())
        seg_start = np.zeros(A, dtype=np.intp)
        np.cumsum(seg_len[:-1], out=seg_start[1:])
        seg_id = np.repeat(np.arange(A), seg_len)
        best_feat, best_thr = pb.search(order, active, seg_len, seg_stats, seg_w)
        idx0 = order[0]
        r = pb.route(idx0, seg_len, seg_stats, seg_w, seg_imp, best_feat, best_thr)
        go_left, accept = r["go_left"], r["accept"]
        if not accept.any():
            break
        acc = np.flatnonzero(accept)
        J = acc.size
        left_ids = n_nodes + 2 * np.arange(J)
        split_parent.append(active[acc])
        split_feat.append(best_feat[acc])
        split_thr.append(best_thr[acc])
        # Children, interleaved left/right in parent order.
        c_stats = _interleave(r["lstats"][acc], r["rstats"][acc])
        c_w = _interleave(r["lw"][acc], r["rw"][acc])
        c_n = _interleave(r["lcount"][acc], r["rcount"][acc])
        c_imp = _interleave(r["limp"][acc], r["rimp"][acc])
        stats_chunks.append(c_stats)
        w_chunks.append(c_w)
        n_chunks.append(c_n)
        imp_chunks.append(c_imp)
        if Q is not None:
            q_chunks.append(_interleave(r["lq"][acc], r["rq"][acc]))
        if pb.absolute:
            med_chunks.append(_interleave(r["lmed"][acc], r["rmed"][acc]))
        n_nodes += 2 * J
        depth += 1

        # Next level: children that can still be split, and their sample layout.
        child_ok = pb.splittable(c_n, c_w, c_imp, depth)
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
        side_of = np.zeros(n, dtype=np.int8)
        side_of[idx0] = ~go_left
        seg_of = np.full(n, -1, dtype=np.intp)
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
    if pb.absolute:
        out["median"] = np.concatenate(med_chunks)
    return out


def _grow_best_first(
    Xt: np.ndarray, S: np.ndarray, W: np.ndarray, Q: np.ndarray | None, *, max_leaf_nodes: int, **kw
) -> dict[str, np.ndarray]:
    """Grow a CART tree best first: always split the leaf whose split decreases impurity most.

    Every new node's best split is searched when the node is created; a priority queue keyed by
    the weighted impurity decrease :math:`\\frac{W_t}{W}\\Delta I` then picks the next leaf to
    split, until ``max_leaf_nodes`` leaves exist or no leaf can be split. Nodes are numbered in
    the order they are created (children of the ``k``-th split get the ids ``2k + 1, 2k + 2``).
    Same arguments as :func:`_grow`, plus ``max_leaf_nodes``.
    """
    import heapq

    y = kw.pop("y", None)
    pb = _Problem(Xt, S, W, Q, y, **kw)
    n, K = pb.n, pb.K
    n_features = pb.n_features
    # Node records, one list entry per node id.
    recs: dict[str, list[Any]] = {
        k: [] for k in ("stats", "w", "q", "n", "imp", "med", "feat", "thr", "left", "right")
    }

    def add_node(stats, w, q, count, imp, med) -> int:  # noqa: ANN001
        for key, val in zip(
            ("stats", "w", "q", "n", "imp", "med", "feat", "thr", "left", "right"),
            (stats, w, q, count, imp, med, -2, -2.0, -1, -1),
            strict=True,
        ):
            recs[key].append(val)
        return len(recs["w"]) - 1

    heap: list[tuple[float, int]] = []
    pending: dict[int, tuple[Any, ...]] = {}

    def consider(node: int, rows_order: list[np.ndarray], depth: int) -> None:
        """Search ``node``'s best split and queue it when it may be made."""
        stats = recs["stats"][node][None]
        w = np.array([recs["w"][node]])
        count = np.array([recs["n"][node]], dtype=np.intp)
        imp = np.array([recs["imp"][node]])
        if not pb.splittable(count, w, imp, depth)[0]:
            return
        feat, thr = pb.search(rows_order, np.array([node]), count, stats, w)
        r = pb.route(rows_order[0], count, stats, w, imp, feat, thr)
        if not r["accept"][0]:
            return
        pending[node] = (rows_order, depth, int(feat[0]), float(thr[0]), r)
        heapq.heappush(heap, (-float(r["improvement"][0]), node))

    root = add_node(pb.root_stats, pb.w_root, pb.q_root, n, pb.imp_root, pb.median_root)
    if pb.splittable(np.array([n]), np.array([pb.w_root]), np.array([pb.imp_root]), 0)[0]:
        consider(root, [np.argsort(Xt[f], kind="stable") for f in range(n_features)], 0)
    n_leaves = 1
    while heap and n_leaves < max_leaf_nodes:
        _, node = heapq.heappop(heap)
        rows_order, depth, feat, thr, r = pending.pop(node)
        recs["feat"][node], recs["thr"][node] = feat, thr
        right_side = np.zeros(n, dtype=bool)
        right_side[rows_order[0][~r["go_left"]]] = True
        children = []
        for side, pre in ((0, "l"), (1, "r")):
            med = r[pre + "med"][0] if pb.absolute else 0.0
            q = r[pre + "q"][0] if Q is not None else 0.0
            child = add_node(
                r[pre + "stats"][0],
                r[pre + "w"][0],
                q,
                int(r[pre + "count"][0]),
                r[pre + "imp"][0],
                med,
            )
            keep = [o[right_side[o] == bool(side)] for o in rows_order]
            children.append((child, keep))
        recs["left"][node], recs["right"][node] = children[0][0], children[1][0]
        n_leaves += 1
        for child, keep in children:
            consider(child, keep, depth + 1)

    out = {
        "children_left": np.asarray(recs["left"], dtype=np.intp),
        "children_right": np.asarray(recs["right"], dtype=np.intp),
        "feature": np.asarray(recs["feat"], dtype=np.intp),
        "threshold": np.asarray(recs["thr"], dtype=np.float64),
        "stats": np.asarray(recs["stats"], dtype=np.float64).reshape(-1, K),
        "impurity": np.asarray(recs["imp"], dtype=np.float64),
        "n_node_samples": np.asarray(recs["n"], dtype=np.intp),
        "weighted_n_node_samples": np.asarray(recs["w"], dtype=np.float64),
    }
    if pb.absolute:
        out["median"] = np.asarray(recs["med"], dtype=np.float64)
    return out


# ------------------------------------------------------------------------------------------------
# absolute error: weighted medians


def _group_medians(
    y: np.ndarray, w: np.ndarray, group: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted median of ``y`` in each group, and the group's :math:`\\sum w |y - \\text{median}|`.

    The median is the smallest :math:`y_{(r)}` whose cumulative weight reaches half the group's
    weight, or the midpoint of it and the next value when the cumulative weight equals exactly
    half (scikit-learn's rule). Empty groups get 0 and 0.

    Returns
    -------
    median, cost : ndarray of shape (n_groups,)
    """
    med = np.zeros(n_groups)
    cost = np.zeros(n_groups)
    if y.size == 0:
        return med, cost
    o = np.lexsort((y, group))
    gs, ys, ws = group[o], y[o], w[o]
    cw = np.cumsum(ws)
    present = np.flatnonzero(np.bincount(gs, minlength=n_groups))
    start = np.searchsorted(gs, present, side="left")
    end = np.searchsorted(gs, present, side="right")
    base = cw[start] - ws[start]
    half = (cw[end - 1] - base) / 2.0
    # First index of the group whose cumulative weight (within the group) reaches half.
    i = np.searchsorted(cw, base + half, side="left")
    i = np.clip(i, start, end - 1)
    within = cw[i] - base
    exact = (within == half) & (i + 1 < end)
    m = np.where(exact, (ys[i] + ys[np.minimum(i + 1, ys.size - 1)]) / 2.0, ys[i])
    med[present] = m
    cost[:] = np.bincount(group, weights=w * np.abs(y - med[group]), minlength=n_groups)
    return med, cost


class _Wavelet:
    """Weighted medians of many sub-ranges of a sequence at once (a wavelet matrix).

    For the split search under ``absolute_error``: the cost of a node side is
    :math:`C = \\min_c \\sum w |y - c|`, reached at a weighted median :math:`M`; with the
    weights :math:`W_<` and sums :math:`(wy)_<` of the values ranked below :math:`M`,

    .. math:: C = M W_< - (wy)_< + \\big((wy) - (wy)_< - w_M M\\big) - M\\big(W - W_< - w_M\\big).

    Each sample gets its rank in the order of ``y``. Sorting a sequence of ranks stably by their
    bits, most significant first, gives one level per bit; prefix counts and weight sums of the
    zero bits at each level let a descent from the top bit find, for every query range at once,
    the rank where the cumulative weight reaches half the range's weight, and the weights and
    weighted sums below it. Each level is a handful of vectorised operations over all queries.
    """

    def __init__(self, y: np.ndarray, w: np.ndarray) -> None:
        self.y, self.w = y, w
        self.rank = np.empty(y.size, dtype=np.intp)
        self.rank[np.argsort(y, kind="stable")] = np.arange(y.size)
        self.bits = max(1, int(y.size - 1).bit_length())

    def split_proxy(
        self, idx: np.ndarray, seg_start: np.ndarray, seg_len: np.ndarray, seg_id: np.ndarray
    ) -> np.ndarray:
        """:math:`-(C_L + C_R)` for the cut after every position of the segmented order ``idx``."""
        m = idx.size
        y, w = self.y, self.w
        levels = []
        cur = idx
        for b in range(self.bits - 1, -1, -1):
            bit = (self.rank[cur] >> b) & 1
            zero = bit == 0
            zn = np.zeros(m + 1, dtype=np.intp)
            zw = np.zeros(m + 1)
            zwy = np.zeros(m + 1)
            np.cumsum(zero, out=zn[1:])
            wz = np.where(zero, w[cur], 0.0)
            np.cumsum(wz, out=zw[1:])
            np.cumsum(wz * y[cur], out=zwy[1:])
            levels.append((zn, zw, zwy, int(zn[-1])))
            cur = np.concatenate([cur[zero], cur[~zero]])
        pw = np.zeros(m + 1)
        pwy = np.zeros(m + 1)
        np.cumsum(w[idx], out=pw[1:])
        np.cumsum(w[idx] * y[idx], out=pwy[1:])
        pos = np.arange(m)
        seg_end = (seg_start + seg_len)[seg_id]
        lo = np.concatenate([seg_start[seg_id], pos + 1])
        hi = np.concatenate([pos + 1, seg_end])
        cost = self._cost(levels, cur, pw, pwy, lo, hi)
        return -(cost[:m] + cost[m:])

    def _cost(self, levels, final, pw, pwy, lo, hi) -> np.ndarray:  # noqa: ANN001
        y, w = self.y, self.w
        nonempty = hi > lo
        tot_w = pw[hi] - pw[lo]
        tot_wy = pwy[hi] - pwy[lo]
        k = tot_w / 2.0
        below_w = np.zeros(lo.size)
        below_wy = np.zeros(lo.size)
        for zn, zw, zwy, nz in levels:
            zero_w = zw[hi] - zw[lo]
            go_zero = zero_w >= k
            one = ~go_zero
            k = np.where(one, k - zero_w, k)
            below_w += np.where(one, zero_w, 0.0)
            below_wy += np.where(one, zwy[hi] - zwy[lo], 0.0)
            zl, zh = zn[lo], zn[hi]
            lo = np.where(go_zero, zl, nz + lo - zl)
            hi = np.where(go_zero, zh, nz + hi - zh)
        elem = final[np.minimum(lo, final.size - 1)]
        M, wm = y[elem], w[elem]
        above_w = tot_w - below_w - wm
        above_wy = tot_wy - below_wy - wm * M
        cost = M * below_w - below_wy + above_wy - M * above_w
        return np.where(nonempty, cost, 0.0)


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
        mln = self.max_leaf_nodes
        if mln is not None and (
            not isinstance(mln, numbers.Integral) or isinstance(mln, bool) or mln < 2
        ):
            raise ValueError(f"max_leaf_nodes must be None or an int >= 2, got {mln!r}.")
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

    def _grows_without_gil(self) -> bool:
        """Whether ``fit`` grows the tree in the compiled builder, which releases the GIL (so
        ensembles can fit trees on threads in parallel). Best-first growth stays in NumPy."""
        from . import _compiled

        return self.max_leaf_nodes is None and _compiled.use_compiled(self.criterion)

    def _fit_arrays(
        self,
        X: np.ndarray,
        S: np.ndarray,
        W: np.ndarray,
        Q: np.ndarray | None,
        y: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        params = self._check_params(X.shape[0], X.shape[1])
        pos = W > 0  # zero-weight samples carry no information: drop them up front
        if not pos.all():
            X, S, W = X[pos], S[pos], W[pos]
            Q = None if Q is None else Q[pos]
            y = None if y is None else y[pos]
        Xt = np.ascontiguousarray(X.T, dtype=np.float32)
        rng = check_random_state(self.random_state)
        feat_order = rng.permutation(X.shape[1])
        seed = np.uint64(rng.integers(0, 2**63))
        from . import _compiled

        kw = dict(criterion=self.criterion, feat_order=feat_order, seed=seed, **params)
        if self.max_leaf_nodes is not None:
            grown = _grow_best_first(Xt, S, W, Q, y=y, max_leaf_nodes=self.max_leaf_nodes, **kw)
        elif self._grows_without_gil():
            grown = _compiled.grow(Xt, S, W, Q, **kw)
        else:
            grown = _grow(Xt, S, W, Q, y=y, **kw)
        stats = grown.pop("stats")
        median = grown.pop("median", None)
        w = grown["weighted_n_node_samples"]
        if median is not None:
            grown["value"] = median[:, None]
        else:
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
    max_leaf_nodes : int or None, default=None
        With an int, grow best first: always split the leaf whose best split has the largest
        weighted impurity decrease :math:`\\frac{W_t}{W}\\Delta I`, until this many leaves exist.
        Nodes are then numbered in the order they are created.
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
    criterion : {"squared_error", "absolute_error"}, default="squared_error"
        ``"absolute_error"`` minimises :math:`\\sum_i w_i |y_i - m_t|` instead, with
        :math:`m_t` the weighted median of the node, which is then what a leaf predicts (the
        midpoint of the two middle values when the cumulative weight hits exactly one half).
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
        self._set_tree(self._fit_arrays(X, wy[:, None], w, wy * y, y))
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Mean (or, for ``absolute_error``, median) target of each sample's leaf, (n_samples,)."""
        X = self._check_X(X)
        return self.tree_arrays_["value"][self._apply(X), 0]

    def _node_errors(self, rows: np.ndarray, nodes: np.ndarray, y: np.ndarray) -> np.ndarray:
        diff = self.tree_arrays_["value"][nodes, 0] - np.asarray(y, dtype=np.float64)[rows]
        return diff * diff
