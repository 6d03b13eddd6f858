"""digamma and polygamma against mpmath; gamma and lgamma to high order (Taylor mode, nested
Duals, reverse mode) against mpmath; poles and overflow as in math."""

from __future__ import annotations

import math
import random

import pytest

from dualgrad import Dual, derivative, dmath, hessian
from dualgrad.reverse import grad as reverse_grad
from dualgrad.rules.gamma import polygamma
from dualgrad.taylormode import derivatives

mpmath = pytest.importorskip("mpmath")
mp = mpmath.mp

_RNG = random.Random(14)
POINTS = (
    [_RNG.uniform(-30.0, 60.0) for _ in range(60)]
    + [10 ** _RNG.uniform(-300, 12) for _ in range(25)]  # tiny to huge
    + [_RNG.uniform(1.2, 1.75) for _ in range(25)]  # around digamma's positive zero
    + [-(10 ** _RNG.uniform(-300, 3)) for _ in range(20)]  # (mpmath is slow far below 0)
    + [0.5, 1.0, 1.4616321449683622, 2.0, 1e308, 5e-324, -0.5, -2.5]
)


def _near_negative_zero(n, x):
    """Within 1e-3 of a zero of psi^(n) at negative x: the reflection cancels there."""
    if x >= 0 or n % 2:
        return False
    with mp.workdps(30):
        v = mpmath.polygamma(n, x)
        d = mpmath.polygamma(n + 1, x)
    return abs(v / d) < 1e-3 * max(1.0, abs(x))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 6])
def test_polygamma_matches_mpmath_to_1e_12(n):
    checked = 0
    for x in POINTS:
        if x == math.floor(x) and x <= 0:
            continue
        with mp.workdps(30):
            want = mpmath.polygamma(n, x)
        if not (2.3e-308 <= abs(want) <= 1.7e308) or _near_negative_zero(n, x):
            continue
        got = polygamma(n, x)
        assert abs(got - want) <= 1e-12 * abs(want), (n, x, got, float(want))
        checked += 1
    assert checked > 80
    if n == 0:  # far below 0: the reflection at a half-integer, cot = 0
        x = -1e15 - 0.5
        with mp.workdps(30):
            want = mpmath.digamma(x)
        assert abs(polygamma(0, x) - want) <= 1e-12 * abs(want)


def test_digamma_near_its_positive_zero_keeps_relative_accuracy():
    x0 = 1.4616321449683622
    for k in range(1, 40):
        x = x0 + k * 1e-10 * (-1) ** k
        with mp.workdps(30):
            want = mpmath.digamma(x)
        assert abs(polygamma(0, x) - want) <= 1e-13 * abs(want)


def test_poles_raise_like_math_gamma_and_other_edges():
    for x in (0.0, -0.0, -1.0, -7.0, -1e300, -math.inf):
        with pytest.raises(ValueError, match="math domain error"):
            polygamma(0, x)
        with pytest.raises(ValueError, match=r"math domain error in digamma"):
            dmath.digamma(x)
    assert math.isnan(polygamma(0, math.nan)) and math.isnan(polygamma(3, math.nan))
    assert polygamma(0, math.inf) == math.inf and polygamma(2, math.inf) == 0.0
    assert polygamma(0, 5e-324) == -math.inf  # -1/x beyond the floats, as 1 / 5e-324
    assert polygamma(1, 1e-200) == math.inf
    with pytest.raises(ValueError, match="order 171 is too high"):
        polygamma(171, 2.0)


def test_dmath_polygamma_checks_its_order():
    assert dmath.polygamma(1, 1.0) == polygamma(1, 1.0)
    with pytest.raises(TypeError, match=r"order n must be an int, got 1\.0"):
        dmath.polygamma(1.0, 2.0)
    with pytest.raises(TypeError, match="order n must be an int"):
        dmath.polygamma(Dual(1, 1.0), Dual(2.0, 1.0))
    with pytest.raises(ValueError, match=">= 0"):
        dmath.polygamma(-1, 2.0)
    y = dmath.polygamma(1, Dual(2.0, 1.0))
    assert y.tangent == polygamma(2, 2.0)


def _log_abs_gamma(x):
    return mpmath.log(abs(mpmath.gamma(x)))


@pytest.mark.parametrize("x", [0.3, 1.4616321449683622, 3.7, 12.5, -0.5, -2.5, -3.9])
def test_lgamma_and_gamma_to_order_8_in_taylor_mode(x):
    for fn, oracle in ((dmath.lgamma, _log_abs_gamma), (dmath.gamma, mpmath.gamma)):
        got = derivatives(fn, x, order=8)
        with mp.workdps(40):
            want = [mpmath.diff(oracle, x, k) for k in range(9)]
        for k, (g, w) in enumerate(zip(got, want, strict=True)):
            assert abs(g - w) <= 1e-11 * abs(w), (fn.__name__, x, k, g, float(w))


def test_nested_duals_and_reverse_mode_agree_with_the_closed_forms():
    # d/dx lgamma = psi, d2/dx2 = psi', d3 = psi''
    x = 2.75
    second = derivative(lambda t: derivative(dmath.lgamma, t), x)
    assert second == pytest.approx(polygamma(1, x), rel=1e-14)
    third = derivative(lambda t: derivative(lambda s: derivative(dmath.lgamma, s), t), x)
    assert third == pytest.approx(polygamma(2, x), rel=1e-14)
    h = hessian(lambda p: dmath.gamma(p[0] * p[1]), [1.5, 2.0])
    u = 3.0
    g1, g2 = (
        math.gamma(u) * polygamma(0, u),
        math.gamma(u) * (polygamma(0, u) ** 2 + polygamma(1, u)),
    )
    assert h[0][1] == pytest.approx(g1 + 1.5 * 2.0 * g2, rel=1e-13)
    assert h[0][0] == pytest.approx(4.0 * g2, rel=1e-13)
    r = reverse_grad(lambda p: dmath.lgamma(p[0]) + dmath.gamma(p[1]), [0.25, -1.5])
    assert r[0] == polygamma(0, 0.25)
    assert r[1] == pytest.approx(math.gamma(-1.5) * polygamma(0, -1.5), rel=1e-15)


def test_gamma_overflow_and_poles_raise_like_math():
    for fn in (dmath.gamma, dmath.lgamma):
        with pytest.raises(ValueError, match=r"math domain error in \w*gamma\(-2\.0\)"):
            fn(Dual(-2.0, 1.0))
    with pytest.raises(OverflowError, match=r"math range error in gamma\(172\.0\)"):
        dmath.gamma(Dual(172.0, 1.0))
    with pytest.raises(OverflowError, match=r"lgamma\(1e\+308\)"):
        dmath.lgamma(Dual(1e308, 1.0))
    # gamma's value is finite, its slope beyond the floats: +inf, and a zero tangent gives 0
    y = dmath.gamma(Dual(171.6, 1.0))
    assert y.value == math.gamma(171.6) and y.tangent == math.inf
    assert dmath.gamma(Dual(171.6, 0.0)).tangent == 0.0
    assert math.isnan(dmath.lgamma(Dual(math.nan, 1.0)).tangent)
    assert dmath.lgamma(Dual(-math.inf, 1.0)).value == math.inf
    assert math.isnan(dmath.lgamma(Dual(-math.inf, 1.0)).tangent)  # psi has no limit there
