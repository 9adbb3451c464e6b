"""The ``lucidml`` command (also ``python -m lucidml``).

Every user mistake ends as one line on standard error and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
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
    run = sub.add_parser(
        "run",
        help="the notes' seven-step workflow on a CSV or Parquet file",
        description=(
            "Frame the problem, check the data, build features, train and tune lucidml's models "
            "within a trial budget, diagnose them (learning curves, verdicts, error analysis), "
            "try fusion, and save the final pipeline with a deployment card. Writes report.html, "
            "metrics.json, the model and the out-of-fold predictions into the run folder."
        ),
    )
    run.add_argument("data", type=Path, help="CSV (delimiter and encoding sniffed) or Parquet file")
    run.add_argument("--target", help="the column to predict (without it: clustering)")
    run.add_argument(
        "--task",
        choices=["classification", "regression", "clustering"],
        help="override the inferred task",
    )
    run.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    run.add_argument(
        "--trials",
        type=_positive_int,
        default=None,
        help="model configurations to cross-validate (default: 40)",
    )
    run.add_argument("--out", type=Path, help="run folder (default: runs/<timestamp>)")
    run.add_argument("--encoding", help="text encoding of a CSV (default: sniffed, UTF-8)")
    run.add_argument("--delimiter", help="CSV delimiter (default: sniffed among , ; tab |)")
    run.add_argument("--quiet", action="store_true", help="print only the final summary")
    predict = sub.add_parser(
        "predict",
        help="predict a CSV or Parquet file with a model saved by `lucidml run`",
        description="Apply a saved lucidml model to every row of a table and write a CSV.",
    )
    predict.add_argument("model", type=Path, help="model file (model.lucidml in a run folder)")
    predict.add_argument("data", type=Path, help="CSV or Parquet file with the model's columns")
    predict.add_argument(
        "--out", type=Path, default=Path("predictions.csv"), help="default: predictions.csv"
    )
    predict.add_argument("--encoding", help="text encoding of a CSV (default: sniffed, UTF-8)")
    return parser


def _require_workflow_extra() -> None:
    import importlib.util

    missing = [m for m in ("pandas", "matplotlib") if importlib.util.find_spec(m) is None]
    if missing:
        raise RuntimeError(
            f"this command needs {' and '.join(missing)}: pip install 'lucidml[workflow]'"
        )


def _cmd_run(args: argparse.Namespace) -> int:
    _require_workflow_extra()
    from .workflow._run import DEFAULT_TRIALS, run_project

    def say(line: str) -> None:
        if not args.quiet:
            print(line, flush=True)

    metrics = run_project(
        args.data,
        target=args.target,
        task=args.task,
        seed=args.seed,
        trials=args.trials or DEFAULT_TRIALS,
        out=args.out,
        encoding=args.encoding,
        delimiter=args.delimiter,
        say=say,
        progress=sys.stderr.isatty() and not args.quiet,
    )
    run_dir = Path(metrics["run_dir"])
    print(f"task:        {metrics['task']}")
    print(f"final model: {metrics['final_model']}")
    print(f"CV {metrics['metric']}: {metrics['cv_score']:.4f}")
    raised = sum(w.get("count", 0) for w in metrics.get("warnings_raised", []))
    if raised:
        print(f"warnings:    {raised} raised by models on the way (listed in metrics.json)")
    print(f"report:      {run_dir / 'report.html'}")
    print(f"metrics:     {run_dir / 'metrics.json'}")
    return 0


def _cmd_predict(args: argparse.Namespace) -> int:
    _require_workflow_extra()
    from .workflow.deploy import predict_file

    info = predict_file(args.model, args.data, args.out, encoding=args.encoding)
    print(f"wrote {info.get('n_rows', '?')} predictions to {args.out}")
    return 0


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


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text or type(exc).__name__


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
        if args.command == "run":
            return _cmd_run(args)
        if args.command == "predict":
            return _cmd_predict(args)
    except (ValueError, TypeError, RuntimeError, OSError, ArithmeticError) as exc:
        print(f"lucidml: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError:
        print("lucidml: error: out of memory; try a sample of the data", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug in lucidml, not the user's mistake: still no traceback
        if os.environ.get("LUCIDML_DEBUG"):
            raise
        print(
            f"lucidml: internal error: {type(exc).__name__}: {_one_line(exc)} "
            "(set LUCIDML_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("lucidml: interrupted", file=sys.stderr)
        return 130
    parser.error(f"unknown command {args.command!r}")
    return 2
