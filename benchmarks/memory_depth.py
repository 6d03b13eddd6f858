"""The peak memory of one gradient against depth: reverse mode stores its graph, forward mode not.

One gradient is taken, and its peak of allocated memory measured (``tracemalloc``: every Python
object and every numpy array, above what was allocated before the call), as the computation
gets deeper, three ways:

- **chain**: a 1-D chain of operations, ``x = sin(x) * p[i % 16]`` repeated (two operations a
  step) on 16 parameters;
- **sequence length**: the course's GPT (``GPTConfig.course()``, its block size raised to 16)
  on one token sequence of 1 to 16 predictions;
- **layers**: the same GPT with 1 to 4 layers on 8 predictions (its block size).

Methods: reverse mode (``dualgrad.reverse``: the whole graph is alive when the backward pass
starts), forward mode with one tangent (one pass of ``value_and_grad(..., wrt=[i])``: each value
carries one number more and is dropped as soon as it is used), forward mode with all tangents
(``chunk="all"``: each live value carries an N-wide tangent), and the plain float pass.

    python benchmarks/memory_depth.py            # -> plots/memory_depth.png and .json
    python benchmarks/memory_depth.py --quick    # a smoke run into plots/quick/
    python benchmarks/memory_depth.py --replot   # redraw from the saved data
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import tracemalloc
from collections.abc import Callable
from typing import Any

from harness import Script, machine
from plotting import subplots

from dualgrad import dmath, value_and_grad
from dualgrad.learn.models import GPT, GPTConfig
from dualgrad.reverse import value_and_grad as reverse_value_and_grad

METHODS = {
    "reverse": "#d62728",
    "forward:all": "#2ca02c",
    "one tangent": "#1f77b4",
    "float pass": "#7f7f7f",
}
WIDTH = 16  # the chain's parameters


def peak_bytes(fn: Callable[[], Any]) -> int:
    """The peak of traced memory while `fn` runs, above what was traced when it began.

    `fn` runs once untraced first, so one-time costs (imports, caches) are not counted."""
    fn()
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        out = fn()
        peak = tracemalloc.get_traced_memory()[1]
        del out
    finally:
        tracemalloc.stop()
    return peak - base


def drivers(f: Callable[[Any], Any], params: Any, one: int) -> dict[str, Callable[[], Any]]:
    """One gradient of `f` at `params` by each method (one tangent: parameter `one` seeded)."""
    return {
        "reverse": lambda: reverse_value_and_grad(f, params),
        "forward:all": lambda: value_and_grad(f, params, chunk="all"),
        "one tangent": lambda: value_and_grad(f, params, wrt=[one]),
        "float pass": lambda: f(params),
    }


def chain(steps: int) -> Callable[[list[Any]], Any]:
    def f(p: list[Any]) -> Any:
        x = p[0]
        for i in range(steps):
            x = dmath.sin(x) * p[i % WIDTH]
        return x

    return f


def gpt_point_config(n_layer: int, length: int) -> GPTConfig:
    """The course's GPT with `n_layer` layers and room for `length` predictions."""
    config = GPTConfig.course()
    return GPTConfig(**{**config.__dict__, "n_layer": n_layer, "block_size": max(8, length)})


def gpt_point(n_layer: int, length: int, seed: int) -> tuple[Callable[[Any], Any], Any]:
    model = GPT(gpt_point_config(n_layer, length))
    params = model.init_params(seed)
    rng = random.Random(seed)
    for name in params:  # the zero projections drawn too, so every parameter matters
        if name.endswith(("attn_wo", "mlp_fc2")):
            params[name] = [[rng.gauss(0.0, 0.02) for _ in row] for row in params[name]]
    seq = [0, *(rng.randrange(1, 27) for _ in range(length - 1)), 0]  # `length` predictions
    return (lambda p: model.loss(p, [seq])), params


def measure_points(
    points: list[tuple[int, Callable[[Any], Any], Any]], one: int
) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {m: [] for m in METHODS}
    for _, f, params in points:
        for method, fn in drivers(f, params, one).items():
            out[method].append(peak_bytes(fn))
    return out


def compute(args: argparse.Namespace) -> dict:
    rng = random.Random(0)
    p = [rng.uniform(1.0, 1.3) for _ in range(WIDTH)]
    steps = [50, 500] if args.quick else [50, 150, 500, 1_500, 5_000, 15_000, 50_000]
    lengths = [1, 4] if args.quick else [1, 2, 4, 8, 12, 16]
    layers = [1, 2] if args.quick else [1, 2, 3, 4]
    chain_peaks = measure_points([(s, chain(s), p) for s in steps], one=3)
    seq_peaks = measure_points([(t, *gpt_point(1, t, 1)) for t in lengths], one=100)
    layer_peaks = measure_points([(n, *gpt_point(n, 8, 1)) for n in layers], one=100)
    return {
        **machine(),
        "n_params": GPT(GPTConfig.course()).num_params,
        "chain": {"operations": [2 * s for s in steps], "peak_bytes": chain_peaks},
        "sequence": {"predictions": lengths, "peak_bytes": seq_peaks},
        "layers": {
            "layers": layers,
            "n_params": [GPT(gpt_point_config(n, 8)).num_params for n in layers],
            "peak_bytes": layer_peaks,
        },
    }


def _ratios(panel: dict) -> list[float]:
    b = panel["peak_bytes"]
    return [a / r for a, r in zip(b["forward:all"], b["reverse"], strict=True)]


def report(data: dict) -> None:
    for key, axis in (("chain", "operations"), ("sequence", "predictions"), ("layers", "layers")):
        panel = data[key]
        print(f"{key}: peak bytes of one gradient against {axis}")
        print(f"  {axis:>12} " + " ".join(f"{m:>12}" for m in METHODS) + "  forward:all/reverse")
        for i, x in enumerate(panel[axis]):
            row = " ".join(f"{panel['peak_bytes'][m][i]:12,}" for m in METHODS)
            print(f"  {x:12,} {row}  {_ratios(panel)[i]:8.2f}x")


def plot(data: dict) -> Any:
    fig, axes = subplots(1, 3, figsize=(15, 4.8))
    panels = (
        ("chain", "operations", "a 1-D chain: operations", True),
        ("sequence", "predictions", "the course's GPT: sequence length (predictions)", False),
        ("layers", "layers", "the course's GPT: layers (8 predictions)", False),
    )
    for ax, (key, axis, label, logx) in zip(axes, panels, strict=True):
        panel = data[key]
        for method, color in METHODS.items():
            style = {"ls": ":", "marker": "."} if method == "float pass" else {"marker": "o"}
            ax.plot(panel[axis], panel["peak_bytes"][method], color=color, label=method, **style)
        ax.set_yscale("log")
        if logx:
            ax.set_xscale("log")
        ax.set(xlabel=label, ylabel="peak memory of one gradient (bytes)")
        ax.grid(alpha=0.3, which="both")
    axes[0].legend()
    axes[2].set_xticks(data["layers"]["layers"])
    r, n = _ratios(data["layers"]), data["layers"]["n_params"]
    fig.suptitle(
        "Forward mode stores no graph: one tangent stays flat while reverse mode's graph grows "
        f"with depth\n(chunk='all' carries N-wide tangents on every live value: {r[0]:.1f}x "
        f"reverse mode's peak at 1 layer, N = {n[0]:,}; {r[-1]:.1f}x at "
        f"{data['layers']['layers'][-1]} layers, N = {n[-1]:,})"
    )
    return fig


main = Script(__file__, __doc__, compute, report, plot)


if __name__ == "__main__":
    sys.exit(main())
