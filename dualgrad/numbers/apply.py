"""One rule of the table applied to any number: math's value function on plain numbers (its
errors naming the arguments), the number type's own method (the rule) on a Dual, a Value, a
Taylor series, a tracer ..., and entry by entry on a numpy array. :mod:`dualgrad.dmath` is
built on these two.

>>> from dualgrad import Dual
>>> apply_unary("exp", 0.0), apply_binary("hypot", 3.0, Dual(4.0, 1.0))
(1.0, Dual(5.0, 0.8))
"""

from __future__ import annotations

from typing import Any

from dualgrad.numbers.base import PLAIN, domain_error, is_array, vector
from dualgrad.numbers.dual import Dual
from dualgrad.rules import RULES

__all__ = ["MATH_ERRORS", "apply_binary", "apply_unary"]

MATH_ERRORS = (ValueError, OverflowError)
"""What math raises outside a function's domain: the errors a mirror names its arguments in."""


def apply_unary(name: str, x: Any, method: str | None = None) -> Any:
    """Dispatch one-argument rule `name`: math's value for plain numbers, else x's method;
    a numpy array entry by entry."""
    if type(x) is float or type(x) is int:
        try:
            return RULES[name].f(x)
        except MATH_ERRORS as exc:
            raise domain_error(exc, name, x) from None
    bound = getattr(x, method or name, None)
    if bound is None:  # not one of our number types: an array, or raise like math
        if is_array(x):
            return vector().elementwise(lambda e: apply_unary(name, e, method), x)
        return RULES[name].f(x)
    return bound()


def _lift(c: Any, like: Any) -> Any:
    """A constant of `like`'s number type (so a two-argument rule can use `like`'s method)."""
    if type(like) is Dual:
        return Dual(c, 0.0, like.tag)
    return type(like)(c)


def apply_binary(name: str, x: Any, y: Any, method: str | None = None) -> Any:
    """Dispatch two-argument rule `name` on plain numbers or on our number types."""
    if type(x) in PLAIN and type(y) in PLAIN:
        try:
            return RULES[name].f(x, y)
        except MATH_ERRORS as exc:
            raise domain_error(exc, name, x, y) from None
    if getattr(x, method or name, None) is None:
        if is_array(x) or is_array(y):  # entry by entry
            return vector().elementwise(lambda a, b: apply_binary(name, a, b, method), x, y)
        if getattr(y, method or name, None) is None:
            return RULES[name].f(x, y)
        x = _lift(x, y)
    return getattr(x, method or name)(y)
