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

from dualgrad.vector import sparse as _sparse
from dualgrad.vector.context import PassContext, _local, current, entered
from dualgrad.vector.sparse import Sparse, StoredEntries

__all__ = ["Packed", "Spots", "layout_of", "layouts", "merge", "packed_rows", "spots_in_full"]

DENSE_FRACTION = 0.7  # a layout covering more of the columns than this is stored densely


class Packed(StoredEntries):
    """A length-`size` vector holding `values` at the sorted, distinct indices `cols`.

    A scaled tangent, and a sum of them on one layout, may wait as a list of rows (see
    :func:`_materialise`) until its ``values`` are read: a scalar sum of products,
    ``sum(wi * xi for ...)``, then costs one stacked sum instead of a few array operations
    per term. The rows give the numbers the operations would have given one by one, bit for
    bit; every reader goes through ``values``.
    """

    __slots__ = ("_n", "_rows", "_values", "cols", "size")

    def __init__(self, cols: Any, values: Any, size: int) -> None:
        self.cols = cols
        self._values = values
        self.size = size
        self._rows: list[Row] | None = None
        self._n = 0

    @property
    def values(self) -> Any:
        """The entries at `cols` (summed from the waiting rows on first reading)."""
        v = self._values
        if v is None:
            rows = self._rows
            assert rows is not None
            src, x, c, pos, _ = rows[0]
            if self._n == 1 and pos < 0 and src is self.cols:  # a scaled tangent
                v = x * c if c is not None else x.copy()
            else:
                v = _materialise(self.cols, rows, self._n, self.size)
            self._values = v
            self._rows = None  # (the list may be shared with longer sums: not cleared)
        return v

    @values.setter
    def values(self, values: Any) -> None:
        self._values = values
        self._rows = None

    def dense(self) -> Any:
        """The vector as a numpy array."""
        out = np.zeros(self.size)
        spots_in_full(self.cols).put(out, self.values)
        return out

    def _scaled(self, values: Any) -> Packed:
        return Packed(self.cols, values, self.size)

    def _row(self) -> Row | None:
        """The vector as one row, if it is one (stored, or one waiting row)."""
        if self._values is not None:
            return (self.cols, self._values, None, -1, 0.0)
        if self._n == 1:
            assert self._rows is not None
            return self._rows[0]
        return None

    # -- scaling: waits (negating and dividing: StoredEntries) -----------------------------
    def __mul__(self, c: Any) -> Any:
        if type(c) is float and WAIT:  # values * c, when read
            v = self._values
            if v is None:
                v = self.values
            out = _new(Packed)
            out.cols = self.cols
            out._values = None
            out.size = self.size
            out._rows = [(self.cols, v, c, -1, 0.0)]
            out._n = 1
            return out
        return StoredEntries.__mul__(self, c)

    __rmul__ = __mul__

    # -- sums (scaling and negating: StoredEntries) ----------------------------------------
    def __add__(self, other: Any) -> Any:
        kind = type(other)
        if kind is Packed:
            if other.cols is self.cols:  # the common case: outputs of one bulk product
                if other._n == 1 and other._values is None and WAIT:  # a term of a sum
                    rows, n = self._rows, self._n
                    if rows is not None and n < ROWS_KEPT and len(rows) == n:
                        # _one_more's common case, inlined: once per term of a scalar sum
                        rows.append(other._rows[0])
                        out = _new(Packed)
                        out.cols = self.cols
                        out._values = None
                        out.size = self.size
                        out._rows = rows
                        out._n = n + 1
                        return out
                row = other._row() if other._values is None and WAIT else None
                if row is not None:  # a term of a sum: one more row
                    return _one_more(self, row)
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


# A waiting row: (src_cols, src_values, coef, pos, v) stands for src_values * coef (or the
# values themselves, coef None) placed from src_cols on the owner's cols, plus v at pos (if
# pos >= 0). A waiting Packed is the sum of its first n rows, added one after another.
Row = tuple[Any, Any, Any, int, Any]
WAIT = True  # False: every operation sums at once (the reference the tests compare with)
ROWS_KEPT = 64  # a longer sum is summed so far, and goes on from there (bounded memory)


def _waiting(cols: Any, rows: list[Row], n: int, size: int) -> Packed:
    out = _new(Packed)
    out.cols = cols
    out._values = None
    out.size = size
    out._rows = rows
    out._n = n
    return out


_new = object.__new__


def _one_more(acc: Packed, row: Row) -> Packed:
    """acc + row on acc's cols, without summing yet. The rows of a sum are one list shared
    by its partial sums, each reading its first n: a sum appends when no longer sum has."""
    rows, n = acc._rows, acc._n
    if rows is None or n >= ROWS_KEPT:
        rows, n = [(acc.cols, acc.values, None, -1, 0.0)], 1
    elif len(rows) != n:  # another sum went on from acc: a list of its own
        rows = rows[:n]
    rows.append(row)
    return _waiting(acc.cols, rows, n + 1, acc.size)


def _materialise(cols: Any, rows: list[Row], n: int, size: int) -> Any:
    """The sum of the first n rows on cols, added in order: the numbers of the operations
    one by one (placing a row, adding its entry, adding the rows left to right)."""
    if n <= 2 or len(cols) < 2 or not _SEQUENTIAL_REDUCE:
        out = _placed(cols, rows[0], size)
        for i in range(1, n):
            out += _placed(cols, rows[i], size)
        return out
    srcs = {id(r[0]): r[0] for r in rows[:n]}
    if len(srcs) == 1:  # the terms of one scalar sum of products: one layout
        (src,) = srcs.values()
        block = np.array([r[1] for r in rows[:n]])
        coefs = [1.0 if r[2] is None else r[2] for r in rows[:n]]
        block *= np.array(coefs)[:, None]  # each row times its coefficient, as values * c
        at = _where(cols, src, size)
        if at is None:
            matrix = block
        else:
            matrix = np.zeros((n, len(cols)))
            at.put(matrix, block)
    else:
        matrix = np.array([_placed(cols, r, size) for r in rows[:n]])
        return _reduce(matrix)  # (_placed added the entries)
    points = [(i, r[3], r[4]) for i, r in enumerate(rows[:n]) if r[3] >= 0]
    for i, pos, v in points:
        matrix[i, pos] += v
    return _reduce(matrix)


def _placed(cols: Any, row: Row, size: int) -> Any:
    """One row's vector on cols (a new array)."""
    src, values, coef, pos, v = row
    x = values.copy() if coef is None else values * coef
    at = _where(cols, src, size)
    if at is not None:
        out = np.zeros(len(cols))
        at.put(out, x)
        x = out
    if pos >= 0:
        x[pos] += v
    return x


def _where(cols: Any, src: Any, size: int) -> Spots | None:
    """Where src's entries go in cols (src within cols), None if src is cols."""
    if src is cols:
        return None
    _, where = merge((cols, src), size)
    at: Spots | None = where[1]
    return at


def _reduce(matrix: Any) -> Any:
    """The sum of the rows, added one after another from the first (-0.0 + r is r, where
    numpy's own start, 0.0, would turn a -0.0 into 0.0)."""
    return np.add.reduce(matrix, axis=0, initial=-0.0)


def _sequential_reduce() -> bool:
    """Whether :func:`_reduce` adds the rows one after another (numpy's outer loop over a
    C-ordered matrix), as a scalar sum does, not pairwise: checked once, on import."""
    rows = np.array([[1.0, -0.0], [1e100, -0.0], [-1e100, -0.0]] + [[1.0, -0.0]] * 13)
    out = _reduce(rows)
    return out.tolist() == [13.0, 0.0] and bool(np.signbit(out[1]))


_SEQUENTIAL_REDUCE = _sequential_reduce()


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
            if a._values is None and a._n == 1 and WAIT:
                row = a._rows[0]  # type: ignore[index]
                if row[3] < 0:  # a scaled tangent: the entry waits with it
                    out = _new(Packed)
                    out.cols = cols
                    out._values = None
                    out.size = a.size
                    out._rows = [(row[0], row[1], row[2], pos, 1.0 if s.hot >= 0 else s.values[0])]
                    out._n = 1
                    return out
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
    context = getattr(_local, "context", None)  # (current(), inlined: once per product)
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
_sparse._PACKED[:] = [Packed, _plus_sparse]


# -- SPECIAL CASE: a seed times a computed value, plus that value's tangent times the weight --
# (w * x for a parameter w of the pass and a computed x: most products of a scalar sum of
# products). The generic path makes the scaled seed (a one-entry numpy product), the scaled
# tangent and their sum: the same numbers are made here in one step, bit for bit
# (tests/vector/test_packed.py compares the two).
def _seed_times(seed: Sparse, c: Any, t: Any, k: Any) -> Any:
    """seed * c + t * k for a seed and a Packed or dense tangent t of its width, or None where
    the generic path must do it (another kind of tangent, width or coefficient; a Packed t
    outside a pass, or with the sums made at once)."""
    if seed.hot < 0 or type(c) is not float or type(k) is not float or seed.size != t.size:
        return None
    if type(t) is np.ndarray:  # as Sparse + ndarray: (t * k + 0.0) with c added at the seed
        if t.shape != (seed.size,) or t.dtype != _F64:
            return None
        out = t * k
        out += 0.0
        out[seed.hot] += c
        return out
    if not WAIT:
        return None
    placed = _placing(t.cols, seed.hot, t.size)
    v = t._values
    if v is None:
        v = t.values
    if placed is None:
        if getattr(_local, "context", None) is None:
            return None
        # the union is too wide: dense, as _plus_sparse_generic makes it (the seed's entry
        # as np.bincount sums it, 0.0 + c)
        out = np.zeros(t.size)
        out[seed.hot] = 0.0 + c
        spots_in_full(t.cols).add(out, v * k)
        return out
    row: Packed = _new(Packed)  # one waiting row: t's values times k, and c at the seed
    row.cols = placed[0]
    row._values = None
    row.size = t.size
    row._rows = [(t.cols, v, k, placed[2], c)]
    row._n = 1
    return row


_F64 = np.dtype(float)


def _sparse_product(a: Sparse, y: Any, b: Any, x: Any) -> Any:
    """a * y + b * x for a Sparse tangent a (see dualgrad.numbers.tangents.PRODUCTS)."""
    if type(b) is Packed or type(b) is np.ndarray:
        out = _seed_times(a, y, b, x)
        if out is not None:
            return out
    return a * y + b * x


def _vector_product(a: Any, y: Any, b: Any, x: Any) -> Any:
    """a * y + b * x for a Packed or dense tangent a (see dualgrad.numbers.tangents.PRODUCTS)."""
    if type(b) is Sparse:
        out = _seed_times(b, x, a, y)
        if out is not None:
            return out
    return a * y + b * x


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
