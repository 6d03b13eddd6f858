"""Cost of one Jacobian of a PDE residual versus N: sparse (colored) against dense forward mode
and finite differences, side by side in one run.

Workloads: a 1-D Bratu residual (tridiagonal Jacobian), a 2-D Bratu residual on an n x n grid
(5-point stencil) and a two-species 2-D Brusselator (periodic, unknowns interleaved).
Methods: the sparse Jacobian with the pattern and coloring reused (a Newton loop's cost) by each
seeding method - one float pass per color, one pass of color-wide numpy tangents, one pass of
index-value tangents - and its first call (detection and coloring included); the dense
``jacobian`` with chunk=1 and chunk=64; forward differences (N + 1 plain evaluations).
Seconds are medians and [min-max] of interleaved rounds (harness.measure) for the sparse
methods; the dense yardsticks, 100 to 10,000 times slower, are timed once per size (their
spread is small beside the ratios), except the dense ``jacobian(chunk=64)`` at each
workload's largest size, where the targets are judged: it joins the rounds (``--full``
interleaves every method at every size). The dense chunk=1 and finite differences, too slow to
run whole at the large sizes, are timed there on a sample of their passes and scaled to all of
them: hollow markers, "extrapolated" in the data (that leaves out assembling the N x N result,
so it understates their cost, by 2-3x at N = 10,000); so is the dense chunk=64 at each
workload's largest size (timed whole at every size with ``--full``), where the speed target is
then not judged: only a run with ``--full`` judges it. Peak memory (tracemalloc) is measured
for the sparse methods and for the whole dense chunk=64, whose result also checks every sparse
method's values (the largest relative difference; entries off the pattern must be zero).

    python benchmarks/sparse_jacobian.py           # -> plots/sparse_jacobian.png and .json
    python benchmarks/sparse_jacobian.py --full    # dense chunk=64 whole at N = 10,000 and
                                                   # interleaved (6 min on a busy 2-core machine)
    python benchmarks/sparse_jacobian.py --quick   # a smoke run (plots/quick/)
    python benchmarks/sparse_jacobian.py --replot  # redraw from the saved JSON
"""

from __future__ import annotations

import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness, when imported by path
from _sparse_jacobian_plot import plot
from _sparse_workloads import WORKLOADS, start
from harness import Script, machine, measure, ratio, summarize

from dualgrad import jacobian, sparse_jacobian
from dualgrad.drivers.seeding import (
    seed_columns,  # sampled dense passes: the dense driver's own unit
)
from dualgrad.drivers.tags import Tagged, active
from dualgrad.sparsity.jacobian import METHODS as SPARSE_METHODS
from dualgrad.tree import flatten

FULL = {
    "bratu1": [100, 1_000, 3_000, 10_000],
    "bratu2": [10, 32, 55, 100],
    "brusselator": [8, 20, 35, 50],
}
QUICK = {"bratu1": [100, 300], "bratu2": [6, 12], "brusselator": [5, 8]}
# N up to which each dense yardstick is timed whole (above: a sample of its passes, scaled)
# (dense chunk=64: whole but at a workload's largest size above 3,000; --full: 1,000, 1,000, all)
DENSE_FULL_MAX = {"dense_1": 300, "fd": 300}
SAMPLE_PASSES = {"dense_1": 20, "fd": 20, "dense_64": 16}
TARGETS = {"speedup": 100.0, "memory_fraction": 1 / 50, "relative_difference": 1e-12}
SPEED_TARGETED = ("bratu1", "bratu2")  # the speed and memory targets are set at N = 10,000
MAX_COLORS = {"bratu1": 3, "bratu2": 7, "brusselator": 12}  # every workload: passes bounded


# -- the methods ------------------------------------------------------------------------------
def dense_sample(
    f: Callable[..., Any], x: list[float], width: int, passes: int
) -> Callable[[], Any]:
    """`passes` of the dense jacobian's passes (its own unit of work), for extrapolation."""
    leaves, spec = flatten(x)

    def run() -> Any:
        with Tagged():
            chosen = list(range(passes * width))
            return seed_columns(f, spec, leaves, chosen, width, tuple(active()), "jacobian")

    return run


def fd(f: Callable[..., Any], x: list[float], columns: int) -> list[list[float]]:
    """Forward differences for the first `columns` columns (all: the whole Jacobian)."""
    f0, cols = f(x), []
    for j in range(columns):
        h = 1e-7 * max(1.0, abs(x[j]))
        xp = list(x)
        xp[j] += h
        cols.append([(a - b) / h for a, b in zip(f(xp), f0, strict=True)])
    return cols


def cases(
    workload: str, n: int, reuse: Any, dense_64_max: float, whole: dict[str, int]
) -> tuple[dict[str, Callable[[], Any]], dict[str, Any]]:
    """What to time at size n, and for each: passes and the factor a sample is scaled by."""
    f, x = WORKLOADS[workload][0], start(n)
    run: dict[str, Callable[[], Any]] = {
        "sparse_colors": lambda: sparse_jacobian(f, x, sparsity=reuse, method="colors"),
        "sparse_chunked": lambda: sparse_jacobian(f, x, sparsity=reuse, method="chunked"),
        "sparse_sparse": lambda: sparse_jacobian(f, x, sparsity=reuse, method="sparse"),
        "sparse_first": lambda: sparse_jacobian(f, x),
    }
    info: dict[str, Any] = {
        "sparse_colors": (reuse.colors, 1.0),
        "sparse_chunked": (1, 1.0),
        "sparse_sparse": (1, 1.0),
        "sparse_first": (reuse.passes, 1.0),
    }
    if n <= whole["dense_1"]:
        run["dense_1"], info["dense_1"] = (lambda: jacobian(f, x, chunk=1)), (n, 1.0)
    else:
        k = SAMPLE_PASSES["dense_1"]
        run["dense_1"], info["dense_1"] = dense_sample(f, x, 1, k), (n, n / k)
    passes_64 = -(-n // 64)
    if n <= dense_64_max:
        run["dense_64"], info["dense_64"] = (lambda: jacobian(f, x, chunk=64)), (passes_64, 1.0)
    else:
        k = SAMPLE_PASSES["dense_64"]
        run["dense_64"], info["dense_64"] = dense_sample(f, x, 64, k), (passes_64, passes_64 / k)
    if n <= whole["fd"]:
        run["fd"], info["fd"] = (lambda: fd(f, x, n)), (n + 1, 1.0)
    else:
        k = SAMPLE_PASSES["fd"]
        run["fd"], info["fd"] = (lambda: fd(f, x, k)), (n + 1, (n + 1) / (k + 1))
    return run, info


def peak_bytes(fn: Callable[[], Any]) -> tuple[int, Any]:
    """The peak of memory traced while `fn` runs, and what it returned."""
    tracemalloc.start()
    try:
        out = fn()
        return tracemalloc.get_traced_memory()[1], out
    finally:
        tracemalloc.stop()


def difference(sparse: Any, dense: list[list[float]]) -> float:
    """The largest relative difference of a sparse Jacobian from the dense one (inf if the
    dense one has a nonzero off the sparse pattern)."""
    worst, on_pattern = 0.0, [0] * len(dense)
    for i, j, v in zip(sparse.rows, sparse.cols, sparse.values, strict=True):
        d = dense[i][j]
        gap = abs(v - d) / abs(d) if d else abs(v)
        if gap != gap:  # a NaN: the same on both sides, or a difference
            gap = 0.0 if v != v and d != d else float("inf")
        worst = max(worst, gap)
        on_pattern[i] += d != 0
    for row, seen in zip(dense, on_pattern, strict=True):  # row.count runs in C
        if len(row) - row.count(0.0) != seen:
            return float("inf")
    return worst


def memory_and_check(
    f: Callable[..., Any], n: int, first: Any, dense_whole: bool
) -> tuple[dict[str, int], dict[str, float]]:
    """Peak memory of the sparse default (pattern reused), its first call and the whole dense
    chunk=64; and each sparse method's largest relative difference from that dense result
    (when `dense_whole`; else the sparse memory only)."""
    x = start(n)
    memory = {"sparse_auto": peak_bytes(lambda: sparse_jacobian(f, x, sparsity=first))[0]}
    memory["sparse_first"] = peak_bytes(lambda: sparse_jacobian(f, x))[0]
    if not dense_whole:
        return memory, {}
    memory["dense_64"], dense = peak_bytes(lambda: jacobian(f, x, chunk=64))
    differences = {
        f"sparse_{m}": difference(sparse_jacobian(f, x, sparsity=first, method=m), dense)
        for m in SPARSE_METHODS
        if m != "auto"
    }
    return memory, differences


def timed(
    run: dict[str, Callable[[], Any]], repeats: int, once: tuple[str, ...]
) -> dict[str, list[float]]:
    """The cases in interleaved rounds, except those timed `once` (after the rounds)."""
    rounds = measure({k: v for k, v in run.items() if k not in once}, repeats=repeats)
    return {**rounds, **measure({k: v for k, v in run.items() if k in once}, repeats=1)}


def run_workload(workload: str, sizes: list[int], repeats: int, full: bool) -> list[dict[str, Any]]:
    points = []
    whole = {"dense_1": 1_000, "fd": 1_000} if full else DENSE_FULL_MAX
    largest = WORKLOADS[workload][1](sizes[-1])
    dense_64_max = float("inf") if full or largest <= 3_000 else largest - 1
    for s in sizes:
        n = WORKLOADS[workload][1](s)
        f = WORKLOADS[workload][0]
        first = sparse_jacobian(f, start(n))
        run, info = cases(workload, n, first, dense_64_max, whole)
        # the yardstick of the targets, dense chunk=64, is interleaved at the largest size
        once = () if full else ("dense_1", "fd") + (("dense_64",) if s != sizes[-1] else ())
        samples = timed(run, repeats, once)
        memory, differences = memory_and_check(f, n, first, n <= dense_64_max)
        auto = "sparse_" + ("colors" if first.method == "colors" else "chunked")
        for key, secs in samples.items():
            passes, scale = info[key]
            scaled = [t * scale for t in secs]
            points.append(
                {
                    "workload": workload,
                    "size": s,
                    "n": n,
                    "method": key,
                    "passes": passes,
                    "colors": first.colors,
                    "auto": auto,
                    "seconds": scaled,
                    "median": summarize(scaled).median,
                    "extrapolated": scale != 1.0,
                    "memory": memory.get(key),
                    "sparse_memory": memory,
                    "difference": differences.get(key),
                }
            )
        line = ", ".join(
            f"{k} {summarize([t * info[k][1] for t in v])}" for k, v in samples.items()
        )
        worst = f"{max(differences.values()):.1e}" if differences else "not checked"
        print(
            f"{workload} N={n} colors={first.colors} (largest relative difference from dense "
            f"{worst}): {line}",
            flush=True,
        )
    return points


def size(point: dict[str, Any]) -> int:
    return int(point["n"])


def speedup(dense: list[float], sparse: list[float]) -> Any:
    """Per-round ratios when both were timed in the same rounds, else the one dense time over
    each sparse round."""
    if len(dense) == len(sparse):
        return ratio(dense, sparse)
    return summarize([d / t for d in dense for t in sparse])


def targets(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At each workload's largest size: the default sparse method against dense chunk=64."""
    out = []
    for workload in WORKLOADS:
        mine = [p for p in points if p["workload"] == workload]
        if not mine:
            continue
        n = max(p["n"] for p in mine)
        at = {p["method"]: p for p in mine if p["n"] == n}
        auto, dense = at[at["dense_64"]["auto"]], at["dense_64"]
        speed = speedup(dense["seconds"], auto["seconds"])
        judged = not dense["extrapolated"]  # an extrapolated dense cost is understated
        # peak memory where the dense chunk=64 ran whole (the largest such size)
        traced = max((p for p in mine if p["method"] == "dense_64" and p["memory"]), key=size)
        frac = traced["sparse_memory"]["sparse_auto"] / traced["memory"]
        worst = max(p["difference"] for p in mine if p["difference"] is not None)
        out.append(
            {
                "workload": workload,
                "n": n,
                "method": auto["method"],
                "colors": auto["colors"],
                "speedup": speed.median,
                "speedup_low": speed.low,
                "speedup_high": speed.high,
                "sparse_seconds": auto["median"],
                "dense_seconds": dense["median"],
                "dense_extrapolated": dense["extrapolated"],
                "memory_fraction": frac,
                "memory_n": traced["n"],
                "relative_difference": worst,  # every method, every size of the workload
                "speed_targeted": workload in SPEED_TARGETED,
                "speed_judged": judged,
                "met": (
                    workload not in SPEED_TARGETED
                    or (
                        (speed.median >= TARGETS["speedup"] or not judged)
                        and frac <= TARGETS["memory_fraction"]
                    )
                )
                and worst <= TARGETS["relative_difference"]
                and max(p["colors"] for p in mine) <= MAX_COLORS[workload],
            }
        )
    return out


def compute(args: Any) -> dict[str, Any]:
    sizes, repeats = (QUICK, 2) if args.quick else (FULL, 3 if args.full else 2)
    points = [p for w in WORKLOADS for p in run_workload(w, sizes[w], repeats, args.full)]
    return {
        "quick": args.quick,
        "full": args.full,
        "repeats": repeats,
        **machine(),
        "points": points,
        "targets": targets(points),
        "goals": TARGETS,
    }


def report(data: dict[str, Any]) -> None:
    for t in data["targets"]:
        dense = "extrapolated from a sample" if t["dense_extrapolated"] else "timed whole"
        memory_at = f" at N={t['memory_n']}" if t.get("memory_n", t["n"]) != t["n"] else ""
        if data["quick"]:  # small sizes: the targets (set at N = 10,000) are not judged
            verdict = "a smoke run, targets not judged"
        else:
            verdict = "targets met" if t["met"] else "targets NOT met"
        print(
            f"{t['workload']} N={t['n']} ({t['colors']} colors, {t['method']}): "
            f"{t['sparse_seconds']:.3g} s against {t['dense_seconds']:.3g} s, "
            f"{t['speedup']:.0f}x [{t['speedup_low']:.0f}-{t['speedup_high']:.0f}] faster than "
            f"dense chunk=64 ({dense}), 1/{1 / t['memory_fraction']:.0f} of its peak memory"
            f"{memory_at}, values within {t['relative_difference']:.1e} relative of it: "
            + ("" if t.get("speed_targeted", True) else "(its targets: colors and values) ")
            + ("" if t.get("speed_judged", True) else "(speed judged with --full) ")
            + verdict
        )


def options(parser: Any) -> None:
    parser.add_argument(
        "--full", action="store_true", help="dense chunk=64 whole at every size, interleaved"
    )


main = Script(__file__, __doc__, compute, report, plot, options)


if __name__ == "__main__":
    sys.exit(main())
