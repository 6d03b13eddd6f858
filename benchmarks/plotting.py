"""Drawing for benchmarks: figures without pyplot, spread bars, the machine line.

Every benchmark draws its panels on the figure :func:`subplots` makes, a
``matplotlib.figure.Figure`` (no backend, no window, nothing left open once it is saved), and
shows what :mod:`harness` measured the same way: the median with a bar from the smallest to the
largest sample (:func:`spread`, :func:`summary_spread`).

>>> spread([2.0, 5.0], [[1.0, 2.0, 4.0], [5.0, 5.0, 9.0]])
[[1.0, 0.0], [2.0, 4.0]]
>>> machine_line({"python": "3.12.1", "machine": "x86_64", "cpu_count": 2})
'Python 3.12.1, x86_64, 2 CPUs'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["machine_line", "seconds", "spread", "subplots", "summary_spread"]


def subplots(rows: int = 1, cols: int = 1, *, figsize: tuple[float, float], **grid: Any) -> Any:
    """(figure, axes) as ``pyplot.subplots`` gives them, on a bare Figure: `grid` goes to
    ``Figure.subplots`` (``width_ratios``, ``sharey``, ``squeeze``...)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    return fig, fig.subplots(rows, cols, **grid)


def spread(medians: Sequence[float], samples: Sequence[Sequence[float]]) -> list[list[float]]:
    """Error bars from each median down to its smallest sample and up to its largest."""
    low = [m - min(s) for m, s in zip(medians, samples, strict=True)]
    high = [max(s) - m for m, s in zip(medians, samples, strict=True)]
    return [low, high]


def summary_spread(summaries: Sequence[dict[str, float]]) -> list[list[float]]:
    """The same bars from saved summaries (``median``, ``low``, ``high``: harness.Summary's)."""
    low = [s["median"] - s["low"] for s in summaries]
    high = [s["high"] - s["median"] for s in summaries]
    return [low, high]


def seconds(x: float) -> str:
    """A time to read at a glance: seconds from 0.1 s up, milliseconds below.

    >>> seconds(2.5), seconds(0.0123)
    ('2.5 s', '12.3 ms')
    """
    return f"{x:.3g} s" if x >= 0.1 else f"{x * 1e3:.3g} ms"


def machine_line(data: dict[str, Any]) -> str:
    """Where a run was measured, from the fields :func:`harness.machine` saved."""
    return f"Python {data['python']}, {data['machine']}, {data['cpu_count']} CPUs"
