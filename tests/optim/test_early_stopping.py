"""EarlyStopping: stops at the right check, remembers and restores the best parameters."""

from __future__ import annotations

import numpy as np
import pytest

from lucidml.optim import EarlyStopping


def _run(stopper, scores, size=3):
    """Feed scores with params = [k, k, k] at check k; return the check index that stopped."""
    params = np.zeros(size)
    for k, s in enumerate(scores):
        params[...] = k
        if stopper.update(s, params):
            return k, params
    return None, params


def test_stops_after_patience_checks_without_improvement():
    scores = [0.5, 0.6, 0.7, 0.69, 0.7, 0.65, 0.9]
    stopper = EarlyStopping(patience=3, tol=1e-4, mode="max")
    stopped_at, params = _run(stopper, scores)
    assert stopped_at == 5  # checks 3, 4, 5 do not beat 0.7
    assert stopper.stopped
    assert stopper.best_score == 0.7 and stopper.best_iteration == 2
    assert stopper.n_checks == 6
    assert stopper.restore(params) is True
    np.testing.assert_array_equal(params, [2.0, 2.0, 2.0])


def test_min_mode():
    scores = [3.0, 2.0, 2.5, 1.5, 1.6, 1.7]
    stopper = EarlyStopping(patience=2, mode="min")
    stopped_at, params = _run(stopper, scores)
    assert stopped_at == 5
    assert stopper.best_score == 1.5 and stopper.best_iteration == 3
    stopper.restore(params)
    assert params[0] == 3.0


def test_small_gains_do_not_reset_patience_but_update_best():
    # 0.70005 beats 0.7 by less than tol: a bad check, yet the best parameters follow it.
    scores = [0.7, 0.70005, 0.70008]
    stopper = EarlyStopping(patience=2, tol=1e-4)
    stopped_at, params = _run(stopper, scores)
    assert stopped_at == 2
    assert stopper.best_iteration == 2 and stopper.best_score == 0.70008
    stopper.restore(params)
    assert params[0] == 2.0


def test_does_not_stop_while_improving():
    stopper = EarlyStopping(patience=1)
    stopped_at, _ = _run(stopper, np.linspace(0, 1, 20))
    assert stopped_at is None and stopper.best_iteration == 19


def test_nan_never_improves():
    stopper = EarlyStopping(patience=2)
    stopped_at, params = _run(stopper, [0.1, np.nan, np.nan])
    assert stopped_at == 2 and stopper.best_iteration == 0


def test_best_params_copied_into_one_buffer():
    stopper = EarlyStopping(patience=5)
    params = np.zeros((2, 2), dtype=np.float32)
    stopper.update(1.0, params)
    buf = stopper.best_params
    assert buf.dtype == np.float32 and not np.shares_memory(buf, params)
    params += 1
    stopper.update(2.0, params)
    assert stopper.best_params is buf
    np.testing.assert_array_equal(buf, 1.0)
    params += 1  # later changes do not leak into the saved copy
    np.testing.assert_array_equal(buf, 1.0)


def test_reset():
    stopper = EarlyStopping(patience=1)
    _run(stopper, [1.0, 0.5])
    assert stopper.stopped
    stopper.reset()
    assert not stopper.stopped and stopper.n_checks == 0 and stopper.best_iteration == -1
    assert stopper.best_score == -np.inf


def test_without_restore_best():
    stopper = EarlyStopping(patience=1, restore_best=False)
    assert not stopper.update(0.3)
    assert stopper.update(0.2)
    assert stopper.best_params is None
    with pytest.raises(ValueError, match="restore_best=False"):
        stopper.restore(np.zeros(3))


def test_errors():
    with pytest.raises(ValueError, match="params is required"):
        EarlyStopping().update(0.5)
    untouched = np.ones(2)
    assert EarlyStopping().restore(untouched) is False
    stopper = EarlyStopping(patience=3)
    stopper.update(np.nan, untouched)
    assert stopper.restore(untouched) is False
    np.testing.assert_array_equal(untouched, 1.0)
    stopper = EarlyStopping()
    stopper.update(1.0, np.zeros(3))
    with pytest.raises(ValueError, match="shape"):
        stopper.restore(np.zeros(4))
    for kwargs, word in [
        ({"patience": 0}, "patience"),
        ({"patience": 2.5}, "patience"),
        ({"tol": -1.0}, "tol"),
        ({"tol": np.nan}, "tol"),
        ({"mode": "best"}, "mode"),
    ]:
        with pytest.raises(ValueError, match=word):
            EarlyStopping(**kwargs)
