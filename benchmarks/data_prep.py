"""Data preparation, feature scoring and cross-validation against scikit-learn (issue 5 targets).

Each row runs lucidml and scikit-learn on identical data in one process, interleaved, best of N,
and reports lucidml / scikit-learn time (below 1 means lucidml is faster) and how close the two
results are.

    python benchmarks/data_prep.py [--repeat 3] [--wait-idle 0] [--quick]
"""

from __future__ import annotations

import argparse

import numpy as np

from _common import fmt_ratio, interleaved_best, machine_report, print_table


def _row(name, res, agreement):
    (t_l, _), (t_s, _) = res["lucidml"], res["sklearn"]
    return [name, f"{t_l:.3f}", f"{t_s:.3f}", fmt_ratio(t_l / t_s), agreement]


def bench_standard_scaler(n, d, repeat, wait):
    from sklearn.preprocessing import StandardScaler as Sk

    from lucidml.preprocessing import StandardScaler as Lm

    X = np.random.default_rng(0).normal(3.0, 2.0, size=(n, d))
    res = interleaved_best(
        [
            ("lucidml", lambda: Lm().fit_transform(X), None),
            ("sklearn", lambda: Sk().fit_transform(X), None),
        ],
        repeat=repeat,
        wait_idle=wait,
    )
    diff = float(np.max(np.abs(res["lucidml"][1] - res["sklearn"][1])))
    return _row(f"StandardScaler fit_transform, {n:,} x {d}", res, f"max |diff| {diff:.1e}")


def bench_chi2(n, d, repeat, wait):
    from sklearn.feature_selection import chi2 as sk_chi2

    from lucidml.feature_selection import chi2 as lm_chi2

    rng = np.random.default_rng(1)
    X = rng.poisson(3.0, size=(n, d)).astype(float)
    y = rng.integers(0, 5, n)
    res = interleaved_best(
        [("lucidml", lambda: lm_chi2(X, y), None), ("sklearn", lambda: sk_chi2(X, y), None)],
        repeat=repeat,
        wait_idle=wait,
    )
    rel = float(np.max(np.abs(res["lucidml"][1][0] / res["sklearn"][1][0] - 1)))
    return _row(f"chi2, {n:,} x {d}, 5 classes", res, f"max rel. diff {rel:.1e}")


def bench_mutual_info(n, d, repeat, wait):
    from sklearn.feature_selection import mutual_info_regression as sk_mi

    from lucidml.feature_selection import mutual_info_regression as lm_mi

    rng = np.random.default_rng(2)
    X = rng.normal(size=(n, d))
    y = X[:, :5].sum(axis=1) + rng.normal(size=n)
    res = interleaved_best(
        [
            ("lucidml", lambda: lm_mi(X, y, random_state=0), None),
            ("sklearn", lambda: sk_mi(X, y, random_state=0), None),
        ],
        repeat=repeat,
        wait_idle=wait,
    )
    diff = float(np.max(np.abs(res["lucidml"][1] - res["sklearn"][1])))
    return _row(
        f"mutual_info_regression, {n:,} x {d} (continuous)", res, f"max |diff| {diff:.3f} nats"
    )


def bench_cross_val(n, d, repeat, wait):
    from sklearn.linear_model import LogisticRegression as SkLR
    from sklearn.model_selection import cross_val_score as sk_cvs

    from lucidml.linear_model import LogisticRegression as LmLR
    from lucidml.model_selection import cross_val_score as lm_cvs

    rng = np.random.default_rng(3)
    X = rng.normal(size=(n, d))
    y = (X @ rng.normal(size=d) + rng.logistic(size=n) > 0).astype(int)
    res = interleaved_best(
        [
            ("lucidml", lambda: lm_cvs(LmLR(), X, y, cv=5), None),
            ("sklearn", lambda: sk_cvs(SkLR(), X, y, cv=5), None),
        ],
        repeat=repeat,
        wait_idle=wait,
    )
    diff = float(np.max(np.abs(res["lucidml"][1] - res["sklearn"][1])))
    return _row(
        f"5-fold cross_val_score(LogisticRegression), {n:,} x {d}",
        res,
        f"max |score diff| {diff:.1e}",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--wait-idle", type=float, default=0.0)
    parser.add_argument("--quick", action="store_true", help="problems 10x smaller")
    args = parser.parse_args()
    s = 10 if args.quick else 1
    for line in machine_report():
        print(line)
    r, w = args.repeat, args.wait_idle
    rows = [
        bench_standard_scaler(1_000_000 // s, 20, r, w),
        bench_chi2(100_000 // s, 50, r, w),
        bench_mutual_info(20_000 // s, 50, r, w),
        bench_cross_val(100_000 // s, 50, r, w),
    ]
    print_table(
        ["task", "lucidml s", "scikit-learn s", "lucidml / sklearn", "agreement"],
        rows,
        title=f"Best of {r} interleaved runs",
    )


if __name__ == "__main__":
    main()
