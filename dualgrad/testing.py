"""Checking derivatives against central finite differences — for our tests and for yours.

>>> from dualgrad.testing import check_derivative
>>> check_derivative(lambda x: x * x, 3.0)   # raises AssertionError if d/dx is off
6.0
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from dualgrad.dual import Dual

__all__ = ["central_difference", "check_derivative"]


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
