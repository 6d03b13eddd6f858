"""How passes treat memory: the cyclic garbage collector paused, freed heap kept for reuse.

Both are about objects a pass makes by the thousand and drops at its end.

* Graphs of Values and chains of Duals hold no reference cycles (a number points only to its
  inputs or to its value and tangent), so reference counting frees them and CPython's cyclic
  collector only costs time: while a pass runs it repeatedly traverses every live number.
  :func:`paused_gc` switches it off for a block.
* Chunk mode's tangent matrices are large (a 64 x 4,192 stack is 2 MB). glibc gives freed
  memory at the top of its heap back to the kernel, so the next pass page-faults the same
  memory in again: measured on microgpt's GPT at 4,192 tangents, about 900 faults and 3 ms of
  kernel time per pass, 5,000 faults and 18 ms in the first passes. :func:`keep_freed_heap`
  asks glibc (once per process, on the first chunked pass) to keep 64 MB of freed heap
  instead. Elsewhere - another C library, ``DUALGRAD_KEEP_HEAP=0``, or a ``MALLOC_TOP_PAD_``
  of your own - it does nothing.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["keep_freed_heap", "paused_gc"]


class _CollectorPauses:
    """The blocks inside :func:`paused_gc`, counted process-wide under a lock: the collector is
    one switch for the whole process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0  # blocks inside paused_gc, in every thread
        self.resume = False  # whether the collector was on when the first of them began

    def begin(self) -> None:
        with self.lock:
            if self.depth == 0:
                self.resume = gc.isenabled()
                gc.disable()
            self.depth += 1

    def end(self) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0 and self.resume:
                gc.enable()


_PAUSES = _CollectorPauses()


@contextmanager
def paused_gc() -> Iterator[None]:
    """Switch CPython's cyclic garbage collector off inside the block, then back to how it was.

    The collector is one switch for the whole process, so the pause is counted process-wide
    under a lock: the first block to begin records the state and switches it off, the last to
    end puts it back. (Reading the state and switching it in two steps per block would let two
    threads' blocks interleave and leave the collector off for good.) Nested use is fine; an
    exception still restores the state.

    >>> import gc
    >>> with paused_gc():
    ...     gc.isenabled()
    False
    """
    _PAUSES.begin()
    try:
        yield
    finally:
        _PAUSES.end()


_M_TOP_PAD = -2  # glibc's mallopt parameter: bytes of free heap kept when trimming
HEAP_PAD = 64 << 20


@functools.cache  # a process-wide setting, made once
def keep_freed_heap() -> bool:
    """Ask glibc to keep `HEAP_PAD` bytes of freed heap (``mallopt(M_TOP_PAD)``); True if it
    was set, now or by an earlier call."""
    wanted = os.environ.get("DUALGRAD_KEEP_HEAP", "1") != "0"
    if wanted and sys.platform.startswith("linux") and "MALLOC_TOP_PAD_" not in os.environ:
        try:
            import ctypes

            libc = ctypes.CDLL(None)
            return bool(libc.mallopt(_M_TOP_PAD, HEAP_PAD))
        except (OSError, AttributeError):  # not glibc (musl has no mallopt)
            pass
    return False
