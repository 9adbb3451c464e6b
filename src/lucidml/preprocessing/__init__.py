"""Data preparation (notes §5.3, §10): scaling, binning, encoding, imputation, collinearity."""

from ._collinearity import CollinearityFilter
from ._discretize import KBinsDiscretizer
from ._encoders import LabelEncoder, OneHotEncoder, OrdinalEncoder
from ._impute import SimpleImputer
from ._scalers import MinMaxScaler, NonlinearScaler, StandardScaler

__all__ = [
    "CollinearityFilter",
    "KBinsDiscretizer",
    "LabelEncoder",
    "MinMaxScaler",
    "NonlinearScaler",
    "OneHotEncoder",
    "OrdinalEncoder",
    "SimpleImputer",
    "StandardScaler",
]
