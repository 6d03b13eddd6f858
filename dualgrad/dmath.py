"""A mirror of :mod:`math` that keeps derivatives.

A plain float (or int) in gives exactly what :mod:`math` gives; a :class:`~dualgrad.Dual` in
gives a Dual; any other number type with the method of the same name (the reverse-mode
:class:`~dualgrad.reverse.Value`, for instance) has that method called. Values come from the
rule table in :mod:`dualgrad.rules.table`, derivatives from the number types built on it;
each function dispatches one rule (:mod:`dualgrad.numbers.apply`), and math's functions of
many numbers (fsum, prod, hypot, dist, sumprod, matvec) come from
:mod:`dualgrad.numbers.reductions`.

>>> from dualgrad import Dual, dmath
>>> dmath.sin(0.0)
0.0
>>> dmath.sin(Dual(0.0, 1.0))
Dual(0.0, 1.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from dualgrad.numbers.apply import MATH_ERRORS, apply_binary, apply_unary
from dualgrad.numbers.base import PLAIN, Number, describe, domain_error, primal
from dualgrad.numbers.dual import Dual, unary_op
from dualgrad.numbers.reductions import dist, fsum, hypot, matvec, prod, sumprod
from dualgrad.rules import RULES

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
_F_LOG = RULES["log"].f
_DUAL_LOG = unary_op("log")


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
            except MATH_ERRORS as exc:  # named, as on every other path
                raise domain_error(exc, name, x) from None
        if type(x) is Dual:  # FAST PATH: the very operation x.name() calls, without the lookup
            return dual_op(x)
        return apply_unary(name, x)

    mirrored.__name__ = mirrored.__qualname__ = name
    mirrored.__doc__ = doc
    return mirrored


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
            except MATH_ERRORS as exc:  # named, as on every other path
                raise domain_error(exc, "log", x) from None
        if type(x) is Dual:  # FAST PATH, as in _mirror
            return _DUAL_LOG(x)
        return apply_unary("log", x)
    log_x = log(x)  # first, as math.log: log(0.0, 1.0) is a ValueError for the 0
    log_base = log(base)
    if log_base == 0:  # base 1: math.log(x, 1) divides by log(1) = 0
        shown, base_shown = describe(x), describe(base)
        raise ZeroDivisionError(
            f"float division by zero in log({shown}, {base_shown}): the logarithm to base "
            f"{base_shown} is log(x) / log({base_shown}) and log({base_shown}) is 0; "
            "use a base other than 1"
        )
    if type(x) in PLAIN and type(base) in PLAIN:
        return math.log(x, base)
    return log_x / log_base


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
    frac, whole = math.modf(_number_inside(x))  # math's values (and its TypeError for non-numbers)
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
    if type(x) in PLAIN and type(y) in PLAIN:
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
    return apply_binary("atan2", y, x)


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
    if type(x) in PLAIN:
        try:
            return _F_POLYGAMMA(x, n)
        except MATH_ERRORS as exc:
            raise domain_error(exc, "polygamma", n, x) from None
    bound = getattr(x, "polygamma", None)
    if bound is None:
        return _F_POLYGAMMA(x, n)
    if not isinstance(n, int) or isinstance(n, bool):
        _F_POLYGAMMA(0.0, n)  # the order's TypeError, naming it
    return bound(n)


_F_POLYGAMMA = RULES["polygamma"].f


# -- angles, signs, exponents and remainders ---------------------------------------------------
radians = _mirror("radians", "Degrees to radians (a constant slope, math's own constant).")
degrees = _mirror("degrees", "Radians to degrees.")


def copysign(x: Any, y: Any) -> Any:
    """|x| with the sign of y; d/dx = sign(x) sign(y) (signed zeros count), d/dy = 0."""
    return apply_binary("copysign", x, y)


def fmod(x: Any, y: Any) -> Any:
    """x - trunc(x / y) * y, like :func:`math.fmod`: d/dx = 1, d/dy = -trunc(x / y)."""
    return apply_binary("fmod", x, y)


def remainder(x: Any, y: Any) -> Any:
    """IEEE remainder x - n y, n the nearest integer to x / y: d/dx = 1, d/dy = -n."""
    return apply_binary("remainder", x, y)


def ldexp(x: Any, i: int) -> Any:
    """x * 2**i for an int i (TypeError for anything else, as math): d/dx = 2**i."""
    if type(x) in PLAIN:
        try:
            return _F_LDEXP(x, i)
        except MATH_ERRORS as exc:
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
    if type(x) in PLAIN:
        return math.frexp(x)
    _, e = math.frexp(_number_inside(x))
    return ldexp(x, -e), e


# -- piecewise ------------------------------------------------------------------------------------
def fabs(x: Any) -> Any:
    """Absolute value (abs'(0) = 0); a float for plain numbers, like math.fabs."""
    if type(x) in PLAIN:
        return math.fabs(x)
    return abs(x)


def floor(x: Any) -> Any:
    """Largest integer <= x; derivative 0."""
    return apply_unary("floor", x, "__floor__")


def ceil(x: Any) -> Any:
    """Smallest integer >= x; derivative 0."""
    return apply_unary("ceil", x, "__ceil__")


def trunc(x: Any) -> Any:
    """x rounded towards 0; derivative 0."""
    return apply_unary("trunc", x, "__trunc__")


def minimum(x: Any, y: Any) -> Any:
    """The smaller of two numbers; at a tie the first one's derivative (like builtin min)."""
    return apply_binary("min", x, y, "minimum")


def maximum(x: Any, y: Any) -> Any:
    """The larger of two numbers; at a tie the first one's derivative (like builtin max)."""
    return apply_binary("max", x, y, "maximum")


# -- neural-network activations -------------------------------------------------------------------
relu = _mirror("relu", "max(x, 0); relu'(0) = 0.")
sigmoid = _mirror("sigmoid", "1 / (1 + e**-x), computed without overflow.")
softplus = _mirror("softplus", "log(1 + e**x), computed without overflow.")


# -- predicates (on the value; they return bools, so no derivative is lost) -----------------------
def _number_inside(x: Any) -> Any:
    """The plain number inside any of our number types (Dual, Value, Taylor, tracers)."""
    for _ in range(100):
        if type(x) in PLAIN:
            break
        x = primal(x)
        if type(x) not in PLAIN and hasattr(x, "value"):  # a sparsity tracer
            x = x.value
    return x


def isfinite(x: Any) -> bool:
    """True if the value is neither inf nor nan."""
    return math.isfinite(_number_inside(x))


def isinf(x: Any) -> bool:
    """True if the value is +-inf."""
    return math.isinf(_number_inside(x))


def isnan(x: Any) -> bool:
    """True if the value is nan."""
    return math.isnan(_number_inside(x))


def isclose(a: Any, b: Any, *, rel_tol: float = 1e-09, abs_tol: float = 0.0) -> bool:
    """math.isclose on the values."""
    return math.isclose(_number_inside(a), _number_inside(b), rel_tol=rel_tol, abs_tol=abs_tol)
