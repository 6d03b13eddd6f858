"""The forward-mode drivers against closed forms, central differences and each other."""

from __future__ import annotations

import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualgrad import Dual, derivative, dmath, grad, hessian, jacobian, jvp, value_and_grad
from dualgrad.tree import flatten

np = pytest.importorskip("numpy")


def central_grad(f, xs, h=1e-6):
    out = []
    for i in range(len(xs)):
        up, down = list(xs), list(xs)
        up[i] += h
        down[i] -= h
        out.append((f(up) - f(down)) / (2 * h))
    return out


def rosenbrock(v):
    return sum(100 * (v[i + 1] - v[i] ** 2) ** 2 + (1 - v[i]) ** 2 for i in range(len(v) - 1))


def rosenbrock_hessian(v):
    n = len(v)
    h = [[0.0] * n for _ in range(n)]
    for i in range(n - 1):
        h[i][i] += 1200 * v[i] ** 2 - 400 * v[i + 1] + 2
        h[i + 1][i + 1] += 200
        h[i][i + 1] += -400 * v[i]
        h[i + 1][i] += -400 * v[i]
    return h


# -- derivative -----------------------------------------------------------------------------------
def test_derivative_closed_forms():
    assert derivative(lambda x: x * x, 3.0) == 6.0
    assert derivative(lambda x: (2 * x + 1) ** 2, 3.0) == 28.0
    assert derivative(dmath.sin, 0.7) == math.cos(0.7)
    assert derivative(lambda x: 5.0, 1.0) == 0.0  # constant function: exact zero


def test_derivative_without_x_returns_the_derivative_function():
    d_sin = derivative(dmath.sin)
    assert d_sin(0.3) == math.cos(0.3)
    dd_sin = derivative(derivative(dmath.sin))
    for x in (-1.0, 0.2, 2.5):
        assert dd_sin(x) == pytest.approx(-math.sin(x), rel=1e-15)
    assert derivative(derivative(derivative(lambda x: x**4)))(2.0) == pytest.approx(48.0)


def test_perturbation_confusion_is_avoided():
    # d/dx [ x * d/dy (x + y) ] = 1 everywhere (a naive nesting answers 2)
    for x0 in (1.0, -2.0, 7.5):
        assert derivative(lambda x: x * derivative(lambda y: x + y, 1.0), x0) == 1.0
    # the Siskind-Pearlmutter example: d/dx [ x * d/dy (x * y) ] at y=2 = 2x
    assert derivative(lambda x: x * derivative(lambda y: x * y, 2.0), 3.0) == 6.0


# -- grad -----------------------------------------------------------------------------------------
def test_grad_of_a_state_dict_keeps_its_structure():
    params = {"w": [[1.0, 2.0], [3.0, 4.0]], "b": (0.5, -0.5)}

    def f(p):
        return sum(w * w for row in p["w"] for w in row) * p["b"][0] + p["b"][1] ** 3

    r = value_and_grad(f, params)
    assert r.value == 30 * 0.5 - 0.125
    assert r.grad == {"w": [[1.0, 2.0], [3.0, 4.0]], "b": (30.0, 0.75)}
    assert r.passes == 6
    value, g = r  # unpacks like (value, grad)
    assert value == r.value and g is r.grad


def test_grad_leaves_inactive_parameters_as_plain_floats():
    seen = []

    def f(p):
        seen.append([type(x).__name__ for x in p])
        return p[0] * p[1] * p[2]

    assert grad(f, [1.0, 2.0, 3.0]) == [6.0, 3.0, 2.0]
    assert seen == [
        ["Dual", "float", "float"],
        ["float", "Dual", "float"],
        ["float", "float", "Dual"],
    ]


def test_grad_does_not_touch_the_callers_params():
    params = {"w": [1.0, 2.0]}
    grad(lambda p: p["w"][0] * p["w"][1], params)
    assert params == {"w": [1.0, 2.0]} and all(type(x) is float for x in params["w"])


def test_grad_of_a_single_number():
    r = value_and_grad(lambda x: x**3, 2.0)
    assert (r.value, r.grad, r.passes) == (8.0, 12.0, 1)


@pytest.mark.parametrize("chunk", [1, 3, 8, 20, "all"])
def test_chunk_sizes_agree_with_one_at_a_time(chunk):
    rng = random.Random(0)
    xs = [rng.uniform(-1, 1) for _ in range(20)]

    def f(v):
        return sum(dmath.tanh(a * b) + a**2 for a, b in itertools.pairwise(v)) + dmath.exp(v[0])

    one = value_and_grad(f, xs)
    r = value_and_grad(f, xs, chunk=chunk)
    assert r.value == one.value
    assert r.passes == math.ceil(20 / (20 if chunk == "all" else chunk))
    for a, b in zip(r.grad, one.grad, strict=True):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-300)
    assert all(type(a) is float for a in r.grad)


def test_grad_matches_central_differences_and_closed_form_rosenbrock():
    v = [-1.2, 1.0, 0.5, 2.0]
    g = grad(rosenbrock, v)
    for a, b in zip(g, central_grad(rosenbrock, v), strict=True):
        assert a == pytest.approx(b, rel=1e-6)
    expected0 = -400 * v[0] * (v[1] - v[0] ** 2) - 2 * (1 - v[0])
    assert g[0] == pytest.approx(expected0, rel=1e-14)


@settings(max_examples=50)
@given(
    st.lists(st.floats(-3, 3), min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), st.floats(-2, 2)), max_size=10),
)
def test_grad_of_random_sums_of_products_is_the_analytic_gradient(xs, terms):
    n = len(xs)
    terms = [(i % n, j % n, c) for i, j, c in terms]

    def f(v):
        return sum((c * v[i] * v[j] for i, j, c in terms), 0.0)

    expected = [0.0] * n
    for i, j, c in terms:
        expected[i] += c * xs[j]
        expected[j] += c * xs[i]
    for chunk in (1, 3):
        for a, b in zip(grad(f, xs, chunk=chunk), expected, strict=True):
            assert a == pytest.approx(b, rel=1e-12, abs=1e-12)


def test_empty_params_give_an_empty_gradient_without_a_pass():
    calls = []
    assert grad(lambda p: calls.append(1) or 0.0, []) == []
    assert grad(lambda p: calls.append(1) or 0.0, {"a": []}) == {"a": []}
    assert calls == []
    r = value_and_grad(lambda p: 1.5, {})
    assert (r.value, r.grad, r.passes) == (1.5, {}, 1)


def test_nan_and_inf_are_returned_as_they_are():
    g = grad(lambda p: dmath.sqrt(p[0]) + p[1] * math.inf, [0.0, 1.0])
    assert g[0] == math.inf and g[1] == math.inf
    r = value_and_grad(lambda p: p[0] * math.nan, [1.0])
    assert math.isnan(r.value) and math.isnan(r.grad[0])
    assert grad(lambda p: p[0] + p[1], [1.0, 2.0]) == [1.0, 1.0]  # the driver adds no nan


# -- bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("f", "shown"),
    [
        (lambda p: [p[0], p[0]], "returned [Dual"),
        (lambda p: "loss", "returned 'loss'"),
        (lambda p: None, "returned None"),
        (lambda p: Dual(1.0, 1.0, 0) * p[0], "tag 0"),
    ],
)
def test_grad_rejects_what_is_not_a_scalar(f, shown):
    with pytest.raises(TypeError, match=shown.replace("[", r"\[").replace("(", r"\(")):
        grad(f, [1.0])


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"wte": [[1.0, 2.0], [3.0, "x"]]}, r"params\['wte'\]\[1\]\[1\]"),
        ([1.0, None], r"params\[1\]"),
        ({"b": 1j}, r"params\['b'\]"),
    ],
)
def test_non_real_parameters_are_named_by_path(params, path):
    with pytest.raises(TypeError, match=path):
        grad(lambda p: 0.0, params)


def test_escaping_to_math_surfaces_the_core_error():
    with pytest.raises(TypeError, match=r"dualgrad\.dmath\.exp"):
        grad(lambda p: math.exp(p[0]), [1.0])


def test_bad_chunk_and_missing_shapes():
    with pytest.raises(ValueError, match="chunk"):
        grad(lambda p: p[0], [1.0], chunk=0)
    with pytest.raises(ValueError, match="structure"):
        jvp(lambda p: p[0], [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match="real number"):
        derivative(lambda x: x, "3")


# -- jvp, jacobian, hessian -----------------------------------------------------------------------
def test_jvp_is_the_gradient_dotted_with_the_direction():
    v, t = [0.3, -1.2, 2.0], [1.0, 2.0, -0.5]
    value, d = jvp(rosenbrock, v, t)
    g = grad(rosenbrock, v)
    assert value == rosenbrock(v)
    assert d == pytest.approx(sum(a * b for a, b in zip(g, t, strict=True)), rel=1e-14)


def test_jacobian_closed_form_and_chunks():
    def f(v):
        return [v[0] * v[1], dmath.sin(v[0]) + v[2] ** 2, v[2]]

    x = [0.5, 2.0, -1.0]
    expected = [[2.0, 0.5, 0.0], [math.cos(0.5), 0.0, -2.0], [0.0, 0.0, 1.0]]
    for chunk in (1, 2, "all"):
        got = jacobian(f, x, chunk=chunk)
        assert len(got) == 3
        for row, erow in zip(got, expected, strict=True):
            assert row == pytest.approx(erow, rel=1e-15)


def test_hessian_of_rosenbrock_matches_its_closed_form():
    v = [-1.2, 1.0, 0.5]
    h = hessian(rosenbrock, v)
    expected = rosenbrock_hessian(v)
    for row, erow in zip(h, expected, strict=True):
        assert row == pytest.approx(erow, rel=1e-14, abs=1e-12)
    assert all(type(x) is float for row in h for x in row)


def test_hessian_matches_differences_of_the_gradient():
    def f(v):
        return dmath.exp(v[0] * v[1]) * dmath.sin(v[2]) + v[0] ** 3

    x = [0.4, -0.3, 1.1]
    h = hessian(f, x)
    for j in range(3):
        col = central_grad(lambda v, j=j: grad(f, v)[j], x)  # d/dx_i of g_j
        assert [h[i][j] for i in range(3)] == pytest.approx(col, rel=1e-6)


def test_hessian_of_a_scalar_function():
    assert hessian(lambda x: x**3, 2.0) == [[12.0]]


def test_flattened_order_is_what_jacobian_uses():
    x = {"b": 1.0, "a": 2.0}  # flattens as [a, b]
    assert flatten(x)[0] == [2.0, 1.0]
    # a dict keeps its keys (as JAX): the outputs' structure holding the inputs' (in x's order)
    got = jacobian(lambda p: [p["a"] * 3.0, p["b"]], x)
    assert got == [{"b": 0.0, "a": 3.0}, {"b": 1.0, "a": 0.0}]
    assert [list(row) for row in got] == [["b", "a"]] * 2


def test_second_derivative_of_a_square_at_its_zero():
    # the pow rule at base 0 must keep its first-order term for nesting: (x - 1)**2 at x = 1
    assert derivative(derivative(lambda x: (x - 1) ** 2), 1.0) == 2.0
    assert derivative(derivative(lambda x: x**3), 0.0) == 0.0
