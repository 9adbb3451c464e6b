"""Learning-rate schedules: the documented values, Adaptive's reductions, bad settings."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lucidml.optim import (
    Adaptive,
    Constant,
    ExponentialDecay,
    InverseScaling,
    Schedule,
    StepDecay,
    get_schedule,
)


def test_constant():
    s = Constant(0.3)
    assert [s(t) for t in (0, 1, 100)] == [0.3, 0.3, 0.3]


def test_inverse_scaling():
    s = InverseScaling(0.1, power_t=0.5)
    for t in (0, 1, 3, 99):
        assert s(t) == pytest.approx(0.1 / np.sqrt(t + 1), rel=1e-15)
    assert InverseScaling(2.0, power_t=1.0)(3) == pytest.approx(0.5)
    assert InverseScaling(2.0, power_t=0.0)(50) == 2.0


def test_step_decay():
    s = StepDecay(1.0, drop=0.5, every=3)
    assert [s(t) for t in range(8)] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]


def test_exponential_decay():
    s = ExponentialDecay(0.2, gamma=0.9)
    for t in (0, 1, 7):
        assert s(t) == pytest.approx(0.2 * 0.9**t, rel=1e-15)


def test_adaptive_reduces_after_patience():
    s = Adaptive(1.0, factor=0.2, patience=2, tol=0.01)
    # improvements by more than tol keep the rate
    for loss in (10.0, 9.0, 8.0):
        assert s.update(loss) == 1.0
    assert s.update(7.995) == 1.0  # better, but by less than tol: first bad check
    assert s.best_score == 7.995
    assert s.n_bad_checks == 1
    assert s.update(8.5) == pytest.approx(0.2)  # second bad check: reduce
    assert s.n_reductions == 1 and s.n_bad_checks == 0
    assert s(123) == pytest.approx(0.2)  # ignores t
    assert s.update(8.0) == pytest.approx(0.2)
    assert s.update(7.0) == pytest.approx(0.2)  # improves: count back to 0
    assert s.update(7.0) == pytest.approx(0.2)
    assert s.update(7.0) == pytest.approx(0.04)


def test_adaptive_floor_and_exhausted():
    s = Adaptive(1e-3, factor=0.1, patience=1, tol=0.0, min_lr=1e-5)
    s.update(1.0)
    assert s.update(1.0) == pytest.approx(1e-4)
    assert s.update(1.0) == pytest.approx(1e-5)
    assert not s.exhausted
    assert s.update(1.0) == pytest.approx(1e-5)
    assert s.exhausted
    s.reset()
    assert s(0) == 1e-3 and not s.exhausted and s.n_reductions == 0


def test_adaptive_max_mode_and_nan():
    s = Adaptive(1.0, patience=2, tol=0.0, mode="max")
    s.update(0.5)
    s.update(0.6)
    assert s.n_bad_checks == 0
    s.update(float("nan"))
    s.update(0.55)
    assert s(0) == pytest.approx(0.2)


def test_adaptive_matches_scikit_learn_rule():
    # scikit-learn MLP ('adaptive', n_iter_no_change=k) divides by 5 after k + 1 bad epochs,
    # judged against the best loss so far, which follows every strictly lower loss.
    losses = [5.0, 4.0, 3.99995, 3.9999, 4.5, 3.0, 3.0, 3.0, 2.99999, 1.0]
    tol, k = 1e-4, 1
    lr, best, count, expected = 1.0, np.inf, 0, []
    for loss in losses:
        count = count + 1 if loss > best - tol else 0
        best = min(best, loss)
        if count > k:
            lr /= 5.0
            count = 0
        expected.append(lr)
    s = Adaptive(1.0, factor=0.2, patience=k + 1, tol=tol, min_lr=0.0)
    got = [s.update(loss) for loss in losses]
    np.testing.assert_allclose(got, expected, rtol=1e-15)


@pytest.mark.parametrize(
    "name,cls,kwargs",
    [
        ("constant", Constant, {}),
        ("invscaling", InverseScaling, {"power_t": 0.25}),
        ("step", StepDecay, {"drop": 0.1, "every": 2}),
        ("exponential", ExponentialDecay, {"gamma": 0.5}),
        ("adaptive", Adaptive, {"patience": 3}),
    ],
)
def test_get_schedule_and_state_dict(name, cls, kwargs):
    s = get_schedule(name, 0.1, **kwargs)
    assert isinstance(s, cls) and isinstance(s, Schedule)
    for k, v in kwargs.items():
        assert getattr(s, k) == v
    state = json.loads(json.dumps(s.state_dict()))
    other = get_schedule(state["name"], state["learning_rate"])
    other.load_state_dict(state)
    assert [other(t) for t in range(6)] == [s(t) for t in range(6)]
    assert get_schedule(s) is s
    assert name in repr(s).lower() or cls.__name__ in repr(s)


def test_adaptive_state_roundtrip():
    s = Adaptive(1.0, patience=1)
    s.update(1.0)
    s.update(2.0)
    other = Adaptive(1.0)
    other.load_state_dict(json.loads(json.dumps(s.state_dict())))
    assert other(0) == s(0) == pytest.approx(0.2)
    assert other.best_score == 1.0 and other.patience == 1 and other.n_reductions == 1


def test_get_schedule_errors():
    with pytest.raises(ValueError, match=r"Unknown learning-rate schedule 'cosine'.*adaptive"):
        get_schedule("cosine", 0.1)
    with pytest.raises(ValueError, match="Unknown"):
        get_schedule(3, 0.1)
    with pytest.raises(ValueError, match="learning_rate"):
        get_schedule("constant")
    with pytest.raises(TypeError):
        get_schedule(Constant(0.1), 0.2)
    with pytest.raises(ValueError, match="'step'"):
        Constant(0.1).load_state_dict(StepDecay(0.1).state_dict())


@pytest.mark.parametrize(
    "make,word",
    [
        (lambda: Constant(-0.1), "learning_rate"),
        (lambda: Constant(0.0), "learning_rate"),
        (lambda: Constant("x"), "learning_rate"),
        (lambda: InverseScaling(0.1, power_t=-1), "power_t"),
        (lambda: StepDecay(0.1, drop=0.0), "drop"),
        (lambda: StepDecay(0.1, drop=1.5), "drop"),
        (lambda: StepDecay(0.1, every=0), "every"),
        (lambda: StepDecay(0.1, every=2.5), "every"),
        (lambda: ExponentialDecay(0.1, gamma=0.0), "gamma"),
        (lambda: ExponentialDecay(0.1, gamma=1.01), "gamma"),
        (lambda: Adaptive(0.1, factor=1.0), "factor"),
        (lambda: Adaptive(0.1, factor=0.0), "factor"),
        (lambda: Adaptive(0.1, patience=0), "patience"),
        (lambda: Adaptive(0.1, tol=-1.0), "tol"),
        (lambda: Adaptive(0.1, min_lr=-1.0), "min_lr"),
        (lambda: Adaptive(0.1, mode="up"), "mode"),
    ],
)
def test_bad_settings(make, word):
    with pytest.raises(ValueError, match=word):
        make()
