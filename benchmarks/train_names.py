"""Training the character model on names: every gradient method, same model, data and optimizer.

The bigram (27 x 27 = 729 parameters) learns which letter follows which on the default names.
Every run starts from the same parameters, draws the same minibatches (seed 0, batch 32) and
updates with the same optimizer (Adam, learning rate 0.02, held constant so that a shorter run
is exactly the start of a longer one); only the way the gradient is obtained differs:

- random search, 10 tries per parameter (7,291 passes a step, 1-3 s: only 3 steps; 6 with
  --full),
- forward mode with one tangent, each parameter seeded in turn (729 passes a step: 51 steps;
  151 with --full),
- forward mode with all 729 tangents in one chunked pass (1 pass a step; 2,000 steps, like
  the forward gradients, and 1,000 of reverse mode; 8,000 and 4,000 with --full),
- the forward gradient with 1 and with 16 random directions (1 pass a step, noisy),
- reverse mode (1 pass plus 1 backward sweep a step).

Panel (a): loss against step; (b) against wall-clock seconds; (c) against the passes spent,
the honest currency of the tutorial's argument; (d) the validation loss each method reaches on a
fixed budget of passes. Every run is logged step by step to ``train_names_<method>.jsonl``
beside the plot; ``train_names.json`` holds the summary and the curves drawn.

Learning rate: 0.02, measured on this data with the learning rate constant: 0.05 and 0.1 leave
the exact-gradient runs noisier and make the forward gradient with one direction diverge.

    python benchmarks/train_names.py                 # -> plots/train_names.png, .json, *.jsonl
    python benchmarks/train_names.py --full          # 8,000 steps (2,000 by default)
    python benchmarks/train_names.py --names names.txt   # your own names, one per line
    python benchmarks/train_names.py --model mlp     # makemore's MLP instead of the bigram
    python benchmarks/train_names.py --quick         # a fast smoke run, into plots/quick/
    python benchmarks/train_names.py --replot        # redraw from plots/train_names.json
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from concurrent.futures import as_completed
from pathlib import Path
from typing import Any

from harness import Script
from plotting import subplots

from dualgrad.learn.data import Vocab, examples, load_names, split
from dualgrad.learn.models import MLP, Bigram, sample
from dualgrad.learn.train import evaluate, load_run, train
from dualgrad.learn.workers import process_pool

NAME = "train_names"
SEED = 0
SAMPLE_SEED = 7  # the same rng seed for every model's samples
N_SAMPLES = 6

# The order of the legend and of the report; the pool starts the longest runs first.
METHODS = [
    "random-search:10",
    "forward",
    "forward:all",
    "forward-gradient:1",
    "forward-gradient:16",
    "reverse",
]
LONGEST_FIRST = [
    "forward-gradient:16",
    "forward:all",
    "forward-gradient:1",
    "reverse",
    "forward",
    "random-search:10",
]
LABELS = {
    "random-search:10": "random search, 10 tries per parameter",
    "forward": "forward mode, 1 tangent (each parameter in turn)",
    "forward:all": "forward mode, all tangents in one chunked pass",
    "forward-gradient:1": "forward gradient, 1 random direction",
    "forward-gradient:16": "forward gradient, 16 random directions",
    "reverse": "reverse mode (backpropagation)",
}
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

# Steps per method family, chosen by measurement on a 2-core machine (bigram: one-pass
# methods 4-14 ms a step, forward one tangent ~150 ms, random search 1.3-2.7 s). The full
# run takes ~3 minutes with --jobs 2 (the slowest run, forward-gradient:16, sets the pace).
#   steps: the one-pass methods; reverse_steps: reverse (2 passes a step, so budget / 2 reach
#   the budget); forward_steps: forward with one tangent; search_steps: random search; budget:
#   the fixed budget of passes (forward passes + backward sweeps) compared in panel (d).
#   forward_steps - 1 is a multiple of eval_every, so reverse is evaluated at the step where
#   forward stops (the same-steps comparison).
SETTINGS = {
    "bigram": {
        "steps": 8000,
        "reverse_steps": 4000,
        "forward_steps": 151,
        "search_steps": 6,
        "budget": 8000,
        "eval_every": 50,
        "lr": 0.02,
        "batch_size": 32,
    },
    "mlp": {
        "steps": 1000,
        "reverse_steps": 500,
        "forward_steps": 11,
        "search_steps": 1,
        "budget": 1000,
        "eval_every": 10,
        "lr": 0.02,
        "batch_size": 32,
    },
}
# The default run of the bigram: the first 2,000 steps of the same runs (the learning rate is
# constant, so a shorter run is the start of a longer one), 51 steps of one-tangent forward
# mode and 3 of random search; ~35 s on an idle 2-core machine. --full runs SETTINGS as is.
SHORTER = {
    "bigram": {
        "steps": 2000,
        "reverse_steps": 1000,
        "forward_steps": 51,
        "search_steps": 3,
        "budget": 2000,
    },
}
QUICK = {
    "steps": 40,
    "reverse_steps": 40,
    "forward_steps": 6,
    "search_steps": 1,
    "budget": 500,
    "eval_every": 5,
}
QUICK_LETTERS = set("aeilnr")  # --quick keeps names spelled with these: a 7-symbol vocabulary


def safe(method: str) -> str:
    """A file-name form of a method name (no ':')."""
    return method.replace(":", "-")


def make_model(kind: str, vocab_size: int):
    return Bigram(vocab_size) if kind == "bigram" else MLP(vocab_size)


def train_one(job: dict) -> dict:
    """One training run (in a worker process or not): its log file, samples and wall time."""
    vocab = Vocab(job["names"])
    model = make_model(job["model"], vocab.size)
    train_names, val_names = split(job["names"], seed=SEED)
    train_pairs = examples(train_names, vocab, model.context)
    val_pairs = examples(val_names, vocab, model.context)
    start = time.perf_counter()
    run = train(
        model,
        train_pairs,
        val_pairs,
        job["method"],
        job["steps"],
        batch_size=job["batch_size"],
        optimizer="adam",
        lr=job["lr"],
        decay=False,
        seed=SEED,
        eval_every=job["eval_every"],
        eval_size=len(val_pairs),
        log_path=job["log_path"],
        progress=False,
    )
    wall = time.perf_counter() - start
    rng = random.Random(SAMPLE_SEED)
    samples = [
        vocab.decode(sample(model, run.params, vocab.size, rng)[:-1]) for _ in range(N_SAMPLES)
    ]
    return {"method": job["method"], "samples": samples, "wall": wall}


def smooth(xs: list[float], factor: float = 1.25) -> list[float]:
    """Light smoothing for a log step axis: at step s, the mean over steps s/factor..s*factor.

    The window depends on the step alone, so two runs with the same losses draw the same curve
    whatever their lengths (an exponential average would lag, and differently per run).
    """
    prefix = [0.0]
    for x in xs:
        prefix.append(prefix[-1] + x)
    n, out = len(xs), []
    for s in range(1, n + 1):
        lo, hi = max(1, int(s / factor)), min(n, math.ceil(s * factor))
        out.append((prefix[hi] - prefix[lo - 1]) / (hi - lo + 1))
    return out


def thin(n: int, points: int = 250) -> list[int]:
    """Indices 0..n-1 spread evenly on both a linear and a log axis (the curves drawn)."""
    if n <= 2 * points:
        return list(range(n))
    lin = {round(i * (n - 1) / (points - 1)) for i in range(points)}
    log = {round(math.exp(i * math.log(n) / (points - 1))) - 1 for i in range(points)}
    return sorted(lin | log)


def counting_baseline(names: list[str], vocab: Vocab) -> float:
    """Validation loss of the counted bigram table with add-one smoothing (makemore's answer)."""
    train_names, val_names = split(names, seed=SEED)
    v = vocab.size
    counts = [[1] * v for _ in range(v)]
    for (a,), b in examples(train_names, vocab, 1):
        counts[a][b] += 1
    totals = [sum(row) for row in counts]
    pairs = examples(val_names, vocab, 1)
    return -sum(math.log(counts[a][b] / totals[a]) for (a,), b in pairs) / len(pairs)


def summarize_run(method: str, log_path: Path, extra: dict) -> dict:
    """The summary and the drawn curves of one run, from its JSON-lines log."""
    run = load_run(log_path)
    recs = run.steps
    cost, costs = 0, []  # passes: forward passes + backward sweeps, cumulative
    for r in recs:
        cost += r["passes"] + r["backward_passes"]
        costs.append(cost)
    smoothed = smooth([r["loss"] for r in recs])
    idx = thin(len(recs))
    val = [(i, r) for i, r in enumerate(recs) if r["val_loss"] is not None]
    return {
        "method": method,
        "label": LABELS.get(method, method),
        "log": log_path.name,
        "steps": len(recs),
        "passes_per_step": recs[0]["passes"],
        "backward_per_step": recs[0]["backward_passes"],
        "passes": costs[-1],
        "seconds": recs[-1]["seconds_total"],
        "seconds_per_step": recs[-1]["seconds_total"] / len(recs),
        "final_val_loss": recs[-1]["val_loss"],
        "samples": extra["samples"],
        # training curve: x = updates done (step + 1); the batch loss is measured before it
        "curve": {
            "step": [recs[i]["step"] + 1 for i in idx],
            "loss": [smoothed[i] for i in idx],
        },
        # validation after the update of that step, with what had been spent by then
        "val": {
            "step": [r["step"] + 1 for _, r in val],
            "val_loss": [r["val_loss"] for _, r in val],
            "passes": [costs[i] for i, _ in val],
            "seconds": [r["seconds_total"] for _, r in val],
        },
    }


def budget_reading(m: dict, budget: int, initial: float) -> dict:
    """The validation loss of run `m` at the last evaluation within `budget` passes."""
    v = m["val"]
    within = [i for i, p in enumerate(v["passes"]) if p <= budget]
    base = {"method": m["method"], "reached": m["passes"] >= budget}
    if not within:
        return {**base, "val_loss": initial, "steps": 0, "passes": 0, "seconds": 0.0}
    i = within[-1]
    return {
        **base,
        "val_loss": v["val_loss"][i],
        "steps": v["step"][i],
        "passes": v["passes"][i],
        "seconds": v["seconds"][i],
    }


def same_steps(methods: dict, losses: dict) -> dict:
    """Forward (one tangent) against reverse after the same number of updates."""
    fwd, rev = methods["forward"], methods["reverse"]
    rev_val = dict(zip(rev["val"]["step"], rev["val"]["val_loss"], strict=True))
    fwd_val = dict(zip(fwd["val"]["step"], fwd["val"]["val_loss"], strict=True))
    s = max(step for step in fwd_val if step in rev_val)
    a, b = losses["forward"], losses["reverse"]
    n = min(len(a), len(b))
    return {
        "steps": s,
        "forward_val_loss": fwd_val[s],
        "reverse_val_loss": rev_val[s],
        "difference": abs(fwd_val[s] - rev_val[s]),
        "max_batch_loss_difference": max(abs(x - y) for x, y in zip(a[:n], b[:n], strict=True)),
        "batch_losses_compared": n,
    }


def run(names: list[str], source: str, kind: str, settings: dict, out: Path, jobs: int) -> dict:
    vocab = Vocab(names)
    model = make_model(kind, vocab.size)
    train_names, val_names = split(names, seed=SEED)
    val_pairs = examples(val_names, vocab, model.context)
    initial = evaluate(model, model.init_params(SEED), val_pairs)
    steps_of = {
        "random-search:10": settings["search_steps"],
        "forward": settings["forward_steps"],
        "reverse": settings["reverse_steps"],
    }
    job_list = []
    for method in LONGEST_FIRST:
        one_tangent = method in ("random-search:10", "forward")
        job_list.append(
            {
                "method": method,
                "names": names,
                "model": kind,
                "steps": steps_of.get(method, settings["steps"]),
                "eval_every": 1 if one_tangent else settings["eval_every"],
                "lr": settings["lr"],
                "batch_size": settings["batch_size"],
                "log_path": str(out / f"{NAME}_{safe(method)}.jsonl"),
            }
        )
    print(
        f"training {len(job_list)} runs of {model!r} ({model.num_params} parameters), "
        f"{jobs} at a time ...",
        flush=True,
    )
    start = time.perf_counter()
    results = {}
    if jobs > 1:
        with process_pool(jobs) as pool:  # workers end if this process is killed
            futures = [pool.submit(train_one, job) for job in job_list]
            for fut in as_completed(futures):
                res = fut.result()
                results[res["method"]] = res
                print(f"  {res['method']:20s} done in {res['wall']:6.1f} s", flush=True)
    else:
        for job in job_list:
            res = train_one(job)
            results[res["method"]] = res
            print(f"  {res['method']:20s} done in {res['wall']:6.1f} s", flush=True)
    total = time.perf_counter() - start
    methods, losses = {}, {}
    for job in job_list:
        path = Path(job["log_path"])
        methods[job["method"]] = summarize_run(job["method"], path, results[job["method"]])
        losses[job["method"]] = load_run(path).losses
    budget = settings["budget"]
    data = {
        "model": repr(model),
        "model_kind": kind,
        "n_params": model.num_params,
        "vocab": "".join(vocab.itos),
        "names_source": source,
        "n_names": len(names),
        "n_train_names": len(train_names),
        "n_val_names": len(val_names),
        "n_val_pairs": len(val_pairs),
        "batch_size": settings["batch_size"],
        "optimizer": "adam",
        "lr": settings["lr"],
        "decay": False,
        "seed": SEED,
        "sample_seed": SAMPLE_SEED,
        "jobs": jobs,
        "settings": settings,
        "initial_val_loss": initial,
        "uniform_loss": math.log(vocab.size),
        "counting_val_loss": counting_baseline(names, vocab) if kind == "bigram" else None,
        "budget": budget,
        "budget_readings": [budget_reading(methods[m], budget, initial) for m in METHODS],
        "same_steps": same_steps(methods, losses),
        "wall_seconds": total,
        "methods": [methods[m] for m in METHODS],
    }
    return data


def report(data: dict) -> None:
    print(
        f"{data['model']}: {data['n_params']} parameters; {data['n_names']:,} names "
        f"({data['names_source']}): {data['n_train_names']:,} train / {data['n_val_names']:,} "
        f"val; batch {data['batch_size']}, Adam lr {data['lr']} constant, seed {data['seed']}"
    )
    print(f"validation loss at the start {data['initial_val_loss']:.4f}", end="")
    if data["counting_val_loss"] is not None:
        print(f"; counting bigrams (add-one smoothing) gives {data['counting_val_loss']:.4f}")
    else:
        print()
    print(
        f"  {'method':20s} {'steps':>6s} {'passes/step':>12s} {'passes':>9s} "
        f"{'seconds':>8s} {'ms/step':>9s} {'final val':>9s}"
    )
    for m in data["methods"]:
        per = f"{m['passes_per_step']}" + (
            f"+{m['backward_per_step']} bwd" if m["backward_per_step"] else ""
        )
        print(
            f"  {m['method']:20s} {m['steps']:6,d} {per:>12s} {m['passes']:9,d} "
            f"{m['seconds']:8.1f} {m['seconds_per_step'] * 1e3:9.1f} {m['final_val_loss']:9.4f}"
        )
    b = data["budget"]
    print(f"validation loss on a fixed budget of {b:,} passes (forward passes + backward sweeps):")
    for r in data["budget_readings"]:
        note = ""
        if r["steps"] == 0:
            note = "  (not one step fits in the budget: the starting loss)"
        elif not r["reached"]:
            note = "  (the run ended before the budget)"
        print(
            f"  {r['method']:20s} {r['val_loss']:.4f}  after {r['steps']:,} "
            f"step{'' if r['steps'] == 1 else 's'} "
            f"({r['passes']:,} passes, {r['seconds']:.1f} s){note}"
        )
    s = data["same_steps"]
    print(
        f"after the same {s['steps']} steps: forward {s['forward_val_loss']:.6f}, reverse "
        f"{s['reverse_val_loss']:.6f}, |difference| {s['difference']:.2e} nats (within 0.05: "
        f"{'yes' if s['difference'] <= 0.05 else 'NO'}); batch losses differ by at most "
        f"{s['max_batch_loss_difference']:.1e} over {s['batch_losses_compared']} steps"
    )
    print(f"wall time of the training runs: {data['wall_seconds']:.1f} s, {data['jobs']} at a time")
    print(f"names sampled from each trained model (rng seed {data['sample_seed']}):")
    for m in data["methods"]:
        shown = ", ".join(name or "''" for name in m["samples"])  # '' : ended at once
        print(f"  {m['method']:20s} {shown}")


def plot(data: dict) -> Any:
    from matplotlib.ticker import FuncFormatter

    fig, axes = subplots(2, 2, figsize=(16, 11.5))
    (ax_step, ax_time), (ax_pass, ax_bar) = axes
    methods = data["methods"]
    budget = data["budget"]
    readings = {r["method"]: r for r in data["budget_readings"]}

    def label(m: dict) -> str:
        per = f"{m['passes_per_step']:,} passes"
        if m["backward_per_step"]:
            per = f"{m['passes_per_step']} pass + {m['backward_per_step']} backward"
        elif m["passes_per_step"] == 1:
            per = "1 pass"
        return f"{m['label']}: {per}/step, {m['steps']:,} steps"

    # (a) loss against step: smoothed batch loss (line) and validation loss (points)
    for m in methods:
        c, v = m["curve"], m["val"]
        col = COLORS.get(m["method"], "black")
        # the three exact methods draw the same curve: wide, thin and dashed so all show
        ax_step.plot(c["step"], c["loss"], color=col, label=label(m), **STYLE.get(m["method"], {}))
        every = max(1, len(v["step"]) // 25)
        ax_step.plot(
            v["step"][::every],
            v["val_loss"][::every],
            MARKERS.get(m["method"], "o"),
            color=col,
            ms=4.5,
            mec="black",
            mew=0.4,
            ls="none",
        )
    ax_step.set_xscale("log")
    ax_step.set_xlabel("step (parameter updates, log scale)")
    ax_step.set_title(
        "(a) loss per step: the exact gradients coincide\n"
        "lines: batch loss (smoothed); markers: validation loss"
    )
    ax_step.plot([], [], "o", color="#bbb", mec="black", mew=0.4, label="markers: validation loss")

    # (b) against wall time, (c) against passes: the validation loss as spent
    for ax, key in ((ax_time, "seconds"), (ax_pass, "passes")):
        for m in methods:
            v = m["val"]
            ax.plot(
                v[key],
                v["val_loss"],
                color=COLORS.get(m["method"], "black"),
                marker=MARKERS.get(m["method"], "o"),
                markevery=max(1, len(v[key]) // 12),
                ms=5,
                mec="black",
                mew=0.4,
                lw=1.6,
            )
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
    ax_pass.text(
        budget * 1.08,
        0.97,
        f"budget\n{budget:,} passes",
        transform=ax_pass.get_xaxis_transform(),
        va="top",
        fontsize=9,
    )
    for m in methods:
        r = readings[m["method"]]
        if r["passes"]:
            ax_pass.plot(
                [r["passes"]],
                [r["val_loss"]],
                marker=MARKERS.get(m["method"], "o"),
                color=COLORS.get(m["method"], "black"),
                ms=10,
                mec="black",
                mew=1.2,
                ls="none",
                zorder=5,
            )
    thousands = FuncFormatter(lambda x, _: f"{x:,.0f}" if x >= 1 else f"{x:g}")
    ax_pass.xaxis.set_major_formatter(thousands)

    top = data["uniform_loss"] + 0.12
    low = min(min(m["val"]["val_loss"]) for m in methods)
    if data["counting_val_loss"] is not None:
        low = min(low, data["counting_val_loss"])
    for ax in (ax_step, ax_time, ax_pass):
        ax.axhline(data["uniform_loss"], color="#999", ls=":", lw=1)
        if data["counting_val_loss"] is not None:
            ax.axhline(data["counting_val_loss"], color="#555", ls="-.", lw=1)
        ax.set_ylabel("cross-entropy loss (nats per character)")
        ax.set_ylim(low - 0.08, top)
        ax.grid(alpha=0.3, which="both")
    lines = [(data["uniform_loss"], f"uniform guess: ln {len(data['vocab'])}", "bottom")]
    if data["counting_val_loss"] is not None:
        lines.append((data["counting_val_loss"], "counting bigrams (add-one)", "top"))
    for y, text, va in lines:
        ax_time.text(
            0.01,
            y,
            f" {text} = {y:.3f}",
            transform=ax_time.get_yaxis_transform(),
            va=va,
            fontsize=8,
            color="#555",
        )

    # (d) the fixed budget, side by side: each bar runs from the starting loss down to the loss
    # reached on the budget
    order = list(reversed(data["budget_readings"]))
    ys = list(range(len(order)))
    vals = [r["val_loss"] for r in order]
    initial = data["initial_val_loss"]
    ax_bar.barh(
        ys,
        [initial - v for v in vals],
        left=vals,
        color=[COLORS.get(r["method"], "black") for r in order],
        edgecolor="black",
        lw=0.5,
        height=0.6,
    )
    for y, r in zip(ys, order, strict=True):
        if r["steps"] == 0:
            what = "no step fits"
        else:
            what = f"{r['steps']:,} step{'' if r['steps'] == 1 else 's'}, {r['passes']:,} passes"
            if not r["reached"]:
                what += ", run ended"
        ax_bar.text(
            r["val_loss"] - 0.012,
            y,
            f"{r['val_loss']:.3f}\n({what})",
            va="center",
            ha="right",
            fontsize=9,
        )
    ax_bar.axvline(initial, color="black", lw=1)
    ax_bar.text(initial, -0.55, f"start {initial:.3f} ", ha="right", va="bottom", fontsize=9)
    if data["counting_val_loss"] is not None:
        ax_bar.axvline(data["counting_val_loss"], color="#555", ls="-.", lw=1)
        ax_bar.text(
            data["counting_val_loss"],
            len(order) - 0.55,
            " counting bigrams",
            va="bottom",
            fontsize=8,
            color="#555",
        )
    ax_bar.set_yticks(ys, [r["method"] for r in order])
    ax_bar.set_ylim(-0.6, len(order) - 0.1)
    ax_bar.set_xlim(min(vals) - 0.5, initial + 0.04)
    ax_bar.set_xlabel(f"validation loss after {budget:,} passes (nats per character)")
    ax_bar.set_title(
        f"(d) a fixed budget of {budget:,} passes, side by side:\n"
        "each bar runs from the starting loss down to the loss reached (longer is better)"
    )
    ax_bar.grid(alpha=0.3, axis="x")

    handles, labels = ax_step.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=9.5, frameon=False)
    for ax in axes.flat:
        ax.title.set_fontsize(11)
    s = data["same_steps"]
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


def quick_names(names: list[str]) -> list[str]:
    """A small data set with a small vocabulary, for a run of a few seconds."""
    subset = [n for n in names if set(n) <= QUICK_LETTERS]
    return subset if len(subset) >= 20 else names[:200]


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--names", type=Path, help="a names file, one name per line")
    parser.add_argument("--model", choices=sorted(SETTINGS), default="bigram")
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="runs trained at once, one per process (default: 2 on 2+ cores; 1 with --quick)",
    )
    parser.add_argument("--full", action="store_true", help="8,000 steps: the first run")


def compute(args: argparse.Namespace) -> dict:
    names = load_names(args.names)
    source = str(args.names) if args.names else "mimesis English first names"
    settings = dict(SETTINGS[args.model])
    jobs = max(1, args.jobs)
    if not args.full:
        settings.update(SHORTER.get(args.model, {}))
    if args.quick:
        names = quick_names(names)
        source += ", --quick subset"
        settings.update(QUICK)
        jobs = 1
    return run(names, source, args.model, settings, args.out, jobs)


main = Script(__file__, __doc__, compute, report, plot, options)


if __name__ == "__main__":
    sys.exit(main())
