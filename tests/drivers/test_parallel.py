"""grad on an executor: identical to serial, bit for bit, whatever the workers or tasks."""

from __future__ import annotations

import functools
import itertools
import math
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from dualgrad import dmath, grad, jacobian, value_and_grad
from dualgrad.drivers.parallel import ranges as _ranges
from dualgrad.learn.data import Vocab, examples
from dualgrad.learn.models import MLP

pytest.importorskip("numpy")

NAMES = ["emma", "olivia", "ava", "isabella", "sophia", "mia", "amelia", "harper"]
VOCAB = Vocab(NAMES)
BATCH = examples(NAMES, VOCAB, 3)[:12]
MODEL = MLP(VOCAB.size, context=3, embed=2, hidden=6)
PARAMS = MODEL.init_params(3)


def mlp_loss(params, model=MODEL, batch=tuple(BATCH)):
    """Module level, so a process pool can pickle it."""
    return model.loss(params, batch)


def failing_loss(params):
    """Fails only in the pass that seeds W1[2][1]."""
    if type(params["W1"][2][1]).__name__ == "Dual":
        raise ZeroDivisionError("boom")
    return mlp_loss(params)


@pytest.fixture(scope="module")
def serial():
    return {chunk: value_and_grad(mlp_loss, PARAMS, chunk=chunk) for chunk in (1, 64)}


@pytest.fixture(scope="module")
def process_pools():
    pools = {n: ProcessPoolExecutor(n) for n in (1, 2)}
    yield pools
    for pool in pools.values():
        pool.shutdown()


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("chunk", [1, 64])
def test_process_pool_is_bit_for_bit_serial(serial, process_pools, workers, chunk):
    r = value_and_grad(mlp_loss, PARAMS, chunk=chunk, executor=process_pools[workers])
    assert r.grad == serial[chunk].grad  # exact equality, same structure
    assert r.value == serial[chunk].value
    assert r.passes == serial[chunk].passes


@pytest.mark.parametrize("tasks", [1, 3, 7, 1000])
def test_thread_pool_any_task_count(serial, tasks):
    with ThreadPoolExecutor(2) as pool:
        r = value_and_grad(mlp_loss, PARAMS, executor=pool, tasks=tasks)
    assert r.grad == serial[1].grad and r.passes == serial[1].passes


def test_task_order_does_not_matter(serial):
    class Reversed(ThreadPoolExecutor):
        """Runs the tasks in reverse order of submission."""

        def __init__(self):
            super().__init__(1)
            self.pending = []

        def submit(self, fn, *args):
            from concurrent.futures import Future

            fut = Future()
            self.pending.append((fut, fn, args))
            if len(self.pending) == 4:
                for f, g, a in reversed(self.pending):
                    f.set_result(g(*a))
            return fut

    r = value_and_grad(mlp_loss, PARAMS, executor=Reversed(), tasks=4)
    assert r.grad == serial[1].grad


def test_ranges_cover_everything_in_whole_chunks():
    for n, width, tasks in [(10, 1, 3), (100, 8, 7), (5, 64, 4), (3000, 1, 8)]:
        rs = _ranges(n, width, tasks)
        assert rs[0][0] == 0 and rs[-1][1] == n
        assert all(a[1] == b[0] for a, b in itertools.pairwise(rs))
        assert all(lo % width == 0 for lo, _ in rs)
        assert len(rs) == min(tasks, math.ceil(n / width))


def test_a_failing_task_names_the_parameter(process_pools):
    with pytest.raises(ZeroDivisionError, match="boom") as info:
        grad(failing_loss, PARAMS, executor=process_pools[2])
    notes = getattr(info.value, "__notes__", [])
    assert any("params['W1'][2][1]" in n for n in notes), notes


def test_jacobian_on_an_executor_is_serial(process_pools):
    def f(v):
        return [v[0] * v[1], dmath.sin(v[2]) * v[0], v[2] ** 3]

    x = [0.5, 2.0, -1.0]
    with ThreadPoolExecutor(2) as pool:
        assert jacobian(f, x, executor=pool, tasks=3) == jacobian(f, x)
    assert jacobian(functools.partial(_vec, 2.0), x, executor=process_pools[2]) == jacobian(
        functools.partial(_vec, 2.0), x
    )


def _vec(c, v):
    return [c * v[0] * v[1], v[2] - v[0]]


def test_nested_derivatives_inside_worker_threads():
    from dualgrad import derivative

    def f(p):  # d/dy (p0 * y) at y = 1 is p0, nested inside the gradient
        return p[0] * derivative(lambda y: p[0] * y + p[1], 1.0) + p[1] ** 2

    with ThreadPoolExecutor(2) as pool:
        assert grad(f, [3.0, 4.0], executor=pool, tasks=2) == [6.0, 8.0]


def test_dask_local_cluster_matches_serial(serial):
    distributed = pytest.importorskip(
        "distributed", reason="the 'distributed' extra (dask + distributed) is not installed"
    )
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        executor = client.get_executor()
        r = value_and_grad(mlp_loss, PARAMS, executor=executor)
        # a lambda crosses too: Dask pickles with cloudpickle
        r2 = value_and_grad(lambda p: mlp_loss(p), PARAMS, chunk=64, executor=executor)
    assert r.grad == serial[1].grad
    assert r2.grad == serial[64].grad
