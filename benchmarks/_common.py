"""Shared helpers for the benchmark scripts: best-of-N timing, machine facts, table printing.

The scripts import this module as ``_common`` (Python puts the script's folder on ``sys.path``).
Only NumPy is required; threadpoolctl, scikit-learn and PyTorch are reported when importable.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "best_of",
    "interleaved_best",
    "load_report",
    "others_busy",
    "wait_for_idle",
    "blas_report",
    "fmt_ratio",
    "machine_report",
    "optional_import",
    "print_table",
]


def best_of(
    fn: Callable[[], Any],
    repeat: int = 3,
    warmup: int = 0,
    setup: Callable[[], Any] | None = None,
) -> tuple[float, Any]:
    """Run ``fn`` ``warmup`` times untimed, then ``repeat`` times timed; return the fastest.

    Parameters
    ----------
    fn : callable
        Called as ``fn()`` when ``setup`` is None, else as ``fn(setup())`` with only ``fn``
        timed (``setup`` builds fresh state, e.g. a new network, outside the timer).
    repeat : int
        Number of timed runs (at least one).
    warmup : int
        Untimed runs before the timed ones.
    setup : callable, optional
        Builds the argument passed to ``fn`` for every run.

    Returns
    -------
    seconds : float
        The smallest wall-clock time of the timed runs (``time.perf_counter``).
    result : object
        What the last timed run of ``fn`` returned.
    """
    result = None
    for _ in range(warmup):
        fn() if setup is None else fn(setup())
    best = float("inf")
    for _ in range(max(1, repeat)):
        arg = None if setup is None else setup()
        start = time.perf_counter()
        result = fn() if setup is None else fn(arg)
        best = min(best, time.perf_counter() - start)
    return best, result


def others_busy(interval: float = 0.5) -> float | None:
    """Fraction of all CPUs used by other processes over ``interval`` seconds (Linux only).

    Reads ``/proc/stat`` before and after, and subtracts this process's own CPU time, so the
    helper threads of a BLAS pool that are still spinning do not count. None where
    ``/proc/stat`` cannot be read.
    """

    def sample() -> tuple[float, float, float]:
        with open("/proc/stat") as fh:
            ticks = [int(v) for v in fh.readline().split()[1:]]
        own = os.times()
        return float(sum(ticks)), float(ticks[3] + ticks[4]), own.user + own.system

    try:
        total0, idle0, own0 = sample()
        time.sleep(interval)
        total1, idle1, own1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    if total1 <= total0:
        return None
    busy = 1.0 - (idle1 - idle0) / (total1 - total0)
    own = (own1 - own0) / (interval * (os.cpu_count() or 1))
    return max(0.0, busy - own)


def wait_for_idle(max_wait: float, threshold: float = 0.1) -> float | None:
    """Wait up to ``max_wait`` seconds until other processes use under ``threshold`` of the CPUs.

    Returns the last measured fraction (None where it cannot be measured).
    """
    deadline = time.monotonic() + max_wait
    while True:
        busy = others_busy()
        if busy is None or busy < threshold or time.monotonic() >= deadline:
            return busy
        time.sleep(1.0)


def interleaved_best(
    tasks: Sequence[tuple[str, Callable[..., Any], Callable[[], Any] | None]],
    repeat: int = 3,
    warmup: int = 1,
    wait_idle: float = 0.0,
) -> dict[str, tuple[float, Any]]:
    """Best-of-N timing of several tasks, run round-robin so background load hits them alike.

    Each round runs every task once; a task's time is its fastest round. On a shared 2-core
    machine a burst of someone else's work then slows one round of every task instead of every
    round of one task.

    Parameters
    ----------
    tasks : sequence of (name, fn, setup)
        As in :func:`best_of`: ``fn()`` or, with a ``setup``, ``fn(setup())`` with only ``fn``
        timed.
    repeat : int
        Timed rounds (at least one).
    warmup : int
        Untimed rounds first.
    wait_idle : float
        Before each timed round, wait up to this many seconds for other processes to leave the
        CPUs (:func:`wait_for_idle`). A round that still starts on a busy machine is reported.

    Returns
    -------
    dict
        ``name -> (best seconds, result of the task's last timed run)``.
    """
    best = {name: float("inf") for name, _, _ in tasks}
    results: dict[str, Any] = {}
    for r in range(warmup + max(1, repeat)):
        if r >= warmup:
            busy = wait_for_idle(wait_idle) if wait_idle > 0 else others_busy(0.25)
            if busy is not None and busy >= 0.1:
                print(
                    f"  (timed round {r - warmup + 1} starts with {busy:.0%} of the CPUs busy "
                    "with other processes)"
                )
        for name, fn, setup in tasks:
            arg = None if setup is None else setup()
            start = time.perf_counter()
            out = fn() if setup is None else fn(arg)
            elapsed = time.perf_counter() - start
            if r >= warmup:
                best[name] = min(best[name], elapsed)
                results[name] = out
    return {name: (best[name], results[name]) for name, _, _ in tasks}


def load_report() -> str:
    """Load averages and the CPU share other processes use right now, with a warning if busy.

    The load averages decay slowly (a benchmark that just finished still shows), so the warning
    is based on :func:`others_busy` over one second instead.
    """
    try:
        one, five, fifteen = os.getloadavg()
        line = f"load average: {one:.2f} {five:.2f} {fifteen:.2f} (on {os.cpu_count()} CPUs)"
    except OSError:
        line = "load average: unavailable"
    busy = others_busy(1.0)
    if busy is not None:
        line += f"; other processes use {busy:.0%} of the CPUs now"
        if busy >= 0.1:
            line += " -- WARNING: timings will be slow and noisy, rerun on a quiet machine"
    return line


def optional_import(name: str) -> Any:
    """Import ``name`` and return the module, or None when it is not installed."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def blas_report() -> list[str]:
    """One line per loaded BLAS/OpenMP pool (kernel, version, threads), via threadpoolctl."""
    lines = []
    env = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS_", "OMP_", "MKL_"))}
    lines.append(
        "BLAS-related environment: "
        + (", ".join(f"{k}={v}" for k, v in sorted(env.items())) or "(none set)")
    )
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        lines.append("threadpoolctl not installed: cannot say which BLAS kernel runs.")
        return lines
    for pool in threadpool_info():
        lines.append(
            "  {user_api}/{internal_api} {version} arch={arch} threads={num_threads} "
            "({lib})".format(
                user_api=pool.get("user_api"),
                internal_api=pool.get("internal_api"),
                version=pool.get("version"),
                arch=pool.get("architecture", "-"),
                num_threads=pool.get("num_threads"),
                lib=os.path.basename(pool.get("filepath", "?")),
            )
        )
    return lines


def machine_report() -> list[str]:
    """Date, CPU count, Python, NumPy and optional peers' versions, plus :func:`blas_report`."""
    lines = [
        f"date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        f"machine: {platform.machine()}, {os.cpu_count()} logical CPUs, {_cpu_model()}",
        f"python {sys.version.split()[0]}, numpy {np.__version__}",
        load_report(),
    ]
    for name in ("sklearn", "torch"):
        mod = sys.modules.get(name)
        if mod is not None:
            lines.append(f"{name} {mod.__version__}")
    lines.extend(blas_report())
    return lines


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def fmt_ratio(x: float) -> str:
    """A ratio with enough digits to read, e.g. ``43.7x`` or ``0.81x``."""
    if not np.isfinite(x):
        return "-"
    return f"{x:.1f}x" if x >= 10 else f"{x:.2f}x"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> None:
    """Print a Markdown pipe table (so it can be pasted into ``benchmarks/README.md``)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    if title:
        print(f"\n{title}\n")
    for k, row in enumerate(cells):
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
        if k == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print()
