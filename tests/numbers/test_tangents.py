"""The one zero-wins scaling of Dual's arithmetic, and where mul's differs from it."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from dualgrad import Dual
from dualgrad.numbers.tangents import zero_tangent_wins, zero_wins

INF, NAN = math.inf, math.nan
finite = st.floats(-1e6, 1e6)


@given(finite, finite.filter(bool))
def test_an_ordinary_slope_is_a_plain_product(t, p):
    assert zero_wins(t, p) == t * p
    assert zero_tangent_wins(t, p) == t * p


def test_a_zero_tangent_wins_over_an_infinite_or_nan_partial_in_both():
    for p in (INF, -INF, NAN):
        assert zero_wins(0.0, p) == 0.0 and zero_tangent_wins(0.0, p) == 0.0
        assert math.isnan(zero_wins(1.0, NAN)) and zero_wins(-1.0, INF) == -INF


def test_a_zero_partial_wins_only_as_a_slope_not_as_a_value_that_may_move():
    assert zero_wins(INF, 0.0) == 0.0 and zero_wins(NAN, 0.0) == 0.0
    assert math.isnan(zero_tangent_wins(INF, 0.0))  # cbrt(x) * cbrt(x) at 0: 0 * inf


def test_nested_tangents_decide_on_their_value():
    inner = Dual(0.0, 1.0, 1)
    out = zero_wins(inner, INF)
    assert type(out) is Dual and out.value == 0.0
    assert zero_wins(Dual(2.0, 1.0, 1), INF).value == INF
