"""A Taylor-series integrator for the pendulum against RK4 and scipy's RK45.

theta'' = -sin(theta) from theta = 2.5 rad at rest, to t = 20 (about 2.5 swings). Each Taylor
step takes the solution's coefficients to order K from ONE evaluation of the right-hand side
on lazy series (`ode_taylor`), then sums the polynomial at the step size. Error at t = 20
against the exact solution (Jacobi's sn) versus evaluations of the right-hand side (left)
and wall-clock seconds (right): an order-K pass costs more than a float evaluation.

    python examples/taylor_ode.py            # -> plots/taylor_ode.png and .json
    python examples/taylor_ode.py --quick    # a smoke run into plots/quick/
    python examples/taylor_ode.py --replot   # redraw from the saved JSON
"""

from __future__ import annotations

import math
import sys
import time
from typing import Any

from dualgrad import dmath
from dualgrad.learn.script import Script
from dualgrad.taylormode import ode_taylor

THETA0, T = 2.5, 20.0


def rhs(y: list[Any]) -> list[Any]:
    return [y[1], -dmath.sin(y[0])]


def exact(t: float) -> float:
    from scipy.special import ellipj, ellipk

    m = math.sin(THETA0 / 2) ** 2  # from rest at THETA0: theta = 2 asin(k sn(K(m) - t | m))
    sn = ellipj(ellipk(m) - t, m)[0]
    return 2 * math.asin(math.sqrt(m) * sn)


def taylor_run(order: int, steps: int) -> tuple[float, int]:
    h, y = T / steps, [THETA0, 0.0]
    for _ in range(steps):
        y = [_horner(c, h) for c in ode_taylor(rhs, y, order=order)]
    return y[0], steps


def _horner(c: list[float], h: float) -> float:
    out = 0.0
    for ck in reversed(c):
        out = out * h + ck
    return out


def rk4_run(steps: int) -> tuple[float, int]:
    h, (a, b) = T / steps, (THETA0, 0.0)
    for _ in range(steps):
        k1 = (b, -math.sin(a))
        k2 = (b + h / 2 * k1[1], -math.sin(a + h / 2 * k1[0]))
        k3 = (b + h / 2 * k2[1], -math.sin(a + h / 2 * k2[0]))
        k4 = (b + h * k3[1], -math.sin(a + h * k3[0]))
        a += h / 6 * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0])
        b += h / 6 * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1])
    return a, 4 * steps


def rk45_run(rtol: float) -> tuple[float, int]:
    from scipy.integrate import solve_ivp

    sol = solve_ivp(
        lambda t, y: [y[1], -math.sin(y[0])],
        (0, T),
        [THETA0, 0.0],
        "RK45",
        rtol=rtol,
        atol=rtol * 1e-2,
    )
    return float(sol.y[0, -1]), int(sol.nfev)


def curve(label: str, runs: list[Any], truth: float, repeats: int) -> dict[str, Any]:
    points = []
    for run in runs:
        seconds = math.inf
        for _ in range(repeats):  # the fastest of a few runs: the machine's noise is one-sided
            start = time.perf_counter()
            theta, evals = run()
            seconds = min(seconds, time.perf_counter() - start)
        points.append({"evals": evals, "seconds": seconds, "error": abs(theta - truth) + 1e-17})
    return {"label": label, "points": points}


def run_all(quick: bool) -> dict[str, Any]:
    truth = exact(T)
    rk45_run(1e-3)  # import and warm scipy before timing it
    scale, r = (4, 1) if quick else (1, 3)
    curves = [
        curve(f"Taylor K={k}", [lambda k=k, n=n: taylor_run(k, n) for n in steps], truth, r)
        for k, steps in ((10, [40, 60, 100, 160]), (20, [16, 24, 40, 60]))
        for steps in [[max(s // scale, 4) for s in steps]]
    ]
    rk4 = [lambda n=n: rk4_run(n) for n in [100, 300, 1000, 3000, 10000][: 3 if quick else 5]]
    curves.append(curve("RK4", rk4, truth, r))
    tols = [1e-4, 1e-6, 1e-8, 1e-10, 1e-12][: 3 if quick else 5]
    curves.append(curve("scipy RK45", [lambda t=t: rk45_run(t) for t in tols], truth, r))
    return {"quick": quick, "theta0": THETA0, "t_end": T, "exact": truth, "curves": curves}


def compute(args: Any) -> dict[str, Any]:
    return run_all(args.quick)


def report(data: dict[str, Any]) -> None:
    for c in data["curves"]:
        print(
            f"{c['label']:12s}", ", ".join(f"{p['evals']}: {p['error']:.1e}" for p in c["points"])
        )


def plot(data: dict[str, Any]) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 4.2))
    axes = fig.subplots(1, 2, sharey=True)
    for c in data["curves"]:
        for ax, key in zip(axes, ("evals", "seconds"), strict=True):
            ax.loglog(
                [p[key] for p in c["points"]],
                [p["error"] for p in c["points"]],
                "o-",
                label=c["label"],
            )
    axes[0].set(
        xlabel="evaluations of the right-hand side (Taylor: one order-K pass per step)",
        ylabel=f"|theta({data['t_end']:g}) - exact|",
        title="(a) error vs evaluations",
    )
    axes[1].set(xlabel="seconds", title="(b) error vs wall-clock time")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"pendulum from theta = {data['theta0']} rad at rest", fontsize=10)
    return fig


main = Script(__file__, __doc__, compute, report, plot)


if __name__ == "__main__":
    sys.exit(main())
