"""sparse_jacobian.py's figure: per workload, the passes and the seconds per Jacobian of every
method against N. Draws the saved data only."""

from __future__ import annotations

from typing import Any

from plotting import subplots

METHODS = {  # key -> label, colour, marker
    "sparse_colors": ("sparse, a float pass per color", "#1a9641", "o"),
    "sparse_chunked": ("sparse, one color-wide pass", "#2c7bb6", "^"),
    "sparse_sparse": ("sparse, index-value tangents", "#7b3294", "D"),
    "sparse_first": ("sparse, first call (detect + color)", "#a6d96a", "s"),
    "dense_1": ("dense jacobian, chunk=1", "#d7191c", "v"),
    "dense_64": ("dense jacobian, chunk=64", "#e08214", "P"),
    "fd": ("finite differences", "#666666", "x"),
}


def plot(data: dict[str, Any]) -> Any:
    from matplotlib.ticker import NullFormatter

    names = list(dict.fromkeys(p["workload"] for p in data["points"]))  # in the order run
    fig, axes = subplots(2, len(names), figsize=(5 * len(names), 8.5), squeeze=False)
    for col, workload in enumerate(names):
        mine = [p for p in data["points"] if p["workload"] == workload]
        for key, (label, colour, marker) in METHODS.items():
            pts = sorted((p for p in mine if p["method"] == key), key=lambda p: p["n"])
            ns = [p["n"] for p in pts]
            for row, field in ((0, "passes"), (1, "median")):
                ax = axes[row][col]
                ax.plot(ns, [p[field] for p in pts], color=colour, lw=1, label=label)
                for p in pts:
                    face = "none" if p["extrapolated"] and row == 1 else colour
                    ax.plot(p["n"], p[field], marker, color=colour, mfc=face, ms=6)
        colors = sorted({p["colors"] for p in mine})
        axes[0][col].set_title(f"{workload}: passes per Jacobian (colors {colors})")
        axes[1][col].set_title(f"{workload}: seconds per Jacobian (hollow: extrapolated)")
        for row in (0, 1):
            axes[row][col].set(xscale="log", yscale="log", xlabel="N (unknowns)")
            axes[row][col].xaxis.set_minor_formatter(NullFormatter())
            axes[row][col].grid(True, which="both", alpha=0.3)
    axes[0][0].legend(fontsize=7, loc="upper left")
    lines = [
        f"{t['workload']} N={t['n']}: {t['speedup']:.0f}x [{t['speedup_low']:.0f}-"
        f"{t['speedup_high']:.0f}] faster than dense chunk=64"
        + (" (extrapolated)" if t["dense_extrapolated"] else "")
        + f", 1/{1 / t['memory_fraction']:.0f} of its peak memory"
        + (f" (at N={t['memory_n']})" if t.get("memory_n", t["n"]) != t["n"] else "")
        for t in data["targets"]
    ]
    fig.suptitle("Sparse Jacobians, default method: " + "\n".join(lines), fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    return fig
