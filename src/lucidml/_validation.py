"""Input checks: the one place where user data is turned into clean arrays or refused.

Every estimator and public function validates through here, so a user meets the same wording for
the same mistake everywhere. Messages follow scikit-learn's wording, since its estimator checks
match against them.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

__all__ = [
    "DataConversionWarning",
    "check_array",
    "check_classification_targets",
    "check_feature_names_out",
    "encode_labels",
    "unique_labels",
    "type_of_target",
    "check_X_y",
    "check_consistent_length",
    "check_random_state",
    "check_is_fitted",
    "column_or_1d",
    "check_sample_weight",
    "num_samples",
]

_FLOAT_DTYPES = (np.float64, np.float32, np.float16)


class DataConversionWarning(UserWarning):
    """Warned when input data is silently converted (e.g. a column-vector ``y`` raveled)."""


def _is_pandas_frame(X: Any) -> bool:
    return hasattr(X, "columns") and hasattr(X, "iloc") and hasattr(X, "dtypes")


def _frame_to_numpy(X: Any) -> np.ndarray:
    """Convert a pandas DataFrame to NumPy without importing pandas here."""
    try:
        # Extension dtypes (nullable Int64, boolean) map NA to NaN when floats are requested.
        if all(getattr(dt, "kind", "O") in "biuf" for dt in X.dtypes) or any(
            hasattr(dt, "na_value") for dt in X.dtypes
        ):
            return X.to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError):
        pass
    return X.to_numpy()


def _assert_all_finite(X: np.ndarray, input_name: str, allow_nan: bool = False) -> None:
    if X.dtype.kind not in "fc":
        return
    # Summing is one fast pass; only look closer when the sum is not finite.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.sum(X)
    if np.isfinite(total):
        return
    has_nan = bool(np.isnan(X).any())
    has_inf = bool(np.isinf(X).any())
    prefix = f"Input {input_name} contains" if input_name else "Input contains"
    if has_inf:
        raise ValueError(f"{prefix} infinity or a value too large for {X.dtype!r}.")
    if has_nan and not allow_nan:
        raise ValueError(f"{prefix} NaN.")


def check_array(
    array: Any,
    *,
    dtype: Any = "numeric",
    order: str | None = None,
    copy: bool = False,
    ensure_all_finite: bool | str = True,
    ensure_2d: bool = True,
    allow_nd: bool = False,
    ensure_min_samples: int = 1,
    ensure_min_features: int = 1,
    input_name: str = "X",
) -> np.ndarray:
    """Validate an array-like and return it as a NumPy array.

    Parameters
    ----------
    array : array-like
        Lists, NumPy arrays and pandas DataFrames are accepted; sparse matrices are refused.
    dtype : "numeric", type, tuple of types or None
        ``"numeric"`` keeps a numeric dtype and converts anything else to float64 (strings raise);
        a tuple keeps the input dtype when it is in the tuple and converts to the first one
        otherwise.
    ensure_all_finite : bool or "allow-nan"
        Refuse NaN and infinity (True), or refuse only infinity ("allow-nan").
    ensure_2d : bool
        Refuse anything that is not 2-D, with the reshape hint scikit-learn gives.

    Returns
    -------
    ndarray
        The validated array.
    """
    if hasattr(array, "toarray") or hasattr(array, "tocsr"):
        raise TypeError(
            "Sparse data was passed, but lucidml needs dense data. "
            "Use X.toarray() to convert to a dense numpy array."
        )
    if _is_pandas_frame(array):
        array = _frame_to_numpy(array)
    elif (
        hasattr(array, "to_numpy") and hasattr(array, "dtype") and not isinstance(array, np.ndarray)
    ):
        array = array.to_numpy()  # pandas Series

    dtype_numeric = isinstance(dtype, str) and dtype == "numeric"
    if not isinstance(array, np.ndarray):
        # Array-likes that override __array_function__ refuse most NumPy functions: convert first.
        try:
            array = np.asarray(array)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"Could not convert {input_name or 'input'} to an array: {exc}"
            ) from exc
    if np.iscomplexobj(array):
        raise ValueError(f"Complex data not supported\n{array}\n")
    if isinstance(dtype, (tuple, list)):
        dtype = None if array.dtype in dtype else dtype[0]
    elif dtype_numeric:
        dtype = None
    if ensure_all_finite and array.dtype.kind == "f":
        # Before any cast: NaN cast to an integer type would become an arbitrary number.
        _assert_all_finite(array, input_name, allow_nan=ensure_all_finite == "allow-nan")
    try:
        arr = np.asarray(array, dtype=dtype, order=order)
    except TypeError as exc:
        raise TypeError(
            f"argument must be a string or a number: {input_name or 'input'} holds values that "
            f"are not numbers ({exc})."
        ) from exc
    except ValueError as exc:
        raise ValueError(
            f"Could not convert {input_name or 'input'} to a numeric array: {exc}. "
            "Encode strings and other non-numeric values first."
        ) from exc

    if dtype_numeric and arr.dtype.kind not in "biuf":
        if arr.dtype.kind in "OUSV":
            try:
                arr = arr.astype(np.float64)
            except TypeError as exc:
                raise TypeError(
                    f"argument must be a string or a number: {input_name or 'input'} holds "
                    f"values that are not numbers ({exc})."
                ) from exc
            except ValueError as exc:
                raise ValueError(
                    f"Could not convert {input_name or 'input'} to a numeric array: {exc}. "
                    "Encode strings and other non-numeric values first."
                ) from exc
        else:
            raise ValueError(f"{input_name or 'Input'} has unsupported dtype {arr.dtype}.")
    if dtype_numeric and arr.dtype.kind == "b":
        arr = arr.astype(np.float64)

    if ensure_2d:
        if arr.ndim == 0:
            raise ValueError(
                f"Expected 2D array, got scalar array instead:\narray={arr}.\n"
                "Reshape your data either using array.reshape(-1, 1) if your data has a single "
                "feature or array.reshape(1, -1) if it contains a single sample."
            )
        if arr.ndim == 1:
            raise ValueError(
                f"Expected 2D array, got 1D array instead:\narray={arr}.\n"
                "Reshape your data either using array.reshape(-1, 1) if your data has a single "
                "feature or array.reshape(1, -1) if it contains a single sample."
            )
    if not allow_nd and arr.ndim >= 3:
        raise ValueError(f"Found array with dim {arr.ndim}. Expected <= 2.")

    if ensure_all_finite and array.dtype.kind != "f":  # floats were checked before the cast
        _assert_all_finite(arr, input_name, allow_nan=ensure_all_finite == "allow-nan")

    if ensure_min_samples > 0 and arr.ndim >= 1:
        n = arr.shape[0]
        if n < ensure_min_samples:
            raise ValueError(
                f"Found array with {n} sample(s) (shape={arr.shape}) while a minimum of "
                f"{ensure_min_samples} is required."
            )
    if ensure_min_features > 0 and arr.ndim == 2:
        m = arr.shape[1]
        if m < ensure_min_features:
            raise ValueError(
                f"Found array with {m} feature(s) (shape={arr.shape}) while a minimum of "
                f"{ensure_min_features} is required."
            )
    if copy and np.shares_memory(arr, array if isinstance(array, np.ndarray) else arr):
        arr = arr.copy(order="K" if order is None else order)
    return arr


def num_samples(x: Any) -> int:
    """Number of samples (first-axis length) of an array-like."""
    if hasattr(x, "shape") and len(getattr(x, "shape", ())) > 0:
        return int(x.shape[0])
    try:
        return len(x)
    except TypeError as exc:
        raise TypeError(f"Expected sequence or array-like, got {type(x)}") from exc


def check_consistent_length(*arrays: Any) -> None:
    """Raise ValueError unless every non-None array has the same number of samples."""
    lengths = [num_samples(a) for a in arrays if a is not None]
    if len(set(lengths)) > 1:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"{[int(n) for n in lengths]}"
        )


def column_or_1d(
    y: Any, *, dtype: Any = None, input_name: str = "y", warn: bool = False
) -> np.ndarray:
    """Ravel a column vector to 1-D (warning if ``warn``); refuse anything wider."""
    y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y, dtype=dtype)
    if y.ndim == 1:
        return y
    if y.ndim == 2 and y.shape[1] == 1:
        if warn:
            warnings.warn(
                "A column-vector y was passed when a 1d array was expected. Please change the "
                "shape of y to (n_samples, ), for example using ravel().",
                DataConversionWarning,
                stacklevel=3,
            )
        return y.ravel()
    raise ValueError(f"{input_name} should be a 1d array, got an array of shape {y.shape} instead.")


def type_of_target(y: Any) -> str:
    """Kind of target: "binary", "multiclass", "continuous", "multilabel-indicator",
    "multiclass-multioutput", "continuous-multioutput" or "unknown".

    Floats that are all whole numbers count as class labels, as in scikit-learn.
    """
    y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
    if y.ndim > 2 or y.size == 0 and y.ndim != 1:
        return "unknown"
    if y.dtype.kind == "O":
        flat = y.ravel()
        is_str = np.fromiter((isinstance(v, str) for v in flat), bool, count=flat.size)
        if is_str.any() and not is_str.all():
            raise ValueError("Mix of label input types (string and number)")
        if not is_str.any():
            try:
                y = y.astype(np.float64)
            except (TypeError, ValueError):
                return "unknown"
    suffix = "-multioutput" if y.ndim == 2 and y.shape[1] > 1 else ""
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)):
            raise ValueError("Input y contains NaN or infinity.")
        if np.any(y != np.round(y)):
            return "continuous" + suffix
    if y.dtype.kind not in "biufUSO":
        return "unknown"
    if suffix:
        values = np.unique(y)
        if y.dtype.kind in "biuf" and values.size <= 2 and np.all(np.isin(values, (0, 1))):
            return "multilabel-indicator"
        return "multiclass" + suffix
    n_unique = np.unique(y.ravel()).size
    return "multiclass" if n_unique > 2 else "binary"


def unique_labels(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted class labels of ``y`` and each sample's class index (``classes[idx] == y``)."""
    try:
        classes, idx = np.unique(y, return_inverse=True)
    except TypeError:
        raise ValueError("Mix of label input types (string and number)") from None
    return classes, idx.reshape(-1)


def encode_labels(y: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Index of each label of ``y`` in the sorted ``classes``; unknown labels raise ValueError."""
    try:
        idx = np.searchsorted(classes, y)
        found = classes[np.minimum(idx, len(classes) - 1)] == y
    except TypeError:
        idx, found = np.zeros(len(y), dtype=np.intp), np.zeros(len(y), dtype=bool)
    found = np.asarray(found, dtype=bool)
    if not found.all():
        raise ValueError(
            f"The target label(s) {np.unique(np.asarray(y)[~found])} in y do not exist in the "
            f"initial classes {classes}"
        )
    return idx


def check_classification_targets(y: Any) -> None:
    """Refuse targets that are not class labels (continuous values, mixed types)."""
    kind = type_of_target(y)
    if kind not in ("binary", "multiclass", "multiclass-multioutput", "multilabel-indicator"):
        raise ValueError(
            f"Unknown label type: {kind}. Maybe you are trying to fit a classifier, which "
            "expects discrete classes on a regression target with continuous values."
        )


def check_X_y(
    X: Any,
    y: Any,
    *,
    dtype: Any = "numeric",
    y_numeric: bool = False,
    multi_output: bool = False,
    ensure_min_samples: int = 1,
    ensure_all_finite: bool | str = True,
    order: str | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Validate features and targets together (finite, consistent lengths).

    ``y`` is raveled to 1-D unless ``multi_output`` is set; with ``y_numeric`` an object target is
    converted to float64.
    """
    if y is None:
        raise ValueError("requires y to be passed, but the target y is None")
    X = check_array(
        X,
        dtype=dtype,
        order=order,
        ensure_all_finite=ensure_all_finite,
        ensure_min_samples=ensure_min_samples,
    )
    if multi_output:
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y")
        if y.dtype.kind == "O":
            y = y.astype(np.float64) if y_numeric else y
    else:
        y = column_or_1d(y, warn=True)
        if y.dtype.kind == "O" and y_numeric:
            y = y.astype(np.float64)
        if y.dtype.kind in "fc":
            _assert_all_finite(y, "y")
    if y_numeric and y.dtype.kind in "fc":
        _assert_all_finite(y, "y")
    check_consistent_length(X, y)
    return X, y


def check_sample_weight(
    sample_weight: Any, X: np.ndarray, dtype: Any = None, *, allow_all_zero: bool = False
) -> np.ndarray:
    """Return sample weights as a 1-D float array of length ``n_samples`` (ones when None).

    Negative, non-finite or (unless ``allow_all_zero``) all-zero weights are refused.
    """
    n = X.shape[0]
    if dtype is None:
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    if sample_weight is None:
        return np.ones(n, dtype=dtype)
    if isinstance(sample_weight, numbers.Number):
        return np.full(n, sample_weight, dtype=dtype)
    sw = check_array(
        sample_weight,
        ensure_2d=False,
        dtype=dtype,
        input_name="sample_weight",
        ensure_min_samples=0,
    )
    if sw.ndim != 1:
        raise ValueError("Sample weights must be 1D array or scalar")
    if sw.shape != (n,):
        raise ValueError(f"sample_weight.shape == {sw.shape}, expected {(n,)}!")
    if np.any(sw < 0):
        raise ValueError("Negative values in data passed to `sample_weight`")
    if not allow_all_zero and n and not np.any(sw > 0):
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return sw


def check_random_state(seed: Any) -> np.random.Generator:
    """Turn ``None``, an int, a Generator or a legacy RandomState into a ``np.random.Generator``."""
    if seed is None or isinstance(seed, (numbers.Integral, np.integer)):
        return np.random.default_rng(seed)
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, np.random.RandomState):
        return np.random.default_rng(seed.randint(0, 2**31 - 1))
    raise ValueError(f"{seed!r} cannot be used to seed a numpy.random.Generator instance")


def check_feature_names_out(estimator: Any, input_features: Any) -> np.ndarray:
    """Input feature names for ``get_feature_names_out``: ``input_features`` checked against
    ``feature_names_in_``, else the fitted names, else ``x0, x1, ...``."""
    check_is_fitted(estimator, "n_features_in_")
    n = estimator.n_features_in_
    fitted = getattr(estimator, "feature_names_in_", None)
    if input_features is None:
        if fitted is not None:
            return np.asarray(fitted, dtype=object)
        return np.asarray([f"x{i}" for i in range(n)], dtype=object)
    names = np.asarray(input_features, dtype=object)
    if fitted is not None and not np.array_equal(names, fitted):
        raise ValueError("input_features is not equal to feature_names_in_")
    if len(names) != n:
        raise ValueError(
            f"input_features should have length equal to number of features ({n}), got {len(names)}"
        )
    return names


def check_is_fitted(estimator: Any, attributes: Any = None) -> None:
    """Raise ``NotFittedError`` if ``estimator`` has not been fitted.

    An estimator counts as fitted when it has any attribute ending in ``_`` set by ``fit``
    (or the given ``attributes``).
    """
    from .base import _not_fitted_error

    if isinstance(estimator, type) or not hasattr(estimator, "fit"):
        raise TypeError(f"{estimator} is not an estimator instance.")
    if attributes is not None:
        names = [attributes] if isinstance(attributes, str) else list(attributes)
        fitted = all(hasattr(estimator, a) for a in names)
    elif hasattr(estimator, "__sklearn_is_fitted__"):
        fitted = estimator.__sklearn_is_fitted__()
    else:
        fitted = any(k.endswith("_") and not k.startswith("__") for k in vars(estimator))
    if not fitted:
        raise _not_fitted_error()(
            f"This {type(estimator).__name__} instance is not fitted yet. Call 'fit' with "
            "appropriate arguments before using this estimator."
        )
