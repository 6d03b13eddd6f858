"""dmath mirrors math on plain numbers and keeps derivatives on Duals."""

from __future__ import annotations

import math

import pytest

from dualgrad import Dual, dmath
from dualgrad.rules import RULES

# dmath name -> rule name, for every function the mirror offers
MIRRORED = {name: name for name in RULES if hasattr(math, name) and hasattr(dmath, name)}
MIRRORED |= {
    "minimum": "min",
    "maximum": "max",
    "relu": "relu",
    "sigmoid": "sigmoid",
    "softplus": "softplus",
    "fabs": "abs",
    "cbrt": "cbrt",  # math.cbrt is Python 3.12+; dmath has it on every version
}


def point(rule_name):
    return tuple(dom[0][0] + 0.3 * (dom[0][1] - dom[0][0]) for dom in RULES[rule_name].domain)


def test_every_table_function_is_mirrored():
    arithmetic = {"add", "sub", "mul", "truediv", "neg", "pos"}  # operators, not functions
    assert set(MIRRORED.values()) | arithmetic | {"pow"} == set(RULES)
    assert callable(dmath.pow)


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_plain_numbers_give_exactly_what_math_gives(name):
    args = point(MIRRORED[name])
    got = getattr(dmath, name)(*args)
    expected = getattr(math, name)(*args) if hasattr(math, name) else RULES[MIRRORED[name]].f(*args)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("name", sorted(MIRRORED))
def test_duals_give_duals_with_the_rule_derivative(name):
    rule = RULES[MIRRORED[name]]
    args = point(rule.name)
    for i in range(rule.arity):
        seeded = [Dual(a, 1.0) if j == i else a for j, a in enumerate(args)]
        out = getattr(dmath, name)(*seeded)
        assert type(out) is Dual
        assert out.value == pytest.approx(rule.f(*args), rel=1e-15)
        h = 1e-6
        up = [a + h if j == i else a for j, a in enumerate(args)]
        down = [a - h if j == i else a for j, a in enumerate(args)]
        assert out.tangent == pytest.approx((rule.f(*up) - rule.f(*down)) / (2 * h), rel=1e-6)


def test_two_argument_functions_accept_a_dual_on_either_side():
    assert dmath.atan2(Dual(1.0, 1.0), Dual(2.0)).tangent == pytest.approx(2 / 5)
    assert dmath.atan2(1.0, Dual(2.0, 1.0)).tangent == pytest.approx(-1 / 5)
    assert dmath.hypot(3.0, Dual(4.0, 1.0)).tangent == pytest.approx(0.8)
    assert dmath.maximum(1.0, Dual(2.0, 1.0)).tangent == 1.0
    assert dmath.minimum(1.0, Dual(2.0, 1.0)).tangent == 0.0


def test_log_with_base_and_pow():
    assert dmath.log(8.0, 2) == math.log(8.0, 2)
    y = dmath.log(Dual(8.0, 1.0), 2)
    assert y.value == pytest.approx(3.0) and y.tangent == pytest.approx(1 / (8 * math.log(2)))
    assert dmath.pow(2.0, 3) == 8.0
    assert dmath.pow(Dual(2.0, 1.0), 3).tangent == 12.0
    with pytest.raises(ValueError, match="math domain error"):
        dmath.pow(-2.0, 0.5)


def test_math_domain_errors_and_type_errors_mirror_math():
    with pytest.raises(ValueError, match="math domain error"):
        dmath.log(0.0)
    with pytest.raises(ValueError, match=r"sqrt\(-1\.0\)"):
        dmath.sqrt(Dual(-1.0))
    with pytest.raises(TypeError):
        dmath.exp("a")
    with pytest.raises(TypeError):
        dmath.exp(None)


def test_predicates_and_constants():
    assert dmath.isfinite(Dual(1.0, math.inf))  # the value decides
    assert dmath.isnan(Dual(math.nan)) and dmath.isinf(Dual(-math.inf))
    assert dmath.isclose(Dual(1.0), 1.0 + 1e-12)
    assert (dmath.pi, dmath.e, dmath.inf) == (math.pi, math.e, math.inf)


def test_matvec_with_a_few_duals_among_floats_adds_their_terms_last():
    import random

    rng = random.Random(0)
    w = [[rng.uniform(-1, 1) for _ in range(12)] for _ in range(5)]
    x = [rng.uniform(-1, 1) for _ in range(12)]
    x[7] = Dual(x[7], 1.0)  # one seeded input: the split path
    got = dmath.matvec(w, x)
    for row, y in zip(w, got, strict=True):
        plain = sum(a * (b.value if type(b) is Dual else b) for a, b in zip(row, x, strict=True))
        assert y.value == pytest.approx(plain, rel=1e-14)
        assert y.tangent == row[7]  # d/dx7 of the row's sum, exactly
    w[2][3] = Dual(w[2][3], 1.0)  # a seeded weight in one row: still correct
    assert dmath.matvec(w, x)[2].tangent == pytest.approx(w[2][7] + x[3], rel=1e-15)


def test_sumprod_and_matvec_reject_mismatched_lengths_like_math():
    with pytest.raises(ValueError, match="same length"):
        dmath.sumprod([1.0, 2.0], [3.0])
    with pytest.raises(ValueError, match="row of 1 entries against 2"):
        dmath.matvec([[1.0, 2.0], [3.0]], [1.0, 1.0])


@pytest.mark.parametrize("name", sorted(n for n, r in MIRRORED.items() if RULES[r].arity == 1))
def test_the_dual_fast_path_is_the_method_itself(name):
    # dmath.f(Dual) skips the lookup of the method; it must be the very same operation, on
    # scalar, nested and vector tangents alike
    np = pytest.importorskip("numpy")
    x = point(MIRRORED[name])[0]
    method = {"fabs": "__abs__", "floor": "__floor__", "ceil": "__ceil__", "trunc": "__trunc__"}
    for d in (
        Dual(x, 1.0),
        Dual(Dual(x, 1.0, 1), Dual(0.5, 2.0, 1), 2),
        Dual(x, np.array([1.0, -2.0])),
    ):
        got, want = getattr(dmath, name)(d), getattr(d, method.get(name, name))()
        assert repr(got) == repr(want)
