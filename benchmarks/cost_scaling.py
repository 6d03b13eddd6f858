"""Cost of one full gradient versus parameter count N, on the character MLP.

Panel (a): forward passes per gradient, exact counts - random search 10N + 1 (tries=10),
forward mode N with one tangent, ceil(N/64) with chunk=64, 1 with chunk="all", reverse mode
one forward plus one backward pass (drawn as 2).
Panel (b): seconds per gradient, every method timed side by side at each N (interleaved
repeats, medians), with each method's fitted log-log slope. Points too slow to time whole are
timed on a stratified random sample of the parameters (or of random search's sweep) and
scaled up to N: hollow markers. The run also times one sample at a fully measured N, to check
the scaling.
Panel (c): one N = 3,000 one-tangent gradient spread over worker processes.

The model is MLP.with_params(27, N) on the names vocabulary (context 3) and the loss is the
mean cross-entropy of 32 fixed (context, target) pairs.

    python benchmarks/cost_scaling.py            # -> plots/cost_scaling.png and .json (~1 min)
    python benchmarks/cost_scaling.py --full     # larger samples, N = 3,000 timed whole (~4 min)
    python benchmarks/cost_scaling.py --quick    # a smoke run (threads) into plots/quick/
    python benchmarks/cost_scaling.py --replot   # redraw from plots/cost_scaling.json
"""

from __future__ import annotations

import argparse
import functools
import itertools
import os
import random
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from harness import Script, machine, measure, ratio, summarize
from plotting import subplots

from dualgrad import reverse, value_and_grad
from dualgrad.learn.data import Vocab, batches, examples, load_names
from dualgrad.learn.models import MLP
from dualgrad.learn.search import random_search_step
from dualgrad.learn.workers import process_pool
from dualgrad.tree import flatten, unflatten

NAME = "cost_scaling"
SEED = 0
CONTEXT = 3
BATCH_SIZE = 32
TRIES = 10  # random search: nudges per parameter
CHUNK = 64  # the chunked forward mode's width
TASKS_PER_WORKER = 4  # value_and_grad's default granularity on an executor

# What each run measures. A method is timed whole up to a size, on a random sample above it;
# a sample is checked against the whole at one size (a "sample check"). The default run
# samples more (one-tangent passes above N = 1,000, smaller samples) and times the workers
# panel on a sample of the gradient's passes; --full is the run the figures were first made with.
FULL = {
    "targets": [100, 300, 1_000, 3_000, 10_000],
    "repeats": 3,
    "forward_1_full_max": 3_000,  # N up to which all N one-tangent passes are timed
    "forward_1_sample": 300,  # parameters seeded above that
    "forward_64_full_max": 3_000,
    "forward_64_sample": 12,  # whole chunks of 64 timed above that
    "search_full_max_passes": 3_000,  # 10N + 1 passes timed whole up to this many
    "search_sample": 30,  # parameters swept above that (10 * 30 + 1 = 301 passes)
    "pool": "process",
    "pool_target": 3_000,
    "pool_sample": 3_000,  # every parameter: the whole gradient is timed, nothing scaled
}
DEFAULT = {
    **FULL,
    "repeats": 2,  # the log-log panel spans six decades: two rounds give its median and spread
    "forward_1_full_max": 300,
    "forward_1_sample": 150,
    "forward_64_full_max": 1_000,  # whole chunks of 64 sampled above (12 of them)
    "search_full_max_passes": 1_000,
    "search_sample": 15,
    "pool_sample": 200,  # of the N = 3,000 passes, spread over the workers as a whole gradient
    "pool_repeats": 2,  # its speedup's spread is small (1.90-2.02 in the first run)
}
QUICK = {
    "targets": [100, 300],
    "repeats": 1,
    "forward_1_full_max": 300,
    "forward_1_sample": 50,
    "forward_64_full_max": 300,
    "forward_64_sample": 2,
    "search_full_max_passes": 0,  # always a sample
    "search_sample": 10,
    "pool": "thread",  # fast and picklable-free; no speedup to expect under the GIL
    "pool_target": 300,
    "pool_sample": 40,
}
TABLE_TARGETS = (1_000, 3_000)

# key -> (legend label, colour, marker); the order is the legend's
METHODS = {
    "random_search": ("random search (tries=10)", "#d7191c", "P"),
    "forward_1": ("forward, one tangent (chunk=1)", "#1a9641", "o"),
    "forward_64": ("forward, chunk=64", "#2c7bb6", "^"),
    "forward_all": ('forward, chunk="all"', "#e08214", "v"),
    "reverse": ("reverse mode", "#7b3294", "D"),
    "float": ("plain float forward pass (reference)", "#666666", "s"),
}
GRADIENT_METHODS = [m for m in METHODS if m != "float"]
PASS_FORMULA = {
    "random_search": "10N + 1",
    "forward_1": "N",
    "forward_64": "ceil(N/64)",
    "forward_all": "1",
    "reverse": "1 fwd + 1 bwd",
    "float": "1",
}


def exact_passes(method: str, n: int) -> int:
    """Passes per gradient (reverse mode: its forward and backward pass, counted as 2)."""
    return {
        "random_search": TRIES * n + 1,
        "forward_1": n,
        "forward_64": -(-n // CHUNK),
        "forward_all": 1,
        "reverse": 2,
        "float": 1,
    }[method]


# -- loss functions (module level, so a process pool can pickle them) ---------------------------
def batch_loss(params: Any, model: MLP, batch: tuple) -> Any:
    return model.loss(params, batch)


def search_loss(flat: list[float], model: MLP, spec: Any, batch: tuple) -> float:
    """Random search's loss of the flat parameter list, as dualgrad.learn.train calls it."""
    return model.loss(unflatten(spec, flat), batch)


def search_sample_loss(
    sub: list[float], model: MLP, spec: Any, leaves: list[float], indices: list[int], batch: tuple
) -> float:
    """search_loss with only the sampled parameters taken from `sub` (same work per pass)."""
    full = list(leaves)
    for i, v in zip(indices, sub, strict=True):
        full[i] = v
    return model.loss(unflatten(spec, full), batch)


# -- the sweep ----------------------------------------------------------------------------------
@dataclass
class Case:
    """One timed callable: `scale` turns its seconds into seconds per full gradient."""

    method: str
    fn: Any
    scale: float = 1.0
    sample: int | None = None  # parameters (or chunks) timed, when not all of them
    check: bool = False  # a sample timed where the whole is timed too, to test the scaling
    passes: list[int] = field(default_factory=list)  # passes the timed calls reported


def stratified(rng: random.Random, total: int, k: int) -> list[int]:
    """k sorted indices of range(total), one drawn at random from each of k equal strata.

    Passes cost more or less depending on the tensor the seeded parameter belongs to (an
    embedding entry reaches every hidden unit, an output weight one logit), and the tensors lie
    in contiguous runs, so one draw per stratum covers each tensor in proportion: a much
    steadier estimate of the average pass than a simple random sample of the same size.
    """
    bounds = [i * total // k for i in range(k + 1)]
    return [rng.randrange(lo, hi) for lo, hi in itertools.pairwise(bounds) if lo < hi]


def setup() -> tuple[Vocab, tuple]:
    names = load_names()
    vocab = Vocab(names)
    batch = tuple(next(batches(examples(names, vocab, CONTEXT), BATCH_SIZE, seed=SEED)))
    return vocab, batch


def cases_for(model: MLP, batch: tuple, cfg: dict, rng: random.Random) -> dict[str, Case]:
    params = model.init_params(SEED)
    leaves, spec = flatten(params)
    n = len(leaves)
    f = functools.partial(batch_loss, model=model, batch=batch)
    cases: dict[str, Case] = {}

    # the float reference, repeated so one sample lasts ~20 ms
    start = time.perf_counter()
    for _ in range(3):
        f(params)
    reps = max(1, round(0.02 / ((time.perf_counter() - start) / 3)))

    def float_passes() -> None:
        for _ in range(reps):
            f(params)

    cases["float"] = Case("float", float_passes, scale=1 / reps)

    def rev() -> None:
        reverse.value_and_grad(f, params)
        cases["reverse"].passes.append(2)

    cases["reverse"] = Case("reverse", rev)

    def forward(key: str, chunk: int | str, wrt: list[int] | None = None) -> Any:
        def call() -> None:
            cases[key].passes.append(value_and_grad(f, params, chunk=chunk, wrt=wrt).passes)

        return call

    cases["forward_all"] = Case("forward_all", forward("forward_all", "all"))

    # one tangent: all N passes, or a stratified sample of parameters
    def forward_1_sample(key: str) -> Case:
        idx = stratified(rng, n, cfg["forward_1_sample"])
        s = len(idx)
        return Case("forward_1", forward(key, 1, idx), n / s, s)

    if n <= cfg["forward_1_full_max"]:
        cases["forward_1"] = Case("forward_1", forward("forward_1", 1))
        if n > cfg["forward_1_sample"] and n * 3 > cfg["forward_1_full_max"]:
            cases["forward_1 check"] = forward_1_sample("forward_1 check")
            cases["forward_1 check"].check = True
    else:
        cases["forward_1"] = forward_1_sample("forward_1")

    # chunk=64: all ceil(N/64) passes, or a stratified sample of whole chunks
    def forward_64_sample(key: str) -> Case:
        k = min(cfg["forward_64_sample"], n // CHUNK)
        chunks = stratified(rng, n // CHUNK, k)
        idx = [c * CHUNK + j for c in chunks for j in range(CHUNK)]
        return Case("forward_64", forward(key, CHUNK, idx), exact_passes("forward_64", n) / k, k)

    if n <= cfg["forward_64_full_max"]:
        cases["forward_64"] = Case("forward_64", forward("forward_64", CHUNK))
        if n // CHUNK > cfg["forward_64_sample"] and n * 3 > cfg["forward_64_full_max"]:
            cases["forward_64 check"] = forward_64_sample("forward_64 check")
            cases["forward_64 check"].check = True
    else:
        cases["forward_64"] = forward_64_sample("forward_64")

    # random search: one sweep (10N + 1 passes), or a sweep over a sample of parameters
    def search(key: str, loss: Any, x: list[float]) -> Any:
        def call() -> None:
            stats = random_search_step(loss, list(x), tries=TRIES, rng=random.Random(SEED))
            cases[key].passes.append(stats.passes)

        return call

    def search_sample(key: str) -> Case:
        idx = stratified(rng, n, cfg["search_sample"])
        s = len(idx)
        loss = functools.partial(
            search_sample_loss, model=model, spec=spec, leaves=leaves, indices=idx, batch=batch
        )
        scale = exact_passes("random_search", n) / (TRIES * s + 1)
        return Case("random_search", search(key, loss, [leaves[i] for i in idx]), scale, s)

    full_loss = functools.partial(search_loss, model=model, spec=spec, batch=batch)
    limit = cfg["search_full_max_passes"]
    if exact_passes("random_search", n) <= limit:
        cases["random_search"] = Case("random_search", search("random_search", full_loss, leaves))
        if n > cfg["search_sample"] and exact_passes("random_search", n) * 3 > limit:
            cases["random_search check"] = search_sample("random_search check")
            cases["random_search check"].check = True
    else:
        cases["random_search"] = search_sample("random_search")
    return cases


def sweep(cfg: dict, batch: tuple, vocab_size: int) -> tuple[list[dict], list[dict], list[dict]]:
    """Time every method at every N: (sizes, points, sample checks)."""
    rng = random.Random(SEED + 1)
    sizes, points, checks = [], [], []
    for target in cfg["targets"]:
        model = MLP.with_params(vocab_size, target, context=CONTEXT)
        n = model.num_params
        cases = cases_for(model, batch, cfg, rng)
        if not sizes:  # warm up at the smallest size: first-call imports, numpy, caches
            for case in cases.values():
                case.fn()
                case.passes.clear()
        t0 = time.perf_counter()
        samples = measure({k: c.fn for k, c in cases.items()}, repeats=cfg["repeats"])
        took = time.perf_counter() - t0
        print(f"  N = {n:6,}: {len(cases)} cases x {cfg['repeats']} repeats in {took:.1f} s")
        sizes.append({"target": target, "n": n, "model": repr(model)})
        scaled = {k: [s * c.scale for s in samples[k]] for k, c in cases.items()}
        for key, case in cases.items():
            timed = exact_passes(case.method, n) if case.sample is None else None
            if case.passes and case.sample is None:  # the drivers' own count agrees
                assert set(case.passes) == {timed}, (key, case.passes, timed)
            record = {
                "method": case.method,
                "n": n,
                "passes": exact_passes(case.method, n),
                "seconds": scaled[key],
                "median": summarize(scaled[key]).median,
                "extrapolated": case.sample is not None,
                "sample": case.sample,
                "scale": case.scale,
                "timed_passes": case.passes[0] if case.passes else None,
            }
            if case.check:
                full = summarize(scaled[case.method]).median
                checks.append({**record, "full_median": full, "error": record["median"] / full - 1})
            else:
                points.append(record)
    return sizes, points, checks


def workers_panel(cfg: dict, batch: tuple, vocab_size: int) -> dict:
    """Panel (c): one one-tangent gradient serial, then on pools of 1 and 2 workers."""
    model = MLP.with_params(vocab_size, cfg["pool_target"], context=CONTEXT)
    params = model.init_params(SEED)
    leaves, _ = flatten(params)
    n = len(leaves)
    s = min(cfg["pool_sample"], n)
    idx = stratified(random.Random(SEED + 2), n, s)
    fn = functools.partial(batch_loss, model=model, batch=batch)
    kind = cfg["pool"]
    pool_class = process_pool if kind == "process" else ThreadPoolExecutor
    counts = (1, 2)
    pools = {w: pool_class(w) for w in counts}
    results: dict[str, Any] = {}
    try:
        for pool in pools.values():  # start every worker and pay its imports before timing
            value_and_grad(fn, params, wrt=idx[:16], executor=pool)

        def run(key: str, pool: Any) -> Any:
            def call() -> None:
                results[key] = value_and_grad(fn, params, wrt=idx, executor=pool)

            return call

        cases = {"serial": run("serial", None)}
        cases.update({f"{w} worker{'s' * (w > 1)}": run(f"{w}", pools[w]) for w in counts})
        t0 = time.perf_counter()
        repeats = cfg.get("pool_repeats", cfg["repeats"])
        samples = measure(cases, repeats=repeats)
        took = time.perf_counter() - t0
    finally:
        for pool in pools.values():
            pool.shutdown()
    identical = all(
        r.grad == results["serial"].grad and r.value == results["serial"].value
        for r in results.values()
    )
    labels = list(samples)
    seconds = {k: [t * n / s for t in v] for k, v in samples.items()}
    serial, one, two = (seconds[k] for k in labels)
    print(f"  workers panel: {len(cases)} cases x {repeats} repeats in {took:.1f} s")
    return {
        "n": n,
        "model": repr(model),
        "executor": "ProcessPoolExecutor" if kind == "process" else "ThreadPoolExecutor",
        "sample": s,
        "scale": n / s,
        "tasks_per_worker": TASKS_PER_WORKER,
        "cpu_count": os.cpu_count(),
        "identical_to_serial": identical,
        "cases": [
            {
                "label": k,
                "workers": w,
                "tasks": 1 if w == 0 else min(TASKS_PER_WORKER * w, s),
                "seconds": seconds[k],
                "median": summarize(seconds[k]).median,
            }
            for k, w in zip(labels, (0, *counts), strict=True)
        ],
        "speedup_1": vars(ratio(serial, one)),
        "speedup_2": vars(ratio(serial, two)),
        "speedup_2_vs_1": vars(ratio(one, two)),
    }


def fit_slopes(points: list[dict]) -> dict:
    """Least-squares line through (log10 N, log10 median seconds), per method."""
    import numpy as np

    fits = {}
    for method in METHODS:
        pts = [p for p in points if p["method"] == method]
        if len(pts) >= 2:
            x = np.log10([p["n"] for p in pts])
            y = np.log10([p["median"] for p in pts])
            slope, intercept = np.polyfit(x, y, 1)
            fits[method] = {"slope": float(slope), "intercept": float(intercept)}
    return fits


def figures(sizes: list[dict], points: list[dict], workers: dict | None) -> tuple[list, dict]:
    """The note's table (per N near 1,000 and 3,000: every method) and its ratios."""
    chosen = [s for s in sizes if s["target"] in TABLE_TARGETS] or sizes[-2:]
    table, ratios = [], {}
    for size in chosen:
        n = size["n"]
        at = {p["method"]: p for p in points if p["n"] == n}
        for method in METHODS:
            p = at[method]
            summ = summarize(p["seconds"])
            table.append(
                {
                    "n": n,
                    "method": method,
                    "label": METHODS[method][0],
                    "seconds": summ.median,
                    "low": summ.low,
                    "high": summ.high,
                    "passes": p["passes"],
                    "extrapolated": p["extrapolated"],
                }
            )
        one, flt, alls = (at[k]["seconds"] for k in ("forward_1", "float", "forward_all"))
        ratios[str(n)] = {
            "one_tangent_over_n_float": vars(ratio(one, [n * t for t in flt])),
            "one_tangent_over_all": vars(ratio(one, alls)),
            "forward_1_extrapolated": at["forward_1"]["extrapolated"],
        }
    if workers is not None:
        ratios["speedup_2"] = {"n": workers["n"], **workers["speedup_2"]}
    return table, ratios


def compute(args: argparse.Namespace) -> dict:
    quick = args.quick
    cfg = dict(QUICK if quick else FULL if args.full else DEFAULT)
    cfg["repeats"] = args.repeats or cfg["repeats"]
    vocab, batch = setup()
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"timing {len(cfg['targets'])} sizes, {cfg['repeats']} interleaved repeats each:")
    sizes, points, checks = sweep(cfg, batch, vocab.size)
    workers = workers_panel(cfg, batch, vocab.size)
    table, ratios = figures(sizes, points, workers)
    load_after = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "quick": quick,
        **machine(),
        # other processes competing for the CPUs (1-minute load average, before and after)
        "load_average": [load_before and load_before[0], load_after and load_after[0]],
        "repeats": cfg["repeats"],
        "config": cfg,
        "vocab_size": vocab.size,
        "context": CONTEXT,
        "batch_size": BATCH_SIZE,
        "tries": TRIES,
        "chunk": CHUNK,
        "sizes": sizes,
        "points": points,
        "sample_checks": checks,
        "fits": fit_slopes(points),
        "workers": workers,
        "table": table,
        "ratios": ratios,
    }


# -- report -------------------------------------------------------------------------------------
def _seconds(x: float) -> str:
    return f"{x:.3g} s" if x >= 0.1 else f"{x * 1e3:.3g} ms"


def report(data: dict) -> None:
    print(
        f"One full gradient of the character MLP (V={data['vocab_size']}, context "
        f"{data['context']}, batch {data['batch_size']}), median of {data['repeats']} "
        f"interleaved repeats [min-max]; * = timed on a sample and scaled to N"
    )
    by_n: dict[int, list[dict]] = {}
    for row in data["table"]:
        by_n.setdefault(row["n"], []).append(row)
    for n, rows in by_n.items():
        model = next(s["model"] for s in data["sizes"] if s["n"] == n)
        print(f"N = {n:,}  ({model})")
        print(f"  {'method':38s} {'seconds per gradient':>30s} {'passes per gradient':>24s}")
        for r in rows:
            spread = f"{_seconds(r['seconds'])}{'*' if r['extrapolated'] else ' '} "
            spread += f"[{_seconds(r['low'])}-{_seconds(r['high'])}]"
            passes = f"{r['passes']:,} ({PASS_FORMULA[r['method']]})"
            print(f"  {r['label']:38s} {spread:>30s} {passes:>24s}")
        rat = data["ratios"][str(n)]
        a, b = rat["one_tangent_over_n_float"], rat["one_tangent_over_all"]
        star = "*" if rat["forward_1_extrapolated"] else ""
        print(
            f"  forward one tangent / (N x float pass){star}: {a['median']:.2f} "
            f"[{a['low']:.2f}-{a['high']:.2f}]"
        )
        print(
            f'  forward one tangent / chunk="all"{star}:      {b["median"]:.1f} '
            f"[{b['low']:.1f}-{b['high']:.1f}]"
        )
    w = data["workers"]
    if w is not None:
        print(
            f"One N = {w['n']:,} one-tangent gradient on a {w['executor']} "
            f"({w['cpu_count']} CPUs), tasks: value_and_grad's default of "
            f"{w['tasks_per_worker']} per worker; timed on {w['sample']} sampled parameters "
            f"and scaled by {w['scale']:.2f}; results identical to serial: "
            f"{w['identical_to_serial']}"
        )
        for c in w["cases"]:
            summ = summarize(c["seconds"])
            print(
                f"  {c['label']:10s} {c['tasks']:2d} task(s)  {_seconds(summ.median):>9s} "
                f"[{_seconds(summ.low)}-{_seconds(summ.high)}]"
            )
        s2, s1, s21 = w["speedup_2"], w["speedup_1"], w["speedup_2_vs_1"]
        print(
            f"  2-worker speedup over serial: {s2['median']:.2f}x "
            f"[{s2['low']:.2f}-{s2['high']:.2f}]; "
            f"over 1 worker: {s21['median']:.2f}x; 1 worker vs serial: {s1['median']:.2f}x"
        )
    load = data.get("load_average") or [None, None]
    if None not in load:
        print(
            f"machine load (1-min average) before/after the run: {load[0]:.1f}/{load[1]:.1f} "
            f"on {data['cpu_count']} CPUs (this run accounts for ~1; above ~1.5, other "
            "processes competed for the cores)"
        )
    fits = ", ".join(f"{k} {v['slope']:.2f}" for k, v in data["fits"].items())
    print(f"log-log slopes of seconds vs N: {fits}")
    for c in data["sample_checks"]:
        print(
            f"sample check, {c['method']} at N = {c['n']:,}: timed whole "
            f"{_seconds(c['full_median'])}, from a sample of {c['sample']} scaled "
            f"{_seconds(c['median'])} "
            f"({c['error']:+.0%})"
        )


# -- plot ---------------------------------------------------------------------------------------
def plot(data: dict) -> Any:
    from matplotlib.lines import Line2D

    fig, (ax1, ax2, ax3) = subplots(1, 3, figsize=(19, 7.2), width_ratios=[1, 1.15, 0.75])
    ns = [s["n"] for s in data["sizes"]]
    points = data["points"]

    # (a) exact pass counts
    for method in GRADIENT_METHODS:
        label, colour, marker = METHODS[method]
        ys = [exact_passes(method, n) for n in ns]
        formula = PASS_FORMULA[method]
        if method == "reverse":
            formula = "1 forward + 1 backward, drawn as 2"
        ax1.plot(ns, ys, marker=marker, color=colour, lw=2, ms=7, label=f"{label}: {formula}")
        ax1.annotate(
            f"{ys[-1]:,}",
            (ns[-1], ys[-1]),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            color=colour,
        )
    ax1.set_xscale("log")
    ax1.set_yscale("log")
    ax1.set_xlim(min(ns) / 1.3, max(ns) * 2.2)
    ax1.set_ylim(0.7, exact_passes("random_search", max(ns)) * 3)
    ax1.set_xlabel("parameters N (log scale)")
    ax1.set_ylabel("forward passes per gradient (log scale)")
    ax1.set_title("(a) passes per full gradient (exact counts)")
    ax1.grid(alpha=0.3, which="both")
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.11), fontsize=9, ncol=1)

    # (b) measured seconds, with fitted slopes
    fits = data["fits"]
    handles = []
    for method in METHODS:
        label, colour, marker = METHODS[method]
        pts = sorted((p for p in points if p["method"] == method), key=lambda p: p["n"])
        xs = [p["n"] for p in pts]
        med = [p["median"] for p in pts]
        lo = [m - min(p["seconds"]) for m, p in zip(med, pts, strict=True)]
        hi = [max(p["seconds"]) - m for m, p in zip(med, pts, strict=True)]
        slope = f", slope {fits[method]['slope']:.2f}" if method in fits else ""
        ls = "--" if method == "float" else "-"
        ax2.plot(xs, med, ls=ls, color=colour, lw=1.8)
        handles.append(
            Line2D([], [], ls=ls, color=colour, lw=1.8, marker=marker, ms=7, label=label + slope)
        )
        ax2.errorbar(xs, med, yerr=[lo, hi], fmt="none", ecolor=colour, capsize=3, lw=1)
        for p in pts:
            ax2.plot(
                [p["n"]],
                [p["median"]],
                marker=marker,
                ms=8,
                color=colour,
                mfc="white" if p["extrapolated"] else colour,
                mew=1.8,
                ls="none",
            )
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel("parameters N (log scale)")
    ax2.set_ylabel("seconds per full gradient (log scale; median, min-max bars)")
    ax2.set_title(f"(b) measured time per gradient, {data['repeats']} interleaved repeats")
    ax2.grid(alpha=0.3, which="both")
    filled = {"marker": "o", "color": "#333", "ls": "none", "ms": 8}
    handles += [
        Line2D([], [], **filled, label="filled: every pass timed"),
        Line2D([], [], **filled, mfc="white", mew=1.8, label="hollow: a sample timed, scaled to N"),
    ]
    ax2.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.11), fontsize=9, ncol=2)

    # (c) worker processes
    w = data["workers"]
    cases = w["cases"]
    med = [summarize(c["seconds"]).median for c in cases]
    lo = [m - min(c["seconds"]) for m, c in zip(med, cases, strict=True)]
    hi = [max(c["seconds"]) - m for m, c in zip(med, cases, strict=True)]
    colours = ["#888888", "#74c476", "#1a9641"]
    xs = range(len(cases))
    bars = ax3.bar(xs, med, yerr=[lo, hi], capsize=5, color=colours, width=0.6)
    speedups = [1.0, w["speedup_1"]["median"], w["speedup_2"]["median"]]
    for bar, sp in zip(bars, speedups, strict=True):
        ax3.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height() * 1.04 + max(hi),
            f"{_seconds(bar.get_height())}\nspeedup {sp:.2f}x",
            ha="center",
            va="bottom",
            fontsize=10,
        )
    ax3.axhline(
        med[0] / 2, color="#1a9641", ls=":", lw=1.5, label="ideal for 2 workers: serial / 2"
    )
    pool = "processes" if w["executor"] == "ProcessPoolExecutor" else "threads (quick run)"
    ticks = [
        f"{c['label']}\n({c['tasks']} task{'s' * (c['tasks'] > 1)})"
        if c["workers"]
        else "serial\n(no pool)"
        for c in cases
    ]
    ax3.set_xticks(list(xs), ticks)
    ax3.set_ylim(0, (max(med) + max(hi)) * 1.3)
    ax3.set_ylabel("seconds per one-tangent gradient (median, min-max bars)")
    ax3.set_title(f"(c) one N = {w['n']:,} one-tangent gradient\non worker {pool}")
    ax3.legend(loc="upper center", bbox_to_anchor=(0.5, -0.11), fontsize=9)
    note = (
        f"{w['executor']}, {w['cpu_count']} CPUs, value_and_grad's default\n"
        f"{w['tasks_per_worker']} tasks per worker; timed on {w['sample']} sampled "
        f"parameters x {w['scale']:.2f}"
    )
    load = data.get("load_average") or [None, None]
    if None not in load and max(load) > 1.5:  # this run itself accounts for ~1
        note += (
            f"\nmachine load {load[0]:.1f} -> {load[1]:.1f} on {data['cpu_count']} CPUs during "
            "the run:\nother processes competed for the cores"
        )
    ax3.text(
        0.5,
        -0.2,
        note,
        transform=ax3.transAxes,
        ha="center",
        va="top",
        fontsize=9,
        color="#444",
    )

    fig.suptitle(
        f"Cost of one full gradient vs parameter count N: character MLP (V = "
        f"{data['vocab_size']}, context {data['context']}, batch {data['batch_size']}), "
        f"Python {data['python']}, {data['machine']}, {data['cpu_count']} CPUs",
        fontsize=13,
    )
    return fig


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=int, help=f"interleaved rounds ({FULL['repeats']})")
    parser.add_argument("--full", action="store_true", help="larger samples: the first run")


main = Script(__file__, __doc__, compute, report, plot, options)


if __name__ == "__main__":
    sys.exit(main())
