"""Optimizers against textbook references written out here, step by step."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from lucidml.optim import (
    SGD,
    Adam,
    Constant,
    InverseScaling,
    Momentum,
    Optimizer,
    StepDecay,
    get_optimizer,
)

DTYPES = [np.float32, np.float64]
RTOL = {np.float32: 2e-5, np.float64: 1e-12}


def _grads(n_steps, size, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(scale=2.0, size=size) for _ in range(n_steps)]


# -- references, straight from the formulas (float64, fresh arrays, no tricks) -----------------


def ref_sgd(w, grads, lr):
    w = w.astype(np.float64)
    out = []
    for g in grads:
        w = w - lr * g
        out.append(w)
    return out


def ref_momentum(w, grads, lr, mu, nesterov):
    w = w.astype(np.float64)
    v = np.zeros_like(w)
    out = []
    for g in grads:
        v = mu * v - lr * g
        w = w + mu * v - lr * g if nesterov else w + v
        out.append(w)
    return out


def ref_adam(w, grads, lr, b1, b2, eps):
    w = w.astype(np.float64)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    out = []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(w)
    return out, m, v


CASES = [
    ("sgd", lambda: SGD(0.05), lambda w, g: ref_sgd(w, g, 0.05)),
    ("momentum", lambda: Momentum(0.05, 0.9), lambda w, g: ref_momentum(w, g, 0.05, 0.9, False)),
    (
        "nesterov",
        lambda: Momentum(0.05, 0.8, nesterov=True),
        lambda w, g: ref_momentum(w, g, 0.05, 0.8, True),
    ),
    ("adam", lambda: Adam(0.01), lambda w, g: ref_adam(w, g, 0.01, 0.9, 0.999, 1e-8)[0]),
    # A large epsilon separates the textbook update from the "epsilon hat" variant.
    (
        "adam-eps",
        lambda: Adam(0.02, beta1=0.8, beta2=0.95, epsilon=0.3),
        lambda w, g: ref_adam(w, g, 0.02, 0.8, 0.95, 0.3)[0],
    ),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,make,ref", CASES, ids=[c[0] for c in CASES])
def test_step_matches_reference(name, make, ref, dtype):
    rng = np.random.default_rng(1)
    w0 = rng.normal(size=(7,)).astype(dtype)
    grads = [g.astype(dtype) for g in _grads(6, 7)]
    expected = ref(w0, [g.astype(np.float64) for g in grads])
    opt = make()
    params = w0.copy()
    ident = params
    for k, g in enumerate(grads):
        opt.step(params, g.copy())
        assert params is ident
        assert params.dtype == dtype
        np.testing.assert_allclose(params, expected[k], rtol=RTOL[dtype], atol=RTOL[dtype])
    assert opt.iteration == len(grads)


@pytest.mark.parametrize("name,make,ref", CASES, ids=[c[0] for c in CASES])
def test_step_updates_in_place_on_views(name, make, ref):
    # The engine may hand views into one flat buffer; they must be updated, not rebound.
    flat = np.zeros(12)
    params = flat[2:9]
    grads = _grads(3, 7)
    expected = ref(params.copy(), grads)
    opt = make()
    for g in grads:
        opt.step(params, g.copy())
    assert np.shares_memory(params, flat)
    np.testing.assert_allclose(flat[2:9], expected[-1], rtol=1e-12)
    assert np.all(flat[:2] == 0) and np.all(flat[9:] == 0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name,make,ref", CASES, ids=[c[0] for c in CASES])
def test_step_allocates_nothing(name, make, ref, dtype):
    n = 20_000
    params = np.ones(n, dtype=dtype)
    grad = np.full(n, 0.5, dtype=dtype)
    opt = make()
    opt.step(params, grad)  # first call allocates the state
    grad[...] = 0.5
    tracemalloc.start()
    try:
        for _ in range(5):
            opt.step(params, grad)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # One temporary of the parameters' size would be n * itemsize bytes.
    assert peak < params.nbytes // 4


def test_adam_state_dict_reports_textbook_moments():
    grads = _grads(4, 5, seed=3)
    w = np.zeros(5)
    opt = Adam(0.01, beta1=0.85, beta2=0.99)
    for g in grads:
        opt.step(w, g.copy())
    _, m, v = ref_adam(np.zeros(5), grads, 0.01, 0.85, 0.99, 1e-8)
    state = opt.state_dict()
    np.testing.assert_allclose(state["m"], m, rtol=1e-12)
    np.testing.assert_allclose(state["v"], v, rtol=1e-12)
    assert state["iteration"] == 4 and state["name"] == "adam"


def test_nesterov_equals_lookahead_form_on_quadratic():
    # Sutskever et al.'s NAG evaluates the gradient at theta + mu * v; our parameters are that
    # look-ahead point. Independent oracle on f(w) = 1/2 w^T A w - b^T w.
    rng = np.random.default_rng(4)
    Q = rng.normal(size=(4, 4))
    A = Q @ Q.T + np.eye(4)
    b = rng.normal(size=4)
    lr, mu = 0.05, 0.9
    theta = rng.normal(size=4)
    vel = np.zeros(4)
    params = theta.copy()
    opt = Momentum(lr, mu, nesterov=True)
    for _ in range(25):
        vel = mu * vel - lr * (A @ (theta + mu * vel) - b)
        theta = theta + vel
        opt.step(params, A @ params - b)
        np.testing.assert_allclose(params, theta + mu * vel, rtol=1e-10, atol=1e-12)


def test_matches_scikit_learn_private_optimizers():
    mod = pytest.importorskip("sklearn.neural_network._stochastic_optimizers")
    grads = _grads(5, 6, seed=5)
    for nesterov in (False, True):
        w_sk = np.zeros(6)
        sk = mod.SGDOptimizer([w_sk], learning_rate_init=0.05, momentum=0.7, nesterov=nesterov)
        ours = np.zeros(6)
        opt = Momentum(0.05, 0.7, nesterov=nesterov)
        for g in grads:
            sk.update_params([w_sk], [g.copy()])
            opt.step(ours, g.copy())
        np.testing.assert_allclose(ours, w_sk, rtol=1e-12)
    # scikit-learn's Adam uses the "epsilon hat" variant; equal when epsilon is negligible.
    w_sk = np.zeros(6)
    sk = mod.AdamOptimizer([w_sk], learning_rate_init=0.01, epsilon=1e-12)
    ours = np.zeros(6)
    opt = Adam(0.01, epsilon=1e-12)
    for g in grads:
        sk.update_params([w_sk], [g.copy()])
        opt.step(ours, g.copy())
    np.testing.assert_allclose(ours, w_sk, rtol=1e-9)


def test_schedule_is_called_with_update_count():
    sched = StepDecay(0.1, drop=0.5, every=2)
    opt = SGD(sched)
    w = np.zeros(3)
    g = np.ones(3)
    expected = 0.0
    for t in range(6):
        assert opt.current_learning_rate() == pytest.approx(sched(t))
        opt.step(w, g.copy())
        expected -= 0.1 * 0.5 ** (t // 2)
        np.testing.assert_allclose(w, expected)


def test_learning_rate_reassigned_between_steps():
    opt = SGD(0.1)
    w = np.zeros(2)
    opt.step(w, np.ones(2))
    opt.learning_rate = 0.01
    opt.step(w, np.ones(2))
    np.testing.assert_allclose(w, -0.11)
    opt.learning_rate = InverseScaling(1.0, power_t=1.0)  # t = 2 -> 1/3
    opt.step(w, np.ones(2))
    np.testing.assert_allclose(w, -0.11 - 1.0 / 3.0)


@pytest.mark.parametrize("name,make,ref", CASES, ids=[c[0] for c in CASES])
def test_state_dict_roundtrip_resumes_identically(name, make, ref):
    grads = _grads(6, 4, seed=6)
    a = make()
    wa = np.arange(4.0)
    for g in grads[:3]:
        a.step(wa, g.copy())
    state = a.state_dict()
    for value in state.values():
        assert isinstance(value, (int, float, str, bool, np.ndarray, dict, type(None)))
    b = make()
    b.load_state_dict(state)
    wb = wa.copy()
    for g in grads[3:]:
        a.step(wa, g.copy())
        b.step(wb, g.copy())
    np.testing.assert_array_equal(wa, wb)
    assert b.iteration == 6


def test_state_dict_restores_schedule_and_hyperparameters():
    opt = Momentum(StepDecay(0.2, drop=0.1, every=1), momentum=0.5, nesterov=True)
    w = np.zeros(2)
    opt.step(w, np.ones(2))
    state = opt.state_dict()
    other = Momentum()
    other.load_state_dict(state)
    assert other.momentum == 0.5 and other.nesterov is True
    assert isinstance(other.learning_rate, StepDecay)
    assert other.current_learning_rate() == pytest.approx(0.02)
    with pytest.raises(ValueError, match="adam"):
        Momentum().load_state_dict(Adam().state_dict())


def test_loaded_float64_state_follows_float32_params():
    a = Adam(0.01)
    w64 = np.ones(3)
    a.step(w64, np.full(3, 0.5))
    b = Adam(0.01)
    b.load_state_dict(a.state_dict())
    w32 = np.ones(3, dtype=np.float32) - np.float32(0.01)
    b.step(w32, np.full(3, 0.5, dtype=np.float32))
    assert w32.dtype == np.float32 and b.m.dtype == np.float32


@pytest.mark.parametrize("name,make,ref", CASES, ids=[c[0] for c in CASES])
def test_reset_starts_over(name, make, ref):
    grads = _grads(3, 5, seed=7)
    opt = make()
    w = np.ones(5)
    for g in grads:
        opt.step(w, g.copy())
    opt.reset()
    assert opt.iteration == 0
    w = np.ones(5)
    for g in grads[:2]:
        opt.step(w, g.copy())
    np.testing.assert_allclose(w, ref(np.ones(5), grads[:2])[-1], rtol=1e-12)


def test_init_allocates_state_like_params():
    params = np.zeros((3, 4), dtype=np.float32)
    opt = Adam().init(params)
    assert opt.m.shape == (3, 4) and opt.m.dtype == np.float32
    mom = Momentum().init(params)
    assert mom.velocity.shape == (3, 4) and mom.velocity.dtype == np.float32
    with pytest.raises(ValueError, match="shape"):
        opt.step(np.zeros(5, dtype=np.float32), np.zeros(5, dtype=np.float32))


def test_get_optimizer():
    assert isinstance(get_optimizer("sgd"), SGD)
    assert isinstance(get_optimizer("ADAM", learning_rate=0.1), Adam)
    nest = get_optimizer("nesterov", momentum=0.5)
    assert isinstance(nest, Momentum) and nest.nesterov and nest.momentum == 0.5
    mom = get_optimizer("momentum")
    assert isinstance(mom, Momentum) and not mom.nesterov
    inst = Adam()
    assert get_optimizer(inst) is inst
    # a training loop always passes its learning_rate; the instance's own settings win
    assert get_optimizer(inst, learning_rate=0.1) is inst
    assert inst.learning_rate == 0.001
    with pytest.raises(ValueError, match=r"Unknown optimizer 'rmsprop'.*adam.*sgd"):
        get_optimizer("rmsprop")
    with pytest.raises(ValueError, match="Unknown optimizer"):
        get_optimizer(None)


@pytest.mark.parametrize("lr", [-0.1, 0.0, np.nan, np.inf, "fast", True])
def test_bad_learning_rate(lr):
    for cls in (SGD, Momentum, Adam):
        with pytest.raises(ValueError, match="learning_rate"):
            cls(lr)
    opt = SGD()
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = lr


@pytest.mark.parametrize("momentum", [-0.1, 1.0, 1.5, np.nan, "high"])
def test_bad_momentum(momentum):
    with pytest.raises(ValueError, match="momentum"):
        Momentum(0.1, momentum=momentum)


@pytest.mark.parametrize(
    "kwargs,word",
    [
        ({"beta1": 1.0}, "beta1"),
        ({"beta1": -0.5}, "beta1"),
        ({"beta2": 1.0}, "beta2"),
        ({"epsilon": 0.0}, "epsilon"),
        ({"epsilon": -1e-8}, "epsilon"),
    ],
)
def test_bad_adam_settings(kwargs, word):
    with pytest.raises(ValueError, match=word):
        Adam(**kwargs)


def test_bad_params_and_grad():
    opt = SGD(0.1)
    with pytest.raises(TypeError, match="float"):
        opt.step(np.zeros(3, dtype=np.int64), np.zeros(3))
    with pytest.raises(TypeError, match="float"):
        opt.step([0.0, 1.0], np.zeros(2))
    with pytest.raises(ValueError, match="same shape"):
        Adam().step(np.zeros(3), np.zeros(4))
    ro = np.zeros(3)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        Momentum().step(ro, np.zeros(3))


def test_constant_schedule_equals_float():
    w1, w2 = np.zeros(3), np.zeros(3)
    a, b = Adam(Constant(0.01)), Adam(0.01)
    for g in _grads(4, 3, seed=8):
        a.step(w1, g.copy())
        b.step(w2, g.copy())
    np.testing.assert_array_equal(w1, w2)
    assert isinstance(a, Optimizer) and "Adam" in repr(a)
