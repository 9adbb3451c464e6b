"""The estimator protocol: parameters, cloning, fitted state, input bookkeeping and mixins.

An estimator stores its constructor arguments untouched in ``__init__`` and validates them in
``fit``; everything learned from data ends with an underscore. This is scikit-learn's protocol, so
lucidml's estimators drop into scikit-learn's ``Pipeline``, ``GridSearchCV`` and
``cross_val_score``. scikit-learn itself is never imported here at run time: only
``__sklearn_tags__`` (which only scikit-learn calls) and ``NotFittedError`` (built on first use)
touch it, and both work without it.
"""

from __future__ import annotations

import copy
import importlib.util
import inspect
import warnings
from collections import defaultdict
from typing import Any

import numpy as np

from ._validation import check_array, check_X_y

__all__ = [
    "BaseEstimator",
    "ClassifierMixin",
    "RegressorMixin",
    "TransformerMixin",
    "all_estimators",
    "clone",
    "is_classifier",
    "is_regressor",
    "NotFittedError",  # noqa: F822 (built on first access by __getattr__)
]

_NOT_FITTED_ERROR: type | None = None


def _not_fitted_error() -> type:
    """Build ``NotFittedError`` once: a subclass of scikit-learn's when scikit-learn is installed.

    Built lazily so that ``import lucidml`` never pays for importing scikit-learn; code that
    catches either lucidml's or scikit-learn's ``NotFittedError`` catches ours.
    """
    global _NOT_FITTED_ERROR
    if _NOT_FITTED_ERROR is None:
        bases: tuple[type, ...] = (ValueError, AttributeError)
        if importlib.util.find_spec("sklearn") is not None:
            try:
                from sklearn.exceptions import NotFittedError as SkNotFitted

                bases = (SkNotFitted,)
            except Exception:  # a broken scikit-learn install must not break lucidml
                pass
        _NOT_FITTED_ERROR = type(
            "NotFittedError",
            bases,
            {
                "__module__": __name__,
                "__doc__": "Raised when an estimator is used before it was fitted.",
            },
        )
    return _NOT_FITTED_ERROR


def __getattr__(name: str) -> Any:  # PEP 562: ``from lucidml.base import NotFittedError``
    if name == "NotFittedError":
        return _not_fitted_error()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def clone(estimator: Any, *, safe: bool = True) -> Any:
    """Return an unfitted copy of ``estimator`` with deep-copied parameters.

    Lists, tuples and sets of estimators are cloned element-wise; with ``safe=False`` a
    non-estimator is deep-copied instead of refused.
    """
    if isinstance(estimator, (list, tuple, set, frozenset)):
        return type(estimator)(clone(e, safe=safe) for e in estimator)
    if not hasattr(estimator, "get_params") or isinstance(estimator, type):
        if not safe:
            return copy.deepcopy(estimator)
        raise TypeError(
            f"Cannot clone object '{estimator!r}' (type {type(estimator)}): it does not seem to be "
            "an estimator as it does not implement a 'get_params' method."
        )
    params = estimator.get_params(deep=False)
    new_params = {k: clone(v, safe=False) for k, v in params.items()}
    new = type(estimator)(**new_params)
    for name, value in new.get_params(deep=False).items():
        if value is not new_params[name]:
            raise RuntimeError(
                f"Cannot clone object {estimator}, as the constructor either does not set or "
                f"modifies parameter {name}"
            )
    return new


class BaseEstimator:
    """Base class for every lucidml estimator: parameters, ``repr``, input bookkeeping, tags."""

    @classmethod
    def _get_param_names(cls) -> list[str]:
        init = cls.__init__
        if init is object.__init__:
            return []
        sig = inspect.signature(init)
        names = []
        for p in sig.parameters.values():
            if p.name == "self" or p.kind == p.VAR_KEYWORD:
                continue
            if p.kind == p.VAR_POSITIONAL:
                raise RuntimeError(
                    f"lucidml estimators should always specify their parameters in the signature "
                    f"of their __init__ (no varargs). {cls} doesn't follow this convention."
                )
            names.append(p.name)
        return sorted(names)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters of this estimator; with ``deep``, nested ones too (as ``a__b``)."""
        out: dict[str, Any] = {}
        for key in self._get_param_names():
            value = getattr(self, key)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{key}__{k}", v) for k, v in value.get_params().items())
            out[key] = value
        return out

    def set_params(self, **params: Any) -> BaseEstimator:
        """Set parameters, including nested ones written ``component__parameter``."""
        if not params:
            return self
        valid = self.get_params(deep=True)
        nested: dict[str, dict[str, Any]] = defaultdict(dict)
        for key, value in params.items():
            key, delim, sub_key = key.partition("__")
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {self}. Valid parameters are: "
                    f"{self._get_param_names()!r}."
                )
            if delim:
                nested[key][sub_key] = value
            else:
                setattr(self, key, value)
                valid[key] = value
        for key, sub_params in nested.items():
            valid[key].set_params(**sub_params)
        return self

    def __repr__(self) -> str:
        # Show only the parameters that differ from their defaults, as scikit-learn does.
        sig = inspect.signature(type(self).__init__)
        parts = []
        for name in self._get_param_names():
            value = getattr(self, name, None)
            default = sig.parameters[name].default
            try:
                same = default is not inspect.Parameter.empty and (
                    value is default or bool(value == default)
                )
            except Exception:
                same = False
            if not same:
                parts.append(f"{name}={value!r}")
        text = f"{type(self).__name__}({', '.join(parts)})"
        return text if len(text) <= 700 else text[:340] + " ... " + text[-340:]

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_lucidml_version"] = _version()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state.pop("_lucidml_version", None)
        self.__dict__.update(state)

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False))

    def __sklearn_is_fitted__(self) -> bool:
        return any(k.endswith("_") and not k.startswith("__") for k in vars(self))

    # -- input bookkeeping shared by every estimator ------------------------------------------

    def _check_feature_names(self, X: Any, *, reset: bool) -> None:
        names = _feature_names(X)
        if reset:
            if names is not None:
                self.feature_names_in_ = names
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            return
        fitted = getattr(self, "feature_names_in_", None)
        if fitted is None and names is None:
            return
        if names is not None and fitted is None:
            warnings.warn(
                f"X has feature names, but {type(self).__name__} was fitted without feature names",
                UserWarning,
                stacklevel=3,
            )
            return
        if names is None and fitted is not None:
            warnings.warn(
                "X does not have valid feature names, but "
                f"{type(self).__name__} was fitted with feature names",
                UserWarning,
                stacklevel=3,
            )
            return
        if len(fitted) != len(names) or np.any(fitted != names):
            unexpected = sorted(set(names) - set(fitted))
            missing = sorted(set(fitted) - set(names))
            msg = "The feature names should match those that were passed during fit.\n"
            if unexpected:
                msg += f"Feature names unseen at fit time:\n- {unexpected}\n"
            if missing:
                msg += f"Feature names seen at fit time, yet now missing:\n- {missing}\n"
            if not unexpected and not missing:
                msg += "Feature names must be in the same order as they were in fit.\n"
            raise ValueError(msg)

    def _check_n_features(self, X: np.ndarray, *, reset: bool) -> None:
        n = X.shape[1] if X.ndim == 2 else 1
        if reset:
            self.n_features_in_ = n
            return
        expected = getattr(self, "n_features_in_", None)
        if expected is not None and n != expected:
            raise ValueError(
                f"X has {n} features, but {type(self).__name__} is expecting {expected} features "
                "as input."
            )

    def _validate_data(
        self, X: Any, y: Any = "no_validation", *, reset: bool = True, **check_params: Any
    ) -> Any:
        """Validate ``X`` (and ``y``); record or check ``n_features_in_`` and feature names."""
        self._check_feature_names(X, reset=reset)
        if isinstance(y, str) and y == "no_validation":
            X = check_array(X, **check_params)
            out: Any = X
        else:
            X, y = check_X_y(X, y, **check_params)
            out = (X, y)
        self._check_n_features(X, reset=reset)
        return out


def _feature_names(X: Any) -> np.ndarray | None:
    cols = getattr(X, "columns", None)
    if cols is None or not hasattr(X, "iloc"):
        return None
    names = np.asarray(list(cols), dtype=object)
    if len(names) == 0 or not all(isinstance(n, str) for n in names):
        return None
    return names


def _version() -> str:
    from . import __version__

    return __version__


class ClassifierMixin:
    """Mixin for classifiers: ``score`` is accuracy."""

    _estimator_type = "classifier"

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import ClassifierTags

        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.estimator_type = "classifier"
        tags.classifier_tags = ClassifierTags()
        tags.target_tags.required = True
        return tags

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy of ``predict(X)`` against ``y`` (subset accuracy for several outputs)."""
        y = np.asarray(y)
        correct = self.predict(X) == y  # type: ignore[attr-defined]
        if correct.ndim == 2:  # several outputs: a sample counts only when all are right
            correct = correct.all(axis=1)
        return float(np.average(correct.astype(np.float64), weights=sample_weight))


class RegressorMixin:
    """Mixin for regressors: ``score`` is the coefficient of determination R²."""

    _estimator_type = "regressor"

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import RegressorTags

        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.estimator_type = "regressor"
        tags.regressor_tags = RegressorTags()
        tags.target_tags.required = True
        return tags

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² of ``predict(X)`` against ``y`` (1 is perfect, 0 is predicting the mean)."""
        y = np.asarray(y, dtype=np.float64)
        pred = np.asarray(self.predict(X), dtype=np.float64)  # type: ignore[attr-defined]
        if y.ndim == 1:
            y = y[:, None]
        if pred.ndim == 1:
            pred = pred[:, None]
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        ss_res = np.average((y - pred) ** 2, axis=0, weights=w)
        ss_tot = np.average((y - np.average(y, axis=0, weights=w)) ** 2, axis=0, weights=w)
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(
                ss_tot > 0,
                1.0 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0),
                np.where(ss_res > 0, 0.0, 1.0),
            )
        return float(np.mean(r2))


class TransformerMixin:
    """Mixin for transformers: ``fit_transform`` and output-format hooks."""

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import TransformerTags

        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.transformer_tags = TransformerTags()
        return tags

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
        """Fit to ``X`` (and ``y``), then transform ``X``."""
        if y is None:
            return self.fit(X, **fit_params).transform(X)  # type: ignore[attr-defined]
        return self.fit(X, y, **fit_params).transform(X)  # type: ignore[attr-defined]


def all_estimators() -> list[tuple[str, type]]:
    """Every public estimator class in lucidml, as sorted ``(name, class)`` pairs.

    Walks the package (importing its modules; those whose optional dependencies are missing are
    skipped), keeping ``BaseEstimator`` subclasses defined there whose names do not start with
    ``_`` or ``Base``.
    """
    import pkgutil

    from . import __path__ as package_path

    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(package_path, "lucidml."):
        if info.name.rsplit(".", 1)[-1] in ("__main__", "cli"):
            continue
        try:
            module = importlib.import_module(info.name)
        except ModuleNotFoundError as exc:  # an optional dependency is missing
            if exc.name and exc.name.split(".")[0] == "lucidml":
                raise
            continue
        for name, obj in vars(module).items():
            if (
                isinstance(obj, type)
                and issubclass(obj, BaseEstimator)
                and obj.__module__ == info.name
                and not name.startswith(("_", "Base"))
                and not inspect.isabstract(obj)
            ):
                found[name] = obj
    return sorted(found.items())


def _estimator_kind(estimator: Any) -> str | None:
    """ "classifier", "regressor", "clusterer", ... or None.

    lucidml's estimators say it with ``_estimator_type``; scikit-learn's (which dropped that
    attribute) through their tags. Tags are read only from estimators defined outside lucidml, so
    lucidml itself never imports scikit-learn to answer.
    """
    kind = getattr(estimator, "_estimator_type", None)
    if kind is not None:
        return kind
    tags = getattr(estimator, "__sklearn_tags__", None)
    if tags is None or type(estimator).__module__.split(".")[0] == "lucidml":
        return None
    try:
        return tags().estimator_type
    except Exception:  # a foreign object with a broken or partial tag implementation
        return None


def is_classifier(estimator: Any) -> bool:
    """True if ``estimator`` is a classifier (lucidml's or scikit-learn's)."""
    return _estimator_kind(estimator) == "classifier"


def is_regressor(estimator: Any) -> bool:
    """True if ``estimator`` is a regressor (lucidml's or scikit-learn's)."""
    return _estimator_kind(estimator) == "regressor"
