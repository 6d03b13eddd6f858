"""Layouts merge right: unions, where each input goes, the switch to dense vectors."""

from __future__ import annotations

import pytest

np = pytest.importorskip("numpy")

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from packed_cases import SIZE, cols_st  # noqa: E402

from dualgrad.vector.columns import Spots, merge  # noqa: E402
from dualgrad.vector.packed import Packed  # noqa: E402
from dualgrad.vector.settings import SETTINGS  # noqa: E402


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


def test_dense_fraction_is_the_switch_to_dense_vectors():
    a = Packed(np.array([1]), np.array([1.0]), SIZE)
    b = Packed(np.array([2]), np.array([1.0]), SIZE)
    with SETTINGS.changed(dense_fraction=0.0):
        assert type(a + b) is np.ndarray
    assert type(a + b) is Packed
