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

import argparse
import json
import math
import random
import time
from pathlib import Path
from typing import Any

from dualgrad import sparse_jacobian

PLOTS = Path(__file__).resolve().parent.parent / "plots"
NAME = "sparse_newton"
SEED = 0
A, B, DIFFUSION = 1.0, 3.0, 0.002


def rhs(y: list[Any], n: int) -> list[Any]:
    """F(y) for y = (u0, v0, u1, v1, ...) on the periodic n x n grid (spacing 1/n)."""
    u, v = y[0::2], y[1::2]
    d = DIFFUSION * n * n
    out = []
    for i in range(n):
        up, down = ((i - 1) % n) * n, ((i + 1) % n) * n
        for j in range(n):
            k, left, right = i * n + j, i * n + (j - 1) % n, i * n + (j + 1) % n
            lu = u[up + j] + u[down + j] + u[left] + u[right] - 4 * u[k]
            lv = v[up + j] + v[down + j] + v[left] + v[right] - 4 * v[k]
            uuv = u[k] * u[k] * v[k]
            out.append(B + uuv - (A + 1) * u[k] + d * lu)
            out.append(A * u[k] - uuv + d * lv)
    return out


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


def plot(data: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    p, show = data, min(data["unknowns"], 96)  # the top-left block: entries visible
    keep = [
        k
        for k, (i, j) in enumerate(zip(p["rows"], p["cols"], strict=True))
        if i < show and j < show
    ]
    cmap = plt.get_cmap("tab20", max(data["colors"], 1))
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
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small grid, few steps")
    parser.add_argument("--replot", action="store_true", help="redraw from the saved JSON")
    parser.add_argument("--out", type=Path, default=None, help="folder for the PNG and JSON")
    args = parser.parse_args(argv)
    out = args.out or (PLOTS / "quick" if args.quick else PLOTS)
    out.mkdir(parents=True, exist_ok=True)
    data_path = out / f"{NAME}.json"
    if not args.replot:
        n, steps = (8, 4) if args.quick else (32, 25)
        data = simulate(n, steps, dt=0.2)
        data["quick"] = args.quick
        data_path.write_text(json.dumps(data))
    plot(json.loads(data_path.read_text()), out / f"{NAME}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
