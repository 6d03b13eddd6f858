"""The one table of derivative rules.

Every primitive appears here exactly once: its value on plain numbers (mirroring :mod:`math`),
its local derivative with respect to each argument, and the input domain its test samples.
:class:`~dualgrad.numbers.dual.Dual`, the reverse-mode :class:`~dualgrad.reverse.Value` and the
:mod:`~dualgrad.dmath` mirror are all driven from :data:`RULES`; nothing else states a
derivative.

A partial is a function of the arguments and of the already computed output ``out``
(``d(x, out)`` for one argument, ``d(x, y, out)`` for two), so rules like exp, tanh or sqrt
reuse the value instead of recomputing it. Two simpler forms let the number types specialise
their hot paths: a plain number (the linear operations add, sub, neg, pos: the tangent passes
through, no multiplication) and the name of the *other* argument (mul: d(x*y)/dx is "y").
:meth:`Rule.partial` turns any form into a function for callers that need one.

Partials are written with operators and the generic helpers of the table's footnotes
(:mod:`dualgrad.rules.footnotes`: kinks, singular points, tails), so they also work when the
arguments are themselves Duals (nested derivatives, e.g. a hessian).

The policy at special values, decided here once for every number type (and described, with
what PyTorch, JAX and ForwardDiff.jl do, in docs/limitations.md):

* NaN in gives NaN out: in values and slopes (relu, abs, min/max return or pass on the nan;
  a nan argument of min/max makes both slopes nan); at a tie min/max take value and slope
  from the first argument.
* 0 * inf: a zero tangent contributes exactly 0 through an infinite or nan slope, and a
  constant zero factor gives 0 whatever the tangent. The number types decide this only when a
  slope or a value is not finite, so ordinary numbers pay nothing; vector tangents entry by
  entry.
* Infinite slopes at domain edges are one-sided limits (sqrt'(0) = +inf, also at -0.0) and
  stay infinite or undefined under nesting (:func:`_ieee_div`); at a jump no derivative
  exists: nan (atan2 at the origin, d/dy 0**y at y = 0).
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

from dualgrad.rules.footnotes import (  # the table's footnotes
    _2_SQRTPI,
    _D,
    _LN2,
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
    _math_exp2,
    _max,
    _min,
    _pow,
    _relu,
    _sigmoid,
    _sin,
    _sinh,
    _softplus,
)
from dualgrad.rules.special import (
    _d_copysign_x,
    _d_digamma,
    _d_fmod_y,
    _d_fsum,
    _d_gamma,
    _d_hypot_n,
    _d_ldexp,
    _d_lgamma,
    _d_mod_y,
    _d_polygamma,
    _d_prod,
    _d_remainder_y,
    _digamma,
    _ldexp,
    _no_derivative,
    _polygamma,
    _prod_with_start,
)

__all__ = [
    "BILINEAR",
    "BINARY",
    "REDUCTIONS",
    "RULES",
    "SPELLING",
    "UNARY",
    "Bilinear",
    "Reduction",
    "Rule",
    "install",
]

Interval = tuple[float, float]


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
    integer: tuple[int, ...] = ()
    """Arguments that take plain ints only (ldexp's exponent, polygamma's order): no
    derivative flows through them (their partial refuses a number carrying one), and their
    domain is sampled at the integers of its intervals."""

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
_OFF_POLES = _D((-2.9, -2.1), (-0.9, -0.1), (0.1, 6.0))  # gamma's poles: 0, -1, -2 ...
# remainders: x / y stays off the integers (fmod, %, //) and off the half-integers (remainder)
_DIVIDEND = _D((-2.7, -2.3), (0.2, 0.6), (2.3, 2.7))
_DIVISOR = _D((-1.7, -1.5), (1.5, 1.7))
_ROUND_DIVISOR = _D((-2.2, -2.0), (2.0, 2.2))

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
    Rule("exp2", _math_exp2, (lambda x, o: o * _LN2,), (_ANY,)),
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
    Rule("gamma", math.gamma, (_d_gamma,), (_OFF_POLES,)),
    Rule("lgamma", math.lgamma, (_d_lgamma,), (_OFF_POLES,)),
    Rule("digamma", _digamma, (_d_digamma,), (_OFF_POLES,)),
    Rule(
        "polygamma",  # psi^(n)(x), spelled x.polygamma(n) (dmath.polygamma(n, x) as scipy)
        _polygamma,
        (_d_polygamma, _no_derivative("polygamma's order n")),
        (_OFF_POLES, _D((0.0, 3.0))),
        integer=(1,),
    ),
    # -- angles, signs, exponents and remainders --------------------------------------------------
    Rule("radians", math.radians, (math.pi / 180.0,), (_ANY,)),  # math's own constants
    Rule("degrees", math.degrees, (180.0 / math.pi,), (_ANY,)),
    Rule("copysign", math.copysign, (_d_copysign_x, 0.0), (_NONZERO, _NONZERO)),
    Rule(
        "ldexp",
        _ldexp,
        (_d_ldexp, _no_derivative("ldexp's exponent")),
        (_ANY, _D((-3.0, 3.0))),
        integer=(1,),
    ),
    Rule("fmod", math.fmod, (1.0, _d_fmod_y), (_DIVIDEND, _DIVISOR)),
    Rule("remainder", math.remainder, (1.0, _d_remainder_y), (_DIVIDEND, _ROUND_DIVISOR)),
    Rule("mod", operator.mod, (1.0, _d_mod_y), (_DIVIDEND, _DIVISOR)),  # x % y
    Rule("floordiv", operator.floordiv, (0.0, 0.0), (_DIVIDEND, _DIVISOR)),  # x // y
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
    "mod": ("__mod__", "__rmod__"),
    "floordiv": ("__floordiv__", "__rfloordiv__"),
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
    # divmod is not a rule of its own: Python's (x // y, x % y), from the two rules
    floordiv, mod, rfloordiv, rmod = ops["floordiv"], ops["mod"], rops["floordiv"], rops["mod"]

    def divmod_(self: Any, other: Any) -> tuple[Any, Any]:
        return floordiv(self, other), mod(self, other)

    def rdivmod(self: Any, other: Any) -> tuple[Any, Any]:
        return rfloordiv(self, other), rmod(self, other)

    setattr(cls, "__divmod__", divmod_)  # noqa: B010 - a dunder set on a type made elsewhere
    setattr(cls, "__rdivmod__", rdivmod)  # noqa: B010
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


# ---------------------------------------------------------------------------------------------
# REDUCTIONS — one function of any number of arguments (math.hypot, math.prod, math.fsum)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reduction:
    """A function of n arguments whose value is :mod:`math`'s own and whose n partials come
    at once, in closed form (``partials(values, out)``).

    A number type of the first order applies it in bulk: a Dual (one level, one tag) takes
    math's value of the values and one tangent sum_i t_i * partial_i; a reverse-mode Value
    records one node with those local partials. Every other number type (nested Duals,
    Taylor series, sparsity tracers) composes it from the scalar rule named by ``fold`` -
    exact derivatives of every order, because each step is a rule, and a value equal to
    math's up to rounding. (A bulk rule cannot give higher derivatives; a composition alone
    would not give math's value bit for bit, nor the one-node cost.)
    """

    name: str
    f: Callable[[list[Any]], Any]
    """Value on a list of plain numbers: math's function, bit for bit."""
    partials: Callable[[list[Any], Any], list[Any]]
    """All partials, from the argument values and the output."""
    fold: str
    """The two-argument rule it is composed of for other number types."""


REDUCTIONS: dict[str, Reduction] = {
    "hypot": Reduction("hypot", lambda v: math.hypot(*v), _d_hypot_n, "hypot"),
    "prod": Reduction("prod", _prod_with_start, _d_prod, "mul"),  # v[0] is math.prod's start
    "fsum": Reduction("fsum", math.fsum, _d_fsum, "add"),
}
"""The reductions by name (``dmath.dist`` is hypot of the differences, as in math)."""

UNARY: tuple[str, ...] = tuple(r.name for r in _TABLE if r.arity == 1)
BINARY: tuple[str, ...] = tuple(r.name for r in _TABLE if r.arity == 2)
