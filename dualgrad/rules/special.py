"""The table's footnotes for the rest of math: sign and remainder functions, ldexp, the gamma
family, and the reductions (functions of any number of arguments, all partials at once).

Like :mod:`dualgrad.rules.footnotes`, nothing outside the table calls these.

>>> _d_prod([2.0, 3.0, 4.0], 24.0)
[12.0, 8.0, 6.0]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from dualgrad.numbers.base import PLAIN, describe, primal
from dualgrad.rules.footnotes import INF, NAN, _inf_sign
from dualgrad.rules.gamma import polygamma as _math_polygamma


# ---------------------------------------------------------------------------------------------
# THE REST OF MATH — sign and remainder functions, ldexp, gamma and its derivatives.
# ---------------------------------------------------------------------------------------------
def _d_copysign_x(x: Any, y: Any, out: Any) -> float:
    # copysign(x, y) = |x| sign(y): slope sign(x) sign(y) with the signs of zeros (so +-1 at
    # x = +-0, a one-sided derivative); nan at a nan x. Piecewise constant: a plain float,
    # exact under nesting too (its own derivative is 0).
    x0, y0 = primal(x), primal(y)
    if x0 != x0:
        return NAN
    return math.copysign(1.0, x0) * math.copysign(1.0, y0)


def _quotient(x: Any, y: Any, out: Any) -> float:
    """The integer q with out = x - q*y (fmod, remainder), from the values: rounding
    (x - out) / y to an integer keeps q consistent with the value at a kink, where x / y
    itself may round across it. Piecewise constant, so a plain float at every level."""
    x0, y0, o0 = primal(x), primal(y), primal(out)
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
    return -float(primal(x) // primal(y))


def _ldexp(x: Any, i: Any) -> Any:
    """math.ldexp, with the exponent's type checked first so the error names it."""
    if not isinstance(i, int):
        raise TypeError(
            f"ldexp: the exponent must be an int (it has no derivative), got {describe(i)} "
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
            f"(of value {describe(primal(args[1]))}) cannot be passed there"
        )

    return refuse


def _polygamma(x: Any, n: Any) -> float:
    """psi^(n)(x), the rule's value function, arguments in the rule's order (x, n) so that a
    number type spells it ``x.polygamma(n)``. Poles raise ValueError, like math.gamma."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(
            f"polygamma: the order n must be an int, got {describe(n)} (type {type(n).__name__})"
        )
    if n < 0:
        raise ValueError(f"polygamma: the order n must be >= 0, got {n}")
    return _math_polygamma(n, float(x))


def _digamma(x: Any) -> float:
    return _math_polygamma(0, float(x))


def _gen_polygamma(x: Any, n: int) -> Any:
    """psi^(n)(x) inside partials: plain numbers directly, other number types by their rule."""
    return _polygamma(x, n) if type(x) in PLAIN else x.polygamma(n)


def _d_gamma(x: Any, out: Any) -> Any:
    return out * _gen_polygamma(x, 0)  # Gamma' = Gamma psi


def _d_lgamma(x: Any, out: Any) -> Any:
    # d/dx log|Gamma(x)| = psi(x); at -inf (lgamma = inf there) psi has no limit: nan
    if primal(x) == -INF:
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
