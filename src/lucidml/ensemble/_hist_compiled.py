"""Optional compiled kernels for histogram gradient boosting (needs numba: ``lucidml[fast]``).

The same computations as the NumPy code in :mod:`lucidml.ensemble._hist`, written as loops: a
node's (gradient, hessian, count) histograms, the best split of a node, the stable partition of a
node's rows, and the raw-score prediction of a whole forest of trees. Every sum runs in the same
order as its NumPy counterpart (``np.bincount`` and ``np.cumsum`` add sequentially), so both paths
grow the very same trees; the NumPy code stays as the fallback and the oracle of the tests.

The histogram and prediction kernels run over features (rows) in parallel when numba has a
thread-safe threading layer (TBB or OpenMP), and serially otherwise. Every kernel releases the
GIL, and the compilation is cached on disk (``cache=True``), so it is paid once per machine.
"""

from __future__ import annotations

import importlib.util

import numpy as np

__all__ = ["AVAILABLE", "kernels"]

AVAILABLE = importlib.util.find_spec("numba") is not None

_KERNELS: dict | None = None


def _thread_safe_layer() -> bool:
    """True when numba's default threading layer will be TBB or OpenMP (both thread-safe)."""
    for module in ("numba.np.ufunc.tbbpool", "numba.np.ufunc.omppool"):
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - any failure means the layer is unusable
            continue
        return True
    return False


def _build() -> dict:
    import numba

    parallel = _thread_safe_layer()
    prange = numba.prange if parallel else range

    @numba.njit(nogil=True, parallel=parallel, cache=True)
    def hist_node(XbT, order, start, stop, g, h, out):  # pragma: no cover - compiled
        # out[f, b] = sum over the node's rows i with XbT[f, i] == b of (g_i, h_i, 1)
        F, B = out.shape[0], out.shape[1]
        m = stop - start
        rows = order[start:stop]
        gg = np.empty(m)
        hh = np.empty(m)
        for i in range(m):
            gg[i] = g[rows[i]]
            hh[i] = h[rows[i]]
        for f in prange(F):
            for b in range(B):
                out[f, b, 0] = 0.0
                out[f, b, 1] = 0.0
                out[f, b, 2] = 0.0
            codes = XbT[f]
            for i in range(m):
                b = codes[rows[i]]
                out[f, b, 0] += gg[i]
                out[f, b, 1] += hh[i]
                out[f, b, 2] += 1.0

    @numba.njit(nogil=True, cache=True)
    def best_split(hist, G, H, n, n_real, has_missing, msl, min_h, l2):  # pragma: no cover
        # scan (feature, direction, bin) in the order of the NumPy argmax and keep the first
        # best: bins ascending with the missing values right, then descending with them left
        F, B = hist.shape[0], hist.shape[1]
        cum = np.empty((B - 1, 3))
        best, bf, bd, bb = -np.inf, -1, 0, 0
        for f in range(F):
            gl, hl, cl = 0.0, 0.0, 0.0
            for b in range(B - 1):  # the real bins left of each edge, as np.cumsum adds them
                gl += hist[f, b, 0]
                hl += hist[f, b, 1]
                cl += hist[f, b, 2]
                cum[b, 0], cum[b, 1], cum[b, 2] = gl, hl, cl
            mg, mh, mc = hist[f, B - 1, 0], hist[f, B - 1, 1], hist[f, B - 1, 2]
            for d in range(2):
                if d == 1 and not has_missing[f]:
                    continue
                last = n_real[f] - 1 + (1 if (has_missing[f] and d == 0) else 0)
                for j in range(last):
                    b = j if d == 0 else last - 1 - j
                    GL, HL, CL = cum[b, 0], cum[b, 1], cum[b, 2]
                    if d == 1:
                        GL, HL, CL = GL + mg, HL + mh, CL + mc
                    GR, HR, CR = G - GL, H - HL, n - CL
                    if CL >= msl and CR >= msl and HL >= min_h and HR >= min_h:
                        gain = GL * GL / (HL + l2) + GR * GR / (HR + l2)
                        if gain > best:
                            best, bf, bd, bb = gain, f, d, b
        return best, bf, bd, bb

    @numba.njit(nogil=True, cache=True)
    def partition(
        XbT, order, start, stop, f, b, missing_left, missing_bin, buf
    ):  # pragma: no cover
        # stable: the left rows first, then the right rows, each in their old order
        codes = XbT[f]
        nl = 0
        nr = 0
        for i in range(start, stop):
            s = order[i]
            c = codes[s]
            if c <= b or (missing_left and c == missing_bin):
                order[start + nl] = s
                nl += 1
            else:
                buf[nr] = s
                nr += 1
        for i in range(nr):
            order[start + nl + i] = buf[i]
        return nl

    @numba.njit(nogil=True, parallel=parallel, cache=True)
    def predict_forest(X, feature, threshold, missing_left, left, right, value, roots, cols, raw):
        # raw[i, cols[t]] += value of the leaf of row i in tree t, trees in order
        n = X.shape[0]
        for i in prange(n):  # pragma: no cover - compiled
            for t in range(roots.shape[0]):
                node = roots[t]
                while left[node] != node:
                    x = X[i, feature[node]]
                    if np.isnan(x):
                        go_left = missing_left[node]
                    else:
                        go_left = x <= threshold[node]
                    node = left[node] if go_left else right[node]
                raw[i, cols[t]] += value[node]

    return {
        "hist_node": hist_node,
        "best_split": best_split,
        "partition": partition,
        "predict_forest": predict_forest,
    }


def kernels() -> dict:
    """The compiled kernels (compiled, or loaded from the disk cache, on first use)."""
    global _KERNELS
    if _KERNELS is None:
        _KERNELS = _build()
    return _KERNELS
