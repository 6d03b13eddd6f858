"""Reverse mode: every rule against Dual and central differences, graphs, drivers, bad input."""

from __future__ import annotations

import gc
import math
import operator
import re
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from spellings import OPERATORS, public

from dualgrad import Dual, dmath
from dualgrad.reverse import (
    Value,
    binary_op,
    grad,
    paused_gc,
    unary_op,
    value_and_grad,
    zero_grad,
)
from dualgrad.rules import RULES, SPELLING
from dualgrad.testing import central_partial, differentiable, rule_points
from dualgrad.tree import flatten, unflatten

# Every rule reached through its public spelling, generic over float, Dual and Value.
PUBLIC = {**OPERATORS, "floor": math.floor, "ceil": math.ceil, "trunc": math.trunc}  # __floor__ ...
PUBLIC |= {name: public(name) for name in RULES if name not in PUBLIC}


def reverse_partial(fn, args, i):
    """d fn / d args[i] by reverse mode (argument i a Value, the others plain floats)."""
    x = Value(args[i])
    out = fn(*[x if j == i else a for j, a in enumerate(args)])
    assert type(out) is Value
    out.backward()
    return out.data, x.grad


def dual_partial(fn, args, i):
    out = fn(*[Dual(a, 1.0) if j == i else a for j, a in enumerate(args)])
    return out.value, out.tangent


# -- the rule table, walked rule by rule ----------------------------------------------------------
def test_every_rule_is_a_value_operator_or_method():
    assert set(PUBLIC) == set(RULES)
    for name, rule in RULES.items():
        attr = SPELLING.get(name, (name, None))[0]
        if name == "log":  # a method with an optional base, around the rule
            assert Value.log.__doc__ and unary_op("log").__name__ == "log"
        elif rule.arity == 1:
            assert getattr(Value, attr) is unary_op(name), name
        else:
            op, rop = binary_op(name)
            assert getattr(Value, attr) is op, name
            if attr.startswith("__"):
                assert getattr(Value, "__r" + attr[2:]) is rop, name


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_partial_matches_dual_and_central_difference(name):
    rule, fn = RULES[name], PUBLIC[name]
    checked = 0
    for args in rule_points(rule):
        for i in differentiable(rule):
            value, reverse = reverse_partial(fn, args, i)
            dual_value, forward = dual_partial(fn, args, i)
            assert value == dual_value == rule.f(*args), (name, args)
            assert reverse == pytest.approx(forward, rel=1e-12, abs=1e-300), (name, args, i)
            approx = central_partial(rule.f, args, i)
            assert math.isclose(reverse, approx, rel_tol=1e-6, abs_tol=1e-7), (name, args, i)
            checked += 1
    assert checked >= 5 * len(differentiable(rule))


@pytest.mark.parametrize(
    "name", sorted(n for n, r in RULES.items() if r.arity == 2 and not r.integer)
)
def test_two_values_get_both_partials_in_one_backward(name):
    rule, fn = RULES[name], PUBLIC[name]
    for args in rule_points(rule):
        x, y = Value(args[0]), Value(args[1])
        out = fn(x, y)
        out.backward()
        assert out.data == rule.f(*args)
        assert x.grad == pytest.approx(dual_partial(fn, args, 0)[1], rel=1e-12, abs=1e-300)
        assert y.grad == pytest.approx(dual_partial(fn, args, 1)[1], rel=1e-12, abs=1e-300)


def test_the_tutorial_examples():
    x = Value(3.0)
    (x**2).backward()
    assert x.grad == 6.0
    x = Value(3.0)
    ((2 * x + 1) ** 2).backward()
    assert x.grad == 28.0
    x = Value(3.0)
    (x * x).backward()  # one node used twice: both uses add up
    assert x.grad == 6.0


# -- random expressions: reverse gradient == forward derivative -----------------------------------
UNARY = ["exp", "sin", "cos", "tanh", "atan", "sigmoid", "softplus", "asinh", "erf", "erfc"]
UNARY += ["sinh", "expm1", "neg", "abs", "relu"]
BINARY = ["add", "sub", "mul", "truediv", "min", "max", "hypot"]
MODERATE = st.floats(-2, 2).filter(lambda c: c == 0 or abs(c) > 0.05)


@st.composite
def expressions(draw, depth=0):
    if depth >= 5 or (draw(st.booleans()) and depth > 0):
        kind = draw(st.sampled_from(["x", "y", "c"]))
        return ("c", draw(MODERATE)) if kind == "c" else (kind,)
    if draw(st.booleans()):
        return ("u", draw(st.sampled_from(UNARY)), draw(expressions(depth + 1)))
    return (
        "b",
        draw(st.sampled_from(BINARY)),
        draw(expressions(depth + 1)),
        draw(expressions(depth + 1)),
    )


def evaluate(expr, env):
    kind = expr[0]
    if kind == "c":
        return expr[1]
    if kind in ("x", "y"):
        return env[kind]
    if kind == "u":
        return PUBLIC[expr[1]](evaluate(expr[2], env))
    return PUBLIC[expr[1]](evaluate(expr[2], env), evaluate(expr[3], env))


def tangent_of(out):
    return out.tangent if type(out) is Dual else 0.0


@settings(max_examples=300, deadline=None)
@given(expressions(), st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))
def test_random_expressions_match_forward_mode(expr, x0, y0):
    try:
        plain = evaluate(expr, {"x": x0, "y": y0})
        x, y = Value(x0), Value(y0)
        out = evaluate(expr, {"x": x, "y": y})
        dx = tangent_of(evaluate(expr, {"x": Dual(x0, 1.0), "y": y0}))
        dy = tangent_of(evaluate(expr, {"x": x0, "y": Dual(y0, 1.0)}))
    except (ValueError, ZeroDivisionError, OverflowError):
        assume(False)
    assume(math.isfinite(plain) and all(math.isfinite(d) and abs(d) < 1e6 for d in (dx, dy)))
    if type(out) is Value:
        assert out.data == plain
        out.backward()
    assert x.grad == pytest.approx(dx, rel=1e-10, abs=1e-12)
    assert y.grad == pytest.approx(dy, rel=1e-10, abs=1e-12)


# -- many parameters, shared subexpressions -------------------------------------------------------
DATA = [((0.5, -1.2), 0), ((1.5, 0.3), 1), ((-0.7, 0.8), 2), ((0.1, 0.1), 0)]


def mlp_loss(p):
    """2 -> 4 (tanh) -> 3 (softmax cross-entropy): every hidden unit feeds every logit."""
    w1, b1, w2, b2 = p["w1"], p["b1"], p["w2"], p["b2"]
    total = 0.0
    for (x0, x1), target in DATA:
        h = [dmath.tanh(w1[j][0] * x0 + w1[j][1] * x1 + b1[j]) for j in range(4)]
        logits = [sum((w2[k][j] * h[j] for j in range(4)), b2[k]) for k in range(3)]
        total = total + dmath.log(sum(dmath.exp(z) for z in logits)) - logits[target]
    s = w1[0][0] * b2[1]  # one node used 60 times
    for _ in range(30):
        total = total + 0.01 * s * s
    return total / len(DATA) + 0.0 * p["unused"]


PARAMS = {
    "w1": [[0.3, -0.5], [0.8, 0.1], [-0.4, 0.6], [0.2, 0.9]],
    "b1": [0.0, 0.1, -0.1, 0.2],
    "w2": [[0.5, -0.3, 0.2, 0.7], [-0.6, 0.4, 0.1, -0.2], [0.3, 0.3, -0.5, 0.1]],
    "b2": (0.05, -0.05, 0.0),
    "unused": 1.5,
}


def forward_gradient_by_seeding(f, params):
    """The gradient by forward mode: seed each parameter in turn, the others plain floats."""
    leaves, spec = flatten(params)
    partials = []
    for i in range(len(leaves)):
        seeded = [Dual(v, 1.0) if j == i else v for j, v in enumerate(leaves)]
        partials.append(tangent_of(f(unflatten(spec, seeded))))
    return unflatten(spec, partials)


def test_mlp_gradient_matches_forward_seeding_per_parameter():
    loss, grads = value_and_grad(mlp_loss, PARAMS)
    expected = forward_gradient_by_seeding(mlp_loss, PARAMS)
    assert loss == mlp_loss(PARAMS)
    got, spec = flatten(grads)
    want, spec2 = flatten(expected)
    assert spec == spec2 and len(got) == 28
    assert got == pytest.approx(want, rel=1e-10, abs=1e-14)
    assert grads["unused"] == 0.0
    assert type(grads["b2"]) is tuple
    assert all(g != 0.0 for g in grads["w2"][0])


def test_a_node_used_many_times_accumulates_every_use():
    x, y = Value(1.5), Value(-2.0)
    s = x * y
    total = s
    for _ in range(99):
        total = total + s
    total.backward()
    assert s.grad == 100.0
    assert x.grad == 100 * -2.0 and y.grad == 100 * 1.5


def test_diamonds_visit_each_node_once_in_the_right_order():
    # a node reached by two paths of different lengths must send its grad once, and only after
    # it has received both contributions
    def f(x):
        a = x.sin()
        return a * a.exp()  # a is both a direct input and an input of the other input

    def g(x):
        a = x.sin()
        return a * a.exp() + a

    for fn in (f, g):
        x = Value(0.7)
        fn(x).backward()
        assert x.grad == pytest.approx(fn(Dual(0.7, 1.0)).tangent, rel=1e-14)


def test_long_chain_needs_no_recursion():
    x = Value(0.3)
    y = x
    with paused_gc():
        for _ in range(100_000):
            y = (y * 0.9).tanh() + y * 0.1 + 0.01
        y.backward()
    d = Dual(0.3, 1.0)
    for _ in range(100_000):
        d = (d * 0.9).tanh() + d * 0.1 + 0.01
    assert y.data == d.value
    assert x.grad == pytest.approx(d.tangent, rel=1e-9)
    assert x.grad != 0.0
    del y  # freeing a 500,000-node chain must not overflow the C stack either


# -- accumulation semantics -----------------------------------------------------------------------
def test_backward_twice_accumulates_on_leaves_and_recomputes_inner_nodes():
    x = Value(2.0)
    h = x * x
    y = h * 3.0
    y.backward()
    assert (x.grad, h.grad, y.grad) == (12.0, 3.0, 1.0)
    y.backward()
    assert (x.grad, h.grad, y.grad) == (24.0, 3.0, 1.0)  # micrograd's += everywhere gives 36
    zero_grad([x])
    assert x.grad == 0.0
    y.backward()
    assert x.grad == 12.0


def test_two_losses_sharing_a_node_add_up_on_leaves():
    x = Value(2.0)
    h = x * x
    (h * 2.0).backward()
    (h * 3.0).backward()
    assert x.grad == (2.0 + 3.0) * 4.0
    assert h.grad == 3.0


def test_backward_of_a_leaf():
    x = Value(2.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0


def test_zero_grad_takes_any_iterable_of_values_only():
    xs = [Value(1.0), Value(2.0)]
    (xs[0] * xs[1]).backward()
    zero_grad(v for v in xs)
    assert [v.grad for v in xs] == [0.0, 0.0]
    with pytest.raises(TypeError, match=r"got 1\.5"):
        zero_grad([1.5])


# -- constants, kinks and singular points ---------------------------------------------------------
def test_constants_are_leaves_and_plain_numbers_stay_out_of_the_graph():
    c = Value(4.0)
    assert c._children == () and c.grad == 0.0
    x = Value(3.0)
    y = c * x + 2.0
    assert y._children[0]._children == (c, x)
    assert len(y._children) == 1  # 2.0 is not a node
    y.backward()
    assert (x.grad, c.grad) == (4.0, 3.0)


def test_a_zero_upstream_grad_sends_exactly_zero_through_a_singular_partial():
    x = Value(0.0)
    s = x.sqrt()
    (s * 0.0 + x).backward()
    assert s.grad == 0.0
    assert x.grad == 1.0  # not nan: 0 * inf contributes nothing
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf  # a nonzero upstream grad meets the true one-sided slope
    base, exponent = Value(-2.0), Value(3.0)
    (base**exponent).backward()
    assert base.grad == 12.0
    assert math.isnan(exponent.grad)  # x**y has no real derivative in y at x < 0


@pytest.mark.parametrize(
    ("f", "x0", "expected"),
    [
        (lambda x: x.relu(), 0.0, 0.0),
        (lambda x: abs(x), 0.0, 0.0),
        (lambda x: x**0, 0.0, 0.0),
        (lambda x: x**1, 0.0, 1.0),
        (lambda x: x**3, 0.0, 0.0),
        (lambda x: x**0.5, 0.0, math.inf),
        (lambda x: 0.0**x, 2.0, 0.0),
        (lambda x: x.minimum(1.0), 1.0, 1.0),  # a tie: the first argument, like builtin min
        (lambda x: dmath.maximum(1.0, x), 1.0, 0.0),
        (lambda x: dmath.hypot(x, 0.0), 0.0, 0.0),
        (lambda x: math.floor(x) * x, 2.5, 2.0),
        (lambda x: math.ceil(x) + math.trunc(x), 2.5, 0.0),
    ],
)
def test_kinks_and_limits_follow_the_table(f, x0, expected):
    x = Value(x0)
    out = f(x)
    if type(out) is Value:
        out.backward()
    assert x.grad == expected
    d = f(Dual(x0, 1.0))
    assert tangent_of(d) == expected  # the same decision as forward mode


def test_floor_ceil_trunc_record_no_edge():
    x = Value(2.5)
    for f, v in [(math.floor, 2), (math.ceil, 3), (math.trunc, 2)]:
        y = f(x)
        assert type(y) is Value and y.data == v and y._children == ()


def test_log_with_a_base():
    x, b = Value(0.5), Value(3.0)
    out = x.log(b)
    out.backward()
    assert out.data == pytest.approx(math.log(0.5, 3.0), rel=1e-15)
    assert x.grad == pytest.approx(Dual(0.5, 1.0).log(3.0).tangent, rel=1e-14)
    assert b.grad == pytest.approx(Dual(0.5).log(Dual(3.0, 1.0)).tangent, rel=1e-14)
    y = Value(8.0)
    z = dmath.log(y, 2)
    z.backward()
    assert z.data == 3.0 and y.grad == pytest.approx(1 / (8 * math.log(2)), rel=1e-15)


def test_custom_operations_through_the_constructor():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    out = Value(6.0, [a, b, c], [6.0, 3.0, 2.0])  # d(abc): bc, ac, ab
    (a * 5.0 + out * 2.0).backward()
    assert (a.grad, b.grad, c.grad) == (12.0 + 5.0, 6.0, 4.0)


# -- interplay with dmath, comparisons, hashing ---------------------------------------------------
def test_dmath_takes_values_and_lifts_plain_first_arguments():
    x = Value(2.0)
    for out, value in [
        (dmath.exp(x), math.exp(2.0)),
        (dmath.atan2(1.0, x), math.atan2(1.0, 2.0)),
        (dmath.hypot(x, 3.0), math.hypot(2.0, 3.0)),
        (dmath.maximum(3.0, x), 3.0),
        (dmath.minimum(x, 3.0), 2.0),
        (dmath.pow(x, 3), 8.0),
        (dmath.fabs(-x), 2.0),
        (dmath.floor(x + 0.5), 2),
        (dmath.relu(x), 2.0),
    ]:
        assert type(out) is Value and out.data == value
    assert dmath.isfinite(x) and not dmath.isnan(x) and dmath.isclose(x, 2.0)
    lifted = dmath.atan2(1.0, x)
    lifted.backward()
    assert x.grad == pytest.approx(-1.0 / 5.0, rel=1e-15)


def test_comparisons_use_data():
    a, b = Value(1.0), Value(2.0)
    assert a < b and a <= b and b > a and b >= a and a < 1.5 and a > 0.5
    assert operator.ge(2, b) and operator.lt(0, a)  # reflected: int on the left
    assert max(a, b) is b and min(a, b) is a
    assert [v.data for v in sorted([b, a, Value(0.0)])] == [0.0, 1.0, 2.0]
    assert bool(Value(0.0)) is False and bool(Value(0.5)) is True


def test_equality_and_hashing_are_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b  # unlike Dual, == never compares data
    assert Value(1.0) != 1.0
    assert len({a, b}) == 2
    assert {a: "a", b: "b"}[b] == "b"
    assert hash(a) == object.__hash__(a)


def test_repr_and_data_types():
    assert repr(Value(3.0)) == "Value(data=3.0, grad=0.0)"
    assert Value(2).data == 2 and type(Value(2).data) is int
    assert type(Value(Fraction(1, 2)).data) is float
    np = pytest.importorskip("numpy")
    assert type(Value(np.float64(2.0)).data) is float
    assert (Value(1.0) * np.float64(2.0)).data == 2.0


def test_other_real_operands_become_floats():
    x = Value(1.0)
    y = x * Fraction(1, 2) + True
    assert y.data == 1.5 and type(y.data) is float
    z = True - x
    z.backward()
    assert z.data == 0.0 and x.grad == -1.0


# -- never lose the graph silently ----------------------------------------------------------------
# -- domain errors and bad operands ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("f", "exc", "shown"),
    [
        (lambda: dmath.log(Value(0.0)), ValueError, "log(0.0)"),
        (lambda: Value(-1.0).log(), ValueError, "log(-1.0)"),
        (lambda: dmath.sqrt(Value(-1.0)), ValueError, "sqrt(-1.0)"),
        (lambda: Value(-2.0) ** 0.5, ValueError, "pow(-2.0, 0.5)"),
        (lambda: Value(0.0) ** -1, ValueError, "pow(0.0, -1)"),
        (lambda: (-8.0) ** Value(1 / 3), ValueError, "pow(-8.0"),
        (lambda: Value(1.0) / Value(0.0), ZeroDivisionError, "truediv(1.0, 0.0)"),
        (lambda: 1.0 / Value(0.0), ZeroDivisionError, "truediv(1.0, 0.0)"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, "truediv(1.0, 0)"),
        (lambda: Value(2.0).asin(), ValueError, "asin(2.0)"),
        (lambda: Value(1.0).atanh(), ValueError, "atanh(1.0)"),
        (lambda: Value(1000.0).exp(), OverflowError, "exp(1000.0)"),
        (lambda: Value(2.0).log(0.0), ValueError, "log(0.0)"),
        (lambda: Value(2.0).log(Value(-1.0)), ValueError, "log(-1.0)"),
    ],
)
def test_domain_errors_name_the_offending_numbers(f, exc, shown):
    with pytest.raises(exc, match=re.escape(shown)):
        f()


@pytest.mark.parametrize(
    ("f", "shown"),
    [
        (lambda: Value(1.0).atan2("b"), "'b'"),
        (lambda: Value(1.0) + Dual(1.0), "Dual(1.0, 0.0)"),
        (lambda: Value("a"), "'a'"),
        (lambda: Value(None), "None"),
        (lambda: Value(1j), "1j"),
        (lambda: Value(True), "True"),
        (lambda: Value(1.0, [1.0], [1.0]), "children must be Values, got 1.0"),
        (lambda: Value(1.0, [Value(1.0)], ["x"]), "'x'"),
    ],
)
def test_bad_operands_raise_type_error_naming_them(f, shown):
    with pytest.raises(TypeError, match=re.escape(shown)):
        f()


def test_children_and_local_grads_must_pair_up():
    with pytest.raises(ValueError, match="2 children and 1 local gradients"):
        Value(1.0, [Value(1.0), Value(2.0)], [1.0])


# -- the drivers ----------------------------------------------------------------------------------
def test_value_and_grad_keeps_the_structure():
    params = {"w": [[1.0, 2.0], [3.0, 4.0]], "b": (5.0,), "s": 2}

    def f(p):
        (a, b), (c, d) = p["w"]
        return a * b + c * d * p["s"] + p["b"][0] ** 2

    loss, g = value_and_grad(f, params)
    assert loss == 2.0 + 24.0 + 25.0 and type(loss) is float
    assert g == {"w": [[2.0, 1.0], [8.0, 6.0]], "b": (10.0,), "s": 12.0}
    assert list(g) == ["w", "b", "s"] and type(g["b"]) is tuple
    assert grad(f, params) == g
    assert params == {"w": [[1.0, 2.0], [3.0, 4.0]], "b": (5.0,), "s": 2}  # untouched


def test_value_and_grad_of_a_single_number_and_of_nothing():
    assert value_and_grad(lambda x: x * x, 3.0) == (9.0, 6.0)
    assert value_and_grad(lambda p: 0.0, []) == (0.0, [])
    assert grad(lambda x: x.sin(), 0.0) == 1.0


@pytest.mark.parametrize(
    ("f", "expected"),
    [
        (lambda p: 3.0, (3.0, [0.0, 0.0])),  # a constant function
        (lambda p: 3, (3.0, [0.0, 0.0])),
        (lambda p: Value(7.0), (7.0, [0.0, 0.0])),  # a Value unrelated to the parameters
        (lambda p: p[1], (2.0, [0.0, 1.0])),  # a parameter itself
        (lambda p: math.floor(p[0] * p[1]), (2.0, [0.0, 0.0])),
    ],
)
def test_value_and_grad_of_constants_and_leaves(f, expected):
    loss, grads = value_and_grad(f, [1.0, 2.0])
    assert (loss, grads) == expected and type(loss) is float


def test_fresh_leaves_on_every_call():
    def f(p):
        return p[0] * 2.0

    assert value_and_grad(f, [1.0]) == (2.0, [2.0])
    assert value_and_grad(f, [1.0]) == (2.0, [2.0])  # no grad left over from the first call


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"w": [1.0, "x"]}, "params['w'][1]"),
        ({"w": [1.0, None]}, "params['w'][1]"),
        ([1.0, (2.0, 1j)], "params[1][1]"),
        ([True], "params[0]"),
        ({"a": {"b": Value(1.0)}}, "params['a']['b']"),
        ("abc", "params is 'abc'"),
    ],
)
def test_bad_parameters_are_named_by_path(params, path):
    with pytest.raises(TypeError, match=re.escape(path)):
        value_and_grad(lambda p: 0.0, params)


@pytest.mark.parametrize(
    ("returned", "shown"),
    [("loss", "'loss'"), (None, "None"), (Dual(1.0, 1.0), "Dual(1.0, 1.0)"), ([1.0], "[1.0]")],
)
def test_f_must_return_a_value_or_a_number(returned, shown):
    with pytest.raises(TypeError, match=re.escape(f"it returned {shown}")):
        value_and_grad(lambda p: returned, [1.0])


# -- the garbage collector ------------------------------------------------------------------------
def test_paused_gc_restores_the_previous_state():
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block restores "disabled"
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()


def test_value_and_grad_pauses_the_collector_and_restores_it():
    seen = []
    value_and_grad(lambda p: seen.append(gc.isenabled()) or p[0], [1.0])
    assert seen == [False] and gc.isenabled()
    with pytest.raises(ZeroDivisionError):
        value_and_grad(lambda p: p[0] / 0.0, [1.0])
    assert gc.isenabled()


def test_fused_and_scalar_dot_products_give_the_same_gradient():
    from dualgrad import dmath
    from dualgrad.reverse import scalar_graphs

    def f(p):
        h = [dmath.tanh(v) for v in dmath.matvec(p["w"], p["x"])]
        return dmath.sumprod(h, h)

    params = {"w": [[0.1, -0.4, 0.3], [0.7, 0.2, -0.5]], "x": [1.0, -2.0, 0.5]}
    fused = value_and_grad(f, params)
    with scalar_graphs():
        scalar = value_and_grad(f, params)
    assert fused[0] == scalar[0]
    for a, b in zip(flatten(fused[1])[0], flatten(scalar[1])[0], strict=True):
        assert a == pytest.approx(b, rel=1e-14)


def graph_size(out):
    """Nodes with children below `out` (the multiplies and adds recorded)."""
    seen, stack = set(), [out]
    while stack:
        v = stack.pop()
        if v._children and id(v) not in seen:
            seen.add(id(v))
            stack.extend(v._children)
    return len(seen)


def test_scalar_graphs_record_one_node_per_multiply_and_add():
    from dualgrad import dmath
    from dualgrad.reverse import scalar_graphs

    xs = [Value(float(i)) for i in range(4)]
    fused = dmath.sumprod(xs, [1.0, 2.0, 3.0, 4.0])
    assert graph_size(fused) == 1 and fused.data == 20.0  # one node for the dot product
    with scalar_graphs():
        scalar = dmath.sumprod(xs, [1.0, 2.0, 3.0, 4.0])
        rows = dmath.matvec([[1.0, 2.0, 3.0, 4.0]] * 2, xs)
    assert graph_size(scalar) == 8 and scalar.data == 20.0  # 4 multiplies, 4 adds (sum from 0)
    assert [graph_size(r) for r in rows] == [8, 8]
    assert graph_size(dmath.sumprod(xs, xs)) == 1  # outside the block: fused again


def test_scalar_graphs_belong_to_the_thread_that_enters_them():
    import threading

    from dualgrad import dmath
    from dualgrad.reverse import scalar_graphs

    inside, go, sizes = threading.Event(), threading.Event(), []

    def other_thread():
        inside.wait()
        xs = [Value(1.0), Value(2.0), Value(3.0)]
        sizes.append(graph_size(dmath.sumprod(xs, xs)))
        go.set()

    worker = threading.Thread(target=other_thread)
    worker.start()
    with scalar_graphs():
        inside.set()
        go.wait(10)
    worker.join()
    assert sizes == [1]  # the other thread kept one node per dot product


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 4), max_size=6).flatmap(
        lambda ip: st.tuples(
            st.just(ip), st.lists(st.integers(0, 4), min_size=len(ip), max_size=len(ip))
        )
    ),
    st.lists(st.floats(-4, 4, allow_nan=False), min_size=5, max_size=5),
)
def test_sumprod_of_values_only_equals_the_general_path(indices, data):
    """SPECIAL CASE checked: Values only, gathered by maps, children in another order."""
    from dualgrad.reverse import bulk, sumprod

    ip, iq = indices
    results = []
    for way in (sumprod, bulk._sumprod):
        pool = [Value(d) for d in data]  # a small pool: the same Value in several places
        out = way([pool[i] for i in ip], [pool[i] for i in iq])
        out = out * 1.0 + 0.0  # through a node, so a sum of nothing is a graph too
        out.backward()
        results.append((out.data, [v.grad for v in pool]))
    (fast, fast_grads), (general, general_grads) = results
    assert fast == general
    assert fast_grads == pytest.approx(general_grads, rel=1e-14, abs=1e-300)


def test_sumprod_of_iterables_and_of_unequal_lengths():
    from dualgrad.reverse import sumprod

    x = [Value(1.0), Value(2.0)]
    assert sumprod(iter(x), iter([3.0, 4.0])).data == 11.0
    with pytest.raises(ValueError, match="shorter"):
        sumprod(x, x[:1])


def test_a_matvec_of_values_only_makes_the_nodes_of_sumprod():
    """SPECIAL CASE checked: below the vector nodes' size, Values only, x read once."""
    from dualgrad.reverse import bulk, sumprod

    w = [[Value(1.0), Value(2.0)], [Value(-3.0), Value(4.5)], [Value(0.5), Value(2.0)]]
    x = [Value(2.0), Value(-1.0)]
    fast = bulk.matvec(w, x)
    general = [sumprod(row, x) for row in w]
    for a, b in zip(fast, general, strict=True):
        assert a.data == b.data and a._local_grads == b._local_grads
        assert all(map(operator.is_, a._children, b._children))
    mixed = bulk.matvec([[Value(1.0), 2.0]], x)  # a number among them: row by row
    assert mixed[0].data == 0.0 and len(mixed[0]._children) == 3
