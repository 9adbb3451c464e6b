"""Model selection: splits, cross-validation, curves, searches, the bootstrap (notes §12, §5.5).

- splitters: :class:`KFold`, :class:`StratifiedKFold`, :class:`GroupKFold`,
  :class:`ShuffleSplit`, :class:`StratifiedShuffleSplit`, :func:`train_test_split`,
  :func:`check_cv` (scikit-learn's folds, index for index, without shuffling);
- cross-validation: :func:`cross_validate`, :func:`cross_val_score`, :func:`cross_val_predict`;
- diagnosis: :func:`learning_curve`, :func:`validation_curve`,
  :func:`bias_variance_decomposition`;
- tuning: :class:`GridSearchCV`, :class:`RandomizedSearchCV`, :class:`ParameterGrid`,
  :class:`ParameterSampler`;
- uncertainty: :func:`bootstrap_score` (a percentile interval for any score of fixed
  predictions) and :func:`bootstrap` (out-of-bag score of a model).
"""

from ._bias_variance import bias_variance_decomposition
from ._bootstrap import bootstrap, bootstrap_score
from ._search import GridSearchCV, ParameterGrid, ParameterSampler, RandomizedSearchCV
from ._split import (
    GroupKFold,
    KFold,
    ShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
    check_cv,
    train_test_split,
)
from ._validation import (
    FitFailedWarning,
    cross_val_predict,
    cross_val_score,
    cross_validate,
    learning_curve,
    validation_curve,
)

__all__ = [
    "FitFailedWarning",
    "GridSearchCV",
    "GroupKFold",
    "KFold",
    "ParameterGrid",
    "ParameterSampler",
    "RandomizedSearchCV",
    "ShuffleSplit",
    "StratifiedKFold",
    "StratifiedShuffleSplit",
    "bias_variance_decomposition",
    "bootstrap",
    "bootstrap_score",
    "check_cv",
    "cross_val_predict",
    "cross_val_score",
    "cross_validate",
    "learning_curve",
    "train_test_split",
    "validation_curve",
]
