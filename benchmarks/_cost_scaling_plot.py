"""cost_scaling.py's figure: (a) exact passes per gradient, (b) measured seconds per gradient
with fitted slopes, (c) one gradient on worker processes. Draws the saved data only."""

from __future__ import annotations

from typing import Any

from _cost_scaling_sweep import METHODS, PASS_FORMULA, exact_passes
from harness import summarize
from plotting import machine_line, seconds, spread, subplots

BELOW = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.11), "fontsize": 9}  # legends


def plot(data: dict) -> Any:
    fig, (ax1, ax2, ax3) = subplots(1, 3, figsize=(19, 7.2), width_ratios=[1, 1.15, 0.75])
    passes_panel(ax1, data)
    seconds_panel(ax2, data)
    workers_panel(ax3, data)
    fig.suptitle(
        f"Cost of one full gradient vs parameter count N: character MLP (V = "
        f"{data['vocab_size']}, context {data['context']}, batch {data['batch_size']}), "
        f"{machine_line(data)}",
        fontsize=13,
    )
    return fig


def passes_panel(ax: Any, data: dict) -> None:
    """(a) exact pass counts."""
    ns = [s["n"] for s in data["sizes"]]
    for method in (m for m in METHODS if m != "float"):
        label, colour, marker = METHODS[method]
        ys = [exact_passes(method, n) for n in ns]
        formula = PASS_FORMULA[method]
        if method == "reverse":
            formula = "1 forward + 1 backward, drawn as 2"
        ax.plot(ns, ys, marker=marker, color=colour, lw=2, ms=7, label=f"{label}: {formula}")
        ax.annotate(f"{ys[-1]:,}", (ns[-1], ys[-1]), xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize=9, color=colour)  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(min(ns) / 1.3, max(ns) * 2.2)
    ax.set_ylim(0.7, exact_passes("random_search", max(ns)) * 3)
    ax.set_xlabel("parameters N (log scale)")
    ax.set_ylabel("forward passes per gradient (log scale)")
    ax.set_title("(a) passes per full gradient (exact counts)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(**BELOW, ncol=1)


def seconds_panel(ax: Any, data: dict) -> None:
    """(b) measured seconds, with fitted slopes; hollow markers where a sample was scaled."""
    from matplotlib.lines import Line2D

    fits = data["fits"]
    handles = []
    for method in METHODS:
        label, colour, marker = METHODS[method]
        pts = sorted((p for p in data["points"] if p["method"] == method), key=lambda p: p["n"])
        xs = [p["n"] for p in pts]
        med = [p["median"] for p in pts]
        slope = f", slope {fits[method]['slope']:.2f}" if method in fits else ""
        ls = "--" if method == "float" else "-"
        ax.plot(xs, med, ls=ls, color=colour, lw=1.8)
        handles.append(
            Line2D([], [], ls=ls, color=colour, lw=1.8, marker=marker, ms=7, label=label + slope)
        )
        yerr = spread(med, [p["seconds"] for p in pts])
        ax.errorbar(xs, med, yerr=yerr, fmt="none", ecolor=colour, capsize=3, lw=1)
        for p in pts:
            face = "white" if p["extrapolated"] else colour
            ax.plot([p["n"]], [p["median"]], marker=marker, ms=8, color=colour, mfc=face,
                    mew=1.8, ls="none")  # fmt: skip
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("parameters N (log scale)")
    ax.set_ylabel("seconds per full gradient (log scale; median, min-max bars)")
    ax.set_title(f"(b) measured time per gradient, {data['repeats']} interleaved repeats")
    ax.grid(alpha=0.3, which="both")
    filled = {"marker": "o", "color": "#333", "ls": "none", "ms": 8}
    handles += [
        Line2D([], [], **filled, label="filled: every pass timed"),
        Line2D([], [], **filled, mfc="white", mew=1.8, label="hollow: a sample timed, scaled to N"),
    ]
    ax.legend(handles=handles, **BELOW, ncol=2)


def workers_panel(ax: Any, data: dict) -> None:
    """(c) one one-tangent gradient serial and on 1 and 2 workers, with the speedups."""
    w = data["workers"]
    cases = w["cases"]
    med = [summarize(c["seconds"]).median for c in cases]
    lo, hi = spread(med, [c["seconds"] for c in cases])
    colours = ["#888888", "#74c476", "#1a9641"]
    xs = range(len(cases))
    bars = ax.bar(xs, med, yerr=[lo, hi], capsize=5, color=colours, width=0.6)
    speedups = [1.0, w["speedup_1"]["median"], w["speedup_2"]["median"]]
    for bar, sp in zip(bars, speedups, strict=True):
        ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() * 1.04 + max(hi),
                f"{seconds(bar.get_height())}\nspeedup {sp:.2f}x", ha="center", va="bottom",
                fontsize=10)  # fmt: skip
    ax.axhline(med[0] / 2, color="#1a9641", ls=":", lw=1.5, label="ideal for 2 workers: serial / 2")
    pool = "processes" if w["executor"] == "ProcessPoolExecutor" else "threads (quick run)"
    ticks = [
        f"{c['label']}\n({c['tasks']} task{'s' * (c['tasks'] > 1)})"
        if c["workers"]
        else "serial\n(no pool)"
        for c in cases
    ]
    ax.set_xticks(list(xs), ticks)
    ax.set_ylim(0, (max(med) + max(hi)) * 1.3)
    ax.set_ylabel("seconds per one-tangent gradient (median, min-max bars)")
    ax.set_title(f"(c) one N = {w['n']:,} one-tangent gradient\non worker {pool}")
    ax.legend(**BELOW)
    ax.text(0.5, -0.2, workers_note(data), transform=ax.transAxes, ha="center", va="top",
            fontsize=9, color="#444")  # fmt: skip


def workers_note(data: dict) -> str:
    """Under panel (c): how the workers ran, and the machine's load when other processes
    competed for the cores (this run itself accounts for ~1)."""
    w = data["workers"]
    note = (
        f"{w['executor']}, {w['cpu_count']} CPUs, value_and_grad's default\n"
        f"{w['tasks_per_worker']} tasks per worker; timed on {w['sample']} sampled "
        f"parameters x {w['scale']:.2f}"
    )
    load = data.get("load_average") or [None, None]
    if None not in load and max(load) > 1.5:
        note += (
            f"\nmachine load {load[0]:.1f} -> {load[1]:.1f} on {data['cpu_count']} CPUs during "
            "the run:\nother processes competed for the cores"
        )
    return note
