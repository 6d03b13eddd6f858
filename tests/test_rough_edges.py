"""A new user's rough edges, each a reproducer that failed before its fix: integer powers,
special values, missing spellings, errors that say what to do."""

from __future__ import annotations

import math
import random

import pytest

from dualgrad import Dual, derivative, dmath, grad, hessian
from dualgrad.reverse import Value
from dualgrad.reverse import grad as reverse_grad
from dualgrad.taylormode import derivatives

mpmath = pytest.importorskip("mpmath")
inf, nan = math.inf, math.nan


def same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)


# -- integer powers are products --------------------------------------------------------------
def rosenbrock(p):
    return (p[1] - p[0] ** 2) ** 2


def test_the_hessian_of_an_integer_power_is_exact():
    # 12 a**2 - 4 b + ..., -4 a, 2 at (-1.2, 1): the floats nearest the exact values (as JAX)
    want = [[13.28, 4.8], [4.8, 2.0]]
    assert hessian(rosenbrock, [-1.2, 1.0]) == want
    assert hessian(lambda p: (p[1] - p[0] ** 2.0) ** 2.0, [-1.2, 1.0]) == want
    products = hessian(lambda p: (p[1] - p[0] * p[0]) * (p[1] - p[0] * p[0]), [-1.2, 1.0])
    assert products == want


@pytest.mark.parametrize("n", [2, 3, 4, 5, -1, -2, 3.0])
def test_integer_powers_in_every_mode_and_order_match_mpmath(n):
    rng = random.Random(n)
    for x in [-1.2, 0.1, 3.0, 7.0] + [rng.uniform(-5, 5) for _ in range(20)]:
        with mpmath.workprec(200):
            d1, d2, d3 = (float(mpmath.diff(lambda t: t**n, x, k)) for k in (1, 2, 3))
        forward = derivative(lambda t: t**n, x)
        assert forward == pytest.approx(d1, rel=3e-16, abs=0)  # <= 1.5 ulp (was 2-3)
        assert reverse_grad(lambda p: p[0] ** n, [x])[0] == forward
        v = Value(x)
        (v**n).backward()
        assert v.grad == forward
        second = derivative(derivative(lambda t: t**n), x)
        assert second == pytest.approx(d2, rel=5e-16, abs=0)
        third = derivative(derivative(derivative(lambda t: t**n)), x)
        assert third == pytest.approx(d3, rel=7e-16, abs=1e-300)
        taylor = derivatives(lambda t: t**n, x, order=3)
        assert taylor[1:] == pytest.approx([d1, d2, d3], rel=1e-15, abs=1e-300)


def test_squares_differentiate_exactly_like_products():
    rng = random.Random(2)
    for x in [rng.uniform(-1e3, 1e3) for _ in range(50)]:
        assert derivative(lambda t: t**2, x) == 2 * x
        assert derivative(derivative(lambda t: t**2), x) == 2.0
        assert derivative(lambda t: t**3, x) == 3 * (x * x)  # x*x is pow(x, 2), rounded once
        assert derivative(derivative(lambda t: t**3), x) == 6 * x
        assert derivatives(lambda t: t**2, x, order=3) == derivatives(lambda t: t * t, x, order=3)
