"""The notes' per-sample backpropagation, kept as a readable reference and as the oracle.

This is the algorithm of notes §14 written out one sample at a time, exactly in the order the notes
describe it: forward pass keeping every ``z`` and activation, output error (13), gradients (14) and
(17), then the hidden errors (36) with their gradients (37) and (38); a batch step sums the
per-sample gradients and moves by ``learning_rate / len(batch)`` times the sum.

It is deliberately slow (a Python loop over samples). ``lucidml.nn.NeuralNetwork`` computes the same
numbers vectorised over the batch; the tests compare the two and ``benchmarks/notes_network.py``
times them side by side. Do not use this class for real work.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["PerSampleNetwork"]

Array = np.ndarray


class PerSampleNetwork:
    """Column-layout network trained one sample at a time (the notes' algorithm).

    Parameters
    ----------
    sizes : sequence of int
        Neurons per layer, input first.
    act, act_derivative : callable
        Activation and its derivative, applied element-wise to column vectors.
    cost_derivative : callable
        ``dC/da`` for one sample, e.g. ``2 * (a - y)`` for the squared error.
    rng : np.random.Generator, optional
        Source of the N(0, 1) initial biases and weights (biases first, as the notes draw them).
    """

    def __init__(
        self,
        sizes: Sequence[int],
        act: Callable[[Array], Array],
        act_derivative: Callable[[Array], Array],
        cost_derivative: Callable[[Array, Array], Array],
        rng: np.random.Generator | None = None,
    ):
        rng = rng if rng is not None else np.random.default_rng()
        self.sizes = list(sizes)
        self.num_layers = len(self.sizes)
        self.biases = [rng.standard_normal((n, 1)) for n in self.sizes[1:]]
        self.weights = [
            rng.standard_normal((n_out, n_in))
            for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:], strict=True)
        ]
        self.act = act
        self.act_derivative = act_derivative
        self.cost_derivative = cost_derivative

    def feedforward(self, a: Array) -> Array:
        """Forward pass (4) on column samples ``a`` of shape (sizes[0], n)."""
        for w, b in zip(self.weights, self.biases, strict=True):
            a = self.act(w @ a + b)
        return a

    def backprop(self, x: Array, y: Array) -> tuple[list[Array], list[Array]]:
        """Gradients for one column sample ``x`` (sizes[0], 1) with target ``y`` (sizes[-1], 1)."""
        zs, activations = [], [x]
        a = x
        for w, b in zip(self.weights, self.biases, strict=True):
            z = w @ a + b
            zs.append(z)
            a = self.act(z)
            activations.append(a)
        nabla_b = [np.zeros_like(b) for b in self.biases]
        nabla_w = [np.zeros_like(w) for w in self.weights]
        delta = self.cost_derivative(activations[-1], y) * self.act_derivative(zs[-1])  # (13)
        nabla_b[-1] = delta  # (17)
        nabla_w[-1] = delta @ activations[-2].T  # (14)
        for l in range(2, self.num_layers):
            delta = (self.weights[-l + 1].T @ delta) * self.act_derivative(zs[-l])  # (36)
            nabla_b[-l] = delta  # (38)
            nabla_w[-l] = delta @ activations[-l - 1].T  # (37)
        return nabla_b, nabla_w

    def update_batch(self, batch: Sequence[tuple[Array, Array]], learning_rate: float) -> None:
        """Sum the per-sample gradients of ``batch`` and take one step."""
        sum_b = [np.zeros_like(b) for b in self.biases]
        sum_w = [np.zeros_like(w) for w in self.weights]
        for x, y in batch:
            db, dw = self.backprop(x, y)
            sum_b = [s + d for s, d in zip(sum_b, db, strict=True)]
            sum_w = [s + d for s, d in zip(sum_w, dw, strict=True)]
        step = learning_rate / len(batch)
        self.weights = [w - step * g for w, g in zip(self.weights, sum_w, strict=True)]
        self.biases = [b - step * g for b, g in zip(self.biases, sum_b, strict=True)]

    def SGD(
        self,
        training_data: list[tuple[Array, Array]],
        epochs: int,
        batch_size: int,  # noqa: N802
        learning_rate: float,
        shuffle: Callable[[list], None] = random.shuffle,
    ) -> None:
        """Shuffle, cut into batches of ``batch_size``, one ``update_batch`` per batch; repeat."""
        n = len(training_data)
        for _ in range(epochs):
            shuffle(training_data)
            for k in range(0, n, batch_size):
                self.update_batch(training_data[k : k + batch_size], learning_rate)
