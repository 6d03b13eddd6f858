"""Every example and benchmark script runs quickly (--quick), writes its plot and its data, redraws
from the data alone (--replot), and its data shows the one thing the script is there to show.

Each script is imported by path and its ``main(argv)`` called, which is faster than a
subprocess. A script in examples/ or benchmarks/ without an entry in EXPECTED fails the suite,
so a new script cannot go untested; each entry is a check of one measured invariant of the
script's saved data (``OUT/NAME.json``, beside ``OUT/NAME.png``).
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("examples", "benchmarks")
NOT_SCRIPTS = {"benchmarks/harness.py", "benchmarks/plotting.py"}  # shared, doctested


def derivatives(d: dict) -> None:
    assert max(e["dual_error"] for e in d["table"]) == 0.0  # exact, every op at every point
    assert max(e["fd_error"] for e in d["table"]) > 1e-9  # the difference is approximate
    assert d["dual_slope"] == 6.0 and min(s["error"] for s in d["sweep"]) > 0.0


def hill(d: dict) -> None:
    for walk in (d["curve"], d["surface"]):  # each step opposite to the slope goes downhill
        losses = [s["loss"] for s in walk]
        assert all(b < a for a, b in itertools.pairwise(losses)), losses
    assert d["surface"][-1]["loss"] < 1e-6


def random_search(d: dict) -> None:
    for r in d["steps"]:
        assert r["passes"] == d["tries"] * d["n_params"] + 1
        assert r["after"] <= r["before"]  # a nudge is kept only if the loss falls
    assert d["steps"][-1]["val"] < d["initial_val"]


def train_loop(d: dict) -> None:
    assert all(abs(r["forward"] - r["reverse"]) <= 1e-12 for r in d["steps"])
    assert d["steps"][-1]["forward"] < d["steps"][0]["forward"]


def forward_gradient(d: dict) -> None:
    for c in d["convergence"]:  # the error of the mean falls with M (theory: as 1/sqrt(M))
        assert c["relative_error"][-1] < c["relative_error"][0] / 3, c["relative_error"]
    mse = [r["relative_mse"] for r in d["variance"]]
    assert mse[-1] < mse[0] / 8  # and with k: 64 directions against 1


def microgpt(d: dict) -> None:
    f, r = d["losses"]["forward:all"], d["losses"]["reverse"]
    assert len(f) == len(r) == d["steps"]
    assert max(abs(a - b) for a, b in zip(f, r, strict=True)) <= 1e-12
    # by default the course's model and recipe, exactly
    assert d["model"] == "course" and d["n_params"] == 4064
    assert "block_size=8" in d["config"] and "activation='relu2'" in d["config"]
    assert d["recipe"] == {
        "lr": 0.01,
        "betas": [0.9, 0.95],
        "schedule": "cosine",
        "order": "in order",
        "steps": 500,
    }
    assert d["val_loss"]["forward:all"] == pytest.approx(d["val_loss"]["reverse"], rel=1e-12)


def bench_ops(d: dict) -> None:
    ratios = [e["ratio_to_float"]["median"] for e in d["muladd"].values() if e["ratio_to_float"]]
    ratios += [e["ratio"]["median"] for e in d["per_op"].values()]
    assert len(ratios) == 3 + 7 and all(r > 1 for r in ratios), ratios  # a Dual costs more
    # each Dual case against the floor, the least class carrying a tangent: of the same order
    # (a Dual is that class plus its checks), far from its ratio to a float
    for name, e in d["muladd"].items():
        if name.startswith("Dual"):
            floor, to_float = e["ratio_to_floor"]["median"], e["ratio_to_float"]["median"]
            assert 0.5 < floor < to_float / 3, (name, floor, to_float)


def cost_scaling(d: dict) -> None:
    def exact(method: str, n: int) -> int:
        formula = {"forward_1": n, "forward_64": math.ceil(n / 64), "forward_all": 1}
        return {**formula, "random_search": 10 * n + 1, "reverse": 2, "float": 1}[method]

    seen = 0
    for p in d["points"] + d["sample_checks"]:
        assert p["passes"] == exact(p["method"], p["n"])
        if p["timed_passes"] is None:
            continue
        # what the drivers reported: every pass, or one per sampled parameter (or chunk)
        expected = p["sample"] if p["extrapolated"] else exact(p["method"], p["n"])
        if p["method"] == "random_search" and p["extrapolated"]:
            expected = 10 * p["sample"] + 1
        assert p["timed_passes"] == expected, p
        seen += 1
    assert seen >= 8 and d["workers"]["identical_to_serial"]


def train_names(d: dict) -> None:
    n = d["n_params"]
    per_step = {m["method"]: m["passes_per_step"] for m in d["methods"]}
    assert per_step.pop("random-search:10") == 10 * n + 1 and per_step.pop("forward") == n
    assert set(per_step.values()) == {1}
    assert d["same_steps"]["max_batch_loss_difference"] <= 1e-9  # exact gradients agree


def microgpt_timing(d: dict) -> None:
    n, chunk, seen = d["n_params"], d["chunk"], d["driver_passes"]
    assert d["model"] == "course" and n == 4064  # the course's model, in both styles
    assert seen["matvec: forward:all"] == seen["scalar: forward:all"] == [1]
    assert seen[f"matvec: forward:{chunk}"] == [math.ceil(n / chunk)]
    assert seen["matvec: one tangent (sampled)"] == [d["one_tangent_sample"]]
    for style in ("matvec", "scalar"):  # every gradient method timed on both styles of code
        assert {f"{style}: reverse", f"{style}: reverse, scalar graph"} <= set(seen)
    assert "scalar: course's Value" in seen
    # the floor, tangent objects doing no arithmetic, costs less than forward:all on that code
    floor = d["ratio_per_round"]["scalar: forward:all / scalar: floor: tangent objects"]
    assert min(floor) > 1
    w = d["scalar_work_per_name"]  # a name's operations, each depending on some parameters
    assert 1_000 < w["operations"] < w["partials"] < w["operations"] * n
    assert all(min(v) > 0 for v in d["ratio_per_round"].values())


def memory_depth(d: dict) -> None:
    chain = d["chain"]
    ops, peak = chain["operations"], chain["peak_bytes"]
    one, rev = peak["one tangent"], peak["reverse"]
    deeper = ops[-1] / ops[0]
    assert deeper >= 10
    assert max(one) < 1.5 * min(one)  # one tangent stores no graph: flat
    assert rev[-1] / rev[0] > deeper / 2 and rev[-1] > 10 * one[-1]  # reverse stores it all
    seq = d["sequence"]["peak_bytes"]
    assert max(seq["one tangent"]) < 1.2 * min(seq["one tangent"])  # flat in sequence length
    assert all(b > a for a, b in itertools.pairwise(seq["reverse"]))  # the graph grows
    layers = d["layers"]["peak_bytes"]
    assert all(b > a for a, b in itertools.pairwise(layers["reverse"]))


# Each script (a path from the project root) and the check of its saved data.
def taylor_ode(d: dict) -> None:
    curves = {c["label"]: c["points"] for c in d["curves"]}
    taylor = [p for label, ps in curves.items() if label.startswith("Taylor") for p in ps]
    best = min((p for p in taylor if p["error"] == p["error"]), key=lambda p: p["error"])
    rk4 = min(curves["RK4"], key=lambda p: p["evals"])
    # a handful of Taylor steps beat RK4's coarsest run in accuracy, at a fraction of its cost
    assert best["error"] < rk4["error"] and best["evals"] < rk4["evals"] / 5
    for label in ("RK4", "scipy RK45"):
        errors = [p["error"] for p in curves[label]]
        assert errors[-1] < errors[0], label  # more evaluations, smaller error


def taylor_orders(d: dict) -> None:
    speedups = [o["speedup"]["median"] for o in d["orders"]]
    assert speedups[-1] > max(1.0, 2 * speedups[0])  # nesting's cost grows much faster
    for rule in d["per_op"].values():
        assert rule["slope"] > 0.5  # the per-op cost grows with the order (K^2 at large K)


def scipy_optimize(d: dict) -> None:
    runs = {r["label"]: r for r in d["minimize"]}
    # exact gradients take BFGS far closer to the minimum than scipy's differences do
    assert runs["exact grad"]["error"] < runs["finite differences"]["error"] / 100
    assert runs["exact grad + Hessian-vector"]["error"] < 1e-7
    fd, exact = d["fit"]
    assert exact["cost"] == pytest.approx(fd["cost"], rel=1e-9)  # the same optimum


def sparse_newton(d: dict) -> None:
    assert all(r["residual"] < 1e-10 and 1 <= r["newton"] <= 8 for r in d["steps"])
    # detection once, at the first Jacobian; then one pass per color (or one chunked pass)
    per_jacobian = 1 if d["method"] == "chunked" else d["colors"]
    first, *rest = d["steps"]
    assert first["passes"] == 1 + (first["newton"] + 1) * per_jacobian
    assert all(r["passes"] == (r["newton"] + 1) * per_jacobian for r in rest)
    assert d["colors"] <= 12 and max(d["coloring"]) + 1 == d["colors"]


def sparse_jacobian(d: dict) -> None:
    for p in d["points"]:
        n = p["n"]
        exact = {"dense_1": n, "dense_64": math.ceil(n / 64), "fd": n + 1}
        exact |= {"sparse_chunked": 1, "sparse_sparse": 1}
        if p["method"] in exact:
            assert p["passes"] == exact[p["method"]], p["method"]
        if p["method"] == "dense_64":  # the yardstick: timed and measured whole up to N = 5,000
            assert not p["extrapolated"] and p["memory"] > p["sparse_memory"]["sparse_auto"]
        if p["method"] in ("sparse_colors", "sparse_chunked", "sparse_sparse"):
            assert p["difference"] <= 1e-12, (p["workload"], p["n"], p["method"])
        if p["workload"] == "bratu1":
            assert p["colors"] == 3  # tridiagonal: 3 colors at any N
        assert p["colors"] <= (7 if p["workload"] == "bratu2" else 12)
    for t in d["targets"]:  # sparse beats dense even at the quick sizes
        assert t["speedup"] > 1 and t["memory_fraction"] < 1
        assert not t["dense_extrapolated"] and t["relative_difference"] <= 1e-12


def implicit_sensitivity(d: dict) -> None:
    grid, solved, a0 = d["grid"], d["solved"], d["a0"]
    near = [i for i, a in enumerate(grid) if 0 < abs(a - a0) <= 0.3]
    for i in near:  # near a0 every higher order of the series is closer to the re-solves
        errors = [abs(d["taylor"][k][i] - solved[i]) for k in ("1", "2", "3", "5")]
        assert all(b < a for a, b in itertools.pairwise(errors)), (grid[i], errors)
    for ift, fd in zip(d["du_da_ift"], d["du_da_fd"], strict=True):
        assert ift == pytest.approx(fd, rel=1e-6)  # the theorem agrees with re-solving
    assert d["du_da_ift"][-1] > 10 * d["du_da_ift"][0]  # and grows toward the fold
    assert d["coefficients"][1] == pytest.approx(d["grad_at_a0"][0], rel=1e-14)


def numpy_code(d: dict) -> None:
    seen = set()
    for run in d["runs"]:
        for q in run["points"]:
            seen.add(q["method"])
            if "skipped" in q:  # only a refusal with its message (np.linalg before its rules)
                assert q["skipped"].split(":")[0].endswith("Error"), q
                continue
            assert q["rounds"] >= 1 and q["ratio"]["low"] <= q["ratio"]["median"]
            if q["method"] != "numpy":  # every result checked against another method
                limit = 1e-5 if q["method"] == "dualgrad jvp" else 1e-9  # differences: 1e-5
                assert q["difference"] is not None and q["difference"] <= limit, q
    assert {"numpy", "dualgrad jvp", "dualgrad grad(all)", "dualgrad jacobian(all)"} <= seen
    assert {"dualgrad sparse_jacobian", "object jvp", "object grad(all)"} <= seen
    assert d["quick"] and d["targets"] == []  # a smoke run judges no target


EXPECTED: dict[str, Callable[[dict], None]] = {
    "examples/derivatives.py": derivatives,
    "examples/hill.py": hill,
    "examples/random_search.py": random_search,
    "examples/train_loop.py": train_loop,
    "examples/forward_gradient.py": forward_gradient,
    "examples/microgpt.py": microgpt,
    "benchmarks/bench_ops.py": bench_ops,
    "benchmarks/cost_scaling.py": cost_scaling,
    "benchmarks/train_names.py": train_names,
    "benchmarks/microgpt_timing.py": microgpt_timing,
    "benchmarks/memory_depth.py": memory_depth,
    "examples/taylor_ode.py": taylor_ode,
    "examples/scipy_optimize.py": scipy_optimize,
    "benchmarks/taylor_orders.py": taylor_orders,
    "examples/sparse_newton.py": sparse_newton,
    "benchmarks/sparse_jacobian.py": sparse_jacobian,
    "examples/implicit_sensitivity.py": implicit_sensitivity,
    "benchmarks/numpy_code.py": numpy_code,
}


def script_files() -> list[str]:
    found = [
        p.relative_to(ROOT).as_posix()
        for folder in FOLDERS
        for p in (ROOT / folder).glob("*.py")
        if not p.name.startswith("_")
    ]
    return sorted(set(found) - NOT_SCRIPTS)


def load(script: str) -> ModuleType:
    """Import a script by path as a fresh module, its folder on sys.path (as when it runs)."""
    path = ROOT / script
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))
    mod_name = f"_script_{path.parent.name}_{path.stem}"
    spec = importlib.util.spec_from_file_location(mod_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module  # registered, so dataclasses and pickling work
    spec.loader.exec_module(module)
    return module


def run(script: str, *argv: str) -> None:
    code = load(script).main(list(argv))
    assert code == 0, f"{script} {' '.join(argv)} returned {code}"


def test_the_sparse_benchmark_check_catches_a_wrong_or_missing_entry() -> None:
    from dualgrad import sparse_jacobian

    difference = load("benchmarks/sparse_jacobian.py").difference
    J = sparse_jacobian(lambda v: [v[0] * v[1], 3 * v[1]], [2.0, 5.0])
    assert difference(J, [[5.0, 2.0], [0.0, 3.0]]) == 0.0
    assert difference(J, [[5.0, 2.0], [0.0, 3.0 * (1 + 1e-9)]]) == pytest.approx(1e-9, rel=1e-6)
    assert difference(J, [[5.0, 2.0], [1e-300, 3.0]]) == math.inf  # a nonzero off the pattern
    assert difference(J, [[5.0, 2.0], [0.0, math.nan]]) == math.inf


def test_every_script_has_expectations() -> None:
    missing = [s for s in script_files() if s not in EXPECTED]
    assert not missing, f"add entries to EXPECTED in tests/test_examples.py for {missing}"


def test_every_script_is_in_the_main_job() -> None:
    spec = importlib.util.spec_from_file_location("_tasks", ROOT / "tasks.py")
    assert spec is not None and spec.loader is not None
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    missing = [s for s in script_files() if s not in tasks.EXAMPLES]
    assert not missing, f"tasks.py EXAMPLES does not run {missing}"
    assert all((ROOT / s).is_file() for s in tasks.EXAMPLES)


@pytest.fixture(scope="module", params=[s for s in script_files() if s in EXPECTED])
def quick_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Each script run once with --quick into its own folder, shared by the tests below."""
    script = request.param
    out = tmp_path_factory.mktemp(Path(script).stem)
    run(script, "--quick", "--out", str(out))
    return script, out


def test_quick_run_writes_plot_and_shows_its_point(quick_run: tuple[str, Path]) -> None:
    script, out = quick_run
    name = Path(script).stem
    png = out / f"{name}.png"
    assert png.is_file() and png.read_bytes().startswith(b"\x89PNG"), f"{script}: no PNG"
    data: Any = json.loads((out / f"{name}.json").read_text())
    EXPECTED[script](data)


def test_replot_redraws_from_the_data_alone(quick_run: tuple[str, Path], tmp_path: Path) -> None:
    script, out = quick_run
    data = f"{Path(script).stem}.json"
    shutil.copy(out / data, tmp_path / data)  # only the data, no PNG
    before = (tmp_path / data).read_bytes()
    run(script, "--replot", "--out", str(tmp_path))
    png = tmp_path / f"{Path(script).stem}.png"
    assert png.is_file() and png.stat().st_size > 0, f"{script} --replot wrote no PNG"
    assert (tmp_path / data).read_bytes() == before, "--replot must not recompute"


def test_a_smoke_run_does_not_report_unmet_targets(capsys: pytest.CaptureFixture[str]) -> None:
    """Quick sizes are far below the N = 10,000 the targets are set at: no false alarm."""
    bench = load("benchmarks/sparse_jacobian.py")
    target = {"workload": "bratu1", "n": 300, "colors": 3, "method": "sparse_colors"}
    target |= {"sparse_seconds": 0.1, "dense_seconds": 0.2, "speedup": 2.0, "speedup_low": 1.0}
    target |= {"speedup_high": 3.0, "dense_extrapolated": False, "memory_fraction": 0.5}
    target |= {"relative_difference": 0.0, "met": False}
    bench.report({"quick": True, "targets": [target]})
    assert "NOT met" not in capsys.readouterr().out
    bench.report({"quick": False, "targets": [target]})
    assert "targets NOT met" in capsys.readouterr().out
