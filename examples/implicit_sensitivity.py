"""How a steady state moves with its parameters: derivatives through a solver.

A genetic toggle switch: two genes repress each other, u = a / (1 + v^2), v = b / (1 + u^3).
Its steady state is a fixed point, found by `fixed_point` (Newton on plain numbers); the
derivatives of u* with respect to a and b come from the implicit function theorem, never by
differentiating the iterations. (a) u*(a) solved at every a, and its Taylor polynomials at
a0 of orders 1, 2, 3 and 5, from ONE Taylor pass through the solver (each coefficient is one
more linear solve). (b) Their error: each order gains a power of |a - a0|. (c) du*/da by the
implicit function theorem against central differences of re-solves: it grows without bound
as a approaches the fold where this steady state disappears (dF/dx becomes singular).

    python examples/implicit_sensitivity.py           # -> plots/implicit_sensitivity.png, .json
    python examples/implicit_sensitivity.py --quick   # a smoke run into plots/quick/
"""

from __future__ import annotations

import random
import sys
from typing import Any

from dualgrad import derivative, fixed_point, grad, taylor
from dualgrad.learn.script import Script

B, A0, ORDERS = 2.0, 1.2, (1, 2, 3, 5)
FOLD = 2.2545  # near here this steady state meets another and both vanish (a saddle-node)


def toggle(x: list[Any], a: Any, b: Any) -> list[Any]:
    u, v = x
    return [a / (1 + v * v), b / (1 + u * u * u)]


def steady_u(a: Any, b: Any = B, guess: list[float] | None = None) -> Any:
    return fixed_point(toggle, guess or [0.3, 1.9], a, b)[0]


def branch(grid: list[float]) -> list[float]:
    """u* along the grid by continuation: each solve starts from the previous solution."""
    out, x = [], [0.2, 2.0]
    for a in grid:
        x = fixed_point(toggle, x, a, B)
        out.append(x[0])
    return out


def truncated(c: list[float], k: int, h: float) -> float:
    """The Taylor polynomial of order k with coefficients c, at a distance h."""
    return sum(c[j] * h**j for j in range(k + 1))


def compute(args: Any) -> dict[str, Any]:
    random.seed(0)  # nothing below draws a random number; seeded all the same
    n = 41 if args.quick else 161
    grid = [0.5 + (2.25 - 0.5) * i / (n - 1) for i in range(n)]
    solved = branch(grid)
    coeffs = taylor(lambda p: steady_u(p[0]), [A0], [1.0], order=max(ORDERS))
    series = {str(k): [truncated(coeffs, k, a - A0) for a in grid] for k in ORDERS}
    ift, fd = [], []
    for a, u in zip(grid, solved, strict=True):
        guess = [u, B / (1 + u**3)]
        ift.append(derivative(lambda s, g=guess: steady_u(s, B, g), a))
        h = 1e-6
        fd.append((steady_u(a + h, B, guess) - steady_u(a - h, B, guess)) / (2 * h))
    g = grad(lambda p: steady_u(p[0], p[1]), [A0, B])
    return {
        "b": B,
        "a0": A0,
        "grid": grid,
        "solved": solved,
        "coefficients": coeffs,
        "taylor": series,
        "du_da_ift": ift,
        "du_da_fd": fd,
        "grad_at_a0": g,
    }


def report(data: dict[str, Any]) -> None:
    c = data["coefficients"]
    print(f"u*(a) at a0 = {data['a0']}: Taylor coefficients", ", ".join(f"{x:.6g}" for x in c))
    print(f"grad u* w.r.t. (a, b) at a0: {data['grad_at_a0']}")
    worst = max(
        abs(i - f) / abs(f) for i, f in zip(data["du_da_ift"], data["du_da_fd"], strict=True)
    )
    print(f"du*/da, implicit function theorem vs central differences: max rel. diff {worst:.1e}")


def plot(data: dict[str, Any]) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 4.2))
    axes = fig.subplots(1, 3)
    grid, solved, a0 = data["grid"], data["solved"], data["a0"]
    axes[0].plot(grid, solved, "k-", lw=2.5, label="solved at each a")
    for k, values in data["taylor"].items():
        axes[0].plot(grid, values, "--", label=f"Taylor order {k} at a0")
        err = [abs(v - s) + 1e-17 for v, s in zip(values, solved, strict=True)]
        axes[1].semilogy(grid, err, label=f"order {k}")
    axes[0].set(ylim=(0, max(solved) * 1.2), xlabel="a", ylabel="steady state u*")
    axes[0].set_title("(a) u*(a) and its Taylor polynomials", fontsize=10)
    axes[1].set(xlabel="a", ylabel="|Taylor - solved|")
    axes[1].set_title("(b) error of the series", fontsize=10)
    axes[2].semilogy(grid, data["du_da_ift"], "k-", lw=2.5, label="implicit function theorem")
    axes[2].semilogy(grid[::4], data["du_da_fd"][::4], "o", ms=4, label="central differences")
    axes[2].set(xlabel="a", ylabel="du*/da")
    axes[2].set_title("(c) sensitivity, growing toward the fold (dotted)", fontsize=10)
    for ax in axes:
        ax.axvline(a0, color="0.7", lw=0.8)
        ax.axvline(FOLD, color="r", lw=0.8, ls=":")
        ax.legend(fontsize=8)
    fig.suptitle(f"toggle switch u = a/(1+v^2), v = {data['b']:g}/(1+u^3)", fontsize=10)
    return fig


main = Script(__file__, __doc__, compute, report, plot)


if __name__ == "__main__":
    sys.exit(main())
