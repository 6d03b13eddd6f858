"""Train microgpt's 4,192-parameter GPT with forward mode and with reverse mode, and compare.

Same model (dualgrad.learn.models.GPT), same names, same seed, same Adam (lr 0.01, betas 0.85/0.99,
eps 1e-8, linear decay), one name per step. Forward mode carries all 4,192 tangents in one
pass (chunk="all"); a second chunk size is trained for a shorter run. One-tangent seeding
(4,192 passes per step) and random search (10 x 4,192 + 1 passes) are timed on a sample of
their passes and extrapolated per step. Side-by-side timings use interleaved repeats.

    python examples/microgpt.py            # -> plots/microgpt.png, microgpt.json, run logs
    python examples/microgpt.py --quick    # a smoke run in seconds
    python examples/microgpt.py --replot   # redraw from the saved data
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from harness import measure, summarize

from dualgrad import value_and_grad
from dualgrad.learn.data import Vocab, load_names, sequences, split
from dualgrad.learn.models import GPT, sample
from dualgrad.learn.train import train
from dualgrad.reverse import scalar_graphs
from dualgrad.reverse import value_and_grad as reverse_value_and_grad
from dualgrad.tree import flatten

PLOTS = Path(__file__).resolve().parent.parent / "plots"
NAME = "microgpt"
COLORS = {"reverse": "#d62728", "reverse, scalar graph": "#ff9896", "forward:all": "#2ca02c"}


def bench(model, params, seqs, chunk, repeats, sample_passes):
    """Seconds per training step (gradient of one name's loss), measured side by side."""

    def per_name(fn):
        def run():
            for s in seqs:
                fn(s)

        return run

    def loss_of(s):
        return lambda p: model.loss(p, [s])

    def reverse_scalar(s):
        with scalar_graphs():  # one node per multiply and add, as in microgpt's Value
            reverse_value_and_grad(loss_of(s), params)

    cases = {
        "float pass": per_name(lambda s: model.loss(params, [s])),
        "reverse": per_name(lambda s: reverse_value_and_grad(loss_of(s), params)),
        "reverse, scalar graph": per_name(reverse_scalar),
        "forward:all": per_name(lambda s: value_and_grad(loss_of(s), params, chunk="all")),
        f"forward:{chunk}": per_name(lambda s: value_and_grad(loss_of(s), params, chunk=chunk)),
    }
    leaves, _spec = flatten(params)
    n = len(leaves)
    # one-tangent seeding: `sample_passes` of its n passes (spread over the parameters)
    stride = max(1, n // sample_passes)

    sample = list(range(0, n, stride))

    def one_tangent_sample():
        for s in seqs:
            value_and_grad(loss_of(s), params, wrt=sample)

    cases["one tangent (sampled)"] = one_tangent_sample
    samples = measure(cases, repeats=repeats)
    per_step = {k: [t / len(seqs) for t in v] for k, v in samples.items()}
    # each round times every case back to back, so a round's ratio is the least disturbed by
    # the machine's drift (this VM's speed moves 10-30% over seconds)
    ratios = {
        k: [a / b for a, b in zip(per_step[k], per_step["reverse"], strict=True)]
        for k in ("forward:all", f"forward:{chunk}", "reverse, scalar graph")
    }
    sampled = len(range(0, n, stride))
    per_step["one tangent"] = [t * n / sampled for t in per_step.pop("one tangent (sampled)")]
    per_step["random search"] = [t * (10 * n + 1) for t in per_step["float pass"]]
    passes = {
        "float pass": 1,
        "reverse": 1,
        "reverse, scalar graph": 1,
        "forward:all": 1,
        f"forward:{chunk}": -(-n // chunk),
        "one tangent": n,
        "random search": 10 * n + 1,
    }
    extrapolated = {
        "one tangent": f"{sampled} of {n} passes timed",
        "random search": "10N+1 float passes",
    }
    return {
        "seconds_per_step": per_step,
        "passes_per_step": passes,
        "extrapolated": extrapolated,
        "names": len(seqs),
        "repeats": repeats,
        "ratio_to_reverse_per_round": ratios,
    }


def run(args) -> dict:
    names = load_names(args.names)
    vocab = Vocab(names)
    rng = random.Random(args.seed)
    names = sorted(names)
    rng.shuffle(names)
    if args.quick:
        names = names[:60]
    train_names, val_names = split(names, 0.1, seed=args.seed)
    tr, va = sequences(train_names, vocab), sequences(val_names, vocab)
    model = GPT()
    logs = {}
    runs = {}
    plan = [
        ("reverse", args.steps),
        ("forward:all", args.steps),
        (f"forward:{args.chunk}", args.chunk_steps),
    ]
    for method, steps in plan:
        log = args.out / f"{NAME}_{method.replace(':', '_')}.jsonl"
        start = time.perf_counter()
        runs[method] = train(
            model,
            tr,
            va,
            method,
            steps,
            batch_size=1,
            lr=0.01,
            seed=args.seed,
            eval_size=200,
            log_path=log,
            progress=not args.quick,
        )
        logs[method] = log.name
        print(
            f"{method:>14}: {steps} steps in {time.perf_counter() - start:.0f} s, "
            f"final train loss {runs[method].losses[-1]:.3f}, "
            f"val {runs[method].steps[-1]['val_loss']:.3f}"
        )
    params0 = model.init_params(args.seed)
    bench_names = tr[: 2 if args.quick else 12]
    timing = bench(
        model, params0, bench_names, args.chunk, 1 if args.quick else 9, 8 if args.quick else 32
    )
    sample_rng = random.Random(args.seed)
    samples = {
        m: [
            vocab.decode(
                sample(model, runs[m].params, vocab.size, sample_rng, temperature=0.5)[:-1]
            )
            for _ in range(8)
        ]
        for m in ("reverse", "forward:all")
    }
    r, f = runs["reverse"].losses, runs["forward:all"].losses
    tail = min(50, len(r))
    # whole training steps (gradient and Adam update; the runs ran one after the other)
    step_seconds = {m: runs[m].steps[-1]["seconds_total"] / len(runs[m].steps) for m in runs}
    return {
        "steps": args.steps,
        "chunk": args.chunk,
        "chunk_steps": args.chunk_steps,
        "n_params": model.num_params,
        "logs": logs,
        "bench": timing,
        "training_seconds_per_step": step_seconds,
        "last50_mean_loss": {m: statistics.fmean(runs[m].losses[-tail:]) for m in runs},
        "first_loss": {m: runs[m].losses[0] for m in runs},
        "max_abs_loss_diff_forward_vs_reverse": max(abs(a - b) for a, b in zip(r, f, strict=True)),
        "samples": samples,
        "curves": {
            m: {
                "step": [s["step"] for s in runs[m].steps],
                "loss": runs[m].losses,
                "seconds_total": [s["seconds_total"] for s in runs[m].steps],
            }
            for m in runs
        },
    }


def report(data: dict) -> None:
    b = data["bench"]
    print(
        f"\nseconds per step, median of {b['repeats']} interleaved repeats over {b['names']} names:"
    )
    rev = summarize(b["seconds_per_step"]["reverse"]).median
    for k, v in b["seconds_per_step"].items():
        s = summarize(v)
        note = f"  ({b['extrapolated'][k]}, extrapolated)" if k in b["extrapolated"] else ""
        print(
            f"  {k:>22}: {s.median * 1e3:10.1f} ms [{s.low * 1e3:.1f}-{s.high * 1e3:.1f}]"
            f"  {s.median / rev:7.2f}x reverse  {b['passes_per_step'][k]:>6} passes{note}"
        )
    for k, v in b.get("ratio_to_reverse_per_round", {}).items():
        print(f"  {k} / reverse, per interleaved round: {summarize(v)}")
    train_steps = data.get("training_seconds_per_step", {})
    if train_steps:
        rev_step = train_steps["reverse"]
        print(
            "whole training steps in the runs (gradient + Adam, runs one after another): "
            + ", ".join(
                f"{m} {t * 1e3:.1f} ms ({t / rev_step:.2f}x)" for m, t in train_steps.items()
            )
        )
    print(
        "mean training loss over the last 50 steps: "
        + ", ".join(f"{m} {v:.3f}" for m, v in data["last50_mean_loss"].items())
        + f" (first step: {data['first_loss']['reverse']:.3f})"
    )
    print(
        f"largest |loss difference| forward vs reverse over {data['steps']} steps: "
        f"{data['max_abs_loss_diff_forward_vs_reverse']:.2e}"
    )
    for m, names in data["samples"].items():
        print(f"names sampled from the {m}-trained model: {', '.join(names)}")


def plot(data: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curves = data["curves"]
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8), width_ratios=[1, 1, 1.15])

    def smooth(xs, k=25):
        out_, acc = [], 0.0
        for i, x in enumerate(xs):
            acc += x
            if i >= k:
                acc -= xs[i - k]
            out_.append(acc / min(i + 1, k))
        return out_

    colors = dict(COLORS)
    colors.setdefault(f"forward:{data['chunk']}", "#1f77b4")
    styles = {"reverse": "-", "forward:all": "--"}
    for m, curve in curves.items():
        steps, secs = curve["step"], curve["seconds_total"]
        sm = smooth(curve["loss"])
        label = f"{m} ({len(steps)} steps)"
        axes[0].plot(steps, sm, styles.get(m, ":"), color=colors[m], label=label, lw=1.6)
        axes[1].plot(secs, sm, styles.get(m, ":"), color=colors[m], label=label, lw=1.6)
    axes[0].set_title("training loss (running mean of 25 names)")
    axes[0].set_xlabel("step (one name per step)")
    axes[0].set_ylabel("cross-entropy (nats)")
    axes[0].legend(loc="upper right")
    axes[1].set_title("the same against wall time")
    axes[1].set_xlabel("training time (s)")
    axes[1].set_ylabel("cross-entropy (nats)")
    axes[1].legend(loc="upper right")
    for ax in axes[:2]:
        ax.grid(alpha=0.3)

    b = data["bench"]
    labels = list(b["seconds_per_step"])
    meds = [summarize(b["seconds_per_step"][k]).median for k in labels]
    bar_colors = [colors.get(k, "#7f7f7f") for k in labels]
    ax = axes[2]
    bars = ax.barh(range(len(labels)), meds, color=bar_colors)
    for i, k in enumerate(labels):
        if k in b["extrapolated"]:
            bars[i].set_hatch("//")
            bars[i].set_alpha(0.6)
        n = b["passes_per_step"][k]
        what = f"{n:,} pass" + ("es" if n > 1 else "")
        if k.startswith("reverse"):
            what = "1 pass + 1 backward"
        ax.text(meds[i] * 1.15, i, f"{meds[i]:.3g} s  ({what})", va="center", fontsize=8)
    ax.set_yticks(
        range(len(labels)), [k + (" *" if k in b["extrapolated"] else "") for k in labels]
    )
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(min(meds) / 2, max(meds) * 60)
    ax.set_xlabel("seconds per training step (log scale)")
    ax.set_title("cost of one step, measured side by side\n(* extrapolated from sampled passes)")
    ax.grid(alpha=0.3, axis="x")
    fig.suptitle(
        f"microgpt's GPT ({data['n_params']:,} parameters) trained by forward and reverse mode"
    )
    fig.tight_layout()
    fig.savefig(out / f"{NAME}.png", dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few steps on few names (tests)")
    parser.add_argument("--replot", action="store_true", help="redraw from the saved data")
    parser.add_argument("--out", type=Path, default=PLOTS, help="output folder (default plots/)")
    parser.add_argument("--steps", type=int, default=600, help="steps for reverse and forward:all")
    parser.add_argument("--chunk", type=int, default=1400, help="the second chunk size to train")
    parser.add_argument("--chunk-steps", type=int, default=100, help="steps for that chunk size")
    parser.add_argument(
        "--names", type=Path, default=None, help="a names.txt file (default: mimesis)"
    )
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if args.quick:
        args.steps, args.chunk_steps = 3, 2
    args.out.mkdir(parents=True, exist_ok=True)
    data_path = args.out / f"{NAME}.json"
    if args.replot:
        data = json.loads(data_path.read_text())
    else:
        data = run(args)
        data_path.write_text(json.dumps(data, indent=1))
    report(data)
    plot(data, args.out)
    print(f"wrote {args.out / (NAME + '.png')} and {data_path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
