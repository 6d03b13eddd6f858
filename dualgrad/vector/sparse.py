"""A sparse tangent vector: the seed of one parameter, and what few parameters influence.

In chunk mode every parameter of a pass carries a tangent vector of width k. A parameter's
seed is one-hot and a value computed from a few parameters (an embedding row plus a position
row) has only a few nonzero partials, so storing them densely (k floats each; 4,192 for
microgpt) would waste most of the work. :class:`Sparse` stores (indices, values) and turns
dense only when it meets a dense vector or grows past a fraction of its width.

It supports exactly what the rule table needs of a tangent - scaling by a number, adding,
subtracting, negating - so every rule stays linear in it, and numpy arrays defer to it.

>>> import numpy as np
>>> a = Sparse.one_hot(1, 4)
>>> b = a * 3.0 + Sparse.one_hot(3, 4)
>>> (b - a).tolist()
[0.0, 2.0, 0.0, 1.0]
>>> (np.ones(4) + b).tolist()
[1.0, 4.0, 1.0, 2.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

from dualgrad.vector.context import current

__all__ = ["SEED_INDICES", "IndexViews", "Sparse", "StoredEntries"]

DENSE_FRACTION = 1 / 8  # densify once more than this fraction of the entries are stored
_ONE = np.ones(1)
_ONE.flags.writeable = False
_SCALARS = (np.floating, np.integer)
_new = object.__new__
_F64 = np.dtype(float)


class IndexViews:
    """One-entry index arrays, as read-only views of one shared ``arange`` (grown on demand):
    a pass seeds thousands of parameters, and a view costs less than a new array.

    >>> IndexViews().view(5).tolist()
    [5]
    """

    __slots__ = ("_indices",)

    def __init__(self, length: int = 4096) -> None:
        self._indices = self._made(length)

    @staticmethod
    def _made(length: int) -> Any:
        indices = np.arange(length)
        indices.flags.writeable = False
        return indices

    def view(self, index: int) -> Any:
        """``[index]`` as a read-only int array (shared: never modify it)."""
        indices = self._indices
        if index >= len(indices):
            indices = self._indices = self._made(max(2 * len(indices), index + 1))
        return indices[index : index + 1]


SEED_INDICES = IndexViews()
"""The index arrays of seeds (and of other one-entry vectors), shared by every pass."""


class StoredEntries:
    """A vector stored as some of its entries: what :class:`Sparse` and
    :class:`dualgrad.vector.packed.Packed` share of the operations the rule table needs - scaling by
    a number and negating, which keep where the entries are (``_scaled`` makes the same kind
    of vector with new ``values``), and the dense views. Each adds its own sums."""

    __slots__ = ()
    __array_ufunc__ = None  # ndarray (op) vector: numpy defers to our reflected operators
    _dualgrad_tangent = True  # Dual accepts it as a vector tangent
    values: Any

    def _scaled(self, values: Any) -> Any:
        raise NotImplementedError

    def dense(self) -> Any:
        raise NotImplementedError

    def _plus_sparse(self, s: Sparse) -> Any:
        """self + s for a :class:`Sparse` s (each kind sums it its own way; Sparse's own
        ``__add__`` hands a sum with another kind to that kind, which needs not be imported)."""
        raise NotImplementedError

    def tolist(self) -> list[float]:
        return self.dense().tolist()

    def __mul__(self, c: Any) -> Any:
        if type(c) is float or type(c) is int or isinstance(c, _SCALARS):
            return self._scaled(self.values * c)
        return NotImplemented

    __rmul__ = __mul__

    def __truediv__(self, c: Any) -> Any:
        if type(c) is float or type(c) is int or isinstance(c, _SCALARS):
            return self._scaled(self.values / c)
        return NotImplemented

    def __neg__(self) -> Any:
        return self._scaled(-self.values)

    def __pos__(self) -> Any:
        return self

    def __rsub__(self, other: Any) -> Any:
        return (-self) + other

    def __eq__(self, other: object) -> Any:  # elementwise on the dense form, like numpy
        return self.dense() == other

    __hash__ = None  # type: ignore[assignment]


class Sparse(StoredEntries):
    """A length-`size` vector holding `values` at `indices` (repeats add up)."""

    __slots__ = ("hot", "indices", "size", "values")

    def __init__(self, indices: Any, values: Any, size: int, hot: int = -1) -> None:
        self.indices = indices
        self.values = values
        self.size = size
        self.hot = hot  # for a seed (a one-hot with value 1): its index, else -1

    @classmethod
    def one_hot(cls, index: int, size: int) -> Sparse:
        """The seed of entry `index`: 1 there, 0 elsewhere."""
        # views of shared read-only arrays: a pass seeds thousands of these
        return cls(SEED_INDICES.view(index), _ONE, size, index)

    def dense(self) -> Any:
        """The vector as a numpy array."""
        return np.bincount(self.indices, weights=self.values, minlength=self.size)

    def _scaled(self, values: Any) -> Sparse:
        return Sparse(self.indices, values, self.size)  # (no longer a seed)

    def __mul__(self, c: Any) -> Any:
        if type(c) is float:  # a parameter's seed times a value: once per scalar product
            out = _new(Sparse)
            out.indices = self.indices
            out.values = self.values * c
            out.size = self.size
            out.hot = -1
            return out
        return StoredEntries.__mul__(self, c)

    __rmul__ = __mul__

    @property
    def nnz(self) -> int:
        """Stored entries (repeats counted)."""
        return len(self.indices)

    # -- sums (scaling and negating: StoredEntries) ----------------------------------------
    def __add__(self, other: Any) -> Any:
        if type(other) is Sparse:
            if len(self.indices) + len(other.indices) <= 4:  # a sum of a few seeds ...
                context = current()
                if context is not None and context.blocks is not None:  # ... in a GPT-like pass
                    packed = context.blocks.pack_sum(self, other)
                    if packed is not None:  # on the pass's block layout
                        return packed
            if self.nnz + other.nnz > DENSE_FRACTION * self.size:
                return self.dense() + other.dense()
            return Sparse(
                np.concatenate((self.indices, other.indices)),
                np.concatenate((self.values, other.values)),
                self.size,
            )
        if isinstance(other, StoredEntries):  # another kind (a Packed): its sum with a Sparse
            return other._plus_sparse(self)
        if isinstance(other, np.ndarray):
            if len(self.indices) == 1 and other.shape == (self.size,) and other.dtype == _F64:
                # one entry (a parameter's seed, scaled): the same sums as with the dense
                # form (x + 0.0 off the entry, (x + 0.0) + v on it: x + v, zeros' signs
                # included), without a vector of zeros
                out = other + 0.0
                out[self.indices[0]] += self.values[0]
                return out
            return other + self.dense()
        if (type(other) is float or type(other) is int) and other == 0:
            return self  # a zero tangent (a constant lifted to a Dual) adds nothing
        return NotImplemented

    __radd__ = __add__

    def __sub__(self, other: Any) -> Any:
        return self + (-other)

    def __repr__(self) -> str:
        return f"Sparse(size={self.size}, nnz={self.nnz})"
