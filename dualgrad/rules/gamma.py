"""The polygamma functions on plain floats: psi^(n)(x), the n-th derivative of digamma.

:mod:`math` has gamma and lgamma but not their derivative, digamma psi = Gamma'/Gamma, nor
its derivatives (trigamma psi', ...), which the rule table needs for gamma, lgamma and their
nested and Taylor-mode derivatives. Relative error <= 1e-12 against mpmath where the value is
a normal float, except within about 1e-4 of a zero of psi^(n) at negative x (the reflection
formula cancels there; the error is then absolute, ~1e-16 times the terms).

- x >= X0 (20, more for high orders): the asymptotic series, in Bernoulli numbers;
- 0 < x < X0: the recurrence psi^(n)(x) = psi^(n)(x + 1) - (-1)^n n! / x^(n+1) up to X0
  (for n >= 1 every term has one sign: nothing cancels), and for digamma near its positive
  zero x0 = 1.4616... its Taylor series about x0 (the recurrence cancels there);
- x < 0: the reflection psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi d^n/dx^n cot(pi x), with
  cot(pi x) on the exactly reduced argument;
- poles (0, -1, -2, ..., and -inf for digamma's oscillation) raise ValueError like
  math.gamma; a value beyond the float range is +-inf (as 1 / 5e-324 is).

>>> round(polygamma(0, 1.0), 15)  # -Euler's gamma
-0.577215664901533
>>> round(polygamma(1, 1.0), 15)  # pi**2 / 6
1.644934066848226
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cache

__all__ = ["polygamma"]

INF = math.inf
NAN = math.nan

_BERNOULLI = [Fraction(*ratio) for ratio in (  # B_2, B_4, ..., B_40
    (1, 6), (-1, 30), (1, 42), (-1, 30), (5, 66), (-691, 2730), (7, 6), (-3617, 510),
    (43867, 798), (-174611, 330), (854513, 138), (-236364091, 2730), (8553103, 6),
    (-23749461029, 870), (8615841276005, 14322), (-7709321041217, 510), (2577687858367, 6),
    (-26315271553053477373, 1919190), (2929993913841559, 6), (-261082718496449122051, 13530),
)]  # fmt: skip

# digamma's positive zero x0 as hi + lo, and psi^(k)(x0) / k! for k = 1..25 (mpmath, 50 digits)
_ROOT_HI = 1.4616321449683622
_ROOT_LO = 9.549995429965697e-17
_ROOT_SERIES = (
    0.9676722454476212,
    -0.4427631689835921,
    0.258499760955651,
    -0.16394270544240652,
    0.10782405069126237,
    -0.07219956125645471,
    0.04880428816414311,
    -0.03316112647484736,
    0.022597648232218104,
    -0.01542476590494896,
    0.010538791616612175,
    -0.007204534386356869,
    0.004926781395729853,
    -0.003369801655439328,
    0.002305126326734928,
    -0.0015769367714301972,
    0.0010788252019162967,
    -0.0007380709389960052,
    0.000504953265834602,
    -0.0003454680251063077,
    0.00023635601564027053,
    -0.00016170622091974803,
    0.0001106337276874741,
    -7.569179582195066e-05,
    5.178575795222081e-05,
)
MAX_ORDER = 170
"""n! overflows a float beyond this order."""


def polygamma(n: int, x: float) -> float:
    """psi^(n)(x) for an int n >= 0 and a real x (see the module docstring)."""
    if x != x:
        return NAN
    if x == INF:
        return INF if n == 0 else 0.0
    if x <= 0 and (x == -INF or x == math.floor(x)):
        raise ValueError("math domain error")  # a pole, or -inf (no limit between poles)
    if x < 0:
        return _reflected(n, x)
    if n == 0:
        if abs(x - _ROOT_HI) < 0.25:
            return _near_root(x)
        return _digamma_positive(x)
    return _positive(n, x)


def _start(n: int) -> float:
    """Where the asymptotic series reaches full precision for order n (see _asymptotic)."""
    return 20.0 + 2.0 * n


def _inv_pow(x: float, k: int) -> float:
    """1 / x**k for x > 0, +inf or 0 where it leaves the float range."""
    if x < 1.0:
        try:
            return (1.0 / x) ** k
        except OverflowError:
            return INF
    try:
        return 1.0 / x**k
    except OverflowError:
        return 0.0


def _digamma_positive(x: float) -> float:
    x0 = _start(0)
    total = 0.0
    while x < x0:  # psi(x) = psi(x + 1) - 1/x, terms summed smallest last
        total += 1.0 / x
        x += 1.0
    return _asymptotic(0, x) - total


def _near_root(x: float) -> float:
    d = (x - _ROOT_HI) - _ROOT_LO  # x - _ROOT_HI is exact here (Sterbenz)
    acc = 0.0
    for c in reversed(_ROOT_SERIES):
        acc = acc * d + c
    return acc * d


def _positive(n: int, x: float) -> float:
    x0 = _start(n)
    total = 0.0
    while x < x0:  # every term has the sign of the result: nothing cancels
        total += _inv_pow(x, n + 1)
        x += 1.0
    sign = 1.0 if n % 2 else -1.0  # (-1)**(n+1)
    return _asymptotic(n, x) + sign * _factorial(n) * total


@cache
def _factorial(n: int) -> float:
    if n > MAX_ORDER:
        raise ValueError(
            f"polygamma: order {n} is too high (n! overflows a float beyond {MAX_ORDER})"
        )
    return float(math.factorial(n))


@cache
def _coefficients(n: int) -> tuple[float, ...]:
    """The asymptotic series' coefficients B_2k * C(2k + n - 1, 2k) (n >= 1) or B_2k / 2k."""
    if n == 0:
        return tuple(float(b / (2 * k)) for k, b in enumerate(_BERNOULLI, 1))
    return tuple(float(b * math.comb(2 * k + n - 1, 2 * k)) for k, b in enumerate(_BERNOULLI, 1))


def _asymptotic(n: int, x: float) -> float:
    """x >= _start(n): psi(x) = ln x - 1/2x - sum B_2k / (2k x^2k) and, for n >= 1,
    psi^(n)(x) = (-1)^(n+1) (n-1)!/x^n [1 + n/2x + sum B_2k C(2k+n-1, 2k) / x^2k]."""
    r2 = 1.0 / (x * x) if x < 1e154 else 0.0
    s = 0.0
    p = r2
    for c in _coefficients(n):
        term = c * p
        s += term
        if abs(term) <= 1e-17 * (1.0 if n else abs(math.log(x))):
            break
        p *= r2
    if n == 0:
        return math.log(x) - 0.5 / x - s
    sign = 1.0 if n % 2 else -1.0
    return sign * _factorial(n - 1) * _inv_pow(x, n) * (1.0 + n * 0.5 / x + s)


def _cot_pi(x: float) -> float:
    """cot(pi x) for a non-integer x, on the exactly reduced argument r = x - round(x)."""
    r = x - round(x)  # exact, |r| <= 1/2
    if abs(r) <= 0.25:
        t = math.pi * r
        return math.cos(t) / math.sin(t)
    s = 0.5 - abs(r)  # exact (Sterbenz): cot(pi r) = sign(r) tan(pi (1/2 - |r|))
    return math.copysign(math.tan(math.pi * s), r)


@cache
def _cot_derivative(n: int) -> tuple[int, ...]:
    """P_n with d^n/du^n cot(u) = P_n(cot u): P_0(c) = c, P_(k+1) = -(1 + c^2) P_k'(c).
    Coefficients by ascending power; all nonzero ones share one sign (no cancellation)."""
    p = [0, 1]
    for _ in range(n):
        dp = [i * p[i] for i in range(1, len(p))] + [0, 0]
        p = [-(dp[i] + (dp[i - 2] if i >= 2 else 0)) for i in range(len(dp))]
        while len(p) > 1 and p[-1] == 0:
            p.pop()
    return tuple(p)


def _reflected(n: int, x: float) -> float:
    c = _cot_pi(x)
    acc = 0.0
    for k in reversed(_cot_derivative(n)):
        acc = acc * c + k
    cot_term = math.pi ** (n + 1) * acc if acc - acc == 0 else acc
    mirror = polygamma(n, 1.0 - x)
    return (mirror if n % 2 == 0 else -mirror) - cot_term
