"""Gradient-descent update rules: plain SGD, momentum (classical and Nesterov) and Adam.

Every model trained by gradient descent keeps *all* its parameters in one flat float array
``params`` and their gradient in one array ``grad`` of the same shape and dtype (float32 or
float64). An optimizer turns one gradient into one update (notes §8: "step against the gradient"):

.. code-block:: python

    opt = Adam(learning_rate=1e-3)
    for epoch in range(n_epochs):
        for batch in batches:
            compute_gradient(params, batch, out=grad)
            opt.step(params, grad)          # params updated in place; grad used as scratch

Whether ``grad`` comes from all samples (batch gradient descent), one sample (stochastic) or a
few (mini-batch, notes §11) is the caller's choice; see :mod:`lucidml.optim.batching`.

Speed: for small networks a training step costs the number of NumPy calls, not arithmetic.
So ``step`` is a handful of in-place ufunc calls with ``out=``: it allocates nothing, keeps the
dtype of ``params`` (scalars are Python floats, so float32 stays float32) and overwrites
``grad``, which holds unspecified values afterwards. Optimizer state (velocity, moments) is
allocated once, like ``params``, by :meth:`Optimizer.init` or on the first :meth:`Optimizer.step`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .schedules import Schedule, _check_real, check_learning_rate, get_schedule

__all__ = ["Optimizer", "SGD", "Momentum", "Adam", "get_optimizer"]


class Optimizer:
    """Base class: learning rate, state allocation, iteration count, saving and loading.

    Parameters
    ----------
    learning_rate : float or callable
        A fixed step size :math:`\\eta > 0`, or a schedule (see :mod:`lucidml.optim.schedules`)
        called as ``learning_rate(t)`` before each update, with ``t`` the number of updates made
        so far (0 for the first). It may be reassigned between steps, e.g. once per epoch.

    Attributes
    ----------
    iteration : int
        Number of updates made since creation, :meth:`init` or :meth:`reset`.

    Notes
    -----
    Subclasses list their state arrays in ``_state_names``, allocate them in ``_allocate`` and
    implement ``_update(params, grad, lr)``.
    """

    name = "optimizer"
    _state_names: tuple[str, ...] = ()

    def __init__(self, learning_rate: float | Callable[[int], float] = 0.01) -> None:
        self.learning_rate = learning_rate
        self.iteration = 0
        self._shape: tuple[int, ...] | None = None
        self._dtype: np.dtype | None = None

    # -- learning rate --------------------------------------------------------------------

    @property
    def learning_rate(self) -> float | Callable[[int], float]:
        """The step size: a float, or a schedule called with the update count."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float | Callable[[int], float]) -> None:
        if callable(value) and not isinstance(value, numbers.Real):
            self._lr = 0.0
            self._schedule: Callable[[int], float] | None = value
        else:
            self._lr = check_learning_rate(value)
            self._schedule = None
        self._learning_rate = value

    def current_learning_rate(self) -> float:
        """The step size the next :meth:`step` will use."""
        if self._schedule is None:
            return self._lr
        return float(self._schedule(self.iteration))

    # -- hyper-parameters (subclasses extend) ---------------------------------------------

    def _hyper(self) -> dict[str, Any]:
        return {}

    def __repr__(self) -> str:
        args = ", ".join(
            f"{k}={v!r}" for k, v in {"learning_rate": self.learning_rate, **self._hyper()}.items()
        )
        return f"{type(self).__name__}({args})"

    # -- state ----------------------------------------------------------------------------

    def init(self, params: np.ndarray) -> Optimizer:
        """Allocate the state for ``params`` (zeros of its shape and dtype) and zero the count.

        Parameters
        ----------
        params : ndarray of float32 or float64, any shape
            The flat parameter array the optimizer will update.

        Returns
        -------
        self
        """
        _check_params(params)
        self._shape = params.shape
        self._dtype = params.dtype
        for name in self._state_names:
            setattr(self, name, np.zeros_like(params))
        self.iteration = 0
        return self

    def reset(self) -> None:
        """Zero the state and the iteration count (buffers are kept); reset the schedule too."""
        for name in self._state_names:
            arr = getattr(self, name, None)
            if arr is not None:
                arr.fill(0)
        self.iteration = 0
        reset = getattr(self._schedule, "reset", None)
        if reset is not None:
            reset()

    def _prepare(self, params: np.ndarray, grad: np.ndarray) -> None:
        """Slow path of :meth:`step`: first call, or a new dtype; refuses a new shape."""
        _check_params(params)
        if not isinstance(grad, np.ndarray) or grad.shape != params.shape:
            raise ValueError(
                f"grad must be an array of the same shape as params {params.shape}, got "
                f"{getattr(grad, 'shape', type(grad).__name__)}."
            )
        if self._shape is None:
            self._shape = params.shape
            for name in self._state_names:
                if getattr(self, name, None) is None:
                    setattr(self, name, np.zeros_like(params))
        elif params.shape != self._shape:
            raise ValueError(
                f"params has shape {params.shape}, but this {type(self).__name__} was set up for "
                f"shape {self._shape}. Call init(params) to start over with new parameters."
            )
        for name in self._state_names:
            arr = getattr(self, name)
            if arr.dtype != params.dtype:
                setattr(self, name, arr.astype(params.dtype))
        self._dtype = params.dtype

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        """Apply one update to ``params`` in place.

        Parameters
        ----------
        params : ndarray of float32 or float64
            Parameters :math:`w`, updated in place (same object, same dtype).
        grad : ndarray, same shape as ``params``
            Gradient :math:`g` of the loss at ``params``. **Used as scratch space: it holds
            unspecified values after the call.**
        """
        try:
            ready = params.shape == self._shape and params.dtype == self._dtype
        except AttributeError:  # not an array: let _prepare say so
            ready = False
        if not ready:
            self._prepare(params, grad)
        if self._schedule is None:
            lr = self._lr
        else:
            lr = float(self._schedule(self.iteration))
        self.iteration += 1
        self._update(params, grad, lr)

    def _update(self, params: np.ndarray, grad: np.ndarray, lr: float) -> None:
        raise NotImplementedError  # pragma: no cover

    # -- saving ---------------------------------------------------------------------------

    def _export_state(self) -> dict[str, np.ndarray]:
        return {
            name: getattr(self, name).copy()
            for name in self._state_names
            if getattr(self, name, None) is not None
        }

    def _import_state(self, arrays: dict[str, np.ndarray]) -> None:
        for name, arr in arrays.items():
            setattr(self, name, arr)

    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume training, as plain arrays, floats and ints.

        Returns
        -------
        dict
            ``name``, ``iteration``, ``learning_rate`` (a float, or the schedule's own
            ``state_dict()``; None for a plain callable), the hyper-parameters and the state
            arrays (copies, shaped like ``params``).
        """
        lr = self.learning_rate
        if isinstance(lr, Schedule):
            lr_state: Any = lr.state_dict()
        elif self._schedule is not None:
            lr_state = None
        else:
            lr_state = float(lr)
        return {
            "name": self.name,
            "iteration": int(self.iteration),
            "learning_rate": lr_state,
            **self._hyper(),
            **self._export_state(),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (the optimizer name must match).

        The arrays are copied; the next :meth:`step` casts them to the dtype of ``params``.
        """
        if state.get("name", self.name) != self.name:
            raise ValueError(
                f"Cannot load the state of a {state.get('name')!r} optimizer into a "
                f"{self.name!r} optimizer."
            )
        hyper = {k: state[k] for k in self._hyper() if k in state}
        checked = type(self)(**hyper)  # validates the hyper-parameters
        for k in hyper:
            setattr(self, k, getattr(checked, k))
        lr = state.get("learning_rate")
        if isinstance(lr, dict):
            sched = get_schedule(lr["name"], lr["learning_rate"])
            sched.load_state_dict(lr)
            self.learning_rate = sched
        elif lr is not None:
            self.learning_rate = lr
        arrays = {}
        shape = None
        for name in self._state_names:
            if name in state:
                arrays[name] = np.array(state[name], copy=True)
                if shape is not None and arrays[name].shape != shape:
                    raise ValueError("The state arrays in state do not have the same shape.")
                shape = arrays[name].shape
        if arrays and len(arrays) != len(self._state_names):
            missing = sorted(set(self._state_names) - set(arrays))
            raise ValueError(f"state is missing the arrays {missing}.")
        self._import_state(arrays)
        if shape is not None:
            self._shape = shape
            self._dtype = arrays[self._state_names[0]].dtype
        self.iteration = int(state.get("iteration", 0))


def _check_params(params: Any) -> None:
    if not isinstance(params, np.ndarray) or params.dtype.kind != "f":
        raise TypeError(
            "params must be a NumPy array of floats (float32 or float64), got "
            f"{getattr(params, 'dtype', type(params).__name__)}."
        )
    if not params.flags.writeable:
        raise ValueError("params must be writeable: the optimizer updates it in place.")


class SGD(Optimizer):
    """Plain (stochastic) gradient descent.

    .. math:: w \\leftarrow w - \\eta \\, g

    with :math:`g` the gradient of the loss on the current batch: all samples (batch gradient
    descent), one sample (stochastic) or a mini-batch (notes §8, §11). Two ufunc calls per step.

    Parameters
    ----------
    learning_rate : float or callable, default=0.01
        :math:`\\eta` (> 0), or a schedule.
    """

    name = "sgd"

    def __init__(self, learning_rate: float | Callable[[int], float] = 0.01) -> None:
        super().__init__(learning_rate)

    def _update(self, params: np.ndarray, grad: np.ndarray, lr: float) -> None:
        np.multiply(grad, lr, out=grad)
        np.subtract(params, grad, out=params)


class Momentum(Optimizer):
    """Gradient descent with momentum, classical or Nesterov.

    The velocity :math:`v` (in parameter units, starting at 0) accumulates past steps:

    .. math::

        v &\\leftarrow \\mu \\, v - \\eta \\, g \\\\
        w &\\leftarrow w + v \\qquad \\text{(classical)} \\\\
        w &\\leftarrow w + \\mu \\, v - \\eta \\, g \\qquad \\text{(Nesterov)}

    The Nesterov line is Sutskever et al.'s (2013) rewriting of the look-ahead method: with
    :math:`w` standing for the look-ahead point :math:`\\theta + \\mu v`, the gradient is taken at
    the current ``params``, so the caller needs nothing special. Four ufunc calls per step
    (six with Nesterov).

    Parameters
    ----------
    learning_rate : float or callable, default=0.01
        :math:`\\eta` (> 0), or a schedule.
    momentum : float, default=0.9
        :math:`\\mu`, in [0, 1).
    nesterov : bool, default=False
        Use Nesterov's accelerated gradient.

    Attributes
    ----------
    velocity : ndarray, shape like ``params``
        :math:`v`.
    """

    name = "momentum"
    _state_names = ("velocity",)

    def __init__(
        self,
        learning_rate: float | Callable[[int], float] = 0.01,
        momentum: float = 0.9,
        nesterov: bool = False,
    ) -> None:
        super().__init__(learning_rate)
        self.momentum = _check_real(momentum, "momentum", 0.0, 1.0, False, True)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise ValueError(f"nesterov must be a bool, got {nesterov!r}.")
        self.nesterov = bool(nesterov)
        self.velocity: np.ndarray | None = None

    def _hyper(self) -> dict[str, Any]:
        return {"momentum": self.momentum, "nesterov": self.nesterov}

    def _update(self, params: np.ndarray, grad: np.ndarray, lr: float) -> None:
        v = self.velocity
        mu = self.momentum
        np.multiply(grad, lr, out=grad)  # grad <- eta g
        np.multiply(v, mu, out=v)
        np.subtract(v, grad, out=v)  # v <- mu v - eta g
        if self.nesterov:
            np.subtract(params, grad, out=params)  # w <- w - eta g
            np.multiply(v, mu, out=grad)
            np.add(params, grad, out=params)  # w <- w + mu v
        else:
            np.add(params, v, out=params)  # w <- w + v


class Adam(Optimizer):
    """Adam: per-parameter step sizes from running moments of the gradient (Kingma & Ba, 2015).

    With :math:`m_0 = v_0 = 0` and :math:`t` the update count (1 for the first update):

    .. math::

        m_t &= \\beta_1 m_{t-1} + (1 - \\beta_1) \\, g \\\\
        v_t &= \\beta_2 v_{t-1} + (1 - \\beta_2) \\, g^2 \\\\
        \\hat m_t &= m_t / (1 - \\beta_1^t), \\qquad \\hat v_t = v_t / (1 - \\beta_2^t) \\\\
        w &\\leftarrow w - \\eta \\, \\hat m_t / (\\sqrt{\\hat v_t} + \\epsilon)

    Implementation: the moments are stored divided by :math:`1 - \\beta`, so
    :math:`M_t = \\beta_1 M_{t-1} + g` and :math:`V_t = \\beta_2 V_{t-1} + g^2`, and both bias
    corrections and those factors fold into two scalars,

    .. math::

        w \\leftarrow w - s_t \\, \\frac{M_t}{\\sqrt{V_t} + \\epsilon_t}, \\quad
        s_t = \\eta \\frac{(1 - \\beta_1) \\sqrt{1 - \\beta_2^t}}
                         {(1 - \\beta_1^t) \\sqrt{1 - \\beta_2}},
        \\quad \\epsilon_t = \\epsilon \\sqrt{\\frac{1 - \\beta_2^t}{1 - \\beta_2}},

    which is algebraically the update above (not the "epsilon hat" variant): ten ufunc calls per
    step. :meth:`state_dict` reports :math:`m` and :math:`v` in the textbook scaling.

    Parameters
    ----------
    learning_rate : float or callable, default=0.001
        :math:`\\eta` (> 0), or a schedule.
    beta1 : float, default=0.9
        :math:`\\beta_1`, in [0, 1).
    beta2 : float, default=0.999
        :math:`\\beta_2`, in [0, 1).
    epsilon : float, default=1e-8
        :math:`\\epsilon` (> 0).
    """

    name = "adam"
    _state_names = ("m", "v")

    def __init__(
        self,
        learning_rate: float | Callable[[int], float] = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate)
        self.beta1 = _check_real(beta1, "beta1", 0.0, 1.0, False, True)
        self.beta2 = _check_real(beta2, "beta2", 0.0, 1.0, False, True)
        self.epsilon = _check_real(epsilon, "epsilon", 0.0, math.inf, True, True)
        # Internal moments M = m / (1 - beta1), V = v / (1 - beta2).
        self.m: np.ndarray | None = None
        self.v: np.ndarray | None = None

    def _hyper(self) -> dict[str, Any]:
        return {"beta1": self.beta1, "beta2": self.beta2, "epsilon": self.epsilon}

    def _export_state(self) -> dict[str, np.ndarray]:
        if self.m is None or self.v is None:
            return {}
        return {"m": self.m * (1.0 - self.beta1), "v": self.v * (1.0 - self.beta2)}

    def _import_state(self, arrays: dict[str, np.ndarray]) -> None:
        if arrays:
            self.m = arrays["m"] / (1.0 - self.beta1)
            self.v = arrays["v"] / (1.0 - self.beta2)

    def _update(self, params: np.ndarray, grad: np.ndarray, lr: float) -> None:
        b1, b2, t = self.beta1, self.beta2, self.iteration
        corr2 = math.sqrt((1.0 - b2**t) / (1.0 - b2))
        scale = lr * (1.0 - b1) * corr2 / (1.0 - b1**t)
        eps = self.epsilon * corr2
        M, V = self.m, self.v
        np.multiply(M, b1, out=M)
        np.add(M, grad, out=M)  # M <- b1 M + g
        np.multiply(V, b2, out=V)
        np.multiply(grad, grad, out=grad)
        np.add(V, grad, out=V)  # V <- b2 V + g^2
        np.sqrt(V, out=grad)
        np.add(grad, eps, out=grad)
        np.divide(M, grad, out=grad)
        np.multiply(grad, scale, out=grad)
        np.subtract(params, grad, out=params)


_OPTIMIZERS = ("adam", "momentum", "nesterov", "sgd")


def get_optimizer(name_or_instance: str | Optimizer, **kwargs: Any) -> Optimizer:
    """Build an optimizer from its name, or return an :class:`Optimizer` instance unchanged.

    Parameters
    ----------
    name_or_instance : {"sgd", "momentum", "nesterov", "adam"} or Optimizer
        ``"nesterov"`` is :class:`Momentum` with ``nesterov=True``.
    **kwargs
        Passed to the constructor (``learning_rate``, ``momentum``, ``beta1``, ...). Ignored
        with an instance, whose own settings win (so a training loop can always pass its
        ``learning_rate``).

    Returns
    -------
    Optimizer
    """
    if isinstance(name_or_instance, Optimizer):
        return name_or_instance
    key = name_or_instance.lower() if isinstance(name_or_instance, str) else None
    if key == "sgd":
        return SGD(**kwargs)
    if key == "momentum":
        return Momentum(**kwargs)
    if key == "nesterov":
        return Momentum(**{"nesterov": True, **kwargs})
    if key == "adam":
        return Adam(**kwargs)
    raise ValueError(
        f"Unknown optimizer {name_or_instance!r}. Valid names are: {list(_OPTIMIZERS)}, or pass "
        "an Optimizer instance."
    )
