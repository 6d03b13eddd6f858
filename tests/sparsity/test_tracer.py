"""Index-set tracing: what each rule does to dependency sets, read off the table's forms."""

from __future__ import annotations

import math

import pytest
from spellings import public

from dualgrad import dmath
from dualgrad.rules import RULES
from dualgrad.sparsity.tracer import HessianTracer, Tracer, partial_forms


def traced(*values):
    return [Tracer(v, frozenset({i})) for i, v in enumerate(values)]


def test_forms_come_from_the_table():
    assert partial_forms(RULES["floor"]) == ("zero",)
    assert partial_forms(RULES["neg"]) == ("linear",)
    assert partial_forms(RULES["add"]) == ("linear", "linear")
    assert partial_forms(RULES["mul"]) == ("bilinear", "bilinear")
    assert partial_forms(RULES["exp"]) == ("nonlinear",)


@pytest.mark.parametrize("name", [n for n, r in RULES.items() if r.arity == 1])
def test_every_unary_rule_passes_its_set_unless_its_partial_is_zero(name):
    rule = RULES[name]
    (x,) = traced(0.6 if name != "acosh" else 1.5)
    y = public(name)(x)  # an operator (neg, pos, abs) or the dmath mirror
    assert y.value == pytest.approx(rule.f(x.value))
    assert y.deps == (frozenset() if partial_forms(rule)[0] == "zero" else frozenset({0}))


def test_binary_rules_union_and_constants_add_nothing():
    a, b = traced(1.5, 2.5)
    for y in (a + b, a - b, a * b, a / b, a**b, dmath.atan2(a, b), dmath.hypot(a, b)):
        assert y.deps == {0, 1}
    assert (a * 3).deps == (3 * a).deps == (2**a).deps == (a / 2).deps == {0}
    # min and max pass both sets (x's branch picks one side, another x may pick the other)
    assert dmath.minimum(a, b).deps == dmath.maximum(a, b).deps == {0, 1}
    assert dmath.minimum(a, b).value == 1.5


def test_values_follow_x_so_branches_take_xs_side():
    a, b = traced(1.0, 2.0)
    y = a * 2 if a > b else b * 2
    assert y.deps == {1} and y.value == 4.0


def test_dropping_the_dependencies_is_refused():
    (a,) = traced(1.0)
    for drop in (float, int, round, lambda t: [0, 1][t]):
        with pytest.raises(TypeError, match="dependencies"):
            drop(a)
    with pytest.raises(TypeError, match="math"):
        math.exp(a)


def test_foreign_operands_and_domain_errors_are_clear():
    (a,) = traced(-1.0)
    with pytest.raises(TypeError, match="unsupported operand"):
        a + "x"
    with pytest.raises(ValueError, match=r"in log\(-1.0\)"):
        dmath.log(a)


def test_hessian_tracer_pairs():
    x = [HessianTracer(v, frozenset({i})) for i, v in enumerate([1.0, 2.0, 3.0])]
    assert (x[0] + 2 * x[1]).pairs == frozenset()  # linear
    assert (x[0] * x[1]).pairs == {(0, 1)}  # bilinear: cross pairs only
    assert (x[0] * x[0]).pairs == {(0, 0)}
    assert dmath.exp(x[0] + x[2]).pairs == {(0, 0), (0, 2), (2, 2)}
    assert (x[0] / x[1]).pairs == {(0, 1), (1, 1), (0, 0)}  # over-approximated: never fewer
    assert dmath.floor(x[0] * x[1]).pairs == frozenset()
    assert ((x[0] * x[1]) * x[2]).pairs == {(0, 1), (0, 2), (1, 2)}


def test_piecewise_constant_results_have_no_dependencies_and_remainders_keep_both():
    a, b = traced(7.5, 2.0)
    assert (a // b).deps == (7.5 // b).deps == (a // 2.0).deps == frozenset()
    assert (a % b).deps == dmath.fmod(a, b).deps == dmath.remainder(a, b).deps == {0, 1}
    q, r = divmod(a, b)
    assert q.deps == frozenset() and r.deps == {0, 1} and (q.value, r.value) == (3.0, 1.5)
    assert dmath.copysign(a, b).deps == {0}  # the sign of b: piecewise constant in b
    assert dmath.ldexp(a, 3).deps == dmath.gamma(a).deps == {0}
    assert dmath.lgamma(b).deps == {1} and dmath.hypot(a, b, a).deps == {0, 1}
    assert dmath.prod([a, b]).deps == dmath.fsum([a, 2.0]).deps | {1}
    h = [HessianTracer(v, frozenset({i})) for i, v in enumerate([7.5, 2.0])]
    assert (h[0] // h[1]).pairs == frozenset() and (h[0] % 2.0).pairs == frozenset()
    assert dmath.gamma(h[0]).pairs == {(0, 0)}
