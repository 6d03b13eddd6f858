"""Small dense linear solves for the implicit function theorem, in pure Python.

:class:`LU` factors a square matrix once (partial pivoting on the plain values inside the
entries) and solves for as many right-hand sides as asked: a Newton step, a tangent, each
Taylor coefficient of a root. The entries may be our numbers (a Jacobian that carries
derivatives of its own, for nested derivatives) and a right-hand side may hold vector
tangents: the arithmetic is Python's, so every number type does its part. Plain float systems
of :data:`NUMPY_SIZE` unknowns or more go to ``numpy.linalg`` when numpy is installed.

>>> LU([[2.0, 1.0], [1.0, 3.0]]).solve([3.0, 5.0])
[0.8, 1.4]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from dualgrad.numbers.base import PLAIN, describe, is_array, primal

__all__ = ["LU", "NUMPY_SIZE"]

NUMPY_SIZE = 24
"""Unknowns from which a plain float system is solved by numpy (when it is installed)."""

_EPS = 2.0**-52


def _float_inside(x: Any) -> float:
    """The plain number inside `x` (a Dual, a Taylor number, nested ...)."""
    for _ in range(64):
        if type(x) in PLAIN:
            return float(x)
        inner = primal(x)
        if inner is x:
            break
        x = inner
    return float(x)


class LU:
    """``A = P L U`` of a square matrix `A` (a list of rows), for repeated solves.

    Raises ValueError if `A` is singular to working precision (a pivot below ``n * eps``
    times the largest entry), naming `what`: the implicit function theorem needs it
    invertible.
    """

    def __init__(self, A: Sequence[Sequence[Any]], what: str = "solve") -> None:
        n = len(A)
        if any(len(row) != n for row in A):
            raise ValueError(
                f"{what}: the Jacobian must be square, got {n} rows of lengths "
                f"{sorted({len(row) for row in A})}"
            )
        self.n, self.what = n, what
        self._np: Any = None
        self.a: list[list[Any]] = []
        self.perm: list[int] = []
        plain = all(type(v) in PLAIN for row in A for v in row)
        if plain and n >= NUMPY_SIZE:
            try:
                import numpy as np
            except ImportError:  # pragma: no cover - the pure-Python path below
                pass
            else:
                self._np = np.array(A, dtype=float)
                self._check(np.linalg.svd(self._np, compute_uv=False).tolist(), A)
                return
        self._factor(A)

    def _factor(self, A: Sequence[Sequence[Any]]) -> None:
        """Gaussian elimination with partial pivoting on the plain values."""
        n = self.n
        a = [list(row) for row in A]
        perm = list(range(n))
        pivots = []
        for k in range(n):
            p = max(range(k, n), key=lambda i: abs(_float_inside(a[i][k])))
            a[k], a[p], perm[k], perm[p] = a[p], a[k], perm[p], perm[k]
            pivot = a[k][k]
            pivots.append(abs(_float_inside(pivot)))
            if pivots[-1] == 0.0 or not math.isfinite(pivots[-1]):
                self._check(pivots, A)
            for i in range(k + 1, n):
                if type(a[i][k]) in PLAIN and a[i][k] == 0.0:
                    continue
                factor = a[i][k] / pivot
                a[i][k] = factor
                row_i, row_k = a[i], a[k]
                for j in range(k + 1, n):
                    row_i[j] = row_i[j] - factor * row_k[j]
        self._check(pivots, A)
        self.a, self.perm = a, perm

    def _check(self, sizes: list[float], A: Sequence[Sequence[Any]]) -> None:
        """Refuse a singular (or non-finite) matrix, loudly."""
        biggest = max((abs(_float_inside(v)) for row in A for v in row), default=0.0)
        smallest = min(sizes, default=1.0)
        if not (math.isfinite(biggest) and all(map(math.isfinite, sizes))):
            raise ValueError(f"{self.what}: the Jacobian holds inf or nan: {describe(A)}")
        if self.n and smallest <= self.n * _EPS * biggest:
            raise ValueError(
                f"{self.what}: the Jacobian dF/dx is singular at the solution (smallest pivot "
                f"or singular value {smallest:.3g}, largest entry {biggest:.3g}), so x is not "
                "a differentiable function of the arguments there (the implicit function "
                "theorem needs dF/dx invertible)"
            )

    def solve(self, b: Sequence[Any]) -> list[Any]:
        """x with A x = b; the entries of b may be numbers of ours or vector tangents."""
        n = self.n
        if len(b) != n:
            raise ValueError(f"{self.what}: {len(b)} right-hand sides for {n} unknowns")
        if self._np is not None:
            import numpy as np

            if all(type(v) in PLAIN or (is_array(v) and v.ndim == 1) for v in b):
                k = max((len(v) for v in b if is_array(v)), default=0)
                rhs = np.array([np.broadcast_to(v, (k,)) if k else v for v in b], dtype=float)
                out = np.linalg.solve(self._np, rhs)
                return [float(v) for v in out] if not k else list(out)
            self._factor(self._np.tolist())  # numbers of ours on the right: the generic path
            self._np = None
        a = self.a
        y = [b[p] for p in self.perm]
        for i in range(n):  # L y = P b (unit lower triangle)
            row = a[i]
            for j in range(i):
                if not (type(row[j]) in PLAIN and row[j] == 0.0):
                    y[i] = y[i] - y[j] * row[j]
        x: list[Any] = [0.0] * n
        for i in reversed(range(n)):  # U x = y
            row, s = a[i], y[i]
            for j in range(i + 1, n):
                s = s - x[j] * row[j]
            x[i] = s / row[i]
        return x
