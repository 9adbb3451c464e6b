"""The ``lucidml`` command (also ``python -m lucidml``).

Every user mistake ends as one line on standard error and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["main"]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="lucidml", description="lucidml: machine learning you can read."
    )
    parser.add_argument("--version", action="version", version=f"lucidml {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser(
        "demo",
        help="train the notes' network on (cos x + 1)/2 and plot it",
        description=(
            "The notes' experiment (§14): a [1, 8, 5, 3, 1] sigmoid network fitted to "
            "(cos x + 1)/2 on 200 points in [-7, 7] by mini-batch SGD (batch 40, learning rate "
            "0.1). Prints the train MSE and the seconds; writes a PNG of the fit and the loss "
            "curve."
        ),
    )
    demo.add_argument("--epochs", type=_positive_int, default=5000, help="default: 5000")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    demo.add_argument(
        "--out", type=Path, default=Path("runs/demo.png"), help="PNG path (default: runs/demo.png)"
    )
    return parser


def run_demo(
    epochs: int = 5000, seed: int = 0, out: Path | None = None, verbose: bool = True
) -> dict[str, Any]:
    """Train the notes' demo network; return the train MSE, seconds, loss curve and PNG path."""
    import numpy as np

    from .datasets import make_cosine
    from .nn import NeuralNetwork

    X, y = make_cosine(200, -7.0, 7.0, dtype=np.float32)
    net = NeuralNetwork(
        [1, 8, 5, 3, 1],
        act="sigmoid",
        output_act="sigmoid",
        cost="squared_error",
        init="normal",
        random_state=seed,
    )
    start = time.perf_counter()
    net.fit(
        X,
        y,
        epochs=epochs,
        batch_size=40,
        learning_rate=0.1,
        optimizer="sgd",
        solver="minibatch",
        verbose=verbose,
    )
    seconds = time.perf_counter() - start
    mse = float(np.mean((net.predict(X) - y) ** 2))
    result: dict[str, Any] = {
        "mse": mse,
        "seconds": seconds,
        "loss_curve": net.loss_curve_,
        "network": net,
        "png": None,
    }
    if out is not None:
        result["png"] = _plot_demo(net, X, y, out)
    return result


def _plot_demo(net: Any, X: Any, y: Any, out: Path) -> Path:
    import numpy as np

    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise RuntimeError(
            "The demo's plot needs matplotlib: pip install 'lucidml[plot]'."
        ) from exc
    x_test = np.linspace(-9, 9, 120, dtype=np.float32)[:, None]
    fig, (ax_fit, ax_loss) = plt.subplots(1, 2, figsize=(11, 4))
    ax_fit.plot(X[:, 0], y[:, 0], "r-", label="training data (cos x + 1)/2")
    ax_fit.plot(x_test[:, 0], net.predict(x_test)[:, 0], "b*", ms=4, label="network on [-9, 9]")
    ax_fit.axvspan(-7, 7, color="0.93", zorder=0)
    ax_fit.set(xlabel="x", ylabel="y", title="Fit (grey: training range)")
    ax_fit.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize=8)
    ax_loss.plot(np.arange(1, len(net.loss_curve_) + 1), net.loss_curve_)
    ax_loss.set(xlabel="epoch", ylabel="mean squared error", yscale="log", title="Training loss")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "demo":
            res = run_demo(args.epochs, args.seed, args.out)
            print(f"train MSE: {res['mse']:.6f}")
            print(f"seconds:   {res['seconds']:.2f}")
            print(f"plot:      {res['png']}")
            return 0
    except (ValueError, TypeError, RuntimeError, OSError, ArithmeticError) as exc:
        print(f"lucidml: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("lucidml: interrupted", file=sys.stderr)
        return 130
    parser.error(f"unknown command {args.command!r}")
    return 2
