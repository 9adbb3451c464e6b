"""Learning-rate schedules: how the step size :math:`\\eta_t` changes during training.

The notes (§8) warn that the step size is the delicate part of gradient descent: too small and
descent crawls, too large and it overshoots the minimum. A schedule starts from a rate
:math:`\\eta_0` and lowers it as training goes on. Each schedule is a small object called as
``schedule(t)`` that returns a Python float; ``t`` is whatever clock the caller counts in (the
number of updates already made when an optimizer calls it, or the epoch when a training loop sets
the rate once per epoch). ``Adaptive`` ignores ``t`` and reacts to the loss instead, through
``update(score)``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = [
    "Schedule",
    "Constant",
    "InverseScaling",
    "StepDecay",
    "ExponentialDecay",
    "Adaptive",
    "get_schedule",
    "check_learning_rate",
]


def check_learning_rate(learning_rate: Any, name: str = "learning_rate") -> float:
    """Return ``learning_rate`` as a float, refusing anything that is not a finite number > 0."""
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real):
        raise ValueError(
            f"{name} must be a positive float or a learning-rate schedule, got "
            f"{learning_rate!r} (type {type(learning_rate).__name__})."
        )
    value = float(learning_rate)
    if not math.isfinite(value) or value <= 0.0:
        raise ValueError(f"{name} must be a finite number > 0, got {learning_rate!r}.")
    return value


def _check_real(value: Any, name: str, low: float, high: float, low_open: bool, high_open: bool):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be in {interval}, got {value!r}.")
    return value


class Schedule:
    """Base class of learning-rate schedules.

    Parameters
    ----------
    learning_rate : float
        The initial rate :math:`\\eta_0` (> 0).

    Notes
    -----
    Subclasses implement ``__call__(t) -> float``. ``state_dict`` returns the schedule's settings
    and any mutable state as plain floats and ints, so a schedule can be saved to JSON.
    """

    name = "schedule"

    def __init__(self, learning_rate: float) -> None:
        self.learning_rate = check_learning_rate(learning_rate)

    def __call__(self, t: int) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def _settings(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate}

    def state_dict(self) -> dict[str, Any]:
        """The schedule's name, settings and state as plain Python numbers."""
        return {"name": self.name, **self._settings()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (the name must match)."""
        if state.get("name", self.name) != self.name:
            raise ValueError(
                f"Cannot load the state of a {state.get('name')!r} schedule into a "
                f"{self.name!r} schedule."
            )
        fresh = type(self)(**{k: state[k] for k in self._settings() if k in state})
        self.__dict__.update(fresh.__dict__)

    def reset(self) -> None:
        """Forget any state gathered during training (no-op for stateless schedules)."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self._settings().items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """The same rate at every step.

    .. math:: \\eta_t = \\eta_0

    Parameters
    ----------
    learning_rate : float
        :math:`\\eta_0` (> 0).
    """

    name = "constant"

    def __call__(self, t: int) -> float:
        return self.learning_rate


class InverseScaling(Schedule):
    """Rate falling as an inverse power of the step count.

    .. math:: \\eta_t = \\frac{\\eta_0}{(t + 1)^{p}}

    so :math:`\\eta_0` at :math:`t = 0`.

    Parameters
    ----------
    learning_rate : float
        :math:`\\eta_0` (> 0).
    power_t : float, default=0.5
        The exponent :math:`p` (>= 0).
    """

    name = "invscaling"

    def __init__(self, learning_rate: float, power_t: float = 0.5) -> None:
        super().__init__(learning_rate)
        self.power_t = _check_real(power_t, "power_t", 0.0, math.inf, False, True)

    def _settings(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "power_t": self.power_t}

    def __call__(self, t: int) -> float:
        return self.learning_rate / (t + 1.0) ** self.power_t


class StepDecay(Schedule):
    """Rate multiplied by ``drop`` once every ``every`` steps.

    .. math:: \\eta_t = \\eta_0 \\, d^{\\lfloor t / k \\rfloor}

    Parameters
    ----------
    learning_rate : float
        :math:`\\eta_0` (> 0).
    drop : float, default=0.5
        The factor :math:`d`, in (0, 1].
    every : int, default=10
        The period :math:`k` (>= 1).
    """

    name = "step"

    def __init__(self, learning_rate: float, drop: float = 0.5, every: int = 10) -> None:
        super().__init__(learning_rate)
        self.drop = _check_real(drop, "drop", 0.0, 1.0, True, False)
        if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
            raise ValueError(f"every must be an integer >= 1, got {every!r}.")
        self.every = int(every)

    def _settings(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "drop": self.drop, "every": self.every}

    def __call__(self, t: int) -> float:
        return self.learning_rate * self.drop ** (int(t) // self.every)


class ExponentialDecay(Schedule):
    """Rate multiplied by ``gamma`` at every step.

    .. math:: \\eta_t = \\eta_0 \\, \\gamma^{t}

    Parameters
    ----------
    learning_rate : float
        :math:`\\eta_0` (> 0).
    gamma : float, default=0.99
        The factor :math:`\\gamma`, in (0, 1].
    """

    name = "exponential"

    def __init__(self, learning_rate: float, gamma: float = 0.99) -> None:
        super().__init__(learning_rate)
        self.gamma = _check_real(gamma, "gamma", 0.0, 1.0, True, False)

    def _settings(self) -> dict[str, Any]:
        return {"learning_rate": self.learning_rate, "gamma": self.gamma}

    def __call__(self, t: int) -> float:
        return self.learning_rate * self.gamma ** float(t)


class Adaptive(Schedule):
    """Keep the rate while the loss improves; multiply it by ``factor`` when it stalls.

    This is scikit-learn MLP's ``learning_rate="adaptive"`` behaviour. After each epoch the
    caller passes the training loss (or, with ``mode="max"``, a validation score) to
    :meth:`update`. A check *improves* when the score beats the best seen so far by more than
    ``tol``; the best is remembered whenever the score is strictly better, even by less than
    ``tol``. After ``patience`` consecutive checks without improvement the rate becomes

    .. math:: \\eta \\leftarrow \\max(\\eta \\cdot f, \\eta_{\\min})

    and the count starts again. When a reduction falls due while the rate already sits at
    ``min_lr``, :attr:`exhausted` becomes True: scikit-learn stops training at that point.

    Parameters
    ----------
    learning_rate : float
        The initial rate :math:`\\eta_0` (> 0).
    factor : float, default=0.2
        The factor :math:`f`, in (0, 1) (0.2 is scikit-learn's "divide by 5").
    patience : int, default=2
        Checks without improvement before the rate is reduced (>= 1).
    tol : float, default=1e-4
        Minimum improvement that counts (>= 0).
    min_lr : float, default=1e-6
        The floor :math:`\\eta_{\\min}` (>= 0).
    mode : {"min", "max"}, default="min"
        Whether a lower score (a loss) or a higher score (an accuracy) is better.

    Attributes
    ----------
    current_lr : float
        The rate now returned by ``schedule(t)``.
    best_score : float
        Best score seen so far.
    n_bad_checks : int
        Consecutive checks without improvement.
    n_reductions : int
        How many times the rate was reduced.
    exhausted : bool
        A reduction fell due while the rate was already at ``min_lr``.
    """

    name = "adaptive"

    def __init__(
        self,
        learning_rate: float,
        factor: float = 0.2,
        patience: int = 2,
        tol: float = 1e-4,
        min_lr: float = 1e-6,
        mode: str = "min",
    ) -> None:
        super().__init__(learning_rate)
        self.factor = _check_real(factor, "factor", 0.0, 1.0, True, True)
        if isinstance(patience, bool) or not isinstance(patience, numbers.Integral) or patience < 1:
            raise ValueError(f"patience must be an integer >= 1, got {patience!r}.")
        self.patience = int(patience)
        self.tol = _check_real(tol, "tol", 0.0, math.inf, False, True)
        self.min_lr = _check_real(min_lr, "min_lr", 0.0, math.inf, False, True)
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}.")
        self.mode = mode
        self.reset()

    def _settings(self) -> dict[str, Any]:
        return {
            "learning_rate": self.learning_rate,
            "factor": self.factor,
            "patience": self.patience,
            "tol": self.tol,
            "min_lr": self.min_lr,
            "mode": self.mode,
        }

    def state_dict(self) -> dict[str, Any]:
        """Settings plus the current rate, best score and counters."""
        return {
            **super().state_dict(),
            "current_lr": self.current_lr,
            "best_score": self.best_score,
            "n_bad_checks": self.n_bad_checks,
            "n_reductions": self.n_reductions,
            "exhausted": self.exhausted,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        super().load_state_dict(state)
        for key in ("current_lr", "best_score"):
            if key in state:
                setattr(self, key, float(state[key]))
        for key in ("n_bad_checks", "n_reductions"):
            if key in state:
                setattr(self, key, int(state[key]))
        if "exhausted" in state:
            self.exhausted = bool(state["exhausted"])

    def reset(self) -> None:
        """Go back to the initial rate and forget the scores seen."""
        self.current_lr = self.learning_rate
        self.best_score = math.inf if self.mode == "min" else -math.inf
        self.n_bad_checks = 0
        self.n_reductions = 0
        self.exhausted = False

    def __call__(self, t: int) -> float:
        return self.current_lr

    def update(self, score: float) -> float:
        """Record one epoch's score; reduce the rate after ``patience`` bad checks.

        Parameters
        ----------
        score : float
            The training loss (``mode="min"``) or validation score (``mode="max"``). NaN counts
            as no improvement.

        Returns
        -------
        float
            The rate to use from now on.
        """
        score = float(score)
        sign = 1.0 if self.mode == "min" else -1.0
        # In "min" mode: improved when score < best - tol.
        if sign * (self.best_score - score) > self.tol:
            self.n_bad_checks = 0
        else:
            self.n_bad_checks += 1
        if sign * (self.best_score - score) > 0.0:
            self.best_score = score
        if self.n_bad_checks >= self.patience:
            self.n_bad_checks = 0
            if self.current_lr <= self.min_lr:
                self.exhausted = True
            else:
                self.current_lr = max(self.current_lr * self.factor, self.min_lr)
                self.n_reductions += 1
        return self.current_lr


_SCHEDULES: dict[str, type[Schedule]] = {
    "constant": Constant,
    "invscaling": InverseScaling,
    "step": StepDecay,
    "exponential": ExponentialDecay,
    "adaptive": Adaptive,
}


def get_schedule(name: str | Schedule, learning_rate: float | None = None, **kwargs: Any):
    """Build a schedule from its name, or return a :class:`Schedule` instance unchanged.

    Parameters
    ----------
    name : {"constant", "invscaling", "step", "exponential", "adaptive"} or Schedule
        Which schedule.
    learning_rate : float
        The initial rate :math:`\\eta_0` (required with a name).
    **kwargs
        The schedule's other settings (``power_t``, ``drop``, ``every``, ``gamma``, ``factor``,
        ``patience``, ``tol``, ``min_lr``, ``mode``).

    Returns
    -------
    Schedule
    """
    if isinstance(name, Schedule):
        if learning_rate is not None or kwargs:
            raise TypeError("Settings cannot be given together with a Schedule instance.")
        return name
    key = name.lower() if isinstance(name, str) else None
    if key not in _SCHEDULES:
        raise ValueError(
            f"Unknown learning-rate schedule {name!r}. Valid names are: {sorted(_SCHEDULES)}."
        )
    if learning_rate is None:
        raise ValueError(f"The {key!r} schedule needs an initial learning_rate.")
    return _SCHEDULES[key](learning_rate, **kwargs)
