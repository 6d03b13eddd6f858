"""The functions the rule table names: values and partials that are more than one line.

The table in :mod:`dualgrad.rules` lists every primitive; where its value function or a partial
needs care - a generic elementary function that also takes Duals (nested derivatives), a value
computed without overflow, a tail rewritten for accuracy, a kink or a singular point - the
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

from dualgrad._gamma import polygamma as _math_polygamma
from dualgrad._number import primal

Interval = tuple[float, float]
INF = math.inf
NAN = math.nan
_REAL = (float, int)


def _D(*intervals: Interval) -> tuple[Interval, ...]:
    return intervals


# Generic elementary functions used *inside partials*: plain numbers go to math, anything else
# (an inner Dual when derivatives are nested, a Taylor series) to its own method of that name.
def _generic(name: str) -> Callable[[Any], Any]:
    on_float = getattr(math, name)

    def apply(x: Any) -> Any:
        if type(x) in _REAL:
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
    if type(x) in _REAL:
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
    if type(x) in _REAL and type(y) in _REAL:
        return math.pow(x, y)
    math.pow(_value(x), _value(y))  # nested Duals: math's domain (and overflow) on the values
    return x**y


def _value(x: Any) -> Any:
    """The plain number inside nested Duals, Taylor series or any of our number types."""
    return x if type(x) in _REAL else primal(x)


def _plain(x: Any) -> bool:
    return type(x) in _REAL


def _pointwise(x: Any) -> bool:
    """A plain number, a Dual (a value and a tangent) or a float array (a dual array's values,
    entry by entry plain numbers: a branching rewrite then goes entry by entry, never to the
    textbook form, which overflows in the tails). Other number types - Taylor series -
    take a partial's textbook form: the float-only rewrites below (for overflow and the tails)
    would cost them extra series per coefficient, and their own arithmetic is exact enough."""
    return type(x) in _REAL or hasattr(x, "tangent") or _is_array(x)


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
    if _plain(b):
        if b:
            return a / b
        a0 = _value(a)
        if a0 == 0 or a0 != a0:
            return NAN
        return INF if a0 > 0 else -INF
    if _is_array(b) or _is_array(a):
        return _ieee_div_arrays(a, b)
    if not hasattr(b, "tangent"):  # another number type (Taylor series): the plain limit
        if b:
            return a / b
        return _ieee_div(a, _value(b))
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
    """t * p where a zero t contributes exactly 0 even for an infinite p (inside partials;
    the number types' own version is their ``_scale``)."""
    if _plain(t):
        return t * p if t else 0.0
    if hasattr(t, "tag"):  # a Dual tangent: decide on its value
        return t * p if _value(t) else 0.0 * t
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
    x0 = _value(x)
    if y == 0 and (_plain(y) or not 0 < abs(x0) < INF):
        return 0.0 * y
    if x0 == 0 and y < 1:
        return INF if y > 0 else _ieee_div(y, x)
    if (
        type(y) in _REAL
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
        return y * ratio if _value(ratio) - _value(ratio) == 0 else (y / x) * out
    try:
        return y * x ** (y - 1)
    except OverflowError:
        y0 = _value(y)
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


# ---------------------------------------------------------------------------------------------
# THE REST OF MATH — sign and remainder functions, ldexp, gamma and its derivatives.
# ---------------------------------------------------------------------------------------------
def _d_copysign_x(x: Any, y: Any, out: Any) -> float:
    # copysign(x, y) = |x| sign(y): slope sign(x) sign(y) with the signs of zeros (so +-1 at
    # x = +-0, a one-sided derivative); nan at a nan x. Piecewise constant: a plain float,
    # exact under nesting too (its own derivative is 0).
    x0, y0 = _value(x), _value(y)
    if x0 != x0:
        return NAN
    return math.copysign(1.0, x0) * math.copysign(1.0, y0)


def _quotient(x: Any, y: Any, out: Any) -> float:
    """The integer q with out = x - q*y (fmod, remainder), from the values: rounding
    (x - out) / y to an integer keeps q consistent with the value at a kink, where x / y
    itself may round across it. Piecewise constant, so a plain float at every level."""
    x0, y0, o0 = _value(x), _value(y), _value(out)
    if y0 == 0:  # only a nan x gets here (a finite one raises): the value is nan too
        return NAN
    q = (x0 - o0) / y0
    return float(round(q)) if q - q == 0 else q


def _d_fmod_y(x: Any, y: Any, out: Any) -> float:
    return -_quotient(x, y, out)  # -trunc(x / y)


def _d_remainder_y(x: Any, y: Any, out: Any) -> float:
    return -_quotient(x, y, out)  # minus the quotient rounded to nearest (ties to even)


def _d_mod_y(x: Any, y: Any, out: Any) -> float:
    # -floor(x / y) as Python computes it alongside x % y (divmod), so both agree at kinks
    return -float(_value(x) // _value(y))


def _ldexp(x: Any, i: Any) -> Any:
    """math.ldexp, with the exponent's type checked first so the error names it."""
    if not isinstance(i, int):
        raise TypeError(
            f"ldexp: the exponent must be an int (it has no derivative), got {_describe(i)} "
            f"(type {type(i).__name__})"
        )
    return math.ldexp(x, i)


def _d_ldexp(x: Any, i: Any, out: Any) -> float:
    try:
        return math.ldexp(1.0, i)  # 2**i exactly
    except OverflowError:  # 2**i beyond the floats (x tiny, the value finite): the limit
        return INF


def _no_derivative(what: str) -> Callable[..., Any]:
    """The partial of an argument that takes ints only (ldexp's exponent, polygamma's order):
    reached only when a number carrying a derivative is passed there, which is refused."""

    def refuse(*args: Any) -> Any:
        raise TypeError(
            f"{what} must be a plain int: it has no derivative, so a number carrying one "
            f"(of value {_describe(_value(args[1]))}) cannot be passed there"
        )

    return refuse


def _describe(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def _polygamma(x: Any, n: Any) -> float:
    """psi^(n)(x), the rule's value function, arguments in the rule's order (x, n) so that a
    number type spells it ``x.polygamma(n)``. Poles raise ValueError, like math.gamma."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(
            f"polygamma: the order n must be an int, got {_describe(n)} (type {type(n).__name__})"
        )
    if n < 0:
        raise ValueError(f"polygamma: the order n must be >= 0, got {n}")
    return _math_polygamma(n, float(x))


def _digamma(x: Any) -> float:
    return _math_polygamma(0, float(x))


def _gen_polygamma(x: Any, n: int) -> Any:
    """psi^(n)(x) inside partials: plain numbers directly, other number types by their rule."""
    return _polygamma(x, n) if type(x) in _REAL else x.polygamma(n)


def _d_gamma(x: Any, out: Any) -> Any:
    return out * _gen_polygamma(x, 0)  # Gamma' = Gamma psi


def _d_lgamma(x: Any, out: Any) -> Any:
    # d/dx log|Gamma(x)| = psi(x); at -inf (lgamma = inf there) psi has no limit: nan
    if _value(x) == -INF:
        return NAN
    return _gen_polygamma(x, 0)


def _d_digamma(x: Any, out: Any) -> Any:
    return _gen_polygamma(x, 1)


def _d_polygamma(x: Any, n: Any, out: Any) -> Any:
    return _gen_polygamma(x, n + 1)


# ---------------------------------------------------------------------------------------------
# REDUCTIONS — functions of any number of arguments (rules.REDUCTIONS): all partials at once.
# ---------------------------------------------------------------------------------------------
def _d_hypot_n(values: list[Any], out: Any) -> list[Any]:
    # d out / d x_i = x_i / out. The cone's kink at the origin: 0 (as for two arguments); at an
    # infinite argument the limits (sign for it, 0 for the finite ones); nan in, nan out. Where
    # out is subnormal or overflows, from values scaled by a power of 2 (exact).
    n = len(values)
    if out == 0:
        return [0.0] * n
    if out != out:
        return [NAN] * n
    if out == INF and any(v == INF or v == -INF for v in values):
        return [_inf_sign(v) for v in values]
    if 2.2250738585072014e-308 <= out < INF:
        return [v / out for v in values]
    e = math.frexp(max(map(abs, values)))[1]
    scaled = [math.ldexp(v, -e) for v in values]
    h = math.hypot(*scaled)
    return [v / h for v in scaled]


def _d_prod(values: list[Any], out: Any) -> list[Any]:
    # d/dx_i prod = the product of the others, from prefix and suffix products: no division,
    # so a zero factor gives the exact partials (all 0 but its own) and two zeros all 0
    n = len(values)
    right: list[Any] = [1] * (n + 1)
    for i in range(n - 1, -1, -1):
        right[i] = right[i + 1] * values[i]
    partials = []
    left: Any = 1
    for i in range(n):
        partials.append(left * right[i + 1])
        left = left * values[i]
    return partials


def _d_fsum(values: list[Any], out: Any) -> list[Any]:
    return [1.0] * len(values)


def _prod_with_start(values: list[Any]) -> Any:
    return math.prod(values[1:], start=values[0])  # values[0] is math.prod's start
