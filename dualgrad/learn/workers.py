"""Worker processes that do not outlive the process that started them.

A ``ProcessPoolExecutor``'s workers keep running their task when the parent is killed with
SIGKILL (no cleanup runs in the parent): a long training run would go on, orphaned, using the
machine. :func:`exit_with_parent`, as a pool initializer, makes each worker end itself once
its parent is gone: a daemon thread notices the parent's process id change within `interval`
seconds, on every system. (Linux's parent-death signal, ``prctl(PR_SET_PDEATHSIG)``, would be
quicker but fires when the *thread* that started the worker ends, which a pool created from a
short-lived thread would take for the parent's death.)

>>> pool = process_pool(1)
>>> pool.submit(abs, -2).result()
2
>>> pool.shutdown()
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

__all__ = ["exit_with_parent", "process_pool"]


def _alive(pid: int) -> bool:
    if os.name == "nt":  # os.kill(pid, 0) would terminate it there; the parent id check covers
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists (the id taken over by another user's process)
        return True
    return True


def exit_with_parent(parent: int, interval: float = 0.5) -> None:
    """Pool initializer: end this worker within `interval` seconds once process `parent` ends.

    Pass the parent's ``os.getpid()``. Two signs, either enough: the worker's own parent id
    changes (it was reparented; with the fork start method its parent is `parent`), or
    `parent` no longer exists (with forkserver the worker's parent is the server process).
    """
    start_parent = os.getppid()

    def watch() -> None:
        while os.getppid() == start_parent and _alive(parent):
            time.sleep(interval)
        os._exit(1)  # no cleanup to run: the results have no one to go to

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def process_pool(max_workers: int) -> ProcessPoolExecutor:
    """A ``ProcessPoolExecutor`` whose workers end when this process does (see module doc)."""
    return ProcessPoolExecutor(
        max_workers=max_workers, initializer=exit_with_parent, initargs=(os.getpid(),)
    )
