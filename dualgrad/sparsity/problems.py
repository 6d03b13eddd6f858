"""Residuals with sparse Jacobians, for examples, benchmarks and tests: each output depends on
a few inputs.

>>> from dualgrad import jacobian_sparsity
>>> jacobian_sparsity(bratu1, [0.0] * 5).nnz   # tridiagonal
13
"""

from __future__ import annotations

from typing import Any

from dualgrad import dmath

__all__ = ["bratu1", "brusselator"]


def bratu1(x: list[Any]) -> list[Any]:
    """The 1-D Bratu problem's residual u'' + exp(u) on N interior points: tridiagonal."""
    n = len(x)
    h2 = 1.0 / (n + 1) ** 2
    return [
        (x[i - 1] if i else 0.0)
        - 2 * x[i]
        + (x[i + 1] if i < n - 1 else 0.0)
        + h2 * dmath.exp(x[i])
        for i in range(n)
    ]


def brusselator(x: list[Any], a: float = 1.0, b: float = 3.4, alpha: float = 0.02) -> list[Any]:
    """The two-species 2-D Brusselator on a periodic n x n grid, x = (u0, v0, u1, v1, ...):
    u' = b + u^2 v - (a + 1) u + alpha lap(u), v' = a u - u^2 v + alpha lap(v)."""
    n = round((len(x) // 2) ** 0.5)
    u, v = x[0::2], x[1::2]
    out = []
    for i in range(n):
        up, down = ((i - 1) % n) * n, ((i + 1) % n) * n
        for j in range(n):
            k, left, right = i * n + j, i * n + (j - 1) % n, i * n + (j + 1) % n
            lu = u[up + j] + u[down + j] + u[left] + u[right] - 4 * u[k]
            lv = v[up + j] + v[down + j] + v[left] + v[right] - 4 * v[k]
            uuv = u[k] * u[k] * v[k]
            out.append(b + uuv - (a + 1) * u[k] + alpha * lu)
            out.append(a * u[k] - uuv + alpha * lv)
    return out
