"""tasks.py's main job: what runs side by side times nothing, and --full reaches its scripts."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_tasks():
    spec = importlib.util.spec_from_file_location("_tasks", ROOT / "tasks.py")
    assert spec and spec.loader
    tasks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tasks)
    return tasks


TASKS = load_tasks()
TIMING = re.compile(r"perf_counter|\bmeasure\(|time\.time\(|timeit")


def test_every_script_runs_once():
    assert sorted(TASKS.EXAMPLES) == sorted(set(TASKS.UNTIMED) | set(TASKS.TIMED))
    assert not set(TASKS.UNTIMED) & set(TASKS.TIMED)


@pytest.mark.parametrize("script", TASKS.UNTIMED)
def test_scripts_run_side_by_side_time_nothing(script):
    """Two scripts share the CPUs in the first phase: neither may measure seconds."""
    assert not TIMING.search((ROOT / script).read_text("utf-8")), script


@pytest.mark.parametrize("script", sorted(TASKS.TAKES_FULL))
def test_scripts_given_full_accept_it(script):
    out = subprocess.run(
        [sys.executable, str(ROOT / script), "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stderr
    assert "--full" in out.stdout


def test_full_goes_only_to_the_scripts_that_take_it(tmp_path, monkeypatch):
    started = []

    class Fake:
        def __init__(self, cmd, **kwargs):
            started.append(cmd)

    monkeypatch.setattr(TASKS.subprocess, "Popen", Fake)
    TASKS.launch("examples/hill.py", ["--full", "--quick"])
    TASKS.launch("benchmarks/sparse_jacobian.py", ["--full", "--quick"])
    assert started[0][2:] == ["--quick"]
    assert started[1][2:] == ["--full", "--quick"]
