"""Histogram machinery for gradient boosting: quantile binning and best-first tree growth.

Every feature is cut once into at most ``max_bins`` quantile bins (``uint8`` codes). A node's
gradient and hessian histograms come from one ``np.bincount`` over ``feature * n_bins + code``
for all features at once; the larger child's histogram is the parent's minus the smaller one's.
The best split of a node maximises the second-order gain

.. math::

    \\text{gain} = \\frac{G_L^2}{H_L + \\lambda} + \\frac{G_R^2}{H_R + \\lambda}
                 - \\frac{G^2}{H + \\lambda},

found for every (feature, bin) pair at once by cumulative sums over the bins, and a leaf holds
:math:`-\\eta \\, G / (H + \\lambda)`.
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np

__all__ = ["bin_thresholds", "apply_bins", "tree_predict"]

_MIN_HESSIAN = 1e-3  # a child needs at least this much hessian (as scikit-learn's HGB)
_SUBSAMPLE = 200_000  # rows used to find the quantiles


def bin_thresholds(X: np.ndarray, max_bins: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Upper bin edges of each feature, from its distinct values or its quantiles.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Finite float64 data.
    max_bins : int
        At most this many bins per feature (``<= 255``), so at most ``max_bins - 1`` edges.
    rng : numpy.random.Generator
        Draws the rows used for the quantiles when there are more than 200,000.

    Returns
    -------
    list of ndarray
        ``n_features`` increasing float64 arrays; a value ``x`` falls in bin
        :math:`b = \\#\\{t_j < x\\}`, so bin ``b`` holds :math:`t_{b-1} < x \\le t_b`.
    """
    if X.shape[0] > _SUBSAMPLE:
        X = X[rng.choice(X.shape[0], _SUBSAMPLE, replace=False)]
    edges = []
    q = np.linspace(0, 100, max_bins + 1)[1:-1]
    for col in X.T:
        u = np.unique(col)
        if len(u) <= max_bins:
            t = (u[:-1] + u[1:]) / 2.0
        else:
            t = np.unique(np.percentile(col, q, method="midpoint"))
        edges.append(np.ascontiguousarray(t, dtype=np.float64))
    return edges


def apply_bins(X: np.ndarray, edges: list[np.ndarray]) -> np.ndarray:
    """Bin codes of ``X`` (n_samples, n_features) as a uint8 array of the same shape."""
    out = np.empty(X.shape, dtype=np.uint8)
    for j, t in enumerate(edges):
        out[:, j] = np.searchsorted(t, X[:, j], side="left")
    return out


class _Grower:
    """Grow one tree on fixed binned data; per-tree gradients are passed to :meth:`grow`."""

    def __init__(
        self,
        Xb: np.ndarray,
        n_bins: int,
        *,
        max_leaf_nodes: int | None,
        max_depth: int | None,
        min_samples_leaf: int,
        l2: float,
    ) -> None:
        self.XbT = np.ascontiguousarray(Xb.T)  # (F, n): a feature's codes are contiguous
        n, F = Xb.shape
        self.F, self.B = F, n_bins
        # flat histogram index of every (sample, feature): one pass covers all features
        self.flat = Xb.astype(np.intp) + (np.arange(F, dtype=np.intp) * n_bins)
        # the same as a one-hot (n, F * n_bins) sparse matrix: a node's histograms of
        # (g, h, 1) are one sparse product, ``onehot[idx].T @ [g, h, 1][idx]``
        from scipy.sparse import csr_matrix

        self.onehot = csr_matrix(
            (np.ones(n * F), self.flat.ravel(), np.arange(0, n * F + 1, F)), shape=(n, F * n_bins)
        )
        self.onehot_t = self.onehot.T.tocsr()  # for the root: one product, no row slicing
        self.max_leaf_nodes = max_leaf_nodes if max_leaf_nodes is not None else np.inf
        self.max_depth = max_depth if max_depth is not None else np.inf
        self.msl = min_samples_leaf
        self.l2 = l2

    def _hist(self, idx: np.ndarray | None) -> np.ndarray:
        """Histograms of (g, h, 1) over the rows ``idx``: shape (n_features, n_bins, 3).

        .. math:: \\text{hist}_{f,b} = \\sum_{i \\in \\text{node}} [x_{if} = b] \\, (g_i, h_i, 1)
        """
        if idx is None:
            hist = self.onehot_t @ self.W
        else:
            hist = self.onehot[idx].T @ self.W[idx]
        return hist.reshape(self.F, self.B, 3)

    def _can_split(self, n: int, depth: int) -> bool:
        return depth < self.max_depth and n >= 2 * self.msl and self.B >= 2

    def _best_split(self, node: dict) -> None:
        """Store the best (feature, bin, gain) of ``node`` (gain -inf when it cannot split)."""
        node["gain"] = -np.inf
        n, msl = node["n"], self.msl
        if not self._can_split(n, node["depth"]):
            return
        G, H, l2 = node["G"], node["H"], self.l2
        left = np.cumsum(node["hist"][:, :-1], axis=1)  # (F, B - 1, 3): left of each edge
        GL, HL, CL = left[..., 0], left[..., 1], left[..., 2]
        GR, HR, CR = G - GL, H - HL, n - CL
        ok = (CL >= msl) & (CR >= msl) & (HL >= _MIN_HESSIAN) & (HR >= _MIN_HESSIAN)
        if not ok.any():
            return
        with np.errstate(divide="ignore", invalid="ignore"):
            gain = np.where(ok, GL * GL / (HL + l2) + GR * GR / (HR + l2), -np.inf)
        k = int(np.argmax(gain))
        f, b = divmod(k, self.B - 1)
        best = gain[f, b] - G * G / (H + l2) if H + l2 > 0 else gain[f, b]
        if best > 0:
            node["gain"], node["feature"], node["bin"] = best, f, b

    def _node(self, idx: np.ndarray, depth: int, hist: np.ndarray | None) -> dict:
        """A node with its sums; ``hist`` None means it cannot split (sums from the rows)."""
        node = {"idx": idx, "n": len(idx), "depth": depth, "hist": hist}
        if hist is None:
            node["G"], node["H"] = float(self.W[idx, 0].sum()), float(self.W[idx, 1].sum())
            node["gain"] = -np.inf
        else:
            node["G"], node["H"] = float(hist[0, :, 0].sum()), float(hist[0, :, 1].sum())
            self._best_split(node)
        return node

    def grow(
        self, g: np.ndarray, h: np.ndarray | float, learning_rate: float, raw: np.ndarray
    ) -> dict[str, Any]:
        """Grow a tree on gradients ``g`` (n,) and hessians ``h`` ((n,) or a constant).

        Adds the tree's output to ``raw`` (n,) in place and returns the tree as a dict of arrays
        (``feature``, ``bin``, ``left``, ``right``, ``value``) plus its ``depth``. A leaf points
        to itself (``left == right == node``) and has ``feature == 0``.
        """
        n = self.XbT.shape[1]
        self.W = np.empty((n, 3))
        self.W[:, 0], self.W[:, 1], self.W[:, 2] = g, h, 1.0
        feature, bins, left, right, value, depth = [0], [0], [0], [0], [0.0], [0]
        root = self._node(np.arange(n), 0, self._hist(None))
        root["id"] = 0
        heap: list = []
        leaves = []
        tick = 0
        if root["gain"] > 0:
            heap.append((-root["gain"], tick, root))
        else:
            leaves.append(root)
        n_leaves = 1
        while heap and n_leaves < self.max_leaf_nodes:
            _, _, node = heapq.heappop(heap)
            f, b, idx = node["feature"], node["bin"], node["idx"]
            go_left = self.XbT[f, idx] <= b
            li, ri = idx[go_left], idx[~go_left]
            small, large = (li, ri) if len(li) <= len(ri) else (ri, li)
            n_leaves += 1
            d = node["depth"] + 1
            # children that will never split need no histograms (nor does the last split's)
            last = n_leaves >= self.max_leaf_nodes
            hs = hl = None
            if not last and (self._can_split(len(small), d) or self._can_split(len(large), d)):
                hs = self._hist(small)
                hl = node["hist"] - hs
            node["hist"] = None  # free the parent's histograms
            a = self._node(small, d, hs)
            c = self._node(large, d, hl)
            lnode, rnode = (a, c) if small is li else (c, a)
            nid = node["id"]
            feature[nid], bins[nid] = f, b
            for child, links in ((lnode, left), (rnode, right)):
                child["id"] = len(feature)
                links[nid] = child["id"]
                feature.append(0)
                bins.append(0)
                left.append(child["id"])
                right.append(child["id"])
                value.append(0.0)
                depth.append(child["depth"])
                if child["gain"] > 0:
                    tick += 1
                    heapq.heappush(heap, (-child["gain"], tick, child))
                else:
                    leaves.append(child)
        leaves.extend(item[2] for item in heap)
        denom_eps = np.finfo(np.float64).tiny
        for leaf in leaves:
            v = -learning_rate * leaf["G"] / max(leaf["H"] + self.l2, denom_eps)
            value[leaf["id"]] = v
            raw[leaf["idx"]] += v
        return {
            "feature": np.asarray(feature, dtype=np.intp),
            "bin": np.asarray(bins, dtype=np.intp),
            "left": np.asarray(left, dtype=np.intp),
            "right": np.asarray(right, dtype=np.intp),
            "value": np.asarray(value, dtype=np.float64),
            "depth": int(max(depth)),
        }


def tree_predict(tree: dict[str, Any], X: np.ndarray, out: np.ndarray) -> None:
    """Add the tree's leaf values for the rows of ``X`` (n_samples, n_features) to ``out`` (n,).

    ``tree["threshold"]`` holds each node's real-valued edge: a row goes left when
    :math:`x_f \\le t`.
    """
    n = X.shape[0]
    node = np.zeros(n, dtype=np.intp)
    rows = np.arange(n)
    feat, thr, left, right = tree["feature"], tree["threshold"], tree["left"], tree["right"]
    for _ in range(tree["depth"]):
        go_left = X[rows, feat[node]] <= thr[node]
        node = np.where(go_left, left[node], right[node])
    out += tree["value"][node]
