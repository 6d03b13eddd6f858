"""What the tests of packed tangents share: their width, strategies, and a dense reader."""

from __future__ import annotations

import pytest

np = pytest.importorskip("numpy")

from hypothesis import strategies as st  # noqa: E402

from dualgrad.vector.packed import Packed  # noqa: E402

SIZE = 40

cols_st = st.sets(st.integers(0, SIZE - 1), min_size=1, max_size=SIZE // 2).map(
    lambda s: np.array(sorted(s))
)

floats = st.floats(-10, 10, allow_nan=False).filter(lambda c: c == 0 or abs(c) > 1e-100)

specials = st.one_of(floats, st.sampled_from([0.0, -0.0, float("inf"), float("nan"), 1e308]))


@st.composite
def packed_st(draw, cols=None, values=floats):
    c = draw(cols_st) if cols is None else cols
    return Packed(c, np.array(draw(st.lists(values, min_size=len(c), max_size=len(c)))), SIZE)


def dense(t):
    return t if isinstance(t, np.ndarray) else t.dense()
