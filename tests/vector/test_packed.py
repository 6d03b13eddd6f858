"""Packed tangents equal their dense form under every operation, fast paths included."""

from __future__ import annotations

import math
from contextlib import nullcontext

import pytest

np = pytest.importorskip("numpy")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from packed_cases import SIZE, dense, floats, packed_st, specials  # noqa: E402

from dualgrad import Dual  # noqa: E402
from dualgrad.numbers.tangents import PRODUCTS  # noqa: E402
from dualgrad.vector import packed, register_products  # noqa: E402
from dualgrad.vector.blocks import layouts  # noqa: E402
from dualgrad.vector.packed import Packed  # noqa: E402
from dualgrad.vector.settings import SETTINGS  # noqa: E402
from dualgrad.vector.sparse import Sparse  # noqa: E402


@given(packed_st(), packed_st(), floats)
def test_arithmetic_equals_the_dense_vectors(a, b, c):
    da, db = a.dense(), b.dense()
    np.testing.assert_allclose(dense(a + b), da + db)
    np.testing.assert_allclose(dense(a - b), da - db)
    np.testing.assert_allclose(dense(a * c), da * c)
    np.testing.assert_allclose(dense(c * a), da * c)
    np.testing.assert_allclose(dense(-a), -da)
    np.testing.assert_allclose(dense(+a), da)
    np.testing.assert_allclose(dense(db + a), da + db)  # ndarray (op) Packed defers to us
    np.testing.assert_allclose(dense(da - b), da - db)
    np.testing.assert_allclose(dense(a - db), da - db)
    if c:
        np.testing.assert_allclose(dense(a / c), da / c)
    assert a + 0 is a and 0.0 + a is a
    assert a.tolist() == da.tolist()


@given(packed_st(), st.lists(st.integers(0, SIZE - 1), min_size=1, max_size=6), floats)
def test_adding_a_sparse_vector_adds_its_repeats(a, indices, c):
    s = Sparse(np.array(indices), np.full(len(indices), c), SIZE)
    np.testing.assert_allclose(dense(a + s), a.dense() + s.dense())
    np.testing.assert_allclose(dense(s + a), a.dense() + s.dense())
    np.testing.assert_allclose(dense(s - a), s.dense() - a.dense())


def test_an_int_vector_plus_a_packed_one():
    p = Packed(np.array([1]), np.array([0.5]), 4)
    assert (np.array([1, 0, 0, 0]) + p).tolist() == [1.0, 0.5, 0.0, 0.0]


@given(
    packed_st(),
    st.integers(0, SIZE - 1),
    specials,
    st.booleans(),
    st.sampled_from([None, [0, 10, 20, 30]]),
)
def test_a_packed_tangent_plus_one_entry_equals_the_generic_sum(a, index, c, seed, blocks):
    """The fast path of Packed + a (scaled) seed places the entry as the generic path does:
    the same layout, the same numbers bit for bit, cached or not."""
    s = Sparse.one_hot(index, SIZE) if seed else Sparse.one_hot(index, SIZE) * c
    with layouts(blocks, SIZE):
        generic = packed._plus_sparse_generic(a, s)
        for _ in range(2):  # placed afresh, then from the pass's cache
            fast = a + s
            assert type(fast) is type(generic)
            if type(fast) is Packed:
                assert fast.cols.tolist() == generic.cols.tolist()
            assert dense(fast).tobytes() == dense(generic).tobytes()
    outside = a + s  # no pass: the generic path
    assert dense(outside).tobytes() == dense(packed._plus_sparse_generic(a, s)).tobytes()


def test_a_waiting_sum_is_an_ordinary_packed_tangent_to_its_readers():
    a = Packed(np.array([1, 3]), np.array([1.0, 2.0]), 6)
    b = a * 3.0 + a * 0.5 + a * -1.0
    assert b.cols is a.cols and b.values.tolist() == [2.5, 5.0]
    assert (b * 2.0).tolist() == [0.0, 5.0, 0.0, 10.0, 0.0, 0.0]
    assert Dual(1.0, b).tangent is b and (-b).values.tolist() == [-2.5, -5.0]


def _tangent(kind, a, scale):
    """A tangent of each kind a product meets: stored, waiting (scaled), a waiting sum, dense,
    and stored on a layout too wide for the pass (its product with a seed is dense)."""
    if kind == "stored":
        return a
    if kind == "scaled":
        return a * scale
    if kind == "sum":
        return a * scale + a * 0.5
    if kind == "wide":
        return Packed(np.arange(30), np.resize(a.values, 30), SIZE)
    return a.dense() * scale


coefficient_types = st.sampled_from([float, float, float, int, np.float64])


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(packed_st(), packed_st(values=specials)),
    st.integers(0, SIZE - 1),
    specials,
    specials,
    st.sampled_from(["stored", "scaled", "sum", "dense", "wide"]),
    st.sampled_from([None, [0, 10, 20, 30], [0, 35]]),
    st.booleans(),
    coefficient_types,
    st.booleans(),
)
def test_a_seed_times_a_value_equals_the_generic_product(
    a, index, c, k, kind, blocks, swap, kind_of_number, wait
):
    """The fused tangent of w * x (w's seed times x's value, plus x's tangent times w's value),
    in either order of the factors, is the generic path's sum of the two products bit for bit:
    the same kind of vector, the same layout, the same numbers and zeros' signs, in a pass
    (placed on the layout, cached, or too wide and dense) and outside one, for infinite and
    nan entries, for values that are not floats (the generic path then), sums waiting or not."""
    register_products()  # (as the vector package does when a pass needs numpy)
    seed = Sparse.one_hot(index, SIZE)
    if kind_of_number is not float and all(math.isfinite(v) for v in (c, k)):
        c, k = kind_of_number(int(c)), kind_of_number(int(k))
    for inside in (True, False):
        with (
            SETTINGS.changed(sums_wait=wait),
            layouts(blocks, SIZE) if inside else nullcontext(),
            np.errstate(all="ignore"),
        ):
            for _ in range(2):  # placed afresh, then from the pass's cache
                t = _tangent(kind, a, 2.0)
                product = PRODUCTS.fused[type(t)]
                fused = product(t, k, seed, c) if swap else PRODUCTS.fused[Sparse](seed, c, t, k)
                t = _tangent(kind, a, 2.0)
                generic = t * k + seed * c if swap else seed * c + t * k
                assert type(fused) is type(generic)
                if type(fused) is Packed:
                    assert fused.cols.tolist() == generic.cols.tolist()
                assert dense(fused).tobytes() == dense(generic).tobytes()


def test_dual_products_of_seeds_take_the_fused_path(monkeypatch):
    """A Dual product of a seeded parameter and a computed value reaches its tangent type's
    fused product (so the test above covers what scalar code runs)."""
    calls = []
    register_products()
    fused = PRODUCTS.fused[Sparse]
    monkeypatch.setitem(PRODUCTS.fused, Sparse, lambda *args: calls.append(1) or fused(*args))
    with layouts([0, 10, 20, 30], SIZE):
        w = Dual(0.5, Sparse.one_hot(3, SIZE))
        x = Dual(2.0, Packed(np.array([11, 12]), np.array([1.0, -1.0]), SIZE))
        y = w * x
    assert calls == [1]
    generic = Sparse.one_hot(3, SIZE) * 2.0 + x.tangent * 0.5
    assert dense(y.tangent).tobytes() == dense(generic).tobytes()
