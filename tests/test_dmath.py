"""dmath mirrors math on plain numbers and keeps derivatives on Duals."""

from __future__ import annotations

import math

import pytest
from spellings import OPERATORS, public

from dualgrad import Dual, dmath
from dualgrad.rules import RULES
from dualgrad.testing import differentiable

# dmath name -> rule name, for every function of the mirror named after its rule (polygamma's
# arguments come in scipy's order; min and max and abs have names of their own)
MIRRORED = {name: name for name in RULES if hasattr(dmath, name) and name != "polygamma"}
MIRRORED |= {"minimum": "min", "maximum": "max", "fabs": "abs"}


def point(rule_name):
    rule = RULES[rule_name]
    return tuple(
        round(dom[0][1]) if i in rule.integer else dom[0][0] + 0.3 * (dom[0][1] - dom[0][0])
        for i, dom in enumerate(rule.domain)
    )


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_table_function_is_mirrored(name):
    fn = public(name)  # an operator, or the dmath mirror (failing with what to add)
    assert callable(fn)
    if name not in OPERATORS and name != "polygamma":
        assert name in MIRRORED.values()


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
    for i in differentiable(rule):
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


# -- the rest of math: remainders, signs, exponents, reductions, predicates --------------------
def test_mod_floordiv_divmod_follow_python_floats_with_either_side_a_dual():
    from dualgrad.reverse import Value

    for x, y in ((7.5, 2.0), (-7.5, 2.0), (7.5, -2.0), (-7.5, -2.0), (3, 2)):
        a, b = Dual(x, 1.0), Dual(y, 0.0)
        assert (a % y).value == x % y and (x % Dual(y, 1.0)).value == x % y
        assert (a // b).value == x // y and type((a // b).value) is type(x // y)
        assert (a % b).tangent == 1.0
        assert (x % Dual(y, 1.0)).tangent == -(x // y)  # d/dy = -floor(x / y)
        assert (Dual(x, 1.0) // Dual(y, 1.0)).tangent == 0.0
        q, r = divmod(a, b)
        assert (q.value, r.value) == divmod(x, y) and (q.tangent, r.tangent) == (0.0, 1.0)
        q, r = divmod(x, Dual(y, 1.0))  # reflected
        assert (q.value, r.value) == divmod(x, y) and r.tangent == -(x // y)
        v, w = Value(x), Value(y)
        out = v % w + v // w
        out.backward()
        assert out.data == x % y + x // y and (v.grad, w.grad) == (1.0, -(x // y))
    assert (-0.0 % Dual(1.0)).value == 0.0 and math.copysign(1, (Dual(0.0) % -1.0).value) < 0
    with pytest.raises(ZeroDivisionError, match=r"mod\(1\.0, 0\.0\)"):
        Dual(1.0, 1.0) % 0.0
    with pytest.raises(ZeroDivisionError, match="floordiv"):
        divmod(Dual(1.0, 1.0), 0.0)


def test_fmod_and_remainder_at_their_kinks_use_the_quotient_of_the_value():
    # at x / y = 3 exactly fmod is 0: the quotient is 3 (its right-hand slope in y, -3)
    assert dmath.fmod(6.0, Dual(2.0, 1.0)).tangent == -3.0
    assert dmath.fmod(-6.5, Dual(2.0, 1.0)).tangent == 3.0  # -trunc(-3.25)
    assert dmath.remainder(5.0, Dual(2.0, 1.0)).tangent == -2.0  # 2.5 rounds to even 2
    assert dmath.remainder(7.0, Dual(2.0, 1.0)).tangent == -4.0  # 3.5 rounds to 4
    assert dmath.fmod(Dual(6.0, 1.0), 2.0).tangent == 1.0
    assert math.isnan(dmath.fmod(Dual(math.nan, 1.0), Dual(0.0, 1.0)).value)
    with pytest.raises(ValueError, match=r"math domain error in fmod\(inf, 1\.0\)"):
        dmath.fmod(Dual(math.inf, 1.0), 1.0)


def test_copysign_keeps_signed_zeros_and_has_no_slope_in_the_sign():
    for x in (2.0, -2.0, 0.0, -0.0):
        for y in (3.0, -3.0, 0.0, -0.0):
            z = dmath.copysign(Dual(x, 1.0), Dual(y, 1.0))
            want = math.copysign(x, y)
            assert z.value == want and math.copysign(1, z.value) == math.copysign(1, want)
            assert z.tangent == math.copysign(1, x) * math.copysign(1, y)
    assert dmath.copysign(2.0, Dual(-1.0, 1.0)).tangent == 0.0
    assert math.isnan(dmath.copysign(Dual(math.nan, 1.0), 1.0).tangent)


def test_radians_degrees_ldexp_frexp():
    assert dmath.radians(Dual(180.0, 1.0)).value == math.radians(180.0) == dmath.radians(180.0)
    assert dmath.degrees(Dual(1.0, 1.0)).tangent == 180.0 / math.pi
    assert dmath.ldexp(3.0, 4) == math.ldexp(3.0, 4)
    assert (
        dmath.ldexp(Dual(3.0, 1.0), -2) == Dual(0.75)
        and dmath.ldexp(Dual(3.0, 1.0), -2).tangent == 0.25
    )
    tiny = dmath.ldexp(Dual(5e-324, 1.0), 1100)  # value finite, 2**1100 beyond the floats
    assert tiny.value == math.ldexp(5e-324, 1100) and tiny.tangent == math.inf
    for bad in (2.0, Dual(2, 1.0), "2"):
        with pytest.raises(TypeError, match="exponent must be an int"):
            dmath.ldexp(Dual(1.0, 1.0), bad)
    with pytest.raises(TypeError, match="exponent must be an int"):
        dmath.ldexp(1.0, 2.0)  # as math.ldexp(1.0, 2.0), naming the exponent
    with pytest.raises(OverflowError, match="ldexp"):
        dmath.ldexp(Dual(1.0, 1.0), 2000)
    assert dmath.frexp(12.0) == math.frexp(12.0)
    m, e = dmath.frexp(Dual(12.0, 1.0))
    assert (m.value, e) == math.frexp(12.0) and m.tangent == 2.0**-4 and type(e) is int
    assert dmath.frexp(Dual(0.0, 1.0)) == (Dual(0.0), 0)


REDUCTION_POINTS = [
    [3.0, -4.0, 12.0],
    [0.5],
    [],
    [2.0, 0.0, 5.0],
    [0.0, 0.0, 3.0, 1.5],
    [1e-320, 3e-320],
]


@pytest.mark.parametrize("xs", REDUCTION_POINTS)
def test_reductions_give_maths_value_and_exact_partials(xs):
    from dualgrad.reverse import grad as reverse_grad

    cases = {
        "fsum": (dmath.fsum, math.fsum, lambda i: 1.0),
        "prod": (dmath.prod, math.prod, lambda i: math.prod(xs[:i] + xs[i + 1 :])),
        "hypot": (
            lambda v: dmath.hypot(*v),
            lambda v: math.hypot(*v),
            lambda i: xs[i] / math.hypot(*xs) if any(xs) else 0.0,
        ),
    }
    for fn, plain, partial in cases.values():
        assert fn(list(xs)) == plain(xs) and type(fn(list(xs))) is type(plain(xs))
        for i in range(len(xs)):
            seeded = [Dual(x, 1.0) if j == i else x for j, x in enumerate(xs)]
            out = fn(seeded)
            assert out.value == plain(xs)
            if xs != [1e-320, 3e-320]:
                assert out.tangent == pytest.approx(partial(i), rel=1e-15, abs=0)
        if xs:
            assert reverse_grad(lambda p, fn=fn: fn(p), list(xs)) == pytest.approx(
                [partial(i) for i in range(len(xs))], rel=1e-15, abs=0
            ) or xs == [1e-320, 3e-320]


def test_reductions_on_subnormals_infinities_and_nested_duals():
    g = dmath.hypot(Dual(1e-320, 1.0), 3e-320, 0.0)  # subnormal norm: from scaled values
    assert g.tangent == pytest.approx(1 / math.sqrt(10), rel=1e-3)  # 1e-320 has ~11 bits
    assert dmath.hypot(Dual(math.inf, 1.0), 1.0, 2.0).tangent == 1.0
    assert dmath.hypot(Dual(0.0, 1.0), 0.0, 0.0).tangent == 0.0  # the cone's kink: 0
    assert dmath.prod([Dual(0.0, 1.0), Dual(0.0, 1.0), 3.0]).tangent == 0.0
    assert dmath.prod([2.0, Dual(3.0, 1.0)], start=Dual(5.0, 0.0)).value == 30.0
    assert dmath.fsum([Dual(1e100, 1.0), 1.0, Dual(-1e100, 1.0)]) == Dual(1.0)
    assert dmath.dist([Dual(1.0, 1.0), 2.0], [4.0, 6.0]) == Dual(5.0)
    assert dmath.dist([Dual(1.0, 1.0), 2.0], [4.0, 6.0]).tangent == -0.6
    with pytest.raises(ValueError, match="same number of dimensions"):
        dmath.dist([Dual(1.0)], [1.0, 2.0])
    # second derivatives: composed from the table's rules (hypot, mul, add)
    from dualgrad import hessian

    h = hessian(lambda p: dmath.hypot(*p), [3.0, 4.0, 12.0])
    assert h[0][0] == pytest.approx((13.0**2 - 9.0) / 13.0**3, rel=1e-14)
    assert h[0][1] == pytest.approx(-12.0 / 13.0**3, rel=1e-14)
    h = hessian(lambda p: dmath.prod(p) + dmath.fsum(p), [2.0, 3.0, 0.0])
    assert h[0][1] == 0.0 and h[0][2] == 3.0 and h[1][2] == 2.0


def test_two_argument_hypot_is_the_rule_bit_for_bit():
    from dualgrad.numbers.dual import binary_op

    for x, y in ((3.0, 4.0), (1e-310, 2e-310), (1e308, 1e308), (0.0, -0.0)):
        a, b = (
            dmath.hypot(Dual(x, 1.0), Dual(y, 0.5)),
            binary_op("hypot")[0](Dual(x, 1.0), Dual(y, 0.5)),
        )
        assert (a.value, a.tangent) == (b.value, b.tangent)


def test_predicates_accept_every_number_type():
    from dualgrad.reverse import Value
    from dualgrad.sparsity.tracer import Tracer
    from dualgrad.taylormode import Taylor

    for make in (
        Dual,
        Value,
        lambda v: Taylor([v, 1.0]),
        lambda v: Dual(Dual(v, 1.0, 1), 0.0, 2),
        Tracer,
    ):
        assert dmath.isfinite(make(1.0)) and not dmath.isfinite(make(math.inf))
        assert dmath.isnan(make(math.nan)) and not dmath.isnan(make(1.0))
        assert dmath.isinf(make(-math.inf)) and not dmath.isinf(make(1.0))
        assert dmath.isclose(make(1.0), make(1.0 + 1e-12)) and not dmath.isclose(make(1.0), 1.1)


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


def test_reductions_take_numpy_scalars_and_arrays_as_plain_numbers():
    np = pytest.importorskip("numpy")
    tenth = np.full(10, 0.1)
    assert dmath.fsum(tenth) == math.fsum(tenth) == 1.0  # not a fold, which gives 0.999...
    y = dmath.fsum([*tenth[:9], Dual(0.1, 1.0)])
    assert y.value == 1.0 and y.tangent == 1.0
    assert dmath.hypot(*np.array([3.0, 4.0, 12.0])) == 13.0
    assert dmath.prod(np.array([2.0, 3.0]), start=Dual(1.0, 1.0)) == Dual(6.0)
    assert dmath.dist(np.zeros(2), [3.0, 4.0]) == 5.0
