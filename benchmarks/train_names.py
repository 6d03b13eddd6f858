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
import os
import sys
from pathlib import Path

from _train_names_plot import plot
from _train_names_runs import run
from harness import Script

from dualgrad.learn.data import load_names

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
