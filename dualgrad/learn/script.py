"""The shape every example and benchmark script shares: compute once, save the data, report, plot.

A script defines ``compute(args) -> dict`` (JSON-able data), ``report(data)`` (prints) and
``plot(data) -> Figure`` (a matplotlib figure, which the script draws itself), and gets its
``main(argv=None) -> int`` from one call::

    main = Script(__file__, __doc__, compute, report, plot)

which gives it ``--quick`` (a fast smoke run), ``--replot`` (redraw from the saved data alone)
and ``--out`` (default: ``plots/`` beside the script's folder; with ``--quick``, the scratch
folder ``plots/quick/``, so a quick run never overwrites the committed pictures). The data goes
to ``OUT/NAME.json`` and the figure to ``OUT/NAME.png``, NAME being the script's file name; a
figure without a layout engine of its own is laid out with ``tight_layout`` before it is saved.
This module imports no matplotlib: the scripts do, making their figures with
``matplotlib.figure.Figure``, which needs no backend and no window, and which no pyplot
registry keeps alive once saved.

>>> default_out("/repo/examples/hill.py", quick=True).as_posix()
'/repo/plots/quick'
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Script", "default_out"]

Data = dict[str, Any]


def default_out(script: str | Path, quick: bool) -> Path:
    """``plots/`` next to the script's folder, or ``plots/quick/`` for a quick run."""
    plots = Path(script).resolve().parent.parent / "plots"
    return plots / "quick" if quick else plots


@dataclass(frozen=True)
class Script:
    """A script's parts; calling it is the script's ``main(argv=None) -> int``.

    It parses `argv`, computes (or with ``--replot`` reloads) the data, saves it, reports it
    and draws it, and returns 0. `options` adds the script's own arguments to the parser;
    `compute` receives the parsed arguments, ``args.out`` resolved and created (for any
    extra files).
    """

    file: str
    doc: str | None
    compute: Callable[[argparse.Namespace], Data]
    report: Callable[[Data], None]
    plot: Callable[[Data], Any]
    options: Callable[[argparse.ArgumentParser], None] | None = None

    def __call__(self, argv: list[str] | None = None) -> int:
        return _run(self, argv)


def _run(s: Script, argv: list[str] | None) -> int:
    name = Path(s.file).stem
    parser = argparse.ArgumentParser(
        description=(s.doc or name).splitlines()[0],
        epilog=s.doc,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="a fast smoke run")
    parser.add_argument("--replot", action="store_true", help="redraw from the saved data alone")
    parser.add_argument(
        "--out", type=Path, help="output folder (default plots/, with --quick plots/quick/)"
    )
    if s.options is not None:
        s.options(parser)
    args = parser.parse_args(argv)
    args.out = args.out or default_out(s.file, args.quick)
    args.out.mkdir(parents=True, exist_ok=True)
    data_path = args.out / f"{name}.json"
    if args.replot:
        if not data_path.is_file():
            parser.error(f"--replot redraws {data_path}, which does not exist: run without it")
        data = json.loads(data_path.read_text())
    else:
        start = time.perf_counter()
        data = s.compute(args)
        data["runtime_seconds"] = time.perf_counter() - start
        data_path.write_text(json.dumps(data, indent=1))
    s.report(data)
    fig = s.plot(data)
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    png = args.out / f"{name}.png"
    fig.savefig(png, dpi=110)
    print(f"wrote {png} and {data_path.name}")
    return 0
