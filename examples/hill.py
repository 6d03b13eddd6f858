"""The hill analogy: gradient descent with derivatives from Duals, each step opposite to the slope.

Panel (a): a bumpy 1-D loss curve; at every step the slope under your feet comes from one Dual
pass (``dualgrad.derivative``) and you step ``x -= lr * slope``, downhill, into a valley.
Panel (b): a 2-D landscape (Himmelblau's function); ``dualgrad.grad`` gives both partial
derivatives and each step goes opposite to the gradient until a minimum is reached.

    python examples/hill.py            # -> plots/hill.png and plots/hill.json
    python examples/hill.py --quick    # a fast smoke run
    python examples/hill.py --replot   # redraw from plots/hill.json
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
from pathlib import Path

from dualgrad import derivative, dmath, grad

PLOTS = Path(__file__).resolve().parent.parent / "plots"
NAME = "hill"

# (a) loss(x) = a (x - c)^2 + s sin(w x) + 1: a bowl with ripples, two valleys.
CURVE = {
    "a": 0.25,
    "c": 0.5,
    "s": 0.6,
    "w": 2.0,
    "start": 4.2,
    "lr": 0.2,
    "max_steps": 25,
    "tol": 1e-2,
}
# (b) Himmelblau's function (x^2 + y - 11)^2 + (x + y^2 - 7)^2: four minima, all of loss 0.
SURFACE = {"start": [0.0, 0.0], "lr": 0.01, "max_steps": 40, "tol": 1e-3}
HIMMELBLAU_MINIMA = [
    (3.0, 2.0),
    (-2.805118, 3.131312),
    (-3.779310, -3.283186),
    (3.584428, -1.848127),
]


def curve_loss(x, p=CURVE):
    """Works on floats and Duals alike: arithmetic plus dmath."""
    return p["a"] * (x - p["c"]) ** 2 + p["s"] * dmath.sin(p["w"] * x) + 1.0


def himmelblau(v):
    x, y = v[0], v[1]
    return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2


def descend_1d(p: dict) -> list[dict]:
    x, steps = p["start"], []
    for k in range(p["max_steps"] + 1):
        slope = derivative(lambda t: curve_loss(t, p), x)  # one Dual pass
        steps.append({"step": k, "x": x, "loss": curve_loss(x, p), "slope": slope})
        if abs(slope) < p["tol"] or k == p["max_steps"]:
            break
        x = x - p["lr"] * slope  # opposite to the slope
    return steps


def descend_2d(p: dict) -> list[dict]:
    v, steps = list(p["start"]), []
    for k in range(p["max_steps"] + 1):
        gx, gy = grad(himmelblau, v)  # two Dual passes, one per coordinate
        steps.append({"step": k, "x": v[0], "y": v[1], "loss": himmelblau(v), "grad": [gx, gy]})
        if math.hypot(gx, gy) < p["tol"] or k == p["max_steps"]:
            break
        v = [v[0] - p["lr"] * gx, v[1] - p["lr"] * gy]
    return steps


def run(quick: bool) -> dict:
    # --quick changes nothing here but the drawing resolution: the descent itself is cheap.
    return {
        "quick": quick,
        "curve": {**CURVE, "steps": descend_1d(CURVE)},
        "surface": {**SURFACE, "function": "himmelblau", "steps": descend_2d(SURFACE)},
    }


def report(data: dict) -> None:
    c = data["curve"]
    print(
        f"(a) 1-D: loss(x) = {c['a']} (x - {c['c']})^2 + {c['s']} sin({c['w']} x) + 1, "
        f"lr {c['lr']}, from x = {c['start']}"
    )
    for s in c["steps"]:
        print(
            f"  step {s['step']:2d}  x {s['x']:8.4f}  loss {s['loss']:7.4f}"
            f"  slope {s['slope']:+.4f}"
        )
    s2 = data["surface"]
    first, last = s2["steps"][0], s2["steps"][-1]
    print(f"(b) 2-D: Himmelblau, lr {s2['lr']}, from {tuple(s2['start'])}:")
    print(
        f"  {len(s2['steps']) - 1} steps: loss {first['loss']:.3g} -> {last['loss']:.3g} at "
        f"({last['x']:.4f}, {last['y']:.4f}), |grad| {math.hypot(*last['grad']):.2g}"
    )


def plot(data: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import LogNorm

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(14, 6.2), width_ratios=[1.25, 1])
    n_grid = 120 if data["quick"] else 400

    # (a) the 1-D curve, the steps, the slope under the feet
    c = data["curve"]
    steps = c["steps"]
    lo, hi = -2.6, 4.8
    xs = np.linspace(lo, hi, n_grid)
    ax1.plot(xs, [curve_loss(float(x), c) for x in xs], color="#333", lw=2, label="loss(x)")
    cmap = plt.get_cmap("viridis")
    n = len(steps)
    for i, s in enumerate(steps):
        col = cmap(i / max(n - 1, 1))
        # a short tangent segment: the slope under the feet, from one Dual pass
        half = 0.4 / math.hypot(1.0, s["slope"])
        ax1.plot(
            [s["x"] - half, s["x"] + half],
            [s["loss"] - half * s["slope"], s["loss"] + half * s["slope"]],
            color="#d62728",
            lw=2.2,
            solid_capstyle="round",
            label="slope under the feet (tangent)" if i == 0 else None,
            zorder=4,
        )
        ax1.plot([s["x"]], [s["loss"]], "o", color=col, ms=6, mec="black", mew=0.5, zorder=5)
        if i + 1 < n and abs(steps[i + 1]["x"] - s["x"]) > 0.06:
            # the step, drawn as an arc beside the curve so it does not hide under it
            nxt = steps[i + 1]
            ax1.annotate(
                "",
                xy=(nxt["x"], nxt["loss"]),
                xytext=(s["x"], s["loss"]),
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": "#1f5fa8",
                    "lw": 1.5,
                    "shrinkA": 5,
                    "shrinkB": 5,
                    "connectionstyle": "arc3,rad=0.45",
                },
                zorder=6,
            )
    first, last = steps[0], steps[-1]
    ax1.annotate(
        f"start x = {first['x']:g}\nslope {first['slope']:+.2f} > 0: step left",
        xy=(first["x"], first["loss"]),
        xytext=(first["x"] - 0.25, first["loss"] + 1.2),
        ha="center",
        fontsize=9,
        arrowprops={"arrowstyle": "->", "color": "#555"},
    )
    ax1.annotate(
        f"the valley after {n - 1} steps\nx = {last['x']:.3f}, slope {last['slope']:+.0e}",
        xy=(last["x"], last["loss"]),
        xytext=(last["x"], last["loss"] - 1.1),
        ha="center",
        va="top",
        fontsize=9,
        arrowprops={"arrowstyle": "->", "color": "#555"},
    )
    ax1.plot([], [], "->", color="#1f5fa8", label=f"step: x -= {c['lr']} · slope")
    valley = min((curve_loss(float(x), c), float(x)) for x in xs)
    ax1.annotate(
        "a deeper valley this walk\nnever sees (fog: only the\nslope underfoot is known)",
        xy=(valley[1], valley[0]),
        xytext=(valley[1], valley[0] - 0.45),
        ha="center",
        va="top",
        fontsize=9,
        color="#555",
        arrowprops={"arrowstyle": "->", "color": "#999"},
    )
    ax1.set_xlim(lo, hi)
    ax1.set_ylim(-1.2, 7.3)
    ax1.set_xlabel("parameter x")
    ax1.set_ylabel("loss (altitude)")
    ax1.set_title(
        f"(a) 1-D: loss = {c['a']}(x - {c['c']})² + {c['s']} sin({c['w']}x) + 1,"
        " slope from derivative()"
    )
    ax1.legend(loc="upper center", fontsize=9, framealpha=0.95)
    ax1.grid(alpha=0.3)

    # (b) the 2-D landscape, the path of steps
    s2 = data["surface"]
    path2 = s2["steps"]
    gx = np.linspace(-5.0, 5.0, n_grid)
    X, Y = np.meshgrid(gx, gx)
    Z = himmelblau([X, Y])
    levels = np.logspace(-0.5, 2.9, 18)
    cs = ax2.contourf(X, Y, Z + 1e-3, levels=levels, norm=LogNorm(), cmap="Blues_r", extend="both")
    ax2.contour(X, Y, Z + 1e-3, levels=levels, colors="white", linewidths=0.4, alpha=0.6)
    bar = fig.colorbar(cs, ax=ax2, label="loss (log scale)")
    bar.set_ticks([1, 10, 100, 500], labels=["1", "10", "100", "500"])
    for mx, my in HIMMELBLAU_MINIMA:
        ax2.plot([mx], [my], "*", color="#ffd700", mec="black", ms=14, zorder=5)
    ax2.plot([], [], "*", color="#ffd700", mec="black", ms=12, label="minima (loss 0)")
    for a, b in itertools.pairwise(path2):
        ax2.annotate(
            "",
            xy=(b["x"], b["y"]),
            xytext=(a["x"], a["y"]),
            arrowprops={
                "arrowstyle": "-|>" if math.dist((a["x"], a["y"]), (b["x"], b["y"])) > 0.1 else "-",
                "color": "#d62728",
                "lw": 1.4,
                "shrinkA": 0,
                "shrinkB": 0,
                "mutation_scale": 12,
            },
            zorder=6,
        )
    ax2.plot(
        [s["x"] for s in path2],
        [s["y"] for s in path2],
        "o",
        color="#d62728",
        ms=3,
        zorder=7,
        label=f"{len(path2) - 1} steps v -= {s2['lr']} · grad",
    )
    start, end = path2[0], path2[-1]
    ax2.annotate(
        f"start {tuple(s2['start'])}\nloss {start['loss']:.0f}",
        xy=(start["x"], start["y"]),
        xytext=(-3.6, 0.6),
        fontsize=9,
        color="black",
        bbox={"boxstyle": "round", "fc": "white", "ec": "#999", "alpha": 0.9},
        arrowprops={"arrowstyle": "->", "color": "black"},
    )
    ax2.annotate(
        f"loss {end['loss']:.1e}\nat ({end['x']:.3f}, {end['y']:.3f})",
        xy=(end["x"], end["y"]),
        xytext=(3.95, 3.7),
        ha="center",
        fontsize=9,
        color="black",
        bbox={"boxstyle": "round", "fc": "white", "ec": "#999", "alpha": 0.9},
        arrowprops={"arrowstyle": "->", "color": "black"},
    )
    ax2.set_xlabel("parameter x")
    ax2.set_ylabel("parameter y")
    ax2.set_aspect("equal")
    ax2.set_title("(b) 2-D: Himmelblau's landscape, gradient from grad()")
    ax2.legend(loc="lower left", fontsize=9, framealpha=0.95)

    fig.suptitle(
        "The hill analogy: each step goes opposite to the slope under your feet", fontsize=14
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="coarser drawing grid (tests)")
    parser.add_argument("--replot", action="store_true", help="redraw from the saved JSON")
    parser.add_argument("--out", type=Path, default=PLOTS, help="output folder (default plots/)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    data_path = args.out / f"{NAME}.json"
    if args.replot:
        data = json.loads(data_path.read_text())
    else:
        data = run(args.quick)
        data_path.write_text(json.dumps(data, indent=1))
    report(data)
    plot(data, args.out / f"{NAME}.png")
    print(f"wrote {args.out / (NAME + '.png')} and {data_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
