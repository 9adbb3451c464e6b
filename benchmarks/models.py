"""lucidml's estimators against scikit-learn's on the same data, in one process (issue 3 targets).

Each row fits (and predicts) both libraries on identical synthetic data, interleaving the runs so
background load hits both alike, and reports the best time of each, the ratio lucidml / scikit-learn
(below 1 means lucidml is faster) and the quality of both (held-out accuracy or R²).

    python benchmarks/models.py [--repeat 3] [--quick]

``--quick`` shrinks every problem tenfold (a smoke test, not the recorded table).
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np

from _common import fmt_ratio, interleaved_best, machine_report, print_table

WAIT_IDLE = 0.0  # set from --wait-idle


def _classification(n: int, d: int, k: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian features, labels from a noisy linear teacher (k classes)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((d, k))
    logits = X @ W + rng.gumbel(size=(n, k))
    return X, logits.argmax(axis=1)


def _split(X: np.ndarray, y: np.ndarray, frac: float = 0.8):
    cut = int(len(y) * frac)
    return X[:cut], X[cut:], y[:cut], y[cut:]


def bench_logistic(n: int, d: int, k: int, repeat: int) -> list:
    from sklearn.linear_model import LogisticRegression as Sk

    from lucidml.linear_model import LogisticRegression as Lm

    X, y = _classification(n, d, k)
    Xtr, Xte, ytr, yte = _split(X, y)
    res = interleaved_best(
        [
            ("lucidml", lambda: Lm().fit(Xtr, ytr), None),
            ("sklearn", lambda: Sk().fit(Xtr, ytr), None),
        ],
        repeat=repeat,
        wait_idle=WAIT_IDLE,
    )
    (t_l, m_l), (t_s, m_s) = res["lucidml"], res["sklearn"]
    name = f"LogisticRegression fit, {'binary' if k == 2 else f'{k} classes'}, {n:,} x {d}"
    return [
        name,
        f"{t_l:.3f}",
        f"{t_s:.3f}",
        fmt_ratio(t_l / t_s),
        f"{m_l.score(Xte, yte):.4f}",
        f"{m_s.score(Xte, yte):.4f}",
    ]


def bench_gaussian_nb(n: int, d: int, repeat: int) -> list:
    from sklearn.naive_bayes import GaussianNB as Sk

    from lucidml.naive_bayes import GaussianNB as Lm

    X, y = _classification(n, d, 2, seed=1)

    def run(cls):
        model = cls().fit(X, y)
        return model, model.predict_proba(X)

    res = interleaved_best(
        [("lucidml", lambda: run(Lm), None), ("sklearn", lambda: run(Sk), None)], repeat=repeat
    )
    (t_l, (m_l, p_l)), (t_s, (m_s, p_s)) = res["lucidml"], res["sklearn"]
    acc_l = float(np.mean(m_l.classes_[p_l.argmax(1)] == y))
    acc_s = float(np.mean(m_s.classes_[p_s.argmax(1)] == y))
    return [
        f"GaussianNB fit + predict_proba, {n:,} x {d}",
        f"{t_l:.3f}",
        f"{t_s:.3f}",
        fmt_ratio(t_l / t_s),
        f"{acc_l:.4f}",
        f"{acc_s:.4f}",
    ]


def bench_knn(n_train: int, n_query: int, d: int, metric: str, repeat: int) -> list:
    from sklearn.neighbors import KNeighborsClassifier as Sk

    from lucidml.neighbors import KNeighborsClassifier as Lm

    X, y = _classification(n_train + n_query, d, 3, seed=2)
    Xtr, Xq, ytr, yq = X[:n_train], X[n_train:], y[:n_train], y[n_train:]
    lm = Lm(metric=metric).fit(Xtr, ytr)
    sk = Sk(metric=metric, algorithm="brute").fit(Xtr, ytr)
    res = interleaved_best(
        [("lucidml", lambda: lm.predict(Xq), None), ("sklearn", lambda: sk.predict(Xq), None)],
        repeat=repeat,
        wait_idle=WAIT_IDLE,
    )
    (t_l, p_l), (t_s, p_s) = res["lucidml"], res["sklearn"]
    return [
        f"k-NN predict ({metric}), {n_train:,} train x {n_query:,} queries x {d}",
        f"{t_l:.3f}",
        f"{t_s:.3f}",
        fmt_ratio(t_l / t_s),
        f"{np.mean(p_l == yq):.4f}",
        f"{np.mean(p_s == yq):.4f}",
    ]


def bench_mlp_epoch(n: int, solver: str, repeat: int) -> list:
    from sklearn.exceptions import ConvergenceWarning as SkConvergence
    from sklearn.neural_network import MLPClassifier as Sk

    from lucidml.exceptions import ConvergenceWarning
    from lucidml.nn import MLPClassifier as Lm

    X, y = _classification(n, 784, 10, seed=3)
    X = X.astype(np.float32)  # both libraries then train in float32
    common = dict(
        hidden_layer_sizes=(256, 128),
        batch_size=128,
        max_iter=1,
        alpha=0.0,
        learning_rate_init=0.01 if solver == "sgd" else 0.001,
        random_state=0,
        shuffle=True,
        tol=0.0,
    )
    extra = dict(momentum=0.0, nesterovs_momentum=False) if solver == "sgd" else {}

    def fit(cls):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SkConvergence)
            warnings.simplefilter("ignore", ConvergenceWarning)
            return cls(solver=solver, **common, **extra).fit(X, y)

    res = interleaved_best(
        [("lucidml", lambda: fit(Lm), None), ("sklearn", lambda: fit(Sk), None)], repeat=repeat
    )
    (t_l, m_l), (t_s, m_s) = res["lucidml"], res["sklearn"]
    return [
        f"MLPClassifier one epoch ({solver}), 784-256-128-10, batch 128, {n:,} rows",
        f"{t_l:.3f}",
        f"{t_s:.3f}",
        fmt_ratio(t_l / t_s),
        f"{m_l.score(X, y):.4f}",
        f"{m_s.score(X, y):.4f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="problems 10x smaller")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        help="before each timed round, wait up to this many seconds for a quiet CPU",
    )
    args = parser.parse_args()
    global WAIT_IDLE
    WAIT_IDLE = args.wait_idle
    s = 10 if args.quick else 1
    for line in machine_report():
        print(line)
    rows = [
        bench_logistic(100_000 // s, 50, 2, args.repeat),
        bench_logistic(50_000 // s, 100, 10, args.repeat),
        bench_gaussian_nb(1_000_000 // s, 20, args.repeat),
        bench_knn(20_000 // s, 2_000 // s, 64, "euclidean", args.repeat),
        bench_knn(20_000 // s, 2_000 // s, 64, "manhattan", args.repeat),
        bench_mlp_epoch(60_000 // s, "sgd", args.repeat),
        bench_mlp_epoch(60_000 // s, "adam", args.repeat),
    ]
    print_table(
        [
            "task",
            "lucidml s",
            "scikit-learn s",
            "lucidml / sklearn",
            "lucidml quality",
            "sklearn quality",
        ],
        rows,
        title=f"Best of {args.repeat} interleaved runs; quality is held-out accuracy (training "
        "accuracy after one MLP epoch)",
    )


if __name__ == "__main__":
    main()
