"""Per-operation cost of a Dual against a float, measured side by side in one run.

The headline figure is the mul-add loop ``acc = acc * c + x`` (1e5 steps): its Dual/float time
ratio, the median of interleaved repeats with its spread, beside the floor of any number type
written in Python: the same loop on the least class that carries a tangent (``Least``: two
methods, no derivative computed, nothing checked). The bar chart adds single operations.

    python benchmarks/bench_ops.py            # -> plots/bench_ops.png and plots/bench_ops.json
    python benchmarks/bench_ops.py --quick    # a fast smoke run, into plots/quick/
    python benchmarks/bench_ops.py --replot   # redraw from plots/bench_ops.json
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import Any

from harness import Script, machine, measure, ratio, summarize
from plotting import subplots

from dualgrad import Dual, dmath


class Least:
    """The floor for any number type written in Python: a value and a tangent slot, and the two
    operations of the loop for a float constant, each making one new object. It computes no
    derivative at all (the tangent is carried along as it is) and checks nothing (no tags, no
    inf or nan care, no other types): less than any number carrying a derivative must do.
    What a Dual costs above it is its tangent's arithmetic and its care."""

    __slots__ = ("tangent", "value")

    def __init__(self, value: float, tangent: float) -> None:
        self.value = value
        self.tangent = tangent

    def __mul__(self, c: float) -> Least:
        out = _new(Least)
        out.value = self.value * c
        out.tangent = self.tangent
        return out

    def __add__(self, c: float) -> Least:
        out = _new(Least)
        out.value = self.value + c
        out.tangent = self.tangent
        return out


_new = object.__new__
FLOOR = "floor: the least Python class"


def muladd(acc, c, x, steps):
    for _ in range(steps):
        acc = acc * c + x
    return acc


def unary_loop(fn, x, steps):
    for _ in range(steps):
        fn(x)


def compute(args: argparse.Namespace) -> dict:
    steps, repeats = (2_000, 3) if args.quick else (args.steps, args.repeats)
    # The mul-add loop: the float baseline, a seeded Dual meeting float constants (the common
    # case when inactive parameters stay floats), and Duals on every side.
    cases = {
        "float": lambda: muladd(1.0, 0.999, 0.001, steps),
        "Dual, float constants": lambda: muladd(Dual(1.0, 1.0), 0.999, 0.001, steps),
        "Dual, Dual constants": lambda: muladd(Dual(1.0, 1.0), Dual(0.999), Dual(0.001), steps),
        FLOOR: lambda: muladd(Least(1.0, 1.0), 0.999, 0.001, steps),
    }
    samples = measure(cases, repeats=repeats)
    floor = samples[FLOOR]
    loop = {
        name: {
            "seconds": s,
            "ratio_to_float": None if name == "float" else vars(ratio(s, samples["float"])),
            "ratio_to_floor": vars(ratio(s, floor)) if name.startswith("Dual") else None,
        }
        for name, s in samples.items()
    }
    # Single operations, ns per call, float vs Dual (loop overhead included in both).
    ops = {
        "a + b": (lambda a: a + a),
        "a * b": (lambda a: a * a),
        "a / b": (lambda a: a / a),
        "a ** 2": (lambda a: a**2),
        "exp(a)": dmath.exp,
        "tanh(a)": dmath.tanh,
        "relu(a)": dmath.relu,
    }
    n = max(steps // 5, 1000)
    per_op = {}
    for label, fn in ops.items():
        s = measure(
            {
                "float": lambda fn=fn: unary_loop(fn, 0.5, n),
                "Dual": lambda fn=fn: unary_loop(fn, Dual(0.5, 1.0), n),
            },
            repeats=repeats,
        )
        per_op[label] = {
            "float_ns": summarize(s["float"]).median / n * 1e9,
            "dual_ns": summarize(s["Dual"]).median / n * 1e9,
            "ratio": vars(ratio(s["Dual"], s["float"])),
        }
    return {
        "steps": steps,
        "repeats": repeats,
        **machine(),
        "muladd": loop,
        "per_op": per_op,
    }


def report(data: dict) -> None:
    print(f"mul-add loop, {data['steps']:,} steps, {data['repeats']} interleaved repeats:")
    for name, entry in data["muladd"].items():
        med = summarize(entry["seconds"]).median
        r = entry["ratio_to_float"]
        extra = (
            f"  ratio {r['median']:.1f}x [{r['low']:.1f}-{r['high']:.1f}]" if r else "  (baseline)"
        )
        floor = entry.get("ratio_to_floor")
        if floor:
            extra += f", {floor['median']:.2f}x [{floor['low']:.2f}-{floor['high']:.2f}] the floor"
        print(f"  {name:30s} {med * 1e3:8.2f} ms{extra}")
    print("single operations (ns per call, median):")
    for label, e in data["per_op"].items():
        print(
            f"  {label:8s} float {e['float_ns']:6.0f}  Dual {e['dual_ns']:6.0f}"
            f"  ratio {e['ratio']['median']:.1f}x"
        )


def plot(data: dict) -> Any:
    fig, (ax1, ax2) = subplots(1, 2, figsize=(11, 4.2), width_ratios=[1, 1.6])
    names = list(data["muladd"])
    meds = [summarize(data["muladd"][n]["seconds"]).median / data["steps"] * 1e9 for n in names]
    lows = [min(data["muladd"][n]["seconds"]) / data["steps"] * 1e9 for n in names]
    highs = [max(data["muladd"][n]["seconds"]) / data["steps"] * 1e9 for n in names]
    err = [
        [m - lo for m, lo in zip(meds, lows, strict=True)],
        [hi - m for m, hi in zip(meds, highs, strict=True)],
    ]
    ax1.bar(range(len(names)), meds, yerr=err, capsize=4, color=["#888", "#3a7", "#2a6", "#bbb"])
    for i, name in enumerate(names):
        r = data["muladd"][name]["ratio_to_float"]
        label = "1x" if r is None else f"{r['median']:.1f}x"
        ax1.text(i, highs[i] * 1.03, label, ha="center", va="bottom")  # above the spread bar
    ax1.set_xticks(range(len(names)), [textwrap.fill(n, 13) for n in names], fontsize=9)
    ax1.set_ylabel("ns per step (median, min-max bars)")
    ax1.set_title(f"acc = acc * c + x, {data['steps']:,} steps")
    ax1.set_ylim(0, max(highs) * 1.2)

    labels = list(data["per_op"])
    x = range(len(labels))
    f_ns = [data["per_op"][k]["float_ns"] for k in labels]
    d_ns = [data["per_op"][k]["dual_ns"] for k in labels]
    w = 0.38
    ax2.bar([i - w / 2 for i in x], f_ns, w, label="float", color="#888")
    ax2.bar([i + w / 2 for i in x], d_ns, w, label="Dual (seeded)", color="#3a7")
    for i, k in enumerate(labels):
        ax2.text(
            i + w / 2,
            d_ns[i] * 1.03,
            f"{data['per_op'][k]['ratio']['median']:.0f}x",
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax2.set_xticks(list(x), labels)
    ax2.set_ylabel("ns per call (median, loop included)")
    ax2.set_title("single operations")
    ax2.set_ylim(0, max(d_ns) * 1.2)
    ax2.legend(loc="upper left")
    fig.suptitle(f"Cost of carrying a derivative (Python {data['python']}, {data['machine']})")
    return fig


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--steps", type=int, default=100_000, help="mul-add loop length")
    parser.add_argument("--repeats", type=int, default=9, help="interleaved rounds")


main = Script(__file__, __doc__, compute, report, plot, options)


if __name__ == "__main__":
    sys.exit(main())
