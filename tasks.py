#!/usr/bin/env python3
"""The project's two jobs, runnable with nothing but Python 3 installed.

    python3 tasks.py plots   # the main job (~25 minutes): every script -> every plot in plots/
    python3 tasks.py test    # the whole test suite: ruff, mypy, pytest

Each job bootstraps a local virtual environment in .venv from pyproject.toml (re-installed
only when pyproject.toml changes) and runs inside it. Extra arguments go to pytest or to
every script, e.g. `python3 tasks.py test -k dual` or `python3 tasks.py plots --quick` (a fast
smoke run of every script; its pictures go to the scratch folder plots/quick/, not over plots/).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

# The main job: teaching examples, then benchmarks (paths from the project root).
EXAMPLES = [
    "examples/derivatives.py",
    "examples/hill.py",
    "examples/random_search.py",
    "examples/train_loop.py",
    "examples/forward_gradient.py",
    "examples/microgpt.py",
    "benchmarks/bench_ops.py",
    "benchmarks/cost_scaling.py",
    "benchmarks/train_names.py",
    "benchmarks/microgpt_timing.py",
    "benchmarks/memory_depth.py",
    "examples/taylor_ode.py",
    "examples/scipy_optimize.py",
    "benchmarks/taylor_orders.py",
    "examples/sparse_newton.py",
    "benchmarks/sparse_jacobian.py",
    "examples/implicit_sensitivity.py",
    "benchmarks/numpy_code.py",
]
EXTRAS = {"plots": "examples,fast", "test": "test,examples,fast,distributed"}


def ensure_venv(extras: str) -> None:
    """Create .venv if missing and install the project with `extras` when anything changed."""
    if not PYTHON.exists():
        print(f"creating {VENV} ...", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".stamp-{extras.replace(',', '-')}-{digest}"
    if stamp.exists():
        return
    print(f"installing dualgrad[{extras}] into {VENV} ...", flush=True)
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-e",
            f".[{extras}]",
        ],
        cwd=ROOT,
        check=True,
    )
    stamp.touch()


def run_tests(args: list[str]) -> int:
    ensure_venv(EXTRAS["test"])
    for cmd in (["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]):
        print("$", " ".join(cmd), flush=True)
        code = subprocess.run([str(BIN / cmd[0]), *cmd[1:]], cwd=ROOT).returncode
        if code:
            return code
    cmd = [str(PYTHON), "-m", "pytest", *args]
    print("$ pytest", " ".join(args), flush=True)
    code = subprocess.run(cmd, cwd=ROOT).returncode
    if code == 5:
        print("pytest collected no tests: that is a failure here.", file=sys.stderr)
        return 1
    return code


def run_plots(args: list[str]) -> int:
    ensure_venv(EXTRAS["plots"])
    start = time.perf_counter()
    for name in EXAMPLES:
        script = ROOT / name
        print(f"$ python {name} {' '.join(args)}", flush=True)
        t0 = time.perf_counter()
        code = subprocess.run([str(PYTHON), str(script), *args], cwd=ROOT).returncode
        print(f"  {name} finished in {time.perf_counter() - t0:.0f} s", flush=True)
        if code:
            return code
    where = "plots/quick/" if "--quick" in args and "--out" not in args else "plots/"
    print(f"main job finished in {time.perf_counter() - start:.0f} s; plots are in {where}")
    return 0


def main() -> int:
    jobs = {"test": run_tests, "plots": run_plots}
    if len(sys.argv) < 2 or sys.argv[1] not in jobs:
        print(__doc__)
        return 2
    return jobs[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
