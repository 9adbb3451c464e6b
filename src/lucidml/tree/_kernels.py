"""The numba kernel behind :mod:`lucidml.tree._compiled` (imported only when numba is installed).

Kept at module level, with module-level constants, so that numba's on-disk cache (``cache=True``)
recognises it in every new process.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from ._criteria import LN2, LN_COEFS, SQRT_HALF

_C_LN = np.array(LN_COEFS)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_EPS = float(np.finfo(np.float64).eps)
_THR_GAP = np.float32(1e-7)
_SIGN = np.uint32(0x80000000)
_DIGIT = np.uint32(0x7FF)


@numba.njit(cache=True, inline="always")
def _ln(a):
    m, e = math.frexp(a)
    if m < SQRT_HALF:
        m = m * 2.0
        e = e - 1
    s = (m - 1.0) / (m + 1.0)
    s2 = s * s
    p = _C_LN[0]
    for i in range(1, _C_LN.shape[0]):
        p = p * s2 + _C_LN[i]
    return np.float64(e) * LN2 + s * p


@numba.njit(cache=True, inline="always")
def _xlogx(a):
    return a * _ln(a if a > 0 else 1.0)


@numba.njit(cache=True, inline="always")
def _impurity(crit, st, w, q):
    ww = w if w > 0 else 1.0
    if crit == 0:
        p = st[0] / ww
        acc = p * p
        for k in range(1, st.shape[0]):
            p = st[k] / ww
            acc = acc + p * p
        return 1.0 - acc
    if crit == 1:
        acc = _xlogx(st[0] / ww)
        for k in range(1, st.shape[0]):
            acc = acc + _xlogx(st[k] / ww)
        return -acc / LN2
    mean = st[0] / ww
    v = q / ww - mean * mean
    return v if v > 0.0 else 0.0


@numba.njit(cache=True, nogil=True)
def _stable_argsort(x, out):
    """``out[:] = np.argsort(x, kind="stable")`` for float32 ``x`` without NaN: LSD radix sort.

    The float bits are mapped to unsigned keys in the same order (``-0.0`` counts as ``0.0``),
    then sorted by three stable counting passes of 11, 11 and 10 bits.
    """
    n = x.shape[0]
    xz = x + np.float32(0.0)
    bits = xz.view(np.uint32)
    keys = np.empty(n, dtype=np.uint32)
    for i in range(n):
        b = bits[i]
        keys[i] = (b ^ _SIGN) if (b & _SIGN) == 0 else ~b
    idx = np.arange(n)
    tmp_idx = np.empty(n, dtype=np.intp)
    tmp_keys = np.empty(n, dtype=np.uint32)
    count = np.empty(2049, dtype=np.intp)
    for shift in (0, 11, 22):
        sh = np.uint32(shift)
        count[:] = 0
        for i in range(n):
            count[((keys[i] >> sh) & _DIGIT) + 1] += 1
        if count.max() == n:  # every key has the same digit here: nothing moves
            continue
        for d in range(1, 2049):
            count[d] += count[d - 1]
        for i in range(n):
            d = (keys[i] >> sh) & _DIGIT
            j = count[d]
            count[d] = j + 1
            tmp_idx[j] = idx[i]
            tmp_keys[j] = keys[i]
        idx, tmp_idx = tmp_idx, idx
        keys, tmp_keys = tmp_keys, keys
    out[:] = idx


@numba.njit(cache=True, nogil=True)
def grow_kernel(
    Xt,
    S,
    W,
    Q,
    crit,
    root_stats,
    root_w,
    root_q,
    root_imp,
    max_depth,
    mss,
    msl,
    mid,
    mwl,
    max_features,
    feat_order,
    seed,
    exact,
):
    """Level-by-level CART growth, loop for loop the NumPy ``_grow`` (see the module doc).

    ``exact`` says that every statistic and weight is a whole number, so that prefix sums may be
    restarted at each node (and skipped for the nodes that do not try a feature) without changing
    a bit of the result. Returns the flat node arrays ``(children_left, children_right, feature,
    threshold, stats, impurity, n_node_samples, weighted_n_node_samples)``.
    """
    p, n = Xt.shape
    K = S.shape[1]
    has_q = Q.shape[0] > 0
    cap = 2 * n + 1
    left_arr = np.full(cap, -1, dtype=np.intp)
    right_arr = np.full(cap, -1, dtype=np.intp)
    feature = np.full(cap, -2, dtype=np.intp)
    threshold = np.full(cap, -2.0)
    stats = np.zeros((cap, K))
    imp = np.zeros(cap)
    n_node = np.zeros(cap, dtype=np.intp)
    w_node = np.zeros(cap)
    stats[0] = root_stats
    imp[0] = root_imp
    n_node[0] = n
    w_node[0] = root_w
    n_nodes = 1
    w_root = root_w

    def_ok = (n >= mss) and (n >= 2 * msl) and (root_imp > _EPS) and (0 < max_depth)
    if not (def_ok and root_w >= 2 * mwl):
        n_nodes = 0
    if n_nodes == 0:
        return (
            left_arr[:1],
            right_arr[:1],
            feature[:1],
            threshold[:1],
            stats[:1],
            imp[:1],
            n_node[:1],
            w_node[:1],
        )

    order = np.empty((p, n), dtype=np.intp)
    for f in range(p):
        _stable_argsort(Xt[f], order[f])
    new_order = np.empty((p, n), dtype=np.intp)

    # Active segments of the current level.
    A = 1
    seg_node = np.zeros(1, dtype=np.intp)
    seg_start = np.zeros(1, dtype=np.intp)
    seg_len = np.full(1, n, dtype=np.intp)
    seg_stats = root_stats.reshape(1, K).copy()
    seg_w = np.full(1, root_w)
    seg_imp = np.full(1, root_imp)
    m = n
    depth = 0
    cs = np.zeros(K)
    base = np.zeros(K)
    left_st = np.zeros(K)
    right_st = np.zeros(K)
    seg_of = np.full(n, -1, dtype=np.intp)
    go_left = np.zeros(n, dtype=np.bool_)
    keys = np.empty(p, dtype=np.uint64)
    while A > 0:
        allowed = np.ones((A, p), dtype=np.bool_)
        if max_features < p:
            allowed[:] = False
            for a in range(A):
                for f in range(p):
                    z = np.uint64(seg_node[a]) * np.uint64(p) + np.uint64(f + 1)
                    z = z * _GOLDEN + seed
                    z = (z ^ (z >> _S30)) * _MIX1
                    z = (z ^ (z >> _S27)) * _MIX2
                    keys[f] = z ^ (z >> _S31)
                drawn = np.argsort(keys, kind="mergesort")
                for j in range(max_features):
                    allowed[a, drawn[j]] = True
        best = np.full(A, -np.inf)
        best_feat = np.full(A, -1, dtype=np.intp)
        best_thr = np.zeros(A)
        for fi in range(p):
            f = feat_order[fi]
            any_allowed = False
            for a in range(A):
                if allowed[a, f]:
                    any_allowed = True
                    break
            if not any_allowed:
                continue
            idx = order[f]
            xf = Xt[f]
            # Running sums over the whole level, as np.cumsum does.
            for k in range(K):
                cs[k] = 0.0
            cw = 0.0
            for a in range(A):
                st = seg_start[a]
                ln_ = seg_len[a]
                ok_seg = allowed[a, f]
                if exact:
                    # Integer sums are exact in any order: sum this segment alone, or skip it.
                    if not ok_seg:
                        continue
                    for k in range(K):
                        cs[k] = 0.0
                    cw = 0.0
                for k in range(K):
                    base[k] = cs[k]
                base_w = cw
                sm = -np.inf
                first = -1
                for t in range(ln_):
                    i = idx[st + t]
                    for k in range(K):
                        cs[k] = cs[k] + S[i, k]
                    cw = cw + W[i]
                    if not ok_seg:
                        continue
                    n_left = t + 1
                    if n_left < msl or ln_ - n_left < msl or t == ln_ - 1:
                        continue
                    wl = cw - base_w
                    wr = seg_w[a] - wl
                    if not (wl > 0 and wr > 0 and wl >= mwl and wr >= mwl):
                        continue
                    if not (xf[idx[st + t + 1]] > xf[i] + _THR_GAP):
                        continue
                    for k in range(K):
                        left_st[k] = cs[k] - base[k]
                        right_st[k] = seg_stats[a, k] - left_st[k]
                    if crit == 1:
                        accl = _xlogx(left_st[0])
                        accr = _xlogx(right_st[0])
                        for k in range(1, K):
                            accl = accl + _xlogx(left_st[k])
                            accr = accr + _xlogx(right_st[k])
                        pr = accl - _xlogx(wl) + accr - _xlogx(wr)
                    else:
                        accl = left_st[0] * left_st[0]
                        accr = right_st[0] * right_st[0]
                        for k in range(1, K):
                            accl = accl + left_st[k] * left_st[k]
                            accr = accr + right_st[k] * right_st[k]
                        pr = accl / wl + accr / wr
                    if pr > sm:
                        sm = pr
                        first = st + t
                if first >= 0 and sm > best[a]:
                    lo = np.float64(xf[idx[first]])
                    hi = np.float64(xf[idx[first + 1]])
                    thr = lo / 2.0 + hi / 2.0
                    if thr == hi or not np.isfinite(thr):
                        thr = lo
                    best[a] = sm
                    best_feat[a] = f
                    best_thr[a] = thr

        # Route the samples (in feature 0's layout) and sum the children's statistics.
        idx0 = order[0]
        lstats = np.zeros((A, K))
        lw = np.zeros(A)
        lq = np.zeros(A)
        tq = np.zeros(A)
        lcount = np.zeros(A, dtype=np.intp)
        for a in range(A):
            bf = best_feat[a] if best_feat[a] >= 0 else 0
            thr = best_thr[a]
            xf = Xt[bf]
            for t in range(seg_start[a], seg_start[a] + seg_len[a]):
                i = idx0[t]
                g = np.float64(xf[i]) <= thr
                go_left[i] = g
                if has_q:
                    tq[a] = tq[a] + Q[i]
                if g:
                    lcount[a] += 1
                    lw[a] = lw[a] + W[i]
                    for k in range(K):
                        lstats[a, k] = lstats[a, k] + S[i, k]
                    if has_q:
                        lq[a] = lq[a] + Q[i]
        J = 0
        acc_slot = np.full(A, -1, dtype=np.intp)
        n_ok = 0
        child_ok = np.zeros(2 * A, dtype=np.bool_)
        for a in range(A):
            rstats = seg_stats[a] - lstats[a]
            rw = seg_w[a] - lw[a]
            rq = tq[a] - lq[a]
            rcount = seg_len[a] - lcount[a]
            limp = _impurity(crit, lstats[a], lw[a], lq[a])
            rimp = _impurity(crit, rstats, rw, rq)
            sw = seg_w[a]
            improvement = (sw / w_root) * (
                seg_imp[a] - lw[a] / sw * limp - rw / (sw if sw > 0 else 1.0) * rimp
            )
            if not (best_feat[a] >= 0 and lcount[a] > 0 and rcount > 0):
                continue
            if not (improvement + _EPS >= mid):
                continue
            node = seg_node[a]
            lid = n_nodes
            left_arr[node] = lid
            right_arr[node] = lid + 1
            feature[node] = best_feat[a]
            threshold[node] = best_thr[a]
            stats[lid] = lstats[a]
            stats[lid + 1] = rstats
            w_node[lid] = lw[a]
            w_node[lid + 1] = rw
            n_node[lid] = lcount[a]
            n_node[lid + 1] = rcount
            imp[lid] = limp
            imp[lid + 1] = rimp
            n_nodes += 2
            acc_slot[a] = J
            for side in range(2):
                c = lid + side
                ok = (
                    n_node[c] >= mss
                    and n_node[c] >= 2 * msl
                    and imp[c] > _EPS
                    and depth + 1 < max_depth
                    and w_node[c] >= 2 * mwl
                )
                child_ok[2 * J + side] = ok
                if ok:
                    n_ok += 1
            J += 1
        if J == 0:
            break
        depth += 1
        if n_ok == 0:
            break
        # Next level's segments, and each sample's destination.
        new_node = np.empty(n_ok, dtype=np.intp)
        new_start = np.empty(n_ok, dtype=np.intp)
        new_len = np.empty(n_ok, dtype=np.intp)
        new_stats = np.empty((n_ok, K))
        new_w = np.empty(n_ok)
        new_imp = np.empty(n_ok)
        local = np.full(2 * J, -1, dtype=np.intp)
        first_child = n_nodes - 2 * J
        j = 0
        pos = 0
        for c2 in range(2 * J):
            if child_ok[c2]:
                c = first_child + c2
                local[c2] = j
                new_node[j] = c
                new_start[j] = pos
                new_len[j] = n_node[c]
                new_stats[j] = stats[c]
                new_w[j] = w_node[c]
                new_imp[j] = imp[c]
                pos += n_node[c]
                j += 1
        for a in range(A):
            sl = acc_slot[a]
            for t in range(seg_start[a], seg_start[a] + seg_len[a]):
                i = idx0[t]
                if sl < 0:
                    seg_of[i] = -1
                else:
                    seg_of[i] = local[2 * sl + (0 if go_left[i] else 1)]
        fill = np.empty(n_ok, dtype=np.intp)
        for f in range(p):
            fill[:] = new_start
            idx = order[f]
            for t in range(m):
                i = idx[t]
                k2 = seg_of[i]
                if k2 >= 0:
                    new_order[f, fill[k2]] = i
                    fill[k2] += 1
        order, new_order = new_order, order
        A = n_ok
        m = pos
        seg_node = new_node
        seg_start = new_start
        seg_len = new_len
        seg_stats = new_stats
        seg_w = new_w
        seg_imp = new_imp

    return (
        left_arr[:n_nodes],
        right_arr[:n_nodes],
        feature[:n_nodes],
        threshold[:n_nodes],
        stats[:n_nodes],
        imp[:n_nodes],
        n_node[:n_nodes],
        w_node[:n_nodes],
    )
