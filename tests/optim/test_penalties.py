"""Penalties: values from the formulas, gradients by finite differences, prox by minimisation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from lucidml.optim import L1, L2, ElasticNet, NoPenalty, Penalty, get_penalty


def fd_grad(f, x, h=1e-6):
    """Central finite differences of a scalar function, in float64."""
    x = np.asarray(x, dtype=np.float64)
    g = np.empty_like(x)
    flat = x.reshape(-1)
    out = g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = f(x)
        flat[i] = old - h
        fm = f(x)
        flat[i] = old
        out[i] = (fp - fm) / (2 * h)
    return g


def _params(shape=(4, 5), seed=0):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=shape)
    # keep away from 0, where |w| has no derivative
    w[np.abs(w) < 0.05] = 0.3
    return w


PENALTIES = [
    ("l2", lambda: L2(0.7)),
    ("l1", lambda: L1(0.4)),
    ("elasticnet", lambda: ElasticNet(0.6, l1_ratio=0.3)),
]


def ref_value(name, w, mask):
    c = np.ones_like(w) if mask is None else np.asarray(mask, dtype=np.float64)
    if name == "l2":
        return 0.7 / 2 * np.sum(c * w**2)
    if name == "l1":
        return 0.4 * np.sum(c * np.abs(w))
    return 0.6 * np.sum(c * (0.3 * np.abs(w) + 0.7 / 2 * w**2))


def _mask(shape, kind):
    if kind is None:
        return None
    m = np.ones(shape, dtype=bool)
    m[..., -1] = False  # last column: "biases", not penalised
    if kind == "float":
        return m.astype(np.float64)
    if kind == "weights":
        return np.linspace(0.0, 2.0, m.size).reshape(shape)
    return m


MASKS = [None, "bool", "float", "weights"]


@pytest.mark.parametrize("mask_kind", MASKS)
@pytest.mark.parametrize("name,make", PENALTIES, ids=[p[0] for p in PENALTIES])
def test_value(name, make, mask_kind):
    w = _params()
    mask = _mask(w.shape, mask_kind)
    assert make().value(w, mask) == pytest.approx(ref_value(name, w, mask), rel=1e-12)


@pytest.mark.parametrize("mask_kind", MASKS)
@pytest.mark.parametrize("name,make", PENALTIES, ids=[p[0] for p in PENALTIES])
def test_add_grad_matches_finite_differences(name, make, mask_kind):
    w = _params(seed=1)
    mask = _mask(w.shape, mask_kind)
    pen = make()
    base = np.random.default_rng(2).normal(size=w.shape)
    grad = base.copy()
    pen.add_grad(w, grad, mask)
    expected = base + fd_grad(lambda x: pen.value(x, mask), w)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-8)
    if mask_kind in ("bool", "float"):
        np.testing.assert_array_equal(grad[..., -1], base[..., -1])


def test_l1_subgradient_is_zero_at_zero():
    w = np.array([0.0, 1.0, -2.0])
    grad = np.zeros(3)
    L1(0.5).add_grad(w, grad)
    np.testing.assert_array_equal(grad, [0.0, 0.5, -0.5])


def _prox_by_minimisation(pen, w, step, mask):
    """argmin_u 1/(2 step) (u - w)^2 + R(u), one coordinate at a time (R is separable)."""
    c = np.ones_like(w) if mask is None else np.asarray(mask, dtype=np.float64)
    out = np.empty_like(w)
    for i in np.ndindex(w.shape):
        unit = np.zeros_like(w)

        def objective(u, i=i, unit=unit):
            unit[i] = u
            return (u - w[i]) ** 2 / (2 * step) + pen.value(unit, c)

        out[i] = minimize_scalar(
            objective, bounds=(-10, 10), method="bounded", options={"xatol": 1e-10}
        ).x
    return out


@pytest.mark.parametrize("mask_kind", [None, "bool", "weights"])
@pytest.mark.parametrize("name,make", PENALTIES, ids=[p[0] for p in PENALTIES])
def test_prox_is_the_minimiser(name, make, mask_kind):
    w = _params(shape=(2, 3), seed=3)
    mask = _mask(w.shape, mask_kind)
    pen = make()
    expected = _prox_by_minimisation(pen, w, 0.8, mask)
    got = w.copy()
    pen.prox(got, 0.8, mask)
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_l1_prox_is_soft_thresholding_with_exact_zeros():
    w = np.array([-1.0, -0.3, -0.1, 0.0, 0.05, 0.2, 0.9])
    pen = L1(0.5)
    got = w.copy()
    pen.prox(got, 0.4)  # threshold 0.2
    expected = np.sign(w) * np.maximum(np.abs(w) - 0.2, 0.0)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)
    assert np.count_nonzero(got) == 3
    assert np.all(got[2:6] == 0.0)


def test_prox_mask_leaves_unpenalised_entries():
    w = np.array([[0.1, 0.1], [-3.0, 0.05]])
    mask = np.array([[True, False], [True, False]])
    for pen in (L1(1.0), L2(1.0), ElasticNet(1.0, 0.5)):
        got = w.copy()
        pen.prox(got, 0.5, mask)
        np.testing.assert_array_equal(got[:, 1], w[:, 1])
        assert np.all(np.abs(got[:, 0]) < np.abs(w[:, 0]))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,make", PENALTIES, ids=[p[0] for p in PENALTIES])
def test_in_place_and_dtype(name, make, dtype):
    w = _params().astype(dtype)
    w64 = w.astype(np.float64)
    mask = _mask(w.shape, "bool")
    pen = make()
    grad = np.zeros_like(w)
    ident_w, ident_g = w, grad
    pen.add_grad(w, grad, mask)
    pen.prox(w, 0.1, mask)
    assert w is ident_w and grad is ident_g
    assert w.dtype == dtype and grad.dtype == dtype
    ref_grad = np.zeros_like(w64)
    pen.add_grad(w64, ref_grad, mask)
    pen.prox(w64, 0.1, mask)
    tol = 1e-6 if dtype == np.float32 else 1e-14
    np.testing.assert_allclose(grad, ref_grad, rtol=tol, atol=tol)
    np.testing.assert_allclose(w, w64, rtol=tol, atol=tol)
    assert isinstance(pen.value(w, mask), float)


def test_elasticnet_limits():
    w = _params(seed=5)
    for ratio, other in ((1.0, L1(0.3)), (0.0, L2(0.3))):
        en = ElasticNet(0.3, ratio)
        assert en.value(w) == pytest.approx(other.value(w), rel=1e-12)
        a, b = w.copy(), w.copy()
        en.prox(a, 0.7)
        other.prox(b, 0.7)
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_zero_alpha_is_identity():
    w = _params(seed=6)
    for pen in (L1(0.0), L2(0.0), ElasticNet(0.0), NoPenalty()):
        got, grad = w.copy(), np.ones_like(w)
        pen.add_grad(got, grad)
        pen.prox(got, 1.0)
        np.testing.assert_array_equal(got, w)
        np.testing.assert_array_equal(grad, 1.0)
        assert pen.value(w) == 0.0


def test_get_penalty():
    assert isinstance(get_penalty("l2", 0.1), L2)
    assert isinstance(get_penalty("L1", 0.1), L1)
    en = get_penalty("elasticnet", 0.1, l1_ratio=0.4)
    assert isinstance(en, ElasticNet) and en.l1_ratio == 0.4 and en.alpha == 0.1
    assert isinstance(get_penalty(None), NoPenalty)
    assert isinstance(get_penalty("none"), NoPenalty)
    inst = L1(0.2)
    assert get_penalty(inst) is inst
    assert isinstance(inst, Penalty)
    with pytest.raises(ValueError, match=r"Unknown penalty 'l3'.*elasticnet.*l1.*l2"):
        get_penalty("l3")
    with pytest.raises(ValueError, match="Unknown penalty"):
        get_penalty(2)


@pytest.mark.parametrize("alpha", [-1.0, np.nan, np.inf, "a", None])
def test_bad_alpha(alpha):
    for cls in (L1, L2, ElasticNet):
        with pytest.raises(ValueError, match="alpha"):
            cls(alpha)


@pytest.mark.parametrize("ratio", [-0.1, 1.1, np.nan, "half"])
def test_bad_l1_ratio(ratio):
    with pytest.raises(ValueError, match="l1_ratio"):
        ElasticNet(0.1, ratio)


def test_bad_mask_and_step():
    w = np.zeros((2, 3))
    with pytest.raises(ValueError, match="mask"):
        L2(0.1).value(w, np.ones(6))
    with pytest.raises(ValueError, match="mask"):
        L1(0.1).add_grad(w, np.zeros_like(w), np.ones((3, 2)))
    with pytest.raises(ValueError, match="step"):
        L1(0.1).prox(w, -1.0)
    with pytest.raises(ValueError, match="step"):
        L2(0.1).prox(w, np.nan)
