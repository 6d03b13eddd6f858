"""Sums that wait as rows equal the sums made at once, bit for bit."""

from __future__ import annotations

import pytest

np = pytest.importorskip("numpy")

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from packed_cases import SIZE, dense, specials  # noqa: E402

from dualgrad.vector.blocks import layouts  # noqa: E402
from dualgrad.vector.columns import layout_of  # noqa: E402
from dualgrad.vector.packed import Packed  # noqa: E402
from dualgrad.vector.settings import SETTINGS  # noqa: E402
from dualgrad.vector.sparse import Sparse  # noqa: E402
from dualgrad.vector.waiting_rows import NUMPY_ADDS_ROWS_IN_ORDER  # noqa: E402

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


@pytest.mark.parametrize("kept", [SETTINGS.rows_kept, 3])
@pytest.mark.parametrize("blocks", [None, [0, 10, 20, 30]])
@settings(max_examples=40, deadline=None)
@given(terms=terms_st, sequential=st.booleans())
def test_sums_that_wait_equal_the_sums_made_at_once(kept, blocks, terms, sequential):
    """A scalar sum of products whose terms wait as rows gives every partial sum (read in any
    order, gone on from twice, longer than the rows kept) bit for bit as the operations made
    one by one, through infinite and nan entries and zeros' signs."""
    with SETTINGS.changed(rows_kept=kept, stacked_sums=sequential):  # else the loop
        waited = _sums_of_products(terms, blocks)
    with SETTINGS.changed(sums_wait=False):
        assert waited == _sums_of_products(terms, blocks)


def test_numpy_reduces_the_rows_of_a_matrix_in_order():
    """The stacked sum relies on np.add.reduce(m, axis=0) adding rows one after another (it
    falls back to a loop otherwise): true of the numpy the tests run with."""
    assert NUMPY_ADDS_ROWS_IN_ORDER
