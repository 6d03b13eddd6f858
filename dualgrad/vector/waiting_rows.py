"""Sums that wait: a packed tangent held as a list of rows, summed when first read.

A scalar sum of products, ``sum(wi * xi for ...)``, made one operation at a time costs a few
array operations per term. A :class:`~dualgrad.vector.packed.Packed` tangent may instead keep
the terms as rows (see :data:`Row`) and sum them on first reading, with :func:`materialise`:
one stacked sum instead of a loop - the numbers the operations would have given one by one,
bit for bit (tests/vector/test_waiting_rows.py checks it).

A row ``(src_cols, src_values, coef, pos, v)`` stands for ``src_values * coef`` (or the values
themselves, coef None) placed from ``src_cols`` onto the owner's cols, plus ``v`` at ``pos`` (if
pos >= 0). A waiting Packed is the sum of its first n rows, added one after another.

>>> import numpy as np
>>> cols = np.array([1, 3])
>>> rows = [(cols, np.array([1.0, 2.0]), 3.0, -1, 0.0), (cols, np.array([1.0, 1.0]), None, 0, 5.0)]
>>> materialise(cols, rows, 2, 6).tolist()
[9.0, 7.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dualgrad.vector.columns import Spots, merge
from dualgrad.vector.settings import SETTINGS

__all__ = ["NUMPY_ADDS_ROWS_IN_ORDER", "Row", "materialise"]

Row = tuple[Any, Any, Any, int, Any]
"""A waiting row: (src_cols, src_values, coef, pos, v), see the module's docstring."""


def materialise(cols: Any, rows: list[Row], n: int, size: int) -> Any:
    """The sum of the first n rows on cols, added in order: the numbers of the operations
    one by one (placing a row, adding its entry, adding the rows left to right)."""
    if n <= 2 or len(cols) < 2 or not (SETTINGS.stacked_sums and NUMPY_ADDS_ROWS_IN_ORDER):
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


def _adds_rows_in_order() -> bool:
    """Whether :func:`_reduce` adds the rows one after another (numpy's outer loop over a
    C-ordered matrix), as a scalar sum does, not pairwise."""
    rows = np.array([[1.0, -0.0], [1e100, -0.0], [-1e100, -0.0]] + [[1.0, -0.0]] * 13)
    out = _reduce(rows)
    return out.tolist() == [13.0, 0.0] and bool(np.signbit(out[1]))


NUMPY_ADDS_ROWS_IN_ORDER = _adds_rows_in_order()
"""What numpy does (checked once, on import): where False, rows are summed in a loop."""
