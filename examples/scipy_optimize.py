"""scipy's optimizers with exact derivatives from dualgrad, against scipy's finite differences.

Panel (a): a 10-D Rosenbrock function minimised from 0 by BFGS with scipy's finite-difference
gradient, by BFGS with dualgrad's exact `grad` as ``jac=``, and by Newton-CG with `grad` and
exact Hessian-vector products (`jvp` of `grad`) as ``hessp=``: the distance to the minimum
against the evaluations of f so far, every dualgrad pass counted. Panel (b): a least-squares
fit of y = a exp(-b t) + c by ``least_squares``, exact `jacobian` against finite differences.

    python examples/scipy_optimize.py           # -> plots/scipy_optimize.png and .json
    python examples/scipy_optimize.py --quick   # a smaller problem, into plots/quick/
"""

from __future__ import annotations

import math
import random
import sys
import time

from scipy.optimize import least_squares, minimize

from dualgrad import dmath, grad, jacobian, jvp
from dualgrad.learn.script import Script

COLORS = {"finite differences": "C3", "exact grad": "C0", "exact grad + Hessian-vector": "C2"}


def rosenbrock(x):
    return sum(100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2 for i in range(len(x) - 1))


class Counted:
    """f with a count of its evaluations (dualgrad's passes call it too)."""

    def __init__(self, f):
        self.f, self.calls = f, 0

    def __call__(self, x):
        self.calls += 1
        return self.f(x)


def options(label: str, f: Counted) -> dict:
    if label == "finite differences":
        return {"method": "BFGS"}  # scipy differences f itself: N + 1 evaluations a gradient
    # scipy's ndarrays go in as they are and the gradient comes back as one
    gradient = {"jac": lambda x: grad(f, x)}  # N one-tangent passes, exact
    if label == "exact grad":
        return {"method": "BFGS", **gradient}
    # H v as the derivative of grad along v: forward over forward, N passes
    hessp = lambda x, v: jvp(lambda y: grad(f, y), x, v)[1]
    return {"method": "Newton-CG", **gradient, "hessp": hessp, "tol": 1e-10}


def run_minimize(n: int) -> list[dict]:
    runs = []
    for label in COLORS:
        f = Counted(rosenbrock)
        trace: list[tuple[int, float]] = []

        def record(xk, f=f, trace=trace):
            trace.append((f.calls, max(abs(v - 1.0) for v in xk)))

        start = time.perf_counter()
        res = minimize(f, [0.0] * n, callback=record, **options(label, f))
        seconds, error = time.perf_counter() - start, max(abs(v - 1.0) for v in res.x)
        runs.append({"label": label, "evaluations": f.calls, "seconds": seconds, "error": error,
                     "iterations": int(res.nit), "trace": trace})  # fmt: skip
    return runs


def run_fit(points: int, seed: int = 0) -> list[dict]:
    rng, truth = random.Random(seed), (2.5, 1.3, 0.5)
    ts = [4.0 * i / (points - 1) for i in range(points)]
    ys = [truth[0] * math.exp(-truth[1] * t) + truth[2] + rng.gauss(0, 0.02) for t in ts]

    def residuals(p):
        return [p[0] * dmath.exp(-p[1] * t) + p[2] - y for t, y in zip(ts, ys, strict=True)]

    runs = []
    for label in ("finite differences", "exact jacobian"):
        f = Counted(residuals)
        jac = "2-point" if label == "finite differences" else lambda p, f=f: jacobian(f, p)
        res = least_squares(f, [1.0, 1.0, 0.0], jac=jac, xtol=1e-15, ftol=1e-15, gtol=1e-15)
        runs.append({"label": label, "evaluations": f.calls, "cost": float(res.cost),
                     "params": [float(v) for v in res.x]})  # fmt: skip
    return runs


def compute(args) -> dict:
    n = 4 if args.quick else 10
    return {"n": n, "minimize": run_minimize(n), "fit": run_fit(20 if args.quick else 60)}


def report(data: dict) -> None:
    print(f"{data['n']}-D Rosenbrock from 0:")
    for r in data["minimize"]:
        ms, err = r["seconds"] * 1e3, r["error"]
        print(f"  {r['label']:28s} {r['evaluations']:5d} evaluations of f, {r['iterations']:3d} "
              f"iterations, {ms:6.1f} ms, max |x - 1| = {err:.1e}")  # fmt: skip
    print("least-squares fit of a exp(-b t) + c:")
    for r in data["fit"]:
        shown = ", ".join(f"{p:.6f}" for p in r["params"])
        print(
            f"  {r['label']:28s} {r['evaluations']:5d} evaluations, cost {r['cost']:.12g} ({shown})"
        )


def plot(data: dict):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 5))
    ax, bx = fig.subplots(1, 2, width_ratios=[1.6, 1])
    for r in data["minimize"]:
        calls, err = zip(*r["trace"], strict=True)
        shown = f"{r['label']}: {r['evaluations']} evaluations, error {r['error']:.0e}"
        ax.semilogy(calls, err, ".-", color=COLORS[r["label"]], label=shown)
    ax.set(xlabel="evaluations of f so far (dualgrad's passes included)", ylabel="max |x - 1|",
           title=f"(a) {data['n']}-D Rosenbrock, scipy.optimize.minimize")  # fmt: skip
    ax.legend(fontsize=9)
    ax.grid(alpha=0.3)
    bars = bx.bar([r["label"] for r in data["fit"]], [r["evaluations"] for r in data["fit"]],
                  color=["C3", "C0"])  # fmt: skip
    for bar, r in zip(bars, data["fit"], strict=True):
        bx.annotate(f"cost {r['cost']:.10g}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                    ha="center", va="bottom")  # fmt: skip
    bx.set(ylabel="evaluations of the residuals", title="(b) least_squares: a·exp(-b t) + c")
    fig.suptitle("Exact derivatives for scipy: the minimum to full precision, no step to choose")
    return fig


main = Script(__file__, __doc__, compute, report, plot)

if __name__ == "__main__":
    sys.exit(main())
