"""Dual numbers: arithmetic, comparisons, methods, edge cases and bad input."""

from __future__ import annotations

import math
import pickle

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dualgrad import Dual, derivative, dmath
from dualgrad.numbers.dual import binary_op, unary_op
from dualgrad.rules import RULES


# -- the tutorial's derivative table, exactly -----------------------------------------------------
def test_square_at_three_is_six():
    assert (Dual(3.0, 1.0) ** 2).tangent == 6.0
    assert (Dual(3.0, 1.0) * Dual(3.0, 1.0)).tangent == 6.0


@pytest.mark.parametrize(
    ("f", "x", "expected"),
    [
        (lambda x: x + 5.0, 2.0, 1.0),  # addition: 1
        (lambda x: x * 7.0, 2.0, 7.0),  # multiplication: y
        (lambda x: x**3, 2.0, 12.0),  # power: n x^(n-1)
        (lambda x: x.exp(), 1.5, math.exp(1.5)),  # exponential: e^x
        (lambda x: x.log(), 4.0, 0.25),  # logarithm: 1/x
        (lambda x: x.relu(), 2.0, 1.0),  # relu: 1 if x > 0
        (lambda x: x.relu(), -2.0, 0.0),  # relu: else 0
    ],
)
def test_tutorial_derivative_table(f, x, expected):
    assert f(Dual(x, 1.0)).tangent == pytest.approx(expected, rel=1e-15)


def test_chain_rule_example_is_28():
    x = Dual(3.0, 1.0)
    assert ((2 * x + 1) ** 2).tangent == 28.0


# -- mixing with plain numbers on either side -----------------------------------------------------
@pytest.mark.parametrize("other", [2, 2.0, Dual(2.0)])
def test_arithmetic_with_int_float_and_dual_on_either_side(other):
    x = Dual(3.0, 1.0)
    cases = [
        (x + other, 5.0, 1.0),
        (other + x, 5.0, 1.0),
        (x - other, 1.0, 1.0),
        (other - x, -1.0, -1.0),
        (x * other, 6.0, 2.0),
        (other * x, 6.0, 2.0),
        (x / other, 1.5, 0.5),
        (other / x, 2 / 3, -2 / 9),
        (x**other, 9.0, 6.0),
        (other**x, 8.0, 8 * math.log(2)),
    ]
    for got, value, tangent in cases:
        assert type(got) is Dual
        assert got.value == pytest.approx(value, rel=1e-15)
        assert got.tangent == pytest.approx(tangent, rel=1e-15)


def test_unary_operators():
    x = Dual(-2.0, 1.0)
    assert (-x).value == 2.0 and (-x).tangent == -1.0
    assert (+x).value == -2.0 and (+x).tangent == 1.0
    assert abs(x).value == 2.0 and abs(x).tangent == -1.0


def test_plain_numbers_are_not_wrapped():
    x = Dual(3.0, 1.0)
    y = x * 2
    assert type(y.value) is float and type(y.tangent) is float
    assert (x + 1).tangent is x.tangent  # add passes the tangent through untouched


def test_dual_power_carries_both_partials():
    z = Dual(2.0, 1.0) ** Dual(3.0, 1.0)
    assert z.value == 8.0
    assert z.tangent == pytest.approx(12.0 + 8.0 * math.log(2.0), rel=1e-15)


def test_pow_limits_have_no_nan():
    assert (0.0 ** Dual(2.0, 1.0)).tangent == 0.0
    assert (0.0 ** Dual(2.0, 1.0)).value == 0.0
    z = Dual(0.0, 1.0) ** 0
    assert (z.value, z.tangent) == (1.0, 0.0)
    z = Dual(5.0, 1.0) ** 0
    assert (z.value, z.tangent) == (1.0, 0.0)
    z = Dual(0.0, 1.0) ** Dual(2.0, 0.0)
    assert (z.value, z.tangent) == (0.0, 0.0)
    # negative base, integer exponent: fine; the exponent's zero tangent must not poison it
    z = Dual(-2.0, 1.0) ** Dual(3.0, 0.0)
    assert (z.value, z.tangent) == (-8.0, 12.0)
    z = Dual(-2.0, 1.0) ** 2
    assert (z.value, z.tangent) == (4.0, -4.0)
    assert (Dual(0.0, 1.0) ** 0.5).tangent == math.inf
    assert (Dual(0.0, 1.0) ** 1).tangent == 1.0
    assert (Dual(0.0, 1.0) ** 3).tangent == 0.0


def test_kinks():
    assert Dual(0.0, 1.0).relu().tangent == 0.0
    assert abs(Dual(0.0, 1.0)).tangent == 0.0
    assert Dual(0.0, 1.0).sqrt().tangent == math.inf
    assert Dual(0.0, 0.0).sqrt().tangent == 0.0  # a zero tangent stays exactly zero


def test_a_flat_slope_gives_exactly_zero_and_a_unit_slope_the_tangent_itself():
    np = pytest.importorskip("numpy")
    # relu off: 0 whatever comes in (as JAX and PyTorch), a plain 0 the bulk products skip
    assert Dual(-2.0, math.inf).relu().tangent == 0.0
    off = Dual(-2.0, np.array([1.0, math.inf, math.nan])).relu()
    assert type(off.tangent) is float and off.tangent == 0.0
    t = np.array([1.0, 2.0])
    assert Dual(3.0, t).relu().tangent is t  # on: the same vector, not a copy
    # a nested partial is multiplied out: d2/dx2 cos at 0 is -1 although -sin(0) is 0
    d2 = derivative(derivative(lambda x: x.cos()))
    assert d2(0.0) == -1.0


# -- comparisons and Value-style methods ----------------------------------------------------------
def test_comparisons_use_the_value():
    a, b = Dual(1.0, 5.0), Dual(2.0, -1.0)
    assert a < b and a <= b and b > a and b >= a and a < 1.5 and a > 0.5
    assert max(a, b) is b and min(a, b) is a
    assert sorted([b, a, Dual(0.0)]) == [0.0, 1.0, 2.0]
    assert Dual(1.0, 1.0) == Dual(1.0, 2.0)  # values only (documented)
    assert Dual(1.0) == 1 and Dual(1.0) != 2
    assert bool(Dual(0.0, 1.0)) is False and bool(Dual(0.5))


def test_duals_are_unhashable():
    with pytest.raises(TypeError):
        hash(Dual(1.0))


def test_value_style_methods_and_data_alias():
    x = Dual(0.5, 1.0)
    for name in ["exp", "log", "relu", "tanh", "sigmoid", "sqrt", "sin", "cos", "softplus"]:
        got = getattr(x, name)()
        assert got.value == RULES[name].f(0.5)
    assert x.data == 0.5
    assert x.log(2).value == pytest.approx(math.log(0.5, 2))
    assert x.log(2).tangent == pytest.approx(1 / (0.5 * math.log(2)))


def test_repr():
    assert repr(Dual(3.0, 1.0)) == "Dual(3.0, 1.0)"
    assert repr(Dual(3.0, 1.0, 2)) == "Dual(3.0, 1.0, tag=2)"


def test_pickle_round_trip():
    d = Dual(1.5, -2.0, 3)
    e = pickle.loads(pickle.dumps(d))
    assert (e.value, e.tangent, e.tag) == (1.5, -2.0, 3)


def test_floor_ceil_trunc_keep_a_zero_derivative():
    x = Dual(2.5, 1.0)
    for f, v in [(math.floor, 2), (math.ceil, 3), (math.trunc, 2)]:
        y = f(x)
        assert type(y) is Dual and y.value == v and y.tangent == 0.0


def test_vector_tangents_are_linear():
    np = pytest.importorskip("numpy")
    x = Dual(0.7, np.array([1.0, 0.0, 2.0]))
    y = (x * x).sin() + x.exp() / 3
    scalar = (Dual(0.7, 1.0) * Dual(0.7, 1.0)).sin() + Dual(0.7, 1.0).exp() / 3
    assert y.value == scalar.value
    np.testing.assert_allclose(y.tangent, scalar.tangent * np.array([1.0, 0.0, 2.0]), rtol=1e-15)
    z = Dual(0.0, np.array([0.0, 1.0])).sqrt()  # 0 * inf must stay 0 in a zero column
    assert z.tangent[0] == 0.0 and z.tangent[1] == math.inf


# -- never lose a derivative silently -------------------------------------------------------------
# -- domain errors mirror math --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("f", "exc", "shown"),
    [
        (lambda: dmath.log(Dual(0.0)), ValueError, "log(0.0)"),
        (lambda: dmath.log(Dual(-1.0)), ValueError, "log(-1.0)"),
        (lambda: dmath.sqrt(Dual(-1.0)), ValueError, "sqrt(-1.0)"),
        (lambda: Dual(-2.0) ** 0.5, ValueError, "pow(-2.0, 0.5)"),
        (lambda: Dual(0.0) ** -1, ValueError, "pow(0.0, -1)"),
        (lambda: (-8.0) ** Dual(1 / 3), ValueError, "pow(-8.0"),
        (lambda: Dual(1.0) / Dual(0.0), ZeroDivisionError, "truediv(1.0, 0.0)"),
        (lambda: 1.0 / Dual(0.0, 1.0), ZeroDivisionError, "truediv(1.0, 0.0)"),
        (lambda: Dual(1.0) / 0, ZeroDivisionError, "truediv(1.0, 0)"),
        (lambda: Dual(2.0).asin(), ValueError, "asin(2.0)"),
        (lambda: Dual(1.0).atanh(), ValueError, "atanh(1.0)"),
    ],
)
def test_domain_errors(f, exc, shown):
    with pytest.raises(exc, match=re_escape(shown)):
        f()


def re_escape(s: str) -> str:
    import re

    return re.escape(s)


@pytest.mark.parametrize(
    ("f", "shown"),
    [
        (lambda: Dual("a"), "'a'"),
        (lambda: Dual(None), "None"),
        (lambda: Dual(1j), "1j"),
        (lambda: Dual(1.0, None), "None"),
        (lambda: Dual(1.0, "x"), "'x'"),
        (lambda: Dual(1.0, 1.0, -1), "-1"),
    ],
)
def test_bad_operands_raise_type_error_naming_them(f, shown):
    with pytest.raises(TypeError, match=re_escape(shown)):
        f()


def test_other_real_types_are_accepted():
    from fractions import Fraction

    assert (Dual(1.0, 1.0) * Fraction(1, 2)).tangent == 0.5
    assert (True + Dual(1.0, 1.0)).value == 2.0


# -- nested Duals with tags (perturbation confusion) ----------------------------------------------
def test_tags_keep_nested_perturbations_apart():
    # d/dx [ x * d/dy (x + y) ] at x = 1: inner derivative is 1, so the answer is 1 (naive: 2)
    x = Dual(1.0, 1.0, tag=1)
    inner = x + Dual(2.0, 1.0, tag=2)
    d_inner = inner.tangent  # plain 1.0: x rides in the value, not the tangent
    assert d_inner == 1.0
    assert (x * d_inner).tangent == 1.0
    # second derivative of sin by nesting: d/dx (d/dx sin x) = -sin x
    outer = Dual(0.3, 1.0, tag=1)
    first = Dual(outer, 1.0, tag=2).sin().tangent  # cos(x) as a tag-1 Dual
    assert first.value == pytest.approx(math.cos(0.3), rel=1e-15)
    assert first.tangent == pytest.approx(-math.sin(0.3), rel=1e-15)


@pytest.mark.parametrize("name", sorted(n for n, r in RULES.items() if r.arity == 1))
def test_second_derivatives_by_nesting_match_differences_of_first(name):
    """Nesting works for every rule: d/dx of (the Dual derivative) equals its difference."""
    rule = RULES[name]
    dom = rule.domain[0][0]
    x0 = dom[0] + 0.37 * (dom[1] - dom[0])
    op = unary_op(name)

    def first(x):
        return op(Dual(x, 1.0, tag=2)).tangent

    nested = first(Dual(x0, 1.0, tag=1))
    second = nested.tangent if type(nested) is Dual else 0.0  # a constant slope
    h = 1e-6 * max(1.0, abs(x0))
    approx = (first(x0 + h) - first(x0 - h)) / (2 * h)
    assert second == pytest.approx(approx, rel=1e-5, abs=1e-6)


def test_unpickled_tags_still_match():
    a = Dual(1.0, 1.0, 1000)
    b = pickle.loads(pickle.dumps(Dual(2.0, 1.0, 1000)))
    assert a.tag is not b.tag
    assert (a * b).tangent == 3.0


# -- random expressions against central differences -----------------------------------------------
SMOOTH_UNARY = ["exp", "sin", "cos", "tanh", "atan", "sigmoid", "softplus", "asinh", "erf"]
SMOOTH_UNARY += ["sinh", "expm1", "neg"]
SMOOTH_BINARY = ["add", "sub", "mul", "truediv"]  # hypot, atan2: kinks at the origin


# central differences are only an oracle at moderate scales (1e-36 / x has a slope of -1 at
# x = 1e-36 that no difference of doubles can see)
MODERATE = st.floats(-2, 2).filter(lambda c: c == 0 or abs(c) > 0.05)


@st.composite
def expressions(draw, depth=0):
    if depth >= 4 or (draw(st.booleans()) and depth > 0):
        return ("x",) if draw(st.booleans()) else ("c", draw(MODERATE))
    if draw(st.booleans()):
        return ("u", draw(st.sampled_from(SMOOTH_UNARY)), draw(expressions(depth + 1)))
    return (
        "b",
        draw(st.sampled_from(SMOOTH_BINARY)),
        draw(expressions(depth + 1)),
        draw(expressions(depth + 1)),
    )


def evaluate(expr, x, mode):
    kind = expr[0]
    if kind == "x":
        return x
    if kind == "c":
        return expr[1]
    if kind == "u":
        arg = evaluate(expr[2], x, mode)
        return unary_op(expr[1])(arg) if type(arg) is Dual else RULES[expr[1]].f(arg)
    a, b = evaluate(expr[2], x, mode), evaluate(expr[3], x, mode)
    op, rop = binary_op(expr[1])
    if type(a) is Dual:
        return op(a, b)
    if type(b) is Dual:
        return rop(b, a)
    return RULES[expr[1]].f(a, b)


@settings(max_examples=300, deadline=None)
@given(expressions(), st.floats(-1.5, 1.5).filter(lambda x: abs(x) > 0.05))
def test_random_expressions_match_central_differences(expr, x0):
    def f(x):
        return evaluate(expr, x, "float")

    h = 1e-6
    try:
        values = [f(x0 + k * 1e-5) for k in (-1, 0, 1)]
        out = evaluate(expr, Dual(x0, 1.0), "dual")
        approx = (f(x0 + h) - f(x0 - h)) / (2 * h)
        right = (values[2] - values[1]) / 1e-5
        left = (values[1] - values[0]) / 1e-5
    except (ValueError, ZeroDivisionError, OverflowError):
        assume(False)
    assume(all(math.isfinite(v) and abs(v) < 1e6 for v in values))
    exact = out.tangent if type(out) is Dual else 0.0
    assume(math.isfinite(exact) and abs(exact) < 1e4)
    # a pole of truediv within reach of the differences: nothing to compare
    assume(math.isclose(left, right, rel_tol=1e-2, abs_tol=1e-3))
    assert exact == pytest.approx(approx, rel=1e-5, abs=1e-6)
