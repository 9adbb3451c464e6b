"""Histogram machinery for gradient boosting: quantile binning and best-first tree growth.

Every feature is cut once into at most ``max_bins`` quantile bins (``uint8`` codes); a missing
value (NaN) gets a bin of its own, the last one. A node's gradient, hessian and count histograms
sum its rows per (feature, bin); the larger child's histograms are the parent's minus the smaller
child's (sibling subtraction). The best split of a node maximises the second-order gain

.. math::

    \\text{gain} = \\frac{G_L^2}{H_L + \\lambda} + \\frac{G_R^2}{H_R + \\lambda}
                 - \\frac{G^2}{H + \\lambda},

found for every (feature, bin) pair by cumulative sums over the bins, once with the missing
values sent right and once (for a feature that had missing values in training) with them sent
left; a leaf holds :math:`-\\eta \\, G / (H + \\lambda)`. A feature without missing values in
training sends them, at prediction time, to the child that had more training rows.

Two engines grow the same trees: compiled kernels (:mod:`lucidml.ensemble._hist_compiled`, when
numba is installed) and NumPy. ``USE_COMPILED`` chooses; it starts False when the environment
variable ``LUCIDML_NO_NUMBA`` is set to anything but ``0`` or an empty string.
"""

from __future__ import annotations

import heapq
import os
from typing import Any

import numpy as np

from . import _hist_compiled

__all__ = ["bin_thresholds", "apply_bins", "tree_predict", "forest_predict", "USE_COMPILED"]

_MIN_HESSIAN = 1e-3  # a child needs at least this much hessian (as scikit-learn's HGB)
_SUBSAMPLE = 200_000  # rows used to find the quantiles

USE_COMPILED = _hist_compiled.AVAILABLE and os.environ.get("LUCIDML_NO_NUMBA", "") in ("", "0")


def bin_thresholds(X: np.ndarray, max_bins: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Upper bin edges of each feature, from its distinct values or its quantiles.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        float64 data without infinities; NaN (missing) values are left out of the edges.
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
        col = np.sort(col)  # NaN sorts last: drop it
        n_nan = int(np.count_nonzero(np.isnan(col)))
        if n_nan:
            col = col[:-n_nan]
        distinct = np.ones(len(col), dtype=bool)
        distinct[1:] = col[1:] != col[:-1]
        u = col[distinct]
        if len(u) <= max_bins:
            t = (u[:-1] + u[1:]) / 2.0
        else:
            t = np.unique(np.percentile(col, q, method="midpoint"))
        edges.append(np.ascontiguousarray(t, dtype=np.float64))
    return edges


def apply_bins(X: np.ndarray, edges: list[np.ndarray], missing_bin: int) -> np.ndarray:
    """Bin codes of ``X`` (n_samples, n_features), transposed: a uint8 array (n_features, n).

    NaN gets the code ``missing_bin``.
    """
    out = np.empty((X.shape[1], X.shape[0]), dtype=np.uint8)
    for j, t in enumerate(edges):
        col = X[:, j]
        out[j] = np.searchsorted(t, col, side="left")
        nan = np.isnan(col)
        if nan.any():
            out[j, nan] = missing_bin
    return out


class _Grower:
    """Grow trees on fixed binned data; per-tree gradients and hessians go to :meth:`grow`.

    Parameters
    ----------
    XbT : ndarray of uint8, shape (n_features, n_samples)
        Bin codes, one feature per row; the code ``n_bins - 1`` means missing.
    n_bins : int
        Histogram width: the most real bins of any feature, plus the missing bin.
    n_real : ndarray of shape (n_features,)
        Real (non-missing) bins of each feature.
    has_missing : ndarray of bool, shape (n_features,)
        Whether the feature had missing values in training.
    compiled : bool
        Use the compiled kernels; otherwise NumPy.
    """

    def __init__(
        self,
        XbT: np.ndarray,
        n_bins: int,
        n_real: np.ndarray,
        has_missing: np.ndarray,
        *,
        max_leaf_nodes: int | None,
        max_depth: int | None,
        min_samples_leaf: int,
        l2: float,
        compiled: bool,
    ) -> None:
        self.XbT = XbT
        F, n = XbT.shape
        self.F, self.B, self.n = F, n_bins, n
        self.missing_bin = n_bins - 1
        self.n_real = np.ascontiguousarray(n_real, dtype=np.intp)
        self.has_missing = np.ascontiguousarray(has_missing, dtype=np.bool_)
        self.max_leaf_nodes = max_leaf_nodes if max_leaf_nodes is not None else np.inf
        self.max_depth = max_depth if max_depth is not None else np.inf
        self.msl = min_samples_leaf
        self.l2 = l2
        self.compiled = compiled
        if compiled:
            self.k = _hist_compiled.kernels()
            self.buf = np.empty(n, dtype=np.intp)
        else:
            # flat histogram index of every (sample, feature): one bincount covers all features,
            # and within each bin it adds the rows in their order, as the compiled loop does
            self.flat = XbT.T.astype(np.intp) + (np.arange(F, dtype=np.intp) * n_bins)
            b = np.arange(n_bins - 1)
            last0 = self.n_real - 1 + self.has_missing
            valid0 = b[None, :] < last0[:, None]
            valid1 = (b[None, :] < (self.n_real - 1)[:, None]) & self.has_missing[:, None]
            self.valid = np.stack([valid0, valid1], axis=1)  # (F, 2, B - 1)

    # -- the two engines ------------------------------------------------------------------------

    def _hist(self, start: int, stop: int) -> np.ndarray:
        """Histograms of (g, h, 1) over the node's rows: shape (n_features, n_bins, 3).

        .. math:: \\text{hist}_{f,b} = \\sum_{i \\in \\text{node}} [x_{if} = b] \\, (g_i, h_i, 1)
        """
        out = np.empty((self.F, self.B, 3))
        if self.compiled:
            self.k["hist_node"](self.XbT, self.order, start, stop, self.g, self.h, out)
            return out
        rows = self.order[start:stop]
        flat = self.flat[rows].ravel()
        size = self.F * self.B
        out[..., 0] = np.bincount(flat, np.repeat(self.g[rows], self.F), size).reshape(self.F, -1)
        out[..., 1] = np.bincount(flat, np.repeat(self.h[rows], self.F), size).reshape(self.F, -1)
        out[..., 2] = np.bincount(flat, minlength=size).reshape(self.F, -1)
        return out

    def _scan(self, hist: np.ndarray, G: float, H: float, n: int) -> tuple[float, int, int, int]:
        """Best (gain without the parent term, feature, direction, bin); feature -1 if none."""
        if self.compiled:
            return self.k["best_split"](
                hist, G, H, float(n), self.n_real, self.has_missing, self.msl, _MIN_HESSIAN, self.l2
            )
        cum = np.cumsum(hist[:, :-1], axis=1)  # (F, B - 1, 3): the real bins left of each edge
        left = np.stack([cum, cum + hist[:, -1:, :]], axis=1)  # missing right / missing left
        GL, HL, CL = left[..., 0], left[..., 1], left[..., 2]
        GR, HR, CR = G - GL, H - HL, n - CL
        ok = self.valid & (CL >= self.msl) & (CR >= self.msl)
        ok &= (HL >= _MIN_HESSIAN) & (HR >= _MIN_HESSIAN)
        if not ok.any():
            return -np.inf, -1, 0, 0
        l2 = self.l2
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            gain = np.where(ok, GL * GL / (HL + l2) + GR * GR / (HR + l2), -np.inf)
        # ties: the lowest bin with the missing values right, else the highest with them left
        # (the order of scikit-learn's two scans)
        gain[:, 1] = gain[:, 1, ::-1]
        k = int(np.argmax(gain))
        f, rest = divmod(k, 2 * (self.B - 1))
        d, b = divmod(rest, self.B - 1)
        best = float(gain[f, d, b])
        return best, f, d, (b if d == 0 else self.B - 2 - b)

    def _partition(self, start: int, stop: int, f: int, b: int, missing_left: bool) -> int:
        """Reorder the node's rows stably, the left child's first; returns their count."""
        if self.compiled:
            return int(
                self.k["partition"](
                    self.XbT,
                    self.order,
                    start,
                    stop,
                    f,
                    b,
                    missing_left,
                    self.missing_bin,
                    self.buf,
                )
            )
        rows = self.order[start:stop]
        codes = self.XbT[f, rows]
        go_left = codes <= b
        if missing_left:
            go_left |= codes == self.missing_bin
        n_left = int(np.count_nonzero(go_left))
        self.order[start:stop] = np.concatenate([rows[go_left], rows[~go_left]])
        return n_left

    # -- best-first growth ------------------------------------------------------------------------

    def _can_split(self, n: int, depth: int) -> bool:
        return depth < self.max_depth and n >= 2 * self.msl

    def _node(self, start: int, stop: int, depth: int, hist: np.ndarray | None) -> dict:
        """A node with its sums and best split; ``hist`` None means it cannot split."""
        n = stop - start
        node = {"start": start, "stop": stop, "n": n, "depth": depth, "hist": hist, "gain": -np.inf}
        if hist is None:
            rows = self.order[start:stop]
            node["G"], node["H"] = float(self.g[rows].sum()), float(self.h[rows].sum())
            return node
        G, H = float(hist[0, :, 0].sum()), float(hist[0, :, 1].sum())
        node["G"], node["H"] = G, H
        if not self._can_split(n, depth):
            return node
        gain, f, d, b = self._scan(hist, G, H, n)
        if f < 0:
            return node
        l2 = self.l2
        best = gain - G * G / (H + l2) if H + l2 > 0 else gain
        if best > 0:
            node["gain"], node["feature"], node["missing_left"], node["bin"] = best, f, d == 1, b
        return node

    def grow(
        self, g: np.ndarray, h: np.ndarray, learning_rate: float, raw: np.ndarray
    ) -> dict[str, Any]:
        """Grow a tree on gradients ``g`` (n,) and hessians ``h`` (n,).

        Adds the tree's output to ``raw`` (n,) in place and returns the tree as a dict of arrays
        (``feature``, ``bin``, ``missing_left``, ``left``, ``right``, ``value``) plus its
        ``depth``. A leaf points to itself (``left == right == node``) and has ``feature == 0``.
        """
        self.g = np.ascontiguousarray(g, dtype=np.float64)
        self.h = np.ascontiguousarray(h, dtype=np.float64)
        n = self.n
        self.order = np.arange(n, dtype=np.intp)
        feature, bins, miss, left, right, value, depth = [0], [0], [False], [0], [0], [0.0], [0]
        root = self._node(0, n, 0, self._hist(0, n) if self._can_split(n, 0) else None)
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
            f, b, start, stop = node["feature"], node["bin"], node["start"], node["stop"]
            ml = node["missing_left"]
            n_left = self._partition(start, stop, f, b, ml)
            mid = start + n_left
            if not self.has_missing[f]:
                ml = n_left > stop - mid  # unseen missing values follow the larger child
            l_rng, r_rng = (start, mid), (mid, stop)
            small, large = (l_rng, r_rng) if n_left <= stop - mid else (r_rng, l_rng)
            n_leaves += 1
            d = node["depth"] + 1
            # children that will never split need no histograms (nor does the last split's)
            last = n_leaves >= self.max_leaf_nodes
            hs = hl = None
            n_small, n_large = small[1] - small[0], large[1] - large[0]
            if not last and (self._can_split(n_small, d) or self._can_split(n_large, d)):
                hs = self._hist(*small)
                hl = node["hist"] - hs
            node["hist"] = None  # free the parent's histograms
            a = self._node(*small, d, hs)
            c = self._node(*large, d, hl)
            lnode, rnode = (a, c) if small is l_rng else (c, a)
            nid = node["id"]
            feature[nid], bins[nid], miss[nid] = f, b, bool(ml)
            for child, links in ((lnode, left), (rnode, right)):
                child["id"] = len(feature)
                links[nid] = child["id"]
                feature.append(0)
                bins.append(0)
                miss.append(False)
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
            raw[self.order[leaf["start"] : leaf["stop"]]] += v
        return {
            "feature": np.asarray(feature, dtype=np.intp),
            "bin": np.asarray(bins, dtype=np.intp),
            "missing_left": np.asarray(miss, dtype=bool),
            "left": np.asarray(left, dtype=np.intp),
            "right": np.asarray(right, dtype=np.intp),
            "value": np.asarray(value, dtype=np.float64),
            "depth": int(max(depth)),
        }


def tree_predict(tree: dict[str, Any], X: np.ndarray, out: np.ndarray) -> None:
    """Add the tree's leaf values for the rows of ``X`` (n_samples, n_features) to ``out`` (n,).

    ``tree["threshold"]`` holds each node's real-valued edge: a row goes left when
    :math:`x_f \\le t`, and a missing value goes left when ``tree["missing_left"]``.
    """
    n = X.shape[0]
    node = np.zeros(n, dtype=np.intp)
    rows = np.arange(n)
    feat, thr, left, right = tree["feature"], tree["threshold"], tree["left"], tree["right"]
    miss = tree["missing_left"]
    for _ in range(tree["depth"]):
        x = X[rows, feat[node]]
        go_left = np.where(np.isnan(x), miss[node], x <= thr[node])
        node = np.where(go_left, left[node], right[node])
    out += tree["value"][node]


def forest_predict(trees: list[list[dict[str, Any]]], X: np.ndarray, raw: np.ndarray) -> None:
    """Add every tree's output to ``raw`` (n_samples, n_trees_per_iteration), trees in order.

    ``trees[m][k]`` adds to column ``k``. The compiled kernel and the NumPy loop add the same
    numbers in the same order.
    """
    if not trees:
        return
    if USE_COMPILED:
        flat = [(k, t) for iteration in trees for k, t in enumerate(iteration)]
        sizes = np.array([len(t["left"]) for _, t in flat])
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)

        def cat(key: str, shift: bool = False) -> np.ndarray:
            parts = [
                t[key] + o if shift else t[key] for (_, t), o in zip(flat, offsets, strict=True)
            ]
            return np.ascontiguousarray(np.concatenate(parts))

        _hist_compiled.kernels()["predict_forest"](
            np.ascontiguousarray(X, dtype=np.float64),
            cat("feature"),
            cat("threshold"),
            cat("missing_left"),
            cat("left", True),
            cat("right", True),
            cat("value"),
            offsets,
            np.array([k for k, _ in flat], dtype=np.intp),
            raw,
        )
        return
    out = np.empty(X.shape[0])
    for iteration in trees:
        for k, tree in enumerate(iteration):
            out[:] = 0.0
            tree_predict(tree, X, out)
            raw[:, k] += out
