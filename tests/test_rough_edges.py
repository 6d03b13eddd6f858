"""A new user's rough edges, each a reproducer that failed before its fix: integer powers,
special values, missing spellings, errors that say what to do."""

from __future__ import annotations

import math
import random

import pytest
from oracles import oracle

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


# -- second derivatives keep their digits across the domain, tiny arguments included ----------
def test_asin_second_derivative_near_zero():
    assert derivative(derivative(dmath.asin), 1e-8) == pytest.approx(
        1.0000000000000002e-08, rel=3e-16, abs=0
    )
    assert derivative(derivative(dmath.acos), 1e-8) == pytest.approx(
        -1.0000000000000002e-08, rel=3e-16, abs=0
    )
    assert derivative(derivative(dmath.asin), 1e-20) == pytest.approx(1e-20, rel=3e-16, abs=0)


SMOOTH = sorted(
    n
    for n, r in __import__("dualgrad.rules.table", fromlist=["RULES"]).RULES.items()
    if r.arity == 1
    and n not in {"abs", "relu", "floor", "ceil", "trunc", "neg", "pos"}
    and n not in {"gamma", "lgamma", "digamma"}  # slow in mpmath: tests/rules/test_gamma.py
)
SECOND_POINTS = [1e-300, 1e-100, 1e-20, 1e-8, 1e-4, 0.3, 0.5, 0.7, 0.99, 1.5, 3.0, 30.0, 1e8]


@pytest.mark.parametrize("name", SMOOTH)
def test_second_and_third_derivatives_match_mpmath(name):
    from dualgrad.rules.table import RULES

    exact = oracle(name)
    f = getattr(dmath, name, None) or (lambda x: getattr(x, name)())
    for x in SECOND_POINTS + [-p for p in SECOND_POINTS]:
        try:
            RULES[name].f(x)
        except (ValueError, OverflowError):
            continue
        for order in (2, 3):
            bits = 500 + max(0, -math.frexp(x)[1])  # 1 + 1e-300 needs 1000 bits
            with mpmath.workprec(bits):
                step = abs(mpmath.mpf(x)) * mpmath.mpf(2) ** -100
                want = mpmath.diff(exact, mpmath.mpf(x), order, h=step)
            if isinstance(want, mpmath.mpc) or not 2.3e-308 <= abs(want) < 1e300:
                continue
            nested = f
            for _ in range(order):
                nested = derivative(nested)
            got = [nested(x), derivatives(f, x, order=order)[order]]
            assert got == pytest.approx([float(want)] * 2, rel=1e-12, abs=0), (name, x, order)


# -- special values ---------------------------------------------------------------------------
def test_the_exponent_slope_of_zero_to_the_zero_does_not_exist():
    # 0**y is 1 at y = 0 and 0 for y > 0 (undefined below): a jump, so nan, in every mode
    assert math.isnan(derivative(lambda y: 0.0**y, 0.0))
    assert math.isnan(reverse_grad(lambda p: 0.0 ** p[0], [0.0])[0])
    assert math.isnan(grad(lambda p: p[0] ** p[1], [0.0, 0.0])[1])
    assert grad(lambda p: p[0] ** p[1], [0.0, 0.0])[0] == 0.0  # x**0: slope 0
    assert derivative(lambda y: 0.0**y, 2.0) == 0.0
    assert derivative(lambda y: 2.0 ** (y * 0.0), 0.0) == 0.0  # a zero tangent: exactly 0


LOG_POINTS = [inf, -inf, nan, 0.0, 0.5, 1.0, 2.0, 1e308, 5e-324]


@pytest.mark.parametrize("x", LOG_POINTS)
@pytest.mark.parametrize("base", LOG_POINTS)
def test_log_with_a_base_forward_and_reverse_agree(x, base):
    def f(p):
        return dmath.log(p[0], p[1])

    def outcome(g):
        try:
            return g()
        except (ValueError, ZeroDivisionError) as exc:
            return type(exc)

    try:
        want = math.log(x, base)
    except (ValueError, ZeroDivisionError) as exc:
        want = type(exc)
    got = outcome(lambda: f([Dual(x, 1.0), base]))
    assert got is want if isinstance(want, type) else same(got.value, want)
    ways = [outcome(lambda c=c: grad(f, [x, base], chunk=c)) for c in (1, 2)]
    ways += [outcome(lambda: reverse_grad(f, [x, base]))]
    for way in ways[1:]:
        assert isinstance(way, type) == isinstance(ways[0], type), (ways, x, base)
        if not isinstance(way, type):
            assert all(map(same, way, ways[0])), (ways, x, base)
    if not isinstance(want, type) and all(map(math.isfinite, (x, base, want))):
        lx, lb = mpmath.log(x), mpmath.log(base)  # closed forms
        closed = [float(1 / (x * lb)), float(-lx / (base * lb * lb))]
        assert ways[0] == pytest.approx(closed, rel=1e-12, abs=0)


def test_log_with_a_base_raises_what_math_raises():
    for x, base in [(0.0, 1.0), (-1.0, 1.0), (0.0, 0.0), (1.0, 1.0), (2.0, 1.0), (2.0, -1.0)]:
        with pytest.raises((ValueError, ZeroDivisionError)) as want:
            math.log(x, base)
        for args in [(x, base), (Dual(x, 1.0), base), (x, Dual(base, 1.0)), (Value(x), base)]:
            with pytest.raises(want.type):
                dmath.log(*args)
            if type(args[0]) is not float:
                with pytest.raises(want.type):
                    args[0].log(args[1])


def test_atan2_partials_near_the_overflow_threshold_keep_subnormal_values():
    big = [1e308, 1.7e308, -1.7e308, 1.5e308, 8e307]
    for y in [*big, 1.0, 1e-300]:
        for x in big:
            got = grad(lambda p: dmath.atan2(p[0], p[1]), [y, x])
            assert reverse_grad(lambda p: dmath.atan2(p[0], p[1]), [y, x]) == got
            with mpmath.workprec(200):
                q = mpmath.mpf(x) ** 2 + mpmath.mpf(y) ** 2
                want = [float(x / q), float(-y / q)]
            for g, w in zip(got, want, strict=True):
                assert abs(g - w) <= 2 * math.ulp(w), (y, x, got, want)  # subnormal: not 0
            assert got != [0.0, 0.0]


class _NotAFuture:
    def submit(self, fn, *args):
        return fn(*args)  # the result itself


class _WrongResult:
    def submit(self, fn, *args):
        from concurrent.futures import Future

        out: Future = Future()
        out.set_result((fn(*args),))
        return out


@pytest.mark.parametrize("executor", [_NotAFuture(), _WrongResult()])
def test_a_malformed_executor_is_named(executor):
    from dualgrad import jacobian

    name = type(executor).__name__
    with pytest.raises(TypeError, match=f"executor .*{name}"):
        grad(lambda p: p[0] * p[1], [1.0, 2.0], executor=executor)
    with pytest.raises(TypeError, match=f"executor .*{name}"):
        jacobian(lambda p: [p[0] * p[1]], [1.0, 2.0], executor=executor)


# -- spellings a new user reaches for -----------------------------------------------------------
def test_derivative_of_none_is_a_type_error_not_a_function():
    with pytest.raises(TypeError, match=r"got None.*derivative\(f\)"):
        derivative(lambda x: x * x, None)
    assert derivative(derivative(lambda x: x**3))(2.0) == 12.0  # no point: the function f'


def test_a_hand_built_mixed_array_says_what_to_do():
    np = pytest.importorskip("numpy")

    def f(x):
        return np.exp(np.array([x[0], 1.0])).sum()

    for driver in (grad, reverse_grad, lambda f, x: derivative(lambda t: f([t, 0.0]), x[0])):
        with pytest.raises(TypeError, match="no callable exp") as info:
            driver(f, [1.0, 2.0])
        notes = " ".join([str(info.value), *getattr(info.value, "__notes__", [])])
        assert "dmath" in notes and "np.array" in notes
    # what it says works: dmath on the entries, or the parameters' own array
    assert grad(lambda x: sum(dmath.exp(v) for v in (x[0], 1.0)), [1.0, 2.0]) == [math.e, 0.0]
    g = grad(lambda x: np.exp(np.concatenate([x[:1], [1.0]])).sum(), np.array([1.0, 2.0]))
    assert g.tolist() == [math.e, 0.0]


@pytest.mark.parametrize("number", [Dual(2.0, 1.0), Value(2.0)])
def test_real_imag_and_conjugate_as_on_floats(number):
    assert number.real is number and number.conjugate() is number
    assert number.imag == 0.0 == (2.0).imag and type(number.imag) is float
    assert derivative(lambda x: x.real * x.conjugate() + x.imag, 3.0) == 6.0


MATH_EXP2 = getattr(math, "exp2", lambda x: math.pow(2.0, x))  # Python 3.11+


def test_exp2_and_modf_mirror_math():
    rng = random.Random(3)
    for x in [rng.uniform(-1000, 1000) for _ in range(2000)] + [0.0, -0.0, 1.5, 1023.5]:
        out = dmath.exp2(Dual(x, 1.0))
        assert dmath.exp2(x) == MATH_EXP2(x) == out.value  # math's value, bit for bit
        with mpmath.workprec(200):
            assert out.tangent == pytest.approx(
                float(mpmath.power(2, x) * mpmath.log(2)), rel=3e-16, abs=0
            )
    assert derivatives(dmath.exp2, 1.0, order=2) == pytest.approx(
        [2.0, 2 * math.log(2), 2 * math.log(2) ** 2], rel=1e-15
    )
    assert reverse_grad(lambda p: dmath.exp2(p[0]), [3.0]) == [8 * math.log(2)]
    with pytest.raises(OverflowError, match=r"exp2\(2000"):
        dmath.exp2(Dual(2000.0, 1.0))
    for x in (2.5, -2.5, 0.25, -0.75, 7.0, 1e20):
        frac, whole = dmath.modf(Dual(x, 1.0))
        assert (frac.value, whole) == math.modf(x)
        assert frac.tangent == 1.0 and derivative(lambda t: dmath.modf(t)[1], x) == 0.0
    assert reverse_grad(lambda p: 3 * dmath.modf(p[0])[0] + dmath.modf(p[0])[1], [2.5]) == [3.0]
    assert derivatives(lambda t: dmath.modf(t)[0], 2.5, order=2) == [0.5, 1.0, 0.0]
    assert dmath.modf(Dual(inf, 1.0)) == math.modf(inf)
    assert all(map(math.isnan, dmath.modf(Dual(nan, 1.0))))
    assert dmath.modf(2.5) == math.modf(2.5)
