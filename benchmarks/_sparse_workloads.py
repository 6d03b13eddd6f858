"""The residuals sparse_jacobian.py differentiates, by name: each with the number of unknowns a
size gives (n, n x n, 2 x n x n) and one start point for every size.

>>> residual, unknowns = WORKLOADS["bratu2"]
>>> unknowns(3), len(residual(start(unknowns(3))))
(9, 9)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dualgrad import dmath
from dualgrad.sparsity.problems import bratu1, brusselator


def bratu2(x: list[Any]) -> list[Any]:
    n = round(len(x) ** 0.5)
    h2 = 1.0 / (n + 1) ** 2
    out = []
    for i in range(n):
        for j in range(n):
            k = i * n + j
            s = h2 * dmath.exp(x[k]) - 4 * x[k]
            if i:
                s = s + x[k - n]
            if i < n - 1:
                s = s + x[k + n]
            if j:
                s = s + x[k - 1]
            if j < n - 1:
                s = s + x[k + 1]
            out.append(s)
    return out


WORKLOADS: dict[str, tuple[Callable[[list[Any]], list[Any]], Callable[[int], int]]] = {
    "bratu1": (bratu1, lambda s: s),
    "bratu2": (bratu2, lambda s: s * s),
    "brusselator": (brusselator, lambda s: 2 * s * s),
}


def start(n: int) -> list[float]:
    return [0.5 + 0.25 * ((7 * k) % 13) / 13 for k in range(n)]
