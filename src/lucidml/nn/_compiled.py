"""Optional compiled training loop for small networks (needs numba: ``pip install lucidml[fast]``).

For a network as small as the notes' demo (1-8-5-3-1, batch 40) a NumPy step costs the overhead of
some thirty NumPy calls, not arithmetic. This module runs whole epochs of plain mini-batch SGD in
one compiled function instead: the same formulas as ``NeuralNetwork._step`` — forward (4), output
error (13), hidden errors (36), gradients (14), (17), (37), (38) — written as loops, on the same
flat parameter layout (each layer ``(n_out, n_in + 1)``, bias last), the same epoch permutations
and the same per-batch scaling, so it gives the NumPy engine's numbers up to rounding.

It covers the common case only — element-wise activations, a sigmoid / identity / softmax / any
element-wise output, the three costs, constant-rate SGD, no penalty, weights or validation — and
``NeuralNetwork.fit`` falls back to the NumPy engine otherwise. The compilation is cached on disk
(``cache=True``), so it is paid once per machine.
"""

from __future__ import annotations

import importlib.util

import numpy as np

__all__ = ["AVAILABLE", "ACT_CODES", "COST_CODES", "train_epochs"]

AVAILABLE = importlib.util.find_spec("numba") is not None

# Activation and cost codes shared with the caller.
ACT_CODES = {
    "identity": 0,
    "sigmoid": 1,
    "tanh": 2,
    "relu": 3,
    "leaky_relu": 4,
    "step": 5,
    "softmax": 6,
}
COST_CODES = {"squared_error": 0, "cross_entropy": 1, "binary_log_loss": 2}

_kernel = None


def _build():
    import numba

    @numba.njit(cache=True, inline="always")
    def act(z, code):
        if code == 0:
            return z
        if code == 1:
            if z >= 0:
                return 1.0 / (1.0 + np.exp(-z))
            e = np.exp(z)
            return e / (1.0 + e)
        if code == 2:
            return np.tanh(z)
        if code == 3:
            return z if z > 0 else 0.0
        if code == 4:
            return z if z > 0 else 0.01 * z
        return 1.0 if z >= 0 else 0.0

    @numba.njit(cache=True, inline="always")
    def act_grad_from_output(a, code):
        if code == 0:
            return 1.0
        if code == 1:
            return a * (1.0 - a)
        if code == 2:
            return 1.0 - a * a
        if code == 3:
            return 1.0 if a > 0 else 0.0
        if code == 4:
            return 1.0 if a > 0 else 0.01
        return 0.0

    @numba.njit(cache=True)
    def train(Xa, Y, perms, sizes, codes, cost, params, lr, batch_size, losses, tiny):
        n = Xa.shape[0]
        n_layers = sizes.shape[0] - 1
        width = 0
        for s in sizes:
            width = max(width, s)
        offsets = np.zeros(n_layers + 1, dtype=np.int64)
        for l in range(n_layers):
            offsets[l + 1] = offsets[l] + sizes[l + 1] * (sizes[l] + 1)
        dt = params.dtype
        A = np.zeros((n_layers + 1, batch_size, width + 1), dtype=dt)  # [A, 1] per layer
        D = np.zeros((n_layers, batch_size, width), dtype=dt)
        grad = np.zeros_like(params)
        out = n_layers - 1
        k_out = sizes[n_layers]
        for e in range(perms.shape[0]):
            total = 0.0
            for start in range(0, n, batch_size):
                m = min(batch_size, n - start)
                scale = 1.0 / m
                for i in range(m):  # gather the batch, ones column included
                    r = perms[e, start + i]
                    for j in range(sizes[0] + 1):
                        A[0, i, j] = Xa[r, j]
                for l in range(n_layers):  # forward (4)
                    n_in, n_out, off = sizes[l], sizes[l + 1], offsets[l]
                    for i in range(m):
                        for o in range(n_out):
                            row = off + o * (n_in + 1)
                            s = 0.0
                            for j in range(n_in + 1):
                                s += params[row + j] * A[l, i, j]
                            A[l + 1, i, o] = act(s, codes[l]) if codes[l] != 6 else s
                        if codes[l] == 6:  # softmax, max subtracted
                            zmax = A[l + 1, i, 0]
                            for o in range(1, n_out):
                                zmax = max(zmax, A[l + 1, i, o])
                            acc = 0.0
                            for o in range(n_out):
                                A[l + 1, i, o] = np.exp(A[l + 1, i, o] - zmax)
                                acc += A[l + 1, i, o]
                            for o in range(n_out):
                                A[l + 1, i, o] /= acc
                        A[l + 1, i, n_out] = 1.0
                for i in range(m):  # output error (13) and the cost
                    r = perms[e, start + i]
                    if codes[out] == 6 and cost == 0:
                        dot = 0.0
                        for o in range(k_out):
                            diff = A[n_layers, i, o] - Y[r, o]
                            total += diff * diff
                            dot += 2.0 * diff * scale * A[n_layers, i, o]
                        for o in range(k_out):
                            diff = A[n_layers, i, o] - Y[r, o]
                            D[out, i, o] = (2.0 * diff * scale - dot) * A[n_layers, i, o]
                        continue
                    for o in range(k_out):
                        a = A[n_layers, i, o]
                        y = Y[r, o]
                        diff = a - y
                        if cost == 0:
                            total += diff * diff
                            D[out, i, o] = 2.0 * diff * scale * act_grad_from_output(a, codes[out])
                        else:
                            total -= y * np.log(max(a, tiny))
                            if cost == 2:
                                total -= (1.0 - y) * np.log(max(1.0 - a, tiny))
                            D[out, i, o] = diff * scale  # canonical pairs only
                for l in range(n_layers - 1, -1, -1):  # backward
                    n_in, n_out, off = sizes[l], sizes[l + 1], offsets[l]
                    for o in range(n_out):  # (14), (17), (37), (38)
                        row = off + o * (n_in + 1)
                        for j in range(n_in + 1):
                            s = 0.0
                            for i in range(m):
                                s += D[l, i, o] * A[l, i, j]
                            grad[row + j] = s
                    if l > 0:  # (36)
                        for i in range(m):
                            for j in range(n_in):
                                s = 0.0
                                for o in range(n_out):
                                    s += D[l, i, o] * params[off + o * (n_in + 1) + j]
                                D[l - 1, i, j] = s * act_grad_from_output(A[l, i, j], codes[l - 1])
                for p in range(params.shape[0]):
                    params[p] -= lr * grad[p]
            losses[e] = total / n

    return train


def train_epochs(
    Xa: np.ndarray,
    Y: np.ndarray,
    perms: np.ndarray,
    sizes: np.ndarray,
    codes: np.ndarray,
    cost: int,
    params: np.ndarray,
    learning_rate: float,
    batch_size: int,
) -> np.ndarray:
    """Run ``perms.shape[0]`` epochs of mini-batch SGD in place on ``params``.

    Parameters
    ----------
    Xa : ndarray, shape (n_samples, sizes[0] + 1)
        Inputs with their ones column.
    Y : ndarray, shape (n_samples, sizes[-1])
    perms : ndarray of int64, shape (n_epochs, n_samples)
        Row order of each epoch.
    sizes, codes : ndarray of int64
        Layer sizes and each layer's activation code (``ACT_CODES``).
    cost : int
        ``COST_CODES`` entry; log-loss costs must pair canonically with their output.
    params : ndarray, shape (n_params,)
        The flat parameter buffer, updated in place.

    Returns
    -------
    ndarray, shape (n_epochs,)
        Mean cost over each epoch's batches (as the NumPy engine records it).
    """
    global _kernel
    if _kernel is None:
        _kernel = _build()
    losses = np.empty(perms.shape[0], dtype=np.float64)
    tiny = float(np.finfo(params.dtype).tiny)
    _kernel(
        Xa,
        Y,
        perms,
        sizes,
        codes,
        cost,
        params,
        params.dtype.type(learning_rate),
        batch_size,
        losses,
        tiny,
    )
    return losses
