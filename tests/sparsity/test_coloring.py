"""Column and star colorings: valid on random patterns, and as few colors as known bounds."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dualgrad.sparsity.coloring import (
    ORDERS,
    color_columns,
    greedy_columns,
    is_valid_column_coloring,
    star_color,
)


def tridiagonal(n):
    return [[j for j in (i - 1, i, i + 1) if 0 <= j < n] for i in range(n)]


def five_point(n):
    rows = []
    for i, j in itertools.product(range(n), range(n)):
        nb = [(i, j), (i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1)]
        rows.append(sorted(a * n + b for a, b in nb if 0 <= a < n and 0 <= b < n))
    return rows


patterns = st.integers(1, 25).flatmap(
    lambda n: st.tuples(
        st.just(n),
        st.lists(st.sets(st.integers(0, n - 1), max_size=5).map(sorted), min_size=0, max_size=25),
    )
)


@settings(max_examples=200, deadline=None)
@given(patterns, st.sampled_from(["best", *ORDERS]))
def test_every_column_coloring_is_valid(case, order):
    n, rows = case
    colors = color_columns(rows, n, order)
    assert len(colors) == n and min(colors) >= 0
    assert is_valid_column_coloring(rows, colors)
    # greedy never needs more than (largest neighbourhood + 1) colors
    widest = max((len({k for r in rows if j in r for k in r}) for j in range(n)), default=1)
    assert max(colors) + 1 <= max(widest, 1)


def test_the_validity_check_can_fail():
    assert not is_valid_column_coloring([[0, 1]], [0, 0])


@pytest.mark.parametrize("n", [3, 4, 10, 101, 1000])
def test_tridiagonal_takes_three_colors_at_any_size(n):
    assert max(color_columns(tridiagonal(n), n)) + 1 == 3


@pytest.mark.parametrize("n", [3, 8, 30])
def test_five_point_stencil_takes_at_most_seven(n):
    colors = color_columns(five_point(n), n * n)
    assert is_valid_column_coloring(five_point(n), colors)
    assert max(colors) + 1 <= 7


def test_best_keeps_the_fewest_colors():
    rows = five_point(12)
    each = [max(greedy_columns(rows, 144, ORDERS[o](rows, _cols(rows, 144)))) for o in ORDERS]
    assert max(color_columns(rows, 144)) == min(each)


def _cols(rows, n):
    cols = [[] for _ in range(n)]
    for i, r in enumerate(rows):
        for j in r:
            cols[j].append(i)
    return cols


def test_bad_order_is_named():
    with pytest.raises(ValueError, match="order"):
        color_columns([[0]], 1, "random")


def is_star(adj, color):
    for v, nb in enumerate(adj):
        if any(color[w] == color[v] for w in nb):
            return False
    for a in range(len(adj)):  # no path a-b-c-d on two colors
        for b in adj[a]:
            for c in adj[b] - {a}:
                for d in adj[c] - {a, b}:
                    if color[a] == color[c] and color[b] == color[d]:
                        return False
    return True


graphs = st.integers(1, 16).flatmap(
    lambda n: st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40).map(
        lambda edges: [
            {b for a2, b in edges if a2 == a and b != a}
            | {a2 for a2, b in edges if b == a and a2 != a}
            for a in range(n)
        ]
    )
)


@settings(max_examples=200, deadline=None)
@given(graphs)
def test_every_star_coloring_is_a_star_coloring(adj):
    assert is_star(adj, star_color(adj))


def test_the_star_check_can_fail():
    path = [{1}, {0, 2}, {1, 3}, {2}]
    assert not is_star(path, [0, 1, 0, 1])
    assert is_star(path, star_color(path))


def test_star_coloring_of_a_path_takes_three_colors():
    n = 50
    path = [{j for j in (i - 1, i + 1) if 0 <= j < n} for i in range(n)]
    assert max(star_color(path)) + 1 == 3
