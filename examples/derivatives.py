"""The derivative as a nudge, and the tutorial's derivative table checked op by op.

Panel (a): f(x) = x**2 near x = 3. Secant slopes (f(3 + h) - f(3)) / h close in on 6 as the
nudge h shrinks, until rounding error takes over; one pass of ``Dual(3.0, 1.0) ** 2`` carries
the slope 6 exactly. Panel (b): for add, mul, pow, exp, log and relu the Dual derivative and a
central difference are compared with the closed form: the Dual errors are 0.

    python examples/derivatives.py            # -> plots/derivatives.png and derivatives.json
    python examples/derivatives.py --quick    # a coarser sweep, into plots/quick/
    python examples/derivatives.py --replot   # redraw from the saved data
"""

from __future__ import annotations

import math
import sys

from dualgrad import Dual, derivative, dmath
from dualgrad.learn.script import Script

X0, FD_H = 3.0, 1e-5  # the tutorial's point; the central difference's step
FLOOR = 1e-18  # where an error of exactly 0 is drawn on a log scale

# op: (formula, float function of (x, a), closed-form derivative in x, points (x, a))
TABLE = {
    "add": ("x + y", lambda x, a: x + a, lambda x, a: 1.0, [(0.5, 2.0), (-1.3, 0.7)]),
    "mul": ("x * y", lambda x, a: x * a, lambda x, a: a, [(3.0, 2.5), (0.7, -4.1)]),
    "pow": ("x ** n", lambda x, a: x**a, lambda x, a: a * x ** (a - 1), [(1.5, 3), (2.0, 0.5)]),
    "exp": ("exp(x)", lambda x, a: dmath.exp(x), lambda x, a: math.exp(x), [(-1.0, 0), (2.0, 0)]),
    "log": ("log(x)", lambda x, a: dmath.log(x), lambda x, a: 1 / x, [(0.05, 0), (3.0, 0)]),
    # 4e-6 is nearer the kink than the difference step: x +- h straddles it
    "relu": ("max(0, x)", lambda x, a: dmath.relu(x), lambda x, a: x > 0, [(-1.5, 0), (4e-6, 0)]),
}


def compute(args) -> dict:
    y = Dual(X0, 1.0) ** 2  # one pass: value 9, slope 6

    def secant(h: float) -> float:
        return ((X0 + h) ** 2 - X0**2) / h

    points = 14 if args.quick else 53
    sweep = [10.0 ** (-13.0 * i / (points - 1)) for i in range(points)]  # h from 1 to 1e-13
    table = []
    for op, (_, f, closed, pts) in TABLE.items():
        for j, (x, a) in enumerate(pts):
            dual = derivative(lambda t, f=f, a=a: f(t, a), x)
            fd = (f(x + FD_H, a) - f(x - FD_H, a)) / (2 * FD_H)
            err, fd_err = abs(dual - closed(x, a)), abs(fd - closed(x, a))
            table.append({"op": op, "point": j, "x": x, "dual_error": err, "fd_error": fd_err})
    return {
        "x0": X0,
        "dual_value": y.value,
        "dual_slope": y.tangent,
        "fd_h": FD_H,
        "secants": [{"h": h, "slope": secant(h)} for h in (1.0, 0.5, 0.1, 0.001)],
        "sweep": [{"h": h, "error": abs(secant(h) - y.tangent)} for h in sweep],
        "table": table,
    }


def report(data: dict) -> None:
    print(f"Dual(3.0, 1.0) ** 2 = Dual({data['dual_value']}, {data['dual_slope']}): slope 6")
    print(
        "  secant slopes:", ", ".join(f"{s['slope']:.6g} (h = {s['h']:g})" for s in data["secants"])
    )
    best = min(data["sweep"], key=lambda s: s["error"])
    print(f"  the best secant of the sweep is off by {best['error']:.2g} (h = {best['h']:.1g})")
    print(f"  {'op':5s} {'x':>8s} {'Dual error':>11s} {'difference error':>17s}")
    for e in data["table"]:
        print(f"  {e['op']:5s} {e['x']:8g} {e['dual_error']:11.3g} {e['fd_error']:17.3g}")
    print(f"  largest Dual error: {max(e['dual_error'] for e in data['table'])}")


def plot(data: dict):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 10))
    grid = fig.add_gridspec(2, 2, width_ratios=[1.35, 1])
    ax, ax_err, ax_tab = (fig.add_subplot(g) for g in (grid[0, 0], grid[0, 1], grid[1, :]))
    x0, slope = data["x0"], data["dual_slope"]
    xs = [1.6 + 2.8 * i / 200 for i in range(201)]

    def line(m: float, *style, **kw) -> None:  # the line through (3, 9) of slope m
        ax.plot(xs, [x0 * x0 + m * (x - x0) for x in xs], *style, **kw)

    ax.plot(xs, [x * x for x in xs], color="black", lw=2.2, label="f(x) = x²")
    for s, c in zip(data["secants"], ["#d62728", "#ff7f0e", "#bcbd22", "#1f77b4"], strict=True):
        line(s["slope"], color=c, label=f"secant h = {s['h']:g}: slope {s['slope']:.4g}")
        ax.plot([x0 + s["h"]], [(x0 + s["h"]) ** 2], "o", color=c)
    line(slope, "--", color="#2ca02c", lw=2.4, label=f"one Dual pass: slope exactly {slope:g}")
    ax.set(ylim=(0, 20.5), xlabel="x", ylabel="f(x)")
    ax.set_title("(a) the derivative as a nudge: secants (f(3+h) - f(3)) / h → 6")
    ax.legend(loc="upper left", fontsize=9)
    hs, errs = [s["h"] for s in data["sweep"]], [s["error"] for s in data["sweep"]]
    ax_err.loglog(hs, [max(e, FLOOR) for e in errs], ".-", color="#555", label="|secant - 6|")
    ax_err.loglog(hs, hs, ":", color="#999", label="= h (truncation error)")
    ax_err.axhline(FLOOR, color="#2ca02c", lw=2.4, ls="--", label="Dual: exact (error 0)")
    ax_err.set(xlabel="nudge h", title="(a') shrinking h helps until rounding wins")
    ax_err.legend(fontsize=9)
    ops = list(TABLE)
    pos = [ops.index(e["op"]) + 0.15 * e["point"] for e in data["table"]]
    for key, marker, label in (
        ("dual_error", "o", "Dual vs closed form"),
        ("fd_error", "^", f"central difference (h = {data['fd_h']:g}) vs closed form"),
    ):
        ax_tab.semilogy(
            pos, [max(e[key], FLOOR) for e in data["table"]], marker, ms=9, ls="none", label=label
        )
    ax_tab.set_xticks(range(len(ops)), [f"{op}\n{TABLE[op][0]}" for op in ops])
    for a in (ax_err, ax_tab):
        a.set_yticks([FLOOR, 1e-15, 1e-10, 1e-5, 1], ["exact (0)", "1e-15", "1e-10", "1e-5", "1"])
        a.set_ylim(FLOOR / 10, 1e3)
        a.grid(alpha=0.3)
    ax_tab.set_ylabel("absolute error of the derivative")
    ax_tab.set_title("(b) the tutorial's derivative table, checked at a few points per operation")
    ax_tab.legend(loc="upper left", fontsize=9)
    fig.suptitle("Derivatives with dual numbers: one pass, exact slope", fontsize=14)
    return fig


main = Script(__file__, __doc__, compute, report, plot)


if __name__ == "__main__":
    sys.exit(main())
