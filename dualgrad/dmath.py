"""A mirror of :mod:`math` that keeps derivatives.

A plain float (or int) in gives exactly what :mod:`math` gives; a :class:`~dualgrad.Dual` in
gives a Dual; any other number type with the method of the same name (the reverse-mode
:class:`~dualgrad.reverse.Value`, for instance) has that method called. Values come from the
rule table in :mod:`dualgrad.rules.table`, derivatives from the number types built on it.

>>> from dualgrad import Dual, dmath
>>> dmath.sin(0.0)
0.0
>>> dmath.sin(Dual(0.0, 1.0))
Dual(0.0, 1.0)
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable, Iterable, Sequence
from functools import reduce
from operator import mul
from typing import Any

from dualgrad.numbers.base import Number, describe, domain_error, is_array, primal, vector
from dualgrad.numbers.dual import Dual, unary_op
from dualgrad.numbers.tangents import zero_wins
from dualgrad.rules import BILINEAR, REDUCTIONS, RULES

__all__ = [
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "cbrt",
    "ceil",
    "cos",
    "copysign",
    "cosh",
    "degrees",
    "digamma",
    "dist",
    "e",
    "erf",
    "erfc",
    "exp",
    "exp2",
    "expm1",
    "fabs",
    "floor",
    "fmod",
    "frexp",
    "fsum",
    "gamma",
    "hypot",
    "inf",
    "isclose",
    "isfinite",
    "isinf",
    "isnan",
    "ldexp",
    "lgamma",
    "log",
    "log10",
    "log1p",
    "log2",
    "matvec",
    "maximum",
    "minimum",
    "modf",
    "nan",
    "pi",
    "polygamma",
    "pow",
    "prod",
    "radians",
    "relu",
    "remainder",
    "sigmoid",
    "sin",
    "sinh",
    "softplus",
    "sqrt",
    "sumprod",
    "tan",
    "tanh",
    "tau",
    "trunc",
]

pi = math.pi
e = math.e
tau = math.tau
inf = math.inf
nan = math.nan


# Value functions straight from the table: plain floats take one call, no dispatch (models run
# these in their innermost loops).
_MATH_ERRORS = (ValueError, OverflowError)
_F_LOG = RULES["log"].f
_DUAL_LOG = unary_op("log")


def _apply(name: str, x: Any, method: str | None = None) -> Any:
    """Dispatch one-argument rule `name`: math's value for plain numbers, else x's method;
    a numpy array entry by entry."""
    if type(x) is float or type(x) is int:
        try:
            return RULES[name].f(x)
        except _MATH_ERRORS as exc:
            raise domain_error(exc, name, x) from None
    bound = getattr(x, method or name, None)
    if bound is None:  # not one of our number types: an array, or raise like math
        if is_array(x):
            return vector().elementwise(lambda e: _apply(name, e, method), x)
        return RULES[name].f(x)
    return bound()


def _mirror(name: str, doc: str) -> Callable[[Any], Any]:
    """The mirror of math.`name`: the table's value function for a float (one call, no
    dispatch: models run these in their innermost loops), a math-like error naming the value,
    and the number's own method (the rule) for a Dual, a Value, a Taylor series ..."""
    f = RULES[name].f
    dual_op = unary_op(name)

    def mirrored(x: Any) -> Any:
        if type(x) is float:
            try:
                return f(x)
            except _MATH_ERRORS as exc:  # named, as on every other path
                raise domain_error(exc, name, x) from None
        if type(x) is Dual:  # FAST PATH: the very operation x.name() calls, without the lookup
            return dual_op(x)
        return _apply(name, x)

    mirrored.__name__ = mirrored.__qualname__ = name
    mirrored.__doc__ = doc
    return mirrored


def _lift(c: Any, like: Any) -> Any:
    """A constant of `like`'s number type (so a two-argument rule can use `like`'s method)."""
    if type(like) is Dual:
        return Dual(c, 0.0, like.tag)
    return type(like)(c)


def _apply2(name: str, x: Any, y: Any, method: str | None = None) -> Any:
    """Dispatch two-argument rule `name` on plain numbers or on our number types."""
    plain = (float, int)
    if type(x) in plain and type(y) in plain:
        try:
            return RULES[name].f(x, y)
        except _MATH_ERRORS as exc:
            raise domain_error(exc, name, x, y) from None
    if getattr(x, method or name, None) is None:
        if is_array(x) or is_array(y):  # entry by entry
            return vector().elementwise(lambda a, b: _apply2(name, a, b, method), x, y)
        if getattr(y, method or name, None) is None:
            return RULES[name].f(x, y)
        x = _lift(x, y)
    return getattr(x, method or name)(y)


# -- exponentials and logarithms ------------------------------------------------------------------
exp = _mirror("exp", "e**x.")
expm1 = _mirror("expm1", "e**x - 1, accurate for small x.")
exp2 = _mirror("exp2", "2**x, like math.exp2 (on every Python version): d/dx = 2**x ln 2.")


def log(x: Any, base: Any = None) -> Any:
    """Natural logarithm, or the logarithm to `base` (like :func:`math.log`)."""
    if base is None:
        if type(x) is float:
            try:
                return _F_LOG(x)
            except _MATH_ERRORS as exc:  # named, as on every other path
                raise domain_error(exc, "log", x) from None
        if type(x) is Dual:  # FAST PATH, as in _mirror
            return _DUAL_LOG(x)
        return _apply("log", x)
    log_x = log(x)  # first, as math.log: log(0.0, 1.0) is a ValueError for the 0
    log_base = log(base)
    if log_base == 0:  # base 1: math.log(x, 1) divides by log(1) = 0
        raise ZeroDivisionError(
            f"float division by zero in log({_shown(x)}, {_shown(base)}): the logarithm to "
            f"base {_shown(base)} is log(x) / log({_shown(base)}) and log({_shown(base)}) is 0; "
            "use a base other than 1"
        )
    if type(x) in (float, int) and type(base) in (float, int):
        return math.log(x, base)
    return log_x / log_base


def _shown(x: Any) -> str:
    return describe(x)


def modf(x: Any) -> tuple[Any, Any]:
    """(fractional part, integer part), with x's sign, like :func:`math.modf`. The integer
    part is piecewise constant: a plain float (derivative 0, as trunc's; frexp's exponent is
    a plain int likewise). The fractional part is x minus it (derivative 1). At +-inf and
    nan, where math gives (+-0.0, +-inf) and (nan, nan), both are math's constants.

    >>> modf(Dual(2.5, 1.0))
    (Dual(0.5, 1.0), 2.0)
    """
    if type(x) is float or type(x) is int:
        return math.modf(x)
    frac, whole = math.modf(_plain(x))  # math's values (and its TypeError for non-numbers)
    if not math.isfinite(whole) or not isinstance(x, Number):
        return frac, whole
    return x - whole, whole  # the sub rule: slope 1 for the fraction


log2 = _mirror("log2", "Base-2 logarithm.")
log10 = _mirror("log10", "Base-10 logarithm.")
log1p = _mirror("log1p", "log(1 + x), accurate for small x.")
sqrt = _mirror("sqrt", "Square root; sqrt'(0) = +inf.")
cbrt = _mirror("cbrt", "Cube root (real, keeps the sign).")


def pow(x: Any, y: Any) -> Any:  # noqa: A001 - mirrors math.pow on purpose
    """x**y with math.pow's domain: ValueError for a negative base and non-integer exponent."""
    if type(x) in (float, int) and type(y) in (float, int):
        return math.pow(x, y)
    return x**y


# -- trigonometric --------------------------------------------------------------------------------
sin = _mirror("sin", "Sine (radians).")
cos = _mirror("cos", "Cosine (radians).")
tan = _mirror("tan", "Tangent (radians).")
asin = _mirror("asin", "Arc sine.")
acos = _mirror("acos", "Arc cosine.")
atan = _mirror("atan", "Arc tangent.")


def atan2(y: Any, x: Any) -> Any:
    """atan(y / x) in the right quadrant."""
    return _apply2("atan2", y, x)


# -- hyperbolic -----------------------------------------------------------------------------------
sinh = _mirror("sinh", "Hyperbolic sine.")
cosh = _mirror("cosh", "Hyperbolic cosine.")
tanh = _mirror("tanh", "Hyperbolic tangent.")
asinh = _mirror("asinh", "Inverse hyperbolic sine.")
acosh = _mirror("acosh", "Inverse hyperbolic cosine.")
atanh = _mirror("atanh", "Inverse hyperbolic tangent.")


# -- special functions ----------------------------------------------------------------------------
erf = _mirror("erf", "Error function.")
erfc = _mirror("erfc", "Complementary error function.")


gamma = _mirror("gamma", "The gamma function; Gamma' = Gamma * digamma.")
lgamma = _mirror("lgamma", "log|Gamma(x)|; its derivative is digamma.")
digamma = _mirror(
    "digamma", "psi(x) = Gamma'(x) / Gamma(x) (not in math): ValueError at the poles 0, -1, ..."
)


def polygamma(n: int, x: Any) -> Any:
    """psi^(n)(x), the n-th derivative of :func:`digamma` (argument order as in scipy).

    >>> round(polygamma(1, 1.0), 12)  # pi**2 / 6
    1.644934066848
    """
    if type(x) in _PLAIN:
        try:
            return _F_POLYGAMMA(x, n)
        except _MATH_ERRORS as exc:
            raise domain_error(exc, "polygamma", n, x) from None
    bound = getattr(x, "polygamma", None)
    if bound is None:
        return _F_POLYGAMMA(x, n)
    if not isinstance(n, int) or isinstance(n, bool):
        _F_POLYGAMMA(0.0, n)  # the order's TypeError, naming it
    return bound(n)


_F_POLYGAMMA = RULES["polygamma"].f


def hypot(*coordinates: Any) -> Any:
    """The Euclidean norm sqrt(sum of squares) without overflow, like :func:`math.hypot`.

    Two arguments are the table's rule; any other number a reduction (see :func:`fsum`):
    d/dx_i = x_i / hypot, and 0 at the origin (the cone's kink, as for two).

    >>> hypot(3.0, 4.0), hypot(Dual(1.0, 1.0), 2.0, 2.0)
    (5.0, Dual(3.0, 0.3333333333333333))
    """
    if len(coordinates) == 2:
        return _apply2("hypot", *coordinates)
    if all(map(_real, coordinates)):
        return math.hypot(*coordinates)
    return _reduce("hypot", list(coordinates))


def dist(p: Iterable[Any], q: Iterable[Any]) -> Any:
    """The Euclidean distance of two points, like :func:`math.dist`: the hypot of the
    differences (as math computes it), so d/dp_i = (p_i - q_i) / dist.

    >>> dist([0.0, 0.0], [3.0, 4.0])
    5.0
    """
    p, q = list(p), list(q)
    if len(p) != len(q):
        raise ValueError(
            f"dist: both points must have the same number of dimensions ({len(p)} and {len(q)})"
        )
    if all(map(_real, p)) and all(map(_real, q)):
        return math.dist(p, q)
    return _reduce("hypot", [a - b for a, b in zip(p, q, strict=True)])


def prod(iterable: Iterable[Any], /, *, start: Any = 1) -> Any:
    """The product of the numbers, like :func:`math.prod`; each partial is the product of the
    others (no division: exact at zeros).

    >>> prod([2.0, Dual(3.0, 1.0), 0.0])
    Dual(0.0, 0.0)
    """
    factors = [start, *iterable]
    if all(map(_real, factors)):
        return math.prod(factors[1:], start=start)
    return _reduce("prod", factors)


def fsum(iterable: Iterable[Any], /) -> Any:
    """An accurate sum, like :func:`math.fsum`: plain numbers give math's result. For Duals
    of one level the value is math.fsum of the values and the tangent the (fsum of the)
    tangents; a reverse-mode Value is one node. These are bulk reductions
    (:data:`dualgrad.rules.REDUCTIONS`); other number types (nested Duals, Taylor series)
    compose them from the table's scalar rules, which keeps every higher derivative.

    >>> fsum([0.1] * 10), fsum([Dual(0.1, 1.0)] * 10)
    (1.0, Dual(1.0, 10.0))
    """
    terms = list(iterable)
    if all(map(_real, terms)):
        return math.fsum(terms)
    return _reduce("fsum", terms)


def _real(c: Any) -> bool:
    """A plain real number (numpy scalars and Fractions too), none of our number types."""
    return type(c) in _PLAIN or (isinstance(c, numbers.Real) and not isinstance(c, Number))


def _reduce(name: str, args: list[Any]) -> Any:
    """Reduction `name` on arguments that are not all plain (see :class:`rules.Reduction`)."""
    args = [float(a) if type(a) not in _PLAIN and _real(a) else a for a in args]

    red = REDUCTIONS[name]
    kinds = {type(a) for a in args}
    kinds.difference_update(_PLAIN)
    if kinds == {Dual}:
        duals = [a for a in args if type(a) is Dual]
        tag = duals[0].tag
        if all(d.tag == tag and type(d.value) in _PLAIN for d in duals):  # one level
            values = [a.value if type(a) is Dual else a for a in args]
            out = _reduced_value(red.f, name, values, args)
            partials = red.partials(values, out)
            terms = [
                zero_wins(a.tangent, p)
                for a, p in zip(args, partials, strict=True)
                if type(a) is Dual
            ]
            return Dual.from_parts(out, _sum(terms), tag)
    from dualgrad.reverse import Value  # reverse mode is optional to this module

    if all(isinstance(a, Value) or type(a) in _PLAIN for a in args):
        values = [a.data if isinstance(a, Value) else a for a in args]
        out = _reduced_value(red.f, name, values, args)
        partials = red.partials(values, out)
        pairs = [(a, p) for a, p in zip(args, partials, strict=True) if isinstance(a, Value)]
        return Value(out, [a for a, _ in pairs], [p for _, p in pairs])
    # nested Duals, Taylor series, tracers: composed from the table's two-argument rule
    if name == "hypot":
        if len(args) < 2:
            return abs(args[0]) if args else 0.0
        return reduce(lambda a, b: _apply2("hypot", a, b), args)
    return reduce(operator.mul if name == "prod" else operator.add, args)


def _reduced_value(f: Callable[[list[Any]], Any], name: str, values: list[Any], args: Any) -> Any:
    try:
        return f(values)
    except _MATH_ERRORS as exc:
        raise domain_error(exc, name, *args) from None


def _sum(terms: list[Any]) -> Any:
    """The sum of tangent terms: fsum when all are plain floats (accurate), else in order."""
    if all(type(t) in _PLAIN for t in terms):
        try:
            return math.fsum(terms)
        except _MATH_ERRORS:  # inf - inf, or an intermediate overflow: IEEE sums decide
            pass
    return reduce(operator.add, terms) if terms else 0.0


# -- angles, signs, exponents and remainders ---------------------------------------------------
radians = _mirror("radians", "Degrees to radians (a constant slope, math's own constant).")
degrees = _mirror("degrees", "Radians to degrees.")


def copysign(x: Any, y: Any) -> Any:
    """|x| with the sign of y; d/dx = sign(x) sign(y) (signed zeros count), d/dy = 0."""
    return _apply2("copysign", x, y)


def fmod(x: Any, y: Any) -> Any:
    """x - trunc(x / y) * y, like :func:`math.fmod`: d/dx = 1, d/dy = -trunc(x / y)."""
    return _apply2("fmod", x, y)


def remainder(x: Any, y: Any) -> Any:
    """IEEE remainder x - n y, n the nearest integer to x / y: d/dx = 1, d/dy = -n."""
    return _apply2("remainder", x, y)


def ldexp(x: Any, i: int) -> Any:
    """x * 2**i for an int i (TypeError for anything else, as math): d/dx = 2**i."""
    if type(x) in _PLAIN:
        try:
            return _F_LDEXP(x, i)
        except _MATH_ERRORS as exc:
            raise domain_error(exc, "ldexp", x, i) from None
    if not isinstance(i, int):
        _F_LDEXP(0.0, i)  # the exponent's TypeError, naming it
    bound = getattr(x, "ldexp", None)
    return _F_LDEXP(x, i) if bound is None else bound(i)


_F_LDEXP = RULES["ldexp"].f


def frexp(x: Any) -> tuple[Any, int]:
    """(m, e) with x = m * 2**e and 0.5 <= |m| < 1, like :func:`math.frexp`. The exponent is
    a plain int (piecewise constant); the mantissa is ``ldexp(x, -e)``, so its derivative is
    the tangent times 2**-e.

    >>> frexp(Dual(8.0, 1.0))
    (Dual(0.5, 0.0625), 4)
    """
    if type(x) in _PLAIN:
        return math.frexp(x)
    _, e = math.frexp(_plain(x))
    return ldexp(x, -e), e


# -- piecewise ------------------------------------------------------------------------------------
def fabs(x: Any) -> Any:
    """Absolute value (abs'(0) = 0); a float for plain numbers, like math.fabs."""
    if type(x) in (float, int):
        return math.fabs(x)
    return abs(x)


def floor(x: Any) -> Any:
    """Largest integer <= x; derivative 0."""
    return _apply("floor", x, "__floor__")


def ceil(x: Any) -> Any:
    """Smallest integer >= x; derivative 0."""
    return _apply("ceil", x, "__ceil__")


def trunc(x: Any) -> Any:
    """x rounded towards 0; derivative 0."""
    return _apply("trunc", x, "__trunc__")


def minimum(x: Any, y: Any) -> Any:
    """The smaller of two numbers; at a tie the first one's derivative (like builtin min)."""
    return _apply2("min", x, y, "minimum")


def maximum(x: Any, y: Any) -> Any:
    """The larger of two numbers; at a tie the first one's derivative (like builtin max)."""
    return _apply2("max", x, y, "maximum")


# -- neural-network activations -------------------------------------------------------------------
relu = _mirror("relu", "max(x, 0); relu'(0) = 0.")
sigmoid = _mirror("sigmoid", "1 / (1 + e**-x), computed without overflow.")
softplus = _mirror("softplus", "log(1 + e**x), computed without overflow.")


# -- sums of products: the table's bilinear rule ------------------------------------------------
_SUMPROD = BILINEAR["sumprod"].f
_PLAIN = (float, int)


def sumprod(p: Sequence[Any], q: Sequence[Any]) -> Any:
    """sum(p_i * q_i), like :func:`math.sumprod` (Python 3.12+), summed left to right.

    Plain floats sum in C. A number type may apply the bilinear rule in bulk (its
    ``_sumprod``): Duals carrying vector tangents combine them in one matrix product, and
    reverse-mode Values record one node instead of 2n-1. Otherwise the mul and add rules do it
    term by term; the derivative is the same either way.

    >>> sumprod([1.0, 2.0], [3.0, 4.0])
    11.0
    """
    if len(p) != len(q):  # as math.sumprod
        raise ValueError(f"sumprod: inputs are not the same length ({len(p)} and {len(q)})")
    if len(p):
        a, b = type(p[0]), type(q[0])
        if a not in _PLAIN or b not in _PLAIN:
            for kind in (a, b):
                bulk = getattr(kind, "_sumprod", None)
                if bulk is not None:
                    out = bulk(p, q)
                    if out is not None:
                        return out
    return _SUMPROD(p, q)


def matvec(w: Sequence[Sequence[Any]], x: Sequence[Any]) -> list[Any]:
    """The matrix-vector product ``[sumprod(row, x) for row in w]`` (w stored out x in).

    A number type among the operands may apply it in bulk (its ``_matvec``, see
    :func:`sumprod`): Duals with vector tangents as one matrix product, Values as one vector
    node for the whole product (with numpy; one node per output without it).

    >>> matvec([[1.0, 2.0], [3.0, 4.0]], [1.0, -1.0])
    [-1.0, -1.0]
    """
    n = len(x)
    if not len(w):
        return []
    if set(map(len, w)) != {n}:  # zip-like sums would silently drop the excess
        bad = next(len(row) for row in w if len(row) != n)
        raise ValueError(f"matvec: a row of {bad} entries against {n} inputs")
    if n:
        kinds = set(map(type, x))
        kinds.add(type(w[0][0]))
        kinds.difference_update(_PLAIN)
        for kind in kinds:
            bulk = getattr(kind, "_matvec", None)
            if bulk is not None:
                out = bulk(w, x)
                if out is not None:
                    return out
    return [sum(map(mul, row, x)) for row in w]


# -- predicates (on the value; they return bools, so no derivative is lost) -----------------------
def _plain(x: Any) -> Any:
    """The plain number inside any of our number types (Dual, Value, Taylor, tracers)."""
    for _ in range(100):
        if type(x) in _PLAIN:
            break
        x = primal(x)
        if type(x) not in _PLAIN and hasattr(x, "value"):  # a sparsity tracer
            x = x.value
    return x


def isfinite(x: Any) -> bool:
    """True if the value is neither inf nor nan."""
    return math.isfinite(_plain(x))


def isinf(x: Any) -> bool:
    """True if the value is +-inf."""
    return math.isinf(_plain(x))


def isnan(x: Any) -> bool:
    """True if the value is nan."""
    return math.isnan(_plain(x))


def isclose(a: Any, b: Any, *, rel_tol: float = 1e-09, abs_tol: float = 0.0) -> bool:
    """math.isclose on the values."""
    return math.isclose(_plain(a), _plain(b), rel_tol=rel_tol, abs_tol=abs_tol)
