"""The notes' demo (§14) timed side by side: the notes' per-sample loop vs lucidml (vs PyTorch).

The experiment: ``y = (cos x + 1) / 2`` on 200 evenly spaced points in [-7, 7], a [1, 8, 5, 3, 1]
network with sigmoid everywhere, squared error, mini-batch SGD with batch 40 and learning rate 0.1,
weights and biases drawn from N(0, 1). All contenders start from the same initial parameters
(``np.random.default_rng(seed)``, biases first, as the notes draw them); they shuffle differently.

Contenders, in one process:

(a) ``lucidml.nn.reference.PerSampleNetwork``: our transcription of the notes' algorithm (a Python
    loop over samples, float64). It is slow, so it is timed on ``--ref-epochs`` epochs and reported
    per epoch; ``--full`` also runs it once for all ``--epochs`` to get its MSE there.
(b) lucidml's row API: ``NeuralNetwork(..., act="sigmoid").fit(X, y, ...)`` (float32).
(c) lucidml's notes-compatible API: ``NeuralNetwork(sizes, sigmoid, sigmoid_derivative,
    distance_derivative).SGD(training_data, ...)`` with the notes' own callables (float64).
(d) PyTorch CPU, when importable: the same network and SGD loop, for context, timed on
    ``--torch-epochs`` epochs at its default thread count and with one thread.

Usage::

    python benchmarks/notes_network.py [--epochs 5000] [--ref-epochs 300] [--full]
                                       [--repeat 3] [--seed 0] [--torch-epochs 300] [--wait-idle 0]
                                       [--no-torch]
"""

from __future__ import annotations

import argparse
import random

import numpy as np

from _common import (
    best_of,
    fmt_ratio,
    interleaved_best,
    machine_report,
    optional_import,
    print_table,
)
from lucidml.datasets import make_cosine
from lucidml.nn import NeuralNetwork
from lucidml.nn.reference import PerSampleNetwork

SIZES = [1, 8, 5, 3, 1]
BATCH = 40
LR = 0.1
TARGET_SPEEDUP = 100.0


# The notes' own callables, as the notes write them.
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_derivative(z):
    return sigmoid(z) * (1 - sigmoid(z))


def distance_derivative(output_activations, y):
    return 2 * (output_activations - y)


def mse(pred: np.ndarray, y: np.ndarray) -> float:
    pred = np.asarray(pred, dtype=np.float64).reshape(-1)
    return float(np.mean((pred - y.reshape(-1)) ** 2))


def columns(X: np.ndarray, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The notes' training data: a list of ``(x, y)`` pairs of shape (1, 1) each."""
    return [(np.array([xv]), np.array([yv])) for xv, yv in zip(X, y, strict=True)]


def run_reference(X, y, epochs, seed):
    net = PerSampleNetwork(
        SIZES, sigmoid, sigmoid_derivative, distance_derivative, rng=np.random.default_rng(seed)
    )
    data = columns(X, y)
    net.SGD(data, epochs, BATCH, LR, shuffle=random.Random(seed).shuffle)
    return net


def make_row_net(seed):
    return NeuralNetwork(
        SIZES,
        act="sigmoid",
        output_act="sigmoid",
        cost="squared_error",
        init="normal",
        random_state=seed,
    )


def make_notes_net(seed):
    return NeuralNetwork(SIZES, sigmoid, sigmoid_derivative, distance_derivative, random_state=seed)


def torch_loop(torch, X32, y32, epochs, seed):
    """Build the same network in PyTorch from the same initial parameters; return a trainer."""
    init = make_row_net(seed)  # the N(0, 1) draw, biases first, as every contender here
    layers = []
    for w, b in zip(init.weights, init.biases, strict=True):
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(np.ascontiguousarray(w, dtype=np.float32)))
            lin.bias.copy_(torch.from_numpy(b[:, 0].astype(np.float32)))
        layers += [lin, torch.nn.Sigmoid()]
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    Xt, yt = torch.from_numpy(X32), torch.from_numpy(y32)
    gen = torch.Generator().manual_seed(seed)
    n = Xt.shape[0]

    def train():
        for _ in range(epochs):
            perm = torch.randperm(n, generator=gen)
            for k in range(0, n, BATCH):
                idx = perm[k : k + BATCH]
                opt.zero_grad(set_to_none=True)
                # mean over the batch of (a - y)^2: the notes' 2 (a - y) / m gradient.
                loss = ((model(Xt[idx]) - yt[idx]) ** 2).mean()
                loss.backward()
                opt.step()
        with torch.no_grad():
            return model(Xt).numpy()

    return train


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, default=5000, help="epochs for lucidml")
    p.add_argument(
        "--ref-epochs", type=int, default=300, help="epochs the per-sample reference is timed on"
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="also run the per-sample reference once for --epochs epochs",
    )
    p.add_argument("--repeat", type=int, default=3, help="best of N timed runs")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each timed round, wait up to SECONDS for other processes to "
        "leave the CPUs (Linux; 0 = do not wait)",
    )
    p.add_argument("--torch-epochs", type=int, default=300, help="epochs PyTorch is timed on")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch even if installed")
    args = p.parse_args(argv)

    torch = None if args.no_torch else optional_import("torch")
    print(
        "# notes' demo: (cos x + 1)/2, sizes [1, 8, 5, 3, 1], sigmoid, squared error, "
        f"batch {BATCH}, lr {LR}, N(0,1) init, seed {args.seed}"
    )
    for line in machine_report():
        print(line)
    if torch is not None:
        print(f"torch threads: {torch.get_num_threads()} (default, not changed)")

    X, y = make_cosine(200, -7.0, 7.0)  # float64, shape (200, 1) each
    X32, y32 = X.astype(np.float32), y.astype(np.float32)
    E, RE = args.epochs, args.ref_epochs

    # Every contender as (name, fn, setup); setup builds fresh state outside the timer. They are
    # timed round-robin after a warm-up round, so background load hits them alike.
    def fit_row(net, epochs=E, engine="auto"):
        return net.fit(
            X32,
            y32,
            epochs=epochs,
            batch_size=BATCH,
            learning_rate=LR,
            optimizer="sgd",
            engine=engine,
        )

    tasks = [
        ("ref", lambda: run_reference(X, y, RE, args.seed), None),
        ("row", fit_row, lambda: make_row_net(args.seed)),
        ("row_numpy", lambda net: fit_row(net, engine="numpy"), lambda: make_row_net(args.seed)),
        (
            "notes",
            lambda net: net.SGD(columns(X, y), E, BATCH, LR),
            lambda: make_notes_net(args.seed),
        ),
    ]
    # PyTorch, for context. Its per-step overhead on this small net is large, so it is timed on
    # --torch-epochs epochs (reported per epoch, like the reference), at its default thread
    # count and with one thread.
    torch_threads = []
    if torch is not None:
        default_threads = torch.get_num_threads()
        torch_threads = list(dict.fromkeys((default_threads, 1)))
        for threads in torch_threads:

            def torch_setup(threads=threads):
                torch.set_num_threads(threads)
                return torch_loop(torch, X32, y32, args.torch_epochs, args.seed)

            tasks.append((f"torch{threads}", lambda trainer: trainer(), torch_setup))
    timed = interleaved_best(tasks, repeat=args.repeat, wait_idle=args.wait_idle)
    if torch is not None:
        torch.set_num_threads(default_threads)

    rows = []
    # (a) the notes' per-sample algorithm.
    t_ref, ref = timed["ref"]
    ref_ms = 1e3 * t_ref / RE
    ref_mse = mse(ref.feedforward(X.T), y)
    rows.append(
        [
            "(a) notes' per-sample loop (reference)",
            RE,
            f"{ref_ms:.3f}",
            "1.00x",
            RE,
            f"{ref_mse:.6f}",
        ]
    )
    ref_full_mse = None
    if args.full:
        t_full, ref_full = best_of(lambda: run_reference(X, y, E, args.seed), repeat=1)
        ref_full_mse = mse(ref_full.feedforward(X.T), y)
        rows.append(
            [
                "(a) same, --full run (1 run)",
                E,
                f"{1e3 * t_full / E:.3f}",
                fmt_ratio(ref_ms / (1e3 * t_full / E)),
                E,
                f"{ref_full_mse:.6f}",
            ]
        )

    # (b) lucidml's row API.
    t_row, row_net = timed["row"]
    row_ms = 1e3 * t_row / E
    row_mse = mse(row_net.predict(X32), y)
    row_mse_re = mse(fit_row(make_row_net(args.seed), RE).predict(X32), y)
    rows.append(
        [
            "(b) lucidml fit (row API, float32; compiled loop when numba is installed)",
            E,
            f"{row_ms:.4f}",
            fmt_ratio(ref_ms / row_ms),
            E,
            f"{row_mse:.6f}",
        ]
    )
    rows.append(["(b) same, trained only --ref-epochs", "-", "-", "-", RE, f"{row_mse_re:.6f}"])
    t_np, np_net = timed["row_numpy"]
    np_ms = 1e3 * t_np / E
    rows.append(
        [
            "(b') lucidml fit, engine='numpy' (no numba)",
            E,
            f"{np_ms:.4f}",
            fmt_ratio(ref_ms / np_ms),
            E,
            f"{mse(np_net.predict(X32), y):.6f}",
        ]
    )

    # (c) lucidml's notes-compatible API.
    t_notes, notes_net = timed["notes"]
    notes_ms = 1e3 * t_notes / E
    notes_mse = mse(notes_net.feedforward(X.T), y)
    rows.append(
        [
            "(c) lucidml SGD (notes API, float64)",
            E,
            f"{notes_ms:.4f}",
            fmt_ratio(ref_ms / notes_ms),
            E,
            f"{notes_mse:.6f}",
        ]
    )

    # (d) PyTorch.
    torch_ms = None
    for threads in torch_threads:
        t_torch, pred = timed[f"torch{threads}"]
        ms = 1e3 * t_torch / args.torch_epochs
        torch_ms = ms if torch_ms is None else min(torch_ms, ms)
        rows.append(
            [
                f"(d) PyTorch {torch.__version__} CPU, {threads} thread(s), float32",
                args.torch_epochs,
                f"{ms:.4f}",
                fmt_ratio(ref_ms / ms),
                args.torch_epochs,
                f"{mse(pred, y):.6f}",
            ]
        )

    print_table(
        [
            "implementation",
            "epochs timed",
            "ms/epoch",
            "speed-up vs (a)",
            "epochs trained",
            "train MSE",
        ],
        rows,
        title=f"Notes demo, best of {args.repeat} round-robin after a warm-up round "
        "(speed-up = (a) ms/epoch / this row's ms/epoch)",
    )

    speedup = ref_ms / row_ms
    verdict = "MET" if speedup >= TARGET_SPEEDUP else "MISSED"
    print(
        f"lucidml row API vs per-sample loop: {speedup:.1f}x faster per epoch "
        f"(lucidml/reference time = {row_ms / ref_ms:.4f}); target >= {TARGET_SPEEDUP:.0f}x: "
        f"{verdict}"
    )
    print(f"lucidml notes API vs per-sample loop: {ref_ms / notes_ms:.1f}x faster per epoch")
    if torch_ms is not None:
        print(
            f"lucidml row API vs the faster PyTorch loop: {torch_ms / row_ms:.1f}x faster per "
            f"epoch (lucidml/torch time = {row_ms / torch_ms:.4f})"
        )
    if ref_full_mse is None:
        print(
            f"MSE: lucidml {row_mse:.6f} after {E} epochs; the reference's {ref_mse:.6f} is "
            f"after only {RE} epochs (lucidml after {RE}: {row_mse_re:.6f}). Run with --full "
            f"for the reference's MSE after {E} epochs."
        )
    else:
        # Same initial weights, different shuffles and float32 vs float64: call a difference
        # under 1% "equal", and print the difference so a reader can judge.
        rel = (row_mse - ref_full_mse) / ref_full_mse
        if row_mse <= ref_full_mse:
            verdict = "MET (lower)"
        elif rel < 0.01:
            verdict = "MET (equal within 1%, strictly higher)"
        else:
            verdict = "MISSED"
        print(
            f"MSE after {E} epochs: lucidml {row_mse:.6f}, reference {ref_full_mse:.6f} "
            f"(lucidml {rel:+.2%}); equal-or-lower MSE: {verdict}"
        )


if __name__ == "__main__":
    main()
