"""Every example script runs quickly (--quick), writes its plot and its data, and redraws from
the data alone (--replot).

Each script is imported by path and its ``main(argv)`` called, which is faster than a
subprocess. A script in examples/ without an entry in EXPECTED fails the suite, so a new example
cannot go untested.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# What each script writes: its PNG, its data file, and what the data must contain.
#   keys:    top-level keys of a JSON object
#   records: "dotted.path" inside the JSON -> keys every record in that list must have
#   columns: header of a CSV file
EXPECTED: dict[str, dict[str, Any]] = {
    "bench_ops.py": {
        "png": "bench_ops.png",
        "data": "bench_ops.json",
        "keys": ["steps", "repeats", "python", "machine", "muladd", "per_op"],
    },
    "cost_scaling.py": {
        "png": "cost_scaling.png",
        "data": "cost_scaling.json",
        "keys": [
            "quick",
            "repeats",
            "sizes",
            "points",
            "sample_checks",
            "fits",
            "workers",
            "table",
            "ratios",
            "goals",
        ],
        "records": {
            "sizes": ["target", "n", "model"],
            "points": ["method", "n", "passes", "seconds", "median", "extrapolated", "sample"],
            "table": ["n", "method", "seconds", "low", "high", "passes", "extrapolated"],
            "workers.cases": ["label", "workers", "tasks", "seconds", "median"],
        },
    },
    "derivatives.py": {
        "png": "derivatives.png",
        "data": "derivatives.json",
        "keys": ["x0", "dual_value", "dual_slope", "secants", "sweep", "fd_h", "table"],
        "records": {
            "secants": ["h", "slope"],
            "sweep": ["h", "slope", "error"],
            "table": [
                "op",
                "x",
                "arg",
                "dual",
                "closed_form",
                "finite_difference",
                "dual_error",
                "fd_error",
            ],
        },
    },
    "hill.py": {
        "png": "hill.png",
        "data": "hill.json",
        "keys": ["quick", "curve", "surface"],
        "records": {
            "curve.steps": ["step", "x", "loss", "slope"],
            "surface.steps": ["step", "x", "y", "loss", "grad"],
        },
    },
    "train_names.py": {
        "png": "train_names.png",
        "data": "train_names.json",
        "keys": [
            "model",
            "n_params",
            "lr",
            "initial_val_loss",
            "budget",
            "budget_readings",
            "same_steps",
            "methods",
        ],
        "records": {
            "methods": ["method", "steps", "passes_per_step", "final_val_loss", "samples", "val"],
            "budget_readings": ["method", "val_loss", "steps", "passes", "reached"],
        },
    },
    "forward_gradient.py": {
        "png": "forward_gradient.png",
        "data": "forward_gradient.json",
        "keys": ["n", "grad_norm", "convergence", "variance", "bigram"],
        "records": {
            "convergence": ["k", "M", "relative_error", "theory", "max_abs_z", "chi2"],
            "variance": ["k", "relative_mse", "stderr", "theory"],
            "bigram.variance": ["k", "relative_mse", "stderr", "theory"],
        },
    },
    "taylor_ode.py": {
        "png": "taylor_ode.png",
        "data": "taylor_ode.json",
        "keys": ["quick", "theta0", "t_end", "exact", "curves"],
        "records": {"curves": ["label", "points"]},
    },
    "benchmarks/taylor_orders.py": {
        "png": "taylor_orders.png",
        "data": "taylor_orders.json",
        "keys": ["quick", "repeats", "python", "machine", "orders", "per_op", "goals"],
        "records": {"orders": ["order", "taylor", "nested", "speedup", "value"]},
    },
    "microgpt.py": {
        "png": "microgpt.png",
        "data": "microgpt.json",
        "keys": [
            "steps",
            "chunk",
            "n_params",
            "logs",
            "bench",
            "last50_mean_loss",
            "samples",
            "max_abs_loss_diff_forward_vs_reverse",
            "curves",
        ],
    },
}


def example_files() -> list[str]:
    return sorted(p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))


def load(name: str) -> ModuleType:
    """Import examples/<name> as a fresh module (registered, so dataclasses and pickling work)."""
    mod_name = f"_example_{Path(name).stem}"
    path = ROOT / name if "/" in name else EXAMPLES / name  # a path: a benchmark
    if str(path.parent) not in sys.path:  # as when run as a script (benchmarks import harness)
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(mod_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    spec.loader.exec_module(module)
    return module


def run(name: str, *argv: str) -> None:
    code = load(name).main(list(argv))
    assert code in (0, None), f"{name} {' '.join(argv)} returned {code}"


def read_data(path: Path) -> Any:
    if path.suffix == ".json":
        return json.loads(path.read_text())
    if path.suffix == ".csv":
        with path.open(newline="") as fh:
            return list(csv.DictReader(fh))
    raise AssertionError(f"unknown data format: {path.name}")


def check_data(path: Path, spec: dict[str, Any]) -> None:
    data = read_data(path)
    if "columns" in spec:
        assert data, f"{path.name} has no rows"
        missing = set(spec["columns"]) - set(data[0])
        assert not missing, f"{path.name} lacks columns {sorted(missing)}"
    if "keys" in spec:
        missing = set(spec["keys"]) - set(data)
        assert not missing, f"{path.name} lacks keys {sorted(missing)}"
    for dotted, keys in spec.get("records", {}).items():
        records = data
        for part in dotted.split("."):
            records = records[part]
        assert records, f"{path.name}: {dotted} is empty"
        for record in records:
            missing = set(keys) - set(record)
            assert not missing, f"{path.name}: a record of {dotted} lacks {sorted(missing)}"


def test_every_example_has_expectations() -> None:
    missing = [name for name in example_files() if name not in EXPECTED]
    assert not missing, f"add entries to EXPECTED in tests/test_examples.py for {missing}"


def test_every_example_is_in_the_main_job() -> None:
    spec = importlib.util.spec_from_file_location("_tasks", ROOT / "tasks.py")
    assert spec is not None and spec.loader is not None
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    missing = [name for name in example_files() if name not in tasks.EXAMPLES]
    assert not missing, f"tasks.py EXAMPLES does not run {missing}"


SCRIPTS = [name for name in example_files() if name in EXPECTED]
SCRIPTS += [name for name in EXPECTED if "/" in name]  # benchmarks registered by path


@pytest.fixture(scope="module", params=SCRIPTS)
def quick_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Each script run once with --quick into its own folder, shared by the tests below."""
    name = request.param
    out = tmp_path_factory.mktemp(Path(name).stem)
    run(name, "--quick", "--out", str(out))
    return name, out


def test_quick_run_writes_plot_and_data(quick_run: tuple[str, Path]) -> None:
    name, out = quick_run
    spec = EXPECTED[name]
    png, data = out / spec["png"], out / spec["data"]
    assert png.is_file(), f"{name} did not write {spec['png']}"
    assert png.read_bytes().startswith(b"\x89PNG"), f"{spec['png']} is not a PNG"
    assert data.is_file(), f"{name} did not write {spec['data']}"
    check_data(data, spec)


def test_replot_redraws_from_the_data_alone(quick_run: tuple[str, Path], tmp_path: Path) -> None:
    name, out = quick_run
    spec = EXPECTED[name]
    shutil.copy(out / spec["data"], tmp_path / spec["data"])  # only the data, no PNG
    before = (tmp_path / spec["data"]).read_bytes()
    run(name, "--replot", "--out", str(tmp_path))
    png = tmp_path / spec["png"]
    assert png.is_file() and png.stat().st_size > 0, f"{name} --replot wrote no {spec['png']}"
    assert (tmp_path / spec["data"]).read_bytes() == before, "--replot must not recompute"
