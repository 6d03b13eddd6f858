"""root and fixed_point against mpmath's findroot differentiated at high precision: first and
second derivatives to 1e-11, Taylor coefficients to order 5, in every mode."""

from __future__ import annotations

import math

import pytest

from dualgrad import (
    ConvergenceError,
    Dual,
    derivative,
    derivatives,
    dmath,
    fixed_point,
    grad,
    hessian,
    jacobian,
    jacobian_sparsity,
    root,
    taylor,
)
from dualgrad.reverse import value_and_grad as reverse_value_and_grad

mp = pytest.importorskip("mpmath")
mp.mp.dps = 40
TOL = 1e-11


def close(a, b, tol=TOL):
    assert math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol), (a, float(b))


# -- Kepler's equation: E - e sin E = M ------------------------------------------------------
def kepler(E, M, e):
    return E - e * dmath.sin(E) - M


def kepler_ref(M, e):
    return mp.findroot(lambda E: E - e * mp.sin(E) - M, mp.mpf(1))


POINT = (1.0, 0.5)


def kepler_diff(orders):
    return mp.diff(kepler_ref, tuple(mp.mpf(v) for v in POINT), orders)


def test_kepler_value_and_first_derivatives():
    close(root(kepler, 1.0, *POINT), kepler_ref(*POINT), 1e-15)
    close(derivative(lambda M: root(kepler, 1.0, M, 0.5), 1.0), kepler_diff((1, 0)))
    for chunk in (1, 2, "all"):
        g = grad(lambda p: root(kepler, 1.0, p[0], p[1]), list(POINT), chunk=chunk)
        close(g[0], kepler_diff((1, 0)))
        close(g[1], kepler_diff((0, 1)))


def test_kepler_reverse_mode():
    value, g = reverse_value_and_grad(lambda p: root(kepler, 1.0, p[0], p[1]), list(POINT))
    close(value, kepler_ref(*POINT), 1e-15)
    close(g[0], kepler_diff((1, 0)))
    close(g[1], kepler_diff((0, 1)))


def test_kepler_second_derivatives():
    H = hessian(lambda p: root(kepler, 1.0, p[0], p[1]), list(POINT))
    for i in range(2):
        for j in range(2):
            close(H[i][j], kepler_diff((2 - i - j, i + j) if i == j else (1, 1)))
    d2 = derivative(derivative(lambda M: root(kepler, 1.0, M, 0.5)), 1.0)
    close(d2, kepler_diff((2, 0)))


def test_kepler_taylor_coefficients_to_order_5():
    got = derivatives(lambda M: root(kepler, 1.0, M, 0.5), 1.0, order=5)
    for k in range(6):
        close(got[k], kepler_diff((k, 0)))
    # along a direction in (M, e): the coefficients of t -> E(M + t, e + t/4)
    coeffs = taylor(lambda p: root(kepler, 1.0, p[0], p[1]), list(POINT), [1.0, 0.25], order=5)
    along = mp.taylor(lambda t: kepler_ref(POINT[0] + t, POINT[1] + t / 4), 0, 5)
    for c, ref in zip(coeffs, along, strict=True):
        close(c, ref)


def test_taylor_inside_a_derivative_and_a_derivative_inside_taylor():
    # d/de of the third Taylor coefficient in M, and the Taylor series of dE/dM in e
    d = derivative(lambda e: derivatives(lambda M: root(kepler, 1.0, M, e), 1.0, order=3)[3], 0.5)
    close(d, kepler_diff((3, 1)))
    s = derivatives(lambda e: derivative(lambda M: root(kepler, 1.0, M, e), 1.0), 0.5, order=2)
    close(s[2], kepler_diff((1, 2)))


# -- a 2-D steady state: x = (u, v) with F(x; a, b) = 0 ----------------------------------------
def steady(x, a, b):
    u, v = x
    return [a - u - u * v * v / (1 + u), b * u - v + 0.3 * dmath.sin(u * v)]


def steady_ref(a, b):
    f = [
        lambda u, v: a - u - u * v * v / (1 + u),
        lambda u, v: b * u - v + mp.mpf("0.3") * mp.sin(u * v),
    ]
    return mp.findroot(f, (mp.mpf(1), mp.mpf(1)))


AB = (2.0, 0.7)


def steady_diff(i, orders):
    return mp.diff(lambda a, b: steady_ref(a, b)[i], tuple(mp.mpf(v) for v in AB), orders)


def test_steady_state_jacobian_and_hessian():
    x = root(steady, [1.0, 1.0], *AB)
    ref = steady_ref(*AB)
    close(x[0], ref[0], 1e-15)
    close(x[1], ref[1], 1e-15)
    J = jacobian(lambda p: root(steady, [1.0, 1.0], p[0], p[1]), list(AB))
    for i in range(2):
        close(J[i][0], steady_diff(i, (1, 0)))
        close(J[i][1], steady_diff(i, (0, 1)))
    H = hessian(lambda p: root(steady, [1.0, 1.0], p[0], p[1])[1], list(AB))
    close(H[0][0], steady_diff(1, (2, 0)))
    close(H[0][1], steady_diff(1, (1, 1)))
    close(H[1][0], steady_diff(1, (1, 1)))
    close(H[1][1], steady_diff(1, (0, 2)))


def test_steady_state_taylor_to_order_5():
    coeffs = taylor(lambda p: root(steady, [1.0, 1.0], p[0], p[1]), list(AB), [1.0, -0.5], order=5)
    for i in range(2):
        along = mp.taylor(lambda t, i=i: steady_ref(AB[0] + t, AB[1] - t / 2)[i], 0, 5)
        for k in range(6):
            close(coeffs[k][i], along[k])


def test_steady_state_as_numpy_array():
    np = pytest.importorskip("numpy")

    def f(x, a, b):
        return np.array(steady(list(x), a, b))

    x = root(f, np.array([1.0, 1.0]), *AB)
    assert isinstance(x, np.ndarray) and x.dtype == np.float64
    g = grad(lambda p: root(f, np.array([1.0, 1.0]), p[0], p[1])[0], np.array(AB))
    close(g[0], steady_diff(0, (1, 0)))
    close(g[1], steady_diff(0, (0, 1)))


def test_arguments_in_containers_and_a_dict():
    def f(x, params):
        return steady(x, params["a"], params["b"])

    g = grad(lambda p: root(f, [1.0, 1.0], p)[1], {"a": AB[0], "b": AB[1]}, chunk=2)
    close(g["a"], steady_diff(1, (1, 0)))
    close(g["b"], steady_diff(1, (0, 1)))


# -- a fixed point: x = cos(a x) + b ---------------------------------------------------------------
def T(x, a, b):
    return dmath.cos(a * x) + b


def fixed_ref(a, b):
    return mp.findroot(lambda x: x - mp.cos(a * x) - b, mp.mpf("0.7"))


AB_FIXED = (1.2, 0.1)


def fixed_diff(orders):
    return mp.diff(fixed_ref, tuple(mp.mpf(v) for v in AB_FIXED), orders)


def test_fixed_point_first_second_and_taylor():
    close(fixed_point(T, 0.5, *AB_FIXED), fixed_ref(*AB_FIXED), 1e-15)
    g = grad(lambda p: fixed_point(T, 0.5, p[0], p[1]), list(AB_FIXED))
    close(g[0], fixed_diff((1, 0)))
    close(g[1], fixed_diff((0, 1)))
    H = hessian(lambda p: fixed_point(T, 0.5, p[0], p[1]), list(AB_FIXED))
    close(H[0][0], fixed_diff((2, 0)))
    close(H[0][1], fixed_diff((1, 1)))
    close(H[1][1], fixed_diff((0, 2)))
    got = derivatives(lambda a: fixed_point(T, 0.5, a, AB_FIXED[1]), AB_FIXED[0], order=5)
    for k in range(6):
        close(got[k], fixed_diff((k, 0)))


def test_plain_numbers_give_plain_numbers_and_no_derivative_is_fine():
    x = root(lambda x, a: x * x - a, 1.0, 2.0)
    assert type(x) is float and x == pytest.approx(math.sqrt(2), rel=1e-15)
    assert root(lambda x: x - 3.0, 0.0) == 3.0
    assert derivative(lambda a: root(lambda x: x - 3.0, 0.0) * a, 2.0) == 3.0


def test_a_hand_made_dual_gets_its_tangent():
    x = root(lambda x, a: x * x - a, 1.0, Dual(4.0, 1.0))
    assert x.value == 2.0 and x.tangent == pytest.approx(0.25, rel=1e-15)


# -- failures are loud -----------------------------------------------------------------------------
def test_no_root_raises_with_iterations_and_residual():
    with pytest.raises(ConvergenceError, match=r"after 20 Newton iterations max\|F\(x\)\|") as e:
        root(lambda x: x * x + 1.0, 0.5, maxiter=20)
    assert e.value.iterations == 20 and e.value.residual >= 1.0
    assert isinstance(e.value, ValueError)


def test_a_singular_jacobian_raises():
    with pytest.raises(ValueError, match="singular"):
        root(lambda x: [x[0] + x[1] - 1.0, 2 * x[0] + 2 * x[1] - 2.0], [0.0, 0.0])


def test_a_derivative_from_a_closure_is_refused():
    with pytest.raises(TypeError, match="pass that number as an argument"):
        derivative(lambda a: root(lambda x: x - a, 0.0), 1.0)


def test_bad_inputs():
    with pytest.raises(ValueError, match="one residual per entry"):
        root(lambda x: [x[0]], [1.0, 2.0])
    with pytest.raises(ValueError, match="tol"):
        root(lambda x: x, 1.0, tol=0.0)
    with pytest.raises(ValueError, match="maxiter"):
        root(lambda x: x, 1.0, maxiter=0)
    with pytest.raises(TypeError, match="callable"):
        root(3.0, 1.0)
    with pytest.raises(TypeError, match="x0 entry 0"):
        root(lambda x: x, "a")
    with pytest.raises(ValueError, match="not finite"):
        root(lambda x: x * math.inf, 1.0)


def test_sparsity_sees_every_argument():
    pattern = jacobian_sparsity(
        lambda p: [root(steady, [1.0, 1.0], p[0], p[1])[0], p[2] * 2.0], [2.0, 0.7, 1.0]
    )
    assert pattern.todense() == [[True, True, False], [False, False, True]]


def test_a_large_system_uses_the_same_answer_with_numpy():
    pytest.importorskip("numpy")
    n = 30  # above the size from which numpy solves plain systems

    def f(x, a):
        return [x[i] + 0.1 * dmath.sin(x[i - 1]) - a * (i + 1) / n for i in range(n)]

    g = derivative(lambda a: root(f, [0.0] * n, a)[-1], 1.0)
    step = 1e-6
    fd = (root(f, [0.0] * n, 1.0 + step)[-1] - root(f, [0.0] * n, 1.0 - step)[-1]) / (2 * step)
    assert g == pytest.approx(fd, rel=1e-7)
