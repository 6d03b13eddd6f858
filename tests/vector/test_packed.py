"""Packed tangents equal their dense form under every operation, and layouts merge right."""

from __future__ import annotations

import math
from contextlib import contextmanager, nullcontext

import pytest

np = pytest.importorskip("numpy")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from dualgrad import Dual, dmath  # noqa: E402
from dualgrad.numbers.tangents import PRODUCTS  # noqa: E402
from dualgrad.vector import packed, register_products  # noqa: E402
from dualgrad.vector.packed import Packed, Spots, layout_of, layouts, merge, packed_rows  # noqa: E402
from dualgrad.vector.sparse import Sparse  # noqa: E402

SIZE = 40
cols_st = st.sets(st.integers(0, SIZE - 1), min_size=1, max_size=SIZE // 2).map(
    lambda s: np.array(sorted(s))
)
floats = st.floats(-10, 10, allow_nan=False).filter(lambda c: c == 0 or abs(c) > 1e-100)


@st.composite
def packed_st(draw, cols=None, values=floats):
    c = draw(cols_st) if cols is None else cols
    return Packed(c, np.array(draw(st.lists(values, min_size=len(c), max_size=len(c)))), SIZE)


def dense(t):
    return t if isinstance(t, np.ndarray) else t.dense()


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


def test_the_same_layout_stays_the_same_object():
    cols = np.array([2, 5, 7])
    a = Packed(cols, np.array([1.0, 2.0, 3.0]), SIZE)
    b = Packed(cols, np.array([4.0, 5.0, 6.0]), SIZE)
    assert (a + b).cols is cols and (a - b).cols is cols and (a * 2.0).cols is cols
    inner = Packed(np.array([5]), np.array([1.0]), SIZE)
    assert (a + inner).cols is cols  # a union equal to one side keeps that side's array


def test_a_union_wider_than_the_dense_fraction_is_stored_densely():
    a = Packed(np.arange(0, 15), np.ones(15), SIZE)
    b = Packed(np.arange(15, 30), np.ones(15), SIZE)
    out = a + b
    assert type(out) is np.ndarray
    np.testing.assert_array_equal(out, np.r_[np.ones(30), np.zeros(10)])


@given(st.lists(cols_st, min_size=1, max_size=4))
def test_merge_gives_the_union_and_where_each_input_goes(inputs):
    cols, where = merge(inputs, 10**6)
    np.testing.assert_array_equal(cols, np.unique(np.concatenate(inputs)))
    for c, at in zip(inputs, where, strict=True):
        if at is None:
            assert c is cols
        else:
            np.testing.assert_array_equal(cols[at.index], c)
            out = np.zeros((2, len(cols)))
            at.put(out, np.vstack([c, c]).astype(float))
            at.add(out, np.ones((2, len(c))))
            want = np.zeros((2, len(cols)))
            want[:, at.index] = np.vstack([c, c]) + 1.0
            np.testing.assert_array_equal(out, want)
    assert merge(inputs, 1)[0] is None  # too wide for a size-1 vector


@given(st.sets(st.integers(0, 200), min_size=1, max_size=60))
def test_spots_copy_runs_or_index_the_same_way(positions):
    index = np.array(sorted(positions))
    spots = Spots(index)
    breaks = int((np.diff(index) != 1).sum())
    assert (spots.runs is None) == (breaks >= 8)  # a few runs are copied as slices
    src = np.arange(len(index), dtype=float) + 1.0
    out = np.zeros(201)
    spots.put(out, src)
    want = np.zeros(201)
    want[index] = src
    np.testing.assert_array_equal(out, want)


def test_blocks_give_prefix_layouts_in_order_of_first_use():
    blocks = [0, 10, 20, 30]  # four blocks of 10 in a 40-wide pass
    with layouts(blocks, SIZE):
        third = layout_of(np.array([25]), SIZE)  # block [20, 30) used first
        np.testing.assert_array_equal(third, np.arange(20, 30))
        first = layout_of(np.array([3, 4]), SIZE)  # then block [0, 10): the prefix grows
        np.testing.assert_array_equal(first, np.r_[np.arange(0, 10), np.arange(20, 30)])
        assert layout_of(np.array([27]), SIZE) is third  # one object per prefix
        assert layout_of(np.array([1, 29]), SIZE) is first
        assert layout_of(np.array([35]), SIZE) is None  # three blocks: more than half
    # outside a pass: the distinct indices themselves
    np.testing.assert_array_equal(layout_of(np.array([3, 1, 3]), SIZE), [1, 3])


def test_packed_rows_stack_sparse_and_packed_rows_on_their_union():
    s = Sparse(np.array([1, 1, 7]), np.array([1.0, 2.0, 3.0]), SIZE)
    p = Packed(np.array([2, 7]), np.array([4.0, 5.0]), SIZE)
    cols, rows = packed_rows([s, p], SIZE)
    np.testing.assert_array_equal(cols, [1, 2, 7])
    np.testing.assert_array_equal(rows, [[3.0, 0.0, 3.0], [0.0, 4.0, 5.0]])
    only_sparse = packed_rows([s, s], SIZE)
    np.testing.assert_array_equal(only_sparse[1], [[3.0, 3.0], [3.0, 3.0]])
    assert packed_rows([Packed(np.arange(30), np.ones(30), SIZE)], SIZE) is None


@pytest.mark.parametrize("with_blocks", [False, True])
def test_bulk_products_on_packed_tangents_equal_scalar_arithmetic(with_blocks):
    rng = np.random.default_rng(0)

    def dual(cols):
        cols = np.array(cols)
        return Dual(float(rng.uniform(-1, 1)), Packed(cols, rng.uniform(-1, 1, len(cols)), SIZE), 5)

    x = [dual([1, 2]), dual([2, 9]), Dual(0.5, 0.0, 5), 0.25]  # a zero tangent, a float
    w = [[dual([3]), dual([4, 5]), dual([6]), 2.0] for _ in range(3)]
    seeds = [[Dual(float(i + j), Sparse.one_hot(20 + 4 * j + i, SIZE), 5) for i in range(4)]
             for j in range(3)]  # fmt: skip

    def check(got, want):
        assert got.value == pytest.approx(want.value, rel=1e-14)
        np.testing.assert_allclose(dense(got.tangent), dense(want.tangent), atol=1e-14)

    context = layouts([0, 10, 20, 30], SIZE) if with_blocks else layouts()
    with context:
        for weights in (w, seeds):
            got = dmath.matvec(weights, x)
            for g, row in zip(got, weights, strict=True):
                check(g, sum(a * b for a, b in zip(row, x, strict=True)))
        check(dmath.sumprod(x, w[0]), sum(a * b for a, b in zip(x, w[0], strict=True)))
        check(dmath.sumprod(x, x), sum(a * a for a in x))


def test_dense_fraction_is_the_switch_to_dense_vectors(monkeypatch):
    monkeypatch.setattr(packed, "DENSE_FRACTION", 0.0)
    a = Packed(np.array([1]), np.array([1.0]), SIZE)
    b = Packed(np.array([2]), np.array([1.0]), SIZE)
    assert type(a + b) is np.ndarray


def test_inside_a_pass_with_blocks_two_seeds_add_up_on_their_layout():
    a, b = Sparse.one_hot(3, SIZE), Sparse.one_hot(25, SIZE)
    assert type(a + b) is Sparse  # outside a pass: Sparse adds itself
    with layouts([0, 10, 20, 30], SIZE):
        s = a + b
        assert type(s) is Packed
        np.testing.assert_array_equal(s.cols, np.r_[np.arange(0, 10), np.arange(20, 30)])
        np.testing.assert_array_equal(s.dense(), a.dense() + b.dense())
        assert (a + a).dense()[3] == 2.0


def test_growing_sums_and_single_tables_stay_sparse():
    a, b = Sparse.one_hot(3, SIZE), Sparse.one_hot(25, SIZE)
    with layouts([0, 10, 20, 30], SIZE):
        long = Sparse(np.array([1, 2, 3, 21]), np.ones(4), SIZE)
        assert type(long + b) is Sparse  # five entries: Sparse concatenates, as it does best
    with layouts([0], SIZE):  # one block (a single table): no layouts at all
        assert type(a + b) is Sparse
        assert layout_of(np.array([3]), SIZE).tolist() == [3]


def test_an_int_vector_plus_a_packed_one_and_an_empty_layout():
    p = Packed(np.array([1]), np.array([0.5]), 4)
    assert (np.array([1, 0, 0, 0]) + p).tolist() == [1.0, 0.5, 0.0, 0.0]
    with layouts([0, 2], 4):
        assert len(layout_of(np.zeros(0, dtype=np.intp), 4)) == 0


specials = st.one_of(floats, st.sampled_from([0.0, -0.0, float("inf"), float("nan"), 1e308]))


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


terms_st = st.lists(
    st.tuples(
        st.lists(st.integers(0, SIZE // 2 - 1), min_size=1, max_size=4),  # what x depends on
        st.lists(specials, min_size=SIZE, max_size=SIZE),  # x's tangent entries
        specials,  # w's value (x's tangent scaled by it)
        st.integers(0, SIZE - 1),  # w's parameter (its seed scaled by x's value)
        specials,  # x's value
        st.booleans(),  # a shared x (the same tangent as the term before)
    ),
    min_size=1,
    max_size=12,
)


def _sums_of_products(terms, blocks):
    """Every partial sum of sum(w_i * x_i) as mul and sum make them, then branches off
    partial sums (a sum going on from one that already went on), each read densely."""
    out = []
    with layouts(blocks, SIZE), np.errstate(all="ignore"):
        acc, partials, x = None, [], None
        for deps, entries, w, index, xv, shared in terms:
            if x is None or not shared:
                cols = layout_of(np.array(deps), SIZE)
                if cols is None:  # (blocks first used in another order: too wide)
                    cols = np.array(sorted(set(deps)))
                x = Packed(cols, np.array(entries[: len(cols)]), SIZE)
            seed = Sparse.one_hot(index, SIZE)
            t = seed * xv + x * w
            acc = t if acc is None else acc + t
            partials.append(acc)
        branches = [p + t for p in partials[:3]] + [p - t for p in partials[:2]]
        for v in [*partials[::-1], *branches, partials[0] * 2.0 + partials[-1]]:
            out.append((type(v), dense(v).tobytes()))
    return out


@contextmanager
def _switched(**values):
    """packed's module settings set for the block (a fixture would not reset per example)."""
    before = {name: getattr(packed, name) for name in values}
    for name, v in values.items():
        setattr(packed, name, v)
    try:
        yield
    finally:
        for name, v in before.items():
            setattr(packed, name, v)


@pytest.mark.parametrize("kept", [packed.ROWS_KEPT, 3])
@pytest.mark.parametrize("blocks", [None, [0, 10, 20, 30]])
@settings(max_examples=40, deadline=None)
@given(terms=terms_st, sequential=st.booleans())
def test_sums_that_wait_equal_the_sums_made_at_once(kept, blocks, terms, sequential):
    """A scalar sum of products whose terms wait as rows gives every partial sum (read in any
    order, gone on from twice, longer than the rows kept) bit for bit as the operations made
    one by one, through infinite and nan entries and zeros' signs."""
    stacked = sequential and packed._SEQUENTIAL_REDUCE  # else the loop
    with _switched(ROWS_KEPT=kept, _SEQUENTIAL_REDUCE=stacked):
        waited = _sums_of_products(terms, blocks)
    with _switched(WAIT=False):
        assert waited == _sums_of_products(terms, blocks)


def test_numpy_reduces_the_rows_of_a_matrix_in_order():
    """The stacked sum relies on np.add.reduce(m, axis=0) adding rows one after another (it
    falls back to a loop otherwise): true of the numpy the tests run with."""
    assert packed._SEQUENTIAL_REDUCE


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
            _switched(WAIT=wait),
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
