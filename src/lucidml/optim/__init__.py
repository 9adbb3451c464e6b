"""Gradient descent shared by every model trained by it (notes §8, §11, §12.2).

* :mod:`~lucidml.optim.batching` -- batch, stochastic and mini-batch iteration, validation split;
* :mod:`~lucidml.optim.optimizers` -- :class:`SGD`, :class:`Momentum` (and Nesterov),
  :class:`Adam`, all updating one flat parameter array in place;
* :mod:`~lucidml.optim.penalties` -- :class:`L2`, :class:`L1`, :class:`ElasticNet`, with
  gradients and proximal steps;
* :mod:`~lucidml.optim.schedules` -- learning-rate schedules;
* :mod:`~lucidml.optim.early_stopping` -- :class:`EarlyStopping`.
"""

from __future__ import annotations

from .batching import (
    SOLVERS,
    batch_slices,
    epoch_permutation,
    iterate_minibatches,
    resolve_batch_size,
    train_validation_split,
)
from .early_stopping import EarlyStopping
from .optimizers import SGD, Adam, Momentum, Optimizer, get_optimizer
from .penalties import L1, L2, ElasticNet, NoPenalty, Penalty, get_penalty
from .schedules import (
    Adaptive,
    Constant,
    ExponentialDecay,
    InverseScaling,
    Schedule,
    StepDecay,
    get_schedule,
)

__all__ = [
    "SOLVERS",
    "resolve_batch_size",
    "batch_slices",
    "epoch_permutation",
    "iterate_minibatches",
    "train_validation_split",
    "Optimizer",
    "SGD",
    "Momentum",
    "Adam",
    "get_optimizer",
    "Penalty",
    "NoPenalty",
    "L2",
    "L1",
    "ElasticNet",
    "get_penalty",
    "Schedule",
    "Constant",
    "InverseScaling",
    "StepDecay",
    "ExponentialDecay",
    "Adaptive",
    "get_schedule",
    "EarlyStopping",
]
