"""Sparsity tracing at numpy speed: the dependency sets of a whole array in one CSR table.

A :class:`TracerArray` is what :func:`~dualgrad.sparsity.jacobian.jacobian_sparsity` hands f
for a float ndarray parameter. ``value`` is the float ndarray computed at x (so branches take
x's side, as with :class:`~dualgrad.sparsity.tracer.Tracer`), and the dependency sets of its
entries (flattened in C order) are one CSR structure: entry e depends on the inputs
``indices[indptr[e]:indptr[e + 1]]`` (sorted, distinct). numpy's dispatch brings every
operation here, and each costs a few whole-array numpy calls:

- a ufunc unions the (broadcast) sets of the arguments whose partial in the rule table is
  not the constant 0 (:func:`~dualgrad.sparsity.tracer.partial_forms`), the same reading of
  the table as the scalar Tracer's; comparisons and predicates give plain boolean arrays;
- functions that move entries (reshape, concatenate, indexing, where, sort ...) are applied
  to integer arrays of entry ids, and the rows are gathered; reductions union each lane;
  products union over the nonzero structure (:mod:`.tracer_functions`).

All of it goes through one primitive, :meth:`Table.union`: (output entry, input row) pairs
-> a CSR table, deduplicated. An entry taken out (``x[i]``) is a plain Tracer, so scalar code
over arrays keeps working; a Tracer or an object array of them meeting a TracerArray joins it.

>>> import numpy as np
>>> x = TracerArray.inputs(np.array([1.0, 2.0, 3.0]))
>>> y = np.exp(x[1:]) * x[:-1]
>>> [sorted(t.deps) for t in y]
[[0, 1], [1, 2]]
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from dualgrad.sparsity.tracer import Tracer
from dualgrad.vector.dispatch import Dispatched, Wording, holds

__all__ = ["Table", "TracerArray", "as_parts", "from_parts", "no_deps"]

Ids = np.ndarray[Any, Any]
Csr = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]
"""(indptr, indices) of a set per entry."""


class Table:
    """The rows of several operands in one CSR table, each operand's entries numbered from
    its own base, so one gather reads them all. Id -1 means "no dependencies"."""

    def __init__(self) -> None:
        self._indptrs: list[np.ndarray[Any, Any]] = []
        self._indices: list[np.ndarray[Any, Any]] = []
        self._bases: dict[int, int] = {}
        self.size = 0

    def ids(self, x: Any) -> tuple[Any, Ids]:
        """(value, ids of x's entries in this table): -1 for a plain operand."""
        value, deps = as_parts(x)
        if deps is None:
            return value, np.full(np.shape(value), -1, dtype=np.intp)
        base = self._bases.get(id(deps[1]))
        if base is None:  # (an operand met twice, as in x * x, is added once)
            base = self._bases[id(deps[1])] = self.size
            self._indptrs.append(deps[0][1:] - deps[0][:-1])
            self._indices.append(deps[1])
            self.size += len(deps[0]) - 1
        return value, np.arange(base, base + np.size(value), dtype=np.intp).reshape(np.shape(value))

    def _rows(self) -> tuple[Ids, Ids, Ids]:
        lengths = np.concatenate(self._indptrs) if self._indptrs else np.zeros(0, np.intp)
        starts = np.zeros(len(lengths), dtype=np.intp)
        np.cumsum(lengths[:-1], out=starts[1:])
        indices = np.concatenate(self._indices) if self._indices else np.zeros(0, np.intp)
        return lengths, starts, indices

    def select(self, ids: Ids) -> Csr:
        """Entry e of the result takes row ids[e] (-1: none): a gather, no deduplication."""
        lengths, starts, indices = self._rows()
        flat = ids.reshape(-1)
        known = flat >= 0
        safe = np.where(known, flat, 0)
        lens = np.where(known, lengths[safe] if len(lengths) else 0, 0)
        indptr = np.zeros(len(flat) + 1, dtype=np.intp)
        np.cumsum(lens, out=indptr[1:])
        return indptr, indices[_positions(starts[safe], lens)]

    def union(self, out_ids: Ids, in_ids: Ids, size: int) -> Csr:
        """Entry out_ids[p] of a result of `size` entries takes the union of the rows
        in_ids[p] over all p (-1: none): gathered, then deduplicated by sorting keys."""
        lengths, starts, indices = self._rows()
        known = in_ids >= 0
        out_ids, in_ids = out_ids[known], in_ids[known]
        lens = lengths[in_ids]
        cols = indices[_positions(starts[in_ids], lens)]
        rows = np.repeat(out_ids, lens)
        width = int(cols.max()) + 1 if len(cols) else 1
        keys = _distinct_sorted(rows.astype(np.int64) * width + cols)
        rows, cols = np.divmod(keys, width)
        indptr = np.zeros(size + 1, dtype=np.intp)
        np.cumsum(np.bincount(rows, minlength=size), out=indptr[1:])
        return indptr, cols.astype(np.intp)

    def lanes(self, ids: Ids) -> Csr:
        """Row l of the result is the union of the rows ids[l, :] (a reduction's lanes)."""
        lanes, length = ids.shape
        if length == 1:
            return self.select(ids[:, 0])
        out = np.repeat(np.arange(lanes, dtype=np.intp), length)
        return self.union(out, ids.reshape(-1), lanes)


def _distinct_sorted(keys: Ids) -> Ids:
    """The distinct keys, ascending (a sort: numpy's hash-based np.unique is slower here)."""
    keys.sort()
    if len(keys) < 2:
        return keys
    keep = np.empty(len(keys), dtype=bool)
    keep[0] = True
    np.not_equal(keys[1:], keys[:-1], out=keep[1:])
    return keys[keep]


def _positions(starts: Ids, lens: Ids) -> Ids:
    """The concatenated ranges starts[i] : starts[i] + lens[i]."""
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.intp)
    ends = np.cumsum(lens)
    shift = np.repeat(starts - (ends - lens), lens)
    return shift + np.arange(total, dtype=np.intp)


class TracerArray(Dispatched):
    """Values (a float ndarray at x) and the dependency set of each entry (one CSR table).

    >>> import numpy as np
    >>> x = TracerArray.inputs(np.arange(4.0).reshape(2, 2))
    >>> [sorted(t.deps) for t in np.sum(x, axis=0)]
    [[0, 2], [1, 3]]
    """

    __slots__ = ("indices", "indptr", "value")
    _tracer_array: ClassVar[bool] = True  # a scalar Tracer meeting one gives way
    ufuncs: ClassVar[dict[str, Callable[..., Any]]] = {}
    """Per ufunc method ("__call__", "reduce" ...), how it applies (filled by
    :mod:`dualgrad.sparsity.arrays`, as the functions below)."""
    functions: ClassVar[dict[Any, Callable[..., Any]]] = {}
    """numpy function -> its implementation (:mod:`.tracer_functions`, :mod:`.tracer_products`)."""

    value: np.ndarray[Any, Any]
    indptr: np.ndarray[Any, Any]
    indices: np.ndarray[Any, Any]

    def __init__(self, value: Any, indptr: Any, indices: Any) -> None:
        self.value = np.asarray(value, dtype=np.result_type(value, np.float64))
        self.indptr, self.indices = indptr, indices

    @classmethod
    def inputs(cls, value: Any, first: int = 0) -> TracerArray:
        """The array of inputs first, first + 1, ... (one per entry, C order)."""
        value = np.array(value, dtype=np.float64)  # (its own copy: f may write into it)
        return cls(value, np.arange(value.size + 1), np.arange(first, first + value.size))

    def deps(self) -> list[frozenset[int]]:
        """The dependency set of each entry (C order), as Python sets."""
        cuts = self.indices.tolist()
        bounds = self.indptr.tolist()
        return [frozenset(cuts[a:b]) for a, b in itertools.pairwise(bounds)]

    def __repr__(self) -> str:
        return f"TracerArray({self.value!r}, nnz={len(self.indices)})"

    def __getitem__(self, index: Any) -> Any:
        _check_index(index)
        table = Table()
        value, ids = table.ids(self)
        return from_parts(value[index], table.select(ids[index]))

    def __setitem__(self, index: Any, item: Any) -> None:
        """Writes values and sets into this array (not into a view of another one)."""
        _check_index(index)
        if self.value.base is not None:  # its sets are its own: the other array's would miss it
            raise TypeError(
                "writing into a view of a traced array (a slice, reshape or transpose of it) "
                "is not supported in sparsity tracing: assign into the array itself "
                "(F[1:-1] = ...) or into a .copy()"
            )
        table = Table()
        _, ids = table.ids(self)
        value, item_ids = table.ids(item)
        ids[index] = item_ids
        self.value[index] = value
        self.indptr, self.indices = table.select(ids)

    words: ClassVar[Wording] = Wording(
        where="in sparsity tracing",
        carries="the dependencies",
        called="a traced array",
        losing_it=" and so make the sparsity pattern wrong",
        unsupported=(
            " (jacobian_sparsity / sparse_jacobian over numpy arrays): its dependencies are not "
            "known. Use supported numpy functions, pass sparsity= yourself, or take x.value for "
            "numbers on purpose."
        ),
    )

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray[Any, Any]:
        """An object array of Tracers (``np.asarray(x)``): the sets stay with the entries;
        a float conversion is refused."""
        if dtype is not None and np.dtype(dtype) != object:
            raise TypeError(self.drops(f"converting it to an array of {np.dtype(dtype)}"))
        out = np.empty(self.shape, dtype=object)
        flat = out.reshape(-1)
        for i, (v, d) in enumerate(zip(self.value.reshape(-1).tolist(), self.deps(), strict=True)):
            flat[i] = Tracer(v, d)
        return out

    def tolist(self) -> Any:
        """Nested lists of Tracers."""
        return np.asarray(self, dtype=object).tolist()

    def copy(self) -> TracerArray:
        return TracerArray(self.value.copy(), self.indptr, self.indices)

    def reshape(self, *shape: Any, order: str = "C") -> Any:
        new_shape: Any = shape[0] if len(shape) == 1 else shape
        reshape: Any = np.reshape
        return reshape(self, new_shape, order=order)

    def astype(self, dtype: Any, copy: bool = True) -> TracerArray:
        if np.dtype(dtype).kind != "f":
            raise TypeError(self.drops(f"astype({np.dtype(dtype)})"))
        return self.copy()

    def fill(self, number: Any) -> None:
        self[...] = number

    def sort(self, axis: int = -1, kind: Any = None, order: Any = None) -> None:
        self[...] = np.sort(self, axis=axis)

    def flatten(self, order: str = "C") -> Any:
        return np.reshape(self, -1)

    def item(self, *index: Any) -> Any:
        flat = np.reshape(self, -1)
        if not index and self.size != 1:
            raise ValueError("can only convert an array of size 1 to a Python scalar")
        return flat[index[0] if index else 0] if len(index) < 2 else self[index]


def _method(func: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: TracerArray, *args: Any, **kwargs: Any) -> Any:
        return func(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = func.__name__
    return method


_methods: Any = (
    np.ravel, np.transpose, np.swapaxes, np.squeeze, np.sum, np.mean, np.prod, np.max,
    np.min, np.cumsum, np.cumprod, np.std, np.var, np.dot, np.clip, np.take, np.repeat,
    np.diagonal, np.trace, np.argmax, np.argmin, np.argsort, np.all, np.any, np.round,
    np.nonzero, np.ptp,
)  # fmt: skip
for _func in _methods:
    setattr(TracerArray, _func.__name__, _method(_func))


# -- operands ---------------------------------------------------------------------------------
_PYTHON_SCALARS = (float, int, bool)  # numpy takes bools as numbers here (np.asarray)


def as_parts(x: Any) -> tuple[Any, Csr | None]:
    """(value, CSR sets or None for a constant) of an operand meeting a TracerArray."""
    if type(x) is TracerArray:
        return x.value, (x.indptr, x.indices)
    if type(x) is Tracer:
        return np.float64(x.value), _csr([x.deps])
    if isinstance(x, (np.ndarray, np.generic)) or type(x) in _PYTHON_SCALARS:
        arr = np.asarray(x)
        if arr.dtype == object:
            return _object_parts(arr)
        if arr.dtype.kind not in "fiub":
            raise TypeError(f"sparsity tracing cannot meet an array of dtype {arr.dtype}")
        return arr, None
    if isinstance(x, (list, tuple)):
        if holds(x, (Tracer, TracerArray)):
            stack: Any = np.stack
            split = [as_parts(e) for e in x]
            return as_parts(stack([from_parts(v, d or no_deps(v)) for v, d in split]))
        return as_parts(np.asarray(x))
    raise TypeError(
        f"sparsity tracing cannot meet {x!r} (type {type(x).__name__}): give numbers, numpy "
        "arrays or the function's inputs (a Dual or Value made inside f cannot be traced)"
    )


def _csr(sets: list[frozenset[int]]) -> Csr:
    lens = [len(s) for s in sets]
    indptr = np.zeros(len(sets) + 1, dtype=np.intp)
    np.cumsum(lens, out=indptr[1:])
    flat = [j for s in sets for j in sorted(s)]
    return indptr, np.array(flat, dtype=np.intp)


def _object_parts(arr: np.ndarray[Any, Any]) -> tuple[Any, Csr | None]:
    flat = arr.reshape(-1).tolist()
    if not any(type(e) is Tracer for e in flat):
        return arr.astype(np.float64), None
    for e in flat:
        if (
            type(e) is not Tracer
            and type(e) not in _PYTHON_SCALARS
            and not isinstance(e, np.generic)
        ):
            as_parts(e)  # its own error
    values = np.array([getattr(e, "value", e) for e in flat], dtype=np.float64)
    return values.reshape(arr.shape), _csr([getattr(e, "deps", frozenset()) for e in flat])


def from_parts(value: Any, deps: Csr) -> Any:
    """A TracerArray, or for one entry (a 0-d value) a plain Tracer."""
    if np.ndim(value) == 0:
        return Tracer(float(value), frozenset(deps[1][deps[0][0] : deps[0][1]].tolist()))
    return TracerArray(value, deps[0], deps[1])


def no_deps(value: Any) -> Csr:
    return np.zeros(np.size(value) + 1, dtype=np.intp), np.zeros(0, dtype=np.intp)


# -- refusals ---------------------------------------------------------------------------------


def _check_index(index: Any) -> None:
    for i in index if type(index) is tuple else (index,):
        if isinstance(i, (TracerArray, Tracer)):
            raise TypeError(
                "an index must be a plain int, slice or array, not a traced value: take its "
                ".value to index on purpose"
            )
