"""Feature selection (notes §5.3): univariate scores, mutual information and selectors.

Score functions rate each feature against the target (correlation, chi-square, ANOVA F,
conditional entropy, information gain, mutual information); selectors keep the best-rated
features (``SelectKBest``, ``SelectPercentile``), the non-constant ones (``VarianceThreshold``)
or those a fitted model weighs most (``SelectFromModel``: logistic-regression weights, tree
importances).
"""

from ._mutual_info import mutual_info_classif, mutual_info_regression
from ._scores import (
    chi2,
    conditional_entropy,
    f_classif,
    f_regression,
    information_gain,
    r_regression,
)
from ._selectors import SelectFromModel, SelectKBest, SelectPercentile, VarianceThreshold

__all__ = [
    "SelectFromModel",
    "SelectKBest",
    "SelectPercentile",
    "VarianceThreshold",
    "chi2",
    "conditional_entropy",
    "f_classif",
    "f_regression",
    "information_gain",
    "mutual_info_classif",
    "mutual_info_regression",
    "r_regression",
]
