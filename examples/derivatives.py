"""The derivative as a nudge, and the tutorial's derivative table checked op by op.

Panel (a): f(x) = x**2 near x = 3. Secant slopes (f(3 + h) - f(3)) / h for shrinking h close in
on 6 but never reach it (and for very small h rounding error takes over), while one pass of a
Dual, ``Dual(3.0, 1.0) ** 2``, carries the slope 6 exactly. Panel (b): for add, mul, pow, exp,
log and relu, the Dual derivative and a central finite difference are compared with the closed
form at a few points: the Dual errors are 0, the differences are approximate.

    python examples/derivatives.py            # -> plots/derivatives.png and derivatives.json
    python examples/derivatives.py --quick    # a fast smoke run
    python examples/derivatives.py --replot   # redraw from plots/derivatives.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from dualgrad import Dual, derivative, dmath

PLOTS = Path(__file__).resolve().parent.parent / "plots"
NAME = "derivatives"

X0 = 3.0  # the tutorial's point: f(x) = x**2 nudged from 3
SECANT_HS = [1.0, 0.5, 0.1, 0.001]  # the secants drawn in panel (a)
FLOOR = 1e-18  # where an error of exactly 0 is drawn on a log scale


def square(x):
    return x**2


def relu(x: float) -> float:
    return x if x > 0 else 0.0


# The tutorial's table: (op, formula, derivative w.r.t. x, float function of (x, arg),
# closed-form derivative of (x, arg), points (x, arg)). `arg` is y for add and mul, n for pow.
TABLE = [
    (
        "add",
        "x + y",
        "1",
        lambda x, y: x + y,
        lambda x, y: 1.0,
        [(0.5, 2.0), (-1.3, 0.7), (3.0, -4.0)],
    ),
    (
        "mul",
        "x * y",
        "y",
        lambda x, y: x * y,
        lambda x, y: y,
        [(3.0, 2.5), (-1.2, 0.3), (0.7, -4.1)],
    ),
    (
        "pow",
        "x ** n",
        "n x^(n-1)",
        lambda x, n: x**n,
        lambda x, n: n * x ** (n - 1),
        [(3.0, 2), (1.5, 3), (2.0, 0.5), (0.7, -2)],
    ),
    (
        "exp",
        "exp(x)",
        "exp(x)",
        lambda x, _: dmath.exp(x),
        lambda x, _: math.exp(x),
        [(-1.0, None), (0.5, None), (2.0, None), (4.0, None)],
    ),
    (
        "log",
        "log(x)",
        "1/x",
        lambda x, _: dmath.log(x),
        lambda x, _: 1.0 / x,
        [(0.05, None), (0.5, None), (3.0, None)],
    ),
    (
        "relu",
        "max(0, x)",
        "1 if x > 0 else 0",
        lambda x, _: dmath.relu(x),
        lambda x, _: 1.0 if x > 0 else 0.0,
        # 4e-6 sits closer to the kink than the difference step: the difference straddles it
        [(-1.5, None), (4e-6, None), (0.7, None), (2.0, None)],
    ),
]


def run(fd_h: float, sweep_points: int) -> dict:
    # (a) One Dual pass at x = 3, and secant slopes for shrinking nudges h.
    y = Dual(X0, 1.0) ** 2
    assert derivative(square, X0) == y.tangent
    secants = [{"h": h, "slope": (square(X0 + h) - square(X0)) / h} for h in SECANT_HS]
    sweep = []
    for i in range(sweep_points):
        h = 10.0 ** (-13.0 * i / (sweep_points - 1))  # 1 down to 1e-13
        slope = (square(X0 + h) - square(X0)) / h
        sweep.append({"h": h, "slope": slope, "error": abs(slope - y.tangent)})

    # (b) The table: Dual derivative, closed form and central difference at each point.
    table = []
    for op, formula, closed_text, f, closed, points in TABLE:
        for x, arg in points:
            dual = derivative(lambda t, f=f, arg=arg: f(t, arg), x)
            exact = closed(x, arg)
            fd = (f(x + fd_h, arg) - f(x - fd_h, arg)) / (2 * fd_h)
            table.append(
                {
                    "op": op,
                    "formula": formula,
                    "derivative": closed_text,
                    "x": x,
                    "arg": arg,
                    "dual": dual,
                    "closed_form": exact,
                    "finite_difference": fd,
                    "dual_error": abs(dual - exact),
                    "fd_error": abs(fd - exact),
                }
            )
    return {
        "x0": X0,
        "dual_value": y.value,
        "dual_slope": y.tangent,
        "secants": secants,
        "sweep": sweep,
        "fd_h": fd_h,
        "table": table,
    }


def _point(e: dict) -> str:
    if e["op"] in ("add", "mul"):
        return f"x={e['x']:g}, y={e['arg']:g}"
    if e["op"] == "pow":
        return f"x={e['x']:g}, n={e['arg']:g}"
    return f"x={e['x']:g}"


def report(data: dict) -> None:
    print(
        f"f(x) = x**2 at x = {data['x0']:g}: Dual(3.0, 1.0) ** 2 = "
        f"Dual({data['dual_value']!r}, {data['dual_slope']!r})  -> slope exactly 6"
    )
    for s in data["secants"]:
        print(f"  secant h = {s['h']:<6g} slope {s['slope']!r:22s} error {abs(s['slope'] - 6):.3g}")
    best = min(data["sweep"], key=lambda s: s["error"])
    print(f"  smallest secant error over the sweep: {best['error']:.2g} at h = {best['h']:.1g}")
    print(f"the derivative table (central difference step h = {data['fd_h']:g}):")
    print(f"  {'op':5s} {'point':18s} {'Dual':>22s} {'closed form':>22s} {'difference':>22s}")
    for e in data["table"]:
        print(
            f"  {e['op']:5s} {_point(e):18s} {e['dual']!r:>22s} {e['closed_form']!r:>22s} "
            f"{e['finite_difference']!r:>22s}"
        )
    worst_dual = max(e["dual_error"] for e in data["table"])
    worst_fd = max(e["fd_error"] for e in data["table"])
    print(f"  largest error: Dual {worst_dual:.3g}, finite difference {worst_fd:.3g}")


def _exact_ticks(ax, top: int) -> None:
    """Log-scale y ticks every 3 decades up to 10**top, the floor labelled as exact 0."""
    exps = list(range(-15, top + 1, 3))
    ax.set_yticks([FLOOR] + [10.0**k for k in exps])
    ax.set_yticklabels(["exact (0)"] + [f"$10^{{{k}}}$" for k in exps])
    ax.minorticks_off()


def plot(data: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x0, slope = data["x0"], data["dual_slope"]
    fig = plt.figure(figsize=(13, 10.5))
    grid = fig.add_gridspec(2, 2, width_ratios=[1.35, 1], height_ratios=[1, 1.05])
    ax = fig.add_subplot(grid[0, 0])
    ax_err = fig.add_subplot(grid[0, 1])
    ax_tab = fig.add_subplot(grid[1, :])
    colors = ["#d62728", "#ff7f0e", "#bcbd22", "#1f77b4"]

    # (a) the curve, the secants and the tangent
    lo, hi = 1.6, 4.4
    xs = [lo + (hi - lo) * i / 200 for i in range(201)]
    ax.plot(xs, [x * x for x in xs], color="black", lw=2.2, label="f(x) = x²", zorder=3)
    for s, c in zip(data["secants"], colors, strict=True):
        h = s["h"]
        ax.plot(
            [lo, hi],
            [x0 * x0 + s["slope"] * (lo - x0), x0 * x0 + s["slope"] * (hi - x0)],
            color=c,
            lw=1.3,
            label=f"secant h = {h:g}: slope {s['slope']:.4f}".rstrip("0").rstrip("."),
        )
        ax.plot([x0 + h], [(x0 + h) ** 2], "o", color=c, ms=6, zorder=4)
    ax.plot(
        [lo, hi],
        [x0 * x0 + slope * (lo - x0), x0 * x0 + slope * (hi - x0)],
        color="#2ca02c",
        lw=2.4,
        ls="--",
        label=f"tangent from one Dual pass: slope {slope:g}",
        zorder=5,
    )
    ax.plot([x0], [x0 * x0], "o", color="black", ms=8, zorder=6)
    ax.annotate(
        f"Dual(3.0, 1.0) ** 2\n= Dual({data['dual_value']:g}, {slope:g})\nslope exactly {slope:g}",
        xy=(x0, x0 * x0),
        xytext=(3.45, 4.0),
        fontsize=10,
        arrowprops={"arrowstyle": "->", "color": "#2ca02c"},
        bbox={"boxstyle": "round", "fc": "white", "ec": "#2ca02c"},
    )
    ax.set_xlim(lo, hi)
    ax.set_ylim(0, 20.5)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title("(a) the derivative as a nudge: secants (f(3+h) - f(3)) / h → 6")
    ax.legend(loc="upper left", fontsize=9, framealpha=0.95)
    ax.grid(alpha=0.3)

    # (a') secant error against h, log-log
    hs = [s["h"] for s in data["sweep"]]
    errs = [max(s["error"], FLOOR) for s in data["sweep"]]
    ax_err.loglog(hs, errs, ".-", color="#555", label="|secant slope - 6|")
    ax_err.loglog(hs, hs, ":", color="#999", label="= h (truncation error)")
    for s, c in zip(data["secants"], colors, strict=True):
        ax_err.loglog([s["h"]], [max(abs(s["slope"] - slope), FLOOR)], "o", color=c, ms=8)
    ax_err.axhline(FLOOR, color="#2ca02c", lw=2.4, ls="--", label="Dual: exact (error 0)")
    ax_err.set_ylim(FLOOR / 10, 10)
    _exact_ticks(ax_err, 0)
    ax_err.set_xlim(min(hs) / 3, 3)
    ax_err.set_xlabel("nudge h")
    ax_err.set_ylabel("|secant slope - 6|")
    ax_err.set_title("(a') secant error: shrinking h helps until rounding wins")
    ax_err.legend(loc="center right", fontsize=9, framealpha=0.95)
    ax_err.grid(alpha=0.3, which="major")

    # (b) the table, op by op
    ops = list(dict.fromkeys(e["op"] for e in data["table"]))
    labels = []
    for i, op in enumerate(ops):
        rows = [e for e in data["table"] if e["op"] == op]
        labels.append(f"{op}\n{rows[0]['formula']}\nd/dx = {rows[0]['derivative']}")
        m = len(rows)
        for j, e in enumerate(rows):
            pos = i + (j - (m - 1) / 2) * 0.2
            ax_tab.semilogy(
                [pos - 0.03],
                [max(e["dual_error"], FLOOR)],
                "o",
                color="#2ca02c",
                ms=9,
                label="Dual vs closed form" if i == j == 0 else None,
            )
            fd_err = max(e["fd_error"], FLOOR)
            ax_tab.semilogy(
                [pos + 0.03],
                [fd_err],
                "^",
                color="#ff7f0e",
                ms=9,
                label=f"central difference (h = {data['fd_h']:g}) vs closed form"
                if i == j == 0
                else None,
            )
            note = _point(e).replace(", ", "\n")
            if e["op"] == "relu" and 0 < e["x"] < data["fd_h"]:
                note += "\n(x ± h straddles\nthe kink at 0)"
            ax_tab.annotate(
                note,
                (pos, fd_err),
                xytext=(0, 9),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7,
                color="#444",
            )
    ax_tab.axhline(FLOOR, color="#2ca02c", lw=0.8, ls=":")
    ax_tab.set_xticks(range(len(ops)), labels)
    ax_tab.set_xlim(-0.5, len(ops) - 0.5)
    ax_tab.set_ylim(FLOOR / 10, 1e3)
    _exact_ticks(ax_tab, 0)
    ax_tab.set_ylabel("absolute error of the derivative")
    ax_tab.set_title("(b) the tutorial's derivative table, checked at a few points per operation")
    for i in range(1, len(ops)):
        ax_tab.axvline(i - 0.5, color="#ddd", lw=0.8)
    ax_tab.legend(loc="upper left", fontsize=9, framealpha=0.95)
    ax_tab.grid(alpha=0.3, axis="y")

    fig.suptitle("Derivatives with dual numbers: one pass, exact slope", fontsize=14)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a coarser h sweep (tests)")
    parser.add_argument("--replot", action="store_true", help="redraw from the saved JSON")
    parser.add_argument("--out", type=Path, default=PLOTS, help="output folder (default plots/)")
    parser.add_argument("--fd-h", type=float, default=1e-5, help="central difference step")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    data_path = args.out / f"{NAME}.json"
    if args.replot:
        data = json.loads(data_path.read_text())
    else:
        data = run(args.fd_h, sweep_points=14 if args.quick else 53)
        data_path.write_text(json.dumps(data, indent=1))
    report(data)
    plot(data, args.out / f"{NAME}.png")
    print(f"wrote {args.out / (NAME + '.png')} and {data_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
