"""numpy's ufuncs on dual arrays, each against the scalar Dual path entry by entry.

For every ufunc that names a rule (:data:`ufuncs.RULE_OF`, numpy's and scipy.special's), the
dual array's value and tangents must equal, at every entry, what the scalar Dual operation of
the same rule gives on that entry (values to a few ulps: numpy's and math's libm may round
differently; tangents likewise, and nan at the same places). Points: the rule's domain
(sampled like tests/test_rules.py) plus special values and tails. Where the scalar path
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
from dualgrad.dual import binary_op, unary_op  # noqa: E402
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
