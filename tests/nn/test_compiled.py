"""The optional compiled loop gives the NumPy engine's numbers (it needs numba)."""

from __future__ import annotations

import numpy as np
import pytest

from lucidml.nn import NeuralNetwork

pytest.importorskip("numba")

CASES = [
    ([1, 8, 5, 3, 1], "sigmoid", "sigmoid", "squared_error"),
    ([3, 6, 4], "tanh", "softmax", "cross_entropy"),
    ([3, 5, 2], "relu", "sigmoid", "binary_log_loss"),
    ([2, 4, 3], "leaky_relu", "softmax", "squared_error"),
    ([4, 7, 2], "identity", "identity", "squared_error"),
]


def _data(sizes, out, cost, n=57, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    k = sizes[-1]
    if out == "softmax":
        Y = np.eye(k)[rng.integers(0, k, n)]
    elif cost == "binary_log_loss":
        Y = rng.integers(0, 2, (n, k)).astype(float)
    else:
        Y = rng.uniform(size=(n, k))
    return X, Y


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("sizes,act,out,cost", CASES)
def test_compiled_equals_numpy_engine(sizes, act, out, cost, dtype):
    X, Y = _data(sizes, out, cost)
    nets = {}
    for engine in ("numpy", "compiled"):
        net = NeuralNetwork(sizes, act=act, output_act=out, cost=cost, dtype=dtype, random_state=4)
        nets[engine] = net.fit(X, Y, epochs=30, batch_size=10, learning_rate=0.05, engine=engine)
    tol = 1e-10 if dtype == np.float64 else 2e-4
    np.testing.assert_allclose(nets["compiled"]._flat, nets["numpy"]._flat, rtol=tol, atol=tol)
    np.testing.assert_allclose(
        nets["compiled"].loss_curve_, nets["numpy"].loss_curve_, rtol=tol, atol=tol
    )
    assert nets["compiled"]._flat.dtype == dtype


def test_compiled_refuses_what_it_does_not_cover():
    X, Y = _data([3, 4, 2], "softmax", "cross_entropy")
    net = NeuralNetwork([3, 4, 2], act="relu", random_state=0)
    with pytest.raises(ValueError, match="compiled"):
        net.fit(X, Y, epochs=1, optimizer="adam", engine="compiled")
    with pytest.raises(ValueError, match="engine"):
        net.fit(X, Y, epochs=1, engine="gpu")
