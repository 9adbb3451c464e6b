"""Losses: values against scikit-learn, gradients against finite differences."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.special
from sklearn.metrics import log_loss, mean_squared_error

from lucidml.functions import activations as A
from lucidml.functions import losses as L
from tests.gradcheck import check_gradient

REDUCTIONS = ["mean", "sum", "none"]


def _binary(shape, seed=0):
    r = np.random.default_rng(seed)
    y = (r.random(shape) < 0.5).astype(float)
    p = r.uniform(0.05, 0.95, size=shape)
    z = r.normal(scale=3, size=shape)
    return y, p, z


def _categorical(n=6, k=4, seed=0):
    r = np.random.default_rng(seed)
    labels = r.integers(0, k, size=n)
    labels[:k] = np.arange(k)  # every class present (scikit-learn's oracle needs it)
    Y = np.eye(k)[labels]
    Z = r.normal(scale=2, size=(n, k))
    P = scipy.special.softmax(Z, axis=1)
    return labels, Y, Z, P


# ---------------------------------------------------------------- values against scikit-learn


def test_squared_error_matches_sklearn():
    y, p, _ = _binary((20,), 1)
    assert L.squared_error(y, p) == pytest.approx(mean_squared_error(y, p), rel=1e-14)
    Y, P, _ = _binary((20, 3), 2)
    # the notes' cost sums over the output units: k times scikit-learn's averaged MSE
    assert L.squared_error(Y, P) == pytest.approx(
        mean_squared_error(Y, P, multioutput="raw_values").sum(), rel=1e-14
    )


def test_binary_log_loss_matches_sklearn():
    y, p, z = _binary((30,), 3)
    assert L.binary_log_loss(y, p) == pytest.approx(log_loss(y, p), rel=1e-13)
    assert L.binary_log_loss_from_logits(y, z) == pytest.approx(
        log_loss(y, scipy.special.expit(z)), rel=1e-12
    )


def test_binary_log_loss_is_bernoulli_negative_log_likelihood():
    y, p, _ = _binary((12,), 4)
    likelihood = np.prod(p**y * (1 - p) ** (1 - y))
    assert L.binary_log_loss(y, p, reduction="sum") == pytest.approx(-np.log(likelihood))


@pytest.mark.parametrize("targets", ["labels", "onehot"])
def test_cross_entropy_matches_sklearn(targets):
    labels, Y, Z, P = _categorical(n=25, k=4, seed=5)
    t = labels if targets == "labels" else Y
    expected = log_loss(labels, P, labels=np.arange(4))
    assert L.cross_entropy(t, P) == pytest.approx(expected, rel=1e-13)
    assert L.cross_entropy_from_logits(t, Z) == pytest.approx(expected, rel=1e-12)


def test_labels_and_onehot_agree():
    labels, Y, Z, P = _categorical(seed=6)
    for r in REDUCTIONS:
        np.testing.assert_allclose(
            L.cross_entropy(labels, P, reduction=r), L.cross_entropy(Y, P, reduction=r)
        )
        np.testing.assert_allclose(
            L.cross_entropy_grad(labels, P, reduction=r), L.cross_entropy_grad(Y, P, reduction=r)
        )
        np.testing.assert_allclose(
            L.cross_entropy_from_logits_grad(labels, Z, reduction=r),
            L.cross_entropy_from_logits_grad(Y, Z, reduction=r),
        )
        # a (n, 1) column of labels is labels too
        np.testing.assert_allclose(
            L.cross_entropy_from_logits(labels[:, None], Z, reduction=r),
            L.cross_entropy_from_logits(labels, Z, reduction=r),
        )


CASES = {
    "squared_error": (L.squared_error, lambda s: _binary(s, 7)[:2]),
    "binary_log_loss": (L.binary_log_loss, lambda s: _binary(s, 8)[:2]),
    "binary_log_loss_from_logits": (
        L.binary_log_loss_from_logits,
        lambda s: _binary(s, 9)[::2],
    ),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("shape", [(8,), (6, 3)])
def test_reductions_are_consistent(name, shape):
    fn, make = CASES[name]
    y, x = make(shape)
    per = fn(y, x, reduction="none")
    assert per.shape == (shape[0],)
    assert fn(y, x, reduction="sum") == pytest.approx(per.sum(), rel=1e-14)
    assert fn(y, x) == pytest.approx(per.mean(), rel=1e-14)


# ---------------------------------------------------------------- gradients


GRADS = {
    "squared_error": (L.squared_error, L.squared_error_grad, 0),
    "binary_log_loss": (L.binary_log_loss, L.binary_log_loss_grad, 1),
    "binary_log_loss_from_logits": (
        L.binary_log_loss_from_logits,
        L.binary_log_loss_from_logits_grad,
        2,
    ),
}


@pytest.mark.parametrize("name", list(GRADS))
@pytest.mark.parametrize("shape", [(1,), (7,), (5, 3)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("soft", [False, True])
def test_elementwise_loss_gradients(name, shape, reduction, soft):
    fn, grad, which = GRADS[name]
    y, p, z = _binary(shape, seed=10)
    if soft:  # soft labels in [0, 1]
        y = np.random.default_rng(11).random(shape)
    x = (p, p, z)[which]
    check_gradient(
        lambda v: fn(y, v, reduction=reduction), lambda v: grad(y, v, reduction=reduction), x
    )


@pytest.mark.parametrize("targets", ["labels", "onehot", "soft"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("k", [2, 5])
def test_cross_entropy_gradients(targets, reduction, k):
    labels, Y, Z, P = _categorical(n=6, k=k, seed=12)
    t = {"labels": labels, "onehot": Y, "soft": np.random.default_rng(13).random((6, k))}[targets]
    check_gradient(
        lambda v: L.cross_entropy(t, v, reduction=reduction),
        lambda v: L.cross_entropy_grad(t, v, reduction=reduction),
        P,
    )
    check_gradient(
        lambda v: L.cross_entropy_from_logits(t, v, reduction=reduction),
        lambda v: L.cross_entropy_from_logits_grad(t, v, reduction=reduction),
        Z,
    )


def test_logit_gradients_are_the_chain_rule():
    # Loss.grad_from_logits == d loss/d a (probability form) back through the output activation
    y, _, z = _binary((9,), 14)
    p = A.sigmoid(z)
    np.testing.assert_allclose(
        L.binary_log_loss_from_logits_grad(y, z),
        L.binary_log_loss_grad(y, p) * A.sigmoid_grad(z),
        rtol=1e-10,
    )
    np.testing.assert_allclose(L.binary_log_loss_from_logits_grad(y, z), (p - y) / 9)
    labels, Y, Z, P = _categorical(seed=15)
    np.testing.assert_allclose(
        L.cross_entropy_from_logits_grad(Y, Z),
        A.softmax_backward(P, L.cross_entropy_grad(Y, P)),
        rtol=1e-10,
        atol=1e-15,
    )
    np.testing.assert_allclose(L.cross_entropy_from_logits_grad(labels, Z), (P - Y) / 6)


# ---------------------------------------------------------------- stability and dtypes


def test_logit_losses_stable_for_huge_scores():
    z = np.array([1e4, -1e4, 1e4, -1e4, 0.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, 1e4]])
    labels = np.array([0, 1, 2])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        per = L.binary_log_loss_from_logits(y, z, reduction="none")
        np.testing.assert_allclose(per, [0, 0, 1e4, 1e4, np.log(2)], rtol=1e-15)
        g = L.binary_log_loss_from_logits_grad(y, z, reduction="sum")
        np.testing.assert_array_equal(g, [0, 0, 1, -1, -0.5])
        per = L.cross_entropy_from_logits(labels, Z, reduction="none")
        np.testing.assert_allclose(per, [0, np.log(3), np.log(3)], rtol=1e-15)
        assert np.all(np.isfinite(L.cross_entropy_from_logits_grad(labels, Z)))


def test_probability_losses_clip():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        worst = L.binary_log_loss([1.0, 0.0], [0.0, 1.0], reduction="none")
        np.testing.assert_allclose(worst, -np.log(np.finfo(np.float64).eps))
        assert np.all(np.isfinite(L.binary_log_loss_grad([1.0, 0.0], [0.0, 1.0])))
        P = np.array([[1.0, 0.0], [0.0, 1.0]])
        assert np.isfinite(L.cross_entropy([1, 0], P))
        assert np.all(np.isfinite(L.cross_entropy_grad([1, 0], P)))
    assert L.binary_log_loss([1.0], [0.0], eps=1e-3) == pytest.approx(-np.log(1e-3))


ALL = [
    (L.squared_error, L.squared_error_grad, "binary"),
    (L.binary_log_loss, L.binary_log_loss_grad, "binary"),
    (L.binary_log_loss_from_logits, L.binary_log_loss_from_logits_grad, "logits"),
    (L.cross_entropy, L.cross_entropy_grad, "categorical"),
    (L.cross_entropy_from_logits, L.cross_entropy_from_logits_grad, "categorical_logits"),
]


def _inputs(kind):
    y, p, z = _binary((6, 2), 16)
    labels, Y, Z, P = _categorical(seed=17)
    return {
        "binary": (y, p),
        "logits": (y, z * 1e3),
        "categorical": (labels, P),
        "categorical_logits": (Y, Z * 1e3),
    }[kind]


@pytest.mark.parametrize("fn, grad, kind", ALL, ids=lambda x: getattr(x, "__name__", x))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved_and_no_warnings(fn, grad, kind, dtype):
    y, x = _inputs(kind)
    x = x.astype(dtype)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        for r in REDUCTIONS:
            value = np.asarray(fn(y, x, reduction=r))
            assert value.dtype == dtype
            assert np.all(np.isfinite(value))
            g = grad(y, x, reduction=r)
            assert g.dtype == dtype and g.shape == x.shape
            assert np.all(np.isfinite(g))
    x64 = x.astype(np.float64)
    rtol = 1e-5 if dtype == np.float32 else 1e-15
    np.testing.assert_allclose(fn(y, x), fn(y, x64), rtol=rtol)


def test_column_and_flat_targets():
    y, p, _ = _binary((7,), 18)
    assert L.squared_error(y[:, None], p) == pytest.approx(L.squared_error(y, p))
    assert L.binary_log_loss(y, p[:, None]) == pytest.approx(L.binary_log_loss(y, p))
    assert L.binary_log_loss_grad(y, p[:, None]).shape == (7, 1)


# ---------------------------------------------------------------- registry


@pytest.mark.parametrize(
    "name, canonical, activation",
    [
        ("squared_error", "squared_error", "identity"),
        ("mse", "squared_error", "identity"),
        ("binary_log_loss", "binary_log_loss", "sigmoid"),
        ("log_loss", "binary_log_loss", "sigmoid"),
        ("binary_cross_entropy", "binary_log_loss", "sigmoid"),
        ("cross_entropy", "cross_entropy", "softmax"),
        ("categorical_cross_entropy", "cross_entropy", "softmax"),
    ],
)
def test_get_loss(name, canonical, activation):
    loss = L.get_loss(name)
    assert loss.name == canonical
    assert loss.output_activation == activation
    assert L.get_loss(loss) is loss
    # fn_from_logits(z) == fn(output_activation(z))
    if canonical == "cross_entropy":
        t, _, z, _ = _categorical(seed=19)
    else:
        t, _, z = _binary((5,), 19)
    a = A.get_activation(activation).fn(z)
    assert loss.fn_from_logits(t, z) == pytest.approx(loss(t, a), rel=1e-12)


def test_get_loss_unknown():
    with pytest.raises(ValueError, match="Unknown loss 'hinge'.*cross_entropy.*mse"):
        L.get_loss("hinge")
    with pytest.raises(TypeError):
        L.get_loss(None)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "fn", [f for f, _, _ in ALL] + [g for _, g, _ in ALL], ids=lambda f: f.__name__
)
def test_bad_input(fn):
    categorical = fn.__name__.startswith("cross_entropy")
    if categorical:
        y, x = np.array([0, 1, 1]), np.array([[0.3, 0.7], [0.4, 0.6], [0.9, 0.1]])
    else:
        y, x = np.array([0.0, 1.0, 1.0]), np.array([0.3, 0.6, 0.2])
    nan = x.copy()
    nan[0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        fn(y, nan)
    inf = x.copy()
    inf[1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        fn(y, inf)
    with pytest.raises(ValueError, match="minimum of 1"):
        fn(y[:0], x[:0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        fn(y[:2], x)
    with pytest.raises(ValueError):
        fn(y, x.astype(str).astype(object) + "x")
    with pytest.raises(ValueError):
        fn(np.array(["a", "b", "c"]), x)
    with pytest.raises(ValueError, match="reduction"):
        fn(y, x, reduction="avg")
    if not categorical:
        with pytest.raises(ValueError, match="different shapes"):
            fn(np.ones((3, 2)) / 2, x)


def test_bad_values():
    with pytest.raises(ValueError, match=r"y_true must lie in \[0, 1\]"):
        L.binary_log_loss([0.0, 2.0], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"y_pred must lie in \[0, 1\]"):
        L.binary_log_loss([0.0, 1.0], [0.5, 1.5])
    with pytest.raises(ValueError, match=r"y_true must lie in \[0, 1\]"):
        L.binary_log_loss_from_logits([0.0, -1.0], [0.5, 3.0])
    P = np.array([[0.3, 0.7], [0.4, 0.6]])
    with pytest.raises(ValueError, match=r"labels must lie in 0..1"):
        L.cross_entropy([0, 2], P)
    with pytest.raises(ValueError, match="integer class labels"):
        L.cross_entropy([0, 0.5], P)
    with pytest.raises(ValueError, match="different shapes"):
        L.cross_entropy(np.eye(3)[:2], P)
    with pytest.raises(ValueError, match="Expected 2D array"):
        L.cross_entropy([0, 1], [0.3, 0.7])
    with pytest.raises(ValueError, match="eps"):
        L.binary_log_loss([0.0], [0.5], eps=0.7)
    with pytest.raises(ValueError, match="eps"):
        L.cross_entropy([0], [[0.5, 0.5]], eps="tiny")
