"""Train microgpt's 4,192-parameter GPT with forward mode and with reverse mode, and compare.

Same model (``dualgrad.learn.models.GPT``), same names, same seed, same Adam (lr 0.01, betas
0.85/0.99, linear decay), one name per step; only the gradient differs: forward mode carries
all 4,192 tangents in one pass (``"forward:all"``), reverse mode walks the graph back once
(``"reverse"``). Both are exact, so the two runs have the same loss at every step; the
benchmark benchmarks/microgpt_timing.py measures what a step costs each way.

    python examples/microgpt.py            # -> plots/microgpt.png, microgpt.json, run logs
    python examples/microgpt.py --quick    # a few steps on a few names, into plots/quick/
    python examples/microgpt.py --replot   # redraw from the saved data
"""

from __future__ import annotations

import random
import statistics
import sys

from dualgrad.learn.data import Vocab, load_names, sequences, split
from dualgrad.learn.models import GPT, sample
from dualgrad.learn.script import Script, pyplot
from dualgrad.learn.train import train

SEED = 42
METHODS = {"reverse": "#d62728", "forward:all": "#2ca02c"}


def compute(args) -> dict:
    names = sorted(load_names())
    random.Random(SEED).shuffle(names)
    vocab = Vocab(names)  # all 26 letters and the end mark, whatever the subset
    names = names[:60] if args.quick else names
    train_names, val_names = split(names, 0.1, seed=SEED)
    model, steps = GPT(), 3 if args.quick else 600
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
            lr=0.01,
            seed=SEED,
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
        "n_params": model.num_params,
        "steps": steps,
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
    print(
        f"largest |difference| over {len(r)} steps: {worst:.1e}; "
        f"mean loss of the last {tail} steps {statistics.fmean(r[-tail:]):.3f} (first {r[0]:.3f})"
    )
    for m, t in data["seconds_per_step"].items():
        print(f"{m}: {t * 1e3:.0f} ms a training step; samples: {', '.join(data['samples'][m])}")


def plot(data: dict):
    fig, (ax1, ax2) = pyplot().subplots(1, 2, figsize=(13, 4.8))

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
    fig.suptitle(f"microgpt's GPT ({data['n_params']:,} parameters) trained by forward and reverse")
    return fig


main = Script(__file__, __doc__, compute, report, plot)


if __name__ == "__main__":
    sys.exit(main())
