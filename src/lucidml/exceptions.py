"""Exceptions and warnings that lucidml raises, in one place.

``NotFittedError`` subclasses scikit-learn's when scikit-learn is installed (built on first access,
so ``import lucidml`` never imports scikit-learn); the warnings are plain ``UserWarning`` subclasses
named as scikit-learn names them.
"""

from __future__ import annotations

from typing import Any

from ._validation import DataConversionWarning

__all__ = ["ConvergenceWarning", "DataConversionWarning", "FitFailedWarning", "NotFittedError"]  # noqa: F822


class ConvergenceWarning(UserWarning):
    """An iterative fit stopped at its iteration limit before meeting its tolerance."""


class FitFailedWarning(RuntimeWarning):
    """Some fits of a cross-validation or search failed; their scores were set to error_score."""


def __getattr__(name: str) -> Any:
    if name == "NotFittedError":
        from .base import _not_fitted_error

        return _not_fitted_error()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
