"""The network against its oracles: the notes' per-sample algorithm and finite differences."""

from __future__ import annotations

import random

import numpy as np
import pytest

from lucidml.nn import NeuralNetwork
from lucidml.nn.reference import PerSampleNetwork


# The notes' helper functions, as a user of the notes writes them (column vectors, element-wise).
def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_derivative(z):
    return sigmoid(z) * (1 - sigmoid(z))


def distance_derivative(output_activations, y):
    return 2 * (output_activations - y)


def tanh_derivative(z):
    return 1 - np.tanh(z) ** 2


def notes_pair(sizes, seed=0, act=sigmoid, act_d=sigmoid_derivative):
    """A lucidml network and the per-sample reference with identical weights."""
    ref = PerSampleNetwork(sizes, act, act_d, distance_derivative, np.random.default_rng(seed))
    net = NeuralNetwork(sizes, act, act_d, distance_derivative, random_state=seed + 1)
    net.weights = ref.weights
    net.biases = ref.biases
    return net, ref


def column_data(sizes, n, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(sizes[0], 1)), rng.uniform(size=(sizes[-1], 1))) for _ in range(n)]


ARCHS = [[1, 8, 5, 3, 1], [3, 4, 2], [5, 1], [2, 7, 7, 3]]


# -- the notes' API ------------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", ARCHS)
def test_notes_shapes_and_float64(sizes):
    net = NeuralNetwork(sizes, sigmoid, sigmoid_derivative, distance_derivative, random_state=0)
    assert net.num_layers == len(sizes) and net.sizes == sizes
    assert [w.shape for w in net.weights] == [(o, i) for i, o in zip(sizes[:-1], sizes[1:])]
    assert [b.shape for b in net.biases] == [(o, 1) for o in sizes[1:]]
    assert all(w.dtype == np.float64 for w in net.weights)


def test_notes_weights_assignment_is_live():
    net = NeuralNetwork([2, 3, 1], sigmoid, sigmoid_derivative, distance_derivative)
    a = np.array([[0.5], [-1.0]])
    net.weights[0] = np.zeros((3, 2))
    net.biases[0] = np.ones((3, 1))
    net.weights = [np.zeros((3, 2)), np.full((1, 3), 2.0)]
    net.biases = [np.ones((3, 1)), np.zeros((1, 1))]
    expected = sigmoid(np.full((1, 3), 2.0) @ sigmoid(np.ones((3, 1))))
    np.testing.assert_allclose(net.feedforward(a), expected, rtol=1e-14)
    # In-place edits of a view change the network too, as with the notes' plain lists.
    net.weights[1][0, 0] = 0.0
    expected = sigmoid(np.array([[0.0, 2.0, 2.0]]) @ sigmoid(np.ones((3, 1))))
    np.testing.assert_allclose(net.feedforward(a), expected, rtol=1e-14)
    with pytest.raises(ValueError, match="shape"):
        net.weights[0] = np.zeros((2, 3))
    with pytest.raises(ValueError, match="needs 2 arrays"):
        net.biases = [np.zeros((3, 1))]
    with pytest.raises(ValueError, match="NaN"):
        net.weights[0] = np.full((3, 2), np.nan)


@pytest.mark.parametrize("sizes", ARCHS)
def test_feedforward_matches_reference(sizes):
    net, ref = notes_pair(sizes)
    a = np.random.default_rng(3).normal(size=(sizes[0], 17))
    np.testing.assert_allclose(net.feedforward(a), ref.feedforward(a), rtol=1e-12, atol=1e-14)
    assert net.feedforward(a).shape == (sizes[-1], 17)


@pytest.mark.parametrize("sizes", ARCHS)
@pytest.mark.parametrize("act", [(sigmoid, sigmoid_derivative), (np.tanh, tanh_derivative)])
def test_backprop_matches_reference(sizes, act):
    net, ref = notes_pair(sizes, act=act[0], act_d=act[1])
    ((x, y),) = column_data(sizes, 1, seed=5)
    nb, nw = net.backprop(x, y)
    rb, rw = ref.backprop(x, y)
    for got, want in zip(nb + nw, rb + rw):
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("sizes", ARCHS)
def test_batch_gradient_is_sum_of_per_sample_gradients(sizes):
    net, ref = notes_pair(sizes)
    batch = column_data(sizes, 23, seed=1)
    X = np.hstack([x for x, _ in batch])
    Y = np.hstack([y for _, y in batch])
    nb, nw = net.backprop(X, Y)  # several columns: summed gradient
    sums = [np.zeros_like(p) for p in ref.biases + ref.weights]
    for x, y in batch:
        rb, rw = ref.backprop(x, y)
        sums = [s + g for s, g in zip(sums, rb + rw)]
    for got, want in zip(nb + nw, sums):
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("sizes", ARCHS)
def test_update_batch_matches_reference(sizes):
    net, ref = notes_pair(sizes)
    batch = column_data(sizes, 40, seed=2)
    for _ in range(3):
        net.update_batch(batch, 0.1)
        ref.update_batch(batch, 0.1)
    for got, want in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_sgd_matches_reference_with_the_same_shuffles():
    sizes = [1, 8, 5, 3, 1]
    net, ref = notes_pair(sizes)
    data = column_data(sizes, 110, seed=4)  # 110 = 2 full batches of 40 and one of 30
    original = list(data)
    rng = np.random.default_rng(11)

    def same_shuffle(lst):  # the permutation the engine draws, applied to the original order
        lst[:] = [original[i] for i in rng.permutation(len(original))]

    ref.SGD(list(data), 25, 40, 0.1, shuffle=same_shuffle)
    net.SGD(data, 25, 40, 0.1, random_state=np.random.default_rng(11))
    for got, want in zip(net.weights + net.biases, ref.weights + ref.biases):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-9)


def test_notes_demo_runs_unchanged_and_converges():
    # The notes' __main__ part, statement for statement, on lucidml's class.
    np.random.seed(0)
    random.seed(0)
    network = NeuralNetwork([1, 8, 5, 3, 1], sigmoid, sigmoid_derivative, distance_derivative)
    x = np.array([np.linspace(-7, 7, 200)]).T
    y = (np.cos(x) + 1) / 2
    training_data = [(np.array([x_value]), np.array([y_value])) for x_value, y_value in zip(x, y)]
    network.SGD(training_data, 5000, 40, 0.1)
    x_test = np.array([np.linspace(-9, 9, 120)])
    y_predict = network.feedforward(x_test)
    assert y_predict.shape == (1, 120)
    mse = float(np.mean((network.feedforward(x.T) - y.T) ** 2))
    assert mse < 0.01


def test_notes_init_draws_like_the_notes_from_the_global_generator():
    np.random.seed(123)
    net = NeuralNetwork([2, 3, 1], sigmoid, sigmoid_derivative, distance_derivative)
    np.random.seed(123)
    biases = [np.random.randn(n, 1) for n in (3, 1)]
    weights = [np.random.randn(3, 2), np.random.randn(1, 3)]
    for got, want in zip(net.biases + net.weights, biases + weights):
        np.testing.assert_array_equal(got, want)


# -- the row API: gradients by finite differences -------------------------------------------------

ROW_CASES = [
    ([3, 5, 4], "tanh", "softmax", "cross_entropy"),
    ([3, 6, 2], "sigmoid", "sigmoid", "binary_log_loss"),
    ([4, 5, 3, 1], "relu", "identity", "squared_error"),
    ([2, 4, 3], "leaky_relu", "softmax", "squared_error"),
    ([3, 4, 2], "tanh", "sigmoid", "cross_entropy"),
    ([3, 4, 3], "sigmoid", "identity", "squared_error"),
    ([2, 3], "identity", "sigmoid", "squared_error"),
]


def _targets(net, n, rng):
    k = net.sizes[-1]
    if net.output_act == "softmax":
        return np.eye(k)[rng.integers(0, k, n)]
    if net.cost in ("binary_log_loss", "cross_entropy"):
        return rng.integers(0, 2, (n, k)).astype(float)
    return rng.normal(size=(n, k))


@pytest.mark.parametrize("sizes,act,out,cost", ROW_CASES)
def test_network_gradient_matches_finite_differences(sizes, act, out, cost):
    rng = np.random.default_rng(7)
    net = NeuralNetwork(sizes, act=act, output_act=out, cost=cost, dtype=np.float64, random_state=1)
    X = rng.normal(size=(9, sizes[0]))
    X[np.abs(X) < 1e-3] = 0.1  # keep ReLU kinks away from the probe points
    Y = _targets(net, 9, rng)

    def mean_cost(flat):
        saved = net._flat.copy()
        net._flat[...] = flat
        total = net._cost_sum(net.predict(X), Y, np.empty_like(Y))
        net._flat[...] = saved
        return total / X.shape[0]

    Xa = net._augment(X)
    loss_sum = net._step(Xa, Y, net._plan(9), 1.0 / 9, True)
    assert loss_sum / 9 == pytest.approx(mean_cost(net._flat.copy()), rel=1e-12)
    analytic = net._grad.copy()
    numeric = np.empty_like(analytic)
    flat0 = net._flat.copy()
    h = 1e-6
    for i in range(flat0.size):
        up, down = flat0.copy(), flat0.copy()
        up[i] += h
        down[i] -= h
        numeric[i] = (mean_cost(up) - mean_cost(down)) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


def test_sample_weights_equal_repeated_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 3))
    Y = rng.normal(size=(12, 2))
    w = rng.integers(0, 4, 12).astype(float)
    kw = dict(
        act="tanh", output_act="identity", cost="squared_error", dtype=np.float64, random_state=0
    )
    a = NeuralNetwork([3, 4, 2], **kw).fit(
        X, Y, epochs=5, solver="batch", learning_rate=0.05, sample_weight=w
    )
    reps = w.astype(int)
    b = NeuralNetwork([3, 4, 2], **kw).fit(
        np.repeat(X, reps, axis=0),
        np.repeat(Y, reps, axis=0),
        epochs=5,
        solver="batch",
        learning_rate=0.05,
    )
    np.testing.assert_allclose(a._flat, b._flat, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-10)


# -- the row API: training --------------------------------------------------------------------


@pytest.mark.parametrize(
    "optimizer,solver,lr,epochs",
    [
        ("sgd", "batch", 0.3, 600),
        ("momentum", "batch", 0.05, 300),
        ("momentum", "minibatch", 0.005, 200),
        ("nesterov", "minibatch", 0.005, 200),
        ("adam", "minibatch", 0.01, 200),
        ("sgd", "sgd", 0.01, 60),
    ],
)
def test_linear_network_converges_to_least_squares(optimizer, solver, lr, epochs):
    # No hidden layer, identity output, squared error: the network is linear regression.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = X @ np.array([1.5, -2.0, 0.5, 3.0]) + 0.7 + 0.1 * rng.normal(size=200)
    net = NeuralNetwork(
        [4, 1],
        act=[],
        output_act="identity",
        cost="squared_error",
        dtype=np.float64,
        random_state=0,
    )
    net.fit(
        X, y, epochs=epochs, batch_size=20, learning_rate=lr, optimizer=optimizer, solver=solver
    )
    coef, *_ = np.linalg.lstsq(np.c_[X, np.ones(200)], y, rcond=None)
    got = np.r_[net.weights[0].ravel(), net.biases[0].ravel()]
    # A constant step on noisy (mini-batch) gradients ends near the optimum, not on it.
    tol = {"batch": 1e-3, "minibatch": 0.02, "sgd": 0.05}[solver]
    np.testing.assert_allclose(got, coef, atol=tol)
    assert net.loss_curve_[-1] < net.loss_curve_[0]


def test_softmax_classifier_learns_iris():
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    net = NeuralNetwork([4, 16, 3], act="relu", random_state=0)
    net.fit(X, y, epochs=150, batch_size=16, learning_rate=0.01, optimizer="adam")
    assert net.predict(X).dtype == np.float32
    np.testing.assert_allclose(net.predict(X).sum(axis=1), 1.0, rtol=1e-5)
    assert np.mean(net.predict(X).argmax(axis=1) == y) > 0.95


def test_early_stopping_restores_the_best_weights():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = X[:, :1] ** 2 + 0.3 * rng.normal(size=(120, 1))
    net = NeuralNetwork(
        [3, 64, 64, 1],
        act="relu",
        output_act="identity",
        cost="squared_error",
        dtype=np.float64,
        random_state=0,
    )
    net.fit(
        X,
        y,
        epochs=2000,
        batch_size=8,
        learning_rate=0.01,
        optimizer="adam",
        validation_fraction=0.25,
        n_iter_no_change=15,
    )
    assert net.n_epochs_ < 2000
    assert len(net.validation_scores_) == net.n_epochs_
    best = int(np.argmin(net.validation_scores_))
    assert net.n_epochs_ == best + 1 + 15 or net.n_epochs_ == 2000
    # The restored weights give the best validation cost; refit the split to measure it.
    assert min(net.validation_scores_) < net.validation_scores_[-1]


def test_float32_stays_float32_and_float64_is_honoured():
    X = np.random.default_rng(0).normal(size=(10, 2))
    net = NeuralNetwork([2, 3, 2], act="tanh", random_state=0)
    assert net._flat.dtype == np.float32
    assert net.predict(X).dtype == np.float32
    net64 = NeuralNetwork([2, 3, 2], act="tanh", dtype=np.float64, random_state=0)
    assert net64.predict(X).dtype == np.float64


def test_random_state_reproduces_a_fit():
    X = np.random.default_rng(0).normal(size=(50, 2))
    y = (X[:, 0] > 0).astype(int)
    a = NeuralNetwork([2, 5, 2], act="tanh", random_state=3).fit(X, y, epochs=5)
    b = NeuralNetwork([2, 5, 2], act="tanh", random_state=3).fit(X, y, epochs=5)
    np.testing.assert_array_equal(a._flat, b._flat)


# -- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", [[3], [], [3, 0, 1], [3, -2], [2.5, 1], [True, 1]])
def test_bad_sizes(sizes):
    with pytest.raises(ValueError, match="layer|Layer"):
        NeuralNetwork(sizes, act="relu")


def test_bad_constructor_arguments():
    with pytest.raises(TypeError, match="act_derivative"):
        NeuralNetwork([2, 1], sigmoid)
    with pytest.raises(ValueError, match="cost"):
        NeuralNetwork([2, 1], cost="hinge")
    with pytest.raises(ValueError, match="Valid|valid|unknown|Unknown"):
        NeuralNetwork([2, 3, 1], act="swish")
    with pytest.raises(ValueError, match="Valid|valid|unknown|Unknown"):
        NeuralNetwork([2, 3, 1], act="relu", output_act="swish")
    with pytest.raises(ValueError, match="hidden"):
        NeuralNetwork([2, 3, 3, 1], act=["relu"])


@pytest.mark.parametrize(
    "bad", ["nan_x", "inf_y", "rows", "features", "outputs", "labels", "empty", "strings"]
)
def test_bad_fit_input(bad):
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(20, 3)), np.eye(2)[rng.integers(0, 2, 20)]
    net = NeuralNetwork([3, 4, 2], act="relu")
    if bad == "nan_x":
        X[3, 1] = np.nan
    elif bad == "inf_y":
        Y = Y.astype(float)
        Y[0, 0] = np.inf
    elif bad == "rows":
        Y = Y[:-1]
    elif bad == "features":
        X = X[:, :2]
    elif bad == "outputs":
        Y = np.ones((20, 3))
    elif bad == "labels":
        Y = np.full(20, 5)
    elif bad == "empty":
        X, Y = X[:0], Y[:0]
    elif bad == "strings":
        X = np.array([["a", "b", "c"]] * 20)
    with pytest.raises(ValueError):
        net.fit(X, Y, epochs=1)


def test_bad_training_arguments():
    X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    net = NeuralNetwork([2, 2], act=[])
    for kwargs, match in [
        ({"epochs": 0}, "epochs"),
        ({"learning_rate": -1}, "learning_rate"),
        ({"solver": "newton"}, "solver"),
        ({"optimizer": "rmsprop"}, "rmsprop"),
    ]:
        with pytest.raises(ValueError, match=match):
            net.fit(X, y, **kwargs)


def test_bad_notes_input():
    net = NeuralNetwork([2, 3, 1], sigmoid, sigmoid_derivative, distance_derivative)
    with pytest.raises(ValueError, match="shape"):
        net.feedforward(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="NaN"):
        net.backprop(np.array([[np.nan], [0.0]]), np.array([[1.0]]))
    with pytest.raises(ValueError, match="empty"):
        net.update_batch([], 0.1)
    with pytest.raises(ValueError):
        net.update_batch([(np.zeros((3, 1)), np.zeros((1, 1)))], 0.1)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shuffle", [True, False])
def test_batch_gathering_equals_whole_permutation(monkeypatch, weighted, shuffle):
    # Large data is gathered batch by batch; small data is permuted whole. Same rows, same result.
    import lucidml.nn.network as network

    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(103, 4)), rng.normal(size=(103, 2))
    w = rng.uniform(0.5, 2, 103) if weighted else None
    kw = dict(
        act="tanh", output_act="identity", cost="squared_error", dtype=np.float64, random_state=5
    )
    fit = dict(
        epochs=4,
        batch_size=10,
        learning_rate=0.05,
        optimizer="adam",
        shuffle=shuffle,
        sample_weight=w,
        engine="numpy",
    )
    whole = NeuralNetwork([4, 6, 2], **kw).fit(X, Y, **fit)
    monkeypatch.setattr(network, "_GATHER_ABOVE_BYTES", 0)
    gathered = NeuralNetwork([4, 6, 2], **kw).fit(X, Y, **fit)
    np.testing.assert_array_equal(gathered._flat, whole._flat)
    np.testing.assert_array_equal(gathered.loss_curve_, whole.loss_curve_)
