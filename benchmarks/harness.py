"""Side-by-side timing for benchmarks: interleaved repeats, medians and spreads.

Benchmarks compare methods measured in the same run, round-robin, so a slow moment of the
machine hits every method alike; they report the median and the spread, never one lucky run.
A benchmark script has the examples' shape: its ``main`` is a :class:`Script`
(``--quick``, ``--replot``, ``--out``, the data saved as JSON beside the PNG), re-exported here
from :mod:`dualgrad.learn.script`; :func:`machine` records where it ran. What it measured is
drawn with the shared helpers of :mod:`plotting`.

>>> samples = measure({"a": lambda: sum(range(100)), "b": lambda: sum(range(200))}, repeats=3)
>>> sorted(samples), len(samples["a"])
(['a', 'b'], 3)
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dualgrad.learn.script import Script

__all__ = ["Script", "Summary", "machine", "measure", "ratio", "summarize"]


def measure(
    cases: dict[str, Callable[[], Any]], repeats: int = 7, number: int = 1
) -> dict[str, list[float]]:
    """Seconds per call of each case, `repeats` samples each, interleaved round by round.

    Each round runs every case `number` times, rotating the starting case so no case always
    runs first; a garbage collection precedes each sample so no case pays for another's garbage.
    """
    names = list(cases)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(repeats):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            fn = cases[name]
            gc.collect()
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number)
    return samples


@dataclass(frozen=True)
class Summary:
    """Median and spread (min, max) of a list of samples."""

    median: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.median:.4g} [{self.low:.4g}-{self.high:.4g}]"


def summarize(samples: list[float]) -> Summary:
    """Median, min and max."""
    return Summary(statistics.median(samples), min(samples), max(samples))


def ratio(numerator: list[float], denominator: list[float]) -> Summary:
    """Per-round ratios numerator/denominator (samples taken in the same rounds), summarized."""
    return summarize([n / d for n, d in zip(numerator, denominator, strict=True)])


def machine() -> dict[str, Any]:
    """Where a benchmark ran: Python, CPU architecture and count, the 1-minute load average."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average": load,
    }
