"""Sparsity detection over numpy arrays: f runs once on traced arrays, at numpy speed.

Each float ndarray parameter (of plain numbers) becomes one
:class:`~dualgrad.sparsity.tracer_array.TracerArray` whose entry e depends on input
``first + e``; every other leaf (a scalar beside the arrays, an array of other numbers) is a
scalar :class:`~dualgrad.sparsity.tracer.Tracer`, which joins a traced array when they meet.
The output's sets are read in bulk into a :class:`~dualgrad.sparsity.pattern.SparsityPattern`:
traced arrays as their CSR tables, other outputs entry by entry.

>>> import numpy as np
>>> from dualgrad.tree import flatten
>>> leaves, spec = flatten({"u": np.array([1.0, 2.0, 3.0]), "s": 2.0})  # s is input 0
>>> array_sparsity(lambda p: p["s"] * np.diff(p["u"]), spec, leaves).todense()
[[True, True, True, False], [True, False, True, True]]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dualgrad.drivers.memory import paused_gc
from dualgrad.numbers.base import is_real
from dualgrad.sparsity import tracer_functions, tracer_products, tracer_ufuncs
from dualgrad.sparsity.pattern import SparsityPattern
from dualgrad.sparsity.tracer import Tracer
from dualgrad.sparsity.tracer_array import TracerArray, as_parts
from dualgrad.tree import Spec, _sorted_keys
from dualgrad.vector.dualarray.seeding import ArrayBlocks, rebuild_tree

__all__ = ["array_sparsity"]

TracerArray.functions.update(tracer_functions.FUNCTIONS)
TracerArray.functions.update(tracer_products.FUNCTIONS)
TracerArray.ufuncs.update(tracer_ufuncs.UFUNC_METHODS)


def array_sparsity(f: Callable[[Any], Any], spec: Spec, leaves: list[Any]) -> SparsityPattern:
    """The Jacobian pattern of f at the parameters (`spec`, `leaves`), arrays traced whole."""
    arrays: dict[int, Any] = {}
    for start, _, values in ArrayBlocks(spec, leaves).blocks:
        if values is not None:
            arrays[start] = TracerArray.inputs(values, start)
    covered = np.zeros(len(leaves), dtype=bool)
    for start, x in arrays.items():
        covered[start : start + x.size] = True
    work = list(leaves)
    for j in np.flatnonzero(~covered).tolist():
        work[j] = Tracer(leaves[j], frozenset((j,)))
    with paused_gc():
        out = f(rebuild_tree(spec, work, arrays, 0)[0])
    lengths: list[Any] = []
    indices: list[Any] = []
    _read(out, lengths, indices)
    lens = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.intp)
    rows = np.repeat(np.arange(len(lens)), lens)
    cols = np.concatenate(indices) if indices else np.zeros(0, dtype=np.intp)
    return SparsityPattern((len(lens), len(leaves)), tuple(rows.tolist()), tuple(cols.tolist()))


def _read(node: Any, lengths: list[Any], indices: list[Any]) -> None:
    """Append the sets of `node`'s outputs, in the order flatten gives them."""
    if type(node) is TracerArray or type(node) is Tracer or isinstance(node, np.ndarray):
        if isinstance(node, np.ndarray) and node.dtype.kind not in "fiubO":
            raise TypeError(f"jacobian_sparsity: the function returned an array of {node.dtype}")
        value, deps = as_parts(node)
        if deps is None:
            lengths.append(np.zeros(np.size(value), dtype=np.intp))
        else:
            lengths.append(np.diff(deps[0]))
            indices.append(deps[1])
    elif isinstance(node, dict):
        for key in _sorted_keys(node):
            _read(node[key], lengths, indices)
    elif isinstance(node, (list, tuple)):
        for item in node:
            _read(item, lengths, indices)
    elif is_real(node):
        lengths.append(np.zeros(1, dtype=np.intp))
    else:
        raise TypeError(
            f"jacobian_sparsity: the function must return real numbers, it returned {node!r}"
        )
