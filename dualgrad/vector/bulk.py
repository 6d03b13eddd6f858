"""Sums of products of Duals in bulk, for vector tangents (chunk mode).

A matrix-vector product built from scalar Duals costs one numpy operation per multiply and
per add on k-wide tangents. Its tangent is linear, though: for ``y_j = sum_i w_ji x_i`` the
mul and add rules of the table give

    tangent(y_j) = sum_i value(w_ji) tangent(x_i) + value(x_i) tangent(w_ji),

which is one matrix product (``W @ X``) plus a scatter of x's values into the positions of
seeded weights. These functions evaluate exactly that - the same rules, no new derivative -
and fall back to scalar arithmetic (returning None) whenever their preconditions fail: a
scalar tangent, nested Duals, mixed tags. Values are summed in the same order as the scalar
code, so they match a float pass bit for bit.

Operands whose tangents are sparse (seeds, :class:`~dualgrad.vector.packed.Packed` layouts) are
stacked on the union of their layouts, and the products keep that layout (plus the seeded
weights' blocks) until it covers most of the columns: the matrices stay about as narrow as
what the values depend on. Elements whose tangent is a plain 0 (a relu that is off) add no
row at all. The weights may be seeds of this pass, plain floats (another chunk's
parameters), or computed Duals (attention's keys and values).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from operator import is_, mul
from typing import Any, NamedTuple

import numpy as np

from dualgrad.numbers.dual import Dual
from dualgrad.vector.columns import Spots, layout_of, merge, spots_in_full
from dualgrad.vector.context import current
from dualgrad.vector.packed import Packed
from dualgrad.vector.sparse import Sparse
from dualgrad.vector.stacking import packed_rows

__all__ = ["matvec", "sumprod"]

_PLAIN = (float, int)
_SPARSE = (Packed, Sparse)


def _width(x: Any) -> int:
    """The tangent width of a Dual with a vector tangent, else 0."""
    if type(x) is not Dual:
        return 0
    t = x.tangent
    if type(t) is Sparse or type(t) is Packed:
        return t.size
    if type(t) is np.ndarray and t.ndim == 1:
        return len(t)
    return 0


def _parts(xs: Sequence[Any], tag: int) -> tuple[list[Any], list[Any]] | None:
    """(values, tangents) of Duals of this pass and plain numbers (tangent None), or None if
    an element is neither, is another pass's Dual, or has a nonzero scalar tangent."""
    values: list[Any] = []
    tangents: list[Any] = []
    for v in xs:
        if type(v) is Dual:
            if v.tag != tag or type(v.value) not in _PLAIN:
                return None
            t = v.tangent
            if type(t) in _PLAIN:
                if t:  # a nonzero scalar tangent: not a chunked pass
                    return None
                t = None
            values.append(v.value)
            tangents.append(t)
        elif type(v) in _PLAIN:
            values.append(v)
            tangents.append(None)
        else:
            return None
    return values, tangents


def _rows(tangents: list[Any], width: int) -> tuple[Any, Any]:
    """(cols, matrix) with one row per tangent: packed on the union of the columns when every
    tangent is sparse and the union is narrow enough, else dense (cols None)."""
    if all(type(t) in _SPARSE for t in tangents):
        packed = packed_rows(tangents, width)
        if packed is not None:
            return packed
    if all(type(t) is np.ndarray for t in tangents):
        return None, np.array(tangents)
    rows = np.zeros((len(tangents), width))
    for i, t in enumerate(tangents):
        if type(t) is Sparse and t.hot >= 0:
            rows[i, t.hot] = 1.0
        elif type(t) in _SPARSE:
            rows[i] = t.dense()
        else:
            rows[i] = t
    return None, rows


class Stacked(NamedTuple):
    """Operands stacked for a bulk product: the values of all elements, and the tangents of
    those that have one (`active`, None for all: a relu's inactive units have none) as
    the rows of a matrix stored on the columns `cols` (None: dense)."""

    values: list[Any]
    rows: Any
    cols: Any
    active: list[int] | None

    def full_rows(self) -> Any:
        """The matrix with a zero row for each element without a tangent."""
        if self.active is None:
            return self.rows
        out = np.zeros((len(self.values), self.rows.shape[1]))
        out[self.active] = self.rows
        return out

    def weighted(self, coefficients: Any) -> Any:
        """sum_i coefficients[..., i] * row_i: a matrix product over the active elements."""
        c = np.asarray(coefficients)
        if self.active is not None:
            c = c[..., self.active]
        return c @ self.rows

    def weighted_into(self, coefficients: Any, spots: Spots, out: Any) -> None:
        """``spots.put(out, self.weighted(coefficients))`` for a matrix of coefficients, with
        each run of stored columns one matrix product written straight into its block of out:
        no product matrix beside the output's (on the course's GPT the MLP's first layer held
        both, 0.8 MB of the peak). The same sums of the same products, but BLAS blocks a
        narrower product differently, so they may round differently: within a few eps of
        sum |c| * max |row| (many ulps of an entry whose terms cancel)."""
        if spots.runs is None:
            spots.put(out, self.weighted(coefficients))
            return
        c = np.asarray(coefficients)
        if self.active is not None:
            c = c[..., self.active]
        for a, b, at in spots.runs:
            np.matmul(c, self.rows[:, a:b], out=out[:, at : at + b - a])


def _stack(xs: Sequence[Any], tag: int, width: int) -> Stacked | None:
    """The elements' values and tangent rows (see :class:`Stacked`), or None if this is not a
    bulk case (a scalar tangent, nesting, another pass's Dual)."""
    try:  # the common cases, all Duals of this pass with dense tangents or one shared layout
        tangents = [v.tangent for v in xs]
        kinds = set(map(type, tangents))
        if len(kinds) == 1 and {v.tag for v in xs} == {tag}:
            values = [v.value for v in xs]
            if set(map(type, values)) == {float}:
                if np.ndarray in kinds:
                    return Stacked(values, np.array(tangents), None, None)
                if Packed in kinds:
                    cols = tangents[0].cols
                    if all(t.cols is cols for t in tangents):
                        return Stacked(values, np.array([t.values for t in tangents]), cols, None)
    except AttributeError:  # a plain number among them
        pass
    parts = _parts(xs, tag)
    if parts is None:
        return None
    values, tangents = parts
    active = [i for i, t in enumerate(tangents) if t is not None]
    if not active:
        return Stacked(values, np.zeros((0, 0)), _NO_COLS, [])
    cols, rows = _rows([tangents[i] for i in active], width)
    return Stacked(values, rows, cols, None if len(active) == len(tangents) else active)


_NO_COLS = np.zeros(0, dtype=np.intp)  # the layout of no entries (a stack of zero tangents)


def _outputs(values: list[Any], yt: Any, cols: Any, width: int, tag: int) -> list[Any]:
    if cols is None:
        return [Dual.from_parts(values[j], yt[j], tag) for j in range(len(values))]
    return [Dual.from_parts(values[j], Packed(cols, yt[j], width), tag) for j in range(len(values))]


def _finite(values: list[Any]) -> bool:
    """Whether every output value is finite: if one is not, an input or weight was infinite or
    nan, and a matrix product would turn its zero tangents into nan (0 * inf). Then the
    products are left to the number types, which keep such zeros exact. One sum per product:
    the check costs nothing beside the product itself."""
    total = sum(values)
    return total - total == 0


def matvec(w: Sequence[Sequence[Any]], x: Sequence[Any]) -> list[Any] | None:
    """``[sum(w_j * x) for each row w_j]`` for Duals with vector tangents, or None."""
    first = next((v for v in x if _width(v)), None)
    if first is None:  # plain inputs: seeded weights may still carry tangents
        first = w[0][0] if len(w) and len(w[0]) and _width(w[0][0]) else None
        if first is None:
            return None
    width, tag = _width(first), first.tag
    seeded = _seeded_weights(w, tag, width)
    if seeded is not None:  # chunk mode's common case: every weight is a seed of this pass
        stacked = _stack(x, tag, width)
        if stacked is None:
            return None
        xv, xcols = stacked.values, stacked.cols
        values = [sum(map(mul, row, xv)) for row in seeded.values]  # the scalar code's order
        if not _finite(values):
            return None
        m = len(seeded.values)
        wv = seeded.wv
        cols = None
        # the product is on x's layout (as narrow as what x depends on), placed in the output's
        if xcols is None:
            yt = stacked.weighted(wv)
        else:
            seeds = _seed_layout(seeded, width)
            cols, where = (None, []) if seeds is None else merge((xcols, seeds), width)
            if cols is not None and where[0] is None:
                yt = stacked.weighted(wv)
            else:  # the output's layout is wider (or dense from here: too wide to pack)
                yt = np.zeros((m, width if cols is None else len(cols)))
                stacked.weighted_into(wv, spots_in_full(xcols) if cols is None else where[0], yt)
        flat = _flat_positions(seeded, cols, width if cols is None else len(cols))
        coef = np.tile(xv, m)
        if seeded.unique:
            yt.reshape(-1)[flat] += coef
        else:  # one parameter at several places of w: repeated positions must add up
            np.add.at(yt.reshape(-1), flat, coef)
        return _outputs(values, yt, cols, width, tag)
    constant = _float_weights(w)
    if constant is not None:  # weights not seeded in this pass (another chunk's)
        stacked = _stack(x, tag, width)
        if stacked is None:
            return None
        values = [sum(map(mul, row, stacked.values)) for row in w]  # the scalar code's order
        if not _finite(values):
            return None
        return _outputs(values, stacked.weighted(constant), stacked.cols, width, tag)
    m, n = len(w), len(x)
    weights = _stack([e for row in w for e in row], tag, width)
    stacked = _stack(x, tag, width)
    if weights is None or stacked is None:
        return None
    flat = weights.values
    wv = np.array(flat, dtype=float).reshape(m, n)
    xv = stacked.values
    values = [sum(map(mul, flat[j * n : (j + 1) * n], xv)) for j in range(m)]  # scalar order
    if not _finite(values):
        return None
    # sum_i w_ji dx_i + x_i dw_ji: one product, and xv @ (m, n, width) batched over rows j,
    # each on its operand's own layout, then added on their union
    wt = weights.full_rows().reshape(m, n, -1)
    yt, cols = _added(
        stacked.weighted(wv), stacked.cols, np.matmul(np.asarray(xv), wt), weights.cols, width
    )
    return _outputs(values, yt, cols, width, tag)


def _added(a: Any, acols: Any, b: Any, bcols: Any, width: int) -> tuple[Any, Any]:
    """a + b for arrays whose last axes are stored on layouts acols and bcols (None: dense):
    (the sum, its layout)."""
    if acols is bcols:
        return a + b, acols
    cols = None
    if acols is not None and bcols is not None:
        cols, where = merge((acols, bcols), width)
    if cols is None:  # dense: a packed array's entries go to their own columns
        where = [None if c is None else spots_in_full(c) for c in (acols, bcols)]
    if where[1] is None:  # b is on the union already (a fresh product: ours to add into)
        where[0].add(b, a)
        return b, cols
    if where[0] is None:
        where[1].add(a, b)
        return a, cols
    out = np.zeros((*a.shape[:-1], width if cols is None else len(cols)))
    where[0].add(out, a)
    where[1].add(out, b)
    return out, cols


class _Seeded:
    """What a product needs of a matrix of seeds: its values (rows, and as an array), each
    entry's seed index, whether those are distinct, and - made on first use - the layout of
    its seeds and where each seed lands in an output of a given layout."""

    __slots__ = ("entries", "flat", "hot", "layout", "unique", "values", "wv")

    def __init__(self, entries: list[Any], values: list[list[Any]], hot: Any) -> None:
        self.entries = entries  # the Duals themselves: a cache hit must find the very same
        self.values = values
        self.wv = np.asarray(values)
        self.hot = hot
        self.unique = np.bincount(hot.reshape(-1)).max() <= 1
        self.layout: Any = _UNSET
        self.flat: dict[int, tuple[Any, Any]] = {}


_UNSET = object()


def _seeded_weights(w: Sequence[Sequence[Any]], tag: int, width: int) -> _Seeded | None:
    """The matrix as seeds (see :class:`_Seeded`) if every entry of w is a Dual seeded
    (one-hot) in this pass, else None. Remembered for the pass, keyed by the matrix object and
    checked entry by entry, so a matrix changed in place is read again."""
    first = w[0][0] if len(w) and len(w[0]) else None
    if type(first) is not Dual or type(first.tangent) is not Sparse or first.tangent.hot < 0:
        return None  # computed weights (attention's keys and values): not worth a full look
    entries = list(chain.from_iterable(w))
    context = current()
    cache = None if context is None else context.weights
    key = (id(w), tag)
    if cache is not None:
        hit = cache.get(key)
        if (
            hit is not None
            and len(hit.entries) == len(entries)
            and all(map(is_, hit.entries, entries))
        ):
            return hit
    try:
        hot = [e.tangent.hot for e in entries]
    except AttributeError:  # a float weight, or a tangent that is not a Sparse seed
        return None
    if min(hot) < 0 or {e.tag for e in entries} != {tag}:
        return None
    values = [[e.value for e in row] for row in w]
    if any(type(v) not in _PLAIN for row in values for v in row):
        return None
    seeded = _Seeded(entries, values, np.asarray(hot).reshape(len(w), -1))
    if cache is not None:
        cache[key] = seeded  # its entries hold w's Duals, so their ids stay unique
    return seeded


def _float_weights(w: Sequence[Sequence[Any]]) -> Any:
    """w as a float matrix if every entry is a float (another chunk's weights), else None."""
    if not len(w) or not len(w[0]) or type(w[0][0]) is not float:
        return None
    if any(set(map(type, row)) != {float} for row in w):
        return None
    return np.array(w)


def _seed_layout(seeded: _Seeded, width: int) -> Any:
    """The layout of the matrix's seeds (:func:`dualgrad.vector.columns.layout_of`; one array per
    matrix, so unions cache), or None if too wide."""
    if seeded.layout is _UNSET:
        seeded.layout = layout_of(seeded.hot.reshape(-1), width)
    return seeded.layout


def _flat_positions(seeded: _Seeded, cols: Any, row_width: int) -> Any:
    """Where each weight's seed lands in the flattened m x row_width output (positions in
    `cols` if packed, else the seed index itself)."""
    hit = seeded.flat.get(id(cols))
    if hit is not None and hit[0] is cols:
        return hit[1]
    hot = seeded.hot
    where = hot if cols is None else np.searchsorted(cols, hot)
    flat = (np.arange(hot.shape[0])[:, None] * row_width + where).reshape(-1)
    seeded.flat[id(cols)] = (cols, flat)
    return flat


def sumprod(p: Sequence[Any], q: Sequence[Any]) -> Any:
    """``sum(p_i * q_i)`` for Duals with vector tangents, or None."""
    first = next((v for v in (*p, *q) if _width(v)), None)
    if first is None or len(p) != len(q):
        return None
    width, tag = _width(first), first.tag
    a = _stack(p, tag, width)
    if a is None:
        return None
    b = a if q is p else _stack(q, tag, width)
    if b is None:
        return None
    value = sum(map(mul, a.values, b.values))
    if not _finite([value]):
        return None
    tangent, cols = _added(a.weighted(b.values), a.cols, b.weighted(a.values), b.cols, width)
    return Dual.from_parts(value, tangent if cols is None else Packed(cols, tangent, width), tag)
