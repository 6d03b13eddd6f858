"""A pass's parameter blocks: prefix layouts in order of first use, seeds summed on them."""

from __future__ import annotations

import pytest

np = pytest.importorskip("numpy")

from packed_cases import SIZE  # noqa: E402

from dualgrad.vector.blocks import layouts  # noqa: E402
from dualgrad.vector.columns import layout_of  # noqa: E402
from dualgrad.vector.packed import Packed  # noqa: E402
from dualgrad.vector.sparse import Sparse  # noqa: E402


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


def test_no_entries_have_an_empty_layout():
    with layouts([0, 2], 4):
        assert len(layout_of(np.zeros(0, dtype=np.intp), 4)) == 0
