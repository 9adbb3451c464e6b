"""Trees and ensembles against scikit-learn on the same data, in one process (issue 4 targets).

Each row fits both libraries on identical synthetic data (``make_classification``-like: informative
Gaussian clusters), interleaved, best of N, and reports lucidml / scikit-learn time (below 1 means
lucidml is faster) and held-out accuracy (R^2 for the regression row). lucidml's trees use the
numba-compiled builder when numba is installed (the ``fast`` extra); ``LUCIDML_TREE_NUMPY=1`` times
the NumPy builder instead.

    python benchmarks/trees.py [--repeat 3] [--wait-idle 0] [--quick]
"""

from __future__ import annotations

import argparse

from _common import fmt_ratio, interleaved_best, machine_report, print_table


def _data(n: int, d: int, seed: int = 0):
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n, n_features=d, n_informative=10, n_redundant=5, random_state=seed
    )
    cut = int(0.8 * n)
    return X[:cut], X[cut:], y[:cut], y[cut:]


def _row(name, res, Xte, yte):
    (t_l, m_l), (t_s, m_s) = res["lucidml"], res["sklearn"]
    return [
        name,
        f"{t_l:.3f}",
        f"{t_s:.3f}",
        fmt_ratio(t_l / t_s),
        f"{m_l.score(Xte, yte):.4f}",
        f"{m_s.score(Xte, yte):.4f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--wait-idle", type=float, default=0.0)
    parser.add_argument("--quick", action="store_true", help="problems 10x smaller")
    args = parser.parse_args()
    s = 10 if args.quick else 1
    r, w = args.repeat, args.wait_idle
    for line in machine_report():
        print(line)
    # The compiled tree builder (numba, optional) is cached on disk; its first load in this
    # process is paid here, outside the timings.
    import time

    import numpy as np

    from lucidml.tree import DecisionTreeClassifier as _Warm
    from lucidml.tree import _compiled

    t0 = time.perf_counter()
    _Warm().fit(np.arange(8.0)[:, None], np.arange(8) % 2)
    print(
        f"tree builder: {'compiled (numba)' if _compiled.use_compiled('gini') else 'NumPy'}, "
        f"first fit (load or compile) {time.perf_counter() - t0:.2f} s"
    )

    from sklearn.datasets import make_regression
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.ensemble import RandomForestClassifier as SkForest
    from sklearn.tree import DecisionTreeClassifier as SkTree
    from sklearn.tree import DecisionTreeRegressor as SkTreeReg

    from lucidml.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from lucidml.tree import DecisionTreeClassifier, DecisionTreeRegressor

    rows = []
    Xtr, Xte, ytr, yte = _data(100_000 // s, 20)
    res = interleaved_best(
        [
            ("lucidml", lambda: DecisionTreeClassifier(random_state=0).fit(Xtr, ytr), None),
            ("sklearn", lambda: SkTree(random_state=0).fit(Xtr, ytr), None),
        ],
        repeat=r,
        wait_idle=w,
    )
    rows.append(_row(f"DecisionTreeClassifier fit, {len(ytr):,} x 20", res, Xte, yte))

    Xtr2, Xte2, ytr2, yte2 = _data(25_000 // s, 20, seed=1)
    res = interleaved_best(
        [
            (
                "lucidml",
                lambda: RandomForestClassifier(100, n_jobs=2, random_state=0).fit(Xtr2, ytr2),
                None,
            ),
            ("sklearn", lambda: SkForest(100, n_jobs=2, random_state=0).fit(Xtr2, ytr2), None),
        ],
        repeat=r,
        wait_idle=w,
    )
    rows.append(
        _row(
            f"RandomForestClassifier(100 trees, n_jobs=2) fit, {len(ytr2):,} x 20", res, Xte2, yte2
        )
    )

    res = interleaved_best(
        [
            (
                "lucidml",
                lambda: DecisionTreeClassifier(max_leaf_nodes=100, random_state=0).fit(Xtr, ytr),
                None,
            ),
            ("sklearn", lambda: SkTree(max_leaf_nodes=100, random_state=0).fit(Xtr, ytr), None),
        ],
        repeat=r,
        wait_idle=w,
    )
    rows.append(
        _row(f"DecisionTreeClassifier(max_leaf_nodes=100) fit, {len(ytr):,} x 20", res, Xte, yte)
    )

    # Absolute error (median leaves): NumPy only, no compiled path. Scored by R^2.
    Xr, yr = make_regression(n_samples=5_000 // s, n_features=20, noise=10.0, random_state=0)
    Xr_tr, Xr_te, yr_tr, yr_te = Xr[:4000], Xr[4000:], yr[:4000], yr[4000:]
    res = interleaved_best(
        [
            (
                "lucidml",
                lambda: DecisionTreeRegressor(criterion="absolute_error", random_state=0).fit(
                    Xr_tr, yr_tr
                ),
                None,
            ),
            (
                "sklearn",
                lambda: SkTreeReg(criterion="absolute_error", random_state=0).fit(Xr_tr, yr_tr),
                None,
            ),
        ],
        repeat=r,
        wait_idle=w,
    )
    rows.append(
        _row(
            f"DecisionTreeRegressor(absolute_error) fit, {len(yr_tr):,} x 20 (R^2)",
            res,
            Xr_te,
            yr_te,
        )
    )

    res = interleaved_best(
        [
            ("lucidml", lambda: GradientBoostingClassifier(random_state=0).fit(Xtr, ytr), None),
            ("sklearn", lambda: HistGradientBoostingClassifier(random_state=0).fit(Xtr, ytr), None),
        ],
        repeat=r,
        wait_idle=w,
    )
    rows.append(
        _row(
            f"GradientBoostingClassifier vs HistGradientBoostingClassifier, {len(ytr):,} x 20",
            res,
            Xte,
            yte,
        )
    )
    print_table(
        [
            "task",
            "lucidml s",
            "scikit-learn s",
            "lucidml / sklearn",
            "lucidml accuracy",
            "sklearn accuracy",
        ],
        rows,
        title=f"Best of {r} interleaved runs",
    )


if __name__ == "__main__":
    main()
