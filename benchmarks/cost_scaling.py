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
import os
import sys

from _cost_scaling_plot import plot
from _cost_scaling_sweep import (
    BATCH_SIZE,
    CHUNK,
    CONTEXT,
    METHODS,
    PASS_FORMULA,
    TRIES,
    setup,
    sweep,
    workers_panel,
)
from harness import Script, machine, ratio, summarize
from plotting import seconds

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
            spread = f"{seconds(r['seconds'])}{'*' if r['extrapolated'] else ' '} "
            spread += f"[{seconds(r['low'])}-{seconds(r['high'])}]"
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
                f"  {c['label']:10s} {c['tasks']:2d} task(s)  {seconds(summ.median):>9s} "
                f"[{seconds(summ.low)}-{seconds(summ.high)}]"
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
            f"{seconds(c['full_median'])}, from a sample of {c['sample']} scaled "
            f"{seconds(c['median'])} "
            f"({c['error']:+.0%})"
        )


def options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=int, help=f"interleaved rounds ({FULL['repeats']})")
    parser.add_argument("--full", action="store_true", help="larger samples: the first run")


main = Script(__file__, __doc__, compute, report, plot, options)


if __name__ == "__main__":
    sys.exit(main())
