"""Chunked passes run BLAS on one thread and give the thread count back afterwards."""

import pytest

pytest.importorskip("numpy")
threadpoolctl = pytest.importorskip("threadpoolctl")

from dualgrad import value_and_grad  # noqa: E402
from dualgrad.vector._blas import _blas_libraries, single_threaded_blas  # noqa: E402


def blas_threads():
    return [lib.num_threads for lib in _blas_libraries()]


def test_single_threaded_inside_and_restored_after():
    libs = _blas_libraries()
    assert libs, "numpy's BLAS should be visible to threadpoolctl"
    before = blas_threads()
    with single_threaded_blas():
        assert blas_threads() == [1] * len(libs)
    assert blas_threads() == before


def test_a_chunked_pass_sees_one_thread_and_restores_it():
    before = blas_threads()
    seen = []

    def f(p):
        seen.append(blas_threads())
        return p[0] * p[1]

    assert value_and_grad(f, [2.0, 3.0], chunk=2).grad == [3.0, 2.0]
    assert seen == [[1] * len(before)]
    assert blas_threads() == before
