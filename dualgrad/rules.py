"""The one table of derivative rules.

Every primitive appears here exactly once: its value on plain numbers (mirroring :mod:`math`),
its local derivative with respect to each argument, and the input domain its test samples.
:class:`~dualgrad.dual.Dual`, the reverse-mode :class:`~dualgrad.reverse.Value` and the
:mod:`~dualgrad.dmath` mirror are all driven from :data:`RULES`; nothing else states a
derivative.

A partial is a function of the arguments and of the already computed output ``out``
(``d(x, out)`` for one argument, ``d(x, y, out)`` for two), so rules like exp, tanh or sqrt
reuse the value instead of recomputing it. Two simpler forms let the number types specialise
their hot paths: a plain number (the linear operations add, sub, neg, pos: the tangent passes
through, no multiplication) and the name of the *other* argument (mul: d(x*y)/dx is "y").
:meth:`Rule.partial` turns any form into a function for callers that need one.

Partials are written with operators and the generic helpers below, so they also work when the
arguments are themselves Duals (nested derivatives, e.g. a hessian).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["BILINEAR", "BINARY", "RULES", "UNARY", "Bilinear", "Rule"]

Interval = tuple[float, float]
INF = math.inf
NAN = math.nan
_REAL = (float, int)


@dataclass(frozen=True)
class Rule:
    """One primitive: value function, local partials, and where tests should sample it."""

    name: str
    f: Callable[..., Any]
    """Value on plain numbers; raises like :mod:`math` outside the domain."""
    partials: tuple[Any, ...]
    """Local derivative per argument: ``d(*args, out)`` or a constant number."""
    domain: tuple[tuple[Interval, ...], ...]
    """Per argument, intervals on which the function is smooth (the test samples them)."""
    singular: bool = False
    """A partial may be +-inf or nan somewhere in the real domain (sqrt at 0, pow at 0 ...).
    Number types then scale tangents so that a zero tangent contributes exactly zero."""

    @property
    def arity(self) -> int:
        return len(self.partials)

    def partial(self, i: int) -> Callable[..., Any]:
        """Partial i as a function of ``(*args, out)``, whatever form the table gives it in."""
        p = self.partials[i]
        if callable(p):
            return p
        if isinstance(p, str):
            k = "xy".index(p)
            return lambda *args: args[k]
        return lambda *args: p


def _D(*intervals: Interval) -> tuple[Interval, ...]:
    return intervals


# Generic elementary functions used *inside partials*: plain numbers go to math, anything else
# (an inner Dual when derivatives are nested) to its own method of the same name.
def _exp(x: Any) -> Any:
    return math.exp(x) if type(x) in _REAL else x.exp()


def _log(x: Any) -> Any:
    return math.log(x) if type(x) in _REAL else x.log()


def _sqrt(x: Any) -> Any:
    return math.sqrt(x) if type(x) in _REAL else x.sqrt()


def _sin(x: Any) -> Any:
    return math.sin(x) if type(x) in _REAL else x.sin()


def _cos(x: Any) -> Any:
    return math.cos(x) if type(x) in _REAL else x.cos()


def _sinh(x: Any) -> Any:
    return math.sinh(x) if type(x) in _REAL else x.sinh()


def _cosh(x: Any) -> Any:
    return math.cosh(x) if type(x) in _REAL else x.cosh()


# Numerically stable logistic functions (value functions for the table's sigmoid/softplus).
def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _softplus(x: float) -> float:
    # log(1 + e^x) without overflow for large x or loss of precision for very negative x
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def _gen_sigmoid(x: Any) -> Any:
    return _sigmoid(x) if type(x) in _REAL else x.sigmoid()


def _relu(x: float) -> float:
    return x if x > 0 else 0.0


def _cbrt(x: float) -> float:
    # math.cbrt arrived in Python 3.12; keep 3.10/3.11 exact for perfect cubes' sign
    return math.copysign(abs(x) ** (1.0 / 3.0), x)


_math_cbrt = getattr(math, "cbrt", _cbrt)


def _pow(x: Any, y: Any) -> Any:
    """x ** y with math.pow's domain (ValueError, never a complex or ZeroDivisionError)."""
    if type(x) in _REAL and type(y) in _REAL:
        return math.pow(x, y)
    if x < 0 and y != int(_value(y)):  # nested Duals: compare on the value
        raise ValueError("math domain error")
    if x == 0 and y < 0:
        raise ValueError("math domain error")
    return x**y


def _value(x: Any) -> Any:
    while not isinstance(x, _REAL):
        x = x.value
    return x


_2_SQRTPI = 2.0 / math.sqrt(math.pi)
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


# ---------------------------------------------------------------------------------------------
# SPECIAL CASES — kinks and singular points, decided once here (and listed in the README).
# ---------------------------------------------------------------------------------------------
def _ieee_div(a: Any, b: Any) -> Any:
    """a / b with IEEE-754 results at b == 0 (+-inf, or nan for 0/0) instead of an exception.

    Used by partials that are genuinely infinite at a domain edge: sqrt'(0) = +inf,
    asin'(+-1) = +inf, acosh'(1) = +inf, cbrt'(0) = +inf.
    """
    if b:
        return a / b
    if a == 0:
        return NAN
    return INF if a > 0 else -INF


def _d_abs(x: Any, out: Any) -> float:
    # abs'(0) = 0: the sign convention (a valid subgradient, and what `sign` gives).
    return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)


def _d_relu(x: Any, out: Any) -> float:
    # relu'(0) = 0, the tutorial's table: 1 if x > 0 else 0 (and PyTorch's/JAX's choice).
    return 1.0 if x > 0 else 0.0


def _d_sqrt(x: Any, out: Any) -> Any:
    # sqrt'(0) = +inf: the true one-sided derivative. A zero tangent still contributes 0.
    return _ieee_div(0.5, out)


def _d_pow_base(x: Any, y: Any, out: Any) -> Any:
    # d/dx x**y = y * x**(y-1). Only x = 0 needs care, where x**(y-1) is singular for y < 1:
    # x**0 is the constant 1, so its slope is 0 (no 0 * inf); for 0 < y < 1 the slope is +inf
    # (like sqrt). Elsewhere the formula itself is used, so nested derivatives stay exact.
    if x == 0 and y < 1:
        return 0.0 if y == 0 else INF
    return y * x ** (y - 1)


def _d_pow_exponent(x: Any, y: Any, out: Any) -> Any:
    # d/dy x**y = x**y * log(x). At x = 0 it is the limit 0 (0**y = 0 for every y > 0).
    # For x < 0 (only integer y are allowed) the real function of y does not exist around y:
    # nan, which a zero tangent on the exponent turns back into an exact 0 (rule.singular).
    if x > 0:
        return out * _log(x)
    return 0.0 if x == 0 else NAN


def _d_hypot(x: Any, y: Any, out: Any) -> tuple[Any, Any]:
    # hypot has a cone-shaped kink at the origin, like abs at 0: we choose 0 there.
    return (0.0, 0.0) if out == 0 else (x / out, y / out)


def _d_atan2_y(y: Any, x: Any, out: Any) -> Any:
    # atan2 is discontinuous at the origin: nan there (no derivative exists); a zero tangent
    # still contributes an exact 0.
    return _ieee_div(x, x * x + y * y)


def _d_atan2_x(y: Any, x: Any, out: Any) -> Any:
    return _ieee_div(-y, x * x + y * y)


def _d_min_x(x: Any, y: Any, out: Any) -> float:
    # min/max at a tie follow builtin min/max, which return the first argument.
    return 1.0 if x <= y else 0.0


def _d_max_x(x: Any, y: Any, out: Any) -> float:
    return 1.0 if x >= y else 0.0


# ---------------------------------------------------------------------------------------------
# THE TABLE
# ---------------------------------------------------------------------------------------------
_ANY = _D((-3.0, 3.0))
_POS = _D((0.1, 4.0))
_NONZERO = _D((-3.0, -0.1), (0.1, 3.0))
_UNIT = _D((-0.9, 0.9))
_OFF_INTEGERS = _D((-2.9, -2.1), (-0.9, -0.1), (0.1, 0.9), (1.1, 1.9))

_TABLE: tuple[Rule, ...] = (
    # -- arithmetic -------------------------------------------------------------------------------
    Rule("add", operator.add, (1.0, 1.0), (_ANY, _ANY)),
    Rule("sub", operator.sub, (1.0, -1.0), (_ANY, _ANY)),
    Rule("mul", operator.mul, ("y", "x"), (_ANY, _ANY)),
    Rule(
        "truediv",
        operator.truediv,
        (lambda x, y, o: 1.0 / y, lambda x, y, o: -o / y),
        (_ANY, _NONZERO),
    ),
    Rule("pow", _pow, (_d_pow_base, _d_pow_exponent), (_POS, _D((-2.5, 2.5))), singular=True),
    Rule("neg", operator.neg, (-1.0,), (_ANY,)),
    Rule("pos", operator.pos, (1.0,), (_ANY,)),
    Rule("abs", abs, (_d_abs,), (_NONZERO,)),
    # -- exponentials and logarithms --------------------------------------------------------------
    Rule("exp", math.exp, (lambda x, o: o,), (_ANY,)),
    Rule("expm1", math.expm1, (lambda x, o: o + 1.0,), (_ANY,)),
    Rule("log", math.log, (lambda x, o: 1.0 / x,), (_POS,)),
    Rule("log2", math.log2, (lambda x, o: 1.0 / (x * _LN2),), (_POS,)),
    Rule("log10", math.log10, (lambda x, o: 1.0 / (x * _LN10),), (_POS,)),
    Rule("log1p", math.log1p, (lambda x, o: 1.0 / (1.0 + x),), (_D((-0.9, 3.0)),)),
    Rule("sqrt", math.sqrt, (_d_sqrt,), (_POS,), singular=True),
    Rule(
        "cbrt", _math_cbrt, (lambda x, o: _ieee_div(1.0, 3.0 * o * o),), (_NONZERO,), singular=True
    ),
    # -- trigonometric ----------------------------------------------------------------------------
    Rule("sin", math.sin, (lambda x, o: _cos(x),), (_ANY,)),
    Rule("cos", math.cos, (lambda x, o: -_sin(x),), (_ANY,)),
    Rule("tan", math.tan, (lambda x, o: 1.0 + o * o,), (_D((-1.4, 1.4)),)),
    Rule(
        "asin",
        math.asin,
        (lambda x, o: _ieee_div(1.0, _sqrt(1.0 - x * x)),),
        (_UNIT,),
        singular=True,
    ),
    Rule(
        "acos",
        math.acos,
        (lambda x, o: _ieee_div(-1.0, _sqrt(1.0 - x * x)),),
        (_UNIT,),
        singular=True,
    ),
    Rule("atan", math.atan, (lambda x, o: 1.0 / (1.0 + x * x),), (_ANY,)),
    Rule("atan2", math.atan2, (_d_atan2_y, _d_atan2_x), (_NONZERO, _NONZERO), singular=True),
    # -- hyperbolic -------------------------------------------------------------------------------
    Rule("sinh", math.sinh, (lambda x, o: _cosh(x),), (_ANY,)),
    Rule("cosh", math.cosh, (lambda x, o: _sinh(x),), (_ANY,)),
    Rule("tanh", math.tanh, (lambda x, o: 1.0 - o * o,), (_ANY,)),
    Rule("asinh", math.asinh, (lambda x, o: 1.0 / _sqrt(x * x + 1.0),), (_ANY,)),
    Rule(
        "acosh",
        math.acosh,
        (lambda x, o: _ieee_div(1.0, _sqrt(x * x - 1.0)),),
        (_D((1.1, 4.0)),),
        singular=True,
    ),
    Rule("atanh", math.atanh, (lambda x, o: 1.0 / (1.0 - x * x),), (_UNIT,)),
    # -- special functions ------------------------------------------------------------------------
    Rule("erf", math.erf, (lambda x, o: _2_SQRTPI * _exp(-x * x),), (_ANY,)),
    Rule("erfc", math.erfc, (lambda x, o: -_2_SQRTPI * _exp(-x * x),), (_ANY,)),
    Rule(
        "hypot",
        math.hypot,
        (lambda x, y, o: _d_hypot(x, y, o)[0], lambda x, y, o: _d_hypot(x, y, o)[1]),
        (_NONZERO, _NONZERO),
    ),
    # -- neural-network activations ---------------------------------------------------------------
    Rule("relu", _relu, (_d_relu,), (_NONZERO,)),
    Rule("sigmoid", _sigmoid, (lambda x, o: o * (1.0 - o),), (_D((-6.0, 6.0)),)),
    Rule("softplus", _softplus, (lambda x, o: _gen_sigmoid(x),), (_D((-6.0, 6.0)),)),
    # -- piecewise constant and piecewise selection -----------------------------------------------
    Rule("floor", math.floor, (0.0,), (_OFF_INTEGERS,)),
    Rule("ceil", math.ceil, (0.0,), (_OFF_INTEGERS,)),
    Rule("trunc", math.trunc, (0.0,), (_OFF_INTEGERS,)),
    Rule(
        "min",
        min,
        (_d_min_x, lambda x, y, o: 1.0 - _d_min_x(x, y, o)),
        (_NONZERO, _D((-0.05, 0.05))),
    ),
    Rule(
        "max",
        max,
        (_d_max_x, lambda x, y, o: 1.0 - _d_max_x(x, y, o)),
        (_NONZERO, _D((-0.05, 0.05))),
    ),
)

RULES: dict[str, Rule] = {rule.name: rule for rule in _TABLE}
"""Every primitive by name."""

SPELLING: dict[str, tuple[str, str | None]] = {
    "add": ("__add__", "__radd__"),
    "sub": ("__sub__", "__rsub__"),
    "mul": ("__mul__", "__rmul__"),
    "truediv": ("__truediv__", "__rtruediv__"),
    "pow": ("__pow__", "__rpow__"),
    "neg": ("__neg__", None),
    "pos": ("__pos__", None),
    "abs": ("__abs__", None),
    "floor": ("__floor__", None),
    "ceil": ("__ceil__", None),
    "trunc": ("__trunc__", None),
    "min": ("minimum", None),
    "max": ("maximum", None),
}
"""How a rule appears on a number type, (name, reflected name), where it is not a method named
like the rule: operators, math's dunders, and min/max (``x.minimum(y)``, beside builtins)."""


def install(
    cls: type,
    unary: Callable[[Rule], Callable[..., Any]],
    binary: Callable[[Rule], tuple[Callable[..., Any], Callable[..., Any]]],
) -> tuple[dict[str, Callable[..., Any]], dict[str, Callable[..., Any]]]:
    """Give number type `cls` one operation per rule, built by its `unary`/`binary` factories
    and named by :data:`SPELLING` (else after the rule: ``x.exp()``, ``x.atan2(y)``), so a rule
    added to the table is an operator or method of every number type at once.

    Returns the operations and the reflected operations by rule name.
    """
    ops: dict[str, Callable[..., Any]] = {}
    rops: dict[str, Callable[..., Any]] = {}
    for rule in _TABLE:
        name, reflected = SPELLING.get(rule.name, (rule.name, None))
        if rule.arity == 1:
            ops[rule.name] = unary(rule)
        else:
            ops[rule.name], rops[rule.name] = binary(rule)
            if reflected is not None:
                setattr(cls, reflected, rops[rule.name])
        if any(name in vars(k) for k in cls.__mro__[:-1]):
            setattr(cls, "_" + name, ops[rule.name])  # written by hand (log with a base)
        else:
            setattr(cls, name, ops[rule.name])
    return ops, rops


# ---------------------------------------------------------------------------------------------
# BILINEAR RULES — linear in each of two vectors (JAX's defbilinear, autograd's def_linear)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Bilinear:
    """A rule linear in each of its two vector arguments, ``f(p, q) = sum_i p_i * q_i``.

    Its partials are the other vector (``partials = ("q", "p")``: d f/d p_i = q_i and
    d f/d q_i = p_i, the mul rule summed), so its tangent is ``f(dp, q) + f(p, dq)``. Each
    number type applies it in bulk its own way - Dual with vector tangents as one matrix
    product (:mod:`dualgrad.vector.bulk`), Value as one graph node with those local partials -
    and anywhere else the scalar mul and add rules give the same derivative term by term.
    ``matvec`` is a batch of it: one sumprod per row.
    """

    name: str
    f: Callable[[Any, Any], Any]
    """Value on plain numbers, summed left to right as the scalar code would (bit for bit)."""
    partials: tuple[str, str] = ("q", "p")
    product: str = "mul"
    """The scalar rule it sums: its partials, ("y", "x"), are the ones this rule batches."""


def _sumprod(p: Any, q: Any) -> Any:
    if len(p) != len(q):  # as math.sumprod (zip would silently drop the excess)
        raise ValueError(f"sumprod: inputs are not the same length ({len(p)} and {len(q)})")
    return sum(map(operator.mul, p, q))


BILINEAR: dict[str, Bilinear] = {"sumprod": Bilinear("sumprod", _sumprod)}
"""The bilinear rules by name."""
assert RULES[BILINEAR["sumprod"].product].partials == ("y", "x")  # the mul it batches

UNARY: tuple[str, ...] = tuple(r.name for r in _TABLE if r.arity == 1)
BINARY: tuple[str, ...] = tuple(r.name for r in _TABLE if r.arity == 2)
