"""What one training step of microgpt's 4,192-parameter GPT costs, by every gradient method.

Each method takes the gradient of one name's loss at the starting parameters, timed side by
side in interleaved rounds over the same names: forward mode with all tangents in one pass
(chunk="all") and with a second chunk size, reverse mode with one vector node per
matrix-vector product (one node per dot product without numpy), and reverse mode with one
node per multiply and add (``dualgrad.reverse.scalar_graphs()``, as
microgpt's ``Value``). One-tangent seeding (4,192 passes per step) is timed on a sample of its
passes (``wrt=`` a spread of parameters) and scaled up; random search (10 x 4,192 + 1 passes)
is extrapolated from the float pass. The ratios to reverse mode are taken round by round.

    python benchmarks/microgpt_timing.py            # -> plots/microgpt_timing.png and .json
    python benchmarks/microgpt_timing.py --quick    # a smoke run into plots/quick/
    python benchmarks/microgpt_timing.py --replot   # redraw from the saved data
"""

from __future__ import annotations

import argparse
import random
import sys
from contextlib import nullcontext
from typing import Any

from harness import Script, machine, measure, pyplot, summarize

from dualgrad import value_and_grad
from dualgrad.learn.data import Vocab, load_names, sequences
from dualgrad.learn.models import GPT
from dualgrad.reverse import scalar_graphs
from dualgrad.reverse import value_and_grad as reverse_value_and_grad

COLORS = {"reverse": "#d62728", "reverse, scalar graph": "#ff9896", "forward:all": "#2ca02c"}


def compute(args: argparse.Namespace) -> dict:
    names = sorted(load_names(args.names))
    random.Random(args.seed).shuffle(names)
    seqs = sequences(names[: 2 if args.quick else 12], Vocab(names))
    model, chunk = GPT(), args.chunk
    params = model.init_params(args.seed)
    n = model.num_params
    stride = max(1, n // (8 if args.quick else 32))
    wrt = list(range(0, n, stride))  # the one-tangent passes timed: a spread of parameters
    drivers: dict[str, Any] = {
        "float pass": lambda f: f(params),
        "reverse": lambda f: reverse_value_and_grad(f, params),
        "forward:all": lambda f: value_and_grad(f, params, chunk="all"),
        f"forward:{chunk}": lambda f: value_and_grad(f, params, chunk=chunk),
        "one tangent (sampled)": lambda f: value_and_grad(f, params, wrt=wrt),
    }
    passes_seen: dict[str, set[int]] = {k: set() for k in drivers}

    def case(key: str, scalar: bool = False) -> Any:
        def run() -> None:
            for s in seqs:
                with scalar_graphs() if scalar else nullcontext():
                    out = drivers[key](lambda p, s=s: model.loss(p, [s]))
                passes_seen[key].add(getattr(out, "passes", 1))

        return run

    cases = {k: case(k) for k in drivers}
    cases["reverse, scalar graph"] = case("reverse", scalar=True)
    samples = measure(cases, repeats=1 if args.quick else 9)
    per_step = {k: [t / len(seqs) for t in v] for k, v in samples.items()}
    ratios = {
        k: [a / b for a, b in zip(per_step[k], per_step["reverse"], strict=True)]
        for k in ("forward:all", f"forward:{chunk}", "reverse, scalar graph")
    }
    per_step["one tangent"] = [t * n / len(wrt) for t in per_step.pop("one tangent (sampled)")]
    per_step["random search"] = [t * (10 * n + 1) for t in per_step["float pass"]]
    passes = {"float pass": 1, "reverse": 1, "reverse, scalar graph": 1, "forward:all": 1}
    passes.update(
        {f"forward:{chunk}": -(-n // chunk), "one tangent": n, "random search": 10 * n + 1}
    )
    return {
        **machine(),
        "n_params": n,
        "chunk": chunk,
        "names": len(seqs),
        "repeats": len(samples["reverse"]),
        "seconds_per_step": per_step,
        "passes_per_step": passes,
        "driver_passes": {k: sorted(v) for k, v in passes_seen.items()},
        "one_tangent_sample": len(wrt),
        "extrapolated": {
            "one tangent": f"{len(wrt)} of {n} passes timed",
            "random search": "10N+1 float passes",
        },
        "ratio_to_reverse_per_round": ratios,
    }


def report(data: dict) -> None:
    print(
        f"GPT, {data['n_params']:,} parameters: seconds per step (one name), median of "
        f"{data['repeats']} interleaved rounds over {data['names']} names [min-max]:"
    )
    rev = summarize(data["seconds_per_step"]["reverse"]).median
    for k, v in data["seconds_per_step"].items():
        s = summarize(v)
        note = f"  ({data['extrapolated'][k]}, extrapolated)" if k in data["extrapolated"] else ""
        print(
            f"  {k:>22}: {s.median * 1e3:10.1f} ms [{s.low * 1e3:.1f}-{s.high * 1e3:.1f}]"
            f"  {s.median / rev:7.2f}x reverse  {data['passes_per_step'][k]:>6} passes{note}"
        )
    for k, v in data["ratio_to_reverse_per_round"].items():
        print(f"  {k} / reverse, per interleaved round: {summarize(v)}")


def plot(data: dict) -> Any:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(9, 4.8))
    labels = list(data["seconds_per_step"])
    meds = [summarize(data["seconds_per_step"][k]).median for k in labels]
    colors = {**COLORS, f"forward:{data['chunk']}": "#1f77b4"}
    bars = ax.barh(range(len(labels)), meds, color=[colors.get(k, "#7f7f7f") for k in labels])
    for i, k in enumerate(labels):
        if k in data["extrapolated"]:
            bars[i].set_hatch("//")
            bars[i].set_alpha(0.6)
        n = data["passes_per_step"][k]
        what = "1 pass + 1 backward" if k.startswith("reverse") else f"{n:,} pass" + "es" * (n > 1)
        ax.text(meds[i] * 1.15, i, f"{meds[i]:.3g} s  ({what})", va="center", fontsize=8)
    ax.set_yticks(range(len(labels)), [k + " *" * (k in data["extrapolated"]) for k in labels])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(min(meds) / 2, max(meds) * 60)
    ax.set_xlabel("seconds per training step (log scale)")
    ax.set_title(
        f"microgpt's GPT ({data['n_params']:,} parameters): the cost of one step, measured side "
        "by side\n(* extrapolated from sampled passes)"
    )
    ax.grid(alpha=0.3, axis="x")
    return fig


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--chunk", type=int, default=1400, help="the second chunk size timed")
    parser.add_argument("--names", help="a names.txt file (default: mimesis)")
    parser.add_argument("--seed", type=int, default=42)


main = Script(__file__, __doc__, compute, report, plot, options)


if __name__ == "__main__":
    sys.exit(main())
