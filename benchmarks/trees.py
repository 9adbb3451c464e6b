"""Trees and ensembles against scikit-learn on the same data, in one process (issue 4 targets).

Each row fits both libraries on identical synthetic data (``make_classification``-like: informative
Gaussian clusters), interleaved, best of N, and reports lucidml / scikit-learn time (below 1 means
lucidml is faster) and held-out accuracy.

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

    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.ensemble import RandomForestClassifier as SkForest
    from sklearn.tree import DecisionTreeClassifier as SkTree

    from lucidml.ensemble import GradientBoostingClassifier, RandomForestClassifier
    from lucidml.tree import DecisionTreeClassifier

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
