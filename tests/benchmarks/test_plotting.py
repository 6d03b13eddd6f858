"""The benchmarks' shared drawing: a bare Figure draws what pyplot drew, pixel for pixel."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

# the benchmarks' shared modules import by name, as when a benchmark runs (no conftest here:
# the doctests of tests/conftest.py would meet a second module of that name)
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from plotting import spread, subplots, summary_spread

pytest.importorskip("matplotlib")


def _pixels(fig) -> bytes:
    from matplotlib.image import imread

    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png", dpi=50)
    buf.seek(0)
    return imread(buf).tobytes()


def _draw(axes) -> None:
    a, b = axes
    a.errorbar([1, 2, 3], [2.0, 3.0, 5.0], yerr=spread([2.0, 3.0, 5.0], [[1, 2], [3, 4], [5, 6]]))
    a.set_yscale("log")
    b.barh([0, 1], [1.0, 2.0], xerr=summary_spread([{"median": 1, "low": 0.5, "high": 2}] * 2))
    b.set_title("a title")


def test_a_bare_figure_draws_what_pyplot_drew() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    old, old_axes = plt.subplots(1, 2, figsize=(6, 3), width_ratios=[1, 2])
    new, new_axes = subplots(1, 2, figsize=(6, 3), width_ratios=[1, 2])
    _draw(old_axes)
    _draw(new_axes)
    try:
        assert _pixels(new) == _pixels(old)
    finally:
        plt.close(old)


def test_spread_bars_reach_the_extreme_samples() -> None:
    low, high = spread([2.0], [[1.5, 2.0, 3.0]])
    assert (2.0 - low[0], 2.0 + high[0]) == (1.5, 3.0)
    with pytest.raises(ValueError, match="shorter"):  # a median without its samples
        spread([1.0, 2.0], [[1.0]])
