"""Training the names model by random search: no derivative at all, and what that costs.

The bigram (27 x 27 = 729 parameters) learns which letter follows which in the default names.
Each step is one sweep of random search over a minibatch (``random_search_step``): for every
parameter in turn, 10 random nudges, each kept only if the batch loss falls. The loss does
fall - but a step costs 10 x 729 + 1 = 7,291 forward passes, where one pass of forward mode
with all tangents, or one forward and one backward pass of reverse mode, give the exact
gradient. Panel (a): the batch loss before and after each step, and the validation loss;
panel (b): the same validation loss against the passes spent.

    python examples/random_search.py            # -> plots/random_search.png and .json
    python examples/random_search.py --quick    # a small vocabulary, into plots/quick/
    python examples/random_search.py --replot   # redraw from the saved data
"""

from __future__ import annotations

import random
import sys

from dualgrad.learn.data import Vocab, batches, examples, load_names, split
from dualgrad.learn.models import Bigram
from dualgrad.learn.script import Script
from dualgrad.learn.search import random_search_step
from dualgrad.tree import flatten, unflatten

SEED, TRIES, BATCH = 0, 10, 32


def compute(args) -> dict:
    names = load_names()
    if args.quick:  # names spelled with six letters only: a 7-symbol vocabulary, 49 parameters
        names = [n for n in names if set(n) <= set("aeilnr")]
    vocab = Vocab(names)
    train_names, val_names = split(names, seed=SEED)
    model = Bigram(vocab.size)
    stream = batches(examples(train_names, vocab, 1), BATCH, seed=SEED)
    val = examples(val_names, vocab, 1)
    flat, spec = flatten(model.init_params(SEED))  # random search works on a flat list
    rng = random.Random(SEED)
    passes, rows = 0, []
    for step in range(4 if args.quick else 15):
        batch = next(stream)
        stats = random_search_step(
            lambda v, batch=batch: model.loss(unflatten(spec, v), batch), flat, tries=TRIES, rng=rng
        )
        passes += stats.passes
        val_loss = model.loss(unflatten(spec, flat), val)
        rows.append(
            {
                "step": step,
                "before": stats.initial_loss,
                "after": stats.loss,
                "val": val_loss,
                "passes": stats.passes,
                "passes_total": passes,
                "accepted": stats.accepted,
            }
        )
        print(
            f"step {step:2d}: batch loss {stats.initial_loss:.4f} -> {stats.loss:.4f} "
            f"({stats.accepted} of {stats.passes - 1} nudges kept), validation {val_loss:.4f}"
        )
    initial = model.loss(model.init_params(SEED), val)
    return {
        "model": repr(model),
        "n_params": len(flat),
        "tries": TRIES,
        "initial_val": initial,
        "steps": rows,
    }


def report(data: dict) -> None:
    last = data["steps"][-1]
    print(f"{data['model']}, {data['tries']} tries per parameter: {last['passes']:,} passes a step")
    spent = f"{len(data['steps'])} steps ({last['passes_total']:,} passes)"
    print(f"validation loss {data['initial_val']:.4f} -> {last['val']:.4f} after {spent}")


def plot(data: dict):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 4.8))
    ax1, ax2 = fig.subplots(1, 2)
    rows = data["steps"]
    for r in rows:  # each step: the batch loss before and after the sweep
        ax1.plot([r["step"], r["step"] + 1], [r["before"], r["after"]], color="#7f7f7f")
    ax1.plot([], [], color="#7f7f7f", label="batch loss, before -> after each sweep")
    steps = [0] + [r["step"] + 1 for r in rows]
    vals = [data["initial_val"]] + [r["val"] for r in rows]
    ax1.plot(steps, vals, "s-", color="#d62728", label="validation loss")
    ax1.set(xlabel="step (one sweep over every parameter)", ylabel="loss (nats per character)")
    ax1.set_title(f"(a) {data['model']}: random search lowers the loss")
    ax1.legend()
    ax2.plot([0] + [r["passes_total"] for r in rows], vals, "s-", color="#d62728")
    ax2.set(xlabel="forward passes spent", ylabel="validation loss")
    ax2.set_title(
        f"(b) ... at {rows[0]['passes']:,} passes a step ({data['tries']} x {data['n_params']} + 1)"
        "\nwhere an exact gradient takes 1 pass (forward, chunked) or 1 + 1 (reverse)"
    )
    for ax in (ax1, ax2):
        ax.grid(alpha=0.3)
    fig.suptitle("Training without derivatives: random search, nudge by nudge")
    return fig


main = Script(__file__, __doc__, compute, report, plot)


if __name__ == "__main__":
    sys.exit(main())
