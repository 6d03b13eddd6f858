"""Forward mode and reverse mode in one training loop, their losses printed side by side.

The bigram (27 x 27 = 729 parameters) learns which letter follows which in the default names.
Two copies of the same starting parameters train on the same minibatches with plain gradient
descent; one gets its gradient from forward mode (all 729 tangents in one pass,
``value_and_grad(loss, params, chunk="all")``), the other from reverse mode
(``dualgrad.reverse.value_and_grad``). Both are the exact gradient, so the two runs print the
same loss at every step; the plot shows both curves and their difference.

    python examples/train_loop.py            # -> plots/train_loop.png and train_loop.json
    python examples/train_loop.py --quick    # a few steps, into plots/quick/
    python examples/train_loop.py --replot   # redraw from the saved data
"""

from __future__ import annotations

import sys

from dualgrad import reverse, value_and_grad
from dualgrad.learn.data import Vocab, batches, examples, load_names
from dualgrad.learn.models import Bigram
from dualgrad.learn.script import Script
from dualgrad.tree import flatten, unflatten

SEED, LR, BATCH = 0, 5.0, 32  # a large step suits the bigram's nearly uniform start


def sgd(params, grads, lr):
    """One gradient-descent step, p - lr * g, on every leaf of the parameter tree."""
    flat, spec = flatten(params)
    g, _ = flatten(grads)
    return unflatten(spec, [p - lr * gi for p, gi in zip(flat, g, strict=True)])


def compute(args) -> dict:
    names = load_names()
    vocab = Vocab(names)
    model = Bigram(vocab.size)
    stream = batches(examples(names, vocab, model.context), BATCH, seed=SEED)
    forward_params = reverse_params = model.init_params(SEED)
    steps = 5 if args.quick else 200
    print(f"{'step':>4}  {'forward-mode loss':>20}  {'reverse-mode loss':>20}  difference")
    rows = []
    for step in range(steps):
        batch = next(stream)

        def loss(p, batch=batch):
            return model.loss(p, batch)

        f_loss, f_grad = value_and_grad(loss, forward_params, chunk="all")  # one forward pass
        r_loss, r_grad = reverse.value_and_grad(loss, reverse_params)  # forward + backward
        forward_params = sgd(forward_params, f_grad, LR)
        reverse_params = sgd(reverse_params, r_grad, LR)
        rows.append({"step": step, "forward": f_loss, "reverse": r_loss})
        if step % 20 == 0 or step == steps - 1:
            print(f"{step:4d}  {f_loss:20.15f}  {r_loss:20.15f}  {abs(f_loss - r_loss):.1e}")
    return {"model": repr(model), "n_params": model.num_params, "lr": LR, "steps": rows}


def report(data: dict) -> None:
    worst = max(abs(r["forward"] - r["reverse"]) for r in data["steps"])
    first, last = data["steps"][0], data["steps"][-1]
    print(
        f"{data['model']}, {data['n_params']} parameters, {len(data['steps'])} steps of gradient "
        f"descent (lr {data['lr']}): loss {first['forward']:.4f} -> {last['forward']:.4f}; "
        f"forward and reverse losses differ by at most {worst:.1e}"
    )


def plot(data: dict):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 4.8))
    ax1, ax2 = fig.subplots(1, 2)
    steps = [r["step"] for r in data["steps"]]
    ax1.plot(steps, [r["forward"] for r in data["steps"]], lw=5, alpha=0.4, label="forward mode")
    ax1.plot(steps, [r["reverse"] for r in data["steps"]], "--", color="black", label="reverse")
    ax1.set(xlabel="step", ylabel="batch loss (nats per character)")
    ax1.set_title(f"(a) {data['model']}: the same loss curve, step by step")
    ax1.legend()
    diffs = [abs(r["forward"] - r["reverse"]) for r in data["steps"]]
    ax2.plot(steps, [max(d, 1e-18) for d in diffs], ".", color="#d62728")
    ax2.set_yscale("log")
    ax2.set_ylim(1e-19, 1e-10)
    ax2.set(xlabel="step", ylabel="|forward loss - reverse loss| (0 drawn at 1e-18)")
    ax2.set_title("(b) the difference: rounding at most")
    ax1.grid(alpha=0.3)
    ax2.grid(alpha=0.3, which="both")
    fig.suptitle("Forward mode and reverse mode give the same gradient, so the same training")
    return fig


main = Script(__file__, __doc__, compute, report, plot)


if __name__ == "__main__":
    sys.exit(main())
