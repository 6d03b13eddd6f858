"""Keep BLAS single-threaded while vector tangents are combined.

The bulk products of chunk mode (:mod:`dualgrad.vector.bulk`) are small (k x 64 at most) and
numerous. A multi-threaded BLAS spends more on waking and syncing its threads than on the
product, and when another process keeps the cores busy its spinning threads collapse: on this
2-core machine a 64 x 16 @ 16 x 4192 product took 0.4 ms on one thread and 24 ms on two under
load. So the drivers run chunked passes with BLAS limited to one thread, restoring it after.
This needs threadpoolctl (in the ``fast`` extra, with numpy); without it nothing is changed.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@functools.cache  # the libraries loaded by numpy, found once
def _blas_libraries() -> list[Any]:
    try:
        import numpy  # noqa: F401 - load numpy's BLAS so threadpoolctl can see it
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return []
    controllers: list[Any] = ThreadpoolController().select(user_api="blas").lib_controllers
    return controllers


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Run the block with every BLAS library loaded by numpy on one thread."""
    libs = _blas_libraries()
    saved = [(lib, lib.num_threads) for lib in libs]
    for lib, n in saved:
        if n != 1:
            lib.set_num_threads(1)
    try:
        yield
    finally:
        for lib, n in saved:
            if n != 1:
                lib.set_num_threads(n)
