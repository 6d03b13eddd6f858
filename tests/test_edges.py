"""Reproducers at the edges: 0 * inf, NaN, the tails, overflow inside slopes, singular second
derivatives and pow's corners. Each failed before the rules and factories were fixed."""

from __future__ import annotations

import math

import pytest

from dualgrad import Dual, derivative, dmath, grad, hessian, jvp
from dualgrad.reverse import Value
from dualgrad.reverse import grad as reverse_grad

inf, nan = math.inf, math.nan
mpmath = pytest.importorskip("mpmath")


def same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)


# -- 0 * inf ---------------------------------------------------------------------------------
@pytest.mark.parametrize("chunk", [1, 2, "all"])
def test_a_zero_tangent_times_an_infinite_factor_is_zero(chunk):
    pytest.importorskip("numpy")
    assert grad(lambda p: p[0] * p[1], [1.0, inf], chunk=chunk) == [inf, 1.0]
    assert grad(lambda p: dmath.exp(p[0]) * p[1] + p[2], [inf, 1.0, 2.0], chunk=chunk) == [
        inf,
        inf,
        1.0,
    ]
    assert grad(lambda p: dmath.sumprod([p[0]], [p[1]]), [1.0, inf], chunk=chunk) == [inf, 1.0]
    got = grad(lambda p: dmath.matvec([[1.0, inf]], [p[0], p[1]])[0], [2.0, 0.0], chunk=chunk)
    assert got == [1.0, inf]
    assert reverse_grad(lambda p: p[0] * p[1], [1.0, inf]) == [inf, 1.0]


@pytest.mark.parametrize(
    ("name", "x"),
    [(n, x) for n in ("exp", "expm1", "sinh", "cosh") for x in (inf, -inf)]
    + [(n, 5e-324) for n in ("log", "log2", "log10")],
)
def test_a_constant_has_an_exact_zero_tangent(name, x):
    assert getattr(dmath, name)(Dual(x, 0.0)).tangent == 0.0


def test_jvp_and_hypot_with_an_infinite_constant():
    assert jvp(lambda p: dmath.exp(p[0]) + p[1], [inf, 1.0], [0.0, 1.0]) == (inf, 1.0)
    assert dmath.hypot(inf, Dual(1.0, 1.0)).tangent == 0.0
    assert dmath.hypot(Dual(inf, 1.0), 1.0).tangent == 1.0


# -- NaN in, NaN out ---------------------------------------------------------------------------
def test_nan_is_not_swallowed():
    assert math.isnan(dmath.relu(nan))
    assert math.isnan(derivative(abs, nan))
    assert math.isnan(derivative(dmath.relu, nan))
    assert math.isnan(derivative(dmath.fabs, nan))


@pytest.mark.parametrize("op", [dmath.minimum, dmath.maximum])
def test_min_max_with_a_nan_argument_give_nan_value_and_slopes(op):
    # nan in, nan out: the value is nan whichever the other argument, and so is each slope
    # (as relu'(nan)); a zero tangent still contributes an exact 0
    for a, b in ((Dual(1.0, 1.0), nan), (nan, Dual(1.0, 1.0))):
        out = op(a, b)
        assert math.isnan(out.value) and math.isnan(out.tangent)
    out = op(Dual(nan, 1.0), 2.0)
    assert math.isnan(out.value) and math.isnan(out.tangent)
    assert op(Dual(nan, 0.0), 2.0).tangent == 0.0
    v = op(Value(1.0), nan)
    v.backward()
    assert math.isnan(v.data)
    assert all(map(math.isnan, reverse_grad(lambda p: op(p[0], p[1]), [nan, 1.0])))
    assert all(map(math.isnan, grad(lambda p: op(p[0], p[1]), [nan, 1.0])))
    assert op(Dual(1.0, 1.0), 2.0).tangent == (1.0 if op is dmath.minimum else 0.0)


# -- the tails: relative error <= 1e-12 ------------------------------------------------------
TAILS = [
    ("expm1", -20.0, lambda x: mpmath.exp(x)),
    ("expm1", -40.0, lambda x: mpmath.exp(x)),
    ("tanh", 10.0, lambda x: mpmath.sech(x) ** 2),
    ("tanh", 20.0, lambda x: mpmath.sech(x) ** 2),
    ("sigmoid", 20.0, lambda x: mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2),
    ("sigmoid", 40.0, lambda x: mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2),
    ("asinh", 1e200, lambda x: 1 / mpmath.sqrt(x * x + 1)),
    ("acosh", 1e200, lambda x: 1 / mpmath.sqrt(x * x - 1)),
    ("acosh", 1.0 + 2**-40, lambda x: 1 / mpmath.sqrt(x * x - 1)),
    ("atanh", 1.0 - 2**-40, lambda x: 1 / (1 - x * x)),
    ("asin", 1.0 - 2**-40, lambda x: 1 / mpmath.sqrt(1 - x * x)),
    ("log10", 1e300, lambda x: 1 / (x * mpmath.log(10))),
    ("log2", 1e300, lambda x: 1 / (x * mpmath.log(2))),
    ("atan", 1e150, lambda x: 1 / (1 + x * x)),
]


@pytest.mark.parametrize(("name", "x", "truth"), TAILS)
def test_derivatives_keep_their_accuracy_in_the_tails(name, x, truth):
    got = derivative(getattr(dmath, name), x)
    with mpmath.workprec(200):
        want = float(truth(mpmath.mpf(x)))
    assert got == pytest.approx(want, rel=1e-12, abs=0)


def test_softplus_second_derivative_and_atan2_partials_in_the_tails():
    with mpmath.workprec(200):
        x = mpmath.mpf(40)
        want = float(mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2)
    assert derivative(derivative(dmath.softplus), 40.0) == pytest.approx(want, rel=1e-12)
    assert grad(lambda p: dmath.atan2(p[0], p[1]), [1.0, 1e308]) == [1e-308, 0.0]
    assert grad(lambda p: dmath.atan2(p[0], p[1]), [0.0, 5e-324]) == [inf, 0.0]
    assert derivative(dmath.log10, 1e308) == pytest.approx(float(1 / (1e308 * mpmath.log(10))))


# -- overflow inside a derivative formula ------------------------------------------------------
def test_no_overflow_inside_a_slope():
    assert Dual(5e-324, 1.0) ** 0.0 == Dual(1.0, 0.0)
    assert (Dual(5e-324, 1.0) ** 0.0).tangent == 0.0
    assert derivative(lambda x: x**-1, 1e-200) == -inf == derivative(lambda x: 1 / x, 1e-200)
    assert derivative(lambda x: x**-1, -1e-200) == -inf
    hessian(lambda p: p[0] ** p[1], [-2.0, inf])  # no OverflowError from int(inf)
    out = dmath.log(Dual(10**400, 1.0))
    assert out.value == math.log(10**400) and out.tangent == 0.0
    assert dmath.log2(Dual(10**400, 1.0)).value == math.log2(10**400)


# -- second derivatives at singular points stay infinite or undefined -------------------------
@pytest.mark.parametrize(
    ("name", "x", "want"),
    [
        ("sqrt", 0.0, -inf),
        ("asin", 1.0, inf),
        ("asin", -1.0, -inf),
        ("acos", 1.0, -inf),
        ("acos", -1.0, inf),
        ("acosh", 1.0, -inf),
        ("cbrt", 0.0, nan),  # -inf from the right, +inf from the left: undefined
        ("cbrt", -0.0, nan),
    ],
)
def test_second_derivatives_at_singular_points(name, x, want):
    f = getattr(dmath, name)
    assert same(derivative(derivative(f), x), want)
    nested = f(Dual(Dual(x, 1.0, 1), Dual(1.0, 0.0, 1), 2))
    assert same(nested.tangent.tangent, want)


def test_atan2_hessian_at_the_origin_is_undefined_like_its_gradient():
    g = grad(lambda p: dmath.atan2(p[0], p[1]), [0.0, 0.0])
    h = hessian(lambda p: dmath.atan2(p[0], p[1]), [0.0, 0.0])
    assert all(math.isnan(v) for v in g)
    assert all(math.isnan(v) for row in h for v in row)


# -- pow's corners ----------------------------------------------------------------------------
def test_pow_corners():
    # d/dy 0**y at y = 0, where 0**y jumps from 1 to 0, does not exist: nan, so x**x at 0
    # (whose one-sided slope x**x (log x + 1) tends to -inf) is nan too
    assert math.isnan(derivative(lambda x: x**x, 0.0))
    assert math.isnan(derivative(lambda y: 0.0**y, 0.0))
    assert derivative(lambda y: 0.0**y, 1.0) == 0.0
    assert derivative(lambda x: dmath.sqrt(x) * 0.0, 0.0) == 0.0  # identically 0
    assert derivative(lambda x: 0.0 * dmath.sqrt(x), 0.0) == 0.0
    assert derivative(lambda x: x**0.5, 0.0) == inf
    assert derivative(lambda x: x**0, 0.0) == 0.0


# -- errors that name the value --------------------------------------------------------------
def test_overflow_and_log_base_one_errors_name_the_culprit():
    with pytest.raises(OverflowError, match=r"exp\(1000\.0\)"):
        dmath.exp(1000.0)
    with pytest.raises(OverflowError, match=r"exp\(1000\.0\)"):
        dmath.exp(Dual(1000.0, 1.0))
    with pytest.raises(OverflowError, match=r"exp\(1000\.0\)"):
        grad(lambda p: dmath.exp(p[0]) + p[1], [1000.0, 1.0])
    for x in (2.0, Dual(2.0, 1.0)):
        with pytest.raises(ZeroDivisionError, match=r"log\(.*2\.0.*, 1\).*base other than 1"):
            dmath.log(x, 1)
    with pytest.raises(ValueError, match=r"log\(-1\.0\)"):
        dmath.log(-1.0)
