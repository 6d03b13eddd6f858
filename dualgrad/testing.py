"""Checking derivatives against central finite differences — for our tests and for yours.

>>> from dualgrad.testing import check_derivative
>>> check_derivative(lambda x: x * x, 3.0)   # raises AssertionError if d/dx is off
6.0
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

from dualgrad.numbers.dual import Dual
from dualgrad.rules import Rule

__all__ = [
    "central_difference",
    "central_partial",
    "check_derivative",
    "differentiable",
    "rule_points",
]


def central_difference(f: Callable[[float], float], x: float, h: float | None = None) -> float:
    """(f(x + h) - f(x - h)) / 2h with a step scaled to x (error O(h^2) plus rounding)."""
    if h is None:
        h = 1e-6 * max(1.0, abs(x))
    return (f(x + h) - f(x - h)) / (2.0 * h)


def _float(y: Any) -> float:
    return y.value if type(y) is Dual else y


def check_derivative(
    f: Callable[[Any], Any], x: float, *, rtol: float = 1e-6, atol: float = 1e-8
) -> float:
    """Compare the forward-mode derivative of `f` at `x` with a central difference.

    Returns the Dual derivative; raises AssertionError naming both numbers if they disagree
    by more than ``atol + rtol * |finite difference|``.
    """
    out = f(Dual(x, 1.0))
    exact = out.tangent if type(out) is Dual else 0.0
    approx = central_difference(lambda t: _float(f(t)), x)
    if not math.isclose(exact, approx, rel_tol=rtol, abs_tol=atol):
        raise AssertionError(
            f"derivative at x={x!r}: forward mode gives {exact!r}, "
            f"central difference gives {approx!r}"
        )
    return exact


def central_partial(
    f: Callable[..., float], args: Sequence[float], i: int, h: float = 1e-6
) -> float:
    """d f / d args[i] by a central difference with a step scaled to args[i]."""
    h = h * max(1.0, abs(args[i]))
    up, down = list(args), list(args)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


def rule_points(rule: Rule, per_interval: int | None = None) -> list[tuple[float, ...]]:
    """Points spread evenly inside the domain a rule's test samples (every combination of
    `per_interval` points per interval of each argument: 5 for one argument, 3 for two).
    An argument the rule takes as an int only (:attr:`Rule.integer`) is sampled at every
    integer of its intervals.

    >>> from dualgrad.rules.table import RULES
    >>> rule_points(RULES["log"])[:2]
    [(0.49,), (1.27,)]
    """
    per = per_interval or (5 if rule.arity == 1 else 3)

    def spread(intervals: Sequence[tuple[float, float]]) -> list[float]:
        return [lo + (hi - lo) * (k + 0.5) / per for lo, hi in intervals for k in range(per)]

    def integers(intervals: Sequence[tuple[float, float]]) -> list[int]:
        return [k for lo, hi in intervals for k in range(math.ceil(lo), math.floor(hi) + 1)]

    return list(
        itertools.product(
            *(
                integers(dom) if i in rule.integer else spread(dom)
                for i, dom in enumerate(rule.domain)
            )
        )
    )


def differentiable(rule: Rule) -> list[int]:
    """The arguments of `rule` a derivative flows through (all but its int-only ones).

    >>> from dualgrad.rules.table import RULES
    >>> differentiable(RULES["atan2"]), differentiable(RULES["ldexp"])
    ([0, 1], [0])
    """
    return [i for i in range(rule.arity) if i not in rule.integer]
