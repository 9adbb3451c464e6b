"""The notes' fully-connected network (§6, §7, §14), vectorised over the batch.

One class serves two audiences:

* **The notes' API** — ``NeuralNetwork(sizes, act, act_derivative, cost_derivative)`` with
  callables, ``weights[i]`` of shape ``(sizes[i+1], sizes[i])``, ``biases[i]`` of shape
  ``(sizes[i+1], 1)``, ``feedforward(a)`` on column samples, ``backprop(x, y)``,
  ``update_batch(batch, lr)`` and ``SGD(training_data, epochs, batch_size, lr)``. It computes in
  float64, and gives the numbers the notes' per-sample code gives for the same weights and batch.
* **The row API** — ``NeuralNetwork(sizes, act="relu", output_act="softmax", cost="cross_entropy")``
  with ``fit(X, Y, ...)`` and ``predict(X)`` on batch-first arrays, float32 by default.

Both run on the same engine: all parameters live in one flat buffer (each layer a view, bias folded
in as a last column), activations live in preallocated buffers, and one training step is a fixed
sequence of in-place NumPy calls with no loop over samples. The formulas, numbered as in the notes:

* forward (4):      ``Z_l = A_{l-1} W_l^T + b_l^T``,  ``A_l = act(Z_l)``
* output error (13): ``delta_L = dC/dA_L * act'(Z_L)``
* hidden error (36): ``delta_l = (delta_{l+1} W_{l+1}) * act'(Z_l)``
* gradients (14, 37): ``dC/dW_l = delta_l^T A_{l-1}``;  (17, 38): ``dC/db_l = sum_i delta_l``

Rows of ``delta`` are samples, so the transposes of the notes' column formulas appear here.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .._validation import check_array, check_random_state
from ..functions.activations import Activation, get_activation
from ..optim import (
    EarlyStopping,
    batch_slices,
    get_optimizer,
    get_penalty,
    resolve_batch_size,
    train_validation_split,
)
from ..persist import persistable
from .layers import Dense

__all__ = ["NeuralNetwork"]

_COSTS = ("squared_error", "cross_entropy", "binary_log_loss")
# Above this many parameters BLAS beats the compiled loops, so "auto" keeps the NumPy engine.
_COMPILED_MAX_PARAMS = 5000
# Above this size the training data is gathered batch by batch instead of permuted whole.
_GATHER_ABOVE_BYTES = 32 * 2**20


class _ParamList(list):
    """A list of parameter views whose item assignment copies into the network's buffer."""

    def __init__(self, views: list[np.ndarray], name: str):
        super().__init__(views)
        self._name = name

    def __setitem__(self, i: Any, value: Any) -> None:
        if isinstance(i, slice):
            for j, v in zip(range(*i.indices(len(self))), value, strict=True):
                self[j] = v
            return
        target = list.__getitem__(self, i)
        value = np.asarray(value, dtype=target.dtype)
        if value.shape != target.shape:
            raise ValueError(
                f"{self._name}[{i}] must have shape {target.shape}, got {value.shape}."
            )
        if not np.all(np.isfinite(value)):
            raise ValueError(f"{self._name}[{i}] contains NaN or infinity.")
        target[...] = value

    def append(self, value: Any) -> None:  # the layout is fixed by ``sizes``
        raise TypeError(f"{self._name} has one entry per layer; assign entries instead.")

    extend = insert = append


class _Plan:
    """Preallocated buffers and prebuilt views for one batch size ``m``.

    ``steps[l]`` holds what layer ``l`` needs in a training step: its input (with the ones
    column), pre-activation ``Z``, activation output, error ``delta`` and a scratch array.
    """

    def __init__(self, layers: list[Dense], m: int, dtype: np.dtype):
        self.m = m
        self.A_aug = [np.ones((m, layer.n_in + 1), dtype=dtype) for layer in layers[1:]]
        self.Z = [np.empty((m, layer.n_out), dtype=dtype) for layer in layers]
        self.D = [np.empty((m, layer.n_out), dtype=dtype) for layer in layers]
        self.T = [np.empty((m, layer.n_out), dtype=dtype) for layer in layers]
        self.out = np.empty((m, layers[-1].n_out), dtype=dtype)
        # Activation outputs: the leading columns of the next layer's augmented input.
        self.A = [a[:, :-1] for a in self.A_aug] + [self.out]

    def view(self, m: int) -> _Plan:
        """The same buffers cut to the first ``m`` rows (for a short last batch)."""
        if m == self.m:
            return self
        short = object.__new__(_Plan)
        short.m = m
        short.A_aug = [a[:m] for a in self.A_aug]
        short.Z = [z[:m] for z in self.Z]
        short.D = [d[:m] for d in self.D]
        short.T = [t[:m] for t in self.T]
        short.out = self.out[:m]
        short.A = [a[:, :-1] for a in short.A_aug] + [short.out]
        return short


@persistable
class NeuralNetwork:
    """A fully-connected feed-forward network trained by backpropagation (notes §6–§14).

    Parameters
    ----------
    sizes : sequence of int
        Neurons per layer, input layer first, e.g. ``[1, 8, 5, 3, 1]``.
    act : str, list of str, or callable
        Hidden-layer activation name (``"relu"``, ``"sigmoid"``, ``"tanh"``, ``"leaky_relu"``,
        ``"identity"``, ``"step"``), one name per hidden layer, or — the notes' API — a callable
        ``act(z)`` used for every layer, output included.
    act_derivative : callable, optional
        The notes' ``act_derivative(z)``; required when ``act`` is a callable.
    cost_derivative : callable, optional
        The notes' ``cost_derivative(output_activations, y)`` (for the squared error of the notes,
        ``2 * (a - y)``). When given, it replaces ``cost`` in backpropagation.
    output_act : str, optional
        Output-layer activation. Default ``"softmax"`` for named activations; the notes' API uses
        ``act`` for the output layer too.
    cost : {"cross_entropy", "squared_error", "binary_log_loss"}, optional
        Cost per sample, ``C_i``; the training objective is their mean over a batch (notes §14).
        Default ``"cross_entropy"`` (``"squared_error"`` in the notes' API).
    init : {"auto", "normal", "glorot", "he"}
        Weight initialisation. ``"normal"`` draws weights and biases from N(0, 1) as the notes do;
        ``"auto"`` picks ``"normal"`` for the notes' API, He for ReLU and Glorot otherwise.
    dtype : dtype, optional
        Floating type for parameters and computation: float64 for the notes' API, float32 otherwise.
    random_state : int, Generator or None
        Seeds initialisation and shuffling. With None, the notes' API draws from NumPy's global
        ``np.random`` (and ``SGD`` from Python's ``random``), as the notes do, so seeding those
        reproduces a run.

    Attributes
    ----------
    weights : list of ndarray
        ``weights[i]`` has shape ``(sizes[i+1], sizes[i])``; readable and assignable.
    biases : list of ndarray
        ``biases[i]`` has shape ``(sizes[i+1], 1)``; readable and assignable.
    loss_curve_ : list of float
        Training objective after each epoch of ``fit`` (mean cost plus penalty).
    validation_scores_ : list of float
        Validation cost after each epoch when ``fit`` holds out a validation set.

    Examples
    --------
    >>> import numpy as np
    >>> from lucidml.nn import NeuralNetwork
    >>> X = np.linspace(-3, 3, 64, dtype=np.float32)[:, None]
    >>> net = NeuralNetwork([1, 16, 1], act="tanh", output_act="identity",
    ...                     cost="squared_error", random_state=0)
    >>> net = net.fit(X, X**2, epochs=200, batch_size=16, learning_rate=0.01, optimizer="adam")
    >>> net.predict(X).shape
    (64, 1)
    """

    def __init__(
        self,
        sizes: Sequence[int],
        act: str | Sequence[str] | Callable[[np.ndarray], np.ndarray] = "relu",
        act_derivative: Callable[[np.ndarray], np.ndarray] | None = None,
        cost_derivative: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
        *,
        output_act: str | None = None,
        cost: str | None = None,
        init: str = "auto",
        dtype: Any = None,
        random_state: Any = None,
    ):
        sizes = self._check_sizes(sizes)
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.notes_api = callable(act)
        if self.notes_api:
            if not callable(act_derivative):
                raise TypeError(
                    "act_derivative must be a callable when act is a callable (the notes' API)."
                )
            if output_act is not None:
                raise ValueError("output_act is for named activations; the notes' API uses act.")
        elif act_derivative is not None:
            raise TypeError("act_derivative is only used with a callable act (the notes' API).")
        if cost_derivative is not None and not callable(cost_derivative):
            raise TypeError("cost_derivative must be a callable.")
        self.act = act
        self.act_derivative = act_derivative
        self.cost_derivative = cost_derivative
        self.cost = (
            cost if cost is not None else ("squared_error" if self.notes_api else "cross_entropy")
        )
        if self.cost not in _COSTS:
            raise ValueError(f"cost must be one of {_COSTS}, got {self.cost!r}.")
        self.output_act = None if self.notes_api else (output_act or "softmax")
        self.dtype = np.dtype(
            dtype if dtype is not None else (np.float64 if self.notes_api else np.float32)
        )
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a floating type, got {self.dtype}.")
        self.random_state = random_state
        self._layers = self._build_layers(act)
        n_params = sum(layer.size for layer in self._layers)
        self._flat = np.zeros(n_params, dtype=self.dtype)
        self._grad = np.zeros(n_params, dtype=self.dtype)
        offset = 0
        for layer in self._layers:
            offset = layer.bind(self._flat, self._grad, offset)
        # 1 for weights, 0 for biases: penalties apply to weights only.
        self._weight_mask = np.ones(n_params, dtype=self.dtype)
        offset = 0
        for layer in self._layers:
            self._weight_mask[offset : offset + layer.size].reshape(layer.P.shape)[:, -1] = 0
            offset += layer.size
        self._init_params(init)
        self._plans: dict[int, _Plan] = {}
        self.loss_curve_: list[float] = []
        self.validation_scores_: list[float] = []

    # -- construction ----------------------------------------------------------------------------

    @staticmethod
    def _check_sizes(sizes: Any) -> list[int]:
        try:
            sizes = list(sizes)
        except TypeError as exc:
            raise ValueError(f"sizes must be a sequence of layer sizes, got {sizes!r}.") from exc
        if len(sizes) < 2:
            raise ValueError(
                f"A network needs at least two layers (input and output); got sizes={sizes}."
            )
        out = []
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
                raise ValueError(f"Layer sizes must be positive integers; got {sizes}.")
            if s <= 0:
                raise ValueError(f"Layer sizes must be positive integers; got {sizes}.")
            out.append(int(s))
        return out

    def _build_layers(self, act: Any) -> list[Dense]:
        pairs = list(zip(self.sizes[:-1], self.sizes[1:], strict=True))
        if self.notes_api:
            return [Dense(i, o, None, act, self.act_derivative) for i, o in pairs]
        hidden = [act] * (len(pairs) - 1) if isinstance(act, (str, Activation)) else list(act)
        if len(hidden) != len(pairs) - 1:
            raise ValueError(
                f"act lists {len(hidden)} activations but the network has {len(pairs) - 1} hidden "
                "layers."
            )
        names = hidden + [self.output_act]
        return [Dense(i, o, get_activation(a)) for (i, o), a in zip(pairs, names, strict=True)]

    def _init_params(self, init: str) -> None:
        if init == "auto":
            if self.notes_api:
                init = "normal"
            else:
                first = self._layers[0].activation.name
                init = "he" if first in ("relu", "leaky_relu") else "glorot"
        if init not in ("normal", "glorot", "he"):
            raise ValueError(f"init must be 'auto', 'normal', 'glorot' or 'he', got {init!r}.")
        self.init = init
        legacy = self.notes_api and self.random_state is None
        rng = None if legacy else check_random_state(self.random_state)

        def normal(shape: tuple[int, ...]) -> np.ndarray:
            # The notes draw from NumPy's global generator; read it (never seed it) for them.
            return np.random.randn(*shape) if legacy else rng.standard_normal(shape)  # noqa: NPY002

        if init == "normal":
            # The notes' order: every bias vector first, then every weight matrix.
            biases = [normal((layer.n_out, 1)) for layer in self._layers]
            for layer, b in zip(self._layers, biases, strict=True):
                layer.b[...] = b
            for layer in self._layers:
                layer.W[...] = normal((layer.n_out, layer.n_in))
            return
        for layer in self._layers:
            fan_in, fan_out = layer.n_in, layer.n_out
            if init == "he":
                layer.W[...] = normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)
            else:
                bound = np.sqrt(6.0 / (fan_in + fan_out))
                if legacy:
                    w = np.random.uniform(-bound, bound, (fan_out, fan_in))  # noqa: NPY002
                else:
                    w = rng.uniform(-bound, bound, (fan_out, fan_in))
                layer.W[...] = w
            layer.b[...] = 0

    # -- the notes' attributes ---------------------------------------------------------------------

    @property
    def weights(self) -> _ParamList:
        """``weights[i]``: shape ``(sizes[i+1], sizes[i])``, a view into the parameter buffer."""
        return _ParamList([layer.W for layer in self._layers], "weights")

    @weights.setter
    def weights(self, values: Sequence[Any]) -> None:
        self._assign("weights", values)

    @property
    def biases(self) -> _ParamList:
        """``biases[i]``: shape ``(sizes[i+1], 1)``, a view into the parameter buffer."""
        return _ParamList([layer.b for layer in self._layers], "biases")

    @biases.setter
    def biases(self, values: Sequence[Any]) -> None:
        self._assign("biases", values)

    def _assign(self, name: str, values: Sequence[Any]) -> None:
        values = list(values)
        if len(values) != len(self._layers):
            raise ValueError(f"{name} needs {len(self._layers)} arrays, got {len(values)}.")
        target = getattr(self, name)
        for i, v in enumerate(values):
            target[i] = v

    @property
    def n_params(self) -> int:
        """Total number of weights and biases."""
        return self._flat.size

    # -- forward -----------------------------------------------------------------------------------

    def _forward_rows(self, X: np.ndarray) -> np.ndarray:
        A = X
        for layer in self._layers:
            A = layer.forward(A)
        return A

    def feedforward(self, a: Any) -> np.ndarray:
        """The notes' forward pass (4) on column samples.

        Parameters
        ----------
        a : array-like, shape (sizes[0], n)
            One sample per column (a single sample may be given as shape ``(sizes[0],)``).

        Returns
        -------
        ndarray, shape (sizes[-1], n)
        """
        a = np.asarray(a, dtype=self.dtype)
        if a.ndim == 1:
            a = a[:, None]
        if a.ndim != 2 or a.shape[0] != self.sizes[0]:
            raise ValueError(
                f"feedforward expects an array of shape ({self.sizes[0]}, n_samples) with samples "
                f"as columns; got shape {a.shape}."
            )
        check_array(a, dtype=None, input_name="a")
        return self._forward_rows(a.T).T

    def predict(self, X: Any) -> np.ndarray:
        """Network outputs for rows ``X``.

        Parameters
        ----------
        X : array-like, shape (n_samples, sizes[0])

        Returns
        -------
        ndarray, shape (n_samples, sizes[-1])
        """
        X = self._check_X(X)
        return self._forward_rows(X)

    # -- the training engine -----------------------------------------------------------------------

    def _plan(self, m: int) -> _Plan:
        plan = self._plans.get(m)
        if plan is None:
            plan = self._plans[m] = _Plan(self._layers, m, self.dtype)
        return plan

    def _output_delta(
        self,
        A: np.ndarray,
        Z: np.ndarray,
        Y: np.ndarray,
        D: np.ndarray,
        T: np.ndarray,
        scale: float,
        want_loss: bool,
    ) -> float:
        """Output error (13): ``D = scale * dC/dA * act'(Z)``; returns the summed cost if asked."""
        out = self._layers[-1]
        if self.cost_derivative is not None:
            D[...] = np.asarray(self.cost_derivative(A.T, Y.T)).T
            D *= out.act_derivative(Z, A, T)
            if scale != 1.0:
                D *= scale
            return self._cost_sum(A, Y, T) if want_loss else 0.0
        name = out.activation.name
        np.subtract(A, Y, out=D)
        loss = 0.0
        if self.cost == "squared_error":
            if want_loss:
                loss = float(np.vdot(D, D))
            if name == "softmax":
                D *= 2.0 * scale
                np.multiply(D, A, out=T)
                s = T.sum(axis=1, keepdims=True)
                D -= s
                D *= A
            else:
                out._dfwd(A, out=T)
                T *= 2.0 * scale
                D *= T
            return loss
        if want_loss:
            loss = self._cost_sum(A, Y, T)
        canonical = (self.cost == "cross_entropy" and name == "softmax") or (
            self.cost == "binary_log_loss" and name == "sigmoid"
        )
        if canonical:  # dC/dZ = A - Y
            if scale != 1.0:
                D *= scale
            return loss
        # General pairing: dC/dA from the cost, times the activation's derivative.
        eps = np.finfo(self.dtype).tiny
        if self.cost == "cross_entropy":
            np.maximum(A, eps, out=T)
            np.divide(Y, T, out=D)
            np.negative(D, out=D)
        else:
            np.subtract(A, Y, out=D)
            np.multiply(A, 1 - A, out=T)
            np.maximum(T, eps, out=T)
            D /= T
        if name == "softmax":
            np.multiply(D, A, out=T)
            D -= T.sum(axis=1, keepdims=True)
            D *= A
        else:
            D *= out._dfwd(A, out=T)
        if scale != 1.0:
            D *= scale
        return loss

    def _cost_sum(self, A: np.ndarray, Y: np.ndarray, T: np.ndarray) -> float:
        """Sum over the batch of the per-sample cost ``C_i``."""
        if self.cost == "squared_error":
            np.subtract(A, Y, out=T)
            return float(np.vdot(T, T))
        tiny = np.finfo(self.dtype).tiny
        np.maximum(A, tiny, out=T)
        np.log(T, out=T)
        total = -float(np.vdot(Y, T))
        if self.cost == "binary_log_loss":
            np.subtract(1, A, out=T)
            np.maximum(T, tiny, out=T)
            np.log(T, out=T)
            total -= float(np.sum(T)) - float(np.vdot(Y, T))
        return total

    def _step(
        self,
        Xa: np.ndarray,
        Y: np.ndarray,
        plan: _Plan,
        scale: float,
        want_loss: bool,
        w: np.ndarray | None = None,
    ) -> float:
        """One forward and backward pass over a batch; fills ``self._grad``.

        ``Xa`` is the batch with its ones column, shape ``(m, sizes[0] + 1)``; ``Y`` has shape
        ``(m, sizes[-1])``. The gradient written is ``scale`` times the sum over the batch. With
        sample weights ``w`` (shape (m, 1)) it is the gradient of the weighted mean cost
        ``sum_i w_i C_i / sum_i w_i`` instead (``scale`` is then ignored; a batch of zero total
        weight leaves a zero gradient). Returns the batch's (weighted) summed cost if asked.
        """
        layers = self._layers
        last = len(layers) - 1
        A_in = Xa
        for l, layer in enumerate(layers):  # forward (4)
            np.matmul(A_in, layer.P.T, out=plan.Z[l])
            layer.apply_act(plan.Z[l], plan.A[l])
            A_in = plan.A_aug[l] if l < last else None
        out = (plan.A[last], plan.Z[last], Y, plan.D[last], plan.T[last])
        if w is None:
            loss = self._output_delta(*out, scale, want_loss)  # (13)
        else:
            total = float(w.sum())
            loss = self._weighted_cost_sum(plan.A[last], Y, w) if want_loss else 0.0
            self._output_delta(*out, 1.0 / total if total > 0 else 0.0, False)
            plan.D[last] *= w
        for l in range(last, -1, -1):  # backward
            D = plan.D[l]
            np.matmul(D.T, Xa if l == 0 else plan.A_aug[l - 1], out=layers[l].G)  # (14), (17)
            if l:
                np.matmul(D, layers[l].W, out=plan.D[l - 1])  # (36)
                plan.D[l - 1] *= layers[l - 1].act_derivative(
                    plan.Z[l - 1], plan.A[l - 1], plan.T[l - 1]
                )
        return loss

    # -- the notes' training API ----------------------------------------------------------------

    def _columns_to_rows(self, batch: Sequence[tuple[Any, Any]]) -> tuple[np.ndarray, np.ndarray]:
        if len(batch) == 0:
            raise ValueError("The batch is empty: it needs at least one (x, y) pair.")
        try:
            xs = np.concatenate(
                [np.asarray(x, dtype=self.dtype).reshape(self.sizes[0], -1) for x, _ in batch],
                axis=1,
            )
            ys = np.concatenate(
                [np.asarray(y, dtype=self.dtype).reshape(self.sizes[-1], -1) for _, y in batch],
                axis=1,
            )
        except ValueError as exc:
            raise ValueError(
                f"Each x must be a column of {self.sizes[0]} values and each y a column of "
                f"{self.sizes[-1]} values: {exc}"
            ) from exc
        if xs.shape[1] != ys.shape[1]:
            raise ValueError(
                f"x and y hold different numbers of samples: {xs.shape[1]} and {ys.shape[1]}."
            )
        X, Y = xs.T, ys.T
        self._check_finite(X, "x")
        self._check_finite(Y, "y")
        return X, Y

    def _augment(self, X: np.ndarray) -> np.ndarray:
        """``[X, 1]``: the batch with a trailing column of ones, C-contiguous."""
        Xa = np.empty((X.shape[0], X.shape[1] + 1), dtype=self.dtype)
        Xa[:, :-1] = X
        Xa[:, -1] = 1
        return Xa

    def backprop(self, x: Any, y: Any) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Gradients of the cost for one column sample ``x``, ``y``.

        Notes (13), (14), (17) for the output layer, (36)–(38) for the hidden ones.

        Several columns may be given; the gradients are then summed over them.

        Returns
        -------
        nabla_b : list of ndarray
            Shaped like ``biases``.
        nabla_w : list of ndarray
            Shaped like ``weights``.
        """
        X, Y = self._columns_to_rows([(x, y)])
        self._step(self._augment(X), Y, self._plan(X.shape[0]), 1.0, False)
        nabla_b = [layer.G[:, -1:].copy() for layer in self._layers]
        nabla_w = [layer.G[:, :-1].copy() for layer in self._layers]
        return nabla_b, nabla_w

    def update_batch(self, batch: Sequence[tuple[Any, Any]], learning_rate: float) -> None:
        """One gradient-descent step on a batch of ``(x, y)`` column pairs.

        ``w <- w - (learning_rate / len(batch)) * sum of the per-sample gradients``, as the notes.
        """
        X, Y = self._columns_to_rows(batch)
        self._step(self._augment(X), Y, self._plan(X.shape[0]), 1.0 / X.shape[0], False)
        self._flat -= learning_rate * self._grad

    def SGD(
        self,
        training_data: Sequence[tuple[Any, Any]],
        epochs: int,
        batch_size: int,
        learning_rate: float,
        *,
        random_state: Any = None,
    ) -> NeuralNetwork:  # noqa: N802
        """The notes' mini-batch stochastic gradient descent on ``(x, y)`` column pairs.

        Every epoch reshuffles the data and takes one ``update_batch`` step per batch of
        ``batch_size`` samples. Shuffling uses ``random_state``, or Python's ``random`` module
        when it is None (as the notes do), so ``random.seed`` reproduces a run.
        """
        X, Y = self._columns_to_rows(list(training_data))
        if random_state is None and self.random_state is None:
            rng = np.random.default_rng(random.getrandbits(64))
        else:
            rng = check_random_state(
                random_state if random_state is not None else self.random_state
            )
        _check_learning_rate(learning_rate)
        opt = get_optimizer("sgd", learning_rate=learning_rate)
        opt.init(self._flat)
        self._train(X, Y, epochs=epochs, batch_size=batch_size, opt=opt, rng=rng, record=False)
        return self

    # -- the row API -------------------------------------------------------------------------------

    @staticmethod
    def _check_finite(A: np.ndarray, name: str) -> None:
        if not np.isfinite(A).all():
            raise ValueError(f"Input {name} contains NaN or infinity.")

    def _check_X(self, X: Any) -> np.ndarray:
        X = check_array(X, dtype=self.dtype)
        if X.shape[1] != self.sizes[0]:
            raise ValueError(
                f"X has {X.shape[1]} features, but NeuralNetwork is expecting {self.sizes[0]} "
                "features as input."
            )
        return X

    def _check_Y(self, Y: Any, n: int) -> np.ndarray:
        Y = np.asarray(Y)
        k = self.sizes[-1]
        if Y.ndim == 1 and k == 1:
            Y = Y[:, None]
        elif Y.ndim == 1:
            if Y.dtype.kind not in "iu" or (Y.size and (Y.min() < 0 or Y.max() >= k)):
                raise ValueError(
                    f"A 1-D Y for a network with {k} outputs must hold integer class labels in "
                    f"[0, {k}); pass a (n_samples, {k}) array otherwise."
                )
            onehot = np.zeros((Y.size, k), dtype=self.dtype)
            onehot[np.arange(Y.size), Y] = 1
            Y = onehot
        Y = check_array(Y, dtype=self.dtype, input_name="Y")
        if Y.shape != (n, k):
            raise ValueError(
                f"Y must have shape ({n}, {k}) to match X and the output layer; got {Y.shape}."
            )
        return Y

    def fit(
        self,
        X: Any,
        Y: Any,
        epochs: int = 10,
        batch_size: int | None = 32,
        learning_rate: float = 0.01,
        optimizer: str | Any = "sgd",
        solver: str = "minibatch",
        *,
        l2: float = 0.0,
        l1: float = 0.0,
        validation_fraction: float | None = None,
        n_iter_no_change: int = 10,
        tol: float = 1e-4,
        shuffle: bool = True,
        verbose: bool = False,
        sample_weight: Any = None,
        engine: str = "auto",
    ) -> NeuralNetwork:
        """Train on rows ``X`` (n_samples, sizes[0]) and targets ``Y`` (n_samples, sizes[-1]).

        Parameters
        ----------
        X : array-like, shape (n_samples, sizes[0])
        Y : array-like, shape (n_samples, sizes[-1]), or (n_samples,)
            A 1-D ``Y`` is a column for one output, or integer class labels (one-hot encoded) for
            several.
        epochs : int
            Passes over the training data.
        batch_size : int
            Samples per update for ``solver="minibatch"``.
        learning_rate : float or schedule
            Step size, or a schedule from ``lucidml.optim``.
        optimizer : {"sgd", "momentum", "nesterov", "adam"} or an Optimizer
        solver : {"minibatch", "batch", "sgd"}
            The notes' three kinds of gradient descent (§8, §11): a batch per update, the whole
            data per update, or one sample per update.
        l2, l1 : float
            Penalty strengths on the weights (not the biases), added to the mean cost.
        validation_fraction : float, optional
            Hold out this fraction and stop early when the validation cost stops improving for
            ``n_iter_no_change`` epochs by more than ``tol``; the best weights are restored.
        shuffle : bool
            Reshuffle the training rows every epoch.
        verbose : bool
            Show a progress bar (tqdm) when standard error is a terminal.
        sample_weight : array-like, shape (n_samples,), optional
            Per-sample weights on the cost.
        engine : {"auto", "numpy", "compiled"}
            ``"compiled"`` runs whole epochs in one numba-compiled loop (``pip install
            lucidml[fast]``): plain SGD on small networks, where NumPy's per-call overhead
            dominates. ``"auto"`` uses it when numba is installed and the case is covered (see
            ``lucidml.nn._compiled``), and the NumPy engine otherwise. Both give the same numbers
            up to rounding.

        Returns
        -------
        self
        """
        X = self._check_X(X)
        Y = self._check_Y(Y, X.shape[0])
        if sample_weight is not None:
            sw = check_array(
                sample_weight, ensure_2d=False, dtype=self.dtype, input_name="sample_weight"
            )
            if sw.shape != (X.shape[0],) or np.any(sw < 0):
                raise ValueError("sample_weight must be non-negative with shape (n_samples,).")
            sample_weight = sw
        rng = check_random_state(self.random_state)
        X_val = Y_val = None
        if validation_fraction:
            labels = Y.argmax(axis=1) if Y.shape[1] > 1 else None
            tr, va = train_validation_split(X.shape[0], validation_fraction, rng, stratify=labels)
            X, X_val, Y, Y_val = X[tr], X[va], Y[tr], Y[va]
            if sample_weight is not None:
                sample_weight = sample_weight[tr]
        bs = resolve_batch_size(solver, batch_size, X.shape[0])
        if engine not in ("auto", "numpy", "compiled"):
            raise ValueError(f"engine must be 'auto', 'numpy' or 'compiled', got {engine!r}.")
        compiled = (
            None
            if engine == "numpy"
            else self._compiled_plan(optimizer, learning_rate, l1, l2, sample_weight, X_val)
        )
        if engine == "compiled" and compiled is None:
            raise ValueError(
                "engine='compiled' needs numba (pip install 'lucidml[fast]') and covers plain SGD "
                "with a constant learning rate, named element-wise hidden activations, no "
                "penalty, sample weights or validation split; use engine='auto' otherwise."
            )
        if compiled is not None and (engine == "compiled" or self.n_params <= _COMPILED_MAX_PARAMS):
            self._train_compiled(
                X,
                Y,
                compiled,
                epochs=epochs,
                batch_size=bs,
                learning_rate=learning_rate,
                rng=rng,
                shuffle=shuffle,
                verbose=verbose,
            )
            return self
        _check_learning_rate(learning_rate)
        opt = get_optimizer(optimizer, learning_rate=learning_rate)
        opt.init(self._flat)
        monitor = stopper = None
        if X_val is not None:

            def monitor() -> float:
                A = self._forward_rows(X_val)
                return self._cost_sum(A, Y_val, np.empty_like(Y_val)) / X_val.shape[0]

            stopper = EarlyStopping(patience=n_iter_no_change, tol=tol, mode="min")
        self._train(
            X,
            Y,
            epochs=epochs,
            batch_size=bs,
            opt=opt,
            rng=rng,
            record=True,
            shuffle=shuffle,
            l1=l1,
            l2=l2,
            monitor=monitor,
            stopper=stopper,
            verbose=verbose,
            sample_weight=sample_weight,
        )
        return self

    def _train(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        *,
        epochs: int,
        batch_size: int,
        opt: Any,
        rng: np.random.Generator,
        record: bool,
        shuffle: bool = True,
        l1: float = 0.0,
        l2: float = 0.0,
        monitor: Callable[[], float] | None = None,
        stopper: EarlyStopping | None = None,
        verbose: bool = False,
        sample_weight: np.ndarray | None = None,
    ) -> bool:
        """The training loop shared by ``fit``, the notes' ``SGD`` and the MLP estimators.

        Parameters
        ----------
        opt : Optimizer
            Ready to step on ``self._flat`` (``init`` already called).
        record : bool
            Append each epoch's objective (mean cost plus penalty) to ``loss_curve_``.
        monitor : callable, optional
            Called after each epoch; its value (a validation cost or score) goes to
            ``validation_scores_`` and to ``stopper``.
        stopper : EarlyStopping, optional
            Fed the monitor's value, or the epoch objective without a monitor; training stops
            when it says so. With a monitor the best parameters are restored at the end.

        Returns
        -------
        bool
            True when the stopper ended training before ``epochs``.
        """
        _check_epochs_and_batch(epochs, batch_size)
        n = X.shape[0]
        penalties = [get_penalty(name, alpha) for name, alpha in (("l2", l2), ("l1", l1)) if alpha]
        schedule = getattr(opt, "learning_rate", None)

        W_rows = None if sample_weight is None else sample_weight.astype(self.dtype)[:, None]
        slices = batch_slices(n, batch_size)
        plans = {s.stop - s.start: self._plan(s.stop - s.start) for s in slices}
        permute = shuffle and len(slices) > 1
        source = _BatchSource(X, Y, W_rows, slices, batch_size, self.dtype)
        total_weight = float(n if sample_weight is None else sample_weight.sum())
        want_loss = record or (stopper is not None and monitor is None)

        bar = _progress(epochs, verbose)
        grad, flat = self._grad, self._flat
        stopped = False
        for epoch in range(epochs):
            loss = 0.0
            for xb, yb, wb in source.epoch(rng.permutation(n) if permute else None):
                plan = plans[xb.shape[0]]
                loss += self._step(xb, yb, plan, 1.0 / xb.shape[0], want_loss, wb)
                for pen in penalties:
                    pen.add_grad(flat, grad, mask=self._weight_mask)
                opt.step(flat, grad)
            objective = float("nan")
            if want_loss:
                objective = loss / total_weight + sum(
                    pen.value(flat, mask=self._weight_mask) for pen in penalties
                )
                if not np.isfinite(objective):
                    raise ValueError(
                        f"Training diverged at epoch {epoch + 1} (loss {objective}); lower the "
                        "learning rate or scale the inputs."
                    )
                if record:
                    self.loss_curve_.append(objective)
                if hasattr(schedule, "update"):
                    schedule.update(objective)
            if bar is not None:
                bar.update(1)
            if stopper is not None:
                value = objective
                if monitor is not None:
                    value = monitor()
                    self.validation_scores_.append(value)
                if stopper.update(value, flat if monitor is not None else None):
                    stopped = True
                    break
        if stopper is not None and monitor is not None:
            stopper.restore(flat)
        if bar is not None:
            bar.close()
        self.n_epochs_ = epoch + 1
        return stopped

    def _compiled_plan(
        self,
        optimizer: Any,
        learning_rate: Any,
        l1: float,
        l2: float,
        sample_weight: Any,
        X_val: Any,
    ) -> tuple[np.ndarray, int] | None:
        """Activation codes and cost code when the compiled loop covers this fit, else None."""
        from . import _compiled

        if not _compiled.AVAILABLE or self.notes_api or self.cost_derivative is not None:
            return None
        if optimizer != "sgd" or not np.isscalar(learning_rate) or l1 or l2:
            return None
        if sample_weight is not None or X_val is not None:
            return None
        names = [layer.activation.name for layer in self._layers]
        if "softmax" in names[:-1] or any(n not in _compiled.ACT_CODES for n in names):
            return None
        if self.cost == "cross_entropy" and names[-1] != "softmax":
            return None
        if self.cost == "binary_log_loss" and names[-1] != "sigmoid":
            return None
        codes = np.array([_compiled.ACT_CODES[n] for n in names], dtype=np.int64)
        return codes, _compiled.COST_CODES[self.cost]

    def _train_compiled(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        plan: tuple[np.ndarray, int],
        *,
        epochs: int,
        batch_size: int,
        learning_rate: float,
        rng: np.random.Generator,
        shuffle: bool,
        verbose: bool,
    ) -> None:
        """Plain SGD through ``_compiled.train_epochs``, with the NumPy engine's permutations."""
        from ._compiled import train_epochs

        _check_epochs_and_batch(epochs, batch_size)
        _check_learning_rate(learning_rate)
        codes, cost = plan
        n = X.shape[0]
        Xa = self._augment(X)
        sizes = np.array(self.sizes, dtype=np.int64)
        permute = shuffle and n > batch_size
        bar = _progress(epochs, verbose)
        block = max(1, min(epochs, (1 << 22) // n, 100 if bar is not None else epochs))
        done = 0
        while done < epochs:
            k = min(block, epochs - done)
            perms = (
                np.stack([rng.permutation(n) for _ in range(k)])
                if permute
                else np.broadcast_to(np.arange(n), (k, n)).copy()
            )
            losses = train_epochs(
                Xa, Y, perms, sizes, codes, cost, self._flat, float(learning_rate), batch_size
            )
            self.loss_curve_.extend(losses.tolist())
            done += k
            if bar is not None:
                bar.update(k)
            if not np.isfinite(losses[-1]):
                raise ValueError(
                    f"Training diverged by epoch {done} (loss {losses[-1]}); lower the learning "
                    "rate or scale the inputs."
                )
        if bar is not None:
            bar.close()
        self.n_epochs_ = epochs

    def _weighted_cost_sum(self, A: np.ndarray, Y: np.ndarray, w: np.ndarray) -> float:
        tiny = np.finfo(self.dtype).tiny
        if self.cost == "squared_error":
            per = ((A - Y) ** 2).sum(axis=1)
        elif self.cost == "cross_entropy":
            per = -(Y * np.log(np.maximum(A, tiny))).sum(axis=1)
        else:
            per = -(
                Y * np.log(np.maximum(A, tiny)) + (1 - Y) * np.log(np.maximum(1 - A, tiny))
            ).sum(axis=1)
        return float(per @ w[:, 0])

    # -- pickling: the layers are views into the flat buffers, so rebuild them on load ----------

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_plans"] = {}
        state["_layers"] = [
            Dense(layer.n_in, layer.n_out, layer.activation, layer.act, layer.act_grad)
            for layer in self._layers
        ]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        offset = 0
        for layer in self._layers:
            offset = layer.bind(self._flat, self._grad, offset)

    # -- lucidml.persist: named settings and the flat buffer, never code ---------------------------

    def __lucidml_getstate__(self) -> dict[str, Any]:
        """Named settings and the flat parameter buffer, for ``lucidml.persist``."""
        hidden = [self.act] if isinstance(self.act, str) else list(self.act or [])
        if (
            self.notes_api
            or self.cost_derivative is not None
            or not all(isinstance(a, str) for a in hidden)
        ):
            raise TypeError(
                "lucidml.persist never stores code, so a NeuralNetwork built from callables or "
                "Activation objects cannot be saved; use named activations, or save "
                "net.weights and net.biases as arrays."
            )
        state = {
            "sizes": list(self.sizes),
            "act": self.act if isinstance(self.act, str) else hidden,
            "output_act": self.output_act,
            "cost": self.cost,
            "init": self.init,
            "dtype": self.dtype,
            "random_state": self.random_state,
            "params": self._flat,
            "loss_curve_": list(self.loss_curve_),
            "validation_scores_": list(self.validation_scores_),
        }
        if hasattr(self, "n_epochs_"):
            state["n_epochs_"] = self.n_epochs_
        return state

    @classmethod
    def __lucidml_setstate__(cls, state: dict[str, Any]) -> NeuralNetwork:
        """Rebuild a network saved by ``__lucidml_getstate__``, layer views included."""
        net = cls(
            state["sizes"],
            state["act"],
            output_act=state["output_act"],
            cost=state["cost"],
            init=state["init"],
            dtype=state["dtype"],
            random_state=0,  # never draw from the saved generator while rebuilding
        )
        params = state["params"]
        if (
            not isinstance(params, np.ndarray)
            or params.shape != net._flat.shape
            or params.dtype != net.dtype
        ):
            raise ValueError("The saved parameters do not match the network's sizes and dtype.")
        net._flat[...] = params
        net.random_state = state["random_state"]
        net.loss_curve_ = list(state["loss_curve_"])
        net.validation_scores_ = list(state["validation_scores_"])
        if "n_epochs_" in state:
            net.n_epochs_ = state["n_epochs_"]
        return net

    def __repr__(self) -> str:
        if self.notes_api:
            return (
                f"NeuralNetwork(sizes={self.sizes}, act={getattr(self.act, '__name__', self.act)})"
            )
        return (
            f"NeuralNetwork(sizes={self.sizes}, act={self.act!r}, "
            f"output_act={self.output_act!r}, cost={self.cost!r})"
        )


class _BatchSource:
    """The batches of one epoch, each with its trailing column of ones, in a given row order.

    Small data is augmented once and permuted once per epoch into a buffer whose slices are the
    batches: no per-batch indexing, which matters when a step costs microseconds. Large data
    (above ``_GATHER_ABOVE_BYTES``) is gathered batch by batch into one small buffer instead, so
    training never copies the whole data set (two full copies of a 60,000 x 785 float32 set
    are 377 MB of fresh memory, whose page faults cost more than the copy).
    """

    def __init__(
        self,
        X: np.ndarray,
        Y: np.ndarray,
        W: np.ndarray | None,
        slices: list[slice],
        batch_size: int,
        dtype: np.dtype,
    ):
        self.X, self.Y, self.W, self.slices = X, Y, W, slices
        n, d = X.shape
        self.gather = n * (d + 1) * dtype.itemsize > _GATHER_ABOVE_BYTES
        rows = batch_size if self.gather else n
        self.xbuf = np.empty((rows, d + 1), dtype=dtype)
        self.xbuf[:, -1] = 1
        self.ybuf = np.empty((rows, Y.shape[1]), dtype=dtype)
        self.wbuf = None if W is None else np.empty((rows, 1), dtype=dtype)
        self.order: np.ndarray | None = np.zeros(0, dtype=np.intp)  # forces the first fill

    def epoch(self, perm: np.ndarray | None) -> Any:
        """Yield ``(x_aug, y, w)`` per batch; ``perm`` (or None: keep the order) orders rows."""
        X, Y, W = self.X, self.Y, self.W
        if self.gather:
            for s in self.slices:
                m = s.stop - s.start
                xb, yb = self.xbuf[:m], self.ybuf[:m]
                wb = None if W is None else self.wbuf[:m]
                if perm is None:
                    xb[:, :-1] = X[s]
                    yb[...] = Y[s]
                    if wb is not None:
                        wb[...] = W[s]
                else:
                    idx = perm[s]
                    np.take(X, idx, axis=0, out=xb[:, :-1], mode="clip")
                    np.take(Y, idx, axis=0, out=yb, mode="clip")
                    if wb is not None:
                        np.take(W, idx, axis=0, out=wb, mode="clip")
                yield xb, yb, wb
            return
        if perm is not None or self.order is not None:  # refill unless already in order
            if perm is None:
                self.xbuf[:, :-1], self.ybuf[...] = X, Y
                if W is not None:
                    self.wbuf[...] = W
            else:
                np.take(X, perm, axis=0, out=self.xbuf[:, :-1], mode="clip")
                np.take(Y, perm, axis=0, out=self.ybuf, mode="clip")
                if W is not None:
                    np.take(W, perm, axis=0, out=self.wbuf, mode="clip")
            self.order = perm
        for s in self.slices:
            yield self.xbuf[s], self.ybuf[s], None if W is None else self.wbuf[s]


def _check_epochs_and_batch(epochs: Any, batch_size: Any) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}.")
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")


def _check_learning_rate(learning_rate: Any) -> None:
    if callable(learning_rate):
        return
    if not (np.isscalar(learning_rate) and np.isreal(learning_rate) and learning_rate > 0):
        raise ValueError(
            f"learning_rate must be a positive number or a schedule, got {learning_rate!r}."
        )


def _progress(total: int, verbose: bool) -> Any:
    """A tqdm bar when asked for and standard error is a terminal; otherwise None."""
    if not verbose or not sys.stderr.isatty():
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="epoch", leave=False, mininterval=0.25)
