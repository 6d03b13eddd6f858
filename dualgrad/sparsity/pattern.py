"""Sparsity patterns and the sparse matrices read out on them.

A :class:`SparsityPattern` is where a matrix may be nonzero (COO, sorted row-major); a
:class:`SparseMatrix` adds the values there and what they cost. Both are plain Python (lists),
so only :meth:`SparseMatrix.toscipy` needs an optional dependency.

>>> p = SparsityPattern((2, 3), (0, 0, 1), (0, 2, 1))
>>> p.todense()
[[True, False, True], [False, True, False]]
>>> p.by_row()
[[0, 2], [1]]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SparseMatrix", "SparsityPattern"]


@dataclass(frozen=True)
class SparsityPattern:
    """Where a matrix of `shape` may be nonzero: entries (rows[k], cols[k]), row-major."""

    shape: tuple[int, int]
    rows: tuple[int, ...]
    cols: tuple[int, ...]

    @property
    def nnz(self) -> int:
        """Stored entries."""
        return len(self.rows)

    def by_row(self) -> list[list[int]]:
        """For each row, the columns of its entries (ascending)."""
        out: list[list[int]] = [[] for _ in range(self.shape[0])]
        for i, j in zip(self.rows, self.cols, strict=True):
            out[i].append(j)
        return out

    def todense(self) -> list[list[bool]]:
        """The pattern as a list of rows of booleans."""
        out = [[False] * self.shape[1] for _ in range(self.shape[0])]
        for i, j in zip(self.rows, self.cols, strict=True):
            out[i][j] = True
        return out

    @classmethod
    def from_rows(cls, rows: Sequence[Iterable[int]], n: int) -> SparsityPattern:
        """The pattern whose row i holds the columns in rows[i]."""
        ii: list[int] = []
        jj: list[int] = []
        for i, row in enumerate(rows):
            cols = sorted(row)
            ii.extend([i] * len(cols))
            jj.extend(cols)
        return cls((len(rows), n), tuple(ii), tuple(jj))


@dataclass(frozen=True)
class Coloring:
    """A pattern and the color of each of its columns: what a repeated evaluation reuses."""

    pattern: SparsityPattern
    colors: tuple[int, ...]
    """Color of each column."""

    @property
    def count(self) -> int:
        return max(self.colors, default=-1) + 1


@dataclass(frozen=True)
class SparseMatrix:
    """A sparse Jacobian (or Hessian) and what it cost.

    ``values[k]`` is the entry at ``(rows[k], cols[k])``, sorted row-major; every entry off
    the pattern is zero. ``passes`` counts evaluations of the function, sparsity detection
    included; ``colors`` is the number of colors (compressed columns) and ``coloring`` the
    color of each column. ``value`` lists the function's outputs at x (flattened), so a Newton
    step needs no extra evaluation. Pass the result itself as ``sparsity=`` to a later call
    to skip detection and coloring.
    """

    shape: tuple[int, int]
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    values: list[Any]
    passes: int
    colors: int
    coloring: tuple[int, ...]
    method: str
    value: list[Any] = field(repr=False)
    sparsity: Coloring = field(repr=False)
    array: bool = field(default=False, repr=False)
    """x was a numpy array: :meth:`todense` gives one too."""

    @property
    def nnz(self) -> int:
        return len(self.values)

    def todense(self) -> Any:
        """The matrix as a list of rows (zeros off the pattern), or a float64 numpy array of
        shape :attr:`shape` when x was an array."""
        out: list[list[Any]] = [[0.0] * self.shape[1] for _ in range(self.shape[0])]
        for i, j, v in zip(self.rows, self.cols, self.values, strict=True):
            out[i][j] = v
        if self.array:
            import numpy as np  # x was an array: numpy is present

            return np.array(out, dtype=np.float64).reshape(self.shape)
        return out

    def toscipy(self) -> Any:
        """The matrix as a ``scipy.sparse.csr_array``."""
        try:
            from scipy import sparse
        except ImportError:
            raise ImportError(
                "toscipy() needs scipy: pip install 'dualgrad[examples]' (or pip install scipy)"
            ) from None
        return sparse.csr_array((self.values, (self.rows, self.cols)), shape=self.shape)
