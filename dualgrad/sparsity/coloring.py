"""Coloring: which columns of a sparse matrix can share one forward pass.

Columns that share no row are structurally orthogonal: seeding them all with one tangent
gives, in each row, the entry of the one column of that color the row has. A coloring of the
column-intersection graph (columns adjacent when they share a row) with p colors therefore
gives the whole Jacobian in p passes. Greedy coloring visits the columns in some order and
gives each the smallest color none of its neighbours holds; the order matters, so
:func:`color_columns` tries natural, largest-first and smallest-last orderings and keeps the
fewest colors (ties: the first). The graph is never built: a column's neighbours are read
from its rows.

For a symmetric matrix (a Hessian) a *star* coloring is enough and needs fewer colors: a
distance-1 coloring in which every path on four vertices uses at least three colors, so that
each entry can be read directly from one compressed column (:func:`star_color`).

>>> rows = [[0, 1], [0, 1, 2], [1, 2, 3], [2, 3]]  # tridiagonal, 4 x 4
>>> color_columns(rows, 4)
[0, 1, 2, 0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

__all__ = [
    "ORDERS",
    "band_coloring",
    "color_columns",
    "greedy_columns",
    "is_valid_column_coloring",
    "star_color",
]


def _columns(rows: Sequence[Sequence[int]], n: int) -> list[list[int]]:
    cols: list[list[int]] = [[] for _ in range(n)]
    for i, row in enumerate(rows):
        for j in row:
            cols[j].append(i)
    return cols


def _neighbours(rows: Sequence[Sequence[int]], cols: list[list[int]], j: int) -> set[int]:
    out = {k for i in cols[j] for k in rows[i]}
    out.discard(j)
    return out


def _natural(rows: Sequence[Sequence[int]], cols: list[list[int]]) -> list[int]:
    return list(range(len(cols)))


def _largest_first(rows: Sequence[Sequence[int]], cols: list[list[int]]) -> list[int]:
    degree = [len(_neighbours(rows, cols, j)) for j in range(len(cols))]
    return sorted(range(len(cols)), key=lambda j: -degree[j])


def _smallest_last(rows: Sequence[Sequence[int]], cols: list[list[int]]) -> list[int]:
    """Repeatedly remove a vertex of smallest remaining degree; color in reverse removal order
    (Matula and Beck): each vertex then has few neighbours colored before it."""
    n = len(cols)
    adj = [_neighbours(rows, cols, j) for j in range(n)]
    degree = [len(a) for a in adj]
    buckets: dict[int, set[int]] = {}
    for j, d in enumerate(degree):
        buckets.setdefault(d, set()).add(j)
    removed = [False] * n
    order: list[int] = []
    low = 0
    for _ in range(n):
        while not buckets.get(low):
            low += 1
        j = min(buckets[low])  # deterministic
        buckets[low].discard(j)
        removed[j] = True
        order.append(j)
        for k in adj[j]:
            if not removed[k]:
                buckets[degree[k]].discard(k)
                degree[k] -= 1
                buckets.setdefault(degree[k], set()).add(k)
        low = max(low - 1, 0)
    order.reverse()
    return order


ORDERS: dict[str, Callable[[Sequence[Sequence[int]], list[list[int]]], list[int]]] = {
    "natural": _natural,
    "largest_first": _largest_first,
    "smallest_last": _smallest_last,
}
"""Vertex orderings for the greedy coloring, by name."""


def greedy_columns(rows: Sequence[Sequence[int]], n: int, order: Sequence[int]) -> list[int]:
    """Greedy column coloring visiting columns in `order`: smallest color not held by any
    column sharing a row with this one."""
    cols = _columns(rows, n)
    color = [-1] * n
    mark = [-1] * (n + 1)  # mark[c] == j: color c is taken by a neighbour of column j
    for j in order:
        for i in cols[j]:
            for k in rows[i]:
                c = color[k]
                if c >= 0:
                    mark[c] = j
        c = 0
        while mark[c] == j:
            c += 1
        color[j] = c
    return color


def color_columns(rows: Sequence[Sequence[int]], n: int, order: str = "best") -> list[int]:
    """A color per column such that no two columns of one color share a row.

    `rows` lists, for each row, the columns of its nonzeros. `order` names a greedy ordering
    (see :data:`ORDERS`), or "best": all of them, keeping the fewest colors.
    """
    names = list(ORDERS) if order == "best" else [order]
    if order != "best" and order not in ORDERS:
        raise ValueError(f"order must be 'best' or one of {sorted(ORDERS)}, got {order!r}")
    if order == "best":
        banded = band_coloring(rows, n)
        if banded is not None:  # provably the fewest colors: no ordering can do better
            return banded
    cols = _columns(rows, n)
    best: list[int] | None = None
    for name in names:
        coloring = greedy_columns(rows, n, ORDERS[name](rows, cols))
        if best is None or max(coloring, default=-1) < max(best, default=-1):
            best = coloring
    assert best is not None
    return best


def band_coloring(rows: Sequence[Sequence[int]], n: int) -> list[int] | None:
    """Colors ``j mod (w + 1)``, w the widest distance between two columns sharing a row,
    where that is the fewest colors possible - as many as the longest row has entries, each
    of which needs a color of its own - else None. A banded Jacobian (a stencil, a chain)
    gets its optimal coloring in one pass over the pattern, without the greedy orderings.

    >>> band_coloring([[0, 1], [0, 1, 2], [1, 2, 3], [2, 3]], 4)
    [0, 1, 2, 0]
    >>> band_coloring([[0, 3], [1, 2]], 4) is None  # columns 0 and 3 share a row: w = 3
    True
    """
    longest = max(map(len, rows), default=0)
    reach = list(range(n))  # the rightmost column sharing a row with column j
    for row in rows:
        if row:
            hi = max(row)
            for j in row:
                if hi > reach[j]:
                    reach[j] = hi
    width = max((r - j for j, r in enumerate(reach)), default=0) + 1
    if width > max(longest, 1):
        return None
    return [j % width for j in range(n)]


def is_valid_column_coloring(rows: Sequence[Sequence[int]], colors: Sequence[int]) -> bool:
    """No row holds two columns of the same color."""
    for row in rows:
        seen = [colors[j] for j in row]
        if len(seen) != len(set(seen)):
            return False
    return True


def star_color(adj: Sequence[set[int]], order: Sequence[int] | None = None) -> list[int]:
    """A greedy star coloring of the graph with adjacency sets `adj` (no self loops).

    Each vertex takes the smallest color that (a) no neighbour holds and (b) closes no path
    on four vertices colored with only two colors. Such a path through the vertex v being
    colored has v at an end (v-w-x-y, color(x) = c, color(y) = color(w)) or second
    (u-v-w-x, color(u) = color(w), color(x) = c); both are checked when the path's last
    vertex is colored, so the finished coloring has none.
    """
    n = len(adj)
    color = [-1] * n
    for v in order if order is not None else range(n):
        forbidden: set[int] = set()
        for w in adj[v]:
            if color[w] >= 0:
                forbidden.add(color[w])
        for w in adj[v]:
            d = color[w]
            if d < 0:
                continue
            # v second in u-v-w-x: another neighbour u of v holds d as well
            twin = any(color[u] == d for u in adj[v] if u != w)
            for x in adj[w]:
                c = color[x]
                if x == v or c < 0:
                    continue
                if twin or any(color[y] == d for y in adj[x] if y != w):
                    forbidden.add(c)  # v-w-x-y (or u-v-w-x) would alternate d and c
        c = 0
        while c in forbidden:
            c += 1
        color[v] = c
    return color
