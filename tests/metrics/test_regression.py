"""Regression metrics against scikit-learn: weights, multioutput modes, constant targets."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

import lucidml.metrics as lm

sk = pytest.importorskip("sklearn.metrics")

NAMES = [
    "mean_squared_error",
    "root_mean_squared_error",
    "mean_absolute_error",
    "r2_score",
    "explained_variance_score",
]


def _case(seed: int, n_outputs: int):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    shape = (n,) if n_outputs == 0 else (n, n_outputs)
    y_true = rng.normal(size=shape) * rng.uniform(0.1, 10)
    y_pred = y_true + rng.normal(size=shape) + 0.3
    return y_true, y_pred, rng.random(n) * 2, rng.random(max(n_outputs, 1))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("n_outputs", [0, 1, 3])
def test_matches_sklearn(name, seed, n_outputs):
    ours_fn, theirs_fn = getattr(lm, name), getattr(sk, name)
    y_true, y_pred, sw, out_w = _case(seed, n_outputs)
    modes = ["uniform_average", "raw_values"]
    if name in ("r2_score", "explained_variance_score"):
        modes.append("variance_weighted")
    if n_outputs > 1:
        modes.append(out_w)
    for multioutput in modes:
        for weights in (None, sw):
            kw = dict(sample_weight=weights, multioutput=multioutput)
            ours = ours_fn(y_true, y_pred, **kw)
            theirs = theirs_fn(y_true, y_pred, **kw)
            if isinstance(multioutput, str) and multioutput == "raw_values":
                assert isinstance(ours, np.ndarray) and ours.shape == theirs.shape
            else:
                assert isinstance(ours, float)
            assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["r2_score", "explained_variance_score"])
def test_constant_target_and_force_finite(name):
    ours_fn, theirs_fn = getattr(lm, name), getattr(sk, name)
    y_true = np.array([[1.0, 2.0], [1.0, 3.0], [1.0, 4.0]])
    for y_pred in (y_true.copy(), y_true + 0.5):
        for force_finite in (True, False):
            kw = dict(force_finite=force_finite, multioutput="raw_values")
            with np.errstate(all="ignore"):
                assert_allclose(
                    ours_fn(y_true, y_pred, **kw), theirs_fn(y_true, y_pred, **kw), equal_nan=True
                )


def test_r2_single_sample_is_nan_with_warning():
    with pytest.warns(lm.UndefinedMetricWarning, match="less than two samples"):
        assert np.isnan(lm.r2_score([1.0], [2.0]))


def test_float32_and_integer_inputs():
    rng = np.random.default_rng(0)
    y = rng.normal(size=50).astype(np.float32)
    p = (y + rng.normal(size=50)).astype(np.float32)
    for name in NAMES:
        assert getattr(lm, name)(y, p) == pytest.approx(getattr(sk, name)(y, p), rel=1e-6)
    yi, pi = rng.integers(0, 10, 30), rng.integers(0, 10, 30)
    for name in NAMES:
        assert getattr(lm, name)(yi, pi) == pytest.approx(getattr(sk, name)(yi, pi), rel=1e-12)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    "y_true, y_pred, kwargs, match",
    [
        ([1.0, 2.0, 3.0], [1.0, 2.0], {}, "inconsistent numbers of samples"),
        ([1.0, np.nan], [1.0, 2.0], {}, "NaN"),
        ([1.0, 2.0], [np.inf, 2.0], {}, "infinity"),
        ([[1.0, 2.0], [2.0, 3.0]], [1.0, 2.0], {}, "different number of output"),
        (["a", "b"], [1.0, 2.0], {}, "numeric|number"),
        ([], [], {}, "0 sample"),
        ([1.0, 2.0], [1.0, 2.0], {"multioutput": "foo"}, "multioutput"),
        ([1.0, 2.0], [1.0, 2.0], {"multioutput": [0.5, 0.5]}, "multi-output"),
        ([[1.0, 2.0]] * 3, [[1.0, 2.0]] * 3, {"multioutput": [1.0]}, "equally many"),
        ([1.0, 2.0], [1.0, 2.0], {"sample_weight": [1.0, 2.0, 3.0]}, "inconsistent"),
        ([1.0, 2.0], [1.0, 2.0], {"sample_weight": [1.0, np.nan]}, "NaN"),
    ],
)
def test_bad_input(name, y_true, y_pred, kwargs, match):
    with pytest.raises(ValueError, match=match):
        getattr(lm, name)(y_true, y_pred, **kwargs)


def test_variance_weighted_only_for_explained_fractions():
    for name in ("mean_squared_error", "root_mean_squared_error", "mean_absolute_error"):
        with pytest.raises(ValueError, match="multioutput"):
            getattr(lm, name)([1.0, 2.0], [1.0, 2.0], multioutput="variance_weighted")
