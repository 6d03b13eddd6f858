"""A user's primitive in every mode, against mpmath at high precision; the n-argument path
against the number types' own factories; first-order-only partials fail loudly."""

from __future__ import annotations

import math

import pytest

from dualgrad import (
    Dual,
    Primitive,
    Taylor,
    derivative,
    derivatives,
    dmath,
    grad,
    hessian,
    hessian_sparsity,
    jacobian_sparsity,
    primitive,
    sparse_jacobian,
    taylor,
)
from dualgrad.custom import nary as _nary
from dualgrad.reverse import Value
from dualgrad.reverse import value_and_grad as reverse_value_and_grad
from dualgrad.sparsity.tracer import Tracer

mp = pytest.importorskip("mpmath")
mp.mp.dps = 40
TOL = 1e-12


def close(a, b, tol=TOL):
    assert math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol), (a, float(b))


# Three primitives whose partials are written with dmath and primitives (so they nest), with
# their mpmath twins: one, two and three arguments.
def _logaddexp(x, y):
    m = max(x, y)
    return m + math.log(math.exp(x - m) + math.exp(y - m))


logaddexp = primitive(
    _logaddexp,
    lambda x, y, out: dmath.exp(x - out),
    lambda x, y, out: dmath.exp(y - out),
    name="logaddexp",
)
norm3 = primitive(
    lambda x, y, z: math.sqrt(x * x + y * y + z * z),
    lambda x, y, z, out: x / out,
    lambda x, y, z, out: y / out,
    lambda x, y, z, out: z / out,
    name="norm3",
)


@primitive
def sin2(x):
    """sin(x)**2 from math, its partial sin(2x) from dmath."""
    return math.sin(x) ** 2


sin2.defpartials(lambda x, out: dmath.sin(2 * x))

REFS = {
    "sin2": lambda x: mp.sin(x) ** 2,
    "logaddexp": lambda x, y: mp.log(mp.exp(x) + mp.exp(y)),
    "norm3": lambda x, y, z: mp.sqrt(x * x + y * y + z * z),
}
POINTS = {"sin2": (0.7,), "logaddexp": (0.3, -1.2), "norm3": (1.0, -2.0, 0.5)}
PRIMS = {"sin2": sin2, "logaddexp": logaddexp, "norm3": norm3}
NAMES = sorted(PRIMS)


def ref_partial(name, orders):
    point = tuple(mp.mpf(v) for v in POINTS[name])
    return mp.diff(REFS[name], point, orders)


def unit(n, i, k=1):
    return tuple(k if j == i else 0 for j in range(n))


@pytest.mark.parametrize("name", NAMES)
def test_value_is_f_itself(name):
    f, x = PRIMS[name], POINTS[name]
    assert f(*x) == f.f(*x)
    close(f(*x), REFS[name](*x), 1e-15)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("chunk", [1, 2, "all"])
def test_grad_forward_and_reverse(name, chunk):
    f, x = PRIMS[name], list(POINTS[name])
    n = len(x)
    fwd = grad(lambda p: f(*p), x, chunk=chunk)
    value, rev = reverse_value_and_grad(lambda p: f(*p), x)
    close(value, f(*x), 0)
    for i in range(n):
        exact = ref_partial(name, unit(n, i))
        close(fwd[i], exact)
        close(rev[i], exact)


@pytest.mark.parametrize("name", NAMES)
def test_hessian(name):
    f, x = PRIMS[name], list(POINTS[name])
    n = len(x)
    H = hessian(lambda p: f(*p), x)
    for i in range(n):
        for j in range(n):
            orders = [0] * n
            orders[i] += 1
            orders[j] += 1
            close(H[i][j], ref_partial(name, tuple(orders)))


@pytest.mark.parametrize("name", NAMES)
def test_taylor_to_order_6(name):
    f, x = PRIMS[name], list(POINTS[name])
    n = len(x)
    d = derivatives(lambda t: f(*[t if i == 0 else v for i, v in enumerate(x)]), x[0], order=6)
    for k in range(7):
        close(d[k], ref_partial(name, unit(n, 0, k)), 1e-10)
    v = [1.0, -0.5, 0.25][:n]
    coeffs = taylor(lambda p: f(*p), x, v, order=5)
    along = mp.taylor(
        lambda t: REFS[name](*[xi + t * vi for xi, vi in zip(x, v, strict=True)]), 0, 5
    )
    for c, ref in zip(coeffs, along, strict=True):
        close(c, ref, 1e-10)


def test_third_derivative_by_nesting():
    d3 = derivative(derivative(derivative(lambda x: logaddexp(x, -1.2))), 0.3)
    close(d3, ref_partial("logaddexp", (3, 0)))


def test_sparsity_each_argument_feeds_the_output():
    def f(p):
        return [norm3(p[0], p[1], 2.0), logaddexp(p[2], 1.0), sin2(p[3])]

    x = [1.0, 2.0, 0.5, 0.3]
    assert jacobian_sparsity(f, x).todense() == [
        [True, True, False, False],
        [False, False, True, False],
        [False, False, False, True],
    ]
    J = sparse_jacobian(f, x).todense()
    close(J[0][1], 2.0 / 3.0)  # d/dy sqrt(x^2 + y^2 + 4) at (1, 2)
    close(J[1][2], 1 / (1 + math.exp(0.5)))  # d/dx logaddexp(x, 1) at 0.5
    H = hessian_sparsity(lambda p: norm3(p[0], p[1], 1.0) + sin2(p[3]) + p[2], x).todense()
    assert H == [
        [True, True, False, False],
        [True, True, False, False],
        [False, False, False, False],
        [False, False, False, True],
    ]


def test_numpy_arrays_entry_by_entry():
    np = pytest.importorskip("numpy")
    out = sin2(np.array([0.1, 0.2]))
    assert [float(v) for v in out] == [sin2(0.1), sin2(0.2)]
    g = grad(lambda p: np.sum(sin2(p)), np.array([0.1, 0.2]))
    close(g[1], math.sin(0.4))


def test_perturbations_stay_apart():
    got = derivative(lambda x: x * derivative(lambda y: logaddexp(x, y), 0.0), 0.0)
    ref = derivative(
        lambda x: x * derivative(lambda y: dmath.log(dmath.exp(x) + dmath.exp(y)), 0.0), 0.0
    )
    close(got, ref, 1e-15)


# -- the n-argument path equals the factories where both apply -------------------------------------
@pytest.mark.parametrize("name", ["sin2", "logaddexp"])
def test_nary_path_equals_the_factories(name):
    f = PRIMS[name]
    rule = f.rule
    x = POINTS[name]
    n = len(x)
    seeded = tuple(Dual(v, 1.0 + i, 5) for i, v in enumerate(x))
    for outer in range(n):
        args = tuple(s if i == outer else x[i] for i, s in enumerate(seeded))
        a, b = f(*args), _nary.dual(rule, args, outer)
        assert (a.value, a.tangent, a.tag) == (b.value, b.tangent, b.tag)
    a, b = f(*seeded), _nary.dual(rule, seeded, 0)
    assert a.value == b.value and a.tangent == pytest.approx(b.tangent, rel=1e-15)
    nested = tuple(Dual(Dual(v, 1.0, 2), 0.5, 3) for v in x)
    a, b = f(*nested), _nary.dual(rule, nested, 0)
    assert a.tangent.tangent == pytest.approx(b.tangent.tangent, rel=1e-15)
    series = tuple(Taylor([v, 1.0, 0.5, 0.0], 4) for v in x)
    a, b = f(*series), _nary.taylor(rule, series, 0)
    assert a.coefficients == pytest.approx(b.coefficients, rel=1e-14)
    values = [Value(v) for v in x]
    a, b = f(*values), _nary.value(rule, tuple(values), 0)
    assert a.data == b.data and a._local_grads == b._local_grads


# -- first-order partials and arguments without a derivative ---------------------------------------
fsin = primitive(math.sin, lambda x, out: math.cos(x), name="fsin")


def test_a_float_partial_gives_first_derivatives_in_every_mode():
    assert derivative(fsin, 1.0) == math.cos(1.0)
    assert derivatives(fsin, 1.0, order=1) == [math.sin(1.0), math.cos(1.0)]
    assert reverse_value_and_grad(lambda p: fsin(p[0]), [1.0])[1] == [math.cos(1.0)]
    assert grad(lambda p: fsin(p[0]) * p[1], [1.0, 2.0], chunk="all")[0] == 2 * math.cos(1.0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: derivatives(fsin, 1.0, order=2),
        lambda: hessian(lambda p: fsin(p[0]), [1.0]),
        lambda: derivative(derivative(fsin), 1.0),
    ],
)
def test_a_float_partial_refuses_higher_orders(call):
    with pytest.raises(TypeError, match="fsin: partial 0 cannot be differentiated"):
        call()


def test_none_partial_takes_plain_numbers_only():
    scaled = primitive(lambda n, x: n * x, None, lambda n, x, out: n, name="scaled")
    assert derivative(lambda x: scaled(3, x), 2.0) == 3.0
    with pytest.raises(TypeError, match="argument 0 has no derivative"):
        derivative(lambda n: scaled(n, 2.0) + scaled(n, Dual(2.0, 1.0, 99)), 3.0)


def test_names_never_clash_with_the_table_or_each_other():
    my_exp = primitive(math.exp, lambda x, out: out * 2.0, name="exp")  # a wrong partial on purpose
    assert my_exp.rule.name != "exp"
    assert derivatives(lambda x: dmath.exp(x) + my_exp(x), 0.0, order=2) == [2.0, 3.0, 5.0]
    a = primitive(math.sin, lambda x, out: dmath.cos(x), name="twin")
    b = primitive(math.cos, lambda x, out: -dmath.sin(x), name="twin")
    assert a.rule.name != b.rule.name
    d = derivatives(lambda x: a(x) * b(x), 0.5, order=3)
    ref = derivatives(lambda x: dmath.sin(x) * dmath.cos(x), 0.5, order=3)
    assert d == pytest.approx(ref, rel=1e-14)


def test_errors_name_the_culprit():
    with pytest.raises(TypeError, match=r"takes 2 arguments \(1 given\)"):
        logaddexp(1.0)
    with pytest.raises(TypeError, match="argument 1 is 'a'"):
        logaddexp(1.0, "a")
    with pytest.raises(TypeError, match="callable"):
        primitive(3.0, lambda x, out: 1.0)
    with pytest.raises(TypeError, match="partial 0 must be a function"):
        primitive(math.sin, "cos")
    undefined = primitive(math.sin)
    assert undefined(1.0) == math.sin(1.0)
    with pytest.raises(TypeError, match="no partials yet"):
        undefined(Dual(1.0, 1.0))
    with pytest.raises(TypeError, match="cannot mix"):
        logaddexp(Value(1.0), Tracer(1.0))
    assert isinstance(sin2, Primitive) and "sin2" in repr(sin2)


def test_domain_errors_and_nan():
    assert math.isnan(derivative(sin2, math.nan))
    with pytest.raises(ValueError, match="math domain error"):
        derivative(primitive(math.log, lambda x, out: 1 / x), -1.0)
