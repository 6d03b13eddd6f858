"""Column layouts: the sorted, distinct columns a packed tangent stores, and their unions.

A :class:`~dualgrad.vector.packed.Packed` tangent keeps its entries at a layout, an index array.
Where two layouts meet (a sum, a stacked product) they are merged (:func:`merge`), and each
input's entries are copied into the union by its :class:`Spots`. A union equal to one input
is that very array, so identical layouts keep meeting as one object; inside a pass
(:mod:`dualgrad.vector.context`) unions are cached by identity on the pass, for the same ones
meet at every head and every token. Past the settings' ``dense_fraction`` of the columns
(:mod:`dualgrad.vector.settings`) a union is too wide to pack (None): the tangent is dense.

>>> import numpy as np
>>> cols, where = merge((np.array([1, 3]), np.array([3, 4])), 10)
>>> cols.tolist(), where[0].index.tolist(), where[1].index.tolist()
([1, 3, 4], [0, 1], [1, 2])
>>> layout_of(np.array([4, 1, 4]), 10).tolist()
[1, 4]
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from dualgrad.vector.context import _local, current
from dualgrad.vector.settings import SETTINGS
from dualgrad.vector.sparse import SEED_INDICES

__all__ = ["Spots", "layout_of", "merge", "sorted_distinct", "spots_in_full", "with_column"]


class Spots:
    """Where the entries of one layout go in a wider row: a few contiguous runs, copied as
    slices (layouts made of parameter blocks), or else an index array."""

    __slots__ = ("index", "runs")

    def __init__(self, index: Any) -> None:
        self.index = index
        breaks = np.flatnonzero(np.diff(index) != 1) + 1
        self.runs: list[tuple[int, int, int]] | None = None
        if not len(index):
            self.runs = []
        elif len(breaks) < 8:
            bounds = [0, *breaks.tolist(), len(index)]
            self.runs = [(a, b, int(index[a])) for a, b in itertools.pairwise(bounds)]

    def put(self, out: Any, src: Any) -> None:
        """out[..., index] = src (along the last axis)."""
        if self.runs is None:
            out[..., self.index] = src
        else:
            for a, b, at in self.runs:
                out[..., at : at + b - a] = src[..., a:b]

    def add(self, out: Any, src: Any) -> None:
        """out[..., index] += src (the index has no repeats)."""
        if self.runs is None:
            out[..., self.index] += src
        else:
            for a, b, at in self.runs:
                out[..., at : at + b - a] += src[..., a:b]


def spots_in_full(cols: Any) -> Spots:
    """Where a layout's entries go in a dense vector (cached for the pass)."""
    context = current()
    cache = None if context is None else context.unions
    key = ("full", id(cols))
    if cache is not None:
        hit = cache.get(key)
        if hit is not None and hit[0] is cols:
            return hit[1]
    spots = Spots(cols)
    if cache is not None:
        cache[key] = (cols, spots)
    return spots


def layout_of(indices: Any, size: int) -> Any:
    """The layout for a vector stored at `indices`: its blocks' prefix if the pass has blocks
    (:class:`~dualgrad.vector.blocks.BlockLayouts`), else the distinct indices; None if too
    wide to pack."""
    context = current()
    blocks = None if context is None else context.blocks
    if blocks is not None and blocks.size == size:  # (an enclosing pass has its own width)
        return blocks.layout(indices)
    cols = sorted_distinct(indices)
    return cols if len(cols) <= SETTINGS.dense_fraction * size else None


def merge(layouts: Sequence[Any], size: int) -> tuple[Any, list[Any]]:
    """The union of sorted, distinct index arrays: (cols, [where each input's entries go in
    cols (:class:`Spots`), or None where the input is cols itself]); cols is None if the
    union is too wide to pack.

    A union equal to one of the inputs returns that very array, so later operations still
    find identical layouts.
    """
    context = current()
    cache = None if context is None else context.unions
    key = tuple(map(id, layouts))
    if cache is not None:
        hit = cache.get(key)
        if hit is not None and all(map(operator.is_, hit[0], layouts)):
            return hit[1], hit[2]
    distinct = list({id(c): c for c in layouts}.values())
    if len(distinct) == 1:
        cols = distinct[0]
    else:
        cols = sorted_distinct(np.concatenate(distinct))
        for c in distinct:  # keep an input's identity when it already covers the rest
            if len(c) == len(cols):
                cols = c
                break
    if len(cols) > SETTINGS.dense_fraction * size:
        result: tuple[Any, list[Any]] = (None, [])
    else:
        where = {id(c): None if c is cols else Spots(np.searchsorted(cols, c)) for c in distinct}
        result = (cols, [where[id(c)] for c in layouts])
    if cache is not None:
        cache[key] = (tuple(layouts), *result)  # holding the inputs keeps their ids unique
    return result


def sorted_distinct(a: Any) -> Any:
    """np.unique for index arrays, by a sort (numpy's hash-based unique is slower here)."""
    a = np.sort(a)
    if len(a):
        a = a[np.concatenate(([True], a[1:] != a[:-1]))]
    return a


def with_column(layout: Any, index: int, size: int) -> tuple[Any, Any, int] | None:
    """(cols, where `layout` goes in cols or None, where `index` goes) for a Packed on
    `layout` plus one entry at `index`, as the generic sum with a Sparse places them; cached
    for the pass (a row of a product meets the same layouts and parameters at every token),
    None outside a pass or where the union is too wide."""
    context = getattr(_local, "context", None)  # (current(), inlined: once per product)
    if context is None:
        return None
    cache = context.unions
    key = ("one", id(layout), index)
    hit = cache.get(key)
    if hit is not None and hit[0] is layout:
        return hit[1]
    lay = layout_of(SEED_INDICES.view(index), size)
    placed = None
    if lay is not None:
        cols, where = merge((layout, lay), size)
        if cols is not None:
            placed = (cols, where[0], int(cols.searchsorted(index)))
    cache[key] = (layout, placed)  # holding the layout keeps its id unique
    return placed
