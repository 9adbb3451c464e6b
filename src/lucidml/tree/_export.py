"""Plain-text rendering of a fitted tree."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["export_text"]


def export_text(
    decision_tree: Any,
    *,
    feature_names: Any = None,
    decimals: int = 2,
    show_weights: bool = False,
) -> str:
    """Render the rules of a fitted tree as indented text, one line per branch or leaf.

    Parameters
    ----------
    decision_tree : DecisionTreeClassifier or DecisionTreeRegressor
        A fitted tree.
    feature_names : sequence of str of length n_features, optional
        Names used in the rules; ``feature_0``, ``feature_1``, ... otherwise.
    decimals : int, default=2
        Digits shown for thresholds and values.
    show_weights : bool, default=False
        For classifiers, also show the weighted class counts of each leaf.

    Returns
    -------
    str
        Lines such as ``|--- petal width (cm) <= 0.80`` and ``|   |--- class: 0``.
    """
    from .._validation import check_is_fitted

    check_is_fitted(decision_tree)
    t = decision_tree.tree_arrays_
    n_features = decision_tree.n_features_in_
    if feature_names is None:
        names = [f"feature_{i}" for i in range(n_features)]
    else:
        names = [str(n) for n in feature_names]
        if len(names) != n_features:
            raise ValueError(f"feature_names must contain {n_features} elements, got {len(names)}")
    if not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals must be a non-negative int, got {decimals!r}.")
    classes = getattr(decision_tree, "classes_", None)
    left, right = t["children_left"], t["children_right"]
    lines: list[str] = []

    def leaf_text(node: int) -> str:
        value = t["value"][node]
        if classes is None:
            return f"value: [{value[0]:.{decimals}f}]"
        text = f"class: {classes[int(np.argmax(value))]}"
        if show_weights:
            counts = value * t["weighted_n_node_samples"][node]
            text = f"weights: [{', '.join(f'{c:.{decimals}f}' for c in counts)}] " + text
        return text

    # Depth-first, left branch before right; an entry is a line to emit or a node to expand.
    stack: list[tuple[int, int] | str] = [(0, 0)]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            lines.append(item)
            continue
        node, depth = item
        indent = "|   " * depth + "|--- "
        if left[node] == -1:
            lines.append(indent + leaf_text(node))
            continue
        name = names[t["feature"][node]]
        thr = f"{t['threshold'][node]:.{decimals}f}"
        lines.append(f"{indent}{name} <= {thr}")
        stack.append((int(right[node]), depth + 1))
        stack.append(f"{indent}{name} >  {thr}")
        stack.append((int(left[node]), depth + 1))
    return "\n".join(lines) + "\n"
