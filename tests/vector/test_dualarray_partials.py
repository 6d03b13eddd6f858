"""Each array form of a branching footnote (:data:`partials.ARRAY_FORMS`, a labelled fast path)
equals the generic path, the scalar footnote entry by entry (:func:`partials.generic_entrywise`),
on the rule's domain, its tails and its special values, and on arbitrary floats (hypothesis).

The claim is at most 2 ulps apart, and bit for bit where both compute with the same floats:
the array forms call numpy's exp/sqrt where the scalar footnotes call math's, and the two
libms may round differently by an ulp (:data:`BIT_FOR_BIT` lists the forms that use only
IEEE arithmetic and must agree exactly); infinities, zeros' values and nan positions alike.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

np = pytest.importorskip("numpy")

from dualgrad.rules import RULES  # noqa: E402
from dualgrad.testing import rule_points  # noqa: E402
from dualgrad.vector.dualarray import partials, ufuncs  # noqa: E402

FORMS = sorted(partials.ARRAY_FORMS)
TAILS = [0.0, -0.0, math.inf, -math.inf, math.nan, 1e-8, -1e-8, 0.5, -0.5, 0.49999999999999994,
         1.0, -1.0, 2.0, 30.0, -30.0, 40.0, -745.0, 710.0, 1e300, -1e300, 5e-324, -5e-324,
         2.2250738585072014e-308, 1.5, -2.5, 3.0]  # fmt: skip
BIT_FOR_BIT = {("abs", 0), ("relu", 0), ("min", 0), ("min", 1), ("max", 0), ("max", 1),
               ("log2", 0), ("log10", 0), ("atan", 0), ("pow", 0)}  # fmt: skip
NUMPY_OF = {rule: getattr(np, name, None) for name, rule in ufuncs.RULE_OF.items()}


def value_of(name, args):
    """The rule's value on arrays: numpy's ufunc where the rule has one, else the rule's own
    function entry by entry (nan where it refuses)."""
    f = NUMPY_OF.get(name)
    with np.errstate(all="ignore"):
        if f is not None:
            return f(*args)
    flat = np.broadcast_arrays(*args)
    out = []
    for entry in zip(*(a.reshape(-1).tolist() for a in flat), strict=True):
        try:
            out.append(float(RULES[name].f(*entry)))
        except (ValueError, OverflowError, ZeroDivisionError):
            out.append(math.nan)
    return np.array(out).reshape(flat[0].shape)


def points(name):
    rule = RULES[name]
    if rule.arity == 1:
        xs = [p[0] for p in rule_points(rule, 9)] + TAILS
        return [np.array(xs)]
    pairs = [tuple(p) for p in rule_points(rule, 4)]
    pairs += [(a, b) for a in TAILS for b in TAILS]
    return [np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])]


def ulps_apart(a, b):
    """The distance in units in the last place, entry by entry (0 where both are nan, inf
    where only one is, or where they are different infinities)."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    both_nan = np.isnan(a) & np.isnan(b)
    ia, ib = a.view(np.int64), b.view(np.int64)
    # map the floats' bit patterns onto a line of integers (negatives mirrored)
    ia = np.where(ia < 0, np.int64(-(2**63)) - ia, ia)
    ib = np.where(ib < 0, np.int64(-(2**63)) - ib, ib)
    with np.errstate(over="ignore"):
        d = np.abs(ia.astype(float) - ib.astype(float))
    d = np.where(both_nan, 0.0, d)
    return np.where(np.isnan(a) != np.isnan(b), np.inf, d)


def check(key, args):
    name, i = key
    rule = RULES[name]
    out = value_of(name, args)
    with np.errstate(all="ignore"):
        fast = np.broadcast_to(partials.ARRAY_FORMS[key](*args, out), np.shape(out))
    generic = partials.generic_entrywise(rule, i, args, out)
    apart = ulps_apart(fast, generic)
    limit = 0 if key in BIT_FOR_BIT else 2
    bad = apart > limit
    assert not bad.any(), (
        key,
        [a[bad][:5].tolist() for a in np.broadcast_arrays(*args)],
        fast[bad][:5].tolist(),
        generic[bad][:5].tolist(),
    )
    # signed zeros too, where the claim is bit for bit
    if limit == 0:
        numbers = ~np.isnan(fast)
        assert np.array_equal(np.signbit(fast[numbers]), np.signbit(generic[numbers])), key


@pytest.mark.parametrize("key", FORMS, ids=[f"{n}-{i}" for n, i in FORMS])
def test_array_form_equals_the_generic_path_on_domain_tails_and_special_values(key):
    check(key, points(key[0]))


def test_every_array_form_is_named_and_tested():
    assert FORMS and all(name in RULES and i < RULES[name].arity for name, i in FORMS)


floats = st.floats(allow_nan=True, allow_infinity=True)


@pytest.mark.parametrize("key", FORMS, ids=[f"{n}-{i}" for n, i in FORMS])
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_array_form_equals_the_generic_path_on_any_floats(key, data):
    rule = RULES[key[0]]
    n = data.draw(st.integers(2, 8))
    args = [
        np.array(data.draw(st.lists(floats, min_size=n, max_size=n))) for _ in range(rule.arity)
    ]
    check(key, args)


def test_pow_forms_with_a_scalar_side_and_broadcasting():
    """A float base or exponent (``2.0 ** x``, ``x ** 3``) and a column against a row."""
    x = np.array([[0.0], [-2.0], [0.5], [3.0], [math.inf]])
    y = np.array([[0.0, 1.0, -1.0, 0.5, 2.0, 3.0]])
    for args in ((x, y), (2.0, y), (x, 3.0), (-2.0, y), (0.0, y)):
        args = [np.asarray(a, dtype=float) for a in args]
        out = value_of("pow", args)
        for i in (0, 1):
            with np.errstate(all="ignore"):
                fast = np.broadcast_to(partials.ARRAY_FORMS[("pow", i)](*args, out), out.shape)
            generic = partials.generic_entrywise(RULES["pow"], i, args, out)
            assert ulps_apart(fast, generic).max() <= 2, (args, i)


def test_the_generic_path_takes_integers_and_math_refusals():
    # ldexp's integer exponent stays an int; acosh'(0.5) (math refuses) is nan, as the value
    got = partials.generic_entrywise(RULES["ldexp"], 0, [np.array([1.0, 3.0]), np.array([2, -1])],
                                     np.array([4.0, 1.5]))  # fmt: skip
    assert got.tolist() == [4.0, 0.5]
    with np.errstate(invalid="ignore"):
        out = np.arccosh([0.5, 2.0])
    got = partials.generic_entrywise(RULES["acosh"], 0, [np.array([0.5, 2.0])], out)
    assert math.isnan(got[0]) and got[1] == 1 / math.sqrt(3.0)
    # cosh'(1000) overflows in math: IEEE's inf, as numpy's value
    got = partials.generic_entrywise(RULES["cosh"], 0, [np.array([1000.0, -1000.0])],
                                     np.array([math.inf, math.inf]))  # fmt: skip
    assert got.tolist() == [math.inf, -math.inf]


@pytest.mark.parametrize(
    "values",
    [
        [2.0, 3.0, 5.0],
        [0.0, 3.0, -2.0],
        [0.0, 0.0, 4.0],
        [1.5, float("inf"), 2.0],
        [-1e200, 1e200, 3.0],
    ],
)
def test_prod_of_a_dual_array_takes_the_tables_prod_partials(values):
    """np.prod's array form (prefix times suffix products) against the table's reduction."""
    from dualgrad.rules.table import REDUCTIONS
    from dualgrad.vector.dualarray import DualArray

    x = DualArray(np.array(values), np.eye(3))
    with np.errstate(over="ignore"):  # (numpy's own warning of the value's overflow)
        got = np.prod(x).tangent
    rule = REDUCTIONS["prod"]
    with np.errstate(all="ignore"):
        want = rule.partials(values, rule.f(values))
    np.testing.assert_array_equal(got, np.array(want, dtype=float))
