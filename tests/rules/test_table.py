"""The rule table, walked rule by rule: adding a rule adds its tests."""

from __future__ import annotations

import math

import pytest

from dualgrad import Dual
from dualgrad.numbers.dual import binary_op, unary_op
from dualgrad.rules import BINARY, RULES, UNARY, Rule
from dualgrad.testing import central_partial, differentiable, rule_points


def dual_partial(rule: Rule, args, i):
    """The Dual derivative of the rule w.r.t. argument i (others as plain floats)."""
    seeded = [Dual(a, 1.0) if j == i else a for j, a in enumerate(args)]
    if rule.arity == 1:
        out = unary_op(rule.name)(seeded[0])
    elif i == 0:
        out = binary_op(rule.name)[0](seeded[0], seeded[1])
    else:  # the reflected operation: rule(plain, Dual)
        out = binary_op(rule.name)[1](seeded[1], seeded[0])
    assert out.value == rule.f(*args) or math.isclose(out.value, rule.f(*args), rel_tol=1e-15)
    return out.tangent


def test_table_has_what_the_issue_lists():
    wanted = (  # noqa: SIM905 - the issue's list, readable as prose
        "add sub mul truediv neg pos pow abs exp expm1 log log2 log10 log1p sqrt cbrt "
        "sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh erf erfc hypot "
        "relu sigmoid softplus floor ceil trunc min max radians degrees copysign fmod "
        "remainder ldexp gamma lgamma digamma polygamma mod floordiv"
    ).split()
    assert set(wanted) <= set(RULES)
    assert set(UNARY) | set(BINARY) == set(RULES)


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_partial_matches_central_difference(name):
    rule = RULES[name]
    checked = 0
    for args in rule_points(rule):
        for i in differentiable(rule):
            exact = dual_partial(rule, args, i)
            approx = central_partial(rule.f, args, i)
            assert math.isclose(exact, approx, rel_tol=1e-6, abs_tol=1e-7), (name, args, i)
            checked += 1
    assert checked >= 5 * len(differentiable(rule))


@pytest.mark.parametrize("name", sorted(n for n in BINARY if not RULES[n].integer))
def test_both_partials_at_once_equal_the_sum(name):
    """Seeding both arguments gives the sum of the partials (linearity in the tangent)."""
    rule = RULES[name]
    for args in rule_points(rule)[:5]:
        both = binary_op(name)[0](Dual(args[0], 1.0), Dual(args[1], 1.0)).tangent
        each = dual_partial(rule, args, 0) + dual_partial(rule, args, 1)
        assert math.isclose(both, each, rel_tol=1e-12, abs_tol=1e-15)


@pytest.mark.parametrize("name", sorted(RULES))
def test_domains_are_inside_the_function_domain(name):
    rule = RULES[name]
    for args in rule_points(rule):
        assert math.isfinite(rule.f(*args))


def test_singular_rules_are_the_ones_with_infinite_or_undefined_slopes():
    assert {n for n, r in RULES.items() if r.singular} == {
        "pow",
        "sqrt",
        "cbrt",
        "asin",
        "acos",
        "acosh",
        "atan2",
    }


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_is_an_operator_or_method_of_both_number_types(name):
    from dualgrad.reverse import Value
    from dualgrad.rules.table import SPELLING

    spelled, reflected = SPELLING.get(name, (name, None))
    for cls in (Dual, Value):
        assert callable(getattr(cls, spelled)), (cls, spelled)
        if reflected:
            assert callable(getattr(cls, reflected)), (cls, reflected)


@pytest.mark.parametrize("name", sorted(n for n in RULES if RULES[n].integer))
def test_int_only_arguments_refuse_a_number_carrying_a_derivative(name):
    from dualgrad.reverse import Value

    rule = RULES[name]
    assert rule.integer == (1,)
    x, k = rule_points(rule)[1]
    assert type(k) is int
    op, rop = binary_op(name)
    for call in (
        lambda: op(Dual(x, 1.0), Dual(k, 1.0)),  # both seeded
        lambda: rop(Dual(k, 1.0), x),  # only the int-only argument seeded
        lambda: getattr(Value(x), name)(Value(k)),
    ):
        with pytest.raises(TypeError, match="plain int"):
            call()
    with pytest.raises(TypeError, match=r"must be an int.*1\.5"):
        getattr(Dual(x, 1.0), name)(1.5)


def test_piecewise_constant_partials_are_exact_zeros():
    """floordiv and copysign's sign argument: a plain 0 tangent (never 0 * inf = nan)."""
    op, rop = binary_op("floordiv")
    assert op(Dual(7.0, math.inf), Dual(2.0, 1.0)).tangent == 0.0
    assert rop(Dual(2.0, 1.0), 7.0).tangent == 0.0
    assert binary_op("copysign")[1](Dual(-2.0, math.inf), 3.0).tangent == 0.0
