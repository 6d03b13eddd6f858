"""The hill analogy: gradient descent with derivatives from Duals, each step opposite to the slope.

Panel (a): a bumpy 1-D loss curve; at every step the slope under your feet comes from one Dual
pass (``dualgrad.derivative``) and you step ``x -= lr * slope``, downhill, into a valley - the
nearer one, not the deepest: in the fog only the slope underfoot is known. Panel (b): a 2-D
landscape (Himmelblau's function); ``dualgrad.grad`` gives both partial derivatives and each
step goes opposite to the gradient until a minimum is reached.

    python examples/hill.py            # -> plots/hill.png and plots/hill.json
    python examples/hill.py --quick    # a coarser drawing, into plots/quick/
    python examples/hill.py --replot   # redraw from the saved data
"""

from __future__ import annotations

import math
import sys

from dualgrad import derivative, dmath, grad
from dualgrad.learn.script import Script

START_1D, LR_1D, STEPS_1D = 4.2, 0.2, 25
START_2D, LR_2D, STEPS_2D = (0.0, 0.0), 0.01, 40
MINIMA = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848127)]


def curve(x):
    """A bowl with ripples and two valleys; works on floats and Duals alike (dmath)."""
    return 0.25 * (x - 0.5) ** 2 + 0.6 * dmath.sin(2.0 * x) + 1.0


def himmelblau(v):
    """(x^2 + y - 11)^2 + (x + y^2 - 7)^2: four minima, all of loss 0."""
    x, y = v[0], v[1]
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def compute(args) -> dict:
    x, walk = START_1D, []
    for step in range(STEPS_1D + 1):
        slope = derivative(curve, x)  # one Dual pass
        walk.append({"step": step, "x": x, "loss": curve(x), "slope": slope})
        if abs(slope) < 1e-2:
            break
        x -= LR_1D * slope  # opposite to the slope
    v, path = list(START_2D), []
    for step in range(STEPS_2D + 1):
        g = grad(himmelblau, v)  # two Dual passes, one per coordinate
        path.append({"step": step, "x": v[0], "y": v[1], "loss": himmelblau(v), "grad": g})
        if math.hypot(*g) < 1e-3:
            break
        v = [v[0] - LR_2D * g[0], v[1] - LR_2D * g[1]]
    return {"quick": args.quick, "lr_1d": LR_1D, "lr_2d": LR_2D, "curve": walk, "surface": path}


def report(data: dict) -> None:
    print(f"(a) 1-D descent, lr {data['lr_1d']}:")
    for s in data["curve"]:
        print(
            f"  step {s['step']:2d}  x {s['x']:8.4f} loss {s['loss']:7.4f} slope {s['slope']:+.4f}"
        )
    first, last = data["surface"][0], data["surface"][-1]
    print(
        f"(b) Himmelblau from {START_2D}, lr {data['lr_2d']}: {last['step']} steps, loss "
        f"{first['loss']:.3g} -> {last['loss']:.3g} at ({last['x']:.4f}, {last['y']:.4f})"
    )


def trail(ax, steps: list[dict], y: str, color: str, label: str) -> None:
    """The walk: a dot per step, joined."""
    ax.plot([s["x"] for s in steps], [s[y] for s in steps], "o-", color=color, ms=4, label=label)


def plot(data: dict):
    import numpy as np
    from matplotlib.colors import LogNorm
    from matplotlib.figure import Figure

    fig = Figure(figsize=(14, 6.2))
    ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.25, 1])
    n_grid = 120 if data["quick"] else 400
    xs = np.linspace(-2.6, 4.8, n_grid)
    ax1.plot(xs, [curve(float(x)) for x in xs], color="#333", lw=2, label="loss(x)")
    walk = data["curve"]
    for i, s in enumerate(walk):
        half = 0.4 / math.hypot(1.0, s["slope"])  # a short tangent: the slope under the feet
        ax1.plot(
            [s["x"] - half, s["x"] + half],
            [s["loss"] - half * s["slope"], s["loss"] + half * s["slope"]],
            color="#d62728",
            lw=2.2,
            label="slope under the feet (one Dual pass)" if i == 0 else None,
        )
    trail(ax1, walk, "loss", "#1f5fa8", f"{len(walk) - 1} steps x -= {data['lr_1d']} · slope")
    deep = min(xs, key=lambda x: curve(float(x)))
    ax1.annotate(
        "a deeper valley this walk\nnever sees (fog: only the\nslope underfoot is known)",
        xy=(deep, curve(float(deep))),
        xytext=(deep, -0.9),
        ha="center",
        fontsize=9,
        arrowprops={"arrowstyle": "->", "color": "#999"},
    )
    ax1.set(ylim=(-1.2, 7.3), xlabel="parameter x", ylabel="loss (altitude)")
    ax1.set_title("(a) 1-D: loss = 0.25(x - 0.5)² + 0.6 sin(2x) + 1, slope from derivative()")
    ax1.legend(loc="upper center", fontsize=9)
    ax1.grid(alpha=0.3)
    g = np.linspace(-5.0, 5.0, n_grid)
    X, Y = np.meshgrid(g, g)
    levels = np.logspace(-0.5, 2.9, 18)
    style = {"levels": levels, "norm": LogNorm(), "cmap": "Blues_r", "extend": "both"}
    cs = ax2.contourf(X, Y, himmelblau([X, Y]) + 1e-3, **style)
    fig.colorbar(cs, ax=ax2, label="loss (log scale)")
    stars = {"color": "#ffd700", "mec": "black", "ms": 14, "ls": "none"}
    ax2.plot(*zip(*MINIMA, strict=True), "*", **stars, label="minima (loss 0)")
    path = data["surface"]
    label = f"{len(path) - 1} steps v -= {data['lr_2d']} · grad: loss {path[-1]['loss']:.1e}"
    trail(ax2, path, "y", "#d62728", label)
    ax2.set(xlabel="parameter x", ylabel="parameter y", aspect="equal")
    ax2.set_title("(b) 2-D: Himmelblau's landscape, gradient from grad()")
    ax2.legend(loc="lower left", fontsize=9)
    fig.suptitle("The hill analogy: each step goes opposite to the slope under your feet")
    return fig


main = Script(__file__, __doc__, compute, report, plot)


if __name__ == "__main__":
    sys.exit(main())
