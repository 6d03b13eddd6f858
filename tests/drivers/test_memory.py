"""Passes run with the cyclic GC paused; chunked ones ask glibc once to keep freed heap."""

from __future__ import annotations

import gc
import sys

import pytest

from dualgrad import value_and_grad
from dualgrad.drivers import memory as _memory


def test_passes_run_with_the_cyclic_gc_paused_and_restore_it():
    pytest.importorskip("numpy")
    seen = []

    def f(p):
        seen.append(gc.isenabled())
        return p[0] * p[1]

    assert gc.isenabled()
    value_and_grad(f, [1.0, 2.0], chunk=1)
    value_and_grad(f, [1.0, 2.0], chunk="all")
    assert seen == [False] * 3 and gc.isenabled()


def test_paused_gc_nests_and_survives_an_exception():
    with _memory.paused_gc():
        with _memory.paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), _memory.paused_gc():
        raise RuntimeError
    assert gc.isenabled()


@pytest.fixture
def heap_setting_undecided():
    """keep_freed_heap decides once per process: forget its decision, before and after."""
    _memory.keep_freed_heap.cache_clear()
    yield
    _memory.keep_freed_heap.cache_clear()  # (the next call decides under the restored env)


def test_keep_freed_heap_is_asked_once_and_can_be_switched_off(monkeypatch, heap_setting_undecided):
    monkeypatch.setenv("DUALGRAD_KEEP_HEAP", "0")
    assert _memory.keep_freed_heap() is False
    monkeypatch.setenv("DUALGRAD_KEEP_HEAP", "1")
    assert _memory.keep_freed_heap() is False  # decided once per process
    _memory.keep_freed_heap.cache_clear()
    monkeypatch.delenv("MALLOC_TOP_PAD_", raising=False)
    kept = _memory.keep_freed_heap()
    if sys.platform.startswith("linux") and sys.implementation.name == "cpython":
        import platform

        if platform.libc_ver()[0] == "glibc":
            assert kept is True
    _memory.keep_freed_heap.cache_clear()
    monkeypatch.setenv("MALLOC_TOP_PAD_", "131072")  # the user's own setting wins
    assert _memory.keep_freed_heap() is False


@pytest.mark.parametrize("chunk", [1, 2])
def test_the_collector_is_paused_pass_by_pass_not_for_the_whole_call(chunk, monkeypatch):
    from contextlib import contextmanager

    from dualgrad.drivers import seeding as _seed

    entered = []

    @contextmanager
    def recording():
        entered.append(1)
        with _memory.paused_gc():
            yield

    monkeypatch.setattr(_seed, "paused_gc", recording)
    passes = value_and_grad(lambda p: p[0] * p[1] * p[2], [1.0, 2.0, 3.0], chunk=chunk).passes
    assert len(entered) == passes == (3 if chunk == 1 else 2)  # between passes it may run


def test_paused_gc_restores_the_collector_across_threads():
    # Reading gc.isenabled() and then disabling, in two steps per block, let one thread's
    # block start between another's two steps and leave the collector off for good.
    import threading

    def work():
        for _ in range(20_000):
            with _memory.paused_gc():
                pass

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        for _ in range(2):
            assert gc.isenabled()
            threads = [threading.Thread(target=work) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert gc.isenabled()
        gc.disable()  # a caller who had it off keeps it off
        try:
            threads = [threading.Thread(target=work) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        sys.setswitchinterval(interval)
