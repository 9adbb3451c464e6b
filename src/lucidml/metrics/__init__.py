"""Classification, regression, ranking and clustering metrics, and scorers for model selection.

The same names, signatures and results as ``sklearn.metrics``, so swapping the import is enough:

- classification: :func:`accuracy_score`, :func:`balanced_accuracy_score`,
  :func:`confusion_matrix`, :func:`precision_score`, :func:`recall_score`, :func:`f1_score`,
  :func:`fbeta_score`, :func:`precision_recall_fscore_support`, :func:`classification_report`,
  :func:`log_loss` (the Bernoulli / categorical likelihood loss of notes §9);
- ranking: :func:`roc_curve`, :func:`auc`, :func:`roc_auc_score`;
- regression: :func:`mean_squared_error`, :func:`root_mean_squared_error`,
  :func:`mean_absolute_error`, :func:`r2_score`, :func:`explained_variance_score`;
- clustering: :func:`silhouette_samples`, :func:`silhouette_score` (computed a block of rows
  at a time, so memory stays bounded);
- scorers: :func:`get_scorer`, :func:`get_scorer_names`, :func:`make_scorer`,
  :func:`check_scoring`.

Classification metrics work on binary and multiclass label vectors (integers, booleans,
whole-number floats or strings); multilabel targets are not supported.
"""

from ._classification import (
    UndefinedMetricWarning,
    accuracy_score,
    balanced_accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    fbeta_score,
    log_loss,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
)
from ._cluster import silhouette_samples, silhouette_score
from ._ranking import auc, roc_auc_score, roc_curve
from ._regression import (
    explained_variance_score,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
    root_mean_squared_error,
)
from ._scorer import check_scoring, get_scorer, get_scorer_names, make_scorer

__all__ = [
    "UndefinedMetricWarning",
    "accuracy_score",
    "auc",
    "balanced_accuracy_score",
    "check_scoring",
    "classification_report",
    "confusion_matrix",
    "explained_variance_score",
    "f1_score",
    "fbeta_score",
    "get_scorer",
    "get_scorer_names",
    "log_loss",
    "make_scorer",
    "mean_absolute_error",
    "mean_squared_error",
    "precision_recall_fscore_support",
    "precision_score",
    "r2_score",
    "recall_score",
    "roc_auc_score",
    "roc_curve",
    "root_mean_squared_error",
    "silhouette_samples",
    "silhouette_score",
]
