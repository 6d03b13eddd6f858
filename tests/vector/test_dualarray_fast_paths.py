"""The dual array's labelled fast paths equal their generic paths: an object array of numbers
and Duals meeting a dual array is read in bulk exactly as stacking each entry's parts reads it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualgrad.numbers.dual import Dual

np = pytest.importorskip("numpy")
from dualgrad.vector.dualarray import DualArray, core  # noqa: E402 - needs numpy

TAG = 7
floats = st.floats(allow_nan=True, allow_infinity=True, width=64)


def both(arr: np.ndarray) -> tuple[tuple, tuple]:
    return core._object_parts(arr, TAG), core._object_parts(arr, TAG, generic=True)


def same(a: tuple, b: tuple) -> bool:
    return all(
        x.shape == y.shape and x.dtype == y.dtype and np.array_equal(x, y, equal_nan=True)
        for x, y in zip(a, b, strict=True)
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(floats, floats, st.booleans()), min_size=1, max_size=6), st.booleans())
def test_numbers_and_float_tangent_duals_read_in_bulk_as_stacked(entries, square) -> None:
    items = [Dual(v, t, TAG) if dual else v for v, t, dual in entries]
    if not any(type(e) is Dual for e in items):
        items[0] = Dual(1.0, 2.0, TAG)
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    if square and len(items) % 2 == 0:
        arr = arr.reshape(2, -1)
    fast, generic = both(arr)
    assert same(fast, generic)
    assert core._duals_in_bulk(arr.reshape(-1).tolist(), TAG) is not None  # the fast path ran


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(floats, min_size=3, max_size=3), min_size=1, max_size=4))
def test_vector_tangent_duals_read_in_bulk_as_stacked(rows) -> None:
    arr = np.empty(len(rows), dtype=object)
    arr[:] = [Dual(float(i), np.array(r), TAG) for i, r in enumerate(rows)]
    assert same(*both(arr))


def test_what_the_fast_path_leaves_to_the_generic_one() -> None:
    mixed = [Dual(1.0, np.ones(2), TAG), 3.0]  # a constant among vector tangents
    ragged = [Dual(1.0, np.ones(2), TAG), Dual(2.0, np.ones(3), TAG)]
    other_tag = [Dual(1.0, 1.0, TAG + 1), 2.0]
    for items in (mixed, ragged, other_tag):
        assert core._duals_in_bulk(items, TAG) is None
    arr = np.empty(2, dtype=object)
    arr[:] = mixed
    assert same(*both(arr))
    arr[:] = other_tag
    with pytest.raises(TypeError, match="perturbation"):
        core._object_parts(arr, TAG)


def test_a_dual_array_plus_an_object_array_of_duals() -> None:
    s = DualArray(np.array([1.0, 2.0]), np.array([[1.0], [0.0]]), TAG)
    k = np.empty(2, dtype=object)
    k[:] = [Dual(3.0, 0.5, TAG), 4.0]
    out = s + k
    assert out.value.tolist() == [4.0, 6.0] and out.tangent[:, 0].tolist() == [1.5, 0.0]


special = st.sampled_from([0.0, -0.0, 1.0, -2.5, 1e308, -1e308, float("inf"), -float("inf")])
entries = st.lists(floats | special, min_size=6, max_size=6)


@settings(max_examples=60, deadline=None)
@given(entries, entries, st.sampled_from(["add", "sub"]), st.booleans())
def test_a_sum_of_two_tangents_in_one_call_equals_the_generic_terms(a, b, name, broadcast) -> None:
    from dualgrad.rules.table import RULES
    from dualgrad.vector.dualarray import ufuncs

    ta = np.array(a).reshape(3, 2)
    tb = np.array(b).reshape(3, 2)[:1] if broadcast else np.array(b).reshape(3, 2)
    va, vb = np.ones(3), np.ones(len(tb))
    parts = [(va, ta), (vb, tb)]
    with np.errstate(all="ignore"):
        fast = ufuncs._SUMS[name](ta, tb)
        generic = ufuncs.terms(RULES[name], parts, [va, vb], va + vb)
    assert fast.shape == generic.shape and np.array_equal(fast, generic, equal_nan=True)
    assert np.array_equal(np.signbit(fast), np.signbit(generic))


def test_a_zero_tangent_through_an_infinite_partial_gives_zero() -> None:
    from dualgrad.vector.dualarray import ufuncs

    t = np.array([[0.0, 1.0], [2.0, 0.0]])
    p = np.array([float("inf"), 3.0])
    assert ufuncs.times(t, p).tolist() == [[0.0, float("inf")], [6.0, 0.0]]
    big = np.array([1e308, 1e308])  # finite partials whose sum overflows: the exact path
    assert ufuncs.times(t, big).tolist() == [[0.0, 1e308], [2e308, 0.0]]


def test_the_fast_constructor_of_results_equals_the_checked_one() -> None:
    from dualgrad.vector.dualarray.core import DualArray, from_parts

    value, tangent = np.array([1.0, 2.0]), np.array([[1.0], [0.5]])
    fast = from_parts(value, tangent, 3)
    slow = DualArray(value, tangent, 3)
    assert type(fast) is DualArray and fast.tag == slow.tag
    assert fast.value is value and fast.tangent is tangent  # (the checked one keeps them too)
    assert slow.value is value and slow.tangent is tangent
    ints = from_parts(np.array([1, 2]), tangent, 3)  # not float: the checked constructor
    assert ints.value.dtype == np.float64
