"""Spreading a driver's independent passes over an executor.

The passes of ``grad`` and ``jacobian`` are independent: the chosen parameters are split into
contiguous ranges of whole chunks, one task each, run on any ``concurrent.futures.Executor``
(a ``ProcessPoolExecutor``, a ``ThreadPoolExecutor``, a Dask ``Client.get_executor()``), and
the results are put back in order - identical, bit for bit, to the serial ones.

>>> ranges(10, 4, 2)
[(0, 8), (8, 10)]
"""

from __future__ import annotations

import itertools
import os
import typing
from collections.abc import Callable
from typing import Any

from dualgrad.numbers.base import describe

__all__ = ["check_executor", "ranges", "run_ranges"]


def check_executor(executor: Any, tasks: Any, what: str) -> None:
    """A clear error for an `executor` without ``submit`` or a `tasks` that is no positive
    int, before any pass runs."""
    if executor is not None and not callable(getattr(executor, "submit", None)):
        raise TypeError(
            f"{what}: executor must be a concurrent.futures.Executor (something with "
            f".submit), got {executor!r}"
        )
    if tasks is not None and (type(tasks) is not int or tasks < 1):
        raise ValueError(f"{what}: tasks must be a positive int or None, got {tasks!r}")


def worker_count(executor: Any) -> int:
    """How many tasks an executor runs at once (a guess where it does not say)."""
    count = getattr(executor, "_max_workers", None)
    if count is None and hasattr(executor, "_client"):  # dask.distributed's ClientExecutor
        try:
            count = sum(executor._client.nthreads().values())
        except Exception:  # a cluster that cannot answer now: fall back to this machine
            count = None
    return int(count or os.cpu_count() or 1)


def ranges(n: int, width: int, tasks: int) -> list[tuple[int, int]]:
    """Split 0..n into `tasks` contiguous ranges of whole chunks, sizes differing by <= 1 chunk."""
    chunks = -(-n // width)
    tasks = max(1, min(tasks, chunks))
    bounds = [round(i * chunks / tasks) * width for i in range(tasks + 1)]
    return [(lo, min(hi, n)) for lo, hi in itertools.pairwise(bounds) if lo < n]


def run_ranges(
    executor: Any,
    tasks: int | None,
    fn: Callable[..., Any],
    chosen: list[int],
    width: int,
    head: tuple[Any, ...],
    tail: tuple[Any, ...],
) -> list[Any]:
    """``fn(*head, chosen[lo:hi], width, *tail)`` for each range, in order."""
    if executor is None:
        return [fn(*head, chosen, width, *tail)]
    # ~4 tasks per worker: big enough that pickling the parameters and the function is paid
    # rarely, small enough that a slow worker is not left with the last quarter of the work
    count = tasks if tasks is not None else 4 * worker_count(executor)
    futures = [
        executor.submit(fn, *head, chosen[lo:hi], width, *tail)
        for lo, hi in ranges(len(chosen), width, count)
    ]
    for fut in futures:
        if not callable(getattr(fut, "result", None)):
            raise _malformed(
                executor,
                f".submit returned {_described_typed(fut)}, not a future (an object with "
                ".result(), as concurrent.futures.Executor.submit returns)",
            )
    try:
        results = [fut.result() for fut in futures]
    except BaseException:
        for fut in futures:
            if callable(getattr(fut, "cancel", None)):
                fut.cancel()
        raise
    kind = _returns(fn)
    for r in results:
        if kind is not None and not isinstance(r, kind):
            raise _malformed(
                executor,
                f"'s future gave {_described_typed(r)}, not the {kind.__name__} that {fn.__name__} "
                "returned: its result() must return it as is",
            )
    return results


def _returns(fn: Callable[..., Any]) -> type | None:
    """The class `fn` is annotated to return, if it is one."""
    try:
        kind = typing.get_type_hints(fn).get("return")
    except Exception:  # annotations that do not resolve: no check
        return None
    return kind if isinstance(kind, type) else None


def _described_typed(x: Any) -> str:
    return f"{describe(x)} (type {type(x).__name__})"


def _malformed(executor: Any, what: str) -> TypeError:
    return TypeError(f"the executor {_described_typed(executor)}{what}")
