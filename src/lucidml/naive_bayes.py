"""Naive Bayes classifiers (notes §13): Bayes' theorem plus the "naive" independence assumption.

Bayes' theorem turns the class-conditional likelihood of a sample into the posterior probability of
each class,

.. math::

    P(y = c \\mid \\mathbf{x}) = \\frac{P(y = c)\\, P(\\mathbf{x} \\mid y = c)}{P(\\mathbf{x})},
    \\qquad P(\\mathbf{x}) = \\sum_{c'} P(y = c')\\, P(\\mathbf{x} \\mid y = c'),

so the joint probability :math:`P(\\mathbf{x}, y)` never has to be modelled directly. The model is
"naive" because it assumes that, once the class is known, every feature is independent of every
other one and equally important:

.. math::

    P(\\mathbf{x} \\mid y = c) = \\prod_{j=1}^{n_\\text{features}} P(x_j \\mid y = c).

The assumption is rarely true, which is why the notes call the model naive, yet the classifier is
fast, needs little data and often ranks classes well. Every estimator here works in log space, where
the product becomes a sum and the normalisation a log-sum-exp:

.. math::

    \\log P(y = c \\mid \\mathbf{x}) = \\underbrace{\\log P(y = c)
        + \\sum_j \\log P(x_j \\mid y = c)}_{\\text{joint log-likelihood } J_c(\\mathbf{x})}
        - \\log \\sum_{c'} \\exp J_{c'}(\\mathbf{x}).

The four estimators differ only in the per-feature likelihood :math:`P(x_j \\mid y = c)`:
:class:`GaussianNB` (a normal density), :class:`MultinomialNB` (counts), :class:`BernoulliNB`
(binary occurrences) and :class:`CategoricalNB` (one categorical distribution per feature). All
are drop-in replacements for scikit-learn's classes of the same names.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from ._validation import (
    check_classification_targets,
    check_is_fitted,
    check_sample_weight,
    encode_labels,
    unique_labels,
)
from .base import BaseEstimator, ClassifierMixin

__all__ = ["GaussianNB", "MultinomialNB", "BernoulliNB", "CategoricalNB"]

_ALPHA_LOWER_BOUND = 1e-10


# -- helpers shared by every naive Bayes estimator ------------------------------------------------


def _check_weights(sample_weight: Any, X: np.ndarray) -> np.ndarray | None:
    """Validated sample weights of shape (n_samples,), or None."""
    if sample_weight is None:
        return None
    return check_sample_weight(sample_weight, X, dtype=np.float64)


def _check_partial_fit_classes(estimator: Any, classes: Any) -> bool:
    """Set ``classes_`` on the first call to ``partial_fit``; return True on that first call."""
    fitted = getattr(estimator, "classes_", None)
    if fitted is None and classes is None:
        raise ValueError("classes must be passed on the first call to partial_fit.")
    if classes is None:
        return False
    classes_arr = np.asarray(classes)
    if classes_arr.ndim != 1 or classes_arr.size == 0:
        raise ValueError(
            f"classes must be a non-empty 1-D array-like of labels, got shape {classes_arr.shape}."
        )
    check_classification_targets(classes_arr)
    unique, _ = unique_labels(classes_arr)
    if fitted is not None:
        if not np.array_equal(fitted, unique):
            raise ValueError(
                f"`classes={classes!r}` is not the same as on last call to partial_fit, "
                f"was: {fitted!r}"
            )
        return False
    estimator.classes_ = unique
    return True


def _check_priors(priors: Any, n_classes: int) -> np.ndarray:
    """Validate user class priors: one non-negative number per class, summing to one.

    Returns
    -------
    ndarray of shape (n_classes,)
    """
    try:
        p = np.asarray(priors, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Priors must be numbers, got {priors!r}.") from exc
    if p.ndim != 1 or p.shape[0] != n_classes:
        raise ValueError("Number of priors must match number of classes.")
    if not np.all(np.isfinite(p)):
        raise ValueError("Priors must be finite.")
    if not np.isclose(p.sum(), 1.0):
        raise ValueError("The sum of the priors should be 1.")
    if np.any(p < 0):
        raise ValueError("Priors must be non-negative.")
    return p


def _weighted_one_hot(y_idx: np.ndarray, n_classes: int, sw: np.ndarray | None) -> np.ndarray:
    """Indicator matrix of the classes, each row scaled by its sample weight.

    .. math:: R_{ic} = w_i \\, [y_i = c]

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
    """
    n = y_idx.shape[0]
    R = np.zeros((n, n_classes), dtype=np.float64)
    R[np.arange(n), y_idx] = 1.0 if sw is None else sw
    return R


def _safe_log_dot(X: np.ndarray, L: np.ndarray) -> np.ndarray:
    """Return ``X @ L.T`` where ``L`` may hold ``-inf`` and ``0 * -inf`` counts as 0.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Counts or indicators.
    L : ndarray of shape (n_classes, n_features)
        Log-probabilities (``-inf`` only when smoothing is switched off).

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
    """
    finite = np.isfinite(L)
    if finite.all():
        return X @ L.T
    out = X @ np.where(finite, L, 0.0).T
    impossible = (X != 0).astype(np.float64) @ (~finite).astype(np.float64).T
    out[impossible > 0] = -np.inf
    return out


def _log_normalise(jll: np.ndarray) -> np.ndarray:
    """Posterior log-probabilities from joint log-likelihoods, via a stable log-sum-exp.

    .. math::

        \\log P(c \\mid \\mathbf{x}) = J_c - m - \\log \\sum_{c'} e^{J_{c'} - m},
        \\qquad m = \\max_{c'} J_{c'}

    Parameters
    ----------
    jll : ndarray of shape (n_samples, n_classes)

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
    """
    m = np.max(jll, axis=1, keepdims=True)
    m[~np.isfinite(m)] = 0.0
    shifted = jll - m
    with np.errstate(divide="ignore", invalid="ignore"):
        log_norm = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
        shifted -= log_norm
    return shifted


def _check_bool(value: Any, name: str, estimator: str) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"The '{name}' parameter of {estimator} must be an instance of 'bool'. "
            f"Got {value!r} instead."
        )


def _check_nonnegative_real(value: Any, name: str, estimator: str, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(
            f"The '{name}' parameter of {estimator} must be a float in the range [0, inf)"
            f"{' or None' if allow_none else ''}. Got {value!r} instead."
        )
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(
            f"The '{name}' parameter of {estimator} must be a float in the range [0, inf)"
            f"{' or None' if allow_none else ''}. Got {value!r} instead."
        )


class _BaseNB(ClassifierMixin, BaseEstimator):
    """Prediction shared by every naive Bayes estimator: all of it follows from ``J(x)``.

    Subclasses provide ``_check_X`` (validation at predict time) and ``_joint_log_likelihood``
    (the matrix :math:`J_{ic} = \\log P(y = c) + \\log P(\\mathbf{x}_i \\mid y = c)`).
    """

    def _check_X(self, X: Any) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _joint_log_likelihood(self, X: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _validate_x(self, X: Any, y: Any = "no_validation", *, reset: bool) -> Any:
        """``_validate_data`` in float64."""
        return self._validate_data(X, y, reset=reset, dtype=np.float64)

    def _validate_xy(self, X: Any, y: Any, *, reset: bool) -> tuple:
        X, y = self._validate_x(X, y, reset=reset)
        check_classification_targets(y)
        return X, y

    def predict_joint_log_proba(self, X: Any) -> np.ndarray:
        """Joint log-probability :math:`\\log P(\\mathbf{x}, y = c)` of every sample and class.

        .. math:: J_{ic} = \\log P(y = c) + \\sum_j \\log P(x_{ij} \\mid y = c)

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        return self._joint_log_likelihood(self._check_X(X))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of every sample: :math:`\\hat y_i = \\arg\\max_c J_{ic}`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels taken from ``classes_``.
        """
        jll = self.predict_joint_log_proba(X)
        return self.classes_[np.argmax(jll, axis=1)]

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Posterior log-probabilities, normalised with a stable log-sum-exp.

        .. math:: \\log P(y = c \\mid \\mathbf{x}_i) = J_{ic} - \\log \\sum_{c'} e^{J_{ic'}}

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return _log_normalise(self.predict_joint_log_proba(X))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior probabilities :math:`P(y = c \\mid \\mathbf{x}_i)`; every row sums to one.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return np.exp(self.predict_log_proba(X))


# -- Gaussian -------------------------------------------------------------------------------------


def _pool_moments(
    n_a: np.ndarray,
    mu_a: np.ndarray,
    var_a: np.ndarray,
    n_b: np.ndarray,
    mu_b: np.ndarray,
    var_b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of two groups pooled exactly (Chan, Golub & LeVeque).

    .. math::

        n = n_a + n_b, \\qquad
        \\mu = \\frac{n_b \\mu_b + n_a \\mu_a}{n}, \\qquad
        \\sigma^2 = \\frac{n_a \\sigma_a^2 + n_b \\sigma_b^2
            + \\frac{n_a n_b}{n} (\\mu_a - \\mu_b)^2}{n}

    A group with :math:`n_b = 0` leaves the other unchanged, and :math:`n_a = 0` returns group b.

    Parameters
    ----------
    n_a, n_b : ndarray of shape (n_groups,)
        (Weighted) sizes.
    mu_a, var_a, mu_b, var_b : ndarray of shape (n_groups, n_features)

    Returns
    -------
    mu, var : ndarray of shape (n_groups, n_features)
    """
    n_a = n_a[:, None]
    n_b = n_b[:, None]
    n = n_a + n_b
    with np.errstate(divide="ignore", invalid="ignore"):
        mu = (n_b * mu_b + n_a * mu_a) / n
        ssd = n_a * var_a + n_b * var_b + (n_b * n_a / n) * (mu_a - mu_b) ** 2
        var = ssd / n
    mu = np.where(n_b > 0, np.where(n_a > 0, mu, mu_b), mu_a)
    var = np.where(n_b > 0, np.where(n_a > 0, var, var_b), var_a)
    return mu, var


def _pool_groups(counts: np.ndarray, mu: np.ndarray, var: np.ndarray) -> tuple:
    """Mean and variance of the union of groups from each group's size, mean and variance.

    .. math::

        \\mu = \\frac{\\sum_g n_g \\mu_g}{\\sum_g n_g}, \\qquad
        \\sigma^2 = \\frac{\\sum_g n_g \\left(\\sigma_g^2 + (\\mu_g - \\mu)^2\\right)}{\\sum_g n_g}

    Parameters
    ----------
    counts : ndarray of shape (n_groups,)
    mu, var : ndarray of shape (n_groups, n_features)

    Returns
    -------
    mean, var : ndarray of shape (n_features,)
    """
    total = counts.sum()
    w = (counts / total)[:, None]
    mean = np.sum(w * mu, axis=0)
    return mean, np.sum(w * (var + (mu - mean) ** 2), axis=0)


class GaussianNB(_BaseNB):
    """Gaussian naive Bayes: every feature is normal within each class.

    .. math::

        \\log P(x_j \\mid y = c) = -\\tfrac12 \\log\\left(2\\pi\\sigma^2_{cj}\\right)
            - \\frac{(x_j - \\mu_{cj})^2}{2\\sigma^2_{cj}}

    so the joint log-likelihood of a sample :math:`\\mathbf{x}` with class :math:`c` is
    :math:`J_c = \\log P(c) - \\tfrac12\\sum_j \\log(2\\pi\\sigma^2_{cj})
    - \\tfrac12\\sum_j (x_j - \\mu_{cj})^2 / \\sigma^2_{cj}`. The means and variances are
    (weighted) maximum-likelihood estimates; every variance is enlarged by
    :math:`\\epsilon = \\text{var\\_smoothing} \\cdot \\max_j \\operatorname{Var}(x_j)` so that a
    feature that is constant within a class never divides by zero.

    Parameters
    ----------
    priors : array-like of shape (n_classes,), default=None
        Prior probabilities of the classes (non-negative, summing to one). ``None`` estimates them
        from the (weighted) class frequencies.
    var_smoothing : float, default=1e-9
        Fraction of the largest feature variance added to every variance for stability. When that
        product is zero (all features constant, or ``var_smoothing=0``) the machine epsilon times
        the largest feature mean square is used instead, so probabilities stay finite.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Sorted class labels.
    class_count_ : ndarray of shape (n_classes,)
        (Weighted) number of training samples per class.
    class_prior_ : ndarray of shape (n_classes,)
        Probability of each class.
    theta_ : ndarray of shape (n_classes, n_features)
        Per-class feature means :math:`\\mu_{cj}`.
    var_ : ndarray of shape (n_classes, n_features)
        Per-class feature variances :math:`\\sigma^2_{cj}` (smoothing included).
    epsilon_ : float
        The variance added to every entry of ``var_``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.naive_bayes import GaussianNB
    >>> X = np.array([[-1.0, -1.0], [-2.0, -1.0], [1.0, 1.0], [2.0, 1.0]])
    >>> GaussianNB().fit(X, [0, 0, 1, 1]).predict([[-0.8, -1.0]])
    array([0])
    """

    def __init__(self, *, priors: Any = None, var_smoothing: float = 1e-9) -> None:
        self.priors = priors
        self.var_smoothing = var_smoothing

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> GaussianNB:
        """Estimate class priors, means and variances from ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of every sample; a weight of 2 counts a sample twice.

        Returns
        -------
        self : GaussianNB
        """
        for name in ("classes_", "theta_", "var_", "class_count_", "class_prior_", "epsilon_"):
            self.__dict__.pop(name, None)
        return self._partial_fit(X, y, None, sample_weight, refit=True)

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> GaussianNB:
        """Update the model with one more batch; any split into batches gives the same model.

        Means and variances are pooled exactly with the batch's (see ``_pool_moments``), and
        ``epsilon_`` is recomputed from the variance of all rows seen so far, so fitting in
        chunks equals a single ``fit`` on the concatenated data up to rounding.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), default=None
            Every label that can appear; required on the first call, optional afterwards.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self : GaussianNB
        """
        return self._partial_fit(X, y, classes, sample_weight, refit=False)

    def _partial_fit(
        self, X: Any, y: Any, classes: Any, sample_weight: Any, *, refit: bool
    ) -> GaussianNB:
        _check_nonnegative_real(self.var_smoothing, "var_smoothing", "GaussianNB", False)
        first_call = not hasattr(self, "classes_")
        X, y = self._validate_xy(X, y, reset=first_call)
        if refit:
            classes_arr, y_idx = unique_labels(y)
            self.classes_ = classes_arr
        else:
            first_call = _check_partial_fit_classes(self, classes)
            y_idx = encode_labels(y, self.classes_)
        n_classes, n_features = len(self.classes_), X.shape[1]
        sw = _check_weights(sample_weight, X)

        if first_call:
            self.theta_ = np.zeros((n_classes, n_features))
            self.var_ = np.zeros((n_classes, n_features))
            self.class_count_ = np.zeros(n_classes)
            if self.priors is not None:
                self.class_prior_ = _check_priors(self.priors, n_classes)
            self._rows_seen = 0
            self._row_mean = np.zeros(n_features)
            self._row_var = np.zeros(n_features)
            raw_var = self.var_
        else:
            raw_var = self.var_ - self.epsilon_

        # Per-class weighted moments of this batch, as matrix products with the indicator R.
        R = _weighted_one_hot(y_idx, n_classes, sw)
        n_b = R.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            inv_n = np.where(n_b > 0, 1.0 / n_b, 0.0)[:, None]
        mu_b = (R.T @ X) * inv_n
        dev = X - mu_b[y_idx]
        np.multiply(dev, dev, out=dev)
        var_b = (R.T @ dev) * inv_n
        self.theta_, raw_var = _pool_moments(
            self.class_count_, self.theta_, raw_var, n_b, mu_b, var_b
        )
        self.class_count_ = self.class_count_ + n_b

        # Unweighted moments of every row seen so far (they set epsilon_, as in one big fit).
        if sw is None:  # the class moments already hold them
            batch_mean, batch_var = _pool_groups(n_b, mu_b, var_b)
        else:
            batch_mean, batch_var = X.mean(axis=0), X.var(axis=0)
        mean, var = _pool_moments(
            np.array([float(self._rows_seen)]),
            self._row_mean[None],
            self._row_var[None],
            np.array([float(X.shape[0])]),
            batch_mean[None],
            batch_var[None],
        )
        self._rows_seen += X.shape[0]
        self._row_mean, self._row_var = mean[0], var[0]
        eps = float(self.var_smoothing * np.max(self._row_var))
        if not eps > 0:
            scale = float(np.max(self._row_mean**2 + self._row_var))
            eps = float(np.finfo(np.float64).eps * (scale if scale > 0 else 1.0))
        self.epsilon_ = eps
        self.var_ = raw_var + eps
        if self.priors is None:
            self.class_prior_ = self.class_count_ / self.class_count_.sum()
        return self

    def _check_X(self, X: Any) -> np.ndarray:
        return self._validate_x(X, reset=False)

    def _joint_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        """:math:`J_{ic}` computed class by class on row blocks that stay in cache.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        n, d = X.shape
        k = len(self.classes_)
        inv_var = 1.0 / self.var_
        with np.errstate(divide="ignore"):
            log_prior = np.log(self.class_prior_)
        const = log_prior - 0.5 * np.sum(np.log(2.0 * np.pi * self.var_), axis=1)
        jll_t = np.empty((k, n))
        block = max(1, 2**15 // max(d, 1))
        buf = np.empty((min(block, n), d))
        for start in range(0, n, block):
            stop = min(start + block, n)
            xb = X[start:stop]
            b = buf[: stop - start]
            for c in range(k):
                np.subtract(xb, self.theta_[c], out=b)
                np.multiply(b, b, out=b)
                np.dot(b, inv_var[c], out=jll_t[c, start:stop])
        jll_t *= -0.5
        jll_t += const[:, None]
        return jll_t.T


# -- discrete models ------------------------------------------------------------------------------


class _BaseDiscreteNB(_BaseNB):
    """Shared fitting of the count-based models: smoothing, priors, ``fit`` and ``partial_fit``.

    Class priors, with :math:`N_c` the (weighted) number of samples of class :math:`c`:

    .. math::

        \\log P(y = c) = \\log N_c - \\log \\sum_{c'} N_{c'} \\quad (\\text{fit\\_prior}),
        \\qquad -\\log n_\\text{classes} \\quad (\\text{otherwise}).
    """

    _accepts_alpha_array = True

    # -- hooks for subclasses
    def _prepare_X(self, X: np.ndarray) -> np.ndarray:
        return X

    def _init_counters(self, n_classes: int, n_features: int) -> None:
        self.class_count_ = np.zeros(n_classes, dtype=np.float64)
        self.feature_count_ = np.zeros((n_classes, n_features), dtype=np.float64)

    def _count(self, X: np.ndarray, y_idx: np.ndarray, sw: np.ndarray | None) -> None:
        R = _weighted_one_hot(y_idx, len(self.classes_), sw)
        self.feature_count_ += R.T @ X
        self.class_count_ += R.sum(axis=0)

    def _update_feature_log_prob(self, alpha: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    # -- shared machinery
    def _check_params(self) -> None:
        name = type(self).__name__
        _check_bool(self.fit_prior, "fit_prior", name)
        _check_bool(self.force_alpha, "force_alpha", name)
        if isinstance(self.alpha, numbers.Real) and not isinstance(self.alpha, (bool, np.bool_)):
            _check_nonnegative_real(self.alpha, "alpha", name, False)
        elif not self._accepts_alpha_array:
            raise TypeError(
                f"The 'alpha' parameter of {name} must be a float in the range [0, inf). "
                f"Got {self.alpha!r} instead."
            )

    def _check_X(self, X: Any) -> np.ndarray:
        return self._prepare_X(self._validate_x(X, reset=False))

    def _check_X_y(self, X: Any, y: Any, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        X, y = self._validate_xy(X, y, reset=reset)
        return self._prepare_X(X), y

    def _check_alpha(self) -> Any:
        """Smoothing parameter as used: a float or an array of shape (n_features,)."""
        if isinstance(self.alpha, numbers.Real):
            alpha: Any = float(self.alpha)
            alpha_min = alpha
        else:
            try:
                alpha = np.asarray(self.alpha, dtype=np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"alpha must be a float or an array of floats: {exc}") from exc
            if alpha.ndim != 1 or alpha.shape[0] != self.n_features_in_:
                raise ValueError(
                    "When alpha is an array, it should contains `n_features` elements."
                )
            if not np.all(np.isfinite(alpha)) or np.any(alpha < 0):
                raise ValueError("All values in alpha must be greater than 0.")
            alpha_min = float(np.min(alpha))
        if alpha_min < _ALPHA_LOWER_BOUND and not self.force_alpha:
            warnings.warn(
                f"alpha too small will result in numeric errors, setting alpha = "
                f"{_ALPHA_LOWER_BOUND:.1e}. Use `force_alpha=True` to keep alpha unchanged.",
                UserWarning,
                stacklevel=3,
            )
            return np.maximum(alpha, _ALPHA_LOWER_BOUND)
        return alpha

    def _update_class_log_prior(self) -> None:
        n_classes = len(self.classes_)
        if self.class_prior is not None:
            prior = _check_priors(self.class_prior, n_classes)
            with np.errstate(divide="ignore"):
                self.class_log_prior_ = np.log(prior)
        elif self.fit_prior:
            with np.errstate(divide="ignore"):
                self.class_log_prior_ = np.log(self.class_count_) - np.log(self.class_count_.sum())
        else:
            self.class_log_prior_ = np.full(n_classes, -np.log(n_classes))

    def _fit_batch(self, X: np.ndarray, y_idx: np.ndarray, sample_weight: Any) -> None:
        sw = _check_weights(sample_weight, X)
        self._count(X, y_idx, sw)
        self._update_feature_log_prob(self._check_alpha())
        self._update_class_log_prior()

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
        """Count (weighted) feature occurrences per class, then smooth them into probabilities.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weight of every sample; a weight of 2 counts a sample twice.

        Returns
        -------
        self
        """
        self._check_params()
        X, y = self._check_X_y(X, y, reset=True)
        self.classes_, y_idx = unique_labels(y)
        self._init_counters(len(self.classes_), X.shape[1])
        self._fit_batch(X, y_idx, sample_weight)
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None) -> Any:
        """Add one batch to the counts; fitting in chunks equals one ``fit`` on all rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : array-like of shape (n_classes,), default=None
            Every label that can appear; required on the first call, optional afterwards.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        self
        """
        self._check_params()
        first_call = not hasattr(self, "classes_")
        X, y = self._check_X_y(X, y, reset=first_call)
        if _check_partial_fit_classes(self, classes):
            self._init_counters(len(self.classes_), X.shape[1])
        y_idx = encode_labels(y, self.classes_)
        self._fit_batch(X, y_idx, sample_weight)
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.poor_score = True
        return tags


class MultinomialNB(_BaseDiscreteNB):
    """Multinomial naive Bayes for counts (word counts, event frequencies, histograms).

    With :math:`N_{cj}` the (weighted) total of feature :math:`j` in class :math:`c` and
    Laplace/Lidstone smoothing :math:`\\alpha`,

    .. math::

        \\hat\\theta_{cj} = \\frac{N_{cj} + \\alpha_j}{\\sum_{j'} (N_{cj'} + \\alpha_{j'})},
        \\qquad
        J_c(\\mathbf{x}) = \\log P(y = c) + \\sum_j x_j \\log \\hat\\theta_{cj},

    so predicting is one matrix product ``X @ feature_log_prob_.T`` (the multinomial coefficient
    is the same for every class and cancels).

    Parameters
    ----------
    alpha : float or array-like of shape (n_features,), default=1.0
        Additive smoothing (1 is Laplace, below 1 Lidstone, 0 none).
    force_alpha : bool, default=True
        If False, an alpha below 1e-10 is raised to 1e-10 with a warning.
    fit_prior : bool, default=True
        Learn class priors from the data; if False use a uniform prior.
    class_prior : array-like of shape (n_classes,), default=None
        Fixed class priors (non-negative, summing to one); overrides ``fit_prior``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_count_ : ndarray of shape (n_classes,)
        (Weighted) number of samples per class.
    class_log_prior_ : ndarray of shape (n_classes,)
        :math:`\\log P(y = c)`.
    feature_count_ : ndarray of shape (n_classes, n_features)
        :math:`N_{cj}`.
    feature_log_prob_ : ndarray of shape (n_classes, n_features)
        :math:`\\log \\hat\\theta_{cj}`.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.naive_bayes import MultinomialNB
    >>> X = np.array([[3, 0, 1], [2, 0, 0], [0, 4, 1], [0, 3, 2]])
    >>> MultinomialNB().fit(X, ["a", "a", "b", "b"]).predict([[1, 0, 0]])
    array(['a'], dtype='<U1')
    """

    def __init__(
        self,
        *,
        alpha: Any = 1.0,
        force_alpha: bool = True,
        fit_prior: bool = True,
        class_prior: Any = None,
    ) -> None:
        self.alpha = alpha
        self.force_alpha = force_alpha
        self.fit_prior = fit_prior
        self.class_prior = class_prior

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags

    def _count(self, X: np.ndarray, y_idx: np.ndarray, sw: np.ndarray | None) -> None:
        if X.size and np.min(X) < 0:
            raise ValueError("Negative values in data passed to MultinomialNB (input X)")
        super()._count(X, y_idx, sw)

    def _update_feature_log_prob(self, alpha: Any) -> None:
        smoothed = self.feature_count_ + alpha
        with np.errstate(divide="ignore"):
            self.feature_log_prob_ = np.log(smoothed) - np.log(smoothed.sum(axis=1))[:, None]

    def _joint_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        """:math:`J = X \\log\\hat\\theta^\\top + \\log P(y)`, shape (n_samples, n_classes)."""
        jll = _safe_log_dot(X, self.feature_log_prob_)
        jll += self.class_log_prior_
        return jll


class BernoulliNB(_BaseDiscreteNB):
    """Bernoulli naive Bayes for binary features (present / absent).

    With :math:`N_{cj}` the (weighted) number of class-:math:`c` samples in which feature
    :math:`j` is on and :math:`N_c` the (weighted) class size,

    .. math::

        \\hat p_{cj} = \\frac{N_{cj} + \\alpha}{N_c + 2\\alpha}, \\qquad
        J_c(\\mathbf{x}) = \\log P(y = c)
            + \\sum_j \\left[x_j \\log \\hat p_{cj} + (1 - x_j) \\log(1 - \\hat p_{cj})\\right],

    computed as one matrix product
    :math:`X (\\log\\hat p - \\log(1-\\hat p))^\\top + \\sum_j \\log(1 - \\hat p_{cj})`. Unlike
    the multinomial model, an absent feature is evidence too.

    Parameters
    ----------
    alpha : float or array-like of shape (n_features,), default=1.0
        Additive smoothing (1 is Laplace, 0 none).
    force_alpha : bool, default=True
        If False, an alpha below 1e-10 is raised to 1e-10 with a warning.
    binarize : float or None, default=0.0
        Threshold: values strictly above it become 1, the rest 0. ``None`` takes ``X`` as already
        binary.
    fit_prior : bool, default=True
        Learn class priors from the data; if False use a uniform prior.
    class_prior : array-like of shape (n_classes,), default=None
        Fixed class priors (non-negative, summing to one); overrides ``fit_prior``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_count_ : ndarray of shape (n_classes,)
    class_log_prior_ : ndarray of shape (n_classes,)
    feature_count_ : ndarray of shape (n_classes, n_features)
        :math:`N_{cj}`.
    feature_log_prob_ : ndarray of shape (n_classes, n_features)
        :math:`\\log \\hat p_{cj}`.
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.naive_bayes import BernoulliNB
    >>> X = np.array([[1, 0, 1], [1, 0, 0], [0, 1, 1], [0, 1, 0]])
    >>> BernoulliNB().fit(X, [0, 0, 1, 1]).predict([[1, 0, 0]])
    array([0])
    """

    def __init__(
        self,
        *,
        alpha: Any = 1.0,
        force_alpha: bool = True,
        binarize: float | None = 0.0,
        fit_prior: bool = True,
        class_prior: Any = None,
    ) -> None:
        self.alpha = alpha
        self.force_alpha = force_alpha
        self.binarize = binarize
        self.fit_prior = fit_prior
        self.class_prior = class_prior

    def _check_params(self) -> None:
        super()._check_params()
        _check_nonnegative_real(self.binarize, "binarize", "BernoulliNB", True)

    def _prepare_X(self, X: np.ndarray) -> np.ndarray:
        if self.binarize is None:
            return X
        return (X > self.binarize).astype(np.float64)

    def _update_feature_log_prob(self, alpha: Any) -> None:
        with np.errstate(divide="ignore"):
            self.feature_log_prob_ = (
                np.log(self.feature_count_ + alpha)
                - np.log(self.class_count_ + 2.0 * alpha)[:, None]
            )

    def _joint_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        """Joint log-likelihood as one matrix product.

        .. math::

            J = X \\left(\\log\\hat p - \\log(1-\\hat p)\\right)^\\top
                + \\sum_j \\log(1-\\hat p_{\\cdot j}) + \\log P(y)

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        log_p = self.feature_log_prob_
        with np.errstate(divide="ignore", invalid="ignore"):
            log_q = np.log1p(-np.exp(log_p))
        if np.all(np.isfinite(log_p)) and np.all(np.isfinite(log_q)):
            jll = X @ (log_p - log_q).T
            jll += self.class_log_prior_ + log_q.sum(axis=1)
            return jll
        # Without smoothing a probability can be exactly 0 or 1: keep 0 * log(0) = 0.
        jll = _safe_log_dot(X, log_p) + _safe_log_dot(1.0 - X, log_q)
        jll += self.class_log_prior_
        return jll


class CategoricalNB(_BaseDiscreteNB):
    """Categorical naive Bayes: every feature is a categorical variable coded 0, 1, 2, ...

    With :math:`N_{tjc}` the (weighted) number of class-:math:`c` samples whose feature
    :math:`j` is category :math:`t`, and :math:`n_j` the number of categories of feature :math:`j`,

    .. math::

        P(x_j = t \\mid y = c) = \\frac{N_{tjc} + \\alpha}{N_c + \\alpha n_j},
        \\qquad
        J_c(\\mathbf{x}) = \\log P(y = c) + \\sum_j \\log P(x_j \\mid y = c).

    Predicting is one sparse matrix product: the one-hot encoding of ``X`` (one column per
    (feature, category) pair) times the stacked log-probabilities.

    Parameters
    ----------
    alpha : float, default=1.0
        Additive smoothing (1 is Laplace, 0 none).
    force_alpha : bool, default=True
        If False, an alpha below 1e-10 is raised to 1e-10 with a warning.
    fit_prior : bool, default=True
        Learn class priors from the data; if False use a uniform prior.
    class_prior : array-like of shape (n_classes,), default=None
        Fixed class priors (non-negative, summing to one); overrides ``fit_prior``.
    min_categories : int or array-like of shape (n_features,), default=None
        Smallest number of categories per feature, to reserve room for categories that are absent
        from the training data. Values of ``X`` are truncated to integers, as scikit-learn does.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    class_count_ : ndarray of shape (n_classes,)
    class_log_prior_ : ndarray of shape (n_classes,)
    category_count_ : list of n_features ndarrays of shape (n_classes, n_categories_[j])
        :math:`N_{tjc}`, indexed ``[j][c, t]``.
    feature_log_prob_ : list of n_features ndarrays of shape (n_classes, n_categories_[j])
        :math:`\\log P(x_j = t \\mid y = c)`.
    n_categories_ : ndarray of shape (n_features,), dtype int64
        Number of categories of every feature (the largest seen over all ``partial_fit`` calls).
    n_features_in_ : int
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Only when ``X`` was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.naive_bayes import CategoricalNB
    >>> X = np.array([[0, 2], [0, 1], [1, 0], [2, 0]])
    >>> CategoricalNB().fit(X, [0, 0, 1, 1]).predict([[0, 2]])
    array([0])
    """

    _accepts_alpha_array = False

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        force_alpha: bool = True,
        fit_prior: bool = True,
        class_prior: Any = None,
        min_categories: Any = None,
    ) -> None:
        self.alpha = alpha
        self.force_alpha = force_alpha
        self.fit_prior = fit_prior
        self.class_prior = class_prior
        self.min_categories = min_categories

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.positive_only = True
        return tags

    def _prepare_X(self, X: np.ndarray) -> np.ndarray:
        if X.size and np.min(X) < 0:
            raise ValueError("Negative values in data passed to CategoricalNB (input X)")
        return X.astype(np.int64)

    def _init_counters(self, n_classes: int, n_features: int) -> None:
        self.class_count_ = np.zeros(n_classes, dtype=np.float64)
        self.category_count_ = [np.zeros((n_classes, 0)) for _ in range(n_features)]

    def _min_categories(self, n_features: int) -> np.ndarray | None:
        if self.min_categories is None:
            return None
        mc = np.asarray(self.min_categories)
        if not np.issubdtype(mc.dtype, np.signedinteger):
            raise ValueError(f"'min_categories' should have integral type. Got {mc.dtype} instead.")
        if mc.ndim == 0:
            mc = np.full(n_features, int(mc))
        if mc.shape != (n_features,):
            raise ValueError(
                f"'min_categories' should have shape ({n_features},) when an array-like is "
                f"provided. Got {mc.shape} instead."
            )
        if np.any(mc < 1):
            raise ValueError("'min_categories' must be at least 1 for every feature.")
        return mc.astype(np.int64)

    def _count(self, X: np.ndarray, y_idx: np.ndarray, sw: np.ndarray | None) -> None:
        n, d = X.shape
        k = len(self.classes_)
        widths = X.max(axis=0) + 1
        mc = self._min_categories(d)
        if mc is not None:
            widths = np.maximum(widths, mc)
        old = np.array([c.shape[1] for c in self.category_count_], dtype=np.int64)
        widths = np.maximum(widths, old)
        offsets = np.concatenate(([0], np.cumsum(widths)[:-1]))
        total = int(widths.sum())
        # One bincount over every (class, feature, category) cell: no loop over samples.
        cell = (X + offsets) + (y_idx * total)[:, None]
        weights = None if sw is None else np.repeat(sw, d)
        counts = np.bincount(cell.ravel(), weights=weights, minlength=k * total)
        counts = counts.reshape(k, total)
        for j in range(d):
            grown = np.zeros((k, widths[j]))
            grown[:, : old[j]] = self.category_count_[j]
            grown += counts[:, offsets[j] : offsets[j] + widths[j]]
            self.category_count_[j] = grown
        self.class_count_ += np.bincount(y_idx, weights=sw, minlength=k)
        self.n_categories_ = widths.astype(np.int64)

    def _update_feature_log_prob(self, alpha: Any) -> None:
        widths = self.n_categories_
        offsets = np.concatenate(([0], np.cumsum(widths)[:-1]))
        smoothed = np.concatenate(self.category_count_, axis=1) + alpha
        per_feature = np.add.reduceat(smoothed, offsets, axis=1)
        with np.errstate(divide="ignore"):
            flat = np.log(smoothed) - np.repeat(np.log(per_feature), widths, axis=1)
        self._log_prob_table = flat
        self._offsets = offsets
        self.feature_log_prob_ = [
            flat[:, offsets[j] : offsets[j] + widths[j]].copy() for j in range(len(widths))
        ]

    def _joint_log_likelihood(self, X: np.ndarray) -> np.ndarray:
        """One-hot ``X`` (sparse, one column per feature/category) times the log-probabilities.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        from scipy import sparse

        n, d = X.shape
        unseen = X >= self.n_categories_
        if np.any(unseen):
            i, j = np.argwhere(unseen)[0]
            raise ValueError(
                f"X[:, {j}] holds category {X[i, j]}, but CategoricalNB saw only "
                f"{self.n_categories_[j]} categories (0 to {self.n_categories_[j] - 1}) for that "
                "feature during fit. Set min_categories to reserve room for unseen categories."
            )
        cols = (X + self._offsets).ravel()
        one_hot = sparse.csr_matrix(
            (np.ones(n * d), cols, np.arange(0, n * d + 1, d)),
            shape=(n, self._log_prob_table.shape[1]),
        )
        jll = np.asarray(one_hot @ self._log_prob_table.T)
        jll += self.class_log_prior_
        return jll
