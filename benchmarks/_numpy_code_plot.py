"""numpy_code.py's figure: per program and size, each method's time over the numpy function's
(median and [min-max] of interleaved rounds), coloured by family. Draws the saved data only."""

from __future__ import annotations

from typing import Any

from _numpy_methods import GROUPS, group_of
from plotting import subplots, summary_spread


def plot(data: dict[str, Any]) -> Any:
    runs, goals = data["runs"], data["goals"]
    cols = 4
    rows = -(-len(runs) // cols)
    fig, axes = subplots(rows, cols, figsize=(5.4 * cols, 4.4 * rows), squeeze=False)
    for ax, run in zip(axes.flat, runs, strict=False):
        shown = [q for q in run["points"] if "ratio" in q and q["method"] != "numpy"]
        ys = range(len(shown))
        for y, q in zip(ys, shown, strict=True):
            r, colour = q["ratio"], group_of(q["method"])[1]
            ax.barh(y, r["median"], color=colour, alpha=0.8)
            ax.errorbar(r["median"], y, xerr=summary_spread([r]), color="k", lw=0.8, capsize=2)
            label = f"{r['median']:.3g}x" + (" (1 call)" if q["rounds"] == 1 else "")
            ax.text(r["high"] * 1.15, y, label, va="center", fontsize=7)
        ax.set_yticks(list(ys), [q["method"] for q in shown], fontsize=7)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.axvline(1.0, color="k", lw=0.8)
        for goal, style in ((goals["jvp_ratio"], ":"), (goals["grad_ratio"], "--")):
            ax.axvline(goal, color="#888888", lw=0.8, ls=style)
        right = max((q["ratio"]["high"] for q in shown), default=10.0)
        ax.set_xlim(0.3, right * 12)
        ax.set_title(run["label"], fontsize=9)
        ax.set_xlabel("time / the numpy function's (log)", fontsize=8)
        skipped = [q["method"] for q in run["points"] if "skipped" in q] + list(
            run["peers_skipped"]
        )
        if skipped:
            ax.text(0.99, 0.01, "skipped: " + ", ".join(skipped), transform=ax.transAxes,
                    ha="right", va="bottom", fontsize=6, wrap=True)  # fmt: skip
    for ax in list(axes.flat)[len(runs) :]:
        ax.axis("off")
    last = list(axes.flat)[-1]
    if len(runs) < rows * cols:
        lines = [f"{k}: {'met' if t['met'] else 'NOT met'}" for k, t in _target_lines(data)]
        colours = [g[1] for g in GROUPS.values()]
        for i, (label, colour) in enumerate(zip([g[0] for g in GROUPS.values()], colours,
                                                 strict=True)):  # fmt: skip
            last.text(0.0, 1.0 - 0.07 * i, f"\u25a0 {label}", color=colour, fontsize=9,
                      transform=last.transAxes, va="top")  # fmt: skip
        last.text(-0.15, 0.55, "\n".join(lines) or "quick run: targets not judged", fontsize=7,
                  transform=last.transAxes, va="top")  # fmt: skip
    fig.suptitle(
        "Derivatives of numpy code, time / the numpy function's (median, [min-max] of "
        "interleaved rounds; dotted 4x, dashed 20x)",
        fontsize=10,
    )
    return fig


def _target_lines(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for t in data["targets"]:
        fig = t["figure"]
        figure = (
            "-"
            if fig is None
            else f"{fig['median']:.3g}" + (" s" if t["field"] == "seconds" else "x")
        )
        method = t["method"].replace("dualgrad ", "").replace("object ", "vs object: ")
        out.append((f"{t['problem']} {t['size']:,} {method} {figure}", t))
    return out
