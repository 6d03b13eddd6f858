"""A tangent stored on a column layout that many tangents share: structural sparsity, in bulk.

In a chunked pass most values depend on a small part of the parameters. In microgpt's GPT
(4,192 parameters) a token's query depends on the embeddings and wq, its attention output on
those and wk, wv; only the MLP and the output head reach most of the parameters. A
:class:`Packed` tangent keeps its ``values`` at sorted, distinct ``cols`` (the other entries
are 0). Within a pass the layouts are unions of whole parameter blocks (weight matrices),
grown in the order the pass first uses them (:func:`layouts`): a query's layout holds 944 of
the 4,192 columns, a score's 1,200, a head's output 1,456. All outputs of one bulk
product (:mod:`dualgrad.vector.bulk`) share one ``cols`` array, so the operations that follow - a
norm, a softmax - find the same object on both sides and work on the short ``values``
directly; where two layouts meet, the wider holds the other. Past `DENSE_FRACTION` of the
columns a tangent is an ordinary dense numpy vector again.

Only the linear operations the rule table needs of a tangent are defined (scaling, adding,
subtracting, negating), and numpy arrays defer to them.

>>> import numpy as np
>>> a = Packed(np.array([1, 3]), np.array([1.0, 2.0]), 6)
>>> b = Packed(np.array([3, 4]), np.array([10.0, 20.0]), 6)
>>> (a * 2.0 + a).tolist()
[0.0, 3.0, 0.0, 6.0, 0.0, 0.0]
>>> (a - b).tolist()
[0.0, 1.0, 0.0, -8.0, -20.0, 0.0]
>>> (np.ones(6) + a).tolist()
[1.0, 2.0, 1.0, 3.0, 1.0, 1.0]
"""

from __future__ import annotations

import bisect
import itertools
import operator
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from dualgrad.vector.context import PassContext, current, entered
from dualgrad.vector.sparse import Sparse, StoredEntries

__all__ = ["Packed", "Spots", "layout_of", "layouts", "merge", "packed_rows", "spots_in_full"]

DENSE_FRACTION = 0.7  # a layout covering more of the columns than this is stored densely


class Packed(StoredEntries):
    """A length-`size` vector holding `values` at the sorted, distinct indices `cols`."""

    __slots__ = ("cols", "size", "values")

    def __init__(self, cols: Any, values: Any, size: int) -> None:
        self.cols = cols
        self.values = values
        self.size = size

    def dense(self) -> Any:
        """The vector as a numpy array."""
        out = np.zeros(self.size)
        spots_in_full(self.cols).put(out, self.values)
        return out

    def _scaled(self, values: Any) -> Packed:
        return Packed(self.cols, values, self.size)

    # -- sums (scaling and negating: StoredEntries) ----------------------------------------
    def __add__(self, other: Any) -> Any:
        kind = type(other)
        if kind is Packed:
            if other.cols is self.cols:  # the common case: outputs of one bulk product
                return Packed(self.cols, self.values + other.values, self.size)
            return _sum(self, other)
        if kind is np.ndarray:
            out = other + 0.0  # a float copy (an int tangent made by hand included)
            spots_in_full(self.cols).add(out, self.values)
            return out
        if kind is Sparse:  # a seed, or a few entries: onto the union of the layouts
            return _plus_sparse(self, other)
        if (kind is float or kind is int) and other == 0:
            return self  # a zero tangent (a constant lifted to a Dual) adds nothing
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        if type(other) is Packed and other.cols is self.cols:
            return Packed(self.cols, self.values - other.values, self.size)
        return self + (-other)

    def __repr__(self) -> str:
        return f"Packed(size={self.size}, stored={len(self.cols)})"


def _from_sparse(s: Sparse) -> Packed | None:
    """The Sparse vector on its layout (see :func:`layout_of`), or None if too wide."""
    cols = layout_of(s.indices, s.size)
    if cols is None:
        return None
    values = np.zeros(len(cols))
    if s.hot >= 0:  # a seed
        values[cols.searchsorted(s.hot)] = 1.0
    else:
        np.add.at(values, np.searchsorted(cols, s.indices), s.values)
    return Packed(cols, values, s.size)


def _plus_sparse(a: Packed, s: Sparse) -> Any:
    if len(s.indices) == 1:  # a seed or a scaled seed: a parameter times a computed value
        placed = _placing(a.cols, s.hot if s.hot >= 0 else int(s.indices[0]), a.size)
        if placed is not None:
            cols, at, pos = placed
            if at is None:
                values = a.values.copy()
            else:
                values = np.zeros(len(cols))
                at.put(values, a.values)
            values[pos] += 1.0 if s.hot >= 0 else s.values[0]
            return Packed(cols, values, a.size)
    return _plus_sparse_generic(a, s)


def _placing(layout: Any, index: int, size: int) -> tuple[Any, Any, int] | None:
    """(cols, where `layout` goes in cols or None, where `index` goes) for a Packed on
    `layout` plus one entry at `index`, as :func:`_plus_sparse_generic` places them; cached
    for the pass (a row of a product meets the same layouts and parameters at every token),
    None outside a pass or where the union is too wide."""
    context = current()
    if context is None:
        return None
    cache = context.unions
    key = ("one", id(layout), index)
    hit = cache.get(key)
    if hit is not None and hit[0] is layout:
        return hit[1]
    lay = layout_of(_INDEX[index : index + 1] if index < len(_INDEX) else np.array([index]), size)
    placed = None
    if lay is not None:
        cols, where = merge((layout, lay), size)
        if cols is not None:
            placed = (cols, where[0], int(cols.searchsorted(index)))
    cache[key] = (layout, placed)  # holding the layout keeps its id unique
    return placed


_INDEX = np.arange(1 << 14)


def _plus_sparse_generic(a: Packed, s: Sparse) -> Any:
    lay = layout_of(s.indices, a.size)
    cols, where = (None, []) if lay is None else merge((a.cols, lay), a.size)
    if cols is None:  # too wide: dense
        out = s.dense()
        spots_in_full(a.cols).add(out, a.values)
        return out
    if where[0] is None:
        values = a.values.copy()
    else:
        values = np.zeros(len(cols))
        where[0].put(values, a.values)
    if s.hot >= 0:
        values[cols.searchsorted(s.hot)] += 1.0
    else:
        np.add.at(values, cols.searchsorted(s.indices), s.values)
    return Packed(cols, values, a.size)


def pack_sum(a: Sparse, b: Sparse, blocks: Any) -> Packed | None:
    """a + b on the pass's block layout, for a sum of a few seeds in a pass with `blocks`
    (else None: Sparse adds itself, as growing sums of many entries do best)."""
    if blocks.size != a.size:
        return None
    indices = np.concatenate((a.indices, b.indices))
    cols = layout_of(indices, a.size)
    if cols is None:
        return None
    values = np.zeros(len(cols))
    np.add.at(values, cols.searchsorted(indices), np.concatenate((a.values, b.values)))
    return Packed(cols, values, a.size)


def _sum(a: Packed, b: Packed) -> Any:
    cols, where = merge((a.cols, b.cols), a.size)
    if cols is None:  # too wide: dense
        out = np.zeros(a.size)
        spots_in_full(a.cols).put(out, a.values)
        spots_in_full(b.cols).add(out, b.values)
        return out
    pa, pb = where
    if pa is None:
        values = a.values.copy()
    else:
        values = np.zeros(len(cols))
        pa.put(values, a.values)
    if pb is None:
        values += b.values
    else:
        pb.add(values, b.values)
    return Packed(cols, values, a.size)


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


# -- the pass: parameter blocks, and unions of layouts cached ------------------------------------
@contextmanager
def layouts(blocks: Sequence[int] | None = None, size: int = 0) -> Iterator[PassContext]:
    """The layouts of one pass: their unions are cached (the same ones meet for every head and
    every token), keyed by identity, until the block ends.

    `blocks` are the first columns of the parameter blocks of a pass `size` wide (one block per
    weight matrix, say). Layouts are then made of whole blocks, and rounded up to a prefix of
    the blocks in the order the pass first uses them: a value computed from the embeddings and
    wq has the layout {embeddings, wq}, one computed from the embeddings and wk (used after wq)
    {embeddings, wq, wk}. So a pass has one layout per block, every union of two layouts is the
    wider one, and the values of a stage share one layout object - whatever embedding rows a
    token read - so products stack their rows in one copy, and the sum of two tangents finds
    the same layout on both sides. Without blocks a layout is exactly the columns used.
    """
    context = PassContext(size)
    if blocks is not None and size:
        starts = sorted({b for b in blocks if 0 <= b < size} | {0})
        if len(starts) > 1:  # one block (a single table) is no layout: leave it to Sparse
            context.blocks = _Blocks(np.asarray(starts), [*starts[1:], size], size)
    with entered(context):
        yield context


class _Blocks:
    """A pass's parameter blocks, ranked by first use, and the prefix layouts."""

    def __init__(self, starts: Any, ends: list[int], size: int) -> None:
        self.starts = starts
        self.start_list = starts.tolist()
        self.ends = ends
        self.size = size
        self.rank: dict[int, int] = {}  # block -> order of first use
        self.prefixes: list[Any] = []  # prefixes[r]: the blocks of rank <= r, sorted (or None)

    def layout(self, indices: Any) -> Any:
        """The prefix layout covering the blocks of `indices`, or None if too wide."""
        if len(indices) <= 4:  # a seed or a sum of a few: bisect in Python beats numpy calls
            ids = {bisect.bisect_right(self.start_list, i) - 1 for i in indices.tolist()}
        else:
            where = np.searchsorted(self.starts, indices, side="right") - 1
            ids = set(np.flatnonzero(np.bincount(where, minlength=len(self.starts))).tolist())
        if not ids:  # no entries at all
            return np.zeros(0, dtype=np.intp)
        for b in sorted(ids):
            if b not in self.rank:
                self.rank[b] = len(self.rank)
                self._grow(b)
        return self.prefixes[max(self.rank[b] for b in ids)]

    def _grow(self, block: int) -> None:
        last = self.prefixes[-1] if self.prefixes else np.zeros(0, dtype=np.intp)
        if last is None:
            self.prefixes.append(None)
            return
        new = np.arange(self.starts[block], self.ends[block])
        cols = np.sort(np.concatenate((last, new)))  # blocks are disjoint
        self.prefixes.append(cols if len(cols) <= DENSE_FRACTION * self.size else None)


def layout_of(indices: Any, size: int) -> Any:
    """The layout for a vector stored at `indices`: its blocks' prefix if the pass has blocks,
    else the distinct indices; None if too wide to pack."""
    context = current()
    blocks = None if context is None else context.blocks
    if blocks is not None and blocks.size == size:  # (an enclosing pass has its own width)
        return blocks.layout(indices)
    cols = _sorted_distinct(indices)
    return cols if len(cols) <= DENSE_FRACTION * size else None


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
        cols = _sorted_distinct(np.concatenate(distinct))
        for c in distinct:  # keep an input's identity when it already covers the rest
            if len(c) == len(cols):
                cols = c
                break
    if len(cols) > DENSE_FRACTION * size:
        result: tuple[Any, list[Any]] = (None, [])
    else:
        where = {id(c): None if c is cols else Spots(np.searchsorted(cols, c)) for c in distinct}
        result = (cols, [where[id(c)] for c in layouts])
    if cache is not None:
        cache[key] = (tuple(layouts), *result)  # holding the inputs keeps their ids unique
    return result


def _sorted_distinct(a: Any) -> Any:
    """np.unique for index arrays, by a sort (numpy's hash-based unique is slower here)."""
    a = np.sort(a)
    if len(a):
        a = a[np.concatenate(([True], a[1:] != a[:-1]))]
    return a


def packed_rows(tangents: Sequence[Any], size: int) -> tuple[Any, Any] | None:
    """(cols, an n x len(cols) matrix of the rows) for Packed or Sparse tangents whose union
    fits, else None. The bulk products stack their operands with it."""
    if all(type(t) is Sparse for t in tangents):  # a norm of embedding rows: all in one go
        indices = np.concatenate([t.indices for t in tangents])
        cols = layout_of(indices, size)
        if cols is None:
            return None
        n, k = len(tangents), len(cols)
        starts = np.repeat(np.arange(n) * k, [len(t.indices) for t in tangents])
        flat = starts + np.searchsorted(cols, indices)  # repeated entries add up
        values = np.concatenate([t.values for t in tangents])
        return cols, np.bincount(flat, weights=values, minlength=n * k).reshape(n, k)
    rows: list[Packed] = []
    for t in tangents:
        row = t if type(t) is Packed else _from_sparse(t)
        if row is None:
            return None
        rows.append(row)
    groups: dict[int, list[int]] = {}  # rows sharing a layout are placed together
    for i, r in enumerate(rows):
        groups.setdefault(id(r.cols), []).append(i)
    firsts = [rows[members[0]].cols for members in groups.values()]
    cols, where = merge(firsts, size)
    if cols is None:
        return None
    if len(groups) == 1:  # one shared layout (the outputs of one product)
        return cols, np.array([r.values for r in rows])
    out = np.zeros((len(rows), len(cols)))
    for members, at in zip(groups.values(), where, strict=True):
        block = np.array([rows[i].values for i in members])
        if at is None:
            out[members] = block
        elif len(members) == len(rows):
            at.put(out, block)
        else:
            target = np.zeros((len(members), len(cols)))
            at.put(target, block)
            out[members] = target
    return cols, out
