#!/usr/bin/env python3
"""The project's two jobs, runnable with nothing but Python 3 installed.

    python3 tasks.py plots   # the main job (~4 minutes): every script -> every plot in plots/
    python3 tasks.py test    # the whole check: ruff, mypy, the docs site (strict), pytest
    python3 tasks.py docs    # the documentation site, into site/

Each job bootstraps a local virtual environment in .venv from pyproject.toml (re-installed
only when pyproject.toml changes) and runs inside it. Extra arguments go to pytest or to
every script, e.g. `python3 tasks.py test -k dual` or `python3 tasks.py plots --quick` (a fast
smoke run of every script; its pictures go to the scratch folder plots/quick/, not over plots/).
`python3 tasks.py plots --full` gives the benchmarks whose default run is shortened their
longer one (more sizes, rounds or steps).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")

# The main job, in two phases (paths from the project root). First the scripts that time
# nothing (their pictures show losses, errors, counts or traced memory), two at a time: their
# results do not depend on the machine's load. Then every script that times something, one at
# a time, so no two measurements share the CPUs.
UNTIMED = [
    "examples/forward_gradient.py",
    "examples/random_search.py",
    "examples/microgpt.py",
    "benchmarks/memory_depth.py",
    "examples/train_loop.py",
    "examples/derivatives.py",
    "examples/hill.py",
    "examples/implicit_sensitivity.py",
]
TIMED = [
    "benchmarks/bench_ops.py",
    "benchmarks/cost_scaling.py",
    "benchmarks/train_names.py",
    "benchmarks/microgpt_timing.py",
    "examples/taylor_ode.py",
    "examples/scipy_optimize.py",
    "benchmarks/taylor_orders.py",
    "examples/sparse_newton.py",
    "benchmarks/sparse_jacobian.py",
    "benchmarks/numpy_code.py",
]
EXAMPLES = UNTIMED + TIMED
# Scripts whose default run is shortened from the one their figures were first made with:
# `python3 tasks.py plots --full` gives them --full (the other scripts have one run only).
TAKES_FULL = {
    "benchmarks/cost_scaling.py",
    "benchmarks/train_names.py",
    "benchmarks/microgpt_timing.py",
    "benchmarks/sparse_jacobian.py",
    "benchmarks/taylor_orders.py",
}
SIDE_BY_SIDE = 2
EXTRAS = {
    "plots": "examples,fast",
    "test": "test,examples,fast,distributed,docs",
    "docs": "docs,fast",
}
SITE = ROOT / "site"


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
    code = build_docs()
    if code:
        return code
    cmd = [str(PYTHON), "-m", "pytest", *args]
    print("$ pytest", " ".join(args), flush=True)
    code = subprocess.run(cmd, cwd=ROOT).returncode
    if code == 5:
        print("pytest collected no tests: that is a failure here.", file=sys.stderr)
        return 1
    return code


def build_docs() -> int:
    """mkdocs build --strict into site/: a broken link, reference or missing API entry fails."""
    print(f"$ mkdocs build --strict --site-dir {SITE.name}", flush=True)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # the theme's banner, not our warning
    cmd = [str(BIN / "mkdocs"), "build", "--strict", "--quiet", "--site-dir", str(SITE)]
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def run_docs(args: list[str]) -> int:
    if args:
        print(f"tasks.py docs takes no arguments, got {' '.join(args)}", file=sys.stderr)
        return 2
    ensure_venv(EXTRAS["docs"])
    code = build_docs()
    if not code:
        print(f"the site is in {SITE}/ (open {SITE / 'index.html'})")
    return code


def run_plots(args: list[str]) -> int:
    ensure_venv(EXTRAS["plots"])
    start = time.perf_counter()
    code = run_side_by_side(UNTIMED, args)
    for name in TIMED:
        code = code or wait_for(launch(name, args), name)
    if code:
        return code
    where = args[args.index("--out") + 1] if "--out" in args[:-1] else "plots/"
    where = "plots/quick/" if "--quick" in args and "--out" not in args else where
    print(f"main job finished in {time.perf_counter() - start:.0f} s; plots are in {where}")
    return 0


Started = tuple[subprocess.Popen, float, Any]


def launch(name: str, args: list[str], logged: bool = False) -> Started:
    """Start one script (with --full only if it takes it). A script run beside another
    writes to a log file, printed when it ends, so that two outputs do not interleave."""
    own = [a for a in args if a != "--full" or name in TAKES_FULL]
    print(f"$ python {name} {' '.join(own)}".rstrip(), flush=True)
    log = tempfile.TemporaryFile("w+") if logged else None  # noqa: SIM115 (closed by wait_for)
    cmd = [str(PYTHON), str(ROOT / name), *own]
    return (
        subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=log, text=True),
        time.perf_counter(),
        log,
    )


def ended(proc: subprocess.Popen, block: bool) -> tuple[int, float | None] | None:
    """(exit code, CPU seconds) of a script that has ended, or None while it runs. The CPU
    time (its own and its worker processes') is what compares fairly on a shared machine."""
    if not hasattr(os, "wait4"):  # Windows: no rusage
        code = proc.wait() if block else proc.poll()
        return None if code is None else (code, None)
    pid, status, usage = os.wait4(proc.pid, 0 if block else os.WNOHANG)
    if pid == 0:
        return None
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_utime + usage.ru_stime


def wait_for(started: Started, name: str, result: tuple[int, float | None] | None = None) -> int:
    """Wait for a script, print its log (if it has one) and its progress line."""
    proc, t0, log = started
    code, cpu = result or ended(proc, block=True) or (1, None)
    if log is not None:
        log.seek(0)
        print(log.read(), end="", flush=True)
        log.close()
    used = "" if cpu is None else f" (CPU {cpu:.0f} s)"
    print(f"  {name} finished in {time.perf_counter() - t0:.0f} s{used}", flush=True)
    return code


def run_side_by_side(names: list[str], args: list[str]) -> int:
    """Run `names` SIDE_BY_SIDE at a time, in their order (longest first); after a failure
    no new script starts, and the phase ends once the running ones have finished."""
    todo, running, code = list(names), dict[str, Started](), 0
    while todo or running:
        todo = [] if code else todo
        while todo and len(running) < SIDE_BY_SIDE:
            name = todo.pop(0)
            running[name] = launch(name, args, logged=True)
        for name, started in list(running.items()):
            result = ended(started[0], block=False)
            if result is not None:
                code = wait_for(running.pop(name), name, result) or code
        time.sleep(0.2)
    return code


def main() -> int:
    jobs = {"test": run_tests, "plots": run_plots, "docs": run_docs}
    if len(sys.argv) < 2 or sys.argv[1] not in jobs:
        print(__doc__)
        return 2
    return jobs[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
