"""The switches of the vector layer, on one object: what tests and benchmarks may change.

Packed tangents (:mod:`dualgrad.vector.packed`) and reverse mode's vector nodes
(:mod:`dualgrad.vector.nodes`) read a few choices that are speed choices only: each setting
gives the same numbers (bit for bit; the deferred leaf gradients to rounding), and the tests
compare them. They live on the one :data:`SETTINGS` object, read at each use;
:meth:`VectorSettings.changed` sets some for a block and restores them after, so no module
global is ever flipped.

>>> SETTINGS.sums_wait
True
>>> with SETTINGS.changed(sums_wait=False):
...     SETTINGS.sums_wait
False
>>> SETTINGS.sums_wait
True
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["SETTINGS", "VectorSettings"]


class VectorSettings:
    """The vector layer's switches.

    - `sums_wait`: a scaled Packed tangent, and a sum of them on one layout, waits as a list of
      rows until read (False: every operation sums at once, the reference the tests compare with);
    - `rows_kept`: a waiting sum longer than this is summed so far, and goes on from there
      (bounded memory);
    - `stacked_sums`: waiting rows of one layout are summed as one stacked matrix where numpy
      adds a matrix's rows in order (False: one row after another, in a loop);
    - `dense_fraction`: a layout covering more than this fraction of the columns is stored
      densely (0.0: every tangent dense).

    And of reverse mode's vector nodes (:mod:`dualgrad.vector.nodes`):

    - `leaf_matrices`: a matrix of leaf Values is read once per recording, and its gradient
      deferred to the end of the backward walk (False: read at every product, its gradient
      added at once);
    - `numpy_sums_in_order`: a leaf matrix of floats sums its rows' products in numpy, one
      after another, where Python's ``sum`` does so too (before Python 3.12; from 3.12 on
      ``sum`` compensates its rounding, and the products go through ``sum`` itself).
    """

    __slots__ = (
        "dense_fraction",
        "leaf_matrices",
        "numpy_sums_in_order",
        "rows_kept",
        "stacked_sums",
        "sums_wait",
    )

    def __init__(self) -> None:
        self.sums_wait = True
        self.rows_kept = 64
        self.stacked_sums = True
        self.dense_fraction = 0.7
        self.leaf_matrices = True
        self.numpy_sums_in_order = sys.version_info < (3, 12)

    @contextmanager
    def changed(self, **values: Any) -> Iterator[VectorSettings]:
        """These settings for the block (by name), the ones before restored after it."""
        unknown = set(values) - set(self.__slots__)
        if unknown:
            raise TypeError(f"no vector setting named {', '.join(sorted(unknown))}")
        before = {name: getattr(self, name) for name in values}
        for name, value in values.items():
            setattr(self, name, value)
        try:
            yield self
        finally:
            for name, value in before.items():
                setattr(self, name, value)


SETTINGS = VectorSettings()
"""The settings every vector operation reads (change them with :meth:`VectorSettings.changed`)."""
