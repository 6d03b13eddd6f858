"""Train the course's microgpt with forward mode and with reverse mode, and compare.

By default the course's configuration exactly (``GPTConfig.course()``: n_embd 16, 4 heads,
1 layer, block size 8, gauss(0, 0.02) weights with attn_wo and mlp_fc2 at zero, an rmsnorm
after the embedding, relu(x) ** 2; 4,064 parameters) trained by the course's recipe
(``COURSE_RECIPE``: Adam with lr 0.01, betas 0.9/0.95, eps 1e-8, the cosine decay
lr * 0.5 * (1 + cos(pi * step / 500)), 500 steps, one name per step in order); ``--ours``
trains our GPT instead (block size 16, gauss(0, 0.08), relu: 4,192 parameters; Adam 0.85/0.99,
linear decay, 600 names drawn at random). Only the gradient differs between the two runs:
forward mode carries every tangent in one pass (``"forward:all"``), reverse mode walks the
graph back once (``"reverse"``). Both are exact, so the two runs have the same loss at every
step; benchmarks/microgpt_timing.py measures what a step costs each way.

    python examples/microgpt.py            # -> plots/microgpt.png, microgpt.json, run logs
    python examples/microgpt.py --ours     # our GPT and recipe (same output files)
    python examples/microgpt.py --quick    # a few steps on a few names, into plots/quick/
    python examples/microgpt.py --replot   # redraw from the saved data
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys

from dualgrad.learn.data import Vocab, load_names, sequences, split
from dualgrad.learn.gpt import COURSE_RECIPE, OUR_RECIPE
from dualgrad.learn.models import GPT, GPTConfig, sample
from dualgrad.learn.script import Script
from dualgrad.learn.train import train

SEED = 42
METHODS = {"reverse": "#d62728", "forward:all": "#2ca02c"}


def compute(args) -> dict:
    names = sorted(load_names())
    random.Random(SEED).shuffle(names)
    vocab = Vocab(names)  # all 26 letters and the end mark, whatever the subset
    names = names[:60] if args.quick else names
    train_names, val_names = split(names, 0.1, seed=SEED)
    which = "ours" if args.ours else "course"
    recipe = OUR_RECIPE if args.ours else COURSE_RECIPE
    model = GPT(GPTConfig() if args.ours else GPTConfig.course(vocab.size))
    steps = 3 if args.quick else recipe.steps
    runs, samples = {}, {}
    for method in METHODS:
        log = args.out / f"microgpt_{method.replace(':', '_')}.jsonl"
        runs[method] = run = train(
            model,
            sequences(train_names, vocab),
            sequences(val_names, vocab),
            method,
            steps,
            batch_size=1,
            seed=SEED,
            **recipe.train_options(),
            eval_size=200,
            log_path=log,
            progress=not args.quick,
        )
        rng = random.Random(SEED)
        samples[method] = [
            vocab.decode(sample(model, run.params, vocab.size, rng, temperature=0.5)[:-1])
            for _ in range(8)
        ]
    losses = {m: r.losses for m, r in runs.items()}
    return {
        "model": which,
        "config": repr(model.config),
        "recipe": {**recipe.train_options(), "steps": recipe.steps},
        "n_params": model.num_params,
        "steps": steps,
        "val_loss": {m: r.val_losses[-1][1] for m, r in runs.items()},
        "losses": losses,
        "seconds_per_step": {m: r.steps[-1]["seconds_total"] / steps for m, r in runs.items()},
        "samples": samples,
    }


def report(data: dict) -> None:
    f, r = data["losses"]["forward:all"], data["losses"]["reverse"]
    tail, worst = min(50, len(r)), max(abs(a - b) for a, b in zip(f, r, strict=True))
    print(f"{'step':>4}  {'forward:all loss':>18}  {'reverse loss':>18}")
    for i in range(0, len(r), max(1, len(r) // 12)):
        print(f"{i:4d}  {f[i]:18.14f}  {r[i]:18.14f}")
    who = {"course": "the course's microgpt", "ours": "our GPT"}[data["model"]]
    print(f"{who}, {data['n_params']:,} parameters: {data['config']}")
    print(f"trained {data['steps']} steps with {data['recipe']}")
    print(
        f"largest |difference| over {len(r)} steps: {worst:.1e}; "
        f"mean loss of the last {tail} steps {statistics.fmean(r[-tail:]):.3f} (first {r[0]:.3f})"
    )
    print(
        f"loss after {len(r)} steps: {r[-1]:.4f} at the last name; validation loss "
        f"{data['val_loss']['reverse']:.4f} (forward:all {data['val_loss']['forward:all']:.4f})"
    )
    for m, t in data["seconds_per_step"].items():
        print(f"{m}: {t * 1e3:.0f} ms a training step; samples: {', '.join(data['samples'][m])}")


def plot(data: dict):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 4.8))
    ax1, ax2 = fig.subplots(1, 2)

    def running_mean(xs: list[float], k: int = 25) -> list[float]:
        return [statistics.fmean(xs[max(0, i - k + 1) : i + 1]) for i in range(len(xs))]

    for (m, color), style in zip(
        METHODS.items(), ({"lw": 5, "alpha": 0.4}, {"ls": "--"}), strict=True
    ):
        ax1.plot(running_mean(data["losses"][m]), color=color, label=m, **style)
    ax1.set(xlabel="step (one name per step)", ylabel="cross-entropy (nats)")
    ax1.set_title("training loss (running mean of 25 names)")
    ax1.legend()
    f, r = data["losses"]["forward:all"], data["losses"]["reverse"]
    ax2.semilogy([max(abs(a - b), 1e-18) for a, b in zip(f, r, strict=True)], ".", color="#555")
    ax2.set(ylim=(1e-19, 1e-10), xlabel="step", ylabel="|forward loss - reverse loss|")
    ax2.set_title("the difference, step by step (exact 0 drawn at 1e-18)")
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    who = {"course": "The course's microgpt", "ours": "Our GPT"}[data["model"]]
    fig.suptitle(
        f"{who} ({data['n_params']:,} parameters) trained by forward and reverse mode, "
        f"{data['steps']} names"
    )
    return fig


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ours",
        action="store_true",
        help="train our GPT (4,192 parameters, linear decay) instead of the course's (4,064)",
    )


main = Script(__file__, __doc__, compute, report, plot, options)


if __name__ == "__main__":
    sys.exit(main())
