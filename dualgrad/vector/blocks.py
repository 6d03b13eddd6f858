"""The parameter blocks of a pass, and the layouts made of them.

A pass that knows its parameter blocks (one per weight matrix, say) makes every packed
tangent's layout (:mod:`dualgrad.vector.columns`) a union of whole blocks, rounded up to a prefix
of the blocks in the order the pass first uses them: so a pass has one layout per block, and
every union of two layouts is the wider one. :func:`layouts` runs a pass with its blocks, on
a :class:`~dualgrad.vector.context.PassContext` that holds them and the pass's caches.

>>> import numpy as np
>>> from dualgrad.vector.columns import layout_of
>>> with layouts([0, 10, 20, 30], 40):
...     layout_of(np.array([25]), 40).tolist() == list(range(20, 30))
True
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from dualgrad.vector.context import PassContext, entered
from dualgrad.vector.packed import Packed
from dualgrad.vector.settings import SETTINGS
from dualgrad.vector.sparse import Sparse

__all__ = ["BlockLayouts", "layouts"]


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
            context.blocks = BlockLayouts(np.asarray(starts), [*starts[1:], size], size)
    with entered(context):
        yield context


class BlockLayouts:
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
        self.prefixes.append(cols if len(cols) <= SETTINGS.dense_fraction * self.size else None)

    def pack_sum(self, a: Sparse, b: Sparse) -> Packed | None:
        """a + b on this pass's block layout, for a sum of a few seeds (Sparse's sum asks the
        pass for it); None where the widths differ or the layout is too wide (Sparse then adds
        itself, as growing sums of many entries do best)."""
        if self.size != a.size:
            return None
        indices = np.concatenate((a.indices, b.indices))
        cols = self.layout(indices)
        if cols is None:
            return None
        values = np.zeros(len(cols))
        np.add.at(values, cols.searchsorted(indices), np.concatenate((a.values, b.values)))
        return Packed(cols, values, a.size)
