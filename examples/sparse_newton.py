"""Implicit Euler for a 2-D Brusselator, Newton's method on a sparse Jacobian.

Two species u, v react (u' = B + u^2 v - (A + 1) u, v' = A u - u^2 v) and diffuse on a
periodic n x n grid. Each implicit Euler step solves G(y) = y - y_old - dt F(y) = 0 by Newton's
method; its Jacobian comes from ``sparse_jacobian`` in a handful of forward passes (one per
color of its columns), detected and colored once at the first step and reused by every later
one with ``sparsity=``, and the linear systems go to ``scipy.sparse.linalg.spsolve``.

The picture: (a) the Jacobian's pattern, each entry coloured by its column's color (the
columns of one color share no row, so one pass gets them all); (b) Newton iterations per step;
(c) u at the end. Options: --quick (a smaller grid, into plots/quick/), --replot, --out.
"""

from __future__ import annotations

import math
import random
import sys
import time
from typing import Any

from dualgrad import sparse_jacobian
from dualgrad.learn.script import Script
from dualgrad.sparsity.problems import brusselator

SEED = 0
A, B, DIFFUSION = 1.0, 3.0, 0.002


def rhs(y: list[Any], n: int) -> list[Any]:
    """F(y) for y = (u0, v0, u1, v1, ...) on the periodic n x n grid (spacing 1/n)."""
    return brusselator(y, a=A, b=B, alpha=DIFFUSION * n * n)


def simulate(n: int, steps: int, dt: float, tol: float = 1e-10) -> dict[str, Any]:
    from scipy.sparse.linalg import spsolve

    rng = random.Random(SEED)
    y: list[float] = []
    for _ in range(n * n):
        y += [A + 0.1 * rng.uniform(-1, 1), B / A + 0.1 * rng.uniform(-1, 1)]
    pattern, records = None, []
    for step in range(steps):
        old = list(y)

        def residual(z: list[Any], old: list[float] = old) -> list[Any]:
            return [zi - oi - dt * fi for zi, oi, fi in zip(z, old, rhs(z, n), strict=True)]

        t0, iters, passes = time.perf_counter(), 0, 0
        while True:
            jac = sparse_jacobian(residual, y, sparsity=pattern)
            pattern, passes = pattern or jac, passes + jac.passes
            norm = math.sqrt(sum(g * g for g in jac.value))
            if norm < tol or iters == 20:
                break
            delta = spsolve(jac.toscipy().tocsc(), jac.value)
            y = [a - b for a, b in zip(y, delta.tolist(), strict=True)]
            iters += 1
        records.append(
            {
                "step": step,
                "newton": iters,
                "residual": norm,
                "passes": passes,
                "seconds": time.perf_counter() - t0,
            }
        )
        print(f"step {step}: {iters} Newton iterations, |G| = {norm:.1e}, {passes} passes")
    assert pattern is not None
    keys = ("colors", "nnz", "method", "rows", "cols", "coloring")
    info = {k: list(v) if isinstance(v, tuple) else v for k in keys for v in [getattr(pattern, k)]}
    return {"n": n, "unknowns": 2 * n * n, "dt": dt, "steps": records, "u": y[0::2], **info}


def compute(args: Any) -> dict[str, Any]:
    n, steps = (8, 4) if args.quick else (32, 25)
    return {**simulate(n, steps, dt=0.2), "quick": args.quick}


def report(data: dict[str, Any]) -> None:
    newton = [s["newton"] for s in data["steps"]]
    print(f"{data['n']} x {data['n']} grid, {data['unknowns']} unknowns, {data['colors']} colors;")
    print(f"  Newton iterations per step: {min(newton)}-{max(newton)} over {len(newton)} steps")


def plot(data: dict[str, Any]) -> Any:
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 4.6))
    axes = fig.subplots(1, 3)
    p, show = data, min(data["unknowns"], 96)  # the top-left block: entries visible
    keep = [
        k
        for k, (i, j) in enumerate(zip(p["rows"], p["cols"], strict=True))
        if i < show and j < show
    ]
    cmap = colormaps["tab20"].resampled(max(data["colors"], 1))
    axes[0].scatter(
        [p["cols"][k] for k in keep],
        [p["rows"][k] for k in keep],
        s=9,
        marker="s",
        c=[p["coloring"][p["cols"][k]] for k in keep],
        cmap=cmap,
        vmin=-0.5,
        vmax=data["colors"] - 0.5,
    )
    axes[0].set(
        xlim=(-1, show),
        ylim=(show, -1),
        xlabel="column (unknown)",
        ylabel="row",
        title=f"(a) Jacobian pattern, first {show} of {data['unknowns']}: {data['colors']} colors",
    )
    steps = data["steps"]
    axes[1].bar([s["step"] for s in steps], [s["newton"] for s in steps], color="#2c7bb6")
    axes[1].set(
        xlabel="implicit Euler step",
        ylabel="Newton iterations",
        title=f"(b) Newton iterations per step (dt={data['dt']}, |G| < 1e-10)",
    )
    n = data["n"]
    img = axes[2].imshow([data["u"][i * n : (i + 1) * n] for i in range(n)], cmap="viridis")
    fig.colorbar(img, ax=axes[2])
    axes[2].set_title(f"(c) u after {len(steps)} steps on a {n} x {n} grid")
    return fig


main = Script(__file__, __doc__, compute, report, plot)

if __name__ == "__main__":
    sys.exit(main())
