"""custom_jvp against the same function differentiated as code, in every forward driver;
reverse mode through one rule call per input; Taylor mode refused, naming what to use."""

from __future__ import annotations

import math

import pytest

from dualgrad import (
    custom_jvp,
    derivative,
    derivatives,
    dmath,
    forward_gradient,
    grad,
    hessian,
    jacobian,
    jacobian_sparsity,
    jvp,
    sparse_jacobian,
)
from dualgrad.reverse import value_and_grad as reverse_value_and_grad

np = pytest.importorskip("numpy")


# A black box: numpy on float arrays (a Dual would not survive np.asarray(..., float)).
@custom_jvp
def blackbox(x, a):
    x = np.asarray(x, dtype=float)
    return np.exp(a * x) * float(np.sum(x**2))


@blackbox.defjvp
def _blackbox_jvp(primals, tangents):
    x, a = primals
    dx, da = tangents
    x, dx = np.asarray(x, dtype=float), np.asarray(dx, dtype=float)
    s, ds = float(np.sum(x**2)), float(np.sum(2 * x * dx))
    e = np.exp(a * x)
    return e * s, e * (da * x + a * dx) * s + e * ds


def as_code(x, a):
    s = sum(xi * xi for xi in x)
    return [dmath.exp(a * xi) * s for xi in x]


def F(p):
    return list(blackbox(p[:3], p[3]))


def G(p):
    return as_code(p[:3], p[3])


X = [0.1, 0.2, 0.3, 0.7]


def same(a, b, rel=1e-14):
    assert np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=rel, atol=0)


def test_the_box_refuses_numbers_on_its_own():
    from dualgrad import Dual

    with pytest.raises(TypeError):
        np.asarray([Dual(1.0, 1.0)], dtype=float)


@pytest.mark.parametrize("chunk", [1, 2, "all"])
def test_jacobian_and_grad_equal_the_code(chunk):
    same(jacobian(F, X, chunk=chunk), jacobian(G, X))
    same(grad(lambda p: F(p)[1], X, chunk=chunk), grad(lambda p: G(p)[1], X))


def test_derivative_jvp_and_forward_gradient():
    same(derivative(lambda a: F([*X[:3], a])[2], 0.7), derivative(lambda a: G([*X[:3], a])[2], 0.7))
    v = [1.0, -1.0, 0.5, 2.0]
    same(jvp(F, X, v), jvp(G, X, v))
    for chunk in (1, "all"):
        est = forward_gradient(lambda p: F(p)[0], X, directions=3, rng=1, chunk=chunk)
        ref = forward_gradient(lambda p: G(p)[0], X, directions=3, rng=1, chunk=chunk)
        same(est.grad, ref.grad)


def test_sparse_jacobian_and_its_pattern():
    def f(p):  # the box's outputs depend on its inputs; p[4] on its own
        return [*F(p[:4]), 2.0 * p[4]]

    x = [*X, 1.0]
    pattern = jacobian_sparsity(f, x).todense()
    assert pattern == [[True] * 4 + [False]] * 3 + [[False] * 4 + [True]]
    same(sparse_jacobian(f, x).todense(), jacobian(lambda p: [*G(p[:4]), 2.0 * p[4]], x))


def test_array_parameters():
    xa = np.array(X[:3])
    same(grad(lambda v: blackbox(v, 0.7)[1], xa), grad(lambda v: as_code(list(v), 0.7)[1], xa))


def test_reverse_mode_one_rule_call_per_input():
    calls = []

    @custom_jvp
    def box(x, y):
        return [math.exp(x) * y, x + y]

    @box.defjvp
    def _(primals, tangents):
        calls.append(1)
        (x, y), (dx, dy) = primals, tangents
        return box(x, y), [math.exp(x) * (y * dx + dy), dx + dy]

    _, g = reverse_value_and_grad(lambda p: box(p[0], p[1])[0] * box(p[0], p[1])[1], [0.5, 2.0])
    _, ref = reverse_value_and_grad(lambda p: p[0].exp() * p[1] * (p[0] + p[1]), [0.5, 2.0])
    assert len(calls) == 4  # two calls of box, one rule call per input Value each
    same(g, ref)


def test_a_differentiable_rule_nests():
    @custom_jvp
    def h(x, y):
        return math.exp(x) * math.sin(y)

    @h.defjvp
    def _(primals, tangents):
        (x, y), (dx, dy) = primals, tangents
        return h(x, y), dmath.exp(x) * (dmath.sin(y) * dx + dmath.cos(y) * dy)

    same(
        hessian(lambda p: h(p[0], p[1]), [0.3, 0.4]),
        hessian(lambda p: dmath.exp(p[0]) * dmath.sin(p[1]), [0.3, 0.4]),
    )


def test_a_black_box_rule_refuses_a_second_derivative_loudly():
    with pytest.raises(TypeError, match="blackbox: its jvp rule was given Dual"):
        hessian(lambda p: F(p)[0], X)


def test_taylor_mode_names_primitive():
    with pytest.raises(TypeError, match=r"dualgrad\.primitive"):
        derivatives(lambda t: F([t, 0.2, 0.3, 0.7])[0], 0.1, order=2)


def test_plain_calls_and_errors():
    assert F(X) == list(blackbox(X[:3], X[3]))
    ruleless = custom_jvp(lambda x: 2 * x)
    assert ruleless(3.0) == 6.0
    with pytest.raises(TypeError, match="has no rule"):
        derivative(ruleless, 1.0)
    bad = custom_jvp(lambda x: x)
    bad.defjvp(lambda p, t: 3.0)
    with pytest.raises(TypeError, match=r"must return \(out, tangent_out\)"):
        derivative(bad, 1.0)
    short = custom_jvp(lambda x: [x, x])
    short.defjvp(lambda p, t: ([p[0], p[0]], [t[0]]))
    with pytest.raises(ValueError, match="tangent_out has 1 numbers for 2"):
        jacobian(lambda v: short(v[0]), [1.0])
    with pytest.raises(TypeError, match="callable"):
        custom_jvp(3)
