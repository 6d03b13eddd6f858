"""derivatives / taylor / mixed_partial: exact values, shapes, nesting with tags, errors."""

from __future__ import annotations

import math

import mpmath
import pytest

from dualgrad import Dual, derivative, dmath, grad, hessian
from dualgrad.taylormode import Taylor, derivatives, mixed_partial, taylor


def test_derivatives_of_closed_forms() -> None:
    assert derivatives(lambda x: x**5, 2.0, order=6) == [
        32.0,
        80.0,
        160.0,
        240.0,
        240.0,
        120.0,
        0.0,
    ]
    d = derivatives(lambda x: dmath.exp(2.0 * x), 0.5, order=8)
    assert d == pytest.approx([2.0**k * math.e for k in range(9)], rel=1e-14)
    assert derivatives(lambda x: 3.0, 1.0, order=2) == [3.0, 0.0, 0.0]
    assert derivatives(dmath.sin, 1.0, order=0) == [math.sin(1.0)]


def test_derivatives_match_mpmath_diff_for_a_composite() -> None:
    def f(x: object) -> object:
        return dmath.tanh(dmath.sin(x) * x + 0.5) / (1.0 + x * x) + dmath.sqrt(x) ** 1.5

    got = derivatives(f, 0.7, order=10)
    with mpmath.mp.workdps(50):
        g = lambda x: mpmath.tanh(mpmath.sin(x) * x + 0.5) / (1 + x * x) + mpmath.sqrt(x) ** 1.5
        want = [float(mpmath.diff(g, mpmath.mpf("0.7"), k)) for k in range(11)]
    for k, (a, b) in enumerate(zip(got, want, strict=True)):
        assert abs(a - b) <= 1e-12 * max(abs(b), 1.0), k


def test_taylor_on_containers() -> None:
    f = lambda p: {"s": p["a"] * p["b"][0], "e": [dmath.exp(p["b"][1])]}
    x = {"a": 1.0, "b": [2.0, 0.0]}
    v = {"a": 1.0, "b": [1.0, 1.0]}
    c = taylor(f, x, v, order=3)
    # (1 + t)(2 + t) = 2 + 3t + t^2; e^t
    assert [ck["s"] for ck in c] == [2.0, 3.0, 1.0, 0.0]
    assert [ck["e"][0] for ck in c] == pytest.approx([1.0, 1.0, 0.5, 1 / 6])
    assert taylor(lambda y: y * y, 3.0, 1.0, order=2) == [9.0, 6.0, 1.0]


def test_taylor_gives_directional_derivatives_like_hessian() -> None:
    f = lambda p: p[0] ** 2 * dmath.sin(p[1]) + p[0] * p[1] ** 3
    x, v = [0.8, -0.3], [0.6, 1.7]
    h = hessian(f, x)
    quad = sum(v[i] * h[i][j] * v[j] for i in range(2) for j in range(2))
    assert 2 * taylor(f, x, v, order=2)[2] == pytest.approx(quad, rel=1e-13)


def test_mixed_partials_by_polarization() -> None:
    f = lambda p: dmath.exp(p[0]) * p[1] ** 3
    e = math.exp(0.5)
    u, w = [1.0, 0.0], [0.0, 1.0]
    assert mixed_partial(f, [0.5, 2.0], u, w, order=(2, 2)) == pytest.approx(e * 6 * 2.0, rel=1e-11)
    assert mixed_partial(f, [0.5, 2.0], u, w, order=(1, 3)) == pytest.approx(e * 6, rel=1e-11)
    assert mixed_partial(f, [0.5, 2.0], u, w, order=(3, 0)) == pytest.approx(e * 8, rel=1e-11)


# -- no perturbation confusion -----------------------------------------------------------------
def test_classic_confusion_taylor_in_taylor() -> None:
    # d/dx [x * d/dy (x + y)] = 1; a naive implementation answers 2
    d = derivatives(lambda x: x * derivatives(lambda y: x + y, 1.0, order=1)[1], 1.0, order=2)
    assert d == [1.0, 1.0, 0.0]


def test_classic_confusion_derivative_in_taylor() -> None:
    d = derivatives(lambda x: x * derivative(lambda y: x + y, 1.0), 1.0, order=3)
    assert d == [1.0, 1.0, 0.0, 0.0]


def test_classic_confusion_taylor_in_derivative() -> None:
    assert derivative(lambda x: x * derivatives(lambda y: x + y, 1.0, order=2)[1], 1.0) == 1.0


def test_derivative_inside_taylor_is_exact() -> None:
    # g(x) = d/dy sin(x y) at y = 1 = x cos x; its derivatives at 0.5
    d = derivatives(lambda x: derivative(lambda y: dmath.sin(x * y), 1.0), 0.5, order=4)
    x = 0.5
    want = [
        x * math.cos(x),
        math.cos(x) - x * math.sin(x),
        -2 * math.sin(x) - x * math.cos(x),
        -3 * math.cos(x) + x * math.sin(x),
        4 * math.sin(x) + x * math.cos(x),
    ]
    assert d == pytest.approx(want, rel=1e-13)


def test_taylor_inside_grad_and_nested_taylor() -> None:
    # f(a, b) = d^4/dt^4 [b sin(a t)] at t = 0.3 = a^4 b sin(0.3 a)
    g = grad(
        lambda p: derivatives(lambda t: dmath.sin(p[0] * t) * p[1], 0.3, order=4)[4], [1.5, 2.0]
    )
    a, b = 1.5, 2.0
    assert g[0] == pytest.approx(
        b * (4 * a**3 * math.sin(0.3 * a) + 0.3 * a**4 * math.cos(0.3 * a))
    )
    assert g[1] == pytest.approx(a**4 * math.sin(0.3 * a))
    # d^k/dx^k [x^2 e^x] from an inner Taylor pass: e, 3e, 7e
    d = derivatives(
        lambda x: derivatives(lambda y: dmath.exp(x * y), 1.0, order=2)[2], 1.0, order=2
    )
    assert d == pytest.approx([math.e, 3 * math.e, 7 * math.e], rel=1e-14)


def test_dual_and_taylor_meet_in_both_orders() -> None:
    def inner(x: object) -> object:
        return derivative(
            lambda y: dmath.atan2(y, x) + dmath.minimum(x, y) * dmath.hypot(x, y), 0.4
        )

    got = derivatives(inner, 1.2, order=3)
    h = 1e-4
    fd = (inner(1.2 + h) - inner(1.2 - h)) / (2 * h)
    assert got[0] == pytest.approx(inner(1.2)) and got[1] == pytest.approx(fd, rel=1e-7)


def test_leaked_and_bad_results() -> None:
    leaked: list[object] = []
    derivatives(lambda x: leaked.append(x) or x, 1.0, order=2)
    with pytest.raises(TypeError, match="belongs to no Taylor pass"):
        derivatives(lambda x: leaked[0], 1.0, order=2)
    with pytest.raises(TypeError, match="belongs to no derivative"):
        derivatives(lambda x: Dual(1.0, 1.0, 10**9), 1.0, order=2)
    with pytest.raises(TypeError, match="must return a real number"):
        derivatives(lambda x: "no", 1.0)
    with pytest.raises(TypeError, match="x must be a real number"):
        derivatives(lambda x: x, "1.0")
    with pytest.raises(ValueError, match="order"):
        derivatives(lambda x: x, 1.0, order=-1)
    with pytest.raises(ValueError, match="shape"):
        taylor(lambda p: p[0], [1.0, 2.0], [1.0], order=2)
    with pytest.raises(TypeError, match=r"v\[1\]"):
        taylor(lambda p: p[0], [1.0, 2.0], [1.0, None], order=2)
    with pytest.raises(TypeError, match="belongs to no derivative"):
        derivative(lambda y: leaked[0], 1.0)
    assert derivatives(lambda x: derivative(lambda y: x, 1.0), 1.0, order=1) == [0.0, 0.0]
    assert isinstance(leaked[0], Taylor)


def test_ode_taylor_closed_forms() -> None:
    from dualgrad.taylormode import ode_taylor

    assert ode_taylor(lambda y: [y[0] * y[0]], [1.0], order=12)[0] == [1.0] * 13  # 1/(1 - t)
    (tan,) = ode_taylor(lambda y: [1.0 + y[0] * y[0]], [0.0], order=9)
    with mpmath.mp.workdps(50):
        want = [float(c) for c in mpmath.taylor(mpmath.tan, 0, 9)]
    assert tan == pytest.approx(want, rel=1e-14, abs=1e-16)
    # the pendulum from one pass equals K successive Taylor-number passes (no lazy series)
    f = lambda y: [y[1], -dmath.sin(y[0])]
    got = ode_taylor(f, [2.5, 0.3], order=15)
    series = [[2.5], [0.3]]
    for k in range(15):
        out = f([Taylor(c) for c in series])
        for s, o in zip(series, out, strict=True):
            s.append(o.coefficients[k] / (k + 1))
    for a, b in zip(got, series, strict=True):
        assert a == pytest.approx(b, rel=1e-13, abs=1e-15)
    with pytest.raises(ValueError, match="components"):
        ode_taylor(lambda y: [y[0]], [1.0, 2.0], order=2)
    with pytest.raises(TypeError, match="must be a number"):
        ode_taylor(lambda y: ["x"], [1.0], order=2)
