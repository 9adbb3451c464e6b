"""Decision trees (CART) with pre-pruning, cost-complexity and reduced-error pruning (notes §12.2).

- :class:`DecisionTreeClassifier` (gini, entropy / information gain, log loss) and
  :class:`DecisionTreeRegressor` (squared or absolute error);
- best-first growth with ``max_leaf_nodes``; an optional numba-compiled builder (same trees);
- :meth:`~DecisionTreeClassifier.cost_complexity_pruning_path` and ``ccp_alpha``:
  :math:`R_\\alpha(T) = R(T) + \\alpha |\\text{leaves}(T)|`;
- :meth:`~DecisionTreeClassifier.prune_reduced_error` against a held-out set;
- :func:`export_text` to read a fitted tree.
"""

from ._classes import DecisionTreeClassifier, DecisionTreeRegressor, Tree
from ._export import export_text

__all__ = ["DecisionTreeClassifier", "DecisionTreeRegressor", "Tree", "export_text"]
