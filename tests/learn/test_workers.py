"""Pool workers end when the process that started them is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from dualgrad.learn.workers import process_pool

# A parent that starts a pool of two workers busy forever, prints their ids, and waits.
PARENT = """
import os, sys, time
from dualgrad.learn.workers import process_pool

def spin(_):
    while True:
        pass

pool = process_pool(2)
futures = [pool.submit(spin, i) for i in range(2)]
time.sleep(0.5)
print(" ".join(str(p) for p in pool._processes), flush=True)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is gone but not yet reaped: its state in /proc says so (Linux)
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_workers_end_when_their_parent_is_killed() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True
    ) as parent:
        assert parent.stdout is not None
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert len(workers) == 2 and all(_alive(w) for w in workers)
        parent.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    for w in left:  # do not leave them spinning if the test fails
        os.kill(w, signal.SIGKILL)
    assert not left, f"workers {left} outlived their parent by 5 s"


def test_a_watched_pool_still_works() -> None:
    with process_pool(2) as pool:
        assert list(pool.map(abs, [-1, -2, 3])) == [1, 2, 3]


def test_a_worker_whose_parent_is_already_gone_ends() -> None:
    code = (
        "import time\n"
        "from dualgrad.learn.workers import exit_with_parent\n"
        "exit_with_parent(2**22 + 12345, interval=0.05)\n"  # above Linux's pid_max: no such process
        "time.sleep(30)\n"
    )
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], timeout=20)
    assert done.returncode == 1 and time.monotonic() - start < 10
