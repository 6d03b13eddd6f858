"""How the drivers seed float ndarray parameters as dual arrays, and read dual array outputs.

The drivers count parameters as flat leaves (an array's entries in C order, see
:mod:`dualgrad.tree`). In a pass, a float ndarray parameter whose entries are plain numbers
becomes one :class:`DualArray`: its values the array, its tangent block zeros but for the
seeded entries (column c of a chunk seeds entry ``positions[c]``), so f's numpy code runs at
numpy speed. An array holding another derivative's numbers (the inner pass of a hessian) keeps
the object array of :mod:`dualgrad.vector.arrays`.

>>> import numpy as np
>>> from dualgrad.tree import flatten
>>> leaves, spec = flatten({"w": np.array([1.0, 2.0]), "b": 3.0})
>>> seeded = seed_tree(spec, ArrayBlocks(spec, leaves), leaves, [1, 2], unit_seeds(2), 7)
>>> seeded["w"].tangent.tolist(), seeded["b"]
([[1.0, 0.0], [0.0, 1.0]], 3.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from dualgrad.numbers.dual import Dual
from dualgrad.tree import Spec, _sorted_keys, unflatten
from dualgrad.vector.arrays import rebuild
from dualgrad.vector.dualarray.core import DualArray

__all__ = [
    "MEMORY_BUDGET",
    "ArrayBlocks",
    "rebuild_tree",
    "fit_width",
    "output_rows",
    "seed_tree",
    "unit_seeds",
]

MEMORY_BUDGET = 1 << 28
"""Bytes the parameters' tangent blocks may take in one pass (256 MiB): a wider chunk
(``chunk="all"`` over a large array) is split into passes of the width that fits."""


def fit_width(width: int, blocks: ArrayBlocks) -> int:
    """`width`, or the widest chunk whose tangent blocks fit :data:`MEMORY_BUDGET`."""
    entries = sum(s.size for _, s, values in blocks.blocks if values is not None)
    return max(1, min(width, MEMORY_BUDGET // (8 * max(entries, 1))))


_PLAIN = {float, int}


class ArrayBlocks:
    """The arrays among the leaves of `spec`: (first leaf, size, values) of each float
    array of plain numbers, made once per driver call and shared by its passes."""

    def __init__(self, spec: Spec, leaves: Sequence[Any]) -> None:
        self.blocks: list[tuple[int, Spec, np.ndarray | None]] = []
        self._walk(spec, leaves, 0)

    def _walk(self, spec: Spec, leaves: Sequence[Any], at: int) -> int:
        if spec.kind == "array":
            entries = leaves[at : at + spec.size]
            plain = set(map(type, entries)) <= _PLAIN
            values = np.array(entries, dtype=np.float64).reshape(spec.shape) if plain else None
            self.blocks.append((at, spec, values))
            return at + spec.size
        if spec.kind == "leaf":
            return at + 1
        if spec.flat:
            return at + spec.size
        for child in spec.children:
            at = self._walk(child, leaves, at)
        return at


class _Unit:
    """Seeds that are unit vectors of width k: position c's tangent is e_c, or with
    `columns`, e_columns[c] (a coloring: the columns of a color share one tangent)."""

    def __init__(self, k: int, columns: Any = None) -> None:
        self.k = k
        self.columns = columns

    def column(self, c: Any) -> Any:
        return c if self.columns is None else self.columns[c]


def unit_seeds(k: int, columns: Sequence[int] | None = None) -> Any:
    """Marks a chunk's tangents as unit vectors, written in bulk: position c's tangent is
    e_c (or e_columns[c], for a coloring of the positions into k colors)."""
    return _Unit(k, None if columns is None else np.asarray(columns, dtype=np.intp))


def seed_tree(
    spec: Spec,
    blocks: ArrayBlocks,
    leaves: Sequence[Any],
    positions: Sequence[int],
    tangents: Any,
    tag: int,
) -> Any:
    """The parameters of one pass: arrays of plain numbers as dual arrays carrying their
    seeded entries' tangents, every other seeded leaf a Dual, the rest plain numbers.

    `tangents` is a sequence (one tangent per position: a float, or a vector of k) or
    :func:`unit_seeds` (column c of the chunk is position c's unit vector)."""
    unit = isinstance(tangents, _Unit)
    k = tangents.k if unit else _width(tangents)
    work = list(leaves)
    arrays: dict[int, DualArray] = {}
    pos = np.asarray(positions, dtype=np.intp)
    for start, s, values in blocks.blocks:
        if values is None:
            continue
        inside = np.flatnonzero((pos >= start) & (pos < start + s.size))
        tangent = np.zeros((s.size, k))
        if unit:
            tangent[pos[inside] - start, tangents.column(inside)] = 1.0
        elif len(inside):
            tangent[pos[inside] - start] = _dense([tangents[c] for c in inside.tolist()], k)
        arrays[start] = DualArray(values, tangent.reshape((*s.shape, k)), tag)
    covered = _covered(blocks, set(arrays))
    for c, j in enumerate(positions):
        if j not in covered:
            t = _unit_vector(int(tangents.column(c)), k) if unit else tangents[c]
            work[j] = Dual.from_parts(leaves[j], t, tag)
    return rebuild_tree(spec, work, arrays, 0)[0]


def _covered(blocks: ArrayBlocks, taken: set[int]) -> set[int]:
    found: set[int] = set()
    for start, s, _ in blocks.blocks:
        if start in taken:
            found.update(range(start, start + s.size))
    return found


def _width(tangents: Sequence[Any]) -> int:
    for t in tangents:
        if hasattr(t, "dense"):
            return len(t.dense())
        if np.ndim(t):
            return int(np.shape(t)[0])
    return 1


def _dense(tangents: list[Any], k: int) -> np.ndarray:
    return np.array(
        [t.dense() if hasattr(t, "dense") else t for t in tangents], dtype=float
    ).reshape(-1, k)


def _unit_vector(c: int, k: int) -> Any:
    from dualgrad.vector.passes import seeds

    return seeds(k)[c] if k > 1 else 1.0


def rebuild_tree(spec: Spec, work: list[Any], arrays: dict[int, Any], at: int) -> tuple[Any, int]:
    """`spec`'s tree from the leaves `work`, with the arrays in `arrays` (by first leaf) in
    their places (dual arrays, or the traced arrays of sparsity detection)."""
    if spec.kind == "array":
        found = arrays.get(at)
        if found is not None:
            return found, at + spec.size
        return rebuild(work[at : at + spec.size], spec.shape, numbers=True), at + spec.size
    if spec.kind == "leaf":
        return work[at], at + 1
    if spec.flat:
        return unflatten(spec, work[at : at + spec.size], numbers=True), at + spec.size
    kids = []
    for child in spec.children:
        kid, at = rebuild_tree(child, work, arrays, at)
        kids.append(kid)
    if spec.kind == "dict":
        by_key = dict(zip(spec.keys, kids, strict=True))
        return {key: by_key[key] for key in spec.order}, at
    if spec.kind == "tuple":
        return (tuple(kids) if spec.cls is None else spec.cls(*kids)), at
    return kids, at


def output_rows(out: Any, tag: int, k: int) -> tuple[list[Any], Spec, list[Any]] | None:
    """(values, spec, tangent rows) of an output holding dual arrays - each entry's value and
    its k tangents, arrays in C order - or None if it holds none (the generic path reads it)."""
    if not _holds_dual_arrays(out):
        return None
    from dualgrad.drivers.tags import tangent_of, value_of
    from dualgrad.tree import flatten

    values: list[Any] = []
    rows: list[Any] = []

    def walk(node: Any) -> Any:
        if type(node) is DualArray:
            if node.tag != tag:
                raise TypeError("the function returned a dual array of another derivative")
            values.extend(node.value.ravel().tolist())
            rows.extend(np.broadcast_to(node.tangent, (*node.shape, k)).reshape(-1, k))
            return np.zeros(node.shape)
        if isinstance(node, dict):  # in flatten's order (sorted keys), rebuilt in the user's
            by_key = {key: walk(node[key]) for key in _sorted_keys(node)}
            return {key: by_key[key] for key in node}
        if isinstance(node, (list, tuple)):
            kids = [walk(v) for v in node]
            return type(node)(*kids) if hasattr(type(node), "_fields") else type(node)(kids)
        values.append(value_of(node, tag))
        t = tangent_of(node, tag, "jacobian")
        rows.append(np.broadcast_to(np.asarray(t.dense() if hasattr(t, "dense") else t), (k,)))
        return 0.0

    shape = walk(out)
    return values, flatten(shape)[1], rows


def _holds_dual_arrays(node: Any) -> bool:
    if type(node) is DualArray:
        return True
    if isinstance(node, dict):
        return any(map(_holds_dual_arrays, node.values()))
    if isinstance(node, (list, tuple)):
        return any(map(_holds_dual_arrays, node))
    return False
