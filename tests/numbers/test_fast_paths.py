"""Each labelled special case (the add, sub and mul fast paths of Dual and Value) equals the
generic path the same factory builds with ``generic=True``, on random inputs: floats and
special values, nested Duals and vector tangents."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualgrad import reverse
from dualgrad.numbers import dual
from dualgrad.numbers.dual import Dual
from dualgrad.reverse import Value
from dualgrad.reverse import value as reverse_value
from dualgrad.rules import RULES

np = pytest.importorskip("numpy")
FAST = ("add", "sub", "mul")
numbers = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-5, 5)
finite = st.floats(-1e6, 1e6)


def same(a, b) -> bool:
    if type(a) is Dual or type(b) is Dual:
        return (
            type(a) is type(b)
            and a.tag == b.tag
            and same(a.value, b.value)
            and same(a.tangent, b.tangent)
        )
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
        return bool(np.array_equal(a, b, equal_nan=True))
    return a == b or (a != a and b != b) or (isinstance(a, float) and math.isnan(a) and b != b)


def pairs(name):
    fast = dual.binary_op(name)
    generic = dual.build_binary(RULES[name], generic=True)
    return fast, generic


@pytest.mark.parametrize("name", FAST)
@settings(max_examples=150, deadline=None)
@given(x=numbers, tx=numbers, y=numbers, ty=numbers)
def test_dual_fast_paths_equal_the_generic_path(name, x, tx, y, ty):
    (op, rop), (gop, grop) = pairs(name)
    a, b = Dual(x, tx), Dual(y, ty)
    assert same(op(a, b), gop(a, b))
    assert same(op(a, y), gop(a, y))
    assert same(rop(a, y), grop(a, y))


@pytest.mark.parametrize("name", FAST)
@settings(max_examples=100, deadline=None)
@given(v=st.lists(finite, min_size=8, max_size=8))
def test_fast_paths_equal_the_generic_path_nested(name, v):
    (op, rop), (gop, grop) = pairs(name)
    a = Dual(Dual(v[0], v[1], 1), Dual(v[2], v[3], 1), 2)
    b = Dual(Dual(v[4], v[5], 1), Dual(v[6], v[7], 1), 2)
    assert same(op(a, b), gop(a, b))
    assert same(op(a, v[4]), gop(a, v[4]))
    assert same(rop(a, v[4]), grop(a, v[4]))


@pytest.mark.parametrize("name", FAST)
@settings(max_examples=100, deadline=None)
@given(
    x=numbers,
    y=numbers,
    ta=st.lists(numbers, min_size=3, max_size=3),
    tb=st.lists(numbers, min_size=3, max_size=3),
)
def test_fast_paths_equal_the_generic_path_with_vector_tangents(name, x, y, ta, tb):
    (op, rop), (gop, grop) = pairs(name)
    a, b = Dual(x, np.array(ta, dtype=float)), Dual(y, np.array(tb, dtype=float))
    with np.errstate(all="ignore"):
        assert same(op(a, b), gop(a, b))
        assert same(op(a, y), gop(a, y))
        assert same(rop(a, y), grop(a, y))


@pytest.mark.parametrize("name", FAST)
@settings(max_examples=150, deadline=None)
@given(x=numbers, y=numbers)
def test_value_fast_paths_equal_the_generic_path(name, x, y):
    op, rop = reverse.binary_op(name)
    gop, grop = reverse_value.build_binary(RULES[name], generic=True)
    for fast, generic, other in ((op, gop, Value(y)), (op, gop, y), (rop, grop, y)):
        u, w = fast(Value(x), other), generic(Value(x), other)
        assert same(u.data, w.data)
        assert all(map(same, u._local_grads, w._local_grads))
        assert len(u._children) == len(w._children)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(1, 4),
    st.lists(numbers, min_size=16, max_size=16),
)
def test_array_jacobian_fast_path_equals_the_generic_one(m, n, entries) -> None:
    from dualgrad.drivers.forward import array_of_columns

    columns = [[float(entries[(i * m + j) % 16]) for j in range(m)] for i in range(n)]
    for shape in ((m, n), (m * n,) if m == 1 or n == 1 else (m, n)):
        fast = array_of_columns(columns, shape)
        generic = array_of_columns(columns, shape, generic=True)
        assert fast.dtype == generic.dtype == np.float64
        assert np.array_equal(fast, generic, equal_nan=True)


def test_array_jacobian_of_duals_takes_the_generic_path() -> None:
    from dualgrad.drivers.forward import array_of_columns

    columns = [[Dual(1.0, 2.0), 3.0], [4.0, 5.0]]  # an enclosing derivative's numbers
    fast, generic = array_of_columns(columns, (2, 2)), array_of_columns(columns, (2, 2), True)
    assert fast.dtype == generic.dtype == object
    assert fast.tolist() == generic.tolist() == [[Dual(1.0, 2.0), 4.0], [3.0, 5.0]]
