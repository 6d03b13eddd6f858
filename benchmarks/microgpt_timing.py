"""What one training step of the course's microgpt costs, by every gradient method, on the model
written two ways: with ``dmath.matvec`` (``GPT``) and as the course writes it, in scalar sums
(``ScalarGPT``).

Each method takes the gradient of one name's loss, timed side by side in interleaved rounds
over the same names, at the course's initial weights with the two zero projections (attn_wo,
mlp_fc2) drawn like the others, so no product meets an all-zero matrix (as after the first
steps of training). On both styles of code: forward mode with all tangents in one pass
(chunk="all"), reverse mode (``dualgrad.reverse``), and reverse mode with one node per
multiply and add (``dualgrad.reverse.scalar_graphs()``, as the course's ``Value``; on scalar
code reverse mode records that graph anyway). On the scalar code also the course's own
``Value`` (``CourseValue`` in ``_course_value.py``, its backprop as it writes it), and the floor
of forward mode there in pure Python: numbers whose tangents are objects made by one call per
operation, with no derivative computed (``Floor``). On the matvec
code also a second chunk size, and one-tangent seeding (4,064 passes per step), timed on a
sample of its passes (``wrt=`` a spread of parameters) and scaled up; random search
(10 x 4,064 + 1 passes) is extrapolated from the float pass. Ratios are taken round by round.
``--ours`` times our GPT (block 16, 4,192 parameters) instead.

    python benchmarks/microgpt_timing.py            # -> plots/microgpt_timing.png and .json
    python benchmarks/microgpt_timing.py --full     # 12 names and 9 rounds (4 and 5 by default)
    python benchmarks/microgpt_timing.py --quick    # a smoke run into plots/quick/
    python benchmarks/microgpt_timing.py --replot   # redraw from the saved data
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from contextlib import nullcontext
from typing import Any

from _course_value import CourseValue, course_value_and_grad
from harness import Script, machine, measure, summarize
from plotting import subplots

from dualgrad import value_and_grad
from dualgrad.learn.course import ScalarGPT
from dualgrad.learn.data import Vocab, load_names, sequences
from dualgrad.learn.models import GPT, GPTConfig
from dualgrad.reverse import scalar_graphs
from dualgrad.reverse import value_and_grad as reverse_value_and_grad
from dualgrad.tree import flatten, unflatten


class Floor:
    """The floor of forward mode on scalar code in pure Python: a number carrying a tangent
    object, made by one Python call per operation, that computes no derivative at all and
    checks nothing. What forward:all costs above it is the tangents' arithmetic (every partial
    from the rule table, times the tangents) and its bookkeeping."""

    __slots__ = ("data", "t")

    def __init__(self, data: float, t: Any = None) -> None:
        self.data = data
        self.t = _NO_TANGENT if t is None else t

    def __add__(self, o: Any) -> Floor:
        if type(o) is Floor:
            return Floor(self.data + o.data, self.t.joined(o.t))
        return Floor(self.data + o, self.t)

    __radd__ = __add__

    def __sub__(self, o: Any) -> Floor:
        if type(o) is Floor:
            return Floor(self.data - o.data, self.t.joined(o.t))
        return Floor(self.data - o, self.t)

    def __rsub__(self, o: Any) -> Floor:
        return Floor(o - self.data, self.t.moved())

    def __neg__(self) -> Floor:
        return Floor(-self.data, self.t.moved())

    def __mul__(self, o: Any) -> Floor:
        if type(o) is Floor:
            return Floor(self.data * o.data, self.t.joined(o.t))
        return Floor(self.data * o, self.t.moved())

    __rmul__ = __mul__

    def __truediv__(self, o: Any) -> Floor:
        if type(o) is Floor:
            return Floor(self.data / o.data, self.t.joined(o.t))
        return Floor(self.data / o, self.t.moved())

    def __rtruediv__(self, o: Any) -> Floor:
        return Floor(o / self.data, self.t.moved())

    def __pow__(self, k: float) -> Floor:
        return Floor(self.data**k, self.t.moved())

    def exp(self) -> Floor:
        return Floor(math.exp(self.data), self.t.moved())

    def log(self) -> Floor:
        return Floor(math.log(self.data), self.t.moved())

    def relu(self) -> Floor:
        return Floor(max(self.data, 0.0), self.t.moved())


class _Tangent:
    """A tangent that is only an object: each operation makes a new one."""

    __slots__ = ()

    def moved(self) -> _Tangent:
        return _Tangent()

    def joined(self, other: _Tangent) -> _Tangent:
        return _Tangent()


_NO_TANGENT = _Tangent()

COLORS = {
    "reverse": "#d62728",
    "reverse, scalar graph": "#ff9896",
    "course's Value": "#9467bd",
    "forward:all": "#2ca02c",
    "floor: tangent objects": "#c7e9c0",
}
# the ratios the benchmark is there to record: (numerator, denominator) cases
RATIOS = [
    ("scalar: forward:all", "scalar: reverse"),
    ("scalar: forward:all", "scalar: reverse, scalar graph"),
    ("scalar: forward:all", "scalar: course's Value"),
    ("scalar: floor: tangent objects", "scalar: reverse"),
    ("scalar: forward:all", "scalar: floor: tangent objects"),
    ("scalar: reverse", "scalar: course's Value"),
    ("matvec: forward:all", "matvec: reverse"),
    ("matvec: forward:all", "matvec: reverse, scalar graph"),
    ("matvec: reverse, scalar graph", "matvec: reverse"),
    ("scalar: forward:all", "matvec: forward:all"),
    ("scalar: reverse", "matvec: reverse"),
]


def starting_params(model: GPT, seed: int) -> dict:
    """The model's init, with zero-initialised projections drawn like the other weights."""
    params = model.init_params(seed)
    rng = random.Random(seed + 1)
    std = model.config.init_std
    for name in params:
        if model.config.zero_proj and name.endswith(("attn_wo", "mlp_fc2")):
            params[name] = [[rng.gauss(0.0, std) for _ in row] for row in params[name]]
    return params


def work(model: Any, params: Any, seqs: list[Any]) -> dict[str, float]:
    """What forward mode must do on the scalar code, per name: the operations of its graph
    (the course's Value, one node per operation), and the partials their tangents carry at
    least - the parameters each operation's value depends on, summed over the operations."""
    leaves, spec = flatten(params)
    operations = partials = 0
    for seq in seqs:
        nodes = [CourseValue(float(x)) for x in leaves]
        out = model.loss(unflatten(spec, nodes), [seq])
        order, seen, todo = [], set(), [(out, False)]
        while todo:  # the graph in topological order (iterative: it is deep)
            v, done = todo.pop()
            if done:
                order.append(v)
            elif id(v) not in seen:
                seen.add(id(v))
                todo.append((v, True))
                todo.extend((c, False) for c in v._children if id(c) not in seen)
        depends = {id(v): 1 << i for i, v in enumerate(nodes)}  # a bit per parameter
        for v in order:
            if id(v) not in depends:
                bits = 0
                for c in v._children:
                    bits |= depends.get(id(c), 0)
                depends[id(v)] = bits
                operations += 1
                partials += bits.bit_count()
    return {"operations": operations / len(seqs), "partials": partials / len(seqs)}


def time_styles(
    models: dict[str, Any], drivers: dict[str, Any], plan: dict[str, list[str]], seqs: list[Any],
    rounds: int,
) -> tuple[dict[str, list[float]], dict[str, set[int]]]:  # fmt: skip
    """Each style's drivers in `plan` (and reverse mode with a scalar graph on both), timed
    side by side over `seqs`: the samples, and the passes each driver reported."""
    passes_seen: dict[str, set[int]] = {}

    def case(style: str, key: str, scalar: bool = False) -> Any:
        model = models[style]
        label = f"{style}: {key}" + (", scalar graph" if scalar else "")
        passes_seen[label] = set()

        def run() -> None:
            for s in seqs:
                with scalar_graphs() if scalar else nullcontext():
                    out = drivers[key](lambda p, s=s: model.loss(p, [s]))
                passes_seen[label].add(getattr(out, "passes", 1))

        return label, run

    cases = dict(case(style, key) for style, keys in plan.items() for key in keys)
    cases.update(case(style, "reverse", scalar=True) for style in plan)
    return measure(cases, repeats=rounds), passes_seen


def compute(args: argparse.Namespace) -> dict:
    names = sorted(load_names(args.names))
    random.Random(args.seed).shuffle(names)
    vocab = Vocab(names)
    names_timed, rounds = (2, 1) if args.quick else (12, 9) if args.full else (4, 5)
    seqs = sequences(names[:names_timed], vocab)
    config = GPTConfig() if args.ours else GPTConfig.course(vocab.size)
    models = {"matvec": GPT(config), "scalar": ScalarGPT(config)}
    params = starting_params(models["matvec"], args.seed)
    n, chunk = models["matvec"].num_params, args.chunk
    stride = max(1, n // (8 if args.quick else 32))
    wrt = list(range(0, n, stride))  # the one-tangent passes timed: a spread of parameters
    leaves, spec = flatten(params)
    drivers: dict[str, Any] = {
        "float pass": lambda f: f(params),
        "reverse": lambda f: reverse_value_and_grad(f, params),
        "forward:all": lambda f: value_and_grad(f, params, chunk="all"),
        f"forward:{chunk}": lambda f: value_and_grad(f, params, chunk=chunk),
        "one tangent (sampled)": lambda f: value_and_grad(f, params, wrt=wrt),
        "course's Value": lambda f: course_value_and_grad(f, params),
        "floor: tangent objects": lambda f: f(unflatten(spec, [Floor(x) for x in leaves])),
    }
    plan = {  # style -> the drivers timed on it (the scalar code needs numbers with methods)
        "matvec": [
            "float pass",
            "reverse",
            "forward:all",
            f"forward:{chunk}",
            "one tangent (sampled)",
        ],
        "scalar": ["reverse", "forward:all", "course's Value", "floor: tangent objects"],
    }
    samples, passes_seen = time_styles(models, drivers, plan, seqs, rounds)
    per_step = {k: [t / len(seqs) for t in v] for k, v in samples.items()}
    ratios = {
        f"{a} / {b}": [x / y for x, y in zip(per_step[a], per_step[b], strict=True)]
        for a, b in RATIOS
    }
    sampled = per_step.pop("matvec: one tangent (sampled)")
    per_step["matvec: one tangent"] = [t * n / len(wrt) for t in sampled]
    per_step["matvec: random search"] = [t * (10 * n + 1) for t in per_step["matvec: float pass"]]
    passes = dict.fromkeys(per_step, 1)
    passes[f"matvec: forward:{chunk}"] = -(-n // chunk)
    passes["matvec: one tangent"] = n
    passes["matvec: random search"] = 10 * n + 1
    return {
        **machine(),
        "model": "ours" if args.ours else "course",
        "config": repr(config),
        "n_params": n,
        "chunk": chunk,
        "names": len(seqs),
        "repeats": len(samples["matvec: reverse"]),
        "seconds_per_step": per_step,
        "passes_per_step": passes,
        "driver_passes": {k: sorted(v) for k, v in passes_seen.items()},
        "one_tangent_sample": len(wrt),
        "extrapolated": {
            "matvec: one tangent": f"{len(wrt)} of {n} passes timed",
            "matvec: random search": "10N+1 float passes",
        },
        "ratio_per_round": ratios,
        "scalar_work_per_name": work(models["scalar"], params, seqs),
    }


def _is_reverse(label: str) -> bool:
    return "reverse" in label or "Value" in label


def report(data: dict) -> None:
    who = {"course": "the course's microgpt", "ours": "our GPT"}[data["model"]]
    print(
        f"{who}, {data['n_params']:,} parameters: seconds per step (one name), median of "
        f"{data['repeats']} interleaved rounds over {data['names']} names [min-max]:"
    )
    for k, v in data["seconds_per_step"].items():
        s = summarize(v)
        note = f"  ({data['extrapolated'][k]}, extrapolated)" if k in data["extrapolated"] else ""
        n = data["passes_per_step"][k]
        what = "1 pass + 1 backward" if _is_reverse(k) else f"{n} passes"
        print(
            f"  {k:>32}: {s.median * 1e3:10.1f} ms [{s.low * 1e3:.1f}-{s.high * 1e3:.1f}]"
            f"  {what}{note}"
        )
    w = data["scalar_work_per_name"]
    print(
        f"the scalar code, per name: {w['operations']:,.0f} operations, whose tangents carry "
        f"{w['partials']:,.0f} partials at least"
    )
    print("ratios, per interleaved round: median [min-max]")
    for k, v in data["ratio_per_round"].items():
        print(f"  {k:>72}: {summarize(v)}")


def plot(data: dict) -> Any:
    fig, ax = subplots(figsize=(10, 6))
    labels = list(data["seconds_per_step"])
    labels.sort(key=lambda k: (not k.startswith("scalar"), min(data["seconds_per_step"][k])))
    meds = [summarize(data["seconds_per_step"][k]).median for k in labels]
    colors = {**COLORS, f"forward:{data['chunk']}": "#1f77b4"}
    bar_colors = [colors.get(k.split(": ", 1)[1], "#7f7f7f") for k in labels]
    bars = ax.barh(range(len(labels)), meds, color=bar_colors)
    for i, k in enumerate(labels):
        if k.startswith("scalar"):
            bars[i].set_edgecolor("black")
        if k in data["extrapolated"]:
            bars[i].set_hatch("//")
            bars[i].set_alpha(0.6)
        n = data["passes_per_step"][k]
        what = "1 pass + 1 backward" if _is_reverse(k) else f"{n:,} pass" + "es" * (n > 1)
        ax.text(meds[i] * 1.15, i, f"{meds[i]:.3g} s  ({what})", va="center", fontsize=8)
    ax.set_yticks(range(len(labels)), [k + " *" * (k in data["extrapolated"]) for k in labels])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(min(meds) / 2, max(meds) * 60)
    ax.set_xlabel("seconds per training step (log scale)")
    who = {"course": "the course's microgpt", "ours": "our GPT"}[data["model"]]
    ax.set_title(
        f"{who} ({data['n_params']:,} parameters): one step, measured side by side\n"
        "scalar: as the course writes it; matvec: with dmath.matvec; * extrapolated",
        fontsize=10,
    )
    ax.grid(alpha=0.3, axis="x")
    return fig


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--chunk", type=int, default=1400, help="the second chunk size timed")
    parser.add_argument("--names", help="a names.txt file (default: mimesis)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--ours", action="store_true", help="our GPT instead of the course's")
    parser.add_argument("--full", action="store_true", help="12 names, 9 rounds (4 and 5)")


main = Script(__file__, __doc__, compute, report, plot, options)


if __name__ == "__main__":
    sys.exit(main())
