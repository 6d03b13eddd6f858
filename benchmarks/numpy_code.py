"""numpy code differentiated as users write it: dualgrad's dual arrays against the numpy
function itself, against the object-array path (f given an object array of Duals, one Python
number per entry, as before dual arrays) and against JAX, torch.func and autograd.

Programs (benchmarks/_numpy_problems.py): a logistic-regression loss (m = 2,000 and 20,000,
d = 50), a two-layer tanh MLP's loss, the 1-D Bratu residual (n = 2,000 and 100,000), RK4 of
the Lotka-Volterra ODE (50 steps) and a linear solve. Methods: ``jvp`` (one direction),
``grad(chunk="all")`` for the losses and ``jacobian(chunk="all")`` for the vector outputs (not
for Bratu at n = 100,000: an n x n dense Jacobian), ``sparse_jacobian`` for Bratu (its plain
call, and with the pattern reused); the object-array path (``grad(lambda leaves:
f(rebuild(leaves, shape, numbers=True)), x.tolist(), chunk="all")``, ``jvp`` and
``sparse_jacobian`` likewise) at the small sizes only; each peer that imports: JAX (jvp and
jacfwd, eager and jit, compile time excluded), torch.func (jvp, jacfwd), autograd (make_jvp).
A method that refuses a program is skipped with its message, a peer that is not installed
with the reason (the ``bench`` extra installs JAX and autograd).

Each method's time is divided by the numpy function's in the same round (harness.measure,
interleaved rounds): median and [min-max]. Methods taking over 0.2 s run fewer rounds (3,
with the numpy function again), over 2 s once (their first call, against the numpy function's
median). BLAS, XLA and torch run on one thread each: the machine is shared. Every result is
checked: dualgrad's jvp against central differences of the numpy function, every other method
against dualgrad's result of its kind (or the first peer's where dualgrad refuses), sparse
Jacobians by their product with the direction against the jvp.

    python benchmarks/numpy_code.py           # -> plots/numpy_code.png and .json (~1 min)
    python benchmarks/numpy_code.py --quick   # a smoke run at tiny sizes, no peer (plots/quick/)
    python benchmarks/numpy_code.py --replot  # redraw from the saved JSON
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness, when imported by path
from _numpy_code_plot import plot
from _numpy_methods import OBJECT_MAX, all_methods, group_of
from _numpy_problems import Problem, problem
from harness import Script, machine, measure, ratio, summarize

FULL = {"logreg": [2_000, 20_000], "mlp": [500], "bratu": [2_000, 100_000], "rk4": [50]}
FULL |= {"solve": [50]}
QUICK = {"logreg": [200], "mlp": [30], "bratu": [50, 200], "rk4": [10], "solve": [5]}
ROUNDS = {"fast": 5, "big": 5, "slow": 3, "quick": 3}
SLOW, ONCE, CAP = 0.2, 2.0, 4.0  # seconds per call: fewer rounds, one call, no second call
TARGETS = {
    "jvp_ratio": 4.0,  # jvp / numpy function, logreg m = 20,000 and Bratu n = 100,000
    "grad_ratio": 20.0,  # grad(chunk="all") / numpy function, logreg m = 2,000 and 20,000
    "object_speedup": 100.0,  # the object-array path / the dual array, same method
    "sparse_seconds": 2.0,  # sparse_jacobian on Bratu n = 100,000
}


# -- checks -------------------------------------------------------------------------------------
def as_array(result: Any, kind: str, p: Problem) -> np.ndarray:
    """A method's result as one float array; a sparse Jacobian as its product with the
    direction (compared with the jvp)."""
    if kind == "sparse":
        rows, cols = np.asarray(result.rows), np.asarray(result.cols)
        terms = np.asarray(result.values, dtype=float) * p.direction[cols]
        return np.bincount(rows, weights=terms, minlength=result.shape[0])
    return np.asarray(result, dtype=float).reshape(-1)


def difference(a: np.ndarray, b: np.ndarray) -> float:
    """The largest difference relative to b's largest entry."""
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b), initial=0.0) / max(np.max(np.abs(b), initial=0.0), 1e-300))


def central_difference(p: Problem) -> np.ndarray:
    f, x, v = p.build(np, p.data), p.x, p.direction
    h = 1e-6 * max(1.0, float(np.max(np.abs(x))))
    return np.asarray((f(x + h * v) - f(x - h * v)) / (2 * h), dtype=float).reshape(-1)


# -- timing -------------------------------------------------------------------------------------
def first_calls(
    methods: dict[str, tuple[str, Callable[[], Any]]],
) -> tuple[dict[str, float], dict[str, bool], dict[str, Any], dict[str, str]]:
    """Each method's steady seconds per call (a first call compiles, detects or warms caches:
    one over SLOW is followed by a second, which is the one that counts, unless the first
    took over CAP), whether that is the first call, its result, or the message it refused the
    program with."""
    seconds, first, results, refused = {}, {}, {}, {}
    for name, (_, call) in methods.items():
        try:
            with warnings.catch_warnings():
                if group_of(name)[0] not in ("numpy", "dualgrad", "object-array path"):
                    warnings.simplefilter("ignore")  # a peer's own deprecations, as it compiles
                for attempt in (1, 2):
                    start = time.perf_counter()
                    results[name] = call()
                    seconds[name] = time.perf_counter() - start
                    first[name] = attempt == 1
                    if not SLOW <= seconds[name] < CAP:
                        break
        except (TypeError, ValueError, NotImplementedError) as exc:
            refused[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return seconds, first, results, refused


def checks(
    p: Problem, methods: dict[str, tuple[str, Any]], results: dict[str, Any]
) -> dict[str, float]:
    """Each result's largest relative difference from the reference of its kind: dualgrad's
    jvp from central differences, the rest from dualgrad's (or the first peer's) result."""
    arrays = {n: as_array(r, methods[n][0], p) for n, r in results.items() if n != "numpy"}
    out: dict[str, float] = {}
    if "dualgrad jvp" in arrays:
        out["dualgrad jvp"] = difference(arrays["dualgrad jvp"], central_difference(p))
    reference: dict[str, np.ndarray] = {}
    for name, a in arrays.items():
        kind = "jvp" if methods[name][0] == "sparse" else methods[name][0]
        if kind not in reference:
            reference[kind] = a
            out.setdefault(name, 0.0)
        else:
            out[name] = difference(a, reference[kind])
    return out


def run_problem(p: Problem, quick: bool, peers: str | None) -> dict[str, Any]:
    methods, skipped = all_methods(p, peers)
    warm, first, results, refused = first_calls(methods)
    big = p.size > OBJECT_MAX[p.name]
    rounds = ROUNDS["quick" if quick else "big" if big else "fast"]
    fast = {n: methods[n][1] for n in warm if n == "numpy" or warm[n] < SLOW}
    slow = {n: methods[n][1] for n in warm if SLOW <= warm[n] < ONCE}
    groups = [measure(fast, repeats=rounds)]
    if slow:  # with the numpy function and dualgrad's fast methods again, for per-round ratios
        again = {n: c for n, c in fast.items() if n == "numpy" or n.startswith("dualgrad")}
        groups.append(measure(again | slow, repeats=ROUNDS["slow"]))
    numpy_median = summarize(groups[0]["numpy"]).median
    points = []
    for name in methods:
        point: dict[str, Any] = {"method": name, "kind": methods[name][0]}
        group = next((g for g in groups if name in g), None)
        if name in refused or name not in warm:
            point["skipped"] = refused.get(name, "did not run")
        elif group is not None:
            secs = group[name]
            point |= {"seconds": secs, "rounds": len(secs)}
            point["ratio"] = vars(ratio(secs, group["numpy"]))
            twin = _twin(name)
            if twin in group:  # the object path / the dual array, round by round
                point["speedup"] = vars(ratio(secs, group[twin]))
        else:  # too slow to repeat: its first call, against the numpy function's median
            once = warm[name] / numpy_median
            point |= {"seconds": [warm[name]], "rounds": 1, "first_call_only": first[name]}
            point["ratio"] = {"median": once, "low": once, "high": once}
        points.append(point)
    _speedups(points)
    diffs = checks(p, methods, results)
    for point in points:
        point["difference"] = diffs.get(point["method"])
    return {
        "problem": p.name,
        "size": p.size,
        "label": p.label,
        "parameters": int(p.x.size),
        "points": points,
        "peers_skipped": skipped,
    }


def _twin(name: str) -> str | None:
    """The dualgrad method an object-array method is the old path of."""
    return "dualgrad " + name[len("object ") :] if name.startswith("object ") else None


def _speedups(points: list[dict[str, Any]]) -> None:
    """Object path / dual array, where the two did not run in the same rounds: from their
    medians (one call of the object path: no spread)."""
    by = {q["method"]: q for q in points}
    for q in points:
        twin = by.get(_twin(q["method"]) or "")
        if twin is None or "seconds" not in q or "seconds" not in twin or "speedup" in q:
            continue
        mine, theirs = summarize(q["seconds"]), summarize(twin["seconds"])
        q["speedup"] = {
            "median": mine.median / theirs.median,
            "low": mine.low / theirs.high,
            "high": mine.high / theirs.low,
        }


def compute(args: Any) -> dict[str, Any]:
    sizes = QUICK if args.quick else FULL
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - the fast extra has it
        threadpool_limits = None
    limit = threadpool_limits(1) if threadpool_limits is not None else None
    try:
        runs = []
        peers = "--no-peers" if args.no_peers else None
        if args.quick:  # importing JAX makes a later fork in the same process warn of deadlocks
            peers = "quick run: no peer timed (run the benchmark in full to time them)"
        for name, ns in sizes.items():
            for n in ns:
                run = run_problem(problem(name, n, args.quick), args.quick, peers)
                print(_line(run), flush=True)
                runs.append(run)
    finally:
        if limit is not None:
            limit.unregister()
    return {
        "quick": args.quick,
        **machine(),
        "rounds": ROUNDS,
        "thresholds": {"slow": SLOW, "once": ONCE},
        "runs": runs,
        "targets": [] if args.quick else targets(runs),
        "goals": TARGETS,
    }


def _line(run: dict[str, Any]) -> str:
    parts = [
        f"{q['method']} {_x(q['ratio'])}"
        for q in run["points"]
        if "ratio" in q and q["method"] != "numpy"
    ]
    return f"{run['label']}: " + ", ".join(parts)


def _x(s: dict[str, float]) -> str:
    return f"{s['median']:.3g}x [{s['low']:.3g}-{s['high']:.3g}]"


# -- targets ------------------------------------------------------------------------------------
def _point(runs: list[dict[str, Any]], name: str, size: int, method: str) -> dict[str, Any] | None:
    for run in runs:
        if run["problem"] == name and run["size"] == size:
            return next((q for q in run["points"] if q["method"] == method), None)
    return None


def targets(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each target at its problem and size: the measured figure, and whether it is met."""
    out = []

    def judge(what: str, name: str, size: int, method: str, field: str, goal: float) -> None:
        q = _point(runs, name, size, method)
        figure = None if q is None or field not in q else q[field]
        if field == "seconds" and figure is not None:
            figure = vars(summarize(figure))
        met = figure is not None and (
            figure["median"] >= goal if field == "speedup" else figure["median"] <= goal
        )
        out.append(
            {"target": what, "problem": name, "size": size, "method": method, "field": field}
            | {"goal": goal, "figure": figure, "met": met, "rounds": q and q.get("rounds")}
        )

    judge("jvp <= 4x the numpy function", "logreg", 20_000, "dualgrad jvp", "ratio", 4.0)
    judge("jvp <= 4x the numpy function", "bratu", 100_000, "dualgrad jvp", "ratio", 4.0)
    for m in (2_000, 20_000):
        judge("grad(chunk='all') <= 20x the numpy function", "logreg", m, "dualgrad grad(all)",
              "ratio", TARGETS["grad_ratio"])  # fmt: skip
    for run in runs:
        for q in run["points"]:
            if q["method"].startswith("object ") and "speedup" in q:
                judge(">= 100x faster than the object-array path", run["problem"], run["size"],
                      q["method"], "speedup", TARGETS["object_speedup"])  # fmt: skip
    judge("sparse_jacobian within 2 s", "bratu", 100_000, "dualgrad sparse_jacobian", "seconds",
          TARGETS["sparse_seconds"])  # fmt: skip
    return out


# -- report and picture -------------------------------------------------------------------------
def report(data: dict[str, Any]) -> None:
    for run in data["runs"]:
        print(f"\n{run['label']} ({run['parameters']} parameters)")
        print(f"  {'method':44s} {'seconds, median [min-max]':32s} {'/ numpy function':24s} rounds")
        for q in run["points"]:
            if "skipped" in q:
                print(f"  {q['method']:44s} skipped: {q['skipped']}")
                continue
            secs, r = summarize(q["seconds"]), q["ratio"]
            extra = f" (object/dual {_x(q['speedup'])})" if "speedup" in q else ""
            diff = q.get("difference")
            check = "" if diff is None else f" diff {diff:.1e}"
            print(f"  {q['method']:44s} {secs!s:32s} {_x(r):24s} {q['rounds']}{check}{extra}")
        for peer, why in run["peers_skipped"].items():
            print(f"  {peer:44s} skipped: {why}")
    if data["quick"]:
        print("\nquick run: targets not judged")
        return
    print()
    for t in data["targets"]:
        fig = t["figure"]
        shown = "not measured" if fig is None else (
            f"{fig['median']:.3g} s [{fig['low']:.3g}-{fig['high']:.3g}]"
            if t["field"] == "seconds" else _x(fig)
        )  # fmt: skip
        print(
            f"{t['target']}: {t['problem']} {t['size']:,} {t['method']}: {shown} "
            f"({t['rounds']} rounds): " + ("met" if t["met"] else "NOT met")
        )
    missed = sum(not t["met"] for t in data["targets"])
    print(f"targets: {len(data['targets']) - missed} met, {missed} NOT met")


def options(parser: Any) -> None:
    parser.add_argument("--no-peers", action="store_true", help="time none of JAX, autograd, torch")


main = Script(__file__, __doc__, compute, report, plot, options)


if __name__ == "__main__":
    sys.exit(main())
