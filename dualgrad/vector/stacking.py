"""Tangents stacked as the rows of one matrix, on the union of their layouts.

The bulk products (:mod:`dualgrad.vector.bulk`) multiply many tangents at once: they stack
them as the rows of a matrix stored on the union of their layouts
(:mod:`dualgrad.vector.columns`), as narrow as what the values depend on.

>>> import numpy as np
>>> from dualgrad.vector.packed import Packed
>>> from dualgrad.vector.sparse import Sparse
>>> cols, rows = packed_rows([Sparse.one_hot(1, 8), Packed(np.array([2]), np.array([5.0]), 8)], 8)
>>> cols.tolist(), rows.tolist()
([1, 2], [[1.0, 0.0], [0.0, 5.0]])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dualgrad.vector.columns import layout_of, merge
from dualgrad.vector.packed import Packed
from dualgrad.vector.sparse import Sparse

__all__ = ["as_packed", "packed_rows"]


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
        row = t if type(t) is Packed else as_packed(t)
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


def as_packed(s: Sparse) -> Packed | None:
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
