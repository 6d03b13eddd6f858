"""The functions the rule table names: values and partials that are more than one line.

The table (:mod:`dualgrad.rules.table`) lists every primitive; where its value function or a
partial needs care - a generic elementary function that also takes Duals (nested derivatives),
a value computed without overflow, a tail rewritten for accuracy, a kink or a singular point - the
table names a function from here. Nothing outside the table calls these: they are its
footnotes, kept apart so the table reads as one page.

>>> _ieee_div(1.0, 0.0), _ieee_div(-1.0, 0.0)
(inf, -inf)
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

from dualgrad.numbers.base import PLAIN, primal

INF = math.inf
NAN = math.nan


# Generic elementary functions used *inside partials*: plain numbers go to math, anything else
# (an inner Dual when derivatives are nested, a Taylor series) to its own method of that name.
def _generic(name: str) -> Callable[[Any], Any]:
    on_float = getattr(math, name)

    def apply(x: Any) -> Any:
        if type(x) in PLAIN:
            return on_float(x)
        method = getattr(x, name, None)
        return method() if method is not None else _numpy(name)(x)  # a float ndarray

    apply.__name__ = f"_{name}"
    return apply


_exp, _log, _sqrt, _sin, _cos, _sinh, _cosh = map(
    _generic, ("exp", "log", "sqrt", "sin", "cos", "sinh", "cosh")
)


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
    if type(x) in PLAIN:
        return _sigmoid(x)
    if _is_array(x):  # the two stable forms, each where it is stable
        np = sys.modules["numpy"]
        z = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    return x.sigmoid()


def _is_array(x: Any) -> bool:
    """A numpy float array of more than one entry (a dual array's values or partials): the
    helpers above then compute entry by entry with numpy's ufuncs."""
    return getattr(x, "ndim", 0) > 0


def _numpy(name: str) -> Any:
    return getattr(sys.modules["numpy"], name)  # an array is here, so numpy is loaded


def _relu(x: float) -> float:
    # nan in gives nan out (as in PyTorch and JAX): `x > 0` alone would turn nan into 0
    return x if x > 0 or x != x else 0.0


def _picks_first_min(x: Any, y: Any) -> bool:
    # min(x, y) is x at a tie (like builtin min) and whichever argument is nan (unlike it:
    # builtin min(1.0, nan) is 1.0). Value and derivative both read this one test.
    return x <= y or x != x


def _picks_first_max(x: Any, y: Any) -> bool:
    return x >= y or x != x


def _min(x: Any, y: Any) -> Any:
    return x if _picks_first_min(x, y) else y


def _max(x: Any, y: Any) -> Any:
    return x if _picks_first_max(x, y) else y


def _cbrt(x: float) -> float:
    # math.cbrt arrived in Python 3.12; keep 3.10/3.11 exact for perfect cubes' sign
    return math.copysign(abs(x) ** (1.0 / 3.0), x)


_math_cbrt = getattr(math, "cbrt", _cbrt)
_math_exp2 = getattr(math, "exp2", lambda x: math.pow(2.0, x))  # math.exp2: Python 3.11+


def _pow(x: Any, y: Any) -> Any:
    """x ** y with math.pow's domain (ValueError, never a complex or ZeroDivisionError)."""
    if type(x) in PLAIN and type(y) in PLAIN:
        return math.pow(x, y)
    math.pow(primal(x), primal(y))  # nested Duals: math's domain (and overflow) on the values
    return x**y


def _is_plain(x: Any) -> bool:
    return type(x) in PLAIN


def _pointwise(x: Any) -> bool:
    """A plain number, a Dual (a value and a tangent) or a float array (a dual array's values,
    entry by entry plain numbers: a branching rewrite then goes entry by entry, never to the
    textbook form, which overflows in the tails). Other number types - Taylor series -
    take a partial's textbook form: the float-only rewrites below (for overflow and the tails)
    would cost them extra series per coefficient, and their own arithmetic is exact enough."""
    return type(x) in PLAIN or hasattr(x, "tangent") or _is_array(x)


_2_SQRTPI = 2.0 / math.sqrt(math.pi)
_EXACT_Y = 2.0**53  # integer exponents y below this have y - 1 exact
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


# ---------------------------------------------------------------------------------------------
# SPECIAL CASES — kinks and singular points, decided once here (and listed in the README).
# ---------------------------------------------------------------------------------------------
def _ieee_div(a: Any, b: Any) -> Any:
    """a / b with IEEE-754 results at b == 0 (+-inf by the sign of a, or nan for 0/0) instead
    of an exception: the one-sided limit from inside the domain, where b -> 0+.

    Used by partials that are genuinely infinite at a domain edge: sqrt'(0) = +inf,
    asin'(+-1) = +inf, acosh'(1) = +inf, cbrt'(0) = +inf. When b is a Dual (nested
    derivatives) whose value is 0, the quotient stays a Dual: its own derivative is infinite or
    undefined too (sqrt''(0) = -inf), never a silent 0.
    """
    if _is_plain(b):
        if b:
            return a / b
        a0 = primal(a)
        if a0 == 0 or a0 != a0:
            return NAN
        return INF if a0 > 0 else -INF
    if _is_array(b) or _is_array(a):
        return _ieee_div_arrays(a, b)
    if not hasattr(b, "tangent"):  # another number type (Taylor series): the plain limit
        if b:
            return a / b
        return _ieee_div(a, primal(b))
    if b != 0:
        return a / b
    # b = bv + bt*e with bv == 0 (a number type of the Dual kind): the quotient rule, with
    # IEEE partials. a is a constant unless it is on b's own level.
    bv, bt = b.value, b.tangent
    same = type(a) is type(b) and a.tag == b.tag
    av, at = (a.value, a.tangent) if same else (a, 0.0)
    q = _ieee_div(av, bv)
    if q != q:  # 0/0: undefined, and so is its derivative
        tangent = (at + bt) * NAN
    else:
        r = _ieee_div(1.0, bv)  # d(a/b) = a'/b - (a/b) b'/b
        tangent = _zero_wins(at, r) - _zero_wins(bt, q * r)
    return type(b)(q, tangent, b.tag)


def _ieee_div_arrays(a: Any, b: Any) -> Any:
    """:func:`_ieee_div` entry by entry on numpy arrays: a / b, and at b == 0 the sign of a
    (whatever the sign of the zero), nan for 0/0 and nan/0."""
    np = sys.modules["numpy"]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.divide(a, b)
    zero = b == 0
    if np.any(zero):
        limit = np.where(a > 0, INF, np.where(a < 0, -INF, NAN))
        q = np.where(zero, limit, q)
    return q


def _zero_wins(t: Any, p: Any) -> Any:
    """t * p where a zero t contributes exactly 0 even for an infinite p: the rules' own, for
    a partial computed from a Dual's parts. (Dual's operations scale by
    :func:`dualgrad.numbers.tangents.zero_wins`, which also zeroes entry by entry in vector
    tangents and lets a zero partial win; the rules import only numbers.base.)"""
    if _is_plain(t):
        return t * p if t else 0.0
    if hasattr(t, "tag"):  # a Dual tangent: decide on its value
        return t * p if primal(t) else 0.0 * t
    return t * p


def _recip_scaled(x: Any, c: float) -> Any:
    """1 / (c * x) without overflow in c * x (huge x, huge ints) or in 1 / x (tiny x)."""
    if x < 1:
        return 1.0 / (x * c)
    return (1 / x) / c  # `1 / x` is exact-then-rounded for an int of any size


def _d_abs(x: Any, out: Any) -> float:
    # abs'(0) = 0: the sign convention (a valid subgradient, and what `sign` gives); nan at nan.
    return 1.0 if x > 0 else (-1.0 if x < 0 else (0.0 if x == 0 else NAN))


def _d_relu(x: Any, out: Any) -> float:
    # relu'(0) = 0, the tutorial's table: 1 if x > 0 else 0 (and PyTorch's/JAX's choice); nan
    # at nan.
    return 1.0 if x > 0 else (0.0 if x <= 0 else NAN)


def _d_sqrt(x: Any, out: Any) -> Any:
    # sqrt'(0) = +inf: the true one-sided derivative, also at -0.0. A zero tangent still
    # contributes 0.
    return _ieee_div(0.5, out)


def _d_expm1(x: Any, out: Any) -> Any:
    # e**x, not out + 1, which cancels for x < 0 (at -40 it would be 0 against 4.2e-18)
    return out + 1.0 if x > 0 else _exp(x)


def _d_log2(x: Any, out: Any) -> Any:
    return _recip_scaled(x, _LN2)


def _d_log10(x: Any, out: Any) -> Any:
    return _recip_scaled(x, _LN10)


def _d_tanh(x: Any, out: Any) -> Any:
    # 1 - tanh**2 cancels for |x| > 1/2 (at 20 it is 0 against 1.7e-17): there sech**2 from
    # e = e**(-2|x|), 4e / (1 + e)**2, which never overflows.
    if -0.5 < x < 0.5:
        return 1.0 - out * out
    e = _exp(-2.0 * abs(x))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def _d_sigmoid(x: Any, out: Any) -> Any:
    # s(x) * s(-x), not out * (1 - out), which cancels for large x; near 0 the derivative of
    # either product cancels (s'(x) s(-x) - s(x) s'(-x)): there 1 / (4 cosh(x/2)**2)
    if -1.0 < x < 1.0:
        c = _cosh(0.5 * x)
        return 0.25 / (c * c)
    if not _pointwise(x):  # (one exp series, not two sigmoids)
        e = _exp(-abs(x))
        return e / ((1.0 + e) * (1.0 + e))
    return _gen_sigmoid(x) * _gen_sigmoid(-x)


def _d_asinh(x: Any, out: Any) -> Any:
    # 1 / sqrt(x*x + 1), with x*x kept from overflowing for |x| > 1 (at 1e200 the true 1e-200)
    if -1.0 <= x <= 1.0:
        return 1.0 / _sqrt(x * x + 1.0)
    r = 1.0 / x
    return abs(r) / _sqrt(1.0 + r * r)


def _d_acosh(x: Any, out: Any) -> Any:
    # 1 / sqrt((x - 1)(x + 1)): the factored form is exact near 1 (x*x - 1 cancels there),
    # and for large x the scaled form does not overflow
    if x <= 2.0:
        return _ieee_div(1.0, _sqrt((x - 1.0) * (x + 1.0)))
    r = 1.0 / x
    return r / _sqrt((1.0 - r) * (1.0 + r))


def _d_asin(x: Any, out: Any) -> Any:
    return _rsqrt_one_minus_square(x)


def _d_acos(x: Any, out: Any) -> Any:
    return -_rsqrt_one_minus_square(x)


def _rsqrt_one_minus_square(x: Any) -> Any:
    # 1 / sqrt(1 - x*x). Near +-1 from (1 - x)(1 + x), exact there (1 - x*x cancels); within
    # 1/2 of 0 that product's own derivative, (1 - x) - (1 + x), cancels instead (asin''(1e-8)
    # lost nine digits), so there from 1 - x*x, by the power rule (one rounding near 1, where
    # sqrt and then 1/s round twice): nested derivatives within about an ulp
    if -0.5 < x < 0.5:
        return (1.0 - x * x) ** -0.5
    return _ieee_div(1.0, _sqrt((1.0 - x) * (1.0 + x)))


def _d_atanh(x: Any, out: Any) -> Any:
    if -0.5 < x < 0.5:  # as _rsqrt_one_minus_square: -u**-2 rounds once, 1/u's -o/u twice
        return (1.0 - x * x) ** -1
    return 1.0 / ((1.0 - x) * (1.0 + x))


def _d_atan(x: Any, out: Any) -> Any:
    # 1 / (1 + x*x), and for |x| > 1 r*r / (1 + r*r) with r = 1/x (x*x would overflow)
    if -1.0 <= x <= 1.0:
        return 1.0 / (1.0 + x * x)
    r = 1.0 / x
    return r * r / (1.0 + r * r)


def _d_pow_base(x: Any, y: Any, out: Any) -> Any:
    # d/dx x**y = y * x**(y-1), computed as y * (out / x) (or (y / x) * out) where ordinary: no
    # overflow in x**(y-1) when x**y itself is fine (x**-1 at 1e-200, 5e-324**5e-324), and no
    # rounding of y - 1 (y = 1e308). x**0 is the constant 1: slope 0 (at 0, at a subnormal x,
    # at nan). At x = 0 and 0 < y < 1 the slope is +inf (like sqrt). Where out underflows to 0,
    # the formula itself. Every form is a formula in x and y, so nested derivatives stay exact.
    x0 = primal(x)
    if y == 0 and (_is_plain(y) or not 0 < abs(x0) < INF):
        return 0.0 * y
    if x0 == 0 and y < 1:
        return INF if y > 0 else _ieee_div(y, x)
    if (
        type(y) in PLAIN
        and y % 1 == 0
        and -_EXACT_Y < y < _EXACT_Y
        and (_pointwise(x) or 0 < y < 5)
    ):
        # an integer power is a product: y * x**(y-1) has no quotient to round (2x for the
        # square, exactly as x * x gives it), so its derivatives of every order are the
        # products' (a hessian of (b - a**2)**2 is exact); the forms below where it overflows.
        # (A Taylor series would build a chain of y or K powers this way: small y only.)
        try:
            return 2.0 * x if y == 2 else y * x ** (y - 1)
        except OverflowError:
            pass
    if x0 != 0 and out != 0 and x0 - x0 == 0:
        ratio = out / x
        return y * ratio if primal(ratio) - primal(ratio) == 0 else (y / x) * out
    try:
        return y * x ** (y - 1)
    except OverflowError:
        y0 = primal(y)
        negative = (y0 < 0) != (x0 < 0 and float(y0 - 1) % 2 == 1)
        return -INF if negative else INF


def _d_pow_exponent(x: Any, y: Any, out: Any) -> Any:
    # d/dy x**y = x**y * log(x). At x = 0 the limit 0 for y > 0 (0**y = 0 there); at (0, 0),
    # where 0**y jumps from 1 to 0 (and is undefined below), no derivative exists: nan, as
    # atan2's at its jump (so d/dx x**x at 0 is nan too). For x < 0 (only integer y are
    # allowed) the real function of y does not exist around y: nan. A zero tangent on the
    # exponent turns either nan back into an exact 0 (rule.singular).
    if x > 0:
        return out * _log(x)
    if x == 0:
        return NAN if y == 0 else 0.0
    return NAN


def _d_hypot(x: Any, y: Any, out: Any) -> tuple[Any, Any]:
    # hypot has a cone-shaped kink at the origin, like abs at 0: we choose 0 there. At an
    # infinite argument the limits: sign(x) for the infinite one, 0 for a finite one.
    if out == 0:
        return (0.0, 0.0)
    if out != out:
        return (NAN, NAN)
    if out == INF and (x == INF or x == -INF or y == INF or y == -INF):
        return (_inf_sign(x), _inf_sign(y))
    # scaled by m = max(|x|, |y|), so that subnormal arguments keep their digits
    m = max(abs(x), abs(y))
    xs, ys = x / m, y / m
    r = _sqrt(xs * xs + ys * ys)
    return (xs / r, ys / r)


def _inf_sign(x: Any) -> float:
    return 1.0 if x == INF else (-1.0 if x == -INF else (NAN if x != x else 0.0))


def _d_atan2(y: Any, x: Any, out: Any) -> tuple[Any, Any]:
    # (x, -y) / (x*x + y*y), scaled by m = max(|x|, |y|) so that neither overflows nor
    # underflows (at (1, 1e308) the true 1e-308, at (0, 5e-324) an exact 0 and +inf). atan2
    # is discontinuous at the origin: nan there (no derivative exists), also under nesting; a
    # zero tangent still contributes an exact 0. At an infinite argument the limits, 0.
    if not (_pointwise(x) and _pointwise(y)):
        q = x * x + y * y
        return (_ieee_div(x, q), _ieee_div(-y, q))
    m = max(abs(x), abs(y))
    if m == 0 or m != m:
        q = x * x + y * y
        return (_ieee_div(x, q), _ieee_div(-y, q))
    if m == INF:
        return (0.0, 0.0)
    xs, ys = x / m, y / m
    r = xs * xs + ys * ys  # in [1, 2]: divided by m last, where (r * m) would overflow
    return ((xs / r) / m, (-ys / r) / m)


def _d_min_x(x: Any, y: Any, out: Any) -> float:
    # min/max at a tie follow builtin min/max, which return the first argument. A nan
    # argument is the value, and nan the slope in either argument (nan in, nan out, as
    # relu'(nan)); the other partial is 1 - this one, nan too.
    if x != x or y != y:
        return NAN
    return 1.0 if x <= y else 0.0


def _d_max_x(x: Any, y: Any, out: Any) -> float:
    if x != x or y != y:
        return NAN
    return 1.0 if x >= y else 0.0
