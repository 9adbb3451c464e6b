"""Extra memory of a 20,000 x 20,000 Euclidean distance matrix (issue 2: at most 512 MB extra).

The output itself is 20,000² × 8 B = 3.2 GB; what is measured is the peak of everything else that
``pairwise_distances`` allocates (tracemalloc sees NumPy's allocations), beside scikit-learn's
``pairwise_distances`` on the same data when it is installed, and the time of each.

    python benchmarks/pairwise_memory.py [--n 20000] [--d 32] [--dtype float64]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from _common import machine_report, optional_import, print_table

MB = 2**20


def measure(fn, out_bytes: int) -> tuple[float, float]:
    """(seconds, peak MB allocated beyond the output) of ``fn()``."""
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return seconds, (peak - out_bytes) / MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--d", type=int, default=32)
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    args = parser.parse_args()
    for line in machine_report():
        print(line)
    from lucidml.functions.distances import pairwise_distances

    X = np.random.default_rng(0).standard_normal((args.n, args.d)).astype(args.dtype)
    out_bytes = args.n * args.n * X.dtype.itemsize
    rows = []
    t, extra = measure(
        lambda: pairwise_distances(X, metric="euclidean", working_memory=512), out_bytes
    )
    rows.append(
        [
            "lucidml pairwise_distances (working_memory=512)",
            f"{t:.2f}",
            f"{extra:.1f}",
            "yes" if extra <= 512 else "NO",
        ]
    )
    sk = optional_import("sklearn.metrics")
    if sk is not None:
        t, extra = measure(lambda: sk.pairwise_distances(X, metric="euclidean"), out_bytes)
        rows.append(["scikit-learn pairwise_distances", f"{t:.2f}", f"{extra:.1f}", "-"])
    print_table(
        ["implementation", "seconds", "MB beyond the output", "<= 512 MB"],
        rows,
        title=f"{args.n:,} x {args.n:,} Euclidean distances of {args.d}-feature {args.dtype} rows "
        f"(output {out_bytes / MB:,.0f} MB)",
    )


if __name__ == "__main__":
    main()
