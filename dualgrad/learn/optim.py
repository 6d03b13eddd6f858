"""Optimizers over flat lists of floats: SGD (with momentum) and Adam, updating in place.

The gradient method (random search, forward mode, reverse mode) is kept apart from the update
rule: every method hands a flat gradient list to the same optimizer, so a comparison of methods
changes nothing but the gradient.

Both optimizers can decay the learning rate to zero over `total_steps` steps: linearly, step
``t`` (counted from 0) using ``lr * (1 - t / total_steps)``, or along a cosine, as the course's
microgpt does: ``lr * 0.5 * (1 + cos(pi * t / total_steps))`` (``schedule="cosine"``).

>>> params = [1.0, -2.0]
>>> opt = SGD(2, lr=0.1)
>>> opt.step(params, [10.0, -10.0])
>>> params
[0.0, -1.0]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = ["SCHEDULES", "SGD", "Adam", "Optimizer"]

SCHEDULES = ("linear", "cosine")


def _check_fraction(name: str, value: float) -> None:
    """0 <= value < 1 (a decay factor of 1 would never forget)."""
    if not (isinstance(value, (int, float)) and 0.0 <= value < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")


def _check_positive(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and 0.0 < value < math.inf):
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")


def _check_count(name: str, value: int, minimum: int) -> None:
    if type(value) is not int or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")


class Optimizer:
    """Shared bookkeeping: parameter count, step counter, learning-rate schedule, checks."""

    def __init__(
        self, n_params: int, lr: float, total_steps: int | None, schedule: str = "linear"
    ) -> None:
        _check_count("n_params", n_params, 0)
        _check_positive("lr", lr)
        if total_steps is not None:
            _check_count("total_steps", total_steps, 1)
        if schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got {schedule!r}")
        self.n_params = n_params
        self.lr = float(lr)
        self.total_steps = total_steps
        self.schedule = schedule
        self.steps_taken = 0

    @property
    def current_lr(self) -> float:
        """The learning rate the next step will use (0.0 once a decay schedule has run out).

        >>> opt = Adam(1, lr=0.01, total_steps=500, schedule="cosine")
        >>> opt.current_lr, opt.steps_taken
        (0.01, 0)
        """
        if self.total_steps is None:
            return self.lr
        if self.steps_taken >= self.total_steps:
            return 0.0
        if self.schedule == "cosine":
            # the course's expression, operation for operation, so the rates agree bit for bit
            return self.lr * 0.5 * (1 + math.cos(math.pi * self.steps_taken / self.total_steps))
        return self.lr * (1.0 - self.steps_taken / self.total_steps)

    def _begin_step(self, params: Sequence[float], grads: Sequence[float]) -> float:
        """Check the arguments before touching anything; return this step's learning rate."""
        if len(params) != self.n_params or len(grads) != self.n_params:
            raise ValueError(
                f"expected {self.n_params} params and grads, "
                f"got {len(params)} params and {len(grads)} grads"
            )
        if self.total_steps is not None and self.steps_taken >= self.total_steps:
            raise RuntimeError(
                f"the learning rate has decayed to 0 after total_steps={self.total_steps} steps; "
                "make total_steps larger (or None) to keep training"
            )
        # One C-level sum catches nan and inf anywhere; only then look for the culprit.
        if not math.isfinite(sum(grads)):
            for i, g in enumerate(grads):
                if not math.isfinite(g):
                    raise ValueError(f"gradient {i} is {g!r}; parameters left unchanged")
        return self.current_lr

    def step(self, params: list[float], grads: Sequence[float]) -> None:
        """Update `params` in place from `grads` (same length, both n_params long)."""
        raise NotImplementedError

    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state (step counter and buffers), copied, for checkpoints."""
        return {"steps_taken": self.steps_taken}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict` (of an optimizer with the same n_params)."""
        _check_count("steps_taken", state["steps_taken"], 0)
        self.steps_taken = state["steps_taken"]

    def _load_buffer(self, state: dict[str, Any], key: str) -> list[float]:
        buffer = [float(x) for x in state[key]]
        if len(buffer) != self.n_params:
            raise ValueError(f"state {key!r} has {len(buffer)} entries, expected {self.n_params}")
        return buffer


class SGD(Optimizer):
    """Gradient descent, optionally with (heavy-ball) momentum.

    Without momentum: ``p -= lr_t * g``. With momentum ``mu``: ``b = mu * b + g`` then
    ``p -= lr_t * b`` (PyTorch's convention, so ``b = g`` on the first step).

    >>> params = [0.0]
    >>> opt = SGD(1, lr=0.5, momentum=0.9)
    >>> opt.step(params, [1.0]); opt.step(params, [1.0])
    >>> params   # -0.5, then -0.5 - 0.5 * 1.9
    [-1.45]
    """

    def __init__(
        self,
        n_params: int,
        lr: float,
        momentum: float = 0.0,
        *,
        total_steps: int | None = None,
        schedule: str = "linear",
    ) -> None:
        super().__init__(n_params, lr, total_steps, schedule)
        _check_fraction("momentum", momentum)
        self.momentum = float(momentum)
        self.buffer = [0.0] * n_params

    def step(self, params: list[float], grads: Sequence[float]) -> None:
        lr = self._begin_step(params, grads)
        if self.momentum:
            mu, buffer = self.momentum, self.buffer
            for i, g in enumerate(grads):
                b = mu * buffer[i] + g
                buffer[i] = b
                params[i] -= lr * b
        else:
            for i, g in enumerate(grads):
                params[i] -= lr * g
        self.steps_taken += 1

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "buffer": list(self.buffer)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        buffer = self._load_buffer(state, "buffer")
        super().load_state_dict(state)
        self.buffer = buffer


class Adam(Optimizer):
    """Adam with bias correction, as in microgpt (the defaults are our GPT's; the course's
    microgpt trains with betas 0.9 and 0.95 and a cosine schedule).

    Per parameter: ``m = b1 m + (1 - b1) g``, ``v = b2 v + (1 - b2) g²``, then
    ``p -= lr_t * m_hat / (sqrt(v_hat) + eps)`` with ``m_hat = m / (1 - b1^t)`` and
    ``v_hat = v / (1 - b2^t)`` at step t = 1, 2, ... So the first step moves every parameter
    by about ``lr`` against the sign of its gradient, whatever the gradient's size.

    >>> params = [1.0, 1.0]
    >>> Adam(2, lr=0.01).step(params, [3.0, -0.001])
    >>> [round(p, 6) for p in params]
    [0.99, 1.01]
    """

    def __init__(
        self,
        n_params: int,
        lr: float = 0.01,
        beta1: float = 0.85,
        beta2: float = 0.99,
        eps: float = 1e-8,
        *,
        total_steps: int | None = None,
        schedule: str = "linear",
    ) -> None:
        super().__init__(n_params, lr, total_steps, schedule)
        _check_fraction("beta1", beta1)
        _check_fraction("beta2", beta2)
        _check_positive("eps", eps)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self.m = [0.0] * n_params
        self.v = [0.0] * n_params

    def step(self, params: list[float], grads: Sequence[float]) -> None:
        lr = self._begin_step(params, grads)
        b1, b2, eps, m, v = self.beta1, self.beta2, self.eps, self.m, self.v
        t = self.steps_taken + 1
        # microgpt's arithmetic exactly (same operations in the same order), so results agree
        # bit for bit; the bias corrections are computed once per step, not per parameter.
        corr1, corr2 = 1.0 - b1**t, 1.0 - b2**t
        for i, g in enumerate(grads):
            mi = m[i] = b1 * m[i] + (1.0 - b1) * g
            vi = v[i] = b2 * v[i] + (1.0 - b2) * g**2
            params[i] -= lr * (mi / corr1) / ((vi / corr2) ** 0.5 + eps)
        self.steps_taken += 1

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "m": list(self.m), "v": list(self.v)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        m, v = self._load_buffer(state, "m"), self._load_buffer(state, "v")
        super().load_state_dict(state)
        self.m, self.v = m, v
