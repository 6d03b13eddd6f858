"""The seeds of a chunk, and the conditions a chunked pass runs under.

A chunk seeds k parameters at once, each with a k-wide tangent: a row of the identity. Narrow
chunks get dense rows; wide ones (k >= :data:`SPARSE_FROM`) get sparse one-hots
(:class:`~dualgrad.vector.sparse.Sparse`), since dense rows would cost k floats each - k*k for
the chunk - while most early operations touch only a few of them.

>>> [s.tolist() for s in seeds(2)]
[[1.0, 0.0], [0.0, 1.0]]
>>> seeds(100)[3].tolist()[:5]
[0.0, 0.0, 0.0, 1.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

import numpy as np

from dualgrad.drivers.memory import keep_freed_heap
from dualgrad.vector._blas import single_threaded_blas
from dualgrad.vector.blocks import layouts
from dualgrad.vector.context import PassContext
from dualgrad.vector.sparse import Sparse

__all__ = ["SPARSE_FROM", "chunked_pass", "seeds"]

SPARSE_FROM = 64  # chunks this wide or wider are seeded with sparse one-hots


@lru_cache(maxsize=8)  # a few widths are in use at a time; tangents are never changed in place
def seeds(k: int) -> tuple[object, ...]:
    """The k tangents that seed a chunk of k parameters (shared: never modify them)."""
    if k < SPARSE_FROM:
        rows = np.eye(k)
        rows.flags.writeable = False
        return tuple(rows)
    return tuple(Sparse.one_hot(j, k) for j in range(k))


@contextmanager
def chunked_pass(width: int, blocks: Sequence[int] | None = None) -> Iterator[PassContext]:
    """What one pass with `width`-wide tangents runs under: its own :class:`PassContext`
    (tangent layouts made of the parameter `blocks`, the first column of each, and the caches
    of the bulk products), BLAS on one thread (:mod:`dualgrad.vector._blas`), and glibc keeping
    freed heap for the next pass's tangent matrices
    (:func:`dualgrad.drivers.memory.keep_freed_heap`).
    """
    keep_freed_heap()
    with single_threaded_blas(), layouts(blocks, width) as context:
        yield context
