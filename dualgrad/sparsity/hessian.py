"""Sparse Hessians of partially separable objectives: detect the pattern, star-color it, one
forward-over-forward pass per color, read each entry from one compressed column.

>>> from dualgrad import sparse_hessian
>>> def f(x):  # a chain: each term couples neighbours only
...     return sum((x[i + 1] - x[i] ** 2) ** 2 for i in range(len(x) - 1))
>>> H = sparse_hessian(f, [1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
>>> H.colors, H.passes
(3, 4)
>>> H.todense()[1]
[-4.0, 38.0, -8.0, 0.0, 0.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dualgrad.drivers.tags import Tagged, tangent_of, value_of
from dualgrad.numbers.base import is_real
from dualgrad.numbers.dual import Dual
from dualgrad.sparsity.coloring import star_color
from dualgrad.sparsity.jacobian import _call, _inputs, _numpy
from dualgrad.sparsity.pattern import Coloring, SparseMatrix, SparsityPattern
from dualgrad.sparsity.tracer import HessianTracer

__all__ = ["hessian_sparsity", "sparse_hessian"]


def hessian_sparsity(f: Callable[[Any], Any], x: Any) -> SparsityPattern:
    """Where the Hessian of the scalar function `f` at `x` may be nonzero (both triangles),
    from one pass with second-order index sets (:class:`~.tracer.HessianTracer`); like
    :func:`~dualgrad.sparsity.jacobian.jacobian_sparsity` it is the pattern at x's branches
    and may over-approximate, never miss an entry.

    >>> hessian_sparsity(lambda v: v[0] * v[1] + v[2] ** 3, [1.0, 2.0, 3.0]).todense()
    [[False, True, False], [True, False, False], [False, False, True]]
    """
    leaves, spec = _inputs(x, "hessian_sparsity")
    traced = [HessianTracer(v, frozenset((j,))) for j, v in enumerate(leaves)]
    outs = _call(f, spec, traced)
    if len(outs) != 1 or not (isinstance(outs[0], HessianTracer) or is_real(outs[0])):
        raise TypeError(f"hessian_sparsity: the function must return one real number, not {outs!r}")
    rows: list[set[int]] = [set() for _ in leaves]
    for i, j in getattr(outs[0], "pairs", ()):
        rows[i].add(j)
        rows[j].add(i)
    return SparsityPattern.from_rows(rows, len(leaves))


def _star(pattern: SparsityPattern) -> Coloring:
    """The fewer-colored of two greedy star colorings: natural and largest-first orders."""
    adj = [set(row) - {i} for i, row in enumerate(pattern.by_row())]
    orders = [range(len(adj)), sorted(range(len(adj)), key=lambda v: -len(adj[v]))]
    best = min((star_color(adj, order) for order in orders), key=lambda c: max(c, default=-1))
    return Coloring(pattern, tuple(best))


def sparse_hessian(f: Callable[[Any], Any], x: Any, *, sparsity: Any = None) -> SparseMatrix:
    """The Hessian of a scalar `f` at `x` in one forward-over-forward pass per star color.

    Pass c seeds every input of color c with an outer tangent 1 and every input j with an inner
    one-hot index-value tangent e_j, so the output's outer tangent carries the compressed
    column H s_c. In a star coloring each entry (i, j) is the only one of its color in row i
    of that column, or in row j of the other, so it is read directly (symmetry does the rest).
    A chain of neighbour terms takes 3 colors at any size. ``sparsity=`` takes an earlier
    result (or a pattern from :func:`hessian_sparsity`) to skip detection and coloring.
    """
    from dualgrad.vector.sparse import Sparse

    np = _numpy()
    leaves, spec = _inputs(x, "sparse_hessian")
    n, passes = len(leaves), 0
    if sparsity is None:
        sparsity, passes = hessian_sparsity(f, x), 1
    if isinstance(sparsity, SparseMatrix):
        sparsity = sparsity.sparsity
    if isinstance(sparsity, SparsityPattern):
        sparsity = _star(sparsity)
    if not isinstance(sparsity, Coloring) or sparsity.pattern.shape != (n, n):
        raise ValueError(f"sparse_hessian: sparsity= must describe a {n} x {n} Hessian")
    colors, p = sparsity.colors, sparsity.count
    compressed = np.zeros((max(p, 1), n))
    value: Any = None
    with Tagged() as inner, Tagged() as outer:  # outer is newer: it wraps the inner Duals
        for c in range(max(p, 1)):
            seeded = []
            for j, v in enumerate(leaves):
                d = Dual.from_parts(v, Sparse.one_hot(j, n), inner)
                seeded.append(Dual.from_parts(d, 1.0, outer) if colors[j] == c else d)
            outs = _call(f, spec, seeded)
            if len(outs) != 1:
                raise TypeError("sparse_hessian: the function must return one real number")
            first = tangent_of(outs[0], outer, "sparse_hessian")  # s_c . grad f, and H s_c
            column = tangent_of(first, inner, "sparse_hessian")
            compressed[c] = column.dense() if isinstance(column, Sparse) else column
            if value is None:
                value = value_of(value_of(outs[0], outer), inner)
    values = _decompress(sparsity, compressed)
    pattern = sparsity.pattern
    return SparseMatrix(
        pattern.shape, pattern.rows, pattern.cols, values, passes + max(p, 1), p, colors,
        "star", [value], sparsity, spec.kind == "array",
    )  # fmt: skip


def _decompress(coloring: Coloring, compressed: Any) -> list[float]:
    """Entry (i, j) from column color(j) at row i when j is row i's only neighbour of that
    color, else from column color(i) at row j (a star coloring guarantees one of the two)."""
    pattern, colors = coloring.pattern, coloring.colors
    by_row = pattern.by_row()
    count = [dict[int, int]() for _ in by_row]
    for i, row in enumerate(by_row):
        for j in row:
            count[i][colors[j]] = count[i].get(colors[j], 0) + 1
    values = []
    for i, j in zip(pattern.rows, pattern.cols, strict=True):
        if count[i][colors[j]] == 1:
            values.append(float(compressed[colors[j], i]))
        elif count[j][colors[i]] == 1:
            values.append(float(compressed[colors[i], j]))
        else:  # pragma: no cover - not a star coloring
            raise AssertionError(f"entry ({i}, {j}) cannot be recovered from this coloring")
    return values
