"""The one mpmath oracle map: every rule of the table as a function of mpmath numbers.

The tests that check the table at high precision (tests/test_special_values.py: first
derivatives at special values; tests/test_rough_edges.py: second and third derivatives;
tests/taylormode/test_series.py: Taylor coefficients to order 10) all read :data:`MP`, and
:func:`oracle` fails with the name of the rule a new row forgot to add here.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import pytest

mpmath = pytest.importorskip("mpmath")


def _trunc(q: Any) -> Any:
    return mpmath.floor(q) if q >= 0 else mpmath.ceil(q)


def _cbrt(x: Any) -> Any:
    return mpmath.sign(x) * mpmath.root(abs(x), 3)


MP: dict[str, Callable[..., Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "truediv": operator.truediv,
    "pow": lambda x, y: mpmath.power(x, y),
    "neg": operator.neg,
    "pos": operator.pos,
    "abs": abs,
    "exp": mpmath.exp,
    "expm1": mpmath.expm1,
    "exp2": lambda x: mpmath.power(2, x),
    "log": mpmath.log,
    "log2": lambda x: mpmath.log(x, 2),
    "log10": mpmath.log10,
    "log1p": mpmath.log1p,
    "sqrt": mpmath.sqrt,
    "cbrt": _cbrt,
    "sin": mpmath.sin,
    "cos": mpmath.cos,
    "tan": mpmath.tan,
    "asin": mpmath.asin,
    "acos": mpmath.acos,
    "atan": mpmath.atan,
    "atan2": mpmath.atan2,
    "sinh": mpmath.sinh,
    "cosh": mpmath.cosh,
    "tanh": mpmath.tanh,
    "asinh": mpmath.asinh,
    "acosh": mpmath.acosh,
    "atanh": mpmath.atanh,
    "erf": mpmath.erf,
    "erfc": mpmath.erfc,
    "hypot": mpmath.hypot,
    "relu": lambda x: x if x > 0 else mpmath.mpf(0),
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "softplus": lambda x: mpmath.log1p(mpmath.exp(x)),
    "floor": mpmath.floor,
    "ceil": mpmath.ceil,
    "trunc": _trunc,
    "min": lambda x, y: mpmath.mpf(min(x, y)),  # an mpf even where the constant side wins:
    "max": lambda x, y: mpmath.mpf(max(x, y)),  # a float there would be noise to mpmath.diff
    "gamma": mpmath.gamma,
    "lgamma": lambda x: mpmath.log(abs(mpmath.gamma(x))),
    "digamma": mpmath.digamma,
    "polygamma": lambda x, n: mpmath.polygamma(n, x),
    "radians": lambda x: x * (mpmath.pi / 180),
    "degrees": lambda x: x * (180 / mpmath.pi),
    "copysign": lambda x, y: abs(x) * mpmath.sign(y),  # y = -0.0: test_special_values.py
    "ldexp": lambda x, i: mpmath.ldexp(x, int(i)),
    "fmod": lambda x, y: x - y * _trunc(x / y),
    "remainder": lambda x, y: x - y * mpmath.nint(x / y),
    "mod": lambda x, y: x - y * mpmath.floor(x / y),
    "floordiv": lambda x, y: mpmath.floor(x / y),
}
"""Every rule's function at high precision, by rule name."""


def oracle(name: str) -> Callable[..., Any]:
    """The mpmath function of rule `name`, or a failure saying where a new rule's goes."""
    if name not in MP:
        pytest.fail(
            f"rule {name!r} of the table has no mpmath oracle: add its mpmath function to MP "
            "in tests/oracles.py (every high-precision test of the table reads it there)"
        )
    return MP[name]
