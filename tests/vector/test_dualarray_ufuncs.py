"""numpy's ufuncs on dual arrays, each against the scalar Dual path entry by entry.

For every ufunc that names a rule (:data:`ufuncs.RULE_OF`, numpy's and scipy.special's), the
dual array's value and tangents must equal, at every entry, what the scalar Dual operation of
the same rule gives on that entry (values to a few ulps: numpy's and math's libm may round
differently; tangents likewise, and nan at the same places). Points: the rule's domain
(sampled like tests/rules/test_table.py) plus special values and tails. Where the scalar path
refuses a point (a math domain error: log(-1), sin(inf), x % 0) the value is numpy's and only
the value is compared with numpy. Composites are checked against closed forms, comparisons
and predicates return plain boolean arrays, and unsupported ufuncs raise a TypeError naming
them.
"""

from __future__ import annotations

import math

import pytest

np = pytest.importorskip("numpy")
special = pytest.importorskip("scipy.special")

from dualgrad import Dual  # noqa: E402
from dualgrad.numbers.dual import binary_op, unary_op  # noqa: E402
from dualgrad.rules import RULES  # noqa: E402
from dualgrad.testing import rule_points  # noqa: E402
from dualgrad.vector.dualarray import DualArray, ufuncs  # noqa: E402

RTOL, ATOL = 4e-15, 1e-300
SPECIAL = [0.0, -0.0, math.inf, -math.inf, math.nan, 30.0, -30.0, 1e-8, -1e-8, 1e300, -1e300,
           0.5, -0.5, 1.0, -1.0, 2.0, -3.0, 5e-324]  # fmt: skip
PAIRED = [0.0, -0.0, math.inf, -math.inf, math.nan, 1.5, -2.5, 30.0, 1e-8, 1e300, 2.0]
SCALAR_REFUSES = (ValueError, ZeroDivisionError, OverflowError)


def ufunc_of(name):
    return getattr(np, name, None) or getattr(special, name)


def unary_names():
    return sorted(n for n, r in ufuncs.RULE_OF.items() if RULES[r].arity == 1)


def binary_names():
    return sorted(n for n, r in ufuncs.RULE_OF.items() if RULES[r].arity == 2)


def tangents(n, k, seed):
    """n x k tangents, a few of them exactly zero (the zero-wins policy is then exercised)."""
    t = np.random.default_rng(seed).normal(size=(n, k))
    t[::4] = 0.0
    if k > 1:
        t[:, 1] = 0.0
    return t


def as_dual(value, tangent):
    return Dual(float(value), float(tangent[0]) if len(tangent) == 1 else tangent.copy())


def expected(op, args, k):
    """(values, tangents, checked) entry by entry on the scalar path; an entry the scalar path
    refuses is not checked."""
    n = len(args[0]) if isinstance(args[0], list) else len(args[1])
    values, tans, checked = np.full(n, np.nan), np.full((n, k), np.nan), np.zeros(n, bool)
    for i in range(n):
        entry = [a[i] if isinstance(a, list) else a for a in args]
        try:
            with np.errstate(all="ignore"):  # vector tangents are ndarrays: inf - inf
                out = op(*entry)
        except SCALAR_REFUSES:
            continue
        values[i], checked[i] = out.value, True
        tans[i] = out.tangent if type(out) is Dual else 0.0
    return values, tans, checked


def same(got, want, checked, what, rtol=RTOL, atol=ATOL):
    got, want = np.asarray(got)[checked], np.asarray(want)[checked]
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True, err_msg=what)
    assert np.array_equal(np.isnan(got), np.isnan(want)), what


def tolerance(name):
    # scipy's psi, gamma and gammaln are not math's (nor our psi): a few ulps more, and near
    # a root of psi or lgamma relative error means nothing, so an absolute floor there
    if name in ("psi", "gamma", "gammaln"):
        return 1e-13, 1e-14
    return RTOL, ATOL


def unary_points(name):
    rule = RULES[ufuncs.RULE_OF[name]]
    points = [p[0] for p in rule_points(rule, 7)] + SPECIAL
    if name == "gammaln":  # scipy's values, not ours: gammaln(5e-324) is inf (math: 744.44),
        points.remove(5e-324)  # gammaln(-inf) -inf (math: inf)
        points.remove(-math.inf)
    return points


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("name", unary_names())
def test_unary_ufunc_equals_the_scalar_path(name, k):
    xs = unary_points(name)
    t = tangents(len(xs), k, 1)
    op = unary_op(ufuncs.RULE_OF[name])
    duals = [as_dual(x, t[i]) for i, x in enumerate(xs)]
    want_v, want_t, checked = expected(op, [duals], k)
    with np.errstate(all="ignore"):
        got = ufunc_of(name)(DualArray(np.array(xs), t))
        plain = ufunc_of(name)(np.array(xs))
    assert type(got) is DualArray and got.tangent.shape == (len(xs), k)
    rtol, atol = tolerance(name)
    same(got.value, want_v, checked, f"{name} values", rtol, atol)
    same(got.tangent, want_t, checked, f"{name} tangents", rtol, atol)
    assert np.array_equal(got.value, plain, equal_nan=True)  # the value is numpy's own
    assert checked.sum() >= len(unary_points(name)) // 3


def binary_points(name):
    rule = RULES[ufuncs.RULE_OF[name]]
    pts = [tuple(p) for p in rule_points(rule, 4)]
    if rule.integer:
        return pts
    return pts + [(a, b) for a in PAIRED for b in PAIRED]


def binary_cases(name):
    """(label, dual array call, scalar call) for two duals, dual op constant, constant op
    dual."""
    rule = RULES[ufuncs.RULE_OF[name]]
    op, rop = binary_op(rule.name)
    cases = [("dual, constant", (True, False), lambda a, b: op(a, b))]
    if not rule.integer:
        cases.append(("two duals", (True, True), lambda a, b: op(a, b)))
        cases.append(("constant, dual", (False, True), lambda a, b: rop(b, a)))
    return cases


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("name", binary_names())
def test_binary_ufunc_equals_the_scalar_path(name, k):
    pts = binary_points(name)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    if RULES[ufuncs.RULE_OF[name]].integer:
        ys = [int(y) for y in ys]
    tx, ty = tangents(len(pts), k, 2), tangents(len(pts), k, 3)[::-1].copy()
    for label, (dx, dy), scalar in binary_cases(name):
        a = [as_dual(x, tx[i]) for i, x in enumerate(xs)] if dx else xs
        b = [as_dual(y, ty[i]) for i, y in enumerate(ys)] if dy else ys
        want_v, want_t, checked = expected(scalar, [a, b], k)
        with np.errstate(all="ignore"):
            got = ufunc_of(name)(
                DualArray(np.array(xs), tx) if dx else np.array(xs),
                DualArray(np.array(ys), ty) if dy else np.array(ys),
            )
        assert type(got) is DualArray, label
        rtol, atol = tolerance(name)
        same(got.value, want_v, checked, f"{name} ({label}) values", rtol, atol)
        same(got.tangent, want_t, checked, f"{name} ({label}) tangents", rtol, atol)
        assert checked.sum() >= len(pts) // 4, label


@pytest.mark.parametrize("name", binary_names())
def test_binary_ufunc_broadcasts_like_numpy(name):
    """A column against a row (and a Python float on either side): each entry is the scalar
    operation on the broadcast entries."""
    rule = RULES[ufuncs.RULE_OF[name]]
    pts = rule_points(rule, 3)
    xs = sorted({p[0] for p in pts})[:4]
    ys = sorted({p[1] for p in pts})[:3]
    if rule.integer:
        ys = [int(y) for y in ys]
    k = 2
    tx = tangents(len(xs), k, 4).reshape(len(xs), 1, k)
    ty = tangents(len(ys), k, 5).reshape(1, len(ys), k)
    a = DualArray(np.reshape(xs, (-1, 1)), tx)
    b = np.reshape(ys, (1, -1)) if rule.integer else DualArray(np.reshape(ys, (1, -1)), ty)
    got = ufunc_of(name)(a, b)
    assert got.shape == (len(xs), len(ys)) and got.tangent.shape == (len(xs), len(ys), k)
    op = binary_op(rule.name)[0]
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            other = y if rule.integer else as_dual(y, ty[0, j])
            want = op(as_dual(x, tx[i, 0]), other)
            rtol, atol = tolerance(name)
            np.testing.assert_allclose(got.value[i, j], want.value, rtol=rtol, atol=atol)
            np.testing.assert_allclose(got.tangent[i, j], want.tangent, rtol=rtol, atol=atol)
    # a Python number on either side (a float where the rule's argument is)
    left = ufunc_of(name)(a, ys[0])
    assert np.array_equal(left.value, ufunc_of(name)(a.value, ys[0]))
    if not rule.integer:
        right = ufunc_of(name)(xs[0], b)
        assert np.array_equal(right.value, ufunc_of(name)(xs[0], b.value))
        want = binary_op(rule.name)[1](as_dual(ys[0], ty[0, 0]), xs[0])
        np.testing.assert_allclose(right.tangent[0, 0], want.tangent, rtol=RTOL, atol=ATOL)


def test_ldexp_exponent_takes_integers_only():
    x = DualArray(np.array([1.5, -2.0]), np.ones((2, 1)))
    e = DualArray(np.array([1.0, 2.0]), np.ones((2, 1)))
    with pytest.raises(TypeError, match="ldexp"):
        np.ldexp(x, e)
    got = np.ldexp(x, np.array([3, -1]))
    assert got.value.tolist() == [12.0, -1.0] and got.tangent[:, 0].tolist() == [8.0, 0.5]


# -- composites: closed forms ----------------------------------------------------------------
X = np.array([-2.5, -0.3, 0.0, 0.7, 1.9, 30.0])
Y = np.array([1.5, -0.3, 2.0, -0.7, 1.9, -30.0])


def seeded(v, k=2, seed=7):
    return DualArray(np.array(v, dtype=float), tangents(len(v), k, seed))


def chain(x, slope):
    """The tangent of f(x) with f' = slope: x's tangents times the slope, entry by entry."""
    return x.tangent * np.asarray(slope)[..., None]


@pytest.mark.parametrize(
    ("name", "value", "slope"),
    [
        ("square", lambda v: v * v, lambda v: 2 * v),
        ("reciprocal", lambda v: 1 / v, lambda v: -1 / (v * v)),
        ("exp2", lambda v: 2.0**v, lambda v: 2.0**v * math.log(2.0)),
        ("conjugate", lambda v: v, lambda v: np.ones_like(v)),
        ("sign", np.sign, lambda v: np.zeros_like(v)),
        ("rint", np.rint, lambda v: np.zeros_like(v)),
    ],
)
def test_unary_composites_and_piecewise_constants(name, value, slope):
    v = X[X != 0] if name == "reciprocal" else X
    x = seeded(v)
    got = getattr(np, name)(x)
    assert type(got) is DualArray
    np.testing.assert_allclose(got.value, value(v), rtol=RTOL)
    np.testing.assert_allclose(got.tangent, chain(x, slope(v)), rtol=RTOL, atol=ATOL)


def test_logaddexp_against_the_closed_form():
    a, b = seeded(X, 3, 1), seeded(Y, 3, 2)
    got = np.logaddexp(a, b)
    np.testing.assert_allclose(got.value, np.logaddexp(X, Y), rtol=RTOL)
    wa, wb = special.expit(X - Y), special.expit(Y - X)  # d/da = e^a / (e^a + e^b)
    np.testing.assert_allclose(got.tangent, chain(a, wa) + chain(b, wb), rtol=1e-14, atol=1e-300)
    got2 = np.logaddexp2(a, b)
    np.testing.assert_allclose(got2.value, np.logaddexp2(X, Y), rtol=RTOL)
    wa, wb = special.expit((X - Y) * math.log(2)), special.expit((Y - X) * math.log(2))
    np.testing.assert_allclose(got2.tangent, chain(a, wa) + chain(b, wb), rtol=1e-14, atol=1e-15)
    one = np.logaddexp(a, 0.5)  # a constant on one side
    np.testing.assert_allclose(one.tangent, chain(a, special.expit(X - 0.5)), rtol=1e-14)


def test_logaddexp_at_infinities():
    inf = math.inf
    a = DualArray(np.array([inf, -inf, -inf, 3.0]), np.ones((4, 1)))
    b = DualArray(np.array([inf, -inf, 2.0, -inf]), 2 * np.ones((4, 1)))
    got = np.logaddexp(a, b)
    assert got.value.tolist() == [inf, -inf, 2.0, 3.0]
    assert got.tangent[2:, 0].tolist() == [2.0, 1.0]  # the finite one carries the slope


def test_fmax_fmin_take_the_other_argument_at_nan_and_the_first_at_a_tie():
    nan = math.nan
    a = DualArray(np.array([nan, 1.0, 2.0, 3.0, nan]), np.array([[1.0], [2], [3], [4], [5]]))
    b = DualArray(np.array([0.5, nan, 2.0, 4.0, nan]), np.array([[10.0], [20], [30], [40], [50]]))
    hi, lo = np.fmax(a, b), np.fmin(a, b)
    assert np.array_equal(hi.value, np.fmax(a.value, b.value), equal_nan=True)
    assert np.array_equal(lo.value, np.fmin(a.value, b.value), equal_nan=True)
    assert hi.tangent[:4, 0].tolist() == [10.0, 2.0, 3.0, 40.0]
    assert lo.tangent[:4, 0].tolist() == [10.0, 2.0, 3.0, 4.0]
    assert math.isnan(hi.value[4])


def test_maximum_minimum_propagate_nan_in_value_and_slope():
    nan = math.nan
    a = DualArray(np.array([nan, 1.0, 2.0]), np.array([[1.0], [2], [3]]))
    b = DualArray(np.array([0.5, nan, 2.0]), np.array([[10.0], [20], [30]]))
    for f in (np.maximum, np.minimum):
        got = f(a, b)
        assert np.array_equal(got.value, f(a.value, b.value), equal_nan=True)
        # a nan argument: nan slopes in both (nan in, nan out); a tie: the first's slope
        assert np.isnan(got.tangent[:2, 0]).all() and got.tangent[2, 0] == 3.0


def test_modf_and_divmod():
    x = seeded([-2.5, 0.7, 3.25])
    frac, whole = np.modf(x)
    want_f, want_w = np.modf(x.value)
    assert np.array_equal(frac.value, want_f) and np.array_equal(whole.value, want_w)
    assert np.array_equal(frac.tangent, x.tangent) and not whole.tangent.any()
    y = seeded([1.5, -0.4, 2.0], seed=9)
    q, r = np.divmod(x, y)
    assert np.array_equal(q.value, np.floor_divide(x.value, y.value))
    assert np.array_equal(r.value, np.remainder(x.value, y.value))
    assert not q.tangent.any()
    np.testing.assert_allclose(r.tangent, x.tangent - chain(y, q.value), rtol=RTOL)
    # divmod(x, y) the builtin goes through the same ufunc
    q2, r2 = divmod(x, y)
    assert np.array_equal(q2.value, q.value) and np.array_equal(r2.tangent, r.tangent)


def test_heaviside_is_flat():
    x = seeded([-1.0, 0.0, 2.0])
    got = np.heaviside(x, 0.5)
    assert got.value.tolist() == [0.0, 0.5, 1.0] and not got.tangent.any()


# -- comparisons and predicates: plain boolean arrays of the values ----------------------------
@pytest.mark.parametrize("name", sorted(ufuncs.ON_VALUES))
def test_comparisons_and_predicates_read_the_values(name):
    f = getattr(np, name)
    v = np.array([-1.0, 0.0, math.nan, math.inf, 2.0])
    x, y = seeded(v), DualArray(v[::-1].copy(), np.ones((5, 1)))
    args = (x,) if f.nin == 1 else (x, y)
    plain = (v,) if f.nin == 1 else (v, v[::-1])
    got = f(*args)
    assert type(got) is np.ndarray and got.dtype == bool
    assert np.array_equal(got, f(*plain))
    if f.nin == 2:  # with a constant on either side
        assert np.array_equal(f(x, 0.0), f(v, 0.0)) and np.array_equal(f(0.0, x), f(0.0, v))


def test_operators_compare_values():
    x = seeded([1.0, 2.0, 3.0])
    reflected = 2.0 <= x  # noqa: SIM300 - the reflected operator is the point
    assert ((x < 2.0) == [True, False, False]).all() and (reflected == [0, 1, 1]).all()
    assert (x == x).all() and not (x != x).any() and type(x > 1.0) is np.ndarray


# -- refusals ---------------------------------------------------------------------------------
SUPPORTED = (
    set(ufuncs.RULE_OF) | set(ufuncs.COMPOSED) | ufuncs.ON_VALUES | ufuncs.PIECEWISE_CONSTANT
)


def numpy_ufuncs():
    """numpy's ufuncs by their own names (np.abs is np.absolute, np.acos np.arccos ...)."""
    return sorted({f.__name__ for f in vars(np).values() if isinstance(f, np.ufunc)})


@pytest.mark.parametrize("name", [n for n in numpy_ufuncs() if n not in SUPPORTED])
def test_unsupported_ufuncs_refuse_by_name(name):
    f = getattr(np, name)
    x = seeded([0.5, 1.5])
    args = [x] * f.nin
    with pytest.raises(TypeError, match=rf"np\.{f.__name__}\b"):
        f(*args)


def test_ufunc_methods_and_keywords():
    x = seeded([0.5, 1.5, 2.0])
    assert np.add.reduce(x).value == 4.0 and np.multiply.accumulate(x).value.tolist() == [
        0.5, 0.75, 1.5]  # fmt: skip
    outer = np.multiply.outer(x, x)
    assert outer.shape == (3, 3) and np.array_equal(outer.value, np.outer(x.value, x.value))
    with pytest.raises(TypeError, match=r"np\.add\.reduceat"):
        np.add.reduceat(x, [0, 1])
    with pytest.raises(TypeError, match=r"np\.exp.*where"):
        np.exp(x, where=np.array([True, False, True]))
    with pytest.raises(TypeError, match=r"np\.exp.*zeros_like"):
        np.exp(x, out=np.zeros(3))
    buffer = np.zeros_like(x)
    assert np.exp(x, out=buffer) is buffer
    np.testing.assert_allclose(buffer.tangent, chain(x, np.exp(x.value)), rtol=RTOL)


def test_outside_the_domain_the_tangent_is_nan_as_the_value():
    from dualgrad.vector.dualarray import DualArray

    x = DualArray(np.array([0.5, 1.3, -1.0, np.inf]), np.ones((4, 1)))
    with np.errstate(all="ignore"):
        y = np.arctanh(x)  # 1.3 and -1 (a pole: inf, not nan) ...
        z = np.log(x - 1.0)  # log of negatives: no derivative
        w = x - x  # inf - inf: IEEE's nan on floats too, its tangent the rule's (0)
    assert np.isnan(y.tangent[1, 0]) and not np.isnan(y.tangent[0, 0])
    assert np.isnan(z.tangent[:3, 0]).tolist() == [True, False, True]
    assert w.tangent[:, 0].tolist() == [0.0, 0.0, 0.0, 0.0]
