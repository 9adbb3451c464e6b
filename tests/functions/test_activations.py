"""Activations: values against SciPy/NumPy, derivatives against finite differences."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.special

from lucidml.functions import activations as A
from tests.gradcheck import check_gradient, check_vjp, numeric_gradient

SHAPES = [(7,), (4, 3), (2, 3, 2)]
ELEMENTWISE = ["identity", "step", "sigmoid", "tanh", "relu", "leaky_relu"]
KINKED = {"step", "relu", "leaky_relu"}


def _z(shape, seed=0, scale=2.0):
    z = np.random.default_rng(seed).normal(scale=scale, size=shape)
    # keep clear of the kinks at 0, where finite differences straddle two pieces
    z[np.abs(z) < 0.05] += 0.3
    return z


# ---------------------------------------------------------------- values against oracles


def test_values_against_references():
    z = _z((6, 5), seed=1, scale=5)
    np.testing.assert_allclose(A.sigmoid(z), scipy.special.expit(z), rtol=1e-15)
    np.testing.assert_allclose(A.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(A.tanh(z), np.tanh(z), rtol=1e-15)
    np.testing.assert_array_equal(A.relu(z), np.where(z > 0, z, 0))
    np.testing.assert_array_equal(A.leaky_relu(z, 0.1), np.where(z >= 0, z, 0.1 * z))
    np.testing.assert_array_equal(A.leaky_relu(z, 2.5), np.where(z >= 0, z, 2.5 * z))
    np.testing.assert_array_equal(A.identity(z), z)
    assert not np.shares_memory(A.identity(z), z)
    np.testing.assert_array_equal(A.step(np.array([-1.0, -0.0, 0.0, 2.0])), [0, 1, 1, 1])


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_softmax_and_log_softmax_match_scipy(axis):
    z = _z((5, 4), seed=2, scale=10)
    np.testing.assert_allclose(
        A.softmax(z, axis=axis), scipy.special.softmax(z, axis=axis), rtol=1e-13
    )
    np.testing.assert_allclose(
        A.log_softmax(z, axis=axis), scipy.special.log_softmax(z, axis=axis), rtol=1e-13
    )
    np.testing.assert_allclose(A.softmax(z, axis=axis).sum(axis=axis), 1, rtol=1e-14)


def test_notes_example_softmax():
    # notes §2: softmax([3.0, 1.0, 0.2]) printed as [0.8360188 0.11314284 0.05083836]
    np.testing.assert_allclose(A.softmax([3.0, 1.0, 0.2]), [0.8360188, 0.11314284, 0.05083836])


# ---------------------------------------------------------------- derivatives


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("shape", SHAPES)
def test_elementwise_grad_matches_finite_differences(name, shape):
    act = A.get_activation(name)
    check_gradient(act.fn, act.grad, _z(shape))


@pytest.mark.parametrize("alpha", [0.0, 0.2, 1.7])
def test_leaky_relu_grad_any_alpha(alpha):
    z = _z((4, 3), seed=3)
    check_gradient(lambda x: A.leaky_relu(x, alpha), lambda x: A.leaky_relu_grad(x, alpha), z)


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grad_from_output_matches_grad(name, dtype):
    act = A.get_activation(name)
    z = _z((6, 4), seed=4).astype(dtype)
    a = act.fn(z)
    expected = act.grad(z)
    got = act.grad_from_output(a)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, expected, rtol=1e-6 if dtype == np.float32 else 1e-14)
    # into a preallocated buffer (the network engine's way) ...
    buf = np.full_like(a, np.nan)
    assert act.grad_from_output(a, out=buf) is buf
    np.testing.assert_allclose(buf, expected, rtol=1e-6 if dtype == np.float32 else 1e-14)
    # ... and in place over the activation itself
    a2 = a.copy()
    act.grad_from_output(a2, out=a2)
    np.testing.assert_allclose(a2, expected, rtol=1e-6 if dtype == np.float32 else 1e-14)


@pytest.mark.parametrize("name", ELEMENTWISE + ["softmax"])
def test_backward_is_the_vjp(name):
    act = A.get_activation(name)
    z = _z((5, 4), seed=5)
    check_vjp(act.fn, lambda x, g: act.backward(act.fn(x), g), z)


@pytest.mark.parametrize("shape", SHAPES)
def test_softmax_jacobian(shape):
    check_gradient(A.softmax, A.softmax_grad, _z(shape, seed=6))


@pytest.mark.parametrize("shape", SHAPES)
def test_log_softmax_jacobian(shape):
    check_gradient(A.log_softmax, A.log_softmax_grad, _z(shape, seed=7))


def test_jacobians_along_axis_0():
    z = _z((4, 3), seed=8)
    np.testing.assert_allclose(A.softmax_grad(z, axis=0), A.softmax_grad(z.T), rtol=1e-15)
    np.testing.assert_allclose(A.log_softmax_grad(z, axis=0), A.log_softmax_grad(z.T))
    # and the Jacobian of column 1 against finite differences
    J = numeric_gradient(lambda c: A.softmax(c), z[:, 1])
    np.testing.assert_allclose(A.softmax_grad(z, axis=0)[1], J, atol=1e-8)


@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 3, 4)])
def test_softmax_and_log_softmax_vjp(shape):
    z = _z(shape, seed=9)
    check_vjp(A.softmax, lambda x, g: A.softmax_backward(A.softmax(x), g), z)
    check_vjp(A.log_softmax, lambda x, g: A.log_softmax_backward(x, g), z)
    # the log-probabilities work as well as the scores
    check_vjp(A.log_softmax, lambda x, g: A.log_softmax_backward(A.log_softmax(x), g), z)


def test_vjp_equals_jacobian_product():
    z = _z((3, 4), seed=10)
    g = _z((3, 4), seed=11)
    s = A.softmax(z)
    np.testing.assert_allclose(
        A.softmax_backward(s, g), np.einsum("ni,nij->nj", g, A.softmax_grad(z)), atol=1e-15
    )
    np.testing.assert_allclose(
        A.log_softmax_backward(z, g),
        np.einsum("ni,nij->nj", g, A.log_softmax_grad(z)),
        atol=1e-14,
    )


# ---------------------------------------------------------------- out=, dtypes, stability


@pytest.mark.parametrize("name", ELEMENTWISE + ["softmax"])
def test_out_argument(name):
    act = A.get_activation(name)
    z = _z((5, 3), seed=12)
    expected = act.fn(z)
    out = np.empty_like(z)
    assert act.fn(z, out=out) is out
    np.testing.assert_array_equal(out, expected)
    inplace = z.copy()
    act.fn(inplace, out=inplace)
    np.testing.assert_allclose(inplace, expected, rtol=1e-15)


def test_log_softmax_out_in_place():
    z = _z((5, 3), seed=13)
    buf = z.copy()
    assert A.log_softmax(buf, out=buf) is buf
    np.testing.assert_allclose(buf, scipy.special.log_softmax(z, axis=-1), rtol=1e-14)


FUNCS = [
    A.identity,
    A.identity_grad,
    A.step,
    A.step_grad,
    A.sigmoid,
    A.sigmoid_grad,
    A.tanh,
    A.tanh_grad,
    A.relu,
    A.relu_grad,
    A.leaky_relu,
    A.leaky_relu_grad,
    A.softmax,
    A.softmax_grad,
    A.log_softmax,
    A.log_softmax_grad,
]


@pytest.mark.parametrize("fn", FUNCS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_preserved(fn, dtype):
    z = _z((4, 3), seed=14).astype(dtype)
    assert fn(z).dtype == dtype


@pytest.mark.parametrize("fn", FUNCS, ids=lambda f: f.__name__)
def test_integers_become_float64(fn):
    assert fn(np.array([[1, -2, 3]])).dtype == np.float64


@pytest.mark.parametrize("fn", FUNCS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_overflow_or_warning_for_huge_inputs(fn, dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -3.0], [5.0, 1e4, 1e3]])
    z = z.astype(dtype)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        out = fn(z)
    assert np.all(np.isfinite(out))
    assert out.dtype == dtype


def test_stable_values_at_extremes():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        np.testing.assert_array_equal(A.softmax(z), [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]])
        np.testing.assert_allclose(
            A.log_softmax(z), [[0, -2e4, -1e4], [-np.log(3)] * 3], rtol=1e-15
        )
        np.testing.assert_array_equal(A.sigmoid(np.array([-1e4, 1e4])), [0, 1])
        np.testing.assert_array_equal(A.sigmoid_grad(np.array([-1e4, 1e4])), [0, 0])
        g = np.ones_like(z)
        assert np.all(np.isfinite(A.softmax_backward(A.softmax(z), g)))
        assert np.all(np.isfinite(A.log_softmax_backward(z, g)))


# ---------------------------------------------------------------- registry and bad input


@pytest.mark.parametrize(
    "name, canonical",
    [
        ("identity", "identity"),
        ("linear", "identity"),
        ("step", "step"),
        ("sigmoid", "sigmoid"),
        ("logistic", "sigmoid"),
        ("Tanh", "tanh"),
        ("relu", "relu"),
        ("leaky_relu", "leaky_relu"),
        ("softmax", "softmax"),
    ],
)
def test_get_activation(name, canonical):
    act = A.get_activation(name)
    assert act.name == canonical
    assert A.get_activation(act) is act
    assert act.elementwise == (canonical != "softmax")
    assert (act.grad_from_output is None) == (canonical == "softmax")


def test_get_activation_leaky_alpha():
    act = A.get_activation("leaky_relu", alpha=0.3)
    z = np.array([-2.0, 3.0])
    np.testing.assert_allclose(act(z), [-0.6, 3.0])
    np.testing.assert_allclose(act.grad_from_output(act(z)), [0.3, 1.0])
    with pytest.raises(TypeError, match="only 'leaky_relu'"):
        A.get_activation("relu", alpha=0.3)


def test_get_activation_unknown():
    with pytest.raises(ValueError, match="Unknown activation 'swish'.*sigmoid.*tanh"):
        A.get_activation("swish")
    with pytest.raises(TypeError):
        A.get_activation(3)


def test_activation_is_frozen():
    act = A.get_activation("relu")
    with pytest.raises(AttributeError):
        act.name = "other"


def test_bad_input():
    with pytest.raises(ValueError, match="real numbers"):
        A.sigmoid(np.array(["a", "b"]))
    with pytest.raises(ValueError, match="same shape"):
        A.softmax_backward(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="same shape"):
        A.log_softmax_backward(np.ones((2, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="alpha"):
        A.leaky_relu(np.ones(3), alpha=-1.0)
    with pytest.raises(ValueError):
        A.sigmoid(np.ones(3), out=np.empty(4))


def test_gradcheck_catches_a_wrong_derivative():
    z = _z((4, 3), seed=15)
    with pytest.raises(AssertionError):
        check_gradient(A.sigmoid, lambda x: A.sigmoid(x) * (1 + A.sigmoid(x)), z)
    with pytest.raises(AssertionError):  # an elementwise derivative for a coupled function
        check_gradient(A.softmax, lambda x: A.softmax(x) * (1 - A.softmax(x)), z)
    with pytest.raises(AssertionError):
        check_vjp(A.softmax, lambda x, g: g * A.softmax(x), z)
