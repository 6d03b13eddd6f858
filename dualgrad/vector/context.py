"""The state of one chunked pass, in one object instead of module globals.

A pass with vector tangents keeps a few things for its own duration: the parameter blocks its
tangent layouts are made of (:mod:`dualgrad.vector.blocks`), the unions of layouts already
computed, and what the bulk products have read of each weight matrix
(:mod:`dualgrad.vector.bulk`). They live on a :class:`PassContext`, made when the pass starts
and current in its thread until it ends; passes in other threads, and a pass nested inside
another (a chunked gradient inside a chunked gradient), each see their own.

>>> with entered(PassContext(width=4)) as ctx:
...     current() is ctx
True
>>> current() is None
True
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["PassContext", "current", "entered"]


class PassContext:
    """What one chunked pass remembers: its tangent `width`, its parameter `blocks` (a
    :class:`~dualgrad.vector.blocks.BlockLayouts`, or None: layouts are then exactly the
    columns used), the `unions` of layouts met so far, and the bulk products' reading of each
    weight matrix (`weights`)."""

    __slots__ = ("blocks", "unions", "weights", "width")

    def __init__(self, width: int, blocks: Any = None) -> None:
        self.width = width
        self.blocks = blocks
        self.unions: dict[Any, Any] = {}
        self.weights: dict[Any, Any] = {}


_local = threading.local()


def current() -> PassContext | None:
    """The pass running in this thread, or None outside chunked passes."""
    return getattr(_local, "context", None)


@contextmanager
def entered(context: PassContext) -> Iterator[PassContext]:
    """Make `context` current for the block (the enclosing one is current again after)."""
    previous = current()
    _local.context = context
    try:
        yield context
    finally:
        _local.context = previous
