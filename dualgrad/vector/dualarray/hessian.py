"""Hessians of numpy code: forward over forward with nested dual arrays.

The outer dual array seeds a block of columns (tag t1), the inner one every entry (tag t2,
newer): its value *is* the outer dual array, so every operation's partials are themselves
dual arrays and the inner tangent of the output carries, as its outer tangent, the Hessian's
columns - one pass per block of columns, each operation a few numpy calls on arrays of
(entries x n x block) numbers.

>>> import numpy as np
>>> from dualgrad.drivers.tags import Tagged
>>> with Tagged() as outer, Tagged() as inner:
...     array_hessian(lambda v: np.sum(v ** 3), np.array([1.0, 2.0]), outer, inner).tolist()
[[6.0, 0.0], [0.0, 12.0]]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dualgrad.drivers.memory import paused_gc
from dualgrad.numbers.base import describe
from dualgrad.vector.dualarray import seeding
from dualgrad.vector.dualarray.core import DualArray

__all__ = ["array_hessian"]


def array_hessian(f: Callable[[Any], Any], x: np.ndarray, outer: int, inner: int) -> np.ndarray:
    """The Hessian of scalar `f` at the float array `x`, of shape ``x.shape + x.shape``."""
    value = np.array(x, dtype=np.float64)
    n = value.size
    per_column = 8 * n * max(n, 1)  # an (n x n) block of second-order numbers per column
    width = max(1, min(n, seeding.MEMORY_BUDGET // max(per_column, 1)))
    seeds = np.eye(n).reshape((*value.shape, n))
    blocks = []
    for lo in range(0, n, width):
        k = min(width, n - lo)
        columns = np.zeros((n, k))
        columns[lo + np.arange(k), np.arange(k)] = 1.0
        outer_x = DualArray(value, columns.reshape((*value.shape, k)), outer)
        with paused_gc():
            out = f(DualArray(outer_x, seeds, inner))
        blocks.append(_second(out, outer, inner, n, k))
    return np.concatenate(blocks, axis=1).reshape(value.shape * 2)


def _second(out: Any, outer: int, inner: int, n: int, k: int) -> np.ndarray:
    """The (n x k) block of second derivatives that `out` carries."""
    if type(out) is not DualArray or out.tag != inner:
        if isinstance(out, (float, int)) or (type(out) is DualArray and out.tag == outer):
            return np.zeros((n, k))  # f does not depend on x (or only linearly through x)
        raise TypeError(f"hessian: the function must return one real number, got {describe(out)}")
    if out.shape != ():
        raise TypeError(
            f"hessian: the function must return one number, it returned an array of shape "
            f"{out.shape}: reduce it (e.g. its sum), or take the jacobian of the gradient"
        )
    tangent = out.tangent  # (n,): the gradient, carrying its own derivative along the block
    if type(tangent) is not DualArray:
        return np.zeros((n, k))  # the gradient is constant: f is linear in x
    return np.broadcast_to(np.asarray(tangent.tangent, dtype=np.float64), (n, k))
