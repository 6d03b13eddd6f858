"""train_names.py's figure: the validation loss (a) per step, (b) against time, (c) against the
passes spent, and (d) on a fixed budget of passes, side by side. Draws the saved data only."""

from __future__ import annotations

from typing import Any

from plotting import subplots

COLORS = {
    "random-search:10": "#7f7f7f",
    "forward": "#1f77b4",
    "forward:all": "#17becf",
    "forward-gradient:1": "#ff7f0e",
    "forward-gradient:16": "#d62728",
    "reverse": "#2ca02c",
}
STYLE = {  # line styles in panel (a), where the exact methods overlap
    "forward": {"lw": 5, "alpha": 0.45},
    "forward:all": {"lw": 1.6, "ls": (0, (4, 3)), "zorder": 4},
}
MARKERS = {
    "random-search:10": "s",
    "forward": "o",
    "forward:all": "^",
    "forward-gradient:1": "v",
    "forward-gradient:16": "D",
    "reverse": "P",
}


def plot(data: dict) -> Any:
    fig, axes = subplots(2, 2, figsize=(16, 11.5))
    (ax_step, ax_time), (ax_pass, ax_bar) = axes
    step_panel(ax_step, data)
    spent_panels(ax_time, ax_pass, data)
    loss_axes((ax_step, ax_time, ax_pass), ax_time, data)
    budget_panel(ax_bar, data)
    handles, labels = ax_step.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=9.5, frameon=False)
    for ax in axes.flat:
        ax.title.set_fontsize(11)
    s, methods = data["same_steps"], data["methods"]
    fig.suptitle(
        f"Training {data['model']} ({data['n_params']} parameters) on {data['n_names']:,} names: "
        f"same data, batches (32), seed and Adam (lr {data['lr']}), only the gradient differs\n"
        f"forward vs reverse after {s['steps']} steps: validation loss "
        f"{s['forward_val_loss']:.4f} vs {s['reverse_val_loss']:.4f}; random search ran "
        f"{methods[0]['steps']} steps only ({methods[0]['seconds_per_step']:.1f} s each)",
        fontsize=12,
    )
    fig.set_layout_engine("tight", rect=(0, 0.09, 1, 1))
    return fig


def legend_label(m: dict) -> str:
    """A run in the legend: its method, what one step costs, how many steps it took."""
    per = f"{m['passes_per_step']:,} passes"
    if m["backward_per_step"]:
        per = f"{m['passes_per_step']} pass + {m['backward_per_step']} backward"
    elif m["passes_per_step"] == 1:
        per = "1 pass"
    return f"{m['label']}: {per}/step, {m['steps']:,} steps"


def step_panel(ax: Any, data: dict) -> None:
    """(a) loss against step: smoothed batch loss (line) and validation loss (points)."""
    for m in data["methods"]:
        c, v = m["curve"], m["val"]
        col = COLORS.get(m["method"], "black")
        # the three exact methods draw the same curve: wide, thin and dashed so all show
        ax.plot(
            c["step"], c["loss"], color=col, label=legend_label(m), **STYLE.get(m["method"], {})
        )
        every = max(1, len(v["step"]) // 25)
        ax.plot(v["step"][::every], v["val_loss"][::every], MARKERS.get(m["method"], "o"),
                color=col, ms=4.5, mec="black", mew=0.4, ls="none")  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("step (parameter updates, log scale)")
    ax.set_title(
        "(a) loss per step: the exact gradients coincide\n"
        "lines: batch loss (smoothed); markers: validation loss"
    )
    ax.plot([], [], "o", color="#bbb", mec="black", mew=0.4, label="markers: validation loss")


def spent_panels(ax_time: Any, ax_pass: Any, data: dict) -> None:
    """(b) against wall time, (c) against passes: the validation loss as spent, and in (c) the
    loss each run reached on the budget."""
    from matplotlib.ticker import FuncFormatter

    methods, budget = data["methods"], data["budget"]
    for ax, key in ((ax_time, "seconds"), (ax_pass, "passes")):
        for m in methods:
            v = m["val"]
            ax.plot(v[key], v["val_loss"], color=COLORS.get(m["method"], "black"),
                    marker=MARKERS.get(m["method"], "o"), markevery=max(1, len(v[key]) // 12),
                    ms=5, mec="black", mew=0.4, lw=1.6)  # fmt: skip
        ax.set_xscale("log")
    ax_time.set_xlabel("wall-clock seconds of training (log scale; evaluation not counted)")
    ax_time.set_title("(b) validation loss against time")
    ax_pass.set_xlabel("passes spent: forward passes + backward sweeps (log scale)")
    ax_pass.set_title(
        "(c) validation loss against passes, the honest currency\n"
        f"per step: random search {methods[0]['passes_per_step']:,}, forward "
        f"{methods[1]['passes_per_step']:,}, chunked 1, forward gradient 1, reverse 1 + 1"
    )
    ax_pass.axvline(budget, color="black", ls="--", lw=1)
    ax_pass.text(budget * 1.08, 0.97, f"budget\n{budget:,} passes",
                 transform=ax_pass.get_xaxis_transform(), va="top", fontsize=9)  # fmt: skip
    readings = {r["method"]: r for r in data["budget_readings"]}
    for m in methods:
        r = readings[m["method"]]
        if r["passes"]:
            ax_pass.plot([r["passes"]], [r["val_loss"]], marker=MARKERS.get(m["method"], "o"),
                         color=COLORS.get(m["method"], "black"), ms=10, mec="black", mew=1.2,
                         ls="none", zorder=5)  # fmt: skip
    thousands = FuncFormatter(lambda x, _: f"{x:,.0f}" if x >= 1 else f"{x:g}")
    ax_pass.xaxis.set_major_formatter(thousands)


def loss_axes(loss_panels: tuple[Any, ...], ax_time: Any, data: dict) -> None:
    """The loss axes of (a)-(c): one range, the uniform guess and counting's loss as lines
    (named once, in (b))."""
    counting = data["counting_val_loss"]
    top = data["uniform_loss"] + 0.12
    low = min(min(m["val"]["val_loss"]) for m in data["methods"])
    if counting is not None:
        low = min(low, counting)
    for ax in loss_panels:
        ax.axhline(data["uniform_loss"], color="#999", ls=":", lw=1)
        if counting is not None:
            ax.axhline(counting, color="#555", ls="-.", lw=1)
        ax.set_ylabel("cross-entropy loss (nats per character)")
        ax.set_ylim(low - 0.08, top)
        ax.grid(alpha=0.3, which="both")
    lines = [(data["uniform_loss"], f"uniform guess: ln {len(data['vocab'])}", "bottom")]
    if counting is not None:
        lines.append((counting, "counting bigrams (add-one)", "top"))
    for y, text, va in lines:
        ax_time.text(0.01, y, f" {text} = {y:.3f}", transform=ax_time.get_yaxis_transform(),
                     va=va, fontsize=8, color="#555")  # fmt: skip


def budget_panel(ax: Any, data: dict) -> None:
    """(d) the fixed budget, side by side: each bar runs from the starting loss down to the
    loss reached on the budget."""
    budget, counting = data["budget"], data["counting_val_loss"]
    order = list(reversed(data["budget_readings"]))
    ys = list(range(len(order)))
    vals = [r["val_loss"] for r in order]
    initial = data["initial_val_loss"]
    ax.barh(ys, [initial - v for v in vals], left=vals, edgecolor="black", lw=0.5, height=0.6,
            color=[COLORS.get(r["method"], "black") for r in order])  # fmt: skip
    for y, r in zip(ys, order, strict=True):
        if r["steps"] == 0:
            what = "no step fits"
        else:
            what = f"{r['steps']:,} step{'' if r['steps'] == 1 else 's'}, {r['passes']:,} passes"
            if not r["reached"]:
                what += ", run ended"
        ax.text(r["val_loss"] - 0.012, y, f"{r['val_loss']:.3f}\n({what})", va="center",
                ha="right", fontsize=9)  # fmt: skip
    ax.axvline(initial, color="black", lw=1)
    ax.text(initial, -0.55, f"start {initial:.3f} ", ha="right", va="bottom", fontsize=9)
    if counting is not None:
        ax.axvline(counting, color="#555", ls="-.", lw=1)
        ax.text(counting, len(order) - 0.55, " counting bigrams", va="bottom", fontsize=8,
                color="#555")  # fmt: skip
    ax.set_yticks(ys, [r["method"] for r in order])
    ax.set_ylim(-0.6, len(order) - 0.1)
    ax.set_xlim(min(vals) - 0.5, initial + 0.04)
    ax.set_xlabel(f"validation loss after {budget:,} passes (nats per character)")
    ax.set_title(
        f"(d) a fixed budget of {budget:,} passes, side by side:\n"
        "each bar runs from the starting loss down to the loss reached (longer is better)"
    )
    ax.grid(alpha=0.3, axis="x")
