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

Partials are written with operators and the generic helpers of :mod:`dualgrad._partials` (the
table's footnotes: kinks, singular points, tails), so they also work when the
arguments are themselves Duals (nested derivatives, e.g. a hessian).

The policy at special values, decided here once for every number type (and described, with
what PyTorch, JAX and ForwardDiff.jl do, in docs/limitations.md):

* NaN in gives NaN out: in values and slopes (relu, abs, min/max return or pass on the nan);
  min/max take value and slope from the same argument, the first one at a tie.
* 0 * inf: a zero tangent contributes exactly 0 through an infinite or nan slope, and a
  constant zero factor gives 0 whatever the tangent. The number types decide this only when a
  slope or a value is not finite, so ordinary numbers pay nothing; vector tangents entry by
  entry.
* Infinite slopes at domain edges are one-sided limits (sqrt'(0) = +inf, also at -0.0) and
  stay infinite or undefined under nesting (:func:`_ieee_div`); atan2 at the origin is nan.
* ``**``: x**0 has slope 0 everywhere; at x = 0 see :func:`_d_pow_base` and
  :func:`_d_pow_exponent`; negative bases take integer exponents only (slope in y: nan);
  slopes never overflow where the value does not.
* Tails: where a textbook formula cancels or overflows, another form keeps relative error
  <= 1e-12 wherever the true derivative is a normal float (tests/test_special_values.py).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dualgrad._partials import (  # the table's footnotes
    _2_SQRTPI,
    _D,
    _cos,
    _cosh,
    _d_abs,
    _d_acos,
    _d_acosh,
    _d_asin,
    _d_asinh,
    _d_atan,
    _d_atan2,
    _d_atanh,
    _d_expm1,
    _d_hypot,
    _d_log2,
    _d_log10,
    _d_max_x,
    _d_min_x,
    _d_pow_base,
    _d_pow_exponent,
    _d_relu,
    _d_sigmoid,
    _d_sqrt,
    _d_tanh,
    _exp,
    _gen_sigmoid,
    _ieee_div,
    _math_cbrt,
    _max,
    _min,
    _pow,
    _relu,
    _sigmoid,
    _sin,
    _sinh,
    _softplus,
)

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
    Rule("expm1", math.expm1, (_d_expm1,), (_ANY,)),
    Rule("log", math.log, (lambda x, o: 1 / x,), (_POS,)),
    Rule("log2", math.log2, (_d_log2,), (_POS,)),
    Rule("log10", math.log10, (_d_log10,), (_POS,)),
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
        (_d_asin,),
        (_UNIT,),
        singular=True,
    ),
    Rule(
        "acos",
        math.acos,
        (_d_acos,),
        (_UNIT,),
        singular=True,
    ),
    Rule("atan", math.atan, (_d_atan,), (_ANY,)),
    Rule(
        "atan2",
        math.atan2,
        (lambda y, x, o: _d_atan2(y, x, o)[0], lambda y, x, o: _d_atan2(y, x, o)[1]),
        (_NONZERO, _NONZERO),
        singular=True,
    ),
    # -- hyperbolic -------------------------------------------------------------------------------
    Rule("sinh", math.sinh, (lambda x, o: _cosh(x),), (_ANY,)),
    Rule("cosh", math.cosh, (lambda x, o: _sinh(x),), (_ANY,)),
    Rule("tanh", math.tanh, (_d_tanh,), (_ANY,)),
    Rule("asinh", math.asinh, (_d_asinh,), (_ANY,)),
    Rule(
        "acosh",
        math.acosh,
        (_d_acosh,),
        (_D((1.1, 4.0)),),
        singular=True,
    ),
    Rule("atanh", math.atanh, (_d_atanh,), (_UNIT,)),
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
    Rule("sigmoid", _sigmoid, (_d_sigmoid,), (_D((-6.0, 6.0)),)),
    Rule("softplus", _softplus, (lambda x, o: _gen_sigmoid(x),), (_D((-6.0, 6.0)),)),
    # -- piecewise constant and piecewise selection -----------------------------------------------
    Rule("floor", math.floor, (0.0,), (_OFF_INTEGERS,)),
    Rule("ceil", math.ceil, (0.0,), (_OFF_INTEGERS,)),
    Rule("trunc", math.trunc, (0.0,), (_OFF_INTEGERS,)),
    Rule(
        "min",
        _min,
        (_d_min_x, lambda x, y, o: 1.0 - _d_min_x(x, y, o)),
        (_NONZERO, _D((-0.05, 0.05))),
    ),
    Rule(
        "max",
        _max,
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
