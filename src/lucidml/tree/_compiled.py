"""Optional compiled tree builder (needs numba: ``pip install lucidml[fast]``).

It repeats :func:`lucidml.tree._classes._grow` as loops: the same level-by-level growth, the same
prefix sums over each level's concatenated node segments (so floating-point sums come out in the
same order), the same split score and threshold rule, the same tie-breaking (features in
``feat_order``, a later feature wins only when strictly better, the first best cut within a
feature), the same per-node feature draws (:func:`~lucidml.tree._classes._feature_keys`) and the
same stable partition of the sorted orders into the children. The criteria use only ``+ - * /``
and the polynomial logarithm of :mod:`lucidml.tree._criteria`, so the trees are identical, node for
node, to the NumPy builder's, which stays the fallback and the reference.

The kernel releases the GIL (``nogil=True``), so a forest fits its trees on threads in parallel.
Compilation is cached on disk (``cache=True``): a few seconds once per machine, then a fraction
of a second to load in each new process.

Set the environment variable ``LUCIDML_TREE_NUMPY=1`` (read at each fit) or the module flag
``ENABLED = False`` to force the NumPy builder.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np

__all__ = ["AVAILABLE", "CRITERION_CODES", "ENABLED", "grow", "use_compiled"]

AVAILABLE = importlib.util.find_spec("numba") is not None
ENABLED = True
CRITERION_CODES = {"gini": 0, "entropy": 1, "log_loss": 1, "squared_error": 2}


def use_compiled(criterion: str) -> bool:
    """Whether :func:`grow` will be used for a tree with this criterion."""
    return (
        AVAILABLE
        and ENABLED
        and criterion in CRITERION_CODES
        and os.environ.get("LUCIDML_TREE_NUMPY", "") in ("", "0")
    )


def _integral(a: np.ndarray) -> bool:
    """Whether every value of ``a`` is a whole number and all sums of them are exact."""
    return bool(np.all(np.floor(a) == a) and np.abs(a).sum() < 2.0**52)


def grow(
    Xt: np.ndarray,
    S: np.ndarray,
    W: np.ndarray,
    Q: np.ndarray | None,
    *,
    criterion: str,
    max_depth: int,
    min_samples_split: int,
    min_samples_leaf: int,
    min_impurity_decrease: float,
    min_weight_fraction_leaf: float,
    max_features: int,
    feat_order: np.ndarray,
    seed: np.uint64,
) -> dict[str, np.ndarray]:
    """Grow a tree with the compiled kernel; same arguments and result as ``_grow``."""
    from ._classes import _root_node
    from ._kernels import grow_kernel

    root_stats, root_w, root_q, root_imp, _ = _root_node(criterion, S, W, Q)
    out = grow_kernel(
        np.ascontiguousarray(Xt, dtype=np.float32),
        np.ascontiguousarray(S, dtype=np.float64),
        np.ascontiguousarray(W, dtype=np.float64),
        np.zeros(0) if Q is None else np.ascontiguousarray(Q, dtype=np.float64),
        CRITERION_CODES[criterion],
        np.ascontiguousarray(root_stats, dtype=np.float64),
        float(root_w),
        float(root_q),
        float(root_imp),
        int(max_depth),
        int(min_samples_split),
        int(min_samples_leaf),
        float(min_impurity_decrease),
        float(min_weight_fraction_leaf) * float(root_w),
        int(max_features),
        np.ascontiguousarray(feat_order, dtype=np.intp),
        np.uint64(seed),
        _integral(S) and _integral(W),
    )
    names = (
        "children_left",
        "children_right",
        "feature",
        "threshold",
        "stats",
        "impurity",
        "n_node_samples",
        "weighted_n_node_samples",
    )
    return {name: np.array(arr) for name, arr in zip(names, out, strict=True)}
