"""A tangent stored on a column layout that many tangents share: structural sparsity, in bulk.

In a chunked pass most values depend on a small part of the parameters. In microgpt's GPT
(4,192 parameters) a token's query depends on the embeddings and wq, its attention output on
those and wk, wv; only the MLP and the output head reach most of the parameters. A
:class:`Packed` tangent keeps its ``values`` at sorted, distinct ``cols`` (the other entries
are 0). Within a pass the layouts are unions of whole parameter blocks (weight matrices),
grown in the order the pass first uses them (:mod:`dualgrad.vector.blocks`): a query's layout
holds 944 of the 4,192 columns, a score's 1,200, a head's output 1,456. All outputs of one
bulk product (:mod:`dualgrad.vector.bulk`) share one ``cols`` array, so the operations that
follow - a norm, a softmax - find the same object on both sides and work on the short
``values`` directly; where two layouts meet, the wider holds the other
(:mod:`dualgrad.vector.columns`). Past the settings' ``dense_fraction`` of the columns a
tangent is an ordinary dense numpy vector again.

Only the linear operations the rule table needs of a tangent are defined (scaling, adding,
subtracting, negating), and numpy arrays defer to them; this module holds Packed's arithmetic
with every other kind of tangent, the fused product of a seed and a value included.

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

from typing import Any

import numpy as np

from dualgrad.vector.columns import layout_of, merge, spots_in_full, with_column
from dualgrad.vector.context import _local
from dualgrad.vector.settings import SETTINGS
from dualgrad.vector.sparse import Sparse, StoredEntries
from dualgrad.vector.waiting_rows import Row, materialise

__all__ = ["Packed", "waiting"]

_new = object.__new__
_F64 = np.dtype(float)


class Packed(StoredEntries):
    """A length-`size` vector holding `values` at the sorted, distinct indices `cols`.

    A scaled tangent, and a sum of them on one layout, may wait as a list of rows
    (:mod:`dualgrad.vector.waiting_rows`) until its ``values`` are read: a scalar sum of
    products, ``sum(wi * xi for ...)``, then costs one stacked sum instead of a few array
    operations per term. The rows give the numbers the operations would have given one by
    one, bit for bit; every reader goes through ``values``.
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
                v = materialise(self.cols, rows, self._n, self.size)
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
        if type(c) is float and SETTINGS.sums_wait:  # values * c, when read
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
                if other._n == 1 and other._values is None and SETTINGS.sums_wait:  # a term
                    rows, n = self._rows, self._n
                    if rows is not None and n < SETTINGS.rows_kept and len(rows) == n:
                        # _one_more's common case, inlined: once per term of a scalar sum
                        rows.append(other._rows[0])
                        out = _new(Packed)
                        out.cols = self.cols
                        out._values = None
                        out.size = self.size
                        out._rows = rows
                        out._n = n + 1
                        return out
                row = other._row() if other._values is None and SETTINGS.sums_wait else None
                if row is not None:  # a term of a sum: one more row
                    return _one_more(self, row)
                return Packed(self.cols, self.values + other.values, self.size)
            return _sum(self, other)
        if kind is np.ndarray:
            out = other + 0.0  # a float copy (an int tangent made by hand included)
            spots_in_full(self.cols).add(out, self.values)
            return out
        if kind is Sparse:  # a seed, or a few entries: onto the union of the layouts
            return self._plus_sparse(other)
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

    def _plus_sparse(self, s: Sparse) -> Any:
        """self + s: a seed or a scaled seed (one entry) placed on a layout cached for the
        pass, and waiting with self if self is a scaled tangent; else the generic sum."""
        if len(s.indices) == 1:  # a seed or a scaled seed: a parameter times a computed value
            placed = with_column(self.cols, s.hot if s.hot >= 0 else int(s.indices[0]), self.size)
            if placed is not None:
                cols, at, pos = placed
                entry = 1.0 if s.hot >= 0 else s.values[0]
                if self._values is None and self._n == 1 and SETTINGS.sums_wait:
                    row = self._rows[0]  # type: ignore[index]
                    if row[3] < 0:  # a scaled tangent: the entry waits with it
                        return waiting(cols, [(row[0], row[1], row[2], pos, entry)], 1, self.size)
                if at is None:
                    values = self.values.copy()
                else:
                    values = np.zeros(len(cols))
                    at.put(values, self.values)
                values[pos] += entry
                return Packed(cols, values, self.size)
        return _plus_sparse_generic(self, s)


def waiting(cols: Any, rows: list[Row], n: int, size: int) -> Packed:
    """The Packed tangent that is the sum of the first n `rows`, summed when first read."""
    out = _new(Packed)
    out.cols = cols
    out._values = None
    out.size = size
    out._rows = rows
    out._n = n
    return out


def _one_more(acc: Packed, row: Row) -> Packed:
    """acc + row on acc's cols, without summing yet. The rows of a sum are one list shared
    by its partial sums, each reading its first n: a sum appends when no longer sum has."""
    rows, n = acc._rows, acc._n
    if rows is None or n >= SETTINGS.rows_kept:
        rows, n = [(acc.cols, acc.values, None, -1, 0.0)], 1
    elif len(rows) != n:  # another sum went on from acc: a list of its own
        rows = rows[:n]
    rows.append(row)
    return waiting(acc.cols, rows, n + 1, acc.size)


def _sum(a: Packed, b: Packed) -> Any:
    """a + b on two layouts: on their union, or dense where it is too wide."""
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


def _plus_sparse_generic(a: Packed, s: Sparse) -> Any:
    """a + s on the union of a's layout and s's (repeats of s add up), or dense."""
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
    if not SETTINGS.sums_wait:
        return None
    placed = with_column(t.cols, seed.hot, t.size)
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
